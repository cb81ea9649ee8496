//! The report as one self-contained HTML page, for the person who exercised and for their
//! physiotherapist: what was done against the plan, what to change, and a plot of the key
//! signal with reps, holds and faults marked on it.
//!
//! Everything is inline (CSS, and SVG drawn here; no scripts, fonts or images), so the page can
//! be mailed or archived and still opens, complete, without a network. All text taken from the
//! report is escaped: file names and messages can contain anything.

use std::fmt::Write;
use std::path::Path;

use super::model::{ExerciseSet, Fault, Report, Series};
use crate::error::Error;
use crate::skeleton::Side;

/// Appends formatted text to a `String` (which cannot fail, hence the ignored result).
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

/// SVG geometry, in viewBox units (the SVG scales to the page width).
const WIDTH: f64 = 960.0;
const LEFT: f64 = 72.0;
const RIGHT: f64 = 16.0;
const PLOT_W: f64 = WIDTH - LEFT - RIGHT;
/// Room above the plot for the rep numbers (two rows, so close reps do not collide).
const TOP: f64 = 34.0;
const PLOT_H: f64 = 220.0;
const LANE_H: f64 = 22.0;
/// Lanes of fault bars before further faults share a lane unlabelled (the table lists them all).
const MAX_FAULT_LANES: usize = 6;
/// Rough width of one character of 11-px label text, to keep labels from overlapping.
const CHAR_W: f64 = 6.4;
/// The series is sampled at 10 Hz; a longer step between samples means some are missing
/// (the engine leaves out frames where the body could not be judged), so the line breaks.
const MAX_STEP_S: f64 = 0.25;

/// Renders `report` as an HTML page.
pub fn render(report: &Report) -> String {
    let mut out = String::with_capacity(48 * 1024);
    head(&mut out, report);
    header(&mut out, report);
    out.push_str("<main>\n");
    timeline(&mut out, report);
    if report.exercises.is_empty() {
        out.push_str(
            "<section class=\"card\" id=\"no-exercise\"><h2>No exercise recognised</h2>\
             <p>No exercise was done long enough, in view, to be scored. \
             The warnings below say what got in the way, where something was noticed.</p></section>\n",
        );
    }
    for (i, set) in report.exercises.iter().enumerate() {
        exercise_section(&mut out, i + 1, set);
    }
    warnings_section(&mut out, report);
    out.push_str("</main>\n");
    w!(
        out,
        "<footer><p>Made by {} {} (report schema {}). Times are seconds from the start of the \
         input. Distances are in body lengths or torso lengths, so they do not depend on the \
         distance to the camera.</p></footer>\n</body>\n</html>\n",
        esc(&report.tool.name),
        esc(&report.tool.version),
        esc(&report.schema_version)
    );
    out
}

/// Writes the page atomically.
pub fn write(path: &Path, report: &Report) -> Result<(), Error> {
    crate::atomic::write(path, render(report).as_bytes())
}

/// Escapes text for HTML content and quoted attribute values alike.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `x` with `decimals` decimals, never "-0.0" (an empty sum of `f64`s is -0.0).
fn fixed(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => rest.to_string(),
        _ => s,
    }
}

/// `x` with at most `decimals` decimals, trailing zeros dropped ("15", "2.5", "0.05").
fn num(x: f64, decimals: usize) -> String {
    let s = fixed(x, decimals);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Seconds for headings and labels ("12.4").
fn secs(x: f64) -> String {
    fixed(x, 1)
}

fn words(code: &str) -> String {
    code.replace('_', " ")
}

fn side_name(side: Option<Side>) -> &'static str {
    side.map_or("–", |s| s.name())
}

/// The last component of a path, whichever separator it uses.
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\'])
        .find(|s| !s.is_empty())
        .unwrap_or(path)
}

/// The unit of a signal or of a peak named after one (`hip_extension_max`).
fn unit_of<'a>(set: &'a ExerciseSet, signal: &str) -> Option<&'a str> {
    let base = ["_max", "_min", "_mean"]
        .iter()
        .find_map(|s| signal.strip_suffix(s))
        .unwrap_or(signal);
    set.units.get(base).map(String::as_str)
}

/// "hip extension (degrees)".
fn signal_label(set: &ExerciseSet, signal: &str) -> String {
    match unit_of(set, signal) {
        Some(unit) => format!("{} ({unit})", words(signal)),
        None => words(signal),
    }
}

fn ended_text(code: &str) -> String {
    match code {
        "end_of_input" => "Ran to the end of the input".into(),
        "interrupted" => "Stopped early (interrupted); everything up to then was analysed".into(),
        "input_broken" => "The input broke off part-way; everything before was analysed".into(),
        other => words(other),
    }
}

fn ended_by_text(code: &str) -> String {
    match code {
        "position_left" => "left the position".into(),
        "form_broken" => "form broke".into(),
        "lost_sight" => "body went out of sight".into(),
        "session_ended" => "session ended".into(),
        other => words(other),
    }
}

fn warning_title(code: &str) -> String {
    match code {
        "no_person" => "No one in view".into(),
        "partial_body" => "Body partly hidden".into(),
        "wrong_view" => "Wrong camera view".into(),
        "low_confidence" => "Low confidence".into(),
        "input_broken" => "Input broke off".into(),
        "rep_uncertain" => "A rep may have been missed".into(),
        other => words(other),
    }
}

/// CSS class for a fault severity (unknown severities look like warnings).
fn severity_class(severity: &str) -> &'static str {
    match severity {
        "error" => "sev-error",
        "info" => "sev-info",
        _ => "sev-warning",
    }
}

const STYLE: &str = "\
:root{--ink:#1e293b;--muted:#64748b;--line:#e2e8f0;--blue:#1d4ed8;--red:#dc2626}
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;background:#f1f5f9;color:var(--ink);font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif}
header.page,main,footer{max-width:1080px;margin:0 auto;padding:0 20px}
header.page{padding-top:28px}
.eyebrow{margin:0;color:var(--muted);font-size:.8rem;letter-spacing:.08em;text-transform:uppercase}
h1{margin:2px 0 14px;font-size:1.7rem;word-break:break-all}
h2{margin:0 0 4px;font-size:1.35rem}
h3{margin:22px 0 8px;font-size:1rem}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:3px 18px;margin:0;font-size:.9rem}
dl.meta dt{color:var(--muted)}
dl.meta dd{margin:0;word-break:break-all}
.card{background:#fff;border:1px solid var(--line);border-radius:12px;padding:20px 24px;margin:20px 0}
.when,.muted{color:var(--muted)}
.stats{display:flex;flex-wrap:wrap;gap:12px;margin-top:14px}
.stat{flex:1 1 150px;border:1px solid var(--line);border-radius:10px;padding:10px 14px}
.stat b{display:block;font-size:2rem;line-height:1.15;font-variant-numeric:tabular-nums}
.stat span{color:var(--muted);font-size:.85rem}
ul.targets{list-style:none;margin:0;padding:0}
ul.targets li{margin:4px 0}
.badge{display:inline-block;min-width:5.2em;margin-right:10px;padding:1px 8px;border-radius:999px;font-size:.8rem;font-weight:600;text-align:center}
.met .badge{background:#dcfce7;color:#166534}
.short .badge{background:#fee2e2;color:#991b1b}
ol.advice{margin:0;padding-left:1.4em}
figure{margin:18px 0 0;overflow-x:auto;break-inside:avoid}
figcaption{font-size:.85rem;color:var(--muted)}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;margin-top:4px}
.key{display:inline-block;width:18px;height:10px;margin-right:5px;vertical-align:baseline;border-radius:2px}
.key.line{height:3px;background:var(--blue);vertical-align:middle}
.key.hold{background:rgba(34,197,94,.3)}
.key.rep{width:2px;background:#475569}
.key.fault{height:6px;background:var(--red)}
.key.gap{background:rgba(148,163,184,.35)}
svg{display:block;width:100%;min-width:600px;height:auto}
svg text{font-family:system-ui,sans-serif;font-size:11px;fill:#334155}
.area{fill:#fff;stroke:#cbd5e1}
.grid{stroke:#eef2f7}
.tick{fill:#64748b}
.title{font-size:12px;fill:#475569}
.signal{fill:none;stroke:var(--blue);stroke-width:2;stroke-linejoin:round;stroke-linecap:round}
.point{fill:var(--blue)}
.hold{fill:#22c55e;fill-opacity:.18}
.gap{fill:#94a3b8;fill-opacity:.25}
.rep-marker line{stroke:#475569;stroke-dasharray:3 3}
.rep-marker circle{fill:#fff;stroke:var(--blue);stroke-width:2}
.rep-marker text{font-weight:600;fill:#0f172a}
.fault-band rect,.tl-warning rect{fill:var(--red)}
.fault-band.sev-error rect{fill:#7f1d1d}
.fault-band.sev-info rect{fill:#f87171}
.fault-band text{fill:#991b1b}
.tl-set rect{fill:#475569}
.tl-warning rect{fill:#d97706}
.tl-warning text{fill:#92400e}
.table-wrap{overflow-x:auto}
table{width:100%;border-collapse:collapse;font-size:.9rem}
caption{text-align:left;color:var(--muted);font-size:.85rem;padding-bottom:4px}
th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-weight:600;color:#475569}
.num{text-align:right;font-variant-numeric:tabular-nums}
td.num{white-space:nowrap}
.sev{display:inline-block;padding:0 7px;border-radius:999px;font-size:.8rem;font-weight:600}
.sev.sev-error{background:#7f1d1d;color:#fff}
.sev.sev-warning{background:#fee2e2;color:#991b1b}
.sev.sev-info{background:#ffedd5;color:#9a3412}
tr.faulty td:last-child{color:#991b1b}
footer{color:var(--muted);font-size:.8rem;padding-bottom:30px}
code{font-size:.9em}
@media (max-width:640px){body{font-size:14px}.card{padding:14px}.stat b{font-size:1.6rem}}
@media print{body{background:#fff;font-size:12px}.card{border-color:#cbd5e1;padding:10px 0;border-width:1px 0 0;border-radius:0}
tr{break-inside:avoid}h2,h3{break-after:avoid}}
";

fn head(out: &mut String, report: &Report) {
    let names: Vec<&str> = report.exercises.iter().map(|s| s.name.as_str()).collect();
    let what = if names.is_empty() {
        "no exercise recognised".to_string()
    } else {
        names.join(", ")
    };
    w!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light\">\n\
         <meta name=\"generator\" content=\"{} {}\">\n\
         <title>{} — {} — posecheck</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        esc(&report.tool.name),
        esc(&report.tool.version),
        esc(file_name(&report.source.path)),
        esc(&what)
    );
}

fn header(out: &mut String, report: &Report) {
    let src = &report.source;
    w!(
        out,
        "<header class=\"page\">\n<p class=\"eyebrow\">Exercise session report</p>\n<h1>{}</h1>\n<dl class=\"meta\">\n",
        esc(file_name(&src.path))
    );
    let mut item = |term: &str, value: String| w!(out, "<dt>{term}</dt><dd>{value}</dd>\n");
    item("Source", format!("{} ({})", esc(&src.path), esc(&src.kind)));
    if let Some(track) = &src.track {
        item("Re-scored from", format!("keypoint track {}", esc(track)));
    }
    let size = if src.width > 0 && src.height > 0 {
        format!(" · {}×{} px", src.width, src.height)
    } else {
        String::new()
    };
    item(
        "Duration",
        format!(
            "{} s · {} frames at {} fps{size}",
            secs(src.duration_s),
            src.frames,
            num(src.fps, 2)
        ),
    );
    let sha = match &report.model.sha256 {
        Some(sha) => format!(
            " · <span title=\"sha256 {}\">sha256 {}…</span>",
            esc(sha),
            esc(&sha.chars().take(12).collect::<String>())
        ),
        None => String::new(),
    };
    item("Model", format!("{}{sha}", esc(&report.model.name)));
    item("Session", esc(&ended_text(&report.ended)));
    item(
        "Report",
        format!(
            "{} {} · schema {}",
            esc(&report.tool.name),
            esc(&report.tool.version),
            esc(&report.schema_version)
        ),
    );
    out.push_str("</dl>\n</header>\n");
}

/// Maps times to x positions in the SVG, clamped to the plot area.
struct TimeAxis {
    t0: f64,
    t1: f64,
}

impl TimeAxis {
    /// An axis covering all the finite `times` (at least a second).
    fn covering(times: impl IntoIterator<Item = f64>) -> TimeAxis {
        let (mut t0, mut t1) = (f64::INFINITY, f64::NEG_INFINITY);
        for t in times.into_iter().filter(|t| t.is_finite()) {
            t0 = t0.min(t);
            t1 = t1.max(t);
        }
        if !t0.is_finite() {
            (t0, t1) = (0.0, 1.0);
        }
        TimeAxis {
            t0,
            t1: t1.max(t0 + 1.0),
        }
    }

    fn x(&self, t: f64) -> f64 {
        (LEFT + (t - self.t0) / (self.t1 - self.t0) * PLOT_W).clamp(LEFT, LEFT + PLOT_W)
    }

    /// Vertical grid lines from `top` to `bottom` with second labels under `bottom`.
    fn ticks(&self, out: &mut String, top: f64, bottom: f64) {
        let step = nice_step(self.t1 - self.t0, 10.0);
        let decimals = decimals_for(step);
        let first = (self.t0 / step).ceil() as i64;
        let last = (self.t1 / step + 1e-9).floor() as i64;
        for k in first..=last {
            let t = k as f64 * step;
            let x = self.x(t);
            w!(
                out,
                "<line class=\"grid\" x1=\"{x:.1}\" y1=\"{top:.1}\" x2=\"{x:.1}\" y2=\"{bottom:.1}\"/>\
                 <text class=\"tick\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
                bottom + 15.0,
                num(t, decimals)
            );
        }
        w!(
            out,
            "<text class=\"title\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">time (s)</text>\n",
            LEFT + PLOT_W / 2.0,
            bottom + 32.0
        );
    }
}

/// A round tick step (1, 2 or 5 × 10ⁿ) giving about `target` ticks over `span`.
fn nice_step(span: f64, target: f64) -> f64 {
    let raw = (span / target).max(1e-9);
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude)
}

/// Decimals needed to print multiples of `step` exactly.
fn decimals_for(step: f64) -> usize {
    (-step.log10() - 1e-9).ceil().max(0.0) as usize
}

/// The value scale of a plot: rounded to tick steps, never narrower than a meaningful change
/// (so a steady hold is not blown up into noise).
struct ValueAxis {
    lo: f64,
    hi: f64,
    step: f64,
}

impl ValueAxis {
    fn covering(values: impl IntoIterator<Item = f64>, unit: Option<&str>) -> Option<ValueAxis> {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if !lo.is_finite() {
            return None;
        }
        let min_span = if unit == Some("degrees") { 10.0 } else { 0.2 };
        if hi - lo < min_span {
            let mid = (hi + lo) / 2.0;
            (lo, hi) = (mid - min_span / 2.0, mid + min_span / 2.0);
        }
        let step = nice_step(hi - lo, 5.0);
        Some(ValueAxis {
            lo: (lo / step).floor() * step,
            hi: (hi / step).ceil() * step,
            step,
        })
    }

    fn y(&self, v: f64) -> f64 {
        TOP + PLOT_H * (self.hi - v) / (self.hi - self.lo)
    }

    fn ticks(&self, out: &mut String) {
        let decimals = decimals_for(self.step);
        let n = ((self.hi - self.lo) / self.step).round() as i64;
        for k in 0..=n {
            let v = self.lo + k as f64 * self.step;
            let y = self.y(v);
            w!(
                out,
                "<line class=\"grid\" x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\"/>\
                 <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\n",
                LEFT + PLOT_W,
                LEFT - 6.0,
                y + 4.0,
                num(v, decimals)
            );
        }
    }
}

/// The measured stretches of a series and the unmeasured gaps between them.
#[derive(Debug, Default, PartialEq)]
struct Trace {
    segments: Vec<Vec<(f64, f64)>>,
    gaps: Vec<(f64, f64)>,
}

impl Trace {
    fn of(series: &Series) -> Trace {
        let mut trace = Trace::default();
        let mut current = Vec::new();
        let mut gap_from: Option<f64> = None;
        let mut prev: Option<f64> = None;
        for (&t, v) in series.t.iter().zip(&series.value) {
            if !t.is_finite() {
                continue;
            }
            let value = v.filter(|v| v.is_finite());
            if gap_from.is_none() {
                gap_from = match prev {
                    Some(p) if value.is_none() || t - p > MAX_STEP_S => Some(p),
                    None if value.is_none() => Some(t),
                    _ => None,
                };
            }
            if let Some(v) = value {
                if let Some(from) = gap_from.take() {
                    trace.gaps.push((from, t));
                    if !current.is_empty() {
                        trace.segments.push(std::mem::take(&mut current));
                    }
                }
                current.push((t, v));
            }
            prev = Some(t);
        }
        if let (Some(from), Some(to)) = (gap_from, prev)
            && to > from
        {
            trace.gaps.push((from, to));
        }
        if !current.is_empty() {
            trace.segments.push(current);
        }
        trace
    }

    /// The measured value nearest `t`, if one is close enough to stand for it.
    fn at(&self, t: f64) -> Option<(f64, f64)> {
        self.segments
            .iter()
            .flatten()
            .min_by(|a, b| (a.0 - t).abs().total_cmp(&(b.0 - t).abs()))
            .filter(|p| (p.0 - t).abs() <= MAX_STEP_S / 2.0)
            .copied()
    }
}

/// A labelled time span drawn as a thin bar with its label under it.
struct Band {
    start: f64,
    end: f64,
    label: String,
    /// Hover text (and what screen readers announce).
    title: String,
    class: String,
}

/// Draws `bands` in lanes from `top` down, packing each into the first lane where neither its
/// bar nor its label overlaps another (labels are part of the extent, so they never collide).
/// Past `max_lanes`, bands go unlabelled where they fit best. Returns the lanes used.
fn draw_bands(
    out: &mut String,
    axis: &TimeAxis,
    top: f64,
    bands: &[Band],
    max_lanes: usize,
) -> usize {
    let mut order: Vec<usize> = (0..bands.len()).collect();
    order.sort_by(|&a, &b| bands[a].start.total_cmp(&bands[b].start));
    let mut lane_end: Vec<f64> = Vec::new();
    for i in order {
        let b = &bands[i];
        let x0 = axis.x(b.start);
        let x1 = axis.x(b.end).max(x0 + 2.0);
        let label_w = b.label.chars().count() as f64 * CHAR_W;
        // Near the right edge the label moves left so that it stays in the picture.
        let label_x = x0.min(WIDTH - 2.0 - label_w).max(0.0);
        let extent = x1.max(label_x + label_w) + 8.0;
        let (lane, labelled) = match lane_end.iter().position(|&end| end <= label_x.min(x0)) {
            Some(lane) => (lane, true),
            None if lane_end.len() < max_lanes => {
                lane_end.push(f64::NEG_INFINITY);
                (lane_end.len() - 1, true)
            }
            None => {
                let lane = (0..lane_end.len())
                    .min_by(|&a, &c| lane_end[a].total_cmp(&lane_end[c]))
                    .unwrap_or(0);
                (lane, false)
            }
        };
        lane_end[lane] = lane_end[lane].max(if labelled { extent } else { x1 });
        let y = top + lane as f64 * LANE_H;
        w!(
            out,
            "<g class=\"{}\"><title>{}</title><rect x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"6\" rx=\"2\"/>",
            b.class,
            esc(&b.title),
            y + 2.0,
            x1 - x0
        );
        if labelled {
            w!(
                out,
                "<text x=\"{label_x:.1}\" y=\"{:.1}\">{}</text>",
                y + 19.0,
                esc(&b.label)
            );
        }
        out.push_str("</g>\n");
    }
    lane_end.len()
}

/// The whole session on one strip: where each exercise set and each warning falls.
fn timeline(out: &mut String, report: &Report) {
    // One set and nothing else is better told by the set's own plot.
    if report.exercises.len() < 2 && report.warnings.is_empty() {
        return;
    }
    let axis = TimeAxis::covering(
        [0.0, report.source.duration_s]
            .into_iter()
            .chain(report.exercises.iter().flat_map(|s| [s.start_s, s.end_s]))
            .chain(report.warnings.iter().flat_map(|w| [w.start_s, w.end_s])),
    );
    let sets: Vec<Band> = report
        .exercises
        .iter()
        .enumerate()
        .map(|(i, s)| Band {
            start: s.start_s,
            end: s.end_s,
            label: s.name.clone(),
            title: format!(
                "Set {}: {}, {}–{} s",
                i + 1,
                s.name,
                secs(s.start_s),
                secs(s.end_s)
            ),
            class: "tl-set".into(),
        })
        .collect();
    let warnings: Vec<Band> = report
        .warnings
        .iter()
        .map(|w| Band {
            start: w.start_s,
            end: w.end_s,
            label: warning_title(&w.code),
            title: format!(
                "{}, {}–{} s: {}",
                warning_title(&w.code),
                secs(w.start_s),
                secs(w.end_s),
                w.message
            ),
            class: "tl-warning".into(),
        })
        .collect();
    let mut body = String::new();
    let mut y = 8.0;
    for (name, bands) in [("exercises", &sets), ("warnings", &warnings)] {
        if bands.is_empty() {
            continue;
        }
        w!(
            body,
            "<text class=\"title\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{name}</text>\n",
            LEFT - 8.0,
            y + 11.0
        );
        y += draw_bands(&mut body, &axis, y, bands, 4) as f64 * LANE_H + 6.0;
    }
    w!(
        out,
        "<section class=\"card\" id=\"timeline\"><h2>Session timeline</h2>\n<figure>\n\
         <svg class=\"timeline\" viewBox=\"0 0 {WIDTH} {:.0}\" role=\"img\" aria-labelledby=\"timeline-title\">\
         <title id=\"timeline-title\">When each exercise set and warning happened, {}–{} s</title>\n",
        y + 40.0,
        secs(axis.t0),
        secs(axis.t1)
    );
    axis.ticks(out, 4.0, y);
    out.push_str(&body);
    out.push_str("</svg>\n</figure>\n</section>\n");
}

fn counts_reps(set: &ExerciseSet) -> bool {
    set.counting == "reps"
}

fn stat(out: &mut String, value: &str, label: &str, detail: Option<String>) {
    w!(out, "<div class=\"stat\"><b>{value}</b><span>{label}");
    if let Some(d) = detail {
        w!(out, "<br>{d}");
    }
    out.push_str("</span></div>\n");
}

fn exercise_section(out: &mut String, n: usize, set: &ExerciseSet) {
    w!(
        out,
        "<section class=\"card exercise\" id=\"set-{n}\" aria-labelledby=\"set-{n}-name\">\n\
         <h2 id=\"set-{n}-name\">{}</h2>\n<div class=\"when\">{}–{} s · {} s long · template <code>{}</code></div>\n\
         <div class=\"stats\">\n",
        esc(&set.name),
        secs(set.start_s),
        secs(set.end_s),
        secs(set.end_s - set.start_s),
        esc(&set.exercise)
    );
    if counts_reps(set) {
        let sides = match (set.reps_left, set.reps_right) {
            (Some(l), Some(r)) => Some(format!("left {l} · right {r}")),
            _ => None,
        };
        stat(out, &set.reps.to_string(), "reps", sides);
        stat(
            out,
            &format!("{} s", secs(set.hold_s)),
            "time at the top",
            None,
        );
    } else {
        let per_side = |side: Side| -> f64 {
            set.holds
                .iter()
                .filter(|h| h.side == Some(side))
                .map(|h| h.duration_s)
                .sum()
        };
        let sides = set.holds.iter().any(|h| h.side.is_some()).then(|| {
            format!(
                "left {} s · right {} s",
                secs(per_side(Side::Left)),
                secs(per_side(Side::Right))
            )
        });
        stat(
            out,
            &format!("{} s", secs(set.hold_s)),
            "held in total",
            sides,
        );
        let longest = set.holds.iter().map(|h| h.duration_s).fold(0.0, f64::max);
        stat(out, &format!("{} s", secs(longest)), "longest hold", None);
        stat(out, &set.holds.len().to_string(), "holds", None);
    }
    stat(out, &set.faults.len().to_string(), "faults called", None);
    out.push_str("</div>\n");

    if !set.targets.is_empty() {
        out.push_str("<h3>Targets</h3>\n<ul class=\"targets\">\n");
        for t in &set.targets {
            let (class, badge) = if t.met {
                ("met", "✓ met")
            } else {
                ("short", "✗ short")
            };
            w!(
                out,
                "<li class=\"target {class}\"><span class=\"badge\">{badge}</span>{}</li>\n",
                esc(&t.text)
            );
        }
        out.push_str("</ul>\n");
    }
    if !set.advice.is_empty() {
        out.push_str("<h3>Advice</h3>\n<ol class=\"advice\">\n");
        for a in &set.advice {
            w!(out, "<li>{}</li>\n", esc(a));
        }
        out.push_str("</ol>\n");
    }
    plot(out, n, set);
    if counts_reps(set) {
        reps_table(out, set);
    } else {
        holds_table(out, set);
    }
    faults_table(out, set);
    out.push_str("</section>\n");
}

/// The key signal over the set with rep tops, holds, unmeasured gaps and fault bars.
fn plot(out: &mut String, n: usize, set: &ExerciseSet) {
    let trace = Trace::of(&set.series);
    let signal = &set.series.signal;
    let axis = TimeAxis::covering(
        [set.start_s, set.end_s]
            .into_iter()
            .chain(set.series.t.iter().copied())
            .chain(set.holds.iter().flat_map(|h| [h.start_s, h.end_s]))
            .chain(set.rep_list.iter().flat_map(|r| [r.start_s, r.end_s]))
            .chain(set.faults.iter().flat_map(|f| [f.start_s, f.end_s])),
    );
    let values = ValueAxis::covering(
        trace.segments.iter().flatten().map(|p| p.1),
        unit_of(set, signal),
    );
    let bottom = TOP + PLOT_H;
    let lanes_top = bottom + 12.0;

    // The fault lanes are drawn first into their own buffer: their count sets the height.
    let faults: Vec<Band> = set.faults.iter().map(fault_band).collect();
    let mut lanes = String::new();
    let lane_count = draw_bands(&mut lanes, &axis, lanes_top, &faults, MAX_FAULT_LANES);
    let axis_y = if lane_count > 0 {
        lanes_top + lane_count as f64 * LANE_H
    } else {
        bottom
    };

    let label = signal_label(set, signal);
    w!(
        out,
        "<figure>\n<svg class=\"plot\" viewBox=\"0 0 {WIDTH} {:.0}\" role=\"img\" aria-labelledby=\"plot-{n}-title plot-{n}-desc\">\n\
         <title id=\"plot-{n}-title\">{}: {} over time</title>\n<desc id=\"plot-{n}-desc\">{}</desc>\n\
         <rect class=\"area\" x=\"{LEFT}\" y=\"{TOP}\" width=\"{PLOT_W}\" height=\"{PLOT_H}\"/>\n",
        axis_y + 40.0,
        esc(&set.name),
        esc(&label),
        esc(&plot_description(set, &label, trace.gaps.len())),
    );
    for (i, h) in set.holds.iter().enumerate() {
        let (x0, x1) = (axis.x(h.start_s), axis.x(h.end_s));
        let side = h
            .side
            .map(|s| format!(" ({s} side)", s = s.name()))
            .unwrap_or_default();
        w!(
            out,
            "<rect class=\"hold\" x=\"{x0:.1}\" y=\"{TOP}\" width=\"{:.1}\" height=\"{PLOT_H}\">\
             <title>Hold {}{side}: {}–{} s, {} s, ended: {}</title></rect>\n",
            (x1 - x0).max(1.0),
            i + 1,
            secs(h.start_s),
            secs(h.end_s),
            secs(h.duration_s),
            esc(&ended_by_text(&h.ended_by))
        );
    }
    for &(from, to) in &trace.gaps {
        let (x0, x1) = (axis.x(from), axis.x(to));
        w!(
            out,
            "<rect class=\"gap\" x=\"{x0:.1}\" y=\"{TOP}\" width=\"{:.1}\" height=\"{PLOT_H}\">\
             <title>Not measured {}–{} s</title></rect>\n",
            x1 - x0,
            secs(from),
            secs(to)
        );
    }
    axis.ticks(out, TOP, axis_y);
    match &values {
        Some(v) => {
            v.ticks(out);
            let mut d = String::new();
            for seg in &trace.segments {
                if let [(t, value)] = seg[..] {
                    // A lone sample has no line to be part of: show it as a dot.
                    w!(
                        out,
                        "<circle class=\"point\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"2\"/>\n",
                        axis.x(t),
                        v.y(value)
                    );
                    continue;
                }
                for (k, &(t, value)) in seg.iter().enumerate() {
                    w!(
                        d,
                        "{}{:.1} {:.1}",
                        if k == 0 { "M" } else { "L" },
                        axis.x(t),
                        v.y(value)
                    );
                }
            }
            if !d.is_empty() {
                w!(out, "<path class=\"signal\" d=\"{d}\"/>\n");
            }
        }
        None => w!(
            out,
            "<text class=\"title\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">No measurements of {} in this set</text>\n",
            LEFT + PLOT_W / 2.0,
            TOP + PLOT_H / 2.0,
            esc(&words(signal))
        ),
    }
    w!(
        out,
        "<text class=\"title\" transform=\"rotate(-90)\" x=\"{:.1}\" y=\"14\" text-anchor=\"middle\">{}</text>\n",
        -(TOP + PLOT_H / 2.0),
        esc(&label)
    );
    rep_markers(out, set, &axis, values.as_ref(), &trace);
    if lane_count > 0 {
        w!(
            out,
            "<text class=\"title\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">faults</text>\n",
            LEFT - 8.0,
            lanes_top + 11.0
        );
        out.push_str(&lanes);
    }
    out.push_str("</svg>\n");
    legend(out, set, &label, !trace.gaps.is_empty());
    out.push_str("</figure>\n");
}

fn fault_band(f: &Fault) -> Band {
    let rep = f.rep.map(|r| format!(", rep {r}")).unwrap_or_default();
    let side = f
        .side
        .map(|s| format!(", {} side", s.name()))
        .unwrap_or_default();
    Band {
        start: f.start_s,
        end: f.end_s,
        label: f.code.clone(),
        title: format!(
            "{} ({}), {}–{} s{rep}{side}: {}",
            f.code,
            f.severity,
            secs(f.start_s),
            secs(f.end_s),
            f.message
        ),
        class: format!("fault-band {}", severity_class(&f.severity)),
    }
}

/// What the plot shows, in words, for screen readers.
fn plot_description(set: &ExerciseSet, label: &str, gaps: usize) -> String {
    let mut d = format!(
        "{} from {} to {} s: {label} over time.",
        set.name,
        secs(set.start_s),
        secs(set.end_s)
    );
    if !set.rep_list.is_empty() {
        let tops: Vec<String> = set.rep_list.iter().map(|r| secs(r.top_s)).collect();
        w!(
            d,
            " {} reps, marked at their tops ({} s).",
            set.rep_list.len(),
            tops.join(", ")
        );
    }
    if !set.holds.is_empty() {
        w!(
            d,
            " {} holds shaded, {} s in total.",
            set.holds.len(),
            secs(set.hold_s)
        );
    }
    if gaps > 0 {
        w!(d, " {gaps} stretches not measured.");
    }
    if !set.faults.is_empty() {
        let mut codes: Vec<&str> = set.faults.iter().map(|f| f.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        w!(
            d,
            " {} fault bars below the plot: {}.",
            set.faults.len(),
            codes.join(", ")
        );
    }
    d
}

/// A dashed line at each rep's top with its number above the plot (alternating between two
/// rows when reps are close) and a dot where the signal was at that moment.
fn rep_markers(
    out: &mut String,
    set: &ExerciseSet,
    axis: &TimeAxis,
    values: Option<&ValueAxis>,
    trace: &Trace,
) {
    let mut row_end = [f64::NEG_INFINITY; 2];
    for r in &set.rep_list {
        let x = axis.x(r.top_s);
        let label = match r.side {
            Some(Side::Left) => format!("{}L", r.index),
            Some(Side::Right) => format!("{}R", r.index),
            None => r.index.to_string(),
        };
        let half = label.len() as f64 * CHAR_W / 2.0;
        let row = if row_end[0] <= x - half {
            0
        } else if row_end[1] <= x - half {
            1
        } else {
            0
        };
        row_end[row] = x + half + 3.0;
        let side = r
            .side
            .map(|s| format!(" ({} side)", s.name()))
            .unwrap_or_default();
        w!(
            out,
            "<g class=\"rep-marker\"><title>Rep {}{side}: top at {} s, held {} s</title>\
             <line x1=\"{x:.1}\" y1=\"{TOP}\" x2=\"{x:.1}\" y2=\"{:.1}\"/>\
             <text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\">{label}</text>",
            r.index,
            secs(r.top_s),
            secs(r.hold_s),
            TOP + PLOT_H,
            if row == 0 { 14 } else { 28 }
        );
        if let (Some(v), Some((t, value))) = (values, trace.at(r.top_s)) {
            w!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\"/>",
                axis.x(t),
                v.y(value)
            );
        }
        out.push_str("</g>\n");
    }
}

fn legend(out: &mut String, set: &ExerciseSet, label: &str, gaps: bool) {
    w!(
        out,
        "<figcaption class=\"legend\"><span><i class=\"key line\"></i>{}</span>",
        esc(label)
    );
    if !set.rep_list.is_empty() {
        out.push_str("<span><i class=\"key rep\"></i>rep top (rep number above)</span>");
    }
    if !set.holds.is_empty() {
        out.push_str("<span><i class=\"key hold\"></i>hold (shaded)</span>");
    }
    if gaps {
        out.push_str("<span><i class=\"key gap\"></i>not measured</span>");
    }
    if !set.faults.is_empty() {
        out.push_str("<span><i class=\"key fault\"></i>fault (bar with its code)</span>");
    }
    out.push_str("</figcaption>\n");
}

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

fn reps_table(out: &mut String, set: &ExerciseSet) {
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

fn holds_table(out: &mut String, set: &ExerciseSet) {
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
            esc(&ended_by_text(&h.ended_by))
        );
    }
    out.push_str("</tbody></table></div>\n");
}

fn faults_table(out: &mut String, set: &ExerciseSet) {
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
            severity_class(&f.severity),
            esc(&f.severity),
            fixed(f.start_s, 2),
            fixed(f.end_s, 2),
            f.rep.map_or("–".into(), |r| r.to_string()),
            side_name(f.side),
            esc(&f.message)
        );
    }
    out.push_str("</tbody></table></div>\n");
}

fn warnings_section(out: &mut String, report: &Report) {
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
                esc(&warning_title(&w.code)),
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::report::model::{Hold, ModelInfo, Rep, SourceInfo, TargetCheck, Tool, Warning};

    fn report(exercises: Vec<ExerciseSet>) -> Report {
        Report {
            schema_version: "1.0".into(),
            tool: Tool {
                name: "posecheck".into(),
                version: "0.1.0".into(),
            },
            source: SourceInfo {
                kind: "video".into(),
                path: "clips/bridge.mp4".into(),
                fps: 30.0,
                frames: 300,
                duration_s: 10.0,
                width: 640,
                height: 360,
                track: None,
            },
            model: ModelInfo {
                name: "blazepose_landmark_full".into(),
                sha256: Some("e120b3073d70f4d3".into()),
            },
            exercises,
            warnings: Vec::new(),
            frames_without_person: 0,
            ended: "end_of_input".into(),
        }
    }

    fn series(samples: &[(f64, Option<f64>)]) -> Series {
        Series {
            signal: "hip_extension".into(),
            unit: "degrees".into(),
            t: samples.iter().map(|s| s.0).collect(),
            value: samples.iter().map(|s| s.1).collect(),
        }
    }

    fn rep(index: u32, top_s: f64, faults: &[&str]) -> Rep {
        Rep {
            index,
            side: None,
            start_s: top_s - 0.5,
            top_s,
            end_s: top_s + 2.0,
            hold_s: 1.5,
            peak: BTreeMap::from([("hip_extension_max".to_string(), 175.0)]),
            faults: faults.iter().map(|f| f.to_string()).collect(),
        }
    }

    fn fault(code: &str, start_s: f64, rep: Option<u32>) -> Fault {
        Fault {
            code: code.into(),
            severity: "warning".into(),
            start_s,
            end_s: start_s + 1.0,
            rep,
            side: None,
            message: "Lift your hips higher.".into(),
        }
    }

    /// A glute-bridge set over 10 s: three reps with their holds, two faults, a 10-Hz series
    /// rising to each top.
    fn bridge() -> ExerciseSet {
        let tops = [1.5, 4.5, 7.5];
        let samples: Vec<(f64, Option<f64>)> = (0..100)
            .map(|i| {
                let t = i as f64 / 10.0;
                let near = tops.iter().any(|top| (t - top).abs() < 1.0);
                (t, Some(if near { 172.0 } else { 135.0 }))
            })
            .collect();
        ExerciseSet {
            exercise: "glute_bridge".into(),
            name: "Glute bridge".into(),
            start_s: 0.0,
            end_s: 10.0,
            counting: "reps".into(),
            units: BTreeMap::from([
                ("hip_extension".to_string(), "degrees".to_string()),
                ("hip_lift".to_string(), "body lengths".to_string()),
                ("hip_speed".to_string(), "degrees per second".to_string()),
            ]),
            reps: 3,
            reps_left: None,
            reps_right: None,
            hold_s: 4.5,
            holds: tops
                .iter()
                .map(|&t| Hold {
                    side: None,
                    start_s: t,
                    end_s: t + 1.5,
                    duration_s: 1.5,
                    ended_by: "position_left".into(),
                })
                .collect(),
            rep_list: vec![
                rep(1, 1.5, &[]),
                rep(2, 4.5, &["hips_not_extended"]),
                rep(3, 7.5, &[]),
            ],
            faults: vec![
                fault("hips_not_extended", 4.0, Some(2)),
                fault("back_overarched", 7.4, None),
            ],
            targets: vec![
                TargetCheck {
                    measure: "reps".into(),
                    side: None,
                    target: 15.0,
                    done: 3.0,
                    met: false,
                    text: "Glute bridge: 3/15 reps".into(),
                },
                TargetCheck {
                    measure: "hold_s".into(),
                    side: None,
                    target: 1.0,
                    done: 1.5,
                    met: true,
                    text: "Glute bridge: longest hold at the top 1.5/1 s".into(),
                },
            ],
            advice: vec!["Lift your hips higher.".into()],
            series: series(&samples),
        }
    }

    #[test]
    fn text_is_escaped_everywhere() {
        assert_eq!(
            esc(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        let mut set = bridge();
        set.name = "<script>alert(1)</script>".into();
        set.advice = vec!["Knees & hips \"level\" <now>".into()];
        set.faults[0].message = "a < b".into();
        let mut r = report(vec![set]);
        r.source.path = "/videos/<b>&\"bridge\".mp4".into();
        r.warnings.push(Warning {
            code: "wrong_view".into(),
            start_s: 0.0,
            end_s: 1.0,
            message: "Turn <side> on".into(),
        });
        let page = render(&r);
        assert!(!page.contains("<script"), "a name became markup");
        assert!(!page.contains("<b>&") && !page.contains("<now>") && !page.contains("<side>"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(page.contains("Knees &amp; hips &quot;level&quot; &lt;now&gt;"));
        assert!(page.contains("&lt;b&gt;&amp;&quot;bridge&quot;.mp4"));
        assert!(page.contains("Turn &lt;side&gt; on"));
    }

    #[test]
    fn a_report_without_exercises_says_so() {
        let mut r = report(Vec::new());
        r.frames_without_person = 300;
        r.warnings.push(Warning {
            code: "no_person".into(),
            start_s: 0.0,
            end_s: 10.0,
            message: "No one in view.".into(),
        });
        let page = render(&r);
        assert!(page.starts_with("<!doctype html>") && page.trim_end().ends_with("</html>"));
        assert!(page.contains("No exercise recognised"));
        assert!(!page.contains("class=\"plot\""));
        assert!(page.contains("No one in view"));
        assert!(page.contains("Frames without a person: 300 (100% of 300)"));
        assert_eq!(
            page.matches("<section").count(),
            page.matches("</section>").count()
        );
    }

    #[test]
    fn reps_holds_and_faults_are_drawn_and_tabled() {
        let set = bridge();
        let page = render(&report(vec![set.clone()]));
        assert_eq!(
            page.matches("class=\"rep-marker\"").count(),
            set.reps as usize
        );
        assert_eq!(
            page.matches("<rect class=\"hold\"").count(),
            set.holds.len()
        );
        assert_eq!(
            page.matches("<g class=\"fault-band sev-warning\"").count(),
            2
        );
        assert!(
            page.contains(">hips_not_extended</text>") && page.contains(">back_overarched</text>")
        );
        assert_eq!(page.matches("<path class=\"signal\"").count(), 1);
        assert_eq!(
            page.matches("class=\"faulty\"").count(),
            1,
            "one rep row has a fault"
        );
        assert!(page.contains("class=\"target short\"") && page.contains("class=\"target met\""));
        assert!(page.contains("Glute bridge: 3/15 reps"));
        assert!(page.contains("hip extension (degrees)"));
        assert!(page.contains("<title id=\"plot-1-title\">"));
        // Tops at 1.5, 4.5 and 7.5 s on a 0–10 s axis.
        for (t, label) in [(1.5, "1"), (4.5, "2"), (7.5, "3")] {
            let x = LEFT + t / 10.0 * PLOT_W;
            assert!(
                page.contains(&format!("<line x1=\"{x:.1}\"")),
                "rep {label} at {x:.1}"
            );
        }
        assert_eq!(page.matches("<g").count(), page.matches("</g>").count());
    }

    #[test]
    fn null_values_and_missing_samples_break_the_line() {
        let mut set = bridge();
        set.series = series(&[
            (0.0, Some(130.0)),
            (0.1, Some(131.0)),
            (0.2, None),
            (0.3, None),
            (0.4, Some(150.0)),
            (0.5, Some(151.0)),
            // no samples from 0.5 to 2.0 s: the body was not judged
            (2.0, Some(160.0)),
            (2.1, None),
        ]);
        let trace = Trace::of(&set.series);
        assert_eq!(trace.segments.len(), 3);
        assert_eq!(trace.segments[2], vec![(2.0, 160.0)]);
        assert_eq!(trace.gaps, vec![(0.1, 0.4), (0.5, 2.0), (2.0, 2.1)]);
        let page = render(&report(vec![set.clone()]));
        let path = page
            .split("<path class=\"signal\" d=\"")
            .nth(1)
            .and_then(|p| p.split('"').next());
        assert_eq!(path.map(|d| d.matches('M').count()), Some(2));
        assert_eq!(
            page.matches("<circle class=\"point\"").count(),
            1,
            "the lone sample is a dot"
        );
        assert_eq!(page.matches("<rect class=\"gap\"").count(), 3);
        assert!(page.contains("Not measured 0.5–2.0 s"));

        set.series = series(&[(0.0, None), (0.1, None)]);
        assert!(render(&report(vec![set.clone()])).contains("No measurements of hip extension"));
        set.series = series(&[]);
        let page = render(&report(vec![set]));
        assert!(page.contains("No measurements of hip extension"));
        assert_eq!(
            page.matches("class=\"rep-marker\"").count(),
            3,
            "reps are still marked"
        );
    }

    #[test]
    fn holds_show_their_side_and_why_they_ended() {
        let mut set = bridge();
        set.exercise = "side_plank".into();
        set.name = "Side plank".into();
        set.reps = 0;
        set.counting = "hold".into();
        set.rep_list.clear();
        set.targets.retain(|t| t.measure == "hold_s");
        set.series.signal = "hip_lift".into();
        set.series.value = set
            .series
            .value
            .iter()
            .map(|v| v.map(|v| (v - 150.0) / 100.0))
            .collect();
        set.holds[0].side = Some(Side::Right);
        set.holds[0].ended_by = "form_broken".into();
        let page = render(&report(vec![set]));
        assert!(page.contains("<h3>Holds</h3>") && !page.contains("<h3>Reps</h3>"));
        assert!(page.contains("form broke") && page.contains("left the position"));
        assert!(page.contains("held in total") && page.contains("left 0.0 s · right 1.5 s"));
        assert!(page.contains("hip lift (body lengths)"));
        assert_eq!(page.matches("class=\"rep-marker\"").count(), 0);
    }

    #[test]
    fn units_and_numbers_read_well() {
        let set = bridge();
        assert_eq!(
            signal_label(&set, "hip_extension"),
            "hip extension (degrees)"
        );
        assert_eq!(
            signal_label(&set, "hip_lift_max"),
            "hip lift max (body lengths)"
        );
        assert_eq!(
            signal_label(&set, "hip_speed_max"),
            "hip speed max (degrees per second)"
        );
        assert_eq!(signal_label(&set, "unknown_max"), "unknown max");
        assert_eq!(
            (num(15.0, 2), num(2.50, 2), num(-0.001, 1)),
            ("15".into(), "2.5".into(), "0".into())
        );
        assert_eq!(
            (
                nice_step(13.0, 10.0),
                nice_step(65.8, 10.0),
                nice_step(0.3, 5.0)
            ),
            (2.0, 10.0, 0.1)
        );
        assert_eq!(
            (decimals_for(0.05), decimals_for(0.5), decimals_for(2.0)),
            (2, 1, 0)
        );
        assert_eq!(file_name("C:\\clips\\a.mp4"), "a.mp4");
    }

    #[test]
    fn a_minute_of_reps_stays_small() {
        let mut set = bridge();
        set.series = series(
            &(0..600)
                .map(|i| (i as f64 / 10.0, Some(130.0 + (i % 40) as f64)))
                .collect::<Vec<_>>(),
        );
        set.rep_list = (1..=30)
            .map(|i| rep(i, i as f64 * 2.0 - 1.0, &["hips_not_extended"]))
            .collect();
        set.faults = (1..=30)
            .map(|i| fault("hips_not_extended", i as f64 * 2.0 - 1.5, Some(i)))
            .collect();
        set.reps = 30;
        let page = render(&report(vec![set]));
        assert!(page.len() < 200_000, "{} bytes", page.len());
        assert_eq!(page.matches("class=\"rep-marker\"").count(), 30);
    }
}
