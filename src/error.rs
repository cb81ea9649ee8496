//! The application's errors: the core's and the models' errors, and those of capture and
//! OpenCV. Each renders as one line; `main` prints it and exits non-zero.

use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Core(#[from] posecheck_core::Error),

    #[error(transparent)]
    Pose(#[from] posecheck_pose::Error),

    #[error("camera/stream {source_name}: {message}")]
    Capture {
        source_name: String,
        message: String,
    },

    #[error("OpenCV: {0}")]
    OpenCv(#[from] opencv::Error),

    #[error(transparent)]
    History(#[from] posecheck_history::Error),
}

impl Error {
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        posecheck_core::Error::io(path, source).into()
    }

    pub fn input(path: &Path, message: impl Into<String>) -> Error {
        posecheck_core::Error::input(path, message).into()
    }

    pub fn invalid(message: impl Into<String>) -> Error {
        posecheck_core::Error::Invalid(message.into()).into()
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
