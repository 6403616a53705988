//! `--format sarif`: SARIF 2.1.0, the format code scanning reads (GitHub's
//! `upload-sarif`, GitLab, Azure DevOps).
//!
//! One run, with one rule per kind found, and one result per finding: a masked message, the
//! file, line and column, and a `partialFingerprints` entry that lets the code-scanning
//! service follow a finding from run to run without any value in it:
//!
//! - `piiscan/v1` when a fingerprint key is in use (a baseline, or `PIISCAN_FINGERPRINT_KEY`):
//!   the keyed fingerprint of path, field, kind and value (see
//!   [`crate::policy::baseline`]) and the occurrence's number among equal ones;
//! - otherwise `piiscan/location/v1`: a hash of path, field and kind, and the occurrence's
//!   number among the findings there, so that no value, even hashed, leaves the machine.
//!
//! Under a policy, levels follow the gate: `error` for a kind that fails it, `warning` for
//! one that warns, `note` below a threshold; findings the baseline accepts are `note`s with
//! `baselineState: unchanged` and an external suppression, new ones `baselineState: new`.
//! Without a policy, direct identifiers are errors and quasi-identifiers warnings.
//!
//! A result's `uri` is the file's real name, percent-encoded, and its `field` property the
//! field as it is; its message, which people read, quotes them in printable form. Problems
//! (notifications) name their input as stderr does, in printable form.
//!
//! Columns count bytes from the start of the line, as in every piiscan format; on a line with
//! non-ASCII text before a finding, a viewer that counts characters highlights a little to
//! the right. Results are capped at [`MAX_RESULTS`], GitHub's limit per run, and a notification
//! counts the rest. Levels are known only at the end, so up to the cap is held per kind; when
//! the cap applies, `error` results are kept first, then `warning`s, then `note`s (new findings
//! before accepted ones), so that what fails the gate is always shown. The rules are every kind
//! among the results kept and every kind that fails the policy.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, Write};
use std::sync::Arc;

use compact_str::CompactString;

use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{print_problem, End, Reporter};
use crate::finding::{Action, Finding, Judgement, Kind};
use crate::policy::baseline::to_hex;
use crate::policy::gate::{Outcome, Verdict};
use crate::sink::{Chunk, Flow, InputInfo, Problem, Sink, Stats, GO_ON};
use crate::source::{printable, SourceError};

/// The most results written; GitHub rejects a run with more than 25,000.
pub const MAX_RESULTS: usize = 25_000;

/// The schema a SARIF file names.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A result waiting for the end of the scan, when levels are known. Up to [`MAX_RESULTS`]
/// of each kind are held, a quarter of a million with every kind: paths and fields are shared
/// and the fingerprint is written out at the end, so that one takes a hundred-odd bytes.
struct Pending {
    kind: Kind,
    path: Arc<str>,
    line: u64,
    column: u32,
    length: u32,
    field: Option<Arc<str>>,
    /// What the kind leaves open: a national number's scheme, a credential's rule.
    detail: Option<&'static str>,
    /// The masked value, or the raw one with `--show-values`.
    shown: CompactString,
    compressed: Option<&'static str>,
    encoding: Option<&'static str>,
    known: Option<bool>,
    /// The scheme, the hashed location or value, and the number of the occurrence.
    fingerprint: (&'static str, [u8; 16], u32),
}

pub struct SarifReporter<'w> {
    out: Box<dyn Write + 'w>,
    /// New findings (all findings without a baseline), then those a baseline accepts. New
    /// ones are held up to [`MAX_RESULTS`] per kind, as any kind's may turn out to be errors.
    new: Vec<Pending>,
    held: HashMap<Kind, usize>,
    known: Vec<Pending>,
    omitted: BTreeMap<Kind, u64>,
    /// Problems with inputs: (level, path, message).
    notifications: Vec<(&'static str, String, String)>,
    verdict: Option<Verdict>,
    /// Occurrences seen per fingerprint base, to number equal ones.
    ordinals: HashMap<[u8; 16], u32>,
    /// The path of the last file with a finding, shared by its results.
    path: Option<Arc<str>>,
}

impl<'w> SarifReporter<'w> {
    pub fn new(out: Box<dyn Write + 'w>) -> Self {
        SarifReporter {
            out,
            new: Vec::new(),
            held: HashMap::new(),
            known: Vec::new(),
            omitted: BTreeMap::new(),
            notifications: Vec::new(),
            verdict: None,
            ordinals: HashMap::new(),
            path: None,
        }
    }

    fn add(&mut self, file: &InputInfo, finding: &Finding, judgement: Option<&Judgement>) {
        let field = finding.field.as_deref();
        let (scheme, base) = match judgement.and_then(|j| j.fingerprint) {
            Some(fp) => ("piiscan/v1", fp),
            None => {
                let mut h = Sha256::new();
                for part in [
                    file.path.as_str(),
                    field.unwrap_or("\0"),
                    finding.kind.name(),
                ] {
                    h.update((part.len() as u64).to_le_bytes());
                    h.update(part.as_bytes());
                }
                let mut base = [0u8; 16];
                base.copy_from_slice(&h.finalize()[..16]);
                ("piiscan/location/v1", base)
            }
        };
        let ordinal = self.ordinals.entry(base).or_default();
        *ordinal += 1;
        let ordinal = *ordinal;
        let known = judgement.and_then(|j| j.known);
        let list = if known == Some(true) {
            // Accepted findings are notes whatever the verdict: the first ones will do.
            (self.known.len() < MAX_RESULTS).then_some(&mut self.known)
        } else {
            let held = self.held.entry(finding.kind).or_default();
            *held += 1;
            (*held <= MAX_RESULTS).then_some(&mut self.new)
        };
        let Some(list) = list else {
            *self.omitted.entry(finding.kind).or_default() += 1;
            return;
        };
        // The URI names the file as it is, for the code-scanning service to find it.
        let path = match &self.path {
            Some(path) if **path == *file.name => Arc::clone(path),
            _ => Arc::clone(self.path.insert(file.name.as_str().into())),
        };
        list.push(Pending {
            kind: finding.kind,
            path,
            line: finding.line,
            column: finding.column,
            length: finding.length,
            field: finding.field.clone(),
            detail: finding.detail.name(),
            shown: match &finding.value {
                Some(value) => CompactString::from(&**value),
                None => finding.masked.clone(),
            },
            compressed: file.compression.map(|c| c.name()),
            encoding: file.encoding.map(|e| e.name()),
            known,
            fingerprint: (scheme, base, ordinal),
        });
    }

    /// The level of a result of `kind`.
    fn level(&self, kind: Kind, known: Option<bool>) -> &'static str {
        if known == Some(true) {
            return "note";
        }
        match &self.verdict {
            Some(verdict) => match verdict.outcome(kind) {
                Outcome::Fail => "error",
                Outcome::Warn => "warning",
                Outcome::BelowThreshold | Outcome::Clean => "note",
            },
            None if kind.is_quasi() => "warning",
            None => "error",
        }
    }

    /// A kind's rule name, title and description; a custom kind's as its policy says.
    fn describe(&self, kind: Kind) -> (String, String, String) {
        let (name, title, description) = describe(kind);
        let text = self
            .verdict
            .as_ref()
            .and_then(|v| v.kinds.iter().find(|k| k.kind == kind))
            .and_then(|k| k.description.as_ref());
        match text {
            Some(text) => (
                name,
                text.clone(),
                format!("{text} (`{kind}`, defined by the policy)."),
            ),
            None => (name, title, description),
        }
    }

    fn rule(&self, kind: Kind) -> Value {
        let (name, title, description) = self.describe(kind);
        let action = self
            .verdict
            .as_ref()
            .and_then(|v| v.kinds.iter().find(|k| k.kind == kind).map(|k| k.action));
        let level = match action {
            Some(Action::Warn) => "warning",
            Some(_) => "error",
            None => self.level(kind, None),
        };
        json!({
            "id": kind.name(),
            "name": name,
            "shortDescription": { "text": title },
            "fullDescription": { "text": description },
            "help": {
                "text": format!(
                    "{description} Remove or pseudonymise the field before the export leaves, \
                     allow it in piiscan.toml if it is not personal data, or accept what is there \
                     now with `piiscan baseline`."
                ),
            },
            "defaultConfiguration": { "level": level },
            "properties": { "tags": ["privacy", "personal-data", if kind.is_quasi() { "quasi-identifier" } else { "identifier" }] },
        })
    }

    fn result<'p>(&self, p: &'p Pending, rule_index: usize) -> SarifResult<'p> {
        let (_, title, _) = self.describe(p.kind);
        let (scheme, base, ordinal) = p.fingerprint;
        // The message is for people: what it quotes of the data is printable.
        let place = match &p.field {
            Some(field) => format!("under `{}`", printable(field)),
            None => "in free text".to_string(),
        };
        let mut text = match p.detail {
            Some(detail) => format!("{title} ({detail}) {} {place}", printable(&p.shown)),
            None => format!("{title} {} {place}", printable(&p.shown)),
        };
        if p.known == Some(true) {
            text.push_str(" (accepted in the baseline)");
        }
        let properties = (p.field.is_some()
            || p.detail.is_some()
            || p.compressed.is_some()
            || p.encoding.is_some())
        .then_some(ResultProperties {
            field: p.field.as_deref(),
            detail: p.detail,
            compressed: p.compressed,
            encoding: p.encoding,
        });
        SarifResult {
            rule_id: p.kind.name(),
            rule_index,
            level: self.level(p.kind, p.known),
            message: Message { text },
            locations: [Location {
                physical_location: PhysicalLocation {
                    artifact_location: artifact(&p.path),
                    region: Region {
                        start_line: p.line,
                        start_column: p.column,
                        end_column: u64::from(p.column) + u64::from(p.length),
                    },
                },
            }],
            partial_fingerprints: [(scheme, format!("{}:{ordinal}", to_hex(&base)))].into(),
            properties,
            baseline_state: p.known.map(|k| if k { "unchanged" } else { "new" }),
            suppressions: (p.known == Some(true)).then_some([Suppression {
                kind: "external",
                status: "accepted",
                justification: "accepted in the piiscan baseline",
            }]),
        }
    }

    /// The results written: all of them, new ones first, or when there are too many, the
    /// most severe first (a stable sort keeps input order within a level).
    fn written(&self) -> Vec<&Pending> {
        let mut written: Vec<&Pending> = self.new.iter().chain(&self.known).collect();
        if written.len() > MAX_RESULTS {
            written.sort_by_key(|p| match self.level(p.kind, p.known) {
                "error" => 0,
                "warning" => 1,
                _ => 2,
            });
            written.truncate(MAX_RESULTS);
        }
        written
    }

    fn log(&self, stats: &Stats) -> Log<'_> {
        let written = self.written();
        // A failing kind has a rule even when none of its results could be listed.
        let failing = self.verdict.iter().flat_map(|v| {
            v.kinds
                .iter()
                .filter(|k| k.outcome == Outcome::Fail)
                .map(|k| k.kind)
        });
        let kinds: BTreeSet<Kind> = written.iter().map(|p| p.kind).chain(failing).collect();
        let kinds: Vec<Kind> = kinds.into_iter().collect();
        let rules: Vec<Value> = kinds.iter().map(|&k| self.rule(k)).collect();
        let results: Vec<SarifResult<'_>> = written
            .iter()
            .map(|p| {
                let index = kinds.iter().position(|&k| k == p.kind).unwrap_or(0);
                self.result(p, index)
            })
            .collect();
        let mut notifications: Vec<Value> = self
            .notifications
            .iter()
            .map(|(level, path, message)| {
                json!({
                    "level": level,
                    "message": { "text": format!("{path}: {message}") },
                    "locations": [{ "physicalLocation": { "artifactLocation": artifact(path) } }],
                })
            })
            .collect();
        let dropped = self.new.len() + self.known.len() - written.len();
        let omitted: u64 = self.omitted.values().sum::<u64>() + dropped as u64;
        if omitted > 0 {
            notifications.push(json!({
                "level": "warning",
                "message": { "text": format!(
                    "{omitted} more findings are not listed: SARIF consumers accept at most {MAX_RESULTS} results per run; see `piiscan gate` or `--format jsonl` for all of them"
                ) },
            }));
        }
        let properties = self.verdict.as_ref().map(|verdict| {
            json!({
                "gate": if verdict.passed { "pass" } else { "fail" },
                "policy": verdict.policy,
            })
        });
        Log {
            schema: SCHEMA,
            version: "2.1.0",
            runs: [Run {
                tool: json!({
                    "driver": {
                        "name": "piiscan",
                        "version": env!("CARGO_PKG_VERSION"),
                        "semanticVersion": env!("CARGO_PKG_VERSION"),
                        "rules": rules,
                    },
                }),
                invocations: json!([{
                    "executionSuccessful": stats.all_read(),
                    "toolExecutionNotifications": notifications,
                }]),
                results,
                properties,
            }],
        }
    }
}

/// Where a path is, as SARIF says it: a relative reference against the source root, a
/// `file:` URI for an absolute path, `stdin` for standard input.
fn artifact(path: &str) -> ArtifactLocation {
    if path == "-" {
        return ArtifactLocation {
            uri: "stdin".into(),
            uri_base_id: None,
        };
    }
    let encoded = percent_encode(path.strip_prefix("./").unwrap_or(path));
    if path.starts_with('/') {
        ArtifactLocation {
            uri: format!("file://{encoded}"),
            uri_base_id: None,
        }
    } else {
        ArtifactLocation {
            uri: encoded,
            uri_base_id: Some("%SRCROOT%"),
        }
    }
}

// The log as written: typed and streamed, so that 25,000 results are not first built as a
// tree of JSON values. The small parts (tool, invocations) are JSON values.

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
struct Run<'a> {
    tool: Value,
    invocations: Value,
    results: Vec<SarifResult<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: [Location; 1],
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<ResultProperties<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[Suppression; 1]>,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u64,
    start_column: u32,
    end_column: u64,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
    /// The scheme of a national number (`us_ssn`), the rule of a credential (`github.pat`).
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    compressed: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    encoding: Option<&'static str>,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: &'static str,
}

/// Percent-encodes what may not stand in a URI path: all but unreserved characters and `/`.
fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A rule's name, short title and description.
fn describe(kind: Kind) -> (String, String, String) {
    if let Some(spec) = kind.spec() {
        return (
            spec.rule_id.into(),
            spec.title.into(),
            spec.description.into(),
        );
    }
    let name = kind.name();
    let camel: String = name
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or(String::new(), |f| {
                f.to_ascii_uppercase().to_string() + c.as_str()
            })
        })
        .collect();
    (
        camel,
        name.replace('_', " "),
        format!("`{name}`, a kind defined by the policy's custom detector."),
    )
}

impl Sink for SarifReporter<'_> {
    fn chunk(&mut self, chunk: &Chunk<'_>) -> Flow {
        for (finding, judgement) in chunk.judged() {
            self.add(chunk.input, finding, judgement);
        }
        GO_ON
    }

    fn problem(&mut self, problem: &Problem<'_>) -> Flow {
        print_problem(problem);
        let notification = match problem {
            Problem::Error(SourceError::Io { path, source }) => {
                ("error", path.clone(), source.to_string())
            }
            Problem::Error(SourceError::Other { path, message }) => {
                ("error", path.clone(), message.clone())
            }
            Problem::Skipped { path, reason } => (
                if reason.fails_run() { "error" } else { "note" },
                path.to_string(),
                reason.to_string(),
            ),
            Problem::Note { path, message } => ("note", path.to_string(), message.to_string()),
        };
        self.notifications.push(notification);
        GO_ON
    }
}

impl Reporter for SarifReporter<'_> {
    fn finish(&mut self, end: &End<'_>) -> io::Result<()> {
        self.verdict = end.verdict.cloned();
        // The log borrows the results, so the writer is taken out while it is written.
        let mut out = std::mem::replace(&mut self.out, Box::new(io::sink()));
        let mut buffered = io::BufWriter::with_capacity(1 << 16, &mut out);
        let written = serde_json::to_writer_pretty(&mut buffered, &self.log(end.stats))
            .map_err(io::Error::from)
            .and_then(|()| buffered.write_all(b"\n"))
            .and_then(|()| buffered.flush());
        drop(buffered);
        self.out = out;
        written
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        let cases = [
            (
                "exports/a b.ndjson",
                json!({"uri": "exports/a%20b.ndjson", "uriBaseId": "%SRCROOT%"}),
            ),
            (
                "./x/é.csv",
                json!({"uri": "x/%C3%A9.csv", "uriBaseId": "%SRCROOT%"}),
            ),
            ("/tmp/e#1.log", json!({"uri": "file:///tmp/e%231.log"})),
            ("-", json!({"uri": "stdin"})),
        ];
        for (path, want) in cases {
            assert_eq!(
                serde_json::to_value(artifact(path)).unwrap(),
                want,
                "{path}"
            );
        }
    }

    #[test]
    fn custom_kinds_are_described_by_name() {
        let kind = Kind::Custom(crate::detect::CustomKind::intern("test_badge_id").unwrap());
        let (name, title, _) = describe(kind);
        assert_eq!(
            (name.as_str(), title.as_str()),
            ("TestBadgeId", "test badge id")
        );
    }
}
