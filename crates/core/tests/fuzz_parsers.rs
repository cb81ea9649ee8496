//! Property tests of the parsers that read user files: templates and routines (TOML), keypoint
//! tracks (JSON Lines) and ground-truth manifests (JSON). Whatever they are given, they return a
//! value whose numbers are all finite, or an error that names the file and line — they never
//! panic.
//!
//! `cargo test` runs 400 cases of each. For a long run (not part of CI's time budget):
//!
//! ```sh
//! POSECHECK_FUZZ_CASES=100000 cargo test --release --test fuzz_parsers
//! ```

use std::path::Path;

use posecheck_core::eval::manifest::Manifest;
use posecheck_core::exercise::template::{self, BUILTIN, Template};
use posecheck_core::routine;
use posecheck_core::track::TrackReader;
use proptest::prelude::*;

/// Cases per property: `POSECHECK_FUZZ_CASES`, or 400.
fn cases() -> u32 {
    std::env::var("POSECHECK_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400)
}

/// Text edits that keep most of a file intact: the interesting malformed inputs are near-valid.
#[derive(Clone, Debug)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, String),
    Replace(usize, char),
    Truncate(usize),
    /// A number a careless or hostile file holds, in place of the characters there.
    Number(usize, &'static str),
}

/// Numbers that are not what a measurement, a time or a count can be.
const HOSTILE_NUMBERS: [&str; 10] = [
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e308",
    "-1e308",
    "1e39",
    "-1",
    "0",
    "4294967296",
];

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(a, n)| Edit::Delete(a, n)),
        (any::<usize>(), "[ -~\\n\\[\\]{}=\",.0-9a-z_]{0,12}")
            .prop_map(|(a, s)| Edit::Insert(a, s)),
        (
            any::<usize>(),
            prop_oneof![
                Just('"'),
                Just('['),
                Just(']'),
                Just('='),
                Just('\n'),
                Just('#'),
                any::<char>()
            ]
        )
            .prop_map(|(a, c)| Edit::Replace(a, c)),
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), prop::sample::select(&HOSTILE_NUMBERS[..]))
            .prop_map(|(a, n)| Edit::Number(a, n)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for e in edits {
        let at = |i: usize| {
            if chars.is_empty() {
                0
            } else {
                i % (chars.len() + 1)
            }
        };
        match e {
            Edit::Delete(a, n) => {
                let start = at(*a).min(chars.len());
                let end = (start + n).min(chars.len());
                chars.drain(start..end);
            }
            Edit::Insert(a, s) => {
                let i = at(*a);
                chars.splice(i..i, s.chars());
            }
            Edit::Replace(a, c) => {
                if !chars.is_empty() {
                    let i = a % chars.len();
                    chars[i] = *c;
                }
            }
            Edit::Truncate(a) => {
                let i = at(*a);
                chars.truncate(i);
            }
            Edit::Number(a, n) => {
                // Over the number (or whatever) starting there: up to the next separator.
                let start = at(*a).min(chars.len());
                let end = chars[start..]
                    .iter()
                    .position(|c| matches!(c, ',' | ']' | '}' | '\n' | '"'))
                    .map_or(chars.len(), |p| start + p);
                chars.splice(start..end, n.chars());
            }
        }
    }
    chars.into_iter().collect()
}

/// An error message must start with the file name and, after it, a line number.
fn names_file_and_line(message: &str, file: &str) -> bool {
    message
        .strip_prefix(file)
        .and_then(|rest| rest.strip_prefix(':'))
        .and_then(|rest| rest.split(':').next())
        .is_some_and(|n| n.parse::<usize>().is_ok())
}

/// Every number a template that loaded will compare or wait for.
fn template_numbers(t: &Template) -> Vec<f32> {
    let conditions = [&t.recognise, &t.start, &t.working_enter, &t.working_exit]
        .into_iter()
        .flatten()
        .chain(t.view.iter().flat_map(|v| &v.when))
        .chain(t.faults.iter().flat_map(|f| &f.when));
    conditions
        .map(|c| c.condition.threshold)
        .chain([t.min_dwell_s, t.grace_s, t.min_hold_s, t.hold_band])
        .chain(t.faults.iter().map(|f| f.min_duration_s))
        .chain(t.targets.hold_s)
        .collect()
}

/// A manifest naming two clips that exist (so its numbers are what is checked).
const MANIFEST: &str = r#"{
  "videos": [
    {"file": "a.mp4", "exercise": "glute_bridge", "reps": 3, "top_intervals_s": [[1.4, 3.5], [6.0, 8.0]]},
    {"file": "b.mp4", "exercise": "side_plank", "hold_s": 6.0, "per_side": {"left": 1, "right": 1},
     "faults": [{"code": "hips_dropping", "start_s": 6.0, "end_s": 8.5}]},
    {"file": "a.mp4", "exercise": "plank", "hold_interval_s": [0.0, 10.6]}
  ],
  "keypoints": {"k.csv": "labelled frames", "note": "a note for people"}
}
"#;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn mangled_templates_give_file_and_line_errors(which in 0usize..BUILTIN.len(), edits in prop::collection::vec(edit(), 1..4)) {
        let text = apply(BUILTIN[which].1, &edits);
        match template::parse(Path::new("t.toml"), &text) {
            Ok(t) => {
                prop_assert!(!t.id.is_empty());
                let numbers = template_numbers(&t);
                prop_assert!(numbers.iter().all(|v| v.is_finite()), "{:?}", numbers);
            }
            Err(e) => {
                let m = e.to_string();
                prop_assert!(names_file_and_line(&m, "t.toml"), "{}", m);
                prop_assert!(!m.contains('\n'), "one line: {}", m);
            }
        }
    }

    #[test]
    fn mangled_routines_give_file_and_line_errors(which in 0usize..routine::BUILTIN.len(), edits in prop::collection::vec(edit(), 1..4)) {
        let text = apply(routine::BUILTIN[which].1, &edits);
        match routine::parse(Path::new("r.toml"), &text) {
            Ok(r) => {
                prop_assert!(!r.steps.is_empty() && (1..=20).contains(&r.rounds));
                for s in &r.steps {
                    let targets = std::iter::once(s.target).chain(s.harder.as_ref().map(|h| h.target));
                    for t in targets {
                        prop_assert!(t.value.is_finite() && t.value >= 1.0, "{:?}", t);
                    }
                    prop_assert!(s.rest_s.is_finite() && (0.0..=3600.0).contains(&s.rest_s));
                    prop_assert!((1..=10).contains(&s.attempts) && (1..=20).contains(&s.sets));
                }
            }
            Err(e) => {
                let m = e.to_string();
                prop_assert!(names_file_and_line(&m, "r.toml"), "{}", m);
                prop_assert!(!m.contains('\n'), "one line: {}", m);
            }
        }
    }

    #[test]
    fn arbitrary_text_never_panics_the_template_parser(text in "\\PC{0,300}") {
        let _ = template::parse(Path::new("t.toml"), &text);
    }

    #[test]
    fn mangled_tracks_give_line_errors(edits in prop::collection::vec(edit(), 1..4), frames in 1usize..6) {
        let header = r#"{"posecheck_track": 1, "skeleton": "coco17", "keypoint_names": ["nose","left_shoulder"], "width": 640, "height": 360, "fps": 30.0, "source": "x.mp4", "model": "m"}"#;
        let mut text = format!("{header}\n");
        for i in 0..frames {
            text.push_str(&format!("{{\"t\": {}, \"keypoints\": [[1.5, 2.5, 0.0, 0.9], [3.0, 4.0, 0.1, 0.8]]}}\n", i as f64 / 30.0));
        }
        let text = apply(&text, &edits);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.jsonl");
        std::fs::write(&path, &text).unwrap();
        let name = path.display().to_string();
        match TrackReader::open(&path) {
            Err(e) => {
                let m = e.to_string();
                prop_assert!(m.starts_with(&name), "{}", m);
                prop_assert!(!m.contains('\n'), "one line: {}", m);
            }
            Ok(reader) => {
                prop_assert!(reader.header.fps.is_finite() && reader.header.fps > 0.0);
                let mut last = 0.0;
                for frame in reader {
                    match frame {
                        Err(e) => {
                            let m = e.to_string();
                            prop_assert!(names_file_and_line(&m, &name), "{}", m);
                        }
                        Ok(f) => {
                            prop_assert!(f.t.is_finite() && f.t >= last, "time {} after {}", f.t, last);
                            last = f.t;
                            let values = f.pose.iter().flat_map(|p| p.keypoints.iter())
                                .flat_map(|k| [k.x, k.y, k.z, k.visibility]);
                            for v in values {
                                prop_assert!(v.is_finite(), "keypoint value {}", v);
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn mangled_manifests_give_file_and_line_errors(edits in prop::collection::vec(edit(), 1..4)) {
        let dir = tempfile::tempdir().unwrap();
        for clip in ["a.mp4", "b.mp4", "k.csv"] {
            std::fs::write(dir.path().join(clip), b"x").unwrap();
        }
        let path = dir.path().join("m.json");
        std::fs::write(&path, apply(MANIFEST, &edits)).unwrap();
        let name = path.display().to_string();
        match Manifest::load(&path) {
            Err(e) => {
                let m = e.to_string();
                prop_assert!(names_file_and_line(&m, &name), "{}", m);
                prop_assert!(!m.contains('\n'), "one line: {}", m);
            }
            Ok(manifest) => {
                for clip in &manifest.videos {
                    let times = clip.hold_s.into_iter()
                        .chain(clip.hold_interval_s.into_iter().flatten())
                        .chain(clip.top_intervals().unwrap_or_default().iter().flatten().copied())
                        .chain(clip.faults.iter().flatten().flat_map(|f| [f.start_s, f.end_s]));
                    for t in times {
                        prop_assert!(t.is_finite() && t >= 0.0, "{}: time {}", clip.file, t);
                    }
                }
            }
        }
    }
}
