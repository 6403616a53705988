//! Byte-level helpers shared by detectors: word boundaries, capitalised word starts and the
//! masking of word-like values (names, places).

/// True for bytes that continue a word: ASCII letters and digits, `_`, and any non-ASCII byte
/// (so that `José` or `Zürich` are single words).
#[inline]
pub fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

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
/// two-byte UTF-8 Latin upper-case letter (`À`-`Þ`, `Ā`-`Ž` with an even code point).
#[inline]
pub fn starts_upper(bytes: &[u8], pos: usize) -> bool {
    match bytes.get(pos) {
        Some(b) if b.is_ascii_uppercase() => true,
        Some(0xC3) => matches!(bytes.get(pos + 1), Some(0x80..=0x9E)) && bytes[pos + 1] != 0x97,
        Some(0xC4 | 0xC5) => matches!(bytes.get(pos + 1), Some(b) if b & 1 == 0),
        _ => false,
    }
}

/// Positions in `bytes` where a capitalised word starts, in increasing order.
pub fn capitalised_word_starts(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    (0..bytes.len()).filter(move |&i| {
        let b = bytes[i];
        (b.is_ascii_uppercase() || b == 0xC3 || b == 0xC4 || b == 0xC5)
            && starts_upper(bytes, i)
            && is_word_start(bytes, i)
    })
}

/// Masks each word of a value as its first character and `***`: `Jane Doe` → `J*** D***`.
pub fn mask_words(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for (i, word) in value.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if let Some(first) = word.chars().next() {
            out.push(first);
        }
        out.push_str("***");
    }
    if out.is_empty() {
        out.push_str("***");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capitalised_starts() {
        let s = "jane Doe met Élodie at eBay, ÉCOLE x".as_bytes();
        let got: Vec<usize> = capitalised_word_starts(s).collect();
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
    fn masks_words() {
        assert_eq!(mask_words("Jane Doe"), "J*** D***");
        assert_eq!(mask_words("Zürich"), "Z***");
        assert_eq!(mask_words(""), "***");
    }
}
