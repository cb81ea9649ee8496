//! Scoring against ground truth: manifests of labelled clips, labelled keypoint files, and the
//! accuracy table. Running the model over the clips is the application's job.

pub mod labelled;
pub mod manifest;
