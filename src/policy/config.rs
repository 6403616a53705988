//! The policy file: TOML, read strictly.
//!
//! Every table denies unknown keys, so a misspelt `thresold` is an error rather than a rule
//! silently not applied; the `[kinds]` table has one key per built-in kind for the same
//! reason. Values that need more than a type (regular expressions, CIDR ranges, domains,
//! globs, kind names) are read with their spans and checked here, and every problem is
//! reported with its line and column. Messages never quote a value from the file: allowlists
//! hold real addresses, and a CI log is no place for them.
//!
//! The commented starting policy that `piiscan config init` writes is [`TEMPLATE`]; a test
//! keeps it valid.

use std::path::Path;
use std::sync::Arc;

use globset::{GlobBuilder, GlobSetBuilder};
use ipnet::IpNet;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

use super::allow::{Allowlist, Domain, Entry, NAMED_RANGES};
use super::redact::FieldRule;
use super::{Action, CustomKindInfo, Policy, Problem, Rule, Source};
use crate::detect::custom::{CustomDetector, PatternRule, WordRule};
use crate::detect::secret::{OneOrMany, RuleExample};
use crate::detect::{CustomKind, Kind, RedactAction};
use crate::detect::{Detector, Shape};
use crate::engine::{examples, Config, Hooks, Scanner};

/// The starting policy written by `piiscan config init`.
pub const TEMPLATE: &str = include_str!("template.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    kinds: Kinds,
    #[serde(default)]
    allow: Vec<Spanned<AllowTable>>,
    #[serde(default)]
    detector: Vec<Spanned<DetectorTable>>,
    redact: Option<Spanned<RedactTable>>,
    #[serde(default)]
    field: Vec<Spanned<FieldTable>>,
}

/// `[[field]]`: what a field of the user's own exports means (`path =
/// "properties.signup_town"`, `kind = "city"`), before the built-in field tables.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldTable {
    path: Spanned<String>,
    kind: Spanned<String>,
}

/// `[redact]`: `decimals`, `[redact.kinds]` (kind = action) and `[redact.fields]` (path =
/// action; a dotted key such as `properties.notes = "remove"` is a path too).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RedactTable {
    #[serde(default)]
    kinds: std::collections::BTreeMap<Spanned<String>, Spanned<String>>,
    decimals: Option<Spanned<i64>>,
    #[serde(default)]
    fields: toml::Table,
}

/// One key per built-in kind (named as the registry names them), each a rule.
type Kinds = std::collections::BTreeMap<Spanned<String>, Spanned<RuleTable>>;

/// `email = "fail"`, or `email = { action = "fail", threshold = 10 }`.
struct RuleTable {
    action: Action,
    threshold: Option<u64>,
}

impl<'de> Deserialize<'de> for RuleTable {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RuleTable, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            action: Action,
            threshold: Option<u64>,
        }
        struct RuleVisitor;
        impl<'de> Visitor<'de> for RuleVisitor {
            type Value = RuleTable;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(r#""fail", "warn", "ignore" or { action = "...", threshold = N }"#)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RuleTable, E> {
                let action = Action::deserialize(de::value::StrDeserializer::<E>::new(v))?;
                Ok(RuleTable {
                    action,
                    threshold: None,
                })
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<RuleTable, M::Error> {
                let full = Full::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RuleTable {
                    action: full.action,
                    threshold: full.threshold,
                })
            }
        }
        deserializer.deserialize_any(RuleVisitor)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowTable {
    reason: Option<String>,
    kinds: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    values: Vec<String>,
    #[serde(default)]
    regexes: Vec<Spanned<String>>,
    #[serde(default)]
    email_domains: Vec<Spanned<String>>,
    #[serde(default)]
    ip_ranges: Vec<Spanned<String>>,
    #[serde(default)]
    fields: Vec<Spanned<String>>,
    #[serde(default)]
    files: Vec<Spanned<String>>,
}

/// `[[detector]]`: a custom kind's regex or word list, or with `kind = "secret"`, a credential
/// rule of the user's (read by [`super::secrets`] into the fields of our own rules).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DetectorTable {
    pub(super) kind: Spanned<String>,
    pub(super) description: Option<String>,
    pub(super) regex: Option<Spanned<String>>,
    words: Option<Vec<String>>,
    words_file: Option<Spanned<String>>,
    case_sensitive: Option<bool>,
    severity: Option<Action>,
    threshold: Option<Spanned<u64>>,
    /// Inputs in which the detector must find its kind, checked when the policy is read (a
    /// secret rule's may name the secret: `{ text = "...", secret = "..." }`).
    #[serde(default)]
    pub(super) examples: Vec<Spanned<RuleExample>>,
    /// Inputs in which it must find nothing of its kind.
    #[serde(default)]
    pub(super) negative_examples: Vec<Spanned<String>>,
    // The fields of a secret rule only, as in our rules (see
    // [`crate::detect::secret::RuleSpec`]); not flattened into a struct of their own, which
    // would cost the spans and the refusal of unknown fields.
    pub(super) id: Option<Spanned<String>>,
    pub(super) keywords: Option<Vec<String>>,
    pub(super) prefix: Option<OneOrMany>,
    pub(super) min_entropy: Option<f64>,
    pub(super) min_len: Option<usize>,
    pub(super) min_char_classes: Option<u8>,
    pub(super) boundary_chars: Option<String>,
    pub(super) before: Option<usize>,
    pub(super) after: Option<usize>,
    pub(super) anchor: Option<String>,
    pub(super) requires: Option<String>,
    pub(super) validate: Option<String>,
    pub(super) placeholder_check: Option<bool>,
    pub(super) generic: Option<bool>,
}

impl DetectorTable {
    /// The fields of a custom detector that this table sets, for a secret rule to refuse.
    pub(super) fn custom_fields(&self) -> Vec<&'static str> {
        let set = [
            ("words", self.words.is_some()),
            ("words_file", self.words_file.is_some()),
            ("case_sensitive", self.case_sensitive.is_some()),
            ("severity", self.severity.is_some()),
            ("threshold", self.threshold.is_some()),
        ];
        set.iter().filter(|(_, s)| *s).map(|(n, _)| *n).collect()
    }

    /// The fields of a secret rule that this table sets, for a custom detector to refuse.
    fn secret_fields(&self) -> Vec<&'static str> {
        let set = [
            ("id", self.id.is_some()),
            ("keywords", self.keywords.is_some()),
            ("prefix", self.prefix.is_some()),
            ("min_entropy", self.min_entropy.is_some()),
            ("min_len", self.min_len.is_some()),
            ("min_char_classes", self.min_char_classes.is_some()),
            ("boundary_chars", self.boundary_chars.is_some()),
            ("before", self.before.is_some()),
            ("after", self.after.is_some()),
            ("anchor", self.anchor.is_some()),
            ("requires", self.requires.is_some()),
            ("validate", self.validate.is_some()),
            ("placeholder_check", self.placeholder_check.is_some()),
            ("generic", self.generic.is_some()),
        ];
        set.iter().filter(|(_, s)| *s).map(|(n, _)| *n).collect()
    }
}

/// Where problems go while a file is checked: every one is kept, with its position.
pub(super) struct Problems<'t> {
    text: &'t str,
    list: Vec<Problem>,
}

impl Problems<'_> {
    pub(super) fn at(&mut self, offset: usize, message: impl Into<String>) {
        let (line, column) = line_column(self.text, offset);
        self.list.push(Problem {
            line,
            column,
            message: message.into(),
        });
    }
}

/// The 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The reason a regular expression does not compile, without the pattern.
fn regex_problem(error: &regex::Error) -> String {
    match error {
        regex::Error::Syntax(text) => {
            let reason = text
                .lines()
                .find_map(|l| l.trim().strip_prefix("error: "))
                .unwrap_or("invalid syntax");
            // The caret line points at the character that is wrong.
            let at = text
                .lines()
                .find(|l| {
                    l.trim() == "^"
                        || l.trim().starts_with('^') && l.trim().trim_start_matches('^').is_empty()
                })
                .map(|l| {
                    l.chars()
                        .take_while(|c| *c == ' ')
                        .count()
                        .saturating_sub(4)
                        + 1
                });
            match at {
                Some(at) => format!("{reason} (at character {at} of the pattern)"),
                None => reason.to_string(),
            }
        }
        regex::Error::CompiledTooBig(limit) => {
            format!("the pattern compiles to more than {limit} bytes; simplify it")
        }
        _ => "invalid regular expression".to_string(),
    }
}

/// A name that can be a custom kind: lower-case ASCII letters, digits and `_`, starting with
/// a letter, at most 32 bytes, and not a built-in kind or group.
fn valid_custom_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 32
        && bytes[0].is_ascii_lowercase()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
}

/// Validates the text of a policy file.
pub fn parse(text: &str, path: &Path) -> Result<Policy, Vec<Problem>> {
    let file: File = match toml::from_str(text) {
        Ok(file) => file,
        Err(e) => {
            let offset = e.span().map_or(0, |s| s.start);
            let (line, column) = line_column(text, offset);
            return Err(vec![Problem {
                line,
                column,
                message: crate::scrub::parser_message(e.message()),
            }]);
        }
    };
    let mut problems = Problems {
        text,
        list: Vec::new(),
    };
    let mut policy = Policy {
        source: Source::File(path.to_path_buf()),
        ..Policy::default()
    };

    for (name, entry) in &file.kinds {
        let Some(i) = Kind::ALL.iter().position(|k| k.name() == name.get_ref()) else {
            let known: Vec<String> = Kind::ALL.iter().map(|k| format!("`{k}`")).collect();
            problems.at(
                name.span().start,
                format!("unknown kind `…`, expected one of {}", known.join(", ")),
            );
            continue;
        };
        let rule = entry.get_ref();
        let threshold = rule.threshold.unwrap_or(1);
        if threshold == 0 {
            problems.at(
                entry.span().start,
                "threshold must be at least 1 (the number of findings that trigger the action)",
            );
        }
        policy.rules[i] = Rule {
            action: rule.action,
            threshold: threshold.max(1),
        };
    }

    policy.secret = super::secrets::read(&file.detector, &mut problems).map(Arc::new);
    let detector = read_detectors(&file.detector, path, &mut problems, &mut policy);
    policy.detector = detector.map(Arc::new);
    if let Some(detector) = &policy.detector {
        check_examples(&file.detector, detector, &mut problems);
    }
    policy.allow = read_allowlist(&file.allow, &mut problems, &policy);
    if let Some(table) = &file.redact {
        read_redact(table, &mut problems, &mut policy);
    }
    read_fields(&file.field, &mut problems, &mut policy);

    if problems.list.is_empty() {
        Ok(policy)
    } else {
        problems.list.sort_by_key(|p| (p.line, p.column));
        Err(problems.list)
    }
}

/// `[[field]]` tables: a path whose last key the scan can read, and a kind (or hint) name.
fn read_fields(tables: &[Spanned<FieldTable>], problems: &mut Problems<'_>, policy: &mut Policy) {
    use crate::structure::keys;
    for table in tables {
        let table = table.get_ref();
        let path = table.path.get_ref();
        if !keys::field_path_fits(path) {
            problems.at(
                table.path.span().start,
                "a field path's last key must have 1 to 24 letters or digits",
            );
            continue;
        }
        let Some(hint) = crate::detect::Hint::from_name(table.kind.get_ref()) else {
            let known: Vec<String> = crate::detect::Hint::NAMES
                .iter()
                .map(|(n, _)| format!("`{n}`"))
                .collect();
            problems.at(
                table.kind.span().start,
                format!(
                    "unknown field kind `…`, expected one of {}",
                    known.join(", ")
                ),
            );
            continue;
        };
        policy.fields.push((path.clone(), hint));
    }
}

fn read_redact(table: &Spanned<RedactTable>, problems: &mut Problems<'_>, policy: &mut Policy) {
    let at = table.span().start;
    let t = table.get_ref();
    let action_of = |name: &str| {
        RedactAction::from_name(name).ok_or_else(|| {
            "unknown action, expected one of `mask`, `pseudonymise`, `generalise`, `remove`, \
             `keep`"
                .to_string()
        })
    };
    for (name, action) in &t.kinds {
        let kind = Kind::from_name(name.get_ref()).or_else(|| {
            policy
                .custom
                .iter()
                .map(|c| c.kind)
                .find(|k| k.name() == name.get_ref())
        });
        let Some(kind) = kind else {
            problems.at(name.span().start, "unknown kind `…` in [redact.kinds]");
            continue;
        };
        match action_of(action.get_ref()).and_then(|a| policy.redact.set(kind, a)) {
            Ok(()) => {}
            Err(message) => problems.at(action.span().start, message),
        }
    }
    if let Some(decimals) = &t.decimals {
        match u8::try_from(*decimals.get_ref()) {
            Ok(d) if d <= 8 => policy.redact.decimals = Some(d),
            _ => problems.at(decimals.span().start, "decimals must be from 0 to 8"),
        }
    }
    let mut fields = Vec::new();
    flatten_fields(&t.fields, String::new(), &mut fields);
    for (path, value) in fields {
        let rule = match value.as_str() {
            Some(name) => action_of(name).and_then(|a| FieldRule::new(&path, a)),
            None => Err("a field's action is a string: \"remove\", \"mask\"...".to_string()),
        };
        match rule {
            Ok(rule) => policy.redact.fields.push(rule),
            // Paths can be personal data (a key that is an address): not quoted.
            Err(message) => problems.at(at, format!("[redact.fields]: {message}")),
        }
    }
}

/// The paths of `[redact.fields]`: a dotted key (`properties.notes = "remove"`) is read by
/// TOML as nested tables, joined back here.
fn flatten_fields(table: &toml::Table, prefix: String, out: &mut Vec<(String, toml::Value)>) {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::Table(inner) => flatten_fields(inner, path, out),
            other => out.push((path, other.clone())),
        }
    }
}

fn read_detectors(
    tables: &[Spanned<DetectorTable>],
    path: &Path,
    problems: &mut Problems<'_>,
    policy: &mut Policy,
) -> Option<CustomDetector> {
    let mut patterns = Vec::new();
    let mut word_rules = Vec::new();
    for table in tables {
        let at = table.span().start;
        let d = table.get_ref();
        let name = d.kind.get_ref().as_str();
        let kind_at = d.kind.span().start;
        if name == "secret" {
            // Read by `secrets::read`.
            continue;
        }
        if Kind::from_name(name).is_some() || matches!(name, "all" | "direct" | "quasi") {
            problems.at(
                kind_at,
                format!(
                    "`{name}` is a built-in kind; a custom detector needs a new kind name \
                     (of the built-in kinds, only `secret` takes rules)"
                ),
            );
            continue;
        }
        if let Some(field) = d.secret_fields().first() {
            problems.at(
                at,
                format!("`{field}` is a field of secret rules (`kind = \"secret\"`), not of custom detectors"),
            );
            continue;
        }
        if d.examples
            .iter()
            .any(|e| matches!(e.get_ref(), RuleExample::Span { .. }))
        {
            problems.at(
                at,
                "a custom detector's examples are texts; `{ text, secret }` is for secret rules",
            );
            continue;
        }
        if !valid_custom_name(name) {
            problems.at(
                kind_at,
                "a kind name is lower-case letters, digits and `_`, starting with a letter, at most 32 bytes",
            );
            continue;
        }
        let Some(custom) = CustomKind::intern(name) else {
            problems.at(kind_at, "too many custom kinds");
            continue;
        };
        let kind = Kind::Custom(custom);
        let threshold = d.threshold.as_ref().map_or(1, |t| *t.get_ref());
        if threshold == 0 {
            let at = d.threshold.as_ref().map_or(at, |t| t.span().start);
            problems.at(at, "threshold must be at least 1");
        }
        let rule = Rule {
            action: d.severity.unwrap_or(Action::Fail),
            threshold: threshold.max(1),
        };
        match policy.custom.iter().find(|c| c.kind == kind) {
            Some(known) if known.rule != rule => problems.at(
                at,
                format!("detectors of kind `{name}` disagree on severity or threshold; give them the same"),
            ),
            Some(_) => {}
            None => policy.custom.push(CustomKindInfo {
                kind,
                rule,
                description: d.description.clone(),
            }),
        }
        let sources = usize::from(d.regex.is_some())
            + usize::from(d.words.is_some())
            + usize::from(d.words_file.is_some());
        if sources != 1 {
            problems.at(
                at,
                "a detector needs exactly one of `regex`, `words` or `words_file`",
            );
            continue;
        }
        if let Some(regex) = &d.regex {
            match regex::bytes::Regex::new(regex.get_ref()) {
                Ok(compiled) if compiled.is_match(b"") => problems.at(
                    regex.span().start,
                    "the regex matches the empty string; it would match everywhere",
                ),
                Ok(compiled) => patterns.push(PatternRule {
                    kind,
                    regex: compiled,
                }),
                Err(e) => problems.at(
                    regex.span().start,
                    format!("bad regex: {}", regex_problem(&e)),
                ),
            }
        }
        let mut words = d.words.clone();
        if let Some(file) = &d.words_file {
            let base = path.parent().unwrap_or(Path::new(""));
            let file_path = base.join(file.get_ref());
            match std::fs::read_to_string(&file_path) {
                Ok(text) => {
                    words = Some(
                        text.lines()
                            .map(str::trim)
                            .filter(|l| !l.is_empty() && !l.starts_with('#'))
                            .map(str::to_string)
                            .collect(),
                    )
                }
                // The path is the policy's own text: named by its place, not quoted.
                Err(e) => problems.at(
                    file.span().start,
                    format!("cannot read the words file: {}", io_problem(&e)),
                ),
            }
        }
        if let Some(words) = words {
            if words.iter().all(|w| w.trim().is_empty()) {
                problems.at(at, "the word list is empty");
                continue;
            }
            word_rules.push(WordRule {
                kind,
                words: words.into_iter().map(|w| w.trim().to_string()).collect(),
                case_sensitive: d.case_sensitive.unwrap_or(false),
            });
        }
    }
    if patterns.is_empty() && word_rules.is_empty() {
        return None;
    }
    match CustomDetector::new(patterns, word_rules) {
        Ok(detector) => Some(detector),
        Err(e) => {
            let at = tables.first().map_or(0, |t| t.span().start);
            problems.at(at, format!("cannot build the word lists: {e}"));
            None
        }
    }
}

/// Runs each detector's examples through the whole engine, with the policy's detectors alone:
/// an example must yield a finding of the detector's kind, a negative example none. Problems
/// point at the example and never quote it.
fn check_examples(
    tables: &[Spanned<DetectorTable>],
    detector: &Arc<CustomDetector>,
    problems: &mut Problems<'_>,
) {
    if tables
        .iter()
        .all(|t| t.get_ref().examples.is_empty() && t.get_ref().negative_examples.is_empty())
    {
        return;
    }
    // Custom kinds share one member of a kind set: any of them stands for all.
    let kinds = detector.kinds();
    let scanner = Scanner::new(Config {
        kinds,
        hooks: Hooks {
            detectors: vec![Arc::clone(detector) as Arc<dyn Detector>],
            values: None,
        },
        ..Config::default()
    });
    for table in tables {
        let d = table.get_ref();
        let Some(kind) = CustomKind::lookup(d.kind.get_ref()).map(Kind::Custom) else {
            continue;
        };
        let name = d.kind.get_ref();
        let cases = d
            .examples
            .iter()
            .map(|e| (e.span(), e.get_ref().text(), true));
        let negative = d.negative_examples.iter();
        for (span, text, positive) in
            cases.chain(negative.map(|e| (e.span(), e.get_ref().as_str(), false)))
        {
            let found = examples::findings(&scanner, text, Shape::Lines)
                .iter()
                .any(|(k, _)| *k == kind);
            if found != positive {
                let message = if positive {
                    format!("this example of `{name}` yields no finding of `{name}`")
                } else {
                    format!("this negative example of `{name}` yields a finding of `{name}`")
                };
                problems.at(span.start, message);
            }
        }
    }
}

/// What went wrong with a file, without the path (which the caller names by its place).
fn io_problem(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file (relative to the policy's folder)".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::InvalidData => "not UTF-8 text".into(),
        _ => "it cannot be read".into(),
    }
}

fn read_allowlist(
    tables: &[Spanned<AllowTable>],
    problems: &mut Problems<'_>,
    policy: &Policy,
) -> Allowlist {
    let mut list = Allowlist::default();
    for table in tables {
        let at = table.span().start;
        let t = table.get_ref();
        let mut entry = Entry {
            reason: t.reason.clone(),
            line: line_column(problems.text, at).0,
            ..Entry::default()
        };
        if let Some(kinds) = &t.kinds {
            let mut known = Vec::new();
            for name in kinds {
                let kind = Kind::from_name(name.get_ref()).or_else(|| {
                    policy
                        .custom
                        .iter()
                        .map(|c| c.kind)
                        .find(|k| k.name() == name.get_ref())
                });
                match kind {
                    Some(kind) => known.push(kind),
                    None => problems.at(
                        name.span().start,
                        format!(
                            "unknown kind; expected one of: {}",
                            Kind::ALL
                                .iter()
                                .chain(policy.custom.iter().map(|c| &c.kind))
                                .map(|k| k.name())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ),
                }
            }
            entry.kinds = Some(known);
        }
        for value in &t.values {
            entry.add_value(value);
        }
        for regex in &t.regexes {
            match regex::Regex::new(regex.get_ref()) {
                Ok(_) => match regex::Regex::new(&format!("^(?:{})$", regex.get_ref())) {
                    Ok(anchored) => entry.regexes.push(anchored),
                    Err(e) => problems.at(
                        regex.span().start,
                        format!("bad regex: {}", regex_problem(&e)),
                    ),
                },
                Err(e) => problems.at(
                    regex.span().start,
                    format!("bad regex: {}", regex_problem(&e)),
                ),
            }
        }
        for domain in &t.email_domains {
            match Domain::parse(domain.get_ref()) {
                Some(d) => entry.email_domains.push(d),
                None => problems.at(
                    domain.span().start,
                    "not an e-mail domain: write `example.com`, or `*.test` for every domain below `test`",
                ),
            }
        }
        for range in &t.ip_ranges {
            match parse_range(range.get_ref()) {
                Ok(nets) => entry.ip_ranges.extend(nets),
                Err(message) => problems.at(range.span().start, message),
            }
        }
        for field in &t.fields {
            if field.get_ref().is_empty() {
                problems.at(field.span().start, "an empty field pattern");
            } else {
                entry.fields.push(field.get_ref().clone());
            }
        }
        if !t.files.is_empty() {
            let mut set = GlobSetBuilder::new();
            for glob in &t.files {
                match GlobBuilder::new(glob.get_ref())
                    .literal_separator(true)
                    .build()
                {
                    Ok(g) => {
                        set.add(g);
                    }
                    Err(e) => {
                        problems.at(glob.span().start, format!("bad file glob: {}", e.kind()))
                    }
                }
            }
            match set.build() {
                Ok(set) => entry.files = Some(set),
                Err(e) => problems.at(at, format!("bad file globs: {}", e.kind())),
            }
        }
        let lists = t.values.len()
            + t.regexes.len()
            + t.email_domains.len()
            + t.ip_ranges.len()
            + t.fields.len()
            + t.files.len();
        if lists == 0 {
            problems.at(
                at,
                "this allow entry accepts nothing: give it values, regexes, email_domains, ip_ranges, fields or files",
            );
        }
        list.entries.push(entry);
    }
    list
}

/// `10.0.0.0/8`, `2001:db8::/32`, a single address, or one of [`NAMED_RANGES`].
fn parse_range(text: &str) -> Result<Vec<IpNet>, String> {
    let text = text.trim();
    if let Some((_, ranges)) = NAMED_RANGES.iter().find(|(name, _)| *name == text) {
        return Ok(ranges.iter().filter_map(|r| r.parse().ok()).collect());
    }
    if !text.contains('/') {
        return match text.parse::<std::net::IpAddr>() {
            Ok(ip) => Ok(vec![IpNet::from(ip)]),
            Err(_) => Err(format!(
                "not an IP range: write CIDR such as 10.0.0.0/8 or 2001:db8::/32, an address, or one of: {}",
                NAMED_RANGES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
            )),
        };
    }
    let net: IpNet = text.parse().map_err(|_| {
        "not a CIDR range: an address, `/` and a prefix length (at most 32 for IPv4, 128 for IPv6)"
            .to_string()
    })?;
    if net.addr() != net.network() {
        return Err(format!(
            "the address has bits set past the /{} prefix; write the network address",
            net.prefix_len()
        ));
    }
    Ok(vec![net])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        match parse(text, Path::new("piiscan.toml")) {
            Ok(_) => Vec::new(),
            Err(list) => list.iter().map(|p| p.to_string()).collect(),
        }
    }

    #[test]
    fn the_template_is_a_valid_policy() {
        let policy = parse(TEMPLATE, Path::new("piiscan.toml")).expect("template");
        assert_eq!(policy.rule(Kind::Email).action, Action::Fail);
        assert!(!policy.allow.is_empty());
    }

    /// The template is the policy reference users start from: it names every built-in kind,
    /// the direct ones set, the quasi-identifiers commented out or set.
    #[test]
    fn the_template_names_every_kind() {
        for kind in Kind::ALL {
            let set = format!("\n{} = ", kind.name());
            let commented = format!("\n# {} = ", kind.name());
            assert!(
                TEMPLATE.contains(&set) || (kind.is_quasi() && TEMPLATE.contains(&commented)),
                "{kind} is not in the template"
            );
        }
    }

    #[test]
    fn rules_short_and_long() {
        let policy = parse(
            "[kinds]\nemail = \"warn\"\nipv4 = { action = \"fail\", threshold = 5 }\ndevice = \"fail\"\n",
            Path::new("p.toml"),
        )
        .unwrap();
        assert_eq!(
            policy.rule(Kind::Email),
            Rule {
                action: Action::Warn,
                threshold: 1
            }
        );
        assert_eq!(
            policy.rule(Kind::Ipv4),
            Rule {
                action: Action::Fail,
                threshold: 5
            }
        );
        assert_eq!(policy.rule(Kind::Device).action, Action::Fail);
        assert_eq!(policy.rule(Kind::City).action, Action::Fail, "default");
        assert_eq!(
            policy.rule(Kind::Referrer).action,
            Action::Ignore,
            "default"
        );
    }

    /// Each bad file, and the one problem it must report, at its line and column.
    #[test]
    fn problems_name_the_line_and_column() {
        let cases: &[(&str, &str)] = &[
            ("[kinds]\nemial = \"fail\"\n", "2:1: unknown kind `…`, expected one of `email`"),
            ("[kinds]\nemail = { action = \"fail\", thresold = 3 }\n", "2:28: unknown field `…`, expected `action` or `threshold`"),
            ("[kinds]\nemail = \"block\"\n", "2:9: unknown variant `…`, expected one of `fail`"),
            ("[kinds]\nemail = { action = \"fail\", threshold = 0 }\n", "2:9: threshold must be at least 1"),
            ("[polcy]\n", "1:2: unknown field `…`, expected one of `kinds`"),
            ("[[allow]]\nregexes = ['^ok', '(unclosed']\n", "2:19: bad regex: unclosed group"),
            ("[[allow]]\nip_ranges = ['10.0.0.0/33']\n", "2:14: not a CIDR range"),
            ("[[allow]]\nip_ranges = ['10.0.0.1/8']\n", "2:14: the address has bits set past the /8 prefix"),
            ("[[allow]]\nip_ranges = ['office']\n", "2:14: not an IP range"),
            ("[[allow]]\nemail_domains = ['@example.com']\n", "2:18: not an e-mail domain"),
            ("[[allow]]\nfiles = ['a/[b']\n", "2:10: bad file glob"),
            ("[[allow]]\nkinds = ['emial']\nfields = ['x']\n", "2:10: unknown kind; expected one of: email, phone, credit_card, iban, national_id, secret, ipv4"),
            ("[[allow]]\nreason = 'nothing'\n", "1:1: this allow entry accepts nothing"),
            ("[[detector]]\nkind = 'email'\nregex = 'x'\n", "2:8: `email` is a built-in kind"),
            ("[[detector]]\nkind = 'Badge ID'\nregex = 'x'\n", "2:8: a kind name is lower-case"),
            ("[[detector]]\nkind = 'badge'\nregex = 'B-[0-9'\n", "3:9: bad regex: unclosed character class"),
            ("[[detector]]\nkind = 'badge'\nregex = 'x*'\n", "3:9: the regex matches the empty string"),
            ("[[detector]]\nkind = 'badge'\n", "1:1: a detector needs exactly one of"),
            ("[[detector]]\nkind = 'badge'\nregex = 'B'\nwords = ['x']\n", "1:1: a detector needs exactly one of"),
            ("[[detector]]\nkind = 'badge'\nwords_file = 'missing.txt'\n", "3:14: cannot read the words file: no such file"),
            ("[[detector]]\nkind = 'badge'\nregex = 'B-[0-9]{4}'\nexamples = ['badge B-1234 ok', 'B-12']\n", "4:32: this example of `badge` yields no finding"),
            ("[[detector]]\nkind = 'badge'\nregex = 'B-[0-9]{4}'\nnegative_examples = ['B-12', 'x B-9999']\n", "4:30: this negative example of `badge` yields a finding"),
            ("[[detector]]\nkind = 'badge'\nregex = 'B1'\nseverity = 'fail'\n[[detector]]\nkind = 'badge'\nregex = 'B2'\nseverity = 'warn'\n", "5:1: detectors of kind `badge` disagree"),
            ("[kinds\n", "1:7: "),
        ];
        for (text, want) in cases {
            let got = problems(text);
            assert!(
                got.len() == 1 && got[0].starts_with(want),
                "{text:?}\n  want {want:?}\n  got  {got:?}"
            );
        }
    }

    /// A policy's secret rule: an in-house token format (`acme_live_` and 32 base62
    /// characters; these are random, not credentials).
    const ACME: &str = "[[detector]]\nkind = 'secret'\nid = 'acme.live_key'\n\
        description = 'ACME live API key'\nregex = 'acme_live_[A-Za-z0-9]{32}'\n\
        keywords = ['acme_live_']\nprefix = 'acme_live_'\nmin_entropy = 3.5\n";
    const ACME_KEY: &str = "acme_live_RcY5HhGmzwHsLjMqgqAu9r1gXu5tbKNm";

    /// Each broken secret rule, and the one problem it must report at its line and column;
    /// no message quotes an example.
    #[test]
    fn secret_rule_problems_name_the_line_and_the_example() {
        let cases: &[(&str, &str)] = &[
            (
                "examples = ['acme_live_RcY5HhGmzwHsLjMqgqAu9r1gXu5tbKNm', 'acme_live_4e6mhIDy3UeZgAbgLUBW']\n",
                "9:59: secret rule `acme.live_key`: example 2: no match",
            ),
            (
                "examples = [{ text = 'x=acme_live_RcY5HhGmzwHsLjMqgqAu9r1gXu5tbKNm', secret = 'acme_live_RcY5' }]\n",
                "9:13: secret rule `acme.live_key`: example 1: found 2..44 instead",
            ),
            (
                "negative_examples = ['acme_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'acme_live_4e6mhIDy3UeZgAbgLUBW2zCQtK6G1kYO']\n",
                "9:68: secret rule `acme.live_key`: negative example 2: found a secret at 0..42",
            ),
            ("severity = 'warn'\n", "1:1: `severity` is not a field of secret rules"),
            ("words = ['x']\n", "1:1: `words` is a field of custom detectors"),
            ("validate = 'crc'\n", "3:6: secret rule `acme.live_key`: unknown `validate"),
        ];
        for (extra, want) in cases {
            let text = format!("{ACME}{extra}");
            let got = problems(&text);
            assert!(
                got.len() == 1 && got[0].starts_with(want),
                "{extra:?}\n  want {want:?}\n  got  {got:?}"
            );
            assert!(
                !got[0].contains("4e6mh") && !got[0].contains("RcY5"),
                "{got:?}"
            );
        }
        let broken: &[(&str, &str)] = &[
            (
                "[[detector]]\nkind = 'secret'\nid = 'github.pat'\nregex = 'ghp_x'\nkeywords = ['ghp_']\n",
                "3:6: secret rule `github.pat`: a built-in rule has this id",
            ),
            (
                "[[detector]]\nkind = 'secret'\nid = 'acme.x'\nregex = 'acme_[a-z'\nkeywords = ['acme_']\n",
                "4:9: secret rule `acme.x`: bad regex: unclosed character class",
            ),
            (
                "[[detector]]\nkind = 'secret'\nregex = 'acme_x'\nkeywords = ['acme_']\n",
                "1:1: a secret rule needs an `id`",
            ),
            (
                "[[detector]]\nkind = 'secret'\nid = 'acme.x'\nregex = 'acme_x'\n",
                "3:6: secret rule `acme.x`: a rule needs at least one keyword",
            ),
            (
                "[[detector]]\nkind = 'badge'\nregex = 'B-[0-9]{4}'\nkeywords = ['B-']\n",
                "1:1: `keywords` is a field of secret rules",
            ),
            (
                "[[detector]]\nkind = 'badge'\nregex = 'B-[0-9]{4}'\nexamples = [{ text = 'B-1234', secret = 'B-1234' }]\n",
                "1:1: a custom detector's examples are texts",
            ),
        ];
        for (text, want) in broken {
            let got = problems(text);
            assert!(
                got.len() == 1 && got[0].starts_with(want),
                "{text:?}\n  want {want:?}\n  got  {got:?}"
            );
            assert!(!got[0].contains("[a-z"), "{got:?}");
        }
        let twice = format!("{ACME}{ACME}");
        let got = problems(&twice);
        assert!(
            got.len() == 1
                && got[0].starts_with("11:6: another secret rule of the policy has this id"),
            "{got:?}"
        );
    }

    /// A policy's secret rule finds its format, as kind `secret` named by the rule's id, and
    /// its mask keeps the rule's prefix; our rules still run beside it.
    #[test]
    fn a_policy_secret_rule_finds_its_format() {
        let text = format!("{ACME}examples = ['{ACME_KEY}']\n");
        let policy = parse(&text, Path::new("p.toml")).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(
            policy.describe().contains("secret rules: 1"),
            "{}",
            policy.describe()
        );
        let scanner = Scanner::new(Config {
            kinds: policy.scan_kinds(),
            hooks: policy.hooks(None),
            ..Config::default()
        });
        let line = format!(
            "charge ok key={ACME_KEY} gh=ghp_ZeZcqckdfeepqag6wNLx5T1uznQs6hINJZ7F other=acme_live_short\n"
        );
        let context = crate::engine::FileContext::default();
        let result = scanner.scan_chunk(line.as_bytes(), 0, &context);
        let secrets: Vec<(&str, String)> = result
            .findings
            .iter()
            .filter(|f| f.kind == Kind::Secret)
            .map(|f| (f.detail.name().unwrap_or(""), f.masked.to_string()))
            .collect();
        assert_eq!(
            secrets,
            [
                ("acme.live_key", "acme_live_…".to_string()),
                ("github.pat", "ghp_…".to_string())
            ]
        );
        // Without the policy, our rules alone miss the format.
        let plain = Scanner::new(Config::default());
        let result = plain.scan_chunk(line.as_bytes(), 0, &context);
        assert_eq!(
            result
                .findings
                .iter()
                .filter(|f| f.kind == Kind::Secret)
                .count(),
            1
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let got = problems("[[allow]]\nregexes = ['(']\nip_ranges = ['x', '10.0.0.0/8', 'y']\n");
        assert_eq!(got.len(), 3, "{got:?}");
    }

    #[test]
    fn messages_never_quote_values() {
        let text = "[[allow]]\nvalues = \"jane.doe@example.com\"\n";
        let got = problems(text);
        assert_eq!(got.len(), 1);
        assert!(got[0].starts_with("2:10: invalid type"), "{got:?}");
        assert!(!got[0].contains("jane"), "{got:?}");
        let got = problems("[[allow]]\nregexes = ['jane\\.doe@(example']\n");
        assert!(!got[0].contains("jane"), "{got:?}");
        // A words file that cannot be read is named by its place in the policy, not quoted.
        let got = problems("[[detector]]\nkind = 'badge'\nwords_file = 'jane-doe.txt'\n");
        assert!(
            got[0].starts_with("3:14: cannot read the words file"),
            "{got:?}"
        );
        assert!(!got[0].contains("jane"), "{got:?}");
    }

    /// A value where a rule, a key, a kind or a severity belongs is named by its position
    /// and what was expected there, never quoted.
    #[test]
    fn misplaced_values_are_not_quoted() {
        let cases: &[(&str, &str)] = &[
            (
                "[kinds]\nemail = \"a.b@corp.io\"\n",
                "2:9: unknown variant `…`, expected one of `fail`, `warn`, `ignore`",
            ),
            (
                "[kinds]\n\"a.b@corp.io\" = \"fail\"\n",
                "2:1: unknown kind `…`, expected one of `email`, `phone`, `credit_card`, `iban`, `national_id`, `secret`, `ipv4`",
            ),
            (
                "[kinds]\nemail = { action = \"a.b@corp.io\" }\n",
                "2:20: unknown variant `…`, expected one of `fail`",
            ),
            (
                "[[allow]]\n\"a.b@corp.io\" = 1\n",
                "2:1: unknown field `…`, expected one of `reason`, `kinds`",
            ),
            (
                "[[allow]]\nkinds = [\"a.b@corp.io\"]\nfields = ['x']\n",
                "2:10: unknown kind; expected one of: email, phone, credit_card, iban, national_id, secret, ipv4, ipv6",
            ),
            (
                "[[detector]]\nkind = 'badge'\nregex = 'B1'\nseverity = \"a.b@corp.io\"\n",
                "4:12: unknown variant `…`, expected one of `fail`, `warn`, `ignore`",
            ),
        ];
        for (text, want) in cases {
            let got = problems(text);
            assert!(
                got.len() == 1 && got[0].starts_with(want),
                "{text:?}\n  want {want:?}\n  got  {got:?}"
            );
            assert!(!got[0].contains("a.b"), "{got:?}");
        }
    }

    #[test]
    fn line_and_column() {
        assert_eq!(line_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("é\nx", 2), (1, 2));
    }
}
