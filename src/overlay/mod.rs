//! What is drawn over the picture: the skeleton and the exercise read-out.

pub mod hud;
pub mod skeleton;
