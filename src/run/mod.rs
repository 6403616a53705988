//! The jobs users run (`scan`, `report`, `gate`, `baseline`, `eval`), from a validated
//! configuration to an [`ExitCode`].
//!
//! Each job puts the stages together: a [`Scanner`] reads the inputs and hands its events to a
//! stack of sinks (a progress bar, a gate, an aggregation, a reporter), and the job closes the
//! report and says how the run ended. The command line (`main.rs`) only turns arguments into
//! these configurations and the exit code into the process's status; nothing here knows of
//! clap, so the same jobs can be driven from tests or other front ends.

mod gate;
mod merge;
mod redact;
mod report;
mod scan;

use std::io::{self, IsTerminal};
use std::path::PathBuf;

use thiserror::Error;

use crate::detect::{Kind, KindSet};
use crate::engine::{Config, Scanner};
use crate::output::OutputError;
use crate::policy::baseline::BaselineError;
use crate::policy::PolicyError;
use crate::progress::Progress;
use crate::sink::{Sink, Stats};
use crate::source::shard::Shard;
use crate::source::SourceError;

pub use gate::{baseline, config_check, config_init, gate, BaselineJob, GateJob};
pub use merge::{merge, MergeJob};
pub use redact::{redact, RedactJob, KEY_VARIABLE};
pub use report::{
    distinct_key, eval, generated_at, report, utc_timestamp, EvalJob, ReportFormat, ReportJob,
};
pub use scan::{scan, ScanJob};

/// How a run ended, as the shell sees it (like grep's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitCode {
    /// Nothing found; for a gate, the policy passes.
    Clean = 0,
    /// Personal data found; for a gate, the policy fails.
    Found = 1,
    /// An input could not be read, a policy or baseline is unusable, or the command failed.
    Error = 2,
}

impl ExitCode {
    /// The code of a scan that found `stats.findings`: an error when an input could not be
    /// read or was skipped for a reason that fails the run.
    fn of_scan(stats: &Stats) -> ExitCode {
        if !stats.all_read() {
            ExitCode::Error
        } else if stats.findings > 0 {
            ExitCode::Found
        } else {
            ExitCode::Clean
        }
    }
}

/// Why a job could not run or finish. Every message names what to do; none quotes a value.
#[derive(Debug, Error)]
pub enum Error {
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error(transparent)]
    Baseline(#[from] BaselineError),
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Input(#[from] SourceError),
    #[error("cannot start the worker threads: {0}")]
    Threads(#[from] rayon::ThreadPoolBuildError),
    #[error("cannot write the {what}: {source}")]
    Write {
        what: &'static str,
        #[source]
        source: io::Error,
    },
    /// Arguments that do not go together, or name nothing.
    #[error("{0}")]
    Usage(String),
    /// A job that must see everything to conclude saw only part of it.
    #[error("{0}")]
    Incomplete(String),
}

/// How inputs are read and scanned, for every job that scans.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// Files or directories to scan; `-` is standard input.
    pub paths: Vec<PathBuf>,
    /// Worker threads (default: all cores).
    pub threads: Option<usize>,
    /// No progress bar.
    pub quiet: bool,
    /// Scan files that look binary instead of skipping them.
    pub binary: bool,
    /// Read every input as plain text.
    pub plain: bool,
    /// The cap on decompressed bytes per compressed byte (and on what an input's archives
    /// yield per byte of it).
    pub max_ratio: u64,
    /// How many archives deep members are read.
    pub max_depth: usize,
    /// Follow symbolic links met in folders out of the paths named.
    pub follow: bool,
    /// Target size of the chunks scanned in parallel.
    pub chunk_size: usize,
    /// The delimiter of delimited files; sniffed from each file when `None`.
    pub delimiter: Option<u8>,
    /// Scan only this share of the inputs (`--shard K/N`).
    pub shard: Option<Shard>,
}

impl Inputs {
    /// Refuses `--shard` with standard input, which has no path to share by.
    pub fn check_shard(&self) -> Result<(), Error> {
        if let Some(shard) = self.shard {
            if self.paths.iter().any(|p| p.as_os_str() == "-") {
                return Err(Error::Usage(format!(
                    "--shard {shard} shares files by their paths, and standard input has none: \
                     give files or folders"
                )));
            }
        }
        Ok(())
    }

    /// The engine's configuration for these inputs, every other setting at its default.
    fn config(&self) -> Config {
        Config {
            chunk_size: self.chunk_size.max(1),
            binary: self.binary,
            structure: !self.plain,
            max_ratio: self.max_ratio,
            max_depth: self.max_depth,
            follow: self.follow,
            delimiter: self.delimiter,
            shard: self.shard,
            ..Config::default()
        }
    }
}

/// Parses `--kinds`: names of kinds, or the groups `all`, `direct` and `quasi`; `default`
/// when none is given.
pub fn parse_kinds(names: &[String], default: KindSet) -> Result<KindSet, Error> {
    if names.is_empty() {
        return Ok(default);
    }
    let mut set = KindSet::empty();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let group = match name {
            "all" => Some(KindSet::all()),
            "direct" => Some(KindSet::direct()),
            "quasi" => Some(KindSet::quasi()),
            _ => None,
        };
        if let Some(group) = group {
            group.iter().for_each(|k| set.insert(k));
            continue;
        }
        match Kind::from_name(name) {
            Some(kind) => set.insert(kind),
            None => {
                let known: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
                return Err(Error::Usage(format!(
                    "unknown kind '{}' in --kinds; known kinds: {}",
                    crate::source::printable(name),
                    known.join(", ")
                )));
            }
        }
    }
    if set.is_empty() {
        return Err(Error::Usage("--kinds names no kind".into()));
    }
    Ok(set)
}

/// Starts the worker threads: `threads`, or one per core.
fn start_threads(threads: Option<usize>) -> Result<(), Error> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        pool = pool.num_threads(n);
    }
    Ok(pool.build_global()?)
}

/// Scans `inputs` into `sink`, behind a progress bar when stderr is a terminal.
fn scan_with_progress(scanner: &Scanner, inputs: &Inputs, sink: &mut dyn Sink) -> Stats {
    if inputs.quiet || !io::stderr().is_terminal() {
        return scanner.scan_paths(&inputs.paths, sink);
    }
    let (total, count) = sizes(&inputs.paths, inputs.follow);
    let mut progress = Progress::new(sink, total, count);
    let stats = scanner.scan_paths(&inputs.paths, &mut progress);
    progress.finish();
    stats
}

/// The bytes a scan will read, when they can be known in advance (regular files, none of them
/// compressed, UTF-16 or a ZIP, whose decoded size is unknown, and no stdin), and the number
/// of inputs.
fn sizes(paths: &[PathBuf], follow: bool) -> (Option<u64>, Option<u64>) {
    let mut total = Some(0);
    let mut count = 0;
    let targets = crate::source::walk::walk(paths, follow).filter_map(|w| match w {
        crate::source::walk::Walked::Target(target) => Some(target),
        _ => None,
    });
    for target in targets {
        count += 1;
        if target.is_stdin() {
            total = None;
            continue;
        }
        let Ok(meta) = std::fs::metadata(&target.path) else {
            continue;
        };
        if meta.is_file() {
            let mut magic = [0u8; 4];
            let n = std::fs::File::open(&target.path)
                .and_then(|mut f| io::Read::read(&mut f, &mut magic))
                .unwrap_or(0);
            let zip = crate::source::archive::Container::sniff(&magic[..n])
                == Some(crate::source::archive::Container::Zip);
            if crate::source::is_encoded(&magic[..n]) || zip {
                total = None;
            }
            total = total.map(|t| t + meta.len());
        }
    }
    (total, Some(count))
}

/// Warns on a terminal that raw values are about to be printed.
fn warn_show_values(show_values: bool) {
    if show_values && io::stdout().is_terminal() {
        eprintln!("piiscan: --show-values: raw personal data will be printed");
    }
}

/// A write that failed because the reader went away (`| head`) is not an error.
fn written(result: io::Result<()>, what: &'static str) -> Result<(), Error> {
    match result {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Error::Write { what, source: e }),
        _ => Ok(()),
    }
}
