//! Newline-aligned chunks: the unit of parallel work.
//!
//! A chunk is a run of whole lines of about the target size, so detectors never see half a
//! line and no match (which never spans a newline) can be cut by a boundary: each is found in
//! exactly one chunk, whatever the chunk size. Where a record can hold line ends (a CSV quoted
//! cell), chunks end where records end ([`join_records`], [`RecordChunker`]). A line longer
//! than the target makes a chunk of its own. Chunks of hundreds of KiB keep per-chunk overhead
//! negligible; the engine runs many in parallel and reorders their findings.
//!
//! One exception bounds memory and keeps both cores busy: a line longer than [`MAX_LINE`] (a
//! JSON array exported on one line, a pipe with no newline) is not scanned whole but cut into
//! pieces that overlap by [`OVERLAP`] bytes, and each piece reports only the matches that
//! start in its own part of the overlap ([`LongLine`]), so that a value across a cut is still
//! found whole and once. A stream's line is cut as it is read ([`StreamChunker`]), a mapped
//! file's by [`split_lines`]: scanned whole, one 200 MB line took one thread and some 950 MiB
//! of candidate lists and findings.

use std::io::{self, Read};
use std::ops::Range;

/// The default target size of a chunk. Small enough that a chunk stays in a core's L2 cache
/// (2 MiB here) between the prefilter pass and the detectors' visits to its candidates: on
/// the 1 GiB export, 512 KiB chunks scanned 4–10% faster than 4 MiB ones, and streams hold
/// less.
pub const DEFAULT_CHUNK_SIZE: usize = 512 << 10;

/// Splits `bytes` into newline-aligned ranges of at least `target` bytes (but the last),
/// never cutting a line.
pub fn split(bytes: &[u8], target: usize) -> impl Iterator<Item = Range<usize>> + '_ {
    split_lines(bytes, target, usize::MAX).map(|(range, _)| range)
}

/// Splits `bytes` like [`split`], but cuts a line longer than `max_line` (at least
/// `2 * OVERLAP + 1`) into overlapping pieces of at most `max_line` bytes, as
/// [`StreamChunker`] cuts a stream's: the ranges of whole lines come with no [`LongLine`],
/// the pieces of a cut line with theirs.
pub fn split_lines(
    bytes: &[u8],
    target: usize,
    max_line: usize,
) -> impl Iterator<Item = (Range<usize>, Option<LongLine>)> + '_ {
    let target = target.max(1);
    let max_line = max_line.max(2 * OVERLAP + 1);
    let mut pos = 0;
    // The line being cut: its start and its end (past its newline).
    let mut cutting: Option<(usize, usize)> = None;
    std::iter::from_fn(move || {
        if pos >= bytes.len() {
            return None;
        }
        if cutting.is_none() {
            let min_end = pos.saturating_add(target).min(bytes.len());
            // The line that holds the last byte of the target size.
            let line_start =
                memchr::memrchr(b'\n', &bytes[pos..min_end - 1]).map_or(pos, |i| pos + i + 1);
            let line_end =
                memchr::memchr(b'\n', &bytes[min_end - 1..]).map_or(bytes.len(), |i| min_end + i);
            if line_end - line_start <= max_line {
                let range = pos..line_end;
                pos = line_end;
                return Some((range, None));
            }
            cutting = Some((line_start, line_end));
            if line_start > pos {
                let range = pos..line_start;
                pos = line_start;
                return Some((range, None));
            }
        }
        let (line_start, line_end) = cutting?;
        let continues = pos > line_start;
        let owned_from = if continues { OVERLAP / 2 } else { 0 };
        let line_offset = (pos - line_start) as u64;
        let start = pos;
        if line_end - pos <= max_line {
            cutting = None;
            pos = line_end;
            let owned = owned_from..line_end - start;
            return Some((start..line_end, Some(LongLine { owned, line_offset })));
        }
        pos += max_line - OVERLAP;
        let owned = owned_from..max_line - OVERLAP / 2;
        Some((
            start..start + max_line,
            Some(LongLine { owned, line_offset }),
        ))
    })
}

/// Joins consecutive ranges of whole lines from [`split_lines`] where a record goes on past a
/// range's end: a CSV record whose quoted cell holds line ends. `continues(from, end)` walks a
/// range from `from` (outside any record's quoted cell) and answers the offset the record that
/// holds the line end at `end` reaches, or `None` when a record ends there. A range then takes
/// in the ranges after it up to that record's end. Pieces of cut lines are left as they are.
pub fn join_records(
    ranges: Vec<(Range<usize>, Option<LongLine>)>,
    mut continues: impl FnMut(usize, usize) -> Option<usize>,
) -> Vec<(Range<usize>, Option<LongLine>)> {
    let mut out = Vec::with_capacity(ranges.len());
    let mut ranges = ranges.into_iter().peekable();
    while let Some((mut range, long_line)) = ranges.next() {
        let mut from = range.start;
        while long_line.is_none() {
            let Some(reach) = continues(from, range.end) else {
                break;
            };
            while range.end <= reach {
                match ranges.next_if(|(_, long_line)| long_line.is_none()) {
                    Some((next, _)) => range.end = next.end,
                    None => break,
                }
            }
            if range.end <= reach {
                break;
            }
            from = reach + 1;
        }
        out.push((range, long_line));
    }
    out
}

/// A [`StreamChunker`] whose chunks end where records end, for records that can hold line
/// ends (CSV). `pending(bytes, from)` walks a chunk from `from` (outside any record's quoted
/// cell) and answers where a record that the chunk's end leaves open starts its open part
/// (the quote of the cell), or `None` when the chunk ends a record; an open chunk is held and
/// the next one added to it, until a record ends with it or the stream does. Pieces of cut
/// lines pass as they are.
pub struct RecordChunker<R, F> {
    chunker: StreamChunker<R>,
    pending: F,
    /// A chunk that ended inside a record, and where the walk over it goes on.
    held: Option<(StreamChunk, usize)>,
    /// What the chunker gave after a held chunk that could not be added to it.
    next: Option<io::Result<Option<StreamChunk>>>,
}

impl<R: Read, F: FnMut(&[u8], usize) -> Option<usize>> RecordChunker<R, F> {
    pub fn new(chunker: StreamChunker<R>, pending: F) -> Self {
        RecordChunker {
            chunker,
            pending,
            held: None,
            next: None,
        }
    }

    /// The next chunk, as [`StreamChunker::next_chunk`]; a held chunk comes before a read
    /// error.
    pub fn next_chunk(&mut self) -> io::Result<Option<StreamChunk>> {
        loop {
            let next = match self.next.take() {
                Some(next) => next,
                None => self.chunker.next_chunk(),
            };
            let (chunk, from) = match (self.held.take(), next) {
                (None, Ok(Some(chunk))) if chunk.long_line.is_none() => (chunk, 0),
                (None, next) => return next,
                (Some((mut held, from)), Ok(Some(chunk))) if chunk.long_line.is_none() => {
                    held.bytes.extend_from_slice(&chunk.bytes);
                    (held, from)
                }
                (Some((held, _)), next) => {
                    self.next = Some(next);
                    return Ok(Some(held));
                }
            };
            match (self.pending)(&chunk.bytes, from) {
                None => return Ok(Some(chunk)),
                Some(open) => {
                    self.held = Some((chunk, open));
                }
            }
        }
    }
}

/// The longest piece of one line a chunk holds. A longer line (a JSON array exported on one
/// line, a stream with no newline such as `/dev/zero`) is cut into pieces of this size instead
/// of being scanned whole, so that memory stays bounded whatever the input, and its pieces
/// are scanned in parallel. A line this long is no record of an event log, and its candidate
/// lists take a few times its size.
pub const MAX_LINE: usize = 8 << 20;

/// How many bytes the pieces of a cut line share. A cut can fall inside a value, so each
/// piece repeats the last `OVERLAP` bytes of the one before; matches are attributed to one
/// piece by where they start (see [`LongLine`]), which finds every match shorter than
/// `OVERLAP / 2` (4 KiB: an e-mail address is at most 320 bytes, names and places are short)
/// whole and exactly once.
pub const OVERLAP: usize = 8 << 10;

/// A chunk of a stream.
#[derive(Debug, PartialEq, Eq)]
pub struct StreamChunk {
    pub bytes: Vec<u8>,
    /// The offset of `bytes[0]` in the stream.
    pub base: u64,
    /// Set when the chunk is a piece of a line longer than [`MAX_LINE`].
    pub long_line: Option<LongLine>,
}

/// Where a piece of a cut line sits in its line, and which of its matches are its own.
///
/// Consecutive pieces overlap by [`OVERLAP`] bytes and the boundary between them is the
/// middle of the overlap: a piece owns the matches that start in `owned`, its neighbours own
/// the others. A match that starts in the first half of the overlap is seen whole by the piece
/// before (with 4 KiB of what follows it); one that starts in the second half is seen whole by
/// the piece after (with 4 KiB of what precedes it). Each start offset has exactly one owner,
/// so nothing is reported twice, and a value cut by one piece's end is found in the next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LongLine {
    /// The offsets in the chunk where its own matches start.
    pub owned: std::ops::Range<usize>,
    /// The bytes of the chunk's first line that came before the chunk, to add to the columns
    /// of matches on that line.
    pub line_offset: u64,
}

impl LongLine {
    /// True when a match that starts at `offset` in the chunk belongs to this chunk.
    pub fn owns(&self, offset: usize) -> bool {
        self.owned.contains(&offset)
    }
}

/// Cuts a stream into newline-aligned owned chunks, for inputs that cannot be mapped (pipes,
/// stdin, decompressed streams). A line longer than [`MAX_LINE`] is cut into overlapping
/// pieces (see [`LongLine`]); the piece that ends such a line ends at its newline, so that the
/// chunks after it start on whole lines again.
pub struct StreamChunker<R> {
    reader: R,
    target: usize,
    max_line: usize,
    /// Bytes read past the end of the previous chunk (past its last newline, or the overlap
    /// of a cut line).
    carry: Vec<u8>,
    /// The stream offset of `carry[0]`.
    position: u64,
    /// When `carry` starts inside a cut line: the bytes of that line before it.
    line_offset: u64,
    /// A read error held back while the whole lines read before it are scanned.
    pending: Option<io::Error>,
    done: bool,
}

impl<R: Read> StreamChunker<R> {
    pub fn new(reader: R, target: usize) -> StreamChunker<R> {
        StreamChunker::with_max_line(reader, target, MAX_LINE)
    }

    /// A chunker that cuts lines longer than `max_line` (at least `2 * OVERLAP + 1`), for
    /// tests that cut lines without reading [`MAX_LINE`] bytes.
    pub fn with_max_line(reader: R, target: usize, max_line: usize) -> StreamChunker<R> {
        StreamChunker {
            reader,
            target: target.max(1),
            max_line: max_line.max(2 * OVERLAP + 1),
            carry: Vec::new(),
            position: 0,
            line_offset: 0,
            pending: None,
            done: false,
        }
    }

    /// The next chunk, or `None` at the end of the stream. On a read error (a truncated
    /// archive, a failing disk) the whole lines read before it come first as a last chunk,
    /// then the error; the incomplete line at the point of failure is dropped, so that a cut
    /// value is never reported as a finding.
    pub fn next_chunk(&mut self) -> io::Result<Option<StreamChunk>> {
        if let Some(e) = self.pending.take() {
            return Err(e);
        }
        if self.done {
            return Ok(None);
        }
        let mut buf = std::mem::take(&mut self.carry);
        // Inside a cut line, the chunk ends at the line's end, wherever that is.
        let in_long_line = self.line_offset > 0;
        let mut searched = 0;
        loop {
            if in_long_line || buf.len() >= self.target {
                let newline = if in_long_line {
                    memchr::memchr(b'\n', &buf[searched..])
                } else {
                    memchr::memrchr(b'\n', &buf[searched..])
                };
                if let Some(i) = newline {
                    let cut = searched + i + 1;
                    return Ok(Some(self.emit(buf, cut, false)));
                }
                searched = buf.len();
                // No newline anywhere in `buf`: it is all one line.
                if buf.len() >= self.max_line {
                    return Ok(Some(self.emit(buf, self.max_line, true)));
                }
            }
            // Fill what is reserved before growing, and grow by a chunk at a time: a buffer
            // left to double would hold twice the chunk for every chunk in flight.
            let old = buf.len();
            let spare = buf.capacity() - old;
            let want = if spare >= 64 << 10 {
                spare
            } else {
                self.target.max(64 << 10)
            };
            buf.reserve_exact(want);
            buf.resize(old + want, 0);
            let n = loop {
                match self.reader.read(&mut buf[old..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        self.done = true;
                        buf.truncate(old);
                        match memchr::memrchr(b'\n', &buf) {
                            Some(i) => {
                                self.pending = Some(e);
                                return Ok(Some(self.emit(buf, i + 1, false)));
                            }
                            None => return Err(e),
                        }
                    }
                }
            };
            buf.truncate(old + n);
            if n == 0 {
                self.done = true;
                let len = buf.len();
                return Ok((len > 0).then(|| self.emit(buf, len, false)));
            }
        }
    }

    /// Makes a chunk of `buf[..cut]` and carries the rest over: from `cut`, or when the line
    /// is cut mid-way, from `cut - OVERLAP`.
    fn emit(&mut self, mut buf: Vec<u8>, cut: usize, mid_line: bool) -> StreamChunk {
        let base = self.position;
        let continues = self.line_offset > 0;
        let line_offset = self.line_offset;
        let next = if mid_line { cut - OVERLAP } else { cut };
        self.carry = buf[next..].to_vec();
        buf.truncate(cut);
        self.position = base + next as u64;
        self.line_offset = if mid_line {
            line_offset + next as u64
        } else {
            0
        };
        let long_line = (continues || mid_line).then(|| LongLine {
            owned: if continues { OVERLAP / 2 } else { 0 }..if mid_line {
                cut - OVERLAP / 2
            } else {
                cut
            },
            line_offset,
        });
        StreamChunk {
            bytes: buf,
            base,
            long_line,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Yields at most three bytes a read, so that a stream's chunks are as small as asked.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.0.len()).min(3);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    /// Yields `data` as [`Trickle`] does, then fails.
    struct Failing<'a>(&'a [u8]);

    impl Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::Error::other("disk on fire"));
            }
            let mut rest = Trickle(self.0);
            let n = rest.read(buf)?;
            self.0 = rest.0;
            Ok(n)
        }
    }

    #[test]
    fn whole_lines_before_an_error_come_first() {
        let mut chunker = StreamChunker::new(Failing(b"ab\ncd\nef"), 1 << 20);
        let chunk = chunker.next_chunk().unwrap().unwrap();
        assert_eq!(chunk.bytes, b"ab\ncd\n");
        assert_eq!((chunk.base, chunk.long_line), (0, None));
        assert!(chunker.next_chunk().is_err());
        assert_eq!(chunker.next_chunk().unwrap(), None);
        let mut chunker = StreamChunker::new(Failing(b"abc"), 1 << 20);
        assert!(chunker.next_chunk().is_err());
        assert_eq!(chunker.next_chunk().unwrap(), None);
    }

    fn pieces(bytes: &[u8], target: usize) -> Vec<&[u8]> {
        split(bytes, target).map(|r| &bytes[r]).collect()
    }

    #[test]
    fn split_is_newline_aligned_and_complete() {
        let text = b"a\nbb\n\nccc\ndddd";
        for target in 1..20 {
            let got = pieces(text, target);
            assert_eq!(got.concat(), text, "target {target}");
            for piece in &got[..got.len() - 1] {
                assert_eq!(piece.last(), Some(&b'\n'), "target {target}");
            }
        }
        assert_eq!(
            pieces(text, 1),
            [&b"a\n"[..], b"bb\n", b"\n", b"ccc\n", b"dddd"]
        );
        assert!(pieces(b"", 4).is_empty());
    }

    #[test]
    fn stream_chunks_match_split() {
        let text: Vec<u8> = (0..500)
            .flat_map(|i| format!("line {i} {}\n", "x".repeat(i % 37)).into_bytes())
            .collect();
        for target in [1, 7, 100, 4096, 1 << 20] {
            let mut chunker = StreamChunker::new(&text[..], target);
            let mut got: Vec<Vec<u8>> = Vec::new();
            while let Some(c) = chunker.next_chunk().unwrap() {
                assert_eq!(c.base as usize, got.concat().len());
                assert_eq!(c.long_line, None);
                let c = c.bytes;
                assert!(c.ends_with(b"\n") || got.concat().len() + c.len() == text.len());
                got.push(c);
            }
            assert_eq!(got.concat(), text, "target {target}");
        }
    }

    /// Test records: a `"` opens a span that the next `"` closes, and the line ends inside a
    /// span end no record. The quote that leaves `bytes[from..end]` open, if one does.
    fn open_quote(bytes: &[u8], from: usize, end: usize) -> Option<usize> {
        let quotes = memchr::memchr_iter(b'"', &bytes[from..end]).map(|i| from + i);
        quotes.fold(None, |open, q| if open.is_some() { None } else { Some(q) })
    }

    /// Chunks joined or held where a record goes on end where records end, mapped or
    /// streamed, and still tile the input.
    #[test]
    fn chunks_end_where_records_end() {
        let text: Vec<u8> = (0..300)
            .flat_map(|i| format!("{i},\"{}end\",x\n", "line\n".repeat(i % 4)).into_bytes())
            .collect();
        let ends_records = |end: usize| open_quote(&text, 0, end).is_none();
        for target in [1, 7, 64, 1000, 1 << 20] {
            let ranges = split_lines(&text, target, usize::MAX).collect();
            let ranges = join_records(ranges, |from, end| {
                open_quote(&text, from, end)
                    .map(|_| end + memchr::memchr(b'"', &text[end..]).unwrap())
            });
            let mut at = 0;
            for (range, long_line) in ranges {
                assert_eq!((range.start, long_line), (at, None), "target {target}");
                assert!(ends_records(range.end), "target {target}: mapped {range:?}");
                at = range.end;
            }
            assert_eq!(at, text.len());

            let chunker = StreamChunker::new(Trickle(&text), target);
            let mut chunker = RecordChunker::new(chunker, |bytes: &[u8], from| {
                open_quote(bytes, from, bytes.len())
            });
            let mut got = Vec::new();
            let mut chunks = 0;
            while let Some(chunk) = chunker.next_chunk().unwrap() {
                assert_eq!(chunk.base as usize, got.len());
                got.extend_from_slice(&chunk.bytes);
                assert!(
                    ends_records(got.len()),
                    "target {target}: streamed to {}",
                    got.len()
                );
                chunks += 1;
            }
            assert_eq!(got, text, "target {target}");
            assert!(
                target > 64 || chunks > 40,
                "target {target}: {chunks} chunks"
            );
        }
    }

    /// A read error after a held chunk comes after the held chunk, and a chunk that never
    /// ends its record comes out at the end of the stream.
    #[test]
    fn held_chunks_come_before_errors_and_at_the_end() {
        let pending = |bytes: &[u8], from| open_quote(bytes, from, bytes.len());
        let chunker = StreamChunker::new(Failing(b"a\n\"b\nc\n"), 1);
        let mut chunker = RecordChunker::new(chunker, pending);
        assert_eq!(chunker.next_chunk().unwrap().unwrap().bytes, b"a\n");
        assert_eq!(chunker.next_chunk().unwrap().unwrap().bytes, b"\"b\nc\n");
        assert!(chunker.next_chunk().is_err());
        assert_eq!(chunker.next_chunk().unwrap(), None);
        let chunker = StreamChunker::new(Trickle(b"\"a\nb\nc"), 1);
        let mut chunker = RecordChunker::new(chunker, pending);
        assert_eq!(chunker.next_chunk().unwrap().unwrap().bytes, b"\"a\nb\nc");
        assert_eq!(chunker.next_chunk().unwrap(), None);
    }

    /// A stream with no newline is cut into pieces of at most `MAX_LINE` bytes whose owned
    /// ranges cover every byte exactly once: memory is bounded by the cap, not the line.
    #[test]
    fn a_100_mb_line_without_newline_is_cut_at_the_cap() {
        let len = (100 << 20) + 12_345;
        let mut chunker = StreamChunker::new(io::repeat(b'x').take(len as u64), DEFAULT_CHUNK_SIZE);
        let mut owned_to = 0u64;
        let mut pieces = 0;
        while let Some(c) = chunker.next_chunk().unwrap() {
            assert!(c.bytes.len() <= MAX_LINE, "{} bytes", c.bytes.len());
            let long = c.long_line.expect("every piece is part of the one line");
            assert_eq!(long.line_offset, c.base, "the line starts at byte 0");
            assert_eq!(
                c.base + long.owned.start as u64,
                owned_to,
                "owned ranges tile"
            );
            owned_to = c.base + long.owned.end as u64;
            assert_eq!(long.owned.end == c.bytes.len(), owned_to == len as u64);
            pieces += 1;
        }
        assert_eq!(owned_to, len as u64);
        assert_eq!(pieces, (len - OVERLAP).div_ceil(MAX_LINE - OVERLAP));
    }

    /// Lines of random words, some far longer than the cap, some words marked as matches:
    /// matching each chunk alone and keeping what it owns gives exactly the matches of the
    /// whole stream, at the same offsets and columns, whatever the chunk size, whether the
    /// text is streamed or mapped.
    #[test]
    fn cut_lines_lose_and_repeat_no_match() {
        // A match: a maximal run of non-blank bytes that holds an `@`.
        fn matches(bytes: &[u8]) -> Vec<(usize, usize)> {
            let mut out = Vec::new();
            let mut start = 0;
            for (i, &b) in bytes.iter().chain(b" ").enumerate() {
                if b == b' ' || b == b'\n' {
                    if bytes[start..i].contains(&b'@') {
                        out.push((start, i));
                    }
                    start = i + 1;
                }
            }
            out
        }
        // (offset, length, line, column) of each match.
        fn located(bytes: &[u8], base: u64) -> Vec<(u64, usize, u64, u64)> {
            matches(bytes)
                .into_iter()
                .map(|(s, e)| {
                    let line = memchr::memchr_iter(b'\n', &bytes[..s]).count() as u64;
                    let line_start = memchr::memrchr(b'\n', &bytes[..s]).map_or(0, |i| i + 1);
                    (base + s as u64, e - s, line, (s - line_start) as u64)
                })
                .collect()
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut random = move |n: u64| rng.gen_range(0..n);
        for round in 0..12 {
            let mut text = Vec::new();
            while text.len() < 150_000 {
                let line_len = [0, 10, 200, 20_000, 60_000][random(5) as usize];
                let end = text.len() + line_len;
                while text.len() < end {
                    let word = 1 + random(30) as usize;
                    let at = random(word as u64 + 20) as usize;
                    text.extend(
                        (0..word).map(|i| if i == at { b'@' } else { b'a' + (i % 26) as u8 }),
                    );
                    text.push(b' ');
                }
                text.push(b'\n');
            }
            let want = located(&text, 0);
            for target in [1, 1000, 40_000] {
                let max_line = 2 * OVERLAP + 1 + round * 1000;
                let mut chunker = StreamChunker::with_max_line(&text[..], target, max_line);
                let streamed = std::iter::from_fn(|| chunker.next_chunk().unwrap())
                    .map(|c| (c.base, c.bytes, c.long_line));
                let mapped = split_lines(&text, target, max_line)
                    .map(|(r, long_line)| (r.start as u64, text[r].to_vec(), long_line));
                for (how, chunks) in [
                    ("streamed", streamed.collect::<Vec<_>>()),
                    ("mapped", mapped.collect()),
                ] {
                    let mut got = Vec::new();
                    let mut lines_before = 0;
                    for (base, bytes, long_line) in chunks {
                        assert!(bytes.len() <= max_line.max(target) + (64 << 10));
                        if long_line.is_none() && how == "mapped" {
                            assert!(
                                bytes.ends_with(b"\n") || base as usize + bytes.len() == text.len()
                            );
                        }
                        for (offset, len, line, column) in located(&bytes, base) {
                            let (owned, shift) = match &long_line {
                                Some(l) => (l.owns((offset - base) as usize), l.line_offset),
                                None => (true, 0),
                            };
                            if owned {
                                let column = if line == 0 { column + shift } else { column };
                                got.push((offset, len, lines_before + line, column));
                            }
                        }
                        lines_before += memchr::memchr_iter(b'\n', &bytes).count() as u64;
                    }
                    assert_eq!(got, want, "{how}, round {round}, target {target}");
                }
            }
        }
    }
}
