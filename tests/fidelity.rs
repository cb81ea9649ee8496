//! The Rust BlazePose pipeline matches the numpy reference on the 23 real photos.

mod common;

use std::collections::BTreeMap;

use posecheck::source::MediaSource;
use posecheck_core::geometry::Vec2;
use posecheck_core::skeleton::{Joint, Skeleton};
use posecheck_pose::{self as pose, ModelConfig, ModelKind};

/// Reference names ("l_eye_in", "mouth_l") → canonical joints.
fn reference_joint(name: &str) -> Option<Joint> {
    let long = match name {
        "mouth_l" => "mouth_left".to_string(),
        "mouth_r" => "mouth_right".to_string(),
        _ => {
            let sided = if let Some(rest) = name.strip_prefix("l_") {
                format!("left_{rest}")
            } else if let Some(rest) = name.strip_prefix("r_") {
                format!("right_{rest}")
            } else {
                name.to_string()
            };
            match sided.rsplit_once('_') {
                Some((head, "in")) => format!("{head}_inner"),
                Some((head, "out")) => format!("{head}_outer"),
                _ => sided,
            }
        }
    };
    Joint::from_name(&long)
}

/// Shoulders, elbows, wrists, hips, knees and ankles: COCO-17 without the face.
fn checked() -> &'static [Joint] {
    &Skeleton::Coco17.joints()[5..]
}

#[test]
fn blazepose_full_matches_the_numpy_reference_within_2_percent_of_torso() {
    let Some(shared) = common::shared("blazepose reference fidelity") else {
        return;
    };
    let refdir = shared.join("models/reference");
    let text = std::fs::read_to_string(
        refdir.join("keypoints_lightning_thunder_bp_lite_bp_full_bp_heavy.json"),
    )
    .expect("reference keypoints");
    let all: serde_json::Value = serde_json::from_str(&text).expect("reference json");
    let full = all["bp_full"].as_object().expect("bp_full entries");
    pose::runtime::init(None).expect("ONNX Runtime");
    let mut model = pose::load(&ModelConfig {
        kind: ModelKind::BlazeposeFull,
        models_dir: common::models_dir(),
        threads: 0,
    })
    .expect("model");
    model.set_still_images(true);
    let mut worst: BTreeMap<String, f32> = BTreeMap::new();
    for (name, entry) in full {
        let kps = entry["kps"].as_object().expect("kps");
        let reference: BTreeMap<Joint, Vec2> = kps
            .iter()
            .filter_map(|(k, v)| {
                let j = reference_joint(k)?;
                Some((j, Vec2::new(v[0].as_f64()? as f32, v[1].as_f64()? as f32)))
            })
            .collect();
        assert_eq!(
            reference.len(),
            33,
            "{name}: reference names not understood"
        );
        let mut src = MediaSource::open_file(&refdir.join("images").join(format!("{name}.jpg")))
            .expect("image");
        let frame = src.next_frame().expect("frame");
        let view = posecheck::source::image_view(&frame.image).expect("8-bit BGR frame");
        let found = model.estimate(&view).expect("inference");
        let pose = found
            .pose
            .unwrap_or_else(|| panic!("{name}: no person found"));
        let mid = |a: Joint, b: Joint| reference[&a].midpoint(reference[&b]);
        let torso = (mid(Joint::LeftShoulder, Joint::RightShoulder)
            - mid(Joint::LeftHip, Joint::RightHip))
        .length();
        let err = checked()
            .iter()
            .map(|j| (pose.pos(*j) - reference[j]).length() / torso)
            .fold(0.0f32, f32::max);
        worst.insert(name.clone(), err);
    }
    eprintln!("max error per photo (torso lengths): {worst:?}");
    assert_eq!(worst.len(), 23);
    for (name, err) in &worst {
        assert!(
            *err < 0.02,
            "{name}: max joint error {err:.4} torso lengths"
        );
    }
}
