//! A person's pose: 33 named landmarks in image pixels, as every model adapter and track
//! reader produces them.

use crate::geometry::Vec2;
use crate::skeleton::{JOINT_COUNT, Joint, Skeleton};

/// One landmark: position in image pixels, relative depth, and how visible the model thinks it is.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Keypoint {
    pub x: f32,
    pub y: f32,
    pub z: f32,
    pub visibility: f32,
}

impl Keypoint {
    pub fn pos(&self) -> Vec2 {
        Vec2::new(self.x, self.y)
    }
}

/// A person's landmarks in the canonical 33-joint layout.
#[derive(Clone, Debug, PartialEq)]
pub struct Pose {
    pub keypoints: [Keypoint; JOINT_COUNT],
}

impl Default for Pose {
    fn default() -> Self {
        Pose {
            keypoints: [Keypoint::default(); JOINT_COUNT],
        }
    }
}

impl Pose {
    pub fn get(&self, joint: Joint) -> Keypoint {
        self.keypoints[joint.index()]
    }

    pub fn pos(&self, joint: Joint) -> Vec2 {
        self.get(joint).pos()
    }

    pub fn visibility(&self, joint: Joint) -> f32 {
        self.get(joint).visibility
    }

    /// Axis-aligned box (min, max) of the keypoints at least `min_visibility` visible.
    pub fn bounds(&self, min_visibility: f32) -> Option<(Vec2, Vec2)> {
        let mut it = self
            .keypoints
            .iter()
            .filter(|k| k.visibility >= min_visibility && k.pos().is_finite());
        let first = it.next()?.pos();
        Some(it.fold((first, first), |(lo, hi), k| {
            (
                Vec2::new(lo.x.min(k.x), lo.y.min(k.y)),
                Vec2::new(hi.x.max(k.x), hi.y.max(k.y)),
            )
        }))
    }

    /// A size for the person: the longer side of the box of its torso and legs.
    pub fn scale(&self) -> f32 {
        self.bounds(0.0)
            .map(|(lo, hi)| (hi.x - lo.x).max(hi.y - lo.y))
            .unwrap_or(0.0)
    }

    /// Builds a pose from a model's or file's keypoints in `skeleton` order; joints the layout
    /// lacks stay invisible.
    pub fn from_layout(skeleton: Skeleton, points: &[Keypoint]) -> Pose {
        let mut pose = Pose::default();
        for (joint, kp) in skeleton.joints().iter().zip(points) {
            pose.keypoints[joint.index()] = *kp;
        }
        pose
    }

    /// The keypoints in `skeleton` order.
    pub fn to_layout(&self, skeleton: Skeleton) -> Vec<Keypoint> {
        skeleton.joints().iter().map(|j| self.get(*j)).collect()
    }
}
