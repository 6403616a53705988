//! Streams: decoded text read in newline-aligned chunks on a reader thread, CSV headers
//! carried to every chunk, and lines too long for one chunk cut into overlapping pieces.

use super::*;

impl Driver<'_> {
    /// Reads a stream in newline-aligned chunks and queues them. Compressed streams are
    /// decompressed and UTF-16 text decoded to UTF-8 ([`probe::decode`]); reading (and
    /// decoding) runs on its own thread so that it overlaps with the scanning of earlier
    /// chunks.
    pub(in crate::engine) fn add_stream(&mut self, path: &Path, reader: Box<dyn Read + Send + '_>) {
        // The entry of a member is told with its begin, or its archive's.
        let entry = self.entry.take();
        let decoded = match probe::decode(reader, self.scanner.config.max_ratio) {
            Ok(decoded) => decoded,
            Err(e) => return self.error(SourceError::io(path, e)),
        };
        // Inside an archive, what a member yields is taken from the input's budget.
        let decoded = match self.budget.as_ref().filter(|_| self.depth > 0) {
            Some(budget) => match decoded.metered(budget) {
                Ok(decoded) => decoded,
                Err(e) => return self.error(SourceError::io(path, e)),
            },
            None => decoded,
        };
        if let Some(container) = Container::sniff(&decoded.head) {
            let compression = decoded.compression;
            let reader = Box::new(decoded.into_reader());
            return self.add_archive(path, container, compression, entry, reader);
        }
        if parquet::starts_like_parquet(&decoded.head) {
            let compression = decoded.compression;
            self.entry = entry;
            return self.add_parquet_stream(path, Box::new(decoded.into_reader()), compression);
        }
        if !self.scanner.config.binary && probe::looks_binary(&decoded.head) {
            return self.skip_binary(path);
        }
        self.stats.files += 1;
        let file = self.file_state(path, &decoded.head, decoded.compression, decoded.encoding);
        self.begin(&file, entry);
        let reader = decoded.into_reader();
        let chunk_size = self.scanner.config.chunk_size;
        // The reader hands over a batch's worth of chunks at a time and may read one batch
        // ahead: one chunk at a time, it would wait while a batch is scanned (decompression
        // would stop overlapping with the scan), and a count of chunks would not bound the
        // bytes held, since the pieces of a cut line are larger than chunks.
        let batch_bytes = self.max_bytes;
        type Batch = Vec<std::io::Result<StreamChunk>>;
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(1);
        let mut pieces = Pieces::new(&file, &self.scanner.config);
        let mut document = file.context.document.then(|| StreamedDocument {
            document: Document::new(chunk_size),
            pending: Pending::default(),
            noted: false,
        });
        let csv = self.csv_of(&file.context).cloned();
        std::thread::scope(|scope| {
            scope.spawn(move || {
                let chunker = StreamChunker::new(reader, chunk_size);
                let mut chunker = RecordChunker::new(chunker, |bytes: &[u8], from| {
                    match csv.as_ref()?.cut(bytes, from, bytes.len(), false) {
                        Cut::Unknown(open) => Some(open),
                        Cut::Clean | Cut::After(_) => None,
                    }
                });
                let mut batch = Vec::new();
                let mut bytes = 0;
                loop {
                    let next = chunker.next_chunk().transpose();
                    let stop = !matches!(next, Some(Ok(_)));
                    if let Some(item) = next {
                        bytes += item.as_ref().map_or(0, |c| c.bytes.len());
                        batch.push(item);
                    }
                    if stop || bytes >= batch_bytes {
                        if tx.send(std::mem::take(&mut batch)).is_err() || stop {
                            return;
                        }
                        bytes = 0;
                    }
                }
            });
            for item in rx.iter().flatten() {
                match item {
                    Ok(chunk) => {
                        match &mut document {
                            Some(document) => self.push_streamed_document(document, &file, chunk),
                            None => {
                                let bytes = UnitBytes::Owned(chunk.bytes);
                                self.push_piece(&mut pieces, chunk.base, bytes, chunk.long_line);
                            }
                        }
                        if self.stats.stopped {
                            break;
                        }
                    }
                    Err(e) => {
                        self.error(SourceError::io(path, e));
                        break;
                    }
                }
            }
            // Dropping the receiver ends the reader thread at its next send.
            drop(rx);
        });
        if let Some(mut streamed) = document {
            let mut units = Vec::new();
            let end = streamed.pending.end();
            let ending = streamed.document.finish(end, &mut units);
            for unit in units {
                let bytes = UnitBytes::Owned(streamed.pending.take(unit.range.end));
                self.push_document_unit(&file, unit, bytes);
            }
            self.end_document(&file, ending);
        }
        self.batch.push(Item::End(file));
    }

    /// The header of a delimited file whose chunks must end where records end (see
    /// [`Header::cut`]): when its structure is read at all.
    pub(super) fn csv_of<'c>(&self, context: &'c FileContext) -> Option<&'c Header> {
        context
            .csv
            .as_ref()
            .filter(|_| self.scanner.config.structure)
    }

    /// Queues a chunk of a file, or a piece of one of its cut lines, and notes the first cut.
    pub(super) fn push_piece(
        &mut self,
        pieces: &mut Pieces,
        base: u64,
        bytes: UnitBytes,
        long_line: Option<LongLine>,
    ) {
        if long_line.is_some() {
            self.note_cut(&mut pieces.noted, &pieces.whole.info, base);
        }
        let resume = long_line
            .as_ref()
            .and_then(|l| pieces.follow(bytes.as_slice(), l));
        self.stats.malformed_json += std::mem::take(&mut pieces.malformed);
        let starts_mid_line = long_line.as_ref().is_some_and(|l| l.line_offset > 0);
        let file = match resume {
            Some(resume) => Arc::new(FileState {
                info: pieces.whole.info.clone(),
                context: FileContext {
                    starts_mid_line: true,
                    judged_whole: true,
                    resume: Some(Arc::new(resume)),
                    ..FileContext::default()
                },
            }),
            None if starts_mid_line => Arc::clone(&pieces.mid_line),
            None if long_line.is_some() => Arc::clone(&pieces.first),
            None => Arc::clone(&pieces.whole),
        };
        self.push(Unit {
            file,
            base,
            bytes,
            long_line,
            row_group: None,
        });
    }

    /// Notes the first line of a file cut into pieces: once a file, since what is lost is
    /// the same for every such line.
    pub(super) fn note_cut(&mut self, noted: &mut bool, info: &InputInfo, base: u64) {
        if *noted {
            return;
        }
        *noted = true;
        let message = format!(
            "a line longer than {} MiB (in the bytes from {base}) is scanned in overlapping \
             pieces: its values are all found, but CSV columns only in its first piece",
            chunk::MAX_LINE >> 20,
        );
        let path = info.path.clone();
        self.queue(Held::Note { path, message });
    }
}
