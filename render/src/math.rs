//! Small linear algebra for the renderer: 3-vectors, rotation matrices, easing.
//!
//! f32 throughout: millimetre precision over a few metres is plenty, and the ray caster is
//! faster with it. Rotation matrices are stored by columns so a segment frame reads as
//! "its x, y and z axes in the parent's coordinates".

use std::ops::{Add, AddAssign, Div, Mul, Neg, Sub};

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Vec3 {
    pub x: f32,
    pub y: f32,
    pub z: f32,
}

pub const fn v3(x: f32, y: f32, z: f32) -> Vec3 {
    Vec3 { x, y, z }
}

impl Vec3 {
    pub const ZERO: Vec3 = v3(0.0, 0.0, 0.0);
    pub const X: Vec3 = v3(1.0, 0.0, 0.0);
    pub const Y: Vec3 = v3(0.0, 1.0, 0.0);
    pub const Z: Vec3 = v3(0.0, 0.0, 1.0);
    pub const ONE: Vec3 = v3(1.0, 1.0, 1.0);

    pub fn dot(self, o: Vec3) -> f32 {
        self.x * o.x + self.y * o.y + self.z * o.z
    }

    pub fn cross(self, o: Vec3) -> Vec3 {
        v3(
            self.y * o.z - self.z * o.y,
            self.z * o.x - self.x * o.z,
            self.x * o.y - self.y * o.x,
        )
    }

    pub fn length(self) -> f32 {
        self.dot(self).sqrt()
    }

    /// Unit vector in the same direction; the zero vector stays zero.
    pub fn normalized(self) -> Vec3 {
        let l = self.length();
        if l > 1e-12 { self / l } else { Vec3::ZERO }
    }

    pub fn mul_elem(self, o: Vec3) -> Vec3 {
        v3(self.x * o.x, self.y * o.y, self.z * o.z)
    }

    pub fn min(self, o: Vec3) -> Vec3 {
        v3(self.x.min(o.x), self.y.min(o.y), self.z.min(o.z))
    }

    pub fn max(self, o: Vec3) -> Vec3 {
        v3(self.x.max(o.x), self.y.max(o.y), self.z.max(o.z))
    }

    pub fn lerp(self, o: Vec3, t: f32) -> Vec3 {
        self + (o - self) * t
    }

    /// The part of `self` perpendicular to the unit vector `axis`.
    pub fn reject(self, axis: Vec3) -> Vec3 {
        self - axis * self.dot(axis)
    }
}

impl Add for Vec3 {
    type Output = Vec3;
    fn add(self, o: Vec3) -> Vec3 {
        v3(self.x + o.x, self.y + o.y, self.z + o.z)
    }
}

impl AddAssign for Vec3 {
    fn add_assign(&mut self, o: Vec3) {
        *self = *self + o;
    }
}

impl Sub for Vec3 {
    type Output = Vec3;
    fn sub(self, o: Vec3) -> Vec3 {
        v3(self.x - o.x, self.y - o.y, self.z - o.z)
    }
}

impl Mul<f32> for Vec3 {
    type Output = Vec3;
    fn mul(self, k: f32) -> Vec3 {
        v3(self.x * k, self.y * k, self.z * k)
    }
}

impl Div<f32> for Vec3 {
    type Output = Vec3;
    fn div(self, k: f32) -> Vec3 {
        v3(self.x / k, self.y / k, self.z / k)
    }
}

impl Neg for Vec3 {
    type Output = Vec3;
    fn neg(self) -> Vec3 {
        v3(-self.x, -self.y, -self.z)
    }
}

/// A 3x3 matrix stored as three columns.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Mat3 {
    pub c: [Vec3; 3],
}

impl Mat3 {
    pub const IDENTITY: Mat3 = Mat3 {
        c: [Vec3::X, Vec3::Y, Vec3::Z],
    };

    pub fn from_cols(x: Vec3, y: Vec3, z: Vec3) -> Mat3 {
        Mat3 { c: [x, y, z] }
    }

    /// Element at row `r`, column `col`.
    pub fn at(&self, r: usize, col: usize) -> f32 {
        let v = self.c[col];
        match r {
            0 => v.x,
            1 => v.y,
            _ => v.z,
        }
    }

    pub fn transpose(&self) -> Mat3 {
        let [a, b, c] = self.c;
        Mat3::from_cols(v3(a.x, b.x, c.x), v3(a.y, b.y, c.y), v3(a.z, b.z, c.z))
    }

    pub fn rot_x(a: f32) -> Mat3 {
        let (s, c) = a.sin_cos();
        Mat3::from_cols(Vec3::X, v3(0.0, c, s), v3(0.0, -s, c))
    }

    pub fn rot_y(a: f32) -> Mat3 {
        let (s, c) = a.sin_cos();
        Mat3::from_cols(v3(c, 0.0, -s), Vec3::Y, v3(s, 0.0, c))
    }

    pub fn rot_z(a: f32) -> Mat3 {
        let (s, c) = a.sin_cos();
        Mat3::from_cols(v3(c, s, 0.0), v3(-s, c, 0.0), Vec3::Z)
    }

    /// Rotation by `angle` radians about the unit vector `axis` (right-handed).
    pub fn axis_angle(axis: Vec3, angle: f32) -> Mat3 {
        let (s, c) = angle.sin_cos();
        let t = 1.0 - c;
        let Vec3 { x, y, z } = axis;
        Mat3::from_cols(
            v3(t * x * x + c, t * x * y + s * z, t * x * z - s * y),
            v3(t * x * y - s * z, t * y * y + c, t * y * z + s * x),
            v3(t * x * z + s * y, t * y * z - s * x, t * z * z + c),
        )
    }

    /// The rotation as (unit axis, angle in radians); identity gives angle 0.
    pub fn to_axis_angle(self) -> (Vec3, f32) {
        let trace = self.at(0, 0) + self.at(1, 1) + self.at(2, 2);
        let angle = ((trace - 1.0) * 0.5).clamp(-1.0, 1.0).acos();
        let axis = v3(
            self.at(2, 1) - self.at(1, 2),
            self.at(0, 2) - self.at(2, 0),
            self.at(1, 0) - self.at(0, 1),
        );
        if axis.length() > 1e-6 {
            return (axis.normalized(), angle);
        }
        if angle < 1e-3 {
            return (Vec3::Y, 0.0);
        }
        // A half turn: the axis is the column of (R + I) / 2 with the largest norm.
        let cols = [
            (self.c[0] + Vec3::X) * 0.5,
            (self.c[1] + Vec3::Y) * 0.5,
            (self.c[2] + Vec3::Z) * 0.5,
        ];
        let best =
            cols.iter().copied().fold(
                Vec3::ZERO,
                |a, b| if b.length() > a.length() { b } else { a },
            );
        (best.normalized(), angle)
    }

    /// A right-handed frame whose y axis is `up` and whose z axis is `forward` made
    /// perpendicular to it; x = y × z.
    pub fn frame(up: Vec3, forward: Vec3) -> Mat3 {
        let y = up.normalized();
        let z = forward.reject(y).normalized();
        Mat3::from_cols(y.cross(z), y, z)
    }

    /// R = Rx(a)·Rz(b)·Ry(c): the order every joint of the skeleton uses (flexion about the
    /// segment's left axis outermost, twist about its own long axis innermost).
    pub fn xzy(a: f32, b: f32, c: f32) -> Mat3 {
        Mat3::rot_x(a) * Mat3::rot_z(b) * Mat3::rot_y(c)
    }

    /// Inverse of [`Mat3::xzy`]: the angles (a, b, c) of a rotation.
    pub fn to_xzy(self) -> (f32, f32, f32) {
        // R·ŷ = (−sin b, cos b·cos a, cos b·sin a)
        let u = self.c[1];
        let b = (-u.x).clamp(-1.0, 1.0).asin();
        let a = u.z.atan2(u.y);
        let rest = (Mat3::rot_x(a) * Mat3::rot_z(b)).transpose() * self;
        let c = rest.at(0, 2).atan2(rest.at(0, 0));
        (a, b, c)
    }
}

impl Mul for Mat3 {
    type Output = Mat3;
    fn mul(self, o: Mat3) -> Mat3 {
        Mat3::from_cols(self * o.c[0], self * o.c[1], self * o.c[2])
    }
}

impl Mul<Vec3> for Mat3 {
    type Output = Vec3;
    fn mul(self, v: Vec3) -> Vec3 {
        self.c[0] * v.x + self.c[1] * v.y + self.c[2] * v.z
    }
}

pub fn deg(d: f32) -> f32 {
    d.to_radians()
}

pub fn lerp(a: f32, b: f32, t: f32) -> f32 {
    a + (b - a) * t
}

/// Hermite smoothstep of `x` between edges `a` and `b`, clamped to [0, 1].
pub fn smoothstep(a: f32, b: f32, x: f32) -> f32 {
    let t = ((x - a) / (b - a)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// Ease-in-out (quintic smootherstep): zero velocity and acceleration at both ends, which
/// reads as a person starting and stopping a movement under control.
pub fn ease_in_out(t: f64) -> f64 {
    let t = t.clamp(0.0, 1.0);
    t * t * t * (t * (t * 6.0 - 15.0) + 10.0)
}

/// The root of a continuous `f` on [lo, hi] by bisection; `f(lo)` and `f(hi)` should have
/// opposite signs, otherwise the end with the smaller |f| is returned.
pub fn bisect(mut lo: f32, mut hi: f32, f: impl Fn(f32) -> f32) -> f32 {
    let (mut flo, fhi) = (f(lo), f(hi));
    if flo == 0.0 {
        return lo;
    }
    if fhi == 0.0 {
        return hi;
    }
    if flo.signum() == fhi.signum() {
        return if flo.abs() < fhi.abs() { lo } else { hi };
    }
    for _ in 0..48 {
        let mid = 0.5 * (lo + hi);
        let fm = f(mid);
        if fm.signum() == flo.signum() {
            lo = mid;
            flo = fm;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Vec3, b: Vec3) -> bool {
        (a - b).length() < 1e-5
    }

    #[test]
    fn xzy_decomposes_back_to_its_angles() {
        for &(a, b, c) in &[(0.3, -0.4, 1.1), (-1.2, 0.2, -0.5), (2.0, 0.9, 0.1)] {
            let m = Mat3::xzy(a, b, c);
            let (a2, b2, c2) = m.to_xzy();
            let m2 = Mat3::xzy(a2, b2, c2);
            for i in 0..3 {
                assert!(close(m.c[i], m2.c[i]), "{a} {b} {c} -> {a2} {b2} {c2}");
            }
        }
    }

    #[test]
    fn axis_angle_round_trips() {
        let axis = v3(0.3, -0.5, 0.8).normalized();
        let m = Mat3::axis_angle(axis, 1.3);
        let (ax, an) = m.to_axis_angle();
        assert!(close(ax, axis));
        assert!((an - 1.3).abs() < 1e-5);
        let half_turn = Mat3::axis_angle(Vec3::Z, std::f32::consts::PI);
        let (ax, an) = half_turn.to_axis_angle();
        assert!((ax.z.abs() - 1.0).abs() < 1e-5 && (an - std::f32::consts::PI).abs() < 1e-4);
    }

    #[test]
    fn frames_are_right_handed() {
        let f = Mat3::frame(v3(0.0, 1.0, 0.1), Vec3::Z);
        assert!(close(f.c[0].cross(f.c[1]), f.c[2]));
        assert!((f.c[0].length() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn bisect_finds_a_root() {
        let r = bisect(0.0, 3.0, |x| x * x - 2.0);
        assert!((r - 2f32.sqrt()).abs() < 1e-5);
    }
}
