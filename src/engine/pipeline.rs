//! One chunk through the whole pipeline, on one thread: the prefilter pass lists candidate
//! positions, the structure stage finds the values under hinting keys (JSON keys, CSV columns),
//! every enabled detector visits its candidates, the values that hold JSON escapes are scanned
//! again unescaped, overlaps are resolved, and what is kept becomes findings.
//!
//! The candidate lists, hints and matches are reused from chunk to chunk by each worker thread
//! ([`Scratch`]): a dense export yields thousands per chunk, and allocating them anew would
//! cost more than filling them.

use std::time::{Duration, Instant};

use super::{resolve, FileContext, Scanner, STAGES};
use crate::detect::{Haystack, HintedValue, Match};
use crate::finding::Finding;
use crate::prefilter::{Candidates, Class, Classes};

/// The candidate classes of the identifier and credential detectors (phones, cards, IBANs,
/// national numbers, IMEIs, secrets), which values whose key rules out identifiers do not
/// need.
const IDENTIFIER_CLASSES: Classes = Classes::NONE
    .with(Class::Number)
    .with(Class::Code)
    .with(Class::Secret);
use crate::structure::keys;
use crate::structure::{escapes, json};

/// The findings of one chunk, with lines counted from the chunk's start.
#[derive(Debug, Default)]
pub struct ChunkResult {
    pub findings: Vec<Finding>,
    /// Newlines in the chunk, to number the lines of the chunks after it.
    pub newlines: u64,
    pub bytes: u64,
    /// Time spent in each detector family and stage, in the order of
    /// [`Scanner::stage_names`].
    pub stage_times: Vec<Duration>,
    /// Lines that start like JSON but do not parse: scanned as plain text.
    pub malformed_json: u64,
}

/// Buffers reused from chunk to chunk by each worker thread.
#[derive(Default)]
struct Scratch {
    candidates: Candidates,
    hints: Vec<HintedValue>,
    /// Where the string values whose key rules out identifiers start (see
    /// [`crate::detect::Hint::rules_out_identifiers`]).
    inert: Vec<usize>,
    matches: Vec<Match>,
    /// The matches kept by overlap resolution, which become findings.
    kept: Vec<Match>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

impl Scanner {
    /// Scans one chunk of whole lines that starts at byte `base` of its input.
    pub fn scan_chunk(&self, bytes: &[u8], base: u64, file: &FileContext) -> ChunkResult {
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            self.scan_chunk_with(bytes, base, file, &[], &mut scratch)
        })
    }

    /// [`Scanner::scan_chunk`] with hints known beforehand (the cells of records under their
    /// field's hint, see [`super::records`]), sorted by `start`, besides those the structure
    /// stage finds.
    pub(super) fn scan_hinted_chunk(
        &self,
        bytes: &[u8],
        file: &FileContext,
        given: &[HintedValue],
    ) -> ChunkResult {
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            self.scan_chunk_with(bytes, 0, file, given, &mut scratch)
        })
    }

    fn scan_chunk_with(
        &self,
        bytes: &[u8],
        base: u64,
        file: &FileContext,
        given: &[HintedValue],
        scratch: &mut Scratch,
    ) -> ChunkResult {
        let Scratch {
            candidates,
            hints,
            inert,
            matches,
            kept,
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
            // The digit runs and credential-shaped words of values whose key rules them out
            // (`app_version`, `ip`, `$insert_id`) are dropped here, once, rather than
            // visited and turned away by each identifier detector.
            inert.clear();
            let drop = self.detector_classes.intersection(IDENTIFIER_CLASSES);
            let spans = (drop != Classes::NONE).then_some(&mut *inert);
            json::find_hints_with(bytes, keys, structure, &self.key_filter, hints, spans);
            let end = |start| json::string_end(bytes, start).unwrap_or(start);
            candidates.drop_within(drop, inert, end);
        }
        // The records of a CSV chunk that hold line ends in quoted cells.
        let records = csv.map_or_else(Vec::new, |header| header.multiline_records(bytes));
        if let Some(header) = csv {
            header.find_hints(bytes, base == 0, &records, hints);
            hints.sort_by_key(|h| (h.start, h.end));
        }
        if !given.is_empty() {
            hints.extend_from_slice(given);
            hints.sort_by_key(|h| (h.start, h.end));
        }
        let mut hay = Haystack::with_candidates(bytes, hints, candidates);
        hay.hint_at = structure.then_some(json::hint_of_value_at as _);
        hay.document = structure && file.document;
        matches.clear();
        let mut stage_times = Vec::with_capacity(self.detectors.len() + STAGES.len());
        let hints_time = started.elapsed();
        for detector in &self.detectors {
            let started = Instant::now();
            detector.find(&hay, self.config.kinds, matches);
            stage_times.push(started.elapsed());
        }
        let started = Instant::now();
        let malformed_json = if unescape {
            let malformed = self.scan_unescaped(bytes, candidates, matches);
            // Text that the driver reads whole is judged there, not by its lines.
            if file.judged_whole {
                0
            } else {
                malformed
            }
        } else {
            0
        };
        let escapes_time = started.elapsed();
        let started = Instant::now();
        matches.retain(|m| {
            self.config.kinds.contains(m.kind) && m.start < m.end && m.end <= bytes.len()
        });
        resolve::overlaps(&hay, matches, kept);
        let resolve_time = started.elapsed();
        let started = Instant::now();
        let findings = self.build(bytes, base, file, candidates, &records, kept);
        stage_times.extend([
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
            stage_times,
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
                    detail: m.detail,
                    start: value.disk[m.start],
                    end: value.disk[m.end],
                    kind: m.kind,
                });
            }
        })
    }
}
