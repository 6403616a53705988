//! `--format json`: one report object with every finding, the errors and the totals.
//!
//! The whole report is held until the scan ends, so memory grows with the number of findings;
//! for very large scans `jsonl` streams instead.

use std::io::{self, Write};

use serde::Serialize;

use super::{gb_per_s, print_error, print_note, Record, Reporter};
use crate::finding::Finding;
use crate::policy::gate::{Judgement, Verdict};
use crate::scan::{FileInfo, Sink, Stats};
use crate::source::SourceError;

pub struct JsonReporter<'w> {
    out: Box<dyn Write + 'w>,
    findings: Vec<(FileInfo, Finding, Option<Judgement>)>,
    errors: Vec<String>,
    verdict: Option<Verdict>,
}

impl<'w> JsonReporter<'w> {
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        JsonReporter {
            out,
            findings: Vec::new(),
            errors: Vec::new(),
            verdict: None,
        }
    }
}

impl Sink for JsonReporter<'_> {
    fn finding(&mut self, file: &FileInfo, finding: &Finding) -> io::Result<()> {
        self.findings.push((file.clone(), finding.clone(), None));
        Ok(())
    }

    fn error(&mut self, error: &SourceError) {
        print_error(error);
        self.errors.push(error.to_string());
    }

    fn note(&mut self, path: &str, message: &str) {
        print_note(path, message);
    }
}

#[derive(Serialize)]
struct Report<'a> {
    findings: Vec<Record<'a>>,
    errors: &'a [String],
    summary: Totals,
    /// With a policy: the gate's verdict and its reasons.
    #[serde(skip_serializing_if = "Option::is_none")]
    gate: Option<&'a Verdict>,
}

#[derive(Serialize)]
struct Totals {
    findings: usize,
    by_kind: std::collections::BTreeMap<&'static str, u64>,
    files: u64,
    bytes: u64,
    skipped_binary: u64,
    errors: u64,
    elapsed_seconds: f64,
    gb_per_second: f64,
}

impl Reporter for JsonReporter<'_> {
    fn judged(
        &mut self,
        file: &FileInfo,
        finding: &Finding,
        judgement: &Judgement,
    ) -> io::Result<()> {
        self.findings
            .push((file.clone(), finding.clone(), Some(*judgement)));
        Ok(())
    }

    fn verdict(&mut self, verdict: &Verdict) {
        self.verdict = Some(verdict.clone());
    }

    fn finish(&mut self, stats: &Stats) -> io::Result<()> {
        let mut by_kind = std::collections::BTreeMap::new();
        for (_, f, _) in &self.findings {
            *by_kind.entry(f.kind.name()).or_insert(0u64) += 1;
        }
        let report = Report {
            findings: self
                .findings
                .iter()
                .map(|(p, f, j)| match j {
                    Some(j) => Record::judged(p, f, j),
                    None => Record::new(p, f),
                })
                .collect(),
            errors: &self.errors,
            summary: Totals {
                findings: self.findings.len(),
                by_kind,
                files: stats.files,
                bytes: stats.bytes,
                skipped_binary: stats.skipped_binary,
                errors: stats.errors,
                elapsed_seconds: stats.elapsed.as_secs_f64(),
                gb_per_second: gb_per_s(stats.bytes, stats.elapsed),
            },
            gate: self.verdict.as_ref(),
        };
        serde_json::to_writer_pretty(&mut self.out, &report)?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }
}
