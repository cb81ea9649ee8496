//! The frame pipeline: decoding, pose inference and the caller's analysis run on separate
//! threads joined by small bounded queues, so decoding the next frame overlaps inference on
//! this one and nothing builds a backlog. Frame buffers circulate through a pool instead of
//! being allocated per frame.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, bounded, unbounded};
use opencv::core::Mat;

use crate::error::Error;
use crate::source::MediaSource;
use posecheck_core::pose::Pose;
use posecheck_core::track::quantize;
use posecheck_pose::PoseModel;

/// Frames in flight between two stages.
const QUEUE: usize = 3;

/// One analysed frame.
pub struct Analysed {
    pub index: u64,
    pub t: f64,
    /// The person's raw (unsmoothed) keypoints, rounded as a track stores them.
    pub pose: Option<Pose>,
    /// The picture, when the caller asked for it (overlays, annotated video).
    pub image: Option<Mat>,
    /// Whether the person detector ran (tracking was lost or re-checked).
    pub detector_ran: bool,
}

/// Busy time of each stage, for benchmarks.
#[derive(Clone, Copy, Debug, Default)]
pub struct StageTimes {
    pub frames: u64,
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
}

/// Decodes `source`, runs `model` on every frame, and hands the results to `sink` in order.
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

/// The model's pose in a frame, rounded as a track stores it (so a replay sees the same
/// keypoints), and whether the person detector ran.
pub fn infer(model: &mut dyn PoseModel, image: &Mat) -> Result<(Option<Pose>, bool), Error> {
    let found = model.estimate(&crate::source::image_view(image)?)?;
    let pose = found.pose.map(|mut p| {
        quantize(&mut p);
        p
    });
    Ok((pose, found.detector_ran))
}

fn run_sequential(
    source: &mut MediaSource,
    model: &mut dyn PoseModel,
    opts: &PipelineOptions,
    sink: &mut impl FnMut(&mut Analysed) -> Result<(), Error>,
) -> Result<StageTimes, Error> {
    let mut times = StageTimes::default();
    let mut image = Mat::default();
    loop {
        if opts.stop.load(Ordering::Relaxed) {
            break;
        }
        let t0 = Instant::now();
        let Some((index, t)) = source.read_into(&mut image) else {
            break;
        };
        let t1 = Instant::now();
        let (pose, detector_ran) = infer(model, &image)?;
        let t2 = Instant::now();
        let mut analysed = Analysed {
            index,
            t,
            pose,
            image: opts.keep_images.then(|| std::mem::take(&mut image)),
            detector_ran,
        };
        sink(&mut analysed)?;
        if let Some(picture) = analysed.image {
            image = picture;
        }
        times.frames += 1;
        times.decode += t1 - t0;
        times.inference += t2 - t1;
        times.analysis += t2.elapsed();
    }
    Ok(times)
}

struct Decoded {
    index: u64,
    t: f64,
    image: Mat,
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
        let inference = scope.spawn(move || {
            let mut busy = Duration::ZERO;
            for d in decoded_rx.iter() {
                let t0 = Instant::now();
                let (pose, detector_ran) = match infer(model, &d.image) {
                    Ok(r) => r,
                    Err(e) => {
                        failed_ref.store(true, Ordering::Relaxed);
                        return Err(e);
                    }
                };
                busy += t0.elapsed();
                let image = if keep {
                    Some(d.image)
                } else {
                    let _ = pool_back.send(d.image);
                    None
                };
                let out = Analysed {
                    index: d.index,
                    t: d.t,
                    pose,
                    image,
                    detector_ran,
                };
                if analysed_tx.send(out).is_err() {
                    break;
                }
            }
            Ok(busy)
        });
        let mut sink_result = Ok(());
        for mut a in analysed_rx.iter() {
            let t0 = Instant::now();
            let result = sink(&mut a);
            times.analysis += t0.elapsed();
            times.frames += 1;
            if let Some(picture) = a.image.take() {
                let _ = pool_tx.send(picture);
            }
            if let Err(e) = result {
                failed.store(true, Ordering::Relaxed);
                sink_result = Err(e);
                break;
            }
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
        times.inference = inference_busy?;
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
