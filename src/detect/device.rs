//! Devices: operating system, browser, device model and user-agent strings.
//!
//! Alone, `Mac OS X` or `Chrome 131` names millions of people; beside a city and an employer
//! it narrows to a few, which is why the Mixpanel breach notice listed them. Values are taken
//! under device keys (`$os`, `$browser`, `$device`, `os_name`, `userAgent`) whatever their shape
//! (`curl/8.4.0`, `okhttp/4.12.0`, `Pingdom.com_bot_version_1.4`), and user-agent strings are
//! taken anywhere from their fixed opening (`Mozilla/5.0 (`, `Dalvik/`) to the end of their
//! quoted field or line. Other user agents are taken in text only with a user agent's full
//! shape (RFC 9110's `product/version (comment)`): a product and version right before a
//! parenthesised comment that holds a `;` (`Opera/9.80 (Windows NT 6.1; U; en)`) or is followed
//! by another product (`Nokia6300/2.0 (05.00) Profile/MIDP-2.0`), up to the last product or
//! comment. A bare `curl/8.4.0` in text is a tool's name and version, not a device: in an
//! access log it is a script, not a person's machine. Devices are quasi-identifiers.

use compact_str::CompactString;
use memchr::memmem;

use super::text::is_placeholder;
use super::{Detector, Example, Haystack, Hint, HintedValue, Match};
use super::{Family, Identifies, Kind, KindSet, KindSpec, Normal, Role};
use crate::prefilter::Classes;

/// The device detector family.
pub static FAMILY: Family = Family {
    name: "device",
    build: || Box::new(DeviceDetector::new()),
};

pub static DEVICE: KindSpec = KindSpec {
    name: "device",
    rule_id: "Device",
    title: "Device",
    description: "A device description helps single a person out (a quasi-identifier).",
    identifies: Identifies::InCombination,
    role: Role::Device,
    normal: Normal::Text,
    hints: &[Hint::Device, Hint::Software],
    reads: &[Hint::Device, Hint::Software],
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
        r#"{"properties":{"$os":"Mac OS X","$browser":"Chrome"}}"#,
        &["Mac OS X", "Chrome"],
    ),
    ex(
        r#"{"context":{"userAgent":"Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)"}}"#,
        &["Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)"],
    ),
    ex(
        r#"1.2.3.4 - - [x] "GET / HTTP/1.1" 200 5 "-" "Mozilla/5.0 (X11; Linux x86_64)""#,
        &["Mozilla/5.0 (X11; Linux x86_64)"],
    ),
    ex(
        "ua=Dalvik/2.1.0 (Linux; U; Android 14)",
        &["Dalvik/2.1.0 (Linux; U; Android 14)"],
    ),
    ex(r#"{"$os":"","$browser":"unknown","os":null}"#, &[]),
    ex("Mozilla/ and Mozilla/5.0 without parenthesis", &[]),
    ex(
        r#"{"user_agent":"curl/8.4.0","ua":"Wget/1.21.4","userAgent":"python-requests/2.31.0"}"#,
        &["curl/8.4.0", "Wget/1.21.4", "python-requests/2.31.0"],
    ),
    ex(
        r#"{"user_agent":"okhttp/4.12.0","ua":"Go-http-client/1.1","agent":"x","userAgent":"Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)"}"#,
        &[
            "okhttp/4.12.0",
            "Go-http-client/1.1",
            "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)",
        ],
    ),
    ex(
        r#"1.2.3.4 - - [x] "GET / HTTP/1.1" 200 5 "-" "Opera/9.80 (Windows NT 6.1; U; en) Presto/2.10.289 Version/12.00""#,
        &["Opera/9.80 (Windows NT 6.1; U; en) Presto/2.10.289 Version/12.00"],
    ),
    ex(
        "seen from Nokia6300/2.0 (05.00) Profile/MIDP-2.0 Configuration/CLDC-1.1 yesterday",
        &["Nokia6300/2.0 (05.00) Profile/MIDP-2.0 Configuration/CLDC-1.1"],
    ),
    ex(
        "agent=Dalvik/2.1.0 (Linux; U; Android 11; SM-G991B Build/RP1A.200720.012)",
        &["Dalvik/2.1.0 (Linux; U; Android 11; SM-G991B Build/RP1A.200720.012)"],
    ),
    Example::csv(
        Kind::Device,
        "id,user_agent\n1,curl/8.4.0\n2,Go-http-client/1.1\n",
        &["curl/8.4.0", "Go-http-client/1.1"],
    ),
    // Tools in text, and versions with a remark, are not devices.
    ex(
        r#"1.2.3.4 - - [x] "GET / HTTP/1.1" 200 5 "-" "curl/8.4.0"; upgraded to git/2.43.0 (Apple Git-143); HTTP/1.1 (see; RFC)"#,
        &[],
    ),
];

const fn ex(input: &'static str, expect: &'static [&'static str]) -> Example {
    Example::lines(Kind::Device, input, expect)
}

/// Openings of user-agent strings that describe a device.
const USER_AGENTS: &[&str] = &["Mozilla/", "Dalvik/"];
/// The longest user-agent string reported.
const MAX_UA: usize = 512;

/// Finds device descriptions under device keys and user-agent strings in text.
pub struct DeviceDetector {
    openings: Vec<memmem::Finder<'static>>,
}

impl DeviceDetector {
    pub fn new() -> Self {
        DeviceDetector {
            openings: USER_AGENTS
                .iter()
                .map(|p| memmem::Finder::new(p.as_bytes()))
                .collect(),
        }
    }
}

impl Default for DeviceDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl Detector for DeviceDetector {
    fn family(&self) -> &'static str {
        "device"
    }

    fn classes(&self) -> Classes {
        Classes::NONE
    }

    fn kinds(&self) -> KindSet {
        KindSet::of(Kind::Device)
    }

    fn find(&self, hay: &Haystack<'_>, enabled: KindSet, out: &mut Vec<Match>) {
        if !enabled.contains(Kind::Device) {
            return;
        }
        let bytes = hay.bytes;
        let described = |h: &&HintedValue| matches!(h.hint, Hint::Device | Hint::Software);
        for h in hay.hints.iter().filter(described) {
            let value = &bytes[h.start..h.end];
            if !value.is_empty()
                && !is_placeholder(value)
                && value.iter().any(u8::is_ascii_alphabetic)
            {
                out.push(Match {
                    detail: crate::detect::Detail::NONE,
                    start: h.start,
                    end: h.end,
                    kind: Kind::Device,
                });
            }
        }
        for finder in &self.openings {
            for start in finder.find_iter(bytes) {
                if let Some(end) = user_agent_end(bytes, start) {
                    out.push(Match {
                        detail: crate::detect::Detail::NONE,
                        start,
                        end,
                        kind: Kind::Device,
                    });
                }
            }
        }
        let mut next = 0;
        for open in memchr::memchr_iter(b'(', bytes) {
            if open < next {
                continue;
            }
            if let Some((start, end)) = product_user_agent(bytes, open) {
                out.push(Match::new(start, end, Kind::Device));
                next = end;
            }
        }
    }
}

/// Bytes of a product name or version in a user agent (`python-requests`, `2.31.0`,
/// `MIDP-2.0`).
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+')
}

/// A user agent other than `Mozilla/` or `Dalvik/` whose comment opens at `open`: a
/// `product/version` right before it (after one space), a comment with a `;` or another
/// product after it. Returns its span, up to its last product or comment.
fn product_user_agent(bytes: &[u8], open: usize) -> Option<(usize, usize)> {
    let space = open.checked_sub(1).filter(|&i| bytes[i] == b' ')?;
    let mut v = space;
    while v > 0 && space - v < 24 && is_token_byte(bytes[v - 1]) {
        v -= 1;
    }
    if v == space || !bytes[v].is_ascii_digit() {
        return None;
    }
    let slash = v.checked_sub(1).filter(|&i| bytes[i] == b'/')?;
    let mut start = slash;
    while start > 0 && slash - start < 48 && is_token_byte(bytes[start - 1]) {
        start -= 1;
    }
    let name = &bytes[start..slash];
    let bounded = start == 0
        || matches!(
            bytes[start - 1],
            b' ' | b'\t' | b'"' | b'\'' | b'=' | b':' | b'[' | b',' | b'\n'
        );
    if name.is_empty()
        || !name[0].is_ascii_alphabetic()
        || !bounded
        || [&b"Mozilla"[..], b"Dalvik", b"HTTP", b"HTTPS"].contains(&name)
    {
        return None;
    }
    let limit = bytes.len().min(start + MAX_UA);
    let close = comment_end(bytes, open, limit)?;
    let end = products_end(bytes, close, limit);
    let strong = bytes[open..close].contains(&b';') || end > close;
    strong.then_some((start, end))
}

/// The end (after its `)`) of the comment that opens at `open`, on the same line and within
/// `limit`, without quotes or escapes in it.
fn comment_end(bytes: &[u8], open: usize, limit: usize) -> Option<usize> {
    let len = bytes[open..limit]
        .iter()
        .position(|&b| matches!(b, b')' | b'"' | b'\n' | b'\\'))?;
    (bytes[open + len] == b')').then_some(open + len + 1)
}

/// Where the products and comments that follow a user agent's comment end: each after one
/// space, a `name/version` or another comment; `end` itself when none follows.
fn products_end(bytes: &[u8], mut end: usize, limit: usize) -> usize {
    while end + 1 < limit && bytes[end] == b' ' {
        let at = end + 1;
        if bytes[at] == b'(' {
            match comment_end(bytes, at, limit) {
                Some(close) => end = close,
                None => break,
            }
            continue;
        }
        let name = bytes[at..limit]
            .iter()
            .take_while(|&&b| is_token_byte(b))
            .count();
        let slash = at + name;
        if name == 0 || !bytes[at].is_ascii_alphabetic() || bytes.get(slash) != Some(&b'/') {
            break;
        }
        let version = bytes[slash + 1..limit]
            .iter()
            .take_while(|&&b| is_token_byte(b))
            .count();
        if version == 0 {
            break;
        }
        end = slash + 1 + version;
    }
    end
}

/// The end of a user-agent string at `start`: it needs a version and a `(` platform part, and
/// ends before the `"` that closes its field, or at the end of the line.
fn user_agent_end(bytes: &[u8], start: usize) -> Option<usize> {
    let rest = &bytes[start..bytes.len().min(start + MAX_UA)];
    let slash = memchr::memchr(b'/', rest)?;
    if !rest.get(slash + 1).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let len = memchr::memchr3(b'"', b'\n', b'\\', rest).unwrap_or(rest.len());
    let ua = &rest[..len];
    let open = memchr::memchr(b'(', ua)?;
    let close = memchr::memrchr(b')', ua).filter(|&c| c > open)?;
    let end = if ua[close + 1..].iter().all(|&b| b == b' ') {
        close + 1
    } else {
        ua.iter().rposition(|&b| b != b' ')? + 1
    };
    Some(start + end)
}

/// Keeps the first three characters, never more than half of them: `Chrome` → `Chr***`,
/// `iOS` → `i***`.
pub fn mask(value: &str) -> CompactString {
    let mut out = CompactString::from(super::shown_prefix(value, 3));
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
        DeviceDetector::new().find(&hay, KindSet::all(), &mut out);
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
    fn masks() {
        assert_eq!(mask("Chrome"), "Chr***");
        assert_eq!(mask("iOS"), "i***");
        assert_eq!(mask("Linux"), "Li***");
        assert_eq!(mask("X"), "***");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let hay = Haystack::plain(&bytes);
            let mut out = Vec::new();
            DeviceDetector::new().find(&hay, KindSet::all(), &mut out);
            for m in out {
                proptest::prop_assert!(m.start < m.end && m.end <= bytes.len());
            }
        }
    }
}
