//! Materials and light: Lambert key and fill lights with soft shadows, hemispherical ambient
//! light darkened by ambient occlusion, a little specular, and the room's textures.
//!
//! Occlusion and shadows come from the figure's parts treated as capsules (analytic, no
//! secondary rays). The occlusion between limbs makes a far leg read as "behind" the near
//! one, as in a photograph (BlazePose-full turned out not to need it: see the tracking study
//! in posecheck's docs/rendering-study.md).

use crate::figure::{Material, Part};
use crate::math::{Vec3, smoothstep, v3};

/// Albedos (linear RGB) of the figure's materials and of the room.
#[derive(Clone, Debug)]
pub struct Palette {
    pub top: Vec3,
    pub leggings: Vec3,
    pub skin: Vec3,
    pub hair: Vec3,
    pub floor: Vec3,
    pub mat: Vec3,
    pub wall: Vec3,
}

impl Palette {
    pub fn albedo(&self, m: Material) -> Vec3 {
        match m {
            Material::Top => self.top,
            Material::Leggings => self.leggings,
            Material::Skin => self.skin,
            Material::Hair => self.hair,
            Material::Iris => v3(0.02, 0.015, 0.012),
            Material::EyeWhite => v3(0.75, 0.72, 0.68),
            Material::Brow => self.hair * 0.6,
            Material::Lips => self.skin.mul_elem(v3(0.75, 0.42, 0.42)),
        }
    }

    /// Specular strength and Blinn-Phong exponent.
    pub fn gloss(m: Material) -> (f32, f32) {
        match m {
            Material::Skin | Material::Lips => (0.10, 22.0),
            Material::Hair => (0.12, 30.0),
            Material::Iris | Material::EyeWhite => (0.4, 60.0),
            Material::Top | Material::Leggings | Material::Brow => (0.02, 8.0),
        }
    }
}

/// sRGB byte to linear.
pub fn srgb_to_linear(c: u8) -> f32 {
    let c = c as f32 / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// Linear to sRGB, via a table: the per-pixel pow would cost more than the shading.
pub struct Gamma {
    table: Vec<u8>,
}

impl Gamma {
    const STEPS: usize = 4096;

    pub fn new() -> Gamma {
        let table = (0..=Gamma::STEPS)
            .map(|i| {
                let l = i as f32 / Gamma::STEPS as f32;
                let s = if l <= 0.003_130_8 {
                    l * 12.92
                } else {
                    1.055 * l.powf(1.0 / 2.4) - 0.055
                };
                (s * 255.0 + 0.5).clamp(0.0, 255.0) as u8
            })
            .collect();
        Gamma { table }
    }

    pub fn encode(&self, l: f32) -> u8 {
        self.table[((l.clamp(0.0, 1.0) * Gamma::STEPS as f32) as usize).min(Gamma::STEPS)]
    }

    /// A linear RGB colour as sRGB bytes in OpenCV's blue, green, red order.
    pub fn bgr(&self, c: Vec3) -> [u8; 3] {
        [self.encode(c.z), self.encode(c.y), self.encode(c.x)]
    }
}

/// The lights: a warm key from above and in front, a cool fill from the camera side, and
/// sky/ground ambient.
#[derive(Clone, Debug)]
pub struct Lights {
    /// Unit direction towards the key light.
    pub key_dir: Vec3,
    pub key: Vec3,
    pub fill_dir: Vec3,
    pub fill: Vec3,
    pub sky: Vec3,
    pub ground: Vec3,
}

impl Lights {
    /// `strength` scales every light; `towards_camera` is the horizontal direction from the
    /// figure to the camera, so the side the camera sees is lit.
    pub fn new(strength: f32, towards_camera: Vec3) -> Lights {
        let side = towards_camera.cross(Vec3::Y);
        Lights {
            key_dir: (Vec3::Y * 2.2 + towards_camera * 0.55 + side * 0.45).normalized(),
            key: v3(1.0, 0.96, 0.9) * (0.82 * strength),
            fill_dir: (Vec3::Y * 0.5 + towards_camera - side * 0.6).normalized(),
            fill: v3(0.75, 0.8, 0.9) * (0.2 * strength),
            sky: v3(0.3, 0.31, 0.34) * strength,
            ground: v3(0.22, 0.19, 0.15) * strength,
        }
    }

    /// Ambient light arriving at a surface facing `n`.
    pub fn ambient(&self, n: Vec3) -> Vec3 {
        self.ground.lerp(self.sky, 0.5 + 0.5 * n.y)
    }
}

/// Occluders around a point: parts as capsules, with what is needed to skip far ones fast.
pub struct Occluder {
    a: Vec3,
    b: Vec3,
    ra: f32,
    rb: f32,
    /// Bounding sphere.
    pub centre: Vec3,
    pub radius: f32,
    /// How far beyond its surface the occluder darkens anything noticeably.
    pub reach: f32,
    pub group_id: u8,
}

impl Occluder {
    pub fn from_part(p: &Part, group_id: u8) -> Occluder {
        let (a, b, ra, rb) = p.shape.capsule();
        let (centre, radius) = ((a + b) * 0.5, (b - a).length() * 0.5 + ra.max(rb));
        // Occlusion falls as (r/d)²: four radii from the axis it is down to about 6%.
        let reach = (3.0 * ra.max(rb)).min(AO_RANGE);
        Occluder {
            a,
            b,
            ra,
            rb,
            centre,
            radius,
            reach,
            group_id,
        }
    }

    /// Closest point of the axis to `p` and the radius there.
    fn nearest(&self, p: Vec3) -> (Vec3, f32) {
        let e = self.b - self.a;
        let len2 = e.dot(e);
        let s = if len2 > 1e-12 {
            ((p - self.a).dot(e) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        (self.a + e * s, self.ra + (self.rb - self.ra) * s)
    }
}

/// The farthest occlusion reaches, metres from an occluder's surface.
const AO_RANGE: f32 = 0.3;
/// Angular softness of shadows: penumbra width per metre from the occluder (a large,
/// diffuse ceiling light).
const PENUMBRA: f32 = 0.25;

/// Ambient occlusion at `p` (normal `n`) from the occluders not in `own` group: 1 = open.
/// Each capsule is treated as the sphere at its nearest point, whose occlusion of the
/// hemisphere is about cos θ · (r/d)².
pub fn occlusion(p: Vec3, n: Vec3, occluders: &[&Occluder], own: u8) -> f32 {
    let mut open = 1.0;
    for o in occluders {
        if o.group_id == own || (o.centre - p).length() > o.radius + o.reach {
            continue;
        }
        let (c, r) = o.nearest(p);
        let di = c - p;
        let d = di.length().max(r * 1.02);
        let cos = n.dot(di) / d;
        if cos <= 0.0 {
            continue;
        }
        let k = (r / d) * (r / d) * cos;
        open *= 1.0 - (1.3 * k).min(0.85);
    }
    open
}

/// Soft shadow towards the unit direction `l` from `p`: 1 = fully lit. The ray's closest
/// approach to each capsule, measured against a penumbra that widens with distance.
pub fn shadow(p: Vec3, l: Vec3, occluders: &[&Occluder], own: u8) -> f32 {
    let mut lit = 1.0f32;
    for o in occluders {
        if o.group_id == own {
            continue;
        }
        // Quick reject: the ray passes the bounding sphere by more than the widest penumbra.
        let to_c = o.centre - p;
        let along = to_c.dot(l);
        if along < -o.radius {
            continue;
        }
        let miss = (to_c - l * along.max(0.0)).length() - o.radius;
        if miss > PENUMBRA * (along.max(0.0) + o.radius) + 0.01 {
            continue;
        }
        let (t, q) = ray_segment_closest(p, l, o.a, o.b);
        let (_, r) = o.nearest(q);
        let gap = (p + l * t - q).length() - r;
        let width = PENUMBRA * t + 0.01;
        lit = lit.min(smoothstep(-width, width, gap));
        if lit <= 0.0 {
            return 0.0;
        }
    }
    lit
}

/// Closest approach between the ray `p + t·l` (t ≥ 0) and segment ab: (t, point on ab).
fn ray_segment_closest(p: Vec3, l: Vec3, a: Vec3, b: Vec3) -> (f32, Vec3) {
    let e = b - a;
    let w0 = p - a;
    let (bb, c, d, ee) = (l.dot(e), e.dot(e), l.dot(w0), e.dot(w0));
    let denom = c - bb * bb;
    let mut s = if denom > 1e-9 {
        ((ee - d * bb) / denom).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let t = (s * bb - d).max(0.0);
    if c > 1e-12 {
        s = ((ee + t * bb) / c).clamp(0.0, 1.0);
    }
    (t, a + e * s)
}

/// Value noise in 2-D, in [0, 1]: smooth, deterministic, for wood grain and wall texture.
pub fn noise2(x: f32, y: f32) -> f32 {
    let (xi, yi) = (x.floor(), y.floor());
    let (fx, fy) = (x - xi, y - yi);
    let (ux, uy) = (fx * fx * (3.0 - 2.0 * fx), fy * fy * (3.0 - 2.0 * fy));
    let h = |i: f32, j: f32| hash2(xi as i32 + i as i32, yi as i32 + j as i32);
    let top = h(0.0, 0.0) + (h(1.0, 0.0) - h(0.0, 0.0)) * ux;
    let bottom = h(0.0, 1.0) + (h(1.0, 1.0) - h(0.0, 1.0)) * ux;
    top + (bottom - top) * uy
}

/// Integer lattice hash to [0, 1].
pub fn hash2(i: i32, j: i32) -> f32 {
    let mut h = (i as u32).wrapping_mul(0x8DA6_B343) ^ (j as u32).wrapping_mul(0xD816_3841);
    h = (h ^ (h >> 13)).wrapping_mul(0x5BD1_E995);
    h ^= h >> 15;
    (h & 0x00FF_FFFF) as f32 / 0x00FF_FFFF as f32
}

/// Three octaves of [`noise2`].
pub fn fbm(x: f32, y: f32) -> f32 {
    0.55 * noise2(x, y)
        + 0.3 * noise2(x * 2.1 + 5.3, y * 2.1 + 1.7)
        + 0.15 * noise2(x * 4.3 + 9.1, y * 4.3 + 3.3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figure::{Group, Shape};

    fn ball(c: Vec3, r: f32) -> Part {
        Part {
            shape: Shape::Sphere { c, r },
            material: Material::Skin,
            group: Group::Trunk,
            occludes: true,
            face: false,
        }
    }

    #[test]
    fn a_ball_above_the_floor_shadows_and_occludes_below_it() {
        let o = Occluder::from_part(&ball(v3(0.0, 0.2, 0.0), 0.1), 1);
        let occ = [&o];
        assert!(shadow(v3(0.0, 0.0, 0.0), Vec3::Y, &occ, 0) < 0.05);
        assert!(shadow(v3(1.0, 0.0, 0.0), Vec3::Y, &occ, 0) > 0.99);
        assert!(occlusion(v3(0.0, 0.0, 0.0), Vec3::Y, &occ, 0) < 0.9);
        assert!(occlusion(v3(0.0, 0.0, 0.0), -Vec3::Y, &occ, 0) == 1.0);
        // Parts of the same group never darken each other.
        assert_eq!(shadow(v3(0.0, 0.0, 0.0), Vec3::Y, &occ, 1), 1.0);
    }

    #[test]
    fn gamma_table_matches_the_formula_and_noise_is_bounded() {
        let g = Gamma::new();
        assert_eq!(g.encode(0.0), 0);
        assert_eq!(g.encode(1.0), 255);
        assert!((g.encode(0.2140) as i32 - 128).abs() <= 1);
        assert!((srgb_to_linear(128) - 0.2158).abs() < 1e-3);
        assert!((0..500).all(|i| (0.0..=1.0).contains(&fbm(i as f32 * 0.37, i as f32 * 0.11))));
    }
}
