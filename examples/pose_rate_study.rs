//! How the adaptive pose rate behaves on real footage, measured on every-frame keypoint tracks
//! (e.g. `posecheck eval`'s cache of the dev clips at `--pose-rate every`):
//!
//!     cargo run --release --example pose_rate_study -- TRACK.jsonl...
//!
//! Each track is replayed through the real [`Estimator`] with a stand-in model that answers
//! with the track's own pose of each frame, so the study runs the very decisions `analyze`
//! makes, without the model. Printed per track and in all: the share of frames the model would
//! see, and for each interpolated frame how far its farthest limb or torso joint is from the
//! model's own pose of that frame (in body sizes), beside how far the model's poses of a body
//! standing still move from one frame to the next (its jitter).

use opencv::core::{CV_8UC3, Mat, Scalar};

use posecheck::cadence::{Analysed, Decoded, Estimator, PoseRate};
use posecheck_core::pose::Pose;
use posecheck_core::skeleton::Skeleton;
use posecheck_core::track::TrackReader;
use posecheck_pose::{Detection, Error, ImageView, PoseModel};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Answers with the track's pose of the frame whose index the picture carries.
struct Replay {
    poses: Vec<Option<Pose>>,
}

fn index_of(frame: &ImageView) -> usize {
    let b = frame.bytes();
    b[0] as usize | (b[1] as usize) << 8 | (b[2] as usize) << 16
}

impl PoseModel for Replay {
    fn estimate(&mut self, frame: &ImageView) -> std::result::Result<Detection, Error> {
        Ok(Detection {
            pose: self.poses[index_of(frame)].clone(),
            detector_ran: false,
        })
    }
    fn estimate_aside(&mut self, frame: &ImageView) -> std::result::Result<Detection, Error> {
        self.estimate(frame)
    }
    fn reset(&mut self) {}
    fn set_still_images(&mut self, _: bool) {}
    fn skeleton(&self) -> Skeleton {
        Skeleton::BlazePose33
    }
}

fn percentile(v: &mut [f32], p: f64) -> f32 {
    if v.is_empty() {
        return f32::NAN;
    }
    v.sort_by(f32::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn main() -> Result<()> {
    let tracks: Vec<String> = std::env::args().skip(1).collect();
    if tracks.is_empty() {
        return Err("usage: pose_rate_study TRACK.jsonl...".into());
    }
    let (mut all_errors, mut all_jitter, mut frames, mut seen) = (Vec::new(), Vec::new(), 0, 0);
    println!(
        "| track | frames | model saw | interpolated: farthest joint p50 / p90 (body sizes) |"
    );
    println!("|---|---:|---:|---:|");
    for path in &tracks {
        let (times, poses): (Vec<f64>, Vec<Option<Pose>>) =
            TrackReader::open(std::path::Path::new(path))?
                .map(|f| f.map(|f| (f.t, f.pose)))
                .collect::<std::result::Result<Vec<_>, _>>()?
                .into_iter()
                .unzip();
        // Jitter: frame-to-frame moves where the body is still over three frames.
        for w in poses.windows(3) {
            if let [Some(a), Some(b), Some(c)] = w
                && a.movement(c).is_some_and(|m| m < 0.01)
            {
                all_jitter.extend(a.farthest_move(b));
            }
        }
        let mut model = Replay {
            poses: poses.clone(),
        };
        let mut estimator = Estimator::new(&mut model, PoseRate::Adaptive, None);
        let mut errors = Vec::new();
        let mut take = |a: Analysed| {
            if let (Some(p), Some(own)) = (&a.pose, &poses[a.index as usize])
                && p != own
            {
                errors.extend(own.farthest_move(p));
            }
            true
        };
        for (i, &t) in times.iter().enumerate() {
            let bytes = [
                (i & 255) as f64,
                ((i >> 8) & 255) as f64,
                ((i >> 16) & 255) as f64,
            ];
            let image = Mat::new_rows_cols_with_default(
                1,
                1,
                CV_8UC3,
                Scalar::new(bytes[0], bytes[1], bytes[2], 0.0),
            )?;
            let frame = Decoded {
                index: i as u64,
                t,
                image,
            };
            estimator.push(frame, &mut take)?;
        }
        estimator.finish(&mut take)?;
        let share = estimator.model_frames as f64 / poses.len().max(1) as f64;
        frames += poses.len();
        seen += estimator.model_frames as usize;
        let name = std::path::Path::new(path)
            .file_name()
            .map_or(path.clone(), |n| n.to_string_lossy().into_owned());
        println!(
            "| {name} | {} | {:.0} % | {:.3} / {:.3} |",
            poses.len(),
            100.0 * share,
            percentile(&mut errors, 0.5),
            percentile(&mut errors, 0.9)
        );
        all_errors.extend(errors);
    }
    println!(
        "| all | {frames} | {:.0} % | {:.3} / {:.3} |",
        100.0 * seen as f64 / frames.max(1) as f64,
        percentile(&mut all_errors, 0.5),
        percentile(&mut all_errors, 0.9)
    );
    println!(
        "\nThe model's own frame-to-frame jitter on a still body (farthest joint): p50 {:.3}, p90 {:.3} body sizes",
        percentile(&mut all_jitter, 0.5),
        percentile(&mut all_jitter, 0.9)
    );
    Ok(())
}
