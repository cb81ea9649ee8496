//! The exercise engine: every template watches the pose stream; the recogniser decides which
//! exercise is being done over stretches of the session; that exercise's reps, holds and faults
//! become sets. Deterministic in the keypoint track: no clock, no I/O.

use super::machine::{EndReason, Phase};
use super::quality::{
    NearSide, WarningTrack, behind_twins, missing_regions, out_of_frame, placed_landmarks,
    seen_landmarks,
};
use super::runner::Runner;
use super::signals::Frame;
use super::template::Template;
use crate::error::Error;
use crate::pose::Pose;
use crate::report::model::{ExerciseSet, HoldEnd, Warning, WarningCode};
use crate::skeleton::{Part, Side};

/// Share of the last second's frames that must look like an exercise to start it.
const ENTER_SHARE: f64 = 0.6;
/// Below this share, the current exercise may give way to another that is clearly on.
const LEAVE_SHARE: f64 = 0.3;
/// An exercise is over after this long without a frame that looks like it.
const EXIT_AFTER_S: f64 = 2.0;
/// The body checked for framing when no exercise is on.
const WHOLE_BODY: [Part; 4] = [Part::Shoulder, Part::Hip, Part::Knee, Part::Ankle];

/// Something that happened, for live feedback and scripts.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub t: f64,
    pub kind: EventKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum EventKind {
    ExerciseStarted {
        exercise: String,
        name: String,
    },
    ExerciseEnded {
        exercise: String,
    },
    Rep {
        exercise: String,
        index: u32,
        side: Option<Side>,
    },
    HoldStarted {
        start_s: f64,
        side: Option<Side>,
    },
    HoldEnded {
        duration_s: f64,
        reason: HoldEnd,
        counted: bool,
    },
    FaultStarted {
        code: String,
        message: String,
    },
    FaultEnded {
        code: String,
    },
    Warning {
        code: WarningCode,
        message: String,
    },
}

/// The engine's view of the moment, for overlays.
#[derive(Clone, Debug, Default)]
pub struct Status {
    pub exercise: Option<(String, String)>,
    pub reps: u32,
    pub reps_left: Option<u32>,
    pub reps_right: Option<u32>,
    pub target_reps: Option<u32>,
    pub hold_s: Option<f64>,
    pub target_hold_s: Option<f32>,
    pub phase: Option<Phase>,
    /// Messages of the faults on now.
    pub faults: Vec<String>,
    /// What to fix before anything can be counted (framing, view, no person).
    pub guidance: Option<String>,
    /// Balance exercises: the attempt under way (per side).
    pub attempt: Option<u32>,
    /// Balance exercises: the centre of mass's side-to-side (or front-to-back) position over
    /// the last few seconds, body heights from its mean, for a sway trace.
    pub sway: Vec<f32>,
}

/// Seconds of sway shown live.
const LIVE_SWAY_S: f64 = 5.0;

/// What a session measured.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub sets: Vec<ExerciseSet>,
    pub warnings: Vec<Warning>,
    pub frames: u64,
    pub frames_without_person: u64,
    pub duration_s: f64,
}

/// The current frame as CSV export sees it: the exercise on (or likeliest), its phase and
/// faults, and every template's signal values.
pub struct FrameSignals<'a> {
    pub exercise: &'a str,
    pub phase: Phase,
    pub faults: Vec<&'a str>,
    /// Per template (in `Engine::templates` order), its signal values.
    pub values: Vec<Vec<Option<f32>>>,
}

pub struct Engine {
    runners: Vec<Runner>,
    /// The exercise the user named (no recognition), as an index into `runners`.
    forced: Option<usize>,
    active: Option<usize>,
    near: NearSide,
    steady_torso: SteadyTorso,
    size: (f32, f32),
    no_person: WarningTrack,
    partial: WarningTrack,
    wrong_view: WarningTrack,
    sets: Vec<ExerciseSet>,
    /// Reps that may have been missed in the reported sets.
    uncertain: Vec<Warning>,
    frames: u64,
    frames_without_person: u64,
    first_t: Option<f64>,
    last_t: f64,
    events: Vec<Event>,
}

impl Engine {
    /// An engine for pictures of `width`×`height`. With `exercise`, only that template is
    /// used and recognition is skipped.
    pub fn new(
        templates: Vec<Template>,
        exercise: Option<&str>,
        (width, height): (u32, u32),
    ) -> Result<Engine, Error> {
        let mut engine = Engine {
            runners: templates.into_iter().map(Runner::new).collect(),
            forced: None,
            active: None,
            near: NearSide::default(),
            steady_torso: SteadyTorso::default(),
            size: (width.max(1) as f32, height.max(1) as f32),
            no_person: WarningTrack::new(WarningCode::NoPerson),
            partial: WarningTrack::new(WarningCode::PartialBody),
            wrong_view: WarningTrack::new(WarningCode::WrongView),
            sets: Vec::new(),
            uncertain: Vec::new(),
            frames: 0,
            frames_without_person: 0,
            first_t: None,
            last_t: 0.0,
            events: Vec::new(),
        };
        engine.force(exercise)?;
        Ok(engine)
    }

    fn force(&mut self, exercise: Option<&str>) -> Result<(), Error> {
        let index = exercise
            .map(|id| {
                self.runners
                    .iter()
                    .position(|r| r.template.id == id)
                    .ok_or_else(|| {
                        let known: Vec<&str> = self.templates().map(|t| t.id.as_str()).collect();
                        Error::Invalid(format!(
                            "unknown exercise '{id}' (known: {})",
                            known.join(", ")
                        ))
                    })
            })
            .transpose()?;
        self.forced = index;
        for (i, r) in self.runners.iter_mut().enumerate() {
            r.forced = Some(i) == index;
        }
        Ok(())
    }

    /// Closes the set under way (it stays in the session's results), so counting starts anew.
    pub fn new_set(&mut self) {
        let t = self.last_t;
        if let Some(i) = self.active.take() {
            let r = &mut self.runners[i];
            let end = if r.forced { t } else { r.last_plausible.min(t) };
            let set = r.close_set(end, EndReason::SessionEnded);
            keep(&mut self.sets, &mut self.uncertain, r, set);
        }
        for r in self.runners.iter_mut() {
            r.set = None;
        }
    }

    /// Switches to scoring only `exercise` (or back to recognising, with `None`), closing the
    /// set under way.
    pub fn set_exercise(&mut self, exercise: Option<&str>) -> Result<(), Error> {
        self.new_set();
        self.force(exercise)
    }

    /// What the person declared for balance exercises (height, eyes closed).
    pub fn set_balance(&mut self, settings: &crate::balance::BalanceSettings) {
        for r in self.runners.iter_mut() {
            r.balance = settings.clone();
        }
    }

    /// Declares from `t` on whether the person's eyes are closed (a routine step says so).
    pub fn declare_eyes(&mut self, t: f64, closed: bool) {
        for r in self.runners.iter_mut() {
            r.balance.declare_eyes(t, closed);
        }
    }

    /// The exercise the user chose, if any.
    pub fn chosen_exercise(&self) -> Option<&str> {
        self.forced.map(|i| self.runners[i].template.id.as_str())
    }

    /// The templates in use.
    pub fn templates(&self) -> impl Iterator<Item = &Template> {
        self.runners.iter().map(|r| &r.template)
    }

    /// Feeds the (smoothed) pose at time `t`; returns what happened.
    pub fn push(&mut self, t: f64, pose: Option<&Pose>) -> &[Event] {
        self.events.clear();
        self.frames += 1;
        self.first_t.get_or_insert(t);
        self.last_t = t;
        let Some(pose) = pose else {
            self.frames_without_person += 1;
            self.no_person.update(
                t,
                Some("No one found: step into the picture, or bring the camera closer if you are far from it.".into()),
            );
            self.partial.update(t, None);
            self.wrong_view.update(t, None);
            for (i, r) in self.runners.iter_mut().enumerate() {
                if watched(self.forced, i, r) {
                    r.outside = false;
                    r.step(t, None, self.active == Some(i), &mut self.events);
                }
            }
            self.warning_events(t);
            self.update_sets(t);
            return &self.events;
        };
        self.no_person.update(t, None);
        let seen = seen_landmarks(pose, self.size.0, self.size.1);
        let near = self.near.update(pose);
        let torso = torso_length(pose, &seen);
        let frame = Frame {
            pose,
            seen,
            behind_twins: behind_twins(pose, self.size.0, self.size.1, &seen, torso),
            placed: placed_landmarks(pose, self.size.0, self.size.1),
            roll: 0.0,
            torso,
            steady_torso: self.steady_torso.update(t, torso),
            near,
        };
        let focus = self
            .active
            .or(self.forced)
            .or_else(|| self.best_candidate());
        let required = focus.map_or(&WHOLE_BODY[..], |i| &self.runners[i].template.required[..]);
        let missing = missing_regions(required, &seen, near);
        self.partial.update(
            t,
            partial_message(
                &missing,
                out_of_frame(required, pose, self.size.0, self.size.1),
            ),
        );
        for (i, r) in self.runners.iter_mut().enumerate() {
            if !watched(self.forced, i, r) {
                continue;
            }
            let parts_seen =
                missing_regions(&r.template.required, &seen, near).is_empty() && torso > 1.0;
            let emit = self.active == Some(i);
            r.outside = out_of_frame(&r.template.required, pose, self.size.0, self.size.1);
            r.step(t, parts_seen.then_some(&frame), emit, &mut self.events);
        }
        let view_problem = focus
            .filter(|&i| !self.runners[i].view_ok)
            .and_then(|i| self.runners[i].template.view.as_ref())
            .map(|v| v.message.clone());
        self.wrong_view.update(t, view_problem);
        self.warning_events(t);
        self.update_sets(t);
        &self.events
    }

    /// Events for warnings that have just come on (what the person should fix).
    fn warning_events(&mut self, t: f64) {
        for w in [&mut self.no_person, &mut self.partial, &mut self.wrong_view] {
            if let Some(message) = w.newly_on() {
                self.events.push(Event {
                    t,
                    kind: EventKind::Warning {
                        code: w.code(),
                        message,
                    },
                });
            }
        }
    }

    /// The runner that most looks like the exercise being set up (not yet on).
    fn best_candidate(&self) -> Option<usize> {
        self.runners
            .iter()
            .enumerate()
            .filter(|(_, r)| r.set.is_some())
            .max_by(|a, b| a.1.recognised.share().total_cmp(&b.1.recognised.share()))
            .map(|(i, _)| i)
    }

    /// Opens, activates, switches and closes sets as recognition changes.
    fn update_sets(&mut self, t: f64) {
        if let Some(f) = self.forced {
            self.runners[f].open_set(t);
            if self.active.is_none() {
                self.activate(f, t);
            }
            return;
        }
        for (i, r) in self.runners.iter_mut().enumerate() {
            if r.vote == Some(true) {
                r.open_set(t);
            }
            let stale = r.set.is_some() && t - r.last_plausible > EXIT_AFTER_S;
            if stale {
                let end = r
                    .last_plausible
                    .max(r.set.as_ref().map_or(t, |s| s.set.start_s));
                let set = r.close_set(end, EndReason::PositionLeft);
                if self.active == Some(i) {
                    self.active = None;
                    self.events.push(Event {
                        t,
                        kind: EventKind::ExerciseEnded {
                            exercise: r.template.id.clone(),
                        },
                    });
                    keep(&mut self.sets, &mut self.uncertain, r, set);
                }
            }
        }
        let best = self
            .runners
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.set.is_some()
                    && r.recognised.share() >= ENTER_SHARE
                    && r.recognised.covered_s() >= 0.8 * super::runner::RECOGNITION_WINDOW_S
            })
            .max_by(|a, b| a.1.recognised.share().total_cmp(&b.1.recognised.share()))
            .map(|(i, _)| i);
        match (self.active, best) {
            (None, Some(b)) => self.activate(b, t),
            (Some(a), Some(b)) if a != b && self.runners[a].recognised.share() < LEAVE_SHARE => {
                let r = &mut self.runners[a];
                let end = r.last_plausible;
                let set = r.close_set(end, EndReason::PositionLeft);
                self.events.push(Event {
                    t,
                    kind: EventKind::ExerciseEnded {
                        exercise: r.template.id.clone(),
                    },
                });
                keep(&mut self.sets, &mut self.uncertain, r, set);
                self.activate(b, t);
            }
            _ => {}
        }
    }

    fn activate(&mut self, i: usize, t: f64) {
        self.active = Some(i);
        // Another exercise's half-built set was a look-alike: drop it.
        for (j, r) in self.runners.iter_mut().enumerate() {
            if j != i {
                r.set = None;
            }
        }
        let r = &self.runners[i];
        self.events.push(Event {
            t,
            kind: EventKind::ExerciseStarted {
                exercise: r.template.id.clone(),
                name: r.template.name.clone(),
            },
        });
        // A hold already under way when the exercise is recognised.
        if r.template.counting == super::template::Counting::Hold
            && let Some(held) = r.machine.hold_elapsed(t)
        {
            self.events.push(Event {
                t,
                kind: EventKind::HoldStarted {
                    start_s: t - held,
                    side: None,
                },
            });
        }
    }

    /// What happened in the last frame.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Where things stand now.
    /// Whether the exercise under way (or the one named) measures balance: its sway is read
    /// from every frame, so the pose model should see every frame.
    pub fn measures_balance(&self) -> bool {
        self.active
            .or(self.forced)
            .is_some_and(|i| self.runners[i].template.balance)
    }

    pub fn status(&self) -> Status {
        let guidance = self
            .no_person
            .active()
            .or_else(|| self.partial.active())
            .or_else(|| self.wrong_view.active())
            .map(String::from);
        let Some(r) = self.active.map(|i| &self.runners[i]) else {
            return Status {
                guidance: guidance.or_else(|| {
                    Some(
                        "Get into the start position of an exercise, side-on to the camera.".into(),
                    )
                }),
                ..Status::default()
            };
        };
        let set = r.set.as_ref().map(|s| &s.set);
        let reps = set.map_or(0, |s| s.rep_list.len() as u32);
        let per_side =
            |side| set.map(|s| s.rep_list.iter().filter(|x| x.side == Some(side)).count() as u32);
        Status {
            exercise: Some((r.template.id.clone(), r.template.name.clone())),
            reps,
            reps_left: r.template.per_side.then(|| per_side(Side::Left)).flatten(),
            reps_right: r.template.per_side.then(|| per_side(Side::Right)).flatten(),
            target_reps: r.template.targets.reps,
            hold_s: r.machine.hold_elapsed(self.last_t),
            target_hold_s: r.template.targets.hold_s,
            phase: Some(r.machine.phase),
            faults: r
                .active_faults()
                .into_iter()
                .map(|(_, m)| m.to_string())
                .collect(),
            guidance,
            attempt: r.attempt_now(),
            sway: r.sway_now(LIVE_SWAY_S),
        }
    }

    /// This frame's signals, for CSV export.
    pub fn frame_signals(&self) -> FrameSignals<'_> {
        let r = &self.runners[self.active.or_else(|| self.best_candidate()).unwrap_or(0)];
        FrameSignals {
            exercise: &r.template.id,
            phase: r.machine.phase,
            faults: r.active_faults().into_iter().map(|(c, _)| c).collect(),
            values: self
                .runners
                .iter()
                .map(|x| x.values.iter().map(|v| v.value).collect())
                .collect(),
        }
    }

    /// Ends the session: open sets, holds and warnings are closed at the last frame.
    pub fn finish(mut self) -> Outcome {
        let t = self.last_t;
        self.new_set();
        let mut warnings = Vec::new();
        for w in [&mut self.no_person, &mut self.partial, &mut self.wrong_view] {
            w.close(t);
            warnings.append(&mut w.done);
        }
        warnings.append(&mut self.uncertain);
        warnings.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        Outcome {
            sets: self.sets,
            warnings,
            frames: self.frames,
            frames_without_person: self.frames_without_person,
            duration_s: self.first_t.map_or(0.0, |f| t - f),
        }
    }
}

/// Whether runner `i` judges this frame: the named exercise only, or, when none was named,
/// every exercise that is recognised automatically.
fn watched(forced: Option<usize>, i: usize, r: &Runner) -> bool {
    forced.map_or(!r.template.named_only, |f| f == i)
}

/// A set with nothing counted and nothing to correct was a look-alike or a set-up; it is not
/// reported. (A plank that sagged throughout never counts a hold but is worth a word.)
fn worth_reporting(set: &ExerciseSet) -> bool {
    !set.rep_list.is_empty() || !set.holds.is_empty() || !set.faults.is_empty()
}

/// Keeps a closed set of runner `r` if it is worth reporting or reps of it may have been missed
/// out of view (they are reported with it); the warnings of a dropped set go with it.
fn keep(
    sets: &mut Vec<ExerciseSet>,
    warnings: &mut Vec<Warning>,
    r: &mut Runner,
    set: Option<ExerciseSet>,
) {
    let uncertain = std::mem::take(&mut r.uncertain);
    if let Some(set) = set.filter(|s| worth_reporting(s) || !uncertain.is_empty()) {
        sets.push(set);
        warnings.extend(uncertain);
    }
}

/// Seconds of torso lengths whose median is the steady torso
/// ([`Scale::Steady`](super::signals::Scale::Steady)): longer than
/// a lean or a turn of the shoulders (a few tenths of a second), shorter than a handheld
/// camera's zoom or walk.
const STEADY_TORSO_S: f64 = 1.0;

/// The torso's median length over the last [`STEADY_TORSO_S`].
#[derive(Default)]
pub(crate) struct SteadyTorso {
    recent: std::collections::VecDeque<(f64, f32)>,
    sorted: Vec<f32>,
}

impl SteadyTorso {
    /// Takes this frame's torso (0 when unmeasured, left out) and gives the median.
    pub(crate) fn update(&mut self, t: f64, torso: f32) -> f32 {
        // Time only goes forward here (a track or video whose time goes back is refused).
        while self
            .recent
            .front()
            .is_some_and(|(at, _)| *at <= t - STEADY_TORSO_S)
        {
            self.recent.pop_front();
        }
        if torso > 1.0 {
            self.recent.push_back((t, torso));
        }
        self.sorted.clear();
        self.sorted.extend(self.recent.iter().map(|(_, l)| *l));
        self.sorted.sort_by(f32::total_cmp);
        self.sorted
            .get(self.sorted.len() / 2)
            .copied()
            .unwrap_or(torso)
    }
}

/// Shoulder-to-hip distance (the larger side's, which foreshortens least).
pub(crate) fn torso_length(pose: &Pose, seen: &[bool; crate::skeleton::JOINT_COUNT]) -> f32 {
    [Side::Left, Side::Right]
        .iter()
        .filter_map(|s| {
            let (a, b) = (Part::Shoulder.joint(*s), Part::Hip.joint(*s));
            (seen[a.index()] && seen[b.index()]).then(|| (pose.pos(a) - pose.pos(b)).length())
        })
        .fold(0.0, f32::max)
}

fn partial_message(missing: &[&str], outside: bool) -> Option<String> {
    if missing.is_empty() {
        return None;
    }
    let what = match missing {
        ["head"] => "Your head is".to_string(),
        [one] => format!("Your {one} are"),
        [init @ .., last] => format!("Your {} and {last} are", init.join(", ")),
        [] => return None,
    };
    Some(if outside {
        format!("{what} out of frame: move back or turn the camera so your whole body is visible.")
    } else {
        format!("{what} hidden: turn side-on to the camera with nothing in front of you.")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_steady_torso_is_the_median_of_the_last_second() {
        let mut steady = SteadyTorso::default();
        // 30 fps: a torso of 100 px jittering by ±3 px, leaning for 0.2 s (80 px) at 1.0 s.
        let mut out = Vec::new();
        for i in 0..60 {
            let t = i as f64 / 30.0;
            let jitter = if i % 2 == 0 { 3.0 } else { -3.0 };
            let torso = if (30..36).contains(&i) {
                80.0
            } else {
                100.0 + jitter
            };
            out.push(steady.update(t, torso));
        }
        // The lean and the jitter do not move it beyond the jitter's size.
        assert!(
            out[10..].iter().all(|l| (l - 100.0).abs() <= 3.0),
            "{out:?}"
        );
        // A frame without a torso (0) keeps the median; a real change of size is followed
        // after half a second, fully within the second.
        assert!((steady.update(2.0, 0.0) - 100.0).abs() <= 3.0);
        let after: Vec<f32> = (1..=30)
            .map(|i| steady.update(2.0 + i as f64 / 30.0, 150.0))
            .collect();
        assert!((after[12] - 100.0).abs() <= 3.0, "{after:?}");
        assert_eq!(after[16], 150.0, "{after:?}");
        assert_eq!(after[29], 150.0);
    }
}
