//! The report as a readable terminal summary.

use std::fmt::Write;

use super::model::{Counting, ExerciseSet, Report};
use super::text::{ended_note, hold_end_text, side_name};

fn set_summary(out: &mut String, s: &ExerciseSet) {
    let counts = match (s.reps_left, s.reps_right) {
        (Some(l), Some(r)) => format!("{} reps (left {l}, right {r})", s.reps),
        // A rep exercise with none counted still says reps, not holds.
        _ if !s.rep_list.is_empty() || s.counting == Counting::Reps => format!("{} reps", s.reps),
        _ => format!("{} holds, {:.1} s held", s.holds.len(), s.hold_s),
    };
    let _ = writeln!(
        out,
        "\n{}  {:.1}–{:.1} s  {counts}",
        s.name, s.start_s, s.end_s
    );
    for t in &s.targets {
        let mark = if t.met { "done" } else { "short" };
        let _ = writeln!(out, "  target  {}  ({mark})", t.text);
    }
    if !s.rep_list.is_empty() {
        let _ = writeln!(
            out,
            "  {:>3}  {:<5}  {:>7}  {:>7}  faults",
            "rep", "side", "top s", "hold s"
        );
        for r in &s.rep_list {
            let faults = if r.faults.is_empty() {
                "-".to_string()
            } else {
                r.faults.join(", ")
            };
            let _ = writeln!(
                out,
                "  {:>3}  {:<5}  {:>7.2}  {:>7.2}  {faults}",
                r.index,
                side_name(r.side),
                r.top_s,
                r.hold_s
            );
        }
    } else if s.counting == Counting::Hold {
        let _ = writeln!(
            out,
            "  {:<5}  {:>7}  {:>7}  {:>7}  ended by",
            "side", "start s", "end s", "held s"
        );
        for h in &s.holds {
            let _ = writeln!(
                out,
                "  {:<5}  {:>7.2}  {:>7.2}  {:>7.2}  {}",
                side_name(h.side),
                h.start_s,
                h.end_s,
                h.duration_s,
                hold_end_text(h.ended_by)
            );
        }
    }
    attempts_summary(out, s);
    let rep_faults = s.faults.iter().filter(|f| f.rep.is_none()).count();
    if rep_faults > 0 {
        let _ = writeln!(out, "  faults outside reps:");
        for f in s.faults.iter().filter(|f| f.rep.is_none()) {
            let _ = writeln!(
                out,
                "    {:.1}–{:.1} s  {} ({})",
                f.start_s, f.end_s, f.code, f.severity
            );
        }
    }
    if !s.advice.is_empty() {
        let _ = writeln!(out, "  advice:");
        for a in &s.advice {
            let _ = writeln!(out, "    - {a}");
        }
    }
}

/// A balance set's attempts: side, eyes, time, what ended each, and the sway (RMS and mean
/// velocity, in centimetres when the height was given, else per mille of the height).
fn attempts_summary(out: &mut String, s: &ExerciseSet) {
    if s.holds.iter().all(|h| h.attempt.is_none()) {
        return;
    }
    let _ = writeln!(
        out,
        "  {:>7}  {:<5}  {:<6}  {:>6}  {:<30}  sway",
        "attempt", "side", "eyes", "held s", "ended by"
    );
    for h in &s.holds {
        let sway = match &h.sway {
            None => "not measured".to_string(),
            Some(w) => match &w.cm {
                Some(cm) => format!(
                    "{}: RMS {:.2} cm, {:.2} cm/s",
                    w.axis, cm.rms, cm.mean_velocity
                ),
                None => format!(
                    "{}: RMS {:.2} ‰, {:.2} ‰/s of the height",
                    w.axis,
                    w.rms * 1000.0,
                    w.mean_velocity * 1000.0
                ),
            },
        };
        let _ = writeln!(
            out,
            "  {:>7}  {:<5}  {:<6}  {:>6.2}  {:<30}  {sway}",
            h.attempt.unwrap_or(0),
            side_name(h.side),
            if h.eyes_closed == Some(true) {
                "closed"
            } else {
                "open"
            },
            h.duration_s,
            hold_end_text(h.ended_by)
        );
    }
}

/// A multi-line summary of `report`.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let src = &report.source;
    let _ = writeln!(
        out,
        "{} — {:.1} s, {} frames at {:.1} fps, model {}{}",
        src.path,
        src.duration_s,
        src.frames,
        src.fps,
        report.model.name,
        ended_note(report.ended)
    );
    if report.exercises.is_empty() {
        let _ = writeln!(out, "\nNo exercise recognised.");
    }
    for s in &report.exercises {
        set_summary(&mut out, s);
    }
    for r in &report.romberg {
        let side = r.side.map(|s| format!(" {}", s.name())).unwrap_or_default();
        let _ = writeln!(
            out,
            "\nRomberg ratio {}{side}: {:.2} (sway velocity eyes closed / open, {} / {} attempts)",
            r.exercise, r.ratio, r.closed_attempts, r.open_attempts
        );
    }
    if !report.warnings.is_empty() {
        let _ = writeln!(out, "\nwarnings:");
        for w in &report.warnings {
            let _ = writeln!(
                out,
                "  {:.1}–{:.1} s  {}: {}",
                w.start_s, w.end_s, w.code, w.message
            );
        }
    }
    if report.frames_without_person > 0 {
        let _ = writeln!(
            out,
            "frames without a person: {}",
            report.frames_without_person
        );
    }
    out
}
