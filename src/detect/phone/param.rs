//! Phones in query strings, form bodies and log fields: `?phone=%2B49%2030%201234567`,
//! `msisdn=4915...`, `phone_number=0342-718 2564`.
//!
//! Why: sign-up, verification and SMS endpoints take the number as a URL parameter, and an
//! access log keeps it percent-encoded (`%2B` for `+`, `%20` for a space), where the digits
//! are no longer a run the prefilter lists and the `+` is gone. The parameter's name says what
//! the value is, as a JSON key would: the value is decoded into a small buffer and judged as
//! a value under a phone key ([`super::decide::find_phones`] with the key hint), and what is
//! found is mapped back onto the encoded bytes. A log line's `key=value` is read the same
//! way: a field named as a phone key holds a phone as a JSON key does, though its name is no
//! cue word (`phone_number`, `customerPhone`), and its value may hold blanks when digits
//! follow them. Candidates are the prefilter's `=` after a word
//! ([`crate::prefilter::Class::Secret`]); the name is looked up in the key table
//! ([`crate::structure::keys::hint_for_key`]), so `phone`, `msisdn`, `tel`, `mobile`,
//! `phone_number` and the other phone keys count and nothing else does.

use crate::structure::keys::{hint_for_key, Hint};

use super::decide::find_phones;
use super::digits::{self, Folded};

/// The longest encoded value looked at; a phone with an extension is far shorter.
const MAX_ENCODED: usize = 96;

/// Calls `f(start, end)` for the phone that the value of the parameter or log field whose
/// `=` (or `:`) is at `eq` starts with, when its name is a phone key; offsets are those of the
/// bytes as written.
pub fn phones_in_param(h: &[u8], eq: usize, mut f: impl FnMut(usize, usize)) {
    if h.get(eq) != Some(&b'=') {
        return;
    }
    let name_start = h[..eq]
        .iter()
        .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'-')))
        .map_or(0, |i| i + 1);
    let name = &h[name_start..eq];
    if name.is_empty() || hint_for_key(name) != Some(Hint::Phone) {
        return;
    }
    // `phone="0342..."`.
    let mut from = eq + 1;
    if matches!(h.get(from), Some(b'"' | b'\'')) {
        from += 1;
    }
    let limit = (from + MAX_ENCODED).min(h.len());
    // A blank ends the value unless a digit follows in a log line's field (`phone=0342 718
    // 2564`); in a URL's query (after `?` or `&`) it ends it.
    let in_url = name_start > 0 && matches!(h[name_start - 1], b'?' | b'&');
    let digit_at =
        |i: usize| h.get(i).is_some_and(u8::is_ascii_digit) || digits::digit_at(h, i).is_some();
    let end = (from..limit)
        .find(|&i| match h[i] {
            b' ' => in_url || !digit_at(i + 1),
            b'&' | b';' | b'"' | b'\'' | b'#' | b'\n' | b'\r' | b'\t' | b'<' | b'>' | b',' => true,
            _ => false,
        })
        .unwrap_or(limit);
    // Percent-encoding undone and digits of other scripts folded, with where each decoded
    // byte starts in the value as written.
    let decoded = Folded::decode(h, from, end, |i| match h[i] {
        b'%' => Some((hex(h.get(i + 1))? << 4 | hex(h.get(i + 2))?, 3)),
        // Form encoding writes a space as `+`; a leading `+` is the number's own.
        b'+' if i > from => Some((b' ', 1)),
        _ => Some(digits::digit_at(h, i).unwrap_or((h[i], 1))),
    });
    let Some(decoded) = decoded else {
        return;
    };
    let mut first = true;
    find_phones(decoded.bytes(), true, |found| {
        // The value is the number: one found further in is not under this name.
        if first && found.start == 0 {
            f(decoded.source(found.start), decoded.source(found.end));
        }
        first = false;
    });
}

fn hex(b: Option<&u8>) -> Option<u8> {
    let b = *b?;
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let h = text.as_bytes();
        let mut out = Vec::new();
        for (eq, _) in text.match_indices('=') {
            phones_in_param(h, eq, |s, e| out.push(&text[s..e]));
        }
        out
    }

    #[test]
    fn encoded_phone_parameters() {
        let cases: &[(&str, &[&str])] = &[
            (
                "GET /verify?phone=%2B4930901820 HTTP/1.1",
                &["%2B4930901820"],
            ),
            (
                "GET /verify?phone=%2B49%2030%20901820&x=1",
                &["%2B49%2030%20901820"],
            ),
            ("POST /v?msisdn=%2B447911123456 200", &["%2B447911123456"]),
            (
                "/sms?to=1&tel=%2B33%206%2012%2034%2056%2078",
                &["%2B33%206%2012%2034%2056%2078"],
            ),
            ("/v?phone=+44+7911+123456&", &["+44+7911+123456"]),
            // Digits of other scripts; fields of a log line, with blanks in the number.
            (
                "GET /v?phone=%2B৮৮০১৭০৭৯৫৬২২৬ HTTP/1.1",
                &["%2B৮৮০১৭০৭৯৫৬২২৬"],
            ),
            (
                "sms ok phone_number=0342-718 2564 status=200",
                &["0342-718 2564"],
            ),
            ("user=7 mobile=06473 173300, plan=pro", &["06473 173300"]),
            (
                "to customerPhone=\"+33 6 12 34 56 78\" ok",
                &["+33 6 12 34 56 78"],
            ),
            // Not a phone parameter, or not a phone.
            ("/v?order=%2B4930901820", &[]),
            ("/v?phone=%2B12", &[]),
            ("/v?phone=%ZZ4930901820", &[]),
            ("/v?phone=REDACTED", &[]),
            ("phone_verified=1700000000 phone=true", &[]),
            ("phone=n/a 2015550123", &[]),
        ];
        for &(text, want) in cases {
            assert_eq!(found(text), want, "{text}");
        }
    }
}
