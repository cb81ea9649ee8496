//! Live mode driven by a video file (played at its real rate), headless and in a window under
//! Xvfb, and sessions stopped by Ctrl-C or SIGTERM: what was measured is always saved.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use posecheck_core::report::model::{Ended, Report, SourceKind};

fn bin() -> Command {
    let mut c = common::posecheck_command();
    c.stdout(Stdio::piped()).stderr(Stdio::piped());
    c
}

fn sample(name: &str) -> PathBuf {
    common::repo().join("samples").join(name)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .expect("kill")
        .success();
    assert!(ok, "kill {sig}");
}

fn read_report(path: &Path) -> Report {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("report json")
}

fn finish(child: Child) -> Output {
    child.wait_with_output().expect("wait")
}

/// A stopped analysis: exit status 130 and a report of the frames before the stop.
fn saved_what_was_analysed(out: &Output, report: &Path) {
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = read_report(report);
    assert_eq!(r.ended, Ended::Interrupted);
    assert!(r.source.frames > 10, "frames before the stop were analysed");
}

#[test]
fn headless_live_prints_events_and_saves_the_report_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("live.json");
    let track = dir.path().join("live.jsonl");
    let db = dir.path().join("history.sqlite");
    let child = bin()
        .args([
            "live",
            "--source",
            s(&sample("glute_bridge.mp4")),
            "--headless",
            "--stats",
        ])
        .args(["--report", s(&report), "--keypoints", s(&track)])
        .args(["--history-db", s(&db)])
        .spawn()
        .expect("live");
    // The first two reps top out at about 1.6 and 5.6 s of the clip.
    std::thread::sleep(Duration::from_secs(8));
    signal(&child, "-TERM");
    let out = finish(child);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("exercise glute_bridge"),
        "{stdout}\n{stderr}"
    );
    let reps = stdout
        .lines()
        .filter(|l| l.contains(" rep glute_bridge "))
        .count();
    assert!(reps >= 2, "reps printed: {stdout}");
    let r = read_report(&report);
    assert_eq!(r.ended, Ended::Interrupted);
    assert_eq!(r.source.kind, SourceKind::Video);
    assert_eq!(
        r.exercises[0].reps as usize, reps,
        "report and events agree"
    );
    assert!(stderr.contains("latency"), "--stats summary: {stderr}");
    // The interrupted session is in the history with the reps it had.
    let csv = common::posecheck_ok(["history", "--history-db", s(&db), "--csv", "-"]);
    let row: Vec<&str> = csv
        .lines()
        .nth(1)
        .expect("a recorded set")
        .split(',')
        .collect();
    assert_eq!(
        (row[3], row[7]),
        ("live", reps.to_string().as_str()),
        "{csv}"
    );
    // The keypoint track was kept and re-scores to the same reps.
    let again = dir.path().join("again.json");
    common::posecheck_ok(["analyze", s(&track), "--report", s(&again), "--quiet"]);
    assert_eq!(read_report(&again).exercises[0].reps, r.exercises[0].reps);
}

#[test]
fn a_killed_live_session_is_recovered_from_its_journal_by_the_next_one() {
    let dir = tempfile::tempdir().unwrap();
    let live = |report: &Path, db: &Path| {
        bin()
            .args([
                "live",
                "--source",
                s(&sample("glute_bridge.mp4")),
                "--headless",
            ])
            .args(["--report", s(report), "--history-db", s(db)])
            .spawn()
            .expect("live")
    };
    let killed = dir.path().join("killed.json");
    let db = dir.path().join("history.sqlite");
    let mut child = live(&killed, &db);
    // Two reps top out by 5.6 s of the clip; then SIGKILL, which nothing can catch.
    std::thread::sleep(Duration::from_secs(8));
    child.kill().expect("SIGKILL");
    let out = finish(child);
    let printed = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains(" rep glute_bridge "))
        .count();
    assert!(!killed.exists(), "a killed session wrote no report");
    let journal = dir.path().join("killed.json.journal.jsonl");
    assert!(journal.exists(), "the journal is left behind");
    // The next session in that folder rebuilds it before it starts (and is then stopped).
    let next = dir.path().join("next.json");
    let child = live(&next, &db);
    std::thread::sleep(Duration::from_secs(3));
    signal(&child, "-TERM");
    let out = finish(child);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("killed before it could save"), "{stderr}");
    let r = read_report(&killed);
    assert_eq!(r.ended, Ended::Killed);
    assert_eq!(r.source.kind, SourceKind::Video);
    assert!(printed >= 2, "reps printed before the kill: {printed}");
    assert!(
        r.exercises.iter().map(|e| e.reps).sum::<u32>() as usize >= printed,
        "the recovered report has the reps the session counted: {:?}",
        r.exercises
    );
    assert!(!journal.exists(), "the journal is removed once recovered");
    assert!(!dir.path().join("next.json.journal.jsonl").exists());
    assert_eq!(read_report(&next).ended, Ended::Interrupted);
    // Both sessions are in the history.
    let csv = common::posecheck_ok(["history", "--history-db", s(&db), "--csv", "-"]);
    assert!(csv.lines().count() >= 3, "{csv}");
}

#[test]
fn a_live_file_played_to_the_end_reports_the_hold() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("plank.json");
    let out = bin()
        .args([
            "live",
            "--source",
            s(&sample("plank.mp4")),
            "--headless",
            "--report",
            s(&report),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("hold-start"), "{stdout}");
    let r = read_report(&report);
    assert_eq!(r.ended, Ended::EndOfInput);
    let plank = r
        .exercises
        .iter()
        .find(|e| e.exercise == "plank")
        .expect("plank");
    assert!((plank.hold_s - 10.0).abs() < 1.5, "held {}", plank.hold_s);
}

#[test]
fn without_a_display_live_says_so_instead_of_crashing() {
    let out = bin()
        .args(["live", "--source", s(&sample("plank.mp4"))])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("no display: use --headless"), "{err}");
}

#[test]
fn a_camera_that_cannot_be_opened_is_one_line_saying_what_was_tried() {
    let out = bin()
        .args(["live", "--source", "7", "--headless"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("camera 7") && err.contains("tried camera index 7"),
        "{err}"
    );
}

/// An Xvfb server writing its screen to a file (XWD format), for screenshots.
struct Xvfb {
    child: Child,
    display: String,
    screen: PathBuf,
    _dir: tempfile::TempDir,
}

impl Xvfb {
    fn start() -> Xvfb {
        let xvfb = ["/usr/bin/Xvfb", "/usr/local/bin/Xvfb"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("Xvfb is not installed: run ./run.sh test, which installs it");
        let n = (90..200)
            .find(|n| {
                !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                    && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
            })
            .expect("a free display number");
        let dir = tempfile::tempdir().unwrap();
        let child = Command::new(xvfb)
            .args([
                &format!(":{n}"),
                "-screen",
                "0",
                "1024x768x24",
                "-nolisten",
                "tcp",
                "-fbdir",
                s(dir.path()),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb");
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
        let start = Instant::now();
        while !socket.exists() && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(socket.exists(), "Xvfb did not start");
        Xvfb {
            child,
            display: format!(":{n}"),
            screen: dir.path().join("Xvfb_screen0"),
            _dir: dir,
        }
    }

    /// The screen as RGB pixels (XWD: big-endian header, colour map, then 32-bit pixels).
    fn screenshot(&self) -> (usize, usize, Vec<[u8; 3]>) {
        let d = std::fs::read(&self.screen).expect("Xvfb screen file");
        let word = |i: usize| {
            u32::from_be_bytes([d[4 * i], d[4 * i + 1], d[4 * i + 2], d[4 * i + 3]]) as usize
        };
        let (header, width, height, bits, line, colours) =
            (word(0), word(4), word(5), word(11), word(12), word(19));
        assert_eq!(bits, 32, "32-bit screen expected");
        let data = &d[header + colours * 12..];
        let mut pixels = Vec::with_capacity(width * height);
        for y in 0..height {
            for x in 0..width {
                let p = &data[y * line + x * 4..y * line + x * 4 + 4];
                // Little-endian BGRX.
                pixels.push([p[2], p[1], p[0]]);
            }
        }
        (width, height, pixels)
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_window_shows_the_picture_with_the_overlay() {
    let x = Xvfb::start();
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("window.json");
    let child = bin()
        .args([
            "live",
            "--source",
            s(&sample("bird_dog.mp4")),
            "--report",
            s(&report),
        ])
        .env("DISPLAY", &x.display)
        .spawn()
        .expect("live");
    // Until the window shows the skeleton (start-up takes longer on a busy machine; a Ctrl-C
    // before the first frame has nothing to report), at most 30 s.
    let green_of = |pixels: &[[u8; 3]]| pixels.iter().filter(|p| **p == [0, 255, 0]).count();
    let start = std::time::Instant::now();
    let (w, h, pixels) = loop {
        std::thread::sleep(Duration::from_secs(1));
        let shot = x.screenshot();
        if green_of(&shot.2) > 30 || start.elapsed() > Duration::from_secs(30) {
            break shot;
        }
    };
    signal(&child, "-INT");
    let out = finish(child);
    assert!(
        out.status.code() == Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(report.is_file(), "report saved after Ctrl-C");
    // Joints drawn at full confidence are pure green; the read-out is white text on a dark
    // panel; the rendered picture has neither pure colour in any quantity.
    let green = green_of(&pixels);
    let white = pixels.iter().filter(|p| **p == [255, 255, 255]).count();
    let blank = pixels.iter().filter(|p| **p == [0, 0, 0]).count();
    assert!(blank < w * h * 9 / 10, "the screen is empty");
    assert!(
        green > 30,
        "no skeleton joints on screen ({green} green pixels)"
    );
    assert!(
        white > 200,
        "no overlay text or bones ({white} white pixels)"
    );
}

#[test]
fn ctrl_c_during_analyze_keeps_what_was_analysed_and_a_second_quits_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("a.json");
    let child = bin()
        .args([
            "analyze",
            s(&sample("bird_dog.mp4")),
            "--threads",
            "1",
            "--report",
            s(&report),
        ])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    signal(&child, "-INT");
    let out = finish(child);
    saved_what_was_analysed(&out, &report);
    // Two presses: out at once, without waiting for the analysis to wind down.
    let child = bin()
        .args([
            "analyze",
            s(&sample("bird_dog.mp4")),
            "--threads",
            "1",
            "--report",
            s(&dir.path().join("b.json")),
        ])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2000));
    signal(&child, "-INT");
    signal(&child, "-INT");
    let started = Instant::now();
    let out = finish(child);
    assert_eq!(out.status.code(), Some(130));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "second Ctrl-C should quit at once"
    );
}

#[test]
fn sigterm_during_start_up_and_during_analysis_ends_within_a_second() {
    let dir = tempfile::tempdir().unwrap();
    // Start-up: a stream that accepts the connection and never answers holds live mode in
    // opening it (FFmpeg would wait 5 s); nothing is measured yet, so nothing is saved.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/cam", silent.local_addr().unwrap());
    let early_report = dir.path().join("early.json");
    let child = bin()
        .args(["live", "--source", &url, "--headless", "--report"])
        .arg(&early_report)
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    signal(&child, "-TERM");
    let out = common::ends_within(child, Duration::from_secs(1), "start-up after SIGTERM");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(
        err.contains("stopped before anything was measured"),
        "{err}"
    );
    assert!(!early_report.exists(), "no report of nothing");
    // Analysis: the report of the frames analysed is written.
    let report = dir.path().join("a.json");
    let child = bin()
        .args([
            "analyze",
            s(&sample("bird_dog.mp4")),
            "--report",
            s(&report),
        ])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    signal(&child, "-TERM");
    let out = common::ends_within(child, Duration::from_secs(1), "analysis after SIGTERM");
    saved_what_was_analysed(&out, &report);
}

#[test]
fn a_routine_stopped_part_way_keeps_its_steps_in_the_report_and_the_history() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let (report, db) = (dir.path().join("r.json"), dir.path().join("h.sqlite"));
    let videos: Vec<PathBuf> = ["glute_bridge", "bird_dog", "side_plank", "superman"]
        .iter()
        .map(|n| sample(&format!("{n}.mp4")))
        .collect();
    let mut child = bin()
        .args(["routine", "home_set", "--headless", "--source"])
        .args(&videos)
        .args(["--report", s(&report), "--history-db", s(&db)])
        .spawn()
        .expect("routine");
    // Stopped once the model has counted the first rep.
    let stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let rep = line.contains("\"event\":\"rep\"");
        seen.push(line);
        if rep {
            break;
        }
    }
    signal(&child, "-TERM");
    let out = finish(child);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}\n{seen:?}");
    let r = read_report(&report);
    assert_eq!(r.ended, Ended::Interrupted);
    let routine = r.routine.expect("the routine section");
    assert!(!routine.completed);
    let last = routine.steps.last().expect("the step under way");
    assert_eq!(last.step, "bridge");
    assert_eq!(
        last.ended_by,
        posecheck_core::report::model::StepEnd::SessionEnded
    );
    assert!(last.done >= 1.0, "{last:?}");
    let csv = common::posecheck_ok(["history", "--history-db", s(&db), "--csv", "-"]);
    assert!(
        csv.lines()
            .nth(1)
            .is_some_and(|l| l.contains(",routine,home_set,")),
        "{csv}"
    );
}
