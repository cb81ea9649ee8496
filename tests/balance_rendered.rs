//! The CI subset of the rendered balance set (`posecheck eval --matrix balance-quick`): a
//! single-leg stance filmed from the front at 3 m, standing still, swaying 2 cm (peak) at
//! 0.3 Hz, touching down 4 s in, and with the foot raised behind (hidden behind the standing
//! leg), the same filmed from the side (where the model cannot tell which leg stands), a rise
//! onto the toes filmed from the side whose heels drop 4 s in (the far foot hidden behind the near one), head turns on the toes (right,
//! left, up) and two turns on the spot filmed at 45 degrees, a tandem stance from the side
//! with the left foot in front, and a feet-together stand at 45 degrees whose hands leave the
//! waist 4 s in (there the bent arms look straight in the picture), scored against the
//! renderer's truth with issue 16's targets. 360×640 rather than the full set's 720×1280, so that it renders in seconds; needs
//! no shared data.

mod common;

use serde_json::Value;

/// Issue 16: RMS sway within 15 % of the truth for sway of 1 cm or more; losses of balance
/// found within 0.3 s; no loss called on a steady hold.
const RMS_WITHIN: f64 = 0.15;
const LOSS_WITHIN_S: f64 = 0.3;
/// Standing still must read well below the smallest sway with a target (1 cm peak, 0.71 cm
/// RMS): the full set's noise floor is in docs/balance.md.
const STILL_BELOW_CM: f64 = 0.3;

fn clip<'a>(clips: &'a [Value], name: &str) -> &'a Value {
    clips
        .iter()
        .find(|c| c["clip"] == name)
        .unwrap_or_else(|| panic!("no clip {name} in {clips:?}"))
}

#[test]
fn rendered_stands_meet_the_balance_targets() {
    let e = common::eval_matrix("balance-quick", "balance");
    let clips = e["clips"].as_array().expect("clips");
    assert_eq!(clips.len(), 10, "{clips:?}");

    let still = clip(clips, "single_leg_stance-front-3m-0cm-0.3hz-time_up");
    assert_eq!(still["false_loss"], false, "{still}");
    let floor = still["rms_cm"].as_f64().expect("still stand measured");
    assert!(floor < STILL_BELOW_CM, "noise floor {floor} cm: {still}");

    let sway = clip(clips, "single_leg_stance-front-3m-2cm-0.3hz-time_up");
    assert_eq!(sway["false_loss"], false, "{sway}");
    let error = sway["rms_error"].as_f64().expect("sway measured");
    assert!(error.abs() <= RMS_WITHIN, "RMS error {error}: {sway}");

    for (name, reason) in [
        (
            "single_leg_stance-front-3m-0cm-0.3hz-touch_down",
            "touch_down",
        ),
        (
            "heel_raise-side-3m-0cm-0.3hz-heels_dropped",
            "heels_dropped",
        ),
        (
            "feet_together_stand-oblique-3m-0cm-0.3hz-hands_left_waist",
            "hands_left_waist",
        ),
    ] {
        let loss = clip(clips, name);
        let attempts = loss["attempts"].as_array().expect("attempts");
        assert_eq!(attempts.len(), 1, "{loss}");
        assert_eq!(attempts[0]["ended_by"], reason, "{loss}");
        let late = loss["end_error_s"].as_f64().expect("end error");
        assert!(late.abs() <= LOSS_WITHIN_S, "{reason} {late} s off: {loss}");
        // Each stands still until it ends: its sway is measured (from the side, with the
        // far leg behind the near one) and reads as standing still.
        let rms = attempts[0]["rms_cm"].as_f64().expect("sway measured");
        assert!(
            rms < STILL_BELOW_CM,
            "{reason}: sway {rms} cm standing still: {loss}"
        );
    }

    // Each look counted once, to its side (none for the look up), at the right time; each
    // whole turn on the spot counted once, within it; nothing else counted.
    for (name, n) in [
        ("head_turns-oblique-3m-3looks", 3),
        ("turning-oblique-3m-2turns", 2),
    ] {
        let c = clip(clips, name);
        let moves = c["moves"].as_array().expect("moves");
        assert_eq!(moves.len(), n, "{c}");
        assert!(moves.iter().all(|m| m["counted_top_s"].is_f64()), "{c}");
        assert_eq!(c["extra_reps"], 0, "{c}");
    }

    // A foot raised behind the standing leg, hidden behind it from the front, is still a
    // stand on one leg, on the left; filmed from the side, the stand is timed with no leg
    // named rather than the wrong one.
    for (name, leg) in [
        (
            "single_leg_stance-front-3m-0cm-0.3hz-time_up-foot_behind",
            Value::from("left"),
        ),
        ("single_leg_stance-side-3m-0cm-0.3hz-time_up", Value::Null),
    ] {
        let c = clip(clips, name);
        assert_eq!(c["true_side"], "left", "{c}");
        let attempts = c["attempts"].as_array().expect("attempts");
        assert_eq!(attempts.len(), 1, "{c}");
        assert_eq!(attempts[0]["side"], leg, "{c}");
        assert_eq!(c["false_loss"], false, "{c}");
    }

    // The tandem stance's one attempt is given the foot in front.
    let tandem = clip(clips, "tandem_stance-side-3m-0cm-0.3hz-time_up-left");
    assert_eq!(tandem["true_side"], "left", "{tandem}");
    let attempts = tandem["attempts"].as_array().expect("attempts");
    assert_eq!(attempts.len(), 1, "{tandem}");
    assert_eq!(attempts[0]["side"], "left", "{tandem}");
    assert_eq!(tandem["false_loss"], false, "{tandem}");
}
