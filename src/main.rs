//! The `piiscan` command line: arguments become a validated [`Config`], the library does the
//! rest, and the outcome becomes an [`ExitCode`] like grep's.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};

use piiscan::exposure::Exposure;
use piiscan::policy::baseline::{Baseline, BaselineError, FingerprintKey, Recorder};
use piiscan::policy::gate::Gate;
use piiscan::policy::{self, Policy};
use piiscan::progress::Progress;
use piiscan::report::exposure as exposure_format;
use piiscan::report::{self, Format, Reporter};
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
    /// Scan and decide by a policy whether these files may leave: exit 0 when the policy
    /// passes, 1 when it fails, 2 on an error. Takes the options of `scan`; the default
    /// output is the verdict, and `--format sarif` is for code scanning.
    Gate(ScanArgs),
    /// Record the findings a gate would report now as accepted (fingerprints, no value), so
    /// that `gate --baseline FILE` fails only on new ones.
    Baseline(BaselineArgs),
    /// Check a policy file, or write a commented one to start from.
    #[command(subcommand)]
    Config(ConfigCommand),
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

    /// Scan files that look binary (a NUL byte in their first 64 KiB) instead of skipping them
    /// (`gate` and `baseline` always do).
    #[arg(long)]
    binary: bool,

    /// Read every input as plain text: no JSON key hints, key paths or unescaping, no CSV
    /// columns. Finds less (values known only by their key), for comparison and odd inputs.
    #[arg(long)]
    plain: bool,

    /// Stop decompressing an input that expands more than this many times (a decompression
    /// bomb, or not the file it claims to be).
    #[arg(long, value_name = "RATIO", default_value_t = piiscan::source::decompress::DEFAULT_MAX_RATIO)]
    max_ratio: u64,

    /// Target size of the chunks scanned in parallel, in bytes (chunks end on a newline).
    #[arg(long, value_name = "BYTES", default_value_t = piiscan::chunk::DEFAULT_CHUNK_SIZE, hide = true)]
    chunk_size: usize,
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

    /// Worker threads, 1 to 1024 (default: all cores).
    #[arg(long, short = 'j', value_name = "N", value_parser = threads_parser())]
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

    /// Output format (with a policy, `summary` is the gate's verdict).
    #[arg(long, value_enum, default_value_t = Format::Summary)]
    format: Format,

    /// Write the report to this file instead of standard output (a gate's verdict then goes
    /// to standard output).
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,

    /// Only these kinds, comma-separated: direct identifiers email, ipv4, ipv6, person_name,
    /// city, region, country, coordinates (the default, also named `direct`);
    /// quasi-identifiers account_id, device, referrer (`quasi`); or `all`. Not with a policy,
    /// which says what to scan.
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

/// How a run ended, as the shell sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ExitCode {
    /// Nothing found; for a gate, the policy passes.
    Clean = 0,
    /// Personal data found; for a gate, the policy fails.
    Found = 1,
    /// An input could not be read, a policy or baseline is unusable, or the command failed.
    Error = 2,
}

fn main() {
    keep_large_buffers_out_of_the_heap();
    let code = match run() {
        Ok(code) => code,
        Err(e) => {
            // One line a problem: a policy file can have several, each with its line.
            for line in format!("{e:#}").lines() {
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

fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Scan(args) if args.policy.config.is_some() || args.policy.baseline.is_some() => {
            gate(args)
        }
        Command::Scan(args) => scan(args),
        Command::Report(args) => exposure_report(args),
        Command::Eval(args) => eval(args),
        Command::Gate(args) => gate(args),
        Command::Baseline(args) => baseline(args),
        Command::Config(ConfigCommand::Check { file }) => config_check(file),
        Command::Config(ConfigCommand::Init { file, force }) => config_init(&file, force),
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
        show_values: args.show_values,
        // The summary prints counts only.
        describe: args.format != Format::Summary,
        exclude: own_output(args.output.as_deref()),
        ..input_config(&args.input)
    };
    warn_show_values(args.show_values);
    start_threads(args.input.threads)?;
    let scanner = Scanner::new(config);
    let out = output(args.output.as_deref(), &args.paths)?;
    let mut reporter = report::reporter(args.format, out, args.stats);
    let show_progress = !args.input.quiet && io::stderr().is_terminal();
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
    write_ok(finished, "report")?;
    Ok(if stats.errors > 0 {
        ExitCode::Error
    } else if stats.findings > 0 {
        ExitCode::Found
    } else {
        ExitCode::Clean
    })
}

/// The scanning options every command shares.
fn input_config(input: &InputArgs) -> Config {
    Config {
        chunk_size: input.chunk_size.max(1),
        binary: input.binary,
        structure: !input.plain,
        max_ratio: input.max_ratio,
        ..Config::default()
    }
}

/// What `gate` and `baseline` scan, the same for both so that a baseline matches its gate: the
/// policy's kinds and hooks, and every file — a gate must not pass a file it did not read, and
/// a text export with one NUL byte near its start would otherwise be skipped as binary.
fn policy_config(policy: &Policy, key: Option<FingerprintKey>, input: &InputArgs) -> Config {
    Config {
        kinds: policy.scan_kinds(),
        hooks: policy.hooks(key),
        binary: true,
        ..input_config(input)
    }
}

fn warn_show_values(show_values: bool) {
    if show_values && io::stdout().is_terminal() {
        eprintln!("piiscan: --show-values: raw personal data will be printed");
    }
}

/// Standard output, or a file created for `-o`, which must not be one of the `inputs`.
fn output(path: Option<&std::path::Path>, inputs: &[PathBuf]) -> Result<Box<dyn io::Write>> {
    Ok(match path {
        Some(path) if path.as_os_str() != "-" => {
            refuse_input_as_output(path, inputs)?;
            Box::new(io::BufWriter::new(
                std::fs::File::create(path).with_context(|| {
                    format!("cannot create {}", piiscan::source::display_path(path))
                })?,
            ))
        }
        _ => Box::new(io::stdout().lock()),
    })
}

/// Creating or replacing an output file that is also an input would destroy the input before
/// it is read (and pass a gate on an empty file): refused, whatever names or links lead to it.
fn refuse_input_as_output(output: &std::path::Path, inputs: &[PathBuf]) -> Result<()> {
    let same = |input: &PathBuf| {
        input.as_os_str() != "-" && piiscan::source::walk::same_file(output, input)
    };
    if let Some(input) = inputs.iter().find(|i| same(i)) {
        let (output, input) = (
            piiscan::source::display_path(output),
            piiscan::source::display_path(input),
        );
        let also = if output == input {
            String::new()
        } else {
            format!(" (as {input})")
        };
        bail!("{output} is also an input{also}; choose another output file");
    }
    Ok(())
}

/// The files a scan must skip: its own output file, when it is one (see [`Config::exclude`]).
fn own_output(path: Option<&std::path::Path>) -> Vec<PathBuf> {
    path.filter(|p| p.as_os_str() != "-")
        .map(std::path::Path::to_path_buf)
        .into_iter()
        .collect()
}

/// Runs `run` with `reporter`, behind a progress bar when stderr is a terminal.
fn with_progress<T>(
    quiet: bool,
    paths: &[PathBuf],
    reporter: &mut dyn Reporter,
    run: impl FnOnce(&mut dyn Reporter) -> T,
) -> T {
    if !quiet && io::stderr().is_terminal() {
        let mut progress = Progress::new(reporter, total_bytes(paths));
        run(&mut progress)
    } else {
        run(reporter)
    }
}

/// `gate`, and `scan` with a policy or a baseline: scan, judge, report, decide.
fn gate(args: ScanArgs) -> Result<ExitCode> {
    if !args.kinds.is_empty() {
        bail!("--kinds does not go with a policy: set each kind's action in the policy file");
    }
    let policy = Policy::find(args.policy.config.as_deref())?;
    let baseline = match &args.policy.baseline {
        Some(path) => Some((piiscan::source::display_path(path), Baseline::read(path)?)),
        None => None,
    };
    let key = Gate::key_for(baseline.as_ref().map(|(_, b)| b), None);
    let config = Config {
        show_values: args.show_values,
        exclude: own_output(args.output.as_deref()),
        ..policy_config(&policy, key.clone(), &args.input)
    };
    warn_show_values(args.show_values);
    start_threads(args.input.threads)?;
    let scanner = Scanner::new(config);
    // The verdict goes to standard output unless a report does.
    let verdict_on_stdout = args.format == Format::Summary || args.output.is_some();
    let mut reporter: Box<dyn Reporter> = match args.format {
        Format::Summary => Box::new(report::Discard),
        format => report::reporter(
            format,
            output(args.output.as_deref(), &args.paths)?,
            args.stats,
        ),
    };
    let (stats, finished, verdict) = with_progress(
        args.input.quiet,
        &args.paths,
        reporter.as_mut(),
        |reporter| {
            let mut gate = Gate::new(&policy, &args.paths, baseline, None, key, reporter);
            let stats = scanner.scan_paths(&args.paths, &mut gate);
            let (finished, verdict, _) = gate.finish(&stats);
            (stats, finished, verdict)
        },
    );
    write_ok(finished, "report")?;
    if stats.output_closed {
        bail!(
            "the scan stopped early: its output was closed (or could not be written) before \
             every input was scanned, so there is no verdict; write the report to a file with \
             -o, or read all of it"
        );
    }
    let written = if verdict_on_stdout {
        report::verdict::write_verdict(&mut io::stdout().lock(), &verdict)
    } else {
        report::verdict::write_verdict(&mut io::stderr().lock(), &verdict)
    };
    write_ok(written, "verdict")?;
    Ok(if stats.errors > 0 {
        ExitCode::Error
    } else if verdict.passed {
        ExitCode::Clean
    } else {
        ExitCode::Found
    })
}

/// `baseline`: what a gate would report now, recorded as accepted.
fn baseline(args: BaselineArgs) -> Result<ExitCode> {
    let policy = Policy::find(args.config.as_deref())?;
    let to_stdout = args.output.as_os_str() == "-";
    // The file to replace: a symbolic link is followed, so that the link stays and its target
    // gets the new baseline.
    let destination = if to_stdout {
        args.output.clone()
    } else {
        let destination = baseline_destination(&args.output)?;
        refuse_input_as_output(&destination, &args.paths)?;
        destination
    };
    // The key of the baseline being replaced, so that unchanged findings keep their
    // fingerprints and the file changes only where the findings do.
    // Standard output has no baseline to read back: a first one gets a new key.
    let previous = (!to_stdout).then(|| Baseline::read(&destination));
    let key = match previous {
        None => FingerprintKey::generate(),
        Some(Ok(previous)) => previous.key,
        Some(Err(BaselineError::Read { source, .. }))
            if source.kind() == io::ErrorKind::NotFound =>
        {
            FingerprintKey::generate()
        }
        // Never quietly replace a secret-keyed baseline with one anyone can brute-force.
        Some(Err(
            e @ (BaselineError::SecretMissing { .. } | BaselineError::SecretMismatch { .. }),
        )) => {
            return Err(e).context(
                "the baseline is kept: set the secret it was written with, or remove it to start anew",
            );
        }
        Some(Err(e)) => {
            eprintln!("piiscan: {e}; writing it anew with a new key");
            FingerprintKey::generate()
        }
    };
    let config = Config {
        exclude: own_output(Some(&destination)),
        ..policy_config(&policy, Some(key.clone()), &args.input)
    };
    start_threads(args.input.threads)?;
    let scanner = Scanner::new(config);
    let mut discard = report::Discard;
    let (stats, recorder) =
        with_progress(args.input.quiet, &args.paths, &mut discard, |reporter| {
            let recorder = Recorder::new(key.clone());
            let mut gate = Gate::new(
                &policy,
                &args.paths,
                None,
                Some(recorder),
                Some(key),
                reporter,
            );
            let stats = scanner.scan_paths(&args.paths, &mut gate);
            let (_, _, recorder) = gate.finish(&stats);
            (stats, recorder)
        });
    if stats.errors > 0 {
        bail!(
            "{} not be read; no baseline was written (it would accept less than is there)",
            report::count(stats.errors, "input could", "inputs could")
        );
    }
    let recorder = recorder.context("the baseline recorder was lost")?;
    let display = piiscan::source::display_path(&args.output);
    if to_stdout {
        write_stdout("baseline", |out| recorder.write(out))?;
    } else {
        // Written beside the target and renamed over it: a failed run leaves the old one.
        let dir = destination.parent().filter(|p| !p.as_os_str().is_empty());
        let dir = dir.unwrap_or(std::path::Path::new("."));
        let (tmp, mut file) = tempfile_in(dir, &destination)?;
        let written = recorder
            .write(&mut file)
            .and_then(|()| io::Write::flush(&mut file))
            .and_then(|()| keep_mode(file.get_ref(), &destination))
            .and_then(|()| {
                drop(file);
                std::fs::rename(&tmp, &destination)
            });
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(e).with_context(|| format!("cannot write {display}"));
        }
        let findings = report::count(recorder.findings(), "finding", "findings");
        say(format_args!(
            "piiscan: recorded {findings} in {display} (fingerprints only, no value)"
        ))?;
    }
    Ok(ExitCode::Clean)
}

/// Where `baseline -o path` writes: `path`, or the file its symbolic links lead to (which need
/// not exist yet). A destination that exists must be a regular file: a baseline is read back
/// for its key and replaced by a rename, neither of which a device or FIFO survives (reading
/// `/dev/stdout` would wait on the terminal for ever). Nor may it be reached through `/dev` or
/// `/proc`: `/dev/stdout` leads to `/proc/self/fd/1`, and renaming over the file it names
/// would not write to standard output.
fn baseline_destination(path: &std::path::Path) -> Result<PathBuf> {
    let display = piiscan::source::display_path(path);
    let mut destination = path.to_path_buf();
    for _ in 0..40 {
        if destination.starts_with("/dev") || destination.starts_with("/proc") {
            bail!(
                "{display} is a device or a descriptor, not a file; write the baseline to a \
                 file, or to `-` for standard output"
            );
        }
        match std::fs::symlink_metadata(&destination) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&destination)
                    .with_context(|| format!("cannot follow the symbolic link {display}"))?;
                let parent = destination.parent().unwrap_or(std::path::Path::new(""));
                destination = parent.join(target);
            }
            Ok(meta) if meta.is_file() => return Ok(destination),
            Ok(_) => bail!(
                "{display} is not a regular file (a folder, device or FIFO); write the baseline \
                 to a file, or to `-` for standard output"
            ),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(destination),
            Err(e) => return Err(e).with_context(|| format!("cannot look at {display}")),
        }
    }
    bail!("{display}: too many levels of symbolic links; write the baseline to a file")
}

/// A new file beside `target` to write and then rename over it; readable by its owner only
/// (a baseline's fingerprints can be brute-forced by whoever reads them, see the README).
fn tempfile_in(
    dir: &std::path::Path,
    target: &std::path::Path,
) -> Result<(PathBuf, io::BufWriter<std::fs::File>)> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "baseline".into());
    let path = dir.join(format!(".{name}.{}.tmp", process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(&path).with_context(|| {
        format!(
            "cannot create {} beside the baseline",
            piiscan::source::display_path(&path)
        )
    })?;
    Ok((path, io::BufWriter::new(file)))
}

/// Gives the new baseline `file` the permissions of the one it replaces at `target`, or
/// owner-only ones for a first baseline (also if a stale temporary file had others).
fn keep_mode(file: &std::fs::File, target: &std::path::Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = match std::fs::metadata(target) {
            Ok(meta) => meta.permissions().mode() & 0o7777,
            Err(_) => 0o600,
        };
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (file, target);
    Ok(())
}

/// `config check`: validate a policy file.
fn config_check(file: Option<PathBuf>) -> Result<ExitCode> {
    let path = file.unwrap_or_else(|| PathBuf::from(policy::DEFAULT_FILE));
    if !path.exists() {
        bail!(
            "{} does not exist; write a starting policy with `piiscan config init`",
            path.display()
        );
    }
    let policy = Policy::load(&path)?;
    say(format_args!(
        "{}: valid; {}",
        policy.source,
        policy.describe()
    ))?;
    Ok(ExitCode::Clean)
}

/// `config init`: write the commented starting policy.
fn config_init(file: &std::path::Path, force: bool) -> Result<ExitCode> {
    if file.as_os_str() == "-" {
        write_stdout("policy", |out| {
            out.write_all(policy::config::TEMPLATE.as_bytes())
        })?;
        return Ok(ExitCode::Clean);
    }
    if file.exists() && !force {
        bail!("{} exists; use --force to replace it", file.display());
    }
    std::fs::write(file, policy::config::TEMPLATE)
        .with_context(|| format!("cannot write {}", file.display()))?;
    say(format_args!(
        "piiscan: wrote {}; check it with `piiscan config check`",
        file.display()
    ))?;
    Ok(ExitCode::Clean)
}

fn exposure_report(args: ReportArgs) -> Result<ExitCode> {
    let config = Config {
        kinds: parse_kinds(&args.kinds, KindSet::all())?,
        fingerprints: true,
        exclude: own_output(args.output.as_deref()),
        ..Config::default()
    };
    // Checked before the scan, which can be long, rather than when the report is written.
    if let Some(path) = args.output.as_deref().filter(|p| p.as_os_str() != "-") {
        refuse_input_as_output(path, &args.paths)?;
    }
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
    let mut out = output(args.output.as_deref(), &args.paths)?;
    let written = match args.format {
        ReportFormat::Table => exposure_format::write_table(&mut out, &report),
        ReportFormat::Json => exposure_format::write_json(&mut out, &report),
        ReportFormat::Html => exposure_format::write_html(&mut out, &report),
    };
    write_ok(written, "report")?;
    Ok(if stats.errors > 0 {
        ExitCode::Error
    } else if stats.findings > 0 {
        ExitCode::Found
    } else {
        ExitCode::Clean
    })
}

/// A write that failed because the reader went away (`| head`) is not an error.
fn write_ok(result: io::Result<()>, what: &str) -> Result<()> {
    match result {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(e).with_context(|| format!("cannot write the {what}"))
        }
        _ => Ok(()),
    }
}

/// The most worker threads `--threads` accepts. More buys nothing on any machine piiscan
/// runs on (a batch holds a few chunks a thread), and tens of thousands of threads exhaust the
/// memory for their stacks: a thread that cannot start takes the process down.
const MAX_THREADS: u64 = 1024;

/// `--threads`: a count from 1 to [`MAX_THREADS`], refused by clap otherwise (exit 2).
fn threads_parser() -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::new().range(1..=MAX_THREADS)
}

/// Writes the `what` on standard output with `write`, then flushes it; a reader gone away
/// (`| head`) is not an error.
fn write_stdout(what: &str, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    let mut out = io::stdout().lock();
    write_ok(write(&mut out).and_then(|()| out.flush()), what)
}

/// Prints a line on standard output, as [`write_stdout`] does.
fn say(line: std::fmt::Arguments) -> Result<()> {
    write_stdout("output", |out| writeln!(out, "{line}"))
}

fn start_threads(threads: Option<usize>) -> Result<()> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
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
    write_stdout("evaluation", |out| {
        write!(out, "{}", evaluation.table())?;
        writeln!(
            out,
            "\n{} bytes in {}, {:.2} s ({:.3} GB/s)",
            stats.bytes,
            report::count(stats.files, "file", "files"),
            stats.elapsed.as_secs_f64(),
            report::gb_per_s(stats.bytes, stats.elapsed)
        )
    })?;
    Ok(if stats.errors > 0 {
        ExitCode::Error
    } else {
        ExitCode::Clean
    })
}

/// The bytes a scan will read, when they can be known in advance: regular files, none of them
/// compressed or UTF-16 (their decompressed or UTF-8 size is unknown) and no stdin.
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
            if piiscan::source::is_encoded(&magic[..n]) {
                return None;
            }
            total += meta.len();
        }
    }
    Some(total)
}
