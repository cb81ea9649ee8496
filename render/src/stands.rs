//! Standing balance exercises: feet together, tandem stance, single-leg stance, on the toes,
//! single leg on the toes, head turns on the toes and turning on the spot, each one attempt
//! with scripted postural sway and a scripted end; the head turns also look right, left and
//! up at scripted times, and the turning turns the whole body about the vertical.
//!
//! The body stands on the mat facing along the stage's `u` (the floor exercises' head end), so
//! the side camera sees the profile and the front camera the face. Sway is an inverted
//! pendulum: everything above the planted feet turns about the standing ankle (the ankles'
//! midpoint with both feet down) by the angle that moves the true centre of mass by exactly the
//! scripted displacement, solved frame by frame; the planted feet stay put and their legs are
//! solved to them. The true centre of mass uses posecheck's own segment model
//! ([`posecheck_core::balance::com::SEGMENTS`], Dempster via Winter 2009) on the figure's 3-D
//! landmarks, so truth and measurement differ only by what the camera and pose model do.

use posecheck_core::balance::com::{End, SEGMENTS};
use posecheck_core::skeleton::Part;
use serde::{Deserialize, Serialize};

use crate::exercises::{Exercise, MAT_TOP};
use crate::figure::{Figure, Group, lowest};
use crate::math::{Mat3, Vec3, bisect, ease_in_out, lerp, v3};
use crate::rig::{MIN_BEND, Rig};
use crate::skeleton::{Body, Landmark, Pose, Side, Skeleton};
use crate::variants::Variant;

/// The horizontal direction the scripted sway moves the centre of mass.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum SwayAxis {
    /// Along the person's left-right axis (seen by a front camera).
    SideToSide,
    /// Along the way the person faces (seen by a side camera).
    FrontToBack,
}

/// What ends the attempt, in the words of posecheck's report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum StandEnd {
    /// The raised foot comes down (single-leg stances).
    TouchDown,
    /// A foot steps out sideways to a new place (feet together, tandem).
    Step,
    /// The heels come down (on the toes).
    HeelsDropped,
    /// The hands leave the waist for the sides (feet together, tandem).
    HandsLeftWaist,
    /// Nothing: the stance is held to the end of the clip.
    TimeUp,
}

impl StandEnd {
    pub fn name(self) -> &'static str {
        match self {
            StandEnd::TouchDown => "touch_down",
            StandEnd::Step => "step",
            StandEnd::HeelsDropped => "heels_dropped",
            StandEnd::HandsLeftWaist => "hands_left_waist",
            StandEnd::TimeUp => "time_up",
        }
    }
}

/// The standing exercises.
pub const STANDS: [Exercise; 7] = [
    Exercise::FeetTogetherStand,
    Exercise::TandemStance,
    Exercise::SingleLegStance,
    Exercise::HeelRaise,
    Exercise::SingleLegToeStand,
    Exercise::HeadTurns,
    Exercise::Turning,
];

/// Turning on the spot (routine exercise 9: "turn around your axis, stepping with your feet"):
/// whole turns at a steady pace, the feet together turning with the body, hands on the waist.
const TURN_DEG_PER_S: f64 = 90.0;

/// The turning's whole turns: when they begin, how many, and which way.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Turning {
    pub begin: f64,
    pub turns: u32,
    /// The way the body turns: to its left (anticlockwise seen from above) or right.
    pub towards: Side,
}

impl Turning {
    fn turn_s() -> f64 {
        360.0 / TURN_DEG_PER_S
    }

    pub fn end(&self) -> f64 {
        self.begin + f64::from(self.turns) * Turning::turn_s()
    }

    /// The turn under way at `t`, numbered from 1.
    pub fn turn_at(&self, t: f64) -> Option<u32> {
        (self.begin..self.end())
            .contains(&t)
            .then(|| ((t - self.begin) / Turning::turn_s()) as u32 + 1)
    }

    /// Each whole turn's start and end.
    pub fn spans(&self) -> Vec<(f64, f64)> {
        (0..self.turns)
            .map(|i| {
                let a = self.begin + f64::from(i) * Turning::turn_s();
                (a, a + Turning::turn_s())
            })
            .collect()
    }

    /// The body's turn about the vertical at `t` (+ to its left).
    fn rotation(&self, t: f64) -> Mat3 {
        let a = TURN_DEG_PER_S * (t.clamp(self.begin, self.end()) - self.begin);
        Mat3::axis_angle(Vec3::Y, self.towards.sign() * a.to_radians() as f32)
    }
}

/// Where a look of the head turns goes (routine exercise 10: "look right, left, up, forward").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LookDir {
    Right,
    Left,
    Up,
}

/// One look: the head turns away from forward, stays there and comes back.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Look {
    pub dir: LookDir,
    /// The head starts to turn, seconds from the clip's start.
    pub begin: f64,
}

/// How far the head turns (left and right, about the vertical) and tips back to look up, and
/// how long a look takes: a comfortable range, short of the neck's limits (about 80° of
/// rotation, 60-70° of extension, for neck and head together).
const LOOK_YAW_DEG: f32 = 70.0;
const LOOK_UP_DEG: f32 = 35.0;
const LOOK_TURN_S: f64 = 0.7;
const LOOK_HELD_S: f64 = 1.0;
const LOOK_PAUSE_S: f64 = 0.8;

impl Look {
    /// The middle of the time the head is held fully turned (the rep's top, as the truth's
    /// tops are the middle of the time at the top).
    pub fn top(&self) -> f64 {
        self.begin + LOOK_TURN_S + 0.5 * LOOK_HELD_S
    }

    /// When the head is back facing forward.
    pub fn end(&self) -> f64 {
        self.begin + 2.0 * LOOK_TURN_S + LOOK_HELD_S
    }

    /// The side looked to (none for a look up).
    pub fn side(&self) -> Option<Side> {
        match self.dir {
            LookDir::Right => Some(Side::Right),
            LookDir::Left => Some(Side::Left),
            LookDir::Up => None,
        }
    }

    /// How far the look has gone at `t`, 0-1.
    fn progress(&self, t: f64) -> f32 {
        let out = ease_in_out((t - self.begin) / LOOK_TURN_S);
        let back = ease_in_out((t - self.begin - LOOK_TURN_S - LOOK_HELD_S) / LOOK_TURN_S);
        (out - back) as f32
    }
}

/// `n` looks in the routine's order (right, left, up, again), the first `from` seconds into
/// the clip; and the time they take.
fn looks(n: u32, from: f64) -> (Vec<Look>, f64) {
    const ORDER: [LookDir; 3] = [LookDir::Right, LookDir::Left, LookDir::Up];
    let period = 2.0 * LOOK_TURN_S + LOOK_HELD_S + LOOK_PAUSE_S;
    let looks = (0..n)
        .map(|i| Look {
            dir: ORDER[i as usize % ORDER.len()],
            begin: from + LOOK_PAUSE_S + f64::from(i) * period,
        })
        .collect();
    (looks, LOOK_PAUSE_S + f64::from(n) * period)
}

/// The sway and the end of a stand, as resolved from the script.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StandScript {
    /// Peak centre-of-mass displacement of the sine (its RMS is this over √2), metres.
    pub sway_m: f64,
    pub sway_hz: f64,
    pub axis: SwayAxis,
    pub ended_by: StandEnd,
    /// The stand's scripted movements: the head turns' looks (right, left, up, in turn), the
    /// turning's whole turns; 0 for the other stands.
    pub reps: u32,
    /// How a single-leg stand raises its foot (`--variant`): knee up in front when none.
    pub variant: Option<Variant>,
}

impl StandScript {
    /// Checks that the stand can end this way.
    pub fn check(&self, e: Exercise) -> anyhow::Result<()> {
        let fits = match self.ended_by {
            StandEnd::TimeUp => true,
            StandEnd::TouchDown => one_leg(e),
            StandEnd::HeelsDropped => on_toes(e),
            StandEnd::Step | StandEnd::HandsLeftWaist => {
                matches!(e, Exercise::FeetTogetherStand | Exercise::TandemStance)
            }
        };
        anyhow::ensure!(
            fits,
            "--ended-by {} does not apply to {}",
            self.ended_by.name(),
            e.name()
        );
        Ok(())
    }
}

fn one_leg(e: Exercise) -> bool {
    matches!(e, Exercise::SingleLegStance | Exercise::SingleLegToeStand)
}

fn on_toes(e: Exercise) -> bool {
    matches!(
        e,
        Exercise::HeelRaise | Exercise::SingleLegToeStand | Exercise::HeadTurns
    )
}

/// The attempt's timing, seconds from the clip's start.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// The movement into the stance begins (hands to the waist, leg or heels up).
    pub moving: f64,
    /// The stance is reached: the attempt starts.
    pub start: f64,
    /// The movement that ends the attempt begins (the foot or heels on their way down, or at
    /// `end` for a step and the hands leaving).
    pub leaving: f64,
    /// The attempt ends: the foot touches down, the stepping foot or the hands leave their
    /// place, the heels reach the floor, or the clip ends (time up).
    pub end: f64,
    /// The ending movement is over.
    pub settled: f64,
    pub duration: f64,
}

/// Heel lift on the toes: the feet turn this far about the balls of the feet.
const TOE_ANGLE_DEG: f32 = 25.0;
/// How far a step-out goes to the side, metres for a 1.70 m body.
const STEP_OUT: f32 = 0.30;

/// The stand of one clip.
pub struct Stand {
    pub exercise: Exercise,
    pub script: StandScript,
    pub timing: Timing,
    /// The standing leg of a single-leg stance (the back foot of the tandem stance).
    pub standing: Side,
    /// The head turns' looks (none for the other stands).
    pub looks: Vec<Look>,
    /// The turning's turns.
    pub turning: Option<Turning>,
    body: Body,
    figure: Figure,
    landmarks: Vec<Landmark>,
    /// The way the person faces, their left, up.
    ahead: Vec3,
    left: Vec3,
    /// Ankle height above the floor with the foot flat on the mat.
    ankle_h: f32,
    /// Sideways shift of the hips that puts the centre of mass over the standing foot.
    weight_shift: f32,
    /// Tempo of the movements into and out of the stance.
    up_s: f64,
    down_s: f64,
}

/// How far each movement has gone at one moment, 0-1 (and the sway turn, radians).
#[derive(Clone, Copy, Debug, Default)]
struct Controls {
    hands: f32,
    arms_out: f32,
    leg: f32,
    heels: f32,
    step: f32,
    /// Hips moved towards the standing side, metres.
    shift: f32,
    turn: f32,
    /// The head turned about the vertical (+ to the person's left) and tipped back to look
    /// up, radians.
    head_yaw: f32,
    head_up: f32,
}

/// One frame's true centre of mass.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ComTruth {
    /// World position, metres.
    pub position: Vec3,
    /// Horizontal displacement over the standing foot (the ankles' midpoint with both feet
    /// down): (side to side, + to the person's left; front to back, + forward), metres.
    pub over_foot: (f32, f32),
    /// Whether one foot is off the floor.
    pub on_one_foot: bool,
}

impl Stand {
    /// The stand of `exercise` for `body`, facing `ahead` (horizontal, unit), timed from the
    /// rest before it, the movement's tempo, the attempt's length (at least as long as the
    /// head turns' looks) and the rest after it.
    pub fn new(
        exercise: Exercise,
        script: StandScript,
        standing: Side,
        body: Body,
        ahead: Vec3,
        (rest_s, up_s, hold_s, down_s, rest_end_s): (f64, f64, f64, f64, f64),
    ) -> Stand {
        let start = rest_s + up_s;
        let (looks, looking_s) = match exercise {
            Exercise::HeadTurns => looks(script.reps, start),
            _ => (Vec::new(), 0.0),
        };
        let turning = (exercise == Exercise::Turning).then_some(Turning {
            begin: start + 0.5,
            turns: script.reps,
            towards: standing,
        });
        let turning_s = turning.map_or(0.0, |tr| tr.end() - start + 0.5);
        let end = start + hold_s.max(looking_s).max(turning_s);
        let (leaving, settled) = match script.ended_by {
            StandEnd::TimeUp => (end, end),
            StandEnd::TouchDown | StandEnd::HeelsDropped => (end - down_s, end),
            StandEnd::Step | StandEnd::HandsLeftWaist => (end, end + down_s),
        };
        let duration = match script.ended_by {
            StandEnd::TimeUp => end,
            _ => settled + rest_end_s,
        };
        let figure = Figure::new(&body);
        let mut stand = Stand {
            exercise,
            script,
            timing: Timing {
                moving: rest_s,
                start,
                leaving,
                end,
                settled,
                duration,
            },
            standing,
            looks,
            turning,
            ankle_h: 0.08 * body.scale,
            body,
            figure,
            landmarks: crate::skeleton::landmarks(),
            ahead,
            left: Vec3::Y.cross(ahead),
            weight_shift: 0.0,
            up_s,
            down_s,
        };
        // Flat feet rest on the mat.
        let flat = stand.pose_with(&Controls::default());
        let sk = Skeleton::new(&stand.body, &flat);
        let feet: Vec<_> = stand
            .figure
            .pose(&sk)
            .into_iter()
            .filter(|p| matches!(p.group, Group::Leg(_)))
            .collect();
        stand.ankle_h += MAT_TOP - lowest(&feet);
        if one_leg(exercise) {
            // On one leg the centre of mass is over the standing foot.
            let raised = |shift: f32| Controls {
                hands: 1.0,
                leg: 1.0,
                heels: if on_toes(exercise) { 1.0 } else { 0.0 },
                shift,
                ..Controls::default()
            };
            let off = |shift: f32| {
                let sk = Skeleton::new(&stand.body, &stand.pose_with(&raised(shift)));
                stand.truth_of(&sk).over_foot.0
            };
            let reach = 0.2 * stand.body.scale;
            stand.weight_shift = bisect(-reach, reach, off);
        }
        stand
    }

    fn k(&self, x: f32) -> f32 {
        x * self.body.scale
    }

    /// The foot that moves: the raised one, or the one that steps out.
    fn free(&self) -> Side {
        self.standing.other()
    }

    /// Where the ankles stand flat, before any step (world, at ankle height).
    fn planted(&self, side: Side) -> Vec3 {
        let lat = self.left * side.sign();
        let at = |l: f32, a: f32| lat * self.k(l) + self.ahead * self.k(a) + Vec3::Y * self.ankle_h;
        match self.exercise {
            // Front heel at the back toes: ankles a foot length apart, in one line.
            Exercise::TandemStance => {
                if side == self.standing {
                    at(0.02, -0.1275)
                } else {
                    at(0.02, 0.1275)
                }
            }
            _ => at(0.055, 0.0),
        }
    }

    /// The movements at time `t`.
    fn controls(&self, t: f64) -> Controls {
        let tm = &self.timing;
        let rise = ease_in_out((t - tm.moving) / self.up_s) as f32;
        // The movement that ends the attempt: a foot or the heels coming down (over by `end`),
        // a step or the hands going (from `end`).
        let leaving = ease_in_out((t - tm.leaving) / self.down_s) as f32;
        let falling = 1.0 - leaving;
        let ends = |e: StandEnd| self.script.ended_by == e;
        let mut c = Controls::default();
        match self.exercise {
            Exercise::FeetTogetherStand | Exercise::TandemStance | Exercise::Turning => {
                c.hands = rise;
                if ends(StandEnd::HandsLeftWaist) {
                    c.arms_out = leaving;
                }
                if ends(StandEnd::Step) {
                    c.step = leaving;
                }
            }
            _ => {
                c.hands = 1.0;
                let up = if ends(StandEnd::TouchDown) || ends(StandEnd::HeelsDropped) {
                    rise.min(falling)
                } else {
                    rise
                };
                if one_leg(self.exercise) {
                    c.leg = up;
                    c.shift = self.weight_shift * up;
                }
                if on_toes(self.exercise) {
                    c.heels = up;
                }
            }
        }
        for look in &self.looks {
            let p = look.progress(t);
            match look.dir {
                LookDir::Left => c.head_yaw += LOOK_YAW_DEG.to_radians() * p,
                LookDir::Right => c.head_yaw -= LOOK_YAW_DEG.to_radians() * p,
                LookDir::Up => c.head_up += LOOK_UP_DEG.to_radians() * p,
            }
        }
        c
    }

    /// The look under way at `t` (from the head starting to turn until it faces forward
    /// again), with its number from 1.
    pub fn look_at(&self, t: f64) -> Option<(u32, &Look)> {
        let i = self
            .looks
            .iter()
            .position(|l| (l.begin..l.end()).contains(&t))?;
        Some((i as u32 + 1, &self.looks[i]))
    }

    /// The horizontal displacement the script asks of the centre of mass at `t`, metres.
    fn sway_at(&self, t: f64) -> f64 {
        self.script.sway_m * (std::f64::consts::TAU * self.script.sway_hz * t).sin()
    }

    fn axis(&self) -> Vec3 {
        match self.script.axis {
            SwayAxis::SideToSide => self.left,
            SwayAxis::FrontToBack => self.ahead,
        }
    }

    /// The pose at time `t`: the stance's movements, then the pendulum turn that moves the
    /// centre of mass to the scripted displacement.
    pub fn pose(&self, t: f64) -> Pose {
        let mut c = self.controls(t);
        let want = self.sway_at(t) as f32;
        if want != 0.0 {
            let along = |turn: f32| {
                let sk = Skeleton::new(&self.body, &self.pose_with(&Controls { turn, ..c }));
                self.com(&sk).dot(self.axis())
            };
            let still = along(0.0);
            c.turn = bisect(-0.3, 0.3, |a| along(a) - still - want);
        }
        let mut pose = self.pose_with(&c);
        if let Some(turning) = &self.turning {
            // The whole body turns about the vertical through the feet.
            let r = turning.rotation(t);
            let feet = self
                .planted(Side::Left)
                .lerp(self.planted(Side::Right), 0.5);
            let centre = v3(feet.x, 0.0, feet.z);
            pose.root = centre + r * (pose.root - centre);
            pose.pelvis = r * pose.pelvis;
        }
        pose
    }

    /// The way the body faces at `t` (horizontal, unit).
    pub fn heading(&self, t: f64) -> Vec3 {
        match &self.turning {
            Some(turning) => turning.rotation(t) * self.ahead,
            None => self.ahead,
        }
    }

    /// The pose for given controls.
    fn pose_with(&self, c: &Controls) -> Pose {
        let (ahead, left, up) = (self.ahead, self.left, Vec3::Y);
        let free = self.free();
        // On the toes the foot turns about the ball (under the toes' base, ahead of the ankle).
        let toe_turn = Mat3::axis_angle(left, TOE_ANGLE_DEG.to_radians() * c.heels);
        let on_toes = |ankle: Vec3| {
            let ball = ankle + ahead * self.k(0.14) - up * (ankle.y - MAT_TOP);
            ball + toe_turn * (ankle - ball)
        };
        let stand_ankle = on_toes(self.planted(self.standing));
        // The free foot: raised in front (knee up), behind (knee bent) or just off the floor,
        // or stepping out sideways, or planted.
        let free_flat = self.planted(free);
        let (raise_up, raise_ahead) = match self.script.variant {
            Some(Variant::FootBehind) => (0.40, -0.42),
            Some(Variant::LowLift) => (0.10, -0.04),
            _ => (0.36, 0.30),
        };
        let raised = free_flat + up * self.k(raise_up) + ahead * self.k(raise_ahead);
        let lift = c.leg;
        let stepped = free_flat
            + left * (free.sign() * self.k(STEP_OUT) * c.step)
            + up * (self.k(0.08) * (std::f32::consts::PI * c.step).sin());
        let free_ankle = if one_leg(self.exercise) {
            free_flat.lerp(raised, lift) + up * (self.k(0.04) * (std::f32::consts::PI * lift).sin())
        } else if c.step > 0.0 {
            stepped
        } else {
            on_toes(free_flat)
        };
        // The pendulum's pivot: the standing ankle, or between the ankles with both feet down.
        let both = stand_ankle.lerp(free_ankle, 0.5);
        let pivot = both.lerp(stand_ankle, lift);
        let turn = Mat3::axis_angle(
            match self.script.axis {
                SwayAxis::SideToSide => ahead,
                SwayAxis::FrontToBack => left,
            },
            c.turn,
        );
        // Hips over the feet (shifted over the standing foot on one leg, half-way to a
        // stepping foot), legs all but straight.
        let mid_flat = self
            .planted(Side::Left)
            .lerp(self.planted(Side::Right), 0.5);
        let shift = left * (self.standing.sign() * c.shift)
            + left * (free.sign() * 0.5 * self.k(STEP_OUT) * c.step);
        let leg_len = (self.body.thigh + self.body.shank) * 0.998;
        let stand_hip =
            (mid_flat + shift) + left * (self.standing.sign() * self.body.hip_half_width);
        let dx = (stand_hip - stand_ankle).reject(up).length();
        let hip_y = stand_ankle.y + (leg_len * leg_len - dx * dx).max(0.0).sqrt();
        let root = v3(mid_flat.x + shift.x, hip_y, mid_flat.z + shift.z);
        let around = |p: Vec3| pivot + turn * (p - pivot);
        let pelvis = turn * Mat3::from_cols(left, up, ahead);
        let mut rig = Rig::new(&self.body, around(root), pelvis);
        // The free foot moves with the body once off the floor (eased in, so that lifting it
        // does not jump by the sway).
        let with_body = (4.0 * lift).min(1.0);
        let free_target = free_ankle.lerp(around(free_ankle), with_body);
        // A turn about a point between two planted feet takes one hip farther from its ankle
        // (a tandem stance swaying front to back, by up to 7 mm): the body sinks until both
        // legs reach, which moves the centre of mass straight down, not sideways.
        let (l1, l2) = (self.body.thigh, self.body.shank);
        let reach = (l1 * l1 + l2 * l2 + 2.0 * l1 * l2 * MIN_BEND.cos()).sqrt() * 0.999;
        let mut planted = vec![(self.standing, stand_ankle)];
        if lift == 0.0 {
            planted.push((free, free_target));
        }
        for _ in 0..3 {
            let over = planted
                .iter()
                .map(|&(side, ankle)| (rig.hip(side) - ankle).length() - reach)
                .fold(0.0f32, f32::max);
            rig.pose.root = rig.pose.root - up * over;
        }
        let foot = |heel_up: f32| {
            let tilt = Mat3::axis_angle(left, heel_up);
            (tilt * ahead, tilt * up)
        };
        let (toe, sole) = foot(TOE_ANGLE_DEG.to_radians() * c.heels);
        rig.leg_to(self.standing, stand_ankle, turn * ahead, toe, sole);
        let (ftoe, fsole) = if one_leg(self.exercise) {
            let (t, s) = foot(lerp(TOE_ANGLE_DEG.to_radians() * c.heels, 0.35, lift));
            (t.lerp(turn * t, with_body), s.lerp(turn * s, with_body))
        } else {
            (toe, sole)
        };
        rig.leg_to(free, free_target, turn * ahead, ftoe, fsole);
        // Eyes ahead: the figure's neutral head looks a little up. A look turns the neck
        // and the head between them (about 60/40 for a turn, half each to look up: flexion
        // is + forward, so looking up is −).
        rig.pose.neck.flex = 8f32.to_radians() - 0.5 * c.head_up;
        rig.pose.head.flex = -0.5 * c.head_up;
        rig.pose.neck.twist = 0.6 * c.head_yaw;
        rig.pose.head.twist = 0.4 * c.head_yaw;
        // Hands on the waist (fingers forward, elbows out), hanging before, out to the sides
        // when they leave.
        for side in Side::BOTH {
            let lat = left * side.sign();
            let shoulder = rig.shoulder(side);
            let hanging = shoulder - up * self.k(0.52) + lat * self.k(0.03);
            let waist = rig
                .pelvis_xf()
                .point(v3(side.sign() * self.k(0.16), self.k(0.12), 0.0));
            let out = shoulder + turn * (lat * self.k(0.45) - up * self.k(0.25));
            let wrist = hanging.lerp(waist, c.hands).lerp(out, c.arms_out);
            let hand = (-up)
                .lerp(turn * (ahead * 0.6 - up * 0.8), c.hands)
                .lerp(turn * lat, c.arms_out);
            let palm = (-lat).lerp(-up, c.arms_out);
            let pole = turn * (lat - ahead * 0.5);
            rig.arm_to(side, wrist, pole, hand.normalized(), palm.normalized());
        }
        rig.finish()
    }

    /// The centre of mass of a skeleton (world), with posecheck's segment model.
    fn com(&self, sk: &Skeleton) -> Vec3 {
        let at = |name: String| {
            let lm = self.landmarks.iter().find(|l| l.name == name);
            lm.map(|l| sk.landmark(&self.body, l)).unwrap_or(Vec3::ZERO)
        };
        let sided = |p: Part, s: Side| at(format!("{}_{}", s.name(), p.name()));
        let end = |e: End, s: Side| match e {
            End::Part(p) => sided(p, s),
            End::Index => at(format!("{}_index", s.name())),
            End::Mid(p) => sided(p, Side::Left).lerp(sided(p, Side::Right), 0.5),
        };
        let (mut sum, mut mass) = (Vec3::ZERO, 0.0);
        for seg in &SEGMENTS {
            let sides: &[Side] = if seg.sided {
                &Side::BOTH
            } else {
                &[Side::Left]
            };
            for &s in sides {
                let (a, b) = (end(seg.proximal, s), end(seg.distal, s));
                sum += (a + (b - a) * seg.com) * seg.mass;
                mass += seg.mass;
            }
        }
        sum * (1.0 / mass)
    }

    /// The true centre of mass of a frame's skeleton and its place over the standing foot.
    pub fn truth_of(&self, sk: &Skeleton) -> ComTruth {
        let c = self.com(sk);
        let ankle = |s: Side| sk.seg(crate::skeleton::Seg::Foot(s)).pos;
        let (st, fr) = (ankle(self.standing), ankle(self.free()));
        // A foot 2 cm higher than the other is off the floor (both are at one height when
        // flat, and rise together on the toes).
        let on_one_foot = fr.y - st.y > 0.02;
        let base = if on_one_foot { st } else { st.lerp(fr, 0.5) };
        let d = c - base;
        ComTruth {
            position: c,
            over_foot: (d.dot(self.left), d.dot(self.ahead)),
            on_one_foot,
        }
    }

    /// What the body does at `t`, as the ground truth's phase.
    pub fn phase(&self, t: f64) -> &'static str {
        let tm = &self.timing;
        if t < tm.moving {
            "rest"
        } else if t < tm.start {
            "up"
        } else if t < tm.leaving {
            "hold"
        } else if t < tm.settled {
            "down"
        } else {
            "rest"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clip::Clip;
    use crate::script::Script;
    use crate::skeleton::Seg;

    fn script(e: Exercise) -> Script {
        Script {
            exercise: Some(e),
            width: Some(180),
            height: Some(320),
            ..Script::default()
        }
    }

    #[test]
    fn a_stand_clip_writes_its_attempt_and_centre_of_mass_the_same_every_time() -> anyhow::Result<()>
    {
        let make = || -> anyhow::Result<String> {
            let (s, f) = Script {
                sway_cm: Some(1.0),
                hold_s: Some(2.0),
                ended_by: Some(StandEnd::TouchDown),
                ..script(Exercise::SingleLegStance)
            }
            .resolve()?;
            let c = Clip::new(s, &f)?;
            let frames = (0..c.frame_count()).map(|i| c.frame(i, false).1).collect();
            let t = c.truth(frames);
            Ok(t.json()? + &t.track("x.mp4")?)
        };
        let text = make()?;
        assert_eq!(text, make()?);
        let gt: serde_json::Value = serde_json::from_str(text.lines().next().unwrap_or(""))?;
        let a = &gt["attempts"][0];
        assert_eq!(a["ended_by"], "touch_down");
        assert_eq!(a["side"], "left");
        // 1 s of rest, 0.5 s to raise the leg, 2 s on it.
        assert_eq!(
            (a["start_s"].as_f64(), a["end_s"].as_f64()),
            (Some(1.5), Some(3.5))
        );
        let frame = &gt["frames"][60];
        assert_eq!(frame["phase"], "hold");
        assert_eq!(frame["com"]["on_one_foot"], true);
        assert!(frame["com"]["over_foot_h"]["side_to_side"].is_f64());
        Ok(())
    }

    #[test]
    fn bad_stand_options_are_refused() {
        let refused = |s: Script| s.resolve().is_err();
        let e = Exercise::SingleLegStance;
        assert!(refused(Script {
            sway_cm: Some(20.0),
            ..script(e)
        }));
        assert!(refused(Script {
            sway_cm: Some(-1.0),
            ..script(e)
        }));
        assert!(refused(Script {
            sway_hz: Some(0.0),
            ..script(e)
        }));
        assert!(refused(Script {
            reps: Some(2),
            ..script(e)
        }));
        assert!(refused(Script {
            ended_by: Some(StandEnd::Step),
            ..script(e)
        }));
        assert!(refused(Script {
            ended_by: Some(StandEnd::TouchDown),
            hold_s: Some(0.3),
            ..script(e)
        }));
        assert!(refused(Script {
            sway_cm: Some(1.0),
            ..script(Exercise::Plank)
        }));
        assert!(refused(Script {
            faults: Some(vec!["hold_broken@1".into()]),
            ..script(e)
        }));
        assert!(!refused(Script {
            side: Some(Side::Right),
            ..script(e)
        }));
        // The head turns take their looks as --reps, 1 to 30.
        let turns = script(Exercise::HeadTurns);
        assert!(!refused(Script {
            reps: Some(3),
            ..turns.clone()
        }));
        for bad in [0, 31] {
            assert!(refused(Script {
                reps: Some(bad),
                ..turns.clone()
            }));
        }
    }

    /// A still stand of `reps` scripted movements (looks, turns) facing −x, asked to last 1 s
    /// (the movements take longer).
    fn moving(e: Exercise, reps: u32, side: Side) -> Stand {
        let script = StandScript {
            sway_m: 0.0,
            sway_hz: 0.3,
            axis: SwayAxis::SideToSide,
            ended_by: StandEnd::TimeUp,
            reps,
            variant: None,
        };
        script.check(e).unwrap();
        Stand::new(
            e,
            script,
            side,
            Body::new(1.70),
            -Vec3::X,
            (1.0, 0.5, 1.0, 0.5, 0.5),
        )
    }

    #[test]
    fn the_variants_raise_the_foot_behind_or_just_off_the_floor() {
        // Facing −x: ahead is −x. The raised (right) ankle's height above the standing one
        // and how far ahead of it it is, mid-attempt.
        let raised = |variant: Option<Variant>| {
            let mut s = stand(
                Exercise::SingleLegStance,
                0.0,
                SwayAxis::SideToSide,
                StandEnd::TimeUp,
            );
            s.script.variant = variant;
            let sk = Skeleton::new(&s.body, &s.pose(s.timing.start + 1.0));
            let d = sk.seg(Seg::Foot(Side::Right)).pos - sk.seg(Seg::Foot(Side::Left)).pos;
            assert!(s.truth_of(&sk).on_one_foot);
            (d.y, -d.x)
        };
        let (up, ahead) = raised(None);
        assert!(up > 0.3 && ahead > 0.25, "knee up: {up} up, {ahead} ahead");
        let (up, ahead) = raised(Some(Variant::FootBehind));
        assert!(
            up > 0.35 && ahead < -0.35,
            "foot behind: {up} up, {ahead} ahead"
        );
        let (up, ahead) = raised(Some(Variant::LowLift));
        assert!(
            (0.07..0.13).contains(&up) && ahead.abs() < 0.1,
            "low: {up} up, {ahead} ahead"
        );
    }

    fn stand(e: Exercise, sway_cm: f64, axis: SwayAxis, ended_by: StandEnd) -> Stand {
        let script = StandScript {
            sway_m: sway_cm / 100.0,
            sway_hz: 0.5,
            axis,
            ended_by,
            reps: 0,
            variant: None,
        };
        script.check(e).unwrap();
        Stand::new(
            e,
            script,
            Side::Left,
            Body::new(1.70),
            -Vec3::X,
            (1.0, 0.5, 6.0, 0.4, 0.5),
        )
    }

    #[test]
    fn head_turns_look_right_left_and_up_at_their_times() {
        // Facing −x: the person's left is +z.
        let s = moving(Exercise::HeadTurns, 4, Side::Left);
        let dirs: Vec<LookDir> = s.looks.iter().map(|l| l.dir).collect();
        assert_eq!(
            dirs,
            [LookDir::Right, LookDir::Left, LookDir::Up, LookDir::Right]
        );
        // The attempt lasts the looks, not the 1 s asked for.
        let last = s.looks[3];
        assert!(s.timing.end >= last.end(), "{:?}", s.timing);
        // The nose off the ears' midpoint: sideways (+ to the left) and up.
        let nose = |t: f64| {
            let sk = Skeleton::new(&s.body, &s.pose(t));
            let at = |name: &str| {
                let lm = s.landmarks.iter().find(|l| l.name == name).unwrap();
                sk.landmark(&s.body, lm)
            };
            let d = at("nose") - at("left_ear").lerp(at("right_ear"), 0.5);
            (d.z, d.y)
        };
        let (side0, up0) = nose(s.timing.start + 0.1);
        assert!(side0.abs() < 0.005, "facing forward: {side0}");
        let at_top = |i: usize| nose(s.looks[i].top());
        let (right, _) = at_top(0);
        let (left, _) = at_top(1);
        let (side_up, up) = at_top(2);
        assert!(right < -0.08 && left > 0.08, "right {right}, left {left}");
        assert!(
            side_up.abs() < 0.005 && up > up0 + 0.04,
            "up {up} from {up0}"
        );
        // Back facing forward between looks, and the looks are numbered from 1.
        let between = s.looks[0].end() + 0.1;
        assert!(nose(between).0.abs() < 0.005);
        assert!(s.look_at(between).is_none());
        assert_eq!(s.look_at(s.looks[1].top()).map(|(i, _)| i), Some(2));
        assert_eq!(s.looks[2].side(), None);
    }

    #[test]
    fn turning_turns_the_whole_body_about_the_feet() {
        let s = moving(Exercise::Turning, 2, Side::Right);
        let tr = s.turning.expect("turning");
        assert_eq!(tr.spans().len(), 2);
        assert!(s.timing.end >= tr.end());
        // A quarter turn to the right after a second (90° a second), the back turned after
        // two, facing ahead again after four.
        // Facing −x, the person's right is −z.
        let quarter = s.heading(tr.begin + 1.0);
        assert!((quarter + Vec3::Z).length() < 1e-3, "{quarter:?}");
        assert!((s.heading(tr.begin + 2.0) - Vec3::X).length() < 1e-3);
        assert!((s.heading(tr.begin + 4.0) + Vec3::X).length() < 1e-3);
        assert_eq!(tr.turn_at(tr.begin + 4.5), Some(2));
        assert_eq!(tr.turn_at(tr.end() + 0.1), None);
        // The body turns as a whole: the nose points where the body faces, and the feet stay
        // over the same spot.
        let sk = |t: f64| Skeleton::new(&s.body, &s.pose(t));
        let at = |t: f64, name: &str| {
            let lm = s.landmarks.iter().find(|l| l.name == name).unwrap();
            sk(t).landmark(&s.body, lm)
        };
        let mid = |t: f64, part: &str| {
            at(t, &format!("left_{part}")).lerp(at(t, &format!("right_{part}")), 0.5)
        };
        let t = tr.begin + 2.0;
        let face = (at(t, "nose") - mid(t, "ear")).reject(Vec3::Y).normalized();
        assert!(face.dot(s.heading(t)) > 0.9, "{face:?}");
        let feet = |t: f64| mid(t, "ankle").reject(Vec3::Y);
        assert!((feet(t) - feet(tr.begin)).length() < 0.02);
    }

    fn rms(v: &[f32]) -> f32 {
        let mean = v.iter().sum::<f32>() / v.len() as f32;
        (v.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / v.len() as f32).sqrt()
    }

    #[test]
    fn planted_feet_stay_put_while_the_body_sways() {
        for e in STANDS {
            for axis in [SwayAxis::SideToSide, SwayAxis::FrontToBack] {
                let s = stand(e, 5.0, axis, StandEnd::TimeUp);
                let at = |t: f64, side: Side| {
                    Skeleton::new(&s.body, &s.pose(t)).seg(Seg::Foot(side)).pos
                };
                // Over the hold, the standing foot does not move while the sway goes through a
                // whole cycle.
                let first = at(s.timing.start, s.standing);
                for k in 1..=8 {
                    let t = s.timing.start + k as f64 * 0.25;
                    let moved = (at(t, s.standing) - first).length();
                    assert!(moved < 0.004, "{e:?} {axis:?} at {t}: {moved}");
                }
            }
        }
    }

    #[test]
    fn the_centre_of_mass_moves_as_scripted() {
        for e in STANDS {
            for (axis, pick) in [
                (SwayAxis::SideToSide, 0usize),
                (SwayAxis::FrontToBack, 1usize),
            ] {
                let s = stand(e, 2.0, axis, StandEnd::TimeUp);
                // Four whole cycles at 0.5 Hz, 30 frames a second.
                let xs: Vec<f32> = (0..240)
                    .map(|i| {
                        let t = s.timing.start + 0.5 + i as f64 / 30.0;
                        let c = s.truth_of(&Skeleton::new(&s.body, &s.pose(t)));
                        if pick == 0 {
                            c.over_foot.0
                        } else {
                            c.over_foot.1
                        }
                    })
                    .collect();
                let want = 0.02 / 2f32.sqrt();
                assert!(
                    (rms(&xs) - want).abs() < 0.0005,
                    "{e:?} {axis:?}: {}",
                    rms(&xs)
                );
                // On one leg the centre of mass sways about the standing foot.
                if one_leg(e) {
                    let mean = xs.iter().sum::<f32>() / xs.len() as f32;
                    assert!(pick == 1 || mean.abs() < 0.005, "{e:?}: {mean}");
                }
            }
        }
    }

    #[test]
    fn amplitude_zero_stands_still() {
        let s = stand(
            Exercise::SingleLegStance,
            0.0,
            SwayAxis::SideToSide,
            StandEnd::TimeUp,
        );
        let a = s.truth_of(&Skeleton::new(&s.body, &s.pose(s.timing.start)));
        let b = s.truth_of(&Skeleton::new(&s.body, &s.pose(s.timing.end - 0.01)));
        assert_eq!(a, b);
        assert!(a.on_one_foot);
    }

    #[test]
    fn the_scripted_end_happens_at_its_time() {
        let s = stand(
            Exercise::SingleLegStance,
            0.0,
            SwayAxis::SideToSide,
            StandEnd::TouchDown,
        );
        let raised = |t: f64| s.truth_of(&Skeleton::new(&s.body, &s.pose(t))).on_one_foot;
        assert!(raised(s.timing.end - 0.2) && !raised(s.timing.end));
        let s = stand(
            Exercise::HeelRaise,
            0.0,
            SwayAxis::SideToSide,
            StandEnd::HeelsDropped,
        );
        let ankle_y = |t: f64| {
            Skeleton::new(&s.body, &s.pose(t))
                .seg(Seg::Foot(Side::Left))
                .pos
                .y
        };
        assert!(ankle_y(s.timing.start) > ankle_y(0.0) + 0.04, "on the toes");
        assert!(
            (ankle_y(s.timing.end) - ankle_y(0.0)).abs() < 1e-4,
            "heels down"
        );
        let s = stand(
            Exercise::FeetTogetherStand,
            0.0,
            SwayAxis::SideToSide,
            StandEnd::Step,
        );
        let right = |t: f64| {
            Skeleton::new(&s.body, &s.pose(t))
                .seg(Seg::Foot(Side::Right))
                .pos
        };
        assert!((right(s.timing.end) - right(s.timing.start)).length() < 1e-4);
        assert!((right(s.timing.settled) - right(s.timing.end)).length() > 0.25);
        assert!(
            StandScript {
                ended_by: StandEnd::TouchDown,
                ..s.script
            }
            .check(Exercise::FeetTogetherStand)
            .is_err()
        );
    }
}
