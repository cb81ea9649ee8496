//! Exercise templates: one TOML file per exercise, validated into a [`Template`].
//!
//! Everything that makes an exercise what it is lives in its file: the signals it measures, how
//! to recognise it, the start and working positions with their hysteresis and dwell, the form
//! faults a coach would call, and the prescribed targets. See `templates/README.md`.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::condition::{Condition, Reduce};
use super::signals::{
    Hidden, Measure, PointRef, Scale, SideRule, SignalSpec, Space, evaluation_order, resolve_refs,
};
use crate::error::Error;
use crate::report::model::{Fault, HoldEnd};
use crate::skeleton::{Part, Side};

/// The templates compiled into the binary.
pub const BUILTIN: [(&str, &str); 15] = [
    (
        "bird_dog.toml",
        include_str!("../../../../templates/bird_dog.toml"),
    ),
    (
        "glute_bridge.toml",
        include_str!("../../../../templates/glute_bridge.toml"),
    ),
    (
        "side_plank.toml",
        include_str!("../../../../templates/side_plank.toml"),
    ),
    (
        "superman.toml",
        include_str!("../../../../templates/superman.toml"),
    ),
    (
        "plank.toml",
        include_str!("../../../../templates/plank.toml"),
    ),
    (
        "feet_together_stand.toml",
        include_str!("../../../../templates/feet_together_stand.toml"),
    ),
    (
        "tandem_stance.toml",
        include_str!("../../../../templates/tandem_stance.toml"),
    ),
    (
        "toe_forward_tilt.toml",
        include_str!("../../../../templates/toe_forward_tilt.toml"),
    ),
    (
        "tandem_side_tilt.toml",
        include_str!("../../../../templates/tandem_side_tilt.toml"),
    ),
    (
        "tandem_arm_raise.toml",
        include_str!("../../../../templates/tandem_arm_raise.toml"),
    ),
    (
        "head_turns.toml",
        include_str!("../../../../templates/head_turns.toml"),
    ),
    (
        "turning.toml",
        include_str!("../../../../templates/turning.toml"),
    ),
    (
        "single_leg_toe_stand.toml",
        include_str!("../../../../templates/single_leg_toe_stand.toml"),
    ),
    (
        "heel_raise.toml",
        include_str!("../../../../templates/heel_raise.toml"),
    ),
    (
        "single_leg_stance.toml",
        include_str!("../../../../templates/single_leg_stance.toml"),
    ),
];

pub use crate::report::model::{Counting, Severity};

/// What the routine prescribes (per side for one-sided exercises).
#[derive(Clone, Copy, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    pub reps: Option<u32>,
    pub hold_s: Option<f32>,
    /// Attempts the routine allows before moving on (balance exercises).
    pub attempts: Option<u32>,
}

/// A value a condition reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    Signal(usize),
    /// Seconds spent in the working position during the rep, or the hold's length.
    HoldS,
    /// Seconds from leaving the start position to being back.
    DurationS,
    /// Seconds from leaving the start position to reaching the working position.
    RiseS,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Cond {
    pub operand: Operand,
    pub condition: Condition,
    /// How much of the operand's unit is a clear difference (10 degrees, 5 % of a body
    /// length, ...): soft evidence is graded over this distance around the threshold.
    pub scale: f32,
}

/// When a frame fault is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum During {
    /// In the working position (top of a rep, the hold).
    Working,
    /// In the start position.
    Start,
    /// Whenever the body can be judged as doing the exercise, in position or not.
    Any,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Checked on every frame; a fault when true for `min_duration_s`.
    Frame,
    /// Checked once per rep (or hold) when it ends, on its aggregates.
    Rep,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FaultRule {
    pub code: String,
    pub scope: Scope,
    pub during: During,
    pub when: Vec<Cond>,
    pub min_duration_s: f32,
    pub severity: Severity,
    pub message: String,
    /// A hold does not count time while this fault is on.
    pub breaks_hold: bool,
    /// Other names coaches (and ground-truth labels) use for this fault.
    pub aliases: Vec<String>,
}

impl FaultRule {
    /// Whether a rep rule judges only the top of the rep: its conditions are the rep's
    /// extremes of a position (a hip never straight, a leg never level) or its time at the
    /// top. Such a fault happened at the top, so that is the time it is reported for; a rule
    /// on the rep's mean, its timing or its speed (a jerk on the way up) is about the whole
    /// rep.
    pub fn judged_at_top(&self, signals: &[SignalSpec]) -> bool {
        self.when.iter().all(|c| match c.operand {
            Operand::HoldS => true,
            Operand::Signal(i) => {
                matches!(c.condition.reduce, Reduce::Max | Reduce::Min)
                    && !matches!(signals[i].measure, Measure::Speed(_))
            }
            Operand::DurationS | Operand::RiseS => false,
        })
    }

    /// An occurrence of this fault for the report.
    pub fn fault(&self, start_s: f64, end_s: f64, rep: Option<u32>, side: Option<Side>) -> Fault {
        Fault {
            code: self.code.clone(),
            severity: self.severity,
            start_s,
            end_s,
            rep,
            side,
            message: self.message.clone(),
        }
    }
}

/// A way a hold ends that a coach names (the raised foot touching down, a step, the heels
/// dropping): when all its conditions hold, the hold is left for this reason.
#[derive(Clone, Debug, PartialEq)]
pub struct EndRule {
    pub reason: HoldEnd,
    pub when: Vec<Cond>,
    /// A hold that ends this way sooner than this was not a hold but the top of a movement
    /// (a push-up's top is a brief straight-arm plank), and neither are the brief holds that
    /// follow it in a run (see the runner).
    pub min_hold_s: Option<f32>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ViewRule {
    pub when: Vec<Cond>,
    pub message: String,
}

/// A validated exercise template.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    pub id: String,
    pub name: String,
    pub description: String,
    pub counting: Counting,
    pub per_side: bool,
    pub targets: Targets,
    pub signals: Vec<SignalSpec>,
    pub order: Vec<usize>,
    pub primary: usize,
    pub required: Vec<Part>,
    /// Two parts resting on the floor throughout, to find the floor's slope.
    pub floor: Option<[Part; 2]>,
    pub side_by: Option<usize>,
    /// When the side is known: a side read while these do not all hold is no side (the
    /// tandem stance's front foot, when the feet are too close along the way the person faces
    /// for the model to tell).
    pub side_when: Vec<Cond>,
    pub recognise: Vec<Cond>,
    pub view: Option<ViewRule>,
    pub start: Vec<Cond>,
    pub working_enter: Vec<Cond>,
    pub working_exit: Vec<Cond>,
    pub min_dwell_s: f32,
    pub grace_s: f32,
    pub min_hold_s: f32,
    /// A rep is "held" while its key signal is within this fraction of its range from the top.
    pub hold_band: f32,
    /// Ways the hold ends with a named reason (checked before the plain exits).
    pub ends: Vec<EndRule>,
    /// A hold is complete after this long: it ends as `time_up` (the routine's 20-30 s).
    pub end_after_s: Option<f32>,
    /// A balance exercise: each hold is an attempt, counted against `targets.attempts`, with
    /// the body's sway measured.
    pub balance: bool,
    /// Judged only when named (`--exercise`, or a step of a guided routine): its posture is
    /// another exercise's start position, so watching for it would take that exercise's sets.
    pub named_only: bool,
    pub faults: Vec<FaultRule>,
    pub source: PathBuf,
}

// ---- the file format ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTemplate {
    id: Spanned<String>,
    name: String,
    description: String,
    counting: Counting,
    #[serde(default)]
    per_side: bool,
    #[serde(default)]
    balance: bool,
    #[serde(default)]
    named_only: bool,
    primary: Spanned<String>,
    #[serde(default)]
    required: Vec<Spanned<String>>,
    floor: Option<Spanned<Vec<String>>>,
    side_by: Option<Spanned<String>>,
    #[serde(default)]
    side_when: Vec<Spanned<String>>,
    targets: Option<Spanned<Targets>>,
    signals: BTreeMap<String, Spanned<RawSignal>>,
    recognise: RawWhen,
    view: Option<RawView>,
    start: Option<RawWhen>,
    working: RawWorking,
    #[serde(default)]
    ends: Vec<Spanned<RawEnd>>,
    #[serde(default)]
    faults: Vec<Spanned<RawFault>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnd {
    reason: HoldEnd,
    when: Vec<Spanned<String>>,
    min_hold_s: Option<Spanned<f32>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignal {
    angle: Option<Vec<String>>,
    incline: Option<Vec<String>>,
    elevation: Option<Vec<String>>,
    deviation: Option<String>,
    line: Option<Vec<String>>,
    span: Option<String>,
    stack: Option<String>,
    level: Option<String>,
    distance: Option<Vec<String>>,
    height: Option<Vec<String>>,
    depth: Option<Vec<String>>,
    ahead: Option<Vec<String>>,
    offset: Option<Vec<String>>,
    along: Option<String>,
    largest: Option<Vec<String>>,
    smallest: Option<Vec<String>>,
    rise: Option<String>,
    from_usual: Option<String>,
    fall: Option<String>,
    speed: Option<String>,
    same_side: Option<Vec<String>>,
    below_top: Option<String>,
    in_range: Option<String>,
    above_start: Option<String>,
    above_held: Option<String>,
    side: Option<String>,
    space: Option<String>,
    hidden: Option<String>,
    scale: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWhen {
    when: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawView {
    when: Vec<Spanned<String>>,
    message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorking {
    enter: Vec<Spanned<String>>,
    exit: Vec<Spanned<String>>,
    min_dwell_s: Option<Spanned<f32>>,
    grace_s: Option<Spanned<f32>>,
    min_hold_s: Option<Spanned<f32>>,
    hold_band: Option<Spanned<f32>>,
    end_after_s: Option<Spanned<f32>>,
}

const DEFAULT_DWELL_S: f32 = 0.15;
const DEFAULT_GRACE_S: f32 = 0.5;
const DEFAULT_MIN_HOLD_S: f32 = 1.0;
const DEFAULT_HOLD_BAND: f32 = 0.25;
const DEFAULT_FRAME_FAULT_S: f32 = 0.3;

/// Durations, times in conditions and hold targets, seconds: an hour is beyond any routine.
pub(crate) const SECONDS: RangeInclusive<f32> = 0.0..=3600.0;
/// The hold band is a fraction of the rep's range.
const HOLD_BAND: RangeInclusive<f32> = 0.01..=1.0;
/// Prescribed reps.
pub(crate) const TARGET_REPS: RangeInclusive<u32> = 1..=1000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFault {
    code: String,
    scope: Scope,
    during: Option<During>,
    when: Vec<Spanned<String>>,
    min_duration_s: Option<Spanned<f32>>,
    severity: Severity,
    message: String,
    #[serde(default)]
    breaks_hold: bool,
    #[serde(default)]
    aliases: Vec<String>,
}

/// Turns byte offsets into `file:line` errors (templates and routines alike).
pub(crate) struct Ctx<'a> {
    pub(crate) path: &'a Path,
    pub(crate) text: &'a str,
}

impl Ctx<'_> {
    pub(crate) fn line(&self, offset: usize) -> usize {
        // Bytes, not a str slice: an offset need not fall on a character boundary.
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    /// The file's TOML as `T`; a syntax or type error names its line.
    pub(crate) fn toml<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        toml::from_str(self.text).map_err(|e| {
            let line = e.span().map_or(1, |s| self.line(s.start));
            Error::parse(self.path, line, e.message().trim().to_string())
        })
    }

    pub(crate) fn err<T>(
        &self,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
    ) -> Result<T, Error> {
        Err(Error::parse(self.path, self.line(span.start), message))
    }
}

/// A number from the file at `span`, checked against `range` (which NaN is never in); the
/// error names its line and what is allowed.
pub(crate) fn number<T>(
    ctx: &Ctx,
    span: std::ops::Range<usize>,
    v: T,
    what: &str,
    range: &RangeInclusive<T>,
) -> Result<T, Error>
where
    T: PartialOrd + Copy + std::fmt::Display,
{
    if range.contains(&v) {
        Ok(v)
    } else {
        ctx.err(
            span,
            format!(
                "{what} = {v} is outside the allowed {} to {}",
                range.start(),
                range.end()
            ),
        )
    }
}

/// An optional number from the file, or `default` when it is not given.
fn number_or(
    ctx: &Ctx,
    value: &Option<Spanned<f32>>,
    default: f32,
    what: &str,
    range: &RangeInclusive<f32>,
) -> Result<f32, Error> {
    value.as_ref().map_or(Ok(default), |v| {
        number(ctx, v.span(), *v.get_ref(), what, range)
    })
}

fn point(ctx: &Ctx, span: &std::ops::Range<usize>, name: &str) -> Result<PointRef, Error> {
    PointRef::parse(name).map_or_else(
        || {
            ctx.err(
                span.clone(),
                format!(
                    "unknown body point '{name}' (use a part such as shoulder, hip, knee, ankle, wrist, a mid_ part such as mid_hip, a landmark such as left_knee, or a fallback such as ankle|knee)"
                ),
            )
        },
        Ok,
    )
}

fn points<const N: usize>(
    ctx: &Ctx,
    span: &std::ops::Range<usize>,
    names: &[String],
    what: &str,
) -> Result<[PointRef; N], Error> {
    if names.len() != N {
        return ctx.err(
            span.clone(),
            format!("'{what}' needs {N} points, got {}", names.len()),
        );
    }
    let mut out = [PointRef::Mid(Part::Hip); N];
    for (o, n) in out.iter_mut().zip(names) {
        *o = point(ctx, span, n)?;
    }
    Ok(out)
}

fn signal(ctx: &Ctx, name: &str, raw: &Spanned<RawSignal>) -> Result<SignalSpec, Error> {
    let span = raw.span();
    let r = raw.get_ref();
    let mut kinds = Vec::new();
    if let Some(p) = &r.angle {
        kinds.push(Measure::Angle(points::<3>(ctx, &span, p, "angle")?));
    }
    if let Some(p) = &r.incline {
        kinds.push(Measure::Incline(points::<2>(ctx, &span, p, "incline")?));
    }
    if let Some(p) = &r.elevation {
        kinds.push(Measure::Elevation(points::<2>(ctx, &span, p, "elevation")?));
    }
    if let Some(p) = &r.deviation {
        let line = r.line.as_ref().map_or_else(
            || ctx.err(span.clone(), "'deviation' needs a 'line' of two points"),
            Ok,
        )?;
        kinds.push(Measure::Deviation {
            point: point(ctx, &span, p)?,
            line: points::<2>(ctx, &span, line, "line")?,
        });
    } else if r.line.is_some() {
        return ctx.err(span, "'line' belongs with 'deviation'");
    }
    if let Some(p) = &r.span {
        let part = Part::from_name(p).map_or_else(
            || ctx.err(span.clone(), format!("'{p}' is not a body part with sides")),
            Ok,
        )?;
        kinds.push(Measure::Span(part));
    }
    if let Some(p) = &r.stack {
        let part = Part::from_name(p).map_or_else(
            || ctx.err(span.clone(), format!("'{p}' is not a body part with sides")),
            Ok,
        )?;
        kinds.push(Measure::Stack(part));
    }
    if let Some(p) = &r.level {
        kinds.push(Measure::Level(point(ctx, &span, p)?));
    }
    if let Some(p) = &r.distance {
        kinds.push(Measure::Distance(points::<2>(ctx, &span, p, "distance")?));
    }
    if let Some(p) = &r.height {
        kinds.push(Measure::Height(points::<2>(ctx, &span, p, "height")?));
    }
    if let Some(p) = &r.depth {
        kinds.push(Measure::Depth(points::<2>(ctx, &span, p, "depth")?));
    }
    if let Some(p) = &r.ahead {
        kinds.push(Measure::Ahead(points::<2>(ctx, &span, p, "ahead")?));
    }
    if let Some(p) = &r.offset {
        let [point, from] = points::<2>(ctx, &span, p, "offset")?;
        let along = r.along.as_deref().map_or_else(
            || {
                ctx.err(
                    span.clone(),
                    "'offset' needs 'along', a body part with sides (e.g. \"shoulder\")",
                )
            },
            |a| {
                Part::from_name(a).filter(|p| *p != Part::Nose).map_or_else(
                    || ctx.err(span.clone(), format!("'{a}' is not a body part with sides")),
                    Ok,
                )
            },
        )?;
        kinds.push(Measure::Offset { point, from, along });
    } else if r.along.is_some() {
        return ctx.err(span, "'along' belongs with 'offset'");
    }
    for (names, name, of) in [
        (
            &r.largest,
            "largest",
            Measure::Largest as fn(Vec<_>) -> Measure,
        ),
        (&r.smallest, "smallest", Measure::Smallest),
    ] {
        if let Some(names) = names {
            if names.len() < 2 {
                return ctx.err(span, format!("'{name}' needs two or more signal names"));
            }
            kinds.push(of(names.iter().map(|n| n.as_str().into()).collect()));
        }
    }
    if let Some(s) = &r.rise {
        kinds.push(Measure::Rise(s.as_str().into()));
    }
    if let Some(s) = &r.from_usual {
        kinds.push(Measure::FromUsual(s.as_str().into()));
    }
    if let Some(s) = &r.fall {
        kinds.push(Measure::Fall(s.as_str().into()));
    }
    if let Some(s) = &r.speed {
        kinds.push(Measure::Speed(s.as_str().into()));
    }
    if let Some(s) = &r.below_top {
        kinds.push(Measure::BelowTop(s.as_str().into()));
    }
    if let Some(s) = &r.in_range {
        kinds.push(Measure::InRange(s.as_str().into()));
    }
    if let Some(s) = &r.above_start {
        kinds.push(Measure::AboveStart(s.as_str().into()));
    }
    if let Some(s) = &r.above_held {
        kinds.push(Measure::AboveHeld(s.as_str().into()));
    }
    if let Some(pair) = &r.same_side {
        match pair.as_slice() {
            [a, b] => kinds.push(Measure::SameSide(a.as_str().into(), b.as_str().into())),
            _ => return ctx.err(span, "'same_side' needs two signal names"),
        }
    }
    if kinds.len() != 1 {
        return ctx.err(
            span,
            format!(
                "signal '{name}' must have exactly one of angle, incline, elevation, deviation, span, stack, level, distance, height, depth, ahead, offset, speed, same_side, largest, smallest, below_top, in_range, above_start, above_held, rise, fall, from_usual"
            ),
        );
    }
    let side = match r.side.as_deref() {
        None | Some("visible") => SideRule::Visible,
        Some("left") => SideRule::Fixed(Side::Left),
        Some("right") => SideRule::Fixed(Side::Right),
        Some("max") => SideRule::Max,
        Some("min") => SideRule::Min,
        Some("weighted") => SideRule::Weighted,
        Some(other) => match other.split_once(':') {
            Some(("same", s)) => SideRule::SameAs(s.into()),
            Some(("opposite", s)) => SideRule::OppositeOf(s.into()),
            _ => {
                return ctx.err(
                    span,
                    format!(
                        "side '{other}' is not one of visible, left, right, max, min, weighted, same:SIGNAL, opposite:SIGNAL"
                    ),
                );
            }
        },
    };
    let measure = kinds.remove(0);
    // An offset towards "the side facing the camera" flips with the view, and a mix of both
    // sides of one offset is about 0: it needs a side of the body.
    if matches!(measure, Measure::Offset { .. })
        && matches!(side, SideRule::Visible | SideRule::Weighted)
    {
        return ctx.err(
            span,
            format!(
                "signal '{name}': an offset needs a side of the body: left, right, max, min, same:SIGNAL or opposite:SIGNAL"
            ),
        );
    }
    // How a measure on body points is taken (the first choice is the default): computed
    // signals have no points to take it on.
    fn how<T: Copy>(
        ctx: &Ctx,
        span: &std::ops::Range<usize>,
        name: &str,
        measure: &Measure,
        key: &str,
        given: Option<&str>,
        choices: &[(&str, T)],
    ) -> Result<T, Error> {
        let Some(given) = given else {
            return Ok(choices[0].1);
        };
        match choices.iter().position(|(c, _)| *c == given) {
            Some(i) if i > 0 && !measure.points_at_joints() => ctx.err(
                span.clone(),
                format!("signal '{name}' is computed from other signals: '{key}' does not apply"),
            ),
            Some(i) => Ok(choices[i].1),
            None => {
                let names: Vec<&str> = choices.iter().map(|(c, _)| *c).collect();
                ctx.err(
                    span.clone(),
                    format!("{key} '{given}' is not one of {}", names.join(", ")),
                )
            }
        }
    }
    let space = how(
        ctx,
        &span,
        name,
        &measure,
        "space",
        r.space.as_deref(),
        &[("picture", Space::Picture), ("world", Space::World)],
    )?;
    let hidden = how(
        ctx,
        &span,
        name,
        &measure,
        "hidden",
        r.hidden.as_deref(),
        &[
            ("unmeasured", Hidden::Unmeasured),
            ("behind_twin", Hidden::BehindTwin),
            ("placed", Hidden::Placed),
        ],
    )?;
    let scale = how(
        ctx,
        &span,
        name,
        &measure,
        "scale",
        r.scale.as_deref(),
        &[("frame", Scale::Frame), ("steady", Scale::Steady)],
    )?;
    // Only lengths in the picture are measured in a torso: angles are not, 3-D lengths are in
    // each frame's 3-D torso.
    let lengths = measure.unit() == crate::report::model::Unit::TorsoLengths;
    if scale == Scale::Steady && (!lengths || space == Space::World) {
        return ctx.err(
            span,
            format!("signal '{name}': scale 'steady' applies to lengths in the picture only"),
        );
    }
    Ok(SignalSpec {
        name: name.to_string(),
        measure,
        side,
        space,
        hidden,
        scale,
    })
}

fn conditions(
    ctx: &Ctx,
    signals: &[SignalSpec],
    raw: &[Spanned<String>],
    rep_scope: bool,
) -> Result<Vec<Cond>, Error> {
    raw.iter()
        .map(|s| {
            let c = Condition::parse(s.get_ref()).or_else(|m| ctx.err(s.span(), m))?;
            let operand = match c.operand.as_str() {
                "hold_s" if rep_scope => Operand::HoldS,
                "duration_s" if rep_scope => Operand::DurationS,
                "rise_s" if rep_scope => Operand::RiseS,
                name => match signals.iter().position(|x| x.name == name) {
                    Some(i) => Operand::Signal(i),
                    None => {
                        let extra = if rep_scope {
                            " (or hold_s, duration_s, rise_s)"
                        } else {
                            ""
                        };
                        return ctx.err(
                            s.span(),
                            format!("'{name}' is not a signal of this template{extra}"),
                        );
                    }
                },
            };
            if c.is_aggregate() && !rep_scope {
                return ctx.err(
                    s.span(),
                    format!("'{c}': max/min/mean only apply to rep faults (scope = \"rep\")"),
                );
            }
            if !matches!(operand, Operand::Signal(_)) && !SECONDS.contains(&c.threshold) {
                return ctx.err(
                    s.span(),
                    format!(
                        "'{c}': a time in seconds must be from {} to {}",
                        SECONDS.start(),
                        SECONDS.end()
                    ),
                );
            }
            if rep_scope && matches!(operand, Operand::Signal(_)) && !c.is_aggregate() {
                return ctx.err(
                    s.span(),
                    format!("'{c}': a rep fault reads max(), min() or mean() of a signal"),
                );
            }
            let scale = match operand {
                Operand::Signal(i) => signals[i].measure.evidence_scale(),
                Operand::HoldS | Operand::DurationS | Operand::RiseS => 0.5,
            };
            Ok(Cond {
                operand,
                condition: c,
                scale,
            })
        })
        .collect()
}

fn signal_ref(ctx: &Ctx, signals: &[SignalSpec], name: &Spanned<String>) -> Result<usize, Error> {
    signals
        .iter()
        .position(|s| s.name == *name.get_ref())
        .map_or_else(
            || {
                ctx.err(
                    name.span(),
                    format!("'{}' is not a signal of this template", name.get_ref()),
                )
            },
            Ok,
        )
}

/// An id: lower_snake_case, as command lines and reports use it.
pub(crate) fn snake_case_id(ctx: &Ctx, id: &Spanned<String>) -> Result<String, Error> {
    let text = id.get_ref();
    if text.is_empty()
        || !text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return ctx.err(id.span(), format!("id '{text}' must be lower_snake_case"));
    }
    Ok(text.clone())
}

/// Parses and validates a template; errors carry the file and line.
pub fn parse(path: &Path, text: &str) -> Result<Template, Error> {
    let ctx = Ctx { path, text };
    let raw: RawTemplate = ctx.toml()?;
    let id = snake_case_id(&ctx, &raw.id)?;
    let signals = raw
        .signals
        .iter()
        .map(|(name, spec)| signal(&ctx, name, spec))
        .collect::<Result<Vec<_>, _>>()?;
    let order = evaluation_order(&signals).or_else(|m| ctx.err(0..0, m))?;
    let mut signals = signals;
    resolve_refs(&mut signals).or_else(|m| ctx.err(0..0, m))?;
    let required = raw
        .required
        .iter()
        .map(|p| {
            Part::from_name(p.get_ref()).map_or_else(
                || ctx.err(p.span(), format!("'{}' is not a body part", p.get_ref())),
                Ok,
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let floor = match &raw.floor {
        None => None,
        Some(f) => {
            let parts = f
                .get_ref()
                .iter()
                .map(|n| Part::from_name(n))
                .collect::<Option<Vec<Part>>>();
            match parts.as_deref() {
                Some(&[a, b]) if a != b => Some([a, b]),
                _ => {
                    return ctx.err(
                        f.span(),
                        "floor needs two different body parts, e.g. [\"wrist\", \"knee\"]",
                    );
                }
            }
        }
    };
    let side_by = raw
        .side_by
        .as_ref()
        .map(|s| signal_ref(&ctx, &signals, s))
        .transpose()?;
    if raw.per_side && side_by.is_none() {
        return ctx.err(raw.id.span(), "per_side = true needs side_by = \"SIGNAL\"");
    }
    if let (None, Some(first)) = (side_by, raw.side_when.first()) {
        return ctx.err(first.span(), "side_when belongs with side_by = \"SIGNAL\"");
    }
    let faults = raw
        .faults
        .iter()
        .map(|f| {
            let r = f.get_ref();
            let rep = r.scope == Scope::Rep;
            if r.code.is_empty() || r.message.trim().is_empty() {
                return ctx.err(f.span(), "a fault needs a code and a message");
            }
            if rep && r.during.is_some() {
                return ctx.err(f.span(), "'during' applies to frame faults only");
            }
            Ok(FaultRule {
                code: r.code.clone(),
                scope: r.scope,
                during: r.during.unwrap_or(During::Working),
                when: conditions(&ctx, &signals, &r.when, rep)?,
                min_duration_s: number_or(
                    &ctx,
                    &r.min_duration_s,
                    DEFAULT_FRAME_FAULT_S,
                    "min_duration_s",
                    &SECONDS,
                )?,
                severity: r.severity,
                message: r.message.trim().to_string(),
                breaks_hold: r.breaks_hold,
                aliases: r.aliases.clone(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let start = match &raw.start {
        Some(s) => conditions(&ctx, &signals, &s.when, false)?,
        None if raw.counting == Counting::Reps => {
            return ctx.err(raw.id.span(), "a reps template needs a [start] position");
        }
        None => Vec::new(),
    };
    if raw.working.enter.is_empty() || raw.working.exit.is_empty() {
        return ctx.err(raw.id.span(), "[working] needs enter and exit conditions");
    }
    let targets = match &raw.targets {
        None => Targets::default(),
        Some(t) => {
            let given = t.get_ref();
            Targets {
                reps: given
                    .reps
                    .map(|r| number(&ctx, t.span(), r, "targets.reps", &TARGET_REPS))
                    .transpose()?,
                hold_s: given
                    .hold_s
                    .map(|h| number(&ctx, t.span(), h, "targets.hold_s", &SECONDS))
                    .transpose()?,
                attempts: given
                    .attempts
                    .map(|a| number(&ctx, t.span(), a, "targets.attempts", &TARGET_REPS))
                    .transpose()?,
            }
        }
    };
    let w = &raw.working;
    let ends = raw
        .ends
        .iter()
        .map(|e| {
            let r = e.get_ref();
            if r.when.is_empty() {
                return ctx.err(e.span(), "an [[ends]] rule needs 'when' conditions");
            }
            if matches!(r.reason, HoldEnd::LostSight | HoldEnd::SessionEnded | HoldEnd::TimeUp) {
                return ctx.err(
                    e.span(),
                    format!(
                        "reason '{}' is not something the person does; [[ends]] take touch_down, step, heels_dropped, hands_left_waist, position_left or form_broken (the time being up is end_after_s)",
                        r.reason
                    ),
                );
            }
            if r.min_hold_s.is_some() && raw.counting == Counting::Reps {
                return ctx.err(
                    e.span(),
                    "min_hold_s in an [[ends]] rule applies to hold exercises (counting = \"hold\") only",
                );
            }
            Ok(EndRule {
                reason: r.reason,
                when: conditions(&ctx, &signals, &r.when, false)?,
                min_hold_s: r
                    .min_hold_s
                    .as_ref()
                    .map(|v| number(&ctx, v.span(), *v.get_ref(), "min_hold_s", &SECONDS))
                    .transpose()?,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let end_after_s = w
        .end_after_s
        .as_ref()
        .map(|v| number(&ctx, v.span(), *v.get_ref(), "end_after_s", &SECONDS))
        .transpose()?;
    Ok(Template {
        id,
        name: raw.name,
        description: raw.description.trim().to_string(),
        counting: raw.counting,
        per_side: raw.per_side,
        targets,
        primary: signal_ref(&ctx, &signals, &raw.primary)?,
        required,
        floor,
        side_by,
        side_when: conditions(&ctx, &signals, &raw.side_when, false)?,
        recognise: conditions(&ctx, &signals, &raw.recognise.when, false)?,
        view: raw
            .view
            .map(|v| {
                Ok::<_, Error>(ViewRule {
                    when: conditions(&ctx, &signals, &v.when, false)?,
                    message: v.message,
                })
            })
            .transpose()?,
        start,
        working_enter: conditions(&ctx, &signals, &raw.working.enter, false)?,
        working_exit: conditions(&ctx, &signals, &raw.working.exit, false)?,
        min_dwell_s: number_or(
            &ctx,
            &w.min_dwell_s,
            DEFAULT_DWELL_S,
            "min_dwell_s",
            &SECONDS,
        )?,
        grace_s: number_or(&ctx, &w.grace_s, DEFAULT_GRACE_S, "grace_s", &SECONDS)?,
        min_hold_s: number_or(
            &ctx,
            &w.min_hold_s,
            DEFAULT_MIN_HOLD_S,
            "min_hold_s",
            &SECONDS,
        )?,
        hold_band: number_or(
            &ctx,
            &w.hold_band,
            DEFAULT_HOLD_BAND,
            "hold_band",
            &HOLD_BAND,
        )?,
        ends,
        end_after_s,
        balance: raw.balance,
        named_only: raw.named_only,
        faults,
        signals,
        order,
        source: path.to_path_buf(),
    })
}

/// The built-in templates, plus the `*.toml` files of `extra_dir` (which replace built-ins
/// with the same id).
pub fn load_all(extra_dir: Option<&Path>) -> Result<Vec<Template>, Error> {
    let mut all: Vec<Template> = BUILTIN
        .iter()
        .map(|(name, text)| parse(&Path::new("templates").join(name), text))
        .collect::<Result<_, _>>()?;
    if let Some(dir) = extra_dir {
        if !dir.is_dir() {
            return Err(Error::input(
                dir,
                "is not a directory (--templates takes a directory of *.toml files)",
            ));
        }
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        // Which user file each id came from: two of them with one id would leave it to the
        // order of the names which one is used.
        let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
        for f in files {
            let text = read_template_file(&f)?;
            let t = parse(&f, &text)?;
            if let Some(first) = seen.insert(t.id.clone(), f.clone()) {
                return Err(Error::parse(
                    &f,
                    id_line(&text),
                    format!(
                        "id '{}' is already the id of {}; each template needs its own",
                        t.id,
                        first.display()
                    ),
                ));
            }
            all.retain(|x| x.id != t.id);
            all.push(t);
        }
    }
    Ok(all)
}

/// Templates are a few kilobytes; anything much larger is not one.
const MAX_TEMPLATE_BYTES: u64 = 1 << 20;

pub(crate) fn read_template_file(path: &Path) -> Result<String, Error> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    // Reading a pipe would wait for a writer; a directory named x.toml is no template.
    if !meta.is_file() {
        return Err(Error::input(path, "is not a regular file"));
    }
    if meta.len() > MAX_TEMPLATE_BYTES {
        return Err(Error::input(
            path,
            format!(
                "is {} bytes; a template or routine file is at most 1 MiB",
                meta.len()
            ),
        ));
    }
    std::fs::read_to_string(path).map_err(|e| Error::io(path, e))
}

/// The line of a template's `id` (the template is known to parse).
fn id_line(text: &str) -> usize {
    #[derive(Deserialize)]
    struct Id {
        id: Spanned<String>,
    }
    let ctx = Ctx {
        path: Path::new(""),
        text,
    };
    toml::from_str::<Id>(text).map_or(1, |i| ctx.line(i.id.span().start))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_templates_are_valid() {
        let all = load_all(None).unwrap();
        let ids: Vec<&str> = all.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "bird_dog",
                "glute_bridge",
                "side_plank",
                "superman",
                "plank",
                "feet_together_stand",
                "tandem_stance",
                "toe_forward_tilt",
                "tandem_side_tilt",
                "tandem_arm_raise",
                "head_turns",
                "turning",
                "single_leg_toe_stand",
                "heel_raise",
                "single_leg_stance",
            ]
        );
    }

    fn error_of(text: &str) -> String {
        parse(Path::new("t.toml"), text).unwrap_err().to_string()
    }

    const MINIMAL: &str = r#"id = "x"
name = "X"
description = "d"
counting = "hold"
primary = "a"
[signals]
a = { angle = ["shoulder", "hip", "knee"] }
[recognise]
when = ["a > 10"]
[working]
enter = ["a > 170"]
exit = ["a < 160"]
"#;

    #[test]
    fn a_minimal_template_parses() {
        let t = parse(Path::new("t.toml"), MINIMAL).unwrap();
        assert_eq!(t.counting, Counting::Hold);
        assert_eq!(t.working_enter[0].operand, Operand::Signal(0));
    }

    #[test]
    fn side_when_needs_a_side_and_names_signals() {
        let sided = MINIMAL.replace("primary = \"a\"", "primary = \"a\"\nside_by = \"a\"");
        let t = parse(
            Path::new("t.toml"),
            &sided.replace(
                "side_by = \"a\"",
                "side_by = \"a\"\nside_when = [\"a > 90\"]",
            ),
        )
        .unwrap();
        assert_eq!(t.side_when.len(), 1);
        assert_eq!(t.side_when[0].operand, Operand::Signal(0));
        let e = error_of(&sided.replace("side_by = \"a\"", "side_when = [\"a > 90\"]"));
        assert!(e.contains("side_when belongs with side_by"), "{e}");
        let e = error_of(&sided.replace(
            "side_by = \"a\"",
            "side_by = \"a\"\nside_when = [\"b > 90\"]",
        ));
        assert!(e.contains("'b' is not a signal"), "{e}");
    }

    #[test]
    fn errors_name_file_line_and_problem() {
        let e = error_of(&MINIMAL.replace("a > 170", "b > 170"));
        assert!(e.starts_with("t.toml:11:"), "{e}");
        assert!(e.contains("'b' is not a signal"), "{e}");
        let e = error_of(&MINIMAL.replace("\"shoulder\", \"hip\"", "\"shoulder\", \"elbowz\""));
        assert!(
            e.starts_with("t.toml:7:") && e.contains("unknown body point 'elbowz'"),
            "{e}"
        );
        let e = error_of(&MINIMAL.replace("counting = \"hold\"", "counting = \"sets\""));
        assert!(e.starts_with("t.toml:4:"), "{e}");
        let e = error_of(&MINIMAL.replace("a > 10", "a >> 10"));
        assert!(e.contains("t.toml:9:"), "{e}");
        let e = error_of(&(MINIMAL.to_string() + "bogus = 1\n"));
        assert!(e.contains("bogus"), "{e}");
        let e = error_of(&MINIMAL.replace("\"a > 10\"", "\"max(a) > 10\""));
        assert!(e.contains("only apply to rep faults"), "{e}");
    }

    #[test]
    fn signals_may_be_measured_in_3d_or_take_landmarks_behind_their_twins() {
        let t = parse(Path::new("t.toml"), MINIMAL).unwrap();
        assert_eq!(
            (t.signals[0].space, t.signals[0].hidden, t.signals[0].scale),
            (Space::Picture, Hidden::Unmeasured, Scale::Frame)
        );
        let world = MINIMAL.replace(
            "a = { angle = [\"shoulder\", \"hip\", \"knee\"] }",
            "a = { angle = [\"shoulder\", \"hip\", \"knee\"], space = \"world\", side = \"weighted\", hidden = \"behind_twin\" }\nh = { height = [\"mid_hip\", \"ankle\"], side = \"max\", scale = \"steady\" }",
        );
        let t = parse(Path::new("t.toml"), &world).unwrap();
        assert_eq!(
            (t.signals[0].space, &t.signals[0].side, t.signals[0].hidden),
            (Space::World, &SideRule::Weighted, Hidden::BehindTwin)
        );
        assert_eq!(t.signals[1].scale, Scale::Steady);
        // A steady torso is for lengths in the picture: not for angles, not in 3-D.
        for bad in [
            world.replace(
                "hidden = \"behind_twin\" }",
                "hidden = \"behind_twin\", scale = \"steady\" }",
            ),
            world.replace(
                "side = \"max\", scale",
                "side = \"max\", space = \"world\", scale",
            ),
        ] {
            let e = error_of(&bad);
            assert!(e.contains("applies to lengths in the picture only"), "{e}");
        }
        for (key, value, choices) in [
            ("space", "world", "picture, world"),
            ("hidden", "behind_twin", "unmeasured, behind_twin, placed"),
            ("scale", "steady", "frame, steady"),
        ] {
            let e = error_of(&world.replace(&format!("\"{value}\""), "\"sideways\""));
            assert!(
                e.contains(&format!("{key} 'sideways' is not one of {choices}")),
                "{e}"
            );
            let derived = world.replace(
                "[recognise]",
                &format!("b = {{ speed = \"a\", {key} = \"{value}\" }}\n[recognise]"),
            );
            let e = error_of(&derived);
            assert!(e.contains(&format!("'{key}' does not apply")), "{e}");
        }
        // The defaults say nothing a computed signal cannot be.
        let defaults = world.replace(
            "[recognise]",
            "b = { speed = \"a\", space = \"picture\", hidden = \"unmeasured\" }\n[recognise]",
        );
        assert!(parse(Path::new("t.toml"), &defaults).is_ok());
    }

    #[test]
    fn offsets_need_a_line_and_largest_needs_signals_of_one_unit() {
        let with =
            |signals: &str| MINIMAL.replace("[recognise]", &format!("{signals}\n[recognise]"));
        let turn = "b = { offset = [\"nose\", \"mid_ear\"], along = \"shoulder\", side = \"left\", space = \"world\" }";
        let t = parse(Path::new("t.toml"), &with(turn)).unwrap();
        assert!(matches!(
            t.signals[1].measure,
            Measure::Offset {
                along: Part::Shoulder,
                ..
            }
        ));
        for (bad, says) in [
            (
                "b = { offset = [\"nose\", \"mid_ear\"] }",
                "'offset' needs 'along'",
            ),
            (
                "b = { offset = [\"nose\", \"mid_ear\"], along = \"nose\" }",
                "'nose' is not a body part with sides",
            ),
            (
                "b = { offset = [\"nose\", \"mid_ear\"], along = \"shoulder\" }",
                "an offset needs a side of the body",
            ),
            (
                "b = { offset = [\"nose\", \"mid_ear\"], along = \"shoulder\", side = \"weighted\" }",
                "an offset needs a side of the body",
            ),
            ("b = { depth = [\"nose\"] }", "'depth' needs 2 points"),
            (
                "b = { angle = [\"shoulder\", \"hip\", \"knee\"], along = \"hip\" }",
                "'along' belongs with 'offset'",
            ),
            ("b = { largest = [\"a\"] }", "'largest' needs two or more"),
            (
                "b = { largest = [\"a\", \"c\"] }\nc = { span = \"hip\" }",
                "different units",
            ),
            (
                "b = { largest = [\"a\", \"zz\"] }",
                "refers to a signal that is not defined",
            ),
        ] {
            let e = error_of(&with(bad));
            assert!(e.contains(says), "{bad}: {e}");
        }
        let relative = with(&format!(
            "{turn}\nc = {{ from_usual = \"b\" }}\nd = {{ largest = [\"c\", \"b\"] }}"
        ));
        assert!(parse(Path::new("t.toml"), &relative).is_ok());
    }

    #[test]
    fn end_rules_name_what_the_person_did() {
        let with_end = |reason: &str| {
            format!(
                "{MINIMAL}end_after_s = 30\n[[ends]]\nreason = \"{reason}\"\nwhen = [\"a < 100\"]\n"
            )
        };
        let t = parse(Path::new("t.toml"), &with_end("touch_down")).unwrap();
        assert_eq!(t.ends[0].reason, HoldEnd::TouchDown);
        assert_eq!(t.end_after_s, Some(30.0));
        let e = error_of(&with_end("session_ended"));
        assert!(
            e.starts_with("t.toml:14:") && e.contains("not something the person does"),
            "{e}"
        );
        let e = error_of(&with_end("fell_over"));
        assert!(e.starts_with("t.toml:1") && e.contains("fell_over"), "{e}");
        assert_eq!(t.ends[0].min_hold_s, None);
        let brief = with_end("position_left") + "min_hold_s = 2\n";
        let t = parse(Path::new("t.toml"), &brief).unwrap();
        assert_eq!(t.ends[0].min_hold_s, Some(2.0));
        let e = error_of(&brief.replace("min_hold_s = 2", "min_hold_s = -1"));
        assert!(
            e.contains("min_hold_s = -1 is outside the allowed 0 to 3600"),
            "{e}"
        );
        let reps = brief
            .replace("counting = \"hold\"", "counting = \"reps\"")
            .replace("[working]", "[start]\nwhen = [\"a < 100\"]\n[working]");
        let e = error_of(&reps);
        assert!(e.contains("applies to hold exercises"), "{e}");
    }

    #[test]
    fn numbers_outside_their_range_name_the_line_and_what_is_allowed() {
        // (appended to MINIMAL, whose last table is [working]; the line it is on; the error)
        let cases = [
            (
                "min_dwell_s = nan",
                13,
                "min_dwell_s = NaN is outside the allowed 0 to 3600",
            ),
            (
                "grace_s = -0.5",
                13,
                "grace_s = -0.5 is outside the allowed 0 to 3600",
            ),
            (
                "min_hold_s = inf",
                13,
                "min_hold_s = inf is outside the allowed 0 to 3600",
            ),
            (
                "hold_band = 2.0",
                13,
                "hold_band = 2 is outside the allowed 0.01 to 1",
            ),
            (
                "[targets]\nreps = 0",
                13,
                "targets.reps = 0 is outside the allowed 1 to 1000",
            ),
            (
                "[targets]\nhold_s = 1e9",
                13,
                "targets.hold_s = 1000000000 is outside",
            ),
            (
                "[[faults]]\ncode = \"c\"\nscope = \"rep\"\nwhen = [\"hold_s < -2\"]\nseverity = \"info\"\nmessage = \"m\"",
                16,
                "a time in seconds must be from 0 to 3600",
            ),
        ];
        for (extra, line, message) in cases {
            let e = error_of(&format!("{MINIMAL}{extra}\n"));
            assert!(e.starts_with(&format!("t.toml:{line}:")), "{extra}: {e}");
            assert!(e.contains(message), "{extra}: {e}");
        }
        let e = error_of(&MINIMAL.replace("a > 10", "a > nan"));
        assert!(
            e.starts_with("t.toml:9:") && e.contains("from -100000 to 100000"),
            "{e}"
        );
    }
}
