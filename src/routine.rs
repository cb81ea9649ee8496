//! `posecheck routine NAME --source VIDEO...`: a guided routine over recorded inputs (videos or
//! keypoint tracks), for tests and demos. With several inputs, each is the footage of one step
//! as walked: an input ends its step (its target met, or the input over), the rest is passed
//! at once, and the next input is the next step. With one, the steps follow each other in it.
//!
//! In front of the camera (or with one video and a window) the live session runs with a
//! [`LiveCoach`]; both share the planning (targets with any progression from the history) and
//! the step that follows each frame.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use opencv::core::{Mat, Size};

use crate::error::Error;
use crate::live::{Coach, Key};
use crate::overlay::coach::CoachScreen;
use crate::pipeline::{self, EveryFrameWanted, PipelineOptions, PoseRate};
use crate::source::MediaSource;
use posecheck_core::exercise::{Event, Outcome, Status};
use posecheck_core::pose::Pose;
use posecheck_core::report::build::{self, source_info};
use posecheck_core::report::model::{Ended, Proposal, Report, RoutineReport, SourceKind, StepEnd};
use posecheck_core::routine::progression::{self, Past};
use posecheck_core::routine::runner::{RoutineEvent, Runner};
use posecheck_core::routine::{Routine, Target};
use posecheck_core::session::{Session, SessionConfig};
use posecheck_core::track::{TrackHeader, TrackReader};
use posecheck_history::History;
use posecheck_pose::{ModelConfig, PoseModel};

/// The targets to use for each step, and the proposals made: a step met in each of the last
/// sessions of this routine in the history is offered a higher target, taken unless
/// `decline`.
pub fn plan(
    routine: &Routine,
    history: Option<&History>,
    decline: bool,
) -> Result<(Vec<Target>, Vec<Proposal>), Error> {
    let mut targets = Vec::new();
    let mut proposals = Vec::new();
    for step in &routine.steps {
        let past: Vec<Past> = match history {
            Some(h) => h
                .step_history(
                    &routine.id,
                    &step.id,
                    &step.target.measure.to_string(),
                    progression::STREAK,
                )?
                .into_iter()
                .map(|o| Past {
                    target: o.target,
                    met: o.met,
                })
                .collect(),
            None => Vec::new(),
        };
        let mut target = progression::base_target(step, &past);
        if let Some(mut p) = progression::propose(step, target, &past) {
            p.accepted = !decline;
            if p.accepted {
                target.value = p.to;
            }
            proposals.push(p);
        }
        targets.push(target);
    }
    Ok((targets, proposals))
}

/// A recorded input of the routine: a keypoint track (no model needed) or a video.
enum Input {
    Track(TrackReader),
    Video(MediaSource),
}

impl Input {
    fn open(path: &Path) -> Result<Input, Error> {
        if posecheck_core::track::is_track_file(path) {
            return Ok(Input::Track(TrackReader::open(path)?));
        }
        let source = MediaSource::open_file(path)?;
        if source.info.is_still {
            return Err(Error::input(path, "a routine needs a video, not a picture"));
        }
        Ok(Input::Video(source))
    }
}

/// Whether any of `inputs` needs the pose model (is not a keypoint track).
pub fn needs_model(inputs: &[PathBuf]) -> bool {
    inputs
        .iter()
        .any(|p| !posecheck_core::track::is_track_file(p))
}

/// Everything a routine over recorded inputs needs.
pub struct RecordedRoutine<'a> {
    pub routine: &'a Routine,
    pub session: &'a SessionConfig,
    pub targets: Vec<Target>,
    pub proposals: Vec<Proposal>,
    pub model: ModelConfig,
    pub stop: &'a AtomicBool,
}

/// Feeds one frame to the session and the runner.
fn frame(
    session: &mut Session,
    runner: &mut Runner,
    t: f64,
    pose: Option<&Pose>,
) -> Result<(), Error> {
    session.frame(t, pose)?;
    after_frame(session, runner, t)
}

/// The runner sees the frame the session has just scored; the session then scores only the
/// exercise of the runner's step (a new set when it changes).
fn after_frame(session: &mut Session, runner: &mut Runner, t: f64) -> Result<(), Error> {
    let events: Vec<Event> = session.engine.events().to_vec();
    let status: Status = session.engine.status();
    runner.frame(t, &status, &events);
    session.engine.declare_eyes(t, runner.eyes_closed());
    if let Some(ex) = runner.exercise()
        && session.engine.chosen_exercise() != Some(ex)
    {
        session.engine.set_exercise(Some(ex))?;
    }
    Ok(())
}

/// The routine in front of the camera: the live session's coach.
pub struct LiveCoach<'r, 'e> {
    runner: Runner<'r>,
    screen: CoachScreen,
    emit: &'e mut dyn FnMut(&RoutineEvent),
}

impl<'r, 'e> LiveCoach<'r, 'e> {
    pub fn new(runner: Runner<'r>, emit: &'e mut dyn FnMut(&RoutineEvent)) -> LiveCoach<'r, 'e> {
        let mut coach = LiveCoach {
            runner,
            screen: CoachScreen::default(),
            emit,
        };
        coach.flush();
        coach
    }

    fn flush(&mut self) {
        for e in self.runner.drain() {
            self.screen.observe(&e);
            (self.emit)(&e);
        }
    }

    /// Ends the routine at `t`: its report section.
    pub fn finish(self, t: f64) -> RoutineReport {
        let (section, events) = self.runner.finish(t);
        events.iter().for_each(|e| (self.emit)(e));
        section
    }
}

impl Coach for LiveCoach<'_, '_> {
    fn frame(&mut self, t: f64, session: &mut Session) -> Result<(), Error> {
        after_frame(session, &mut self.runner, t)?;
        self.flush();
        Ok(())
    }

    fn key(&mut self, key: Key, t: f64) -> Result<(), Error> {
        match key {
            Key::Next => self.runner.next(t),
            Key::Previous => self.runner.previous(t),
            Key::ResetSet => self.runner.redo(t),
            Key::Decline => self.runner.decline(t),
            _ => {}
        }
        self.flush();
        Ok(())
    }

    fn screen(&self, picture: &Mat, size: Size) -> Result<Mat, Error> {
        self.screen.draw(picture, size)
    }

    fn finished(&self) -> bool {
        self.runner.finished()
    }
}

/// A session for one input, scoring the exercise of the runner's step.
fn step_session(
    config: &SessionConfig,
    runner: &Runner,
    header: &TrackHeader,
) -> Result<Session, Error> {
    let mut config = config.clone();
    config.exercise = runner.exercise().map(String::from);
    Ok(Session::new(&config, header)?)
}

/// Adds `b`'s sets and counts to `a`.
fn merge(a: &mut Outcome, b: Outcome) {
    a.sets.extend(b.sets);
    a.warnings.extend(b.warnings);
    a.frames += b.frames;
    a.frames_without_person += b.frames_without_person;
    a.duration_s = a.duration_s.max(b.duration_s);
}

/// Runs the routine over `inputs`, calling `emit` with each event as it happens; returns the
/// report with its routine section.
pub fn run(
    settings: &RecordedRoutine,
    inputs: &[PathBuf],
    mut model: Option<&mut dyn PoseModel>,
    emit: &mut dyn FnMut(&RoutineEvent),
) -> Result<Report, Error> {
    let templates = settings.routine.templates(&settings.session.templates)?;
    let mut runner = Runner::new(
        settings.routine,
        templates,
        settings.targets.clone(),
        settings.proposals.clone(),
        0.0,
    );
    let many = inputs.len() > 1;
    let mut total = Outcome::default();
    let mut first_header = None;
    let mut offset = 0.0;
    let mut t = 0.0;
    // Frames the model ran on, over the inputs that are videos.
    let mut model_frames: Option<u64> = None;
    let mut ended = Ended::EndOfInput;
    crate::interrupt::measuring_begins();
    for path in inputs {
        runner.drain().iter().for_each(&mut *emit);
        if runner.finished() || settings.stop.load(Ordering::Relaxed) {
            break;
        }
        let input = Input::open(path)?;
        // In a list, this input's footage belongs to the step under way alone.
        let done_with_input = |r: &Runner| many && !r.in_step();
        let (header, outcome) = match input {
            Input::Track(reader) => {
                let header = reader.header.clone();
                let mut session = step_session(settings.session, &runner, &header)?;
                for f in reader {
                    if settings.stop.load(Ordering::Relaxed) || done_with_input(&runner) {
                        break;
                    }
                    let f = f?;
                    t = offset + f.t;
                    frame(&mut session, &mut runner, t, f.pose.as_ref())?;
                    runner.drain().iter().for_each(&mut *emit);
                }
                (header, session.finish()?)
            }
            Input::Video(mut source) => {
                let m = model
                    .as_deref_mut()
                    .ok_or_else(|| Error::invalid("no pose model loaded for the videos"))?;
                let mut header = TrackHeader::new(
                    m.skeleton(),
                    (source.info.width, source.info.height),
                    source.info.fps,
                    &source.info.path,
                    settings.model.kind.id(),
                );
                header.source_kind = Some(SourceKind::Video);
                let mut session = step_session(settings.session, &runner, &header)?;
                let local_stop = AtomicBool::new(false);
                let every_frame_wanted = EveryFrameWanted::default();
                let opts = PipelineOptions {
                    keep_images: false,
                    stop: &local_stop,
                    sequential: false,
                    pose_rate: PoseRate::default(),
                    every_frame_wanted: Some(&every_frame_wanted),
                };
                m.reset();
                m.set_still_images(false);
                let times = pipeline::run(&mut source, m, &opts, |a| {
                    if settings.stop.load(Ordering::Relaxed) || done_with_input(&runner) {
                        local_stop.store(true, Ordering::Relaxed);
                        return Ok(());
                    }
                    t = offset + a.t;
                    frame(&mut session, &mut runner, t, a.pose.as_ref())?;
                    every_frame_wanted.set(session.engine.measures_balance());
                    runner.drain().iter().for_each(&mut *emit);
                    Ok(())
                })?;
                *model_frames.get_or_insert(0) += times.model_frames;
                (header, session.finish()?)
            }
        };
        merge(&mut total, outcome);
        first_header.get_or_insert(header);
        if settings.stop.load(Ordering::Relaxed) {
            ended = Ended::Interrupted;
            break;
        }
        if many {
            runner.end_step(t, StepEnd::SourceEnded, None);
            t = runner.skip_rest(t);
        }
        // The next input's clock starts a frame after this one's end.
        offset = t + 0.04;
    }
    let (section, events) = runner.finish(t);
    events.iter().for_each(&mut *emit);
    let header = first_header.ok_or_else(|| Error::invalid("the routine got no input"))?;
    let frames = total.frames;
    total.duration_s = t;
    let mut source = source_info(&header, frames, Some(t), None);
    source.path = inputs
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let mut report = build::build(
        total,
        source,
        crate::analyze::model_info(&settings.model.models_dir, &header.model, model_frames),
        ended,
    );
    report.routine = Some(section);
    Ok(report)
}
