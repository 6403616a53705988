//! Byte-level helpers shared by detectors: word boundaries, capitalised word starts and the
//! masking of word-like values (names, places).

use super::{Haystack, Hint};

/// The hints the name and place detectors read at every value: a name or place key settles
/// its value, and the values under software (`$os`, `$browser`), event and product keys are
/// never a person or a place, so both detectors leave them alone.
pub(super) const WORDS_READ: &[Hint] = &[
    Hint::PersonName,
    Hint::FirstName,
    Hint::LastName,
    Hint::MaybePersonName,
    Hint::City,
    Hint::Region,
    Hint::MaybeRegion,
    Hint::Country,
    Hint::CountryCode,
    Hint::Software,
    Hint::Event,
    Hint::Product,
];
use crate::prefilter::Class;

pub use super::tables::is_word_byte;

/// True when a word may start at `pos`: the byte before it (if any) does not continue a word.
#[inline]
pub fn is_word_start(bytes: &[u8], pos: usize) -> bool {
    pos == 0 || !is_word_byte(bytes[pos - 1])
}

/// True when a word may end at `end`: the byte at `end` (if any) does not continue a word.
#[inline]
pub fn is_word_end(bytes: &[u8], end: usize) -> bool {
    end >= bytes.len() || !is_word_byte(bytes[end])
}

/// True when the text at `pos` starts with an upper-case letter: ASCII `A`-`Z`, or a
/// two-byte UTF-8 Latin capital (`À`-`Þ`, and those of Latin Extended-A, `Ā`-`Ž`).
#[inline]
pub fn starts_upper(bytes: &[u8], pos: usize) -> bool {
    match bytes.get(pos) {
        Some(b) if b.is_ascii_uppercase() => true,
        Some(0xC3) => matches!(bytes.get(pos + 1), Some(0x80..=0x9E)) && bytes[pos + 1] != 0x97,
        Some(0xC4 | 0xC5) => bytes
            .get(pos..pos + 2)
            .and_then(|c| std::str::from_utf8(c).ok())
            .and_then(|c| c.chars().next())
            .is_some_and(char::is_uppercase),
        _ => false,
    }
}

/// Calls `visit` at every position of `hay` where a capitalised word starts (see
/// [`starts_upper`] and [`is_word_start`]), in increasing order; `visit` returns the position
/// from which to go on, so that a caller can skip past what it matched.
///
/// Names and places are looked up only here, at the positions the shared prefilter lists
/// ([`crate::prefilter::Class::Capital`]).
pub fn for_each_capital_start(hay: &Haystack<'_>, mut visit: impl FnMut(usize) -> usize) {
    let mut next = 0;
    for pos in hay.candidates(Class::Capital) {
        if pos >= next && starts_upper(hay.bytes, pos) {
            next = visit(pos).max(pos + 1);
        }
    }
}

/// The end of the word that starts at `pos`.
#[inline]
pub fn word_end(bytes: &[u8], pos: usize) -> usize {
    pos + bytes[pos.min(bytes.len())..]
        .iter()
        .take_while(|&&b| is_word_byte(b))
        .count()
}

/// The days of the week, in any case: English writes them capitalised, like names, but `on
/// Monday` is a date and a day after a first name (`fly to Milan Monday`) is no surname.
pub fn is_weekday(word: &[u8]) -> bool {
    const DAYS: &[&str] = &[
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    DAYS.iter().any(|d| d.as_bytes().eq_ignore_ascii_case(word))
}

/// True for a capitalised word that is not all capitals: `Paris`, `Zoë`, `McDonald`, but not
/// `PARIS`, `USA` or a lone initial. Capitalisation is what tells a name from a word in prose;
/// all-capital tokens are too often acronyms and codes.
pub fn is_title_case(word: &[u8]) -> bool {
    if !starts_upper(word, 0) {
        return false;
    }
    // Nearly every word is ASCII, where a lower-case letter is a lower-case byte.
    if word.is_ascii() {
        return word[1..].iter().any(u8::is_ascii_lowercase);
    }
    match std::str::from_utf8(word) {
        Ok(text) => text.chars().skip(1).any(char::is_lowercase),
        Err(_) => word[1..].iter().any(u8::is_ascii_lowercase),
    }
}

/// True when the word at `pos` opens a sentence, a line or a quoted value, where capitals say
/// nothing about proper nouns: `Will do.`, `"Reading the docs"`.
pub fn opens_sentence(bytes: &[u8], pos: usize) -> bool {
    let before = &bytes[..pos];
    let Some(i) = before.iter().rposition(|&b| b != b' ' && b != b'\t') else {
        return true;
    };
    match before[i] {
        // `Mr. Smith`, `Dr. Jane Doe`, `J. Doe`: a short capitalised abbreviation.
        b'.' => !is_abbreviation(&before[..i]),
        // A comma after a word continues the sentence; after anything else it opens a cell.
        b',' => !(i > 0 && before[i - 1].is_ascii_alphabetic()),
        b'\n' | b'\r' | b'!' | b'?' | b':' | b';' | b'"' | b'\'' | b'(' | b'[' | b'{' | b'>'
        | b'*' | b'-' | b'#' | b'|' | b'=' => true,
        _ => false,
    }
}

/// True when `text` ends with a word such as `Mr`, `Mrs`, `Dr`, `Prof` or an initial `J`.
fn is_abbreviation(text: &[u8]) -> bool {
    let start = text
        .iter()
        .rposition(|&b| !b.is_ascii_alphabetic())
        .map_or(0, |i| i + 1);
    let word = &text[start..];
    matches!(word.len(), 1..=4)
        && word[0].is_ascii_uppercase()
        && is_word_start(text, start)
        && (word.len() == 1
            || matches!(
                word,
                b"Mr" | b"Mrs" | b"Ms" | b"Dr" | b"Prof" | b"Sr" | b"Jr" | b"St" | b"Mme" | b"Mlle"
            ))
}

/// Values that fill a name field when there is no name: `null`, `Anonymous`, `N/A`, `test`.
pub fn is_placeholder(value: &[u8]) -> bool {
    const PLACEHOLDERS: &[&str] = &[
        "null",
        "none",
        "nil",
        "n/a",
        "unknown",
        "undefined",
        "anonymous",
        "anon",
        "test",
        "tester",
        "user",
        "guest",
        "admin",
        "customer",
        "name",
        "redacted",
        "hidden",
        "private",
        "true",
        "false",
        "-",
        "--",
        "?",
        "not set",
        "(not set)",
        "no name",
        "default",
    ];
    PLACEHOLDERS
        .iter()
        .any(|p| p.as_bytes().eq_ignore_ascii_case(value))
}

/// True when a value under a name key has the shape of a person's name in any script: letters
/// (any non-ASCII character counts as one), separated by spaces, with `'`, `-`, `.` and `,`
/// inside (`O'Brien`, `Jean-Luc`, `Doe, Jane`, `J. R. R. Tolkien`) and JSON `\uXXXX` escapes
/// as written on disk; no digits or other symbols, at most six words, not a placeholder.
pub fn looks_like_name(value: &[u8]) -> bool {
    if value.is_empty() || value.len() > 96 || is_placeholder(value) {
        return false;
    }
    let mut letters = 0;
    let mut words = 0;
    let mut in_word = false;
    let mut i = 0;
    while i < value.len() {
        let b = value[i];
        match b {
            b'\\' => {
                let hex = value.get(i + 2..i + 6);
                if value.get(i + 1) != Some(&b'u')
                    || !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
                {
                    return false;
                }
                letters += 1;
                if !in_word {
                    words += 1;
                    in_word = true;
                }
                i += 6;
                continue;
            }
            b' ' => in_word = false,
            b'\'' | b'-' | b'.' | b',' => {}
            b if b.is_ascii_alphabetic() || b >= 0x80 => {
                letters += 1;
                if !in_word {
                    words += 1;
                    in_word = true;
                }
            }
            _ => return false,
        }
        i += 1;
    }
    letters >= 1 && words <= 6
}

/// Masks each word of a value as its first character and `***`: `Jane Doe` → `J*** D***`; a
/// word of one character as `***` alone (`김` → `***`), so that no word is shown whole.
pub fn mask_words(value: &str) -> compact_str::CompactString {
    let mut out = super::MaskBuf::new();
    let mut words = 0;
    for word in value.split_ascii_whitespace() {
        if words > 0 {
            out.push(" ");
        }
        out.push_initial(word).push("***");
        words += 1;
    }
    if words == 0 {
        out.push("***");
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capital_starts(s: &[u8]) -> Vec<usize> {
        let mut got = Vec::new();
        for_each_capital_start(&Haystack::plain(s), |pos| {
            got.push(pos);
            pos + 1
        });
        got
    }

    #[test]
    fn capitalised_starts() {
        let s = "jane Doe met Élodie at eBay, ÉCOLE x".as_bytes();
        let got = capital_starts(s);
        let words: Vec<&str> = got
            .iter()
            .map(|&i| {
                std::str::from_utf8(&s[i..])
                    .unwrap()
                    .split(' ')
                    .next()
                    .unwrap()
            })
            .collect();
        assert_eq!(words, ["Doe", "Élodie", "ÉCOLE"]);
    }

    #[test]
    fn capital_starts_across_blocks() {
        let mut s = vec![b'x'; 200];
        for pos in [0, 62, 64, 127, 129, 190, 199] {
            s[pos - usize::from(pos > 0)] = b' ';
            s[pos] = b'A';
        }
        s[150] = 0xC3;
        s[151] = 0x89;
        s[149] = b' ';
        let got = capital_starts(&s);
        assert_eq!(got, [0, 62, 64, 127, 129, 150, 190, 199]);
    }

    #[test]
    fn title_case_and_sentences() {
        for (word, want) in [
            ("Paris", true),
            ("Zoë", true),
            ("McDonald", true),
            ("Élodie", true),
            ("PARIS", false),
            ("J", false),
            ("paris", false),
            ("ÉCOLE", false),
        ] {
            assert_eq!(is_title_case(word.as_bytes()), want, "{word}");
        }
        let s = b"Will do. Then Will said: Reading, in Reading";
        assert!(opens_sentence(s, 0));
        assert!(opens_sentence(s, 9));
        assert!(!opens_sentence(s, 14));
        assert!(opens_sentence(s, 25));
        assert!(!opens_sentence(s, 37));
        assert!(opens_sentence(b"{\"msg\":\"Will", 8));
        assert!(!opens_sentence(b"to Mr. Will", 7));
        assert!(!opens_sentence(b"J. Will", 3));
        assert!(opens_sentence(b"the end. Will", 9));
        assert!(opens_sentence(b"1,Will", 2));
    }

    #[test]
    fn name_shapes() {
        for name in [
            "Jane Doe",
            "jane doe",
            "O'Brien",
            "Jean-Luc Picard",
            "Doe, Jane",
            "J. R. R. Tolkien",
            "王芳",
            "محمد علي",
            "Ren\\u00e9e Dupont",
        ] {
            assert!(looks_like_name(name.as_bytes()), "{name}");
        }
        for not in [
            "",
            "null",
            "Anonymous",
            "N/A",
            "user42",
            "jane@example.com",
            "a b c d e f g",
            "Sign_Up",
            "https://x",
            "Ren\\x",
            "...",
        ] {
            assert!(!looks_like_name(not.as_bytes()), "{not}");
        }
    }

    #[test]
    fn masks_words() {
        assert_eq!(mask_words("Jane Doe"), "J*** D***");
        assert_eq!(mask_words("Zürich"), "Z***");
        assert_eq!(mask_words(""), "***");
        // A word of one character is hidden whole, in any script; two show their first.
        let cases = [
            ("김", "***"),
            ("王", "***"),
            ("J", "***"),
            ("é", "***"),
            ("J Doe", "*** D***"),
            ("Al", "A***"),
            ("王芳", "王***"),
            ("김민수", "김***"),
            ("محمد", "م***"),
            ("Иван", "И***"),
            ("Ян Ли", "Я*** Л***"),
        ];
        for (value, want) in cases {
            assert_eq!(mask_words(value), want, "{value}");
        }
    }
}
