//! A person's pose: 33 named landmarks in image pixels, as every model adapter and track
//! reader produces them, and the 3-D world landmarks of the models that give them.

use crate::geometry::Vec2;
use crate::skeleton::{JOINT_COUNT, Joint, LIMB_JOINTS, Skeleton};

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

/// 3-D landmarks as BlazePose's world output gives them: metres from the hip centre, in the
/// camera's axes (x to the right of the picture, y down it, z away from the camera).
pub type WorldPoints = [[f32; 3]; JOINT_COUNT];

/// A person's landmarks in the canonical 33-joint layout.
#[derive(Clone, Debug, PartialEq)]
pub struct Pose {
    pub keypoints: [Keypoint; JOINT_COUNT],
    /// The same landmarks in 3-D, from models that estimate them (BlazePose); `None` for the
    /// others (MoveNet) and for tracks written before they were kept.
    pub world: Option<WorldPoints>,
    /// Other people the model's person detector saw in the picture at its last look (it looks
    /// about once a second while tracking); 0 for models that see only one person. A balance
    /// measurement is refused while someone else is in view.
    pub others: u8,
}

impl Default for Pose {
    fn default() -> Self {
        Pose {
            keypoints: [Keypoint::default(); JOINT_COUNT],
            world: None,
            others: 0,
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

    /// A joint's 3-D world position, when the model gave one.
    pub fn world(&self, joint: Joint) -> Option<[f32; 3]> {
        self.world.map(|w| w[joint.index()])
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

    /// The pose a fraction `f` (0 = `self`, 1 = `other`) of the way to `other`: every
    /// coordinate and visibility on a straight line, for a frame between two the model saw.
    /// World points are mixed the same way when both poses have them.
    pub fn lerp(&self, other: &Pose, f: f32) -> Pose {
        let mut out = self.clone();
        let mix = |a: f32, b: f32| a + (b - a) * f;
        out.world = match (self.world, other.world) {
            (Some(a), Some(b)) => Some(std::array::from_fn(|j| {
                std::array::from_fn(|c| mix(a[j][c], b[j][c]))
            })),
            _ => None,
        };
        for (k, o) in out.keypoints.iter_mut().zip(&other.keypoints) {
            *k = Keypoint {
                x: mix(k.x, o.x),
                y: mix(k.y, o.y),
                z: mix(k.z, o.z),
                visibility: mix(k.visibility, o.visibility),
            };
        }
        // Someone seen on either side is taken to be there between them.
        out.others = self.others.max(other.others);
        out
    }

    /// How far the body moved from `self` to `other`, as a share of the person's size: the
    /// second-largest displacement of the limb and torso joints seen in both (visibility
    /// ≥ 0.5). A movement moves two joints at least (a limb's two ends, or both sides); one
    /// joint alone jumping is the model's jitter. `None` when fewer than two joints are seen
    /// in both.
    pub fn movement(&self, other: &Pose) -> Option<f32> {
        self.joint_moves(other).get(1).copied()
    }

    /// The largest displacement of a limb or torso joint seen in both, as a share of the
    /// person's size: how far the farthest joint is from one pose to the other.
    pub fn farthest_move(&self, other: &Pose) -> Option<f32> {
        self.joint_moves(other).first().copied()
    }

    /// The displacements of the limb and torso joints seen in both (visibility ≥ 0.5), as
    /// shares of the person's size, largest first.
    fn joint_moves(&self, other: &Pose) -> Vec<f32> {
        let scale = self.scale().max(other.scale());
        if scale <= 0.0 {
            return Vec::new();
        }
        // The face and the finger and toe points add jitter, not movement.
        let mut moves: Vec<f32> = LIMB_JOINTS
            .iter()
            .map(|j| (self.get(*j), other.get(*j)))
            .filter(|(a, b)| a.visibility >= 0.5 && b.visibility >= 0.5)
            .map(|(a, b)| (b.pos() - a.pos()).length() / scale)
            .filter(|d| d.is_finite())
            .collect();
        moves.sort_by(|a, b| b.total_cmp(a));
        moves
    }

    /// Builds a pose from a model's or file's keypoints in `skeleton` order; joints the layout
    /// lacks stay invisible. The pose has no world points.
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A pose with every joint at `(x + i, y)`, fully visible.
    fn pose_at(x: f32, y: f32) -> Pose {
        let mut p = Pose::default();
        for (i, k) in p.keypoints.iter_mut().enumerate() {
            *k = Keypoint {
                x: x + i as f32,
                y,
                z: 0.0,
                visibility: 1.0,
            };
        }
        p
    }

    #[test]
    fn lerp_is_on_the_line_between_the_two_poses() {
        let (a, b) = (pose_at(0.0, 0.0), pose_at(10.0, 20.0));
        let mid = a.lerp(&b, 0.5);
        assert_eq!(mid.get(Joint::Nose).pos(), Vec2::new(5.0, 10.0));
        assert_eq!(a.lerp(&b, 0.0), a);
        assert_eq!(a.lerp(&b, 1.0), b);
    }

    #[test]
    fn world_points_are_interpolated_when_both_poses_have_them() {
        let (mut a, mut b) = (pose_at(0.0, 0.0), pose_at(10.0, 20.0));
        a.world = Some([[0.0, 0.1, -0.2]; JOINT_COUNT]);
        b.world = Some([[0.4, -0.1, 0.2]; JOINT_COUNT]);
        let mid = a.lerp(&b, 0.25).world(Joint::LeftKnee);
        let want = [0.1, 0.05, -0.1];
        assert!(
            mid.is_some_and(|m| m.iter().zip(want).all(|(x, w)| (x - w).abs() < 1e-6)),
            "{mid:?}"
        );
        // One side without them: the frame between has none (no guessing from one end).
        b.world = None;
        assert_eq!(a.lerp(&b, 0.5).world, None);
    }

    #[test]
    fn movement_is_a_share_of_the_body_and_ignores_jitter_and_unseen_joints() {
        // The body spans 32 px (x from 0 to 32): a 3.2 px shift is a tenth of it.
        let (a, mut b) = (pose_at(0.0, 0.0), pose_at(0.0, 3.2));
        assert!((a.movement(&b).unwrap() - 0.1).abs() < 1e-6);
        // A wrist far off but unseen in one pose does not count; a toe far off is not a limb
        // joint; one knee jumping alone is jitter.
        b.keypoints[Joint::LeftWrist.index()].y += 20.0;
        b.keypoints[Joint::LeftWrist.index()].visibility = 0.1;
        b.keypoints[Joint::LeftFootIndex.index()].y += 10.0;
        b.keypoints[Joint::LeftKnee.index()].y += 10.0;
        assert!((a.movement(&b).unwrap() - 0.1).abs() < 1e-6);
        assert!(a.farthest_move(&b).unwrap() > 0.4);
        // A leg moving (knee and ankle) is movement.
        b.keypoints[Joint::LeftAnkle.index()].y += 10.0;
        assert!(a.movement(&b).unwrap() > 0.4);
        let unseen = Pose::default();
        assert_eq!(a.movement(&unseen), None);
    }
}
