//! Evaluation: findings against ground-truth labels, as precision, recall and F1.
//!
//! A label (`{"path","offset","length","kind"}`, byte offsets on disk, or in the text the scan
//! reads from a compressed or UTF-16 file, path relative to the labels file) is *found* when a
//! finding of the same kind overlaps it, and a finding is *correct* when it overlaps a label of
//! its kind, else it is a false positive. These strict figures are the ones reported per kind.
//! Beside them, for place names, a lenient figure
//! counts any place kind as right for any place label ([`compatible`]): many names are both a
//! city and a region (`Hiroshima`, `Munster`) and text does not always say which is meant, so
//! the lenient figure says whether a place was found at all, the strict one whether its kind
//! was right too. Both are also split by context, because precision in a JSON value under
//! `$city` and in a support ticket are different promises: *structured* (a JSON line or a CSV
//! file) and *text* (everything else).
//!
//! Findings are matched as the scan emits them and then dropped: the engine emits each file's
//! findings in offset order and labels are sorted the same way, so one forward walk over both
//! matches them, holding only the findings that may still overlap a label not yet counted.
//! The context of each line is read from one sequential pass over the file (the first two
//! non-blank bytes of a line say whether it is JSON), kept as runs of lines, not as content.
//! Memory is thus the labels plus a few findings, whatever the size of the corpus.
//!
//! Examples of misses and false positives are printed masked, like every other output.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt::Write as _;
use std::io::{self, BufRead, Read};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::detect;
use crate::engine::{FileContext, Scanner};
use crate::finding::{Finding, Kind, KindSet};
use crate::sink::{Chunk, Flow, InputEnd, InputInfo, Problem, Sink, Stats, GO_ON};
use crate::source::decompress::Compression;
use crate::source::transcode::Utf16;
use crate::source::SourceError;
use crate::structure::json::looks_like_json;

/// One line of a labels file.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Label {
    pub path: String,
    pub offset: u64,
    pub length: u64,
    pub kind: Kind,
}

/// A label as kept for matching (16 bytes: a corpus holds millions); its file is the key it
/// is kept under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub offset: u64,
    pub length: u32,
    pub kind: Kind,
}

impl Span {
    fn end(&self) -> u64 {
        self.offset + u64::from(self.length)
    }
}

/// The labels of each file (by canonical path), sorted by offset.
pub type Labels = HashMap<PathBuf, Vec<Span>>;

/// Where a span sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    /// A JSON line or a CSV file.
    Structured,
    /// Plain text: logs, tickets.
    Text,
}

/// Counts for one kind in one context.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub labels: u64,
    /// Labels overlapped by a finding of their kind.
    pub found: u64,
    pub findings: u64,
    /// Findings that overlap a label of their kind.
    pub correct: u64,
    /// Labels overlapped by a finding of a [`compatible`] kind (any place kind for a place).
    pub found_any_place: u64,
    /// Findings that overlap a label of a [`compatible`] kind.
    pub correct_any_place: u64,
}

impl Counts {
    /// Strict precision: the finding's kind must be the label's.
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.findings)
    }
    /// Strict recall: the finding's kind must be the label's.
    pub fn recall(&self) -> f64 {
        ratio(self.found, self.labels)
    }
    pub fn f1(&self) -> f64 {
        f1(self.precision(), self.recall())
    }
    /// Precision when any place kind is right for any place label.
    pub fn precision_any_place(&self) -> f64 {
        ratio(self.correct_any_place, self.findings)
    }
    /// Recall when any place kind is right for any place label.
    pub fn recall_any_place(&self) -> f64 {
        ratio(self.found_any_place, self.labels)
    }
    pub fn f1_any_place(&self) -> f64 {
        f1(self.precision_any_place(), self.recall_any_place())
    }
    fn add(&mut self, other: &Counts) {
        self.labels += other.labels;
        self.found += other.found;
        self.findings += other.findings;
        self.correct += other.correct;
        self.found_any_place += other.found_any_place;
        self.correct_any_place += other.correct_any_place;
    }
}

/// An empty denominator counts as perfect: nothing to find, nothing wrongly found.
fn ratio(num: u64, den: u64) -> f64 {
    if den == 0 {
        1.0
    } else {
        num as f64 / den as f64
    }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

/// A masked example of a miss or a false positive.
#[derive(Clone, Debug, Serialize)]
pub struct Example {
    pub path: String,
    pub offset: u64,
    pub kind: Kind,
    pub masked: String,
}

/// The result of an evaluation.
#[derive(Debug, Default)]
pub struct Evaluation {
    pub counts: BTreeMap<(Kind, Context), Counts>,
    pub misses: Vec<Example>,
    pub false_positives: Vec<Example>,
    /// Labels whose file was not scanned.
    pub unscanned_labels: u64,
    /// One of the files those labels name (the first by name).
    pub unscanned_example: Option<PathBuf>,
}

impl Evaluation {
    /// Counts for a kind in a context, or over both when `context` is `None`.
    pub fn get(&self, kind: Kind, context: Option<Context>) -> Counts {
        let mut total = Counts::default();
        for ((k, c), counts) in &self.counts {
            if *k == kind && context.is_none_or(|want| want == *c) {
                total.add(counts);
            }
        }
        total
    }

    /// Counts over every kind and context.
    pub fn overall(&self) -> Counts {
        let mut total = Counts::default();
        for counts in self.counts.values() {
            total.add(counts);
        }
        total
    }

    /// The human-readable table: strict figures, and for place kinds the figures when any
    /// place kind counts as right.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<13} {:<10} {:>8} {:>9} {:>9} {:>9} {:>7}   {:>9} {:>9}",
            "kind",
            "context",
            "labels",
            "findings",
            "precision",
            "recall",
            "f1",
            "any-place",
            "any-place"
        );
        let _ = writeln!(
            out,
            "{:<13} {:<10} {:>8} {:>9} {:>9} {:>9} {:>7}   {:>9} {:>9}",
            "", "", "", "", "(strict)", "(strict)", "", "precision", "recall"
        );
        let mut row = |name: &str, context: &str, c: Counts, place: bool| {
            let lenient = |v: f64| {
                if place {
                    format!("{v:.4}")
                } else {
                    "-".to_string()
                }
            };
            let _ = writeln!(
                out,
                "{name:<13} {context:<10} {:>8} {:>9} {:>9.4} {:>9.4} {:>7.4}   {:>9} {:>9}",
                c.labels,
                c.findings,
                c.precision(),
                c.recall(),
                c.f1(),
                lenient(c.precision_any_place()),
                lenient(c.recall_any_place()),
            );
        };
        for kind in Kind::ALL {
            for (context, name) in [
                (Some(Context::Structured), "structured"),
                (Some(Context::Text), "text"),
                (None, "all"),
            ] {
                let c = self.get(kind, context);
                if c.labels > 0 || c.findings > 0 {
                    row(kind.name(), name, c, is_place(kind));
                }
            }
        }
        row("overall", "all", self.overall(), true);
        let mut examples = |title: &str, list: &[Example]| {
            if !list.is_empty() {
                let _ = writeln!(out, "\n{title}:");
                for e in list {
                    let masked = crate::source::printable(&e.masked);
                    let _ = writeln!(out, "  {} @{} {} {masked}", e.path, e.offset, e.kind);
                }
            }
        };
        examples("missed (masked)", &self.misses);
        examples("false positives (masked)", &self.false_positives);
        if self.unscanned_labels > 0 {
            let _ = writeln!(
                out,
                "\n{} labels are in files that were not scanned",
                self.unscanned_labels
            );
        }
        out
    }
}

/// Reads a labels file; label paths are resolved against the file's folder.
pub fn read_labels(path: &Path) -> Result<Labels, SourceError> {
    let file = std::fs::File::open(path).map_err(|e| SourceError::io(path, e))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut by_file: Labels = HashMap::new();
    // Label paths repeat: canonicalise each once.
    let mut keys: HashMap<String, PathBuf> = HashMap::new();
    for (n, line) in io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| SourceError::io(path, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let label: Label = serde_json::from_str(&line).map_err(|e| {
            SourceError::other(
                path,
                format!(
                    "line {}: not a label: {}",
                    n + 1,
                    crate::scrub::parser_message(&e.to_string())
                ),
            )
        })?;
        let key = keys
            .entry(label.path)
            .or_insert_with_key(|p| canonical(&base.join(p)));
        let length = u32::try_from(label.length).map_err(|_| {
            SourceError::other(path, format!("line {}: a label longer than 4 GiB", n + 1))
        })?;
        by_file.entry(key.clone()).or_default().push(Span {
            offset: label.offset,
            length,
            kind: label.kind,
        });
    }
    for labels in by_file.values_mut() {
        labels.sort_by_key(|l| l.offset);
    }
    Ok(by_file)
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// How many examples of each sort to keep.
const EXAMPLES: usize = 8;

/// The kinds worth evaluating against `labels`: every direct identifier (a finding of one is
/// a false positive unless labelled), and the quasi-identifiers the labels cover at all (a
/// corpus that does not label devices says nothing about them).
pub fn evaluated_kinds(labels: &Labels) -> KindSet {
    let mut kinds: KindSet = Kind::ALL.into_iter().filter(|k| !k.is_quasi()).collect();
    for label in labels.values().flatten() {
        kinds.insert(label.kind);
    }
    kinds
}

fn is_place(kind: Kind) -> bool {
    // Place names: a city and a region can be the same word; coordinates cannot.
    kind.is_location() && kind.normal() == crate::detect::Normal::Text
}

/// True when a finding of kind `found` can account for a label of kind `labelled` in the
/// lenient figures: the same kind, or two kinds of place name, because many names are both a
/// city and a region (`Hiroshima`, `Düzce`, `Munster`) and text does not say which is meant.
pub fn compatible(labelled: Kind, found: Kind) -> bool {
    labelled == found || (is_place(labelled) && is_place(found))
}

/// Scans `paths` (except the labels file itself, `labels_path`, when it sits among them) and
/// compares the findings with `labels` as they are emitted; problems with inputs go to `sink`
/// behind the matcher (a printer of problems, or nothing).
pub fn evaluate(
    scanner: &Scanner,
    paths: &[PathBuf],
    labels_path: &Path,
    labels: Labels,
) -> (Evaluation, Stats) {
    let (files, mut matcher) = Matcher::new(paths, labels_path, labels);
    let stats = scanner.scan_paths(&files, &mut matcher);
    (matcher.finish(), stats)
}

/// A file to match, not yet started.
struct Pending {
    display: String,
    path: PathBuf,
    labels: Vec<Span>,
}

/// The sink of an evaluation: matches each file's findings against its labels as they come.
pub struct Matcher {
    /// The scanned files in scan order, not yet started.
    queue: VecDeque<Pending>,
    current: Option<FileMatch>,
    eval: Evaluation,
}

impl Matcher {
    /// A matcher of the files of `paths` (but the labels file) against `labels`, and the files
    /// to scan.
    pub fn new(
        paths: &[PathBuf],
        labels_path: &Path,
        mut labels: Labels,
    ) -> (Vec<PathBuf>, Matcher) {
        let labels_key = canonical(labels_path);
        let files: Vec<PathBuf> = crate::source::walk::targets(paths)
            .flatten()
            .map(|t| t.path)
            .filter(|p| canonical(p) != labels_key)
            .collect();
        let queue: VecDeque<Pending> = crate::source::walk::targets(&files)
            .flatten()
            .map(|target| Pending {
                display: crate::source::display_path(&target.path),
                labels: labels.remove(&canonical(&target.path)).unwrap_or_default(),
                path: target.path,
            })
            .collect();
        let unscanned = labels.values().map(|v| v.len() as u64).sum();
        let matcher = Matcher {
            queue,
            current: None,
            eval: Evaluation {
                unscanned_labels: unscanned,
                unscanned_example: labels.into_keys().min(),
                ..Evaluation::default()
            },
        };
        (files, matcher)
    }

    /// Labels whose file is not among those to scan, and one of those files: known before
    /// the scan.
    pub fn unscanned(&self) -> Option<(u64, &Path)> {
        let example = self.eval.unscanned_example.as_deref()?;
        Some((self.eval.unscanned_labels, example))
    }

    /// Counts what is left of every file and returns the evaluation.
    pub fn finish(mut self) -> Evaluation {
        if let Some(file) = self.current.take() {
            file.finish(&mut self.eval);
        }
        while let Some(pending) = self.queue.pop_front() {
            FileMatch::start(pending).finish(&mut self.eval);
        }
        self.eval
    }
}

impl Sink for Matcher {
    fn begin(&mut self, input: &InputInfo) -> Flow {
        if let Some(done) = self.current.take() {
            done.finish(&mut self.eval);
        }
        // Files that were not begun (unreadable, skipped) come before this one in scan order.
        while let Some(pending) = self.queue.pop_front() {
            let started = FileMatch::start(pending);
            if started.display == input.path {
                self.current = Some(started);
                break;
            }
            started.finish(&mut self.eval);
        }
        GO_ON
    }

    fn chunk(&mut self, chunk: &Chunk<'_>) -> Flow {
        if let Some(current) = &mut self.current {
            for finding in chunk.findings {
                current.finding(finding, &mut self.eval);
            }
        }
        GO_ON
    }

    fn problem(&mut self, _problem: &Problem<'_>) -> Flow {
        GO_ON
    }

    fn end(&mut self, _input: &InputInfo, _end: &InputEnd) -> Flow {
        if let Some(done) = self.current.take() {
            done.finish(&mut self.eval);
        }
        GO_ON
    }
}

/// The matching of one file's findings and labels, both in offset order.
struct FileMatch {
    display: String,
    path: PathBuf,
    labels: Vec<Span>,
    contexts: LineContexts,
    /// The first label not yet counted as found or missed.
    next_label: usize,
    /// The first label that a finding starting at the current offset can overlap.
    window: usize,
    /// The findings (start, end, kind) that may overlap a label not yet counted.
    recent: VecDeque<(u64, u64, Kind)>,
    /// Misses to show, whose masked values are read when the file is done.
    misses: Vec<Span>,
    /// Where the last finding started.
    last_start: u64,
}

impl FileMatch {
    fn start(pending: Pending) -> FileMatch {
        let contexts = LineContexts::read(&pending.path).unwrap_or_else(|e| {
            eprintln!(
                "piiscan: {}: cannot read it to tell JSON lines from text ({e}); counted as text",
                pending.display
            );
            LineContexts::default()
        });
        FileMatch {
            display: pending.display,
            path: pending.path,
            labels: pending.labels,
            contexts,
            next_label: 0,
            window: 0,
            recent: VecDeque::new(),
            misses: Vec::new(),
            last_start: 0,
        }
    }

    fn finding(&mut self, f: &Finding, eval: &mut Evaluation) {
        let (start, end) = (f.offset, f.offset + u64::from(f.length));
        self.last_start = start;
        // Labels that end before this finding starts can overlap no later finding.
        while self
            .labels
            .get(self.next_label)
            .is_some_and(|l| l.end() <= start)
        {
            self.count_label(eval);
        }
        while self
            .labels
            .get(self.window)
            .is_some_and(|l| l.end() <= start)
        {
            self.window += 1;
        }
        let (mut strict, mut lenient) = (false, false);
        for l in self.labels[self.window..]
            .iter()
            .take_while(|l| l.offset < end)
            .filter(|l| l.end() > start)
        {
            strict |= l.kind == f.kind;
            lenient |= compatible(l.kind, f.kind);
        }
        let counts = eval
            .counts
            .entry((f.kind, self.contexts.at(start)))
            .or_default();
        counts.findings += 1;
        counts.correct += u64::from(strict);
        counts.correct_any_place += u64::from(lenient);
        if !lenient && eval.false_positives.len() < EXAMPLES {
            eval.false_positives.push(Example {
                path: self.display.clone(),
                offset: f.offset,
                kind: f.kind,
                masked: f.masked.to_string(),
            });
        }
        if let Some(next) = self.labels.get(self.next_label) {
            // Labels come in offset order: what ends before the next one starts is done.
            while self.recent.front().is_some_and(|r| r.1 <= next.offset) {
                self.recent.pop_front();
            }
            self.recent.push_back((start, end, f.kind));
        }
    }

    /// Counts the next label as found or missed by the findings kept in `recent`.
    fn count_label(&mut self, eval: &mut Evaluation) {
        let l = self.labels[self.next_label];
        self.next_label += 1;
        while self.recent.front().is_some_and(|r| r.1 <= l.offset) {
            self.recent.pop_front();
        }
        let (mut strict, mut lenient) = (false, false);
        for &(_, _, kind) in self
            .recent
            .iter()
            .filter(|r| r.0 < l.end() && l.offset < r.1)
        {
            strict |= kind == l.kind;
            lenient |= compatible(l.kind, kind);
        }
        let counts = eval
            .counts
            .entry((l.kind, self.contexts.at(l.offset)))
            .or_default();
        counts.labels += 1;
        counts.found += u64::from(strict);
        counts.found_any_place += u64::from(lenient);
        if !lenient && eval.misses.len() + self.misses.len() < EXAMPLES {
            self.misses.push(l);
        }
    }

    /// Counts the labels left, then reads the masked values of the misses to show.
    fn finish(mut self, eval: &mut Evaluation) {
        while self.next_label < self.labels.len() {
            self.count_label(eval);
        }
        if self.misses.is_empty() {
            return;
        }
        let values = read_spans(&self.path, &self.misses).unwrap_or_default();
        for (i, l) in self.misses.iter().enumerate() {
            eval.misses.push(Example {
                path: self.display.clone(),
                offset: l.offset,
                kind: l.kind,
                masked: detect::mask(l.kind, values.get(i).map_or(&[][..], Vec::as_slice)).into(),
            });
        }
    }
}

/// Opens a file as the engine reads it: decompressed when its magic bytes say so, then
/// decoded to UTF-8 when it starts with a UTF-16 BOM.
fn open_decompressed(path: &Path) -> io::Result<Box<dyn BufRead + Send>> {
    let mut file = io::BufReader::with_capacity(1 << 16, std::fs::File::open(path)?);
    let magic = file.fill_buf()?;
    let mut reader: Box<dyn BufRead + Send> = match Compression::sniff(magic) {
        Some(format) => Box::new(io::BufReader::with_capacity(
            1 << 16,
            format.decoder(file, u64::MAX)?,
        )),
        None => Box::new(file),
    };
    if let Some(utf16) = Utf16::sniff(reader.fill_buf()?) {
        reader = Box::new(io::BufReader::with_capacity(1 << 16, utf16.decoder(reader)));
    }
    Ok(reader)
}

/// The bytes of each of `spans` (sorted by offset) in the file, in one sequential read.
fn read_spans(path: &Path, spans: &[Span]) -> io::Result<Vec<Vec<u8>>> {
    let mut reader = open_decompressed(path)?;
    let mut position = 0;
    let mut out = Vec::with_capacity(spans.len());
    for span in spans {
        let skip = span.offset.saturating_sub(position);
        io::copy(&mut (&mut reader).take(skip), &mut io::sink())?;
        let mut value = Vec::new();
        (&mut reader)
            .take(u64::from(span.length))
            .read_to_end(&mut value)?;
        position = span.offset.max(position) + value.len() as u64;
        out.push(value);
    }
    Ok(out)
}

/// The context of every line of a file, as runs of lines that share it.
#[derive(Default)]
struct LineContexts {
    /// (offset where a run of lines starts, their context), by offset.
    runs: Vec<(u64, Context)>,
}

impl LineContexts {
    /// Reads a file once: every line of a CSV file is structured, a JSON line is structured,
    /// anything else is text.
    fn read(path: &Path) -> io::Result<LineContexts> {
        let mut reader = open_decompressed(path)?;
        let head = reader.fill_buf()?;
        if FileContext::sniff(path, head, None).csv.is_some() {
            return Ok(LineContexts {
                runs: vec![(0, Context::Structured)],
            });
        }
        let mut contexts = LineContexts::default();
        let mut position = 0u64;
        let mut line_start = 0u64;
        // The first non-blank bytes of the current line, until its context is decided.
        let mut tokens: Vec<u8> = Vec::with_capacity(2);
        let mut decided = false;
        loop {
            let buf = reader.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            let mut i = 0;
            while i < buf.len() {
                if decided {
                    match memchr::memchr(b'\n', &buf[i..]) {
                        Some(j) => i += j,
                        None => {
                            i = buf.len();
                            continue;
                        }
                    }
                }
                let b = buf[i];
                if b == b'\n' {
                    if !decided {
                        contexts.push(line_start, &tokens);
                    }
                    line_start = position + i as u64 + 1;
                    tokens.clear();
                    decided = false;
                } else if !b.is_ascii_whitespace() {
                    tokens.push(b);
                    if tokens.len() == 2 {
                        contexts.push(line_start, &tokens);
                        decided = true;
                    }
                }
                i += 1;
            }
            let n = buf.len();
            reader.consume(n);
            position += n as u64;
        }
        if !decided && line_start < position {
            contexts.push(line_start, &tokens);
        }
        Ok(contexts)
    }

    /// Records the context of the line at `start` from its first non-blank bytes.
    fn push(&mut self, start: u64, tokens: &[u8]) {
        let context = if looks_like_json(tokens) {
            Context::Structured
        } else {
            Context::Text
        };
        if self.runs.last().is_none_or(|r| r.1 != context) {
            self.runs.push((start, context));
        }
    }

    /// The context of the line that holds `offset`.
    fn at(&self, offset: u64) -> Context {
        let i = self.runs.partition_point(|r| r.0 <= offset);
        i.checked_sub(1).map_or(Context::Text, |i| self.runs[i].1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn finding(offset: u64, length: u32, kind: Kind) -> Finding {
        Finding {
            offset,
            length,
            line: 1,
            column: 1,
            kind,
            detail: crate::detect::Detail::NONE,
            field: None,
            masked: "x".into(),
            value: None,
            fingerprint: None,
            checked: None,
        }
    }

    fn label(offset: u64, length: u32, kind: Kind) -> Span {
        Span {
            offset,
            length,
            kind,
        }
    }

    /// Matches findings (in offset order) with labels in a file of text lines.
    fn compare(labels: &[Span], findings: &[Finding]) -> Evaluation {
        let mut eval = Evaluation::default();
        let mut file = FileMatch::start(Pending {
            display: "f.log".into(),
            path: PathBuf::from("/nonexistent/f.log"),
            labels: labels.to_vec(),
        });
        for f in findings {
            file.finding(f, &mut eval);
        }
        file.finish(&mut eval);
        eval
    }

    /// Spans and line contexts are read from the text the scan reads: decompressed, decoded.
    #[test]
    fn files_are_opened_as_the_scan_reads_them() {
        use std::io::Write;
        let text = "{\"a\":1}\nbob@example.org\n";
        let mut utf16 = vec![0xff, 0xfe];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&utf16).unwrap();
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in [
            ("plain.log", text.as_bytes().to_vec()),
            ("utf16.log", utf16),
            ("utf16.log.gz", gz.finish().unwrap()),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let mut got = String::new();
            open_decompressed(&path)
                .unwrap()
                .read_to_string(&mut got)
                .unwrap();
            assert_eq!(got, text, "{name}");
        }
    }

    fn tuple(c: Counts) -> (u64, u64, u64, u64) {
        (c.labels, c.found, c.findings, c.correct)
    }

    #[test]
    fn overlap_and_kind_decide() {
        let labels = [
            label(0, 5, Kind::Email),
            label(10, 5, Kind::City),
            label(30, 5, Kind::Email),
            label(40, 5, Kind::Region),
        ];
        let findings = [
            finding(2, 5, Kind::Email),   // overlaps the first label: correct
            finding(10, 5, Kind::Region), // a region for a city: right only as "any place"
            finding(20, 3, Kind::Ipv4),   // overlaps nothing: wrong
            finding(30, 5, Kind::Ipv4),   // overlaps a label of another kind: wrong
            finding(41, 2, Kind::Region), // inside a region label: correct
        ];
        let eval = compare(&labels, &findings);
        assert_eq!(tuple(eval.get(Kind::Email, None)), (2, 1, 1, 1));
        let city = eval.get(Kind::City, None);
        assert_eq!(tuple(city), (1, 0, 0, 0));
        assert_eq!((city.recall(), city.recall_any_place()), (0.0, 1.0));
        let region = eval.get(Kind::Region, None);
        assert_eq!(tuple(region), (1, 1, 2, 1));
        assert_eq!(region.precision(), 0.5);
        assert_eq!(region.precision_any_place(), 1.0);
        assert_eq!(eval.get(Kind::Ipv4, None).precision(), 0.0);
        // Examples: only what no compatible kind accounts for.
        assert_eq!(eval.misses.len(), 1);
        assert_eq!(eval.false_positives.len(), 2);
        let all = eval.overall();
        assert_eq!(tuple(all), (4, 2, 5, 2));
        assert_eq!((all.found_any_place, all.correct_any_place), (3, 3));
    }

    /// The streaming match against a brute-force one: every finding against every label.
    #[test]
    fn streaming_match_equals_brute_force() {
        let kinds = [Kind::City, Kind::Region, Kind::Email, Kind::Referrer];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut random = move |n: u64| rng.gen_range(0..n);
        for _ in 0..200 {
            let mut labels = Vec::new();
            let mut at = 0;
            for _ in 0..random(20) {
                at += random(15);
                let length = 1 + random(8) as u32;
                labels.push(label(at, length, kinds[random(4) as usize]));
                at += u64::from(length);
            }
            let mut findings = Vec::new();
            let mut at = 0;
            for _ in 0..random(20) {
                at += random(10);
                // Findings may overlap each other (a referrer around an e-mail address).
                findings.push(finding(
                    at,
                    1 + random(12) as u32,
                    kinds[random(4) as usize],
                ));
            }
            let eval = compare(&labels, &findings);
            let overlaps = |l: &Span, f: &Finding| {
                l.offset < f.offset + u64::from(f.length) && f.offset < l.end()
            };
            let mut want = Counts::default();
            for l in &labels {
                want.labels += 1;
                want.found +=
                    u64::from(findings.iter().any(|f| overlaps(l, f) && f.kind == l.kind));
                want.found_any_place += u64::from(
                    findings
                        .iter()
                        .any(|f| overlaps(l, f) && compatible(l.kind, f.kind)),
                );
            }
            for f in &findings {
                want.findings += 1;
                want.correct +=
                    u64::from(labels.iter().any(|l| overlaps(l, f) && f.kind == l.kind));
                want.correct_any_place += u64::from(
                    labels
                        .iter()
                        .any(|l| overlaps(l, f) && compatible(l.kind, f.kind)),
                );
            }
            assert_eq!(eval.overall(), want, "{labels:?}\n{findings:?}");
        }
    }

    #[test]
    fn contexts() {
        let dir = tempfile::tempdir().unwrap();
        let text = b"{\"a\":1}\nplain\n  [ {\"b\":2}]\n\n[12/Nov/2025:10:15:32] x\n{\"c\":\nlast";
        let plain = dir.path().join("mixed.log");
        std::fs::write(&plain, text).unwrap();
        let gz = dir.path().join("mixed.log.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        io::Write::write_all(&mut enc, text).unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        let csv = dir.path().join("x.csv");
        std::fs::write(&csv, b"id,email\nplain,a@b.co\n").unwrap();
        use Context::{Structured as S, Text as T};
        // (offset, context), for every line
        let want = [
            (2, S),
            (9, T),
            (14, S),
            (26, S),
            (27, T),
            (28, T),
            (53, S),
            (60, T),
        ];
        for path in [&plain, &gz] {
            let contexts = LineContexts::read(path).unwrap();
            for (offset, context) in want {
                assert_eq!(contexts.at(offset), context, "{path:?} @{offset}");
            }
        }
        let contexts = LineContexts::read(&csv).unwrap();
        assert_eq!(contexts.at(12), S);
    }

    #[test]
    fn misses_are_shown_masked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.txt");
        std::fs::write(&path, b"hello Jane Doe and Lyon\n").unwrap();
        let spans = [label(6, 8, Kind::PersonName), label(19, 4, Kind::City)];
        assert_eq!(
            read_spans(&path, &spans).unwrap(),
            [b"Jane Doe".to_vec(), b"Lyon".to_vec()]
        );
        let mut eval = Evaluation::default();
        let file = FileMatch::start(Pending {
            display: "t.txt".into(),
            path,
            labels: spans.to_vec(),
        });
        file.finish(&mut eval);
        let masked: Vec<&str> = eval.misses.iter().map(|e| e.masked.as_str()).collect();
        assert_eq!(masked, ["J*** D***", "L***"]);
    }
}
