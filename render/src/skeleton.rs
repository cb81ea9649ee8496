//! The articulated skeleton: body proportions, joint angles (a [`Pose`]) and forward
//! kinematics to world-space segment frames and BlazePose landmarks.
//!
//! Segment frames follow the body, not the world: x = the person's left, y = up the segment
//! (towards the head for the trunk), z = anterior (the way the face and knee caps point when
//! standing). Limbs hang along −y in their rest pose. Every joint rotation is an
//! [`Mat3::xzy`] (flexion outermost, twist innermost), with signs chosen so that positive
//! angles mean the anatomical movement named by the field, on both sides.

use serde::{Deserialize, Serialize};

use crate::math::{Mat3, Vec3, smoothstep, v3};

/// An anatomical side (the person's own left or right).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Left,
    Right,
}

impl Side {
    pub const BOTH: [Side; 2] = [Side::Left, Side::Right];

    /// +1 for left, −1 for right: the sign of the side's x in body frames.
    pub fn sign(self) -> f32 {
        match self {
            Side::Left => 1.0,
            Side::Right => -1.0,
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

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

/// Segment lengths and joint offsets of an adult, scaled from a 1.70 m person.
#[derive(Clone, Debug)]
pub struct Body {
    /// Uniform scale relative to the 1.70 m reference figure.
    pub scale: f32,
    pub hip_half_width: f32,
    /// Lumbosacral joint in the pelvis frame.
    pub spine_base: Vec3,
    /// Lumbar spine length (to T12).
    pub lumbar: f32,
    /// Left shoulder joint centre in the thorax frame (x mirrored for the right).
    pub shoulder: Vec3,
    /// C7 in the thorax frame.
    pub neck_base: Vec3,
    /// Head pivot (atlas) in the neck frame.
    pub neck: Vec3,
    /// Centre of the skull in the head frame.
    pub head_centre: Vec3,
    pub upper_arm: f32,
    pub forearm: f32,
    pub thigh: f32,
    pub shank: f32,
}

impl Body {
    pub const REFERENCE_HEIGHT: f32 = 1.70;

    pub fn new(height_m: f32) -> Body {
        let k = height_m / Body::REFERENCE_HEIGHT;
        Body {
            scale: k,
            hip_half_width: 0.09 * k,
            spine_base: v3(0.0, 0.085, -0.035) * k,
            lumbar: 0.15 * k,
            shoulder: v3(0.175, 0.28, 0.03) * k,
            neck_base: v3(0.0, 0.325, -0.01) * k,
            neck: v3(0.0, 0.09, 0.015) * k,
            head_centre: v3(0.0, 0.075, 0.03) * k,
            upper_arm: 0.29 * k,
            forearm: 0.25 * k,
            thigh: 0.41 * k,
            shank: 0.39 * k,
        }
    }

    pub fn shoulder_offset(&self, side: Side) -> Vec3 {
        v3(
            self.shoulder.x * side.sign(),
            self.shoulder.y,
            self.shoulder.z,
        )
    }

    pub fn hip_offset(&self, side: Side) -> Vec3 {
        v3(self.hip_half_width * side.sign(), 0.0, 0.0)
    }

    /// Mid-shoulder point in the thorax frame.
    pub fn mid_shoulder(&self) -> Vec3 {
        v3(0.0, self.shoulder.y, self.shoulder.z)
    }

    pub fn lumbar_xf(&self, pelvis: &Xf, a: &Angles) -> Xf {
        pelvis.child(self.spine_base, a.spine_rot())
    }

    pub fn thorax_xf(&self, lumbar: &Xf, a: &Angles) -> Xf {
        lumbar.child(v3(0.0, self.lumbar, 0.0), a.spine_rot())
    }

    pub fn neck_xf(&self, thorax: &Xf, a: &Angles) -> Xf {
        thorax.child(self.neck_base, a.spine_rot())
    }

    pub fn head_xf(&self, neck: &Xf, a: &Angles) -> Xf {
        neck.child(self.neck, a.spine_rot())
    }

    /// Where the shoulder joint sits in the thorax frame for a given arm position: raising
    /// the arm overhead rotates the shoulder blade up, lifting the joint a few centimetres.
    pub fn shoulder_at(&self, side: Side, a: &Angles) -> Vec3 {
        let raised = smoothstep(70f32.to_radians(), 170f32.to_radians(), a.flex.max(a.side));
        self.shoulder_offset(side) + v3(0.0, 0.04, -0.01) * (raised * self.scale)
    }

    pub fn upper_arm_xf(&self, thorax: &Xf, side: Side, a: &Angles) -> Xf {
        thorax.child(self.shoulder_at(side, a), a.limb_rot(side))
    }

    pub fn forearm_xf(&self, upper: &Xf, side: Side, arm: &Arm) -> Xf {
        let rot = Mat3::rot_x(-arm.elbow) * Mat3::rot_y(-side.sign() * arm.pronation);
        upper.child(v3(0.0, -self.upper_arm, 0.0), rot)
    }

    pub fn hand_xf(&self, forearm: &Xf, arm: &Arm) -> Xf {
        forearm.child(v3(0.0, -self.forearm, 0.0), Mat3::rot_x(-arm.wrist))
    }

    pub fn thigh_xf(&self, pelvis: &Xf, side: Side, a: &Angles) -> Xf {
        pelvis.child(self.hip_offset(side), a.limb_rot(side))
    }

    pub fn shank_xf(&self, thigh: &Xf, leg: &Leg) -> Xf {
        thigh.child(v3(0.0, -self.thigh, 0.0), Mat3::rot_x(leg.knee))
    }

    pub fn foot_xf(&self, shank: &Xf, side: Side, leg: &Leg) -> Xf {
        let rot = Mat3::rot_x(leg.ankle) * Mat3::rot_z(-side.sign() * leg.inversion);
        shank.child(v3(0.0, -self.shank, 0.0), rot)
    }
}

/// A rigid transform: a segment's origin (its proximal joint) and axes in world space.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Xf {
    pub pos: Vec3,
    pub rot: Mat3,
}

impl Xf {
    pub fn point(&self, local: Vec3) -> Vec3 {
        self.pos + self.rot * local
    }

    /// The frame of a child segment attached at `offset` and turned by `local_rot`.
    pub fn child(&self, offset: Vec3, local_rot: Mat3) -> Xf {
        Xf {
            pos: self.point(offset),
            rot: self.rot * local_rot,
        }
    }
}

/// Three rotation angles of one joint, radians. For the spine, neck and head: `flex` bends
/// forward, `side` bends to the person's left, `twist` turns to the left. For shoulders and
/// hips: `flex` swings the limb forward, `side` abducts it, `twist` rotates it externally.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Angles {
    pub flex: f32,
    pub side: f32,
    pub twist: f32,
}

impl Angles {
    pub fn spine_rot(&self) -> Mat3 {
        Mat3::xzy(self.flex, -self.side, self.twist)
    }

    pub fn from_spine_rot(m: &Mat3) -> Angles {
        let (a, b, c) = m.to_xzy();
        Angles {
            flex: a,
            side: -b,
            twist: c,
        }
    }

    pub fn limb_rot(&self, side: Side) -> Mat3 {
        let s = side.sign();
        Mat3::xzy(-self.flex, s * self.side, s * self.twist)
    }

    pub fn from_limb_rot(m: &Mat3, side: Side) -> Angles {
        let (a, b, c) = m.to_xzy();
        let s = side.sign();
        Angles {
            flex: -a,
            side: s * b,
            twist: s * c,
        }
    }
}

/// One arm's joint angles (radians): elbow flexion, forearm pronation, wrist flexion.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Arm {
    pub shoulder: Angles,
    pub elbow: f32,
    pub pronation: f32,
    pub wrist: f32,
}

/// One leg's joint angles (radians): knee flexion, ankle plantarflexion and inversion.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Leg {
    pub hip: Angles,
    pub knee: f32,
    pub ankle: f32,
    pub inversion: f32,
}

/// A full body configuration: where the pelvis is, how it is turned, and every joint angle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pose {
    /// Midpoint of the two hip joint centres, world metres.
    pub root: Vec3,
    /// Pelvis axes in world space.
    pub pelvis: Mat3,
    pub lumbar: Angles,
    pub thorax: Angles,
    pub neck: Angles,
    pub head: Angles,
    /// Indexed by [`Side::index`].
    pub arms: [Arm; 2],
    pub legs: [Leg; 2],
}

impl Default for Pose {
    fn default() -> Pose {
        Pose {
            root: Vec3::ZERO,
            pelvis: Mat3::IDENTITY,
            lumbar: Angles::default(),
            thorax: Angles::default(),
            neck: Angles::default(),
            head: Angles::default(),
            arms: [Arm::default(); 2],
            legs: [Leg::default(); 2],
        }
    }
}

/// The body segments, each with its own frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seg {
    Pelvis,
    Lumbar,
    Thorax,
    Neck,
    Head,
    UpperArm(Side),
    Forearm(Side),
    Hand(Side),
    Thigh(Side),
    Shank(Side),
    Foot(Side),
}

pub const SEG_COUNT: usize = 17;

impl Seg {
    pub fn index(self) -> usize {
        // Trunk 0–4, then three segments per arm, then three per leg.
        let k = |s: Side| 3 * s.index();
        match self {
            Seg::Pelvis => 0,
            Seg::Lumbar => 1,
            Seg::Thorax => 2,
            Seg::Neck => 3,
            Seg::Head => 4,
            Seg::UpperArm(s) => 5 + k(s),
            Seg::Forearm(s) => 6 + k(s),
            Seg::Hand(s) => 7 + k(s),
            Seg::Thigh(s) => 11 + k(s),
            Seg::Shank(s) => 12 + k(s),
            Seg::Foot(s) => 13 + k(s),
        }
    }
}

/// World frames of every segment of one pose.
#[derive(Clone, Debug)]
pub struct Skeleton {
    xf: [Xf; SEG_COUNT],
}

impl Skeleton {
    /// Forward kinematics.
    pub fn new(body: &Body, pose: &Pose) -> Skeleton {
        let identity = Xf {
            pos: Vec3::ZERO,
            rot: Mat3::IDENTITY,
        };
        let mut xf = [identity; SEG_COUNT];
        let pelvis = Xf {
            pos: pose.root,
            rot: pose.pelvis,
        };
        let lumbar = body.lumbar_xf(&pelvis, &pose.lumbar);
        let thorax = body.thorax_xf(&lumbar, &pose.thorax);
        let neck = body.neck_xf(&thorax, &pose.neck);
        xf[Seg::Pelvis.index()] = pelvis;
        xf[Seg::Lumbar.index()] = lumbar;
        xf[Seg::Thorax.index()] = thorax;
        xf[Seg::Neck.index()] = neck;
        xf[Seg::Head.index()] = body.head_xf(&neck, &pose.head);
        for side in Side::BOTH {
            let arm = &pose.arms[side.index()];
            let upper = body.upper_arm_xf(&thorax, side, &arm.shoulder);
            let fore = body.forearm_xf(&upper, side, arm);
            xf[Seg::UpperArm(side).index()] = upper;
            xf[Seg::Forearm(side).index()] = fore;
            xf[Seg::Hand(side).index()] = body.hand_xf(&fore, arm);
            let leg = &pose.legs[side.index()];
            let thigh = body.thigh_xf(&pelvis, side, &leg.hip);
            let shank = body.shank_xf(&thigh, leg);
            xf[Seg::Thigh(side).index()] = thigh;
            xf[Seg::Shank(side).index()] = shank;
            xf[Seg::Foot(side).index()] = body.foot_xf(&shank, side, leg);
        }
        Skeleton { xf }
    }

    pub fn seg(&self, s: Seg) -> &Xf {
        &self.xf[s.index()]
    }

    /// A point given in a segment's frame, with x mirrored for right-side segments so that
    /// local coordinates can be written once, for the left.
    pub fn point(&self, seg: Seg, local_left: Vec3) -> Vec3 {
        self.seg(seg).point(mirror_for(seg, local_left))
    }

    /// Where a landmark is, world metres.
    pub fn landmark(&self, body: &Body, lm: &Landmark) -> Vec3 {
        self.point(lm.seg, lm.local * body.scale)
    }

    pub fn hip_centre(&self) -> Vec3 {
        self.seg(Seg::Pelvis).pos
    }
}

/// Mirrors x of a left-side local point for right-side segments.
pub fn mirror_for(seg: Seg, p: Vec3) -> Vec3 {
    match seg {
        Seg::UpperArm(Side::Right)
        | Seg::Forearm(Side::Right)
        | Seg::Hand(Side::Right)
        | Seg::Thigh(Side::Right)
        | Seg::Shank(Side::Right)
        | Seg::Foot(Side::Right) => v3(-p.x, p.y, p.z),
        _ => p,
    }
}

/// A BlazePose landmark on the figure: its segment, its place in that segment's frame (for
/// a 1.70 m body, written for the left side) and how deep inside the body it lies, which is
/// how far in front of it the body may be hit by a camera ray before it counts as hidden.
#[derive(Clone, Debug)]
pub struct Landmark {
    pub name: String,
    pub seg: Seg,
    pub local: Vec3,
    pub depth: f32,
}

/// The 33 BlazePose landmarks in BlazePose order. Shoulders, elbows, wrists, hips, knees and
/// ankles are joint centres (inside the body, where pose models put them); face, hand and
/// foot landmarks are on the surface.
pub fn landmarks() -> Vec<Landmark> {
    use Seg::*;
    let centre = Body::new(Body::REFERENCE_HEIGHT).head_centre;
    let h = |p: Vec3| p + centre;
    let mut out = Vec::with_capacity(33);
    let mut add = |name: String, seg: Seg, local: Vec3, depth: f32| {
        out.push(Landmark {
            name,
            seg,
            local,
            depth,
        });
    };
    add("nose".into(), Head, h(v3(0.0, -0.012, 0.113)), 0.02);
    // Face landmarks: the person's left is +x in the head frame.
    for side in Side::BOTH {
        let s = side.sign();
        let n = side.name();
        add(
            format!("{n}_eye_inner"),
            Head,
            h(v3(0.018 * s, 0.013, 0.088)),
            0.02,
        );
        add(
            format!("{n}_eye"),
            Head,
            h(v3(0.032 * s, 0.014, 0.084)),
            0.02,
        );
        add(
            format!("{n}_eye_outer"),
            Head,
            h(v3(0.047 * s, 0.014, 0.074)),
            0.02,
        );
    }
    for side in Side::BOTH {
        let s = side.sign();
        add(
            format!("{}_ear", side.name()),
            Head,
            h(v3(0.08 * s, -0.002, -0.005)),
            0.02,
        );
    }
    for side in Side::BOTH {
        let s = side.sign();
        add(
            format!("mouth_{}", side.name()),
            Head,
            h(v3(0.021 * s, -0.058, 0.086)),
            0.02,
        );
    }
    /// Name, segment of the side, local point, depth.
    type Sided = (&'static str, fn(Side) -> Seg, Vec3, f32);
    let sided: [Sided; 11] = [
        ("shoulder", UpperArm, Vec3::ZERO, 0.08),
        ("elbow", Forearm, Vec3::ZERO, 0.055),
        ("wrist", Hand, Vec3::ZERO, 0.045),
        ("pinky", Hand, v3(-0.03, -0.155, 0.005), 0.025),
        ("index", Hand, v3(0.015, -0.175, 0.005), 0.025),
        ("thumb", Hand, v3(0.045, -0.1, 0.03), 0.025),
        ("hip", Thigh, Vec3::ZERO, 0.12),
        ("knee", Shank, Vec3::ZERO, 0.07),
        ("ankle", Foot, Vec3::ZERO, 0.055),
        ("heel", Foot, v3(0.0, -0.05, -0.075), 0.025),
        ("foot_index", Foot, v3(-0.015, -0.055, 0.18), 0.025),
    ];
    for (part, seg, local, depth) in sided {
        for side in Side::BOTH {
            add(format!("{}_{part}", side.name()), seg(side), local, depth);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::deg;

    #[test]
    fn landmark_names_are_blazepose_order() {
        let names: Vec<String> = landmarks().into_iter().map(|l| l.name).collect();
        assert_eq!(names.len(), 33);
        assert_eq!(names[0], "nose");
        assert_eq!(names[7], "left_ear");
        assert_eq!(names[10], "mouth_right");
        assert_eq!(names[11], "left_shoulder");
        assert_eq!(names[16], "right_wrist");
        assert_eq!(names[22], "right_thumb");
        assert_eq!(names[23], "left_hip");
        assert_eq!(names[32], "right_foot_index");
    }

    #[test]
    fn standing_rest_pose_has_adult_proportions() {
        let body = Body::new(1.70);
        let mut pose = Pose {
            root: v3(0.0, 0.872, 0.0),
            ..Pose::default()
        };
        let sk = Skeleton::new(&body, &pose);
        let lm = landmarks();
        let find = |n: &str| {
            lm.iter()
                .find(|l| l.name == n)
                .cloned()
                .unwrap_or_else(|| panic!("{n}"))
        };
        let shoulder = sk.landmark(&body, &find("left_shoulder"));
        let ankle = sk.landmark(&body, &find("left_ankle"));
        let nose = sk.landmark(&body, &find("nose"));
        assert!(
            (shoulder.y - 1.39).abs() < 0.03,
            "shoulder at {}",
            shoulder.y
        );
        assert!((ankle.y - 0.072).abs() < 0.01, "ankle at {}", ankle.y);
        assert!(
            nose.y > 1.5 && nose.y < 1.65 && nose.z > 0.1,
            "nose at {nose:?}"
        );
        assert!(shoulder.x > 0.1, "the left shoulder is on +x");
        // Flexing the left hip swings the thigh forward (+z).
        pose.legs[0].hip.flex = deg(90.0);
        let knee = Skeleton::new(&body, &pose).landmark(&body, &find("left_knee"));
        assert!(knee.z > 0.4 && (knee.y - 0.872).abs() < 1e-3, "{knee:?}");
        // Abducting the right arm moves the elbow out to −x.
        pose.arms[1].shoulder.side = deg(90.0);
        let elbow = Skeleton::new(&body, &pose).landmark(&body, &find("right_elbow"));
        assert!(elbow.x < -0.4, "{elbow:?}");
    }

    #[test]
    fn joint_angles_round_trip_through_rotations() {
        let a = Angles {
            flex: 0.4,
            side: -0.2,
            twist: 0.3,
        };
        for side in Side::BOTH {
            let back = Angles::from_limb_rot(&a.limb_rot(side), side);
            assert!((back.flex - a.flex).abs() < 1e-5 && (back.side - a.side).abs() < 1e-5);
            assert!((back.twist - a.twist).abs() < 1e-5);
        }
        let back = Angles::from_spine_rot(&a.spine_rot());
        assert!((back.side - a.side).abs() < 1e-5);
    }
}
