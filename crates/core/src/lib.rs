//! posecheck's pure core: everything between a keypoint track and a report, with no OpenCV,
//! no ONNX Runtime and no command line. It is a deterministic function of the poses it is fed.
//!
//! [`pose`] keypoints → [`filter`] smoothing → [`exercise`] engine → [`report`]; [`track`] is the
//! keypoint interchange format, [`session`] ties the stages together, [`eval`] scores results
//! against ground truth.

pub mod atomic;
pub mod balance;
pub mod digest;
pub mod error;
pub mod eval;
pub mod exercise;
pub mod filter;
pub mod geometry;
pub mod pose;
pub mod report;
pub mod routine;
pub mod session;
pub mod skeleton;
pub mod track;

pub use error::{Error, Result};
