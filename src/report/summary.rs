//! `--format summary` (the default): what kinds of personal data were found, where, and how
//! fast the scan went. Counts only: no value, masked or not, is printed.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::exposure::human_bytes;
use super::{count, gb_per_s, print_problem, write_stats, End, Reporter};
use crate::finding::Kind;
use crate::sink::{Chunk, Flow, Problem, Sink, SkippedList, GO_ON};

pub struct SummaryReporter<'w> {
    out: Box<dyn Write + 'w>,
    show_stats: bool,
    by_kind: BTreeMap<Kind, u64>,
    /// Files in the order their first finding came, with counts by kind.
    by_file: Vec<(String, BTreeMap<Kind, u64>)>,
    skipped: SkippedList,
}

impl<'w> SummaryReporter<'w> {
    pub fn new(out: Box<dyn Write + 'w>, show_stats: bool) -> Self {
        SummaryReporter {
            out,
            show_stats,
            by_kind: BTreeMap::new(),
            by_file: Vec::new(),
            skipped: SkippedList::default(),
        }
    }
}

impl Sink for SummaryReporter<'_> {
    fn chunk(&mut self, chunk: &Chunk<'_>) -> Flow {
        if chunk.findings.is_empty() {
            return GO_ON;
        }
        let path = chunk.input.path.as_str();
        if self.by_file.last().is_none_or(|(p, _)| p != path) {
            self.by_file.push((path.to_string(), BTreeMap::new()));
        }
        // Counted per chunk first, among the chunk's few kinds: a tree look-up per finding was
        // most of the thread that receives them (290 instructions a finding).
        let mut counts: Vec<(Kind, u64)> = Vec::new();
        for finding in chunk.findings {
            match counts.iter_mut().find(|(kind, _)| *kind == finding.kind) {
                Some((_, n)) => *n += 1,
                None => counts.push((finding.kind, 1)),
            }
        }
        for (kind, n) in counts {
            *self.by_kind.entry(kind).or_default() += n;
            if let Some((_, by_kind)) = self.by_file.last_mut() {
                *by_kind.entry(kind).or_default() += n;
            }
        }
        GO_ON
    }

    fn problem(&mut self, problem: &Problem<'_>) -> Flow {
        print_problem(problem);
        self.skipped.add(problem);
        GO_ON
    }
}

/// Lists the inputs not scanned, each with its reason: "2 inputs not scanned:" and a line
/// each. Nothing when there is none.
pub fn write_skipped(out: &mut dyn Write, skipped: &SkippedList) -> io::Result<()> {
    if skipped.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "{} not scanned:",
        count(skipped.len(), "input", "inputs")
    )?;
    for s in &skipped.listed {
        writeln!(out, "  {}: {}", s.path, s.reason)?;
    }
    if skipped.unlisted > 0 {
        writeln!(out, "  and {} more (listed on stderr)", skipped.unlisted)?;
    }
    Ok(())
}

impl Reporter for SummaryReporter<'_> {
    fn finish(&mut self, end: &End<'_>) -> io::Result<()> {
        let stats = end.stats;
        let total: u64 = self.by_kind.values().sum();
        let out = &mut self.out;
        writeln!(
            out,
            "{} in {} of {}; {} scanned in {:.2} s ({:.3} GB/s)",
            count(total, "finding", "findings"),
            self.by_file.len(),
            count(stats.files, "file", "files"),
            human_bytes(stats.bytes),
            stats.elapsed.as_secs_f64(),
            gb_per_s(stats.bytes, stats.elapsed)
        )?;
        if stats.errors > 0 {
            writeln!(
                out,
                "{} not be read",
                count(stats.errors, "input could", "inputs could")
            )?;
        }
        write_skipped(out, &self.skipped)?;
        if stats.malformed_json > 0 {
            writeln!(
                out,
                "{} like JSON did not parse; scanned as plain text",
                count(stats.malformed_json, "line that starts", "lines that start")
            )?;
        }
        if total > 0 {
            // A heading for each class that has findings: `--kinds quasi` has no direct ones.
            let direct = self.by_kind.keys().any(|k| !k.is_quasi());
            let first = if direct {
                "(direct identifiers)"
            } else {
                "(quasi-identifiers)"
            };
            writeln!(out, "\n{:<14} {:>12}  {first}", "kind", "findings")?;
            for (kind, n) in self.by_kind.iter().filter(|(k, _)| !k.is_quasi()) {
                writeln!(out, "{:<14} {:>12}", kind.name(), n)?;
            }
            if direct && self.by_kind.keys().any(|k| k.is_quasi()) {
                writeln!(out, "{:<14} {:>12}  (quasi-identifiers)", "", "")?;
            }
            for (kind, n) in self.by_kind.iter().filter(|(k, _)| k.is_quasi()) {
                writeln!(out, "{:<14} {:>12}", kind.name(), n)?;
            }
            writeln!(out, "\n{:>12}  file (by kind)", "findings")?;
            for (path, counts) in &self.by_file {
                let n: u64 = counts.values().sum();
                let detail: Vec<String> = counts.iter().map(|(k, c)| format!("{k} {c}")).collect();
                writeln!(out, "{n:>12}  {path} ({})", detail.join(", "))?;
            }
        }
        if self.show_stats {
            writeln!(out)?;
            write_stats(out, stats)?;
        }
        out.flush()
    }
}
