//! Guided routines as data: a TOML file lists steps (exercise, side, a reps or hold target,
//! sets, attempts, rest, an optional harder variant) and how many rounds to do. The routines
//! in `routines/` are built in; `--routines DIR` adds or replaces them. Errors name file:line.
//!
//! [`runner`] walks a routine over the engine's per-frame status.

pub mod cue;
pub mod progression;
pub mod runner;

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::error::Error;
use crate::exercise::Template;
use crate::exercise::template::{
    Ctx, SECONDS, TARGET_REPS, number, read_template_file, snake_case_id,
};
use crate::report::model::Measure;
use crate::skeleton::Side;

/// The built-in routines, compiled in.
pub const BUILTIN: [(&str, &str); 2] = [
    (
        "home_set.toml",
        include_str!("../../../../routines/home_set.toml"),
    ),
    (
        "balance_cycle.toml",
        include_str!("../../../../routines/balance_cycle.toml"),
    ),
];

const ROUNDS: RangeInclusive<u32> = 1..=20;
const SETS: RangeInclusive<u32> = 1..=20;
const ATTEMPTS: RangeInclusive<u32> = 1..=10;

/// Which side a step's target is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepSide {
    /// No sides, or both together.
    Any,
    /// Each side must reach the target.
    Each,
    One(Side),
}

/// What a step asks for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Target {
    pub measure: Measure,
    pub value: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Harder {
    pub name: String,
    pub description: String,
    pub target: Target,
    /// Done with the eyes closed: balance attempts in it are recorded so (the Romberg ratio
    /// compares them with the eyes-open ones).
    pub eyes_closed: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub id: String,
    pub exercise: String,
    pub description: String,
    pub side: StepSide,
    pub target: Target,
    pub sets: u32,
    pub attempts: u32,
    pub rest_s: f64,
    pub harder: Option<Harder>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Routine {
    pub id: String,
    pub name: String,
    pub description: String,
    pub rounds: u32,
    pub steps: Vec<Step>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoutine {
    id: Spanned<String>,
    name: String,
    description: String,
    rounds: Option<Spanned<u32>>,
    steps: Vec<Spanned<RawStep>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    id: Spanned<String>,
    exercise: String,
    description: String,
    reps: Option<Spanned<u32>>,
    hold_s: Option<Spanned<f32>>,
    side: Option<Spanned<String>>,
    sets: Option<Spanned<u32>>,
    attempts: Option<Spanned<u32>>,
    rest_s: Option<Spanned<f32>>,
    harder: Option<Spanned<RawHarder>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHarder {
    name: String,
    description: String,
    reps: Option<Spanned<u32>>,
    hold_s: Option<Spanned<f32>>,
    #[serde(default)]
    eyes_closed: bool,
}

fn count(
    ctx: &Ctx,
    v: &Option<Spanned<u32>>,
    what: &str,
    range: &RangeInclusive<u32>,
) -> Result<u32, Error> {
    v.as_ref().map_or(Ok(*range.start()), |v| {
        number(ctx, v.span(), *v.get_ref(), what, range)
    })
}

/// Exactly one of `reps` and `hold_s`, checked.
fn target(
    ctx: &Ctx,
    span: std::ops::Range<usize>,
    reps: &Option<Spanned<u32>>,
    hold_s: &Option<Spanned<f32>>,
) -> Result<Target, Error> {
    match (reps, hold_s) {
        (Some(r), None) => Ok(Target {
            measure: Measure::Reps,
            value: f64::from(number(ctx, r.span(), *r.get_ref(), "reps", &TARGET_REPS)?),
        }),
        (None, Some(h)) => {
            let hold = number(
                ctx,
                h.span(),
                *h.get_ref(),
                "hold_s",
                &(1.0..=*SECONDS.end()),
            )?;
            Ok(Target {
                measure: Measure::HoldS,
                value: f64::from(hold),
            })
        }
        _ => ctx.err(
            span,
            "a step needs a target: either reps or hold_s (not both)",
        ),
    }
}

fn step(ctx: &Ctx, raw: &Spanned<RawStep>) -> Result<Step, Error> {
    let span = raw.span();
    let raw = raw.get_ref();
    let side = match raw.side.as_ref() {
        None => StepSide::Any,
        Some(s) => match s.get_ref().as_str() {
            "each" => StepSide::Each,
            "left" => StepSide::One(Side::Left),
            "right" => StepSide::One(Side::Right),
            other => {
                return ctx.err(
                    s.span(),
                    format!("side '{other}' is not one of: each, left, right"),
                );
            }
        },
    };
    let harder = raw
        .harder
        .as_ref()
        .map(|h| {
            let (span, h) = (h.span(), h.get_ref());
            Ok(Harder {
                name: h.name.clone(),
                description: h.description.clone(),
                target: target(ctx, span, &h.reps, &h.hold_s)?,
                eyes_closed: h.eyes_closed,
            })
        })
        .transpose()?;
    Ok(Step {
        id: snake_case_id(ctx, &raw.id)?,
        exercise: raw.exercise.clone(),
        description: raw.description.clone(),
        side,
        target: target(ctx, span, &raw.reps, &raw.hold_s)?,
        sets: count(ctx, &raw.sets, "sets", &SETS)?,
        attempts: count(ctx, &raw.attempts, "attempts", &ATTEMPTS)?,
        rest_s: raw.rest_s.as_ref().map_or(Ok(0.0), |r| {
            number(ctx, r.span(), *r.get_ref(), "rest_s", &SECONDS).map(f64::from)
        })?,
        harder,
    })
}

/// Parses a routine file; `path` names it in errors.
pub fn parse(path: &Path, text: &str) -> Result<Routine, Error> {
    let ctx = Ctx { path, text };
    let raw: RawRoutine = ctx.toml()?;
    let steps = raw
        .steps
        .iter()
        .map(|s| step(&ctx, s))
        .collect::<Result<Vec<_>, _>>()?;
    if steps.is_empty() {
        return ctx.err(0..0, "a routine needs at least one [[steps]]");
    }
    let mut seen = BTreeMap::new();
    for (s, raw) in steps.iter().zip(&raw.steps) {
        if seen.insert(s.id.clone(), ()).is_some() {
            return ctx.err(
                raw.get_ref().id.span(),
                format!("step id '{}' is used twice; each step needs its own", s.id),
            );
        }
    }
    Ok(Routine {
        id: snake_case_id(&ctx, &raw.id)?,
        name: raw.name,
        description: raw.description,
        rounds: count(&ctx, &raw.rounds, "rounds", &ROUNDS)?,
        steps,
    })
}

/// The built-in routines plus the `*.toml` files of `extra_dir` (replacing built-ins with the
/// same id).
pub fn load_all(extra_dir: Option<&Path>) -> Result<Vec<Routine>, Error> {
    let mut all: Vec<Routine> = BUILTIN
        .iter()
        .map(|(name, text)| parse(&Path::new("routines").join(name), text))
        .collect::<Result<_, _>>()?;
    let Some(dir) = extra_dir else {
        return Ok(all);
    };
    if !dir.is_dir() {
        return Err(Error::input(
            dir,
            "is not a directory (--routines takes a directory of *.toml files)",
        ));
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    for f in files {
        let r = parse(&f, &read_template_file(&f)?)?;
        all.retain(|x| x.id != r.id);
        all.push(r);
    }
    Ok(all)
}

impl Step {
    /// The one side the target is for, if it is for one.
    pub fn one_side(&self) -> Option<Side> {
        match self.side {
            StepSide::One(side) => Some(side),
            _ => None,
        }
    }
}

impl Routine {
    /// Checks that every step's exercise is a known template, and returns them by step.
    pub fn templates<'a>(&self, templates: &'a [Template]) -> Result<Vec<&'a Template>, Error> {
        self.steps
            .iter()
            .map(|s| {
                templates.iter().find(|t| t.id == s.exercise).ok_or_else(|| {
                    let known: Vec<&str> = templates.iter().map(|t| t.id.as_str()).collect();
                    Error::Invalid(format!(
                        "routine '{}', step '{}': exercise '{}' is not a known template (known: {}; add it with --templates)",
                        self.id,
                        s.id,
                        s.exercise,
                        known.join(", ")
                    ))
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_routines_parse_as_the_routine_prescribes() {
        let all = load_all(None).unwrap();
        let home = all.iter().find(|r| r.id == "home_set").unwrap();
        let bridge = &home.steps[0];
        assert_eq!(
            bridge.target,
            Target {
                measure: Measure::Reps,
                value: 15.0
            }
        );
        assert!(bridge.harder.is_some());
        let plank = home
            .steps
            .iter()
            .find(|s| s.id == "side_plank_left")
            .unwrap();
        assert_eq!(plank.target.value, 30.0);
        assert_eq!(plank.side, StepSide::One(Side::Left));
        let balance = all.iter().find(|r| r.id == "balance_cycle").unwrap();
        assert_eq!(balance.rounds, 4);
        let (stands, moves): (Vec<_>, Vec<_>) = balance
            .steps
            .iter()
            .partition(|s| !["turning", "head_turns"].contains(&s.exercise.as_str()));
        assert_eq!(stands.len(), 4);
        assert!(stands.iter().all(|s| s.attempts == 3 && s.harder.is_some()));
        let reps: Vec<f64> = moves.iter().map(|s| s.target.value).collect();
        assert_eq!(reps, [12.0, 3.0]);
    }

    #[test]
    fn errors_name_the_line() {
        let bad = "id = \"x\"\nname = \"X\"\ndescription = \"d\"\n\n[[steps]]\nid = \"a\"\nexercise = \"plank\"\ndescription = \"d\"\nhold_s = 99999\n";
        let e = parse(Path::new("r.toml"), bad).unwrap_err().to_string();
        assert!(e.starts_with("r.toml:9:"), "{e}");
        let both = bad.replace("hold_s = 99999", "hold_s = 3\nreps = 4");
        let e = parse(Path::new("r.toml"), &both).unwrap_err().to_string();
        assert!(e.contains("either reps or hold_s"), "{e}");
        let side = bad.replace("hold_s = 99999", "hold_s = 3\nside = \"up\"");
        let e = parse(Path::new("r.toml"), &side).unwrap_err().to_string();
        assert!(
            e.starts_with("r.toml:10:") && e.contains("each, left, right"),
            "{e}"
        );
    }
}
