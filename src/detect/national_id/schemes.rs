//! The national numbers piiscan knows, scheme by scheme: their printed shapes, their checks,
//! and the cue words that vouch for a bare number.
//!
//! Each scheme has its own check (check digits, or the registry's structural rules where
//! there are none) and its own printed shapes. The shapes decide how much a token says by
//! itself: a formatted number (`123-45-6789`, `AB 12 34 56 C`, `123.456.789-09`) stands
//! alone, while a bare run of digits (`123456789`) passes a one-digit check by chance about
//! one time in ten, fits several schemes at once (an SSN, a BSN and a SIN are all nine
//! digits) and is everywhere in exports; it is a finding only under a key of that scheme or
//! after one of its cue words on the same line. Three printed forms count as bare because
//! they are also how plain numbers are printed: a SIN in three groups of three separated by
//! spaces and a Steuer-ID as `dd ddd ddd ddd` (both thousands groupings, as in French or
//! German prices), and a CPF without its dots (`123456789-09`, the shape of an order number
//! with a suffix).
//!
//! Rules and their sources (full citations in data/README.md):
//! - `us_ssn`: SSA: never issued are area 000, 666 and 900-999, group 00, serial 0000; plus
//!   the numbers SSA lists as misused after appearing in advertising (078-05-1120,
//!   219-09-9999) and 457-55-5462 (published in LifeLock's advertising). No check digit.
//! - `uk_nino`: HMRC National Insurance Manual NIM39110: two prefix letters (first not D, F,
//!   I, Q, U, V; second not D, F, I, O, Q, U, V; not BG, GB, KN, NK, NT, TN, ZZ), six digits,
//!   a suffix A-D. No check digit.
//! - `fr_nir`: INSEE: sex digit (1, 2; 3, 4, 7, 8 for provisional registrations), year,
//!   month (01-12, or 20 and above for unknown or fictitious months), department (2A/2B for
//!   Corsica, read as 19/18 for the key), commune, order (not 000), key = 97 - (first 13
//!   digits mod 97).
//! - `de_tax_id`: § 139b AO, BZSt: 11 digits, first not 0, in the first ten exactly one digit
//!   occurs twice or three times and no other repeats, a triple not in three consecutive
//!   places, check digit ISO/IEC 7064 MOD 11,10.
//! - `es_dni_nie`: Real Decreto 1553/2005 and the Ministerio del Interior: 8 digits (DNI) or
//!   X/Y/Z and 7 digits (NIE, read as 0/1/2), letter `TRWAGMYFPDXBNJZSQVHLCKE`[n mod 23].
//! - `it_codice_fiscale`: DM 23/12/1976 (Ministero delle Finanze): 6 letters, year, month
//!   letter, day (+40 for women), municipality code, check letter from the odd/even tables;
//!   omocodia replaces digits with `LMNPQRSTUV` starting from the rightmost.
//! - `nl_bsn`: Wet algemene bepalingen burgerservicenummer: 9 digits, the 11-proef (weights
//!   9..2 and -1, sum divisible by 11), not 000000000.
//! - `in_aadhaar`: UIDAI: 12 digits, first not 0 or 1, Verhoeff check digit; palindromes
//!   refused as python-stdnum does.
//! - `br_cpf`: Receita Federal: 11 digits, two mod-11 check digits, all-equal digits
//!   (111.111.111-11, which pass the arithmetic) refused.
//! - `ca_sin`: Service Canada: 9 digits, Luhn, first digit not 0 (never assigned) or 8 (not
//!   used for persons).

use super::super::card::luhn;
use super::super::token::{self, cue, cue_exact, Cue};
use crate::structure::keys::IdScheme;

/// A national identifier scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    UsSsn,
    UkNino,
    FrNir,
    DeTaxId,
    EsDniNie,
    ItCodiceFiscale,
    NlBsn,
    InAadhaar,
    BrCpf,
    CaSin,
}

/// A printed shape of a scheme: see [`token::match_shape`] for the pattern letters.
struct Shape {
    pattern: &'static [u8],
    standalone: bool,
    /// The number of digits the shape starts with (0 when it starts with a letter), so that
    /// a candidate is tried only against shapes whose first run of digits has its length
    /// (at least that length when the next pattern letter `c` may be a digit too).
    lead: usize,
    lead_exact: bool,
}

/// The run of `d` a pattern starts with.
const fn lead(p: &[u8]) -> usize {
    let mut i = 0;
    while i < p.len() && p[i] == b'd' {
        i += 1;
    }
    i
}

/// Whether the run of `d` a pattern starts with is followed by something that cannot be a
/// digit.
const fn lead_exact(p: &[u8]) -> bool {
    let n = lead(p);
    n == p.len() || p[n] != b'c'
}

const fn shape(pattern: &'static str, standalone: bool) -> Shape {
    let p = pattern.as_bytes();
    Shape {
        pattern: p,
        standalone,
        lead: lead(p),
        lead_exact: lead_exact(p),
    }
}

const fn fmt(pattern: &'static str) -> Shape {
    shape(pattern, true)
}

const fn bare(pattern: &'static str) -> Shape {
    shape(pattern, false)
}

impl Scheme {
    pub const ALL: [Scheme; 10] = [
        Scheme::UsSsn,
        Scheme::UkNino,
        Scheme::FrNir,
        Scheme::DeTaxId,
        Scheme::EsDniNie,
        Scheme::ItCodiceFiscale,
        Scheme::NlBsn,
        Scheme::InAadhaar,
        Scheme::BrCpf,
        Scheme::CaSin,
    ];

    /// The scheme's name in findings (`detail`).
    pub fn name(self) -> &'static str {
        match self {
            Scheme::UsSsn => "us_ssn",
            Scheme::UkNino => "uk_nino",
            Scheme::FrNir => "fr_nir",
            Scheme::DeTaxId => "de_tax_id",
            Scheme::EsDniNie => "es_dni_nie",
            Scheme::ItCodiceFiscale => "it_codice_fiscale",
            Scheme::NlBsn => "nl_bsn",
            Scheme::InAadhaar => "in_aadhaar",
            Scheme::BrCpf => "br_cpf",
            Scheme::CaSin => "ca_sin",
        }
    }

    pub fn from_name(name: &str) -> Option<Scheme> {
        Scheme::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The scheme a key names; `None` for a key that names a national number in general.
    pub fn of_key(id: IdScheme) -> Option<Scheme> {
        Some(match id {
            IdScheme::Any => return None,
            IdScheme::UsSsn => Scheme::UsSsn,
            IdScheme::UkNino => Scheme::UkNino,
            IdScheme::FrNir => Scheme::FrNir,
            IdScheme::DeTaxId => Scheme::DeTaxId,
            IdScheme::EsDniNie => Scheme::EsDniNie,
            IdScheme::ItCodiceFiscale => Scheme::ItCodiceFiscale,
            IdScheme::NlBsn => Scheme::NlBsn,
            IdScheme::InAadhaar => Scheme::InAadhaar,
            IdScheme::BrCpf => Scheme::BrCpf,
            IdScheme::CaSin => Scheme::CaSin,
        })
    }

    /// True when the token (formatted or not; separators ` `, `-`, `.` and `/` are ignored)
    /// is a valid number of this scheme.
    pub fn validate(self, token: &[u8]) -> bool {
        match self {
            Scheme::UsSsn => validate_us_ssn(token),
            Scheme::UkNino => validate_uk_nino(token),
            Scheme::FrNir => validate_fr_nir(token),
            Scheme::DeTaxId => validate_de_tax_id(token),
            Scheme::EsDniNie => validate_es_dni_nie(token),
            Scheme::ItCodiceFiscale => validate_it_codice_fiscale(token),
            Scheme::NlBsn => validate_nl_bsn(token),
            Scheme::InAadhaar => validate_in_aadhaar(token),
            Scheme::BrCpf => validate_br_cpf(token),
            Scheme::CaSin => validate_ca_sin(token),
        }
    }

    const fn shapes(self) -> &'static [Shape] {
        const SSN: &[Shape] = &[fmt("ddd-dd-dddd"), fmt("ddd dd dddd"), bare("ddddddddd")];
        const NINO: &[Shape] = &[fmt("LL dd dd dd L"), bare("LLddddddL")];
        // Corsica's departments 2A and 2B put a letter at the seventh place: a shape of its own,
        // so that every shape starts with a run of digits of one length.
        const NIR: &[Shape] = &[
            fmt("d dd dd cc ddd ddd dd"),
            bare("ddddddddddddddd"),
            bare("ddddddLdddddddd"),
        ];
        const DE: &[Shape] = &[bare("dd ddd ddd ddd"), bare("ddddddddddd")];
        const ES: &[Shape] = &[
            fmt("ddddddddL"),
            fmt("dddddddd-L"),
            fmt("dd.ddd.ddd-L"),
            fmt("LdddddddL"),
            fmt("L-ddddddd-L"),
        ];
        const IT: &[Shape] = &[fmt("LLLLLLccLccLcccL")];
        const NL: &[Shape] = &[fmt("dddd.dd.ddd"), bare("ddddddddd")];
        const IN: &[Shape] = &[
            fmt("dddd dddd dddd"),
            fmt("dddd-dddd-dddd"),
            bare("dddddddddddd"),
        ];
        const BR: &[Shape] = &[
            fmt("ddd.ddd.ddd-dd"),
            bare("ddddddddd-dd"),
            bare("ddddddddddd"),
        ];
        const CA: &[Shape] = &[fmt("ddd-ddd-ddd"), bare("ddd ddd ddd"), bare("ddddddddd")];
        match self {
            Scheme::UsSsn => SSN,
            Scheme::UkNino => NINO,
            Scheme::FrNir => NIR,
            Scheme::DeTaxId => DE,
            Scheme::EsDniNie => ES,
            Scheme::ItCodiceFiscale => IT,
            Scheme::NlBsn => NL,
            Scheme::InAadhaar => IN,
            Scheme::BrCpf => BR,
            Scheme::CaSin => CA,
        }
    }

    /// The token of this scheme that starts at `pos`, if one does and it validates.
    pub fn token_at(self, hay: &[u8], pos: usize) -> Option<Token> {
        if !token::left_ok(hay, pos) {
            return None;
        }
        self.token_at_run(hay, pos, token::digit_run(hay, pos))
    }

    /// [`Scheme::token_at`] with the left boundary checked and the length of the run of
    /// digits at `pos` known.
    fn token_at_run(self, hay: &[u8], pos: usize, run: usize) -> Option<Token> {
        for shape in self.shapes() {
            if run < shape.lead || (shape.lead_exact && run != shape.lead) {
                continue;
            }
            let Some(end) = token::match_shape(hay, pos, shape.pattern) else {
                continue;
            };
            if !token::right_ok(hay, end) || continues_grouping(hay, pos, end, shape.pattern) {
                continue;
            }
            if self.validate(&hay[pos..end]) {
                return Some(Token {
                    start: pos,
                    end,
                    scheme: self,
                    standalone: shape.standalone,
                });
            }
        }
        None
    }

    /// Words that, before a bare number on the same line, say it is a number of this scheme:
    /// the identifier's official names and acronyms in its own language.
    pub(in crate::detect) fn cues(self) -> &'static [Cue] {
        const SSN: &[Cue] = &[cue("ssn"), cue("social security"), cue("soc sec")];
        const NINO: &[Cue] = &[
            cue("nino"),
            cue("national insurance"),
            cue("ni number"),
            cue("ni no"),
        ];
        const NIR: &[Cue] = &[
            cue_exact("NIR"),
            cue("sécurité sociale"),
            cue("securite sociale"),
            cue("numéro de sécu"),
            cue("numero de secu"),
            cue("carte vitale"),
        ];
        const STEUER_ID: &[Cue] = &[
            cue("steuer-id"),
            cue("steuerid"),
            cue("steuer-idnr"),
            cue("steueridentifikationsnummer"),
            cue("steuerliche identifikationsnummer"),
            cue("identifikationsnummer"),
            cue("idnr"),
        ];
        const DNI_NIE: &[Cue] = &[cue_exact("DNI"), cue_exact("NIE"), cue_exact("NIF")];
        const CODICE_FISCALE: &[Cue] = &[cue("codice fiscale")];
        const BSN: &[Cue] = &[
            cue("bsn"),
            cue("burgerservicenummer"),
            cue("sofinummer"),
            cue("sofi-nummer"),
        ];
        const AADHAAR: &[Cue] = &[cue("aadhaar"), cue("aadhar"), cue("uidai")];
        const CPF: &[Cue] = &[cue("cpf")];
        const SIN: &[Cue] = &[
            cue_exact("SIN"),
            cue("social insurance"),
            cue("assurance sociale"),
            cue_exact("NAS"),
        ];
        match self {
            Scheme::UsSsn => SSN,
            Scheme::UkNino => NINO,
            Scheme::FrNir => NIR,
            Scheme::DeTaxId => STEUER_ID,
            Scheme::EsDniNie => DNI_NIE,
            Scheme::ItCodiceFiscale => CODICE_FISCALE,
            Scheme::NlBsn => BSN,
            Scheme::InAadhaar => AADHAAR,
            Scheme::BrCpf => CPF,
            Scheme::CaSin => SIN,
        }
    }

    /// True when one of this scheme's cues, or a generic one ([`GENERIC_CUES`]), precedes
    /// `start` on its line.
    pub fn has_cue(self, hay: &[u8], start: usize) -> bool {
        token::has_cue_before(hay, start, &[self.cues(), GENERIC_CUES])
    }
}

/// Cue words for a national number of any scheme.
const GENERIC_CUES: &[Cue] = &[
    cue("national id"),
    cue("national identification number"),
    cue("tax id"),
    cue("taxpayer id"),
];

/// A national-number token found in a haystack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub scheme: Scheme,
    /// True for a formatted number, which stands alone; false for a bare one, which needs a
    /// key or a cue of its scheme.
    pub standalone: bool,
}

/// True when a token grouped by spaces is only part of a longer run of digit groups (a card
/// number `4111 1111 1111 1111` holds an Aadhaar-shaped `4111 1111 1111`; a table row holds
/// many SSN-shaped `123 45 6789`): a space and a digit right before or right after it.
fn continues_grouping(hay: &[u8], start: usize, end: usize, pattern: &[u8]) -> bool {
    if !pattern.contains(&b' ') {
        return false;
    }
    let after = hay.get(end) == Some(&b' ') && hay.get(end + 1).is_some_and(u8::is_ascii_digit);
    let before = start >= 2 && hay[start - 1] == b' ' && hay[start - 2].is_ascii_digit();
    after || before
}

/// Calls `found` with every scheme's token that starts at `pos` (a bare nine-digit number
/// can be an SSN, a BSN and a SIN at once; the caller keeps those its key or cue names).
pub fn tokens_at(hay: &[u8], pos: usize, mut found: impl FnMut(Token)) {
    let Some(&b) = hay.get(pos) else { return };
    if !b.is_ascii_alphanumeric() {
        return;
    }
    let run = token::digit_run(hay, pos);
    // Most long numbers of an export (epoch times, ids) start with a run of digits that no
    // shape starts with: turned away here, before any scheme is asked.
    let mut schemes = BY_LEAD.get(run).copied().unwrap_or(0);
    if schemes == 0 || !token::left_ok(hay, pos) {
        return;
    }
    while schemes != 0 {
        let s = Scheme::ALL[schemes.trailing_zeros() as usize];
        schemes &= schemes - 1;
        if let Some(t) = s.token_at_run(hay, pos, run) {
            found(t);
        }
    }
}

/// The longest run of digits a shape starts with.
const MAX_LEAD: usize = 15;

/// For each length of the run of digits a token starts with (0 for a letter), the schemes
/// (bit `i` for `Scheme::ALL[i]`) that have a shape starting with a run of that length.
static BY_LEAD: [u16; MAX_LEAD + 1] = {
    let mut table = [0u16; MAX_LEAD + 1];
    let mut i = 0;
    while i < Scheme::ALL.len() {
        let shapes = Scheme::ALL[i].shapes();
        let mut j = 0;
        while j < shapes.len() {
            let shape = &shapes[j];
            // A `c` right after the run could be a digit too: every run from the shape's
            // lead up to the end of its digits and `c`s.
            let mut last = shape.lead;
            if !shape.lead_exact {
                while last < shape.pattern.len() && matches!(shape.pattern[last], b'd' | b'c') {
                    last += 1;
                }
            }
            assert!(
                last <= MAX_LEAD,
                "a shape starts with more digits than MAX_LEAD"
            );
            let mut run = shape.lead;
            while run <= last {
                table[run] |= 1 << i;
                run += 1;
            }
            j += 1;
        }
        i += 1;
    }
    table
};

/// The letters and digits of a token, upper-cased, when there are exactly `N` of them and
/// nothing else but the separators ` `, `-`, `.` and `/`.
fn compact<const N: usize>(token: &[u8]) -> Option<[u8; N]> {
    let mut out = [0u8; N];
    let mut n = 0;
    for &b in token {
        if b.is_ascii_alphanumeric() {
            *out.get_mut(n)? = b.to_ascii_uppercase();
            n += 1;
        } else if !matches!(b, b' ' | b'-' | b'.' | b'/') {
            return None;
        }
    }
    (n == N).then_some(out)
}

fn all_digits(d: &[u8]) -> bool {
    d.iter().all(u8::is_ascii_digit)
}

/// The value of ASCII digits (at most nine, so no overflow).
fn num(d: &[u8]) -> u32 {
    d.iter().fold(0, |acc, &b| acc * 10 + u32::from(b - b'0'))
}

/// `us_ssn`: area, group and serial that SSA issues, and not a number SSA lists as misused.
pub fn validate_us_ssn(token: &[u8]) -> bool {
    const MISUSED: [&[u8; 9]; 3] = [b"078051120", b"219099999", b"457555462"];
    let Some(d) = compact::<9>(token) else {
        return false;
    };
    if !all_digits(&d) {
        return false;
    }
    let area = num(&d[..3]);
    area != 0
        && area != 666
        && area < 900
        && num(&d[3..5]) != 0
        && num(&d[5..]) != 0
        && !MISUSED.contains(&&d)
}

/// `uk_nino`: the prefix letters HMRC allocates, six digits, suffix A-D.
pub fn validate_uk_nino(token: &[u8]) -> bool {
    const NOT_PREFIX: [&[u8; 2]; 7] = [b"BG", b"GB", b"KN", b"NK", b"NT", b"TN", b"ZZ"];
    // Lower case is not accepted here: `compact` upper-cases, so check the raw token.
    if token.iter().any(u8::is_ascii_lowercase) {
        return false;
    }
    let Some(d) = compact::<9>(token) else {
        return false;
    };
    let (p1, p2) = (d[0], d[1]);
    p1.is_ascii_uppercase()
        && p2.is_ascii_uppercase()
        && !b"DFIQUV".contains(&p1)
        && !b"DFIOQUV".contains(&p2)
        && !NOT_PREFIX.contains(&&[p1, p2])
        && all_digits(&d[2..8])
        && (b'A'..=b'D').contains(&d[8])
}

/// `fr_nir`: the structure INSEE assigns and the key (97 - number mod 97), Corsica's 2A and
/// 2B read as 19 and 18.
pub fn validate_fr_nir(token: &[u8]) -> bool {
    if token.iter().any(u8::is_ascii_lowercase) {
        return false;
    }
    let Some(d) = compact::<15>(token) else {
        return false;
    };
    let dept: [u8; 2] = match &d[5..7] {
        b"2A" => *b"19",
        b"2B" => *b"18",
        x if all_digits(x) && x != b"00" => [x[0], x[1]],
        _ => return false,
    };
    if !all_digits(&d[..5]) || !all_digits(&d[7..]) || !b"123478".contains(&d[0]) {
        return false;
    }
    let month = num(&d[3..5]);
    if !((1..=12).contains(&month) || month >= 20) || num(&d[10..13]) == 0 {
        return false;
    }
    let n = d[..5]
        .iter()
        .chain(&dept)
        .chain(&d[7..13])
        .fold(0u64, |acc, &b| acc * 10 + u64::from(b - b'0'));
    97 - n % 97 == u64::from(num(&d[13..]))
}

/// `de_tax_id`: first digit not 0, the digit-repetition rule, ISO 7064 MOD 11,10.
pub fn validate_de_tax_id(token: &[u8]) -> bool {
    let Some(d) = compact::<11>(token) else {
        return false;
    };
    if !all_digits(&d) || d[0] == b'0' {
        return false;
    }
    let mut counts = [0u8; 10];
    for &b in &d[..10] {
        counts[usize::from(b - b'0')] += 1;
    }
    let mut rep = None;
    for (digit, &c) in counts.iter().enumerate() {
        match c {
            0 | 1 => {}
            2 | 3 if rep.is_none() => rep = Some((digit, c)),
            _ => return false,
        }
    }
    let Some((digit, c)) = rep else {
        return false;
    };
    if c == 3 {
        let b = b'0' + digit as u8;
        if d[..10].windows(3).any(|w| w == [b, b, b]) {
            return false;
        }
    }
    mod_11_10_check(&d[..10]) == d[10] - b'0'
}

/// The check digit of ISO/IEC 7064 MOD 11,10 (hybrid system) over ASCII digits.
fn mod_11_10_check(d: &[u8]) -> u8 {
    let mut product = 10u8;
    for &b in d {
        let mut sum = (b - b'0' + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (sum * 2) % 11;
    }
    (11 - product) % 10
}

/// `es_dni_nie`: DNI (8 digits) or NIE (X, Y or Z and 7 digits) and the mod-23 letter.
pub fn validate_es_dni_nie(token: &[u8]) -> bool {
    const LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";
    if token.iter().any(u8::is_ascii_lowercase) {
        return false;
    }
    let Some(d) = compact::<9>(token) else {
        return false;
    };
    let lead = match d[0] {
        b'X' => 0,
        b'Y' => 1,
        b'Z' => 2,
        b if b.is_ascii_digit() => u32::from(b - b'0'),
        _ => return false,
    };
    if !all_digits(&d[1..8]) {
        return false;
    }
    let n = lead * 10_000_000 + num(&d[1..8]);
    LETTERS[(n % 23) as usize] == d[8]
}

/// `it_codice_fiscale`: structure, omocodia (right to left), a real birth date, the check
/// letter.
pub fn validate_it_codice_fiscale(token: &[u8]) -> bool {
    const MONTHS: &[u8; 12] = b"ABCDEHLMPRST";
    const OMOCODIA: &[u8; 10] = b"LMNPQRSTUV";
    const NUMERIC: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];
    const ODD: [u8; 26] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23,
    ];
    if token.len() != 16
        || !token
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return false;
    }
    let d = token;
    let letters_at = [0, 1, 2, 3, 4, 5, 8, 11, 15];
    if !letters_at.iter().all(|&i| d[i].is_ascii_uppercase()) {
        return false;
    }
    // The numeric positions, decoded; a substituted (letter) position may only be followed,
    // to its right, by substituted positions.
    let mut v = [0u8; 16];
    let mut seen_digit = false;
    for &i in NUMERIC.iter().rev() {
        let b = d[i];
        if b.is_ascii_digit() {
            v[i] = b - b'0';
            seen_digit = true;
        } else {
            let Some(k) = OMOCODIA.iter().position(|&o| o == b) else {
                return false;
            };
            if seen_digit {
                return false;
            }
            v[i] = k as u8;
        }
    }
    let Some(month) = MONTHS.iter().position(|&m| m == d[8]) else {
        return false;
    };
    let year = v[6] * 10 + v[7];
    let mut day = v[9] * 10 + v[10];
    if day > 40 {
        day -= 40;
    }
    let days_in_month = match month {
        1 if year % 4 == 0 => 29,
        1 => 28,
        3 | 5 | 8 | 10 => 30,
        _ => 31,
    };
    if day == 0 || day > days_in_month {
        return false;
    }
    let mut sum = 0u32;
    for (i, &b) in d[..15].iter().enumerate() {
        let idx = if b.is_ascii_digit() {
            b - b'0'
        } else {
            b - b'A'
        };
        sum += u32::from(if i % 2 == 0 {
            ODD[usize::from(idx)]
        } else {
            idx
        });
    }
    d[15] == b'A' + (sum % 26) as u8
}

/// `nl_bsn`: nine digits passing the 11-proef, not all zero.
pub fn validate_nl_bsn(token: &[u8]) -> bool {
    let Some(d) = compact::<9>(token) else {
        return false;
    };
    if !all_digits(&d) || d.iter().all(|&b| b == b'0') {
        return false;
    }
    let mut sum = 0i32;
    for (i, &b) in d[..8].iter().enumerate() {
        sum += (9 - i as i32) * i32::from(b - b'0');
    }
    sum -= i32::from(d[8] - b'0');
    sum.rem_euclid(11) == 0
}

/// `in_aadhaar`: twelve digits, first 2-9, not a palindrome, Verhoeff.
pub fn validate_in_aadhaar(token: &[u8]) -> bool {
    let Some(d) = compact::<12>(token) else {
        return false;
    };
    all_digits(&d) && d[0] >= b'2' && !d.iter().eq(d.iter().rev()) && verhoeff(&d)
}

/// The Verhoeff check (dihedral group D5) over ASCII digits, check digit last.
fn verhoeff(d: &[u8]) -> bool {
    const MUL: [[u8; 10]; 10] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
        [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
        [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
        [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
        [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
        [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
        [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
        [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    ];
    const PERM: [[u8; 10]; 8] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
        [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
        [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
        [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
        [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
        [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
        [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
    ];
    let mut c = 0u8;
    for (i, &b) in d.iter().rev().enumerate() {
        let digit = usize::from(b - b'0');
        c = MUL[usize::from(c)][usize::from(PERM[i % 8][digit])];
    }
    c == 0
}

/// `br_cpf`: eleven digits, not all equal, two mod-11 check digits.
pub fn validate_br_cpf(token: &[u8]) -> bool {
    let Some(d) = compact::<11>(token) else {
        return false;
    };
    if !all_digits(&d) || d.iter().all(|&b| b == d[0]) {
        return false;
    }
    let dv = |len: usize| {
        let sum: u32 = d[..len]
            .iter()
            .enumerate()
            .map(|(i, &b)| (len as u32 + 1 - i as u32) * u32::from(b - b'0'))
            .sum();
        let r = sum % 11;
        if r < 2 {
            0
        } else {
            11 - r
        }
    };
    dv(9) == u32::from(d[9] - b'0') && dv(10) == u32::from(d[10] - b'0')
}

/// `ca_sin`: nine digits, Luhn, first digit not 0 or 8.
pub fn validate_ca_sin(token: &[u8]) -> bool {
    let Some(d) = compact::<9>(token) else {
        return false;
    };
    all_digits(&d) && d[0] != b'0' && d[0] != b'8' && luhn(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every token in a haystack, left to right; after a position that yields tokens the
    /// walk resumes at the end of the longest.
    fn scan(hay: &[u8]) -> Vec<Token> {
        let mut out = Vec::new();
        token::for_each_start(hay, 0, hay.len(), |pos| {
            let mut end = None;
            tokens_at(hay, pos, |t| {
                end = end.max(Some(t.end));
                out.push(t);
            });
            end
        });
        out
    }

    #[test]
    fn names_round_trip() {
        for s in Scheme::ALL {
            assert_eq!(Scheme::from_name(s.name()), Some(s));
        }
        assert_eq!(Scheme::from_name("nope"), None);
    }

    /// Formatted numbers stand alone; bare ones do not; where they stop.
    #[test]
    fn shapes_and_boundaries() {
        use Scheme::*;
        type Case = (&'static str, &'static [(&'static str, Scheme, bool)]);
        let cases: &[Case] = &[
            ("ssn 123-45-6789.", &[("123-45-6789", UsSsn, true)]),
            ("123 45 6789", &[("123 45 6789", UsSsn, true)]),
            ("AB 12 34 56 C", &[("AB 12 34 56 C", UkNino, true)]),
            ("nino AB123456C", &[("AB123456C", UkNino, false)]),
            ("123.456.789-09", &[("123.456.789-09", BrCpf, true)]),
            ("12345678909", &[("12345678909", BrCpf, false)]),
            ("130 692 544", &[("130 692 544", CaSin, false)]),
            ("130-692-544", &[("130-692-544", CaSin, true)]),
            ("046-454-286", &[]),
            (
                "2 69 05 49 588 157 80",
                &[("2 69 05 49 588 157 80", FrNir, true)],
            ),
            ("65 929 970 489", &[("65 929 970 489", DeTaxId, false)]),
            ("12345678Z", &[("12345678Z", EsDniNie, true)]),
            ("X-1234567-L", &[("X-1234567-L", EsDniNie, true)]),
            (
                "RSSMRA85T10A562S",
                &[("RSSMRA85T10A562S", ItCodiceFiscale, true)],
            ),
            ("1112.22.333", &[("1112.22.333", NlBsn, true)]),
            ("2345 6789 0124", &[("2345 6789 0124", InAadhaar, true)]),
            ("2345 6789 0123", &[]),
            ("4111 1111 1111 1111", &[]),
            ("123-45-6789-0", &[]),
            ("x123-45-6789", &[]),
            ("id-123456789", &[]),
            ("1234567890", &[]),
        ];
        for &(text, want) in cases {
            let got: Vec<(&str, Scheme, bool)> = scan(text.as_bytes())
                .into_iter()
                .map(|t| (&text[t.start..t.end], t.scheme, t.standalone))
                .collect();
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn bare_nine_digits_fit_several_schemes() {
        // 123456782: a BSN (11-proef), a SIN (Luhn) and a well-formed SSN.
        let mut got = Vec::new();
        tokens_at(b"123456782", 0, |t| got.push(t.scheme));
        assert_eq!(got, [Scheme::UsSsn, Scheme::NlBsn, Scheme::CaSin]);
    }

    #[test]
    fn cues_are_per_scheme() {
        let text = "Social Security: 123456789";
        let at = text.find('1').unwrap();
        assert!(Scheme::UsSsn.has_cue(text.as_bytes(), at));
        assert!(!Scheme::CaSin.has_cue(text.as_bytes(), at));
        // Spanish "without".
        assert!(!Scheme::CaSin.has_cue(b"sin 130692544", 4));
        assert!(Scheme::CaSin.has_cue(b"SIN: 130692544", 5));
        assert!(Scheme::NlBsn.has_cue(b"tax id 111222333", 7), "generic");
    }

    #[test]
    fn mod_11_10_matches_the_standard() {
        assert_eq!(mod_11_10_check(b"0"), 2);
        assert!(validate_de_tax_id(b"65929970489"));
        assert!(!validate_de_tax_id(b"65929970488"));
    }

    #[test]
    fn keys_name_their_scheme() {
        use crate::structure::keys::{hint_for_key, Hint};
        let cases: &[(&str, Option<Scheme>)] = &[
            ("ssn", Some(Scheme::UsSsn)),
            ("socialSecurityNumber", Some(Scheme::UsSsn)),
            ("national_insurance_number", Some(Scheme::UkNino)),
            ("nino", Some(Scheme::UkNino)),
            ("numero_securite_sociale", Some(Scheme::FrNir)),
            ("numéro_sécurité_sociale", Some(Scheme::FrNir)),
            ("steuer_id", Some(Scheme::DeTaxId)),
            ("IdNr", Some(Scheme::DeTaxId)),
            ("dni", Some(Scheme::EsDniNie)),
            ("codice_fiscale", Some(Scheme::ItCodiceFiscale)),
            ("bsn", Some(Scheme::NlBsn)),
            ("aadhaar_number", Some(Scheme::InAadhaar)),
            ("cpf", Some(Scheme::BrCpf)),
            ("sin", Some(Scheme::CaSin)),
            ("national_id", None),
            ("taxId", None),
        ];
        for &(key, want) in cases {
            match hint_for_key(key.as_bytes()) {
                Some(Hint::NationalId(id)) => assert_eq!(Scheme::of_key(id), want, "{key}"),
                other => panic!("{key}: {other:?}"),
            }
        }
        for key in ["user_id", "session", "casino", "business", "pin"] {
            assert!(
                !matches!(hint_for_key(key.as_bytes()), Some(Hint::NationalId(_))),
                "{key}"
            );
        }
    }

    /// The labelled vectors (at least 30 valid and 30 invalid numbers of every scheme):
    /// validation as the oracles say, and the scheme's token taken whole exactly when valid.
    #[test]
    fn vectors() {
        let rows = token::vectors::rows("national_id");
        let mut failures = Vec::new();
        for s in Scheme::ALL {
            let valid = rows
                .iter()
                .filter(|r| r.scheme == s.name() && r.expected == "1");
            let invalid = rows
                .iter()
                .filter(|r| r.scheme == s.name() && r.expected == "0");
            let (valid, invalid) = (valid.count(), invalid.count());
            if valid < 30 || invalid < 30 {
                failures.push(format!("{}: {valid} valid, {invalid} invalid", s.name()));
            }
        }
        for r in &rows {
            let Some(scheme) = Scheme::from_name(&r.scheme) else {
                failures.push(format!("line {}: unknown scheme {}", r.line, r.scheme));
                continue;
            };
            let want = r.expected == "1";
            if scheme.validate(r.input.as_bytes()) != want {
                failures.push(format!(
                    "line {}: {} {} want {want} ({})",
                    r.line, r.scheme, r.input, r.note
                ));
                continue;
            }
            let tok = scheme.token_at(r.input.as_bytes(), 0);
            if tok.is_some_and(|t| t.end == r.input.len()) != want {
                failures.push(format!(
                    "line {}: {} {} scanned as {tok:?}",
                    r.line, r.scheme, r.input
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
