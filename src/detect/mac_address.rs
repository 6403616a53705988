//! MAC addresses: `00:1a:2b:3c:4d:5e`, `00-1A-2B-3C-4D-5E`, `001a.2b3c.4d5e`. A network card's
//! address follows its device from network to network: a quasi-identifier that tracks a device.
//!
//! Six octets of two hex digits with one separator throughout (`:` or `-`), or three groups
//! of four with `.` (Cisco), standing alone: not part of a longer run of hex groups (an IPv6
//! address has groups of up to four digits; a time has decimal pairs and three groups). The
//! all-zero and broadcast addresses are placeholders, not devices. In text, candidates are the
//! prefilter's colons between hex digits (the form Linux, macOS and most logs print), and for
//! the dashed (Windows, `ipconfig`, DHCP logs) and dotted (Cisco `show mac`) forms each `-` and
//! `.` of the haystack (`short::each2`): a dash is looked at only when another follows three bytes
//! later, and a dot only when another follows five bytes later, so the dashes of UUIDs and
//! dates and the dots of versions and sentences cost two byte comparisons each. Under a `mac`
//! key or column a value is judged whole.

use compact_str::CompactString;

use super::{Detector, Example, Haystack, Hint, MaskBuf, Match};
use super::{Family, Identifies, Kind, KindSet, KindSpec, Normal, Role};
use crate::prefilter::{Class, Classes};

/// The MAC address detector family.
pub static FAMILY: Family = Family {
    name: "mac_address",
    build: || Box::new(MacAddressDetector),
};

pub static MAC_ADDRESS: KindSpec = KindSpec {
    name: "mac_address",
    rule_id: "MacAddress",
    title: "MAC address",
    description: "A MAC address singles out a network device wherever it connects (a \
                  quasi-identifier).",
    identifies: Identifies::InCombination,
    role: Role::Device,
    normal: Normal::Mac,
    hints: &[Hint::Mac],
    reads: &[Hint::Mac],
    mask,
    family: &FAMILY,
    examples: EXAMPLES,
    redact: super::Redaction {
        default: super::RedactAction::Keep,
        pseudonym: super::Pseudonym::Mac,
        generalise: super::Generalisation::None,
    },
    tie_rank: 0,
    competes_with: &[],
};

pub const EXAMPLES: &[Example] = &[
    ex(
        "dhcp lease 00:1a:2b:3c:4d:5e -> 10.0.0.7; ap A4:5E:60:E8:1B:22",
        &["00:1a:2b:3c:4d:5e", "A4:5E:60:E8:1B:22"],
    ),
    ex(
        r#"{"wifi_mac":"a4-5e-60-e8-1b-22","mac":"001a.2b3c.4d5e"}"#,
        &["a4-5e-60-e8-1b-22", "001a.2b3c.4d5e"],
    ),
    ex(
        "at 12:34:56 fe80::1:2:3:4 2001:db8:85a3:0:0:8a2e:370:7334 00:00:00:00:00:00 ff:ff:ff:ff:ff:ff",
        &[],
    ),
    ex("00:1a:2b:3c:4d:5e:6f 00:1a:2b:3c:4d x00:1a:2b:3c:4d:5e", &[]),
    // Dashed and dotted forms in text, outside a MAC key: DHCP logs, `ipconfig`, Cisco.
    ex(
        "DHCPACK to 38-EC-0A-E6-6F-AD; bssid=c2-ef-49-b8-cf-62, port Gi0/1 74d1.d0f4.dd9f",
        &["38-EC-0A-E6-6F-AD", "c2-ef-49-b8-cf-62", "74d1.d0f4.dd9f"],
    ),
    // A colon address before a keyed one: each found (the keyed value does not hide it).
    ex(
        r#"{"ap":"e8:62:f6:3f:92:69","at":"44-20-07-64-55-ad","wifi_mac":"98:ac:d3:96:1d:dc"}"#,
        &["e8:62:f6:3f:92:69", "44-20-07-64-55-ad", "98:ac:d3:96:1d:dc"],
    ),
    // UUIDs, dates, versions, dotted quads and long dashed runs are not MAC addresses.
    ex(
        "id 55e12083-fc4b-4d87-ab59-964e57cbbe60 on 2025-11-30 v1.2.3.4 10.1.4.22 \
         a4-5e-60-e8-1b-22-33 a4-5e-60-e8-1b 0000.0000.0000 ab.cd.ef.01.23.45 1234.5678.9abc.def0",
        &[],
    ),
];

const fn ex(input: &'static str, expect: &'static [&'static str]) -> Example {
    Example::lines(Kind::MacAddress, input, expect)
}

/// Finds MAC addresses.
pub struct MacAddressDetector;

impl Detector for MacAddressDetector {
    fn family(&self) -> &'static str {
        "mac_address"
    }

    fn kinds(&self) -> KindSet {
        KindSet::of(Kind::MacAddress)
    }

    fn classes(&self) -> Classes {
        Classes::NONE.with(Class::Colon)
    }

    fn find(&self, hay: &Haystack<'_>, enabled: KindSet, out: &mut Vec<Match>) {
        if !enabled.contains(Kind::MacAddress) {
            return;
        }
        let bytes = hay.bytes;
        // A value under a MAC key, whole. The scans below may find it again: the resolver
        // keeps one of two matches on the same span.
        for hint in hay.hints.iter().filter(|h| h.hint == Hint::Mac) {
            if mac_at(bytes, hint.start) == Some(hint.end) {
                out.push(Match::new(hint.start, hint.end, Kind::MacAddress));
            }
        }
        // A colon between hex digits: the address starts two bytes before the first one.
        for at in hay.candidates(Class::Colon) {
            if at >= 2 && (at < 3 || bytes[at - 3] != b':') {
                if let Some(end) = mac_at(bytes, at - 2) {
                    out.push(Match::new(at - 2, end, Kind::MacAddress));
                }
            }
        }
        // The first `-` of `aa-bb-cc-dd-ee-ff` (two bytes in) and the first `.` of
        // `aabb.ccdd.eeff` (four bytes in); the rest of each address is skipped.
        let mut done = 0;
        crate::short::each2(b'-', b'.', bytes, |at| {
            if at < done {
                return;
            }
            let sep = bytes[at];
            let (lead, step) = if sep == b'-' { (2, 3) } else { (4, 5) };
            if at < lead || bytes.get(at + step) != Some(&sep) {
                return;
            }
            if let Some(end) = mac_at(bytes, at - lead) {
                out.push(Match::new(at - lead, end, Kind::MacAddress));
                done = end;
            }
        });
    }
}

/// The end of a MAC address that starts at `at`, if one does.
fn mac_at(hay: &[u8], at: usize) -> Option<usize> {
    if at > 0 && (hay[at - 1].is_ascii_alphanumeric() || matches!(hay[at - 1], b':' | b'-' | b'.'))
    {
        return None;
    }
    let hex = |i: usize| hay.get(i).is_some_and(u8::is_ascii_hexdigit);
    let (end, digits) = match hay.get(at + 2) {
        Some(&sep @ (b':' | b'-')) => {
            let ok = (0..6).all(|g| {
                let i = at + g * 3;
                hex(i) && hex(i + 1) && (g == 5 || hay.get(i + 2) == Some(&sep))
            });
            (ok.then_some(at + 17)?, &hay[at..at + 17])
        }
        _ if hay.get(at + 4) == Some(&b'.') => {
            let ok = (0..3).all(|g| {
                let i = at + g * 5;
                (i..i + 4).all(hex) && (g == 2 || hay.get(i + 4) == Some(&b'.'))
            });
            (ok.then_some(at + 14)?, &hay[at..at + 14])
        }
        _ => return None,
    };
    // Standing alone: not followed by more of a hex run or another group.
    if let Some(&next) = hay.get(end) {
        if next.is_ascii_alphanumeric() || matches!(next, b':' | b'-') {
            return None;
        }
        if next == b'.' && hay.get(end + 1).is_some_and(u8::is_ascii_alphanumeric) {
            return None;
        }
    }
    let hex_digits = || digits.iter().filter(|b| b.is_ascii_hexdigit());
    if hex_digits().all(|&b| b == b'0') || hex_digits().all(|b| b.eq_ignore_ascii_case(&b'f')) {
        return None;
    }
    Some(end)
}

/// `00:1a:2b:**:**:**`: the vendor's half (the OUI) is kept, the device's half starred.
pub fn mask(value: &str) -> CompactString {
    let mut out = MaskBuf::new();
    let mut hex_seen = 0;
    let total = value.bytes().filter(u8::is_ascii_hexdigit).count();
    for c in value.chars() {
        let mut buf = [0u8; 4];
        if c.is_ascii_hexdigit() {
            hex_seen += 1;
            let shown = total == 12 && hex_seen <= 6;
            out.push(if shown { c.encode_utf8(&mut buf) } else { "*" });
        } else if c.is_ascii_alphabetic() {
            out.push("*");
        } else if c.is_ascii() {
            out.push(c.encode_utf8(&mut buf));
        }
    }
    out.finish()
}
