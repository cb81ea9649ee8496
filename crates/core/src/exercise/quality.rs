//! Can the body be judged? Which landmarks are trustworthy, which side faces the camera, and
//! the warnings (no person, body out of frame, wrong view) that explain why nothing counted.

use super::faults::{FaultChange, FrameFault};
use crate::pose::Pose;
use crate::report::model::{Warning, WarningCode};
use crate::skeleton::{JOINT_COUNT, Joint, Part, Side};

/// A landmark this visible is measured; below it, the model is guessing.
pub const MIN_VISIBILITY: f32 = 0.5;
/// Landmarks this far outside the picture (fraction of its size) still count as in it:
/// models place edge joints a little outside.
const EDGE_TOLERANCE: f32 = 0.02;
/// A warning needs this long before it is reported (a single bad frame is not worth one).
const WARNING_AFTER_S: f64 = 0.5;
/// How much more visible the far side must look before the near side is switched.
const SIDE_SWITCH_MARGIN: f32 = 0.8;

const SIDE_PARTS: [Part; 6] = [
    Part::Shoulder,
    Part::Elbow,
    Part::Wrist,
    Part::Hip,
    Part::Knee,
    Part::Ankle,
];

/// Which landmarks of `pose` can be measured in a `width`×`height` picture.
pub fn seen_landmarks(pose: &Pose, width: f32, height: f32) -> [bool; JOINT_COUNT] {
    let mut seen = [false; JOINT_COUNT];
    for j in Joint::ALL {
        seen[j.index()] =
            pose.get(j).visibility >= MIN_VISIBILITY && inside(pose, j, width, height);
    }
    seen
}

/// Landmarks in the picture, however unsure the model is of them: it places a face turned
/// away from the camera (hidden behind the head) all the same.
pub fn placed_landmarks(pose: &Pose, width: f32, height: f32) -> [bool; JOINT_COUNT] {
    let mut placed = [false; JOINT_COUNT];
    for j in Joint::ALL {
        placed[j.index()] = inside(pose, j, width, height);
    }
    placed
}

/// Whether a landmark lies in the picture (models place edge joints a little outside).
fn inside(pose: &Pose, j: Joint, width: f32, height: f32) -> bool {
    let (mx, my) = (width * EDGE_TOLERANCE, height * EDGE_TOLERANCE);
    let k = pose.get(j);
    k.x >= -mx && k.x <= width + mx && k.y >= -my && k.y <= height + my
}

/// Each landmark's mirror twin on the other side of the body, by index.
static TWINS: std::sync::LazyLock<[Joint; JOINT_COUNT]> =
    std::sync::LazyLock::new(|| Joint::ALL.map(Joint::mirrored));

/// A hidden landmark this close to its seen twin (torso lengths, in the picture) stands behind
/// it. On the rendered side-view heel raises the far ankle, knee, heel and toe lie within
/// 0.05-0.11 of the near ones; a foot raised and held reads 0.28 or more above the standing one
/// (the real single-leg clip).
const BEHIND_TWIN_WITHIN: f32 = 0.15;

/// The landmarks `seen`, and those in the picture hidden right behind their seen mirror twin
/// (`torso` in pixels): filmed from the side with the feet together, the far foot stands
/// behind the near one, where the model places it (its visibility reads 0.3-0.5 on the
/// rendered side-view heel raise). A hidden landmark away from its twin (a raised foot behind
/// the standing leg) is the model's guess, and both twins hidden is a part out of view: those
/// stay unmeasured.
pub fn behind_twins(
    pose: &Pose,
    width: f32,
    height: f32,
    seen: &[bool; JOINT_COUNT],
    torso: f32,
) -> [bool; JOINT_COUNT] {
    let mut placed = *seen;
    for (j, twin) in Joint::ALL.iter().zip(TWINS.iter()) {
        placed[j.index()] |= seen[twin.index()]
            && inside(pose, *j, width, height)
            && (pose.pos(*j) - pose.pos(*twin)).length() < BEHIND_TWIN_WITHIN * torso;
    }
    placed
}

/// Keeps track of the side of the body facing the camera, without flip-flopping.
#[derive(Default)]
pub struct NearSide {
    current: Option<Side>,
}

impl NearSide {
    pub fn update(&mut self, pose: &Pose) -> Side {
        let total =
            |s: Side| -> f32 { SIDE_PARTS.iter().map(|p| pose.visibility(p.joint(s))).sum() };
        let (l, r) = (total(Side::Left), total(Side::Right));
        let side = match self.current {
            Some(Side::Left) if r > l + SIDE_SWITCH_MARGIN => Side::Right,
            Some(Side::Right) if l > r + SIDE_SWITCH_MARGIN => Side::Left,
            Some(s) => s,
            None if r > l => Side::Right,
            None => Side::Left,
        };
        self.current = Some(side);
        side
    }
}

/// The plain word for the body region a part belongs to.
fn region(part: Part) -> &'static str {
    match part {
        Part::Nose | Part::Eye | Part::Ear => "head",
        Part::Shoulder => "shoulders",
        Part::Elbow | Part::Wrist => "arms",
        Part::Hip => "hips",
        Part::Knee => "knees",
        Part::Ankle | Part::Heel | Part::FootIndex => "feet",
    }
}

/// Required parts not seen on the `near` side (a sided part counts if either side is seen when
/// the near one is hidden behind the body), as plain words, e.g. `["feet"]`.
pub fn missing_regions(
    required: &[Part],
    seen: &[bool; JOINT_COUNT],
    near: Side,
) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for p in required {
        let ok = seen[p.joint(near).index()] || seen[p.joint(near.other()).index()];
        let word = region(*p);
        if !ok && !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// Whether required parts lie outside the picture (move back) rather than hidden. Models
/// place landmarks they cannot see where they guess them, so outside the picture is telling.
pub fn out_of_frame(required: &[Part], pose: &Pose, width: f32, height: f32) -> bool {
    required.iter().any(|p| {
        [Side::Left, Side::Right].iter().any(|s| {
            let k = pose.get(p.joint(*s));
            k.x < 0.0 || k.y < 0.0 || k.x > width || k.y > height
        })
    })
}

/// Collects warning spans of one kind; the message may change while it lasts.
pub struct WarningTrack {
    code: WarningCode,
    state: FrameFault,
    message: String,
    /// Set when the warning has just come on, until `newly_on` is asked.
    started: bool,
    pub done: Vec<Warning>,
}

impl WarningTrack {
    pub fn new(code: WarningCode) -> WarningTrack {
        WarningTrack {
            code,
            state: FrameFault::default(),
            message: String::new(),
            started: false,
            done: Vec::new(),
        }
    }

    /// `Some(message)` while the condition holds at `t`.
    pub fn update(&mut self, t: f64, message: Option<String>) {
        let on = message.is_some();
        if let Some(m) = message {
            self.message = m;
        }
        match self.state.update(t, Some(on), WARNING_AFTER_S) {
            Some(FaultChange::Ended { start_s, end_s }) => self.push(start_s, end_s),
            Some(FaultChange::Started { .. }) => self.started = true,
            None => {}
        }
    }

    pub fn code(&self) -> WarningCode {
        self.code
    }

    /// The message, once, when the warning has just come on.
    pub fn newly_on(&mut self) -> Option<String> {
        std::mem::take(&mut self.started).then(|| self.message.clone())
    }

    fn push(&mut self, start_s: f64, end_s: f64) {
        self.done.push(Warning {
            code: self.code,
            start_s,
            end_s,
            message: self.message.clone(),
        });
    }

    /// The current message if the warning is on.
    pub fn active(&self) -> Option<&str> {
        self.state.active_since().map(|_| self.message.as_str())
    }

    pub fn close(&mut self, t: f64) {
        if let Some(FaultChange::Ended { start_s, end_s }) = self.state.close(t) {
            self.push(start_s, end_s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::Keypoint;

    #[test]
    fn landmarks_outside_the_picture_or_unsure_are_not_seen() {
        let mut p = Pose::default();
        p.keypoints[Joint::LeftKnee.index()] = Keypoint {
            x: 50.0,
            y: 50.0,
            z: 0.0,
            visibility: 0.9,
        };
        p.keypoints[Joint::LeftAnkle.index()] = Keypoint {
            x: 50.0,
            y: 130.0,
            z: 0.0,
            visibility: 0.9,
        };
        p.keypoints[Joint::LeftHip.index()] = Keypoint {
            x: 50.0,
            y: 20.0,
            z: 0.0,
            visibility: 0.2,
        };
        let seen = seen_landmarks(&p, 100.0, 100.0);
        assert!(seen[Joint::LeftKnee.index()]);
        assert!(!seen[Joint::LeftAnkle.index()]);
        assert!(!seen[Joint::LeftHip.index()]);
        let missing = missing_regions(&[Part::Knee, Part::Ankle, Part::Heel], &seen, Side::Left);
        assert_eq!(missing, ["feet"]);
        assert!(out_of_frame(&[Part::Ankle], &p, 100.0, 100.0));
    }

    #[test]
    fn a_landmark_behind_its_seen_twin_counts_where_the_model_places_it() {
        let mut p = Pose::default();
        let mut put = |j: Joint, x: f32, y: f32, visibility: f32| {
            p.keypoints[j.index()] = Keypoint {
                x,
                y,
                z: 0.0,
                visibility,
            };
        };
        // Filmed from the side: the far ankle behind the near one; the far knee hidden with
        // its twin hidden too; the far heel behind its seen twin but outside the picture; the
        // far toe hidden well away from its twin (a foot raised behind); the nose hidden.
        put(Joint::LeftAnkle, 50.0, 90.0, 0.9);
        put(Joint::RightAnkle, 51.0, 88.0, 0.35);
        put(Joint::LeftKnee, 50.0, 60.0, 0.3);
        put(Joint::RightKnee, 50.0, 60.0, 0.2);
        put(Joint::LeftHeel, 50.0, 99.0, 0.9);
        put(Joint::RightHeel, 50.0, 140.0, 0.3);
        put(Joint::LeftFootIndex, 40.0, 95.0, 0.9);
        put(Joint::RightFootIndex, 40.0, 60.0, 0.3);
        put(Joint::Nose, 50.0, 10.0, 0.2);
        let seen = seen_landmarks(&p, 100.0, 100.0);
        assert!(!seen[Joint::RightAnkle.index()]);
        let placed = behind_twins(&p, 100.0, 100.0, &seen, 40.0);
        assert!(placed[Joint::LeftAnkle.index()] && placed[Joint::RightAnkle.index()]);
        assert!(!placed[Joint::LeftKnee.index()] && !placed[Joint::RightKnee.index()]);
        assert!(placed[Joint::LeftHeel.index()] && !placed[Joint::RightHeel.index()]);
        assert!(placed[Joint::LeftFootIndex.index()] && !placed[Joint::RightFootIndex.index()]);
        assert!(!placed[Joint::Nose.index()]);
    }

    #[test]
    fn the_near_side_only_switches_on_clear_evidence() {
        let mut p = Pose::default();
        let mut near = NearSide::default();
        for part in SIDE_PARTS {
            p.keypoints[part.joint(Side::Left).index()].visibility = 0.9;
            p.keypoints[part.joint(Side::Right).index()].visibility = 0.8;
        }
        assert_eq!(near.update(&p), Side::Left);
        p.keypoints[Joint::RightKnee.index()].visibility = 1.0;
        assert_eq!(near.update(&p), Side::Left);
        for part in SIDE_PARTS {
            p.keypoints[part.joint(Side::Left).index()].visibility = 0.3;
        }
        assert_eq!(near.update(&p), Side::Right);
    }
}
