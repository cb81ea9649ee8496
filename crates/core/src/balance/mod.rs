//! Balance: the body's centre of mass from the keypoints ([`com`]), the postural sway of each
//! balance attempt ([`sway`]: the centre of mass over the standing foot, as a clinic would
//! measure it, from one ordinary camera), and the Romberg ratio ([`romberg`]).

pub mod com;
pub mod romberg;
pub mod sway;

pub use romberg::romberg;
pub use sway::{BalanceSettings, SETTLE_S, SwayRecorder};
