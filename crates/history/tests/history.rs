//! The history database on real sessions (the bundled sample tracks, scored by the core):
//! written and read back across opens, migrated from version 1, written by two connections
//! at once, and refused, untouched, when the file is not a posecheck history.

use std::path::{Path, PathBuf};

use posecheck_core::exercise::template;
use posecheck_core::filter::OneEuroConfig;
use posecheck_core::report::build::{self, source_info};
use posecheck_core::report::model::{
    Ended, Measure, ModelInfo, ROUTINE_SECTION_VERSION, Report, RoutineReport, StepEnd, StepResult,
    Sway, SwayAxis,
};
use posecheck_core::session::{Session, SessionConfig};
use posecheck_core::track::TrackReader;
use posecheck_history::{Error, History, SessionKind, SessionRecord, query, schema};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../samples")
        .join(name)
}

/// The report of a sample track, scored as `analyze` scores it.
fn report_of(track: &str) -> Report {
    let path = sample(track);
    let reader = TrackReader::open(&path).unwrap();
    let header = reader.header.clone();
    let config = SessionConfig {
        templates: template::load_all(None).unwrap(),
        exercise: None,
        smoothing: Some(OneEuroConfig::default()),
        balance: Default::default(),
    };
    let mut session = Session::new(&config, &header).unwrap();
    let mut frames = 0;
    for f in reader {
        let f = f.unwrap();
        session.frame(f.t, f.pose.as_ref()).unwrap();
        frames += 1;
    }
    let model = ModelInfo {
        name: header.model.clone(),
        sha256: None,
        frames: None,
    };
    build::build(
        session.finish().unwrap(),
        source_info(&header, frames, None, Some(&path)),
        model,
        Ended::EndOfInput,
    )
}

fn record(h: &mut History, report: &Report, started_at: i64) -> i64 {
    h.record(&SessionRecord {
        started_at,
        kind: SessionKind::Analyze,
        report,
    })
    .unwrap()
}

const DAY: i64 = 86_400;
/// 2026-11-02 12:00 UTC: midday, so the local date is the same in every time zone but the
/// farthest ones.
const T0: i64 = 1_793_620_800;

#[test]
fn sessions_written_in_two_runs_are_read_back_with_their_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nested/history.sqlite");
    let bridge = report_of("glute_bridge.track.jsonl");
    let plank = report_of("side_plank.track.jsonl");
    assert!(bridge.exercises[0].reps > 0 && plank.exercises[0].hold_s > 0.0);
    {
        let mut h = History::open(&db).unwrap();
        record(&mut h, &bridge, T0);
    }
    {
        let mut h = History::open(&db).unwrap();
        record(&mut h, &bridge, T0 + DAY);
        record(&mut h, &plank, T0 + DAY + 60);
    }
    let h = History::open_existing(&db).unwrap();
    assert_eq!(h.version().unwrap(), schema::LATEST);
    let sessions = h.sessions().unwrap();
    assert_eq!(sessions.len(), 3);
    assert_eq!(
        sessions[0].report_version.as_deref(),
        Some(bridge.schema_version.as_str())
    );
    let first = &sessions[0].sets[0];
    let set = &bridge.exercises[0];
    assert_eq!(first.exercise, set.exercise);
    assert_eq!(first.reps, set.reps);
    assert!((first.hold_s - set.hold_s).abs() < 1e-9);
    let best_rep = set.rep_list.iter().map(|r| r.hold_s).fold(0.0, f64::max);
    assert!((first.best_hold_s - best_rep).abs() < 1e-9);
    let warnings = set
        .faults
        .iter()
        .filter(|f| f.severity.to_string() != "info")
        .count();
    assert_eq!(first.faults as usize, warnings);

    let trends = query::trends(&h.sets().unwrap());
    let bridge_days: Vec<_> = trends
        .iter()
        .filter(|t| t.exercise == set.exercise)
        .collect();
    assert_eq!(bridge_days.len(), 2, "one row per day: {bridge_days:?}");
    assert!(
        bridge_days
            .iter()
            .all(|t| t.reps == set.reps && t.sessions == 1)
    );
    let longest = plank.exercises[0]
        .holds
        .iter()
        .map(|x| x.duration_s)
        .fold(0.0, f64::max);
    let side = trends.iter().find(|t| t.exercise == "side_plank").unwrap();
    assert!((side.best_hold_s - longest).abs() < 1e-9);
    assert_eq!(side.faults_per_rep, None);

    let page = posecheck_history::html::render(&trends);
    assert!(page.matches("<svg").count() >= 3);
    assert!(page.contains("Glute bridge") && page.contains("Side plank"));
    let csv = posecheck_history::text::csv(&h.sets().unwrap());
    assert_eq!(csv.lines().count(), 1 + 3);
}

#[test]
fn balance_attempts_keep_their_sway_and_the_trend_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.sqlite");
    // The side plank's hold given the sway a balance attempt reports (sway is measured on
    // stands; storing it does not depend on the exercise).
    let mut stand = report_of("side_plank.track.jsonl");
    let sway = |velocity: f64| Sway {
        axis: SwayAxis::FrontToBack,
        body_height_px: 300.0,
        path_length: velocity * 10.0,
        mean_velocity: velocity,
        rms: velocity / 3.0,
        ellipse_area: None,
        cm: None,
        t: Vec::new(),
        position: Vec::new(),
    };
    let holds = &mut stand.exercises[0].holds;
    assert!(holds.len() >= 2, "{holds:?}");
    holds[0].sway = Some(sway(0.012));
    holds[0].attempt = Some(1);
    holds[0].eyes_closed = Some(false);
    // With the eyes closed the body sways more: kept apart, not averaged into the day.
    holds[1].sway = Some(sway(0.030));
    holds[1].attempt = Some(2);
    holds[1].eyes_closed = Some(true);
    let mut h = History::open(&db).unwrap();
    record(&mut h, &stand, T0);
    let sets = h.sets().unwrap();
    assert_eq!(sets[0].sway_velocity, Some(0.012));
    assert_eq!(sets[0].sway_velocity_eyes_closed, Some(0.030));
    assert_eq!(sets[0].sway_attempts, [1, 1]);
    // A second session that day: the day's mean is over attempts.
    let mut again = stand.clone();
    again.exercises[0].holds[0].sway = Some(sway(0.018));
    for extra in again.exercises[0].holds.iter_mut().skip(2) {
        extra.sway = Some(sway(0.018));
        extra.eyes_closed = Some(false);
    }
    let open_attempts = again.exercises[0].holds.len() - 1;
    record(&mut h, &again, T0 + 60);
    let sets = h.sets().unwrap();
    let trend = query::trends(&sets);
    let expected = (0.012 + 0.018 * open_attempts as f64) / (1 + open_attempts) as f64;
    assert!(
        (trend[0].sway_velocity.unwrap() - expected).abs() < 1e-12,
        "{trend:?}"
    );
    assert_eq!(trend[0].sway_velocity_eyes_closed, Some(0.030));
    let csv = posecheck_history::text::csv(&sets);
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with("sway_velocity,sway_velocity_eyes_closed")
    );
    // A set without sway has none.
    let plain = report_of("plank.track.jsonl");
    record(&mut h, &plain, T0 + DAY);
    let sets = h.sets().unwrap();
    assert_eq!(sets[2].sway_velocity, None);
    // Every report here is of this posecheck, which measures sway once attempts have
    // settled: the page has no note on sway measured the old way.
    let page = posecheck_history::html::render(&trend);
    assert!(!trend[0].sway_from_start, "{trend:?}");
    assert!(page.contains("Sway, eyes open") && !page.contains("very start"));
    // A session recorded from a report 1.4, which measured sway from each attempt's start,
    // is marked, and its exercise's card says so; a day without sway is not marked.
    let mut old = stand.clone();
    old.schema_version = "1.4".into();
    record(&mut h, &old, T0 + 2 * DAY);
    let mut old_plain = plain.clone();
    old_plain.schema_version = "1.4".into();
    record(&mut h, &old_plain, T0 + 3 * DAY);
    let trend = query::trends(&h.sets().unwrap());
    let marked: Vec<(&str, &str, bool)> = trend
        .iter()
        .map(|t| (t.exercise.as_str(), t.day.as_str(), t.sway_from_start))
        .filter(|t| t.2)
        .collect();
    assert_eq!(marked.len(), 1, "{trend:?}");
    assert_eq!(marked[0].0, stand.exercises[0].exercise);
    let page = posecheck_history::html::render(&trend);
    assert_eq!(
        page.matches("very start of each attempt").count(),
        1,
        "{page}"
    );
}

#[test]
fn a_step_history_is_of_the_step_as_written_not_its_variant() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = History::open(&dir.path().join("history.sqlite")).unwrap();
    let step = |variant: Option<&str>, measure: Measure, target: f64, met: bool| StepResult {
        step: "one_leg".into(),
        exercise: "single_leg_stance".into(),
        name: "Single-leg stance".into(),
        side: None,
        per_side: true,
        round: 1,
        set: 1,
        attempts: 1,
        variant: variant.map(String::from),
        measure,
        target,
        done: target,
        met,
        ended_by: StepEnd::TargetMet,
        start_s: 0.0,
        end_s: 30.0,
    };
    let mut report = report_of("plank.track.jsonl");
    // The stance met at 20 s, then its eyes-closed variant failed at 25 s.
    report.routine = Some(RoutineReport {
        version: ROUTINE_SECTION_VERSION.into(),
        id: "balance_cycle".into(),
        name: "Balance cycle".into(),
        steps: vec![
            step(None, Measure::HoldS, 20.0, true),
            step(Some("Eyes closed"), Measure::HoldS, 25.0, false),
        ],
        proposals: Vec::new(),
        completed: true,
    });
    record(&mut h, &report, T0);
    let past = h
        .step_history("balance_cycle", "one_leg", "hold_s", 3)
        .unwrap();
    assert_eq!(past.len(), 1);
    assert_eq!((past[0].target, past[0].met), (20.0, true));
    // A target in another measure (the file changed from seconds to reps) is no history.
    assert!(
        h.step_history("balance_cycle", "one_leg", "reps", 3)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_version_1_database_is_migrated_and_keeps_its_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.sqlite");
    {
        // A database as the first schema left it, with one session in it.
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(include_str!("../src/migrations/001_sessions.sql"))
            .unwrap();
        conn.execute_batch(
            "PRAGMA user_version = 1; PRAGMA application_id = 1886352229;
             INSERT INTO sessions VALUES (7, 1793620800, 'live', 'camera 0', 95.5, 'interrupted');
             INSERT INTO sets VALUES (1, 7, 0, 'superman', 'Superman', 'reps', 1.0, 90.0, 6,
                                      NULL, NULL, 30.5);
             INSERT INTO reps VALUES (1, 1, NULL, 1.0, 2.0, 8.0, 5.5);",
        )
        .unwrap();
    }
    let mut h = History::open(&db).unwrap();
    assert_eq!(h.version().unwrap(), schema::LATEST);
    let sessions = h.sessions().unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!((sessions[0].id, sessions[0].routine.clone()), (7, None));
    assert_eq!(
        sessions[0].report_version, None,
        "recorded before it was kept"
    );
    assert_eq!(sessions[0].sets[0].reps, 6);
    assert!((sessions[0].sets[0].best_hold_s - 5.5).abs() < 1e-9);
    // The new tables work on the migrated file.
    record(&mut h, &report_of("superman.track.jsonl"), T0 + DAY);
    assert_eq!(h.sessions().unwrap().len(), 2);
}

#[test]
fn two_connections_writing_at_once_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.sqlite");
    let report = report_of("bird_dog.track.jsonl");
    History::open(&db).unwrap();
    std::thread::scope(|s| {
        for w in 0..2 {
            let (db, report) = (&db, &report);
            s.spawn(move || {
                let mut h = History::open(db).unwrap();
                for i in 0..25 {
                    record(&mut h, report, T0 + w * 1000 + i);
                }
            });
        }
    });
    let h = History::open_existing(&db).unwrap();
    let sessions = h.sessions().unwrap();
    assert_eq!(sessions.len(), 50);
    let sets = report.exercises.len();
    assert!(sessions.iter().all(|s| s.sets.len() == sets));
}

fn assert_refused_untouched(
    path: &Path,
    open: fn(&Path) -> posecheck_history::Result<History>,
) -> Error {
    let before = std::fs::read(path).unwrap();
    let err = open(path).err().expect("must be refused");
    let text = err.to_string();
    assert!(!text.contains('\n'), "one line: {text}");
    assert!(text.starts_with(&path.display().to_string()), "{text}");
    assert_eq!(std::fs::read(path).unwrap(), before, "the file was changed");
    err
}

#[test]
fn a_file_that_is_not_a_history_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.sqlite");
    std::fs::write(&junk, vec![0x5a; 64 * 1024]).unwrap();
    let err = assert_refused_untouched(&junk, History::open);
    assert!(matches!(err, Error::Unreadable { .. }), "{err}");
    assert!(err.to_string().contains("left as it is"));

    let foreign = dir.path().join("other.sqlite");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('mine');")
        .unwrap();
    let err = assert_refused_untouched(&foreign, History::open);
    assert!(matches!(err, Error::Foreign { .. }), "{err}");
}

#[test]
fn a_damaged_history_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.sqlite");
    {
        let mut h = History::open(&db).unwrap();
        let report = report_of("glute_bridge.track.jsonl");
        for i in 0..40 {
            record(&mut h, &report, T0 + i);
        }
    }
    // The last connection closed: the write-ahead log was folded into the main file.
    assert!(!dir.path().join("history.sqlite-wal").exists());
    let mut bytes = std::fs::read(&db).unwrap();
    assert!(bytes.len() > 4 * 4096, "{} bytes", bytes.len());
    // Page 3 onwards overwritten: the header is intact, the tables' pages are not.
    for b in &mut bytes[2 * 4096..4 * 4096] {
        *b = 0xa5;
    }
    std::fs::write(&db, &bytes).unwrap();
    let err = assert_refused_untouched(&db, History::open);
    assert!(matches!(err, Error::Unreadable { .. }), "{err}");
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.sqlite");
    History::open(&db).unwrap();
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99;")
        .unwrap();
    let err = assert_refused_untouched(&db, History::open);
    assert!(err.to_string().contains("newer posecheck"), "{err}");
}

#[test]
fn reading_a_missing_history_does_not_create_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("none.sqlite");
    let err = History::open_existing(&db).err().unwrap();
    assert!(matches!(err, Error::Missing { .. }));
    assert!(!db.exists());
}
