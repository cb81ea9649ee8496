//! The history's errors: one line each, naming the database file. None of them ever leads to
//! the file being replaced: what is there is the person's record of months.

use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "{}: not a posecheck history database, or it is damaged ({detail}); it was left as it is: move it away or choose another with --history-db",
        path.display()
    )]
    Unreadable { path: PathBuf, detail: String },
    #[error(
        "{}: is an SQLite database of another program, not posecheck's history; it was left as it is: choose another with --history-db",
        path.display()
    )]
    Foreign { path: PathBuf },
    #[error(
        "{}: written by a newer posecheck (history schema {found}, this one knows up to {known}); update posecheck",
        path.display()
    )]
    Newer {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error(
        "{}: the history database is locked by another program (waited {waited_s} s); try again when it has finished",
        path.display()
    )]
    Locked { path: PathBuf, waited_s: u64 },
    #[error("{}: no history yet (nothing has been recorded there)", path.display())]
    Missing { path: PathBuf },
    #[error("{}: {detail}", path.display())]
    Other { path: PathBuf, detail: String },
}

pub type Result<T> = std::result::Result<T, Error>;

/// Sorts an SQLite failure into the error a person can act on.
pub(crate) fn classify(path: &Path, err: rusqlite::Error, waited_s: u64) -> Error {
    let path = path.to_path_buf();
    match err.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => Error::Unreadable {
            path,
            detail: err.to_string(),
        },
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            Error::Locked { path, waited_s }
        }
        _ => Error::Other {
            path,
            detail: err.to_string(),
        },
    }
}
