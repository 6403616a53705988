//! `piiscan report` (what would leak, and for how many people) and `piiscan eval` (precision
//! and recall against labels).

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::{scan_with_progress, start_threads, written, Error, ExitCode, Inputs};
use crate::detect::KindSet;
use crate::engine::{Config, Scanner};
use crate::exposure::{About, Exposure};
use crate::output::{Output, Readers};
use crate::policy::baseline::{env_secret, MIN_SECRET};
use crate::report::{self, exposure as render, PrintProblems};
use crate::sink::Stats;

/// How the exposure report is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// A table for the terminal.
    Table,
    /// One JSON object.
    Json,
    /// A self-contained HTML page.
    Html,
    /// Markdown, for CI job summaries.
    Markdown,
}

/// What `report` was asked for.
#[derive(Clone, Debug)]
pub struct ReportJob {
    pub inputs: Inputs,
    pub format: ReportFormat,
    pub output: Option<PathBuf>,
    pub kinds: KindSet,
    /// Exit 1 when anything is found; by default a written report exits 0.
    pub fail_on_findings: bool,
    /// The file holding the key of distinct counts (else `PIISCAN_FINGERPRINT_KEY`).
    pub key_file: Option<PathBuf>,
    /// Print the scan's statistics on stderr after the report.
    pub stats: bool,
    /// Write a partial report for `merge` instead (see [`crate::exposure::Partial`]).
    pub partial: bool,
    /// With `partial`: judge the findings as `gate` would, and keep its counts in the partial
    /// for `merge`: by `policy` (else `piiscan.toml` in the working directory, else the
    /// built-in default) and `baseline`. Either of those implies it.
    pub gate: bool,
    pub policy: Option<PathBuf>,
    pub baseline: Option<PathBuf>,
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

/// Scans and writes the exposure report: exit 0 once it is written, whatever it found (1 with
/// `fail_on_findings` when something was found), 2 when an input could not be read or was
/// not scanned (the report, written all the same, lists them).
pub fn report(job: &ReportJob) -> Result<ExitCode, Error> {
    // A key that cannot be used is an error before anything is read or written.
    let key = distinct_key(job.key_file.as_deref())?;
    if job.partial {
        return super::merge::write_partial(job, key);
    }
    // Created (and checked against the inputs) before the scan, which can be long.
    let mut out = Output::create(job.output.as_deref(), &job.inputs.paths, Readers::Usual)?;
    let config = Config {
        kinds: job.kinds,
        fingerprints: true,
        fingerprint_key: key,
        masks: false,
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
    let mut report = exposure.report(&stats);
    report.about = About {
        version: env!("CARGO_PKG_VERSION").to_string(),
        generated: utc_timestamp(generated_at()),
        roots: job
            .inputs
            .paths
            .iter()
            .map(|p| crate::source::display_path(p))
            .collect(),
        kinds: job.kinds.iter().collect(),
        keyed: key.is_some(),
    };
    written(render_as(job.format, &mut out, &report), "report")?;
    out.commit()?;
    if job.stats {
        written(
            report::write_stats(&mut io::stderr().lock(), &stats),
            "stats",
        )?;
    }
    Ok(report_exit(&stats, job.fail_on_findings))
}

/// The key of distinct counts: from `--key-file`, else `PIISCAN_FINGERPRINT_KEY`, else none
/// (one is drawn for the run). A secret shorter than 32 bytes is refused, as everywhere.
pub fn distinct_key(key_file: Option<&Path>) -> Result<Option<[u64; 2]>, Error> {
    let secret = match key_file {
        Some(path) => {
            let mut secret = std::fs::read(path).map_err(|e| {
                Error::Usage(format!(
                    "cannot read the key file {}: {e}",
                    crate::source::display_path(path)
                ))
            })?;
            while secret.last().is_some_and(|b| matches!(b, b'\n' | b'\r')) {
                secret.pop();
            }
            if secret.len() < MIN_SECRET {
                return Err(Error::Usage(format!(
                    "the key in {} is {} bytes; distinct counts need at least {MIN_SECRET} (a \
                     shorter key can be guessed): `openssl rand -hex 32 > FILE`",
                    crate::source::display_path(path),
                    secret.len()
                )));
            }
            Some(secret)
        }
        None => env_secret()?,
    };
    Ok(secret.map(|mut secret| {
        let key = crate::exposure::key_from_secret(&secret);
        secret.fill(0);
        key
    }))
}

/// When the report is written, in seconds since 1970: `SOURCE_DATE_EPOCH` when it is set (for
/// reports that must come out byte for byte the same), else now.
pub fn generated_at() -> u64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        })
}

/// `secs` since 1970 as UTC `YYYY-MM-DDTHH:MM:SSZ` (Howard Hinnant's civil-from-days).
pub fn utc_timestamp(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
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

/// A report's exit: 2 when an input was not read, 1 when asked to fail on findings and
/// there are some, else 0 (the report was written).
pub(super) fn report_exit(stats: &Stats, fail_on_findings: bool) -> ExitCode {
    if !stats.all_read() {
        ExitCode::Error
    } else if fail_on_findings && stats.findings > 0 {
        ExitCode::Found
    } else {
        ExitCode::Clean
    }
}

/// Writes an exposure report in `format`: the renderers of `report` and `merge`.
pub(super) fn render_as(
    format: ReportFormat,
    out: &mut dyn Write,
    report: &crate::exposure::Report,
) -> io::Result<()> {
    match format {
        ReportFormat::Table => render::write_table(out, report),
        ReportFormat::Json => render::write_json(out, report),
        ReportFormat::Html => render::write_html(out, report),
        ReportFormat::Markdown => render::write_markdown(out, report),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_civil_dates() {
        let cases = [
            (0, "1970-01-01T00:00:00Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_709_251_199, "2024-02-29T23:59:59Z"),
            (4_102_444_800, "2100-01-01T00:00:00Z"),
        ];
        for (secs, want) in cases {
            assert_eq!(utc_timestamp(secs), want, "{secs}");
        }
    }
}
