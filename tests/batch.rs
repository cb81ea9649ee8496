//! Batch analysis: a directory walked for videos, two jobs at once, a broken file reported
//! while the others go on, current reports skipped on a second run (and redone when the
//! options change), and the reports merged into one table.

mod common;

use std::path::Path;

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(from, to).unwrap();
}

#[test]
fn a_directory_is_analysed_resumed_and_merged() {
    let dir = tempfile::tempdir().unwrap();
    let (inp, out) = (dir.path().join("in"), dir.path().join("out"));
    let samples = common::repo().join("samples");
    copy(&samples.join("plank.mp4"), &inp.join("plank.mp4"));
    copy(
        &samples.join("bird_dog.mp4"),
        &inp.join("week2/bird_dog.mp4"),
    );
    std::fs::write(inp.join("week2/broken.mp4"), b"not a video").unwrap();
    std::fs::write(inp.join("notes.txt"), b"not an input").unwrap();
    std::fs::create_dir(&out).unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "analyze",
            inp.to_str().unwrap(),
            "--out-dir",
            out.to_str().unwrap(),
            "--jobs",
            "2",
        ];
        args.extend_from_slice(extra);
        common::posecheck(&args)
    };

    let first = run(&[]);
    let err = String::from_utf8_lossy(&first.stderr);
    assert_eq!(first.status.code(), Some(1), "{err}");
    assert!(
        err.contains("broken.mp4") && err.contains("1 of 3 inputs failed"),
        "{err}"
    );
    let plank = common::read_report(&out.join("plank.report.json"));
    let bird_dog = common::read_report(&out.join("week2/bird_dog.report.json"));
    assert_eq!(plank.exercises[0].exercise, "plank");
    assert_eq!(bird_dog.exercises[0].reps, 4);
    assert!(plank.provenance.is_some());

    // Nothing changed: both reports are current and skipped; the broken file fails again.
    let second = run(&[]);
    let said = String::from_utf8_lossy(&second.stdout);
    assert!(
        said.contains("0 analysed, 2 skipped as current, 1 failed"),
        "{said}"
    );
    // Another option makes the reports stale.
    let third = run(&["--no-smoothing", "--quiet"]);
    assert_eq!(third.status.code(), Some(1));
    let redone = common::read_report(&out.join("plank.report.json"));
    assert_ne!(redone.provenance, plank.provenance);

    let table = common::posecheck_ok(["report", "merge", out.to_str().unwrap()]);
    let rows: Vec<&str> = table.lines().collect();
    assert!(rows[0].starts_with("source,date,exercise,side,"), "{table}");
    // The bird-dog's two sides and the plank.
    assert_eq!(rows.len(), 4, "{table}");
    assert!(
        rows.iter()
            .any(|r| r.contains(",bird_dog,left,") && r.contains("bird_dog.mp4")),
        "{table}"
    );
    let json = common::posecheck_ok(["report", "merge", out.to_str().unwrap(), "--json"]);
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    let total: u64 = parsed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reps"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 4);
}
