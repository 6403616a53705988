//! Expanding the user's paths into targets, in a deterministic order.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use walkdir::WalkDir;

use super::objects;
use super::shard::Shard;
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

/// The inputs of `paths` ([`walk`]), each file once by identity ([`Seen`]), leaving out the
/// files `exclude` names (the run's own output), and symbolic links that lead out of the paths
/// named unless `follow`. With a `shard`, only the files in it (see [`super::shard`]); the
/// others are left out without a word.
pub fn inputs<'a>(
    paths: &'a [PathBuf],
    exclude: &[PathBuf],
    follow: bool,
    shard: Option<Shard>,
) -> impl Iterator<Item = Walked> + 'a {
    let mut seen = Seen::default();
    let excluded = Excluded::new(exclude);
    let dirs: Vec<PathBuf> = match shard {
        Some(_) => paths.iter().filter(|p| p.is_dir()).cloned().collect(),
        None => Vec::new(),
    };
    // An object is sharded by its name below the prefix named, as a file below its folder.
    let in_shard = move |target: &Target| match (shard, &target.object) {
        (Some(shard), Some(object)) => shard.holds(Path::new(&object.relative)),
        (Some(shard), None) if !target.is_stdin() => {
            shard.holds(&Shard::relative(&target.path, &dirs))
        }
        _ => true,
    };
    // Objects by their URL, as files by identity.
    let mut urls = std::collections::HashSet::new();
    walk(paths, follow)
        .filter_map(move |walked| match walked {
            Walked::Target(target) if !in_shard(&target) => None,
            walked => Some(walked),
        })
        .map(move |walked| match walked {
            Walked::Target(target) if target.is_stdin() => Walked::Target(target),
            Walked::Target(target) if target.file().is_some_and(|f| excluded.contains(f)) => {
                Walked::Skipped {
                    path: display_path(&target.path),
                    reason: SkipReason::Excluded("the output file of this run"),
                }
            }
            Walked::Target(target) if target.object.is_some() => {
                if urls.insert(target.path.clone()) {
                    Walked::Target(target)
                } else {
                    Walked::Note {
                        path: display_path(&target.path),
                        message: "named more than once; scanned once".to_string(),
                    }
                }
            }
            Walked::Target(target) => match seen.repeat_of(&target.path) {
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
            other => other,
        })
}

/// Every file of `paths`, following every symbolic link ([`walk`] with `follow`): what an
/// output must not replace, whatever path reaches it.
pub fn targets(paths: &[PathBuf]) -> impl Iterator<Item = Result<Target, SourceError>> + '_ {
    walk(paths, true).filter_map(|walked| match walked {
        Walked::Target(target) => Some(Ok(target)),
        Walked::Error(e) => Some(Err(e)),
        Walked::Skipped { .. } | Walked::Note { .. } => None,
    })
}

/// Expands each path in turn: `-` is stdin, a directory is walked (sorted by file name,
/// skipping `.git`, following symlinks with loop detection, keeping only regular files), and
/// anything else is a target as named. Errors come out in place, so the scan goes on.
///
/// A symbolic link met in a folder is followed only while it leads into one of the paths
/// named (`latest -> 2025-11-30/` inside an export), unless `follow`: a link out of them
/// (`-> /etc/shadow`) is not an input the user named, and a scan of a folder must not read
/// the rest of the machine. It comes out as [`Walked::Skipped`] with its target, in its place
/// in the walk. Links named on the command line are the user's own choice and are followed.
pub fn walk(paths: &[PathBuf], follow: bool) -> impl Iterator<Item = Walked> + '_ {
    let roots: Rc<Roots> = Rc::new(if follow {
        Roots::default()
    } else {
        Roots::new(paths)
    });
    paths
        .iter()
        .flat_map(move |path| -> Box<dyn Iterator<Item = Walked>> {
            if objects::is_url(path) {
                return Box::new(objects::walk(path, follow).into_iter());
            }
            if path.as_os_str() == "-" || !path.is_dir() {
                return Box::new(std::iter::once(Walked::Target(Target {
                    path: path.clone(),
                    explicit: true,
                    object: None,
                })));
            }
            // Links pruned by the filter, handed out before the entry the walk yields next
            // (they come before it in the walk's order).
            let pruned: Rc<RefCell<VecDeque<Walked>>> = Rc::default();
            let mut walk = {
                let (roots, pruned) = (Rc::clone(&roots), Rc::clone(&pruned));
                WalkDir::new(path)
                    .follow_links(true)
                    .sort_by_file_name()
                    .into_iter()
                    .filter_entry(move |e| {
                        if e.file_name() == ".git" {
                            return false;
                        }
                        if follow || !e.path_is_symlink() {
                            return true;
                        }
                        match roots.outside(e.path()) {
                            None => true,
                            Some(target) => {
                                pruned.borrow_mut().push_back(Walked::Skipped {
                                    path: display_path(e.path()),
                                    reason: SkipReason::LinkOutside(display_path(&target)),
                                });
                                false
                            }
                        }
                    })
            };
            let mut held: Option<Walked> = None;
            Box::new(std::iter::from_fn(move || loop {
                if let Some(link) = pruned.borrow_mut().pop_front() {
                    return Some(link);
                }
                if let Some(walked) = held.take() {
                    return Some(walked);
                }
                held = match walk.next() {
                    None => return pruned.borrow_mut().pop_front(),
                    Some(Ok(e)) if e.file_type().is_file() => Some(Walked::Target(Target {
                        path: e.into_path(),
                        explicit: false,
                        object: None,
                    })),
                    Some(Ok(_)) => None,
                    Some(Err(err)) => {
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
                        Some(Walked::Error(SourceError::other(&at, message)))
                    }
                };
            }))
        })
}

/// The paths named, resolved: where a link met in a walk may lead.
#[derive(Default)]
struct Roots(Vec<PathBuf>);

impl Roots {
    fn new(paths: &[PathBuf]) -> Roots {
        Roots(
            paths
                .iter()
                .filter(|p| p.as_os_str() != "-")
                .filter_map(|p| std::fs::canonicalize(p).ok())
                .collect(),
        )
    }

    /// Where the link at `link` leads when that is outside every root (a folder named, or a
    /// file named); `None` inside, or when it leads nowhere (the walk reports that).
    fn outside(&self, link: &Path) -> Option<PathBuf> {
        let target = std::fs::canonicalize(link).ok()?;
        (!self.0.iter().any(|root| target.starts_with(root))).then_some(target)
    }
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

    /// What a walk of `root` yields, as (path below `dir`, "file" or the skip's reason).
    #[cfg(unix)]
    fn walked(dir: &Path, root: &Path, follow: bool) -> Vec<(String, String)> {
        walk(&[root.to_path_buf()], follow)
            .map(|w| match w {
                Walked::Target(t) => (t.path, "file".to_string()),
                Walked::Skipped { path, reason } => (PathBuf::from(path), reason.to_string()),
                other => panic!("{other:?}"),
            })
            .map(|(p, what)| {
                let below = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                (below, what)
            })
            .collect()
    }

    /// Links that stay inside the paths named are followed, in walk order; links out of them
    /// are skipped with their target, unless `follow`.
    #[cfg(unix)]
    #[test]
    fn links_out_of_the_roots_are_not_followed() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let dir = &dir.path().canonicalize().unwrap();
        let (root, outside) = (dir.join("root"), dir.join("outside"));
        std::fs::create_dir_all(root.join("day")).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(root.join("day/a.log"), "a").unwrap();
        std::fs::write(outside.join("secret"), "s").unwrap();
        symlink(root.join("day"), root.join("latest")).unwrap();
        symlink(outside.join("secret"), root.join("b-out")).unwrap();
        symlink(&outside, root.join("c-dir-out")).unwrap();
        symlink("../root/day/a.log", root.join("d-in")).unwrap();
        let reason = |to: &str| SkipReason::LinkOutside(display_path(&dir.join(to))).to_string();
        let file = || "file".to_string();
        assert_eq!(
            walked(dir, &root, false),
            [
                ("root/b-out".to_string(), reason("outside/secret")),
                ("root/c-dir-out".to_string(), reason("outside")),
                ("root/d-in".to_string(), file()),
                ("root/day/a.log".to_string(), file()),
                ("root/latest/a.log".to_string(), file()),
            ]
        );
        assert_eq!(
            walked(dir, &root, true),
            [
                ("root/b-out".to_string(), file()),
                ("root/c-dir-out/secret".to_string(), file()),
                ("root/d-in".to_string(), file()),
                ("root/day/a.log".to_string(), file()),
                ("root/latest/a.log".to_string(), file()),
            ]
        );
        // Named too, the outside folder is a root: the links into it are followed.
        let both = walk(&[root.clone(), outside.clone()], false)
            .filter(|w| matches!(w, Walked::Skipped { .. }))
            .count();
        assert_eq!(both, 0);
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
