//! Session reports: the JSON data model and its renderings.

pub mod model;
pub mod csv;
pub mod json;
pub mod summary;
pub mod html;
pub mod schema;
