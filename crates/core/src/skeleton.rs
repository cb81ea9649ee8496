//! The skeleton table: the only place that knows keypoint indices.
//!
//! Every pose inside posecheck uses the 33-landmark BlazePose layout ([`Joint`]). Models with
//! fewer keypoints (MoveNet's COCO-17) are mapped into it, the joints they lack marked invisible.

use serde::{Deserialize, Serialize};

/// Number of landmarks in the canonical layout.
pub const JOINT_COUNT: usize = 33;

macro_rules! joints {
    ($($variant:ident => $name:literal),+ $(,)?) => {
        /// A named body landmark (BlazePose order; anatomical left/right of the person).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Joint { $($variant),+ }

        impl Joint {
            /// All joints in index order.
            pub const ALL: [Joint; JOINT_COUNT] = [$(Joint::$variant),+];

            /// The snake_case name used in keypoint tracks and templates.
            pub fn name(self) -> &'static str {
                match self { $(Joint::$variant => $name),+ }
            }
        }
    };
}

joints! {
    Nose => "nose",
    LeftEyeInner => "left_eye_inner",
    LeftEye => "left_eye",
    LeftEyeOuter => "left_eye_outer",
    RightEyeInner => "right_eye_inner",
    RightEye => "right_eye",
    RightEyeOuter => "right_eye_outer",
    LeftEar => "left_ear",
    RightEar => "right_ear",
    MouthLeft => "mouth_left",
    MouthRight => "mouth_right",
    LeftShoulder => "left_shoulder",
    RightShoulder => "right_shoulder",
    LeftElbow => "left_elbow",
    RightElbow => "right_elbow",
    LeftWrist => "left_wrist",
    RightWrist => "right_wrist",
    LeftPinky => "left_pinky",
    RightPinky => "right_pinky",
    LeftIndex => "left_index",
    RightIndex => "right_index",
    LeftThumb => "left_thumb",
    RightThumb => "right_thumb",
    LeftHip => "left_hip",
    RightHip => "right_hip",
    LeftKnee => "left_knee",
    RightKnee => "right_knee",
    LeftAnkle => "left_ankle",
    RightAnkle => "right_ankle",
    LeftHeel => "left_heel",
    RightHeel => "right_heel",
    LeftFootIndex => "left_foot_index",
    RightFootIndex => "right_foot_index",
}

impl Joint {
    /// Index in the canonical 33-landmark layout.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Looks a joint up by its snake_case name.
    pub fn from_name(name: &str) -> Option<Joint> {
        Joint::ALL.iter().copied().find(|j| j.name() == name)
    }

    /// The same landmark on the other side of the body (the nose maps to itself).
    pub fn mirrored(self) -> Joint {
        let name = self.name();
        let other = if let Some(rest) = name.strip_prefix("left_") {
            format!("right_{rest}")
        } else if let Some(rest) = name.strip_prefix("right_") {
            format!("left_{rest}")
        } else {
            return self;
        };
        Joint::from_name(&other).unwrap_or(self)
    }
}

/// Which side of the body a sided part is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Left,
    Right,
}

/// A place in a per-side count: 0 for no side, 1 left, 2 right.
pub fn slot(side: Option<Side>) -> usize {
    match side {
        None => 0,
        Some(Side::Left) => 1,
        Some(Side::Right) => 2,
    }
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
        }
    }
}

/// A body part without its side: what templates name ("shoulder", "knee", ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    Nose,
    Eye,
    Ear,
    Shoulder,
    Elbow,
    Wrist,
    Hip,
    Knee,
    Ankle,
    Heel,
    FootIndex,
}

impl Part {
    pub const ALL: [Part; 11] = [
        Part::Nose,
        Part::Eye,
        Part::Ear,
        Part::Shoulder,
        Part::Elbow,
        Part::Wrist,
        Part::Hip,
        Part::Knee,
        Part::Ankle,
        Part::Heel,
        Part::FootIndex,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Part::Nose => "nose",
            Part::Eye => "eye",
            Part::Ear => "ear",
            Part::Shoulder => "shoulder",
            Part::Elbow => "elbow",
            Part::Wrist => "wrist",
            Part::Hip => "hip",
            Part::Knee => "knee",
            Part::Ankle => "ankle",
            Part::Heel => "heel",
            Part::FootIndex => "foot_index",
        }
    }

    pub fn from_name(name: &str) -> Option<Part> {
        Part::ALL.iter().copied().find(|p| p.name() == name)
    }

    /// The landmark of this part on `side` (the nose has no side).
    pub fn joint(self, side: Side) -> Joint {
        use Joint::*;
        let (left, right) = match self {
            Part::Nose => (Nose, Nose),
            Part::Eye => (LeftEye, RightEye),
            Part::Ear => (LeftEar, RightEar),
            Part::Shoulder => (LeftShoulder, RightShoulder),
            Part::Elbow => (LeftElbow, RightElbow),
            Part::Wrist => (LeftWrist, RightWrist),
            Part::Hip => (LeftHip, RightHip),
            Part::Knee => (LeftKnee, RightKnee),
            Part::Ankle => (LeftAnkle, RightAnkle),
            Part::Heel => (LeftHeel, RightHeel),
            Part::FootIndex => (LeftFootIndex, RightFootIndex),
        };
        match side {
            Side::Left => left,
            Side::Right => right,
        }
    }
}

/// The keypoint layout of a model's output or of a track file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Skeleton {
    #[serde(rename = "blazepose33")]
    BlazePose33,
    #[serde(rename = "coco17")]
    Coco17,
}

/// COCO-17 order (MoveNet) expressed as canonical joints.
const COCO17: [Joint; 17] = [
    Joint::Nose,
    Joint::LeftEye,
    Joint::RightEye,
    Joint::LeftEar,
    Joint::RightEar,
    Joint::LeftShoulder,
    Joint::RightShoulder,
    Joint::LeftElbow,
    Joint::RightElbow,
    Joint::LeftWrist,
    Joint::RightWrist,
    Joint::LeftHip,
    Joint::RightHip,
    Joint::LeftKnee,
    Joint::RightKnee,
    Joint::LeftAnkle,
    Joint::RightAnkle,
];

/// The shoulders, elbows, wrists, hips, knees and ankles: the joints of the limbs and torso
/// (COCO-17 without the face), which every model places.
pub const LIMB_JOINTS: &[Joint] = COCO17.split_at(5).1;

impl Skeleton {
    /// The canonical joints of this layout, in the layout's own order.
    pub fn joints(self) -> &'static [Joint] {
        match self {
            Skeleton::BlazePose33 => &Joint::ALL,
            Skeleton::Coco17 => &COCO17,
        }
    }

    pub fn keypoint_names(self) -> Vec<&'static str> {
        self.joints().iter().map(|j| j.name()).collect()
    }

    pub fn id(self) -> &'static str {
        match self {
            Skeleton::BlazePose33 => "blazepose33",
            Skeleton::Coco17 => "coco17",
        }
    }
}

/// Bones drawn in overlays: pairs of joints that both layouts can show.
pub const BONES: [(Joint, Joint); 22] = [
    (Joint::Nose, Joint::LeftEye),
    (Joint::Nose, Joint::RightEye),
    (Joint::LeftEye, Joint::LeftEar),
    (Joint::RightEye, Joint::RightEar),
    (Joint::LeftShoulder, Joint::RightShoulder),
    (Joint::LeftShoulder, Joint::LeftElbow),
    (Joint::LeftElbow, Joint::LeftWrist),
    (Joint::RightShoulder, Joint::RightElbow),
    (Joint::RightElbow, Joint::RightWrist),
    (Joint::LeftShoulder, Joint::LeftHip),
    (Joint::RightShoulder, Joint::RightHip),
    (Joint::LeftHip, Joint::RightHip),
    (Joint::LeftHip, Joint::LeftKnee),
    (Joint::LeftKnee, Joint::LeftAnkle),
    (Joint::RightHip, Joint::RightKnee),
    (Joint::RightKnee, Joint::RightAnkle),
    (Joint::LeftAnkle, Joint::LeftHeel),
    (Joint::LeftHeel, Joint::LeftFootIndex),
    (Joint::LeftAnkle, Joint::LeftFootIndex),
    (Joint::RightAnkle, Joint::RightHeel),
    (Joint::RightHeel, Joint::RightFootIndex),
    (Joint::RightAnkle, Joint::RightFootIndex),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_indices_follow_blazepose_order() {
        for (i, j) in Joint::ALL.iter().enumerate() {
            assert_eq!(j.index(), i);
            assert_eq!(Joint::from_name(j.name()), Some(*j));
        }
        assert_eq!(Joint::LeftHip.index(), 23);
        assert_eq!(Joint::RightFootIndex.index(), 32);
    }

    #[test]
    fn mirroring_swaps_sides_and_keeps_the_nose() {
        assert_eq!(Joint::LeftKnee.mirrored(), Joint::RightKnee);
        assert_eq!(Joint::RightEyeOuter.mirrored(), Joint::LeftEyeOuter);
        assert_eq!(Joint::Nose.mirrored(), Joint::Nose);
        for j in Joint::ALL {
            assert_eq!(j.mirrored().mirrored(), j);
        }
    }

    #[test]
    fn parts_resolve_to_sided_joints() {
        assert_eq!(Part::from_name("foot_index"), Some(Part::FootIndex));
        assert_eq!(Part::Knee.joint(Side::Left), Joint::LeftKnee);
        assert_eq!(Part::Nose.joint(Side::Right), Joint::Nose);
        assert_eq!(Skeleton::Coco17.joints().len(), 17);
    }
}
