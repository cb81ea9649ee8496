//! How often the pose model runs on a video.
//!
//! The model is what limits analysis speed, and back exercises are slow: for most of a set a
//! body moves a few hundredths of its size between two frames, and the straight line between
//! the poses of the frames either side of one is as close to it as the model's own jitter is
//! (measured on the every-frame tracks of all real dev clips, see `docs/speed.md`). So at the
//! adaptive rate the model sees every other frame and the one between is interpolated, unless
//! the poses around it are far apart: a fast movement, a person found or lost, the person
//! detector running again. Then the model also sees the held frame, and every frame after it
//! until the body slows down again. Balance stands are the exception: their sway is measured
//! frame by frame (path length and velocity would read low on interpolated frames), so while
//! the analysis says one is under way the model sees every frame.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use opencv::core::Mat;

use crate::error::Error;
use posecheck_core::pose::Pose;
use posecheck_core::track::quantize;
use posecheck_pose::{Detection, PoseModel};

/// How often the model runs on a video.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum PoseRate {
    /// Every frame.
    Every,
    /// Every other frame while the body moves slowly (the frame between interpolated), every
    /// frame while it moves fast.
    #[default]
    Adaptive,
}

/// The largest movement ([`Pose::movement`], a share of the body's size) between the poses
/// two frames apart for which the frame between is interpolated. On the every-frame tracks of
/// all 17 real dev clips of both manifests (`examples/pose_rate_study.rs`), the model then
/// sees 57 % of the frames (50-76 % per clip), and an interpolated pose's farthest joint is
/// 0.012 body sizes from the model's own pose of that frame at the median (0.029 at the 90th
/// percentile): about what the model's poses of a body standing still move from one frame to
/// the next (median 0.009, 90th percentile 0.020).
const MAX_INTERPOLATED_MOVE: f32 = 0.05;

/// Frames between the one the analysis has judged and the one whose pose rate that judgement
/// sets: more than can be in flight between the estimator and the analysis (a held frame and
/// one being handed on), so the estimator rarely waits, and fixed, so the same video gives the
/// same frames to the model however the threads run.
const WANT_LAG: usize = 4;

/// The analysis's wish, frame by frame, that the model see every frame (a balance stand is
/// under way). The analysis says what it wants now ([`EveryFrameWanted::set`]); the pipeline
/// records that once per analysed frame, in order; the estimator reads the wish as of
/// [`WANT_LAG`] frames before the one it decides on, waiting for the analysis to get there.
#[derive(Default)]
pub struct EveryFrameWanted {
    now: AtomicBool,
    /// The wish after each analysed frame, and whether the analysis has ended.
    recorded: Mutex<(Vec<bool>, bool)>,
    changed: Condvar,
}

impl EveryFrameWanted {
    /// What the analysis wants from now on.
    pub fn set(&self, wanted: bool) {
        self.now.store(wanted, Ordering::Relaxed);
    }

    /// One more frame analysed: records the wish as it stands.
    pub fn record(&self) {
        let mut r = self.recorded.lock().unwrap_or_else(|p| p.into_inner());
        r.0.push(self.now.load(Ordering::Relaxed));
        self.changed.notify_all();
    }

    /// The analysis has ended (or failed): nobody waits for it any more.
    pub fn close(&self) {
        let mut r = self.recorded.lock().unwrap_or_else(|p| p.into_inner());
        r.1 = true;
        self.changed.notify_all();
    }

    /// The wish for the `n`th frame given to the estimator (0-based): as recorded after frame
    /// `n - WANT_LAG`, waiting for it; no wish before that or once the analysis has ended.
    fn for_frame(&self, n: usize) -> bool {
        let Some(judged) = n.checked_sub(WANT_LAG) else {
            return false;
        };
        let mut r = self.recorded.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(&w) = r.0.get(judged) {
                return w;
            }
            if r.1 {
                return false;
            }
            r = self.changed.wait(r).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// A decoded frame on its way to the model.
pub struct Decoded {
    pub index: u64,
    pub t: f64,
    pub image: Mat,
}

/// A frame with its pose.
pub struct Analysed {
    pub index: u64,
    pub t: f64,
    /// The person's raw (unsmoothed) keypoints, rounded as a track stores them.
    pub pose: Option<Pose>,
    /// The picture (the caller keeps it or recycles the buffer).
    pub image: Option<Mat>,
}

/// The model's pose in a frame, rounded as a track stores it (so a replay sees the same
/// keypoints).
pub fn infer(model: &mut dyn PoseModel, image: &Mat) -> Result<Option<Pose>, Error> {
    Ok(rounded(model.estimate(&crate::source::image_view(image)?)?).0)
}

/// The pose rounded as a track stores it, and whether the person detector ran.
fn rounded(found: Detection) -> (Option<Pose>, bool) {
    let pose = found.pose.map(|mut p| {
        quantize(&mut p);
        p
    });
    (pose, found.detector_ran)
}

/// Runs the model on frames given in order, at the chosen rate, and hands them on in order
/// with their poses.
pub struct Estimator<'m> {
    model: &'m mut dyn PoseModel,
    rate: PoseRate,
    /// The frame after the last one the model saw, waiting for the next.
    held: Option<Decoded>,
    /// The last pose the model found, and when.
    last: Option<(f64, Pose)>,
    /// Every frame goes to the model (the body moved fast), until it slows down.
    full_rate: bool,
    /// The analysis's wish for every frame (a balance stand under way).
    every_frame_wanted: Option<&'m EveryFrameWanted>,
    /// Frames given so far.
    pushed: usize,
    /// Time spent in the model.
    pub busy: Duration,
    /// Frames the model saw.
    pub model_frames: u64,
}

impl<'m> Estimator<'m> {
    /// An estimator at `rate`; at the adaptive rate the model sees every frame while the
    /// analysis wants it (`every_frame_wanted`).
    pub fn new(
        model: &'m mut dyn PoseModel,
        rate: PoseRate,
        every_frame_wanted: Option<&'m EveryFrameWanted>,
    ) -> Estimator<'m> {
        Estimator {
            model,
            rate,
            held: None,
            last: None,
            full_rate: false,
            every_frame_wanted,
            pushed: 0,
            busy: Duration::ZERO,
            model_frames: 0,
        }
    }

    /// Takes the next frame; hands `out` every frame whose pose is now known. `out` returns
    /// false when nobody takes frames any more.
    pub fn push(
        &mut self,
        frame: Decoded,
        out: &mut impl FnMut(Analysed) -> bool,
    ) -> Result<bool, Error> {
        let wanted = self.rate == PoseRate::Adaptive
            && self
                .every_frame_wanted
                .is_some_and(|w| w.for_frame(self.pushed));
        self.pushed += 1;
        let hold = self.rate == PoseRate::Adaptive
            && self.held.is_none()
            && self.last.is_some()
            && !self.full_rate
            && !wanted;
        if hold {
            self.held = Some(frame);
            return Ok(true);
        }
        let (pose, detector_ran) = self.run(&frame.image, false)?;
        let movement = match (&self.last, &pose) {
            (Some((_, a)), Some(b)) if !detector_ran => a.movement(b),
            _ => None,
        };
        if let Some(between) = self.held.take() {
            let interpolated = match (&self.last, &pose) {
                (Some((t0, a)), Some(b))
                    if !wanted && movement.is_some_and(|m| m <= MAX_INTERPOLATED_MOVE) =>
                {
                    let f = ((between.t - t0) / (frame.t - t0).max(1e-9)).clamp(0.0, 1.0);
                    let mut p = a.lerp(b, f as f32);
                    quantize(&mut p);
                    Some(p)
                }
                _ => None,
            };
            let analysed = match interpolated {
                Some(p) => analysed(between, Some(p)),
                None => {
                    self.full_rate = true;
                    let (p, _) = self.run(&between.image, true)?;
                    analysed(between, p)
                }
            };
            if !out(analysed) {
                return Ok(false);
            }
        } else if self.full_rate {
            // One frame apart: half the movement two frames apart would be.
            self.full_rate = !movement.is_some_and(|m| 2.0 * m <= MAX_INTERPOLATED_MOVE);
        }
        self.last = pose.clone().map(|p| (frame.t, p));
        Ok(out(analysed(frame, pose)))
    }

    /// Hands on the frame still held, if any (the model sees it).
    pub fn finish(&mut self, out: &mut impl FnMut(Analysed) -> bool) -> Result<(), Error> {
        if let Some(frame) = self.held.take() {
            let (pose, _) = self.run(&frame.image, false)?;
            out(analysed(frame, pose));
        }
        Ok(())
    }

    /// The model on one frame; `aside` for a held frame seen after the next one.
    fn run(&mut self, image: &Mat, aside: bool) -> Result<(Option<Pose>, bool), Error> {
        let t0 = Instant::now();
        let view = crate::source::image_view(image)?;
        let found = if aside {
            self.model.estimate_aside(&view)?
        } else {
            self.model.estimate(&view)?
        };
        self.busy += t0.elapsed();
        self.model_frames += 1;
        Ok(rounded(found))
    }
}

fn analysed(frame: Decoded, pose: Option<Pose>) -> Analysed {
    Analysed {
        index: frame.index,
        t: frame.t,
        pose,
        image: Some(frame.image),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opencv::core::{CV_8UC3, Scalar};
    use posecheck_core::pose::Keypoint;
    use posecheck_core::skeleton::Skeleton;
    use posecheck_pose::ImageView;

    /// A model that reads the person's place off the picture: the first pixel's blue value is
    /// the body's x offset in pixels (0 = nobody). It counts the frames it saw.
    struct Scripted {
        seen: Vec<u8>,
    }

    fn body_at(x: f32) -> Pose {
        let mut p = Pose::default();
        for (i, k) in p.keypoints.iter_mut().enumerate() {
            // A body 100 px tall: joints spread down a column.
            *k = Keypoint {
                x,
                y: 3.0 * i as f32,
                z: 0.0,
                visibility: 1.0,
            };
        }
        // World points 1 cm for each pixel of the offset, so they can be checked against it.
        p.world = Some(std::array::from_fn(|i| [x * 0.01, 0.03 * i as f32, 0.0]));
        p
    }

    impl PoseModel for Scripted {
        fn estimate(&mut self, frame: &ImageView) -> Result<Detection, posecheck_pose::Error> {
            let x = frame.bytes()[0];
            self.seen.push(x);
            Ok(Detection {
                pose: (x > 0).then(|| body_at(x as f32)),
                detector_ran: false,
            })
        }
        fn estimate_aside(
            &mut self,
            frame: &ImageView,
        ) -> Result<Detection, posecheck_pose::Error> {
            self.estimate(frame)
        }
        fn reset(&mut self) {}
        fn set_still_images(&mut self, _: bool) {}
        fn skeleton(&self) -> Skeleton {
            Skeleton::BlazePose33
        }
    }

    /// Runs frames whose person is at the given x offsets; returns the poses' x and the
    /// offsets the model saw, in the order it saw them.
    fn run(offsets: &[u8], rate: PoseRate) -> (Vec<Option<f32>>, Vec<u8>) {
        run_wanting(offsets, rate, &EveryFrameWanted::default())
    }

    fn run_wanting(
        offsets: &[u8],
        rate: PoseRate,
        wanted: &EveryFrameWanted,
    ) -> (Vec<Option<f32>>, Vec<u8>) {
        let mut model = Scripted { seen: Vec::new() };
        let mut out = Vec::new();
        let mut estimator = Estimator::new(&mut model, rate, Some(wanted));
        let mut take = |a: Analysed| {
            if let Some(p) = &a.pose {
                // The world points travel with the keypoints, interpolated frames included.
                let world_x = p.world.map(|w| w[0][0] * 100.0);
                assert!(
                    world_x.is_some_and(|w| (w - p.keypoints[0].x).abs() < 0.1),
                    "frame {}: world {world_x:?}, picture {}",
                    a.index,
                    p.keypoints[0].x
                );
            }
            out.push((a.index, a.pose.map(|p| p.keypoints[0].x)));
            wanted.record();
            true
        };
        for (i, &x) in offsets.iter().enumerate() {
            let image =
                Mat::new_rows_cols_with_default(4, 4, CV_8UC3, Scalar::all(x as f64)).unwrap();
            let frame = Decoded {
                index: i as u64,
                t: i as f64 / 30.0,
                image,
            };
            assert!(estimator.push(frame, &mut take).unwrap());
        }
        estimator.finish(&mut take).unwrap();
        assert_eq!(estimator.model_frames as usize, model.seen.len());
        let indices: Vec<u64> = out.iter().map(|(i, _)| *i).collect();
        assert_eq!(
            indices,
            (0..offsets.len() as u64).collect::<Vec<_>>(),
            "frames in order"
        );
        (out.into_iter().map(|(_, x)| x).collect(), model.seen)
    }

    #[test]
    fn a_slow_body_is_interpolated_between_every_other_frame() {
        // 1 px a frame on a 96 px body: 2 % of its size over two frames.
        let slow: Vec<u8> = (10..30).collect();
        let (poses, seen) = run(&slow, PoseRate::Adaptive);
        assert_eq!(seen.len(), 11, "the model saw {seen:?}");
        // Interpolated frames land where the body was.
        let xs: Vec<f32> = poses.iter().map(|p| p.unwrap()).collect();
        assert_eq!(xs, slow.iter().map(|&x| x as f32).collect::<Vec<_>>());
        let (_, every) = run(&slow, PoseRate::Every);
        assert_eq!(every.len(), slow.len());
        // Once the analysis asks for every frame (a balance stand), the model sees them all,
        // from a fixed number of frames after it asked.
        let wanting = EveryFrameWanted::default();
        wanting.set(true);
        let (_, wanted) = run_wanting(&slow, PoseRate::Adaptive, &wanting);
        // (only frame 1, held before the wish took effect, is interpolated)
        assert_eq!(wanted.len(), slow.len() - 1);
    }

    #[test]
    fn a_fast_move_or_a_lost_person_goes_to_the_model() {
        // Slow, then a 40 px jump (40 % of the body), then slow again.
        let mut frames: Vec<u8> = vec![10, 11, 12, 13, 14];
        frames.extend([54, 55, 56, 57, 58, 59, 60, 61]);
        let (poses, seen) = run(&frames, PoseRate::Adaptive);
        let xs: Vec<f32> = poses.iter().map(|p| p.unwrap()).collect();
        assert_eq!(xs, frames.iter().map(|&x| x as f32).collect::<Vec<_>>());
        // The frame of the jump was held; the model saw the next, found the body far off and
        // then saw the held one too; it saw every frame until the body was slow again (one
        // frame), then every other one (and the last, which had no next).
        assert_eq!(seen, vec![10, 12, 14, 55, 54, 56, 58, 60, 61]);

        // The person leaves: the frame held before the model found nobody goes to the model,
        // and so does every frame while nobody is there.
        let leaving = [10, 11, 12, 13, 0, 0, 0, 20, 21];
        let (poses, seen) = run(&leaving, PoseRate::Adaptive);
        let xs: Vec<Option<f32>> = leaving
            .iter()
            .map(|&x| (x > 0).then_some(x as f32))
            .collect();
        assert_eq!(poses, xs);
        assert_eq!(seen, vec![10, 12, 0, 13, 0, 0, 20, 21]);
    }
}
