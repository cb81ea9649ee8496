//! Renders frames: the static room once per clip (supersampled), then per frame only the
//! screen tiles the figure or its shadow and occlusion can reach, with extra samples along
//! the figure's outline.

use crate::camera::Camera;
use crate::figure::{Group, Part};
use crate::math::{Vec3, smoothstep};
use crate::raytrace::{TILE, Tracer, screen_rect, tiles_of};
use crate::scene::{Room, RoomHit};
use crate::shade::{Gamma, Lights, Occluder, Palette, occlusion, shadow};

/// Group id used for the room (darkened by every part).
const ROOM: u8 = 255;

fn group_id(g: Group) -> u8 {
    match g {
        Group::Trunk => 0,
        Group::Head => 1,
        Group::Arm(s) => 2 + s.index() as u8,
        Group::Leg(s) => 4 + s.index() as u8,
    }
}

/// The room as seen by the camera, lit but without the figure: light that shadows can
/// block and light that occlusion can dim are kept apart so a frame can darken either.
struct Background {
    direct: Vec<Vec3>,
    ambient: Vec<Vec3>,
    /// Room point and normal seen through each pixel centre.
    point: Vec<(Vec3, Vec3)>,
    /// The undarkened room, encoded.
    bgr: Vec<u8>,
}

impl Background {
    fn colour(&self, i: usize) -> Vec3 {
        self.direct[i] + self.ambient[i]
    }
}

/// Room light at a hit: (key light, which shadows block; ambient and fill, which occlusion
/// dims).
fn room_light(l: &Lights, hit: &RoomHit) -> (Vec3, Vec3) {
    let key = l.key * hit.n.dot(l.key_dir).max(0.0);
    let soft = l.ambient(hit.n) + l.fill * hit.n.dot(l.fill_dir).max(0.0);
    (hit.albedo.mul_elem(key), hit.albedo.mul_elem(soft))
}

/// Grid points per tile side for [`Renderer::room_darkening`]: every other pixel, plus the
/// first pixel of the next tile.
const GRID: usize = TILE / 2 + 1;

/// (shadow, occlusion) of the room at every other pixel of a tile.
struct DarkGrid {
    v: [(f32, f32); GRID * GRID],
}

impl DarkGrid {
    /// Bilinear interpolation at pixel (x, y) of the tile.
    fn at(&self, x: usize, y: usize) -> (f32, f32) {
        let (gx, gy) = (x / 2, y / 2);
        let (fx, fy) = ((x % 2) as f32 * 0.5, (y % 2) as f32 * 0.5);
        let g = |i: usize, j: usize| self.v[j.min(GRID - 1) * GRID + i.min(GRID - 1)];
        let mix =
            |a: (f32, f32), b: (f32, f32), t: f32| (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
        mix(
            mix(g(gx, gy), g(gx + 1, gy), fx),
            mix(g(gx, gy + 1), g(gx + 1, gy + 1), fx),
            fy,
        )
    }
}

/// The occluders that can darken a screen tile.
#[derive(Default)]
struct Near<'o> {
    ao: Vec<&'o Occluder>,
    shadow: Vec<&'o Occluder>,
}

impl Near<'_> {
    fn is_empty(&self) -> bool {
        self.ao.is_empty() && self.shadow.is_empty()
    }
}

/// One rendered frame.
pub struct Frame {
    pub width: usize,
    pub height: usize,
    /// 8-bit BGR, row-major (OpenCV's order).
    pub bgr: Vec<u8>,
}

pub struct Renderer {
    cam: Camera,
    room: Room,
    palette: Palette,
    lights: Lights,
    gamma: Gamma,
    bg: Background,
    /// Whether body parts darken each other by ambient occlusion.
    limb_occlusion: bool,
}

impl Renderer {
    pub fn new(cam: Camera, room: Room, palette: Palette, lights: Lights) -> Renderer {
        let (w, h) = (cam.width as usize, cam.height as usize);
        let mut bg = Background {
            direct: vec![Vec3::ZERO; w * h],
            ambient: vec![Vec3::ZERO; w * h],
            point: vec![(Vec3::ZERO, Vec3::Y); w * h],
            bgr: Vec::new(),
        };
        // 3×3 samples per pixel: the room is rendered once, so its edges can be smooth.
        const N: usize = 3;
        for y in 0..h {
            for x in 0..w {
                let (mut direct, mut ambient) = (Vec3::ZERO, Vec3::ZERO);
                for sy in 0..N {
                    for sx in 0..N {
                        let px = x as f32 + (sx as f32 + 0.5) / N as f32;
                        let py = y as f32 + (sy as f32 + 0.5) / N as f32;
                        if let Some(hit) = room.hit(cam.pos, cam.ray(px, py)) {
                            let (d, a) = room_light(&lights, &hit);
                            direct += d;
                            ambient += a;
                        }
                    }
                }
                let i = y * w + x;
                let k = 1.0 / (N * N) as f32;
                bg.direct[i] = direct * k;
                bg.ambient[i] = ambient * k;
                if let Some(hit) = room.hit(cam.pos, cam.ray(x as f32 + 0.5, y as f32 + 0.5)) {
                    bg.point[i] = (hit.p, hit.n);
                }
            }
        }
        let gamma = Gamma::new();
        bg.bgr = (0..w * h).flat_map(|i| gamma.bgr(bg.colour(i))).collect();
        Renderer {
            cam,
            room,
            palette,
            lights,
            gamma,
            bg,
            limb_occlusion: true,
        }
    }

    /// Switches the ambient occlusion between body parts on or off. Off, a far limb is lit
    /// like a near one, so only outline, shadow and colour tell which is in front.
    pub fn with_limb_occlusion(mut self, on: bool) -> Renderer {
        self.limb_occlusion = on;
        self
    }

    /// Colour of a figure part hit at `p` with normal `n`, seen along `d`.
    fn figure_colour(&self, part: &Part, p: Vec3, n: Vec3, d: Vec3, near: &Near) -> Vec3 {
        let l = &self.lights;
        let own = group_id(part.group);
        // Near the floor, surfaces facing down see less sky.
        let floor_ao = 1.0 - 0.55 * (1.0 - smoothstep(0.0, 0.18, p.y)) * (0.5 - 0.5 * n.y);
        let limbs = if self.limb_occlusion {
            occlusion(p, n, &near.ao, own)
        } else {
            1.0
        };
        let ao = limbs * floor_ao;
        let ndl = n.dot(l.key_dir);
        let lit = if ndl > 0.0 {
            shadow(p + n * 0.003, l.key_dir, &near.shadow, own)
        } else {
            0.0
        };
        let fill = l.fill * n.dot(l.fill_dir).max(0.0) * (0.4 + 0.6 * ao);
        let diffuse = l.key * (ndl.max(0.0) * lit) + fill + l.ambient(n) * ao;
        let albedo = self.palette.albedo(part.material);
        let (ks, shininess) = Palette::gloss(part.material);
        let half = (l.key_dir - d).normalized();
        let spec = l.key * (ks * n.dot(half).max(0.0).powf(shininess) * lit);
        albedo.mul_elem(diffuse) + spec
    }

    /// Room light at a room point, darkened by the figure's shadow and occlusion.
    fn room_colour(&self, direct: Vec3, soft: Vec3, p: Vec3, n: Vec3, near: &Near) -> Vec3 {
        direct * shadow(p, self.lights.key_dir, &near.shadow, ROOM)
            + soft * occlusion(p, n, &near.ao, ROOM)
    }

    pub fn render(&self, parts: &[Part]) -> Frame {
        let (w, h) = (self.cam.width as usize, self.cam.height as usize);
        let tr = Tracer::new(parts, &self.cam);
        let occluders: Vec<Occluder> = parts
            .iter()
            .filter(|p| p.occludes)
            .map(|p| Occluder::from_part(p, group_id(p.group)))
            .collect();
        let near = self.near_by_tile(&occluders, &tr);
        let mut colour = vec![Vec3::ZERO; w * h];
        let mut ids = vec![0u16; w * h];
        for ty in 0..tr.tiles_y {
            for tx in 0..tr.tiles_x {
                let tile = ty * tr.tiles_x + tx;
                let cand = tr.candidates(tile);
                let near = &near[tile];
                let (x0, y0) = (tx * TILE, ty * TILE);
                let (x1, y1) = (((tx + 1) * TILE).min(w), ((ty + 1) * TILE).min(h));
                let dark = (!near.is_empty()).then(|| self.room_darkening(x0, y0, near));
                for y in y0..y1 {
                    for x in x0..x1 {
                        let i = y * w + x;
                        let hit = if cand.is_empty() {
                            None
                        } else {
                            self.sample_figure(&tr, x as f32 + 0.5, y as f32 + 0.5, cand, near)
                        };
                        colour[i] = match (hit, &dark) {
                            (Some((c, id)), _) => {
                                ids[i] = id;
                                c
                            }
                            (None, None) => self.bg.colour(i),
                            (None, Some(grid)) => {
                                let (lit, open) = grid.at(x - x0, y - y0);
                                self.bg.direct[i] * lit + self.bg.ambient[i] * open
                            }
                        };
                    }
                }
            }
        }
        self.antialias_outline(&tr, &near, &ids, &mut colour);
        // Tiles the figure leaves alone keep the room's pixels as they were encoded once.
        let mut bgr = self.bg.bgr.clone();
        for tile in (0..tr.tiles_x * tr.tiles_y)
            .filter(|&t| !tr.candidates(t).is_empty() || !near[t].is_empty())
        {
            let (x0, y0) = ((tile % tr.tiles_x) * TILE, (tile / tr.tiles_x) * TILE);
            for y in y0..(y0 + TILE).min(h) {
                for x in x0..(x0 + TILE).min(w) {
                    let (i, c) = (y * w + x, colour[y * w + x]);
                    bgr[3 * i..3 * i + 3].copy_from_slice(&self.gamma.bgr(c));
                }
            }
        }
        Frame {
            width: w,
            height: h,
            bgr,
        }
    }

    /// Shadow and occlusion of the room over one tile, evaluated every other pixel and
    /// interpolated: both are soft, so this loses nothing visible and saves three quarters
    /// of the work on the floor around the figure.
    fn room_darkening(&self, x0: usize, y0: usize, near: &Near) -> DarkGrid {
        let (w, h) = (self.cam.width as usize, self.cam.height as usize);
        let mut grid = DarkGrid {
            v: [(1.0, 1.0); GRID * GRID],
        };
        for gy in 0..GRID {
            for gx in 0..GRID {
                let (x, y) = ((x0 + 2 * gx).min(w - 1), (y0 + 2 * gy).min(h - 1));
                let (p, n) = self.bg.point[y * w + x];
                grid.v[gy * GRID + gx] = (
                    shadow(p, self.lights.key_dir, &near.shadow, ROOM),
                    occlusion(p, n, &near.ao, ROOM),
                );
            }
        }
        grid
    }

    /// The figure's colour and part id (from 1) along one camera ray, if it is hit.
    fn sample_figure(
        &self,
        tr: &Tracer,
        px: f32,
        py: f32,
        cand: &[u16],
        near: &Near,
    ) -> Option<(Vec3, u16)> {
        let d = self.cam.ray(px, py);
        let hit = tr.trace_pixel(self.cam.pos, d, (px, py), cand)?;
        let p = self.cam.pos + d * hit.t;
        Some((
            self.figure_colour(&tr.parts[hit.part], p, hit.normal, d, near),
            hit.part as u16 + 1,
        ))
    }

    /// Colour along one camera ray through continuous pixel coordinates: figure or room.
    fn sample(&self, tr: &Tracer, px: f32, py: f32, cand: &[u16], near: &Near) -> Vec3 {
        if let Some((c, _)) = self.sample_figure(tr, px, py, cand, near) {
            return c;
        }
        let d = self.cam.ray(px, py);
        let Some(room) = self.room.hit(self.cam.pos, d) else {
            return Vec3::ZERO;
        };
        let (direct, soft) = room_light(&self.lights, &room);
        self.room_colour(direct, soft, room.p, room.n, near)
    }

    /// Per tile, the occluders whose occlusion can reach into it (bounds grown by their
    /// reach) and those whose shadow can (bounds swept down the key light to the floor).
    fn near_by_tile<'o>(&self, occluders: &'o [Occluder], tr: &Tracer) -> Vec<Near<'o>> {
        let mut near: Vec<Near> = (0..tr.tiles_x * tr.tiles_y)
            .map(|_| Near::default())
            .collect();
        let key = self.lights.key_dir;
        let mut add = |lo: Vec3, hi: Vec3, o: &'o Occluder, to_shadow: bool| {
            if let Some((x0, y0, x1, y1)) = tiles_of(
                screen_rect(&self.cam, lo, hi),
                &self.cam,
                tr.tiles_x,
                tr.tiles_y,
            ) {
                for ty in y0..=y1 {
                    for tx in x0..=x1 {
                        let n = &mut near[ty * tr.tiles_x + tx];
                        if to_shadow {
                            n.shadow.push(o)
                        } else {
                            n.ao.push(o)
                        }
                    }
                }
            }
        };
        for o in occluders {
            let (c, r) = (o.centre, o.radius);
            let grown = Vec3::ONE * (r + o.reach);
            add(c - grown, c + grown, o, false);
            // Penumbrae widen with distance; a quarter of the drop to the floor covers them.
            let foot = c - key * (c.y / key.y.max(0.2));
            let spread = Vec3::ONE * (r + 0.25 * c.y + 0.02);
            add(
                (c - Vec3::ONE * r).min(foot - spread),
                (c + Vec3::ONE * r).max(foot + spread),
                o,
                true,
            );
        }
        near
    }

    /// Re-renders pixels on the figure's outline (where the part seen changes between
    /// neighbours and the colour steps) with four samples each. Only tiles the figure covers
    /// are scanned: its outline cannot be anywhere else.
    fn antialias_outline(&self, tr: &Tracer, near: &[Near], ids: &[u16], colour: &mut [Vec3]) {
        let (w, h) = (self.cam.width as usize, self.cam.height as usize);
        let first = colour.to_vec();
        const OFFSETS: [(f32, f32); 4] = [
            (0.375, 0.125),
            (0.875, 0.375),
            (0.625, 0.875),
            (0.125, 0.625),
        ];
        for tile in (0..tr.tiles_x * tr.tiles_y).filter(|&t| !tr.candidates(t).is_empty()) {
            let (x0, y0) = ((tile % tr.tiles_x) * TILE, (tile / tr.tiles_x) * TILE);
            for y in y0..(y0 + TILE).min(h) {
                for x in x0..(x0 + TILE).min(w) {
                    let i = y * w + x;
                    let (id, c) = (ids[i], first[i]);
                    let edge =
                        |j: usize| ids[j] != id && (first[j] - c).dot(Vec3::ONE).abs() > 0.05;
                    let on_edge = (x + 1 < w && edge(i + 1))
                        || (x > 0 && edge(i - 1))
                        || (y + 1 < h && edge(i + w))
                        || (y > 0 && edge(i - w));
                    if !on_edge {
                        continue;
                    }
                    let mut sum = Vec3::ZERO;
                    for (ox, oy) in OFFSETS {
                        sum += self.sample(
                            tr,
                            x as f32 + ox,
                            y as f32 + oy,
                            tr.candidates(tile),
                            &near[tile],
                        );
                    }
                    colour[i] = sum * 0.25;
                }
            }
        }
    }
}
