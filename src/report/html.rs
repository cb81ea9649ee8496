//! The report as one self-contained HTML page (placeholder until the full page lands).

use std::path::Path;

use super::model::Report;
use crate::error::Error;

/// Renders `report` as an HTML page.
pub fn render(report: &Report) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>posecheck report</title></head><body><pre>{}</pre></body></html>",
        super::summary::render(report)
            .replace('&', "&amp;")
            .replace('<', "&lt;")
    )
}

/// Writes the page atomically.
pub fn write(path: &Path, report: &Report) -> Result<(), Error> {
    super::json::write_atomic(path, render(report).as_bytes())
}
