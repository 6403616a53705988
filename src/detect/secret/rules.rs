//! The `secret` kind: credentials (API keys, tokens, private keys, passwords in URLs and
//! headers) found in logs and analytics exports.
//!
//! **Rules are data.** Every credential format is a rule in `rules/secrets.toml` (id, regex,
//! keywords, public prefix, entropy floor, examples and counter-examples), in the way of Nosey
//! Parker's rules, so that a format is added or fixed without touching code, and so that a
//! policy adds its own the same way (`[[detector]]` with `kind = "secret"`). Every rule's
//! examples are run: ours by the tests, a policy's whenever the policy is read; a rule that does
//! not find its own examples, or finds a counter-example, is refused with an error naming the
//! rule and the example by its index.
//!
//! Loading and compiling are in `compile.rs`, matching in `matching.rs`, the examples' checks in
//! `examples.rs`; this file holds the compiled set and what callers ask of it.
//!
//! **Keywords first.** Credentials are rare and a scan is dominated by bytes that hold none, so
//! one pass over the haystack finds every rule keyword, ASCII case-insensitively (see
//! `keywords.rs` for why that pass is aho-corasick's Teddy on case-folded blocks rather than
//! a case-insensitive automaton); a rule's regex runs only in a bounded window around each of
//! its keyword hits, within the hit's line (a finding never spans a newline), and most rules
//! run anchored at the hit, where a miss costs a few bytes.
//!
//! **Then doubt.** A regex match is a candidate. It must stand alone (no token byte just before
//! or after), must not be a placeholder or redaction (`sk-your-key-here`, `AKIA****`,
//! `<YOUR_API_KEY>`, `REDACTED`), must be random enough where the format is random (Shannon
//! entropy of the part after the public prefix), and JWTs, PEM blocks and `Basic` credentials
//! must decode to what they claim (see [`checks`]). Generic rules (`password=`, `Bearer`)
//! yield to specific ones where their matches overlap.
//!
//! **Masks keep only the public prefix** (`sk-proj-…`): enough to tell which credential leaked
//! without repeating any of its secret part.
//!
//! Entry points: [`SecretRules::builtin`] / [`SecretRules::with_policy`] to load,
//! [`SecretRules::find`] on a chunk, [`SecretRules::key_hint`] and
//! [`SecretRules::check_keyed_value`] for values under credential-named keys,
//! [`SecretRules::mask`] and [`normalise`] for reporting.

use std::collections::HashMap;

pub use super::error::RuleError;
pub use super::spec::{RuleFile, RuleSpec};

use super::compile::{compile_rule, normalise_key, parse_file, Rule, MAX_HINT_KEY};
use super::keywords::Keywords;
use super::matching::accept;
use super::spec::policy_rules;

/// Our rule file, built into the binary.
pub const BUILTIN_RULES: &str = include_str!("rules.toml");

/// A secret found: its span in the haystack (the secret alone, without context such as
/// `api_key=`) and the rule that found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SecretMatch {
    pub start: usize,
    pub end: usize,
    pub rule: u16,
}

/// Every rule, compiled, with the keyword automaton that drives them.
#[derive(Debug)]
pub struct SecretRules {
    pub(super) rules: Vec<Rule>,
    pub(super) keywords: Keywords,
    /// The rules of each keyword, by keyword index.
    pub(super) keyword_rules: Vec<Vec<u16>>,
    /// Normalised hinting key to key-hint rule.
    pub(super) hint_keys: HashMap<Vec<u8>, u16>,
}

impl SecretRules {
    /// Our rules alone.
    pub fn builtin() -> Result<SecretRules, RuleError> {
        SecretRules::from_toml(BUILTIN_RULES)
    }

    /// Our rules plus a policy's: the `[[detector]]` tables of `policy_text` with
    /// `kind = "secret"` (other tables and other detectors are left to the policy loader); the
    /// first problem is the error.
    pub fn with_policy(policy_text: &str) -> Result<SecretRules, RuleError> {
        SecretRules::with_rules(&policy_rules(policy_text)?)
            .map_err(|mut errors| errors.swap_remove(0))
    }

    /// Our rules plus a policy's (`extra`, after ours, in order): ours compiled as
    /// [`SecretRules::from_toml_unchecked`] compiles them (the tests hold them to their
    /// examples), the policy's compiled now and held to their examples and negative examples.
    /// An id of ours is refused. Every problem is returned, each naming its rule (and an
    /// example by its 1-based index, never by its text).
    pub fn with_rules(extra: &[RuleSpec]) -> Result<SecretRules, Vec<RuleError>> {
        let mut file = parse_file(BUILTIN_RULES).map_err(|e| vec![e])?;
        let ours = file.rule.len();
        let mut errors = Vec::new();
        for spec in extra {
            let taken = file.rule.iter().any(|r| r.id == spec.id)
                || file.key_hint.iter().any(|h| h.id == spec.id);
            if taken {
                errors.push(RuleError::Rule {
                    rule: spec.id.clone(),
                    message: "a built-in rule has this id; give the policy's rule another".into(),
                });
            } else if let Err(e) = compile_rule(spec, true) {
                errors.push(e);
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        file.rule.extend(extra.iter().cloned());
        let rules = SecretRules::compile(&file, ours).map_err(|e| vec![e])?;
        let failures = rules.example_failures(&file, ours);
        if failures.is_empty() {
            Ok(rules)
        } else {
            Err(failures)
        }
    }

    /// `specs` alone, compiled without running their examples (a policy's rules, which
    /// [`SecretRules::with_rules`] has held to theirs).
    pub fn of_specs_unchecked(specs: &[RuleSpec]) -> Result<SecretRules, RuleError> {
        let file = RuleFile {
            rule: specs.to_vec(),
            key_hint: Vec::new(),
        };
        SecretRules::compile(&file, usize::MAX)
    }

    /// The rules of a whole rule file.
    pub fn from_toml(text: &str) -> Result<SecretRules, RuleError> {
        SecretRules::from_file(parse_file(text)?)
    }

    /// Compiles `file` and runs every example and negative example of every rule; the first
    /// failure is the error.
    pub fn from_file(file: RuleFile) -> Result<SecretRules, RuleError> {
        let rules = SecretRules::compile(&file, 0)?;
        match rules.example_failures(&file, 0).into_iter().next() {
            Some(e) => Err(e),
            None => Ok(rules),
        }
    }

    /// Compiles a rule file without running its examples, each regex at its rule's first
    /// keyword hit (a regex that does not compile makes its rule find nothing): for the
    /// built-in rules, which the tests hold to their examples, and for debugging tools.
    #[doc(hidden)]
    pub fn from_toml_unchecked(text: &str) -> Result<SecretRules, RuleError> {
        SecretRules::compile(&parse_file(text)?, usize::MAX)
    }

    /// How many rules (key hints included).
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// A rule by index (as in [`SecretMatch::rule`]).
    pub fn rule(&self, rule: u16) -> Option<&Rule> {
        self.rules.get(usize::from(rule))
    }

    /// Every rule, by index.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The index of a rule by id.
    pub fn rule_index(&self, id: &str) -> Option<u16> {
        self.rules.iter().position(|r| r.id == id).map(|i| i as u16)
    }

    /// Every hinting key (normalised) with its key-hint rule, for the caller's key table.
    pub fn hint_keys(&self) -> impl Iterator<Item = (&[u8], u16)> {
        self.hint_keys.iter().map(|(k, &r)| (k.as_slice(), r))
    }

    /// The key-hint rule of a JSON key or CSV column as written (`apiKey`, `X-Api-Key`,
    /// `DB_PASSWORD`): normalised as piiscan normalises keys, then looked up.
    pub fn key_hint(&self, key: &[u8]) -> Option<u16> {
        let mut buf = [0u8; MAX_HINT_KEY];
        self.hint_keys.get(normalise_key(key, &mut buf)?).copied()
    }

    /// Checks a value found under a hinting key. A value that holds a known format
    /// (`Bearer eyJ…`, `sk-proj-…`) is reported by that format's rule; otherwise the whole
    /// value (less an auth scheme such as `Bearer `) is reported by the key hint `hint` if it
    /// passes the hint's checks. Spans are relative to `value`. Returns whether anything was
    /// pushed.
    pub fn check_keyed_value(&self, hint: u16, value: &[u8], out: &mut Vec<SecretMatch>) -> bool {
        let base = out.len();
        self.find(value, out);
        if out.len() > base {
            return true;
        }
        let Some(rule) = self
            .rules
            .get(usize::from(hint))
            .filter(|r| r.is_key_hint())
        else {
            return false;
        };
        let (start, end) = strip_scheme(value);
        if start < end && accept(rule, value, start, end) {
            out.push(SecretMatch {
                start,
                end,
                rule: hint,
            });
            return true;
        }
        false
    }
    /// Whether the keyword prefilter runs on SIMD (Teddy) rather than the fallback automaton.
    pub fn prefilter_is_simd(&self) -> bool {
        self.keywords.uses_teddy()
    }

    /// The prefilter's three-byte fingerprints (case-folded), for reports.
    #[doc(hidden)]
    pub fn fingerprints(&self) -> Vec<String> {
        self.keywords.fingerprints()
    }

    /// How many keyword hits `hay` holds: the prefilter's work alone, for benchmarks.
    #[doc(hidden)]
    pub fn keyword_hits(&self, hay: &[u8]) -> usize {
        let mut n = 0;
        self.keywords.for_each(hay, |_, _| n += 1);
        n
    }

    /// The masked form of a secret: the rule's public prefix, then `…`.
    pub fn mask(&self, rule: u16, value: &[u8]) -> String {
        let prefix = self
            .rule(rule)
            .and_then(|r| r.prefix_of(value))
            .unwrap_or("");
        format!("{prefix}\u{2026}")
    }
}

/// The span of a keyed value without surrounding blanks and an auth scheme (`Bearer `,
/// `Token `).
fn strip_scheme(value: &[u8]) -> (usize, usize) {
    let start = value
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    let v = &value[start..end];
    for scheme in [&b"bearer "[..], b"token ", b"bot "] {
        if v.len() > scheme.len() && v[..scheme.len()].eq_ignore_ascii_case(scheme) {
            let skip = scheme.len()
                + v[scheme.len()..]
                    .iter()
                    .take_while(|b| b.is_ascii_whitespace())
                    .count();
            return (start + skip, end);
        }
    }
    (start, end)
}
