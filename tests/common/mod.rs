//! Helpers shared by the integration tests.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` (real footage and references), or `None` after saying loudly that the test is
/// skipped. Tests that need it return early; nothing else is skipped.
pub fn shared(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("POSECHECK_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared"));
    if dir.join("data/manifest.json").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "\n*** SKIPPED {test}: {} not found (real footage lives in ../shared) ***\n",
            dir.display()
        );
        None
    }
}

pub fn models_dir() -> PathBuf {
    repo().join("models")
}

pub fn exists(p: &Path) -> bool {
    p.exists()
}
