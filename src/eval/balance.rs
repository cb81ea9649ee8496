//! The rendered balance set (`posecheck eval --matrix balance`): the renderer's figure doing
//! the balance stands with scripted sway of known amplitude and frequency (none at all for the
//! noise floor), and losses of balance at known times, from the front and the side, 2-4 m
//! away, 720×1280 (a phone held upright); and head turns on the toes (looks right, left and up
//! at known times) and turning on the spot (whole turns) from the front, at 45° and from the
//! side. Each clip is analysed as a guided routine would (the
//! stand named, the person's height given) and its attempts and sway are compared with the
//! renderer's truth: the true centre of mass over the standing foot, computed with posecheck's
//! own segment model.
//!
//! The clips' manifest format counts reps and times holds; it has no place for a sway or an
//! attempt's end, so this set is scored here, against the `.gt.json` files themselves.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use super::matrix::{MatrixSize, render_clip};
use super::{EvalSettings, track_of};
use crate::analyze::{self, AnalyzeSettings, FrameOutputs};
use crate::error::Error;
use posecheck_core::balance::{BalanceSettings, SETTLE_S};
use posecheck_core::report::model::{Hold, Report};
use posecheck_core::session::SessionConfig;

/// The renderer's figure is 1.70 m tall; posecheck is told so, for sway in centimetres.
const HEIGHT_CM: f64 = 170.0;
/// The targets of issue 16.
const RMS_TARGET: f64 = 0.15;
const RMS_TARGET_FROM_CM: f64 = 1.0;
const TIMING_TARGET_S: f64 = 0.3;
/// What ends an attempt when balance is lost (posecheck's report words).
const LOSSES: [&str; 4] = ["touch_down", "step", "heels_dropped", "hands_left_waist"];
/// A look is found by a counted rep to the same side (none for a look up) whose top is this
/// near the middle of the second the head is held fully turned; the manifests' rep tops allow
/// 0.5 s too. A whole turn is found by a counted rep whose top falls within it.
const LOOK_WITHIN_S: f64 = 0.5;

/// How a set is filmed: frame size, and how long the stance lasts when held and before a
/// scripted loss.
#[derive(Clone, Copy)]
struct Shoot {
    size: &'static str,
    hold_s: f64,
    loss_after_s: f64,
}

/// The full set: 720p (upright), the stance held 8 s, losses 6 s in.
const FULL: Shoot = Shoot {
    size: "720x1280",
    hold_s: 8.0,
    loss_after_s: 6.0,
};
/// The CI subset: 360×640 and shorter, to render in seconds.
const QUICK: Shoot = Shoot {
    size: "360x640",
    hold_s: 5.0,
    loss_after_s: 4.0,
};

/// One rendered clip of the set.
struct Cell {
    name: String,
    shoot: Shoot,
    stand: &'static str,
    view: &'static str,
    distance_m: f64,
    /// Peak centre-of-mass displacement, cm, and frequency.
    sway_cm: f64,
    sway_hz: f64,
    ended_by: &'static str,
    /// Scripted movements: the head turns' looks (right, left, up, in turn), the turning's
    /// whole turns.
    reps: u32,
    /// `--side`: the turning's way, when not the renderer's default (left); the tandem
    /// stance's front foot.
    towards: Option<&'static str>,
    /// `--variant`: how a single-leg stand raises the foot, when not the renderer's default
    /// (the knee up in front).
    variant: Option<&'static str>,
}

impl Cell {
    fn new(shoot: Shoot, stand: &'static str, view: &'static str, distance_m: f64) -> Cell {
        Cell {
            name: String::new(),
            shoot,
            stand,
            view,
            distance_m,
            sway_cm: 0.0,
            sway_hz: 0.3,
            ended_by: "time_up",
            reps: 0,
            towards: None,
            variant: None,
        }
        .named()
    }

    /// The head turns' looks or the turning's turns: `n` of them, the stance held as long as
    /// they last.
    fn moving(self, n: u32) -> Cell {
        Cell { reps: n, ..self }.named()
    }

    /// The turning towards `side`, the tandem stance with that foot in front.
    fn towards(self, side: &'static str) -> Cell {
        Cell {
            towards: Some(side),
            ..self
        }
        .named()
    }

    /// The foot raised the renderer's `variant` way (`foot_behind`, `low_lift`).
    fn raising(self, variant: &'static str) -> Cell {
        Cell {
            variant: Some(variant),
            ..self
        }
        .named()
    }

    /// Counted by the turning's whole turns rather than by looks.
    fn turning(&self) -> bool {
        self.stand == "turning"
    }

    fn swaying(self, cm: f64, hz: f64) -> Cell {
        Cell {
            sway_cm: cm,
            sway_hz: hz,
            ..self
        }
        .named()
    }

    fn ending(self, reason: &'static str) -> Cell {
        Cell {
            ended_by: reason,
            ..self
        }
        .named()
    }

    fn named(self) -> Cell {
        let way = self.towards.map_or(String::new(), |s| format!("-{s}"))
            + &self.variant.map_or(String::new(), |v| format!("-{v}"));
        let name = if self.reps > 0 {
            let what = if self.turning() { "turns" } else { "looks" };
            format!(
                "{}-{}-{}m-{}{what}{way}",
                self.stand, self.view, self.distance_m, self.reps
            )
        } else {
            format!(
                "{}-{}-{}m-{}cm-{}hz-{}{way}",
                self.stand, self.view, self.distance_m, self.sway_cm, self.sway_hz, self.ended_by
            )
        };
        Cell { name, ..self }
    }

    /// The axis of sway the camera sees: side to side from the front, front to back from the
    /// side.
    fn axis(&self) -> &'static str {
        if self.view == "front" {
            "side_to_side"
        } else {
            "front_to_back"
        }
    }

    fn args(&self) -> Vec<String> {
        let hold = if self.reps > 0 {
            // The stance lasts as long as the movements.
            1.0
        } else if self.ended_by == "time_up" {
            self.shoot.hold_s
        } else {
            self.shoot.loss_after_s
        };
        let mut args: Vec<String> = [
            "-e",
            self.stand,
            "--camera",
            self.view,
            "--camera-distance",
            &self.distance_m.to_string(),
            "--size",
            self.shoot.size,
            "--sway-cm",
            &self.sway_cm.to_string(),
            "--sway-hz",
            &self.sway_hz.to_string(),
            "--sway-axis",
            self.axis(),
            "--hold",
            &hold.to_string(),
            "--ended-by",
            self.ended_by,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        if self.reps > 0 {
            args.extend(["--reps".to_string(), self.reps.to_string()]);
        }
        if let Some(side) = self.towards {
            args.extend(["--side".to_string(), side.to_string()]);
        }
        if let Some(variant) = self.variant {
            args.extend(["--variant".to_string(), variant.to_string()]);
        }
        args
    }
}

/// Still and swaying single-leg stances at every view and distance, faster sway at 3 m, every
/// loss of balance the renderer scripts, the other stands held steadily, and head turns from
/// the front (2-4 m), at 45 degrees and from the side, and turning on the spot from the front,
/// at 45 degrees and from the side, and the other ways of raising the foot; or, for CI, a
/// still stand, one sway, one touch-down, the foot raised behind from the front, a still
/// stand from the side, heels dropping filmed from the side (the far foot hidden behind the
/// near one), one round of head turns and two turns on the spot at 45 degrees.
fn cells(size: MatrixSize) -> Vec<Cell> {
    if size != MatrixSize::Balance {
        let at = |view| Cell::new(QUICK, "single_leg_stance", view, 3.0);
        return vec![
            at("front"),
            at("front").swaying(2.0, 0.3),
            at("front").ending("touch_down"),
            at("front").raising("foot_behind"),
            at("side"),
            Cell::new(QUICK, "heel_raise", "side", 3.0).ending("heels_dropped"),
            Cell::new(QUICK, "head_turns", "oblique", 3.0).moving(3),
            Cell::new(QUICK, "turning", "oblique", 3.0).moving(2),
            Cell::new(QUICK, "tandem_stance", "side", 3.0).towards("left"),
            Cell::new(QUICK, "feet_together_stand", "oblique", 3.0).ending("hands_left_waist"),
        ];
    }
    let mut out = Vec::new();
    let at = |stand, view, d| Cell::new(FULL, stand, view, d);
    for view in ["front", "side"] {
        for d in [2.0, 3.0, 4.0] {
            for cm in [0.0, 0.5, 1.0, 2.0, 5.0] {
                out.push(at("single_leg_stance", view, d).swaying(cm, 0.3));
            }
        }
        out.push(at("single_leg_stance", view, 3.0).swaying(2.0, 0.8));
        out.push(at("single_leg_stance", view, 3.0).ending("touch_down"));
        out.push(at("heel_raise", view, 3.0).ending("heels_dropped"));
    }
    out.push(at("feet_together_stand", "front", 3.0).ending("step"));
    out.push(at("feet_together_stand", "front", 3.0).ending("hands_left_waist"));
    out.push(at("feet_together_stand", "front", 3.0).swaying(1.0, 0.3));
    // At 45° a bent arm can look straight in the picture: hands on the waist, and leaving it.
    out.push(at("feet_together_stand", "oblique", 3.0));
    out.push(at("feet_together_stand", "oblique", 3.0).ending("hands_left_waist"));
    out.push(at("tandem_stance", "side", 3.0).swaying(1.0, 0.3));
    out.push(at("heel_raise", "side", 3.0).swaying(1.0, 0.3));
    out.push(at("single_leg_toe_stand", "front", 3.0).swaying(1.0, 0.3));
    for (view, d) in [
        ("front", 2.0),
        ("front", 3.0),
        ("front", 4.0),
        ("oblique", 3.0),
        ("side", 3.0),
    ] {
        out.push(at("head_turns", view, d).moving(6));
    }
    for view in ["front", "oblique", "side"] {
        out.push(at("turning", view, 3.0).moving(3));
    }
    // Turning the other way from the side starts with the back half-turned away.
    out.push(at("turning", "side", 3.0).moving(3).towards("right"));
    // The other ways people stand on one leg, and the knee up at 45°, from each camera.
    out.push(at("single_leg_stance", "oblique", 3.0));
    for view in ["front", "oblique", "side"] {
        for variant in ["foot_behind", "low_lift"] {
            out.push(at("single_leg_stance", view, 3.0).raising(variant));
        }
    }
    // Which foot leads the tandem stance, each way, from each camera.
    for view in ["front", "oblique", "side"] {
        for foot in ["left", "right"] {
            out.push(at("tandem_stance", view, 3.0).towards(foot));
        }
    }
    out
}

/// A scripted movement (a look of the head turns, a whole turn of the turning), and whether
/// posecheck counted it.
#[derive(Clone, Debug, Serialize)]
pub struct MoveFound {
    /// A look: `left`, `right`, or none for a look up; a turn: the way it turns.
    pub side: Option<String>,
    pub start_s: f64,
    pub top_s: f64,
    pub end_s: f64,
    /// The top of the rep that found it (none: not counted).
    pub counted_top_s: Option<f64>,
}

impl MoveFound {
    fn found(&self) -> bool {
        self.counted_top_s.is_some()
    }
}

/// "F of N": how many of `moves` posecheck counted.
fn found_of<'a>(moves: impl IntoIterator<Item = &'a MoveFound>) -> String {
    let (mut found, mut all) = (0, 0);
    for m in moves {
        all += 1;
        found += usize::from(m.found());
    }
    format!("{found} of {all}")
}

/// The truth's movements, matched one to one with posecheck's reps (a look: same side, tops
/// within [`LOOK_WITHIN_S`]; a turn: the rep's top within it, its way not judged); and how
/// many reps matched none.
fn match_moves(cell: &Cell, gt: &Value, report: &Report) -> (Vec<MoveFound>, usize) {
    let mut reps: Vec<(Option<String>, f64)> = report
        .exercises
        .iter()
        .filter(|s| s.exercise == cell.stand)
        .flat_map(|s| s.rep_list.iter())
        .map(|r| (r.side.map(|s| s.name().to_string()), r.top_s))
        .collect();
    let moves = gt["reps"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter_map(|m| {
            let side = m["side"].as_str().map(str::to_string);
            let (start, top, end) = (
                m["start_s"].as_f64()?,
                m["top_s"].as_f64()?,
                m["end_s"].as_f64()?,
            );
            let at = reps.iter().position(|(s, t)| {
                if cell.turning() {
                    (start..end).contains(t)
                } else {
                    *s == side && (t - top).abs() <= LOOK_WITHIN_S
                }
            });
            Some(MoveFound {
                side,
                start_s: start,
                top_s: top,
                end_s: end,
                counted_top_s: at.map(|i| reps.remove(i).1),
            })
        })
        .collect();
    (moves, reps.len())
}

/// An attempt as posecheck reported it.
#[derive(Clone, Debug, Serialize)]
pub struct Attempt {
    pub start_s: f64,
    pub end_s: f64,
    pub ended_by: String,
    /// The side posecheck gave it (for the tandem stance, the front foot).
    pub side: Option<String>,
    /// RMS sway, cm (absent when posecheck did not measure it).
    pub rms_cm: Option<f64>,
}

/// One clip's result.
#[derive(Clone, Debug, Serialize)]
pub struct ClipResult {
    pub clip: String,
    pub stand: String,
    pub view: String,
    pub distance_m: f64,
    pub sway_cm: f64,
    pub sway_hz: f64,
    pub true_start_s: f64,
    pub true_end_s: f64,
    pub true_ended_by: String,
    /// The true attempt's side, when the renderer was given one (the tandem stance's front
    /// foot, the single-leg stance's standing leg).
    pub true_side: Option<String>,
    /// How a single-leg stand raised the foot, when not the knee up in front.
    pub variant: Option<String>,
    pub attempts: Vec<Attempt>,
    /// The true RMS sway over the attempt posecheck timed (the one overlapping the true
    /// attempt most), from [`SETTLE_S`] after its start as posecheck measures it, cm.
    pub true_rms_cm: Option<f64>,
    /// posecheck's RMS sway of that attempt, cm.
    pub rms_cm: Option<f64>,
    /// Measured over true RMS, minus one.
    pub rms_error: Option<f64>,
    /// Measured end minus true end of that attempt, s.
    pub end_error_s: Option<f64>,
    /// A loss of balance called where the stance was held to the end.
    pub false_loss: bool,
    /// Scripted movements (the head turns' looks, the turning's turns; none for the other
    /// stands), and reps posecheck counted that were none of them.
    pub moves: Vec<MoveFound>,
    pub extra_reps: usize,
}

/// The whole set.
#[derive(Clone, Debug, Serialize)]
pub struct BalanceEval {
    pub clips: Vec<ClipResult>,
}

fn hold_end(h: &Hold) -> String {
    serde_json::to_value(h.ended_by)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The true RMS (cm) of the centre of mass over the standing foot along `axis`, from `start_s`
/// to `end_s`.
fn true_rms_cm(gt: &Value, axis: &str, start_s: f64, end_s: f64) -> Option<f64> {
    let x: Vec<f64> = gt["frames"]
        .as_array()?
        .iter()
        .filter(|f| f["t"].as_f64().is_some_and(|t| t >= start_s && t <= end_s))
        .filter_map(|f| f["com"]["over_foot_m"][axis].as_f64())
        .collect();
    if x.is_empty() {
        return None;
    }
    let mean = x.iter().sum::<f64>() / x.len() as f64;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / x.len() as f64;
    Some(var.sqrt() * 100.0)
}

/// Scores one clip's report against its truth.
fn score(cell: &Cell, gt: &Value, report: &Report) -> Result<ClipResult, Error> {
    let truth = &gt["attempts"][0];
    let (Some(ts), Some(te), Some(reason)) = (
        truth["start_s"].as_f64(),
        truth["end_s"].as_f64(),
        truth["ended_by"].as_str(),
    ) else {
        return Err(Error::invalid(format!(
            "{}: the ground truth has no attempt (render it again with this posecheck-render)",
            cell.name
        )));
    };
    let attempts: Vec<Attempt> = report
        .exercises
        .iter()
        .filter(|s| s.exercise == cell.stand)
        .flat_map(|s| s.holds.iter())
        .map(|h| Attempt {
            start_s: h.start_s,
            end_s: h.end_s,
            ended_by: hold_end(h),
            side: h.side.map(|s| s.name().to_string()),
            rms_cm: h.sway.as_ref().and_then(|s| s.cm.as_ref()).map(|c| c.rms),
        })
        .collect();
    let overlap = |a: &Attempt| (a.end_s.min(te) - a.start_s.max(ts)).max(0.0);
    let main = attempts
        .iter()
        .filter(|a| overlap(a) > 0.0)
        .max_by(|a, b| overlap(a).total_cmp(&overlap(b)));
    // The truth over the part of the attempt posecheck measures (after it settles).
    let true_rms = main.and_then(|a| true_rms_cm(gt, cell.axis(), a.start_s + SETTLE_S, a.end_s));
    let rms_cm = main.and_then(|a| a.rms_cm);
    let rms_error = match (rms_cm, true_rms) {
        (Some(m), Some(t)) if t > 0.0 => Some(m / t - 1.0),
        _ => None,
    };
    let held = reason == "time_up";
    let false_loss = held && attempts.iter().any(|a| LOSSES.contains(&&*a.ended_by));
    let (moves, extra_reps) = if cell.reps > 0 {
        match_moves(cell, gt, report)
    } else {
        (Vec::new(), 0)
    };
    Ok(ClipResult {
        clip: cell.name.clone(),
        stand: cell.stand.to_string(),
        view: cell.view.to_string(),
        distance_m: cell.distance_m,
        sway_cm: cell.sway_cm,
        sway_hz: cell.sway_hz,
        true_start_s: ts,
        true_end_s: te,
        true_ended_by: reason.to_string(),
        true_side: truth["side"].as_str().map(str::to_string),
        variant: cell.variant.map(str::to_string),
        end_error_s: main.filter(|_| !held).map(|a| a.end_s - te),
        attempts,
        true_rms_cm: true_rms,
        rms_cm,
        rms_error,
        false_loss,
        moves,
        extra_reps,
    })
}

/// Renders the set into `dir` (kept: a second run renders nothing), analyses every clip (the
/// keypoint tracks cached like any eval's) and scores it.
pub fn run(
    dir: &Path,
    size: MatrixSize,
    settings: &EvalSettings,
    quiet: bool,
) -> Result<BalanceEval, Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let cells = cells(size);
    let mut model = None;
    let mut clips = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        let label = format!("{}/{}", i + 1, cells.len());
        let gt = render_clip(
            dir,
            &cell.name,
            &cell.args(),
            (!quiet).then_some(label.as_str()),
        )?;
        // As a guided routine runs it: the stand named, the person's height known.
        let session = SessionConfig {
            exercise: Some(cell.stand.to_string()),
            balance: BalanceSettings {
                height_cm: Some(HEIGHT_CM),
                eyes_closed: Vec::new(),
            },
            ..settings.session.clone()
        };
        let clip_settings = EvalSettings {
            model: settings.model.clone(),
            ort_lib: settings.ort_lib.clone(),
            session,
            cache_dir: settings.cache_dir.clone(),
            pose_rate: settings.pose_rate,
            progress: settings.progress,
            stop: settings.stop,
        };
        let video = dir.join(format!("{}.mp4", cell.name));
        let track = track_of(&video, &clip_settings, &mut model)?;
        let analyze_settings = AnalyzeSettings {
            model: clip_settings.model.clone(),
            session: clip_settings.session.clone(),
            progress: settings.progress,
            stop: settings.stop,
            sequential: false,
            pose_rate: settings.pose_rate,
        };
        let done = analyze::analyze_track(&track, &analyze_settings, &FrameOutputs::default())?;
        if settings.stop.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(Error::invalid(format!(
                "stopped after {i} of {} balance clips; running again resumes there",
                cells.len()
            )));
        }
        clips.push(score(cell, &gt, &done.report)?);
    }
    Ok(BalanceEval { clips })
}

fn opt(v: Option<f64>, places: usize) -> String {
    v.map_or("–".to_string(), |v| format!("{v:.places$}"))
}

fn pct(v: Option<f64>) -> String {
    v.map_or("–".to_string(), |v| format!("{:+.1} %", 100.0 * v))
}

/// The attempts' times, each followed by what `label` says of it (`none` when there are none),
/// e.g. `1.33-9.47 s session_ended`.
fn listed(attempts: &[Attempt], none: &str, label: impl Fn(&Attempt) -> &str) -> String {
    if attempts.is_empty() {
        return none.to_string();
    }
    attempts
        .iter()
        .map(|a| format!("{:.2}-{:.2} s {}", a.start_s, a.end_s, label(a)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The attempts' times and what ended them.
fn ends(attempts: &[Attempt]) -> String {
    listed(attempts, "none", |a| &a.ended_by)
}

/// A table row's first cells: the stand, the view, the distance.
fn row_head(c: &ClipResult) -> String {
    // The tandem stance's clips differ by the foot in front, the single-leg stance's by how
    // the foot is raised.
    let foot = match (&c.true_side, c.stand.as_str()) {
        (Some(f), "tandem_stance") => format!(", {f} foot in front"),
        _ => c
            .variant
            .as_ref()
            .map_or(String::new(), |v| format!(", {}", raised(v))),
    };
    format!("| {} | {}{foot} | {} m |", c.stand, c.view, c.distance_m)
}

/// How a single-leg stand's foot is raised, in words.
fn raised(variant: &str) -> &'static str {
    match variant {
        "foot_behind" => "foot behind",
        "low_lift" => "foot just off the floor",
        _ => "knee up",
    }
}

/// The attempts' times and sides, e.g. `1.33-9.47 s left`.
fn sided(attempts: &[Attempt]) -> String {
    listed(attempts, "none timed", |a| {
        a.side.as_deref().unwrap_or("side not told")
    })
}

/// The tables: sway against truth, the noise floor, losses of balance, steady holds.
pub fn markdown(e: &BalanceEval) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "## Rendered balance stands (posecheck eval --matrix balance)\n\n720×1280 (a phone upright, 58° along its long side; the CI subset `balance-quick` 360×640), camera at 1.0 m, the figure 1.70 m tall (posecheck told `--height-cm 170`), 30 fps, each stand named as a guided routine names it. Sway is scripted as a sine of the centre of mass's horizontal displacement (peak amplitude given; its RMS is that over √2) along the axis the camera sees; true RMS is the renderer's centre of mass over the standing foot, over the attempt posecheck timed from {SETTLE_S} s after its start (the part posecheck measures, once the body has settled into the stance).\n"
    );
    let _ = writeln!(
        w,
        "### Sway against truth\n\n| stand | view | distance | sway (peak, Hz) | true RMS, cm | measured RMS, cm | error | attempts (posecheck) |\n|---|---|---:|---|---:|---:|---:|---|"
    );
    let swaying: Vec<&ClipResult> = e.clips.iter().filter(|c| c.sway_cm > 0.0).collect();
    for c in &swaying {
        let _ = writeln!(
            w,
            "{} {} cm, {} Hz | {} | {} | {} | {} |",
            row_head(c),
            c.sway_cm,
            c.sway_hz,
            opt(c.true_rms_cm, 3),
            opt(c.rms_cm, 3),
            pct(c.rms_error),
            ends(&c.attempts)
        );
    }
    let _ = writeln!(
        w,
        "\n### Noise floor: standing still\n\n| stand | view | distance | measured RMS, cm | body heights (‰) | attempts (posecheck) |\n|---|---|---:|---:|---:|---|"
    );
    let of =
        |stand: &str| -> Vec<&ClipResult> { e.clips.iter().filter(|c| c.stand == stand).collect() };
    let (head_turns, turning) = (of("head_turns"), of("turning"));
    let stands: Vec<&ClipResult> = e
        .clips
        .iter()
        .filter(|c| c.stand != "head_turns" && c.stand != "turning")
        .collect();
    for c in stands
        .iter()
        .filter(|c| c.sway_cm == 0.0 && c.true_ended_by == "time_up")
    {
        let rms = c.rms_cm;
        let _ = writeln!(
            w,
            "{} {} | {} | {} |",
            row_head(c),
            opt(rms, 3),
            opt(rms.map(|r| 1000.0 * r / HEIGHT_CM), 2),
            ends(&c.attempts)
        );
    }
    let _ = writeln!(
        w,
        "\n### Losses of balance\n\n| stand | view | true attempt | ended by (truth) | posecheck's attempts | end error |\n|---|---|---|---|---|---:|"
    );
    let losses: Vec<&ClipResult> = e
        .clips
        .iter()
        .filter(|c| c.true_ended_by != "time_up")
        .collect();
    for c in &losses {
        let _ = writeln!(
            w,
            "| {} | {} | {:.2}-{:.2} s | {} | {} | {} |",
            c.stand,
            c.view,
            c.true_start_s,
            c.true_end_s,
            c.true_ended_by,
            ends(&c.attempts),
            c.end_error_s
                .map_or("not found".to_string(), |e| format!("{e:+.2} s"))
        );
    }
    let _ = writeln!(
        w,
        "\n### Head turns\n\nLooks right, left and up in turn, 70° each way and 35° up, each held 1 s; found: a rep to the same side (none for a look up) with its top within {LOOK_WITHIN_S} s of the middle of the second the head is held fully turned.\n\n| view | distance | right found | left found | up found | reps that were no look |\n|---|---|---:|---:|---:|---:|"
    );
    // Looks by their side (none: up).
    let to = |c: &ClipResult, side: Option<&str>| {
        found_of(c.moves.iter().filter(move |l| l.side.as_deref() == side))
    };
    for c in &head_turns {
        let _ = writeln!(
            w,
            "| {} | {} m | {} | {} | {} | {} |",
            c.view,
            c.distance_m,
            to(c, Some("right")),
            to(c, Some("left")),
            to(c, None),
            c.extra_reps
        );
    }
    let _ = writeln!(
        w,
        "\n### Turning on the spot\n\nWhole turns at 90° a second, feet together, hands on the waist; found: a rep whose top falls within the turn (the way it turns is not judged).\n\n| view | way | distance | turns found | reps that were no turn | back fully turned (truth) → rep's top (posecheck), s |\n|---|---|---|---:|---:|---|"
    );
    for c in &turning {
        let tops = c
            .moves
            .iter()
            .map(|m| match m.counted_top_s {
                Some(t) => format!("{:.2} → {t:.2}", m.top_s),
                None => format!("{:.2} → –", m.top_s),
            })
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            w,
            "| {} | {} | {} m | {} | {} | {tops} |",
            c.view,
            c.moves
                .first()
                .and_then(|m| m.side.as_deref())
                .unwrap_or("–"),
            c.distance_m,
            found_of(&c.moves),
            c.extra_reps
        );
    }
    let tandem: Vec<&ClipResult> = of("tandem_stance")
        .into_iter()
        .filter(|c| c.true_side.is_some())
        .collect();
    let _ = writeln!(
        w,
        "\n### Tandem stance: the front foot\n\nStanding still, hands on the waist; the side posecheck gives the attempt is the foot it saw in front (not told: it could not see which).\n\n| view | distance | front foot (truth) | posecheck's attempts |\n|---|---|---|---|"
    );
    for c in &tandem {
        let attempts = c
            .attempts
            .iter()
            .map(|a| a.side.as_deref().unwrap_or("not told"))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            w,
            "| {} | {} m | {} | {} |",
            c.view,
            c.distance_m,
            c.true_side.as_deref().unwrap_or("–"),
            if attempts.is_empty() {
                "none timed"
            } else {
                &attempts
            }
        );
    }
    let one_leg: Vec<&ClipResult> = of("single_leg_stance");
    let _ = writeln!(
        w,
        "\n### Single-leg stance: the standing leg, and the ways of raising the foot\n\nHeld still for the full time, standing on the left leg: the knee up in front (ankle 36 cm up, 30 cm ahead), the foot behind with the knee bent (a flamingo stand: 40 cm up, 42 cm behind), or the foot just off the floor (10 cm up). The side posecheck gives an attempt is the standing leg.\n\n| view | distance | raised foot | true attempt | posecheck's attempts |\n|---|---|---|---|---|"
    );
    for c in one_leg
        .iter()
        .filter(|c| c.sway_cm == 0.0 && c.true_ended_by == "time_up")
    {
        let _ = writeln!(
            w,
            "| {} | {} m | {} | {:.2}-{:.2} s {} | {} |",
            c.view,
            c.distance_m,
            raised(c.variant.as_deref().unwrap_or_default()),
            c.true_start_s,
            c.true_end_s,
            c.true_side.as_deref().unwrap_or("–"),
            sided(&c.attempts)
        );
    }
    // Summary against the targets.
    let judged: Vec<&&ClipResult> = swaying
        .iter()
        .filter(|c| c.sway_cm >= RMS_TARGET_FROM_CM)
        .collect();
    let within = judged
        .iter()
        .filter(|c| c.rms_error.is_some_and(|e| e.abs() <= RMS_TARGET))
        .count();
    let found = losses
        .iter()
        .filter(|c| {
            c.attempts.iter().any(|a| {
                a.ended_by == c.true_ended_by && (a.end_s - c.true_end_s).abs() <= TIMING_TARGET_S
            })
        })
        .count();
    let held: Vec<&&ClipResult> = stands
        .iter()
        .filter(|c| c.true_ended_by == "time_up")
        .collect();
    let false_losses = held.iter().filter(|c| c.false_loss).count();
    let untimed = match held.iter().filter(|c| c.attempts.is_empty()).count() {
        0 => String::new(),
        n => format!(" ({n} not timed at all)"),
    };
    let _ = writeln!(
        w,
        "\n### Against the targets\n\n- RMS sway within {:.0} % of the truth for sway of {RMS_TARGET_FROM_CM} cm or more: {within} of {} clips.\n- Losses of balance found, with the right reason, within {TIMING_TARGET_S} s: {found} of {}.\n- Steady holds with a loss called: {false_losses} of {}{untimed}.",
        100.0 * RMS_TARGET,
        judged.len(),
        losses.len(),
        held.len()
    );
    for (clips, what, how) in [
        (
            &head_turns,
            "Head turns",
            "looks counted, to the right side at the right time",
        ),
        (&turning, "Turning on the spot", "turns counted"),
    ] {
        let _ = writeln!(
            w,
            "- {what}: {} {how}; {} reps that were none of them.",
            found_of(clips.iter().flat_map(|c| c.moves.iter())),
            clips.iter().map(|c| c.extra_reps).sum::<usize>()
        );
    }
    let sides = |c: &&ClipResult| {
        c.attempts
            .iter()
            .map(|a| a.side.clone())
            .collect::<Vec<_>>()
    };
    let right = tandem
        .iter()
        .filter(|c| sides(c) == [c.true_side.clone()])
        .count();
    let wrong = tandem
        .iter()
        .filter(|c| sides(c).iter().any(|s| s.is_some() && *s != c.true_side))
        .count();
    let _ = writeln!(
        w,
        "- Tandem stance's front foot: named in {right} of {} clips, wrongly in {wrong}.",
        tandem.len()
    );
    // Every single-leg clip has its standing leg in the truth; those posecheck timed say
    // whether it named the leg, and rightly.
    let timed: Vec<&&ClipResult> = one_leg.iter().filter(|c| !c.attempts.is_empty()).collect();
    let named = |c: &&&ClipResult, right: bool| {
        sides(c)
            .iter()
            .any(|s| s.is_some() && (*s == c.true_side) == right)
    };
    let right_leg = timed.iter().filter(|c| named(c, true)).count();
    let wrong_leg = timed.iter().filter(|c| named(c, false)).count();
    let (other_ways, other_timed) = one_leg
        .iter()
        .filter(|c| c.variant.is_some())
        .fold((0, 0), |(n, t), c| {
            (n + 1, t + usize::from(!c.attempts.is_empty()))
        });
    let _ = writeln!(
        w,
        "- Single-leg stance: timed in {} of {} clips, the standing leg named rightly in {right_leg} and wrongly in {wrong_leg}; the foot raised behind or just off the floor timed in {other_timed} of {other_ways}.",
        timed.len(),
        one_leg.len()
    );
    out
}
