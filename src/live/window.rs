//! The live window (OpenCV highgui) and its keys.
//!
//! Without any display, Qt's `imshow` aborts the whole process (SIGABRT, no error to catch),
//! so the display is checked before a window is opened.

use std::path::Path;

use opencv::core::{Mat, Size};
use opencv::highgui;

use crate::error::Error;

const TITLE: &str = "posecheck";

/// What the person asked for with a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Quit,
    Pause,
    /// `r`: a new set (live), the step again (routine).
    ResetSet,
    CycleExercise,
    /// `n` / `p`: the next or previous step of a routine.
    Next,
    Previous,
    /// `d`: decline the higher targets a routine proposed.
    Decline,
}

/// The window's size before it has shown anything.
const DEFAULT_SIZE: (i32, i32) = (1280, 720);

/// Whether a window can be shown: a Wayland display, or an X display whose socket exists.
pub fn check_display() -> Result<(), Error> {
    let no_display =
        || Error::invalid("no display: use --headless (events are printed instead of shown)");
    if std::env::var_os("WAYLAND_DISPLAY").is_some_and(|v| !v.is_empty()) {
        return Ok(());
    }
    let display = std::env::var("DISPLAY")
        .ok()
        .filter(|d| !d.is_empty())
        .ok_or_else(no_display)?;
    // A local display ":N" or ":N.S" has a socket; remote displays cannot be checked here.
    if let Some(rest) = display.strip_prefix(':') {
        let number = rest.split('.').next().unwrap_or(rest);
        if !Path::new(&format!("/tmp/.X11-unix/X{number}")).exists() {
            return Err(no_display());
        }
    }
    Ok(())
}

pub struct Window;

impl Window {
    pub fn open() -> Result<Window, Error> {
        check_display()?;
        // A plain window the person can resize: no Qt toolbar (zoom, save), the picture scaled
        // to the window, its proportions kept.
        highgui::named_window(
            TITLE,
            highgui::WINDOW_NORMAL | highgui::WINDOW_KEEPRATIO | highgui::WINDOW_GUI_NORMAL,
        )?;
        highgui::resize_window(TITLE, DEFAULT_SIZE.0, DEFAULT_SIZE.1)?;
        Ok(Window)
    }

    /// The size of the window's picture area now.
    pub fn size(&self) -> Result<Size, Error> {
        let r = highgui::get_window_image_rect(TITLE)?;
        Ok(if r.width > 0 && r.height > 0 {
            Size::new(r.width, r.height)
        } else {
            Size::new(DEFAULT_SIZE.0, DEFAULT_SIZE.1)
        })
    }

    /// Shows `image` and returns the key pressed, if any (or `Quit` when the window was closed).
    pub fn show(&self, image: &Mat) -> Result<Option<Key>, Error> {
        highgui::imshow(TITLE, image)?;
        let key = highgui::wait_key(1)?;
        if highgui::get_window_property(TITLE, highgui::WND_PROP_VISIBLE)? < 1.0 {
            return Ok(Some(Key::Quit));
        }
        Ok(match key & 0xff {
            _ if key < 0 => None,
            0x1b | 0x71 => Some(Key::Quit),
            0x20 => Some(Key::Pause),
            0x72 => Some(Key::ResetSet),
            0x65 => Some(Key::CycleExercise),
            0x6e => Some(Key::Next),
            0x70 => Some(Key::Previous),
            0x64 => Some(Key::Decline),
            _ => None,
        })
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        let _ = highgui::destroy_all_windows();
    }
}
