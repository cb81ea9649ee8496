//! Sway of known amplitude on synthetic keypoints: a side-view single-leg stance swaying as an
//! inverted pendulum, through the whole engine (smoothing, recognition, attempts), against the
//! centre of mass computed on the same body without keypoint noise. This checks the
//! computation and the smoothing, not the pose model (that needs rendered video).

mod common;

use common::synth::{self, Camera};
use posecheck_core::balance::SETTLE_S;
use posecheck_core::balance::com::{body_height_px, centre_of_mass};
use posecheck_core::report::model::{HoldEnd, SwayAxis};
use posecheck_core::skeleton::{JOINT_COUNT, Joint};

/// Seconds: both feet down, the knee coming up, the stand, the foot coming down, standing.
const DOWN_S: f64 = 1.0;
const RAISE_S: f64 = 0.5;
const STAND_S: f64 = 20.0;

fn raise_at(t: f64) -> f32 {
    let up = synth::ease(((t - DOWN_S) / RAISE_S) as f32);
    let down = synth::ease(((t - DOWN_S - RAISE_S - STAND_S) / RAISE_S) as f32);
    up - down
}

/// The body leaning by `amplitude_m` of centre-of-mass travel at `hz`, during the stand.
fn lean_at(t: f64, amplitude_m: f32, hz: f64) -> f32 {
    // The centre of mass stands about 0.6 m above the ankle of this figure.
    let standing = t > DOWN_S + RAISE_S && t < DOWN_S + RAISE_S + STAND_S;
    if !standing {
        return 0.0;
    }
    (amplitude_m / 0.6) * (std::f64::consts::TAU * hz * t).sin() as f32
}

/// (measured RMS, true RMS), body heights, over the stand's attempt.
fn sway(amplitude_m: f32, hz: f64, noise_px: f32) -> (f64, f64) {
    // 720p with a 60-degree vertical field of view at 3 m: 208 px per metre, so a 1.7 m body
    // is 350 px tall and a centimetre of sway is 2 px.
    let camera = Camera {
        px_per_m: 208.0,
        origin: synth::Vec2::new(640.0, 650.0),
        noise_px,
        seed: 7,
        ..Camera::default()
    };
    let duration = DOWN_S + 2.0 * RAISE_S + STAND_S + 1.0;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stand.jsonl");
    let body = move |t: f64| synth::single_leg_stance(raise_at(t), lean_at(t, amplitude_m, hz));
    synth::write_track(&path, &camera, duration, body);
    let outcome = common::score(&path, None);
    let holds: Vec<_> = outcome
        .sets
        .iter()
        .filter(|s| s.exercise == "single_leg_stance")
        .flat_map(|s| s.holds.iter())
        .collect();
    let [hold] = &holds[..] else {
        panic!("one attempt: {holds:?}; warnings {:?}", outcome.warnings);
    };
    assert_eq!(hold.ended_by, HoldEnd::TouchDown);
    assert!((hold.duration_s - STAND_S).abs() < 1.0, "{hold:?}");
    let measured = hold.sway.as_ref().expect("sway");
    assert_eq!(measured.axis, SwayAxis::FrontToBack);
    // The truth: the same centre of mass over the same foot, without noise, over the part of the
    // attempt that is measured (after it settles).
    let exact = Camera {
        noise_px: 0.0,
        ..camera
    };
    let mut rng = synth::Rng::new(0);
    let seen = [true; JOINT_COUNT];
    let mut xs = Vec::new();
    let mut t = hold.start_s + SETTLE_S;
    while t <= hold.end_s {
        let pose = exact.shoot(&body(t), &mut rng).unwrap();
        let c = centre_of_mass(&pose, &seen).unwrap();
        let h = body_height_px(&pose, &seen).unwrap();
        xs.push(((c.x - pose.pos(Joint::LeftAnkle).x) / h) as f64);
        t += 1.0 / 30.0;
    }
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    let truth = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64).sqrt();
    (measured.rms, truth)
}

#[test]
fn sway_of_one_to_five_centimetres_is_measured_within_fifteen_percent() {
    // Keypoint noise 1.5 px (each landmark, each frame); sway at 0.3 and 0.8 Hz.
    for (cm, hz) in [(1.0, 0.3), (2.0, 0.8), (5.0, 0.3)] {
        let (measured, truth) = sway(cm / 100.0, hz, 1.5);
        let error = (measured - truth).abs() / truth;
        eprintln!(
            "sway {cm} cm at {hz} Hz: RMS {measured:.5} vs {truth:.5} body heights, error {:.1} %",
            error * 100.0
        );
        assert!(error < 0.15, "{cm} cm: {measured} vs {truth}");
    }
}

#[test]
fn standing_still_reads_as_the_noise_floor_only() {
    let (still, truth) = sway(0.0, 0.3, 1.5);
    let (one_cm, _) = sway(0.01, 0.3, 1.5);
    eprintln!("still: RMS {still:.5} body heights (truth {truth:.5}); 1 cm: {one_cm:.5}");
    // Standing still, the centre of mass moves only as the knee comes up and down at the
    // attempt's ends.
    assert!(truth < 0.001, "{truth}");
    // The noise floor is well below the sway of a centimetre.
    assert!(still < one_cm / 3.0, "still {still} vs 1 cm {one_cm}");
}
