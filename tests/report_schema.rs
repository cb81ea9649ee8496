//! The report's published JSON Schema: it is what the Rust types give, real reports written by
//! the binary follow it and broken ones do not; and the `report` subcommands read real reports
//! and refuse malformed ones with a one-line error.

mod common;

use std::path::Path;

use serde_json::{Value, json};

const SCHEMA_FILE: &str = "schema/report.schema.json";

/// A way to break a valid report, and what it is.
type Breakage = (&'static str, fn(&mut Value));

/// A validator for the schema file in the repository (what other programs are pointed at).
fn published_validator() -> jsonschema::Validator {
    let path = common::repo().join(SCHEMA_FILE);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{SCHEMA_FILE}: {e}"));
    jsonschema::validator_for(&schema)
        .unwrap_or_else(|e| panic!("{SCHEMA_FILE} is not a valid JSON Schema: {e}"))
}

fn schema_errors(validator: &jsonschema::Validator, report: &Value) -> Vec<String> {
    validator
        .iter_errors(report)
        .map(|e| format!("at '{}': {e}", e.instance_path()))
        .collect()
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_published_schema_is_what_the_report_types_give() {
    let generated = common::posecheck_ok(["report", "schema"]);
    let published = std::fs::read_to_string(common::repo().join(SCHEMA_FILE)).unwrap_or_default();
    if generated != published {
        let line = generated
            .lines()
            .zip(published.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| generated.lines().count().min(published.lines().count()));
        panic!(
            "{SCHEMA_FILE} differs from the report types (first at line {}): regenerate it with \
             `posecheck report schema > {SCHEMA_FILE}` (cargo run --release -- report schema > {SCHEMA_FILE})",
            line + 1
        );
    }
}

#[test]
fn real_reports_follow_the_published_schema() {
    let validator = published_validator();
    for made in common::made_reports("report_schema") {
        let report = read_json(&made.report);
        let errors = schema_errors(&validator, &report);
        assert!(
            errors.is_empty(),
            "{}: the report breaks the schema:\n{}",
            made.what,
            errors.join("\n")
        );
        // Valid only counts if the nested items were there to be checked.
        let reps = report["exercises"][0]["rep_list"]
            .as_array()
            .map_or(0, Vec::len);
        assert!(reps > 0, "{}: expected a report with reps", made.what);
    }
}

#[test]
fn broken_reports_fail_validation() {
    let validator = published_validator();
    let good = read_json(&common::made_reports("report_schema")[0].report);
    assert_eq!(schema_errors(&validator, &good), Vec::<String>::new());
    let breakages: [Breakage; 6] = [
        ("a rep index as a string", |r| {
            r["exercises"][0]["rep_list"][0]["index"] = json!("1")
        }),
        ("no exercises", |r| {
            r.as_object_mut().map(|o| o.remove("exercises"));
        }),
        ("an unknown field", |r| {
            r["exercises"][0]["colour"] = json!("red")
        }),
        ("a negative frame count", |r| {
            r["frames_without_person"] = json!(-1)
        }),
        ("a side that is neither left nor right", |r| {
            r["exercises"][0]["rep_list"][0]["side"] = json!("up")
        }),
        ("a series value as text", |r| {
            r["exercises"][0]["series"]["value"][0] = json!("n/a")
        }),
    ];
    for (what, breakage) in breakages {
        let mut report = good.clone();
        breakage(&mut report);
        assert_ne!(report, good, "{what}: the breakage changed nothing");
        assert!(
            !validator.is_valid(&report),
            "a report with {what} passed validation"
        );
    }
}

#[test]
fn report_subcommands_read_real_reports() {
    for made in common::made_reports("report_schema") {
        let report = common::read_report(&made.report);
        let summary =
            common::posecheck_ok([Path::new("report"), Path::new("summary"), &made.report]);
        for set in &report.exercises {
            assert!(
                summary.contains(&set.name),
                "{}: summary lacks {}:\n{summary}",
                made.what,
                set.name
            );
            assert!(
                summary.contains(&format!("{} reps", set.reps)),
                "{}: summary lacks the rep count {}:\n{summary}",
                made.what,
                set.reps
            );
        }
        let page = made.report.with_extension("again.html");
        let printed = common::posecheck_ok([
            Path::new("report"),
            Path::new("html"),
            &made.report,
            Path::new("-o"),
            &page,
        ]);
        assert_eq!(printed.trim(), page.display().to_string());
        // The JSON carries everything the page shows: the page made from it is the one
        // `analyze --html` made from the report in memory.
        let again =
            std::fs::read_to_string(&page).unwrap_or_else(|e| panic!("{}: {e}", page.display()));
        let first = std::fs::read_to_string(&made.html)
            .unwrap_or_else(|e| panic!("{}: {e}", made.html.display()));
        assert!(
            again == first,
            "{}: `report html` and `analyze --html` pages differ",
            made.what
        );
    }
}

#[test]
fn malformed_reports_give_a_one_line_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases: [(&str, &[u8]); 4] = [
        (
            "truncated.json",
            br#"{"schema_version": "1.0", "tool": {"name""#,
        ),
        ("not_a_report.json", br#"{"hello": "world"}"#),
        ("not_text.json", &[0xff, 0xfe, 0x00, 0x7b]),
        (
            "rep_index_text.json",
            br#"{"schema_version": "1.0", "exercises": [{"rep_list": [{"index": "1"}]}]}"#,
        ),
    ];
    for (name, bytes) in cases {
        std::fs::write(dir.path().join(name), bytes).expect("write case");
    }
    let names = cases.iter().map(|c| c.0).chain(["absent.json"]);
    for name in names {
        let report = dir.path().join(name);
        let page = dir.path().join(format!("{name}.html"));
        let runs = [
            vec![Path::new("report"), Path::new("summary"), &report],
            vec![
                Path::new("report"),
                Path::new("html"),
                &report,
                Path::new("-o"),
                &page,
            ],
        ];
        for args in runs {
            let out = common::posecheck(&args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            let what = format!("{} {name}", args[1].display());
            // 101 would be a panic.
            assert_eq!(
                out.status.code(),
                Some(1),
                "{what}: {}\n{stderr}",
                out.status
            );
            assert_eq!(
                stderr.trim_end().lines().count(),
                1,
                "{what}: not one line:\n{stderr}"
            );
            assert!(
                stderr.starts_with("posecheck: ") && stderr.contains(name),
                "{what}: {stderr}"
            );
            assert!(
                out.stdout.is_empty(),
                "{what}: printed {:?}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
        assert!(
            !page.exists(),
            "{name}: a page was written for a malformed report"
        );
    }
}
