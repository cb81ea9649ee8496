//! Writing frames: H.264 (or MPEG-4 Part 2) mp4 through OpenCV, and PNG stills.

use std::path::Path;

use anyhow::{Context, Result, bail};
use opencv::core::{self, Mat, Scalar};
use opencv::prelude::*;
use opencv::videoio::VideoWriter;
use opencv::{imgcodecs, imgproc};

use crate::render::Frame;

/// An open mp4 writer and the codec it ended up with.
pub struct VideoOut {
    writer: VideoWriter,
    pub codec: &'static str,
}

impl VideoOut {
    /// Opens `path` for `fps` frames per second, preferring H.264 (`avc1`) and falling back
    /// to MPEG-4 Part 2 (`mp4v`) where the OpenCV build has no H.264 encoder.
    pub fn create(path: &Path, (width, height): (u32, u32), fps: f64) -> Result<VideoOut> {
        let size = core::Size::new(width as i32, height as i32);
        let name = path.to_str().context("output path is not valid UTF-8")?;
        for (codec, [a, b, c, d]) in [
            ("avc1", ['a', 'v', 'c', '1']),
            ("mp4v", ['m', 'p', '4', 'v']),
        ] {
            let fourcc = VideoWriter::fourcc(a, b, c, d)?;
            let writer = VideoWriter::new(name, fourcc, fps, size, true)?;
            if writer.is_opened()? {
                return Ok(VideoOut { writer, codec });
            }
        }
        bail!(
            "cannot open a video writer for {} (neither avc1 nor mp4v works)",
            path.display()
        )
    }

    pub fn write(&mut self, frame: &Frame) -> Result<()> {
        self.writer.write(&to_mat(frame)?)?;
        Ok(())
    }

    pub fn finish(mut self) -> Result<()> {
        self.writer.release()?;
        Ok(())
    }
}

fn to_mat(frame: &Frame) -> Result<Mat> {
    let mut mat = Mat::new_rows_cols_with_default(
        frame.height as i32,
        frame.width as i32,
        core::CV_8UC3,
        Scalar::all(0.0),
    )?;
    mat.data_bytes_mut()?.copy_from_slice(&frame.bgr);
    Ok(mat)
}

/// A 2-D keypoint to draw on a still: pixel position and whether it is visible.
pub struct Mark {
    pub x: f32,
    pub y: f32,
    pub visible: bool,
}

/// Saves a frame as PNG, optionally with keypoints and bones drawn over it (green when
/// visible, orange when hidden) to check the ground truth by eye.
pub fn write_png(
    path: &Path,
    frame: &Frame,
    marks: &[Mark],
    bones: &[(usize, usize)],
) -> Result<()> {
    let mut mat = to_mat(frame)?;
    let at = |m: &Mark| core::Point::new(m.x.floor() as i32, m.y.floor() as i32);
    let colour = |m: &Mark| {
        if m.visible {
            Scalar::new(60.0, 220.0, 60.0, 0.0)
        } else {
            Scalar::new(0.0, 140.0, 255.0, 0.0)
        }
    };
    for &(a, b) in bones {
        if let (Some(ma), Some(mb)) = (marks.get(a), marks.get(b)) {
            imgproc::line(
                &mut mat,
                at(ma),
                at(mb),
                Scalar::new(255.0, 255.0, 255.0, 0.0),
                1,
                imgproc::LINE_AA,
                0,
            )?;
        }
    }
    for m in marks {
        imgproc::circle(&mut mat, at(m), 2, colour(m), -1, imgproc::LINE_AA, 0)?;
    }
    let name = path.to_str().context("still path is not valid UTF-8")?;
    if !imgcodecs::imwrite(name, &mat, &core::Vector::new())? {
        bail!("cannot write {}", path.display());
    }
    Ok(())
}
