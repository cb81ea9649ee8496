//! Throughput benchmark: `cargo run --release --example bench -- CLIP [THREADS] [ROUNDS]`.
//!
//! Prints, as one JSON object: posecheck's `analyze` frames/s on the clip (pipelined, and
//! run sequentially with each stage's time per frame, at the default pose rate), the share of
//! frames the model saw, and the model-only limit: the landmark model alone on a fixed input,
//! no decoding, cropping or analysis. `bench --model-only [ROUNDS]` prints only the limit.
//!
//! Each is measured ROUNDS times (default 3), interleaved, and the best round is reported: on a
//! shared or virtual machine the speed drifts by ±20 % over a minute, and interleaving plus the
//! best of a few rounds compares like with like.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use posecheck::analyze::{self, AnalyzeSettings, FrameOutputs};
use posecheck::pipeline::{PoseRate, StageTimes};
use posecheck::progress::Progress;
use posecheck_core::exercise::template;
use posecheck_core::filter::OneEuroConfig;
use posecheck_core::session::SessionConfig;
use posecheck_pose::runtime::ModelOnly;
use posecheck_pose::{self as pose, ModelConfig, ModelKind};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The `n`th argument as a number, or `default`.
fn number(args: &[String], n: usize, default: usize) -> Result<usize> {
    Ok(args
        .get(n)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(default))
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let first = args
        .get(1)
        .ok_or("usage: bench CLIP [THREADS] [ROUNDS] | bench --model-only [ROUNDS]")?;
    let model_only = first == "--model-only";
    let (threads, rounds) = if model_only {
        (0, number(&args, 2, 3)?)
    } else {
        (number(&args, 2, 0)?, number(&args, 3, 3)?)
    };
    let rounds = rounds.max(1);
    let config = ModelConfig {
        kind: ModelKind::BlazeposeFull,
        models_dir: pose::default_models_dir(),
        threads,
    };
    pose::runtime::init(None)?;
    // The landmark model alone, on a fixed crop-sized input.
    let mut limit = ModelOnly::open(&config.path(config.kind.file_name()), threads)?;
    if model_only {
        let mut best = 0.0f64;
        for _ in 0..rounds {
            best = best.max(limit.runs_per_second(300)?);
        }
        println!("{{\"model_only_fps\": {best:.2}, \"rounds\": {rounds}}}");
        return Ok(());
    }
    let clip = Path::new(first);
    let mut model = analyze::load_model(&config, None)?;
    let stop = AtomicBool::new(false);
    let progress = Progress::new(1, true);
    let templates = template::load_all(None)?;
    let mut run = |sequential: bool| {
        let settings = AnalyzeSettings {
            model: config.clone(),
            session: SessionConfig {
                templates: templates.clone(),
                exercise: None,
                smoothing: Some(OneEuroConfig::default()),
                balance: Default::default(),
            },
            progress: &progress,
            stop: &stop,
            sequential,
            pose_rate: PoseRate::default(),
        };
        analyze::analyze_media(clip, model.as_mut(), &settings, &FrameOutputs::default())
            .map(|a| a.times)
    };
    // Warm-up: the first sessions run allocate and tune.
    run(false)?;

    let (mut piped, mut seq, mut model_only_fps) = (None::<StageTimes>, None::<StageTimes>, 0.0);
    let faster = |best: Option<StageTimes>, t: StageTimes| match best {
        Some(b) if b.fps() >= t.fps() => Some(b),
        _ => Some(t),
    };
    for _ in 0..rounds {
        piped = faster(piped, run(false)?);
        seq = faster(seq, run(true)?);
        model_only_fps = f64::max(model_only_fps, limit.runs_per_second(300)?);
    }
    let (piped, seq) = (piped.ok_or("no rounds")?, seq.ok_or("no rounds")?);
    println!(
        "{{\"clip\": {:?}, \"frames\": {}, \"model_frames\": {}, \"cores\": {}, \"analyze_fps\": {:.2}, \
         \"sequential_fps\": {:.2}, \"decode_ms\": {:.2}, \"inference_ms\": {:.2}, \"rest_ms\": {:.2}, \
         \"model_only_fps\": {:.2}, \"rounds\": {}}}",
        clip.display().to_string(),
        piped.frames,
        piped.model_frames,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        piped.fps(),
        seq.fps(),
        seq.per_frame_ms(seq.decode),
        seq.per_frame_ms(seq.inference),
        seq.per_frame_ms(seq.analysis),
        model_only_fps,
        rounds
    );
    Ok(())
}
