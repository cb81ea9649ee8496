//! The figure's surface: ellipsoids, spheres and tapered capsules ("round cones") attached to
//! skeleton segments, each with a material and a body group.
//!
//! Shapes are written once in segment-local coordinates for a 1.70 m person (left side; the
//! right side is mirrored) and placed in the world per frame. Groups say which parts belong
//! to one limb: ambient occlusion and shadows are cast only between different groups, so a
//! leg darkens where the other leg passes close in front of it but a knee does not darken
//! itself where thigh and shin overlap.

use crate::math::{Mat3, Vec3, v3};
use crate::skeleton::{Body, Seg, Side, Skeleton, mirror_for};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Material {
    Top,
    Leggings,
    Skin,
    Hair,
    Iris,
    EyeWhite,
    Brow,
    Lips,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Trunk,
    Head,
    Arm(Side),
    Leg(Side),
}

/// A shape in world space.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    Sphere {
        c: Vec3,
        r: f32,
    },
    /// `axes` columns are the ellipsoid's unit axes; `radii` its semi-axes along them.
    Ellipsoid {
        c: Vec3,
        axes: Mat3,
        radii: Vec3,
    },
    /// The convex hull of two spheres (a tapered capsule).
    Cone {
        a: Vec3,
        b: Vec3,
        ra: f32,
        rb: f32,
    },
}

impl Shape {
    /// The tight axis-aligned box around the shape: (low corner, high corner).
    pub fn aabb(&self) -> (Vec3, Vec3) {
        match *self {
            Shape::Sphere { c, r } => (c - Vec3::ONE * r, c + Vec3::ONE * r),
            Shape::Ellipsoid { c, axes, radii } => {
                let half = |i: usize| {
                    let row = v3(
                        axes.at(i, 0) * radii.x,
                        axes.at(i, 1) * radii.y,
                        axes.at(i, 2) * radii.z,
                    );
                    row.length()
                };
                let e = v3(half(0), half(1), half(2));
                (c - e, c + e)
            }
            Shape::Cone { a, b, ra, rb } => {
                let (ea, eb) = (Vec3::ONE * ra, Vec3::ONE * rb);
                ((a - ea).min(b - eb), (a + ea).max(b + eb))
            }
        }
    }

    /// Height of the shape's lowest point.
    pub fn lowest(&self) -> f32 {
        match *self {
            Shape::Sphere { c, r } => c.y - r,
            _ => self.aabb().0.y,
        }
    }

    /// The shape as a capsule (segment and radius at each end) for soft occlusion: exact for
    /// spheres and cones, the long axis for ellipsoids.
    pub fn capsule(&self) -> (Vec3, Vec3, f32, f32) {
        match *self {
            Shape::Sphere { c, r } => (c, c, r, r),
            Shape::Cone { a, b, ra, rb } => (a, b, ra, rb),
            Shape::Ellipsoid { c, axes, radii } => {
                let r = [radii.x, radii.y, radii.z];
                let long = (0..3).fold(0, |best, i| if r[i] > r[best] { i } else { best });
                let thick = (r.iter().sum::<f32>() - r[long]) * 0.5;
                let half = (r[long] - thick).max(0.0);
                let d = axes.c[long] * half;
                (c - d, c + d, thick, thick)
            }
        }
    }
}

/// One piece of the figure in world space.
#[derive(Clone, Copy, Debug)]
pub struct Part {
    pub shape: Shape,
    pub material: Material,
    pub group: Group,
    /// Whether the part darkens others (small face details do not).
    pub occludes: bool,
    /// A detail of the face or head (eyes, brows, nose, lips, ears, hair): what `--no-face`
    /// leaves out, to see how much pose models lean on a recognisable face.
    pub face: bool,
}

/// A shape in a segment's frame, for the left side of a 1.70 m body.
#[derive(Clone, Copy)]
enum Local {
    Sphere(Vec3, f32),
    /// Axis-aligned in the segment frame.
    Ellipsoid(Vec3, Vec3),
    Cone(Vec3, Vec3, f32, f32),
}

struct Piece {
    seg: Seg,
    shape: Local,
    material: Material,
    occludes: bool,
    face: bool,
}

fn trunk_and_head() -> Vec<Piece> {
    use Local::*;
    use Material::*;
    let h = Body::new(Body::REFERENCE_HEIGHT).head_centre;
    let p = |seg, shape, material, occludes| Piece {
        seg,
        shape,
        material,
        occludes,
        face: false,
    };
    // Face details are small and never darken anything.
    let f = |shape, material| Piece {
        seg: Seg::Head,
        shape,
        material,
        occludes: false,
        face: true,
    };
    let mut v = vec![
        p(
            Seg::Pelvis,
            Ellipsoid(v3(0.0, 0.035, -0.02), v3(0.16, 0.11, 0.115)),
            Leggings,
            true,
        ),
        p(
            Seg::Lumbar,
            Ellipsoid(v3(0.0, 0.09, 0.045), v3(0.13, 0.14, 0.095)),
            Top,
            true,
        ),
        p(
            Seg::Thorax,
            Ellipsoid(v3(0.0, 0.14, 0.045), v3(0.145, 0.16, 0.105)),
            Top,
            true,
        ),
        p(
            Seg::Thorax,
            Ellipsoid(v3(0.0, 0.225, 0.035), v3(0.165, 0.085, 0.095)),
            Top,
            false,
        ),
        p(
            Seg::Thorax,
            Cone(v3(0.165, 0.272, 0.02), v3(-0.165, 0.272, 0.02), 0.06, 0.06),
            Top,
            true,
        ),
        p(
            Seg::Neck,
            Cone(v3(0.0, -0.01, 0.0), v3(0.0, 0.09, 0.02), 0.052, 0.047),
            Skin,
            true,
        ),
        p(Seg::Head, Ellipsoid(h, v3(0.075, 0.1, 0.095)), Skin, true),
        p(
            Seg::Head,
            Ellipsoid(h + v3(0.0, -0.055, 0.03), v3(0.058, 0.055, 0.062)),
            Skin,
            false,
        ),
        f(
            Ellipsoid(h + v3(0.0, -0.012, 0.096), v3(0.012, 0.022, 0.018)),
            Skin,
        ),
        f(
            Ellipsoid(h + v3(0.0, -0.058, 0.084), v3(0.021, 0.006, 0.01)),
            Lips,
        ),
        f(
            Ellipsoid(h + v3(0.0, 0.03, -0.03), v3(0.08, 0.095, 0.095)),
            Hair,
        ),
    ];
    for s in [1.0, -1.0] {
        v.extend([
            p(
                Seg::Pelvis,
                Ellipsoid(v3(0.075 * s, 0.0, -0.06), v3(0.085, 0.09, 0.075)),
                Leggings,
                false,
            ),
            p(
                Seg::Thorax,
                Cone(v3(0.0, 0.31, -0.02), v3(0.12 * s, 0.285, 0.0), 0.055, 0.05),
                Top,
                false,
            ),
            f(
                Ellipsoid(h + v3(0.074 * s, -0.005, -0.005), v3(0.014, 0.03, 0.02)),
                Skin,
            ),
            f(
                Ellipsoid(h + v3(0.032 * s, 0.014, 0.077), v3(0.016, 0.009, 0.009)),
                EyeWhite,
            ),
            f(
                Ellipsoid(h + v3(0.032 * s, 0.014, 0.079), v3(0.009, 0.008, 0.008)),
                Iris,
            ),
            f(
                Ellipsoid(h + v3(0.033 * s, 0.033, 0.083), v3(0.019, 0.005, 0.008)),
                Brow,
            ),
        ]);
    }
    v
}

fn limbs(side: Side) -> Vec<Piece> {
    use Local::*;
    use Material::*;
    let p = |seg, shape, material, occludes| Piece {
        seg,
        shape,
        material,
        occludes,
        face: false,
    };
    let o = Vec3::ZERO;
    let down = |d: f32| v3(0.0, -d, 0.0);
    vec![
        p(
            Seg::UpperArm(side),
            Cone(o, down(0.13), 0.058, 0.05),
            Top,
            false,
        ),
        p(
            Seg::UpperArm(side),
            Cone(o, down(0.29), 0.048, 0.037),
            Skin,
            true,
        ),
        p(
            Seg::Forearm(side),
            Cone(o, down(0.25), 0.039, 0.027),
            Skin,
            true,
        ),
        p(
            Seg::Hand(side),
            Ellipsoid(v3(0.0, -0.05, 0.0), v3(0.043, 0.055, 0.017)),
            Skin,
            true,
        ),
        p(
            Seg::Hand(side),
            Ellipsoid(v3(-0.005, -0.125, 0.004), v3(0.038, 0.05, 0.012)),
            Skin,
            false,
        ),
        p(
            Seg::Hand(side),
            Cone(
                v3(0.025, -0.025, 0.012),
                v3(0.045, -0.09, 0.028),
                0.012,
                0.009,
            ),
            Skin,
            false,
        ),
        p(
            Seg::Thigh(side),
            Cone(o, down(0.41), 0.085, 0.055),
            Leggings,
            true,
        ),
        p(
            Seg::Shank(side),
            Cone(o, down(0.39), 0.053, 0.036),
            Leggings,
            true,
        ),
        p(
            Seg::Shank(side),
            Ellipsoid(v3(0.0, -0.12, -0.018), v3(0.05, 0.1, 0.055)),
            Leggings,
            false,
        ),
        p(Seg::Foot(side), Sphere(o, 0.037), Skin, false),
        p(
            Seg::Foot(side),
            Sphere(v3(0.0, -0.038, -0.045), 0.034),
            Skin,
            false,
        ),
        p(
            Seg::Foot(side),
            Ellipsoid(v3(0.0, -0.042, 0.055), v3(0.043, 0.03, 0.125)),
            Skin,
            true,
        ),
    ]
}

fn group_of(seg: Seg) -> Group {
    match seg {
        Seg::Pelvis | Seg::Lumbar | Seg::Thorax => Group::Trunk,
        Seg::Neck | Seg::Head => Group::Head,
        Seg::UpperArm(s) | Seg::Forearm(s) | Seg::Hand(s) => Group::Arm(s),
        Seg::Thigh(s) | Seg::Shank(s) | Seg::Foot(s) => Group::Leg(s),
    }
}

/// The shape table, built once; [`Figure::pose`] places it for each frame.
pub struct Figure {
    pieces: Vec<Piece>,
    scale: f32,
}

impl Figure {
    pub fn new(body: &Body) -> Figure {
        let mut pieces = trunk_and_head();
        pieces.extend(limbs(Side::Left));
        pieces.extend(limbs(Side::Right));
        Figure {
            pieces,
            scale: body.scale,
        }
    }

    /// The parts in world space for one skeleton.
    pub fn pose(&self, sk: &Skeleton) -> Vec<Part> {
        let k = self.scale;
        self.pieces
            .iter()
            .map(|piece| {
                let xf = sk.seg(piece.seg);
                let at = |p: Vec3| xf.point(mirror_for(piece.seg, p) * k);
                let shape = match piece.shape {
                    Local::Sphere(c, r) => Shape::Sphere { c: at(c), r: r * k },
                    Local::Ellipsoid(c, radii) => Shape::Ellipsoid {
                        c: at(c),
                        axes: xf.rot,
                        radii: radii * k,
                    },
                    Local::Cone(a, b, ra, rb) => Shape::Cone {
                        a: at(a),
                        b: at(b),
                        ra: ra * k,
                        rb: rb * k,
                    },
                };
                Part {
                    shape,
                    material: piece.material,
                    group: group_of(piece.seg),
                    occludes: piece.occludes,
                    face: piece.face,
                }
            })
            .collect()
    }
}

/// Height of the lowest point of any of `parts`.
pub fn lowest(parts: &[Part]) -> f32 {
    parts
        .iter()
        .map(|p| p.shape.lowest())
        .fold(f32::INFINITY, f32::min)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::skeleton::Pose;

    #[test]
    fn standing_figure_stands_on_its_soles_and_is_about_170_tall() {
        let body = Body::new(1.70);
        let pose = Pose {
            root: v3(0.0, 0.872, 0.0),
            ..Pose::default()
        };
        let parts = Figure::new(&body).pose(&Skeleton::new(&body, &pose));
        let low = lowest(&parts);
        let top = parts
            .iter()
            .map(|p| p.shape.aabb().1.y)
            .fold(f32::MIN, f32::max);
        assert!(low.abs() < 0.005, "soles at {low}");
        assert!((top - 1.70).abs() < 0.04, "top of head at {top}");
    }

    #[test]
    fn ellipsoid_capsule_runs_along_the_long_axis() {
        let s = Shape::Ellipsoid {
            c: Vec3::ZERO,
            axes: Mat3::IDENTITY,
            radii: v3(0.1, 0.3, 0.1),
        };
        let (a, b, ra, _) = s.capsule();
        assert!((a.y + 0.2).abs() < 1e-6 && (b.y - 0.2).abs() < 1e-6 && (ra - 0.1).abs() < 1e-6);
    }
}
