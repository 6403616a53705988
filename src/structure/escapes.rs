//! JSON strings written with `\uXXXX` escapes, unescaped by simd-json, mapped back to disk.
//!
//! Detectors read bytes as they are on disk, which keeps offsets exact and costs nothing, and
//! they understand the escapes that matter most (`\u0040` in an address, `\/` in a URL).
//! But a name written `Ren\u00e9e`, or a city written `S\u00e3o Paulo`, only matches a
//! dictionary once unescaped. So the lines that hold a `\u` escape, and only those (they are
//! rare: parsing every line would halve the throughput), are parsed with simd-json; every
//! string value with an escape is handed out unescaped, with its key and with a map from each
//! unescaped byte back to the byte on disk it came from.
//!
//! A line that starts like a JSON object but does not parse (or does not end like one) is
//! *malformed*: it is still scanned as plain text, and counted so that the report can say so.
//! Its escaped strings, and those of any line that cannot be parsed whole (a piece of a line
//! cut for length, a log line quoting JSON), are unescaped one at a time: an escape only
//! occurs inside a string, so the string that holds it opens at the nearest unescaped quote
//! before it and closes at the next one after.

use super::json::{key_before, string_end, unescaped_quote_before};

use simd_json::{Buffers, Node};

use super::json::looks_like_json;

/// A string value with escapes, unescaped.
pub struct Unescaped<'a> {
    /// The key the value sits under (the nearest one, for values in arrays).
    pub key: Option<&'a str>,
    /// The value, unescaped.
    pub text: &'a str,
    /// For each byte of `text`, and one past its end, the offset on disk (relative to the
    /// chunk) of the bytes it was written as.
    pub disk: &'a [usize],
}

/// Reusable buffers for parsing the lines of a chunk.
#[derive(Default)]
pub struct Parser {
    line: Vec<u8>,
    buffers: Buffers,
    map: Vec<usize>,
}

impl Parser {
    /// Calls `visit` for every string value with a `\u` escape in the JSON lines of `bytes`,
    /// and returns the number of malformed JSON lines. `escapes` and `newlines` are the
    /// positions of `\u` and of newlines in `bytes` (see [`crate::prefilter::Class`]).
    pub fn for_each_unescaped(
        &mut self,
        bytes: &[u8],
        escapes: &[u32],
        newlines: &[u32],
        mut visit: impl FnMut(&Unescaped<'_>),
    ) -> u64 {
        let mut malformed = count_unfinished_objects(bytes, newlines);
        let mut line = 0;
        let mut from = 0;
        for (i, &at) in escapes.iter().enumerate() {
            let at = at as usize;
            if at < from {
                continue;
            }
            while newlines.get(line).is_some_and(|&n| (n as usize) < at) {
                line += 1;
            }
            let start = line.checked_sub(1).map_or(0, |l| newlines[l] as usize + 1);
            let end = newlines.get(line).map_or(bytes.len(), |&n| n as usize);
            from = end;
            let line = &bytes[start..end];
            let whole = looks_like_json(line) && ends_like_json(line);
            if whole && self.parse_line(line, start, &mut visit) {
                continue;
            }
            malformed += u64::from(whole);
            let in_line = escapes[i..].iter().map(|&e| e as usize);
            let in_line = in_line.take_while(|&e| e < end);
            self.parse_strings_around(line, start, in_line, &mut visit);
        }
        malformed
    }

    /// Unescapes, each on its own, the strings of a line that hold the escapes at `escapes`
    /// (offsets in the chunk, the line starting at `base`).
    fn parse_strings_around(
        &mut self,
        line: &[u8],
        base: usize,
        escapes: impl Iterator<Item = usize>,
        visit: &mut impl FnMut(&Unescaped<'_>),
    ) {
        let mut done = 0;
        for at in escapes.map(|e| e - base) {
            if at < done {
                continue;
            }
            let Some(open) = opening_quote(line, at) else {
                continue;
            };
            let Some(close) = string_end(line, open + 1) else {
                return;
            };
            done = close + 1;
            let raw = &line[open + 1..close];
            self.line.clear();
            self.line.extend_from_slice(&line[open..=close]);
            let Ok(tape) = simd_json::to_tape_with_buffers(&mut self.line, &mut self.buffers)
            else {
                continue;
            };
            let Some(Node::String(text)) = tape.0.first() else {
                continue;
            };
            if !disk_map(raw, base + open + 1, text.len(), &mut self.map) {
                continue;
            }
            visit(&Unescaped {
                key: key_of_string(line, open),
                text,
                disk: &self.map,
            });
        }
    }

    /// Parses one line that starts at `base`; false when it is not valid JSON.
    fn parse_line(
        &mut self,
        line: &[u8],
        base: usize,
        visit: &mut impl FnMut(&Unescaped<'_>),
    ) -> bool {
        self.line.clear();
        self.line.extend_from_slice(line);
        let copy_start = self.line.as_ptr() as usize;
        let Ok(tape) = simd_json::to_tape_with_buffers(&mut self.line, &mut self.buffers) else {
            return false;
        };
        let map = &mut self.map;
        for_each_string(&tape.0, |key, text| {
            // simd-json unescapes in place: an unescaped string starts where its content
            // starts on disk.
            let Some(raw_start) = (text.as_ptr() as usize).checked_sub(copy_start) else {
                return;
            };
            let Some(raw) = line.get(raw_start..) else {
                return;
            };
            let Some(raw_len) = raw_string_len(raw) else {
                return;
            };
            let raw = &raw[..raw_len];
            if memchr::memmem::find(raw, b"\\u").is_none() {
                return;
            }
            if !disk_map(raw, base + raw_start, text.len(), map) {
                return;
            }
            visit(&Unescaped {
                key,
                text,
                disk: map,
            });
        });
        true
    }
}

/// Calls `f(key, value)` for every string value of a parsed document (not for keys), with
/// the key it sits under; values in arrays get the array's key.
fn for_each_string<'a>(nodes: &[Node<'a>], mut f: impl FnMut(Option<&'a str>, &'a str)) {
    // Per open container: values left to read, whether it is an object, its own key.
    let mut stack: Vec<(usize, bool, Option<&'a str>)> = Vec::new();
    let mut i = 0;
    while i < nodes.len() {
        let mut key = None;
        if let Some(top) = stack.last_mut() {
            if top.0 == 0 {
                stack.pop();
                continue;
            }
            top.0 -= 1;
            if top.1 {
                let Node::String(k) = nodes[i] else {
                    return;
                };
                key = Some(k);
                i += 1;
            } else {
                key = top.2;
            }
        }
        match nodes.get(i) {
            Some(Node::String(s)) => f(key, s),
            Some(Node::Object { len, .. }) => stack.push((*len, true, key)),
            Some(Node::Array { len, .. }) => stack.push((*len, false, key)),
            Some(Node::Static(_)) => {}
            None => return,
        }
        i += 1;
    }
}

/// The length of the raw content of a string that starts at `raw[0]` (up to its closing
/// quote).
fn raw_string_len(raw: &[u8]) -> Option<usize> {
    let mut pos = 0;
    loop {
        let i = memchr::memchr2(b'"', b'\\', raw.get(pos..)?)? + pos;
        if raw[i] == b'"' {
            return Some(i);
        }
        pos = i + 2;
    }
}

/// Fills `map` with the disk offset of each unescaped byte of `raw` (content written at
/// `disk_start`), plus one for the end; false if the decoding does not give `len` bytes.
fn disk_map(raw: &[u8], disk_start: usize, len: usize, map: &mut Vec<usize>) -> bool {
    map.clear();
    let mut i = 0;
    while i < raw.len() {
        let disk = disk_start + i;
        if raw[i] != b'\\' {
            map.push(disk);
            i += 1;
            continue;
        }
        match raw.get(i + 1) {
            Some(b'u') => {
                let Some(unit) = hex4(raw.get(i + 2..i + 6)) else {
                    return false;
                };
                let (c, used) = if (0xD800..0xDC00).contains(&unit) {
                    let low = (raw.get(i + 6..i + 8) == Some(b"\\u"))
                        .then(|| hex4(raw.get(i + 8..i + 12)))
                        .flatten();
                    match low {
                        Some(low @ 0xDC00..=0xDFFF) => {
                            let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                            (char::from_u32(c), 12)
                        }
                        _ => (None, 6),
                    }
                } else {
                    (char::from_u32(unit), 6)
                };
                // A lone surrogate is written by simd-json as U+FFFD? Either way, three bytes.
                let width = c.map_or(3, char::len_utf8);
                map.extend(std::iter::repeat_n(disk, width));
                i += used;
            }
            Some(_) => {
                map.push(disk);
                i += 2;
            }
            None => return false,
        }
    }
    map.push(disk_start + raw.len());
    map.len() == len + 1
}

/// How far back from an escape the quote that opens its string is looked for, so that a line
/// of any length costs the same per escape: a longer string is left escaped.
const MAX_STRING_BEFORE: usize = 4 << 10;

/// The unescaped quote nearest before `at`: the one that opens the string holding the escape
/// at `at`.
fn opening_quote(line: &[u8], at: usize) -> Option<usize> {
    unescaped_quote_before(line, at.saturating_sub(MAX_STRING_BEFORE), at)
}

/// The key of the string value whose opening quote is at `open`: `"key":` just before it.
fn key_of_string(line: &[u8], open: usize) -> Option<&str> {
    let before = line[..open].trim_ascii_end();
    let before = before.strip_suffix(b":")?.trim_ascii_end();
    let quote = before.len().checked_sub(1).filter(|&q| before[q] == b'"')?;
    std::str::from_utf8(key_before(line, quote)?).ok()
}

fn hex4(digits: Option<&[u8]>) -> Option<u32> {
    let digits = std::str::from_utf8(digits?).ok()?;
    u32::from_str_radix(digits, 16).ok()
}

/// True when a line ends like a JSON document: `}` or `]` before trailing blanks.
fn ends_like_json(line: &[u8]) -> bool {
    matches!(
        line.iter().rev().find(|b| !b.is_ascii_whitespace()),
        Some(b'}' | b']')
    )
}

/// Lines that open a JSON object or array but stop before closing it (cut exports,
/// concatenated writes).
fn count_unfinished_objects(bytes: &[u8], newlines: &[u32]) -> u64 {
    let mut count = 0;
    let mut start = 0;
    let ends = newlines.iter().map(|&n| n as usize);
    for end in ends.chain(std::iter::once(bytes.len())) {
        if start < end {
            let line = &bytes[start..end];
            if looks_like_json(line) && !ends_like_json(line) {
                count += 1;
            }
        }
        start = end + 1;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prefilter::{Candidates, Class, Classes};

    fn unescaped(text: &str) -> (Vec<(Option<String>, String, String)>, u64) {
        let bytes = text.as_bytes();
        let mut got = Vec::new();
        let c = Candidates::new(bytes, Classes::ALL);
        let (escapes, newlines) = (c.get(Class::Escape), c.get(Class::Newline));
        let malformed = Parser::default().for_each_unescaped(bytes, escapes, newlines, |u| {
            let disk = &text[u.disk[0]..u.disk[u.text.len()]];
            got.push((u.key.map(str::to_owned), u.text.to_owned(), disk.to_owned()));
        });
        (got, malformed)
    }

    #[test]
    fn values_with_escapes_come_unescaped_with_their_disk_span() {
        let text = concat!(
            "{\"a\":1}\n",
            r#"{"p":{"$name":"Ren\u00e9e Dupont","$city":"Lyon","tags":["S\u00e3o Paulo"],"e":"kim\u0040x.io"}}"#,
            "\n"
        );
        let (got, malformed) = unescaped(text);
        assert_eq!(malformed, 0);
        assert_eq!(
            got,
            [
                (
                    Some("$name".into()),
                    "Renée Dupont".into(),
                    r"Ren\u00e9e Dupont".into()
                ),
                (
                    Some("tags".into()),
                    "São Paulo".into(),
                    r"S\u00e3o Paulo".into()
                ),
                (Some("e".into()), "kim@x.io".into(), r"kim\u0040x.io".into()),
            ]
        );
    }

    #[test]
    fn each_byte_maps_to_its_escape() {
        let raw = br"a\u00e9\/\ud83d\ude00b";
        let mut map = Vec::new();
        assert!(disk_map(raw, 10, "aé/😀b".len(), &mut map));
        assert_eq!(map, [10, 11, 11, 17, 19, 19, 19, 19, 31, 32]);
    }

    #[test]
    fn malformed_lines_are_counted() {
        let text = concat!(
            "{\"ok\":\"\\u0041\"}\n",
            "{\"cut\":\"x\n",
            "{\"bad\":\"\\u0041\" \"x\"}\n",
            "plain \\u0041 text\n",
            "[1,2]\n"
        );
        let (got, malformed) = unescaped(text);
        assert_eq!(malformed, 2);
        let got: Vec<_> = got.into_iter().map(|(key, text, _)| (key, text)).collect();
        // The malformed line's string is unescaped on its own; plain text has none.
        assert_eq!(
            got,
            [
                (Some("ok".into()), "A".into()),
                (Some("bad".into()), "A".into())
            ]
        );
    }

    /// Pieces of a line cut for length start and end anywhere: the strings around their
    /// escapes are unescaped one by one, with their key and their span on disk.
    #[test]
    fn strings_of_a_piece_of_a_line_come_unescaped() {
        let text = concat!(
            r#"e":"x","$region":"\u00cele-de-France","n":[1],"q":"a\"b \\\"c\u0041\"d","#,
            r#""k": "S\u00e3o Paulo", "z":"\u00e9"#,
        );
        let (got, malformed) = unescaped(text);
        assert_eq!(malformed, 0);
        assert_eq!(
            got,
            [
                (
                    Some("$region".into()),
                    "Île-de-France".into(),
                    r"\u00cele-de-France".into()
                ),
                (
                    Some("q".into()),
                    r#"a"b \"cA"d"#.into(),
                    r#"a\"b \\\"c\u0041\"d"#.into()
                ),
                (
                    Some("k".into()),
                    "São Paulo".into(),
                    r"S\u00e3o Paulo".into()
                ),
            ]
        );
    }
}
