//! One template applied to the stream of poses: its signals, its position machine, its faults,
//! and the set it is building while the body looks like this exercise.

use super::condition::Reduce;
use super::engine::{Event, EventKind};
use super::faults::{
    Aggregates, FaultChange, FrameFault, RepMeasures, all_hold, any_holds, evidence, soft_all_hold,
};
use super::floor::FloorEstimate;
use super::machine::{EndReason, Machine, Phase, Reading, Step, Timing};
use super::set::SetBuilder;
use super::signals::{Frame, SignalState, SignalValue};
use super::template::{Counting, During, Operand, Scope, Template};
use super::window::Votes;
use crate::balance::{BalanceSettings, SwayRecorder};
use crate::report::model::{ExerciseSet, Fault, Hold, Warning, WarningCode};
use crate::skeleton::Side;

/// Seconds of recognition votes weighed to decide what exercise this is.
pub const RECOGNITION_WINDOW_S: f64 = 1.0;
/// A hold broken by a fault must resume this soon after the fault is corrected for the fault
/// to count (see `broken_by`): the hips come back up and the clock runs again (the side plank
/// dips resume 0.1-0.4 s after the hips are back, skatefit_side_plank_hip_dips); lying down
/// and getting up again for the other side takes longer.
const RESUME_WITHIN_S: f64 = 1.0;
/// A fault that broke a hold and lasted this long while the body still looked like the
/// exercise is a fault even if the hold never resumed (straight for a while, then sagging until
/// getting up): lowering out of a plank or side plank takes about 0.5-1.5 s (rendered clips'
/// 1.5 s transitions; the dev clips' endings), a held sag longer than that is what a coach
/// calls.
const HELD_FAULT_S: f64 = 2.0;
/// Seconds out of a held position (in the start position) after which the next hold learns
/// its own top level: longer than a dip or a wobble (the side plank dips of
/// skatefit_side_plank_hip_dips last under 1 s), shorter than changing sides.
const NEW_HOLD_AFTER_S: f64 = 2.0;
/// A brief hold that begins this soon after the brief top of a movement belongs to the same
/// run: push-ups come back to the top within about a second (rendered push-ups: 1.0 s), a
/// plank resumed after a pike takes longer (tnotch_elbow_plank_pike: 2.2-2.3 s).
const BRIEF_RUN_GAP_S: f64 = 1.5;
/// A fault judged at a rep's top is reported for the time the primary signal is within this
/// fraction of its range from the peak: the top itself, not the approach to it. The hold's
/// own band (`hold_band`, 0.25) starts 0.3-0.5 s before the limb arrives (rendered bird-dog
/// and bridge faults, eased arrivals); this one about 0.25 s, with the model's lag on the
/// way down (reported time inside the label: bird-dog 72-79 → 76-86 %).
const FAULT_BAND: f32 = 0.1;

pub struct Runner {
    pub template: Template,
    state: SignalState,
    floor: FloorEstimate,
    pub values: Vec<SignalValue>,
    pub machine: Machine,
    faults: Vec<FrameFault>,
    aggregates: Aggregates,
    rep_begin: Option<f64>,
    /// The primary signal over the current rep, to time the hold at the top.
    trace: Vec<(f64, f32)>,
    /// The primary signal summed over the start position since the last rep began (sum,
    /// frames); its mean is the bottom of the next rep's range.
    rest: (f64, u32),
    /// That mean, for the rep under way.
    rep_rest: Option<f32>,
    /// The rep being done: its index in the set (if the set was open when it counted) and side.
    rep: Option<(Option<u32>, f64, Option<Side>)>,
    pub recognised: Votes,
    /// Frames of the rep under way (so far) that looked like this exercise, of those voted on
    /// (yes, all).
    rep_votes: (u32, u32),
    view: Votes,
    /// Whether this frame looked like this exercise (`None`: could not tell).
    pub vote: Option<bool>,
    pub view_ok: bool,
    pub reliable: bool,
    pub last_plausible: f64,
    /// The user named this exercise: judge every frame as it, recognised or not.
    pub forced: bool,
    pub set: Option<SetBuilder>,
    steps: Vec<Step>,
    /// Faults that broke a hold, kept until the hold resumes (then they were faults).
    broken_by: Vec<Fault>,
    /// Per fault rule: whether its current occurrence began during a hold.
    fault_in_hold: Vec<bool>,
    /// Reps of the active exercise that may have been done out of view, and balance attempts
    /// not measured because someone else was in view.
    pub uncertain: Vec<Warning>,
    /// Part of the body this exercise needs is outside the picture (set by the engine).
    pub outside: bool,
    /// What ended the hold as last seen: an end stays met while the joints it is read from
    /// are out of sight (filmed from the side, a raised foot that comes down is hidden behind
    /// the standing one at once; it is still down).
    end_seen: Option<usize>,
    /// The end rule met on the frame the hold under way began to end (`Some(None)`: none was),
    /// so that a rule met later in the grace period (shoulders dropping as the body lowers
    /// after a sag ended the hold) is not taken for what ended it.
    ending_by: Option<Option<usize>>,
    /// A run of brief holds that were the tops of a movement (an end rule's `min_hold_s`): until
    /// when the next hold still belongs to it, and how long it must last to be a hold. Kept
    /// across sets: at the bottom of a push-up the body looks like no plank, so each top is a
    /// set of its own.
    brief_run: Option<(f64, f32)>,
    /// The body got about as far as the working position during the rep under way.
    rep_reached: bool,
    /// Since when the body has been in the start position (for holds: a new hold's level).
    start_since: Option<f64>,
    /// The rep's first stretch in the working position: start, end and what ended it.
    top: Option<(f64, f64, EndReason)>,
    /// Balance exercises: the centre of mass, for each attempt's sway.
    sway: SwayRecorder,
    /// What the person declared (height, eyes closed), set by the engine.
    pub balance: BalanceSettings,
}

impl Runner {
    pub fn new(template: Template) -> Runner {
        let machine = Machine::new(Timing {
            counts_reps: template.counting == Counting::Reps,
            min_dwell_s: template.min_dwell_s as f64,
            grace_s: template.grace_s as f64,
            end_after_s: template.end_after_s.map(f64::from),
            side_by_most: !template.side_when.is_empty(),
        });
        Runner {
            faults: vec![FrameFault::default(); template.faults.len()],
            fault_in_hold: vec![false; template.faults.len()],
            floor: FloorEstimate::new(template.floor),
            template,
            state: SignalState::default(),
            values: Vec::new(),
            machine,
            aggregates: Aggregates::default(),
            rep_begin: None,
            trace: Vec::new(),
            rest: (0.0, 0),
            rep_rest: None,
            rep: None,
            recognised: Votes::new(RECOGNITION_WINDOW_S),
            rep_votes: (0, 0),
            view: Votes::new(RECOGNITION_WINDOW_S),
            vote: None,
            view_ok: true,
            reliable: false,
            last_plausible: f64::NEG_INFINITY,
            forced: false,
            set: None,
            steps: Vec::new(),
            broken_by: Vec::new(),
            uncertain: Vec::new(),
            outside: false,
            end_seen: None,
            ending_by: None,
            brief_run: None,
            rep_reached: false,
            start_since: None,
            top: None,
            sway: SwayRecorder::default(),
            balance: BalanceSettings::default(),
        }
    }

    /// Processes one frame. `frame` is `None` when there is no person or the body cannot be
    /// judged; events go to `events` only when `emit` (this is the active exercise).
    pub fn step(&mut self, t: f64, frame: Option<&Frame>, emit: bool, events: &mut Vec<Event>) {
        let Some(frame) = frame else {
            self.vote = None;
            self.end_seen = None;
            self.reliable = false;
            self.values.clear();
            self.recognised.push(t, None);
            let reading = Reading {
                partly_outside: self.outside,
                ..Reading::default()
            };
            self.advance(t, &reading, emit, events);
            if let Some(set) = self.set.as_mut() {
                set.sample(t, None);
            }
            return;
        };
        let frame = Frame {
            // The previous frame's verdict: whether the body is in this exercise at all.
            roll: self.floor.update(t, frame, self.vote == Some(true)),
            ..*frame
        };
        if self.template.balance {
            self.sway
                .push(t, frame.pose, &frame.seen, &frame.behind_twins, frame.torso);
        }
        let tpl = &self.template;
        self.state
            .evaluate(&tpl.signals, &tpl.order, &frame, t, &mut self.values);
        let unseen = |i: usize| self.values[i].value.is_none();
        let hidden = tpl.ends.iter().any(|e| {
            e.when
                .iter()
                .any(|c| matches!(c.operand, Operand::Signal(i) if unseen(i)))
        });
        let met = tpl
            .ends
            .iter()
            .position(|e| all_hold(&e.when, &self.values));
        self.end_seen = met.or(self.end_seen.filter(|_| hidden));
        self.vote = Some(soft_all_hold(&tpl.recognise, &self.values));
        self.recognised.push(t, self.vote);
        if self.machine.in_rep() {
            self.rep_votes.0 += u32::from(self.vote == Some(true));
            self.rep_votes.1 += 1;
        }
        if let Some(view) = &tpl.view {
            self.view.push(t, Some(all_hold(&view.when, &self.values)));
            // Judge the view on a second of frames: one odd frame does not turn it.
            self.view_ok = self.view.share() >= 0.5;
        }
        self.reliable = self.view_ok;
        if self.vote == Some(true) {
            self.last_plausible = t;
        }
        // A held position is over when the body no longer looks like the exercise at all
        // (lying down after a plank), unless the user named the exercise.
        let left_exercise =
            tpl.counting == Counting::Hold && !self.forced && self.vote == Some(false);
        let reading = Reading {
            reliable: self.reliable,
            in_start: all_hold(&tpl.start, &self.values),
            enter_working: all_hold(&tpl.working_enter, &self.values),
            exit_working: left_exercise || any_holds(&tpl.working_exit, &self.values),
            hold_blocked: None,
            partly_outside: self.outside,
            side: tpl
                .side_by
                .and_then(|i| self.values.get(i).and_then(|v| v.side))
                .filter(|_| tpl.side_when.is_empty() || all_hold(&tpl.side_when, &self.values)),
            end_reason: self.end_seen.map(|i| tpl.ends[i].reason),
        };
        let blocked = self.update_frame_faults(t, emit, events);
        self.advance(
            t,
            &Reading {
                hold_blocked: blocked,
                ..reading
            },
            emit,
            events,
        );
        self.ending_by = if self.machine.leaving() {
            self.ending_by.or(Some(self.end_seen))
        } else {
            None
        };
        if self.machine.in_rep() || self.machine.hold_elapsed(t).is_some() {
            self.aggregates.add(&self.values);
        }
        // Seen as a whole, the body got about as far as the working position (one limb there,
        // another maybe not seen or not yet).
        self.rep_reached |= self.machine.in_rep()
            && evidence(&self.template.working_enter, &self.values)
                .is_some_and(|(mean, _)| mean >= 0.5);
        // The person's own start and top levels, for signals relative to them.
        let position = match self.machine.phase {
            Phase::Working => Some(true),
            Phase::Start => Some(false),
            Phase::Moving | Phase::Unknown => None,
        };
        // A hold after a rest is held at its own level (a stale top could keep the next one
        // from ever starting).
        self.start_since = match position {
            Some(false) => self.start_since.or(Some(t)),
            _ => None,
        };
        if self.template.counting == Counting::Hold
            && self
                .start_since
                .is_some_and(|since| t - since >= NEW_HOLD_AFTER_S)
        {
            self.state.forget_tops();
        }
        // Only while the body looks like the exercise: kneeling before a side plank is not
        // the level this person holds it at. Nor is a clear fault in the working position (a
        // pike held for a third of a side plank would become the line, and the straight body
        // after it a dip): its frames count for no position.
        if self.reliable && (self.forced || self.vote == Some(true)) {
            let clear_fault = || {
                self.template.faults.iter().any(|r| {
                    r.scope == Scope::Frame && r.breaks_hold && all_hold(&r.when, &self.values)
                })
            };
            let position = position.filter(|&working| !(working && clear_fault()));
            self.state.learn(t, position, &self.values);
        }
        let primary = self.values.get(self.template.primary).and_then(|v| v.value);
        if let (true, Some(v)) = (self.machine.in_rep(), primary) {
            self.trace.push((t, v));
        }
        if let (Phase::Start, Some(v)) = (self.machine.phase, primary) {
            self.rest.0 += v as f64;
            self.rest.1 += 1;
        }
        if let Some(set) = self.set.as_mut() {
            set.sample(t, primary);
        }
    }

    /// Frame faults; returns since when one that breaks holds is on, if one is.
    fn update_frame_faults(&mut self, t: f64, emit: bool, events: &mut Vec<Event>) -> Option<f64> {
        let phase = self.machine.phase;
        let holding = self.machine.hold_elapsed(t).is_some();
        let mut blocked: Option<f64> = None;
        for ((rule, state), during_hold) in self
            .template
            .faults
            .iter()
            .zip(self.faults.iter_mut())
            .zip(self.fault_in_hold.iter_mut())
        {
            if rule.scope != Scope::Frame {
                continue;
            }
            // A fault that broke the hold is judged until it is corrected, although the
            // position has been left because of it: the dip lasts as long as the hips are down.
            let in_phase = match rule.during {
                During::Working => phase == Phase::Working,
                During::Start => phase == Phase::Start,
                During::Any => true,
            } || (state.on && rule.breaks_hold);
            // A body that no longer looks like the exercise (lying down after a plank) is not
            // judged as doing it badly, unless the user said this is the exercise.
            let judged = self.reliable && in_phase && (self.forced || self.vote == Some(true));
            let holds = judged.then(|| all_hold(&rule.when, &self.values));
            let change = state.update(t, holds, rule.min_duration_s as f64);
            if let Some(since) = state.active_since().filter(|_| rule.breaks_hold) {
                blocked = Some(blocked.map_or(since, |b| b.min(since)));
            }
            match change {
                Some(FaultChange::Started { .. }) => {
                    *during_hold = holding;
                    if emit {
                        events.push(Event {
                            t,
                            kind: EventKind::FaultStarted {
                                code: rule.code.clone(),
                                message: rule.message.clone(),
                            },
                        });
                    }
                }
                Some(FaultChange::Ended { start_s, end_s }) => {
                    if emit {
                        events.push(Event {
                            t,
                            kind: EventKind::FaultEnded {
                                code: rule.code.clone(),
                            },
                        });
                    }
                    let fault = rule.fault(start_s, end_s, None, None);
                    // A short fault that broke a hold may just be the hold ending (below),
                    // unless the hold has already resumed; a long one is a fault either way.
                    let resumed = self.machine.hold_elapsed(t).is_some();
                    let held = end_s - start_s >= HELD_FAULT_S;
                    if rule.breaks_hold && *during_hold && !resumed && !held {
                        self.broken_by.push(fault);
                    } else if let Some(set) = self.set.as_mut().filter(|s| start_s >= s.set.start_s)
                    {
                        set.fault(fault);
                    }
                }
                _ => {}
            }
        }
        // A fault that broke a hold is a fault only if the hold resumes: sinking down and
        // staying down is how a hold ends, not a form error.
        if self
            .broken_by
            .first()
            .is_some_and(|f| t - f.end_s > RESUME_WITHIN_S)
        {
            self.broken_by.clear();
            if let Some(h) = self.set.as_mut().and_then(|s| s.set.holds.last_mut())
                && h.ended_by == EndReason::FormBroken
            {
                h.ended_by = EndReason::PositionLeft;
            }
        }
        blocked
    }

    /// Whether the body looked like this exercise over the last second and either through
    /// most of the rep so far (from leaving the start position to the top it counts at) or
    /// on this frame. The rep is judged over its frames rather than on the one it counts on:
    /// from 45° a superman's flat start reads its shoulders stacked, and one frame must not
    /// undo a rep whose every other frame looked right. A balance rise is judged on the frame
    /// it counts on: a weight shift onto one leg lifts the hips like a rise onto the toes with
    /// both feet still down, and is told apart only once the foot is up
    /// (skatefit_single_leg_balance_hold).
    fn rep_looked_right(&self) -> bool {
        let (yes, all) = self.rep_votes;
        let over_rep = !self.template.balance && all > 0 && 2 * yes >= all;
        (over_rep || self.vote == Some(true)) && self.recognised.share() >= 0.5
    }

    fn advance(&mut self, t: f64, reading: &Reading, emit: bool, events: &mut Vec<Event>) {
        let mut steps = std::mem::take(&mut self.steps);
        steps.clear();
        self.machine.step(t, reading, &mut steps);
        for s in &steps {
            self.apply(s, t, emit, events);
        }
        self.steps = steps;
    }

    fn apply(&mut self, step: &Step, t: f64, emit: bool, events: &mut Vec<Event>) {
        let counts_reps = self.template.counting == Counting::Reps;
        let mut emit_event = |kind| {
            if emit {
                events.push(Event { t, kind });
            }
        };
        match *step {
            Step::RepBegan { t: began } => {
                self.rep_begin = Some(began);
                self.top = None;
                self.rep_reached = false;
                self.rep_votes = (0, 0);
                let (sum, n) = std::mem::take(&mut self.rest);
                self.rep_rest = (n > 0).then(|| (sum / n as f64) as f32);
                self.aggregates.clear();
                self.trace.clear();
            }
            Step::RepCounted { top_s, side } => {
                let start_s = self.rep_begin.unwrap_or(top_s);
                // A "rep" while the body does not look like this exercise is a look-alike
                // movement (propping up on the forearms is not a superman), unless the user
                // named the exercise: then every rep the position machine sees counts.
                let plausible = self.forced || self.rep_looked_right();
                let index = self
                    .set
                    .as_mut()
                    .filter(|_| plausible)
                    .map(|s| s.rep_counted(top_s, start_s, side));
                self.rep = Some((index, start_s, side));
                if let Some(index) = index {
                    emit_event(EventKind::Rep {
                        exercise: self.template.id.clone(),
                        index,
                        side,
                    });
                }
            }
            Step::RepLost { began, lost_s } => {
                // Never silently dropped: when a limb in view got to the working position
                // while part of the body was out of it, the person is told the count may be
                // short.
                if emit
                    && self.set.is_some()
                    && self.rep_reached
                    && (self.forced || self.rep_looked_right())
                {
                    let message = "A rep may have been missed while part of your body was out of view: keep your whole body in the picture.";
                    emit_event(EventKind::Warning {
                        code: WarningCode::RepUncertain,
                        message: message.into(),
                    });
                    self.uncertain.push(Warning {
                        code: WarningCode::RepUncertain,
                        start_s: began,
                        end_s: lost_s,
                        message: message.into(),
                    });
                }
                self.rep_begin = None;
                self.trace.clear();
            }
            Step::RepEnded {
                end_s,
                hold_s,
                reason,
            } => {
                if let Some((Some(index), start_s, side)) = self.rep.take() {
                    let rest = self
                        .rep_rest
                        .or_else(|| self.trace.first().map(|s| s.1))
                        .unwrap_or_default();
                    let min_tolerance = self.template.signals[self.template.primary]
                        .measure
                        .evidence_scale()
                        / 20.0;
                    // A balance rep's time at the top is an attempt: within its first stretch
                    // in the working position (ended as the end rules say: the heels
                    // dropping), the time until the key signal first leaves the top band for
                    // longer than the grace period. A signal that wavers back up while the
                    // person stands flat does not stretch the attempt.
                    let attempt = self.top.take().filter(|_| self.template.balance);
                    let grace = self.template.grace_s as f64;
                    // The trace from `a` to `b`: frames may be traced after the rep was cut.
                    let between = |a: f64, b: f64| -> Vec<(f64, f32)> {
                        let inside = |s: &&(f64, f32)| s.0 >= a && s.0 <= b;
                        self.trace.iter().filter(inside).copied().collect()
                    };
                    let within = between(start_s, end_s);
                    let band = self.template.hold_band;
                    let held = match attempt {
                        Some((a, b, _)) => Some(
                            top_stretch(&between(a, b), band, rest, min_tolerance, grace)
                                .unwrap_or((a, b)),
                        ),
                        None => top_hold(&within, band, rest, min_tolerance),
                    };
                    let (hold_start, hold_end) = held.unwrap_or((end_s - hold_s, end_s));
                    let reason = attempt.map_or(reason, |(_, _, why)| why);
                    let hold_s = hold_end - hold_start;
                    let rise = self
                        .set
                        .as_mut()
                        .and_then(|s| s.last_rep())
                        .map(|r| r.top_s - start_s);
                    let measures = RepMeasures {
                        aggregates: &self.aggregates,
                        hold_s,
                        duration_s: end_s - start_s,
                        rise_s: rise,
                    };
                    let rep_span = (start_s, end_s);
                    // Where a fault of the top is seen: the time very near the peak, within the
                    // rep and the hold (which starts as the limb nears the top); a balance rep's
                    // is its attempt, timed as a whole. A rep counts as it reaches the working
                    // position; its top is the middle of its time held at the top, where people
                    // reading the movement put it: the 25 labelled tops of the real bridges,
                    // bird-dogs and supermen lie 0.06 s from it on average (at most 0.17),
                    // against 0.20 (at most 0.50) from the moment the peak was first neared,
                    // the top until report schema 1.7; 229 of the rendered matrix's 242 tops
                    // match (198 before). A peak the model overshoots on the way up (a head
                    // turned fast) makes the time near the peak alone end too early.
                    let reached = held.map(|(a, b)| a + 0.5 * (b - a));
                    let top = match attempt {
                        Some(_) => held,
                        None => top_hold(&within, FAULT_BAND.min(band), rest, min_tolerance),
                    }
                    .filter(|(a, b)| b > a);
                    let faults = self.rep_faults(&measures, rep_span, top, Some(index), side);
                    let peak = self.peaks();
                    let hold = self.attempt(side, hold_start, hold_end, reason);
                    if let Some(set) = self.set.as_mut() {
                        if let Some(r) = set.last_rep() {
                            r.top_s = reached.unwrap_or(r.top_s);
                            r.end_s = end_s;
                            r.hold_s = hold_s;
                            r.peak = peak;
                        }
                        set.hold(hold);
                        for f in faults {
                            set.fault(f);
                        }
                    }
                }
                self.rep_begin = None;
                self.trace.clear();
            }
            Step::HoldStarted { start_s, side } => {
                // Back in the working position: an end seen before (and kept while its joints
                // were hidden) is over.
                self.end_seen = None;
                if !counts_reps {
                    self.aggregates.clear();
                }
                for f in self.broken_by.drain(..) {
                    if let Some(set) = self.set.as_mut().filter(|s| {
                        f.start_s >= s.set.start_s && start_s - f.end_s <= RESUME_WITHIN_S
                    }) {
                        set.fault(f);
                    }
                }
                // A rep's time at the top is reported with the rep, not as a hold; a balance
                // attempt's (time on the toes) is announced too, so that a coach can time it.
                if !counts_reps || self.template.balance {
                    emit_event(EventKind::HoldStarted { start_s, side });
                }
            }
            Step::HoldEnded {
                start_s,
                end_s,
                side,
                reason,
            } => {
                // A rep's time at the top is recorded with the rep, when it ends (its first
                // stretch in the working position, for balance attempts).
                let duration = end_s - start_s;
                let brief = !counts_reps && self.brief(start_s, end_s);
                let counted = !brief && duration >= self.template.min_hold_s as f64;
                if counts_reps {
                    self.top.get_or_insert((start_s, end_s, reason));
                    if self.template.balance {
                        emit_event(EventKind::HoldEnded {
                            duration_s: duration,
                            reason,
                            counted,
                        });
                    }
                    return;
                }
                emit_event(EventKind::HoldEnded {
                    duration_s: duration,
                    reason,
                    counted,
                });
                if !counted {
                    return;
                }
                // A hold cut short by the session ending is not the person's doing; one broken
                // by a form fault is reported as that fault.
                let faults = if matches!(reason, EndReason::SessionEnded | EndReason::FormBroken) {
                    Vec::new()
                } else {
                    let measures = RepMeasures {
                        aggregates: &self.aggregates,
                        hold_s: duration,
                        duration_s: duration,
                        rise_s: None,
                    };
                    self.rep_faults(&measures, (start_s, end_s), None, None, side)
                };
                let set_start = self.set.as_ref().map(|s| s.set.start_s);
                if let Some(set_start) = set_start.filter(|s| end_s > *s) {
                    // A hold counts from when the body looked like this exercise.
                    let hold = self.attempt(side, start_s.max(set_start), end_s, reason);
                    let Some(set) = self.set.as_mut() else {
                        return;
                    };
                    set.hold(hold);
                    for f in faults {
                        set.fault(f);
                    }
                }
            }
        }
    }

    /// Whether the hold from `start_s` to `end_s` was the brief top of a movement rather than
    /// a hold: it ended by an end rule with a `min_hold_s` sooner than that (the shoulders
    /// dropping out of a plank within 2 s: a push-up), or it is as brief and began within
    /// [`BRIEF_RUN_GAP_S`] of such a one (the last top before the clip ends). A hold that lasts
    /// ends the run.
    fn brief(&mut self, start_s: f64, end_s: f64) -> bool {
        let ended_by = self.ending_by.unwrap_or(self.end_seen);
        let by_end = ended_by.and_then(|i| self.template.ends[i].min_hold_s);
        let in_run = self
            .brief_run
            .filter(|(until, _)| start_s <= *until)
            .map(|(_, min)| min);
        let brief = by_end
            .or(in_run)
            .filter(|min| end_s - start_s < *min as f64);
        self.brief_run = brief.map(|min| (end_s + BRIEF_RUN_GAP_S, min));
        brief.is_some()
    }

    /// A hold for the report; for a balance exercise an attempt, with the eyes as declared
    /// and the body's sway (numbered when the set is finished). With someone else in view
    /// the sway is not measured, and the report says why.
    fn attempt(&mut self, side: Option<Side>, start_s: f64, end_s: f64, reason: EndReason) -> Hold {
        let balance = self.template.balance;
        let crowded = balance && self.sway.crowded(start_s, end_s);
        if crowded {
            self.uncertain.push(Warning {
                code: WarningCode::OtherPerson,
                start_s,
                end_s,
                message: "Someone else was in the picture, so the sway of this attempt was not measured: stand alone in view of the camera.".into(),
            });
        }
        Hold {
            side,
            start_s,
            end_s,
            duration_s: end_s - start_s,
            ended_by: reason,
            attempt: None,
            eyes_closed: balance.then(|| self.balance.eyes_closed_at((start_s + end_s) / 2.0)),
            sway: (balance && !crowded)
                .then(|| self.sway.measure(start_s, end_s, self.balance.height_cm))
                .flatten(),
        }
    }

    /// The rep's faults: over the rep (`span`), or over its time at the top (`top`, when it
    /// had one) for a rule that judges only the top.
    fn rep_faults(
        &self,
        m: &RepMeasures,
        span: (f64, f64),
        top: Option<(f64, f64)>,
        rep: Option<u32>,
        side: Option<Side>,
    ) -> Vec<Fault> {
        self.template
            .faults
            .iter()
            .filter(|r| r.scope == Scope::Rep && m.all_hold(&r.when))
            .map(|r| {
                let at_top = r.judged_at_top(&self.template.signals);
                let (start_s, end_s) = top.filter(|_| at_top).unwrap_or(span);
                r.fault(start_s, end_s, rep, side)
            })
            .collect()
    }

    /// The primary signal's extremes and the aggregates rep faults look at.
    fn peaks(&self) -> std::collections::BTreeMap<String, f64> {
        let mut peak = std::collections::BTreeMap::new();
        let mut put = |signal: usize, reduce: Reduce| {
            if let Some(v) = self.aggregates.get(signal, reduce) {
                let suffix = format!("{reduce:?}").to_lowercase();
                peak.insert(
                    format!("{}_{suffix}", self.template.signals[signal].name),
                    v as f64,
                );
            }
        };
        put(self.template.primary, Reduce::Max);
        put(self.template.primary, Reduce::Min);
        for rule in self
            .template
            .faults
            .iter()
            .filter(|r| r.scope == Scope::Rep)
        {
            for c in &rule.when {
                if let Operand::Signal(i) = c.operand {
                    put(i, c.condition.reduce);
                }
            }
        }
        peak
    }

    /// Opens a set at `t` (the body started to look like this exercise).
    pub fn open_set(&mut self, t: f64) {
        if self.set.is_none() {
            self.set = Some(SetBuilder::new(&self.template, t));
        }
    }

    /// Closes the set at `t`: cuts any rep or hold in progress and ends active faults.
    pub fn close_set(&mut self, t: f64, reason: EndReason) -> Option<ExerciseSet> {
        self.state.forget_levels();
        let mut steps = Vec::new();
        self.machine.cut(t, reason, &mut steps);
        let mut ignored = Vec::new();
        for s in &steps {
            self.apply(s, t, false, &mut ignored);
        }
        for ((rule, state), during_hold) in self
            .template
            .faults
            .iter()
            .zip(self.faults.iter_mut())
            .zip(&self.fault_in_hold)
        {
            // A fault that broke the last hold and is still on is how the set ended (lowering
            // out of a side plank), not a form fault, unless it was held.
            let ended_the_hold = rule.breaks_hold && *during_hold;
            if let Some(FaultChange::Ended { start_s, end_s }) = state.close(t)
                && (!ended_the_hold || end_s - start_s >= HELD_FAULT_S)
                && let Some(set) = self.set.as_mut().filter(|s| start_s >= s.set.start_s)
            {
                set.fault(rule.fault(start_s, end_s, None, None));
            }
        }
        let set = self.set.take()?;
        Some(set.finish(&self.template, t))
    }

    /// Balance exercises: the number of the attempt under way (per side, over the set).
    pub fn attempt_now(&self) -> Option<u32> {
        let side = self.machine.hold_side().filter(|_| self.template.balance)?;
        let done = self.set.as_ref().map_or(0, |s| {
            s.set.holds.iter().filter(|h| h.side == side).count() as u32
        });
        Some(done + 1)
    }

    /// Balance exercises: the centre of mass's recent sway, body heights (for a live trace).
    pub fn sway_now(&self, seconds: f64) -> Vec<f32> {
        if self.template.balance {
            self.sway.recent(seconds)
        } else {
            Vec::new()
        }
    }

    /// Codes and messages of the frame faults on now.
    pub fn active_faults(&self) -> Vec<(&str, &str)> {
        self.template
            .faults
            .iter()
            .zip(&self.faults)
            .filter(|(_, s)| s.on)
            .map(|(r, _)| (r.code.as_str(), r.message.as_str()))
            .collect()
    }
}

/// How near the top a trace's values must be: `band` of the trace's reach (a fraction of the
/// rep's range, from `rest`, its value in the start position), never less than
/// `min_tolerance` (a twentieth of the signal's clearly visible difference: half a degree for
/// angles, a few thousandths of a torso length for a rise onto the toes). Returns the test for
/// a value being at the top.
fn at_top(
    trace: &[(f64, f32)],
    band: f32,
    rest: f32,
    min_tolerance: f32,
) -> Option<impl Fn(f32) -> bool> {
    let away = move |v: f32| (v - rest).abs();
    // How far the rep went: a high percentile rather than the maximum, so that one
    // mis-detected frame cannot stand in for the top.
    let mut distances: Vec<f32> = trace.iter().map(|s| away(s.1)).collect();
    distances.sort_by(f32::total_cmp);
    let reach = *distances.get(distances.len().saturating_sub(1) * 9 / 10)?;
    let tolerance = (band * reach).max(min_tolerance);
    Some(move |v: f32| away(v) >= reach - tolerance)
}

/// The stretch of a rep spent at the top: from the first to the last moment the primary
/// signal is at the top ([`at_top`]). This is the time a coach would call "held", whatever
/// the thresholds that counted the rep.
pub fn top_hold(
    trace: &[(f64, f32)],
    band: f32,
    rest: f32,
    min_tolerance: f32,
) -> Option<(f64, f64)> {
    let near = at_top(trace, band, rest, min_tolerance)?;
    let first = trace.iter().find(|s| near(s.1))?.0;
    let last = trace.iter().rev().find(|s| near(s.1))?.0;
    Some((first, last))
}

/// The first stretch of a trace at the top ([`at_top`]): from the first moment there until
/// the signal first leaves the top for longer than `grace` seconds.
pub fn top_stretch(
    trace: &[(f64, f32)],
    band: f32,
    rest: f32,
    min_tolerance: f32,
    grace: f64,
) -> Option<(f64, f64)> {
    let near = at_top(trace, band, rest, min_tolerance)?;
    let first = trace.iter().position(|s| near(s.1))?;
    let mut last = trace[first].0;
    for s in &trace[first..] {
        if near(s.1) {
            last = s.0;
        } else if s.0 - last > grace {
            break;
        }
    }
    Some((trace[first].0, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_up_tops_are_not_holds_nor_the_brief_holds_that_follow() {
        let plank = crate::exercise::template::load_all(None)
            .unwrap()
            .into_iter()
            .find(|t| t.id == "plank")
            .unwrap();
        let shoulders = plank.ends.iter().position(|e| e.min_hold_s.is_some());
        assert!(shoulders.is_some(), "{:?}", plank.ends);
        let mut r = Runner::new(plank);
        // 1.3 s, then the shoulders dropped out of it: the top of a push-up.
        r.ending_by = Some(shoulders);
        assert!(r.brief(1.0, 2.3));
        // The next top a second later, cut by the clip's end: the same run.
        r.ending_by = Some(None);
        assert!(r.brief(3.3, 4.6));
        // A plank held long after them is a hold, and ends the run.
        assert!(!r.brief(5.5, 20.0));
        assert!(!r.brief(20.5, 21.5));
        // A brief hold that a sag ended, the shoulders dropping only as the body lowered
        // after it (later in the grace period), is not a push-up's top.
        r.ending_by = Some(None);
        r.end_seen = shoulders;
        assert!(!r.brief(30.0, 31.5));
        // Nor is a hold the shoulders ended after 2 s or more.
        r.ending_by = Some(shoulders);
        assert!(!r.brief(40.0, 42.5));
    }

    #[test]
    fn the_top_stretch_ends_at_the_first_lasting_drop() {
        // Up at 0.1 for a second, down for half a second, a flicker back up: the stretch is
        // the first second only.
        let trace: Vec<(f64, f32)> = (0..60)
            .map(|i| {
                let t = i as f64 / 30.0;
                let v = if t < 1.0 || (1.5..1.6).contains(&t) {
                    0.1
                } else {
                    0.03
                };
                (t, v)
            })
            .collect();
        let (a, b) = top_stretch(&trace, 0.5, 0.0, 0.005, 0.15).unwrap();
        assert!(a < 0.01 && (b - 0.967).abs() < 0.02, "{a} {b}");
        // With top_hold's first-to-last rule the flicker would stretch it.
        let (_, b2) = top_hold(&trace, 0.5, 0.0, 0.005).unwrap();
        assert!(b2 > 1.5, "{b2}");
    }

    #[test]
    fn the_top_hold_spans_the_time_near_the_peak() {
        // Up from 130 to 175 over a second, held for two, down again.
        let mut trace = Vec::new();
        // The way down goes deeper than the way up started.
        for i in 0..=130 {
            let t = i as f64 / 30.0;
            let v = if t < 1.0 {
                130.0 + 45.0 * t as f32
            } else if t < 3.0 {
                175.0
            } else {
                175.0 - 45.0 * (t - 3.0) as f32
            }
            .max(118.0);
            trace.push((t, v));
        }
        let (a, b) = top_hold(&trace, 0.1, 130.0, 0.5).unwrap();
        assert!((a - 0.9).abs() < 0.05 && (b - 3.1).abs() < 0.05, "{a} {b}");
        // One wild frame does not move the top.
        trace[60].1 = 260.0;
        let (a2, b2) = top_hold(&trace, 0.1, 130.0, 0.5).unwrap();
        assert!((a2 - a).abs() < 0.05 && (b2 - b).abs() < 0.05, "{a2} {b2}");
        assert_eq!(top_hold(&[], 0.1, 130.0, 0.5), None);
    }
}
