//! A session: raw poses in time order → smoothing → exercise engine, with the per-frame
//! outputs (keypoint track, CSV) alongside. Video analysis, track replay and live mode all
//! drive the same session, so they give the same results for the same keypoints.

use std::path::Path;

use crate::error::Error;
use crate::exercise::{Engine, Event, Outcome, Template};
use crate::filter::{OneEuroConfig, PoseFilter};
use crate::pose::Pose;
use crate::report::csv::CsvWriter;
use crate::track::{TrackFrame, TrackHeader, TrackWriter};

/// How poses are turned into results.
#[derive(Clone, Debug)]
pub struct SessionConfig {
    pub templates: Vec<Template>,
    /// Only this exercise (no recognition).
    pub exercise: Option<String>,
    /// Keypoint smoothing; `None` for still images.
    pub smoothing: Option<OneEuroConfig>,
}

pub struct Session {
    filter: Option<PoseFilter>,
    pub engine: Engine,
    track: Option<TrackWriter>,
    csv: Option<CsvWriter>,
    smoothed: Option<Pose>,
}

impl Session {
    pub fn new(
        config: &SessionConfig,
        header: &TrackHeader,
        track_path: Option<&Path>,
        csv_path: Option<&Path>,
    ) -> Result<Session, Error> {
        let engine = Engine::new(
            config.templates.clone(),
            config.exercise.as_deref(),
            (header.width, header.height),
        )?;
        let track = track_path
            .map(|p| TrackWriter::create(p, header))
            .transpose()?;
        let csv = csv_path
            .map(|p| CsvWriter::create(p, &engine))
            .transpose()?;
        Ok(Session {
            filter: config.smoothing.map(PoseFilter::new),
            engine,
            track,
            csv,
            smoothed: None,
        })
    }

    /// Feeds one frame's raw pose (as the model gave it, or as a track stores it).
    pub fn frame(&mut self, t: f64, raw: Option<&Pose>) -> Result<&[Event], Error> {
        // Times as a track stores them, so that a replay sees exactly what this run saw.
        let t = crate::track::round_time(t);
        if let Some(w) = self.track.as_mut() {
            w.write(&TrackFrame {
                t,
                pose: raw.cloned(),
            })?;
        }
        self.smoothed = raw.map(|p| {
            let mut p = p.clone();
            if let Some(f) = self.filter.as_mut() {
                f.apply(t, &mut p);
            }
            p
        });
        self.engine.push(t, self.smoothed.as_ref());
        if let Some(c) = self.csv.as_mut() {
            c.frame(t, &self.engine)?;
        }
        Ok(self.engine.events())
    }

    /// The smoothed pose of the last frame.
    pub fn pose(&self) -> Option<&Pose> {
        self.smoothed.as_ref()
    }

    /// Ends the session and closes its files.
    pub fn finish(self) -> Result<Outcome, Error> {
        if let Some(w) = self.track {
            w.finish()?;
        }
        if let Some(c) = self.csv {
            c.finish()?;
        }
        Ok(self.engine.finish())
    }
}
