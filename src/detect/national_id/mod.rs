//! National identity and tax numbers of persons, with the scheme in the finding's `detail`:
//! `123-45-6789` (`us_ssn`), `AB 12 34 56 C` (`uk_nino`), `2 69 05 49 588 157 80`
//! (`fr_nir`), `65929970489` (`de_tax_id`), `12345678Z` (`es_dni_nie`), `RSSMRA85T10A562S`
//! (`it_codice_fiscale`), `111222333` (`nl_bsn`), `2345 6789 0124` (`in_aadhaar`),
//! `123.456.789-09` (`br_cpf`), `130-692-544` (`ca_sin`).
//!
//! Each scheme's shapes and checks are in [`schemes`]. The rule that keeps precision: a
//! formatted number stands alone, a bare run of digits (which passes a one-digit check by
//! chance one time in ten, and may fit several schemes at once) is a finding only under a key
//! of its scheme or of national numbers in general (`ssn`, `nino`, `national_id`, see
//! [`Hint::NationalId`]) or after a cue word of its scheme on its line (`SSN:`, `BSN`,
//! `Steuer-ID`). Under a key, the key's scheme is preferred; a formatted number of another
//! scheme is still taken.
//!
//! Candidates are the prefilter's long-number starts ([`Class::Number`]) for digit-led
//! numbers and its upper-case code starts ([`Class::Code`]) for the letter-led ones (NINO,
//! NIE, codice fiscale), and the values under national-number keys; at each, only the shapes
//! whose first run of digits has the candidate's length are tried.
//!
//! Masked whole, separators kept (`***-**-****`): no digit of a lifelong identifier is needed
//! in a report, and the last digits of some (the SSN's) serve as authenticators. Normalised
//! to letters and digits, upper-cased ([`Normal::Compact`]).

pub mod schemes;

use std::sync::OnceLock;

use compact_str::CompactString;

use super::{token, walk, Detail, Detector, Example, Haystack, Hint, Match};
use super::{Family, Identifies, Kind, KindSet, KindSpec, Normal, Role};
use crate::prefilter::{Class, Classes};
use crate::structure::keys::IdScheme;
pub use schemes::{tokens_at, Scheme, Token};

/// The national-number detector family.
pub static FAMILY: Family = Family {
    name: "national_id",
    build: || Box::new(NationalIdDetector),
};

/// Every key hint of national numbers: the generic one and one per scheme.
const HINTS: &[Hint] = &[
    Hint::NationalId(IdScheme::Any),
    Hint::NationalId(IdScheme::UsSsn),
    Hint::NationalId(IdScheme::UkNino),
    Hint::NationalId(IdScheme::FrNir),
    Hint::NationalId(IdScheme::DeTaxId),
    Hint::NationalId(IdScheme::EsDniNie),
    Hint::NationalId(IdScheme::ItCodiceFiscale),
    Hint::NationalId(IdScheme::NlBsn),
    Hint::NationalId(IdScheme::InAadhaar),
    Hint::NationalId(IdScheme::BrCpf),
    Hint::NationalId(IdScheme::CaSin),
];

pub static NATIONAL_ID: KindSpec = KindSpec {
    name: "national_id",
    rule_id: "NationalIdNumber",
    title: "National identity number",
    description: "A national identity or tax number (SSN, National Insurance number, NIR, \
                  Steuer-ID, DNI/NIE, codice fiscale, BSN, Aadhaar, CPF, SIN) is assigned to \
                  one person for life and identifies them directly.",
    identifies: Identifies::Alone,
    // It names its holder more surely than anything else in a record: beside a place or a
    // device, that record is a profile.
    role: Role::Identity,
    normal: Normal::Compact,
    hints: HINTS,
    reads: HINTS,
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
        "SSN 123-45-6789 on file, call 555-123-4567",
        &["123-45-6789"],
    ),
    ex(
        r#"{"ssn":"123456789","ref":"234567890","order":"123-45-6789x"}"#,
        &["123456789"],
    ),
    ex(r#"{"customer":{"nino":"AB123456C","sin":130692544}}"#, &["AB123456C", "130692544"]),
    ex(
        "NI number AB 12 34 56 C, n° sécurité sociale 2 69 05 49 588 157 80",
        &["AB 12 34 56 C", "2 69 05 49 588 157 80"],
    ),
    ex(
        "Steuer-ID 65929970489; DNI 12345678Z; cliente RSSMRA85T10A562S",
        &["65929970489", "12345678Z", "RSSMRA85T10A562S"],
    ),
    ex(
        "BSN: 111222333, Aadhaar 2345 6789 0124, CPF 123.456.789-09, SIN 130-692-544",
        &["111222333", "2345 6789 0124", "123.456.789-09", "130-692-544"],
    ),
    ex(
        r#"{"national_id":"111222333","tax_id":"x","notes":"NIE X1234567L"}"#,
        &["111222333", "X1234567L"],
    ),
    ex("order 123456789 shipped, took 123456782 ms", &[]),
    ex(
        r#"{"user_id":"123456789","duration":"2345 6789 0123","amount":"65 929 970 489"}"#,
        &[],
    ),
    ex(
        "QQ 12 34 56 C is HMRC's specimen; 000-12-3456, 666-12-3456 and 987-65-4321 are never issued",
        &[],
    ),
    ex(
        "total 130 692 544, sin 130692544, cpf 111.111.111-11, 4111 1111 1111 1111",
        &[],
    ),
    Example::csv(
        Kind::NationalId,
        "id,ssn,plan\n1,123-45-6789,pro\n2,000-12-3456,free\n3,987654321,pro\n4,078051121,pro\n",
        &["123-45-6789", "078051121"],
    ),
];

const fn ex(input: &'static str, expect: &'static [&'static str]) -> Example {
    Example::lines(Kind::NationalId, input, expect)
}

/// The scheme's name, interned once per process.
fn detail(scheme: Scheme) -> Detail {
    static DETAILS: OnceLock<[Detail; Scheme::ALL.len()]> = OnceLock::new();
    DETAILS.get_or_init(|| Scheme::ALL.map(|s| Detail::intern(s.name())))[scheme as usize]
}

/// Finds national numbers at the prefilter's long-number and code starts and under
/// national-number keys.
pub struct NationalIdDetector;

impl Detector for NationalIdDetector {
    fn family(&self) -> &'static str {
        "national_id"
    }

    fn kinds(&self) -> KindSet {
        KindSet::of(Kind::NationalId)
    }

    fn classes(&self) -> Classes {
        Classes::NONE.with(Class::Number).with(Class::Code)
    }

    fn find(&self, hay: &Haystack<'_>, enabled: KindSet, out: &mut Vec<Match>) {
        if !enabled.contains(Kind::NationalId) {
            return;
        }
        let bytes = hay.bytes;
        let push = |out: &mut Vec<Match>, t: Token| {
            out.push(Match::new(t.start, t.end, Kind::NationalId).with_detail(detail(t.scheme)));
        };
        let national = |h: Hint| matches!(h, Hint::NationalId(_));
        walk::hinted_starts(hay, national, |value, at| {
            let Hint::NationalId(id) = value.hint else {
                return None;
            };
            let named = Scheme::of_key(id);
            // The key's own scheme first, bare or not; else a number formatted as another
            // scheme's; under a generic key, the first scheme that validates.
            let mut best: Option<Token> = None;
            tokens_at(bytes, at, |t| {
                let rank = |t: &Token| match named {
                    Some(s) if s == t.scheme => 0,
                    None => 0,
                    Some(_) if t.standalone => 1,
                    Some(_) => 2,
                };
                if t.end <= value.end && rank(&t) < 2 && best.is_none_or(|b| rank(&t) < rank(&b)) {
                    best = Some(t);
                }
            });
            let t = best?;
            push(out, t);
            Some(t.end)
        });
        let mut numbers = hay.candidates(Class::Number).peekable();
        let mut codes = hay.candidates(Class::Code).peekable();
        // The two lists, merged in increasing order.
        let next = || match (numbers.peek(), codes.peek()) {
            (Some(&n), Some(&c)) if c < n => codes.next(),
            (Some(_), _) => numbers.next(),
            (None, _) => codes.next(),
        };
        let starts = std::iter::from_fn(next).map(|at| at + usize::from(bytes[at] == b'('));
        let best = |at| best_at(bytes, at);
        walk::unsettled_starts(hay, starts, national, best, |t| {
            push(out, t);
            Some(t.end)
        });
    }
}

/// The token at `at` that stands on its own: a formatted one, else a bare one after a cue of
/// its scheme (the first scheme in [`Scheme::ALL`] order whose cue is there).
fn best_at(bytes: &[u8], at: usize) -> Option<Token> {
    let mut formatted = None;
    let mut bare = [None; 3];
    let mut n = 0;
    tokens_at(bytes, at, |t| {
        if t.standalone {
            formatted = formatted.or(Some(t));
        } else if n < bare.len() {
            bare[n] = Some(t);
            n += 1;
        }
    });
    formatted.or_else(|| {
        bare.into_iter()
            .flatten()
            .find(|t| t.scheme.has_cue(bytes, t.start))
    })
}

/// `***-**-****`: every letter and digit starred, separators kept.
pub fn mask(value: &str) -> CompactString {
    token::mask_with(value, |_, _| false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_hide_every_digit() {
        let cases: &[(&str, &str)] = &[
            ("123-45-6789", "***-**-****"),
            ("AB 12 34 56 C", "** ** ** ** *"),
            ("123.456.789-09", "***.***.***-**"),
            ("RSSMRA85T10A562S", "****************"),
        ];
        for &(value, masked) in cases {
            assert_eq!(mask(value), masked, "{value}");
        }
        assert_eq!(Normal::Compact.apply(b"ab 12 34 56 c"), "AB123456C");
    }

    #[test]
    fn details_are_the_schemes_names() {
        for s in Scheme::ALL {
            assert_eq!(detail(s).name(), Some(s.name()));
        }
    }

    /// At most three schemes share a bare shape (nine digits: SSN, BSN, SIN), which is what
    /// [`best_at`] has room for.
    #[test]
    fn at_most_three_bare_tokens_start_together() {
        for text in ["123456782", "111222333", "12345678909", "234567890124"] {
            let mut n = 0;
            tokens_at(text.as_bytes(), 0, |t| n += usize::from(!t.standalone));
            assert!((1..=3).contains(&n), "{text}: {n}");
        }
    }
}
