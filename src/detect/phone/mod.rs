//! Phone numbers: `+44 20 7946 0958`, `(201) 555-0123`, `06 12 34 56 78`, in profiles,
//! support tickets and free text.
//!
//! Digit runs are everywhere in telemetry (timestamps, ids, prices, versions), so a phone is
//! not "7 to 15 digits": a candidate from the prefilter's long-number starts is measured by
//! [`shape`] (typed separators, brackets, `ext.`; dates, times, IPs, versions and decimals
//! turned away before any validation), then validated against libphonenumber's numbering plans
//! ([`number`]: every region for `+CC ...`, national formats for the 25 most populous
//! countries and the EU members). A `+` number must be valid for its calling code; a national
//! number needs a phone key or column above it, a phone-like grouping, or a cue word before it
//! (`Tel.`, `Handy`, `电话：`, `sent to`, `my number is`, see [`cues`]); a bare 10- or 13-digit
//! run starting with 1 reads as an epoch time and needs a key ([`decide`]). A log field or
//! query parameter named as a phone key (`phone_number=0342-718 2564`, `?phone=%2B49...`) is
//! judged as a value under that key ([`param`]), and numbers written in other scripts' digits
//! (`০১৭১১-২৩৪৫৬৭`) are folded to ASCII digits and judged the same way ([`digits`]).
//!
//! Normalised to E.164 (`+442079460958`), so that one number however written is one value for
//! distinct counts, allowlists and baselines.

mod cues;
mod decide;
mod digits;
#[rustfmt::skip]
mod generated;
mod number;
mod param;
mod plan;
mod shape;
#[cfg(test)]
mod tests;

pub use generated::{EU_MEMBERS, METADATA_VERSION, NATIONAL_ORDER, TOP25};
pub use number::*;
pub use plan::{compile_all, compiled_memory_usage};

use compact_str::CompactString;

use super::{Detector, Example, Haystack, Hint, HintCursor, MaskBuf, Match};
use super::{Family, Identifies, Kind, KindSet, KindSpec, Normal, Role};
use crate::prefilter::{Class, Classes};

/// The phone detector family.
pub static FAMILY: Family = Family {
    name: "phone",
    build: || Box::new(PhoneDetector),
};

pub static PHONE: KindSpec = KindSpec {
    name: "phone",
    rule_id: "PhoneNumber",
    title: "Phone number",
    description: "A phone number reaches a person directly and identifies them.",
    identifies: Identifies::Alone,
    role: Role::Identity,
    normal: Normal::Phone,
    hints: &[Hint::Phone],
    reads: &[Hint::Phone],
    mask,
    family: &FAMILY,
    examples: EXAMPLES,
    redact: crate::detect::Redaction {
        default: crate::detect::RedactAction::Pseudonymise,
        pseudonym: crate::detect::Pseudonym::Phone,
        generalise: crate::detect::Generalisation::None,
    },
    // A span that a phone reading and a payment card, IBAN or national number share (`074 75
    // 6900` is an SSN as printed and a plausible national phone number) goes to the other
    // kind: its reading rests on check digits or a printed shape of its own, the phone's on a
    // numbering plan that admits most digit runs. A phone key or column still decides.
    tie_rank: 1,
    competes_with: &[],
};

pub const EXAMPLES: &[Example] = &[
    ex(
        "Call +44 20 7946 0958 or (201) 555-0123 today",
        &["+44 20 7946 0958", "(201) 555-0123"],
    ),
    ex(r#"{"$phone":"+1 201-555-0123"}"#, &["+1 201-555-0123"]),
    ex(
        r#"{"phone":"2015550123","time":1700000000}"#,
        &["2015550123"],
    ),
    ex(
        "tel:+33612345678; Tel. 030 12345678",
        &["+33612345678", "030 12345678"],
    ),
    ex(
        "+1 (201) 555-0123 ext. 1234",
        &["+1 (201) 555-0123 ext. 1234"],
    ),
    ex(
        r#"{"time":1700000000123,"order_id":"20240115000123","amount":"1234567.89"}"#,
        &[],
    ),
    ex(
        "at 2024-01-15 10:30:00 from 192.168.100.200 build 7.26.6.235 isbn 978-3-16-148410-0",
        &[],
    ),
    ex("order 4111 1111 1111 1111 shipped in 12345678 ms", &[]),
    // A key that rules out identifiers (a version, an address, what an SDK writes) is not
    // searched for one; the same number under a key of no known meaning is.
    ex(
        r#"{"app_version":"+44 20 7946 0958","$insert_id":"+1 201-555-0123","note":"+33 6 12 34 56 78"}"#,
        &["+33 6 12 34 56 78"],
    ),
    Example::csv(
        Kind::Phone,
        "id,mobile,plan\n1,07911 123456,pro\n2,n/a,free\n",
        &["07911 123456"],
    ),
];

const fn ex(input: &'static str, expect: &'static [&'static str]) -> Example {
    Example::lines(Kind::Phone, input, expect)
}

/// Finds phone numbers at the prefilter's long-number starts and under phone keys.
pub struct PhoneDetector;

impl Detector for PhoneDetector {
    fn family(&self) -> &'static str {
        "phone"
    }

    fn kinds(&self) -> KindSet {
        KindSet::of(Kind::Phone)
    }

    fn classes(&self) -> Classes {
        Classes::NONE.with(Class::Number).with(Class::Secret)
    }

    fn find(&self, hay: &Haystack<'_>, enabled: KindSet, out: &mut Vec<Match>) {
        if !enabled.contains(Kind::Phone) {
            return;
        }
        let bytes = hay.bytes;
        // Values under a phone key: any valid number in them is a phone.
        for hint in hay.hints.iter().filter(|h| h.hint == Hint::Phone) {
            let value = &bytes[hint.start..hint.end];
            let mut push = |start: usize, end: usize| {
                out.push(Match::new(
                    hint.start + start,
                    hint.start + end,
                    Kind::Phone,
                ))
            };
            if !value.is_ascii() && digits::has_digit(value) {
                digits::phones_in_value(value, push);
            } else {
                decide::find_phones(value, true, |found| push(found.start, found.end));
            }
        }
        let mut hinted = HintCursor::new(hay.hints);
        let mut done = 0;
        for at in hay.candidates(Class::Number) {
            if at < done || hinted.around(at).is_some_and(|h| h.hint.settles_words()) {
                continue;
            }
            if shape::quick_skip(bytes, at).is_some() || dotted_not_phone(bytes, at) {
                continue;
            }
            let scanned = shape::scan_span(bytes, at);
            let Some(token) = scanned.token else {
                done = scanned.end;
                continue;
            };
            let key_hint = hay.hint_around(token.start, token.end) == Some(Hint::Phone);
            if decide::decide(bytes, &token, key_hint).is_some() {
                out.push(Match::new(token.start, token.ext_end, Kind::Phone));
                done = token.ext_end;
            } else {
                done = token.end;
            }
        }
        // `০১৭১১-২৩৪৫৬৭`: digits of other scripts, folded ([`digits`]).
        let mut hinted = HintCursor::new(hay.hints);
        digits::phones_in_text(
            bytes,
            |at| hinted.around(at).is_some_and(|h| h.hint == Hint::Phone),
            |start, end| out.push(Match::new(start, end, Kind::Phone)),
        );
        // `?phone=%2B4930...`: a phone parameter's value, percent-decoded ([`param`]).
        for at in hay.candidates(Class::Secret) {
            if bytes[at] == b'=' {
                param::phones_in_param(bytes, at, |start, end| {
                    out.push(Match::new(start, end, Kind::Phone));
                });
            }
        }
    }
}

/// Whether the digits at `at` are a dotted token that [`shape::scan_span`] is sure to turn
/// away: groups of digits joined by single dots (an IPv4 address, a version such as
/// `11.17.44.66`), ending at a byte that can neither continue a phone token nor start an
/// extension, and either of fewer than [`shape::MIN_DIGITS`] digits, or four groups of at
/// most three digits, or with a one-digit second group (`2.1.250`). Telemetry is full of
/// them (an `app_version` or `ip` on every event); this reads a few bytes where the scanner
/// would build a token. No candidate lies inside such a token (every byte there follows a
/// digit or a dot), so skipping it changes nothing else.
fn dotted_not_phone(h: &[u8], at: usize) -> bool {
    let mut groups = [0u8; shape::MAX_GROUPS];
    let mut k = 0;
    let mut digits = 0;
    let mut i = at;
    loop {
        let run = h
            .get(i..)
            .map_or(0, |r| r.iter().take_while(|b| b.is_ascii_digit()).count());
        if run == 0 || k == shape::MAX_GROUPS || run > usize::from(u8::MAX) {
            return false;
        }
        groups[k] = run as u8;
        k += 1;
        digits += run;
        i += run;
        match h.get(i) {
            Some(b'.') => i += 1,
            None | Some(b'"' | b',' | b'\n' | b'\r' | b'}' | b']' | b'\'' | b')' | b'\\') => break,
            Some(_) => return false,
        }
    }
    let g = &groups[..k];
    k >= 2
        && (digits < shape::MIN_DIGITS
            || (k == 4 && g.iter().all(|&l| l <= 3))
            || (k >= 3 && g[1] == 1))
}

/// The E.164 form of a phone number as written (`+44 (0)20 7946-0958`), when it parses.
pub fn e164(text: &[u8]) -> Option<String> {
    if !text.is_ascii() && digits::has_digit(text) {
        let folded = digits::Folded::new(text, 0, text.len())?;
        return e164(folded.bytes());
    }
    let at = text
        .iter()
        .position(|&b| b.is_ascii_digit() || b == b'+' || b == b'(')?;
    let token = shape::scan(text, at)?;
    let phone = if token.has_plus {
        parse_international(token.digits.as_bytes())?
    } else {
        parse_national_any_grouped(token.digits.as_bytes(), token.group_lengths())?
    };
    Some(phone.e164().to_string())
}

/// `+44 ** **** **58`: of a number of seven digits or more, the `+` and the first two digits
/// after it (the calling code, or part of it) and the last two digits; every other digit and
/// letter starred, separators kept.
pub fn mask(value: &str) -> CompactString {
    // Digits of any script (`০১৭১১-২৩৪৫৬৭`).
    let is_digit = |c: char| c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric());
    let digits = value.chars().filter(|&c| is_digit(c)).count();
    let plus = value.trim_start().starts_with('+');
    let mut seen = 0;
    let mut out = MaskBuf::new();
    for c in value.chars() {
        if is_digit(c) {
            seen += 1;
            let shown = digits >= 7 && ((plus && seen <= 2) || seen > digits - 2);
            let mut buf = [0u8; 4];
            out.push(if shown { c.encode_utf8(&mut buf) } else { "*" });
        } else if c.is_ascii_alphabetic() {
            // `ext`, `x`: nothing a mask may show of a value that is not a number.
            out.push("*");
        } else if c.is_ascii() {
            let mut buf = [0u8; 4];
            out.push(c.encode_utf8(&mut buf));
        }
    }
    out.finish()
}

#[cfg(test)]
mod dotted_tests {
    use super::dotted_not_phone;
    use super::shape::scan_span;

    /// `(input, turned away by the quick test)`: where it answers yes, the scanner must turn
    /// the bytes away too, or skipping them would lose a phone.
    const CASES: &[(&str, bool)] = &[
        (r#"11.17.44.66""#, true),
        (r#"192.168.100.200","#, true),
        ("10.0.0.12\n", true),
        ("2.1.250.7}", true),
        ("7.26.6.235", true),
        ("11.17.44\"", true),
        ("11.17.4466]", false),
        ("1.2.34567890)", true),
        // Not dotted quads of short groups, or continued: left to the scanner.
        ("06.12.34.56.78\"", false),
        ("555.123.4567\"", false),
        ("0012.3456.789a", false),
        ("11.17.44.66 ext 5", false),
        ("11.17.44.66;ext=12345678", false),
        ("11.17.44.66-5551234", false),
        ("11.17.44.66.", false),
        ("12345678\"", false),
        ("+1.201.555.0123\"", false),
    ];

    #[test]
    fn dotted_tokens_it_skips_are_turned_away_by_the_scanner() {
        for &(input, skipped) in CASES {
            let h = input.as_bytes();
            assert_eq!(dotted_not_phone(h, 0), skipped, "{input:?}");
            if skipped {
                assert!(
                    scan_span(h, 0).token.is_none(),
                    "{input:?} scans as a phone"
                );
            }
        }
    }
}
