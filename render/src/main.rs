//! posecheck-render: renders a figure doing a back exercise to an mp4, with exact ground
//! truth (reps, holds, faults, 2-D joints) and the joints as a posecheck keypoint track.

mod camera;
mod clip;
mod exercises;
mod figure;
mod lookalikes;
mod math;
mod raytrace;
mod render;
mod rig;
mod rng;
mod scene;
mod script;
mod shade;
mod skeleton;
mod stands;
mod timeline;
mod truth;
mod variants;
mod video;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Parser;

use crate::camera::Placement;
use crate::clip::{Clip, Outputs};
use crate::exercises::Exercise;
use crate::script::{Facing, HeadEnd, Script};
use crate::skeleton::Side;
use crate::stands::{StandEnd, SwayAxis};
use crate::variants::Variant;

const AFTER_HELP: &str = "\
Faults (--fault, repeatable):
  CODE@N        in rep N (bird-dog, glute bridge, superman) or hold N (plank, side plank),
                counted from 1; for the hips_* faults of planks: the middle of hold N
  CODE@A-B      from A to B seconds after the first hold begins (hips_* faults only)
  CODE@N:A-B    from A to B seconds after hold N begins (hips_* faults only)
  CODE@WHEN=SIZE  the fault at a known size: =8cm for the hips_* faults (hip offset from
                the ankle-shoulder line), =12deg for the others (short of straight for
                hips_not_extended, below horizontal for arm/leg_below_level, knee bend
                for bent_knee); below 6 cm, 20, 15, 15 and 40 degrees a coach lets it
                pass: the truth marks it advice and the hold is not cut
  hips_sagging        plank: hips sink below the line of the body
  hips_piked          plank, side plank: hips pushed up above the line
  hips_dropping       side plank: hips sink towards the floor
  hips_not_extended   glute bridge: hips stop at a 150° shoulder-hip-knee angle
  arm_below_level     bird-dog: raised arm stays 25-35° below horizontal
  leg_below_level     bird-dog: raised leg stays 22-28° below horizontal (toes just clear the mat)
  bent_knee           bird-dog: raised leg keeps its knee bent 60-90°
  jerky_movement      any: up in 0.2 s, overshoot and bounce
  hold_broken         any: the hold (or top pause) ends after 35% of its time, dropping fast
The ground truth records where each fault is actually present.

Examples:
  posecheck-render -e glute_bridge --reps 5 -o samples/glute_bridge.mp4
  posecheck-render -e bird_dog --reps 4 --hold 2 --fault bent_knee@3 -o samples/bird_dog.mp4
  posecheck-render -e side_plank --side right --hold 12 --fault hips_dropping@6-8 -o sp.mp4
  posecheck-render --script samples/glute_bridge.gt.json -o again.mp4   (re-render a clip)";

/// Renders an articulated figure doing a back exercise to an mp4, and writes the exact
/// ground truth beside it: NAME.gt.json (reps, holds, faults, per-frame 2-D joints) and
/// NAME.track.jsonl (the joints as a posecheck keypoint track).
#[derive(Parser, Debug)]
#[command(name = "posecheck-render", version, after_help = AFTER_HELP)]
struct Cli {
    /// The exercise, or a look-alike of them (kickback, cat_cow, dead_bug, push_up,
    /// childs_pose: truth without reps or holds of any exercise).
    #[arg(short, long, value_enum)]
    exercise: Option<Exercise>,
    /// A variant of the exercise: hands_behind_head, single_leg (glute_bridge; --side is
    /// the extended leg [default: left]), straight_arm (plank, side_plank), top_arm_raised
    /// (side_plank), swimmer (superman), foot_behind, low_lift (the single-leg stands' raised
    /// foot: behind with the knee bent, or just off the floor; default: knee up in front).
    #[arg(long, value_enum)]
    variant: Option<Variant>,
    /// Video to write (mp4); the ground truth goes beside it.
    #[arg(short, long, value_name = "FILE.mp4")]
    out: PathBuf,
    /// JSON file of options, keyed like the "script" of a .gt.json (a .gt.json works too);
    /// options given here on the command line win.
    #[arg(long, value_name = "FILE")]
    script: Option<PathBuf>,
    /// Reps (bird-dog alternates sides: left arm first), or holds for plank and side plank,
    /// or the head turns' looks (right, left, up, in turn), 1-30
    /// [default: bird_dog 4, glute_bridge 5, superman 3, planks 1, head_turns 6].
    #[arg(long)]
    reps: Option<u32>,
    /// Seconds held in the working position: top pause of a rep, or the plank hold
    /// [default: bird_dog 2, glute_bridge 1, superman 3, planks 10].
    #[arg(long, value_name = "SECONDS")]
    hold: Option<f64>,
    /// Seconds to move into and out of the working position: UP or UP/DOWN
    /// [default: 1.2, planks 1.5].
    #[arg(long, value_name = "UP[/DOWN]")]
    tempo: Option<String>,
    /// Seconds still in the start position before the first rep and after the last:
    /// START or START/END [default: 1].
    #[arg(long, value_name = "START[/END]")]
    rest: Option<String>,
    /// Seconds in the start position between reps
    /// [default: bird_dog 0.8, glute_bridge 0.6, superman 1, planks 2].
    #[arg(long, value_name = "SECONDS")]
    rest_between: Option<f64>,
    /// Bird-dog: raise only this arm (with the opposite leg); kickback: kick only this leg;
    /// dead bug: reach only this arm (with the opposite leg). Side plank: the forearm on the
    /// floor; single-leg glute bridge: the extended leg [default: left]. Single-leg stands:
    /// the standing leg; tandem stance: the foot in front; turning: the way it turns.
    #[arg(long, value_enum)]
    side: Option<Side>,
    /// Side plank: the front of the body faces the camera or away [default: camera].
    #[arg(long, value_enum)]
    facing: Option<Facing>,
    /// Which side of the picture the head is on, seen from the side [default: left].
    #[arg(long, value_enum)]
    head: Option<HeadEnd>,
    /// Camera position: side (profile), front (at the head end) or oblique (45°)
    /// [default: side].
    #[arg(long, value_enum)]
    camera: Option<Placement>,
    /// Camera direction in degrees instead of a named placement: 0 = side-on, 45 =
    /// oblique, 90 = at the head end; anything from 0 to 90.
    #[arg(long, value_name = "DEG", conflicts_with = "camera")]
    camera_azimuth: Option<f64>,
    /// Camera height above the floor, metres [default: 0.55].
    #[arg(long, value_name = "M")]
    camera_height: Option<f64>,
    /// Horizontal distance from the camera to the figure, metres [default: 3].
    #[arg(long, value_name = "M")]
    camera_distance: Option<f64>,
    /// Horizontal field of view, degrees [default: 58].
    #[arg(long, value_name = "DEG")]
    fov: Option<f64>,
    /// Frame size [default: 640x360].
    #[arg(long, value_name = "WxH")]
    size: Option<String>,
    /// Frames per second [default: 30].
    #[arg(long)]
    fps: Option<f64>,
    /// Colour of the top: #rrggbb or a name (teal, navy, red, blue, ...) [default: #24a0ad].
    #[arg(long, value_name = "COLOUR")]
    top: Option<String>,
    /// Colour of the leggings [default: #22232b].
    #[arg(long, value_name = "COLOUR")]
    leggings: Option<String>,
    /// Skin tone: #rrggbb or light, medium, tan, dark, deep [default: #e0ac8a].
    #[arg(long, value_name = "COLOUR")]
    skin: Option<String>,
    /// Hair colour [default: #4a3020].
    #[arg(long, value_name = "COLOUR")]
    hair: Option<String>,
    /// Floor (wood) colour [default: #a88660].
    #[arg(long, value_name = "COLOUR")]
    floor: Option<String>,
    /// Mat colour [default: #6a4c9c].
    #[arg(long, value_name = "COLOUR")]
    mat: Option<String>,
    /// Wall colour [default: #a8a69c].
    #[arg(long, value_name = "COLOUR")]
    wall: Option<String>,
    /// Strength of all lights, 1 = normal [default: 1].
    #[arg(long, value_name = "STRENGTH")]
    light: Option<f64>,
    /// Leave out the face and head details: eyes, brows, nose, lips, ears and hair (a plain
    /// skin-coloured head).
    #[arg(long)]
    no_face: bool,
    /// No ambient-occlusion darkening of one body part by another (where limbs pass close
    /// to each other); shadows and the darkening of the floor around the figure stay.
    #[arg(long)]
    no_occlusion_shading: bool,
    /// Flat floor, mat and wall: no wood grain, board seams or mottling.
    #[arg(long)]
    no_texture: bool,
    /// Height of the person, metres [default: 1.70].
    #[arg(long, value_name = "M")]
    body_height: Option<f64>,
    /// Put a fault in the clip (see below); repeatable.
    #[arg(long = "fault", value_name = "CODE@WHEN[=SIZE]")]
    faults: Vec<String>,
    /// Seed for the small random variations (timing, sway, breathing) [default: 1].
    #[arg(long)]
    seed: Option<u64>,
    /// Random variation of every duration, as a fraction (0 = exact) [default: 0.04].
    #[arg(long, value_name = "FRACTION")]
    jitter: Option<f64>,
    /// Amount of breathing, sway and head movement (0 = none) [default: 1].
    #[arg(long, value_name = "AMOUNT")]
    sway: Option<f64>,
    /// Stands: peak horizontal displacement of the centre of mass in the scripted sway (a
    /// sine; its RMS is this over √2), cm, 0-10; 0 stands perfectly still [default: 0].
    #[arg(long, value_name = "CM")]
    sway_cm: Option<f64>,
    /// Stands: frequency of the scripted sway [default: 0.3].
    #[arg(long, value_name = "HZ")]
    sway_hz: Option<f64>,
    /// Stands: the direction of the sway [default: side_to_side].
    #[arg(long, value_enum)]
    sway_axis: Option<SwayAxis>,
    /// Stands: what ends the attempt, --hold seconds after it starts: touch_down (the raised
    /// foot lands then), step (a foot leaves its place then), heels_dropped (the heels land
    /// then), hands_left_waist (the hands leave then) or time_up (held to the clip's end)
    /// [default: time_up].
    #[arg(long, value_enum)]
    ended_by: Option<StandEnd>,
    /// Also save these frames as PNG beside the video (NAME.f00012.png), e.g. 0,45,90.
    #[arg(long, value_name = "FRAMES", value_delimiter = ',')]
    stills: Vec<usize>,
    /// Draw the ground-truth keypoints on the stills.
    #[arg(long)]
    overlay: bool,
    /// Write no video, only the ground truth (and any stills).
    #[arg(long)]
    no_video: bool,
}

/// "A" or "A/B" seconds: (A, B), B defaulting to A.
fn pair(text: &str, what: &str) -> Result<(f64, f64)> {
    let num = |s: &str| {
        s.trim()
            .parse::<f64>()
            .with_context(|| format!("--{what}: '{s}' is not a number of seconds"))
    };
    match text.split_once('/') {
        Some((a, b)) => Ok((num(a)?, num(b)?)),
        None => num(text).map(|a| (a, a)),
    }
}

impl Cli {
    /// The options set on the command line, as a script.
    fn script(&self) -> Result<Script> {
        let tempo = self
            .tempo
            .as_deref()
            .map(|t| pair(t, "tempo"))
            .transpose()?;
        let rest = self.rest.as_deref().map(|t| pair(t, "rest")).transpose()?;
        let size = match &self.size {
            Some(s) => {
                let parsed = s
                    .split_once(['x', 'X'])
                    .and_then(|(w, h)| Some((w.trim().parse().ok()?, h.trim().parse().ok()?)));
                let Some((w, h)) = parsed else {
                    bail!("--size: '{s}' is not WIDTHxHEIGHT")
                };
                Some((w, h))
            }
            None => None,
        };
        Ok(Script {
            exercise: self.exercise,
            variant: self.variant,
            reps: self.reps,
            hold_s: self.hold,
            tempo_up_s: tempo.map(|t| t.0),
            tempo_down_s: tempo.map(|t| t.1),
            rest_start_s: rest.map(|r| r.0),
            rest_end_s: rest.map(|r| r.1),
            rest_between_s: self.rest_between,
            side: self.side,
            facing: self.facing,
            head: self.head,
            camera: self.camera,
            camera_azimuth_deg: self.camera_azimuth,
            camera_height_m: self.camera_height,
            camera_distance_m: self.camera_distance,
            fov_deg: self.fov,
            width: size.map(|s| s.0),
            height: size.map(|s| s.1),
            fps: self.fps,
            top: self.top.clone(),
            leggings: self.leggings.clone(),
            skin: self.skin.clone(),
            hair: self.hair.clone(),
            floor: self.floor.clone(),
            mat: self.mat.clone(),
            wall: self.wall.clone(),
            light: self.light,
            face_detail: self.no_face.then_some(false),
            occlusion_shading: self.no_occlusion_shading.then_some(false),
            textures: self.no_texture.then_some(false),
            body_height_m: self.body_height,
            faults: (!self.faults.is_empty()).then(|| self.faults.clone()),
            seed: self.seed,
            jitter: self.jitter,
            sway: self.sway,
            sway_cm: self.sway_cm,
            sway_hz: self.sway_hz,
            sway_axis: self.sway_axis,
            ended_by: self.ended_by,
        })
    }
}

fn run(cli: Cli) -> Result<()> {
    let base = match &cli.script {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Script::from_json(&text).with_context(|| format!("{}", path.display()))?
        }
        None => Script::default(),
    };
    let (settings, faults) = base.overridden_by(cli.script()?).resolve()?;
    let clip = Clip::new(settings, &faults)?;
    let mut out = Outputs::beside(&cli.out);
    if cli.no_video {
        out.video = None;
    }
    out.stills = cli.stills.clone();
    out.overlay = cli.overlay;
    let report = clip.write(&out)?;
    let video = match (&out.video, report.codec) {
        (Some(p), Some(codec)) => format!("{} ({codec}), ", p.display()),
        _ => String::new(),
    };
    eprintln!(
        "{}: {} frames, {:.2} s → {video}{}, {}",
        clip.settings.exercise.name(),
        report.frames,
        report.seconds,
        out.truth.display(),
        out.track.display()
    );
    if report.rendered > 0 {
        let per_frame = report.render_s / report.rendered as f64;
        eprintln!(
            "rendered {} frames at {:.1} frames/s ({:.1} ms per frame); {:.1} frames/s with ground truth and encoding",
            report.rendered,
            1.0 / per_frame,
            1000.0 * per_frame,
            report.frames as f64 / report.total_s
        );
    }
    if report.frames_cut > 0 {
        eprintln!(
            "warning: in {} frames part of the figure is outside the picture (try a larger --camera-distance)",
            report.frames_cut
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("posecheck-render: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
