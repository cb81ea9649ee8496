//! Session reports: the JSON data model and its renderings.

pub mod build;
pub mod csv;
pub mod html;
pub mod json;
pub mod merge;
pub mod model;
pub mod schema;
pub mod summary;
pub mod text;
