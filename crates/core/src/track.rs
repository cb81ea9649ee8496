//! Keypoint track files (JSON Lines): a header line, then one line per frame.
//!
//! ```text
//! {"posecheck_track": 1, "skeleton": "blazepose33", "keypoint_names": [...], "width": 1280,
//!  "height": 720, "fps": 30.0, "source": "clip.mp4", "model": "blazepose_landmark_full"}
//! {"t": 0.0, "keypoints": [[x, y, z, visibility], ...]}
//! {"t": 0.033, "keypoints": null}
//! ```
//! Version 2 adds the model's 3-D world landmarks, when it gives them, in the header's
//! keypoint order: `"world": [[x, y, z], ...]` (metres from the hip centre, camera axes: x
//! right, y down, z away). Version 1 tracks still read, with no world points.
//! Tracks hold the model's raw keypoints (before smoothing), so a replay goes through exactly
//! the steps a live analysis does. Values are rounded ([`quantize`]) before they are used or
//! written, so a replayed track gives the same report as the run that wrote it.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::exercise::Engine;
use crate::pose::{Keypoint, Pose, WorldPoints};
use crate::report::model::SourceKind;
use crate::session::FrameSink;
use crate::skeleton::{JOINT_COUNT, Joint, Skeleton};

pub const TRACK_VERSION: u32 = 2;
/// The oldest track version read (1: no world points).
const OLDEST_VERSION: u32 = 1;

/// The largest picture side posecheck handles, pixels (8K video is 7680 wide); a track or a
/// video declaring more is refused.
pub const MAX_SIDE: u32 = 8192;
/// Frame rates a track may declare.
const FPS: std::ops::RangeInclusive<f64> = 0.1..=1000.0;
/// Frame times, seconds: eleven days of recording is beyond any session.
const TIMES: std::ops::RangeInclusive<f64> = 0.0..=1e6;
/// Keypoint coordinates, pixels: models place hidden joints outside the picture, but not a
/// hundred pictures away; beyond this a value is a corrupt file (1e308 reads as infinity).
const MAX_COORD: f32 = 1e6;
/// World coordinates, metres: a body is a couple of metres across; beyond this a value is a
/// corrupt file.
const MAX_WORLD_M: f32 = 100.0;
/// The longest line read: a frame of 33 keypoints is about 2 KB, and without a bound a file
/// with no line breaks would be read into memory whole.
const MAX_LINE_BYTES: u64 = 1 << 20;

/// The first line of a track file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackHeader {
    pub posecheck_track: u32,
    pub skeleton: Skeleton,
    pub keypoint_names: Vec<String>,
    pub width: u32,
    pub height: u32,
    pub fps: f64,
    pub source: String,
    pub model: String,
    /// What the source was (`video`, `image`, `camera`); older tracks lack it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_kind: Option<SourceKind>,
}

impl TrackHeader {
    pub fn new(
        skeleton: Skeleton,
        (width, height): (u32, u32),
        fps: f64,
        source: &str,
        model: &str,
    ) -> Self {
        TrackHeader {
            posecheck_track: TRACK_VERSION,
            skeleton,
            keypoint_names: skeleton
                .keypoint_names()
                .into_iter()
                .map(String::from)
                .collect(),
            width,
            height,
            fps,
            source: source.to_string(),
            model: model.to_string(),
            source_kind: None,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct FrameLine {
    t: f64,
    keypoints: Option<Vec<[f32; 4]>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    world: Option<Vec<[f32; 3]>>,
    /// [`Pose::others`], written only when someone else is in view (older tracks lack it).
    #[serde(default, skip_serializing_if = "is_zero")]
    others: u8,
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}

/// One frame of a track: its time and the person, if one was found.
#[derive(Clone, Debug, PartialEq)]
pub struct TrackFrame {
    pub t: f64,
    pub pose: Option<Pose>,
}

/// Rounds a time to what a track file stores: 0.1 ms.
pub fn round_time(t: f64) -> f64 {
    (t * 1e4).round() / 1e4
}

/// Rounds a pose to what a track file stores: 0.01 px, 0.001 visibility, 1 mm in 3-D.
pub fn quantize(pose: &mut Pose) {
    let round = |v: f32, k: f32| (v * k).round() / k;
    for kp in pose.keypoints.iter_mut() {
        kp.x = round(kp.x, 100.0);
        kp.y = round(kp.y, 100.0);
        kp.z = round(kp.z, 100.0);
        kp.visibility = round(kp.visibility, 1000.0);
    }
    for p in pose.world.iter_mut().flatten().flatten() {
        *p = round(*p, 1000.0);
    }
}

/// Writes a track line by line, into a temporary file moved into place by [`finish`]
/// (so an interrupted run leaves no half-written track under the final name), or as a
/// journal ([`TrackWriter::journal`]).
///
/// [`finish`]: TrackWriter::finish
pub struct TrackWriter {
    out: Out,
    path: PathBuf,
    joints: Vec<Joint>,
}

enum Out {
    Temporary(BufWriter<tempfile::NamedTempFile>),
    /// Written in place, each line handed to the system as it is written.
    Journal(BufWriter<File>),
}

impl TrackWriter {
    pub fn create(path: &Path, header: &TrackHeader) -> Result<TrackWriter, Error> {
        let file = crate::atomic::temp_beside(path)?;
        TrackWriter::start(Out::Temporary(BufWriter::new(file)), path, header)
    }

    /// A track written in place and flushed frame by frame: a session's journal, which
    /// survives the process being killed (only the line being written is lost).
    /// The file stays locked while it is written, so that no other posecheck takes it for the
    /// journal of a killed session.
    pub fn journal(path: &Path, header: &TrackHeader) -> Result<TrackWriter, Error> {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        file.try_lock()
            .map_err(|e| Error::input(path, format!("another session is writing it ({e})")))?;
        file.set_len(0).map_err(|e| Error::io(path, e))?;
        TrackWriter::start(Out::Journal(BufWriter::new(file)), path, header)
    }

    fn start(out: Out, path: &Path, header: &TrackHeader) -> Result<TrackWriter, Error> {
        let mut w = TrackWriter {
            out,
            path: path.to_path_buf(),
            joints: header.skeleton.joints().to_vec(),
        };
        let line = serde_json::to_string(header).map_err(|e| Error::input(path, e.to_string()))?;
        w.write_line(&line)?;
        Ok(w)
    }

    fn write_line(&mut self, line: &str) -> Result<(), Error> {
        match &mut self.out {
            Out::Temporary(out) => writeln!(out, "{line}"),
            Out::Journal(out) => writeln!(out, "{line}").and_then(|_| out.flush()),
        }
        .map_err(|e| Error::io(&self.path, e))
    }

    pub fn write(&mut self, frame: &TrackFrame) -> Result<(), Error> {
        self.write_pose(frame.t, frame.pose.as_ref())
    }

    /// Writes one frame's pose (`None`: nobody in view).
    pub fn write_pose(&mut self, t: f64, pose: Option<&Pose>) -> Result<(), Error> {
        let line = FrameLine {
            t: round_time(t),
            keypoints: pose.map(|p| {
                self.joints
                    .iter()
                    .map(|j| {
                        let k = p.get(*j);
                        [k.x, k.y, k.z, k.visibility]
                    })
                    .collect()
            }),
            world: pose
                .and_then(|p| p.world)
                .map(|w| self.joints.iter().map(|j| w[j.index()]).collect()),
            others: pose.map_or(0, |p| p.others),
        };
        let text =
            serde_json::to_string(&line).map_err(|e| Error::input(&self.path, e.to_string()))?;
        self.write_line(&text)
    }

    pub fn finish(self) -> Result<(), Error> {
        match self.out {
            Out::Temporary(out) => {
                let file = out
                    .into_inner()
                    .map_err(|e| Error::io(&self.path, e.into_error()))?;
                crate::atomic::persist(file, &self.path)
            }
            Out::Journal(mut out) => out.flush().map_err(|e| Error::io(&self.path, e)),
        }
    }
}

/// The keypoint track as a session output: the raw poses, as the model gave them.
impl FrameSink for TrackWriter {
    fn frame(&mut self, t: f64, raw: Option<&Pose>, _engine: &Engine) -> Result<(), Error> {
        self.write_pose(t, raw)
    }

    fn finish(self: Box<Self>) -> Result<(), Error> {
        TrackWriter::finish(*self)
    }
}

/// One line of at most [`MAX_LINE_BYTES`], or `None` at the end of the file.
fn read_line(reader: &mut impl BufRead) -> std::io::Result<Option<String>> {
    let invalid = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_string());
    let mut bytes = Vec::new();
    let n = std::io::Read::take(reader, MAX_LINE_BYTES + 1).read_until(b'\n', &mut bytes)?;
    if n == 0 {
        return Ok(None);
    }
    if n as u64 > MAX_LINE_BYTES {
        return Err(invalid(
            "a line longer than 1 MiB is no keypoint track line",
        ));
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| invalid("not UTF-8 text"))
}

/// Reads a track lazily; every error names the file and line.
pub struct TrackReader {
    reader: BufReader<File>,
    path: PathBuf,
    line_no: usize,
    joints: Vec<Joint>,
    last_t: f64,
    pub header: TrackHeader,
}

impl TrackReader {
    pub fn open(path: &Path) -> Result<TrackReader, Error> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let mut reader = BufReader::new(file);
        let first = match read_line(&mut reader) {
            Ok(Some(line)) => line,
            Ok(None) => return Err(Error::input(path, "empty keypoint track")),
            Err(e) => return Err(Error::parse(path, 1, e.to_string())),
        };
        let header: TrackHeader = serde_json::from_str(&first)
            .map_err(|e| Error::parse(path, 1, format!("not a posecheck track header: {e}")))?;
        if !(OLDEST_VERSION..=TRACK_VERSION).contains(&header.posecheck_track) {
            return Err(Error::parse(
                path,
                1,
                format!(
                    "track format version {} is not supported (this posecheck reads {OLDEST_VERSION} to {TRACK_VERSION})",
                    header.posecheck_track
                ),
            ));
        }
        let joints = header
            .keypoint_names
            .iter()
            .map(|n| {
                Joint::from_name(n)
                    .ok_or_else(|| Error::parse(path, 1, format!("unknown keypoint name '{n}'")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        check_header(&header, &joints).map_err(|m| Error::parse(path, 1, m))?;
        Ok(TrackReader {
            reader,
            path: path.to_path_buf(),
            line_no: 1,
            joints,
            last_t: f64::NEG_INFINITY,
            header,
        })
    }

    fn parse(&mut self, text: &str) -> Result<TrackFrame, Error> {
        let at = |msg: String| Error::parse(&self.path, self.line_no, msg);
        let line: FrameLine =
            serde_json::from_str(text).map_err(|e| at(format!("not a track frame: {e}")))?;
        if !TIMES.contains(&line.t) {
            return Err(at(format!(
                "time {} is outside the allowed {} to {} s",
                line.t,
                TIMES.start(),
                TIMES.end()
            )));
        }
        // Equal times are let through: a camera with a coarse clock stamps two frames alike.
        if line.t < self.last_t {
            return Err(at(format!(
                "time {} is before the previous frame's {}",
                line.t, self.last_t
            )));
        }
        self.last_t = line.t;
        let pose = match line.keypoints {
            None => None,
            Some(points) => {
                if points.len() != self.joints.len() {
                    return Err(at(format!(
                        "{} keypoints, the header names {}",
                        points.len(),
                        self.joints.len()
                    )));
                }
                if points
                    .iter()
                    .flatten()
                    .any(|v| v.abs() > MAX_COORD || v.is_nan())
                {
                    return Err(at(format!(
                        "keypoint values must be numbers from -{MAX_COORD} to {MAX_COORD}"
                    )));
                }
                let mut pose = Pose {
                    others: line.others,
                    ..Pose::default()
                };
                for (joint, [x, y, z, v]) in self.joints.iter().zip(points) {
                    pose.keypoints[joint.index()] = Keypoint {
                        x,
                        y,
                        z,
                        visibility: v.clamp(0.0, 1.0),
                    };
                }
                pose.world = match &line.world {
                    None => None,
                    Some(w) => Some(self.world_points(w).map_err(at)?),
                };
                Some(pose)
            }
        };
        if pose.is_none() && line.world.is_some() {
            return Err(at("world points without keypoints".into()));
        }
        Ok(TrackFrame { t: line.t, pose })
    }

    /// A frame's world points, in the header's keypoint order, checked. Only a track of all
    /// 33 landmarks can carry them (a model with world landmarks gives every one).
    fn world_points(&self, points: &[[f32; 3]]) -> Result<WorldPoints, String> {
        if self.header.posecheck_track < 2 {
            return Err(format!(
                "world points need track version 2 (this track is version {})",
                self.header.posecheck_track
            ));
        }
        if points.len() != self.joints.len() || self.joints.len() != JOINT_COUNT {
            return Err(format!(
                "{} world points: a track with them names all {JOINT_COUNT} landmarks, once each \
                 ({} here)",
                points.len(),
                self.joints.len()
            ));
        }
        if points
            .iter()
            .flatten()
            .any(|v| !v.is_finite() || v.abs() > MAX_WORLD_M)
        {
            return Err(format!(
                "world points must be numbers from -{MAX_WORLD_M} to {MAX_WORLD_M} metres"
            ));
        }
        let mut world = [[0.0; 3]; JOINT_COUNT];
        for (joint, p) in self.joints.iter().zip(points) {
            world[joint.index()] = *p;
        }
        Ok(world)
    }
}

/// The header's numbers and names, before any frame is read.
fn check_header(header: &TrackHeader, joints: &[Joint]) -> Result<(), String> {
    let sides = 1..=MAX_SIDE;
    if !sides.contains(&header.width) || !sides.contains(&header.height) {
        return Err(format!(
            "picture size {}x{} is outside the allowed 1x1 to {MAX_SIDE}x{MAX_SIDE}",
            header.width, header.height
        ));
    }
    if !FPS.contains(&header.fps) {
        return Err(format!(
            "fps {} is outside the allowed {} to {}",
            header.fps,
            FPS.start(),
            FPS.end()
        ));
    }
    if joints.is_empty() {
        return Err("keypoint_names is empty".into());
    }
    if let Some(twice) = joints
        .iter()
        .enumerate()
        .find_map(|(i, j)| joints[..i].contains(j).then_some(j))
    {
        return Err(format!("keypoint '{}' is named twice", twice.name()));
    }
    Ok(())
}

impl Iterator for TrackReader {
    type Item = Result<TrackFrame, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let line = read_line(&mut self.reader).transpose()?;
            self.line_no += 1;
            let text = match line {
                Ok(t) => t,
                Err(e) => return Some(Err(Error::parse(&self.path, self.line_no, e.to_string()))),
            };
            if text.trim().is_empty() {
                continue;
            }
            return Some(self.parse(&text));
        }
    }
}

/// True when the file is a keypoint track (its first line is a track header), whatever its
/// name.
pub fn is_track_file(path: &Path) -> bool {
    // Opening a pipe would block until something writes to it.
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let Ok(file) = File::open(path) else {
        return false;
    };
    let mut first = String::new();
    // A header line is short; a video's first "line" can be megabytes of binary.
    let read = std::io::Read::take(BufReader::new(file), 64 * 1024).read_line(&mut first);
    read.is_ok()
        && serde_json::from_str::<serde_json::Value>(&first)
            .is_ok_and(|v| v.get("posecheck_track").is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_pose(shift: f32) -> Pose {
        let mut p = Pose::default();
        for (i, k) in p.keypoints.iter_mut().enumerate() {
            *k = Keypoint {
                x: 10.0 + i as f32 + shift,
                y: 20.0 + i as f32 * 0.5,
                z: -1.0,
                visibility: 0.9,
            };
        }
        p.world = Some(std::array::from_fn(|i| {
            [0.01 * i as f32 + shift * 0.001, -0.3, 0.12345]
        }));
        quantize(&mut p);
        p
    }

    #[test]
    fn a_written_track_reads_back_identically() -> Result<(), Error> {
        let dir = tempfile::tempdir().map_err(|e| Error::io(Path::new("."), e))?;
        let path = dir.path().join("t.jsonl");
        let header = TrackHeader::new(Skeleton::BlazePose33, (640, 360), 30.0, "x.mp4", "m");
        let frames = vec![
            TrackFrame {
                t: 0.0,
                pose: Some(sample_pose(0.123)),
            },
            TrackFrame {
                t: 1.0 / 30.0,
                pose: None,
            },
            TrackFrame {
                t: 2.0 / 30.0,
                // Someone else in view: kept, so a replay refuses the same measurements.
                pose: Some(Pose {
                    others: 2,
                    ..sample_pose(3.3)
                }),
            },
        ];
        let mut w = TrackWriter::create(&path, &header)?;
        for f in &frames {
            w.write(f)?;
        }
        w.finish()?;
        let r = TrackReader::open(&path)?;
        assert_eq!(r.header, header);
        let back: Vec<TrackFrame> = r.collect::<Result<_, _>>()?;
        assert_eq!(back.len(), 3);
        assert_eq!(back[0].pose, frames[0].pose);
        assert_eq!(back[1].pose, None);
        assert_eq!(back[2].pose, frames[2].pose);
        assert!(back[0].pose.as_ref().is_some_and(|p| p.world.is_some()));
        assert!(is_track_file(&path));
        Ok(())
    }

    #[test]
    fn a_version_1_track_reads_without_world_points() -> Result<(), Error> {
        let dir = tempfile::tempdir().map_err(|e| Error::io(Path::new("."), e))?;
        let path = dir.path().join("v1.jsonl");
        let header = TrackHeader {
            posecheck_track: 1,
            ..TrackHeader::new(Skeleton::BlazePose33, (640, 360), 30.0, "x.mp4", "m")
        };
        let mut pose = sample_pose(0.5);
        let keypoints: Vec<[f32; 4]> = pose
            .keypoints
            .iter()
            .map(|k| [k.x, k.y, k.z, k.visibility])
            .collect();
        let line = |world: Option<Vec<[f32; 3]>>| -> String {
            serde_json::to_string(&FrameLine {
                t: 0.0,
                keypoints: Some(keypoints.clone()),
                world,
                others: 0,
            })
            .unwrap_or_default()
        };
        let head = serde_json::to_string(&header).unwrap_or_default();
        std::fs::write(&path, format!("{head}\n{}\n", line(None)))
            .map_err(|e| Error::io(&path, e))?;
        let back: Vec<TrackFrame> = TrackReader::open(&path)?.collect::<Result<_, _>>()?;
        pose.world = None;
        assert_eq!(back[0].pose, Some(pose));
        // World points in a version-1 track are a broken file, not silently dropped.
        let world = vec![[0.0, 0.0, 0.0]; JOINT_COUNT];
        std::fs::write(&path, format!("{head}\n{}\n", line(Some(world))))
            .map_err(|e| Error::io(&path, e))?;
        let err = TrackReader::open(&path)?
            .next()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("v1.jsonl:2:") && err.contains("version 2"),
            "{err}"
        );
        Ok(())
    }

    #[test]
    fn errors_name_the_line() -> Result<(), Error> {
        let dir = tempfile::tempdir().map_err(|e| Error::io(Path::new("."), e))?;
        let path = dir.path().join("bad.jsonl");
        let header = TrackHeader::new(Skeleton::Coco17, (10, 10), 30.0, "x", "m");
        let text = format!(
            "{}\n{{\"t\": 0.0, \"keypoints\": null}}\n{{\"t\": 0.1, \"keypoints\": [[1,2,3,4]]}}\n",
            serde_json::to_string(&header).unwrap_or_default()
        );
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
        let results: Vec<_> = TrackReader::open(&path)?.collect();
        assert!(results[0].is_ok());
        let err = results[1]
            .as_ref()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("bad.jsonl:3:"), "{err}");
        assert!(err.contains("1 keypoints, the header names 17"), "{err}");
        Ok(())
    }
}
