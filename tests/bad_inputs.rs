//! Bad input ends with one line on stderr naming the file (or flag) and the problem, and a
//! non-zero exit — never a panic, a backtrace or a hang. Each case runs the real binary, as a
//! careless or hostile user would.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use opencv::core::{Mat, Scalar, Size};
use opencv::prelude::*;
use opencv::videoio::VideoWriter;

/// A run still going after this is a hang.
const HANG: Duration = Duration::from_secs(60);

/// Runs posecheck; one that has not ended after [`HANG`] is killed and fails the test.
fn posecheck(args: &[&str]) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_posecheck"))
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run posecheck");
    common::ends_within(child, HANG, &format!("posecheck {args:?}"))
}

/// Exit status of a usage error (a flag's value refused), as clap gives.
const USAGE: i32 = 2;

/// Asserts a clean failure whose one line of stderr contains every one of `needles`.
fn fails_with(out: &Output, needles: &[&str]) {
    fails_with_code(out, 1, needles);
}

fn fails_with_code(out: &Output, code: i32, needles: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "expected failure, got success; stderr: {err}"
    );
    assert_eq!(out.status.code(), Some(code), "exit code; stderr: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("stack backtrace"),
        "{err}"
    );
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line expected:\n{err}"
    );
    for n in needles {
        assert!(err.contains(n), "'{n}' missing from: {err}");
    }
}

/// No report or other output, not even half of one, was left in `dir`.
fn nothing_written(dir: &Path) {
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(left.is_empty(), "written: {left:?}");
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// A short mp4 of plain grey frames (no person).
fn write_video(path: &Path, frames: usize) {
    let fourcc = VideoWriter::fourcc('m', 'p', '4', 'v').unwrap();
    let mut w = VideoWriter::new(path, fourcc, 30.0, Size::new(320, 240), true).unwrap();
    assert!(w.is_opened().unwrap());
    let frame = Mat::new_rows_cols_with_default(240, 320, opencv::core::CV_8UC3, Scalar::all(90.0))
        .unwrap();
    for _ in 0..frames {
        w.write(&frame).unwrap();
    }
    w.release().unwrap();
}

struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// An empty directory for outputs.
    fn out_dir(&self) -> PathBuf {
        let d = self.path("out");
        std::fs::create_dir(&d).expect("create out/");
        d
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).expect("write");
        p
    }
}

#[test]
fn unreadable_media_files() {
    let x = Scratch::new();
    let out_dir = x.out_dir();
    let folder = x.path("folder.mp4");
    std::fs::create_dir(&folder).unwrap();
    let mut noise = vec![0u8; 200_000];
    let mut rng = common::synth::Rng::new(7);
    noise.iter_mut().for_each(|b| *b = rng.next_u64() as u8);
    // An mp4 cut off before its index has nothing to decode.
    let whole = x.path("whole.mp4");
    write_video(&whole, 60);
    let bytes = std::fs::read(&whole).unwrap();
    let zero = x.path("zero.mp4");
    write_video(&zero, 0);
    let blank = x.path("blank.png");
    let grey = Mat::new_rows_cols_with_default(200, 300, opencv::core::CV_8UC3, Scalar::all(128.0))
        .unwrap();
    assert!(opencv::imgcodecs::imwrite_def(s(&blank), &grey).unwrap());
    let cases: [(PathBuf, &str); 8] = [
        (x.path("missing.mp4"), "no such file"),
        (folder, "directory"),
        (x.file("empty.mp4", b""), "is empty"),
        (x.file("random.mp4", &noise), "can be decoded"),
        (
            x.file("notes.txt", b"squats 3x10\nplank 30s\n"),
            "can be decoded",
        ),
        (
            x.file("truncated.mp4", &bytes[..bytes.len() / 3]),
            "truncated.mp4",
        ),
        (zero, "zero.mp4"),
        (blank, "no person"),
    ];
    for (input, problem) in &cases {
        let name = input.file_name().and_then(|n| n.to_str()).unwrap();
        fails_with(
            &posecheck(&["analyze", s(input), "--out-dir", s(&out_dir)]),
            &[name, problem],
        );
    }
    nothing_written(&out_dir);
}

#[test]
fn broken_models_and_runtime() {
    let x = Scratch::new();
    let video = x.path("v.mp4");
    write_video(&video, 10);
    // A models directory holding the given files: (name, contents).
    let models_with = |dir: &str, files: [(&str, Vec<u8>); 2]| {
        let d = x.path(dir);
        std::fs::create_dir(&d).unwrap();
        for (name, bytes) in files {
            std::fs::write(d.join(name), bytes).unwrap();
        }
        d
    };
    let model = |name: &str| std::fs::read(common::models_dir().join(name)).unwrap();
    let analyze_with = |models: &Path| {
        posecheck(&[
            "analyze",
            s(&video),
            "--out-dir",
            s(x.dir.path()),
            "--models-dir",
            s(models),
        ])
    };
    let corrupt = models_with(
        "corrupt",
        [
            ("blazepose_detector.onnx", b"not a model at all".to_vec()),
            (
                "blazepose_landmark_full.onnx",
                model("blazepose_landmark_full.onnx"),
            ),
        ],
    );
    fails_with(
        &analyze_with(&corrupt),
        &["blazepose_detector.onnx", "cannot load"],
    );
    // A model with the wrong input shape (MoveNet's 192² where BlazePose's 256² is expected).
    let wrong = models_with(
        "wrong",
        [
            ("blazepose_detector.onnx", model("blazepose_detector.onnx")),
            (
                "blazepose_landmark_full.onnx",
                model("movenet_lightning.onnx"),
            ),
        ],
    );
    fails_with(
        &analyze_with(&wrong),
        &["blazepose_landmark_full.onnx", "input shape"],
    );
    // Missing model files.
    fails_with(
        &posecheck(&[
            "analyze",
            s(&video),
            "--out-dir",
            s(x.dir.path()),
            "--models-dir",
            s(x.dir.path()),
        ]),
        &["blazepose_detector.onnx", "not found"],
    );
    // ONNX Runtime missing, or not ONNX Runtime at all.
    fails_with(
        &posecheck(&[
            "analyze",
            s(&video),
            "--out-dir",
            s(x.dir.path()),
            "--ort-lib",
            "/nonexistent/libonnxruntime.so",
        ]),
        &["ONNX Runtime", "not found", "run.sh setup"],
    );
    let not_ort = [
        "/lib/x86_64-linux-gnu/libc.so.6",
        "/usr/lib/x86_64-linux-gnu/libc.so.6",
    ]
    .into_iter()
    .find(|p| Path::new(p).exists())
    .expect("libc");
    fails_with(
        &posecheck(&[
            "analyze",
            s(&video),
            "--out-dir",
            s(x.dir.path()),
            "--ort-lib",
            not_ort,
        ]),
        &["ONNX Runtime", "cannot load"],
    );
}

#[test]
fn bad_templates_exercises_tracks_and_output_paths() {
    let x = Scratch::new();
    let templates = x.path("templates");
    std::fs::create_dir(&templates).unwrap();
    std::fs::write(
        templates.join("lunge.toml"),
        "id = \"lunge\"\nname = \"Lunge\"\ndescription = \"d\"\ncounting = \"sets\"\n",
    )
    .unwrap();
    let track = x.file(
        "t.jsonl",
        concat!(
            r#"{"posecheck_track": 1, "skeleton": "coco17", "keypoint_names": ["nose"], "width": 10, "height": 10, "fps": 30, "source": "x", "model": "m"}"#,
            "\n{\"t\": 0.0, \"keypoints\": [[1, 2, 0, 0.9]]}\n{\"t\": 0.1, \"keypoints\": [[1, 2]]}\n"
        )
        .as_bytes(),
    );
    let od = s(x.dir.path());
    fails_with(
        &posecheck(&[
            "analyze",
            s(&track),
            "--out-dir",
            od,
            "--templates",
            s(&templates),
        ]),
        &["lunge.toml:4:", "sets"],
    );
    fails_with(
        &posecheck(&[
            "analyze",
            s(&track),
            "--out-dir",
            od,
            "--exercise",
            "pushup",
        ]),
        &["unknown exercise 'pushup'", "glute_bridge"],
    );
    fails_with(
        &posecheck(&["analyze", s(&track), "--out-dir", od]),
        &["t.jsonl:3:"],
    );
    let good = x.file(
        "good.jsonl",
        concat!(
            r#"{"posecheck_track": 1, "skeleton": "coco17", "keypoint_names": ["nose"], "width": 10, "height": 10, "fps": 30, "source": "x", "model": "m"}"#,
            "\n{\"t\": 0.0, \"keypoints\": null}\n"
        )
        .as_bytes(),
    );
    fails_with(
        &posecheck(&["analyze", s(&good), "--report", "/nonexistent-dir/r.json"]),
        &["/nonexistent-dir/r.json", "does not exist"],
    );
    fails_with(
        &posecheck(&["analyze", s(&good), "--report", "/proc/self/r.json"]),
        &["/proc/self/r.json", "cannot write"],
    );
    fails_with(
        &posecheck(&["report", "summary", s(&track)]),
        &["t.jsonl", "not a posecheck report"],
    );
}

/// A keypoint track's header line with `changes` made to a valid one (two keypoints).
fn track_header(changes: serde_json::Value) -> String {
    let mut h = serde_json::json!({
        "posecheck_track": 1, "skeleton": "coco17", "keypoint_names": ["nose", "left_shoulder"],
        "width": 640, "height": 360, "fps": 30.0, "source": "x.mp4", "model": "m"
    });
    for (k, v) in changes.as_object().expect("an object of changes") {
        h[k] = v.clone();
    }
    format!("{h}\n")
}

/// A frame line of the two-keypoint track.
const FRAME: &str = "{\"t\": 0.0, \"keypoints\": [[1.5, 2.5, 0, 0.9], [3, 4, 0, 0.8]]}\n";

#[test]
fn malformed_tracks() {
    use serde_json::json;
    let x = Scratch::new();
    let out_dir = x.out_dir();
    let ok = track_header(json!({}));
    let frame = |t: &str, points: &str| format!("{{\"t\": {t}, \"keypoints\": {points}}}\n");
    let long_line = format!("{ok}{}\n", " ".repeat(2 << 20));
    // (file name, contents, what the one line must say)
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        ("empty.jsonl", String::new(), vec!["is empty"]),
        ("header_only.jsonl", ok.clone(), vec!["has no frames"]),
        (
            "nan.jsonl",
            ok.clone() + &frame("0", "[[NaN, 2, 0, 0.9], [3, 4, 0, 0.8]]"),
            vec!["nan.jsonl:2:", "not a track frame"],
        ),
        (
            "out_of_range.jsonl",
            ok.clone() + &frame("0", "[[1e308, 2, 0, 0.9], [3, 4, 0, 0.8]]"),
            vec!["out_of_range.jsonl:2:", "number out of range"],
        ),
        (
            "huge_coordinates.jsonl",
            ok.clone() + &frame("0", "[[1e30, 2, 0, 0.9], [3, -1e30, 0, 0.8]]"),
            vec!["huge_coordinates.jsonl:2:", "from -1000000 to 1000000"],
        ),
        (
            "too_few_keypoints.jsonl",
            ok.clone() + &frame("0", "[[1, 2, 0, 0.9]]"),
            vec![
                "too_few_keypoints.jsonl:2:",
                "1 keypoints, the header names 2",
            ],
        ),
        (
            "backwards.jsonl",
            ok.clone() + &frame("1.0", "null") + &frame("0.5", "null"),
            vec![
                "backwards.jsonl:3:",
                "time 0.5 is before the previous frame's 1",
            ],
        ),
        (
            "negative_time.jsonl",
            ok.clone() + &frame("-3", "null"),
            vec![
                "negative_time.jsonl:2:",
                "outside the allowed 0 to 1000000 s",
            ],
        ),
        (
            "huge_picture.jsonl",
            track_header(json!({"width": 100000, "height": 100000})) + FRAME,
            vec!["huge_picture.jsonl:1:", "100000x100000", "1x1 to 8192x8192"],
        ),
        (
            "zero_fps.jsonl",
            track_header(json!({"fps": 0})) + FRAME,
            vec![
                "zero_fps.jsonl:1:",
                "fps 0 is outside the allowed 0.1 to 1000",
            ],
        ),
        (
            "repeated_names.jsonl",
            track_header(json!({"keypoint_names": ["nose", "nose"]})) + FRAME,
            vec!["repeated_names.jsonl:1:", "'nose' is named twice"],
        ),
        (
            "one_long_line.jsonl",
            long_line,
            vec!["one_long_line.jsonl:2:", "longer than 1 MiB"],
        ),
    ];
    for (name, text, needles) in &cases {
        let track = x.file(name, text.as_bytes());
        fails_with(
            &posecheck(&["analyze", s(&track), "--out-dir", s(&out_dir)]),
            &[&[*name], needles.as_slice()].concat(),
        );
    }
    nothing_written(&out_dir);
}

#[test]
fn absurd_option_values_are_refused_before_anything_runs() {
    let x = Scratch::new();
    let track = x.file(
        "t.jsonl",
        (track_header(serde_json::json!({})) + FRAME).as_bytes(),
    );
    let t = s(&track);
    // (arguments, what the one line must say)
    let cases: [(&[&str], &[&str]); 12] = [
        (&["analyze", t, "--jobs", "0"], &["'--jobs", "1 to 64"]),
        (&["analyze", t, "--jobs", "1000"], &["'--jobs", "1 to 64"]),
        (&["analyze", t, "--shard", "0/4"], &["'--shard", "K of N"]),
        (&["analyze", t, "--shard", "5/4"], &["'--shard", "K of N"]),
        (
            &["analyze", t, "--threads", "100000"],
            &["'--threads", "0 to 1024"],
        ),
        (
            &["analyze", t, "--threads", "-1"],
            &["'--threads", "0 to 1024"],
        ),
        (
            &["analyze", t, "--smooth-cutoff", "NaN"],
            &["'--smooth-cutoff", "0.01 to 100"],
        ),
        (
            &["analyze", t, "--smooth-cutoff", "0"],
            &["'--smooth-cutoff", "0.01 to 100"],
        ),
        (
            &["analyze", t, "--smooth-beta", "inf"],
            &["'--smooth-beta", "0 to 1000"],
        ),
        (
            &["eval", t, "--threads", "1e9"],
            &["'--threads", "0 to 1024"],
        ),
        (
            &["live", "--size", "100000x100000"],
            &["'--size", "16 to 8192"],
        ),
        // Nothing to analyse: clap's error names the argument on a line of its own.
        (
            &["analyze"],
            &["required arguments were not provided: <INPUT>..."],
        ),
    ];
    for (args, needles) in cases {
        fails_with_code(&posecheck(args), USAGE, needles);
    }
}

/// An mp4 of `frames` grey frames of `width`×`height` in YUV4MPEG2, the one container whose
/// header is plain text: the picture size is whatever the header says.
fn y4m(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = format!("YUV4MPEG2 W{width} H{height} F30:1 C420jpeg\nFRAME\n").into_bytes();
    bytes.extend(std::iter::repeat_n(128u8, 4096));
    bytes
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(ok.success(), "mkfifo {}", path.display());
}

#[test]
fn media_that_is_not_what_it_says() {
    let x = Scratch::new();
    let out_dir = x.out_dir();
    let photo = x.path("photo.png");
    let grey = Mat::new_rows_cols_with_default(200, 300, opencv::core::CV_8UC3, Scalar::all(128.0))
        .unwrap();
    assert!(opencv::imgcodecs::imwrite_def(s(&photo), &grey).unwrap());
    let renamed = x.path("photo.mp4");
    std::fs::copy(&photo, &renamed).unwrap();
    let fifo = x.path("pipe.mp4");
    mkfifo(&fifo);
    let mut half_image = b"P6\n300 200\n255\n".to_vec();
    half_image.extend([0u8; 4096]);
    // A 69-byte png declaring 30000×30000 (2.7 GB decoded): header, a little compressed
    // data and the end, checksums right.
    let huge_png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0DIHDR\x00\x00\x75\x30\x00\x00\x75\x30\x08\x02\x00\x00\x00\xE9\x45\x6F\xED\x00\x00\x00\x0CIDAT\x78\x9C\x63\x60\xA0\x0C\x00\x00\x00\x40\x00\x01\xB7\x34\x7C\xEF\x00\x00\x00\x00IEND\xAE\x42\x60\x82";
    let cases: [(PathBuf, &[&str]); 5] = [
        // FFmpeg reads a png as a one-frame video: the photo is analysed, and has nobody in it.
        (renamed, &["no person"]),
        (fifo, &["not a regular file"]),
        (
            x.file("huge.y4m", &y4m(16000, 16000)),
            &["declares 16000x16000", "up to 8192x8192"],
        ),
        (
            x.file("huge.png", huge_png),
            &["declares 30000x30000", "up to 8192x8192"],
        ),
        (
            x.file("half.ppm", &half_image),
            &["not an image that can be decoded"],
        ),
    ];
    for (input, needles) in &cases {
        let name = input.file_name().and_then(|n| n.to_str()).unwrap();
        fails_with(
            &posecheck(&["analyze", s(input), "--out-dir", s(&out_dir)]),
            &[&[name], *needles].concat(),
        );
    }
    nothing_written(&out_dir);
}

/// A template (of the glute bridge) with one line replaced.
fn edited_builtin(id: &str, from: &str, to: &str) -> String {
    let text = posecheck_core::exercise::template::BUILTIN[1].1;
    assert!(
        text.contains(from),
        "the built-in glute bridge has '{from}'"
    );
    text.replace("id = \"glute_bridge\"", &format!("id = \"{id}\""))
        .replacen(from, to, 1)
}

/// The 1-based line of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .expect("needle")
        + 1
}

#[test]
fn template_directories_with_bad_numbers_duplicates_and_non_files() {
    let x = Scratch::new();
    let track = x.file(
        "t.jsonl",
        (track_header(serde_json::json!({})) + FRAME).as_bytes(),
    );
    let dir_with = |name: &str, files: &[(&str, &str)]| {
        let d = x.path(name);
        std::fs::create_dir(&d).unwrap();
        for (file, text) in files {
            std::fs::write(d.join(file), text).unwrap();
        }
        d
    };
    let bridge = edited_builtin("bridge", "", "");
    let nan = edited_builtin("nan_bridge", "min_dwell_s = 0.15", "min_dwell_s = nan");
    let nan_threshold = edited_builtin("bridge2", "hip_extension > ", "hip_extension > nan #");
    let fifo_dir = dir_with("fifo", &[]);
    mkfifo(&fifo_dir.join("pipe.toml"));
    let cases: Vec<(PathBuf, Vec<String>)> = vec![
        (
            dir_with("duplicates", &[("a.toml", &bridge), ("b.toml", &bridge)]),
            vec![
                format!("b.toml:{}:", line_of(&bridge, "id = ")),
                "id 'bridge' is already the id of".into(),
                "a.toml".into(),
            ],
        ),
        (
            dir_with("nan", &[("nan.toml", &nan)]),
            vec![
                format!("nan.toml:{}:", line_of(&nan, "min_dwell_s")),
                "min_dwell_s = NaN is outside the allowed 0 to 3600".into(),
            ],
        ),
        (
            dir_with("nan_threshold", &[("t.toml", &nan_threshold)]),
            vec![
                format!("t.toml:{}:", line_of(&nan_threshold, "> nan")),
                "is not a number from -100000 to 100000".into(),
            ],
        ),
        (fifo_dir, vec!["pipe.toml: is not a regular file".into()]),
        (
            x.path("missing"),
            vec!["missing: is not a directory".into()],
        ),
        (track.clone(), vec!["t.jsonl: is not a directory".into()]),
    ];
    for (dir, needles) in &cases {
        let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
        fails_with(
            &posecheck(&[
                "analyze",
                s(&track),
                "--out-dir",
                s(x.dir.path()),
                "--templates",
                s(dir),
            ]),
            &needles,
        );
    }
}

#[test]
fn output_paths_that_cannot_be_written_fail_before_the_analysis() {
    let x = Scratch::new();
    let track = x.file(
        "t.jsonl",
        (track_header(serde_json::json!({})) + FRAME).as_bytes(),
    );
    let a_dir = x.path("a_dir");
    std::fs::create_dir(&a_dir).unwrap();
    let t = s(&track);
    let cases: [(&[&str], &[&str]); 5] = [
        (
            &["--out-dir", "/nonexistent-dir"],
            &["--out-dir /nonexistent-dir", "no such directory"],
        ),
        (&["--report", s(&a_dir)], &["a_dir", "is a directory"]),
        (
            &["--html", "/proc/self/r.html"],
            &["/proc/self/r.html", "cannot write"],
        ),
        (
            &["--keypoints", "/nonexistent-dir/k.jsonl"],
            &["/nonexistent-dir/k.jsonl", "does not exist"],
        ),
        (
            &["--csv", "/nonexistent-dir/s.csv"],
            &["/nonexistent-dir/s.csv", "does not exist"],
        ),
    ];
    let out_dir = x.out_dir();
    for (extra, needles) in cases {
        let mut args = vec!["analyze", t];
        args.extend_from_slice(extra);
        if !extra.contains(&"--out-dir") {
            args.extend(["--out-dir", s(&out_dir)]);
        }
        fails_with(&posecheck(&args), needles);
    }
    nothing_written(&out_dir);
}

#[test]
fn manifests_with_missing_clips_and_bad_numbers() {
    let x = Scratch::new();
    x.file("clip.mp4", b"not looked at: the manifest is refused first");
    let manifest = |name: &str, clip: &str| {
        x.file(
            name,
            format!("{{\n  \"videos\": [\n    {{\"file\": \"clip.mp4\", \"exercise\": \"plank\", \"hold_s\": 3}},\n    {clip}\n  ]\n}}\n")
                .as_bytes(),
        )
    };
    let cases: [(PathBuf, &[&str]); 6] = [
        (
            manifest(
                "missing.json",
                r#"{"file": "gone.mp4", "exercise": "plank", "hold_s": 3}"#,
            ),
            &["missing.json:4:", "gone.mp4", "not found"],
        ),
        (
            manifest(
                "reversed.json",
                r#"{"file": "clip.mp4", "exercise": "plank", "hold_interval_s": [9, 2]}"#,
            ),
            &[
                "reversed.json:3:",
                "hold_interval_s: [9, 2] ends before it starts",
            ],
        ),
        (
            manifest(
                "reps.json",
                r#"{"file": "clip.mp4", "exercise": "plank", "reps": 5000}"#,
            ),
            &[
                "reps.json:3:",
                "reps: 5000 is outside the allowed 0 to 1000",
            ],
        ),
        (
            manifest(
                "fault.json",
                r#"{"file": "clip.mp4", "exercise": "plank", "faults": [{"code": "sag", "start_s": -1, "end_s": 2}]}"#,
            ),
            &[
                "fault.json:3:",
                "fault sag: -1 is outside the allowed 0 to 86400 s",
            ],
        ),
        (
            x.file("prose.json", b"clips: a, b\n"),
            &["prose.json:1:", "not a ground-truth manifest"],
        ),
        (
            x.dir.path().to_path_buf(),
            &["is not a ground-truth manifest"],
        ),
    ];
    for (path, needles) in cases {
        fails_with(
            &posecheck(&["eval", s(&path), "--cache-dir", s(&x.path("cache")), "-q"]),
            needles,
        );
    }
}

#[test]
fn streams_that_refuse_or_never_answer_end_in_bounded_time() {
    // A port that refuses: bound and closed again. One that never answers: accepts the
    // connection and says nothing.
    let refused = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let cases = [
        (format!("http://{refused}/cam"), Duration::from_secs(3)),
        (
            format!("http://{}/cam", silent.local_addr().unwrap()),
            Duration::from_secs(9),
        ),
    ];
    for (url, bound) in &cases {
        let start = Instant::now();
        let out = posecheck(&["live", "--source", url, "--headless"]);
        fails_with(&out, &[url, "cannot be opened", "waiting up to 5 s"]);
        assert!(
            start.elapsed() < *bound,
            "{url}: took {:?}",
            start.elapsed()
        );
    }
}

#[test]
fn batches_and_merges_of_nothing_or_of_the_wrong_files() {
    let x = Scratch::new();
    let empty = x.path("empty");
    std::fs::create_dir(&empty).unwrap();
    let not_report = x.file("other.json", br#"{"posecheck_track": 1}"#);
    let cases: [(&[&str], &[&str]); 3] = [
        (&["analyze", s(&empty)], &["no videos found"]),
        (&["report", "merge", s(&empty)], &["no reports", "empty"]),
        (
            &["report", "merge", s(&not_report)],
            &["other.json", "not a posecheck report"],
        ),
    ];
    for (args, needles) in cases {
        fails_with(&posecheck(args), needles);
    }
}
