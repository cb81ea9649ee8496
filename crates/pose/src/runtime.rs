//! ONNX Runtime: finding the shared library, starting the one environment, opening sessions.
//!
//! The library is loaded at run time (`ort`'s `load-dynamic`), so a missing or wrong library is
//! an error we can explain instead of a panic. Users never export variables: the library is
//! looked for where the set-up script puts it, next to the executable, and in system paths.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ort::environment::Environment;
use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;

use crate::error::Error;

/// The ONNX Runtime release the set-up script installs (from the PyPI CPU wheel).
pub const ORT_VERSION: &str = "1.31.1";
const LIB_NAME: &str = "libonnxruntime.so";

static ENVIRONMENT: OnceLock<Environment> = OnceLock::new();

/// Places the library is looked for, most specific first.
pub fn candidate_paths(explicit: Option<&Path>) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    if let Some(p) = explicit {
        paths.push(p.to_path_buf());
        return paths;
    }
    for var in ["POSECHECK_ORT_LIB", "ORT_DYLIB_PATH"] {
        if let Some(v) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            paths.push(PathBuf::from(v));
        }
    }
    let wheel_lib = format!(".ort/onnxruntime/capi/{LIB_NAME}.{ORT_VERSION}");
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        paths.push(dir.join(LIB_NAME));
        // target/{release,debug}[/deps] inside a checkout: the project's set-up location.
        for up in dir.ancestors().skip(1).take(3) {
            paths.push(up.join(&wheel_lib));
        }
    }
    paths.push(Path::new(crate::CHECKOUT).join(&wheel_lib));
    for dir in ["/usr/local/lib", "/usr/lib", "/usr/lib/x86_64-linux-gnu"] {
        paths.push(Path::new(dir).join(LIB_NAME));
    }
    paths
}

/// Loads ONNX Runtime once per process and returns its environment.
pub fn init(explicit: Option<&Path>) -> Result<&'static Environment, Error> {
    if let Some(env) = ENVIRONMENT.get() {
        return Ok(env);
    }
    let candidates = candidate_paths(explicit);
    let found = candidates.iter().find(|p| p.is_file()).ok_or_else(|| {
        Error::Runtime(format!(
            "library not found (looked for {}); run ./run.sh setup, or pass --ort-lib PATH",
            candidates
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    let builder = ort::init_from(found).map_err(|e| {
        Error::Runtime(format!(
            "cannot load {}: {e}; ./run.sh setup installs onnxruntime {ORT_VERSION}",
            found.display()
        ))
    })?;
    let env = builder
        .with_name("posecheck")
        .build()
        .map_err(|e| Error::Runtime(e.to_string()))?;
    Ok(ENVIRONMENT.get_or_init(|| env))
}

/// The cores this process may use, looked up once (the lookup reads cgroup files, and the
/// crop asks for every frame).
pub fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Threads for one inference session: `requested`, or one per core; never more than the
/// cores (ONNX Runtime would start them all, and a thread per core is already its fastest).
pub fn thread_count(requested: usize) -> usize {
    if requested > 0 {
        requested.min(cores())
    } else {
        cores()
    }
}

/// Opens a model file as a CPU session with `threads` intra-op threads.
pub fn open_session(path: &Path, threads: usize) -> Result<Session, Error> {
    let env = ENVIRONMENT
        .get()
        .ok_or_else(|| Error::Runtime("not initialised".into()))?;
    if !path.is_file() {
        return Err(Error::model(
            path,
            "file not found; pass --models-dir DIR (the models ship in the repository's models/)",
        ));
    }
    let fail = |e: ort::Error| Error::model(path, format!("cannot load: {e}"));
    Session::builder(env)
        .map_err(fail)?
        .with_optimization_level(GraphOptimizationLevel::All)
        .map_err(|e| fail(e.into()))?
        .with_intra_threads(thread_count(threads))
        .map_err(|e| fail(e.into()))?
        // Spinning worker threads steal the only other core from video decoding.
        .with_intra_op_spinning(false)
        .map_err(|e| fail(e.into()))?
        .commit_from_file(path)
        .map_err(fail)
}

/// A model run alone on a fixed input: no decoding, cropping or analysis. The limit any
/// pipeline around it can reach, for benchmarks.
pub struct ModelOnly {
    session: Session,
    input: ndarray::Array4<f32>,
}

impl ModelOnly {
    /// Opens a square-input NHWC model (its input size read from the file) and warms it up.
    pub fn open(path: &Path, threads: usize) -> Result<ModelOnly, Error> {
        let session = open_session(path, threads)?;
        let side = session
            .inputs()
            .first()
            .and_then(|i| {
                i.dtype()
                    .tensor_shape()
                    .map(|s| s.iter().copied().collect::<Vec<_>>())
            })
            .and_then(|s| s.get(1).copied())
            .filter(|&n| n > 0)
            .ok_or_else(|| Error::model(path, "input size unknown"))? as usize;
        let mut probe = ModelOnly {
            session,
            input: ndarray::Array4::from_elem((1, side, side, 3), 0.5),
        };
        probe.runs_per_second(20)?;
        Ok(probe)
    }

    /// Runs the model `runs` times; returns runs per second.
    pub fn runs_per_second(&mut self, runs: usize) -> Result<f64, Error> {
        let fail = |e: ort::Error| Error::Runtime(e.to_string());
        let start = std::time::Instant::now();
        for _ in 0..runs {
            let input = ort::value::TensorRef::from_array_view(&self.input).map_err(fail)?;
            self.session.run(ort::inputs![input]).map_err(fail)?;
        }
        Ok(runs as f64 / start.elapsed().as_secs_f64())
    }
}

/// Checks that the session's first input is a float tensor of `expected` shape (-1 = any).
pub fn check_input(session: &Session, path: &Path, expected: &[i64]) -> Result<String, Error> {
    let input = session
        .inputs()
        .first()
        .ok_or_else(|| Error::model(path, "has no inputs"))?;
    let shape = input
        .dtype()
        .tensor_shape()
        .map(|s| s.iter().copied().collect::<Vec<i64>>())
        .unwrap_or_default();
    let fits = shape.len() == expected.len()
        && shape
            .iter()
            .zip(expected)
            .all(|(a, b)| *a == *b || *a < 0 || *b < 0);
    if !fits {
        return Err(Error::model(
            path,
            format!(
                "input shape {shape:?} does not match the expected {expected:?}; is this the right model?"
            ),
        ));
    }
    Ok(input.name().to_string())
}

/// Checks that the session has an output called `name`.
pub fn check_output(session: &Session, path: &Path, name: &str) -> Result<(), Error> {
    if session.outputs().iter().any(|o| o.name() == name) {
        Ok(())
    } else {
        Err(Error::model(
            path,
            format!("has no output '{name}'; is this the right model?"),
        ))
    }
}
