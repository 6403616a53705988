//! File content as one byte slice: memory-mapped when possible, read otherwise.
//!
//! Mapping has one hazard: if another process truncates a file while it is mapped, touching a
//! page past the new end raises SIGBUS, which kills a process by default. piiscan installs a
//! SIGBUS handler that maps a page of zeros over the faulting address, so the scan reads NUL
//! bytes (which match nothing) instead of crashing, and each file is checked after its scan:
//! one that shrank is reported as an error naming how far it was read. (ripgrep documents the
//! same risk and accepts it; a scanner of exports that are still being written cannot.)

use std::fs::File;
use std::io::{self, Read};
use std::ops::Deref;

use memmap2::Mmap;

/// The content of a regular file.
pub struct Content {
    bytes: Bytes,
    /// The open file, kept to check its length after the scan.
    file: Option<File>,
}

enum Bytes {
    Mapped(Mmap),
    Read(Vec<u8>),
}

impl Content {
    /// Maps `file` (of `len` bytes), falling back to reading it whole when mapping fails.
    pub fn open(file: File, len: u64) -> io::Result<Content> {
        // SAFETY: see `map`.
        match unsafe { map(&file) } {
            Ok(map) => Ok(Content {
                bytes: Bytes::Mapped(map),
                file: Some(file),
            }),
            Err(_) => {
                let mut buf = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
                (&file).read_to_end(&mut buf)?;
                Ok(Content {
                    bytes: Bytes::Read(buf),
                    file: None,
                })
            }
        }
    }

    /// Content already in memory.
    pub fn from_vec(bytes: Vec<u8>) -> Content {
        Content {
            bytes: Bytes::Read(bytes),
            file: None,
        }
    }

    /// The file's current length when it is now shorter than what was mapped: the bytes past
    /// it were read as zeros.
    pub fn shrunk(&self) -> Option<u64> {
        let now = self.file.as_ref()?.metadata().ok()?.len();
        (now < self.len() as u64).then_some(now)
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
        let content = Content::open(File::open(&path).unwrap(), 8 << 20).unwrap();
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
