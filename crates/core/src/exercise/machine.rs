//! The position state machine of one exercise: start position → working position counts a rep
//! (or starts a hold), with a minimum dwell before a position counts as reached and a grace
//! period before it counts as left. Thresholds come from the template; this file only knows
//! the conventions a coach expects:
//! - a rep counts the moment the working position is reached after the start position, so a
//!   clip that begins in the working position does not count that one;
//! - a hold runs while the position is held; breaks shorter than the grace period do not end it;
//! - when the body cannot be seen for a while, nothing carries over.

use crate::skeleton::{Side, slot};

/// After this long without a reliable view, the machine forgets where the body was.
pub const LOST_AFTER_S: f64 = 1.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Not known yet (start of a session, or after losing sight of the body).
    Unknown,
    Start,
    /// Between the start and working positions.
    Moving,
    Working,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Unknown => "unknown",
            Phase::Start => "start",
            Phase::Moving => "moving",
            Phase::Working => "working",
        }
    }
}

/// What the template's conditions say about one frame.
#[derive(Clone, Copy, Debug, Default)]
pub struct Reading {
    pub reliable: bool,
    pub in_start: bool,
    pub enter_working: bool,
    pub exit_working: bool,
    /// A fault that stops a hold from counting is on, since this time.
    pub hold_blocked: Option<f64>,
    /// Part of the body the exercise needs is outside the picture.
    pub partly_outside: bool,
    pub side: Option<Side>,
    /// A way of ending the hold the template names (a foot touching down) holds now.
    pub end_reason: Option<EndReason>,
}

/// Why a hold or rep ended: the report's vocabulary.
pub use crate::report::model::HoldEnd as EndReason;

#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// The start position was left: a rep may be beginning.
    RepBegan {
        t: f64,
    },
    /// A rep counted: the working position was reached at `top_s`.
    RepCounted {
        top_s: f64,
        side: Option<Side>,
    },
    /// The body was lost from view (or partly left the picture) during a rep that never
    /// reached its top as far as could be seen: it may have been done out of sight.
    RepLost {
        began: f64,
        lost_s: f64,
    },
    /// The rep is over (back in the start position, or cut off).
    RepEnded {
        end_s: f64,
        hold_s: f64,
        reason: EndReason,
    },
    HoldStarted {
        start_s: f64,
        side: Option<Side>,
    },
    HoldEnded {
        start_s: f64,
        end_s: f64,
        side: Option<Side>,
        reason: EndReason,
    },
}

#[derive(Clone, Copy, Debug)]
struct OpenRep {
    began: f64,
    top_s: Option<f64>,
    hold_s: f64,
    /// Part of the body left the picture during the rep.
    outside: bool,
}

#[derive(Clone, Copy, Debug)]
struct OpenHold {
    start_s: f64,
    side: Option<Side>,
    /// Frames that read each side over the hold (no side, left, right).
    votes: [u32; 3],
}

impl OpenHold {
    /// The side read over most of the hold (none when "no side" was read most).
    fn most_read(&self) -> Option<Side> {
        let [none, left, right] = self.votes;
        if none >= left.max(right) {
            None
        } else if left >= right {
            Some(Side::Left)
        } else {
            Some(Side::Right)
        }
    }
}

/// Timing rules from the template.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    pub counts_reps: bool,
    pub min_dwell_s: f64,
    pub grace_s: f64,
    /// A hold is complete after this long (it ends as `time_up`).
    pub end_after_s: Option<f64>,
    /// A hold's side is the one read over most of it, not when it began (a side that can be
    /// told only some of the time: the tandem stance's front foot).
    pub side_by_most: bool,
}

pub struct Machine {
    timing: Timing,
    pub phase: Phase,
    /// Since when the working position's entry conditions have held.
    work_since: Option<f64>,
    start_since: Option<f64>,
    exit_since: Option<f64>,
    exit_reason: EndReason,
    /// The start position was reached since the last rep.
    armed: bool,
    rep: Option<OpenRep>,
    hold: Option<OpenHold>,
    last_reliable: Option<f64>,
}

impl Machine {
    pub fn new(timing: Timing) -> Machine {
        Machine {
            timing,
            phase: Phase::Unknown,
            work_since: None,
            start_since: None,
            exit_since: None,
            exit_reason: EndReason::PositionLeft,
            armed: false,
            rep: None,
            hold: None,
            last_reliable: None,
        }
    }

    /// Seconds the current hold (or the current rep's time at the top) has lasted.
    pub fn hold_elapsed(&self, t: f64) -> Option<f64> {
        self.hold.map(|h| (t - h.start_s).max(0.0))
    }

    /// Whether the hold under way is ending: the body has left the working position (or a
    /// fault broke the hold) and the grace period is running.
    pub fn leaving(&self) -> bool {
        self.hold.is_some() && self.exit_since.is_some()
    }

    /// The side of the hold under way (`Some(None)`: a hold without a side), as it will be
    /// reported: by most of it so far when the side is the one read over most of it.
    pub fn hold_side(&self) -> Option<Option<Side>> {
        self.hold.map(|h| self.reported_side(&h))
    }

    fn reported_side(&self, h: &OpenHold) -> Option<Side> {
        if self.timing.side_by_most {
            h.most_read()
        } else {
            h.side
        }
    }

    pub fn in_rep(&self) -> bool {
        self.rep.is_some()
    }

    /// Advances by one frame at time `t`.
    pub fn step(&mut self, t: f64, r: &Reading, out: &mut Vec<Step>) {
        if let Some(rep) = self.rep.as_mut() {
            rep.outside |= r.partly_outside;
        }
        if !r.reliable {
            if let Some(last) = self.last_reliable
                && t - last > LOST_AFTER_S
            {
                self.cut(last, EndReason::LostSight, out);
                self.phase = Phase::Unknown;
                self.armed = false;
                self.last_reliable = None;
            }
            return;
        }
        self.last_reliable = Some(t);
        let dwell = self.timing.min_dwell_s;
        // The start position is watched in every phase, so that a quick return from the top
        // (still inside the working position's grace period) is already dwelling in it.
        self.start_since = if r.in_start && !r.enter_working {
            Some(self.start_since.unwrap_or(t))
        } else {
            None
        };
        if self.phase == Phase::Working {
            if let Some(h) = self.hold.as_mut() {
                h.votes[slot(r.side)] += 1;
            }
            // The time is up: the hold is complete, and the next one starts only after the
            // position has been left.
            if let (Some(limit), Some(h)) = (self.timing.end_after_s, self.hold)
                && t - h.start_s >= limit
            {
                self.end_hold(h.start_s + limit, EndReason::TimeUp, out);
            }
            let blocked = r.hold_blocked.filter(|_| !self.timing.counts_reps);
            let exiting = r.exit_working || r.end_reason.is_some();
            if !exiting && blocked.is_none() {
                self.exit_since = None;
                return;
            }
            // A fault that breaks the hold has already lasted its minimum duration (its
            // grace): the hold ended when the fault began.
            let first = self.exit_since.is_none();
            let since = *self
                .exit_since
                .get_or_insert(blocked.map_or(t, |b| b.min(t)));
            if first {
                self.exit_reason = if r.exit_working || r.end_reason.is_some() {
                    EndReason::PositionLeft
                } else {
                    EndReason::FormBroken
                };
            }
            // What the person did, when the template can name it, says more than "left the
            // position" (the raised foot coming down also ends looking like the stance).
            if let Some(named) = r.end_reason
                && self.exit_reason == EndReason::PositionLeft
            {
                self.exit_reason = named;
            }
            if t - since < self.timing.grace_s {
                return;
            }
            self.leave_working(since, out);
            self.phase = Phase::Moving;
        }
        self.work_since = if r.enter_working {
            Some(self.work_since.unwrap_or(t))
        } else {
            None
        };
        if let Some(since) = self.work_since.filter(|s| t - s >= dwell) {
            self.reach_working(since, r.side, out);
        } else if let Some(since) = self.start_since.filter(|s| t - s >= dwell) {
            if self.phase != Phase::Start {
                if self.rep.is_some() {
                    self.end_rep(since, EndReason::PositionLeft, out);
                }
                self.phase = Phase::Start;
                self.armed = true;
            }
        } else if self.phase == Phase::Start && !r.in_start {
            self.phase = Phase::Moving;
            if self.timing.counts_reps {
                self.rep = Some(OpenRep {
                    began: t,
                    top_s: None,
                    hold_s: 0.0,
                    outside: false,
                });
                out.push(Step::RepBegan { t });
            }
        }
    }

    fn reach_working(&mut self, since: f64, side: Option<Side>, out: &mut Vec<Step>) {
        self.phase = Phase::Working;
        self.exit_since = None;
        self.work_since = None;
        if self.timing.counts_reps {
            if !self.armed {
                // Reached without coming from the start position (e.g. the clip began at the
                // top, or a partial lowering): not a new rep.
                return;
            }
            self.armed = false;
            if self.rep.is_none() {
                // Straight from the start position to the top within the dwell.
                out.push(Step::RepBegan { t: since });
            }
            let rep = self.rep.get_or_insert(OpenRep {
                began: since,
                top_s: None,
                hold_s: 0.0,
                outside: false,
            });
            if rep.top_s.is_none() {
                rep.top_s = Some(since);
                out.push(Step::RepCounted { top_s: since, side });
            }
        }
        let mut votes = [0; 3];
        votes[slot(side)] = 1;
        self.hold = Some(OpenHold {
            start_s: since,
            side,
            votes,
        });
        // A side told over most of the hold is not known as it starts.
        out.push(Step::HoldStarted {
            start_s: since,
            side: side.filter(|_| !self.timing.side_by_most),
        });
    }

    fn leave_working(&mut self, at: f64, out: &mut Vec<Step>) {
        self.end_hold(at, self.exit_reason, out);
        self.exit_since = None;
    }

    fn end_hold(&mut self, at: f64, reason: EndReason, out: &mut Vec<Step>) {
        if let Some(h) = self.hold.take() {
            let at = at.max(h.start_s);
            if let Some(rep) = self.rep.as_mut() {
                rep.hold_s += at - h.start_s;
            }
            out.push(Step::HoldEnded {
                start_s: h.start_s,
                end_s: at,
                side: self.reported_side(&h),
                reason,
            });
        }
    }

    fn end_rep(&mut self, at: f64, reason: EndReason, out: &mut Vec<Step>) {
        match self.rep.take() {
            Some(rep) if rep.top_s.is_some() => out.push(Step::RepEnded {
                end_s: at,
                hold_s: rep.hold_s,
                reason,
            }),
            Some(rep) if reason == EndReason::LostSight || rep.outside => out.push(Step::RepLost {
                began: rep.began,
                lost_s: at,
            }),
            _ => {}
        }
    }

    /// Ends whatever is open at `at` (sight lost, exercise over, session over).
    pub fn cut(&mut self, at: f64, reason: EndReason, out: &mut Vec<Step>) {
        if self.hold.is_some() {
            self.exit_reason = reason;
            let end = self.exit_since.map_or(at, |s| s.min(at));
            self.leave_working(end, out);
        }
        self.end_rep(at, reason, out);
        if self.phase == Phase::Working {
            self.phase = Phase::Moving;
        }
        self.work_since = None;
        self.start_since = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPS: Timing = Timing {
        counts_reps: true,
        min_dwell_s: 0.1,
        grace_s: 0.3,
        end_after_s: None,
        side_by_most: false,
    };

    const HOLD: Timing = Timing {
        counts_reps: false,
        min_dwell_s: 0.1,
        grace_s: 0.5,
        end_after_s: None,
        side_by_most: false,
    };

    /// When and why the first hold ended.
    fn hold_end(steps: &[Step]) -> Option<(f64, EndReason)> {
        steps.iter().find_map(|s| match s {
            Step::HoldEnded { end_s, reason, .. } => Some((*end_s, *reason)),
            _ => None,
        })
    }

    fn reading(start: bool, enter: bool, exit: bool) -> Reading {
        Reading {
            reliable: true,
            in_start: start,
            enter_working: enter,
            exit_working: exit,
            hold_blocked: None,
            partly_outside: false,
            side: None,
            end_reason: None,
        }
    }

    /// Drives a machine through (duration, start, enter, exit) segments at 30 fps.
    fn run(timing: Timing, segments: &[(f64, bool, bool, bool)]) -> Vec<Step> {
        let mut m = Machine::new(timing);
        let mut out = Vec::new();
        let mut t = 0.0;
        for &(dur, s, e, x) in segments {
            let end = t + dur;
            while t < end - 1e-9 {
                m.step(t, &reading(s, e, x), &mut out);
                t += 1.0 / 30.0;
            }
        }
        m.cut(t, EndReason::SessionEnded, &mut out);
        out
    }

    fn count(steps: &[Step]) -> usize {
        steps
            .iter()
            .filter(|s| matches!(s, Step::RepCounted { .. }))
            .count()
    }

    /// The sides of the holds of a hold in which `side` is read for the first `told_s` and no
    /// side after it, for 3 s.
    fn hold_sides(timing: Timing, side: Side, told_s: f64) -> (Option<Side>, Option<Side>) {
        let mut m = Machine::new(timing);
        let mut out = Vec::new();
        let mut t = 0.0;
        while t < 3.0 {
            let r = Reading {
                side: (t < told_s).then_some(side),
                ..reading(false, true, false)
            };
            m.step(t, &r, &mut out);
            t += 1.0 / 30.0;
        }
        m.cut(t, EndReason::SessionEnded, &mut out);
        let started = out.iter().find_map(|s| match s {
            Step::HoldStarted { side, .. } => Some(*side),
            _ => None,
        });
        let ended = out.iter().find_map(|s| match s {
            Step::HoldEnded { side, .. } => Some(*side),
            _ => None,
        });
        (started.expect("hold started"), ended.expect("hold ended"))
    }

    #[test]
    fn a_hold_by_most_takes_the_side_read_over_most_of_it() {
        let most = Timing {
            side_by_most: true,
            ..HOLD
        };
        // The front foot seen only in the first half second: the hold began with it, but
        // over most of it no side was told (and as it starts, none is announced).
        assert_eq!(
            hold_sides(HOLD, Side::Left, 0.5),
            (Some(Side::Left), Some(Side::Left))
        );
        assert_eq!(hold_sides(most, Side::Left, 0.5), (None, None));
        // Told over most of it: kept.
        assert_eq!(
            hold_sides(most, Side::Right, 2.5),
            (None, Some(Side::Right))
        );
    }

    #[test]
    fn reps_count_on_reaching_the_top_after_the_start() {
        let down = (1.0, true, false, true);
        let up = (1.0, false, true, false);
        let steps = run(REPS, &[down, up, down, up, down]);
        assert_eq!(count(&steps), 2);
        let top = steps.iter().find_map(|s| match s {
            Step::RepCounted { top_s, .. } => Some(*top_s),
            _ => None,
        });
        assert!((top.unwrap() - 1.0).abs() < 0.05, "{top:?}");
        let ended: Vec<f64> = steps
            .iter()
            .filter_map(|s| match s {
                Step::RepEnded { hold_s, .. } => Some(*hold_s),
                _ => None,
            })
            .collect();
        assert_eq!(ended.len(), 2);
        assert!((ended[0] - 1.0).abs() < 0.05, "{ended:?}");
    }

    #[test]
    fn a_clip_starting_at_the_top_does_not_count_that_rep() {
        let steps = run(
            REPS,
            &[
                (1.0, false, true, false),
                (1.0, true, false, true),
                (1.0, false, true, false),
            ],
        );
        assert_eq!(count(&steps), 1);
    }

    #[test]
    fn a_hold_ends_as_time_up_and_the_next_needs_the_position_left() {
        let timing = Timing {
            end_after_s: Some(2.0),
            ..HOLD
        };
        let held = (5.0, false, true, false);
        let steps = run(timing, &[(0.5, true, false, false), held]);
        let ends: Vec<(f64, EndReason)> = steps
            .iter()
            .filter_map(|s| match s {
                Step::HoldEnded { end_s, reason, .. } => Some((*end_s, *reason)),
                _ => None,
            })
            .collect();
        // One attempt, complete after 2 s; standing on does not start another.
        assert_eq!(ends.len(), 1, "{ends:?}");
        assert_eq!(ends[0].1, EndReason::TimeUp);
        assert!((ends[0].0 - 2.5).abs() < 0.05, "{ends:?}");
    }

    #[test]
    fn a_named_end_says_what_ended_the_hold() {
        let mut m = Machine::new(HOLD);
        let mut out = Vec::new();
        let mut t = 0.0;
        while t < 2.0 {
            m.step(t, &reading(false, true, false), &mut out);
            t += 1.0 / 30.0;
        }
        let touch = Reading {
            end_reason: Some(EndReason::TouchDown),
            ..reading(false, false, false)
        };
        while t < 3.0 {
            m.step(t, &touch, &mut out);
            t += 1.0 / 30.0;
        }
        let (end, reason) = hold_end(&out).unwrap();
        assert_eq!(reason, EndReason::TouchDown);
        assert!((end - 2.0).abs() < 0.05, "{end}");
    }

    #[test]
    fn touching_the_threshold_shorter_than_the_dwell_counts_nothing() {
        let mut segs = vec![(1.0, true, false, true)];
        for _ in 0..10 {
            segs.push((0.05, false, true, false));
            segs.push((0.05, true, false, true));
        }
        assert_eq!(count(&run(REPS, &segs)), 0);
    }

    #[test]
    fn holds_survive_breaks_shorter_than_the_grace_period() {
        let held = (3.0, false, true, false);
        let blip = (0.2, false, false, true);
        let steps = run(
            HOLD,
            &[
                (0.5, false, false, true),
                held,
                blip,
                held,
                (1.0, false, false, true),
            ],
        );
        let holds: Vec<(f64, f64)> = steps
            .iter()
            .filter_map(|s| match s {
                Step::HoldEnded { start_s, end_s, .. } => Some((*start_s, *end_s)),
                _ => None,
            })
            .collect();
        assert_eq!(holds.len(), 1, "{holds:?}");
        assert!((holds[0].1 - holds[0].0 - 6.2).abs() < 0.1, "{holds:?}");
    }

    #[test]
    fn a_rep_lost_from_view_before_its_top_is_reported() {
        let mut m = Machine::new(REPS);
        let mut out = Vec::new();
        let mut t = 0.0;
        let mut run = |m: &mut Machine, out: &mut Vec<Step>, secs: f64, r: Reading| {
            let end = t + secs;
            while t < end - 1e-9 {
                m.step(t, &r, out);
                t += 1.0 / 30.0;
            }
        };
        run(&mut m, &mut out, 1.0, reading(true, false, true));
        run(&mut m, &mut out, 0.3, reading(false, false, false));
        run(&mut m, &mut out, 1.5, Reading::default());
        assert_eq!(count(&out), 0);
        let lost = out.iter().find_map(|s| match s {
            Step::RepLost { began, lost_s } => Some((*began, *lost_s)),
            _ => None,
        });
        let (began, lost_s) = lost.expect("the rep is reported lost");
        assert!(
            (began - 1.0).abs() < 0.05 && (lost_s - 1.3).abs() < 0.05,
            "{began} {lost_s}"
        );
    }

    #[test]
    fn a_fault_that_breaks_a_hold_ends_it_where_the_fault_began() {
        let mut m = Machine::new(HOLD);
        let mut out = Vec::new();
        for i in 0..90 {
            let t = i as f64 / 30.0;
            // The fault's condition began at 2.0 s and was confirmed 0.5 s later.
            let r = Reading {
                hold_blocked: (t >= 2.5).then_some(2.0),
                ..reading(false, true, false)
            };
            m.step(t, &r, &mut out);
        }
        assert_eq!(hold_end(&out), Some((2.0, EndReason::FormBroken)));
    }

    #[test]
    fn losing_sight_ends_the_hold_where_the_body_was_last_seen() {
        let mut m = Machine::new(HOLD);
        let mut out = Vec::new();
        for i in 0..60 {
            m.step(i as f64 / 30.0, &reading(false, true, false), &mut out);
        }
        for i in 60..120 {
            m.step(i as f64 / 30.0, &Reading::default(), &mut out);
        }
        let (end, reason) = hold_end(&out).unwrap();
        assert!((end - 59.0 / 30.0).abs() < 1e-6);
        assert_eq!(reason, EndReason::LostSight);
        assert_eq!(m.phase, Phase::Unknown);
    }
}
