//! Signals: named per-frame measures a template computes from the pose (joint angles, segment
//! angles to the floor, a point's height above a line, ...). Pure functions of the pose plus a
//! little state for speeds and the side the body is seen from.

use std::cmp::Ordering;

use crate::geometry::{
    Vec2, Vec3, elevation, elevation_3d, height_above_line, height_above_line_3d, incline,
    joint_angle, joint_angle_3d,
};
use crate::pose::{Pose, WorldPoints};
use crate::report::model::Unit;
use crate::skeleton::{Joint, Part, Side};

/// A point on the body a measure refers to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PointRef {
    /// A sided part; the side comes from the signal's side rule.
    Part(Part),
    /// A fixed landmark (`left_knee`).
    Joint(Joint),
    /// Midpoint of the left and right landmarks (`mid_hip`).
    Mid(Part),
    /// A sided part, or another when it is not seen (`ankle|knee`): the line of a straight
    /// body can be drawn to the knee when the feet are out of the picture.
    Either(Part, Part),
}

impl PointRef {
    pub fn parse(name: &str) -> Option<PointRef> {
        if let Some((a, b)) = name.split_once('|') {
            return match (Part::from_name(a)?, Part::from_name(b)?) {
                (Part::Nose, _) | (_, Part::Nose) => None,
                (a, b) => Some(PointRef::Either(a, b)),
            };
        }
        if let Some(part) = name.strip_prefix("mid_").and_then(Part::from_name) {
            return Some(PointRef::Mid(part));
        }
        if let Some(part) = Part::from_name(name) {
            return Some(PointRef::Part(part));
        }
        Joint::from_name(name).map(PointRef::Joint)
    }

    fn is_sided(self) -> bool {
        matches!(self, PointRef::Part(p) if p != Part::Nose) || matches!(self, PointRef::Either(..))
    }
}

/// What a signal measures.
#[derive(Clone, Debug, PartialEq)]
pub enum Measure {
    /// Interior angle at the middle point, degrees (180 = straight).
    Angle([PointRef; 3]),
    /// Angle of the segment to the floor, 0–90 degrees, whichever way it points.
    Incline([PointRef; 2]),
    /// Signed angle of first → second above the floor, degrees (+ = second is higher).
    Elevation([PointRef; 2]),
    /// Height of a point above the line through two others, in line lengths (+ = above).
    Deviation {
        point: PointRef,
        line: [PointRef; 2],
    },
    /// Distance between the left and right landmarks of a part, in torso lengths.
    Span(Part),
    /// Height difference between the left and right landmarks of a part, in torso lengths:
    /// large when lying on the side facing the camera (one shoulder above the other).
    Stack(Part),
    /// Height of a point in the picture, in torso lengths (only differences mean anything).
    Level(PointRef),
    /// Distance between two points, in torso lengths (a hand on the waist is near the hip).
    Distance([PointRef; 2]),
    /// Height of the first point above the second, along the floor's normal, in torso lengths
    /// (the hips above the toes; a raised foot above the standing one).
    Height([PointRef; 2]),
    /// How much farther from the camera the first point is than the second, in torso lengths
    /// (the 3-D world points; in the picture BlazePose's relative depth, always 0 for a model
    /// without depth such as MoveNet): the nose behind the ears is the back turned to the
    /// camera.
    Depth([PointRef; 2]),
    /// How far the first point lies ahead of the second along the way the person faces (the
    /// nose's direction from the ears' midpoint, level with the floor), in torso lengths: the
    /// ankle farthest ahead of the ankles' midpoint is the front foot of a tandem stance. In
    /// the picture only the left-right part of the way the person faces is seen, so it is
    /// known there only when filmed from the side; the 3-D world points see it from anywhere.
    Ahead([PointRef; 2]),
    /// How far a point lies from another towards the measured side, along the left-right line
    /// of a part (level with the floor in 3-D), in torso lengths: the nose off the ears'
    /// midpoint along the shoulders is how far the head is turned to that side.
    Offset {
        point: PointRef,
        from: PointRef,
        along: Part,
    },
    /// The largest value of other signals in the same unit, with its side: a look away is a
    /// turn to either side or a look up, whichever is larger.
    Largest(Vec<SignalRef>),
    /// The smallest value of other signals in the same unit, with its side: an elbow is bent
    /// when it reads bent in the picture or in 3-D, because a bent arm can look straight in
    /// the picture (its bend along the line of sight) while a straight one never looks bent.
    Smallest(Vec<SignalRef>),
    /// Absolute rate of change of another signal, per second.
    Speed(SignalRef),
    /// 1 when two other signals were taken from the same side of the body, else 0.
    SameSide(SignalRef, SignalRef),
    /// How far another signal is below the person's own top level (its 90th percentile in
    /// the working position over the last half minute), in that signal's units; unknown until
    /// the working position has been seen. A dip is judged against how this person, seen
    /// from this camera, holds the position, not against a number fixed for every view.
    BelowTop(SignalRef),
    /// Where another signal stands in the person's own range: 0 at their start level (its
    /// median in the start position), 1 at their top level; unknown until both were seen.
    InRange(SignalRef),
    /// How far another signal is above its own low level: its 10th percentile over the last
    /// minute in which the body looked like the exercise, in that signal's units; unknown
    /// until a third of a second has been seen. A rise onto the toes is a rise of the hips
    /// above where this person, seen from this camera, stands flat, which no fixed number
    /// gives across views and bodies; unlike `in_range` it needs no position to learn from.
    Rise(SignalRef),
    /// How far another signal is from its usual level: its median over the last minute in
    /// which the body looked like the exercise, in that signal's units (signed); unknown for
    /// the first third of a second. A head turn is the nose moving off where this person
    /// usually holds it: a head habitually turned towards a camera off to the side is their
    /// forward, and looks to both sides and up leave the median there.
    FromUsual(SignalRef),
    /// The mirror of `rise`: how far another signal is below its own high level (its 90th
    /// percentile over the last minute in which the body looked like the exercise). A
    /// superman lying flat is straight as this person, from this camera, lies straight: from
    /// 60° a flat body's arch reads 160-165 degrees in the picture, not 180.
    Fall(SignalRef),
    /// How far another signal is above the person's own start level (its median in the start
    /// position), in that signal's units; unknown (so no condition on it holds) until a third
    /// of a second has been seen in the start position, where a rep begins anyway. Unlike
    /// `rise`, a low reached during the movement (a dead bug's leg lowering tips the
    /// shoulder-hip line down) does not become the level.
    AboveStart(SignalRef),
    /// How far another signal is above the level the person holds in the working position
    /// (its median there over the last half minute), in that signal's units; 0 until the
    /// working position has been seen (as `below_top`). A pike is judged against the line
    /// this person holds: the top level of `below_top` (a high percentile) climbs into a pike
    /// held for a tenth of the window, the median only past half of it (and frames under a
    /// clear fault teach no level at all).
    AboveHeld(SignalRef),
}

/// Which side of the body a sided measure uses.
#[derive(Clone, Debug, PartialEq)]
pub enum SideRule {
    /// The side facing the camera (the more visible one, kept until clearly wrong).
    Visible,
    Fixed(Side),
    /// Both sides measured; the larger value (and its side) is taken.
    Max,
    /// Both sides measured; the smaller value (and its side) is taken.
    Min,
    /// The side another signal was taken from.
    SameAs(SignalRef),
    /// The other side than another signal's.
    OppositeOf(SignalRef),
    /// Both sides measured, their mean weighted by how visible each side's points are (the
    /// side facing the camera counts most; a side seen half as well, half as much).
    Weighted,
}

/// Where a signal is measured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Space {
    /// The picture's keypoints: what every model gives, foreshortened by the view.
    #[default]
    Picture,
    /// The model's 3-D world points (BlazePose's world landmarks), which no view
    /// foreshortens; a pose without them (MoveNet, a version-1 track) is measured in the
    /// picture.
    World,
}

/// The torso length a signal's lengths are measured in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Scale {
    /// This frame's torso.
    #[default]
    Frame,
    /// The torso's median over the last second (`scale = "steady"`): from frame to frame the
    /// torso's length in the picture jitters by a few per cent and shortens for a moment as
    /// the person leans or turns, which for a height of 1.3 torso lengths is as much as a rise
    /// onto the toes (see `templates/heel_raise.toml`). Only the unit changes (and with it the
    /// `ahead` measure's face-across gate); which landmarks count as seen or behind their twin
    /// is still judged with this frame's torso.
    Steady,
}

/// What a signal makes of a landmark the model is unsure of.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Hidden {
    /// Not measured: the model is guessing.
    #[default]
    Unmeasured,
    /// Taken where the model places it when it lies in the picture close to its seen mirror
    /// twin (`hidden = "behind_twin"`, see [`crate::exercise::quality::behind_twins`]): the
    /// far foot of feet standing together, filmed from the side, is right behind the near one.
    BehindTwin,
    /// Taken where the model places it whenever it lies in the picture (`hidden = "placed"`):
    /// a face turned away from the camera is hidden behind the head, so the model is unsure
    /// of it, but where it places it (behind the ears) is the point.
    Placed,
}

/// Another signal of the same template: named in the file, found by its position once the
/// template is loaded ([`resolve_refs`]), so that no name is looked up frame by frame.
#[derive(Clone, Debug, PartialEq)]
pub struct SignalRef {
    pub name: String,
    index: Option<usize>,
}

impl From<&str> for SignalRef {
    fn from(name: &str) -> SignalRef {
        SignalRef {
            name: name.to_string(),
            index: None,
        }
    }
}

impl SignalRef {
    /// The signal's position among the template's (`None` before [`resolve_refs`]).
    fn index(&self) -> Option<usize> {
        self.index
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SignalSpec {
    pub name: String,
    pub measure: Measure,
    pub side: SideRule,
    pub space: Space,
    pub hidden: Hidden,
    pub scale: Scale,
}

impl Measure {
    fn points(&self) -> Vec<PointRef> {
        match self {
            Measure::Angle(p) => p.to_vec(),
            Measure::Incline(p)
            | Measure::Elevation(p)
            | Measure::Distance(p)
            | Measure::Height(p)
            | Measure::Depth(p)
            | Measure::Ahead(p) => p.to_vec(),
            Measure::Deviation { point, line } => vec![*point, line[0], line[1]],
            Measure::Offset { point, from, .. } => vec![*point, *from],
            Measure::Level(p) => vec![*p],
            Measure::Largest(_)
            | Measure::Smallest(_)
            | Measure::Span(_)
            | Measure::Stack(_)
            | Measure::Speed(_)
            | Measure::SameSide(..)
            | Measure::BelowTop(_)
            | Measure::InRange(_)
            | Measure::Rise(_)
            | Measure::FromUsual(_)
            | Measure::Fall(_)
            | Measure::AboveStart(_)
            | Measure::AboveHeld(_) => vec![],
        }
    }

    /// True when the measure is taken on body points (not computed from other signals).
    pub fn points_at_joints(&self) -> bool {
        !self.points().is_empty() || matches!(self, Measure::Span(_) | Measure::Stack(_))
    }

    /// The unit of the measure's values, for people reading plots and CSVs.
    pub fn unit(&self) -> Unit {
        match self {
            Measure::Angle(_) | Measure::Incline(_) | Measure::Elevation(_) => Unit::Degrees,
            Measure::Deviation { .. } => Unit::BodyLengths,
            Measure::Span(_)
            | Measure::Stack(_)
            | Measure::Level(_)
            | Measure::Distance(_)
            | Measure::Height(_)
            | Measure::Depth(_)
            | Measure::Ahead(_)
            | Measure::Offset { .. } => Unit::TorsoLengths,
            Measure::Speed(_) => Unit::DegreesPerSecond,
            Measure::SameSide(..) => Unit::YesNo,
            Measure::Largest(_)
            | Measure::Smallest(_)
            | Measure::BelowTop(_)
            | Measure::Rise(_)
            | Measure::FromUsual(_)
            | Measure::Fall(_)
            | Measure::AboveStart(_)
            | Measure::AboveHeld(_) => Unit::SignalUnits,
            Measure::InRange(_) => Unit::RangeShare,
        }
    }
}

impl Measure {
    /// A difference of the measure that is clearly visible on a real body whatever the view:
    /// recognition weighs how far each condition is from its threshold in these units.
    /// Measured on the dev clips (real and rendered): frame-to-frame jitter of angles is 2-5
    /// degrees, of deviations 1-2 % of a body length, of spans and stacks 0.02-0.05 torso
    /// lengths; these scales are about twice that.
    pub fn evidence_scale(&self) -> f32 {
        match self {
            Measure::Angle(_) | Measure::Incline(_) | Measure::Elevation(_) => 10.0,
            Measure::Deviation { .. } => 0.05,
            Measure::Span(_)
            | Measure::Stack(_)
            | Measure::Level(_)
            | Measure::Distance(_)
            | Measure::Height(_)
            | Measure::Depth(_)
            | Measure::Ahead(_)
            | Measure::Offset { .. } => 0.1,
            Measure::Speed(_) => 30.0,
            Measure::SameSide(..) => 0.5,
            Measure::Largest(_)
            | Measure::Smallest(_)
            | Measure::BelowTop(_)
            | Measure::Rise(_)
            | Measure::FromUsual(_)
            | Measure::Fall(_)
            | Measure::AboveStart(_)
            | Measure::AboveHeld(_) => 0.05,
            Measure::InRange(_) => 0.2,
        }
    }
}

impl SignalSpec {
    /// Signals this one needs computed first.
    pub fn dependencies(&self) -> Vec<&str> {
        let mut deps = Vec::new();
        match &self.measure {
            Measure::Speed(s)
            | Measure::BelowTop(s)
            | Measure::InRange(s)
            | Measure::Rise(s)
            | Measure::FromUsual(s)
            | Measure::Fall(s)
            | Measure::AboveStart(s)
            | Measure::AboveHeld(s) => deps.push(s.name.as_str()),
            Measure::SameSide(a, b) => {
                deps.push(a.name.as_str());
                deps.push(b.name.as_str());
            }
            Measure::Largest(sources) | Measure::Smallest(sources) => {
                deps.extend(sources.iter().map(|s| s.name.as_str()))
            }
            _ => {}
        }
        match &self.side {
            SideRule::SameAs(s) | SideRule::OppositeOf(s) => deps.push(s.name.as_str()),
            _ => {}
        }
        deps
    }

    fn refs_mut(&mut self) -> Vec<&mut SignalRef> {
        let mut refs = Vec::new();
        match &mut self.measure {
            Measure::Speed(s)
            | Measure::BelowTop(s)
            | Measure::InRange(s)
            | Measure::Rise(s)
            | Measure::FromUsual(s)
            | Measure::Fall(s)
            | Measure::AboveStart(s)
            | Measure::AboveHeld(s) => refs.push(s),
            Measure::SameSide(a, b) => {
                refs.push(a);
                refs.push(b);
            }
            Measure::Largest(sources) | Measure::Smallest(sources) => {
                refs.extend(sources.iter_mut())
            }
            _ => {}
        }
        if let SideRule::SameAs(s) | SideRule::OppositeOf(s) = &mut self.side {
            refs.push(s);
        }
        refs
    }

    /// True when the measure depends on which side is chosen.
    pub fn is_sided(&self) -> bool {
        matches!(self.measure, Measure::Offset { .. })
            || self.measure.points().iter().any(|p| p.is_sided())
    }
}

/// A signal's value in one frame; `None` when its joints were not seen.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SignalValue {
    pub value: Option<f32>,
    pub side: Option<Side>,
    /// A signal relative to the person's own range while that range is not known yet (before
    /// their first rep): conditions on it are left out, the others decide.
    pub unlearnt: bool,
}

/// The pose as the signals see it: which landmarks are trustworthy, camera roll, body size.
#[derive(Clone, Copy)]
pub struct Frame<'a> {
    pub pose: &'a Pose,
    /// Landmarks seen well enough to measure (visible, inside the picture).
    pub seen: [bool; crate::skeleton::JOINT_COUNT],
    /// Those, and the landmarks in the picture hidden behind their seen twin.
    pub behind_twins: [bool; crate::skeleton::JOINT_COUNT],
    /// Every landmark in the picture, however unsure the model is of it.
    pub placed: [bool; crate::skeleton::JOINT_COUNT],
    pub roll: f32,
    pub torso: f32,
    /// The torso's median length over the last second ([`Scale::Steady`]).
    pub steady_torso: f32,
    /// The side facing the camera.
    pub near: Side,
}

impl Frame<'_> {
    /// Where a body point is, by `at` (a seen joint's position, picture or world).
    fn locate<T>(
        &self,
        p: PointRef,
        side: Side,
        hidden: Hidden,
        at: impl Fn(Joint) -> T,
        mid: impl Fn(T, T) -> T,
    ) -> Option<T> {
        let usable = match hidden {
            Hidden::Unmeasured => &self.seen,
            Hidden::BehindTwin => &self.behind_twins,
            Hidden::Placed => &self.placed,
        };
        let joint = |j: Joint| usable[j.index()].then(|| at(j));
        match p {
            PointRef::Part(part) => joint(part.joint(side)),
            PointRef::Joint(j) => joint(j),
            PointRef::Either(a, b) => joint(a.joint(side)).or_else(|| joint(b.joint(side))),
            PointRef::Mid(part) => Some(mid(
                joint(part.joint(Side::Left))?,
                joint(part.joint(Side::Right))?,
            )),
        }
    }

    fn point(&self, p: PointRef, side: Side, hidden: Hidden) -> Option<Vec2> {
        self.locate(p, side, hidden, |j| self.pose.pos(j), Vec2::midpoint)
    }

    /// The measure on `side`, in `space` (the picture when the pose has no world points).
    pub fn measure(&self, m: &Measure, side: Side, space: Space, hidden: Hidden) -> Option<f32> {
        match (space, &self.pose.world) {
            (Space::World, Some(world)) => self.measure_world(m, side, world, hidden),
            _ => self.measure_on(m, side, hidden),
        }
    }

    /// How well `side`'s points of a measure are seen: the least visibility among them (1
    /// for a measure without sided points).
    pub fn side_weight(&self, m: &Measure, side: Side) -> f32 {
        m.points()
            .iter()
            .filter(|p| p.is_sided())
            .map(|p| match p {
                PointRef::Part(part) | PointRef::Either(part, _) => {
                    self.pose.visibility(part.joint(side))
                }
                PointRef::Joint(j) => self.pose.visibility(*j),
                PointRef::Mid(_) => 1.0,
            })
            .fold(1.0, f32::min)
    }

    /// The measure in 3-D on the world points: angles are the body's own, angles to the
    /// floor are taken against the picture's up after undoing the roll (the camera's pitch
    /// is taken as level), lengths are in 3-D torso lengths.
    fn measure_world(
        &self,
        m: &Measure,
        side: Side,
        world: &WorldPoints,
        hidden: Hidden,
    ) -> Option<f32> {
        let at = |j: Joint| Vec3::from(world[j.index()]);
        let p = |r: PointRef| self.locate(r, side, hidden, at, Vec3::midpoint);
        let up = Vec3::up_from_roll(self.roll);
        let torso = || {
            [Side::Left, Side::Right]
                .iter()
                .filter_map(|s| {
                    let (a, b) = (Part::Shoulder.joint(*s), Part::Hip.joint(*s));
                    (self.seen[a.index()] && self.seen[b.index()]).then(|| (at(a) - at(b)).length())
                })
                .fold(0.0, f32::max)
        };
        let pair = |part: Part| {
            let on = |s: Side| self.locate(PointRef::Part(part), s, hidden, at, Vec3::midpoint);
            Some(on(Side::Left)? - on(Side::Right)?)
        };
        let v = match m {
            Measure::Angle([a, b, c]) => joint_angle_3d(p(*a)?, p(*b)?, p(*c)?),
            Measure::Incline([a, b]) => elevation_3d(p(*a)?, p(*b)?, up).abs(),
            Measure::Elevation([a, b]) => elevation_3d(p(*a)?, p(*b)?, up),
            Measure::Deviation { point, line } => {
                let (a, b) = (p(line[0])?, p(line[1])?);
                height_above_line_3d(p(*point)?, a, b, up) / (b - a).length()
            }
            Measure::Span(part) => pair(*part)?.length() / torso(),
            Measure::Stack(part) => pair(*part)?.dot(up).abs() / torso(),
            Measure::Level(r) => p(*r)?.dot(up) / torso(),
            Measure::Distance([a, b]) => (p(*a)? - p(*b)?).length() / torso(),
            Measure::Height([a, b]) => (p(*a)? - p(*b)?).dot(up) / torso(),
            Measure::Depth([a, b]) => (p(*a)? - p(*b)?).z / torso(),
            Measure::Ahead([a, b]) => {
                let face = p(PointRef::Part(Part::Nose))? - p(PointRef::Mid(Part::Ear))?;
                let level = face - up * face.dot(up);
                // A face looking nearly straight down (at the feet) points no way.
                if level.length() < FACE_LEVEL_SHARE * face.length() {
                    return None;
                }
                (p(*a)? - p(*b)?).dot(level * (1.0 / level.length())) / torso()
            }
            Measure::Offset { point, from, along } => {
                let line = pair(*along)? * side_sign(side);
                let level = line - up * line.dot(up);
                (p(*point)? - p(*from)?).dot(level * (1.0 / level.length())) / torso()
            }
            // Signals computed from other signals (speeds, levels) have no points to measure.
            _ => return None,
        };
        v.is_finite().then_some(v)
    }

    fn measure_on(&self, m: &Measure, side: Side, hidden: Hidden) -> Option<f32> {
        let p = |r: PointRef| self.point(r, side, hidden);
        let pair = |part: Part| {
            let on = |s: Side| self.point(PointRef::Part(part), s, hidden);
            Some(on(Side::Left)? - on(Side::Right)?)
        };
        let v = match m {
            Measure::Angle([a, b, c]) => joint_angle(p(*a)?, p(*b)?, p(*c)?),
            Measure::Incline([a, b]) => incline(p(*a)?, p(*b)?, self.roll),
            Measure::Elevation([a, b]) => elevation(p(*a)?, p(*b)?, self.roll),
            Measure::Deviation { point, line } => {
                let (a, b) = (p(line[0])?, p(line[1])?);
                height_above_line(p(*point)?, a, b, self.roll) / (b - a).length()
            }
            Measure::Span(part) => pair(*part)?.length() / self.torso,
            Measure::Stack(part) => pair(*part)?.rotated(-self.roll).y.abs() / self.torso,
            Measure::Level(r) => -p(*r)?.rotated(-self.roll).y / self.torso,
            Measure::Distance([a, b]) => (p(*a)? - p(*b)?).length() / self.torso,
            Measure::Height([a, b]) => (p(*b)? - p(*a)?).rotated(-self.roll).y / self.torso,
            Measure::Depth([a, b]) => {
                let z = |r: PointRef| {
                    let at = |j: Joint| self.pose.keypoints[j.index()].z;
                    self.locate(r, side, hidden, at, |a, b| (a + b) / 2.0)
                };
                (z(*a)? - z(*b)?) / self.torso
            }
            Measure::Ahead([a, b]) => {
                // Only the way the person faces across the picture is seen: left or right, and
                // not at all with the nose over the ears (facing the camera or away).
                let face = (p(PointRef::Part(Part::Nose))? - p(PointRef::Mid(Part::Ear))?)
                    .rotated(-self.roll);
                if face.x.abs() < FACE_ACROSS * self.torso {
                    return None;
                }
                (p(*a)? - p(*b)?).rotated(-self.roll).x * face.x.signum() / self.torso
            }
            Measure::Offset { point, from, along } => {
                let line = pair(*along)? * side_sign(side);
                (p(*point)? - p(*from)?).dot(line * (1.0 / line.length())) / self.torso
            }
            Measure::Speed(_)
            | Measure::SameSide(..)
            | Measure::Largest(_)
            | Measure::Smallest(_)
            | Measure::BelowTop(_)
            | Measure::InRange(_)
            | Measure::Rise(_)
            | Measure::FromUsual(_)
            | Measure::Fall(_)
            | Measure::AboveStart(_)
            | Measure::AboveHeld(_) => return None,
        };
        v.is_finite().then_some(v)
    }
}

/// `ahead` needs the face to point somewhere: level with the floor by at least this share of
/// its direction in 3-D (a face tipped down 60° still points), and across the picture by at
/// least this many torso lengths (side-on the nose sits about 0.2 off the ears' midpoint,
/// facing the camera 0).
const FACE_LEVEL_SHARE: f32 = 0.5;
const FACE_ACROSS: f32 = 0.03;

/// Per-template signal state (speeds need the previous values, relative signals the
/// person's levels).
#[derive(Default)]
pub struct SignalState {
    previous: Vec<(f64, Option<f32>)>,
    speed: Vec<Option<f32>>,
    levels: Vec<Levels>,
}

/// Seconds of a signal's values in a position kept to learn the person's level there.
const LEVEL_WINDOW_S: f64 = 30.0;
/// Values in a position needed before its level counts as learnt (about 0.3 s of video).
const MIN_LEVEL_SAMPLES: usize = 10;

/// Seconds of a signal's values kept to learn its low and high levels (`rise`, `fall`): a
/// minute, so that a stand on the toes of up to about 50 s after a few seconds flat is still
/// measured from flat.
const LOW_WINDOW_S: f64 = 60.0;

/// A signal's recent values in the start and working positions, and in any position.
#[derive(Default)]
struct Levels {
    start: std::collections::VecDeque<(f64, f32)>,
    top: std::collections::VecDeque<(f64, f32)>,
    all: std::collections::VecDeque<(f64, f32)>,
}

/// The `q` quantile of a window's values, once it holds enough of them.
fn quantile(window: &std::collections::VecDeque<(f64, f32)>, q: f32) -> Option<f32> {
    if window.len() < MIN_LEVEL_SAMPLES {
        return None;
    }
    let mut v: Vec<f32> = window.iter().map(|x| x.1).collect();
    v.sort_by(f32::total_cmp);
    Some(v[((v.len() - 1) as f32 * q).round() as usize])
}

impl Levels {
    fn push(window: &mut std::collections::VecDeque<(f64, f32)>, t: f64, v: f32) {
        window.push_back((t, v));
        Levels::expire(window, t, LEVEL_WINDOW_S);
    }

    fn expire(window: &mut std::collections::VecDeque<(f64, f32)>, t: f64, keep_s: f64) {
        while window.front().is_some_and(|(t0, _)| t - t0 > keep_s) {
            window.pop_front();
        }
    }

    /// The signal's low level (a low percentile: where it rests, not one mis-detected frame).
    fn low(&self) -> Option<f32> {
        quantile(&self.all, 0.1)
    }

    /// The signal's high level (a high percentile, for the same reason).
    fn high(&self) -> Option<f32> {
        quantile(&self.all, 0.9)
    }

    /// The signal's usual level (the median).
    fn usual(&self) -> Option<f32> {
        quantile(&self.all, 0.5)
    }

    /// The person's level at the top (a high percentile: the best they hold, not one
    /// mis-detected frame).
    fn top(&self) -> Option<f32> {
        quantile(&self.top, 0.9)
    }

    /// The level the person holds in the working position (the median: a deviation held
    /// briefly does not move it).
    fn held(&self) -> Option<f32> {
        quantile(&self.top, 0.5)
    }

    fn start(&self) -> Option<f32> {
        quantile(&self.start, 0.5)
    }
}

/// Time constant of the speed estimate's smoothing, seconds.
const SPEED_SMOOTHING_S: f32 = 0.08;

impl SignalState {
    /// Forgets the levels learnt at the top (a new hold is held at its own level: the other
    /// side of a side plank, filmed from the other side, reads differently).
    pub fn forget_tops(&mut self) {
        for levels in &mut self.levels {
            levels.top.clear();
        }
    }

    /// Forgets every learnt level (a new set may be a new person, view or variant).
    pub fn forget_levels(&mut self) {
        self.levels.clear();
    }

    /// Learns the person's levels: `values` were measured in `position` (`Some(true)`: the
    /// working position, `Some(false)`: the start position, `None`: neither). Levels older
    /// than the window are forgotten whether or not new ones come.
    pub fn learn(&mut self, t: f64, position: Option<bool>, values: &[SignalValue]) {
        self.levels.resize_with(values.len(), Levels::default);
        for levels in &mut self.levels {
            Levels::expire(&mut levels.start, t, LEVEL_WINDOW_S);
            Levels::expire(&mut levels.top, t, LEVEL_WINDOW_S);
            Levels::expire(&mut levels.all, t, LOW_WINDOW_S);
        }
        for (levels, v) in self.levels.iter_mut().zip(values) {
            if let Some(x) = v.value {
                levels.all.push_back((t, x));
            }
            if let (Some(working), Some(x)) = (position, v.value) {
                let window = if working {
                    &mut levels.top
                } else {
                    &mut levels.start
                };
                Levels::push(window, t, x);
            }
        }
    }

    /// `m` (relative to the person) of signal `source`, whose clearly visible difference is
    /// `scale`.
    fn relative(&self, m: &Measure, source: usize, scale: f32, now: Option<f32>) -> SignalValue {
        let levels = self.levels.get(source);
        let top = levels.and_then(Levels::top);
        let known = |value| SignalValue {
            value,
            ..SignalValue::default()
        };
        let Some(v) = now else {
            return SignalValue::default();
        };
        match (m, top, levels.and_then(Levels::start)) {
            // Before the person has been seen at the top there is nothing to drop from.
            (Measure::BelowTop(_), top, _) => known(Some(top.map_or(0.0, |top| top - v))),
            (Measure::AboveStart(_), _, start) => known(start.map(|start| v - start)),
            (Measure::AboveHeld(_), _, _) => known(Some(
                levels.and_then(Levels::held).map_or(0.0, |held| v - held),
            )),
            (Measure::Rise(_), _, _) => match levels.and_then(Levels::low) {
                Some(low) => known(Some(v - low)),
                None => SignalValue::default(),
            },
            (Measure::Fall(_), _, _) => match levels.and_then(Levels::high) {
                Some(high) => known(Some(high - v)),
                None => SignalValue::default(),
            },
            (Measure::FromUsual(_), _, _) => match levels.and_then(Levels::usual) {
                Some(usual) => known(Some(v - usual)),
                None => SignalValue::default(),
            },
            // A range within the frame-to-frame jitter (half a clearly visible difference: 5
            // degrees, the jitter's upper end on the dev clips) is no range: shares of it would
            // swing from one frame to the next. The single-leg heel bridge
            // (skatefit_single_leg_heel_bridge) rises 6-10 degrees of torso tilt (lying 0-2,
            // tops 6-11), which a 10-degree minimum loses (4 of 6 reps counted).
            (Measure::InRange(_), Some(top), Some(start)) if (top - start).abs() >= scale => {
                known(Some((v - start) / (top - start)))
            }
            _ => SignalValue {
                unlearnt: true,
                ..SignalValue::default()
            },
        }
    }

    /// Computes all signals (in dependency order, as `order` gives) for one frame.
    pub fn evaluate(
        &mut self,
        specs: &[SignalSpec],
        order: &[usize],
        frame: &Frame,
        t: f64,
        out: &mut Vec<SignalValue>,
    ) {
        out.clear();
        out.resize(specs.len(), SignalValue::default());
        self.previous.resize(specs.len(), (t, None));
        self.speed.resize(specs.len(), None);
        for &i in order {
            let spec = &specs[i];
            let value = match &spec.measure {
                Measure::Speed(src) => src.index().and_then(|j| self.speed_of(j, out[j].value, t)),
                Measure::BelowTop(src)
                | Measure::InRange(src)
                | Measure::Rise(src)
                | Measure::FromUsual(src)
                | Measure::Fall(src)
                | Measure::AboveStart(src)
                | Measure::AboveHeld(src) => {
                    // On the side its source was measured on (a turn to the left, from usual).
                    out[i] = src
                        .index()
                        .map(|j| {
                            let scale = specs[j].measure.evidence_scale() / 2.0;
                            SignalValue {
                                side: out[j].side,
                                ..self.relative(&spec.measure, j, scale, out[j].value)
                            }
                        })
                        .unwrap_or_default();
                    continue;
                }
                Measure::Largest(sources) | Measure::Smallest(sources) => {
                    let known = sources
                        .iter()
                        .filter_map(|r| r.index().map(|j| out[j]))
                        .filter(|v| v.value.is_some());
                    let order = |a: &SignalValue, b: &SignalValue| {
                        a.value.partial_cmp(&b.value).unwrap_or(Ordering::Equal)
                    };
                    out[i] = if matches!(spec.measure, Measure::Largest(_)) {
                        known.max_by(order)
                    } else {
                        known.min_by(order)
                    }
                    .unwrap_or_default();
                    continue;
                }
                Measure::SameSide(a, b) => {
                    match (
                        a.index().and_then(|j| out[j].side),
                        b.index().and_then(|j| out[j].side),
                    ) {
                        (Some(x), Some(y)) => Some(if x == y { 1.0 } else { 0.0 }),
                        _ => None,
                    }
                }
                m => {
                    let sided = spec.is_sided();
                    // Only a steady signal needs a frame of its own (a copy of three landmark
                    // tables); the others measure on the frame as given.
                    let steady;
                    let scaled = match spec.scale {
                        Scale::Frame => frame,
                        Scale::Steady => {
                            steady = Frame {
                                torso: frame.steady_torso,
                                ..*frame
                            };
                            &steady
                        }
                    };
                    let pick = |side: Side| SignalValue {
                        value: scaled.measure(m, side, spec.space, spec.hidden),
                        side: sided.then_some(side),
                        unlearnt: false,
                    };
                    let from_signal = |r: &SignalRef| r.index().and_then(|j| out[j].side);
                    let result = match &spec.side {
                        SideRule::Visible => pick(frame.near),
                        SideRule::Fixed(s) => pick(*s),
                        SideRule::Max | SideRule::Min => {
                            let (l, r) = (pick(Side::Left), pick(Side::Right));
                            match (l.value, r.value) {
                                (Some(a), Some(b)) => {
                                    let left_wins = (a >= b) == (spec.side == SideRule::Max);
                                    if left_wins { l } else { r }
                                }
                                (Some(_), None) => l,
                                (None, Some(_)) => r,
                                (None, None) => SignalValue::default(),
                            }
                        }
                        SideRule::SameAs(s) => from_signal(s).map(pick).unwrap_or_default(),
                        SideRule::OppositeOf(s) => {
                            from_signal(s).map(|x| pick(x.other())).unwrap_or_default()
                        }
                        SideRule::Weighted => weighted(
                            [pick(Side::Left), pick(Side::Right)],
                            [Side::Left, Side::Right].map(|s| frame.side_weight(m, s)),
                        ),
                    };
                    out[i] = result;
                    continue;
                }
            };
            out[i] = SignalValue {
                value,
                ..SignalValue::default()
            };
        }
        for (prev, v) in self.previous.iter_mut().zip(out.iter()) {
            *prev = (t, v.value);
        }
    }

    fn speed_of(&mut self, source: usize, now: Option<f32>, t: f64) -> Option<f32> {
        let (t0, before) = self.previous[source];
        let dt = (t - t0) as f32;
        let raw = match (before, now) {
            (Some(a), Some(b)) if dt > 0.0 && dt < 0.5 => (b - a).abs() / dt,
            _ => {
                self.speed[source] = None;
                return None;
            }
        };
        let k = dt / (SPEED_SMOOTHING_S + dt);
        let s = match self.speed[source] {
            Some(prev) => prev + k * (raw - prev),
            None => raw,
        };
        self.speed[source] = Some(s);
        Some(s)
    }
}

/// +1 towards the person's left, −1 towards their right (left-right lines run right → left).
fn side_sign(side: Side) -> f32 {
    match side {
        Side::Left => 1.0,
        Side::Right => -1.0,
    }
}

/// Two sides' values mixed by their weights; the side is the one weighing more. A side not
/// measured drops out.
fn weighted([l, r]: [SignalValue; 2], [wl, wr]: [f32; 2]) -> SignalValue {
    match (l.value, r.value) {
        (Some(a), Some(b)) => {
            let total = wl + wr;
            let value = if total > 0.0 {
                (a * wl + b * wr) / total
            } else {
                (a + b) * 0.5
            };
            SignalValue {
                value: Some(value),
                side: if wl >= wr { l.side } else { r.side },
                unlearnt: false,
            }
        }
        (Some(_), None) => l,
        (None, Some(_)) => r,
        (None, None) => SignalValue::default(),
    }
}

/// The unit a signal's values are in: a signal relative to another (a rise, a drop from the
/// top) or the largest of others is in the unit of its source. Followed at most once per
/// signal, so that references going round in a circle (refused elsewhere) cannot loop.
fn value_unit(specs: &[SignalSpec], mut i: usize) -> Unit {
    for _ in 0..specs.len() {
        let source = match &specs[i].measure {
            Measure::BelowTop(s)
            | Measure::Rise(s)
            | Measure::FromUsual(s)
            | Measure::Fall(s)
            | Measure::AboveStart(s)
            | Measure::AboveHeld(s) => s.index(),
            Measure::Largest(sources) | Measure::Smallest(sources) => {
                sources.first().and_then(SignalRef::index)
            }
            m => return m.unit(),
        };
        match source {
            Some(j) => i = j,
            None => return Unit::SignalUnits,
        }
    }
    Unit::SignalUnits
}

/// Points every reference between signals at the signal it names; `Err` names an unknown one,
/// or a `largest` of signals in different units.
pub fn resolve_refs(specs: &mut [SignalSpec]) -> Result<(), String> {
    let names: Vec<String> = specs.iter().map(|s| s.name.clone()).collect();
    for spec in specs.iter_mut() {
        let owner = spec.name.clone();
        for r in spec.refs_mut() {
            r.index = Some(names.iter().position(|n| *n == r.name).ok_or_else(|| {
                format!(
                    "signal '{owner}' refers to '{}', which is not a signal",
                    r.name
                )
            })?);
        }
    }
    for (i, spec) in specs.iter().enumerate() {
        if let Measure::Largest(sources) | Measure::Smallest(sources) = &spec.measure {
            let units: Vec<Unit> = sources
                .iter()
                .filter_map(|r| r.index().map(|j| value_unit(specs, j)))
                .collect();
            if units.windows(2).any(|w| w[0] != w[1]) {
                let which = if matches!(spec.measure, Measure::Largest(_)) {
                    "largest"
                } else {
                    "smallest"
                };
                return Err(format!(
                    "signal '{}' takes the {which} of signals in different units",
                    specs[i].name
                ));
            }
        }
    }
    Ok(())
}

/// Orders signals so that each comes after those it depends on; `Err` names a signal in a
/// dependency cycle or an unknown reference.
pub fn evaluation_order(specs: &[SignalSpec]) -> Result<Vec<usize>, String> {
    let mut order = Vec::with_capacity(specs.len());
    let mut placed = vec![false; specs.len()];
    while order.len() < specs.len() {
        let before = order.len();
        for (i, s) in specs.iter().enumerate() {
            if placed[i] {
                continue;
            }
            let ready = s.dependencies().iter().all(|d| {
                specs
                    .iter()
                    .position(|x| x.name == *d)
                    .is_some_and(|j| placed[j])
            });
            if ready {
                placed[i] = true;
                order.push(i);
            }
        }
        if order.len() == before {
            let stuck = specs
                .iter()
                .enumerate()
                .find(|(i, _)| !placed[*i])
                .map(|(_, s)| s.name.clone())
                .unwrap_or_default();
            return Err(format!(
                "signal '{stuck}' refers to a signal that is not defined or refers back to it"
            ));
        }
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Specs as a loaded template has them: references resolved, and their order.
    fn prepared(mut specs: Vec<SignalSpec>) -> (Vec<SignalSpec>, Vec<usize>) {
        resolve_refs(&mut specs).unwrap();
        let order = evaluation_order(&specs).unwrap();
        (specs, order)
    }
    use crate::pose::Keypoint;

    fn pose_with(points: &[(Joint, f32, f32)]) -> Pose {
        let mut p = Pose::default();
        for (j, x, y) in points {
            p.keypoints[j.index()] = Keypoint {
                x: *x,
                y: *y,
                z: 0.0,
                visibility: 1.0,
            };
        }
        p
    }

    fn frame(pose: &Pose, near: Side) -> Frame<'_> {
        let mut seen = [false; crate::skeleton::JOINT_COUNT];
        for j in Joint::ALL {
            seen[j.index()] = pose.visibility(j) > 0.5;
        }
        Frame {
            pose,
            seen,
            behind_twins: seen,
            placed: seen,
            roll: 0.0,
            torso: 100.0,
            steady_torso: 100.0,
            near,
        }
    }

    fn spec(name: &str, measure: Measure, side: SideRule) -> SignalSpec {
        SignalSpec {
            name: name.into(),
            measure,
            side,
            space: Space::Picture,
            hidden: Hidden::Unmeasured,
            scale: Scale::Frame,
        }
    }

    #[test]
    fn max_side_picks_the_raised_arm_and_same_side_compares_sides() {
        use Joint::*;
        // Left arm level (raised), right arm hanging; right leg raised, left leg down.
        let pose = pose_with(&[
            (LeftShoulder, 100.0, 100.0),
            (LeftWrist, 0.0, 100.0),
            (RightShoulder, 100.0, 100.0),
            (RightWrist, 100.0, 200.0),
            (LeftHip, 300.0, 100.0),
            (LeftAnkle, 350.0, 200.0),
            (RightHip, 300.0, 100.0),
            (RightAnkle, 400.0, 100.0),
        ]);
        let arm = PointRef::Part(Part::Shoulder);
        let specs = vec![
            spec(
                "contra",
                Measure::SameSide("arm".into(), "leg".into()),
                SideRule::Visible,
            ),
            spec(
                "arm",
                Measure::Elevation([arm, PointRef::Part(Part::Wrist)]),
                SideRule::Max,
            ),
            spec(
                "leg",
                Measure::Elevation([PointRef::Part(Part::Hip), PointRef::Part(Part::Ankle)]),
                SideRule::Max,
            ),
        ];
        let (specs, order) = prepared(specs);
        assert_eq!(order, vec![1, 2, 0]);
        let mut state = SignalState::default();
        let mut out = Vec::new();
        state.evaluate(&specs, &order, &frame(&pose, Side::Left), 0.0, &mut out);
        assert_eq!(out[1].side, Some(Side::Left));
        assert!(out[1].value.unwrap().abs() < 1e-3);
        assert_eq!(out[2].side, Some(Side::Right));
        assert_eq!(out[0].value, Some(0.0));
    }

    #[test]
    fn a_steady_scale_measures_in_the_steady_torso() {
        use Joint::*;
        // The hip 130 px above the ankle; this frame's torso 100 px, the steady one 130 px.
        let pose = pose_with(&[(LeftHip, 100.0, 170.0), (LeftAnkle, 100.0, 300.0)]);
        let f = Frame {
            steady_torso: 130.0,
            ..frame(&pose, Side::Left)
        };
        let height = || Measure::Height([PointRef::Part(Part::Hip), PointRef::Part(Part::Ankle)]);
        let mut specs = vec![
            spec("frame", height(), SideRule::Fixed(Side::Left)),
            spec("steady", height(), SideRule::Fixed(Side::Left)),
        ];
        specs[1].scale = Scale::Steady;
        let (specs, order) = prepared(specs);
        let mut out = Vec::new();
        SignalState::default().evaluate(&specs, &order, &f, 0.0, &mut out);
        assert!((out[0].value.unwrap() - 1.3).abs() < 1e-4, "{:?}", out[0]);
        assert!((out[1].value.unwrap() - 1.0).abs() < 1e-4, "{:?}", out[1]);
    }

    #[test]
    fn feet_together_from_the_side_are_measured_with_the_far_foot_behind_the_near() {
        use Joint::*;
        let mut pose = pose_with(&[(LeftAnkle, 100.0, 300.0), (RightAnkle, 103.0, 296.0)]);
        pose.keypoints[RightAnkle.index()].visibility = 0.35;
        let seen = crate::exercise::quality::seen_landmarks(&pose, 1000.0, 1000.0);
        let f = Frame {
            behind_twins: crate::exercise::quality::behind_twins(
                &pose, 1000.0, 1000.0, &seen, 100.0,
            ),
            ..frame(&pose, Side::Left)
        };
        let mut specs = vec![
            spec("unseen", Measure::Span(Part::Ankle), SideRule::Visible),
            spec("behind", Measure::Span(Part::Ankle), SideRule::Visible),
        ];
        specs[1].hidden = Hidden::BehindTwin;
        let (specs, order) = prepared(specs);
        let mut out = Vec::new();
        SignalState::default().evaluate(&specs, &order, &f, 0.0, &mut out);
        assert_eq!(out[0].value, None);
        assert!((out[1].value.unwrap() - 0.05).abs() < 1e-4, "{:?}", out[1]);
    }

    #[test]
    fn world_signals_see_through_foreshortening_and_weighted_sides_mix() {
        use Joint::*;
        // In the picture the left thigh points straight up; in 3-D it is raised 30° towards
        // the camera. The right thigh, seen half as well, is level.
        let mut pose = pose_with(&[
            (LeftHip, 100.0, 100.0),
            (LeftKnee, 100.0, 50.0),
            (RightHip, 100.0, 100.0),
            (RightKnee, 150.0, 100.0),
        ]);
        pose.keypoints[RightHip.index()].visibility = 0.6;
        pose.keypoints[RightKnee.index()].visibility = 0.6;
        let mut world = [[0.0; 3]; crate::skeleton::JOINT_COUNT];
        world[LeftKnee.index()] = [0.0, -0.25, -0.433];
        world[RightKnee.index()] = [0.5, 0.0, 0.0];
        pose.world = Some(world);
        let thigh = Measure::Elevation([PointRef::Part(Part::Hip), PointRef::Part(Part::Knee)]);
        let mut specs = vec![
            spec("flat", thigh.clone(), SideRule::Fixed(Side::Left)),
            spec("deep", thigh.clone(), SideRule::Fixed(Side::Left)),
            spec("mixed", thigh, SideRule::Weighted),
        ];
        specs[1].space = Space::World;
        specs[2].space = Space::World;
        let (specs, order) = prepared(specs);
        let mut out = Vec::new();
        let f = frame(&pose, Side::Left);
        SignalState::default().evaluate(&specs, &order, &f, 0.0, &mut out);
        let value = |i: usize| out[i].value.unwrap_or(f32::NAN);
        assert!((value(0) - 90.0).abs() < 1e-3, "{}", value(0));
        assert!((value(1) - 30.0).abs() < 1e-2, "{}", value(1));
        // 30° weighing 1, 0° weighing 0.6: 18.75°, from the better-seen left side.
        assert!((value(2) - 18.75).abs() < 1e-2, "{}", value(2));
        assert_eq!(out[2].side, Some(Side::Left));
        // Without world points the same signal is measured in the picture.
        pose.world = None;
        let f = frame(&pose, Side::Left);
        SignalState::default().evaluate(&specs, &order, &f, 0.0, &mut out);
        assert!((out[1].value.unwrap_or(f32::NAN) - 90.0).abs() < 1e-3);
    }

    #[test]
    fn a_head_turned_is_the_nose_off_the_ears_along_the_shoulders_and_largest_keeps_its_side() {
        use Joint::*;
        // Facing the camera, the head turned to the person's right: in the picture the nose
        // is 5 px towards the image's left (the person's right) of the ears' midpoint; in 3-D
        // it is 9 cm that way and a little nearer the camera.
        let mut pose = pose_with(&[
            (LeftShoulder, 120.0, 100.0),
            (RightShoulder, 80.0, 100.0),
            (LeftHip, 110.0, 200.0),
            (RightHip, 90.0, 200.0),
            (LeftEar, 107.0, 75.0),
            (RightEar, 93.0, 75.0),
            (Nose, 95.0, 76.0),
        ]);
        let mut world = [[0.0; 3]; crate::skeleton::JOINT_COUNT];
        // One shoulder raised 30 cm: the line is levelled with the floor before the nose is
        // measured along it (along the tilted line it would read 0.156).
        world[LeftShoulder.index()] = [0.2, -0.15, 0.0];
        world[RightShoulder.index()] = [-0.2, 0.15, 0.0];
        world[LeftHip.index()] = [0.2, 0.35, 0.0];
        world[RightHip.index()] = [-0.2, 0.65, 0.0];
        world[LeftEar.index()] = [0.03, -0.25, 0.06];
        world[RightEar.index()] = [-0.03, -0.25, -0.06];
        world[Nose.index()] = [-0.09, -0.24, -0.05];
        pose.world = Some(world);
        let turn = Measure::Offset {
            point: PointRef::Part(Part::Nose),
            from: PointRef::Mid(Part::Ear),
            along: Part::Shoulder,
        };
        let up = Measure::Height([PointRef::Part(Part::Nose), PointRef::Mid(Part::Ear)]);
        let mut specs = vec![
            spec("turn", turn.clone(), SideRule::Max),
            spec("up", up, SideRule::Visible),
            spec(
                "look",
                Measure::Largest(vec!["turn".into(), "up".into()]),
                SideRule::Visible,
            ),
            spec("picture_turn", turn, SideRule::Max),
        ];
        specs[0].space = Space::World;
        specs[1].space = Space::World;
        let (specs, order) = prepared(specs);
        let mut out = Vec::new();
        SignalState::default().evaluate(&specs, &order, &frame(&pose, Side::Left), 0.0, &mut out);
        let value = |i: usize| out[i].value.unwrap_or(f32::NAN);
        // 3-D torso 0.5 m: 9 cm is 0.18 torso lengths to the right; the nose 1 cm below the
        // ears is -0.02.
        assert!((value(0) - 0.18).abs() < 1e-3, "{}", value(0));
        assert_eq!(out[0].side, Some(Side::Right));
        assert!((value(1) + 0.02).abs() < 1e-3, "{}", value(1));
        assert!((value(2) - 0.18).abs() < 1e-3, "{}", value(2));
        assert_eq!(out[2].side, Some(Side::Right));
        // In the picture (torso 100 px): 5 px to the right.
        assert!((value(3) - 0.05).abs() < 1e-3, "{}", value(3));
        assert_eq!(out[3].side, Some(Side::Right));
        // A largest of a length and an angle is refused.
        let mut mixed = vec![
            spec("span", Measure::Span(Part::Shoulder), SideRule::Visible),
            spec(
                "tilt",
                Measure::Incline([PointRef::Part(Part::Hip), PointRef::Part(Part::Knee)]),
                SideRule::Visible,
            ),
            spec(
                "both",
                Measure::Largest(vec!["span".into(), "tilt".into()]),
                SideRule::Visible,
            ),
        ];
        let err = resolve_refs(&mut mixed).unwrap_err();
        assert!(err.contains("different units"), "{err}");
    }

    #[test]
    fn unseen_joints_give_no_value_and_speeds_follow_change() {
        use Joint::*;
        let specs = vec![
            spec(
                "knee",
                Measure::Angle([
                    PointRef::Part(Part::Hip),
                    PointRef::Part(Part::Knee),
                    PointRef::Part(Part::Ankle),
                ]),
                SideRule::Fixed(Side::Left),
            ),
            spec(
                "knee_speed",
                Measure::Speed("knee".into()),
                SideRule::Visible,
            ),
        ];
        let (specs, order) = prepared(specs);
        let mut state = SignalState::default();
        let mut out = Vec::new();
        let bent = pose_with(&[
            (LeftHip, 0.0, 0.0),
            (LeftKnee, 100.0, 0.0),
            (LeftAnkle, 100.0, 100.0),
        ]);
        state.evaluate(&specs, &order, &frame(&bent, Side::Left), 0.0, &mut out);
        assert!((out[0].value.unwrap() - 90.0).abs() < 1e-3);
        assert_eq!(out[1].value, None);
        let straight = pose_with(&[
            (LeftHip, 0.0, 0.0),
            (LeftKnee, 100.0, 0.0),
            (LeftAnkle, 200.0, 0.0),
        ]);
        state.evaluate(
            &specs,
            &order,
            &frame(&straight, Side::Left),
            0.25,
            &mut out,
        );
        assert!((out[1].value.unwrap() - 360.0).abs() < 1.0, "{:?}", out[1]);
        let hidden = pose_with(&[(LeftHip, 0.0, 0.0)]);
        state.evaluate(&specs, &order, &frame(&hidden, Side::Left), 0.3, &mut out);
        assert_eq!(out[0].value, None);
    }

    #[test]
    fn relative_signals_follow_the_persons_own_levels() {
        use Joint::*;
        let specs = vec![
            spec(
                "hip",
                Measure::Level(PointRef::Part(Part::Hip)),
                SideRule::Fixed(Side::Left),
            ),
            spec("drop", Measure::BelowTop("hip".into()), SideRule::Visible),
            spec("rise", Measure::InRange("hip".into()), SideRule::Visible),
            spec("up", Measure::AboveStart("hip".into()), SideRule::Visible),
            spec("fall", Measure::Fall("hip".into()), SideRule::Visible),
            spec("held", Measure::AboveHeld("hip".into()), SideRule::Visible),
        ];
        let (specs, order) = prepared(specs);
        let mut state = SignalState::default();
        let mut out = Vec::new();
        let at = |state: &mut SignalState, y: f32, t: f64, out: &mut Vec<SignalValue>| {
            let pose = pose_with(&[(LeftHip, 0.0, y)]);
            state.evaluate(&specs, &order, &frame(&pose, Side::Left), t, out);
        };
        // Nothing learnt: no drop, and the range is unknown (not a value of 0).
        at(&mut state, -100.0, 0.0, &mut out);
        assert_eq!(out[1].value, Some(0.0));
        assert_eq!((out[2].value, out[2].unlearnt), (None, true));
        assert_eq!((out[3].value, out[3].unlearnt), (None, false));
        assert_eq!((out[4].value, out[4].unlearnt), (None, false));
        assert_eq!(out[5].value, Some(0.0));
        // Lying at level -1 (y = 100 px, torso 100 px), then holding at level 1.
        for i in 0..20 {
            at(&mut state, 100.0, i as f64 / 30.0, &mut out);
            state.learn(i as f64 / 30.0, Some(false), &out);
        }
        for i in 20..40 {
            at(&mut state, -100.0, i as f64 / 30.0, &mut out);
            state.learn(i as f64 / 30.0, Some(true), &out);
        }
        // Half-way up: half the range, one level below the top.
        at(&mut state, 0.0, 1.5, &mut out);
        assert!((out[2].value.unwrap() - 0.5).abs() < 1e-4, "{:?}", out[2]);
        assert!(!out[2].unlearnt);
        assert!((out[1].value.unwrap() - 1.0).abs() < 1e-4, "{:?}", out[1]);
        // One level above where the person lay; below it, negative.
        assert!((out[3].value.unwrap() - 1.0).abs() < 1e-4, "{:?}", out[3]);
        // One level below the high it held (whatever the position).
        assert!((out[4].value.unwrap() - 1.0).abs() < 1e-4, "{:?}", out[4]);
        at(&mut state, 200.0, 1.6, &mut out);
        assert!((out[3].value.unwrap() + 1.0).abs() < 1e-4, "{:?}", out[3]);
        assert!((out[4].value.unwrap() - 3.0).abs() < 1e-4, "{:?}", out[4]);
        // Values in neither position teach nothing.
        for i in 0..100 {
            at(&mut state, 300.0, 2.0 + i as f64 / 30.0, &mut out);
            state.learn(2.0 + i as f64 / 30.0, None, &out);
        }
        at(&mut state, 0.0, 6.0, &mut out);
        assert!((out[2].value.unwrap() - 0.5).abs() < 1e-4);
        // A brief deviation above the held level (a pike: a fifth of the working frames)
        // moves the top level with it, not the held one.
        for i in 0..5 {
            at(&mut state, -200.0, 6.0 + i as f64 / 30.0, &mut out);
            state.learn(6.0 + i as f64 / 30.0, Some(true), &out);
        }
        at(&mut state, -200.0, 6.2, &mut out);
        assert!(out[1].value.unwrap().abs() < 1e-4, "{:?}", out[1]);
        assert!((out[5].value.unwrap() - 1.0).abs() < 1e-4, "{:?}", out[5]);
    }

    #[test]
    fn ahead_is_along_the_way_the_face_points_and_gives_the_front_foot() {
        use Joint::*;
        // A tandem stance filmed from the side, facing the picture's left: the nose 10 px left
        // of the ears, the right ankle 30 px left of the left one (in front). In 3-D, filmed
        // from the front: the face and the right foot point at the camera (-z).
        let mut pose = pose_with(&[
            (LeftShoulder, 100.0, 100.0),
            (RightShoulder, 102.0, 100.0),
            (LeftHip, 100.0, 200.0),
            (RightHip, 102.0, 200.0),
            (LeftEar, 101.0, 75.0),
            (RightEar, 101.0, 75.0),
            (Nose, 91.0, 78.0),
            (LeftAnkle, 115.0, 380.0),
            (RightAnkle, 85.0, 380.0),
        ]);
        let mut world = [[0.0; 3]; crate::skeleton::JOINT_COUNT];
        world[LeftShoulder.index()] = [0.2, 0.0, 0.0];
        world[RightShoulder.index()] = [-0.2, 0.0, 0.0];
        world[LeftHip.index()] = [0.2, 0.5, 0.0];
        world[RightHip.index()] = [-0.2, 0.5, 0.0];
        world[LeftEar.index()] = [0.07, -0.25, 0.0];
        world[RightEar.index()] = [-0.07, -0.25, 0.0];
        // The head tipped down a little: only the level part of its direction counts.
        world[Nose.index()] = [0.0, -0.2, -0.1];
        world[LeftAnkle.index()] = [0.02, 1.3, 0.1];
        world[RightAnkle.index()] = [-0.02, 1.3, -0.1];
        pose.world = Some(world);
        let ahead = Measure::Ahead([PointRef::Part(Part::Ankle), PointRef::Mid(Part::Ankle)]);
        let mut specs = vec![
            spec("front_3d", ahead.clone(), SideRule::Max),
            spec("front", ahead, SideRule::Max),
        ];
        specs[0].space = Space::World;
        let (specs, order) = prepared(specs);
        let mut out = Vec::new();
        SignalState::default().evaluate(&specs, &order, &frame(&pose, Side::Left), 0.0, &mut out);
        // 3-D: 0.1 m of a 0.5 m torso; picture: 15 px of a 100 px torso.
        assert!((out[0].value.unwrap() - 0.2).abs() < 1e-4, "{:?}", out[0]);
        assert_eq!(out[0].side, Some(Side::Right));
        assert!((out[1].value.unwrap() - 0.15).abs() < 1e-4, "{:?}", out[1]);
        assert_eq!(out[1].side, Some(Side::Right));
        // Facing the other way, the other foot is in front.
        pose.keypoints[Nose.index()].x = 111.0;
        SignalState::default().evaluate(&specs, &order, &frame(&pose, Side::Left), 0.0, &mut out);
        assert_eq!(out[1].side, Some(Side::Left));
        // The nose over the ears in the picture, or the face looking straight down in 3-D:
        // the face points no way, and no foot is in front.
        pose.keypoints[Nose.index()].x = 101.0;
        if let Some(w) = pose.world.as_mut() {
            w[Nose.index()] = [0.0, -0.1, -0.01];
        }
        SignalState::default().evaluate(&specs, &order, &frame(&pose, Side::Left), 0.0, &mut out);
        assert_eq!((out[0].value, out[1].value), (None, None), "{out:?}");
    }

    #[test]
    fn smallest_takes_the_least_known_value_with_its_side() {
        use Joint::*;
        // Hands on the waist filmed at an angle: the left arm's bend lies along the line of
        // sight, straight in the picture (180) and bent in 3-D (90).
        let mut pose = pose_with(&[
            (LeftShoulder, 100.0, 100.0),
            (LeftElbow, 100.0, 150.0),
            (LeftWrist, 100.0, 200.0),
        ]);
        let mut world = [[0.0; 3]; crate::skeleton::JOINT_COUNT];
        world[LeftShoulder.index()] = [0.0, 0.0, 0.0];
        world[LeftElbow.index()] = [0.0, 0.25, 0.0];
        world[LeftWrist.index()] = [0.0, 0.25, -0.25];
        pose.world = Some(world);
        let elbow = Measure::Angle([
            PointRef::Part(Part::Shoulder),
            PointRef::Part(Part::Elbow),
            PointRef::Part(Part::Wrist),
        ]);
        let mut specs = vec![
            spec("picture", elbow.clone(), SideRule::Fixed(Side::Left)),
            spec("world", elbow, SideRule::Fixed(Side::Left)),
            spec(
                "bend",
                Measure::Smallest(vec!["picture".into(), "world".into()]),
                SideRule::Visible,
            ),
        ];
        specs[1].space = Space::World;
        let (specs, order) = prepared(specs);
        let mut out = Vec::new();
        SignalState::default().evaluate(&specs, &order, &frame(&pose, Side::Left), 0.0, &mut out);
        assert!((out[0].value.unwrap() - 180.0).abs() < 1e-3, "{:?}", out[0]);
        assert!((out[2].value.unwrap() - 90.0).abs() < 1e-3, "{:?}", out[2]);
        assert_eq!(out[2].side, Some(Side::Left));
        // Without 3-D points the picture's is all there is.
        pose.world = None;
        SignalState::default().evaluate(&specs, &order, &frame(&pose, Side::Left), 0.0, &mut out);
        assert!((out[2].value.unwrap() - 180.0).abs() < 1e-3, "{:?}", out[2]);
    }

    #[test]
    fn depth_is_how_much_farther_from_the_camera_in_3d_or_in_the_models_picture_depth() {
        use Joint::*;
        // The back turned to the camera: the nose 15 cm (3-D) or 30 px (picture) farther
        // than the ears.
        let mut pose = pose_with(&[
            (LeftShoulder, 80.0, 100.0),
            (RightShoulder, 120.0, 100.0),
            (LeftHip, 80.0, 200.0),
            (RightHip, 120.0, 200.0),
            (LeftEar, 93.0, 75.0),
            (RightEar, 107.0, 75.0),
            (Nose, 100.0, 78.0),
        ]);
        pose.keypoints[Nose.index()].z = 20.0;
        pose.keypoints[LeftEar.index()].z = -5.0;
        pose.keypoints[RightEar.index()].z = -15.0;
        let mut world = [[0.0; 3]; crate::skeleton::JOINT_COUNT];
        world[LeftShoulder.index()] = [-0.2, 0.0, 0.0];
        world[RightShoulder.index()] = [0.2, 0.0, 0.0];
        world[LeftHip.index()] = [-0.2, 0.5, 0.0];
        world[RightHip.index()] = [0.2, 0.5, 0.0];
        world[LeftEar.index()] = [-0.07, -0.25, 0.0];
        world[RightEar.index()] = [0.07, -0.25, 0.0];
        world[Nose.index()] = [0.0, -0.24, 0.15];
        pose.world = Some(world);
        let depth = Measure::Depth([PointRef::Part(Part::Nose), PointRef::Mid(Part::Ear)]);
        let mut specs = vec![
            spec("deep", depth.clone(), SideRule::Visible),
            spec("flat", depth, SideRule::Visible),
        ];
        specs[0].space = Space::World;
        let (specs, order) = prepared(specs);
        let mut out = Vec::new();
        let f = frame(&pose, Side::Left);
        SignalState::default().evaluate(&specs, &order, &f, 0.0, &mut out);
        // 0.15 m of a 0.5 m torso; 30 px of a 100 px torso.
        assert!((out[0].value.unwrap() - 0.3).abs() < 1e-4, "{:?}", out[0]);
        assert!((out[1].value.unwrap() - 0.3).abs() < 1e-4, "{:?}", out[1]);
        // A face the model is unsure of (the back turned) is measured where it is placed only
        // when the signal says so.
        pose.keypoints[Nose.index()].visibility = 0.2;
        let mut placed = specs.clone();
        placed[1].hidden = Hidden::Placed;
        let f = Frame {
            seen: crate::exercise::quality::seen_landmarks(&pose, 1000.0, 1000.0),
            placed: crate::exercise::quality::placed_landmarks(&pose, 1000.0, 1000.0),
            ..frame(&pose, Side::Left)
        };
        SignalState::default().evaluate(&specs, &order, &f, 0.0, &mut out);
        assert_eq!(out[1].value, None);
        SignalState::default().evaluate(&placed, &order, &f, 0.0, &mut out);
        assert!((out[1].value.unwrap() - 0.3).abs() < 1e-4, "{:?}", out[1]);
        // A model without depth reads 0: nothing is ever turned away.
        for k in pose.keypoints.iter_mut() {
            k.z = 0.0;
            k.visibility = 1.0;
        }
        let f = frame(&pose, Side::Left);
        SignalState::default().evaluate(&specs, &order, &f, 0.0, &mut out);
        assert_eq!(out[1].value, Some(0.0));
    }

    #[test]
    fn from_usual_is_the_distance_from_the_median_and_keeps_the_sources_side() {
        use Joint::*;
        let specs = vec![
            spec(
                "hip",
                Measure::Level(PointRef::Part(Part::Hip)),
                SideRule::Fixed(Side::Left),
            ),
            spec("off", Measure::FromUsual("hip".into()), SideRule::Visible),
        ];
        let (specs, order) = prepared(specs);
        let mut state = SignalState::default();
        let mut out = Vec::new();
        let mut at = |y: f32, t: f64, out: &mut Vec<SignalValue>| {
            let pose = pose_with(&[(LeftHip, 0.0, y)]);
            state.evaluate(&specs, &order, &frame(&pose, Side::Left), t, out);
            state.learn(t, None, out);
        };
        // Unknown until a third of a second was seen.
        at(-50.0, 0.0, &mut out);
        assert_eq!(out[1].value, None);
        // Level 0.5 most of the time (21 frames), 1.5 now and then (9): the usual level is
        // 0.5, and the side is the source's.
        for i in 1..30 {
            let y = if i % 3 == 0 { -150.0 } else { -50.0 };
            at(y, i as f64 / 30.0, &mut out);
        }
        at(-150.0, 1.0, &mut out);
        assert!((out[1].value.unwrap() - 1.0).abs() < 1e-4, "{:?}", out[1]);
        assert_eq!(out[1].side, Some(Side::Left));
        at(0.0, 1.04, &mut out);
        assert!((out[1].value.unwrap() + 0.5).abs() < 1e-4, "{:?}", out[1]);
    }

    #[test]
    fn a_fallback_point_stands_in_for_one_out_of_sight() {
        use Joint::*;
        let ankle_or_knee = PointRef::parse("ankle|knee").unwrap();
        assert_eq!(ankle_or_knee, PointRef::Either(Part::Ankle, Part::Knee));
        assert_eq!(PointRef::parse("ankle|elbowz"), None);
        let specs = vec![spec(
            "line",
            Measure::Angle([
                PointRef::Part(Part::Shoulder),
                PointRef::Part(Part::Hip),
                ankle_or_knee,
            ]),
            SideRule::Visible,
        )];
        let (specs, order) = prepared(specs);
        let mut state = SignalState::default();
        let mut out = Vec::new();
        // The knee is bent down from the hip, the ankle level with it: the ankle is used.
        let mut pose = pose_with(&[
            (LeftShoulder, 0.0, 0.0),
            (LeftHip, 100.0, 0.0),
            (LeftKnee, 150.0, 50.0),
            (LeftAnkle, 200.0, 0.0),
        ]);
        state.evaluate(&specs, &order, &frame(&pose, Side::Left), 0.0, &mut out);
        assert!((out[0].value.unwrap() - 180.0).abs() < 1e-3);
        // Out of sight, the knee stands in.
        pose.keypoints[LeftAnkle.index()].visibility = 0.0;
        state.evaluate(&specs, &order, &frame(&pose, Side::Left), 0.1, &mut out);
        assert!((out[0].value.unwrap() - 135.0).abs() < 1e-3, "{:?}", out[0]);
    }

    #[test]
    fn cycles_are_reported() {
        let specs = vec![
            spec("a", Measure::Speed("b".into()), SideRule::Visible),
            spec("b", Measure::Speed("a".into()), SideRule::Visible),
        ];
        assert!(evaluation_order(&specs).is_err());
    }
}
