//! The core's errors. Each variant renders as one line that names the thing at fault and, where
//! there is one, the fix; the binary prints it and exits non-zero.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("{}: {message}", path.display())]
    Input { path: PathBuf, message: String },

    #[error("{}:{line}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },

    #[error("{0}")]
    Invalid(String),
}

impl Error {
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub fn input(path: &Path, message: impl Into<String>) -> Error {
        Error::Input {
            path: path.to_path_buf(),
            message: one_line(message.into()),
        }
    }

    pub fn parse(path: &Path, line: usize, message: impl Into<String>) -> Error {
        Error::Parse {
            path: path.to_path_buf(),
            line,
            message: one_line(message.into()),
        }
    }
}

/// Parsers quote what they found, and a quoted string can hold a line break (TOML's "a\nb"
/// is one): shown escaped, the error stays one line.
fn one_line(message: String) -> String {
    if message.contains(['\n', '\r']) {
        message.replace('\n', "\\n").replace('\r', "\\r")
    } else {
        message
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
