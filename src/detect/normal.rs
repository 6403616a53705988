//! How the values of a kind are made comparable: one normaliser per kind, for everything that
//! compares values (the exposure report's distinct counts, allowlists, baselines).
//!
//! A value is first read as text with its JSON escapes decoded (`S\u00e3o` is `São`), so that
//! a file written again by another serialiser keeps its values, then put in the form its kind
//! calls canonical. Two places that normalised on their own once disagreed (`São Paulo`,
//! `S\u00e3o Paulo` and `SÃO PAULO` were three cities in the report and one in the policy);
//! there is now this one.
//!
//! [`Normal::apply_into`] is the hot path: the exposure report fingerprints every finding, so
//! the common case (ASCII without escapes) is folded straight into a reused buffer.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::net::IpAddr;

/// The normal form of a kind's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Normal {
    /// `%40`, `%2B` and `\u0040` decoded, case folded: one address however written.
    Email,
    /// Parsed and written back in canonical form (`2001:DB8:0::1` is `2001:db8::1`).
    Ip,
    /// Each number written back in its shortest form: `48.8500, 2.30` is `48.85,2.3`.
    Number,
    /// Case folded, runs of white space made one space: `JANE  Doe` is `jane doe`.
    Text,
    /// As found: identifiers and URLs whose case may matter.
    Exact,
    /// A phone number in E.164 (`+442079460958`), however written; a number that does not
    /// parse keeps its digits and a leading `+`.
    Phone,
    /// The digits alone (`4111 1111-1111 1111` is `4111111111111111`): cards, IMEIs.
    Digits,
    /// Letters and digits alone, upper-cased (`de89 3704 …` is `DE893704…`): IBANs,
    /// national numbers.
    Compact,
    /// Six bytes as lower-case hex pairs joined by `:` (`00-1A-2B-3C-4D-5E` is
    /// `00:1a:2b:3c:4d:5e`).
    Mac,
}

/// The longest value [`Normal::fold_ascii`] folds on the stack: room for a user agent or a
/// URL written with escaped slashes.
pub const FOLD_MAX: usize = 512;

/// Copies `raw` into `out` with each `\/` written `/`, from the first backslash at `first`;
/// `None` when another escape is met (the general path decodes it). Returns the length.
fn unescape_slashes(raw: &[u8], first: usize, out: &mut [u8; FOLD_MAX]) -> Option<usize> {
    out[..first].copy_from_slice(&raw[..first]);
    let (mut i, mut n) = (first, first);
    while i < raw.len() {
        let b = raw[i];
        if b == b'\\' {
            if raw.get(i + 1) != Some(&b'/') {
                return None;
            }
            i += 1;
        }
        out[n] = raw[i];
        n += 1;
        i += 1;
    }
    Some(n)
}

impl Normal {
    /// The common case on the hot path (the exposure report fingerprints every finding): a
    /// short ASCII value whose only escapes are `\/` (JSON's escaped slash, in every URL and
    /// user agent some serialisers write), folded into `out` as it is copied, with the bytes
    /// written returned. `None` when the value needs the general path, which gives the same
    /// result for every value this one takes.
    #[inline]
    pub fn fold_ascii(self, raw: &[u8], out: &mut [u8; FOLD_MAX]) -> Option<usize> {
        if raw.len() > FOLD_MAX || !raw.is_ascii() {
            return None;
        }
        match crate::short::find(b'\\', raw) {
            None => self.fold_unescaped(raw, out),
            // Only here a second buffer: zeroed for every value, it showed in the report's
            // profile (one memset a finding).
            Some(first) => {
                let mut unescaped = [0u8; FOLD_MAX];
                let n = unescape_slashes(raw, first, &mut unescaped)?;
                self.fold_unescaped(&unescaped[..n], out)
            }
        }
    }

    /// [`Normal::fold_ascii`] of a value without escapes.
    #[inline]
    fn fold_unescaped(self, raw: &[u8], out: &mut [u8; FOLD_MAX]) -> Option<usize> {
        match self {
            Normal::Email if !raw.contains(&b'%') => {
                for (o, b) in out.iter_mut().zip(raw) {
                    *o = b.to_ascii_lowercase();
                }
                Some(raw.len())
            }
            // Addresses percent-encoded in URLs (`jane%40example.com`, `a%2Bb@...`).
            Normal::Email => {
                let (mut i, mut n) = (0, 0);
                while let Some(b) = raw.get(i) {
                    let (decoded, len) = match &raw[i..] {
                        [b'%', b'4', b'0', ..] => (b'@', 3),
                        [b'%', b'2', b'B' | b'b', ..] => (b'+', 3),
                        _ => (b.to_ascii_lowercase(), 1),
                    };
                    out[n] = decoded;
                    n += 1;
                    i += len;
                }
                Some(n)
            }
            // A dotted quad is canonical as the detectors find it (no leading zeros).
            Normal::Ip if raw.iter().all(|b| b.is_ascii_digit() || *b == b'.') => {
                out[..raw.len()].copy_from_slice(raw);
                Some(raw.len())
            }
            Normal::Text => {
                let mut n = 0;
                // The white space of `char::is_whitespace` in ASCII, as the general path splits.
                let blank = |b: &u8| matches!(b, b'\t'..=b'\r' | b' ');
                for word in raw.split(blank).filter(|w| !w.is_empty()) {
                    if n > 0 {
                        out[n] = b' ';
                        n += 1;
                    }
                    for (o, b) in out[n..].iter_mut().zip(word) {
                        *o = b.to_ascii_lowercase();
                    }
                    n += word.len();
                }
                Some(n)
            }
            Normal::Exact => {
                out[..raw.len()].copy_from_slice(raw);
                Some(raw.len())
            }
            // `00-1A-2B-…`: the hex digits, lowered, in pairs joined by `:` (a `:` for every
            // two digits at most, so a value of up to two thirds of the buffer fits).
            Normal::Mac if raw.len() <= FOLD_MAX * 2 / 3 => {
                let mut n = 0;
                let hex = raw.iter().filter(|b| b.is_ascii_hexdigit());
                for (i, b) in hex.enumerate() {
                    if i > 0 && i % 2 == 0 {
                        out[n] = b':';
                        n += 1;
                    }
                    out[n] = b.to_ascii_lowercase();
                    n += 1;
                }
                Some(n)
            }
            _ => None,
        }
    }

    /// Every normal form, for an allowlist value that must match a finding of any kind.
    pub const ALL: [Normal; 9] = [
        Normal::Email,
        Normal::Ip,
        Normal::Number,
        Normal::Text,
        Normal::Exact,
        Normal::Phone,
        Normal::Digits,
        Normal::Compact,
        Normal::Mac,
    ];

    /// `raw` in normal form.
    pub fn apply(self, raw: &[u8]) -> String {
        let mut out = String::new();
        self.apply_into(raw, &mut out);
        out
    }

    /// Writes `raw` in normal form into `out`, which is cleared first.
    pub fn apply_into(self, raw: &[u8], out: &mut String) {
        out.clear();
        let mut folded = [0u8; FOLD_MAX];
        if let Some(n) = self.fold_ascii(raw, &mut folded) {
            // SAFETY: `fold_ascii` writes ASCII only.
            out.push_str(unsafe { std::str::from_utf8_unchecked(&folded[..n]) });
            return;
        }
        self.general_into(raw, out);
    }

    /// [`Normal::apply_into`] without its fast path: the definition the fast path is held to.
    pub fn general_into(self, raw: &[u8], out: &mut String) {
        out.clear();
        let lossy = String::from_utf8_lossy(raw);
        let text = unescape_json(&lossy);
        match self {
            Normal::Email => {
                let mut rest: &str = &text;
                while let Some(c) = rest.chars().next() {
                    let (decoded, len) = if rest.starts_with("%40") {
                        ('@', 3)
                    } else if rest.starts_with("%2B") || rest.starts_with("%2b") {
                        ('+', 3)
                    } else if rest.starts_with("\\u0040") {
                        ('@', 6)
                    } else {
                        (c, c.len_utf8())
                    };
                    push_lowercase(out, decoded);
                    rest = &rest[len..];
                }
            }
            Normal::Ip => {
                let trimmed = text.trim().trim_start_matches('[').trim_end_matches(']');
                let bare = trimmed.split('%').next().unwrap_or(trimmed);
                match bare.parse::<IpAddr>() {
                    Ok(ip) => {
                        let _ = write!(out, "{ip}");
                    }
                    Err(_) => out.extend(bare.chars().map(|c| c.to_ascii_lowercase())),
                }
            }
            Normal::Number => {
                let numbers = text
                    .split(|c: char| {
                        !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
                    })
                    .filter(|t| !t.is_empty());
                for (i, t) in numbers.enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    match t.parse::<f64>() {
                        Ok(n) => {
                            let _ = write!(out, "{n}");
                        }
                        Err(_) => out.push_str(t),
                    }
                }
            }
            Normal::Text => {
                for (i, word) in text.split_whitespace().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    // `str::to_lowercase` without a string per word: it lowers each character
                    // on its own, but for a capital sigma, which ends a word differently.
                    if word.contains('Σ') {
                        out.push_str(&word.to_lowercase());
                    } else {
                        word.chars().for_each(|c| push_lowercase(out, c));
                    }
                }
            }
            Normal::Exact => out.push_str(&text),
            Normal::Phone => match super::phone::e164(text.as_bytes()) {
                Some(e164) => out.push_str(&e164),
                None => {
                    if text.trim_start().starts_with('+') {
                        out.push('+');
                    }
                    out.extend(text.chars().filter(char::is_ascii_digit));
                }
            },
            Normal::Digits => out.extend(text.chars().filter(char::is_ascii_digit)),
            Normal::Compact => out.extend(
                text.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|c| c.to_ascii_uppercase()),
            ),
            Normal::Mac => {
                let hex: Vec<char> = text
                    .chars()
                    .filter(char::is_ascii_hexdigit)
                    .map(|c| c.to_ascii_lowercase())
                    .collect();
                for (i, pair) in hex.chunks(2).enumerate() {
                    if i > 0 {
                        out.push(':');
                    }
                    out.extend(pair);
                }
            }
        }
    }
}

/// Pushes `c` lowered as `char::to_lowercase` lowers it, ASCII without its table search (the
/// Latin letters of a name with one accent are most of its characters).
#[inline]
fn push_lowercase(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else {
        out.extend(c.to_lowercase());
    }
}

/// Decodes the escapes of a JSON string (`\uXXXX` with surrogate pairs, `\"`, `\\`, `\/`,
/// `\n`...); a malformed escape is kept as written.
pub fn unescape_json(text: &str) -> Cow<'_, str> {
    if !text.contains('\\') {
        return Cow::Borrowed(text);
    }
    let hex = |s: &str| {
        s.get(..4)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (decoded, used): (Option<char>, usize) = match after.chars().next() {
            Some('u') => match hex(&after[1..]) {
                Some(high @ 0xD800..=0xDBFF) => {
                    let low = after[5..].strip_prefix("\\u").and_then(hex);
                    match low {
                        Some(low @ 0xDC00..=0xDFFF) => (
                            char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)),
                            11,
                        ),
                        _ => (None, 0),
                    }
                }
                Some(unit) => (char::from_u32(unit), 5),
                None => (None, 0),
            },
            Some('n') => (Some('\n'), 1),
            Some('t') => (Some('\t'), 1),
            Some('r') => (Some('\r'), 1),
            Some('b') => (Some('\u{8}'), 1),
            Some('f') => (Some('\u{c}'), 1),
            Some(c @ ('"' | '\\' | '/')) => (Some(c), 1),
            _ => (None, 0),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &after[used..];
            }
            None => {
                out.push('\\');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Kind;

    #[test]
    fn normalisation_makes_one_value_of_its_spellings() {
        let cases: &[(Kind, &str, &str)] = &[
            (Kind::Email, "Jane.Doe@Example.COM", "jane.doe@example.com"),
            (
                Kind::Email,
                "jane%2Bnews%40example.org",
                "jane+news@example.org",
            ),
            (Kind::Email, r"kim\u0040example.net", "kim@example.net"),
            (Kind::Email, "RENÉE@Example.com", "renée@example.com"),
            (Kind::Ipv6, "2001:DB8:0:0::1", "2001:db8::1"),
            (Kind::Ipv6, "fe80::1%eth0", "fe80::1"),
            (Kind::Ipv4, "203.0.113.7", "203.0.113.7"),
            (Kind::PersonName, "JANE   Doe", "jane doe"),
            (Kind::PersonName, " Jane\tDoe ", "jane doe"),
            (Kind::City, r"S\u00e3o Paulo", "são paulo"),
            (Kind::City, "São Paulo", "são paulo"),
            (Kind::City, "SÃO PAULO", "são paulo"),
            (Kind::PersonName, r"\ud83d\ude00 Ren\u00E9e", "😀 renée"),
            (
                Kind::PersonName,
                r"bad \ud83d escape \x",
                r"bad \ud83d escape \x",
            ),
            (
                Kind::Referrer,
                r"https:\/\/example.com\/a",
                "https://example.com/a",
            ),
            (Kind::Coordinates, "48.8500, 2.30", "48.85,2.3"),
            (Kind::Coordinates, "-122.4194", "-122.4194"),
            (Kind::AccountId, "User-ABC", "User-ABC"),
            (Kind::Phone, "+44 20 7946 0958", "+442079460958"),
            (Kind::Phone, "+44 (0)20-7946-0958", "+442079460958"),
            (Kind::CreditCard, "4111 1111-1111 1111", "4111111111111111"),
            (
                Kind::Iban,
                "de89 3704 0044 0532 0130 00",
                "DE89370400440532013000",
            ),
            (Kind::NationalId, "ab 12 34 56 c", "AB123456C"),
            (Kind::NationalId, "123.456.789-09", "12345678909"),
            (Kind::MacAddress, "00-1A-2B-3C-4D-5E", "00:1a:2b:3c:4d:5e"),
            (Kind::Imei, "35-209900-176148-1", "352099001761481"),
        ];
        for &(kind, raw, want) in cases {
            assert_eq!(kind.normal().apply(raw.as_bytes()), want, "{kind} {raw}");
        }
    }

    /// The fast path for plain ASCII gives what the general one gives.
    #[test]
    fn the_ascii_fast_path_agrees_with_the_general_one() {
        let values = [
            "Jane.Doe@Example.COM",
            "  JANE \t  Doe ",
            "Jane\x0bDoe\x0c",
            r"https:\/\/Example.com\/A?b=C",
            r"Mozilla\/5.0 (X11; Linux x86_64) Chrome\/124.0.0.0",
            "User-ABC",
            "https://Example.com/A?b=C",
            "00-1A-2B-3C-4D-5E",
            "00:1a:2b:3c:4d:5",
            "a4:5E:60:d1:22:0f",
            "001A.2B3C.4D5E",
            "zz",
            "",
            " ",
        ];
        // Escapes other than `\/`, and `\\/` (an escaped backslash, then a slash), take the
        // general path; their results are the general path's by definition.
        for (normal, value) in [(Normal::Exact, r"a\\/b"), (Normal::Text, r"a\u0041\/")] {
            let mut out = [0u8; FOLD_MAX];
            assert_eq!(
                normal.fold_ascii(value.as_bytes(), &mut out),
                None,
                "{value}"
            );
        }
        for normal in Normal::ALL {
            for value in values {
                let mut folded = [0u8; FOLD_MAX];
                let n = normal.fold_ascii(value.as_bytes(), &mut folded);
                let mut general = String::new();
                normal.general_into(value.as_bytes(), &mut general);
                if let Some(n) = n {
                    assert_eq!(&folded[..n], general.as_bytes(), "{normal:?} {value:?}");
                }
            }
        }
        // The values the report meets most take the fast path.
        let mut folded = [0u8; FOLD_MAX];
        for (normal, value) in [
            (Normal::Exact, r"https:\/\/Example.com\/A?b=C"),
            (
                Normal::Text,
                r"Mozilla\/5.0 (X11; Linux x86_64) Chrome\/124.0.0.0",
            ),
            (Normal::Text, "Jane\x0bDoe\x0c"),
            (Normal::Mac, "00-1A-2B-3C-4D-5E"),
        ] {
            assert!(
                normal.fold_ascii(value.as_bytes(), &mut folded).is_some(),
                "{value}"
            );
        }
    }

    proptest::proptest! {
        /// Text is lowered as `str::to_lowercase` lowers each word, final sigmas and letters
        /// that lower to two characters included.
        #[test]
        fn text_is_lowered_word_by_word(value in "[aZΣσςİẞÉé \t]{0,12}|\\PC{0,12}") {
            let mut normal = String::new();
            Normal::Text.general_into(value.as_bytes(), &mut normal);
            let text = unescape_json(&value);
            let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
            proptest::prop_assert_eq!(normal, words.join(" "));
        }

        /// On values made of the bytes that matter to the fast path (escapes, blanks, case,
        /// `%`, `@`, digits, dots), it gives the general path's result whenever it answers.
        #[test]
        fn the_fast_path_is_the_general_one(value in "[aZ0.@%24Bb/\\\\ \t\n\r\x0b\x0cu:-]{0,40}") {
            let mut folded = [0u8; FOLD_MAX];
            for normal in Normal::ALL {
                let mut general = String::new();
                normal.general_into(value.as_bytes(), &mut general);
                if let Some(n) = normal.fold_ascii(value.as_bytes(), &mut folded) {
                    proptest::prop_assert_eq!(&folded[..n], general.as_bytes(), "{:?}", normal);
                }
            }
        }
    }
}
