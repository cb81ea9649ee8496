//! Scoring an analysis against a manifest's labels: counts and holds within the accepted
//! ranges, rep tops, false faults on clean-form clips, labelled faults found, and the totals.

use serde::Serialize;

use super::labelled::LabelledResult;
use super::manifest::{self, Clip};
use crate::exercise::Template;
use crate::report::model::{ExerciseSet, Fault, Hold, Report, Severity};

/// A reported fault matches a labelled one of the same code within this many seconds.
const FAULT_SLACK_S: f64 = 0.5;
/// Without an accepted range, a measured hold is right within this many seconds.
const HOLD_TOLERANCE_S: f64 = 0.5;
/// A counted rep matches a labelled top this close, seconds (a rep counts on reaching the
/// working position, a little before the very top).
const REP_TOP_SLACK_S: f64 = 1.0;
/// A look-alike (negative) clip may show at most this much hold of any exercise.
const LOOKALIKE_HOLD_S: f64 = 1.0;

#[derive(Clone, Debug, Serialize)]
pub struct ClipResult {
    pub file: String,
    pub exercise: String,
    pub view: Option<String>,
    /// Why the clip was not scored (e.g. no template for its exercise yet).
    pub skipped: Option<String>,
    pub expected_reps: Option<u32>,
    pub accept_reps: Option<[u32; 2]>,
    /// Reps of the clip's exercise (for negatives: of any exercise).
    pub reps: u32,
    /// Reps counted for other exercises than the clip's.
    pub other_reps: u32,
    pub expected_hold_s: Option<f64>,
    pub accept_hold_s: Option<[f64; 2]>,
    pub hold_s: f64,
    /// Per labelled top/extended interval: |measured − labelled| hold, seconds.
    pub top_hold_errors: Vec<f64>,
    /// Labelled rep tops with a counted rep reaching its top within a second: (matched,
    /// labelled). A right count of the wrong moments shows here.
    pub tops_matched: Option<(usize, usize)>,
    pub faults_found: Vec<String>,
    /// The count (hold) is within what a judge accepts; `None`: nothing to compare.
    pub reps_ok: Option<bool>,
    pub hold_ok: Option<bool>,
    /// Counts and holds within their labels, nothing counted for another exercise (for a
    /// look-alike: no reps, at most a second of hold).
    pub within: bool,
    /// Seconds of the clip's sets (the clip's length when nothing was recognised).
    pub set_s: f64,
    /// Clean-form clips: seconds covered by warning (or worse) faults.
    pub false_fault_s: Option<f64>,
    /// Labelled faults: (found, labelled).
    pub faults_recalled: Option<(usize, usize)>,
    /// Clips with labelled faults: seconds of reported warning faults that match a label, and
    /// all of them.
    pub fault_time_s: Option<(f64, f64)>,
}

impl ClipResult {
    pub fn count_error(&self) -> Option<i64> {
        self.expected_reps.map(|e| self.reps as i64 - e as i64)
    }

    pub fn hold_error(&self) -> Option<f64> {
        self.expected_hold_s.map(|e| (self.hold_s - e).abs())
    }

    /// False fault time as a share of the set time (clean-form clips).
    pub fn false_fault_share(&self) -> Option<f64> {
        self.false_fault_s.map(|f| f / self.set_s.max(1e-9))
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub clips_scored: usize,
    /// Clips whose counts and holds are within their labels.
    pub clips_within: usize,
    /// Clips not scored (exercises without a template yet).
    pub clips_skipped: usize,
    pub clips_with_counts: usize,
    pub exact_count_rate: f64,
    pub mean_abs_count_error: f64,
    pub mean_rel_count_error: f64,
    pub off_by_one_rate: f64,
    pub hold_clips: usize,
    pub mean_hold_error_s: f64,
    pub mean_top_hold_error_s: Option<f64>,
    pub negative_clips: usize,
    pub false_reps_on_negatives: u32,
    pub clean_form_clips: usize,
    /// The largest share of set time covered by warning faults on a clean-form clip.
    pub max_false_fault_share: Option<f64>,
    /// Warning-fault time on clean-form clips over their set time.
    pub false_fault_share: Option<f64>,
    pub labelled_faults: usize,
    /// Labelled faults found (a reported warning of the same code overlapping it).
    pub fault_recall: Option<f64>,
    /// Reported warning-fault time on labelled clips that matches a labelled fault.
    pub fault_precision: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Evaluation {
    pub manifest: String,
    pub model: String,
    pub model_sha256: Option<String>,
    pub posecheck: String,
    pub clips: Vec<ClipResult>,
    pub summary: Summary,
    pub labelled: Vec<LabelledResult>,
}

/// Total length of the union of time intervals.
fn covered_s(mut spans: Vec<(f64, f64)>) -> f64 {
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut total = 0.0;
    let mut open: Option<(f64, f64)> = None;
    for (a, b) in spans {
        match open {
            Some((s, e)) if a <= e => open = Some((s, e.max(b))),
            _ => {
                total += open.map_or(0.0, |(s, e)| e - s);
                open = Some((a, b));
            }
        }
    }
    total + open.map_or(0.0, |(s, e)| e - s)
}

/// How many labelled rep tops have a counted rep top within [`REP_TOP_SLACK_S`]: each
/// labelled top takes the nearest counted one, and each counted top is used once.
fn matched_tops(labelled: &[f64], mut counted: Vec<f64>) -> usize {
    labelled
        .iter()
        .filter(|top| {
            let gap = |c: f64| (c - **top).abs();
            let nearest = (0..counted.len())
                .filter(|&i| gap(counted[i]) <= REP_TOP_SLACK_S)
                .min_by(|&i, &j| gap(counted[i]).total_cmp(&gap(counted[j])));
            nearest.map(|i| counted.swap_remove(i)).is_some()
        })
        .count()
}

/// Whether a reported fault code names a labelled one (a template may list other names a
/// coach uses for the same fault, e.g. `hips_too_high` for a plank's `back_too_high`).
fn same_fault(templates: &[Template], reported: &str, labelled: &str) -> bool {
    reported == labelled
        || templates
            .iter()
            .flat_map(|t| &t.faults)
            .any(|r| r.code == reported && r.aliases.iter().any(|a| a == labelled))
}

pub fn score_clip(clip: &Clip, report: &Report, templates: &[Template]) -> ClipResult {
    let mine = |id: &str| clip.is_negative() || id == clip.exercise;
    let sets: Vec<&ExerciseSet> = report
        .exercises
        .iter()
        .filter(|s| mine(&s.exercise))
        .collect();
    let reps: u32 = sets.iter().map(|s| s.reps).sum();
    let other_reps: u32 = report
        .exercises
        .iter()
        .filter(|s| !mine(&s.exercise))
        .map(|s| s.reps)
        .sum();
    let hold_s = sets.iter().fold(0.0, |a, s| a + s.hold_s);
    let holds: Vec<&Hold> = sets.iter().flat_map(|s| s.holds.iter()).collect();
    let top_hold_errors = clip
        .top_intervals()
        .unwrap_or_default()
        .iter()
        .map(|[a, b]| {
            let overlap = |h: &&Hold| (h.end_s.min(*b) - h.start_s.max(*a)).max(0.0);
            let best = holds
                .iter()
                .filter(|h| overlap(h) > 0.0)
                .max_by(|x, y| overlap(x).total_cmp(&overlap(y)));
            (best.map_or(0.0, |h| h.duration_s) - (b - a)).abs()
        })
        .collect();
    let tops_matched = clip
        .rep_tops_s
        .as_ref()
        .filter(|t| !t.is_empty())
        .map(|labelled| {
            let counted = sets.iter().flat_map(|s| s.rep_list.iter().map(|r| r.top_s));
            (matched_tops(labelled, counted.collect()), labelled.len())
        });
    let found: Vec<&Fault> = sets.iter().flat_map(|s| s.faults.iter()).collect();
    // Advice (info) is not a fault call: only warnings and errors are judged.
    let calls: Vec<&Fault> = found
        .iter()
        .copied()
        .filter(|f| f.severity != Severity::Info)
        .collect();
    let set_s = if sets.is_empty() {
        report.source.duration_s
    } else {
        sets.iter().map(|s| s.end_s - s.start_s).sum()
    };
    let labels = clip.faults.as_deref().unwrap_or_default();
    let matches = |f: &Fault, l: &manifest::LabelledFault| {
        same_fault(templates, &f.code, &l.code)
            && f.start_s <= l.end_s + FAULT_SLACK_S
            && l.start_s <= f.end_s + FAULT_SLACK_S
    };
    let labelled = clip.faults.is_some() && !labels.is_empty();
    let faults_recalled = labelled.then(|| {
        let hit = labels
            .iter()
            .filter(|l| calls.iter().any(|f| matches(f, l)))
            .count();
        (hit, labels.len())
    });
    let fault_time_s = labelled.then(|| {
        let all = covered_s(calls.iter().map(|f| (f.start_s, f.end_s)).collect());
        // The part of each call inside a labelled fault of its kind (widened by the slack).
        let right = covered_s(
            calls
                .iter()
                .flat_map(|f| {
                    labels.iter().filter(|l| matches(f, l)).map(|l| {
                        (
                            f.start_s.max(l.start_s - FAULT_SLACK_S),
                            f.end_s.min(l.end_s + FAULT_SLACK_S),
                        )
                    })
                })
                .filter(|(a, b)| b > a)
                .collect(),
        );
        (right, all)
    });
    let false_fault_s = clip
        .is_clean_form()
        .then(|| covered_s(calls.iter().map(|f| (f.start_s, f.end_s)).collect()));
    let mut faults_found: Vec<String> = found.iter().map(|f| f.code.clone()).collect();
    faults_found.sort();
    faults_found.dedup();
    let expected_reps = if clip.is_negative() {
        Some(0)
    } else {
        clip.reps
    };
    let expected_hold_s = clip.expected_hold();
    let reps_ok = clip
        .accept_reps
        .map(|[a, b]| (a..=b).contains(&reps))
        .or(expected_reps.map(|e| reps == e));
    let hold_ok = if clip.is_negative() {
        Some(hold_s <= LOOKALIKE_HOLD_S)
    } else {
        clip.accept_hold_s
            .map(|[a, b]| hold_s >= a - 1e-9 && hold_s <= b + 1e-9)
            .or(expected_hold_s.map(|e| (hold_s - e).abs() < HOLD_TOLERANCE_S))
    };
    ClipResult {
        file: clip.file.clone(),
        exercise: clip.exercise.clone(),
        view: clip.view.clone(),
        skipped: None,
        expected_reps,
        accept_reps: clip.accept_reps,
        reps,
        other_reps,
        expected_hold_s,
        accept_hold_s: clip.accept_hold_s,
        hold_s,
        top_hold_errors,
        tops_matched,
        faults_found,
        reps_ok,
        hold_ok,
        within: reps_ok != Some(false) && hold_ok != Some(false) && other_reps == 0,
        set_s,
        false_fault_s,
        faults_recalled,
        fault_time_s,
    }
}

/// A clip of an exercise no template knows yet: listed, not scored.
pub fn skipped_clip(clip: &Clip) -> ClipResult {
    ClipResult {
        file: clip.file.clone(),
        exercise: clip.exercise.clone(),
        view: clip.view.clone(),
        skipped: Some(format!(
            "not yet supported: no template for '{}'",
            clip.exercise
        )),
        expected_reps: clip.reps,
        accept_reps: clip.accept_reps,
        reps: 0,
        other_reps: 0,
        expected_hold_s: clip.expected_hold(),
        accept_hold_s: clip.accept_hold_s,
        hold_s: 0.0,
        top_hold_errors: Vec::new(),
        tops_matched: None,
        faults_found: Vec::new(),
        reps_ok: None,
        hold_ok: None,
        within: false,
        set_s: 0.0,
        false_fault_s: None,
        faults_recalled: None,
        fault_time_s: None,
    }
}

pub fn summarise(clips: &[ClipResult], negatives: &[&ClipResult]) -> Summary {
    let scored: Vec<&ClipResult> = clips.iter().filter(|c| c.skipped.is_none()).collect();
    let counted: Vec<(i64, u32)> = scored
        .iter()
        .filter_map(|c| Some((c.count_error()?, c.expected_reps?)))
        .filter(|(_, e)| *e > 0)
        .collect();
    let n = counted.len().max(1) as f64;
    let holds: Vec<f64> = scored.iter().filter_map(|c| c.hold_error()).collect();
    let tops: Vec<f64> = scored
        .iter()
        .flat_map(|c| c.top_hold_errors.iter().copied())
        .collect();
    let ratio = |a: f64, b: f64| (b > 0.0).then(|| a / b);
    let clean: Vec<&&ClipResult> = scored
        .iter()
        .filter(|c| c.false_fault_s.is_some())
        .collect();
    let recalled: Vec<(usize, usize)> = scored.iter().filter_map(|c| c.faults_recalled).collect();
    let times: Vec<(f64, f64)> = scored.iter().filter_map(|c| c.fault_time_s).collect();
    let labelled_faults = recalled.iter().map(|r| r.1).sum::<usize>();
    Summary {
        clips_scored: scored.len(),
        clips_within: scored.iter().filter(|c| c.within).count(),
        clips_skipped: clips.len() - scored.len(),
        clips_with_counts: counted.len(),
        exact_count_rate: counted.iter().filter(|(e, _)| *e == 0).count() as f64 / n,
        mean_abs_count_error: counted.iter().map(|(e, _)| e.abs() as f64).sum::<f64>() / n,
        mean_rel_count_error: counted
            .iter()
            .map(|(e, t)| e.abs() as f64 / *t as f64)
            .sum::<f64>()
            / n,
        off_by_one_rate: counted.iter().filter(|(e, _)| e.abs() == 1).count() as f64 / n,
        hold_clips: holds.len(),
        mean_hold_error_s: holds.iter().sum::<f64>() / holds.len().max(1) as f64,
        mean_top_hold_error_s: (!tops.is_empty())
            .then(|| tops.iter().sum::<f64>() / tops.len() as f64),
        negative_clips: negatives.len(),
        false_reps_on_negatives: negatives.iter().map(|c| c.reps).sum(),
        clean_form_clips: clean.len(),
        max_false_fault_share: clean
            .iter()
            .filter_map(|c| c.false_fault_share())
            .reduce(f64::max),
        false_fault_share: ratio(
            clean.iter().filter_map(|c| c.false_fault_s).sum(),
            clean.iter().map(|c| c.set_s).sum(),
        ),
        labelled_faults,
        fault_recall: ratio(
            recalled.iter().map(|r| r.0).sum::<usize>() as f64,
            labelled_faults as f64,
        ),
        // No warning reported where faults are labelled: nothing was wrongly called.
        fault_precision: (labelled_faults > 0).then(|| {
            ratio(
                times.iter().map(|t| t.0).sum(),
                times.iter().map(|t| t.1).sum(),
            )
            .unwrap_or(1.0)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_fault_spans_are_counted_once() {
        assert_eq!(covered_s(vec![]), 0.0);
        let total = covered_s(vec![(5.0, 6.0), (1.0, 3.0), (2.0, 4.0), (6.0, 6.5)]);
        assert!((total - 4.5).abs() < 1e-9, "{total}");
    }

    #[test]
    fn each_labelled_top_takes_the_nearest_counted_rep_once() {
        // Reps a second apart, counted 0.1 s early: all ten match, none twice.
        let labelled: Vec<f64> = (0..10).map(|i| 0.7 + i as f64).collect();
        let counted: Vec<f64> = labelled.iter().rev().map(|t| t - 0.1).collect();
        assert_eq!(matched_tops(&labelled, counted), 10);
        // One rep counted twice and one missed: the extra count does not stand in for the
        // missed rep; a rep far from any top matches nothing.
        assert_eq!(matched_tops(&[2.0, 5.0, 8.0], vec![2.1, 2.3, 8.0]), 2);
        assert_eq!(matched_tops(&[2.0], vec![3.5]), 0);
    }
}
