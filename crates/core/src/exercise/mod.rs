//! The exercise engine: templates (data) → signals → position machines, faults and recognition.

pub mod condition;
pub mod engine;
pub mod faults;
pub mod floor;
pub mod machine;
pub mod quality;
pub mod runner;
pub mod set;
pub mod signals;
pub mod template;
pub mod window;

pub use engine::{Engine, Event, EventKind, Outcome, Status};
pub use template::Template;
