//! File content as one byte slice: memory-mapped when possible, read otherwise.
//!
//! Mapping has one hazard: if another process truncates a file while it is mapped, touching a
//! page past the new end raises SIGBUS, which kills a process by default. piiscan installs a
//! SIGBUS handler that maps a page of zeros over the faulting address, so the scan reads NUL
//! bytes (which match nothing) instead of crashing, and each file is checked after its scan:
//! one that shrank is reported as an error naming how far it was read. (ripgrep documents the
//! same risk and accepts it; a scanner of exports that are still being written cannot.)
//!
//! No file stays open while its content waits to be scanned: a batch can queue hundreds of
//! small files, and an open descriptor each ran a walk of many small files out of descriptors
//! (`ulimit -n 256`: whole folders unscanned). Files under [`READ_BELOW`] bytes are read, which
//! is also cheaper than mapping them; larger ones are mapped and closed at once (a mapping
//! outlives its descriptor), and the length check after the scan looks the file up again by
//! path, by identity, so that a file replaced under the same name is not taken for it.

use std::fs::File;
use std::io::{self, Read};
use std::ops::Deref;
use std::path::{Path, PathBuf};

use memmap2::Mmap;

/// Files smaller than this are read into memory rather than mapped: for them a read costs
/// less than setting up and tearing down a mapping, and there is no SIGBUS to guard against.
pub const READ_BELOW: u64 = 64 << 10;

/// The content of a regular file.
pub struct Content {
    bytes: Bytes,
    /// The mapped file, to check its length after the scan (none when the content was read).
    origin: Option<Origin>,
}

/// Where a mapping came from, to find the same file again without keeping it open.
struct Origin {
    path: PathBuf,
    #[cfg(unix)]
    id: (u64, u64),
}

enum Bytes {
    Mapped(Mmap),
    Read(Vec<u8>),
}

impl Content {
    /// The content of `file`, opened at `path` and `len` bytes long: read when it is small,
    /// mapped otherwise, read whole when mapping fails. The file is closed on return.
    pub fn open(file: File, path: &Path, len: u64) -> io::Result<Content> {
        if len >= READ_BELOW {
            // SAFETY: see `map`.
            if let Ok(map) = unsafe { map(&file) } {
                return Ok(Content {
                    bytes: Bytes::Mapped(map),
                    origin: Some(Origin {
                        path: path.to_path_buf(),
                        #[cfg(unix)]
                        id: file_id(&file.metadata()?),
                    }),
                });
            }
        }
        let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        (&file).read_to_end(&mut buf)?;
        Ok(Content::from_vec(buf))
    }

    /// Content already in memory.
    pub fn from_vec(bytes: Vec<u8>) -> Content {
        Content {
            bytes: Bytes::Read(bytes),
            origin: None,
        }
    }

    /// The file's current length when it is now shorter than what was mapped: the bytes past
    /// it were read as zeros. `None` too when the path no longer names the mapped file.
    pub fn shrunk(&self) -> Option<u64> {
        let origin = self.origin.as_ref()?;
        let meta = std::fs::metadata(&origin.path).ok()?;
        #[cfg(unix)]
        if file_id(&meta) != origin.id {
            return None;
        }
        let now = meta.len();
        (now < self.len() as u64).then_some(now)
    }
}

#[cfg(unix)]
fn file_id(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

impl AsRef<[u8]> for Content {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl Deref for Content {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match &self.bytes {
            Bytes::Mapped(m) => m,
            Bytes::Read(v) => v,
        }
    }
}

/// Maps a file read-only.
///
/// # Safety
///
/// The map is only valid while the file keeps its length and content. If another process
/// truncates the file while it is mapped, touching a page past the new end raises SIGBUS;
/// [`sigbus::install`] turns that into a read of zeros, and [`Content::shrunk`] reports it. If
/// another process rewrites the file in place, the scan sees a mix of old and new bytes.
unsafe fn map(file: &File) -> io::Result<Mmap> {
    #[cfg(unix)]
    sigbus::install();
    let map = Mmap::map(file)?;
    #[cfg(unix)]
    {
        let _ = map.advise(memmap2::Advice::Sequential);
    }
    Ok(map)
}

#[cfg(unix)]
mod sigbus {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Once;

    static PAGE: AtomicUsize = AtomicUsize::new(4096);

    /// Installs the handler once per process.
    pub fn install() {
        static ONCE: Once = Once::new();
        ONCE.call_once(|| {
            // SAFETY: sysconf and sigaction with a handler that only calls mmap and sigaction
            // (system calls) on the faulting page.
            unsafe {
                let page = libc::sysconf(libc::_SC_PAGESIZE);
                if page > 0 {
                    PAGE.store(page as usize, Ordering::Relaxed);
                }
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = handler as *const () as usize;
                action.sa_flags = libc::SA_SIGINFO;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
            }
        });
    }

    /// Maps a zero page over the faulting address so the faulting read is retried and sees
    /// zeros. If that fails, restores the default action so the retried read kills the
    /// process as it would have anyway.
    extern "C" fn handler(_sig: libc::c_int, info: *mut libc::siginfo_t, _ctx: *mut libc::c_void) {
        // SAFETY: `info` is given by the kernel for an SA_SIGINFO handler.
        unsafe {
            let addr = (*info).si_addr() as usize;
            let page = PAGE.load(Ordering::Relaxed);
            let start = addr & !(page - 1);
            let mapped = libc::mmap(
                start as *mut libc::c_void,
                page,
                libc::PROT_READ,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                -1,
                0,
            );
            if addr == 0 || mapped == libc::MAP_FAILED {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = libc::SIG_DFL;
                libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_file_truncated_under_the_map_reads_as_zeros_and_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shrinking.log");
        std::fs::write(&path, vec![b'a'; 8 << 20]).unwrap();
        let content = Content::open(File::open(&path).unwrap(), &path, 8 << 20).unwrap();
        assert_eq!(content.shrunk(), None);
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(1 << 20)
            .unwrap();
        let tail = &content[(4 << 20)..(4 << 20) + 16];
        assert_eq!(tail, &[0u8; 16]);
        assert_eq!(content[10], b'a');
        assert_eq!(content.shrunk(), Some(1 << 20));
    }
}
