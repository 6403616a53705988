//! A policy's own credential rules: `[[detector]]` tables with `kind = "secret"`, which take
//! the fields of our rules (`src/detect/secret/rules.toml`: id, description, regex, keywords,
//! prefix, min_entropy, examples, negative_examples...) and are compiled by the same code
//! ([`SecretDetector::with_rules`]), so that a policy's rule means what ours do and its
//! findings are of kind `secret`, named by the rule's id as ours are.
//!
//! Their examples and negative examples are run whenever the policy is read (`config check`
//! and every job), and a failure is a problem at the example's line that names the rule and
//! the example by its index, never by its text: an example may be a live credential.

use std::collections::HashSet;

use toml::Spanned;

use super::config::{DetectorTable, Problems};
use crate::detect::secret::{RuleError, RuleSpec, SecretDetector};

/// Reads the secret rules of a policy's `[[detector]]` tables (problems go to `problems`);
/// `None` when it has none, or any is refused.
pub(super) fn read(
    tables: &[Spanned<DetectorTable>],
    problems: &mut Problems<'_>,
) -> Option<SecretDetector> {
    let mut specs = Vec::new();
    // The table of each spec, in order.
    let mut places: Vec<&Spanned<DetectorTable>> = Vec::new();
    let mut ids = HashSet::new();
    let mut refused = false;
    for table in tables
        .iter()
        .filter(|t| t.get_ref().kind.get_ref() == "secret")
    {
        match spec_of(table, &mut ids) {
            Ok(spec) => {
                specs.push(spec);
                places.push(table);
            }
            Err((at, message)) => {
                problems.at(at, message);
                refused = true;
            }
        }
    }
    if specs.is_empty() || refused {
        return None;
    }
    match SecretDetector::with_rules(&specs) {
        Ok(detector) => Some(detector),
        Err(errors) => {
            for error in errors {
                let (at, message) = place(&error, &specs, &places);
                problems.at(at, message);
            }
            None
        }
    }
}

/// A table as a rule, or the offset and text of the problem that refuses it.
fn spec_of(
    table: &Spanned<DetectorTable>,
    ids: &mut HashSet<String>,
) -> Result<RuleSpec, (usize, String)> {
    let at = table.span().start;
    let d = table.get_ref();
    if let Some(field) = d.custom_fields().first() {
        let message = match *field {
            "severity" | "threshold" => format!(
                "`{field}` is not a field of secret rules: their findings are of kind `secret`, \
                 which `[kinds] secret` rules"
            ),
            _ => format!("`{field}` is a field of custom detectors, not of secret rules"),
        };
        return Err((at, message));
    }
    let Some(id) = &d.id else {
        return Err((at, "a secret rule needs an `id` (`acme.api_key`)".into()));
    };
    let Some(regex) = &d.regex else {
        return Err((at, "a secret rule needs a `regex`".into()));
    };
    if !ids.insert(id.get_ref().clone()) {
        return Err((
            id.span().start,
            "another secret rule of the policy has this id".into(),
        ));
    }
    Ok(RuleSpec {
        kind: Some("secret".into()),
        id: id.get_ref().clone(),
        description: d.description.clone().unwrap_or_default(),
        regex: regex.get_ref().clone(),
        keywords: d.keywords.clone().unwrap_or_default(),
        prefix: d.prefix.clone().unwrap_or_default(),
        min_entropy: d.min_entropy,
        min_len: d.min_len,
        min_char_classes: d.min_char_classes,
        boundary_chars: d.boundary_chars.clone().unwrap_or_default(),
        before: d.before,
        anchor: d.anchor.clone(),
        after: d.after,
        requires: d.requires.clone(),
        validate: d.validate.clone(),
        placeholder_check: d.placeholder_check.unwrap_or(true),
        generic: d.generic.unwrap_or(false),
        examples: d.examples.iter().map(|e| e.get_ref().clone()).collect(),
        negative_examples: d
            .negative_examples
            .iter()
            .map(|e| e.get_ref().clone())
            .collect(),
    })
}

/// Where a rule's problem is in the policy, and what to say: an example's problem at the
/// example, a regex's at the regex, others at the rule's id. No message quotes the policy.
fn place(
    error: &RuleError,
    specs: &[RuleSpec],
    places: &[&Spanned<DetectorTable>],
) -> (usize, String) {
    let table = |rule: &str| {
        specs
            .iter()
            .position(|s| s.id == rule)
            .and_then(|i| places.get(i))
            .map(|t| t.get_ref())
    };
    let message = error.to_string();
    let fallback = places.first().map_or(0, |t| t.span().start);
    match error {
        RuleError::Toml(_) => (fallback, message),
        RuleError::Rule { rule, message: m } => {
            let Some(d) = table(rule) else {
                return (fallback, message);
            };
            let at = match (&d.regex, m.starts_with("bad regex")) {
                (Some(regex), true) => regex.span().start,
                _ => d.id.as_ref().map_or(fallback, |i| i.span().start),
            };
            (at, message)
        }
        RuleError::Example { rule, index, .. } => {
            let at = table(rule).and_then(|d| d.examples.get(index.wrapping_sub(1)));
            (at.map_or(fallback, |e| e.span().start), message)
        }
        RuleError::NegativeExample { rule, index, .. } => {
            let at = table(rule).and_then(|d| d.negative_examples.get(index.wrapping_sub(1)));
            (at.map_or(fallback, |e| e.span().start), message)
        }
    }
}
