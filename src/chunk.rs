//! Newline-aligned chunks: the unit of parallel work.
//!
//! A chunk is a run of whole lines of about the target size, so detectors never see half a
//! line and no match (which never spans a newline) can be cut by a boundary: each is found in
//! exactly one chunk, whatever the chunk size. A line longer than the target makes a chunk of
//! its own. Large chunks (MiBs) keep per-chunk overhead negligible; the engine runs many in
//! parallel and reorders their findings.

use std::io::{self, Read};
use std::ops::Range;

/// The default target size of a chunk.
pub const DEFAULT_CHUNK_SIZE: usize = 4 << 20;

/// Splits `bytes` into newline-aligned ranges of at least `target` bytes (but the last).
pub fn split(bytes: &[u8], target: usize) -> impl Iterator<Item = Range<usize>> + '_ {
    let target = target.max(1);
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        let min_end = start.saturating_add(target).min(bytes.len());
        let end = match memchr::memchr(b'\n', &bytes[min_end - 1..]) {
            Some(i) => min_end + i,
            None => bytes.len(),
        };
        let range = start..end;
        start = end;
        Some(range)
    })
}

/// Cuts a stream into newline-aligned owned chunks, for inputs that cannot be mapped (pipes,
/// stdin, decompressed streams).
pub struct StreamChunker<R> {
    reader: R,
    target: usize,
    /// Bytes read past the last newline of the previous chunk.
    carry: Vec<u8>,
    /// A read error held back while the whole lines read before it are scanned.
    pending: Option<io::Error>,
    done: bool,
}

impl<R: Read> StreamChunker<R> {
    pub fn new(reader: R, target: usize) -> StreamChunker<R> {
        StreamChunker {
            reader,
            target: target.max(1),
            carry: Vec::new(),
            pending: None,
            done: false,
        }
    }

    /// The next chunk, or `None` at the end of the stream. On a read error (a truncated
    /// archive, a failing disk) the whole lines read before it come first as a last chunk,
    /// then the error; the incomplete line at the point of failure is dropped, so that a cut
    /// value is never reported as a finding.
    pub fn next_chunk(&mut self) -> io::Result<Option<Vec<u8>>> {
        if let Some(e) = self.pending.take() {
            return Err(e);
        }
        if self.done {
            return Ok(None);
        }
        let mut buf = std::mem::take(&mut self.carry);
        let mut searched = 0;
        loop {
            if buf.len() >= self.target {
                if let Some(i) = memchr::memrchr(b'\n', &buf[searched..]) {
                    let cut = searched + i + 1;
                    self.carry = buf.split_off(cut);
                    return Ok(Some(buf));
                }
                searched = buf.len();
            }
            let want = self.target.max(64 << 10);
            let old = buf.len();
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
                                buf.truncate(i + 1);
                                self.pending = Some(e);
                                return Ok(Some(buf));
                            }
                            None => return Err(e),
                        }
                    }
                }
            };
            buf.truncate(old + n);
            if n == 0 {
                self.done = true;
                return Ok(if buf.is_empty() { None } else { Some(buf) });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Yields `data`, then fails.
    struct Failing<'a>(&'a [u8]);

    impl Read for Failing<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::Error::other("disk on fire"));
            }
            let n = buf.len().min(self.0.len()).min(3);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn whole_lines_before_an_error_come_first() {
        let mut chunker = StreamChunker::new(Failing(b"ab\ncd\nef"), 1 << 20);
        assert_eq!(chunker.next_chunk().unwrap(), Some(b"ab\ncd\n".to_vec()));
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
                assert!(c.ends_with(b"\n") || got.concat().len() + c.len() == text.len());
                got.push(c);
            }
            assert_eq!(got.concat(), text, "target {target}");
        }
    }
}
