//! IPv6 addresses in every RFC 4291 text form: full (`2001:0db8:0:0:0:ff00:42:8329`),
//! `::`-compressed (`2001:db8::1`, `::1`, `fe80::`), with an embedded IPv4 address
//! (`::ffff:192.0.2.128`, `64:ff9b::192.0.2.33`) and with a zone (`fe80::1%eth0`).
//!
//! # Prefilter
//!
//! A colon can belong to an address only if a hex digit sits on both sides of it or it is
//! part of a `::`. In NDJSON nearly every colon is the `":` after a key, one every ~20 bytes,
//! so the detector does not stop at each: it visits only the colons that the shared
//! prefilter lists ([`crate::prefilter::Class::Colon`]). From a colon that passes, the detector takes the whole token of hex
//! digits, colons and dots around it; a token with neither `::` nor six colons (times such as
//! `12:34:56`) is turned away at once, the rest is validated, and the search resumes after the
//! token, so every byte is looked at a bounded number of times.
//!
//! # Rules for precision
//!
//! - Full validation: 1-4 hex digits per group, at most one `::`, exactly 8 groups without
//!   `::` and at most 7 with it, an embedded IPv4 address (two groups' worth) only at the end,
//!   with octets `0`-`255` and no leading zeros.
//! - Boundaries: the token must not be glued to a word (a letter, `_`, a non-ASCII byte) or to
//!   a dotted number on either side (`1.2.3.4:8080`, `12:34:56.789`, `2025-11-09T12:34:56Z`).
//!   A single colon before the token is a separator, not part of it: `ip:2001:db8::1` and
//!   `id:fe80::1` match the address. One trailing `.` or `:` is punctuation: `from fe80::1: x`.
//!   Brackets and ports are outside the match: `[2001:db8::1]:8080` matches `2001:db8::1`.
//! - A zone (`%eth0`, `%12`, the URI form `%25eth0`) is part of the match, for link-local
//!   (`fe80::/10`) and multicast (`ff00::/8`) addresses only: elsewhere a `%` is far more often
//!   a percent escape (`2001:db8::1%2C...`).
//! - Not addresses, though they are valid text: times and ratios (`12:34:56`, `16:9`) and MAC
//!   addresses (`00:1A:2B:3C:4D:5E`) fail validation; eight groups of exactly two hex digits are
//!   rejected as EUI-64 identifiers (`00:1a:2b:ff:fe:3c:4d:5e`); `::` alone (the unspecified
//!   address) is rejected.
//! - Short compressed forms are ambiguous with code (`a::b`, `Cafe::Bad`, `1::2`). With at most
//!   two hex groups and no embedded IPv4, a form is reported only when it is `::1` (loopback),
//!   when its first group is four hex digits in an allocated range (global unicast `2000::/3`,
//!   unique-local `fc00::/7`, link-local `fe80::/10`, multicast `ff00::/8`: `fe80::1`,
//!   `ff02::fb`, `2001::`), or when it sits under an IP key (`"ip":"1::2"`). An IP key also lets
//!   an EUI-64-shaped address through.

use compact_str::CompactString;

use super::email::escape_end;
use super::ipv4::parse_quad;
use super::text::is_word_byte;
use super::{Detector, Example, Haystack, Hint, Match};
use super::{Family, Identifies, Kind, KindSet, KindSpec, Normal, Role};
use crate::prefilter::{Class, Classes};

/// The ipv6 detector family.
pub static FAMILY: Family = Family {
    name: "ipv6",
    build: || Box::new(Ipv6Detector::new()),
};

pub static IPV6: KindSpec = KindSpec {
    name: "ipv6",
    rule_id: "Ipv6Address",
    title: "IPv6 address",
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
        pseudonym: super::Pseudonym::Ipv6,
        generalise: super::Generalisation::IpPrefix,
    },
    tie_rank: 0,
    competes_with: &[],
};

pub const EXAMPLES: &[Example] = &[
    ex(
        "from 2001:0db8:0000:0000:0000:ff00:0042:8329 ok",
        &["2001:0db8:0000:0000:0000:ff00:0042:8329"],
    ),
    ex(
        "2001:db8::1 ::1 fe80:: ff02::1",
        &["2001:db8::1", "::1", "fe80::", "ff02::1"],
    ),
    ex(
        "mapped ::ffff:192.0.2.128 nat64 64:ff9b::192.0.2.33",
        &["::ffff:192.0.2.128", "64:ff9b::192.0.2.33"],
    ),
    ex("ping fe80::1%eth0 -c 1", &["fe80::1%eth0"]),
    ex("[2001:db8::1]:8080 - - GET /", &["2001:db8::1"]),
    ex("http://[2001:db8:0:0:1::2]:51512/x", &["2001:db8:0:0:1::2"]),
    ex(
        r#"{"ip":"2001:db8:85a3::8a2e:370:7334"}"#,
        &["2001:db8:85a3::8a2e:370:7334"],
    ),
    ex(r#"{"ip":"1::2"}"#, &["1::2"]),
    ex("client_ip:2001:db8::42 refused", &["2001:db8::42"]),
    ex(
        r#"{"duration":"12:34:56","t":"12:34:56.789","ratio":"16:9","r":"1:2"}"#,
        &[],
    ),
    ex(
        r#"{"mac":"00:1A:2B:3C:4D:5E","mac2":"00-1A-2B-3C-4D-5E"}"#,
        &[],
    ),
    ex(r#"{"a":1,"b":"c","ts":"2025-11-09T12:34:56Z"}"#, &[]),
    ex("std::cout << a::b; Foo::Bar::baz(); 1::2 cafe::bad", &[]),
    ex(":: alone, 1:2:3:4:5:6:7:8:9, 2001:db8:::1, 12345::1", &[]),
    ex("eui64 00:1a:2b:ff:fe:3c:4d:5e and 1.2.3.4:8080", &[]),
];

const fn ex(input: &'static str, expect: &'static [&'static str]) -> Example {
    Example::lines(Kind::Ipv6, input, expect)
}

/// The longest text form: six full groups and an IPv4 address.
const MAX_LEN: usize = 45;

/// Finds IPv6 addresses.
pub struct Ipv6Detector;

impl Ipv6Detector {
    pub fn new() -> Self {
        Ipv6Detector
    }
}

impl Default for Ipv6Detector {
    fn default() -> Self {
        Ipv6Detector::new()
    }
}

impl Detector for Ipv6Detector {
    fn family(&self) -> &'static str {
        "ipv6"
    }

    fn kinds(&self) -> KindSet {
        [Kind::Ipv6].into_iter().collect()
    }

    fn find(&self, hay: &Haystack<'_>, enabled: KindSet, out: &mut Vec<Match>) {
        if !enabled.contains(Kind::Ipv6) {
            return;
        }
        let bytes = hay.bytes;
        let mut next = 0;
        for colon in hay.candidates(Class::Colon) {
            if colon < next {
                continue;
            }
            let mut start = colon;
            while start > 0 && is_hex_or_colon(bytes[start - 1]) {
                start -= 1;
            }
            let mut end = colon + 1;
            while end < bytes.len() && (is_hex_or_colon(bytes[end]) || bytes[end] == b'.') {
                end += 1;
            }
            next = end;
            if let Some((start, match_end)) = address_in(hay, start, end) {
                out.push(Match {
                    detail: crate::detect::Detail::NONE,
                    start,
                    end: match_end,
                    kind: Kind::Ipv6,
                });
                next = end.max(match_end);
            }
        }
    }

    fn classes(&self) -> Classes {
        Classes::NONE.with(Class::Colon)
    }
}

#[inline]
fn is_hex_or_colon(b: u8) -> bool {
    b.is_ascii_hexdigit() || b == b':'
}

/// The address in the token `start..end` (a maximal run of hex digits, colons and dots), with
/// its zone, if the token is one.
fn address_in(hay: &Haystack<'_>, mut start: usize, mut end: usize) -> Option<(usize, usize)> {
    let bytes = hay.bytes;
    let token = bytes.get(start..end)?;
    // Room for an escape before the address, a zone's `.` or `:` after it.
    if token.len() > MAX_LEN + 6 {
        return None;
    }
    let colons = token.iter().filter(|&&b| b == b':').count();
    if colons < 6 && !token.windows(2).any(|w| w == b"::") {
        return None;
    }
    // Only these bytes can end an escape that reaches into the token (its hex digits are in it).
    let may_be_escaped = start
        .checked_sub(1)
        .is_some_and(|i| matches!(bytes[i], b'%' | b'u' | b'n' | b't' | b'r' | b'/'));
    let escape = may_be_escaped.then(|| escape_end(bytes, start)).flatten();
    let left_ok = match escape {
        Some(escape) if escape >= end => return None,
        Some(escape) => {
            start = start.max(escape);
            true
        }
        None => start == 0 || !is_glue(bytes[start - 1]),
    };
    while end > start && bytes[end - 1] == b'.' {
        end -= 1;
    }
    if end <= start {
        return None;
    }
    if end - start >= 2 && bytes[end - 1] == b':' && bytes[end - 2] != b':' {
        end -= 1;
    }
    if !left_ok {
        // The first group belongs to the word before it (`id:fe80::1`): the address may start
        // after the first colon, if that colon is a single one.
        let colon = start + bytes[start..end].iter().position(|&b| b == b':')?;
        if bytes.get(colon + 1) == Some(&b':') {
            return None;
        }
        start = colon;
    }
    if bytes.get(start) == Some(&b':') && bytes.get(start + 1) != Some(&b':') {
        start += 1;
    }
    let text = bytes.get(start..end)?;
    let shape = parse(text)?;
    if shape.zone_allowed() && bytes.get(end) == Some(&b'%') {
        let zone = end + 1;
        let mut zone_end = zone;
        while zone_end < bytes.len()
            && zone_end - zone < 32
            && (bytes[zone_end].is_ascii_alphanumeric()
                || matches!(bytes[zone_end], b'_' | b'.' | b'-'))
        {
            zone_end += 1;
        }
        while zone_end > zone && bytes[zone_end - 1] == b'.' {
            zone_end -= 1;
        }
        if zone_end > zone {
            end = zone_end;
        }
    }
    if bytes.get(end).is_some_and(|&b| is_word_byte(b)) {
        return None;
    }
    let plausible = shape.is_plausible(text) || hay.hint_around(start, end) == Some(Hint::Ip);
    (plausible && shape.is_address()).then_some((start, end))
}

/// A byte that glues a token to what comes before it.
#[inline]
fn is_glue(b: u8) -> bool {
    is_word_byte(b) || b == b'.'
}

/// What the validator learned about a syntactically valid address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Shape {
    /// Hex groups written out (an embedded IPv4 address not counted).
    hex_groups: u8,
    compressed: bool,
    /// The address starts with `::`.
    leading_gap: bool,
    ipv4: bool,
    /// The first group, when the address does not start with `::`, and its digit count.
    first: Option<(u16, u8)>,
    /// Every hex group has exactly two digits.
    all_two_digits: bool,
}

impl Shape {
    /// Not the unspecified address `::`.
    fn is_address(&self) -> bool {
        self.hex_groups > 0 || self.ipv4
    }

    /// Plausible as an address rather than code, a time or a hardware identifier, without
    /// help from a key hint.
    fn is_plausible(&self, text: &[u8]) -> bool {
        if !self.compressed {
            return self.ipv4 || !self.all_two_digits;
        }
        if self.ipv4 || self.hex_groups >= 3 || text == b"::1" {
            return true;
        }
        matches!(self.first, Some((group, 4)) if is_allocated_prefix(group))
    }

    fn zone_allowed(&self) -> bool {
        matches!(self.first, Some((group, 4)) if group & 0xffc0 == 0xfe80 || group >= 0xff00)
    }
}

fn is_allocated_prefix(group: u16) -> bool {
    matches!(group, 0x2000..=0x3fff | 0xfc00..=0xfdff | 0xfe80..=0xfebf | 0xff00..=0xffff)
}

/// Validates the text form of an address (without a zone).
fn parse(text: &[u8]) -> Option<Shape> {
    if text.len() < 2 || text.len() > MAX_LEN {
        return None;
    }
    let leading_gap = text.starts_with(b"::");
    let mut shape = Shape {
        hex_groups: 0,
        compressed: leading_gap,
        leading_gap,
        ipv4: false,
        first: None,
        all_two_digits: true,
    };
    let mut i = if leading_gap { 2 } else { 0 };
    while i < text.len() {
        let group = i;
        let mut value = 0u16;
        while i < text.len() && i - group < 4 {
            let Some(digit) = (text[i] as char).to_digit(16) else {
                break;
            };
            value = value << 4 | digit as u16;
            i += 1;
        }
        if text.get(i) == Some(&b'.') {
            if parse_quad(text, group)? != text.len() {
                return None;
            }
            shape.ipv4 = true;
            break;
        }
        let digits = i - group;
        if digits == 0 || text.get(i).is_some_and(u8::is_ascii_hexdigit) {
            return None;
        }
        if shape.hex_groups == 0 && !leading_gap {
            shape.first = Some((value, digits as u8));
        }
        shape.hex_groups += 1;
        shape.all_two_digits &= digits == 2;
        if i == text.len() {
            break;
        }
        if text[i] != b':' {
            return None;
        }
        i += 1;
        if text.get(i) == Some(&b':') {
            if shape.compressed {
                return None;
            }
            shape.compressed = true;
            i += 1;
        } else if i == text.len() {
            return None;
        }
    }
    let groups = shape.hex_groups + if shape.ipv4 { 2 } else { 0 };
    let fits = if shape.compressed {
        groups <= 7
    } else {
        groups == 8
    };
    fits.then_some(shape)
}

/// The eight groups of a valid address, or `None`. The embedded IPv4 address, if any, is left
/// out (its groups are zero) and its text returned.
fn expand(text: &str) -> Option<([u16; 8], Option<&str>)> {
    let text = text.split('%').next().unwrap_or_default();
    let (text, ipv4) = match text.rsplit_once(':') {
        Some((head, tail)) if tail.contains('.') => (&text[..head.len() + 1], Some(tail)),
        _ => (text, None),
    };
    let hex_groups = |s: &str| -> Option<Vec<u16>> {
        s.split(':')
            .filter(|g| !g.is_empty())
            .map(|g| u16::from_str_radix(g, 16).ok())
            .collect()
    };
    let (head, tail) = match text.split_once("::") {
        Some((head, tail)) => (hex_groups(head)?, hex_groups(tail)?),
        None => (hex_groups(text)?, Vec::new()),
    };
    let mut groups = [0u16; 8];
    let room = 8 - if ipv4.is_some() { 2 } else { 0 };
    if head.len() + tail.len() > room {
        return None;
    }
    groups[..head.len()].copy_from_slice(&head);
    groups[room - tail.len()..room].copy_from_slice(&tail);
    Some((groups, ipv4))
}

/// True for the prefixes whose embedded IPv4 address is the whole host part: IPv4-mapped
/// `::ffff:0:0/96`, IPv4-compatible `::/96` and the NAT64 well-known prefix `64:ff9b::/96`.
fn is_translation_prefix(groups: &[u16; 8]) -> bool {
    matches!(
        groups[..6],
        [0, 0, 0, 0, 0, 0 | 0xffff] | [0x64, 0xff9b, 0, 0, 0, 0]
    )
}

/// Masks an address as its first two groups (the routing prefix, never the interface id):
/// `2001:db8::8a2e:370:7334` → `2001:db8:*:*:*`. An embedded IPv4 address is masked like an
/// IPv4 address when the prefix before it says it is one (IPv4-mapped, -compatible, NAT64):
/// `::ffff:192.0.2.128` → `::ffff:192.0.*.*`. The zone is dropped.
pub fn mask(value: &str) -> CompactString {
    // Only an address is masked by its groups: `0:a:` would be shown whole.
    let address = value.split('%').next().unwrap_or_default();
    let expanded = parse(address.as_bytes()).and_then(|_| expand(value));
    match expanded {
        Some((groups, Some(ipv4))) if is_translation_prefix(&groups) => {
            let head = value.split('%').next().unwrap_or_default();
            let mut out = CompactString::from(&head[..head.len() - ipv4.len()]);
            out.push_str(&super::ipv4::mask(ipv4));
            out
        }
        Some((groups, _)) => compact_str::format_compact!("{:x}:{:x}:*:*:*", groups[0], groups[1]),
        None => CompactString::const_new("*:*:*:*:*"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::HintedValue;
    use proptest::prelude::*;
    use std::net::Ipv6Addr;

    fn find_in(hay: &Haystack<'_>) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        Ipv6Detector::new().find(hay, KindSet::all(), &mut out);
        out.sort();
        assert!(out.iter().all(|m| m.kind == Kind::Ipv6));
        out.iter().map(|m| (m.start, m.end)).collect()
    }

    fn found(text: &str) -> Vec<&str> {
        find_in(&Haystack::plain(text.as_bytes()))
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect()
    }

    /// A haystack whose `"ip":"..."` values carry the IP hint, as the engine would give them.
    fn with_ip_hints(text: &str) -> Vec<HintedValue> {
        text.match_indices("\"ip\":\"")
            .map(|(i, key)| {
                let start = i + key.len();
                let end = start + text[start..].find('"').unwrap();
                HintedValue {
                    start,
                    end,
                    hint: Hint::Ip,
                }
            })
            .collect()
    }

    fn found_hinted(text: &str) -> Vec<&str> {
        let hints = with_ip_hints(text);
        let hay = Haystack::new(text.as_bytes(), &hints);
        find_in(&hay)
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect()
    }

    #[test]
    fn positives() {
        let cases: &[(&str, &[&str])] = &[
            (
                "2001:0db8:0000:0000:0000:ff00:0042:8329",
                &["2001:0db8:0000:0000:0000:ff00:0042:8329"],
            ),
            (
                "2001:DB8:0:0:8:800:200C:417A",
                &["2001:DB8:0:0:8:800:200C:417A"],
            ),
            ("1:2:3:4:5:6:7:8", &["1:2:3:4:5:6:7:8"]),
            ("2001:db8::1", &["2001:db8::1"]),
            ("2001:db8::", &["2001:db8::"]),
            ("::1", &["::1"]),
            ("fe80::", &["fe80::"]),
            ("fe80::1", &["fe80::1"]),
            ("FF02::FB", &["FF02::FB"]),
            ("fd12:3456:789a:1::1", &["fd12:3456:789a:1::1"]),
            ("2001::", &["2001::"]),
            ("::2:3:4", &["::2:3:4"]),
            ("1:2:3:4:5:6:7::", &["1:2:3:4:5:6:7::"]),
            ("::2:3:4:5:6:7:8", &["::2:3:4:5:6:7:8"]),
            ("::ffff:192.0.2.128", &["::ffff:192.0.2.128"]),
            ("::192.0.2.128", &["::192.0.2.128"]),
            ("64:ff9b::192.0.2.33", &["64:ff9b::192.0.2.33"]),
            ("0:0:0:0:0:ffff:192.0.2.1", &["0:0:0:0:0:ffff:192.0.2.1"]),
            ("fe80::1%eth0", &["fe80::1%eth0"]),
            ("fe80::1%12 x", &["fe80::1%12"]),
            ("[fe80::1%25en0]:80", &["fe80::1%25en0"]),
            ("ff02::1%lo0.", &["ff02::1%lo0"]),
            ("2001:db8::1%2C2001:db8::2", &["2001:db8::1", "2001:db8::2"]),
            ("[2001:db8::1]:8080", &["2001:db8::1"]),
            ("ip:2001:db8::1", &["2001:db8::1"]),
            ("id:fe80::1", &["fe80::1"]),
            ("ip=2001:db8::1&x", &["2001:db8::1"]),
            ("ip%3D2001:db8::1%26", &["2001:db8::1"]),
            ("\"\\n2001:db8::1\"", &["2001:db8::1"]),
            ("from 2001:db8::1: refused", &["2001:db8::1"]),
            ("from 2001:db8::1.", &["2001:db8::1"]),
            ("from ::ffff:1.2.3.4.", &["::ffff:1.2.3.4"]),
            ("2001:db8::1,2001:db8::2", &["2001:db8::1", "2001:db8::2"]),
            ("2001:db8::1 2001:db8::1", &["2001:db8::1", "2001:db8::1"]),
            ("(2001:db8::1)", &["2001:db8::1"]),
            ("-2001:db8::1-", &["2001:db8::1"]),
        ];
        for (text, want) in cases {
            assert_eq!(&found(text), want, "in {text:?}");
        }
    }

    #[test]
    fn negatives() {
        for text in [
            "::",
            ":::",
            "::::1",
            "12:34",
            "12:34:56",
            "12:34:56.789",
            "2025-11-09T12:34:56Z",
            "2025-11-09T12:34:56.123+01:00",
            "16:9",
            "1:2",
            "00:1A:2B:3C:4D:5E",
            "00-1A-2B-3C-4D-5E",
            "00:1a:2b:ff:fe:3c:4d:5e",
            "std::cout",
            "a::b",
            "A::B",
            "Foo::Bar",
            "cafe::bad",
            "dead::beef",
            "1::2",
            "::2",
            "::ffff",
            "64:ff9b::",
            "\"a\":1",
            "{\"a\":\"b\",\"c\":{\"d\":[1,2]}}",
            "1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4::5:6:7:8",
            "2001:db8:::1",
            "2001:db8::1::2",
            "12345::1",
            "2001:db8::g",
            "2001:db8::1x",
            "x2001:db8::1",
            "é2001:db8::1",
            "2001:db8::1é",
            "_2001:db8::1",
            "1.2.3.4:8080",
            "::ffff:1.2.3",
            "::ffff:1.2.3.4.5",
            "::ffff:1.2.3.256",
            "::ffff:01.2.3.4",
            "1.2.3.4::1",
            "2001:db8::1.2.3.4:1",
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48",
            "",
            ":",
        ] {
            assert_eq!(found(text), Vec::<&str>::new(), "in {text:?}");
        }
    }

    #[test]
    fn zones_only_for_link_local_and_multicast() {
        assert_eq!(found("2001:db8::1%eth0"), ["2001:db8::1"]);
        assert_eq!(found("fe80::1%"), ["fe80::1"]);
        assert_eq!(found("fe80::1%é"), ["fe80::1"]);
    }

    #[test]
    fn an_ip_key_admits_ambiguous_forms() {
        let text = r#"{"ip":"1::2","x":"1::2","ip":"00:1a:2b:ff:fe:3c:4d:5e","ip":"::"}"#;
        assert_eq!(found_hinted(text), ["1::2", "00:1a:2b:ff:fe:3c:4d:5e"]);
        assert!(found(text).is_empty());
    }

    #[test]
    fn boundaries_of_the_haystack_and_lines() {
        assert_eq!(found("::1\n::1"), ["::1", "::1"]);
        assert_eq!(found("fe80::\nfe80::"), ["fe80::", "fe80::"]);
        assert_eq!(found("2001:db8::1\r\n"), ["2001:db8::1"]);
        assert!(found("2001:db8:\n:1").is_empty());
        for pad in 0..70 {
            for filler in [" ", "\n", "\"", ":\"", "[", "\":"] {
                let text = format!("{}2001:db8::1 {}", filler.repeat(pad), filler.repeat(pad));
                assert_eq!(found(&text), ["2001:db8::1"], "in {text:?}");
            }
            let text = format!("{}::1{}", "x".repeat(pad), "x".repeat(pad));
            assert_eq!(found(&text).len(), usize::from(pad == 0), "in {text:?}");
        }
    }

    #[test]
    fn quotes_and_colons_across_block_boundaries() {
        for pad in 0..140 {
            let text = format!("{}\"::1\",\"k\":\"2001:db8::1\"", "x".repeat(pad));
            assert_eq!(found(&text), ["::1", "2001:db8::1"], "in {text:?}");
            let text = format!("{}\"a\":\"b\",\"c\":12", "y".repeat(pad));
            assert!(found(&text).is_empty(), "in {text:?}");
        }
    }

    #[test]
    fn examples_hold_on_plain_haystacks() {
        // CSV examples need the engine's column hints: they run in its harness.
        for example in EXAMPLES
            .iter()
            .filter(|e| e.shape == crate::detect::Shape::Lines)
        {
            assert_eq!(example.kind, Kind::Ipv6);
            assert_eq!(
                found_hinted(example.input),
                example.expect,
                "in {:?}",
                example.input
            );
        }
    }

    #[test]
    fn masks() {
        assert_eq!(mask("2001:db8:85a3::8a2e:370:7334"), "2001:db8:*:*:*");
        assert_eq!(
            mask("2001:0DB8:0000:0000:0000:ff00:0042:8329"),
            "2001:db8:*:*:*"
        );
        assert_eq!(mask("fe80::1%eth0"), "fe80:0:*:*:*");
        assert_eq!(mask("::1"), "0:0:*:*:*");
        assert_eq!(mask("::ffff:192.0.2.128"), "::ffff:192.0.*.*");
        assert_eq!(mask("64:ff9b::192.0.2.33"), "64:ff9b::192.0.*.*");
        assert_eq!(mask("nonsense"), "*:*:*:*:*");
        assert_eq!(mask("0:a:"), "*:*:*:*:*");
        assert_eq!(mask("1:2:3:4:5:6:7:8:9"), "*:*:*:*:*");
        assert_eq!(mask("2001:db8:1:2:3:4:192.0.2.1"), "2001:db8:*:*:*");
    }

    proptest! {
        /// The validator against the standard library's parser, its slow, independent twin.
        #[test]
        fn validator_agrees_with_std(text in prop_oneof![
            "[0-9a-fA-F:.]{2,45}",
            "(::)?([0-9a-fA-F]{1,5}(:|::)){0,8}([0-9a-f]{1,4}|[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3})?",
        ]) {
            let ours = parse(text.as_bytes()).is_some();
            let std = text.parse::<Ipv6Addr>().is_ok();
            prop_assert_eq!(ours, std, "{}", text);
        }

        #[test]
        fn validator_accepts_every_address(groups in proptest::array::uniform8(any::<u16>()), v4 in any::<bool>()) {
            let addr = Ipv6Addr::from(groups);
            let text = if v4 {
                let [a, b, c, d, e, f, _, _] = groups;
                let [p, q, r, s] = addr.octets()[12..] else { unreachable!() };
                format!("{a:x}:{b:x}:{c:x}:{d:x}:{e:x}:{f:x}:{p}.{q}.{r}.{s}")
            } else {
                addr.to_string()
            };
            prop_assert!(parse(text.as_bytes()).is_some(), "{}", text);
            let (expanded, _) = expand(&text).unwrap();
            if !text.contains('.') {
                prop_assert_eq!(expanded, groups);
            }
        }

        #[test]
        fn matches_parse_with_std(text in "[0-9a-f:. x%\n\\[\\]]{0,60}") {
            let hay = Haystack::plain(text.as_bytes());
            for (s, e) in find_in(&hay) {
                let value = &text[s..e];
                let addr = value.split('%').next().unwrap();
                prop_assert!(addr.parse::<Ipv6Addr>().is_ok(), "{:?} in {:?}", value, text);
                prop_assert!(!value.contains('\n'));
            }
        }

        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            for (s, e) in find_in(&Haystack::plain(&bytes)) {
                prop_assert!(s < e && e <= bytes.len());
            }
        }
    }
}
