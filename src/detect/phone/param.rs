//! Phones in query strings and form bodies: `?phone=%2B49%2030%201234567`, `msisdn=4915...`.
//!
//! Why: sign-up, verification and SMS endpoints take the number as a URL parameter, and an
//! access log keeps it percent-encoded (`%2B` for `+`, `%20` for a space), where the digits
//! are no longer a run the prefilter lists and the `+` is gone. The parameter's name says what
//! the value is, as a JSON key would: the value is decoded into a small buffer and judged as
//! a value under a phone key ([`super::decide::find_phones`] with the key hint), and what is
//! found is mapped back onto the encoded bytes. Candidates are the prefilter's `=` after a
//! word ([`crate::prefilter::Class::Secret`]); the name is looked up in the key table
//! ([`crate::structure::keys::hint_for_key`]), so `phone`, `msisdn`, `tel`, `mobile`,
//! `phone_number` and the other phone keys count and nothing else does.

use crate::structure::keys::{hint_for_key, Hint};

use super::decide::find_phones;

/// The longest encoded value looked at; a phone with an extension is far shorter.
const MAX_ENCODED: usize = 96;
/// The longest decoded value.
const MAX_DECODED: usize = 48;

/// Calls `f(start, end)` for each phone in the value of the parameter whose `=` is at `eq`,
/// when the parameter's name is a phone key; offsets are those of the encoded bytes.
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
    let from = eq + 1;
    let limit = (from + MAX_ENCODED).min(h.len());
    let end = h[from..limit]
        .iter()
        .position(|b| {
            matches!(
                b,
                b'&' | b';' | b' ' | b'"' | b'\'' | b'#' | b'\n' | b'\r' | b'\t' | b'<' | b'>'
            )
        })
        .map_or(limit, |i| from + i);
    // Decoded bytes, and where each starts in the encoded value.
    let mut buf = [0u8; MAX_DECODED];
    let mut src = [0usize; MAX_DECODED + 1];
    let mut n = 0;
    let mut i = from;
    while i < end {
        if n == MAX_DECODED {
            return;
        }
        src[n] = i;
        let (byte, len) = match h[i] {
            b'%' => match (hex(h.get(i + 1)), hex(h.get(i + 2))) {
                (Some(hi), Some(lo)) => (hi << 4 | lo, 3),
                _ => return,
            },
            // Form encoding writes a space as `+`; a leading `+` is the number's own.
            b'+' if i > from => (b' ', 1),
            b => (b, 1),
        };
        buf[n] = byte;
        n += 1;
        i += len;
    }
    src[n] = end;
    // Plain digits need no decoding: the prefilter's candidates already cover them.
    if end - from == n && !h[from..end].contains(&b'+') {
        return;
    }
    find_phones(&buf[..n], true, |found| f(src[found.start], src[found.end]));
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
            // Not a phone parameter, or not a phone.
            ("/v?order=%2B4930901820", &[]),
            ("/v?phone=%2B12", &[]),
            ("/v?phone=%ZZ4930901820", &[]),
            ("/v?phone=REDACTED", &[]),
        ];
        for &(text, want) in cases {
            assert_eq!(found(text), want, "{text}");
        }
    }
}
