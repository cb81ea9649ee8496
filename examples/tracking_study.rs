//! Tracking study: which visual features and camera placements BlazePose-full needs.
//!
//! ```text
//! cargo build --release -p posecheck-render
//! cargo run --release --example tracking_study -- [--quick] [--only TEXT]
//! ```
//!
//! Renders short clips with `posecheck-render` (a baseline per exercise, then one change at a
//! time: face, occlusion shading, clothing contrast, room texture, light, resolution, camera
//! placement), runs posecheck's analysis with BlazePose-full on each, and compares the model's
//! keypoint track with the renderer's exact ground truth frame by frame. Prints a Markdown
//! table; the full run also writes `docs/rendering-study.md`, keeping the hand-written summary
//! between its `what-matters` markers. Clips and tracks go to `target/tracking-study/`.
//! `--quick` runs a few variants (written to `target/tracking-study/quick.md`); `--only TEXT`
//! runs the variants whose exercise or label contains TEXT.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use posecheck::analyze::{self, AnalyzeSettings, FrameOutputs};
use posecheck::progress::Progress;
use posecheck_core::pose::Pose;
use posecheck_core::report::model::{ExerciseSet, Report};
use posecheck_core::skeleton::Joint;
use posecheck_core::track::TrackReader;
use posecheck_pose::{self as pose, ModelConfig, ModelKind, PoseModel};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// One clip of the study: an exercise and the renderer options that differ from its baseline.
struct Variant {
    exercise: &'static str,
    /// File name part, e.g. `no_face`.
    id: &'static str,
    label: &'static str,
    args: &'static [&'static str],
    /// Part of the `--quick` run.
    quick: bool,
}

/// Short clips (2–3 reps, 6 s holds) keep the full study within about ten minutes.
fn clip_args(exercise: &str) -> &'static [&'static str] {
    match exercise {
        "bird_dog" => &["--reps", "2", "--hold", "1.5"],
        "glute_bridge" => &["--reps", "3"],
        "superman" => &["--reps", "2", "--hold", "2"],
        _ => &["--hold", "6"],
    }
}

/// Changes tried on bird-dog and glute bridge, one at a time. Low contrast: clothes in the
/// skin's colour, or in the wall's (top) and floor's (leggings) colours.
const CHANGES: [(&str, &str, &[&str]); 18] = [
    ("no_face", "no face", &["--no-face"]),
    ("no_ao", "no occlusion shading", &["--no-occlusion-shading"]),
    (
        "skin_clothes",
        "clothes ≈ skin",
        &["--top", "#d6a283", "--leggings", "#c8967a"],
    ),
    (
        "room_clothes",
        "clothes ≈ wall/floor",
        &["--top", "#a8a69c", "--leggings", "#a88660"],
    ),
    ("plain_room", "plain room (no texture)", &["--no-texture"]),
    ("dim", "dim light (0.3)", &["--light", "0.3"]),
    ("bright", "bright light (2.5)", &["--light", "2.5"]),
    ("320", "320×180", &["--size", "320x180"]),
    ("1280", "1280×720", &["--size", "1280x720"]),
    ("oblique", "camera oblique (45°)", &["--camera", "oblique"]),
    ("front", "camera front (head end)", &["--camera", "front"]),
    ("high", "camera high (1.5 m)", &["--camera-height", "1.5"]),
    ("low", "camera low (0.3 m)", &["--camera-height", "0.3"]),
    ("far", "camera far (5 m)", &["--camera-distance", "5"]),
    ("near", "camera near (2 m)", &["--camera-distance", "2"]),
    // Where it breaks: the cues above all at once, very dim light, and a person far away.
    (
        "no_cues",
        "all of: no face, no occlusion shading, clothes ≈ wall/floor, plain room, dim, 320×180",
        &[
            "--no-face",
            "--no-occlusion-shading",
            "--top",
            "#a8a69c",
            "--leggings",
            "#a88660",
            "--no-texture",
            "--light",
            "0.3",
            "--size",
            "320x180",
        ],
    ),
    ("very_dim", "very dim light (0.1)", &["--light", "0.1"]),
    ("far8", "camera far (8 m)", &["--camera-distance", "8"]),
];

fn variants() -> Vec<Variant> {
    let baseline = |exercise, quick| Variant {
        exercise,
        id: "baseline",
        label: "baseline (side, 640×360)",
        args: &[],
        quick,
    };
    let mut v = Vec::new();
    for exercise in ["bird_dog", "glute_bridge"] {
        v.push(baseline(exercise, true));
        for (id, label, args) in CHANGES {
            let quick = matches!(
                (exercise, id),
                ("bird_dog", "front" | "320") | ("glute_bridge", "no_ao")
            );
            v.push(Variant {
                exercise,
                id,
                label,
                args,
                quick,
            });
        }
    }
    // Is a far person lost for want of pixels or for being small in the frame?
    v.push(Variant {
        exercise: "glute_bridge",
        id: "far8_1280",
        label: "camera far (8 m), 1280×720",
        args: &["--camera-distance", "8", "--size", "1280x720"],
        quick: false,
    });
    v.push(baseline("side_plank", true));
    v.push(Variant {
        exercise: "side_plank",
        id: "away",
        label: "facing away",
        args: &["--facing", "away"],
        quick: true,
    });
    v.push(baseline("plank", false));
    v.push(Variant {
        exercise: "plank",
        id: "oblique",
        label: "camera oblique (45°)",
        args: &["--camera", "oblique"],
        quick: false,
    });
    v.push(baseline("superman", false));
    v
}

/// The twelve body joints compared, as left/right pairs: arms, then legs.
const ARMS: [(Joint, Joint); 3] = [
    (Joint::LeftShoulder, Joint::RightShoulder),
    (Joint::LeftElbow, Joint::RightElbow),
    (Joint::LeftWrist, Joint::RightWrist),
];
const LEGS: [(Joint, Joint); 3] = [
    (Joint::LeftHip, Joint::RightHip),
    (Joint::LeftKnee, Joint::RightKnee),
    (Joint::LeftAnkle, Joint::RightAnkle),
];

/// A joint counts as found when the model puts it within this many torso lengths.
const NEAR: f64 = 0.25;
/// A limb pair counts as swapped when exchanging the model's left and right labels at least
/// halves its error and gains at least this many torso lengths.
const SWAP_GAIN: f64 = 0.1;

/// What was measured on one clip.
struct Row {
    exercise: &'static str,
    label: &'static str,
    /// Fractions of all frames.
    tracked: f64,
    cut: f64,
    /// Fraction of tracked frames.
    swapped: f64,
    /// Mean error in torso lengths: all twelve joints, and those the camera sees.
    err_all: Option<f64>,
    err_visible: Option<f64>,
    /// Fraction of joints within [`NEAR`].
    found: Option<f64>,
    count: String,
    /// What the report gets wrong about the reps or hold, if anything.
    count_problem: Option<String>,
    notes: Vec<String>,
}

/// The ground truth's summary (from `NAME.gt.json`).
struct Truth {
    width: f64,
    height: f64,
    /// Focal length in pixels, and the camera's distance to what it looks at, metres.
    focal: f64,
    distance: f64,
    reps: Vec<String>,
    hold_s: f64,
}

impl Truth {
    fn read(path: &Path) -> Res<Truth> {
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
        let num = |x: &serde_json::Value| x.as_f64().ok_or("ground truth: number expected");
        let width = num(&v["width"])?;
        let cam = &v["camera"];
        let mut d2 = 0.0;
        for k in 0..3 {
            d2 += (num(&cam["position"][k])? - num(&cam["target"][k])?).powi(2);
        }
        let list = |key: &str| v[key].as_array().cloned().unwrap_or_default();
        Ok(Truth {
            width,
            height: num(&v["height"])?,
            focal: width * 0.5 / (num(&cam["hfov_deg"])?.to_radians() * 0.5).tan(),
            distance: d2.sqrt(),
            reps: list("reps")
                .iter()
                .map(|r| r["side"].as_str().unwrap_or("-").to_string())
                .collect(),
            hold_s: list("holds")
                .iter()
                .filter_map(|h| h["duration_s"].as_f64())
                .sum(),
        })
    }

    /// Torso length in pixels: the 3-D shoulder-to-hip distance (midpoints; from the image
    /// distance and the depth difference) seen square-on at the camera's distance, median over
    /// the clip. Unlike the distance in the image it does not shrink when the camera looks
    /// along the body.
    fn torso_px(&self, gt: &[Pose]) -> f64 {
        let metres_per_px = self.distance / self.focal;
        let mid = |p: &Pose, (l, r): (Joint, Joint)| {
            let (a, b) = (p.get(l), p.get(r));
            [
                (a.x + b.x) as f64 / 2.0,
                (a.y + b.y) as f64 / 2.0,
                (a.z + b.z) as f64 / 2.0,
            ]
        };
        let mut lengths: Vec<f64> = gt
            .iter()
            .map(|p| {
                // Shoulders and hips are the first pairs of the arms and legs.
                let (s, h) = (mid(p, ARMS[0]), mid(p, LEGS[0]));
                let flat = ((s[0] - h[0]).powi(2) + (s[1] - h[1]).powi(2)).sqrt() * metres_per_px;
                (flat.powi(2) + (s[2] - h[2]).powi(2)).sqrt()
            })
            .collect();
        lengths.sort_by(f64::total_cmp);
        lengths[lengths.len() / 2] / metres_per_px
    }
}

fn read_track(path: &Path) -> Res<Vec<(f64, Option<Pose>)>> {
    TrackReader::open(path)?
        .map(|f| f.map(|f| (f.t, f.pose)).map_err(Into::into))
        .collect()
}

fn dist(a: &Pose, ja: Joint, b: &Pose, jb: Joint) -> f64 {
    let (p, q) = (a.get(ja), b.get(jb));
    (((p.x - q.x).powi(2) + (p.y - q.y).powi(2)) as f64).sqrt()
}

/// Whether exchanging the model's left and right labels of these pairs fixes them.
fn swapped(model: &Pose, gt: &Pose, pairs: &[(Joint, Joint)], torso: f64) -> bool {
    let (mut as_is, mut exchanged) = (0.0, 0.0);
    for &(l, r) in pairs {
        as_is += dist(model, l, gt, l) + dist(model, r, gt, r);
        exchanged += dist(model, r, gt, l) + dist(model, l, gt, r);
    }
    let n = 2.0 * pairs.len() as f64 * torso;
    exchanged < 0.5 * as_is && (as_is - exchanged) / n >= SWAP_GAIN
}

/// Compares the model's track with the ground truth track, frame by frame.
fn compare(row: &mut Row, truth: &Truth, gt_track: &Path, model_track: &Path) -> Res<()> {
    let gt = read_track(gt_track)?;
    let model = read_track(model_track)?;
    if gt.len() != model.len() {
        row.notes
            .push(format!("{} frames decoded of {}", model.len(), gt.len()));
    }
    let gt_poses: Vec<Pose> = gt.iter().filter_map(|(_, p)| p.clone()).collect();
    let torso = truth.torso_px(&gt_poses);
    let joints: Vec<Joint> = ARMS
        .iter()
        .chain(&LEGS)
        .flat_map(|&(l, r)| [l, r])
        .collect();
    let (mut tracked, mut cut, mut swaps) = (0usize, 0usize, 0usize);
    let (mut sum_all, mut n_all, mut sum_vis, mut n_vis, mut near) = (0.0, 0usize, 0.0, 0, 0);
    for ((t, g), (tm, m)) in gt.iter().zip(&model) {
        if (t - tm).abs() > 0.002 {
            return Err(format!("frame times differ: {t} and {tm}").into());
        }
        let Some(g) = g else { continue };
        let outside = |j: &Joint| {
            let k = g.get(*j);
            !(0.0..truth.width).contains(&(k.x as f64))
                || !(0.0..truth.height).contains(&(k.y as f64))
        };
        cut += usize::from(joints.iter().any(outside));
        let Some(m) = m else { continue };
        tracked += 1;
        if swapped(m, g, &ARMS, torso) || swapped(m, g, &LEGS, torso) {
            swaps += 1;
        }
        for &j in &joints {
            let e = dist(m, j, g, j) / torso;
            sum_all += e;
            n_all += 1;
            near += usize::from(e <= NEAR);
            // The ground truth marks hidden joints with visibility 0.5.
            if g.visibility(j) > 0.9 {
                sum_vis += e;
                n_vis += 1;
            }
        }
    }
    let n = gt.len().max(1) as f64;
    let ratio = |a: f64, b: usize| (b > 0).then(|| a / b as f64);
    row.tracked = tracked as f64 / n;
    row.cut = cut as f64 / n;
    row.swapped = ratio(swaps as f64, tracked).unwrap_or(0.0);
    row.err_all = ratio(sum_all, n_all);
    row.err_visible = ratio(sum_vis, n_vis);
    row.found = ratio(near as f64, n_all);
    Ok(())
}

/// Whether the report counts what the ground truth has: reps exactly (with their sides), or
/// the hold within a second.
fn judge_count(row: &mut Row, truth: &Truth, report: &Report) {
    let mine: Vec<_> = report
        .exercises
        .iter()
        .filter(|s| s.exercise == row.exercise)
        .collect();
    for other in report
        .exercises
        .iter()
        .filter(|s| s.exercise != row.exercise)
    {
        row.notes.push(format!(
            "also saw {} ({} reps, {:.1} s)",
            other.exercise, other.reps, other.hold_s
        ));
    }
    let unseen = mine
        .is_empty()
        .then(|| format!("{} not recognised", row.exercise));
    if truth.reps.is_empty() {
        let hold: f64 = mine.iter().map(|s| s.hold_s).sum();
        let off = hold - truth.hold_s;
        row.count = format!("{:.1} s → {hold:.1} s", truth.hold_s);
        row.count_problem = unseen.or((off.abs() > 1.0).then(|| format!("hold {off:+.1} s")));
        return;
    }
    let reps: u32 = mine.iter().map(|s| s.reps).sum();
    let side = |f: fn(&ExerciseSet) -> Option<u32>| mine.iter().filter_map(|s| f(s)).sum::<u32>();
    let (left, right) = (side(|s| s.reps_left), side(|s| s.reps_right));
    let gt_left = truth.reps.iter().filter(|s| *s == "left").count() as u32;
    let gt_right = truth.reps.iter().filter(|s| *s == "right").count() as u32;
    let n = truth.reps.len();
    if gt_left + gt_right > 0 {
        row.count = format!("{n} (L{gt_left} R{gt_right}) → {reps} (L{left} R{right})");
    } else {
        row.count = format!("{n} → {reps}");
    }
    let sides_wrong = gt_left + gt_right > 0 && (left, right) != (gt_left, gt_right);
    row.count_problem = unseen.or(if reps as usize != n {
        Some("reps wrong".into())
    } else {
        sides_wrong.then(|| "rep sides wrong".into())
    });
}

/// Report warnings by code, with the seconds they cover.
fn warnings(report: &Report) -> Vec<String> {
    let mut codes: std::collections::BTreeMap<_, f64> = Default::default();
    for w in &report.warnings {
        *codes.entry(w.code).or_default() += w.end_s - w.start_s;
    }
    codes
        .into_iter()
        .map(|(c, s)| format!("warns {c} {s:.1} s"))
        .collect()
}

struct Study {
    renderer: PathBuf,
    dir: PathBuf,
    model: Box<dyn PoseModel>,
    config: ModelConfig,
}

impl Study {
    fn stem(&self, v: &Variant) -> PathBuf {
        self.dir.join(format!("{}-{}", v.exercise, v.id))
    }

    fn start_render(&self, v: &Variant) -> Res<Child> {
        let mut cmd = Command::new(&self.renderer);
        cmd.args(["-e", v.exercise])
            .args(clip_args(v.exercise))
            .args(v.args)
            .arg("-o")
            .arg(self.stem(v).with_extension("mp4"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        Ok(cmd.spawn()?)
    }

    fn analyse(&mut self, v: &Variant) -> Res<Row> {
        let stem = self.stem(v);
        let with = |ext: &str| PathBuf::from(format!("{}.{ext}", stem.display()));
        let stop = AtomicBool::new(false);
        let progress = Progress::new(1, true);
        // The study measures the model's own tracking.
        let settings = AnalyzeSettings::every_frame(self.config.clone(), &progress, &stop)?;
        let outputs = FrameOutputs {
            keypoints: Some(with("model.jsonl")),
            ..FrameOutputs::default()
        };
        let analysis =
            analyze::analyze_media(&with("mp4"), self.model.as_mut(), &settings, &outputs)?;
        let truth = Truth::read(&with("gt.json"))?;
        let mut row = Row {
            exercise: v.exercise,
            label: v.label,
            tracked: 0.0,
            cut: 0.0,
            swapped: 0.0,
            err_all: None,
            err_visible: None,
            found: None,
            count: String::new(),
            count_problem: None,
            notes: Vec::new(),
        };
        compare(&mut row, &truth, &with("track.jsonl"), &with("model.jsonl"))?;
        judge_count(&mut row, &truth, &analysis.report);
        row.notes.extend(warnings(&analysis.report));
        Ok(row)
    }
}

/// What went wrong compared with the exercise's baseline, or "ok".
fn verdict(row: &Row, baseline: Option<&Row>) -> String {
    let mut bad = Vec::new();
    if row.tracked < 0.9 {
        bad.push(format!("**tracked {:.0}%**", 100.0 * row.tracked));
    }
    if let Some(problem) = &row.count_problem {
        bad.push(format!("**{problem}**"));
    }
    if let (Some(e), Some(b)) = (row.err_all, baseline.and_then(|b| b.err_all))
        && e > 1.5 * b
        && e > b + 0.1
    {
        bad.push(format!("error ×{:.1}", e / b));
    }
    let base_swaps = baseline.map_or(0.0, |b| b.swapped);
    if row.swapped > 0.1 && row.swapped > base_swaps + 0.05 {
        bad.push("L/R swaps".to_string());
    }
    if row.cut > 0.0 {
        bad.push("body out of picture".to_string());
    }
    if bad.is_empty() {
        "ok".to_string()
    } else {
        bad.join(", ")
    }
}

fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| exercise | variant | tracked | error, all joints | error, visible joints | joints within 0.25 | L/R swapped | out of picture | GT → posecheck | verdict | notes |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---|---|---|\n",
    );
    let pct = |f: f64| format!("{:.0}%", 100.0 * f);
    let num = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.2}"));
    for row in rows {
        let baseline = rows
            .iter()
            .find(|b| b.exercise == row.exercise && b.label.starts_with("baseline"));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            row.exercise,
            row.label,
            pct(row.tracked),
            num(row.err_all),
            num(row.err_visible),
            row.found.map_or("–".to_string(), pct),
            pct(row.swapped),
            if row.cut > 0.0 {
                pct(row.cut)
            } else {
                "–".to_string()
            },
            row.count,
            verdict(row, baseline),
            row.notes.join("; ")
        );
    }
    out
}

const METHOD: &str = "\
Each clip is rendered by `posecheck-render` (seed 1) and analysed by posecheck with \
BlazePose-full, exercise recognition on and default smoothing, exactly as `posecheck analyze` \
does. The model's raw keypoint track is compared with the renderer's exact 2-D joints, frame \
by frame, over shoulders, elbows, wrists, hips, knees and ankles.

- **tracked**: frames with a person found, of all frames.
- **error**: mean distance between model and ground-truth joint, in torso lengths (torso = \
  shoulder-midpoint to hip-midpoint, 3-D, seen square-on at the camera's distance: about \
  100 px at 640×360 from 3 m), over tracked frames. *All joints* includes joints hidden behind \
  the body (the model must guess them); *visible joints* only those the camera sees. BlazePose's \
  hips and shoulders are not placed exactly at the joint centres the renderer uses, so even \
  the baseline is not 0.
- **joints within 0.25**: share of joints within 0.25 torso lengths.
- **L/R swapped**: tracked frames where exchanging the model's left and right labels of the \
  arms or of the legs at least halves that limb pair's error and gains ≥ 0.1 torso lengths.
- **out of picture**: frames where some of the twelve joints lie outside the image.
- **GT → posecheck**: reps in the clip → reps posecheck counted for that exercise (bird-dog \
  with sides, by the raised arm), or for planks the hold time. Flagged when the reps are not \
  exact, the hold is off by more than 1 s, or the exercise is not recognised.
- **verdict** against the same exercise's baseline: tracked < 90 %, count wrong, error > 1.5× \
  baseline (and > +0.1), swaps > 10 % (and > baseline + 5 points), body out of picture.
- **notes**: other exercises posecheck reported, and its warnings (code, seconds covered).

Clips: bird-dog 2 reps (left arm, then right) with 1.5 s holds; glute bridge 3 reps; \
superman 2 reps; planks one 6 s hold. Baselines use the renderer's defaults: side view from \
3 m at 0.55 m height, 58° field of view, 640×360, 30 fps, normal light. Every other row \
changes one thing from its exercise's baseline (the *all of* rows several). Low-contrast \
clothes: top #d6a283 and leggings #c8967a (skin #e0ac8a), or top in the wall's colour \
#a8a69c and leggings in the floor's #a88660. Clips, ground truth, model tracks and reports \
stay in `target/tracking-study/` for a closer look.";

const START: &str = "<!-- what-matters:start -->";
const END: &str = "<!-- what-matters:end -->";

/// The hand-written summary of the existing document, if any.
fn kept_summary(doc: &Path) -> String {
    let text = std::fs::read_to_string(doc).unwrap_or_default();
    match (text.find(START), text.find(END)) {
        (Some(a), Some(b)) if b > a => text[a + START.len()..b].trim().to_string(),
        _ => "_To be written from the table._".to_string(),
    }
}

fn document(rows: &[Row], summary: &str, minutes: f64) -> String {
    format!(
        "# Rendering study: what BlazePose needs to see\n\n\
         Which visual features (face, occlusion shading, clothing contrast, texture, light, \
         resolution) and which camera placements BlazePose-full and posecheck's counting depend \
         on, measured on rendered clips with exact ground truth. The table is written by \
         `cargo run --release --example tracking_study` ({} clips, {minutes:.1} min on {} \
         cores); the summary between the markers is written by hand and kept when the table is \
         regenerated.\n\n\
         ## What matters\n\n{START}\n{summary}\n{END}\n\n\
         ## Results\n\n{}\n## Method\n\n{METHOD}\n",
        rows.len(),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        table(rows)
    )
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1));
    let started = Instant::now();
    let renderer = posecheck::eval::matrix::renderer()?;
    let release = renderer
        .parent()
        .ok_or("cannot find the target directory")?;
    let dir = release.with_file_name("tracking-study");
    std::fs::create_dir_all(&dir)?;
    let chosen: Vec<Variant> = variants()
        .into_iter()
        .filter(|v| !quick || v.quick)
        .filter(|v| {
            only.is_none_or(|t| v.exercise.contains(t.as_str()) || v.label.contains(t.as_str()))
        })
        .collect();
    let config = ModelConfig {
        kind: ModelKind::BlazeposeFull,
        models_dir: pose::default_models_dir(),
        threads: 0,
    };
    let mut study = Study {
        model: analyze::load_model(&config, None)?,
        renderer,
        dir,
        config,
    };
    // The next clip renders (one core) while the model analyses this one.
    let mut rendering = match chosen.first() {
        Some(v) => Some(study.start_render(v)?),
        None => None,
    };
    let mut rows = Vec::new();
    for (i, v) in chosen.iter().enumerate() {
        let t0 = Instant::now();
        let done = rendering
            .take()
            .ok_or("no render running")?
            .wait_with_output()?;
        if let Some(next) = chosen.get(i + 1) {
            rendering = Some(study.start_render(next)?);
        }
        if !done.status.success() {
            return Err(format!(
                "posecheck-render failed for {} {}: {}",
                v.exercise,
                v.label,
                String::from_utf8_lossy(&done.stderr)
            )
            .into());
        }
        let row = study.analyse(v)?;
        eprintln!(
            "[{}/{}] {} {}: tracked {:.0}%, error {}, {} ({:.0} s)",
            i + 1,
            chosen.len(),
            v.exercise,
            v.label,
            100.0 * row.tracked,
            row.err_all.map_or("–".into(), |e| format!("{e:.2}")),
            row.count,
            t0.elapsed().as_secs_f64()
        );
        rows.push(row);
    }
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    print!("{}", table(&rows));
    println!("\n{} clips in {minutes:.1} min", rows.len());
    let doc = if quick || only.is_some() {
        study.dir.join("quick.md")
    } else {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/rendering-study.md")
    };
    let summary = kept_summary(&doc);
    std::fs::write(&doc, document(&rows, &summary, minutes))?;
    eprintln!("written {}", doc.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use posecheck_core::pose::Keypoint;

    fn pose(points: &[(Joint, f32, f32, f32)]) -> Pose {
        let mut p = Pose::default();
        for &(j, x, y, z) in points {
            p.keypoints[j.index()] = Keypoint {
                x,
                y,
                z,
                visibility: 1.0,
            };
        }
        p
    }

    /// Bird-dog from the side: the left leg straight back, the right knee on the floor.
    fn legs_apart() -> Pose {
        pose(&[
            (Joint::LeftHip, 300.0, 150.0, 0.0),
            (Joint::RightHip, 300.0, 150.0, 0.0),
            (Joint::LeftKnee, 380.0, 150.0, 0.0),
            (Joint::RightKnee, 300.0, 230.0, 0.0),
            (Joint::LeftAnkle, 460.0, 150.0, 0.0),
            (Joint::RightAnkle, 380.0, 230.0, 0.0),
        ])
    }

    fn exchange(p: &Pose, pairs: &[(Joint, Joint)]) -> Pose {
        let mut q = p.clone();
        for &(l, r) in pairs {
            q.keypoints.swap(l.index(), r.index());
        }
        q
    }

    #[test]
    fn swapped_legs_are_found_and_overlapping_ones_are_not() {
        let gt = legs_apart();
        assert!(swapped(&exchange(&gt, &LEGS), &gt, &LEGS, 100.0));
        assert!(!swapped(&gt, &gt, &LEGS, 100.0));
        // Legs side by side look the same either way round: nothing to fix.
        let together = pose(&[
            (Joint::LeftKnee, 380.0, 150.0, 0.0),
            (Joint::RightKnee, 383.0, 151.0, 0.0),
        ]);
        assert!(!swapped(
            &exchange(&together, &LEGS),
            &together,
            &LEGS,
            100.0
        ));
    }

    #[test]
    fn torso_length_does_not_shrink_when_seen_end_on() {
        let truth = Truth {
            width: 640.0,
            height: 360.0,
            focal: 500.0,
            distance: 2.5,
            reps: Vec::new(),
            hold_s: 0.0,
        };
        let trunk = |dx: f32, dz: f32| {
            pose(&[
                (Joint::LeftShoulder, 100.0, 100.0, dz),
                (Joint::RightShoulder, 100.0, 100.0, dz),
                (Joint::LeftHip, 100.0 + dx, 100.0, 0.0),
                (Joint::RightHip, 100.0 + dx, 100.0, 0.0),
            ])
        };
        // 0.5 m square-on at 2.5 m with a 500 px focal length: 100 px.
        assert!((truth.torso_px(&[trunk(100.0, 0.0)]) - 100.0).abs() < 1e-6);
        // The same trunk turned so that it is 60 px in the picture and 0.4 m deep.
        assert!((truth.torso_px(&[trunk(60.0, 0.4)]) - 100.0).abs() < 1e-6);
    }
}
