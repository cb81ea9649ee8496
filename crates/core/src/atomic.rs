//! Output files that appear whole or not at all: each is written to a temporary file beside
//! its final name and renamed into place, so an interrupted run never leaves half a file.

use std::fs::Permissions;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use tempfile::NamedTempFile;

use crate::error::Error;

/// A temporary file in `path`'s directory, readable by others once in place (like any file
/// the user writes).
pub fn temp_beside(path: &Path) -> Result<NamedTempFile, Error> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if path.is_dir() {
        return Err(Error::input(path, "is a directory; give a file name"));
    }
    if !dir.is_dir() {
        return Err(Error::input(
            path,
            format!(
                "cannot write: the directory {} does not exist",
                dir.display()
            ),
        ));
    }
    tempfile::Builder::new()
        .prefix(".posecheck-")
        .permissions(Permissions::from_mode(0o644))
        .tempfile_in(dir)
        .map_err(|e| {
            Error::input(
                path,
                format!("cannot write in {}: {}", dir.display(), e.kind()),
            )
        })
}

/// Moves a finished temporary file to `path`.
pub fn persist(file: NamedTempFile, path: &Path) -> Result<(), Error> {
    file.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    file.persist(path)
        .map_err(|e| Error::input(path, format!("cannot write: {}", e.error)))?;
    Ok(())
}

/// Writes `bytes` to `path` atomically.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut tmp = temp_beside(path)?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    persist(tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replace_the_file_and_leave_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        write(&path, b"one").unwrap();
        write(&path, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o044, 0o044, "readable by others: {mode:o}");
    }

    #[test]
    fn a_missing_directory_is_a_clear_error() {
        let e = write(Path::new("/nonexistent-dir/x/r.json"), b"x").unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
    }
}
