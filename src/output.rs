//! Where a run writes: standard output, or a file written safely.
//!
//! A file output is written to a new temporary file beside its destination (created with
//! `O_EXCL`, never through a planted link, by the `tempfile` crate) and renamed over it only
//! when the report is complete, so a failed run leaves what was there, and nothing is ever
//! written through a symbolic link someone else placed. Before anything is scanned, an output
//! that would replace an input (named as one, or lying in a folder being scanned, by whatever
//! path or link) is refused: it would destroy the input and pass a gate on what is left.
//! Outputs that hold raw values (`--show-values`) or anything derived from them are created
//! readable by their owner only; others get the usual permissions (0666 less the umask).
//!
//! A destination that is a symbolic link is resolved here, so that the link stays and its
//! target is replaced; a link that another user planted in a shared sticky folder (`/tmp`) is
//! refused rather than followed, as the kernel's `protected_symlinks` would refuse it.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::source::display_path;
use crate::source::walk;

/// An output that cannot be written. The message names the path and what to do.
#[derive(Debug, Error)]
pub enum OutputError {
    #[error("{output} is also an input{also}; choose another output file")]
    ReplacesInput { output: String, also: String },
    #[error(
        "{0} is a folder, device or FIFO, not a file; write to a file, or to `-` for standard \
         output"
    )]
    NotAFile(String),
    #[error(
        "{0} is a symbolic link that another user placed in a shared folder (sticky and \
         writable by all, like /tmp); it is not followed: write to a path of your own"
    )]
    PlantedLink(String),
    #[error("cannot create a file beside {path}: {source}")]
    Create {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: io::Error,
    },
}

/// Who may read an output file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Readers {
    /// The usual permissions (0666 less the umask): masked values only.
    Usual,
    /// The owner alone (0600): raw values, or fingerprints that can be brute-forced.
    OwnerOnly,
}

/// Where a run writes its output.
pub enum Output {
    Stdout(io::StdoutLock<'static>),
    File {
        destination: PathBuf,
        temporary: tempfile::NamedTempFile,
    },
}

impl Output {
    /// Standard output for `None` or `-`, else a temporary file beside `path`, refused when
    /// `path` names one of `inputs` or a file in one of them.
    pub fn create(
        path: Option<&Path>,
        inputs: &[PathBuf],
        readers: Readers,
    ) -> Result<Output, OutputError> {
        let Some(path) = path.filter(|p| p.as_os_str() != "-") else {
            return Ok(Output::Stdout(io::stdout().lock()));
        };
        refuse_input(path, inputs)?;
        let destination = destination(path)?;
        let dir = destination
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = destination
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = match readers {
                Readers::Usual => 0o666,
                Readers::OwnerOnly => 0o600,
            };
            builder.permissions(std::fs::Permissions::from_mode(mode));
        }
        let temporary = builder
            .tempfile_in(dir)
            .map_err(|source| OutputError::Create {
                path: display_path(&destination),
                source,
            })?;
        Ok(Output::File {
            destination,
            temporary,
        })
    }

    /// The file being written, which a scan must not read (see
    /// [`crate::engine::Config::exclude`]).
    pub fn temporary_path(&self) -> Option<&Path> {
        match self {
            Output::Stdout(_) => None,
            Output::File { temporary, .. } => Some(temporary.path()),
        }
    }

    /// Puts the written file in place: renamed over its destination, which keeps the link
    /// when the destination was reached through one (its target is replaced).
    pub fn commit(self) -> Result<(), OutputError> {
        match self {
            Output::Stdout(mut out) => match out.flush() {
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(OutputError::Write {
                    path: "standard output".into(),
                    source: e,
                }),
                _ => Ok(()),
            },
            Output::File {
                destination,
                temporary,
            } => {
                let fail = |source| OutputError::Write {
                    path: display_path(&destination),
                    source,
                };
                temporary.as_file().sync_all().map_err(fail)?;
                temporary
                    .persist(&destination)
                    .map(drop)
                    .map_err(|e| fail(e.error))
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(out) => out.write(buf),
            Output::File { temporary, .. } => temporary.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Output::Stdout(out) => out.write_all(buf),
            Output::File { temporary, .. } => temporary.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(out) => out.flush(),
            Output::File { temporary, .. } => temporary.flush(),
        }
    }
}

/// The file `path` leads to, following its symbolic links (which need not lead to a file
/// that exists yet). What exists must be a regular file: a report is renamed into place,
/// which a device or FIFO would not survive, and `/dev/stdout` is standard output, not a
/// file to replace.
pub fn destination(path: &Path) -> Result<PathBuf, OutputError> {
    let display = display_path(path);
    let mut destination = path.to_path_buf();
    for _ in 0..40 {
        if destination.starts_with("/dev") || destination.starts_with("/proc") {
            return Err(OutputError::NotAFile(display));
        }
        match std::fs::symlink_metadata(&destination) {
            Ok(meta) if meta.file_type().is_symlink() => {
                if planted(&destination, &meta) {
                    return Err(OutputError::PlantedLink(display_path(&destination)));
                }
                let target =
                    std::fs::read_link(&destination).map_err(|source| OutputError::Create {
                        path: display.clone(),
                        source,
                    })?;
                let parent = destination.parent().unwrap_or(Path::new(""));
                destination = parent.join(target);
            }
            Ok(meta) if meta.is_file() => return Ok(destination),
            Ok(_) => return Err(OutputError::NotAFile(display)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(destination),
            Err(source) => {
                return Err(OutputError::Create {
                    path: display,
                    source,
                })
            }
        }
    }
    Err(OutputError::Create {
        path: display,
        source: io::Error::other("too many levels of symbolic links"),
    })
}

/// Whether following the symbolic link `link` (whose own metadata is `meta`) would let
/// another user choose what is written: the link lies in a sticky folder that everyone may
/// write (`/tmp`), and neither we nor the folder's owner made it. This is the kernel's
/// `fs.protected_symlinks` rule, which a link resolved by hand (as [`destination`] does, to
/// keep it) would otherwise bypass: without it, a link planted in `/tmp` under the name of a
/// report someone is about to write would replace a file of theirs elsewhere.
#[cfg(unix)]
fn planted(link: &Path, meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    let folder = link
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Ok(folder) = std::fs::metadata(folder) else {
        return false;
    };
    let shared = folder.mode() & 0o1002 == 0o1002;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    shared && meta.uid() != me && meta.uid() != folder.uid()
}

#[cfg(not(unix))]
fn planted(_link: &Path, _meta: &std::fs::Metadata) -> bool {
    false
}

/// Refuses an output that would replace an input: one named as an input, or a file in a
/// folder being scanned, by whatever name or link leads to it.
pub fn refuse_input(output: &Path, inputs: &[PathBuf]) -> Result<(), OutputError> {
    if std::fs::metadata(output).is_err() {
        // Nothing there yet: nothing to destroy, and the walk will not meet it.
        return Ok(());
    }
    let replaced = walk::targets(inputs)
        .flatten()
        .filter(|t| !t.is_stdin())
        .find(|t| t.file().is_some_and(|f| walk::same_file(output, f)));
    match replaced {
        Some(input) => {
            let (output, input) = (display_path(output), display_path(&input.path));
            let also = if output == input {
                String::new()
            } else {
                format!(" (as {input})")
            };
            Err(OutputError::ReplacesInput { output, also })
        }
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_that_would_replace_an_input_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let exports = dir.path().join("exports");
        std::fs::create_dir(&exports).unwrap();
        let inside = exports.join("events.ndjson");
        std::fs::write(&inside, "{}\n").unwrap();
        let inputs = [exports.clone()];
        // By its own name, through `..`, and through a link.
        let dotted = exports.join("..").join("exports").join("events.ndjson");
        #[cfg(unix)]
        {
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(&inside, &link).unwrap();
            assert!(refuse_input(&link, &inputs).is_err());
        }
        assert!(refuse_input(&inside, &inputs).is_err());
        assert!(refuse_input(&dotted, &inputs).is_err());
        assert!(refuse_input(&inside, std::slice::from_ref(&inside)).is_err());
        // A file that does not exist yet, or lies elsewhere, is fine.
        assert!(refuse_input(&exports.join("new.json"), &inputs).is_ok());
        let elsewhere = dir.path().join("report.json");
        std::fs::write(&elsewhere, "").unwrap();
        assert!(refuse_input(&elsewhere, &inputs).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn private_outputs_are_owner_only_and_land_whole() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        std::fs::write(&path, "old").unwrap();
        let mut out = Output::create(Some(&path), &[], Readers::OwnerOnly).unwrap();
        out.write_all(b"new").unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"old",
            "not replaced before commit"
        );
        let temporary = out.temporary_path().unwrap().to_path_buf();
        out.commit().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert!(!temporary.exists());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
