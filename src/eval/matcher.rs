//! The walk that matches findings with labels as the scan emits them.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use crate::detect;
use crate::finding::{Finding, Kind};
use crate::sink::{Chunk, Flow, InputEnd, InputInfo, Problem, Sink, GO_ON};

use super::labels::canonical;
use super::lines::{read_spans, LineContexts};
use super::{compatible, Evaluation, Example, Labels, Span, EXAMPLES};

/// A file to match, not yet started.
pub(super) struct Pending {
    pub(super) display: String,
    pub(super) path: PathBuf,
    pub(super) labels: Vec<Span>,
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
pub(super) struct FileMatch {
    pub(super) display: String,
    pub(super) path: PathBuf,
    pub(super) labels: Vec<Span>,
    pub(super) contexts: LineContexts,
    /// The first label not yet counted as found or missed.
    pub(super) next_label: usize,
    /// The first label that a finding starting at the current offset can overlap.
    pub(super) window: usize,
    /// The findings (start, end, kind) that may overlap a label not yet counted.
    pub(super) recent: VecDeque<(u64, u64, Kind)>,
    /// Misses to show, whose masked values are read when the file is done.
    pub(super) misses: Vec<Span>,
    /// Where the last finding started.
    pub(super) last_start: u64,
}

impl FileMatch {
    pub(super) fn start(pending: Pending) -> FileMatch {
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

    pub(super) fn finding(&mut self, f: &Finding, eval: &mut Evaluation) {
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
    pub(super) fn finish(mut self, eval: &mut Evaluation) {
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
