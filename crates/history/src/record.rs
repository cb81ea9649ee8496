//! Writing a session: its report's numbers, in one transaction (all of it or nothing).

use rusqlite::{Transaction, TransactionBehavior, params};

use crate::{History, Result};
use posecheck_core::report::model::{ExerciseSet, Report, RoutineReport};
use posecheck_core::skeleton::Side;

/// How the session was run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionKind {
    Analyze,
    Live,
    Routine,
}

impl SessionKind {
    pub fn code(self) -> &'static str {
        match self {
            SessionKind::Analyze => "analyze",
            SessionKind::Live => "live",
            SessionKind::Routine => "routine",
        }
    }
}

/// One session to record.
pub struct SessionRecord<'a> {
    /// When it started, Unix seconds.
    pub started_at: i64,
    pub kind: SessionKind,
    pub report: &'a Report,
}

fn side(s: Option<Side>) -> Option<&'static str> {
    s.map(Side::name)
}

impl History {
    /// Records a session; returns its id.
    pub fn record(&mut self, session: &SessionRecord) -> Result<i64> {
        let path = self.path.clone();
        let fail = |e| crate::error::classify(&path, e, crate::BUSY_TIMEOUT_S);
        // Immediate: the write lock is taken (or waited for) up front, so two writers queue
        // instead of one failing half-way through.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        let id = insert_session(&tx, session).map_err(fail)?;
        tx.commit().map_err(fail)?;
        Ok(id)
    }
}

fn insert_session(tx: &Transaction, session: &SessionRecord) -> rusqlite::Result<i64> {
    let r = session.report;
    tx.execute(
        "INSERT INTO sessions (started_at, kind, source, duration_s, ended, routine,
                               report_version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            session.started_at,
            session.kind.code(),
            r.source.path,
            r.source.duration_s,
            r.ended.to_string(),
            r.routine.as_ref().map(|x| x.id.as_str()),
            r.schema_version,
        ],
    )?;
    let id = tx.last_insert_rowid();
    for (position, set) in r.exercises.iter().enumerate() {
        insert_set(tx, id, position, set)?;
    }
    if let Some(routine) = &r.routine {
        insert_steps(tx, id, routine)?;
    }
    Ok(id)
}

fn insert_set(
    tx: &Transaction,
    session: i64,
    position: usize,
    set: &ExerciseSet,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO sets (session_id, position, exercise, name, counting, start_s, end_s,
                           reps, reps_left, reps_right, hold_s)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            session,
            position as i64,
            set.exercise,
            set.name,
            set.counting.to_string(),
            set.start_s,
            set.end_s,
            set.reps,
            set.reps_left,
            set.reps_right,
            set.hold_s,
        ],
    )?;
    let id = tx.last_insert_rowid();
    let mut rep = tx.prepare_cached(
        "INSERT INTO reps (set_id, idx, side, start_s, top_s, end_s, hold_s)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for x in &set.rep_list {
        rep.execute(params![
            id,
            x.index,
            side(x.side),
            x.start_s,
            x.top_s,
            x.end_s,
            x.hold_s
        ])?;
    }
    let mut hold = tx.prepare_cached(
        "INSERT INTO holds (set_id, side, start_s, end_s, duration_s, ended_by, attempt,
                            eyes_closed, sway_axis, sway_path, sway_velocity, sway_rms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    for h in &set.holds {
        let sway = h.sway.as_ref();
        hold.execute(params![
            id,
            side(h.side),
            h.start_s,
            h.end_s,
            h.duration_s,
            h.ended_by.to_string(),
            h.attempt,
            h.eyes_closed,
            sway.map(|s| s.axis.to_string()),
            sway.map(|s| s.path_length),
            sway.map(|s| s.mean_velocity),
            sway.map(|s| s.rms)
        ])?;
    }
    let mut fault = tx.prepare_cached(
        "INSERT INTO faults (set_id, code, severity, start_s, end_s, rep, side)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for f in &set.faults {
        fault.execute(params![
            id,
            f.code,
            f.severity.to_string(),
            f.start_s,
            f.end_s,
            f.rep,
            side(f.side)
        ])?;
    }
    let mut target = tx.prepare_cached(
        "INSERT INTO targets (set_id, measure, side, target, done, met)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for t in &set.targets {
        target.execute(params![
            id,
            t.measure.to_string(),
            side(t.side),
            t.target,
            t.done,
            t.met
        ])?;
    }
    Ok(())
}

fn insert_steps(tx: &Transaction, session: i64, routine: &RoutineReport) -> rusqlite::Result<()> {
    let mut step = tx.prepare_cached(
        "INSERT INTO routine_steps (session_id, position, step, exercise, side, round, variant,
                                    measure, target, done, met, attempts, ended_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    for (position, s) in routine.steps.iter().enumerate() {
        step.execute(params![
            session,
            position as i64,
            s.step,
            s.exercise,
            side(s.side),
            s.round,
            s.variant,
            s.measure.to_string(),
            s.target,
            s.done,
            s.met,
            s.attempts,
            s.ended_by.to_string()
        ])?;
    }
    Ok(())
}
