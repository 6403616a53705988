//! Referrers: the page a person came from.
//!
//! A referrer URL tells where someone was before (a search, an internal tool, a partner's
//! page) and often carries identifiers in its query string. Values are taken under referrer
//! keys (`$referrer`, `$initial_referrer`, `referrer`, `$referring_domain`) when they are a
//! URL or a domain, not a marker such as `$direct`; and in web server logs, the referrer
//! field of the combined log format (`"GET / HTTP/1.1" 200 512 "https://…"`). A URL elsewhere
//! in text is not assumed to be a referrer. Referrers are quasi-identifiers; an e-mail address
//! inside one is still reported as an e-mail address.

use compact_str::CompactString;
use memchr::memmem;

use super::text::is_placeholder;
use super::{Detector, Example, Haystack, Hint, Match};
use super::{Family, Identifies, Kind, KindSet, KindSpec, Normal, Role};
use crate::prefilter::Classes;

/// The referrer detector family.
pub static FAMILY: Family = Family {
    name: "referrer",
    build: || Box::new(ReferrerDetector::new()),
};

pub static REFERRER: KindSpec = KindSpec {
    name: "referrer",
    rule_id: "Referrer",
    title: "Referrer",
    description: "A referrer URL tells where a person came from and can carry identifiers (a quasi-identifier).",
    identifies: Identifies::InCombination,
    role: Role::Other,
    normal: Normal::Exact,
    hints: &[Hint::Referrer],
    reads: &[Hint::Referrer],
    mask,
    family: &FAMILY,
    examples: EXAMPLES,
    redact: super::Redaction { default: super::RedactAction::Keep, pseudonym: super::Pseudonym::Token, generalise: super::Generalisation::None },
    tie_rank: 0,
    competes_with: &[],
};

pub const EXAMPLES: &[Example] = &[
    ex(
        r#"{"properties":{"$referrer":"https:\/\/www.google.com\/","$referring_domain":"www.google.com"}}"#,
        &[r"https:\/\/www.google.com\/", "www.google.com"],
    ),
    ex(
        r#"{"$initial_referrer":"$direct","$referrer":"","referrer":"none"}"#,
        &[],
    ),
    ex(
        r#"203.0.113.9 - - [12/Nov/2025:10:15:32 +0000] "GET /p HTTP/1.1" 200 512 "https://www.example.com/a?b=c" "curl/8""#,
        &["https://www.example.com/a?b=c"],
    ),
    ex(
        r#"10.0.0.1 - - [x] "GET / HTTP/2.0" 304 - "-" "curl/8""#,
        &[],
    ),
    ex("see https://www.example.com/ for details", &[]),
];

const fn ex(input: &'static str, expect: &'static [&'static str]) -> Example {
    Example::lines(Kind::Referrer, input, expect)
}

/// Finds referrers under referrer keys and in combined-format access logs.
pub struct ReferrerDetector {
    http: memmem::Finder<'static>,
}

impl ReferrerDetector {
    pub fn new() -> Self {
        ReferrerDetector {
            http: memmem::Finder::new(b" HTTP/"),
        }
    }
}

impl Default for ReferrerDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl Detector for ReferrerDetector {
    fn family(&self) -> &'static str {
        "referrer"
    }

    fn classes(&self) -> Classes {
        Classes::NONE
    }

    fn kinds(&self) -> KindSet {
        KindSet::of(Kind::Referrer)
    }

    fn find(&self, hay: &Haystack<'_>, enabled: KindSet, out: &mut Vec<Match>) {
        if !enabled.contains(Kind::Referrer) {
            return;
        }
        let bytes = hay.bytes;
        for h in hay.hints.iter().filter(|h| h.hint == Hint::Referrer) {
            if is_url_or_domain(&bytes[h.start..h.end]) {
                out.push(Match {
                    detail: crate::detect::Detail::NONE,
                    start: h.start,
                    end: h.end,
                    kind: Kind::Referrer,
                });
            }
        }
        for at in self.http.find_iter(bytes) {
            if let Some((start, end)) = log_referrer(bytes, at + 1) {
                out.push(Match {
                    detail: crate::detect::Detail::NONE,
                    start,
                    end,
                    kind: Kind::Referrer,
                });
            }
        }
    }
}

/// In the combined log format, the referrer after `HTTP/x.y" status size "`.
fn log_referrer(bytes: &[u8], http: usize) -> Option<(usize, usize)> {
    let line_end = memchr::memchr(b'\n', &bytes[http..]).map_or(bytes.len(), |i| http + i);
    let line = &bytes[http..line_end];
    let mut fields = line.splitn(4, |&b| b == b' ');
    let protocol = fields.next()?;
    let status = fields.next()?;
    let size = fields.next()?;
    let rest = fields.next()?;
    if !protocol.ends_with(b"\"")
        || status.len() != 3
        || !status.iter().all(u8::is_ascii_digit)
        || !(size == b"-" || size.iter().all(u8::is_ascii_digit))
        || rest.first() != Some(&b'"')
    {
        return None;
    }
    let len = memchr::memchr(b'"', &rest[1..])?;
    let start = line_end - rest.len() + 1;
    let value = &bytes[start..start + len];
    is_url_or_domain(value).then_some((start, start + len))
}

/// True for an absolute URL or a bare domain; false for `-`, `$direct` and placeholders.
fn is_url_or_domain(value: &[u8]) -> bool {
    if value.is_empty() || is_placeholder(value) || value.len() > 4096 {
        return false;
    }
    let lower = |p: &[u8]| value.len() >= p.len() && value[..p.len()].eq_ignore_ascii_case(p);
    if lower(b"http://") || lower(b"https://") || lower(br"http:\/\/") || lower(br"https:\/\/") {
        return true;
    }
    value.contains(&b'.')
        && value
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && value.iter().any(u8::is_ascii_alphabetic)
}

/// Keeps the scheme and host, hides the path and query: `https://www.google.com/***`. A
/// referrer that is a host alone (a bare domain, or a URL with no path past `/`) hides the
/// host's first label instead (`https://***.google.com/`, `g***.com`), so that a mask never
/// shows all of a value.
pub fn mask(value: &str) -> CompactString {
    let unescaped = value.replace("\\/", "/");
    let host_start = unescaped.find("://").map_or(0, |i| i + 3);
    let host_end = unescaped[host_start..]
        .find(['/', '?', '#'])
        .map_or(unescaped.len(), |i| host_start + i);
    let (head, rest) = unescaped.split_at(host_end);
    if !rest.is_empty() && rest != "/" {
        let mut out = CompactString::from(head);
        out.push_str("/***");
        return out;
    }
    let (scheme, host) = head.split_at(host_start);
    let mut out = CompactString::from(scheme);
    match host.split_once('.') {
        Some((name, domain)) if !name.is_empty() && domain.contains('.') => {
            out.push_str("***.");
            out.push_str(domain);
        }
        Some((name, tld)) if !name.is_empty() => {
            out.push_str(super::shown_prefix(name, 1));
            out.push_str("***.");
            out.push_str(tld);
        }
        _ => {
            out.push_str(super::shown_prefix(host, 1));
            out.push_str("***");
        }
    }
    out.push_str(rest);
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
        ReferrerDetector::new().find(&hay, KindSet::all(), &mut out);
        out.sort();
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
    fn masks() {
        assert_eq!(
            mask(r"https:\/\/app.example.com\/invite?email=a%40b.com"),
            "https://app.example.com/***"
        );
        let cases = [
            ("www.google.com", "***.google.com"),
            ("google.com", "g***.com"),
            ("https://www.google.com/", "https://***.google.com/"),
            (r"https:\/\/www.google.com\/", "https://***.google.com/"),
            ("https://jane.example.org", "https://***.example.org"),
            ("https://x.io", "https://***.io"),
            ("http://localhost", "http://l***"),
            ("https://www.google.com/?q=1", "https://www.google.com/***"),
        ];
        for (value, want) in cases {
            assert_eq!(mask(value), want, "{value}");
        }
    }
}
