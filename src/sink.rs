//! The event boundary between the engine and everything after it.
//!
//! The engine knows nothing of what is done with its findings; every consumer (a reporter, the
//! gate, the exposure aggregation, the evaluation against labels, the progress bar, a redacted
//! copy of the input) is a [`Sink`] that hears, in input order:
//!
//! * [`Sink::begin`] when an input starts, then [`Sink::layout`]: how the scan reads it (its
//!   CSV header and dialect, its entry in an archive), for a consumer that writes it again;
//! * [`Sink::chunk`] for each chunk: its bytes, where they start in the input, and the
//!   findings in them, so that a consumer that rewrites the input needs nothing else;
//! * [`Sink::problem`] for an input that could not be read, was skipped, or a note about one;
//! * [`Sink::end`] when an input is done, saying whether it was read to its end;
//! * [`Sink::archive`] around the members of an archive (each member is an input of its
//!   own), and for its members that have nothing to read (a directory, a link).
//!
//! Each returns whether to go on ([`Flow`]): a consumer that has seen enough (a reader of
//! standard output that went away) stops the scan by returning `Break`, and the run's
//! [`Stats`] say it stopped. Conclusions drawn on the way (a policy's [`Judgement`] of each
//! finding) travel on the event as data, so adapters stack: the gate is a sink that passes
//! what it keeps, judged, to the sink behind it. This follows grep-searcher's `Sink`, where
//! printers, summaries and `--passthru` are all sinks and the searcher never changes to add one.

use std::ops::ControlFlow;
use std::time::Duration;

use crate::finding::{Finding, Judgement};
use crate::source::archive::{Container, Entry};
use crate::source::decompress::Compression;
use crate::source::transcode::Utf16;
use crate::source::{SkipReason, SourceError};
use crate::structure::csv::Header;

/// Whether the scan goes on after an event.
pub type Flow = ControlFlow<()>;

/// Go on.
pub const GO_ON: Flow = ControlFlow::Continue(());

/// An input as consumers see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputInfo {
    /// The path, safe to print on a terminal (see [`crate::source::display_path`]); `-` for
    /// stdin.
    pub path: String,
    /// The path as it is (lossy UTF-8 only where the name is not UTF-8), for machine outputs
    /// that escape it themselves (JSON, SARIF URIs), so that tools can find the file.
    pub name: String,
    /// Set when the input was decompressed: offsets then count decompressed bytes.
    pub compression: Option<Compression>,
    /// Set when the input was UTF-16, decoded: offsets then count bytes of its UTF-8 text.
    pub encoding: Option<Utf16>,
}

/// One chunk of an input and what was found in it.
///
/// An input read as records rather than text (a Parquet file, see [`crate::source::parquet`])
/// has one chunk per row group: `base` is where the row group's column chunks start in the
/// file and `bytes` are those column chunks as stored (compressed and encoded), so that the
/// chunks still account for the file's bytes, in order (the magic and the footer aside), and
/// a progress bar moves by them. The findings do not point into `bytes`: their `line` is the
/// 1-based row, counted across the file's row groups, and their `column` and `offset` count
/// bytes within the value (see [`crate::engine::Scanner::scan_records`]); a consumer that
/// rewrites inputs cannot rewrite such a one from its chunks.
#[derive(Clone, Copy, Debug)]
pub struct Chunk<'a> {
    pub input: &'a InputInfo,
    /// Where `bytes` start in the input (in decoded bytes for a decoded input).
    pub base: u64,
    /// The chunk's bytes: the chunks of an input, in order, are all of its (decoded) bytes,
    /// each once.
    pub bytes: &'a [u8],
    /// The findings that start in the chunk, in offset order, their lines counted from the
    /// start of the input.
    pub findings: &'a [Finding],
    /// What a policy concluded about each finding, in the same order, when one judged them.
    pub judgements: Option<&'a [Judgement]>,
}

impl<'a> Chunk<'a> {
    /// Each finding with the policy's judgement of it, when a policy judged them.
    pub fn judged(&self) -> impl Iterator<Item = (&'a Finding, Option<&'a Judgement>)> + 'a {
        let judgements = self.judgements;
        self.findings
            .iter()
            .enumerate()
            .map(move |(i, f)| (f, judgements.and_then(|j| j.get(i))))
    }
}

/// How the scan reads an input, told right after its begin: what a consumer that writes the
/// input again (a redacted copy) must know to write it as it was read, rather than guess it
/// again and maybe differently.
#[derive(Clone, Copy, Debug, Default)]
pub struct Layout<'a> {
    /// The header and dialect of a delimited file whose columns the scan reads (`--delimiter`
    /// or sniffed); `None` when it is read as lines of text or JSON.
    pub csv: Option<&'a Header>,
    /// For a member of an archive, its entry there.
    pub entry: Option<&'a Entry>,
    /// The input is read as records (Parquet, see [`Chunk`]): its chunks are not its bytes.
    pub records: bool,
}

/// The members of an archive, told around them: members are inputs of their own, between the
/// archive's `Begin` and `End`, nested for an archive in an archive.
#[derive(Clone, Copy, Debug)]
pub enum Archive<'a> {
    Begin {
        /// The archive's path, printable, and as it is (see [`InputInfo`]).
        path: &'a str,
        name: &'a str,
        container: Container,
        /// The compression of the archive itself (a `.tar.gz`).
        compression: Option<Compression>,
        /// For an archive that is a member of another, its entry there.
        entry: Option<&'a Entry>,
    },
    /// A member with nothing to read: a directory, a link, a device.
    Other(&'a Entry),
    End,
}

/// How an input ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InputEnd {
    /// Bytes scanned (decoded).
    pub bytes: u64,
    /// False when an error stopped the reading before the end, or the scan was stopped.
    pub complete: bool,
}

/// Something to say about an input besides its findings.
#[derive(Debug)]
pub enum Problem<'a> {
    /// The input, or part of it, could not be read.
    Error(&'a SourceError),
    /// The input was not scanned.
    Skipped {
        path: &'a str,
        reason: &'a SkipReason,
    },
    /// A remark that is not an error (a file named twice, scanned once).
    Note { path: &'a str, message: &'a str },
}

/// An input that was not scanned, as reports list it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SkippedInput {
    /// The path, printable.
    pub path: String,
    /// Why, as [`SkipReason`] says it.
    pub reason: String,
    /// Whether this makes the run fail ([`SkipReason::fails_run`]).
    pub fails_run: bool,
}

/// The inputs a run did not scan, gathered for a report: the first [`SkippedList::MAX`] of
/// them with their reasons (a folder of millions of binary files must not fill the memory),
/// the rest counted. Every one is also printed on stderr as it comes.
#[derive(Clone, Debug, Default)]
pub struct SkippedList {
    pub listed: Vec<SkippedInput>,
    /// Skipped inputs past the first [`SkippedList::MAX`].
    pub unlisted: u64,
    /// Of all of them, those that fail the run.
    pub failing: u64,
}

impl SkippedList {
    pub const MAX: usize = 10_000;

    /// Records a [`Problem::Skipped`]; other problems are ignored.
    pub fn add(&mut self, problem: &Problem<'_>) {
        let Problem::Skipped { path, reason } = problem else {
            return;
        };
        self.failing += u64::from(reason.fails_run());
        if self.listed.len() >= Self::MAX {
            self.unlisted += 1;
            return;
        }
        self.listed.push(SkippedInput {
            path: path.to_string(),
            reason: reason.to_string(),
            fails_run: reason.fails_run(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.listed.is_empty() && self.unlisted == 0
    }

    /// Adds the skipped inputs of another list (of other inputs), after these: listed while
    /// there is room, counted beyond.
    pub fn merge(&mut self, other: SkippedList) {
        let room = Self::MAX.saturating_sub(self.listed.len());
        let listed = other.listed.len() as u64;
        self.listed.extend(other.listed.into_iter().take(room));
        self.unlisted = self
            .unlisted
            .saturating_add(listed.saturating_sub(room as u64))
            .saturating_add(other.unlisted);
        self.failing = self.failing.saturating_add(other.failing);
    }

    /// How many inputs were skipped, listed or not.
    pub fn len(&self) -> u64 {
        self.listed.len() as u64 + self.unlisted
    }
}

/// Where the events of a scan go. See the module documentation.
pub trait Sink {
    fn begin(&mut self, _input: &InputInfo) -> Flow {
        GO_ON
    }

    fn chunk(&mut self, chunk: &Chunk<'_>) -> Flow;

    fn problem(&mut self, problem: &Problem<'_>) -> Flow;

    fn end(&mut self, _input: &InputInfo, _end: &InputEnd) -> Flow {
        GO_ON
    }

    fn layout(&mut self, _input: &InputInfo, _layout: &Layout<'_>) -> Flow {
        GO_ON
    }

    fn archive(&mut self, _event: &Archive<'_>) -> Flow {
        GO_ON
    }
}

impl Stats {
    /// Whether every input was read whole: no error, and nothing skipped that fails the run.
    pub fn all_read(&self) -> bool {
        self.errors == 0 && self.skipped == 0
    }
}

/// Counters of a whole scan.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub findings: u64,
    pub files: u64,
    pub bytes: u64,
    pub errors: u64,
    /// Inputs not scanned for a reason that fails the run (see
    /// [`SkipReason::fails_run`]): binary, unreadable formats, links out of the paths named.
    pub skipped: u64,
    pub skipped_binary: u64,
    /// Lines that start like JSON but do not parse; they were scanned as plain text.
    pub malformed_json: u64,
    /// A sink stopped the scan (the reader of standard output went away, `| head`): these
    /// counters cover only what was scanned before, and no verdict can be drawn from them.
    pub stopped: bool,
    pub elapsed: Duration,
    /// Time per detector family and per stage of the engine (summed over threads).
    pub stage_times: Vec<(&'static str, Duration)>,
    /// Time the sink took over the chunks (writing their findings, or gathering them for a
    /// verdict or a report), on the thread that emits them in order.
    pub output_time: Duration,
}
