//! `posecheck eval`: accuracy against ground truth. Clips in a manifest are analysed (keypoint
//! tracks cached per clip and model, so re-scoring after a template change takes seconds) and
//! scored by the core ([`posecheck_core::eval::score`]); labelled keypoint files are scored for
//! form faults.

pub mod balance;
pub mod matrix;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::analyze::{self, AnalyzeSettings, FrameOutputs};
use crate::error::Error;
use crate::pipeline::PoseRate;
use crate::progress::Progress;
use posecheck_core::eval::labelled;
use posecheck_core::eval::manifest::{Clip, Manifest};
use posecheck_core::eval::score::{Evaluation, score_clip, skipped_clip, summarise};
use posecheck_core::session::SessionConfig;
use posecheck_pose::{ModelConfig, PoseModel};

/// How to run an evaluation.
pub struct EvalSettings<'a> {
    pub model: ModelConfig,
    pub ort_lib: Option<PathBuf>,
    pub session: SessionConfig,
    pub cache_dir: PathBuf,
    /// How often the model runs; tracks at each rate are cached apart.
    pub pose_rate: PoseRate,
    pub progress: &'a Progress,
    pub stop: &'a AtomicBool,
}

/// The cache file of a clip's keypoint track: by model, pose rate and the video's content.
/// At the adaptive rate the track also depends on the analysis (the model sees every frame
/// while it has a balance stand under way), so a digest of its configuration (templates,
/// smoothing; it prints deterministically) names the directory too.
fn cache_path(
    dir: &Path,
    model: &str,
    rate: PoseRate,
    settings: &SessionConfig,
    video: &Path,
) -> Result<PathBuf, Error> {
    let sha = posecheck_core::digest::file_sha256(video)?;
    let stem = video
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Every-frame tracks keep the directory they had before the rate could be chosen.
    let subdir = match rate {
        PoseRate::Every => model.to_string(),
        PoseRate::Adaptive => {
            let digest = posecheck_core::digest::sha256(format!("{settings:?}").as_bytes());
            format!("{model}@adaptive-{}", &digest[..8])
        }
    };
    Ok(dir
        .join(subdir)
        .join(format!("{stem}-{}.jsonl", &sha[..16])))
}

/// A clip's keypoint track: from the cache, or by running the model (and caching it).
fn track_of(
    video: &Path,
    settings: &EvalSettings,
    model: &mut Option<Box<dyn PoseModel>>,
) -> Result<PathBuf, Error> {
    let cached = cache_path(
        &settings.cache_dir,
        settings.model.kind.id(),
        settings.pose_rate,
        &settings.session,
        video,
    )?;
    if cached.is_file() {
        return Ok(cached);
    }
    if let Some(dir) = cached.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    if model.is_none() {
        *model = Some(analyze::load_model(
            &settings.model,
            settings.ort_lib.as_deref(),
        )?);
    }
    let outputs = FrameOutputs {
        keypoints: Some(cached.clone()),
        ..FrameOutputs::default()
    };
    let analyze_settings = AnalyzeSettings {
        model: settings.model.clone(),
        session: settings.session.clone(),
        progress: settings.progress,
        stop: settings.stop,
        sequential: false,
        pose_rate: settings.pose_rate,
    };
    let m = model
        .as_mut()
        .map(|m| m.as_mut())
        .ok_or_else(|| Error::invalid("no model"))?;
    analyze::analyze_media(video, m, &analyze_settings, &outputs)?;
    if settings.stop.load(Ordering::Relaxed) {
        // Half a track under the cache's name would be taken for the whole clip next time.
        let _ = std::fs::remove_file(&cached);
    }
    Ok(cached)
}

/// Evaluates every scored clip and labelled file of a manifest.
pub fn run(manifest_path: &Path, settings: &EvalSettings) -> Result<Evaluation, Error> {
    let manifest = Manifest::load(manifest_path)?;
    let mut model = None;
    let mut clips = Vec::new();
    let templates = &settings.session.templates;
    let known = |c: &Clip| c.is_negative() || templates.iter().any(|t| t.id == c.exercise);
    let scored: Vec<&Clip> = manifest.videos.iter().collect();
    // Scores of some clips would read as the accuracy of all: a stop ends the evaluation.
    let check_stop = |done: usize| {
        if settings.stop.load(Ordering::Relaxed) {
            return Err(Error::invalid(format!(
                "stopped after {done} of {} clips; their keypoint tracks are cached, so running again resumes there",
                scored.len()
            )));
        }
        Ok(())
    };
    for clip in scored.iter().copied() {
        // Listed with the reason, so the reader sees the clip exists.
        if let Some(why) = clip.not_scored_reason() {
            clips.push(skipped_clip(clip, why));
            continue;
        }
        let video = Manifest::resolve(manifest_path, &clip.file);
        let track = track_of(&video, settings, &mut model)?;
        check_stop(clips.len())?;
        let analyze_settings = AnalyzeSettings {
            model: settings.model.clone(),
            session: settings.session.clone(),
            progress: settings.progress,
            stop: settings.stop,
            sequential: false,
            pose_rate: settings.pose_rate,
        };
        let done = analyze::analyze_track(&track, &analyze_settings, &FrameOutputs::default())?;
        check_stop(clips.len())?;
        clips.push(score_clip(clip, &done.report, templates, known(clip)));
    }
    let summary = summarise(&clips);
    let plank = settings
        .session
        .templates
        .iter()
        .find(|t| t.id == "plank")
        .ok_or_else(|| Error::invalid("the plank template is needed to score plank keypoints"))?;
    let labelled = manifest
        .labelled_files()
        .map(|k| labelled::evaluate_plank_csv(&Manifest::resolve(manifest_path, k), plank))
        .collect::<Result<Vec<_>, _>>()?;
    let model_file = settings.model.path(settings.model.kind.file_name());
    Ok(Evaluation {
        manifest: manifest_path.display().to_string(),
        model: settings.model.kind.id().to_string(),
        model_sha256: posecheck_core::digest::file_sha256(&model_file).ok(),
        posecheck: env!("CARGO_PKG_VERSION").to_string(),
        clips,
        summary,
        labelled,
    })
}
