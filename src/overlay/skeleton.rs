//! Drawing the tracked skeleton: bones, and joints coloured by how sure the model is.

use opencv::core::{Mat, Point, Scalar};
use opencv::imgproc;

use crate::error::Error;
use posecheck_core::pose::Pose;
use posecheck_core::skeleton::{BONES, Joint};

/// Joints below this visibility are not drawn (they are guesses).
const MIN_VISIBILITY: f32 = 0.3;

/// Red (unsure) → yellow → green (sure), BGR.
pub fn confidence_colour(visibility: f32) -> Scalar {
    let v = visibility.clamp(0.0, 1.0) as f64;
    if v < 0.5 {
        Scalar::new(0.0, 510.0 * v, 255.0, 0.0)
    } else {
        Scalar::new(0.0, 255.0, 255.0 * (2.0 - 2.0 * v), 0.0)
    }
}

fn point(pose: &Pose, j: Joint, mirror_width: Option<i32>) -> Point {
    let k = pose.get(j);
    let x = match mirror_width {
        Some(w) => w as f32 - k.x,
        None => k.x,
    };
    Point::new(x.round() as i32, k.y.round() as i32)
}

/// Draws `pose` on `image`; with `mirror_width`, x is flipped (for a mirrored live view).
pub fn draw(image: &mut Mat, pose: &Pose, mirror_width: Option<i32>) -> Result<(), Error> {
    let scale = (pose.scale() / 300.0).clamp(0.6, 3.0);
    let thick = (2.0 * scale).round() as i32;
    for (a, b) in BONES {
        let (va, vb) = (pose.visibility(a), pose.visibility(b));
        if va < MIN_VISIBILITY || vb < MIN_VISIBILITY {
            continue;
        }
        imgproc::line(
            image,
            point(pose, a, mirror_width),
            point(pose, b, mirror_width),
            Scalar::new(255.0, 255.0, 255.0, 0.0),
            thick,
            imgproc::LINE_AA,
            0,
        )?;
    }
    for j in Joint::ALL {
        let v = pose.visibility(j);
        if v < MIN_VISIBILITY {
            continue;
        }
        let p = point(pose, j, mirror_width);
        imgproc::circle(
            image,
            p,
            thick + 2,
            confidence_colour(v),
            -1,
            imgproc::LINE_AA,
            0,
        )?;
        imgproc::circle(
            image,
            p,
            thick + 2,
            Scalar::all(0.0),
            1,
            imgproc::LINE_AA,
            0,
        )?;
    }
    Ok(())
}
