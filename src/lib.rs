//! posecheck: watches back-strengthening exercises through a camera or in a video, counts reps,
//! times holds and calls form faults.
//!
//! Data flow: [`source`] frames → [`pose`] model → [`filter`] smoothing → keypoint [`track`].

pub mod analyze;
pub mod atomic;
pub mod error;
pub mod eval;
pub mod exercise;
pub mod filter;
pub mod geometry;
pub mod interrupt;
pub mod live;
pub mod overlay;
pub mod pipeline;
pub mod pose;
pub mod progress;
pub mod report;
pub mod session;
pub mod skeleton;
pub mod source;
pub mod track;

pub use error::{Error, Result};
