//! The read-out drawn over the picture: exercise, reps, hold timer against the target, the
//! current fault as a short instruction, and a flash when a rep or a hold completes.

use opencv::core::{Mat, Point, Rect, Scalar};
use opencv::imgproc;
use opencv::prelude::*;

use crate::error::Error;
use posecheck_core::exercise::{Event, EventKind, Status};

/// How long a rep or completed hold flashes, seconds.
const FLASH_S: f64 = 0.6;

pub(crate) const WHITE: (f64, f64, f64) = (255.0, 255.0, 255.0);
pub(crate) const GREEN: (f64, f64, f64) = (60.0, 200.0, 60.0);
pub(crate) const RED: (f64, f64, f64) = (40.0, 40.0, 220.0);
pub(crate) const AMBER: (f64, f64, f64) = (0.0, 170.0, 255.0);

pub(crate) fn colour((b, g, r): (f64, f64, f64)) -> Scalar {
    Scalar::new(b, g, r, 0.0)
}

/// Remembers recent events for feedback that outlasts a frame.
#[derive(Default)]
pub struct Hud {
    flash_until: f64,
    flash_text: String,
}

impl Hud {
    pub fn observe(&mut self, events: &[Event]) {
        for e in events {
            match &e.kind {
                EventKind::Rep { index, side, .. } => {
                    self.flash_until = e.t + FLASH_S;
                    self.flash_text = match side {
                        Some(s) => format!("REP {index} ({})", s.name()),
                        None => format!("REP {index}"),
                    };
                }
                EventKind::HoldEnded {
                    duration_s,
                    counted: true,
                    ..
                } => {
                    self.flash_until = e.t + FLASH_S;
                    self.flash_text = format!("HELD {duration_s:.1} s");
                }
                _ => {}
            }
        }
    }

    /// Draws the read-out for time `t`; `extra` lines (e.g. latency) go under it.
    pub fn draw(
        &self,
        image: &mut Mat,
        status: &Status,
        t: f64,
        extra: &[String],
    ) -> Result<(), Error> {
        let (w, h) = (image.cols(), image.rows());
        let scale = (h as f64 / 720.0).clamp(0.45, 2.0);
        let line_h = (34.0 * scale) as i32;
        let mut lines: Vec<(String, (f64, f64, f64))> = Vec::new();
        match &status.exercise {
            Some((_, name)) => {
                lines.push((name.clone(), WHITE));
                let reps = match (status.reps_left, status.reps_right) {
                    (Some(l), Some(r)) => format!("Reps  L {l}  R {r}"),
                    _ => format!("Reps  {}", status.reps),
                };
                let reps = match status.target_reps {
                    Some(target) => format!("{reps}  (goal {target})"),
                    None => reps,
                };
                lines.push((reps, WHITE));
                if let Some(held) = status.hold_s {
                    let target = status
                        .target_hold_s
                        .map(|x| format!(" / {x:.0} s"))
                        .unwrap_or_default();
                    let met = status.target_hold_s.is_some_and(|x| held >= x as f64);
                    let attempt = status
                        .attempt
                        .map(|a| format!("Attempt {a}  "))
                        .unwrap_or_default();
                    lines.push((
                        format!("{attempt}Hold  {held:.1} s{target}"),
                        if met { GREEN } else { WHITE },
                    ));
                }
            }
            None => lines.push(("Waiting for an exercise".into(), WHITE)),
        }
        lines.extend(extra.iter().map(|e| (e.clone(), WHITE)));
        let text_w = lines
            .iter()
            .map(|(text, _)| text_width(text, scale))
            .max()
            .unwrap_or(0);
        let panel_w = text_w + line_h;
        let panel_h = line_h * lines.len() as i32 + line_h / 2;
        shade(image, Rect::new(0, 0, panel_w.min(w), panel_h.min(h)))?;
        for (i, (text, c)) in lines.iter().enumerate() {
            put(
                image,
                text,
                Point::new(line_h / 3, line_h * (i as i32 + 1)),
                scale,
                *c,
            )?;
        }
        sway_trace(
            image,
            &status.sway,
            Point::new(line_h / 3, panel_h + line_h / 3),
            scale,
        )?;
        let banner = status
            .faults
            .first()
            .map(|f| (f.as_str(), RED))
            .or_else(|| status.guidance.as_deref().map(|g| (g, AMBER)));
        if let Some((text, c)) = banner {
            let bh = line_h + line_h / 2;
            let y0 = h - bh;
            imgproc::rectangle(
                image,
                Rect::new(0, y0.max(0), w, bh.min(h)),
                colour(c),
                -1,
                imgproc::LINE_8,
                0,
            )?;
            let text = fit(text, w, scale);
            put(
                image,
                &text,
                Point::new(line_h / 3, h - line_h / 2),
                scale * 0.8,
                WHITE,
            )?;
        }
        if t < self.flash_until {
            let thick = (12.0 * scale) as i32;
            imgproc::rectangle(
                image,
                Rect::new(0, 0, w, h),
                colour(GREEN),
                thick,
                imgproc::LINE_8,
                0,
            )?;
            put(
                image,
                &self.flash_text,
                Point::new(w / 2 - (120.0 * scale) as i32, h / 2),
                scale * 1.8,
                GREEN,
            )?;
        }
        Ok(())
    }
}

/// The sway trace: the centre of mass's recent position (body heights from its mean) across a
/// small shaded box, time running left to right, scaled to ±1 % of the height or the largest
/// excursion.
fn sway_trace(image: &mut Mat, sway: &[f32], at: Point, scale: f64) -> Result<(), Error> {
    if sway.len() < 2 {
        return Ok(());
    }
    let (bw, bh) = ((180.0 * scale) as i32, (60.0 * scale) as i32);
    // A picture too small for the box gets no trace rather than a clipped one.
    if at.x + bw > image.cols() || at.y + bh > image.rows() {
        return Ok(());
    }
    shade(image, Rect::new(at.x, at.y, bw, bh))?;
    let reach = sway.iter().fold(0.01f32, |m, v| m.max(v.abs()));
    let points: opencv::core::Vector<Point> = sway
        .iter()
        .enumerate()
        .map(|(i, v)| {
            Point::new(
                at.x + (i as f32 / (sway.len() - 1) as f32 * bw as f32) as i32,
                at.y + bh / 2 + (v / reach * bh as f32 / 2.0) as i32,
            )
        })
        .collect();
    let lines: opencv::core::Vector<opencv::core::Vector<Point>> = [points].into_iter().collect();
    imgproc::polylines(
        image,
        &lines,
        false,
        colour(GREEN),
        thickness(scale),
        imgproc::LINE_AA,
        0,
    )?;
    put(
        image,
        "sway",
        Point::new(at.x + 4, at.y + bh - 6),
        scale * 0.5,
        WHITE,
    )
}

/// Darkens a rectangle so white text reads on any picture.
pub(crate) fn shade(image: &mut Mat, r: Rect) -> Result<(), Error> {
    if r.width <= 0 || r.height <= 0 {
        return Ok(());
    }
    let mut roi = Mat::roi_mut(image, r)?;
    let copy = roi.try_clone()?;
    opencv::core::add_weighted(&copy, 0.4, &copy, 0.0, 0.0, &mut roi, -1)?;
    Ok(())
}

fn thickness(scale: f64) -> i32 {
    (2.0 * scale).round().max(1.0) as i32
}

/// Width in pixels of `text` as [`put`] draws it.
pub(crate) fn text_width(text: &str, scale: f64) -> i32 {
    let mut baseline = 0;
    imgproc::get_text_size(
        text,
        imgproc::FONT_HERSHEY_SIMPLEX,
        scale,
        thickness(scale),
        &mut baseline,
    )
    .map_or(0, |s| s.width)
}

pub(crate) fn put(
    image: &mut Mat,
    text: &str,
    at: Point,
    scale: f64,
    c: (f64, f64, f64),
) -> Result<(), Error> {
    let thick = thickness(scale);
    imgproc::put_text(
        image,
        text,
        at,
        imgproc::FONT_HERSHEY_SIMPLEX,
        scale,
        colour(c),
        thick,
        imgproc::LINE_AA,
        false,
    )?;
    Ok(())
}

/// Shortens `text` to fit `width` pixels (OpenCV's fonts have no wrapping; ASCII only).
pub(crate) fn fit(text: &str, width: i32, scale: f64) -> String {
    let ascii: String = text
        .chars()
        .map(|c| if c.is_ascii() { c } else { '-' })
        .collect();
    let max_chars = ((width as f64) / (17.0 * scale * 0.8)).max(10.0) as usize;
    if ascii.len() <= max_chars {
        ascii
    } else {
        let cut = ascii[..max_chars.saturating_sub(3)]
            .rfind(' ')
            .unwrap_or(max_chars - 3);
        format!("{}...", &ascii[..cut])
    }
}
