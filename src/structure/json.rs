//! JSON without a parse tree: the keys that hint at personal data, and the key path of a value.
//!
//! Two questions are asked of JSON text, and neither needs a full parse of every line:
//!
//! * Which values sit under a hinting key? Every key is followed by `":`, so one `memmem`
//!   search for that pair finds them all. The two bytes before the quote reject most keys at
//!   once (every hinting key ends in one of a few letter pairs); only the rest are read
//!   backwards and looked up, and only a hinting key's value is read. (An aho-corasick search
//!   for the hinting suffixes themselves was measured 4x slower: its prefilter cannot use
//!   letters that are everywhere in JSON.)
//! * Under which key path (`properties.$email`, `items[].owner.email`) does a finding sit?
//!   Only lines that hold a finding are walked, once, with a small tokenizer that keeps byte
//!   offsets, which a DOM parser would throw away.
//!
//! Both work on bytes as they are on disk, so offsets stay exact whatever the escapes.
//! Malformed JSON never fails: the hint scan simply finds fewer keys, and the walker answers
//! "no path" for what it cannot place.

use std::sync::OnceLock;

use memchr::memmem;

use super::keys::hint_for_key;
use crate::detect::HintedValue;

/// Keys longer than this are never hinting keys, and are not looked at.
const MAX_KEY_LEN: usize = 48;

/// The endings of every hinting key (see [`super::keys`]). Their last two letters, lower-cased,
/// make a filter that rejects most keys of an event (`time`, `distinct_id`, `$insert_id`,
/// `mp_lib`) from the two bytes before their closing quote, before any lookup.
const KEY_SUFFIXES: &[&str] = &[
    "mail",
    "address",
    "ip",
    "addr",
    "name",
    "customer",
    "user",
    "owner",
    "author",
    "city",
    "region",
    "state",
    "province",
    "country",
    "code",
    "lat",
    "latitude",
    "lon",
    "lng",
    "long",
    "longitude",
    "id",
    "os",
    "browser",
    "device",
    "model",
    "agent",
    "ua",
    "platform",
    "referrer",
    "referer",
    "domain",
];

/// A bit per pair of lower-cased bytes that ends some hinting key.
struct PairFilter([u64; 1024]);

impl PairFilter {
    fn index(a: u8, b: u8) -> usize {
        (usize::from(a.to_ascii_lowercase()) << 8) | usize::from(b.to_ascii_lowercase())
    }

    fn get() -> &'static PairFilter {
        static FILTER: OnceLock<PairFilter> = OnceLock::new();
        FILTER.get_or_init(|| {
            let mut bits = [0u64; 1024];
            for suffix in KEY_SUFFIXES {
                let s = suffix.as_bytes();
                let i = PairFilter::index(s[s.len() - 2], s[s.len() - 1]);
                bits[i / 64] |= 1 << (i % 64);
            }
            PairFilter(bits)
        })
    }

    #[inline]
    fn may_hint(&self, a: u8, b: u8) -> bool {
        let i = PairFilter::index(a, b);
        self.0[i / 64] & (1 << (i % 64)) != 0
    }
}

/// Pushes a [`HintedValue`] for every value in `bytes` that sits under a hinting key.
pub fn find_hints(bytes: &[u8], out: &mut Vec<HintedValue>) {
    let finder = memmem::Finder::new(b"\":");
    let filter = PairFilter::get();
    let mut from = 0;
    while let Some(i) = finder.find(&bytes[from..]) {
        let quote = from + i;
        from = quote + 2;
        if quote < 2 || !filter.may_hint(bytes[quote - 2], bytes[quote - 1]) {
            continue;
        }
        let Some(key) = key_before(bytes, quote) else {
            continue;
        };
        let Some(hint) = hint_for_key(key) else {
            continue;
        };
        if let Some((start, end)) = value_after(bytes, quote + 2) {
            out.push(HintedValue { start, end, hint });
            from = from.max(end);
        }
    }
}

/// The key whose closing quote is at `quote`, if it is a short, unescaped key on this line.
fn key_before(bytes: &[u8], quote: usize) -> Option<&[u8]> {
    let lo = quote.saturating_sub(MAX_KEY_LEN + 1);
    let open = memchr::memrchr(b'"', &bytes[lo..quote])? + lo;
    let key = &bytes[open + 1..quote];
    if key.is_empty() || key.contains(&b'\\') || key.contains(&b'\n') {
        return None;
    }
    Some(key)
}

/// The span of the value that starts at or after `pos` (past blanks): a string's content
/// without its quotes, or a number.
fn value_after(bytes: &[u8], mut pos: usize) -> Option<(usize, usize)> {
    while matches!(bytes.get(pos), Some(b' ' | b'\t')) {
        pos += 1;
    }
    match *bytes.get(pos)? {
        b'"' => {
            let start = pos + 1;
            let end = string_end(bytes, start)?;
            Some((start, end))
        }
        b'-' | b'0'..=b'9' => {
            let len = bytes[pos..]
                .iter()
                .take_while(|b| matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                .count();
            Some((pos, pos + len))
        }
        _ => None,
    }
}

/// The position of the quote that closes a string whose content starts at `start`, skipping
/// escaped quotes. `None` when the line ends first.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut pos = start;
    loop {
        let i = memchr::memchr3(b'"', b'\\', b'\n', &bytes[pos..])? + pos;
        match bytes[i] {
            b'"' => return Some(i),
            b'\\' => pos = i + 2,
            _ => return None,
        }
        if pos > bytes.len() {
            return None;
        }
    }
}

/// One level of nesting while walking a line.
struct Frame {
    array: bool,
    /// The current key of an object frame, as a span of the line.
    key: Option<(usize, usize)>,
}

/// For each of the sorted `offsets` into one JSON `line`, the key path of the value that
/// contains it: keys joined with `.`, arrays marked `[]` (`items[].owner.email`).
///
/// An offset inside a key, or in a part of the line that does not parse, gets `None`.
pub fn paths_at(line: &[u8], offsets: &[usize]) -> Vec<Option<String>> {
    let mut paths = vec![None; offsets.len()];
    let mut next = 0;
    let mut stack: Vec<Frame> = Vec::new();
    let mut expect_key = false;
    let mut pos = 0;
    while pos < line.len() && next < offsets.len() {
        match line[pos] {
            b'{' => {
                stack.push(Frame {
                    array: false,
                    key: None,
                });
                expect_key = true;
                pos += 1;
            }
            b'[' => {
                stack.push(Frame {
                    array: true,
                    key: None,
                });
                expect_key = false;
                pos += 1;
            }
            b'}' | b']' => {
                stack.pop();
                expect_key = false;
                pos += 1;
            }
            b',' => {
                expect_key = matches!(stack.last(), Some(f) if !f.array);
                pos += 1;
            }
            b':' => {
                expect_key = false;
                pos += 1;
            }
            b'"' => {
                let start = pos + 1;
                let Some(end) = string_end(line, start) else {
                    break;
                };
                if expect_key {
                    if let Some(frame) = stack.last_mut() {
                        frame.key = Some((start, end));
                    }
                    // Offsets inside a key have no value path.
                    while next < offsets.len() && offsets[next] <= end {
                        next += 1;
                    }
                } else {
                    assign(line, &stack, start, end, offsets, &mut next, &mut paths);
                }
                pos = end + 1;
            }
            b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
            _ => {
                let start = pos;
                let len = line[pos..]
                    .iter()
                    .take_while(|b| !matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\r'))
                    .count()
                    .max(1);
                pos += len;
                assign(line, &stack, start, pos, offsets, &mut next, &mut paths);
            }
        }
    }
    paths
}

/// Gives the path of the value `start..end` to every offset that falls inside it.
fn assign(
    line: &[u8],
    stack: &[Frame],
    start: usize,
    end: usize,
    offsets: &[usize],
    next: &mut usize,
    paths: &mut [Option<String>],
) {
    while *next < offsets.len() && offsets[*next] < start {
        *next += 1;
    }
    if *next < offsets.len() && offsets[*next] < end {
        let path = path_of(line, stack);
        while *next < offsets.len() && offsets[*next] < end {
            paths[*next] = Some(path.clone());
            *next += 1;
        }
    }
}

fn path_of(line: &[u8], stack: &[Frame]) -> String {
    let mut path = String::new();
    for frame in stack {
        if frame.array {
            path.push_str("[]");
        } else if let Some((s, e)) = frame.key {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&String::from_utf8_lossy(&line[s..e]));
        }
    }
    path
}

/// True when a line looks like a JSON document (an object, or an array of objects, strings
/// or arrays) rather than plain text. A log line that starts with `[2001:db8::1]:443` or
/// `[12/Nov/2025:10:15:32 +0000]` is not JSON.
pub fn looks_like_json(line: &[u8]) -> bool {
    let mut tokens = line.iter().filter(|b| !b.is_ascii_whitespace());
    matches!(
        (tokens.next(), tokens.next()),
        (Some(b'{'), Some(b'"' | b'}')) | (Some(b'['), Some(b'{' | b'"' | b'[' | b']'))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Hint;

    fn hints(s: &str) -> Vec<(String, Hint)> {
        let mut out = Vec::new();
        find_hints(s.as_bytes(), &mut out);
        out.iter()
            .map(|h| (s[h.start..h.end].to_string(), h.hint))
            .collect()
    }

    #[test]
    fn finds_hinted_values() {
        let line = r#"{"event":"x","properties":{"$email":"a@b.co","$city": "Lyon","lat":45.76,"name":"Jo \"J\" Doe","app_version":"1.2.3.4"}}"#;
        assert_eq!(
            hints(line),
            [
                ("a@b.co".to_string(), Hint::Email),
                ("Lyon".to_string(), Hint::City),
                ("45.76".to_string(), Hint::Latitude),
                (r#"Jo \"J\" Doe"#.to_string(), Hint::MaybePersonName),
            ]
        );
    }

    #[test]
    fn the_pair_filter_passes_every_hinting_key() {
        let filter = PairFilter::get();
        for key in [
            "$email",
            "emailAddress",
            "user_email",
            "ip",
            "$ip",
            "ip_address",
            "clientIP",
            "remote_addr",
            "$name",
            "full_name",
            "firstName",
            "$last_name",
            "surname",
            "customer",
            "user",
            "owner",
            "author",
            "$city",
            "geo_city",
            "$region",
            "country",
            "countryCode",
            "mp_country_code",
            "lat",
            "latitude",
            "lng",
            "lon",
            "long",
            "longitude",
            "location_lat",
            "distinct_id",
            "$os",
            "$browser",
            "userAgent",
            "$referrer",
            "$initial_referring_domain",
            "state",
        ] {
            assert!(super::hint_for_key(key.as_bytes()).is_some(), "{key}");
            let k = key.as_bytes();
            assert!(filter.may_hint(k[k.len() - 2], k[k.len() - 1]), "{key}");
        }
        assert!(!filter.may_hint(b'i', b'b'));
        assert!(!filter.may_hint(b'a', b'r'));
    }

    #[test]
    fn hints_never_cross_lines_and_survive_garbage() {
        assert!(hints("{\"$city\":\"Ly\non\"}").is_empty());
        assert!(hints("\":\":\":").is_empty());
        assert!(hints("\"city\":").is_empty());
        assert!(hints("\"\\\":\"x\"").is_empty());
    }

    #[test]
    fn paths() {
        let line = r#"{"a":{"b":"xx","c":[{"d":"yy"},"zz"]},"e":12.5,"f":"ww"}"#;
        let at = |s: &str| line.find(s).unwrap();
        let offsets = [
            at("xx"),
            at("yy"),
            at("zz"),
            at("12.5"),
            at("\"f\"") + 1,
            at("ww"),
        ];
        let got = paths_at(line.as_bytes(), &offsets);
        let want: Vec<Option<String>> = ["a.b", "a.c[].d", "a.c[]", "e", "", "f"]
            .iter()
            .map(|s| (!s.is_empty()).then(|| s.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn json_lines_and_log_lines() {
        for line in ["{\"a\":1}", " {}", "[{\"a\":1}]", "[\"x\"]", "[]"] {
            assert!(looks_like_json(line.as_bytes()), "{line}");
        }
        for line in [
            "[2001:db8::1]:443 - -",
            "[12/Nov/2025:10:15:32 +0000]",
            "{x}",
            "",
            "plain",
        ] {
            assert!(!looks_like_json(line.as_bytes()), "{line}");
        }
    }

    #[test]
    fn paths_on_garbage_do_not_panic() {
        for line in [
            "",
            "{",
            "}",
            "{\"a",
            "{\"a\":\"b",
            "]]]",
            "{\"a\":[}",
            "\"\\",
        ] {
            let offsets: Vec<usize> = (0..line.len()).collect();
            let got = paths_at(line.as_bytes(), &offsets);
            assert_eq!(got.len(), offsets.len());
        }
    }
}
