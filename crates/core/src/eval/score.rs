//! Scoring an analysis against a manifest's labels: counts and holds within the accepted
//! ranges, rep tops, false faults on clean-form clips, labelled faults found, and the totals.

use serde::Serialize;

use super::labelled::LabelledResult;
use super::manifest::{self, Clip};
use crate::exercise::Template;
use crate::report::model::{ExerciseSet, Fault, Hold, Report, Severity};

/// Recall only: a reported warning episode may start or end this many seconds beyond a labelled
/// one and still be taken for it (precision uses the labels as they are, without slack).
const FAULT_MATCH_SLACK_S: f64 = 0.25;
/// Without an accepted range, a measured hold is right within this many seconds.
const HOLD_TOLERANCE_S: f64 = 0.5;
/// A counted rep matches a labelled top at most this close, seconds (a rep counts on reaching
/// the working position, a little before the very top) ...
const REP_TOP_SLACK_S: f64 = 0.5;
/// ... and at most this share of the gap to the neighbouring labelled top, so that a count
/// shifted by half a rep does not match.
const REP_TOP_GAP_SHARE: f64 = 0.4;
/// A look-alike (negative) clip may show at most this much hold, all exercises together; any
/// clip at most this much hold of another exercise than its own.
const LOOKALIKE_HOLD_S: f64 = 1.0;
/// A clean-form clip passes with warnings over at most this share of its set time.
const CLEAN_FORM_MAX_SHARE: f64 = 0.05;
/// A clip with labelled faults passes with every episode found and at least this share of
/// its reported warning time inside labelled faults.
const FAULT_MIN_PRECISION: f64 = 0.5;

#[derive(Clone, Debug, Serialize)]
pub struct ClipResult {
    pub file: String,
    pub exercise: String,
    pub view: Option<String>,
    /// Why the clip was not scored ("not scored: ..."): its labels hold nothing to compare.
    pub skipped: Option<String>,
    /// The clip's exercise has no template yet ("not yet supported: ..."): it is scored as a
    /// look-alike of the existing templates.
    pub unsupported: Option<String>,
    /// Scored as a look-alike: a negative, or an exercise without a template.
    pub lookalike: bool,
    pub expected_reps: Option<u32>,
    pub accept_reps: Option<[u32; 2]>,
    /// Reps of the clip's exercise (for look-alikes: of any exercise).
    pub reps: u32,
    /// Reps counted for other exercises than the clip's.
    pub other_reps: u32,
    pub expected_hold_s: Option<f64>,
    pub accept_hold_s: Option<[f64; 2]>,
    pub hold_s: f64,
    /// Hold of other exercises than the clip's, seconds.
    pub other_hold_s: f64,
    /// Per labelled top/extended interval: |measured − labelled| hold, seconds.
    pub top_hold_errors: Vec<f64>,
    /// Labelled rep tops with a counted rep reaching its top close by (at most 0.5 s and 0.4
    /// of the gap to the neighbouring top): (matched, labelled). A right count of the wrong
    /// moments shows here.
    pub tops_matched: Option<(usize, usize)>,
    /// Clips with dips (hips on the mat between highs): (holds spanning a moment on the mat,
    /// moments on the mat seen as a hips_dropping warning).
    pub dips: Option<(usize, usize, usize)>,
    pub faults_found: Vec<String>,
    /// The count (hold) is within what a judge accepts; `None`: nothing to compare.
    pub reps_ok: Option<bool>,
    pub hold_ok: Option<bool>,
    /// Counts and holds within their labels, no reps and at most a second of hold counted
    /// for another exercise (for a look-alike: no reps, at most a second of hold in all).
    pub within: bool,
    /// Seconds of the clip's sets (the clip's length when nothing was recognised).
    pub set_s: f64,
    /// Clean-form clips: seconds covered by warning (or worse) faults.
    pub false_fault_s: Option<f64>,
    /// Labelled faults: (found, labelled), each reported episode standing for one label.
    pub faults_recalled: Option<(usize, usize)>,
    /// Clips with labelled faults: seconds of reported warning faults inside a labelled fault
    /// of their kind, and all of them.
    pub fault_time_s: Option<(f64, f64)>,
    /// Seconds covered by reported warning (or worse) faults.
    pub warning_s: f64,
    /// Faults judged right: every labelled episode found with at least half the warning time
    /// labelled; a clean-form clip with at most 5 % of its set time in warnings; a look-alike
    /// with no warning at all. `None`: nothing to judge.
    pub faults_ok: Option<bool>,
}

impl ClipResult {
    /// Labelled as filmed front-on (90° from side-on: the front, or the head end for a body
    /// lying down), by the manifest's view: its first words are "front" ("side, front view
    /// 19-30 s" is side-on).
    pub fn filmed_front_on(&self) -> bool {
        self.view
            .as_deref()
            .is_some_and(|v| v.split(',').next().map(str::trim) == Some("front"))
    }

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

    /// Reported warning time inside labelled faults; `None` when nothing was reported.
    pub fn fault_precision(&self) -> Option<f64> {
        self.fault_time_s
            .filter(|(_, all)| *all > 0.0)
            .map(|(right, all)| right / all)
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub clips_scored: usize,
    /// Clips whose counts and holds are within their labels.
    pub clips_within: usize,
    /// Clips listed but not scored (nothing in their labels to compare).
    pub clips_skipped: usize,
    /// Clips of exercises without a template yet (scored as look-alikes).
    pub clips_unsupported: usize,
    /// Clips with faults to judge, and those judged right.
    pub clips_faults_judged: usize,
    pub clips_faults_ok: usize,
    pub clips_with_counts: usize,
    pub exact_count_rate: f64,
    /// The same over the clips not filmed front-on (side-on up to 60°, the judgement
    /// issue's target range); `None` without such clips.
    pub exact_count_rate_to_60: Option<f64>,
    pub mean_abs_count_error: f64,
    pub mean_rel_count_error: f64,
    pub off_by_one_rate: f64,
    pub hold_clips: usize,
    pub mean_hold_error_s: f64,
    pub mean_top_hold_error_s: Option<f64>,
    /// Look-alike clips (negatives and exercises without a template).
    pub negative_clips: usize,
    pub false_reps_on_negatives: u32,
    pub clean_form_clips: usize,
    /// The largest share of set time covered by warning faults on a clean-form clip.
    pub max_false_fault_share: Option<f64>,
    /// Warning-fault time on clean-form clips over their set time.
    pub false_fault_share: Option<f64>,
    pub labelled_faults: usize,
    /// Labelled faults found (one-to-one with reported warning episodes).
    pub fault_recall: Option<f64>,
    /// Reported warning-fault time on labelled clips inside a labelled fault; `None` when
    /// nothing was reported there.
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

/// How close a counted rep must be to each labelled top: [`REP_TOP_SLACK_S`], or less where
/// the neighbouring labelled top is near.
fn top_slacks(labelled: &[f64]) -> Vec<f64> {
    labelled
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let gap = labelled
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, u)| (u - t).abs())
                .reduce(f64::min);
            gap.map_or(REP_TOP_SLACK_S, |g| {
                REP_TOP_SLACK_S.min(REP_TOP_GAP_SHARE * g)
            })
        })
        .collect()
}

/// How many labelled rep tops have a counted rep top within their slack ([`top_slacks`]):
/// each labelled top takes the nearest counted one, and each counted top is used once.
fn matched_tops(labelled: &[f64], mut counted: Vec<f64>) -> usize {
    labelled
        .iter()
        .zip(top_slacks(labelled))
        .filter(|(top, slack)| {
            let gap = |c: f64| (c - **top).abs();
            let nearest = (0..counted.len())
                .filter(|&i| gap(counted[i]) <= *slack)
                .min_by(|&i, &j| gap(counted[i]).total_cmp(&gap(counted[j])));
            nearest.map(|i| counted.swap_remove(i)).is_some()
        })
        .count()
}

/// Overlap of two intervals, seconds (negative: the gap between them).
fn overlap(a: (f64, f64), b: (f64, f64)) -> f64 {
    a.1.min(b.1) - a.0.max(b.0)
}

/// Labelled episodes found one-to-one: a reported episode and a labelled one of its kind
/// (`same(reported, labelled)`) pair up when they overlap or lie within
/// [`FAULT_MATCH_SLACK_S`] of each other; pairs are taken greedily by overlap, each episode
/// on either side in at most one pair.
fn matched_episodes(
    reported: &[(f64, f64)],
    labelled: &[(f64, f64)],
    same: impl Fn(usize, usize) -> bool,
) -> usize {
    let mut pairs: Vec<(f64, usize, usize)> = (0..reported.len())
        .flat_map(|i| (0..labelled.len()).map(move |j| (i, j)))
        .filter(|&(i, j)| same(i, j))
        .map(|(i, j)| (overlap(reported[i], labelled[j]), i, j))
        .filter(|(o, _, _)| *o >= -FAULT_MATCH_SLACK_S)
        .collect();
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut used_r = vec![false; reported.len()];
    let mut used_l = vec![false; labelled.len()];
    let mut found = 0;
    for (_, i, j) in pairs {
        if !used_r[i] && !used_l[j] {
            used_r[i] = true;
            used_l[j] = true;
            found += 1;
        }
    }
    found
}

/// Reported time inside labelled episodes of its kind (labels as they are, no slack), and all
/// reported time, seconds.
fn labelled_time(
    reported: &[(f64, f64)],
    labelled: &[(f64, f64)],
    same: impl Fn(usize, usize) -> bool,
) -> (f64, f64) {
    let right = (0..reported.len())
        .flat_map(|i| (0..labelled.len()).map(move |j| (i, j)))
        .filter(|&(i, j)| same(i, j))
        .map(|(i, j)| {
            let (r, l) = (reported[i], labelled[j]);
            (r.0.max(l.0), r.1.min(l.1))
        })
        .filter(|(a, b)| b > a)
        .collect();
    (covered_s(right), covered_s(reported.to_vec()))
}

/// Reported faults as episodes: overlapping (or touching) spans of the same code are one
/// episode (e.g. the same fault reported for both sides).
fn episodes(calls: &[&Fault]) -> Vec<(String, f64, f64)> {
    let mut spans: Vec<(String, f64, f64)> = calls
        .iter()
        .map(|f| (f.code.clone(), f.start_s, f.end_s))
        .collect();
    spans.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut out: Vec<(String, f64, f64)> = Vec::new();
    for (code, a, b) in spans {
        match out.last_mut() {
            Some(last) if last.0 == code && a <= last.2 => last.2 = last.2.max(b),
            _ => out.push((code, a, b)),
        }
    }
    out
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

/// Scores a clip. A clip whose exercise no template knows (`supported` false) is scored as a
/// look-alike of the templates there are.
pub fn score_clip(
    clip: &Clip,
    report: &Report,
    templates: &[Template],
    supported: bool,
) -> ClipResult {
    let lookalike = clip.is_negative() || !supported;
    let mine = |id: &str| lookalike || id == clip.exercise;
    let sets: Vec<&ExerciseSet> = report
        .exercises
        .iter()
        .filter(|s| mine(&s.exercise))
        .collect();
    let others = || report.exercises.iter().filter(|s| !mine(&s.exercise));
    let reps: u32 = sets.iter().map(|s| s.reps).sum();
    let other_reps: u32 = others().map(|s| s.reps).sum();
    let hold_s = sets.iter().fold(0.0, |a, s| a + s.hold_s);
    let other_hold_s = others().fold(0.0, |a, s| a + s.hold_s);
    let holds: Vec<&Hold> = sets.iter().flat_map(|s| s.holds.iter()).collect();
    let top_hold_errors = if lookalike {
        Vec::new()
    } else {
        clip.top_intervals()
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
            .collect()
    };
    let tops_matched = clip
        .rep_tops_s
        .as_ref()
        .filter(|t| !t.is_empty() && !lookalike)
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
    let warning_s = covered_s(calls.iter().map(|f| (f.start_s, f.end_s)).collect());
    let set_s = if sets.is_empty() {
        report.source.duration_s
    } else {
        sets.iter().map(|s| s.end_s - s.start_s).sum()
    };
    // A look-alike's labelled faults (of its own exercise) say nothing about the templates.
    let labels: &[manifest::LabelledFault] = if lookalike {
        &[]
    } else {
        clip.faults.as_deref().unwrap_or_default()
    };
    let reported = episodes(&calls);
    let spans = |e: &[(String, f64, f64)]| e.iter().map(|(_, a, b)| (*a, *b)).collect::<Vec<_>>();
    let label_spans: Vec<(f64, f64)> = labels.iter().map(|l| (l.start_s, l.end_s)).collect();
    let same = |i: usize, j: usize| same_fault(templates, &reported[i].0, &labels[j].code);
    let labelled = !labels.is_empty();
    let faults_recalled = labelled.then(|| {
        let hit = matched_episodes(&spans(&reported), &label_spans, same);
        (hit, labels.len())
    });
    let fault_time_s = labelled.then(|| labelled_time(&spans(&reported), &label_spans, same));
    let false_fault_s = clip.is_clean_form().then_some(warning_s);
    // Dips: a hold spanning a moment with the hips on the mat is wrong; each such moment
    // should be seen as hips dropping.
    let dips = clip.hips_on_mat_intervals_s.as_ref().map(|mat| {
        let spanning = holds
            .iter()
            .filter(|h| mat.iter().any(|[a, b]| h.start_s <= *a && h.end_s >= *b))
            .count();
        let seen = mat
            .iter()
            .filter(|[a, b]| {
                reported.iter().any(|(code, s, e)| {
                    same_fault(templates, code, "hips_dropping")
                        && overlap((*s, *e), (*a, *b)) >= -FAULT_MATCH_SLACK_S
                })
            })
            .count();
        (spanning, seen, mat.len())
    });
    let mut faults_found: Vec<String> = found.iter().map(|f| f.code.clone()).collect();
    faults_found.sort();
    faults_found.dedup();
    let expected_reps = if lookalike { Some(0) } else { clip.reps };
    let expected_hold_s = if lookalike {
        None
    } else {
        clip.expected_hold()
    };
    let reps_ok = if lookalike {
        Some(reps == 0)
    } else {
        clip.accept_reps
            .map(|[a, b]| (a..=b).contains(&reps))
            .or(expected_reps.map(|e| reps == e))
    };
    let hold_ok = if lookalike {
        Some(hold_s <= LOOKALIKE_HOLD_S)
    } else {
        clip.accept_hold_s
            .map(|[a, b]| hold_s >= a - 1e-9 && hold_s <= b + 1e-9)
            .or(expected_hold_s.map(|e| (hold_s - e).abs() < HOLD_TOLERANCE_S))
            .or(dips.map(|(spanning, _, _)| spanning == 0))
    };
    let within = reps_ok != Some(false)
        && hold_ok != Some(false)
        && other_reps == 0
        && other_hold_s <= LOOKALIKE_HOLD_S;
    let precision = fault_time_s
        .filter(|(_, all)| *all > 0.0)
        .map(|(r, a)| r / a);
    let faults_ok = if lookalike {
        Some(warning_s == 0.0)
    } else if let Some((hit, n)) = faults_recalled {
        Some(hit == n && precision.is_some_and(|p| p >= FAULT_MIN_PRECISION))
    } else if let Some(f) = false_fault_s {
        Some(f / set_s.max(1e-9) <= CLEAN_FORM_MAX_SHARE)
    } else {
        dips.map(|(_, seen, _)| seen >= 2)
    };
    ClipResult {
        file: clip.file.clone(),
        exercise: clip.exercise.clone(),
        view: clip.view.clone(),
        skipped: None,
        unsupported: (!supported && !clip.is_negative()).then(|| {
            format!(
                "not yet supported: no template for '{}'; scored as a look-alike of the others",
                clip.exercise
            )
        }),
        lookalike,
        expected_reps,
        accept_reps: if lookalike { None } else { clip.accept_reps },
        reps,
        other_reps,
        expected_hold_s,
        accept_hold_s: if lookalike { None } else { clip.accept_hold_s },
        hold_s,
        other_hold_s,
        top_hold_errors,
        tops_matched,
        dips,
        faults_found,
        reps_ok,
        hold_ok,
        within,
        set_s,
        false_fault_s,
        faults_recalled,
        fault_time_s,
        warning_s,
        faults_ok,
    }
}

/// A clip whose labels hold nothing to compare: listed with the reason, not scored.
pub fn skipped_clip(clip: &Clip, why: String) -> ClipResult {
    ClipResult {
        file: clip.file.clone(),
        exercise: clip.exercise.clone(),
        view: clip.view.clone(),
        skipped: Some(why),
        unsupported: None,
        lookalike: false,
        expected_reps: None,
        accept_reps: None,
        reps: 0,
        other_reps: 0,
        expected_hold_s: None,
        accept_hold_s: None,
        hold_s: 0.0,
        other_hold_s: 0.0,
        top_hold_errors: Vec::new(),
        tops_matched: None,
        dips: None,
        faults_found: Vec::new(),
        reps_ok: None,
        hold_ok: None,
        within: false,
        set_s: 0.0,
        false_fault_s: None,
        faults_recalled: None,
        fault_time_s: None,
        warning_s: 0.0,
        faults_ok: None,
    }
}

pub fn summarise(clips: &[ClipResult]) -> Summary {
    let scored: Vec<&ClipResult> = clips.iter().filter(|c| c.skipped.is_none()).collect();
    let negatives: Vec<&&ClipResult> = scored.iter().filter(|c| c.lookalike).collect();
    // (count error, true count, filmed front-on) of the clips with reps to count.
    let counts: Vec<(i64, u32, bool)> = scored
        .iter()
        .filter_map(|c| Some((c.count_error()?, c.expected_reps?, c.filmed_front_on())))
        .filter(|(_, e, _)| *e > 0)
        .collect();
    let counted: Vec<(i64, u32)> = counts.iter().map(|&(e, t, _)| (e, t)).collect();
    let not_front: Vec<(i64, u32)> = counts
        .iter()
        .filter(|c| !c.2)
        .map(|&(e, t, _)| (e, t))
        .collect();
    let n = counted.len().max(1) as f64;
    let exact = |errors: &[(i64, u32)]| {
        (!errors.is_empty())
            .then(|| errors.iter().filter(|(e, _)| *e == 0).count() as f64 / errors.len() as f64)
    };
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
    let judged: Vec<bool> = scored.iter().filter_map(|c| c.faults_ok).collect();
    Summary {
        clips_scored: scored.len(),
        clips_within: scored.iter().filter(|c| c.within).count(),
        clips_skipped: clips.len() - scored.len(),
        clips_unsupported: scored.iter().filter(|c| c.unsupported.is_some()).count(),
        clips_faults_judged: judged.len(),
        clips_faults_ok: judged.iter().filter(|ok| **ok).count(),
        clips_with_counts: counted.len(),
        exact_count_rate: exact(&counted).unwrap_or(0.0),
        exact_count_rate_to_60: exact(&not_front),
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
        // Nothing reported where faults are labelled: precision is undefined, not perfect.
        fault_precision: ratio(
            times.iter().map(|t| t.0).sum(),
            times.iter().map(|t| t.1).sum(),
        ),
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

    #[test]
    fn rep_top_slack_shrinks_with_the_gap_to_the_neighbouring_top() {
        let slacks = top_slacks(&[1.0, 2.0, 5.0]);
        assert!((slacks[0] - 0.4).abs() < 1e-9, "{slacks:?}");
        assert!((slacks[1] - 0.4).abs() < 1e-9, "{slacks:?}");
        assert!((slacks[2] - 0.5).abs() < 1e-9, "{slacks:?}");
        assert_eq!(top_slacks(&[3.0]), vec![0.5]);
        // Superman reps a second apart, counted half a rep late: none is at its top.
        let labelled: Vec<f64> = (0..10).map(|i| 0.7 + i as f64).collect();
        let shifted: Vec<f64> = labelled.iter().map(|t| t + 0.5).collect();
        assert_eq!(matched_tops(&labelled, shifted), 0);
        // 0.6 s off a top 3 s from the next: beyond the 0.5 s cap.
        assert_eq!(matched_tops(&[2.6, 5.6], vec![3.2, 5.2]), 1);
    }

    #[test]
    fn one_long_warning_recalls_one_labelled_dip_only() {
        let any = |_: usize, _: usize| true;
        let dips = [(2.0, 3.0), (4.0, 5.0), (6.0, 7.0)];
        assert_eq!(matched_episodes(&[(1.5, 7.5)], &dips, any), 1);
        // One episode per dip finds all three; one that misses by more than the slack
        // finds nothing.
        let each = [(2.1, 2.9), (3.9, 5.2), (6.2, 7.0)];
        assert_eq!(matched_episodes(&each, &dips, any), 3);
        assert_eq!(matched_episodes(&[(3.3, 3.7)], &dips, any), 0);
        assert_eq!(matched_episodes(&[(3.2, 3.7)], &dips, any), 1);
        // Greedy by overlap: the episode covering most of a dip keeps it.
        assert_eq!(
            matched_episodes(&[(1.9, 3.1), (2.9, 4.6)], &[(2.0, 3.0), (4.0, 5.0)], any),
            2
        );
        // Another kind of fault matches nothing.
        assert_eq!(matched_episodes(&[(2.0, 3.0)], &dips, |_, _| false), 0);
    }

    #[test]
    fn precision_counts_reported_time_inside_labels_without_widening() {
        let any = |_: usize, _: usize| true;
        let dips = [(2.0, 3.0), (4.0, 5.0), (6.0, 7.0)];
        let (right, all) = labelled_time(&[(1.5, 7.5)], &dips, any);
        assert!((right - 3.0).abs() < 1e-9 && (all - 6.0).abs() < 1e-9);
        // A warning ending 0.4 s after a label: that 0.4 s is not labelled.
        let (right, all) = labelled_time(&[(2.0, 3.4)], &dips, any);
        assert!((right - 1.0).abs() < 1e-9 && (all - 1.4).abs() < 1e-9);
        // Nothing reported: no time either way (precision undefined, not 1).
        assert_eq!(labelled_time(&[], &dips, any), (0.0, 0.0));
    }

    #[test]
    fn nothing_reported_leaves_precision_undefined() {
        let clip = |fault_time_s, faults_recalled| ClipResult {
            fault_time_s,
            faults_recalled,
            ..skipped_clip_for_tests()
        };
        let silent = clip(Some((0.0, 0.0)), Some((0, 2)));
        assert_eq!(silent.fault_precision(), None);
        let s = summarise(&[silent]);
        assert_eq!(s.fault_precision, None);
        assert_eq!(s.fault_recall, Some(0.0));
        let s = summarise(&[clip(Some((1.0, 4.0)), Some((1, 2)))]);
        assert_eq!(s.fault_precision, Some(0.25));
    }

    fn skipped_clip_for_tests() -> ClipResult {
        let mut c: ClipResult =
            serde_json::from_str::<Clip>(r#"{"file": "x.mp4", "exercise": "plank"}"#)
                .map(|c| skipped_clip(&c, String::new()))
                .unwrap();
        c.skipped = None;
        c
    }
}
