//! `piiscan report --partial` and `piiscan merge`: reports of parts of an export (shards,
//! partitions) written as partial reports, and merged into the report, and with a policy the
//! gate's verdict, that one run over all the parts gives (see [`crate::exposure::Partial`]).

use std::path::{Path, PathBuf};

use super::gate::{exit_of, policy_config, print_verdict, Judging};
use super::report::{generated_at, render_as, report_exit, utc_timestamp};
use super::{scan_with_progress, start_threads, written, Error, ExitCode, ReportFormat, ReportJob};
use crate::engine::{Config, Scanner};
use crate::exposure::{
    Exposure, GateAllowed, GateBaseline, GateKind, GatePlace, GateState, Partial,
};
use crate::output::{Output, Readers};
use crate::policy::gate::Verdict;
use crate::policy::gate::{
    AllowCount, BaselineUse, Gate, KindCount, KindVerdict, NewFindings, Outcome,
};
use crate::policy::{Policy, Rule};
use crate::report::PrintProblems;
use crate::sink::Stats;
use crate::source::display_path;

/// What `merge` was asked for.
#[derive(Clone, Debug)]
pub struct MergeJob {
    /// The partial reports, in the order given.
    pub parts: Vec<PathBuf>,
    pub format: ReportFormat,
    pub output: Option<PathBuf>,
    /// Judge the merged counts by this policy (the one the parts were made with).
    pub policy: Option<PathBuf>,
    pub fail_on_findings: bool,
}

/// Shown in a merged verdict where a gate shows a masked example: parts keep none.
const NO_EXAMPLE: &str = "(no example in partial reports)";

/// `report --partial`: scans and writes the partial report, readable by its owner only (it
/// holds keyed hashes of values). Judged (`--gate`, `--policy`, `--baseline`), it is scanned
/// and judged as `gate` would: the same policy (`--policy`, else `piiscan.toml` in the working
/// directory, else the built-in default), baseline and key. Exit codes as `report`'s.
pub(super) fn write_partial(job: &ReportJob, key: Option<[u64; 2]>) -> Result<ExitCode, Error> {
    if key.is_none() {
        return Err(Error::Usage(
            "report --partial needs a fingerprint key, the same for every part, or the distinct \
             counts of the parts could not be merged: set PIISCAN_FINGERPRINT_KEY (at least 32 \
             bytes: `export PIISCAN_FINGERPRINT_KEY=$(openssl rand -hex 32)`) or give \
             --key-file FILE"
                .into(),
        ));
    }
    let judged = job.gate || job.policy.is_some() || job.baseline.is_some();
    let judging = match judged {
        true => Some(Judging::load(
            job.policy.as_deref(),
            job.baseline.as_deref(),
        )?),
        false => None,
    };
    let digests = match &judging {
        Some(judging) => Some((
            match &judging.policy_file {
                Some(path) => file_digest(path, "policy")?,
                None => BUILT_IN.to_string(),
            },
            match &job.baseline {
                Some(path) => Some(file_digest(path, "baseline")?),
                None => None,
            },
        )),
        None => None,
    };
    let mut out = Output::create(job.output.as_deref(), &job.inputs.paths, Readers::OwnerOnly)?;
    let exclude: Vec<PathBuf> = out
        .temporary_path()
        .map(PathBuf::from)
        .into_iter()
        .collect();
    // A partial keeps no example, so no finding is masked (masks were 7% of a part's cost).
    let config = match &judging {
        // Scanned as the gate scans: its kinds, detectors and value allowlists.
        Some(judging) => Config {
            fingerprints: true,
            fingerprint_key: key,
            masks: false,
            exclude,
            ..policy_config(&judging.policy, judging.key.clone(), &job.inputs)
        },
        None => Config {
            kinds: job.kinds,
            fingerprints: true,
            fingerprint_key: key,
            masks: false,
            exclude,
            ..job.inputs.config()
        },
    };
    start_threads(job.inputs.threads)?;
    let scanner = Scanner::new(config);
    let mut exposure = Exposure::new();
    let (stats, gate) = match (judging, digests) {
        (Some(judging), Some((policy_digest, baseline_digest))) => {
            let mut inner = PrintProblems(&mut exposure);
            let policy = &judging.policy;
            let mut gate = Gate::new(
                policy,
                &job.inputs.paths,
                judging.baseline,
                None,
                judging.key,
                &mut inner,
            );
            let stats = scan_with_progress(&scanner, &job.inputs, &mut gate);
            let (verdict, _) = gate.finish(&stats);
            let state = gate_state(policy, &verdict, policy_digest, baseline_digest);
            (stats, Some(state))
        }
        _ => (
            scan_with_progress(&scanner, &job.inputs, &mut PrintProblems(&mut exposure)),
            None,
        ),
    };
    let kinds = scanner_kinds(&scanner);
    let mut partial = exposure.into_partial(&stats, key);
    partial.roots = job.inputs.paths.iter().map(|p| display_path(p)).collect();
    partial.kinds = kinds;
    partial.gate = gate;
    written(partial.write_json(&mut out), "partial report")?;
    out.commit()?;
    Ok(report_exit(&stats, job.fail_on_findings))
}

/// What a partial records as the digest of the built-in default policy, which has no file.
const BUILT_IN: &str = "built-in";

fn scanner_kinds(scanner: &Scanner) -> Vec<crate::finding::Kind> {
    scanner.config().kinds.iter().collect()
}

/// The SHA-256 of a file (a policy, a baseline), hexadecimal.
fn file_digest(path: &Path, what: &str) -> Result<String, Error> {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path).map_err(|e| {
        Error::Usage(format!(
            "cannot read the {what} {}: {e}",
            display_path(path)
        ))
    })?;
    Ok(Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// A gate's verdict over one part, as a partial keeps it (no example).
fn gate_state(
    policy: &Policy,
    verdict: &Verdict,
    digest: String,
    baseline_digest: Option<String>,
) -> GateState {
    // The entries by their place in the policy, the order a gate lists them in.
    let entry = |label: &str| {
        (0..policy.allow.len())
            .find(|&i| policy.allow.label(i) == label)
            .unwrap_or(policy.allow.len()) as u32
    };
    GateState {
        policy: digest,
        source: verdict.policy.clone(),
        kinds: verdict
            .kinds
            .iter()
            .map(|k| GateKind {
                kind: k.kind,
                action: k.action,
                threshold: k.threshold,
                description: k.description.clone(),
                new: k.new,
                known: k.known,
                allowed: k.allowed,
                places: k
                    .places
                    .iter()
                    .map(|p| GatePlace {
                        path: p.path.clone(),
                        field: p.field.clone(),
                        count: p.count,
                        line: p.line,
                    })
                    .collect(),
            })
            .collect(),
        allowed: verdict
            .allowed
            .iter()
            .map(|a| GateAllowed {
                entry: entry(&a.entry),
                label: a.entry.clone(),
                count: a.count,
            })
            .collect(),
        ignored: verdict.ignored.iter().map(|k| (k.kind, k.count)).collect(),
        baseline: verdict
            .baseline
            .as_ref()
            .zip(baseline_digest)
            .map(|(b, digest)| GateBaseline {
                path: b.path.clone(),
                digest,
                total: b.known + b.unused,
                known: b.known,
            }),
    }
}

/// The verdict a gate run over all the parts would give, from their merged counts and the
/// rules they recorded: the same outcomes, counts and places, without examples.
fn verdict_of(gate: &GateState, stats: &Stats) -> Verdict {
    let mut passed = stats.all_read() && !stats.stopped;
    let mut kinds = Vec::new();
    for k in &gate.kinds {
        let rule = Rule {
            action: k.action,
            threshold: k.threshold,
        };
        let outcome = Outcome::of(rule, k.new);
        passed &= outcome != Outcome::Fail;
        let mut places: Vec<NewFindings> = k
            .places
            .iter()
            .map(|p| NewFindings {
                path: p.path.clone(),
                field: p.field.clone(),
                count: p.count,
                line: p.line,
                example: NO_EXAMPLE.to_string(),
            })
            .collect();
        NewFindings::sort(&mut places);
        kinds.push(KindVerdict {
            kind: k.kind,
            action: k.action,
            threshold: k.threshold,
            outcome,
            new: k.new,
            known: k.known,
            allowed: k.allowed,
            places,
            description: k.description.clone(),
        });
    }
    Verdict {
        passed,
        policy: gate.source.clone(),
        kinds,
        allowed: gate
            .allowed
            .iter()
            .map(|a| AllowCount {
                entry: a.label.clone(),
                count: a.count,
            })
            .collect(),
        ignored: gate
            .ignored
            .iter()
            .map(|&(kind, count)| KindCount { kind, count })
            .collect(),
        baseline: gate.baseline.as_ref().map(|b| BaselineUse {
            path: b.path.clone(),
            known: b.known,
            unused: b.total.saturating_sub(b.known),
        }),
        errors: stats.errors,
        skipped: stats.skipped,
        files: stats.files,
    }
}

/// `merge`: reads the parts, refusing any of another format, version or key, or judged
/// otherwise than the others (each error names the file), writes the merged report, and when
/// the parts were judged (`report --partial --gate|--policy|--baseline`) the verdict, by the
/// rules they recorded: `--policy FILE` only checks that they were judged by FILE. Exit codes
/// as `report`'s, or for judged parts as `gate`'s.
pub fn merge(job: &MergeJob) -> Result<ExitCode, Error> {
    // The policy first: it makes its custom kinds known, which the parts may name.
    let policy = match &job.policy {
        Some(path) => {
            Policy::load(path)?;
            Some((file_digest(path, "policy")?, display_path(path)))
        }
        None => None,
    };
    let mut merged: Option<Partial> = None;
    for path in &job.parts {
        let display = display_path(path);
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Usage(format!("cannot read the partial report {display}: {e}")))?;
        let part =
            Partial::from_json(&text).map_err(|e| Error::Usage(format!("{display}: {e}")))?;
        if let Some((digest, policy_path)) = &policy {
            if part.gate.as_ref().map(|g| &g.policy) != Some(digest) {
                return Err(Error::Usage(format!(
                    "{display} was not made with the policy {policy_path} (byte for byte), so \
                     the gate's counts cannot be merged: make every part with `piiscan report \
                     --partial --policy {policy_path}`"
                )));
            }
        }
        match &mut merged {
            None => merged = Some(part),
            Some(m) => m
                .merge(part)
                .map_err(|e| Error::Usage(format!("{display}: {e}")))?,
        }
    }
    let Some(merged) = merged else {
        return Err(Error::Usage(
            "merge needs at least one partial report".into(),
        ));
    };
    let stats = merged.stats();
    let gate = merged.gate.clone();
    let mut report = merged.report();
    report.about.generated = utc_timestamp(generated_at());
    let mut out = Output::create(job.output.as_deref(), &job.parts, Readers::Usual)?;
    written(render_as(job.format, &mut out, &report), "report")?;
    out.commit()?;
    let Some(gate) = gate else {
        return Ok(report_exit(&stats, job.fail_on_findings));
    };
    let verdict = verdict_of(&gate, &stats);
    // The verdict goes to standard output unless the report does.
    print_verdict(&verdict, job.output.is_some())?;
    Ok(exit_of(&verdict, &stats))
}
