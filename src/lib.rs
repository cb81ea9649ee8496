//! The posecheck application: capture, the decode/inference/analysis pipeline, the live window
//! and overlay, and the commands that drive them. What happens between keypoints and reports
//! is `posecheck_core`; the pose models are `posecheck_pose`.
//!
//! Data flow: [`source`] frames → `posecheck_pose` model → `posecheck_core` session → report.

pub mod analyze;
pub mod batch;
pub mod cadence;
pub mod error;
pub mod eval;
pub mod history;
pub mod interrupt;
pub mod journal;
pub mod live;
pub mod overlay;
pub mod pipeline;
pub mod progress;
pub mod routine;
pub mod source;
pub mod speech;

pub use error::{Error, Result};
