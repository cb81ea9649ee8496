//! Form faults: frame faults (a condition true for a minimum time while in a given phase) and
//! rep faults (a condition on a whole rep's or hold's aggregates, checked when it ends).

use super::condition::Reduce;
use super::signals::SignalValue;
use super::template::{Cond, Operand};

/// A frame fault is over once its condition has been false this long (so one wobble across
/// the threshold does not split it in two).
const RELEASE_S: f64 = 0.25;

/// A fault's state over time.
#[derive(Clone, Debug, Default)]
pub struct FrameFault {
    /// When the condition last became true (it may not have lasted long enough yet).
    since: Option<f64>,
    /// When the condition was last true.
    last_true: f64,
    /// Whether the fault is on (true for at least the minimum duration).
    pub on: bool,
}

/// What a frame fault did this frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FaultChange {
    Started { start_s: f64 },
    Ended { start_s: f64, end_s: f64 },
}

impl FrameFault {
    /// Feeds whether the condition holds at `t` (`None`: not checked now, e.g. wrong phase).
    pub fn update(
        &mut self,
        t: f64,
        holds: Option<bool>,
        min_duration_s: f64,
    ) -> Option<FaultChange> {
        match holds {
            Some(true) => {
                let since = *self.since.get_or_insert(t);
                self.last_true = t;
                if !self.on && t - since >= min_duration_s {
                    self.on = true;
                    return Some(FaultChange::Started { start_s: since });
                }
                None
            }
            _ => {
                let since = self.since?;
                // Once on, a short lapse does not end it; before that, any lapse restarts
                // the minimum duration.
                if self.on && t - self.last_true < RELEASE_S && holds.is_some() {
                    return None;
                }
                self.since = None;
                if self.on {
                    self.on = false;
                    return Some(FaultChange::Ended {
                        start_s: since,
                        end_s: self.last_true,
                    });
                }
                None
            }
        }
    }

    /// Ends an active fault at `t` (exercise or session over).
    pub fn close(&mut self, t: f64) -> Option<FaultChange> {
        let since = self.since.take()?;
        let was_on = std::mem::take(&mut self.on);
        was_on.then_some(FaultChange::Ended {
            start_s: since,
            end_s: self.last_true.min(t),
        })
    }

    /// Start time of the fault if it is on.
    pub fn active_since(&self) -> Option<f64> {
        self.since.filter(|_| self.on)
    }
}

/// The conditions that apply to this frame: those on a relative signal whose person's range
/// is not learnt yet are left out.
fn applicable<'a>(
    conds: &'a [Cond],
    values: &'a [SignalValue],
) -> impl Iterator<Item = (&'a Cond, Option<f32>)> {
    conds.iter().filter_map(|c| match c.operand {
        Operand::Signal(i) if values[i].unlearnt => None,
        Operand::Signal(i) => Some((c, values[i].value)),
        _ => Some((c, None)),
    })
}

/// Whether every (applicable) condition holds on this frame's signals.
pub fn all_hold(conds: &[Cond], values: &[SignalValue]) -> bool {
    let mut any = false;
    for (c, v) in applicable(conds, values) {
        if !c.condition.holds(v) {
            return false;
        }
        any = true;
    }
    any
}

/// A frame looks like a position when its conditions are met on the whole: the mean evidence
/// (1 well inside a condition, 0.5 at its threshold, 0 half a scale or more outside) reaches this...
pub const MIN_MEAN_EVIDENCE: f32 = 0.75;
/// ...and no condition is more than half a scale outside its threshold (evidence 0).
/// One hard AND of many conditions fails whenever one of them wobbles past its threshold on a
/// camera view it was not tuned on; a soft vote does not, while a clear miss still vetoes.
pub fn soft_all_hold(conds: &[Cond], values: &[SignalValue]) -> bool {
    evidence(conds, values).is_some_and(|(mean, least)| least > 0.0 && mean >= MIN_MEAN_EVIDENCE)
}

/// The mean and the least evidence of the applicable conditions (`None`: none applies).
pub fn evidence(conds: &[Cond], values: &[SignalValue]) -> Option<(f32, f32)> {
    let (mut sum, mut least, mut n) = (0.0, f32::INFINITY, 0);
    for (c, v) in applicable(conds, values) {
        // A measure that cannot be taken (the feet out of the picture) is evidence neither
        // way; the others must then be that much clearer.
        let e = c
            .condition
            .margin(v)
            .map_or(0.5, |m| (0.5 + m / c.scale).clamp(0.0, 1.0));
        sum += e;
        least = least.min(e);
        n += 1;
    }
    (n > 0).then(|| (sum / n as f32, least))
}

/// Whether any (applicable) condition holds on this frame's signals.
pub fn any_holds(conds: &[Cond], values: &[SignalValue]) -> bool {
    applicable(conds, values).any(|(c, v)| c.condition.holds(v))
}

/// Running min / max / mean of every signal over a rep or hold.
#[derive(Clone, Debug, Default)]
pub struct Aggregates {
    min: Vec<f32>,
    max: Vec<f32>,
    sum: Vec<f64>,
    n: Vec<u32>,
}

impl Aggregates {
    pub fn clear(&mut self) {
        self.min.clear();
        self.max.clear();
        self.sum.clear();
        self.n.clear();
    }

    pub fn add(&mut self, values: &[SignalValue]) {
        if self.n.len() != values.len() {
            self.min = vec![f32::INFINITY; values.len()];
            self.max = vec![f32::NEG_INFINITY; values.len()];
            self.sum = vec![0.0; values.len()];
            self.n = vec![0; values.len()];
        }
        for (i, v) in values.iter().enumerate() {
            if let Some(x) = v.value.filter(|x| x.is_finite()) {
                self.min[i] = self.min[i].min(x);
                self.max[i] = self.max[i].max(x);
                self.sum[i] += x as f64;
                self.n[i] += 1;
            }
        }
    }

    pub fn get(&self, signal: usize, reduce: Reduce) -> Option<f32> {
        if *self.n.get(signal)? == 0 {
            return None;
        }
        Some(match reduce {
            Reduce::Min => self.min[signal],
            Reduce::Max => self.max[signal],
            Reduce::Mean => (self.sum[signal] / self.n[signal] as f64) as f32,
            Reduce::Value | Reduce::Abs => return None,
        })
    }
}

/// A rep's or hold's measures for rep conditions.
pub struct RepMeasures<'a> {
    pub aggregates: &'a Aggregates,
    pub hold_s: f64,
    pub duration_s: f64,
    pub rise_s: Option<f64>,
}

impl RepMeasures<'_> {
    /// Whether every condition holds on this rep.
    pub fn all_hold(&self, conds: &[Cond]) -> bool {
        !conds.is_empty()
            && conds.iter().all(|c| {
                let v = match c.operand {
                    Operand::Signal(i) => self.aggregates.get(i, c.condition.reduce),
                    Operand::HoldS => Some(self.hold_s as f32),
                    Operand::DurationS => Some(self.duration_s as f32),
                    Operand::RiseS => self.rise_s.map(|r| r as f32),
                };
                c.condition.holds(v)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_needs_its_minimum_duration_and_survives_a_wobble() {
        let mut f = FrameFault::default();
        let mut changes = Vec::new();
        let pattern = |i: usize| (10..40).contains(&i) && i != 25;
        for i in 0..60 {
            let t = i as f64 / 30.0;
            if let Some(c) = f.update(t, Some(pattern(i)), 0.3) {
                changes.push(c);
            }
        }
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert_eq!(
            changes[0],
            FaultChange::Started {
                start_s: 10.0 / 30.0
            }
        );
        match changes[1] {
            FaultChange::Ended { start_s, end_s } => {
                assert!((start_s - 10.0 / 30.0).abs() < 1e-9);
                assert!((end_s - 39.0 / 30.0).abs() < 1e-9);
            }
            other => panic!("{other:?}"),
        }
    }

    fn cond(text: &str, signal: usize, scale: f32) -> Cond {
        Cond {
            operand: Operand::Signal(signal),
            condition: super::super::condition::Condition::parse(text).unwrap(),
            scale,
        }
    }

    fn values(xs: &[Option<f32>]) -> Vec<SignalValue> {
        xs.iter()
            .map(|&value| SignalValue {
                value,
                ..SignalValue::default()
            })
            .collect()
    }

    #[test]
    fn soft_evidence_tolerates_a_wobble_but_not_a_clear_miss() {
        let conds: Vec<Cond> = (0..4).map(|i| cond("x < 0.25", i, 0.1)).collect();
        let well_inside = Some(0.1);
        // One condition a little past its threshold: the hard AND says no, the soft vote yes.
        let wobble = values(&[well_inside, well_inside, well_inside, Some(0.27)]);
        assert!(!all_hold(&conds, &wobble));
        assert!(soft_all_hold(&conds, &wobble));
        // Half a scale past it vetoes, however clear the others are.
        let miss = values(&[well_inside, well_inside, well_inside, Some(0.30)]);
        assert!(!soft_all_hold(&conds, &miss));
        // Several at their thresholds are not enough together.
        let borderline = values(&[Some(0.25), Some(0.25), Some(0.25), well_inside]);
        assert!(!soft_all_hold(&conds, &borderline));
        // A measure that cannot be taken is neutral: the rest must carry the vote.
        let unseen = values(&[well_inside, well_inside, well_inside, None]);
        assert!(soft_all_hold(&conds, &unseen));
        let unseen_and_wobbly = values(&[Some(0.24), Some(0.24), well_inside, None]);
        assert!(!soft_all_hold(&conds, &unseen_and_wobbly));
    }

    #[test]
    fn conditions_on_an_unlearnt_range_are_left_out() {
        let conds = [cond("a > 1", 0, 1.0), cond("rise > 0.5", 1, 0.2)];
        let mut v = values(&[Some(2.0), None]);
        v[1].unlearnt = true;
        assert!(all_hold(&conds, &v));
        assert!(!any_holds(&conds[1..], &v));
        // Once learnt, it counts.
        v[1] = SignalValue {
            value: Some(0.2),
            ..SignalValue::default()
        };
        assert!(!all_hold(&conds, &v));
        // Nothing applicable is not a match.
        let mut only = values(&[None]);
        only[0].unlearnt = true;
        assert!(!all_hold(&conds[1..2], &[SignalValue::default(), only[0]]));
    }

    #[test]
    fn short_blips_never_start_a_fault() {
        let mut f = FrameFault::default();
        for i in 0..100 {
            let c = f.update(i as f64 / 30.0, Some(i % 5 == 0), 0.3);
            assert!(c.is_none());
        }
    }

    #[test]
    fn aggregates_track_extremes_and_means() {
        let mut a = Aggregates::default();
        for x in [1.0, 5.0, 3.0] {
            a.add(&[
                SignalValue {
                    value: Some(x),
                    ..SignalValue::default()
                },
                SignalValue::default(),
            ]);
        }
        assert_eq!(a.get(0, Reduce::Max), Some(5.0));
        assert_eq!(a.get(0, Reduce::Min), Some(1.0));
        assert_eq!(a.get(0, Reduce::Mean), Some(3.0));
        assert_eq!(a.get(1, Reduce::Max), None);
    }
}
