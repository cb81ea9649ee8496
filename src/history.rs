//! Where sessions are remembered: the history database's path (`--history-db`, or the user's
//! data directory) and recording a finished session's report in it.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::Error;
use posecheck_core::report::model::Report;
use posecheck_history::{History, SessionKind, SessionRecord};

/// The database to use: the one given, or the default in the user's data directory.
pub fn db_path(given: Option<&Path>) -> Result<PathBuf, Error> {
    given
        .map(Path::to_path_buf)
        .or_else(posecheck_history::default_path)
        .ok_or_else(|| {
            Error::invalid("no home directory to keep the history in: give --history-db PATH")
        })
}

/// Now, in Unix seconds: when a session starts.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Opens the database (creating or migrating it) before a session starts, so a damaged or
/// foreign file is found out before anything is measured rather than after.
pub fn check(path: &Path) -> Result<(), Error> {
    History::open(path)?;
    Ok(())
}

/// Records a finished session; returns its id.
pub fn record(
    path: &Path,
    kind: SessionKind,
    started_at: i64,
    report: &Report,
) -> Result<i64, Error> {
    let mut h = History::open(path)?;
    Ok(h.record(&SessionRecord {
        started_at,
        kind,
        report,
    })?)
}
