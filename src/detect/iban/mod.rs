//! International Bank Account Numbers (ISO 13616): `DE89 3704 0044 0532 0130 00`,
//! `GB29NWBK60161331926819`.
//!
//! An IBAN is a country code, two check digits and a BBAN whose length and structure each
//! country registers with SWIFT (the IBAN registry, [`registry`]): `DE` is 18 digits, `GB`
//! four letters and 14 digits, and so on. The check digits make the whole string, rearranged
//! and read as a number with letters as 10-35, equal 1 modulo 97. Country, exact length,
//! per-position character classes and mod 97 together leave a random string about one chance
//! in 97 × (the structure's rarity) of passing, so an IBAN stands alone in both its electronic
//! (compact) and its printed form (groups of four separated by spaces, the last group
//! shorter): no key or cue is needed.
//!
//! Candidates are the prefilter's upper-case code starts ([`Class::Code`]: a capital at a word
//! start followed by a capital or a digit, in a run of capitals, digits and blanks), turned
//! away at their third and fourth bytes (the check digits) and by a table of the registry's
//! country codes before anything else is read; plus the values under IBAN keys, where an IBAN
//! written in lower case is taken too. Mod 97 is computed on a `u64` remainder reduced only
//! when it nears 10^15: no big numbers, a few divisions per IBAN.
//!
//! Masks keep the country code and the last four characters (`DE** **** **** **** **30 00`):
//! the country is what a report needs to triage and is no secret; the check digits are hidden
//! because they are a function of the rest; the last four are what banks themselves print on
//! statements to tell accounts apart. Normalised to the electronic form
//! ([`Normal::Compact`]).

#[rustfmt::skip]
mod registry;

use compact_str::CompactString;

use super::token;
use super::{walk, Detector, Example, Haystack, Hint, Match};
use super::{Family, Identifies, Kind, KindSet, KindSpec, Normal, Role};
use crate::prefilter::{self, Classes};

/// The IBAN detector family.
pub static FAMILY: Family = Family {
    name: "iban",
    build: || Box::new(IbanDetector),
};

pub static IBAN: KindSpec = KindSpec {
    name: "iban",
    rule_id: "Iban",
    title: "IBAN",
    description: "An International Bank Account Number names one bank account and, through \
                  it, its holder: it identifies them directly and is the key to direct debits \
                  in their name.",
    identifies: Identifies::Alone,
    // The holder of an account is a person as surely as the owner of an e-mail address: a
    // record that holds one beside a place or a device is a profile.
    role: Role::Identity,
    normal: Normal::Compact,
    hints: &[Hint::Iban],
    reads: &[Hint::Iban],
    mask,
    family: &FAMILY,
    examples: EXAMPLES,
    // Masked by default, as a payment or identity number must not travel whole; a
    // pseudonym on request is an opaque `id-` token (no test range of its own yet).
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
        "refund to IBAN DE89 3704 0044 0532 0130 00 today",
        &["DE89 3704 0044 0532 0130 00"],
    ),
    ex(
        r#"{"iban":"GB29NWBK60161331926819","payee":"NL91ABNA0417164300"}"#,
        &["GB29NWBK60161331926819", "NL91ABNA0417164300"],
    ),
    ex(
        r#"{"iban":"fr1420041010050500013m02606"}"#,
        &["fr1420041010050500013m02606"],
    ),
    ex(
        "Überweisung an AT61 1904 3002 3457 3201, Zweck 4711",
        &["AT61 1904 3002 3457 3201"],
    ),
    ex(
        "GB29NWBK60161331926818 DE89370400440532013000X XDE89370400440532013000",
        &[],
    ),
    ex(
        "DE89 3704 0044 0532 0130 001, DE89 37040044 0532 0130 00, de89370400440532013000",
        &[],
    ),
    ex(
        "INFO 2024 GET /api ABCD1234EFGH5678 SKU1234567890 US1234567890123456 ES00 0000",
        &[],
    ),
    Example::csv(
        Kind::Iban,
        "id,account,amount\n1,BE68 5390 0754 7034,12.50\n2,BE68539007547035,3.00\n",
        &["BE68 5390 0754 7034"],
    ),
];

const fn ex(input: &'static str, expect: &'static [&'static str]) -> Example {
    Example::lines(Kind::Iban, input, expect)
}

/// Finds IBANs at the prefilter's upper-case code starts and under IBAN keys.
pub struct IbanDetector;

impl Detector for IbanDetector {
    fn family(&self) -> &'static str {
        "iban"
    }

    fn kinds(&self) -> KindSet {
        KindSet::of(Kind::Iban)
    }

    fn classes(&self) -> Classes {
        Classes::NONE.with(prefilter::Class::Code)
    }

    fn find(&self, hay: &Haystack<'_>, enabled: KindSet, out: &mut Vec<Match>) {
        if !enabled.contains(Kind::Iban) {
            return;
        }
        let bytes = hay.bytes;
        // Under an IBAN key, one written in lower case too.
        walk::hinted_starts(
            hay,
            |h| h == Hint::Iban,
            |value, at| {
                let t = token_at(bytes, at).filter(|t| t.end <= value.end)?;
                out.push(Match::new(t.start, t.end, Kind::Iban));
                Some(t.end)
            },
        );
        let starts = hay.candidates(prefilter::Class::Code);
        let iban = |at| token_at(bytes, at);
        walk::unsettled_starts(
            hay,
            starts,
            |h| h == Hint::Iban,
            iban,
            |t| {
                out.push(Match::new(t.start, t.end, Kind::Iban));
                Some(t.end)
            },
        );
    }
}

/// A BBAN character class of the registry: `n` digits, `a` upper-case letters, `c` letters
/// and digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Digit,
    Alpha,
    Alnum,
}

impl Class {
    /// Whether an (upper-cased) byte belongs to the class.
    fn admits(self, b: u8) -> bool {
        match self {
            Class::Digit => b.is_ascii_digit(),
            Class::Alpha => b.is_ascii_uppercase(),
            Class::Alnum => b.is_ascii_uppercase() || b.is_ascii_digit(),
        }
    }
}

/// One country of the IBAN registry.
#[derive(Debug)]
pub struct Country {
    pub code: [u8; 2],
    /// IBAN length, country code and check digits included.
    pub len: u8,
    /// BBAN structure: runs of `(count, class)`.
    pub bban: &'static [(u8, Class)],
}

/// The registry entry of a two-letter country code (either case).
pub fn country(code: &[u8]) -> Option<&'static Country> {
    let [a, b] = code else { return None };
    let (a, b) = (a.to_ascii_uppercase(), b.to_ascii_uppercase());
    if !a.is_ascii_uppercase() || !b.is_ascii_uppercase() {
        return None;
    }
    let i = registry::INDEX[usize::from(a - b'A') * 26 + usize::from(b - b'A')];
    registry::COUNTRIES.get(usize::from(i))
}

/// Every country of the registry, sorted by code.
pub fn countries() -> &'static [Country] {
    &registry::COUNTRIES
}

/// True when `compact` (no spaces; letters in either case) is a valid IBAN: a registry
/// country, that country's length and BBAN structure, check digits 02-98, and mod 97 == 1.
pub fn validate(compact: &[u8]) -> bool {
    let Some(c) = compact.get(..2).and_then(country) else {
        return false;
    };
    if compact.len() != usize::from(c.len) {
        return false;
    }
    let check = match compact[2..4] {
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => (a - b'0') * 10 + (b - b'0'),
        _ => return false,
    };
    if !(2..=98).contains(&check) {
        return false;
    }
    let bban = &compact[4..];
    let mut i = 0;
    for &(n, class) in c.bban {
        for _ in 0..n {
            match bban.get(i) {
                Some(&b) if class.admits(b.to_ascii_uppercase()) => i += 1,
                _ => return false,
            }
        }
    }
    if i != bban.len() {
        return false;
    }
    // Mod 97 over the BBAN, the country code and the check digits, letters as 10..=35.
    let mut rem = 0u64;
    for &b in bban.iter().chain(&compact[..4]) {
        let b = b.to_ascii_uppercase();
        rem = if b.is_ascii_digit() {
            rem * 10 + u64::from(b - b'0')
        } else {
            rem * 100 + u64::from(b - b'A') + 10
        };
        if rem >= 1_000_000_000_000_000 {
            rem %= 97;
        }
    }
    rem % 97 == 1
}

/// An IBAN token found in a haystack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    /// True for the printed form (groups of four separated by single spaces).
    pub grouped: bool,
}

/// The IBAN token that starts at `pos`, if one does and it validates: two letters of a
/// registry country at a token boundary, then either exactly the country's length of letters
/// and digits (compact), or groups of four separated by single spaces whose characters add
/// up to that length (printed). The letters must be all upper case or all lower case.
pub fn token_at(hay: &[u8], pos: usize) -> Option<Token> {
    let head = hay.get(pos..pos + 4)?;
    // The check digits first: most upper-case words fail there, before the table.
    if !head[2].is_ascii_digit() || !head[3].is_ascii_digit() || !head[0].is_ascii_alphabetic() {
        return None;
    }
    let c = country(&head[..2])?;
    if !token::left_ok(hay, pos) {
        return None;
    }
    let len = usize::from(c.len);
    let mut buf = [0u8; 34];
    let (end, grouped) = if hay.get(pos + 4) == Some(&b' ') {
        // Printed: CCdd then " xxxx" groups; the last may be shorter.
        buf[..4].copy_from_slice(head);
        let mut n = 4;
        let mut at = pos + 4;
        while n < len {
            if hay.get(at) != Some(&b' ') {
                return None;
            }
            at += 1;
            let want = (len - n).min(4);
            let group = hay.get(at..at + want)?;
            if !group.iter().all(u8::is_ascii_alphanumeric) {
                return None;
            }
            buf[n..n + want].copy_from_slice(group);
            n += want;
            at += want;
        }
        (at, true)
    } else {
        let end = pos + len;
        let all = hay.get(pos..end)?;
        if !all.iter().all(u8::is_ascii_alphanumeric) {
            return None;
        }
        buf[..len].copy_from_slice(all);
        (end, false)
    };
    if !token::right_ok(hay, end) {
        return None;
    }
    let compact = &buf[..len];
    let upper = compact.iter().any(u8::is_ascii_uppercase);
    let lower = compact.iter().any(u8::is_ascii_lowercase);
    if (upper && lower) || !validate(compact) {
        return None;
    }
    Some(Token {
        start: pos,
        end,
        grouped,
    })
}

/// `DE** **** **** **** **30 00`: the country code and the last four characters, spaces
/// kept; a value too short to be an IBAN is starred whole.
pub fn mask(value: &str) -> CompactString {
    token::mask_with(value, |i, n| n >= 15 && (i < 2 || i + 4 >= n))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every IBAN token in a haystack, left to right: the scanner the vectors are held to.
    fn tokens(hay: &[u8]) -> Vec<Token> {
        let mut out = Vec::new();
        token::for_each_start(hay, 0, hay.len(), |at| {
            let t = token_at(hay, at)?;
            out.push(t);
            Some(t.end)
        });
        out
    }

    #[test]
    fn registry_is_consistent() {
        assert_eq!(countries().len(), 89);
        for c in countries() {
            let bban: usize = c.bban.iter().map(|&(n, _)| usize::from(n)).sum();
            assert_eq!(bban + 4, usize::from(c.len), "{:?}", c.code);
            assert!(std::ptr::eq(country(&c.code).unwrap(), c));
            assert!((15..=34).contains(&c.len));
        }
        assert!(country(b"XX").is_none());
        assert!(country(b"GP").is_none(), "territories use FR");
        assert!(country(b"1A").is_none());
        assert_eq!(country(b"de").map(|c| c.len), Some(22));
    }

    #[test]
    fn validation() {
        let cases: &[(&str, bool)] = &[
            ("DE89370400440532013000", true),
            ("de89370400440532013000", true),
            ("GB29NWBK60161331926819", true),
            ("DE89370400440532013001", false),
            ("DE98370400440532013000", false),
            ("DE8937040044053201300", false),
            ("DE893704004405320130000", false),
            ("XX89370400440532013000", false),
            ("GB29NWBK6016133192681A", false),
            ("DE00370400440532013000", false),
            ("DE99370400440532013000", false),
            ("", false),
            ("DE", false),
            ("DE8", false),
        ];
        for &(iban, want) in cases {
            assert_eq!(validate(iban.as_bytes()), want, "{iban}");
        }
    }

    /// 99 = 2 (mod 97): an IBAN whose check digits are 02 also passes mod 97 with 99, which
    /// ISO 13616 does not allow.
    #[test]
    fn check_digit_aliases_are_refused() {
        let mut base = *b"DE02370400440532013000";
        let twin = (0..1000u32).find_map(|k| {
            base[12..].copy_from_slice(format!("{:010}", 532013000 + k).as_bytes());
            validate(&base).then_some(base)
        });
        let mut twin = twin.expect("a DE IBAN with check digits 02");
        twin[2..4].copy_from_slice(b"99");
        assert!(!validate(&twin));
    }

    #[test]
    fn both_forms_are_found_whole() {
        let cases: &[(&str, Option<(&str, bool)>)] = &[
            (
                "iban DE89370400440532013000.",
                Some(("DE89370400440532013000", false)),
            ),
            (
                "DE89 3704 0044 0532 0130 00 EUR",
                Some(("DE89 3704 0044 0532 0130 00", true)),
            ),
            (
                "GB29 NWBK 6016 1331 9268 19",
                Some(("GB29 NWBK 6016 1331 9268 19", true)),
            ),
            (
                "\"nl91abna0417164300\"",
                Some(("nl91abna0417164300", false)),
            ),
            (
                "NL91 ABNA 0417 1643 00",
                Some(("NL91 ABNA 0417 1643 00", true)),
            ),
            ("Nl91ABNA0417164300", None),
            ("XDE89370400440532013000", None),
            ("DE89370400440532013000X", None),
            ("DE89 3704 0044 0532 0130 001", None),
            ("DE89 37040044 0532 0130 00", None),
            ("DE89  3704 0044 0532 0130 00", None),
            ("DE8937040044053201300", None),
            ("sha DE0123456789abcdef0123", None),
        ];
        for &(text, want) in cases {
            let got = tokens(text.as_bytes())
                .first()
                .map(|t| (&text[t.start..t.end], t.grouped));
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn masks_keep_the_country_and_the_last_four() {
        let cases: &[(&str, &str)] = &[
            ("DE89 3704 0044 0532 0130 00", "DE** **** **** **** **30 00"),
            ("DE89370400440532013000", "DE****************3000"),
            ("nl91abna0417164300", "nl************4300"),
            ("DE89", "****"),
        ];
        for &(value, masked) in cases {
            assert_eq!(mask(value), masked, "{value}");
        }
        assert_eq!(
            Normal::Compact.apply(b"nl91 abna 0417 1643 00"),
            "NL91ABNA0417164300"
        );
    }

    /// The labelled vectors (every registry country among the valid rows): validation as the
    /// oracles say, and the scanner takes each valid one whole, grouped when it is printed.
    #[test]
    fn vectors() {
        let rows = token::vectors::rows("iban");
        for c in countries() {
            let code = std::str::from_utf8(&c.code).unwrap();
            assert!(
                rows.iter()
                    .any(|r| r.expected == "1" && r.input.starts_with(code)),
                "{code}"
            );
        }
        let mut failures = Vec::new();
        for r in &rows {
            let want = r.expected == "1";
            let compact: Vec<u8> = r.input.bytes().filter(|b| *b != b' ').collect();
            if validate(&compact) != want {
                failures.push(format!(
                    "line {}: {} want {want} ({})",
                    r.line, r.input, r.note
                ));
                continue;
            }
            let toks = tokens(r.input.as_bytes());
            let whole = toks.len() == 1 && toks[0].start == 0 && toks[0].end == r.input.len();
            if whole != want || (want && toks[0].grouped != r.input.contains(' ')) {
                failures.push(format!("line {}: {} scanned as {toks:?}", r.line, r.input));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
