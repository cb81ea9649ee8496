//! Template signals measured three ways and set against the renderer's exact 3-D joints: in
//! the picture (as posecheck measured every signal before world points were kept), on the
//! model's world points, and on the world points with the two sides mixed by how visible they
//! are. `examples/geometry_study.rs` prints the comparison (`docs/geometry-3d.md`).

use crate::exercise::engine::SteadyTorso;
use crate::exercise::floor::FloorEstimate;
use crate::exercise::quality::{NearSide, behind_twins, placed_landmarks, seen_landmarks};
use crate::exercise::signals::{Frame, Measure, SideRule, SignalState, SignalValue, Space};
use crate::exercise::template::Template;
use crate::filter::{OneEuroConfig, PoseFilter};
use crate::geometry::Vec3;
use crate::pose::{Keypoint, Pose};
use crate::skeleton::{JOINT_COUNT, Joint};

/// How a signal is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Variant {
    /// The picture's keypoints (whatever space the template names), each signal's side as
    /// its template says.
    Picture,
    /// The model's world points, the same sides.
    World,
    /// The world points; a signal taken from the side facing the camera (or a fixed side)
    /// mixes both sides by their visibility instead.
    Weighted,
}

impl Variant {
    pub const ALL: [Variant; 3] = [Variant::Picture, Variant::World, Variant::Weighted];

    pub fn name(self) -> &'static str {
        match self {
            Variant::Picture => "2-D",
            Variant::World => "3-D",
            Variant::Weighted => "3-D weighted",
        }
    }
}

/// Whether a template signal is compared: measured on body points, and not one of the view
/// cues (`span`, `stack`: their picture value is meant to change with the view) or a height
/// in the picture (`level`: only comparisons within a frame mean anything).
pub fn compared(measure: &Measure) -> bool {
    measure.points_at_joints()
        && !matches!(
            measure,
            Measure::Span(_) | Measure::Stack(_) | Measure::Level(_)
        )
}

/// Whether [`Variant::Weighted`] measures a signal differently from [`Variant::World`]: only
/// signals taken from one side (the one facing the camera, or a fixed one) are mixed.
pub fn weighs_sides(rule: &SideRule) -> bool {
    matches!(
        rule,
        SideRule::Visible | SideRule::Fixed(_) | SideRule::Weighted
    )
}

/// A template's signals frame by frame, as the engine computes them (smoothing, the floor's
/// roll, the side facing the camera), in one variant.
pub struct Measurer {
    template: Template,
    state: SignalState,
    floor: FloorEstimate,
    near: NearSide,
    steady_torso: SteadyTorso,
    filter: Option<PoseFilter>,
    size: (f32, f32),
    /// Exact joints: every one is seen, the camera is level.
    exact: bool,
    values: Vec<SignalValue>,
}

impl Measurer {
    /// The model's poses in a `width`×`height` picture, measured in `variant`.
    pub fn new(template: &Template, variant: Variant, (width, height): (u32, u32)) -> Measurer {
        let mut template = template.clone();
        for spec in &mut template.signals {
            spec.space = match variant {
                Variant::Picture => Space::Picture,
                Variant::World | Variant::Weighted => Space::World,
            };
            // The template may already weigh the sides: the other variants then take the
            // side facing the camera, as the signal did before weighing existed.
            spec.side = match (variant, &spec.side) {
                (Variant::Weighted, rule) if weighs_sides(rule) => SideRule::Weighted,
                (Variant::Picture | Variant::World, SideRule::Weighted) => SideRule::Visible,
                (_, rule) => rule.clone(),
            };
        }
        Measurer {
            floor: FloorEstimate::new(template.floor),
            template,
            state: SignalState::default(),
            near: NearSide::default(),
            steady_torso: SteadyTorso::default(),
            filter: Some(PoseFilter::new(OneEuroConfig::default())),
            size: (width as f32, height as f32),
            exact: false,
            values: Vec::new(),
        }
    }

    /// The truth: exact world points in axes whose y is the true vertical ([`truth_poses`]),
    /// every joint seen, no smoothing.
    pub fn exact(template: &Template) -> Measurer {
        Measurer {
            filter: None,
            exact: true,
            ..Measurer::new(template, Variant::World, (1, 1))
        }
    }

    /// The template's signals at time `t` (in the template's order); `None` values where the
    /// joints were not seen.
    pub fn frame(&mut self, t: f64, pose: &Pose) -> &[SignalValue] {
        let mut pose = pose.clone();
        if let Some(f) = self.filter.as_mut() {
            f.apply(t, &mut pose);
        }
        let seen = if self.exact {
            [true; JOINT_COUNT]
        } else {
            seen_landmarks(&pose, self.size.0, self.size.1)
        };
        let torso = crate::exercise::engine::torso_length(&pose, &seen);
        let frame = Frame {
            pose: &pose,
            seen,
            behind_twins: behind_twins(&pose, self.size.0, self.size.1, &seen, torso),
            placed: placed_landmarks(&pose, self.size.0, self.size.1),
            roll: 0.0,
            torso,
            steady_torso: self.steady_torso.update(t, torso),
            near: self.near.update(&pose),
        };
        let frame = Frame {
            roll: if self.exact {
                0.0
            } else {
                self.floor.update(t, &frame, true)
            },
            ..frame
        };
        let tpl = &self.template;
        self.state
            .evaluate(&tpl.signals, &tpl.order, &frame, t, &mut self.values);
        &self.values
    }
}

/// The renderer's ground truth (`.gt.json`) as poses, one per frame with its time: the
/// picture's joints (visibility 1 where seen, 0.5 where hidden) and the exact 3-D joints
/// turned so that y is the true vertical (down) — the renderer's world points are in the
/// camera's axes, tilted with the camera — x still to the right of the picture, z level and
/// away from the camera.
pub fn truth_poses(gt: &serde_json::Value) -> Result<Vec<(f64, Pose)>, String> {
    let vec = |v: &serde_json::Value, what: &str| -> Result<Vec3, String> {
        let c = |k: usize| {
            v[k].as_f64()
                .map(|x| x as f32)
                .ok_or(format!("camera {what} is not three numbers"))
        };
        Ok(Vec3::new(c(0)?, c(1)?, c(2)?))
    };
    let camera = &gt["camera"];
    let (pos, target) = (
        vec(&camera["position"], "position")?,
        vec(&camera["target"], "target")?,
    );
    let unit = |v: Vec3| v * (1.0 / v.length());
    let fwd = unit(target - pos);
    // As the renderer aims its camera (world y up): right = fwd × y, up = right × fwd.
    let right = unit(Vec3::new(-fwd.z, 0.0, fwd.x));
    let up = Vec3::new(
        right.y * fwd.z - right.z * fwd.y,
        right.z * fwd.x - right.x * fwd.z,
        right.x * fwd.y - right.y * fwd.x,
    );
    let level = unit(Vec3::new(fwd.x, 0.0, fwd.z));
    let frames = gt["frames"].as_array().ok_or("no frames")?;
    frames
        .iter()
        .map(|f| {
            let t = f["t"].as_f64().ok_or("a frame without t")?;
            let mut pose = Pose::default();
            let mut world = [[0.0; 3]; JOINT_COUNT];
            for j in Joint::ALL {
                let name = j.name();
                let num = |v: &serde_json::Value| v.as_f64().map(|x| x as f32);
                let px = &f["joints"][name];
                let w = &f["world"][name];
                let (Some(x), Some(y)) = (num(&px[0]), num(&px[1])) else {
                    return Err(format!("frame at {t} s has no joint {name}"));
                };
                let (Some(wx), Some(wy), Some(wz)) = (num(&w[0]), num(&w[1]), num(&w[2])) else {
                    return Err(format!(
                        "frame at {t} s has no 3-D joint {name} (rendered before they were written?)"
                    ));
                };
                let visible = f["visible"][name].as_bool().unwrap_or(false);
                pose.keypoints[j.index()] = Keypoint {
                    x,
                    y,
                    z: 0.0,
                    visibility: if visible { 1.0 } else { 0.5 },
                };
                let d = right * wx - up * wy + fwd * wz;
                world[j.index()] = [d.dot(right), -d.y, d.dot(level)];
            }
            pose.world = Some(world);
            Ok((t, pose))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn truth_is_turned_to_the_true_vertical() {
        // A camera 1 m up looking down 45° at the origin from +z: a point straight above the
        // hips is, in the camera's axes, up the picture and towards the camera.
        let mut joints = serde_json::Map::new();
        let mut world = serde_json::Map::new();
        let mut visible = serde_json::Map::new();
        let s = std::f64::consts::FRAC_1_SQRT_2;
        for j in Joint::ALL {
            joints.insert(j.name().into(), json!([1.0, 2.0]));
            world.insert(j.name().into(), json!([0.0, -s, -s]));
            visible.insert(j.name().into(), json!(true));
        }
        let gt = json!({
            "camera": {"position": [0.0, 1.0, 1.0], "target": [0.0, 0.0, 0.0]},
            "frames": [{"t": 0.0, "joints": joints, "world": world, "visible": visible}],
        });
        let poses = truth_poses(&gt).unwrap_or_default();
        let w = poses[0].1.world(Joint::Nose).unwrap_or_default();
        assert!(
            w[0].abs() < 1e-5 && (w[1] + 1.0).abs() < 1e-5 && w[2].abs() < 1e-5,
            "{w:?}"
        );
        assert!(truth_poses(&json!({"camera": gt["camera"], "frames": [{"t": 0.0}]})).is_err());
    }
}
