//! A sliding time window of yes/no votes (unknown frames do not vote).

use std::collections::VecDeque;

pub struct Votes {
    span_s: f64,
    votes: VecDeque<(f64, bool)>,
    yes: usize,
}

impl Votes {
    pub fn new(span_s: f64) -> Votes {
        Votes {
            span_s,
            votes: VecDeque::new(),
            yes: 0,
        }
    }

    pub fn push(&mut self, t: f64, vote: Option<bool>) {
        if let Some(v) = vote {
            self.votes.push_back((t, v));
            self.yes += usize::from(v);
        }
        while let Some(&(t0, v)) = self.votes.front() {
            if t - t0 <= self.span_s {
                break;
            }
            self.votes.pop_front();
            self.yes -= usize::from(v);
        }
    }

    /// Share of yes votes in the window (0 when nothing voted).
    pub fn share(&self) -> f64 {
        if self.votes.is_empty() {
            0.0
        } else {
            self.yes as f64 / self.votes.len() as f64
        }
    }

    /// Seconds the votes in the window cover.
    pub fn covered_s(&self) -> f64 {
        match (self.votes.front(), self.votes.back()) {
            (Some(a), Some(b)) => b.0 - a.0,
            _ => 0.0,
        }
    }

    pub fn clear(&mut self) {
        self.votes.clear();
        self.yes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_votes_fall_out_and_unknowns_do_not_count() {
        let mut v = Votes::new(1.0);
        for i in 0..30 {
            v.push(i as f64 / 30.0, Some(true));
        }
        assert_eq!(v.share(), 1.0);
        for i in 30..90 {
            v.push(i as f64 / 30.0, if i % 2 == 0 { Some(false) } else { None });
        }
        assert_eq!(v.share(), 0.0);
        assert!(v.covered_s() <= 1.0);
    }
}
