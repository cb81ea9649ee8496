//! Throughput benchmark: `cargo run --release --example bench -- CLIP [THREADS]`.
//!
//! Prints, as one JSON object: posecheck's `analyze` frames/s on the clip (pipelined, and
//! run sequentially with each stage's time per frame), and the model-only limit: the landmark
//! model alone on a fixed input, no decoding, cropping or analysis.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use ndarray::Array4;
use ort::value::TensorRef;
use posecheck::analyze::{self, AnalyzeSettings, Outputs};
use posecheck::exercise::template;
use posecheck::filter::OneEuroConfig;
use posecheck::pose::{self, ModelConfig, ModelKind};
use posecheck::progress::Progress;
use posecheck::session::SessionConfig;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let clip = Path::new(args.get(1).ok_or("usage: bench CLIP [THREADS]")?);
    let threads: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(0);
    let config = ModelConfig {
        kind: ModelKind::BlazeposeFull,
        models_dir: pose::default_models_dir(),
        threads,
    };
    let mut model = analyze::load_model(&config, None)?;
    let stop = AtomicBool::new(false);
    let progress = Progress::new(1, true);
    let scratch = tempfile::tempdir()?;
    let run = |model: &mut dyn pose::PoseModel, sequential: bool| {
        let settings = AnalyzeSettings {
            model: config.clone(),
            session: SessionConfig {
                templates: template::load_all(None).expect("templates"),
                exercise: None,
                smoothing: Some(OneEuroConfig::default()),
            },
            progress: &progress,
            stop: &stop,
            sequential,
        };
        let outputs = Outputs {
            report: scratch.path().join("r.json"),
            ..Outputs::default()
        };
        analyze::analyze_media(clip, model, &settings, &outputs).map(|a| a.times)
    };
    // Warm-up: the first sessions run allocate and tune.
    run(model.as_mut(), false)?;
    let piped = run(model.as_mut(), false)?;
    let seq = run(model.as_mut(), true)?;

    // The landmark model alone, on a fixed crop-sized input.
    let mut session = pose::runtime::open_session(&config.path(config.kind.file_name()), threads)?;
    let input = Array4::<f32>::from_elem((1, 256, 256, 3), 0.5);
    for _ in 0..20 {
        session.run(ort::inputs![TensorRef::from_array_view(&input)?])?;
    }
    let n = 300;
    let t0 = Instant::now();
    for _ in 0..n {
        session.run(ort::inputs![TensorRef::from_array_view(&input)?])?;
    }
    let model_only_fps = n as f64 / t0.elapsed().as_secs_f64();
    println!(
        "{{\"clip\": {:?}, \"frames\": {}, \"cores\": {}, \"analyze_fps\": {:.2}, \"sequential_fps\": {:.2}, \
         \"decode_ms\": {:.2}, \"inference_ms\": {:.2}, \"rest_ms\": {:.2}, \"model_only_fps\": {:.2}}}",
        clip.display().to_string(),
        piped.frames,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        piped.fps(),
        seq.fps(),
        seq.per_frame_ms(seq.decode),
        seq.per_frame_ms(seq.inference),
        seq.per_frame_ms(seq.analysis),
        model_only_fps
    );
    Ok(())
}
