//! The plots: the session timeline and each set's key signal with reps, holds, gaps and
//! fault bars, drawn as inline SVG.

use std::fmt::Write;

use super::format::{esc, num, secs, severity_class, signal_label, unit_of};
use crate::report::model::{ExerciseSet, Fault, Report, Series, Unit};
use crate::report::text::{hold_end_text, warning_title, words};
use crate::skeleton::Side;

/// SVG geometry, in viewBox units (the SVG scales to the page width).
const WIDTH: f64 = 960.0;
pub(super) const LEFT: f64 = 72.0;
const RIGHT: f64 = 16.0;
pub(super) const PLOT_W: f64 = WIDTH - LEFT - RIGHT;
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
pub fn nice_step(span: f64, target: f64) -> f64 {
    let raw = (span / target).max(1e-9);
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * magnitude)
}

/// Decimals needed to print multiples of `step` exactly.
pub fn decimals_for(step: f64) -> usize {
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
    fn covering(values: impl IntoIterator<Item = f64>, unit: Option<Unit>) -> Option<ValueAxis> {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if !lo.is_finite() {
            return None;
        }
        let min_span = if unit == Some(Unit::Degrees) {
            10.0
        } else {
            0.2
        };
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
pub(super) struct Trace {
    pub(super) segments: Vec<Vec<(f64, f64)>>,
    pub(super) gaps: Vec<(f64, f64)>,
}

impl Trace {
    pub(super) fn of(series: &Series) -> Trace {
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
pub(super) fn timeline(out: &mut String, report: &Report) {
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
            label: warning_title(w.code).to_string(),
            title: format!(
                "{}, {}–{} s: {}",
                warning_title(w.code),
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

/// The key signal over the set with rep tops, holds, unmeasured gaps and fault bars.
pub(super) fn plot(out: &mut String, n: usize, set: &ExerciseSet) {
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
            hold_end_text(h.ended_by)
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
        class: format!("fault-band {}", severity_class(f.severity)),
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
