//! What the identifier detectors share (payment cards, IBANs, national numbers): where a
//! token may start and end, the cue words that vouch for a bare number, printed shapes, and
//! masks that keep separators.
//!
//! Boundaries are where most hard negatives die. A run of digits is only a token when it is
//! not glued to a longer identifier: not after or before a letter or digit, not the tail of a
//! dashed or dotted identifier (`order-4111…`, a UUID's last group, `v1.2.…`), not a decimal
//! fraction (`…1111.5`), not an international phone number (`+4915…`). Commas are *not*
//! glue: CSV separates fields with them.
//!
//! A bare run of digits passes a one-digit check by chance one time in ten (or eleven, or
//! 23), and exports are full of such runs, so a bare token is reported only under a key of
//! its kind or after a cue word on its line ([`has_cue_before`]). The cue search runs only
//! for tokens that already validated, and compares the cues only at the word starts of a
//! short window, so that it costs a few dozen byte comparisons.

use compact_str::CompactString;

use super::MaskBuf;

/// A byte that continues a word or number: ASCII letter, digit or underscore.
#[inline]
pub(super) fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// True when a token may start at `start`: the byte before is not part of a word, not a
/// `+` (international phone numbers), and not a `-` or `.` that joins the token to a word or
/// number before it.
#[inline]
pub(super) fn left_ok(hay: &[u8], start: usize) -> bool {
    let Some(prev) = start.checked_sub(1).and_then(|i| hay.get(i)) else {
        return start == 0;
    };
    if is_word(*prev) || *prev == b'+' {
        return false;
    }
    !(matches!(prev, b'-' | b'.') && start >= 2 && hay[start - 2].is_ascii_alphanumeric())
}

/// True when a token may end at `end`: the byte after is not part of a word, and not a `-`
/// or `.` followed by a letter or digit (the token would be the head of a longer identifier or
/// the integer part of a decimal).
#[inline]
pub(super) fn right_ok(hay: &[u8], end: usize) -> bool {
    let Some(&next) = hay.get(end) else {
        return true;
    };
    if is_word(next) {
        return false;
    }
    !(matches!(next, b'-' | b'.') && hay.get(end + 1).is_some_and(u8::is_ascii_alphanumeric))
}

/// Length of the run of ASCII digits at `pos`.
#[inline]
pub(super) fn digit_run(hay: &[u8], pos: usize) -> usize {
    hay.get(pos..).map_or(0, |rest| {
        rest.iter().take_while(|b| b.is_ascii_digit()).count()
    })
}

/// A shape of formatted token, read left to right: `d` an ASCII digit, `L` an upper-case
/// ASCII letter, `c` an upper-case letter or a digit; any other byte stands for itself.
/// Returns the end of the match.
#[inline]
pub(super) fn match_shape(hay: &[u8], pos: usize, shape: &[u8]) -> Option<usize> {
    let rest = hay.get(pos..pos + shape.len())?;
    let ok = rest.iter().zip(shape).all(|(&b, &s)| match s {
        b'd' => b.is_ascii_digit(),
        b'L' => b.is_ascii_uppercase(),
        b'c' => b.is_ascii_uppercase() || b.is_ascii_digit(),
        lit => b == lit,
    });
    ok.then_some(pos + shape.len())
}

/// Calls `visit` at every position of `value_start..value_end` where a token may start (a
/// letter or digit at a token boundary, see [`left_ok`]); `visit` returns the end of what it
/// found there, or `None`, and the walk goes on after it. For the values under a hinting key,
/// which are short and few.
pub(super) fn for_each_start(
    bytes: &[u8],
    value_start: usize,
    value_end: usize,
    mut visit: impl FnMut(usize) -> Option<usize>,
) {
    let mut pos = value_start;
    while pos < value_end {
        let b = bytes[pos];
        if b.is_ascii_alphanumeric() && left_ok(bytes, pos) {
            if let Some(end) = visit(pos).filter(|&e| e > pos) {
                pos = end;
                continue;
            }
        }
        pos += 1;
    }
}

/// A word that, shortly before a bare number on the same line, says what the number is.
#[derive(Clone, Copy, Debug)]
pub(super) struct Cue {
    pub word: &'static str,
    /// Matched ASCII-case-insensitively; otherwise exactly. Short acronyms that are also words
    /// in some language (`SIN`, Spanish "without"; `NIE`, Polish "not"; `DNI`, Polish "days")
    /// are matched in upper case only.
    pub any_case: bool,
}

/// A cue matched in any case.
pub(super) const fn cue(word: &'static str) -> Cue {
    Cue {
        word,
        any_case: true,
    }
}

/// A cue matched exactly (upper-case acronyms).
pub(super) const fn cue_exact(word: &'static str) -> Cue {
    Cue {
        word,
        any_case: false,
    }
}

/// How far before a token a cue word is looked for.
pub(super) const CUE_WINDOW: usize = 48;

/// True when a cue of one of `lists` occurs as a whole word (no ASCII letter right before or
/// after it) in the [`CUE_WINDOW`] bytes before `start`, on the same line and in the same
/// field: the window stops at a newline and at a `,"` (the start of a JSON key or of a
/// quoted CSV cell), so that `{"ssn":"…","ref":"234567890"}` does not lend the first key to
/// the second value. A value's own key counts: in `"customer_ssn":"…"` the word `ssn` stands
/// before the value.
pub(super) fn has_cue_before(hay: &[u8], start: usize, lists: &[&[Cue]]) -> bool {
    let start = start.min(hay.len());
    let from = start.saturating_sub(CUE_WINDOW);
    let mut window = &hay[from..start];
    if let Some(cut) = window
        .iter()
        .enumerate()
        .rev()
        .find(|&(i, &b)| b == b'\n' || (b == b',' && window.get(i + 1) == Some(&b'"')))
    {
        window = &window[cut.0 + 1..];
    }
    // Cues are compared only where a word starts: a few places in a window of 48 bytes.
    for i in 0..window.len() {
        let b = window[i];
        if !b.is_ascii_alphabetic() || (i > 0 && window[i - 1].is_ascii_alphabetic()) {
            continue;
        }
        let rest = &window[i..];
        let found = lists
            .iter()
            .flat_map(|l| l.iter())
            .any(|cue| cue_matches(cue, rest));
        if found {
            return true;
        }
    }
    false
}

/// True when `text` starts with `cue` as a whole word. A space in a cue also matches `_`, `-`
/// or nothing, as keys write the words in logs and query strings (`national_id=`,
/// `tax-id:`, `nationalId`, `cardnumber`). An upper-case-only cue (`SIN`, `NIR`) also matches
/// in lower case where it is written as a key: right before `=`, `:` or a closing quote
/// (`sin=`, `"nir":`), where it cannot be the word it spells in another language.
fn cue_matches(cue: &Cue, text: &[u8]) -> bool {
    let w = cue.word.as_bytes();
    let mut t = 0;
    for (j, &c) in w.iter().enumerate() {
        if c == b' ' {
            if matches!(text.get(t), Some(b' ' | b'_' | b'-')) {
                t += 1;
            } else if !text.get(t).is_some_and(|b| b.is_ascii_alphabetic()) || j == 0 {
                return false;
            }
            continue;
        }
        let Some(&b) = text.get(t) else {
            return false;
        };
        // Case is checked below for upper-case-only cues.
        if !b.eq_ignore_ascii_case(&c) {
            return false;
        }
        t += 1;
    }
    let next = text.get(t);
    if next.is_some_and(u8::is_ascii_alphabetic) {
        return false;
    }
    cue.any_case || &text[..t] == w || matches!(next, Some(b'=' | b':' | b'"'))
}

/// Masks a token: every ASCII letter and digit becomes `*` except those `shown` says to keep
/// (called with the letter or digit's index and their count); ASCII separators are kept so
/// the shape stays visible, and any other character becomes `*`.
pub(super) fn mask_with(value: &str, shown: impl Fn(usize, usize) -> bool) -> CompactString {
    let total = value.bytes().filter(u8::is_ascii_alphanumeric).count();
    let mut seen = 0;
    let mut out = MaskBuf::new();
    for c in value.chars() {
        let mut buf = [0u8; 4];
        if c.is_ascii_alphanumeric() {
            let keep = shown(seen, total);
            seen += 1;
            out.push(if keep { c.encode_utf8(&mut buf) } else { "*" });
        } else if c.is_ascii() && !c.is_ascii_control() {
            out.push(c.encode_utf8(&mut buf));
        } else {
            out.push("*");
        }
    }
    out.finish()
}

/// The test vectors of the three kinds, `tests/data/ids/vectors.tsv`, read at run time:
/// numbers labelled by independent oracles (python-stdnum, schwifty, HMRC's rules), see
/// `scripts/gen_id_vectors.py`.
#[cfg(test)]
pub(super) mod vectors {
    pub struct Row {
        pub line: usize,
        pub kind: String,
        pub scheme: String,
        pub input: String,
        pub expected: String,
        pub note: String,
    }

    pub fn rows(kind: &str) -> Vec<Row> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/ids/vectors.tsv");
        let text = std::fs::read_to_string(path).expect("tests/data/ids/vectors.tsv");
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.starts_with('#') && !l.is_empty())
            .map(|(i, l)| {
                let f: Vec<&str> = l.split('\t').collect();
                assert_eq!(f.len(), 6, "line {}: {l}", i + 1);
                Row {
                    line: i + 1,
                    kind: f[0].to_string(),
                    scheme: f[1].to_string(),
                    input: f[2].to_string(),
                    expected: f[3].to_string(),
                    note: f[5].to_string(),
                }
            })
            .filter(|r| kind.is_empty() || r.kind == kind)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cues_are_whole_words_on_the_same_line() {
        let cues: &[Cue] = &[
            cue("card"),
            cue_exact("SIN"),
            cue("credit card"),
            cue("national id"),
        ];
        let cases: &[(&str, bool)] = &[
            ("card: X", true),
            ("Card no. X", true),
            ("CREDIT CARD X", true),
            ("my_card=X", true),
            (r#"{"customer_card":"X"#, true),
            (r#"{"card":"1","ref":"X"#, false),
            (r#""card","X"#, false),
            ("card, X", true),
            ("discard X", false),
            ("cards X", false),
            ("SIN X", true),
            ("sin X", false),
            // Keys in logs and query strings: a cue's space as `_`, `-` or nothing, and an
            // upper-case cue in lower case where it is a key.
            ("national_id=X", true),
            ("rejected national_id \"X", true),
            ("nationalId: X", true),
            ("NATIONAL-ID X", true),
            ("credit_card=X", true),
            ("creditcard=X", true),
            ("nationalistic X", false),
            ("national_ids X", false),
            ("national__id X", false),
            ("sin=X", true),
            (r#"{"sin":"X"#, true),
            ("sin: X", true),
            ("sin azúcar X", false),
            ("Sin X", false),
            ("card\nX", false),
            (
                "card ............................................. X",
                false,
            ),
            ("X", false),
        ];
        for &(text, want) in cases {
            let at = text.find('X').unwrap_or(text.len());
            assert_eq!(has_cue_before(text.as_bytes(), at, &[cues]), want, "{text}");
        }
        // Several lists are searched together.
        let other: &[Cue] = &[cue("visa")];
        assert!(has_cue_before(b"Visa X", 5, &[cues, other]));
        assert!(!has_cue_before(b"Visa X", 5, &[cues]));
    }

    #[test]
    fn boundaries() {
        let cases: &[(&str, usize, usize, bool)] = &[
            ("x 1234 y", 2, 6, true),
            ("a1234", 1, 5, false),
            ("order-1234", 6, 10, false),
            ("- 1234", 2, 6, true),
            ("+1234", 1, 5, false),
            ("1234.5", 0, 4, false),
            ("1234. ", 0, 4, true),
            ("1234-ab", 0, 4, false),
            ("a,1234,b", 2, 6, true),
            ("_1234", 1, 5, false),
        ];
        for &(text, s, e, want) in cases {
            let h = text.as_bytes();
            assert_eq!(left_ok(h, s) && right_ok(h, e), want, "{text}");
        }
    }

    #[test]
    fn shapes() {
        let cases: &[(&str, &str, Option<usize>)] = &[
            ("123-45-6789", "ddd-dd-dddd", Some(11)),
            ("123-45-678", "ddd-dd-dddd", None),
            ("AB 12", "LL dd", Some(5)),
            ("ab 12", "LL dd", None),
            ("A1", "cc", Some(2)),
        ];
        for &(text, shape, want) in cases {
            assert_eq!(
                match_shape(text.as_bytes(), 0, shape.as_bytes()),
                want,
                "{text}"
            );
        }
    }

    #[test]
    fn masks_keep_separators() {
        let last4 = |i: usize, n: usize| n >= 12 && i + 4 >= n;
        assert_eq!(
            mask_with("4111 1111 1111 1234", last4),
            "**** **** **** 1234"
        );
        assert_eq!(mask_with("123-45-6789", |_, _| false), "***-**-****");
        assert_eq!(mask_with("1234", last4), "****");
        assert_eq!(mask_with("1é2\t3", |_, _| false), "*****");
    }

    #[test]
    fn starts_in_a_value_are_token_boundaries() {
        let text = b"x 12-ab 34 c5";
        let mut seen = Vec::new();
        for_each_start(text, 0, text.len(), |p| {
            seen.push(p);
            None
        });
        assert_eq!(seen, [0, 2, 8, 11], "not after `12-`");
    }
}
