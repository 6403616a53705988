//! `--format json`: one report object with every finding, the errors and the totals.
//!
//! The findings are written into the object's `findings` array as they arrive, and only the
//! errors, counts and verdict wait for the end: a multi-GB scan with millions of findings
//! must not hold them all to print one object.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::{gb_per_s, print_problem, End, Record, Reporter};
use crate::finding::Finding;
use crate::policy::gate::Verdict;
use crate::sink::{Chunk, Flow, Problem, Sink, SkippedInput, SkippedList, GO_ON};

pub struct JsonReporter<'w> {
    out: io::BufWriter<Box<dyn Write + 'w>>,
    findings: usize,
    by_kind: BTreeMap<&'static str, u64>,
    errors: Vec<String>,
    skipped: SkippedList,
    /// The first write that failed: the scan stops, and `finish` returns it.
    failed: Option<io::Error>,
}

impl<'w> JsonReporter<'w> {
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        JsonReporter {
            out: io::BufWriter::with_capacity(1 << 16, out),
            findings: 0,
            by_kind: BTreeMap::new(),
            errors: Vec::new(),
            skipped: SkippedList::default(),
            failed: None,
        }
    }

    /// Writes one record into the `findings` array, opening the object before the first.
    fn write(&mut self, finding: &Finding, record: &Record<'_>) -> io::Result<()> {
        let separator: &[u8] = if self.findings == 0 {
            b"{\n  \"findings\": [\n    "
        } else {
            b",\n    "
        };
        self.out.write_all(separator)?;
        serde_json::to_writer(&mut self.out, record)?;
        self.findings += 1;
        *self.by_kind.entry(finding.kind.name()).or_insert(0) += 1;
        Ok(())
    }
}

impl Sink for JsonReporter<'_> {
    fn chunk(&mut self, chunk: &Chunk<'_>) -> Flow {
        for (finding, judgement) in chunk.judged() {
            if let Err(e) = self.write(finding, &Record::new(chunk.input, finding, judgement)) {
                self.failed = Some(e);
                return Flow::Break(());
            }
        }
        GO_ON
    }

    fn problem(&mut self, problem: &Problem<'_>) -> Flow {
        print_problem(problem);
        if let Problem::Error(error) = problem {
            self.errors.push(error.to_string());
        }
        self.skipped.add(problem);
        GO_ON
    }
}

/// What follows the findings in the report object.
#[derive(Serialize)]
struct Tail<'a> {
    errors: &'a [String],
    /// The inputs not scanned, and why (the first 10,000).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    skipped: &'a [SkippedInput],
    #[serde(skip_serializing_if = "is_zero")]
    skipped_not_listed: u64,
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
    /// Lines that start like JSON but do not parse (scanned as plain text).
    malformed_json: u64,
    errors: u64,
    elapsed_seconds: f64,
    gb_per_second: f64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Reporter for JsonReporter<'_> {
    fn finish(&mut self, end: &End<'_>) -> io::Result<()> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        let stats = end.stats;
        let tail = Tail {
            errors: &self.errors,
            skipped: &self.skipped.listed,
            skipped_not_listed: self.skipped.unlisted,
            summary: Totals {
                findings: self.findings,
                by_kind: std::mem::take(&mut self.by_kind),
                files: stats.files,
                bytes: stats.bytes,
                skipped_binary: stats.skipped_binary,
                malformed_json: stats.malformed_json,
                errors: stats.errors,
                elapsed_seconds: stats.elapsed.as_secs_f64(),
                gb_per_second: gb_per_s(stats.bytes, stats.elapsed),
            },
            gate: end.verdict,
        };
        // The tail's own fields follow the findings: `{"errors": …}` without its brace.
        let tail = serde_json::to_string_pretty(&tail)?;
        let fields = tail.strip_prefix('{').unwrap_or(&tail);
        let opening: &[u8] = if self.findings == 0 {
            b"{\n  \"findings\": [],"
        } else {
            b"\n  ],"
        };
        self.out.write_all(opening)?;
        self.out.write_all(fields.as_bytes())?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }
}
