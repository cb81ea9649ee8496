//! Throughput benchmark: `cargo run --release --example bench -- CLIP [THREADS] [ROUNDS]`.
//!
//! Prints, as one JSON object: posecheck's `analyze` frames/s on the clip (pipelined, and
//! run sequentially with each stage's time per frame), and the model-only limit: the landmark
//! model alone on a fixed input, no decoding, cropping or analysis.
//!
//! Each is measured ROUNDS times (default 3), interleaved, and the best round is reported: on a
//! shared or virtual machine the speed drifts by ±20 % over a minute, and interleaving plus the
//! best of a few rounds compares like with like.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use posecheck::analyze::{self, AnalyzeSettings, FrameOutputs};
use posecheck::pipeline::StageTimes;
use posecheck::progress::Progress;
use posecheck_core::exercise::template;
use posecheck_core::filter::OneEuroConfig;
use posecheck_core::session::SessionConfig;
use posecheck_pose::{self as pose, ModelConfig, ModelKind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let clip = Path::new(args.get(1).ok_or("usage: bench CLIP [THREADS]")?);
    let threads: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(0);
    let rounds: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(3);
    let config = ModelConfig {
        kind: ModelKind::BlazeposeFull,
        models_dir: pose::default_models_dir(),
        threads,
    };
    let mut model = analyze::load_model(&config, None)?;
    let stop = AtomicBool::new(false);
    let progress = Progress::new(1, true);
    let run = |model: &mut dyn pose::PoseModel, sequential: bool| {
        let settings = AnalyzeSettings {
            model: config.clone(),
            session: SessionConfig {
                templates: template::load_all(None).expect("templates"),
                exercise: None,
                smoothing: Some(OneEuroConfig::default()),
                balance: Default::default(),
            },
            progress: &progress,
            stop: &stop,
            sequential,
        };
        analyze::analyze_media(clip, model, &settings, &FrameOutputs::default()).map(|a| a.times)
    };
    // Warm-up: the first sessions run allocate and tune.
    run(model.as_mut(), false)?;

    // The landmark model alone, on a fixed crop-sized input.
    let mut model_only =
        pose::runtime::ModelOnly::open(&config.path(config.kind.file_name()), threads)?;

    let (mut piped, mut seq, mut model_only_fps) = (None::<StageTimes>, None::<StageTimes>, 0.0);
    let faster = |best: Option<StageTimes>, t: StageTimes| match best {
        Some(b) if b.fps() >= t.fps() => Some(b),
        _ => Some(t),
    };
    for _ in 0..rounds.max(1) {
        piped = faster(piped, run(model.as_mut(), false)?);
        seq = faster(seq, run(model.as_mut(), true)?);
        model_only_fps = f64::max(model_only_fps, model_only.runs_per_second(300)?);
    }
    let (piped, seq) = (piped.ok_or("no rounds")?, seq.ok_or("no rounds")?);
    println!(
        "{{\"clip\": {:?}, \"frames\": {}, \"cores\": {}, \"analyze_fps\": {:.2}, \"sequential_fps\": {:.2}, \
         \"decode_ms\": {:.2}, \"inference_ms\": {:.2}, \"rest_ms\": {:.2}, \"model_only_fps\": {:.2}, \"rounds\": {}}}",
        clip.display().to_string(),
        piped.frames,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        piped.fps(),
        seq.fps(),
        seq.per_frame_ms(seq.decode),
        seq.per_frame_ms(seq.inference),
        seq.per_frame_ms(seq.analysis),
        model_only_fps,
        rounds.max(1)
    );
    Ok(())
}
