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
use std::time::Duration;

use super::document::{DocUnit, Document, Ending, Pending};
use super::long_line::Pieces;
use super::{ChunkResult, FileContext, Scanner};
use crate::chunk::{self, LongLine, RecordChunker, StreamChunk, StreamChunker};
use crate::sink::{InputInfo, Problem, Sink, Stats};
use crate::source::archive::{self, Budget, Container, Entry, MemberKind};
use crate::source::mmap::Content;
use crate::source::parquet::{self, ParquetFile};
use crate::source::probe::{self, BINARY_PROBE};
use crate::source::walk::{self, Walked};
use crate::source::{self, Input, SkipReason, SourceError, Target};
use crate::structure::csv::{Cut, Header};

mod documents;
mod emit;
mod members;
mod row_groups;
mod stream;

use emit::Emitting;

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

/// An archive's event, held until its turn comes (see [`Archive`]).
enum ArchiveItem {
    Begin {
        path: String,
        name: String,
        container: Container,
        compression: Option<source::decompress::Compression>,
        entry: Option<Arc<Entry>>,
    },
    Other(Entry),
    End,
}

/// One event to emit, in input order.
enum Item {
    /// An input begins: for a member of an archive, with its entry there; `records` for an
    /// input read as records, whose chunks are not its bytes (Parquet).
    Begin {
        file: Arc<FileState>,
        entry: Option<Arc<Entry>>,
        records: bool,
    },
    Chunk(Unit),
    Problem(Held),
    End(Arc<FileState>),
    Archive(ArchiveItem),
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
    /// The entry of the archive member about to be read (see [`Layout::entry`]).
    entry: Option<Arc<Entry>>,
}

/// What the scan of a unit gave: its findings, and for a row group what stopped its reading.
pub(super) type Scanned = (ChunkResult, Option<String>);

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
            entry: None,
        }
    }

    pub(super) fn into_stats(self) -> Stats {
        self.stats
    }

    /// Queues every input of `paths`.
    pub(super) fn add_paths(&mut self, paths: &[PathBuf]) {
        let config = &self.scanner.config;
        for walked in walk::inputs(paths, &config.exclude, config.follow, config.shard) {
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
                if target.explicit || target.object.is_some() || target.path.is_file() {
                    // An empty file: read, and nothing in it.
                    self.stats.files += 1;
                    let file = self.file_state(&target.path, &[], None, None);
                    self.batch.push(Item::Begin {
                        file: Arc::clone(&file),
                        entry: None,
                        records: false,
                    });
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
                    self.begin_archive(&target.path, Container::Zip, None, None);
                    self.add_zip(&target.path, std::io::Cursor::new(content));
                    self.batch.push(Item::Archive(ArchiveItem::End));
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
                self.begin(&file, None);
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

    /// Queues the begin of an input (with its entry, for a member of an archive), and what
    /// the user should be told about how it is read.
    fn begin(&mut self, file: &Arc<FileState>, entry: Option<Arc<Entry>>) {
        self.batch.push(Item::Begin {
            file: Arc::clone(file),
            entry,
            records: false,
        });
        if let Some(message) = &file.context.note {
            let path = file.info.path.clone();
            let message = message.clone();
            self.queue(Held::Note { path, message });
        }
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
}
