//! Plane geometry on image coordinates (x to the right, y down, pixels), and the same
//! measures in 3-D on world points (metres, camera axes: x right, y down, z away).

use std::ops::{Add, Mul, Sub};

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Vec2 {
    pub x: f32,
    pub y: f32,
}

impl Vec2 {
    pub const fn new(x: f32, y: f32) -> Vec2 {
        Vec2 { x, y }
    }

    pub fn length(self) -> f32 {
        self.x.hypot(self.y)
    }

    pub fn dot(self, o: Vec2) -> f32 {
        self.x * o.x + self.y * o.y
    }

    /// z of the 3-D cross product: positive when `o` turns clockwise from `self` on screen.
    pub fn cross(self, o: Vec2) -> f32 {
        self.x * o.y - self.y * o.x
    }

    pub fn midpoint(self, o: Vec2) -> Vec2 {
        Vec2::new((self.x + o.x) * 0.5, (self.y + o.y) * 0.5)
    }

    /// Rotates by `angle` radians (clockwise on screen, because y points down).
    pub fn rotated(self, angle: f32) -> Vec2 {
        let (s, c) = angle.sin_cos();
        Vec2::new(c * self.x - s * self.y, s * self.x + c * self.y)
    }

    pub fn is_finite(self) -> bool {
        self.x.is_finite() && self.y.is_finite()
    }
}

impl Add for Vec2 {
    type Output = Vec2;
    fn add(self, o: Vec2) -> Vec2 {
        Vec2::new(self.x + o.x, self.y + o.y)
    }
}

impl Sub for Vec2 {
    type Output = Vec2;
    fn sub(self, o: Vec2) -> Vec2 {
        Vec2::new(self.x - o.x, self.y - o.y)
    }
}

impl Mul<f32> for Vec2 {
    type Output = Vec2;
    fn mul(self, k: f32) -> Vec2 {
        Vec2::new(self.x * k, self.y * k)
    }
}

/// Interior angle at `b` of the path a–b–c, in degrees (0..=180; 180 = straight).
pub fn joint_angle(a: Vec2, b: Vec2, c: Vec2) -> f32 {
    let u = a - b;
    let v = c - b;
    let n = u.length() * v.length();
    if n <= f32::EPSILON {
        return f32::NAN;
    }
    (u.dot(v) / n).clamp(-1.0, 1.0).acos().to_degrees()
}

/// Angle of the segment a→b above the horizontal, in degrees, whichever way it points:
/// 0 = level, 90 = vertical. `roll` (radians, clockwise) is the camera's tilt to undo first.
pub fn incline(a: Vec2, b: Vec2, roll: f32) -> f32 {
    let d = (b - a).rotated(-roll);
    if d.length() <= f32::EPSILON {
        return f32::NAN;
    }
    d.y.abs().atan2(d.x.abs()).to_degrees()
}

/// Signed elevation of b relative to a, in degrees: positive when b is higher on screen
/// (after undoing `roll`), whether the segment points left or right.
pub fn elevation(a: Vec2, b: Vec2, roll: f32) -> f32 {
    let d = (b - a).rotated(-roll);
    if d.length() <= f32::EPSILON {
        return f32::NAN;
    }
    (-d.y).atan2(d.x.abs()).to_degrees()
}

/// Signed distance of `p` from the line a–b, positive when `p` is above the line on screen
/// (after undoing `roll`), independent of the line's direction.
pub fn height_above_line(p: Vec2, a: Vec2, b: Vec2, roll: f32) -> f32 {
    let (p, a, b) = (p.rotated(-roll), a.rotated(-roll), b.rotated(-roll));
    let d = b - a;
    let len = d.length();
    if len <= f32::EPSILON {
        return f32::NAN;
    }
    // Unit normal pointing up on screen (negative y).
    let mut n = Vec2::new(d.y, -d.x) * (1.0 / len);
    if n.y > 0.0 {
        n = n * -1.0;
    }
    (p - a).dot(n)
}

/// A point or direction in 3-D.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Vec3 {
    pub x: f32,
    pub y: f32,
    pub z: f32,
}

impl Vec3 {
    pub const ZERO: Vec3 = Vec3::new(0.0, 0.0, 0.0);

    pub const fn new(x: f32, y: f32, z: f32) -> Vec3 {
        Vec3 { x, y, z }
    }

    pub fn length(self) -> f32 {
        self.dot(self).sqrt()
    }

    pub fn dot(self, o: Vec3) -> f32 {
        self.x * o.x + self.y * o.y + self.z * o.z
    }

    pub fn midpoint(self, o: Vec3) -> Vec3 {
        (self + o) * 0.5
    }

    /// The picture's "up" after undoing a camera `roll` (radians, clockwise), in camera axes
    /// (y down): the vertical as far as the picture tells, taking the camera's pitch as level.
    pub fn up_from_roll(roll: f32) -> Vec3 {
        let (s, c) = roll.sin_cos();
        Vec3::new(s, -c, 0.0)
    }
}

impl From<[f32; 3]> for Vec3 {
    fn from([x, y, z]: [f32; 3]) -> Vec3 {
        Vec3::new(x, y, z)
    }
}

impl Add for Vec3 {
    type Output = Vec3;
    fn add(self, o: Vec3) -> Vec3 {
        Vec3::new(self.x + o.x, self.y + o.y, self.z + o.z)
    }
}

impl Sub for Vec3 {
    type Output = Vec3;
    fn sub(self, o: Vec3) -> Vec3 {
        Vec3::new(self.x - o.x, self.y - o.y, self.z - o.z)
    }
}

impl Mul<f32> for Vec3 {
    type Output = Vec3;
    fn mul(self, k: f32) -> Vec3 {
        Vec3::new(self.x * k, self.y * k, self.z * k)
    }
}

/// Interior angle at `b` of the path a–b–c in 3-D, degrees (180 = straight).
pub fn joint_angle_3d(a: Vec3, b: Vec3, c: Vec3) -> f32 {
    let (u, v) = (a - b, c - b);
    let n = u.length() * v.length();
    if n <= f32::EPSILON {
        return f32::NAN;
    }
    (u.dot(v) / n).clamp(-1.0, 1.0).acos().to_degrees()
}

/// Signed elevation of b relative to a above the plane square to `up` (a unit vector),
/// degrees: + when b is higher.
pub fn elevation_3d(a: Vec3, b: Vec3, up: Vec3) -> f32 {
    let d = b - a;
    let len = d.length();
    if len <= f32::EPSILON {
        return f32::NAN;
    }
    (d.dot(up) / len).clamp(-1.0, 1.0).asin().to_degrees()
}

/// Signed distance of `p` from the line a–b, measured in the vertical plane through the
/// line (along the part of `up` square to it), + when `p` is above; NaN for a vertical line.
pub fn height_above_line_3d(p: Vec3, a: Vec3, b: Vec3, up: Vec3) -> f32 {
    let d = b - a;
    let len = d.length();
    if len <= f32::EPSILON {
        return f32::NAN;
    }
    let u = d * (1.0 / len);
    let normal = up - u * up.dot(u);
    let n = normal.length();
    if n <= 1e-3 {
        return f32::NAN;
    }
    (p - a).dot(normal) / n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_in_3d_see_through_foreshortening() {
        let up = Vec3::up_from_roll(0.0);
        // A leg raised 30° towards the camera: the picture would see it pointing straight up.
        let (hip, knee) = (Vec3::ZERO, Vec3::new(0.0, -0.5, -0.866));
        assert!(close(elevation_3d(hip, knee, up), 30.0));
        assert!(close(elevation_3d(knee, hip, up), -30.0));
        let ankle = Vec3::new(0.0, -0.5, -1.866);
        assert!(close(joint_angle_3d(hip, knee, ankle), 150.0));
        // A hip 0.1 above a level line, whichever way the line runs and however it turns
        // about the vertical.
        let (a, b) = (Vec3::new(-1.0, 0.0, 0.5), Vec3::new(1.0, 0.0, -0.5));
        let p = Vec3::new(0.0, -0.1, 0.0);
        assert!(close(height_above_line_3d(p, a, b, up), 0.1));
        assert!(close(height_above_line_3d(p, b, a, up), 0.1));
        assert!(height_above_line_3d(p, Vec3::ZERO, Vec3::new(0.0, -1.0, 0.0), up).is_nan());
        // A camera rolled clockwise: "up" leans with it.
        let rolled = Vec3::up_from_roll(10f32.to_radians());
        assert!(close(rolled.length(), 1.0) && rolled.x > 0.0);
    }

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-3
    }

    #[test]
    fn joint_angle_is_180_when_straight_and_90_at_a_corner() {
        let a = Vec2::new(0.0, 0.0);
        assert!(close(
            joint_angle(a, Vec2::new(1.0, 0.0), Vec2::new(2.0, 0.0)),
            180.0
        ));
        assert!(close(
            joint_angle(a, Vec2::new(1.0, 0.0), Vec2::new(1.0, 5.0)),
            90.0
        ));
        assert!(joint_angle(a, a, Vec2::new(1.0, 0.0)).is_nan());
    }

    #[test]
    fn incline_and_elevation_ignore_facing_direction() {
        let a = Vec2::new(10.0, 10.0);
        let up_right = Vec2::new(20.0, 0.0);
        let up_left = Vec2::new(0.0, 0.0);
        assert!(close(incline(a, up_right, 0.0), 45.0));
        assert!(close(incline(a, up_left, 0.0), 45.0));
        assert!(close(elevation(a, up_right, 0.0), 45.0));
        assert!(close(elevation(a, up_left, 0.0), 45.0));
        assert!(close(elevation(up_left, a, 0.0), -45.0));
    }

    #[test]
    fn roll_is_undone() {
        // A level segment filmed by a camera rolled 10 degrees clockwise.
        let roll = 10f32.to_radians();
        let a = Vec2::new(0.0, 0.0);
        let b = Vec2::new(100.0, 0.0).rotated(roll);
        assert!(incline(a, b, 0.0) > 9.0);
        assert!(close(incline(a, b, roll), 0.0));
    }

    #[test]
    fn height_above_line_is_signed_up() {
        let a = Vec2::new(0.0, 100.0);
        let b = Vec2::new(200.0, 100.0);
        assert!(close(
            height_above_line(Vec2::new(50.0, 80.0), a, b, 0.0),
            20.0
        ));
        assert!(close(
            height_above_line(Vec2::new(50.0, 80.0), b, a, 0.0),
            20.0
        ));
        assert!(close(
            height_above_line(Vec2::new(50.0, 130.0), a, b, 0.0),
            -30.0
        ));
    }
}
