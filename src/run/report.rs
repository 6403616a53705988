//! `piiscan report` (what would leak, and for how many people) and `piiscan eval` (precision
//! and recall against labels).

use std::io::{self, Write};
use std::path::PathBuf;

use super::{scan_with_progress, start_threads, written, Error, ExitCode, Inputs};
use crate::detect::KindSet;
use crate::engine::{Config, Scanner};
use crate::exposure::Exposure;
use crate::output::{Output, Readers};
use crate::report::{self, exposure as render, PrintProblems};

/// How the exposure report is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// A table for the terminal.
    Table,
    /// One JSON object.
    Json,
    /// A self-contained HTML page.
    Html,
}

/// What `report` was asked for.
#[derive(Clone, Debug)]
pub struct ReportJob {
    pub inputs: Inputs,
    pub format: ReportFormat,
    pub output: Option<PathBuf>,
    pub kinds: KindSet,
}

/// What `eval` was asked for.
#[derive(Clone, Debug)]
pub struct EvalJob {
    /// The labels file (`labels.jsonl`).
    pub labels: PathBuf,
    pub paths: Vec<PathBuf>,
    pub threads: Option<usize>,
    /// The delimiter of delimited files; sniffed from each file when `None`.
    pub delimiter: Option<u8>,
}

/// Scans and writes the exposure report.
pub fn report(job: &ReportJob) -> Result<ExitCode, Error> {
    // Created (and checked against the inputs) before the scan, which can be long.
    let mut out = Output::create(job.output.as_deref(), &job.inputs.paths, Readers::Usual)?;
    let config = Config {
        kinds: job.kinds,
        fingerprints: true,
        exclude: out
            .temporary_path()
            .map(PathBuf::from)
            .into_iter()
            .collect(),
        ..job.inputs.config()
    };
    start_threads(job.inputs.threads)?;
    let scanner = Scanner::new(config);
    let mut exposure = Exposure::new();
    let stats = scan_with_progress(&scanner, &job.inputs, &mut PrintProblems(&mut exposure));
    let report = exposure.report(&stats);
    let rendered = match job.format {
        ReportFormat::Table => render::write_table(&mut out, &report),
        ReportFormat::Json => render::write_json(&mut out, &report),
        ReportFormat::Html => render::write_html(&mut out, &report),
    };
    written(rendered, "report")?;
    out.commit()?;
    Ok(ExitCode::of_scan(&stats))
}

/// Scans and compares the findings with ground-truth labels. A labels file with no label, or
/// with labels of files that are not scanned, is an error before the scan: either would make
/// recall a meaningless 1.0.
pub fn eval(job: &EvalJob) -> Result<ExitCode, Error> {
    start_threads(job.threads)?;
    let labels = crate::eval::read_labels(&job.labels)?;
    let display = crate::source::display_path(&job.labels);
    if labels.is_empty() {
        return Err(Error::Usage(format!(
            "{display} holds no label, so there is nothing to measure recall against; give \
             eval the labels of the files it scans, one JSON object a line with `path`, \
             `offset`, `length` and `kind` (gen-corpus writes them beside its export)"
        )));
    }
    let scanner = Scanner::new(Config {
        kinds: crate::eval::evaluated_kinds(&labels),
        delimiter: job.delimiter,
        ..Config::default()
    });
    let (files, mut matcher) = crate::eval::Matcher::new(&job.paths, &job.labels, labels);
    if let Some((count, example)) = matcher.unscanned() {
        let (name, files) = if count == 1 {
            ("names a file", "it names")
        } else {
            ("name files", "they name")
        };
        return Err(Error::Usage(format!(
            "{} in {display} {name} not among the paths scanned ({}); label paths are \
             relative to the folder of the labels file: scan the files {files}, or correct \
             the labels",
            report::count(count, "label", "labels"),
            crate::source::display_path(example)
        )));
    }
    let stats = scanner.scan_paths(&files, &mut PrintProblems(&mut matcher));
    let evaluation = matcher.finish();
    let mut out = io::stdout().lock();
    let shown = write!(out, "{}", evaluation.table()).and_then(|()| {
        writeln!(
            out,
            "\n{} bytes in {}, {:.2} s ({:.3} GB/s)",
            stats.bytes,
            report::count(stats.files, "file", "files"),
            stats.elapsed.as_secs_f64(),
            report::gb_per_s(stats.bytes, stats.elapsed)
        )
    });
    written(shown.and_then(|()| out.flush()), "evaluation")?;
    Ok(if !stats.all_read() {
        ExitCode::Error
    } else {
        ExitCode::Clean
    })
}
