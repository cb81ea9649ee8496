//! Formatting for the page: escaping, numbers, names.

use crate::report::model::{ExerciseSet, Severity, Unit};
use crate::report::text::words;

/// Escapes text for HTML content and quoted attribute values alike.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `x` with `decimals` decimals, never "-0.0" (an empty sum of `f64`s is -0.0).
pub(super) fn fixed(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => rest.to_string(),
        _ => s,
    }
}

/// `x` with at most `decimals` decimals, trailing zeros dropped ("15", "2.5", "0.05").
pub fn num(x: f64, decimals: usize) -> String {
    let s = fixed(x, decimals);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Seconds for headings and labels ("12.4").
pub(super) fn secs(x: f64) -> String {
    fixed(x, 1)
}

/// The last component of a path, whichever separator it uses.
pub(super) fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\'])
        .find(|s| !s.is_empty())
        .unwrap_or(path)
}

/// The unit of a signal or of a peak named after one (`hip_extension_max`).
pub(super) fn unit_of(set: &ExerciseSet, signal: &str) -> Option<Unit> {
    let base = ["_max", "_min", "_mean"]
        .iter()
        .find_map(|s| signal.strip_suffix(s))
        .unwrap_or(signal);
    set.units.get(base).copied()
}

/// "hip extension (degrees)".
pub(super) fn signal_label(set: &ExerciseSet, signal: &str) -> String {
    match unit_of(set, signal) {
        Some(unit) => format!("{} ({unit})", words(signal)),
        None => words(signal),
    }
}

/// CSS class for a fault severity.
pub(super) fn severity_class(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "sev-error",
        Severity::Info => "sev-info",
        Severity::Warning => "sev-warning",
    }
}
