//! Helpers shared by the core's tests.
#![allow(dead_code)] // each test binary uses its own subset

pub mod synth;

use std::path::Path;

use posecheck_core::exercise::{Outcome, template};
use posecheck_core::filter::OneEuroConfig;
use posecheck_core::session::{Session, SessionConfig};
use posecheck_core::track::TrackReader;

/// Scores a keypoint track with the built-in templates as `analyze` does (smoothing on).
pub fn score(track: &Path, exercise: Option<&str>) -> Outcome {
    let reader = TrackReader::open(track).expect("track");
    let config = SessionConfig {
        templates: template::load_all(None).expect("templates"),
        exercise: exercise.map(String::from),
        smoothing: Some(OneEuroConfig::default()),
        balance: Default::default(),
    };
    let mut session = Session::new(&config, &reader.header).expect("session");
    for frame in reader {
        let frame = frame.expect("frame");
        session.frame(frame.t, frame.pose.as_ref()).expect("engine");
    }
    session.finish().expect("finish")
}
