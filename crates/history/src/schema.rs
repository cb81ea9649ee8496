//! The database's schema, versioned with `PRAGMA user_version`: version N is the first N
//! migrations applied in order. A database of an older version is brought up to date when it is
//! opened; migrations only add, so an older posecheck's data stays as it was.

use rusqlite::{Connection, TransactionBehavior};

/// The migrations in order; the database's `user_version` counts those applied.
pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_sessions.sql"),
    include_str!("migrations/002_routines.sql"),
    include_str!("migrations/003_sway.sql"),
    include_str!("migrations/004_report_version.sql"),
];

/// The schema version this posecheck writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// Marks the file as posecheck's ('pose' in ASCII), so another program's SQLite database is
/// recognised and left alone rather than filled with posecheck's tables.
pub(crate) const APPLICATION_ID: i64 = 0x706f_7365;

pub(crate) fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
}

/// Applies the missing migrations, each in its own immediate transaction that re-reads the
/// version first: two processes opening an old database at once migrate it once.
pub(crate) fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version = user_version(&tx)?;
        let Some(sql) = usize::try_from(version)
            .ok()
            .and_then(|v| MIGRATIONS.get(v))
        else {
            return tx.commit();
        };
        tx.execute_batch(sql)?;
        // PRAGMA takes no bound parameters; both values are numbers made here.
        tx.execute_batch(&format!(
            "PRAGMA user_version = {}; PRAGMA application_id = {APPLICATION_ID};",
            version + 1
        ))?;
        tx.commit()?;
    }
}
