//! The picture a model is given: a borrowed view of 8-bit, 3-channel pixels, so the models
//! need no imaging library. Capture (OpenCV in the application) lends its frame buffer as is.

use crate::error::Error;

/// The order of the three channels of each pixel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelOrder {
    Bgr,
    Rgb,
}

impl ChannelOrder {
    /// Indices of the red and blue bytes within a pixel.
    pub(crate) fn red_blue(self) -> (usize, usize) {
        match self {
            ChannelOrder::Bgr => (2, 0),
            ChannelOrder::Rgb => (0, 2),
        }
    }
}

/// Rows of `width` interleaved 3-byte pixels, `stride` bytes apart.
#[derive(Clone, Copy, Debug)]
pub struct ImageView<'a> {
    data: &'a [u8],
    width: usize,
    height: usize,
    stride: usize,
    order: ChannelOrder,
}

impl<'a> ImageView<'a> {
    /// Checks that `data` holds `height` rows of `width` pixels at `stride` bytes per row.
    pub fn new(
        data: &'a [u8],
        width: usize,
        height: usize,
        stride: usize,
        order: ChannelOrder,
    ) -> Result<ImageView<'a>, Error> {
        let row = width * 3;
        let needed = match height {
            0 => 0,
            h => stride * (h - 1) + row,
        };
        if stride < row || data.len() < needed {
            return Err(Error::Invalid(format!(
                "image of {width}x{height} pixels at {stride} bytes a row needs {needed} bytes, has {}",
                data.len()
            )));
        }
        Ok(ImageView {
            data,
            width,
            height,
            stride,
            order,
        })
    }

    /// A tightly packed image (`stride` = 3 × `width`).
    pub fn packed(
        data: &'a [u8],
        width: usize,
        height: usize,
        order: ChannelOrder,
    ) -> Result<ImageView<'a>, Error> {
        ImageView::new(data, width, height, width * 3, order)
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn height(&self) -> usize {
        self.height
    }

    pub fn stride(&self) -> usize {
        self.stride
    }

    pub fn order(&self) -> ChannelOrder {
        self.order
    }

    pub fn is_empty(&self) -> bool {
        self.width == 0 || self.height == 0
    }

    /// The bytes from the first pixel to the last (rows `stride` apart).
    pub fn bytes(&self) -> &'a [u8] {
        self.data
    }

    /// Row `y`'s `3 × width` bytes.
    pub fn row(&self, y: usize) -> &'a [u8] {
        &self.data[y * self.stride..y * self.stride + self.width * 3]
    }
}
