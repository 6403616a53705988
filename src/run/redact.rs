//! `piiscan redact`: a redacted copy of each input (see [`crate::redact`]), then, with
//! `--verify`, a scan of the copies for what should have been changed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{scan_with_progress, start_threads, Error, ExitCode, Inputs};
use crate::detect::{Kind, RedactAction};
use crate::engine::{Config, Hooks, Scanner};
use crate::output;
use crate::policy::Policy;
use crate::redact::{pseudonym, Destinations, Key, Plan, Redactor, Verifier};
use crate::source::{display_path, walk};

/// The environment variable that holds the pseudonyms' key.
pub const KEY_VARIABLE: &str = "PIISCAN_REDACT_KEY";

/// What `redact` was asked for.
#[derive(Clone, Debug)]
pub struct RedactJob {
    pub inputs: Inputs,
    /// A folder for one copy per input, by the same relative paths.
    pub out_dir: Option<PathBuf>,
    /// One file for the copy of one input (`-`: standard output).
    pub output: Option<PathBuf>,
    pub policy: Option<PathBuf>,
    /// `KIND=ACTION`, after the policy's `[redact]` table.
    pub actions: Vec<String>,
    /// A file that holds the pseudonyms' key (else `PIISCAN_REDACT_KEY`).
    pub key_file: Option<PathBuf>,
    /// Scan the copies and fail (exit 1) when a value that should have changed remains.
    pub verify: bool,
}

/// Writes the copies: exit 0 when every input has its copy (and, with `--verify`, nothing
/// remains in them), 1 when the check finds something left, 2 on an error.
pub fn redact(job: &RedactJob) -> Result<ExitCode, Error> {
    let policy = Policy::find(job.policy.as_deref())?;
    let mut rules = policy.redact.clone();
    for spec in &job.actions {
        let (kind, action) = parse_action(spec, &policy)?;
        rules.set(kind, action).map_err(Error::Usage)?;
    }
    let destinations = destinations(job)?;
    if job.verify && matches!(destinations, Destinations::Stdout) {
        return Err(Error::Usage(
            "--verify re-reads the copies: write them to files (--out DIR or -o FILE)".into(),
        ));
    }
    let custom: Vec<Kind> = policy.custom.iter().map(|c| c.kind).collect();
    let key = key(job, &rules, &custom)?;
    let plan = Plan::new(rules, key);
    let kinds = plan.scan_kinds(&custom);
    let detectors = policy.hooks(None).detectors;
    let config = Config {
        kinds,
        describe: false,
        hooks: Hooks {
            detectors: detectors.clone(),
            values: plan.value_check(),
        },
        ..job.inputs.config()
    };
    start_threads(job.inputs.threads)?;
    let scanner = Scanner::new(config);
    let mut redactor = Redactor::new(&plan, destinations, job.inputs.paths.clone());
    let stats = scan_with_progress(&scanner, &job.inputs, &mut redactor);
    let counts = redactor.counts;
    eprintln!(
        "piiscan: redact: {} values replaced ({} pseudonymised, {} masked, {} generalised, \
         {} removed) in {} inputs",
        counts.total(),
        counts.pseudonymised,
        counts.masked,
        counts.generalised,
        counts.removed,
        stats.files
    );
    if stats.stopped {
        return Ok(ExitCode::Clean);
    }
    if redactor.failed > 0 || stats.errors > 0 {
        return Ok(ExitCode::Error);
    }
    if !job.verify {
        return Ok(ExitCode::Clean);
    }
    let verify = Scanner::new(Config {
        kinds,
        describe: true,
        hooks: Hooks {
            detectors,
            values: None,
        },
        // The copies written are this shard's: all of them are checked.
        shard: None,
        ..job.inputs.config()
    });
    let mut verifier = Verifier::new(&plan);
    let checked = verify.scan_paths(&redactor.written, &mut verifier);
    if verifier.errors > 0 || checked.errors > 0 {
        return Ok(ExitCode::Error);
    }
    if verifier.remaining > 0 {
        eprintln!(
            "piiscan: verify: {} values of redacted kinds remain in the copies",
            verifier.remaining
        );
        return Ok(ExitCode::Found);
    }
    eprintln!(
        "piiscan: verify: {} copies re-scanned, nothing of the redacted kinds remains",
        redactor.written.len()
    );
    Ok(ExitCode::Clean)
}

/// Reads `KIND=ACTION`.
fn parse_action(spec: &str, policy: &Policy) -> Result<(Kind, RedactAction), Error> {
    let Some((name, action)) = spec.split_once('=') else {
        return Err(Error::Usage(
            "--action takes KIND=ACTION (email=mask, ipv4=generalise...)".into(),
        ));
    };
    let (name, action) = (name.trim(), action.trim());
    let kind = Kind::from_name(name)
        .or_else(|| {
            policy
                .custom
                .iter()
                .map(|c| c.kind)
                .find(|k| k.name() == name)
        })
        .ok_or_else(|| {
            let known: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
            Error::Usage(format!(
                "unknown kind '{}' in --action; known kinds: {}",
                crate::source::printable(name),
                known.join(", ")
            ))
        })?;
    let action = RedactAction::from_name(action).ok_or_else(|| {
        Error::Usage(format!(
            "unknown action '{}' in --action; actions: mask, pseudonymise, generalise, remove, \
             keep",
            crate::source::printable(action)
        ))
    })?;
    Ok((kind, action))
}

/// The key of the pseudonyms: `--key-file`, else `PIISCAN_REDACT_KEY`, else one drawn for
/// this run, with a note that pseudonyms will not match another run's.
fn key(
    job: &RedactJob,
    rules: &crate::policy::redact::RedactRules,
    custom: &[Kind],
) -> Result<Key, Error> {
    let short = |len: usize, from: &str| {
        Error::Usage(format!(
            "the key in {from} is {len} bytes; pseudonyms need at least {} (a shorter key can \
             be found from the pseudonym of a known value): `openssl rand -hex 32`",
            pseudonym::MIN_KEY_BYTES
        ))
    };
    if let Some(path) = &job.key_file {
        let mut secret = std::fs::read(path).map_err(|e| {
            Error::Usage(format!(
                "cannot read the key file {}: {e}",
                display_path(path)
            ))
        })?;
        while secret.last().is_some_and(|b| matches!(b, b'\n' | b'\r')) {
            secret.pop();
        }
        let key = Key::new(&secret).map_err(|len| short(len, &display_path(path)));
        secret.fill(0);
        return key;
    }
    if let Some(secret) = std::env::var_os(KEY_VARIABLE) {
        return Key::new(secret.as_encoded_bytes()).map_err(|len| short(len, KEY_VARIABLE));
    }
    if rules.pseudonymises(Kind::ALL.into_iter().chain(custom.iter().copied())) {
        eprintln!(
            "piiscan: redact: no key ({KEY_VARIABLE} or --key-file): pseudonyms use a key drawn \
             for this run, so they will not match another run's and joins across runs will \
             not survive"
        );
    }
    Ok(Key::random())
}

/// Where each input's copy goes, checked before anything is read: no copy may replace an
/// input, and a folder of copies may not lie in a folder being read.
fn destinations(job: &RedactJob) -> Result<Destinations, Error> {
    let paths = &job.inputs.paths;
    let stdin = paths.iter().any(|p| p.as_os_str() == "-");
    match (&job.out_dir, &job.output) {
        (Some(_), Some(_)) => Err(Error::Usage(
            "--out DIR and -o FILE do not go together: one copy per input goes to DIR, -o \
             writes one input's copy"
                .into(),
        )),
        (None, None) if stdin && paths.len() == 1 => Ok(Destinations::Stdout),
        (None, None) => Err(Error::Usage(
            "redact writes copies: give --out DIR (one copy per input), -o FILE (one input), \
             or read `-` to write standard output"
                .into(),
        )),
        (None, Some(file)) if file.as_os_str() == "-" => {
            if paths.len() == 1 && (stdin || Path::new(&paths[0]).is_file()) {
                Ok(Destinations::Stdout)
            } else {
                Err(Error::Usage("-o takes the copy of one input file".into()))
            }
        }
        (None, Some(file)) => {
            let targets: Vec<_> = walk::targets(paths).flatten().collect();
            if targets.len() != 1 {
                return Err(Error::Usage(format!(
                    "-o takes the copy of one input, and {} were named; use --out DIR",
                    targets.len()
                )));
            }
            output::refuse_input(file, paths)?;
            output::destination(file)?;
            Ok(Destinations::File(file.clone()))
        }
        (Some(dir), None) => {
            if stdin {
                return Err(Error::Usage(
                    "standard input has no name to copy under --out DIR: use -o FILE or no \
                     output option"
                        .into(),
                ));
            }
            refuse_folder_inside_inputs(dir, paths)?;
            let mut map = HashMap::new();
            let mut seen: HashMap<PathBuf, String> = HashMap::new();
            for root in paths {
                let root_is_dir = root.is_dir() || crate::source::objects::is_prefix(root);
                for target in walk::targets(std::slice::from_ref(root)).flatten() {
                    // Below the folder (or prefix), else by its name (a file or object named).
                    let below = match &target.object {
                        Some(object) => Some(PathBuf::from(&object.relative)),
                        None if root_is_dir => {
                            target.path.strip_prefix(root).map(Path::to_path_buf).ok()
                        }
                        None => None,
                    };
                    let relative = below
                        .filter(|r| !r.as_os_str().is_empty())
                        .or_else(|| target.path.file_name().map(PathBuf::from));
                    let Some(relative) = relative else {
                        continue;
                    };
                    let destination = dir.join(&relative);
                    let name = target.path.to_string_lossy().into_owned();
                    if let Some(other) = seen.get(&destination) {
                        if *other != name {
                            return Err(Error::Usage(format!(
                                "{} and {} would both be copied to {}; redact them separately",
                                display_path(Path::new(other)),
                                display_path(&target.path),
                                display_path(&destination)
                            )));
                        }
                    }
                    output::refuse_input(&destination, paths)?;
                    seen.insert(destination.clone(), name.clone());
                    map.insert(name, destination);
                }
            }
            Ok(Destinations::Each(map))
        }
    }
}

/// A folder of copies inside a folder being read would be read too, copies of copies.
fn refuse_folder_inside_inputs(dir: &Path, paths: &[PathBuf]) -> Result<(), Error> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::Usage(format!("cannot create {}: {e}", display_path(dir))))?;
    let Ok(dir_real) = dir.canonicalize() else {
        return Ok(());
    };
    for root in paths.iter().filter(|p| p.is_dir()) {
        if let Ok(root_real) = root.canonicalize() {
            if dir_real.starts_with(&root_real) || root_real.starts_with(&dir_real) {
                return Err(output::OutputError::ReplacesInput {
                    output: display_path(dir),
                    also: format!(" (a folder being read: {})", display_path(root)),
                }
                .into());
            }
        }
    }
    Ok(())
}
