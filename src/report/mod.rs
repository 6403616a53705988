//! Reporters: events in, text out. One file per format, each a [`Sink`] of the engine that
//! also knows how to close its report ([`Reporter::finish`]).
//!
//! A reporter only renders: it never scans, and of a chunk's events it reads the [`Finding`]s,
//! whose `masked` value is all it may print unless the user asked for `--show-values` (then
//! `value` is set), and a policy's judgements when a gate stands in front of it. Problems with
//! inputs go to stderr, with the path and never any content.
//!
//! Paths and field names come from the data. What a person reads (the summary, the verdict,
//! the exposure table and page, stderr, a SARIF message) shows them in their printable form,
//! control, bidirectional and invisible characters escaped ([`crate::source::printable`]), so
//! that a name cannot rewrite a terminal or pass for another. What a tool reads (a JSON or
//! JSONL `path` and `field`, a SARIF `uri` and `field` property) carries them as they are,
//! escaped only by the format's own rules (JSON string escapes, percent-encoding in a URI),
//! so that a code-scanning service or a script finds the file and the key.

pub mod exposure;
pub mod json;
pub mod jsonl;
pub mod markdown;
pub mod sarif;
pub mod summary;
pub mod verdict;

use std::io::{self, Write};

use serde::Serialize;

use crate::finding::{Action, Finding, Judgement, Kind};
use crate::policy::gate::Verdict;
use crate::sink::{Chunk, Flow, InputInfo, Problem, Sink, Stats, GO_ON};

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Counts by kind and by file, bytes scanned, elapsed time and throughput.
    Summary,
    /// One JSON object per finding, one per line.
    Jsonl,
    /// One JSON report object.
    Json,
    /// SARIF 2.1.0, for code scanning (GitHub, GitLab, Azure DevOps).
    Sarif,
    /// A gate's verdict in Markdown (for CI job summaries); the findings are not listed.
    Markdown,
}

/// How a run ended, as the reporter closing it needs to know.
#[derive(Clone, Copy, Debug)]
pub struct End<'a> {
    pub stats: &'a Stats,
    /// The gate's verdict, when a policy judged the findings.
    pub verdict: Option<&'a Verdict>,
}

/// A sink that also closes the report when the scan is over.
pub trait Reporter: Sink {
    /// Writes what comes after the findings; returns the first write error of the run.
    fn finish(&mut self, end: &End<'_>) -> io::Result<()>;
}

/// A reporter that writes nothing but problems, for runs whose output is the verdict alone.
pub struct Discard;

impl Sink for Discard {
    fn chunk(&mut self, _chunk: &Chunk<'_>) -> Flow {
        GO_ON
    }

    fn problem(&mut self, problem: &Problem<'_>) -> Flow {
        print_problem(problem);
        GO_ON
    }
}

impl Reporter for Discard {
    fn finish(&mut self, _end: &End<'_>) -> io::Result<()> {
        Ok(())
    }
}

/// A sink in front of another that prints each problem on stderr as it comes: for sinks that
/// only gather (the exposure report, an evaluation).
pub struct PrintProblems<'s>(pub &'s mut dyn Sink);

impl Sink for PrintProblems<'_> {
    fn begin(&mut self, input: &InputInfo) -> Flow {
        self.0.begin(input)
    }

    fn chunk(&mut self, chunk: &Chunk<'_>) -> Flow {
        self.0.chunk(chunk)
    }

    fn problem(&mut self, problem: &Problem<'_>) -> Flow {
        print_problem(problem);
        self.0.problem(problem)
    }

    fn end(&mut self, input: &InputInfo, end: &crate::sink::InputEnd) -> Flow {
        self.0.end(input, end)
    }
}

/// Builds the reporter for a format, writing to `out`.
pub fn reporter<'w>(
    format: Format,
    out: Box<dyn Write + 'w>,
    show_stats: bool,
) -> Box<dyn Reporter + 'w> {
    match format {
        Format::Summary => Box::new(summary::SummaryReporter::new(out, show_stats)),
        Format::Jsonl => Box::new(jsonl::JsonlReporter::new(out, show_stats)),
        Format::Json => Box::new(json::JsonReporter::new(out)),
        Format::Sarif => Box::new(sarif::SarifReporter::new(out)),
        // The verdict is the whole output, written when the gate has decided.
        Format::Markdown => Box::new(Discard),
    }
}

/// A finding as written by the JSON formats.
#[derive(Serialize)]
pub struct Record<'a> {
    /// The input's real name ([`InputInfo::name`]), JSON-escaped: tools must find the file.
    pub path: &'a str,
    pub offset: u64,
    pub length: u32,
    pub line: u64,
    pub column: u32,
    pub kind: Kind,
    /// What the kind leaves open: a national number's scheme, a credential's rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<&'static str>,
    pub field: Option<&'a str>,
    pub masked: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<&'a str>,
    /// The compression of the input (`gzip`, `zstd`): offsets count decompressed bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compressed: Option<&'static str>,
    /// The encoding of a UTF-16 input (`UTF-16LE`, `UTF-16BE`), decoded: offsets count bytes
    /// of its UTF-8 text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<&'static str>,
    /// With a policy: what it does with the finding's kind (`fail`, `warn`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// With a baseline: `known` when it accepts the finding, else `new`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<&'static str>,
}

impl<'a> Record<'a> {
    /// The record of a finding, with what a policy concluded of it if one did.
    pub fn new(file: &'a InputInfo, f: &'a Finding, judgement: Option<&Judgement>) -> Record<'a> {
        Record {
            path: &file.name,
            compressed: file.compression.map(|c| c.name()),
            encoding: file.encoding.map(|e| e.name()),
            offset: f.offset,
            length: f.length,
            line: f.line,
            column: f.column,
            kind: f.kind,
            detail: f.detail.name(),
            field: f.field.as_deref(),
            masked: &f.masked,
            value: f.value.as_deref(),
            action: judgement.map(|j| j.action),
            baseline: judgement
                .and_then(|j| j.known)
                .map(|k| if k { "known" } else { "new" }),
        }
    }
}

/// Prints a problem with an input on stderr.
pub fn print_problem(problem: &Problem<'_>) {
    match problem {
        Problem::Error(error) => eprintln!("piiscan: {error}"),
        Problem::Skipped { path, reason } => eprintln!("piiscan: {path}: {reason}"),
        Problem::Note { path, message } => eprintln!("piiscan: {path}: {message}"),
    }
}

/// Throughput in GB/s (10^9 bytes per second).
pub fn gb_per_s(bytes: u64, elapsed: std::time::Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 {
        bytes as f64 / secs / 1e9
    } else {
        0.0
    }
}

/// What a scan did not read, for a message: "1 input could not be read", "2 inputs were not
/// scanned", or both ("1 input could not be read and 2 were not scanned").
pub fn unread(errors: u64, skipped: u64) -> String {
    let not_scanned = |n: u64| {
        if n == 1 {
            "was not scanned"
        } else {
            "were not scanned"
        }
    };
    match (errors, skipped) {
        // Never "0 inputs ...": a run that stopped early read every input it began.
        (0, 0) => "the scan stopped before every input was read".to_string(),
        (0, s) => format!("{} {}", count(s, "input", "inputs"), not_scanned(s)),
        (e, 0) => count(e, "input could not be read", "inputs could not be read"),
        (e, s) => format!(
            "{} and {s} {}",
            count(e, "input could not be read", "inputs could not be read"),
            not_scanned(s)
        ),
    }
}

/// `n` and its noun, singular for one: "1 file", "3 files".
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Writes the `--stats` block: bytes, files, elapsed, GB/s and time per detector family.
pub fn write_stats(out: &mut dyn Write, stats: &Stats) -> io::Result<()> {
    writeln!(
        out,
        "stats: {} bytes in {}, {:.3} s, {:.3} GB/s",
        stats.bytes,
        count(stats.files, "file", "files"),
        stats.elapsed.as_secs_f64(),
        gb_per_s(stats.bytes, stats.elapsed)
    )?;
    if stats.malformed_json > 0 {
        writeln!(
            out,
            "stats: {} scanned as text",
            count(
                stats.malformed_json,
                "malformed JSON line",
                "malformed JSON lines"
            )
        )?;
    }
    // The output stage runs on the thread that emits findings in order, the others on all.
    let output = ("stage:output", stats.output_time);
    for &(family, time) in stats.stage_times.iter().chain([&output]) {
        let (what, name) = match family.strip_prefix("stage:") {
            Some(stage) => ("stage", stage),
            None => ("detector", family),
        };
        let threads = if family == output.0 {
            "the emitting thread"
        } else {
            "all threads"
        };
        writeln!(
            out,
            "stats: {what:<8} {name:<12} {:>9.3} s ({threads})",
            time.as_secs_f64()
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::unread;

    #[test]
    fn unread_never_counts_zero() {
        let cases = [
            (0, 0, "the scan stopped before every input was read"),
            (0, 1, "1 input was not scanned"),
            (0, 2, "2 inputs were not scanned"),
            (1, 0, "1 input could not be read"),
            (2, 3, "2 inputs could not be read and 3 were not scanned"),
        ];
        for (errors, skipped, want) in cases {
            assert_eq!(unread(errors, skipped), want);
            assert!(!unread(errors, skipped).starts_with("0 "));
        }
    }
}
