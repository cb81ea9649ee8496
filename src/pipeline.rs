//! The frame pipeline: decoding, pose inference and the caller's analysis run on separate
//! threads joined by small bounded queues, so decoding the next frame overlaps inference on
//! this one and nothing builds a backlog. Frame buffers circulate through a pool instead of
//! being allocated per frame.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, bounded, unbounded};
use opencv::core::Mat;

pub use crate::cadence::{Analysed, EveryFrameWanted, PoseRate, infer};
use crate::cadence::{Decoded, Estimator};
use crate::error::Error;
use crate::source::MediaSource;
use posecheck_pose::PoseModel;

/// Frames in flight between two stages.
const QUEUE: usize = 3;

/// Busy time of each stage, for benchmarks.
#[derive(Clone, Copy, Debug, Default)]
pub struct StageTimes {
    pub frames: u64,
    /// Frames the model saw (the others were interpolated, see [`PoseRate`]).
    pub model_frames: u64,
    pub decode: Duration,
    pub inference: Duration,
    pub analysis: Duration,
    pub wall: Duration,
}

impl StageTimes {
    pub fn fps(&self) -> f64 {
        self.frames as f64 / self.wall.as_secs_f64().max(1e-9)
    }

    /// Milliseconds per frame of a stage.
    pub fn per_frame_ms(&self, d: Duration) -> f64 {
        d.as_secs_f64() * 1e3 / self.frames.max(1) as f64
    }
}

/// How the pipeline runs.
pub struct PipelineOptions<'a> {
    /// Pass each frame's picture to the sink.
    pub keep_images: bool,
    /// Set (e.g. by Ctrl-C) to stop after the frames already decoded.
    pub stop: &'a AtomicBool,
    /// Run the three stages one after another on one thread (for checking that pipelining
    /// changes nothing, and for measuring what it gains).
    pub sequential: bool,
    /// How often the model runs.
    pub pose_rate: PoseRate,
    /// The sink's wish that the model see every frame (see [`PoseRate`]); the pipeline
    /// records it after each frame the sink takes.
    pub every_frame_wanted: Option<&'a EveryFrameWanted>,
}

/// Decodes `source`, runs `model` on its frames at the chosen rate, and hands every frame with
/// its pose to `sink` in order.
/// A sink error stops the pipeline and is returned; what was processed before stays processed.
pub fn run(
    source: &mut MediaSource,
    model: &mut dyn PoseModel,
    opts: &PipelineOptions,
    mut sink: impl FnMut(&mut Analysed) -> Result<(), Error>,
) -> Result<StageTimes, Error> {
    let start = Instant::now();
    let mut times = if opts.sequential {
        run_sequential(source, model, opts, &mut sink)?
    } else {
        run_threaded(source, model, opts, &mut sink)?
    };
    times.wall = start.elapsed();
    Ok(times)
}

fn run_sequential(
    source: &mut MediaSource,
    model: &mut dyn PoseModel,
    opts: &PipelineOptions,
    sink: &mut impl FnMut(&mut Analysed) -> Result<(), Error>,
) -> Result<StageTimes, Error> {
    let mut times = StageTimes::default();
    let mut estimator = Estimator::new(model, opts.pose_rate, opts.every_frame_wanted);
    // Buffers back from the sink (the estimator may hold a frame while the next is decoded).
    let (pool_tx, pool_rx) = unbounded::<Mat>();
    let mut failure = None;
    let mut deliver = |a: Analysed| {
        let t0 = Instant::now();
        let result = deliver_to(sink, a, opts, &pool_tx);
        times.analysis += t0.elapsed();
        times.frames += 1;
        result.map_err(|e| failure = Some(e)).is_ok()
    };
    let mut decode = Duration::ZERO;
    let mut sink_failed = false;
    loop {
        if opts.stop.load(Ordering::Relaxed) {
            break;
        }
        let mut image = pool_rx.try_recv().unwrap_or_default();
        let t0 = Instant::now();
        let Some((index, t)) = source.read_into(&mut image) else {
            break;
        };
        decode += t0.elapsed();
        if !estimator.push(Decoded { index, t, image }, &mut deliver)? {
            sink_failed = true;
            break;
        }
    }
    if !sink_failed {
        estimator.finish(&mut deliver)?;
    }
    if let Some(e) = failure {
        return Err(e);
    }
    times.decode = decode;
    times.inference = estimator.busy;
    times.model_frames = estimator.model_frames;
    Ok(times)
}

/// Hands a frame to the sink, its picture only if asked for, and returns the buffer to the
/// decoder's pool.
fn deliver_to(
    sink: &mut impl FnMut(&mut Analysed) -> Result<(), Error>,
    mut a: Analysed,
    opts: &PipelineOptions,
    pool: &Sender<Mat>,
) -> Result<(), Error> {
    if !opts.keep_images
        && let Some(m) = a.image.take()
    {
        let _ = pool.send(m);
    }
    let result = sink(&mut a);
    if let Some(wants) = opts.every_frame_wanted {
        wants.record();
    }
    if let Some(m) = a.image.take() {
        let _ = pool.send(m);
    }
    result
}

fn run_threaded(
    source: &mut MediaSource,
    model: &mut dyn PoseModel,
    opts: &PipelineOptions,
    sink: &mut impl FnMut(&mut Analysed) -> Result<(), Error>,
) -> Result<StageTimes, Error> {
    let (decoded_tx, decoded_rx) = bounded::<Decoded>(QUEUE);
    let (analysed_tx, analysed_rx) = bounded::<Analysed>(QUEUE);
    // Spent buffers go back to the decoder.
    let (pool_tx, pool_rx) = unbounded::<Mat>();
    // Set when a later stage fails, so earlier ones stop instead of blocking.
    let failed = AtomicBool::new(false);
    let mut times = StageTimes::default();
    std::thread::scope(|scope| -> Result<(), Error> {
        let decoder = scope.spawn(|| decode_stage(source, opts.stop, &failed, decoded_tx, pool_rx));
        let pool_back = pool_tx.clone();
        let keep = opts.keep_images;
        let failed_ref = &failed;
        let (rate, wanted) = (opts.pose_rate, opts.every_frame_wanted);
        let inference = scope.spawn(move || {
            let mut estimator = Estimator::new(model, rate, wanted);
            let mut send = |mut a: Analysed| {
                if !keep && let Some(picture) = a.image.take() {
                    let _ = pool_back.send(picture);
                }
                analysed_tx.send(a).is_ok()
            };
            let mut estimate = || -> Result<(), Error> {
                for d in decoded_rx.iter() {
                    if !estimator.push(d, &mut send)? {
                        return Ok(());
                    }
                }
                estimator.finish(&mut send)
            };
            let result = estimate();
            if result.is_err() {
                failed_ref.store(true, Ordering::Relaxed);
            }
            result.map(|()| (estimator.busy, estimator.model_frames))
        });
        let mut sink_result = Ok(());
        for a in analysed_rx.iter() {
            let t0 = Instant::now();
            let result = deliver_to(sink, a, opts, &pool_tx);
            times.analysis += t0.elapsed();
            times.frames += 1;
            if let Err(e) = result {
                failed.store(true, Ordering::Relaxed);
                sink_result = Err(e);
                break;
            }
        }
        // The estimator may wait for the analysis: it will not come.
        if let Some(wants) = opts.every_frame_wanted {
            wants.close();
        }
        drop(analysed_rx);
        drop(pool_tx);
        let inference_busy = inference
            .join()
            .map_err(|_| Error::invalid("the inference thread stopped unexpectedly"))?;
        let decode_busy = decoder
            .join()
            .map_err(|_| Error::invalid("the decoding thread stopped unexpectedly"))?;
        sink_result?;
        (times.inference, times.model_frames) = inference_busy?;
        times.decode = decode_busy;
        Ok(())
    })?;
    Ok(times)
}

fn decode_stage(
    source: &mut MediaSource,
    stop: &AtomicBool,
    failed: &AtomicBool,
    out: Sender<Decoded>,
    pool: Receiver<Mat>,
) -> Duration {
    let mut busy = Duration::ZERO;
    while !stop.load(Ordering::Relaxed) && !failed.load(Ordering::Relaxed) {
        let mut image = pool.try_recv().unwrap_or_default();
        let t0 = Instant::now();
        let Some((index, t)) = source.read_into(&mut image) else {
            break;
        };
        busy += t0.elapsed();
        if out.send(Decoded { index, t, image }).is_err() {
            break;
        }
    }
    busy
}
