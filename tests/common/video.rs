//! Reading and writing video frames for the tests that make their inputs by editing footage.

use std::path::Path;

use opencv::core::Mat;
use opencv::prelude::*;
use opencv::videoio::{self, VideoCapture, VideoWriter};

/// Up to `count` frames of a video from frame `from` on.
pub fn frames(path: &Path, from: usize, count: usize) -> Vec<Mat> {
    let mut cap =
        VideoCapture::from_file(path.to_str().unwrap(), videoio::CAP_FFMPEG).expect("open video");
    let mut out = Vec::new();
    let mut m = Mat::default();
    let mut index = 0;
    while out.len() < count && cap.read(&mut m).unwrap_or(false) && !m.empty() {
        if index >= from {
            out.push(m.clone());
        }
        index += 1;
    }
    assert!(!out.is_empty(), "{}: no frames", path.display());
    out
}

/// Writes frames as an MJPG AVI (its frames can be read up to a break, unlike an mp4 whose
/// index is at the end).
pub fn write_avi(path: &Path, frames: &[Mat]) {
    let size = frames[0].size().unwrap();
    let fourcc = VideoWriter::fourcc('M', 'J', 'P', 'G').unwrap();
    let mut w = VideoWriter::new(path.to_str().unwrap(), fourcc, 30.0, size, true).unwrap();
    assert!(w.is_opened().unwrap());
    for f in frames {
        w.write(f).unwrap();
    }
    w.release().unwrap();
}
