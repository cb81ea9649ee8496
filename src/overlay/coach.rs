//! The routine's screen, to be read from the mat 2-5 m away: the current step, the count or
//! timer and the rest countdown in large type beside the camera picture, the last cue (a fault
//! in red), and a progress bar of the routine. Drawn at the window's size, whatever it is.

use opencv::core::{self, Mat, Point, Rect, Size};
use opencv::imgproc;
use opencv::prelude::*;

use super::hud::{AMBER, GREEN, RED, WHITE, colour, fit, put, text_width};
use crate::error::Error;
use posecheck_core::report::model::Measure;
use posecheck_core::routine::cue;
use posecheck_core::routine::runner::RoutineEvent;

const PANEL: (f64, f64, f64) = (40.0, 32.0, 28.0);
const DIM: (f64, f64, f64) = (150.0, 150.0, 150.0);

/// What the screen shows, kept from the routine's events.
#[derive(Default)]
pub struct CoachScreen {
    title: String,
    subtitle: String,
    index: usize,
    of: usize,
    measure: Option<Measure>,
    target: f64,
    count: f64,
    /// Seconds left of the rest, and the next step.
    rest: Option<(u32, String)>,
    /// The last thing said, and whether it is a fault.
    cue: Option<(String, bool)>,
    /// A higher target taken from the history, until the first step is done.
    notice: Option<String>,
    finished: bool,
}

impl CoachScreen {
    pub fn observe(&mut self, e: &RoutineEvent) {
        match e {
            RoutineEvent::Step {
                index,
                of,
                name,
                variant,
                side,
                per_side,
                measure,
                target,
                round,
                ..
            } => {
                self.index = *index;
                self.of = *of;
                self.title = name.clone();
                let mut sub = vec![format!("round {round}")];
                sub.extend(variant.clone());
                sub.extend(side.map(|s| format!("{} side", s.name())));
                if *per_side {
                    sub.push("each side".into());
                }
                self.subtitle = sub.join(" - ");
                self.measure = Some(*measure);
                self.target = *target;
                self.count = 0.0;
                self.rest = None;
                self.cue = None;
            }
            RoutineEvent::Rep { count, .. } => self.count = f64::from(*count),
            RoutineEvent::Hold { held_s, .. } => self.count = f64::from(*held_s),
            RoutineEvent::Rest {
                seconds_left, next, ..
            } => self.rest = Some((*seconds_left, next.replace('_', " "))),
            RoutineEvent::StepDone { .. } => {
                self.index += 1;
                self.notice = None;
            }
            RoutineEvent::Proposal {
                from, to, accepted, ..
            } => {
                self.notice = accepted.then(|| {
                    format!("Target raised {from} -> {to}, met 3 times in a row (d: keep {from})")
                });
            }
            RoutineEvent::SessionEnd { .. } => self.finished = true,
            _ => {}
        }
        if let Some(words) = cue::words(e).filter(|_| cue::stale_kind(e).is_none()) {
            self.cue = Some((words, matches!(e, RoutineEvent::Fault { .. })));
        }
    }

    /// The screen at `size` (the window's), with `picture` (the camera with the skeleton)
    /// beside the read-out, or above it in a window taller than wide.
    pub fn draw(&self, picture: &Mat, size: Size) -> Result<Mat, Error> {
        let (w, h) = (size.width.max(320), size.height.max(240));
        let mut screen = Mat::new_rows_cols_with_default(h, w, core::CV_8UC3, colour(PANEL))?;
        let bar_h = (w.min(h) / 20).max(12);
        let wide = w >= h;
        let (pic, panel) = if wide {
            let pw = w * 11 / 20;
            (
                Rect::new(0, 0, pw, h - bar_h),
                Rect::new(pw, 0, w - pw, h - bar_h),
            )
        } else {
            let ph = (h - bar_h) / 2;
            (Rect::new(0, 0, w, ph), Rect::new(0, ph, w, h - bar_h - ph))
        };
        place(&mut screen, picture, pic)?;
        self.read_out(&mut screen, panel)?;
        self.progress(&mut screen, Rect::new(0, h - bar_h, w, bar_h))?;
        Ok(screen)
    }

    fn read_out(&self, screen: &mut Mat, r: Rect) -> Result<(), Error> {
        let margin = r.width / 16;
        let inner = r.width - 2 * margin;
        // Hershey glyphs are about 22 px tall at scale 1: scales are set from the panel height
        // and shrunk to the width.
        let sized = |text: &str, share: f64| {
            let s = r.height as f64 * share / 22.0;
            let wide = text_width(text, s).max(1);
            s.min(s * inner as f64 / wide as f64)
        };
        let left = r.x + margin;
        let mut y = r.y + r.height / 8;
        let small = sized("Step 10 of 10", 0.05);
        let step = format!("Step {} of {}", self.index.min(self.of), self.of);
        put(screen, &step, Point::new(left, y), small, DIM)?;
        y += r.height / 8;
        let title = fit(&self.title, inner, sized(&self.title, 0.09));
        put(
            screen,
            &title,
            Point::new(left, y),
            sized(&title, 0.09),
            WHITE,
        )?;
        y += r.height / 10;
        let sub = fit(&self.subtitle, inner, small);
        put(screen, &sub, Point::new(left, y), small, DIM)?;
        if let Some(notice) = &self.notice {
            let s = sized(notice, 0.04);
            put(
                screen,
                notice,
                Point::new(left, y + r.height / 16),
                s,
                AMBER,
            )?;
        }
        let (big, label, c) = match (&self.rest, self.finished) {
            (_, true) => ("Done".to_string(), String::new(), GREEN),
            (Some((left, next)), _) => (format!("{left}"), format!("rest - next: {next}"), AMBER),
            (None, _) => {
                let unit = match self.measure {
                    Some(Measure::HoldS) => " s",
                    _ => "",
                };
                let c = if self.count >= self.target {
                    GREEN
                } else {
                    WHITE
                };
                (
                    format!("{}/{}{unit}", self.count, self.target),
                    match self.measure {
                        Some(Measure::HoldS) => "held".into(),
                        _ => "reps".into(),
                    },
                    c,
                )
            }
        };
        y = r.y + r.height * 7 / 10;
        put(screen, &big, Point::new(left, y), sized(&big, 0.26), c)?;
        y += r.height / 10;
        put(
            screen,
            &label,
            Point::new(left, y),
            sized("rest - next: xxxxxxxx", 0.06),
            DIM,
        )?;
        if let Some((text, fault)) = &self.cue {
            let s = sized("Lift your hips higher and", 0.055);
            let c = if *fault { RED } else { WHITE };
            let lines = wrap(text, inner, s);
            let line_h = (s * 30.0) as i32;
            let bottom = r.y + r.height - margin;
            for (i, line) in lines.iter().take(2).enumerate() {
                let at = bottom - line_h * (lines.len().min(2) - 1 - i) as i32;
                put(screen, line, Point::new(left, at), s, c)?;
            }
        }
        Ok(())
    }

    /// A bar across the bottom: a segment per step, the done ones filled.
    fn progress(&self, screen: &mut Mat, r: Rect) -> Result<(), Error> {
        let n = self.of.max(1) as i32;
        let gap = (r.width / n / 20).max(2);
        for i in 0..n {
            let x0 = r.x + r.width * i / n;
            let x1 = r.x + r.width * (i + 1) / n - gap;
            let done = (i as usize) < self.index.saturating_sub(1) || self.finished;
            let current = i as usize + 1 == self.index && !self.finished;
            let c = match (done, current) {
                (true, _) => GREEN,
                (_, true) => AMBER,
                _ => DIM,
            };
            let cell = Rect::new(x0, r.y + gap, (x1 - x0).max(1), r.height - 2 * gap);
            imgproc::rectangle(screen, cell, colour(c), -1, imgproc::LINE_8, 0)?;
        }
        Ok(())
    }
}

/// `text` in lines no wider than `width` at `scale`; the second line ends in "..." when more
/// would follow.
fn wrap(text: &str, width: i32, scale: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let joined = format!("{current} {word}");
        if current.is_empty() {
            current = word.to_string();
        } else if text_width(&joined, scale) <= width {
            current = joined;
        } else {
            lines.push(std::mem::replace(&mut current, word.to_string()));
        }
    }
    lines.push(current);
    if lines.len() > 2 {
        lines.truncate(2);
        lines[1] = fit(&format!("{} ...", lines[1]), width, scale);
    }
    lines
}

/// Draws `picture` scaled into `r`, keeping its proportions.
fn place(screen: &mut Mat, picture: &Mat, r: Rect) -> Result<(), Error> {
    let (pw, ph) = (picture.cols(), picture.rows());
    if pw == 0 || ph == 0 || r.width <= 0 || r.height <= 0 {
        return Ok(());
    }
    let k = (r.width as f64 / pw as f64).min(r.height as f64 / ph as f64);
    let size = Size::new(
        ((pw as f64 * k) as i32).max(1),
        ((ph as f64 * k) as i32).max(1),
    );
    let mut scaled = Mat::default();
    imgproc::resize(picture, &mut scaled, size, 0.0, 0.0, imgproc::INTER_AREA)?;
    let at = Rect::new(
        r.x + (r.width - size.width) / 2,
        r.y + (r.height - size.height) / 2,
        size.width,
        size.height,
    );
    let mut roi = Mat::roi_mut(screen, at)?;
    scaled.copy_to(&mut roi)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use opencv::imgcodecs;

    fn step_screen() -> CoachScreen {
        let mut s = CoachScreen::default();
        s.observe(&RoutineEvent::Proposal {
            t: 0.0,
            step: "bird_dog".into(),
            from: 5.0,
            to: 6.0,
            reason: "met".into(),
            accepted: true,
        });
        s.observe(&RoutineEvent::Step {
            t: 0.0,
            index: 2,
            of: 5,
            step: "bird_dog".into(),
            exercise: "bird_dog".into(),
            name: "Bird-dog".into(),
            description: "On all fours ...".into(),
            side: None,
            per_side: true,
            round: 1,
            set: 1,
            variant: None,
            measure: Measure::Reps,
            target: 6.0,
        });
        s.observe(&RoutineEvent::Rep {
            t: 3.0,
            count: 3,
            side: None,
            target: 6.0,
        });
        s.observe(&RoutineEvent::Fault {
            t: 3.5,
            message: "Raise your arm to shoulder height, level with your back.".into(),
        });
        s
    }

    /// Rows of `image` (within `cols`) holding white text.
    fn white_rows(image: &Mat, cols: std::ops::Range<i32>) -> i32 {
        (0..image.rows())
            .filter(|&y| {
                cols.clone().any(|x| {
                    let p = image.at_2d::<core::Vec3b>(y, x).unwrap();
                    p.0.iter().all(|&c| c > 230)
                })
            })
            .count() as i32
    }

    #[test]
    fn the_screen_fills_the_window_and_its_count_is_large() {
        let screen = step_screen();
        let picture =
            Mat::new_rows_cols_with_default(480, 640, core::CV_8UC3, colour((90.0, 90.0, 90.0)))
                .unwrap();
        for (w, h) in [(1280, 720), (1920, 1080), (720, 1280)] {
            let shown = screen.draw(&picture, Size::new(w, h)).unwrap();
            assert_eq!((shown.cols(), shown.rows()), (w, h));
            // Kept for a look: what the person sees at this size.
            let png = std::env::temp_dir().join(format!("posecheck-coach-{w}x{h}.png"));
            imgcodecs::imwrite(png.to_str().unwrap(), &shown, &core::Vector::new()).unwrap();
            // The panel's white text (title and the count "3/6") spans over a fifth of its
            // height: on a laptop screen the count alone is some 4 cm tall, legible from 4 m.
            let (cols, panel_h) = if w >= h {
                (w * 11 / 20..w, h)
            } else {
                (0..w, h / 2)
            };
            let rows = white_rows(&shown, cols);
            assert!(rows * 5 >= panel_h, "{w}x{h}: {rows} rows of white text");
        }
    }
}
