//! IMEIs: the 15-digit serial of a mobile phone (`35-209900-176148-1`), which follows the
//! handset from SIM to SIM: a quasi-identifier that tracks a device.
//!
//! An IMEI is an 8-digit type allocation code, whose first two digits name the reporting body
//! that allocated it (a short list), a 6-digit serial and a Luhn check digit. Written in its
//! `AA-BBBBBB-CCCCCC-D` groups it stands alone; a bare run of 15 digits passes the check one
//! time in ten, so it needs an `imei` key or column, or the word `IMEI` just before it.

use compact_str::CompactString;

use super::{Detector, Example, Haystack, Hint, HintCursor, MaskBuf, Match};
use super::{Family, Identifies, Kind, KindSet, KindSpec, Normal, Role};
use crate::prefilter::{Class, Classes};

/// The IMEI detector family.
pub static FAMILY: Family = Family {
    name: "imei",
    build: || Box::new(ImeiDetector),
};

pub static IMEI: KindSpec = KindSpec {
    name: "imei",
    rule_id: "Imei",
    title: "IMEI",
    description: "An IMEI singles out a mobile phone whatever SIM it holds (a \
                  quasi-identifier).",
    identifies: Identifies::InCombination,
    role: Role::Device,
    normal: Normal::Digits,
    hints: &[Hint::Imei],
    reads: &[Hint::Imei],
    mask,
    family: &FAMILY,
    examples: EXAMPLES,
    redact: super::Redaction {
        default: super::RedactAction::Keep,
        pseudonym: super::Pseudonym::Imei,
        generalise: super::Generalisation::None,
    },
    tie_rank: 0,
    competes_with: &[],
};

pub const EXAMPLES: &[Example] = &[
    ex(
        "handset 35-209900-176148-1 registered",
        &["35-209900-176148-1"],
    ),
    ex(r#"{"imei":"352099001761481"}"#, &["352099001761481"]),
    ex("IMEI: 490154203237518", &["490154203237518"]),
    ex("order 352099001761481 shipped", &[]),
    ex("IMEI: 352099001761482, 35-209900-176148-2", &[]),
    Example::csv(
        Kind::Imei,
        "device,imei\npixel,356938035643809\n",
        &["356938035643809"],
    ),
];

const fn ex(input: &'static str, expect: &'static [&'static str]) -> Example {
    Example::lines(Kind::Imei, input, expect)
}

/// The reporting bodies that allocate type allocation codes (the first two digits of an
/// IMEI), per the GSMA's TAC allocation guidelines (TS.06).
const REPORTING_BODIES: &[&[u8; 2]] = &[
    b"01", b"10", b"30", b"33", b"35", b"44", b"45", b"49", b"50", b"51", b"52", b"53", b"54",
    b"86", b"91", b"98", b"99",
];

/// Finds IMEIs at the prefilter's long-number starts and under `imei` keys.
pub struct ImeiDetector;

impl Detector for ImeiDetector {
    fn family(&self) -> &'static str {
        "imei"
    }

    fn kinds(&self) -> KindSet {
        KindSet::of(Kind::Imei)
    }

    fn classes(&self) -> Classes {
        Classes::NONE.with(Class::Number)
    }

    fn find(&self, hay: &Haystack<'_>, enabled: KindSet, out: &mut Vec<Match>) {
        if !enabled.contains(Kind::Imei) {
            return;
        }
        let bytes = hay.bytes;
        for hint in hay.hints.iter().filter(|h| h.hint == Hint::Imei) {
            if let Some((end, _)) = imei_at(bytes, hint.start) {
                if end == hint.end {
                    out.push(Match::new(hint.start, end, Kind::Imei));
                }
            }
        }
        let mut hinted = HintCursor::new(hay.hints);
        for at in hay.candidates(Class::Number) {
            if hinted.around(at).is_some_and(|h| h.hint.settles_words()) {
                continue;
            }
            let Some((end, grouped)) = imei_at(bytes, at) else {
                continue;
            };
            if grouped || cue_before(bytes, at) {
                out.push(Match::new(at, end, Kind::Imei));
            }
        }
    }
}

/// An IMEI starting at `at`: its end, and whether it was written in its groups.
fn imei_at(hay: &[u8], at: usize) -> Option<(usize, bool)> {
    if at > 0 && (hay[at - 1].is_ascii_alphanumeric() || matches!(hay[at - 1], b'-' | b'.')) {
        return None;
    }
    let mut digits = [0u8; 15];
    let mut n = 0;
    let mut i = at;
    let mut groups = Vec::with_capacity(4);
    let mut run = 0;
    while let Some(&b) = hay.get(i) {
        if b.is_ascii_digit() {
            if n == 15 {
                return None;
            }
            digits[n] = b;
            n += 1;
            run += 1;
        } else if matches!(b, b'-' | b' ')
            && run > 0
            && n < 15
            && hay.get(i + 1).is_some_and(u8::is_ascii_digit)
        {
            groups.push(run);
            run = 0;
        } else {
            break;
        }
        i += 1;
    }
    groups.push(run);
    if n != 15 || hay.get(i).is_some_and(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let grouped = match groups.as_slice() {
        [15] => false,
        [2, 6, 6, 1] | [8, 6, 1] | [6, 2, 6, 1] => true,
        _ => return None,
    };
    let valid = REPORTING_BODIES
        .iter()
        .any(|rb| digits.starts_with(&rb[..]))
        && luhn(&digits);
    valid.then_some((i, grouped))
}

/// The Luhn check over ASCII digits.
fn luhn(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Whether the word `IMEI` (any case) stands within the few bytes before `at` on its line.
fn cue_before(hay: &[u8], at: usize) -> bool {
    let from = at.saturating_sub(16);
    let before = &hay[from..at];
    let line = memchr::memrchr(b'\n', before).map_or(before, |i| &before[i + 1..]);
    line.windows(4).any(|w| w.eq_ignore_ascii_case(b"imei"))
}

/// `35-20****-******-*`: the reporting body and the first two digits of the type allocation
/// code (the maker) kept, the rest starred.
pub fn mask(value: &str) -> CompactString {
    let mut out = MaskBuf::new();
    let digits = value.bytes().filter(u8::is_ascii_digit).count();
    let mut seen = 0;
    for c in value.chars() {
        let mut buf = [0u8; 4];
        if c.is_ascii_digit() {
            seen += 1;
            out.push(if digits >= 14 && seen <= 4 {
                c.encode_utf8(&mut buf)
            } else {
                "*"
            });
        } else if c.is_ascii_alphabetic() {
            out.push("*");
        } else if c.is_ascii() {
            out.push(c.encode_utf8(&mut buf));
        }
    }
    out.finish()
}
