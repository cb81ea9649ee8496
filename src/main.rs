//! The `posecheck` command line: parses arguments, runs a command, prints errors as one line.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use anyhow::{Result, bail};
use clap::{Args, Parser, Subcommand};

use posecheck::analyze::{self, AnalyzeSettings, Outputs};
use posecheck::exercise::template;
use posecheck::filter::OneEuroConfig;
use posecheck::pose::{self, ModelConfig, ModelKind, PoseModel};
use posecheck::progress::Progress;
use posecheck::report::summary;
use posecheck::session::SessionConfig;
use posecheck::track;

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
    /// Picture size, e.g. 1280x720 (cameras are asked for it; files are scaled to it).
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
    model: ModelArgs,
    #[command(flatten)]
    engine: EngineArgs,
}

fn parse_size(text: &str) -> Result<(u32, u32), String> {
    let (w, h) = text
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("'{text}' is not a size like 1280x720"))?;
    let n = |s: &str| {
        s.trim()
            .parse::<u32>()
            .ok()
            .filter(|v| (16..=8192).contains(v))
    };
    match (n(w), n(h)) {
        (Some(w), Some(h)) => Ok((w, h)),
        _ => Err(format!("'{text}' is not a size like 1280x720")),
    }
}

#[derive(Args)]
struct EvalArgs {
    /// The manifests (JSON) of clips and labelled keypoint files.
    #[arg(required = true)]
    manifests: Vec<PathBuf>,
    #[command(flatten)]
    model: ModelArgs,
    /// Directory of extra exercise templates (*.toml), to re-score with edited templates.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Where keypoint tracks are cached [default: ~/.cache/posecheck/tracks].
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
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
}

#[derive(Args)]
struct ModelArgs {
    /// Pose model.
    #[arg(long, value_enum, default_value_t = ModelKind::BlazeposeFull)]
    model: ModelKind,
    /// Directory with the model files (default: the project's models/).
    #[arg(long, value_name = "DIR")]
    models_dir: Option<PathBuf>,
    /// ONNX Runtime shared library (default: found where ./run.sh setup puts it).
    #[arg(long, value_name = "PATH")]
    ort_lib: Option<PathBuf>,
    /// Inference threads (0 = one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
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
    /// Score only this exercise (bird_dog, glute_bridge, side_plank, superman, plank, or a
    /// user template's id) instead of recognising it.
    #[arg(long, value_name = "ID")]
    exercise: Option<String>,
    /// Directory of extra exercise templates (*.toml); they replace built-ins with the same id.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Turn keypoint smoothing off.
    #[arg(long)]
    no_smoothing: bool,
    /// One Euro smoothing: cut-off at rest (Hz).
    #[arg(long, default_value_t = OneEuroConfig::default().min_cutoff, value_name = "HZ")]
    smooth_cutoff: f32,
    /// One Euro smoothing: speed coefficient (higher = less lag on fast moves).
    #[arg(long, default_value_t = OneEuroConfig::default().beta)]
    smooth_beta: f32,
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
        })
    }
}

#[derive(Args)]
struct AnalyzeArgs {
    /// Video files, images, or keypoint tracks (.jsonl) to re-score.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
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
    /// No progress bar and no summary.
    #[arg(long, short)]
    quiet: bool,
}

impl AnalyzeArgs {
    /// Output paths for `input`: explicit files (one input only) or default names.
    fn outputs(&self, input: &Path) -> Result<Outputs> {
        let dir = self.out_dir.clone().unwrap_or_else(|| PathBuf::from("."));
        let stem = input
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "input".into());
        let many = self.inputs.len() > 1;
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
            keypoints: pick(&self.keypoints, "keypoints.jsonl", "keypoints")?,
            csv: pick(&self.csv, "signals.csv", "csv")?,
            html: pick(&self.html, "report.html", "html")?,
            video: pick(&self.output_video, "annotated.mp4", "output-video")?,
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
    let config = args.model.config();
    for input in &args.inputs {
        if !input.exists() {
            bail!("{}: no such file", input.display());
        }
    }
    let needs_model = args.inputs.iter().any(|p| !track::is_track_file(p));
    let mut model: Option<Box<dyn PoseModel>> = if needs_model {
        Some(analyze::load_model(&config, args.model.ort_lib.as_deref())?)
    } else {
        None
    };
    let progress = Progress::new(args.inputs.len(), args.quiet);
    let settings = AnalyzeSettings {
        model: config,
        session,
        progress: &progress,
        stop,
        sequential: args.sequential,
    };
    for input in &args.inputs {
        let outputs = args.outputs(input)?;
        let result = match model.as_mut() {
            Some(m) if !track::is_track_file(input) => {
                analyze::analyze_media(input, m.as_mut(), &settings, &outputs)
            }
            _ => analyze::analyze_track(input, &settings, &outputs),
        };
        let done = result?;
        if done.report.ended == "input_broken" {
            eprintln!(
                "posecheck: warning: {} broke off part-way; the report covers what was decoded",
                input.display()
            );
        }
        if !args.quiet {
            print!("{}", summary::render(&done.report));
            let t = &done.times;
            println!(
                "report: {}  ({:.1} frames/s)",
                outputs.report.display(),
                t.fps()
            );
        }
        if stop.load(Ordering::Relaxed) {
            break;
        }
    }
    progress.finish();
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
    let config = args.model.config();
    let mut model = analyze::load_model(&config, args.model.ort_lib.as_deref())?;
    let report = args.report.clone().unwrap_or_else(|| {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        PathBuf::from(format!("posecheck-live-{secs}.report.json"))
    });
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
        report: report.clone(),
        keypoints: args.keypoints.clone(),
    };
    let done = live::run(&opts, model.as_mut(), &config, &session, stop)?;
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
    };
    let progress = Progress::new(1, args.quiet);
    let settings = EvalSettings {
        model: args.model.config(),
        ort_lib: args.model.ort_lib.clone(),
        session,
        cache_dir: args.cache_dir.clone().unwrap_or_else(default_cache_dir),
        progress: &progress,
        stop,
    };
    let results = args
        .manifests
        .iter()
        .map(|m| eval::run(m, &settings))
        .collect::<Result<Vec<_>, _>>()?;
    let table = eval::table::markdown(&results);
    if args.json {
        // One manifest: its evaluation; several: a list of them.
        let json = match results.as_slice() {
            [one] => serde_json::to_string_pretty(one)?,
            all => serde_json::to_string_pretty(all)?,
        };
        println!("{json}");
    } else {
        print!("{table}");
    }
    if let Some(docs) = &args.docs {
        posecheck::atomic::write(docs, table.as_bytes())?;
    }
    Ok(())
}

fn report_cmd(cmd: &ReportCommand) -> Result<()> {
    use posecheck::report::{html, json, schema};
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
    }
    Ok(())
}

/// Ctrl-C / SIGTERM: the first asks the session to stop and save what it measured; a second
/// one exits at once.
fn install_interrupt(stop: &'static AtomicBool) {
    static PRESSES: AtomicU32 = AtomicU32::new(0);
    let _ = ctrlc::set_handler(move || {
        if PRESSES.fetch_add(1, Ordering::SeqCst) > 0 {
            std::process::exit(130);
        }
        stop.store(true, Ordering::SeqCst);
        eprintln!(
            "\nposecheck: stopping, saving what was measured (press Ctrl-C again to quit at once)"
        );
    });
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

fn main() -> ExitCode {
    quiet_native_logs();
    let cli = Cli::parse();
    static STOP: AtomicBool = AtomicBool::new(false);
    install_interrupt(&STOP);
    let result = match &cli.command {
        Command::Analyze(a) => analyze_cmd(a, &STOP),
        Command::Report(r) => report_cmd(r),
        Command::Eval(e) => eval_cmd(e, &STOP),
        Command::Live(l) => live_cmd(l, &STOP),
    };
    match result {
        Ok(()) if STOP.load(Ordering::Relaxed) => ExitCode::from(130),
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("posecheck: {e:#}");
            ExitCode::FAILURE
        }
    }
}
