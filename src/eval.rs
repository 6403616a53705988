//! Evaluation: findings against ground-truth labels, as precision, recall and F1.
//!
//! A label (`{"path","offset","length","kind"}`, byte offsets on disk, path relative to the
//! labels file) is *found* when a finding of a compatible kind (the same kind, or for place
//! names any place kind, see [`compatible`]) overlaps it. A finding is *correct* when it
//! overlaps a label of a compatible kind, else it is a false positive. Both are also split by
//! context, because precision in a JSON value under `$city` and in a support ticket are different
//! promises: *structured* (a JSON line or a CSV file) and *text* (everything else).
//!
//! Examples of misses and false positives are printed masked, like every other output.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::{self, BufRead};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::detect;
use crate::finding::{Finding, Kind, KindSet};
use crate::scan::{FileInfo, Scanner, Sink, Stats};
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
    pub found: u64,
    pub findings: u64,
    pub correct: u64,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.findings)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.found, self.labels)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn add(&mut self, other: &Counts) {
        self.labels += other.labels;
        self.found += other.found;
        self.findings += other.findings;
        self.correct += other.correct;
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

    /// The human-readable table.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<13} {:<10} {:>8} {:>9} {:>9} {:>9} {:>7}",
            "kind", "context", "labels", "findings", "precision", "recall", "f1"
        );
        let mut row = |name: &str, context: &str, c: Counts| {
            let _ = writeln!(
                out,
                "{name:<13} {context:<10} {:>8} {:>9} {:>9.4} {:>9.4} {:>7.4}",
                c.labels,
                c.findings,
                c.precision(),
                c.recall(),
                c.f1()
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
                    row(kind.name(), name, c);
                }
            }
        }
        row("overall", "all", self.overall());
        let mut examples = |title: &str, list: &[Example]| {
            if !list.is_empty() {
                let _ = writeln!(out, "\n{title}:");
                for e in list {
                    let _ = writeln!(out, "  {} @{} {} {}", e.path, e.offset, e.kind, e.masked);
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
pub fn read_labels(path: &Path) -> Result<HashMap<PathBuf, Vec<Label>>, SourceError> {
    let file = std::fs::File::open(path).map_err(|e| SourceError::io(path, e))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut by_file: HashMap<PathBuf, Vec<Label>> = HashMap::new();
    for (n, line) in io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| SourceError::io(path, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let label: Label = serde_json::from_str(&line)
            .map_err(|e| SourceError::other(path, format!("line {}: not a label: {e}", n + 1)))?;
        let key = canonical(&base.join(&label.path));
        by_file.entry(key).or_default().push(label);
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

/// Collects findings per file, to match them against labels when the scan is over.
#[derive(Default)]
struct Collect {
    findings: Vec<(String, Vec<Finding>)>,
    errors: Vec<String>,
}

impl Sink for Collect {
    fn finding(&mut self, file: &FileInfo, finding: &Finding) -> io::Result<()> {
        let path = file.path.as_str();
        if self.findings.last().is_none_or(|(p, _)| p != path) {
            self.findings.push((path.to_string(), Vec::new()));
        }
        if let Some((_, list)) = self.findings.last_mut() {
            list.push(finding.clone());
        }
        Ok(())
    }
    fn error(&mut self, error: &SourceError) {
        crate::report::print_error(error);
        self.errors.push(error.to_string());
    }
    fn note(&mut self, path: &str, message: &str) {
        crate::report::print_note(path, message);
    }
}

/// The kinds worth evaluating against `labels`: every direct identifier (a finding of one is
/// a false positive unless labelled), and the quasi-identifiers the labels cover at all (a
/// corpus that does not label devices says nothing about them).
pub fn evaluated_kinds(labels: &HashMap<PathBuf, Vec<Label>>) -> KindSet {
    let mut kinds: KindSet = Kind::ALL.into_iter().filter(|k| !k.is_quasi()).collect();
    for label in labels.values().flatten() {
        kinds.insert(label.kind);
    }
    kinds
}

/// True when a finding of kind `found` can account for a label of kind `labelled`: the same
/// kind, or two kinds of place name, because many names are both a city and a region
/// (`Hiroshima`, `Düzce`, `Munster`) and text does not say which is meant.
pub fn compatible(labelled: Kind, found: Kind) -> bool {
    let place = |k: Kind| matches!(k, Kind::City | Kind::Region | Kind::Country);
    labelled == found || (place(labelled) && place(found))
}

/// Scans `paths` (except the labels file itself, `labels_path`, when it sits among them) and
/// compares the findings with `labels`.
pub fn evaluate(
    scanner: &Scanner,
    paths: &[PathBuf],
    labels_path: &Path,
    mut labels: HashMap<PathBuf, Vec<Label>>,
) -> (Evaluation, Stats) {
    let labels_key = canonical(labels_path);
    let files: Vec<PathBuf> = crate::source::walk::targets(paths)
        .flatten()
        .map(|t| t.path)
        .filter(|p| canonical(p) != labels_key)
        .collect();
    let mut sink = Collect::default();
    let stats = scanner.scan_paths(&files, &mut sink);
    let mut eval = Evaluation::default();
    let mut scanned: Vec<String> = Vec::new();
    for target in crate::source::walk::targets(&files).flatten() {
        scanned.push(crate::source::display_path(&target.path));
        let key = canonical(&target.path);
        let file_labels = labels.remove(&key).unwrap_or_default();
        let display = crate::source::display_path(&target.path);
        let findings = sink
            .findings
            .iter()
            .find(|(p, _)| *p == display)
            .map(|(_, f)| f.as_slice())
            .unwrap_or(&[]);
        let content = std::fs::read(&target.path).unwrap_or_default();
        compare(&display, &content, findings, &file_labels, &mut eval);
    }
    eval.unscanned_labels = labels.values().map(|v| v.len() as u64).sum();
    (eval, stats)
}

/// The context of a span: structured when its line is JSON or its file is CSV.
fn context_at(content: &[u8], offset: u64, csv: bool) -> Context {
    if csv {
        return Context::Structured;
    }
    let offset = (offset as usize).min(content.len());
    let start = memchr::memrchr(b'\n', &content[..offset]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &content[offset..]).map_or(content.len(), |i| offset + i);
    if looks_like_json(&content[start..end]) {
        Context::Structured
    } else {
        Context::Text
    }
}

fn compare(
    path: &str,
    content: &[u8],
    findings: &[Finding],
    labels: &[Label],
    eval: &mut Evaluation,
) {
    let csv = crate::scan::FileContext::sniff(Path::new(path), content)
        .csv
        .is_some();
    let overlaps = |a_off: u64, a_len: u64, b_off: u64, b_len: u64| {
        a_off < b_off + b_len && b_off < a_off + a_len
    };
    let slice = |offset: u64, length: u64| {
        let s = (offset as usize).min(content.len());
        let e = ((offset + length) as usize).min(content.len());
        &content[s..e]
    };
    // Both lists are sorted by offset; a window keeps the comparison linear.
    let mut lo = 0;
    for f in findings {
        while lo < labels.len() && labels[lo].offset + labels[lo].length <= f.offset {
            lo += 1;
        }
        let correct = labels[lo..]
            .iter()
            .take_while(|l| l.offset < f.offset + u64::from(f.length))
            .any(|l| {
                compatible(l.kind, f.kind)
                    && overlaps(l.offset, l.length, f.offset, u64::from(f.length))
            });
        let counts = eval
            .counts
            .entry((f.kind, context_at(content, f.offset, csv)))
            .or_default();
        counts.findings += 1;
        if correct {
            counts.correct += 1;
        } else if eval.false_positives.len() < EXAMPLES {
            eval.false_positives.push(Example {
                path: path.to_string(),
                offset: f.offset,
                kind: f.kind,
                masked: f.masked.to_string(),
            });
        }
    }
    let mut lo = 0;
    for l in labels {
        while lo < findings.len()
            && findings[lo].offset + u64::from(findings[lo].length) <= l.offset
        {
            lo += 1;
        }
        let found = findings[lo..]
            .iter()
            .take_while(|f| f.offset < l.offset + l.length)
            .any(|f| {
                compatible(l.kind, f.kind)
                    && overlaps(l.offset, l.length, f.offset, u64::from(f.length))
            });
        let counts = eval
            .counts
            .entry((l.kind, context_at(content, l.offset, csv)))
            .or_default();
        counts.labels += 1;
        if found {
            counts.found += 1;
        } else if eval.misses.len() < EXAMPLES {
            eval.misses.push(Example {
                path: path.to_string(),
                offset: l.offset,
                kind: l.kind,
                masked: detect::mask(l.kind, slice(l.offset, l.length)),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(offset: u64, length: u32, kind: Kind) -> Finding {
        Finding {
            offset,
            length,
            line: 1,
            column: 1,
            kind,
            field: None,
            masked: "x".into(),
            value: None,
            fingerprint: None,
            checked: None,
        }
    }

    fn label(offset: u64, length: u64, kind: Kind) -> Label {
        Label {
            path: "f".into(),
            offset,
            length,
            kind,
        }
    }

    #[test]
    fn overlap_and_kind_decide() {
        let content = b"0123456789012345678901234567890123456789";
        let labels = [
            label(0, 5, Kind::Email),
            label(10, 5, Kind::City),
            label(30, 5, Kind::Email),
        ];
        let findings = [
            finding(2, 5, Kind::Email),   // overlaps the first label: correct
            finding(10, 5, Kind::Region), // a region for a city: a compatible place kind
            finding(20, 3, Kind::Ipv4),   // overlaps nothing: wrong
            finding(30, 5, Kind::Ipv4),   // overlaps a label of another kind: wrong
        ];
        let mut eval = Evaluation::default();
        compare("f.log", content, &findings, &labels, &mut eval);
        let email = eval.get(Kind::Email, None);
        assert_eq!(
            (email.labels, email.found, email.findings, email.correct),
            (2, 1, 1, 1)
        );
        assert_eq!(eval.get(Kind::City, None).recall(), 1.0);
        assert_eq!(eval.get(Kind::Region, None).precision(), 1.0);
        assert_eq!(eval.get(Kind::Ipv4, None).precision(), 0.0);
        assert_eq!(eval.misses.len(), 1);
        assert_eq!(eval.false_positives.len(), 2);
        let all = eval.overall();
        assert_eq!(
            (all.labels, all.found, all.findings, all.correct),
            (3, 2, 4, 2)
        );
    }

    #[test]
    fn contexts() {
        let content = b"{\"a\":1}\nplain\n";
        assert_eq!(context_at(content, 2, false), Context::Structured);
        assert_eq!(context_at(content, 9, false), Context::Text);
        assert_eq!(context_at(content, 9, true), Context::Structured);
    }
}
