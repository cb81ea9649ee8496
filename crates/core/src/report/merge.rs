//! Many reports as one table: a row per exercise set (per side where the exercise is one-sided),
//! for spreadsheets and for studies that analysed thousands of videos in shards.

use serde::Serialize;

use super::model::{ExerciseSet, Report};
use crate::skeleton::Side;

/// One exercise set (or one side of it).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SetRow {
    /// The analysed file, as the report names it.
    pub source: String,
    /// When the report was written (RFC 3339, UTC).
    pub date: String,
    pub exercise: String,
    pub side: Option<Side>,
    pub start_s: f64,
    pub end_s: f64,
    pub reps: u32,
    pub holds: usize,
    /// Total time held, seconds.
    pub hold_s: f64,
    /// Longest single hold, seconds.
    pub best_hold_s: f64,
    pub faults: usize,
    /// Faults per rep (absent where no rep was counted).
    pub faults_per_rep: Option<f64>,
}

/// The sides a set is reported by: each side seen for one-sided exercises, else none.
fn sides(set: &ExerciseSet) -> Vec<Option<Side>> {
    let mut seen: Vec<Side> = set
        .rep_list
        .iter()
        .filter_map(|r| r.side)
        .chain(set.holds.iter().filter_map(|h| h.side))
        .collect();
    if set.reps_left.is_some() || set.reps_right.is_some() {
        seen.extend([Side::Left, Side::Right]);
    }
    seen.sort_by_key(|s| s.name());
    seen.dedup();
    if seen.is_empty() {
        vec![None]
    } else {
        seen.into_iter().map(Some).collect()
    }
}

fn round(x: f64, decimals: i32) -> f64 {
    let k = 10f64.powi(decimals);
    (x * k).round() / k
}

/// The rows of one report, written at `date`.
pub fn rows(report: &Report, date: &str) -> Vec<SetRow> {
    let mut out = Vec::new();
    for set in &report.exercises {
        for side in sides(set) {
            let mine = |s: Option<Side>| side.is_none() || s == side;
            let reps = set.rep_list.iter().filter(|r| mine(r.side)).count() as u32;
            let holds: Vec<f64> = set
                .holds
                .iter()
                .filter(|h| mine(h.side))
                .map(|h| h.duration_s)
                .collect();
            let faults = set.faults.iter().filter(|f| mine(f.side)).count();
            out.push(SetRow {
                source: report.source.path.clone(),
                date: date.to_string(),
                exercise: set.exercise.clone(),
                side,
                start_s: set.start_s,
                end_s: set.end_s,
                reps,
                holds: holds.len(),
                hold_s: round(holds.iter().sum(), 2),
                best_hold_s: holds.iter().copied().fold(0.0, f64::max),
                faults,
                faults_per_rep: (reps > 0).then(|| round(faults as f64 / reps as f64, 2)),
            });
        }
    }
    out
}

/// A CSV field, quoted where it has to be.
pub fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// The rows as CSV with a header line.
pub fn csv(rows: &[SetRow]) -> String {
    let mut out = String::from(
        "source,date,exercise,side,start_s,end_s,reps,holds,hold_s,best_hold_s,faults,faults_per_rep\n",
    );
    for r in rows {
        let cells = [
            field(&r.source),
            field(&r.date),
            field(&r.exercise),
            r.side.map(|s| s.name().to_string()).unwrap_or_default(),
            r.start_s.to_string(),
            r.end_s.to_string(),
            r.reps.to_string(),
            r.holds.to_string(),
            r.hold_s.to_string(),
            r.best_hold_s.to_string(),
            r.faults.to_string(),
            r.faults_per_rep.map(|x| x.to_string()).unwrap_or_default(),
        ];
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}
