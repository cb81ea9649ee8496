//! Bad input ends with one line on stderr naming the file and the problem, and a non-zero
//! exit — never a panic or a backtrace. Each case runs the real binary.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use opencv::core::{Mat, Scalar, Size};
use opencv::prelude::*;
use opencv::videoio::VideoWriter;

fn posecheck(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_posecheck"))
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("run posecheck")
}

/// Asserts a clean failure whose one line of stderr contains every one of `needles`.
fn fails_with(out: &Output, needles: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "expected failure, got success; stderr: {err}"
    );
    assert_eq!(out.status.code(), Some(1), "exit code; stderr: {err}");
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

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).expect("write");
        p
    }
}

#[test]
fn unreadable_media_files() {
    let x = Scratch::new();
    let out_dir = x.path("out");
    std::fs::create_dir(&out_dir).unwrap();
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
    assert_eq!(
        std::fs::read_dir(&out_dir).unwrap().count(),
        0,
        "no half-written outputs"
    );
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
