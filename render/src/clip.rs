//! One clip from settings to files: animate every frame, frame the camera on the figure,
//! render, and collect the ground truth.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};

use crate::camera::Camera;
use crate::exercises::{Exercise, Poser};
use crate::math::{Vec3, v3};
use crate::raytrace::Tracer;
use crate::render::{Frame, Renderer};
use crate::scene::Room;
use crate::script::{Facing, FaultSpec, HeadEnd, Settings, parse_colour};
use crate::shade::{Lights, Palette, srgb_to_linear};
use crate::skeleton::{Body, Landmark, Side, Skeleton, landmarks};
use crate::stands::{ComTruth, Stand};
use crate::timeline::Timeline;
use crate::truth::{FrameJoints, Truth};
use crate::video::{Mark, VideoOut, write_png};

/// BlazePose skeleton edges (landmark indices), drawn on overlay stills.
const BONES: [(usize, usize); 24] = [
    (0, 2),
    (0, 5),
    (2, 7),
    (5, 8),
    (11, 12),
    (11, 13),
    (13, 15),
    (15, 19),
    (12, 14),
    (14, 16),
    (16, 20),
    (11, 23),
    (12, 24),
    (23, 24),
    (23, 25),
    (25, 27),
    (27, 29),
    (29, 31),
    (27, 31),
    (24, 26),
    (26, 28),
    (28, 30),
    (30, 32),
    (28, 32),
];

/// A clip ready to render: its timeline, the figure's skeleton in every frame and the camera.
pub struct Clip {
    pub settings: Settings,
    pub timeline: Timeline,
    pub poser: Poser,
    pub skeletons: Vec<Skeleton>,
    pub camera: Camera,
    /// A standing exercise's stand, and its true centre of mass in every frame.
    pub stand: Option<(Stand, Vec<ComTruth>)>,
    landmarks: Vec<Landmark>,
    scene: (Room, Palette, Lights),
    renderer: OnceCell<Renderer>,
}

/// Where a clip's files go.
pub struct Outputs {
    /// The video; `None` renders only what else is asked for.
    pub video: Option<PathBuf>,
    pub truth: PathBuf,
    pub track: PathBuf,
    /// Frame numbers to save as PNG beside the video, and whether to draw keypoints on them.
    pub stills: Vec<usize>,
    pub overlay: bool,
}

impl Outputs {
    /// `<stem>.mp4` → `<stem>.gt.json`, `<stem>.track.jsonl`.
    pub fn beside(video: &Path) -> Outputs {
        let stem = video.with_extension("");
        let with = |ext: &str| PathBuf::from(format!("{}.{ext}", stem.display()));
        Outputs {
            video: Some(video.to_path_buf()),
            truth: with("gt.json"),
            track: with("track.jsonl"),
            stills: Vec::new(),
            overlay: false,
        }
    }

    fn still(&self, index: usize) -> PathBuf {
        PathBuf::from(format!(
            "{}.f{index:05}.png",
            self.truth
                .display()
                .to_string()
                .trim_end_matches(".gt.json")
        ))
    }
}

/// What a finished render reports.
pub struct Report {
    pub frames: usize,
    /// Length of the clip.
    pub seconds: f64,
    pub codec: Option<&'static str>,
    /// Frames drawn, and the time spent drawing them.
    pub rendered: usize,
    pub render_s: f64,
    /// Wall time of the whole frame loop (drawing, ground truth, encoding).
    pub total_s: f64,
    /// Frames in which some joint is outside the picture.
    pub frames_cut: usize,
}

fn colour(hex: &str) -> Result<Vec3> {
    let [r, g, b] = parse_colour(hex)?;
    Ok(v3(srgb_to_linear(r), srgb_to_linear(g), srgb_to_linear(b)))
}

impl Clip {
    pub fn new(settings: Settings, faults: &[FaultSpec]) -> Result<Clip> {
        let timeline = Timeline::build(&settings, faults)?;
        let s = &settings;
        let down = s.side.unwrap_or(Side::Left);
        // Side plank: the head end follows from which side is down and which way the
        // front faces; otherwise it is chosen directly.
        let head_plus_x = match (s.exercise, s.facing, s.head) {
            (Exercise::SidePlank, facing, _) => {
                (down == Side::Left) == (facing != Some(Facing::Away))
            }
            (_, _, head) => head == Some(HeadEnd::Right),
        };
        let poser = Poser::new(
            s.exercise,
            head_plus_x,
            down,
            Body::new(s.body_height_m as f32),
        )
        .with_variant(s.variant);
        // A stand's `standing` leg is the one it stands on; the tandem stance's is the back foot,
        // and --side names its front one (without it, the right foot leads).
        let standing = match (s.exercise, s.side) {
            (Exercise::TandemStance, Some(front)) => front.other(),
            _ => down,
        };
        let stand = s.stand().map(|script| {
            Stand::new(
                s.exercise,
                script,
                standing,
                poser.body().clone(),
                poser.stage.at(1.0, 0.0, 0.0),
                (
                    s.rest_start_s,
                    s.tempo_up_s,
                    s.hold_s,
                    s.tempo_down_s,
                    s.rest_end_s,
                ),
            )
        });
        let duration = stand
            .as_ref()
            .map_or(timeline.duration, |st| st.timing.duration);
        let n = (duration * s.fps).round() as usize;
        let skeletons: Vec<Skeleton> = (0..n)
            .map(|i| {
                let t = i as f64 / s.fps;
                let pose = match &stand {
                    Some(st) => st.pose(t),
                    None => poser.pose(&timeline.drive_at(t), &timeline.natural_at(t)),
                };
                Skeleton::new(poser.body(), &pose)
            })
            .collect();
        let stand = stand.map(|st| {
            let com = skeletons.iter().map(|sk| st.truth_of(sk)).collect();
            (st, com)
        });
        let landmarks = landmarks();
        // Aim at the middle of everything the figure does in the clip.
        let (mut lo, mut hi) = (Vec3::ONE * f32::MAX, Vec3::ONE * f32::MIN);
        for sk in &skeletons {
            for lm in &landmarks {
                let p = sk.landmark(poser.body(), lm);
                (lo, hi) = (lo.min(p), hi.max(p));
            }
        }
        let centre = (lo + hi) * 0.5;
        // Floor exercises keep the camera aimed low; a standing body is framed at mid-body.
        let target_y = if stand.is_some() {
            centre.y
        } else {
            centre.y.clamp(0.15, 0.5)
        };
        let target = v3(centre.x, target_y, centre.z);
        let head_dir = poser.stage.at(1.0, 0.0, 0.0);
        let camera = Camera::place(
            s.view(),
            target,
            head_dir,
            s.camera_distance_m as f32,
            s.camera_height_m as f32,
            s.fov_deg as f32,
            (s.width, s.height),
        );
        let palette = Palette {
            top: colour(&s.top)?,
            leggings: colour(&s.leggings)?,
            skin: colour(&s.skin)?,
            hair: colour(&s.hair)?,
            floor: colour(&s.floor)?,
            mat: colour(&s.mat)?,
            wall: colour(&s.wall)?,
        };
        let room = Room::new(centre, head_dir, &camera, palette.clone(), s.textures);
        let lights = Lights::new(s.light as f32, (camera.pos - target).normalized());
        Ok(Clip {
            settings,
            timeline,
            poser,
            skeletons,
            landmarks,
            scene: (room, palette, lights),
            renderer: OnceCell::new(),
            camera,
            stand,
        })
    }

    /// The renderer, set up on first use: rendering the room takes a moment, and clips
    /// made only for their ground truth never need it.
    fn renderer(&self) -> &Renderer {
        self.renderer.get_or_init(|| {
            let (room, palette, lights) = self.scene.clone();
            Renderer::new(self.camera.clone(), room, palette, lights)
                .with_limb_occlusion(self.settings.occlusion_shading)
        })
    }

    pub fn frame_count(&self) -> usize {
        self.skeletons.len()
    }

    /// Measures the joints of frame `i` and, if `draw`, renders it (returning the time
    /// spent drawing).
    pub fn frame(&self, i: usize, draw: bool) -> (Option<(Frame, f64)>, FrameJoints) {
        let mut parts = self.poser.figure().pose(&self.skeletons[i]);
        // Face details go only from the picture (and so from what hides what): the poses
        // were fitted with the full head, so the joints stay exactly where they were.
        if !self.settings.face_detail {
            parts.retain(|p| !p.face);
        }
        let tracer = Tracer::new(&parts, &self.camera);
        let joints = FrameJoints::measure(
            &self.camera,
            self.poser.body(),
            &self.skeletons[i],
            &self.landmarks,
            &tracer,
        );
        let drawn = draw.then(|| {
            let start = Instant::now();
            let frame = self.renderer().render(&parts);
            (frame, start.elapsed().as_secs_f64())
        });
        (drawn, joints)
    }

    pub fn truth(&self, frames: Vec<FrameJoints>) -> Truth<'_> {
        Truth {
            settings: &self.settings,
            timeline: &self.timeline,
            camera: &self.camera,
            stand: self.stand.as_ref(),
            names: self.landmarks.iter().map(|l| l.name.clone()).collect(),
            frames,
        }
    }

    /// Renders every frame to the outputs.
    pub fn write(&self, out: &Outputs) -> Result<Report> {
        let n = self.frame_count();
        if let Some(&bad) = out.stills.iter().find(|&&i| i >= n) {
            anyhow::bail!(
                "--stills: frame {bad} does not exist (the clip has {n} frames, 0–{})",
                n - 1
            );
        }
        for path in [Some(&out.truth), out.video.as_ref()].into_iter().flatten() {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
        }
        let s = &self.settings;
        let mut video = match &out.video {
            Some(p) => Some(VideoOut::create(p, (s.width, s.height), s.fps)?),
            None => None,
        };
        let codec = video.as_ref().map(|v| v.codec);
        let started = Instant::now();
        let mut joints = Vec::with_capacity(n);
        let (mut rendered, mut render_s) = (0usize, 0.0);
        let mut frames_cut = 0;
        for i in 0..n {
            let still = out.stills.contains(&i);
            let (drawn, j) = self.frame(i, video.is_some() || still);
            if let Some((frame, seconds)) = &drawn {
                rendered += 1;
                render_s += seconds;
                if let Some(v) = video.as_mut() {
                    v.write(frame)?;
                }
                if still {
                    let marks: Vec<Mark> = if out.overlay {
                        j.px.iter()
                            .zip(&j.visible)
                            .map(|(p, &visible)| Mark {
                                x: p[0] as f32,
                                y: p[1] as f32,
                                visible,
                            })
                            .collect()
                    } else {
                        Vec::new()
                    };
                    write_png(
                        &out.still(i),
                        frame,
                        &marks,
                        if out.overlay { &BONES } else { &[] },
                    )?;
                }
            }
            let core =
                j.px.iter()
                    .enumerate()
                    .filter(|(k, _)| !(17..=22).contains(k));
            if core.clone().any(|(_, p)| {
                p[0] < 0.0 || p[1] < 0.0 || p[0] >= s.width as f64 || p[1] >= s.height as f64
            }) {
                frames_cut += 1;
            }
            joints.push(j);
        }
        if let Some(v) = video {
            v.finish()?;
        }
        let total_s = started.elapsed().as_secs_f64();
        let truth = self.truth(joints);
        let source = out
            .video
            .as_ref()
            .and_then(|p| p.file_name())
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        crate::truth::write_file(&out.truth, &truth.json()?)?;
        crate::truth::write_file(&out.track, &truth.track(&source)?)?;
        Ok(Report {
            frames: n,
            seconds: n as f64 / s.fps,
            codec,
            rendered,
            render_s,
            total_s,
            frames_cut,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::camera::Placement;
    use crate::script::Script;

    /// A short, small clip: quick to make in a test.
    fn clip(e: Exercise, faults: &[&str], tweak: impl FnOnce(&mut Script)) -> Result<Clip> {
        let mut script = Script {
            exercise: Some(e),
            width: Some(320),
            height: Some(180),
            rest_start_s: Some(0.5),
            rest_end_s: Some(0.5),
            faults: Some(faults.iter().map(|s| s.to_string()).collect()),
            ..Script::default()
        };
        tweak(&mut script);
        let (settings, specs) = script.resolve()?;
        Clip::new(settings, &specs)
    }

    fn truth_json(c: &Clip) -> Result<serde_json::Value> {
        let frames = (0..c.frame_count()).map(|i| c.frame(i, false).1).collect();
        Ok(serde_json::from_str(&c.truth(frames).json()?)?)
    }

    #[test]
    fn same_seed_same_truth_other_seed_other_timing() -> Result<()> {
        let make = |seed| -> Result<String> {
            let c = clip(Exercise::Superman, &["hold_broken@2"], |s| {
                s.seed = Some(seed)
            })?;
            let frames = (0..c.frame_count()).map(|i| c.frame(i, false).1).collect();
            let t = c.truth(frames);
            Ok(t.json()? + &t.track("x.mp4")?)
        };
        assert_eq!(make(7)?, make(7)?);
        assert_ne!(make(7)?, make(8)?);
        Ok(())
    }

    #[test]
    fn truth_lists_the_scripted_reps_holds_and_faults() -> Result<()> {
        let c = clip(Exercise::GluteBridge, &["hips_not_extended@2"], |s| {
            s.reps = Some(3);
            s.hold_s = Some(1.5);
        })?;
        let gt = truth_json(&c)?;
        let reps = gt["reps"].as_array().map(Vec::as_slice).unwrap_or_default();
        assert_eq!(reps.len(), 3);
        // A rep's top is the middle of its time at the top: the rise (1.2 s), then half the
        // pause there (1.5 s), each jittered by up to 4 %.
        let (to_top, jitter) = (1.2 + 0.75, 0.04 * (1.2 + 0.75) + 0.002);
        for (k, r) in reps.iter().enumerate() {
            let f = |key: &str| r[key].as_f64().unwrap_or(f64::NAN);
            assert_eq!(r["index"], k + 1);
            assert!(
                (f("top_s") - f("start_s") - to_top).abs() <= jitter,
                "rep {k}: {r}"
            );
            assert!(f("end_s") > f("top_s") + 1.5);
        }
        assert_eq!(reps[1]["faults"], serde_json::json!(["hips_not_extended"]));
        assert_eq!(reps[0]["faults"], serde_json::json!([]));
        // Reps 1 and 3 pause at the top with good form; rep 2 never reaches it.
        let holds = gt["holds"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        assert_eq!(holds.len(), 2);
        for h in holds {
            assert!((h["duration_s"].as_f64().unwrap_or(0.0) - 1.5).abs() <= 1.5 * 0.04 + 0.002);
        }
        let fault = &gt["faults"][0];
        assert_eq!(
            (fault["code"].as_str(), fault["rep"].as_u64()),
            (Some("hips_not_extended"), Some(2))
        );
        // The rep that stops short is short from the moment it reaches its top; its top (the
        // middle of its time there) falls inside.
        let at = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
        let (top, (a, b)) = (
            at(&reps[1]["top_s"]),
            (at(&fault["start_s"]), at(&fault["end_s"])),
        );
        assert!(a < top && top < b, "top {top} outside {a}-{b}");
        // Frames inside the span say so; frames outside do not.
        for fr in gt["frames"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let t = fr["t"].as_f64().unwrap_or(0.0);
            let flagged = !fr["faults"].as_array().is_none_or(Vec::is_empty);
            if t > a + 0.01 && t < b - 0.01 {
                assert!(flagged, "frame at {t} misses the fault");
            } else if t < a - 0.01 || t > b + 0.01 {
                assert!(!flagged, "frame at {t} flagged outside the fault");
            }
        }
        assert_eq!(gt["n_frames"], gt["frames"].as_array().map_or(0, Vec::len));
        Ok(())
    }

    #[test]
    fn hold_exercises_report_holds_not_reps() -> Result<()> {
        let c = clip(Exercise::SidePlank, &["hips_dropping@2-3"], |s| {
            s.hold_s = Some(5.0)
        })?;
        let gt = truth_json(&c)?;
        assert_eq!(gt["reps"], serde_json::json!([]));
        assert_eq!(gt["targets"]["reps"], serde_json::Value::Null);
        let frames = gt["frames"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        assert!(
            frames
                .iter()
                .all(|f| f["rep"].is_null() && f["side"] == "left")
        );
        assert!(frames.iter().any(|f| f["phase"] == "hold"));
        let holds = gt["holds"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        assert_eq!(holds.len(), 2, "the drop splits the hold");
        assert!(holds.iter().all(|h| h["side"] == "left"));
        let fault = &gt["faults"][0];
        assert_eq!(
            (fault["code"].as_str(), fault["hold"].as_u64()),
            (Some("hips_dropping"), Some(1))
        );
        let span =
            fault["end_s"].as_f64().unwrap_or(0.0) - fault["start_s"].as_f64().unwrap_or(0.0);
        assert!((span - 1.0).abs() < 0.002);
        assert_eq!(holds[0]["end_s"], fault["start_s"]);
        Ok(())
    }

    #[test]
    fn track_follows_the_keypoint_track_format() -> Result<()> {
        let c = clip(Exercise::BirdDog, &[], |s| s.reps = Some(1))?;
        let frames = (0..c.frame_count()).map(|i| c.frame(i, false).1).collect();
        let text = c.truth(frames).track("bird_dog.mp4")?;
        let mut lines = text.lines();
        let header: serde_json::Value = serde_json::from_str(lines.next().unwrap_or_default())?;
        assert_eq!(header["posecheck_track"], 2);
        assert_eq!(header["skeleton"], "blazepose33");
        assert_eq!(header["model"], "ground_truth");
        assert_eq!(header["keypoint_names"].as_array().map_or(0, Vec::len), 33);
        let mut n = 0;
        for (i, line) in lines.enumerate() {
            let v: serde_json::Value = serde_json::from_str(line)?;
            assert_eq!(v["t"].as_f64(), Some((i as f64 / 30.0 * 1e4).round() / 1e4));
            let kps = v["keypoints"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            assert_eq!(kps.len(), 33);
            assert!(
                kps.iter()
                    .all(|k| matches!(k[3].as_f64(), Some(v) if v == 1.0 || v == 0.5))
            );
            assert_eq!(v["world"].as_array().map_or(0, Vec::len), 33);
            n += 1;
        }
        assert_eq!(n, c.frame_count());
        Ok(())
    }

    #[test]
    fn side_view_sees_the_near_side_and_not_the_far_one() -> Result<()> {
        // Bird-dog with the head on the left: the person's left side faces the camera.
        let c = clip(Exercise::BirdDog, &[], |s| s.reps = Some(1))?;
        let j = c.frame(0, false).1;
        let vis = |name: &str| {
            c.landmarks
                .iter()
                .position(|l| l.name == name)
                .map(|k| j.visible[k])
        };
        for near in [
            "left_shoulder",
            "left_hip",
            "left_knee",
            "left_ankle",
            "nose",
            "left_ear",
        ] {
            assert_eq!(vis(near), Some(true), "{near}");
        }
        for far in ["right_shoulder", "right_hip", "right_ear"] {
            assert_eq!(vis(far), Some(false), "{far}");
        }
        Ok(())
    }

    #[test]
    fn a_rendered_frame_shows_the_figure_at_a_plausible_size() -> Result<()> {
        for e in Exercise::ALL {
            let c = clip(e, &[], |s| s.reps = Some(1))?;
            let mid = c.frame_count() / 2;
            let (Some((with, _)), _) = c.frame(mid, true) else {
                anyhow::bail!("no frame")
            };
            let empty = c.renderer().render(&[]);
            let changed = with
                .bgr
                .chunks(3)
                .zip(empty.bgr.chunks(3))
                .filter(|(a, b)| a.iter().zip(*b).any(|(x, y)| x.abs_diff(*y) > 24))
                .count();
            let share = changed as f64 / (with.width * with.height) as f64;
            assert!(
                (0.03..0.35).contains(&share),
                "{}: the figure covers {:.1}% of the frame",
                e.name(),
                share * 100.0
            );
            let distinct: std::collections::BTreeSet<_> = with
                .bgr
                .chunks(3)
                .map(|p| (p[0] / 16, p[1] / 16, p[2] / 16))
                .collect();
            assert!(
                distinct.len() > 40,
                "{}: only {} colours",
                e.name(),
                distinct.len()
            );
        }
        Ok(())
    }

    #[test]
    fn the_figure_stays_in_the_picture_from_every_camera() -> Result<()> {
        let named =
            [Placement::Side, Placement::Front, Placement::Oblique].map(|p| (Some(p), None));
        let turned = [30.0, 60.0].map(|a| (None, Some(a)));
        for e in Exercise::ALL {
            for (place, azimuth) in named.iter().chain(&turned) {
                let c = clip(e, &[], |s| {
                    s.reps = Some(1);
                    (s.camera, s.camera_azimuth_deg) = (*place, *azimuth);
                })?;
                for i in (0..c.frame_count()).step_by(5) {
                    let j = c.frame(i, false).1;
                    let inside =
                        j.px.iter()
                            .all(|p| (0.0..320.0).contains(&p[0]) && (0.0..180.0).contains(&p[1]));
                    assert!(
                        inside,
                        "{} from the {}: frame {i} leaves the picture",
                        e.name(),
                        c.settings.view_name()
                    );
                }
            }
        }
        Ok(())
    }

    /// Frame `i` of a clip, drawn.
    fn drawn(c: &Clip, i: usize) -> Result<Frame> {
        match c.frame(i, true) {
            (Some((frame, _)), _) => Ok(frame),
            _ => anyhow::bail!("frame {i} was not drawn"),
        }
    }

    #[test]
    fn no_face_removes_only_the_face_and_keeps_every_joint() -> Result<()> {
        let with = clip(Exercise::GluteBridge, &[], |s| s.reps = Some(1))?;
        let without = clip(Exercise::GluteBridge, &[], |s| {
            s.reps = Some(1);
            s.face_detail = Some(false);
        })?;
        let i = with.frame_count() / 2;
        let (a, b) = (with.frame(i, false).1, without.frame(i, false).1);
        assert_eq!(a.px, b.px);
        let (fa, fb) = (drawn(&with, i)?, drawn(&without, i)?);
        // Every changed pixel lies around the head: within 25 px (at 320×180) of the nose.
        let nose = a.px[0];
        let mut changed = 0;
        for (k, (pa, pb)) in fa.bgr.chunks(3).zip(fb.bgr.chunks(3)).enumerate() {
            if pa != pb {
                changed += 1;
                let (x, y) = ((k % fa.width) as f64, (k / fa.width) as f64);
                let d = ((x - nose[0]).powi(2) + (y - nose[1]).powi(2)).sqrt();
                assert!(
                    d < 25.0,
                    "pixel ({x}, {y}) changed, {d:.0} px from the nose"
                );
            }
        }
        assert!(changed > 20, "only {changed} pixels changed");
        Ok(())
    }

    #[test]
    fn no_occlusion_shading_only_brightens_the_figure() -> Result<()> {
        let frames = |on: bool| -> Result<Frame> {
            let c = clip(Exercise::BirdDog, &[], |s| {
                s.reps = Some(1);
                s.occlusion_shading = Some(on);
            })?;
            drawn(&c, c.frame_count() / 2)
        };
        let (with, without) = (frames(true)?, frames(false)?);
        let (mut brighter, mut darker) = (0, 0);
        for (a, b) in with.bgr.chunks(3).zip(without.bgr.chunks(3)) {
            let sum = |p: &[u8]| p.iter().map(|&v| v as i32).sum::<i32>();
            match sum(b) - sum(a) {
                d if d > 0 => brighter += 1,
                d if d < 0 => darker += 1,
                _ => {}
            }
        }
        // A few outline pixels may be anti-aliased differently; nothing else gets darker.
        assert!(brighter > 200, "only {brighter} pixels brighter");
        assert!(darker * 50 < brighter, "{darker} pixels darker");
        Ok(())
    }

    #[test]
    fn no_texture_makes_the_room_flat() -> Result<()> {
        // Mean step between horizontally neighbouring pixels of the empty room.
        let roughness = |textured: bool| -> Result<f64> {
            let c = clip(Exercise::Plank, &[], |s| s.textures = Some(textured))?;
            let room = c.renderer().render(&[]);
            let row = 3 * room.width;
            let steps: Vec<f64> = room
                .bgr
                .chunks(row)
                .flat_map(|r| (3..row).map(move |k| r[k].abs_diff(r[k - 3]) as f64))
                .collect();
            Ok(steps.iter().sum::<f64>() / steps.len() as f64)
        };
        let (textured, flat) = (roughness(true)?, roughness(false)?);
        assert!(
            flat * 4.0 < textured,
            "flat room {flat:.3} vs textured {textured:.3}"
        );
        Ok(())
    }

    /// The samples were rendered with the defaults; options added since must not move a
    /// single number in their ground truth.
    #[test]
    fn the_samples_ground_truth_is_reproduced() -> Result<()> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples");
        for e in ["glute_bridge", "side_plank"] {
            let path = dir.join(format!("{e}.gt.json"));
            let stored = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let (settings, faults) = Script::from_json(&stored)?.resolve()?;
            let c = Clip::new(settings, &faults)?;
            let frames = (0..c.frame_count()).map(|i| c.frame(i, false).1).collect();
            assert!(
                c.truth(frames).json()? == stored,
                "{} differs from what the renderer makes now: if that is intended, render it \
                 again (posecheck-render --script {0} -o samples/{e}.mp4)",
                path.display()
            );
        }
        Ok(())
    }

    #[test]
    fn files_are_written_beside_the_video() -> Result<()> {
        let dir =
            std::env::temp_dir().join(format!("posecheck-render-test-{}", std::process::id()));
        let c = clip(Exercise::Plank, &[], |s| s.hold_s = Some(1.0))?;
        let mut out = Outputs::beside(&dir.join("plank.mp4"));
        out.video = None;
        out.stills = vec![3];
        out.overlay = true;
        let report = c.write(&out)?;
        assert_eq!(report.frames, c.frame_count());
        for name in ["plank.gt.json", "plank.track.jsonl", "plank.f00003.png"] {
            assert!(dir.join(name).is_file(), "{name} missing");
        }
        out.stills = vec![100_000];
        assert!(c.write(&out).is_err());
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
