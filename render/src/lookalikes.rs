//! Look-alikes: movements on the mat that resemble the exercises but are none of them, so
//! that a clip can check posecheck counts nothing for them. Quadruped leg kickbacks and
//! cat-cow start from the bird-dog's hands and knees, child's pose sits back from it, the
//! dead bug lies like the glute bridge, push-ups move a straight-arm plank up and down.
//!
//! Their truth lists their own movement cycles as `reps` (child's pose: its one hold) and no
//! `holds`: nothing in them is a rep or hold of a posecheck exercise.

use crate::exercises::{Drive, MAT_TOP, Natural, Poser};
use crate::figure::Group;
use crate::math::{Mat3, Vec3, bisect, deg, lerp, v3};
use crate::rig::Rig;
use crate::skeleton::{Pose, Seg, Side, Skeleton};

/// A kickback's leg ends this far above level, degrees (a bird-dog's stays level).
const KICK_DEG: f32 = 20.0;
/// Cat-cow: the pelvis tilts this far either way, degrees; the spine follows.
const CAT_COW_TILT_DEG: f32 = 16.0;

impl Poser {
    /// On hands and knees, one leg (the rep's side) kicks back and up past level; both hands
    /// stay planted.
    pub(crate) fn kickback(&self, d: &Drive, n: &Natural) -> Pose {
        // The bird-dog raises the leg opposite its arm.
        let kick = Drive {
            side: d.side.other(),
            leg_drop: -KICK_DEG,
            arm_drop: 0.0,
            ..*d
        };
        let mut pose = self.bird_dog(&kick, n);
        // The trunk does not depend on the lift, so the resting arms fit it as they are.
        pose.arms = self.bird_dog(&Drive { lift: 0.0, ..kick }, n).arms;
        pose
    }

    /// On hands and knees, the back rounds up with the head dropped (cat, at rest) and
    /// hollows with the head up (cow, at the top); hands and knees stay where they are.
    pub(crate) fn cat_cow(&self, d: &Drive, n: &Natural) -> Pose {
        let st = self.stage;
        let b = self.body();
        let neutral = self.bird_dog(&Drive { lift: 0.0, ..*d }, n);
        let sk = Skeleton::new(b, &neutral);
        let left = st.at(0.0, 0.0, -1.0);
        // -1 = cat, +1 = cow.
        let curve = lerp(-1.0, 1.0, d.lift);
        let mut rig = Rig::from_pose(b, neutral);
        let hip = neutral.root;
        let shoulders = rig.mid_shoulder();
        // The pelvis tips (its top up for the cat, down for the cow) and the lumbar spine
        // goes with it; the thorax bends back down to the shoulders, which come a little
        // nearer the hips as the back curves (the hands take it up at the elbows).
        rig.pose.pelvis = Mat3::axis_angle(left, deg(CAT_COW_TILT_DEG * curve)) * neutral.pelvis;
        let lumbar = rig.lumbar_xf();
        let t12 = lumbar.point(v3(0.0, b.lumbar, 0.0));
        let radius = b.mid_shoulder().length();
        let towards = |f: f32| hip + (shoulders - hip) * f;
        let f = bisect(0.7, 1.0, |f| (towards(f) - t12).length() - radius);
        rig.reach_spine(towards(f), left);
        rig.pose.neck.flex = deg(-24.0 - 22.0 * curve);
        rig.pose.head.flex = deg(2.0 * n.nod);
        // As the bird-dog's planted arms: the elbow's crease forward.
        self.replant(&mut rig, &sk, -st.at(1.0, 0.0, 0.0));
        rig.finish()
    }

    /// Kneeling, sitting back onto the heels with the chest down on the thighs and the arms
    /// forward on the mat (the top), from hands and knees (at rest).
    pub(crate) fn childs_pose(&self, d: &Drive, n: &Natural) -> Pose {
        let st = self.stage;
        let b = self.body();
        let all_fours = self.bird_dog(&Drive { lift: 0.0, ..*d }, n);
        let sk = Skeleton::new(b, &all_fours);
        let left = st.at(0.0, 0.0, -1.0);
        let a = d.lift.clamp(0.0, 1.0);
        let knees =
            (sk.seg(Seg::Shank(Side::Left)).pos + sk.seg(Seg::Shank(Side::Right)).pos) * 0.5;
        let hip0 = sk.seg(Seg::Pelvis).pos;
        // The hips swing back about the planted knees onto the heels.
        let start = st.angle_of(hip0 - knees);
        let hip = knees + st.dir(lerp(start, 152.0, a)) * (hip0 - knees).length();
        let trunk0 = st.angle_of(Rig::from_pose(b, all_fours).mid_shoulder() - hip0);
        // The chest goes down early, so the shoulders stay within reach of the hands.
        let trunk = st.dir(lerp(trunk0, -14.0, 1.0 - (1.0 - a) * (1.0 - a)));
        let shoulder = hip + trunk * self.trunk_length();
        // Folded this far the pelvis tips with the trunk: the hips take the bend.
        let mut rig = Rig::new(b, hip, Mat3::frame(trunk, -Vec3::Y));
        rig.reach_spine(shoulder, left);
        rig.pose.thorax.flex += 0.01 * n.breath;
        rig.pose.neck.flex = deg(lerp(-24.0, 6.0, a));
        rig.pose.head.flex = deg(2.0 * n.nod);
        // The forehead comes to rest on the mat.
        if self.lowest_of(&rig.pose, &[Group::Head]) < MAT_TOP {
            self.neck_to_mat(&mut rig, left, 0.0, (deg(-60.0), 0.0));
        }
        // Arms reaching forward low over the mat bend, if at all, upwards.
        self.replant(&mut rig, &sk, Vec3::Y);
        rig.finish()
    }

    /// Lying face up, arms pointing at the ceiling and hips and knees bent at right angles;
    /// one arm (the rep's side) reaches back overhead and the opposite leg straightens out
    /// low over the mat.
    pub(crate) fn dead_bug(&self, d: &Drive, n: &Natural) -> Pose {
        let st = self.stage;
        let lying = self.glute_bridge(&Drive { lift: 0.0, ..*d }, n);
        let mut rig = Rig::from_pose(self.body(), lying);
        let left = st.at(0.0, 0.0, 1.0);
        let a = d.lift.clamp(0.0, 1.0);
        for side in Side::BOTH {
            // Angles in the stage: 90° is straight up, 0° towards the head, 180° the feet.
            let arm = if side == d.side {
                lerp(90.0, 8.0, a)
            } else {
                90.0
            };
            let dir = st.dir(arm + 2.0 * n.sway);
            rig.arm_dirs(side, dir, dir, dir, st.dir(arm - 90.0));
            let (thigh, shank) = if side == d.side.other() {
                (lerp(90.0, 166.0, a), lerp(180.0, 166.0, a))
            } else {
                (90.0, 180.0)
            };
            let toe = st.dir(shank - 70.0);
            rig.leg_dirs(side, st.dir(thigh), st.dir(shank), toe, toe.cross(left));
        }
        rig.finish()
    }

    /// From a straight-arm plank (at rest) the body lowers in one line, pivoting on the
    /// toes, until the chest is a fist above the mat (the top of the rep), elbows back.
    pub(crate) fn push_up(&self, d: &Drive, n: &Natural) -> Pose {
        let st = self.stage;
        let b = self.body();
        let left = st.at(0.0, 0.0, -1.0);
        let trunk = self.trunk_length();
        let leg = Poser::reach(b.thigh, b.shank);
        let line = leg + trunk;
        let hands = st.at(self.k(0.55), MAT_TOP + self.k(0.028), 0.0);
        let high = hands.y + Poser::reach(b.upper_arm, b.forearm) * 0.998;
        let low = MAT_TOP + self.k(0.2);
        let ankle_h = MAT_TOP + self.k(0.165);
        let beta_top = ((high - ankle_h) / line).asin();
        let ankle = hands + Vec3::Y * (high - hands.y) - st.dir(beta_top.to_degrees()) * line;
        let h = lerp(high, low, d.lift);
        let beta = ((h - ankle.y) / line).asin().to_degrees();
        let along = st.dir(beta);
        let hip = ankle + along * leg;
        let mut rig = Rig::new(b, hip, Mat3::frame(along, -Vec3::Y));
        rig.reach_spine(ankle + along * line, left);
        rig.pose.thorax.flex += 0.01 * n.breath;
        rig.pose.neck.flex = deg(-6.0);
        rig.pose.head.flex = deg(2.0 * n.nod);
        for side in Side::BOTH {
            let out = -side.sign();
            let wrist = hands + st.at(0.0, 0.0, out * self.k(0.2));
            rig.arm_to(
                side,
                wrist,
                st.at(-1.0, 0.0, out * 0.5),
                st.at(1.0, 0.0, 0.0),
                -Vec3::Y,
            );
            let a = ankle + st.at(0.0, 0.0, out * self.k(0.09));
            let toe = self.tucked_toe(a, left);
            rig.leg_to(side, a, -Vec3::Y, toe, toe.cross(left));
        }
        rig.finish()
    }

    /// Puts the hands and feet back where `planted` has them, same orientation, after the
    /// trunk has moved: the knees bend the same way, the elbows towards `elbow` (a nearly
    /// straight arm gives no direction of its own).
    fn replant(&self, rig: &mut Rig, planted: &Skeleton, elbow: Vec3) {
        for side in Side::BOTH {
            let p = |s: Seg| planted.seg(s).pos;
            let hand = planted.seg(Seg::Hand(side)).rot;
            rig.arm_to(side, p(Seg::Hand(side)), elbow, -hand.c[1], hand.c[2]);
            let (hip, knee, ankle) = (p(Seg::Thigh(side)), p(Seg::Shank(side)), p(Seg::Foot(side)));
            let foot = planted.seg(Seg::Foot(side)).rot;
            rig.leg_to(
                side,
                ankle,
                knee - (hip + ankle) * 0.5,
                foot.c[2],
                foot.c[1],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercises::Exercise;
    use crate::skeleton::Body;

    fn poser(e: Exercise) -> Poser {
        Poser::new(e, false, Side::Left, Body::new(1.70))
    }

    fn skeleton(p: &Poser, lift: f32) -> Skeleton {
        let d = Drive {
            lift,
            ..Drive::rest(Side::Left)
        };
        Skeleton::new(p.body(), &p.pose(&d, &Natural::default()))
    }

    fn pos(sk: &Skeleton, s: Seg) -> Vec3 {
        sk.seg(s).pos
    }

    fn elevation(a: Vec3, b: Vec3) -> f32 {
        let v = b - a;
        v.y.atan2((v.x * v.x + v.z * v.z).sqrt()).to_degrees()
    }

    /// Everything named stays within 2 cm of where it starts.
    fn stays(e: Exercise, segs: &[Seg]) {
        let p = poser(e);
        let start = skeleton(&p, 0.0);
        for lift in [0.25, 0.5, 0.75, 1.0] {
            let sk = skeleton(&p, lift);
            for s in segs {
                let moved = (pos(&sk, *s) - pos(&start, *s)).length();
                assert!(
                    moved < 0.02,
                    "{}: {s:?} slid {moved:.3} m at {lift}",
                    e.name()
                );
            }
        }
    }

    #[test]
    fn planted_hands_knees_and_feet_stay_planted() {
        let (l, r) = (Side::Left, Side::Right);
        let all_fours = [Seg::Hand(l), Seg::Hand(r), Seg::Shank(l), Seg::Shank(r)];
        stays(
            Exercise::Kickback,
            &[Seg::Hand(l), Seg::Hand(r), Seg::Shank(r)],
        );
        stays(Exercise::CatCow, &all_fours);
        stays(Exercise::ChildsPose, &all_fours);
        stays(
            Exercise::PushUp,
            &[Seg::Hand(l), Seg::Hand(r), Seg::Foot(l)],
        );
    }

    #[test]
    fn the_kickback_leg_rises_above_level_with_the_arms_down() {
        let sk = skeleton(&poser(Exercise::Kickback), 1.0);
        let leg = elevation(
            pos(&sk, Seg::Thigh(Side::Left)),
            pos(&sk, Seg::Foot(Side::Left)),
        );
        assert!((leg - KICK_DEG).abs() < 4.0, "leg at {leg:.1}°");
        for s in Side::BOTH {
            assert!(pos(&sk, Seg::Hand(s)).y < 0.06, "{s:?} hand on the mat");
        }
    }

    /// Height of the mid-back (T12) above the hip–shoulder line.
    fn arch(sk: &Skeleton) -> f32 {
        let (h, t, s) = (
            pos(sk, Seg::Pelvis),
            pos(sk, Seg::Thorax),
            (pos(sk, Seg::UpperArm(Side::Left)) + pos(sk, Seg::UpperArm(Side::Right))) * 0.5,
        );
        let along = (s - h).normalized();
        let off = (t - h).reject(along);
        off.y.signum() * off.length()
    }

    #[test]
    fn cat_rounds_the_back_up_and_cow_hollows_it() {
        let p = poser(Exercise::CatCow);
        let (cat, cow) = (arch(&skeleton(&p, 0.0)), arch(&skeleton(&p, 1.0)));
        let neutral = arch(&skeleton(&poser(Exercise::BirdDog), 0.0));
        assert!(
            cat > neutral + 0.015,
            "cat {cat:.3} vs neutral {neutral:.3}"
        );
        assert!(
            cow < neutral - 0.015,
            "cow {cow:.3} vs neutral {neutral:.3}"
        );
    }

    #[test]
    fn childs_pose_sits_back_on_the_heels() {
        let sk = skeleton(&poser(Exercise::ChildsPose), 1.0);
        let (hip, ankle) = (pos(&sk, Seg::Pelvis), pos(&sk, Seg::Foot(Side::Left)));
        assert!((hip.x - ankle.x).abs() < 0.12, "hips over the heels");
        assert!(hip.y < 0.32, "hips down: {:.2}", hip.y);
        let shoulder = pos(&sk, Seg::UpperArm(Side::Left)).y;
        assert!(
            shoulder < hip.y - 0.08,
            "chest down: shoulders {shoulder:.2}, hips {:.2}",
            hip.y
        );
    }

    #[test]
    fn the_dead_bug_reaches_one_arm_back_and_the_opposite_leg_out() {
        let p = poser(Exercise::DeadBug);
        let rest = skeleton(&p, 0.0);
        for s in Side::BOTH {
            let up = elevation(pos(&rest, Seg::UpperArm(s)), pos(&rest, Seg::Hand(s)));
            assert!(up > 80.0, "{s:?} arm up at rest: {up:.1}°");
            let thigh = elevation(pos(&rest, Seg::Thigh(s)), pos(&rest, Seg::Shank(s)));
            assert!(thigh > 80.0, "{s:?} thigh up at rest: {thigh:.1}°");
        }
        let out = skeleton(&p, 1.0);
        let arm = elevation(
            pos(&out, Seg::UpperArm(Side::Left)),
            pos(&out, Seg::Hand(Side::Left)),
        );
        let leg = elevation(
            pos(&out, Seg::Thigh(Side::Right)),
            pos(&out, Seg::Foot(Side::Right)),
        );
        assert!(
            arm.abs() < 15.0 && leg.abs() < 20.0,
            "arm {arm:.1}°, leg {leg:.1}°"
        );
        let other = elevation(
            pos(&out, Seg::UpperArm(Side::Right)),
            pos(&out, Seg::Hand(Side::Right)),
        );
        assert!(other > 80.0, "the other arm stays up");
    }

    #[test]
    fn push_ups_lower_a_straight_body_until_the_chest_is_near_the_mat() {
        let p = poser(Exercise::PushUp);
        let elbow = |sk: &Skeleton| {
            let s = Side::Left;
            let (a, b, c) = (
                pos(sk, Seg::UpperArm(s)),
                pos(sk, Seg::Forearm(s)),
                pos(sk, Seg::Hand(s)),
            );
            (b - a)
                .normalized()
                .dot((c - b).normalized())
                .acos()
                .to_degrees()
        };
        let (top, bottom) = (skeleton(&p, 0.0), skeleton(&p, 1.0));
        assert!(
            elbow(&top) < 8.0,
            "straight arms at rest: {:.1}°",
            elbow(&top)
        );
        assert!(
            elbow(&bottom) > 60.0,
            "bent arms at the bottom: {:.1}°",
            elbow(&bottom)
        );
        let sh = |sk: &Skeleton| pos(sk, Seg::UpperArm(Side::Left)).y;
        assert!(
            sh(&bottom) < 0.25 && sh(&top) > 0.45,
            "shoulders {:.2} → {:.2}",
            sh(&top),
            sh(&bottom)
        );
    }
}
