//! The `piiscan` command line: arguments become a validated [`Config`], the library does the
//! rest, and the outcome becomes an [`ExitCode`] like grep's.

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::process;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};

use piiscan::exposure::Exposure;
use piiscan::progress::Progress;
use piiscan::report::exposure as exposure_format;
use piiscan::report::{self, Format};
use piiscan::source::decompress::Compression;
use piiscan::{Config, Kind, KindSet, Scanner};

#[derive(Parser)]
#[command(
    name = "piiscan",
    version,
    about = "Find personal data in large log and analytics exports, fast."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan files, directories or `-` (stdin) for personal data.
    Scan(ScanArgs),
    /// Scan, then report what would leak if these files were breached: per kind and field,
    /// occurrences, records and distinct values; distinct people; profile-making
    /// combinations of identity with location or device.
    Report(ReportArgs),
    /// Scan, then compare the findings with ground-truth labels: precision, recall and F1 per
    /// kind, split into structured (JSON, CSV) and free-text contexts.
    Eval(EvalArgs),
}

#[derive(Args)]
struct EvalArgs {
    /// The labels file (`labels.jsonl`: path, offset, length, kind per line; paths relative
    /// to the labels file).
    #[arg(long, value_name = "FILE")]
    labels: PathBuf,

    /// Files or directories to scan.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    threads: Option<usize>,
}

#[derive(Args)]
struct ReportArgs {
    /// Files or directories to scan; `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Output format: a terminal table, one JSON object, or a self-contained HTML page.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,

    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,

    /// Only these kinds, comma-separated (see `scan --help`; default: `all`).
    #[arg(long, value_delimiter = ',', value_name = "KIND,...")]
    kinds: Vec<String>,

    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    threads: Option<usize>,

    /// No progress bar.
    #[arg(long, short = 'q')]
    quiet: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ReportFormat {
    Table,
    Json,
    Html,
}

#[derive(Args)]
struct ScanArgs {
    /// Files or directories to scan; `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Summary)]
    format: Format,

    /// Only these kinds, comma-separated: direct identifiers email, ipv4, ipv6, person_name,
    /// city, region, country, coordinates (the default, also named `direct`);
    /// quasi-identifiers account_id, device, referrer (`quasi`); or `all`.
    #[arg(long, value_delimiter = ',', value_name = "KIND,...")]
    kinds: Vec<String>,

    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N")]
    threads: Option<usize>,

    /// Print raw values (a `value` key in JSON output). Off by default: the output of a PII
    /// scan must not become the leak.
    #[arg(long)]
    show_values: bool,

    /// Print bytes, files, elapsed time, GB/s and time per detector family.
    #[arg(long)]
    stats: bool,

    /// No progress bar (it is only ever drawn when stderr is a terminal).
    #[arg(long, short = 'q')]
    quiet: bool,

    /// Scan files that look binary (a NUL byte in their first 64 KiB) instead of skipping them.
    #[arg(long)]
    binary: bool,

    /// Stop decompressing an input that expands more than this many times (a decompression
    /// bomb, or not the file it claims to be).
    #[arg(long, value_name = "RATIO", default_value_t = piiscan::source::decompress::DEFAULT_MAX_RATIO)]
    max_ratio: u64,

    /// Target size of the chunks scanned in parallel, in bytes (chunks end on a newline).
    #[arg(long, value_name = "BYTES", default_value_t = piiscan::chunk::DEFAULT_CHUNK_SIZE, hide = true)]
    chunk_size: usize,
}

/// How a run ended, as the shell sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ExitCode {
    /// Nothing found.
    Clean = 0,
    /// Personal data found.
    Found = 1,
    /// An input could not be read, or the command failed.
    Error = 2,
}

fn main() {
    let code = match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("piiscan: {e:#}");
            ExitCode::Error
        }
    };
    process::exit(code as i32);
}

fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Scan(args) => scan(args),
        Command::Report(args) => exposure_report(args),
        Command::Eval(args) => eval(args),
    }
}

/// The kinds named by `--kinds`, or `default` when none is: `all`, `direct` and `quasi` name
/// groups.
fn parse_kinds(names: &[String], default: KindSet) -> Result<KindSet> {
    if names.is_empty() {
        return Ok(default);
    }
    let mut set = KindSet::empty();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let group = |quasi: Option<bool>| {
            Kind::ALL
                .into_iter()
                .filter(move |k| quasi.is_none_or(|q| k.is_quasi() == q))
        };
        match name {
            "all" => group(None).for_each(|k| set.insert(k)),
            "direct" => group(Some(false)).for_each(|k| set.insert(k)),
            "quasi" => group(Some(true)).for_each(|k| set.insert(k)),
            _ => {}
        }
        if matches!(name, "all" | "direct" | "quasi") {
            continue;
        }
        match Kind::from_name(name) {
            Some(kind) => set.insert(kind),
            None => {
                let known: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
                bail!(
                    "unknown kind '{name}' in --kinds; known kinds: {}",
                    known.join(", ")
                );
            }
        }
    }
    if set.is_empty() {
        bail!("--kinds names no kind");
    }
    Ok(set)
}

fn scan(args: ScanArgs) -> Result<ExitCode> {
    let direct: KindSet = Kind::ALL.into_iter().filter(|k| !k.is_quasi()).collect();
    let config = Config {
        kinds: parse_kinds(&args.kinds, direct)?,
        chunk_size: args.chunk_size.max(1),
        show_values: args.show_values,
        binary: args.binary,
        max_ratio: args.max_ratio,
        fingerprints: false,
        // The summary prints counts only.
        describe: args.format != Format::Summary,
        hooks: Default::default(),
    };
    if args.show_values && io::stdout().is_terminal() {
        eprintln!("piiscan: --show-values: raw personal data will be printed");
    }
    start_threads(args.threads)?;
    let scanner = Scanner::new(config);
    let stdout = io::stdout();
    let mut reporter = report::reporter(args.format, Box::new(stdout.lock()), args.stats);
    let show_progress = !args.quiet && io::stderr().is_terminal();
    let (stats, finished) = if show_progress {
        let mut progress = Progress::new(reporter.as_mut(), total_bytes(&args.paths));
        let stats = scanner.scan_paths(&args.paths, &mut progress);
        let finished = progress.finish(&stats);
        (stats, finished)
    } else {
        let stats = scanner.scan_paths(&args.paths, reporter.as_mut());
        let finished = reporter.finish(&stats);
        (stats, finished)
    };
    match finished {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(e).context("cannot write the report"),
    }
    Ok(if stats.errors > 0 {
        ExitCode::Error
    } else if stats.findings > 0 {
        ExitCode::Found
    } else {
        ExitCode::Clean
    })
}

fn exposure_report(args: ReportArgs) -> Result<ExitCode> {
    let config = Config {
        kinds: parse_kinds(&args.kinds, KindSet::all())?,
        fingerprints: true,
        ..Config::default()
    };
    start_threads(args.threads)?;
    let scanner = Scanner::new(config);
    let mut exposure = Exposure::new();
    let stats = if !args.quiet && io::stderr().is_terminal() {
        let mut progress = Progress::new(&mut exposure, total_bytes(&args.paths));
        let stats = scanner.scan_paths(&args.paths, &mut progress);
        let _ = progress.finish(&stats);
        stats
    } else {
        scanner.scan_paths(&args.paths, &mut exposure)
    };
    let report = exposure.report(&stats);
    let mut out: Box<dyn io::Write> = match &args.output {
        Some(path) => Box::new(io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(io::stdout().lock()),
    };
    let written = match args.format {
        ReportFormat::Table => exposure_format::write_table(&mut out, &report),
        ReportFormat::Json => exposure_format::write_json(&mut out, &report),
        ReportFormat::Html => exposure_format::write_html(&mut out, &report),
    };
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(e).context("cannot write the report"),
    }
    Ok(if stats.errors > 0 {
        ExitCode::Error
    } else if stats.findings > 0 {
        ExitCode::Found
    } else {
        ExitCode::Clean
    })
}

fn start_threads(threads: Option<usize>) -> Result<()> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        if n == 0 {
            bail!("--threads must be at least 1");
        }
        pool = pool.num_threads(n);
    }
    pool.build_global()
        .context("cannot start the worker threads")
}

fn eval(args: EvalArgs) -> Result<ExitCode> {
    start_threads(args.threads)?;
    let labels = piiscan::eval::read_labels(&args.labels)?;
    let scanner = Scanner::new(Config {
        kinds: piiscan::eval::evaluated_kinds(&labels),
        ..Config::default()
    });
    let (evaluation, stats) = piiscan::eval::evaluate(&scanner, &args.paths, &args.labels, labels);
    print!("{}", evaluation.table());
    println!(
        "\n{} bytes in {} files, {:.2} s ({:.3} GB/s)",
        stats.bytes,
        stats.files,
        stats.elapsed.as_secs_f64(),
        report::gb_per_s(stats.bytes, stats.elapsed)
    );
    Ok(if stats.errors > 0 {
        ExitCode::Error
    } else {
        ExitCode::Clean
    })
}

/// The bytes a scan will read, when they can be known in advance: regular files, none of them
/// compressed (their decompressed size is unknown) and no stdin.
fn total_bytes(paths: &[PathBuf]) -> Option<u64> {
    let mut total = 0;
    for target in piiscan::source::walk::targets(paths).flatten() {
        if target.is_stdin() {
            return None;
        }
        let meta = std::fs::metadata(&target.path).ok()?;
        if meta.is_file() {
            let mut magic = [0u8; 4];
            let n = std::fs::File::open(&target.path)
                .and_then(|mut f| std::io::Read::read(&mut f, &mut magic))
                .unwrap_or(0);
            if Compression::sniff(&magic[..n]).is_some() {
                return None;
            }
            total += meta.len();
        }
    }
    Some(total)
}
