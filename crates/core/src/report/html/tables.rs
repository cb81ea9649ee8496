//! The tables: reps, holds and faults of a set.

use std::fmt::Write;

use super::format::{esc, fixed, num, secs, severity_class, signal_label};
use crate::report::model::{ExerciseSet, Fault, Report};
use crate::report::text::{hold_end_text, side_name, sway_axis_text, warning_title};

fn table_start(out: &mut String, caption: &str, headers: &[String]) {
    w!(
        out,
        "<div class=\"table-wrap\"><table>\n<caption>{caption}</caption>\n<thead><tr>"
    );
    for h in headers {
        out.push_str(h);
    }
    out.push_str("</tr></thead>\n<tbody>\n");
}

fn th(text: &str, numeric: bool) -> String {
    let class = if numeric { " class=\"num\"" } else { "" };
    format!("<th scope=\"col\"{class}>{}</th>", esc(text))
}

pub(super) fn reps_table(out: &mut String, set: &ExerciseSet) {
    out.push_str("<h3>Reps</h3>\n");
    if set.rep_list.is_empty() {
        out.push_str("<p class=\"muted\">No rep was counted.</p>\n");
        return;
    }
    let sided = set.rep_list.iter().any(|r| r.side.is_some());
    let mut peaks: Vec<&str> = set
        .rep_list
        .iter()
        .flat_map(|r| r.peak.keys().map(String::as_str))
        .collect();
    peaks.sort_unstable();
    peaks.dedup();
    let mut headers = vec![th("#", true)];
    if sided {
        headers.push(th("side", false));
    }
    for h in ["start (s)", "top (s)", "end (s)", "held (s)"] {
        headers.push(th(h, true));
    }
    headers.extend(peaks.iter().map(|p| th(&signal_label(set, p), true)));
    headers.push(th("faults", false));
    table_start(
        out,
        "Each rep: when it started, reached the top and ended; the extremes of the signals over it",
        &headers,
    );
    for r in &set.rep_list {
        let class = if r.faults.is_empty() {
            ""
        } else {
            " class=\"faulty\""
        };
        w!(out, "<tr{class}><td class=\"num\">{}</td>", r.index);
        if sided {
            w!(out, "<td>{}</td>", side_name(r.side));
        }
        for t in [r.start_s, r.top_s, r.end_s, r.hold_s] {
            w!(out, "<td class=\"num\">{}</td>", fixed(t, 2));
        }
        for p in &peaks {
            let v = r.peak.get(*p).map_or("–".into(), |v| num(*v, 2));
            w!(out, "<td class=\"num\">{v}</td>");
        }
        let faults = if r.faults.is_empty() {
            "–".into()
        } else {
            esc(&r.faults.join(", "))
        };
        w!(out, "<td>{faults}</td></tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

pub(super) fn holds_table(out: &mut String, set: &ExerciseSet) {
    out.push_str("<h3>Holds</h3>\n");
    if set.holds.is_empty() {
        out.push_str("<p class=\"muted\">The position was not held long enough to count.</p>\n");
        return;
    }
    let headers = [
        th("#", true),
        th("side", false),
        th("start (s)", true),
        th("end (s)", true),
        th("held (s)", true),
        th("ended because", false),
    ];
    table_start(
        out,
        "Each hold: when it started and ended, how long it lasted and why it ended",
        &headers,
    );
    for (i, h) in set.holds.iter().enumerate() {
        w!(
            out,
            "<tr><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td>{}</td></tr>\n",
            i + 1,
            side_name(h.side),
            fixed(h.start_s, 2),
            fixed(h.end_s, 2),
            fixed(h.duration_s, 2),
            hold_end_text(h.ended_by)
        );
    }
    out.push_str("</tbody></table></div>\n");
}

/// A balance set's attempts: per side, how long each lasted, what ended it, the eyes, and the
/// body's sway along the axis the camera saw.
pub(super) fn attempts_table(out: &mut String, set: &ExerciseSet) {
    out.push_str("<h3>Attempts</h3>\n");
    let headers = [
        th("attempt", true),
        th("side", false),
        th("eyes", false),
        th("held (s)", true),
        th("ended because", false),
        th("sway seen", false),
        th("RMS (cm)", true),
        th("mean velocity (cm/s)", true),
        th("path (cm)", true),
        th("RMS (‰ of height)", true),
    ];
    table_start(
        out,
        "Each attempt: how long it lasted, what ended it, and how much the body swayed (centre of mass, along the horizontal axis the camera sees; centimetres when the height was given)",
        &headers,
    );
    for h in &set.holds {
        let cm = h.sway.as_ref().and_then(|w| w.cm.as_ref());
        let or_dash = |v: Option<f64>, d: usize| v.map_or("–".to_string(), |v| fixed(v, d));
        w!(
            out,
            "<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td>\
             <td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td></tr>\n",
            h.attempt.map_or("–".to_string(), |a| a.to_string()),
            side_name(h.side),
            match h.eyes_closed {
                Some(true) => "closed",
                _ => "open",
            },
            fixed(h.duration_s, 2),
            hold_end_text(h.ended_by),
            h.sway
                .as_ref()
                .map_or("not measured (body not seen throughout)", |w| {
                    sway_axis_text(w.axis)
                }),
            or_dash(cm.map(|c| c.rms), 2),
            or_dash(cm.map(|c| c.mean_velocity), 2),
            or_dash(cm.map(|c| c.path_length), 1),
            or_dash(h.sway.as_ref().map(|w| w.rms * 1000.0), 2),
        );
    }
    out.push_str("</tbody></table></div>\n");
}

pub(super) fn faults_table(out: &mut String, set: &ExerciseSet) {
    out.push_str("<h3>Faults</h3>\n");
    if set.faults.is_empty() {
        out.push_str("<p class=\"muted\">No form faults were called in this set.</p>\n");
        return;
    }
    let headers = [
        th("fault", false),
        th("severity", false),
        th("from (s)", true),
        th("to (s)", true),
        th("rep", true),
        th("side", false),
        th("what to do", false),
    ];
    table_start(out, "Form faults in the order they happened", &headers);
    let mut faults: Vec<&Fault> = set.faults.iter().collect();
    faults.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    for f in faults {
        w!(
            out,
            "<tr><td><code>{}</code></td><td><span class=\"sev {}\">{}</span></td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&f.code),
            severity_class(f.severity),
            f.severity,
            fixed(f.start_s, 2),
            fixed(f.end_s, 2),
            f.rep.map_or("–".into(), |r| r.to_string()),
            side_name(f.side),
            esc(&f.message)
        );
    }
    out.push_str("</tbody></table></div>\n");
}

pub(super) fn warnings_section(out: &mut String, report: &Report) {
    out.push_str("<section class=\"card\" id=\"warnings\"><h2>Warnings</h2>\n");
    if report.warnings.is_empty() {
        out.push_str("<p class=\"muted\">Nothing limited what could be judged.</p>\n");
    } else {
        let headers = [
            th("what", false),
            th("from (s)", true),
            th("to (s)", true),
            th("lasted (s)", true),
            th("message", false),
        ];
        table_start(
            out,
            "Times when the body could not be fully judged",
            &headers,
        );
        for w in &report.warnings {
            w!(
                out,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
                warning_title(w.code),
                fixed(w.start_s, 2),
                fixed(w.end_s, 2),
                secs(w.end_s - w.start_s),
                esc(&w.message)
            );
        }
        out.push_str("</tbody></table></div>\n");
    }
    let frames = report.source.frames;
    if report.frames_without_person > 0 {
        let share = if frames > 0 {
            format!(
                " ({}% of {frames})",
                num(
                    100.0 * report.frames_without_person as f64 / frames as f64,
                    1
                )
            )
        } else {
            String::new()
        };
        w!(
            out,
            "<p id=\"frames-without-person\">Frames without a person: {}{share}.</p>\n",
            report.frames_without_person
        );
    }
    out.push_str("</section>\n");
}
