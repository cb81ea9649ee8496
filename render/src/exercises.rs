//! Exercise poses: from a few progress controls ([`Drive`]) to a full [`Pose`].
//!
//! Each exercise is written in a local frame on the mat: `u` along the mat towards the head,
//! `v` up, `w = u × v`. Start and working positions are keyframes of limb and trunk angles;
//! `lift` (eased by the timeline) moves between them. Limbs that bear weight are solved with
//! inverse kinematics against fixed floor points, so hands, knees and feet stay planted while
//! the rest moves; the pelvis and spine follow from closed chains (feet → hips → shoulders →
//! elbows) so that a plank sags or a bridge rises the way a body does.

use serde::{Deserialize, Serialize};

use crate::figure::{Figure, Group, lowest};
use crate::math::{Mat3, Vec3, bisect, deg, lerp, v3};
use crate::rig::{MIN_BEND, Rig, angle_about, two_bone};
use crate::skeleton::{Angles, Body, Pose, Side, Skeleton};
use crate::variants::Variant;

/// Height of the mat's top surface: where the body rests.
pub const MAT_TOP: f32 = 0.006;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum Exercise {
    BirdDog,
    GluteBridge,
    SidePlank,
    Superman,
    Plank,
    // Look-alikes (`lookalikes.rs`): movements no posecheck template is for.
    Kickback,
    CatCow,
    DeadBug,
    PushUp,
    ChildsPose,
    // Standing balance exercises (`stands.rs`).
    FeetTogetherStand,
    TandemStance,
    SingleLegStance,
    HeelRaise,
    SingleLegToeStand,
    HeadTurns,
    Turning,
}

impl Exercise {
    /// Every exercise, for tests that go through them all.
    #[cfg(test)]
    pub const ALL: [Exercise; 10] = [
        Exercise::BirdDog,
        Exercise::GluteBridge,
        Exercise::SidePlank,
        Exercise::Superman,
        Exercise::Plank,
        Exercise::Kickback,
        Exercise::CatCow,
        Exercise::DeadBug,
        Exercise::PushUp,
        Exercise::ChildsPose,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Exercise::BirdDog => "bird_dog",
            Exercise::GluteBridge => "glute_bridge",
            Exercise::SidePlank => "side_plank",
            Exercise::Superman => "superman",
            Exercise::Plank => "plank",
            Exercise::Kickback => "kickback",
            Exercise::CatCow => "cat_cow",
            Exercise::DeadBug => "dead_bug",
            Exercise::PushUp => "push_up",
            Exercise::ChildsPose => "childs_pose",
            Exercise::FeetTogetherStand => "feet_together_stand",
            Exercise::TandemStance => "tandem_stance",
            Exercise::SingleLegStance => "single_leg_stance",
            Exercise::HeelRaise => "heel_raise",
            Exercise::SingleLegToeStand => "single_leg_toe_stand",
            Exercise::HeadTurns => "head_turns",
            Exercise::Turning => "turning",
        }
    }

    /// A look-alike: its truth has no reps or holds of any posecheck exercise.
    pub fn is_lookalike(self) -> bool {
        matches!(
            self,
            Exercise::Kickback
                | Exercise::CatCow
                | Exercise::DeadBug
                | Exercise::PushUp
                | Exercise::ChildsPose
        )
    }

    /// Exercises that alternate sides rep by rep unless `--side` fixes one.
    pub fn sided(self) -> bool {
        matches!(
            self,
            Exercise::BirdDog | Exercise::Kickback | Exercise::DeadBug
        )
    }

    /// Plank, side plank and child's pose are held; the others are counted in reps (with a
    /// pause or hold at the top).
    pub fn is_hold(self) -> bool {
        matches!(
            self,
            Exercise::SidePlank | Exercise::Plank | Exercise::ChildsPose
        ) || self.is_stand()
    }

    /// A stand whose `--reps` counts its scripted movements (the head turns' looks, the
    /// turning's whole turns), listed in its truth as reps.
    pub fn counts_moves(self) -> bool {
        matches!(self, Exercise::HeadTurns | Exercise::Turning)
    }

    /// A standing balance exercise: one attempt, posed by [`crate::stands::Stand`].
    pub fn is_stand(self) -> bool {
        crate::stands::STANDS.contains(&self)
    }
}

/// The controls the timeline animates. Angles in degrees, lengths in metres.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Drive {
    /// 0 = start position, 1 = working position (values past 1 overshoot).
    pub lift: f32,
    /// Plank / side plank: hips moved off the straight body line, + towards the floor.
    pub hip_offset: f32,
    /// Glute bridge: the shoulder–hip–knee angle at the top.
    pub top_angle: f32,
    /// Bird-dog: how far below level the raised arm / leg ends.
    pub arm_drop: f32,
    pub leg_drop: f32,
    /// Bird-dog: knee flexion kept in the raised leg.
    pub knee_bend: f32,
    /// Bird-dog: the raised arm (the opposite leg rises with it).
    pub side: Side,
}

impl Drive {
    pub fn rest(side: Side) -> Drive {
        Drive {
            lift: 0.0,
            hip_offset: 0.0,
            top_angle: 175.0,
            arm_drop: 0.0,
            leg_drop: 0.0,
            knee_bend: 0.0,
            side,
        }
    }

    /// Interpolates the continuous controls. The side is that of the raised end: a rep
    /// rises on its own side and comes down on it.
    pub fn lerp(&self, o: &Drive, t: f32) -> Drive {
        // A rep's own shape at the top (its hip angle, how low its limbs end, a knee kept
        // bent) means nothing at rest, so on the way up and down it stays the rep's: the body
        // heads straight for its top. Sweeping it along with the lift made a lowered bridge
        // top peak half-way up and sag back to it (at its top 0.5 s before its label), and a
        // bent knee straighten half-way up.
        let shape = |a: f32, b: f32| {
            if self.lift == 0.0 {
                b
            } else if o.lift == 0.0 {
                a
            } else {
                lerp(a, b, t)
            }
        };
        Drive {
            lift: lerp(self.lift, o.lift, t),
            hip_offset: lerp(self.hip_offset, o.hip_offset, t),
            top_angle: shape(self.top_angle, o.top_angle),
            arm_drop: shape(self.arm_drop, o.arm_drop),
            leg_drop: shape(self.leg_drop, o.leg_drop),
            knee_bend: shape(self.knee_bend, o.knee_bend),
            side: if o.lift > self.lift {
                o.side
            } else {
                self.side
            },
        }
    }
}

/// Small involuntary motion, each in about [-1, 1]: breathing, postural sway, head movement.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Natural {
    pub breath: f32,
    pub sway: f32,
    pub nod: f32,
    /// A steady stroke, -1 to 1 (the swimmer superman alternates its limbs with it).
    pub stroke: f32,
}

/// Maps exercise-local coordinates (u towards the head, v up, w = u × v) to the world.
#[derive(Clone, Copy, Debug)]
pub struct Stage {
    u: Vec3,
    w: Vec3,
}

impl Stage {
    /// `head_plus_x`: the head points to world +x (the right of the image for a camera on +z).
    pub fn new(head_plus_x: bool) -> Stage {
        let u = if head_plus_x { Vec3::X } else { -Vec3::X };
        Stage {
            u,
            w: u.cross(Vec3::Y),
        }
    }

    pub fn at(&self, u: f32, v: f32, w: f32) -> Vec3 {
        self.u * u + Vec3::Y * v + self.w * w
    }

    /// A direction in the u–v plane, `a` degrees from +u towards +v.
    pub fn dir(&self, a: f32) -> Vec3 {
        let (s, c) = deg(a).sin_cos();
        self.at(c, s, 0.0)
    }

    /// Degrees of a direction in the u–v plane, measured from +u towards +v.
    pub fn angle_of(&self, d: Vec3) -> f32 {
        d.dot(Vec3::Y).atan2(d.dot(self.u)).to_degrees()
    }
}

/// How the clip's figure lies: the exercise, which way the head points, and for the side
/// plank which forearm is on the floor.
pub struct Poser {
    pub exercise: Exercise,
    pub stage: Stage,
    /// Side plank: the side lying on the floor (single-leg bridge: the extended leg).
    pub down: Side,
    pub variant: Option<Variant>,
    body: Body,
    figure: Figure,
}

impl Poser {
    pub fn new(exercise: Exercise, head_plus_x: bool, down: Side, body: Body) -> Poser {
        let figure = Figure::new(&body);
        Poser {
            exercise,
            stage: Stage::new(head_plus_x),
            down,
            variant: None,
            body,
            figure,
        }
    }

    pub fn with_variant(self, variant: Option<Variant>) -> Poser {
        Poser { variant, ..self }
    }

    pub fn body(&self) -> &Body {
        &self.body
    }

    pub fn figure(&self) -> &Figure {
        &self.figure
    }

    pub fn pose(&self, d: &Drive, n: &Natural) -> Pose {
        let pose = match self.exercise {
            Exercise::BirdDog => self.bird_dog(d, n),
            Exercise::GluteBridge => self.glute_bridge(d, n),
            Exercise::SidePlank => self.side_plank(d, n),
            Exercise::Superman => self.superman(d, n),
            Exercise::Plank => self.plank(d, n),
            Exercise::Kickback => self.kickback(d, n),
            Exercise::CatCow => self.cat_cow(d, n),
            Exercise::DeadBug => self.dead_bug(d, n),
            Exercise::PushUp => self.push_up(d, n),
            Exercise::ChildsPose => self.childs_pose(d, n),
            // A stand's pose is a function of time (its sway), not of these controls: the
            // clip poses it with `stands::Stand::pose`.
            stand => unreachable!("{} is posed by stands::Stand", stand.name()),
        };
        match self.variant {
            Some(v) => self.vary(v, pose, d, n),
            None => pose,
        }
    }

    /// Lengths for a 1.70 m body scaled to this one.
    pub(crate) fn k(&self, x: f32) -> f32 {
        x * self.body.scale
    }

    /// Plank and side plank on straight arms: the hands, not the elbows, carry the body.
    fn straight_arm(&self) -> bool {
        self.variant == Some(Variant::StraightArm)
    }

    /// What holds a plank's shoulders up, and how high: the upper arm on a planted elbow,
    /// or the whole (nearly straight) arm on a planted wrist.
    fn prop(&self) -> (f32, f32) {
        let b = &self.body;
        if self.straight_arm() {
            (
                MAT_TOP + self.k(0.028),
                Poser::reach(b.upper_arm, b.forearm) * 0.998,
            )
        } else {
            (MAT_TOP + self.k(0.04), b.upper_arm)
        }
    }

    /// Hip-centre to mid-shoulder distance with a straight spine.
    pub(crate) fn trunk_length(&self) -> f32 {
        let b = &self.body;
        (b.spine_base + v3(0.0, b.lumbar, 0.0) + b.mid_shoulder()).length()
    }

    /// Reach of an arm or leg with the joint as straight as it gets.
    pub(crate) fn reach(l1: f32, l2: f32) -> f32 {
        (l1 * l1 + l2 * l2 + 2.0 * l1 * l2 * MIN_BEND.cos()).sqrt()
    }

    pub(crate) fn lowest_of(&self, pose: &Pose, groups: &[Group]) -> f32 {
        let parts = self.figure.pose(&Skeleton::new(&self.body, pose));
        let chosen: Vec<_> = parts
            .into_iter()
            .filter(|p| groups.contains(&p.group))
            .collect();
        lowest(&chosen)
    }

    /// Turns the neck about the world axis `left` (on top of its current angles) until the
    /// lowest point of the head is `clearance` above the mat; `range` bounds the turn.
    pub(crate) fn neck_to_mat(&self, rig: &mut Rig, left: Vec3, clearance: f32, range: (f32, f32)) {
        let base = rig.pose.neck.spine_rot();
        let thorax = rig.thorax_xf().rot;
        let turned = |a: f32| {
            Angles::from_spine_rot(
                &(thorax.transpose() * Mat3::axis_angle(left, a) * thorax * base),
            )
        };
        let gap = |a: f32| {
            let mut r = rig.clone();
            r.pose.neck = turned(a);
            self.lowest_of(&r.pose, &[Group::Head]) - MAT_TOP - clearance
        };
        let a = bisect(range.0, range.1, gap);
        rig.pose.neck = turned(a);
    }

    /// The pelvis "up" axis halfway between the legs' and the trunk's directions (both in
    /// the u–v plane): a bend at the hips is shared between hip joints and lower spine.
    pub(crate) fn halfway(&self, legs: Vec3, trunk: Vec3) -> Vec3 {
        let st = self.stage;
        st.dir(0.5 * (st.angle_of(legs) + st.angle_of(trunk)))
    }

    /// On hands and knees; one arm and the opposite leg reach out level and straight.
    pub(crate) fn bird_dog(&self, d: &Drive, n: &Natural) -> Pose {
        let st = self.stage;
        let b = &self.body;
        let left = st.at(0.0, 0.0, -1.0); // face down: the body's left is −w
        let lat = |s: Side, x: f32| -s.sign() * self.k(x);
        let knee_h = MAT_TOP + self.k(0.056);
        let hip_h = knee_h + b.thigh;
        let wrist_h = MAT_TOP + self.k(0.028);
        let shoulder_h = wrist_h + Poser::reach(b.upper_arm, b.forearm) * deg(2.0).cos();
        let trunk = self.trunk_length();
        let tilt = ((shoulder_h - hip_h) / trunk).asin();
        let hip = st.at(self.k(-0.25), hip_h, 0.0);
        let shoulder = hip + st.at(tilt.cos(), tilt.sin(), 0.0) * trunk;
        let mut rig = Rig::new(b, hip, Mat3::frame(shoulder - hip, -Vec3::Y));
        rig.reach_spine(shoulder, left);
        rig.pose.thorax.flex += 0.01 * n.breath;
        // Neck long, eyes on the mat ahead of the hands (the face stays above a raised arm).
        rig.pose.neck.flex = deg(-24.0);
        rig.pose.head.flex = deg(-10.0 + 2.0 * n.nod);

        let a = d.lift.max(0.0);
        for side in Side::BOTH {
            let s = rig.shoulder(side);
            if side == d.side && a > 0.0 {
                let level = -d.arm_drop + n.sway;
                let theta = lerp(-90.0, level, a);
                // The elbow bends on the way and straightens at the top, leading the hand.
                let bend = 4.0 + 25.0 * (std::f32::consts::PI * a.min(1.0)).sin();
                let hand = st.dir(lerp(0.0, level, a));
                rig.arm_dirs(
                    side,
                    st.dir(theta - bend / 2.0),
                    st.dir(theta + bend / 2.0),
                    hand,
                    -Vec3::Y,
                );
            } else {
                let wrist = st.at(st.u.dot(s), wrist_h, lat(side, 0.16));
                rig.arm_to(side, wrist, -st.u, st.u, -Vec3::Y);
            }
        }
        // Shins rest on the mat sloping down from knee to ankle; feet lie on their tops.
        let shin_slope = ((knee_h - MAT_TOP - self.k(0.04)) / b.shank)
            .asin()
            .to_degrees();
        let plantar_rest = 72.0;
        for side in Side::BOTH {
            let h = rig.hip(side);
            if side == d.side.other() && a > 0.0 {
                // A leg held low points its foot back so the toes clear the mat; if it is
                // too low even so, it stops where the toes would touch.
                let plantar_top = 40.0 + 35.0 * (d.leg_drop / 25.0).clamp(0.0, 1.0);
                let tip = |drop: f32| {
                    let leg = -180.0 + drop;
                    let toe = leg + 90.0 - plantar_top;
                    h.y + self.k(0.8) * deg(leg).sin() + self.k(0.19) * deg(toe).sin()
                        - MAT_TOP
                        - self.k(0.02)
                };
                let drop = if tip(d.leg_drop) < 0.0 {
                    bisect(0.0, d.leg_drop, tip)
                } else {
                    d.leg_drop
                };
                let level = -drop + n.sway;
                let thigh = lerp(-90.0, -180.0 - level, a);
                let knee = lerp(90.0 - shin_slope, d.knee_bend.max(3.0), a);
                let shank = thigh - knee;
                let toe = st.dir(shank + 90.0 - lerp(plantar_rest, plantar_top, a));
                rig.leg_dirs(side, st.dir(thigh), st.dir(shank), toe, toe.cross(left));
            } else {
                let knee = st.at(st.u.dot(h), knee_h, lat(side, 0.1));
                let ankle = knee + st.dir(180.0 + shin_slope) * b.shank;
                let toe = st.dir(180.0 + shin_slope + 90.0 - plantar_rest);
                rig.leg_to(side, ankle, st.at(1.0, -1.0, 0.0), toe, toe.cross(left));
            }
        }
        rig.finish()
    }

    /// Lying on the back, knees bent, feet flat: the hips rise until shoulders, hips and
    /// knees line up, pivoting on the shoulders with the feet planted.
    pub(crate) fn glute_bridge(&self, d: &Drive, n: &Natural) -> Pose {
        let st = self.stage;
        let b = &self.body;
        let left = st.at(0.0, 0.0, 1.0); // face up: the body's left is +w
        let trunk = self.trunk_length();
        let shoulder = st.at(self.k(0.5), MAT_TOP + self.k(0.105), 0.0);
        let hip_rest_h = MAT_TOP + self.k(0.135);
        let rest_phi = ((hip_rest_h - shoulder.y) / trunk).asin();
        let hip_at = |phi: f32| shoulder + st.at(-phi.cos(), phi.sin(), 0.0) * trunk;
        // Feet where the knees bend about 105° at rest.
        let inner = deg(180.0 - 105.0);
        let hip_ankle =
            (b.thigh.powi(2) + b.shank.powi(2) - 2.0 * b.thigh * b.shank * inner.cos()).sqrt();
        let ankle_h = MAT_TOP + self.k(0.072);
        let rest_hip = hip_at(rest_phi);
        let du = (hip_ankle.powi(2) - (rest_hip.y - ankle_h).powi(2)).sqrt();
        let ankle = st.at(st.u.dot(rest_hip) - du, ankle_h, 0.0);
        // Shoulder–hip–knee angle, measured on the knee side so that it keeps growing past
        // a straight line (180°) instead of folding back.
        let hip_angle = |phi: f32| {
            let h = hip_at(phi);
            let k = two_bone(h, ankle, b.thigh, b.shank, Vec3::Y, MIN_BEND);
            angle_about(left, shoulder - h, k - h)
                .to_degrees()
                .rem_euclid(360.0)
        };
        let rest_angle = hip_angle(rest_phi);
        let target = lerp(rest_angle, d.top_angle, d.lift) + 0.6 * n.sway * d.lift.clamp(0.0, 1.0);
        let phi = bisect(rest_phi, deg(50.0), |p| hip_angle(p) - target);
        let hip = hip_at(phi);
        let up = (shoulder - hip).normalized();
        let mut rig = Rig::new(b, hip, Mat3::frame(up, up.cross(left)));
        rig.reach_spine(shoulder, left);
        rig.pose.thorax.flex += 0.01 * n.breath;
        // The head stays on the mat, face up; the chin tucks a little as the chest tilts.
        let tuck = Mat3::axis_angle(left, deg(0.35 * phi.to_degrees() + 2.0 * n.nod));
        rig.aim_head(tuck * Mat3::frame(st.u, Vec3::Y), 0.6);
        self.neck_to_mat(&mut rig, left, 0.0, (deg(-45.0), deg(45.0)));
        let arm = Poser::reach(b.upper_arm, b.forearm) * 0.995;
        let wrist_h = MAT_TOP + self.k(0.03);
        for side in Side::BOTH {
            let l = side.sign();
            let s = rig.shoulder(side);
            let (dv, dw) = (wrist_h - s.y, l * self.k(0.235) - st.w.dot(s));
            let du = (arm * arm - dv * dv - dw * dw).max(0.0).sqrt();
            let wrist = st.at(st.u.dot(s) - du, wrist_h, l * self.k(0.235));
            rig.arm_to(side, wrist, st.at(0.0, 0.0, l), -st.u, -Vec3::Y);
            let a = ankle + st.at(0.0, 0.0, l * self.k(0.11));
            rig.leg_to(side, a, Vec3::Y, -st.u, Vec3::Y);
        }
        rig.finish()
    }

    /// Lying face down: chest, arms and legs lift off the mat; the belly stays down.
    fn superman(&self, d: &Drive, n: &Natural) -> Pose {
        let st = self.stage;
        let b = &self.body;
        let left = st.at(0.0, 0.0, -1.0);
        let a = d.lift;
        let mut rig = Rig::new(
            b,
            st.at(self.k(-0.15), 0.2, 0.0),
            Mat3::frame(st.u, -Vec3::Y),
        );
        let arch = a + 0.02 * n.breath;
        rig.set_spine(
            Angles {
                flex: deg(-16.0 * arch),
                ..Angles::default()
            },
            Angles {
                flex: deg(-13.0 * arch),
                ..Angles::default()
            },
        );
        let trunk_low = self.lowest_of(&rig.pose, &[Group::Trunk]);
        rig.pose.root.y += MAT_TOP - trunk_low;
        // Head in line with the spine, face to the mat; lifted clear of it if needed.
        rig.pose.neck.flex = deg(-8.0 * a - 6.0);
        rig.pose.head.flex = deg(2.0 * n.nod);
        if self.lowest_of(&rig.pose, &[Group::Head]) < MAT_TOP + self.k(0.01) {
            self.neck_to_mat(&mut rig, left, self.k(0.01), (deg(-60.0), 0.0));
        }
        let arm_reach = Poser::reach(b.upper_arm, b.forearm);
        let leg_reach = Poser::reach(b.thigh, b.shank);
        for side in Side::BOTH {
            let out = -side.sign();
            let s = rig.shoulder(side);
            let rest = ((MAT_TOP + self.k(0.03) - s.y) / arm_reach)
                .clamp(-1.0, 1.0)
                .asin()
                .to_degrees();
            let theta = lerp(rest, 22.0, a) + n.sway * a;
            let dir = st.dir(theta);
            let wrist = s + dir * arm_reach + st.at(0.0, 0.0, out * self.k(0.02));
            // Hands lie flat on the mat at rest and follow the arms up.
            let hand = st.dir(lerp(0.0, 22.0, a));
            rig.arm_to(side, wrist, st.dir(theta + 90.0), hand, -Vec3::Y);
            let h = rig.hip(side);
            let rest = 180.0
                + ((h.y - MAT_TOP - self.k(0.045)) / leg_reach)
                    .clamp(-1.0, 1.0)
                    .asin()
                    .to_degrees();
            let theta = lerp(rest, 166.0, a) - 0.8 * n.sway * a;
            let dir = st.dir(theta);
            let ankle = h + dir * leg_reach + st.at(0.0, 0.0, out * self.k(0.01));
            let toe = st.dir(theta + 22.0);
            rig.leg_to(side, ankle, st.dir(theta + 90.0), toe, toe.cross(left));
        }
        rig.finish()
    }

    /// Forearm plank: elbows under the shoulders, toes tucked, body in one line from ankles
    /// to shoulders. Starts lying on the forearms with the hips down.
    fn plank(&self, d: &Drive, n: &Natural) -> Pose {
        let st = self.stage;
        let b = &self.body;
        let left = st.at(0.0, 0.0, -1.0);
        let trunk = self.trunk_length();
        let leg = Poser::reach(b.thigh, b.shank);
        // `elbow` is the planted support: the elbows, or the wrists of a straight-arm plank.
        let (elbow_h, prop) = self.prop();
        let elbow = st.at(self.k(0.55), elbow_h, 0.0);
        let shoulder_top = elbow + Vec3::Y * prop;
        let ankle_h = MAT_TOP + self.k(0.165);
        let line = leg + trunk;
        let beta = ((shoulder_top.y - ankle_h) / line).asin();
        let ankle = shoulder_top - st.at(beta.cos(), beta.sin(), 0.0) * line;
        let psi_rest = ((MAT_TOP + self.k(0.1) - ankle.y) / leg).asin();
        let offset = d.hip_offset + self.k(0.004) * n.sway;
        let psi = lerp(psi_rest, beta, d.lift) - (offset / leg).clamp(-0.9, 0.9).asin();
        let hip = ankle + st.at(psi.cos(), psi.sin(), 0.0) * leg;
        // The shoulders ride on the upper arms, which pivot on the planted elbows.
        let shoulder = two_bone(hip, elbow, trunk, prop, Vec3::Y, 0.0);
        let up = self.halfway(hip - ankle, shoulder - hip);
        let mut rig = Rig::new(b, hip, Mat3::frame(up, -Vec3::Y));
        rig.reach_spine(shoulder, left);
        rig.pose.thorax.flex += 0.01 * n.breath;
        rig.pose.neck.flex = deg(-6.0);
        rig.pose.head.flex = deg(2.0 * n.nod);
        let wrist_drop = MAT_TOP + self.k(0.028) - elbow_h;
        for side in Side::BOTH {
            let out = -side.sign();
            if self.straight_arm() {
                // Hands flat under the shoulders, fingers ahead, the elbows' crease forward.
                let wrist = elbow + st.at(0.0, 0.0, out * self.k(0.17));
                rig.arm_to(side, wrist, -st.u, st.u, -Vec3::Y);
            } else {
                let e = elbow + st.at(0.0, 0.0, out * self.k(0.15));
                let wrist = e + st.at(b.forearm * 0.985, wrist_drop, -out * self.k(0.04));
                rig.arm_to(
                    side,
                    wrist,
                    st.at(-0.3, -1.0, out * 0.3),
                    st.at(1.0, 0.0, -out * 0.15),
                    -Vec3::Y,
                );
            }
            let a = ankle + st.at(0.0, 0.0, out * self.k(0.09));
            let toe = self.tucked_toe(a, left);
            rig.leg_to(side, a, -Vec3::Y, toe, toe.cross(left));
        }
        rig.finish()
    }

    /// Direction of a tucked foot (on its toes, heel up) whose ankle is at `ankle`: as steep
    /// as needed for the toe tip to just touch the mat.
    pub(crate) fn tucked_toe(&self, ankle: Vec3, left: Vec3) -> Vec3 {
        let st = self.stage;
        let tip = |a: f32| {
            let toe = st.dir(a);
            let sole_up = toe.cross(left);
            ankle.y + self.k(0.18) * toe.y - self.k(0.055) * sole_up.y - MAT_TOP
        };
        st.dir(bisect(-100.0, -40.0, tip))
    }

    /// Side plank on one forearm, top hand on the hip, body straight from ankles to head.
    fn side_plank(&self, d: &Drive, n: &Natural) -> Pose {
        let st = self.stage;
        let b = &self.body;
        let (down, top) = (self.down, self.down.other());
        // Lying on the left side the front faces +w, on the right side −w.
        let ahead = st.at(0.0, 0.0, down.sign());
        let trunk = self.trunk_length();
        let leg = Poser::reach(b.thigh, b.shank);
        let sh_half = b.shoulder.x;
        let ankle_gap = self.k(0.045);
        // The perpendicular in the body plane that points to the floor side.
        let below = |dir: Vec3| st.at(dir.dot(Vec3::Y), -dir.dot(st.u), 0.0);
        // `elbow` is the planted support: the elbow, or the wrist of a straight arm.
        let (elbow_h, prop) = self.prop();
        let elbow = st.at(self.k(0.55), elbow_h, 0.0);
        let shoulder_down = elbow + Vec3::Y * prop;
        let ankle_h = MAT_TOP + self.k(0.045);
        // Straight body at angle beta: the lower shoulder and lower ankle lie off the mid-line
        // towards the floor by half a shoulder width and half an ankle width.
        let line = leg + trunk;
        let side_gap = sh_half - ankle_gap;
        let rise = shoulder_down.y - ankle_h;
        let beta = bisect(0.0, deg(45.0), |bt| {
            line * bt.sin() - side_gap * bt.cos() - rise
        });
        let axis = st.dir(beta.to_degrees());
        let ankle_down = shoulder_down - axis * line - below(axis) * side_gap;
        let ankle_mid = ankle_down - below(axis) * ankle_gap;
        let psi_rest = ((MAT_TOP + self.k(0.17) - ankle_mid.y) / leg).asin();
        let offset = d.hip_offset + self.k(0.004) * n.sway;
        let psi = lerp(psi_rest, beta, d.lift) - (offset / leg).clamp(-0.9, 0.9).asin();
        let hip = ankle_mid + st.dir(psi.to_degrees()) * leg;
        // The lower shoulder is a fixed distance from the hip centre and an upper arm above
        // the planted elbow; the trunk axis leans off the hip→shoulder line by that offset.
        let reach = (trunk * trunk + sh_half * sh_half).sqrt();
        let s_down = two_bone(hip, elbow, reach, prop, Vec3::Y, 0.0);
        let lean = (sh_half / trunk).atan();
        let to_s = (s_down - hip).normalized();
        let trunk_dir = to_s * lean.cos() - below(to_s) * lean.sin();
        let shoulder_mid = s_down - below(trunk_dir) * sh_half;
        let legs_dir = (hip - ankle_mid).normalized();
        let up = self.halfway(legs_dir, trunk_dir);
        let mut rig = Rig::new(b, hip, Mat3::frame(up, ahead));
        rig.reach_spine(shoulder_mid, ahead);
        rig.pose.thorax.flex += 0.01 * n.breath;
        rig.pose.head.flex = deg(2.0 * n.nod);
        // Lower forearm flat on the mat pointing ahead (or the hand flat under the shoulder,
        // fingers ahead); top hand on the hip.
        if self.straight_arm() {
            rig.arm_to(down, elbow, -st.u, ahead, -Vec3::Y);
        } else {
            let wrist =
                elbow + ahead * (b.forearm * 0.98) + Vec3::Y * (MAT_TOP + self.k(0.028) - elbow_h);
            rig.arm_to(down, wrist, -Vec3::Y - ahead * 0.6, ahead, -Vec3::Y);
        }
        let pelvis = rig.pelvis_xf();
        let top_side = pelvis.rot * v3(top.sign(), 0.0, 0.0);
        let on_hip = pelvis.point(v3(top.sign() * self.k(0.17), self.k(0.1), self.k(-0.01)));
        let pole = top_side + pelvis.rot.c[1] * 0.5 - ahead * 0.7;
        rig.arm_to(
            top,
            on_hip,
            pole,
            ahead * 0.6 - pelvis.rot.c[1] * 0.6,
            -top_side,
        );
        let ankle_top = ankle_down - below(axis) * (2.0 * ankle_gap) + ahead * self.k(0.03);
        // The feet stay planted as they are in the straight position; the ankles flex as the
        // hips rise and fall.
        for side in Side::BOTH {
            let a = if side == down { ankle_down } else { ankle_top };
            rig.leg_to(side, a, ahead, ahead, axis);
        }
        rig.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skeleton::{Seg, landmarks};

    fn drive(lift: f32) -> Drive {
        Drive {
            lift,
            ..Drive::rest(Side::Left)
        }
    }

    fn skeleton(p: &Poser, d: &Drive) -> Skeleton {
        Skeleton::new(p.body(), &p.pose(d, &Natural::default()))
    }

    fn point(p: &Poser, sk: &Skeleton, name: &str) -> Vec3 {
        let lm = landmarks()
            .into_iter()
            .find(|l| l.name == name)
            .unwrap_or_else(|| panic!("{name}"));
        sk.landmark(p.body(), &lm)
    }

    /// Every variation a clip can ask of a pose.
    fn variations() -> Vec<Drive> {
        let mut v: Vec<Drive> = [0.0, 0.3, 0.6, 1.0, 1.15].into_iter().map(drive).collect();
        v.push(Drive {
            hip_offset: 0.12,
            ..drive(1.0)
        });
        v.push(Drive {
            hip_offset: -0.15,
            ..drive(1.0)
        });
        v.push(Drive {
            arm_drop: 35.0,
            leg_drop: 28.0,
            ..drive(1.0)
        });
        v.push(Drive {
            knee_bend: 80.0,
            side: Side::Right,
            ..drive(1.0)
        });
        v.push(Drive {
            top_angle: 150.0,
            ..drive(1.0)
        });
        v
    }

    #[test]
    fn every_pose_rests_on_the_mat_without_sinking_into_it() {
        for e in Exercise::ALL {
            for (head, down) in [(false, Side::Left), (true, Side::Right)] {
                let p = Poser::new(e, head, down, Body::new(1.70));
                for d in variations() {
                    let parts = p.figure().pose(&skeleton(&p, &d));
                    let low = lowest(&parts) - MAT_TOP;
                    assert!(
                        (-0.015..0.015).contains(&low),
                        "{} {d:?}: lowest point {low:+.3} m from the mat",
                        e.name()
                    );
                }
            }
        }
    }

    #[test]
    fn bones_keep_their_length_in_every_pose() {
        let body = Body::new(1.70);
        for e in Exercise::ALL {
            let p = Poser::new(e, false, Side::Left, body.clone());
            for d in variations() {
                let sk = skeleton(&p, &d);
                for s in Side::BOTH {
                    let len = |a: Seg, b: Seg| (sk.seg(a).pos - sk.seg(b).pos).length();
                    assert!((len(Seg::UpperArm(s), Seg::Forearm(s)) - body.upper_arm).abs() < 1e-4);
                    assert!((len(Seg::Forearm(s), Seg::Hand(s)) - body.forearm).abs() < 1e-4);
                    assert!((len(Seg::Thigh(s), Seg::Shank(s)) - body.thigh).abs() < 1e-4);
                    assert!((len(Seg::Shank(s), Seg::Foot(s)) - body.shank).abs() < 1e-4);
                }
            }
        }
    }

    #[test]
    fn planted_hands_knees_and_feet_do_not_slide() {
        let cases: [(Exercise, &[&str]); 4] = [
            (
                Exercise::GluteBridge,
                &["left_ankle", "right_ankle", "left_shoulder"],
            ),
            (Exercise::BirdDog, &["right_wrist", "left_knee"]),
            (
                Exercise::Plank,
                &["left_elbow", "right_elbow", "left_ankle"],
            ),
            (Exercise::SidePlank, &["left_elbow", "left_ankle"]),
        ];
        for (e, planted) in cases {
            let p = Poser::new(e, false, Side::Left, Body::new(1.70));
            let start = skeleton(&p, &drive(0.0));
            for lift in [0.25, 0.5, 0.75, 1.0] {
                let sk = skeleton(&p, &drive(lift));
                for name in planted {
                    let moved = (point(&p, &sk, name) - point(&p, &start, name)).length();
                    assert!(
                        moved < 0.02,
                        "{}: {name} slid {moved:.3} m at lift {lift}",
                        e.name()
                    );
                }
            }
        }
    }

    /// Angle at `b` between `a` and `c`, degrees, in the u–v plane (as a side camera sees it).
    fn side_angle(p: &Poser, a: Vec3, b: Vec3, c: Vec3) -> f32 {
        let flat = |v: Vec3| p.stage.at(v.dot(p.stage.at(1.0, 0.0, 0.0)), v.y, 0.0);
        let (x, y) = (flat(a - b).normalized(), flat(c - b).normalized());
        x.dot(y).clamp(-1.0, 1.0).acos().to_degrees()
    }

    /// The bridge's shoulder–hip–knee angle (both sides' midpoints) as a side camera sees it.
    fn bridge_angle(p: &Poser, d: Drive) -> f32 {
        let sk = skeleton(p, &d);
        let mid = |a: &str, b: &str| (point(p, &sk, a) + point(p, &sk, b)) * 0.5;
        side_angle(
            p,
            mid("left_shoulder", "right_shoulder"),
            mid("left_hip", "right_hip"),
            mid("left_knee", "right_knee"),
        )
    }

    #[test]
    fn bridge_reaches_a_straight_line_and_the_fault_stops_short() {
        let p = Poser::new(Exercise::GluteBridge, false, Side::Left, Body::new(1.70));
        let angle = |d: Drive| bridge_angle(&p, d);
        let rest = angle(drive(0.0));
        let top = angle(drive(1.0));
        let short = angle(Drive {
            top_angle: 150.0,
            ..drive(1.0)
        });
        assert!(rest < 142.0, "rest {rest}");
        assert!((top - 175.0).abs() < 3.0, "top {top}");
        assert!((short - 150.0).abs() < 3.0, "not extended {short}");
    }

    #[test]
    fn a_rep_that_stops_short_rises_straight_to_its_top() {
        let p = Poser::new(Exercise::GluteBridge, false, Side::Left, Body::new(1.70));
        let rest = Drive::rest(Side::Left);
        let short = Drive {
            top_angle: 150.0,
            ..drive(1.0)
        };
        // Up and down alike: no angle on the way is past the top (the rep's shape swept
        // with the lift peaked at 152° half-way and sagged back).
        for (from, to) in [(rest, short), (short, rest)] {
            let path: Vec<f32> = (0..=10)
                .map(|k| bridge_angle(&p, from.lerp(&to, k as f32 / 10.0)))
                .collect();
            let top = bridge_angle(&p, short);
            assert!(
                path.iter().all(|a| *a <= top + 0.5),
                "{path:?} passes the top {top}"
            );
            let rising = from.lift == 0.0;
            assert!(
                path.windows(2)
                    .all(|w| if rising { w[1] >= w[0] } else { w[1] <= w[0] }),
                "{path:?} is not monotone"
            );
        }
    }

    #[test]
    fn bird_dog_limbs_reach_level_or_stay_below_it() {
        let p = Poser::new(Exercise::BirdDog, false, Side::Left, Body::new(1.70));
        let elevation = |sk: &Skeleton, a: &str, b: &str| {
            let v = point(&p, sk, b) - point(&p, sk, a);
            v.y.atan2((v.x * v.x + v.z * v.z).sqrt()).to_degrees()
        };
        let level = skeleton(&p, &drive(1.0));
        assert!(elevation(&level, "left_shoulder", "left_wrist").abs() < 4.0);
        assert!(elevation(&level, "right_hip", "right_ankle").abs() < 4.0);
        let low = skeleton(
            &p,
            &Drive {
                arm_drop: 30.0,
                leg_drop: 25.0,
                ..drive(1.0)
            },
        );
        assert!((elevation(&low, "left_shoulder", "left_wrist") + 30.0).abs() < 4.0);
        assert!((elevation(&low, "right_hip", "right_ankle") + 25.0).abs() < 4.0);
        let bent = skeleton(
            &p,
            &Drive {
                knee_bend: 80.0,
                ..drive(1.0)
            },
        );
        let knee = 180.0
            - side_angle(
                &p,
                point(&p, &bent, "right_hip"),
                point(&p, &bent, "right_knee"),
                point(&p, &bent, "right_ankle"),
            );
        assert!((knee - 80.0).abs() < 5.0, "knee bent {knee}");
    }

    #[test]
    fn planks_are_straight_at_the_top_and_sag_or_pike_on_demand() {
        for e in [Exercise::Plank, Exercise::SidePlank] {
            let p = Poser::new(e, false, Side::Left, Body::new(1.70));
            // Hip offset from the ankle–shoulder line, + towards the floor.
            let sag = |d: Drive| {
                let sk = skeleton(&p, &d);
                let mid = |a: &str, b: &str| (point(&p, &sk, a) + point(&p, &sk, b)) * 0.5;
                let (a, h, s) = (
                    mid("left_ankle", "right_ankle"),
                    mid("left_hip", "right_hip"),
                    mid("left_shoulder", "right_shoulder"),
                );
                let along = (s - a).normalized();
                let off = (h - a).reject(along);
                -off.y.signum() * off.length()
            };
            assert!(
                sag(drive(1.0)).abs() < 0.03,
                "{} top is not straight: {}",
                e.name(),
                sag(drive(1.0))
            );
            // A fault's size in cm is the hips' offset from the ankle–shoulder line.
            for cm in [3.0f32, 6.0, 10.0, 15.0, -3.0, -6.0, -10.0, -15.0] {
                let got = sag(Drive {
                    hip_offset: cm / 100.0,
                    ..drive(1.0)
                });
                assert!(
                    (got * 100.0 - cm).abs() < 1.0,
                    "{}: {cm} cm asked, {:.1} cm off the line",
                    e.name(),
                    got * 100.0
                );
            }
            assert!(
                sag(Drive {
                    hip_offset: 0.11,
                    ..drive(1.0)
                }) > 0.07
            );
            assert!(
                sag(Drive {
                    hip_offset: -0.15,
                    ..drive(1.0)
                }) < -0.1
            );
        }
    }
}
