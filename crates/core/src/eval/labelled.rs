//! Labelled keypoint frames (CSV, MediaPipe layout): each row is one still frame of an
//! exercise with a label for its form. Each row is replayed as a short constant track with the
//! exercise's template, and the faults of the result are compared with the label.
//!
//! Plank rows: `C` correct, `H` lower back too high, `L` lower back too low (sagging).

use std::path::Path;

use serde::Serialize;

use crate::error::Error;
use crate::exercise::{Engine, Template};
use crate::pose::{Keypoint, Pose};
use crate::report::model::Severity;
use crate::skeleton::Joint;

/// Labels and the fault code each stands for (`None` = correct form).
const PLANK_LABELS: [(&str, Option<&str>); 3] = [
    ("C", None),
    ("H", Some("back_too_high")),
    ("L", Some("back_sagging")),
];
/// The CSVs hold coordinates as fractions of the picture; the source frames were 16:9.
const WIDTH: f32 = 1280.0;
const HEIGHT: f32 = 720.0;
/// Seconds each still is replayed for (longer than any fault's minimum duration).
const REPLAY_S: f64 = 2.0;
const FPS: f64 = 30.0;

#[derive(Clone, Debug, Serialize)]
pub struct LabelledResult {
    pub file: String,
    pub rows: usize,
    pub correct: usize,
    /// Any fault call, advice (`info`) included, counts as the predicted label.
    pub accuracy: f64,
    /// Rows: true label; columns: predicted label, in `labels` order.
    pub labels: Vec<String>,
    pub confusion: Vec<Vec<usize>>,
    /// Only calls of severity warning or worse count (advice alone reads as correct form):
    /// what the clip scores judge.
    pub correct_warning: usize,
    pub accuracy_warning: f64,
    pub confusion_warning: Vec<Vec<usize>>,
}

fn parse_row(
    path: &Path,
    line: usize,
    header: &[String],
    cells: &[&str],
) -> Result<(String, Pose), Error> {
    if cells.len() != header.len() {
        return Err(Error::parse(
            path,
            line,
            format!("{} cells, the header has {}", cells.len(), header.len()),
        ));
    }
    let mut pose = Pose::default();
    // Files may hold a subset of the landmarks; the others stay unseen.
    for joint in Joint::ALL {
        let column = |suffix: &str| {
            let name = format!("{}_{suffix}", joint.name());
            header.iter().position(|h| *h == name).map(|i| (i, name))
        };
        if column("x").is_none() {
            continue;
        }
        let mut v = [0f32; 4];
        for (k, suffix) in ["x", "y", "z", "v"].iter().enumerate() {
            let (i, name) = column(suffix).ok_or_else(|| {
                Error::parse(path, 1, format!("no column {}_{suffix}", joint.name()))
            })?;
            v[k] = cells[i].trim().parse().map_err(|_| {
                Error::parse(
                    path,
                    line,
                    format!("{name} = '{}' is not a number", cells[i]),
                )
            })?;
        }
        pose.keypoints[joint.index()] = Keypoint {
            x: v[0] * WIDTH,
            y: v[1] * HEIGHT,
            z: v[2] * WIDTH,
            visibility: v[3].clamp(0.0, 1.0),
        };
    }
    Ok((cells[0].trim().to_string(), pose))
}

/// The labels the engine gives a still: the fault that lasted longest, or correct; of any
/// severity, and of severity warning or worse.
fn judge(template: &Template, pose: &Pose) -> Result<[Option<String>; 2], Error> {
    let mut engine = Engine::new(
        vec![template.clone()],
        Some(&template.id),
        (WIDTH as u32, HEIGHT as u32),
    )?;
    let frames = (REPLAY_S * FPS) as usize;
    for i in 0..frames {
        engine.push(i as f64 / FPS, Some(pose));
    }
    let outcome = engine.finish();
    let longest = |warning_only: bool| {
        outcome
            .sets
            .iter()
            .flat_map(|s| s.faults.iter())
            .filter(|f| !warning_only || f.severity != Severity::Info)
            .max_by(|a, b| (a.end_s - a.start_s).total_cmp(&(b.end_s - b.start_s)))
            .map(|f| f.code.clone())
    };
    Ok([longest(false), longest(true)])
}

/// Scores a plank CSV.
pub fn evaluate_plank_csv(path: &Path, plank: &Template) -> Result<LabelledResult, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .ok_or_else(|| Error::input(path, "empty CSV"))?
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    let n = PLANK_LABELS.len();
    let mut confusion = vec![vec![0usize; n]; n];
    let mut confusion_warning = vec![vec![0usize; n]; n];
    for (i, line) in lines.enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split(',').collect();
        let (label, pose) = parse_row(path, i + 2, &header, &cells)?;
        let truth = PLANK_LABELS
            .iter()
            .position(|(l, _)| *l == label)
            .ok_or_else(|| {
                Error::parse(path, i + 2, format!("unknown label '{label}' (C, H, L)"))
            })?;
        let [any, warning] = judge(plank, &pose)?;
        let predicted = |fault: Option<String>| {
            PLANK_LABELS
                .iter()
                .position(|(_, code)| code.map(String::from) == fault)
                .unwrap_or(0)
        };
        confusion[truth][predicted(any)] += 1;
        confusion_warning[truth][predicted(warning)] += 1;
    }
    let rows: usize = confusion.iter().flatten().sum();
    let correct: usize = (0..n).map(|i| confusion[i][i]).sum();
    let correct_warning: usize = (0..n).map(|i| confusion_warning[i][i]).sum();
    let share = |k: usize| {
        if rows > 0 {
            k as f64 / rows as f64
        } else {
            0.0
        }
    };
    Ok(LabelledResult {
        file: path.display().to_string(),
        rows,
        correct,
        accuracy: share(correct),
        labels: PLANK_LABELS.iter().map(|(l, _)| l.to_string()).collect(),
        confusion,
        correct_warning,
        accuracy_warning: share(correct_warning),
        confusion_warning,
    })
}
