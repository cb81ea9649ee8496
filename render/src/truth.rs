//! Ground truth: the `<name>.gt.json` summary with per-frame 2-D joints, and the exact
//! projections as a posecheck keypoint track (`<name>.track.jsonl`).
//!
//! Numbers are rounded before writing (0.01 px, 1 mm, 1 ms) so the files are stable to read
//! and diff; nothing in them depends on anything but the script and the seed.

use std::path::Path;

use anyhow::{Context, Result};
use posecheck_core::skeleton::Skeleton as TrackSkeleton;
use posecheck_core::track::TrackHeader;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::camera::Camera;
use crate::math::Vec3;
use crate::raytrace::Tracer;
use crate::script::Settings;
use crate::skeleton::{Body, Landmark, Side, Skeleton};
use crate::stands::{ComTruth, Stand};
use crate::timeline::Timeline;

/// How keypoints are placed, written into every ground-truth file.
const CONVENTIONS: &str = "World: metres, y up, floor at y=0. Keypoints: BlazePose names, the person's own left/right. \
shoulder/elbow/wrist/hip/knee/ankle = joint centres inside the body (hip = hip joint centre, shoulder = glenohumeral \
joint centre), projected; nose, eyes, ears, mouth, heel, foot_index, pinky, index, thumb = points on the surface. \
Pixel i covers [i, i+1). visible = inside the image and not hidden by another part of the body. \
Track z = camera depth minus the hip centre's depth, metres (negative = nearer the camera). \
world = 3-D joints as BlazePose's world landmarks: metres from the hip centre (midpoint of the hip joint centres), \
camera axes: x right, y down the picture, z away from the camera. \
top_s = the middle of the time at the top (from the working position first reached, where a rep counts, to lowering), where the real clips' labels put a rep's top; holds = time in the working position with correct form.";

fn round(v: f64, places: i32) -> f64 {
    let k = 10f64.powi(places);
    (v * k).round() / k
}

/// Where every landmark of one frame is.
pub struct FrameJoints {
    /// Pixel x, y per landmark.
    pub px: Vec<[f64; 2]>,
    /// Depth relative to the hip centre, metres.
    pub z: Vec<f64>,
    /// 3-D position from the hip centre in the camera's axes (x right, y down, z away),
    /// metres: the frame BlazePose's world landmarks are given in.
    pub world: Vec<[f64; 3]>,
    pub visible: Vec<bool>,
}

impl FrameJoints {
    pub fn measure(
        cam: &Camera,
        body: &Body,
        sk: &Skeleton,
        landmarks: &[Landmark],
        tracer: &Tracer,
    ) -> FrameJoints {
        let hip = sk.hip_centre();
        let hip_depth = cam.depth(hip);
        let (w, h) = (cam.width as f32, cam.height as f32);
        let mut out = FrameJoints {
            px: Vec::new(),
            z: Vec::new(),
            world: Vec::new(),
            visible: Vec::new(),
        };
        for lm in landmarks {
            let p = sk.landmark(body, lm);
            let (x, y, depth) = cam.project(p);
            let in_frame = depth > 0.0 && (0.0..w).contains(&x) && (0.0..h).contains(&y);
            out.px.push([round(x as f64, 2), round(y as f64, 2)]);
            out.z.push(round((depth - hip_depth) as f64, 3));
            let w = cam.to_camera_axes(p, hip);
            out.world.push([w.x, w.y, w.z].map(|v| round(v as f64, 3)));
            out.visible
                .push(in_frame && !hidden(cam.pos, p, lm.depth * body.scale, tracer));
        }
        out
    }
}

/// Whether the body is hit on the way from the camera to `p` more than `depth` in front of
/// it (a joint lies `depth` inside its own limb's surface).
fn hidden(eye: Vec3, p: Vec3, depth: f32, tracer: &Tracer) -> bool {
    let to = p - eye;
    let dist = to.length();
    tracer
        .trace(eye, to / dist)
        .is_some_and(|hit| hit.t < dist - depth)
}

/// Landmark name → value, serialized as a JSON object in landmark order.
struct Named<'a, T: Serialize> {
    names: &'a [String],
    values: &'a [T],
}

impl<T: Serialize> Serialize for Named<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.names.len()))?;
        for (n, v) in self.names.iter().zip(self.values) {
            m.serialize_entry(n, v)?;
        }
        m.end()
    }
}

#[derive(Serialize)]
struct FrameRecord<'a> {
    index: usize,
    t: f64,
    phase: &'static str,
    rep: Option<u32>,
    side: Option<&'static str>,
    faults: Vec<&'static str>,
    joints: Named<'a, [f64; 2]>,
    visible: Named<'a, bool>,
    world: Named<'a, [f64; 3]>,
    /// Stands only.
    #[serde(skip_serializing_if = "Option::is_none")]
    com: Option<ComRecord>,
}

/// A horizontal displacement: side to side (+ the person's left), front to back (+ forward).
#[derive(Serialize)]
struct Horizontal {
    side_to_side: f64,
    front_to_back: f64,
}

/// A stand's true centre of mass in one frame.
#[derive(Serialize)]
struct ComRecord {
    /// World position, metres.
    position: [f64; 3],
    /// Over the standing foot (the ankles' midpoint with both feet down), metres.
    over_foot_m: Horizontal,
    /// The same in body heights.
    over_foot_h: Horizontal,
    on_one_foot: bool,
}

/// A stand's attempt, in the words of posecheck's report.
#[derive(Serialize)]
struct AttemptRecord {
    index: u32,
    /// The standing leg of a single-leg stand.
    side: Option<&'static str>,
    start_s: f64,
    end_s: f64,
    duration_s: f64,
    ended_by: &'static str,
}

#[derive(Serialize)]
struct CameraRecord {
    placement: String,
    position: [f64; 3],
    target: [f64; 3],
    hfov_deg: f64,
}

#[derive(Serialize)]
struct Targets {
    reps: Option<u32>,
    hold_s: f64,
}

#[derive(Serialize)]
struct RepRecord {
    index: u32,
    side: Option<&'static str>,
    start_s: f64,
    top_s: f64,
    end_s: f64,
    faults: Vec<&'static str>,
}

#[derive(Serialize)]
struct HoldRecord {
    side: Option<&'static str>,
    start_s: f64,
    end_s: f64,
    duration_s: f64,
}

#[derive(Serialize)]
struct FaultRecord {
    code: &'static str,
    start_s: f64,
    end_s: f64,
    /// Rep number for rep exercises, null for plank and side plank.
    rep: Option<u32>,
    /// Hold number for plank and side plank (absent for rep exercises).
    #[serde(skip_serializing_if = "Option::is_none")]
    hold: Option<u32>,
    /// A fault given a size (`=SIZE`): the size, its unit, and `advice` if it is too slight
    /// for a coach to call (it then does not cut the hold) or `warning` if a coach calls it.
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    severity: Option<&'static str>,
}

/// The ground-truth document, fields in the order they are written.
#[derive(Serialize)]
struct Document<'a> {
    generator: &'static str,
    version: u32,
    seed: u64,
    exercise: &'static str,
    fps: f64,
    width: u32,
    height: u32,
    n_frames: usize,
    duration_s: f64,
    camera: CameraRecord,
    script: &'a Settings,
    targets: Targets,
    reps: Vec<RepRecord>,
    holds: Vec<HoldRecord>,
    faults: Vec<FaultRecord>,
    /// Stands only.
    #[serde(skip_serializing_if = "Option::is_none")]
    attempts: Option<Vec<AttemptRecord>>,
    conventions: &'static str,
    frames: Vec<FrameRecord<'a>>,
}

#[derive(Serialize)]
struct TrackLine<'a> {
    t: f64,
    keypoints: Vec<[f64; 4]>,
    world: &'a [[f64; 3]],
}

fn side_name(side: Option<Side>) -> Option<&'static str> {
    side.map(Side::name)
}

/// The whole clip's ground truth.
pub struct Truth<'a> {
    pub settings: &'a Settings,
    pub timeline: &'a Timeline,
    pub camera: &'a Camera,
    pub stand: Option<&'a (Stand, Vec<ComTruth>)>,
    pub names: Vec<String>,
    pub frames: Vec<FrameJoints>,
}

impl Truth<'_> {
    fn t(&self, index: usize) -> f64 {
        round(index as f64 / self.settings.fps, 4)
    }

    fn document(&self) -> Document<'_> {
        let s = self.settings;
        let tl = self.timeline;
        let ms = |v: f64| round(v, 3);
        let looks = self.stand.map_or(&[][..], |(st, _)| &st.looks);
        let turning = self.stand.and_then(|(st, _)| st.turning.map(|tr| (st, tr)));
        let counted = s.exercise.counts_moves();
        let reps = if let Some((st, tr)) = turning {
            // A whole turn's top is the moment the person faces most nearly away from the
            // camera (once per turn whatever the camera's place): then the back is seen.
            let view = (self.camera.target - self.camera.pos)
                .reject(Vec3::Y)
                .normalized();
            tr.spans()
                .into_iter()
                .zip(1..)
                .map(|((a, b), index)| {
                    let frames = (a * s.fps).ceil() as usize..(b * s.fps).ceil() as usize;
                    let top = frames
                        .map(|i| i as f64 / s.fps)
                        .max_by(|x, y| {
                            st.heading(*x)
                                .dot(view)
                                .total_cmp(&st.heading(*y).dot(view))
                        })
                        .unwrap_or(a);
                    RepRecord {
                        index,
                        side: side_name(Some(tr.towards)),
                        start_s: ms(a),
                        top_s: ms(top),
                        end_s: ms(b),
                        faults: Vec::new(),
                    }
                })
                .collect()
        } else if !looks.is_empty() {
            // The head turns' reps are their looks: the top the middle of the time the head is
            // held fully turned.
            looks
                .iter()
                .zip(1..)
                .map(|(l, index)| RepRecord {
                    index,
                    side: side_name(l.side()),
                    start_s: ms(l.begin),
                    top_s: ms(l.top()),
                    end_s: ms(l.end()),
                    faults: Vec::new(),
                })
                .collect()
        } else if s.exercise.is_hold() {
            Vec::new()
        } else {
            tl.cycles
                .iter()
                .map(|c| RepRecord {
                    index: c.index,
                    side: side_name(c.side),
                    start_s: ms(c.start),
                    top_s: ms(c.top + 0.5 * (c.hold_end - c.top)),
                    end_s: ms(c.end),
                    faults: tl
                        .faults
                        .iter()
                        .filter(|f| f.index == c.index)
                        .map(|f| f.code.name())
                        .collect(),
                })
                .collect()
        };
        // A look-alike holds nothing that a posecheck exercise would; a stand's hold is its
        // attempt.
        let spans = match self.stand {
            Some((st, _)) => vec![(s.side, st.timing.start, st.timing.end)],
            None => tl.valid_holds(),
        };
        let attempts = self.stand.map(|(st, _)| {
            vec![AttemptRecord {
                index: 1,
                side: side_name(s.side),
                start_s: ms(st.timing.start),
                end_s: ms(st.timing.end),
                duration_s: ms(st.timing.end - st.timing.start),
                ended_by: st.script.ended_by.name(),
            }]
        });
        let height = s.body_height_m;
        let holds = spans
            .into_iter()
            .filter(|_| !s.exercise.is_lookalike())
            .collect::<Vec<_>>()
            .into_iter()
            .map(|(side, a, b)| HoldRecord {
                side: side_name(side),
                start_s: ms(a),
                end_s: ms(b),
                duration_s: ms(b - a),
            })
            .collect();
        let faults = tl
            .faults
            .iter()
            .map(|f| {
                let hold = s.exercise.is_hold();
                FaultRecord {
                    code: f.code.name(),
                    start_s: ms(f.start),
                    end_s: ms(f.end),
                    rep: (!hold).then_some(f.index),
                    hold: hold.then_some(f.index),
                    size: f.size,
                    unit: f.size.and(f.code.grading()).map(|g| g.0),
                    severity: f
                        .size
                        .map(|_| if f.is_advice() { "advice" } else { "warning" }),
                }
            })
            .collect();
        let v3 = |v: Vec3| {
            [
                round(v.x as f64, 4),
                round(v.y as f64, 4),
                round(v.z as f64, 4),
            ]
        };
        let frames = self
            .frames
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let t = i as f64 / s.fps;
                let (phase, rep, side) = tl.label_at(t);
                let (phase, rep, side) = match self.stand {
                    Some((st, _)) => match (st.look_at(t), st.turning.and_then(|tr| tr.turn_at(t)))
                    {
                        (Some((i, look)), _) => (st.phase(t), Some(i), look.side()),
                        (None, Some(i)) => (st.phase(t), Some(i), s.side),
                        (None, None) => (st.phase(t), None, s.side),
                    },
                    None => (phase.name(), rep, side),
                };
                let com = self.stand.map(|(_, com)| {
                    let c = &com[i];
                    let (a, b) = (c.over_foot.0 as f64, c.over_foot.1 as f64);
                    ComRecord {
                        position: v3(c.position),
                        over_foot_m: Horizontal {
                            side_to_side: round(a, 5),
                            front_to_back: round(b, 5),
                        },
                        over_foot_h: Horizontal {
                            side_to_side: round(a / height, 6),
                            front_to_back: round(b / height, 6),
                        },
                        on_one_foot: c.on_one_foot,
                    }
                });
                FrameRecord {
                    index: i,
                    t: self.t(i),
                    phase,
                    // Planks have holds, not reps (the head turns' looks and the turning's
                    // turns are reps).
                    rep: rep.filter(|_| !s.exercise.is_hold() || counted),
                    side: side_name(side),
                    faults: tl.faults_at(t).into_iter().map(|c| c.name()).collect(),
                    joints: Named {
                        names: &self.names,
                        values: &f.px,
                    },
                    visible: Named {
                        names: &self.names,
                        values: &f.visible,
                    },
                    world: Named {
                        names: &self.names,
                        values: &f.world,
                    },
                    com,
                }
            })
            .collect();
        let n = self.frames.len();
        Document {
            generator: "posecheck-render",
            version: 1,
            seed: s.seed,
            exercise: s.exercise.name(),
            fps: s.fps,
            width: s.width,
            height: s.height,
            n_frames: n,
            duration_s: round(n as f64 / s.fps, 4),
            camera: CameraRecord {
                placement: s.view_name(),
                position: v3(self.camera.pos),
                target: v3(self.camera.target),
                hfov_deg: self.camera.hfov_deg as f64,
            },
            script: s,
            targets: Targets {
                reps: (!s.exercise.is_hold() || counted).then_some(s.reps),
                hold_s: s.hold_s,
            },
            reps,
            holds,
            faults,
            attempts,
            conventions: CONVENTIONS,
            frames,
        }
    }

    /// The ground-truth document as JSON text.
    pub fn json(&self) -> Result<String> {
        Ok(serde_json::to_string(&self.document())? + "\n")
    }

    /// The keypoint track: a header line, then `{"t", "keypoints": [[x, y, z, v], ...],
    /// "world": [[x, y, z], ...]}` per frame, visibility 1.0 for visible joints and 0.5 for
    /// hidden ones, the world points exact (as a model with world landmarks would give them).
    pub fn track(&self, source: &str) -> Result<String> {
        let s = self.settings;
        // posecheck's own track header, with the renderer's landmark names.
        let header = TrackHeader {
            keypoint_names: self.names.clone(),
            ..TrackHeader::new(
                TrackSkeleton::BlazePose33,
                (s.width, s.height),
                s.fps,
                source,
                "ground_truth",
            )
        };
        let mut out = serde_json::to_string(&header)? + "\n";
        for (i, f) in self.frames.iter().enumerate() {
            let keypoints = (0..f.px.len())
                .map(|k| {
                    [
                        f.px[k][0],
                        f.px[k][1],
                        f.z[k],
                        if f.visible[k] { 1.0 } else { 0.5 },
                    ]
                })
                .collect();
            out += &serde_json::to_string(&TrackLine {
                t: self.t(i),
                keypoints,
                world: &f.world,
            })?;
            out.push('\n');
        }
        Ok(out)
    }
}

/// Writes `text` to `path`, naming the file in the error.
pub fn write_file(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}
