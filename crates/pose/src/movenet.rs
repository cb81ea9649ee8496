//! MoveNet SinglePose (Lightning / Thunder): one stage, COCO-17 keypoints.
//!
//! Whole-frame MoveNet misses people lying on the floor, so after the first frame it looks at a
//! square crop around the previous pose (MoveNet's own "cropping algorithm"), which keeps the
//! person large in the input.

use ndarray::Array4;
use ort::session::Session;
use ort::value::TensorRef;

use crate::crop::{Roi, rotated_crop_tensor};
use crate::{Detection, ModelConfig, PoseModel, runtime};
use posecheck_core::geometry::Vec2;
use posecheck_core::pose::{Keypoint, Pose};

use crate::error::Error;
use crate::image::ImageView;
use posecheck_core::skeleton::Skeleton;

const KEYPOINTS: usize = 17;
/// Mean keypoint score above which a person is present (people 0.4–0.75, empty scenes ≤ 0.19).
const PRESENT_SCORE: f32 = 0.3;
/// Keypoints at least this confident shape the next crop.
const CROP_KEYPOINT_SCORE: f32 = 0.2;
/// Crop side relative to the pose's longer extent.
const CROP_MARGIN: f32 = 1.4;

pub struct MoveNet {
    session: Session,
    size: i32,
    input: Array4<f32>,
    roi: Option<Roi>,
    still: bool,
}

impl MoveNet {
    pub fn load(config: &ModelConfig) -> Result<MoveNet, Error> {
        let path = config.path(config.kind.file_name());
        let session = runtime::open_session(&path, config.threads)?;
        let shape = session
            .inputs()
            .first()
            .and_then(|i| i.dtype().tensor_shape())
            .map(|s| s.iter().copied().collect::<Vec<i64>>())
            .unwrap_or_default();
        let size = shape.get(1).copied().unwrap_or(0);
        if !(64..=1024).contains(&size) {
            return Err(Error::model(
                &path,
                format!("input shape {shape:?} is not a MoveNet input [1, S, S, 3]"),
            ));
        }
        runtime::check_input(&session, &path, &[1, size, size, 3])?;
        Ok(MoveNet {
            session,
            size: size as i32,
            input: Array4::zeros((1, size as usize, size as usize, 3)),
            roi: None,
            still: false,
        })
    }

    fn whole_frame(frame: &ImageView) -> Roi {
        let (w, h) = (frame.width() as f32, frame.height() as f32);
        Roi {
            center: Vec2::new(w / 2.0, h / 2.0),
            size: w.max(h),
            rotation: 0.0,
        }
    }

    fn infer(&mut self, frame: &ImageView, roi: &Roi) -> Result<Pose, Error> {
        let buf = self
            .input
            .as_slice_mut()
            .ok_or_else(|| Error::Invalid("MoveNet input is not contiguous".into()))?;
        rotated_crop_tensor(frame, roi, self.size, buf, 1.0, 0.0)?;
        let err = |e: ort::Error| Error::Runtime(e.to_string());
        let outputs = self
            .session
            .run(ort::inputs![
                TensorRef::from_array_view(&self.input).map_err(err)?
            ])
            .map_err(err)?;
        let (_, raw) = outputs[0].try_extract_tensor::<f32>().map_err(err)?;
        if raw.len() < KEYPOINTS * 3 {
            return Err(Error::Invalid(
                "MoveNet output has an unexpected size".into(),
            ));
        }
        Ok(decode(raw, roi))
    }
}

/// MoveNet output `(y, x, score)` per keypoint, normalised to the crop → frame keypoints.
pub fn decode(raw: &[f32], roi: &Roi) -> Pose {
    let points: Vec<Keypoint> = raw
        .chunks_exact(3)
        .take(KEYPOINTS)
        .map(|c| {
            let p = roi.to_frame(Vec2::new(c[1], c[0]), 1.0);
            Keypoint {
                x: p.x,
                y: p.y,
                z: 0.0,
                visibility: c[2],
            }
        })
        .collect();
    Pose::from_layout(Skeleton::Coco17, &points)
}

/// The square crop around a pose for the next frame, or `None` if too few keypoints are sure.
fn crop_around(pose: &Pose) -> Option<Roi> {
    let (lo, hi) = pose.bounds(CROP_KEYPOINT_SCORE)?;
    let extent = (hi.x - lo.x).max(hi.y - lo.y);
    (extent > 1.0).then(|| Roi {
        center: lo.midpoint(hi),
        size: extent * CROP_MARGIN,
        rotation: 0.0,
    })
}

fn mean_score(pose: &Pose) -> f32 {
    let joints = Skeleton::Coco17.joints();
    joints.iter().map(|j| pose.visibility(*j)).sum::<f32>() / joints.len() as f32
}

impl PoseModel for MoveNet {
    fn estimate(&mut self, frame: &ImageView) -> Result<Detection, Error> {
        if frame.is_empty() {
            return Ok(Detection::default());
        }
        let tracked = match self.roi.filter(|_| !self.still) {
            Some(roi) => Some(self.infer(frame, &roi)?).filter(|p| mean_score(p) >= PRESENT_SCORE),
            None => None,
        };
        let detector_ran = tracked.is_none();
        let pose = match tracked {
            Some(p) => Some(p),
            None => {
                let whole = self.infer(frame, &Self::whole_frame(frame))?;
                match crop_around(&whole).filter(|_| mean_score(&whole) >= PRESENT_SCORE) {
                    // Look again, closer: whole-frame keypoints of a small person are coarse.
                    Some(roi) => Some(self.infer(frame, &roi)?),
                    None => None,
                }
            }
        };
        let pose = pose.filter(|p| mean_score(p) >= PRESENT_SCORE);
        self.roi = pose.as_ref().and_then(crop_around);
        Ok(Detection { pose, detector_ran })
    }

    fn estimate_aside(&mut self, frame: &ImageView) -> Result<Detection, Error> {
        let roi = self.roi;
        let found = self.estimate(frame);
        self.roi = roi;
        found
    }

    fn reset(&mut self) {
        self.roi = None;
    }

    fn set_still_images(&mut self, still: bool) {
        self.still = still;
    }

    fn skeleton(&self) -> Skeleton {
        Skeleton::Coco17
    }
}
