//! `posecheck analyze`: one input (video, image or keypoint track) through the model and the
//! exercise engine into an [`Analysis`]. Nothing is written but the per-frame outputs the
//! caller asks for ([`FrameOutputs`]); the report is the result, for the caller to write.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use opencv::core::{Mat, Size};
use opencv::prelude::*;
use opencv::videoio::{VideoWriter, VideoWriterTrait};

use crate::error::Error;
use crate::overlay::{hud::Hud, skeleton};
use crate::pipeline::{self, EveryFrameWanted, PipelineOptions, PoseRate, StageTimes};
use crate::progress::Progress;
use crate::source::MediaSource;
use posecheck_core::report::build::{self, source_info};
use posecheck_core::report::csv::CsvWriter;
use posecheck_core::report::model::{Ended, ModelInfo, Report, SourceKind, Warning, WarningCode};
use posecheck_core::session::{Session, SessionConfig};
use posecheck_core::track::{TrackHeader, TrackReader, TrackWriter};
use posecheck_pose::{self as pose, ModelConfig, PoseModel};

/// Per-frame outputs to write while analysing (none by default).
#[derive(Clone, Debug, Default)]
pub struct FrameOutputs {
    /// The keypoint track (raw poses; re-scored later without the model).
    pub keypoints: Option<PathBuf>,
    /// Per-frame signals as CSV.
    pub csv: Option<PathBuf>,
    /// The video with skeleton and read-out drawn on it.
    pub video: Option<PathBuf>,
}

/// Everything `analyze` needs besides the input.
pub struct AnalyzeSettings<'a> {
    pub model: ModelConfig,
    pub session: SessionConfig,
    pub progress: &'a Progress,
    pub stop: &'a AtomicBool,
    pub sequential: bool,
    /// How often the model runs on a video.
    pub pose_rate: PoseRate,
}

impl<'a> AnalyzeSettings<'a> {
    /// An analysis that measures the model itself (the studies in `examples/`): the built-in
    /// templates, default smoothing, the model on every frame (none interpolated between).
    pub fn every_frame(
        model: ModelConfig,
        progress: &'a Progress,
        stop: &'a AtomicBool,
    ) -> Result<AnalyzeSettings<'a>, Error> {
        Ok(AnalyzeSettings {
            model,
            session: SessionConfig {
                templates: posecheck_core::exercise::template::load_all(None)?,
                exercise: None,
                smoothing: Some(posecheck_core::filter::OneEuroConfig::default()),
                balance: Default::default(),
            },
            progress,
            stop,
            sequential: false,
            pose_rate: PoseRate::Every,
        })
    }
}

/// What one analysis produced.
pub struct Analysis {
    pub report: Report,
    pub times: StageTimes,
}

/// Loads ONNX Runtime and the configured model.
pub fn load_model(
    config: &ModelConfig,
    ort_lib: Option<&Path>,
) -> Result<Box<dyn PoseModel>, Error> {
    pose::runtime::init(ort_lib)?;
    Ok(pose::load(config)?)
}

/// The report's model entry: name, the weights' checksum if the file is at hand, and the
/// frames the model ran on (when it ran).
pub fn model_info(models_dir: &Path, name: &str, frames: Option<u64>) -> ModelInfo {
    let file = models_dir.join(format!("{name}.onnx"));
    ModelInfo {
        name: name.to_string(),
        sha256: file
            .is_file()
            .then(|| posecheck_core::digest::file_sha256(&file).ok())
            .flatten(),
        frames,
    }
}

/// An annotated copy of the video: skeleton and read-out on every frame.
struct AnnotatedVideo {
    writer: VideoWriter,
    hud: Hud,
    path: PathBuf,
}

impl AnnotatedVideo {
    fn create(path: &Path, fps: f64, width: u32, height: u32) -> Result<AnnotatedVideo, Error> {
        let size = Size::new(width as i32, height as i32);
        let fail = || {
            Error::input(
                path,
                "cannot write a video here (check the directory exists and the name ends in .mp4)",
            )
        };
        if path
            .parent()
            .is_some_and(|d| !d.as_os_str().is_empty() && !d.is_dir())
        {
            return Err(fail());
        }
        for codec in [['a', 'v', 'c', '1'], ['m', 'p', '4', 'v']] {
            let fourcc = VideoWriter::fourcc(codec[0], codec[1], codec[2], codec[3])?;
            let writer = VideoWriter::new(path, fourcc, fps, size, true)?;
            if writer.is_opened()? {
                return Ok(AnnotatedVideo {
                    writer,
                    hud: Hud::default(),
                    path: path.to_path_buf(),
                });
            }
        }
        Err(fail())
    }

    fn frame(&mut self, image: &mut Mat, session: &Session, t: f64) -> Result<(), Error> {
        self.hud.observe(session.engine.events());
        if let Some(p) = session.pose() {
            skeleton::draw(image, p, None)?;
        }
        self.hud.draw(image, &session.engine.status(), t, &[])?;
        self.writer
            .write(image)
            .map_err(|e| Error::input(&self.path, format!("cannot write video frame: {e}")))
    }

    fn finish(mut self) -> Result<(), Error> {
        self.writer.release()?;
        Ok(())
    }
}

/// The session for an input, with the track and CSV outputs asked for: no smoothing for a
/// still image (one frame has nothing to smooth against).
fn open_session(
    settings: &AnalyzeSettings,
    header: &TrackHeader,
    outputs: &FrameOutputs,
) -> Result<Session, Error> {
    let mut config = settings.session.clone();
    if header.source_kind == Some(SourceKind::Image) {
        config.smoothing = None;
    }
    let mut session = Session::new(&config, header)?;
    if let Some(path) = &outputs.keypoints {
        session.add_sink(Box::new(TrackWriter::create(path, header)?));
    }
    if let Some(path) = &outputs.csv {
        session.add_sink(Box::new(CsvWriter::create(path, &session.engine)?));
    }
    Ok(session)
}

/// Why there is no report: a stop before the first frame, or `empty` (the input's fault).
fn no_frames<'a>(settings: &AnalyzeSettings, empty: &'a str) -> &'a str {
    if settings.stop.load(Ordering::Relaxed) {
        "stopped before the first frame was analysed"
    } else {
        empty
    }
}

/// Analyses a video or image file with the model.
pub fn analyze_media(
    path: &Path,
    model: &mut dyn PoseModel,
    settings: &AnalyzeSettings,
    outputs: &FrameOutputs,
) -> Result<Analysis, Error> {
    let mut source = MediaSource::open_file(path)?;
    let info = source.info.clone();
    model.reset();
    model.set_still_images(info.is_still);
    let mut header = TrackHeader::new(
        model.skeleton(),
        (info.width, info.height),
        info.fps,
        &info.path,
        settings.model.kind.id(),
    );
    header.source_kind = Some(if info.is_still {
        SourceKind::Image
    } else {
        SourceKind::Video
    });
    let mut session = open_session(settings, &header, outputs)?;
    let mut video = outputs
        .video
        .as_deref()
        .map(|p| AnnotatedVideo::create(p, info.fps, info.width, info.height))
        .transpose()?;
    let bar = settings.progress.file(&info.path, info.frame_count);
    let every_frame_wanted = EveryFrameWanted::default();
    let opts = PipelineOptions {
        keep_images: video.is_some(),
        stop: settings.stop,
        sequential: settings.sequential,
        pose_rate: settings.pose_rate,
        every_frame_wanted: Some(&every_frame_wanted),
    };
    let mut frames = 0u64;
    crate::interrupt::measuring_begins();
    let times = pipeline::run(&mut source, model, &opts, |a| {
        frames += 1;
        session.frame(a.t, a.pose.as_ref())?;
        every_frame_wanted.set(session.engine.measures_balance());
        if let (Some(v), Some(image)) = (video.as_mut(), a.image.as_mut()) {
            v.frame(image, &session, a.t)?;
        }
        bar.inc(1);
        Ok(())
    })?;
    settings.progress.file_done(bar);
    if let Some(v) = video {
        v.finish()?;
    }
    let outcome = session.finish()?;
    if frames == 0 {
        return Err(Error::input(
            path,
            no_frames(settings, "the video has no frames that can be decoded"),
        ));
    }
    if info.is_still && outcome.frames_without_person == frames {
        return Err(Error::input(
            path,
            "no person found in the image (the whole body should be in the picture)",
        ));
    }
    let ended = if settings.stop.load(Ordering::Relaxed) {
        Ended::Interrupted
    } else if source.broken_at.is_some() {
        Ended::InputBroken
    } else {
        Ended::EndOfInput
    };
    let mut outcome = outcome;
    if let Some(at) = source.broken_at {
        outcome.warnings.push(Warning {
            code: WarningCode::InputBroken,
            start_s: at as f64 / info.fps,
            end_s: info.frame_count as f64 / info.fps,
            message: format!(
                "The video broke off after {at} of {} frames; everything before was analysed.",
                info.frame_count
            ),
        });
    }
    let report = build::build(
        outcome,
        source_info(&header, frames, None, None),
        model_info(
            &settings.model.models_dir,
            settings.model.kind.id(),
            Some(times.model_frames),
        ),
        ended,
    );
    Ok(Analysis { report, times })
}

/// Re-scores a saved keypoint track: the same session as the original run, without the model.
pub fn analyze_track(
    path: &Path,
    settings: &AnalyzeSettings,
    outputs: &FrameOutputs,
) -> Result<Analysis, Error> {
    if outputs.video.is_some() {
        return Err(Error::input(
            path,
            "a keypoint track has no pictures to annotate: drop --output-video",
        ));
    }
    let reader = TrackReader::open(path)?;
    let header = reader.header.clone();
    let mut session = open_session(settings, &header, outputs)?;
    let start = std::time::Instant::now();
    let mut frames = 0u64;
    crate::interrupt::measuring_begins();
    for frame in reader {
        if settings.stop.load(Ordering::Relaxed) {
            break;
        }
        let frame = frame?;
        session.frame(frame.t, frame.pose.as_ref())?;
        frames += 1;
    }
    let outcome = session.finish()?;
    if frames == 0 {
        return Err(Error::input(
            path,
            no_frames(settings, "the keypoint track has no frames"),
        ));
    }
    let ended = if settings.stop.load(Ordering::Relaxed) {
        Ended::Interrupted
    } else {
        Ended::EndOfInput
    };
    let report = build::build(
        outcome,
        source_info(&header, frames, None, Some(path)),
        model_info(&settings.model.models_dir, &header.model, None),
        ended,
    );
    Ok(Analysis {
        report,
        times: StageTimes {
            frames,
            analysis: start.elapsed(),
            wall: start.elapsed(),
            ..StageTimes::default()
        },
    })
}
