//! Payment card numbers (PANs): `4111 1111 1111 1111`, `3782 822463 10005`, and bare runs of
//! digits under a card key or after a card cue.
//!
//! A PAN is 12 to 19 digits whose last is a Luhn check digit (ISO/IEC 7812-1). The Luhn
//! check alone is weak: one random number in ten passes it, and exports are full of 12-19
//! digit numbers (epoch milliseconds, order ids, ISBN-13s, tracking numbers). So a number is
//! a card only when, in addition, its leading digits fall in the IIN range of a card scheme
//! *and* its length is one that scheme issues ([`RANGES`]): that alone rules out every epoch
//! (they start with 1), every ISBN (978/979) and most ids. What remains ambiguous is an
//! unformatted run of digits: it is a card only under a card key or column
//! ([`Hint::Card`]) or after a card cue on its line ([`CUES`]). A number grouped the way
//! cards are printed (4-4-4-4, Amex 4-6-5, Diners 4-6-4, Maestro 4-4-4) stands alone.
//!
//! Candidates are the prefilter's long-number starts ([`Class::Number`]) and the values under
//! card keys; each is rejected at its first bytes unless it is a run of digits of a card's
//! length or a first group of four.
//!
//! Masks follow PCI DSS v4.0 requirement 3.4.1: at most the last four digits are shown.
//! Normalised to the digits alone ([`Normal::Digits`]).

use compact_str::CompactString;

use super::token::{self, cue, Cue};
use super::{walk, Detector, Example, Haystack, Hint, Match};
use super::{Family, Identifies, Kind, KindSet, KindSpec, Normal, Role};
use crate::prefilter::{Class, Classes};

/// The payment card detector family.
pub static FAMILY: Family = Family {
    name: "credit_card",
    build: || Box::new(CardDetector),
};

pub static CREDIT_CARD: KindSpec = KindSpec {
    name: "credit_card",
    rule_id: "PaymentCardNumber",
    title: "Payment card number",
    description: "A payment card number (PAN) belongs to one cardholder: it identifies them \
                  directly, and PCI DSS forbids storing it in the clear.",
    identifies: Identifies::Alone,
    // A card number names its holder as surely as an e-mail address: a record that holds it
    // beside a place or a device is a profile.
    role: Role::Identity,
    normal: Normal::Digits,
    hints: &[Hint::Card],
    reads: &[Hint::Card],
    mask,
    family: &FAMILY,
    examples: EXAMPLES,
    // Masked by default, as a payment number must not travel whole; a pseudonym on request
    // is a Luhn-valid number of an industry no card issuer belongs to (`000000…`).
    redact: crate::detect::Redaction {
        default: crate::detect::RedactAction::Mask,
        pseudonym: crate::detect::Pseudonym::Card,
        generalise: crate::detect::Generalisation::None,
    },
    tie_rank: 0,
    competes_with: &[],
};

pub const EXAMPLES: &[Example] = &[
    ex(
        "paid with card 4111 1111 1111 1111 exp 12/27",
        &["4111 1111 1111 1111"],
    ),
    ex(
        "amex 3782-822463-10005 declined, retry 5555 5555 5555 4444",
        &["3782-822463-10005", "5555 5555 5555 4444"],
    ),
    ex("Visa: 4012888888881881", &["4012888888881881"]),
    ex(
        r#"{"card_number":"5105105105105100","time":1700000000123}"#,
        &["5105105105105100"],
    ),
    ex(r#"{"cc":{"pan":6011111111111117}}"#, &["6011111111111117"]),
    ex(
        r#"{"note":"customer card (4000 0566 5566 5556) declined"}"#,
        &["4000 0566 5566 5556"],
    ),
    ex(
        r#"{"order_id":"4111111111111111","ts":1700000000123,"amount":"4012888888881881.00"}"#,
        &[],
    ),
    ex(
        "isbn 978-3-16-148410-0 and 9780306406157, ean 4006381333931, epoch 1700000000123",
        &[],
    ),
    ex(
        "ids 1234 5678 9012 3456 and 1234 4111 1111 1111 1111 and 4111 1111 1111 1112",
        &[],
    ),
    ex(
        "sku SKU-4111111111111111, hex 0x4111111111111111, deadbeef4111111111111111",
        &[],
    ),
    Example::csv(
        Kind::CreditCard,
        "id,card_number,plan\n1,4242424242424242,pro\n2,n/a,free\n3,1234567890123456,pro\n",
        &["4242424242424242"],
    ),
    Example::csv(
        Kind::CreditCard,
        "id,note\n1,\"paid 3622 720627 1667 ok\"\n2,order 4242424242424242\n",
        &["3622 720627 1667"],
    ),
];

const fn ex(input: &'static str, expect: &'static [&'static str]) -> Example {
    Example::lines(Kind::CreditCard, input, expect)
}

/// Finds card numbers at the prefilter's long-number starts and under card keys.
pub struct CardDetector;

impl Detector for CardDetector {
    fn family(&self) -> &'static str {
        "credit_card"
    }

    fn kinds(&self) -> KindSet {
        KindSet::of(Kind::CreditCard)
    }

    fn classes(&self) -> Classes {
        Classes::NONE.with(Class::Number)
    }

    fn find(&self, hay: &Haystack<'_>, enabled: KindSet, out: &mut Vec<Match>) {
        if !enabled.contains(Kind::CreditCard) {
            return;
        }
        let bytes = hay.bytes;
        // Under a card key any number that validates is a card, grouped or bare.
        walk::hinted_starts(
            hay,
            |h| h == Hint::Card,
            |value, at| {
                let t = token_at(bytes, at).filter(|t| t.end <= value.end)?;
                out.push(Match::new(t.start, t.end, Kind::CreditCard));
                Some(t.end)
            },
        );
        // A card in brackets: the prefilter lists the bracket, which is not glued to what
        // comes before it.
        let starts = hay
            .candidates(Class::Number)
            .map(|at| at + usize::from(bytes[at] == b'('));
        let card = |at| token_at(bytes, at);
        walk::unsettled_starts(
            hay,
            starts,
            |h| h == Hint::Card,
            card,
            |t| {
                let alone = t.standalone || token::has_cue_before(bytes, t.start, &[CUES]);
                alone.then(|| {
                    out.push(Match::new(t.start, t.end, Kind::CreditCard));
                    t.end
                })
            },
        );
    }
}

/// A card scheme (brand).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    Visa,
    Mastercard,
    Amex,
    Discover,
    Jcb,
    UnionPay,
    Diners,
    Maestro,
    Mir,
}

impl Scheme {
    pub const ALL: [Scheme; 9] = [
        Scheme::Visa,
        Scheme::Mastercard,
        Scheme::Amex,
        Scheme::Discover,
        Scheme::Jcb,
        Scheme::UnionPay,
        Scheme::Diners,
        Scheme::Maestro,
        Scheme::Mir,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scheme::Visa => "visa",
            Scheme::Mastercard => "mastercard",
            Scheme::Amex => "amex",
            Scheme::Discover => "discover",
            Scheme::Jcb => "jcb",
            Scheme::UnionPay => "unionpay",
            Scheme::Diners => "diners",
            Scheme::Maestro => "maestro",
            Scheme::Mir => "mir",
        }
    }
}

/// Lengths as a bit set: bit `n` set when `n` digits are issued.
const fn lens(min: u32, max: u32) -> u32 {
    ((1u32 << (max + 1)) - 1) & !((1u32 << min) - 1)
}

const fn len1(n: u32) -> u32 {
    1 << n
}

/// One IIN range at six-digit resolution: numbers whose first six digits are in `lo..=hi`.
struct Range {
    lo: u32,
    hi: u32,
    scheme: Scheme,
    lengths: u32,
}

const fn r(lo: u32, hi: u32, scheme: Scheme, lengths: u32) -> Range {
    Range {
        lo,
        hi,
        scheme,
        lengths,
    }
}

/// The IIN table, searched in order (first hit decides). Sources (full citations in
/// data/README.md):
/// - Visa: 4, 13/16/19 digits (Visa Core Rules: account numbers of 13 to 19 digits; the
///   lengths Visa has issued are 13 (legacy), 16 and 19).
/// - Mastercard: 510000-559999 and the 2-series 222100-272099 (Mastercard's 2-series BIN
///   announcement, 2014-2017), 16 digits.
/// - American Express: 34, 37; 15 digits.
/// - Discover: 6011 and 644-659, 16-19 digits (Discover Global Network IIN ranges). Discover
///   issues only parts of its 6011 block (601100-601109, 601120-601149, 601174, 601177-601179,
///   601186-601199), but the whole block is Discover's and the processors' published test
///   PAN 6011 1111 1111 1117 sits in a gap: a number there is still a Discover-shaped PAN to
///   report.
/// - Diners Club International (on the Discover network): 300-305, 3095, 38-39 with 16-19
///   digits; 36 with 14-19 digits.
/// - JCB: 3528-3589, 16-19 digits.
/// - UnionPay: 62, 16-19 digits (UnionPay's co-badged 622126-622925 included).
/// - Mir (NSPK): 2200-2204, 16-19 digits.
/// - Maestro: 50 and 56-69 where no range above applies, 12-19 digits (Mastercard Maestro
///   rules).
///
/// Specific ranges (Discover's 6011 and 644-659, UnionPay's 62) come before Maestro's wide 50
/// and 56-69, and a number whose length its range's scheme does not issue is no card (a
/// 13-digit number in 6011 is not a Maestro card).
const RANGES: &[Range] = &[
    r(340000, 349999, Scheme::Amex, len1(15)),
    r(370000, 379999, Scheme::Amex, len1(15)),
    r(300000, 305999, Scheme::Diners, lens(16, 19)),
    r(309500, 309599, Scheme::Diners, lens(16, 19)),
    r(360000, 369999, Scheme::Diners, lens(14, 19)),
    r(380000, 399999, Scheme::Diners, lens(16, 19)),
    r(352800, 358999, Scheme::Jcb, lens(16, 19)),
    r(400000, 499999, Scheme::Visa, len1(13) | len1(16) | len1(19)),
    r(220000, 220499, Scheme::Mir, lens(16, 19)),
    r(222100, 272099, Scheme::Mastercard, len1(16)),
    r(510000, 559999, Scheme::Mastercard, len1(16)),
    r(601100, 601199, Scheme::Discover, lens(16, 19)),
    r(644000, 659999, Scheme::Discover, lens(16, 19)),
    r(620000, 629999, Scheme::UnionPay, lens(16, 19)),
    r(500000, 509999, Scheme::Maestro, lens(12, 19)),
    r(560000, 699999, Scheme::Maestro, lens(12, 19)),
];

/// The scheme of a PAN given as ASCII digits only, when its first six digits fall in a
/// scheme's IIN range and its length is one that scheme issues. Does not check Luhn.
pub fn scheme(digits: &[u8]) -> Option<Scheme> {
    if !(12..=19).contains(&digits.len()) || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let iin = digits[..6]
        .iter()
        .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'));
    let range = RANGES.iter().find(|r| (r.lo..=r.hi).contains(&iin))?;
    (range.lengths & (1 << digits.len()) != 0).then_some(range.scheme)
}

/// The Luhn check (ISO/IEC 7812-1 Annex B) over ASCII digits; false for anything else or an
/// empty input.
pub fn luhn(digits: &[u8]) -> bool {
    const DOUBLED: [u32; 10] = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9];
    if digits.is_empty() {
        return false;
    }
    let mut sum = 0u32;
    for (i, &b) in digits.iter().rev().enumerate() {
        if !b.is_ascii_digit() {
            return false;
        }
        let d = usize::from(b - b'0');
        sum += if i % 2 == 1 { DOUBLED[d] } else { d as u32 };
    }
    sum.is_multiple_of(10)
}

/// True when ASCII digits are a card number: a scheme's range and length, and Luhn.
pub fn is_card(digits: &[u8]) -> bool {
    scheme(digits).is_some() && luhn(digits)
}

/// A card-number token found in a haystack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub scheme: Scheme,
    /// True for a grouped number, which stands alone; false for an unformatted run of digits,
    /// which needs a card key or cue.
    pub standalone: bool,
}

/// Group lengths of the printed forms: 4-4-4-4 (16), 4-4-4-4-1..3 (17-19), Amex 4-6-5 (15),
/// Diners 4-6-4 (14), 4-4-4 (12: Maestro) and 4-3-3-3 (13: Visa's old short numbers).
const GROUPINGS: &[&[usize]] = &[
    &[4, 4, 4],
    &[4, 3, 3, 3],
    &[4, 4, 4, 4],
    &[4, 4, 4, 4, 1],
    &[4, 4, 4, 4, 2],
    &[4, 4, 4, 4, 3],
    &[4, 6, 5],
    &[4, 6, 4],
];

/// The card-number token that starts at `pos`, if one does: `pos` must be the first digit of
/// a run at a token boundary. Returns it only when it validates (range, length, Luhn).
pub fn token_at(hay: &[u8], pos: usize) -> Option<Token> {
    if !hay.get(pos)?.is_ascii_digit() {
        return None;
    }
    let first = token::digit_run(hay, pos);
    // Most candidates are neither a card's length nor a first group of four.
    if first != 4 && !(12..=19).contains(&first) {
        return None;
    }
    if !token::left_ok(hay, pos) {
        return None;
    }
    if first != 4 {
        let end = pos + first;
        let d = &hay[pos..end];
        if !token::right_ok(hay, end) || !is_card(d) {
            return None;
        }
        return Some(Token {
            start: pos,
            end,
            scheme: scheme(d)?,
            standalone: false,
        });
    }
    let sep = *hay.get(pos + 4)?;
    if sep != b' ' && sep != b'-' {
        return None;
    }
    // Not the tail of a longer grouping (`1234 4111 1111 1111 1111`).
    if pos >= 2 && hay[pos - 1] == sep && hay[pos - 2].is_ascii_digit() {
        return None;
    }
    // The groups: digits, then the same separator, up to six groups.
    let mut digits = [0u8; 19];
    let mut groups = [0usize; 6];
    let mut n = 0;
    let mut at = pos;
    let mut count = 0;
    loop {
        let run = token::digit_run(hay, at);
        if run == 0 || n == groups.len() || count + run > digits.len() {
            return None;
        }
        digits[count..count + run].copy_from_slice(&hay[at..at + run]);
        count += run;
        groups[n] = run;
        n += 1;
        at += run;
        if hay.get(at) == Some(&sep) && hay.get(at + 1).is_some_and(u8::is_ascii_digit) {
            at += 1;
        } else {
            break;
        }
    }
    if !GROUPINGS.contains(&&groups[..n]) || !token::right_ok(hay, at) {
        return None;
    }
    let d = &digits[..count];
    if !is_card(d) {
        return None;
    }
    Some(Token {
        start: pos,
        end: at,
        scheme: scheme(d)?,
        standalone: true,
    })
}

/// `**** **** **** 1234`: every digit but the last four starred (PCI DSS 3.4.1 allows the
/// BIN and the last four; this shows less), separators kept; a value too short to be a card
/// is starred whole.
pub fn mask(value: &str) -> CompactString {
    token::mask_with(value, |i, n| n >= 12 && i + 4 >= n)
}

/// Words that, before an unformatted number on the same line, say it is a card number. The
/// names of the schemes, and "card" in the languages of the schemes' biggest markets.
const CUES: &[Cue] = &[
    cue("card"),
    cue("credit card"),
    cue("debit card"),
    cue("card number"),
    cue("card no"),
    cue("cc"),
    cue("ccn"),
    cue("pan"),
    cue("visa"),
    cue("mastercard"),
    cue("amex"),
    cue("american express"),
    cue("maestro"),
    cue("jcb"),
    cue("unionpay"),
    cue("diners"),
    cue("kreditkarte"),
    cue("karte"),
    cue("kartennummer"),
    cue("carte"),
    cue("tarjeta"),
    cue("carta"),
    cue("cartão"),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every card token in a haystack, left to right, not overlapping: the scanner the
    /// vectors are held to.
    fn tokens(hay: &[u8]) -> Vec<Token> {
        let mut out = Vec::new();
        token::for_each_start(hay, 0, hay.len(), |at| {
            let t = token_at(hay, at)?;
            out.push(t);
            Some(t.end)
        });
        out
    }

    /// Makes an `n`-digit number starting with `prefix` that passes Luhn.
    fn with_luhn(prefix: &str, n: usize) -> String {
        let mut s: String = prefix.to_string();
        while s.len() < n - 1 {
            s.push('0');
        }
        (b'0'..=b'9')
            .map(|c| format!("{s}{}", c as char))
            .find(|t| luhn(t.as_bytes()))
            .expect("some check digit fits")
    }

    #[test]
    fn iin_boundaries() {
        use Scheme::*;
        let cases: &[(&str, usize, Option<Scheme>)] = &[
            ("2199", 16, None),
            ("2200", 16, Some(Mir)),
            ("220499", 16, Some(Mir)),
            ("220500", 16, None),
            ("2220", 16, None),
            ("222099", 16, None),
            ("222100", 16, Some(Mastercard)),
            ("2221", 16, Some(Mastercard)),
            ("2720", 16, Some(Mastercard)),
            ("272099", 16, Some(Mastercard)),
            ("272100", 16, None),
            ("2721", 16, None),
            ("2221", 19, None),
            ("50", 16, Some(Maestro)),
            ("50", 12, Some(Maestro)),
            ("51", 16, Some(Mastercard)),
            ("55", 16, Some(Mastercard)),
            ("55", 19, None),
            ("56", 16, Some(Maestro)),
            ("59", 13, Some(Maestro)),
            ("34", 15, Some(Amex)),
            ("37", 15, Some(Amex)),
            ("34", 16, None),
            ("35", 15, None),
            ("33", 16, None),
            ("3527", 16, None),
            ("3528", 16, Some(Jcb)),
            ("3589", 19, Some(Jcb)),
            ("3590", 16, None),
            ("4", 13, Some(Visa)),
            ("4", 16, Some(Visa)),
            ("4", 19, Some(Visa)),
            ("4", 14, None),
            ("4", 15, None),
            ("4", 12, None),
            ("6011", 16, Some(Discover)),
            ("601109", 16, Some(Discover)),
            ("601110", 16, Some(Discover)),
            ("601174", 19, Some(Discover)),
            ("601199", 16, Some(Discover)),
            ("6012", 16, Some(Maestro)),
            ("6011", 13, None),
            ("643", 16, Some(Maestro)),
            ("644", 16, Some(Discover)),
            ("649", 16, Some(Discover)),
            ("65", 16, Some(Discover)),
            ("65", 19, Some(Discover)),
            ("62", 16, Some(UnionPay)),
            ("622126", 19, Some(UnionPay)),
            ("62", 15, None),
            ("60", 16, Some(Maestro)),
            ("6759", 18, Some(Maestro)),
            ("69", 12, Some(Maestro)),
            ("36", 14, Some(Diners)),
            ("36", 16, Some(Diners)),
            ("38", 14, None),
            ("38", 16, Some(Diners)),
            ("39", 19, Some(Diners)),
            ("300", 16, Some(Diners)),
            ("305", 16, Some(Diners)),
            ("306", 16, None),
            ("3095", 16, Some(Diners)),
            ("3096", 16, None),
            ("1", 16, None),
            ("7", 16, None),
            ("8", 16, None),
            ("9", 16, None),
            ("0", 16, None),
        ];
        for &(prefix, n, want) in cases {
            let num = with_luhn(prefix, n);
            assert_eq!(scheme(num.as_bytes()), want, "{num}");
            assert_eq!(is_card(num.as_bytes()), want.is_some(), "{num}");
        }
    }

    #[test]
    fn luhn_known_values() {
        let cases: &[(&str, bool)] = &[
            ("4111111111111111", true),
            ("4111111111111112", false),
            ("79927398713", true),
            ("79927398710", false),
            ("0", true),
            ("", false),
            ("4111x11111111111", false),
        ];
        for &(d, want) in cases {
            assert_eq!(luhn(d.as_bytes()), want, "{d}");
        }
    }

    /// Numbers that exports are full of and that are no cards, whatever the context.
    #[test]
    fn hard_negatives_are_no_tokens() {
        let cases: &[&str] = &[
            "1700000000000",
            "1700000000",
            "1699999999999",
            "9780306406157",
            "9791234567896",
            "550e8400-e29b-41d4-a716-446655440000",
            "a716-446655440000",
            "f4111111111111111",
            "4111111111111111a",
            "v4111111111111111",
            "4111111111111111.25",
            "+4915112345678",
            "4111 1111 1111 111",
            "4111 1111 1111 1111 1111",
            "4111-1111 1111-1111",
            "4111  1111 1111 1111",
            "order-4111111111111111",
            "12345678901234567890",
            "2024-01-15 12:30:45",
            "1234 5678 9012 3456",
            "1234 4111 1111 1111 1111",
            // 4-4-4 is a card's print only when the twelve digits are one (Maestro).
            "5018 0593 6331",
            "4111 11 1111 1111 11",
        ];
        for text in cases {
            assert_eq!(tokens(text.as_bytes()), [], "{text}");
        }
    }

    #[test]
    fn printed_forms_stand_alone() {
        let cases: &[(&str, &str, bool)] = &[
            ("pay 4111 1111 1111 1111 now", "4111 1111 1111 1111", true),
            ("4111-1111-1111-1111", "4111-1111-1111-1111", true),
            ("amex 3782 822463 10005.", "3782 822463 10005", true),
            ("diners 3622 720627 1667", "3622 720627 1667", true),
            ("maestro 5018 0593 6330.", "5018 0593 6330", true),
            ("old visa 4222 222 222 222", "4222 222 222 222", true),
            (
                "cup 6212 3456 7890 1234 569",
                "6212 3456 7890 1234 569",
                true,
            ),
            ("x 4111111111111111 y", "4111111111111111", false),
            ("\"4111111111111111\"", "4111111111111111", false),
            ("a,5555555555554444,b", "5555555555554444", false),
            (
                "card 4111 1111 1111 1111 exp 12/25",
                "4111 1111 1111 1111",
                true,
            ),
        ];
        for &(text, want, standalone) in cases {
            let got = tokens(text.as_bytes());
            assert_eq!(got.len(), 1, "{text}");
            assert_eq!(&text[got[0].start..got[0].end], want, "{text}");
            assert_eq!(got[0].standalone, standalone, "{text}");
        }
    }

    #[test]
    fn masks_show_at_most_the_last_four_digits() {
        let cases: &[(&str, &str)] = &[
            ("4111 1111 1111 1234", "**** **** **** 1234"),
            ("4111-1111-1111-1234", "****-****-****-1234"),
            ("4111111111111234", "************1234"),
            ("3782 822463 10005", "**** ****** *0005"),
            ("1234", "****"),
            ("x", "*"),
        ];
        for &(value, masked) in cases {
            assert_eq!(mask(value), masked, "{value}");
        }
        assert_eq!(
            Normal::Digits.apply(b"4111 1111-1111 1234"),
            "4111111111111234"
        );
    }

    /// The labelled vectors: every card row's scheme and Luhn as the oracle says, and the
    /// scanner takes each valid one whole (standalone when it is grouped) and no invalid one.
    #[test]
    fn vectors() {
        let rows = token::vectors::rows("card");
        assert!(rows.len() >= 200, "{} card rows", rows.len());
        for s in Scheme::ALL {
            assert!(rows.iter().any(|r| r.expected == s.name()), "{}", s.name());
        }
        let mut failures = Vec::new();
        for r in &rows {
            let digits: Vec<u8> = r.input.bytes().filter(u8::is_ascii_digit).collect();
            let got = scheme(&digits)
                .filter(|_| luhn(&digits))
                .map_or("-", Scheme::name);
            if got != r.expected {
                failures.push(format!(
                    "line {}: {} -> {got}, want {} ({})",
                    r.line, r.input, r.expected, r.note
                ));
                continue;
            }
            let toks = tokens(r.input.as_bytes());
            let whole = toks.len() == 1 && toks[0].start == 0 && toks[0].end == r.input.len();
            if r.expected == "-" {
                if !toks.is_empty() {
                    failures.push(format!("line {}: {} scanned as a card", r.line, r.input));
                }
            } else if !whole
                || toks[0].scheme.name() != r.expected
                || toks[0].standalone != r.input.contains([' ', '-'])
            {
                failures.push(format!("line {}: {} scanned as {toks:?}", r.line, r.input));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
