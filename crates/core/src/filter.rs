//! Keypoint smoothing with the One Euro filter (Casiez et al., CHI 2012): a low-pass filter
//! whose cut-off rises with speed, so a still pose stops jittering while a moving limb does not
//! lag. Positions are filtered in units of the person's size, which makes the settings hold for
//! near and far people alike.

use serde::{Deserialize, Serialize};

use crate::pose::{Pose, WorldPoints};
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

/// One filter per coordinate of every landmark.
type Axes = [Axis; JOINT_COUNT * 3];

/// Smooths a stream of poses. A gap longer than `max_gap` seconds restarts the filter.
pub struct PoseFilter {
    cfg: OneEuroConfig,
    /// The picture's keypoints, the world points (when the poses have them) and the time.
    state: Option<(Axes, Option<Axes>, f64)>,
    max_gap: f64,
}

/// Starts filters at `points` (in units of `scale`).
fn start(points: impl Iterator<Item = [f32; 3]>, scale: f32) -> Axes {
    let mut axes = [Axis::default(); JOINT_COUNT * 3];
    for (p, a) in points.zip(axes.chunks_exact_mut(3)) {
        for (axis, v) in a.iter_mut().zip(p) {
            axis.x = v / scale;
        }
    }
    axes
}

/// Steps the filters with `points` (in units of `scale`), replacing them with the smoothed
/// values.
fn step<'a>(
    points: impl Iterator<Item = [&'a mut f32; 3]>,
    axes: &mut Axes,
    scale: f32,
    dt: f32,
    cfg: &OneEuroConfig,
) {
    for (p, a) in points.zip(axes.chunks_exact_mut(3)) {
        for (v, axis) in p.into_iter().zip(a) {
            *v = axis.step(*v / scale, dt, cfg) * scale;
        }
    }
}

/// The size of a body in world points: the longer side of their box, metres (the same
/// measure [`Pose::scale`] takes in pixels, so the settings mean the same in both).
fn world_scale(world: &WorldPoints) -> f32 {
    let extent = |c: usize| {
        let (lo, hi) = world.iter().fold((f32::MAX, f32::MIN), |(lo, hi), p| {
            (lo.min(p[c]), hi.max(p[c]))
        });
        hi - lo
    };
    extent(0).max(extent(1)).max(extent(2)).max(0.1)
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

    /// Filters `pose` observed at time `t` (seconds) in place: its keypoints and, when it has
    /// them, its world points (a pose without them ends their filter; the next starts anew).
    pub fn apply(&mut self, t: f64, pose: &mut Pose) {
        let scale = pose.scale().max(1.0);
        let world_size = pose.world.as_ref().map(world_scale);
        match &mut self.state {
            Some((axes, world_axes, last)) if t > *last && t - *last <= self.max_gap => {
                let dt = (t - *last) as f32;
                *last = t;
                let keypoints = pose
                    .keypoints
                    .iter_mut()
                    .map(|k| [&mut k.x, &mut k.y, &mut k.z]);
                step(keypoints, axes, scale, dt, &self.cfg);
                *world_axes = match (pose.world.as_mut(), world_size, world_axes.take()) {
                    (Some(w), Some(size), Some(mut wa)) => {
                        step(
                            w.iter_mut().map(|p| p.each_mut()),
                            &mut wa,
                            size,
                            dt,
                            &self.cfg,
                        );
                        Some(wa)
                    }
                    (Some(w), Some(size), None) => Some(start(w.iter().copied(), size)),
                    _ => None,
                };
            }
            _ => {
                let keypoints = pose.keypoints.iter().map(|k| [k.x, k.y, k.z]);
                let world = pose
                    .world
                    .as_ref()
                    .zip(world_size)
                    .map(|(w, size)| start(w.iter().copied(), size));
                self.state = Some((start(keypoints, scale), world, t));
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
    fn world_points_are_smoothed_like_the_keypoints() {
        let mut f = PoseFilter::new(OneEuroConfig::default());
        let mut spread: f32 = 0.0;
        for i in 0..60 {
            let mut p = pose_at(100.0);
            // ±3 cm jitter of the world points of a still body 1.6 m tall.
            let jitter = if i % 2 == 0 { -0.03 } else { 0.03 };
            p.world = Some(std::array::from_fn(|j| [jitter, j as f32 * 0.05, 0.0]));
            f.apply(i as f64 / 30.0, &mut p);
            if i > 30 {
                spread = p.world.map_or(1.0, |w| spread.max(w[0][0].abs()));
            }
        }
        assert!(spread < 0.015, "world jitter left: {spread}");
        // A pose without world points has none after filtering either.
        let mut p = pose_at(100.0);
        f.apply(61.0 / 30.0, &mut p);
        assert_eq!(p.world, None);
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
