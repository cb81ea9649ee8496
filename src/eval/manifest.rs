//! The ground-truth manifest (`docs/manifest.md` describes it): clips with what a coach saw,
//! and labelled keypoint files. Unknown fields are kept out of the way, so manifests can
//! carry notes for people.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Error;

#[derive(Clone, Debug, Deserialize)]
pub struct Manifest {
    #[serde(default)]
    pub videos: Vec<Clip>,
    /// Labelled keypoint files: path (relative to the manifest) → description.
    #[serde(default)]
    pub keypoints: BTreeMap<String, serde_json::Value>,
}

/// One clip and its ground truth. Times are seconds from the start of the clip.
#[derive(Clone, Debug, Deserialize)]
pub struct Clip {
    pub file: String,
    /// Template id, or a phrase such as "none of the four (dead bug)" for negatives.
    pub exercise: String,
    /// Reps counted by the convention of the manifest (a rep counts on reaching the top).
    pub reps: Option<u32>,
    /// Per-side counts, e.g. {"left": 3, "right": 3} (other keys: an unlabelled split).
    pub per_side: Option<BTreeMap<String, u32>>,
    /// Seconds of valid hold, when the clip is one hold.
    pub hold_s: Option<f64>,
    pub hold_interval_s: Option<[f64; 2]>,
    /// Top-of-rep intervals (pauses at the top), or extended intervals (bird-dog).
    pub top_intervals_s: Option<Vec<[f64; 2]>>,
    pub extended_intervals_s: Option<Vec<[f64; 2]>>,
    /// Labelled faults: code and time range. `Some(empty)` means the form is clean: nothing of
    /// severity warning should be called.
    pub faults: Option<Vec<LabelledFault>>,
    /// The range of rep counts a fair judge accepts (inclusive).
    pub accept_reps: Option<[u32; 2]>,
    /// The range of total hold time a fair judge accepts, seconds (inclusive).
    pub accept_hold_s: Option<[f64; 2]>,
    /// Each valid hold (for people and per-side checks; the total is what is scored).
    pub holds: Option<Vec<LabelledHold>>,
    /// The moment each rep reaches its top.
    pub rep_tops_s: Option<Vec<f64>>,
    /// How the camera sees the body ("side", "front", "oblique", ...).
    pub view: Option<String>,
    pub notes: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct LabelledHold {
    pub side: Option<String>,
    pub start_s: f64,
    pub end_s: f64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct LabelledFault {
    pub code: String,
    pub start_s: f64,
    pub end_s: f64,
}

impl Clip {
    /// True for a clip of none of the templates: nothing should be counted.
    pub fn is_negative(&self) -> bool {
        self.exercise.starts_with("none")
    }

    /// The hold the clip shows, seconds.
    pub fn expected_hold(&self) -> Option<f64> {
        self.hold_s
            .or_else(|| self.hold_interval_s.map(|[a, b]| b - a))
            .or_else(|| {
                self.holds
                    .as_ref()
                    .map(|h| h.iter().map(|h| h.end_s - h.start_s).sum())
            })
    }

    /// The form is labelled clean (`"faults": []`).
    pub fn is_clean_form(&self) -> bool {
        self.faults.as_ref().is_some_and(Vec::is_empty)
    }

    /// Pauses at the top of each rep, if labelled.
    pub fn top_intervals(&self) -> Option<&[[f64; 2]]> {
        self.top_intervals_s
            .as_deref()
            .or(self.extended_intervals_s.as_deref())
    }

    /// Whether anything in the clip can be scored.
    pub fn is_scored(&self) -> bool {
        self.is_negative()
            || self.reps.is_some()
            || self.expected_hold().is_some()
            || self.faults.is_some()
    }
}

impl Manifest {
    pub fn load(path: &Path) -> Result<Manifest, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        serde_json::from_str(&text)
            .map_err(|e| Error::parse(path, e.line(), format!("not a ground-truth manifest: {e}")))
    }

    /// A path in the manifest, relative to the manifest's directory.
    pub fn resolve(manifest_path: &Path, file: &str) -> PathBuf {
        manifest_path.parent().unwrap_or(Path::new(".")).join(file)
    }
}
