//! Reading and writing the report (atomically, see [`crate::atomic`]).

use std::path::Path;

use super::model::{Report, SCHEMA_VERSION};
use crate::error::Error;

pub fn write_report(path: &Path, report: &Report) -> Result<(), Error> {
    let mut text = serde_json::to_string_pretty(report)
        .map_err(|e| Error::Invalid(format!("report cannot be written as JSON: {e}")))?;
    text.push('\n');
    crate::atomic::write(path, text.as_bytes())
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
