//! The `piiscan` command line: arguments become a job's configuration ([`piiscan::run`]), the
//! library runs it, and the outcome becomes the process's exit status, like grep's: 0 nothing
//! found (a gate passes), 1 found (a gate fails), 2 an error.

use std::path::PathBuf;
use std::process;

use clap::{Args, CommandFactory, Parser, Subcommand};

use piiscan::chunk::DEFAULT_CHUNK_SIZE;
use piiscan::report::Format as ReportOutput;
use piiscan::run::{self, ExitCode, Inputs};
use piiscan::source::archive::DEFAULT_MAX_DEPTH;
use piiscan::source::decompress::DEFAULT_MAX_RATIO;
use piiscan::source::shard::Shard;
use piiscan::{policy, KindSet};

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
    /// Merge partial reports (`report --partial`, of shards or partitions) into the report
    /// one run over all their inputs gives; for parts judged by a policy (`report --partial
    /// --gate`), also the gate's verdict.
    Merge(MergeArgs),
    /// Scan and decide by a policy whether these files may leave: exit 0 when the policy
    /// passes, 1 when it fails, 2 on an error. Takes the options of `scan`; the default
    /// output is the verdict, and `--format sarif` is for code scanning.
    Gate(ScanArgs),
    /// Record the findings a gate would report now as accepted (fingerprints, no value), so
    /// that `gate --baseline FILE` fails only on new ones.
    Baseline(BaselineArgs),
    /// Write a redacted copy of each input: values replaced by masks, keyed pseudonyms or
    /// coarser values (per kind and field, by the policy's `[redact]` table and --action),
    /// every other byte as it was. Originals are never modified.
    Redact(RedactArgs),
    /// Check a policy file, or write a commented one to start from.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print a shell completion script on standard output (see the README to install it).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on standard output: `piiscan man > piiscan.1`.
    Man,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Validate a policy file: exit 0 when it is valid, 2 with each problem's line otherwise.
    Check {
        /// The policy (default: piiscan.toml in the working directory).
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// Write a commented starting policy.
    Init {
        /// Where to write it (default: piiscan.toml; `-` for standard output).
        #[arg(value_name = "FILE", default_value = policy::DEFAULT_FILE)]
        file: PathBuf,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
}

/// The policy options of `scan` and `gate`.
#[derive(Args)]
struct PolicyArgs {
    /// The policy file (default for `gate`: piiscan.toml in the working directory if there is
    /// one, else every direct identifier fails). With `scan`, makes the scan a gate.
    #[arg(long = "config", visible_alias = "policy", value_name = "FILE")]
    config: Option<PathBuf>,

    /// Findings this baseline accepts are reported as known and do not fail the gate.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
}

/// How inputs are read and scanned, for every command that scans.
#[derive(Args)]
struct InputArgs {
    /// Worker threads, 1 to 1024 (default: all cores).
    #[arg(long, short = 'j', value_name = "N", value_parser = threads_parser())]
    threads: Option<usize>,

    /// No progress bar (it is only ever drawn when stderr is a terminal).
    #[arg(long, short = 'q')]
    quiet: bool,

    /// Scan files that look binary (a NUL byte in their first 64 KiB) as text instead of
    /// refusing them (a file refused makes the run exit 2, and no gate passes). Archives and
    /// compressed files are read whatever this says.
    #[arg(long)]
    binary: bool,

    /// Follow symbolic links met in folders wherever they lead. By default a link out of the
    /// paths named is not followed, and is reported as not scanned (exit 2).
    #[arg(long)]
    follow: bool,

    /// Read the members of archives (ZIP, tar) nested up to this many deep; an archive deeper
    /// is not scanned (exit 2).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_DEPTH)]
    max_depth: usize,

    /// Read every input as plain text: no JSON key hints, key paths or unescaping, no CSV
    /// columns. Finds less (values known only by their key), for comparison and odd inputs.
    #[arg(long)]
    plain: bool,

    /// Stop decompressing an input that expands more than this many times (a decompression
    /// bomb, or not the file it claims to be); the members of an input's archives, all
    /// together, may not yield more than this many bytes per byte of the input either.
    #[arg(long, value_name = "RATIO", default_value_t = DEFAULT_MAX_RATIO)]
    max_ratio: u64,

    /// Target size of the chunks scanned in parallel, in bytes (chunks end on a newline).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_CHUNK_SIZE, hide = true)]
    chunk_size: usize,

    /// Scan only shard K of N (K from 1 to N): the files whose path below the folder named
    /// (or whose name, for a file named) hashes to it, archives whole. N runs with 1/N .. N/N
    /// scan every file once; merge their `report --partial` outputs with `piiscan merge`.
    #[arg(long, value_name = "K/N", value_parser = shard_parser)]
    shard: Option<Shard>,

    #[command(flatten)]
    dialect: DialectArgs,
}

/// How delimited files are split, for every command that scans.
#[derive(Args, Default)]
struct DialectArgs {
    /// The delimiter of CSV files: `,` `;` `|` `tab` or another ASCII punctuation character
    /// (default: sniffed from each file's first lines; a tab in `.tsv` files).
    #[arg(long, value_name = "CHAR", value_parser = delimiter_parser)]
    delimiter: Option<u8>,
}

/// The defaults of the input options, for commands that do not take them all.
impl Default for InputArgs {
    fn default() -> InputArgs {
        InputArgs {
            threads: None,
            quiet: false,
            binary: false,
            follow: false,
            max_depth: DEFAULT_MAX_DEPTH,
            plain: false,
            max_ratio: DEFAULT_MAX_RATIO,
            chunk_size: DEFAULT_CHUNK_SIZE,
            shard: None,
            dialect: DialectArgs::default(),
        }
    }
}

#[derive(Args)]
struct BaselineArgs {
    /// Files or directories to scan; `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// The policy file (default: piiscan.toml in the working directory, if there is one).
    #[arg(long = "config", visible_alias = "policy", value_name = "FILE")]
    config: Option<PathBuf>,

    /// Where to write the baseline (`-` for standard output). An existing baseline there
    /// lends its key, so that unchanged findings keep their fingerprints.
    #[arg(
        long,
        short = 'o',
        value_name = "FILE",
        default_value = "piiscan-baseline.json"
    )]
    output: PathBuf,

    #[command(flatten)]
    input: InputArgs,
}

#[derive(Args)]
struct RedactArgs {
    /// Files or directories to copy; `-` reads standard input (and writes standard output).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Write one copy per input into this folder, by the same relative paths.
    #[arg(long = "out", value_name = "DIR")]
    out_dir: Option<PathBuf>,

    /// Write the copy of a single input to this file (`-` for standard output).
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,

    /// The policy whose `[redact]` table says what to do with each kind and field (default:
    /// piiscan.toml in the working directory, if there is one).
    #[arg(long = "config", visible_alias = "policy", value_name = "FILE")]
    config: Option<PathBuf>,

    /// KIND=ACTION, ACTION one of mask, pseudonymise, generalise, remove, keep (after the
    /// policy's table; repeat or separate with commas).
    #[arg(long = "action", value_delimiter = ',', value_name = "KIND=ACTION")]
    actions: Vec<String>,

    /// A file holding the pseudonyms' key, at least 32 bytes (else PIISCAN_REDACT_KEY; without
    /// either, a key is drawn for the run and pseudonyms do not match another run's).
    #[arg(long, value_name = "FILE")]
    key_file: Option<PathBuf>,

    /// Scan the copies afterwards and exit 1 if a value of a redacted kind remains.
    #[arg(long)]
    verify: bool,

    #[command(flatten)]
    input: InputArgs,
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

    /// Worker threads, 1 to 1024 (default: all cores).
    #[arg(long, short = 'j', value_name = "N", value_parser = threads_parser())]
    threads: Option<usize>,

    #[command(flatten)]
    dialect: DialectArgs,
}

#[derive(Args)]
struct ReportArgs {
    /// Files or directories to scan; `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Output format: a terminal table, one JSON object, a self-contained HTML page, or
    /// Markdown (a CI job summary: `>> $GITHUB_STEP_SUMMARY`).
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,

    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,

    /// Only these kinds, comma-separated (see `scan --help`; default: `all`).
    #[arg(long, value_delimiter = ',', value_name = "KIND,...")]
    kinds: Vec<String>,

    /// Exit 1 when anything is found (by default the report exits 0 once it is written,
    /// whatever it found, and 2 when an input could not be read or was not scanned).
    #[arg(long)]
    fail_on_findings: bool,

    /// A file holding the key of the distinct counts, at least 32 bytes (else
    /// PIISCAN_FINGERPRINT_KEY). With a key, the counts of one input are the same from run to
    /// run, estimates included; without, a key is drawn per run and estimates vary.
    #[arg(long, value_name = "FILE")]
    key_file: Option<PathBuf>,

    /// Print bytes, files, elapsed time, GB/s and time per detector family on stderr, after
    /// the report.
    #[arg(long)]
    stats: bool,

    /// Write a partial report (JSON, readable by its owner only) for `piiscan merge` instead
    /// of the report: the counts and the keyed hashes behind distinct counts, no value. Needs
    /// a fingerprint key (PIISCAN_FINGERPRINT_KEY or --key-file), the same for every part.
    #[arg(long, conflicts_with = "format")]
    partial: bool,

    /// With --partial: also judge the findings as `gate` does, by its policy (--policy FILE,
    /// else piiscan.toml in the working directory, else the built-in default) and --baseline,
    /// and keep the gate's counts, so that `merge` gives the verdict of one gate run.
    #[arg(long, requires = "partial", conflicts_with = "kinds")]
    gate: bool,

    /// With --partial: judge the findings by this policy as `gate` does (its kinds, custom
    /// detectors and allowlists; not with --kinds); implies --gate.
    #[arg(
        long = "policy",
        visible_alias = "config",
        value_name = "FILE",
        requires = "partial",
        conflicts_with = "kinds"
    )]
    policy: Option<PathBuf>,

    /// With --partial: findings this baseline accepts are counted as known, as `gate
    /// --baseline` counts them; implies --gate.
    #[arg(
        long,
        value_name = "FILE",
        requires = "partial",
        conflicts_with = "kinds"
    )]
    baseline: Option<PathBuf>,

    #[command(flatten)]
    input: InputArgs,
}

#[derive(Args)]
struct MergeArgs {
    /// Partial reports written by `report --partial` (all made with one fingerprint key).
    #[arg(required = true, value_name = "PART")]
    parts: Vec<PathBuf>,

    /// Output format, as `report`'s.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,

    /// Write the merged report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,

    /// Check that the parts were judged by this policy (`report --partial --policy FILE`).
    /// Parts judged by any policy give the verdict of one gate run over their inputs, with or
    /// without this option: on standard output (stderr when the report is there), exit 0
    /// pass, 1 fail, 2 error.
    #[arg(long = "policy", visible_alias = "config", value_name = "FILE")]
    policy: Option<PathBuf>,

    /// Exit 1 when anything is found (as `report --fail-on-findings`).
    #[arg(long)]
    fail_on_findings: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ReportFormat {
    Table,
    Json,
    Html,
    Markdown,
}

/// The output formats of `scan` and `gate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// Counts by kind and by file, bytes scanned, elapsed time and throughput.
    Summary,
    /// One JSON object per finding, one per line.
    Jsonl,
    /// One JSON report object.
    Json,
    /// SARIF 2.1.0, for code scanning (GitHub, GitLab, Azure DevOps).
    Sarif,
    /// The gate's verdict in Markdown, for a CI job summary (`>> $GITHUB_STEP_SUMMARY`);
    /// with a policy only.
    Markdown,
}

#[derive(Args)]
struct ScanArgs {
    /// Files or directories to scan; `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Output format (with a policy, `summary` is the gate's verdict).
    #[arg(long, value_enum, default_value_t = Format::Summary)]
    format: Format,

    /// Write the report to this file instead of standard output (a gate's verdict then goes
    /// to standard output).
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,

    /// Only these kinds, comma-separated: direct identifiers email, phone, credit_card, iban,
    /// national_id, secret, ipv4, ipv6, person_name, city, region, country, coordinates (the
    /// default, also named `direct`); quasi-identifiers account_id, device, referrer,
    /// mac_address, imei (`quasi`); or `all`. Not with a policy, which says what to scan.
    #[arg(long, value_delimiter = ',', value_name = "KIND,...")]
    kinds: Vec<String>,

    /// Print raw values (a `value` key in JSON output, the examples of a verdict). Off by
    /// default: the output of a PII scan must not become the leak.
    #[arg(long)]
    show_values: bool,

    /// Print bytes, files, elapsed time, GB/s and time per detector family.
    #[arg(long)]
    stats: bool,

    #[command(flatten)]
    policy: PolicyArgs,

    #[command(flatten)]
    input: InputArgs,
}

fn main() {
    keep_large_buffers_out_of_the_heap();
    let code = match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            // One line a problem: a policy file can have several, each with its line.
            for line in e.to_string().lines() {
                eprintln!("piiscan: {line}");
            }
            ExitCode::Error
        }
    };
    process::exit(code as i32);
}

/// Streamed chunks are megabyte buffers filled on a reader thread and freed on a worker. With
/// glibc's default, the first such free raises the mmap threshold past the chunk size, and
/// from then on chunks come from per-thread heaps that keep freed memory: a piped scan held
/// three times the memory its batches need. A fixed threshold keeps each chunk its own
/// mapping, returned to the system when it is freed.
fn keep_large_buffers_out_of_the_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only tunes the allocator; called before any thread is started.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

fn run(cli: Cli) -> Result<ExitCode, run::Error> {
    match cli.command {
        Command::Scan(args) if args.policy.config.is_some() || args.policy.baseline.is_some() => {
            run::gate(&gate_job(args)?)
        }
        Command::Scan(args) if args.format == Format::Markdown => Err(run::Error::Usage(
            "--format markdown is a gate's verdict: use `piiscan gate`, or `scan --policy FILE`; \
             `piiscan report --format markdown` writes the exposure report"
                .into(),
        )),
        Command::Scan(args) => run::scan(&run::ScanJob {
            kinds: run::parse_kinds(&args.kinds, KindSet::direct())?,
            inputs: inputs(args.paths, &args.input)?,
            format: args.format.into(),
            output: args.output,
            show_values: args.show_values,
            stats: args.stats,
        }),
        Command::Report(args) => run::report(&run::ReportJob {
            kinds: run::parse_kinds(&args.kinds, KindSet::all())?,
            inputs: inputs(args.paths, &args.input)?,
            format: args.format.into(),
            output: args.output,
            fail_on_findings: args.fail_on_findings,
            key_file: args.key_file,
            stats: args.stats,
            partial: args.partial,
            gate: args.gate,
            policy: args.policy,
            baseline: args.baseline,
        }),
        Command::Merge(args) => run::merge(&run::MergeJob {
            parts: args.parts,
            format: args.format.into(),
            output: args.output,
            policy: args.policy,
            fail_on_findings: args.fail_on_findings,
        }),
        Command::Eval(args) => run::eval(&run::EvalJob {
            labels: args.labels,
            paths: args.paths,
            threads: args.threads,
            delimiter: args.dialect.delimiter,
        }),
        Command::Gate(args) => run::gate(&gate_job(args)?),
        Command::Baseline(args) => run::baseline(&run::BaselineJob {
            inputs: inputs(args.paths, &args.input)?,
            policy: args.config,
            output: args.output,
        }),
        Command::Redact(args) => run::redact(&run::RedactJob {
            inputs: inputs(args.paths, &args.input)?,
            out_dir: args.out_dir,
            output: args.output,
            policy: args.config,
            actions: args.actions,
            key_file: args.key_file,
            verify: args.verify,
        }),
        Command::Config(ConfigCommand::Check { file }) => run::config_check(file.as_deref()),
        Command::Config(ConfigCommand::Init { file, force }) => run::config_init(&file, force),
        Command::Completions { shell } => {
            let mut out = std::io::stdout().lock();
            clap_complete::generate(shell, &mut Cli::command(), "piiscan", &mut out);
            Ok(ExitCode::Clean)
        }
        Command::Man => {
            let mut out = std::io::stdout().lock();
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .map_err(|source| run::Error::Write {
                    what: "man page",
                    source,
                })?;
            Ok(ExitCode::Clean)
        }
    }
}

/// `gate`, and `scan` with a policy or a baseline.
fn gate_job(args: ScanArgs) -> Result<run::GateJob, run::Error> {
    if !args.kinds.is_empty() {
        return Err(run::Error::Usage(
            "--kinds does not go with a policy: set each kind's action in the policy file".into(),
        ));
    }
    Ok(run::GateJob {
        inputs: inputs(args.paths, &args.input)?,
        format: args.format.into(),
        output: args.output,
        show_values: args.show_values,
        stats: args.stats,
        policy: args.policy.config,
        baseline: args.policy.baseline,
    })
}

fn inputs(paths: Vec<PathBuf>, input: &InputArgs) -> Result<Inputs, run::Error> {
    let inputs = Inputs {
        paths,
        threads: input.threads,
        quiet: input.quiet,
        binary: input.binary,
        follow: input.follow,
        max_depth: input.max_depth,
        plain: input.plain,
        max_ratio: input.max_ratio,
        chunk_size: input.chunk_size,
        delimiter: input.dialect.delimiter,
        shard: input.shard,
    };
    inputs.check_shard()?;
    Ok(inputs)
}

/// `--shard K/N`.
fn shard_parser(value: &str) -> Result<Shard, String> {
    Shard::parse(value)
}

impl From<ReportFormat> for run::ReportFormat {
    fn from(format: ReportFormat) -> run::ReportFormat {
        match format {
            ReportFormat::Table => run::ReportFormat::Table,
            ReportFormat::Json => run::ReportFormat::Json,
            ReportFormat::Html => run::ReportFormat::Html,
            ReportFormat::Markdown => run::ReportFormat::Markdown,
        }
    }
}

impl From<Format> for ReportOutput {
    fn from(format: Format) -> ReportOutput {
        match format {
            Format::Summary => ReportOutput::Summary,
            Format::Jsonl => ReportOutput::Jsonl,
            Format::Json => ReportOutput::Json,
            Format::Sarif => ReportOutput::Sarif,
            Format::Markdown => ReportOutput::Markdown,
        }
    }
}

/// The most worker threads `--threads` accepts. More buys nothing on any machine piiscan
/// runs on (a batch holds a few chunks a thread), and tens of thousands of threads exhaust the
/// memory for their stacks: a thread that cannot start takes the process down.
const MAX_THREADS: u64 = 1024;

/// `--delimiter`: one ASCII punctuation character, or a tab (`tab`, `\t` or the character).
/// Letters, digits, quotes, blanks and line ends would split values or the records
/// themselves, and are refused (exit 2).
fn delimiter_parser(value: &str) -> Result<u8, String> {
    match value {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ => match value.as_bytes() {
            [b] if b.is_ascii_punctuation() && !matches!(b, b'"' | b'\'') => Ok(*b),
            _ => Err(
                "a delimiter is one character: , ; | or tab (or another punctuation \
                      character but a quote)"
                    .to_string(),
            ),
        },
    }
}

/// `--threads`: a count from 1 to [`MAX_THREADS`], refused by clap otherwise (exit 2).
fn threads_parser() -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::new().range(1..=MAX_THREADS)
}
