//! Postural sway of a balance attempt: the centre of mass's path along the horizontal axis the
//! camera sees, in body heights (and centimetres when the person's height is known). Measures
//! after Prieto et al., "Measures of postural steadiness", IEEE Trans. Biomed. Eng. 43(9),
//! 1996: path length, mean velocity, RMS distance from the mean position.
//!
//! One camera sees one horizontal axis: side to side when filmed from the front, front to back
//! from the side, a blend of both at an angle. The 95 % confidence ellipse needs both axes, so
//! it is given only when both are measured (never from one camera: the model's depth estimate
//! is no measurement of them).

use super::com::{body_height_px, centre_of_mass};
use crate::geometry::Vec2;
use crate::pose::Pose;
use crate::report::model::{Sway, SwayAxis, SwayCm};
use crate::skeleton::{Joint, Part, Side, slot};

/// What the person told posecheck about the session.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BalanceSettings {
    /// Their height, for sway in centimetres.
    pub height_cm: Option<f64>,
    /// When their eyes were closed (seconds from the start; `f64::INFINITY` ends a span at the
    /// end of the session).
    pub eyes_closed: Vec<(f64, f64)>,
}

impl BalanceSettings {
    /// Declares from `t` on whether the eyes are closed (a guided routine's eyes-closed step
    /// opens a span when it begins and closes it when it ends).
    pub fn declare_eyes(&mut self, t: f64, closed: bool) {
        let open_span = self.eyes_closed.last_mut().filter(|s| s.1 == f64::INFINITY);
        match (open_span, closed) {
            (None, true) => self.eyes_closed.push((t, f64::INFINITY)),
            (Some(span), false) => span.1 = t,
            _ => {}
        }
    }

    /// Whether the eyes were closed at `t`.
    pub fn eyes_closed_at(&self, t: f64) -> bool {
        self.eyes_closed.iter().any(|(a, b)| (*a..=*b).contains(&t))
    }
}

/// The centre of mass is smoothed over this window before its path is measured: postural sway
/// lies below 1-2 Hz (Prieto et al. 1996; force plates low-pass it at 5-10 Hz), while the
/// keypoints' frame-to-frame jitter is at the frame rate and would count as path.
const SMOOTHING_S: f64 = 0.2;
/// An attempt is measured only when the whole body was seen over this share of it: sway over
/// gaps would be sway of the frames that happened to be seen.
const MIN_COVERAGE: f64 = 0.8;
/// Attempts shorter than this (after settling) have no sway worth a number.
const MIN_ATTEMPT_S: f64 = 1.0;
/// The first moments of an attempt are not measured: an attempt starts while the body is still
/// moving into the stance (the raised foot is timed from 0.2 torso lengths up in 3-D, while the
/// leg is still rising), and the keypoint smoothing still carries that movement for a few
/// frames after.
/// Measured on the rendered balance stands (posecheck eval --matrix balance): the measured
/// centre of mass settles within 0.3 s of the start; left out 0.3, 0.5 or 1.0 s, 22 of 24
/// sways read within 15 % (21 measured from the start).
pub const SETTLE_S: f64 = 0.5;
/// Seconds of samples kept: the longest attempt measured (the routine's holds are 10-30 s).
const KEEP_S: f64 = 120.0;
/// Samples a second kept for plots.
const TRACE_HZ: f64 = 10.0;
/// Shoulder width over torso length: from the front about 0.8-0.9 (Winter 2009: biacromial
/// 0.245 H, torso 0.288 H), from the side 0.1-0.2. Between these the view is oblique.
const FRONT_SPAN: f64 = 0.65;
const SIDE_SPAN: f64 = 0.25;

/// A standing foot this far (body heights) from its median over [`FOOT_MEDIAN_S`] around a
/// frame has not moved: the model has lost it there, and the frame is left out. 0.03 is 5 cm
/// on an adult; on the rendered flamingo stand filmed from the side the lost frames' ankle
/// lies 0.1 body heights off, and an ankle's jitter on the rendered and real stands is a few
/// pixels (under 0.01).
const FOOT_JUMP: f64 = 0.03;
const FOOT_MEDIAN_S: f64 = 1.0;

/// With one ankle this far (torso lengths) above the other, that foot is off the floor and the
/// body stands on the lower one (the single-leg stance times a raised foot from 0.2 in 3-D).
const FOOT_OFF_FLOOR: f64 = 0.15;

#[derive(Clone, Copy, Debug)]
struct Sample {
    t: f64,
    /// Horizontal position of the centre of mass, pixels. Sway is measured from the standing
    /// feet, which stand still through an attempt, so that a handheld phone's pans and shakes
    /// are not taken for sway (both real balance clips are handheld); the feet's own jitter is
    /// the price.
    com_x: f64,
    /// Each ankle's horizontal position (left, right: by [`slot`] less one).
    ankle_x: [f64; 2],
    /// Each foot's, as the mean of its ankle, heel and toe, when all were seen. Filmed from
    /// the front or at an angle the foot points at the camera and the three stand over one
    /// spot: their mean jitters less than the ankle alone. From the side the foot lies along
    /// the axis of sway and the model slides heel and toe along it, so the ankle alone is
    /// steadier. Rendered single-leg stances (posecheck eval --matrix balance): with the mean,
    /// front views 12 -> 13 of 13 within 15 % (1 cm at 2 m: -18 -> -14 %); with the mean from
    /// the side as well, 22 -> 20 of 24 stands within 15 % (1 cm at 3 m +8 -> +14 %).
    foot_x: [Option<f64>; 2],
    /// How far the left ankle is below the right in the picture, torso lengths.
    left_lower: f64,
    height_px: f64,
    /// Shoulder width over torso length.
    span: f64,
}

impl Sample {
    /// The feet the body stands on when the left ankle is `left_lower` below the right: the
    /// lower one, or both.
    fn standing(left_lower: f64) -> &'static [Side] {
        if left_lower.abs() <= FOOT_OFF_FLOOR {
            &[Side::Left, Side::Right]
        } else if left_lower > 0.0 {
            &[Side::Left]
        } else {
            &[Side::Right]
        }
    }

    /// Where the `standing` feet are across the picture (their whole feet, or their ankles),
    /// pixels; `None` when a whole foot asked for was not seen.
    fn feet(&self, standing: &[Side], whole_feet: bool) -> Option<f64> {
        // On one foot, the foot on the floor is the lower one, whatever the model calls it.
        // Filmed from the side it can swap the legs' names for a few frames (the rendered
        // flamingo stand: 13 of 285), which would move the reference from one foot to the
        // other and read as sway; the centre of mass is the same under either name.
        let standing = match Sample::standing(self.left_lower) {
            here @ [_] if standing.len() == 1 => here,
            _ => standing,
        };
        let mut sum = 0.0;
        for &side in standing {
            let i = slot(Some(side)) - 1;
            sum += if whole_feet {
                self.foot_x[i]?
            } else {
                self.ankle_x[i]
            };
        }
        Some(sum / standing.len() as f64)
    }

    /// The centre of mass over the `standing` feet, pixels.
    fn over(&self, standing: &[Side], whole_feet: bool) -> Option<f64> {
        Some(self.com_x - self.feet(standing, whole_feet)?)
    }
}

/// The centre of mass over the last two minutes, for the attempts that end in them.
#[derive(Default)]
pub struct SwayRecorder {
    samples: std::collections::VecDeque<Sample>,
    /// Times of the frames in which someone else was in view.
    crowded: std::collections::VecDeque<f64>,
}

impl SwayRecorder {
    /// Records one frame (`torso` in pixels). `seen` and `behind_twins` are by joint index,
    /// as the signals' [`crate::exercise::signals::Frame`] has them: the centre of mass takes
    /// a leg hidden behind the other where the model places it (filmed from the side with the
    /// feet together, the far leg stands right behind the near one).
    pub fn push(&mut self, t: f64, pose: &Pose, seen: &[bool], behind_twins: &[bool], torso: f32) {
        while self.samples.front().is_some_and(|s| t - s.t > KEEP_S) {
            self.samples.pop_front();
        }
        while self.crowded.front().is_some_and(|c| t - c > KEEP_S) {
            self.crowded.pop_front();
        }
        if pose.others > 0 {
            self.crowded.push_back(t);
        }
        let (Some(c), Some(h)) = (
            centre_of_mass(pose, behind_twins),
            body_height_px(pose, behind_twins),
        ) else {
            return;
        };
        let span = (pose.pos(Joint::LeftShoulder) - pose.pos(Joint::RightShoulder)).length()
            / torso.max(1.0);
        let (l, r) = (pose.pos(Joint::LeftAnkle), pose.pos(Joint::RightAnkle));
        // Each foot's ankle, heel and toe, if all were seen.
        let foot = |side: Side| {
            let joints = [Part::Ankle, Part::Heel, Part::FootIndex].map(|p| p.joint(side));
            joints.iter().all(|j| seen[*j as usize]).then(|| {
                let sum = joints.iter().fold(Vec2::default(), |a, j| a + pose.pos(*j));
                (sum.x / 3.0) as f64
            })
        };
        self.samples.push_back(Sample {
            t,
            com_x: c.x as f64,
            ankle_x: [l.x as f64, r.x as f64],
            foot_x: [foot(Side::Left), foot(Side::Right)],
            left_lower: ((l.y - r.y) / torso.max(1.0)) as f64,
            height_px: h as f64,
            span: span as f64,
        });
    }

    /// The centre of mass's horizontal position over the last `seconds`, body heights from its
    /// mean there (for a live trace).
    pub fn recent(&self, seconds: f64) -> Vec<f32> {
        let Some(last) = self.samples.back() else {
            return Vec::new();
        };
        let recent: Vec<&Sample> = self
            .samples
            .iter()
            .filter(|s| last.t - s.t <= seconds)
            .collect();
        // Over the feet each frame stands on (a trace to watch, not a measurement).
        let x: Vec<(f64, f64)> = recent
            .iter()
            .filter_map(|s| Some((s.over(Sample::standing(s.left_lower), false)?, s.height_px)))
            .collect();
        let mean = x.iter().map(|v| v.0).sum::<f64>() / x.len() as f64;
        x.iter().map(|(x, h)| ((x - mean) / h) as f32).collect()
    }

    /// Whether someone else was in view at any time from `start_s` to `end_s`.
    pub fn crowded(&self, start_s: f64, end_s: f64) -> bool {
        self.crowded
            .iter()
            .any(|t| (start_s - 1e-6..=end_s + 1e-6).contains(t))
    }

    /// The sway of the attempt from `start_s` to `end_s`, measured once it has settled (from
    /// [`SETTLE_S`] after its start); `None` when too little of it was seen.
    pub fn measure(&self, start_s: f64, end_s: f64, height_cm: Option<f64>) -> Option<Sway> {
        let start_s = start_s + SETTLE_S;
        let s: Vec<Sample> = self
            .samples
            .iter()
            .copied()
            .filter(|x| x.t >= start_s - 1e-6 && x.t <= end_s + 1e-6)
            .collect();
        let duration = end_s - start_s;
        if duration < MIN_ATTEMPT_S || s.len() < 10 {
            return None;
        }
        let frame_s = (s[s.len() - 1].t - s[0].t) / (s.len() - 1) as f64;
        if s.len() as f64 * frame_s < MIN_COVERAGE * duration {
            return None;
        }
        let height = median(s.iter().map(|x| x.height_px).collect());
        let span = median(s.iter().map(|x| x.span).collect());
        let axis = if span >= FRONT_SPAN {
            SwayAxis::SideToSide
        } else if span <= SIDE_SPAN {
            SwayAxis::FrontToBack
        } else {
            SwayAxis::Mixed
        };
        // One reference for the whole attempt (a switch between them would read as sway): the
        // feet it stands on over most of it (a tandem stance filmed at 45° has its front ankle
        // 0.14-0.18 torso lengths below the back one, either side of FOOT_OFF_FLOOR frame by
        // frame), by their whole feet unless filmed from the side or not always seen.
        let standing = Sample::standing(median(s.iter().map(|x| x.left_lower).collect()));
        let whole_feet = span > SIDE_SPAN && s.iter().all(|x| x.over(standing, true).is_some());
        let feet: Vec<Option<f64>> = s.iter().map(|x| x.feet(standing, whole_feet)).collect();
        // The standing foot stands still: a frame whose foot is far from where it stood just
        // before and after is the model losing the legs (from the side, a foot raised behind
        // the standing one merges with it for a few frames, both ankles placed between the
        // two feet), and would read as sway. A handheld camera's pans move the foot slowly,
        // and the median follows them.
        let over: Vec<(f64, f64)> = s
            .iter()
            .zip(&feet)
            .filter_map(|(x, foot)| {
                let foot = (*foot)?;
                let around: Vec<f64> = s
                    .iter()
                    .zip(&feet)
                    .filter(|(o, _)| (o.t - x.t).abs() <= FOOT_MEDIAN_S / 2.0)
                    .filter_map(|(_, f)| *f)
                    .collect();
                ((foot - median(around)).abs() <= FOOT_JUMP * height)
                    .then_some((x.t, x.com_x - foot))
            })
            .collect();
        if over.len() as f64 * frame_s < MIN_COVERAGE * duration {
            return None;
        }
        let x: Vec<f64> = smoothed(&over).iter().map(|v| v / height).collect();
        let mean = x.iter().sum::<f64>() / x.len() as f64;
        let rms = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / x.len() as f64).sqrt();
        let path: f64 = x.windows(2).map(|w| (w[1] - w[0]).abs()).sum();
        let velocity = path / duration;
        let mut t = Vec::new();
        let mut position = Vec::new();
        let mut next = f64::NEG_INFINITY;
        for ((at, _), v) in over.iter().zip(&x) {
            if at + 1e-9 >= next {
                next = at + 1.0 / TRACE_HZ;
                t.push(*at);
                position.push(v - mean);
            }
        }
        Some(Sway {
            axis,
            body_height_px: height,
            path_length: path,
            mean_velocity: velocity,
            rms,
            ellipse_area: None,
            cm: height_cm.map(|h| SwayCm {
                path_length: path * h,
                mean_velocity: velocity * h,
                rms: rms * h,
                ellipse_area: None,
            }),
            t,
            position,
        })
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The positions (time, position) averaged over [`SMOOTHING_S`] centred on each.
fn smoothed(s: &[(f64, f64)]) -> Vec<f64> {
    let half = SMOOTHING_S / 2.0;
    s.iter()
        .map(|c| {
            let near: Vec<f64> = s
                .iter()
                .filter(|o| (o.0 - c.0).abs() <= half + 1e-9)
                .map(|o| o.1)
                .collect();
            near.iter().sum::<f64>() / near.len() as f64
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorder(amplitude_px: f64, hz: f64, seconds: f64) -> SwayRecorder {
        let samples: Vec<Sample> = (0..(seconds * 30.0) as usize)
            .map(|i| {
                let t = i as f64 / 30.0;
                Sample {
                    t,
                    com_x: 500.0 + amplitude_px * (2.0 * std::f64::consts::PI * hz * t).sin(),
                    ankle_x: [480.0, 520.0],
                    foot_x: [None, None],
                    left_lower: 0.0,
                    height_px: 1000.0,
                    span: 0.85,
                }
            })
            .collect();
        SwayRecorder {
            samples: std::collections::VecDeque::from(samples),
            crowded: Default::default(),
        }
    }

    #[test]
    fn a_sine_sway_has_its_known_rms_and_path() {
        // 1 cm of amplitude on a 170 cm body 1000 px tall, at 0.5 Hz, for 10 s after settling.
        let a = 1000.0 / 170.0;
        let sway = recorder(a, 0.5, 10.0 + SETTLE_S)
            .measure(0.0, 10.0 + SETTLE_S, Some(170.0))
            .unwrap();
        assert_eq!(sway.axis, SwayAxis::SideToSide);
        let cm = sway.cm.unwrap();
        // RMS of a sine is its amplitude over √2; its path is 4 amplitudes a cycle, and its
        // mean velocity the path over the 10 s measured.
        assert!((cm.rms - 1.0 / 2f64.sqrt()).abs() < 0.02, "{}", cm.rms);
        assert!((cm.path_length - 20.0).abs() < 1.0, "{}", cm.path_length);
        assert!((cm.mean_velocity - 2.0).abs() < 0.1, "{}", cm.mean_velocity);
        assert_eq!(sway.ellipse_area, None);
        assert_eq!(sway.t.len(), sway.position.len());
        assert!((sway.t[0] - SETTLE_S).abs() < 0.05, "{}", sway.t[0]);
    }

    #[test]
    fn the_settling_start_of_an_attempt_is_not_sway() {
        // Standing still, but for the body still moving into the stance as the attempt starts:
        // 30 px off in the first 0.3 s.
        let mut r = recorder(0.0, 0.5, 10.0);
        for s in r.samples.iter_mut().filter(|s| s.t < 0.3) {
            s.com_x += 30.0;
        }
        let sway = r.measure(0.0, 10.0, None).unwrap();
        assert!(sway.rms < 1e-9, "{}", sway.rms);
    }

    #[test]
    fn the_feet_stood_on_are_those_of_most_of_the_attempt() {
        // Standing still with the left foot in front, filmed at an angle: the front ankle is
        // 0.14-0.16 torso lengths lower, either side of a foot off the floor, frame by frame.
        // Over the ankles' midpoint one frame and the left ankle the next, the reference would
        // jump by 40 px; over the feet of most of the attempt it stands still.
        let mut r = recorder(0.0, 0.5, 10.0);
        for (i, s) in r.samples.iter_mut().enumerate() {
            s.left_lower = if i % 2 == 0 { 0.14 } else { 0.16 };
            s.ankle_x = [460.0, 540.0];
        }
        let sway = r.measure(0.0, 10.0, None).unwrap();
        assert!(sway.rms < 1e-9, "{}", sway.rms);
    }

    #[test]
    fn on_one_foot_the_reference_is_the_lower_foot_whatever_its_name() {
        // Standing still on the left foot (at x = 480), the right one raised (at x = 580);
        // for 2 s the model swaps the legs' names, so the raised ankle is called left. Over
        // the left ankle by name, the reference would move 100 px for those 2 s (too long
        // to be left out as a jump).
        let mut r = recorder(0.0, 0.5, 10.0);
        for s in r.samples.iter_mut() {
            let swapped = (4.0..6.0).contains(&s.t);
            s.left_lower = if swapped { -0.6 } else { 0.6 };
            s.ankle_x = if swapped {
                [580.0, 480.0]
            } else {
                [480.0, 580.0]
            };
        }
        let sway = r.measure(0.0, 10.0, None).unwrap();
        assert!(sway.rms < 1e-9, "{}", sway.rms);
    }

    #[test]
    fn frames_where_the_standing_foot_jumps_are_left_out() {
        // Standing still, but in a few frames the model places the standing ankle 60 px off
        // (0.06 body heights), as it does when a raised foot merges with the standing one.
        let mut r = recorder(0.0, 0.5, 10.0);
        for s in r.samples.iter_mut().filter(|s| (6.0..6.2).contains(&s.t)) {
            s.ankle_x = [540.0, 580.0];
        }
        let sway = r.measure(0.0, 10.0, None).unwrap();
        assert!(sway.rms < 1e-9, "{}", sway.rms);
    }

    #[test]
    fn declared_eyes_make_spans() {
        let mut b = BalanceSettings::default();
        b.declare_eyes(1.0, false);
        b.declare_eyes(2.0, true);
        b.declare_eyes(3.0, true);
        b.declare_eyes(5.0, false);
        b.declare_eyes(6.0, false);
        b.declare_eyes(8.0, true);
        assert_eq!(b.eyes_closed, vec![(2.0, 5.0), (8.0, f64::INFINITY)]);
        assert!(!b.eyes_closed_at(1.5) && b.eyes_closed_at(4.0) && !b.eyes_closed_at(7.0));
        assert!(b.eyes_closed_at(100.0));
    }

    #[test]
    fn too_little_seen_is_no_measurement() {
        let r = recorder(5.0, 0.5, 10.0);
        assert!(r.measure(0.0, 0.5, None).is_none());
        // Half the attempt unseen.
        assert!(r.measure(0.0, 20.0, None).is_none());
    }
}
