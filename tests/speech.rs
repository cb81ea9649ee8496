//! Spoken cues rendered to a WAV file (`--voice-wav`): speech-length sound with pauses, not
//! silence; bad voice options refused in one line. Needs eSpeak NG (`./run.sh test` installs
//! the espeak-ng package).

mod common;

use std::path::Path;

use common::posecheck;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// 16-bit mono samples and the rate of a PCM WAV file.
fn read_wav(path: &Path) -> (Vec<i16>, u32) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[0..4], b"RIFF");
    assert_eq!(&bytes[8..16], b"WAVEfmt ");
    assert_eq!(u16::from_le_bytes([bytes[22], bytes[23]]), 1, "mono");
    assert_eq!(u16::from_le_bytes([bytes[34], bytes[35]]), 16, "16-bit");
    let rate = u32::from_le_bytes(bytes[24..28].try_into().unwrap());
    let size = u32::from_le_bytes(bytes[40..44].try_into().unwrap()) as usize;
    assert_eq!(size, bytes.len() - 44, "data size in the header");
    let samples = bytes[44..]
        .chunks_exact(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .collect();
    (samples, rate)
}

#[test]
fn the_cues_of_a_routine_render_as_speech() {
    assert!(
        posecheck::speech::available(),
        "eSpeak NG is not installed: apt-get install espeak-ng (./run.sh test does)"
    );
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("cues.wav");
    let track = common::repo().join("samples/glute_bridge.track.jsonl");
    let out = posecheck([
        "routine",
        "home_set",
        "--source",
        s(&track),
        "--headless",
        "--no-history",
        "--report",
        s(&dir.path().join("r.json")),
        "--voice-wav",
        s(&wav),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (samples, rate) = read_wav(&wav);
    let seconds = samples.len() as f64 / f64::from(rate);
    // The announcement alone ("Glute bridge: 15 reps. Lie on your back ...") takes seconds.
    assert!((5.0..600.0).contains(&seconds), "{seconds} s");
    // In 50-ms windows: speech is loud in many, and the pauses between cues are quiet.
    let window = (rate / 20) as usize;
    let rms: Vec<f64> = samples
        .chunks(window)
        .map(|w| (w.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>() / w.len() as f64).sqrt())
        .collect();
    let loud = rms.iter().filter(|&&r| r > 500.0).count() as f64 / rms.len() as f64;
    let quiet = rms.iter().filter(|&&r| r < 50.0).count() as f64 / rms.len() as f64;
    assert!(loud > 0.3, "{:.0} % of windows loud", loud * 100.0);
    assert!(quiet > 0.05, "{:.0} % of windows quiet", quiet * 100.0);
}

#[test]
fn queuing_cues_never_waits_for_the_voice_and_stale_counts_are_dropped() {
    use posecheck::speech::{Output, Voice};
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("counts.wav");
    let voice = Voice::start("en", Output::Wav(wav.clone())).expect("eSpeak NG");
    voice.say("Glute bridge: 15 reps.", None);
    let queued = Instant::now();
    for n in 1..=200 {
        voice.say(&n.to_string(), Some("rep"));
    }
    // 200 cues queued in far less than saying one takes (a word is some 0.3 s).
    assert!(
        queued.elapsed() < Duration::from_millis(100),
        "{:?}",
        queued.elapsed()
    );
    voice.finish().unwrap();
    let (samples, rate) = read_wav(&wav);
    let seconds = samples.len() as f64 / f64::from(rate);
    // The instruction and the latest counts only: 200 numbers said would take over a minute.
    assert!((1.0..20.0).contains(&seconds), "{seconds} s of speech");
}

#[test]
fn voice_options_are_checked() {
    let out = posecheck(["routine", "home_set", "--voice", "en;rm", "--headless"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("is not a voice") && err.trim().lines().count() == 1,
        "{err}"
    );
    let out = posecheck([
        "routine",
        "home_set",
        "--voice",
        "off",
        "--voice-wav",
        "x.wav",
        "--headless",
        "--no-history",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--voice-wav needs a voice"), "{err}");
}
