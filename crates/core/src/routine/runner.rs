//! Walks a routine over the engine's frames: announces each step, waits until the person is in
//! position, counts towards the target (reps, or the longest hold, per side where asked),
//! counts failed attempts, moves on when the target is met or the attempts are used, offers the
//! harder variant after a first-attempt success, and times the rest in between. Pure: the
//! caller feeds times, the engine's status and events, and keys; the runner answers with
//! [`RoutineEvent`]s and, at the end, the report's routine section.

use serde::Serialize;

use super::{Routine, Step, StepSide, Target};
use crate::exercise::machine::Phase;
use crate::exercise::{Event, EventKind, Status, Template};
use crate::report::model::{
    Measure, Proposal, ROUTINE_SECTION_VERSION, RoutineReport, StepEnd, StepResult,
};
use crate::skeleton::{Side, slot};

/// What the routine says, for the screen, the voice and headless event lines.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RoutineEvent {
    /// A step begins: what to do and the target.
    Step {
        t: f64,
        /// 1-based position in the routine as walked, and how many are planned.
        index: usize,
        of: usize,
        step: String,
        exercise: String,
        name: String,
        description: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        side: Option<Side>,
        per_side: bool,
        round: u32,
        set: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        variant: Option<String>,
        measure: Measure,
        target: f64,
    },
    /// A higher target proposed from the history, and whether it was taken.
    Proposal {
        t: f64,
        step: String,
        from: f64,
        to: f64,
        reason: String,
        accepted: bool,
    },
    /// The person is in the exercise's position: counting starts.
    InPosition {
        t: f64,
    },
    Rep {
        t: f64,
        count: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        side: Option<Side>,
        target: f64,
    },
    /// A hold under way, once a second.
    Hold {
        t: f64,
        held_s: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        side: Option<Side>,
        target: f64,
    },
    /// A form fault, in a few words.
    Fault {
        t: f64,
        message: String,
    },
    /// A hold ended short of the target.
    AttemptFailed {
        t: f64,
        attempt: u32,
        of: u32,
        held_s: f64,
    },
    TargetMet {
        t: f64,
    },
    StepDone {
        t: f64,
        step: String,
        met: bool,
        done: f64,
        target: f64,
        ended_by: StepEnd,
    },
    /// Rest before the next step, once a second.
    Rest {
        t: f64,
        seconds_left: u32,
        next: String,
    },
    SessionEnd {
        t: f64,
        completed: bool,
    },
}

/// One step to do: a step of the routine in a round and set, or its harder variant.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Item {
    step: usize,
    round: u32,
    set: u32,
    harder: bool,
}

/// What has been measured in the step under way.
#[derive(Clone, Debug, Default)]
struct Progress {
    started: f64,
    in_position: bool,
    /// Reps by side: none, left, right.
    reps: [u32; 3],
    /// Longest counted hold by side.
    best: [f64; 3],
    hold_side: Option<Side>,
    attempts: u32,
    last_second: u32,
}

#[derive(Clone, Debug, PartialEq)]
enum State {
    Step,
    Rest { until: f64, announced: u32 },
    Finished,
}

pub struct Runner<'a> {
    routine: &'a Routine,
    /// The template of each step, and its target (after any accepted progression).
    templates: Vec<&'a Template>,
    targets: Vec<Target>,
    proposals: Vec<Proposal>,
    queue: Vec<Item>,
    pos: usize,
    state: State,
    progress: Progress,
    results: Vec<StepResult>,
    events: Vec<RoutineEvent>,
}

impl<'a> Runner<'a> {
    /// A runner at the first step; `targets` are the steps' targets to use (the routine's, or
    /// the higher ones accepted in `proposals`).
    pub fn new(
        routine: &'a Routine,
        templates: Vec<&'a Template>,
        targets: Vec<Target>,
        proposals: Vec<Proposal>,
        t: f64,
    ) -> Runner<'a> {
        let queue = (1..=routine.rounds)
            .flat_map(|round| {
                routine.steps.iter().enumerate().flat_map(move |(step, s)| {
                    (1..=s.sets).map(move |set| Item {
                        step,
                        round,
                        set,
                        harder: false,
                    })
                })
            })
            .collect();
        let events = proposals
            .iter()
            .map(|p| RoutineEvent::Proposal {
                t,
                step: p.step.clone(),
                from: p.from,
                to: p.to,
                reason: p.reason.clone(),
                accepted: p.accepted,
            })
            .collect();
        let mut r = Runner {
            routine,
            templates,
            targets,
            proposals,
            queue,
            pos: 0,
            state: State::Step,
            progress: Progress::default(),
            results: Vec::new(),
            events,
        };
        r.announce(t);
        r
    }

    /// The events of the last call (frame, key, end), for the caller to show, speak or print.
    pub fn drain(&mut self) -> Vec<RoutineEvent> {
        std::mem::take(&mut self.events)
    }

    /// The exercise of the step under way (or coming after the rest).
    pub fn exercise(&self) -> Option<&str> {
        self.queue
            .get(self.pos)
            .map(|i| self.routine.steps[i.step].exercise.as_str())
    }

    /// A step is under way (not resting, not finished).
    pub fn in_step(&self) -> bool {
        self.state == State::Step
    }

    /// The step under way is done with the eyes closed (its harder variant says so).
    pub fn eyes_closed(&self) -> bool {
        self.in_step()
            && self.queue.get(self.pos).is_some_and(|i| {
                i.harder
                    && self.routine.steps[i.step]
                        .harder
                        .as_ref()
                        .is_some_and(|h| h.eyes_closed)
            })
    }

    pub fn finished(&self) -> bool {
        self.state == State::Finished
    }

    fn item(&self) -> Item {
        self.queue[self.pos]
    }

    fn step(&self) -> &'a Step {
        &self.routine.steps[self.item().step]
    }

    fn target(&self) -> Target {
        let item = self.item();
        match (&self.step().harder, item.harder) {
            (Some(h), true) => h.target,
            _ => self.targets[item.step],
        }
    }

    fn per_side(&self) -> bool {
        self.templates[self.item().step].per_side
    }

    fn announce(&mut self, t: f64) {
        let Some(item) = self.queue.get(self.pos).copied() else {
            self.state = State::Finished;
            return;
        };
        let s = self.step();
        let target = self.target();
        let variant = item.harder.then_some(s.harder.as_ref()).flatten();
        self.state = State::Step;
        self.progress = Progress {
            started: t,
            ..Progress::default()
        };
        self.events.push(RoutineEvent::Step {
            t,
            index: self.pos + 1,
            of: self.queue.len(),
            step: s.id.clone(),
            exercise: s.exercise.clone(),
            name: self.templates[item.step].name.clone(),
            description: variant.map_or(&s.description, |v| &v.description).clone(),
            side: s.one_side(),
            per_side: s.side == StepSide::Each,
            round: item.round,
            set: item.set,
            variant: variant.map(|v| v.name.clone()),
            measure: target.measure,
            target: target.value,
        });
    }

    /// What has been done towards the target: reps or the longest hold (with the hold under
    /// way), for the step's side; per side, the weaker side's.
    fn done(&self, current_hold: Option<f64>) -> f64 {
        let p = &self.progress;
        let mut best = p.best;
        if let Some(h) = current_hold {
            let i = slot(p.hold_side);
            best[i] = best[i].max(h);
        }
        let side = self.step().side;
        let pick = |v: [f64; 3]| match (side, self.per_side()) {
            (_, false) => v[0].max(v[1]).max(v[2]),
            (StepSide::Each, true) => v[1].min(v[2]),
            (StepSide::One(s), true) => v[slot(Some(s))],
            // Both sides' and those whose side was not seen (the tandem stance filmed from
            // the front).
            (StepSide::Any, true) => v[0] + v[1] + v[2],
        };
        match self.target().measure {
            Measure::Reps => pick(p.reps.map(f64::from)),
            // Routine files give reps or a hold; attempts are counted beside the target.
            Measure::Attempts => f64::from(self.progress.attempts),
            Measure::HoldS => match (side, self.per_side()) {
                // A hold is one hold: both sides' together make no longer one.
                (StepSide::Any, true) => best[0].max(best[1]).max(best[2]),
                _ => pick(best),
            },
        }
    }

    /// One frame: the engine's status after it and the events it raised.
    pub fn frame(&mut self, t: f64, status: &Status, events: &[Event]) {
        match self.state {
            State::Finished => {}
            State::Rest { until, announced } => self.rest(t, until, announced),
            State::Step => self.count(t, status, events),
        }
    }

    fn rest(&mut self, t: f64, until: f64, announced: u32) {
        if t >= until {
            self.announce(until);
            return;
        }
        // Less a microsecond: `t + 30 - t` is a hair over 30 in floating point.
        let left = (until - t - 1e-6).ceil() as u32;
        if left < announced {
            let next = self.routine.steps[self.queue[self.pos].step].id.clone();
            self.events.push(RoutineEvent::Rest {
                t,
                seconds_left: left,
                next,
            });
            self.state = State::Rest {
                until,
                announced: left,
            };
        }
    }

    fn count(&mut self, t: f64, status: &Status, events: &[Event]) {
        if !self.progress.in_position {
            let placed = matches!(status.phase, Some(Phase::Start | Phase::Working));
            if !placed || status.guidance.is_some() {
                return;
            }
            self.progress.in_position = true;
            self.events.push(RoutineEvent::InPosition { t });
        }
        let target = self.target();
        for e in events {
            match &e.kind {
                EventKind::Rep { side, .. } => {
                    self.progress.reps[slot(*side)] += 1;
                    let count = self.progress.reps.iter().sum();
                    self.events.push(RoutineEvent::Rep {
                        t: e.t,
                        count,
                        side: *side,
                        target: target.value,
                    });
                }
                EventKind::HoldStarted { side, .. } => {
                    self.progress.hold_side = *side;
                    self.progress.last_second = 0;
                }
                EventKind::HoldEnded {
                    duration_s,
                    counted,
                    ..
                } if self.on_side() => self.hold_ended(e.t, *duration_s, *counted),
                EventKind::FaultStarted { message, .. } => {
                    self.events.push(RoutineEvent::Fault {
                        t: e.t,
                        message: message.clone(),
                    });
                }
                _ => {}
            }
            if !self.in_step() {
                return;
            }
        }
        if let Some(held) = status.hold_s.filter(|_| self.on_side()) {
            let second = held.floor() as u32;
            if target.measure == Measure::HoldS && second > self.progress.last_second {
                self.progress.last_second = second;
                self.events.push(RoutineEvent::Hold {
                    t,
                    held_s: second,
                    side: self.progress.hold_side,
                    target: target.value,
                });
            }
        }
        if self.done(status.hold_s) >= target.value {
            self.events.push(RoutineEvent::TargetMet { t });
            self.end_step(t, StepEnd::TargetMet, status.hold_s);
        }
    }

    /// The hold under way is on the step's side (a left-side hold is no attempt at the
    /// right side).
    fn on_side(&self) -> bool {
        match self.step().side {
            StepSide::One(s) if self.per_side() => self.progress.hold_side == Some(s),
            _ => true,
        }
    }

    fn hold_ended(&mut self, t: f64, duration_s: f64, counted: bool) {
        let i = slot(self.progress.hold_side);
        if counted {
            self.progress.best[i] = self.progress.best[i].max(duration_s);
        }
        let target = self.target();
        if target.measure != Measure::HoldS || self.done(None) >= target.value {
            return;
        }
        self.progress.attempts += 1;
        let of = self.step().attempts;
        self.events.push(RoutineEvent::AttemptFailed {
            t,
            attempt: self.progress.attempts,
            of,
            held_s: (duration_s * 100.0).round() / 100.0,
        });
        if self.progress.attempts >= of {
            self.end_step(t, StepEnd::AttemptsUsed, None);
        }
    }

    /// Ends the step under way (a no-op while resting or finished), then rests or moves on.
    pub fn end_step(&mut self, t: f64, why: StepEnd, current_hold: Option<f64>) {
        if !self.in_step() {
            return;
        }
        let item = self.item();
        let s = self.step();
        let target = self.target();
        let done = self.done(current_hold);
        let met = done >= target.value;
        self.results.push(StepResult {
            step: s.id.clone(),
            exercise: s.exercise.clone(),
            name: self.templates[item.step].name.clone(),
            side: s.one_side(),
            per_side: s.side == StepSide::Each,
            round: item.round,
            set: item.set,
            // The attempt under way counts unless the failed ones already ended the step.
            attempts: self.progress.attempts
                + u32::from(why != StepEnd::AttemptsUsed && self.progress.in_position),
            variant: item
                .harder
                .then(|| s.harder.as_ref().map(|h| h.name.clone()))
                .flatten(),
            measure: target.measure,
            target: target.value,
            done: (done * 100.0).round() / 100.0,
            met,
            ended_by: why,
            start_s: self.progress.started,
            end_s: t,
        });
        self.events.push(RoutineEvent::StepDone {
            t,
            step: s.id.clone(),
            met,
            done: (done * 100.0).round() / 100.0,
            target: target.value,
            ended_by: why,
        });
        // "If you succeed right away, do a more complicated version."
        if why == StepEnd::TargetMet
            && self.progress.attempts == 0
            && !item.harder
            && s.harder.is_some()
        {
            self.queue.insert(
                self.pos + 1,
                Item {
                    harder: true,
                    ..item
                },
            );
        }
        let rest_s = s.rest_s;
        self.pos += 1;
        if why == StepEnd::SessionEnded || self.pos >= self.queue.len() {
            self.state = State::Finished;
        } else if rest_s > 0.0 {
            self.state = State::Rest {
                until: t + rest_s,
                announced: u32::MAX,
            };
            self.rest(t, t + rest_s, u32::MAX);
        } else {
            self.announce(t);
        }
    }

    /// Passes the rest at once (between the videos of a routine over a list of them): the
    /// countdown is said, the next step announced. Returns the time the rest ended.
    pub fn skip_rest(&mut self, t: f64) -> f64 {
        let State::Rest { until, .. } = self.state else {
            return t;
        };
        let mut now = t;
        while self.state != State::Step && !self.finished() {
            now = (now + 1.0).min(until);
            self.frame(now, &Status::default(), &[]);
        }
        until
    }

    /// The next key: ends the step as skipped, or ends the rest.
    pub fn next(&mut self, t: f64) {
        match self.state {
            State::Step => self.end_step(t, StepEnd::Skipped, None),
            State::Rest { .. } => self.announce(t),
            State::Finished => {}
        }
    }

    /// The previous key: back to the step before the one under way (or the one just done,
    /// while resting); what was done is kept, the step is done again.
    pub fn previous(&mut self, t: f64) {
        self.pos = self.pos.saturating_sub(1);
        self.announce(t);
    }

    /// The decline key: the higher targets proposed are not taken; a step of theirs under way
    /// starts again at the old target.
    pub fn decline(&mut self, t: f64) {
        let mut restart = false;
        for p in self.proposals.iter_mut().filter(|p| p.accepted) {
            p.accepted = false;
            let Some(i) = self.routine.steps.iter().position(|s| s.id == p.step) else {
                continue;
            };
            self.targets[i].value = p.from;
            restart |= self.state == State::Step && self.queue[self.pos].step == i;
            self.events.push(RoutineEvent::Proposal {
                t,
                step: p.step.clone(),
                from: p.from,
                to: p.to,
                reason: p.reason.clone(),
                accepted: false,
            });
        }
        if restart {
            self.announce(t);
        }
    }

    /// The redo key: the step under way (or just done, while resting) from the start.
    pub fn redo(&mut self, t: f64) {
        if self.state != State::Step {
            self.pos = self.pos.saturating_sub(1);
        }
        self.announce(t);
    }

    /// Ends the routine: a step under way is recorded as ended by the session.
    pub fn finish(mut self, t: f64) -> (RoutineReport, Vec<RoutineEvent>) {
        let completed = self.finished();
        self.end_step(t, StepEnd::SessionEnded, None);
        self.events.push(RoutineEvent::SessionEnd { t, completed });
        let report = RoutineReport {
            version: ROUTINE_SECTION_VERSION.to_string(),
            id: self.routine.id.clone(),
            name: self.routine.name.clone(),
            steps: self.results,
            proposals: self.proposals,
            completed,
        };
        (report, self.events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercise::template;
    use crate::routine::parse;
    use std::path::Path;

    const ROUTINE: &str = r#"
id = "t"
name = "T"
description = "d"
rounds = 2

[[steps]]
id = "bridge"
exercise = "glute_bridge"
description = "d"
reps = 2
rest_s = 3

[steps.harder]
name = "Single leg"
description = "d"
reps = 1

[[steps]]
id = "plank"
exercise = "plank"
description = "d"
hold_s = 10
attempts = 2
"#;

    fn status(phase: Phase, hold_s: Option<f64>) -> Status {
        Status {
            phase: Some(phase),
            hold_s,
            ..Status::default()
        }
    }

    fn rep(t: f64) -> Event {
        Event {
            t,
            kind: EventKind::Rep {
                exercise: "glute_bridge".into(),
                index: 1,
                side: None,
            },
        }
    }

    fn hold_end(t: f64, duration_s: f64) -> Event {
        Event {
            t,
            kind: EventKind::HoldEnded {
                duration_s,
                reason: crate::report::model::HoldEnd::PositionLeft,
                counted: true,
            },
        }
    }

    fn steps(events: &[RoutineEvent]) -> Vec<(String, Option<String>)> {
        events
            .iter()
            .filter_map(|e| match e {
                RoutineEvent::Step { step, variant, .. } => Some((step.clone(), variant.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_routine_is_walked_with_rests_harder_variants_and_attempts() {
        let routine = parse(Path::new("t.toml"), ROUTINE).unwrap();
        let all = template::load_all(None).unwrap();
        let templates = routine.templates(&all).unwrap();
        let targets = routine.steps.iter().map(|s| s.target).collect();
        let mut r = Runner::new(&routine, templates, targets, Vec::new(), 0.0);
        let mut seen = r.drain();
        // Nothing counts before the person is in position.
        r.frame(0.5, &Status::default(), &[rep(0.5)]);
        r.frame(1.0, &status(Phase::Start, None), &[]);
        r.frame(2.0, &status(Phase::Working, None), &[rep(2.0)]);
        r.frame(3.0, &status(Phase::Working, None), &[rep(3.0)]);
        seen.extend(r.drain());
        assert!(seen.contains(&RoutineEvent::TargetMet { t: 3.0 }));
        // Met at once: the rest, then the harder variant.
        for t in [4.0, 5.0, 6.0] {
            r.frame(t, &status(Phase::Start, None), &[]);
        }
        seen.extend(r.drain());
        let rests: Vec<u32> = seen
            .iter()
            .filter_map(|e| match e {
                RoutineEvent::Rest { seconds_left, .. } => Some(*seconds_left),
                _ => None,
            })
            .collect();
        assert_eq!(rests, [3, 2, 1]);
        assert_eq!(
            steps(&seen).last(),
            Some(&("bridge".to_string(), Some("Single leg".to_string())))
        );
        // The next key skips the variant; the plank fails twice and is left.
        r.next(6.5);
        r.skip_rest(6.5);
        r.frame(10.0, &status(Phase::Working, Some(1.0)), &[]);
        r.frame(14.0, &status(Phase::Start, None), &[hold_end(14.0, 4.0)]);
        r.frame(20.0, &status(Phase::Start, None), &[hold_end(20.0, 6.0)]);
        let round = r.drain();
        let failed = round
            .iter()
            .filter(|e| matches!(e, RoutineEvent::AttemptFailed { .. }))
            .count();
        assert_eq!(failed, 2);
        assert_eq!(steps(&round).last().map(|s| s.0.as_str()), Some("bridge"));
        let (report, events) = r.finish(21.0);
        assert!(!report.completed);
        let ends: Vec<StepEnd> = report.steps.iter().map(|s| s.ended_by).collect();
        assert_eq!(
            ends,
            [
                StepEnd::TargetMet,
                StepEnd::Skipped,
                StepEnd::AttemptsUsed,
                StepEnd::SessionEnded
            ]
        );
        let plank = &report.steps[2];
        assert_eq!((plank.attempts, plank.done, plank.met), (2, 6.0, false));
        assert_eq!(report.steps[1].variant.as_deref(), Some("Single leg"));
        assert!(matches!(
            events.last(),
            Some(RoutineEvent::SessionEnd {
                completed: false,
                ..
            })
        ));
    }

    #[test]
    fn a_per_side_hold_whose_side_was_not_seen_counts_for_a_step_of_any_side() {
        // The tandem stance is counted per front foot; filmed from the front the foot is not
        // seen and the hold has no side. A step that asks for no side counts it.
        let text = r#"
id = "s"
name = "S"
description = "d"

[[steps]]
id = "feet_in_line"
exercise = "tandem_stance"
description = "d"
hold_s = 5
attempts = 2
"#;
        let routine = parse(Path::new("s.toml"), text).unwrap();
        let all = template::load_all(None).unwrap();
        let templates = routine.templates(&all).unwrap();
        assert!(templates[0].per_side);
        let targets = routine.steps.iter().map(|s| s.target).collect();
        let mut r = Runner::new(&routine, templates, targets, Vec::new(), 0.0);
        let started = Event {
            t: 1.0,
            kind: EventKind::HoldStarted {
                start_s: 1.0,
                side: None,
            },
        };
        r.frame(1.0, &status(Phase::Working, Some(0.0)), &[started]);
        r.frame(7.0, &status(Phase::Start, None), &[hold_end(7.0, 6.0)]);
        let (report, _) = r.finish(8.0);
        let step = &report.steps[0];
        assert_eq!((step.done, step.met), (6.0, true), "{step:?}");
    }

    #[test]
    fn an_eyes_closed_variant_is_declared_while_it_is_under_way() {
        let text = r#"
id = "b"
name = "B"
description = "d"

[[steps]]
id = "feet_together"
exercise = "feet_together_stand"
description = "d"
hold_s = 2
rest_s = 1

[steps.harder]
name = "Eyes closed"
description = "d"
hold_s = 2
eyes_closed = true
"#;
        let routine = parse(Path::new("b.toml"), text).unwrap();
        let all = template::load_all(None).unwrap();
        let templates = routine.templates(&all).unwrap();
        let targets = routine.steps.iter().map(|s| s.target).collect();
        let mut r = Runner::new(&routine, templates, targets, Vec::new(), 0.0);
        r.frame(0.5, &status(Phase::Working, Some(0.5)), &[]);
        assert!(!r.eyes_closed(), "the first attempt is with the eyes open");
        r.frame(3.0, &status(Phase::Working, Some(3.0)), &[]);
        r.frame(3.5, &status(Phase::Start, None), &[]);
        assert!(!r.eyes_closed(), "resting");
        r.frame(5.0, &status(Phase::Start, None), &[]);
        assert!(
            steps(&r.drain()).last() == Some(&("feet_together".into(), Some("Eyes closed".into())))
                && r.eyes_closed()
        );
        r.next(6.0);
        assert!(!r.eyes_closed(), "the routine is over");
    }

    #[test]
    fn a_proposal_declined_restores_the_old_target() {
        let routine = parse(Path::new("t.toml"), ROUTINE).unwrap();
        let all = template::load_all(None).unwrap();
        let templates = routine.templates(&all).unwrap();
        let mut targets: Vec<Target> = routine.steps.iter().map(|s| s.target).collect();
        targets[0].value = 3.0;
        let proposal = Proposal {
            step: "bridge".into(),
            measure: Measure::Reps,
            from: 2.0,
            to: 3.0,
            reason: "met".into(),
            accepted: true,
        };
        let mut r = Runner::new(&routine, templates, targets, vec![proposal], 0.0);
        let target_of = |events: &[RoutineEvent]| {
            events.iter().rev().find_map(|e| match e {
                RoutineEvent::Step { target, .. } => Some(*target),
                _ => None,
            })
        };
        assert_eq!(target_of(&r.drain()), Some(3.0));
        r.decline(1.0);
        let events = r.drain();
        assert!(matches!(
            events[0],
            RoutineEvent::Proposal {
                accepted: false,
                ..
            }
        ));
        assert_eq!(target_of(&events), Some(2.0));
        let (report, _) = r.finish(2.0);
        assert!(!report.proposals[0].accepted);
        assert_eq!(report.steps.last().map(|s| s.target), Some(2.0));
    }

    #[test]
    fn previous_and_redo_go_back_and_keep_what_was_done() {
        let routine = parse(Path::new("t.toml"), ROUTINE).unwrap();
        let all = template::load_all(None).unwrap();
        let templates = routine.templates(&all).unwrap();
        let targets = routine.steps.iter().map(|s| s.target).collect();
        let mut r = Runner::new(&routine, templates, targets, Vec::new(), 0.0);
        r.next(1.0);
        r.skip_rest(1.0);
        assert_eq!(r.exercise(), Some("plank"));
        r.previous(5.0);
        assert_eq!(r.exercise(), Some("glute_bridge"));
        r.redo(6.0);
        assert_eq!(r.exercise(), Some("glute_bridge"));
        assert_eq!(steps(&r.drain()).len(), 4);
        let (report, _) = r.finish(7.0);
        assert_eq!(
            report.steps.len(),
            2,
            "the skipped bridge and the bridge under way"
        );
    }
}
