//! The mapped file as the `parquet` crate reads it.

use std::io::{self, Read};
use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use parquet::file::reader::{ChunkReader, Length};

use crate::source::mmap::Content;

/// A mapped (or read) file as the `parquet` crate reads it: pages are slices of the map.
pub(super) struct Mapped(pub(super) Arc<Content>);

/// A window of the content, owned, for [`Bytes::from_owner`].
struct Window(Arc<Content>, Range<usize>);

impl AsRef<[u8]> for Window {
    fn as_ref(&self) -> &[u8] {
        &self.0[self.1.clone()]
    }
}

impl Length for Mapped {
    fn len(&self) -> u64 {
        self.0.len() as u64
    }
}

impl Mapped {
    fn window(&self, start: u64, length: usize) -> parquet::errors::Result<Range<usize>> {
        let len = self.0.len();
        let start = usize::try_from(start).unwrap_or(usize::MAX);
        match start.checked_add(length) {
            Some(end) if end <= len => Ok(start..end),
            _ => Err(parquet::errors::ParquetError::EOF(format!(
                "{length} bytes at offset {start} are past the end of the file ({len} bytes)"
            ))),
        }
    }
}

impl ChunkReader for Mapped {
    type T = Reader;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Reader> {
        let range = self.window(start, 0)?;
        Ok(Reader(Arc::clone(&self.0), range.start))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        let range = self.window(start, length)?;
        Ok(Bytes::from_owner(Window(Arc::clone(&self.0), range)))
    }
}

/// A reader of the content from a position on.
pub(super) struct Reader(Arc<Content>, usize);

impl Read for Reader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let rest = self.0.get(self.1..).unwrap_or(&[]);
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.1 += n;
        Ok(n)
    }
}
