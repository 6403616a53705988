//! Expanding the user's paths into targets, in a deterministic order.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::{display_path, SkipReason, SourceError, Target};

/// What expanding the user's paths yields, in order.
#[derive(Debug)]
pub enum Walked {
    /// An input to open.
    Target(Target),
    /// An input that is not scanned, and why.
    Skipped {
        path: String,
        reason: SkipReason,
    },
    /// A remark about an input (a file named twice is scanned once).
    Note {
        path: String,
        message: String,
    },
    Error(SourceError),
}

/// The inputs of `paths` ([`targets`]), each file once by identity ([`Seen`]), leaving out the
/// files `exclude` names (the run's own output).
pub fn inputs<'a>(paths: &'a [PathBuf], exclude: &[PathBuf]) -> impl Iterator<Item = Walked> + 'a {
    let mut seen = Seen::default();
    let excluded = Excluded::new(exclude);
    targets(paths).map(move |target| match target {
        Ok(target) if target.is_stdin() => Walked::Target(target),
        Ok(target) if excluded.contains(&target.path) => Walked::Skipped {
            path: display_path(&target.path),
            reason: SkipReason::Excluded("the output file of this run"),
        },
        Ok(target) => match seen.repeat_of(&target.path) {
            None => Walked::Target(target),
            Some(first) => {
                let message = if target.path == first {
                    "named more than once; scanned once".to_string()
                } else {
                    format!("the same file as {}; scanned once", display_path(&first))
                };
                Walked::Note {
                    path: display_path(&target.path),
                    message,
                }
            }
        },
        Err(e) => Walked::Error(e),
    })
}

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

/// The files handed out so far, by identity: a file named twice, named and also found in a
/// named folder, or reached again through a symbolic link is scanned once, so that what a scan
/// counts (people exposed, findings over a gate's threshold) is not counted twice.
#[derive(Default)]
pub struct Seen(HashMap<FileId, PathBuf>);

#[cfg(unix)]
type FileId = (u64, u64);
#[cfg(not(unix))]
type FileId = PathBuf;

impl Seen {
    /// The path under which the file at `path` was seen before, if it was; records it
    /// otherwise. A path that cannot be looked at is never a repeat (opening it will say why).
    pub fn repeat_of(&mut self, path: &Path) -> Option<PathBuf> {
        let id = file_id(path)?;
        match self.0.entry(id) {
            std::collections::hash_map::Entry::Occupied(first) => Some(first.get().clone()),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(path.to_path_buf());
                None
            }
        }
    }
}

/// Files a scan must not read, by identity: the run's own output file (`-o`), which can lie in
/// a folder being scanned, or be created under a name the user also gave as an input.
#[derive(Debug, Default)]
pub struct Excluded(Vec<FileId>);

impl Excluded {
    /// The files at `paths` that exist now; the others cannot be met by a walk.
    pub fn new(paths: &[PathBuf]) -> Excluded {
        Excluded(paths.iter().filter_map(|p| file_id(p)).collect())
    }

    pub fn contains(&self, path: &Path) -> bool {
        !self.0.is_empty() && file_id(path).is_some_and(|id| self.0.contains(&id))
    }
}

/// Whether `a` and `b` name the same existing file (after symbolic links).
pub fn same_file(a: &Path, b: &Path) -> bool {
    matches!((file_id(a), file_id(b)), (Some(x), Some(y)) if x == y)
}

#[cfg(unix)]
fn file_id(path: &Path) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(path: &Path) -> Option<FileId> {
    std::fs::canonicalize(path).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_seen_once_by_any_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.ndjson");
        std::fs::write(&file, "{}\n").unwrap();
        let mut seen = Seen::default();
        assert_eq!(seen.repeat_of(&file), None);
        assert_eq!(seen.repeat_of(&file), Some(file.clone()));
        let dotted = dir.path().join(".").join("a.ndjson");
        assert_eq!(seen.repeat_of(&dotted), Some(file.clone()));
        #[cfg(unix)]
        {
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(&file, &link).unwrap();
            assert_eq!(seen.repeat_of(&link), Some(file.clone()));
        }
        assert_eq!(seen.repeat_of(&dir.path().join("missing")), None);
        assert_eq!(seen.repeat_of(&dir.path().join("missing")), None);
    }

    #[test]
    fn excluded_files_are_known_by_any_name() {
        let dir = tempfile::tempdir().unwrap();
        let (out, other) = (dir.path().join("out.jsonl"), dir.path().join("b"));
        std::fs::write(&out, "").unwrap();
        std::fs::write(&other, "").unwrap();
        let excluded = Excluded::new(&[out.clone(), dir.path().join("missing")]);
        assert!(excluded.contains(&dir.path().join(".").join("out.jsonl")));
        assert!(!excluded.contains(&other));
        assert!(!Excluded::default().contains(&out));
        assert!(same_file(&out, &dir.path().join(".").join("out.jsonl")));
        assert!(!same_file(&out, &other));
        assert!(!same_file(
            &dir.path().join("missing"),
            &dir.path().join("missing")
        ));
    }
}
