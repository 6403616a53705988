//! JSON strings written with `\uXXXX` escapes, unescaped by simd-json, mapped back to disk.
//!
//! Detectors read bytes as they are on disk, which keeps offsets exact and costs nothing, and
//! they understand the escapes that matter most (`\u0040` in an address, `\/` in a URL).
//! But a name written `Ren\u00e9e`, or a city written `S\u00e3o Paulo`, only matches a
//! dictionary once unescaped. So the strings that hold a `\u` escape, and only those (they are
//! rare: parsing every line would halve the throughput), are unescaped by simd-json one at a
//! time and handed out with their key and with a map from each unescaped byte back to the
//! byte on disk it came from. An escape only occurs inside a string, so the string that holds
//! it opens at the nearest unescaped quote before it and closes at the next one after; its key
//! is read backwards from its opening quote, as for a line cut for length or a log line
//! quoting JSON, whose strings are all there is to parse.
//!
//! A line that starts like a JSON object but stops before closing it, or whose escapes do not
//! decode, is *malformed*: it is still scanned as plain text, and counted so that the report
//! can say so. The rest of its syntax is not checked, here as on the lines without escapes.

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
            let in_line = escapes[i..].iter().map(|&e| e as usize);
            let in_line = in_line.take_while(|&e| e < end);
            let decoded = self.parse_strings_around(line, start, in_line, &mut visit);
            // A line cut short is counted already.
            let whole = looks_like_json(line) && ends_like_json(line);
            malformed += u64::from(whole && !decoded);
        }
        malformed
    }

    /// Unescapes, each on its own, the strings of a line that hold the escapes at `escapes`
    /// (offsets in the chunk, the line starting at `base`); false when one of them does not
    /// decode (an escape that JSON does not have, a string that does not end).
    ///
    /// The strings alone, not the line: parsing each line with an escape whole (one in
    /// 28 lines of an export, for its non-ASCII names and places) cost 0.1 s per GiB
    /// more, 7% of an e-mail and IP scan.
    fn parse_strings_around(
        &mut self,
        line: &[u8],
        base: usize,
        escapes: impl Iterator<Item = usize>,
        visit: &mut impl FnMut(&Unescaped<'_>),
    ) -> bool {
        let mut done = 0;
        let mut decoded = true;
        for at in escapes.map(|e| e - base) {
            if at < done {
                continue;
            }
            let Some(open) = opening_quote(line, at) else {
                continue;
            };
            let Some(close) = string_end(line, open + 1) else {
                return false;
            };
            done = close + 1;
            let raw = &line[open + 1..close];
            self.line.clear();
            self.line.extend_from_slice(&line[open..=close]);
            let text = match simd_json::to_tape_with_buffers(&mut self.line, &mut self.buffers) {
                Ok(tape) => match tape.0.first() {
                    Some(Node::String(text)) => *text,
                    _ => "",
                },
                Err(_) => "",
            };
            if text.is_empty() || !disk_map(raw, base + open + 1, text.len(), &mut self.map) {
                decoded = false;
                continue;
            }
            visit(&Unescaped {
                key: key_of_string(line, open, close),
                text,
                disk: &self.map,
            });
        }
        decoded
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

/// The key of the string whose quotes are at `open` and `close`: `"key":` just before it, or
/// before the array that holds it (`"tags":["Lyon","S\u00e3o Paulo"]`, looking back over at
/// most [`MAX_ELEMENTS_BEFORE`] strings); none for a key itself, or for a value in an array
/// that holds numbers or objects before it.
fn key_of_string(line: &[u8], mut open: usize, close: usize) -> Option<&str> {
    if line[close + 1..].trim_ascii_start().first() == Some(&b':') {
        return None;
    }
    // Whether the walk went back over a `,`, and then over the `[` of an array.
    let (mut after_comma, mut in_array) = (false, false);
    for _ in 0..MAX_ELEMENTS_BEFORE {
        let before = line[..open].trim_ascii_end();
        let (&last, rest) = before.split_last()?;
        let rest = rest.trim_ascii_end();
        let quote = rest.len().checked_sub(1).filter(|&q| rest[q] == b'"');
        match last {
            // After an object's `,` comes a key, which this string is not.
            b':' if after_comma && !in_array => return None,
            b':' => return std::str::from_utf8(key_before(line, quote?)?).ok(),
            b'[' => {
                in_array = true;
                open = rest.len();
            }
            b',' => {
                after_comma = true;
                open = unescaped_quote_before(line, 0, quote?)?;
            }
            _ => return None,
        }
    }
    None
}

/// How many strings before a value in an array are looked back over for the array's key.
const MAX_ELEMENTS_BEFORE: usize = 16;

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

    /// A line is malformed when it opens a JSON document and does not close it, or when an
    /// escape of it does not decode. Its other syntax is not checked, as on lines without
    /// escapes: its strings are unescaped as on any line.
    #[test]
    fn malformed_lines_are_counted() {
        let text = concat!(
            "{\"ok\":\"\\u0041\"}\n",
            "{\"cut\":\"x\n",
            "{\"bad\":\"\\u00G1\"}\n",
            "{\"syntax\":\"\\u0041\" \"x\"}\n",
            "plain \\u0041 text\n",
            "[1,2]\n"
        );
        let (got, malformed) = unescaped(text);
        assert_eq!(malformed, 2);
        let got: Vec<_> = got.into_iter().map(|(key, text, _)| (key, text)).collect();
        assert_eq!(
            got,
            [
                (Some("ok".into()), "A".into()),
                (Some("syntax".into()), "A".into())
            ]
        );
    }

    /// A value in an array takes the array's key, through the strings before it; a key, or
    /// a value after numbers, takes none.
    #[test]
    fn keys_of_values_in_arrays() {
        let text = concat!(
            r#"{"tags":["Lyon", "x\"y", "S\u00e3o Paulo"],"k\u00e9y":1,"#,
            r#""n":[1,"\u00e9"],"m":[["\u00e8"]],"o":{"a":"b","\u00ea"}}"#,
            "\n"
        );
        let (got, _) = unescaped(text);
        let got: Vec<_> = got.into_iter().map(|(key, text, _)| (key, text)).collect();
        let want: [(Option<String>, String); 5] = [
            (Some("tags".into()), "São Paulo".into()),
            (None, "kéy".into()),
            (None, "é".into()),
            (Some("m".into()), "è".into()),
            (None, "ê".into()),
        ];
        assert_eq!(got, want);
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
