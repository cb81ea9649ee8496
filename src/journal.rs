//! A live session's journal: its raw keypoints, written and flushed frame by frame beside the
//! report it will become. A session that ends in any way posecheck sees (the end, Ctrl-C,
//! SIGTERM, the camera lost) writes its report and removes the journal. One killed outright
//! (SIGKILL, the out-of-memory killer) leaves the journal behind, and the next live session or
//! routine whose report goes to the same folder rebuilds the report from it: a replayed
//! track gives the report the session would have written (`posecheck_core::track`).
//!
//! What a journal cannot carry: keys pressed during the session (an exercise chosen with the
//! exercise key, a set reset) and a guided routine's steps. The rebuilt report is the
//! session's sets as automatic recognition (or the exercise the new session names) sees them.

use std::path::{Path, PathBuf};

use posecheck_core::report::json;
use posecheck_core::report::model::Ended;
use posecheck_history::SessionKind;

use crate::analyze::{self, AnalyzeSettings, FrameOutputs};
use crate::error::Error;

const SUFFIX: &str = ".journal.jsonl";

/// The journal of the session whose report goes to `report`.
pub fn path_for(report: &Path) -> PathBuf {
    let mut name = report.file_name().unwrap_or_default().to_os_string();
    name.push(SUFFIX);
    report.with_file_name(name)
}

/// Removes the journal of a session whose report has been written.
pub fn remove(report: &Path) -> Result<(), Error> {
    let path = path_for(report);
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(&path, e)),
        _ => Ok(()),
    }
}

/// Rebuilds the report of every killed session whose journal lies beside `report` (in its
/// folder), records it in the history when one is given, and returns the reports written.
/// A journal that cannot be read is left where it is and named in a line on stderr: it must
/// not keep a new session from starting.
pub fn recover(
    report: &Path,
    settings: &AnalyzeSettings,
    history: Option<&Path>,
) -> Result<Vec<PathBuf>, Error> {
    let dir = match report.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut journals: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_str().is_some_and(|s| s.ends_with(SUFFIX)))
        .collect();
    journals.sort();
    let mut recovered = Vec::new();
    for journal in journals {
        match rebuild(&journal, settings, history) {
            Ok(Some(report)) => recovered.push(report),
            Ok(None) => {}
            Err(e) => eprintln!(
                "posecheck: the journal {} of an earlier session could not be recovered: {e}",
                journal.display()
            ),
        }
    }
    Ok(recovered)
}

/// One journal's report; `None` when it holds no frame (nothing was measured).
fn rebuild(
    journal: &Path,
    settings: &AnalyzeSettings,
    history: Option<&Path>,
) -> Result<Option<PathBuf>, Error> {
    // A session still running holds its journal locked (and keeps it locked as long as the
    // process lives); the lock is held here too while the journal is rebuilt.
    let Ok(file) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(journal)
    else {
        return Ok(None);
    };
    if file.try_lock().is_err() {
        return Ok(None);
    }
    let text = journal.to_str().unwrap_or_default();
    let report_path = PathBuf::from(&text[..text.len() - SUFFIX.len()]);
    // The line being written when the process died is cut short: keep the whole ones.
    let bytes = std::fs::read(journal).map_err(|e| Error::io(journal, e))?;
    let whole = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    if whole < bytes.len() {
        std::fs::write(journal, &bytes[..whole]).map_err(|e| Error::io(journal, e))?;
    }
    if bytes[..whole].iter().filter(|b| **b == b'\n').count() < 2 {
        std::fs::remove_file(journal).map_err(|e| Error::io(journal, e))?;
        return Ok(None);
    }
    let mut analysis = analyze::analyze_track(journal, settings, &FrameOutputs::default())?;
    let report = &mut analysis.report;
    report.ended = Ended::Killed;
    // The journal is gone once its report is written.
    report.source.track = None;
    json::write_report(&report_path, report)?;
    if let Some(db) = history {
        // The session began its duration before the journal's last write.
        let modified = std::fs::metadata(journal)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or_else(crate::history::now, |d| d.as_secs() as i64);
        let started_at = modified - report.source.duration_s as i64;
        crate::history::record(db, SessionKind::Live, started_at, report)?;
    }
    std::fs::remove_file(journal).map_err(|e| Error::io(journal, e))?;
    eprintln!(
        "posecheck: an earlier session was killed before it could save; its report was rebuilt from its journal: {}",
        report_path.display()
    );
    Ok(Some(report_path))
}
