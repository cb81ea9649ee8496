//! What is drawn over the picture: the skeleton and the exercise read-out; the routine's coach
//! screen around it.

pub mod coach;
pub mod hud;
pub mod skeleton;
