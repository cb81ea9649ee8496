//! Reading the history back: every set with its session, trends per exercise and day, and a
//! routine step's results over the last sessions (for progression).

use std::collections::BTreeMap;

use rusqlite::params;

use crate::{History, Result};

/// One exercise set with the session it belongs to.
#[derive(Clone, Debug, PartialEq)]
pub struct SetRow {
    pub session: i64,
    pub started_at: i64,
    /// The local date of the session, `YYYY-MM-DD`.
    pub day: String,
    pub kind: String,
    pub routine: Option<String>,
    pub source: String,
    pub exercise: String,
    pub name: String,
    pub reps: u32,
    /// Total time held (for reps: at the top).
    pub hold_s: f64,
    /// The longest single hold (or time at the top of one rep).
    pub best_hold_s: f64,
    /// Faults called as warnings or errors (advice is not counted).
    pub faults: u32,
    /// Balance sets: the mean sway velocity of their attempts with the eyes open, body
    /// heights per second (eyes-closed attempts sway more: mixed in, they would read as a
    /// worse day).
    pub sway_velocity: Option<f64>,
    /// The same over the attempts with the eyes closed.
    pub sway_velocity_eyes_closed: Option<f64>,
    /// How many attempts each of the two means is of (eyes open, closed).
    pub sway_attempts: [u32; 2],
    /// Its session's report version (`None`: recorded before history schema 4).
    pub report_version: Option<String>,
}

/// One session with its sets.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionRow {
    pub id: i64,
    pub started_at: i64,
    pub day: String,
    pub kind: String,
    pub routine: Option<String>,
    pub source: String,
    pub duration_s: f64,
    pub ended: String,
    /// The report version it was recorded from (`None`: recorded before history schema 4, so
    /// report 1.4 or earlier).
    pub report_version: Option<String>,
    pub sets: Vec<SetRow>,
}

/// An exercise on one day, over all that day's sessions.
#[derive(Clone, Debug, PartialEq)]
pub struct DayTrend {
    pub day: String,
    pub exercise: String,
    pub name: String,
    pub sessions: u32,
    pub reps: u32,
    pub best_hold_s: f64,
    pub total_hold_s: f64,
    pub faults: u32,
    /// Faults per rep (none for held exercises without reps).
    pub faults_per_rep: Option<f64>,
    /// Balance: the mean sway velocity of the day's attempts with the eyes open, and with
    /// them closed, body heights per second.
    pub sway_velocity: Option<f64>,
    pub sway_velocity_eyes_closed: Option<f64>,
    /// Some of that sway was measured from the very start of its attempts, by a posecheck
    /// before report 1.5 (which measures from half a second in): it reads a little higher.
    pub sway_from_start: bool,
}

/// A routine step's result in one session (several rounds or sets: the highest target, met
/// only if met every time).
#[derive(Clone, Debug, PartialEq)]
pub struct StepOutcome {
    pub session: i64,
    pub target: f64,
    pub met: bool,
}

const LOCAL_DAY: &str = "date(s.started_at, 'unixepoch', 'localtime')";

impl History {
    /// Every session, oldest first, with its sets.
    pub fn sessions(&self) -> Result<Vec<SessionRow>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT s.id, s.started_at, {LOCAL_DAY}, s.kind, s.routine, s.source,
                        s.duration_s, s.ended, s.report_version
                 FROM sessions s ORDER BY s.started_at, s.id"
            ))
            .map_err(|e| self.fail(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(SessionRow {
                    id: r.get(0)?,
                    started_at: r.get(1)?,
                    day: r.get(2)?,
                    kind: r.get(3)?,
                    routine: r.get(4)?,
                    source: r.get(5)?,
                    duration_s: r.get(6)?,
                    ended: r.get(7)?,
                    report_version: r.get(8)?,
                    sets: Vec::new(),
                })
            })
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(|e| self.fail(e))?;
        let mut by_id: BTreeMap<i64, SessionRow> = rows.into_iter().map(|s| (s.id, s)).collect();
        for set in self.sets()? {
            if let Some(s) = by_id.get_mut(&set.session) {
                s.sets.push(set);
            }
        }
        let mut sessions: Vec<SessionRow> = by_id.into_values().collect();
        sessions.sort_by_key(|s| (s.started_at, s.id));
        Ok(sessions)
    }

    /// Every set, oldest session first.
    pub fn sets(&self) -> Result<Vec<SetRow>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT t.session_id, s.started_at, {LOCAL_DAY}, s.kind, s.routine, s.source,
                        t.exercise, t.name, t.reps, t.hold_s,
                        max(coalesce((SELECT max(duration_s) FROM holds WHERE set_id = t.id), 0),
                            coalesce((SELECT max(hold_s) FROM reps WHERE set_id = t.id), 0)),
                        (SELECT count(*) FROM faults WHERE set_id = t.id AND severity != 'info'),
                        (SELECT avg(sway_velocity) FROM holds WHERE set_id = t.id AND NOT {CLOSED}),
                        (SELECT avg(sway_velocity) FROM holds WHERE set_id = t.id AND {CLOSED}),
                        (SELECT count(sway_velocity) FROM holds WHERE set_id = t.id AND NOT {CLOSED}),
                        (SELECT count(sway_velocity) FROM holds WHERE set_id = t.id AND {CLOSED}),
                        s.report_version
                 FROM sets t JOIN sessions s ON s.id = t.session_id
                 ORDER BY s.started_at, s.id, t.position"
            ))
            .map_err(|e| self.fail(e))?;
        stmt.query_map([], |r| {
            Ok(SetRow {
                session: r.get(0)?,
                started_at: r.get(1)?,
                day: r.get(2)?,
                kind: r.get(3)?,
                routine: r.get(4)?,
                source: r.get(5)?,
                exercise: r.get(6)?,
                name: r.get(7)?,
                reps: r.get(8)?,
                hold_s: r.get(9)?,
                best_hold_s: r.get(10)?,
                faults: r.get(11)?,
                sway_velocity: r.get(12)?,
                sway_velocity_eyes_closed: r.get(13)?,
                sway_attempts: [r.get(14)?, r.get(15)?],
                report_version: r.get(16)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.fail(e))
    }

    /// The last `limit` sessions of `routine` that had `step` as written (its harder variant
    /// and a target in another measure are other exercises), newest first.
    pub fn step_history(
        &self,
        routine: &str,
        step: &str,
        measure: &str,
        limit: usize,
    ) -> Result<Vec<StepOutcome>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.id, max(r.target), min(r.met)
                 FROM routine_steps r JOIN sessions s ON s.id = r.session_id
                 WHERE s.routine = ?1 AND r.step = ?2 AND r.measure = ?3 AND r.variant IS NULL
                 GROUP BY s.id ORDER BY s.started_at DESC, s.id DESC LIMIT ?4",
            )
            .map_err(|e| self.fail(e))?;
        stmt.query_map(params![routine, step, measure, limit as i64], |r| {
            Ok(StepOutcome {
                session: r.get(0)?,
                target: r.get(1)?,
                met: r.get(2)?,
            })
        })
        .and_then(|rows| rows.collect())
        .map_err(|e| self.fail(e))
    }
}

/// A hold's eyes were declared closed (sessions before version 3 stored no flag: open).
const CLOSED: &str = "coalesce(eyes_closed, 0)";

/// Sums and counts of attempts' sway velocities, eyes open and closed.
#[derive(Default)]
struct SwaySums([(f64, u32); 2]);

impl SwaySums {
    fn add(&mut self, s: &SetRow) {
        for (sum, (mean, n)) in self.0.iter_mut().zip(
            [s.sway_velocity, s.sway_velocity_eyes_closed]
                .into_iter()
                .zip(s.sway_attempts),
        ) {
            if let Some(mean) = mean {
                sum.0 += mean * f64::from(n);
                sum.1 += n;
            }
        }
    }

    /// The mean over every attempt (eyes open, closed).
    fn means(&self) -> [Option<f64>; 2] {
        self.0.map(|(sum, n)| (n > 0).then(|| sum / f64::from(n)))
    }
}

/// Whether a report of `version` measured sway once each attempt had settled (report 1.5 on;
/// before, from the attempt's very start, while the body was still moving into the stance).
fn settled_sway(version: Option<&str>) -> bool {
    let Some((major, minor)) = version.and_then(|v| v.split_once('.')) else {
        return false;
    };
    match (major.parse::<u32>(), minor.parse::<u32>()) {
        (Ok(major), Ok(minor)) => (major, minor) >= (1, 5),
        _ => false,
    }
}

/// A day's trend while it is gathered: the row, its sessions, and its attempts' sway.
type Gathering = (DayTrend, Vec<i64>, SwaySums);

/// Sets grouped into one row per exercise and day, by exercise then day.
pub fn trends(sets: &[SetRow]) -> Vec<DayTrend> {
    let mut groups: BTreeMap<(&str, &str), Gathering> = BTreeMap::new();
    for s in sets {
        let (t, sessions, sway) = groups
            .entry((s.exercise.as_str(), s.day.as_str()))
            .or_insert_with(|| {
                (
                    DayTrend {
                        day: s.day.clone(),
                        exercise: s.exercise.clone(),
                        name: s.name.clone(),
                        sessions: 0,
                        reps: 0,
                        best_hold_s: 0.0,
                        total_hold_s: 0.0,
                        faults: 0,
                        faults_per_rep: None,
                        sway_velocity: None,
                        sway_velocity_eyes_closed: None,
                        sway_from_start: false,
                    },
                    Vec::new(),
                    SwaySums::default(),
                )
            });
        if !sessions.contains(&s.session) {
            sessions.push(s.session);
        }
        t.reps += s.reps;
        t.total_hold_s += s.hold_s;
        t.best_hold_s = t.best_hold_s.max(s.best_hold_s);
        t.faults += s.faults;
        t.sway_from_start |=
            s.sway_attempts != [0, 0] && !settled_sway(s.report_version.as_deref());
        sway.add(s);
    }
    groups
        .into_values()
        .map(|(mut t, sessions, sway)| {
            t.sessions = sessions.len() as u32;
            t.faults_per_rep = (t.reps > 0).then(|| f64::from(t.faults) / f64::from(t.reps));
            [t.sway_velocity, t.sway_velocity_eyes_closed] = sway.means();
            t
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::settled_sway;

    #[test]
    fn report_versions_are_compared_as_numbers() {
        for (version, settled) in [
            (None, false),
            (Some("1.4"), false),
            (Some("1.5"), true),
            (Some("1.10"), true),
            (Some("2.0"), true),
            (Some("0.9"), false),
            (Some("garbage"), false),
        ] {
            assert_eq!(settled_sway(version), settled, "{version:?}");
        }
    }
}
