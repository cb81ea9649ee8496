//! The room around the figure: a wooden floor, an exercise mat and a wall with a skirting
//! board, intersected analytically and textured procedurally.

use crate::camera::Camera;
use crate::exercises::MAT_TOP;
use crate::math::{Vec3, v3};
use crate::shade::{Palette, fbm, hash2, noise2};

/// A mat 1.83 m × 0.61 m (a standard yoga mat).
const MAT_LENGTH: f32 = 1.83;
const MAT_WIDTH: f32 = 0.61;
/// How far behind the camera's target the wall stands.
const WALL_BEHIND: f32 = 2.2;
const SKIRTING: f32 = 0.09;
const BOARD_WIDTH: f32 = 0.14;
const BOARD_LENGTH: f32 = 1.7;

/// Where a ray meets the room.
#[derive(Clone, Copy, Debug)]
pub struct RoomHit {
    pub p: Vec3,
    pub n: Vec3,
    pub albedo: Vec3,
}

#[derive(Clone)]
pub struct Room {
    mat_centre: Vec3,
    /// Unit horizontal direction of the mat's length.
    mat_along: Vec3,
    wall_point: Vec3,
    wall_normal: Vec3,
    palette: Palette,
    /// Whether floor, mat and wall carry their textures or are one flat colour each.
    textured: bool,
}

impl Room {
    /// A mat centred under `mat_centre` along `mat_along`, and a wall facing the camera;
    /// `textured: false` makes floor, mat and wall flat (the skirting board stays).
    pub fn new(
        mat_centre: Vec3,
        mat_along: Vec3,
        cam: &Camera,
        palette: Palette,
        textured: bool,
    ) -> Room {
        let fwd = cam.forward_flat();
        Room {
            mat_centre: v3(mat_centre.x, 0.0, mat_centre.z),
            mat_along: v3(mat_along.x, 0.0, mat_along.z).normalized(),
            wall_point: v3(cam.target.x, 0.0, cam.target.z) + fwd * WALL_BEHIND,
            wall_normal: -fwd,
            palette,
            textured,
        }
    }

    /// Mat coordinates of a floor point: (along, across) from the mat centre.
    fn on_mat(&self, p: Vec3) -> (f32, f32) {
        let rel = p - self.mat_centre;
        (
            rel.dot(self.mat_along),
            rel.dot(self.mat_along.cross(Vec3::Y)),
        )
    }

    fn inside_mat(&self, p: Vec3) -> bool {
        let (a, c) = self.on_mat(p);
        a.abs() <= MAT_LENGTH * 0.5 && c.abs() <= MAT_WIDTH * 0.5
    }

    pub fn hit(&self, o: Vec3, d: Vec3) -> Option<RoomHit> {
        let denom = d.dot(self.wall_normal);
        let t_wall = if denom < -1e-6 {
            (self.wall_point - o).dot(self.wall_normal) / denom
        } else {
            f32::INFINITY
        };
        if d.y < -1e-6 {
            let t_mat = (MAT_TOP - o.y) / d.y;
            let pm = o + d * t_mat;
            if t_mat < t_wall && self.inside_mat(pm) {
                return Some(RoomHit {
                    p: pm,
                    n: Vec3::Y,
                    albedo: self.mat_albedo(pm),
                });
            }
            let t_floor = -o.y / d.y;
            if t_floor < t_wall {
                let p = o + d * t_floor;
                return Some(RoomHit {
                    p,
                    n: Vec3::Y,
                    albedo: self.floor_albedo(p),
                });
            }
        }
        t_wall.is_finite().then(|| {
            let p = o + d * t_wall;
            RoomHit {
                p,
                n: self.wall_normal,
                albedo: self.wall_albedo(p),
            }
        })
    }

    /// Wooden boards running along x, each with its own tone, grain and dark seams.
    fn floor_albedo(&self, p: Vec3) -> Vec3 {
        if !self.textured {
            return self.palette.floor;
        }
        let row = (p.z / BOARD_WIDTH).floor();
        let shift = hash2(row as i32, 7) * BOARD_LENGTH;
        let col = ((p.x + shift) / BOARD_LENGTH).floor();
        let tone = 0.9 + 0.16 * hash2(row as i32, col as i32);
        let grain = fbm(p.x * 1.3 + col * 17.0, p.z * 45.0);
        let streak = noise2(p.x * 0.6, p.z * 160.0);
        let wood = self.palette.floor * (tone * (0.82 + 0.28 * grain + 0.1 * streak));
        let across = (p.z / BOARD_WIDTH).fract();
        let lengthwise = ((p.x + shift) / BOARD_LENGTH).fract();
        let seam = across.min(1.0 - across) * BOARD_WIDTH < 0.0025
            || lengthwise.min(1.0 - lengthwise) * BOARD_LENGTH < 0.002;
        if seam { wood * 0.7 } else { wood }
    }

    /// The mat: even colour with a faint texture and a slightly darker border.
    fn mat_albedo(&self, p: Vec3) -> Vec3 {
        if !self.textured {
            return self.palette.mat;
        }
        let (a, c) = self.on_mat(p);
        let edge = (MAT_LENGTH * 0.5 - a.abs()).min(MAT_WIDTH * 0.5 - c.abs());
        let border = if edge < 0.012 { 0.82 } else { 1.0 };
        self.palette.mat * ((0.94 + 0.08 * noise2(a * 90.0, c * 90.0)) * border)
    }

    /// Painted wall with a skirting board along the floor.
    fn wall_albedo(&self, p: Vec3) -> Vec3 {
        let u = p.dot(self.wall_normal.cross(Vec3::Y));
        if p.y < SKIRTING {
            let lip = if p.y > SKIRTING - 0.008 { 0.8 } else { 1.0 };
            return self.palette.wall.mul_elem(v3(1.12, 1.12, 1.16)) * lip;
        }
        if !self.textured {
            return self.palette.wall;
        }
        self.palette.wall * (0.95 + 0.07 * fbm(u * 6.0, p.y * 6.0))
    }
}
