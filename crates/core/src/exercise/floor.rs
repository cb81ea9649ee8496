//! Where the floor is: the camera may be tilted (a phone propped on a shoe, a laptop on a
//! cushion), and "level with the floor" must mean the floor, not the picture's edge.
//!
//! A template names two body parts that rest on the floor throughout the exercise (a bird-dog's
//! supporting hand and knee, a bridge's shoulders and feet). The lower landmark of each part
//! gives a point on the floor; the line through them, smoothed by a running median over a few
//! seconds, gives the floor's slope in the picture.

use std::collections::VecDeque;

use super::signals::Frame;
use crate::skeleton::{Part, Side};

/// Seconds of floor readings the median is taken over.
const WINDOW_S: f64 = 4.0;
/// Slopes beyond this are not a tilted camera but a view along the body (or a bad reading).
const MAX_ROLL_DEG: f32 = 25.0;
/// The floor points must be this far apart (torso lengths) for their line to mean anything.
const MIN_SPREAD: f32 = 0.8;

pub struct FloorEstimate {
    parts: Option<[Part; 2]>,
    readings: VecDeque<(f64, f32)>,
    sorted: Vec<f32>,
    roll: f32,
}

impl FloorEstimate {
    pub fn new(parts: Option<[Part; 2]>) -> FloorEstimate {
        FloorEstimate {
            parts,
            readings: VecDeque::new(),
            sorted: Vec::new(),
            roll: 0.0,
        }
    }

    /// Takes this frame's reading and returns the camera roll, radians clockwise. Only frames
    /// where the body is in the exercise (`in_exercise`) are read: standing up, the same
    /// parts are nowhere near the floor.
    pub fn update(&mut self, t: f64, frame: &Frame, in_exercise: bool) -> f32 {
        let Some([a, b]) = self.parts else {
            return 0.0;
        };
        if let Some(angle) = floor_slope(frame, a, b).filter(|_| in_exercise) {
            self.readings.push_back((t, angle));
        }
        while self
            .readings
            .front()
            .is_some_and(|(t0, _)| t - t0 > WINDOW_S)
        {
            self.readings.pop_front();
        }
        if !self.readings.is_empty() {
            self.sorted.clear();
            self.sorted.extend(self.readings.iter().map(|(_, a)| *a));
            self.sorted.sort_by(f32::total_cmp);
            self.roll = self.sorted[self.sorted.len() / 2];
        }
        self.roll
    }
}

/// The lower of the two landmarks of `part` (the one on the floor), if seen.
fn lowest(frame: &Frame, part: Part) -> Option<crate::geometry::Vec2> {
    [Side::Left, Side::Right]
        .iter()
        .filter(|s| frame.seen[part.joint(**s).index()])
        .map(|s| frame.pose.pos(part.joint(*s)))
        .max_by(|p, q| p.y.total_cmp(&q.y))
}

/// Slope of the line through the two floor points, radians clockwise, whichever way the
/// body faces; `None` if not measurable or implausibly steep.
fn floor_slope(frame: &Frame, a: Part, b: Part) -> Option<f32> {
    let (p, q) = (lowest(frame, a)?, lowest(frame, b)?);
    let d = if q.x >= p.x { q - p } else { p - q };
    if d.length() < MIN_SPREAD * frame.torso {
        return None;
    }
    let angle = d.y.atan2(d.x);
    (angle.abs() <= MAX_ROLL_DEG.to_radians()).then_some(angle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Vec2;
    use crate::pose::{Keypoint, Pose};
    use crate::skeleton::{JOINT_COUNT, Joint};

    fn frame_with(points: &[(Joint, Vec2)], pose: &mut Pose) -> [bool; JOINT_COUNT] {
        let mut seen = [false; JOINT_COUNT];
        for (j, p) in points {
            pose.keypoints[j.index()] = Keypoint {
                x: p.x,
                y: p.y,
                z: 0.0,
                visibility: 1.0,
            };
            seen[j.index()] = true;
        }
        seen
    }

    #[test]
    fn a_tilted_floor_is_found_from_the_lower_landmarks() {
        let roll = 8f32.to_radians();
        let tilt = |x: f32, y: f32| Vec2::new(x, y).rotated(roll);
        let mut pose = Pose::default();
        // Supporting hand and knee on the floor (y = 0 before tilting), raised hand above.
        let seen = frame_with(
            &[
                (Joint::LeftWrist, tilt(100.0, 0.0)),
                (Joint::RightWrist, tilt(40.0, -60.0)),
                (Joint::LeftKnee, tilt(300.0, 0.0)),
            ],
            &mut pose,
        );
        let frame = Frame {
            pose: &pose,
            seen,
            behind_twins: seen,
            placed: seen,
            roll: 0.0,
            torso: 100.0,
            steady_torso: 100.0,
            near: Side::Left,
        };
        let mut floor = FloorEstimate::new(Some([Part::Wrist, Part::Knee]));
        let mut r = 0.0;
        for i in 0..10 {
            r = floor.update(i as f64 / 30.0, &frame, true);
        }
        assert!(
            (r - roll).abs() < 1e-3,
            "{} vs {}",
            r.to_degrees(),
            roll.to_degrees()
        );
        assert_eq!(FloorEstimate::new(None).update(0.0, &frame, true), 0.0);
        let mut idle = FloorEstimate::new(Some([Part::Wrist, Part::Knee]));
        assert_eq!(idle.update(0.0, &frame, false), 0.0);
    }
}
