//! Assembling the report and writing files atomically: a temporary file in the target's
//! directory, renamed over the target, so an interrupted write never leaves half a file.

use std::io::Write;
use std::path::Path;

use super::model::{ModelInfo, Report, SCHEMA_VERSION, SourceInfo, Tool};
use crate::error::Error;
use crate::exercise::Outcome;

/// How a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    EndOfInput,
    Interrupted,
    InputBroken,
}

impl Ended {
    pub fn code(self) -> &'static str {
        match self {
            Ended::EndOfInput => "end_of_input",
            Ended::Interrupted => "interrupted",
            Ended::InputBroken => "input_broken",
        }
    }
}

pub fn build(outcome: Outcome, source: SourceInfo, model: ModelInfo, ended: Ended) -> Report {
    Report {
        schema_version: SCHEMA_VERSION.to_string(),
        tool: Tool {
            name: "posecheck".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        source,
        model,
        exercises: outcome.sets,
        warnings: outcome.warnings,
        frames_without_person: outcome.frames_without_person,
        ended: ended.code().to_string(),
    }
}

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Error::input(
            path,
            format!("cannot write: the directory {} does not exist", dir.display()),
        ));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".posecheck-")
        .tempfile_in(dir)
        .map_err(|e| Error::input(path, format!("cannot write here: {e}")))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| Error::io(path, e))?;
    tmp.persist(path)
        .map_err(|e| Error::input(path, format!("cannot write: {}", e.error)))?;
    Ok(())
}

pub fn write_report(path: &Path, report: &Report) -> Result<(), Error> {
    let mut text = serde_json::to_string_pretty(report)
        .map_err(|e| Error::Invalid(format!("report cannot be written as JSON: {e}")))?;
    text.push('\n');
    write_atomic(path, text.as_bytes())
}

pub fn read_report(path: &Path) -> Result<Report, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| {
        Error::parse(
            path,
            e.line(),
            format!("not a posecheck report (schema {SCHEMA_VERSION}): {e}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_writes_replace_the_file_and_leave_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn a_missing_directory_is_a_clear_error() {
        let e = write_atomic(Path::new("/nonexistent-dir/x/r.json"), b"x").unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
    }
}
