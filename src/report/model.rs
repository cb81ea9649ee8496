//! The session report: what people read and other programs parse. The JSON Schema in
//! `schema/report.schema.json` is generated from these types (`posecheck report schema`).
//!
//! Times are seconds from the start of the input; angles are degrees.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::skeleton::Side;

/// Version of this report format. Minor versions only add fields.
pub const SCHEMA_VERSION: &str = "1.0";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub schema_version: String,
    pub tool: Tool,
    pub source: SourceInfo,
    pub model: ModelInfo,
    /// Exercise sets in the order they were done.
    pub exercises: Vec<ExerciseSet>,
    /// Conditions that limited what could be judged (no person, body out of frame, wrong view).
    pub warnings: Vec<Warning>,
    pub frames_without_person: u64,
    /// How the session ended: `end_of_input`, `interrupted` (Ctrl-C, window closed) or
    /// `input_broken` (the video or camera failed part-way; everything before was analysed).
    pub ended: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceInfo {
    /// `video`, `image`, `camera` or `track` (a re-scored keypoint track).
    pub kind: String,
    pub path: String,
    pub fps: f64,
    /// Frames analysed.
    pub frames: u64,
    pub duration_s: f64,
    pub width: u32,
    pub height: u32,
    /// The keypoint track this report was re-scored from (absent when the model ran).
    pub track: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelInfo {
    pub name: String,
    /// SHA-256 of the model weights (absent for re-scored tracks whose model file is unknown).
    pub sha256: Option<String>,
}

/// One exercise done for a while: its reps or holds, faults and how it compares with the plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExerciseSet {
    /// Template id, e.g. `glute_bridge`.
    pub exercise: String,
    /// Human name, e.g. "Glute bridge".
    pub name: String,
    pub start_s: f64,
    pub end_s: f64,
    /// What the exercise is scored by: `reps`, or `hold` (time).
    pub counting: String,
    /// Reps counted (for one-sided exercises: left + right).
    pub reps: u32,
    pub reps_left: Option<u32>,
    pub reps_right: Option<u32>,
    /// Total time in a valid hold (for reps: time at the top).
    pub hold_s: f64,
    pub holds: Vec<Hold>,
    pub rep_list: Vec<Rep>,
    pub faults: Vec<Fault>,
    /// Prescribed targets compared with what was done.
    pub targets: Vec<TargetCheck>,
    /// Plain-language advice, most frequent fault first.
    pub advice: Vec<String>,
    /// The template's key signal over time (10 samples a second), for plots.
    pub series: Series,
    /// The unit of each of the template's signals (peaks in `rep_list` are named after them).
    pub units: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Series {
    /// Signal name, e.g. `hip_extension`.
    pub signal: String,
    /// `degrees`, `degrees per second`, `body lengths` (a point's distance from a line, as a
    /// fraction of the line) or `torso lengths`.
    pub unit: String,
    pub t: Vec<f64>,
    /// `null` where the body could not be measured.
    pub value: Vec<Option<f64>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Hold {
    pub side: Option<Side>,
    pub start_s: f64,
    pub end_s: f64,
    pub duration_s: f64,
    /// Why it ended: `position_left`, `form_broken`, `lost_sight` or `session_ended`.
    pub ended_by: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rep {
    /// 1-based, in order over the set (both sides together).
    pub index: u32,
    pub side: Option<Side>,
    /// Left the start position.
    pub start_s: f64,
    /// Reached the working position: the moment the rep counted.
    pub top_s: f64,
    /// Back in the start position (or cut off).
    pub end_s: f64,
    /// Time spent in the working position.
    pub hold_s: f64,
    /// Extremes of the template's signals over the rep, e.g. `hip_extension_max`.
    pub peak: BTreeMap<String, f64>,
    /// Codes of the faults seen during the rep.
    pub faults: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    pub code: String,
    /// `info`, `warning` or `error`.
    pub severity: String,
    pub start_s: f64,
    pub end_s: f64,
    /// The rep it belongs to (1-based), if any.
    pub rep: Option<u32>,
    pub side: Option<Side>,
    /// What to do about it, in plain language.
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetCheck {
    /// `reps` or `hold_s`.
    pub measure: String,
    pub side: Option<Side>,
    pub target: f64,
    pub done: f64,
    pub met: bool,
    /// e.g. "Glute bridge: 12/15 reps".
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Warning {
    /// `no_person`, `partial_body`, `wrong_view`, `low_confidence`, `input_broken`, `rep_uncertain`.
    pub code: String,
    pub start_s: f64,
    pub end_s: f64,
    pub message: String,
}
