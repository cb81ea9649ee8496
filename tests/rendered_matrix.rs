//! The CI subset of the rendered robustness matrix (`posecheck eval --matrix quick`): each
//! exercise filmed as many users do it, by a phone on the floor at an angle in portrait, with
//! exact ground truth, and two look-alikes in which nothing may be counted. Every clip must be
//! within its labels, with clean form left clean, except the known failures below, which must
//! still fail.

mod common;

use serde_json::Value;

/// Clips known to fail, and why. When one passes, this test says to take it off the list.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

#[test]
fn the_quick_matrix_is_within_its_labels() {
    let e: Value = common::eval_matrix("quick", "matrix");
    let clips = e["clips"].as_array().expect("clips");
    assert_eq!(clips.len(), 7, "one clip per exercise and two look-alikes");
    let failing: Vec<String> = clips
        .iter()
        .filter(|c| c["within"] != true || c["faults_ok"] == false)
        .map(|c| c["file"].as_str().unwrap_or("?").to_string())
        .collect();
    for (clip, why) in KNOWN_FAILURES {
        assert!(
            failing.iter().any(|f| f == clip),
            "{clip} now passes (was: {why}): take it off KNOWN_FAILURES"
        );
    }
    let unexpected: Vec<&String> = failing
        .iter()
        .filter(|f| !KNOWN_FAILURES.iter().any(|(k, _)| k == f))
        .collect();
    assert!(unexpected.is_empty(), "failing: {unexpected:?}");
}
