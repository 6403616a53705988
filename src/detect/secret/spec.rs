//! The rules as written in TOML: what a rule file (ours, `rules/secrets.toml`) and a policy's
//! `[[detector]]` tables with `kind = "secret"` hold, before they are checked and compiled.
//!
//! Kept apart from the compiled form so that the policy loader can embed [`RuleSpec`] in its
//! own tables, and so that every field a user may write is listed in one place.

use serde::Deserialize;

/// A whole rule file: `[[rule]]` tables (or `[[detector]]`, the policy's name for them) and the
/// `[[key_hint]]` tables that name the JSON keys and CSV columns whose values are credentials.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    #[serde(default, alias = "detector")]
    pub rule: Vec<RuleSpec>,
    #[serde(default)]
    pub key_hint: Vec<KeyHintSpec>,
}

/// One credential format.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Only in a policy's `[[detector]]`: must be `"secret"`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Dotted, lower-case: `openai.api_key`.
    pub id: String,
    #[serde(default)]
    pub description: String,
    /// Rust `regex` syntax, matched on bytes with ASCII semantics (`\w`, `\s`, `(?i)` are ASCII;
    /// `.` and negated classes match any byte but `\n`). At most one capture group: when there is
    /// one, it marks the secret inside context such as `api_key=`.
    pub regex: String,
    /// Literal strings, matched ASCII-case-insensitively, one of which must occur for the regex
    /// to run; the regex runs only in a window around each occurrence, within its line.
    pub keywords: Vec<String>,
    /// The public part(s) that a mask keeps (`sk-proj-`); the longest one the secret starts with
    /// is kept. Empty: the mask keeps nothing.
    #[serde(default)]
    pub prefix: OneOrMany,
    /// Minimum Shannon entropy, in bits per byte, of the secret after its prefix.
    #[serde(default)]
    pub min_entropy: Option<f64>,
    /// Minimum length in bytes of the secret (prefix included).
    #[serde(default)]
    pub min_len: Option<usize>,
    /// How many of lower-case, upper-case, digit, other the secret after its prefix must mix.
    #[serde(default)]
    pub min_char_classes: Option<u8>,
    /// Bytes besides ASCII letters and digits that continue a token: the bytes just before and
    /// after the secret must not be token bytes, so a match is never part of a longer token.
    #[serde(default)]
    pub boundary_chars: String,
    /// How many bytes before a keyword a match may start (default 0).
    #[serde(default)]
    pub before: Option<usize>,
    /// Where the regex runs: `keyword` (anchored at the keyword hit; the default when `before`
    /// is 0), `word` (anchored at the start of the word holding the keyword: the bytes before
    /// it, up to `before`, that are letters, digits, `_`, `.`, `+` or `-`; for `API_KEY=`,
    /// `db_password=`, `postgres://`), or `window` (anywhere from `before` bytes before the
    /// keyword; the default when `before` is not 0). Anchored searches fail within a few bytes,
    /// which matters for keywords that are frequent (`token`, `://`).
    #[serde(default)]
    pub anchor: Option<String>,
    /// How many bytes after a keyword's start a match may end (default 512).
    #[serde(default)]
    pub after: Option<usize>,
    /// A literal that must occur after the keyword, within the window, for the regex to run
    /// (checked with `memmem`; `@` for credentials in URLs).
    #[serde(default)]
    pub requires: Option<String>,
    /// A structural check after the regex: `jwt`, `pem`, `basic_auth` or `url_password`.
    #[serde(default)]
    pub validate: Option<String>,
    /// Reject placeholders and redactions (`YOUR_KEY_HERE`, `xxxx`, `****`, `<token>`); on by
    /// default.
    #[serde(default = "yes")]
    pub placeholder_check: bool,
    /// A generic rule (a `password=` value, a `Bearer` token) yields to a specific one when their
    /// matches overlap.
    #[serde(default)]
    pub generic: bool,
    /// Texts the rule must find, each with the secret it must report.
    #[serde(default)]
    pub examples: Vec<Example>,
    /// Texts in which the rule must find nothing.
    #[serde(default)]
    pub negative_examples: Vec<String>,
}

fn yes() -> bool {
    true
}

/// `prefix = "sk-"` or `prefix = ["sk-proj-", "sk-"]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// `"the whole text is the secret"`, or `{ text = "...", secret = "..." }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Example {
    Whole(String),
    Span { text: String, secret: String },
}

impl Example {
    pub fn text(&self) -> &str {
        match self {
            Example::Whole(t) => t,
            Example::Span { text, .. } => text,
        }
    }

    pub fn secret(&self) -> &str {
        match self {
            Example::Whole(t) => t,
            Example::Span { secret, .. } => secret,
        }
    }
}

/// Keys (normalised: ASCII letters lower-cased, everything but letters and digits dropped)
/// whose values are credentials, with the checks such a value must pass.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyHintSpec {
    pub id: String,
    #[serde(default)]
    pub description: String,
    pub keys: Vec<String>,
    /// JSON key paths under which a hinting key holds something public (Mixpanel's project
    /// `properties.token`); for the caller, who knows the paths.
    #[serde(default)]
    pub exclude_paths: Vec<String>,
    #[serde(default)]
    pub min_len: Option<usize>,
    #[serde(default)]
    pub min_entropy: Option<f64>,
    #[serde(default)]
    pub min_char_classes: Option<u8>,
    /// Values (not texts) that must be reported.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Values that must not be.
    #[serde(default)]
    pub negative_examples: Vec<String>,
}

/// The `[[detector]]` tables of a policy with `kind = "secret"`.
pub fn policy_rules(policy_text: &str) -> Result<Vec<RuleSpec>, super::RuleError> {
    let table: toml::Table =
        toml::from_str(policy_text).map_err(|e| super::RuleError::Toml(e.to_string()))?;
    let Some(detectors) = table.get("detector") else {
        return Ok(Vec::new());
    };
    let detectors = detectors
        .as_array()
        .ok_or_else(|| super::RuleError::Toml("`detector` must be an array of tables".into()))?;
    let mut specs = Vec::new();
    for (i, d) in detectors.iter().enumerate() {
        if d.get("kind").and_then(toml::Value::as_str) != Some("secret") {
            continue;
        }
        let spec: RuleSpec = d.clone().try_into().map_err(|e: toml::de::Error| {
            let id = d.get("id").and_then(toml::Value::as_str).unwrap_or("?");
            super::RuleError::Rule {
                rule: id.to_string(),
                message: format!("[[detector]] {}: {}", i + 1, e.message()),
            }
        })?;
        specs.push(spec);
    }
    Ok(specs)
}
