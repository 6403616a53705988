//! Policies: what a CI gate fails on, what it only warns about, and what it accepts.
//!
//! A policy is read from a TOML file ([`config`]) into a [`Policy`]: an action per kind
//! (`fail`, `warn` or `ignore`, with a count threshold), allowlists ([`allow`]) and custom
//! detectors ([`crate::detect::custom`]). Baselines ([`baseline`]) record the findings a team
//! has accepted, as keyed fingerprints. The gate itself ([`gate`]) is an aggregation over
//! findings, downstream of the engine: it drops what is ignored or allowed, marks what the
//! baseline knows, counts the rest per kind and decides.
//!
//! The engine hears of a policy through two hooks only ([`crate::scan::Hooks`]): the custom
//! detectors, and a check of each raw value on the worker thread that found it (allowlists by
//! value, e-mail domain and IP range, and the keyed digest a baseline needs). Nothing
//! downstream of the engine sees a raw value, and a scan without a policy pays for neither.

pub mod allow;
pub mod baseline;
pub mod config;
pub mod gate;
pub mod redact;
mod secrets;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use thiserror::Error;

use crate::detect::custom::CustomDetector;
use crate::detect::secret::SecretDetector;
use crate::engine::{Hooks, ValueCheck};
use crate::finding::{Checked, Kind, KindSet};

use allow::Allowlist;
use baseline::FingerprintKey;

/// The file a gate looks for in the working directory when no `--config` is given.
pub const DEFAULT_FILE: &str = "piiscan.toml";

pub use crate::finding::Action;

/// The rule for one kind: its action, once at least `threshold` findings remain after
/// allowlists and the baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub action: Action,
    pub threshold: u64,
}

impl Rule {
    /// Direct identifiers fail; quasi-identifiers are ignored, as `piiscan scan` leaves them
    /// out by default.
    pub fn default_for(kind: Kind) -> Rule {
        Rule {
            action: if kind.is_quasi() {
                Action::Ignore
            } else {
                Action::Fail
            },
            threshold: 1,
        }
    }
}

/// A kind that a policy's custom detector defines.
#[derive(Clone, Debug)]
pub struct CustomKindInfo {
    pub kind: Kind,
    pub rule: Rule,
    pub description: Option<String>,
}

/// Where a policy came from, for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    /// No file: every direct identifier fails.
    BuiltIn,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::File(path) => write!(f, "{}", crate::source::display_path(path)),
            Source::BuiltIn => f.write_str("built-in default (every direct identifier fails)"),
        }
    }
}

/// A validated policy.
#[derive(Clone, Debug)]
pub struct Policy {
    pub source: Source,
    /// The rule of each built-in kind, in [`Kind::ALL`] order.
    rules: [Rule; Kind::ALL.len()],
    pub custom: Vec<CustomKindInfo>,
    pub allow: Allowlist,
    detector: Option<Arc<CustomDetector>>,
    /// Our secret rules with the policy's (`[[detector]]` with `kind = "secret"`), when it has
    /// any: the detector that takes the place of ours.
    secret: Option<Arc<SecretDetector>>,
    /// What `piiscan redact` writes in place of each kind and field (`[redact]`).
    pub redact: redact::RedactRules,
    /// What the user's own fields mean (`[[field]]`): a path and the hint of its last key.
    pub fields: Vec<(String, crate::detect::Hint)>,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            source: Source::BuiltIn,
            rules: Kind::ALL.map(Rule::default_for),
            custom: Vec::new(),
            allow: Allowlist::default(),
            detector: None,
            secret: None,
            redact: redact::RedactRules::default(),
            fields: Vec::new(),
        }
    }
}

/// A policy file that could not be used. Messages name the file, the line and the column,
/// and never quote a value from the file (allowlists hold personal data too).
#[derive(Debug, Error)]
pub enum PolicyError {
    #[error("cannot read the policy {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{}", problems.iter().map(|p| format!("{path}:{p}")).collect::<Vec<_>>().join("\n"))]
    Invalid {
        path: String,
        problems: Vec<Problem>,
    },
}

/// One problem in a policy file, at a 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl Policy {
    /// Reads and validates a policy file.
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Io {
            path: crate::source::display_path(path),
            source,
        })?;
        Policy::parse(&text, path)
    }

    /// Validates the text of a policy file; `path` names it in messages and anchors a
    /// `words_file` given relative to it.
    pub fn parse(text: &str, path: &Path) -> Result<Policy, PolicyError> {
        config::parse(text, path).map_err(|problems| PolicyError::Invalid {
            path: crate::source::display_path(path),
            problems,
        })
    }

    /// The policy named by `--config`, else `piiscan.toml` in the working directory, else
    /// the built-in default.
    pub fn find(explicit: Option<&Path>) -> Result<Policy, PolicyError> {
        match explicit {
            Some(path) => Policy::load(path),
            None if Path::new(DEFAULT_FILE).is_file() => Policy::load(Path::new(DEFAULT_FILE)),
            None => Ok(Policy::default()),
        }
    }

    /// The rule for a kind.
    pub fn rule(&self, kind: Kind) -> Rule {
        match kind {
            Kind::Custom(_) => self
                .custom
                .iter()
                .find(|c| c.kind == kind)
                .map_or(Rule::default_for(kind), |c| c.rule),
            _ => {
                let i = Kind::ALL.iter().position(|&k| k == kind).unwrap_or(0);
                self.rules[i]
            }
        }
    }

    /// The kinds to scan: those the policy does not ignore, and those that compete with them
    /// for the same text. A place beats a person on the same span (`Santa Barbara`), so
    /// when names are wanted the place kinds are scanned too, and their findings dropped if
    /// ignored, rather than let `Santa Barbara` come out as a name.
    pub fn scan_kinds(&self) -> KindSet {
        let mut set: KindSet = Kind::ALL
            .into_iter()
            .filter(|&k| self.rule(k).action != Action::Ignore)
            .collect();
        for spec in set.iter().filter_map(Kind::spec) {
            for &kind in spec.competes_with {
                set.insert(kind);
            }
        }
        for custom in self
            .custom
            .iter()
            .filter(|c| c.rule.action != Action::Ignore)
        {
            set.insert(custom.kind);
        }
        set
    }

    /// What the engine must run for this policy: the custom detectors, and a check of raw
    /// values when there are value allowlists or fingerprints to compute (`key`).
    pub fn hooks(&self, key: Option<FingerprintKey>) -> Hooks {
        // The policy's field meanings hold for the run: the key lookup reads them first.
        if !self.fields.is_empty() {
            crate::structure::keys::set_user_fields(&self.fields);
        }
        let custom = self
            .detector
            .iter()
            .map(|d| Arc::clone(d) as Arc<dyn crate::detect::Detector>);
        let secret = self
            .secret
            .iter()
            .map(|d| Arc::clone(d) as Arc<dyn crate::detect::Detector>);
        let detectors = secret.chain(custom).collect();
        let values: Option<Arc<dyn ValueCheck>> = if self.allow.checks_values() || key.is_some() {
            Some(Arc::new(ValueJudge {
                allow: self.allow.clone(),
                key,
            }))
        } else {
            None
        };
        Hooks { detectors, values }
    }

    /// One line about what the policy holds, for `piiscan config check`.
    pub fn describe(&self) -> String {
        let count = |action| {
            Kind::ALL
                .into_iter()
                .filter(|&k| self.rule(k).action == action)
                .count()
                + self
                    .custom
                    .iter()
                    .filter(|c| c.rule.action == action)
                    .count()
        };
        let mut line = format!(
            "kinds: {} fail, {} warn, {} ignored; allowlist entries: {}; custom kinds: {}",
            count(Action::Fail),
            count(Action::Warn),
            count(Action::Ignore),
            self.allow.len(),
            self.custom.len()
        );
        if let Some(secret) = &self.secret {
            let rules = secret.policy_rules().count();
            line.push_str(&format!("; secret rules: {rules}"));
        }
        if !self.fields.is_empty() {
            line.push_str(&format!("; fields: {}", self.fields.len()));
        }
        line
    }
}

/// The engine-side half of a policy: allowlists by value and baseline digests, applied to the
/// raw value while its chunk is in memory.
struct ValueJudge {
    allow: Allowlist,
    key: Option<FingerprintKey>,
}

impl ValueCheck for ValueJudge {
    fn check(&self, kind: Kind, raw: &[u8]) -> Checked {
        let value = allow::normalize(kind, raw);
        Checked {
            allowed_by: self.allow.allows_value(kind, &value),
            digest: self.key.as_ref().map(|key| key.digest(kind, &value)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_fails_direct_identifiers_and_ignores_quasi_identifiers() {
        let policy = Policy::default();
        assert_eq!(policy.rule(Kind::Email).action, Action::Fail);
        assert_eq!(policy.rule(Kind::Device).action, Action::Ignore);
        let kinds = policy.scan_kinds();
        assert!(kinds.contains(Kind::Coordinates) && !kinds.contains(Kind::Referrer));
        assert!(
            policy.hooks(None).values.is_none(),
            "no value check without a need"
        );
    }

    #[test]
    fn places_are_scanned_while_names_are_wanted_even_if_ignored() {
        let text = "[kinds]\ncity = \"ignore\"\nregion = \"ignore\"\ncountry = \"ignore\"\n";
        let policy = Policy::parse(text, Path::new("p.toml")).unwrap();
        assert!(policy.scan_kinds().contains(Kind::City));
        let text = format!("{text}person_name = \"ignore\"\n");
        let policy = Policy::parse(&text, Path::new("p.toml")).unwrap();
        assert!(!policy.scan_kinds().contains(Kind::City));
        assert!(!policy.scan_kinds().contains(Kind::PersonName));
    }
}
