//! Geometry study: does a template signal measure better in the picture (2-D, as posecheck
//! measured every signal before world points were kept) or on BlazePose's 3-D world
//! landmarks, and from which camera views?
//!
//! ```text
//! cargo build --release -p posecheck-render
//! cargo run --release --example geometry_study -- [--quick] [--dir DIR]
//! ```
//!
//! Renders the five floor exercises with `posecheck-render` from camera azimuths 0, 30, 45, 60
//! and 90° (side-on to the head end) at three camera heights (floor 0.12 m, hip 0.55 m,
//! 1.5 m), short clips at 640×360 and 15 fps, runs BlazePose-full on every frame, and measures
//! every template signal that is taken on body points (angles, inclines and elevations to the
//! floor, deviations from a line) three ways: in the picture, on the world points, and on the
//! world points with both sides mixed by visibility (signals taken from the side facing the
//! camera). Each is compared with the same signal on the renderer's exact 3-D joints, frame by
//! frame. Prints Markdown tables of the error (median and 90th percentile) per signal and
//! azimuth, and per camera height. Clips and tracks are kept in `target/geometry-study/` (or
//! `--dir`): a second run only re-scores them. `--quick`: azimuths 0 and 60 at hip height.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;

use posecheck::analyze::{self, AnalyzeSettings, FrameOutputs};
use posecheck::progress::Progress;
use posecheck_core::eval::geometry::{Measurer, Variant, compared, truth_poses, weighs_sides};
use posecheck_core::exercise::Template;
use posecheck_core::exercise::template;
use posecheck_core::report::model::Unit;
use posecheck_core::track::TrackReader;
use posecheck_pose::{self as pose, ModelConfig, ModelKind, PoseModel};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const EXERCISES: [&str; 5] = [
    "bird_dog",
    "glute_bridge",
    "side_plank",
    "superman",
    "plank",
];
const AZIMUTHS: [u32; 5] = [0, 30, 45, 60, 90];
/// Camera heights: (name, metres).
const HEIGHTS: [(&str, &str); 3] = [("floor", "0.12"), ("hip", "0.55"), ("1.5 m", "1.5")];

/// A few reps or a short hold: the study measures geometry, not counting.
fn clip_args(exercise: &str) -> &'static [&'static str] {
    match exercise {
        "bird_dog" => &["--reps", "2", "--hold", "2"],
        "glute_bridge" => &["--reps", "3"],
        "superman" => &["--reps", "2", "--hold", "2"],
        _ => &["--hold", "4"],
    }
}

/// One rendered view of one exercise.
struct Clip {
    exercise: &'static str,
    azimuth: u32,
    height: &'static str,
    args: Vec<String>,
    stem: PathBuf,
}

fn clips(dir: &Path, quick: bool) -> Vec<Clip> {
    let mut out = Vec::new();
    for e in EXERCISES {
        for az in AZIMUTHS
            .into_iter()
            .filter(|a| !quick || [0, 60].contains(a))
        {
            for (h, metres) in HEIGHTS.into_iter().filter(|h| !quick || h.0 == "hip") {
                let mut args: Vec<String> = ["-e", e]
                    .iter()
                    .chain(clip_args(e))
                    .map(|s| s.to_string())
                    .collect();
                args.extend(
                    [
                        "--camera-azimuth",
                        &az.to_string(),
                        "--camera-height",
                        metres,
                        "--fps",
                        "15",
                        "--size",
                        "640x360",
                    ]
                    .map(String::from),
                );
                let tag = h.replace([' ', '.'], "");
                out.push(Clip {
                    exercise: e,
                    azimuth: az,
                    height: h,
                    args,
                    stem: dir.join(format!("{e}-az{az}-{tag}")),
                });
            }
        }
    }
    out
}

fn with(stem: &Path, ext: &str) -> PathBuf {
    PathBuf::from(format!("{}.{ext}", stem.display()))
}

/// Renders the clip and runs the model on every frame, unless both were done with the same
/// options.
fn make(clip: &Clip, renderer: &Path, model: &mut dyn PoseModel, config: &ModelConfig) -> Res<()> {
    let args_file = with(&clip.stem, "args");
    let args = clip.args.join(" ");
    if std::fs::read_to_string(&args_file).is_ok_and(|a| a == args)
        && with(&clip.stem, "model.jsonl").is_file()
    {
        return Ok(());
    }
    let _ = std::fs::remove_file(&args_file);
    let out = Command::new(renderer)
        .args(&clip.args)
        .arg("-o")
        .arg(with(&clip.stem, "mp4"))
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "posecheck-render {args}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )
        .into());
    }
    let stop = AtomicBool::new(false);
    let progress = Progress::new(1, true);
    let settings = AnalyzeSettings::every_frame(config.clone(), &progress, &stop)?;
    let outputs = FrameOutputs {
        keypoints: Some(with(&clip.stem, "model.jsonl")),
        ..FrameOutputs::default()
    };
    analyze::analyze_media(&with(&clip.stem, "mp4"), model, &settings, &outputs)?;
    std::fs::write(&args_file, args)?;
    Ok(())
}

/// Errors of one signal (`exercise.signal`) measured one way from one view.
type Key = (String, Variant, u32, &'static str);

/// Every compared signal's error, frame by frame, from one clip.
fn score(clip: &Clip, tpl: &Template, errors: &mut BTreeMap<Key, Vec<f32>>) -> Res<()> {
    let gt: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(with(&clip.stem, "gt.json"))?)?;
    let truth = truth_poses(&gt)?;
    let size = (
        gt["width"].as_u64().unwrap_or(640) as u32,
        gt["height"].as_u64().unwrap_or(360) as u32,
    );
    let track: Vec<_> =
        TrackReader::open(&with(&clip.stem, "model.jsonl"))?.collect::<Result<_, _>>()?;
    if track.len() != truth.len() {
        return Err(format!(
            "{}: {} model frames, {} in the ground truth",
            clip.stem.display(),
            track.len(),
            truth.len()
        )
        .into());
    }
    let mut exact = Measurer::exact(tpl);
    let mut measured: Vec<(Variant, Measurer)> = Variant::ALL
        .iter()
        .map(|v| (*v, Measurer::new(tpl, *v, size)))
        .collect();
    for ((t, true_pose), frame) in truth.iter().zip(&track) {
        let want: Vec<Option<f32>> = exact.frame(*t, true_pose).iter().map(|v| v.value).collect();
        let Some(pose) = &frame.pose else { continue };
        for (variant, m) in &mut measured {
            let got = m.frame(frame.t, pose);
            for (i, spec) in tpl.signals.iter().enumerate() {
                let mixed = *variant != Variant::Weighted || weighs_sides(&spec.side);
                if !compared(&spec.measure) || !mixed {
                    continue;
                }
                if let (Some(a), Some(b)) = (got[i].value, want[i]) {
                    errors
                        .entry((
                            format!("{}.{}", tpl.id, spec.name),
                            *variant,
                            clip.azimuth,
                            clip.height,
                        ))
                        .or_default()
                        .push((a - b).abs());
                }
            }
        }
    }
    Ok(())
}

fn quantile(v: &mut [f32], q: f32) -> Option<f32> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f32::total_cmp);
    Some(v[((v.len() - 1) as f32 * q).round() as usize])
}

/// Errors of a signal measured one way, pooled over the views `keep` accepts.
fn pooled(
    errors: &BTreeMap<Key, Vec<f32>>,
    signal: &str,
    variant: Variant,
    keep: impl Fn(u32, &str) -> bool,
) -> Vec<f32> {
    errors
        .iter()
        .filter(|((s, v, az, h), _)| s == signal && *v == variant && keep(*az, h))
        .flat_map(|(_, e)| e.iter().copied())
        .collect()
}

/// A difference too small to choose by: a degree, or 1 % of a length.
fn tie(unit: Unit) -> f32 {
    if unit == Unit::Degrees { 1.0 } else { 0.01 }
}

fn number(v: Option<f32>, unit: Unit) -> String {
    match v {
        None => "–".into(),
        Some(x) if unit == Unit::Degrees => format!("{x:.1}"),
        Some(x) => format!("{x:.3}"),
    }
}

/// The way that measures a signal best from the pooled views: the lowest median, unless
/// 2-D is within [`tie`] of it (then 2-D, which needs no world points).
fn best(
    errors: &BTreeMap<Key, Vec<f32>>,
    signal: &str,
    unit: Unit,
    keep: impl Fn(u32, &str) -> bool + Copy,
) -> &'static str {
    let med = |v| quantile(&mut pooled(errors, signal, v, keep), 0.5);
    let Some(flat) = med(Variant::Picture) else {
        return "–";
    };
    let (variant, m) = Variant::ALL
        .iter()
        .filter_map(|v| med(*v).map(|m| (*v, m)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or((Variant::Picture, flat));
    if flat - m < tie(unit) {
        Variant::Picture.name()
    } else {
        variant.name()
    }
}

/// The Markdown tables.
fn tables(errors: &BTreeMap<Key, Vec<f32>>, templates: &[Template], azimuths: &[u32]) -> String {
    let mut out = String::new();
    let signals: Vec<(String, Unit)> = EXERCISES
        .iter()
        .filter_map(|e| templates.iter().find(|t| t.id == *e))
        .flat_map(|t| {
            t.signals
                .iter()
                .filter(|s| compared(&s.measure))
                .map(|s| format!("{}.{}", t.id, s.name))
                .zip(t.signals.iter().filter(|s| compared(&s.measure)))
                .map(|(name, s)| (name, s.measure.unit()))
                .collect::<Vec<_>>()
        })
        .filter(|(s, _)| errors.keys().any(|k| &k.0 == s))
        .collect();
    let cell = |signal: &str, unit: Unit, q: f32, keep: &dyn Fn(u32, &str) -> bool| {
        Variant::ALL
            .iter()
            .map(|v| number(quantile(&mut pooled(errors, signal, *v, keep), q), unit))
            .collect::<Vec<_>>()
            .join(" / ")
    };
    let unit_name = |u: Unit| if u == Unit::Degrees { "°" } else { "lengths" };
    for (q, what) in [(0.5, "Median"), (0.9, "90th-percentile")] {
        let _ = writeln!(
            out,
            "\n### {what} error per camera azimuth (camera heights pooled): 2-D / 3-D / 3-D weighted\n"
        );
        let heads: Vec<String> = azimuths.iter().map(|a| format!("{a}°")).collect();
        let _ = writeln!(out, "| signal | unit | {} |", heads.join(" | "));
        let _ = writeln!(out, "|---|---|{}", "---:|".repeat(azimuths.len()));
        for (s, u) in &signals {
            let cells: Vec<String> = azimuths
                .iter()
                .map(|a| cell(s, *u, q, &|az, _| az == *a))
                .collect();
            let _ = writeln!(out, "| {s} | {} | {} |", unit_name(*u), cells.join(" | "));
        }
    }
    let _ = writeln!(
        out,
        "\n### Median error per camera height (azimuths pooled): 2-D / 3-D / 3-D weighted\n"
    );
    let _ = writeln!(out, "| signal | {} |", HEIGHTS.map(|h| h.0).join(" | "));
    let _ = writeln!(out, "|---|{}", "---:|".repeat(HEIGHTS.len()));
    for (s, u) in &signals {
        let cells: Vec<String> = HEIGHTS
            .iter()
            .map(|(h, _)| cell(s, *u, 0.5, &|_, x| x == *h))
            .collect();
        let _ = writeln!(out, "| {s} | {} |", cells.join(" | "));
    }
    let _ = writeln!(
        out,
        "\n### Best way per signal and azimuth (lowest median; 2-D unless another beats it by more than 1° or 0.01)\n"
    );
    let heads: Vec<String> = azimuths.iter().map(|a| format!("{a}°")).collect();
    let _ = writeln!(out, "| signal | {} |", heads.join(" | "));
    let _ = writeln!(out, "|---|{}", "---|".repeat(azimuths.len()));
    for (s, u) in &signals {
        let cells: Vec<&str> = azimuths
            .iter()
            .map(|a| best(errors, s, *u, move |az, _| az == *a))
            .collect();
        let _ = writeln!(out, "| {s} | {} |", cells.join(" | "));
    }
    out
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let renderer = posecheck::eval::matrix::renderer()?;
    let dir = match args.iter().position(|a| a == "--dir") {
        Some(i) => PathBuf::from(args.get(i + 1).ok_or("--dir needs a directory")?),
        // target/release/posecheck-render → target/geometry-study
        None => renderer
            .parent()
            .ok_or("cannot find the target directory")?
            .with_file_name("geometry-study"),
    };
    std::fs::create_dir_all(&dir)?;
    let config = ModelConfig {
        kind: ModelKind::BlazeposeFull,
        models_dir: pose::default_models_dir(),
        threads: 0,
    };
    let mut model = analyze::load_model(&config, None)?;
    let templates = template::load_all(None)?;
    let chosen = clips(&dir, quick);
    let mut errors = BTreeMap::new();
    for (i, clip) in chosen.iter().enumerate() {
        eprintln!(
            "[{}/{}] {} azimuth {}° camera {}",
            i + 1,
            chosen.len(),
            clip.exercise,
            clip.azimuth,
            clip.height
        );
        make(clip, &renderer, model.as_mut(), &config)?;
        let tpl = templates
            .iter()
            .find(|t| t.id == clip.exercise)
            .ok_or("no template for the exercise")?;
        score(clip, tpl, &mut errors)?;
    }
    let azimuths: Vec<u32> = AZIMUTHS
        .into_iter()
        .filter(|a| chosen.iter().any(|c| c.azimuth == *a))
        .collect();
    println!(
        "Geometry study: {} clips (BlazePose-full, every frame), errors against the renderer's exact 3-D joints.",
        chosen.len()
    );
    print!("{}", tables(&errors, &templates, &azimuths));
    Ok(())
}
