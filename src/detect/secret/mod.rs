//! Credentials: API keys, tokens, private keys, passwords in URLs, query strings and headers.
//! An API key in an analytics vendor's data is worse than the e-mail beside it.
//!
//! **Rules are data** ([`rules.toml`](rules), in the way of Nosey Parker's rules): one rule per
//! credential format (id, regex, keywords, public prefix, entropy floor, examples and
//! counter-examples, sources noted beside each), compiled once ([`rules`]). A rule's regex runs
//! only in a window around one of its keywords, and a match must then stand alone, not be a
//! placeholder or a redaction (`sk-your-key-here`, `AKIA****`, `<YOUR_API_KEY>`), be random
//! enough where the format is random, and decode to what it claims (JWTs, PEM blocks, `Basic`
//! credentials; see [`checks`]).
//!
//! **Windows come from the prefilter.** Searching every keyword over every byte cost a scan
//! more than all the other detectors together (case-insensitive keywords defeat SIMD
//! searchers), so the keyword search runs only where the shared prefilter pass says a
//! credential may sit ([`Class::Secret`]: the start of a word of at least 20 token bytes, five
//! dashes, a `=` after a lower-case letter followed by a value; [`Class::At`] for
//! `scheme://user:password@host`), and then only when the word starts like a keyword of some
//! rule (`sk`, `gh`, `AK`, `ey`...) or follows a word that may name one (`Bearer`,
//! `api_key=`). Most long words of an export are ids and hashes inside JSON strings, turned
//! away by two table look-ups.
//!
//! Values under credential keys (`password`, `api_key`, `client_secret`, `authorization`) are
//! judged whole by the rules' key hints. The mask keeps only a rule's public prefix
//! (`sk-proj-…`), and the finding's detail names the rule (`openai.api_key`).

mod checks;
mod compile;
mod dispatch;
mod error;
mod examples;
mod keywords;
mod matching;
mod rules;
mod spec;
#[cfg(test)]
mod tests;

use std::sync::{Arc, OnceLock, RwLock};

use compact_str::CompactString;

use dispatch::Dispatch;

pub use compile::Rule;
pub use error::RuleError;
pub use rules::{RuleFile, RuleSpec, SecretMatch, SecretRules, BUILTIN_RULES};
pub use spec::{Example as RuleExample, KeyHintSpec, OneOrMany};

use super::{walk, Detector, Example, Haystack, Hint, HintCursor, Match};
use super::{Family, Identifies, Kind, KindSet, KindSpec, Normal, Role};
use crate::prefilter::{Class, Classes};

/// The secret detector family.
pub static FAMILY: Family = Family {
    name: "secret",
    build: || Box::new(SecretDetector::builtin()),
};

pub static SECRET: KindSpec = KindSpec {
    name: "secret",
    rule_id: "Credential",
    title: "Credential",
    description: "A credential (API key, token, private key, password) grants access to \
                  systems and data in its owner's name.",
    identifies: Identifies::Alone,
    role: Role::Other,
    normal: Normal::Exact,
    hints: &[Hint::Secret, Hint::Password],
    reads: &[Hint::Secret, Hint::Password],
    mask,
    family: &FAMILY,
    examples: EXAMPLES,
    redact: crate::detect::Redaction {
        default: crate::detect::RedactAction::Mask,
        pseudonym: crate::detect::Pseudonym::Token,
        generalise: crate::detect::Generalisation::None,
    },
    tie_rank: 0,
    competes_with: &[],
};

pub const EXAMPLES: &[Example] = &[
    ex(
        "export GITHUB_TOKEN=ghp_ZeZcqckdfeepqag6wNLx5T1uznQs6hINJZ7F",
        &["ghp_ZeZcqckdfeepqag6wNLx5T1uznQs6hINJZ7F"],
    ),
    ex(
        r#"{"msg":"sent","headers":"Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"}"#,
        &["eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"],
    ),
    ex(r#"{"password":"ennWMNMobNq5W6"}"#, &["ennWMNMobNq5W6"]),
    ex(
        "GET /v1/x?api_key=J7YkstXSwdfmW99bJz1XQcDrLad8ixuo&page=2",
        &["J7YkstXSwdfmW99bJz1XQcDrLad8ixuo"],
    ),
    ex(
        r#"{"$insert_id":"5f3a9c1e-0b7d-4c1e-9a3b-1c2d3e4f5a6b","token":"4467e90af66949defa11de4577f32383"}"#,
        &[],
    ),
    ex(
        "OPENAI_API_KEY=sk-your-key-here AKIA**************** <YOUR_API_KEY> password=REDACTED",
        &[],
    ),
    Example::csv(
        Kind::Secret,
        "service,api_key\nbilling,J7YkstXSwdfmW99bJz1XQcDrLad8ixuo\n",
        &["J7YkstXSwdfmW99bJz1XQcDrLad8ixuo"],
    ),
];

const fn ex(input: &'static str, expect: &'static [&'static str]) -> Example {
    Example::lines(Kind::Secret, input, expect)
}

/// The rules built into piiscan, compiled once per process. Their examples are run by the
/// tests, not at every start.
fn builtin_rules() -> &'static Arc<SecretRules> {
    static RULES: OnceLock<Arc<SecretRules>> = OnceLock::new();
    RULES.get_or_init(|| {
        Arc::new(
            SecretRules::from_toml_unchecked(BUILTIN_RULES)
                .expect("the built-in secret rules compile (a test holds them to their examples)"),
        )
    })
}

/// Finds credentials where the prefilter says one may sit, and under credential keys.
pub struct SecretDetector {
    rules: Arc<SecretRules>,
    /// A policy's rules alone, searched over the whole chunk by their own keywords, with the
    /// index of their first rule in `rules`: the prefilter's candidates are shaped on our
    /// formats, and a policy's token may be shorter or start where no candidate does.
    policy: Option<(SecretRules, u16)>,
    dispatch: Dispatch,
}

impl std::fmt::Debug for SecretDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretDetector")
            .field("rules", &self.rules.len())
            .field("policy", &self.policy.as_ref().map_or(0, |(p, _)| p.len()))
            .finish()
    }
}

/// The public prefixes of the rules of policies read in this process, which masks keep as
/// they keep ours (a prefix is public by the rule's word; keeping one for the rest of the
/// process is harmless).
static POLICY_PREFIXES: RwLock<Vec<String>> = RwLock::new(Vec::new());

impl SecretDetector {
    pub fn builtin() -> SecretDetector {
        let rules = builtin_rules();
        SecretDetector {
            dispatch: Dispatch::new(rules),
            rules: Arc::clone(rules),
            policy: None,
        }
    }

    /// Our rules and a policy's (`extra`, `[[detector]]` tables with `kind = "secret"`),
    /// which are held to their examples here; every problem is returned (see
    /// [`SecretRules::with_rules`]). The policy's prefixes are kept by masks from now on.
    pub fn with_rules(extra: &[RuleSpec]) -> Result<SecretDetector, Vec<RuleError>> {
        let rules = SecretRules::with_rules(extra)?;
        // A policy's rules follow ours, in order.
        let first = extra
            .first()
            .and_then(|s| rules.rule_index(&s.id))
            .unwrap_or(0);
        let own = SecretRules::of_specs_unchecked(extra).map_err(|e| vec![e])?;
        let mut prefixes = POLICY_PREFIXES.write().unwrap_or_else(|e| e.into_inner());
        for p in extra.iter().flat_map(|s| s.prefix.clone().into_vec()) {
            if !p.is_empty() && !prefixes.contains(&p) {
                prefixes.push(p);
            }
        }
        Ok(SecretDetector {
            dispatch: Dispatch::new(&rules),
            rules: Arc::new(rules),
            policy: Some((own, first)),
        })
    }

    /// The ids of the policy's rules.
    pub fn policy_rules(&self) -> impl Iterator<Item = &str> {
        self.policy
            .iter()
            .flat_map(|(own, _)| own.rules().iter().map(|r| r.id()))
    }

    fn matched(&self, base: usize, m: SecretMatch) -> Match {
        let detail = self
            .dispatch
            .details
            .get(usize::from(m.rule))
            .copied()
            .unwrap_or_default();
        Match::new(base + m.start, base + m.end, Kind::Secret).with_detail(detail)
    }
}

/// Bytes of a token: letters, digits, `_`, `-`.
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// The start of the line that holds `at`, no further back than `limit`.
fn line_start(hay: &[u8], at: usize, limit: usize) -> usize {
    memchr::memrchr(b'\n', &hay[limit..at]).map_or(limit, |i| limit + i + 1)
}

/// The end of the line that holds `at`, no further than `limit`.
fn line_end(hay: &[u8], at: usize, limit: usize) -> usize {
    memchr::memchr(b'\n', &hay[at..limit]).map_or(limit, |i| at + i)
}

impl Detector for SecretDetector {
    fn family(&self) -> &'static str {
        "secret"
    }

    fn kinds(&self) -> KindSet {
        KindSet::of(Kind::Secret)
    }

    fn classes(&self) -> Classes {
        Classes::NONE.with(Class::Secret).with(Class::At)
    }

    fn find(&self, hay: &Haystack<'_>, enabled: KindSet, out: &mut Vec<Match>) {
        if !enabled.contains(Kind::Secret) {
            return;
        }
        let bytes = hay.bytes;
        for hint in hay.hints {
            let rule = match hint.hint {
                Hint::Secret => self.dispatch.keyed_secret,
                Hint::Password => self.dispatch.keyed_password,
                _ => None,
            };
            if let Some(rule) = rule {
                let mut found = Vec::new();
                self.rules
                    .check_keyed_value(rule, &bytes[hint.start..hint.end], &mut found);
                out.extend(found.into_iter().map(|m| self.matched(hint.start, m)));
            }
        }
        // Windows already searched end where the walk resumes: a later candidate inside one
        // is skipped.
        let mut found = Vec::new();
        let starts = hay.candidates(Class::Secret);
        let worth = |at: usize| {
            let worth = match bytes[at] {
                // Five dashes: a PEM block's header.
                b'-' => true,
                // `name=value`, `Name: value`: the name may say what the value is.
                b'=' | b':' => self.named_before(bytes, at + 1),
                // A long word: it may start like a credential, or follow a word that names one.
                _ => self.dispatch.starts(bytes, at) || self.named_before(bytes, at),
            };
            worth.then_some(at)
        };
        walk::unsettled_starts(hay, starts, Hint::settles_words, worth, |at| {
            let (from, to) = window(bytes, at);
            self.search_into(bytes, from, to, &mut found);
            Some(to)
        });
        // `scheme://user:password@host`: an `@` with `:` and `://` before it in the same word.
        // The windows above are behind the last one only: a line they skipped may hold one.
        let mut searched = 0;
        for at in hay.candidates(Class::At) {
            if bytes[at] != b'@' || at < searched {
                continue;
            }
            let limit = at.saturating_sub(256);
            let from = bytes[limit..at]
                .iter()
                .rposition(|&b| matches!(b, b' ' | b'"' | b'\'' | b'<' | b'>' | b'\n' | b'\t'))
                .map_or(limit, |i| limit + i + 1);
            let word = &bytes[from..at];
            let scheme = memchr::memmem::find(word, b"://").is_some()
                || memchr::memmem::find(word, b":\\/\\/").is_some();
            if !scheme {
                continue;
            }
            let (from, to) = window(bytes, at);
            self.search_into(bytes, from, to, &mut found);
            searched = to;
        }
        // `my password is cawMwfgLXsKFu%JHs`: a password in a sentence is often too short to be
        // a candidate, so the word itself is looked for (two SIMD searches of the haystack;
        // `prose.password` decides).
        let mut searched = 0;
        let mut hinted = HintCursor::new(hay.hints);
        let finders = password_finders();
        let mut hits: [Option<usize>; 2] = [None; 2];
        let mut next = [0usize; 2];
        loop {
            for (k, finder) in finders.iter().enumerate() {
                if hits[k].is_none() && next[k] < bytes.len() {
                    hits[k] = finder.find(&bytes[next[k]..]).map(|i| next[k] + i);
                    if hits[k].is_none() {
                        next[k] = bytes.len();
                    }
                }
            }
            let Some((k, at)) = hits
                .iter()
                .enumerate()
                .filter_map(|(k, h)| h.map(|at| (k, at)))
                .min_by_key(|&(_, at)| at)
            else {
                break;
            };
            hits[k] = None;
            next[k] = at + 1;
            // The `p` before `assword`.
            let Some(word) = at.checked_sub(1) else {
                continue;
            };
            if word < searched || hinted.around(word).is_some_and(|h| h.hint.settles_words()) {
                continue;
            }
            let (from, to) = window(bytes, word);
            self.search_into(bytes, from, to, &mut found);
            searched = to;
        }
        // A policy's rules, over the whole chunk.
        if let Some((own, first)) = &self.policy {
            let mut theirs = Vec::new();
            own.find(bytes, &mut theirs);
            found.extend(theirs.into_iter().map(|m| {
                let rule = m.rule + first;
                self.matched(0, SecretMatch { rule, ..m })
            }));
        }
        // Windows overlap when candidates are near: each finding once.
        found.sort_unstable();
        found.dedup();
        out.extend(found);
    }
}

impl SecretDetector {
    /// Runs the rules on `hay[from..to]` and adds what they find, in `hay`'s offsets.
    fn search_into(&self, hay: &[u8], from: usize, to: usize, out: &mut Vec<Match>) {
        let mut found = Vec::new();
        self.rules.find(&hay[from..to], &mut found);
        out.extend(found.into_iter().map(|m| self.matched(from, m)));
    }

    /// Whether the text just before `at` may name a credential (`Bearer `, `API_KEY=`,
    /// `X-Api-Key: `, `DB_PASSWORD=`): some keyword of a rule starts inside one of the three
    /// words before it (past a few separators; `Mailgun key e534…`), or for a path segment,
    /// inside one of the three segments before it (`hooks.slack.com/services/T…/B…/`). Not
    /// after a JSON key (`"key":"…"`): those are the key hints' job.
    #[inline]
    fn named_before(&self, hay: &[u8], at: usize) -> bool {
        let mut i = at;
        for _ in 0..3 {
            let gap_end = i;
            while i > 0 && gap_end - i < 4 && !is_token(hay[i - 1]) && hay[i - 1] != b'\n' {
                i -= 1;
            }
            let gap = &hay[i..gap_end];
            if gap.is_empty() || gap.windows(2).any(|w| w == b"\":") || i == 0 {
                return false;
            }
            let word_end = i;
            while i > 0 && is_token(hay[i - 1]) && word_end - i < 64 {
                i -= 1;
            }
            if (i..word_end).any(|j| self.dispatch.starts(hay, j)) {
                return true;
            }
            // `hooks.slack.com/services/T…/B…/`, `Mailgun key e534…`: a few words back.
            if gap != b"/" && gap != b" " {
                return false;
            }
        }
        false
    }
}

/// Searches for `assword` and `ASSWORD` (`password`, `Password`, `PASSWORD`).
fn password_finders() -> &'static [memchr::memmem::Finder<'static>; 2] {
    static FINDERS: OnceLock<[memchr::memmem::Finder<'static>; 2]> = OnceLock::new();
    FINDERS.get_or_init(|| {
        [
            memchr::memmem::Finder::new(b"assword"),
            memchr::memmem::Finder::new(b"ASSWORD"),
        ]
    })
}

/// The window a candidate's rules run in: its line, at most 256 bytes before it and 8 KiB
/// after (a PEM block's lines follow its header).
fn window(hay: &[u8], at: usize) -> (usize, usize) {
    let from = line_start(hay, at, at.saturating_sub(256));
    let limit = (at + 8192).min(hay.len());
    let mut to = line_end(hay, at, limit);
    // A PEM header's block is on the lines after it.
    if hay[at] == b'-' && to < limit {
        to = line_end(hay, to + 1, limit);
    }
    (from, to)
}

/// A credential masked: the longest public prefix of a rule it starts with, then `…`
/// (`sk-proj-…`, `AKIA…`, `…`).
pub fn mask(value: &str) -> CompactString {
    let policy = POLICY_PREFIXES.read().unwrap_or_else(|e| e.into_inner());
    let prefix = builtin_rules()
        .rules()
        .iter()
        .flat_map(|r| r.prefixes())
        .chain(policy.iter())
        .filter(|p| value.starts_with(p.as_str()) && p.len() < value.len())
        .max_by_key(|p| p.len())
        .map_or("", String::as_str);
    let mut out = CompactString::from(prefix);
    out.push('…');
    out
}
