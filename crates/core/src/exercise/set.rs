//! Building an [`ExerciseSet`] for the report as reps, holds and faults come in, and finishing
//! it: per-side counts, faults attached to reps, targets compared, advice ranked.

use super::template::{Counting, Template};
use crate::report::model::{ExerciseSet, Fault, Hold, Measure, Rep, Series, Severity, TargetCheck};
use crate::skeleton::Side;

/// Samples per second kept of the primary signal for plots.
const SERIES_HZ: f64 = 10.0;

pub struct SetBuilder {
    pub set: ExerciseSet,
    next_sample: f64,
}

impl SetBuilder {
    pub fn new(template: &Template, start_s: f64) -> SetBuilder {
        SetBuilder {
            set: ExerciseSet {
                exercise: template.id.clone(),
                name: template.name.clone(),
                start_s,
                end_s: start_s,
                reps: 0,
                reps_left: None,
                reps_right: None,
                hold_s: 0.0,
                holds: Vec::new(),
                rep_list: Vec::new(),
                faults: Vec::new(),
                targets: Vec::new(),
                advice: Vec::new(),
                counting: template.counting,
                units: template
                    .signals
                    .iter()
                    .map(|s| (s.name.clone(), s.measure.unit()))
                    .collect(),
                series: Series {
                    signal: template.signals[template.primary].name.clone(),
                    unit: template.signals[template.primary].measure.unit(),
                    t: Vec::new(),
                    value: Vec::new(),
                },
            },
            next_sample: start_s,
        }
    }

    /// Records the primary signal for plots, at most [`SERIES_HZ`] samples a second.
    pub fn sample(&mut self, t: f64, value: Option<f32>) {
        if t + 1e-9 < self.next_sample {
            return;
        }
        self.next_sample = t + 1.0 / SERIES_HZ;
        self.set.series.t.push(t);
        self.set.series.value.push(value.map(f64::from));
    }

    pub fn rep_counted(&mut self, top_s: f64, start_s: f64, side: Option<Side>) -> u32 {
        let index = self.set.rep_list.len() as u32 + 1;
        self.set.rep_list.push(Rep {
            index,
            side,
            start_s,
            top_s,
            end_s: top_s,
            hold_s: 0.0,
            peak: Default::default(),
            faults: Vec::new(),
        });
        index
    }

    /// The rep most recently counted, to fill in when it ends.
    pub fn last_rep(&mut self) -> Option<&mut Rep> {
        self.set.rep_list.last_mut()
    }

    pub fn hold(&mut self, hold: Hold) {
        self.set.holds.push(hold);
    }

    pub fn fault(&mut self, fault: Fault) {
        self.set.faults.push(fault);
    }

    /// Completes the set at `end_s`.
    pub fn finish(mut self, template: &Template, end_s: f64) -> ExerciseSet {
        let s = &mut self.set;
        s.end_s = end_s.max(s.start_s);
        // Samples and holds after the end belong to whatever came next.
        let keep = s
            .series
            .t
            .iter()
            .take_while(|t| **t <= s.end_s + 1e-6)
            .count();
        s.series.t.truncate(keep);
        s.series.value.truncate(keep);
        for h in s.holds.iter_mut() {
            h.end_s = h.end_s.min(s.end_s);
            h.duration_s = (h.end_s - h.start_s).max(0.0);
        }
        // Advice on a slight deviation is not repeated where the same fault was called clearly
        // (graded rules share a code: the deviation grew past the warning's threshold).
        let called: Vec<(String, f64, f64)> = s
            .faults
            .iter()
            .filter(|f| f.severity != Severity::Info)
            .map(|f| (f.code.clone(), f.start_s, f.end_s))
            .collect();
        s.faults.retain(|f| {
            f.severity != Severity::Info
                || !called
                    .iter()
                    .any(|(code, a, b)| *code == f.code && *a <= f.end_s && f.start_s <= *b)
        });
        // Two rules for one fault (judged two ways, as the bridge's hips not extended) may
        // call the same time: once is enough.
        s.faults.dedup();
        // Faults belong to the rep they started in.
        for f in s.faults.iter_mut() {
            if f.rep.is_none()
                && let Some(r) = s
                    .rep_list
                    .iter_mut()
                    .find(|r| f.start_s >= r.start_s - 0.05 && f.start_s <= r.end_s + 0.05)
            {
                f.rep = Some(r.index);
                f.side = f.side.or(r.side);
            }
            if let Some(r) = f.rep.and_then(|i| s.rep_list.get_mut(i as usize - 1))
                && !r.faults.contains(&f.code)
            {
                r.faults.push(f.code.clone());
            }
        }
        s.reps = s.rep_list.len() as u32;
        if template.per_side {
            let count = |side| s.rep_list.iter().filter(|r| r.side == Some(side)).count() as u32;
            if template.counting == Counting::Reps {
                s.reps_left = Some(count(Side::Left));
                s.reps_right = Some(count(Side::Right));
            }
        }
        s.hold_s = s.holds.iter().fold(0.0, |a, h| a + h.duration_s);
        if template.balance {
            number_attempts(&mut s.holds);
        }
        s.targets = targets(template, s);
        s.advice = advice(&s.faults);
        self.set
    }
}

/// The sides a set's targets are checked for: both of a per-side exercise, and, where its side
/// is told only some of the time, its reps and attempts whose side was not told (the tandem
/// stance's front foot, filmed from the front), so that those are counted too.
fn sides(template: &Template, s: &ExerciseSet) -> Vec<Option<Side>> {
    if !template.per_side {
        return vec![None];
    }
    // Only a side told some of the time (`side_when`) leaves reps or attempts without one on
    // purpose; elsewhere one without a side is a glitch, not a side of its own.
    if template.side_when.is_empty() {
        return vec![Some(Side::Left), Some(Side::Right)];
    }
    let sides: Vec<Option<Side>> = (s.holds.iter().map(|h| h.side))
        .chain(s.rep_list.iter().map(|r| r.side))
        .collect();
    let untold = sides.contains(&None);
    let told = sides.iter().any(Option::is_some);
    match (told, untold) {
        // Filmed so that no side was ever seen: a line per side would only say "not done".
        (false, true) => vec![None],
        (true, true) => vec![Some(Side::Left), Some(Side::Right), None],
        _ => vec![Some(Side::Left), Some(Side::Right)],
    }
}

fn label(template: &Template, side: Option<Side>) -> String {
    let name = &template.name;
    match side {
        Some(s) => format!("{name} {}", s.name()),
        None if template.per_side => format!("{name} (side not seen)"),
        None => name.to_string(),
    }
}

fn targets(template: &Template, s: &ExerciseSet) -> Vec<TargetCheck> {
    let mut out = Vec::new();
    for side in sides(template, s) {
        let of_side = |x: Option<Side>| !template.per_side || x == side;
        if let (Counting::Reps, Some(target)) = (template.counting, template.targets.reps) {
            let done = s.rep_list.iter().filter(|r| of_side(r.side)).count() as f64;
            out.push(TargetCheck {
                measure: Measure::Reps,
                side,
                target: target as f64,
                done,
                met: done >= target as f64,
                text: format!("{}: {done}/{target} reps", label(template, side)),
            });
        }
        if let (true, Some(allowed), Some(target_s)) = (
            template.balance,
            template.targets.attempts,
            template.targets.hold_s,
        ) {
            let tries: Vec<&Hold> = s.holds.iter().filter(|h| of_side(h.side)).collect();
            if !tries.is_empty() {
                out.push(attempts_check(template, side, allowed, target_s, &tries));
            }
        }
        if let Some(target) = template.targets.hold_s {
            let longest = match template.counting {
                Counting::Hold => s
                    .holds
                    .iter()
                    .filter(|h| of_side(h.side))
                    .map(|h| h.duration_s)
                    .fold(0.0, f64::max),
                Counting::Reps => s
                    .rep_list
                    .iter()
                    .filter(|r| of_side(r.side))
                    .map(|r| r.hold_s)
                    .fold(0.0, f64::max),
            };
            let what = match template.counting {
                Counting::Hold => "held",
                Counting::Reps => "longest hold at the top",
            };
            out.push(TargetCheck {
                measure: Measure::HoldS,
                side,
                target: target as f64,
                done: longest,
                met: longest + 1e-9 >= target as f64,
                text: format!(
                    "{}: {what} {:.1}/{} s",
                    label(template, side),
                    longest,
                    target
                ),
            });
        }
    }
    out
}

/// Numbers a balance set's attempts per side, in order.
fn number_attempts(holds: &mut [Hold]) {
    for i in 0..holds.len() {
        let side = holds[i].side;
        let before = holds[..i].iter().filter(|h| h.side == side).count() as u32;
        holds[i].attempt = Some(before + 1);
    }
}

/// The routine's "if you don't succeed, make 2-3 attempts and move on": whether the hold
/// target was reached within the attempts allowed, and what to do next.
fn attempts_check(
    template: &Template,
    side: Option<Side>,
    allowed: u32,
    target_s: f32,
    holds: &[&Hold],
) -> TargetCheck {
    let reached = holds
        .iter()
        .position(|h| h.duration_s + 1e-9 >= target_s as f64)
        .map(|i| i as u32 + 1);
    let made = holds.len() as u32;
    let what = match reached {
        Some(n) if n <= allowed => format!("{target_s} s reached on attempt {n} of {made}"),
        Some(n) => {
            format!("{target_s} s reached on attempt {n}, after the {allowed} the routine suggests")
        }
        None if made >= allowed => {
            format!("{made} attempts without reaching {target_s} s: move on to the next exercise")
        }
        None => format!("{made} of {allowed} attempts, {target_s} s not reached yet"),
    };
    TargetCheck {
        measure: Measure::Attempts,
        side,
        target: allowed as f64,
        done: made as f64,
        met: reached.is_some_and(|n| n <= allowed),
        text: format!("{}: {what}", label(template, side)),
    }
}

/// Each fault's advice once, the most frequent first.
fn advice(faults: &[Fault]) -> Vec<String> {
    let mut counted: Vec<(String, usize, usize)> = Vec::new();
    for (i, f) in faults.iter().enumerate() {
        match counted.iter_mut().find(|(m, _, _)| *m == f.message) {
            Some(entry) => entry.1 += 1,
            None => counted.push((f.message.clone(), 1, i)),
        }
    }
    counted.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    counted.into_iter().map(|(m, _, _)| m).collect()
}
