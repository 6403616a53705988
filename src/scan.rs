//! The engine: chunks in, ordered findings out.
//!
//! Inputs are cut into newline-aligned chunks ([`crate::chunk`]) and a batch of chunks, from one
//! large file or many small ones, is scanned in parallel on the rayon pool. Each chunk goes
//! through the whole pipeline on one thread: structure hints, every detector, overlap
//! resolution, then line, column, field and mask for what was kept. The batch's results are
//! handed to the reporter in input order, so the output is the same whatever the number of
//! threads, and memory stays bounded by the batch size rather than growing with the input.

use std::hash::BuildHasher;
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use compact_str::CompactString;
use rayon::prelude::*;

use crate::chunk::{self, LongLine, RecordChunker, StreamChunk, StreamChunker};
use crate::detect::{self, Detector, Haystack, Hint, HintedValue, Match};
use crate::finding::{Checked, Finding, Kind, KindSet};
use crate::prefilter::{Candidates, Class, Classes};
use crate::source::decompress::{Compression, DEFAULT_MAX_RATIO};
use crate::source::transcode::Utf16;
use crate::source::{self, mmap::Content, Input, SourceError, Target};
use crate::structure::csv::{Cut, Header};
use crate::structure::keys::{self, KeyFilter};
use crate::structure::{escapes, json};

/// The stages of [`Scanner::scan_chunk`] besides the detectors, timed for `--stats`.
const STAGES: [&str; 5] = [
    "stage:prefilter",
    "stage:hints",
    "stage:escapes",
    "stage:resolve",
    "stage:locate",
];

/// How far into an input a NUL byte marks it as binary.
const BINARY_PROBE: usize = 64 << 10;

/// What the user asked for, validated.
#[derive(Clone, Debug)]
pub struct Config {
    pub kinds: KindSet,
    pub chunk_size: usize,
    pub show_values: bool,
    /// Scan files that look binary instead of skipping them.
    pub binary: bool,
    /// The cap on decompressed bytes per compressed byte.
    pub max_ratio: u64,
    /// Give each finding a fingerprint: a hash of its value under a key drawn at random for
    /// this run, so that distinct values can be counted without any value being kept.
    pub fingerprints: bool,
    /// Give each finding its masked value and field name. Off when the output is counts
    /// only (the summary): masking and walking JSON paths are most of the cost of a finding.
    pub describe: bool,
    /// Read JSON and CSV structure: key hints, key paths and column names, `\u` escapes.
    /// Off, every input is plain text (`--plain`), which is what the structure costs is
    /// measured against.
    pub structure: bool,
    /// Detectors and checks from outside the engine (a policy's); none by default.
    pub hooks: Hooks,
    /// Files never scanned, by identity: the run's own output file, which a walk of the folder
    /// it lies in would otherwise read while it is being written.
    pub exclude: Vec<PathBuf>,
}

/// What a policy adds to the engine: detectors of its own kinds, and a check of each raw
/// value while it is still in memory (allowlists by value, domain or IP range; baseline
/// digests), run on the worker threads. Empty by default, and then free: scans without a
/// policy never call into it.
#[derive(Clone, Default)]
pub struct Hooks {
    /// More detectors, run after the built-in ones. Their matches are resolved among
    /// themselves (see `resolve_overlaps`), so they add findings and never hide any.
    pub detectors: Vec<Arc<dyn Detector>>,
    /// Called once per finding with its raw bytes; what it returns is the finding's
    /// [`Finding::checked`].
    pub values: Option<Arc<dyn ValueCheck>>,
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hooks")
            .field("detectors", &self.detectors.len())
            .field("values", &self.values.is_some())
            .finish()
    }
}

/// A look at the raw value of each finding, on the thread that found it, so that no raw value
/// has to travel downstream of the engine. It must not keep or print the value.
pub trait ValueCheck: Send + Sync {
    fn check(&self, kind: Kind, raw: &[u8]) -> Checked;
}

impl Default for Config {
    fn default() -> Config {
        Config {
            kinds: KindSet::all(),
            chunk_size: chunk::DEFAULT_CHUNK_SIZE,
            show_values: false,
            binary: false,
            max_ratio: DEFAULT_MAX_RATIO,
            fingerprints: false,
            describe: true,
            structure: true,
            hooks: Hooks::default(),
            exclude: Vec::new(),
        }
    }
}

/// What is known about a file before its chunks are scanned.
#[derive(Clone, Debug, Default)]
pub struct FileContext {
    pub csv: Option<Header>,
    /// The chunks start in the middle of a line (the pieces after the first of a line too
    /// long to hold, see [`chunk::LongLine`]): whether they start inside a JSON string is
    /// unknown, so the prefilter must not follow strings from their start.
    pub starts_mid_line: bool,
    /// For such a piece of a JSON line, where its key paths pick up.
    pub resume: Option<Arc<Resume>>,
    /// The length of a UTF-8 byte-order mark that opens the file (Excel's "CSV UTF-8" writes
    /// one), 0 without: not part of the first line's JSON or header. It still counts in
    /// offsets and columns, which are those of the bytes on disk.
    pub bom: usize,
}

/// Where a piece of a JSON line cut for length picks up the key paths of its values (see
/// [`json::Nesting`]): from offset `at` of the piece, a `,` between values, the line walks
/// as `prefix` followed by the rest of the piece.
#[derive(Clone, Debug)]
pub struct Resume {
    pub at: usize,
    pub prefix: Vec<u8>,
}

impl FileContext {
    /// Sniffs the structure of a file from its first bytes.
    pub fn sniff(path: &Path, head: &[u8]) -> FileContext {
        const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
        let bom = if head.starts_with(UTF8_BOM) {
            UTF8_BOM.len()
        } else {
            0
        };
        let head = &head[bom..];
        let first_line = match memchr::memchr(b'\n', head) {
            Some(i) => &head[..=i],
            None => head,
        };
        FileContext {
            csv: Header::sniff(path, first_line, &detect::person_name::is_first_and_last),
            bom,
            ..FileContext::default()
        }
    }
}

/// The findings of one chunk, with lines counted from the chunk's start.
#[derive(Debug, Default)]
pub struct ChunkResult {
    pub findings: Vec<Finding>,
    /// Newlines in the chunk, to number the lines of the chunks after it.
    pub newlines: u64,
    pub bytes: u64,
    /// Time spent in each detector family, in the order of [`Scanner::families`].
    pub detector_time: Vec<Duration>,
    /// Lines that start like JSON but do not parse: scanned as plain text.
    pub malformed_json: u64,
}

/// Counters of a whole scan.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub findings: u64,
    pub files: u64,
    pub bytes: u64,
    pub errors: u64,
    pub skipped_binary: u64,
    /// Lines that start like JSON but do not parse; they were scanned as plain text.
    pub malformed_json: u64,
    /// The sink refused a finding (the reader of standard output went away, `| head`), so
    /// the scan stopped early: these counters cover only what was scanned before, and no
    /// verdict can be drawn from them.
    pub output_closed: bool,
    pub elapsed: Duration,
    /// Time per detector family (summed over threads).
    pub detector_time: Vec<(&'static str, Duration)>,
    /// Time the sink took over the findings (writing their lines, or gathering them for a
    /// verdict or a report), on the thread that emits them in order.
    pub output_time: Duration,
}

/// The input a finding comes from, as reporters show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileInfo {
    /// The path, safe to print (see [`source::display_path`]); `-` for stdin.
    pub path: String,
    /// Set when the input was decompressed: offsets then count decompressed bytes.
    pub compression: Option<Compression>,
    /// Set when the input was UTF-16, decoded: offsets then count bytes of its UTF-8 text.
    pub encoding: Option<Utf16>,
}

/// Where findings and problems go, in input order.
pub trait Sink {
    fn finding(&mut self, file: &FileInfo, finding: &Finding) -> std::io::Result<()>;
    /// A problem with one input; the scan goes on.
    fn error(&mut self, error: &SourceError);
    /// A note that is not an error (a skipped binary file).
    fn note(&mut self, path: &str, message: &str);
    /// Called after each batch with the bytes scanned so far (for progress bars).
    fn progress(&mut self, _bytes_done: u64) {}
}

/// Scans bytes for personal data.
pub struct Scanner {
    config: Config,
    detectors: Vec<Box<dyn Detector>>,
    /// Whether any enabled detector needs the key hint of every value (the name, place,
    /// coordinate and quasi-identifier detectors do), and the filter for the keys they need.
    /// The IP detectors read a key only for the odd candidate, on demand.
    needs_hints: bool,
    key_filter: KeyFilter,
    /// The candidate classes the detectors visit, together.
    detector_classes: Classes,
    /// The per-run random key of fingerprints.
    fingerprint_key: std::collections::hash_map::RandomState,
    /// The detectors that keep personal data out of field names, made when first needed.
    field_detectors: std::sync::OnceLock<Vec<Box<dyn Detector>>>,
}

impl Scanner {
    pub fn new(config: Config) -> Scanner {
        let mut detectors = detect::detectors(config.kinds);
        for extra in &config.hooks.detectors {
            detectors.push(Box::new(Arc::clone(extra)));
        }
        let kinds = config.kinds;
        let enabled = || kinds.iter().filter_map(Kind::spec);
        // Hints are found up front for the kinds whose detectors read a key at every value;
        // the IP detectors read one only now and then, on demand.
        let needs_hints = config.structure && enabled().any(|s| !s.reads.is_empty());
        // With hints found anyway, an e-mail key settles ties between kinds on one span.
        let key_filter = KeyFilter::new(|h| {
            enabled().any(|s| s.reads.contains(&h)) || (h == Hint::Email && needs_hints)
        });
        let detector_classes = detectors
            .iter()
            .fold(Classes::NONE, |c, d| c.union(d.classes()));
        Scanner {
            config,
            detectors,
            needs_hints,
            key_filter,
            detector_classes,
            fingerprint_key: std::collections::hash_map::RandomState::new(),
            field_detectors: std::sync::OnceLock::new(),
        }
    }

    /// A field name fit to print: the keys (spans of `name`, see [`json::paths_at`]) that are
    /// themselves personal data are masked as their findings are, whatever kinds the scan
    /// looks for, so that the `field` of a finding cannot show what its `masked` hides. Run
    /// once per distinct name per chunk.
    ///
    /// A name longer than [`MAX_FIELD`] bytes (a value nested thousands deep, in a broken or
    /// hostile file) keeps its innermost keys only, after `…`: it would be printed in every
    /// finding under it.
    fn field_name(&self, name: &[u8], keys: &[(usize, usize)]) -> Arc<str> {
        let mut out = String::new();
        let (name, keys) = match innermost_keys(name, keys) {
            Some((name, keys)) => {
                out.push('…');
                (name, std::borrow::Cow::Owned(keys))
            }
            None => (name, std::borrow::Cow::Borrowed(keys)),
        };
        // What the built-in detectors can find in a bare key needs one of these: `@` or an
        // escape of it (e-mail), digits or `:` (addresses, coordinates), a capital (names and
        // places) or a byte past ASCII. Ordinary keys (`properties`, `$email`) have none.
        let suspect = |key: &[u8]| {
            !key.is_ascii()
                || key.iter().any(|b| {
                    b.is_ascii_digit() || b.is_ascii_uppercase() || matches!(b, b'@' | b':' | b'%')
                })
        };
        let custom = &self.config.hooks.detectors;
        let mut at = 0;
        let mut matches = Vec::new();
        for &(start, end) in keys.iter() {
            let key = &name[start..end];
            let builtin = suspect(key);
            if !builtin && custom.is_empty() {
                continue;
            }
            let hay = Haystack::new(key, &[]);
            if builtin {
                let all = KindSet::all();
                let detectors = self.field_detectors.get_or_init(|| detect::detectors(all));
                for detector in detectors {
                    detector.find(&hay, all, &mut matches);
                }
            }
            // A policy's own kinds can look like anything, so every key is searched for them.
            for detector in custom {
                detector.find(&hay, detector.kinds(), &mut matches);
            }
            for m in resolve_overlaps(&hay, std::mem::take(&mut matches)) {
                // A policy's match can overlap a built-in one: what is left of it is masked.
                let (from, to) = ((start + m.start).max(at), start + m.end);
                if to <= from {
                    continue;
                }
                out.push_str(&String::from_utf8_lossy(&name[at..from]));
                out.push_str(&detect::mask(m.kind, &name[from..to]));
                at = to;
            }
        }
        out.push_str(&String::from_utf8_lossy(&name[at..]));
        out.into()
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// A keyed hash of a value in its kind's normal form (see [`Config::fingerprints`]): the
    /// same value however it is written (`Jane@Example.com`, `jane%40example.com`) is one.
    fn fingerprint(&self, kind: Kind, raw: &[u8]) -> u64 {
        thread_local! {
            static NORMAL: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        NORMAL.with(|normal| {
            let mut normal = normal.borrow_mut();
            kind.normal().apply_into(raw, &mut normal);
            self.fingerprint_key.hash_one((kind, normal.as_str()))
        })
    }

    /// The detector families, in the order of [`ChunkResult::detector_time`].
    pub fn families(&self) -> Vec<&'static str> {
        let detectors = self.detectors.iter().map(|d| d.family());
        detectors.chain(STAGES).collect()
    }

    /// Scans one chunk of whole lines that starts at byte `base` of its input.
    pub fn scan_chunk(&self, bytes: &[u8], base: u64, file: &FileContext) -> ChunkResult {
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            self.scan_chunk_with(bytes, base, file, &mut scratch)
        })
    }

    fn scan_chunk_with(
        &self,
        bytes: &[u8],
        base: u64,
        file: &FileContext,
        scratch: &mut Scratch,
    ) -> ChunkResult {
        let Scratch {
            candidates,
            hints,
            matches,
        } = scratch;
        let started = Instant::now();
        let structure = self.config.structure;
        let csv = file.csv.as_ref().filter(|_| structure);
        let unescape = structure && csv.is_none() && !self.detectors.is_empty();
        let mut classes = self.detector_classes.with(Class::Newline);
        if self.needs_hints {
            classes = classes.with(Class::Key);
        }
        if unescape {
            classes = classes.with(Class::Escape);
        }
        if file.starts_mid_line {
            // Key ends as every `"` before `:`; no index for key paths: such a piece's are
            // walked behind the prefix its line's nesting gives it (see `Resume`).
            candidates.find_from_mid_line(bytes, classes);
        } else {
            if self.needs_hints && structure && csv.is_none() {
                // The key ends listed for the hints and the brackets give the key paths of
                // findings (see `locate`), and the quotes before blanks the keys written
                // `"key" : value`. Without hints, listing every key end would cost the pass
                // more than it spares the paths: the tokenizer walks them instead.
                classes = classes.with(Class::Structure);
            }
            candidates.find(bytes, classes);
        }
        let prefilter_time = started.elapsed();
        let started = Instant::now();
        hints.clear();
        if self.needs_hints {
            let (keys, structure) = (candidates.get(Class::Key), candidates.get(Class::Structure));
            json::find_hints_with(bytes, keys, structure, &self.key_filter, hints);
        }
        // The records of a CSV chunk that hold line ends in quoted cells.
        let records = csv.map_or_else(Vec::new, |header| header.multiline_records(bytes));
        if let Some(header) = csv {
            header.find_hints(bytes, base == 0, &records, hints);
            hints.sort_by_key(|h| (h.start, h.end));
        }
        let mut hay = Haystack::with_candidates(bytes, hints, candidates);
        hay.hint_at = structure.then_some(json::hint_of_value_at as _);
        matches.clear();
        let mut detector_time = Vec::with_capacity(self.detectors.len() + STAGES.len());
        let hints_time = started.elapsed();
        for detector in &self.detectors {
            let started = Instant::now();
            detector.find(&hay, self.config.kinds, matches);
            detector_time.push(started.elapsed());
        }
        let started = Instant::now();
        let malformed_json = if unescape {
            self.scan_unescaped(bytes, candidates, matches)
        } else {
            0
        };
        let escapes_time = started.elapsed();
        let started = Instant::now();
        matches.retain(|m| {
            self.config.kinds.contains(m.kind) && m.start < m.end && m.end <= bytes.len()
        });
        let kept = resolve_overlaps(&hay, std::mem::take(matches));
        let resolve_time = started.elapsed();
        let started = Instant::now();
        let findings = self.locate(bytes, base, file, candidates, &records, &kept);
        detector_time.extend([
            prefilter_time,
            hints_time,
            escapes_time,
            resolve_time,
            started.elapsed(),
        ]);
        ChunkResult {
            findings,
            newlines: candidates.get(Class::Newline).len() as u64,
            bytes: bytes.len() as u64,
            detector_time,
            malformed_json,
        }
    }

    /// Runs the detectors again on the JSON string values that hold `\u` escapes, unescaped,
    /// and adds what they find with its offsets on disk. Returns the malformed JSON lines.
    fn scan_unescaped(&self, bytes: &[u8], chunk: &Candidates, matches: &mut Vec<Match>) -> u64 {
        let mut parser = escapes::Parser::default();
        let mut hints: Vec<HintedValue> = Vec::with_capacity(1);
        let mut found: Vec<Match> = Vec::new();
        let mut candidates = Candidates::default();
        let classes = self.detector_classes;
        let escapes = chunk.get(Class::Escape);
        let newlines = chunk.get(Class::Newline);
        parser.for_each_unescaped(bytes, escapes, newlines, |value| {
            let len = value.text.len();
            hints.clear();
            if let Some(hint) = value.key.and_then(|k| keys::hint_for_key(k.as_bytes())) {
                hints.push(HintedValue {
                    start: 0,
                    end: len,
                    hint,
                });
            }
            candidates.find(value.text.as_bytes(), classes);
            let hay = Haystack::with_candidates(value.text.as_bytes(), &hints, &candidates);
            found.clear();
            for detector in &self.detectors {
                detector.find(&hay, self.config.kinds, &mut found);
            }
            for m in found.iter().filter(|m| m.start < m.end && m.end <= len) {
                matches.push(Match {
                    start: value.disk[m.start],
                    end: value.disk[m.end],
                    kind: m.kind,
                });
            }
        })
    }

    /// Turns matches into findings: line, column, field, masked value. `candidates` hold the
    /// chunk's newlines, and its JSON keys and brackets when field names are wanted; `records`
    /// the CSV records that span lines, whose later lines take their columns from the first.
    fn locate(
        &self,
        bytes: &[u8],
        base: u64,
        file: &FileContext,
        candidates: &Candidates,
        records: &[Range<usize>],
        kept: &[Match],
    ) -> Vec<Finding> {
        let newlines = candidates.get(Class::Newline);
        let indexed = candidates.searched(Class::Structure);
        let (mut key, mut bracket) = (0, 0);
        let mut walker = json::Walker::default();
        let mut findings = Vec::with_capacity(kept.len());
        let mut names = FieldNames::default();
        let mut offsets: Vec<usize> = Vec::new();
        let mut fields: Vec<Option<Arc<str>>> = Vec::new();
        let mut records = records;
        // Newlines before the current match: its line is the next one.
        let mut line = 0;
        let mut i = 0;
        while i < kept.len() {
            let start = kept[i].start;
            while newlines.get(line).is_some_and(|&n| (n as usize) < start) {
                line += 1;
            }
            let line_start = line.checked_sub(1).map_or(0, |l| newlines[l] as usize + 1);
            let line_end = newlines.get(line).map_or(bytes.len(), |&n| n as usize);
            let mut j = i;
            while j < kept.len() && kept[j].start < line_end {
                j += 1;
            }
            // A CSV line inside a record that spans lines is read from the record's start.
            while records.first().is_some_and(|r| r.end < line_start) {
                records = &records[1..];
            }
            let record_start = records
                .first()
                .filter(|r| r.start <= line_start)
                .map_or(line_start, |r| r.start);
            // The first line of the file is read past its byte-order mark, if it has one.
            let bom = if base + record_start as u64 == 0 {
                file.bom
            } else {
                0
            };
            let text_start = record_start + bom;
            let text = &bytes[text_start.min(line_end)..line_end];
            let group = &kept[i..j];
            fields.clear();
            fields.resize(group.len(), None);
            if self.config.describe && self.config.structure {
                offsets.clear();
                offsets.extend(group.iter().map(|m| m.start.saturating_sub(text_start)));
                let json = json::looks_like_json(text);
                let mut json_path = |k: usize, path: &[u8], keys: &[(usize, usize)]| {
                    fields[k] = Some(names.intern(path, |p| self.field_name(p, keys)));
                };
                let resume = file
                    .resume
                    .as_deref()
                    .filter(|r| line_start == 0 && r.at < text.len());
                if let Some(Resume { at, prefix }) = resume {
                    // A piece of a cut JSON line: its values from `at` on walk behind the
                    // prefix that stands for the line before.
                    let skip = offsets.partition_point(|&o| o < *at);
                    let mut resumed = Vec::with_capacity(prefix.len() + text.len() - at);
                    resumed.extend_from_slice(prefix);
                    resumed.extend_from_slice(&text[*at..]);
                    let shift = |o: usize| o - at + prefix.len();
                    let shifted: Vec<usize> = offsets[skip..].iter().map(|&o| shift(o)).collect();
                    walker.paths_at(&resumed, &shifted, |k, path, keys| {
                        json_path(k + skip, path, keys)
                    });
                } else if json && indexed {
                    // The chunk's lists from this line on.
                    let from = |list: &[u32], at: &mut usize| {
                        // A few dozen keys a line: a walk beats a binary search's cache misses.
                        while list.get(*at).is_some_and(|&p| (p as usize) < line_start) {
                            *at += 1;
                        }
                        *at
                    };
                    let keys = candidates.get(Class::Key);
                    let structure = candidates.get(Class::Structure);
                    let index = json::Index {
                        keys: &keys[from(keys, &mut key)..],
                        structure: &structure[from(structure, &mut bracket)..],
                    };
                    walker.paths_indexed(text, text_start, index, &offsets, json_path);
                } else if json {
                    walker.paths_at(text, &offsets, json_path);
                } else if let Some(header) = &file.csv {
                    header.columns_at(text, &offsets, |k, name| {
                        let whole = [(0, name.len())];
                        fields[k] =
                            Some(names.intern(name.as_bytes(), |n| self.field_name(n, &whole)));
                    });
                }
            }
            for (m, field) in group.iter().zip(fields.drain(..)) {
                let raw = &bytes[m.start..m.end];
                findings.push(Finding {
                    offset: base + m.start as u64,
                    length: (m.end - m.start) as u32,
                    line: line as u64 + 1,
                    column: (m.start - line_start + 1) as u32,
                    kind: m.kind,
                    field,
                    masked: if self.config.describe {
                        detect::mask(m.kind, raw)
                    } else {
                        CompactString::default()
                    },
                    value: self
                        .config
                        .show_values
                        .then(|| String::from_utf8_lossy(raw).into()),
                    fingerprint: self
                        .config
                        .fingerprints
                        .then(|| self.fingerprint(m.kind, raw)),
                    checked: self
                        .config
                        .hooks
                        .values
                        .as_ref()
                        .map(|v| v.check(m.kind, raw)),
                });
            }
            i = j;
        }
        findings
    }

    /// Scans every target of `paths` and hands findings to `sink` in input order.
    pub fn scan_paths(&self, paths: &[PathBuf], sink: &mut dyn Sink) -> Stats {
        let started = Instant::now();
        let mut driver = Driver::new(self, sink);
        let mut seen = source::walk::Seen::default();
        let excluded = source::walk::Excluded::new(&self.config.exclude);
        for target in source::walk::targets(paths) {
            match target {
                Ok(target) if target.is_stdin() => driver.add(&target),
                Ok(target) if excluded.contains(&target.path) => {
                    let path = source::display_path(&target.path);
                    driver
                        .sink
                        .note(&path, "the output file of this run; not scanned");
                }
                Ok(target) => match seen.repeat_of(&target.path) {
                    None => driver.add(&target),
                    Some(first) => {
                        let (path, first) = (&target.path, &first);
                        let message = if path == first {
                            "named more than once; scanned once".to_string()
                        } else {
                            let first = source::display_path(first);
                            format!("the same file as {first}; scanned once")
                        };
                        driver.sink.note(&source::display_path(path), &message);
                    }
                },
                Err(e) => driver.error(&e),
            }
        }
        driver.finish();
        let mut stats = driver.stats;
        stats.elapsed = started.elapsed();
        stats
    }
}

impl Scanner {
    /// Scans one stream (stdin, a pipe, a decompressed file) named `path` in the output.
    pub fn scan_reader(&self, path: &Path, reader: impl Read + Send, sink: &mut dyn Sink) -> Stats {
        let started = Instant::now();
        let mut driver = Driver::new(self, sink);
        driver.add_stream(path, Box::new(reader));
        driver.finish();
        let mut stats = driver.stats;
        stats.elapsed = started.elapsed();
        stats
    }
}

/// Buffers reused from chunk to chunk by each worker thread.
#[derive(Default)]
struct Scratch {
    candidates: Candidates,
    hints: Vec<HintedValue>,
    matches: Vec<Match>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

/// The longest field name printed whole; see [`Scanner::field_name`].
const MAX_FIELD: usize = 1 << 10;

/// Where a key sits in a field name: see [`json::Walker::paths_at`].
type KeySpan = (usize, usize);

/// For a field name longer than [`MAX_FIELD`], the part from the first key that starts in its
/// last [`MAX_FIELD`] bytes (or from its last key), with the key spans moved to match.
fn innermost_keys<'n>(name: &'n [u8], keys: &[KeySpan]) -> Option<(&'n [u8], Vec<KeySpan>)> {
    let over = name.len().checked_sub(MAX_FIELD).filter(|&over| over > 0)?;
    let from = keys
        .iter()
        .position(|&(start, _)| start >= over)
        .unwrap_or(keys.len().checked_sub(1)?);
    let cut = keys[from].0;
    let moved = keys[from..].iter().map(|&(s, e)| (s - cut, e - cut));
    (cut > 0).then(|| (&name[cut..], moved.collect()))
}

/// The field names of one chunk's findings, each held once: a dense export repeats a few
/// fields (`properties.$email`) thousands of times per chunk.
#[derive(Default)]
struct FieldNames(rustc_hash::FxHashMap<Box<[u8]>, Arc<str>>);

impl FieldNames {
    /// The shared printable form of `name`, made by `printable` the first time it is seen.
    fn intern(&mut self, name: &[u8], printable: impl FnOnce(&[u8]) -> Arc<str>) -> Arc<str> {
        if let Some(name) = self.0.get(name) {
            return Arc::clone(name);
        }
        let shared = printable(name);
        self.0.insert(name.into(), Arc::clone(&shared));
        shared
    }
}

/// Reads up to [`BINARY_PROBE`] bytes, retrying short reads, and hands back the rest.
fn read_head<'a, R: Read + Send + 'a>(
    mut reader: R,
) -> std::io::Result<(Vec<u8>, Box<dyn Read + Send + 'a>)> {
    let mut head = Vec::with_capacity(BINARY_PROBE);
    match (&mut reader)
        .take(BINARY_PROBE as u64)
        .read_to_end(&mut head)
    {
        Ok(_) => Ok((head, Box::new(reader))),
        // What was read is still scanned; the error comes after it.
        Err(e) if !head.is_empty() => Ok((head, Box::new(Deferred(Some(e))))),
        Err(e) => Err(e),
    }
}

/// A reader that fails once with a held-back error, then ends.
struct Deferred(Option<std::io::Error>);

impl Read for Deferred {
    fn read(&mut self, _buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.take().map_or(Ok(0), Err)
    }
}

/// Keeps, of overlapping matches, the leftmost-longest; of matches with the same span, the
/// one whose kind agrees with the key hint there, else the first kind in report order.
/// Direct identifiers, quasi-identifiers and custom kinds are resolved apart: a referrer URL
/// does not hide the e-mail address in its query string, and a policy's detector adds findings
/// without taking any away.
fn resolve_overlaps(hay: &Haystack<'_>, matches: Vec<Match>) -> Vec<Match> {
    let apart = |m: &Match| m.kind.is_quasi() || m.kind.is_custom();
    if !matches.iter().any(apart) {
        return resolve_group(hay, matches);
    }
    let (others, direct): (Vec<Match>, Vec<Match>) = matches.into_iter().partition(apart);
    let mut kept = resolve_group(hay, direct);
    if !others.is_empty() {
        let (custom, quasi): (Vec<Match>, Vec<Match>) =
            others.into_iter().partition(|m| m.kind.is_custom());
        kept.extend(resolve_group(hay, quasi));
        kept.extend(resolve_group(hay, custom));
        // Three runs, each in order: a stable sort merges them (an unstable one sorted them
        // from scratch, a third of the scan's time on an export with every kind).
        kept.sort_by_key(|m| (m.start, m.end, m.kind));
    }
    kept
}

fn resolve_group(hay: &Haystack<'_>, mut matches: Vec<Match>) -> Vec<Match> {
    // Each detector adds its matches in order: a stable sort merges those runs instead of
    // sorting from scratch (a quarter faster on an export).
    matches.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(b.end.cmp(&a.end))
            .then(a.kind.cmp(&b.kind))
    });
    let mut kept: Vec<Match> = Vec::with_capacity(matches.len());
    let mut i = 0;
    while i < matches.len() {
        let mut j = i + 1;
        while j < matches.len()
            && matches[j].start == matches[i].start
            && matches[j].end == matches[i].end
        {
            j += 1;
        }
        let same = &matches[i..j];
        let best = match (same.len(), hay.hint_for(same[0].start, same[0].end)) {
            (1, _) => same[0],
            // Without a key to decide, the lowest rank wins: a place beats a person (`Santa
            // Barbara`, `Hong Kong`).
            (_, None) => *same
                .iter()
                .min_by_key(|m| m.kind.spec().map_or(u8::MAX, |s| s.tie_rank))
                .unwrap_or(&same[0]),
            (_, Some(hint)) => *same
                .iter()
                .find(|m| hint_agrees(hint, m.kind))
                .unwrap_or(&same[0]),
        };
        if kept.last().is_none_or(|last| best.start >= last.end) {
            kept.push(best);
        }
        i = j;
    }
    kept
}

fn hint_agrees(hint: Hint, kind: Kind) -> bool {
    kind.spec().is_some_and(|s| s.hints.contains(&hint))
}

/// Keeps the findings that a piece of a cut line owns (its neighbours report the others, see
/// [`LongLine`]), counts their columns from the start of the line and its bytes without the
/// overlap.
fn keep_owned(long_line: &LongLine, base: u64, result: &mut ChunkResult) {
    result
        .findings
        .retain(|f| long_line.owns(f.offset.saturating_sub(base) as usize));
    for f in result.findings.iter_mut().filter(|f| f.line == 1) {
        f.column = u32::try_from(u64::from(f.column) + long_line.line_offset).unwrap_or(u32::MAX);
    }
    result.bytes = long_line.owned.len() as u64;
}

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

struct Unit {
    file: Arc<FileState>,
    base: u64,
    bytes: UnitBytes,
    /// Set for a piece of a line cut at [`chunk::MAX_LINE`].
    long_line: Option<LongLine>,
}

struct FileState {
    info: FileInfo,
    context: FileContext,
}

/// What the units of one file share: its state, the state of the pieces of its cut lines
/// after their first (they start mid-line: no CSV cells to count, key paths only as the
/// nesting of the line before them tells), whether the cut was noted, and the nesting of the
/// JSON line being cut.
struct Pieces {
    whole: Arc<FileState>,
    mid_line: Arc<FileState>,
    noted: bool,
    /// Whether field names are wanted from JSON lines (see [`json::Nesting`]).
    wants_paths: bool,
    nesting: json::Nesting,
    /// Whether the line being cut starts like JSON.
    json_line: bool,
    /// The offset in the file up to which the nesting was read.
    read_to: u64,
    /// Where the next piece of the line picks up its key paths.
    next: Option<Resume>,
}

impl Pieces {
    fn new(file: &Arc<FileState>, config: &Config) -> Pieces {
        Pieces {
            whole: Arc::clone(file),
            mid_line: Arc::new(FileState {
                info: file.info.clone(),
                context: FileContext {
                    starts_mid_line: true,
                    ..FileContext::default()
                },
            }),
            noted: false,
            wants_paths: config.describe && config.structure && file.context.csv.is_none(),
            nesting: json::Nesting::default(),
            json_line: false,
            read_to: 0,
            next: None,
        }
    }

    /// Reads the nesting of a cut line through a piece of it (at `base` in the file), and
    /// returns where that piece picks up its key paths.
    fn follow(&mut self, base: u64, piece: &[u8], long_line: &LongLine) -> Option<Resume> {
        if !self.wants_paths {
            return None;
        }
        let resume = if long_line.line_offset == 0 {
            self.nesting = json::Nesting::default();
            self.read_to = base;
            self.next = None;
            // A line of text is no JSON, whatever brackets and commas it holds.
            self.json_line = json::looks_like_json(piece);
            None
        } else {
            self.next.take()
        };
        // The last piece of the line has no piece after it to prepare.
        if self.json_line && long_line.owned.end < piece.len() {
            let next_start = base + (piece.len() - chunk::OVERLAP) as u64;
            let unread = &piece[(self.read_to - base) as usize..];
            let from = (next_start - self.read_to) as usize;
            self.next = self.nesting.feed(unread, from).map(|(i, prefix)| Resume {
                at: (self.read_to + i as u64 - next_start) as usize,
                prefix,
            });
            self.read_to = base + piece.len() as u64;
        }
        resume
    }
}

/// Feeds units to the pool in ordered batches and the results to the sink.
struct Driver<'s> {
    scanner: &'s Scanner,
    sink: &'s mut dyn Sink,
    batch: Vec<Unit>,
    batch_bytes: usize,
    max_units: usize,
    max_bytes: usize,
    /// The bytes of a batch of mapped chunks: their bytes are not held, only their findings,
    /// so a batch can be larger, and fewer batches mean fewer waits at their ends (a batch
    /// ends when its slowest share does and the previous batch is emitted): 48 MiB batches
    /// scanned the 1 GiB export 5% faster than 12 MiB ones at two threads.
    max_mapped_bytes: usize,
    /// Lines seen so far in the file whose chunks are being emitted.
    lines_before: u64,
    stats: Stats,
    /// The last batch scanned, its results not yet emitted.
    scanned: Option<(Vec<Unit>, Vec<ChunkResult>)>,
}

impl<'s> Driver<'s> {
    fn new(scanner: &'s Scanner, sink: &'s mut dyn Sink) -> Driver<'s> {
        let threads = rayon::current_num_threads().max(1);
        let chunk = scanner.config.chunk_size.max(1);
        Driver {
            scanner,
            sink,
            batch: Vec::new(),
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
            lines_before: 0,
            stats: Stats {
                detector_time: scanner
                    .families()
                    .into_iter()
                    .map(|f| (f, Duration::ZERO))
                    .collect(),
                ..Stats::default()
            },
            scanned: None,
        }
    }

    fn error(&mut self, e: &SourceError) {
        self.stats.errors += 1;
        self.sink.error(e);
    }

    fn add(&mut self, target: &Target) {
        if self.stats.output_closed {
            return;
        }
        let input = match source::open(target) {
            Ok(Some(input)) => input,
            Ok(None) => {
                self.stats.files += u64::from(target.explicit || target.path.is_file());
                return;
            }
            Err(e) => return self.error(&e),
        };
        let display = source::display_path(&target.path);
        match input {
            // Compressed and UTF-16 content is decoded as a stream; the rest is read in place.
            Input::Bytes(content) if source::is_encoded(&content) => {
                self.add_stream(&target.path, Box::new(std::io::Cursor::new(content)))
            }
            Input::Bytes(content) => {
                let head = &content[..content.len().min(BINARY_PROBE)];
                if !self.scanner.config.binary && memchr::memchr(0, head).is_some() {
                    self.skip_binary(&display);
                    return;
                }
                self.stats.files += 1;
                let file = Arc::new(FileState {
                    context: FileContext::sniff(&target.path, head),
                    info: FileInfo {
                        path: display,
                        compression: None,
                        encoding: None,
                    },
                });
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
            }
            Input::Stream(reader) => self.add_stream(&target.path, reader),
        }
    }

    /// Reads a stream in newline-aligned chunks and queues them. Compressed streams are
    /// recognised by their magic bytes and decompressed, then UTF-16 text by its BOM and
    /// decoded to UTF-8; reading (and decoding) runs on its own thread so that it overlaps
    /// with the scanning of earlier chunks.
    fn add_stream(&mut self, path: &Path, reader: Box<dyn Read + Send + '_>) {
        let display = source::display_path(path);
        let (raw_head, rest) = match read_head(reader) {
            Ok(x) => x,
            Err(e) => return self.error(&SourceError::io(path, e)),
        };
        let compression = Compression::sniff(&raw_head);
        let raw = std::io::Cursor::new(raw_head).chain(rest);
        let reader: Box<dyn Read + Send + '_> = match compression {
            None => Box::new(raw),
            Some(format) => match format.decoder(raw, self.scanner.config.max_ratio) {
                Ok(decoder) => decoder,
                Err(e) => return self.error(&SourceError::io(path, e)),
            },
        };
        let (mut head, mut rest) = match read_head(reader) {
            Ok(x) => x,
            Err(e) => return self.error(&SourceError::io(path, e)),
        };
        // Before the binary check: UTF-16 holds NUL bytes, its UTF-8 text does not.
        let encoding = Utf16::sniff(&head);
        if let Some(utf16) = encoding {
            let decoder = utf16.decoder(std::io::Cursor::new(head).chain(rest));
            (head, rest) = match read_head(decoder) {
                Ok(x) => x,
                Err(e) => return self.error(&SourceError::io(path, e)),
            };
        }
        self.stats.files += 1;
        if head.is_empty() {
            return;
        }
        if !self.scanner.config.binary && memchr::memchr(0, &head).is_some() {
            self.stats.files -= 1;
            self.skip_binary(&display);
            return;
        }
        let file = Arc::new(FileState {
            context: FileContext::sniff(path, &head),
            info: FileInfo {
                path: display,
                compression,
                encoding,
            },
        });
        let reader = std::io::Cursor::new(head).chain(rest);
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
                        if self.stats.output_closed {
                            break;
                        }
                    }
                    Err(e) => {
                        self.finish();
                        self.error(&SourceError::io(path, e));
                        break;
                    }
                }
            }
            // Dropping the receiver ends the reader thread at its next send.
            drop(rx);
        });
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
            self.sink.note(&pieces.whole.info.path, &message);
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
        });
    }

    fn skip_binary(&mut self, display: &str) {
        self.stats.skipped_binary += 1;
        self.sink.note(
            display,
            "binary file (NUL byte near the start); skipped, use --binary to scan it",
        );
    }

    fn push(&mut self, unit: Unit) {
        self.batch_bytes += unit.bytes.as_slice().len();
        let max_bytes = match unit.bytes {
            UnitBytes::Shared(..) => self.max_mapped_bytes,
            UnitBytes::Owned(_) => self.max_bytes,
        };
        self.batch.push(unit);
        if self.batch.len() >= self.max_units || self.batch_bytes >= max_bytes {
            self.flush();
        }
    }

    /// Scans the pending batch in parallel while the previous batch's results are emitted on
    /// this thread, so the pool never waits for the output. With one thread the two run one
    /// after the other: `--threads 1` means one core.
    fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.batch);
        self.batch_bytes = 0;
        let scanner = self.scanner;
        let scan = |batch: &[Unit]| -> Vec<ChunkResult> {
            batch
                .par_iter()
                .map(|unit| {
                    scanner.scan_chunk(unit.bytes.as_slice(), unit.base, &unit.file.context)
                })
                .collect()
        };
        let previous = self.scanned.take();
        let results = if rayon::current_num_threads() > 1 {
            let mut results = Vec::new();
            rayon::in_place_scope(|s| {
                s.spawn(|_| results = scan(&batch));
                if let Some((units, results)) = previous {
                    self.emit(units, results);
                }
            });
            results
        } else {
            if let Some((units, results)) = previous {
                self.emit(units, results);
            }
            scan(&batch)
        };
        self.scanned = Some((batch, results));
    }

    /// Scans and emits everything queued: before an error is reported, and at the end.
    fn finish(&mut self) {
        self.flush();
        if let Some((units, results)) = self.scanned.take() {
            self.emit(units, results);
        }
    }

    /// Hands the results of a scanned batch to the sink, in order.
    fn emit(&mut self, batch: Vec<Unit>, results: Vec<ChunkResult>) {
        for (unit, mut result) in batch.iter().zip(results) {
            if let Some(long_line) = &unit.long_line {
                keep_owned(long_line, unit.base, &mut result);
            }
            // Units of a file arrive in order, and its first one starts at byte 0.
            if unit.base == 0 {
                self.lines_before = 0;
            }
            if let UnitBytes::Shared(content, range) = &unit.bytes {
                if range.end == content.len() {
                    if let Some(now) = content.shrunk() {
                        self.stats.errors += 1;
                        self.sink.error(&SourceError::Other {
                            path: unit.file.info.path.clone(),
                            message: format!(
                                "the file shrank from {} to {now} bytes while it was scanned; \
                                 what lay past byte {now} may be scanned only in part",
                                content.len()
                            ),
                        });
                    }
                }
            }
            self.stats.bytes += result.bytes;
            self.stats.malformed_json += result.malformed_json;
            self.stats.findings += result.findings.len() as u64;
            for (slot, t) in self
                .stats
                .detector_time
                .iter_mut()
                .zip(&result.detector_time)
            {
                slot.1 += *t;
            }
            let started = Instant::now();
            if !self.stats.output_closed {
                for mut finding in result.findings {
                    finding.line += self.lines_before;
                    if let Err(e) = self.sink.finding(&unit.file.info, &finding) {
                        if e.kind() == std::io::ErrorKind::BrokenPipe {
                            self.stats.output_closed = true;
                            break;
                        }
                        self.stats.errors += 1;
                        self.sink
                            .note(&unit.file.info.path, &format!("cannot write output: {e}"));
                        self.stats.output_closed = true;
                        break;
                    }
                }
            }
            self.stats.output_time += started.elapsed();
            self.lines_before += result.newlines;
        }
        self.sink.progress(self.stats.bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Collects what the engine emits.
    #[derive(Default)]
    struct Collect {
        findings: Vec<(String, Finding)>,
        errors: Vec<String>,
    }

    impl Sink for Collect {
        fn finding(&mut self, file: &FileInfo, finding: &Finding) -> std::io::Result<()> {
            self.findings.push((file.path.clone(), finding.clone()));
            Ok(())
        }
        fn error(&mut self, error: &SourceError) {
            self.errors.push(error.to_string());
        }
        fn note(&mut self, _path: &str, _message: &str) {}
    }

    fn scanner(chunk_size: usize) -> Scanner {
        Scanner::new(Config {
            chunk_size,
            show_values: true,
            ..Config::default()
        })
    }

    /// A value nested thousands deep keeps the innermost keys of its field name only, masked
    /// as usual (`London` is a place): a field of 30 KB would be printed in every finding.
    #[test]
    fn a_field_nested_thousands_deep_keeps_its_innermost_keys() {
        let n = 5000;
        let line = format!(
            r#"{}{{"London":{{"contact":"jane@example.com"}}}}{}"#,
            r#"{"ab":"#.repeat(n),
            "}".repeat(n)
        );
        let scanner = scanner(chunk::DEFAULT_CHUNK_SIZE);
        let result = scanner.scan_chunk(line.as_bytes(), 0, &FileContext::default());
        let email = result
            .findings
            .iter()
            .find(|f| f.kind == Kind::Email)
            .unwrap();
        let field = email.field.as_deref().unwrap();
        assert!(
            field.len() <= MAX_FIELD + '…'.len_utf8(),
            "{} bytes",
            field.len()
        );
        assert!(field.starts_with("…ab.ab."), "{field}");
        assert!(field.ends_with(".ab.L***.contact"), "{field}");
        // A path at the limit is printed whole.
        let line = format!(r#"{{"{}":"jane@example.com"}}"#, "k".repeat(MAX_FIELD));
        let result = scanner.scan_chunk(line.as_bytes(), 0, &FileContext::default());
        assert_eq!(
            result.findings[0].field.as_deref(),
            Some(&*"k".repeat(MAX_FIELD))
        );
    }

    /// Every positive and negative example of every detector, through the whole engine.
    #[test]
    fn detector_examples() {
        let scanner = scanner(chunk::DEFAULT_CHUNK_SIZE);
        let mut failures = Vec::new();
        for example in detect::examples() {
            let result = scanner.scan_chunk(example.input.as_bytes(), 0, &FileContext::default());
            let got: Vec<&str> = result
                .findings
                .iter()
                .filter(|f| f.kind == example.kind)
                .map(|f| {
                    &example.input[f.offset as usize..(f.offset + u64::from(f.length)) as usize]
                })
                .collect();
            if got != example.expect {
                failures.push(format!(
                    "{}: {:?}\n  expected {:?}\n  got      {:?}",
                    example.kind, example.input, example.expect, got
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "{} examples failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    const SAMPLE: &str = concat!(
        "{\"properties\":{\"$email\":\"jane.doe@example.com\",\"ip\":\"203.0.113.7\",\"$city\":\"Lyon\"}}\n",
        "plain line with 2001:db8::1 and bob@example.org\n",
        "\n",
        "{\"event\":\"x\",\"properties\":{\"$name\":\"Jane Doe\",\"mp_country_code\":\"FR\"}}\r\n",
        "no pii here at all, 12:34:56, v1.2.3.4\n",
        "last line without newline 198.51.100.1",
    );

    fn scan_file(scanner: &Scanner, text: &[u8], threads: usize) -> Vec<Finding> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sample.ndjson");
        std::fs::write(&path, text).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut sink = Collect::default();
        pool.install(|| scanner.scan_paths(&[path], &mut sink));
        assert!(sink.errors.is_empty(), "{:?}", sink.errors);
        sink.findings.into_iter().map(|(_, f)| f).collect()
    }

    fn scan_stream(scanner: &Scanner, text: &[u8]) -> Vec<Finding> {
        let mut sink = Collect::default();
        scanner.scan_reader(Path::new("-"), text, &mut sink);
        sink.findings.into_iter().map(|(_, f)| f).collect()
    }

    /// The reference: the whole input as one chunk, scanned directly.
    fn reference(text: &[u8]) -> Vec<Finding> {
        scanner(usize::MAX)
            .scan_chunk(text, 0, &FileContext::default())
            .findings
    }

    #[test]
    fn same_findings_for_every_chunk_size_thread_count_and_read_path() {
        let text = SAMPLE.as_bytes();
        let want = reference(text);
        assert!(want.len() >= 4, "the sample should hold findings: {want:?}");
        for chunk_size in [1, 2, 3, 5, 8, 13, 64, 100, 4096] {
            let scanner = scanner(chunk_size);
            for threads in [1, 2, 3] {
                assert_eq!(
                    scan_file(&scanner, text, threads),
                    want,
                    "mmap, chunk {chunk_size}, threads {threads}"
                );
            }
            assert_eq!(
                scan_stream(&scanner, text),
                want,
                "stream, chunk {chunk_size}"
            );
        }
    }

    /// What an SDK derives from the user agent (`$os`, `$browser`) is never a person, while a
    /// device's name often is its owner's.
    #[test]
    fn browser_and_os_values_are_left_to_their_key_but_device_names_are_searched() {
        let text =
            b"{\"$os\":\"Jane Doe\",\"$browser\":\"Jane Doe\",\"device\":\"Jane Doe's iPhone\"}\n";
        // Without the device detector (as `scan` runs by default), and with it.
        let direct: KindSet = Kind::ALL.into_iter().filter(|k| !k.is_quasi()).collect();
        for kinds in [direct, KindSet::all()] {
            let scanner = Scanner::new(Config {
                kinds,
                ..Config::default()
            });
            let names: Vec<String> = scan_file(&scanner, text, 1)
                .into_iter()
                .filter(|f| f.kind == Kind::PersonName)
                .map(|f| f.field.unwrap().to_string())
                .collect();
            assert_eq!(names, ["device"], "{kinds:?}");
        }
    }

    /// A key that is itself personal data is masked in the field names of the findings under
    /// it, as it would be in their `masked` value, even when its kind is not scanned for.
    #[test]
    fn personal_data_in_keys_is_masked_in_field_names() {
        let text = br#"{"contacts":{"jane.doe@example.com":{"ip":"203.0.113.9"},"10.1.2.3":{"Jane Doe":{"ip":"203.0.113.10"}}},"app":{"V2":{"ip":"203.0.113.11"}}}"#;
        let scanner = Scanner::new(Config {
            kinds: [Kind::Ipv4].into_iter().collect(),
            ..Config::default()
        });
        let fields: Vec<String> = scan_file(&scanner, &[&text[..], b"\n"].concat(), 1)
            .into_iter()
            .filter(|f| f.masked.starts_with("203."))
            .map(|f| f.field.unwrap().to_string())
            .collect();
        assert_eq!(
            fields,
            [
                "contacts.j***@e***.com.ip",
                "contacts.10.1.*.*.J*** D***.ip",
                "app.V2.ip"
            ]
        );
    }

    /// Places and coordinates used as keys are masked in field names too, as their findings
    /// are, whatever kinds are scanned for; ordinary keys, digits and capitals included, are
    /// left alone.
    #[test]
    fn places_and_coordinates_in_keys_are_masked_in_field_names() {
        let text = concat!(
            r#"{"London":{"ip":"81.2.69.167"}}"#,
            "\n",
            r#"{"props":{"40.7128,-74.0060":{"ip":"81.2.69.164"}}}"#,
            "\n",
            r#"{"Lyon, France":{"California":{"ip":"81.2.69.165"}},"v2":{"HTTP":{"ip":"81.2.69.166"}}}"#,
            "\n",
        );
        let direct: KindSet = Kind::ALL.into_iter().filter(|k| !k.is_quasi()).collect();
        for kinds in [[Kind::Ipv4].into_iter().collect(), direct, KindSet::all()] {
            let scanner = Scanner::new(Config {
                kinds,
                ..Config::default()
            });
            let fields: Vec<String> = scan_file(&scanner, text.as_bytes(), 1)
                .into_iter()
                .filter(|f| f.kind == Kind::Ipv4)
                .map(|f| f.field.unwrap().to_string())
                .collect();
            assert_eq!(
                fields,
                [
                    "L***.ip",
                    "props.40.7*,-74.0*.ip",
                    "L***, F***.C***.ip",
                    "v2.HTTP.ip"
                ],
                "{kinds:?}"
            );
        }
    }

    #[test]
    fn lines_and_columns() {
        let text = b"a\nbob@example.org x\r\n\n  carol@example.net";
        let found = scan_stream(&scanner(1), text);
        let at: Vec<(u64, u64, u32)> = found.iter().map(|f| (f.offset, f.line, f.column)).collect();
        assert_eq!(at, [(2, 2, 1), (24, 4, 3)]);
    }

    #[test]
    fn escaped_values_are_unescaped_and_found_at_their_disk_offsets() {
        let text = concat!(
            r#"{"msg":"moved to S\u00e3o Paulo","note":"Contact: Ren\u00e9e Dupont"}"#,
            "\n",
            r#"{"cut":"S\u00e3o Paulo"#,
            "\n"
        );
        let scanner = scanner(1 << 20);
        let result = scanner.scan_chunk(text.as_bytes(), 0, &FileContext::default());
        let found: Vec<(&str, Kind)> = result
            .findings
            .iter()
            .map(|f| (&text[f.offset as usize..][..f.length as usize], f.kind))
            .collect();
        assert_eq!(
            found,
            [
                (r"S\u00e3o Paulo", Kind::City),
                (r"Ren\u00e9e Dupont", Kind::PersonName)
            ]
        );
        assert_eq!(result.malformed_json, 1);
    }

    #[test]
    fn binary_inputs_are_skipped_unless_asked() {
        let mut text = b"bob@example.org\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', 70_000));
        text.push(0);
        assert_eq!(
            scan_stream(&scanner(64), &text).len(),
            1,
            "NUL past the probe"
        );
        text.insert(20, 0);
        assert!(
            scan_stream(&scanner(64), &text).is_empty(),
            "NUL inside the probe"
        );
        let binary = Scanner::new(Config {
            binary: true,
            ..Config::default()
        });
        assert_eq!(scan_stream(&binary, &text).len(), 1);
    }

    fn filler() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                "[a-z]{1,8}",
                "[0-9]{1,6}",
                Just(" ".to_string()),
                Just("\n".to_string()),
                Just(", ".to_string()),
                Just("{\"k\":\"v\"}".to_string()),
                Just("\r\n".to_string()),
            ],
            0..20,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// A value planted anywhere is found at its exact offset whatever the chunk size.
        #[test]
        fn planted_values_are_found_at_their_offset(
            before in filler(),
            after in filler(),
            value in prop_oneof![
                Just("jane.doe@example.com"),
                Just("203.0.113.77"),
                Just("2001:db8::42"),
            ],
            chunk_size in 1usize..64,
        ) {
            let text = format!("{before} {value} {after}");
            let offset = before.len() as u64 + 1;
            let found = scan_stream(&scanner(chunk_size), text.as_bytes());
            let hit = found.iter().find(|f| f.offset == offset);
            prop_assert!(hit.is_some(), "{value:?} not found at {offset} in {text:?}: {found:?}");
            prop_assert_eq!(hit.map(|f| f.length as usize), Some(value.len()));
            prop_assert_eq!(&found, &reference(text.as_bytes()));
        }
    }
}
