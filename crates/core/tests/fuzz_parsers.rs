//! Property tests of the two parsers that read user files: templates (TOML) and keypoint
//! tracks (JSON Lines). Whatever they are given, they return a value or an error that names
//! the file and line — they never panic.

use std::path::Path;

use posecheck_core::exercise::template::{self, BUILTIN};
use posecheck_core::track::TrackReader;
use proptest::prelude::*;

/// Text edits that keep most of a file intact: the interesting malformed inputs are near-valid.
#[derive(Clone, Debug)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, String),
    Replace(usize, char),
    Truncate(usize),
}

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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn mangled_templates_give_file_and_line_errors(which in 0usize..BUILTIN.len(), edits in prop::collection::vec(edit(), 1..4)) {
        let text = apply(BUILTIN[which].1, &edits);
        match template::parse(Path::new("t.toml"), &text) {
            Ok(t) => prop_assert!(!t.id.is_empty()),
            Err(e) => {
                let m = e.to_string();
                prop_assert!(names_file_and_line(&m, "t.toml"), "{}", m);
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
                for frame in reader {
                    if let Err(e) = frame {
                        let m = e.to_string();
                        prop_assert!(names_file_and_line(&m, &name), "{}", m);
                    }
                }
            }
        }
    }
}
