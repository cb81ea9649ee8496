//! What the coach says: each routine event in a few spoken words ("Rep 3 of 15", "Hold, 10
//! seconds left", "Hips higher"), and which of them may be dropped when the voice lags.

use super::runner::RoutineEvent;
use crate::report::model::{Measure, StepEnd};

fn target_words(measure: Measure, target: f64, per_side: bool) -> String {
    let each = if per_side { " on each side" } else { "" };
    match measure {
        Measure::Reps => format!("{target} reps{each}"),
        Measure::HoldS => format!("hold {target} seconds{each}"),
        Measure::Attempts => format!("{target} attempts{each}"),
    }
}

/// The first sentence of a fault's advice, which is what can be said while exercising
/// ("Lift your hips higher, until ..." → "Lift your hips higher").
fn few_words(message: &str) -> String {
    let first = message
        .split(['.', ',', ':', ';'])
        .next()
        .unwrap_or(message)
        .trim();
    first.to_string()
}

/// The words for `event`, or none for events that are shown but not said.
pub fn words(event: &RoutineEvent) -> Option<String> {
    Some(match event {
        RoutineEvent::Proposal {
            step,
            to,
            accepted: true,
            ..
        } => {
            format!("You met {step} three times in a row. Today's target is {to}.")
        }
        RoutineEvent::Proposal { .. } => return None,
        RoutineEvent::Step {
            name,
            description,
            variant,
            measure,
            target,
            per_side,
            side,
            ..
        } => {
            let side = side
                .map(|s| format!(", {} side", s.name()))
                .unwrap_or_default();
            let variant = variant
                .as_ref()
                .map(|v| format!(", {v}"))
                .unwrap_or_default();
            format!(
                "{name}{variant}{side}: {}. {description}",
                target_words(*measure, *target, *per_side)
            )
        }
        RoutineEvent::InPosition { .. } => "Good, in position.".into(),
        RoutineEvent::Rep { count, .. } => format!("{count}"),
        RoutineEvent::Hold { held_s, target, .. } => {
            let left = (*target - f64::from(*held_s)).max(0.0);
            // Every five seconds, and each of the last three.
            if *held_s == 1 {
                "Hold".into()
            } else if left <= 3.0 || held_s % 5 == 0 {
                format!("{left} left")
            } else {
                return None;
            }
        }
        RoutineEvent::Fault { message, .. } => few_words(message),
        RoutineEvent::AttemptFailed { attempt, of, .. } if attempt < of => {
            format!("Attempt {attempt} of {of}. Again.")
        }
        RoutineEvent::AttemptFailed { .. } => "That was the last attempt.".into(),
        RoutineEvent::TargetMet { .. } => "Target reached. Well done.".into(),
        RoutineEvent::StepDone { ended_by, .. } => match ended_by {
            StepEnd::Skipped => "Skipped.".into(),
            _ => return None,
        },
        RoutineEvent::Rest {
            seconds_left, next, ..
        } => {
            if *seconds_left <= 3 || seconds_left % 10 == 0 {
                format!("Rest, {seconds_left}. Next: {}", next.replace('_', " "))
            } else {
                return None;
            }
        }
        RoutineEvent::SessionEnd {
            completed: true, ..
        } => "Routine complete. Well done.".into(),
        RoutineEvent::SessionEnd { .. } => "Session ended.".into(),
    })
}

/// The kind of a cue that is stale once the next of its kind exists (a count, a countdown): a
/// voice that lags drops it rather than saying old numbers. Instructions have none.
pub fn stale_kind(event: &RoutineEvent) -> Option<&'static str> {
    match event {
        RoutineEvent::Rep { .. } => Some("rep"),
        RoutineEvent::Hold { .. } => Some("hold"),
        RoutineEvent::Rest { .. } => Some("rest"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_said_in_their_first_words() {
        assert_eq!(
            few_words("Lift your hips higher, until your shoulders, hips and knees form a line."),
            "Lift your hips higher"
        );
    }

    #[test]
    fn holds_count_down_every_five_seconds_and_the_last_three() {
        let hold = |held_s| RoutineEvent::Hold {
            t: 0.0,
            held_s,
            side: None,
            target: 30.0,
        };
        assert_eq!(words(&hold(1)).as_deref(), Some("Hold"));
        assert_eq!(words(&hold(2)), None);
        assert_eq!(words(&hold(10)).as_deref(), Some("20 left"));
        assert_eq!(words(&hold(28)).as_deref(), Some("2 left"));
    }
}
