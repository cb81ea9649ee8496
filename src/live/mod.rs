//! `posecheck live`: exercise in front of a camera with the skeleton, counts, timers and form
//! warnings drawn over the mirrored picture, or, headless, the same as lines on stdout. When it
//! ends (q, Esc, Ctrl-C, SIGTERM, the window closed, the camera gone) the report is written.

mod capture;
pub mod stats;
mod window;

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use opencv::core::{Mat, Point, Scalar};
use opencv::imgproc;
use opencv::prelude::*;

use crate::error::Error;
use crate::overlay::{hud::Hud, skeleton};
use crate::source::CameraSpec;
use capture::{Capture, Ending};
use posecheck_core::exercise::{Event, EventKind};
use posecheck_core::report::build::{self, source_info};
use posecheck_core::report::model::{Ended, Report, SourceKind};
use posecheck_core::session::{Session, SessionConfig};
use posecheck_core::track::{TrackHeader, TrackWriter};
use posecheck_pose::{ModelConfig, PoseModel};
use stats::{LiveStats, StatsSummary};
use window::Window;

pub use window::{Key, check_display};

/// A guided routine on top of a live session: it sees each frame after the session, takes the
/// routine's keys, and draws its screen around the picture.
pub trait Coach {
    /// After the session has seen the frame at `t` (it may switch the session's exercise).
    fn frame(&mut self, t: f64, session: &mut Session) -> Result<(), Error>;
    /// Next, previous, redo (`r`), decline the proposed targets.
    fn key(&mut self, key: Key, t: f64) -> Result<(), Error>;
    /// The screen to show, `picture` (camera and skeleton) in it, at the window's `size`.
    fn screen(&self, picture: &Mat, size: opencv::core::Size) -> Result<Mat, Error>;
    /// The routine is over.
    fn finished(&self) -> bool;
}

pub struct LiveOptions {
    pub source: CameraSpec,
    /// No window: events are printed on stdout.
    pub headless: bool,
    /// Show (and print at the end) latency and frame rate.
    pub stats: bool,
    /// Show the picture mirrored (default: for cameras, not for video files).
    pub mirror: Option<bool>,
    /// Capture (or scale files to) this size.
    pub size: Option<(u32, u32)>,
    pub keypoints: Option<PathBuf>,
    /// The session's journal ([`crate::journal`]): its keypoints, flushed frame by frame.
    pub journal: Option<PathBuf>,
}

/// What a live session produced.
pub struct LiveOutcome {
    pub report: Report,
    pub stats: StatsSummary,
    pub dropped: u64,
}

/// One event as a line for scripts: seconds, kind, details.
pub fn event_line(e: &Event) -> String {
    let side = |s: &Option<posecheck_core::skeleton::Side>| {
        s.map(|s| format!(" {}", s.name())).unwrap_or_default()
    };
    let what = match &e.kind {
        EventKind::ExerciseStarted { exercise, name } => format!("exercise {exercise} {name}"),
        EventKind::ExerciseEnded { exercise } => format!("exercise-end {exercise}"),
        EventKind::Rep {
            exercise,
            index,
            side: s,
        } => format!("rep {exercise} {index}{}", side(s)),
        EventKind::HoldStarted { side: s, .. } => format!("hold-start{}", side(s)),
        EventKind::HoldEnded {
            duration_s,
            reason,
            counted,
        } => format!(
            "hold-end {duration_s:.1}s {reason}{}",
            if *counted {
                ""
            } else {
                " (too short to count)"
            }
        ),
        EventKind::FaultStarted { code, message } => format!("fault {code} {message}"),
        EventKind::FaultEnded { code } => format!("fault-end {code}"),
        EventKind::Warning { code, message } => format!("warning {code} {message}"),
    };
    format!("{:8.2} {what}", e.t)
}

/// The next exercise for the `e` key: automatic → each template → automatic.
fn next_exercise(ids: &[String], current: Option<&str>) -> Option<String> {
    match current.and_then(|c| ids.iter().position(|i| i == c)) {
        None => ids.first().cloned(),
        Some(i) => ids.get(i + 1).cloned(),
    }
}

fn banner(image: &mut Mat, text: &str) -> Result<(), Error> {
    let scale = (image.rows() as f64 / 720.0).clamp(0.5, 2.0);
    imgproc::put_text(
        image,
        text,
        Point::new(image.cols() / 2 - (90.0 * scale) as i32, image.rows() / 2),
        imgproc::FONT_HERSHEY_SIMPLEX,
        1.5 * scale,
        Scalar::new(0.0, 255.0, 255.0, 0.0),
        (3.0 * scale) as i32,
        imgproc::LINE_AA,
        false,
    )?;
    Ok(())
}

/// Runs a live session until the person stops it, `stop` is set, or the source ends.
pub fn run(
    opts: &LiveOptions,
    model: &mut dyn PoseModel,
    model_config: &ModelConfig,
    session_config: &SessionConfig,
    stop: &AtomicBool,
    mut coach: Option<&mut dyn Coach>,
) -> Result<LiveOutcome, Error> {
    let window = if opts.headless {
        None
    } else {
        Some(Window::open()?)
    };
    let mut source = opts.source.open()?;
    let is_file = matches!(opts.source, CameraSpec::File(_));
    if !is_file && let Some((w, h)) = opts.size {
        source.set_capture_size(w, h)?;
    }
    let info = source.info.clone();
    let size = opts.size.map(|(w, h)| (w as i32, h as i32));
    let (width, height) = opts.size.unwrap_or((info.width, info.height));
    let mirror = opts.mirror.unwrap_or(!is_file);
    let mut header = TrackHeader::new(
        model.skeleton(),
        (width, height),
        info.fps,
        &info.path,
        model_config.kind.id(),
    );
    header.source_kind = Some(if is_file {
        SourceKind::Video
    } else {
        SourceKind::Camera
    });
    let mut session = Session::new(session_config, &header)?;
    if let Some(path) = &opts.keypoints {
        session.add_sink(Box::new(TrackWriter::create(path, &header)?));
    }
    if let Some(path) = &opts.journal {
        session.add_sink(Box::new(TrackWriter::journal(path, &header)?));
    }
    let ids: Vec<String> = session.engine.templates().map(|t| t.id.clone()).collect();
    model.reset();
    model.set_still_images(false);
    let mut capture = Capture::start(source, is_file, size);
    crate::interrupt::measuring_begins();
    let mut hud = Hud::default();
    let mut stats = LiveStats::default();
    let mut paused = false;
    let mut last_image: Option<Mat> = None;
    let mut first_at = None;
    let mut frames = 0u64;
    let mut out = std::io::stdout().lock();
    let ending = loop {
        if stop.load(Ordering::Relaxed) {
            break Ended::Interrupted;
        }
        let captured = match capture.next(Duration::from_millis(100)) {
            Ok(c) => c,
            Err(Ending::EndOfInput) => break Ended::EndOfInput,
            Err(_) => break Ended::InputBroken,
        };
        let mut key = None;
        if let (Some(c), false) = (captured, paused) {
            let at = c.at;
            let t = at.duration_since(*first_at.get_or_insert(at)).as_secs_f64();
            let mut image = c.image;
            let pose = crate::pipeline::infer(model, &image)?;
            let events = session.frame(t, pose.as_ref())?;
            frames += 1;
            hud.observe(events);
            if opts.headless && coach.is_none() {
                for e in events {
                    // A closed pipe (e.g. `| head`) must not stop the session from saving.
                    let _ = writeln!(out, "{}", event_line(e));
                }
                let _ = out.flush();
            }
            if let Some(c) = coach.as_deref_mut() {
                c.frame(t, &mut session)?;
            }
            if mirror {
                let mut flipped = Mat::default();
                opencv::core::flip(&image, &mut flipped, 1)?;
                image = flipped;
            }
            if let Some(p) = session.pose() {
                let width = image.cols();
                skeleton::draw(&mut image, p, mirror.then_some(width))?;
            }
            let extra = if opts.stats {
                vec![stats.line()]
            } else {
                Vec::new()
            };
            match (coach.as_deref(), &window) {
                (Some(c), Some(w)) => image = c.screen(&image, w.size()?)?,
                (Some(_), None) => {}
                (None, _) => hud.draw(&mut image, &session.engine.status(), t, &extra)?,
            }
            stats.frame(at);
            last_image = Some(image);
        }
        if let Some(w) = &window
            && let Some(image) = &last_image
        {
            let mut shown = image.clone();
            if paused {
                banner(&mut shown, "PAUSED")?;
            }
            key = w.show(&shown)?;
        }
        let now = first_at.map_or(0.0, |f: std::time::Instant| f.elapsed().as_secs_f64());
        match (key, coach.as_deref_mut()) {
            (Some(Key::Quit), _) => break Ended::EndOfInput,
            (Some(Key::Pause), _) => paused = !paused,
            (Some(k @ (Key::ResetSet | Key::Next | Key::Previous | Key::Decline)), Some(c)) => {
                c.key(k, now)?
            }
            (Some(Key::ResetSet), None) => session.engine.new_set(),
            (Some(Key::CycleExercise), None) => {
                let next = next_exercise(&ids, session.engine.chosen_exercise());
                session.engine.set_exercise(next.as_deref())?;
            }
            _ => {}
        }
        if coach.as_deref().is_some_and(|c| c.finished()) {
            break Ended::EndOfInput;
        }
    };
    let dropped = capture.captured().saturating_sub(capture.taken);
    drop(capture);
    drop(window);
    let outcome = session.finish()?;
    if frames == 0 && ending == Ended::InputBroken {
        return Err(Error::Capture {
            source_name: opts.source.to_string(),
            message: "delivered no frames".into(),
        });
    }
    let duration_s = Some(outcome.duration_s);
    let report = build::build(
        outcome,
        source_info(&header, frames, duration_s, None),
        // Live mode runs the model on every frame it takes.
        crate::analyze::model_info(
            &model_config.models_dir,
            model_config.kind.id(),
            Some(frames),
        ),
        ending,
    );
    Ok(LiveOutcome {
        report,
        stats: stats.summary(),
        dropped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exercise_key_cycles_through_all_and_back_to_automatic() {
        let ids: Vec<String> = ["a", "b"].iter().map(|s| s.to_string()).collect();
        assert_eq!(next_exercise(&ids, None).as_deref(), Some("a"));
        assert_eq!(next_exercise(&ids, Some("a")).as_deref(), Some("b"));
        assert_eq!(next_exercise(&ids, Some("b")), None);
    }

    #[test]
    fn events_print_as_one_line_each() {
        let e = Event {
            t: 3.25,
            kind: EventKind::Rep {
                exercise: "bird_dog".into(),
                index: 2,
                side: Some(posecheck_core::skeleton::Side::Left),
            },
        };
        assert_eq!(event_line(&e), "    3.25 rep bird_dog 2 left");
    }
}
