//! Account identifiers: the `distinct_id`, `user_id` and `org-…` values that tie events to one
//! person.
//!
//! An identifier has no shape of its own (a UUID, a hash, a number, an e-mail), so it is known
//! by where it sits: any non-placeholder value under an identifier key (`distinct_id`,
//! `$user_id`, `$device_id`, `anonymousId`, `org_id`) is one. Outside keys, only the prefixed
//! forms that products print everywhere are taken (`user-8f3a2c`, `org-AbC123…`, Stripe-style
//! `cus_…`, `acct_…`), and only with a digit in them, so that `user-friendly` stays a word; and
//! the segment of a URL path after one that names users, accounts, organisations or customers
//! (`/users/8f3a2c9d/settings`, `/u/12345`, `/accounts/507f1f77…`), when it has a digit, so
//! that `/users/me` and `/accounts/new` are routes, not people.
//!
//! Account IDs are quasi-identifiers, reported apart from direct identifiers. An e-mail address
//! used as an ID (`"distinct_id":"jane@example.com"`) is reported once, as the e-mail address it
//! is, when e-mail is scanned for.

use compact_str::CompactString;
use memchr::memmem;

use super::text::{is_placeholder, is_word_byte, is_word_start};
use super::{Detector, Example, Haystack, Hint, Match};
use super::{Family, Identifies, Kind, KindSet, KindSpec, Normal, Role};
use crate::prefilter::Classes;

/// The account id detector family.
pub static FAMILY: Family = Family {
    name: "account_id",
    build: || Box::new(AccountIdDetector::new()),
};

pub static ACCOUNT_ID: KindSpec = KindSpec {
    name: "account_id",
    rule_id: "AccountId",
    title: "Account ID",
    description: "An account ID links records of one person (a quasi-identifier).",
    identifies: Identifies::InCombination,
    role: Role::Other,
    normal: Normal::Exact,
    hints: &[Hint::AccountId],
    reads: &[Hint::AccountId],
    mask,
    family: &FAMILY,
    examples: EXAMPLES,
    redact: super::Redaction {
        default: super::RedactAction::Keep,
        pseudonym: super::Pseudonym::Token,
        generalise: super::Generalisation::None,
    },
    tie_rank: 0,
    competes_with: &[],
};

pub const EXAMPLES: &[Example] = &[
    ex(
        r#"{"properties":{"distinct_id":"user-8f3a2c","$device_id":"19f3a2c-0d4b"}}"#,
        &["user-8f3a2c", "19f3a2c-0d4b"],
    ),
    ex(
        r#"{"userId":"97980cfea0067","anonymousId":"507f191e810c19729de860ea"}"#,
        &["97980cfea0067", "507f191e810c19729de860ea"],
    ),
    ex(r#"{"user_id":12345}"#, &["12345"]),
    ex(
        r#"{"distinct_id":"","user_id":null,"$user_id":"undefined","userId":0}"#,
        &[],
    ),
    ex(
        "org-AbC123dEf456 invited user-42aa1b",
        &["org-AbC123dEf456", "user-42aa1b"],
    ),
    ex(
        "charged cus_NffrFeUfNV2Hib and acct_1032D82eZvKYlo2C",
        &["cus_NffrFeUfNV2Hib", "acct_1032D82eZvKYlo2C"],
    ),
    ex(
        "a user-friendly org-level view; the user-agent; xuser-123456",
        &[],
    ),
    ex(
        r#"{"distinct_id":"jane@example.com","user_id":"jane%40example.com","org_id":"5f8d0d55b54764421b7156c3"}"#,
        &["5f8d0d55b54764421b7156c3"],
    ),
    ex(
        "GET /users/8f3a2c9d/settings and /u/12345/settings?tab=1 /accounts/507f1f77bcf86cd799439011 /api/orgs/org_42/members",
        &["8f3a2c9d", "12345", "507f1f77bcf86cd799439011", "org_42"],
    ),
    ex(
        r#"{"url":"https://app.example.com/customers/cus9a8b7c/orders"}"#,
        &["cus9a8b7c"],
    ),
    ex(
        "GET /users/me/ /accounts/new /users/settings /users/{id} /docs/users/v2/ /menu/12345/",
        &[],
    ),
    Example::csv(
        Kind::AccountId,
        "org_id,plan\n5f8d0d55b54764421b7156c3,pro\n507f1f77bcf86cd799439011,free\n",
        &["5f8d0d55b54764421b7156c3", "507f1f77bcf86cd799439011"],
    ),
];

const fn ex(input: &'static str, expect: &'static [&'static str]) -> Example {
    Example::lines(Kind::AccountId, input, expect)
}

/// Prefixes of identifiers printed in the clear by common products.
const PREFIXES: &[&str] = &["user-", "org-", "cus_", "acct_", "usr_"];
/// URL path segments after which a segment is the ID of a person's account.
const PATH_SEGMENTS: &[&str] = &[
    "/users/",
    "/user/",
    "/u/",
    "/accounts/",
    "/account/",
    "/orgs/",
    "/org/",
    "/organizations/",
    "/organisations/",
    "/customers/",
    "/customer/",
    "/members/",
    "/profiles/",
];
/// The shortest and longest ID in a URL path.
const PATH_ID_LEN: std::ops::RangeInclusive<usize> = 3..=64;
/// The shortest and longest identifier after its prefix.
const ID_LEN: std::ops::RangeInclusive<usize> = 6..=64;
/// The longest value under a key that is taken as an identifier.
const MAX_VALUE: usize = 128;

/// Finds account identifiers under identifier keys and in their prefixed forms.
pub struct AccountIdDetector {
    prefixes: Vec<memmem::Finder<'static>>,
    /// [`PATH_SEGMENTS`], searched in one pass.
    paths: Option<aho_corasick::AhoCorasick>,
}

impl AccountIdDetector {
    pub fn new() -> Self {
        AccountIdDetector {
            prefixes: PREFIXES
                .iter()
                .map(|p| memmem::Finder::new(p.as_bytes()))
                .collect(),
            paths: aho_corasick::AhoCorasick::new(PATH_SEGMENTS).ok(),
        }
    }
}

impl Default for AccountIdDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl Detector for AccountIdDetector {
    fn family(&self) -> &'static str {
        "account_id"
    }

    fn classes(&self) -> Classes {
        Classes::NONE
    }

    fn kinds(&self) -> KindSet {
        KindSet::of(Kind::AccountId)
    }

    fn find(&self, hay: &Haystack<'_>, enabled: KindSet, out: &mut Vec<Match>) {
        if !enabled.contains(Kind::AccountId) {
            return;
        }
        let bytes = hay.bytes;
        let email = enabled.contains(Kind::Email);
        for h in hay.hints.iter().filter(|h| h.hint == Hint::AccountId) {
            if is_identifier(&bytes[h.start..h.end])
                && !(email && super::email::is_whole_address(bytes, h.start, h.end))
            {
                out.push(Match {
                    detail: crate::detect::Detail::NONE,
                    start: h.start,
                    end: h.end,
                    kind: Kind::AccountId,
                });
            }
        }
        for finder in &self.prefixes {
            for start in finder.find_iter(bytes) {
                if !is_word_start(bytes, start) {
                    continue;
                }
                let id = start + finder.needle().len();
                let len = bytes[id..]
                    .iter()
                    .take_while(|&&b| b.is_ascii_alphanumeric())
                    .count();
                let end = id + len;
                let glued = bytes
                    .get(end)
                    .is_some_and(|&b| is_word_byte(b) || b == b'-');
                if ID_LEN.contains(&len) && !glued && bytes[id..end].iter().any(u8::is_ascii_digit)
                {
                    out.push(Match {
                        detail: crate::detect::Detail::NONE,
                        start,
                        end,
                        kind: Kind::AccountId,
                    });
                }
            }
        }
        if let Some(paths) = &self.paths {
            for m in paths.find_iter(bytes) {
                if let Some(end) = path_id_end(bytes, m.end()) {
                    out.push(Match::new(m.end(), end, Kind::AccountId));
                }
            }
        }
    }
}

/// The end of the ID that starts a URL path segment at `start` (after `/users/`): letters,
/// digits, `-` and `_`, with a digit and not a version (`v2`), up to the end of the segment
/// (`/`, `?`, `#`, a quote, a blank, `,`, `;`, `)`, `&` or the end of the text).
fn path_id_end(bytes: &[u8], start: usize) -> Option<usize> {
    let len = bytes[start..]
        .iter()
        .take(PATH_ID_LEN.end() + 1)
        .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        .count();
    let end = start + len;
    let id = &bytes[start..end];
    let ends_segment = bytes.get(end).is_none_or(|&b| {
        matches!(
            b,
            b'/' | b'?'
                | b'#'
                | b'"'
                | b'\''
                | b' '
                | b'\t'
                | b'\n'
                | b'\r'
                | b','
                | b';'
                | b')'
                | b'&'
        )
    });
    let version = matches!(id, [b'v' | b'V', rest @ ..] if rest.iter().all(u8::is_ascii_digit));
    (PATH_ID_LEN.contains(&len) && ends_segment && id.iter().any(u8::is_ascii_digit) && !version)
        .then_some(end)
}

/// True for a value that can identify an account: printable, without blanks, not a
/// placeholder or a zero.
fn is_identifier(value: &[u8]) -> bool {
    !value.is_empty()
        && value.len() <= MAX_VALUE
        && !is_placeholder(value)
        && !value.iter().all(|&b| b == b'0' || b == b'-')
        && value.iter().all(|&b| b > b' ' && b != 0x7f)
}

/// Keeps the identifier's scheme when something follows it (up to a `-` or `_` among its
/// first six characters: `user-8f3a2c` → `user-***`), else its first two characters, never
/// more than half of them (`97980cfea0067` → `97***`, `u42` → `u***`, `7` → `***`).
pub fn mask(value: &str) -> CompactString {
    let scheme = value
        .char_indices()
        .take(6)
        .find(|&(_, c)| c == '-' || c == '_')
        .map(|(i, _)| i + 1)
        .filter(|&end| end < value.len());
    let keep = scheme.map_or_else(|| super::shown_prefix(value, 2), |end| &value[..end]);
    let mut out = CompactString::from(keep);
    out.push_str("***");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::structure::json;

    fn found(text: &str) -> Vec<&str> {
        let mut hints = Vec::new();
        json::find_hints(text.as_bytes(), &mut hints);
        let hay = Haystack::new(text.as_bytes(), &hints);
        let mut out = Vec::new();
        AccountIdDetector::new().find(&hay, KindSet::all(), &mut out);
        out.sort();
        out.dedup();
        out.iter().map(|m| &text[m.start..m.end]).collect()
    }

    #[test]
    fn examples_hold_with_json_hints() {
        // CSV examples need the engine's column hints: they run in its harness.
        for example in EXAMPLES
            .iter()
            .filter(|e| e.shape == crate::detect::Shape::Lines)
        {
            assert_eq!(
                found(example.input),
                example.expect,
                "in {:?}",
                example.input
            );
        }
    }

    #[test]
    fn boundaries() {
        assert_eq!(found("user-123456"), ["user-123456"]);
        assert_eq!(found("x\nuser-123456\n"), ["user-123456"]);
        assert_eq!(found("user-12345"), Vec::<&str>::new());
        assert_eq!(found("user-123456-abc"), Vec::<&str>::new());
        assert_eq!(
            found(&format!("org-1{}", "a".repeat(64))),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn masks() {
        assert_eq!(mask("user-8f3a2c"), "user-***");
        assert_eq!(mask("97980cfea0067"), "97***");
        assert_eq!(mask("é"), "***");
        assert_eq!(mask("u42"), "u***");
        assert_eq!(mask("ab"), "a***");
        assert_eq!(mask("u-1"), "u-***");
        assert_eq!(mask("abc-"), "ab***");
        assert_eq!(mask("김민"), "김***");
    }
}
