//! JSON without a parse tree: the keys that hint at personal data, and the key path of a value.
//!
//! Two questions are asked of JSON text, and neither needs a full parse of every line:
//!
//! * Which values sit under a hinting key? Every key is followed by `":`, and the shared
//!   prefilter lists them all ([`Class::Key`]). A [`KeyFilter`] on the last letters of each key turns most away (`time`,
//!   `$insert_id`, and the keys of kinds the scan does not report); only the rest are read,
//!   normalised and looked up, and only a hinting key's value is read. (A `memmem` search for
//!   `":` stopped every 30 bytes and cost four times more; an aho-corasick search for the
//!   hinting suffixes themselves was slower still: its prefilter cannot use letters that are
//!   everywhere in JSON.)
//! * Under which key path (`properties.$email`, `items[].owner.email`) does a finding sit?
//!   Only lines that hold a finding are walked, once, with a small tokenizer that keeps byte
//!   offsets, which a DOM parser would throw away.
//!
//! Both work on bytes as they are on disk, so offsets stay exact whatever the escapes.
//! Malformed JSON never fails: the hint scan simply finds fewer keys, and the walker answers
//! "no path" for what it cannot place.

use super::keys::{hint_for_key, KeyFilter};
use crate::detect::{Hint, HintedValue};
use crate::prefilter::{Candidates, Class, Classes};

/// Keys longer than this are never hinting keys, and are not looked at.
const MAX_KEY_LEN: usize = 48;

/// Pushes a [`HintedValue`] for every value in `bytes` that sits under a hinting key.
pub fn find_hints(bytes: &[u8], out: &mut Vec<HintedValue>) {
    let keys = Candidates::new(bytes, Classes::NONE.with(Class::Key));
    find_hints_with(bytes, keys.get(Class::Key), &KeyFilter::all(), out);
}

/// Pushes a [`HintedValue`] for every value in `bytes` under a key that passes `filter` and
/// hints at something. `keys` are the positions of the closing quotes of keys, `"` before
/// `:` ([`Class::Key`]).
pub fn find_hints_with(bytes: &[u8], keys: &[u32], filter: &KeyFilter, out: &mut Vec<HintedValue>) {
    let mut next = 0;
    for &quote in keys {
        let quote = quote as usize;
        if quote < next || !filter.may_hint(bytes, quote) {
            continue;
        }
        let Some(hint) = key_before(bytes, quote).and_then(hint_for_key) else {
            continue;
        };
        if let Some((start, end)) = value_after(bytes, quote + 2) {
            out.push(HintedValue { start, end, hint });
            next = end;
        }
    }
}

/// The hint of the key of the JSON value that contains `pos`, read backwards from `pos`: for
/// the few candidates (an IPv4-shaped version string) that need their key when no
/// [`find_hints`] pass was made.
pub fn hint_of_value_at(bytes: &[u8], pos: usize) -> Option<Hint> {
    let line_start = memchr::memrchr(b'\n', &bytes[..pos]).map_or(0, |i| i + 1);
    let line = &bytes[line_start..pos];
    // The value is a string: its opening quote, then `:` (blanks allowed), then the key.
    let open = memchr::memrchr(b'"', line)?;
    let mut i = open;
    while i > 0 && matches!(line[i - 1], b' ' | b'\t') {
        i -= 1;
    }
    if i == 0 || line[i - 1] != b':' {
        return None;
    }
    let quote = i - 2;
    if line.get(quote) != Some(&b'"') {
        return None;
    }
    key_before(line, quote).and_then(hint_for_key)
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

/// For each of the sorted `offsets` into one JSON `line` that falls inside a value, calls
/// `found(i, path, keys)` with the index of the offset and the key path of the value: keys (as
/// on disk) joined with `.`, arrays marked `[]` (`items[].owner.email`); `keys` holds the span
/// of each key in `path`, since a key may hold dots of its own (`jane.doe@example.com`).
///
/// An offset inside a key, or in a part of the line that does not parse, gets no call.
pub fn paths_at(
    line: &[u8],
    offsets: &[usize],
    mut found: impl FnMut(usize, &[u8], &[(usize, usize)]),
) {
    let mut next = 0;
    let mut stack: Vec<Frame> = Vec::new();
    let mut path: Vec<u8> = Vec::new();
    let mut keys: Vec<(usize, usize)> = Vec::new();
    let mut expect_key = false;
    let mut pos = 0;
    while pos < line.len() && next < offsets.len() {
        let (start, end) = match line[pos] {
            b'{' | b'[' => {
                let array = line[pos] == b'[';
                stack.push(Frame { array, key: None });
                expect_key = !array;
                pos += 1;
                continue;
            }
            b'}' | b']' => {
                stack.pop();
                expect_key = false;
                pos += 1;
                continue;
            }
            b',' => {
                expect_key = matches!(stack.last(), Some(f) if !f.array);
                pos += 1;
                continue;
            }
            b':' => {
                expect_key = false;
                pos += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\n' => {
                pos += 1;
                continue;
            }
            b'"' => {
                let start = pos + 1;
                let Some(end) = string_end(line, start) else {
                    break;
                };
                pos = end + 1;
                if expect_key {
                    if let Some(frame) = stack.last_mut() {
                        frame.key = Some((start, end));
                    }
                    // Offsets inside a key have no value path.
                    while next < offsets.len() && offsets[next] <= end {
                        next += 1;
                    }
                    continue;
                }
                (start, end)
            }
            _ => {
                let start = pos;
                let len = line[pos..]
                    .iter()
                    .take_while(|b| !matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\r'))
                    .count()
                    .max(1);
                pos += len;
                (start, pos)
            }
        };
        // A value spans `start..end`: the offsets inside it get its path.
        while next < offsets.len() && offsets[next] < start {
            next += 1;
        }
        if next < offsets.len() && offsets[next] < end {
            path_of(line, &stack, &mut path, &mut keys);
            while next < offsets.len() && offsets[next] < end {
                found(next, &path, &keys);
                next += 1;
            }
        }
    }
}

/// Writes the key path of the innermost value of `stack` into `path`, and the span of each
/// key in it into `keys`.
fn path_of(line: &[u8], stack: &[Frame], path: &mut Vec<u8>, keys: &mut Vec<(usize, usize)>) {
    path.clear();
    keys.clear();
    for frame in stack {
        if frame.array {
            path.extend_from_slice(b"[]");
        } else if let Some((s, e)) = frame.key {
            if !path.is_empty() {
                path.push(b'.');
            }
            keys.push((path.len(), path.len() + e - s));
            path.extend_from_slice(&line[s..e]);
        }
    }
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

    fn owned_paths(line: &[u8], offsets: &[usize]) -> Vec<Option<String>> {
        let mut paths = vec![None; offsets.len()];
        paths_at(line, offsets, |i, path, keys| {
            for &(s, e) in keys {
                assert!(s <= e && e <= path.len() && !path[s..e].contains(&b'"'));
            }
            assert!(paths[i].is_none(), "offset {i} placed twice");
            paths[i] = Some(String::from_utf8(path.to_vec()).unwrap());
        });
        paths
    }

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

    /// Every key of the table is found, at every position across block boundaries.
    #[test]
    fn every_hinting_key_is_found_wherever_it_sits() {
        for key in [
            "$email",
            "clientIP",
            "$name",
            "mp_country_code",
            "lat",
            "$os",
            "ua",
        ] {
            for pad in 0..130 {
                let line = format!(r#"{}{{"{key}":"v"}}"#, " ".repeat(pad));
                let got = hints(&line);
                assert_eq!(got.len(), 1, "{key} after {pad}");
                assert_eq!(got[0].0, "v");
            }
        }
    }

    #[test]
    fn the_key_of_a_value_read_backwards() {
        let line = r#"{"ip": "1.2.3.4","app_version":"1.2.3.4","msg":"a \"b\" 1.2.3.4"}"#;
        let at = |n: usize| line.match_indices("1.2.3.4").nth(n).unwrap().0;
        assert_eq!(hint_of_value_at(line.as_bytes(), at(0)), Some(Hint::Ip));
        assert_eq!(hint_of_value_at(line.as_bytes(), at(1)), None);
        assert_eq!(hint_of_value_at(line.as_bytes(), at(2)), None);
        assert_eq!(hint_of_value_at(b"1.2.3.4", 0), None);
        assert_eq!(hint_of_value_at(b"\":\"1", 3), None);
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
        let got = owned_paths(line.as_bytes(), &offsets);
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
            let got = owned_paths(line.as_bytes(), &offsets);
            assert_eq!(got.len(), offsets.len());
        }
    }
}
