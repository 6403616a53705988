//! E-mail addresses, as written in logs and exports: `jane.doe@example.com`, and the same
//! address JSON-escaped (`jane.doe\u0040example.com`) or URL-encoded (`jane.doe%40example.com`,
//! `jane%2Bnews%40example.com`), with the match covering the bytes as they are on disk.
//!
//! # Prefilter
//!
//! An address needs a separator, so the detector looks only at the three ways of writing one,
//! `@`, `%40` and `\u0040`, listed by the shared prefilter ([`crate::prefilter::Class::At`]).
//! Around each separator it steps left over the local part (at most 64 bytes) and right over the
//! domain (at most 253 bytes), so the work per separator is bounded.
//!
//! # Rules for precision
//!
//! The accepted syntax is the practical one, not RFC 5322's:
//! - Local part: ASCII letters, digits, `.`, `_`, `+`, `-` (and `%2B`, an encoded `+`), and
//!   the letters and digits of any script (internationalised addresses, RFC 6531: `josé@…`,
//!   `山田@…`), at most 64 bytes, no `..`, not ending with `.`; leading dots are dropped.
//! - Domain: at least two labels of letters (any script: `müller.de`), digits and `-` (not at
//!   a label's ends), and a top-level domain of 2-24 ASCII letters, a punycode `xn--` label, or
//!   letters of a non-Latin script (`рф`, `中国`). So `a@b`, `user@localhost` and `foo@bar` are
//!   not addresses, nor are `lodash@4.17.21` or `image@sha256:ab..`.
//! - File extensions are not top-level domains: `icon@2x.png`, `bundle@1x.js`, `x@y.css` are
//!   rejected (see `is_file_extension`; real country codes such as `.md`, `.py`, `.rs` are kept,
//!   while the rarely mailed gTLDs `.zip` and `.mov` are treated as extensions).
//! - Boundaries: the local part runs left as far as its characters go; what stops it may be
//!   punctuation of any script (`連絡先：jane@…` starts at `jane`) but not bytes that are not
//!   UTF-8. The domain runs right as far as its characters go and the byte after it must not
//!   be `_`; a TLD glued to letters of another script (`jane@example.comé`) is no address.
//!   So a glued token such as
//!   `xjohn@example.comx` is taken whole, as the address `xjohn@example.comx`: there is no
//!   byte-level way to tell where a glued word would end, and `comx` is a plausible TLD.
//!   A percent or JSON escape before the local part is not glued to it: in `%20john%40x.com`
//!   and `"\njohn@x.com"` the address starts at `john`.
//! - `mailto:jane@example.com` and `?email=jane%40example.com&x=1` are found.
//! - An SCP-style remote, `git@github.com:org/repo` (`user@host:` then a path with a `/`), is
//!   not an address: it names a login on a server, and the user is almost always a role
//!   account. A colon followed by anything else (`jane@example.com: hi`, a combo-list
//!   `jane@example.com:secret`) does not prevent a match.
//! - URL credentials, `https://user:password@host.com`, are not reported as the address
//!   `password@host.com`.

use compact_str::CompactString;

use super::text::is_word_byte;
use super::{Detector, Example, Haystack, MaskBuf, Match};
use super::{Family, Hint, Identifies, Kind, KindSet, KindSpec, Normal, Role};
use crate::prefilter::{Class, Classes};

/// The email detector family.
pub static FAMILY: Family = Family {
    name: "email",
    build: || Box::new(EmailDetector::new()),
};

pub static EMAIL: KindSpec = KindSpec {
    name: "email",
    rule_id: "EmailAddress",
    title: "E-mail address",
    description: "An e-mail address identifies a person directly.",
    identifies: Identifies::Alone,
    role: Role::Identity,
    normal: Normal::Email,
    hints: &[Hint::Email],
    reads: &[],
    mask,
    family: &FAMILY,
    examples: EXAMPLES,
    redact: super::Redaction {
        default: super::RedactAction::Pseudonymise,
        pseudonym: super::Pseudonym::Email,
        generalise: super::Generalisation::None,
    },
    tie_rank: 0,
    competes_with: &[],
};

pub const EXAMPLES: &[Example] = &[
    ex(
        "contact jane.doe@example.com today",
        &["jane.doe@example.com"],
    ),
    ex(r#"{"$email":"a.b@example.co.uk"}"#, &["a.b@example.co.uk"]),
    ex(
        r#"{"email":"John.Smith+tag@Mail.Example.COM"}"#,
        &["John.Smith+tag@Mail.Example.COM"],
    ),
    ex(
        r#"{"owner":{"email":"kim.park\u0040example.net"}}"#,
        &["kim.park\\u0040example.net"],
    ),
    ex(
        "https://x.com/?email=jane.doe%40example.com&utm=1",
        &["jane.doe%40example.com"],
    ),
    ex(
        "/signup?e=jane%2Bnews%40example.org",
        &["jane%2Bnews%40example.org"],
    ),
    ex(
        "<a href=\"mailto:user@example.com\">",
        &["user@example.com"],
    ),
    ex(
        "From: Tom <t_becker-1@mail.example.de>",
        &["t_becker-1@mail.example.de"],
    ),
    ex("a@x.io, b@y.io", &["a@x.io", "b@y.io"]),
    ex("write to jane@example.com.", &["jane@example.com"]),
    ex("jane@example.com:hunter2", &["jane@example.com"]),
    ex("a@b user@localhost foo@bar @handle", &[]),
    ex("GET /static/icon@2x.png /img/logo@3x.JPG", &[]),
    ex("x@y.js a@b.css c@d.gif e@f.svg g@h.jpeg", &[]),
    ex("git clone git@github.com:org/repo.git", &[]),
    ex("npm i lodash@4.17.21 @babel/core@7.0.0", &[]),
    ex("docker pull app@sha256:abc123", &[]),
    ex("https://admin:s3cret@db.example.com/x", &[]),
    ex("john.@example.com a..b@example.com", &[]),
    ex(
        "josé@example.com, jörg@müller.de, 山田@例え.jp, пётр@почта.рф",
        &[
            "josé@example.com",
            "jörg@müller.de",
            "山田@例え.jp",
            "пётр@почта.рф",
        ],
    ),
    ex(
        "連絡先：jane@example.jp。 jane@example.comé",
        &["jane@example.jp"],
    ),
    ex("x@example.c0m y@-example.com z@example-.com", &[]),
];

const fn ex(input: &'static str, expect: &'static [&'static str]) -> Example {
    Example::lines(Kind::Email, input, expect)
}

/// The longest local part (RFC 5321).
const MAX_LOCAL: usize = 64;
/// The longest domain (RFC 1035).
const MAX_DOMAIN: usize = 253;
/// The longest domain label (RFC 1035).
const MAX_LABEL: usize = 63;
/// How far past `user@host:` to look for the `/` of an SCP-style path.
const MAX_SCP_LOOKAHEAD: usize = 256;

/// Finds e-mail addresses, plain, JSON-escaped or URL-encoded.
pub struct EmailDetector;

impl EmailDetector {
    pub fn new() -> Self {
        EmailDetector
    }
}

impl Default for EmailDetector {
    fn default() -> Self {
        EmailDetector::new()
    }
}

impl Detector for EmailDetector {
    fn family(&self) -> &'static str {
        "email"
    }

    fn kinds(&self) -> KindSet {
        [Kind::Email].into_iter().collect()
    }

    fn classes(&self) -> Classes {
        Classes::NONE.with(Class::At)
    }

    fn find(&self, hay: &Haystack<'_>, enabled: KindSet, out: &mut Vec<Match>) {
        if !enabled.contains(Kind::Email) {
            return;
        }
        let bytes = hay.bytes;
        let mut push = |span: Option<(usize, usize)>| {
            if let Some((start, end)) = span {
                out.push(Match {
                    detail: crate::detect::Detail::NONE,
                    start,
                    end,
                    kind: Kind::Email,
                });
            }
        };
        for at in hay.candidates(Class::At) {
            let separator = match bytes[at] {
                b'@' => 1,
                b'%' if bytes[at..].starts_with(b"%40") => 3,
                b'\\' if bytes[at..].starts_with(b"\\u0040") => 6,
                _ => continue,
            };
            push(address_at(bytes, at, at + separator));
        }
    }
}

/// The address around the separator at `sep..sep_end`, if there is one.
fn address_at(bytes: &[u8], sep: usize, sep_end: usize) -> Option<(usize, usize)> {
    let start = local_part_start(bytes, sep)?;
    let end = domain_end(bytes, sep_end)?;
    if is_scp_remote(bytes, end) {
        return None;
    }
    Some((start, end))
}

/// True when `bytes[start..end]` is one e-mail address and nothing else, as this detector
/// finds it (`jane@example.com`, `jane%40example.com`, `jane\u0040example.com`): the account
/// ID detector leaves such an ID to this one.
pub(super) fn is_whole_address(bytes: &[u8], start: usize, end: usize) -> bool {
    let value = &bytes[start..end];
    let sep = memchr::memchr(b'@', value)
        .map(|i| (i, 1))
        .or_else(|| memchr::memmem::find(value, b"%40").map(|i| (i, 3)))
        .or_else(|| memchr::memmem::find(value, b"\\u0040").map(|i| (i, 6)));
    sep.is_some_and(|(i, len)| address_at(bytes, start + i, start + i + len) == Some((start, end)))
}

#[inline]
fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'+' | b'-')
}

/// Where the local part that ends at `sep` starts.
fn local_part_start(bytes: &[u8], sep: usize) -> Option<usize> {
    if sep == 0 || bytes[sep - 1] == b'.' {
        return None;
    }
    let mut start = sep;
    while start > 0 {
        let b = bytes[start - 1];
        let encoded_plus = b == b'%'
            && bytes
                .get(start..start + 2)
                .is_some_and(|x| x.eq_ignore_ascii_case(b"2B"));
        if b >= 0x80 {
            // An internationalised local part (`josé`, `山田`): letters and digits of any
            // script, read a character at a time.
            match char_before(bytes, start) {
                Some((c, from)) if c.is_alphanumeric() && sep - from <= MAX_LOCAL => {
                    start = from;
                    continue;
                }
                Some((c, _)) if c.is_alphanumeric() => return None,
                _ => break,
            }
        }
        if !is_local_byte(b) && !encoded_plus {
            break;
        }
        if b == b'.' && bytes[start] == b'.' {
            return None;
        }
        if sep - start == MAX_LOCAL {
            return None;
        }
        start -= 1;
    }
    // The scan stopped at a byte that is no local byte: only `%` or `\` there can start an
    // escape that reaches into the local part (`%3Djane`, `\u0022jane`, `\njane`).
    let escape = start
        .checked_sub(1)
        .filter(|&i| matches!(bytes[i], b'%' | b'\\'))
        .and_then(|_| escape_end(bytes, start));
    match escape {
        Some(end) => start = start.max(end),
        // What stopped the local part: punctuation of any script is a boundary (`連絡先：`),
        // bytes that are not UTF-8 are not.
        None if start > 0 && bytes[start - 1] >= 0x80 && char_before(bytes, start).is_none() => {
            return None
        }
        None if start > 0 && bytes[start - 1] < 0x80 && is_word_byte(bytes[start - 1]) => {
            return None
        }
        None => {}
    }
    if start > 0 && bytes[start - 1] == b':' && is_url_password(bytes, start - 1) {
        return None;
    }
    while start < sep && bytes[start] == b'.' {
        start += 1;
    }
    bytes
        .get(start..sep)
        .is_some_and(|local| {
            local
                .iter()
                .any(|&b| b.is_ascii_alphanumeric() || b >= 0x80)
        })
        .then_some(start)
}

/// True when the `:` at `colon` separates a user from a password in a URL's authority:
/// `//user:` comes before it.
fn is_url_password(bytes: &[u8], colon: usize) -> bool {
    let mut i = colon;
    while i > 0 && colon - i <= MAX_LOCAL && is_local_byte(bytes[i - 1]) {
        i -= 1;
    }
    i >= 2 && &bytes[i - 2..i] == b"//"
}

/// Where the domain that starts at `from` ends, if it is a plausible mail domain.
fn domain_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    let mut labels = 0;
    loop {
        let label = i;
        while let Some(next) = domain_char_end(bytes, i) {
            if next - label > MAX_LABEL {
                return None;
            }
            i = next;
        }
        if i == label || bytes[label] == b'-' || bytes[i - 1] == b'-' || i - from > MAX_DOMAIN {
            return None;
        }
        labels += 1;
        let more = bytes.get(i) == Some(&b'.')
            && domain_char_end(bytes, i + 1).is_some()
            && bytes[i + 1] != b'-';
        if !more {
            if labels < 2 || !is_plausible_tld(&bytes[label..i]) {
                return None;
            }
            break;
        }
        i += 1;
    }
    match bytes.get(i) {
        // Punctuation of any script ends the domain (`jane@example.com。`).
        Some(&b) if b >= 0x80 => char_at(bytes, i).map(|_| i),
        Some(&b) if is_word_byte(b) => None,
        _ => Some(i),
    }
}

/// The end of the domain character at `pos` (an ASCII letter, digit or `-`, or a letter or
/// digit of any script, as internationalised domains have), if there is one.
#[inline]
fn domain_char_end(bytes: &[u8], pos: usize) -> Option<usize> {
    match *bytes.get(pos)? {
        b if b.is_ascii_alphanumeric() || b == b'-' => Some(pos + 1),
        b if b >= 0x80 => char_at(bytes, pos)
            .filter(|(c, _)| c.is_alphanumeric())
            .map(|(_, end)| end),
        _ => None,
    }
}

/// The UTF-8 character that starts at `pos`, and where it ends.
fn char_at(bytes: &[u8], pos: usize) -> Option<(char, usize)> {
    // A character is at most four bytes: only those are validated, whatever follows.
    let window = bytes.get(pos..bytes.len().min(pos + 4))?;
    let c = window.utf8_chunks().next()?.valid().chars().next()?;
    Some((c, pos + c.len_utf8()))
}

/// The UTF-8 character that ends at `end`, and where it starts.
fn char_before(bytes: &[u8], end: usize) -> Option<(char, usize)> {
    let start = (end.saturating_sub(4)..end)
        .rev()
        .find(|&i| bytes[i] & 0xC0 != 0x80)?;
    char_at(bytes, start)
        .filter(|&(_, e)| e == end)
        .map(|(c, _)| (c, start))
}

fn is_plausible_tld(tld: &[u8]) -> bool {
    if tld.len() > 4 && tld[..4].eq_ignore_ascii_case(b"xn--") {
        return tld[4..].iter().all(u8::is_ascii_alphanumeric);
    }
    // An internationalised TLD (`рф`, `中国`) is letters of one non-Latin script; one that
    // mixes ASCII in (`comé`) is a word glued to a domain.
    if !tld.is_ascii() {
        return std::str::from_utf8(tld).is_ok_and(|t| {
            t.chars().count() >= 2 && t.chars().all(|c| !c.is_ascii() && c.is_alphabetic())
        });
    }
    (2..=24).contains(&tld.len())
        && tld.iter().all(u8::is_ascii_alphabetic)
        && !is_file_extension(tld)
}

/// File extensions that show up after an `@` in logs (`icon@2x.png`, `chunk@1.2.js`) and that
/// are not top-level domains people are mailed at.
fn is_file_extension(tld: &[u8]) -> bool {
    let mut lower = [0u8; 8];
    let Some(buf) = lower.get_mut(..tld.len()) else {
        return false;
    };
    for (l, t) in buf.iter_mut().zip(tld) {
        *l = t.to_ascii_lowercase();
    }
    matches!(
        &*buf,
        b"png"
            | b"jpg"
            | b"jpeg"
            | b"gif"
            | b"svg"
            | b"webp"
            | b"ico"
            | b"bmp"
            | b"tif"
            | b"tiff"
            | b"avif"
            | b"heic"
            | b"js"
            | b"mjs"
            | b"cjs"
            | b"jsx"
            | b"ts"
            | b"tsx"
            | b"css"
            | b"scss"
            | b"sass"
            | b"less"
            | b"map"
            | b"json"
            | b"xml"
            | b"html"
            | b"htm"
            | b"php"
            | b"asp"
            | b"aspx"
            | b"jsp"
            | b"txt"
            | b"log"
            | b"csv"
            | b"yml"
            | b"yaml"
            | b"toml"
            | b"ini"
            | b"cfg"
            | b"conf"
            | b"lock"
            | b"rb"
            | b"java"
            | b"class"
            | b"jar"
            | b"dll"
            | b"exe"
            | b"bin"
            | b"dat"
            | b"tmp"
            | b"bak"
            | b"swp"
            | b"gz"
            | b"tgz"
            | b"xz"
            | b"tar"
            | b"zip"
            | b"rar"
            | b"pdf"
            | b"doc"
            | b"docx"
            | b"xls"
            | b"xlsx"
            | b"ppt"
            | b"pptx"
            | b"wav"
            | b"ogg"
            | b"avi"
            | b"mov"
            | b"mkv"
            | b"webm"
            | b"woff"
            | b"ttf"
            | b"otf"
            | b"eot"
            | b"wasm"
            | b"vue"
            | b"svelte"
            | b"bat"
    )
}

/// True when the domain ending at `end` is followed by `:` and a path with a `/`, as in the
/// SCP-style remote `git@github.com:org/repo.git`.
fn is_scp_remote(bytes: &[u8], end: usize) -> bool {
    if bytes.get(end) != Some(&b':') {
        return false;
    }
    let rest = bytes.get(end + 1..).unwrap_or_default();
    rest.iter()
        .take(MAX_SCP_LOOKAHEAD)
        .take_while(|&&b| {
            !b.is_ascii_whitespace() && !matches!(b, b'"' | b'\'' | b',' | b';' | b'<' | b'>')
        })
        .any(|&b| b == b'/')
}

/// If an escape that begins before `pos` reaches `pos` or beyond (a percent escape `%3D`, a
/// JSON escape `\u003d`, or a short JSON escape such as `\n`), returns where it ends. A value
/// that follows an escape is not glued to a word, and the hex digits of the escape are not part
/// of the value: in `%201.2.3.4` the address starts after `%20`.
pub(super) fn escape_end(bytes: &[u8], pos: usize) -> Option<usize> {
    let is_hex = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_hexdigit);
    for back in 1..=3 {
        let Some(k) = pos.checked_sub(back) else {
            break;
        };
        if bytes[k] == b'%' && is_hex(k + 1) && is_hex(k + 2) {
            return Some(k + 3);
        }
    }
    for back in 1..=6 {
        let Some(k) = pos.checked_sub(back) else {
            break;
        };
        if bytes[k] != b'\\' || is_escaped(bytes, k) {
            continue;
        }
        match bytes.get(k + 1) {
            Some(b'u') if (k + 2..k + 6).all(is_hex) => return Some(k + 6),
            Some(b'n' | b't' | b'r' | b'b' | b'f' | b'/') if back <= 2 => return Some(k + 2),
            _ => {}
        }
    }
    None
}

/// True when the backslash at `k` is itself escaped (an odd run of backslashes precedes it).
fn is_escaped(bytes: &[u8], k: usize) -> bool {
    let run = bytes[..k]
        .iter()
        .rev()
        .take(64)
        .take_while(|&&b| b == b'\\')
        .count();
    run % 2 == 1
}

/// Masks an address as the first character of the local part and of the domain, and the
/// top-level domain: `jane.doe@example.com` → `j***@e***.com`. Escaped separators are
/// decoded first, so `jane%40example.com` masks the same way. A part of one character is
/// hidden whole (`a@b.co` → `***@***.co`), so that no part but the top-level domain is ever
/// shown in full.
pub fn mask(value: &str) -> CompactString {
    // The separator as the detector found it: `@`, `%40` or `\u0040`.
    let bytes = value.as_bytes();
    let separator = memchr::memchr3(b'@', b'%', b'\\', bytes).and_then(|first| {
        (first..bytes.len()).find_map(|i| match bytes[i] {
            b'@' => Some((i, 1)),
            b'%' if bytes[i..].starts_with(b"%40") => Some((i, 3)),
            b'\\' if bytes[i..].starts_with(b"\\u0040") => Some((i, 6)),
            _ => None,
        })
    });
    let Some((at, len)) = separator else {
        return CompactString::const_new("***");
    };
    let (local, domain) = (&value[..at], &value[at + len..]);
    let mut out = MaskBuf::new();
    if local.len() > 3
        && local
            .get(..3)
            .is_some_and(|p| p.eq_ignore_ascii_case("%2B"))
    {
        out.push("+");
    } else {
        out.push_initial(local);
    }
    let (name, tld) = domain.rsplit_once('.').unwrap_or((domain, ""));
    out.push("***@").push_initial(name).push("***.").push(tld);
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn find_in(bytes: &[u8]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        EmailDetector::new().find(&Haystack::plain(bytes), KindSet::all(), &mut out);
        out.sort();
        assert!(out.iter().all(|m| m.kind == Kind::Email));
        out.iter().map(|m| (m.start, m.end)).collect()
    }

    fn found(text: &str) -> Vec<&str> {
        find_in(text.as_bytes())
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect()
    }

    #[test]
    fn positives() {
        let cases: &[(&str, &[&str])] = &[
            ("john@example.com", &["john@example.com"]),
            ("JOHN@EXAMPLE.COM", &["JOHN@EXAMPLE.COM"]),
            (
                "a.b-c_d+e@sub.example.co.uk",
                &["a.b-c_d+e@sub.example.co.uk"],
            ),
            ("1234@example.com", &["1234@example.com"]),
            ("j@x.io", &["j@x.io"]),
            (
                "jane@my-host.example.museum",
                &["jane@my-host.example.museum"],
            ),
            ("jane@example.xn--p1ai", &["jane@example.xn--p1ai"]),
            ("jane@mail.md", &["jane@mail.md"]),
            ("<jane@example.com>", &["jane@example.com"]),
            ("(jane@example.com)", &["jane@example.com"]),
            ("'jane@example.com'", &["jane@example.com"]),
            ("\"jane@example.com\"", &["jane@example.com"]),
            ("mailto:jane@example.com?subject=hi", &["jane@example.com"]),
            ("to=jane@example.com&x", &["jane@example.com"]),
            ("jane@example.com.", &["jane@example.com"]),
            ("jane@example.com..", &["jane@example.com"]),
            ("jane@example.com-", &[]),
            (" .jane@example.com", &["jane@example.com"]),
            ("jane@example.com:8080", &["jane@example.com"]),
            ("jane@example.com: hello /x", &["jane@example.com"]),
            ("xjohn@example.comx", &["xjohn@example.comx"]),
            ("jane\\u0040example.com", &["jane\\u0040example.com"]),
            ("jane%40example.com", &["jane%40example.com"]),
            (
                "?email=jane.doe%40example.com&utm=1",
                &["jane.doe%40example.com"],
            ),
            (
                "?e=jane%2Bnews%40example.com",
                &["jane%2Bnews%40example.com"],
            ),
            ("?e=jane%2bnews@example.com", &["jane%2bnews@example.com"]),
            ("%20john%40example.com%20", &["john%40example.com"]),
            ("email%3Djohn%40example.com%26", &["john%40example.com"]),
            ("\"\\njohn@example.com\\n\"", &["john@example.com"]),
            ("\"\\u0020john@example.com\"", &["john@example.com"]),
            ("https://user@example.com/x", &["user@example.com"]),
            ("a@x.io b@y.io", &["a@x.io", "b@y.io"]),
        ];
        for (text, want) in cases {
            assert_eq!(&found(text), want, "in {text:?}");
        }
    }

    #[test]
    fn negatives() {
        for text in [
            "a@b",
            "user@localhost",
            "@handle",
            "RT @handle: hi",
            "foo@bar",
            "foo@bar.",
            "foo@.com",
            "@example.com",
            ".@example.com",
            "+@example.com",
            "john.@example.com",
            "a..b@example.com",
            "jane@example..com",
            "jane@example.c",
            "jane@example.c0m",
            "jane@example.abcdefghijklmnopqrstuvwxy",
            "jane@-example.com",
            "jane@example-.com",
            "jane@example.com_x",
            "jane@example.comé",
            "jane@example.com的",
            "jane@xn--.com",
            "jane@例え.x",
            "icon@2x.png",
            "icon@2x.PNG",
            "x@y.js",
            "x@y.css",
            "x@y.jpg",
            "x@y.gif",
            "x@y.svg",
            "lodash@4.17.21",
            "@types/node@20.1.0",
            "image@sha256:0123abcd",
            "git@github.com:org/repo",
            "deploy@host.example.com:/var/www",
            "https://admin:pw@db.example.com",
            "HEAD@{1}",
            "%40example.com",
            "\\u0040example.com",
            "john%41%40example.com",
        ] {
            assert_eq!(found(text), Vec::<&str>::new(), "in {text:?}");
        }
    }

    #[test]
    fn length_limits() {
        let local = "a".repeat(64);
        let text = format!("{local}@example.com");
        assert_eq!(found(&text), [text.as_str()]);
        let text = format!("a{local}@example.com");
        assert!(found(&text).is_empty());
        let label = "b".repeat(63);
        let text = format!("a@{label}.com");
        assert_eq!(found(&text), [text.as_str()]);
        let text = format!("a@b{label}.com");
        assert!(found(&text).is_empty());
        let domain = format!("{label}.").repeat(5);
        assert!(found(&format!("a@{domain}com")).is_empty());
    }

    #[test]
    fn boundaries_of_the_haystack_and_lines() {
        assert_eq!(found("a@x.io\nb@y.io"), ["a@x.io", "b@y.io"]);
        assert_eq!(found("a@x.io\r\nb@y.io\r\n"), ["a@x.io", "b@y.io"]);
        assert!(found("a\n@x.io").is_empty());
        assert!(found("a@\nx.io").is_empty());
        assert!(found("a@x.\nio").is_empty());
        for pad in 0..70 {
            for filler in [" ", "\n", "\"", ",", "@", "%40"] {
                let text = format!(
                    "{}jane@example.com{}",
                    filler.repeat(pad),
                    filler.repeat(pad)
                );
                assert_eq!(found(&text), ["jane@example.com"], "in {text:?}");
            }
            // Letters of any script belong to the local part, up to its 64 bytes.
            let text = format!("{}jane@example.com", "é".repeat(pad));
            let whole: &[&str] = if 2 * pad + 4 <= MAX_LOCAL {
                &[&text]
            } else {
                &[]
            };
            assert_eq!(found(&text), whole, "in {text:?}");
            // Punctuation of any script ends it.
            let text = format!("{}jane@example.com", "：".repeat(pad));
            assert_eq!(found(&text), ["jane@example.com"], "in {text:?}");
        }
    }

    #[test]
    fn examples_hold_on_plain_haystacks() {
        // CSV examples need the engine's column hints: they run in its harness.
        for example in EXAMPLES
            .iter()
            .filter(|e| e.shape == crate::detect::Shape::Lines)
        {
            assert_eq!(example.kind, Kind::Email);
            assert_eq!(
                found(example.input),
                example.expect,
                "in {:?}",
                example.input
            );
        }
    }

    #[test]
    fn escapes() {
        assert_eq!(escape_end(b"%3Dx", 3), Some(3));
        assert_eq!(escape_end(b"%201", 1), Some(3));
        assert_eq!(escape_end(b"\\u00201", 2), Some(6));
        assert_eq!(escape_end(b"\\nx", 2), Some(2));
        assert_eq!(escape_end(b"\\\\nx", 3), None);
        assert_eq!(escape_end(b"%zzx", 3), None);
        assert_eq!(escape_end(b"", 0), None);
    }

    #[test]
    fn masks() {
        assert_eq!(mask("jane.doe@example.com"), "j***@e***.com");
        assert_eq!(mask("a.b@example.co.uk"), "a***@e***.uk");
        assert_eq!(mask("jane.doe%40example.com"), "j***@e***.com");
        assert_eq!(mask("kim\\u0040example.net"), "k***@e***.net");
        assert_eq!(mask("%2Bx%40example.org"), "+***@e***.org");
        assert_eq!(mask("nothing"), "***");
        // A part of one character is hidden whole; the top-level domain is shown.
        assert_eq!(mask("a@b.co"), "***@***.co");
        assert_eq!(mask("김@b.kr"), "***@***.kr");
        assert_eq!(mask("ab@cd.co"), "a***@c***.co");
        assert_eq!(mask("%2B@b.co"), "%***@***.co");
        assert_eq!(mask("jane@localhost"), "j***@l***.");
    }

    proptest! {
        #[test]
        fn matches_are_well_formed(text in "[a-c.@%4025uBx\\\\:/ \n_-]{0,60}") {
            for (s, e) in find_in(text.as_bytes()) {
                prop_assert!(s < e && e <= text.len());
                let value = &text[s..e];
                prop_assert!(!value.contains('\n'));
                prop_assert!(value.contains('@') || value.contains("%40") || value.contains("\\u0040"));
            }
        }

        #[test]
        fn unicode_text_gives_whole_characters(
            text in "[a-zé山：。.@ -]{0,40}(@[a-zé山：。.-]{0,20}){0,2}"
        ) {
            for span in find_in(text.as_bytes()) {
                prop_assert!(text.is_char_boundary(span.0) && text.is_char_boundary(span.1));
                prop_assert!(text[span.0..span.1].contains('@'));
            }
        }

        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            for (s, e) in find_in(&bytes) {
                prop_assert!(s < e && e <= bytes.len());
            }
        }

        #[test]
        fn padding_does_not_change_the_match(pad in "[ ,;<>()\"'\n]{0,40}", tail in "[ ,;<>()\"'\n]{0,40}") {
            let text = format!("{pad}jane.doe%40example.com{tail}");
            prop_assert_eq!(found(&text), ["jane.doe%40example.com"]);
        }
    }
}
