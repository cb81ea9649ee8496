//! The one place a session's outcome becomes a report, for `analyze`, `live` and `eval` alike.

use std::path::Path;

use super::model::{
    Ended, ExerciseSet, ModelInfo, Report, SCHEMA_VERSION, SourceInfo, SourceKind, Tool,
};
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
        duration_s: round(duration_s, 3),
        width: header.width,
        height: header.height,
        track: track.map(|p| p.display().to_string()),
    }
}

/// The report of a session. Numbers are rounded here, once, to what a reader can use
/// (milliseconds for times, centiseconds for durations, tenths for angles), so the engine
/// computes at full precision.
pub fn build(outcome: Outcome, source: SourceInfo, model: ModelInfo, ended: Ended) -> Report {
    let mut outcome = outcome;
    outcome.sets.iter_mut().for_each(round_set);
    for w in outcome.warnings.iter_mut() {
        w.start_s = round(w.start_s, 3);
        w.end_s = round(w.end_s, 3);
    }
    let romberg = crate::balance::romberg(&outcome.sets);
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
        provenance: None,
        routine: None,
        romberg,
    }
}

fn round(x: f64, decimals: i32) -> f64 {
    let k = 10f64.powi(decimals);
    (x * k).round() / k
}

fn round_set(s: &mut ExerciseSet) {
    s.start_s = round(s.start_s, 3);
    s.end_s = round(s.end_s, 3);
    s.hold_s = round(s.hold_s, 2);
    for t in s.series.t.iter_mut() {
        *t = round(*t, 3);
    }
    for v in s.series.value.iter_mut().flatten() {
        // `+ 0.0` turns a rounded -0.0 into 0.0, which plots and reads better.
        *v = round(*v, 3) + 0.0;
    }
    for h in s.holds.iter_mut() {
        h.start_s = round(h.start_s, 3);
        h.end_s = round(h.end_s, 3);
        h.duration_s = round(h.duration_s, 2);
        if let Some(w) = h.sway.as_mut() {
            round_sway(w);
        }
    }
    for r in s.rep_list.iter_mut() {
        r.start_s = round(r.start_s, 3);
        r.top_s = round(r.top_s, 3);
        r.end_s = round(r.end_s, 3);
        r.hold_s = round(r.hold_s, 2);
        for v in r.peak.values_mut() {
            *v = round(*v, 1);
        }
    }
    for f in s.faults.iter_mut() {
        f.start_s = round(f.start_s, 3);
        f.end_s = round(f.end_s, 3);
    }
    for t in s.targets.iter_mut() {
        t.done = round(t.done, 1);
    }
}

/// Sway in body heights to 1e-5 (0.02 mm on a 1.7 m body), centimetres to 0.01 mm.
fn round_sway(w: &mut super::model::Sway) {
    w.body_height_px = round(w.body_height_px, 1);
    for v in [&mut w.path_length, &mut w.mean_velocity, &mut w.rms] {
        *v = round(*v, 5);
    }
    if let Some(cm) = w.cm.as_mut() {
        for v in [&mut cm.path_length, &mut cm.mean_velocity, &mut cm.rms] {
            *v = round(*v, 3);
        }
    }
    for t in w.t.iter_mut() {
        *t = round(*t, 3);
    }
    for v in w.position.iter_mut() {
        *v = round(*v, 5) + 0.0;
    }
}
