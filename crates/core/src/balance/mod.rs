//! Balance: the body's centre of mass from the keypoints ([`com`]) and the postural sway of
//! each balance attempt ([`sway`]), as a clinic's force plate would report it, from one
//! ordinary camera.

pub mod com;
pub mod romberg;
pub mod sway;

pub use romberg::romberg;
pub use sway::{BalanceSettings, SwayRecorder};
