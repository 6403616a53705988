//! `piiscan scan`: findings, one by one, in the chosen format.

use std::path::PathBuf;

use super::{
    scan_with_progress, start_threads, warn_show_values, written, Error, ExitCode, Inputs,
};
use crate::detect::KindSet;
use crate::engine::{Config, Scanner};
use crate::output::{Output, Readers};
use crate::report::{self, End, Format};

/// What `scan` was asked for.
#[derive(Clone, Debug)]
pub struct ScanJob {
    pub inputs: Inputs,
    pub format: Format,
    /// Where the report goes (`None` or `-`: standard output).
    pub output: Option<PathBuf>,
    pub kinds: KindSet,
    pub show_values: bool,
    /// Bytes, files, throughput and time per stage.
    pub stats: bool,
}

/// Scans and reports every finding: exit 1 when there is one, 2 when an input could not be
/// read.
pub fn scan(job: &ScanJob) -> Result<ExitCode, Error> {
    let readers = if job.show_values {
        Readers::OwnerOnly
    } else {
        Readers::Usual
    };
    let mut out = Output::create(job.output.as_deref(), &job.inputs.paths, readers)?;
    let config = Config {
        kinds: job.kinds,
        show_values: job.show_values,
        // The summary prints counts only.
        describe: job.format != Format::Summary,
        exclude: out
            .temporary_path()
            .map(PathBuf::from)
            .into_iter()
            .collect(),
        ..job.inputs.config()
    };
    warn_show_values(job.show_values);
    start_threads(job.inputs.threads)?;
    let scanner = Scanner::new(config);
    let (stats, finished) = {
        let mut reporter = report::reporter(job.format, Box::new(&mut out), job.stats);
        let stats = scan_with_progress(&scanner, &job.inputs, reporter.as_mut());
        let finished = reporter.finish(&End {
            stats: &stats,
            verdict: None,
        });
        (stats, finished)
    };
    written(finished, "report")?;
    out.commit()?;
    Ok(ExitCode::of_scan(&stats))
}
