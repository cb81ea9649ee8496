//! Spoken cues through eSpeak NG, the speech engine Debian packages as `espeak-ng`, run as a
//! program on a thread of its own: the video loop only queues text and never waits for the
//! voice. Counts and countdowns that are already stale when the voice is free again (a newer
//! one of the same kind is queued, or they waited too long) are dropped rather than said late.
//!
//! The program rather than the C library: no bindings to build or link, and a machine without
//! it still runs posecheck, with the cues on screen only.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::error::Error;

/// The speech program.
const ENGINE: &str = "espeak-ng";

/// A count or countdown older than this is no longer worth saying.
const STALE_AFTER: Duration = Duration::from_secs(3);

/// Words per minute: a little slower than eSpeak's default, heard from across a room.
const WORDS_PER_MINUTE: &str = "150";

/// Where the voice goes.
#[derive(Clone, Debug)]
pub enum Output {
    Speaker,
    /// Every cue into one WAV file (tests, demos, machines without sound).
    Wav(PathBuf),
}

/// A cue waiting to be said.
#[derive(Clone, Debug)]
struct Cue {
    text: String,
    /// Cues of a kind that a newer one of the same kind makes stale ("rep", "rest").
    kind: Option<&'static str>,
    queued: Instant,
}

/// Drops the cues that are stale now: superseded by a newer cue of their kind, or too old.
fn prune(queue: &mut VecDeque<Cue>, now: Instant) {
    let mut keep = VecDeque::with_capacity(queue.len());
    while let Some(cue) = queue.pop_front() {
        let superseded = cue.kind.is_some() && queue.iter().any(|later| later.kind == cue.kind);
        let old = cue.kind.is_some() && now.duration_since(cue.queued) > STALE_AFTER;
        if !superseded && !old {
            keep.push_back(cue);
        }
    }
    *queue = keep;
}

/// The voice: a queue and the thread that speaks it.
pub struct Voice {
    tx: Option<Sender<Cue>>,
    thread: Option<JoinHandle<Result<(), String>>>,
}

/// Whether the speech program is installed.
pub fn available() -> bool {
    Command::new(ENGINE)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The line said when there is no speech engine.
pub const MISSING: &str =
    "no speech engine found (install the espeak-ng package); the cues are shown on screen only";

impl Voice {
    /// Starts the voice `name` (an eSpeak NG voice such as `en`, `en-gb`, `en-us+f3`).
    pub fn start(name: &str, output: Output) -> Result<Voice, Error> {
        if !available() {
            return Err(Error::invalid(MISSING));
        }
        let (tx, rx) = mpsc::channel();
        let name = name.to_string();
        let thread = std::thread::Builder::new()
            .name("voice".into())
            .spawn(move || speak_all(&rx, &name, &output))
            .map_err(|e| Error::invalid(format!("cannot start the voice: {e}")))?;
        Ok(Voice {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// Queues `text`; returns at once. `kind` marks counts and countdowns that a newer one of
    /// the same kind makes stale.
    pub fn say(&self, text: &str, kind: Option<&'static str>) {
        if let Some(tx) = &self.tx {
            // The voice thread ends only with an error it reports at `finish`.
            let _ = tx.send(Cue {
                text: text.to_string(),
                kind,
                queued: Instant::now(),
            });
        }
    }

    /// Says what is still queued, then stops; a WAV output is written now.
    pub fn finish(mut self) -> Result<(), Error> {
        self.tx.take();
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(Err(e))) => Err(Error::invalid(format!("voice: {e}"))),
            Some(Err(_)) => Err(Error::invalid("voice: the speech thread failed")),
            _ => Ok(()),
        }
    }
}

impl Drop for Voice {
    fn drop(&mut self) {
        // Closing the queue ends the thread after the cue it is saying; not waited for.
        self.tx.take();
    }
}

fn speak_all(rx: &Receiver<Cue>, voice: &str, output: &Output) -> Result<(), String> {
    let mut queue = VecDeque::new();
    let mut pcm = Wav::default();
    loop {
        if queue.is_empty() {
            match rx.recv() {
                Ok(cue) => queue.push_back(cue),
                Err(_) => break,
            }
        }
        queue.extend(rx.try_iter());
        prune(&mut queue, Instant::now());
        let Some(cue) = queue.pop_front() else {
            continue;
        };
        match output {
            Output::Speaker => {
                // A cue that cannot be said is not worth stopping the session for.
                let _ = Command::new(ENGINE)
                    .args(["-v", voice, "-s", WORDS_PER_MINUTE, "--", &cue.text])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
            }
            Output::Wav(_) => pcm.append(&synthesize(voice, &cue.text)?)?,
        }
    }
    if let Output::Wav(path) = output {
        pcm.write(path)?;
    }
    Ok(())
}

/// The WAV eSpeak NG writes for `text`.
fn synthesize(voice: &str, text: &str) -> Result<Vec<u8>, String> {
    let out = Command::new(ENGINE)
        .args(["-v", voice, "-s", WORDS_PER_MINUTE, "--stdout", "--", text])
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("{ENGINE}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{ENGINE} failed on \"{text}\""));
    }
    Ok(out.stdout)
}

/// 16-bit mono PCM gathered from eSpeak's WAVs, with a short pause between cues.
#[derive(Default)]
struct Wav {
    rate: u32,
    samples: Vec<u8>,
}

impl Wav {
    fn append(&mut self, wav: &[u8]) -> Result<(), String> {
        let bad = || "the speech engine wrote an unexpected WAV".to_string();
        if wav.len() < 44 || &wav[0..4] != b"RIFF" || &wav[8..12] != b"WAVE" {
            return Err(bad());
        }
        let rate = u32::from_le_bytes(wav[24..28].try_into().map_err(|_| bad())?);
        if self.rate != 0 && rate != self.rate {
            return Err(bad());
        }
        self.rate = rate;
        // eSpeak streams to stdout without knowing the length: the data is all after the
        // 44-byte header, whatever the header's sizes say.
        self.samples.extend_from_slice(&wav[44..]);
        let pause = (rate / 5) as usize * 2;
        self.samples.extend(std::iter::repeat_n(0, pause));
        Ok(())
    }

    fn write(&self, path: &Path) -> Result<(), String> {
        let rate = if self.rate == 0 { 22_050 } else { self.rate };
        let data = self.samples.len() as u32;
        let mut out = Vec::with_capacity(44 + self.samples.len());
        out.extend_from_slice(b"RIFF");
        out.extend_from_slice(&(36 + data).to_le_bytes());
        out.extend_from_slice(b"WAVEfmt ");
        out.extend_from_slice(&16u32.to_le_bytes());
        out.extend_from_slice(&1u16.to_le_bytes()); // PCM
        out.extend_from_slice(&1u16.to_le_bytes()); // mono
        out.extend_from_slice(&rate.to_le_bytes());
        out.extend_from_slice(&(rate * 2).to_le_bytes());
        out.extend_from_slice(&2u16.to_le_bytes());
        out.extend_from_slice(&16u16.to_le_bytes());
        out.extend_from_slice(b"data");
        out.extend_from_slice(&data.to_le_bytes());
        out.extend_from_slice(&self.samples);
        posecheck_core::atomic::write(path, &out).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cue(text: &str, kind: Option<&'static str>, queued: Instant) -> Cue {
        Cue {
            text: text.into(),
            kind,
            queued,
        }
    }

    #[test]
    fn stale_counts_are_dropped_and_instructions_kept() {
        let now = Instant::now();
        let old = now - Duration::from_secs(10);
        let mut q: VecDeque<Cue> = [
            cue("Glute bridge: 15 reps", None, old),
            cue("3", Some("rep"), now),
            cue("Rest, 9", Some("rest"), old),
            cue("Lift your hips higher", None, now),
            cue("4", Some("rep"), now),
        ]
        .into();
        prune(&mut q, now);
        let left: Vec<&str> = q.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            left,
            ["Glute bridge: 15 reps", "Lift your hips higher", "4"]
        );
    }
}
