//! Running a rule's examples and negative examples: the tests hold our rules to theirs, and
//! a policy's rules are held to theirs whenever the policy is read, each failure named by the
//! rule and the example's index (never by its text, which may be a live credential).

use memchr::memmem;

use super::compile::parse_file;
use super::rules::SecretRules;
use super::{KeyHintSpec, RuleError, RuleFile, RuleSpec};

impl SecretRules {
    /// Every failing example and negative example of a rule file (not only the first), for
    /// tests and for `piiscan config check`.
    pub fn check_file(text: &str) -> Vec<RuleError> {
        let file = match parse_file(text) {
            Ok(f) => f,
            Err(e) => return vec![e],
        };
        match SecretRules::compile(&file, 0) {
            Ok(rules) => rules.example_failures(&file, 0),
            Err(e) => vec![e],
        }
    }

    /// The failures of the examples of `file`'s rules from the `from`th on, and of its key
    /// hints' when `from` is 0 (a policy's rules come after ours, and have no key hints).
    pub(super) fn example_failures(&self, file: &RuleFile, from: usize) -> Vec<RuleError> {
        let mut errors = Vec::new();
        for (index, spec) in file.rule.iter().enumerate().skip(from) {
            self.check_examples(index as u16, spec, &mut errors);
        }
        if from > 0 {
            return errors;
        }
        for (offset, spec) in file.key_hint.iter().enumerate() {
            self.check_hint_examples((file.rule.len() + offset) as u16, spec, &mut errors);
        }
        errors
    }

    /// Whether a keyword of `rule` occurs in `text`.
    fn keyword_hit(&self, text: &[u8], rule: u16) -> bool {
        let mut hit = false;
        self.keywords.for_each(text, |_, k| {
            hit |= self.keyword_rules[k as usize].contains(&rule);
        });
        hit
    }

    fn check_examples(&self, index: u16, spec: &RuleSpec, errors: &mut Vec<RuleError>) {
        let mut out = Vec::new();
        for (i, example) in spec.examples.iter().enumerate() {
            out.clear();
            let text = example.text().as_bytes();
            self.find_only(text, &mut out, Some(index));
            let want = example.secret().as_bytes();
            if out.iter().any(|m| &text[m.start..m.end] == want) {
                continue;
            }
            let message = if memmem::find(text, want).is_none() {
                "the secret is not in the text".to_string()
            } else if !self.keyword_hit(text, index) {
                "none of the rule's keywords occurs in the text".to_string()
            } else if let Some(m) = out.first() {
                format!(
                    "found {}..{} instead of the expected secret",
                    m.start, m.end
                )
            } else {
                "no match (regex, boundary, placeholder, entropy or validation check failed)"
                    .to_string()
            };
            errors.push(RuleError::Example {
                rule: spec.id.clone(),
                index: i + 1,
                message,
            });
        }
        for (i, text) in spec.negative_examples.iter().enumerate() {
            out.clear();
            self.find_only(text.as_bytes(), &mut out, Some(index));
            if let Some(m) = out.first() {
                errors.push(RuleError::NegativeExample {
                    rule: spec.id.clone(),
                    index: i + 1,
                    message: format!("found a secret at {}..{}", m.start, m.end),
                });
            }
        }
    }

    fn check_hint_examples(&self, index: u16, spec: &KeyHintSpec, errors: &mut Vec<RuleError>) {
        let mut out = Vec::new();
        for (i, value) in spec.examples.iter().enumerate() {
            out.clear();
            if !self.check_keyed_value(index, value.as_bytes(), &mut out) {
                errors.push(RuleError::Example {
                    rule: spec.id.clone(),
                    index: i + 1,
                    message: "the value is not reported".to_string(),
                });
            }
        }
        for (i, value) in spec.negative_examples.iter().enumerate() {
            out.clear();
            if self.check_keyed_value(index, value.as_bytes(), &mut out) {
                errors.push(RuleError::NegativeExample {
                    rule: spec.id.clone(),
                    index: i + 1,
                    message: "the value is reported".to_string(),
                });
            }
        }
    }
}
