//! Many inputs in one `analyze`: directories are walked for videos, files are analysed by
//! parallel jobs that share the cores, an input whose report is current is skipped (so an
//! interrupted batch resumes), and one failing file is reported without stopping the others.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use posecheck_core::digest;
use posecheck_core::report::model::{Ended, Provenance, Report};
use posecheck_core::report::{html, json, merge, summary};
use posecheck_core::session::SessionConfig;
use posecheck_core::track;
use posecheck_history::SessionKind;
use posecheck_pose::{ModelConfig, PoseModel, runtime};

use crate::analyze::{self, AnalyzeSettings, FrameOutputs};
use crate::error::Error;
use crate::pipeline::PoseRate;
use crate::progress::Progress;

/// Extensions of the videos a directory walk picks up (case-insensitive).
const VIDEO_EXTENSIONS: [&str; 8] = ["mp4", "mov", "m4v", "avi", "mkv", "webm", "mpg", "mpeg"];
/// posecheck's own annotated videos, which a walk must not analyse again.
const ANNOTATED_SUFFIX: &str = ".annotated.mp4";

/// An input and the directory, relative to the output directory, its outputs go in (inputs
/// found in a walked directory keep their place in it, so equal names cannot collide).
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    pub path: PathBuf,
    pub subdir: PathBuf,
}

/// The inputs named on the command line, directories replaced by the videos in them (all
/// levels down, in name order).
pub fn expand(inputs: &[PathBuf]) -> Result<Vec<Input>, Error> {
    let mut out = Vec::new();
    for path in inputs {
        if path.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found, &is_video_name)?;
            found.sort();
            out.extend(found.into_iter().map(|p| {
                Input {
                    subdir: p
                        .parent()
                        .and_then(|d| d.strip_prefix(path).ok())
                        .map(Path::to_path_buf)
                        .unwrap_or_default(),
                    path: p,
                }
            }));
        } else {
            out.push(Input {
                path: path.clone(),
                subdir: PathBuf::new(),
            });
        }
    }
    Ok(out)
}

/// Files under `dir`, all levels down, whose path `wanted` accepts.
fn walk(dir: &Path, found: &mut Vec<PathBuf>, wanted: &dyn Fn(&Path) -> bool) -> Result<(), Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| Error::io(&path, e))?;
        // Linked files are followed; linked directories are not (a link can loop).
        if kind.is_dir() {
            walk(&path, found, wanted)?;
        } else if path.is_file() && wanted(&path) {
            found.push(path);
        }
    }
    Ok(())
}

fn is_video_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    !name.ends_with(ANNOTATED_SUFFIX)
        && path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| VIDEO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// The merged table of the reports named, directories walked for `*.report.json` (in name
/// order); each row is dated by its report file's modification time.
pub fn merge_rows(paths: &[PathBuf]) -> Result<Vec<merge::SetRow>, Error> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found, &|p| {
                p.to_string_lossy().ends_with(".report.json")
            })?;
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    if files.is_empty() {
        let named: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::invalid(format!(
            "no reports (*.report.json) in {}",
            named.join(", ")
        )));
    }
    let mut rows = Vec::new();
    for file in &files {
        let report = json::read_report(file)?;
        let date = std::fs::metadata(file)
            .and_then(|m| m.modified())
            .map(|t| humantime::format_rfc3339_seconds(t).to_string())
            .map_err(|e| Error::io(file, e))?;
        rows.extend(merge::rows(&report, &date));
    }
    Ok(rows)
}

/// Where one input's results go: the report (always), its HTML page, and the per-frame outputs.
#[derive(Clone, Debug)]
pub struct Outputs {
    pub report: PathBuf,
    pub html: Option<PathBuf>,
    pub frames: FrameOutputs,
}

impl Outputs {
    /// Fails now, before anything is measured, if the report or the HTML page could not be
    /// written at the end (the per-frame outputs are opened when the analysis starts).
    fn check_writable(&self) -> Result<(), Error> {
        for path in std::iter::once(&self.report).chain(&self.html) {
            posecheck_core::atomic::temp_beside(path)?;
        }
        Ok(())
    }

    fn write(&self, report: &Report) -> Result<(), Error> {
        json::write_report(&self.report, report)?;
        if let Some(page) = &self.html {
            html::write(page, report)?;
        }
        Ok(())
    }

    /// Every output file there is to write.
    fn files(&self) -> impl Iterator<Item = &PathBuf> {
        let f = &self.frames;
        std::iter::once(&self.report)
            .chain(&self.html)
            .chain(&f.keypoints)
            .chain(&f.csv)
            .chain(&f.video)
    }
}

/// One input to analyse and where its results go.
pub struct Job {
    pub input: PathBuf,
    pub outputs: Outputs,
    /// A directory to create for the outputs (an input's place in a walked directory); other
    /// output directories must exist.
    pub make_dir: Option<PathBuf>,
}

/// How a batch runs.
pub struct BatchSettings<'a> {
    pub model: ModelConfig,
    pub ort_lib: Option<PathBuf>,
    pub session: SessionConfig,
    /// Files analysed at once; the cores are divided between them.
    pub jobs: usize,
    /// Analyse again even where the report is current.
    pub force: bool,
    pub quiet: bool,
    pub sequential: bool,
    pub pose_rate: PoseRate,
    pub stop: &'a AtomicBool,
    /// Record every analysed input in this history database.
    pub history: Option<PathBuf>,
}

/// What a batch did.
#[derive(Debug, Default)]
pub struct BatchOutcome {
    pub analysed: usize,
    pub skipped: usize,
    /// Inputs that failed, with the one-line reason.
    pub failed: Vec<(PathBuf, String)>,
}

/// What every report of the batch depends on besides its input: posecheck's version, the
/// model and its weights, the templates and the options (the engine's configuration prints
/// deterministically: it holds no hash maps). Made once: the weights are read to hash them.
fn batch_settings(settings: &BatchSettings) -> String {
    let model = &settings.model;
    let weights = model
        .kind
        .files()
        .iter()
        .map(|f| digest::file_sha256(&model.path(f)).unwrap_or_default())
        .collect::<Vec<_>>();
    format!(
        "posecheck {}\nmodel {} {weights:?}\npose rate {:?}\nsession {:?}",
        env!("CARGO_PKG_VERSION"),
        model.kind.id(),
        settings.pose_rate,
        settings.session,
    )
}

/// The digest of the batch's settings and of which outputs were asked for.
fn settings_digest(batch: &str, outputs: &Outputs) -> String {
    let f = &outputs.frames;
    let text = format!(
        "{batch}\noutputs html={} keypoints={} csv={} video={}",
        outputs.html.is_some(),
        f.keypoints.is_some(),
        f.csv.is_some(),
        f.video.is_some(),
    );
    digest::sha256(text.as_bytes())
}

/// True when the report at `outputs.report` was made from this input with these settings, and
/// every other output asked for is there too.
fn is_current(outputs: &Outputs, provenance: &Provenance) -> bool {
    outputs.files().all(|p| p.is_file())
        && json::read_report(&outputs.report)
            .is_ok_and(|r| r.provenance.as_ref() == Some(provenance))
}

/// Inference threads for each of `jobs` parallel jobs: the cores shared out, unless the user
/// set a count.
fn threads_per_job(requested: usize, jobs: usize) -> usize {
    if requested > 0 {
        requested
    } else {
        (runtime::cores() / jobs.max(1)).max(1)
    }
}

/// Analyses the jobs. With one job its error is the command's; with several, each failure is
/// reported as it happens and counted, and the others go on.
pub fn run(jobs: &[Job], settings: &BatchSettings) -> Result<BatchOutcome, Error> {
    let workers = settings.jobs.clamp(1, jobs.len().max(1));
    let mut model_config = settings.model.clone();
    model_config.threads = threads_per_job(settings.model.threads, workers);
    let needs_model = jobs.iter().any(|j| !track::is_track_file(&j.input));
    let mut models: Vec<Option<Box<dyn PoseModel>>> = Vec::with_capacity(workers);
    for _ in 0..workers {
        models.push(if needs_model {
            Some(analyze::load_model(
                &model_config,
                settings.ort_lib.as_deref(),
            )?)
        } else {
            None
        });
        if settings.stop.load(Ordering::Relaxed) {
            break;
        }
    }
    let progress = Progress::new(jobs.len(), settings.quiet);
    let analyze_settings = AnalyzeSettings {
        model: model_config,
        session: settings.session.clone(),
        progress: &progress,
        stop: settings.stop,
        sequential: settings.sequential,
        pose_rate: settings.pose_rate,
    };
    let batch = &batch_settings(settings);
    let next = AtomicUsize::new(0);
    let outcome = Mutex::new(BatchOutcome::default());
    let first_error = Mutex::new(None);
    let single = jobs.len() == 1;
    std::thread::scope(|scope| {
        for model in models.iter_mut() {
            let (next, outcome, first_error) = (&next, &outcome, &first_error);
            let (analyze_settings, progress) = (&analyze_settings, &progress);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= jobs.len() || settings.stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let job = &jobs[i];
                    match run_one(job, model, settings, analyze_settings, batch) {
                        Ok(Done::Skipped) => lock(outcome).skipped += 1,
                        Ok(Done::Analysed) => lock(outcome).analysed += 1,
                        Err(e) if single => *lock(first_error) = Some(e),
                        Err(e) => {
                            let line = e.to_string();
                            let name = job.input.display().to_string();
                            progress.println(&if line.contains(&name) {
                                format!("posecheck: failed: {line}")
                            } else {
                                format!("posecheck: failed: {name}: {line}")
                            });
                            lock(outcome).failed.push((job.input.clone(), line));
                        }
                    }
                }
            });
        }
    });
    progress.finish();
    if let Some(e) = lock(&first_error).take() {
        return Err(e);
    }
    let outcome = outcome.into_inner().unwrap_or_else(|p| p.into_inner());
    Ok(outcome)
}

/// A lock that a panicked holder cannot poison for the rest of the batch.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

enum Done {
    Analysed,
    Skipped,
}

/// Analyses one job (or skips it when its report is current); `batch` is what every report of
/// the batch depends on ([`batch_settings`]).
fn run_one(
    job: &Job,
    model: &mut Option<Box<dyn PoseModel>>,
    settings: &BatchSettings,
    analyze_settings: &AnalyzeSettings,
    batch: &str,
) -> Result<Done, Error> {
    let outputs = &job.outputs;
    if let Some(dir) = &job.make_dir {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    outputs.check_writable()?;
    // Only a regular file has a content to check: reading a pipe here would block, and the
    // analysis refuses it with a clear message anyway.
    let provenance = std::fs::metadata(&job.input)
        .is_ok_and(|m| m.is_file())
        .then(|| -> Result<Provenance, Error> {
            Ok(Provenance {
                input_sha256: digest::file_sha256(&job.input)?,
                settings_sha256: settings_digest(batch, outputs),
            })
        })
        .transpose()?;
    if let Some(p) = &provenance
        && !settings.force
        && is_current(outputs, p)
    {
        if !settings.quiet {
            println!(
                "{}: skipped, its report is current ({}; --force analyses it again)",
                job.input.display(),
                outputs.report.display()
            );
        }
        return Ok(Done::Skipped);
    }
    let started_at = crate::history::now();
    let mut done = match model.as_mut() {
        Some(m) if !track::is_track_file(&job.input) => {
            analyze::analyze_media(&job.input, m.as_mut(), analyze_settings, &outputs.frames)?
        }
        _ => analyze::analyze_track(&job.input, analyze_settings, &outputs.frames)?,
    };
    // A report cut short by a stop is not current: the next run analyses the input again.
    if done.report.ended != Ended::Interrupted {
        done.report.provenance = provenance;
    }
    outputs.write(&done.report)?;
    if let Some(db) = &settings.history {
        crate::history::record(db, SessionKind::Analyze, started_at, &done.report)?;
    }
    if done.report.ended == Ended::InputBroken {
        eprintln!(
            "posecheck: warning: {} broke off part-way; the report covers what was decoded",
            job.input.display()
        );
    }
    if !settings.quiet {
        // One block per input, whole, even when jobs finish together.
        let text = format!(
            "{}report: {}  ({:.1} frames/s)\n",
            summary::render(&done.report),
            outputs.report.display(),
            done.times.fps()
        );
        print!("{text}");
    }
    Ok(Done::Analysed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walk_finds_videos_at_every_level_but_not_annotated_ones() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("week1/mon")).unwrap();
        for f in [
            "a.mp4",
            "notes.txt",
            "a.report.json",
            "a.annotated.mp4",
            "week1/B.MOV",
            "week1/mon/c.mkv",
        ] {
            std::fs::write(d.join(f), b"x").unwrap();
        }
        let got = expand(&[d.to_path_buf()]).unwrap();
        let rel: Vec<_> = got
            .iter()
            .map(|i| {
                (
                    i.path.strip_prefix(d).unwrap().to_path_buf(),
                    i.subdir.clone(),
                )
            })
            .collect();
        assert_eq!(
            rel,
            [
                (PathBuf::from("a.mp4"), PathBuf::new()),
                (PathBuf::from("week1/B.MOV"), PathBuf::from("week1")),
                (PathBuf::from("week1/mon/c.mkv"), PathBuf::from("week1/mon")),
            ]
        );
        // A file named on the command line is taken as it is, whatever its name.
        let named = expand(&[d.join("notes.txt")]).unwrap();
        assert_eq!(named[0].path, d.join("notes.txt"));
    }

    #[test]
    fn jobs_share_the_cores_unless_threads_are_given() {
        assert_eq!(threads_per_job(3, 2), 3);
        assert!(threads_per_job(0, 1) >= threads_per_job(0, 2));
        assert_eq!(threads_per_job(0, 10_000), 1);
    }
}
