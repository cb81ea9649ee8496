//! BlazePose's world landmarks measure what the picture foreshortens: a bird-dog filmed 60°
//! from side-on, the raised thigh's elevation is nearer the renderer's exact 3-D truth on the
//! world points than in the picture (docs/geometry-3d.md measures every signal and view).

mod common;

use std::path::Path;
use std::process::Command;

use posecheck_core::eval::geometry::{Measurer, Variant, truth_poses};
use posecheck_core::exercise::template;
use posecheck_core::track::TrackReader;

/// The median error of one signal of the template, measured `variant`, against the truth.
fn median_error(
    tpl: &template::Template,
    signal: &str,
    variant: Variant,
    truth: &[(f64, posecheck_core::pose::Pose)],
    track: &[posecheck_core::track::TrackFrame],
) -> f32 {
    let i = tpl
        .signals
        .iter()
        .position(|s| s.name == signal)
        .expect("signal");
    let mut exact = Measurer::exact(tpl);
    let mut measured = Measurer::new(tpl, variant, (640, 360));
    let mut errors: Vec<f32> = truth
        .iter()
        .zip(track)
        .filter_map(|((t, want), got)| {
            let want = exact.frame(*t, want)[i].value;
            let got = measured.frame(got.t, got.pose.as_ref()?)[i].value;
            Some((got? - want?).abs())
        })
        .collect();
    assert!(errors.len() > 30, "only {} frames measured", errors.len());
    errors.sort_by(f32::total_cmp);
    errors[errors.len() / 2]
}

#[test]
fn the_raised_thigh_seen_at_60_degrees_measures_better_in_3d() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("world-geometry");
    std::fs::create_dir_all(&dir).expect("dir");
    let clip = dir.join("bird_dog-az60.mp4");
    let rendered = Command::new(common::renderer())
        .args(["-e", "bird_dog", "--reps", "1", "--hold", "2"])
        .args(["--camera-azimuth", "60", "--fps", "15"])
        .arg("-o")
        .arg(&clip)
        .output()
        .expect("run posecheck-render");
    assert!(
        rendered.status.success(),
        "{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    let track = dir.join("bird_dog-az60.model.jsonl");
    let report = dir.join("report.json");
    let arg = std::ffi::OsStr::new;
    common::posecheck_ok([
        arg("analyze"),
        clip.as_os_str(),
        arg("--pose-rate"),
        arg("every"),
        arg("--quiet"),
        arg("--keypoints"),
        track.as_os_str(),
        arg("--report"),
        report.as_os_str(),
    ]);
    let gt: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("bird_dog-az60.gt.json")).expect("ground truth"),
    )
    .expect("ground truth JSON");
    let truth = truth_poses(&gt).expect("3-D truth");
    let frames: Vec<_> = TrackReader::open(&track)
        .expect("track")
        .collect::<Result<_, _>>()
        .expect("track frames");
    assert!(
        frames
            .iter()
            .flat_map(|f| &f.pose)
            .all(|p| p.world.is_some()),
        "the track keeps BlazePose's world points"
    );
    let templates = template::load_all(None).expect("templates");
    let bird_dog = templates
        .iter()
        .find(|t| t.id == "bird_dog")
        .expect("bird_dog");
    let flat = median_error(bird_dog, "leg_raise", Variant::Picture, &truth, &frames);
    let deep = median_error(bird_dog, "leg_raise", Variant::World, &truth, &frames);
    assert!(
        deep < flat * 0.75,
        "leg_raise at 60°: 3-D median error {deep:.1}° is not clearly below 2-D {flat:.1}°"
    );
}
