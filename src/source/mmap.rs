//! File content as one byte slice: memory-mapped when possible, read otherwise.

use std::fs::File;
use std::io::{self, Read};
use std::ops::Deref;

use memmap2::Mmap;

/// The content of a regular file.
pub enum Content {
    Mapped(Mmap),
    Read(Vec<u8>),
}

impl Content {
    /// Maps `file` (of `len` bytes), falling back to reading it whole when mapping fails.
    pub fn open(file: &File, len: u64) -> io::Result<Content> {
        // SAFETY: see `map`.
        match unsafe { map(file) } {
            Ok(map) => Ok(Content::Mapped(map)),
            Err(_) => {
                let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
                let mut reader = file;
                reader.read_to_end(&mut buf)?;
                Ok(Content::Read(buf))
            }
        }
    }
}

impl AsRef<[u8]> for Content {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl Deref for Content {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Content::Mapped(m) => m,
            Content::Read(v) => v,
        }
    }
}

/// Maps a file read-only.
///
/// # Safety
///
/// The map is only valid while the file keeps its length and content. If another process
/// truncates the file while it is mapped, touching a page past the new end raises SIGBUS and
/// kills the process; if it rewrites the file, the scan sees a mix of old and new bytes. Like
/// ripgrep, piiscan accepts this for the speed of mapping large exports, which are normally
/// written once and then read.
unsafe fn map(file: &File) -> io::Result<Mmap> {
    let map = Mmap::map(file)?;
    #[cfg(unix)]
    {
        let _ = map.advise(memmap2::Advice::Sequential);
    }
    Ok(map)
}
