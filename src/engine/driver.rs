//! The driver: inputs in, ordered events out.
//!
//! Inputs are opened through [`crate::source`] and queued as items, in input order: the begin
//! of an input, its chunks (units of work), problems, the end of the input. A batch of items is
//! scanned in parallel on the rayon pool (only the chunks are work) while the calling thread
//! hands the previous batch's events to the sink, in order, adding the line counts of earlier
//! chunks to the findings (with `--threads 1` the two alternate, so one thread means one
//! core). Memory is bounded by the batch, not the input: a batch is capped in units and in
//! bytes.
//!
//! A line longer than [`chunk::MAX_LINE`] is cut into overlapping pieces: see [`super::long_line`].
//!
//! A Parquet file is not chunked: each of its row groups is a unit, decoded and scanned as
//! records on the worker that takes it (see [`super::records`]), a few row groups at a time
//! so that the workers share a file's row groups. Its chunk event holds the row group's
//! bytes as stored (see [`crate::sink::Chunk`]).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::long_line::{keep_owned, Pieces};
use super::{ChunkResult, FileContext, Scanner};
use crate::chunk::{self, LongLine, RecordChunker, StreamChunk, StreamChunker};
use crate::sink::{Chunk, InputEnd, InputInfo, Problem, Sink, Stats};
use crate::source::mmap::Content;
use crate::source::parquet::{self, ParquetFile};
use crate::source::probe::{self, BINARY_PROBE};
use crate::source::walk::{self, Walked};
use crate::source::{self, Input, SkipReason, SourceError, Target};
use crate::structure::csv::{Cut, Header};

/// The bytes of one unit of work.
enum UnitBytes {
    Shared(Arc<Content>, std::ops::Range<usize>),
    Owned(Vec<u8>),
}

impl UnitBytes {
    fn as_slice(&self) -> &[u8] {
        match self {
            UnitBytes::Shared(content, range) => &content[range.clone()],
            UnitBytes::Owned(v) => v,
        }
    }
}

/// A chunk to scan.
struct Unit {
    file: Arc<FileState>,
    base: u64,
    bytes: UnitBytes,
    /// Set for a piece of a line cut at [`chunk::MAX_LINE`].
    long_line: Option<LongLine>,
    /// Set for a row group of a Parquet file, read on the worker.
    row_group: Option<RowGroup>,
}

/// A row group to decode and scan, and the columns worth reading.
struct RowGroup {
    file: Arc<ParquetFile>,
    index: usize,
    wanted: Arc<[usize]>,
}

/// An input and what is known of its structure.
pub(super) struct FileState {
    pub(super) info: InputInfo,
    pub(super) context: FileContext,
}

/// A problem, held until its turn comes.
enum Held {
    Error(SourceError),
    Skipped { path: String, reason: SkipReason },
    Note { path: String, message: String },
}

/// One event to emit, in input order.
enum Item {
    Begin(Arc<FileState>),
    Chunk(Unit),
    Problem(Held),
    End(Arc<FileState>),
}

/// Where the emission of events stands within the current input.
#[derive(Default)]
struct Emitting {
    /// Lines seen so far in the input.
    lines_before: u64,
    /// Bytes emitted so far of the input.
    bytes: u64,
    /// False once an error was met in the input.
    complete: bool,
}

/// Feeds units to the pool in ordered batches and their events to the sink.
pub(super) struct Driver<'s> {
    scanner: &'s Scanner,
    sink: &'s mut dyn Sink,
    batch: Vec<Item>,
    batch_units: usize,
    batch_bytes: usize,
    max_units: usize,
    max_bytes: usize,
    /// The bytes of a batch of mapped chunks: their bytes are not held, only their findings,
    /// so a batch can be larger, and fewer batches mean fewer waits at their ends (a batch
    /// ends when its slowest share does and the previous batch is emitted): 48 MiB batches
    /// scanned the 1 GiB export 5% faster than 12 MiB ones at two threads.
    max_mapped_bytes: usize,
    emitting: Emitting,
    stats: Stats,
    /// The last batch scanned, its results not yet emitted.
    scanned: Option<(Vec<Item>, Vec<Scanned>)>,
    /// Row groups in the batch: a batch holds as many as there are threads.
    batch_row_groups: usize,
}

/// What the scan of a unit gave: its findings, and for a row group what stopped its reading.
type Scanned = (ChunkResult, Option<String>);

impl<'s> Driver<'s> {
    pub(super) fn new(scanner: &'s Scanner, sink: &'s mut dyn Sink) -> Driver<'s> {
        let threads = rayon::current_num_threads().max(1);
        let chunk = scanner.config.chunk_size.max(1);
        Driver {
            scanner,
            sink,
            batch: Vec::new(),
            batch_units: 0,
            batch_bytes: 0,
            max_units: (threads * 4).max(256),
            // Three chunks a thread: enough to even out the threads' shares of a batch (the
            // batch ends when its slowest share does), and what bounds the memory of a
            // streamed input, twice over while one batch is emitted and the next scanned.
            max_bytes: threads
                .saturating_mul(3)
                .saturating_mul(chunk)
                .max(12 << 20),
            max_mapped_bytes: threads
                .saturating_mul(12)
                .saturating_mul(chunk)
                .max(48 << 20),
            emitting: Emitting::default(),
            stats: Stats {
                stage_times: scanner
                    .stage_names()
                    .into_iter()
                    .map(|f| (f, Duration::ZERO))
                    .collect(),
                ..Stats::default()
            },
            scanned: None,
            batch_row_groups: 0,
        }
    }

    pub(super) fn into_stats(self) -> Stats {
        self.stats
    }

    /// Queues every input of `paths`.
    pub(super) fn add_paths(&mut self, paths: &[PathBuf]) {
        for walked in walk::inputs(paths, &self.scanner.config.exclude) {
            if self.stats.stopped {
                return;
            }
            match walked {
                Walked::Target(target) => self.add(&target),
                Walked::Skipped { path, reason } => self.queue(Held::Skipped { path, reason }),
                Walked::Note { path, message } => self.queue(Held::Note { path, message }),
                Walked::Error(e) => self.error(e),
            }
        }
    }

    fn error(&mut self, e: SourceError) {
        self.stats.errors += 1;
        self.queue(Held::Error(e));
    }

    fn queue(&mut self, held: Held) {
        self.batch.push(Item::Problem(held));
    }

    fn add(&mut self, target: &Target) {
        let input = match source::open(target) {
            Ok(Some(input)) => input,
            Ok(None) => {
                if target.explicit || target.path.is_file() {
                    // An empty file: read, and nothing in it.
                    self.stats.files += 1;
                    let file = self.file_state(&target.path, &[], None, None);
                    self.batch.push(Item::Begin(Arc::clone(&file)));
                    self.batch.push(Item::End(file));
                }
                return;
            }
            Err(e) => return self.error(e),
        };
        match input {
            Input::Bytes(content) if parquet::is_parquet(&target.path, &content) => {
                self.add_parquet(&target.path, content)
            }
            // Compressed and UTF-16 content is decoded as a stream; the rest is read in place.
            Input::Bytes(content) if source::is_encoded(&content) => {
                self.add_stream(&target.path, Box::new(std::io::Cursor::new(content)))
            }
            Input::Bytes(content) => {
                let head = &content[..content.len().min(BINARY_PROBE)];
                if !self.scanner.config.binary && probe::looks_binary(head) {
                    return self.skip_binary(&target.path);
                }
                self.stats.files += 1;
                let file = self.file_state(&target.path, head, None, None);
                self.batch.push(Item::Begin(Arc::clone(&file)));
                let content = Arc::new(content);
                let chunk_size = self.scanner.config.chunk_size;
                let mut ranges: Vec<_> =
                    chunk::split_lines(&content, chunk_size, chunk::MAX_LINE).collect();
                if let Some(header) = self.csv_of(&file.context) {
                    ranges = chunk::join_records(ranges, |from, end| {
                        match header.cut(&content, from, end, true) {
                            Cut::After(close) => Some(close),
                            Cut::Clean | Cut::Unknown(_) => None,
                        }
                    });
                }
                let mut pieces = Pieces::new(&file, &self.scanner.config);
                for (range, long_line) in ranges {
                    let bytes = UnitBytes::Shared(Arc::clone(&content), range.clone());
                    self.push_piece(&mut pieces, range.start as u64, bytes, long_line);
                }
                self.batch.push(Item::End(file));
            }
            Input::Stream(reader) => self.add_stream(&target.path, reader),
        }
    }

    /// Queues the row groups of a Parquet file, or the error that keeps it from being read.
    fn add_parquet(&mut self, path: &Path, content: Content) {
        let content = Arc::new(content);
        let file = match ParquetFile::open(Arc::clone(&content)) {
            Ok(file) => Arc::new(file),
            Err(message) => {
                let message = format!("cannot read it as Parquet: {message}");
                return self.error(SourceError::other(path, message));
            }
        };
        self.stats.files += 1;
        let state = self.file_state(path, &[], None, None);
        self.batch.push(Item::Begin(Arc::clone(&state)));
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

    fn file_state(
        &self,
        path: &Path,
        head: &[u8],
        compression: Option<source::decompress::Compression>,
        encoding: Option<source::transcode::Utf16>,
    ) -> Arc<FileState> {
        Arc::new(FileState {
            context: FileContext::sniff(path, head),
            info: InputInfo {
                path: source::display_path(path),
                name: path.to_string_lossy().into_owned(),
                compression,
                encoding,
            },
        })
    }

    /// Reads a stream in newline-aligned chunks and queues them. Compressed streams are
    /// decompressed and UTF-16 text decoded to UTF-8 ([`probe::decode`]); reading (and
    /// decoding) runs on its own thread so that it overlaps with the scanning of earlier
    /// chunks.
    pub(super) fn add_stream(&mut self, path: &Path, reader: Box<dyn Read + Send + '_>) {
        let decoded = match probe::decode(reader, self.scanner.config.max_ratio) {
            Ok(decoded) => decoded,
            Err(e) => return self.error(SourceError::io(path, e)),
        };
        if parquet::starts_like_parquet(&decoded.head) {
            // Its footer is at its end: a stream would have to be held whole.
            let message = "a Parquet file is read from its end, which a stream (standard \
                           input, a compressed file) does not allow: scan it as a file";
            return self.error(SourceError::other(path, message));
        }
        if !self.scanner.config.binary && probe::looks_binary(&decoded.head) {
            return self.skip_binary(path);
        }
        self.stats.files += 1;
        let file = self.file_state(path, &decoded.head, decoded.compression, decoded.encoding);
        self.batch.push(Item::Begin(Arc::clone(&file)));
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
                        let bytes = UnitBytes::Owned(chunk.bytes);
                        self.push_piece(&mut pieces, chunk.base, bytes, chunk.long_line);
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
        self.batch.push(Item::End(file));
    }

    /// The header of a delimited file whose chunks must end where records end (see
    /// [`Header::cut`]): when its structure is read at all.
    fn csv_of<'c>(&self, context: &'c FileContext) -> Option<&'c Header> {
        context
            .csv
            .as_ref()
            .filter(|_| self.scanner.config.structure)
    }

    /// Queues a chunk of a file, or a piece of one of its cut lines, and notes the first cut.
    fn push_piece(
        &mut self,
        pieces: &mut Pieces,
        base: u64,
        bytes: UnitBytes,
        long_line: Option<LongLine>,
    ) {
        if long_line.is_some() && !pieces.noted {
            // Once a file: what is lost is the same for every such line.
            pieces.noted = true;
            let message = format!(
                "a line longer than {} MiB (in the bytes from {base}) is scanned in overlapping \
                 pieces: its values are all found, but CSV columns only in its first piece",
                chunk::MAX_LINE >> 20,
            );
            let path = pieces.whole.info.path.clone();
            self.queue(Held::Note { path, message });
        }
        let resume = long_line
            .as_ref()
            .and_then(|l| pieces.follow(base, bytes.as_slice(), l));
        let starts_mid_line = long_line.as_ref().is_some_and(|l| l.line_offset > 0);
        let file = match resume {
            Some(resume) => Arc::new(FileState {
                info: pieces.whole.info.clone(),
                context: FileContext {
                    starts_mid_line: true,
                    resume: Some(Arc::new(resume)),
                    ..FileContext::default()
                },
            }),
            None if starts_mid_line => Arc::clone(&pieces.mid_line),
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

    fn skip_binary(&mut self, path: &Path) {
        self.stats.skipped_binary += 1;
        self.queue(Held::Skipped {
            path: source::display_path(path),
            reason: SkipReason::Binary,
        });
    }

    fn push(&mut self, unit: Unit) {
        self.batch_bytes += unit.bytes.as_slice().len();
        let max_bytes = match unit.bytes {
            UnitBytes::Shared(..) => self.max_mapped_bytes,
            UnitBytes::Owned(_) => self.max_bytes,
        };
        self.batch.push(Item::Chunk(unit));
        self.batch_units += 1;
        if self.batch_units >= self.max_units || self.batch_bytes >= max_bytes {
            self.flush();
        }
    }

    /// Scans the pending batch in parallel while the previous batch's events are emitted on
    /// this thread, so the pool never waits for the output. With one thread the two run one
    /// after the other: `--threads 1` means one core.
    fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.batch);
        self.batch_units = 0;
        self.batch_bytes = 0;
        self.batch_row_groups = 0;
        let scanner = self.scanner;
        let scan = |batch: &[Item]| -> Vec<Scanned> {
            let units: Vec<&Unit> = batch
                .iter()
                .filter_map(|item| match item {
                    Item::Chunk(unit) => Some(unit),
                    _ => None,
                })
                .collect();
            units
                .par_iter()
                .map(|unit| match &unit.row_group {
                    Some(group) => scanner.scan_row_group(&group.file, group.index, &group.wanted),
                    None => (
                        scanner.scan_chunk(unit.bytes.as_slice(), unit.base, &unit.file.context),
                        None,
                    ),
                })
                .collect()
        };
        let previous = self.scanned.take();
        let results = if rayon::current_num_threads() > 1 {
            let mut results = Vec::new();
            rayon::in_place_scope(|s| {
                s.spawn(|_| results = scan(&batch));
                if let Some((items, results)) = previous {
                    self.emit(items, results);
                }
            });
            results
        } else {
            if let Some((items, results)) = previous {
                self.emit(items, results);
            }
            scan(&batch)
        };
        self.scanned = Some((batch, results));
    }

    /// Scans and emits everything queued.
    pub(super) fn finish(&mut self) {
        self.flush();
        if let Some((items, results)) = self.scanned.take() {
            self.emit(items, results);
        }
    }

    /// Hands the events of a scanned batch to the sink, in order; stops at the first that
    /// the sink refuses.
    fn emit(&mut self, batch: Vec<Item>, results: Vec<Scanned>) {
        let mut results = results.into_iter();
        for item in batch {
            if self.stats.stopped {
                return;
            }
            let flow = match item {
                Item::Begin(file) => {
                    self.emitting = Emitting {
                        complete: true,
                        ..Emitting::default()
                    };
                    self.sink.begin(&file.info)
                }
                Item::Chunk(unit) => match results.next() {
                    Some((result, error)) => {
                        let flow = self.emit_chunk(&unit, result);
                        match (error, &unit.row_group) {
                            (Some(message), Some(group)) if flow.is_continue() => {
                                self.row_group_error(&unit.file.info, group.index, &message)
                            }
                            _ => flow,
                        }
                    }
                    None => continue,
                },
                Item::Problem(held) => {
                    if matches!(held, Held::Error(_)) {
                        self.emitting.complete = false;
                    }
                    let problem = match &held {
                        Held::Error(e) => Problem::Error(e),
                        Held::Skipped { path, reason } => Problem::Skipped { path, reason },
                        Held::Note { path, message } => Problem::Note { path, message },
                    };
                    self.sink.problem(&problem)
                }
                Item::End(file) => {
                    let end = InputEnd {
                        bytes: self.emitting.bytes,
                        complete: self.emitting.complete,
                    };
                    self.sink.end(&file.info, &end)
                }
            };
            if flow.is_break() {
                self.stats.stopped = true;
            }
        }
    }

    /// Reports a row group that could not be read to its end.
    fn row_group_error(
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

    /// Hands one chunk and its findings to the sink.
    fn emit_chunk(&mut self, unit: &Unit, mut result: ChunkResult) -> crate::sink::Flow {
        let mut bytes = unit.bytes.as_slice();
        let mut base = unit.base;
        if let Some(long_line) = &unit.long_line {
            keep_owned(long_line, unit.base, &mut result);
            bytes = &bytes[long_line.owned.clone()];
            base += long_line.owned.start as u64;
        }
        if let UnitBytes::Shared(content, range) = &unit.bytes {
            if range.end == content.len() {
                if let Some(now) = content.shrunk() {
                    let error = SourceError::Other {
                        path: unit.file.info.path.clone(),
                        message: format!(
                            "the file shrank from {} to {now} bytes while it was scanned; \
                             what lay past byte {now} may be scanned only in part",
                            content.len()
                        ),
                    };
                    self.stats.errors += 1;
                    self.emitting.complete = false;
                    if self.sink.problem(&Problem::Error(&error)).is_break() {
                        return crate::sink::Flow::Break(());
                    }
                }
            }
        }
        self.stats.bytes += result.bytes;
        self.stats.malformed_json += result.malformed_json;
        self.stats.findings += result.findings.len() as u64;
        for (slot, t) in self.stats.stage_times.iter_mut().zip(&result.stage_times) {
            slot.1 += *t;
        }
        for finding in &mut result.findings {
            finding.line += self.emitting.lines_before;
        }
        self.emitting.lines_before += result.newlines;
        self.emitting.bytes += result.bytes;
        let started = Instant::now();
        let flow = self.sink.chunk(&Chunk {
            input: &unit.file.info,
            base,
            bytes,
            findings: &result.findings,
            judgements: None,
        });
        self.stats.output_time += started.elapsed();
        flow
    }
}
