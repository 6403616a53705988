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

mod labels;
mod lines;
mod matcher;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::engine::Scanner;
use crate::finding::{Kind, KindSet};
use crate::sink::Stats;

pub use labels::read_labels;
pub use matcher::Matcher;

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

#[cfg(test)]
mod tests;
