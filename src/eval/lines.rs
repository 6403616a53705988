//! What each line of a labelled file is (JSON, CSV or text), read as the engine reads it.

use std::io::{self, BufRead, Read};
use std::path::Path;

use super::{Context, Span};
use crate::engine::FileContext;
use crate::source::decompress::Compression;
use crate::source::transcode::Utf16;
use crate::structure::json::looks_like_json;

/// Opens a file as the engine reads it: decompressed when its magic bytes say so, then
/// decoded to UTF-8 when it starts with a UTF-16 BOM.
pub(super) fn open_decompressed(path: &Path) -> io::Result<Box<dyn BufRead + Send>> {
    let mut file = io::BufReader::with_capacity(1 << 16, std::fs::File::open(path)?);
    let magic = file.fill_buf()?;
    let mut reader: Box<dyn BufRead + Send> = match Compression::sniff(magic) {
        Some(format) => Box::new(io::BufReader::with_capacity(
            1 << 16,
            format.decoder(file, u64::MAX)?,
        )),
        None => Box::new(file),
    };
    if let Some(utf16) = Utf16::sniff(reader.fill_buf()?) {
        reader = Box::new(io::BufReader::with_capacity(1 << 16, utf16.decoder(reader)));
    }
    Ok(reader)
}

/// The bytes of each of `spans` (sorted by offset) in the file, in one sequential read.
pub(super) fn read_spans(path: &Path, spans: &[Span]) -> io::Result<Vec<Vec<u8>>> {
    let mut reader = open_decompressed(path)?;
    let mut position = 0;
    let mut out = Vec::with_capacity(spans.len());
    for span in spans {
        let skip = span.offset.saturating_sub(position);
        io::copy(&mut (&mut reader).take(skip), &mut io::sink())?;
        let mut value = Vec::new();
        (&mut reader)
            .take(u64::from(span.length))
            .read_to_end(&mut value)?;
        position = span.offset.max(position) + value.len() as u64;
        out.push(value);
    }
    Ok(out)
}

/// The context of every line of a file, as runs of lines that share it.
#[derive(Default)]
pub(super) struct LineContexts {
    /// (offset where a run of lines starts, their context), by offset.
    runs: Vec<(u64, Context)>,
}

impl LineContexts {
    /// Reads a file once: every line of a CSV file is structured, a JSON line is structured,
    /// anything else is text.
    pub(super) fn read(path: &Path) -> io::Result<LineContexts> {
        let mut reader = open_decompressed(path)?;
        let head = reader.fill_buf()?;
        if FileContext::sniff(path, head, None).csv.is_some() {
            return Ok(LineContexts {
                runs: vec![(0, Context::Structured)],
            });
        }
        let mut contexts = LineContexts::default();
        let mut position = 0u64;
        let mut line_start = 0u64;
        // The first non-blank bytes of the current line, until its context is decided.
        let mut tokens: Vec<u8> = Vec::with_capacity(2);
        let mut decided = false;
        loop {
            let buf = reader.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            let mut i = 0;
            while i < buf.len() {
                if decided {
                    match memchr::memchr(b'\n', &buf[i..]) {
                        Some(j) => i += j,
                        None => {
                            i = buf.len();
                            continue;
                        }
                    }
                }
                let b = buf[i];
                if b == b'\n' {
                    if !decided {
                        contexts.push(line_start, &tokens);
                    }
                    line_start = position + i as u64 + 1;
                    tokens.clear();
                    decided = false;
                } else if !b.is_ascii_whitespace() {
                    tokens.push(b);
                    if tokens.len() == 2 {
                        contexts.push(line_start, &tokens);
                        decided = true;
                    }
                }
                i += 1;
            }
            let n = buf.len();
            reader.consume(n);
            position += n as u64;
        }
        if !decided && line_start < position {
            contexts.push(line_start, &tokens);
        }
        Ok(contexts)
    }

    /// Records the context of the line at `start` from its first non-blank bytes.
    fn push(&mut self, start: u64, tokens: &[u8]) {
        let context = if looks_like_json(tokens) {
            Context::Structured
        } else {
            Context::Text
        };
        if self.runs.last().is_none_or(|r| r.1 != context) {
            self.runs.push((start, context));
        }
    }

    /// The context of the line that holds `offset`.
    pub(super) fn at(&self, offset: u64) -> Context {
        let i = self.runs.partition_point(|r| r.0 <= offset);
        i.checked_sub(1).map_or(Context::Text, |i| self.runs[i].1)
    }
}
