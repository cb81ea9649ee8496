//! The history as text: the session list and per-exercise trends for the terminal, and the
//! sets as CSV.

use std::fmt::Write;

use posecheck_core::report::merge::field;

use crate::query::{DayTrend, SessionRow, SetRow};

fn set_summary(s: &SetRow) -> String {
    if s.reps > 0 {
        format!("{} {} reps", s.exercise, s.reps)
    } else {
        format!("{} {:.1} s", s.exercise, s.hold_s)
    }
}

/// One line per session: when, how, how long, what was done.
pub fn sessions(rows: &[SessionRow]) -> String {
    let mut out = String::new();
    if rows.is_empty() {
        out.push_str("no sessions recorded yet\n");
        return out;
    }
    let _ = writeln!(
        out,
        "{:>5}  {:<10}  {:<8}  {:>7}  what",
        "id", "day", "kind", "minutes"
    );
    for s in rows {
        let what: Vec<String> = s.sets.iter().map(set_summary).collect();
        let what = if what.is_empty() {
            "nothing counted".to_string()
        } else {
            what.join(", ")
        };
        let kind = match &s.routine {
            Some(r) => format!("{} {r}", s.kind),
            None => s.kind.clone(),
        };
        let _ = writeln!(
            out,
            "{:>5}  {:<10}  {:<8}  {:>7.1}  {what}",
            s.id,
            s.day,
            kind,
            s.duration_s / 60.0
        );
    }
    out
}

/// Per exercise, one line per day: reps, best and total hold, fault rate.
pub fn trends(rows: &[DayTrend]) -> String {
    let mut out = String::new();
    let mut current = "";
    for t in rows {
        if t.exercise != current {
            current = &t.exercise;
            let _ = writeln!(out, "\n{} ({})", t.name, t.exercise);
            let _ = writeln!(
                out,
                "  {:<10}  {:>8}  {:>5}  {:>11}  {:>12}  {:>14}",
                "day", "sessions", "reps", "best hold s", "total hold s", "faults per rep"
            );
        }
        let rate = t
            .faults_per_rep
            .map_or_else(|| "-".to_string(), |r| format!("{r:.2}"));
        let _ = writeln!(
            out,
            "  {:<10}  {:>8}  {:>5}  {:>11.1}  {:>12.1}  {:>14}",
            t.day, t.sessions, t.reps, t.best_hold_s, t.total_hold_s, rate
        );
    }
    out
}

/// Every set as a CSV row, with its session.
pub fn csv(rows: &[SetRow]) -> String {
    let mut out = String::from(
        "session,started_at,day,kind,routine,source,exercise,reps,hold_s,best_hold_s,faults,sway_velocity,sway_velocity_eyes_closed\n",
    );
    for r in rows {
        let cells = [
            r.session.to_string(),
            r.started_at.to_string(),
            field(&r.day),
            field(&r.kind),
            field(r.routine.as_deref().unwrap_or("")),
            field(&r.source),
            field(&r.exercise),
            r.reps.to_string(),
            r.hold_s.to_string(),
            r.best_hold_s.to_string(),
            r.faults.to_string(),
            r.sway_velocity.map_or_else(String::new, |v| v.to_string()),
            r.sway_velocity_eyes_closed
                .map_or_else(String::new, |v| v.to_string()),
        ];
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}
