//! A balance attempt's sway drawn as inline SVG: the stabilogram (the centre of mass's path
//! seen from above, along the axis the camera saw) and the sway over time.

use std::fmt::Write;

use super::format::num;
use super::plot::{decimals_for, nice_step};
use crate::report::model::{Hold, Sway, SwayAxis};

/// Geometry in viewBox units: a square top view, then the time plot.
const VIEW: f64 = 180.0;
const GAP: f64 = 60.0;
const PAD: f64 = 30.0;
const TIME_W: f64 = 600.0;
const HEIGHT: f64 = VIEW + 2.0 * PAD;
/// Sway is drawn in per mille of the body height (body heights × 1000): 1 ‰ is 1.7 mm on a
/// 1.7 m body, whether or not the height was given.
const PER_MILLE: f64 = 1000.0;

/// The two plots of one attempt, scaled to its largest excursion (at least ±5 ‰ of the
/// height, so a still stand is not blown up into noise).
pub(super) fn sway_plot(out: &mut String, id: &str, hold: &Hold, sway: &Sway) {
    let reach = sway.position.iter().fold(0.005_f64, |m, v| m.max(v.abs())) * PER_MILLE;
    let step = nice_step(2.0 * reach, 4.0);
    let half = (reach / step).ceil() * step;
    let decimals = decimals_for(step);
    let (seen, unseen) = match sway.axis {
        SwayAxis::SideToSide => ("side to side", "front to back: not seen from the front"),
        SwayAxis::FrontToBack => ("front to back", "side to side: not seen from the side"),
        SwayAxis::Mixed => ("across the picture", "into the picture: not seen"),
    };
    w!(
        out,
        "<figure class=\"sway\"><svg viewBox=\"0 0 {:.0} {HEIGHT:.0}\" role=\"img\" aria-labelledby=\"{id}-t\">\
         <title id=\"{id}-t\">Attempt {}: the centre of mass seen from above ({seen}) and over time, in per mille of the body height</title>\n",
        PAD + VIEW + GAP + TIME_W + PAD,
        hold.attempt.unwrap_or(0),
    );
    // Top view: the seen axis across, the unseen one up; the path lies on the seen axis.
    let cx = PAD + VIEW / 2.0;
    let cy = PAD + VIEW / 2.0;
    let sx = |v: f64| cx + v * PER_MILLE / half * (VIEW / 2.0);
    w!(
        out,
        "<rect class=\"grid\" x=\"{PAD}\" y=\"{PAD}\" width=\"{VIEW}\" height=\"{VIEW}\" fill=\"none\"/>\
         <line class=\"grid\" x1=\"{cx}\" y1=\"{PAD}\" x2=\"{cx}\" y2=\"{:.0}\"/>\
         <rect class=\"hold\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"8\"><title>RMS ±{} ‰</title></rect>\n",
        PAD + VIEW,
        sx(-sway.rms),
        cy - 4.0,
        sx(sway.rms) - sx(-sway.rms),
        num(sway.rms * PER_MILLE, 2)
    );
    let path: Vec<String> = sway
        .position
        .iter()
        .map(|v| format!("{:.1},{cy:.1}", sx(*v)))
        .collect();
    w!(
        out,
        "<polyline class=\"signal\" points=\"{}\"/>\
         <text class=\"tick\" x=\"{PAD}\" y=\"{:.0}\">-{}</text>\
         <text class=\"tick\" x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"end\">+{}</text>\
         <text class=\"title\" x=\"{cx}\" y=\"{:.0}\" text-anchor=\"middle\">{seen} (‰ of height)</text>\
         <text class=\"tick\" x=\"{cx}\" y=\"{:.0}\" text-anchor=\"middle\">{unseen}</text>\n",
        path.join(" "),
        PAD + VIEW + 14.0,
        num(half, decimals),
        PAD + VIEW,
        PAD + VIEW + 14.0,
        num(half, decimals),
        PAD + VIEW + 28.0,
        PAD - 8.0,
    );
    // Sway over time.
    let left = PAD + VIEW + GAP;
    let (t0, t1) = (hold.start_s, hold.end_s.max(hold.start_s + 1.0));
    let tx = |t: f64| left + (t - t0) / (t1 - t0) * TIME_W;
    let vy = |v: f64| cy - v * PER_MILLE / half * (VIEW / 2.0);
    let mut k = -half;
    while k <= half + 1e-9 {
        w!(
            out,
            "<line class=\"grid\" x1=\"{left:.0}\" y1=\"{0:.1}\" x2=\"{1:.0}\" y2=\"{0:.1}\"/>\
             <text class=\"tick\" x=\"{2:.0}\" y=\"{3:.1}\" text-anchor=\"end\">{4}</text>\n",
            vy(k / PER_MILLE),
            left + TIME_W,
            left - 4.0,
            vy(k / PER_MILLE) + 4.0,
            num(k, decimals)
        );
        k += step;
    }
    let line: Vec<String> = sway
        .t
        .iter()
        .zip(&sway.position)
        .map(|(t, v)| format!("{:.1},{:.1}", tx(*t), vy(*v)))
        .collect();
    w!(
        out,
        "<polyline class=\"signal\" points=\"{}\"/>\
         <text class=\"title\" x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"middle\">time (s): {}–{}</text>\
         </svg></figure>\n",
        line.join(" "),
        left + TIME_W / 2.0,
        PAD + VIEW + 28.0,
        num(t0, 1),
        num(t1, 1),
    );
}
