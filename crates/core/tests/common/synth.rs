//! Synthetic keypoint tracks of the exercises with known reps, holds and faults.
//!
//! A stick figure with adult proportions is posed by forward kinematics in its plane of motion
//! (metres, y up, floor at y = 0), moved through a scripted session, and projected into a
//! camera picture with the disturbances real footage has: keypoint noise, one-frame jumps,
//! dropped frames, the person facing either way (mirroring), and a tilted camera (roll).

use std::collections::BTreeMap;
use std::path::Path;

pub use posecheck_core::geometry::Vec2;
use posecheck_core::pose::{Keypoint, Pose};
use posecheck_core::skeleton::{Joint, Part, Side, Skeleton};
use posecheck_core::track::{TrackFrame, TrackHeader, TrackWriter, quantize};

// Segment lengths, metres.
const TORSO: f32 = 0.5;
const UPPER_ARM: f32 = 0.3;
const FOREARM: f32 = 0.27;
const THIGH: f32 = 0.45;
const SHIN: f32 = 0.43;

/// A small deterministic random generator (SplitMix64), so every track is reproducible.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_add(0x9E37_79B9_7F4A_7C15))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f32 {
        let u = self.unit().max(1e-7);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
    }
}

fn dir(deg: f32) -> Vec2 {
    let r = deg.to_radians();
    Vec2::new(r.cos(), r.sin())
}

/// A body in world coordinates: landmark → (position, near the camera?).
#[derive(Clone, Default)]
pub struct Body {
    pub joints: BTreeMap<Joint, (Vec2, bool)>,
}

impl Body {
    fn put(&mut self, part: Part, side: Side, p: Vec2, near: bool) {
        self.joints.insert(part.joint(side), (p, near));
    }

    fn put_nose(&mut self, p: Vec2) {
        self.joints.insert(Joint::Nose, (p, true));
    }

    /// A face looking along `facing` (degrees) from the ear.
    fn head(&mut self, ear: Vec2, facing: f32, near: Side) {
        self.put(Part::Ear, near, ear, true);
        self.put(Part::Ear, near.other(), ear, false);
        let eye = ear + dir(facing) * 0.08;
        self.put(Part::Eye, near, eye, true);
        self.put(Part::Eye, near.other(), eye, false);
        self.put_nose(ear + dir(facing) * 0.11);
    }

    /// A leg from the hip along two directions; the foot points along `toe_dir`.
    fn leg(&mut self, side: Side, near: bool, hip: Vec2, thigh: f32, shin: f32, toe_dir: f32) {
        let knee = hip + dir(thigh) * THIGH;
        let ankle = knee + dir(shin) * SHIN;
        self.put(Part::Hip, side, hip, near);
        self.put(Part::Knee, side, knee, near);
        self.put(Part::Ankle, side, ankle, near);
        self.put(Part::Heel, side, ankle - dir(toe_dir) * 0.06, near);
        self.put(Part::FootIndex, side, ankle + dir(toe_dir) * 0.16, near);
    }

    fn arm(&mut self, side: Side, near: bool, shoulder: Vec2, upper: f32, fore: f32) {
        let elbow = shoulder + dir(upper) * UPPER_ARM;
        self.put(Part::Shoulder, side, shoulder, near);
        self.put(Part::Elbow, side, elbow, near);
        self.put(Part::Wrist, side, elbow + dir(fore) * FOREARM, near);
    }
}

fn lerp(a: f32, b: f32, p: f32) -> f32 {
    a + (b - a) * p
}

/// Smooth start and stop (minimum-jerk-like), as people move.
pub fn ease(x: f32) -> f32 {
    let x = x.clamp(0.0, 1.0);
    x * x * (3.0 - 2.0 * x)
}

/// Faults the generator can put into a rep or hold.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Form {
    pub arm_below: bool,
    pub leg_below: bool,
    pub bent_knee: bool,
    pub same_side: bool,
    pub hips_not_extended: bool,
    pub overarched: bool,
    pub low_lift: bool,
    pub neck_back: bool,
    /// Bird-dog: the arm stays on the floor, only the leg kicks back (a look-alike).
    pub arm_down: bool,
    /// Plank: hips above (+) or below (−) the straight line, fraction of the body length.
    pub hip_offset: f32,
}

/// Bird-dog: on all fours, facing +x; `p` = 0 start, 1 arm and leg extended. `side` is the
/// raised arm's side.
pub fn bird_dog(p: f32, side: Side, form: Form) -> Body {
    let mut b = Body::default();
    let hip = Vec2::new(0.0, THIGH + 0.05);
    let shoulder_height = UPPER_ARM + FOREARM + 0.03;
    let tilt = ((shoulder_height - hip.y) / TORSO).asin().to_degrees();
    let shoulder = hip + dir(tilt) * TORSO;
    let near = Side::Left;
    let arm_target = if form.arm_below { -32.0 } else { 2.0 };
    let leg_side = if form.same_side { side } else { side.other() };
    // A leg clearly below level: 30 degrees. The template's threshold is on what the pose
    // model reads, which puts a level thigh 8-13 degrees low (its hip sits above the joint);
    // these exact joints have no such bias.
    let leg_target = if form.leg_below { 210.0 } else { 178.0 };
    for s in [Side::Left, Side::Right] {
        let is_near = s == near;
        if s == side && !form.arm_down {
            let upper = lerp(-90.0, arm_target, p);
            b.arm(s, is_near, shoulder, upper, upper);
        } else {
            b.arm(s, is_near, shoulder, -90.0, -90.0);
        }
        if s == leg_side {
            let thigh = lerp(270.0, leg_target, p);
            let shin = if form.bent_knee {
                lerp(180.0, 100.0, p)
            } else {
                lerp(180.0, leg_target, p)
            };
            b.leg(
                s,
                is_near,
                hip,
                thigh,
                shin,
                lerp(270.0, 270.0 + (leg_target - 180.0), p),
            );
        } else {
            b.leg(s, is_near, hip, 270.0, 180.0, 270.0);
        }
    }
    b.head(shoulder + dir(tilt + 15.0) * 0.15, -30.0, near);
    b
}

/// Knee position for a hip and an ankle (two-link inverse kinematics, knee up).
fn knee_between(hip: Vec2, ankle: Vec2) -> Vec2 {
    let d = ankle - hip;
    let l = d.length().min(THIGH + SHIN - 1e-3);
    let a = ((THIGH * THIGH + l * l - SHIN * SHIN) / (2.0 * THIGH * l))
        .clamp(-1.0, 1.0)
        .acos();
    let base = d.y.atan2(d.x);
    // The knee is above the hip-ankle line: rotate towards +y.
    let ang = if d.x >= 0.0 { base + a } else { base - a };
    hip + Vec2::new(ang.cos(), ang.sin()) * THIGH
}

fn angle_at(a: Vec2, b: Vec2, c: Vec2) -> f32 {
    posecheck_core::geometry::joint_angle(a, b, c)
}

/// Glute bridge, lying on the back with the head towards −x; `p` = 0 hips down, 1 top.
pub fn glute_bridge(p: f32, form: Form) -> Body {
    let shoulder = Vec2::new(-0.5, 0.1);
    let ankle = Vec2::new(0.58, 0.08);
    let hip_at = |alpha: f32| shoulder + dir(alpha) * TORSO;
    let hip_angle = |alpha: f32| {
        let h = hip_at(alpha);
        angle_at(shoulder, h, knee_between(h, ankle))
    };
    // The lift (hip rotation about the shoulders) that gives the wanted hip angle at the top.
    let target = if form.hips_not_extended { 161.0 } else { 176.0 };
    let mut top = 0.0f32;
    while top < 60.0 && hip_angle(top) < target {
        top += 0.25;
    }
    if form.overarched {
        top += 12.0;
    }
    let hip = hip_at(lerp(0.0, top, p));
    let knee = knee_between(hip, ankle);
    let mut b = Body::default();
    for s in [Side::Left, Side::Right] {
        let near = s == Side::Left;
        b.put(Part::Shoulder, s, shoulder, near);
        b.put(Part::Elbow, s, shoulder + Vec2::new(UPPER_ARM, -0.04), near);
        b.put(
            Part::Wrist,
            s,
            shoulder + Vec2::new(UPPER_ARM + FOREARM, -0.06),
            near,
        );
        b.put(Part::Hip, s, hip, near);
        b.put(Part::Knee, s, knee, near);
        b.put(Part::Ankle, s, ankle, near);
        b.put(Part::Heel, s, ankle + Vec2::new(-0.04, -0.05), near);
        b.put(Part::FootIndex, s, ankle + Vec2::new(0.15, -0.06), near);
    }
    b.head(shoulder + Vec2::new(-0.15, 0.03), 80.0, Side::Left);
    b
}

/// Superman, lying face down with the head towards +x; `p` = 0 flat, 1 lifted.
pub fn superman(p: f32, form: Form) -> Body {
    let (chest, legs) = if form.low_lift {
        (9.0, 6.0)
    } else {
        (20.0, 14.0)
    };
    let chest = lerp(2.0, chest, p);
    let legs = lerp(1.0, legs, p);
    let hip = Vec2::new(0.0, 0.1);
    let shoulder = hip + dir(chest) * TORSO;
    let mut b = Body::default();
    for s in [Side::Left, Side::Right] {
        let near = s == Side::Left;
        b.arm(s, near, shoulder, chest + 8.0, chest + 8.0);
        b.leg(s, near, hip, 180.0 - legs, 180.0 - legs, 200.0);
    }
    let neck = if form.neck_back {
        chest + 65.0
    } else {
        chest + 12.0
    };
    let face = if form.neck_back {
        chest + 20.0
    } else {
        chest - 50.0
    };
    b.head(shoulder + dir(neck) * 0.15, face, Side::Left);
    b
}

/// Forearm plank, side view, head towards +x; `p` = 0 lying propped, 1 in the plank.
pub fn plank(p: f32, form: Form) -> Body {
    let elbow = Vec2::new(0.0, 0.03);
    let shoulder = elbow + Vec2::new(0.0, UPPER_ARM);
    let ankle = Vec2::new(-1.45, lerp(0.06, 0.1, p));
    let line = ankle - shoulder;
    let len = line.length();
    let n = {
        let n = Vec2::new(-line.y, line.x) * (1.0 / len);
        if n.y < 0.0 { n * -1.0 } else { n }
    };
    // Straight: the hip joint sits a little above the shoulder–ankle line (body thickness).
    let offset = lerp(-0.12, 0.04 + form.hip_offset, p) * len;
    let hip = shoulder + line * (TORSO / len) + n * offset;
    let knee = hip + (ankle - hip) * (THIGH / (THIGH + SHIN));
    let mut b = Body::default();
    for s in [Side::Left, Side::Right] {
        let near = s == Side::Left;
        b.put(Part::Shoulder, s, shoulder, near);
        b.put(Part::Elbow, s, elbow, near);
        b.put(Part::Wrist, s, elbow + Vec2::new(FOREARM, 0.0), near);
        b.put(Part::Hip, s, hip, near);
        b.put(Part::Knee, s, knee, near);
        b.put(Part::Ankle, s, ankle, near);
        b.put(Part::Heel, s, ankle + Vec2::new(-0.04, 0.04), near);
        b.put(Part::FootIndex, s, ankle + Vec2::new(0.08, -0.08), near);
    }
    b.head(shoulder + dir(25.0) * 0.15, -20.0, Side::Left);
    b
}

/// Side plank seen from the front, propped on the `support` forearm, head towards +x;
/// `p` = 0 lying on the side, 1 hips lifted into the straight line.
pub fn side_plank(p: f32, support: Side, hip_drop: f32) -> Body {
    let elbow = Vec2::new(0.0, 0.02);
    let low_shoulder = elbow + Vec2::new(0.02, UPPER_ARM);
    let low_ankle = Vec2::new(-1.45, 0.06);
    // Shoulders and ankles stacked across the body line.
    let axis = low_shoulder - low_ankle;
    let len = axis.length();
    let up = {
        let n = Vec2::new(-axis.y, axis.x) * (1.0 / len);
        if n.y < 0.0 { n * -1.0 } else { n }
    };
    let high_shoulder = low_shoulder + up * 0.36;
    let high_ankle = low_ankle + up * 0.1;
    let mid_shoulder = low_shoulder.midpoint(high_shoulder);
    let mid_ankle = low_ankle.midpoint(high_ankle);
    let line = mid_ankle - mid_shoulder;
    // Lying: the lower hip on the floor; lifted: on the line, minus any drop.
    let straight = mid_shoulder + line * (TORSO / line.length());
    let lying = Vec2::new(straight.x, 0.03) + up * 0.15;
    let mid_hip = Vec2::new(lerp(lying.x, straight.x, p), lerp(lying.y, straight.y, p))
        - up * (hip_drop * len * p);
    let (low_hip, high_hip) = (mid_hip - up * 0.15, mid_hip + up * 0.15);
    let mut b = Body::default();
    let top = support.other();
    b.put(Part::Shoulder, support, low_shoulder, true);
    b.put(Part::Elbow, support, elbow, true);
    b.put(Part::Wrist, support, elbow + Vec2::new(FOREARM, 0.0), true);
    b.put(Part::Shoulder, top, high_shoulder, true);
    // The top hand rests on the waist.
    b.put(Part::Elbow, top, high_shoulder + Vec2::new(-0.1, 0.2), true);
    b.put(Part::Wrist, top, high_hip + Vec2::new(0.05, 0.05), true);
    for (s, hip, ankle) in [(support, low_hip, low_ankle), (top, high_hip, high_ankle)] {
        let knee = hip + (ankle - hip) * (THIGH / (THIGH + SHIN));
        b.put(Part::Hip, s, hip, true);
        b.put(Part::Knee, s, knee, true);
        b.put(Part::Ankle, s, ankle, true);
        b.put(Part::Heel, s, ankle + Vec2::new(-0.05, 0.0), true);
        b.put(Part::FootIndex, s, ankle + Vec2::new(0.05, -0.05), true);
    }
    let head = mid_shoulder + dir(20.0) * 0.25;
    b.put(Part::Ear, support, head - up * 0.07, true);
    b.put(Part::Ear, top, head + up * 0.07, true);
    b.put(
        Part::Eye,
        support,
        head + Vec2::new(0.06, 0.0) - up * 0.03,
        true,
    );
    b.put(
        Part::Eye,
        top,
        head + Vec2::new(0.06, 0.0) + up * 0.03,
        true,
    );
    b.put_nose(head + Vec2::new(0.09, 0.0));
    b
}

/// Single-leg stance, facing +x, filmed from the side: standing on the left leg (near the
/// camera), the right knee raised by `raise` (0: foot down beside the other, 1: thigh level),
/// arms hanging, and the whole body leaning forward about the standing ankle by `lean`
/// radians: sway as an inverted pendulum, the standing foot flat on the floor.
pub fn single_leg_stance(raise: f32, lean: f32) -> Body {
    let mut b = Body::default();
    let ankle = Vec2::new(0.0, 0.08);
    let hip = ankle + Vec2::new(0.0, SHIN + THIGH);
    b.leg(Side::Left, true, hip, -90.0, -90.0, 0.0);
    b.leg(Side::Right, false, hip, lerp(-90.0, 0.0, raise), -90.0, 0.0);
    let shoulder = hip + Vec2::new(0.0, TORSO);
    b.arm(Side::Left, true, shoulder, -95.0, -90.0);
    b.arm(Side::Right, false, shoulder, -85.0, -90.0);
    for side in [Side::Left, Side::Right] {
        let wrist = b.joints[&Part::Wrist.joint(side)];
        b.joints.insert(
            index_finger(side),
            (wrist.0 + Vec2::new(0.0, -0.08), wrist.1),
        );
    }
    b.head(shoulder + Vec2::new(0.0, 0.22), 0.0, Side::Left);
    let planted = [Joint::LeftHeel, Joint::LeftFootIndex];
    for (joint, (p, _)) in b.joints.iter_mut() {
        if !planted.contains(joint) {
            *p = ankle + (*p - ankle).rotated(-lean);
        }
    }
    b
}

fn index_finger(side: Side) -> Joint {
    match side {
        Side::Left => Joint::LeftIndex,
        Side::Right => Joint::RightIndex,
    }
}

/// How the body is filmed and how imperfect the keypoints are.
#[derive(Clone, Debug)]
pub struct Camera {
    pub width: u32,
    pub height: u32,
    pub fps: f64,
    pub px_per_m: f32,
    /// Where world (0, 0) lands in the picture.
    pub origin: Vec2,
    /// Camera roll, degrees clockwise.
    pub roll_deg: f32,
    /// The person faces the other way.
    pub mirror: bool,
    /// Keypoint noise, pixels (standard deviation).
    pub noise_px: f32,
    /// Chance per keypoint per frame of a one-frame jump.
    pub jump_chance: f32,
    /// Chance per frame that the model found nobody.
    pub drop_chance: f32,
    /// Filming along the body instead of from the side: the body's length shrinks by this
    /// factor (1 = side view) and left and right spread apart by `spread_m`.
    pub foreshorten: f32,
    pub spread_m: f32,
    pub seed: u64,
}

impl Default for Camera {
    fn default() -> Self {
        Camera {
            width: 1280,
            height: 720,
            fps: 30.0,
            px_per_m: 420.0,
            origin: Vec2::new(760.0, 560.0),
            roll_deg: 0.0,
            mirror: false,
            noise_px: 1.5,
            jump_chance: 0.0,
            drop_chance: 0.0,
            foreshorten: 1.0,
            spread_m: 0.0,
            seed: 1,
        }
    }
}

impl Camera {
    /// Projects a body into a pose in picture pixels (with noise).
    pub fn shoot(&self, body: &Body, rng: &mut Rng) -> Option<Pose> {
        if self.drop_chance > 0.0 && rng.unit() < self.drop_chance {
            return None;
        }
        let centre = Vec2::new(self.width as f32 / 2.0, self.height as f32 / 2.0);
        let roll = self.roll_deg.to_radians();
        let mut pose = Pose::default();
        for (joint, (p, near)) in &body.joints {
            // The far side sits a little deeper: slightly smaller and partly hidden.
            let depth = if *near { 1.0 } else { 0.96 };
            let lateral = match joint.name() {
                n if n.starts_with("left") => -self.spread_m,
                n if n.starts_with("right") => self.spread_m,
                _ => 0.0,
            };
            let x = p.x * self.foreshorten + lateral;
            let mut q =
                Vec2::new(x * self.px_per_m * depth, -p.y * self.px_per_m * depth) + self.origin;
            if self.mirror {
                q.x = self.width as f32 - q.x;
            }
            q = centre + (q - centre).rotated(roll);
            let mut noise = Vec2::new(rng.normal(), rng.normal()) * self.noise_px;
            if self.jump_chance > 0.0 && rng.unit() < self.jump_chance {
                noise = noise + Vec2::new(rng.normal(), rng.normal()) * 12.0;
            }
            q = q + noise;
            pose.keypoints[joint.index()] = Keypoint {
                x: q.x,
                y: q.y,
                z: if *near { -0.1 } else { 0.1 },
                visibility: if *near { 0.97 } else { 0.75 },
            };
        }
        quantize(&mut pose);
        Some(pose)
    }
}

/// A scripted movement: pieces of (seconds, target of `p`), eased between.
#[derive(Clone, Debug, Default)]
pub struct Script {
    pub pieces: Vec<(f64, f32)>,
}

impl Script {
    pub fn new(start: f32) -> Script {
        Script {
            pieces: vec![(0.0, start)],
        }
    }

    /// Moves to `target` over `secs` (or stays, when the target is unchanged).
    pub fn to(mut self, secs: f64, target: f32) -> Script {
        self.pieces.push((secs, target));
        self
    }

    pub fn duration(&self) -> f64 {
        self.pieces.iter().map(|(s, _)| s).sum()
    }

    /// The value of `p` at time `t`.
    pub fn at(&self, t: f64) -> f32 {
        let mut start = 0.0;
        let mut from = self.pieces[0].1;
        for &(secs, to) in &self.pieces[1..] {
            if t < start + secs {
                return lerp(from, to, ease(((t - start) / secs) as f32));
            }
            start += secs;
            from = to;
        }
        from
    }

    /// Start and end times of each piece that ends at `target` and stays there (the holds).
    pub fn plateaus(&self, target: f32) -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        let mut t = 0.0;
        let mut prev = self.pieces[0].1;
        for &(secs, to) in &self.pieces[1..] {
            if to == target && prev == target {
                out.push((t, t + secs));
            }
            t += secs;
            prev = to;
        }
        out
    }
}

/// Writes frames of `pose_at(t)` through `camera` as a keypoint track; returns the frame count.
pub fn write_track(
    path: &Path,
    camera: &Camera,
    duration: f64,
    mut body_at: impl FnMut(f64) -> Body,
) -> usize {
    let header = TrackHeader::new(
        Skeleton::BlazePose33,
        (camera.width, camera.height),
        camera.fps,
        "synthetic",
        "ground_truth",
    );
    let mut w = TrackWriter::create(path, &header).expect("track file");
    let mut rng = Rng::new(camera.seed);
    let frames = (duration * camera.fps).round() as usize;
    for i in 0..frames {
        let t = i as f64 / camera.fps;
        let pose = camera.shoot(&body_at(t), &mut rng);
        w.write(&TrackFrame { t, pose }).expect("track frame");
    }
    w.finish().expect("track written");
    frames
}
