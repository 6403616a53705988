//! What an input is, told from its first bytes: compressed (gzip, zstd), UTF-16 with a BOM,
//! binary. Extensions lie and streams have none, so content decides; decoders are stacked in
//! that order (UTF-16 is recognised after decompression, and the binary check comes last,
//! since UTF-16 text is full of NUL bytes and its UTF-8 is not).

use std::io::{self, Read};
use std::sync::Arc;

use super::archive::Budget;
use super::decompress::Compression;
use super::transcode::Utf16;

/// How far into an input a NUL byte marks it as binary.
pub const BINARY_PROBE: usize = 64 << 10;

/// True when content starting with `head` looks binary: a NUL byte in its first
/// [`BINARY_PROBE`] bytes, as ripgrep decides.
pub fn looks_binary(head: &[u8]) -> bool {
    memchr::memchr(0, &head[..head.len().min(BINARY_PROBE)]).is_some()
}

/// A stream with its decoders in place: its first (decoded) bytes, and the rest.
pub struct Decoded<'a> {
    /// Up to [`BINARY_PROBE`] decoded bytes.
    pub head: Vec<u8>,
    pub rest: Box<dyn Read + Send + 'a>,
    pub compression: Option<Compression>,
    pub encoding: Option<Utf16>,
}

impl<'a> Decoded<'a> {
    /// The whole decoded stream, its head first.
    pub fn into_reader(self) -> impl Read + Send + 'a {
        io::Cursor::new(self.head).chain(self.rest)
    }

    /// The same stream, each decoded byte (the head's at once) taken from `budget`: a member
    /// of an archive.
    pub fn metered(self, budget: &Arc<Budget>) -> io::Result<Decoded<'a>> {
        budget.charge(self.head.len() as u64)?;
        Ok(Decoded {
            rest: Box::new(budget.meter(self.rest)),
            ..self
        })
    }
}

/// Puts a decompressor (when the stream starts with a compression format's magic bytes) and
/// a UTF-16 decoder (when the text starts with a UTF-16 BOM) in front of `reader`.
/// Decompression stops with an error past `max_ratio` decompressed bytes per compressed byte.
pub fn decode<'a>(reader: Box<dyn Read + Send + 'a>, max_ratio: u64) -> io::Result<Decoded<'a>> {
    let (raw_head, rest) = read_head(reader)?;
    let compression = Compression::sniff(&raw_head);
    let raw = io::Cursor::new(raw_head).chain(rest);
    let reader: Box<dyn Read + Send + 'a> = match compression {
        None => Box::new(raw),
        Some(format) => format.decoder(raw, max_ratio)?,
    };
    let (mut head, mut rest) = read_head(reader)?;
    let encoding = Utf16::sniff(&head);
    if let Some(utf16) = encoding {
        let decoder = utf16.decoder(io::Cursor::new(head).chain(rest));
        (head, rest) = read_head(decoder)?;
    }
    Ok(Decoded {
        head,
        rest,
        compression,
        encoding,
    })
}

/// Reads up to [`BINARY_PROBE`] bytes, retrying short reads, and hands back the rest.
fn read_head<'a, R: Read + Send + 'a>(
    mut reader: R,
) -> io::Result<(Vec<u8>, Box<dyn Read + Send + 'a>)> {
    let mut head = Vec::with_capacity(BINARY_PROBE);
    match (&mut reader)
        .take(BINARY_PROBE as u64)
        .read_to_end(&mut head)
    {
        Ok(_) => Ok((head, Box::new(reader))),
        // What was read is still scanned; the error comes after it.
        Err(e) if !head.is_empty() => Ok((head, Box::new(Deferred(Some(e))))),
        Err(e) => Err(e),
    }
}

/// A reader that fails once with a held-back error, then ends.
struct Deferred(Option<io::Error>);

impl Read for Deferred {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        self.0.take().map_or(Ok(0), Err)
    }
}
