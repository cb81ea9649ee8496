//! The Romberg ratio: how much more a person sways with the eyes closed than open, per stance
//! and side, from the attempts of a session whose eyes were declared.

use crate::report::model::{ExerciseSet, Romberg};
use crate::skeleton::Side;

/// Ratios for every stance (exercise and side) with measured attempts both ways, from the mean
/// sway velocity of each (the measure least tied to an attempt's length).
pub fn romberg(sets: &[ExerciseSet]) -> Vec<Romberg> {
    let mut keys: Vec<(String, Option<Side>)> = Vec::new();
    for key in sets
        .iter()
        .flat_map(|s| s.holds.iter().map(|h| (s.exercise.clone(), h.side)))
    {
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys.into_iter()
        .filter_map(|(exercise, side)| {
            let velocities = |closed: bool| -> Vec<f64> {
                sets.iter()
                    .filter(|s| s.exercise == exercise)
                    .flat_map(|s| s.holds.iter())
                    .filter(|h| h.side == side && h.eyes_closed == Some(closed))
                    .filter_map(|h| h.sway.as_ref().map(|w| w.mean_velocity))
                    .collect()
            };
            let (open, closed) = (velocities(false), velocities(true));
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
            (!open.is_empty() && !closed.is_empty() && mean(&open) > 0.0).then(|| Romberg {
                exercise: exercise.clone(),
                side,
                open_attempts: open.len() as u32,
                closed_attempts: closed.len() as u32,
                open_velocity: mean(&open),
                closed_velocity: mean(&closed),
                ratio: mean(&closed) / mean(&open),
            })
        })
        .collect()
}
