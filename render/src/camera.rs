//! Pinhole camera: placement around the figure, projection to pixels and rays through them.
//!
//! Pixel convention: pixel column i covers x ∈ [i, i+1), so the centre of the top-left
//! pixel is (0.5, 0.5) and the image centre is (width/2, height/2).

use serde::{Deserialize, Serialize};

use crate::math::{Vec3, v3};

/// Where the camera stands relative to the person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum Placement {
    /// Perpendicular to the body's long axis: the profile.
    Side,
    /// At the head end, looking along the body.
    Front,
    /// Halfway (45°) between side and front.
    Oblique,
}

impl Placement {
    pub fn name(self) -> &'static str {
        match self {
            Placement::Side => "side",
            Placement::Front => "front",
            Placement::Oblique => "oblique",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Camera {
    pub pos: Vec3,
    pub target: Vec3,
    pub hfov_deg: f32,
    pub width: u32,
    pub height: u32,
    right: Vec3,
    up: Vec3,
    fwd: Vec3,
    /// Focal length in pixels.
    focal: f32,
}

impl Camera {
    pub fn look_at(pos: Vec3, target: Vec3, hfov_deg: f32, width: u32, height: u32) -> Camera {
        let fwd = (target - pos).normalized();
        let right = fwd.cross(Vec3::Y).normalized();
        let up = right.cross(fwd);
        let focal = width as f32 * 0.5 / (hfov_deg.to_radians() * 0.5).tan();
        Camera {
            pos,
            target,
            hfov_deg,
            width,
            height,
            right,
            up,
            fwd,
            focal,
        }
    }

    /// A camera `distance` metres (horizontally) from `target` at `height` metres, on the
    /// side given by `placement`. `head_dir` is the horizontal direction the person's head
    /// points; side views look from +z.
    pub fn place(
        placement: Placement,
        target: Vec3,
        head_dir: Vec3,
        distance: f32,
        height: f32,
        hfov_deg: f32,
        (width, height_px): (u32, u32),
    ) -> Camera {
        let away = match placement {
            Placement::Side => Vec3::Z,
            Placement::Front => head_dir,
            Placement::Oblique => (head_dir + Vec3::Z).normalized(),
        };
        let pos = v3(target.x, height, target.z) + away * distance;
        Camera::look_at(pos, target, hfov_deg, width, height_px)
    }

    /// Horizontal viewing direction (unit).
    pub fn forward_flat(&self) -> Vec3 {
        v3(self.fwd.x, 0.0, self.fwd.z).normalized()
    }

    /// Distance of a point in front of the camera along the viewing axis.
    pub fn depth(&self, p: Vec3) -> f32 {
        (p - self.pos).dot(self.fwd)
    }

    /// Pixel coordinates (x right, y down) and depth of a world point.
    pub fn project(&self, p: Vec3) -> (f32, f32, f32) {
        let c = p - self.pos;
        let z = c.dot(self.fwd);
        let x = self.width as f32 * 0.5 + self.focal * c.dot(self.right) / z;
        let y = self.height as f32 * 0.5 - self.focal * c.dot(self.up) / z;
        (x, y, z)
    }

    /// Unit direction of the ray through continuous pixel coordinates (x, y).
    pub fn ray(&self, x: f32, y: f32) -> Vec3 {
        let dx = x - self.width as f32 * 0.5;
        let dy = self.height as f32 * 0.5 - y;
        (self.fwd * self.focal + self.right * dx + self.up * dy).normalized()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_and_rays_round_trip() {
        let cam = Camera::place(
            Placement::Oblique,
            v3(0.1, 0.3, 0.0),
            -Vec3::X,
            3.0,
            0.55,
            58.0,
            (640, 360),
        );
        for p in [v3(0.3, 0.2, 0.1), v3(-0.6, 0.5, -0.2), v3(0.0, 0.0, 0.3)] {
            let (x, y, z) = cam.project(p);
            assert!(z > 0.0);
            let d = cam.ray(x, y);
            let along = (p - cam.pos).dot(d);
            let miss = (cam.pos + d * along - p).length();
            assert!(miss < 1e-5, "{p:?} misses its own ray by {miss}");
        }
        let (x, y, _) = cam.project(cam.target);
        assert!((x - 320.0).abs() < 1e-3 && (y - 180.0).abs() < 1e-3);
    }

    #[test]
    fn side_view_sees_the_profile_from_plus_z() {
        let cam = Camera::place(
            Placement::Side,
            Vec3::ZERO,
            -Vec3::X,
            3.0,
            0.5,
            58.0,
            (640, 360),
        );
        assert!(cam.pos.z > 2.9);
        // World −x (the head end) appears on the left of the image.
        let (x, _, _) = cam.project(v3(-0.5, 0.0, 0.0));
        assert!(x < 320.0);
    }
}
