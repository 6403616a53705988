//! The gate: an aggregation over findings that decides whether an export may leave.
//!
//! [`Gate`] is a [`Sink`] in front of another (a reporter): for each finding of a chunk it
//! applies the policy in this order: a kind the policy ignores is dropped; a finding an
//! allowlist entry accepts is dropped and counted against that entry; a finding the baseline
//! accepts is passed on as known; the rest are new, passed on and counted per kind and per
//! place (file and field). What it keeps goes on with the chunk, each finding with its
//! [`Judgement`], so that reporters render levels and baseline states without knowing the
//! policy. At the end, each kind with at least its threshold of new findings fails or warns as
//! its rule says, and the [`Verdict`] holds why, with masked examples only.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::baseline::{Baseline, BaselineError, FingerprintKey, Recorder};
use super::{Action, Policy, Rule};
use crate::finding::{Finding, Judgement, Kind};
use crate::sink::{Chunk, Flow, InputEnd, InputInfo, Problem, Sink, Stats};

/// How a kind came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// At least the threshold of new findings, and the kind fails.
    Fail,
    /// At least the threshold of new findings, and the kind warns.
    Warn,
    /// New findings, fewer than the threshold.
    BelowThreshold,
    /// No new finding.
    Clean,
}

impl Outcome {
    /// How a kind comes out under `rule` with `new` findings neither allowed nor known.
    pub fn of(rule: Rule, new: u64) -> Outcome {
        match (new >= rule.threshold, rule.action) {
            _ if new == 0 => Outcome::Clean,
            (false, _) => Outcome::BelowThreshold,
            (true, Action::Fail) => Outcome::Fail,
            (true, _) => Outcome::Warn,
        }
    }
}

/// Where new findings of a kind sit: one file and field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewFindings {
    pub path: String,
    pub field: Option<String>,
    pub count: u64,
    /// The line of the first one.
    pub line: u64,
    /// The first one, masked (or raw with `--show-values`).
    pub example: String,
}

impl NewFindings {
    /// In the order a verdict lists them: most first, then by path and field.
    pub fn sort(places: &mut [NewFindings]) {
        places.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| (&a.path, &a.field).cmp(&(&b.path, &b.field)))
        });
    }
}

/// How one kind fared.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KindVerdict {
    pub kind: Kind,
    pub action: Action,
    pub threshold: u64,
    pub outcome: Outcome,
    /// Findings neither allowed nor in the baseline.
    pub new: u64,
    /// Findings the baseline accepted.
    pub known: u64,
    /// Findings an allowlist accepted.
    pub allowed: u64,
    /// Where the new findings are, most first.
    pub places: Vec<NewFindings>,
    /// What a custom kind is, as its detector says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Findings an allowlist entry accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AllowCount {
    pub entry: String,
    pub count: u64,
}

/// Findings of one kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KindCount {
    pub kind: Kind,
    pub count: u64,
}

/// What a baseline accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BaselineUse {
    pub path: String,
    /// Findings it accepted.
    pub known: u64,
    /// Occurrences it accepts that were not found: fixed since it was written.
    pub unused: u64,
}

/// The gate's decision and its reasons.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub passed: bool,
    /// Where the policy came from.
    pub policy: String,
    /// Every kind with a finding, in report order.
    pub kinds: Vec<KindVerdict>,
    pub allowed: Vec<AllowCount>,
    /// Findings of kinds the policy ignores.
    pub ignored: Vec<KindCount>,
    pub baseline: Option<BaselineUse>,
    /// Inputs that could not be read: the gate cannot vouch for them.
    pub errors: u64,
    /// Inputs not scanned (binary, a format piiscan cannot read, an encrypted member, a link
    /// out of the paths named): the gate cannot vouch for them either.
    #[serde(skip_serializing_if = "is_zero")]
    pub skipped: u64,
    /// Files scanned: a gate over none (an empty folder, a misspelt glob's output) passes,
    /// and the verdict says there was nothing to judge.
    #[serde(skip)]
    pub files: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Verdict {
    /// The outcome of a kind (clean when it had no finding).
    pub fn outcome(&self, kind: Kind) -> Outcome {
        self.kinds
            .iter()
            .find(|k| k.kind == kind)
            .map_or(Outcome::Clean, |k| k.outcome)
    }
}

/// Turns the paths a finding is shown with into the path fingerprints and file globs use:
/// below the folder named on the command line, or the file name of a file named there.
#[derive(Clone, Debug)]
pub struct Roots {
    /// The displayed root, and whether it is a folder.
    roots: Vec<(String, bool)>,
}

impl Roots {
    pub fn new(paths: &[PathBuf]) -> Roots {
        let mut roots: Vec<(String, bool)> = paths
            .iter()
            .filter(|p| p.as_os_str() != "-")
            .map(|p| {
                let folder = p.is_dir() || crate::source::objects::is_prefix(p);
                (crate::source::display_path(p), folder)
            })
            .collect();
        // The longest root first: `exports/eu` before `exports`.
        roots.sort_by_key(|(r, _)| std::cmp::Reverse(r.len()));
        Roots { roots }
    }

    /// The path of a finding shown as `display`, relative to the root it was found under.
    pub fn relative<'a>(&self, display: &'a str) -> &'a str {
        for (root, is_dir) in &self.roots {
            // A file named, or an object named by a URL that could have been a prefix.
            if display == root {
                return file_name(display);
            }
            if *is_dir {
                if let Some(rest) = display.strip_prefix(root.as_str()) {
                    if root.ends_with('/') {
                        return rest;
                    }
                    if let Some(rest) = rest.strip_prefix('/') {
                        return rest;
                    }
                }
            }
            if let Some(member) = display
                .strip_prefix(root.as_str())
                .filter(|rest| rest.starts_with('!'))
            {
                // A member of an archive named on the command line: `a.zip!x/e.json`.
                let name = file_name(root);
                return &display[display.len() - member.len() - name.len()..];
            }
        }
        display
    }
}

/// The last component of a displayed path.
fn file_name(display: &str) -> &str {
    Path::new(display)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(display)
}

/// What the gate counted of one kind.
#[derive(Default)]
struct KindCounts {
    new: u64,
    known: u64,
    allowed: u64,
    /// By path and field; looked up with the finding's borrowed strings ([`PlaceOf`]), so
    /// that only a new place allocates: a dense export has a few places and millions of
    /// findings, and two allocations a finding were a third of the gate's own thread.
    places: hashbrown::HashMap<(String, Option<String>), NewFindings, rustc_hash::FxBuildHasher>,
}

/// A place as a finding holds it, borrowed: hashed as the owned key `(path, field)` is.
#[derive(Hash)]
struct PlaceOf<'a>(&'a str, Option<&'a str>);

impl hashbrown::Equivalent<(String, Option<String>)> for PlaceOf<'_> {
    fn equivalent(&self, (path, field): &(String, Option<String>)) -> bool {
        self.0 == path && self.1 == field.as_deref()
    }
}

/// The policy stage between the engine and a reporter.
pub struct Gate<'a> {
    policy: &'a Policy,
    roots: Roots,
    baseline: Option<(String, Baseline)>,
    /// The key of fingerprints: the baseline's, the recorder's, or one from the secret.
    key: Option<FingerprintKey>,
    recorder: Option<Recorder>,
    inner: &'a mut dyn Sink,
    counts: BTreeMap<Kind, KindCounts>,
    /// The findings of a chunk that the gate passes on, and their judgements (reused).
    kept: Vec<Finding>,
    judgements: Vec<Judgement>,
    allowed: BTreeMap<u32, u64>,
    ignored: BTreeMap<Kind, u64>,
}

impl<'a> Gate<'a> {
    /// A gate for `policy` over findings of `paths`, passing what it keeps to `inner`.
    /// `key` (see [`Gate::key_for`]) must be the one the scan's hooks were made with.
    pub fn new(
        policy: &'a Policy,
        paths: &[PathBuf],
        baseline: Option<(String, Baseline)>,
        recorder: Option<Recorder>,
        key: Option<FingerprintKey>,
        inner: &'a mut dyn Sink,
    ) -> Gate<'a> {
        Gate {
            policy,
            roots: Roots::new(paths),
            baseline,
            key,
            recorder,
            inner,
            counts: BTreeMap::new(),
            kept: Vec::new(),
            judgements: Vec::new(),
            allowed: BTreeMap::new(),
            ignored: BTreeMap::new(),
        }
    }

    /// The key fingerprints need: the baseline's, else the recorder's, else one made from
    /// `PIISCAN_FINGERPRINT_KEY` when it is set (stable SARIF fingerprints), else none; an
    /// error when that secret is too short.
    pub fn key_for(
        baseline: Option<&Baseline>,
        recorder: Option<&Recorder>,
    ) -> Result<Option<FingerprintKey>, BaselineError> {
        if let Some(b) = baseline {
            return Ok(Some(b.key.clone()));
        }
        if let Some(r) = recorder {
            return Ok(Some(r.key.clone()));
        }
        let secret = super::baseline::env_secret()?;
        Ok(secret.map(|s| FingerprintKey::derive([0; 32], Some(&s))))
    }

    /// The verdict, and the recorder if there was one.
    pub fn finish(self, stats: &Stats) -> (Verdict, Option<Recorder>) {
        let mut kinds = Vec::new();
        // A scan cut short by its output judged only part of the inputs: it never passes.
        let mut passed = stats.all_read() && !stats.stopped;
        for (&kind, tally) in &self.counts {
            let rule = self.policy.rule(kind);
            let outcome = Outcome::of(rule, tally.new);
            passed &= outcome != Outcome::Fail;
            let mut places: Vec<NewFindings> = tally.places.values().cloned().collect();
            NewFindings::sort(&mut places);
            kinds.push(KindVerdict {
                kind,
                action: rule.action,
                threshold: rule.threshold,
                outcome,
                new: tally.new,
                known: tally.known,
                allowed: tally.allowed,
                places,
                description: self
                    .policy
                    .custom
                    .iter()
                    .find(|c| c.kind == kind)
                    .and_then(|c| c.description.clone()),
            });
        }
        let verdict = Verdict {
            passed,
            policy: self.policy.source.to_string(),
            kinds,
            allowed: self
                .allowed
                .iter()
                .map(|(&i, &count)| AllowCount {
                    entry: self.policy.allow.label(i as usize),
                    count,
                })
                .collect(),
            ignored: self
                .ignored
                .iter()
                .map(|(&kind, &count)| KindCount { kind, count })
                .collect(),
            baseline: self.baseline.as_ref().map(|(path, b)| BaselineUse {
                path: path.clone(),
                known: b.total - b.unused(),
                unused: b.unused(),
            }),
            errors: stats.errors,
            skipped: stats.skipped,
            files: stats.files,
        };
        (verdict, self.recorder)
    }

    /// Judges one finding of `file`, whose path below its root is `relative`: `None` when
    /// the policy drops it (an ignored kind, an allowed value or place).
    fn judge(&mut self, file: &InputInfo, relative: &str, finding: &Finding) -> Option<Judgement> {
        let kind = finding.kind;
        let rule = self.policy.rule(kind);
        if rule.action == Action::Ignore {
            *self.ignored.entry(kind).or_default() += 1;
            return None;
        }
        let field = finding.field.as_deref();
        let by_value = finding.checked.and_then(|c| c.allowed_by);
        let by_place = self
            .policy
            .allow
            .allows_place(kind, &[file.path.as_str(), relative], field);
        let tally = self.counts.entry(kind).or_default();
        if let Some(entry) = by_value.into_iter().chain(by_place).min() {
            tally.allowed += 1;
            *self.allowed.entry(entry).or_default() += 1;
            return None;
        }
        let fingerprint = match (&self.key, finding.checked.and_then(|c| c.digest)) {
            (Some(key), Some(digest)) => Some(key.fingerprint(relative, field, kind, &digest)),
            _ => None,
        };
        if let (Some(recorder), Some(fp)) = (&mut self.recorder, fingerprint) {
            recorder.record(fp, relative, field, kind);
        }
        let known = match (&mut self.baseline, fingerprint) {
            (Some((_, baseline)), Some(fp)) => Some(baseline.accept(&fp)),
            (Some(_), None) => Some(false),
            (None, _) => None,
        };
        if known == Some(true) {
            tally.known += 1;
        } else {
            tally.new += 1;
            let place = PlaceOf(&file.path, field);
            match tally.places.get_mut(&place) {
                Some(new) => new.count += 1,
                None => {
                    let new = NewFindings {
                        path: file.path.clone(),
                        field: field.map(str::to_string),
                        count: 1,
                        line: finding.line,
                        example: finding
                            .value
                            .as_deref()
                            .unwrap_or(&finding.masked)
                            .to_string(),
                    };
                    tally
                        .places
                        .insert((new.path.clone(), new.field.clone()), new);
                }
            }
        }
        Some(Judgement {
            action: rule.action,
            known,
            fingerprint,
        })
    }
}

impl Sink for Gate<'_> {
    fn begin(&mut self, input: &InputInfo) -> Flow {
        self.inner.begin(input)
    }

    fn chunk(&mut self, chunk: &Chunk<'_>) -> Flow {
        let (mut kept, mut judgements) = (
            std::mem::take(&mut self.kept),
            std::mem::take(&mut self.judgements),
        );
        kept.clear();
        judgements.clear();
        // A chunk is one input's: its path below the root is worked out once.
        let relative = self.roots.relative(&chunk.input.path);
        // Findings are copied only once the policy drops one; until then (and with the
        // default policy, always) the chunk's own are passed on.
        let mut dropped = false;
        for (i, finding) in chunk.findings.iter().enumerate() {
            match self.judge(chunk.input, relative, finding) {
                Some(judgement) => {
                    if dropped {
                        kept.push(finding.clone());
                    }
                    judgements.push(judgement);
                }
                None if !dropped => {
                    dropped = true;
                    kept.extend_from_slice(&chunk.findings[..i]);
                }
                None => {}
            }
        }
        let flow = self.inner.chunk(&Chunk {
            findings: if dropped { &kept } else { chunk.findings },
            judgements: Some(&judgements),
            ..*chunk
        });
        (self.kept, self.judgements) = (kept, judgements);
        flow
    }

    fn problem(&mut self, problem: &Problem<'_>) -> Flow {
        self.inner.problem(problem)
    }

    fn end(&mut self, input: &InputInfo, end: &InputEnd) -> Flow {
        self.inner.end(input, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a gate passed on: each finding's line and kind, and its judgement's action.
    #[derive(Default)]
    struct Passed(Vec<(u64, Kind, Action)>);

    impl Sink for Passed {
        fn chunk(&mut self, chunk: &Chunk<'_>) -> Flow {
            for (f, judgement) in chunk.judged() {
                self.0
                    .push((f.line, f.kind, judgement.expect("judged").action));
            }
            Flow::Continue(())
        }

        fn problem(&mut self, _problem: &Problem<'_>) -> Flow {
            Flow::Continue(())
        }
    }

    fn finding(line: u64, kind: Kind, field: Option<&str>) -> Finding {
        Finding {
            offset: line,
            length: 1,
            line,
            column: 1,
            kind,
            detail: crate::detect::Detail::NONE,
            field: field.map(Into::into),
            masked: "x".into(),
            value: None,
            fingerprint: None,
            checked: None,
        }
    }

    /// Findings the policy drops (an ignored kind, an allowed field), first, between and
    /// last in a chunk, leave the rest passed on in order, each with its own judgement; a
    /// chunk with nothing dropped passes on all of its findings; new findings are counted
    /// by place, each place once however many findings it holds.
    #[test]
    fn what_the_gate_keeps_goes_on_in_order_and_is_counted_by_place() {
        let policy = Policy::parse(
            "[kinds]\ncity = \"ignore\"\nipv4 = \"warn\"\n\
             [[allow]]\nreason = \"test\"\nfields = [\"vendor.email\"]\n",
            Path::new("piiscan.toml"),
        )
        .unwrap();
        let file = InputInfo {
            path: "exports/a.ndjson".into(),
            name: "exports/a.ndjson".into(),
            compression: None,
            encoding: None,
        };
        let findings = [
            finding(1, Kind::Email, Some("email")),
            finding(2, Kind::City, Some("city")),
            finding(3, Kind::Email, Some("vendor.email")),
            finding(4, Kind::Ipv4, Some("ip")),
            finding(5, Kind::Email, Some("email")),
            finding(6, Kind::Email, None),
            finding(7, Kind::City, None),
        ];
        let mut passed = Passed::default();
        let roots = [PathBuf::from("exports")];
        let mut gate = Gate::new(&policy, &roots, None, None, None, &mut passed);
        let chunk = |findings| Chunk {
            input: &file,
            base: 0,
            bytes: b"",
            findings,
            judgements: None,
        };
        assert!(gate.chunk(&chunk(&findings)).is_continue());
        assert!(gate.chunk(&chunk(&findings[3..6])).is_continue());
        let (verdict, _) = gate.finish(&Stats::default());
        let (fail, warn) = (Action::Fail, Action::Warn);
        assert_eq!(
            passed.0,
            [
                (1, Kind::Email, fail),
                (4, Kind::Ipv4, warn),
                (5, Kind::Email, fail),
                (6, Kind::Email, fail),
                (4, Kind::Ipv4, warn),
                (5, Kind::Email, fail),
                (6, Kind::Email, fail),
            ]
        );
        let email = verdict
            .kinds
            .iter()
            .find(|k| k.kind == Kind::Email)
            .unwrap();
        assert_eq!((email.new, email.allowed), (5, 1));
        let places: Vec<_> = email
            .places
            .iter()
            .map(|p| (p.path.as_str(), p.field.as_deref(), p.count, p.line))
            .collect();
        assert_eq!(
            places,
            [
                ("exports/a.ndjson", Some("email"), 3, 1),
                ("exports/a.ndjson", None, 2, 6)
            ]
        );
        assert_eq!(
            verdict.ignored,
            [KindCount {
                kind: Kind::City,
                count: 2
            }]
        );
    }

    #[test]
    fn paths_are_taken_below_their_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("exports");
        std::fs::create_dir_all(root.join("eu")).unwrap();
        std::fs::write(root.join("one.csv"), "").unwrap();
        let shown = |p: &Path| crate::source::display_path(p);
        let roots = Roots::new(&[root.clone(), root.join("one.csv"), PathBuf::from("-")]);
        assert_eq!(
            roots.relative(&shown(&root.join("eu/a.ndjson"))),
            "eu/a.ndjson"
        );
        assert_eq!(roots.relative(&shown(&root.join("one.csv"))), "one.csv");
        assert_eq!(roots.relative("-"), "-");
        assert_eq!(roots.relative("elsewhere/x.log"), "elsewhere/x.log");
        // Members of an archive: below the folder, or after the archive's file name.
        std::fs::write(root.join("a.zip"), "").unwrap();
        let roots = Roots::new(&[root.clone(), root.join("a.zip")]);
        let member = format!("{}!x/e.json", shown(&root.join("a.zip")));
        assert_eq!(roots.relative(&member), "a.zip!x/e.json");
        let roots = Roots::new(std::slice::from_ref(&root));
        assert_eq!(roots.relative(&member), "a.zip!x/e.json");
        assert_eq!(
            roots.relative(&format!("{}!x", shown(&root.join("one.csv")))),
            "one.csv!x"
        );
        let trailing = PathBuf::from(format!("{}/", shown(&root)));
        let roots = Roots::new(&[trailing]);
        assert_eq!(
            roots.relative(&shown(&root.join("eu/a.ndjson"))),
            "eu/a.ndjson"
        );
    }
}
