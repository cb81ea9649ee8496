//! The evaluation as a Markdown table (printed, and written to `docs/accuracy.md`).

use std::fmt::Write;

use super::Evaluation;

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "–".to_string(), |x| x.to_string())
}

fn pct(v: f64) -> String {
    format!("{:.0} %", v * 100.0)
}

pub fn markdown(e: &Evaluation) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Accuracy on the development set\n");
    let _ = writeln!(
        out,
        "Written by `posecheck eval {}` (posecheck {}, model `{}`{}). Do not edit by hand.\n",
        e.manifest,
        e.posecheck,
        e.model,
        e.model_sha256
            .as_deref()
            .map(|s| format!(", sha256 {}…", &s[..12.min(s.len())]))
            .unwrap_or_default()
    );
    let _ = writeln!(out, "## Clips\n");
    let _ = writeln!(
        out,
        "| clip | exercise | reps expected | reps counted | other reps | hold expected (s) | hold measured (s) | top-hold errors (s) | faults reported |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---|---|");
    for c in &e.clips {
        let tops = if c.top_hold_errors.is_empty() {
            "–".to_string()
        } else {
            c.top_hold_errors
                .iter()
                .map(|x| format!("{x:.2}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let faults = if c.faults_found.is_empty() {
            "–".to_string()
        } else {
            c.faults_found.join(", ")
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {:.2} | {} | {} |",
            c.file,
            c.exercise,
            opt(c.expected_reps),
            c.reps,
            c.other_reps,
            opt(c.expected_hold_s.map(|h| format!("{h:.2}"))),
            c.hold_s,
            tops,
            faults
        );
    }
    let s = &e.summary;
    let _ = writeln!(out, "\n## Summary\n");
    let _ = writeln!(out, "| measure | value |\n|---|---:|");
    let rows = [
        ("clips with a rep count", s.clips_with_counts.to_string()),
        ("exact count rate", pct(s.exact_count_rate)),
        (
            "mean absolute count error (reps)",
            format!("{:.2}", s.mean_abs_count_error),
        ),
        (
            "mean count error relative to the true count",
            pct(s.mean_rel_count_error),
        ),
        ("off-by-one rate", pct(s.off_by_one_rate)),
        ("clips with a hold", s.hold_clips.to_string()),
        (
            "mean hold-time error (s)",
            format!("{:.2}", s.mean_hold_error_s),
        ),
        (
            "mean top-of-rep hold error (s)",
            opt(s.mean_top_hold_error_s.map(|x| format!("{x:.2}"))),
        ),
        ("negative clips", s.negative_clips.to_string()),
        (
            "false reps on negative clips",
            s.false_reps_on_negatives.to_string(),
        ),
        ("fault precision", opt(s.fault_precision.map(pct))),
        ("fault recall", opt(s.fault_recall.map(pct))),
    ];
    for (k, v) in rows {
        let _ = writeln!(out, "| {k} | {v} |");
    }
    for l in &e.labelled {
        let _ = writeln!(out, "\n## Labelled keypoints: {}\n", l.file);
        let _ = writeln!(
            out,
            "{} rows, accuracy **{:.3}** ({} correct).\n",
            l.rows, l.accuracy, l.correct
        );
        let _ = writeln!(out, "| true \\ predicted | {} |", l.labels.join(" | "));
        let _ = writeln!(out, "|---|{}", "---:|".repeat(l.labels.len()));
        for (label, row) in l.labels.iter().zip(&l.confusion) {
            let cells: Vec<String> = row.iter().map(|x| x.to_string()).collect();
            let _ = writeln!(out, "| {label} | {} |", cells.join(" | "));
        }
    }
    out
}
