//! Per-frame signals as CSV, for spreadsheets: time, exercise, phase, faults on, and every
//! template's signals (`template.signal`; degrees for angles, body-relative units otherwise).
//! Written to a temporary file and moved into place when the session ends.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::Error;
use crate::exercise::Engine;
use crate::pose::Pose;
use crate::session::FrameSink;

pub struct CsvWriter {
    out: BufWriter<NamedTempFile>,
    path: PathBuf,
    columns: Vec<(String, String)>,
    /// Signals per template, in column order.
    counts: Vec<usize>,
}

impl CsvWriter {
    pub fn create(path: &Path, engine: &Engine) -> Result<CsvWriter, Error> {
        let tmp = crate::atomic::temp_beside(path)?;
        let columns: Vec<(String, String)> = engine
            .templates()
            .flat_map(|t| t.signals.iter().map(|s| (t.id.clone(), s.name.clone())))
            .collect();
        let counts = engine.templates().map(|t| t.signals.len()).collect();
        let mut w = CsvWriter {
            out: BufWriter::new(tmp),
            path: path.to_path_buf(),
            columns,
            counts,
        };
        let header: Vec<String> = ["t_s", "exercise", "phase", "faults"]
            .iter()
            .map(|s| s.to_string())
            .chain(w.columns.iter().map(|(t, s)| format!("{t}.{s}")))
            .collect();
        w.line(&header.join(","))?;
        Ok(w)
    }

    fn line(&mut self, text: &str) -> Result<(), Error> {
        writeln!(self.out, "{text}").map_err(|e| Error::io(&self.path, e))
    }

    /// Writes the engine's current frame.
    pub fn frame(&mut self, t: f64, engine: &Engine) -> Result<(), Error> {
        let fs = engine.frame_signals();
        let mut cells = vec![
            format!("{t:.3}"),
            fs.exercise.to_string(),
            fs.phase.name().to_string(),
            fs.faults.join(" "),
        ];
        for (values, &n) in fs.values.iter().zip(&self.counts) {
            cells.extend((0..n).map(|i| {
                values
                    .get(i)
                    .copied()
                    .flatten()
                    .map(|x| format!("{x:.3}"))
                    .unwrap_or_default()
            }));
        }
        self.line(&cells.join(","))
    }

    pub fn finish(self) -> Result<(), Error> {
        let tmp = self
            .out
            .into_inner()
            .map_err(|e| Error::io(&self.path, e.into_error()))?;
        crate::atomic::persist(tmp, &self.path)
    }
}

impl FrameSink for CsvWriter {
    fn frame(&mut self, t: f64, _raw: Option<&Pose>, engine: &Engine) -> Result<(), Error> {
        CsvWriter::frame(self, t, engine)
    }

    fn finish(self: Box<Self>) -> Result<(), Error> {
        CsvWriter::finish(*self)
    }
}
