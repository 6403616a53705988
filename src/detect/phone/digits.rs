//! Phone numbers written in other scripts' digits: `০১৭১১-২৩৪৫৬৭` (Bengali), `+٩٧١ ٥٠ ...`
//! (Arabic-Indic), `۰۹۱۲ ...` (Persian), `०९८७६ ...` (Devanagari), `０９０-...` (full width).
//!
//! Why: people type numbers in the digits of their script, and libphonenumber reads any
//! Unicode decimal digit as its ASCII twin (its `normalizeDigits`); a scanner that reads only
//! `0`-`9` misses every such number, under a phone key as in free text. The numbering plans
//! are the same, so the number is folded into ASCII digits in a small buffer (every other byte
//! kept, with where it came from) and judged there by the same rules ([`find_phones`]); what is
//! found is mapped back onto the bytes as written.
//!
//! The scripts are those of the countries whose numbers are read (the 25 most populous and the
//! EU members) that have digits of their own: Arabic-Indic and Extended Arabic-Indic (Egypt,
//! Iran, Pakistan), the Indic scripts (India, Bangladesh), Thai, Myanmar, and full-width
//! digits (China, Japan). Each is a run of ten code points from its zero (Unicode's `Nd`
//! blocks). Free text is searched for the UTF-8 lead bytes of the Arabic and Indic scripts'
//! and Thai digits with one `memchr3` pass (m60, which holds almost none, is measured in the
//! commit); full-width and Myanmar digits are read under phone keys only.

use super::cues::WINDOW;
use super::decide::find_phones;

/// The zero of each script's digits (the nine others follow it).
const ZEROS: &[u32] = &[
    0x0660, // Arabic-Indic
    0x06F0, // Extended Arabic-Indic (Persian, Urdu)
    0x0966, // Devanagari
    0x09E6, // Bengali
    0x0A66, // Gurmukhi
    0x0AE6, // Gujarati
    0x0B66, // Oriya
    0x0BE6, // Tamil
    0x0C66, // Telugu
    0x0CE6, // Kannada
    0x0D66, // Malayalam
    0x0E50, // Thai
    0x1040, // Myanmar
    0xFF10, // Fullwidth
];

/// The longest folded text judged: a window for a cue before the number, and the number.
const MAX_FOLDED: usize = 96;

/// The ASCII digit of the non-ASCII digit at `h[i..]`, and its length in bytes.
#[inline]
pub fn digit_at(h: &[u8], i: usize) -> Option<(u8, usize)> {
    let (c, len) = match *h.get(i..)? {
        [a @ 0xC0..=0xDF, b, ..] => ((u32::from(a & 0x1F) << 6) | u32::from(b & 0x3F), 2),
        [a @ 0xE0..=0xEF, b, c, ..] => (
            (u32::from(a & 0x0F) << 12) | (u32::from(b & 0x3F) << 6) | u32::from(c & 0x3F),
            3,
        ),
        _ => return None,
    };
    let zero = ZEROS.iter().find(|&&z| (z..z + 10).contains(&c))?;
    Some((b'0' + (c - zero) as u8, len))
}

/// Whether `h` holds a non-ASCII digit.
pub fn has_digit(h: &[u8]) -> bool {
    (0..h.len()).any(|i| h[i] >= 0xC0 && digit_at(h, i).is_some())
}

/// Text folded to ASCII digits, with the offset in the original of each byte.
pub struct Folded {
    buf: [u8; MAX_FOLDED],
    src: [usize; MAX_FOLDED + 1],
    len: usize,
}

impl Folded {
    /// `h[from..to]` folded, or `None` when it does not fit the buffer.
    pub fn new(h: &[u8], from: usize, to: usize) -> Option<Folded> {
        Folded::decode(h, from, to, |i| Some(digit_at(h, i).unwrap_or((h[i], 1))))
    }

    /// `h[from..to]` decoded by `byte_at(i)`, which gives the byte the text at `i` stands for
    /// and its length (`None`: the text cannot be decoded); `None` when it does not fit.
    pub fn decode(
        h: &[u8],
        from: usize,
        to: usize,
        mut byte_at: impl FnMut(usize) -> Option<(u8, usize)>,
    ) -> Option<Folded> {
        let mut f = Folded {
            buf: [0; MAX_FOLDED],
            src: [0; MAX_FOLDED + 1],
            len: 0,
        };
        let mut i = from;
        while i < to.min(h.len()) {
            let (byte, len) = byte_at(i)?;
            *f.buf.get_mut(f.len)? = byte;
            f.src[f.len] = i;
            f.len += 1;
            i += len;
        }
        f.src[f.len] = to;
        Some(f)
    }

    pub fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// The original offset of a folded one.
    pub fn source(&self, at: usize) -> usize {
        self.src[at.min(self.len)]
    }
}

/// Calls `f(start, end)` for each phone in `value` (under a phone key) that holds non-ASCII
/// digits; offsets are `value`'s.
pub fn phones_in_value(value: &[u8], mut f: impl FnMut(usize, usize)) {
    if let Some(folded) = Folded::new(value, 0, value.len()) {
        find_phones(folded.bytes(), true, |p| {
            f(folded.source(p.start), folded.source(p.end))
        });
    }
}

/// A byte that may stand inside a written number besides digits.
fn is_number_byte(b: u8) -> bool {
    matches!(b, b' ' | b'-' | b'.' | b'(' | b')' | b'/' | b'+')
}

/// Calls `f(start, end)` for each phone in free text `h` written with Arabic-Indic, Persian,
/// Indic or Thai digits, judged as the scanner judges ASCII ones (a `+` and a valid number, a
/// phone-like grouping, or a cue word before it); `skip(at)` says a digit is inside a value a
/// phone key has dealt with. One `memchr3` pass for the lead bytes `0xD9`, `0xDB` (Arabic
/// scripts) and `0xE0` (Indic scripts, Thai): full-width and Myanmar digits, whose lead bytes
/// would cost a second pass over every chunk, are read under phone keys only.
pub fn phones_in_text(
    h: &[u8],
    mut skip: impl FnMut(usize) -> bool,
    mut f: impl FnMut(usize, usize),
) {
    let mut pos = 0;
    for at in memchr::memchr3_iter(0xD9, 0xDB, 0xE0, h) {
        if at < pos || digit_at(h, at).is_none() || skip(at) {
            continue;
        }
        // The run of the number: digits of any script and the bytes numbers are written with.
        let mut start = at;
        while start > 0 && (h[start - 1].is_ascii_digit() || is_number_byte(h[start - 1])) {
            start -= 1;
        }
        let mut end = at;
        while end < h.len() && end - start < MAX_FOLDED {
            if let Some((_, len)) = digit_at(h, end) {
                end += len;
            } else if h[end].is_ascii_digit() || is_number_byte(h[end]) {
                end += 1;
            } else {
                break;
            }
        }
        pos = end;
        // The words before it, for a cue, within the line.
        let line = memchr::memrchr(b'\n', &h[..start]).map_or(0, |i| i + 1);
        let from = start.saturating_sub(WINDOW).max(line);
        let Some(folded) = Folded::new(h, from, end) else {
            continue;
        };
        let first = (0..folded.len)
            .find(|&k| folded.src[k] >= start)
            .unwrap_or(folded.len);
        find_phones(folded.bytes(), false, |p| {
            if p.start >= first {
                f(folded.source(p.start), folded.source(p.end));
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The region's own digits, by ISO code, for the regions whose people write them.
    const SCRIPTS: &[(&str, u32)] = &[
        ("BD", 0x09E6),
        ("IN", 0x0966),
        ("IR", 0x06F0),
        ("PK", 0x06F0),
        ("EG", 0x0660),
        ("TH", 0x0E50),
        ("CN", 0xFF10),
        ("JP", 0xFF10),
    ];

    /// Full-width digits are read under phone keys only.
    fn in_free_text(zero: u32) -> bool {
        zero != 0xFF10
    }

    fn in_script(text: &str, zero: u32) -> String {
        text.chars()
            .map(|c| match c.to_digit(10) {
                Some(d) => char::from_u32(zero + d).unwrap_or(c),
                None => c,
            })
            .collect()
    }

    /// What the ASCII reading finds in `text` (under a key, and after a cue in free text), as
    /// ASCII.
    fn ascii_reading(text: &str) -> (Vec<String>, Vec<String>) {
        let mut keyed = Vec::new();
        find_phones(text.as_bytes(), true, |p| {
            keyed.push(text[p.start..p.end].to_string())
        });
        let line = format!("Tel. {text}\n");
        let mut free = Vec::new();
        find_phones(line.as_bytes(), false, |p| {
            free.push(line[p.start..p.end].to_string())
        });
        (keyed, free)
    }

    /// The same, of `text` in another script's digits, folded back to ASCII.
    fn script_reading(text: &str) -> (Vec<String>, Vec<String>) {
        let fold = |s: &str| {
            let f = Folded::new(s.as_bytes(), 0, s.len()).map(|f| f.bytes().to_vec());
            String::from_utf8(f.unwrap_or_default()).unwrap_or_default()
        };
        let mut keyed = Vec::new();
        phones_in_value(text.as_bytes(), |s, e| keyed.push(fold(&text[s..e])));
        let line = format!("Tel. {text}\n");
        let mut free = Vec::new();
        phones_in_text(
            line.as_bytes(),
            |_| false,
            |s, e| free.push(fold(&line[s..e])),
        );
        (keyed, free)
    }

    /// Every row of the oracle's national formats (`tests/data/phone/national.tsv`:
    /// libphonenumber's example numbers as people type them, and near misses) of the regions
    /// above, rewritten in the region's digits, is read as its ASCII twin is, under a phone key
    /// and after a cue; and every valid mobile or fixed-line number is found whole under a key.
    #[test]
    fn real_national_formats_in_other_scripts() {
        let (mut rows, mut valid, mut bad) = (0, 0, Vec::new());
        for line in include_str!("../../../tests/data/phone/national.tsv")
            .lines()
            .skip(1)
        {
            let c: Vec<&str> = line.split('\t').collect();
            let Some(&(_, zero)) = SCRIPTS.iter().find(|(r, _)| *r == c[0]) else {
                continue;
            };
            rows += 1;
            let text = in_script(c[1], zero);
            let mut want = ascii_reading(c[1]);
            if !in_free_text(zero) {
                want.1.clear();
            }
            let got = script_reading(&text);
            if got != want {
                bad.push(format!("{} {text}: {got:?}, ASCII {want:?}", c[0]));
            }
            if c[2] != "-" && matches!(c[4], "Mobile" | "FixedLine" | "FixedLineOrMobile") {
                valid += 1;
                let whole = vec![c[1].to_string()];
                // In free text, a bare 10-digit run starting with 1 reads as an epoch time,
                // in ASCII as in other digits (checked above).
                if got.0 != whole {
                    bad.push(format!("{} {text} (valid): {got:?}", c[0]));
                }
            }
        }
        assert!(rows >= 300 && valid >= 40, "{rows} rows, {valid} valid");
        assert!(
            bad.is_empty(),
            "{} of {rows}:\n{}",
            bad.len(),
            bad.join("\n")
        );
    }

    /// Free text: a `+` number alone, a national one after a cue word or phrase (the issue's
    /// misses), nothing without one, and digits under a phone key left to the key.
    #[test]
    fn free_text_in_other_scripts() {
        let cases: &[(&str, &[&str])] = &[
            (
                "verification code sent to +৮৮০ ১৬৮৪ ০১৬৮৭৪\n",
                &["+৮৮০ ১৬৮৪ ০১৬৮৭৪"],
            ),
            ("verification code sent to ০১১২৭৮৪৩৭৮৮\n", &["০১১২৭৮৪৩৭৮৮"]),
            (
                "Please update my number to ০১ ৩৮৯ ৮১৭১৭১. The",
                &["০১ ৩৮৯ ৮১৭১৭১"],
            ),
            ("ফোন: ০১৭১১-২৩৪৫৬৭", &["০১৭১১-২৩৪৫৬৭"]),
            ("तारीख २०२४-०१-१५ कुल ১২৩৪৫৬৭৮৯০", &[]),
            ("মূল্য ১২৩৪৫৬৭৮ টাকা", &[]),
            ("অর্ডার ০১৭১১২৩৪৫৬৭", &[]),
        ];
        for &(text, want) in cases {
            let mut got = Vec::new();
            phones_in_text(text.as_bytes(), |_| false, |s, e| got.push(&text[s..e]));
            assert_eq!(got, want, "{text}");
        }
        let text = "a ০১৭১১-২৩৪৫৬৭";
        let mut got = 0;
        phones_in_text(text.as_bytes(), |_| true, |_, _| got += 1);
        assert_eq!(got, 0);
    }

    #[test]
    fn digits_of_every_script_fold_to_ascii() {
        for (text, want) in [
            ("০১২৩৪৫৬৭৮৯", "0123456789"),
            ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
            ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),
            ("०१२३४५६७८९", "0123456789"),
            ("๐๑๒๓๔๕๖๗๘๙", "0123456789"),
            ("０１２３４５６７８９", "0123456789"),
            ("+৮৮০ ১৯১১-x", "+880 1911-x"),
        ] {
            let f = Folded::new(text.as_bytes(), 0, text.len()).unwrap();
            assert_eq!(std::str::from_utf8(f.bytes()).unwrap(), want, "{text}");
            assert_eq!(f.source(f.bytes().len()), text.len());
        }
        // Letters and signs of those scripts are not digits.
        for text in ["ফোন", "ক", "টাকা", "ー", "Ａ"] {
            assert!(!has_digit(text.as_bytes()), "{text}");
        }
    }
}
