//! The pipelined analysis (decoding, inference and analysis on separate threads) gives exactly
//! what running the stages one after another gives; a replayed track gives the same report;
//! several inputs are analysed in one command.

mod common;

use std::path::Path;

use posecheck_core::report::model::Report;

fn analyze(args: &[&str]) {
    common::posecheck_ok(["analyze"].iter().chain(args).chain(&["--quiet"]));
}

fn report(path: &Path) -> Report {
    serde_json::from_str(&std::fs::read_to_string(path).expect("report")).expect("report json")
}

#[test]
fn pipelining_changes_nothing_and_replay_reproduces_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    let clip = common::repo().join("samples/superman.mp4");
    let clip = clip.to_str().unwrap();
    analyze(&[
        clip,
        "--keypoints",
        &d("piped.jsonl"),
        "--report",
        &d("piped.json"),
    ]);
    analyze(&[
        clip,
        "--sequential",
        "--keypoints",
        &d("seq.jsonl"),
        "--report",
        &d("seq.json"),
    ]);
    let piped = std::fs::read(d("piped.jsonl")).unwrap();
    assert_eq!(
        piped,
        std::fs::read(d("seq.jsonl")).unwrap(),
        "keypoints differ"
    );
    assert_eq!(
        report(Path::new(&d("piped.json"))),
        report(Path::new(&d("seq.json")))
    );
    // Re-scoring the saved track reproduces the report (the source names the track).
    analyze(&[&d("piped.jsonl"), "--report", &d("replay.json")]);
    let mut replayed = report(Path::new(&d("replay.json")));
    assert_eq!(
        replayed.source.track.as_deref(),
        Some(d("piped.jsonl").as_str())
    );
    replayed.source.track = None;
    // The provenance names each input's content: the track's, and the video's.
    let mut original = report(Path::new(&d("piped.json")));
    let (a, b) = (replayed.provenance.take(), original.provenance.take());
    assert_ne!(a.map(|p| p.input_sha256), b.map(|p| p.input_sha256));
    // How many frames the model saw is the video's analysis's to know, not the track's.
    assert!(
        original
            .model
            .frames
            .is_some_and(|n| n <= original.source.frames)
    );
    assert_eq!(replayed.model.frames, None);
    original.model.frames = None;
    assert_eq!(replayed, original);
}

#[test]
fn several_inputs_get_one_report_each() {
    let dir = tempfile::tempdir().unwrap();
    let samples = common::repo().join("samples");
    let a = samples.join("plank.mp4");
    let b = samples.join("side_plank.mp4");
    analyze(&[
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out-dir",
        dir.path().to_str().unwrap(),
        "--html",
    ]);
    for name in ["plank", "side_plank"] {
        let r = report(&dir.path().join(format!("{name}.report.json")));
        assert_eq!(r.exercises.first().map(|e| e.exercise.as_str()), Some(name));
        assert!(dir.path().join(format!("{name}.report.html")).is_file());
    }
}

/// At the adaptive pose rate the model sees every frame while a balance stand is under way,
/// which the analysis decides as it goes: the pipelined run must still give the model the same
/// frames as the sequential one (real single-leg stance, phone portrait).
#[test]
fn a_balance_clip_gets_the_same_keypoints_pipelined_and_sequential() {
    let Some(shared) = common::shared("balance clip through both pipelines") else {
        return;
    };
    let clip = shared.join("data/wild/videos/skatefit_single_leg_balance_hold.mp4");
    let clip = clip.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    for (name, extra) in [("piped", None), ("seq", Some("--sequential"))] {
        let track = d(&format!("{name}.jsonl"));
        let report = d(&format!("{name}.json"));
        let mut args = vec![clip, "--keypoints", &track, "--report", &report];
        args.extend(extra);
        analyze(&args);
    }
    assert_eq!(
        std::fs::read(d("piped.jsonl")).unwrap(),
        std::fs::read(d("seq.jsonl")).unwrap(),
        "keypoints differ"
    );
    let piped = report(Path::new(&d("piped.json")));
    assert!(
        piped
            .exercises
            .iter()
            .any(|s| s.exercise == "single_leg_stance"),
        "the stand is recognised"
    );
    assert_eq!(piped, report(Path::new(&d("seq.json"))));
}
