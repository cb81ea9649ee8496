//! The one place a session's outcome becomes a report, for `analyze`, `live` and `eval` alike.

use std::path::Path;

use super::model::{Ended, ModelInfo, Report, SCHEMA_VERSION, SourceInfo, SourceKind, Tool};
use crate::exercise::Outcome;
use crate::track::TrackHeader;

/// What was analysed, from the session's track header: `frames` frames over `duration_s`
/// seconds (`None`: as many as the frame rate makes them; cameras deliver irregularly, so live
/// sessions give the time measured), re-scored from `track` if one was replayed.
pub fn source_info(
    header: &TrackHeader,
    frames: u64,
    duration_s: Option<f64>,
    track: Option<&Path>,
) -> SourceInfo {
    let duration_s = duration_s.unwrap_or(frames as f64 / header.fps);
    SourceInfo {
        kind: header.source_kind.unwrap_or(SourceKind::Video),
        path: header.source.clone(),
        fps: header.fps,
        frames,
        duration_s: (duration_s * 1000.0).round() / 1000.0,
        width: header.width,
        height: header.height,
        track: track.map(|p| p.display().to_string()),
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
        ended,
    }
}
