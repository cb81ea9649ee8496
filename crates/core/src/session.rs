//! A session: raw poses in time order → smoothing → exercise engine. Video analysis, track
//! replay and live mode all drive the same session, so they give the same results for the same
//! keypoints. The session computes and writes nothing: per-frame outputs (the keypoint track,
//! the CSV of signals, an annotated video) are [`FrameSink`]s the caller chooses.

use crate::balance::BalanceSettings;
use crate::error::Error;
use crate::exercise::{Engine, Event, Outcome, Template};
use crate::filter::{OneEuroConfig, PoseFilter};
use crate::pose::Pose;
use crate::track::TrackHeader;

/// How poses are turned into results.
#[derive(Clone, Debug)]
pub struct SessionConfig {
    pub templates: Vec<Template>,
    /// Only this exercise (no recognition).
    pub exercise: Option<String>,
    /// Keypoint smoothing; `None` for still images.
    pub smoothing: Option<OneEuroConfig>,
    /// What the person declared for balance exercises (height, eyes closed).
    pub balance: BalanceSettings,
}

/// Takes each frame as the session saw it: the raw pose and the engine after it.
pub trait FrameSink {
    fn frame(&mut self, t: f64, raw: Option<&Pose>, engine: &Engine) -> Result<(), Error>;
    /// Completes the output (files are moved into place).
    fn finish(self: Box<Self>) -> Result<(), Error>;
}

pub struct Session {
    filter: Option<PoseFilter>,
    pub engine: Engine,
    sinks: Vec<Box<dyn FrameSink>>,
    smoothed: Option<Pose>,
}

impl Session {
    pub fn new(config: &SessionConfig, header: &TrackHeader) -> Result<Session, Error> {
        let mut engine = Engine::new(
            config.templates.clone(),
            config.exercise.as_deref(),
            (header.width, header.height),
        )?;
        engine.set_balance(&config.balance);
        Ok(Session {
            filter: config.smoothing.map(PoseFilter::new),
            engine,
            sinks: Vec::new(),
            smoothed: None,
        })
    }

    /// Adds an output that sees every frame from now on.
    pub fn add_sink(&mut self, sink: Box<dyn FrameSink>) {
        self.sinks.push(sink);
    }

    /// Feeds one frame's raw pose (as the model gave it, or as a track stores it).
    pub fn frame(&mut self, t: f64, raw: Option<&Pose>) -> Result<&[Event], Error> {
        // Times as a track stores them, so that a replay sees exactly what this run saw.
        let t = crate::track::round_time(t);
        self.smoothed = raw.map(|p| {
            let mut p = p.clone();
            if let Some(f) = self.filter.as_mut() {
                f.apply(t, &mut p);
            }
            p
        });
        self.engine.push(t, self.smoothed.as_ref());
        for sink in &mut self.sinks {
            sink.frame(t, raw, &self.engine)?;
        }
        Ok(self.engine.events())
    }

    /// The smoothed pose of the last frame.
    pub fn pose(&self) -> Option<&Pose> {
        self.smoothed.as_ref()
    }

    /// Ends the session: completes its outputs and returns what was measured.
    pub fn finish(self) -> Result<Outcome, Error> {
        for sink in self.sinks {
            sink.finish()?;
        }
        Ok(self.engine.finish())
    }
}
