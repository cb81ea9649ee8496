//! Terminal progress: a bar with frames/s for video files, silent when output is not a
//! terminal (pipes, CI logs) so scripts see only results.

use std::io::IsTerminal;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Progress for one or more inputs processed in turn.
pub struct Progress {
    multi: MultiProgress,
    overall: Option<ProgressBar>,
    enabled: bool,
}

impl Progress {
    /// `inputs` is the number of files; an overall bar appears when there are several.
    pub fn new(inputs: usize, quiet: bool) -> Progress {
        let enabled = !quiet && std::io::stdout().is_terminal() && std::io::stderr().is_terminal();
        let multi = MultiProgress::with_draw_target(if enabled {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        });
        let overall = (inputs > 1).then(|| {
            let bar = multi.add(ProgressBar::new(inputs as u64));
            bar.set_style(
                ProgressStyle::with_template("{prefix:>8} [{bar:30}] {pos}/{len} files")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_prefix("overall");
            bar
        });
        Progress {
            multi,
            overall,
            enabled,
        }
    }

    /// A bar for one file of `frames` frames (0 = unknown length).
    pub fn file(&self, name: &str, frames: u64) -> ProgressBar {
        let bar = self.multi.add(if frames > 0 {
            ProgressBar::new(frames)
        } else {
            ProgressBar::new_spinner()
        });
        let template = if frames > 0 {
            "{prefix:>8} [{bar:30}] {pos}/{len} frames {per_sec} eta {eta}"
        } else {
            "{prefix:>8} {spinner} {pos} frames {per_sec}"
        };
        bar.set_style(
            ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_prefix(short_name(name));
        bar
    }

    /// Marks one file done.
    pub fn file_done(&self, bar: ProgressBar) {
        bar.finish_and_clear();
        if let Some(o) = &self.overall {
            o.inc(1);
        }
    }

    /// Prints a line above the bars (or plainly when there are none).
    pub fn println(&self, line: &str) {
        if self.enabled {
            let _ = self.multi.println(line);
        } else {
            eprintln!("{line}");
        }
    }

    pub fn finish(&self) {
        if let Some(o) = &self.overall {
            o.finish_and_clear();
        }
    }
}

fn short_name(name: &str) -> String {
    let base = std::path::Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| name.to_string());
    if base.chars().count() > 16 {
        base.chars().take(15).chain(['…']).collect()
    } else {
        base
    }
}
