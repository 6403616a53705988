//! Cue words and phone key names, as data.
//!
//! Why: a national number without `+` (`030 123456`, `0612345678`) is indistinguishable from an
//! id by its digits alone; what tells a reader it is a phone is the word before it (`Tel.`,
//! `Handy`, `móvil`, `电话`) or the key/column it sits under (`phone`, `msisdn`). The lists
//! cover the languages of the regions whose national formats are recognised (the 25 most
//! populous countries and the EU members) plus English. They are ordinary dictionary words
//! and common abbreviations, written by hand (see DATA.md); lower case, matched
//! ASCII-case-insensitively.
//!
//! Matching is cheap on purpose: it runs for every bare digit run that passes the shape
//! checks, so it looks at no more than the three words right before the number (at most
//! [`WINDOW`] bytes back, none of them digits or field separators) and compares each with the
//! list, instead of searching the window for every cue.

/// Words that announce a phone number nearby (before it), lower case.
pub static CUE_WORDS: &[&str] = &[
    // English
    "phone",
    "phones",
    "telephone",
    "tel",
    "tele",
    "ph",
    "phno",
    "mobile",
    "mob",
    "mobno",
    "cell",
    "cellphone",
    "cellular",
    "call",
    "fax",
    "sms",
    "whatsapp",
    "viber",
    "contact",
    "hotline",
    "helpline",
    "landline",
    "dial",
    "msisdn",
    // German, Dutch, Scandinavian, Finnish
    "telefon",
    "telefonnummer",
    "rufnummer",
    "handy",
    "handynummer",
    "mobil",
    "mobilnummer",
    "anrufen",
    "telefoon",
    "mobiel",
    "gsm",
    "bel",
    "tlf",
    "tfn",
    "telefonnr",
    "puhelin",
    "puh",
    "matkapuhelin",
    "mobiili",
    // French, Spanish, Portuguese, Italian, Romanian
    "téléphone",
    "tél",
    "portable",
    "appeler",
    "appelez",
    "teléfono",
    "telefono",
    "móvil",
    "movil",
    "celular",
    "llamar",
    "llame",
    "telefone",
    "telemóvel",
    "telemovel",
    "ligue",
    "ligar",
    "cellulare",
    "chiamare",
    "chiama",
    // Polish, Czech, Slovak, Hungarian, Baltic, Slovene, Croatian, Greek, Bulgarian, Maltese
    "telefonu",
    "komórka",
    "komórkowy",
    "kom",
    "mobilní",
    "mobilný",
    "telefonszám",
    "mobilszám",
    "tālrunis",
    "tālr",
    "telefonas",
    "mobitel",
    "τηλέφωνο",
    "τηλ",
    "κινητό",
    "телефон",
    "тел",
    "мобилен",
    // Russian, Turkish, Persian, Arabic, Urdu
    "Телефон",
    "Тел",
    "мобильный",
    "моб",
    "сотовый",
    "تلفن",
    "موبایل",
    "هاتف",
    "جوال",
    "موبايل",
    "فون",
    // Indonesian, Filipino, Vietnamese, Thai, Swahili, Amharic, Bengali, Hindi
    "telepon",
    "telp",
    "hp",
    "wa",
    "telepono",
    "cp",
    "điện thoại",
    "đt",
    "sđt",
    "sdt",
    "โทร",
    "โทรศัพท์",
    "simu",
    "ስልክ",
    "ফোন",
    "মোবাইল",
    "फ़ोन",
    "फोन",
    "मोबाइल",
    // Chinese, Japanese
    "电话",
    "手机",
    "電話",
    "手機",
    "携帯",
    "携帯電話",
    "電話番号",
];

/// One-letter labels of business cards and signatures (`T: +44 ...`, `M: 07700 ...`): cues
/// only when followed by a colon and right before the number.
pub static COLON_LABELS: &[&str] = &["t", "m", "p", "f", "c", "h", "w"];

/// Words that, between a cue and the number, say the number is something else (`call id
/// 1234567`, `phone verified at ...`, `call duration 1234567`).
pub static BLOCKERS: &[&str] = &[
    "id",
    "ids",
    "uuid",
    "duration",
    "count",
    "time",
    "timestamp",
    "ts",
    "date",
    "seq",
    "order",
    "invoice",
    "ref",
    "amount",
    "price",
    "total",
    "size",
    "length",
    "attempts",
    "pin",
    "code",
    "otp",
    "zip",
    "postcode",
    "version",
    "build",
    "verified",
    "sent",
    "received",
    "answered",
    "started",
    "ended",
    "length",
    "cost",
    "minutes",
    "seconds",
    "ms",
];

/// Phrases that end right before a number and say it is one that reaches a person, in reading
/// order, lower case: `verification code sent to 0342-718 2564`, `update my number to 08437
/// 886189`. Checked before [`BLOCKERS`] (`sent`, `code` say otherwise when they stand alone).
pub static PHRASES: &[&[&str]] = &[
    &["sent", "to"],
    &["send", "to"],
    &["texted", "to"],
    &["sms", "to"],
    &["forwarded", "to"],
    &["my", "number", "to"],
    &["my", "number", "is"],
    &["your", "number", "is"],
    &["new", "number", "is"],
    &["reach", "me", "at"],
    &["reach", "me", "on"],
    &["call", "me", "at"],
    &["call", "me", "on"],
    &["text", "me", "at"],
    &["text", "me", "on"],
];

/// How far back (bytes) a cue may be.
pub const WINDOW: usize = 32;

const MAX_WORD: usize = 40;

use std::sync::OnceLock;

fn lower_eq(word: &[u8], cue: &str) -> bool {
    word.len() == cue.len()
        && word
            .iter()
            .zip(cue.as_bytes())
            .all(|(a, b)| a.to_ascii_lowercase() == *b)
}

/// The ASCII cue words, sorted, for binary search.
fn ascii_cues() -> &'static [&'static [u8]] {
    static SORTED: OnceLock<Vec<&'static [u8]>> = OnceLock::new();
    SORTED.get_or_init(|| {
        let mut v: Vec<&'static [u8]> = CUE_WORDS
            .iter()
            .filter(|c| c.is_ascii())
            .map(|c| c.as_bytes())
            .collect();
        v.sort_unstable();
        v
    })
}

fn is_cue(word: &[u8]) -> bool {
    if word.is_ascii() {
        let mut low = [0u8; MAX_WORD];
        let Some(buf) = low.get_mut(..word.len()) else {
            return false;
        };
        for (d, s) in buf.iter_mut().zip(word) {
            *d = s.to_ascii_lowercase();
        }
        ascii_cues().binary_search(&&*buf).is_ok()
    } else {
        CUE_WORDS
            .iter()
            .any(|c| !c.is_ascii() && (word == c.as_bytes() || word.ends_with(c.as_bytes())))
            || CUE_WORDS.iter().any(|c| lower_eq(word, c))
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphabetic() || b >= 0x80
}

/// Bytes allowed between a cue and the number: spaces and label punctuation (`Tel.: `,
/// `phone="`, `(mobile) `, `tel:`). Digits, field and record separators are not.
fn is_gap_byte(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b':' | b'.' | b'"' | b'\'' | b'=' | b'(' | b')' | b'-' | b'/' | b'#' | b'*'
    )
}

/// Strips trailing full-width punctuation (`：`, U+FF1A) that CJK text puts after a label.
fn trim_fullwidth(w: &[u8]) -> &[u8] {
    let mut w = w;
    while let Some(r) = w.strip_suffix("：".as_bytes()) {
        w = r;
    }
    w
}

/// Whether a cue word stands right before `start` in `h`: one of the three words before it,
/// within [`WINDOW`] bytes, with only spaces and label punctuation in between.
pub fn cue_before(h: &[u8], start: usize) -> bool {
    let start = start.min(h.len());
    let lo = start.saturating_sub(WINDOW);
    let mut i = start;
    let mut nearest = true;
    // The words met so far, nearest first.
    let mut words: [&[u8]; 3] = [&[]; 3];
    for k in 0..3 {
        // Gap before the word.
        let gap_end = i;
        while i > lo && is_gap_byte(h[i - 1]) {
            i -= 1;
        }
        let gap = &h[i..gap_end];
        // The word.
        let wend = i;
        while i > lo && is_word_byte(h[i - 1]) && wend - i < MAX_WORD {
            i -= 1;
        }
        if i == wend {
            return false;
        }
        if i > lo && h[i - 1].is_ascii_digit() {
            return false;
        }
        let word = trim_fullwidth(&h[i..wend]);
        if is_cue(word) {
            return true;
        }
        words[k] = word;
        let phrase = |p: &&[&str]| {
            p.len() == k + 1 && p.iter().rev().zip(&words).all(|(w, got)| lower_eq(got, w))
        };
        if k > 0 && PHRASES.iter().any(phrase) {
            return true;
        }
        if BLOCKERS.iter().any(|b| lower_eq(word, b)) {
            return false;
        }
        if nearest && gap.first() == Some(&b':') && COLON_LABELS.iter().any(|c| lower_eq(word, c)) {
            return true;
        }
        nearest = false;
    }
    false
}
