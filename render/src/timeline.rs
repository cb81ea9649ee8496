//! The clip's timing: rest, then for each rep (or hold) up → hold → down, with faults worked
//! in; sampled per frame into exercise controls ([`Drive`]), natural motion and labels.
//!
//! Every timing decision is made here, once, and recorded: the ground truth's reps, holds
//! and fault spans are the exact times the animation uses.

use anyhow::{Result, ensure};

use crate::exercises::{Drive, Natural};
use crate::math::ease_in_out;
use crate::rng::{Rng, Wobble};
use crate::script::{FaultCode, FaultSpec, Settings, When};
use crate::skeleton::Side;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// In the start position.
    Rest,
    /// Moving into the working position.
    Up,
    /// In the working position (top pause or hold).
    Hold,
    /// Returning to the start position.
    Down,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Rest => "rest",
            Phase::Up => "up",
            Phase::Hold => "hold",
            Phase::Down => "down",
        }
    }
}

/// Velocity profile of a movement.
#[derive(Clone, Copy, Debug)]
enum Ease {
    /// Smooth start and stop: a controlled movement.
    InOut,
    /// Full speed at once, smooth stop: an abrupt start.
    Out,
    /// Smooth start, full speed at the end: letting go and dropping.
    In,
    Linear,
}

impl Ease {
    fn apply(self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        match self {
            Ease::InOut => ease_in_out(u),
            Ease::Out => 1.0 - (1.0 - u).powi(3),
            Ease::In => u * u,
            Ease::Linear => u,
        }
    }
}

/// The controls reached at time `t`; `ease` shapes the movement that ends here.
#[derive(Clone, Copy, Debug)]
struct Key {
    t: f64,
    drive: Drive,
    ease: Ease,
}

#[derive(Clone, Copy, Debug)]
struct Label {
    start: f64,
    end: f64,
    phase: Phase,
    cycle: Option<usize>,
}

/// One rep (or, for plank and side plank, one hold), in seconds from the clip start.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cycle {
    /// 1-based.
    pub index: u32,
    pub side: Option<Side>,
    /// Leaves the start position.
    pub start: f64,
    /// Working position first reached (the rep counts here).
    pub top: f64,
    /// Working position settled (after any jolt): the hold starts.
    pub hold_start: f64,
    /// Leaves the working position.
    pub hold_end: f64,
    /// Back in the start position.
    pub end: f64,
}

/// When an injected fault is visibly present.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FaultSpan {
    pub code: FaultCode,
    pub start: f64,
    pub end: f64,
    /// The rep or hold it belongs to (1-based).
    pub index: u32,
    /// The size asked for, in the code's unit (`None`: the renderer's usual size).
    pub size: Option<f64>,
}

impl FaultSpan {
    /// Too slight for a coach to call: advice at most, and the hold goes on through it.
    pub fn is_advice(&self) -> bool {
        match (self.size, self.code.grading()) {
            (Some(size), Some((_, _, called))) => size < called,
            _ => false,
        }
    }
}

/// A posture fault during a hold: the hips move off the body line by `amount` metres,
/// easing in and out over `ramp` seconds centred on `start` and `end` (so the deviation is
/// at least half its full size exactly from `start` to `end`).
#[derive(Clone, Copy, Debug)]
struct Overlay {
    start: f64,
    end: f64,
    ramp: f64,
    amount: f32,
}

impl Overlay {
    fn at(&self, t: f64) -> f32 {
        let up = ease_in_out((t - self.start) / self.ramp + 0.5);
        let down = ease_in_out((t - self.end) / self.ramp + 0.5);
        self.amount * (up - down) as f32
    }
}

pub struct Timeline {
    keys: Vec<Key>,
    labels: Vec<Label>,
    overlays: Vec<Overlay>,
    pub cycles: Vec<Cycle>,
    pub faults: Vec<FaultSpan>,
    pub duration: f64,
    breath_period: f64,
    breath_phase: f64,
    sway: Wobble,
    nod: Wobble,
    natural: f32,
    /// Side plank: the side lying on the floor (single-leg bridge: the extended leg), the
    /// clip's side throughout.
    fixed_side: Option<Side>,
}

/// How far (metres, for a 1.70 m body) the hips leave the line in each posture fault; +
/// towards the floor.
fn hip_fault(code: FaultCode) -> Option<(f32, f64)> {
    match code {
        FaultCode::HipsSagging => Some((0.11, 0.5)),
        FaultCode::HipsPiked => Some((-0.15, 0.5)),
        FaultCode::HipsDropping => Some((0.12, 0.8)),
        _ => None,
    }
}

/// One left-and-right cycle of a swimmer superman's alternating arms and legs, seconds.
const STROKE_PERIOD_S: f64 = 1.6;

/// Fraction of the target hold kept when a hold is broken.
const BROKEN_HOLD: f64 = 0.35;

impl Timeline {
    pub fn build(s: &Settings, faults: &[FaultSpec]) -> Result<Timeline> {
        let rng = Rng::new(s.seed);
        let mut timing = rng.fork(1);
        let mut amplitude = rng.fork(2);
        let mut natural = rng.fork(3);
        let scale = (s.body_height_m / 1.70) as f32;
        let jitter = s.jitter;
        let mut jit = |d: f64| d * (1.0 + timing.range(-jitter, jitter));
        let first_side = s.side.unwrap_or(Side::Left);
        let rest = Drive::rest(first_side);
        let mut tl = Timeline {
            keys: vec![Key {
                t: 0.0,
                drive: rest,
                ease: Ease::Linear,
            }],
            labels: Vec::new(),
            overlays: Vec::new(),
            cycles: Vec::new(),
            faults: Vec::new(),
            duration: 0.0,
            breath_period: natural.range(3.4, 4.6),
            breath_phase: natural.range(0.0, std::f64::consts::TAU),
            sway: Wobble::new(&mut natural, 3.0),
            nod: Wobble::new(&mut natural, 6.0),
            natural: s.sway as f32,
            fixed_side: if s.exercise.sided() { None } else { s.side },
        };
        let mut t = jit(s.rest_start_s);
        tl.key(t, rest, Ease::Linear);
        tl.label(0.0, t, Phase::Rest, None);
        for index in 1..=s.reps {
            // Alternating exercises take turns unless one side is fixed; a side plank or a
            // single-leg bridge keeps its side throughout.
            let side = match (s.exercise.sided(), s.side) {
                (true, None) => Some(if index % 2 == 1 {
                    Side::Left
                } else {
                    Side::Right
                }),
                (_, side) => side,
            };
            let mine: Vec<&FaultSpec> = faults.iter().filter(|f| f.index() == index).collect();
            let has = |c: FaultCode| mine.iter().any(|f| f.code == c);
            // The size asked for a fault of this rep, if any.
            let size = |c: FaultCode| mine.iter().find(|f| f.code == c).and_then(|f| f.size);
            let rest = Drive::rest(side.unwrap_or(first_side));
            let mut top = Drive {
                lift: 1.0,
                top_angle: 175.0 + amplitude.range(-1.5, 1.5) as f32,
                arm_drop: amplitude.range(-2.0, 2.0) as f32,
                leg_drop: amplitude.range(-2.0, 2.0) as f32,
                ..rest
            };
            // A fault's size when given, else the usual one.
            let sized = |c: FaultCode, usual: &mut dyn FnMut() -> f64| -> f32 {
                size(c).unwrap_or_else(usual) as f32
            };
            if has(FaultCode::HipsNotExtended) {
                top.top_angle = 180.0 - sized(FaultCode::HipsNotExtended, &mut || 30.0);
            }
            if has(FaultCode::ArmBelowLevel) {
                top.arm_drop = sized(FaultCode::ArmBelowLevel, &mut || {
                    amplitude.range(25.0, 35.0)
                });
            }
            if has(FaultCode::LegBelowLevel) {
                // Lower than this and a 1.70 m person's toes touch the mat.
                top.leg_drop = sized(FaultCode::LegBelowLevel, &mut || {
                    amplitude.range(22.0, 28.0)
                });
            }
            if has(FaultCode::BentKnee) {
                top.knee_bend = sized(FaultCode::BentKnee, &mut || amplitude.range(60.0, 90.0));
            }
            let cycle_no = tl.cycles.len();
            let start = t;
            let (top_s, hold_start);
            if has(FaultCode::JerkyMovement) {
                // Up in a fifth of a second, overshoot, bounce back, settle.
                top_s = start + 0.2;
                tl.key(top_s, top, Ease::Out);
                tl.key(top_s + 0.08, Drive { lift: 1.15, ..top }, Ease::Linear);
                tl.key(top_s + 0.18, Drive { lift: 0.9, ..top }, Ease::Linear);
                hold_start = top_s + 0.32;
                tl.key(hold_start, top, Ease::InOut);
                tl.fault(FaultCode::JerkyMovement, start, hold_start, index, None);
            } else {
                top_s = start + jit(s.tempo_up_s);
                hold_start = top_s;
                tl.key(top_s, top, Ease::InOut);
            }
            let broken = has(FaultCode::HoldBroken);
            // A plank's hold is the target itself, so it is exact; a rep's top pause varies.
            let held = match (broken, s.exercise.is_hold()) {
                (true, _) => s.hold_s * BROKEN_HOLD,
                (false, true) => s.hold_s,
                (false, false) => jit(s.hold_s),
            };
            let hold_end = hold_start + held;
            tl.key(hold_end, top, Ease::Linear);
            let end = if broken {
                hold_end + 0.6
            } else {
                hold_end + jit(s.tempo_down_s)
            };
            tl.key(end, rest, if broken { Ease::In } else { Ease::InOut });
            if broken {
                tl.fault(FaultCode::HoldBroken, hold_end, end, index, None);
            }
            for code in [
                FaultCode::HipsNotExtended,
                FaultCode::ArmBelowLevel,
                FaultCode::LegBelowLevel,
                FaultCode::BentKnee,
            ] {
                if has(code) {
                    tl.fault(code, top_s, hold_end, index, size(code));
                }
            }
            for f in mine.iter().filter(|f| f.code.is_span()) {
                let Some((amount, ramp)) = hip_fault(f.code) else {
                    continue;
                };
                let (from, to) = match f.when {
                    When::Span { from_s, to_s, .. } => (from_s, to_s),
                    When::Rep(_) => (0.3 * held, 0.7 * held),
                };
                ensure!(
                    from >= ramp / 2.0 && to + ramp / 2.0 <= held,
                    "fault '{}': {from}–{to} s does not fit inside hold {index} ({:.2} s long, with {:.2} s to ease in and out)",
                    f.text,
                    held,
                    ramp / 2.0
                );
                // A size is what this body does (centimetres off its own body line).
                let amount = match f.size {
                    Some(cm) => amount.signum() * cm as f32 / 100.0,
                    None => amount * scale,
                };
                tl.overlays.push(Overlay {
                    start: hold_start + from,
                    end: hold_start + to,
                    ramp,
                    amount,
                });
                tl.fault(f.code, hold_start + from, hold_start + to, index, f.size);
            }
            tl.label(start, top_s, Phase::Up, Some(cycle_no));
            tl.label(top_s, hold_end, Phase::Hold, Some(cycle_no));
            tl.label(hold_end, end, Phase::Down, Some(cycle_no));
            tl.cycles.push(Cycle {
                index,
                side,
                start,
                top: top_s,
                hold_start,
                hold_end,
                end,
            });
            t = end;
            if index < s.reps {
                let next = t + jit(s.rest_between_s);
                tl.key(next, rest, Ease::Linear);
                tl.label(t, next, Phase::Rest, None);
                t = next;
            }
        }
        let end = t + jit(s.rest_end_s);
        tl.key(end, tl.keys[tl.keys.len() - 1].drive, Ease::Linear);
        tl.label(t, end, Phase::Rest, None);
        tl.duration = end;
        tl.faults.sort_by(|a, b| a.start.total_cmp(&b.start));
        Ok(tl)
    }

    fn key(&mut self, t: f64, drive: Drive, ease: Ease) {
        self.keys.push(Key { t, drive, ease });
    }

    fn label(&mut self, start: f64, end: f64, phase: Phase, cycle: Option<usize>) {
        if end > start {
            self.labels.push(Label {
                start,
                end,
                phase,
                cycle,
            });
        }
    }

    fn fault(&mut self, code: FaultCode, start: f64, end: f64, index: u32, size: Option<f64>) {
        self.faults.push(FaultSpan {
            code,
            start,
            end,
            index,
            size,
        });
    }

    /// Exercise controls at time `t`.
    pub fn drive_at(&self, t: f64) -> Drive {
        let i = self.keys.partition_point(|k| k.t <= t);
        let mut d = if i == 0 {
            self.keys[0].drive
        } else if i >= self.keys.len() {
            self.keys[self.keys.len() - 1].drive
        } else {
            let (a, b) = (&self.keys[i - 1], &self.keys[i]);
            let u = if b.t > a.t {
                (t - a.t) / (b.t - a.t)
            } else {
                1.0
            };
            a.drive.lerp(&b.drive, b.ease.apply(u) as f32)
        };
        d.hip_offset += self.overlays.iter().map(|o| o.at(t)).sum::<f32>();
        d
    }

    /// Breathing, sway and head movement at time `t`.
    pub fn natural_at(&self, t: f64) -> Natural {
        let breath =
            ((t / self.breath_period) * std::f64::consts::TAU + self.breath_phase).sin() as f32;
        Natural {
            breath: breath * self.natural,
            sway: self.sway.at(t) * self.natural,
            nod: self.nod.at(t) * self.natural,
            stroke: (t / STROKE_PERIOD_S * std::f64::consts::TAU).sin() as f32,
        }
    }

    /// Phase, rep (or hold) number and side at time `t`.
    pub fn label_at(&self, t: f64) -> (Phase, Option<u32>, Option<Side>) {
        let label = self
            .labels
            .iter()
            .find(|l| t >= l.start && t < l.end)
            .or(self.labels.last())
            .copied();
        let Some(label) = label else {
            return (Phase::Rest, None, self.fixed_side);
        };
        let cycle = label.cycle.map(|c| self.cycles[c]);
        let side = self.fixed_side.or(cycle.and_then(|c| c.side));
        (label.phase, cycle.map(|c| c.index), side)
    }

    /// Codes of the faults present at time `t`.
    pub fn faults_at(&self, t: f64) -> Vec<FaultCode> {
        self.faults
            .iter()
            .filter(|f| t >= f.start && t <= f.end)
            .map(|f| f.code)
            .collect()
    }

    /// Periods in the valid working position: each cycle's hold minus the spans where a
    /// fault makes the form wrong (one too slight to call does not).
    pub fn valid_holds(&self) -> Vec<(Option<Side>, f64, f64)> {
        let mut out = Vec::new();
        for c in &self.cycles {
            let mut pieces = vec![(c.hold_start, c.hold_end)];
            for f in self
                .faults
                .iter()
                .filter(|f| f.index == c.index && !f.is_advice())
            {
                pieces = pieces
                    .into_iter()
                    .flat_map(|(a, b)| {
                        if f.end <= a || f.start >= b {
                            vec![(a, b)]
                        } else {
                            vec![(a, f.start), (f.end, b)]
                        }
                    })
                    .filter(|(a, b)| b - a > 0.05)
                    .collect();
            }
            out.extend(pieces.into_iter().map(|(a, b)| (c.side, a, b)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercises::Exercise;
    use crate::script::Script;

    fn settings(e: Exercise, faults: &[&str]) -> Result<(Settings, Vec<FaultSpec>)> {
        Script {
            exercise: Some(e),
            faults: Some(faults.iter().map(|s| s.to_string()).collect()),
            ..Script::default()
        }
        .resolve()
    }

    #[test]
    fn reps_follow_the_script_in_order() -> Result<()> {
        let (s, f) = settings(Exercise::GluteBridge, &[])?;
        let tl = Timeline::build(&s, &f)?;
        assert_eq!(tl.cycles.len(), 5);
        let first = tl.cycles[0];
        assert!(
            (first.start - 1.0).abs() <= 0.04 + 1e-9,
            "starts after the rest: {}",
            first.start
        );
        for w in tl.cycles.windows(2) {
            assert!(w[0].end < w[1].start);
        }
        for c in &tl.cycles {
            assert!(
                c.start < c.top
                    && c.top <= c.hold_start
                    && c.hold_start < c.hold_end
                    && c.hold_end < c.end
            );
            assert!(((c.top - c.start) - s.tempo_up_s).abs() <= s.tempo_up_s * s.jitter + 1e-9);
            assert!(((c.hold_end - c.hold_start) - s.hold_s).abs() <= s.hold_s * s.jitter + 1e-9);
            assert_eq!(tl.drive_at(c.top).lift, 1.0);
            assert_eq!(tl.drive_at(c.start).lift, 0.0);
            assert_eq!(
                tl.label_at((c.hold_start + c.hold_end) / 2.0).0,
                Phase::Hold
            );
        }
        Ok(())
    }

    #[test]
    fn bird_dog_alternates_sides_unless_one_is_fixed() -> Result<()> {
        let (s, f) = settings(Exercise::BirdDog, &[])?;
        let sides: Vec<_> = Timeline::build(&s, &f)?
            .cycles
            .iter()
            .map(|c| c.side)
            .collect();
        assert_eq!(
            sides,
            [
                Some(Side::Left),
                Some(Side::Right),
                Some(Side::Left),
                Some(Side::Right)
            ]
        );
        // Each rep moves its own side all the way up and down.
        let tl = Timeline::build(&s, &f)?;
        for c in &tl.cycles {
            for k in 1..10 {
                let t = c.start + (c.end - c.start) * k as f64 / 10.0;
                assert_eq!(Some(tl.drive_at(t).side), c.side, "rep {} at {t}", c.index);
            }
        }
        let s = Settings {
            side: Some(Side::Right),
            ..s
        };
        assert!(
            Timeline::build(&s, &f)?
                .cycles
                .iter()
                .all(|c| c.side == Some(Side::Right))
        );
        Ok(())
    }

    #[test]
    fn faults_land_where_they_were_put() -> Result<()> {
        let (s, f) = settings(Exercise::SidePlank, &["hips_dropping@4-6", "hold_broken@1"])?;
        let s = Settings { hold_s: 20.0, ..s };
        let tl = Timeline::build(&s, &f)?;
        let c = tl.cycles[0];
        assert!(
            (c.hold_end - c.hold_start - 20.0 * BROKEN_HOLD).abs() < 1e-9,
            "the broken hold is short"
        );
        let drop = tl
            .faults
            .iter()
            .find(|x| x.code == FaultCode::HipsDropping)
            .copied()
            .expect("dropping recorded");
        assert!(
            (drop.start - (c.hold_start + 4.0)).abs() < 1e-9
                && (drop.end - (c.hold_start + 6.0)).abs() < 1e-9
        );
        // Half the deviation at the span's edges, all of it in the middle, none well outside.
        let full = tl.drive_at(drop.start + 1.0).hip_offset;
        assert!(full > 0.1);
        assert!((tl.drive_at(drop.start).hip_offset / full - 0.5).abs() < 0.05);
        assert!(tl.drive_at(drop.start - 1.0).hip_offset.abs() < 0.01);
        assert_eq!(
            tl.faults_at(drop.start + 1.0),
            vec![FaultCode::HipsDropping]
        );
        let holds = tl.valid_holds();
        assert_eq!(holds.len(), 2, "the drop splits the hold: {holds:?}");
        assert!(
            settings(Exercise::SidePlank, &["hips_dropping@9-12"])
                .and_then(|(s, f)| Timeline::build(&s, &f))
                .is_err()
        );
        Ok(())
    }

    #[test]
    fn a_fault_too_slight_to_call_is_advice_and_leaves_the_hold_whole() -> Result<()> {
        for (fault, advice, holds) in [
            ("hips_sagging@1:4-8=3cm", true, 1),
            ("hips_sagging@1:4-8=10cm", false, 2),
        ] {
            let (s, f) = settings(Exercise::Plank, &[fault])?;
            let s = Settings { hold_s: 12.0, ..s };
            let tl = Timeline::build(&s, &f)?;
            assert_eq!(tl.faults[0].is_advice(), advice, "{fault}");
            assert_eq!(tl.valid_holds().len(), holds, "{fault}");
            let c = tl.cycles[0];
            let deepest = tl.drive_at(c.hold_start + 6.0).hip_offset;
            let cm = f[0].size.unwrap_or_default() as f32;
            assert!((deepest * 100.0 - cm).abs() < 0.5, "{fault}: {deepest}");
        }
        let (s, f) = settings(Exercise::BirdDog, &["arm_below_level@2=8deg"])?;
        let tl = Timeline::build(&s, &f)?;
        assert!(tl.faults[0].is_advice());
        assert_eq!(tl.drive_at(tl.cycles[1].top).arm_drop, 8.0);
        Ok(())
    }

    #[test]
    fn a_jerky_rep_overshoots_fast() -> Result<()> {
        let (s, f) = settings(Exercise::Superman, &["jerky_movement@2"])?;
        let tl = Timeline::build(&s, &f)?;
        let c = tl.cycles[1];
        assert!((c.top - c.start - 0.2).abs() < 1e-9);
        let peak = (0..30)
            .map(|i| tl.drive_at(c.top + i as f64 * 0.01).lift)
            .fold(0.0f32, f32::max);
        assert!(peak > 1.1);
        let span = tl.faults[0];
        assert_eq!((span.code, span.index), (FaultCode::JerkyMovement, 2));
        assert!(span.start == c.start && span.end == c.hold_start);
        Ok(())
    }
}
