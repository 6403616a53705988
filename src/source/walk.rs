//! Expanding the user's paths into targets, in a deterministic order.

use std::path::PathBuf;

use walkdir::WalkDir;

use super::{SourceError, Target};

/// Expands each path in turn: `-` is stdin, a directory is walked (sorted by file name,
/// skipping `.git`, following symlinks with loop detection, keeping only regular files), and
/// anything else is a target as named. Errors come out in place, so the scan goes on.
pub fn targets(paths: &[PathBuf]) -> impl Iterator<Item = Result<Target, SourceError>> + '_ {
    paths
        .iter()
        .flat_map(|path| -> Box<dyn Iterator<Item = _>> {
            if path.as_os_str() == "-" || !path.is_dir() {
                return Box::new(std::iter::once(Ok(Target {
                    path: path.clone(),
                    explicit: true,
                })));
            }
            let walk = WalkDir::new(path)
                .follow_links(true)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| e.file_name() != ".git");
            Box::new(walk.filter_map(|entry| match entry {
                Ok(e) if e.file_type().is_file() => Some(Ok(Target {
                    path: e.into_path(),
                    explicit: false,
                })),
                Ok(_) => None,
                Err(err) => {
                    let at = err
                        .path()
                        .map(|p| p.to_path_buf())
                        .unwrap_or_else(|| PathBuf::from("?"));
                    let message = if err.loop_ancestor().is_some() {
                        "symbolic link loop; skipped".to_string()
                    } else if let Some(io) = err.io_error() {
                        io.to_string()
                    } else {
                        err.to_string()
                    };
                    Some(Err(SourceError::other(&at, message)))
                }
            }))
        })
}
