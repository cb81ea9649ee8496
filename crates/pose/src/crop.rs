//! Model input preparation: letterboxing, rotated crops, and pixels → normalised tensors.
//!
//! Coordinates are continuous: pixel `i` covers `[i, i + 1)`, so a point maps between image and
//! crop by the same affine transform whatever the resolution.

use posecheck_core::geometry::Vec2;

use crate::error::Error;
use crate::image::{ChannelOrder, ImageView};

/// How a frame was scaled and padded into a square model input.
#[derive(Clone, Copy, Debug)]
pub struct Letterbox {
    scale: f32,
    offset: Vec2,
}

impl Letterbox {
    /// Model-input pixels → frame pixels.
    pub fn to_frame(&self, p: Vec2) -> Vec2 {
        Vec2::new(
            (p.x - self.offset.x) / self.scale,
            (p.y - self.offset.y) / self.scale,
        )
    }
}

/// Pads `frame` centred onto a black square and scales that to `size`×`size` (pixels in the
/// frame's channel order into `out`, reused). Padding first keeps the mapping an exact scale +
/// offset.
pub fn letterbox(frame: &ImageView, size: i32, out: &mut Vec<u8>) -> Result<Letterbox, Error> {
    if frame.is_empty() {
        return Err(Error::Invalid("the frame is empty".into()));
    }
    let (w, h) = (frame.width(), frame.height());
    let side = w.max(h);
    let (px, py) = ((side - w) / 2, (side - h) / 2);
    // Left and right padding is copied in; rows above and below are black and stay virtual.
    let padded;
    let rows: &[u8] = if px > 0 || frame.stride() != w * 3 {
        let mut buf = vec![0u8; side * h * 3];
        for (y, dst) in buf.chunks_exact_mut(side * 3).enumerate() {
            dst[px * 3..(px + w) * 3].copy_from_slice(frame.row(y));
        }
        padded = buf;
        &padded
    } else {
        &frame.bytes()[..w * h * 3]
    };
    let n = size.max(1) as usize;
    let mut resized_rows = Vec::new();
    resample::horizontal(rows, side, h, n, &mut resized_rows);
    resample::vertical(&resized_rows, n, side, py, n, out);
    let scale = size as f32 / side as f32;
    Ok(Letterbox {
        scale,
        offset: Vec2::new(px as f32 * scale, py as f32 * scale),
    })
}

/// Antialiased bilinear resizing, bit-exact with Pillow's `resize(BILINEAR)` (which the
/// reference pipeline and MediaPipe's Python tools use): a triangle filter widened by the
/// reduction factor, 22-bit fixed-point weights, horizontal pass first, rounded to 8 bits in
/// between. The landmark model downstream is sensitive to pixel-level differences in where
/// the detector puts the person, so "close" resizing is not enough to reproduce its results.
mod resample {
    const PRECISION_BITS: u32 = 22;
    /// Rounding offset every accumulator starts from (Pillow's `1 << (PRECISION_BITS - 1)`).
    const HALF: i32 = 1 << (PRECISION_BITS - 1);

    /// Per output pixel: first input index and fixed-point weights (they sum to 2^22, so 8-bit
    /// values accumulate within `i32`, as in Pillow).
    fn coefficients(in_size: usize, out_size: usize) -> Vec<(usize, Vec<i32>)> {
        let scale = in_size as f64 / out_size as f64;
        let filterscale = scale.max(1.0);
        let support = filterscale; // the triangle filter's support is 1
        (0..out_size)
            .map(|xx| {
                let center = (xx as f64 + 0.5) * scale;
                let xmin = ((center - support + 0.5) as i64).max(0) as usize;
                let xmax = ((center + support + 0.5) as i64).min(in_size as i64) as usize;
                let weights: Vec<f64> = (xmin..xmax)
                    .map(|x| {
                        let t = ((x as f64 - center + 0.5) / filterscale).abs();
                        if t < 1.0 { 1.0 - t } else { 0.0 }
                    })
                    .collect();
                let total: f64 = weights.iter().sum();
                let fixed = weights
                    .iter()
                    .map(|w| {
                        let w = if total != 0.0 { w / total } else { *w };
                        let v = w * (1u64 << PRECISION_BITS) as f64;
                        (if v < 0.0 { v - 0.5 } else { v + 0.5 }) as i32
                    })
                    .collect();
                (xmin, fixed)
            })
            .collect()
    }

    fn clip8(v: i32) -> u8 {
        (v >> PRECISION_BITS).clamp(0, 255) as u8
    }

    /// Resizes rows of `width` 3-channel pixels to `out_width`.
    pub fn horizontal(
        src: &[u8],
        width: usize,
        height: usize,
        out_width: usize,
        out: &mut Vec<u8>,
    ) {
        let coeffs = coefficients(width, out_width);
        out.clear();
        out.resize(out_width * height * 3, 0);
        for (row, dst) in src
            .chunks_exact(width * 3)
            .zip(out.chunks_exact_mut(out_width * 3))
        {
            for ((xmin, k), px) in coeffs.iter().zip(dst.chunks_exact_mut(3)) {
                let taps = &row[xmin * 3..(xmin + k.len()) * 3];
                let mut acc = [HALF; 3];
                for (p, &w) in taps.chunks_exact(3).zip(k) {
                    acc[0] += p[0] as i32 * w;
                    acc[1] += p[1] as i32 * w;
                    acc[2] += p[2] as i32 * w;
                }
                px[0] = clip8(acc[0]);
                px[1] = clip8(acc[1]);
                px[2] = clip8(acc[2]);
            }
        }
    }

    /// Resizes a column of `height` rows of `width` 3-channel pixels to `out_height` rows,
    /// where only the rows `top..top + src rows` are given and the others are black.
    pub fn vertical(
        src: &[u8],
        width: usize,
        height: usize,
        top: usize,
        out_height: usize,
        out: &mut Vec<u8>,
    ) {
        let coeffs = coefficients(height, out_height);
        let stride = width * 3;
        let given = src.len() / stride.max(1);
        out.clear();
        out.resize(stride * out_height, 0);
        let mut acc = vec![0i32; stride];
        for ((ymin, k), dst) in coeffs.iter().zip(out.chunks_exact_mut(stride)) {
            acc.fill(HALF);
            for (j, &w) in k.iter().enumerate() {
                // Black rows add nothing.
                let Some(y) = (ymin + j).checked_sub(top).filter(|&y| y < given) else {
                    continue;
                };
                for (a, &p) in acc.iter_mut().zip(&src[y * stride..(y + 1) * stride]) {
                    *a += p as i32 * w;
                }
            }
            for (o, &a) in dst.iter_mut().zip(&acc) {
                *o = clip8(a);
            }
        }
    }
}

/// A square region of the frame, rotated by `rotation` radians (clockwise on screen).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Roi {
    pub center: Vec2,
    pub size: f32,
    pub rotation: f32,
}

impl Roi {
    /// Crop coordinates in `[0, crop)` → frame pixels.
    pub fn to_frame(&self, p: Vec2, crop: f32) -> Vec2 {
        let u = (p.x / crop - 0.5) * self.size;
        let v = (p.y / crop - 0.5) * self.size;
        self.center + Vec2::new(u, v).rotated(self.rotation)
    }
}

/// Where the crop's pixel centres fall in the frame: crop row `v`, column `u` samples
/// `origin + u·step_u + v·step_v`, accumulated step by step as Pillow's affine transform does.
#[derive(Clone, Copy)]
struct Sampling {
    origin: (f64, f64),
    step_u: (f64, f64),
    step_v: (f64, f64),
}

impl Sampling {
    fn new(roi: &Roi, n: usize) -> Sampling {
        let k = roi.size as f64 / n as f64;
        let (s, c) = (roi.rotation as f64).sin_cos();
        let (a, b, d, e) = (c * k, -s * k, s * k, c * k);
        let half = n as f64 / 2.0;
        Sampling {
            // Frame point of crop pixel (0, 0)'s centre.
            origin: (
                roi.center.x as f64 - (a + b) * half + 0.5 * (a + b),
                roi.center.y as f64 - (d + e) * half + 0.5 * (d + e),
            ),
            step_u: (a, d),
            step_v: (b, e),
        }
    }

    /// The start of crop row `v`, by the same additions the row-by-row walk makes.
    fn row_start(&self, v: usize) -> (f64, f64) {
        (0..v).fold(self.origin, |(x, y), _| {
            (x + self.step_v.0, y + self.step_v.1)
        })
    }
}

/// A frame's bytes and size, for sampling.
#[derive(Clone, Copy)]
struct Pixels<'a> {
    bytes: &'a [u8],
    width: usize,
    height: usize,
    stride: usize,
}

impl<'a> Pixels<'a> {
    fn of(frame: &ImageView<'a>) -> Result<Pixels<'a>, Error> {
        if frame.is_empty() {
            return Err(Error::Invalid("the frame is empty".into()));
        }
        Ok(Pixels {
            bytes: frame.bytes(),
            width: frame.width(),
            height: frame.height(),
            stride: frame.stride(),
        })
    }

    /// Bilinear value at frame point (x, y), or `None` outside the frame.
    ///
    /// Double precision with the frame's edge pixels clamped, as the reference pipeline
    /// samples. OpenCV's `warpAffine` quantises sample positions to 1/32 px, and the landmark
    /// model is sensitive enough to that to move joints by a few percent of the torso.
    #[inline(always)]
    fn bilinear(&self, x: f64, y: f64) -> Option<[u8; 3]> {
        let (w, h) = (self.width, self.height);
        if !((0.0..w as f64).contains(&x) && (0.0..h as f64).contains(&y)) {
            return None;
        }
        let (xi, yi) = (x - 0.5, y - 0.5);
        // floor() of values ≥ -0.5, without a libm call.
        let fx = if xi < 0.0 { -1 } else { xi as i64 };
        let fy = if yi < 0.0 { -1 } else { yi as i64 };
        let (dx, dy) = (xi - fx as f64, yi - fy as f64);
        // Neighbours, clamped to the frame's edge.
        let stride = self.stride;
        let (xa, xb) = (fx.max(0) as usize * 3, ((fx + 1) as usize).min(w - 1) * 3);
        let (ya, yb) = (
            fy.max(0) as usize * stride,
            ((fy + 1) as usize).min(h - 1) * stride,
        );
        let src = self.bytes;
        let (top, bottom) = (&src[ya..ya + w * 3], &src[yb..yb + w * 3]);
        let (p00, p01) = (&top[xa..xa + 3], &top[xb..xb + 3]);
        let (p10, p11) = (&bottom[xa..xa + 3], &bottom[xb..xb + 3]);
        let mut px = [0u8; 3];
        for ch in 0..3 {
            let (a, b) = (p00[ch] as f64, p01[ch] as f64);
            let (c, d) = (p10[ch] as f64, p11[ch] as f64);
            let top = a + (b - a) * dx;
            let bottom = c + (d - c) * dx;
            px[ch] = (top + (bottom - top) * dy) as u8;
        }
        Some(px)
    }
}

/// Crops of at least this many rows are split across cores.
const PARALLEL_ROWS: usize = 128;

/// Samples the rotated `roi` of `frame` at `size`×`size` points straight into an RGB
/// NHWC float tensor as `value * mul + add` (`add` alone outside the frame), in one pass.
///
/// Large crops are split by rows across the cores: the crop sits between two model runs
/// that depend on each other, so nothing else can overlap it.
pub fn rotated_crop_tensor(
    frame: &ImageView,
    roi: &Roi,
    size: i32,
    tensor: &mut [f32],
    mul: f32,
    add: f32,
) -> Result<(), Error> {
    let n = size.max(0) as usize;
    if tensor.len() != n * n * 3 {
        return Err(Error::Invalid(format!(
            "model input holds {} values, not {}",
            tensor.len(),
            n * n * 3
        )));
    }
    if n == 0 {
        return Ok(());
    }
    let pixels = Pixels::of(frame)?;
    let (red, blue) = frame.order().red_blue();
    let sampling = Sampling::new(roi, n);
    let rows = |first: usize, out: &mut [f32]| {
        let (mut row_x, mut row_y) = sampling.row_start(first);
        for row in out.chunks_exact_mut(n * 3) {
            let (mut x, mut y) = (row_x, row_y);
            for t in row.chunks_exact_mut(3) {
                match pixels.bilinear(x, y) {
                    Some(px) => {
                        t[0] = px[red] as f32 * mul + add;
                        t[1] = px[1] as f32 * mul + add;
                        t[2] = px[blue] as f32 * mul + add;
                    }
                    None => t.fill(add),
                }
                x += sampling.step_u.0;
                y += sampling.step_u.1;
            }
            row_x += sampling.step_v.0;
            row_y += sampling.step_v.1;
        }
    };
    let workers = super::runtime::cores().min(4);
    if workers < 2 || n < PARALLEL_ROWS {
        rows(0, tensor);
        return Ok(());
    }
    let per = n.div_ceil(workers);
    std::thread::scope(|scope| {
        let mut chunks = tensor.chunks_mut(per * n * 3).enumerate();
        let mine = chunks.next();
        for (i, chunk) in chunks {
            scope.spawn(move || rows(i * per, chunk));
        }
        if let Some((_, chunk)) = mine {
            rows(0, chunk);
        }
    });
    Ok(())
}

/// Writes packed 8-bit pixels in `order` into an RGB NHWC float tensor as `value * mul + add`.
pub fn pixels_to_tensor(
    bytes: &[u8],
    order: ChannelOrder,
    tensor: &mut [f32],
    mul: f32,
    add: f32,
) -> Result<(), Error> {
    if bytes.len() != tensor.len() {
        return Err(Error::Invalid(format!(
            "model input holds {} values but the image has {}",
            tensor.len(),
            bytes.len()
        )));
    }
    let (red, blue) = order.red_blue();
    for (px, out) in bytes.chunks_exact(3).zip(tensor.chunks_exact_mut(3)) {
        out[0] = px[red] as f32 * mul + add;
        out[1] = px[1] as f32 * mul + add;
        out[2] = px[blue] as f32 * mul + add;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roi_maps_crop_centre_to_roi_centre_and_corners_by_rotation() {
        let roi = Roi {
            center: Vec2::new(100.0, 50.0),
            size: 40.0,
            rotation: std::f32::consts::FRAC_PI_2,
        };
        let c = roi.to_frame(Vec2::new(128.0, 128.0), 256.0);
        assert!((c - roi.center).length() < 1e-4);
        // The crop's top-left corner, rotated 90 degrees clockwise, lands top-right of centre.
        let tl = roi.to_frame(Vec2::new(0.0, 0.0), 256.0);
        assert!((tl - Vec2::new(120.0, 30.0)).length() < 1e-3, "{tl:?}");
    }

    #[test]
    fn rotated_crop_samples_where_roi_says() -> Result<(), Error> {
        // A white dot at (30, 10) in a black 64x48 frame.
        let mut bytes = vec![0u8; 64 * 48 * 3];
        bytes[(10 * 64 + 30) * 3..(10 * 64 + 31) * 3].fill(255);
        let frame = ImageView::packed(&bytes, 64, 48, ChannelOrder::Bgr)?;
        let roi = Roi {
            center: Vec2::new(30.5, 10.5),
            size: 16.0,
            rotation: 0.3,
        };
        let mut out = vec![0.0; 16 * 16 * 3];
        rotated_crop_tensor(&frame, &roi, 16, &mut out, 1.0, 0.0)?;
        let at = |row: usize, col: usize| out[(row * 16 + col) * 3] as u32;
        // The dot's centre is the ROI's centre: the brightest crop pixels surround (8, 8).
        let v = at(7, 7) + at(7, 8) + at(8, 7) + at(8, 8);
        assert!(v > 200, "dot not at the crop centre ({v})");
        assert_eq!(at(0, 0), 0);
        Ok(())
    }

    #[test]
    fn split_crop_equals_one_pass() -> Result<(), Error> {
        // A gradient frame, and a crop reaching past its edge.
        let bytes: Vec<u8> = (0..90usize)
            .flat_map(|y| (0..160usize).flat_map(move |x| [x as u8, y as u8, (x + y) as u8]))
            .collect();
        let frame = ImageView::packed(&bytes, 160, 90, ChannelOrder::Bgr)?;
        let roi = Roi {
            center: Vec2::new(100.3, 40.7),
            size: 120.0,
            rotation: 0.7,
        };
        let n = PARALLEL_ROWS;
        let mut split = vec![0.0; n * n * 3];
        rotated_crop_tensor(&frame, &roi, n as i32, &mut split, 2.0, -1.0)?;
        // The same crop sampled point by point on this thread, without splitting.
        let pixels = Pixels::of(&frame)?;
        let sampling = Sampling::new(&roi, n);
        let mut outside = 0;
        for v in 0..n {
            let (mut x, mut y) = sampling.row_start(v);
            for u in 0..n {
                let got = &split[(v * n + u) * 3..(v * n + u) * 3 + 3];
                match pixels.bilinear(x, y) {
                    Some([b, g, r]) => assert_eq!(
                        got,
                        [
                            r as f32 * 2.0 - 1.0,
                            g as f32 * 2.0 - 1.0,
                            b as f32 * 2.0 - 1.0
                        ]
                    ),
                    None => {
                        outside += 1;
                        assert_eq!(got, [-1.0; 3]);
                    }
                }
                x += sampling.step_u.0;
                y += sampling.step_u.1;
            }
        }
        assert!(outside > 0 && outside < n * n / 2, "{outside}");
        Ok(())
    }

    #[test]
    fn letterbox_maps_back_to_frame_pixels() -> Result<(), Error> {
        let bytes = vec![9u8; 200 * 100 * 3];
        let frame = ImageView::packed(&bytes, 200, 100, ChannelOrder::Bgr)?;
        let mut out = Vec::new();
        let lb = letterbox(&frame, 50, &mut out)?;
        assert_eq!(out.len(), 50 * 50 * 3);
        // Rows 0..12.5 are padding, 12.5..37.5 the picture.
        assert_eq!(out[(5 * 50 + 25) * 3], 0);
        assert_eq!(out[(25 * 50 + 25) * 3], 9);
        let p = lb.to_frame(Vec2::new(25.0, 25.0));
        assert!((p - Vec2::new(100.0, 50.0)).length() < 1e-3, "{p:?}");
        Ok(())
    }

    #[test]
    fn padded_rows_sample_like_packed_ones() -> Result<(), Error> {
        // The same picture packed and with 5 bytes of padding after each row (a capture
        // buffer's stride): crops and letterboxes must not see the padding.
        let (w, h) = (37usize, 23usize);
        let packed: Vec<u8> = (0..w * h * 3).map(|i| (i * 7 % 251) as u8).collect();
        let mut strided = vec![0xAAu8; (w * 3 + 5) * h];
        for y in 0..h {
            strided[y * (w * 3 + 5)..y * (w * 3 + 5) + w * 3]
                .copy_from_slice(&packed[y * w * 3..(y + 1) * w * 3]);
        }
        let a = ImageView::packed(&packed, w, h, ChannelOrder::Bgr)?;
        let b = ImageView::new(&strided, w, h, w * 3 + 5, ChannelOrder::Bgr)?;
        let roi = Roi {
            center: Vec2::new(18.0, 11.0),
            size: 30.0,
            rotation: 0.4,
        };
        let (mut ta, mut tb) = (vec![0.0; 16 * 16 * 3], vec![0.0; 16 * 16 * 3]);
        rotated_crop_tensor(&a, &roi, 16, &mut ta, 1.0, 0.0)?;
        rotated_crop_tensor(&b, &roi, 16, &mut tb, 1.0, 0.0)?;
        assert_eq!(ta, tb);
        let (mut la, mut lb) = (Vec::new(), Vec::new());
        letterbox(&a, 20, &mut la)?;
        letterbox(&b, 20, &mut lb)?;
        assert_eq!(la, lb);
        Ok(())
    }

    #[test]
    fn rgb_and_bgr_give_the_same_tensor() -> Result<(), Error> {
        let bgr = [10u8, 20, 30, 40, 50, 60];
        let rgb = [30u8, 20, 10, 60, 50, 40];
        let (mut a, mut b) = (vec![0.0; 6], vec![0.0; 6]);
        pixels_to_tensor(&bgr, ChannelOrder::Bgr, &mut a, 1.0, 0.0)?;
        pixels_to_tensor(&rgb, ChannelOrder::Rgb, &mut b, 1.0, 0.0)?;
        assert_eq!(a, b);
        assert_eq!(a, [30.0, 20.0, 10.0, 60.0, 50.0, 40.0]);
        Ok(())
    }

    #[test]
    fn short_buffers_are_refused() {
        assert!(ImageView::new(&[0u8; 10], 4, 1, 12, ChannelOrder::Bgr).is_err());
        assert!(ImageView::new(&[0u8; 24], 4, 2, 11, ChannelOrder::Bgr).is_err());
        assert!(ImageView::new(&[0u8; 24], 4, 2, 12, ChannelOrder::Bgr).is_ok());
    }
}
