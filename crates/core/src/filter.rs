//! Keypoint smoothing with the One Euro filter (Casiez et al., CHI 2012): a low-pass filter
//! whose cut-off rises with speed, so a still pose stops jittering while a moving limb does not
//! lag. Positions are filtered in units of the person's size, which makes the settings hold for
//! near and far people alike.

use serde::{Deserialize, Serialize};

use crate::pose::Pose;
use crate::skeleton::JOINT_COUNT;

/// Filter settings (also in the config file and on the command line).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct OneEuroConfig {
    /// Cut-off frequency at rest, Hz: lower = smoother when still.
    pub min_cutoff: f32,
    /// How fast the cut-off rises with speed (per body-size per second): higher = less lag.
    pub beta: f32,
    /// Cut-off for the speed estimate, Hz.
    pub d_cutoff: f32,
}

impl Default for OneEuroConfig {
    fn default() -> Self {
        OneEuroConfig {
            min_cutoff: 1.5,
            beta: 4.0,
            d_cutoff: 1.0,
        }
    }
}

fn alpha(cutoff: f32, dt: f32) -> f32 {
    let tau = 1.0 / (std::f32::consts::TAU * cutoff);
    1.0 / (1.0 + tau / dt)
}

#[derive(Clone, Copy, Debug, Default)]
struct Axis {
    x: f32,
    dx: f32,
}

impl Axis {
    fn step(&mut self, value: f32, dt: f32, cfg: &OneEuroConfig) -> f32 {
        let dx = (value - self.x) / dt;
        self.dx += alpha(cfg.d_cutoff, dt) * (dx - self.dx);
        let cutoff = cfg.min_cutoff + cfg.beta * self.dx.abs();
        self.x += alpha(cutoff, dt) * (value - self.x);
        self.x
    }
}

/// Smooths a stream of poses. A gap longer than `max_gap` seconds restarts the filter.
pub struct PoseFilter {
    cfg: OneEuroConfig,
    state: Option<([Axis; JOINT_COUNT * 3], f64)>,
    max_gap: f64,
}

impl PoseFilter {
    pub fn new(cfg: OneEuroConfig) -> PoseFilter {
        PoseFilter {
            cfg,
            state: None,
            max_gap: 0.5,
        }
    }

    pub fn reset(&mut self) {
        self.state = None;
    }

    /// Filters `pose` observed at time `t` (seconds) in place.
    pub fn apply(&mut self, t: f64, pose: &mut Pose) {
        let scale = pose.scale().max(1.0);
        match &mut self.state {
            Some((axes, last)) if t > *last && t - *last <= self.max_gap => {
                let dt = (t - *last) as f32;
                *last = t;
                for (kp, a) in pose.keypoints.iter_mut().zip(axes.chunks_exact_mut(3)) {
                    kp.x = a[0].step(kp.x / scale, dt, &self.cfg) * scale;
                    kp.y = a[1].step(kp.y / scale, dt, &self.cfg) * scale;
                    kp.z = a[2].step(kp.z / scale, dt, &self.cfg) * scale;
                }
            }
            _ => {
                let mut axes = [Axis::default(); JOINT_COUNT * 3];
                for (kp, a) in pose.keypoints.iter().zip(axes.chunks_exact_mut(3)) {
                    a[0].x = kp.x / scale;
                    a[1].x = kp.y / scale;
                    a[2].x = kp.z / scale;
                }
                self.state = Some((axes, t));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::Keypoint;

    fn pose_at(x: f32) -> Pose {
        let mut p = Pose::default();
        for (i, k) in p.keypoints.iter_mut().enumerate() {
            *k = Keypoint {
                x: x + i as f32 * 10.0,
                y: 100.0 + i as f32 * 5.0,
                z: 0.0,
                visibility: 1.0,
            };
        }
        p
    }

    #[test]
    fn jitter_shrinks_and_a_steady_move_is_followed() {
        let mut f = PoseFilter::new(OneEuroConfig::default());
        // Alternating ±3 px jitter around a still pose.
        let mut spread: f32 = 0.0;
        for i in 0..60 {
            let mut p = pose_at(if i % 2 == 0 { 97.0 } else { 103.0 });
            f.apply(i as f64 / 30.0, &mut p);
            if i > 30 {
                spread = spread.max((p.keypoints[0].x - 100.0).abs());
            }
        }
        assert!(spread < 1.5, "jitter left: {spread}");
        // A steady move of 300 px/s: after half a second the lag is small.
        let mut last = 0.0;
        for i in 60..75 {
            let x = 100.0 + (i - 60) as f32 * 10.0;
            let mut p = pose_at(x);
            f.apply(i as f64 / 30.0, &mut p);
            last = x - p.keypoints[0].x;
        }
        assert!(last < 25.0, "lag {last}");
    }

    #[test]
    fn a_long_gap_restarts_the_filter() {
        let mut f = PoseFilter::new(OneEuroConfig::default());
        let mut p = pose_at(0.0);
        f.apply(0.0, &mut p);
        let mut q = pose_at(500.0);
        f.apply(2.0, &mut q);
        assert_eq!(q.keypoints[0].x, 500.0);
    }
}
