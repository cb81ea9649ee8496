//! Scoring against ground truth: manifests of labelled clips, labelled keypoint files, the
//! scores and the accuracy table. Running the model over the clips is the application's job.

pub mod geometry;
pub mod labelled;
pub mod manifest;
pub mod score;
pub mod table;
