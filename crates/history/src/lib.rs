//! posecheck's history: the numbers of every session (sets, reps, holds, faults, targets,
//! routine steps; never frames) in an SQLite database, and read back as trends over days.
//!
//! Kept out of `posecheck-core` so the core stays free of a database; it reads the core's
//! report types and nothing else of posecheck.
//!
//! Two posecheck processes may write at once: the database runs in WAL mode, each session is one
//! immediate transaction, and a writer waits up to [`BUSY_TIMEOUT_S`] for the other. A file
//! that is not a posecheck database, is damaged, or belongs to a newer posecheck is refused with
//! one line and never touched.

mod error;
pub mod html;
pub mod query;
mod record;
pub mod schema;
pub mod text;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

pub use error::{Error, Result};
pub use record::{SessionKind, SessionRecord};

/// How long a writer waits for another process's transaction before giving up.
pub const BUSY_TIMEOUT_S: u64 = 10;

/// An open history database.
pub struct History {
    conn: Connection,
    path: PathBuf,
}

/// `$XDG_DATA_HOME/posecheck/history.sqlite`, or `~/.local/share/posecheck/history.sqlite`.
pub fn default_path() -> Option<PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(data.join("posecheck").join("history.sqlite"))
}

impl History {
    /// Opens the database at `path` for recording, creating it (and its directory) if there is
    /// none, and bringing an older schema up to date.
    pub fn open(path: &Path) -> Result<History> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::Other {
                path: dir.to_path_buf(),
                detail: format!("cannot create the directory: {e}"),
            })?;
        }
        History::connect(path, OpenFlags::SQLITE_OPEN_CREATE)
    }

    /// Opens an existing database (for reading it back); a missing file is an error, not a new
    /// empty history.
    pub fn open_existing(path: &Path) -> Result<History> {
        if !path.exists() {
            return Err(Error::Missing {
                path: path.to_path_buf(),
            });
        }
        History::connect(path, OpenFlags::empty())
    }

    /// Opens the database, trying again while another process holds it: SQLite gives up at
    /// once, without waiting, when two connections opening a new database at the same moment
    /// would deadlock (one switching it to WAL or migrating it while the other reads it), and
    /// waiting a moment and starting again resolves that.
    fn connect(path: &Path, extra: OpenFlags) -> Result<History> {
        let started = std::time::Instant::now();
        loop {
            match History::connect_once(path, extra) {
                Err(Error::Locked { .. })
                    if started.elapsed() < Duration::from_secs(BUSY_TIMEOUT_S) =>
                {
                    std::thread::sleep(Duration::from_millis(50));
                }
                done => return done,
            }
        }
    }

    fn connect_once(path: &Path, extra: OpenFlags) -> Result<History> {
        if path.is_dir() {
            return Err(Error::Other {
                path: path.to_path_buf(),
                detail: "is a directory; the history is a file (--history-db FILE)".into(),
            });
        }
        let fail = |e| error::classify(path, e, BUSY_TIMEOUT_S);
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | extra;
        let mut conn = Connection::open_with_flags(path, flags).map_err(fail)?;
        conn.busy_timeout(Duration::from_secs(BUSY_TIMEOUT_S))
            .map_err(fail)?;
        check_identity(path, &conn)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(fail)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(fail)?;
        schema::migrate(&mut conn).map_err(fail)?;
        Ok(History {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// The schema version of the open database.
    pub fn version(&self) -> Result<i64> {
        schema::user_version(&self.conn).map_err(|e| self.fail(e))
    }

    fn fail(&self, err: rusqlite::Error) -> Error {
        error::classify(&self.path, err, BUSY_TIMEOUT_S)
    }
}

/// Refuses what is not posecheck's history before anything is written to it: a file SQLite
/// cannot read (garbage, damaged pages), another program's database, a newer schema.
fn check_identity(path: &Path, conn: &Connection) -> Result<()> {
    let fail = |e| error::classify(path, e, BUSY_TIMEOUT_S);
    // One read transaction, so that every read below sees the same state of the file: another
    // posecheck creating this history at the same moment writes its tables and its mark in one
    // transaction, and read apart, its tables could be seen without the mark read just before
    // them (a CI run refused a brand-new history so, as "another program's").
    let conn = conn.unchecked_transaction().map_err(fail)?;
    // Reading the header is where a file that is not SQLite at all is found out.
    let app: i64 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(fail)?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(fail)?;
    if tables > 0 && app != schema::APPLICATION_ID {
        return Err(Error::Foreign {
            path: path.to_path_buf(),
        });
    }
    let found = schema::user_version(&conn).map_err(fail)?;
    if found > schema::LATEST {
        return Err(Error::Newer {
            path: path.to_path_buf(),
            found,
            known: schema::LATEST,
        });
    }
    if tables > 0 {
        let verdict: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(fail)?;
        if verdict != "ok" {
            // The check lists every damaged page, a line each: the first says enough.
            let first = verdict
                .lines()
                .find(|l| !l.starts_with("***"))
                .unwrap_or("");
            return Err(Error::Unreadable {
                path: path.to_path_buf(),
                detail: format!("integrity check: {}", first.trim()),
            });
        }
    }
    Ok(())
}
