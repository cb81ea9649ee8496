//! Degraded footage still gives a report with warnings: a video that breaks off, nobody in
//! view for a while, a bystander, the body partly out of frame, a dark or a small person.
//! The inputs are made from the bundled samples by editing their frames.

mod common;

use std::path::{Path, PathBuf};

use opencv::core::{Mat, Rect, Scalar, Size, Vector};
use opencv::prelude::*;
use opencv::{core, imgproc};
use posecheck_core::report::model::{Ended, Report, Warning, WarningCode};
use posecheck_core::track::TrackReader;

use common::video;

fn sample(name: &str) -> PathBuf {
    common::repo().join("samples").join(name)
}

fn frames_of(path: &Path) -> Vec<Mat> {
    video::frames(path, 0, usize::MAX)
}

fn black_like(m: &Mat) -> Mat {
    Mat::new_size_with_default(m.size().unwrap(), m.typ(), Scalar::all(0.0)).unwrap()
}

struct Analysed {
    report: Report,
    track: PathBuf,
    _dir: tempfile::TempDir,
}

fn analyze(frames: &[Mat], truncate_to: Option<f64>) -> Analysed {
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("input.avi");
    video::write_avi(&video, frames);
    if let Some(fraction) = truncate_to {
        let bytes = std::fs::read(&video).unwrap();
        std::fs::write(&video, &bytes[..(bytes.len() as f64 * fraction) as usize]).unwrap();
    }
    let report = dir.path().join("r.json");
    let track = dir.path().join("t.jsonl");
    common::posecheck_ok([
        "analyze",
        video.to_str().unwrap(),
        "--quiet",
        "--report",
        report.to_str().unwrap(),
        "--keypoints",
        track.to_str().unwrap(),
    ]);
    let report = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    Analysed {
        report,
        track,
        _dir: dir,
    }
}

fn reps(r: &Report, exercise: &str) -> u32 {
    r.exercises
        .iter()
        .filter(|s| s.exercise == exercise)
        .map(|s| s.reps)
        .sum()
}

fn warning(r: &Report, code: WarningCode) -> Option<&Warning> {
    r.warnings.iter().find(|w| w.code == code)
}

#[test]
fn a_video_that_breaks_off_is_analysed_up_to_the_break() {
    let frames = frames_of(&sample("glute_bridge.mp4"));
    let a = analyze(&frames, Some(0.6));
    let r = &a.report;
    assert_eq!(r.ended, Ended::InputBroken);
    assert!(
        warning(r, WarningCode::InputBroken).is_some(),
        "{:?}",
        r.warnings
    );
    let n = frames.len() as u64;
    assert!(
        r.source.frames > n / 3 && r.source.frames < n,
        "{} of {n} frames",
        r.source.frames
    );
    // Reps before the break are kept (the bridge tops out every 4 s).
    assert!(reps(r, "glute_bridge") >= 2, "{:?}", r.exercises);
}

#[test]
fn nobody_in_view_for_a_while_is_a_warning_and_the_count_goes_on() {
    let mut frames = frames_of(&sample("glute_bridge.mp4"));
    // Two seconds without the person, between the first and second rep.
    let gap = 120..180;
    for f in &mut frames[gap.clone()] {
        *f = black_like(f);
    }
    let r = analyze(&frames, None).report;
    let w = warning(&r, WarningCode::NoPerson).expect("no-person warning");
    assert!(
        (w.start_s - 4.0).abs() < 0.6 && (w.end_s - 6.0).abs() < 0.6,
        "{w:?}"
    );
    assert!(r.frames_without_person >= 50, "{}", r.frames_without_person);
    assert!(
        reps(&r, "glute_bridge") >= 4,
        "the reps away from the gap: {:?}",
        r.exercises
    );
}

#[test]
fn a_bystander_appearing_does_not_take_over_the_track() {
    let person = frames_of(&sample("bird_dog.mp4"));
    let bystander = frames_of(&sample("plank.mp4"));
    // The exerciser on the left; the bystander walks into the right half after 3 s.
    let frames: Vec<Mat> = person
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let right = if i >= 90 {
                &bystander[(i - 90) % bystander.len()]
            } else {
                &black_like(p)
            };
            let mut both = Mat::default();
            let pair: Vector<Mat> = [p.clone(), right.clone()].into_iter().collect();
            core::hconcat(&pair, &mut both).unwrap();
            both
        })
        .collect();
    let width = frames[0].cols() as f32;
    let a = analyze(&frames, None);
    let on_right = TrackReader::open(&a.track)
        .unwrap()
        .filter_map(|f| f.unwrap().pose)
        .filter(|p| p.pos(posecheck_core::skeleton::Joint::LeftHip).x > width / 2.0)
        .count();
    assert_eq!(on_right, 0, "the track jumped to the bystander");
    assert_eq!(reps(&a.report, "bird_dog"), 4, "{:?}", a.report.exercises);
}

#[test]
fn feet_out_of_frame_are_named() {
    let frames: Vec<Mat> = frames_of(&sample("plank.mp4"))
        .iter()
        .map(|f| {
            // Cut the right side away, where the feet are, and pad back to the size.
            let keep = Mat::roi(f, Rect::new(0, 0, f.cols() * 55 / 100, f.rows()))
                .unwrap()
                .try_clone()
                .unwrap();
            let mut out = Mat::default();
            core::copy_make_border(
                &keep,
                &mut out,
                0,
                0,
                0,
                f.cols() - keep.cols(),
                core::BORDER_CONSTANT,
                Scalar::all(255.0),
            )
            .unwrap();
            out
        })
        .collect();
    let r = analyze(&frames, None).report;
    let w = warning(&r, WarningCode::PartialBody).expect("partial-body warning");
    assert!(w.message.contains("feet"), "{}", w.message);
    assert!(
        r.exercises.iter().all(|s| s.holds.is_empty()),
        "no hold without the feet: {:?}",
        r.exercises
    );
}

#[test]
fn a_dark_or_small_person_is_still_counted() {
    let frames = frames_of(&sample("superman.mp4"));
    let dark: Vec<Mat> = frames
        .iter()
        .map(|f| {
            let mut out = Mat::default();
            f.convert_to(&mut out, -1, 0.3, 0.0).unwrap();
            out
        })
        .collect();
    let r = analyze(&dark, None).report;
    assert_eq!(reps(&r, "superman"), 3, "dark: {:?}", r.exercises);
    let small: Vec<Mat> = frames
        .iter()
        .map(|f| {
            let mut scaled = Mat::default();
            let size = Size::new(f.cols() * 45 / 100, f.rows() * 45 / 100);
            imgproc::resize(f, &mut scaled, size, 0.0, 0.0, imgproc::INTER_AREA).unwrap();
            let mut out = Mat::default();
            let (dx, dy) = (f.cols() - size.width, f.rows() - size.height);
            core::copy_make_border(
                &scaled,
                &mut out,
                dy / 2,
                dy - dy / 2,
                dx / 2,
                dx - dx / 2,
                core::BORDER_REPLICATE,
                Scalar::all(0.0),
            )
            .unwrap();
            out
        })
        .collect();
    // A person this small (a fifth of the picture's width) is hard to find at all: the
    // detector may need a while. What is counted is right, and what is missed is said.
    let r = analyze(&small, None).report;
    let counted = reps(&r, "superman");
    assert!(
        counted == 3 || (counted >= 2 && warning(&r, WarningCode::NoPerson).is_some()),
        "small: {counted} reps, warnings {:?}",
        r.warnings
    );
}
