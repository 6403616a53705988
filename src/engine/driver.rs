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

use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::document::{DocUnit, Document, Ending, Pending};
use super::long_line::{keep_owned, Pieces};
use super::{ChunkResult, FileContext, Scanner};
use crate::chunk::{self, LongLine, RecordChunker, StreamChunk, StreamChunker};
use crate::sink::{Chunk, InputEnd, InputInfo, Problem, Sink, Stats};
use crate::source::archive::{self, Budget, Container, MemberKind};
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

/// A JSON document being streamed: its nesting, and its whole lines not yet in a unit.
struct StreamedDocument {
    document: Document,
    pending: Pending,
    noted: bool,
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
    /// How many archives the input being read is inside of.
    depth: usize,
    /// The bytes of the current input (named or met in a walk) read so far, and the budget of
    /// its archives' members, made at its first archive (see [`archive::Budget`]).
    input_size: Arc<AtomicU64>,
    budget: Option<Arc<Budget>>,
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
            depth: 0,
            input_size: Arc::default(),
            budget: None,
        }
    }

    pub(super) fn into_stats(self) -> Stats {
        self.stats
    }

    /// Queues every input of `paths`.
    pub(super) fn add_paths(&mut self, paths: &[PathBuf]) {
        let config = &self.scanner.config;
        for walked in walk::inputs(paths, &config.exclude, config.follow) {
            if self.stats.stopped {
                return;
            }
            match walked {
                Walked::Target(target) => self.add(&target),
                Walked::Skipped { path, reason } => self.skip(path, reason),
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
        self.budget = None;
        self.input_size = Arc::default();
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
        if let Input::Bytes(content) = &input {
            self.input_size
                .store(content.len() as u64, Ordering::Relaxed);
        }
        match input {
            // A mapped ZIP is read in place, its directory first.
            Input::Bytes(content) if Container::sniff(&content) == Some(Container::Zip) => {
                if self.enter_archive(&target.path, Container::Zip) {
                    self.add_zip(&target.path, std::io::Cursor::new(content));
                    self.depth -= 1;
                }
            }
            // Compressed and UTF-16 content is decoded as a stream, tar archives are read as
            // one (whatever their name says: a tar named `.parquet` is a tar).
            Input::Bytes(content)
                if source::is_encoded(&content) || Container::sniff(&content).is_some() =>
            {
                self.add_stream(&target.path, Box::new(std::io::Cursor::new(content)))
            }
            // A Parquet file is read in place, row group by row group.
            Input::Bytes(content) if parquet::is_parquet(&target.path, &content) => {
                self.add_parquet(&target.path, content, None)
            }
            // The rest is read in place.
            Input::Bytes(content) => {
                let head = &content[..content.len().min(BINARY_PROBE)];
                if !self.scanner.config.binary && probe::looks_binary(head) {
                    return self.skip_binary(&target.path);
                }
                self.stats.files += 1;
                let file = self.file_state(&target.path, head, None, None);
                self.begin(&file);
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
                if file.context.document {
                    self.add_mapped_document(&file, &content, ranges);
                } else {
                    let mut pieces = Pieces::new(&file, &self.scanner.config);
                    for (range, long_line) in ranges {
                        let bytes = UnitBytes::Shared(Arc::clone(&content), range.clone());
                        self.push_piece(&mut pieces, range.start as u64, bytes, long_line);
                    }
                }
                self.batch.push(Item::End(file));
            }
            Input::Stream(reader) => self.add_reader(&target.path, reader),
        }
    }

    /// Reads a stream that is an input of its own (stdin, a FIFO named): [`Driver::add_stream`],
    /// counting its bytes for the budget of archives in it.
    pub(super) fn add_reader(&mut self, path: &Path, reader: Box<dyn Read + Send + '_>) {
        self.budget = None;
        self.input_size = Arc::default();
        let counted = archive::Counting::new(reader, Arc::clone(&self.input_size));
        self.add_stream(path, Box::new(counted));
    }

    /// Whether to read the members of an archive at `path`: not when piiscan cannot read its
    /// format, nor past the depth limit (the archive is then a skipped input). When it may,
    /// the archive is entered: the caller leaves it with `self.depth -= 1`.
    fn enter_archive(&mut self, path: &Path, container: Container) -> bool {
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
    fn add_archive(
        &mut self,
        path: &Path,
        container: Container,
        reader: Box<dyn Read + Send + '_>,
    ) {
        if !self.enter_archive(path, container) {
            return;
        }
        match container {
            Container::Tar => self.add_tar(path, reader),
            Container::Zip => match archive::spill(reader) {
                Ok(file) => self.add_zip(path, file),
                Err(e) => self.error(SourceError::io(path, e)),
            },
            Container::Unsupported(_) => {}
        }
        self.depth -= 1;
    }

    /// Whether the budget of the current input's archives is spent: nothing more is read.
    fn budget_spent(&self) -> bool {
        self.budget.as_ref().is_some_and(|b| b.exhausted())
    }

    /// Reads each member of a ZIP as an input of its own, named `path!name`.
    fn add_zip<R: Read + Seek + Send>(&mut self, path: &Path, reader: R) {
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
            match kind {
                MemberKind::File => match zip.open(i) {
                    Ok(file) => self.add_stream(&member, Box::new(file)),
                    Err(e) => self.error(SourceError::io(&member, e)),
                },
                MemberKind::Skipped(reason) => self.skip(source::display_path(&member), reason),
                MemberKind::Other => {}
            }
        }
    }

    /// Reads each member of a tar as an input of its own, named `path!name`, as the archive's
    /// stream comes.
    fn add_tar(&mut self, path: &Path, reader: Box<dyn Read + Send + '_>) {
        let mut tar = archive::Tar::new(reader);
        while !self.stats.stopped && !self.budget_spent() {
            let (name, kind) = match tar.next_member() {
                Ok(Some(member)) => member,
                Ok(None) => return,
                Err(e) => return self.error(SourceError::io(path, e)),
            };
            let member = archive::member_path(path, &name);
            match kind {
                MemberKind::File => self.add_stream(&member, Box::new(tar.data())),
                MemberKind::Skipped(reason) => self.skip(source::display_path(&member), reason),
                MemberKind::Other => {}
            }
        }
    }

    /// Queues the begin of an input, and what the user should be told about how it is read.
    fn begin(&mut self, file: &Arc<FileState>) {
        self.batch.push(Item::Begin(Arc::clone(file)));
        if let Some(message) = &file.context.note {
            let path = file.info.path.clone();
            let message = message.clone();
            self.queue(Held::Note { path, message });
        }
    }

    /// Reads a Parquet file that comes as a stream (a member of an archive, a compressed file,
    /// standard input): its footer is at its end, so it is first copied to an anonymous
    /// temporary file, as a ZIP is ([`archive::spill`]), then read in place as a file is.
    fn add_parquet_stream(
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
    fn add_parquet(
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
        let mut context = FileContext::sniff(path, head, self.scanner.config.delimiter);
        context.document &= self.scanner.config.structure;
        Arc::new(FileState {
            context,
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
        // Inside an archive, what a member yields is taken from the input's budget.
        let decoded = match self.budget.as_ref().filter(|_| self.depth > 0) {
            Some(budget) => match decoded.metered(budget) {
                Ok(decoded) => decoded,
                Err(e) => return self.error(SourceError::io(path, e)),
            },
            None => decoded,
        };
        if let Some(container) = Container::sniff(&decoded.head) {
            return self.add_archive(path, container, Box::new(decoded.into_reader()));
        }
        if parquet::starts_like_parquet(&decoded.head) {
            let compression = decoded.compression;
            return self.add_parquet_stream(path, Box::new(decoded.into_reader()), compression);
        }
        if !self.scanner.config.binary && probe::looks_binary(&decoded.head) {
            return self.skip_binary(path);
        }
        self.stats.files += 1;
        let file = self.file_state(path, &decoded.head, decoded.compression, decoded.encoding);
        self.begin(&file);
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
    fn note_cut(&mut self, noted: &mut bool, info: &InputInfo, base: u64) {
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

    /// Queues the chunks of a mapped JSON document, cut where its records end (see
    /// [`super::document`]).
    fn add_mapped_document(
        &mut self,
        file: &Arc<FileState>,
        content: &Arc<Content>,
        ranges: Vec<(std::ops::Range<usize>, Option<LongLine>)>,
    ) {
        let mut document = Document::new(self.scanner.config.chunk_size);
        let mut noted = false;
        let mut units = Vec::new();
        let push_units = |driver: &mut Self, units: &mut Vec<DocUnit>| {
            for unit in units.drain(..) {
                let range = unit.range.start as usize..unit.range.end as usize;
                let bytes = UnitBytes::Shared(Arc::clone(content), range);
                driver.push_document_unit(file, unit, bytes);
            }
        };
        for (range, long_line) in ranges {
            let (base, bytes) = (range.start as u64, &content[range]);
            match long_line {
                Some(long_line) => {
                    self.note_cut(&mut noted, &file.info, base);
                    document.piece(base, bytes, long_line, &mut units);
                }
                None => document.lines(base, bytes, &mut units),
            }
            push_units(self, &mut units);
            if self.stats.stopped {
                return;
            }
        }
        let ending = document.finish(content.len() as u64, &mut units);
        push_units(self, &mut units);
        self.end_document(file, ending);
    }

    /// Queues what a chunk of a streamed JSON document completes: its whole lines wait in
    /// `pending` until a record ends in them.
    fn push_streamed_document(
        &mut self,
        streamed: &mut StreamedDocument,
        file: &Arc<FileState>,
        chunk: StreamChunk,
    ) {
        let mut units = Vec::new();
        match chunk.long_line {
            Some(long_line) => {
                self.note_cut(&mut streamed.noted, &file.info, chunk.base);
                let document = &mut streamed.document;
                document.piece(chunk.base, &chunk.bytes, long_line, &mut units);
                let end = chunk.base + chunk.bytes.len() as u64;
                let mut piece = Some(chunk.bytes);
                for unit in units {
                    let bytes = match unit.long_line {
                        Some(_) => piece.take().unwrap_or_default(),
                        None => streamed.pending.take(unit.range.end),
                    };
                    self.push_document_unit(file, unit, UnitBytes::Owned(bytes));
                }
                // The lines after the cut line start where it ends.
                streamed.pending.skip_to(end);
            }
            None => {
                streamed
                    .document
                    .lines(chunk.base, &chunk.bytes, &mut units);
                streamed.pending.push(chunk.base, chunk.bytes);
                for unit in units {
                    let bytes = UnitBytes::Owned(streamed.pending.take(unit.range.end));
                    self.push_document_unit(file, unit, bytes);
                }
            }
        }
    }

    /// Queues a unit of a JSON document with where its key paths pick up.
    fn push_document_unit(&mut self, file: &Arc<FileState>, unit: DocUnit, bytes: UnitBytes) {
        let context = FileContext {
            document: true,
            judged_whole: true,
            starts_mid_line: unit.long_line.as_ref().is_some_and(|l| l.line_offset > 0),
            resume: unit.resume.map(Arc::new),
            bom: file.context.bom,
            ..FileContext::default()
        };
        let file = Arc::new(FileState {
            info: file.info.clone(),
            context,
        });
        self.push(Unit {
            file,
            base: unit.range.start,
            bytes,
            long_line: unit.long_line,
            row_group: None,
        });
    }

    /// Counts a JSON document that did not close as malformed, and notes one whose field
    /// names stop.
    fn end_document(&mut self, file: &Arc<FileState>, ending: Ending) {
        match ending {
            Ending::Whole => {}
            Ending::Open => self.stats.malformed_json += 1,
            Ending::Lost(at) => {
                self.stats.malformed_json += 1;
                let message = format!(
                    "the JSON document stops parsing in the bytes before {at} (a bracket \
                     closed that was never opened, or nesting too deep): the field names of \
                     the findings after that may be wrong"
                );
                let path = file.info.path.clone();
                self.queue(Held::Note { path, message });
            }
        }
    }

    fn skip_binary(&mut self, path: &Path) {
        self.skip(source::display_path(path), SkipReason::Binary);
    }

    /// Queues an input that is not scanned, counted when that fails the run.
    fn skip(&mut self, path: String, reason: SkipReason) {
        if reason == SkipReason::Binary {
            self.stats.skipped_binary += 1;
        }
        if reason.fails_run() {
            self.stats.skipped += 1;
        }
        self.queue(Held::Skipped { path, reason });
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
