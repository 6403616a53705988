//! Parquet: a file's row groups are units of work, decoded and scanned as records on the
//! workers a few at a time; a file that arrives as a stream is copied to a temporary file
//! first, since Parquet is read from its footer.

use super::*;

impl Driver<'_> {
    /// Reads a Parquet file that comes as a stream (a member of an archive, a compressed file,
    /// standard input): its footer is at its end, so it is first copied to an anonymous
    /// temporary file, as a ZIP is ([`archive::spill`]), then read in place as a file is.
    pub(super) fn add_parquet_stream(
        &mut self,
        path: &Path,
        reader: Box<dyn Read + Send + '_>,
        compression: Option<source::decompress::Compression>,
    ) {
        let content = archive::spill(reader).and_then(|spilled| {
            let file = spilled.into_inner();
            let len = file.metadata()?.len();
            Content::open(file, path, len)
        });
        match content {
            Ok(content) => self.add_parquet(path, content, compression),
            Err(e) => self.error(SourceError::io(path, e)),
        }
    }

    /// Queues the row groups of a Parquet file, or the error that keeps it from being read.
    pub(super) fn add_parquet(
        &mut self,
        path: &Path,
        content: Content,
        compression: Option<source::decompress::Compression>,
    ) {
        let content = Arc::new(content);
        let file = match ParquetFile::open(Arc::clone(&content)) {
            Ok(file) => Arc::new(file),
            Err(message) => {
                let message = format!("cannot read it as Parquet: {message}");
                return self.error(SourceError::other(path, message));
            }
        };
        self.stats.files += 1;
        let state = self.file_state(path, &[], compression, None);
        self.batch.push(Item::Begin {
            file: Arc::clone(&state),
            entry: self.entry.take(),
            records: true,
        });
        let scanner = self.scanner;
        let wanted: Arc<[usize]> = (file.columns().iter().enumerate())
            .filter(|(_, c)| scanner.wants_column(&c.path, c.values))
            .map(|(i, _)| i)
            .collect();
        let threads = rayon::current_num_threads().max(1);
        for index in 0..file.row_groups() {
            if self.stats.stopped {
                break;
            }
            let span = file.span(index, content.len());
            self.batch.push(Item::Chunk(Unit {
                file: Arc::clone(&state),
                base: span.start as u64,
                bytes: UnitBytes::Shared(Arc::clone(&content), span),
                long_line: None,
                row_group: Some(RowGroup {
                    file: Arc::clone(&file),
                    index,
                    wanted: Arc::clone(&wanted),
                }),
            }));
            self.batch_units += 1;
            self.batch_row_groups += 1;
            if self.batch_row_groups >= threads || self.batch_units >= self.max_units {
                self.flush();
            }
        }
        self.batch.push(Item::End(state));
    }

    /// Reports a row group that could not be read to its end.
    pub(super) fn row_group_error(
        &mut self,
        input: &InputInfo,
        group: usize,
        message: &str,
    ) -> crate::sink::Flow {
        let error = SourceError::Other {
            path: input.path.clone(),
            message: format!("cannot read row group {group} as Parquet: {message}"),
        };
        self.stats.errors += 1;
        self.emitting.complete = false;
        self.sink.problem(&Problem::Error(&error))
    }
}
