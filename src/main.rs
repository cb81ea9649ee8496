//! The `posecheck` command line: parses arguments, runs a command, prints errors as one line.

use std::fmt::Display;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Result, bail};
use clap::error::ErrorKind;
use clap::{Args, Parser, Subcommand};

use posecheck::analyze::{self, FrameOutputs};
use posecheck::batch::{self, BatchSettings, Input, Job, Outputs};
use posecheck::eval::matrix::MatrixSize;
use posecheck::interrupt;
use posecheck::pipeline::PoseRate;
use posecheck::progress::Progress;
use posecheck_core::balance::BalanceSettings;
use posecheck_core::exercise::template;
use posecheck_core::filter::OneEuroConfig;
use posecheck_core::report::{html, json, merge, schema, summary};
use posecheck_core::session::SessionConfig;
use posecheck_history::SessionKind;
use posecheck_pose::{self as pose, ModelConfig, ModelKind};

#[derive(Parser)]
#[command(
    name = "posecheck",
    version,
    about = "Counts reps, times holds and calls form faults in back exercises, from a webcam or a video."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse videos, images or saved keypoint tracks; writes a report for each.
    Analyze(AnalyzeArgs),
    /// Show or convert a saved report.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Measure accuracy against a ground-truth manifest (see docs/manifest.md).
    Eval(EvalArgs),
    /// Exercise in front of a webcam: skeleton, counts, timers and form warnings over the
    /// picture; the report is saved when you stop (q, Esc, Ctrl-C).
    Live(LiveArgs),
    /// Follow a guided routine (built in: home_set, balance_cycle): each step announced, counted
    /// to its target, rest between; one report and a history entry at the end.
    Routine(RoutineArgs),
    /// The sessions remembered: a list and per-exercise trends, or trend plots (--html), or a
    /// table (--csv).
    History(HistoryCmdArgs),
}

#[derive(Args)]
struct RoutineArgs {
    /// The routine's id (home_set, balance_cycle, or one from --routines).
    name: String,
    /// Camera index or device (default 0), or recorded inputs: videos or keypoint tracks, one per
    /// step when there are several.
    #[arg(long, value_name = "SOURCE", num_args = 1.., default_value = "0")]
    source: Vec<String>,
    /// No window: every event is printed as a JSON line on stdout.
    #[arg(long)]
    headless: bool,
    /// Directory of extra routines (*.toml); they replace built-ins with the same id.
    #[arg(long, value_name = "DIR")]
    routines: Option<PathBuf>,
    /// Directory of extra exercise templates (*.toml).
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Do not take the higher targets proposed from the history (they are still shown).
    #[arg(long)]
    no_progression: bool,
    /// Spoken cues: `off`, or an eSpeak NG voice (en, en-gb, en-us+f3, ...) [default: en; off
    /// with --headless].
    #[arg(long, value_name = "VOICE", value_parser = parse_voice)]
    voice: Option<String>,
    /// Render the spoken cues into this WAV file instead of the speaker.
    #[arg(long, value_name = "FILE")]
    voice_wav: Option<PathBuf>,
    /// The report [default: posecheck-routine-<time>.report.json].
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    #[command(flatten)]
    history: RecordArgs,
    #[command(flatten)]
    model: ModelArgs,
}

#[derive(Args)]
struct HistoryDb {
    /// The history database [default: $XDG_DATA_HOME/posecheck/history.sqlite, or
    /// ~/.local/share/posecheck/history.sqlite].
    #[arg(long, value_name = "PATH")]
    history_db: Option<PathBuf>,
}

/// Where a live or routine session is remembered.
#[derive(Args)]
struct RecordArgs {
    #[command(flatten)]
    db: HistoryDb,
    /// Do not record this session in the history (nor propose higher targets from it).
    #[arg(long)]
    no_history: bool,
}

impl RecordArgs {
    /// The database to record in (checked now, before anything is measured), if any.
    fn checked_db(&self) -> Result<Option<PathBuf>> {
        if self.no_history {
            return Ok(None);
        }
        let db = posecheck::history::db_path(self.db.history_db.as_deref())?;
        posecheck::history::check(&db)?;
        Ok(Some(db))
    }
}

#[derive(Args)]
struct HistoryCmdArgs {
    #[command(flatten)]
    db: HistoryDb,
    /// Write trend plots over days (reps, best and total hold, faults per rep) as an HTML page.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Write every recorded set as CSV (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
}

#[derive(Args)]
struct LiveArgs {
    /// Camera index, device path (/dev/video0), stream URL, or a video file (played at its
    /// real frame rate).
    #[arg(long, default_value = "0")]
    source: String,
    /// No window: print events (reps, holds, faults, warnings) as lines on stdout.
    #[arg(long)]
    headless: bool,
    /// Show frame rate and capture-to-overlay latency (and print them at the end).
    #[arg(long)]
    stats: bool,
    /// Picture size, e.g. 1280x720, each side 16 to 8192 (cameras are asked for it; files are
    /// scaled to it).
    #[arg(long, value_name = "WxH", value_parser = parse_size)]
    size: Option<(u32, u32)>,
    /// Mirror the picture (default for cameras).
    #[arg(long, overrides_with = "no_mirror")]
    mirror: bool,
    /// Do not mirror the picture (default for video files).
    #[arg(long)]
    no_mirror: bool,
    /// The report [default: posecheck-live-<time>.report.json].
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Keep the keypoint track (JSON Lines).
    #[arg(long, value_name = "FILE")]
    keypoints: Option<PathBuf>,
    #[command(flatten)]
    history: RecordArgs,
    #[command(flatten)]
    model: ModelArgs,
    #[command(flatten)]
    engine: EngineArgs,
}

fn parse_size(text: &str) -> Result<(u32, u32), String> {
    let wrong = || format!("'{text}' is not a size like 1280x720 (each side 16 to 8192)");
    let (w, h) = text.split_once(['x', 'X']).ok_or_else(wrong)?;
    let n = |s: &str| {
        s.trim()
            .parse::<u32>()
            .ok()
            .filter(|v| (16..=8192).contains(v))
    };
    match (n(w), n(h)) {
        (Some(w), Some(h)) => Ok((w, h)),
        _ => Err(wrong()),
    }
}

/// A voice name as eSpeak NG spells them (language, variant after `+`), or `off`.
fn parse_voice(text: &str) -> Result<String, String> {
    let ok = !text.is_empty()
        && text.len() <= 40
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-+_".contains(c));
    if ok {
        Ok(text.to_string())
    } else {
        Err(format!(
            "'{text}' is not a voice: give off or an eSpeak NG voice such as en, en-gb or en-us+f3"
        ))
    }
}

/// `K/N` with 1 ≤ K ≤ N ≤ 1000000.
fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let wrong = || format!("'{text}' is not a shard like 3/10 (K of N, 1 <= K <= N <= 1000000)");
    let (k, n) = text.split_once('/').ok_or_else(wrong)?;
    let (k, n): (usize, usize) = (
        k.trim().parse().map_err(|_| wrong())?,
        n.trim().parse().map_err(|_| wrong())?,
    );
    if k == 0 || k > n || n > 1_000_000 {
        return Err(wrong());
    }
    Ok((k, n))
}

/// A value parser for a number flag: it must parse, be finite and lie in `range`, and the
/// error says what is allowed (clap adds the flag's name).
fn number_in<T>(range: RangeInclusive<T>) -> impl Fn(&str) -> Result<T, String> + Clone
where
    T: FromStr + PartialOrd + Display + Copy + Send + Sync + 'static,
{
    move |text: &str| {
        // f32 parses "NaN" and "inf"; neither is inside a range, so both are refused here.
        text.trim()
            .parse::<T>()
            .ok()
            .filter(|v| range.contains(v))
            .ok_or_else(|| format!("must be a number from {} to {}", range.start(), range.end()))
    }
}

/// More inference threads than this is a typo, not a wish; up to it, `runtime` caps the count
/// to the cores there are (ONNX Runtime starts every thread asked for: 100000 of them took
/// 17 GB before the model had loaded).
const MAX_THREADS: usize = 1024;

#[derive(Args)]
struct EvalArgs {
    /// The manifests (JSON) of clips and labelled keypoint files.
    #[arg(required_unless_present = "matrix")]
    manifests: Vec<PathBuf>,
    /// Also render and score the robustness matrix of rendered clips with exact truth
    /// (balance: the rendered balance stands, sway and losses of balance against truth).
    #[arg(long, value_enum)]
    matrix: Option<MatrixSize>,
    /// Where the matrix's clips are rendered (kept, so a second run renders nothing)
    /// [default: CACHE_DIR/rendered-matrix, CACHE_DIR/rendered-balance(-quick)].
    #[arg(long, value_name = "DIR")]
    matrix_dir: Option<PathBuf>,
    #[command(flatten)]
    model: ModelArgs,
    /// Directory of extra exercise templates (*.toml), to re-score with edited templates.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Where keypoint tracks are cached [default: ~/.cache/posecheck/tracks].
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// How often the pose model runs on the clips.
    #[arg(long, value_enum, default_value_t = PoseRate::Adaptive)]
    pose_rate: PoseRate,
    /// Print the results as JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Also write the table to this Markdown file (e.g. docs/accuracy.md).
    #[arg(long, value_name = "FILE")]
    docs: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Subcommand)]
enum ReportCommand {
    /// Print a readable summary of a report.
    Summary {
        /// The report (JSON).
        report: PathBuf,
    },
    /// Write a report as a self-contained HTML page with plots.
    Html {
        /// The report (JSON).
        report: PathBuf,
        /// Output file [default: the report's name with .html].
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Print the JSON Schema of reports.
    Schema,
    /// One table across sessions: a row per exercise set (per side), as CSV or JSON.
    Merge {
        /// Reports, or directories (walked for *.report.json).
        #[arg(required = true, value_name = "REPORT")]
        reports: Vec<PathBuf>,
        /// Write JSON instead of CSV.
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Write CSV (the default).
        #[arg(long)]
        csv: bool,
        /// Output file [default: standard output].
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Args)]
struct ModelArgs {
    /// Pose model.
    #[arg(long, value_parser = ModelKindParser, default_value = "blazepose-full")]
    model: ModelKind,
    /// Directory with the model files (default: the project's models/).
    #[arg(long, value_name = "DIR")]
    models_dir: Option<PathBuf>,
    /// ONNX Runtime shared library (default: found where ./run.sh setup puts it).
    #[arg(long, value_name = "PATH")]
    ort_lib: Option<PathBuf>,
    /// Inference threads, 0 to 1024 (0 = one per core; more than the cores are capped to them).
    #[arg(long, default_value_t = 0, allow_negative_numbers = true,
          value_parser = number_in(0..=MAX_THREADS))]
    threads: usize,
}

/// `--model NAME`: the pose crate's models by their command-line names, listed in `--help`.
#[derive(Clone)]
struct ModelKindParser;

impl clap::builder::TypedValueParser for ModelKindParser {
    type Value = ModelKind;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> std::result::Result<ModelKind, clap::Error> {
        let name = value.to_string_lossy();
        ModelKind::ALL
            .into_iter()
            .find(|m| m.cli_name() == name)
            .ok_or_else(|| {
                let mut err = clap::Error::new(clap::error::ErrorKind::InvalidValue).with_cmd(cmd);
                use clap::error::{ContextKind, ContextValue};
                if let Some(arg) = arg {
                    err.insert(
                        ContextKind::InvalidArg,
                        ContextValue::String(arg.to_string()),
                    );
                }
                err.insert(ContextKind::InvalidValue, ContextValue::String(name.into()));
                err.insert(
                    ContextKind::ValidValue,
                    ContextValue::Strings(
                        ModelKind::ALL.iter().map(|m| m.cli_name().into()).collect(),
                    ),
                );
                err
            })
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(ModelKind::ALL.into_iter().map(|m| {
            clap::builder::PossibleValue::new(m.cli_name()).help(m.about())
        })))
    }
}

impl ModelArgs {
    fn config(&self) -> ModelConfig {
        ModelConfig {
            kind: self.model,
            models_dir: self
                .models_dir
                .clone()
                .unwrap_or_else(pose::default_models_dir),
            threads: self.threads,
        }
    }
}

#[derive(Args)]
struct EngineArgs {
    /// Score only this exercise (bird_dog, glute_bridge, side_plank, superman, plank, a
    /// balance stand such as single_leg_stance, heel_raise, feet_together_stand, tandem_stance,
    /// turning, head_turns, or a user template's id) instead of recognising it.
    #[arg(long, value_name = "ID")]
    exercise: Option<String>,
    /// Directory of extra exercise templates (*.toml); they replace built-ins with the same id.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Turn keypoint smoothing off.
    #[arg(long)]
    no_smoothing: bool,
    /// One Euro smoothing: cut-off at rest, 0.01 to 100 Hz.
    #[arg(long, default_value_t = OneEuroConfig::default().min_cutoff, value_name = "HZ",
          allow_negative_numbers = true, value_parser = number_in(0.01f32..=100.0))]
    smooth_cutoff: f32,
    /// One Euro smoothing: speed coefficient, 0 to 1000 (higher = less lag on fast moves).
    #[arg(long, default_value_t = OneEuroConfig::default().beta,
          allow_negative_numbers = true, value_parser = number_in(0.0f32..=1000.0))]
    smooth_beta: f32,
    /// Your height, 50 to 250 cm: balance sway is then given in centimetres too (always in
    /// body heights).
    #[arg(long, value_name = "CM", value_parser = number_in(50.0f64..=250.0))]
    height_cm: Option<f64>,
    /// Your eyes were closed during balance exercises: the whole session, or only in the
    /// given spans of seconds (--eyes-closed=20-45,80-110). With attempts both ways the report
    /// gives the Romberg ratio (sway eyes closed / open).
    #[arg(long, value_name = "SPANS", num_args = 0..=1, require_equals = true,
          default_missing_value = "all", value_parser = parse_spans)]
    eyes_closed: Option<Spans>,
}

/// Spans of seconds, one flag value (a `Vec` would make clap take several values).
#[derive(Clone, Debug)]
struct Spans(Vec<(f64, f64)>);

/// `all`, or spans of seconds `A-B,C-D` (0 <= A < B <= 86400).
fn parse_spans(text: &str) -> Result<Spans, String> {
    if text == "all" {
        return Ok(Spans(vec![(0.0, f64::INFINITY)]));
    }
    let wrong = || {
        format!(
            "'{text}' is not a list of spans of seconds like 20-45,80-110 (each from 0 to 86400, start before end)"
        )
    };
    text.split(',')
        .map(|span| {
            let (a, b) = span.split_once('-').ok_or_else(wrong)?;
            let n = |s: &str| {
                s.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|v| (0.0..=86400.0).contains(v))
            };
            match (n(a), n(b)) {
                (Some(a), Some(b)) if a < b => Ok((a, b)),
                _ => Err(wrong()),
            }
        })
        .collect::<Result<_, _>>()
        .map(Spans)
}

impl EngineArgs {
    fn config(&self) -> Result<SessionConfig> {
        let templates = template::load_all(self.templates.as_deref())?;
        if let Some(id) = &self.exercise
            && !templates.iter().any(|t| &t.id == id)
        {
            let known: Vec<&str> = templates.iter().map(|t| t.id.as_str()).collect();
            bail!("unknown exercise '{id}' (known: {})", known.join(", "));
        }
        Ok(SessionConfig {
            templates,
            exercise: self.exercise.clone(),
            smoothing: (!self.no_smoothing).then_some(OneEuroConfig {
                min_cutoff: self.smooth_cutoff,
                beta: self.smooth_beta,
                ..OneEuroConfig::default()
            }),
            balance: BalanceSettings {
                height_cm: self.height_cm,
                eyes_closed: self.eyes_closed.clone().map(|s| s.0).unwrap_or_default(),
            },
        })
    }
}

#[derive(Args)]
struct AnalyzeArgs {
    /// Video files, images, keypoint tracks (.jsonl) to re-score, or directories (walked for
    /// videos).
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Files analysed at once, 1 to 64; the cores are shared between them.
    #[arg(long, default_value_t = 1, value_parser = number_in(1..=64usize))]
    jobs: usize,
    /// Analyse every input again, even where its report is current.
    #[arg(long)]
    force: bool,
    /// Only shard K of N (1-based) of the inputs, every Nth in order: for job arrays that
    /// split a large collection across machines.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    shard: Option<(usize, usize)>,
    #[command(flatten)]
    model: ModelArgs,
    #[command(flatten)]
    engine: EngineArgs,
    /// Where outputs go when not given as files (default: the current directory).
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// The JSON report (default: OUT_DIR/<input>.report.json).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Also write the keypoint track (JSON Lines) [default name: <input>.keypoints.jsonl].
    #[arg(long, value_name = "FILE", num_args = 0..=1)]
    keypoints: Option<Option<PathBuf>>,
    /// Also write per-frame signals as CSV [default name: <input>.signals.csv].
    #[arg(long, value_name = "FILE", num_args = 0..=1)]
    csv: Option<Option<PathBuf>>,
    /// Also write the report as an HTML page with plots [default name: <input>.report.html].
    #[arg(long, value_name = "FILE", num_args = 0..=1)]
    html: Option<Option<PathBuf>>,
    /// Also write an annotated video [default name: <input>.annotated.mp4].
    #[arg(long, value_name = "FILE", num_args = 0..=1)]
    output_video: Option<Option<PathBuf>>,
    /// Run decoding, inference and analysis one after another instead of pipelined.
    #[arg(long)]
    sequential: bool,
    /// How often the pose model runs on a video.
    #[arg(long, value_enum, default_value_t = PoseRate::Adaptive)]
    pose_rate: PoseRate,
    /// No progress bar and no summary.
    #[arg(long, short)]
    quiet: bool,
    /// Record every analysed input as a session in the history.
    #[arg(long)]
    history: bool,
    #[command(flatten)]
    history_db: HistoryDb,
}

impl AnalyzeArgs {
    /// Output paths for `input`: explicit files (one input only) or default names in the
    /// output directory (under the input's place in a walked directory).
    /// The directory `input`'s outputs go in by default.
    fn dir_for(&self, input: &Input) -> PathBuf {
        self.out_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("."))
            .join(&input.subdir)
    }

    fn outputs(&self, input: &Input, many: bool) -> Result<Outputs> {
        let dir = self.dir_for(input);
        let stem = input
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "input".into());
        let pick = |given: &Option<Option<PathBuf>>,
                    suffix: &str,
                    flag: &str|
         -> Result<Option<PathBuf>> {
            match given {
                None => Ok(None),
                Some(None) => Ok(Some(dir.join(format!("{stem}.{suffix}")))),
                Some(Some(_)) if many => bail!(
                    "--{flag} FILE takes one input; with several, give --{flag} alone (and --out-dir)"
                ),
                Some(Some(p)) => Ok(Some(p.clone())),
            }
        };
        let report = match &self.report {
            Some(_) if many => bail!("--report FILE takes one input; with several, use --out-dir"),
            Some(p) => p.clone(),
            None => dir.join(format!("{stem}.report.json")),
        };
        Ok(Outputs {
            report,
            html: pick(&self.html, "report.html", "html")?,
            frames: FrameOutputs {
                keypoints: pick(&self.keypoints, "keypoints.jsonl", "keypoints")?,
                csv: pick(&self.csv, "signals.csv", "csv")?,
                video: pick(&self.output_video, "annotated.mp4", "output-video")?,
            },
        })
    }
}

fn analyze_cmd(args: &AnalyzeArgs, stop: &AtomicBool) -> Result<()> {
    if let Some(dir) = &args.out_dir
        && !dir.is_dir()
    {
        bail!("--out-dir {}: no such directory", dir.display());
    }
    let session = args.engine.config()?;
    let history = if args.history {
        let db = posecheck::history::db_path(args.history_db.history_db.as_deref())?;
        posecheck::history::check(&db)?;
        Some(db)
    } else {
        if args.history_db.history_db.is_some() {
            bail!("--history-db is for --history: add --history to record these analyses");
        }
        None
    };
    for input in &args.inputs {
        if !input.exists() {
            bail!("{}: no such file", input.display());
        }
    }
    let mut inputs = batch::expand(&args.inputs)?;
    if inputs.is_empty() {
        let dirs: Vec<String> = args
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        bail!("no videos found in the directory {}", dirs.join(", "));
    }
    if let Some((k, n)) = args.shard {
        inputs = inputs
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % n == k - 1)
            .map(|(_, input)| input)
            .collect();
        if inputs.is_empty() {
            if !args.quiet {
                println!("shard {k}/{n} has no inputs");
            }
            return Ok(());
        }
    }
    let many = inputs.len() > 1 || args.shard.is_some() || args.inputs.iter().any(|p| p.is_dir());
    let jobs = inputs
        .iter()
        .map(|i| {
            Ok(Job {
                input: i.path.clone(),
                outputs: args.outputs(i, many)?,
                make_dir: (!i.subdir.as_os_str().is_empty()).then(|| args.dir_for(i)),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let settings = BatchSettings {
        model: args.model.config(),
        ort_lib: args.model.ort_lib.clone(),
        session,
        jobs: args.jobs,
        force: args.force,
        quiet: args.quiet,
        sequential: args.sequential,
        pose_rate: args.pose_rate,
        stop,
        history,
    };
    let done = batch::run(&jobs, &settings)?;
    if jobs.len() > 1 && !args.quiet {
        println!(
            "{} analysed, {} skipped as current, {} failed",
            done.analysed,
            done.skipped,
            done.failed.len()
        );
    }
    if !done.failed.is_empty() {
        bail!(
            "{} of {} inputs failed: {}",
            done.failed.len(),
            jobs.len(),
            done.failed
                .iter()
                .map(|(p, _)| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

fn live_cmd(args: &LiveArgs, stop: &AtomicBool) -> Result<()> {
    use posecheck::live::{self, LiveOptions};
    use posecheck::source::CameraSpec;
    if !args.headless {
        // Checked before loading anything: without a display Qt would abort the process.
        live::check_display()?;
    }
    let session = args.engine.config()?;
    let history = args.history.checked_db()?;
    let config = args.model.config();
    let mut model = analyze::load_model(&config, args.model.ort_lib.as_deref())?;
    let report = args
        .report
        .clone()
        .unwrap_or_else(|| default_report("live"));
    recover_journals(&report, &session, &config, stop, history.as_deref())?;
    let opts = LiveOptions {
        source: CameraSpec::parse(&args.source),
        headless: args.headless,
        stats: args.stats,
        mirror: if args.mirror {
            Some(true)
        } else if args.no_mirror {
            Some(false)
        } else {
            None
        },
        size: args.size,
        keypoints: args.keypoints.clone(),
        journal: Some(posecheck::journal::path_for(&report)),
    };
    let started_at = posecheck::history::now();
    let done = live::run(&opts, model.as_mut(), &config, &session, stop, None)?;
    json::write_report(&report, &done.report)?;
    posecheck::journal::remove(&report)?;
    if let Some(db) = &history {
        let id = posecheck::history::record(db, SessionKind::Live, started_at, &done.report)?;
        eprintln!("history: session {id} in {}", db.display());
    }
    let summary_text = summary::render(&done.report);
    if args.headless {
        eprint!("{summary_text}");
    } else {
        print!("{summary_text}");
    }
    if args.stats {
        let s = done.stats;
        eprintln!(
            "live: {} frames processed, {} dropped, {:.1} frames/s, latency mean {:.1} ms, p95 {:.1} ms",
            s.frames, done.dropped, s.fps, s.latency_mean_ms, s.latency_p95_ms
        );
    }
    eprintln!("report: {}", report.display());
    Ok(())
}

fn default_cache_dir() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("posecheck/tracks")
}

fn eval_cmd(args: &EvalArgs, stop: &AtomicBool) -> Result<()> {
    use posecheck::eval::{self, EvalSettings};
    let session = SessionConfig {
        templates: template::load_all(args.templates.as_deref())?,
        exercise: None,
        smoothing: Some(OneEuroConfig::default()),
        balance: BalanceSettings::default(),
    };
    let progress = Progress::new(1, args.quiet);
    let settings = EvalSettings {
        model: args.model.config(),
        ort_lib: args.model.ort_lib.clone(),
        session,
        cache_dir: args.cache_dir.clone().unwrap_or_else(default_cache_dir),
        pose_rate: args.pose_rate,
        progress: &progress,
        stop,
    };
    let mut manifests = args.manifests.clone();
    let mut balance = None;
    match args.matrix {
        Some(size @ (MatrixSize::Balance | MatrixSize::BalanceQuick)) => {
            let dir = args.matrix_dir.clone().unwrap_or_else(|| {
                settings.cache_dir.join(match size {
                    MatrixSize::Balance => "rendered-balance",
                    _ => "rendered-balance-quick",
                })
            });
            balance = Some(eval::balance::run(&dir, size, &settings, args.quiet)?);
        }
        Some(size) => {
            let dir = args
                .matrix_dir
                .clone()
                .unwrap_or_else(|| settings.cache_dir.join("rendered-matrix"));
            manifests.push(eval::matrix::build(&dir, size, args.quiet)?);
        }
        None => {}
    }
    let results = manifests
        .iter()
        .map(|m| eval::run(m, &settings))
        .collect::<Result<Vec<_>, _>>()?;
    let mut table = if results.is_empty() {
        String::new()
    } else {
        posecheck_core::eval::table::markdown(&results)
    };
    if let Some(b) = &balance {
        table += &eval::balance::markdown(b);
    }
    if args.json {
        // One manifest: its evaluation; several: a list of them; the balance set beside.
        let json = match (results.as_slice(), &balance) {
            ([], Some(b)) => serde_json::to_string_pretty(b)?,
            ([one], None) => serde_json::to_string_pretty(one)?,
            (all, None) => serde_json::to_string_pretty(all)?,
            (all, Some(b)) => serde_json::to_string_pretty(&serde_json::json!({
                "evaluations": all,
                "balance": b,
            }))?,
        };
        println!("{json}");
    } else {
        print!("{table}");
    }
    if let Some(docs) = &args.docs {
        posecheck_core::atomic::write(docs, table.as_bytes())?;
    }
    Ok(())
}

/// Rebuilds the reports of earlier sessions killed before they could save, whose journals lie
/// where this session's report goes.
fn recover_journals(
    report: &Path,
    session: &SessionConfig,
    model: &pose::ModelConfig,
    stop: &AtomicBool,
    history: Option<&Path>,
) -> Result<()> {
    let progress = posecheck::progress::Progress::new(0, true);
    let settings = analyze::AnalyzeSettings {
        model: model.clone(),
        session: session.clone(),
        progress: &progress,
        stop,
        sequential: true,
        pose_rate: posecheck::pipeline::PoseRate::Every,
    };
    posecheck::journal::recover(report, &settings, history)?;
    Ok(())
}

/// `posecheck-<what>-<unix seconds>.report.json` in the current directory.
fn default_report(what: &str) -> PathBuf {
    PathBuf::from(format!(
        "posecheck-{what}-{}.report.json",
        posecheck::history::now()
    ))
}

/// The voice asked for: none with `--voice off` (or headless without `--voice`); on screen only,
/// said in one line, when no speech engine is installed.
fn start_voice(args: &RoutineArgs) -> Result<Option<posecheck::speech::Voice>> {
    use posecheck::speech::{self, Output, Voice};
    let name = match (&args.voice, args.headless || args.voice_wav.is_some()) {
        (Some(v), _) if v == "off" => {
            if args.voice_wav.is_some() {
                bail!("--voice-wav needs a voice: drop --voice off");
            }
            return Ok(None);
        }
        (Some(v), _) => v.clone(),
        (None, false) => "en".to_string(),
        (None, true) if args.voice_wav.is_some() => "en".to_string(),
        (None, true) => return Ok(None),
    };
    if let Some(wav) = &args.voice_wav {
        return Ok(Some(Voice::start(&name, Output::Wav(wav.clone()))?));
    }
    if !speech::available() {
        eprintln!("posecheck: {}", speech::MISSING);
        return Ok(None);
    }
    Ok(Some(Voice::start(&name, Output::Speaker)?))
}

fn routine_cmd(args: &RoutineArgs, stop: &AtomicBool) -> Result<()> {
    use posecheck::routine::{self, RecordedRoutine};
    use posecheck_core::routine::cue;
    let routines = posecheck_core::routine::load_all(args.routines.as_deref())?;
    let Some(chosen) = routines.iter().find(|r| r.id == args.name) else {
        let known: Vec<&str> = routines.iter().map(|r| r.id.as_str()).collect();
        bail!(
            "unknown routine '{}' (known: {})",
            args.name,
            known.join(", ")
        );
    };
    let session = SessionConfig {
        templates: template::load_all(args.templates.as_deref())?,
        exercise: None,
        smoothing: Some(OneEuroConfig::default()),
        balance: BalanceSettings::default(),
    };
    chosen.templates(&session.templates)?;
    let db = args.history.checked_db()?;
    let history = db
        .as_deref()
        .map(posecheck_history::History::open)
        .transpose()?;
    let (targets, proposals) = routine::plan(chosen, history.as_ref(), args.no_progression)?;
    drop(history);
    let voice = start_voice(args)?;
    let inputs: Vec<PathBuf> = args.source.iter().map(PathBuf::from).collect();
    let camera = match inputs.as_slice() {
        [one] if !one.is_file() => true,
        many => {
            if let Some(missing) = many.iter().find(|p| !p.is_file()) {
                bail!(
                    "{}: no such file (a camera is the only --source)",
                    missing.display()
                );
            }
            false
        }
    };
    // One video with a window plays live, on the coach's screen; else as fast as it decodes.
    let live = camera || (inputs.len() == 1 && !args.headless);
    if live && !args.headless {
        posecheck::live::check_display()?;
    }
    let config = args.model.config();
    let mut model = if live || routine::needs_model(&inputs) {
        Some(analyze::load_model(&config, args.model.ort_lib.as_deref())?)
    } else {
        None
    };
    let started_at = posecheck::history::now();
    let mut out = std::io::stdout().lock();
    let headless = args.headless;
    let mut emit = |e: &posecheck_core::routine::runner::RoutineEvent| {
        use std::io::Write;
        if let (Some(v), Some(words)) = (&voice, cue::words(e)) {
            v.say(&words, cue::stale_kind(e));
        }
        // A closed pipe must not stop the session from being saved.
        let _ = if headless {
            serde_json::to_string(e).map(|line| writeln!(out, "{line}"))
        } else {
            Ok(cue::words(e).map_or(Ok(()), |w| writeln!(out, "{w}")))
        };
    };
    let path = args
        .report
        .clone()
        .unwrap_or_else(|| default_report("routine"));
    if live {
        recover_journals(&path, &session, &config, stop, db.as_deref())?;
    }
    let report = if live {
        use posecheck::live::{self, LiveOptions};
        use posecheck::source::CameraSpec;
        let templates = chosen.templates(&session.templates)?;
        let runner = posecheck_core::routine::runner::Runner::new(
            chosen, templates, targets, proposals, 0.0,
        );
        let mut live_session = session.clone();
        live_session.exercise = runner.exercise().map(String::from);
        let opts = LiveOptions {
            source: CameraSpec::parse(&args.source[0]),
            headless: args.headless,
            stats: false,
            mirror: None,
            size: None,
            keypoints: None,
            journal: Some(posecheck::journal::path_for(&path)),
        };
        let mut coach = routine::LiveCoach::new(runner, &mut emit);
        let model = model.as_mut().map(|m| m.as_mut());
        let done = match model {
            Some(m) => live::run(&opts, m, &config, &live_session, stop, Some(&mut coach)),
            None => Err(posecheck::Error::invalid("no pose model loaded")),
        };
        done.map(|d| {
            let mut report = d.report;
            report.routine = Some(coach.finish(report.source.duration_s));
            report
        })
    } else {
        let settings = RecordedRoutine {
            routine: chosen,
            session: &session,
            targets,
            proposals,
            model: config,
            stop,
        };
        // Written out: the coercion to a shorter-lived trait object does not reach inside
        // Option.
        let model: Option<&mut dyn pose::PoseModel> = match model.as_mut() {
            Some(m) => Some(m.as_mut()),
            None => None,
        };
        routine::run(&settings, &inputs, model, &mut emit)
    };
    if let Some(v) = voice {
        v.finish()?;
    }
    let report = report?;
    json::write_report(&path, &report)?;
    posecheck::journal::remove(&path)?;
    if let Some(db) = &db {
        let id = posecheck::history::record(db, SessionKind::Routine, started_at, &report)?;
        eprintln!("history: session {id} in {}", db.display());
    }
    eprintln!("report: {}", path.display());
    Ok(())
}

fn history_cmd(args: &HistoryCmdArgs) -> Result<()> {
    use posecheck_history::{History, query, text};
    let db = posecheck::history::db_path(args.db.history_db.as_deref())?;
    let h = History::open_existing(&db)?;
    let sets = h.sets()?;
    let trends = query::trends(&sets);
    if let Some(path) = &args.html {
        posecheck_core::atomic::write(path, posecheck_history::html::render(&trends).as_bytes())?;
        println!("{}", path.display());
    }
    match args.csv.as_deref() {
        Some(p) if p == Path::new("-") => print!("{}", text::csv(&sets)),
        Some(p) => {
            posecheck_core::atomic::write(p, text::csv(&sets).as_bytes())?;
            println!("{}", p.display());
        }
        None => {}
    }
    if args.html.is_none() && args.csv.is_none() {
        print!("{}", text::sessions(&h.sessions()?));
        print!("{}", text::trends(&trends));
    }
    Ok(())
}

fn report_cmd(cmd: &ReportCommand) -> Result<()> {
    match cmd {
        ReportCommand::Summary { report } => {
            print!("{}", summary::render(&json::read_report(report)?));
        }
        ReportCommand::Html { report, output } => {
            let r = json::read_report(report)?;
            let out = output
                .clone()
                .unwrap_or_else(|| report.with_extension("html"));
            html::write(&out, &r)?;
            println!("{}", out.display());
        }
        ReportCommand::Schema => print!("{}", schema::report_schema()),
        ReportCommand::Merge {
            reports,
            json: as_json,
            output,
            ..
        } => {
            let rows = batch::merge_rows(reports)?;
            let text = if *as_json {
                serde_json::to_string_pretty(&rows)? + "\n"
            } else {
                merge::csv(&rows)
            };
            match output {
                Some(path) => posecheck_core::atomic::write(path, text.as_bytes())?,
                None => print!("{text}"),
            }
        }
    }
    Ok(())
}

/// Keeps FFmpeg's and OpenCV's own log lines (e.g. "moov atom not found") off the terminal:
/// every problem reaches the user as posecheck's one-line error instead.
fn quiet_native_logs() {
    if std::env::var_os("OPENCV_FFMPEG_LOGLEVEL").is_none() {
        // SAFETY: called first thing in main, before any other thread exists.
        unsafe { std::env::set_var("OPENCV_FFMPEG_LOGLEVEL", "-8") };
    }
    if std::env::var_os("OPENCV_LOG_LEVEL").is_none() {
        let _ = opencv::core::set_log_level(opencv::core::LogLevel::LOG_LEVEL_SILENT);
    }
}

/// Parses the command line; a usage error becomes one line (clap's own runs to several, with
/// a usage block) and exit status 2, as clap would give.
fn parse_cli() -> Result<Cli, ExitCode> {
    Cli::try_parse().map_err(|e| {
        if !e.use_stderr() || e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
            // --help, --version, or a bare `posecheck`: the help text is what was asked for.
            e.exit();
        }
        // The first paragraph is the error (the missing arguments on lines of their own);
        // tips and the usage block follow it.
        let text = e.render().to_string();
        let first = text.trim_start().split("\n\n").next().unwrap_or("");
        let message: Vec<&str> = first.lines().map(str::trim).collect();
        let message = message.join(" ");
        let message = message.trim_start_matches("error: ");
        eprintln!("posecheck: {message} (see --help)");
        ExitCode::from(2)
    })
}

fn main() -> ExitCode {
    quiet_native_logs();
    let cli = match parse_cli() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let stop = interrupt::install();
    let result = match &cli.command {
        Command::Analyze(a) => analyze_cmd(a, stop),
        Command::Report(r) => report_cmd(r),
        Command::Eval(e) => eval_cmd(e, stop),
        Command::Live(l) => live_cmd(l, stop),
        Command::History(h) => history_cmd(h),
        Command::Routine(r) => routine_cmd(r, stop),
    };
    let stopped = stop.load(Ordering::Relaxed);
    if let Err(e) = &result {
        eprintln!("posecheck: {e:#}");
    }
    match result {
        _ if stopped => ExitCode::from(interrupt::EXIT_STOPPED),
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}
