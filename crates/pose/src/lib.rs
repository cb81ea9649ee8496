//! Pose estimation: model adapters (preprocess → infer → postprocess) behind one trait, fed
//! plain [`ImageView`]s and returning the core's [`Pose`]. ONNX Runtime is loaded at run time
//! ([`runtime`]); no imaging library is involved.

pub mod blazepose;
pub mod crop;
pub mod error;
pub mod image;
pub mod movenet;
pub mod runtime;

use std::path::{Path, PathBuf};

use posecheck_core::pose::Pose;
use posecheck_core::skeleton::Skeleton;

pub use error::Error;

/// The checkout this crate was built in (two levels above it): where `models/` and the
/// set-up's `.ort/` are when posecheck runs from its build directory.
pub(crate) const CHECKOUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
pub use image::{ChannelOrder, ImageView};

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
    /// Estimates the pose in a frame.
    fn estimate(&mut self, frame: &ImageView) -> Result<Detection, Error>;
    /// Estimates the pose in a frame out of order (one between two frames already given),
    /// leaving the track as it was.
    fn estimate_aside(&mut self, frame: &ImageView) -> Result<Detection, Error>;
    /// Forgets the tracked person (a new clip, or a jump in time).
    fn reset(&mut self);
    /// Sets whether frames are independent stills (no tracking between them).
    fn set_still_images(&mut self, still: bool);
    fn skeleton(&self) -> Skeleton;
}

/// The models posecheck ships.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelKind {
    BlazeposeFull,
    BlazeposeLite,
    MovenetLightning,
    MovenetThunder,
}

impl ModelKind {
    pub const ALL: [ModelKind; 4] = [
        ModelKind::BlazeposeFull,
        ModelKind::BlazeposeLite,
        ModelKind::MovenetLightning,
        ModelKind::MovenetThunder,
    ];

    /// The name users give on the command line, e.g. `blazepose-full`.
    pub fn cli_name(self) -> &'static str {
        match self {
            ModelKind::BlazeposeFull => "blazepose-full",
            ModelKind::BlazeposeLite => "blazepose-lite",
            ModelKind::MovenetLightning => "movenet-lightning",
            ModelKind::MovenetThunder => "movenet-thunder",
        }
    }

    /// One line about the model, for `--help`.
    pub fn about(self) -> &'static str {
        match self {
            ModelKind::BlazeposeFull => {
                "BlazePose GHUM full (33 landmarks; detector + tracking). The default"
            }
            ModelKind::BlazeposeLite => "BlazePose GHUM lite: faster, a little less precise",
            ModelKind::MovenetLightning => "MoveNet Lightning (COCO-17), fastest",
            ModelKind::MovenetThunder => "MoveNet Thunder (COCO-17)",
        }
    }

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
        .unwrap_or_else(|| Path::new(CHECKOUT).join("models"))
}
