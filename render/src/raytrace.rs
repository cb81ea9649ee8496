//! Ray casting against the figure: analytic ray–shape intersection and per-tile candidate
//! lists so that each pixel tests only the few parts whose screen bounds cover it.

use crate::camera::Camera;
use crate::figure::{Part, Shape};
use crate::math::{Mat3, Vec3};

/// Side of the square screen tiles the parts are binned into.
pub const TILE: usize = 16;

/// A part with what intersection needs precomputed.
#[derive(Clone, Copy, Debug)]
enum Prepared {
    Sphere {
        c: Vec3,
        r: f32,
    },
    /// `m` maps world offsets from the centre into the unit sphere.
    Ellipsoid {
        c: Vec3,
        m: Mat3,
        mt: Mat3,
    },
    Cone {
        a: Vec3,
        b: Vec3,
        ra: f32,
        rb: f32,
    },
}

impl Prepared {
    fn new(shape: &Shape) -> Prepared {
        match *shape {
            Shape::Sphere { c, r } => Prepared::Sphere { c, r },
            Shape::Ellipsoid { c, axes, radii } => {
                let inv = Mat3::from_cols(
                    axes.c[0] / radii.x,
                    axes.c[1] / radii.y,
                    axes.c[2] / radii.z,
                );
                Prepared::Ellipsoid {
                    c,
                    m: inv.transpose(),
                    mt: inv,
                }
            }
            Shape::Cone { a, b, ra, rb } => Prepared::Cone { a, b, ra, rb },
        }
    }

    /// Nearest intersection in front of `o` along the unit direction `d`: distance and
    /// outward unit normal.
    fn hit(&self, o: Vec3, d: Vec3) -> Option<(f32, Vec3)> {
        match *self {
            Prepared::Sphere { c, r } => {
                let t = sphere_hit(o - c, d, r)?;
                Some((t, (o + d * t - c) / r))
            }
            Prepared::Ellipsoid { c, m, mt } => {
                let (oc, dd) = (m * (o - c), m * d);
                let a = dd.dot(dd);
                let b = oc.dot(dd);
                let h = b * b - a * (oc.dot(oc) - 1.0);
                if h < 0.0 {
                    return None;
                }
                let t = (-b - h.sqrt()) / a;
                if t <= 1e-4 {
                    return None;
                }
                Some((t, (mt * (oc + dd * t)).normalized()))
            }
            Prepared::Cone { a, b, ra, rb } => round_cone_hit(o, d, a, b, ra, rb),
        }
    }
}

/// Ray against a sphere centred at the origin (`oc` = ray origin relative to the centre).
fn sphere_hit(oc: Vec3, d: Vec3, r: f32) -> Option<f32> {
    let b = oc.dot(d);
    let h = b * b - (oc.dot(oc) - r * r);
    if h < 0.0 {
        return None;
    }
    let t = -b - h.sqrt();
    (t > 1e-4).then_some(t)
}

/// Ray against the convex hull of two spheres (a at `a` radius `ra`, b at `b` radius `rb`).
/// The lateral surface is a cone tangent to both spheres; solving the ray against the
/// infinite cone with the axis shifted by the tangent offset gives its hit in one quadratic,
/// and outside the tangent band the end spheres answer instead (after Iñigo Quilez's
/// rounded-cone intersector).
fn round_cone_hit(o: Vec3, d: Vec3, a: Vec3, b: Vec3, ra: f32, rb: f32) -> Option<(f32, Vec3)> {
    let ba = b - a;
    let oa = o - a;
    let ob = o - b;
    let rr = ra - rb;
    let m0 = ba.dot(ba);
    let m1 = ba.dot(oa);
    let m2 = ba.dot(d);
    let m3 = d.dot(oa);
    let m5 = oa.dot(oa);
    let d2 = m0 - rr * rr;
    let k2 = d2 - m2 * m2;
    let k1 = d2 * m3 - m1 * m2 + m2 * rr * ra;
    let k0 = d2 * m5 - m1 * m1 + m1 * rr * ra * 2.0 - m0 * ra * ra;
    let h = k1 * k1 - k0 * k2;
    if h < 0.0 {
        return None;
    }
    let t = (-h.sqrt() - k1) / k2;
    let y = m1 - ra * rr + t * m2;
    if y > 0.0 && y < d2 {
        return (t > 1e-4).then(|| (t, ((oa + d * t) * d2 - ba * y).normalized()));
    }
    // Outside the tangent band: the nearer of the two end spheres.
    let mut best: Option<(f32, Vec3)> = None;
    for (oc, r) in [(oa, ra), (ob, rb)] {
        if let Some(t) = sphere_hit(oc, d, r)
            && best.is_none_or(|(bt, _)| t < bt)
        {
            best = Some((t, (oc + d * t) / r));
        }
    }
    best
}

/// The figure prepared for one frame: parts, their intersection data and which parts each
/// screen tile must test.
pub struct Tracer<'a> {
    pub parts: &'a [Part],
    prepared: Vec<Prepared>,
    pub tiles_x: usize,
    pub tiles_y: usize,
    /// Per tile: the parts whose bounds cover it.
    bins: Vec<Vec<u16>>,
    /// Per part: its screen bounds in pixels (x0, y0, x1, y1), to skip it cheaply.
    rects: Vec<[f32; 4]>,
}

/// A ray's first hit on the figure.
#[derive(Clone, Copy, Debug)]
pub struct Hit {
    pub t: f32,
    pub normal: Vec3,
    pub part: usize,
}

impl<'a> Tracer<'a> {
    pub fn new(parts: &'a [Part], cam: &Camera) -> Tracer<'a> {
        let tiles_x = (cam.width as usize).div_ceil(TILE);
        let tiles_y = (cam.height as usize).div_ceil(TILE);
        let mut bins = vec![Vec::new(); tiles_x * tiles_y];
        let mut rects = Vec::with_capacity(parts.len());
        for (i, part) in parts.iter().enumerate() {
            let (lo, hi) = part.shape.aabb();
            let rect = screen_rect(cam, lo, hi);
            rects.push(rect);
            if let Some((x0, y0, x1, y1)) = tiles_of(rect, cam, tiles_x, tiles_y) {
                for ty in y0..=y1 {
                    for tx in x0..=x1 {
                        bins[ty * tiles_x + tx].push(i as u16);
                    }
                }
            }
        }
        let prepared = parts.iter().map(|p| Prepared::new(&p.shape)).collect();
        Tracer {
            parts,
            prepared,
            tiles_x,
            tiles_y,
            bins,
            rects,
        }
    }

    pub fn candidates(&self, tile: usize) -> &[u16] {
        &self.bins[tile]
    }

    /// First hit among `candidates` along the camera ray `o + t·d` through pixel
    /// coordinates (px, py).
    pub fn trace_pixel(
        &self,
        o: Vec3,
        d: Vec3,
        (px, py): (f32, f32),
        candidates: &[u16],
    ) -> Option<Hit> {
        let mut best: Option<Hit> = None;
        for &i in candidates {
            let [x0, y0, x1, y1] = self.rects[i as usize];
            if px < x0 || px > x1 || py < y0 || py > y1 {
                continue;
            }
            if let Some((t, normal)) = self.prepared[i as usize].hit(o, d)
                && best.is_none_or(|b| t < b.t)
            {
                best = Some(Hit {
                    t,
                    normal,
                    part: i as usize,
                });
            }
        }
        best
    }

    /// First hit among all parts (for rays that do not start at the camera).
    pub fn trace(&self, o: Vec3, d: Vec3) -> Option<Hit> {
        let mut best: Option<Hit> = None;
        for (i, p) in self.prepared.iter().enumerate() {
            if let Some((t, normal)) = p.hit(o, d)
                && best.is_none_or(|b| t < b.t)
            {
                best = Some(Hit { t, normal, part: i });
            }
        }
        best
    }
}

/// Pixel bounds (x0, y0, x1, y1) of the screen projection of a world box: the box's
/// corners projected (a convex box projects inside their hull). A box reaching behind the
/// camera gets unbounded bounds.
pub fn screen_rect(cam: &Camera, lo: Vec3, hi: Vec3) -> [f32; 4] {
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for i in 0..8 {
        let p = Vec3 {
            x: if i & 1 == 0 { lo.x } else { hi.x },
            y: if i & 2 == 0 { lo.y } else { hi.y },
            z: if i & 4 == 0 { lo.z } else { hi.z },
        };
        let (x, y, z) = cam.project(p);
        if z < 0.05 {
            return [f32::MIN, f32::MIN, f32::MAX, f32::MAX];
        }
        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
    }
    [x0, y0, x1, y1]
}

/// The range of tiles (inclusive) a pixel rectangle covers, or `None` if it is off screen.
pub fn tiles_of(
    [x0, y0, x1, y1]: [f32; 4],
    cam: &Camera,
    tiles_x: usize,
    tiles_y: usize,
) -> Option<(usize, usize, usize, usize)> {
    let (w, h) = (cam.width as f32, cam.height as f32);
    if x1 < 0.0 || y1 < 0.0 || x0 >= w || y0 >= h {
        return None;
    }
    let to_tile = |v: f32, n: usize| ((v.clamp(0.0, 1e6) as usize) / TILE).min(n - 1);
    Some((
        to_tile(x0, tiles_x),
        to_tile(y0, tiles_y),
        to_tile(x1, tiles_x),
        to_tile(y1, tiles_y),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::v3;

    /// Signed distance-like test for a round cone: min over the swept spheres of
    /// |p − c(s)| − r(s); zero on the surface.
    fn swept(p: Vec3, a: Vec3, b: Vec3, ra: f32, rb: f32) -> f32 {
        (0..=2000)
            .map(|i| {
                let s = i as f32 / 2000.0;
                (p - a.lerp(b, s)).length() - (ra + (rb - ra) * s)
            })
            .fold(f32::MAX, f32::min)
    }

    #[test]
    fn round_cone_hits_lie_on_its_surface() {
        let (a, b, ra, rb) = (v3(0.0, 0.0, 0.0), v3(0.4, 0.1, 0.05), 0.08, 0.04);
        let mut hits = 0;
        for i in 0..40 {
            for j in 0..40 {
                let o = v3(-0.2 + i as f32 * 0.02, -0.2 + j as f32 * 0.012, 2.0);
                let d = v3(0.05, 0.02, -1.0).normalized();
                if let Some((t, n)) = round_cone_hit(o, d, a, b, ra, rb) {
                    hits += 1;
                    let p = o + d * t;
                    assert!(
                        swept(p, a, b, ra, rb).abs() < 1e-3,
                        "hit off the surface at {p:?}"
                    );
                    assert!(
                        swept(p - d * 0.003, a, b, ra, rb) > 0.0,
                        "a point before the hit is inside"
                    );
                    assert!(n.dot(d) < 0.0 && (n.length() - 1.0).abs() < 1e-3);
                } else {
                    // A miss must not pass through the shape.
                    let closest = (0..400)
                        .map(|k| swept(o + d * (1.5 + k as f32 * 0.0025), a, b, ra, rb))
                        .fold(f32::MAX, f32::min);
                    assert!(
                        closest > -1e-3,
                        "missed a ray that enters the shape at row {i},{j}"
                    );
                }
            }
        }
        assert!(hits > 100, "only {hits} hits");
    }

    #[test]
    fn rotated_ellipsoid_normal_points_out() {
        let axes = Mat3::axis_angle(v3(0.0, 0.0, 1.0), 0.7);
        let p = Prepared::new(&Shape::Ellipsoid {
            c: v3(0.0, 0.0, 0.0),
            axes,
            radii: v3(0.3, 0.1, 0.1),
        });
        let (t, n) = p
            .hit(v3(0.0, 0.0, 2.0), v3(0.0, 0.0, -1.0))
            .expect("hits through the centre");
        assert!((t - 1.9).abs() < 1e-4, "{t}");
        assert!((n.z - 1.0).abs() < 1e-4);
        assert!(p.hit(v3(1.0, 1.0, 2.0), v3(0.0, 0.0, -1.0)).is_none());
    }
}
