//! The checks a regex match must pass before it is a secret: not a placeholder or a redaction,
//! random enough, and for JWTs, PEM blocks and `Basic` headers, the right structure inside.
//!
//! A log is full of strings shaped like credentials that are not: documentation placeholders
//! (`sk-your-key-here`, `AKIAIOSFODNN7EXAMPLE`), redactions (`****`, `[FILTERED]`), templates
//! (`${TOKEN}`, `<YOUR_API_KEY>`), hashes and ids. Each check is tuned so that a random token
//! of the format fails it with negligible probability (the odds are worked out beside each);
//! none allocates: they run on every candidate.

use serde::de::IgnoredAny;
use serde::Deserialize;

/// Shannon entropy in bits per byte.
pub fn entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// How many of lower-case letters, upper-case letters, digits and other bytes occur.
pub fn char_classes(bytes: &[u8]) -> u8 {
    let (mut lower, mut upper, mut digit, mut other) = (false, false, false, false);
    for &b in bytes {
        match b {
            b'a'..=b'z' => lower = true,
            b'A'..=b'Z' => upper = true,
            b'0'..=b'9' => digit = true,
            _ => other = true,
        }
    }
    u8::from(lower) + u8::from(upper) + u8::from(digit) + u8::from(other)
}

/// Words that mark a value as a placeholder when they stand as a word of their own (delimited
/// by non-letters, all lower-case, all upper-case or capitalised). Four letters at least: in a
/// random base62 token of 150 bytes a given four-letter word so delimited turns up with odds
/// near 1 in a million, and shorter words (`my`, `foo`) far more often.
const PLACEHOLDER_WORDS: &[&[u8]] = &[
    b"your",
    b"yours",
    b"here",
    b"example",
    b"examples",
    b"sample",
    b"placeholder",
    b"redacted",
    b"redact",
    b"dummy",
    b"fake",
    b"test",
    b"testing",
    b"changeme",
    b"change",
    b"replace",
    b"insert",
    b"enter",
    b"todo",
    b"lorem",
    b"ipsum",
    b"filtered",
    b"hidden",
    b"masked",
    b"removed",
    b"omitted",
    b"censored",
    b"scrubbed",
    b"sanitized",
    b"obfuscated",
    b"invalid",
    b"expired",
    b"revoked",
    b"undefined",
    b"null",
    b"none",
];

/// Words that say what a value is rather than being it: a value made only of these
/// (`API_KEY`, `my_secret_token`, `process.env.TOKEN`) is a name, not a credential.
const FILLER_WORDS: &[&[u8]] = &[
    b"a",
    b"an",
    b"the",
    b"my",
    b"our",
    b"of",
    b"for",
    b"to",
    b"is",
    b"api",
    b"key",
    b"keys",
    b"token",
    b"tokens",
    b"secret",
    b"secrets",
    b"password",
    b"passwd",
    b"pass",
    b"pwd",
    b"passphrase",
    b"access",
    b"auth",
    b"bearer",
    b"basic",
    b"client",
    b"value",
    b"string",
    b"str",
    b"id",
    b"app",
    b"private",
    b"public",
    b"user",
    b"username",
    b"sk",
    b"pk",
    b"nil",
    b"true",
    b"false",
    b"empty",
    b"blank",
    b"required",
    b"missing",
    b"incorrect",
    b"wrong",
    b"goes",
    b"put",
    b"paste",
    b"new",
    b"old",
    b"default",
    b"env",
    b"process",
    b"os",
    b"getenv",
    b"environ",
    b"config",
    b"settings",
    b"var",
    b"vars",
    b"vault",
    b"ref",
    b"foo",
    b"bar",
    b"baz",
    b"qux",
    b"abc",
    b"xyz",
    b"xxx",
    b"set",
    b"not",
    b"unset",
    b"no",
    b"yes",
    b"on",
    b"off",
    b"ok",
    b"na",
    b"tbd",
    b"changed",
    b"reset",
    b"updated",
    b"strength",
    b"weak",
    b"strong",
    b"length",
    b"mismatch",
    b"provided",
    b"supplied",
    b"protected",
    b"sensitive",
    b"length",
    b"data",
    b"info",
    b"type",
    b"name",
    b"field",
    b"param",
    b"header",
    b"cookie",
    b"session",
    b"oauth",
    b"jwt",
    b"hash",
    b"hashed",
    b"encrypted",
    b"must",
    b"be",
    b"at",
    b"least",
    b"characters",
    b"chars",
];

/// Substrings that mark a placeholder wherever they stand, in any case. Six letters at least:
/// the odds that a random base62 token of 150 bytes holds one are below 1 in 10^7.
const PLACEHOLDER_SUBSTRINGS: &[&[u8]] = &[
    b"example",
    b"redacted",
    b"placeholder",
    b"changeme",
    b"replaceme",
    b"yourkey",
    b"yourtoken",
    b"yourapikey",
    b"yoursecret",
    b"yourpassword",
    b"filtered",
    b"censored",
    b"obfuscated",
    b"sanitized",
];

fn contains_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len()
        && hay
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

fn word_is(word: &[u8], list: &[&[u8]]) -> bool {
    // All lower-case, all upper-case, or capitalised: `Here`, `HERE`, `here`, not `hErE`.
    let tail = word.get(1..).unwrap_or_default();
    let plain = word.iter().all(u8::is_ascii_lowercase)
        || word.iter().all(u8::is_ascii_uppercase)
        || (word.first().is_some_and(u8::is_ascii_uppercase)
            && tail.iter().all(u8::is_ascii_lowercase));
    plain && list.iter().any(|w| word.eq_ignore_ascii_case(w))
}

/// Whether `value` (a secret without its public prefix) is a placeholder, a redaction or a
/// template rather than a credential.
pub fn is_placeholder(value: &[u8]) -> bool {
    if value.is_empty() {
        return true;
    }
    let first = value[0];
    if value.iter().all(|&b| b == first) {
        return true;
    }
    // Runs: seven of one byte (1 in 500 000 for 32 random hex digits), four of `x` or `X`
    // (`xxxx`), three of `*` or `.` (`***`, `...`).
    let mut run = 1usize;
    for i in 1..value.len() {
        run = if value[i] == value[i - 1] { run + 1 } else { 1 };
        let limit = match value[i] {
            b'x' | b'X' => 4,
            b'*' | b'.' | b'#' => 3,
            _ => 7,
        };
        if run >= limit {
            return true;
        }
    }
    // `•` and `…`, as masks and truncations print them.
    if memchr::memmem::find(value, "\u{2022}".as_bytes()).is_some()
        || memchr::memmem::find(value, "\u{2026}".as_bytes()).is_some()
    {
        return true;
    }
    // Templates: `<YOUR_KEY>`, `{{token}}`, `${TOKEN}`, `%s`, `%(token)s`, `$(cat key)`,
    // `$TOKEN`, `[FILTERED]`.
    if value.iter().any(|&b| b == b'<' || b == b'>')
        || memchr::memmem::find(value, b"{{").is_some()
        || memchr::memmem::find(value, b"${").is_some()
        || memchr::memmem::find(value, b"$(").is_some()
        || memchr::memmem::find(value, b"%(").is_some()
        || value == b"%s"
        || (first == b'$' && value.get(1).is_some_and(|b| b.is_ascii_uppercase()))
        || (first == b'[' && value.last() == Some(&b']'))
        || (first == b'{' && value.last() == Some(&b'}'))
    {
        return true;
    }
    if PLACEHOLDER_SUBSTRINGS
        .iter()
        .any(|s| contains_ignore_case(value, s))
    {
        return true;
    }
    // Words: runs of letters.
    let mut all_filler = true;
    let mut has_digit = false;
    let mut words = 0usize;
    for word in value.split(|b| !b.is_ascii_alphabetic()) {
        if word.is_empty() {
            continue;
        }
        words += 1;
        if word.len() >= 4 && word_is(word, PLACEHOLDER_WORDS) {
            return true;
        }
        if !word_is(word, FILLER_WORDS) {
            all_filler = false;
        }
    }
    for &b in value {
        has_digit |= b.is_ascii_digit();
    }
    if words > 0 && all_filler && !has_digit {
        return true;
    }
    // A sequence of six (`abcdef`, `123456`, `FEDCBA`) in a long value: 1 in 10^9 per position
    // at random. Short values are passwords, where `123456` is, alas, the real thing.
    if value.len() >= 16 && has_sequence(value, 6) {
        return true;
    }
    false
}

fn has_sequence(value: &[u8], len: usize) -> bool {
    let (mut up, mut down) = (1usize, 1usize);
    for w in value.windows(2) {
        let (a, b) = (w[0], w[1]);
        let alnum = a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric();
        up = if alnum && b == a.wrapping_add(1) {
            up + 1
        } else {
            1
        };
        down = if alnum && a == b.wrapping_add(1) {
            down + 1
        } else {
            1
        };
        if up >= len || down >= len {
            return true;
        }
    }
    false
}

/// Values that stand where a secret would but say something else (`password: required`).
pub fn is_non_secret_word(value: &[u8]) -> bool {
    value
        .split(|b| !b.is_ascii_alphabetic())
        .all(|w| w.is_empty() || word_is(w, FILLER_WORDS) || word_is(w, PLACEHOLDER_WORDS))
        && !value.iter().any(u8::is_ascii_digit)
}

/// A set of bytes, as four 64-bit words.
#[derive(Clone, Copy, Debug, Default)]
pub struct ByteSet([u64; 4]);

impl ByteSet {
    /// ASCII letters and digits plus `extra`.
    pub fn token_chars(extra: &[u8]) -> ByteSet {
        let mut set = ByteSet::default();
        for b in (b'a'..=b'z').chain(b'A'..=b'Z').chain(b'0'..=b'9') {
            set.insert(b);
        }
        for &b in extra {
            set.insert(b);
        }
        set
    }

    fn insert(&mut self, b: u8) {
        self.0[(b >> 6) as usize] |= 1 << (b & 63);
    }

    #[inline]
    pub fn contains(&self, b: u8) -> bool {
        self.0[(b >> 6) as usize] & (1 << (b & 63)) != 0
    }
}

/// Whether `hay[start..end]` stands alone: the bytes around it do not continue the token. A
/// JSON escape just before (`\n`, `\t`, `\r`: `"line one\nghp_…"`) counts as a separator.
pub fn at_boundary(hay: &[u8], start: usize, end: usize, token: &ByteSet) -> bool {
    let before_ok = match start.checked_sub(1).map(|i| hay[i]) {
        None => true,
        Some(b) if !token.contains(b) => true,
        Some(b'n' | b't' | b'r') => start >= 2 && hay[start - 2] == b'\\',
        Some(_) => false,
    };
    before_ok && hay.get(end).is_none_or(|&b| !token.contains(b))
}

fn b64_value(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// Decodes base64 or base64url (either alphabet, padding optional) into `out`; returns the
/// decoded length, or `None` if `text` is not base64 or does not fit.
pub fn b64_decode(text: &[u8], out: &mut [u8]) -> Option<usize> {
    let text = match text.iter().position(|&b| b == b'=') {
        Some(i) if text[i..].iter().all(|&b| b == b'=') && text.len() - i <= 2 => &text[..i],
        Some(_) => return None,
        None => text,
    };
    if text.len() % 4 == 1 {
        return None;
    }
    let mut n = 0usize;
    let mut acc = 0u32;
    let mut bits = 0u32;
    for &b in text {
        acc = (acc << 6) | u32::from(b64_value(b)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            *out.get_mut(n)? = (acc >> bits) as u8;
            n += 1;
        }
    }
    Some(n)
}

#[derive(Deserialize)]
struct JwtHeader {
    #[allow(dead_code)]
    alg: IgnoredAny,
}

/// A JWS in compact form: three base64url parts, the first a JSON object with `alg`
/// (RFC 7515 §4.1.1 makes `alg` the one required header parameter).
pub fn valid_jwt(token: &[u8]) -> bool {
    let mut parts = token.split(|&b| b == b'.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    if payload.len() % 4 == 1 || signature.len() % 4 == 1 {
        return false;
    }
    let mut buf = [0u8; 2048];
    match b64_decode(header, &mut buf) {
        Some(n) => {
            let json = &buf[..n];
            json.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
                && serde_json::from_slice::<JwtHeader>(json).is_ok()
        }
        // Too long for the buffer (an `x5c` certificate chain): the start must still be an
        // object that names `alg`.
        None if header.len() > 2048 => {
            let mut head = [0u8; 1536];
            b64_decode(&header[..2048], &mut head).is_some_and(|n| {
                head[..n].first() == Some(&b'{')
                    && memchr::memmem::find(&head[..n], b"\"alg\"").is_some()
            })
        }
        None => false,
    }
}

/// How many base64 body bytes (`A-Za-z0-9+/=`) a PEM block needs before it is a key rather
/// than a placeholder (`-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----`).
const PEM_MIN_BODY: usize = 64;

fn base64_count(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .filter(|&&b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=')
        .count()
}

/// A PEM private key: `span` starts with its `-----BEGIN … PRIVATE KEY-----` line. The body is
/// on the same line (a JSON string with `\n` escapes, or a whole block with its `-----END`),
/// or on the lines after a header that ends its line, which are looked at though the match
/// stays within its line.
pub fn valid_pem(hay: &[u8], start: usize, end: usize) -> bool {
    let span = &hay[start..end];
    let Some(header_end) = span
        .get(5..)
        .and_then(|s| memchr::memmem::find(s, b"-----"))
        .map(|i| i + 10)
    else {
        return false;
    };
    let body = &span[header_end.min(span.len())..];
    let body = memchr::memmem::find(body, b"-----END").map_or(body, |i| &body[..i]);
    // An escape (`\n`) adds its `n` to the count: take those back off.
    if base64_count(body).saturating_sub(count_escapes(body)) >= PEM_MIN_BODY {
        return true;
    }
    // Nothing after the header on this line: look at the next lines.
    let rest_of_line = {
        let line_end = memchr::memchr(b'\n', &hay[end..]).map_or(hay.len(), |i| end + i);
        &hay[end..line_end]
    };
    if !body.iter().chain(rest_of_line).all(u8::is_ascii_whitespace) {
        return false;
    }
    let mut pos = end + rest_of_line.len();
    // The block's header is the chunk's last line: nothing to look at, so believe it.
    if pos + 1 >= hay.len() {
        return true;
    }
    // Up to four lines of armour headers (`Proc-Type:`, `Version:`) or blank lines first.
    for _ in 0..5 {
        pos += 1;
        let line_end = memchr::memchr(b'\n', &hay[pos..]).map_or(hay.len(), |i| pos + i);
        let line = hay[pos..line_end].trim_ascii();
        if line.is_empty() || memchr::memchr(b':', line).is_some() {
            if line_end >= hay.len() {
                return true;
            }
            pos = line_end;
            continue;
        }
        return line.len() >= 40 && base64_count(line) == line.len();
    }
    false
}

fn count_escapes(body: &[u8]) -> usize {
    body.windows(2)
        .filter(|w| w[0] == b'\\' && matches!(w[1], b'n' | b'r'))
        .count()
}

/// An HTTP `Basic` credential (RFC 7617): base64 of `user:password`, printable, with a
/// password that is not a placeholder (or, as Stripe and others use it, an API key as the
/// user name and no password).
pub fn valid_basic_auth(b64: &[u8]) -> bool {
    let mut buf = [0u8; 768];
    let Some(n) = b64_decode(b64, &mut buf) else {
        return false;
    };
    let decoded = &buf[..n];
    if decoded.iter().any(|&b| b < 0x20 || b == 0x7f) {
        return false;
    }
    let Some(colon) = memchr::memchr(b':', decoded) else {
        return false;
    };
    let (user, password) = (&decoded[..colon], &decoded[colon + 1..]);
    if password.is_empty() {
        return user.len() >= 16 && entropy(user) >= 3.0 && !is_placeholder(user);
    }
    !is_placeholder(password) && !is_non_secret_word(password)
}

/// A password in a URL's user information, not a port number mistaken for one.
pub fn valid_url_password(password: &[u8]) -> bool {
    !(password.len() <= 5 && password.iter().all(u8::is_ascii_digit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_known_strings() {
        let cases: &[(&[u8], f64)] = &[(b"", 0.0), (b"aaaa", 0.0), (b"abab", 1.0), (b"abcd", 2.0)];
        for &(s, want) in cases {
            assert!((entropy(s) - want).abs() < 1e-9, "{s:?}");
        }
    }

    #[test]
    fn placeholders() {
        let yes: &[&[u8]] = &[
            b"your-key-here",
            b"YOUR_API_KEY",
            b"xxxxxxxxxxxxxxxxxxxx",
            b"XXXX1234",
            b"****",
            b"<YOUR_API_KEY>",
            b"${API_TOKEN}",
            b"{{ token }}",
            b"[FILTERED]",
            b"REDACTED",
            b"IOSFODNN7EXAMPLE",
            b"1234567890abcdefghij",
            b"api_key",
            b"process.env.API_KEY",
            b"changeme",
            b"dummy-token",
            b"abc\xe2\x80\xa6",
            b"00000000000000000000",
        ];
        for s in yes {
            assert!(is_placeholder(s), "{}", String::from_utf8_lossy(s));
        }
        let no: &[&[u8]] = &[
            b"ZeZcqckdfeepqag6wNLx5T1uznQs6hINJZ7F",
            b"hunter22",
            b"123456",
            b"Tr0ub4dor&3",
            b"4ea8ced0639d3bd6501062b689cd9d0c",
        ];
        for s in no {
            assert!(!is_placeholder(s), "{}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn boundaries() {
        let set = ByteSet::token_chars(b"_-");
        let cases: &[(&[u8], usize, usize, bool)] = &[
            (b"x ghp_ab y", 2, 8, true),
            (b"xghp_ab y", 1, 7, false),
            (b"x ghp_ab_y", 2, 8, false),
            (b"a\\nghp_ab", 3, 9, true),
            (b"anghp_ab", 2, 8, false),
            (b"ghp_ab", 0, 6, true),
        ];
        for &(hay, s, e, want) in cases {
            assert_eq!(
                at_boundary(hay, s, e, &set),
                want,
                "{}",
                String::from_utf8_lossy(hay)
            );
        }
    }

    #[test]
    fn base64_decoding() {
        let mut buf = [0u8; 64];
        let cases: &[(&[u8], Option<&[u8]>)] = &[
            (b"YWRtaW46cGFzcw==", Some(b"admin:pass")),
            (b"YWRtaW46cGFzcw", Some(b"admin:pass")),
            (b"eyJhbGciOiJIUzI1NiJ9", Some(b"{\"alg\":\"HS256\"}")),
            (b"a", None),
            (b"ab=c", None),
            (b"a!bc", None),
        ];
        for &(text, want) in cases {
            let got = b64_decode(text, &mut buf).map(|n| buf[..n].to_vec());
            assert_eq!(got.as_deref(), want, "{}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn jwt_headers() {
        let cases: &[(&[u8], bool)] = &[
            (
                b"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl",
                true,
            ),
            // {"typ":"JWT"}: no `alg`.
            (
                b"eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl",
                false,
            ),
            // ["alg"]: not an object.
            (
                b"WyJhbGciXQ.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl",
                false,
            ),
            (b"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0", false),
            (b"eyJhbGciOiJIUzI1NiJ9!.e.c", false),
        ];
        for &(t, want) in cases {
            assert_eq!(valid_jwt(t), want, "{}", String::from_utf8_lossy(t));
        }
    }

    #[test]
    fn basic_auth() {
        let cases: &[(&[u8], bool)] = &[
            (b"YWRtaW46UWpiRyNqN0QlcE9aN0k=", true), // admin:QjbG#j7D%pOZ7I
            (b"dXNlcjpwYXNzd29yZA==", false),        // user:password
            (b"YXV0aGVudGljYXRpb24=", false),        // authentication
            (b"dXNlcjoqKioq", false),                // user:****
        ];
        for &(t, want) in cases {
            assert_eq!(valid_basic_auth(t), want, "{}", String::from_utf8_lossy(t));
        }
    }
}
