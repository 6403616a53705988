//! The `secret` kind: credentials (API keys, tokens, private keys, passwords in URLs and
//! headers) found in logs and analytics exports.
//!
//! **Rules are data.** Every credential format is a rule in `rules/secrets.toml` (id, regex,
//! keywords, public prefix, entropy floor, examples and counter-examples), in the way of Nosey
//! Parker's rules, so that a format is added or fixed without touching code, and so that a
//! policy adds its own the same way (`[[detector]]` with `kind = "secret"`). Every rule's
//! examples are run when the rules load: a rule that does not find its own examples, or finds
//! a counter-example, is refused with an error naming the rule and the example.
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
use std::sync::OnceLock;

use memchr::memmem;
use regex_automata::meta::{self, Regex};
use regex_automata::util::primitives::NonMaxUsize;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input};

pub use super::error::RuleError;
pub use super::spec::{KeyHintSpec, RuleFile, RuleSpec};

use super::checks::{self, ByteSet};
use super::keywords::{Keywords, MAX_KEYWORD};

/// Our rule file, built into the binary.
pub const BUILTIN_RULES: &str = include_str!("rules.toml");

/// How far after a keyword a match may end, unless a rule says otherwise.
const DEFAULT_AFTER: usize = 512;
/// The longest window a rule may ask for on either side of its keyword.
const MAX_WINDOW: usize = 64 * 1024;
/// The longest key that can hint at a secret, after normalisation.
const MAX_HINT_KEY: usize = 48;

/// A secret found: its span in the haystack (the secret alone, without context such as
/// `api_key=`) and the rule that found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SecretMatch {
    pub start: usize,
    pub end: usize,
    pub rule: u16,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Anchor {
    Keyword,
    Word,
    Window,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Validator {
    None,
    Jwt,
    Pem,
    BasicAuth,
    UrlPassword,
}

/// A compiled rule (or key hint, which has no regex).
#[derive(Debug)]
pub struct Rule {
    id: String,
    description: String,
    /// Longest first.
    prefixes: Vec<String>,
    /// The literals one of which must be near a match.
    keywords: Vec<String>,
    /// `None` for a key hint.
    regex: Option<Pattern>,
    min_entropy: f64,
    min_len: usize,
    min_char_classes: u8,
    token: ByteSet,
    before: usize,
    after: usize,
    anchor: Anchor,
    requires: Option<memmem::Finder<'static>>,
    validate: Validator,
    placeholder_check: bool,
    generic: bool,
    exclude_paths: Vec<String>,
}

/// A rule's regex, compiled when first needed when the rules were loaded unchecked (the
/// built-in ones, which the tests hold to their examples): a scan meets the keywords of a few
/// rules, and compiling all of them cost more at start-up (44 M instructions for 36 regexes)
/// than searching a 60 MiB export for them.
#[derive(Debug)]
struct Pattern {
    source: String,
    /// The regex, and whether it has a capture group (the secret within the match); `None`
    /// when it does not compile, which a checked load refuses and the tests rule out for ours.
    compiled: OnceLock<Option<(Regex, bool)>>,
}

impl Pattern {
    fn compiled(&self) -> Option<&(Regex, bool)> {
        self.compiled
            .get_or_init(|| {
                let regex = build_regex(&self.source).ok()?;
                let group = regex.captures_len() == 2;
                Some((regex, group))
            })
            .as_ref()
    }
}

/// The error is the regex crate's message (its error type is large to carry by value).
fn build_regex(source: &str) -> Result<Regex, String> {
    Regex::builder()
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .configure(meta::Config::new().utf8_empty(false))
        .build(source)
        .map_err(|e| e.to_string())
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

/// Every rule, compiled, with the keyword automaton that drives them.
#[derive(Debug)]
pub struct SecretRules {
    rules: Vec<Rule>,
    keywords: Keywords,
    /// The rules of each keyword, by keyword index.
    keyword_rules: Vec<Vec<u16>>,
    /// Normalised hinting key to key-hint rule.
    hint_keys: HashMap<Vec<u8>, u16>,
}

impl SecretRules {
    /// Our rules alone.
    pub fn builtin() -> Result<SecretRules, RuleError> {
        SecretRules::from_toml(BUILTIN_RULES)
    }

    /// Our rules plus a policy's: the `[[detector]]` tables of `policy_text` with
    /// `kind = "secret"` (other tables and other detectors are left to the policy loader).
    pub fn with_policy(policy_text: &str) -> Result<SecretRules, RuleError> {
        SecretRules::with_rules(policy_rules(policy_text)?)
    }

    /// Our rules plus `extra`.
    pub fn with_rules(extra: Vec<RuleSpec>) -> Result<SecretRules, RuleError> {
        let mut file = parse_file(BUILTIN_RULES)?;
        file.rule.extend(extra);
        SecretRules::from_file(file)
    }

    /// The rules of a whole rule file.
    pub fn from_toml(text: &str) -> Result<SecretRules, RuleError> {
        SecretRules::from_file(parse_file(text)?)
    }

    /// Compiles `file` and runs every example and negative example of every rule; the first
    /// failure is the error.
    pub fn from_file(file: RuleFile) -> Result<SecretRules, RuleError> {
        let rules = SecretRules::compile(&file, true)?;
        match rules.example_failures(&file).into_iter().next() {
            Some(e) => Err(e),
            None => Ok(rules),
        }
    }

    /// Compiles a rule file without running its examples, each regex at its rule's first
    /// keyword hit (a regex that does not compile makes its rule find nothing): for the
    /// built-in rules, which the tests hold to their examples, and for debugging tools.
    #[doc(hidden)]
    pub fn from_toml_unchecked(text: &str) -> Result<SecretRules, RuleError> {
        SecretRules::compile(&parse_file(text)?, false)
    }

    /// Every failing example and negative example of a rule file (not only the first), for
    /// tests and for `piiscan config check`.
    pub fn check_file(text: &str) -> Vec<RuleError> {
        let file = match parse_file(text) {
            Ok(f) => f,
            Err(e) => return vec![e],
        };
        match SecretRules::compile(&file, true) {
            Ok(rules) => rules.example_failures(&file),
            Err(e) => vec![e],
        }
    }

    fn example_failures(&self, file: &RuleFile) -> Vec<RuleError> {
        let mut errors = Vec::new();
        for (index, spec) in file.rule.iter().enumerate() {
            self.check_examples(index as u16, spec, &mut errors);
        }
        for (offset, spec) in file.key_hint.iter().enumerate() {
            self.check_hint_examples((file.rule.len() + offset) as u16, spec, &mut errors);
        }
        errors
    }

    /// Compiles `file`; `checked` compiles every regex now, to refuse a bad one with its error
    /// (otherwise each is compiled at its rule's first keyword hit, see [`Pattern`]).
    fn compile(file: &RuleFile, checked: bool) -> Result<SecretRules, RuleError> {
        let RuleFile { rule, key_hint } = file;
        let mut rules = Vec::with_capacity(rule.len() + key_hint.len());
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        let mut keyword_rules: Vec<Vec<u16>> = Vec::new();
        let mut seen = HashMap::new();
        let total = rule.len() + key_hint.len();
        if total > usize::from(u16::MAX) {
            return Err(RuleError::Toml(format!("{total} rules; at most 65535")));
        }
        for spec in rule {
            check_id(&spec.id, &mut seen)?;
            let index = rules.len() as u16;
            rules.push(compile_rule(spec, checked)?);
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

    /// Pushes every secret in `haystack` onto `out`, in order of position, none overlapping.
    pub fn find(&self, haystack: &[u8], out: &mut Vec<SecretMatch>) {
        self.find_only(haystack, out, None);
    }

    fn find_only(&self, hay: &[u8], out: &mut Vec<SecretMatch>, only: Option<u16>) {
        let base = out.len();
        // Where each rule's last match ended, so that nearby hits of one rule do not report a
        // match twice. On the stack for the usual number of rules.
        let mut stack = [0usize; 64];
        let mut heap = Vec::new();
        let last_end: &mut [usize] = if self.rules.len() <= stack.len() {
            &mut stack[..self.rules.len()]
        } else {
            heap.resize(self.rules.len(), 0);
            &mut heap
        };
        self.keywords.for_each(hay, |at, keyword| {
            for &rule in &self.keyword_rules[keyword as usize] {
                if only.is_some_and(|o| o != rule) {
                    continue;
                }
                self.search(rule, hay, at, &mut last_end[usize::from(rule)], out);
            }
        });
        self.resolve_overlaps(out, base);
    }

    /// Runs `rule` in the window around a keyword hit at `at`.
    fn search(
        &self,
        index: u16,
        hay: &[u8],
        at: usize,
        last_end: &mut usize,
        out: &mut Vec<SecretMatch>,
    ) {
        let rule = &self.rules[usize::from(index)];
        let Some((regex, has_group)) = rule.regex.as_ref().and_then(Pattern::compiled) else {
            return;
        };
        let hi = at.saturating_add(rule.after).min(hay.len());
        let end = memchr::memchr(b'\n', &hay[at..hi]).map_or(hi, |i| at + i);
        if let Some(required) = &rule.requires {
            if required.find(&hay[at..end]).is_none() {
                return;
            }
        }
        let lo = at.saturating_sub(rule.before);
        let mut pos = match rule.anchor {
            Anchor::Keyword => at,
            Anchor::Word => {
                let mut start = at;
                while start > lo && is_word_byte(hay[start - 1]) {
                    start -= 1;
                }
                start
            }
            Anchor::Window => {
                let line_start = memchr::memrchr(b'\n', &hay[lo..at]).map_or(lo, |i| lo + i + 1);
                line_start.max(*last_end)
            }
        };
        let anchored = rule.anchor != Anchor::Window;
        if anchored && pos < *last_end {
            return;
        }
        let slot_count = if *has_group { 4 } else { 2 };
        while pos < end {
            let input = Input::new(hay).range(pos..end).anchored(if anchored {
                Anchored::Yes
            } else {
                Anchored::No
            });
            let mut slots: [Option<NonMaxUsize>; 4] = [None; 4];
            if regex
                .search_slots(&input, &mut slots[..slot_count])
                .is_none()
            {
                break;
            }
            let (Some(ms), Some(me)) = (slots[0], slots[1]) else {
                break;
            };
            let (ms, me) = (ms.get(), me.get());
            let (start, stop) = match (slots[2], slots[3]) {
                (Some(s), Some(e)) => (s.get(), e.get()),
                _ => (ms, me),
            };
            if accept(rule, hay, start, stop) {
                out.push(SecretMatch {
                    start,
                    end: stop,
                    rule: index,
                });
                *last_end = me;
                if anchored {
                    break;
                }
                pos = me.max(ms + 1);
            } else {
                if anchored {
                    break;
                }
                pos = ms + 1;
            }
        }
    }

    /// Sorts the matches from `base` on and drops overlaps: a specific rule's match wins over
    /// a generic one's; otherwise the first (then longest) wins.
    fn resolve_overlaps(&self, out: &mut Vec<SecretMatch>, base: usize) {
        let generic = |m: &SecretMatch| self.rules[usize::from(m.rule)].generic;
        out[base..].sort_unstable_by_key(|m| (m.start, generic(m), std::cmp::Reverse(m.end)));
        let mut kept = base;
        for i in base..out.len() {
            let m = out[i];
            if kept > base {
                let last = out[kept - 1];
                if m.start < last.end {
                    if generic(&last) && !generic(&m) {
                        out[kept - 1] = m;
                    }
                    continue;
                }
            }
            out[kept] = m;
            kept += 1;
        }
        out.truncate(kept);
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

    fn keyword_hit(&self, text: &[u8], rule: u16) -> bool {
        let mut hit = false;
        self.keywords.for_each(text, |_, k| {
            hit |= self.keyword_rules[k as usize].contains(&rule);
        });
        hit
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

/// The bytes of a word for `anchor = "word"`: identifiers, dotted names, URL schemes.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'+' | b'-')
}

/// Whether a candidate span passes its rule's checks.
fn accept(rule: &Rule, hay: &[u8], start: usize, end: usize) -> bool {
    if end <= start || end - start < rule.min_len {
        return false;
    }
    if !checks::at_boundary(hay, start, end, &rule.token) {
        return false;
    }
    let value = &hay[start..end];
    let body = rule.prefix_of(value).map_or(value, |p| &value[p.len()..]);
    if rule.placeholder_check
        && (checks::is_placeholder(body) || (rule.generic && checks::is_non_secret_word(body)))
    {
        return false;
    }
    if rule.min_entropy > 0.0 && checks::entropy(body) < rule.min_entropy {
        return false;
    }
    if checks::char_classes(body) < rule.min_char_classes {
        return false;
    }
    match rule.validate {
        Validator::None => true,
        Validator::Jwt => checks::valid_jwt(value),
        Validator::Pem => checks::valid_pem(hay, start, end),
        Validator::BasicAuth => checks::valid_basic_auth(value),
        Validator::UrlPassword => checks::valid_url_password(value),
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

/// A key with ASCII letters lower-cased and everything but letters and digits dropped, as
/// piiscan's key hints normalise keys (`X-Api-Key` and `api_key` are `apikey`).
fn normalise_key<'b>(key: &[u8], buf: &'b mut [u8; MAX_HINT_KEY]) -> Option<&'b [u8]> {
    let mut n = 0;
    for &b in key {
        if b.is_ascii_alphanumeric() {
            *buf.get_mut(n)? = b.to_ascii_lowercase();
            n += 1;
        }
    }
    (n > 0).then_some(&buf[..n])
}

fn parse_file(text: &str) -> Result<RuleFile, RuleError> {
    toml::from_str(text).map_err(|e| RuleError::Toml(e.to_string()))
}

/// The `[[detector]]` tables of a policy with `kind = "secret"`.
pub fn policy_rules(policy_text: &str) -> Result<Vec<RuleSpec>, RuleError> {
    let table: toml::Table =
        toml::from_str(policy_text).map_err(|e| RuleError::Toml(e.to_string()))?;
    let Some(detectors) = table.get("detector") else {
        return Ok(Vec::new());
    };
    let detectors = detectors
        .as_array()
        .ok_or_else(|| RuleError::Toml("`detector` must be an array of tables".into()))?;
    let mut specs = Vec::new();
    for (i, d) in detectors.iter().enumerate() {
        if d.get("kind").and_then(toml::Value::as_str) != Some("secret") {
            continue;
        }
        let spec: RuleSpec = d.clone().try_into().map_err(|e: toml::de::Error| {
            let id = d.get("id").and_then(toml::Value::as_str).unwrap_or("?");
            RuleError::Rule {
                rule: id.to_string(),
                message: format!("[[detector]] {}: {}", i + 1, e.message()),
            }
        })?;
        specs.push(spec);
    }
    Ok(specs)
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

fn compile_rule(spec: &RuleSpec, checked: bool) -> Result<Rule, RuleError> {
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
