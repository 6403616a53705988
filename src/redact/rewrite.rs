//! The rewriting stage: a chunk's bytes and findings in, its redacted bytes out.
//!
//! Bytes outside the replaced spans are copied as they are, so a copy keeps its lines, keys,
//! order and white space. Each replacement is made valid where it lands, judged from the
//! bytes around the span rather than by parsing every line (which would halve the speed):
//!
//! * in a JSON line, inside a string it is JSON-escaped; a bare value (a number) that is
//!   replaced by text is quoted, and removed it becomes `null` (a string emptied stays `""`);
//!   an escaped original (`kim\u0040example.net`) is one span, replaced whole;
//! * in a CSV cell it is quoted, or its quotes doubled, when it holds the delimiter, a quote
//!   or a line end;
//! * in a URL or query string (the span holds `%XX`, or its token holds `?` or `://`) it is
//!   percent-encoded.
//!
//! The value behind a span is read with its escapes decoded (JSON, then percent) before it is
//! pseudonymised or generalised, so that one address is one pseudonym however it is written.

use std::borrow::Cow;
use std::io::{self, Write};

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

use super::fields::{self, FieldValue};
use super::{generalise, pseudonym, Counts, Plan};
use crate::detect::{self, normal, RedactAction};
use crate::finding::Finding;
use crate::structure::csv::{self, Header};
use crate::structure::json;

/// What is percent-encoded in a URL: what would end or change a query value or path.
const URL: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'=')
    .add(b'?')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// What is percent-encoded when the original value was (`kim%40example.net`): its form is
/// kept, `@`, `/` and `:` encoded too.
const URL_ENCODED: &AsciiSet = &URL.add(b'@').add(b'/').add(b':');

/// Whether a replacement is percent-encoded, and how much.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Url {
    No,
    /// In a URL: what would end or change the value is encoded.
    Inside,
    /// The original was percent-encoded: so is the replacement, as a form value would be.
    Encoded,
}

/// Where a replacement lands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// Inside a JSON string.
    JsonString,
    /// A bare JSON value (a number).
    JsonBare,
    /// A CSV cell: quoted or not, and whether the span is the whole cell.
    Csv { quoted: bool, whole: bool },
    /// Anything else.
    Text,
}

/// Rewrites the chunks of one input, in order.
pub struct Rewriter<'p> {
    plan: &'p Plan,
    header: Option<Header>,
    /// Whether the line the next chunk starts in is JSON (a chunk can end mid-line when a line
    /// is too long to hold whole), and whether it does start mid-line.
    line_json: bool,
    mid_line: bool,
    /// Field rules by CSV column.
    columns: Vec<Option<usize>>,
    values: Vec<FieldValue>,
    path: Vec<u8>,
    text: String,
    scratch: String,
    pub counts: Counts,
}

impl<'p> Rewriter<'p> {
    /// A rewriter for one input, read as lines of text or JSON until [`Rewriter::set_csv`]
    /// says otherwise.
    pub fn new(plan: &'p Plan) -> Rewriter<'p> {
        Rewriter {
            plan,
            header: None,
            line_json: false,
            mid_line: false,
            columns: Vec::new(),
            values: Vec::new(),
            path: Vec::new(),
            text: String::new(),
            scratch: String::new(),
            counts: Counts::default(),
        }
    }

    /// The CSV header and dialect the scan read the input with ([`crate::sink::Layout`]):
    /// the copy is written by the same columns and delimiter, never guessed again (a guess
    /// could differ from `--delimiter`, and a value would then be quoted for the wrong
    /// delimiter). `None`: the input is lines of text or JSON.
    pub fn set_csv(&mut self, header: Option<Header>) {
        self.columns = header.as_ref().map_or_else(Vec::new, |header| {
            header
                .columns
                .iter()
                .map(|c| self.plan.rules.fields.iter().position(|r| r.matches(c)))
                .collect()
        });
        self.header = header;
    }

    /// Writes `bytes` (at `base` in the input) to `out` with `findings` replaced.
    pub fn chunk<W: Write>(
        &mut self,
        bytes: &[u8],
        base: u64,
        findings: &[Finding],
        out: &mut W,
    ) -> io::Result<()> {
        self.values.clear();
        if !self.plan.rules.fields.is_empty() {
            self.find_field_values(bytes, base);
        }
        let mut cursor = 0;
        let mut lines = Lines::new(bytes, self.mid_line, self.line_json);
        let mut values = 0;
        for f in findings {
            let Some(start) = f.offset.checked_sub(base).map(|s| s as usize) else {
                continue;
            };
            let end = (start + f.length as usize).min(bytes.len());
            // A field value before this finding, or around it.
            while let Some(v) = self.values.get(values).cloned() {
                if v.span.end <= start && v.span.start >= cursor {
                    out.write_all(&bytes[cursor..v.span.start])?;
                    cursor = v.span.end;
                    self.field_value(bytes, v, &mut lines, out)?;
                    values += 1;
                } else if v.span.end <= start {
                    values += 1;
                } else {
                    break;
                }
            }
            if self
                .values
                .get(values)
                .is_some_and(|v| v.span.start <= start && end <= v.span.end)
            {
                continue;
            }
            if end <= cursor {
                continue;
            }
            let start = start.max(cursor);
            let action = self.plan.action(f.kind);
            if action == RedactAction::Keep {
                continue;
            }
            out.write_all(&bytes[cursor..start])?;
            let place = lines.place(start, end, self.header.as_ref());
            self.replace(f, &bytes[start..end], action, place, bytes, start, out)?;
            cursor = end;
        }
        while let Some(v) = self.values.get(values).cloned() {
            values += 1;
            if v.span.start < cursor {
                continue;
            }
            out.write_all(&bytes[cursor..v.span.start])?;
            cursor = v.span.end;
            self.field_value(bytes, v, &mut lines, out)?;
        }
        out.write_all(&bytes[cursor..])?;
        self.mid_line = !bytes.ends_with(b"\n") && !bytes.is_empty();
        if self.mid_line {
            self.line_json = lines.json_at(bytes.len().saturating_sub(1));
        }
        Ok(())
    }

    /// The values of the chunk that a field rule covers.
    fn find_field_values(&mut self, bytes: &[u8], base: u64) {
        let rules = &self.plan.rules.fields;
        let mut at = 0;
        for line in bytes.split_inclusive(|&b| b == b'\n') {
            let start = at;
            at += line.len();
            if let Some(header) = &self.header {
                if base == 0 && start == 0 {
                    continue;
                }
                if self.columns.iter().any(Option::is_some) {
                    let line = line.strip_suffix(b"\n").unwrap_or(line);
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    fields::csv_values(
                        line,
                        start,
                        header.delimiter,
                        header.quoting,
                        &self.columns,
                        &mut self.values,
                    );
                }
                continue;
            }
            let head = &line[..line.len().min(64)];
            if !json::looks_like_json(head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head)) {
                continue;
            }
            let wanted = self.plan.field_keys.is_none()
                || self
                    .plan
                    .field_keys
                    .as_ref()
                    .is_some_and(|finder| finder.iter().any(|f| f.find(line).is_some()));
            if wanted {
                fields::json_values(line, start, rules, &mut self.path, &mut self.values);
            }
        }
    }

    /// Writes the replacement of a whole field value.
    fn field_value<W: Write>(
        &mut self,
        bytes: &[u8],
        v: FieldValue,
        lines: &mut Lines<'_>,
        out: &mut W,
    ) -> io::Result<()> {
        let rule = &self.plan.rules.fields[v.rule];
        let raw = &bytes[v.span.clone()];
        let place = if v.string {
            Place::JsonString
        } else if self.header.is_some() {
            Place::Csv {
                quoted: v.span.start > 0 && bytes[v.span.start - 1] == b'"',
                whole: true,
            }
        } else {
            lines.place(v.span.start, v.span.end, None)
        };
        self.text.clear();
        match rule.action {
            RedactAction::Keep => return out.write_all(raw),
            RedactAction::Remove => self.counts.removed += 1,
            RedactAction::Mask => {
                self.text.push_str("***");
                self.counts.masked += 1;
            }
            RedactAction::Pseudonymise | RedactAction::Generalise => {
                let decoded = decode(raw);
                let normal = crate::detect::Normal::Text.apply(decoded.as_bytes());
                let scope = format!("field:{}", rule.path);
                let d = self.plan.key().digest(&scope, normal.as_bytes());
                pseudonym::write(crate::detect::Pseudonym::Token, &d, &mut self.text);
                self.counts.pseudonymised += 1;
            }
        }
        let removed = rule.action == RedactAction::Remove;
        emit(
            &self.text,
            place,
            removed,
            Url::No,
            csv_delimiter(&self.header),
            out,
        )
    }

    /// Writes the replacement of one finding's `raw` bytes, found at `start` of `bytes`.
    #[allow(clippy::too_many_arguments)]
    fn replace<W: Write>(
        &mut self,
        f: &Finding,
        raw: &[u8],
        action: RedactAction,
        place: Place,
        bytes: &[u8],
        start: usize,
        out: &mut W,
    ) -> io::Result<()> {
        self.text.clear();
        let mut action = action;
        if action == RedactAction::Generalise {
            let decoded = decode(raw);
            self.scratch.clear();
            match generalise::generalise(f.kind, &decoded, self.plan.decimals, &mut self.scratch) {
                Some(()) => {
                    std::mem::swap(&mut self.text, &mut self.scratch);
                    self.counts.generalised += 1;
                }
                None => action = RedactAction::Mask,
            }
        }
        match action {
            RedactAction::Mask => {
                self.text.push_str(&detect::mask(f.kind, raw));
                self.counts.masked += 1;
            }
            RedactAction::Pseudonymise => {
                let d = match f.checked.and_then(|c| c.digest) {
                    Some(d) => d,
                    None => self.plan.digest(f.kind, raw),
                };
                let shape = f
                    .kind
                    .spec()
                    .map_or(crate::detect::Pseudonym::Token, |s| s.redact.pseudonym);
                pseudonym::write(shape, &d, &mut self.text);
                self.counts.pseudonymised += 1;
            }
            RedactAction::Remove => self.counts.removed += 1,
            RedactAction::Generalise | RedactAction::Keep => {}
        }
        let url = in_url(bytes, start, raw);
        let removed = action == RedactAction::Remove;
        emit(
            &self.text,
            place,
            removed,
            url,
            csv_delimiter(&self.header),
            out,
        )
    }
}

fn csv_delimiter(header: &Option<Header>) -> u8 {
    header.as_ref().map_or(b',', |h| h.delimiter)
}

/// Writes `text` as it must stand at `place`.
fn emit<W: Write>(
    text: &str,
    place: Place,
    removed: bool,
    url: Url,
    delimiter: u8,
    out: &mut W,
) -> io::Result<()> {
    let encoded: Cow<'_, str> = match url {
        Url::No => Cow::Borrowed(text),
        Url::Inside => utf8_percent_encode(text, URL).into(),
        Url::Encoded => utf8_percent_encode(text, URL_ENCODED).into(),
    };
    match place {
        Place::JsonString => json_escape(&encoded, out),
        Place::JsonBare if removed => out.write_all(b"null"),
        Place::JsonBare if is_json_number(&encoded) => out.write_all(encoded.as_bytes()),
        Place::JsonBare => {
            out.write_all(b"\"")?;
            json_escape(&encoded, out)?;
            out.write_all(b"\"")
        }
        Place::Csv { quoted, whole } => {
            let special = |b: u8| b == delimiter || matches!(b, b'"' | b'\r' | b'\n');
            if quoted {
                out.write_all(encoded.replace('"', "\"\"").as_bytes())
            } else if !encoded.bytes().any(special) {
                out.write_all(encoded.as_bytes())
            } else if whole {
                out.write_all(b"\"")?;
                out.write_all(encoded.replace('"', "\"\"").as_bytes())?;
                out.write_all(b"\"")
            } else {
                let plain: String = encoded
                    .chars()
                    .map(|c| {
                        if c.is_ascii() && special(c as u8) {
                            ' '
                        } else {
                            c
                        }
                    })
                    .collect();
                out.write_all(plain.as_bytes())
            }
        }
        Place::Text => out.write_all(encoded.as_bytes()),
    }
}

fn is_json_number(text: &str) -> bool {
    !text.is_empty() && serde_json::from_str::<serde_json::Number>(text).is_ok()
}

/// Writes `text` escaped for the inside of a JSON string.
fn json_escape<W: Write>(text: &str, out: &mut W) -> io::Result<()> {
    let bytes = text.as_bytes();
    let mut from = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escaped: Option<&[u8]> = match b {
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            b'\n' => Some(b"\\n"),
            b'\r' => Some(b"\\r"),
            b'\t' => Some(b"\\t"),
            0..=0x1f => None,
            _ => continue,
        };
        out.write_all(&bytes[from..i])?;
        match escaped {
            Some(e) => out.write_all(e)?,
            None => write!(out, "\\u{b:04x}")?,
        }
        from = i + 1;
    }
    out.write_all(&bytes[from..])
}

/// The text behind a span: JSON escapes decoded, then percent escapes.
pub fn decode(raw: &[u8]) -> String {
    let lossy = String::from_utf8_lossy(raw);
    let text = normal::unescape_json(&lossy);
    if has_percent_escape(text.as_bytes()) {
        percent_encoding::percent_decode_str(&text)
            .decode_utf8_lossy()
            .into_owned()
    } else {
        text.into_owned()
    }
}

fn has_percent_escape(bytes: &[u8]) -> bool {
    memchr::memchr_iter(b'%', bytes).any(|i| {
        bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
    })
}

/// Whether the span at `start` lies in a URL: it holds `%XX`, or the token it ends (from the
/// last quote, blank or angle bracket) holds `?` or `://`.
fn in_url(bytes: &[u8], start: usize, raw: &[u8]) -> Url {
    if has_percent_escape(raw) {
        return Url::Encoded;
    }
    let from = start.saturating_sub(512);
    let before = &bytes[from..start];
    let token_start = before
        .iter()
        .rposition(|&b| matches!(b, b'"' | b' ' | b'\t' | b'\n' | b'<' | b'>' | b'\''))
        .map_or(0, |i| i + 1);
    let token = &before[token_start..];
    if memchr::memchr(b'?', token).is_some() || memchr::memmem::find(token, b"://").is_some() {
        Url::Inside
    } else {
        Url::No
    }
}

/// The lines of a chunk, followed as findings come in order.
struct Lines<'b> {
    bytes: &'b [u8],
    /// The start of the line of the last position asked, and how far newlines were searched.
    start: usize,
    searched: usize,
    /// The chunk starts mid-line, in a line that is (or not) JSON.
    mid_line: bool,
    carried_json: bool,
    /// Whether the line that starts at `judged` is JSON.
    judged: Option<usize>,
    json: bool,
}

impl<'b> Lines<'b> {
    fn new(bytes: &'b [u8], mid_line: bool, carried_json: bool) -> Lines<'b> {
        Lines {
            bytes,
            start: 0,
            searched: 0,
            mid_line,
            carried_json,
            judged: None,
            json: false,
        }
    }

    /// The start of the line holding `pos` (positions come in order).
    fn line_start(&mut self, pos: usize) -> usize {
        if pos >= self.searched {
            if let Some(i) = memchr::memrchr(b'\n', &self.bytes[self.searched..pos]) {
                self.start = self.searched + i + 1;
            }
            self.searched = pos;
        }
        self.start
    }

    fn json_at(&mut self, pos: usize) -> bool {
        let start = self.line_start(pos);
        if start == 0 && self.mid_line {
            return self.carried_json;
        }
        if self.judged == Some(start) {
            return self.json;
        }
        // As the engine reads it: `[2001:db8::1]:443 - -` opens a log line, not JSON.
        let head = &self.bytes[start..self.bytes.len().min(start + 64)];
        let head = head.split(|&b| b == b'\n').next().unwrap_or(head);
        let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
        self.json = json::looks_like_json(head);
        self.judged = Some(start);
        self.json
    }

    /// Where the span `start..end` lies.
    fn place(&mut self, start: usize, end: usize, header: Option<&Header>) -> Place {
        let line_start = self.line_start(start);
        if self.json_at(start) {
            let bytes = self.bytes;
            if start > 0 && bytes[start - 1] == b'"' {
                // Most values: a string that starts with the span. (A closing quote before
                // the span would mean a bare value right after a string, which JSON forbids.)
                return Place::JsonString;
            }
            let before = bytes[line_start..start]
                .iter()
                .rev()
                .find(|b| !b.is_ascii_whitespace());
            let after = bytes[end..].iter().find(|b| !matches!(b, b' ' | b'\t'));
            let looks_bare = matches!(before, Some(b':' | b',' | b'['))
                && matches!(after, None | Some(b',' | b'}' | b']' | b'\n' | b'\r'));
            if looks_bare && !in_string(&bytes[line_start..start]) {
                return Place::JsonBare;
            }
            return Place::JsonString;
        }
        if let Some(header) = header {
            let line_end =
                memchr::memchr(b'\n', &self.bytes[start..]).map_or(self.bytes.len(), |i| start + i);
            let line = &self.bytes[line_start..line_end];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let (s, e) = (start - line_start, end - line_start);
            for (cs, ce) in csv::cells(line, header.delimiter, header.quoting) {
                if cs <= s && e <= ce {
                    let quoted = ce >= cs + 2 && line[cs] == b'"' && line[ce - 1] == b'"';
                    let whole = if quoted {
                        s == cs + 1 && e == ce - 1
                    } else {
                        s == cs && e == ce
                    };
                    return Place::Csv { quoted, whole };
                }
            }
            return Place::Csv {
                quoted: false,
                whole: false,
            };
        }
        Place::Text
    }
}

/// Whether a JSON line's `prefix` ends inside a string: an odd number of unescaped quotes.
fn in_string(prefix: &[u8]) -> bool {
    let mut inside = false;
    let mut i = 0;
    while let Some(j) = memchr::memchr2(b'"', b'\\', &prefix[i..]) {
        let p = i + j;
        if prefix[p] == b'\\' {
            i = p + 2;
            if i >= prefix.len() {
                break;
            }
        } else {
            inside = !inside;
            i = p + 1;
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacements_are_written_as_their_place_needs() {
        let cases: &[(&str, Place, bool, Url, &str)] = &[
            ("a\"b\\c", Place::JsonString, false, Url::No, r#"a\"b\\c"#),
            (
                "u1@redacted.invalid",
                Place::JsonBare,
                false,
                Url::No,
                r#""u1@redacted.invalid""#,
            ),
            ("48.9", Place::JsonBare, false, Url::No, "48.9"),
            ("", Place::JsonBare, true, Url::No, "null"),
            ("", Place::JsonString, true, Url::No, ""),
            ("Person 3f", Place::Text, false, Url::Inside, "Person%203f"),
            (
                "u1@x.invalid",
                Place::Text,
                false,
                Url::Inside,
                "u1@x.invalid",
            ),
            (
                "u1@x.invalid",
                Place::Text,
                false,
                Url::Encoded,
                "u1%40x.invalid",
            ),
            (
                "Korea, South",
                Place::Csv {
                    quoted: false,
                    whole: true,
                },
                false,
                Url::No,
                "\"Korea, South\"",
            ),
            (
                "a\"b",
                Place::Csv {
                    quoted: true,
                    whole: true,
                },
                false,
                Url::No,
                "a\"\"b",
            ),
            (
                "a,b",
                Place::Csv {
                    quoted: false,
                    whole: false,
                },
                false,
                Url::No,
                "a b",
            ),
        ];
        for &(text, place, removed, url, want) in cases {
            let mut out = Vec::new();
            emit(text, place, removed, url, b',', &mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), want, "{text:?} {place:?}");
        }
    }

    #[test]
    fn values_are_decoded_before_they_are_rewritten() {
        assert_eq!(decode(br"kim\u0040example.net"), "kim@example.net");
        assert_eq!(decode(b"jane%40example.org"), "jane@example.org");
        assert_eq!(decode(b"Jane%20Doe"), "Jane Doe");
        assert_eq!(decode(b"100%"), "100%");
    }

    #[test]
    fn places_are_read_from_the_bytes_around() {
        let line = br#"{"a":"x kim@example.net y","lat":48.85,"t":"k: 1, z","u":"https://e.com/?m=kim@e.com"}"#;
        let at = |needle: &str| {
            let s = memchr::memmem::find(line, needle.as_bytes()).unwrap();
            (s, s + needle.len())
        };
        let mut lines = Lines::new(line, false, false);
        let (s, e) = at("kim@example.net");
        assert_eq!(lines.place(s, e, None), Place::JsonString);
        let (s, e) = at("48.85");
        assert_eq!(lines.place(s, e, None), Place::JsonBare);
        let (s, e) = at("1");
        assert_eq!(lines.place(s, e, None), Place::JsonString);
        let (s, _) = at("kim@e.com");
        assert_eq!(in_url(line, s, b"kim@e.com"), Url::Inside);
        assert_eq!(in_url(line, s, b"kim%40e.com"), Url::Encoded);
        let (s, _) = at("kim@example.net");
        assert_eq!(in_url(line, s, b"kim@example.net"), Url::No);
    }
}
