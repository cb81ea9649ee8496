//! `posecheck eval`: accuracy against ground truth. Clips in a manifest are analysed (keypoint
//! tracks cached per clip and model, so re-scoring after a template change takes seconds) and
//! compared with what a coach saw; labelled keypoint files are scored for form faults.

pub mod table;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use crate::analyze::{self, AnalyzeSettings, FrameOutputs};
use crate::error::Error;
use crate::progress::Progress;
use posecheck_core::eval::labelled::{self, LabelledResult};
use posecheck_core::eval::manifest::{self, Clip, Manifest};
use posecheck_core::report::model::Report;
use posecheck_core::session::SessionConfig;
use posecheck_pose::{ModelConfig, PoseModel};

/// A reported fault matches a labelled one of the same code within this many seconds.
const FAULT_SLACK_S: f64 = 0.5;

#[derive(Clone, Debug, Serialize)]
pub struct ClipResult {
    pub file: String,
    pub exercise: String,
    pub expected_reps: Option<u32>,
    /// Reps of the clip's exercise (for negatives: of any exercise).
    pub reps: u32,
    /// Reps counted for other exercises than the clip's.
    pub other_reps: u32,
    pub expected_hold_s: Option<f64>,
    pub hold_s: f64,
    /// Per labelled top/extended interval: |measured − labelled| hold, seconds.
    pub top_hold_errors: Vec<f64>,
    pub faults_found: Vec<String>,
    /// Labelled faults matched / labelled; reported faults matched / reported.
    pub fault_hits: Option<(usize, usize, usize, usize)>,
}

impl ClipResult {
    pub fn count_error(&self) -> Option<i64> {
        self.expected_reps.map(|e| self.reps as i64 - e as i64)
    }

    pub fn hold_error(&self) -> Option<f64> {
        self.expected_hold_s.map(|e| (self.hold_s - e).abs())
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub clips_with_counts: usize,
    pub exact_count_rate: f64,
    pub mean_abs_count_error: f64,
    pub mean_rel_count_error: f64,
    pub off_by_one_rate: f64,
    pub hold_clips: usize,
    pub mean_hold_error_s: f64,
    pub mean_top_hold_error_s: Option<f64>,
    pub negative_clips: usize,
    pub false_reps_on_negatives: u32,
    pub fault_precision: Option<f64>,
    pub fault_recall: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Evaluation {
    pub manifest: String,
    pub model: String,
    pub model_sha256: Option<String>,
    pub posecheck: String,
    pub clips: Vec<ClipResult>,
    pub summary: Summary,
    pub labelled: Vec<LabelledResult>,
}

/// How to run an evaluation.
pub struct EvalSettings<'a> {
    pub model: ModelConfig,
    pub ort_lib: Option<PathBuf>,
    pub session: SessionConfig,
    pub cache_dir: PathBuf,
    pub progress: &'a Progress,
    pub stop: &'a AtomicBool,
}

/// The cache file of a clip's keypoint track: by model and the video's content.
fn cache_path(dir: &Path, model: &str, video: &Path) -> Result<PathBuf, Error> {
    let sha = posecheck_core::digest::file_sha256(video)?;
    let stem = video
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(dir.join(model).join(format!("{stem}-{}.jsonl", &sha[..16])))
}

/// A clip's keypoint track: from the cache, or by running the model (and caching it).
fn track_of(
    video: &Path,
    settings: &EvalSettings,
    model: &mut Option<Box<dyn PoseModel>>,
) -> Result<PathBuf, Error> {
    let cached = cache_path(&settings.cache_dir, settings.model.kind.id(), video)?;
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

fn score_clip(clip: &Clip, report: &Report) -> ClipResult {
    let mine = |id: &str| clip.is_negative() || id == clip.exercise;
    let reps: u32 = report
        .exercises
        .iter()
        .filter(|s| mine(&s.exercise))
        .map(|s| s.reps)
        .sum();
    let other_reps: u32 = report
        .exercises
        .iter()
        .filter(|s| !mine(&s.exercise))
        .map(|s| s.reps)
        .sum();
    let hold_s = report
        .exercises
        .iter()
        .filter(|s| mine(&s.exercise))
        .fold(0.0, |a, s| a + s.hold_s);
    let holds: Vec<_> = report
        .exercises
        .iter()
        .filter(|s| mine(&s.exercise))
        .flat_map(|s| s.holds.iter())
        .collect();
    let top_hold_errors = clip
        .top_intervals()
        .unwrap_or_default()
        .iter()
        .map(|[a, b]| {
            let overlap = |h: &&posecheck_core::report::model::Hold| {
                (h.end_s.min(*b) - h.start_s.max(*a)).max(0.0)
            };
            let best = holds
                .iter()
                .filter(|h| overlap(h) > 0.0)
                .max_by(|x, y| overlap(x).total_cmp(&overlap(y)));
            (best.map_or(0.0, |h| h.duration_s) - (b - a)).abs()
        })
        .collect();
    let found: Vec<&posecheck_core::report::model::Fault> = report
        .exercises
        .iter()
        .filter(|s| mine(&s.exercise))
        .flat_map(|s| s.faults.iter())
        .collect();
    let fault_hits = clip.faults.as_ref().map(|labels| {
        let matches = |f: &posecheck_core::report::model::Fault, l: &manifest::LabelledFault| {
            f.code == l.code
                && f.start_s <= l.end_s + FAULT_SLACK_S
                && l.start_s <= f.end_s + FAULT_SLACK_S
        };
        let recalled = labels
            .iter()
            .filter(|l| found.iter().any(|f| matches(f, l)))
            .count();
        let precise = found
            .iter()
            .filter(|f| labels.iter().any(|l| matches(f, l)))
            .count();
        (recalled, labels.len(), precise, found.len())
    });
    let mut faults_found: Vec<String> = found.iter().map(|f| f.code.clone()).collect();
    faults_found.sort();
    faults_found.dedup();
    ClipResult {
        file: clip.file.clone(),
        exercise: clip.exercise.clone(),
        expected_reps: if clip.is_negative() {
            Some(0)
        } else {
            clip.reps
        },
        reps,
        other_reps,
        expected_hold_s: clip.expected_hold(),
        hold_s,
        top_hold_errors,
        faults_found,
        fault_hits,
    }
}

fn summarise(clips: &[ClipResult], negatives: &[&ClipResult]) -> Summary {
    let counted: Vec<(i64, u32)> = clips
        .iter()
        .filter_map(|c| Some((c.count_error()?, c.expected_reps?)))
        .filter(|(_, e)| *e > 0)
        .collect();
    let n = counted.len().max(1) as f64;
    let holds: Vec<f64> = clips.iter().filter_map(ClipResult::hold_error).collect();
    let tops: Vec<f64> = clips
        .iter()
        .flat_map(|c| c.top_hold_errors.iter().copied())
        .collect();
    let hits: Vec<(usize, usize, usize, usize)> =
        clips.iter().filter_map(|c| c.fault_hits).collect();
    let sum = |f: fn(&(usize, usize, usize, usize)) -> usize| hits.iter().map(f).sum::<usize>();
    let ratio = |a: usize, b: usize| (b > 0).then(|| a as f64 / b as f64);
    Summary {
        clips_with_counts: counted.len(),
        exact_count_rate: counted.iter().filter(|(e, _)| *e == 0).count() as f64 / n,
        mean_abs_count_error: counted.iter().map(|(e, _)| e.abs() as f64).sum::<f64>() / n,
        mean_rel_count_error: counted
            .iter()
            .map(|(e, t)| e.abs() as f64 / *t as f64)
            .sum::<f64>()
            / n,
        off_by_one_rate: counted.iter().filter(|(e, _)| e.abs() == 1).count() as f64 / n,
        hold_clips: holds.len(),
        mean_hold_error_s: holds.iter().sum::<f64>() / holds.len().max(1) as f64,
        mean_top_hold_error_s: (!tops.is_empty())
            .then(|| tops.iter().sum::<f64>() / tops.len() as f64),
        negative_clips: negatives.len(),
        false_reps_on_negatives: negatives.iter().map(|c| c.reps).sum(),
        fault_precision: ratio(sum(|h| h.2), sum(|h| h.3)),
        fault_recall: ratio(sum(|h| h.0), sum(|h| h.1)),
    }
}

/// Evaluates every scored clip and labelled file of a manifest.
pub fn run(manifest_path: &Path, settings: &EvalSettings) -> Result<Evaluation, Error> {
    let manifest = Manifest::load(manifest_path)?;
    let mut model = None;
    let mut clips = Vec::new();
    let scored: Vec<&Clip> = manifest.videos.iter().filter(|c| c.is_scored()).collect();
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
    for clip in &scored {
        let video = Manifest::resolve(manifest_path, &clip.file);
        let track = track_of(&video, settings, &mut model)?;
        check_stop(clips.len())?;
        let analyze_settings = AnalyzeSettings {
            model: settings.model.clone(),
            session: settings.session.clone(),
            progress: settings.progress,
            stop: settings.stop,
            sequential: false,
        };
        let done = analyze::analyze_track(&track, &analyze_settings, &FrameOutputs::default())?;
        check_stop(clips.len())?;
        clips.push(score_clip(clip, &done.report));
    }
    let negatives: Vec<&ClipResult> = scored
        .iter()
        .zip(&clips)
        .filter(|(c, _)| c.is_negative())
        .map(|(_, r)| r)
        .collect();
    let summary = summarise(&clips, &negatives);
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
