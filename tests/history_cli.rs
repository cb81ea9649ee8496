//! `analyze --history` and `posecheck history` as a person runs them: sessions recorded over
//! two runs and listed, two posecheck processes writing one database at once, and a damaged
//! database refused before anything is analysed, left as it was.

mod common;

use std::path::{Path, PathBuf};

use common::{posecheck, posecheck_command, posecheck_ok};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn tracks() -> Vec<PathBuf> {
    [
        "glute_bridge",
        "bird_dog",
        "side_plank",
        "superman",
        "plank",
    ]
    .iter()
    .map(|n| common::repo().join(format!("samples/{n}.track.jsonl")))
    .collect()
}

fn analyze_into_history(out: &Path, db: &Path, inputs: &[PathBuf]) -> std::process::Command {
    let mut c = posecheck_command();
    c.arg("analyze")
        .args(inputs)
        .args(["--out-dir", s(out), "--quiet", "--force", "--history"])
        .args(["--history-db", s(db)]);
    c
}

fn csv_rows(db: &Path) -> Vec<Vec<String>> {
    posecheck_ok(["history", "--history-db", s(db), "--csv", "-"])
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

#[test]
fn two_runs_are_remembered_and_listed_with_trends() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data/history.sqlite");
    let bridge = &tracks()[..1];
    for _ in 0..2 {
        let out = analyze_into_history(dir.path(), &db, bridge)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let report = common::read_report(&dir.path().join("glute_bridge.track.report.json"));
    let reps = report.exercises[0].reps;
    let rows = csv_rows(&db);
    assert_eq!(rows.len(), 2, "{rows:?}");
    for r in &rows {
        assert_eq!((r[3].as_str(), r[6].as_str()), ("analyze", "glute_bridge"));
        assert_eq!(r[7], reps.to_string());
    }
    let listing = posecheck_ok(["history", "--history-db", s(&db)]);
    assert_eq!(
        listing
            .matches(&format!("glute_bridge {reps} reps"))
            .count(),
        2,
        "{listing}"
    );
    let trend = listing
        .lines()
        .skip_while(|l| !l.starts_with("Glute bridge"))
        .nth(2)
        .unwrap_or_default();
    let cells: Vec<&str> = trend.split_whitespace().collect();
    assert_eq!(
        cells.get(1..3),
        Some(&["2", (2 * reps).to_string().as_str()][..]),
        "a day of two sessions and their reps: {listing}"
    );
    let page = dir.path().join("trends.html");
    posecheck_ok(["history", "--history-db", s(&db), "--html", s(&page)]);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<svg") && html.contains("Glute bridge"));
}

#[test]
fn two_processes_recording_at_once_lose_no_session() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.sqlite");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let all = tracks();
    let children: Vec<_> = [&a, &b]
        .iter()
        .map(|out| {
            analyze_into_history(out, &db, &all)
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let listing = posecheck_ok(["history", "--history-db", s(&db)]);
    let sessions = listing.lines().filter(|l| l.contains(" analyze ")).count();
    assert_eq!(sessions, 2 * all.len(), "{listing}");
}

#[test]
fn a_damaged_database_stops_analyze_before_it_starts_and_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.sqlite");
    let junk: Vec<u8> = (0..20_000u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(&db, &junk).unwrap();
    let out = analyze_into_history(dir.path(), &db, &tracks()[..1])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("not a posecheck history database"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), junk, "the file was changed");
    assert!(!dir.path().join("glute_bridge.track.report.json").exists());
    let out = posecheck(["history", "--history-db", s(&db)]);
    assert!(!out.status.success());
    assert_eq!(std::fs::read(&db).unwrap(), junk);
}

#[test]
fn history_options_that_cannot_work_are_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let track = &tracks()[..1];
    let cases: [(Vec<String>, &str); 3] = [
        (
            vec![
                "history".into(),
                "--history-db".into(),
                s(dir.path()).into(),
            ],
            "is a directory",
        ),
        (
            vec![
                "history".into(),
                "--history-db".into(),
                s(&dir.path().join("none.sqlite")).into(),
            ],
            "no history yet",
        ),
        (
            vec![
                "analyze".into(),
                s(&track[0]).into(),
                "--history-db".into(),
                s(&dir.path().join("h.sqlite")).into(),
            ],
            "add --history",
        ),
    ];
    for (args, expected) in cases {
        let out = posecheck(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains(expected) && err.trim().lines().count() == 1,
            "{args:?}: {err}"
        );
    }
    assert!(!dir.path().join("none.sqlite").exists());
}
