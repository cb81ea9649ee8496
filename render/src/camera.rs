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

/// The camera's direction from the person: a named placement, or any azimuth between them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum View {
    Named(Placement),
    /// Degrees from side-on (0) towards the head end (90).
    Azimuth(f32),
}

impl View {
    /// Horizontal unit direction from the target to the camera.
    fn away(self, head_dir: Vec3) -> Vec3 {
        match self {
            View::Named(Placement::Side) => Vec3::Z,
            View::Named(Placement::Front) => head_dir,
            View::Named(Placement::Oblique) => (head_dir + Vec3::Z).normalized(),
            View::Azimuth(deg) => {
                let (s, c) = deg.to_radians().sin_cos();
                (Vec3::Z * c + head_dir * s).normalized()
            }
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

    /// A camera `distance` metres (horizontally) from `target` at `height` metres, in the
    /// direction given by `view`. `head_dir` is the horizontal direction the person's head
    /// points; side views look from +z.
    pub fn place(
        view: View,
        target: Vec3,
        head_dir: Vec3,
        distance: f32,
        height: f32,
        hfov_deg: f32,
        (width, height_px): (u32, u32),
    ) -> Camera {
        let pos = v3(target.x, height, target.z) + view.away(head_dir) * distance;
        Camera::look_at(pos, target, hfov_deg, width, height_px)
    }

    /// `p` in the axes BlazePose's world landmarks use: metres from `origin`, x to the
    /// right of the picture, y down it, z away from the camera.
    pub fn to_camera_axes(&self, p: Vec3, origin: Vec3) -> Vec3 {
        let d = p - origin;
        v3(d.dot(self.right), -d.dot(self.up), d.dot(self.fwd))
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
            View::Named(Placement::Oblique),
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

    /// A 640×360 camera 3 m from the origin at `height`, the head end towards −x.
    fn from(view: View, height: f32) -> Camera {
        Camera::place(view, Vec3::ZERO, -Vec3::X, 3.0, height, 58.0, (640, 360))
    }

    #[test]
    fn side_view_sees_the_profile_from_plus_z() {
        let cam = from(View::Named(Placement::Side), 0.5);
        assert!(cam.pos.z > 2.9);
        // World −x (the head end) appears on the left of the image.
        let (x, _, _) = cam.project(v3(-0.5, 0.0, 0.0));
        assert!(x < 320.0);
    }

    #[test]
    fn azimuths_turn_from_the_side_to_the_head_end() {
        let at = |view| from(view, 0.5);
        let named = |p| at(View::Named(p)).pos;
        assert!((at(View::Azimuth(0.0)).pos - named(Placement::Side)).length() < 1e-5);
        assert!((at(View::Azimuth(45.0)).pos - named(Placement::Oblique)).length() < 1e-5);
        assert!((at(View::Azimuth(90.0)).pos - named(Placement::Front)).length() < 1e-5);
        // 30° off the side: still mostly from +z, a little towards the head (−x).
        let p = at(View::Azimuth(30.0)).pos;
        assert!((p.x.atan2(p.z).to_degrees() + 30.0).abs() < 1e-3, "{p:?}");
    }

    #[test]
    fn camera_axes_are_right_down_and_away() {
        let cam = from(View::Named(Placement::Side), 0.0);
        // Seen from +z with the head (−x) on the left: +x is to the right, +y up is up the
        // picture (so negative), −z is farther away.
        let a = cam.to_camera_axes(v3(1.0, 2.0, -3.0), Vec3::ZERO);
        assert!((a.x - 1.0).abs() < 1e-5 && (a.y + 2.0).abs() < 1e-5 && (a.z - 3.0).abs() < 1e-5);
    }
}
