//! `piiscan gate` and `piiscan baseline`: scan, judge by a policy, decide or record.

use crate::policy::gate::Verdict;
use crate::sink::Stats;
use std::io;
use std::path::{Path, PathBuf};

use super::{
    scan_with_progress, start_threads, warn_show_values, written, Error, ExitCode, Inputs,
};
use crate::engine::{Config, Scanner};
use crate::output::{Output, Readers};
use crate::policy::baseline::{env_secret, Baseline, BaselineError, FingerprintKey, Recorder};
use crate::policy::gate::Gate;
use crate::policy::Policy;
use crate::report::{self, verdict, End, Format, Reporter};

/// What `gate` (or `scan --policy`) was asked for.
#[derive(Clone, Debug)]
pub struct GateJob {
    pub inputs: Inputs,
    pub format: Format,
    /// Where the report goes; the verdict then goes to standard output.
    pub output: Option<PathBuf>,
    pub show_values: bool,
    pub stats: bool,
    /// The policy file (default: `piiscan.toml` in the working directory, if there is one).
    pub policy: Option<PathBuf>,
    pub baseline: Option<PathBuf>,
}

/// What `baseline` was asked for.
#[derive(Clone, Debug)]
pub struct BaselineJob {
    pub inputs: Inputs,
    pub policy: Option<PathBuf>,
    /// Where to write the baseline (`-` for standard output).
    pub output: PathBuf,
}

/// What `gate` and `baseline` scan, the same for both so that a baseline matches its gate: the
/// policy's kinds and hooks. A file that looks binary is refused (the gate then cannot pass)
/// unless `--binary` says to scan it as text: read as text, a binary format's values are
/// mostly not found, and passing it would vouch for what was never read.
pub(super) fn policy_config(
    policy: &Policy,
    key: Option<FingerprintKey>,
    inputs: &Inputs,
) -> Config {
    Config {
        kinds: policy.scan_kinds(),
        hooks: policy.hooks(key),
        ..inputs.config()
    }
}

/// What a gate judges by, found as `gate` finds it (and `report --partial` for `merge`).
pub(super) struct Judging {
    pub policy: Policy,
    /// The file the policy was read from: `--policy`, else `piiscan.toml` in the working
    /// directory when there is one; `None` for the built-in default.
    pub policy_file: Option<PathBuf>,
    /// The baseline, as named (printable) and read.
    pub baseline: Option<(String, Baseline)>,
    /// The key of fingerprints (see [`Gate::key_for`]).
    pub key: Option<FingerprintKey>,
}

impl Judging {
    pub(super) fn load(policy: Option<&Path>, baseline: Option<&Path>) -> Result<Judging, Error> {
        // A secret too short to use is an error before anything is read.
        env_secret()?;
        let default = Path::new(crate::policy::DEFAULT_FILE);
        let policy_file = match policy {
            Some(path) => Some(path.to_path_buf()),
            None => default.is_file().then(|| default.to_path_buf()),
        };
        let policy = Policy::find(policy_file.as_deref())?;
        let baseline = match baseline {
            Some(path) => Some((crate::source::display_path(path), Baseline::read(path)?)),
            None => None,
        };
        let key = Gate::key_for(baseline.as_ref().map(|(_, b)| b), None)?;
        Ok(Judging {
            policy,
            policy_file,
            baseline,
            key,
        })
    }
}

/// Scans, judges by the policy, reports, and decides: exit 0 when the policy passes, 1 when it
/// fails, 2 when an input could not be read or was not scanned, or the scan was cut short.
pub fn gate(job: &GateJob) -> Result<ExitCode, Error> {
    let Judging {
        policy,
        baseline,
        key,
        ..
    } = Judging::load(job.policy.as_deref(), job.baseline.as_deref())?;
    // Fingerprints serve a baseline and SARIF's stable ids. Without either, a key set for them
    // (`PIISCAN_FINGERPRINT_KEY`, which reports share) would have every finding hashed twice,
    // a digest on the scanning thread and a fingerprint on the receiving one, for nothing
    // printed: half again the gate's time on an export.
    let key = key.filter(|_| baseline.is_some() || job.format == Format::Sarif);
    // The verdict goes to standard output unless a report does.
    let verdict_on_stdout = job.format == Format::Summary || job.output.is_some();
    let readers = if job.show_values {
        Readers::OwnerOnly
    } else {
        Readers::Usual
    };
    let mut out = match job.format {
        Format::Summary => None,
        _ => Some(Output::create(
            job.output.as_deref(),
            &job.inputs.paths,
            readers,
        )?),
    };
    let config = Config {
        show_values: job.show_values,
        exclude: out
            .as_ref()
            .and_then(Output::temporary_path)
            .map(PathBuf::from)
            .into_iter()
            .collect(),
        ..policy_config(&policy, key.clone(), &job.inputs)
    };
    warn_show_values(job.show_values);
    start_threads(job.inputs.threads)?;
    let scanner = Scanner::new(config);
    let (stats, verdict, finished) = {
        let mut reporter: Box<dyn Reporter + '_> = match &mut out {
            None => Box::new(report::Discard),
            Some(out) => report::reporter(job.format, Box::new(out), job.stats),
        };
        let mut gate = Gate::new(
            &policy,
            &job.inputs.paths,
            baseline,
            None,
            key,
            reporter.as_mut(),
        );
        let stats = scan_with_progress(&scanner, &job.inputs, &mut gate);
        let (verdict, _) = gate.finish(&stats);
        let finished = reporter.finish(&End {
            stats: &stats,
            verdict: Some(&verdict),
        });
        (stats, verdict, finished)
    };
    written(finished, "report")?;
    if let Some(mut out) = out {
        if job.format == Format::Markdown && !stats.stopped {
            written(
                report::markdown::write_verdict(&mut out, &verdict),
                "verdict",
            )?;
        }
        out.commit()?;
    }
    if stats.stopped {
        return Err(Error::Incomplete(
            "the scan stopped early: its output was closed (or could not be written) before \
             every input was scanned, so there is no verdict; write the report to a file with \
             -o, or read all of it"
                .into(),
        ));
    }
    // The Markdown verdict on standard output stands for the text one.
    let markdown_on_stdout = job.format == Format::Markdown && job.output.is_none();
    if !markdown_on_stdout {
        print_verdict(&verdict, verdict_on_stdout)?;
    }
    Ok(exit_of(&verdict, &stats))
}

/// Prints the verdict on standard output, or on standard error when the report has it.
pub(super) fn print_verdict(verdict: &Verdict, on_stdout: bool) -> Result<(), Error> {
    let shown = if on_stdout {
        verdict::write_verdict(&mut io::stdout().lock(), verdict)
    } else {
        verdict::write_verdict(&mut io::stderr().lock(), verdict)
    };
    written(shown, "verdict")
}

/// A gate's exit: 2 when an input was not read whatever the verdict, else 0 or 1.
pub(super) fn exit_of(verdict: &Verdict, stats: &Stats) -> ExitCode {
    if !stats.all_read() {
        ExitCode::Error
    } else if verdict.passed {
        ExitCode::Clean
    } else {
        ExitCode::Found
    }
}

/// Records what a gate would report now as accepted.
pub fn baseline(job: &BaselineJob) -> Result<ExitCode, Error> {
    // A secret too short to use is an error before anything is read or replaced.
    env_secret()?;
    let policy = Policy::find(job.policy.as_deref())?;
    let to_stdout = job.output.as_os_str() == "-";
    // The key of the baseline being replaced, so that unchanged findings keep their
    // fingerprints and the file changes only where the findings do. Standard output has no
    // baseline to read back: a first one gets a new key.
    let destination = if to_stdout {
        None
    } else {
        let destination = crate::output::destination(&job.output)?;
        crate::output::refuse_input(&destination, &job.inputs.paths)?;
        Some(destination)
    };
    let key = match destination.as_deref().map(Baseline::read) {
        None => FingerprintKey::generate()?,
        Some(Ok(previous)) => previous.key,
        Some(Err(BaselineError::Read { source, .. }))
            if source.kind() == io::ErrorKind::NotFound =>
        {
            FingerprintKey::generate()?
        }
        // Never quietly replace a secret-keyed baseline with one anyone can brute-force.
        Some(Err(
            e @ (BaselineError::SecretMissing { .. } | BaselineError::SecretMismatch { .. }),
        )) => {
            return Err(Error::Usage(format!(
                "{e}; the baseline is kept: set the secret it was written with, or remove it to \
                 start anew"
            )));
        }
        Some(Err(e)) => {
            eprintln!("piiscan: {e}; writing it anew with a new key");
            FingerprintKey::generate()?
        }
    };
    let config = Config {
        exclude: destination.iter().cloned().collect(),
        ..policy_config(&policy, Some(key.clone()), &job.inputs)
    };
    start_threads(job.inputs.threads)?;
    let scanner = Scanner::new(config);
    let mut discard = report::Discard;
    let recorder = Recorder::new(key.clone());
    let mut gate = Gate::new(
        &policy,
        &job.inputs.paths,
        None,
        Some(recorder),
        Some(key),
        &mut discard,
    );
    let stats = scan_with_progress(&scanner, &job.inputs, &mut gate);
    let (_, recorder) = gate.finish(&stats);
    if !stats.all_read() {
        return Err(Error::Incomplete(format!(
            "{}; no baseline was written (it would accept less than is there)",
            report::unread(stats.errors, stats.skipped)
        )));
    }
    let Some(recorder) = recorder else {
        return Err(Error::Incomplete("the baseline recorder was lost".into()));
    };
    if to_stdout {
        let mut out = io::stdout().lock();
        written(recorder.write(&mut out), "baseline")?;
        written(io::Write::flush(&mut out), "baseline")?;
    } else {
        recorder.write_to(&job.output, &job.inputs.paths)?;
        let findings = report::count(recorder.findings(), "finding", "findings");
        let display = crate::source::display_path(&job.output);
        let said = io::Write::write_fmt(
            &mut io::stdout().lock(),
            format_args!(
                "piiscan: recorded {findings} in {display} (fingerprints only, no value)\n"
            ),
        );
        written(said, "output")?;
    }
    Ok(ExitCode::Clean)
}

/// `config check`: validates a policy file (default: `piiscan.toml`).
pub fn config_check(file: Option<&std::path::Path>) -> Result<ExitCode, Error> {
    let path = file.unwrap_or(std::path::Path::new(crate::policy::DEFAULT_FILE));
    if !path.exists() {
        return Err(Error::Usage(format!(
            "{} does not exist; write a starting policy with `piiscan config init`",
            crate::source::display_path(path)
        )));
    }
    let policy = Policy::load(path)?;
    let said = io::Write::write_fmt(
        &mut io::stdout().lock(),
        format_args!("{}: valid; {}\n", policy.source, policy.describe()),
    );
    written(said, "output")?;
    Ok(ExitCode::Clean)
}

/// `config init`: writes the commented starting policy to `file` (`-`: standard output),
/// replacing an existing one only when `force` says so.
pub fn config_init(file: &std::path::Path, force: bool) -> Result<ExitCode, Error> {
    let template = crate::policy::config::TEMPLATE.as_bytes();
    if file.as_os_str() == "-" {
        let mut out = io::stdout().lock();
        written(io::Write::write_all(&mut out, template), "policy")?;
        written(io::Write::flush(&mut out), "policy")?;
        return Ok(ExitCode::Clean);
    }
    let display = crate::source::display_path(file);
    if file.exists() && !force {
        return Err(Error::Usage(format!(
            "{display} exists; use --force to replace it"
        )));
    }
    let mut out = Output::create(Some(file), &[], Readers::Usual)?;
    written(io::Write::write_all(&mut out, template), "policy")?;
    out.commit()?;
    let said = io::Write::write_fmt(
        &mut io::stdout().lock(),
        format_args!("piiscan: wrote {display}; check it with `piiscan config check`\n"),
    );
    written(said, "output")?;
    Ok(ExitCode::Clean)
}
