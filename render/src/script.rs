//! What to render: every option of a clip, their defaults per exercise, validation, colours
//! and the fault syntax.
//!
//! A [`Script`] holds options as given (from a JSON file and/or the command line, every field
//! optional); [`Script::resolve`] fills in defaults and checks them, giving [`Settings`], which
//! the ground truth records in full so that a clip can be rendered again from it.

use std::fmt;

use anyhow::{Context, Result, bail, ensure};
use serde::{Deserialize, Serialize};

use crate::camera::{Placement, View};
use crate::exercises::Exercise;
use crate::skeleton::Side;
use crate::stands::{StandEnd, StandScript, SwayAxis};
use crate::variants::Variant;

/// Side plank: whether the front of the body faces the camera.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum Facing {
    Camera,
    Away,
}

/// Which side of the picture (for a side camera) the head is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum HeadEnd {
    Left,
    Right,
}

/// Options as given; `None` means "use the default".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Script {
    pub exercise: Option<Exercise>,
    pub variant: Option<Variant>,
    pub reps: Option<u32>,
    pub hold_s: Option<f64>,
    pub tempo_up_s: Option<f64>,
    pub tempo_down_s: Option<f64>,
    pub rest_start_s: Option<f64>,
    pub rest_end_s: Option<f64>,
    pub rest_between_s: Option<f64>,
    pub side: Option<Side>,
    pub facing: Option<Facing>,
    pub head: Option<HeadEnd>,
    pub camera: Option<Placement>,
    pub camera_azimuth_deg: Option<f64>,
    pub camera_height_m: Option<f64>,
    pub camera_distance_m: Option<f64>,
    pub fov_deg: Option<f64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub fps: Option<f64>,
    pub top: Option<String>,
    pub leggings: Option<String>,
    pub skin: Option<String>,
    pub hair: Option<String>,
    pub floor: Option<String>,
    pub mat: Option<String>,
    pub wall: Option<String>,
    pub light: Option<f64>,
    pub face_detail: Option<bool>,
    pub occlusion_shading: Option<bool>,
    pub textures: Option<bool>,
    pub body_height_m: Option<f64>,
    pub faults: Option<Vec<String>>,
    pub seed: Option<u64>,
    pub jitter: Option<f64>,
    pub sway: Option<f64>,
    pub sway_cm: Option<f64>,
    pub sway_hz: Option<f64>,
    pub sway_axis: Option<SwayAxis>,
    pub ended_by: Option<StandEnd>,
}

/// Every option with its value, after defaults.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Settings {
    pub exercise: Exercise,
    /// A variant of the exercise (written only when given, so that clips made before
    /// variants existed keep byte-identical ground truth).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<Variant>,
    /// Reps (bird-dog, glute bridge, superman) or holds (plank, side plank).
    pub reps: u32,
    /// Hold at the top of each rep, or the plank / side plank hold, seconds.
    pub hold_s: f64,
    pub tempo_up_s: f64,
    pub tempo_down_s: f64,
    pub rest_start_s: f64,
    pub rest_end_s: f64,
    pub rest_between_s: f64,
    /// Bird-dog: the raised arm of every rep (`None`: alternate, left first). Side plank:
    /// the forearm on the floor.
    pub side: Option<Side>,
    /// Side plank only.
    pub facing: Option<Facing>,
    /// Every exercise but the side plank (whose head end follows from side and facing).
    pub head: Option<HeadEnd>,
    /// A named placement, or `None` when `camera_azimuth_deg` gives the direction.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub camera: Option<Placement>,
    /// Degrees from side-on towards the head end; written only when given, so that clips
    /// made with a named placement keep byte-identical ground truth.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub camera_azimuth_deg: Option<f64>,
    pub camera_height_m: f64,
    pub camera_distance_m: f64,
    pub fov_deg: f64,
    pub width: u32,
    pub height: u32,
    pub fps: f64,
    pub top: String,
    pub leggings: String,
    pub skin: String,
    pub hair: String,
    pub floor: String,
    pub mat: String,
    pub wall: String,
    pub light: f64,
    // The three switches below are written into the ground truth only when off, so that
    // clips made before they existed keep byte-identical ground truth.
    /// Eyes, brows, nose, lips, ears and hair drawn (`--no-face` leaves them out).
    #[serde(skip_serializing_if = "is_true")]
    pub face_detail: bool,
    /// Ambient occlusion of one body part by another (`--no-occlusion-shading` drops it).
    #[serde(skip_serializing_if = "is_true")]
    pub occlusion_shading: bool,
    /// Wood grain, board seams and mottling on floor, mat and wall (`--no-texture`: flat).
    #[serde(skip_serializing_if = "is_true")]
    pub textures: bool,
    pub body_height_m: f64,
    pub faults: Vec<String>,
    pub seed: u64,
    pub jitter: f64,
    pub sway: f64,
    // Stands only (absent from other exercises' ground truth, which stays as it was).
    /// Peak horizontal displacement of the centre of mass in the scripted sway, cm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sway_cm: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sway_hz: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sway_axis: Option<SwayAxis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ended_by: Option<StandEnd>,
}

impl Script {
    /// Reads a script file: a JSON object of options, or a ground-truth file (whose
    /// `script` member is used, to render a clip again).
    pub fn from_json(text: &str) -> Result<Script> {
        let value: serde_json::Value = serde_json::from_str(text).context("not JSON")?;
        let inner = match value.get("script") {
            Some(s) if value.get("generator").is_some() => s.clone(),
            _ => value,
        };
        serde_json::from_value(inner).context("not a posecheck-render script")
    }

    /// `self` with every option that `over` sets replaced by its value.
    pub fn overridden_by(mut self, over: Script) -> Script {
        // The camera's direction is one choice given two ways: a flag for either replaces
        // the file's.
        if over.camera.is_some() || over.camera_azimuth_deg.is_some() {
            (self.camera, self.camera_azimuth_deg) = (None, None);
        }
        macro_rules! pick {
            ($($f:ident),+) => { Script { $($f: over.$f.or(self.$f)),+ } };
        }
        pick!(
            exercise,
            variant,
            reps,
            hold_s,
            tempo_up_s,
            tempo_down_s,
            rest_start_s,
            rest_end_s,
            rest_between_s,
            side,
            facing,
            head,
            camera,
            camera_azimuth_deg,
            camera_height_m,
            camera_distance_m,
            fov_deg,
            width,
            height,
            fps,
            top,
            leggings,
            skin,
            hair,
            floor,
            mat,
            wall,
            light,
            face_detail,
            occlusion_shading,
            textures,
            body_height_m,
            faults,
            seed,
            jitter,
            sway,
            sway_cm,
            sway_hz,
            sway_axis,
            ended_by
        )
    }

    /// Applies defaults and checks every value; faults are parsed to check them too.
    pub fn resolve(self) -> Result<(Settings, Vec<FaultSpec>)> {
        let exercise = self
            .exercise
            .context("no exercise given (use --exercise)")?;
        let d = Defaults::of(exercise);
        let is_side_plank = exercise == Exercise::SidePlank;
        if let Some(v) = self.variant {
            ensure!(
                v.exercises().contains(&exercise),
                "--variant {} does not apply to {} (it is a variant of {})",
                v.name(),
                exercise.name(),
                v.exercises()
                    .iter()
                    .map(|e| e.name())
                    .collect::<Vec<_>>()
                    .join(" and ")
            );
        }
        let stand = exercise.is_stand();
        let one_leg = matches!(
            exercise,
            Exercise::SingleLegStance | Exercise::SingleLegToeStand
        );
        // A single-leg bridge keeps one leg extended, a single-leg stand stands on one: --side
        // names it.
        // The turning turns towards --side; the tandem stance puts that foot in front.
        let sided = is_side_plank
            || one_leg
            || exercise == Exercise::Turning
            || exercise == Exercise::TandemStance
            || self.variant == Some(Variant::SingleLeg);
        if self.side.is_some() && !(sided || exercise.sided()) {
            bail!(
                "--side applies to bird_dog, side_plank, kickback, dead_bug, the single_leg glute_bridge, the single-leg stands (the standing leg), the tandem stance (the foot in front) and turning (the way it turns) only"
            );
        }
        let stand_options = [
            self.sway_cm.is_some(),
            self.sway_hz.is_some(),
            self.sway_axis.is_some(),
            self.ended_by.is_some(),
        ];
        if !stand && stand_options.contains(&true) {
            bail!(
                "--sway-cm, --sway-hz, --sway-axis and --ended-by apply to the standing exercises only"
            );
        }
        if stand && self.faults.as_ref().is_some_and(|f| !f.is_empty()) {
            bail!("--fault does not apply to the standing exercises (use --ended-by)");
        }
        if self.facing.is_some() && !is_side_plank {
            bail!("--facing applies to side_plank only");
        }
        if self.head.is_some() && is_side_plank {
            bail!(
                "--head does not apply to side_plank (its head end follows from --side and --facing)"
            );
        }
        if self.camera.is_some() && self.camera_azimuth_deg.is_some() {
            bail!("give --camera or --camera-azimuth, not both");
        }
        let colour = |given: Option<String>, default: &str, what: &str| -> Result<String> {
            let text = given.unwrap_or_else(|| default.to_string());
            let rgb = parse_colour(&text).with_context(|| format!("--{what}"))?;
            Ok(format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]))
        };
        let s = Settings {
            exercise,
            variant: self.variant,
            reps: self.reps.unwrap_or(d.reps),
            hold_s: self.hold_s.unwrap_or(d.hold_s),
            tempo_up_s: self.tempo_up_s.unwrap_or(d.tempo_s),
            tempo_down_s: self.tempo_down_s.unwrap_or(d.tempo_s),
            rest_start_s: self.rest_start_s.unwrap_or(1.0),
            rest_end_s: self.rest_end_s.unwrap_or(1.0),
            rest_between_s: self.rest_between_s.unwrap_or(d.rest_between_s),
            side: if sided {
                Some(self.side.unwrap_or(Side::Left))
            } else {
                self.side
            },
            facing: is_side_plank.then(|| self.facing.unwrap_or(Facing::Camera)),
            head: (!is_side_plank).then(|| self.head.unwrap_or(HeadEnd::Left)),
            camera: match self.camera_azimuth_deg {
                Some(_) => None,
                None => Some(self.camera.unwrap_or(Placement::Side)),
            },
            camera_azimuth_deg: self.camera_azimuth_deg,
            // A phone filming a standing body stands at mid-body height.
            camera_height_m: self
                .camera_height_m
                .unwrap_or(if stand { 1.0 } else { 0.55 }),
            camera_distance_m: self.camera_distance_m.unwrap_or(3.0),
            // The field of view is horizontal: a phone held upright sees 58° along its long
            // side, 35° across.
            fov_deg: self.fov_deg.unwrap_or(if stand { 35.0 } else { 58.0 }),
            // Portrait for a standing body: landscape at 58° does not fit 1.70 m inside 3 m.
            width: self.width.unwrap_or(if stand { 360 } else { 640 }),
            height: self.height.unwrap_or(if stand { 640 } else { 360 }),
            fps: self.fps.unwrap_or(30.0),
            top: colour(self.top, "#24a0ad", "top")?,
            leggings: colour(self.leggings, "#22232b", "leggings")?,
            skin: colour(self.skin, "#e0ac8a", "skin")?,
            hair: colour(self.hair, "#4a3020", "hair")?,
            floor: colour(self.floor, "#a88660", "floor")?,
            mat: colour(self.mat, "#6a4c9c", "mat")?,
            wall: colour(self.wall, "#a8a69c", "wall")?,
            light: self.light.unwrap_or(1.0),
            face_detail: self.face_detail.unwrap_or(true),
            occlusion_shading: self.occlusion_shading.unwrap_or(true),
            textures: self.textures.unwrap_or(true),
            body_height_m: self.body_height_m.unwrap_or(1.70),
            faults: self.faults.unwrap_or_default(),
            seed: self.seed.unwrap_or(1),
            jitter: self.jitter.unwrap_or(0.04),
            sway: self.sway.unwrap_or(1.0),
            sway_cm: stand.then(|| self.sway_cm.unwrap_or(0.0)),
            sway_hz: stand.then(|| self.sway_hz.unwrap_or(0.3)),
            sway_axis: stand.then(|| self.sway_axis.unwrap_or(SwayAxis::SideToSide)),
            ended_by: stand.then(|| self.ended_by.unwrap_or(StandEnd::TimeUp)),
        };
        s.check()?;
        let faults = s
            .faults
            .iter()
            .map(|f| FaultSpec::parse(f, exercise))
            .collect::<Result<Vec<_>>>()?;
        for f in &faults {
            ensure!(
                f.index() <= s.reps,
                "fault '{}': there are only {} {}",
                f.text,
                s.reps,
                s.unit()
            );
        }
        Ok((s, faults))
    }
}

fn is_true(b: &bool) -> bool {
    *b
}

struct Defaults {
    reps: u32,
    hold_s: f64,
    tempo_s: f64,
    rest_between_s: f64,
}

impl Defaults {
    fn of(e: Exercise) -> Defaults {
        let (reps, hold_s, tempo_s, rest_between_s) = match e {
            Exercise::BirdDog => (4, 2.0, 1.2, 0.8),
            Exercise::GluteBridge => (5, 1.0, 1.2, 0.6),
            Exercise::Superman => (3, 3.0, 1.2, 1.0),
            Exercise::SidePlank | Exercise::Plank => (1, 10.0, 1.5, 2.0),
            Exercise::Kickback => (8, 0.4, 0.8, 0.4),
            Exercise::CatCow => (4, 1.0, 1.5, 0.3),
            Exercise::DeadBug => (6, 0.8, 1.2, 0.5),
            Exercise::PushUp => (6, 0.2, 0.9, 0.3),
            Exercise::ChildsPose => (1, 10.0, 2.0, 2.0),
            // Two rounds of right, left, up, on the toes; the hold lasts the looks.
            Exercise::HeadTurns => (6, 1.0, 0.5, 0.0),
            // Two turns; the hold lasts the turns.
            Exercise::Turning => (2, 1.0, 0.5, 0.0),
            // One attempt; the tempo is that of raising a leg or the heels, or of a loss of
            // balance (a foot coming down, a step).
            _ => (1, 8.0, 0.5, 0.0),
        };
        Defaults {
            reps,
            hold_s,
            tempo_s,
            rest_between_s,
        }
    }
}

impl Settings {
    /// Where the camera looks from.
    pub fn view(&self) -> View {
        match (self.camera, self.camera_azimuth_deg) {
            (_, Some(deg)) => View::Azimuth(deg as f32),
            (Some(p), None) => View::Named(p),
            (None, None) => View::Named(Placement::Side),
        }
    }

    /// The camera's direction in words: the placement's name, or `azimuth_30`.
    pub fn view_name(&self) -> String {
        match self.view() {
            View::Named(p) => p.name().to_string(),
            View::Azimuth(deg) => format!("azimuth_{deg}"),
        }
    }

    /// "reps" or "holds": what `reps` counts for this exercise.
    pub fn unit(&self) -> &'static str {
        if self.exercise.is_hold() {
            "holds"
        } else {
            "reps"
        }
    }

    fn check(&self) -> Result<()> {
        let within = |v: f64, lo: f64, hi: f64, what: &str| -> Result<()> {
            ensure!(
                v.is_finite() && (lo..=hi).contains(&v),
                "{what} must be between {lo} and {hi} (got {v})"
            );
            Ok(())
        };
        ensure!(
            (1..=100).contains(&self.reps),
            "reps must be between 1 and 100 (got {})",
            self.reps
        );
        within(self.hold_s, 0.2, 600.0, "hold")?;
        within(self.tempo_up_s, 0.3, 10.0, "tempo (up)")?;
        within(self.tempo_down_s, 0.3, 10.0, "tempo (down)")?;
        within(self.rest_start_s, 0.0, 60.0, "rest at the start")?;
        within(self.rest_end_s, 0.0, 60.0, "rest at the end")?;
        within(self.rest_between_s, 0.0, 60.0, "rest between reps")?;
        if let Some(a) = self.camera_azimuth_deg {
            within(a, 0.0, 90.0, "camera azimuth")?;
        }
        within(self.camera_height_m, 0.05, 5.0, "camera height")?;
        within(self.camera_distance_m, 1.0, 20.0, "camera distance")?;
        within(self.fov_deg, 20.0, 120.0, "field of view")?;
        within(self.fps, 5.0, 120.0, "fps")?;
        within(self.light, 0.1, 5.0, "light")?;
        within(self.body_height_m, 1.2, 2.2, "body height")?;
        within(self.jitter, 0.0, 0.3, "jitter")?;
        within(self.sway, 0.0, 3.0, "sway")?;
        let even = |v: u32, what: &str| -> Result<()> {
            ensure!(
                (64..=3840).contains(&v) && v.is_multiple_of(2),
                "{what} must be an even number of pixels from 64 to 3840 (got {v})"
            );
            Ok(())
        };
        even(self.width, "width")?;
        even(self.height, "height")?;
        if let Some(stand) = self.stand() {
            if self.exercise.counts_moves() {
                ensure!(
                    (1..=30).contains(&self.reps),
                    "--reps (the head turns' looks, the turning's turns) must be from 1 to 30 (got {})",
                    self.reps
                );
            } else {
                ensure!(
                    self.reps == 1,
                    "a stand is one attempt: --reps does not apply"
                );
            }
            within(stand.sway_m * 100.0, 0.0, 10.0, "sway amplitude (cm)")?;
            within(stand.sway_hz, 0.05, 3.0, "sway frequency (Hz)")?;
            stand.check(self.exercise)?;
            ensure!(
                matches!(
                    stand.ended_by,
                    StandEnd::TimeUp | StandEnd::Step | StandEnd::HandsLeftWaist
                ) || self.hold_s >= self.tempo_down_s,
                "--ended-by {}: the hold ({} s) must be at least the way down (--tempo, {} s)",
                stand.ended_by.name(),
                self.hold_s,
                self.tempo_down_s
            );
        }
        Ok(())
    }

    /// The stand's sway and end (standing exercises only).
    pub fn stand(&self) -> Option<StandScript> {
        Some(StandScript {
            sway_m: self.sway_cm? / 100.0,
            sway_hz: self.sway_hz?,
            axis: self.sway_axis?,
            ended_by: self.ended_by?,
            reps: if self.exercise.counts_moves() {
                self.reps
            } else {
                0
            },
            variant: self.variant,
        })
    }
}

/// Faults the renderer can put into a clip.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultCode {
    HipsSagging,
    HipsPiked,
    HipsDropping,
    HipsNotExtended,
    ArmBelowLevel,
    LegBelowLevel,
    BentKnee,
    JerkyMovement,
    HoldBroken,
}

impl FaultCode {
    pub const ALL: [FaultCode; 9] = [
        FaultCode::HipsSagging,
        FaultCode::HipsPiked,
        FaultCode::HipsDropping,
        FaultCode::HipsNotExtended,
        FaultCode::ArmBelowLevel,
        FaultCode::LegBelowLevel,
        FaultCode::BentKnee,
        FaultCode::JerkyMovement,
        FaultCode::HoldBroken,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FaultCode::HipsSagging => "hips_sagging",
            FaultCode::HipsPiked => "hips_piked",
            FaultCode::HipsDropping => "hips_dropping",
            FaultCode::HipsNotExtended => "hips_not_extended",
            FaultCode::ArmBelowLevel => "arm_below_level",
            FaultCode::LegBelowLevel => "leg_below_level",
            FaultCode::BentKnee => "bent_knee",
            FaultCode::JerkyMovement => "jerky_movement",
            FaultCode::HoldBroken => "hold_broken",
        }
    }

    fn exercises(self) -> &'static [Exercise] {
        use Exercise::*;
        match self {
            FaultCode::HipsSagging => &[Plank],
            FaultCode::HipsPiked => &[Plank, SidePlank],
            FaultCode::HipsDropping => &[SidePlank],
            FaultCode::HipsNotExtended => &[GluteBridge],
            FaultCode::ArmBelowLevel | FaultCode::LegBelowLevel | FaultCode::BentKnee => &[BirdDog],
            FaultCode::JerkyMovement | FaultCode::HoldBroken => {
                &[BirdDog, GluteBridge, Superman, Plank, SidePlank]
            }
        }
    }

    /// The unit of the fault's size (`CODE@WHEN=SIZE`), the largest size the figure can
    /// show, and the size from which a coach calls it (smaller is advice at most):
    /// centimetres of hip offset from the ankle–shoulder line, degrees short of a straight
    /// shoulder–hip–knee line, degrees below horizontal, degrees of knee bend.
    pub fn grading(self) -> Option<(&'static str, f64, f64)> {
        match self {
            // About a 10° bend at the hips of a 1.70 m body.
            FaultCode::HipsSagging | FaultCode::HipsPiked | FaultCode::HipsDropping => {
                Some(("cm", 30.0, 6.0))
            }
            // A clean bridge tops out 5° short of straight.
            FaultCode::HipsNotExtended => Some(("deg", 60.0, 20.0)),
            FaultCode::ArmBelowLevel => Some(("deg", 60.0, 15.0)),
            // Lower and a 1.70 m person's toes touch the mat.
            FaultCode::LegBelowLevel => Some(("deg", 28.0, 15.0)),
            FaultCode::BentKnee => Some(("deg", 120.0, 40.0)),
            FaultCode::JerkyMovement | FaultCode::HoldBroken => None,
        }
    }

    /// Posture faults of a hold that can be placed at any time span within it.
    pub fn is_span(self) -> bool {
        matches!(
            self,
            FaultCode::HipsSagging | FaultCode::HipsPiked | FaultCode::HipsDropping
        )
    }
}

impl fmt::Display for FaultCode {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// When a fault happens: in rep (or hold) n, or from `from_s` to `to_s` seconds after hold n
/// begins.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum When {
    Rep(u32),
    Span { hold: u32, from_s: f64, to_s: f64 },
}

/// A parsed `--fault` value.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultSpec {
    pub code: FaultCode,
    pub when: When,
    /// The size asked for (`=SIZE`), in the code's unit ([`FaultCode::grading`]).
    pub size: Option<f64>,
    pub text: String,
}

impl FaultSpec {
    /// `CODE@N` (rep or hold N, 1-based), `CODE@A-B` (A to B seconds into the first hold) or
    /// `CODE@N:A-B` (A to B seconds into hold N). Spans are for hips_sagging, hips_piked and
    /// hips_dropping only; `@N` for those covers the middle of hold N. A size may follow,
    /// `=8cm` or `=12deg` ([`FaultCode::grading`] gives the unit).
    pub fn parse(text: &str, exercise: Exercise) -> Result<FaultSpec> {
        let (spec, size) = match text.split_once('=') {
            Some((spec, size)) => (spec, Some(size)),
            None => (text, None),
        };
        let (name, at) = spec
            .split_once('@')
            .with_context(|| format!("fault '{text}': expected CODE@REP or CODE@FROM-TO"))?;
        let code = FaultCode::ALL
            .into_iter()
            .find(|c| c.name() == name)
            .with_context(|| {
                let names: Vec<_> = FaultCode::ALL.iter().map(|c| c.name()).collect();
                format!(
                    "fault '{text}': unknown code '{name}' (known: {})",
                    names.join(", ")
                )
            })?;
        ensure!(
            code.exercises().contains(&exercise),
            "fault '{text}': {name} does not apply to {}",
            exercise.name()
        );
        let index = |s: &str| -> Result<u32> {
            let n: u32 = s
                .parse()
                .with_context(|| format!("fault '{text}': '{s}' is not a rep number"))?;
            ensure!(n >= 1, "fault '{text}': reps are counted from 1");
            Ok(n)
        };
        let (hold, span) = match at.split_once(':') {
            Some((n, span)) => (index(n)?, Some(span)),
            None if at.contains('-') => (1, Some(at)),
            None => (index(at)?, None),
        };
        let when = match span {
            None => When::Rep(hold),
            Some(span) => {
                ensure!(
                    code.is_span(),
                    "fault '{text}': {name} is given per rep (CODE@N), not as a time span"
                );
                let (a, b) = span
                    .split_once('-')
                    .with_context(|| format!("fault '{text}': expected FROM-TO seconds"))?;
                let secs = |s: &str| -> Result<f64> {
                    s.trim().parse().with_context(|| {
                        format!("fault '{text}': '{s}' is not a number of seconds")
                    })
                };
                let (from_s, to_s) = (secs(a)?, secs(b)?);
                ensure!(
                    from_s >= 0.0 && to_s > from_s,
                    "fault '{text}': the span must run forwards from 0 s or later"
                );
                When::Span { hold, from_s, to_s }
            }
        };
        let size = size
            .map(|size| -> Result<f64> {
                let (unit, most, _) = code.grading().with_context(|| {
                    format!("fault '{text}': {name} has no size (drop the '={size}')")
                })?;
                let number = size.trim().strip_suffix(unit).with_context(|| {
                    format!(
                        "fault '{text}': the size of {name} is given in {unit}, e.g. ={most}{unit}"
                    )
                })?;
                let v: f64 = number.trim().parse().with_context(|| {
                    format!("fault '{text}': '{number}' is not a number of {unit}")
                })?;
                ensure!(
                    v.is_finite() && v > 0.0 && v <= most,
                    "fault '{text}': the size of {name} must be above 0 and at most {most} {unit}"
                );
                Ok(v)
            })
            .transpose()?;
        Ok(FaultSpec {
            code,
            when,
            size,
            text: text.to_string(),
        })
    }

    /// The rep or hold the fault belongs to (1-based).
    pub fn index(&self) -> u32 {
        match self.when {
            When::Rep(n) | When::Span { hold: n, .. } => n,
        }
    }
}

/// `#rrggbb`, `rrggbb`, or one of a few names (including skin tones).
pub fn parse_colour(text: &str) -> Result<[u8; 3]> {
    const NAMES: [(&str, u32); 22] = [
        ("teal", 0x24a0ad),
        ("navy", 0x1f2a4a),
        ("black", 0x1c1c20),
        ("charcoal", 0x22232b),
        ("grey", 0x808080),
        ("gray", 0x808080),
        ("white", 0xe8e8e8),
        ("red", 0xc0392b),
        ("blue", 0x2e6fd1),
        ("green", 0x2e9e5b),
        ("purple", 0x6a4c9c),
        ("orange", 0xe67e22),
        ("pink", 0xe58fb1),
        ("yellow", 0xe5c84a),
        ("maroon", 0x7a2436),
        ("brown", 0x4a3020),
        ("blond", 0xc9a25e),
        ("light", 0xf0c8a8),
        ("medium", 0xe0ac8a),
        ("tan", 0xc08a62),
        ("dark", 0x7a4e33),
        ("deep", 0x4e3022),
    ];
    let t = text.trim().to_ascii_lowercase();
    let value = match NAMES.iter().find(|(n, _)| *n == t) {
        Some(&(_, v)) => v,
        None => {
            let hex = t.strip_prefix('#').unwrap_or(&t);
            ensure!(
                hex.len() == 6,
                "colour '{text}' is not #rrggbb or a known name"
            );
            u32::from_str_radix(hex, 16)
                .map_err(|_| anyhow::anyhow!("colour '{text}' is not #rrggbb or a known name"))?
        }
    };
    Ok([(value >> 16) as u8, (value >> 8) as u8, value as u8])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(e: Exercise) -> Script {
        Script {
            exercise: Some(e),
            ..Script::default()
        }
    }

    #[test]
    fn faults_parse_per_rep_and_per_span() -> Result<()> {
        let f = FaultSpec::parse("hips_sagging@1:4-8=3cm", Exercise::Plank)?;
        assert_eq!((f.code, f.size), (FaultCode::HipsSagging, Some(3.0)));
        let f = FaultSpec::parse("leg_below_level@2=8.5deg", Exercise::BirdDog)?;
        assert_eq!((f.when, f.size), (When::Rep(2), Some(8.5)));
        let f = FaultSpec::parse("hips_not_extended@3", Exercise::GluteBridge)?;
        assert_eq!((f.code, f.when), (FaultCode::HipsNotExtended, When::Rep(3)));
        let f = FaultSpec::parse("hips_dropping@6-8.5", Exercise::SidePlank)?;
        assert_eq!(
            f.when,
            When::Span {
                hold: 1,
                from_s: 6.0,
                to_s: 8.5
            }
        );
        let f = FaultSpec::parse("hips_sagging@2:1-3", Exercise::Plank)?;
        assert_eq!(
            f.when,
            When::Span {
                hold: 2,
                from_s: 1.0,
                to_s: 3.0
            }
        );
        for bad in [
            "hips_sagging@1-2",
            "bent_knee@0",
            "nonsense@1",
            "bent_knee",
            "arm_below_level@2-3",
            "bent_knee@2=30cm",
            "bent_knee@2=deg",
            "bent_knee@2=0deg",
            "leg_below_level@2=40deg",
            "jerky_movement@2=3deg",
        ] {
            assert!(
                FaultSpec::parse(bad, Exercise::BirdDog).is_err(),
                "{bad} accepted"
            );
        }
        Ok(())
    }

    #[test]
    fn defaults_depend_on_the_exercise_and_bad_values_are_refused() -> Result<()> {
        let (s, _) = script(Exercise::GluteBridge).resolve()?;
        assert_eq!((s.reps, s.width, s.height, s.fps), (5, 640, 360, 30.0));
        assert_eq!(s.side, None);
        let (s, _) = script(Exercise::SidePlank).resolve()?;
        assert_eq!(
            (s.side, s.facing, s.head),
            (Some(Side::Left), Some(Facing::Camera), None)
        );
        let bad = [
            Script {
                reps: Some(0),
                ..script(Exercise::Superman)
            },
            Script {
                fps: Some(-3.0),
                ..script(Exercise::Superman)
            },
            Script {
                side: Some(Side::Left),
                ..script(Exercise::Plank)
            },
            Script {
                width: Some(641),
                ..script(Exercise::Plank)
            },
            Script {
                top: Some("#12".into()),
                ..script(Exercise::Plank)
            },
            Script {
                faults: Some(vec!["bent_knee@9".into()]),
                ..script(Exercise::BirdDog)
            },
            Script::default(),
        ];
        for b in bad {
            assert!(b.clone().resolve().is_err(), "{b:?} accepted");
        }
        Ok(())
    }

    #[test]
    fn look_switches_default_on_and_are_written_only_when_off() -> Result<()> {
        let (s, _) = script(Exercise::BirdDog).resolve()?;
        assert!(s.face_detail && s.occlusion_shading && s.textures);
        let written = serde_json::to_value(&s)?;
        for key in ["face_detail", "occlusion_shading", "textures"] {
            assert!(written.get(key).is_none(), "{key} written while on");
        }
        let (off, _) = Script {
            face_detail: Some(false),
            occlusion_shading: Some(false),
            textures: Some(false),
            ..script(Exercise::BirdDog)
        }
        .resolve()?;
        let text = serde_json::to_string(&off)?;
        for key in ["face_detail", "occlusion_shading", "textures"] {
            assert!(text.contains(&format!("\"{key}\":false")), "{key} missing");
        }
        let (again, _) = Script::from_json(&text)?.resolve()?;
        assert_eq!(again, off);
        // The command line switches one off over a script that has it on.
        let (over, _) = Script {
            textures: Some(true),
            ..script(Exercise::Plank)
        }
        .overridden_by(Script {
            textures: Some(false),
            ..Script::default()
        })
        .resolve()?;
        assert!(!over.textures && over.face_detail);
        Ok(())
    }

    #[test]
    fn an_azimuth_replaces_the_placement_and_reads_back() -> Result<()> {
        let (s, _) = Script {
            camera_azimuth_deg: Some(30.0),
            ..script(Exercise::Plank)
        }
        .resolve()?;
        assert_eq!((s.camera, s.view()), (None, View::Azimuth(30.0)));
        let text = serde_json::to_string(&s)?;
        assert!(!text.contains("\"camera\":"), "{text}");
        assert_eq!(Script::from_json(&text)?.resolve()?.0, s);
        // A flag for either replaces the file's camera; both at once, or out of range, is
        // refused.
        let (flag, _) = Script::from_json(&text)?
            .overridden_by(Script {
                camera: Some(Placement::Front),
                ..Script::default()
            })
            .resolve()?;
        assert_eq!(flag.view(), View::Named(Placement::Front));
        for (camera, azimuth) in [(Some(Placement::Side), Some(10.0)), (None, Some(91.0))] {
            let bad = Script {
                camera,
                camera_azimuth_deg: azimuth,
                ..script(Exercise::Plank)
            };
            assert!(bad.resolve().is_err(), "{camera:?} {azimuth:?} accepted");
        }
        Ok(())
    }

    #[test]
    fn a_resolved_script_reads_back_as_the_same_settings() -> Result<()> {
        let (s, _) = Script {
            faults: Some(vec!["bent_knee@2".into()]),
            skin: Some("tan".into()),
            ..script(Exercise::BirdDog)
        }
        .resolve()?;
        let text = serde_json::to_string(
            &serde_json::json!({"generator": "posecheck-render", "script": s}),
        )?;
        let (again, _) = Script::from_json(&text)?.resolve()?;
        assert_eq!(again, s);
        assert_eq!(parse_colour("tan")?, [0xc0, 0x8a, 0x62]);
        Ok(())
    }
}
