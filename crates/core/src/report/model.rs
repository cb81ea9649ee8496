//! The session report: what people read and other programs parse. The JSON Schema in
//! `schema/report.schema.json` is generated from these types (`posecheck report schema`).
//!
//! Times are seconds from the start of the input; angles are degrees.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::skeleton::Side;

/// Version of this report format. Minor versions only add fields and codes (1.1:
/// `provenance`; 1.2: `model.frames`, `routine`, balance attempts and sway, and the hold end
/// codes `touch_down`, `step`, `heels_dropped`, `hands_left_waist`, `time_up`, which only
/// balance exercises report; 1.3: the warning `other_person`; 1.4: a rep's `top_s` is when
/// it reached its top, not when it counted on the way there; 1.5: an attempt's sway is
/// measured once it has settled, from half a second after its start; 1.6: a balance rep's
/// `top_s` is the middle of its attempt, not when it counted; 1.7: every rep's `top_s` is the
/// middle of its time held at the top, not when it first came near the peak).
pub const SCHEMA_VERSION: &str = "1.7";

/// Version of the `routine` section, which may change on its own (minor versions add fields).
pub const ROUTINE_SECTION_VERSION: &str = "1.0";

/// The closed vocabularies of the report: serialised as their snake_case codes, listed as
/// enums in the schema. `Display` gives the same code (for event lines and tables).
macro_rules! vocabulary {
    ($($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? })+) => {$(
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
            JsonSchema,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        display_as_code!($name);
    )+};
}

/// `Display` as the value's serde name: one table of codes, kept by the derive.
macro_rules! display_as_code {
    ($name:ident) => {
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match serde_json::to_value(self) {
                    Ok(serde_json::Value::String(code)) => f.write_str(&code),
                    _ => write!(f, "{self:?}"),
                }
            }
        }
    };
}

vocabulary! {
    /// How the session ended.
    Ended {
        /// Ran to the end of the input.
        EndOfInput,
        /// Ctrl-C, SIGTERM or the window closed.
        Interrupted,
        /// The video or camera failed part-way; everything before was analysed.
        InputBroken,
        /// The process was killed (or the machine stopped) before it could save: the report
        /// was rebuilt from the session's keypoint journal when posecheck next started.
        Killed,
    }

    /// What was analysed.
    SourceKind {
        Video,
        Image,
        Camera,
        /// A re-scored keypoint track.
        Track,
    }

    /// What an exercise is scored by.
    Counting {
        /// Reps: start position → working position counts one (its time at the top is timed
        /// too).
        Reps,
        /// A held position, timed.
        Hold,
    }

    /// Why a hold (or a rep's time at the top) ended. The last five end a balance attempt
    /// as a coach sees it (the template's `[[ends]]` and `end_after_s`).
    HoldEnd {
        PositionLeft,
        FormBroken,
        LostSight,
        SessionEnded,
        /// The raised foot came down.
        TouchDown,
        /// A step or hop: the standing foot moved.
        Step,
        /// The heels came down in a stand on the toes.
        HeelsDropped,
        /// The hands left the waist where the exercise keeps them there.
        HandsLeftWaist,
        /// The prescribed time was up: the attempt succeeded.
        TimeUp,
    }

    /// How much a fault matters: `info` is advice and never breaks a hold.
    Severity {
        Info,
        Warning,
        Error,
    }

    /// What a target counts.
    Measure {
        Reps,
        HoldS,
        /// Balance attempts: the hold target reached within the attempts the routine allows.
        Attempts,
    }

    /// The horizontal direction of the body's sway that one camera sees.
    SwayAxis {
        /// Filmed from the front: left-right sway.
        SideToSide,
        /// Filmed from the side: forward-backward sway.
        FrontToBack,
        /// Filmed at an angle: a blend of both, not separable.
        Mixed,
    }

    /// Conditions that limited what could be judged.
    WarningCode {
        /// Nobody in view.
        NoPerson,
        /// Parts the exercise needs are out of frame or hidden.
        PartialBody,
        /// The camera does not see the exercise from a side it can be judged from.
        WrongView,
        /// The video broke off part-way.
        InputBroken,
        /// A rep was reached as far as could be seen, but part of the body was out of view:
        /// it may have been missed (or counted on less evidence than usual).
        RepUncertain,
        /// Someone else was in the picture during a balance attempt: its sway is not
        /// measured (whose centre of mass it would be cannot be vouched for).
        OtherPerson,
    }

    /// Why a routine step ended.
    StepEnd {
        /// The target was reached.
        TargetMet,
        /// Every attempt was used without reaching the target.
        AttemptsUsed,
        /// The person moved on (the next or previous key) before reaching it.
        Skipped,
        /// Its video ended (a routine over a list of videos: one per step).
        SourceEnded,
        /// The session stopped during the step.
        SessionEnded,
    }
}

/// Units of the template signals.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum Unit {
    #[serde(rename = "degrees")]
    Degrees,
    #[serde(rename = "degrees per second")]
    DegreesPerSecond,
    /// A point's distance from a line, as a fraction of the line.
    #[serde(rename = "body lengths")]
    BodyLengths,
    #[serde(rename = "torso lengths")]
    TorsoLengths,
    /// A yes/no signal: 1 or 0.
    #[serde(rename = "yes (1) / no (0)")]
    YesNo,
    /// The units of the signal it is derived from (a distance below that signal's top).
    #[serde(rename = "the signal's units")]
    SignalUnits,
    /// A share of the person's own range (0 at their start level, 1 at their top).
    #[serde(rename = "share of the person's range")]
    RangeShare,
}

display_as_code!(Unit);

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
    pub ended: Ended,
    /// What the report was computed from, so that a batch can tell whether it is still current
    /// (absent for live sessions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
    /// The guided routine this session followed (absent for sessions without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routine: Option<RoutineReport>,
    /// Balance stances done both with the eyes open and closed: their Romberg ratios.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub romberg: Vec<Romberg>,
}

/// A guided routine: every step walked, with its target and what was done.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoutineReport {
    /// Version of this section ([`ROUTINE_SECTION_VERSION`]).
    pub version: String,
    /// Routine id, e.g. `home_set`.
    pub id: String,
    pub name: String,
    /// The steps in the order they were done (a step done again appears again).
    pub steps: Vec<StepResult>,
    /// Higher targets proposed because the last ones were met several sessions in a row.
    pub proposals: Vec<Proposal>,
    /// Every step of every round was reached.
    pub completed: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepResult {
    /// The step's id in the routine file, e.g. `bridge`.
    pub step: String,
    /// Template id of the exercise.
    pub exercise: String,
    pub name: String,
    /// The side the target is for (absent: both sides together, or no sides).
    pub side: Option<Side>,
    /// The target counts per side (each side must reach it).
    pub per_side: bool,
    /// Round of the routine (1-based) and set within the step (1-based).
    pub round: u32,
    pub set: u32,
    /// Attempts made (a hold that ended short of the target is an attempt).
    pub attempts: u32,
    /// The harder variant's name, when this was it.
    pub variant: Option<String>,
    pub measure: Measure,
    pub target: f64,
    /// Reps counted, or the longest hold (per side: the smaller of the two sides').
    pub done: f64,
    pub met: bool,
    pub ended_by: StepEnd,
    /// Session time the step started and ended.
    pub start_s: f64,
    pub end_s: f64,
}

/// A higher target proposed for a step, and whether the person took it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    pub step: String,
    pub measure: Measure,
    pub from: f64,
    pub to: f64,
    /// e.g. "met 15 reps in each of the last 3 sessions".
    pub reason: String,
    pub accepted: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// SHA-256 of the input file.
    pub input_sha256: String,
    /// SHA-256 of everything else the result depends on: posecheck's version, the model and its
    /// weights, the templates and the analysis options.
    pub settings_sha256: String,
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
    pub kind: SourceKind,
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
    /// Frames the model ran on; at the adaptive pose rate the others are interpolated between
    /// them (absent for re-scored tracks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frames: Option<u64>,
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
    pub counting: Counting,
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
    pub units: BTreeMap<String, Unit>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Series {
    /// Signal name, e.g. `hip_extension`.
    pub signal: String,
    pub unit: Unit,
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
    pub ended_by: HoldEnd,
    /// Balance exercises: the attempt's number (1-based, per side, over the set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt: Option<u32>,
    /// Balance exercises: whether the eyes were closed (as the person declared).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eyes_closed: Option<bool>,
    /// Balance exercises: the body's sway over the attempt (absent when too little of the
    /// body was seen to measure it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sway: Option<Sway>,
}

/// Postural sway of one attempt: the centre of mass (Dempster's segment model, Winter 2009)
/// along the horizontal axis the camera sees, in body heights, from half a second after the
/// attempt's start (the body still moving into the stance is not sway) to its end.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sway {
    pub axis: SwayAxis,
    /// The body's height in the picture the sway is measured in, pixels.
    pub body_height_px: f64,
    /// Distance the centre of mass travelled, body heights.
    pub path_length: f64,
    /// Path length per second measured, body heights per second.
    pub mean_velocity: f64,
    /// RMS distance from its mean position, body heights.
    pub rms: f64,
    /// 95 % confidence ellipse of the path seen from above, square body heights: needs both
    /// horizontal axes, so absent from one camera.
    pub ellipse_area: Option<f64>,
    /// The same in centimetres (given the person's height).
    pub cm: Option<SwayCm>,
    /// The centre of mass's position from its mean over the attempt, body heights, 10 samples
    /// a second (for plots).
    pub t: Vec<f64>,
    pub position: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SwayCm {
    pub path_length: f64,
    /// Centimetres per second.
    pub mean_velocity: f64,
    pub rms: f64,
    /// Square centimetres.
    pub ellipse_area: Option<f64>,
}

/// Romberg ratio of a stance: sway with the eyes closed over sway with them open (mean sway
/// velocity, averaged over the attempts of each).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Romberg {
    pub exercise: String,
    pub side: Option<Side>,
    pub open_attempts: u32,
    pub closed_attempts: u32,
    /// Mean sway velocity, body heights per second.
    pub open_velocity: f64,
    pub closed_velocity: f64,
    pub ratio: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rep {
    /// 1-based, in order over the set (both sides together).
    pub index: u32,
    pub side: Option<Side>,
    /// Left the start position.
    pub start_s: f64,
    /// The rep's top: the middle of its time held at the top (from the first to the last
    /// moment its key signal is within the template's `hold_band` of how far the rep went; the
    /// rep counts when it reaches the working position, before that). A balance rep's (a rise
    /// onto the toes, a tilt held on the toes): the middle of its attempt. A rep too brief to
    /// have a peak: when it counted.
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
    pub severity: Severity,
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
    pub measure: Measure,
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
    pub code: WarningCode,
    pub start_s: f64,
    pub end_s: f64,
    pub message: String,
}
