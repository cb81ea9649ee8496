//! Inverse kinematics for building poses: turns "the wrist goes here, the palm faces the
//! floor" into joint angles, so exercise poses keep their hands and feet planted while the
//! rest of the body moves. Angles are always recovered through the same joint conventions
//! that forward kinematics uses, so the pose reproduces the targets exactly (up to reach).

use crate::math::{Mat3, Vec3, bisect, v3};
use crate::skeleton::{Angles, Body, Pose, Side, Xf};

/// Where the middle joint of a two-segment chain goes so that the chain runs from `root`
/// towards `target`, bending towards `pole`. Targets out of reach are reached as far as
/// `min_bend` (radians, the straightest the joint gets) allows, along the same line.
pub fn two_bone(root: Vec3, target: Vec3, l1: f32, l2: f32, pole: Vec3, min_bend: f32) -> Vec3 {
    let to = target - root;
    let dir = to.normalized();
    let max_reach = (l1 * l1 + l2 * l2 + 2.0 * l1 * l2 * min_bend.cos()).sqrt();
    let d = to.length().clamp((l1 - l2).abs() + 1e-4, max_reach);
    let cos_a = ((l1 * l1 + d * d - l2 * l2) / (2.0 * l1 * d)).clamp(-1.0, 1.0);
    let mut perp = pole.reject(dir).normalized();
    if perp == Vec3::ZERO {
        perp = any_perpendicular(dir);
    }
    root + (dir * cos_a + perp * (1.0 - cos_a * cos_a).sqrt()) * l1
}

fn any_perpendicular(v: Vec3) -> Vec3 {
    let other = if v.x.abs() < 0.9 { Vec3::X } else { Vec3::Y };
    other.reject(v).normalized()
}

/// The signed angle that turns `from` onto `to` about the unit `axis`, both projected onto
/// the plane perpendicular to it.
pub fn angle_about(axis: Vec3, from: Vec3, to: Vec3) -> f32 {
    let (a, b) = (from.reject(axis), to.reject(axis));
    axis.dot(a.cross(b)).atan2(a.dot(b))
}

/// Builds a [`Pose`] segment by segment, trunk first, then head and limbs.
#[derive(Clone)]
pub struct Rig<'a> {
    body: &'a Body,
    pub pose: Pose,
}

impl<'a> Rig<'a> {
    pub fn new(body: &'a Body, root: Vec3, pelvis: Mat3) -> Rig<'a> {
        Rig {
            body,
            pose: Pose {
                root,
                pelvis,
                ..Pose::default()
            },
        }
    }

    /// Carries on from a finished pose (to change some limbs of it).
    pub fn from_pose(body: &'a Body, pose: Pose) -> Rig<'a> {
        Rig { body, pose }
    }

    pub fn pelvis_xf(&self) -> Xf {
        Xf {
            pos: self.pose.root,
            rot: self.pose.pelvis,
        }
    }

    pub fn lumbar_xf(&self) -> Xf {
        self.body.lumbar_xf(&self.pelvis_xf(), &self.pose.lumbar)
    }

    pub fn thorax_xf(&self) -> Xf {
        self.body.thorax_xf(&self.lumbar_xf(), &self.pose.thorax)
    }

    /// The shoulder joint with the arm as currently set.
    pub fn shoulder(&self, side: Side) -> Vec3 {
        let arm = &self.pose.arms[side.index()];
        self.thorax_xf()
            .point(self.body.shoulder_at(side, &arm.shoulder))
    }

    pub fn hip(&self, side: Side) -> Vec3 {
        self.pelvis_xf().point(self.body.hip_offset(side))
    }

    pub fn mid_shoulder(&self) -> Vec3 {
        self.thorax_xf().point(self.body.mid_shoulder())
    }

    pub fn set_spine(&mut self, lumbar: Angles, thorax: Angles) {
        self.pose.lumbar = lumbar;
        self.pose.thorax = thorax;
    }

    /// Bends the lumbar and thoracic spine about the world `axis` (on top of their current
    /// angles) so that the mid-shoulder point lands on `target`. Of the possible bends the
    /// smallest lumbar one is taken. Returns how far the shoulders end up from the target.
    pub fn reach_spine(&mut self, target: Vec3, axis: Vec3) -> f32 {
        let pelvis = self.pelvis_xf();
        let lumbar0 = self.lumbar_xf();
        let thorax_local = self.pose.thorax.spine_rot();
        let m = self.body.mid_shoulder();
        let radius = m.length();
        let lumbar_rot = |lambda: f32| Mat3::axis_angle(axis, lambda) * lumbar0.rot;
        let t12 = |lambda: f32| lumbar0.pos + lumbar_rot(lambda) * v3(0.0, self.body.lumbar, 0.0);
        let gap = |lambda: f32| (target - t12(lambda)).length() - radius;
        // Scan outwards from a straight lumbar spine for the first sign change.
        let step = 0.02;
        let mut best = 0.0f32;
        let mut best_gap = gap(0.0).abs();
        'scan: for i in 1..=40 {
            for dir in [1.0f32, -1.0] {
                let (a, b) = (dir * (i - 1) as f32 * step, dir * i as f32 * step);
                if gap(a).signum() != gap(b).signum() {
                    best = bisect(a, b, gap);
                    break 'scan;
                }
                if gap(b).abs() < best_gap {
                    best_gap = gap(b).abs();
                    best = b;
                }
            }
        }
        let lumbar_world = lumbar_rot(best);
        let base = t12(best);
        let v0 = lumbar_world * (thorax_local * m);
        let theta = angle_about(axis, v0, target - base);
        let thorax_world = Mat3::axis_angle(axis, theta) * lumbar_world * thorax_local;
        self.pose.lumbar = Angles::from_spine_rot(&(pelvis.rot.transpose() * lumbar_world));
        self.pose.thorax = Angles::from_spine_rot(&(lumbar_world.transpose() * thorax_world));
        (self.mid_shoulder() - target).length()
    }

    /// Turns the head to the world orientation `head`, sharing the turn between the neck
    /// (`neck_share` of it) and the head-on-neck joint.
    pub fn aim_head(&mut self, head: Mat3, neck_share: f32) {
        let thorax = self.thorax_xf();
        let total = thorax.rot.transpose() * head;
        let (axis, angle) = total.to_axis_angle();
        let neck = Mat3::axis_angle(axis, angle * neck_share);
        self.pose.neck = Angles::from_spine_rot(&neck);
        self.pose.head = Angles::from_spine_rot(&(neck.transpose() * total));
    }

    /// Sets an arm from the world directions of its upper arm and forearm, the direction the
    /// hand points (wrist to fingertips) and the way the palm faces.
    pub fn arm_dirs(&mut self, side: Side, upper: Vec3, fore: Vec3, hand: Vec3, palm: Vec3) {
        let thorax = self.thorax_xf();
        let (u, f) = (upper.normalized(), fore.normalized());
        // The elbow flexes towards the upper arm's +z; a straight arm keeps the palm side.
        let bend = f.reject(u);
        let z_u = if bend.length() > 1e-4 {
            bend.normalized()
        } else {
            flat_or(palm, u)
        };
        let r_upper = Mat3::from_cols((-u).cross(z_u), -u, z_u);
        let arm = &mut self.pose.arms[side.index()];
        arm.shoulder = Angles::from_limb_rot(&(thorax.rot.transpose() * r_upper), side);
        arm.elbow = f.dot(z_u).atan2(f.dot(u));
        let r0 = r_upper * Mat3::rot_x(-arm.elbow);
        let hand_frame = frame_along(-hand.normalized(), palm);
        // Pronation turns the forearm about its axis until the wrist hinge lines up with the
        // hand's own x axis; what is left is wrist flexion.
        let x_local = r0.transpose() * hand_frame.c[0];
        let beta = (-x_local.z).atan2(x_local.x);
        arm.pronation = -side.sign() * beta;
        let r_fore = r0 * Mat3::rot_y(beta);
        let rel = r_fore.transpose() * hand_frame;
        arm.wrist = -rel.at(2, 1).atan2(rel.at(1, 1));
    }

    /// Sets an arm so that the wrist reaches `wrist`, the elbow pushed towards `pole`.
    pub fn arm_to(&mut self, side: Side, wrist: Vec3, pole: Vec3, hand: Vec3, palm: Vec3) {
        let (l1, l2) = (self.body.upper_arm, self.body.forearm);
        // The shoulder joint moves with the arm's elevation: solve, move it, solve again.
        for _ in 0..3 {
            let shoulder = self.shoulder(side);
            let elbow = two_bone(shoulder, wrist, l1, l2, pole, MIN_BEND);
            self.arm_dirs(side, elbow - shoulder, wrist - elbow, hand, palm);
        }
    }

    /// Sets a leg from the world directions of thigh and shank, the toe direction (ankle to
    /// toes) and the sole's outward normal reversed (`sole_up`: from the sole into the foot).
    pub fn leg_dirs(&mut self, side: Side, thigh: Vec3, shank: Vec3, toe: Vec3, sole_up: Vec3) {
        let pelvis = self.pelvis_xf();
        let (u, f) = (thigh.normalized(), shank.normalized());
        // The knee flexes towards the thigh's −z; a straight leg keeps the knee cap towards
        // the toes.
        let bend = f.reject(u);
        let z_t = if bend.length() > 1e-4 {
            -bend.normalized()
        } else {
            flat_or(toe, u)
        };
        let r_thigh = Mat3::from_cols((-u).cross(z_t), -u, z_t);
        let leg = &mut self.pose.legs[side.index()];
        leg.hip = Angles::from_limb_rot(&(pelvis.rot.transpose() * r_thigh), side);
        leg.knee = (-f.dot(z_t)).atan2(f.dot(u));
        let r_shank = r_thigh * Mat3::rot_x(leg.knee);
        let foot = frame_along(sole_up, toe);
        let (a, b, _) = (r_shank.transpose() * foot).to_xzy();
        leg.ankle = a;
        leg.inversion = -side.sign() * b;
    }

    /// Sets a leg so that the ankle reaches `ankle`, the knee pushed towards `pole`.
    pub fn leg_to(&mut self, side: Side, ankle: Vec3, pole: Vec3, toe: Vec3, sole_up: Vec3) {
        let hip = self.hip(side);
        let (l1, l2) = (self.body.thigh, self.body.shank);
        let knee = two_bone(hip, ankle, l1, l2, pole, MIN_BEND);
        self.leg_dirs(side, knee - hip, ankle - knee, toe, sole_up);
    }

    pub fn finish(self) -> Pose {
        self.pose
    }
}

/// The straightest elbows and knees get: a hint of bend keeps the hinge plane defined.
pub const MIN_BEND: f32 = 0.05;

/// `v` made perpendicular to the unit `axis`, or any perpendicular if `v` is parallel to it.
fn flat_or(v: Vec3, axis: Vec3) -> Vec3 {
    let r = v.reject(axis);
    if r.length() > 1e-4 {
        r.normalized()
    } else {
        any_perpendicular(axis)
    }
}

/// A frame with y along `y` and z as close to `z` as perpendicularity allows.
fn frame_along(y: Vec3, z: Vec3) -> Mat3 {
    let y = y.normalized();
    let z = flat_or(z, y);
    Mat3::from_cols(y.cross(z), y, z)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skeleton::{Seg, Skeleton};

    #[test]
    fn two_bone_keeps_lengths_and_reaches_the_target() {
        let (root, target) = (v3(0.0, 0.0, 0.0), v3(0.3, -0.35, 0.1));
        let mid = two_bone(root, target, 0.29, 0.25, Vec3::Z, MIN_BEND);
        assert!(((mid - root).length() - 0.29).abs() < 1e-5);
        assert!(((target - mid).length() - 0.25).abs() < 1e-4);
        assert!(mid.z > 0.1, "bends towards the pole: {mid:?}");
        // Out of reach: as far as the joint straightens, along the same line.
        let far = two_bone(root, v3(2.0, 0.0, 0.0), 0.29, 0.25, Vec3::Y, MIN_BEND);
        assert!(far.y > 0.0 && far.y < 0.02);
    }

    #[test]
    fn limbs_reach_their_targets_with_the_asked_orientation() {
        let body = Body::new(1.70);
        let mut rig = Rig::new(&body, v3(0.0, 0.5, 0.0), Mat3::frame(-Vec3::X, -Vec3::Y));
        let wrist = rig.shoulder(Side::Right) + v3(-0.1, -0.45, -0.05);
        rig.arm_to(Side::Right, wrist, Vec3::X, -Vec3::X, -Vec3::Y);
        // Face down with the head to −x: the body's left is +z, so toes along +x have their
        // soles up (sole_up = toe × left).
        let ankle = rig.hip(Side::Left) + v3(0.35, -0.4, 0.02);
        rig.leg_to(Side::Left, ankle, -Vec3::Y, Vec3::X, Vec3::X.cross(Vec3::Z));
        let sk = Skeleton::new(&body, &rig.pose);
        assert!((sk.seg(Seg::Hand(Side::Right)).pos - wrist).length() < 1e-3);
        assert!((sk.seg(Seg::Foot(Side::Left)).pos - ankle).length() < 1e-3);
        let hand = sk.seg(Seg::Hand(Side::Right)).rot;
        assert!(hand.c[2].dot(-Vec3::Y) > 0.99, "palm faces down");
        assert!((-hand.c[1]).dot(-Vec3::X) > 0.99, "fingers point along -x");
        let foot = sk.seg(Seg::Foot(Side::Left)).rot;
        assert!(foot.c[2].dot(Vec3::X) > 0.95, "toes point along +x");
    }

    #[test]
    fn the_spine_bends_to_put_the_shoulders_on_target() {
        let body = Body::new(1.70);
        let mut rig = Rig::new(&body, Vec3::ZERO, Mat3::IDENTITY);
        let straight = rig.mid_shoulder();
        let target = straight + v3(0.0, -0.03, 0.06);
        assert!(rig.reach_spine(target, Vec3::X) < 1e-3);
        let bend = rig.pose.lumbar.flex + rig.pose.thorax.flex;
        assert!(
            bend > 0.0,
            "bends forward: {:?} {:?}",
            rig.pose.lumbar,
            rig.pose.thorax
        );
    }
}
