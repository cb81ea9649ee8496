//! The rendered robustness matrix: the renderer's figure (`posecheck-render`) doing every
//! exercise from the places users film from (side-on, 30°, 45° oblique, 60° and head-end
//! front; a phone on the floor, hip height, eye height; near and far; landscape and
//! portrait), with other body sizes and with form faults put in, each clip with exact ground
//! truth. The truth is written as a manifest of the same kind as the real clips', so the one
//! eval scores both.
//!
//! One factor is changed at a time from a base shot (side-on, camera at hip height 3 m away,
//! 640×360), plus the hard combination users produce most (a phone on the floor, oblique,
//! portrait), so a failing row names its cause. The full set adds the exercises' variants
//! and look-alike movements (side-on and oblique) and each form fault at two known sizes,
//! one a coach lets pass and one a coach calls (side-on).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::error::Error;

/// Which cells to render.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MatrixSize {
    /// One hard cell per exercise and two look-alikes (the CI subset).
    Quick,
    /// Every cell.
    Full,
    /// The balance stands: sway against truth, the noise floor, losses of balance (scored
    /// in a table of their own, see `eval::balance`).
    Balance,
    /// The balance set's CI subset: a still stand, one sway, one touch-down and a heel drop, at
    /// 360×640.
    BalanceQuick,
}

/// One rendered clip: its name, what it shows and the renderer's options.
struct Cell {
    name: String,
    exercise: &'static str,
    view: String,
    args: Vec<String>,
    /// Faults put in: the form is not clean.
    faulty: bool,
}

/// What each exercise does in the base shot. Holds meet the templates' targets where a short
/// hold is a warning (superman: 5 s), so a clean clip should draw no warning.
fn base(exercise: &str) -> &'static [&'static str] {
    match exercise {
        "bird_dog" => &["--reps", "4", "--hold", "2.5"],
        "glute_bridge" => &["--reps", "5", "--hold", "1.5"],
        "superman" => &["--reps", "3", "--hold", "6"],
        "kickback" => &["--reps", "6", "--hold", "0.5"],
        "cat_cow" | "dead_bug" => &["--reps", "4", "--hold", "1"],
        "push_up" => &["--reps", "6", "--hold", "0.3"],
        _ => &["--reps", "1", "--hold", "12"],
    }
}

/// The form faults the renderer can put into each exercise (code@where).
fn faults(exercise: &str) -> &'static [&'static str] {
    match exercise {
        "bird_dog" => &["leg_below_level@2", "arm_below_level@3", "bent_knee@2"],
        "glute_bridge" => &["hips_not_extended@3"],
        "plank" => &["hips_sagging@1:4-8", "hips_piked@1:4-8"],
        "side_plank" => &["hips_dropping@1:4-8", "hips_piked@1:4-8"],
        _ => &[],
    }
}

/// Variants of the exercises (renderer `--variant`).
const VARIANTS: [(&str, &str); 6] = [
    ("glute_bridge", "hands_behind_head"),
    ("glute_bridge", "single_leg"),
    ("plank", "straight_arm"),
    ("side_plank", "straight_arm"),
    ("side_plank", "top_arm_raised"),
    ("superman", "swimmer"),
];

/// Movements that look like the exercises but are none of them: nothing may be counted.
const LOOKALIKES: [&str; 5] = ["kickback", "cat_cow", "dead_bug", "push_up", "childs_pose"];

/// Each form fault at a size a coach lets pass and at one a coach calls (the renderer's
/// `=SIZE` on a fault, see render/README.md): (exercise, fault, slight, clear).
const GRADED: [(&str, &str, &str, &str); 7] = [
    ("plank", "hips_sagging@1:4-8", "3cm", "10cm"),
    ("plank", "hips_piked@1:4-8", "3cm", "10cm"),
    ("side_plank", "hips_dropping@1:4-8", "3cm", "10cm"),
    ("side_plank", "hips_piked@1:4-8", "3cm", "10cm"),
    ("glute_bridge", "hips_not_extended@3", "10deg", "30deg"),
    ("bird_dog", "leg_below_level@2", "8deg", "25deg"),
    ("bird_dog", "arm_below_level@3", "8deg", "30deg"),
];

const EXERCISES: [&str; 5] = [
    "bird_dog",
    "glute_bridge",
    "superman",
    "plank",
    "side_plank",
];

/// Camera and body variations from the base shot: (name, view, renderer options).
const VARIATIONS: [(&str, &str, &[&str]); 12] = [
    ("side", "side", &[]),
    ("az30", "30° from side-on", &["--camera-azimuth", "30"]),
    ("oblique", "oblique", &["--camera", "oblique"]),
    ("az60", "60° from side-on", &["--camera-azimuth", "60"]),
    ("front", "front", &["--camera", "front"]),
    ("floor", "side, floor camera", &["--camera-height", "0.12"]),
    ("high", "side, camera at 1.5 m", &["--camera-height", "1.5"]),
    ("near", "side, 2 m away", &["--camera-distance", "2"]),
    ("far", "side, 5 m away", &["--camera-distance", "5"]),
    ("portrait", "side, portrait", &["--size", "360x640"]),
    ("small", "side, 1.55 m person", &["--body-height", "1.55"]),
    ("tall", "side, 1.90 m person", &["--body-height", "1.9"]),
];

/// A phone on the floor, turned to portrait, at an angle: what many users do.
const PHONE_ON_FLOOR: (&str, &str, &[&str]) = (
    "phone-floor",
    "oblique, floor camera, portrait",
    &[
        "--camera",
        "oblique",
        "--camera-height",
        "0.12",
        "--size",
        "360x640",
    ],
);

fn cell(
    exercise: &'static str,
    name: &str,
    view: &str,
    extra: &[&str],
    fault: Option<&str>,
) -> Cell {
    let mut args: Vec<String> = ["-e", exercise]
        .iter()
        .chain(base(exercise))
        .chain(extra)
        .map(|s| s.to_string())
        .collect();
    if let Some(f) = fault {
        args.extend(["--fault".to_string(), f.to_string()]);
    }
    let code = fault.map(|f| {
        let code = f.split('@').next().unwrap_or(f);
        // A graded fault is named with its size.
        match f.split_once('=') {
            Some((_, size)) => format!("{code}-{size}"),
            None => code.to_string(),
        }
    });
    Cell {
        name: match code {
            Some(c) => format!("{exercise}-{name}-{c}"),
            None => format!("{exercise}-{name}"),
        },
        exercise,
        view: view.to_string(),
        args,
        faulty: fault.is_some(),
    }
}

/// A camera or body variation by its name.
fn variation(name: &str) -> (&'static str, &'static str, &'static [&'static str]) {
    VARIATIONS
        .into_iter()
        .find(|v| v.0 == name)
        .unwrap_or(VARIATIONS[0])
}

fn cells(size: MatrixSize) -> Vec<Cell> {
    let (name, view, extra) = PHONE_ON_FLOOR;
    if size == MatrixSize::Quick {
        let mut quick: Vec<Cell> = EXERCISES
            .iter()
            .map(|e| cell(e, name, view, extra, None))
            .collect();
        // Two look-alikes: a kickback at 45° (passes) and push-ups side-on (a plank to
        // posecheck: a known failure).
        let (n, v, x) = variation("oblique");
        quick.push(cell("kickback", n, v, x, None));
        let (n, v, x) = variation("side");
        quick.push(cell("push_up", n, v, x, None));
        return quick;
    }
    let mut out = Vec::new();
    for e in EXERCISES {
        out.extend(VARIATIONS.iter().map(|(n, v, x)| cell(e, n, v, x, None)));
        out.push(cell(e, name, view, extra, None));
        for (ve, v) in VARIANTS.iter().filter(|(ve, _)| *ve == e) {
            for (n, view, x) in [variation("side"), variation("oblique")] {
                let x: Vec<&str> = ["--variant", v].iter().chain(x).copied().collect();
                out.push(cell(
                    ve,
                    &format!("{v}-{n}"),
                    &format!("{view}, {v}"),
                    &x,
                    None,
                ));
            }
        }
        for (ge, f, slight, clear) in GRADED.iter().filter(|g| g.0 == e) {
            for size in [slight, clear] {
                out.push(cell(ge, "side", "side", &[], Some(&format!("{f}={size}"))));
            }
        }
        for f in faults(e) {
            out.push(cell(e, "side", "side", &[], Some(f)));
            out.push(cell(
                e,
                "oblique",
                "oblique",
                &["--camera", "oblique"],
                Some(f),
            ));
        }
    }
    for e in LOOKALIKES {
        out.extend(
            [variation("side"), variation("oblique")]
                .iter()
                .map(|(n, v, x)| cell(e, n, v, x, None)),
        );
    }
    out
}

/// The renderer's fault codes in the templates' words, per exercise.
pub fn template_code(exercise: &str, code: &str) -> String {
    match (exercise, code) {
        ("plank", "hips_sagging") => "back_sagging",
        ("plank", "hips_piked") => "back_too_high",
        ("side_plank", "hips_sagging") => "hips_dropping",
        (_, "hold_broken") if exercise != "side_plank" => "hold_too_short",
        _ => code,
    }
    .to_string()
}

/// posecheck times a hold from when the body is near the working position (the template's
/// hold band), the renderer's truth from when it is still there, so a hold reads longer by
/// part of the way in and out: up to the renderer's 1.5 s tempo of a plank.
const HOLD_READS_LONGER_S: f64 = 1.5;
/// ... and a little shorter when the band is entered late.
const HOLD_READS_SHORTER_S: f64 = 0.5;

/// The manifest entry of a rendered clip, from its ground truth (`.gt.json`).
fn entry(cell: &Cell, file: &str, gt: &Value) -> Value {
    if LOOKALIKES.contains(&cell.exercise) {
        // A negative: no reps, at most a second of hold in all, no warning.
        return json!({
            "file": file,
            "exercise": format!("none (look-alike: {})", cell.exercise),
            "view": cell.view,
            "notes": format!("rendered: posecheck-render {}", cell.args.join(" ")),
        });
    }
    let reps = gt["reps"].as_array().cloned().unwrap_or_default();
    let holds = gt["holds"].as_array().cloned().unwrap_or_default();
    let mut e = json!({
        "file": file,
        "exercise": cell.exercise,
        "view": cell.view,
        "notes": format!("rendered: posecheck-render {}", cell.args.join(" ")),
    });
    let faults: Vec<Value> = gt["faults"]
        .as_array()
        .map(|fs| {
            // A fault too slight for a coach to call is advice: no warning may be given for
            // it (the clip is clean form if it has nothing else), and it does not cut the
            // hold in the truth.
            fs.iter()
                .filter(|f| f["severity"] != "advice")
                .map(|f| {
                    json!({
                        "code": template_code(cell.exercise, f["code"].as_str().unwrap_or("")),
                        "start_s": f["start_s"],
                        "end_s": f["end_s"],
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    // Clean form: nothing of severity warning should be called.
    e["faults"] = if cell.faulty {
        json!(faults)
    } else {
        json!([])
    };
    if matches!(cell.exercise, "plank" | "side_plank") {
        let total: f64 = holds.iter().filter_map(|h| h["duration_s"].as_f64()).sum();
        let n = holds.len() as f64;
        e["holds"] = json!(
            holds
                .iter()
                .map(|h| json!({"side": h["side"], "start_s": h["start_s"], "end_s": h["end_s"]}))
                .collect::<Vec<_>>()
        );
        e["accept_hold_s"] = json!([
            (total - n * HOLD_READS_SHORTER_S).max(0.0),
            total + n * HOLD_READS_LONGER_S
        ]);
    } else {
        e["reps"] = json!(reps.len());
        e["accept_reps"] = json!([reps.len(), reps.len()]);
        e["rep_tops_s"] = json!(reps.iter().map(|r| r["top_s"].clone()).collect::<Vec<_>>());
    }
    e
}

/// The renderer built beside this program (or, for an example, beside the directory it is
/// in: target/release/examples/).
pub fn renderer() -> Result<PathBuf, Error> {
    let exe = std::env::current_exe().map_err(|e| Error::invalid(format!("own path: {e}")))?;
    let beside = exe.with_file_name("posecheck-render");
    let above = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("posecheck-render"));
    match above.filter(|r| r.is_file() && !beside.is_file()) {
        Some(r) => Ok(r),
        None if beside.is_file() => Ok(beside),
        None => Err(Error::invalid(format!(
            "{} is missing: build the whole workspace (cargo build --release --workspace)",
            beside.display()
        ))),
    }
}

/// Renders `dir/NAME.mp4` with the renderer's `args` unless it is there from the same
/// options, and returns its ground truth (`NAME.gt.json`). `label` names it in the progress.
pub(crate) fn render_clip(
    dir: &Path,
    name: &str,
    args: &[String],
    label: Option<&str>,
) -> Result<Value, Error> {
    let clip = dir.join(format!("{name}.mp4"));
    let gt_path = dir.join(format!("{name}.gt.json"));
    let args_path = dir.join(format!("{name}.args"));
    let joined = args.join(" ");
    let current = clip.is_file()
        && gt_path.is_file()
        && std::fs::read_to_string(&args_path).is_ok_and(|a| a == joined);
    if !current {
        // A render stopped part-way must not pass for a finished one next time.
        let _ = std::fs::remove_file(&args_path);
        if let Some(label) = label {
            eprintln!("rendering {label}: {name}");
        }
        let renderer = renderer()?;
        let out = Command::new(&renderer)
            .args(args)
            .arg("-o")
            .arg(&clip)
            .output()
            .map_err(|e| Error::invalid(format!("{}: {e}", renderer.display())))?;
        if !out.status.success() {
            return Err(Error::invalid(format!(
                "rendering {name} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        std::fs::write(&args_path, &joined).map_err(|e| Error::io(&args_path, e))?;
    }
    let text = std::fs::read_to_string(&gt_path).map_err(|e| Error::io(&gt_path, e))?;
    serde_json::from_str(&text)
        .map_err(|e| Error::input(&gt_path, format!("not the renderer's truth: {e}")))
}

/// Renders the matrix's clips into `dir` (a clip already rendered with the same options is
/// kept: after changing the renderer, empty the directory) and writes their truth as
/// `dir/manifest.json`, which it returns.
pub fn build(dir: &Path, size: MatrixSize, quiet: bool) -> Result<PathBuf, Error> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let cells = cells(size);
    let mut videos = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        let label = format!("{}/{}", i + 1, cells.len());
        let gt = render_clip(
            dir,
            &cell.name,
            &cell.args,
            (!quiet).then_some(label.as_str()),
        )?;
        videos.push(entry(cell, &format!("{}.mp4", cell.name), &gt));
    }
    let manifest = json!({
        "about": "The rendered robustness matrix (posecheck eval --matrix): the renderer's figure with exact ground truth, one factor changed at a time from a side-on shot at hip height, 3 m, 640x360.",
        "videos": videos,
    });
    let path = dir.join("manifest.json");
    let text = serde_json::to_string_pretty(&manifest)
        .map_err(|e| Error::invalid(format!("manifest: {e}")))?;
    posecheck_core::atomic::write(&path, text.as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_and_look_alikes_are_filmed_side_on_and_at_45_degrees() {
        let names: Vec<String> = cells(MatrixSize::Full)
            .into_iter()
            .map(|c| c.name)
            .collect();
        for name in [
            "kickback-side",
            "kickback-oblique",
            "glute_bridge-single_leg-oblique",
            "superman-swimmer-side",
            "bird_dog-az30",
            "bird_dog-az60",
        ] {
            assert!(names.iter().any(|n| n == name), "{name} not in {names:?}");
        }
        assert!(
            !names.iter().any(|n| n.contains("swimmer-az30")),
            "{names:?}"
        );
        let quick: Vec<String> = cells(MatrixSize::Quick)
            .into_iter()
            .map(|c| c.name)
            .collect();
        assert!(quick.contains(&"kickback-oblique".to_string()), "{quick:?}");
    }
}
