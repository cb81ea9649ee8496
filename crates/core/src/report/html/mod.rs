//! The report as one self-contained HTML page, for the person who exercised and for their
//! physiotherapist: what was done against the plan, what to change, and a plot of the key
//! signal with reps, holds and faults marked on it.
//!
//! Everything is inline (CSS, and SVG drawn here; no scripts, fonts or images), so the page can
//! be mailed or archived and still opens, complete, without a network. All text taken from the
//! report is escaped: file names and messages can contain anything.
//!
//! [`plot`] draws the SVG, [`tables`] the per-rep, hold and fault tables, [`format`] escapes and
//! formats; the words for the report's codes are shared with the terminal summary
//! ([`crate::report::text`]).

/// Appends formatted text to a `String` (which cannot fail, hence the ignored result).
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

mod format;
mod plot;
mod sway_plot;
mod tables;

use std::fmt::Write;
use std::path::Path;

use super::model::{Counting, ExerciseSet, Report};
use super::text::ended_text;
use crate::error::Error;
use crate::skeleton::Side;
use format::{esc, file_name, num, secs};
use plot::{plot, timeline};
use sway_plot::sway_plot;
use tables::{attempts_table, faults_table, holds_table, reps_table, warnings_section};

/// The page's style sheet, kept as CSS in its own file.
pub const STYLE: &str = include_str!("style.css");

/// What other pages in posecheck's style (the history's trends) draw with: the style sheet,
/// escaping, numbers and axis steps.
pub mod kit {
    pub use super::STYLE;
    pub use super::format::{esc, num};
    pub use super::plot::{decimals_for, nice_step};
}

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
    item("Source", format!("{} ({})", esc(&src.path), src.kind));
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
    item("Session", esc(ended_text(report.ended)));
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

fn counts_reps(set: &ExerciseSet) -> bool {
    set.counting == Counting::Reps
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
    if set.holds.iter().any(|h| h.attempt.is_some()) {
        attempts_table(out, set);
        for (i, h) in set.holds.iter().enumerate() {
            if let Some(sway) = &h.sway {
                sway_plot(out, &format!("set-{n}-sway-{}", i + 1), h, sway);
            }
        }
    }
    faults_table(out, set);
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::format::signal_label;
    use super::plot::{LEFT, PLOT_W, Trace, decimals_for, nice_step};
    use super::*;
    use crate::report::model::{
        Ended, Fault, HoldEnd, Measure, Series, Severity, SourceKind, Unit, WarningCode,
    };
    use crate::report::model::{Hold, ModelInfo, Rep, SourceInfo, TargetCheck, Tool, Warning};

    fn report(exercises: Vec<ExerciseSet>) -> Report {
        Report {
            schema_version: "1.0".into(),
            tool: Tool {
                name: "posecheck".into(),
                version: "0.1.0".into(),
            },
            source: SourceInfo {
                kind: SourceKind::Video,
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
                frames: Some(300),
            },
            exercises,
            warnings: Vec::new(),
            frames_without_person: 0,
            ended: Ended::EndOfInput,
            provenance: None,
            routine: None,
            romberg: Vec::new(),
        }
    }

    fn series(samples: &[(f64, Option<f64>)]) -> Series {
        Series {
            signal: "hip_extension".into(),
            unit: Unit::Degrees,
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
            severity: Severity::Warning,
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
            counting: Counting::Reps,
            units: BTreeMap::from([
                ("hip_extension".to_string(), Unit::Degrees),
                ("hip_lift".to_string(), Unit::BodyLengths),
                ("hip_speed".to_string(), Unit::DegreesPerSecond),
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
                    ended_by: HoldEnd::PositionLeft,
                    attempt: None,
                    eyes_closed: None,
                    sway: None,
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
                    measure: Measure::Reps,
                    side: None,
                    target: 15.0,
                    done: 3.0,
                    met: false,
                    text: "Glute bridge: 3/15 reps".into(),
                },
                TargetCheck {
                    measure: Measure::HoldS,
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
            code: WarningCode::WrongView,
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
            code: WarningCode::NoPerson,
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
    fn balance_attempts_get_a_table_and_a_sway_plot() {
        use crate::report::model::{Sway, SwayAxis, SwayCm};
        let mut set = bridge();
        set.counting = Counting::Hold;
        set.rep_list.clear();
        let page = render(&report(vec![set.clone()]));
        assert!(!page.contains("<h3>Attempts</h3>"), "not a balance set");
        let t: Vec<f64> = (0..15).map(|i| 1.0 + i as f64 / 10.0).collect();
        let position: Vec<f64> = t.iter().map(|t| 0.004 * (t * 3.0).sin()).collect();
        set.holds[0].attempt = Some(1);
        set.holds[0].eyes_closed = Some(true);
        set.holds[0].ended_by = HoldEnd::TouchDown;
        set.holds[0].sway = Some(Sway {
            axis: SwayAxis::SideToSide,
            body_height_px: 900.0,
            path_length: 0.01,
            mean_velocity: 0.0067,
            rms: 0.0028,
            ellipse_area: None,
            cm: Some(SwayCm {
                path_length: 1.7,
                mean_velocity: 1.13,
                rms: 0.48,
                ellipse_area: None,
            }),
            t,
            position,
        });
        set.holds[1].attempt = Some(2);
        let page = render(&report(vec![set]));
        assert!(page.contains("<h3>Attempts</h3>"));
        assert!(page.contains("the raised foot touched down") && page.contains("closed"));
        assert!(page.contains("side to side (filmed from the front)"));
        assert!(page.contains("not measured (body not seen throughout)"));
        // One figure, for the attempt with sway: the top view and the time plot.
        assert_eq!(page.matches("<figure class=\"sway\">").count(), 1);
        assert_eq!(page.matches("class=\"signal\" points").count(), 2);
        assert!(page.contains("front to back: not seen from the front"));
    }

    #[test]
    fn holds_show_their_side_and_why_they_ended() {
        let mut set = bridge();
        set.exercise = "side_plank".into();
        set.name = "Side plank".into();
        set.reps = 0;
        set.counting = Counting::Hold;
        set.rep_list.clear();
        set.targets.retain(|t| t.measure == Measure::HoldS);
        set.series.signal = "hip_lift".into();
        set.series.value = set
            .series
            .value
            .iter()
            .map(|v| v.map(|v| (v - 150.0) / 100.0))
            .collect();
        set.holds[0].side = Some(Side::Right);
        set.holds[0].ended_by = HoldEnd::FormBroken;
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
