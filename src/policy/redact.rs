//! The `[redact]` table: what `piiscan redact` writes in place of each kind, and of the
//! values under some fields.
//!
//! Kinds keep their registry default ([`crate::detect::Redaction`]) unless the table or
//! `--action KIND=ACTION` names another; an action a kind cannot take (coordinates have no
//! pseudonym, an e-mail address no coarser form) is refused when the policy is read, not met
//! half-way through a file. Fields are JSON key paths or CSV column names, with `*` for any
//! run of characters, as in allowlists: a field's action covers its whole value, found or
//! not, which is how free text that no detector understands (`properties.notes`) is removed.

use globset::{GlobBuilder, GlobMatcher};

use crate::detect::{Generalisation, Kind, Pseudonym, RedactAction};

/// The decimals coordinates keep by default: one is about 11 km, a town rather than a street.
pub const DEFAULT_DECIMALS: u8 = 1;

/// What `redact` does with each kind and field.
#[derive(Clone, Debug, Default)]
pub struct RedactRules {
    /// Kinds whose action is not their default, in the order they were set.
    kinds: Vec<(Kind, RedactAction)>,
    /// Decimals kept by generalised coordinates.
    pub decimals: Option<u8>,
    /// Actions by field, first match wins.
    pub fields: Vec<FieldRule>,
}

/// An action for the values under a field.
#[derive(Clone, Debug)]
pub struct FieldRule {
    /// The path as written (`properties.notes`, `items[].note`, `context.*`).
    pub path: String,
    pub action: RedactAction,
    matcher: GlobMatcher,
}

impl FieldRule {
    /// A rule for `path`, or why it cannot be one.
    pub fn new(path: &str, action: RedactAction) -> Result<FieldRule, String> {
        if path.is_empty() {
            return Err("a field path is empty".into());
        }
        if action == RedactAction::Generalise {
            return Err(
                "a field cannot be generalised (only a kind can): use mask, pseudonymise, \
                 remove or keep"
                    .into(),
            );
        }
        // Only `*` is special: `items[].note` names an array, not a class of characters.
        let mut pattern = String::with_capacity(path.len() + 4);
        for c in path.chars() {
            if matches!(c, '[' | ']' | '{' | '}' | '?' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        let glob = GlobBuilder::new(&pattern)
            .literal_separator(false)
            .backslash_escape(true)
            .build()
            .map_err(|_| "a field path is not a valid pattern".to_string())?;
        Ok(FieldRule {
            path: path.to_string(),
            action,
            matcher: glob.compile_matcher(),
        })
    }

    pub fn matches(&self, field: &str) -> bool {
        self.matcher.is_match(field)
    }

    /// The last key of the path, when it is literal: a line that does not hold it cannot
    /// hold the field.
    pub fn last_key(&self) -> Option<&str> {
        let last = self.path.rsplit('.').next()?;
        let last = last.trim_end_matches("[]");
        (!last.is_empty() && !last.contains('*')).then_some(last)
    }
}

impl RedactRules {
    /// The action for `kind`: the one set, else the kind's default (`mask` for a policy's
    /// own kinds).
    pub fn action(&self, kind: Kind) -> RedactAction {
        self.kinds
            .iter()
            .rev()
            .find(|(k, _)| *k == kind)
            .map(|(_, a)| *a)
            .unwrap_or_else(|| {
                kind.spec()
                    .map_or(RedactAction::Mask, |spec| spec.redact.default)
            })
    }

    /// Sets the action of `kind`, or says why the kind cannot take it.
    pub fn set(&mut self, kind: Kind, action: RedactAction) -> Result<(), String> {
        if let Some(spec) = kind.spec() {
            if action == RedactAction::Pseudonymise && spec.redact.pseudonym == Pseudonym::None {
                return Err(format!(
                    "{kind} cannot be pseudonymised; use generalise, mask or remove"
                ));
            }
            if action == RedactAction::Generalise && spec.redact.generalise == Generalisation::None
            {
                return Err(format!(
                    "{kind} has no coarser form to generalise to; use pseudonymise, mask or \
                     remove"
                ));
            }
        } else if action == RedactAction::Generalise {
            return Err(format!(
                "{kind} is a policy's own kind, which cannot be generalised"
            ));
        }
        self.kinds.push((kind, action));
        Ok(())
    }

    /// The rule of the first field rule that matches `field`.
    pub fn field(&self, field: &str) -> Option<&FieldRule> {
        self.fields.iter().find(|r| r.matches(field))
    }

    /// Whether any kind or field is pseudonymised (then a key is needed).
    pub fn pseudonymises(&self, kinds: impl Iterator<Item = Kind>) -> bool {
        let mut kinds = kinds;
        kinds.any(|k| self.action(k) == RedactAction::Pseudonymise)
            || self
                .fields
                .iter()
                .any(|f| f.action == RedactAction::Pseudonymise)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_take_only_the_actions_they_can() {
        let mut rules = RedactRules::default();
        assert_eq!(rules.action(Kind::Email), RedactAction::Pseudonymise);
        assert_eq!(rules.action(Kind::Coordinates), RedactAction::Generalise);
        assert_eq!(rules.action(Kind::Device), RedactAction::Keep);
        let cases = [
            (Kind::Coordinates, RedactAction::Pseudonymise, false),
            (Kind::Email, RedactAction::Generalise, false),
            (Kind::Ipv4, RedactAction::Generalise, true),
            (Kind::City, RedactAction::Generalise, true),
            (Kind::Email, RedactAction::Remove, true),
            (Kind::Email, RedactAction::Mask, true),
        ];
        for (kind, action, ok) in cases {
            assert_eq!(rules.set(kind, action).is_ok(), ok, "{kind} {action:?}");
        }
        assert_eq!(rules.action(Kind::Email), RedactAction::Mask);
    }

    /// Every direct identifier is changed by default, and each default is one its kind can
    /// take.
    #[test]
    fn defaults_change_every_direct_identifier() {
        for kind in Kind::ALL {
            let spec = kind.spec().unwrap();
            let default = spec.redact.default;
            if !kind.is_quasi() {
                assert_ne!(default, RedactAction::Keep, "{kind}");
            }
            assert!(RedactRules::default().set(kind, default).is_ok(), "{kind}");
        }
    }

    #[test]
    fn field_rules_match_paths_and_globs() {
        let cases = [
            ("properties.notes", "properties.notes", true),
            ("properties.notes", "properties.notes2", false),
            ("context.*", "context.page.url", true),
            ("items[].note", "items[].note", true),
            ("comment", "comment", true),
        ];
        for (path, field, want) in cases {
            let rule = FieldRule::new(path, RedactAction::Remove).unwrap();
            assert_eq!(rule.matches(field), want, "{path} {field}");
        }
        assert_eq!(
            FieldRule::new("items[].note", RedactAction::Remove)
                .unwrap()
                .last_key(),
            Some("note")
        );
        assert!(FieldRule::new("a", RedactAction::Generalise).is_err());
    }
}
