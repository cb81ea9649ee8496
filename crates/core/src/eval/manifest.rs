//! The ground-truth manifest (`docs/manifest.md` describes it): clips with what a coach saw,
//! and labelled keypoint files. Unknown fields are kept out of the way, so manifests can
//! carry notes for people.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
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
    /// Each rep's top: the middle of its time there where it pauses, as the real clips' labels
    /// and the rendered truth put it.
    pub rep_tops_s: Option<Vec<f64>>,
    /// How the camera sees the body ("side", "front", "oblique", ...).
    pub view: Option<String>,
    /// A clip of a movement with dips (side plank hip dips): when the hips are up, and when
    /// they are down on the mat. No valid hold spans a moment on the mat.
    pub hips_high_intervals_s: Option<Vec<[f64; 2]>>,
    pub hips_on_mat_intervals_s: Option<Vec<[f64; 2]>>,
    /// Free-text descriptions of parts of the clip ("0-18": "..."): for people, not scored.
    pub segments: Option<BTreeMap<String, String>>,
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
            || self.hips_on_mat_intervals_s.is_some()
    }

    /// Why a clip is not scored (it is listed with this reason), `None` if it is scored.
    pub fn not_scored_reason(&self) -> Option<String> {
        if self.is_scored() {
            None
        } else if self.segments.is_some() {
            Some("not scored: only free-text segments, no counts, holds or fault times".into())
        } else {
            Some("not scored: no reps, hold or faults labelled".into())
        }
    }
}

/// Times in a manifest, seconds: a day is beyond any clip.
const SECONDS: RangeInclusive<f64> = 0.0..=86_400.0;
/// Counts in a manifest.
const COUNTS: RangeInclusive<u32> = 0..=1000;
/// Manifests are kilobytes; a file much larger is not one.
const MAX_MANIFEST_BYTES: u64 = 64 << 20;

/// A time or a `[start, end]` interval checked against [`SECONDS`].
fn check_times(what: &str, times: &[f64]) -> Result<(), String> {
    if let Some(t) = times.iter().find(|t| !SECONDS.contains(t)) {
        return Err(format!(
            "{what}: {t} is outside the allowed {} to {} s",
            SECONDS.start(),
            SECONDS.end()
        ));
    }
    match times {
        [start, end] if start > end => {
            Err(format!("{what}: [{start}, {end}] ends before it starts"))
        }
        _ => Ok(()),
    }
}

impl Clip {
    /// The clip's numbers: counts and times in range, intervals that end after they start.
    fn check_values(&self) -> Result<(), String> {
        let counts = self.reps.iter().map(|r| ("reps", *r)).chain(
            self.per_side
                .iter()
                .flatten()
                .map(|(_, n)| ("per_side", *n)),
        );
        for (what, n) in counts {
            if !COUNTS.contains(&n) {
                return Err(format!(
                    "{what}: {n} is outside the allowed {} to {}",
                    COUNTS.start(),
                    COUNTS.end()
                ));
            }
        }
        if let Some(h) = self.hold_s {
            check_times("hold_s", &[h])?;
        }
        if let Some(i) = &self.hold_interval_s {
            check_times("hold_interval_s", i)?;
        }
        let intervals = [
            ("top_intervals_s", &self.top_intervals_s),
            ("extended_intervals_s", &self.extended_intervals_s),
        ];
        for (what, list) in intervals {
            for i in list.iter().flatten() {
                check_times(what, i)?;
            }
        }
        let dips = [
            ("hips_high_intervals_s", &self.hips_high_intervals_s),
            ("hips_on_mat_intervals_s", &self.hips_on_mat_intervals_s),
        ];
        for (what, list) in dips {
            for i in list.iter().flatten() {
                check_times(what, i)?;
            }
        }
        for f in self.faults.iter().flatten() {
            check_times(&format!("fault {}", f.code), &[f.start_s, f.end_s])?;
        }
        Ok(())
    }
}

/// The line where `needle` first appears in `text`, 1 if nowhere.
fn line_of(text: &str, needle: &str) -> usize {
    text.find(needle)
        .map_or(1, |at| text[..at].matches('\n').count() + 1)
}

impl Manifest {
    pub fn load(path: &Path) -> Result<Manifest, Error> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        // Reading a pipe would wait for a writer.
        if !meta.is_file() || meta.len() > MAX_MANIFEST_BYTES {
            return Err(Error::input(
                path,
                "is not a ground-truth manifest (a JSON file of at most 64 MiB)",
            ));
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
            Error::parse(path, e.line(), format!("not a ground-truth manifest: {e}"))
        })?;
        manifest.check(path, &text)?;
        Ok(manifest)
    }

    /// Refuses bad numbers and missing files before anything runs (the model takes minutes
    /// over a manifest: a typo in the last clip must not wait for them). Errors name the line
    /// where the clip's file is given.
    fn check(&self, path: &Path, text: &str) -> Result<(), Error> {
        let listed = self
            .videos
            .iter()
            .map(|c| (c.file.as_str(), c.check_values()))
            .chain(self.labelled_files().map(|k| (k, Ok(()))));
        for (file, values) in listed {
            let quoted = serde_json::to_string(file).unwrap_or_default();
            let at = |m: String| Error::parse(path, line_of(text, &quoted), format!("{file}: {m}"));
            values.map_err(at)?;
            if !Self::resolve(path, file).is_file() {
                return Err(at(
                    "not found (paths are relative to the manifest's directory)".into(),
                ));
            }
        }
        Ok(())
    }

    /// The labelled keypoint files: the `keypoints` entries naming a CSV file (the others are
    /// notes for people).
    pub fn labelled_files(&self) -> impl Iterator<Item = &str> {
        self.keypoints
            .keys()
            .map(String::as_str)
            .filter(|k| k.ends_with(".csv"))
    }

    /// A path in the manifest, relative to the manifest's directory.
    pub fn resolve(manifest_path: &Path, file: &str) -> PathBuf {
        manifest_path.parent().unwrap_or(Path::new(".")).join(file)
    }
}
