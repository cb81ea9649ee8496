//! BlazePose (MediaPipe Pose) as MediaPipe runs it: a person detector that seeds a rotated
//! region of interest, and a landmark model that tracks the person from frame to frame by
//! building the next region from its own hip-centre and scale landmarks. The detector runs only
//! when tracking is lost, plus a periodic check that the person is still there while the landmarks
//! are doubtful.
//!
//! The rotated region keeps the body upright in the crop, which is what lets the model see
//! lying, kneeling and side-lying bodies.

use ndarray::Array4;
use ort::session::{HasSelectedOutputs, OutputSelector, RunOptions, Session};
use ort::value::TensorRef;

use crate::crop::{Roi, letterbox, pixels_to_tensor, rotated_crop_tensor};
use crate::{Detection, ModelConfig, PoseModel, runtime};
use posecheck_core::geometry::Vec2;
use posecheck_core::pose::{Keypoint, Pose};

use crate::error::Error;
use crate::image::ImageView;
use posecheck_core::skeleton::{JOINT_COUNT, Skeleton};

pub const DETECTOR_FILE: &str = "blazepose_detector.onnx";
const DETECTOR_SIZE: i32 = 224;
const LANDMARK_SIZE: i32 = 256;
/// Landmarks the landmark model outputs: 33 body points, hip centre, scale point, 4 auxiliary.
const LANDMARK_ROWS: usize = 39;
const HIP_CENTRE: usize = 33;
const SCALE_POINT: usize = 34;
/// A person's detector score; people score 0.95+, empty scenes at most 0.16.
const DETECTION_THRESHOLD: f32 = 0.5;
/// Below this pose-presence score the track is lost and the detector must find the person again.
const PRESENCE_THRESHOLD: f32 = 0.5;
/// Region size relative to twice the hip-centre → scale-point distance (MediaPipe's 1.25).
const ROI_SCALE: f32 = 1.25;
const NMS_IOU: f32 = 0.3;
/// Frames between detector checks while tracking with doubtful landmarks: catches a person who
/// left the frame, whom the landmark model (whose presence score stays high on empty scenes)
/// would keep "seeing".
const RECHECK_FRAMES: u32 = 30;
/// While nobody is in view, the detector looks at one frame in this many: a person stepping in
/// is found a frame later at most, and empty stretches (the detector costs as much as the
/// landmark model) take half the time.
const SEARCH_EVERY: u32 = 2;
/// Frames between the detector's looks for other people while the person is tracked: a
/// bystander is noticed within about a second, for a twentieth more model time at most (the
/// detector costs about what the landmark model does, and runs in one call of this many).
const CENSUS_FRAMES: u32 = 30;
/// Mean visibility of the torso and leg landmarks above which a track survives a detector miss.
const CONFIDENT_VISIBILITY: f32 = 0.75;

/// A person found by the detector, in frame pixels.
#[derive(Clone, Copy, Debug)]
pub struct PersonBox {
    pub score: f32,
    /// Box centre and size.
    pub center: Vec2,
    pub size: Vec2,
    /// Alignment points: mid-hip and the point above the head that sets size and rotation.
    pub hip: Vec2,
    pub scale_point: Vec2,
}

impl PersonBox {
    pub fn roi(&self) -> Roi {
        roi_from_points(self.hip, self.scale_point)
    }

    fn iou(&self, o: &PersonBox) -> f32 {
        let (a0, a1) = (self.center - self.size * 0.5, self.center + self.size * 0.5);
        let (b0, b1) = (o.center - o.size * 0.5, o.center + o.size * 0.5);
        let w = (a1.x.min(b1.x) - a0.x.max(b0.x)).max(0.0);
        let h = (a1.y.min(b1.y) - a0.y.max(b0.y)).max(0.0);
        let inter = w * h;
        let union = self.size.x * self.size.y + o.size.x * o.size.y - inter;
        if union > 0.0 { inter / union } else { 0.0 }
    }
}

/// The region MediaPipe derives from two alignment points: centred on the hips, square, sized
/// by their distance, rotated so that hip → scale point points up.
pub fn roi_from_points(center: Vec2, scale_point: Vec2) -> Roi {
    let d = scale_point - center;
    let size = 2.0 * d.length() * ROI_SCALE;
    let rotation = std::f32::consts::FRAC_PI_2 - (-d.y).atan2(d.x);
    let rotation =
        (rotation + std::f32::consts::PI).rem_euclid(std::f32::consts::TAU) - std::f32::consts::PI;
    Roi {
        center,
        size,
        rotation,
    }
}

/// SSD anchor centres of the detector (224², strides 8, 16, 32, 32, 32; fixed size).
fn anchors() -> Vec<Vec2> {
    // Layers sharing a stride are merged: 28×28×2, 14×14×2, 7×7×6 = 2254 anchors.
    let mut out = Vec::with_capacity(2254);
    for (grid, per_cell) in [(28, 2), (14, 2), (7, 6)] {
        for y in 0..grid {
            for x in 0..grid {
                let c = Vec2::new(
                    (x as f32 + 0.5) / grid as f32,
                    (y as f32 + 0.5) / grid as f32,
                );
                out.extend(std::iter::repeat_n(c, per_cell));
            }
        }
    }
    out
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x.clamp(-100.0, 100.0)).exp())
}

/// Decodes raw detector outputs (`[2254, 12]` regressors, `[2254]` logits) into person boxes
/// in model-input pixels, strongest first, one per person.
pub fn decode_detections(raw: &[f32], logits: &[f32], anchors: &[Vec2]) -> Vec<PersonBox> {
    let size = DETECTOR_SIZE as f32;
    let mut found: Vec<PersonBox> = logits
        .iter()
        .enumerate()
        .filter_map(|(i, &logit)| {
            let score = sigmoid(logit);
            (score >= DETECTION_THRESHOLD).then(|| {
                let r = &raw[i * 12..i * 12 + 12];
                let a = anchors[i];
                let point = |k: usize| Vec2::new(r[k] / size + a.x, r[k + 1] / size + a.y) * size;
                PersonBox {
                    score,
                    center: point(0),
                    size: Vec2::new(r[2], r[3]),
                    hip: point(4),
                    scale_point: point(6),
                }
            })
        })
        .collect();
    found.sort_by(|a, b| b.score.total_cmp(&a.score));
    // Non-maximum suppression: each person keeps their strongest box. (MediaPipe averages
    // the overlapping boxes; the strongest alone is what the reference pipeline uses, and the
    // landmark model refines the region either way.)
    let mut kept: Vec<PersonBox> = Vec::new();
    for b in found {
        if kept.iter().all(|k| k.iou(&b) <= NMS_IOU) {
            kept.push(b);
        }
    }
    kept
}

/// The landmark model's output for one region.
pub struct LandmarkResult {
    pub pose: Pose,
    pub presence: f32,
    /// The region for the next frame, from the hip-centre and scale landmarks.
    pub next_roi: Roi,
}

/// Decodes the landmark tensor (`[39 × 5]`: x, y, z in crop pixels, visibility and presence
/// logits) of a crop taken at `roi` into frame coordinates, and the world tensor (`[39 × 3]`,
/// metres from the hip centre in the crop's axes), when the model gives one, into the
/// frame's axes: the crop is turned by the region's rotation, which MediaPipe undoes on the
/// world points too (only the rotation: they are in metres, not in crop pixels).
pub fn decode_landmarks(
    raw: &[f32],
    world: Option<&[f32]>,
    presence: f32,
    roi: &Roi,
) -> LandmarkResult {
    let crop = LANDMARK_SIZE as f32;
    let point = |i: usize| roi.to_frame(Vec2::new(raw[i * 5], raw[i * 5 + 1]), crop);
    let mut pose = Pose::default();
    for (i, kp) in pose.keypoints.iter_mut().enumerate().take(JOINT_COUNT) {
        let p = point(i);
        *kp = Keypoint {
            x: p.x,
            y: p.y,
            z: raw[i * 5 + 2] / crop * roi.size,
            visibility: sigmoid(raw[i * 5 + 3]),
        };
    }
    pose.world = world.map(|w| {
        std::array::from_fn(|i| {
            let xy = Vec2::new(w[i * 3], w[i * 3 + 1]).rotated(roi.rotation);
            [xy.x, xy.y, w[i * 3 + 2]]
        })
    });
    LandmarkResult {
        pose,
        presence,
        next_roi: roi_from_points(point(HIP_CENTRE), point(SCALE_POINT)),
    }
}

struct Detector {
    session: Session,
    input: Array4<f32>,
    image: Vec<u8>,
    anchors: Vec<Vec2>,
}

impl Detector {
    fn load(config: &ModelConfig) -> Result<Detector, Error> {
        let path = config.path(DETECTOR_FILE);
        let session = runtime::open_session(&path, config.threads)?;
        let s = DETECTOR_SIZE as i64;
        runtime::check_input(&session, &path, &[1, s, s, 3])?;
        runtime::check_output(&session, &path, "Identity")?;
        runtime::check_output(&session, &path, "Identity_1")?;
        Ok(Detector {
            session,
            input: Array4::zeros((1, DETECTOR_SIZE as usize, DETECTOR_SIZE as usize, 3)),
            image: Vec::new(),
            anchors: anchors(),
        })
    }

    /// People in the frame, strongest first, in frame pixels.
    fn detect(&mut self, frame: &ImageView) -> Result<Vec<PersonBox>, Error> {
        let lb = letterbox(frame, DETECTOR_SIZE, &mut self.image)?;
        let buf = self
            .input
            .as_slice_mut()
            .ok_or_else(|| Error::Invalid("detector input is not contiguous".into()))?;
        pixels_to_tensor(&self.image, frame.order(), buf, 1.0 / 127.5, -1.0)?;
        let outputs = self
            .session
            .run(ort::inputs![
                TensorRef::from_array_view(&self.input).map_err(runtime_error)?
            ])
            .map_err(runtime_error)?;
        let raw = outputs["Identity"]
            .try_extract_tensor::<f32>()
            .map_err(runtime_error)?
            .1;
        let logits = outputs["Identity_1"]
            .try_extract_tensor::<f32>()
            .map_err(runtime_error)?
            .1;
        if raw.len() != self.anchors.len() * 12 || logits.len() != self.anchors.len() {
            return Err(Error::Invalid(
                "person detector output has an unexpected size".into(),
            ));
        }
        let to_frame = |p: Vec2| lb.to_frame(p);
        Ok(decode_detections(raw, logits, &self.anchors)
            .into_iter()
            .map(|b| {
                let c = to_frame(b.center);
                let corner = to_frame(b.center + b.size * 0.5);
                PersonBox {
                    center: c,
                    size: (corner - c) * 2.0,
                    hip: to_frame(b.hip),
                    scale_point: to_frame(b.scale_point),
                    ..b
                }
            })
            .collect())
    }
}

struct Landmarker {
    session: Session,
    options: RunOptions<HasSelectedOutputs>,
    input: Array4<f32>,
    /// Whether the model has the world-landmark output (`Identity_4`).
    world: bool,
}

/// The landmark model's 3-D world landmarks: 39 × (x, y, z), metres.
const WORLD_OUTPUT: &str = "Identity_4";

impl Landmarker {
    fn load(config: &ModelConfig) -> Result<Landmarker, Error> {
        let path = config.path(config.kind.file_name());
        let session = runtime::open_session(&path, config.threads)?;
        let s = LANDMARK_SIZE as i64;
        runtime::check_input(&session, &path, &[1, s, s, 3])?;
        runtime::check_output(&session, &path, "Identity")?;
        runtime::check_output(&session, &path, "Identity_1")?;
        // Only the landmarks, the presence score and the world landmarks (a small head on
        // the same features): ONNX Runtime can then skip the segmentation and heatmap heads.
        let world = runtime::check_output(&session, &path, WORLD_OUTPUT).is_ok();
        let mut outputs = OutputSelector::no_default()
            .with("Identity")
            .with("Identity_1");
        if world {
            outputs = outputs.with(WORLD_OUTPUT);
        }
        let options = RunOptions::new()
            .map_err(runtime_error)?
            .with_outputs(outputs);
        Ok(Landmarker {
            session,
            options,
            input: Array4::zeros((1, LANDMARK_SIZE as usize, LANDMARK_SIZE as usize, 3)),
            world,
        })
    }

    fn run(&mut self, frame: &ImageView, roi: &Roi) -> Result<LandmarkResult, Error> {
        let buf = self
            .input
            .as_slice_mut()
            .ok_or_else(|| Error::Invalid("landmark input is not contiguous".into()))?;
        rotated_crop_tensor(frame, roi, LANDMARK_SIZE, buf, 1.0 / 255.0, 0.0)?;
        let outputs = self
            .session
            .run_with_options(
                ort::inputs![TensorRef::from_array_view(&self.input).map_err(runtime_error)?],
                &self.options,
            )
            .map_err(runtime_error)?;
        let raw = outputs["Identity"]
            .try_extract_tensor::<f32>()
            .map_err(runtime_error)?
            .1;
        let presence = outputs["Identity_1"]
            .try_extract_tensor::<f32>()
            .map_err(runtime_error)?
            .1
            .first()
            .copied()
            .unwrap_or(0.0);
        if raw.len() < LANDMARK_ROWS * 5 {
            return Err(Error::Invalid(
                "landmark output has an unexpected size".into(),
            ));
        }
        let world = match self.world {
            true => {
                let w = outputs[WORLD_OUTPUT]
                    .try_extract_tensor::<f32>()
                    .map_err(runtime_error)?
                    .1;
                if w.len() < LANDMARK_ROWS * 3 {
                    return Err(Error::Invalid(
                        "world landmark output has an unexpected size".into(),
                    ));
                }
                Some(w)
            }
            false => None,
        };
        Ok(decode_landmarks(raw, world, presence, roi))
    }
}

/// Landmarks a track can be trusted on without the detector: the torso and legs well seen.
fn confident(r: &LandmarkResult) -> bool {
    use posecheck_core::skeleton::Joint::*;
    let core = [
        LeftShoulder,
        RightShoulder,
        LeftHip,
        RightHip,
        LeftKnee,
        RightKnee,
    ];
    core.iter().map(|j| r.pose.visibility(*j)).sum::<f32>() / core.len() as f32
        >= CONFIDENT_VISIBILITY
}

fn runtime_error(e: ort::Error) -> Error {
    Error::Runtime(e.to_string())
}

/// What the tracker carries from one frame to the next.
#[derive(Clone, Copy, Debug, Default)]
struct TrackState {
    /// Region from the previous frame's landmarks, while tracking.
    roi: Option<Roi>,
    /// Where the person last was, to stay on them when another person is in view.
    last_seen: Option<(Vec2, f32)>,
    frames_since_check: u32,
    /// Frames since the detector last looked in vain, while nobody is tracked.
    frames_since_search: Option<u32>,
    /// Other people at the detector's last look ([`Pose::others`]), and frames since it.
    others: u8,
    frames_since_census: u32,
}

/// The two-stage BlazePose tracker.
pub struct BlazePose {
    detector: Detector,
    landmarker: Landmarker,
    state: TrackState,
    /// The state before the last frame: where a frame between that one and the one before
    /// starts from ([`PoseModel::estimate_aside`]).
    before_last: TrackState,
    still: bool,
}

impl BlazePose {
    pub fn load(config: &ModelConfig) -> Result<BlazePose, Error> {
        Ok(BlazePose {
            detector: Detector::load(config)?,
            landmarker: Landmarker::load(config)?,
            state: TrackState::default(),
            before_last: TrackState::default(),
            still: false,
        })
    }

    /// Picks the detection to follow: the one nearest to where the person was last seen
    /// (a bystander may score higher), otherwise the strongest.
    fn choose(&self, people: &[PersonBox]) -> Option<PersonBox> {
        match self.state.last_seen {
            Some((centre, size)) => people
                .iter()
                .filter(|b| (b.hip - centre).length() < size)
                .min_by(|a, b| {
                    (a.hip - centre)
                        .length()
                        .total_cmp(&(b.hip - centre).length())
                })
                .or_else(|| people.first())
                .copied(),
            None => people.first().copied(),
        }
    }

    /// Landmarks from a detection, refined once with the region the landmarks give (the
    /// detector's alignment points are coarse).
    fn landmarks_for(
        &mut self,
        frame: &ImageView,
        person: &PersonBox,
    ) -> Result<Option<LandmarkResult>, Error> {
        let first = self.landmarker.run(frame, &person.roi())?;
        if first.presence < PRESENCE_THRESHOLD {
            return Ok(None);
        }
        let refined = self.landmarker.run(frame, &first.next_roi)?;
        Ok((refined.presence >= PRESENCE_THRESHOLD).then_some(refined))
    }

    fn track(&mut self, frame: &ImageView) -> Result<Detection, Error> {
        if let Some(n) = self
            .state
            .frames_since_search
            .as_mut()
            .filter(|_| !self.still)
        {
            *n += 1;
            if *n < SEARCH_EVERY {
                return Ok(Detection::default());
            }
        }
        let mut detector_ran = false;
        let mut people = None;
        let mut result = None;
        if let Some(roi) = self.state.roi.filter(|_| !self.still) {
            let r = self.landmarker.run(frame, &roi)?;
            if r.presence >= PRESENCE_THRESHOLD {
                result = Some(r);
            }
        }
        // A confident track outlives a detector miss (below), so only a doubtful one is checked.
        let recheck = result.as_ref().is_some_and(|r| !confident(r))
            && self.state.frames_since_check >= RECHECK_FRAMES;
        if result.is_none() || recheck {
            detector_ran = true;
            self.state.frames_since_check = 0;
            let found = people.insert(self.detector.detect(frame)?);
            match (result.is_some(), self.choose(found)) {
                // Tracking, and the detector agrees someone is there: keep the track.
                (true, Some(_)) => {}
                // Tracking, but the detector sees nobody: the person has left, unless the
                // landmarks are sure of the body (the detector misses small or lying people
                // that the landmark model still follows well).
                (true, None) => result = result.filter(confident),
                (false, Some(person)) => result = self.landmarks_for(frame, &person)?,
                (false, None) => {}
            }
        } else {
            self.state.frames_since_check += 1;
        }
        self.state.roi = result.as_ref().map(|r| r.next_roi);
        self.state.frames_since_search = result.is_none().then_some(0);
        if let Some(r) = &result {
            self.state.last_seen = Some((r.next_roi.center, r.next_roi.size * 0.5));
            self.count_others(frame, people, &r.next_roi)?;
        }
        Ok(Detection {
            pose: result.map(|r| Pose {
                others: self.state.others,
                ..r.pose
            }),
            detector_ran,
        })
    }

    /// Counts the people in view besides the tracked one: from this frame's detections when
    /// the detector ran, else with a look of its own every [`CENSUS_FRAMES`]. (The census is
    /// not a re-detection: it leaves the track alone, so frames around it may be interpolated.)
    fn count_others(
        &mut self,
        frame: &ImageView,
        people: Option<Vec<PersonBox>>,
        tracked: &Roi,
    ) -> Result<(), Error> {
        self.state.frames_since_census += 1;
        let people = match people {
            Some(p) => p,
            None if self.state.frames_since_census >= CENSUS_FRAMES => {
                self.detector.detect(frame)?
            }
            None => return Ok(()),
        };
        self.state.frames_since_census = 0;
        // A detection whose hips lie outside the tracked person's region is someone else.
        let others = people
            .iter()
            .filter(|b| (b.hip - tracked.center).length() > tracked.size * 0.5)
            .count();
        self.state.others = others.min(u8::MAX as usize) as u8;
        Ok(())
    }
}

impl PoseModel for BlazePose {
    fn estimate(&mut self, frame: &ImageView) -> Result<Detection, Error> {
        if frame.is_empty() {
            return Ok(Detection::default());
        }
        self.before_last = self.state;
        self.track(frame)
    }

    fn estimate_aside(&mut self, frame: &ImageView) -> Result<Detection, Error> {
        if frame.is_empty() {
            return Ok(Detection::default());
        }
        // From the frame before (the person may be lost in the one after, whose state would
        // skip this frame's search), and back to where the track is.
        let now = self.state;
        self.state = self.before_last;
        let found = self.track(frame);
        self.state = now;
        found
    }

    fn reset(&mut self) {
        self.state = TrackState::default();
        self.before_last = TrackState::default();
    }

    fn set_still_images(&mut self, still: bool) {
        self.still = still;
        if still {
            self.state.last_seen = None;
        }
    }

    fn skeleton(&self) -> Skeleton {
        Skeleton::BlazePose33
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_match_the_detector_grid() {
        let a = anchors();
        assert_eq!(a.len(), 2254);
        assert_eq!(a[0], Vec2::new(0.5 / 28.0, 0.5 / 28.0));
        assert_eq!(a[1], a[0]);
        assert_eq!(a[2254 - 1], Vec2::new(6.5 / 7.0, 6.5 / 7.0));
    }

    #[test]
    fn roi_is_upright_for_a_standing_person_and_turned_for_a_lying_one() {
        let hip = Vec2::new(100.0, 200.0);
        let standing = roi_from_points(hip, Vec2::new(100.0, 100.0));
        assert!(standing.rotation.abs() < 1e-5);
        assert!((standing.size - 250.0).abs() < 1e-3);
        // Lying with the head to the right: the crop must turn a quarter clockwise.
        let lying = roi_from_points(hip, Vec2::new(200.0, 200.0));
        assert!((lying.rotation - std::f32::consts::FRAC_PI_2).abs() < 1e-5);
    }

    #[test]
    fn world_points_turn_with_the_region_like_the_picture_points() {
        // A lying person: the crop is turned a quarter clockwise. A point one crop-width to
        // the crop's right lands below the centre in the frame, and so must its world point.
        let roi = roi_from_points(Vec2::new(100.0, 200.0), Vec2::new(200.0, 200.0));
        let mut raw = vec![0.0f32; LANDMARK_ROWS * 5];
        let mut world = vec![0.0f32; LANDMARK_ROWS * 3];
        let crop = LANDMARK_SIZE as f32;
        for i in 0..LANDMARK_ROWS {
            (raw[i * 5], raw[i * 5 + 1]) = (crop, crop * 0.5);
            world[i * 3..i * 3 + 3].copy_from_slice(&[0.5, 0.0, -0.2]);
        }
        let r = decode_landmarks(&raw, Some(&world), 1.0, &roi);
        let picture = r.pose.keypoints[0].pos() - roi.center;
        let w = r.pose.world.map(|w| w[0]).unwrap_or_default();
        assert!(picture.x.abs() < 1e-3 && picture.y > 0.0, "{picture:?}");
        assert!(
            w[0].abs() < 1e-5 && (w[1] - 0.5).abs() < 1e-5 && w[2] == -0.2,
            "{w:?}"
        );
        assert_eq!(decode_landmarks(&raw, None, 1.0, &roi).pose.world, None);
    }

    #[test]
    fn detections_decode_and_merge() {
        let anchors = anchors();
        let mut raw = vec![0.0f32; 2254 * 12];
        let mut logits = vec![-10.0f32; 2254];
        // Two neighbouring anchors firing on the same person, one weaker elsewhere.
        for (i, logit) in [(100usize, 4.0f32), (101, 3.0), (1000, 2.0)] {
            logits[i] = logit;
            raw[i * 12 + 2] = 60.0;
            raw[i * 12 + 3] = 60.0;
            raw[i * 12 + 7] = -50.0; // scale point 50 px above the hip
        }
        let people = decode_detections(&raw, &logits, &anchors);
        assert_eq!(people.len(), 2);
        assert!(people[0].score > people[1].score);
        let a = anchors[100] * DETECTOR_SIZE as f32;
        assert!((people[0].hip - a).length() < 1e-3);
        assert!((people[0].scale_point.y - (a.y - 50.0)).abs() < 1e-3);
    }
}
