//! Stop requests (Ctrl-C, SIGTERM), process-wide as signals are.
//!
//! Before measuring begins there is nothing to save, and what runs then (loading ONNX Runtime
//! and a model, starting its thread pool, opening a stream) cannot be interrupted part-way, so
//! a stop ends the process at once. Once frames are measured, the first stop asks the loops to
//! finish and save the report of what was measured; a second ends the process at once.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// The exit status of a stopped run (128 + SIGINT, as shells report Ctrl-C).
pub const EXIT_STOPPED: u8 = 130;

static STOP: AtomicBool = AtomicBool::new(false);
static MEASURING: AtomicBool = AtomicBool::new(false);

/// Installs the handler and returns the flag the loops watch.
pub fn install() -> &'static AtomicBool {
    static REQUESTS: AtomicU32 = AtomicU32::new(0);
    let _ = ctrlc::set_handler(|| {
        let first = REQUESTS.fetch_add(1, Ordering::SeqCst) == 0;
        if !MEASURING.load(Ordering::SeqCst) {
            exit_now("\nposecheck: stopped before anything was measured");
        }
        if !first {
            exit_now("\nposecheck: stopped at once; the report of this input is not written");
        }
        STOP.store(true, Ordering::SeqCst);
        eprintln!(
            "\nposecheck: stopping, saving what was measured (press Ctrl-C again to quit at once)"
        );
    });
    &STOP
}

/// Marks the start of measuring: from now on a stop is honoured by saving what was measured.
pub fn measuring_begins() {
    MEASURING.store(true, Ordering::SeqCst);
}

fn exit_now(message: &str) -> ! {
    eprintln!("{message}");
    // `_exit`, not `exit`: exit runs the C++ static destructors of ONNX Runtime and OpenCV
    // while other threads may still be inside them (a model half-loaded, a decoder mid-frame),
    // which can crash or hang instead of ending.
    // SAFETY: _exit takes no pointers and never returns.
    unsafe { libc::_exit(i32::from(EXIT_STOPPED)) }
}
