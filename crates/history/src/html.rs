//! The history as an HTML page in the report page's style: per exercise, trend plots over days
//! of reps, best and total hold, and faults per rep, as inline SVG.

use std::fmt::Write;

use posecheck_core::report::html::kit::{STYLE, decimals_for, esc, nice_step, num};

use crate::query::DayTrend;

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 200.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 44.0;

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (the civil-calendar formula), so the x axis
/// spaces sessions by the days between them, not by their count.
fn day_number(date: &str) -> Option<i64> {
    let mut parts = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// What one plot shows of a day.
struct Measure {
    title: &'static str,
    /// Shown after the title, when there is one.
    unit: &'static str,
    /// The least top of the value axis, so a flat line of zeros or small numbers is drawn on
    /// a scale that means something.
    least_top: f64,
    value: fn(&DayTrend) -> Option<f64>,
}

const MEASURES: [Measure; 6] = [
    Measure {
        title: "Reps",
        unit: "",
        least_top: 5.0,
        value: |t| (t.reps > 0).then_some(f64::from(t.reps)),
    },
    Measure {
        title: "Best hold",
        unit: "s",
        least_top: 5.0,
        value: |t| (t.best_hold_s > 0.0).then_some(t.best_hold_s),
    },
    Measure {
        title: "Total hold",
        unit: "s",
        least_top: 5.0,
        value: |t| (t.total_hold_s > 0.0).then_some(t.total_hold_s),
    },
    Measure {
        title: "Faults per rep",
        unit: "",
        least_top: 1.0,
        value: |t| t.faults_per_rep,
    },
    Measure {
        title: "Sway, eyes open (mean velocity of the centre of mass)",
        unit: "body heights/s",
        least_top: 0.01,
        value: |t| t.sway_velocity,
    },
    Measure {
        title: "Sway, eyes closed",
        unit: "body heights/s",
        least_top: 0.01,
        value: |t| t.sway_velocity_eyes_closed,
    },
];

fn plot(out: &mut String, days: &[(i64, &str, f64)], m: &Measure) {
    let (d0, d1) = (days[0].0, days[days.len() - 1].0.max(days[0].0 + 1));
    let vmax = days.iter().map(|d| d.2).fold(m.least_top, f64::max);
    let step = nice_step(vmax, 4.0);
    let top = (vmax / step).ceil() * step;
    let (pw, ph) = (WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    let x = |d: i64| LEFT + (d - d0) as f64 / (d1 - d0) as f64 * pw;
    let y = |v: f64| TOP + ph - v / top * ph;
    let unit = if m.unit.is_empty() {
        String::new()
    } else {
        format!(" ({})", m.unit)
    };
    let _ = write!(
        out,
        "<h3>{}{unit}</h3>\n<svg viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{} over days\">\n\
         <rect class=\"area\" x=\"{LEFT}\" y=\"{TOP}\" width=\"{pw}\" height=\"{ph}\"/>\n",
        m.title, m.title
    );
    let decimals = decimals_for(step);
    let mut v = 0.0;
    while v <= top + 1e-9 {
        let _ = writeln!(
            out,
            "<line class=\"grid\" x1=\"{LEFT}\" y1=\"{0:.1}\" x2=\"{1:.1}\" y2=\"{0:.1}\"/>\
             <text class=\"tick\" x=\"{2:.1}\" y=\"{3:.1}\" text-anchor=\"end\">{4}</text>",
            y(v),
            LEFT + pw,
            LEFT - 6.0,
            y(v) + 4.0,
            num(v, decimals)
        );
        v += step;
    }
    let points: Vec<String> = days
        .iter()
        .map(|d| format!("{:.1},{:.1}", x(d.0), y(d.2)))
        .collect();
    let _ = writeln!(
        out,
        "<polyline class=\"signal\" points=\"{}\"/>",
        points.join(" ")
    );
    for d in days {
        let _ = writeln!(
            out,
            "<circle class=\"point\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\"><title>{}: {}</title></circle>\
             <text class=\"tick\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            x(d.0),
            y(d.2),
            esc(d.1),
            num(d.2, 2),
            x(d.0),
            TOP + ph + 16.0,
            esc(&d.1[5..])
        );
    }
    let _ = writeln!(
        out,
        "<text class=\"title\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">day</text>\n</svg>",
        LEFT + pw / 2.0,
        HEIGHT - 6.0
    );
}

/// Under the sway plots of an exercise with days measured the old way.
const SWAY_FROM_START: &str = "<p class=\"muted\">Some of these days' sway was measured by an \
older posecheck from the very start of each attempt, while the body was still settling into the \
stance: it reads higher than sway measured now, from half a second in (mean velocity 5-11 % \
higher on a real single-leg stance).</p>\n";

/// The page: one card per exercise with a plot for each measure it has.
pub fn render(trends: &[DayTrend]) -> String {
    let mut out = String::with_capacity(32 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>posecheck history</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
         <header class=\"page\"><p class=\"eyebrow\">posecheck history</p><h1>Progress over days</h1></header>\n<main>\n"
    );
    if trends.is_empty() {
        out.push_str("<section class=\"card\"><p>No sessions recorded yet.</p></section>\n");
    }
    let mut rest = trends;
    while let Some(first) = rest.first() {
        let n = rest
            .iter()
            .take_while(|t| t.exercise == first.exercise)
            .count();
        let (group, tail) = rest.split_at(n);
        rest = tail;
        let _ = writeln!(
            out,
            "<section class=\"card\" id=\"{}\"><h2>{}</h2><p class=\"muted\">{} days, {} sessions</p>",
            esc(&first.exercise),
            esc(&first.name),
            group.len(),
            group.iter().map(|t| t.sessions).sum::<u32>()
        );
        for m in &MEASURES {
            let days: Vec<(i64, &str, f64)> = group
                .iter()
                .filter_map(|t| Some((day_number(&t.day)?, t.day.as_str(), (m.value)(t)?)))
                .collect();
            if !days.is_empty() {
                plot(&mut out, &days, m);
            }
        }
        if group.iter().any(|t| t.sway_from_start) {
            out.push_str(SWAY_FROM_START);
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_counted_across_months_and_leap_years() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(
            day_number("2024-03-01")
                .zip(day_number("2024-02-28"))
                .map(|(a, b)| a - b),
            Some(2)
        );
        assert_eq!(
            day_number("2026-12-01")
                .zip(day_number("2026-11-30"))
                .map(|(a, b)| a - b),
            Some(1)
        );
        assert_eq!(day_number("not a day"), None);
    }
}
