//! Gradual progression, as the routine advises ("increase the load gradually, slightly
//! increasing the number of repetitions"): a step whose target was met in each of the last
//! [`STREAK`] sessions is offered a slightly higher one.

use super::{Step, Target};
use crate::report::model::{Measure, Proposal};

/// Sessions in a row a target must have been met in before a higher one is proposed.
pub const STREAK: usize = 3;

/// A step's result in an earlier session.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Past {
    pub target: f64,
    pub met: bool,
}

/// The target to start from: the routine's, or the higher one taken in the latest session
/// (`past` is newest first).
pub fn base_target(step: &Step, past: &[Past]) -> Target {
    let latest = past.first().map_or(0.0, |p| p.target);
    Target {
        measure: step.target.measure,
        value: step.target.value.max(latest),
    }
}

/// A little more: a tenth, at least one rep or two seconds, in whole numbers.
fn higher(target: Target) -> f64 {
    let least = match target.measure {
        Measure::Reps | Measure::Attempts => 1.0,
        Measure::HoldS => 2.0,
    };
    (target.value + (target.value * 0.1).round().max(least)).round()
}

/// The higher target for `step`, if the last [`STREAK`] sessions all met `base` or more.
pub fn propose(step: &Step, base: Target, past: &[Past]) -> Option<Proposal> {
    let streak = past.iter().take(STREAK);
    if past.len() < STREAK || !streak.clone().all(|p| p.met && p.target >= base.value) {
        return None;
    }
    let unit = match base.measure {
        Measure::Reps => "reps",
        Measure::HoldS => "s",
        Measure::Attempts => "attempts",
    };
    let to = higher(base);
    Some(Proposal {
        step: step.id.clone(),
        measure: base.measure,
        from: base.value,
        to,
        reason: format!(
            "{} {} {unit} was met in each of the last {STREAK} sessions; the routine advises raising the load gradually",
            step.id, base.value
        ),
        accepted: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routine::load_all;

    fn bridge() -> Step {
        load_all(None).unwrap()[0].steps[0].clone()
    }

    #[test]
    fn three_met_sessions_in_a_row_propose_a_little_more() {
        let step = bridge();
        let met = Past {
            target: 15.0,
            met: true,
        };
        let base = base_target(&step, &[met; 3]);
        let p = propose(&step, base, &[met; 3]).expect("a proposal");
        assert_eq!((p.from, p.to), (15.0, 17.0));
        assert!(p.reason.contains("last 3 sessions"), "{}", p.reason);
        // Two are not enough, and a miss among the last three breaks the streak.
        assert_eq!(propose(&step, base, &[met; 2]), None);
        let missed = Past {
            target: 15.0,
            met: false,
        };
        assert_eq!(propose(&step, base, &[met, missed, met, met]), None);
    }

    #[test]
    fn a_higher_target_taken_earlier_is_the_new_base() {
        let step = bridge();
        let past = [
            Past {
                target: 17.0,
                met: false,
            },
            Past {
                target: 15.0,
                met: true,
            },
        ];
        assert_eq!(base_target(&step, &past).value, 17.0);
        // Met at 15 three times, but the base is now 17: no proposal until 17 is met.
        let mixed = [
            Past {
                target: 17.0,
                met: true,
            },
            Past {
                target: 15.0,
                met: true,
            },
            Past {
                target: 15.0,
                met: true,
            },
        ];
        assert_eq!(propose(&step, base_target(&step, &mixed), &mixed), None);
    }

    #[test]
    fn holds_grow_by_at_least_two_seconds() {
        let t = Target {
            measure: Measure::HoldS,
            value: 10.0,
        };
        assert_eq!(higher(t), 12.0);
        let t = Target {
            measure: Measure::HoldS,
            value: 30.0,
        };
        assert_eq!(higher(t), 33.0);
    }
}
