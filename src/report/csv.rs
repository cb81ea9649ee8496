//! Per-frame signals as CSV, for spreadsheets: time, exercise, phase, faults on, and every
//! template's signals (`template.signal`; degrees for angles, body-relative units otherwise).
//! Written to a temporary file and moved into place when the session ends.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::Error;
use crate::exercise::Engine;

pub struct CsvWriter {
    out: BufWriter<NamedTempFile>,
    path: PathBuf,
    columns: Vec<(String, String)>,
}

impl CsvWriter {
    pub fn create(path: &Path, engine: &Engine) -> Result<CsvWriter, Error> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".posecheck-")
            .tempfile_in(dir)
            .map_err(|e| Error::input(path, format!("cannot write here: {e}")))?;
        let columns: Vec<(String, String)> = engine
            .templates()
            .flat_map(|t| t.signals.iter().map(|s| (t.id.clone(), s.name.clone())))
            .collect();
        let mut w = CsvWriter {
            out: BufWriter::new(tmp),
            path: path.to_path_buf(),
            columns,
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
        let mut cells = vec![format!("{t:.3}")];
        match engine.frame_signals() {
            Some(fs) => {
                cells.push(fs.exercise.to_string());
                cells.push(fs.phase.name().to_string());
                cells.push(fs.faults.join(" "));
                for (tpl, sig) in &self.columns {
                    let v = (tpl == fs.exercise)
                        .then(|| fs.names.iter().position(|n| n == sig))
                        .flatten()
                        .and_then(|i| fs.values.get(i).copied().flatten());
                    cells.push(v.map(|x| format!("{x:.3}")).unwrap_or_default());
                }
            }
            None => cells.extend(std::iter::repeat_n(String::new(), 3 + self.columns.len())),
        }
        self.line(&cells.join(","))
    }

    pub fn finish(self) -> Result<(), Error> {
        let tmp = self
            .out
            .into_inner()
            .map_err(|e| Error::io(&self.path, e.into_error()))?;
        tmp.persist(&self.path)
            .map_err(|e| Error::input(&self.path, format!("cannot write: {}", e.error)))?;
        Ok(())
    }
}
