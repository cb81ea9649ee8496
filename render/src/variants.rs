//! Variants of the exercises (`--variant`): the same movement, reps and holds, with the arms
//! or one leg placed differently. Most change a few limbs of the finished pose; the straight-
//! arm plank and side plank change what carries the shoulders, so `exercises.rs` builds them.

use serde::{Deserialize, Serialize};

use crate::exercises::{Drive, Exercise, MAT_TOP, Natural, Poser};
use crate::math::{Vec3, lerp};
use crate::rig::Rig;
use crate::skeleton::{Pose, Seg, Side, Skeleton};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum Variant {
    /// Glute bridge with the hands behind the head, elbows out on the mat.
    HandsBehindHead,
    /// Glute bridge on one foot, the other leg (`--side`) straight in line with the thigh.
    SingleLeg,
    /// Plank or side plank on the hands, arms straight, instead of the forearms.
    StraightArm,
    /// Side plank with the top arm raised to the ceiling.
    TopArmRaised,
    /// Superman whose arms and legs alternate at the top, like swimming.
    Swimmer,
    /// Single-leg stand with the raised foot behind, the knee bent (a flamingo stand).
    FootBehind,
    /// Single-leg stand with the raised foot just off the floor beside the standing ankle.
    LowLift,
}

/// How far each limb of a swimmer superman rises above (or sinks below) the plain superman's
/// at the peak of a stroke, degrees.
const STROKE_DEG: f32 = 12.0;

impl Variant {
    pub fn name(self) -> &'static str {
        match self {
            Variant::HandsBehindHead => "hands_behind_head",
            Variant::SingleLeg => "single_leg",
            Variant::StraightArm => "straight_arm",
            Variant::TopArmRaised => "top_arm_raised",
            Variant::Swimmer => "swimmer",
            Variant::FootBehind => "foot_behind",
            Variant::LowLift => "low_lift",
        }
    }

    /// The exercises the variant is a form of.
    pub fn exercises(self) -> &'static [Exercise] {
        match self {
            Variant::HandsBehindHead | Variant::SingleLeg => &[Exercise::GluteBridge],
            Variant::StraightArm => &[Exercise::Plank, Exercise::SidePlank],
            Variant::TopArmRaised => &[Exercise::SidePlank],
            Variant::Swimmer => &[Exercise::Superman],
            Variant::FootBehind | Variant::LowLift => {
                &[Exercise::SingleLegStance, Exercise::SingleLegToeStand]
            }
        }
    }
}

impl Poser {
    /// The exercise's pose changed into the variant's.
    pub(crate) fn vary(&self, v: Variant, pose: Pose, d: &Drive, n: &Natural) -> Pose {
        let sk = Skeleton::new(self.body(), &pose);
        let mut rig = Rig::from_pose(self.body(), pose);
        match v {
            Variant::HandsBehindHead => self.hands_behind_head(&mut rig, &sk),
            Variant::SingleLeg => self.leg_extended(&mut rig, &sk),
            // Built into plank and side plank, and into the stands' raised foot.
            Variant::StraightArm | Variant::FootBehind | Variant::LowLift => {}
            Variant::TopArmRaised => self.top_arm_up(&mut rig, d),
            Variant::Swimmer => self.swim(&mut rig, &sk, d, n),
        }
        rig.finish()
    }

    /// Lying face up: the wrists beside the back of the head on the mat, hands reaching
    /// behind it, elbows out to the sides.
    fn hands_behind_head(&self, rig: &mut Rig, sk: &Skeleton) {
        let st = self.stage;
        let head = sk.seg(Seg::Head).pos;
        let w = st.at(0.0, 0.0, 1.0);
        for side in Side::BOTH {
            // The hand goes to its own shoulder's side of the head.
            let l = (sk.seg(Seg::UpperArm(side)).pos - head).dot(w).signum();
            let wrist = st.at(
                st.at(1.0, 0.0, 0.0).dot(head),
                MAT_TOP + self.k(0.035),
                l * self.k(0.075),
            );
            rig.arm_to(
                side,
                wrist,
                st.at(0.2, -0.2, l),
                st.at(0.0, 0.0, -l),
                Vec3::Y,
            );
        }
    }

    /// Single-leg bridge: the free leg (`down`, the clip's side) straight, its thigh
    /// parallel to the planted one, the foot relaxed.
    fn leg_extended(&self, rig: &mut Rig, sk: &Skeleton) {
        let st = self.stage;
        let free = self.down;
        let planted = free.other();
        let thigh = sk.seg(Seg::Shank(planted)).pos - sk.seg(Seg::Thigh(planted)).pos;
        let angle = st.angle_of(thigh);
        let dir = st.dir(angle);
        // Toes 60° off the leg's line to its front (face up, the front of the leg is the
        // side of decreasing angle).
        let toe = st.dir(angle - 60.0);
        let left = st.at(0.0, 0.0, 1.0);
        rig.leg_dirs(free, dir, dir, toe, toe.cross(left));
    }

    /// Side plank: the top arm rises from along the body to straight up as the hips rise.
    fn top_arm_up(&self, rig: &mut Rig, d: &Drive) {
        let st = self.stage;
        let top = self.down.other();
        let ahead = st.at(0.0, 0.0, self.down.sign());
        let dir = st.dir(lerp(172.0, 90.0, d.lift.clamp(0.0, 1.0)));
        rig.arm_dirs(top, dir, dir, dir, ahead);
    }

    /// Swimmer: one arm and the opposite leg above the plain superman's, the others below,
    /// changing over with the stroke, in proportion to the lift.
    fn swim(&self, rig: &mut Rig, sk: &Skeleton, d: &Drive, n: &Natural) {
        let st = self.stage;
        let b = self.body();
        let left = st.at(0.0, 0.0, -1.0);
        let turn = STROKE_DEG * n.stroke * d.lift.clamp(0.0, 1.0);
        let arm_reach = Poser::reach(b.upper_arm, b.forearm);
        let leg_reach = Poser::reach(b.thigh, b.shank);
        for side in Side::BOTH {
            // The left arm rises with the right leg.
            let up = turn * side.sign();
            let (s, w) = (sk.seg(Seg::UpperArm(side)).pos, sk.seg(Seg::Hand(side)).pos);
            let theta = st.angle_of(w - s) + up;
            let hand = sk.seg(Seg::Hand(side)).rot;
            rig.arm_to(
                side,
                s + st.dir(theta) * arm_reach,
                st.dir(theta + 90.0),
                -hand.c[1],
                hand.c[2],
            );
            let (h, a) = (sk.seg(Seg::Thigh(side)).pos, sk.seg(Seg::Foot(side)).pos);
            // Legs point back (about 166°): rising is a smaller angle.
            let theta = st.angle_of(a - h) + up;
            let toe = st.dir(theta + 22.0);
            rig.leg_to(
                side,
                h + st.dir(theta) * leg_reach,
                st.dir(theta + 90.0),
                toe,
                toe.cross(left),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skeleton::Body;

    fn skeleton(p: &Poser, lift: f32, stroke: f32) -> Skeleton {
        let d = Drive {
            lift,
            ..Drive::rest(Side::Left)
        };
        let n = Natural {
            stroke,
            ..Natural::default()
        };
        Skeleton::new(p.body(), &p.pose(&d, &n))
    }

    fn poser(e: Exercise, v: Variant) -> Poser {
        Poser::new(e, false, Side::Left, Body::new(1.70)).with_variant(Some(v))
    }

    fn pos(sk: &Skeleton, s: Seg) -> Vec3 {
        sk.seg(s).pos
    }

    /// Elevation of b seen from a, degrees.
    fn elevation(a: Vec3, b: Vec3) -> f32 {
        let v = b - a;
        v.y.atan2((v.x * v.x + v.z * v.z).sqrt()).to_degrees()
    }

    #[test]
    fn hands_behind_the_head_sit_by_the_head_with_the_elbows_out() {
        let p = poser(Exercise::GluteBridge, Variant::HandsBehindHead);
        for lift in [0.0, 0.5, 1.0] {
            let sk = skeleton(&p, lift, 0.0);
            let head = pos(&sk, Seg::Head);
            for side in Side::BOTH {
                let wrist = pos(&sk, Seg::Hand(side));
                assert!(
                    (wrist - head).length() < 0.15,
                    "wrist {wrist:?} head {head:?}"
                );
                let out = |v: Vec3| v.z.abs();
                assert!(
                    out(pos(&sk, Seg::Forearm(side)) - head)
                        > out(pos(&sk, Seg::UpperArm(side)) - head),
                    "elbow out wider than the shoulder"
                );
            }
        }
    }

    #[test]
    fn single_leg_bridge_keeps_the_free_leg_straight_and_level_with_the_other_thigh() {
        let p = poser(Exercise::GluteBridge, Variant::SingleLeg);
        for lift in [0.0, 1.0] {
            let sk = skeleton(&p, lift, 0.0);
            let (free, planted) = (Side::Left, Side::Right);
            let line = |a: Seg, b: Seg| (pos(&sk, b) - pos(&sk, a)).normalized();
            let thigh = line(Seg::Thigh(free), Seg::Shank(free));
            let shank = line(Seg::Shank(free), Seg::Foot(free));
            assert!(thigh.dot(shank) > 0.99, "free knee straight");
            let other = line(Seg::Thigh(planted), Seg::Shank(planted));
            let flat = |v: Vec3| Vec3 { z: 0.0, ..v }.normalized();
            assert!(flat(thigh).dot(flat(other)) > 0.995, "thighs parallel");
        }
    }

    #[test]
    fn straight_arm_planks_stand_on_straight_arms_with_the_hands_planted() {
        for e in [Exercise::Plank, Exercise::SidePlank] {
            let p = poser(e, Variant::StraightArm);
            let start = skeleton(&p, 0.0, 0.0);
            for lift in [0.5, 1.0] {
                let sk = skeleton(&p, lift, 0.0);
                let wrist = pos(&sk, Seg::Hand(Side::Left));
                let moved = (wrist - pos(&start, Seg::Hand(Side::Left))).length();
                assert!(moved < 0.02, "{}: the hand slid {moved:.3} m", e.name());
                assert!(wrist.y < 0.06, "{}: the hand is on the mat", e.name());
                let upper =
                    pos(&sk, Seg::Forearm(Side::Left)) - pos(&sk, Seg::UpperArm(Side::Left));
                let fore = wrist - pos(&sk, Seg::Forearm(Side::Left));
                let elbow = upper
                    .normalized()
                    .dot(fore.normalized())
                    .acos()
                    .to_degrees();
                // Straight at the top; the elbows give a little while the hips are low.
                let most = if lift == 1.0 { 8.0 } else { 20.0 };
                assert!(
                    elbow < most,
                    "{}: elbow bent {elbow:.1}° at {lift}",
                    e.name()
                );
            }
        }
    }

    #[test]
    fn the_raised_top_arm_points_at_the_ceiling() {
        let p = poser(Exercise::SidePlank, Variant::TopArmRaised);
        let sk = skeleton(&p, 1.0, 0.0);
        let top = Side::Right;
        let up = elevation(pos(&sk, Seg::UpperArm(top)), pos(&sk, Seg::Hand(top)));
        assert!(up > 85.0, "top arm at {up:.1}°");
    }

    #[test]
    fn the_swimmer_alternates_one_arm_and_the_opposite_leg() {
        let p = poser(Exercise::Superman, Variant::Swimmer);
        let plain = Poser::new(Exercise::Superman, false, Side::Left, Body::new(1.70));
        let arm =
            |sk: &Skeleton, s: Side| elevation(pos(sk, Seg::UpperArm(s)), pos(sk, Seg::Hand(s)));
        let leg = |sk: &Skeleton, s: Side| elevation(pos(sk, Seg::Thigh(s)), pos(sk, Seg::Foot(s)));
        let base = skeleton(&plain, 1.0, 1.0);
        let stroke = skeleton(&p, 1.0, 1.0);
        let (l, r) = (Side::Left, Side::Right);
        for (got, want) in [
            (arm(&stroke, l) - arm(&base, l), STROKE_DEG),
            (arm(&stroke, r) - arm(&base, r), -STROKE_DEG),
            (leg(&stroke, r) - leg(&base, r), STROKE_DEG),
            (leg(&stroke, l) - leg(&base, l), -STROKE_DEG),
        ] {
            assert!((got - want).abs() < 2.0, "moved {got:.1}°, want {want}°");
        }
        // At rest the limbs lie as in the plain superman.
        let rest = skeleton(&p, 0.0, 1.0);
        assert!((arm(&rest, l) - arm(&skeleton(&plain, 0.0, 1.0), l)).abs() < 0.5);
    }
}
