//! Errors of the pose models, each one line naming the file or library at fault.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("ONNX Runtime: {0}")]
    Runtime(String),

    #[error("model {}: {message}", path.display())]
    Model { path: PathBuf, message: String },

    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    /// A frame or tensor that does not fit the model.
    #[error("{0}")]
    Invalid(String),
}

impl Error {
    pub fn model(path: &Path, message: impl Into<String>) -> Error {
        Error::Model {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
