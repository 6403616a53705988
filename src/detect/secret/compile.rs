//! Loading the rules: a rule file (ours, `rules.toml`) or a policy's `[[detector]]` tables
//! with `kind = "secret"` are read into [`RuleSpec`]s, checked (ids, keywords, windows, entropy
//! floors, regexes) and compiled into [`Rule`]s and the keyword automaton that drives them.
//!
//! Kept apart from matching ([`super::matching`]) so that what a rule may say, and every
//! refusal a rule author can meet, reads in one place; one code path compiles our rules and a
//! policy's, so a policy's rule means what ours do.

use std::collections::HashMap;
use std::sync::OnceLock;

use memchr::memmem;
use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use regex_automata::Input;

use super::checks::ByteSet;
use super::keywords::{Keywords, MAX_KEYWORD};
use super::rules::SecretRules;
use super::{KeyHintSpec, RuleError, RuleFile, RuleSpec};

/// How far after a keyword a match may end, unless a rule says otherwise.
const DEFAULT_AFTER: usize = 512;
/// The longest window a rule may ask for on either side of its keyword.
const MAX_WINDOW: usize = 64 * 1024;
/// The longest key that can hint at a secret, after normalisation.
pub(super) const MAX_HINT_KEY: usize = 48;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Anchor {
    Keyword,
    Word,
    Window,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Validator {
    None,
    Jwt,
    Pem,
    BasicAuth,
    UrlPassword,
}

/// A compiled rule (or key hint, which has no regex).
#[derive(Debug)]
pub struct Rule {
    pub(super) id: String,
    pub(super) description: String,
    /// Longest first.
    pub(super) prefixes: Vec<String>,
    /// The literals one of which must be near a match.
    pub(super) keywords: Vec<String>,
    /// `None` for a key hint.
    pub(super) regex: Option<Pattern>,
    pub(super) min_entropy: f64,
    pub(super) min_len: usize,
    pub(super) min_char_classes: u8,
    pub(super) token: ByteSet,
    pub(super) before: usize,
    pub(super) after: usize,
    pub(super) anchor: Anchor,
    pub(super) requires: Option<memmem::Finder<'static>>,
    pub(super) validate: Validator,
    pub(super) placeholder_check: bool,
    pub(super) generic: bool,
    pub(super) exclude_paths: Vec<String>,
}

/// A rule's regex, compiled when first needed when the rules were loaded unchecked (the
/// built-in ones, which the tests hold to their examples): a scan meets the keywords of a few
/// rules, and compiling all of them cost more at start-up (44 M instructions for 36 regexes)
/// than searching a 60 MiB export for them.
#[derive(Debug)]
pub(super) struct Pattern {
    pub(super) source: String,
    /// The regex, and whether it has a capture group (the secret within the match); `None`
    /// when it does not compile, which a checked load refuses and the tests rule out for ours.
    pub(super) compiled: OnceLock<Option<(Regex, bool)>>,
}

impl Pattern {
    pub(super) fn compiled(&self) -> Option<&(Regex, bool)> {
        self.compiled
            .get_or_init(|| {
                let regex = build_regex(&self.source).ok()?;
                let group = regex.captures_len() == 2;
                Some((regex, group))
            })
            .as_ref()
    }
}

/// The error is the regex crate's reason, without the pattern its message quotes (a policy's
/// problems never quote the policy), and as text (its error type is large to carry by value).
fn build_regex(source: &str) -> Result<Regex, String> {
    Regex::builder()
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .configure(meta::Config::new().utf8_empty(false))
        .build(source)
        .map_err(|e| match e.syntax_error() {
            Some(syntax) => {
                let text = syntax.to_string();
                let reason = text.lines().find_map(|l| l.trim().strip_prefix("error: "));
                reason.unwrap_or("invalid syntax").to_string()
            }
            None => e.to_string(),
        })
}

impl Rule {
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    /// Whether the rule is a key hint (a value under a key such as `password`) rather than a
    /// pattern.
    pub fn is_key_hint(&self) -> bool {
        self.regex.is_none()
    }

    /// Whether the rule yields to specific rules (`password=`, `Bearer`, key hints).
    pub fn is_generic(&self) -> bool {
        self.generic
    }

    /// For a key hint: the JSON key paths under which its keys hold public values.
    pub fn exclude_paths(&self) -> &[String] {
        &self.exclude_paths
    }

    /// The public prefixes a mask keeps, longest first.
    pub fn prefixes(&self) -> &[String] {
        &self.prefixes
    }

    /// The literals one of which must be near a match.
    pub fn keywords(&self) -> &[String] {
        &self.keywords
    }

    /// The longest public prefix that `value` starts with.
    pub fn prefix_of(&self, value: &[u8]) -> Option<&str> {
        self.prefixes
            .iter()
            .find(|p| value.starts_with(p.as_bytes()))
            .map(String::as_str)
    }
}

impl SecretRules {
    /// Compiles `file`; the regexes of its rules from the `checked_from`th on are compiled now,
    /// to refuse a bad one with its error (the others at their rule's first keyword hit, see
    /// [`Pattern`]).
    pub(super) fn compile(file: &RuleFile, checked_from: usize) -> Result<SecretRules, RuleError> {
        let RuleFile { rule, key_hint } = file;
        let mut rules = Vec::with_capacity(rule.len() + key_hint.len());
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        let mut keyword_rules: Vec<Vec<u16>> = Vec::new();
        let mut seen = HashMap::new();
        let total = rule.len() + key_hint.len();
        if total > usize::from(u16::MAX) {
            return Err(RuleError::Toml(format!("{total} rules; at most 65535")));
        }
        for (i, spec) in rule.iter().enumerate() {
            check_id(&spec.id, &mut seen)?;
            let index = rules.len() as u16;
            rules.push(compile_rule(spec, i >= checked_from)?);
            for keyword in &spec.keywords {
                let lower = keyword.to_ascii_lowercase().into_bytes();
                let pattern = match patterns.iter().position(|p| *p == lower) {
                    Some(p) => p,
                    None => {
                        patterns.push(lower);
                        keyword_rules.push(Vec::new());
                        patterns.len() - 1
                    }
                };
                if !keyword_rules[pattern].contains(&index) {
                    keyword_rules[pattern].push(index);
                }
            }
        }
        let mut hint_keys = HashMap::new();
        for spec in key_hint {
            check_id(&spec.id, &mut seen)?;
            let index = rules.len() as u16;
            rules.push(compile_key_hint(spec)?);
            for key in &spec.keys {
                let mut buf = [0u8; MAX_HINT_KEY];
                let normal = normalise_key(key.as_bytes(), &mut buf)
                    .filter(|n| *n == key.as_bytes())
                    .ok_or_else(|| RuleError::Rule {
                        rule: spec.id.clone(),
                        message: format!(
                            "key `{key}` is not normalised (lower-case letters and digits, at most {MAX_HINT_KEY})"
                        ),
                    })?;
                if hint_keys.insert(normal.to_vec(), index).is_some() {
                    return Err(RuleError::Rule {
                        rule: spec.id.clone(),
                        message: format!("key `{key}` is already a hint"),
                    });
                }
            }
        }
        let simd = std::env::var_os("PIISCAN_SECRETS_NO_SIMD").is_none();
        let keywords = Keywords::new(&patterns, simd)
            .map_err(|e| RuleError::Toml(format!("keyword automaton: {e}")))?;
        Ok(SecretRules {
            rules,
            keywords,
            keyword_rules,
            hint_keys,
        })
    }
}

/// A key with ASCII letters lower-cased and everything but letters and digits dropped, as
/// piiscan's key hints normalise keys (`X-Api-Key` and `api_key` are `apikey`).
pub(super) fn normalise_key<'b>(key: &[u8], buf: &'b mut [u8; MAX_HINT_KEY]) -> Option<&'b [u8]> {
    let mut n = 0;
    for &b in key {
        if b.is_ascii_alphanumeric() {
            *buf.get_mut(n)? = b.to_ascii_lowercase();
            n += 1;
        }
    }
    (n > 0).then_some(&buf[..n])
}

pub(super) fn parse_file(text: &str) -> Result<RuleFile, RuleError> {
    toml::from_str(text).map_err(|e| RuleError::Toml(e.to_string()))
}

fn check_id(id: &str, seen: &mut HashMap<String, ()>) -> Result<(), RuleError> {
    let valid = !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if !valid {
        return Err(RuleError::Rule {
            rule: id.to_string(),
            message: "an id is lower-case letters, digits, `.`, `_` and `-`".into(),
        });
    }
    if seen.insert(id.to_string(), ()).is_some() {
        return Err(RuleError::Rule {
            rule: id.to_string(),
            message: "another rule has this id".into(),
        });
    }
    Ok(())
}

pub(super) fn compile_rule(spec: &RuleSpec, checked: bool) -> Result<Rule, RuleError> {
    let bad = |message: String| RuleError::Rule {
        rule: spec.id.clone(),
        message,
    };
    if let Some(kind) = &spec.kind {
        if kind != "secret" {
            return Err(bad(format!("kind `{kind}` is not `secret`")));
        }
    }
    let compiled = OnceLock::new();
    if checked {
        let regex = build_regex(&spec.regex).map_err(|e| bad(format!("bad regex: {e}")))?;
        let groups = regex.captures_len();
        if groups > 2 {
            return Err(bad(format!(
                "the regex has {} capture groups; at most one (the secret), use (?:...) for others",
                groups - 1
            )));
        }
        if regex.search(&Input::new("")).is_some() {
            return Err(bad("the regex matches the empty string".into()));
        }
        let _ = compiled.set(Some((regex, groups == 2)));
    }
    if spec.keywords.is_empty() {
        return Err(bad("a rule needs at least one keyword".into()));
    }
    if let Some(k) = spec.keywords.iter().find(|k| k.len() < 3) {
        return Err(bad(format!(
            "keyword `{k}` is shorter than 3 bytes: it would run the regex everywhere"
        )));
    }
    if let Some(k) = spec.keywords.iter().find(|k| k.len() > MAX_KEYWORD) {
        return Err(bad(format!(
            "keyword `{k}` is longer than {MAX_KEYWORD} bytes"
        )));
    }
    let before = spec.before.unwrap_or(0);
    let after = spec.after.unwrap_or(DEFAULT_AFTER);
    if before > MAX_WINDOW || after == 0 || after > MAX_WINDOW {
        return Err(bad(format!(
            "`before` and `after` are at most {MAX_WINDOW}, `after` at least 1"
        )));
    }
    let anchor = match (spec.anchor.as_deref(), before) {
        (None, 0) | (Some("keyword"), _) => Anchor::Keyword,
        (None, _) | (Some("window"), _) => Anchor::Window,
        (Some("word"), _) => Anchor::Word,
        (Some(other), _) => {
            return Err(bad(format!(
                "unknown `anchor = \"{other}\"`; one of keyword, word, window"
            )))
        }
    };
    let validate = match spec.validate.as_deref() {
        None => Validator::None,
        Some("jwt") => Validator::Jwt,
        Some("pem") => Validator::Pem,
        Some("basic_auth") => Validator::BasicAuth,
        Some("url_password") => Validator::UrlPassword,
        Some(other) => {
            return Err(bad(format!(
                "unknown `validate = \"{other}\"`; one of jwt, pem, basic_auth, url_password"
            )))
        }
    };
    let min_entropy = check_entropy(spec.min_entropy).map_err(bad)?;
    let mut prefixes = spec.prefix.clone().into_vec();
    prefixes.sort_by_key(|p| std::cmp::Reverse(p.len()));
    Ok(Rule {
        id: spec.id.clone(),
        description: spec.description.clone(),
        prefixes,
        keywords: spec.keywords.clone(),
        regex: Some(Pattern {
            source: spec.regex.clone(),
            compiled,
        }),
        min_entropy,
        min_len: spec.min_len.unwrap_or(1),
        min_char_classes: spec.min_char_classes.unwrap_or(0),
        token: ByteSet::token_chars(spec.boundary_chars.as_bytes()),
        before,
        after,
        anchor,
        requires: spec
            .requires
            .as_ref()
            .map(|r| memmem::Finder::new(r.as_bytes()).into_owned()),
        validate,
        placeholder_check: spec.placeholder_check,
        generic: spec.generic,
        exclude_paths: Vec::new(),
    })
}

fn compile_key_hint(spec: &KeyHintSpec) -> Result<Rule, RuleError> {
    let min_entropy = check_entropy(spec.min_entropy).map_err(|message| RuleError::Rule {
        rule: spec.id.clone(),
        message,
    })?;
    if spec.keys.is_empty() {
        return Err(RuleError::Rule {
            rule: spec.id.clone(),
            message: "a key hint needs at least one key".into(),
        });
    }
    Ok(Rule {
        id: spec.id.clone(),
        description: spec.description.clone(),
        prefixes: Vec::new(),
        keywords: Vec::new(),
        regex: None,
        min_entropy,
        min_len: spec.min_len.unwrap_or(1),
        min_char_classes: spec.min_char_classes.unwrap_or(0),
        // The value is the whole of a JSON string or CSV cell: nothing around it to check.
        token: ByteSet::default(),
        before: 0,
        after: 0,
        anchor: Anchor::Keyword,
        requires: None,
        validate: Validator::None,
        placeholder_check: true,
        generic: true,
        exclude_paths: spec.exclude_paths.clone(),
    })
}

fn check_entropy(e: Option<f64>) -> Result<f64, String> {
    match e {
        None => Ok(0.0),
        Some(e) if (0.0..=8.0).contains(&e) => Ok(e),
        Some(e) => Err(format!("min_entropy {e} is not within 0..=8 bits per byte")),
    }
}
