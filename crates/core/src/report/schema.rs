//! The report's JSON Schema, generated from the Rust types so it cannot drift from them.
//! `schema/report.schema.json` in the repository is this output (a test keeps them equal).

use super::model::Report;

/// The JSON Schema of [`Report`], pretty-printed.
pub fn report_schema() -> String {
    let schema = schemars::schema_for!(Report);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
