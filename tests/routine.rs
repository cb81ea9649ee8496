//! `posecheck routine` headless over the bundled samples: every step announced, counted and
//! closed, one report holding every step with target and result, the session in the history,
//! progression after three sessions met in a row (and declined with --no-progression), and
//! routine files with errors refused with file:line.

mod common;

use std::path::{Path, PathBuf};

use common::{posecheck, posecheck_ok, read_report};
use posecheck_core::report::model::{Measure, StepEnd};
use serde_json::Value;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn sample(name: &str) -> PathBuf {
    common::repo().join("samples").join(name)
}

/// Runs a routine headless; returns its events.
fn run(args: &[&str]) -> Vec<Value> {
    posecheck_ok(["routine"].iter().chain(args).chain(&["--headless"]))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// A directory holding one routine file: routine `id` of one step, `step` being the step's
/// TOML lines.
fn one_step_routine(dir: &Path, id: &str, step: &str) -> PathBuf {
    let routines = dir.join("routines");
    std::fs::create_dir_all(&routines).unwrap();
    let text = format!("id = \"{id}\"\nname = \"{id}\"\ndescription = \"d\"\n\n[[steps]]\n{step}");
    std::fs::write(routines.join(format!("{id}.toml")), text).unwrap();
    routines
}

fn of_kind<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["event"] == kind).collect()
}

#[test]
fn the_home_set_over_the_sample_tracks_reports_every_step() {
    let dir = tempfile::tempdir().unwrap();
    let (report, db) = (dir.path().join("r.json"), dir.path().join("h.sqlite"));
    let tracks: Vec<PathBuf> = [
        "glute_bridge",
        "bird_dog",
        "side_plank",
        "side_plank",
        "superman",
    ]
    .iter()
    .map(|n| sample(&format!("{n}.track.jsonl")))
    .collect();
    let mut args = vec!["home_set", "--source"];
    args.extend(tracks.iter().map(|p| s(p)));
    args.extend(["--report", s(&report), "--history-db", s(&db)]);
    let events = run(&args);

    let announced: Vec<&str> = of_kind(&events, "step")
        .iter()
        .map(|e| e["step"].as_str().unwrap())
        .collect();
    let order = [
        "bridge",
        "bird_dog",
        "side_plank_left",
        "side_plank_right",
        "superman",
    ];
    assert_eq!(announced, order);
    assert_eq!(of_kind(&events, "in_position").len(), 5);
    assert_eq!(events.last().unwrap()["event"], "session_end");
    // Rests are counted down to the next step.
    let rest = of_kind(&events, "rest");
    assert!(
        rest.iter()
            .any(|e| e["seconds_left"] == 30 && e["next"] == "bird_dog")
    );
    assert!(rest.iter().any(|e| e["seconds_left"] == 1));

    let r = read_report(&report);
    let routine = r.routine.as_ref().expect("a routine section");
    assert_eq!(routine.id, "home_set");
    let steps: Vec<&str> = routine.steps.iter().map(|x| x.step.as_str()).collect();
    assert_eq!(steps, order);
    // Each step's result is what the report's set of that exercise counted.
    let bridge_set = r
        .exercises
        .iter()
        .find(|e| e.exercise == "glute_bridge")
        .unwrap();
    let bridge = &routine.steps[0];
    assert_eq!((bridge.measure, bridge.target), (Measure::Reps, 15.0));
    assert_eq!(bridge.done, f64::from(bridge_set.reps));
    assert_eq!(
        of_kind(&events, "rep")
            .iter()
            .filter(|e| e["t"].as_f64() < Some(30.0))
            .count() as u32,
        bridge_set.reps
    );
    let bird = &routine.steps[1];
    assert!(bird.per_side);
    let bird_set = r
        .exercises
        .iter()
        .find(|e| e.exercise == "bird_dog")
        .unwrap();
    let weaker = bird_set
        .reps_left
        .unwrap()
        .min(bird_set.reps_right.unwrap());
    assert_eq!(bird.done, f64::from(weaker));
    // The side-plank clip is held on the left: the left step gets its hold, the right none.
    let left = &routine.steps[2];
    let held = r
        .exercises
        .iter()
        .find(|e| e.exercise == "side_plank")
        .unwrap();
    let longest = held.holds.iter().map(|h| h.duration_s).fold(0.0, f64::max);
    assert!(
        (left.done - longest).abs() < 0.02,
        "{} vs {longest}",
        left.done
    );
    assert_eq!(routine.steps[3].done, 0.0);
    for step in &routine.steps {
        assert_eq!(step.met, step.done >= step.target, "{step:?}");
        assert!(matches!(
            step.ended_by,
            StepEnd::TargetMet | StepEnd::AttemptsUsed | StepEnd::SourceEnded
        ));
    }
    // Stored in the history as a routine session.
    let csv = posecheck_ok(["history", "--history-db", s(&db), "--csv", "-"]);
    assert!(
        csv.lines()
            .skip(1)
            .all(|l| l.contains(",routine,home_set,")),
        "{csv}"
    );
    assert_eq!(csv.lines().count() - 1, r.exercises.len());
}

#[test]
fn a_video_is_a_step_too() {
    let dir = tempfile::tempdir().unwrap();
    let routines = one_step_routine(
        dir.path(),
        "plank_only",
        "id = \"plank\"\n\
         exercise = \"plank\"\ndescription = \"Hold a plank.\"\nhold_s = 5\n",
    );
    let report = dir.path().join("r.json");
    let events = run(&[
        "plank_only",
        "--routines",
        s(&routines),
        "--source",
        s(&sample("plank.mp4")),
        "--report",
        s(&report),
        "--no-history",
    ]);
    let holds = of_kind(&events, "hold");
    assert!(holds.len() >= 5, "{events:?}");
    assert!(!of_kind(&events, "target_met").is_empty());
    let step = &read_report(&report).routine.unwrap().steps[0];
    assert_eq!((step.met, step.ended_by), (true, StepEnd::TargetMet));
}

#[test]
fn three_sessions_met_in_a_row_propose_a_higher_target_which_can_be_declined() {
    let dir = tempfile::tempdir().unwrap();
    let routines = one_step_routine(
        dir.path(),
        "easy",
        "id = \"bridge\"\n\
         exercise = \"glute_bridge\"\ndescription = \"Bridges.\"\nreps = 3\n",
    );
    let db = dir.path().join("h.sqlite");
    let track = sample("glute_bridge.track.jsonl");
    let report = dir.path().join("r.json");
    let args = |extra: &'static [&'static str]| {
        let mut a = vec!["easy", "--routines", s(&routines), "--source", s(&track)];
        a.extend(["--history-db", s(&db), "--report"]);
        a.push(s(&report));
        a.extend(extra);
        a.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let targets = |events: &[Value]| -> Vec<f64> {
        of_kind(events, "step")
            .iter()
            .map(|e| e["target"].as_f64().unwrap())
            .collect()
    };
    for _ in 0..3 {
        let a = args(&[]);
        let events = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
        assert!(of_kind(&events, "proposal").is_empty());
        assert_eq!(targets(&events), [3.0]);
    }
    // Declined: shown, not taken, and not recorded as taken.
    let a = args(&["--no-progression"]);
    let events = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let p = of_kind(&events, "proposal");
    assert_eq!(p.len(), 1, "{events:?}");
    assert_eq!(
        (
            p[0]["from"].as_f64(),
            p[0]["to"].as_f64(),
            &p[0]["accepted"]
        ),
        (Some(3.0), Some(4.0), &Value::Bool(false))
    );
    assert!(p[0]["reason"].as_str().unwrap().contains("last 3 sessions"));
    assert_eq!(targets(&events), [3.0]);
    // Taken: the step asks for 4; the report says what was proposed and why.
    let a = args(&[]);
    let events = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(targets(&events), [4.0]);
    let r = read_report(&report).routine.unwrap();
    assert!(r.proposals[0].accepted && r.steps[0].target == 4.0);
}

#[test]
fn routine_files_with_errors_are_refused_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "id = \"bad\"\nname = \"B\"\ndescription = \"d\"\n\n[[steps]]\nid = \"x\"\nexercise = \"plank\"\ndescription = \"d\"\nhold_s = -4\n",
    )
    .unwrap();
    let out = posecheck(["routine", "bad", "--routines", s(dir.path()), "--headless"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains(&format!("{}:9:", bad.display())), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    let out = posecheck(["routine", "nope", "--headless"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown routine 'nope'") && err.contains("home_set"),
        "{err}"
    );
    // A step whose exercise no template has.
    let unknown = one_step_routine(
        dir.path(),
        "unknown",
        "id = \"x\"\n\
         exercise = \"no_such_exercise\"\ndescription = \"d\"\nhold_s = 5\n",
    );
    let out = posecheck([
        "routine",
        "unknown",
        "--routines",
        s(&unknown),
        "--headless",
        "--no-history",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("'no_such_exercise' is not a known template"),
        "{err}"
    );
}

/// A balance step whose template counts rises (heel raises) still counts its attempts: each
/// time on the toes that ends short of the target is one, and the step ends when they are used
/// (real calf-raise clip: three short rises).
#[test]
fn a_heel_raise_step_counts_its_attempts() {
    let Some(shared) = common::shared("heel-raise routine step") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let routines = one_step_routine(
        dir.path(),
        "toes",
        "id = \"on_toes\"\n\
         exercise = \"heel_raise\"\ndescription = \"Stay on your toes.\"\nhold_s = 20\nattempts = 3\n",
    );
    let clip = shared.join("data/wild/videos/skatefit_calf_raises.mp4");
    let report = dir.path().join("r.json");
    let events = run(&[
        "toes",
        "--routines",
        s(&routines),
        "--source",
        s(&clip),
        "--report",
        s(&report),
        "--no-history",
    ]);
    assert_eq!(of_kind(&events, "attempt_failed").len(), 3, "{events:?}");
    let step = &read_report(&report).routine.unwrap().steps[0];
    assert_eq!((step.attempts, step.met), (3, false));
    assert_eq!(step.ended_by, StepEnd::AttemptsUsed);
    assert!(
        step.done > 0.5,
        "the longest time on the toes: {}",
        step.done
    );
}
