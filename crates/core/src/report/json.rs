//! Assembling the report, and reading and writing it (atomically, see [`crate::atomic`]).

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
