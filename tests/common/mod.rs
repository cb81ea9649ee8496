//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses its own subset

/// The synthetic-body generator of the core's tests (its random numbers are used here).
#[path = "../../crates/core/tests/common/synth.rs"]
pub mod synth;
pub mod video;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` (real footage and references), or `None` after saying loudly that the test is
/// skipped. Tests that need it return early; nothing else is skipped.
pub fn shared(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("POSECHECK_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared"));
    if dir.join("data/manifest.json").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "\n*** SKIPPED {test}: {} not found (real footage lives in ../shared) ***\n",
            dir.display()
        );
        None
    }
}

/// The renderer built beside the test binaries.
pub fn renderer() -> PathBuf {
    let exe = std::env::current_exe().expect("test exe");
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let r = dir.join("posecheck-render");
    assert!(
        r.is_file(),
        "{} missing: build the workspace first (./run.sh test does)",
        r.display()
    );
    r
}

pub fn models_dir() -> PathBuf {
    repo().join("models")
}

/// The posecheck binary built for these tests, with its data directory (the default history
/// database) in a scratch place, never the user's.
pub fn posecheck_command() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_posecheck"));
    c.env(
        "XDG_DATA_HOME",
        std::env::temp_dir().join("posecheck-tests-data"),
    );
    c
}

/// Runs the posecheck binary built for these tests.
pub fn posecheck<I, S>(args: I) -> std::process::Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    posecheck_command()
        .args(args)
        .output()
        .expect("run posecheck")
}

/// Waits for `child` to end, at most `limit`; kills it and fails the test if it does not
/// (output beyond a pipe's 64 KiB would stall it: these runs print a few lines).
pub fn ends_within(mut child: std::process::Child, limit: Duration, what: &str) -> Output {
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("{what}: still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().expect("output")
}

/// Runs posecheck and returns its stdout; fails the test with its stderr if it fails.
pub fn posecheck_ok<I, S>(args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let args: Vec<S> = args.into_iter().collect();
    let shown: Vec<_> = args
        .iter()
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .collect();
    let out = posecheck(&args);
    assert!(
        out.status.success(),
        "posecheck {} failed ({}):\n{}",
        shown.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Writes a keypoint track (the documented JSON Lines format) of a synthetic glute bridge,
/// a figure lying on its back seen from its left side: 13 s at 30 fps, three reps in which
/// the hips rise until the hip angle goes from 130° to about 174° (the third only to about
/// 166°, short of a straight line, so the report has a fault), nobody in view from 11.0 to
/// 11.8 s and the knees hidden from 12.0 to 12.4 s (so the plot has gaps).
pub fn write_glute_bridge_track(path: &Path) {
    use posecheck_core::skeleton::Joint;
    use std::f64::consts::PI;

    const FPS: f64 = 30.0;
    // Rep k starts at 1.0 + 3.6k s; the torso's lift above the floor in degrees.
    let torso_lift = |t: f64| -> f64 {
        let (k, u) = (((t - 1.0) / 3.6).floor(), (t - 1.0).rem_euclid(3.6));
        let amplitude = match k as i64 {
            0 | 1 => 26.0,
            2 => 22.0,
            _ => return 0.0,
        };
        if t < 1.0 || u >= 2.7 {
            0.0
        } else if u < 0.7 {
            amplitude * 0.5 * (1.0 - (PI * u / 0.7).cos())
        } else if u < 2.0 {
            amplitude
        } else {
            amplitude * 0.5 * (1.0 + (PI * (u - 2.0) / 0.7).cos())
        }
    };
    let frame = |t: f64| -> serde_json::Value {
        if (11.0..11.8).contains(&t) {
            return serde_json::Value::Null;
        }
        // Shoulders and feet stay on the floor, the knees up; the hips swing up about the
        // shoulders, towards the shoulder–knee line.
        let lift = torso_lift(t).to_radians();
        let (shoulder, knee, ankle) = ((150.0, 280.0), (360.0, 161.0), (440.0, 285.0));
        let hip = (150.0 + 110.0 * lift.cos(), 280.0 - 110.0 * lift.sin());
        let (elbow, wrist) = ((205.0, 286.0), (255.0, 288.0));
        let points: Vec<[f64; 4]> = Joint::ALL
            .iter()
            .map(|j| {
                let name = j.name();
                let far = name.starts_with("right_") || name == "mouth_right";
                let part = name
                    .trim_start_matches("left_")
                    .trim_start_matches("right_");
                let (x, y) = match part {
                    "nose" => (100.0, 266.0),
                    "eye_inner" => (112.0, 262.0),
                    "eye" => (110.0, 261.0),
                    "eye_outer" => (108.0, 262.0),
                    "ear" => (125.0, 268.0),
                    "mouth_left" | "mouth_right" => (104.0, 274.0),
                    "shoulder" => shoulder,
                    "elbow" => elbow,
                    "wrist" => wrist,
                    "pinky" => (wrist.0 + 12.0, wrist.1 + 1.0),
                    "index" => (wrist.0 + 13.0, wrist.1),
                    "thumb" => (wrist.0 + 9.0, wrist.1 - 3.0),
                    "hip" => hip,
                    "knee" => knee,
                    "ankle" => ankle,
                    "heel" => (ankle.0 - 6.0, ankle.1 + 6.0),
                    "foot_index" => (ankle.0 + 22.0, ankle.1 + 2.0),
                    other => panic!("no place for {other} in the synthetic figure"),
                };
                let mut visibility = if far { 0.7 } else { 0.95 };
                if part == "knee" && (12.0..12.4).contains(&t) {
                    visibility = 0.1;
                }
                // The far side sits a little behind and above the near one, as a camera
                // looking along the floor sees it.
                let (dx, dy) = if far { (4.0, -3.0) } else { (0.0, 0.0) };
                let round = |v: f64| (v * 100.0).round() / 100.0;
                [round(x + dx), round(y + dy), 0.0, visibility]
            })
            .collect();
        serde_json::json!(points)
    };
    // Written by hand rather than with `json!` (which sorts keys): posecheck recognises a
    // track by "posecheck_track" near the start of the file.
    let names: Vec<&str> = Joint::ALL.iter().map(|j| j.name()).collect();
    let header = format!(
        "{{\"posecheck_track\": 1, \"skeleton\": \"blazepose33\", \"keypoint_names\": {}, \
         \"width\": 640, \"height\": 360, \"fps\": {FPS:.1}, \"source\": \"synthetic_glute_bridge.mp4\", \
         \"model\": \"synthetic\"}}",
        serde_json::json!(names)
    );
    let mut text = format!("{header}\n");
    for i in 0..(13.0 * FPS) as u32 {
        let t = f64::from(i) / FPS;
        let line = serde_json::json!({ "t": (t * 1e4).round() / 1e4, "keypoints": frame(t) });
        text.push_str(&format!("{line}\n"));
    }
    std::fs::write(path, text).expect("write the synthetic track");
}

/// A report and its HTML page, written by the real binary.
pub struct MadeReport {
    /// What it was made from, for failure messages.
    pub what: String,
    pub report: PathBuf,
    pub html: PathBuf,
}

/// Runs `posecheck analyze INPUT` writing `DIR/STEM.report.json` and `.report.html`.
fn analyze_into(dir: &Path, what: &str, input: &Path, stem: &str, extra: &[&Path]) -> MadeReport {
    let report = dir.join(format!("{stem}.report.json"));
    let html = dir.join(format!("{stem}.report.html"));
    let mut args = vec![Path::new("analyze"), input, Path::new("--report"), &report];
    args.extend([Path::new("--html"), &html]);
    args.extend_from_slice(extra);
    args.extend([Path::new("--out-dir"), dir, Path::new("-q")]);
    posecheck_ok(&args);
    MadeReport {
        what: what.into(),
        report,
        html,
    }
}

/// Reports made by the real binary, once per test binary and shared by its tests: one from
/// the synthetic glute-bridge track (always), and, when ../shared is there, one from the model
/// run on a real clip (which also saves its keypoint track) and one re-scored from that track.
/// They stay under `target/tmp/` to look at after a failure.
pub fn made_reports(name: &str) -> &'static [MadeReport] {
    static MADE: std::sync::OnceLock<Vec<MadeReport>> = std::sync::OnceLock::new();
    MADE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the test's output directory");
        let synthetic = dir.join("synthetic_glute_bridge.jsonl");
        write_glute_bridge_track(&synthetic);
        let mut made = vec![analyze_into(
            &dir,
            "synthetic glute-bridge track",
            &synthetic,
            "synthetic",
            &[],
        )];
        if let Some(shared) = shared(&format!("{name}: reports from a real clip")) {
            made.extend(clip_reports(
                &shared.join("data/videos/palfit_superman.mp4"),
            ));
        }
        made
    })
}

/// The model run on a real clip takes seconds, so its outputs are kept for the other test
/// binaries: in a directory named after the posecheck binary and the clip (a rebuilt binary
/// makes them anew), moved into place only when complete.
fn clip_reports(clip: &Path) -> Vec<MadeReport> {
    use std::hash::{Hash, Hasher};

    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("clip_reports");
    let mut key = std::collections::hash_map::DefaultHasher::new();
    for file in [Path::new(env!("CARGO_BIN_EXE_posecheck")), clip] {
        let meta = std::fs::metadata(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        (file, meta.len(), meta.modified().ok()).hash(&mut key);
    }
    let dir = root.join(format!("{:016x}", key.finish()));
    let (what_run, what_rescored) = (
        "real clip (model run)",
        "real clip's keypoint track (re-scored)",
    );
    let made = |dir: &Path| {
        let at = |stem: &str, what: &str| MadeReport {
            what: format!("{what}, {}", clip.display()),
            report: dir.join(format!("{stem}.report.json")),
            html: dir.join(format!("{stem}.report.html")),
        };
        vec![at("video", what_run), at("rescored", what_rescored)]
    };
    if dir.is_dir() {
        return made(&dir);
    }
    // Outputs of older binaries go; other binaries' work in progress (".staging…") stays.
    for entry in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        if !entry.file_name().to_string_lossy().starts_with(".staging") {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    std::fs::create_dir_all(&root).expect("create target/tmp/clip_reports");
    let staging = tempfile::Builder::new()
        .prefix(".staging")
        .tempdir_in(&root)
        .expect("staging directory");
    let track = staging.path().join("keypoints.jsonl");
    analyze_into(
        staging.path(),
        what_run,
        clip,
        "video",
        &[Path::new("--keypoints"), &track],
    );
    analyze_into(staging.path(), what_rescored, &track, "rescored", &[]);
    // Another test binary may have got there first; its outputs are as good.
    let kept = staging.keep();
    if std::fs::rename(&kept, &dir).is_err() {
        let _ = std::fs::remove_dir_all(&kept);
    }
    made(&dir)
}

/// Reads a report written by the binary.
pub fn read_report(path: &Path) -> posecheck_core::report::model::Report {
    posecheck_core::report::json::read_report(path).unwrap_or_else(|e| panic!("{e}"))
}

/// `posecheck eval --matrix SIZE --json --quiet`, the rendered clips and their tracks kept in
/// the tests' scratch directory under `name` (a second run renders nothing); the results.
pub fn eval_matrix(size: &str, name: &str) -> serde_json::Value {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let out = posecheck_command()
        .args(["eval", "--matrix", size, "--json", "--quiet"])
        .arg("--matrix-dir")
        .arg(tmp.join(name))
        .arg("--cache-dir")
        .arg(tmp.join(format!("{name}-eval-cache")))
        .output()
        .expect("run posecheck");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("eval json")
}
