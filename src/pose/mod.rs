//! Pose estimation: model adapters (preprocess → infer → postprocess) behind one trait.

pub mod blazepose;
pub mod crop;
pub mod movenet;
pub mod runtime;

use std::path::{Path, PathBuf};

use opencv::core::Mat;

use crate::error::Error;
use crate::geometry::Vec2;
use crate::skeleton::{JOINT_COUNT, Joint, Skeleton};

/// One landmark: position in image pixels, relative depth, and how visible the model thinks it is.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Keypoint {
    pub x: f32,
    pub y: f32,
    pub z: f32,
    pub visibility: f32,
}

impl Keypoint {
    pub fn pos(&self) -> Vec2 {
        Vec2::new(self.x, self.y)
    }
}

/// A person's landmarks in the canonical 33-joint layout.
#[derive(Clone, Debug, PartialEq)]
pub struct Pose {
    pub keypoints: [Keypoint; JOINT_COUNT],
}

impl Default for Pose {
    fn default() -> Self {
        Pose {
            keypoints: [Keypoint::default(); JOINT_COUNT],
        }
    }
}

impl Pose {
    pub fn get(&self, joint: Joint) -> Keypoint {
        self.keypoints[joint.index()]
    }

    pub fn pos(&self, joint: Joint) -> Vec2 {
        self.get(joint).pos()
    }

    pub fn visibility(&self, joint: Joint) -> f32 {
        self.get(joint).visibility
    }

    /// Axis-aligned box (min, max) of the keypoints at least `min_visibility` visible.
    pub fn bounds(&self, min_visibility: f32) -> Option<(Vec2, Vec2)> {
        let mut it = self
            .keypoints
            .iter()
            .filter(|k| k.visibility >= min_visibility && k.pos().is_finite());
        let first = it.next()?.pos();
        Some(it.fold((first, first), |(lo, hi), k| {
            (
                Vec2::new(lo.x.min(k.x), lo.y.min(k.y)),
                Vec2::new(hi.x.max(k.x), hi.y.max(k.y)),
            )
        }))
    }

    /// A size for the person: the longer side of the box of its torso and legs.
    pub fn scale(&self) -> f32 {
        self.bounds(0.0)
            .map(|(lo, hi)| (hi.x - lo.x).max(hi.y - lo.y))
            .unwrap_or(0.0)
    }

    /// Builds a pose from a model's or file's keypoints in `skeleton` order; joints the layout
    /// lacks stay invisible.
    pub fn from_layout(skeleton: Skeleton, points: &[Keypoint]) -> Pose {
        let mut pose = Pose::default();
        for (joint, kp) in skeleton.joints().iter().zip(points) {
            pose.keypoints[joint.index()] = *kp;
        }
        pose
    }

    /// The keypoints in `skeleton` order.
    pub fn to_layout(&self, skeleton: Skeleton) -> Vec<Keypoint> {
        skeleton.joints().iter().map(|j| self.get(*j)).collect()
    }
}

/// What a model found in one frame.
#[derive(Clone, Debug, Default)]
pub struct Detection {
    /// The tracked person, or `None` when nobody is in the frame.
    pub pose: Option<Pose>,
    /// True when the person detector ran on this frame (tracking was lost or re-checked).
    pub detector_ran: bool,
}

/// A pose model bound to its runtime sessions. Stateful: video models track the person from
/// frame to frame, so frames must be given in order; `reset` forgets the track.
pub trait PoseModel: Send {
    /// Estimates the pose in a BGR frame.
    fn estimate(&mut self, frame: &Mat) -> Result<Detection, Error>;
    /// Forgets the tracked person (a new clip, or a jump in time).
    fn reset(&mut self);
    /// Sets whether frames are independent stills (no tracking between them).
    fn set_still_images(&mut self, still: bool);
    fn skeleton(&self) -> Skeleton;
}

/// The models posecheck ships.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// BlazePose GHUM full (33 landmarks; detector + tracking). The default.
    BlazeposeFull,
    /// BlazePose GHUM lite: faster, a little less precise.
    BlazeposeLite,
    /// MoveNet Lightning (COCO-17), fastest.
    MovenetLightning,
    /// MoveNet Thunder (COCO-17).
    MovenetThunder,
}

impl ModelKind {
    /// The ONNX file of the landmark (or single-stage) model.
    pub fn file_name(self) -> &'static str {
        match self {
            ModelKind::BlazeposeFull => "blazepose_landmark_full.onnx",
            ModelKind::BlazeposeLite => "blazepose_landmark_lite.onnx",
            ModelKind::MovenetLightning => "movenet_lightning.onnx",
            ModelKind::MovenetThunder => "movenet_thunder.onnx",
        }
    }

    /// The name recorded in tracks and reports.
    pub fn id(self) -> &'static str {
        self.file_name().trim_end_matches(".onnx")
    }

    pub fn skeleton(self) -> Skeleton {
        match self {
            ModelKind::BlazeposeFull | ModelKind::BlazeposeLite => Skeleton::BlazePose33,
            ModelKind::MovenetLightning | ModelKind::MovenetThunder => Skeleton::Coco17,
        }
    }

    /// Every ONNX file the model needs (BlazePose also needs its person detector).
    pub fn files(self) -> Vec<&'static str> {
        match self {
            ModelKind::BlazeposeFull | ModelKind::BlazeposeLite => {
                vec![blazepose::DETECTOR_FILE, self.file_name()]
            }
            _ => vec![self.file_name()],
        }
    }
}

/// Where the model files are and how inference should run.
#[derive(Clone, Debug)]
pub struct ModelConfig {
    pub kind: ModelKind,
    pub models_dir: PathBuf,
    /// ONNX Runtime intra-op threads (0 = one per core).
    pub threads: usize,
}

impl ModelConfig {
    pub fn path(&self, file: &str) -> PathBuf {
        self.models_dir.join(file)
    }
}

/// Loads the configured model (ONNX Runtime must have been initialised, see [`runtime`]).
pub fn load(config: &ModelConfig) -> Result<Box<dyn PoseModel>, Error> {
    Ok(match config.kind {
        ModelKind::BlazeposeFull | ModelKind::BlazeposeLite => {
            Box::new(blazepose::BlazePose::load(config)?)
        }
        ModelKind::MovenetLightning | ModelKind::MovenetThunder => {
            Box::new(movenet::MoveNet::load(config)?)
        }
    })
}

/// SHA-256 of a model file, recorded in reports so a result can be traced to its weights.
pub fn file_sha256(path: &Path) -> Result<String, Error> {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    Ok(Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// The directory holding the model files: `POSECHECK_MODELS`, `models/` next to the executable
/// or in the checkout it was built from.
pub fn default_models_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("POSECHECK_MODELS").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    let marker = blazepose::DETECTOR_FILE;
    let exe_dirs = std::env::current_exe()
        .ok()
        .map(|e| {
            e.ancestors()
                .skip(1)
                .take(4)
                .map(|d| d.join("models"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    exe_dirs
        .into_iter()
        .find(|d| d.join(marker).is_file())
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("models"))
}
