//! The shape of a place name, for values a key has already called a place.
//!
//! Under a `city`, `region` or `country` key the question is no longer "is this word a place?"
//! (lists answer that in free text) but "is this value a name at all?". Exports hold the
//! places no list has (`Jiangsu`, `Blekinge län`, `Tverskaya oblast'`, the official forms
//! `Buryatiya, Respublika` and `Hà Nội (Thành phố)`) beside the values that are not names:
//! empty cells, numbers, ids, codes of a cloud region (`us-east-1`) and the placeholders of
//! analytics tools (`(not set)`, `unknown`, `N/A`, `-`). This is kept apart from the person
//! name shape (`text::looks_like_name`) because a place allows what a name does not: commas,
//! parentheses and lower-case words inside (`oblast'`, `län`, `de`).

/// True when `value` (as on disk, JSON escapes included) has the shape of a place name: one to
/// eight words of letters of any script (a non-ASCII byte or a `\uXXXX` escape counts as a
/// letter), with spaces, `-`, `'`, `’`, `,`, `.`, parentheses and `/` (`Biel/Bienne`, escaped
/// `\/` in JSON) between; at least two letters; the first letter not a lower-case ASCII one
/// (places are written capitalised; `eu-west`, `active` are not places) unless a capital
/// follows it within its first four letters (the Nguni prefixes of `uThungulu`, `eThekwini`);
/// no digit, no other symbol; not a placeholder.
pub fn looks_like_place(value: &[u8]) -> bool {
    if value.len() < 2 || value.len() > 120 || is_placeholder(value) {
        return false;
    }
    let mut letters = 0;
    let mut words = 0;
    let mut in_word = false;
    let mut first_letter = None;
    let mut i = 0;
    while i < value.len() {
        let b = value[i];
        let letter = match b {
            b'\\' if value.get(i + 1) == Some(&b'/') && i > 0 => {
                i += 1;
                false
            }
            b'/' if i > 0 => false,
            b'\\' => {
                let hex = value.get(i + 2..i + 6);
                if value.get(i + 1) != Some(&b'u')
                    || !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
                {
                    return false;
                }
                i += 5;
                true
            }
            b' ' => {
                in_word = false;
                false
            }
            b'\'' | b'-' | b'.' | b',' | b'(' | b')' => false,
            b if b.is_ascii_alphabetic() || b >= 0x80 => true,
            _ => return false,
        };
        if letter {
            letters += 1;
            first_letter.get_or_insert(b);
            if !in_word {
                words += 1;
                in_word = true;
            }
        }
        i += 1;
    }
    let prefixed = || {
        value
            .iter()
            .take(4)
            .skip(1)
            .take_while(|b| b.is_ascii_alphabetic())
            .any(u8::is_ascii_uppercase)
    };
    letters >= 2
        && words <= 8
        && (!first_letter.is_some_and(|b| b.is_ascii_lowercase()) || prefixed())
        && !value.ends_with(b"/")
}

/// The values analytics tools and forms write where they know no place.
fn is_placeholder(value: &[u8]) -> bool {
    const PLACEHOLDERS: &[&str] = &[
        "(not set)",
        "not set",
        "(none)",
        "none",
        "(other)",
        "other",
        "unknown",
        "(unknown)",
        "n/a",
        "na",
        "null",
        "nil",
        "undefined",
        "not available",
        "not applicable",
        "anonymous",
        "redacted",
        "(redacted)",
        "hidden",
        "private",
        "test",
        "true",
        "false",
        "default",
        "global",
        "worldwide",
        "all",
        "any",
        "local",
        "localhost",
        "internal",
        "earth",
    ];
    let value = value.trim_ascii();
    PLACEHOLDERS
        .iter()
        .any(|p| value.eq_ignore_ascii_case(p.as_bytes()))
        || value
            .iter()
            .all(|&b| matches!(b, b'-' | b'.' | b'?' | b' ' | b'*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let cases: &[(&str, bool)] = &[
            ("Jiangsu", true),
            ("Blekinge län", true),
            ("Tverskaya oblast'", true),
            ("Buryatiya, Respublika", true),
            ("Hà Nội (Thành phố)", true),
            ("St. John's", true),
            ("Saint-Étienne", true),
            ("Ōsaka", true),
            ("東京都", true),
            ("Москва", true),
            ("Île-de-France", true),
            (r"S\u00e3o Paulo", true),
            ("Washington, D.C.", true),
            ("Biel/Bienne District", true),
            (r"Biel\/Bienne District", true),
            ("uThungulu District Municipality", true),
            ("eThekwini", true),
            ("/Bienne", false),
            ("Biel/", false),
            ("iPhone 15", false),
            ("eu-West", false),
            ("", false),
            ("-", false),
            ("--", false),
            ("(not set)", false),
            ("N/A", false),
            ("unknown", false),
            ("Unknown", false),
            ("null", false),
            ("None", false),
            ("12345", false),
            ("us-east-1", false),
            ("eu-west", false),
            ("active", false),
            ("a1b2c3d4", false),
            ("8f3a9c2e-1b4d-4e5f-9a8b-7c6d5e4f3a2b", false),
            ("Paris 75001", false),
            ("X", false),
            ("foo@example.com", false),
            (r"bad\escape", false),
            ("One Two Three Four Five Six Seven Eight Nine", false),
        ];
        for (value, want) in cases {
            assert_eq!(looks_like_place(value.as_bytes()), *want, "{value:?}");
        }
    }
}
