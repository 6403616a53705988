//! JSON documents written over many lines (`json.dump(records, f, indent=2)`, `jq .`, an
//! array of objects one a line): one value whose records span lines, so that no line says
//! under which key its value sits, nor which values belong together.
//!
//! The document is read in order on the reading thread by one [`json::Nesting`] (it jumps
//! through strings, so it costs a fraction of a scan), which does two things while the chunks
//! are scanned in parallel as usual:
//!
//! * It cuts the chunks where records end ([`json::Nesting::at_record_end`]: at a line end
//!   with no object open inside the innermost array), at least the target size apart, so that
//!   a record's values are scanned together, as a line of NDJSON holds its record's (a
//!   latitude needs its longitude). A document with no such place (one object of millions of
//!   keys) is cut at line ends past [`MAX_UNIT`], so memory stays bounded.
//! * It gives each chunk the prefix that stands for the document before it (`[{"user":{`),
//!   behind which the chunk walks like the document itself, so that its findings get key
//!   paths ([`super::build`]).
//!
//! A line too long to hold is cut into pieces as in any file ([`super::long_line`]); in a
//! document the same nesting gives each piece its prefix.

use std::ops::Range;

use super::Resume;
use crate::chunk::{self, LongLine};
use crate::structure::json;

/// The longest a chunk of a document grows while it waits for a record to end, before it is
/// cut at a line end anyway.
pub(super) const MAX_UNIT: usize = chunk::MAX_LINE;

/// A unit of a document to scan: bytes of the input, whether it is a piece of a cut line, and
/// where its key paths pick up (none once the document stopped looking like JSON).
#[derive(Debug)]
pub(super) struct DocUnit {
    pub(super) range: Range<u64>,
    pub(super) long_line: Option<LongLine>,
    pub(super) resume: Option<Resume>,
}

/// Follows a document through its whole lines and cut pieces, in order, and cuts it into
/// units.
pub(super) struct Document {
    nesting: json::Nesting,
    target: u64,
    /// Where the unit being gathered starts, and where its key paths pick up.
    start: u64,
    resume: Option<Resume>,
    /// Where the document stopped looking like JSON, if it did.
    lost_at: Option<u64>,
}

impl Document {
    pub(super) fn new(target: usize) -> Document {
        Document {
            nesting: json::Nesting::default(),
            target: target.max(1) as u64,
            start: 0,
            resume: Some(Resume {
                at: 0,
                prefix: Vec::new(),
            }),
            lost_at: None,
        }
    }

    /// Reads whole lines `bytes`, at `base` in the input right after what was read, and
    /// pushes the units that end in them.
    pub(super) fn lines(&mut self, base: u64, bytes: &[u8], out: &mut Vec<DocUnit>) {
        let mut at = 0;
        loop {
            let earliest = (self.start + self.target).saturating_sub(base + at as u64);
            let rest = &bytes[at..];
            match self.nesting.read_to_record_end(rest, earliest as usize) {
                Some(cut) => {
                    at += cut;
                    self.cut(base + at as u64, out);
                }
                None => break,
            }
        }
        let end = base + bytes.len() as u64;
        self.note_lost(end);
        if end - self.start >= MAX_UNIT as u64 {
            self.cut(end, out);
        }
    }

    /// Reads a piece of a line cut for length (at `base`; see [`LongLine`]) and pushes the
    /// unit gathered before it, then the piece as a unit of its own. The piece picks up its
    /// key paths at its first place outside a string: a piece that starts inside a string
    /// (a long text value) gets them where that string ends.
    pub(super) fn piece(
        &mut self,
        base: u64,
        bytes: &[u8],
        long_line: LongLine,
        out: &mut Vec<DocUnit>,
    ) {
        if self.start < base {
            self.cut(base, out);
        }
        // A piece after it starts this far before its end: the nesting reads up to there.
        let last = long_line.owned.end == bytes.len();
        let stop = if last {
            bytes.len()
        } else {
            bytes.len() - chunk::OVERLAP
        };
        let mut found = self.nesting.feed(&bytes[..stop], 0);
        if found.is_none() && !last {
            // A string that ends in the overlap: the piece after reads it again.
            let mut ahead = self.nesting.clone();
            found = ahead
                .feed(&bytes[stop..], 0)
                .map(|(i, prefix)| (stop + i, prefix));
        }
        let resume = found.map(|(at, prefix)| Resume { at, prefix });
        let end = base + stop as u64;
        self.note_lost(end);
        out.push(DocUnit {
            range: base..base + bytes.len() as u64,
            long_line: Some(long_line),
            resume,
        });
        self.start = end;
        self.resume = self.here();
    }

    /// Pushes the unit gathered last, at the end of the input (`end`), and says whether the
    /// document was whole: every container it opened closed, and nothing went astray.
    pub(super) fn finish(&mut self, end: u64, out: &mut Vec<DocUnit>) -> Ending {
        if self.start < end {
            self.cut(end, out);
        }
        match self.lost_at {
            Some(at) => Ending::Lost(at),
            None if self.nesting.closed() => Ending::Whole,
            None => Ending::Open,
        }
    }

    /// Ends the unit being gathered at `end`, where the nesting has read to.
    fn cut(&mut self, end: u64, out: &mut Vec<DocUnit>) {
        out.push(DocUnit {
            range: self.start..end,
            long_line: None,
            resume: self.resume.take(),
        });
        self.start = end;
        self.resume = self.here();
    }

    /// Where a unit that starts where the nesting has read to picks up its key paths.
    fn here(&self) -> Option<Resume> {
        let prefix = self.nesting.prefix_here()?;
        Some(Resume { at: 0, prefix })
    }

    fn note_lost(&mut self, read_to: u64) {
        if self.nesting.lost() && self.lost_at.is_none() {
            self.lost_at = Some(read_to);
        }
    }
}

/// The whole lines of a streamed document not yet in a unit: a unit ends where a record
/// does, which may be in the middle of a chunk read.
#[derive(Default)]
pub(super) struct Pending {
    /// The offset in the input of `bytes[0]`.
    base: u64,
    bytes: Vec<u8>,
}

impl Pending {
    /// Adds the whole lines at `base`, right after the pending ones.
    pub(super) fn push(&mut self, base: u64, bytes: Vec<u8>) {
        if self.bytes.is_empty() {
            self.base = base;
            self.bytes = bytes;
        } else {
            self.bytes.extend_from_slice(&bytes);
        }
    }

    /// Takes the pending bytes up to offset `end` of the input.
    pub(super) fn take(&mut self, end: u64) -> Vec<u8> {
        let n = usize::try_from(end.saturating_sub(self.base))
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        let rest = self.bytes.split_off(n);
        self.base += n as u64;
        std::mem::replace(&mut self.bytes, rest)
    }

    /// Where the next bytes start when none are pending (after a piece of a cut line).
    pub(super) fn skip_to(&mut self, end: u64) {
        if self.bytes.is_empty() {
            self.base = end;
        }
    }

    /// The offset in the input past the pending bytes.
    pub(super) fn end(&self) -> u64 {
        self.base + self.bytes.len() as u64
    }
}

/// How a document ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ending {
    Whole,
    /// Containers left open: a cut or truncated export. Its key paths were all followed.
    Open,
    /// It stopped looking like JSON in the bytes before this offset: the chunks after it
    /// walk behind the last prefix known, and their key paths may be wrong.
    Lost(u64),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Units of a document cut by `target`, as (text, prefix).
    fn units(text: &str, target: usize) -> Vec<(String, String)> {
        let mut doc = Document::new(target);
        let mut out = Vec::new();
        // Whole lines handed over a few at a time, as a stream's chunks are.
        let mut base = 0;
        for part in text.split_inclusive('\n').collect::<Vec<_>>().chunks(2) {
            let part = part.concat();
            doc.lines(base, part.as_bytes(), &mut out);
            base += part.len() as u64;
        }
        assert_eq!(doc.finish(base, &mut out), Ending::Whole);
        out.iter()
            .map(|u| {
                let range = u.range.start as usize..u.range.end as usize;
                let prefix = u.resume.as_ref().unwrap().prefix.clone();
                (text[range].to_string(), String::from_utf8(prefix).unwrap())
            })
            .collect()
    }

    const DOC: &str = "[\n  {\n    \"lat\": 45.76,\n    \"lon\": 4.83,\n    \"tags\": [\n      \"a\"\n    ]\n  },\n  {\n    \"email\": \"a@b.co\"\n  }\n]\n";

    /// Chunks end between records, never inside an object, and carry the prefix that stands
    /// for what came before; together they are the document.
    #[test]
    fn a_document_is_cut_between_records() {
        let got = units(DOC, 1);
        let texts: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(texts.concat(), DOC);
        assert_eq!(
            got,
            [
                ("[\n".to_string(), String::new()),
                (
                    "  {\n    \"lat\": 45.76,\n    \"lon\": 4.83,\n    \"tags\": [\n".into(),
                    "[".into()
                ),
                ("      \"a\"\n".into(), r#"[{"tags":["#.into()),
                ("    ]\n  },\n".into(), r#"[{"tags":["#.into()),
                ("  {\n    \"email\": \"a@b.co\"\n  }\n".into(), "[".into()),
                ("]\n".into(), "[".into()),
            ]
        );
        // A larger target gathers records, still cut where one ends.
        let got = units(DOC, 60);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].0.ends_with("\"a\"\n"), "{got:?}");
        assert_eq!(got[1].1, r#"[{"tags":["#);
    }

    /// A document with no place between records is cut at line ends past the cap.
    #[test]
    fn an_object_without_arrays_is_cut_at_the_cap() {
        let line = format!("  \"k\": \"{}\",\n", "x".repeat(1000));
        let n = 3 * MAX_UNIT / line.len();
        let text = format!("{{\n{}  \"z\": 1\n}}\n", line.repeat(n));
        let mut doc = Document::new(1);
        let mut out = Vec::new();
        // In segments of whole lines, as the driver hands them over.
        let segment = 64 * line.len();
        let mut base = 0;
        for part in text.split_inclusive('\n').collect::<Vec<_>>().chunks(64) {
            let part = part.concat();
            doc.lines(base, part.as_bytes(), &mut out);
            base += part.len() as u64;
        }
        assert_eq!(doc.finish(base, &mut out), Ending::Whole);
        assert!((3..=4).contains(&out.len()), "{} units", out.len());
        for (i, unit) in out.iter().enumerate() {
            let len = (unit.range.end - unit.range.start) as usize;
            assert!(len <= MAX_UNIT + segment, "{len}");
            let prefix = &unit.resume.as_ref().unwrap().prefix;
            assert_eq!(prefix, if i == 0 { &b""[..] } else { b"{" });
        }
    }

    #[test]
    fn endings() {
        for (text, want) in [
            ("[\n{\"a\":1}\n]\n", Ending::Whole),
            ("[\n{\"a\":1},\n{\"b\":", Ending::Open),
            ("[\n]]\n{\"a\":1}\n", Ending::Lost(5)),
        ] {
            let mut doc = Document::new(1);
            let mut out = Vec::new();
            let mut base = 0;
            for line in text.split_inclusive('\n') {
                doc.lines(base, line.as_bytes(), &mut out);
                base += line.len() as u64;
            }
            assert_eq!(doc.finish(base, &mut out), want, "{text:?}");
        }
    }
}
