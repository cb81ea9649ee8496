//! Where frames come from: video files, still images, cameras and streams (OpenCV).

use std::path::{Path, PathBuf};

use opencv::core::Mat;
use opencv::prelude::*;
use opencv::videoio::{self, VideoCapture};

use posecheck_pose::{ChannelOrder, ImageView};

use crate::error::Error;
// A file declaring more is refused before a frame is decoded: one such frame is hundreds of
// megabytes.
use posecheck_core::track::MAX_SIDE;

/// File extensions OpenCV's image decoders read; anything else is tried as a video.
const IMAGE_EXTENSIONS: [&str; 8] = ["jpg", "jpeg", "png", "bmp", "webp", "tif", "tiff", "ppm"];
/// Frame rate assumed when a file reports none (or nonsense).
const FALLBACK_FPS: f64 = 30.0;
/// How long a stream may take to answer when opened, and to deliver each frame after that;
/// FFmpeg's own default is 30 s each, a long time to stare at nothing.
const STREAM_OPEN_TIMEOUT_MS: i32 = 5000;
const STREAM_READ_TIMEOUT_MS: i32 = 2000;

/// A decoded frame: BGR pixels and the time they were captured, seconds from the start.
pub struct Frame {
    pub index: u64,
    pub t: f64,
    pub image: Mat,
}

/// Lends a decoded frame's pixels to a model, without copying them.
pub fn image_view(image: &Mat) -> Result<ImageView<'_>, Error> {
    if image.typ() != opencv::core::CV_8UC3 {
        return Err(Error::invalid("frame is not 8-bit, 3-channel"));
    }
    let (width, height) = (image.cols() as usize, image.rows() as usize);
    let stride = if height > 1 {
        image.step1(0)? * image.elem_size1()
    } else {
        width * 3
    };
    let bytes = if image.is_continuous() {
        image.data_bytes()?
    } else {
        // SAFETY: a Mat's rows are `stride` bytes apart from `data()`, and the view ends at
        // the last pixel of the last row, inside the allocation.
        unsafe {
            std::slice::from_raw_parts(image.data(), stride * height.saturating_sub(1) + width * 3)
        }
    };
    Ok(ImageView::new(
        bytes,
        width,
        height,
        stride,
        ChannelOrder::Bgr,
    )?)
}

/// What the media is, as far as it can be known before decoding it all.
#[derive(Clone, Debug)]
pub struct MediaInfo {
    pub path: String,
    pub width: u32,
    pub height: u32,
    pub fps: f64,
    /// Frame count the container claims (0 if unknown, e.g. cameras).
    pub frame_count: u64,
    pub is_still: bool,
}

enum Backend {
    Video(VideoCapture),
    Image(Option<Mat>),
}

/// A sequence of frames from a file or device.
pub struct MediaSource {
    backend: Backend,
    pub info: MediaInfo,
    next_index: u64,
    /// Set when decoding failed before the container's stated end.
    pub broken_at: Option<u64>,
}

pub fn is_image_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Runs `f` with the process's stderr sent to /dev/null. OpenCV's image decoders print their
/// own complaints there ("imread_(...): can't read data", libjpeg's "Premature end of JPEG
/// file") however its log level is set; posecheck reports the problem in one line of its own.
fn without_native_stderr<T>(f: impl FnOnce() -> T) -> T {
    // SAFETY: plain descriptor calls on descriptors this function owns (and 2, put back).
    unsafe {
        let saved = libc::dup(2);
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
        if saved >= 0 && null >= 0 {
            libc::dup2(null, 2);
        }
        let out = f();
        if saved >= 0 {
            libc::dup2(saved, 2);
            libc::close(saved);
        }
        if null >= 0 {
            libc::close(null);
        }
        out
    }
}

/// Whether the file starts like a jpg, png, bmp, webp, tif or ppm, whatever its name: FFmpeg
/// opens a photo renamed `.mp4` as a one-frame video, which would be scored as a video with
/// smoothing and without the check that someone is in the picture.
fn starts_like_image(path: &Path) -> bool {
    let mut head = [0u8; 12];
    let Ok(n) = std::fs::File::open(path).and_then(|mut f| std::io::Read::read(&mut f, &mut head))
    else {
        return false;
    };
    let head = &head[..n];
    let magic: [&[u8]; 7] = [
        b"\xFF\xD8\xFF",
        b"\x89PNG\r\n\x1a\n",
        b"BM",
        b"II*\0",
        b"MM\0*",
        b"P6",
        b"P5",
    ];
    magic.iter().any(|m| head.starts_with(m))
        || (head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP"))
}

fn check_file(path: &Path) -> Result<(), Error> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::input(path, "is a directory, not a video or image"));
    }
    if !meta.is_file() {
        // Opening a pipe blocks until something writes to it; a device is not a recording.
        return Err(Error::input(
            path,
            "is not a regular file (a pipe or device cannot be analysed; save it to a file first)",
        ));
    }
    if meta.len() == 0 {
        return Err(Error::input(path, "is empty"));
    }
    Ok(())
}

impl MediaSource {
    /// Opens a video or image file.
    pub fn open_file(path: &Path) -> Result<MediaSource, Error> {
        check_file(path)?;
        if is_image_path(path) || starts_like_image(path) {
            return Self::open_image(path);
        }
        let cap = VideoCapture::from_file(path, videoio::CAP_FFMPEG)?;
        if !cap.is_opened()? {
            return Err(Error::input(
                path,
                "not a video or image that can be decoded (check the file is complete and in a common format such as mp4)",
            ));
        }
        let source = Self::from_capture(cap, path.display().to_string())?;
        let (width, height) = (source.info.width, source.info.height);
        if width == 0 || height == 0 {
            return Err(Error::input(path, "the video has no picture"));
        }
        if width > MAX_SIDE || height > MAX_SIDE {
            return Err(Error::input(
                path,
                format!(
                    "the video declares {width}x{height} pixels; posecheck reads up to {MAX_SIDE}x{MAX_SIDE}"
                ),
            ));
        }
        Ok(source)
    }

    fn open_image(path: &Path) -> Result<MediaSource, Error> {
        // A compressed file of a few kilobytes can declare a picture of gigabytes. The header
        // reader knows png and jpeg (the formats photos come in); OpenCV's own limit, a
        // gigapixel, still guards the others.
        if let Ok((width, height)) = image::ImageReader::open(path)
            .and_then(|r| r.with_guessed_format())
            .map_err(image::ImageError::IoError)
            .and_then(|mut r| {
                // Only the header is read; the limits are for decoding, and would hide the size.
                r.no_limits();
                r.into_dimensions()
            })
            && (width > MAX_SIDE || height > MAX_SIDE)
        {
            return Err(Error::input(
                path,
                format!(
                    "the image declares {width}x{height} pixels; posecheck reads up to {MAX_SIDE}x{MAX_SIDE}"
                ),
            ));
        }
        let unreadable = || {
            Error::input(
                path,
                format!(
                    "not an image that can be decoded (a complete jpg, png, bmp, webp, tif or ppm, up to {MAX_SIDE}x{MAX_SIDE} pixels)"
                ),
            )
        };
        let image = without_native_stderr(|| {
            opencv::imgcodecs::imread(path, opencv::imgcodecs::IMREAD_COLOR)
        })
        .map_err(|_| unreadable())?;
        if image.empty() {
            return Err(unreadable());
        }
        Ok(MediaSource {
            info: MediaInfo {
                path: path.display().to_string(),
                width: image.cols() as u32,
                height: image.rows() as u32,
                fps: FALLBACK_FPS,
                frame_count: 1,
                is_still: true,
            },
            backend: Backend::Image(Some(image)),
            next_index: 0,
            broken_at: None,
        })
    }

    /// Wraps an opened capture (file, camera or stream).
    pub fn from_capture(cap: VideoCapture, name: String) -> Result<MediaSource, Error> {
        let fps = cap.get(videoio::CAP_PROP_FPS)?;
        let fps = if fps.is_finite() && (1.0..=480.0).contains(&fps) {
            fps
        } else {
            FALLBACK_FPS
        };
        let count = cap.get(videoio::CAP_PROP_FRAME_COUNT)?;
        Ok(MediaSource {
            info: MediaInfo {
                path: name,
                width: cap.get(videoio::CAP_PROP_FRAME_WIDTH)?.max(0.0) as u32,
                height: cap.get(videoio::CAP_PROP_FRAME_HEIGHT)?.max(0.0) as u32,
                fps,
                frame_count: if count.is_finite() && count > 0.0 {
                    count as u64
                } else {
                    0
                },
                is_still: false,
            },
            backend: Backend::Video(cap),
            next_index: 0,
            broken_at: None,
        })
    }

    /// Asks a camera for pictures of `width`×`height` (it may pick the nearest it has).
    pub fn set_capture_size(&mut self, width: u32, height: u32) -> Result<(), Error> {
        if let Backend::Video(cap) = &mut self.backend {
            cap.set(videoio::CAP_PROP_FRAME_WIDTH, width as f64)?;
            cap.set(videoio::CAP_PROP_FRAME_HEIGHT, height as f64)?;
            self.info.width = cap.get(videoio::CAP_PROP_FRAME_WIDTH)?.max(0.0) as u32;
            self.info.height = cap.get(videoio::CAP_PROP_FRAME_HEIGHT)?.max(0.0) as u32;
        }
        Ok(())
    }

    /// Decodes the next frame into `image` (reused). Returns its index and time, or `None` at
    /// the end. A decode error ends the stream (what came before stays valid) and is recorded
    /// in `broken_at`.
    pub fn read_into(&mut self, image: &mut Mat) -> Option<(u64, f64)> {
        let index = self.next_index;
        let ok = match &mut self.backend {
            Backend::Image(slot) => match slot.take() {
                Some(img) => {
                    *image = img;
                    true
                }
                None => false,
            },
            Backend::Video(cap) => matches!(cap.read(image), Ok(true)) && !image.empty(),
        };
        if !ok {
            let expected = self.info.frame_count;
            // Containers often over-state the count by a frame or two; a larger shortfall
            // means the file broke off.
            if !self.info.is_still && expected > 0 && index + 2 < expected {
                self.broken_at = Some(index);
            }
            return None;
        }
        self.next_index += 1;
        Some((index, index as f64 / self.info.fps))
    }

    /// Decodes the next frame into a new buffer.
    pub fn next_frame(&mut self) -> Option<Frame> {
        let mut image = Mat::default();
        self.read_into(&mut image)
            .map(|(index, t)| Frame { index, t, image })
    }
}

/// A camera index, device path or stream URL, as given to `live --source`.
#[derive(Clone, Debug, PartialEq)]
pub enum CameraSpec {
    Index(i32),
    Device(PathBuf),
    Url(String),
    File(PathBuf),
}

impl CameraSpec {
    pub fn parse(text: &str) -> CameraSpec {
        if let Ok(i) = text.parse::<i32>() {
            CameraSpec::Index(i)
        } else if text.contains("://") {
            CameraSpec::Url(text.to_string())
        } else if text.starts_with("/dev/") {
            CameraSpec::Device(PathBuf::from(text))
        } else {
            CameraSpec::File(PathBuf::from(text))
        }
    }

    /// Opens the camera or stream; the error lists what was tried.
    pub fn open(&self) -> Result<MediaSource, Error> {
        let name = self.to_string();
        let fail = |tried: String| Error::Capture {
            source_name: name.clone(),
            message: format!(
                "cannot be opened (tried {tried}); check it is connected and not in use, or pick another with --source"
            ),
        };
        let (cap, tried) = match self {
            CameraSpec::File(path) => return MediaSource::open_file(path),
            CameraSpec::Index(i) => (
                VideoCapture::new(*i, videoio::CAP_ANY)?,
                format!("camera index {i} via V4L2"),
            ),
            CameraSpec::Device(p) => (
                VideoCapture::from_file(p, videoio::CAP_V4L2)?,
                format!("device {} via V4L2", p.display()),
            ),
            CameraSpec::Url(u) => {
                let timeouts = opencv::core::Vector::from_slice(&[
                    videoio::CAP_PROP_OPEN_TIMEOUT_MSEC,
                    STREAM_OPEN_TIMEOUT_MS,
                    videoio::CAP_PROP_READ_TIMEOUT_MSEC,
                    STREAM_READ_TIMEOUT_MS,
                ]);
                (
                    VideoCapture::from_file_with_params(u, videoio::CAP_FFMPEG, &timeouts)?,
                    format!(
                        "stream {u} via FFmpeg, waiting up to {} s",
                        STREAM_OPEN_TIMEOUT_MS / 1000
                    ),
                )
            }
        };
        if !cap.is_opened()? {
            return Err(fail(tried));
        }
        MediaSource::from_capture(cap, name.clone())
    }
}

impl std::fmt::Display for CameraSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CameraSpec::Index(i) => write!(f, "camera {i}"),
            CameraSpec::Device(p) | CameraSpec::File(p) => write!(f, "{}", p.display()),
            CameraSpec::Url(u) => write!(f, "{u}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camera_specs_parse() {
        assert_eq!(CameraSpec::parse("0"), CameraSpec::Index(0));
        assert_eq!(
            CameraSpec::parse("/dev/video2"),
            CameraSpec::Device("/dev/video2".into())
        );
        assert_eq!(
            CameraSpec::parse("rtsp://cam/x"),
            CameraSpec::Url("rtsp://cam/x".into())
        );
        assert_eq!(
            CameraSpec::parse("clip.mp4"),
            CameraSpec::File("clip.mp4".into())
        );
    }

    #[test]
    fn images_are_told_from_videos_by_extension() {
        assert!(is_image_path(Path::new("a/B.JPG")));
        assert!(!is_image_path(Path::new("a/b.mp4")));
    }
}
