//! IPv4 addresses in dotted-quad form: `203.0.113.7`.
//!
//! # Prefilter
//!
//! Every address holds a `.` with a digit on each side: the shared prefilter lists them
//! ([`crate::prefilter::Class::Decimal`]; dots are too frequent in NDJSON, one every ~40
//! bytes, for a search of their own). A dot with digits around it must then be
//! followed by `d.d.d` (one to three digits each) before anything else is done, which turns away
//! floats and `x.y.z` versions in a few comparisons. Only then does the detector step back over
//! at most five digits to the start of the number and parse four octets. Each dot costs a
//! bounded amount of work and a match moves the search past its end, so a haystack full of dots
//! stays linear.
//!
//! # Rules for precision
//!
//! - Four octets `0`-`255`, no leading zeros (`010.1.1.1` is rejected: some parsers read it as
//!   octal, and such numbers are far more often zero-padded counters than addresses).
//! - Not part of a longer word or dotted sequence: the byte before must not be a letter, digit,
//!   `_` or non-ASCII byte, nor a `.` that follows a letter or digit (`1.2.3.4.5`, `v1.2.3.4`,
//!   `10.0.0.1.nip.io` and OIDs like `1.3.6.1.4.1` are rejected), and likewise after.
//!   A sentence may end with `.`: `from 1.2.3.4.` is found.
//! - A percent or JSON escape right before the address is not a glued word: `ip%3D1.2.3.4`,
//!   `%201.2.3.4` (an encoded space, then `1.2.3.4`) and `"\n1.2.3.4"` are found.
//! - Version numbers: a `Product/1.2.3.4` token as in User-Agent strings (`Chrome/120.0.0.0`,
//!   `MyApp/2.3.1.45`) and a value right after a word ending in `version` or `build`
//!   (`"app_version":"1.2.3.4"`, `build 10.0.0.1`, `the build: it is 1.2.3.4`) or right
//!   before one (`app 10.1.17.14 build 7885`) are rejected, unless the value sits under an
//!   IP key (`"ip": ...`).
//! - CIDR suffixes and ports are left out of the match: `10.0.0.0/8` and `1.2.3.4:8080` match
//!   `10.0.0.0` and `1.2.3.4`. The prefix length and the port are not personal data, and one
//!   shape keeps one mask.
//!
//! Special addresses (`0.0.0.0`, `127.0.0.1`, private ranges) are reported like any other: which
//! of them matter is policy, not syntax.

use compact_str::CompactString;

use super::email::escape_end;
use super::text::is_word_byte;
use super::{Detector, Example, Haystack, Hint, HintCursor, Match};
use super::{Family, Identifies, Kind, KindSet, KindSpec, Normal, Role};
use crate::prefilter::{Class, Classes};

/// The ipv4 detector family.
pub static FAMILY: Family = Family {
    name: "ipv4",
    build: || Box::new(Ipv4Detector::new()),
};

pub static IPV4: KindSpec = KindSpec {
    name: "ipv4",
    rule_id: "Ipv4Address",
    title: "IPv4 address",
    description: "An IP address is personal data: it singles out a device and locates it.",
    identifies: Identifies::Alone,
    role: Role::Identity,
    normal: Normal::Ip,
    hints: &[Hint::Ip],
    reads: &[],
    mask,
    family: &FAMILY,
    examples: EXAMPLES,
    redact: super::Redaction {
        default: super::RedactAction::Pseudonymise,
        pseudonym: super::Pseudonym::Ipv4,
        generalise: super::Generalisation::IpPrefix,
    },
    tie_rank: 0,
    competes_with: &[],
};

pub const EXAMPLES: &[Example] = &[
    ex("client 203.0.113.42 connected", &["203.0.113.42"]),
    ex(r#"{"ip":"203.0.113.42","event":"x"}"#, &["203.0.113.42"]),
    ex("1.2.3.4:8080 and 10.0.0.0/8", &["1.2.3.4", "10.0.0.0"]),
    ex("0.0.0.0 255.255.255.255", &["0.0.0.0", "255.255.255.255"]),
    ex(
        "X-Forwarded-For: 198.51.100.7, 10.1.2.3",
        &["198.51.100.7", "10.1.2.3"],
    ),
    ex("GET /?ip%3D198.51.100.7%26x=1", &["198.51.100.7"]),
    ex("from 198.51.100.7.", &["198.51.100.7"]),
    ex(r#"{"msg":"line\n198.51.100.7"}"#, &["198.51.100.7"]),
    ex(r#"{"ip":"1.2.3.4","app_version":"1.2.3.4"}"#, &["1.2.3.4"]),
    ex("256.1.1.1 1.2.3.256 1.2.3 1.2.3.4.5", &[]),
    ex("010.1.1.1 1.02.3.4", &[]),
    ex("v1.2.3.4 1.2.3.4a a1.2.3.4 1.2.3.4_x", &[]),
    ex(r#"{"build":"10.0.0.1.5","lat":48.8566}"#, &[]),
    ex("Mozilla/5.0 Chrome/120.0.0.0 Safari/537.36", &[]),
    ex(r#"{"app_version":"1.2.3.4"}"#, &[]),
    ex(r#"{"app_version" : "1.2.3.4"}"#, &[]),
    ex("oid 1.3.6.1.4.1.2021 host 10.0.0.1.nip.io", &[]),
    ex("the build is 7.26.6.235 now", &[]),
    ex("Support asked for the build: it is 2.14.19.5.", &[]),
    ex("the version, which is 1.2.3.4, is old", &[]),
    ex("[release] app 10.1.17.14 build 78854160 started", &[]),
    ex("app 2.0.46.202 Build 28951635; 3.4.5.6 release notes", &[]),
    // Not a version: a pronoun without a version word, a host before `built`.
    ex("the proxy: it is 10.1.2.3 now", &["10.1.2.3"]),
    ex("host 10.1.2.3 built the image", &["10.1.2.3"]),
    ex(
        r#"{"ua":"Mozilla/5.0 Chrome\/124.0.0.0 Safari\/537.36"}"#,
        &[],
    ),
    ex("HOST5/127.0.0.1 up", &["127.0.0.1"]),
    ex("12.10.2023 3.14159 1234.5.6.7", &[]),
];

const fn ex(input: &'static str, expect: &'static [&'static str]) -> Example {
    Example::lines(Kind::Ipv4, input, expect)
}

/// Finds dotted-quad IPv4 addresses.
pub struct Ipv4Detector;

impl Ipv4Detector {
    pub fn new() -> Self {
        Ipv4Detector
    }
}

impl Default for Ipv4Detector {
    fn default() -> Self {
        Ipv4Detector::new()
    }
}

impl Detector for Ipv4Detector {
    fn family(&self) -> &'static str {
        "ipv4"
    }

    fn kinds(&self) -> KindSet {
        [Kind::Ipv4].into_iter().collect()
    }

    fn classes(&self) -> Classes {
        Classes::NONE.with(Class::Decimal)
    }

    fn find(&self, hay: &Haystack<'_>, enabled: KindSet, out: &mut Vec<Match>) {
        if !enabled.contains(Kind::Ipv4) {
            return;
        }
        let mut next = 0;
        let mut hints = HintCursor::new(hay.hints);
        for dot in hay.candidates(Class::Decimal) {
            if dot < next {
                continue;
            }
            if let Some((start, end)) = address_around(hay, &mut hints, dot) {
                out.push(Match {
                    detail: crate::detect::Detail::NONE,
                    start,
                    end,
                    kind: Kind::Ipv4,
                });
                next = end;
            }
        }
    }
}

/// The address whose first dot is at `dot`, if there is one. Addresses are asked for in
/// increasing order: `hints` walks the listed values along with them.
fn address_around(
    hay: &Haystack<'_>,
    hints: &mut HintCursor<'_>,
    dot: usize,
) -> Option<(usize, usize)> {
    let bytes = hay.bytes;
    if !has_quad_tail(bytes, dot) {
        return None;
    }
    let mut start = dot - 1;
    while start > 0 && bytes[start - 1].is_ascii_digit() {
        if dot - start >= 6 {
            return None;
        }
        start -= 1;
    }
    // An escape can only end at or run past `start` if the byte before it ends one.
    let may_be_escaped = start.checked_sub(1).is_some_and(|i| {
        matches!(bytes[i], b'%' | b'\\' | b'/') || bytes[i].is_ascii_alphanumeric()
    });
    let escaped = match may_be_escaped.then(|| escape_end(bytes, start)).flatten() {
        Some(end) if end >= dot => return None,
        Some(end) => {
            start = start.max(end);
            true
        }
        None => false,
    };
    let end = parse_quad(bytes, start)?;
    if (!escaped && !left_boundary_ok(bytes, start)) || !right_boundary_ok(bytes, end) {
        return None;
    }
    // `Chrome\/124.0.0.0` in a JSON string: the escaped slash ends a product token too.
    if escaped && bytes[..start].ends_with(b"\\/") && is_product_token_before(bytes, start - 2) {
        return None;
    }
    // A CSV column (or a listed key) that says "version": `app_version` 1.2.3.4 on every row.
    let listed = hints.listed_around(start, end);
    if listed == Some(Hint::Version) {
        return None;
    }
    if (looks_like_version(bytes, start) || version_word_follows(bytes, end))
        && listed.or_else(|| hay.read_hint_at(start)) != Some(Hint::Ip)
    {
        return None;
    }
    Some((start, end))
}

/// True when the dot at `dot` is followed by three numbers of one to three digits separated by
/// dots: the quick test that turns away the floats and versions of a JSON line.
fn has_quad_tail(bytes: &[u8], dot: usize) -> bool {
    let mut i = dot + 1;
    for number in 0..3 {
        let first = i;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) && i - first < 4 {
            i += 1;
        }
        if !(1..=3).contains(&(i - first)) || (number < 2 && bytes.get(i) != Some(&b'.')) {
            return false;
        }
        i += 1;
    }
    true
}

/// Parses four dot-separated octets starting at `start` and returns where they end. Checks
/// the syntax only, not what surrounds it: the IPv6 detector uses it for embedded addresses.
pub(super) fn parse_quad(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    for octet in 0..4 {
        if octet > 0 {
            if bytes.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
        let first = i;
        let mut value = 0u32;
        while let Some(&b) = bytes.get(i) {
            if !b.is_ascii_digit() || i - first == 3 {
                break;
            }
            value = value * 10 + u32::from(b - b'0');
            i += 1;
        }
        let len = i - first;
        if len == 0 || value > 255 || (len > 1 && bytes[first] == b'0') {
            return None;
        }
        if bytes.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        }
    }
    Some(i)
}

fn left_boundary_ok(bytes: &[u8], start: usize) -> bool {
    let Some(&before) = start.checked_sub(1).and_then(|i| bytes.get(i)) else {
        return true;
    };
    match before {
        b if is_word_byte(b) => false,
        b'.' => !(start >= 2 && bytes[start - 2].is_ascii_alphanumeric()),
        b'/' => !is_product_token_before(bytes, start - 1),
        _ => true,
    }
}

fn right_boundary_ok(bytes: &[u8], end: usize) -> bool {
    match bytes.get(end) {
        None => true,
        Some(&b) if is_word_byte(b) => false,
        Some(b'.') => !bytes.get(end + 1).is_some_and(u8::is_ascii_alphanumeric),
        Some(_) => true,
    }
}

/// True when the `/` at `slash` ends a `Product` token as in `Chrome/120.0.0.0`: at least two
/// letters, digits, `-` or `_`, starting with an upper-case letter, not itself a path segment.
fn is_product_token_before(bytes: &[u8], slash: usize) -> bool {
    let mut i = slash;
    while i > 0 && slash - i < 32 {
        let b = bytes[i - 1];
        if !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            break;
        }
        i -= 1;
    }
    // A token with a digit is a host name (`HOST5/127.0.0.1`), not a product: browsers and
    // apps name themselves in letters (`Chrome`, `OPR`, `YaBrowser`).
    slash - i >= 2
        && bytes[i].is_ascii_uppercase()
        && (i == 0 || bytes[i - 1] != b'/')
        && !bytes[i..slash].iter().any(u8::is_ascii_digit)
}

/// True when the word right before `start` (across at most six quotes, colons, `=` or
/// spaces) ends with `version` or `build`: `"app_version":"1.2.3.4"`, `build 10.0.0.1`,
/// `"app_version" : "1.2.3.4"`.
fn looks_like_version(bytes: &[u8], start: usize) -> bool {
    let mut i = start;
    while i > 0 && start - i < 6 && matches!(bytes[i - 1], b'"' | b'\'' | b':' | b'=' | b' ' | b'/')
    {
        i -= 1;
    }
    let word_end = i;
    while i > 0
        && word_end - i < 24
        && (bytes[i - 1].is_ascii_alphabetic() || matches!(bytes[i - 1], b'_' | b'$' | b'-'))
    {
        i -= 1;
    }
    let word = &bytes[i..word_end];
    if names_version(word) {
        return true;
    }
    // Prose: `the build is 7.26.6.235`, `updated to version 1.2.3.4` (the latter above): the
    // word before a linking word.
    const LINKS: &[&[u8]] = &[b"is", b"was", b"now", b"number", b"no", b"nr", b"id"];
    if !LINKS.iter().any(|l| word.eq_ignore_ascii_case(l)) || i < 2 || bytes[i - 1] != b' ' {
        return false;
    }
    let word_before = |end: usize| {
        let mut j = end;
        while j > 0 && end - j < 24 && bytes[j - 1].is_ascii_alphabetic() {
            j -= 1;
        }
        j
    };
    let before_end = i - 1;
    let j = word_before(before_end);
    if names_version(&bytes[j..before_end]) {
        return true;
    }
    // `the build: it is 2.14.19.5`, `the version, which is 1.2.3.4`: a pronoun that stands for
    // the version word before it.
    const PRONOUNS: &[&[u8]] = &[b"it", b"that", b"this", b"which"];
    if !PRONOUNS
        .iter()
        .any(|p| bytes[j..before_end].eq_ignore_ascii_case(p))
    {
        return false;
    }
    let mut k = j;
    while k > 0 && j - k < 3 && matches!(bytes[k - 1], b' ' | b':' | b',') {
        k -= 1;
    }
    k < j && names_version(&bytes[word_before(k)..k])
}

/// True when `word` holds `version`, `build` or `release`, in any case: each place where
/// one may start is told by its first letter.
fn names_version(word: &[u8]) -> bool {
    (0..word.len()).any(|i| {
        let rest = &word[i..];
        let starts = |part: &[u8]| {
            rest.get(..part.len())
                .is_some_and(|r| r.eq_ignore_ascii_case(part))
        };
        match rest[0] | 0x20 {
            b'v' => starts(b"version"),
            b'b' => starts(b"build"),
            b'r' => starts(b"release"),
            _ => false,
        }
    })
}

/// True when the word after the address at `end` (after one space) names a version or build:
/// `app 10.1.17.14 build 78854160`, `2.0.46.202 release notes`.
fn version_word_follows(bytes: &[u8], end: usize) -> bool {
    let Some(rest) = bytes.get(end..).and_then(|r| r.strip_prefix(b" ")) else {
        return false;
    };
    let len = rest
        .iter()
        .take(16)
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    let word = &rest[..len];
    [&b"build"[..], b"version", b"release", b"rev", b"revision"]
        .iter()
        .any(|w| word.eq_ignore_ascii_case(w))
}

/// Masks an address as its first two octets: `203.0.113.7` → `203.0.*.*`.
pub fn mask(value: &str) -> CompactString {
    let mut parts = value.split('.');
    match (parts.next(), parts.next(), parts.next()) {
        // Something is left to hide after the first two parts.
        (Some(a), Some(b), Some(c)) if !a.is_empty() && !b.is_empty() && !c.is_empty() => {
            super::MaskBuf::new()
                .push(a)
                .push(".")
                .push(b)
                .push(".*.*")
                .finish()
        }
        _ => CompactString::const_new("*.*.*.*"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::HintedValue;
    use proptest::prelude::*;
    use std::net::Ipv4Addr;

    fn find_in(hay: &Haystack<'_>) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        Ipv4Detector::new().find(hay, KindSet::all(), &mut out);
        out.sort();
        assert!(out.iter().all(|m| m.kind == Kind::Ipv4));
        out.iter().map(|m| (m.start, m.end)).collect()
    }

    fn found(text: &str) -> Vec<&str> {
        find_in(&Haystack::plain(text.as_bytes()))
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect()
    }

    #[test]
    fn positives() {
        let cases: &[(&str, &[&str])] = &[
            ("1.2.3.4", &["1.2.3.4"]),
            ("0.0.0.0", &["0.0.0.0"]),
            ("255.255.255.255", &["255.255.255.255"]),
            ("199.250.249.100", &["199.250.249.100"]),
            ("ip=10.20.30.40&x", &["10.20.30.40"]),
            ("[1.2.3.4]", &["1.2.3.4"]),
            ("(1.2.3.4)", &["1.2.3.4"]),
            ("1.2.3.4:8080", &["1.2.3.4"]),
            ("10.0.0.0/8", &["10.0.0.0"]),
            (
                "a 1.2.3.4, 5.6.7.8; 9.9.9.9",
                &["1.2.3.4", "5.6.7.8", "9.9.9.9"],
            ),
            ("1.2.3.4 1.2.3.4", &["1.2.3.4", "1.2.3.4"]),
            ("end 1.2.3.4.", &["1.2.3.4"]),
            ("..1.2.3.4", &["1.2.3.4"]),
            ("-1.2.3.4-", &["1.2.3.4"]),
            ("::ffff:192.0.2.128", &["192.0.2.128"]),
            ("%3D1.2.3.4", &["1.2.3.4"]),
            ("%201.2.3.4", &["1.2.3.4"]),
            ("%2C1.2.3.4%2C5.6.7.8", &["1.2.3.4", "5.6.7.8"]),
            (r"\n1.2.3.4\t", &["1.2.3.4"]),
            (r"\u00201.2.3.4", &["1.2.3.4"]),
            ("GET /ip/8.8.8.8 HTTP/1.1", &["8.8.8.8"]),
            ("python-requests/1.2.3.4", &["1.2.3.4"]),
            ("server 1.2.3.4", &["1.2.3.4"]),
        ];
        for (text, want) in cases {
            assert_eq!(&found(text), want, "in {text:?}");
        }
    }

    #[test]
    fn negatives() {
        for text in [
            "256.0.0.1",
            "1.2.3.256",
            "1.2.3.999",
            "1.2.3",
            "1.2.3.",
            "1..2.3.4",
            "1.2.3.4.5",
            "0.1.2.3.4",
            "01.2.3.4",
            "1.2.3.04",
            "1.2.3.00",
            "1234.1.2.3",
            "1.2.3.4567",
            "v1.2.3.4",
            "1.2.3.4a",
            "_1.2.3.4",
            "1.2.3.4_",
            "é1.2.3.4",
            "1.2.3.4é",
            "x.1.2.3.4",
            "1.2.3.4.x",
            "Chrome/120.0.0.0",
            "OPR/106.0.0.0",
            "MyApp/2.3.1.45 (iPhone)",
            "version 1.2.3.4",
            "\"appVersion\": \"1.2.3.4\"",
            "build=10.0.0.1",
            "%20.1.2.3",
            "3.14159 2.71828 1.5",
            "...........",
            "",
        ] {
            assert_eq!(found(text), Vec::<&str>::new(), "in {text:?}");
        }
    }

    #[test]
    fn an_ip_key_overrides_the_version_rule() {
        let text = r#"{"client_version":"1.2.3.4"}"#;
        let start = text.find('1').unwrap();
        let hints = [HintedValue {
            start,
            end: start + 7,
            hint: Hint::Ip,
        }];
        let hay = Haystack::new(text.as_bytes(), &hints);
        assert_eq!(find_in(&hay), [(start, start + 7)]);
        assert!(found(text).is_empty());
    }

    #[test]
    fn boundaries_of_the_haystack_and_lines() {
        assert_eq!(found("1.2.3.4\n5.6.7.8"), ["1.2.3.4", "5.6.7.8"]);
        assert_eq!(found("\n1.2.3.4\n"), ["1.2.3.4"]);
        assert_eq!(found("x\r\n1.2.3.4\r\n"), ["1.2.3.4"]);
        for pad in 0..70 {
            for filler in [" ", "\n", "\"", ","] {
                let text = format!("{}1.2.3.4{}", filler.repeat(pad), filler.repeat(pad));
                assert_eq!(found(&text), ["1.2.3.4"], "in {text:?}");
            }
            for (left, right) in [("x.", ".x"), ("9.", ".9"), ("x", "x")] {
                let glued_left = format!("{}1.2.3.4", left.repeat(pad));
                let glued_right = format!("1.2.3.4{}", right.repeat(pad));
                for text in [glued_left, glued_right] {
                    assert_eq!(found(&text).len(), usize::from(pad == 0), "in {text:?}");
                }
            }
        }
    }

    #[test]
    fn examples_hold_on_plain_haystacks() {
        // CSV examples need the engine's column hints: they run in its harness.
        for example in EXAMPLES
            .iter()
            .filter(|e| e.shape == crate::detect::Shape::Lines)
        {
            assert_eq!(example.kind, Kind::Ipv4);
            let mut want = example.expect.to_vec();
            if example.input.contains("\"ip\":") && example.input.contains("version") {
                // The version rule gives way to an IP key; without hints, the versioned
                // value is the only one left out.
                want.truncate(1);
            }
            assert_eq!(found(example.input), want, "in {:?}", example.input);
        }
    }

    #[test]
    fn masks() {
        assert_eq!(mask("203.0.113.7"), "203.0.*.*");
        assert_eq!(mask("10.1.2.3"), "10.1.*.*");
        assert_eq!(mask("garbage"), "*.*.*.*");
        assert_eq!(mask("1.2"), "*.*.*.*");
        assert_eq!(mask("1.2."), "*.*.*.*");
    }

    /// The slow twin: every span that the standard library parses as an address and whose
    /// neighbours pass the boundary rules, found by trying every start and end.
    fn brute_force(bytes: &[u8]) -> Vec<(usize, usize)> {
        let mut all = Vec::new();
        for start in 0..bytes.len() {
            for end in start + 7..=(start + 15).min(bytes.len()) {
                let Ok(text) = std::str::from_utf8(&bytes[start..end]) else {
                    continue;
                };
                if text.parse::<Ipv4Addr>().is_ok()
                    && left_boundary_ok(bytes, start)
                    && right_boundary_ok(bytes, end)
                {
                    all.push((start, end));
                }
            }
        }
        all
    }

    proptest! {
        #[test]
        fn agrees_with_brute_force(text in "[0-9.a :\n-]{0,40}") {
            let hay = Haystack::plain(text.as_bytes());
            prop_assert_eq!(find_in(&hay), brute_force(text.as_bytes()));
        }

        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            for (s, e) in find_in(&Haystack::plain(&bytes)) {
                prop_assert!(s < e && e <= bytes.len());
                prop_assert!(!bytes[s..e].contains(&b'\n'));
            }
        }
    }
}
