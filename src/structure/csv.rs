//! CSV and TSV exports: the header row names every cell below it.
//!
//! The header is read once per file; its column names give the `field` of every finding and,
//! through the same key table as JSON, hints for whole columns (`email`, `city`, `first_name`).
//! Cells are split by hand rather than with a CSV parser because findings need byte offsets of
//! each cell on disk, and a record-level parser does not keep them. Quoted cells (`"a, b"`,
//! doubled quotes) are honoured, also a quoted cell that holds line ends (a comment or an
//! address typed on several lines): the cells after it keep their columns. Chunks are scanned
//! on their own, so a delimited file's chunks end where records end, never inside such a cell
//! ([`Header::cut`]): one walk over the quotes that open cells, before its chunks are scanned.

use std::ops::Range;
use std::path::Path;

use super::keys::hint_for_key;
use super::keys::{Hint, HintedValue};

/// Whether a chunk of a delimited file may end at a line end ([`Header::cut`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    /// No quoted cell holds the line end.
    Clean,
    /// A quoted cell holds it and closes at this offset, past the line end.
    After(usize),
    /// A quoted cell that opens at this offset holds it, and does not close in the bytes
    /// given: more input will tell whether it closes, or is a stray quote.
    Unknown(usize),
}

/// The header of a delimited file.
#[derive(Clone, Debug)]
pub struct Header {
    pub delimiter: u8,
    /// Whether `"` quotes cells (RFC 4180), or is text like any other byte.
    pub quoting: bool,
    pub columns: Vec<String>,
    hints: Vec<Option<Hint>>,
}

/// The delimiters a file's head is sniffed for, in their order of preference on a tie:
/// Excel writes `;` where the decimal separator is a comma (much of Europe), `|` and tabs
/// come from database and warehouse exports.
pub const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How many records of a file's head its dialect is sniffed from.
const SNIFF_RECORDS: usize = 64;

/// A file named as delimited (`.csv`, `.tsv`) whose first line does not split into two
/// columns by any delimiter (or by the one given): it is read as text, which the user should
/// be told, since its columns would have named its values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unsplit {
    /// The one delimiter tried (the one given, or a tab in a `.tsv` file), or `None` when
    /// every one of [`DELIMITERS`] was: what the note names.
    pub tried: Option<u8>,
}

/// A delimiter's reading of the head of a file: its header cells and how many of the
/// records after it have as many cells.
struct Reading<'h> {
    delimiter: u8,
    quoting: bool,
    names: Vec<&'h [u8]>,
    /// The records after the header in the head, and those of the header's width.
    rows: usize,
    consistent: usize,
}

impl Header {
    /// Reads the header of a file when the file is delimited, from its head (its first
    /// bytes): by its extension (`.csv`, `.tsv`, also under `.gz`, `.zst` or `.zstd`:
    /// compressed files are scanned decompressed), or by a first line of at least three
    /// delimited names that look like column names (`user_id,email,city`), as most records
    /// after it split (at least four in five).
    ///
    /// The delimiter is `delimiter` when given (`--delimiter`), a tab in a `.tsv` file, else
    /// the one of [`DELIMITERS`] that splits the first line into at least two cells and the
    /// most records of the head into as many (the widest header on a tie, then the first in
    /// the list). Quotes are read as CSV quoting unless the head shows them used as text
    /// (`"Hello" she said`, more often than as quoted cells).
    ///
    /// Column names are printed as the `field` of findings, so a first line that holds values
    /// rather than names is not a header, even in a `.csv` file: exports without a header row
    /// are common, and taking `jane.doe@example.com` for a column name would print it raw.
    /// See `looks_like_value` for what makes a cell a value; and a first row that names a
    /// person (`names_person` says whether two words are a first name and a surname, which
    /// only the name detector knows) is a record too.
    ///
    /// A file named as delimited whose first line splits into fewer than two cells is
    /// [`Unsplit`].
    pub fn sniff(
        path: &Path,
        head: &[u8],
        delimiter: Option<u8>,
        names_person: &dyn Fn(&[u8], &[u8]) -> bool,
    ) -> Result<Option<Header>, Unsplit> {
        let by_ext = delimiter_by_extension(path);
        let first_line = match memchr::memchr(b'\n', head) {
            Some(i) => &head[..=i],
            None => head,
        };
        let line = trim_eol(first_line);
        if line.is_empty() || line[0] == b'{' || line[0] == b'[' {
            return Ok(None);
        }
        let candidates = match (delimiter, by_ext) {
            (Some(d), _) => vec![d],
            (None, Some(b'\t')) => vec![b'\t'],
            (None, _) => DELIMITERS.to_vec(),
        };
        let readings = candidates.into_iter().filter_map(|delimiter| {
            let quoting = quotes_are_quoting(head, delimiter);
            let mut names: Vec<&[u8]> = cells(line, delimiter, quoting)
                .map(|(s, e)| unquote(&line[s..e], quoting))
                .collect();
            if names.len() < 2 {
                return None;
            }
            // Without its line end the line was cut (the engine sniffs the first 64 KiB): its
            // last name may be cut too, and a wrong name is worse than none.
            if !first_line.ends_with(b"\n") {
                names.pop();
            }
            let widths = record_widths(head, delimiter, quoting);
            let rows = widths.get(1..).unwrap_or_default();
            let width = names.len() + usize::from(!first_line.ends_with(b"\n"));
            Some(Reading {
                delimiter,
                quoting,
                names,
                rows: rows.len(),
                consistent: rows.iter().filter(|&&w| w == width).count(),
            })
        });
        // Guessed from the content: only names that could be nothing else, over records that
        // mostly split as the header does.
        let readings: Vec<Reading> = match by_ext {
            Some(_) => readings.collect(),
            None => readings
                .filter(|r| r.names.len() >= 3 && r.names.iter().all(|n| is_plain_name(n)))
                .filter(|r| r.consistent * 5 >= r.rows * 4)
                .collect(),
        };
        let best = readings
            .into_iter()
            .rev()
            .max_by_key(|r| (r.consistent, r.names.len()));
        let Some(Reading {
            delimiter,
            quoting,
            names,
            ..
        }) = best
        else {
            return if by_ext.is_some() {
                Err(Unsplit {
                    tried: delimiter.or(by_ext.filter(|&d| d == b'\t')),
                })
            } else {
                Ok(None)
            };
        };
        if names_a_person(&names, names_person) {
            return Ok(None);
        }
        // Named as delimited: any names, even empty ones (pandas writes an empty name over
        // its index column), as long as none is a value.
        if by_ext.is_some()
            && (!names.iter().any(|n| !n.is_empty()) || names.iter().any(|n| looks_like_value(n)))
        {
            return Ok(None);
        }
        let columns: Vec<String> = names
            .iter()
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .collect();
        let hints = columns.iter().map(|c| hint_for_key(c.as_bytes())).collect();
        Ok(Some(Header {
            delimiter,
            quoting,
            columns,
            hints,
        }))
    }

    /// True when at least one column hints at personal data.
    pub fn has_hints(&self) -> bool {
        self.hints.iter().any(Option::is_some)
    }

    /// Pushes the cells of hinted columns in `bytes` (whole lines), skipping the header line
    /// when `bytes` starts the file. `records` are the records of `bytes` that span lines
    /// ([`Header::multiline_records`]).
    pub fn find_hints(
        &self,
        bytes: &[u8],
        skip_first_line: bool,
        records: &[Range<usize>],
        out: &mut Vec<HintedValue>,
    ) {
        if !self.has_hints() {
            return;
        }
        let mut records = records.iter().peekable();
        let mut start = 0;
        let mut first = true;
        while start < bytes.len() {
            while records.next_if(|r| r.start < start).is_some() {}
            let end = match records.next_if(|r| r.start == start) {
                Some(record) => record.end,
                None => memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i),
            };
            if !(first && skip_first_line) {
                let line = trim_eol(&bytes[start..end]);
                for (col, (s, e)) in cells(line, self.delimiter, self.quoting).enumerate() {
                    if let Some(Some(hint)) = self.hints.get(col) {
                        let (s, e) = unquote_span(line, s, e, self.quoting);
                        if s < e {
                            out.push(HintedValue {
                                start: start + s,
                                end: start + e,
                                hint: *hint,
                            });
                        }
                    }
                }
            }
            first = false;
            start = end + 1;
        }
    }

    /// The records of `bytes` (whole lines) that span lines, each from the start of its first
    /// line to the end of its last (before the line end): the line ends of a quoted cell
    /// belong to the cell. Most files have none, and only their quotes are visited.
    ///
    /// A quote opens a quoted cell only where a cell starts (RFC 4180), so that a stray one
    /// (`5" screen`) is text; a quoted cell that does not close within
    /// [`Header::MAX_QUOTED`] is taken as such a stray quote too, and its line read alone.
    pub fn multiline_records(&self, bytes: &[u8]) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        if !self.quoting {
            return out;
        }
        // The start of the current record, and whether a line end was found inside it.
        let (mut record, mut spans) = (0, false);
        let mut pos = 0;
        while let Some(i) = memchr::memchr2(b'"', b'\n', &bytes[pos..]) {
            let at = pos + i;
            pos = at + 1;
            if bytes[at] == b'\n' {
                if spans {
                    out.push(record..at);
                }
                (record, spans) = (at + 1, false);
                continue;
            }
            if !self.starts_cell(bytes, at, record) {
                continue;
            }
            if let Some(close) = quoted_cell_end(bytes, at) {
                spans |= memchr::memchr(b'\n', &bytes[at..close]).is_some();
                pos = close + 1;
            }
        }
        if spans {
            out.push(record..bytes.len());
        }
        out
    }

    /// The longest quoted cell that may span lines.
    pub const MAX_QUOTED: usize = 1 << 20;

    /// True when the quote at `at` starts a cell, and so may open a quoted one (RFC 4180):
    /// at `record`, where a record starts, or after a line end or a delimiter.
    fn starts_cell(&self, bytes: &[u8], at: usize, record: usize) -> bool {
        at == record || bytes[at - 1] == b'\n' || bytes[at - 1] == self.delimiter
    }

    /// Whether a chunk may end at `end` (just past a line end): that is, whether no quoted
    /// cell holds that line end, as [`Header::multiline_records`] reads the chunk. The walk
    /// starts at `from`, outside any quoted cell (the chunk's start, or past a quoted cell an
    /// earlier call answered); `bytes` may go on past `end`, and are the whole input when
    /// `complete`, so that a quote that never closes is known to be text.
    ///
    /// Chunks are scanned on their own, so one that ended inside a quoted cell would read the
    /// rest of that record, in the next chunk, as a record of its own: its cells under the
    /// wrong columns, its names and places missed.
    pub fn cut(&self, bytes: &[u8], from: usize, end: usize, complete: bool) -> Cut {
        if !self.quoting {
            return Cut::Clean;
        }
        let mut pos = from;
        while let Some(i) = memchr::memchr(b'"', &bytes[pos..end]) {
            let at = pos + i;
            pos = at + 1;
            if !self.starts_cell(bytes, at, from) {
                continue;
            }
            match quoted_cell_end(bytes, at) {
                Some(close) if close >= end => return Cut::After(close),
                Some(close) => pos = close + 1,
                None if !complete && bytes.len() < at + Self::MAX_QUOTED => {
                    return Cut::Unknown(at)
                }
                None => {}
            }
        }
        Cut::Clean
    }

    /// The name of the column that holds byte `offset` of `line`. This splits the line from
    /// its start on every call: for the findings of one line use [`Header::columns_at`].
    pub fn column_at(&self, line: &[u8], offset: usize) -> Option<&str> {
        let col = cells(trim_eol(line), self.delimiter, self.quoting)
            .position(|(s, e)| s <= offset && offset < e)?;
        self.columns.get(col).map(String::as_str)
    }

    /// The column names of many byte offsets of one line, splitting the line once: calls
    /// `found(i, name)` for each `offsets[i]` that lies in a cell of a named column (an
    /// offset on a delimiter, or in a cell past the last named column, has none).
    ///
    /// A line of `n` cells with `k` findings costs `O(n + k)` when `offsets` are sorted, as a
    /// chunk's findings are; asking [`Header::column_at`] for each would cost `O(n * k)`, which
    /// is minutes on a line of 200,000 cells. Unsorted offsets are still answered correctly:
    /// an offset before the previous one starts the split again.
    pub fn columns_at<'h>(
        &'h self,
        line: &[u8],
        offsets: &[usize],
        found: impl FnMut(usize, &'h str),
    ) {
        let line = trim_eol(line);
        self.columns_with(|| cells(line, self.delimiter, self.quoting), offsets, found);
    }

    /// [`Header::columns_at`] with the cell splitter given, so that tests can count its work.
    fn columns_with<'h, I: Iterator<Item = (usize, usize)>>(
        &'h self,
        split: impl Fn() -> I,
        offsets: &[usize],
        mut found: impl FnMut(usize, &'h str),
    ) {
        let mut cells = split().enumerate().peekable();
        let mut previous = 0;
        for (i, &offset) in offsets.iter().enumerate() {
            if offset < previous {
                cells = split().enumerate().peekable();
            }
            previous = offset;
            while cells.next_if(|&(_, (_, end))| end <= offset).is_some() {}
            if let Some(&(col, (start, _))) = cells.peek() {
                if start <= offset {
                    if let Some(name) = self.columns.get(col) {
                        found(i, name);
                    }
                }
            }
        }
    }
}

/// How a delimiter is named to the user: `tab`, else the character in backquotes.
pub fn delimiter_name(delimiter: u8) -> String {
    match delimiter {
        b'\t' => "tab".to_string(),
        d if d.is_ascii_graphic() || d == b' ' => format!("`{}`", char::from(d)),
        d => format!("byte 0x{d:02x}"),
    }
}

/// The delimiter a file's name announces: `.csv` or `.tsv`, also before a compression suffix
/// (`export.csv.gz`), since compressed inputs are scanned decompressed.
fn delimiter_by_extension(path: &Path) -> Option<u8> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let name = [".gz", ".zst", ".zstd", ".xz", ".bz2"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(&name);
    match Path::new(name).extension()?.to_str()? {
        "csv" => Some(b','),
        "tsv" => Some(b'\t'),
        _ => None,
    }
}

/// True when first-row cells hold a person's first name and surname, side by side (`John`,
/// `Smith`) or in one cell (`Mary Jones`): the row is a record of a file without a header, and
/// its cells, taken for column names, would be printed raw as the field of every finding.
fn names_a_person(cells: &[&[u8]], names_person: &dyn Fn(&[u8], &[u8]) -> bool) -> bool {
    let in_one = |cell: &&[u8]| {
        let mut words = cell.split(|&b| b == b' ');
        match (words.next(), words.next(), words.next()) {
            (Some(first), Some(last), None) => names_person(first, last),
            _ => false,
        }
    };
    cells.windows(2).any(|w| names_person(w[0], w[1])) || cells.iter().any(in_one)
}

/// A name that only a header row would hold: letters, digits and `_ $ . -`, inner spaces,
/// not starting with a digit, at most 64 bytes. Used when no extension says the file is
/// delimited, so that prose with commas is not taken for a header.
fn is_plain_name(n: &[u8]) -> bool {
    !n.is_empty()
        && n.len() <= 64
        && n[0] != b' '
        && n[n.len() - 1] != b' '
        && n.iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'.' | b' ' | b'-'))
        && !n[0].is_ascii_digit()
}

/// True when a first-line cell is a value rather than a column name: an e-mail address
/// (`@` after its first byte; `@timestamp` is a name), a number, date or IPv4 address (a
/// digit first, or after a sign or a dot), an IPv6 address (hex digits and at least two
/// colons), a URL, anything with a control character, or anything longer than 64 bytes.
fn looks_like_value(n: &[u8]) -> bool {
    let numeric = match n {
        [b'+' | b'-' | b'.', d, ..] | [d, ..] => d.is_ascii_digit(),
        [] => false,
    };
    let ipv6 = memchr::memchr_iter(b':', n).count() >= 2
        && n.iter()
            .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.'));
    n.len() > 64
        || numeric
        || ipv6
        || memchr::memchr(b'@', n).is_some_and(|i| i > 0)
        || memchr::memmem::find(n, b"://").is_some()
        || n.iter().any(|b| b.is_ascii_control())
}

/// The quote that closes the quoted cell opened by the quote at `open` (a doubled quote is
/// content), if `bytes` holds it within [`Header::MAX_QUOTED`]: one that does not close by
/// then is a stray quote.
fn quoted_cell_end(bytes: &[u8], open: usize) -> Option<usize> {
    let bytes = &bytes[..bytes.len().min(open + Header::MAX_QUOTED)];
    let mut from = open + 1;
    loop {
        let quote = from + memchr::memchr(b'"', bytes.get(from..)?)?;
        if bytes.get(quote + 1) != Some(&b'"') {
            return Some(quote);
        }
        from = quote + 2;
    }
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn unquote(cell: &[u8], quoting: bool) -> &[u8] {
    match cell {
        [b'"', inner @ .., b'"'] if quoting => inner,
        _ => cell,
    }
}

fn unquote_span(line: &[u8], s: usize, e: usize, quoting: bool) -> (usize, usize) {
    if quoting && e >= s + 2 && line[s] == b'"' && line[e - 1] == b'"' {
        (s + 1, e - 1)
    } else {
        (s, e)
    }
}

/// True unless the head of a file shows `"` used as text more often than as CSV quoting:
/// quoted cells close right before a delimiter or a line end (`"Lyon, FR",`), text quotes do
/// not (`"Hello" she said`). Only quotes that open a cell are read.
fn quotes_are_quoting(head: &[u8], delimiter: u8) -> bool {
    let (mut quoting, mut text) = (0usize, 0usize);
    let mut pos = 0;
    while let Some(i) = memchr::memchr(b'"', &head[pos..]) {
        let at = pos + i;
        pos = at + 1;
        if at > 0 && head[at - 1] != b'\n' && head[at - 1] != delimiter {
            continue;
        }
        let Some(close) = quoted_cell_end(head, at) else {
            break;
        };
        match head.get(close + 1) {
            None | Some(b'\r' | b'\n') => quoting += 1,
            Some(&b) if b == delimiter => quoting += 1,
            Some(_) => text += 1,
        }
        pos = close + 1;
    }
    quoting >= text
}

/// The number of cells of each of the first [`SNIFF_RECORDS`] records of `head` that end in
/// it (the line ends of quoted cells belong to them).
fn record_widths(head: &[u8], delimiter: u8, quoting: bool) -> Vec<usize> {
    let mut widths = Vec::new();
    let mut width = 1;
    let mut cell_start = true;
    let mut pos = 0;
    while pos < head.len() && widths.len() < SNIFF_RECORDS {
        let b = head[pos];
        if quoting && cell_start && b == b'"' {
            match quoted_cell_end(head, pos) {
                Some(close) => {
                    pos = close + 1;
                    cell_start = false;
                    continue;
                }
                None => break,
            }
        }
        cell_start = true;
        if b == delimiter {
            width += 1;
        } else if b == b'\n' {
            widths.push(width);
            width = 1;
        } else {
            cell_start = false;
        }
        pos += 1;
    }
    widths
}

/// The spans of the cells of one line (without its line end), quotes included; with
/// `quoting`, a delimiter inside a quoted cell is part of it.
pub fn cells(
    line: &[u8],
    delimiter: u8,
    quoting: bool,
) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut pos = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let start = pos;
        let mut quoted = quoting && line.get(pos) == Some(&b'"');
        if quoted {
            pos += 1;
        }
        while pos < line.len() {
            let b = line[pos];
            if quoted {
                if b == b'"' {
                    if line.get(pos + 1) == Some(&b'"') {
                        pos += 1;
                    } else {
                        quoted = false;
                    }
                }
            } else if b == delimiter {
                break;
            }
            pos += 1;
        }
        let end = pos;
        if pos >= line.len() {
            done = true;
        } else {
            pos += 1;
        }
        Some((start, end))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniff(path: &Path, head: &[u8]) -> Option<Header> {
        sniff_with(path, head, None).unwrap_or(None)
    }

    fn sniff_with(
        path: &Path,
        head: &[u8],
        delimiter: Option<u8>,
    ) -> Result<Option<Header>, Unsplit> {
        Header::sniff(
            path,
            head,
            delimiter,
            &crate::detect::person_name::is_first_and_last,
        )
    }

    #[test]
    fn splits_cells() {
        let line = br#"a,"b, c",,"d ""q"" e",f"#;
        let got: Vec<&[u8]> = cells(line, b',', true).map(|(s, e)| &line[s..e]).collect();
        assert_eq!(
            got,
            [&b"a"[..], b"\"b, c\"", b"", b"\"d \"\"q\"\" e\"", b"f"]
        );
        // Without quoting, a quote is text and a delimiter always splits.
        let got: Vec<&[u8]> = cells(line, b',', false).map(|(s, e)| &line[s..e]).collect();
        assert_eq!(got.len(), 6);
    }

    #[test]
    fn sniffs_headers() {
        // (file name, first line, the columns it gives, or None when it is not a header)
        let cases: &[(&str, &str, Option<&[&str]>)] = &[
            (
                "x.txt",
                "user_id,email,city\n",
                Some(&["user_id", "email", "city"]),
            ),
            ("x.log", "hello, world, this is prose\n", None),
            ("x.log", "{\"a\":1,\"b\":2,\"c\":3}\n", None),
            ("x.log", "id,email\n", None),
            ("x.tsv", "name\tcity\n", Some(&["name", "city"])),
            (
                "x.csv",
                "\"id\",\"Email Address\",\"@timestamp\"\r\n",
                Some(&["id", "Email Address", "@timestamp"]),
            ),
            ("x.csv", ",a,b\n", Some(&["", "a", "b"])),
            ("x.csv", ",,\n", None),
            ("x.csv", "id,email,cit", Some(&["id", "email"])),
            // Compressed files are scanned decompressed: their inner extension counts.
            ("x.csv.gz", "id,city\n", Some(&["id", "city"])),
            ("X.CSV.ZST", "id,city\n", Some(&["id", "city"])),
            ("x.tsv.zstd", "id\tcity\n", Some(&["id", "city"])),
            ("x.csv.bz2", "id,city\n", Some(&["id", "city"])),
            ("x.tsv.xz", "id\tcity\n", Some(&["id", "city"])),
            ("x.gz", "id,city\n", None),
            ("x.csv.7z", "id,city\n", None),
            // A `.csv` file without a header row: its first row is data, never column names.
            ("headerless.csv", "1,jane.doe@example.com,Lyon\n", None),
            ("headerless.csv", "jane.doe@example.com,Lyon\n", None),
            ("headerless.csv", "Lyon,203.0.113.7\n", None),
            ("headerless.csv", "Lyon,2001:db8::1\n", None),
            ("headerless.csv", "Lyon,fe80::1\n", None),
            ("headerless.csv", "Lyon,-12.5\n", None),
            ("headerless.csv", "Lyon,.5\n", None),
            ("headerless.csv", "Lyon,2025-11-30\n", None),
            ("headerless.csv", "Lyon,https://example.com/\n", None),
            ("headerless.tsv", "Lyon\tjane.doe@example.com\n", None),
            ("headerless.csv", "a\x1b[2Jb,city\n", None),
        ];
        for &(name, line, want) in cases {
            let got = sniff(Path::new(name), line.as_bytes());
            let got: Option<Vec<&str>> = got
                .as_ref()
                .map(|h| h.columns.iter().map(String::as_str).collect());
            assert_eq!(got.as_deref(), want, "{name}: {line:?}");
        }
        let h = sniff(Path::new("x.txt"), b"user_id,email,city\n").unwrap();
        assert!(h.has_hints());
        let t = sniff(Path::new("x.tsv"), b"name\tcity\n").unwrap();
        assert_eq!(t.delimiter, b'\t');
        let long = format!("id,{}\n", "a".repeat(65));
        assert!(sniff(Path::new("x.csv"), long.as_bytes()).is_none());
    }

    /// The delimiter and quoting of a file, sniffed from its head or given: each dialect, its
    /// quoted cells holding the delimiter or line ends, and the files that do not split.
    #[test]
    fn sniffs_dialects() {
        type Want = Result<Option<(u8, bool, &'static [&'static str])>, Unsplit>;
        let cases: &[(&str, &str, Option<u8>, Want)] = &[
            (
                "x.csv",
                "id;email;city\n1;a@b.co;Lyon\n2;c@d.co;\"Paris; FR\"\n",
                None,
                Ok(Some((b';', true, &["id", "email", "city"]))),
            ),
            (
                "x.csv",
                "id|email|city\r\n1|a@b.co|Lyon\r\n",
                None,
                Ok(Some((b'|', true, &["id", "email", "city"]))),
            ),
            (
                "x.csv",
                "id\temail\tcity\n1\ta@b.co\tLyon\n",
                None,
                Ok(Some((b'\t', true, &["id", "email", "city"]))),
            ),
            // Commas inside cells of a `;` file, semicolons inside cells of a `,` one.
            (
                "x.csv",
                "name;price;lat\nJane;3,50;45,76\nBob;4,20;48,85\n",
                None,
                Ok(Some((b';', true, &["name", "price", "lat"]))),
            ),
            (
                "x.csv",
                "id,note\n1,\"a; b; c\"\n2,x;y\n",
                None,
                Ok(Some((b',', true, &["id", "note"]))),
            ),
            (
                "x.csv",
                "\"id\";\"name\";\"city\"\n\"1\";\"Doe; Jane\";\"Lyon\"\n",
                None,
                Ok(Some((b';', true, &["id", "name", "city"]))),
            ),
            // A quoted cell over two lines is one record.
            (
                "x.csv",
                "id;note;city\n1;\"one, two\nthree, four\";Lyon\n2;x, y;Paris\n",
                None,
                Ok(Some((b';', true, &["id", "note", "city"]))),
            ),
            // Quotes used as text in a tab-separated file.
            (
                "x.tsv",
                "id\tquote\tcity\n1\t\"Hello\" she said\tLyon\n",
                None,
                Ok(Some((b'\t', false, &["id", "quote", "city"]))),
            ),
            // Given: that delimiter only.
            (
                "x.csv",
                "a,b;c,d\n1,2;3,4\n",
                Some(b';'),
                Ok(Some((b';', true, &["a,b", "c,d"]))),
            ),
            (
                "x.csv",
                "id,email\n",
                Some(b'|'),
                Err(Unsplit { tried: Some(b'|') }),
            ),
            (
                "x.csv",
                "email\njane@example.com\n",
                None,
                Err(Unsplit { tried: None }),
            ),
            (
                "x.tsv",
                "id,email\n1,a@b.co\n",
                None,
                Err(Unsplit { tried: Some(b'\t') }),
            ),
            (
                "x.tsv",
                "id,email\n",
                Some(b';'),
                Err(Unsplit { tried: Some(b';') }),
            ),
            // Not named as delimited: a header of plain names over records that split alike.
            (
                "x.txt",
                "user_id;email;city\n1;a@b.co;Lyon\n",
                None,
                Ok(Some((b';', true, &["user_id", "email", "city"]))),
            ),
            (
                "x.log",
                "user_id|email|city\n1|a@b.co|Lyon\n",
                Some(b'|'),
                Ok(Some((b'|', true, &["user_id", "email", "city"]))),
            ),
            (
                "x.txt",
                "user_id;email;city\nhello world\nbye\n",
                None,
                Ok(None),
            ),
            ("x.log", "email\n", None, Ok(None)),
            ("x.log", "user_id,email,city\n", Some(b';'), Ok(None)),
            // The rules of every dialect: values and people are never column names.
            ("x.csv", "1;jane.doe@example.com;Lyon\n", None, Ok(None)),
            ("x.csv", "John|Smith|Lyon\n", None, Ok(None)),
        ];
        for (name, head, delimiter, want) in cases {
            let got = sniff_with(Path::new(name), head.as_bytes(), *delimiter);
            let got = got.map(|h| h.map(|h| (h.delimiter, h.quoting, h.columns)));
            let want =
                want.map(|w| w.map(|(d, q, c)| (d, q, c.iter().map(|c| c.to_string()).collect())));
            assert_eq!(got, want, "{name}: {head:?} {delimiter:?}");
        }
    }

    /// Without quoting, a quote is text: cells split at every delimiter and no record spans
    /// lines.
    #[test]
    fn quotes_as_text() {
        let h = sniff(
            Path::new("x.tsv"),
            b"id\tquote\tcity\n1\t\"Hi\" she said\tLyon\n",
        )
        .unwrap();
        assert!(!h.quoting);
        let line = b"2\t\"open\tParis";
        assert_eq!(h.column_at(line, 11), Some("city"));
        assert!(h.multiline_records(b"1\t\"a\n\"\tb\n").is_empty());
        assert_eq!(h.cut(b"1\t\"a\n\"\tb\n", 0, 5, true), Cut::Clean);
    }

    /// A first row with a person's first name and surname is a record, whatever the file is
    /// called; header rows with words that are also names (`Min`, `Max`, `Lat`, `Mark`) stay
    /// headers.
    #[test]
    fn a_row_naming_a_person_is_no_header() {
        for row in [
            "John,Smith,Lyon,gold\n",
            "id,Agnes,Kowalski,gold\n",
            "Mary Jones,Paris,gold\n",
        ] {
            for name in ["x.csv", "x.txt"] {
                assert!(sniff(Path::new(name), row.as_bytes()).is_none(), "{row}");
            }
        }
        for row in [
            "first_name,last_name,email\n",
            "Id,Name,Email,City,State,Country,Price,Page,Status\n",
            "Min,Max,Lon,Lat,Mark,Grade,First Name,Last Name\n",
        ] {
            assert!(sniff(Path::new("x.csv"), row.as_bytes()).is_some(), "{row}");
        }
    }

    /// Every column name of the fast many-offsets path equals the slow one-offset path, on
    /// every offset of lines with quotes, empty cells, CRLF and more cells than names.
    #[test]
    fn columns_at_agrees_with_column_at() {
        let h = sniff(Path::new("a.csv"), b"id,email,city\n").unwrap();
        let lines: &[&[u8]] = &[
            b"1,a@b.co,\"Lyon\"",
            b"1,a@b.co,\"Lyon\"\r\n",
            b",,",
            b"\"x, y\",\"q \"\"z\"\"\",Paris,extra,more",
            b"",
            b"\"unterminated, quote",
        ];
        for line in lines {
            let offsets: Vec<usize> = (0..line.len() + 2).collect();
            let want: Vec<Option<&str>> = offsets.iter().map(|&o| h.column_at(line, o)).collect();
            for order in [offsets.clone(), offsets.iter().rev().copied().collect()] {
                let mut got = vec![None; order.len()];
                h.columns_at(line, &order, |i, name| got[i] = Some(name));
                let want: Vec<Option<&str>> = order.iter().map(|&o| want[o]).collect();
                assert_eq!(got, want, "{:?}", String::from_utf8_lossy(line));
            }
        }
    }

    /// A finding in each of 200,000 cells: each cell is split once, not once per finding.
    #[test]
    fn columns_at_splits_a_line_once() {
        let h = sniff(Path::new("a.csv"), b"id,email,city\n").unwrap();
        let n = 200_000;
        let line = "ab,".repeat(n);
        let line = line.as_bytes();
        let offsets: Vec<usize> = (0..n).map(|i| 3 * i + 1).collect();
        let splits = std::cell::Cell::new(0usize);
        let mut named = Vec::new();
        h.columns_with(
            || cells(line, b',', true).inspect(|_| splits.set(splits.get() + 1)),
            &offsets,
            |i, name| named.push((i, name.to_string())),
        );
        assert!(
            splits.get() <= n + 1,
            "{} cells split for {n}",
            splits.get()
        );
        assert_eq!(
            named,
            [
                (0, "id".to_string()),
                (1, "email".into()),
                (2, "city".into())
            ]
        );
        let mut answered = 0;
        h.columns_at(line, &offsets, |_, _| answered += 1);
        assert_eq!(answered, 3);
    }

    /// Records that span lines are those with a line end inside a quoted cell; a quote that
    /// does not start a cell, or never closes, spans nothing.
    #[test]
    fn multiline_records() {
        let h = sniff(Path::new("a.csv"), b"id,note,email\n").unwrap();
        fn spans<'a>(h: &Header, body: &'a str) -> Vec<&'a str> {
            let records = h.multiline_records(body.as_bytes());
            records.into_iter().map(|r| &body[r]).collect()
        }
        let spans = |body| spans(&h, body);
        let none: &[&str] = &[];
        assert_eq!(spans("1,plain,a@b.co\n2,\"x, y\",c@d.co\n"), none);
        assert_eq!(
            spans("1,\"one\ntwo\",a@b.co\n2,x,c@d.co\n"),
            ["1,\"one\ntwo\",a@b.co"]
        );
        // Doubled quotes are content; two quoted cells with line ends in one record.
        assert_eq!(
            spans("0,a,b\r\n1,\"say \"\"hi\n\"\"\",\"x\ny\"\r\n2,z,c@d.co"),
            ["1,\"say \"\"hi\n\"\"\",\"x\ny\"\r"]
        );
        // A quote inside a cell is text: it opens nothing.
        assert_eq!(spans("1,5\" screen,a@b.co\n2,\"x\",c@d.co\n"), none);
        // A quoted cell that never closes: its lines are read one by one.
        assert_eq!(spans("1,\"open\n2,x,c@d.co\n"), none);
        // A record cut by the end of the chunk ends there.
        assert_eq!(spans("1,x,y\n2,\"one\ntwo\""), ["2,\"one\ntwo\""]);
        let far = format!("1,\"{}\n\",a@b.co\n", "x".repeat(Header::MAX_QUOTED));
        assert_eq!(spans(&far), none);
    }

    proptest::proptest! {
        /// A chunk may end at a line end exactly when no record that spans lines holds it, as
        /// `multiline_records` reads the whole text, also when walked on from where a quoted
        /// cell closes.
        #[test]
        fn cuts_agree_with_records(text in "[a,\"\n]{0,60}") {
            let h = sniff(Path::new("a.csv"), b"a,b,c\n").unwrap();
            let bytes = text.as_bytes();
            let records = h.multiline_records(bytes);
            for end in memchr::memchr_iter(b'\n', bytes).map(|n| n + 1) {
                let held = records.iter().find(|r| r.start < end - 1 && end - 1 < r.end);
                let mut from = 0;
                let cut = loop {
                    match h.cut(bytes, from, end, true) {
                        Cut::After(close) if close + 1 < end => from = close + 1,
                        cut => break cut,
                    }
                };
                match (cut, held) {
                    (Cut::Clean, None) => {}
                    (Cut::After(close), Some(record)) => {
                        proptest::prop_assert!(end <= close && close < record.end);
                    }
                    other => proptest::prop_assert!(false, "{end}: {other:?}"),
                }
                // Cut there, the text leaves open every cell that closes past the cut.
                let open = h.cut(&bytes[..end], 0, end, false);
                proptest::prop_assert!(held.is_none() || matches!(open, Cut::Unknown(_)));
            }
        }
    }

    /// After a quoted cell with line ends, the cells of the same record keep their columns.
    #[test]
    fn hints_of_records_that_span_lines() {
        let h = sniff(Path::new("a.csv"), b"id,note,email,city\n").unwrap();
        let body = b"1,\"first line\nsecond line\",a@b.co,Lyon\n2,x,c@d.co,Paris\n";
        let records = h.multiline_records(body);
        let mut out = Vec::new();
        h.find_hints(body, false, &records, &mut out);
        let got: Vec<&[u8]> = out.iter().map(|v| &body[v.start..v.end]).collect();
        assert_eq!(got, [&b"a@b.co"[..], b"Lyon", b"c@d.co", b"Paris"]);
    }

    #[test]
    fn hinted_cells_and_columns() {
        let h = sniff(Path::new("a.csv"), b"id,email,city\r\n").unwrap();
        let body = b"id,email,city\r\n1,a@b.co,\"Lyon\"\r\n2,,Paris\n";
        let mut out = Vec::new();
        h.find_hints(body, true, &[], &mut out);
        let got: Vec<&[u8]> = out.iter().map(|v| &body[v.start..v.end]).collect();
        assert_eq!(got, [&b"a@b.co"[..], b"Lyon", b"Paris"]);
        let line = b"1,a@b.co,\"Lyon\"";
        assert_eq!(h.column_at(line, 3), Some("email"));
        assert_eq!(h.column_at(line, 10), Some("city"));
        assert_eq!(h.column_at(line, 0), Some("id"));
    }
}
