//! Archives: a ZIP or tar is entered member by member, each member an input of its own
//! (`outer.zip!inner/x.json.gz`), within the depth limit and the archive's byte and ratio
//! budget, so that a bomb is an error and never a hang.

use super::*;

impl Driver<'_> {
    /// Whether to read the members of an archive at `path`: not when piiscan cannot read its
    /// format, nor past the depth limit (the archive is then a skipped input). When it may,
    /// the archive is entered: the caller leaves it with `self.depth -= 1`.
    pub(super) fn enter_archive(&mut self, path: &Path, container: Container) -> bool {
        let max_depth = self.scanner.config.max_depth;
        let reason = match container {
            Container::Unsupported(what) => SkipReason::Unsupported(what.to_string()),
            _ if self.depth >= max_depth => SkipReason::TooDeep(max_depth),
            Container::Zip | Container::Tar => {
                self.depth += 1;
                let (size, ratio) = (&self.input_size, self.scanner.config.max_ratio);
                self.budget
                    .get_or_insert_with(|| Budget::new(Arc::clone(size), ratio));
                return true;
            }
        };
        self.skip(source::display_path(path), reason);
        false
    }

    /// Reads an archive that comes as a stream (decompressed, or a member of another): a tar
    /// as it comes, a ZIP from a temporary copy (its directory is at its end).
    pub(super) fn add_archive(
        &mut self,
        path: &Path,
        container: Container,
        compression: Option<source::decompress::Compression>,
        entry: Option<Arc<Entry>>,
        reader: Box<dyn Read + Send + '_>,
    ) {
        if !self.enter_archive(path, container) {
            return;
        }
        self.begin_archive(path, container, compression, entry);
        match container {
            Container::Tar => self.add_tar(path, reader),
            Container::Zip => match archive::spill(reader) {
                Ok(file) => self.add_zip(path, file),
                Err(e) => self.error(SourceError::io(path, e)),
            },
            Container::Unsupported(_) => {}
        }
        self.batch.push(Item::Archive(ArchiveItem::End));
        self.depth -= 1;
    }

    /// Queues the begin of an archive's members.
    pub(super) fn begin_archive(
        &mut self,
        path: &Path,
        container: Container,
        compression: Option<source::decompress::Compression>,
        entry: Option<Arc<Entry>>,
    ) {
        self.batch.push(Item::Archive(ArchiveItem::Begin {
            path: source::display_path(path),
            name: path.to_string_lossy().into_owned(),
            container,
            compression,
            entry,
        }));
    }

    /// Whether the budget of the current input's archives is spent: nothing more is read.
    pub(super) fn budget_spent(&self) -> bool {
        self.budget.as_ref().is_some_and(|b| b.exhausted())
    }

    /// Reads each member of a ZIP as an input of its own, named `path!name`.
    pub(super) fn add_zip<R: Read + Seek + Send>(&mut self, path: &Path, reader: R) {
        let mut zip = match archive::Zip::new(reader) {
            Ok(zip) => zip,
            Err(e) => return self.error(SourceError::io(path, e)),
        };
        for i in 0..zip.len() {
            if self.stats.stopped || self.budget_spent() {
                return;
            }
            let (name, kind) = match zip.member(i) {
                Ok(member) => member,
                Err(e) => {
                    self.error(SourceError::io(path, e));
                    continue;
                }
            };
            let member = archive::member_path(path, &name);
            let entry = match zip.entry(i, name) {
                Ok(entry) => entry,
                Err(e) => {
                    self.error(SourceError::io(path, e));
                    continue;
                }
            };
            match kind {
                MemberKind::File => match zip.open(i) {
                    Ok(file) => {
                        self.entry = Some(Arc::new(entry));
                        self.add_stream(&member, Box::new(file))
                    }
                    Err(e) => self.error(SourceError::io(&member, e)),
                },
                MemberKind::Skipped(reason) => self.skip(source::display_path(&member), reason),
                MemberKind::Other => self.batch.push(Item::Archive(ArchiveItem::Other(entry))),
            }
        }
    }

    /// Reads each member of a tar as an input of its own, named `path!name`, as the archive's
    /// stream comes.
    pub(super) fn add_tar(&mut self, path: &Path, reader: Box<dyn Read + Send + '_>) {
        let mut tar = archive::Tar::new(reader);
        while !self.stats.stopped && !self.budget_spent() {
            let (name, kind) = match tar.next_member() {
                Ok(Some(member)) => member,
                Ok(None) => return,
                Err(e) => return self.error(SourceError::io(path, e)),
            };
            let member = archive::member_path(path, &name);
            let entry = tar.entry().cloned();
            match kind {
                MemberKind::File => {
                    self.entry = entry.map(Arc::new);
                    self.add_stream(&member, Box::new(tar.data()))
                }
                MemberKind::Skipped(reason) => self.skip(source::display_path(&member), reason),
                MemberKind::Other => {
                    if let Some(entry) = entry {
                        self.batch.push(Item::Archive(ArchiveItem::Other(entry)));
                    }
                }
            }
        }
    }
}
