//! Soak test: an hour of frames through the model and the session, printing the resident
//! memory as it goes, to show it stays flat.
//!
//! `cargo run --release --example soak -- [CLIP] [MINUTES]` (default: samples/bird_dog.mp4,
//! 60 minutes of video time). The clip is played again and again; times keep increasing, as
//! in a long live session. Prints RSS at 1, 10, 30 and 60 minutes of video time.

use std::path::Path;

use posecheck::analyze;
use posecheck::source::MediaSource;
use posecheck_core::exercise::template;
use posecheck_core::filter::OneEuroConfig;
use posecheck_core::session::{Session, SessionConfig};
use posecheck_core::track::TrackHeader;
use posecheck_pose::{self as pose, ModelConfig, ModelKind};

/// Resident set size in MiB (Linux).
fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let clip = args.get(1).map_or("samples/bird_dog.mp4", String::as_str);
    let minutes: f64 = args.get(2).map(|m| m.parse()).transpose()?.unwrap_or(60.0);
    let config = ModelConfig {
        kind: ModelKind::BlazeposeFull,
        models_dir: pose::default_models_dir(),
        threads: 0,
    };
    let mut model = analyze::load_model(&config, None)?;
    let mut source = MediaSource::open_file(Path::new(clip))?;
    let fps = source.info.fps;
    let header = TrackHeader::new(
        model.skeleton(),
        (source.info.width, source.info.height),
        fps,
        clip,
        config.kind.id(),
    );
    let session_config = SessionConfig {
        templates: template::load_all(None)?,
        exercise: None,
        smoothing: Some(OneEuroConfig::default()),
        balance: Default::default(),
    };
    let mut session = Session::new(&session_config, &header)?;
    let total = (minutes * 60.0 * fps) as usize;
    let marks = [1.0, 10.0, 30.0, 60.0];
    let start = std::time::Instant::now();
    println!("start: RSS {:.1} MiB (looping {clip})", rss_mib());
    let mut image = opencv::core::Mat::default();
    for i in 0..total {
        if source.read_into(&mut image).is_none() {
            source = MediaSource::open_file(Path::new(clip))?;
            source
                .read_into(&mut image)
                .ok_or("the clip has no frames")?;
        }
        let pose = posecheck::pipeline::infer(model.as_mut(), &image)?;
        session.frame(i as f64 / fps, pose.as_ref())?;
        let video_min = (i + 1) as f64 / fps / 60.0;
        if marks
            .iter()
            .any(|m| (video_min - m).abs() < 0.5 / fps / 60.0)
        {
            println!(
                "{video_min:5.1} min of video: RSS {:.1} MiB ({:.0} frames/s)",
                rss_mib(),
                (i + 1) as f64 / start.elapsed().as_secs_f64()
            );
        }
    }
    let outcome = session.finish()?;
    let reps: u32 = outcome.sets.iter().map(|s| s.reps).sum();
    println!(
        "done: {} frames, {} sets, {reps} reps, RSS {:.1} MiB",
        outcome.frames,
        outcome.sets.len(),
        rss_mib()
    );
    Ok(())
}
