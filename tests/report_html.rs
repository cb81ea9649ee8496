//! The HTML report, as a browser shows it: real reports written by the binary are opened in
//! headless Chromium, which must paint the plots (not a blank page), build the DOM the report
//! calls for, and log nothing to the console.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::MadeReport;
use posecheck_core::report::model::{Report, Severity, WarningCode};

const CHROMIUM: &str = "/usr/bin/chromium";
/// A page that has not rendered by then is a hung browser, not a slow one.
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(60);

/// What Chromium made of a page.
struct Rendered {
    screenshot: image::RgbaImage,
    dom: String,
    /// Console output of the page (there should be none: the page has no scripts).
    console: Vec<String>,
}

fn render_in_chromium(html: &Path) -> Rendered {
    assert!(
        Path::new(CHROMIUM).is_file(),
        "{CHROMIUM} not found: run the project's set-up (`./run.sh test` installs it)"
    );
    let profile = tempfile::tempdir().expect("browser profile directory");
    let png = profile.path().join("page.png");
    let html = std::fs::canonicalize(html).expect("page path");
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,2000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", html.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    // Read the pipes on threads so a chatty browser cannot block on a full pipe.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || std::io::read_to_string(&mut stdout).unwrap_or_default());
    let err = std::thread::spawn(move || std::io::read_to_string(&mut stderr).unwrap_or_default());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break status;
        }
        if started.elapsed() > CHROMIUM_TIMEOUT {
            let _ = child.kill();
            panic!(
                "chromium took over {CHROMIUM_TIMEOUT:?} on {}",
                html.display()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (dom, log) = (
        out.join().unwrap_or_default(),
        err.join().unwrap_or_default(),
    );
    assert!(
        status.success(),
        "chromium failed ({status}) on {}:\n{log}",
        html.display()
    );
    let screenshot = image::open(&png)
        .unwrap_or_else(|e| panic!("no screenshot of {} ({e}):\n{log}", html.display()))
        .to_rgba8();
    // Chromium logs the page's console (errors and uncaught exceptions included) as
    // "...:CONSOLE..." lines; its own diagnostics (D-Bus, GPU) are other lines.
    let console = log
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .map(String::from)
        .collect();
    Rendered {
        screenshot,
        dom,
        console,
    }
}

/// Pixels close to `rgb` (each channel within `tolerance`).
fn pixels_near(img: &image::RgbaImage, rgb: [u8; 3], tolerance: u8) -> usize {
    img.pixels()
        .filter(|p| (0..3).all(|c| p.0[c].abs_diff(rgb[c]) <= tolerance))
        .count()
}

/// Checks one page as the browser rendered it against the report it was made from.
fn check_page(made: &MadeReport, page: &Rendered) {
    let what = &made.what;
    let report: Report = common::read_report(&made.report);
    assert!(
        page.console.is_empty(),
        "{what}: console output from the page:\n{}",
        page.console.join("\n")
    );

    // Not blank: the page background and white cards are two colours; text, plot lines,
    // shading and bars make up the rest.
    let img = &page.screenshot;
    let total = (img.width() * img.height()) as usize;
    let background = pixels_near(img, [0xf1, 0xf5, 0xf9], 2) + pixels_near(img, [255, 255, 255], 2);
    let inked = total - background;
    assert!(
        inked * 100 > total * 2,
        "{what}: the screenshot is nearly blank ({inked} of {total} pixels drawn)"
    );
    let mut colours: Vec<[u8; 3]> = img
        .pixels()
        .map(|p| [p.0[0] >> 4, p.0[1] >> 4, p.0[2] >> 4])
        .collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(
        colours.len() >= 12,
        "{what}: only {} distinct colours on the page",
        colours.len()
    );

    // The plot is painted: the signal's blue line, the holds' green shading, red fault bars.
    let first = report
        .exercises
        .first()
        .expect("the report has an exercise");
    assert!(
        // The line gives 2000+ such pixels; the rest of the page's blue (legend key, rep
        // dots) stays under 500.
        pixels_near(img, [0x1d, 0x4e, 0xd8], 40) > 1200,
        "{what}: the signal line of the first plot is not visible"
    );
    if !first.holds.is_empty() {
        // #22c55e at 18 % over white.
        assert!(
            pixels_near(img, [215, 245, 226], 6) > 2000,
            "{what}: no hold shading visible"
        );
    }
    if first.faults.iter().any(|f| f.severity == Severity::Warning) {
        assert!(
            pixels_near(img, [0xdc, 0x26, 0x26], 30) > 100,
            "{what}: no fault bars visible"
        );
    }

    // The DOM the browser built holds what the report says, element for element.
    let dom = &page.dom;
    let count = |needle: &str| dom.matches(needle).count();
    let reps: usize = report.exercises.iter().map(|s| s.rep_list.len()).sum();
    let faults: usize = report.exercises.iter().map(|s| s.faults.len()).sum();
    let holds: usize = report.exercises.iter().map(|s| s.holds.len()).sum();
    assert_eq!(count("class=\"rep-marker\""), reps, "{what}: rep markers");
    assert_eq!(count("<g class=\"fault-band"), faults, "{what}: fault bars");
    assert_eq!(count("<rect class=\"hold\""), holds, "{what}: hold shading");
    assert_eq!(
        count("<svg class=\"plot\""),
        report.exercises.len(),
        "{what}: plots"
    );
    for (i, set) in report.exercises.iter().enumerate() {
        assert!(
            dom.contains(&format!("id=\"set-{}\"", i + 1)),
            "{what}: no section for set {}",
            i + 1
        );
        assert!(dom.contains(&set.name), "{what}: {} not named", set.name);
        for t in &set.targets {
            assert!(dom.contains(&t.text), "{what}: target {:?} missing", t.text);
        }
    }
    assert!(
        dom.contains("id=\"warnings\""),
        "{what}: no warnings section"
    );
    for w in &report.warnings {
        assert!(
            dom.contains(&w.message),
            "{what}: warning {:?} missing",
            w.message
        );
    }
}

/// The page must open anywhere, offline and years later: nothing is fetched.
fn assert_self_contained(what: &str, html: &str) {
    for reference in [
        "src=", "href=", "url(", "@import", "<link", "<script", "<img", "<iframe",
    ] {
        assert!(
            !html.contains(reference),
            "{what}: the page refers to something outside it ({reference})"
        );
    }
}

#[test]
fn pages_of_real_reports_render_in_chromium() {
    let made = common::made_reports("report_html");
    for m in made {
        let html = std::fs::read_to_string(&m.html)
            .unwrap_or_else(|e| panic!("{}: {e}", m.html.display()));
        assert_self_contained(&m.what, &html);
        assert!(html.len() < 200_000, "{}: {} bytes", m.what, html.len());
        check_page(m, &render_in_chromium(&m.html));
    }
}

#[test]
fn the_synthetic_session_shows_its_reps_fault_gaps_and_warning() {
    let made = &common::made_reports("report_html")[0];
    let report = common::read_report(&made.report);
    // The track was made to have these; if the engine stops finding them, the page test
    // above would quietly check less.
    let set = &report.exercises[..];
    assert_eq!(set.len(), 1, "{:#?}", report.exercises);
    let set = &set[0];
    assert_eq!((set.exercise.as_str(), set.reps), ("glute_bridge", 3));
    assert!(
        set.faults
            .iter()
            .any(|f| f.code == "hips_not_extended" && f.rep == Some(3)),
        "{:#?}",
        set.faults
    );
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.code == WarningCode::NoPerson),
        "{:#?}",
        report.warnings
    );

    let page = std::fs::read_to_string(&made.html).expect("page");
    assert!(
        page.contains(">hips_not_extended</text>"),
        "fault bar labelled with its code"
    );
    assert!(
        page.contains("<rect class=\"gap\""),
        "the unmeasured stretches are shown"
    );
    assert!(
        page.contains("id=\"timeline\""),
        "a warning puts the session timeline on the page"
    );
    assert!(page.contains("Frames without a person: 24"));
}
