//! Capturing on a thread of its own into a one-frame slot: the analysis always takes the newest
//! frame, and frames it had no time for are dropped instead of piling up (a backlog would put
//! the overlay seconds behind the person).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use opencv::core::{Mat, Size};
use opencv::imgproc;
use opencv::prelude::*;

use crate::source::MediaSource;

/// A camera that returns nothing for this long is gone (unplugged).
const CAMERA_TIMEOUT: Duration = Duration::from_secs(1);
/// ... except before its first frame: some cameras take seconds to start delivering.
const FIRST_FRAME_TIMEOUT: Duration = Duration::from_secs(5);
/// How long stopping waits for the capture thread: a read can block for seconds on a stream
/// or a camera going away, and the session's report must not wait for it.
const STOP_WAIT: Duration = Duration::from_millis(500);

/// A captured frame and when it was captured.
pub struct Captured {
    pub image: Mat,
    pub at: Instant,
}

/// How the capture ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    Running,
    /// A video file played to its end.
    EndOfInput,
    /// The camera or stream stopped delivering.
    Lost,
}

struct Shared {
    slot: Mutex<(Option<Captured>, Ending)>,
    ready: Condvar,
    stop: AtomicBool,
    captured: AtomicU64,
}

/// The capture thread and its slot.
pub struct Capture {
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// Frames taken by the analysis.
    pub taken: u64,
}

impl Capture {
    /// Starts capturing from `source`. Files are paced at their frame rate (as a camera would
    /// deliver them); frames are scaled to `size` when given.
    pub fn start(mut source: MediaSource, is_file: bool, size: Option<(i32, i32)>) -> Capture {
        let shared = Arc::new(Shared {
            slot: Mutex::new((None, Ending::Running)),
            ready: Condvar::new(),
            stop: AtomicBool::new(false),
            captured: AtomicU64::new(0),
        });
        let s = Arc::clone(&shared);
        let thread = std::thread::spawn(move || {
            let start = Instant::now();
            let frame_time = Duration::from_secs_f64(1.0 / source.info.fps);
            let mut last_ok = Instant::now();
            let mut image = Mat::default();
            let mut index = 0u64;
            let ending = loop {
                if s.stop.load(Ordering::Relaxed) {
                    break Ending::Running;
                }
                if is_file {
                    let due = start + frame_time * index as u32;
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                }
                if source.read_into(&mut image).is_none() {
                    if is_file {
                        break Ending::EndOfInput;
                    }
                    // Cameras hiccup; only a lasting silence means it is gone.
                    let limit = if index == 0 {
                        FIRST_FRAME_TIMEOUT
                    } else {
                        CAMERA_TIMEOUT
                    };
                    if last_ok.elapsed() > limit {
                        break Ending::Lost;
                    }
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
                last_ok = Instant::now();
                let at = Instant::now();
                let frame = match size {
                    Some((w, h)) if (image.cols(), image.rows()) != (w, h) => {
                        let mut scaled = Mat::default();
                        if imgproc::resize(
                            &image,
                            &mut scaled,
                            Size::new(w, h),
                            0.0,
                            0.0,
                            imgproc::INTER_AREA,
                        )
                        .is_err()
                        {
                            break Ending::Lost;
                        }
                        scaled
                    }
                    _ => std::mem::take(&mut image),
                };
                index += 1;
                s.captured.fetch_add(1, Ordering::Relaxed);
                let mut slot = s.slot.lock().unwrap_or_else(|p| p.into_inner());
                // The previous frame, if not taken yet, is dropped here.
                slot.0 = Some(Captured { image: frame, at });
                drop(slot);
                s.ready.notify_one();
            };
            let mut slot = s.slot.lock().unwrap_or_else(|p| p.into_inner());
            slot.1 = ending;
            drop(slot);
            s.ready.notify_all();
        });
        Capture {
            shared,
            thread: Some(thread),
            taken: 0,
        }
    }

    /// The newest frame, waiting up to `timeout` for one; `Err` with how the capture ended
    /// when it has, and no frame is left.
    pub fn next(&mut self, timeout: Duration) -> Result<Option<Captured>, Ending> {
        let slot = self.shared.slot.lock().unwrap_or_else(|p| p.into_inner());
        let (mut slot, _) = self
            .shared
            .ready
            .wait_timeout_while(slot, timeout, |s| s.0.is_none() && s.1 == Ending::Running)
            .unwrap_or_else(|p| p.into_inner());
        match slot.0.take() {
            Some(frame) => {
                self.taken += 1;
                Ok(Some(frame))
            }
            None if slot.1 != Ending::Running => Err(slot.1),
            None => Ok(None),
        }
    }

    /// Frames the camera delivered so far.
    pub fn captured(&self) -> u64 {
        self.shared.captured.load(Ordering::Relaxed)
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let deadline = Instant::now() + STOP_WAIT;
            while !t.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            // A thread still blocked in a read owns nothing the session needs; it ends with
            // the process.
            if t.is_finished() {
                let _ = t.join();
            }
        }
    }
}
