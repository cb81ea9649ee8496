//! Model input preparation: letterboxing, rotated crops, and pixels → normalised tensors.
//!
//! Coordinates are continuous: pixel `i` covers `[i, i + 1)`, so a point maps between image and
//! crop by the same affine transform whatever the resolution.

use opencv::core::{self, Mat, Scalar};
use opencv::prelude::*;

use crate::error::Error;
use crate::geometry::Vec2;

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

/// Pads `frame` centred onto a black square and scales that to `size`×`size` (BGR bytes into
/// `out`, reused). Padding first keeps the mapping an exact scale + offset.
pub fn letterbox(frame: &Mat, size: i32, out: &mut Vec<u8>) -> Result<Letterbox, Error> {
    let (w, h) = (frame.cols(), frame.rows());
    let side = w.max(h);
    let (px, py) = ((side - w) / 2, (side - h) / 2);
    let mut square = Mat::default();
    core::copy_make_border(
        frame,
        &mut square,
        py,
        side - h - py,
        px,
        side - w - px,
        core::BORDER_CONSTANT,
        Scalar::all(0.0),
    )?;
    let n = size.max(1) as usize;
    let s = side as usize;
    let mut rows = Vec::new();
    resample::horizontal(square.data_bytes()?, s, s, n, &mut rows);
    resample::vertical(&rows, n, s, n, out);
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

    /// Per output pixel: first input index and fixed-point weights.
    fn coefficients(in_size: usize, out_size: usize) -> Vec<(usize, Vec<i64>)> {
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
                        (if v < 0.0 { v - 0.5 } else { v + 0.5 }) as i64
                    })
                    .collect();
                (xmin, fixed)
            })
            .collect()
    }

    fn clip8(v: i64) -> u8 {
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
                for (ch, o) in px.iter_mut().enumerate() {
                    let acc = k
                        .iter()
                        .enumerate()
                        .fold(1i64 << (PRECISION_BITS - 1), |acc, (i, w)| {
                            acc + row[(xmin + i) * 3 + ch] as i64 * w
                        });
                    *o = clip8(acc);
                }
            }
        }
    }

    /// Resizes `height` rows of `width` 3-channel pixels to `out_height` rows.
    pub fn vertical(src: &[u8], width: usize, height: usize, out_height: usize, out: &mut Vec<u8>) {
        let coeffs = coefficients(height, out_height);
        let stride = width * 3;
        out.clear();
        out.resize(stride * out_height, 0);
        for ((ymin, k), dst) in coeffs.iter().zip(out.chunks_exact_mut(stride)) {
            for (i, o) in dst.iter_mut().enumerate() {
                let acc = k
                    .iter()
                    .enumerate()
                    .fold(1i64 << (PRECISION_BITS - 1), |acc, (j, w)| {
                        acc + src[(ymin + j) * stride + i] as i64 * w
                    });
                *o = clip8(acc);
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

/// Samples the rotated `roi` of a BGR `frame` at `size`×`size` points and hands each point's
/// index (row-major) and BGR value to `put`; points outside the frame are not handed over.
///
/// Bilinear in double precision with the frame's edge pixels clamped, black outside the frame,
/// positions stepped across each row as Pillow's affine transform steps them: exactly how the
/// reference pipeline samples. OpenCV's `warpAffine` quantises sample positions to 1/32 px,
/// and the landmark model is sensitive enough to that to move joints by a few percent of the
/// torso.
fn sample_rotated(
    frame: &Mat,
    roi: &Roi,
    size: i32,
    mut put: impl FnMut(usize, [u8; 3]),
) -> Result<(), Error> {
    let (w, h) = (frame.cols() as usize, frame.rows() as usize);
    let src = frame.data_bytes()?;
    if frame.channels() != 3 || src.len() != w * h * 3 || w == 0 || h == 0 {
        return Err(Error::Invalid("frame is not 8-bit, 3-channel".into()));
    }
    let n = size.max(0) as usize;
    let k = roi.size as f64 / n as f64;
    let (s, c) = (roi.rotation as f64).sin_cos();
    let (a, b, d, e) = (c * k, -s * k, s * k, c * k);
    let half = n as f64 / 2.0;
    // Frame point of output pixel (0, 0)'s centre.
    let mut row_x = roi.center.x as f64 - (a + b) * half + 0.5 * (a + b);
    let mut row_y = roi.center.y as f64 - (d + e) * half + 0.5 * (d + e);
    let (wf, hf) = (w as f64, h as f64);
    let stride = w * 3;
    for v in 0..n {
        let (mut x, mut y) = (row_x, row_y);
        for u in 0..n {
            if (0.0..wf).contains(&x) && (0.0..hf).contains(&y) {
                let (xi, yi) = (x - 0.5, y - 0.5);
                let (fx, fy) = (xi.floor(), yi.floor());
                let (dx, dy) = (xi - fx, yi - fy);
                // Neighbours, clamped to the frame's edge (y + 1 past the bottom: same row).
                let xa = (fx.max(0.0) as usize).min(w - 1) * 3;
                let xb = ((fx + 1.0).max(0.0) as usize).min(w - 1) * 3;
                let ya = (fy.max(0.0) as usize).min(h - 1) * stride;
                let yb = if fy + 1.0 < hf {
                    (fy + 1.0) as usize * stride
                } else {
                    ya
                };
                let mut px = [0u8; 3];
                for (ch, o) in px.iter_mut().enumerate() {
                    let (p00, p01) = (src[ya + xa + ch] as f64, src[ya + xb + ch] as f64);
                    let (p10, p11) = (src[yb + xa + ch] as f64, src[yb + xb + ch] as f64);
                    let top = p00 + (p01 - p00) * dx;
                    let bottom = p10 + (p11 - p10) * dx;
                    *o = (top + (bottom - top) * dy) as u8;
                }
                put(v * n + u, px);
            }
            x += a;
            y += d;
        }
        row_x += b;
        row_y += e;
    }
    Ok(())
}

/// Samples the rotated `roi` of a BGR `frame` into `size`×`size` BGR bytes `out` (reused),
/// black outside the frame.
pub fn rotated_crop(frame: &Mat, roi: &Roi, size: i32, out: &mut Vec<u8>) -> Result<(), Error> {
    let n = size.max(0) as usize;
    out.clear();
    out.resize(n * n * 3, 0);
    sample_rotated(frame, roi, size, |i, px| {
        out[i * 3..i * 3 + 3].copy_from_slice(&px)
    })
}

/// Samples the rotated `roi` straight into an RGB NHWC float tensor as `value * mul + add`
/// (one pass instead of a crop and a conversion).
pub fn rotated_crop_tensor(
    frame: &Mat,
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
    tensor.fill(add);
    sample_rotated(frame, roi, size, |i, [b, g, r]| {
        let t = &mut tensor[i * 3..i * 3 + 3];
        t[0] = r as f32 * mul + add;
        t[1] = g as f32 * mul + add;
        t[2] = b as f32 * mul + add;
    })
}

/// Writes a BGR 8-bit image into an RGB NHWC float tensor as `value * mul + add`.
pub fn bgr_to_tensor(image: &Mat, tensor: &mut [f32], mul: f32, add: f32) -> Result<(), Error> {
    bgr_bytes_to_tensor(image.data_bytes()?, tensor, mul, add)
}

/// [`bgr_to_tensor`] on raw interleaved BGR bytes.
pub fn bgr_bytes_to_tensor(
    bytes: &[u8],
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
    for (px, out) in bytes.chunks_exact(3).zip(tensor.chunks_exact_mut(3)) {
        out[0] = px[2] as f32 * mul + add;
        out[1] = px[1] as f32 * mul + add;
        out[2] = px[0] as f32 * mul + add;
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
        let mut frame = Mat::new_rows_cols_with_default(48, 64, core::CV_8UC3, Scalar::all(0.0))?;
        *frame.at_2d_mut::<core::Vec3b>(10, 30)? = core::Vec3b::from([255, 255, 255]);
        let roi = Roi {
            center: Vec2::new(30.5, 10.5),
            size: 16.0,
            rotation: 0.3,
        };
        let mut out = Vec::new();
        rotated_crop(&frame, &roi, 16, &mut out)?;
        let at = |row: usize, col: usize| out[(row * 16 + col) * 3] as u32;
        // The dot's centre is the ROI's centre: the brightest crop pixels surround (8, 8).
        let v = at(7, 7) + at(7, 8) + at(8, 7) + at(8, 8);
        assert!(v > 200, "dot not at the crop centre ({v})");
        assert_eq!(at(0, 0), 0);
        Ok(())
    }

    #[test]
    fn letterbox_maps_back_to_frame_pixels() -> Result<(), Error> {
        let frame = Mat::new_rows_cols_with_default(100, 200, core::CV_8UC3, Scalar::all(9.0))?;
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
}
