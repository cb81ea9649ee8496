//! The evaluation as a Markdown table (printed, and written to `docs/accuracy.md`).

use std::fmt::Write;

use super::score::{ClipResult, Evaluation};

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "–".to_string(), |x| x.to_string())
}

fn pct(v: f64) -> String {
    format!("{:.0} %", v * 100.0)
}

/// "3 (3–3)": the labelled value and the range a judge accepts.
fn expected<T: std::fmt::Display + PartialEq>(
    value: Option<String>,
    range: Option<[T; 2]>,
) -> String {
    match (value, range) {
        (v, Some([a, b])) if a == b => format!("{} ({a})", v.unwrap_or_else(|| "–".into())),
        (v, Some([a, b])) => format!("{} ({a}–{b})", v.unwrap_or_else(|| "–".into())),
        (v, None) => v.unwrap_or_else(|| "–".into()),
    }
}

fn verdict(c: &ClipResult) -> &'static str {
    match (&c.skipped, c.within) {
        (Some(_), _) => "not scored",
        (None, true) => "yes",
        (None, false) => "**no**",
    }
}

fn clip_row(c: &ClipResult) -> String {
    let faults = if c.faults_found.is_empty() {
        "–".to_string()
    } else {
        c.faults_found.join(", ")
    };
    let verdict_of = |ok: Option<bool>| match ok {
        Some(true) => " — pass",
        Some(false) => " — **fail**",
        None => "",
    };
    let mut judged = match (c.lookalike, c.false_fault_share(), c.faults_recalled) {
        (true, _, _) => format!("look-alike: {:.2} s of warnings", c.warning_s),
        (_, Some(share), _) => format!("clean form: {} false", pct(share)),
        (_, _, Some((hit, n))) => format!(
            "found {hit}/{n}, precision {}",
            opt(c.fault_precision().map(pct))
        ),
        _ => match c.dips {
            Some((spanning, seen, n)) => {
                format!("dips: {seen}/{n} seen as hips_dropping, {spanning} holds span a dip")
            }
            None => "–".into(),
        },
    };
    judged.push_str(verdict_of(c.faults_ok));
    let exercise = match &c.unsupported {
        Some(_) => format!("{} (not yet supported: scored as a look-alike)", c.exercise),
        None => c.exercise.clone(),
    };
    let counted = match (c.other_reps, c.tops_matched) {
        (0, None) => c.reps.to_string(),
        (0, Some((m, n))) => format!("{} ({m}/{n} at their tops)", c.reps),
        (other, _) => format!("{} (+{other} other)", c.reps),
    };
    let held = if c.other_hold_s > 0.0 {
        format!("{:.2} (+{:.2} other)", c.hold_s, c.other_hold_s)
    } else {
        format!("{:.2}", c.hold_s)
    };
    format!(
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
        c.file,
        opt(c.view.as_deref()),
        exercise,
        expected(c.expected_reps.map(|r| r.to_string()), c.accept_reps),
        counted,
        expected(
            c.expected_hold_s.map(|h| format!("{h:.2}")),
            c.accept_hold_s
        ),
        held,
        verdict(c),
        judged,
        c.skipped.clone().unwrap_or(faults),
    )
}

fn evaluation(out: &mut String, e: &Evaluation) {
    let _ = writeln!(out, "## {}\n", e.manifest);
    let _ = writeln!(
        out,
        "| clip | view | exercise | reps expected (accepted) | reps counted | hold expected (accepted), s | hold measured, s | within labels | faults judged | faults reported |"
    );
    let _ = writeln!(out, "|---|---|---|---:|---:|---:|---:|---|---|---|");
    for c in &e.clips {
        let _ = writeln!(out, "{}", clip_row(c));
    }
    let s = &e.summary;
    let _ = writeln!(out, "\n| measure | value |\n|---|---:|");
    let rows = [
        (
            "clips within their labels",
            format!("{} of {}", s.clips_within, s.clips_scored),
        ),
        (
            "clips of exercises without a template (scored as look-alikes)",
            s.clips_unsupported.to_string(),
        ),
        (
            "clips listed but not scored (nothing to compare)",
            s.clips_skipped.to_string(),
        ),
        (
            "clips with faults judged right",
            format!("{} of {}", s.clips_faults_ok, s.clips_faults_judged),
        ),
        ("clips with a rep count", s.clips_with_counts.to_string()),
        ("exact count rate", pct(s.exact_count_rate)),
        (
            "exact count rate, views up to 60° (all but front-on)",
            s.exact_count_rate_to_60.map_or("–".into(), pct),
        ),
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
        ("look-alike clips", s.negative_clips.to_string()),
        (
            "false reps on look-alike clips",
            s.false_reps_on_negatives.to_string(),
        ),
        ("clean-form clips", s.clean_form_clips.to_string()),
        (
            "false faults on clean-form clips (warning time / set time)",
            opt(s.false_fault_share.map(pct)),
        ),
        (
            "worst clean-form clip",
            opt(s.max_false_fault_share.map(pct)),
        ),
        ("labelled fault episodes", s.labelled_faults.to_string()),
        (
            "fault recall (episodes found)",
            opt(s.fault_recall.map(pct)),
        ),
        (
            "fault precision (reported warning time that is labelled)",
            opt(s.fault_precision.map(pct)),
        ),
    ];
    for (k, v) in rows {
        let _ = writeln!(out, "| {k} | {v} |");
    }
    for l in &e.labelled {
        let _ = writeln!(out, "\n### Labelled keypoints: {}\n", l.file);
        let _ = writeln!(
            out,
            "{} rows, accuracy **{:.3}** ({} correct) counting any call, advice (`info`) \
             included; **{:.3}** ({} correct) counting only warnings (advice alone reads as C).\n",
            l.rows, l.accuracy, l.correct, l.accuracy_warning, l.correct_warning
        );
        let _ = writeln!(out, "| true \\ predicted | {} |", l.labels.join(" | "));
        let _ = writeln!(out, "|---|{}", "---:|".repeat(l.labels.len()));
        for (label, row) in l.labels.iter().zip(&l.confusion) {
            let cells: Vec<String> = row.iter().map(|x| x.to_string()).collect();
            let _ = writeln!(out, "| {label} | {} |", cells.join(" | "));
        }
        let _ = writeln!(out, "\nWarnings only:\n");
        let _ = writeln!(out, "| true \\ predicted | {} |", l.labels.join(" | "));
        let _ = writeln!(out, "|---|{}", "---:|".repeat(l.labels.len()));
        for (label, row) in l.labels.iter().zip(&l.confusion_warning) {
            let cells: Vec<String> = row.iter().map(|x| x.to_string()).collect();
            let _ = writeln!(out, "| {label} | {} |", cells.join(" | "));
        }
    }
    let _ = writeln!(out);
}

/// The evaluations of one or more manifests as one page.
pub fn markdown(evaluations: &[Evaluation]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Accuracy on the development sets\n");
    if let Some(e) = evaluations.first() {
        let manifests: Vec<&str> = evaluations.iter().map(|e| e.manifest.as_str()).collect();
        let _ = writeln!(
            out,
            "Written by `posecheck eval {}` (posecheck {}, model `{}`{}). Do not edit by hand.\n",
            manifests.join(" "),
            e.posecheck,
            e.model,
            e.model_sha256
                .as_deref()
                .map(|s| format!(", sha256 {}…", &s[..12.min(s.len())]))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(
        out,
        "\"Within labels\": reps and hold inside the accepted range (or, without one, the exact \
         count and the hold within 0.5 s), no reps and at most 1 s of hold for another exercise; \
         a look-alike (a negative, or an exercise without a template yet) may count no reps and \
         at most 1 s of hold in all. Rep tops match a counted rep within 0.5 s and 0.4 of the gap \
         to the neighbouring top. Faults are judged at severity warning or worse (advice, \
         `info`, is not counted): on clean-form clips as the share of set time they cover (pass: \
         at most 5 %), on look-alikes none at all, on clips with labelled faults as episodes \
         found one-to-one (each reported episode stands for at most one label, paired greedily \
         by overlap, 0.25 s slack at the ends) and the share of reported warning time inside a \
         labelled fault of its kind, labels not widened (precision; – when nothing was \
         reported; pass: every episode found and precision at least 50 %).\n"
    );
    for e in evaluations {
        evaluation(&mut out, e);
    }
    out
}
