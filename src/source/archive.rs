//! Archives: the members of ZIP and tar files (plain, or compressed with any format of
//! [`super::decompress`]) are inputs of their own, named `outer.zip!inner/events.json.gz`.
//!
//! Exports ship as archives (Amplitude delivers a ZIP of gzip'd NDJSON files), and an archive
//! read as one stream is worse than useless: a ZIP's deflated members look binary, so a gate
//! passed it unread, and a tar's findings were placed in the tar with lines counted through its
//! headers. Members are therefore handed to the engine one by one, each through the same stream
//! path as a file (decompressed, decoded from UTF-16, sniffed for CSV by its own name, and
//! recursed into when it is an archive itself), so offsets and lines count in the member's
//! decoded content.
//!
//! What is refused, and why (see [`SkipReason`]): a container format recognised but not read
//! ([`Container::Unsupported`]: 7z, RAR...), an encrypted member, a ZIP member compressed with a
//! method other than stored, deflate or zstd, a sparse tar member, and an archive nested deeper
//! than `--max-depth`. Each is a skipped input that fails the run: a gate cannot vouch for what
//! it did not read.
//!
//! Bounds. Members are streamed, never held whole, so memory does not grow with their size. A
//! ZIP must be read from its end (its central directory): a mapped file is read in place,
//! and a ZIP that comes as a stream (stdin, a compressed file, a member of another archive) is
//! first copied to an anonymous temporary file ([`spill`]). Every input that holds an archive
//! has one [`Budget`]: its archives may yield at most `--max-ratio` bytes per byte of the input
//! (and 16 MiB whatever its size), counting the decoded bytes of every member at every depth,
//! so a bomb (a small ZIP whose members overlap, nested archives that each expand 1000 times)
//! stops with an error instead of filling the disk or running for hours.
//!
//! Tar members are read with this module's own loop over `tar::Header`s rather than
//! `tar::Archive::entries`: an entry of the `tar` crate borrows its archive through a
//! `RefCell` and cannot move to another thread, and the engine reads a stream on a thread of
//! its own so that reading overlaps with scanning. The headers themselves (numeric fields,
//! ustar prefixes, pax records) are parsed by the crate.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::decompress::RATIO_GRACE;
use super::SkipReason;

/// How many archives deep members are read by default: a ZIP in a tar.gz in a ZIP is read
/// whole, and an archive inside that is refused.
pub const DEFAULT_MAX_DEPTH: usize = 3;

/// A container format, told from the first (decoded) bytes of an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Container {
    Zip,
    Tar,
    /// A format piiscan recognises and cannot read, named.
    Unsupported(&'static str),
}

/// Formats recognised by their first bytes and not read, with their names.
const UNSUPPORTED: &[(&[u8], &str)] = &[
    (&[b'7', b'z', 0xbc, 0xaf, 0x27, 0x1c], "7z archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (&[0x04, 0x22, 0x4d, 0x18], "LZ4 stream"),
    (b"LZIP", "lzip stream"),
    (&[0x1f, 0x9d], "compress (.Z) stream"),
    (b"MSCF\0\0\0\0", "CAB archive"),
    (b"!<arch>\n", "ar archive"),
    (b"xar!", "xar archive"),
    (b"070701", "cpio archive"),
    (b"070702", "cpio archive"),
    (b"070707", "cpio archive"),
    (b"\xff\x06\0\0sNaPpY", "Snappy stream"),
];

impl Container {
    /// Recognises a container from the first bytes of an input, after decompression.
    pub fn sniff(head: &[u8]) -> Option<Container> {
        // A local file header, an empty archive's end record, a spanned archive's marker.
        if [b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"]
            .iter()
            .any(|magic| head.starts_with(*magic))
        {
            return Some(Container::Zip);
        }
        if is_tar(head) {
            return Some(Container::Tar);
        }
        UNSUPPORTED
            .iter()
            .find(|(magic, _)| head.starts_with(magic))
            .map(|&(_, name)| Container::Unsupported(name))
    }
}

/// A tar archive: `ustar` at byte 257 (POSIX and GNU), or a first header whose checksum holds
/// (the old V7 format, which has no magic; text never has a valid one with its NUL).
fn is_tar(head: &[u8]) -> bool {
    if head.len() < 512 {
        return false;
    }
    if &head[257..262] == b"ustar" {
        return true;
    }
    let block: &[u8; 512] = head[..512].try_into().expect("512 bytes");
    head[0] != 0 && head[148..156].contains(&0) && checksum_holds(block)
}

/// Whether a header block's checksum field matches its bytes, summed as unsigned (POSIX) or
/// signed (some old writers) with the field itself as spaces.
fn checksum_holds(block: &[u8; 512]) -> bool {
    let Ok(stored) = tar::Header::from_byte_slice(block).cksum() else {
        return false;
    };
    let bytes = || block[..148].iter().chain(&[b' '; 8]).chain(&block[156..]);
    let unsigned: u32 = bytes().map(|&b| u32::from(b)).sum();
    let signed: i32 = bytes().map(|&b| i32::from(b as i8)).sum();
    stored == unsigned || i64::from(stored) == i64::from(signed)
}

/// The name of a member as printed and matched: the archive's path, `!`, the member's name in
/// the archive (`exports.zip!2025/events.json.gz`). A member of a member adds its own `!`.
pub fn member_path(archive: &Path, name: &[u8]) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::{OsStrExt, OsStringExt};
        let mut bytes = archive.as_os_str().as_bytes().to_vec();
        bytes.push(b'!');
        bytes.extend_from_slice(name);
        PathBuf::from(std::ffi::OsString::from_vec(bytes))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(format!(
            "{}!{}",
            archive.display(),
            String::from_utf8_lossy(name)
        ))
    }
}

/// The bytes the archives of one input may yield: `max_ratio` per byte of the input read so
/// far (its size on disk, or what was read of a stream), at least [`RATIO_GRACE`]. Shared by
/// every member of every archive in the input, at any depth.
#[derive(Debug)]
pub struct Budget {
    input: Arc<AtomicU64>,
    max_ratio: u64,
    used: AtomicU64,
}

impl Budget {
    /// A budget over an input whose bytes read so far `input` counts.
    pub fn new(input: Arc<AtomicU64>, max_ratio: u64) -> Arc<Budget> {
        Arc::new(Budget {
            input,
            max_ratio: max_ratio.max(1),
            used: AtomicU64::new(0),
        })
    }

    fn limit(&self) -> u64 {
        let input = self.input.load(Ordering::Relaxed).max(1);
        input.saturating_mul(self.max_ratio).max(RATIO_GRACE)
    }

    /// True once more was asked of the budget than it holds: nothing more is read.
    pub fn exhausted(&self) -> bool {
        self.used.load(Ordering::Relaxed) > self.limit()
    }

    /// Takes `n` bytes from the budget; an error once it is spent.
    pub fn charge(&self, n: u64) -> io::Result<()> {
        let used = self.used.fetch_add(n, Ordering::Relaxed).saturating_add(n);
        if used <= self.limit() {
            return Ok(());
        }
        Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "the archive expands more than {}:1 ({used} bytes from its {} bytes, counting \
                 every member); stopped as a possible archive bomb (raise --max-ratio to scan it)",
                self.max_ratio,
                self.input.load(Ordering::Relaxed),
            ),
        ))
    }

    /// `inner`, each byte read from it taken from the budget.
    pub fn meter<R: Read>(self: &Arc<Self>, inner: R) -> Metered<R> {
        Metered {
            inner,
            budget: Arc::clone(self),
        }
    }
}

/// A reader whose bytes are taken from a [`Budget`].
pub struct Metered<R> {
    inner: R,
    budget: Arc<Budget>,
}

impl<R: Read> Read for Metered<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.budget.charge(n as u64)?;
        Ok(n)
    }
}

/// A reader that counts the bytes read through it: the size of an input read as a stream.
pub struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R> Counting<R> {
    pub fn new(inner: R, read: Arc<AtomicU64>) -> Counting<R> {
        Counting { inner, read }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Copies a stream into an anonymous temporary file (deleted when closed) and reads it from
/// the start: a ZIP that comes as a stream must be read from its end.
pub fn spill(mut reader: impl Read) -> io::Result<BufReader<File>> {
    let mut file = tempfile::tempfile()?;
    io::copy(&mut reader, &mut file)?;
    file.seek(SeekFrom::Start(0))?;
    Ok(BufReader::with_capacity(1 << 16, file))
}

/// What to do with a member.
#[derive(Debug)]
pub enum MemberKind {
    /// A file: read it.
    File,
    /// Not read, and why (this fails the run).
    Skipped(SkipReason),
    /// Nothing to read: a directory, a link, a device.
    Other,
}

/// A member as its archive records it, for a consumer that writes the archive again (a
/// redacted copy keeps each member's name, order and mode): the member's name and what its
/// header says besides.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The name as stored (a ZIP name decoded from CP437 when not marked UTF-8).
    pub name: Vec<u8>,
    pub header: EntryHeader,
}

/// What an archive's header says of a member.
#[derive(Clone, Debug)]
pub enum EntryHeader {
    Zip {
        method: zip::CompressionMethod,
        unix_mode: Option<u32>,
        modified: Option<zip::DateTime>,
        dir: bool,
        symlink: bool,
    },
    Tar {
        /// The member's own header block as read (its checksum held); the name it holds is
        /// `name` unless a GNU long name or a pax `path` record gave a longer one.
        block: Box<[u8; 512]>,
        long_name: bool,
    },
}

/// The members of a ZIP archive, in the order of its central directory.
pub struct Zip<R: Read + Seek> {
    archive: zip::ZipArchive<R>,
}

impl<R: Read + Seek> Zip<R> {
    /// Reads the archive's directory; an error when it is not a readable ZIP.
    pub fn new(reader: R) -> io::Result<Zip<R>> {
        let archive = zip::ZipArchive::new(reader).map_err(|e| zip_error("ZIP archive", e))?;
        Ok(Zip { archive })
    }

    pub fn len(&self) -> usize {
        self.archive.len()
    }

    pub fn is_empty(&self) -> bool {
        self.archive.is_empty()
    }

    /// The name of member `i` (bytes as stored, decoded from CP437 when not marked UTF-8) and
    /// what to do with it.
    pub fn member(&self, i: usize) -> io::Result<(Vec<u8>, MemberKind)> {
        let entry = self
            .archive
            .by_index_data(i)
            .map_err(|e| zip_error("ZIP directory entry", e))?;
        let name = match entry.name() {
            Ok(name) => name.as_bytes().to_vec(),
            Err(_) => entry.name_raw().to_vec(),
        };
        let kind = if entry.is_dir() || entry.is_symlink() {
            MemberKind::Other
        } else if entry.encrypted() {
            MemberKind::Skipped(SkipReason::Encrypted)
        } else {
            match entry.compression() {
                zip::CompressionMethod::Stored
                | zip::CompressionMethod::Deflated
                | zip::CompressionMethod::Zstd => MemberKind::File,
                method => MemberKind::Skipped(SkipReason::Unsupported(format!(
                    "ZIP member compressed with {method}"
                ))),
            }
        };
        Ok((name, kind))
    }

    /// What the directory says of member `i`, named `name` (see [`Zip::member`]).
    pub fn entry(&self, i: usize, name: Vec<u8>) -> io::Result<Entry> {
        let entry = self
            .archive
            .by_index_data(i)
            .map_err(|e| zip_error("ZIP directory entry", e))?;
        Ok(Entry {
            name,
            header: EntryHeader::Zip {
                method: entry.compression(),
                unix_mode: entry.unix_mode(),
                modified: entry.last_modified(),
                dir: entry.is_dir(),
                symlink: entry.is_symlink(),
            },
        })
    }

    /// The decompressed content of member `i`, its CRC checked at its end.
    pub fn open(&mut self, i: usize) -> io::Result<zip::read::ZipFile<'_, R>> {
        self.archive
            .by_index(i)
            .map_err(|e| zip_error("ZIP member", e))
    }
}

fn zip_error(what: &str, e: zip::result::ZipError) -> io::Error {
    match e {
        zip::result::ZipError::Io(io) => io,
        e => io::Error::new(
            io::ErrorKind::InvalidData,
            format!("not a readable {what} ({e})"),
        ),
    }
}

/// The largest GNU long name or pax header read: such headers hold a name or a few records.
const MAX_EXTENSION: u64 = 1 << 20;

/// The members of a tar archive, read in order from a stream.
pub struct Tar<R> {
    inner: R,
    /// Bytes read from `inner`, for messages.
    offset: u64,
    /// Of the last member returned: data bytes not read yet, and the padding after them.
    left: u64,
    padding: u64,
    /// An end-of-archive (zero) block was read since the last member.
    ended: bool,
    /// A member's data ended early and the error was reported with it: nothing more to read.
    broken: bool,
    /// The header of the member last returned.
    last: Option<Entry>,
}

impl<R: Read> Tar<R> {
    pub fn new(inner: R) -> Tar<R> {
        Tar {
            inner,
            offset: 0,
            left: 0,
            padding: 0,
            ended: false,
            broken: false,
            last: None,
        }
    }

    /// The next member's name and kind, after skipping what is left of the one before; `None`
    /// at the end of the archive. Zero blocks between members are skipped, as `tar -i` does,
    /// so concatenated archives are read whole; the stream must end after one, or the archive
    /// is taken as truncated.
    pub fn next_member(&mut self) -> io::Result<Option<(Vec<u8>, MemberKind)>> {
        if self.broken {
            return Ok(None);
        }
        let rest = self.left + self.padding;
        self.skip(rest)?;
        let (mut long_name, mut pax_path, mut pax_size, mut sparse) = (None, None, None, false);
        loop {
            let mut block = [0u8; 512];
            let at = self.offset;
            let n = self.read_block(&mut block)?;
            if n == 0 {
                if self.ended && long_name.is_none() && pax_path.is_none() {
                    return Ok(None);
                }
                return Err(truncated(format!(
                    "the tar archive ends at byte {at} without its end-of-archive blocks: it \
                     is truncated"
                )));
            }
            if n < block.len() {
                return Err(truncated(format!(
                    "the tar archive ends inside the header at byte {at}: it is truncated"
                )));
            }
            if block.iter().all(|&b| b == 0) {
                self.ended = true;
                continue;
            }
            self.ended = false;
            if !checksum_holds(&block) {
                return Err(corrupt(format!(
                    "the tar header at byte {at} is corrupt (its checksum does not match)"
                )));
            }
            let header = tar::Header::from_byte_slice(&block);
            let size = header
                .entry_size()
                .map_err(|_| corrupt(format!("the tar header at byte {at} has a bad size")))?;
            let kind = header.entry_type();
            if kind.is_gnu_longname() {
                let mut name = self.read_extension(size, at)?;
                while name.last() == Some(&0) {
                    name.pop();
                }
                long_name = Some(name);
                continue;
            }
            if kind.is_pax_local_extensions() {
                let records = self.read_extension(size, at)?;
                for record in tar::PaxExtensions::new(&records).flatten() {
                    match record.key() {
                        Ok("path") => pax_path = Some(record.value_bytes().to_vec()),
                        Ok("size") => {
                            pax_size = record.value().ok().and_then(|v| v.parse::<u64>().ok())
                        }
                        Ok(key) if key.starts_with("GNU.sparse.") => sparse = true,
                        _ => {}
                    }
                }
                continue;
            }
            if kind.is_pax_global_extensions() || kind.is_gnu_longlink() {
                self.skip(size + pad(size))?;
                continue;
            }
            let long = long_name.is_some() || pax_path.is_some();
            let name = long_name
                .or(pax_path)
                .unwrap_or_else(|| header.path_bytes().into_owned());
            self.last = Some(Entry {
                name: name.clone(),
                header: EntryHeader::Tar {
                    block: Box::new(block),
                    long_name: long,
                },
            });
            self.left = pax_size.unwrap_or(size);
            self.padding = pad(self.left);
            let member = match kind {
                _ if kind.is_gnu_sparse() || sparse => {
                    MemberKind::Skipped(SkipReason::Unsupported("sparse tar member".to_string()))
                }
                tar::EntryType::Directory
                | tar::EntryType::Symlink
                | tar::EntryType::Link
                | tar::EntryType::Char
                | tar::EntryType::Block
                | tar::EntryType::Fifo => MemberKind::Other,
                // A GNU volume label.
                _ if kind.as_byte() == b'V' => MemberKind::Other,
                _ if kind.as_byte() == b'M' => MemberKind::Skipped(SkipReason::Unsupported(
                    "multi-volume tar member".to_string(),
                )),
                // Regular and contiguous files, and as POSIX says, any unknown type.
                _ => MemberKind::File,
            };
            return Ok(Some((name, member)));
        }
    }

    /// The header of the member last returned by [`Tar::next_member`].
    pub fn entry(&self) -> Option<&Entry> {
        self.last.as_ref()
    }

    /// The data of the member last returned by [`Tar::next_member`].
    pub fn data(&mut self) -> MemberData<'_, R> {
        MemberData { tar: self }
    }

    /// Reads a whole block, retrying short reads; the bytes read (fewer at the end).
    fn read_block(&mut self, block: &mut [u8; 512]) -> io::Result<usize> {
        let mut n = 0;
        while n < block.len() {
            match self.inner.read(&mut block[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.offset += n as u64;
        Ok(n)
    }

    /// Reads the data of an extension header (a long name, pax records), bounded.
    fn read_extension(&mut self, size: u64, at: u64) -> io::Result<Vec<u8>> {
        if size > MAX_EXTENSION {
            return Err(corrupt(format!(
                "the tar extension header at byte {at} holds {size} bytes, more than a name or \
                 a few records ever need"
            )));
        }
        let mut data = Vec::with_capacity(size as usize);
        (&mut self.inner).take(size).read_to_end(&mut data)?;
        self.offset += data.len() as u64;
        if (data.len() as u64) < size {
            return Err(truncated(format!(
                "the tar archive ends inside the header at byte {at}: it is truncated"
            )));
        }
        self.skip(pad(size))?;
        Ok(data)
    }

    /// Reads and drops `n` bytes.
    fn skip(&mut self, n: u64) -> io::Result<()> {
        let skipped = io::copy(&mut (&mut self.inner).take(n), &mut io::sink())?;
        self.offset += skipped;
        self.left = 0;
        self.padding = 0;
        if skipped < n {
            return Err(truncated(format!(
                "the tar archive ends at byte {}, inside a member: it is truncated",
                self.offset
            )));
        }
        Ok(())
    }
}

/// The data of one tar member, read from the archive's stream.
pub struct MemberData<'t, R> {
    tar: &'t mut Tar<R>,
}

impl<R: Read> Read for MemberData<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let tar = &mut *self.tar;
        if tar.left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let max = buf
            .len()
            .min(usize::try_from(tar.left).unwrap_or(usize::MAX));
        let n = match tar.inner.read(&mut buf[..max]) {
            Ok(n) => n,
            Err(e) => {
                if e.kind() != io::ErrorKind::Interrupted {
                    tar.broken = true;
                }
                return Err(e);
            }
        };
        if n == 0 {
            tar.broken = true;
            return Err(truncated(format!(
                "the tar archive ends inside this member, {} bytes short: it is truncated",
                tar.left
            )));
        }
        tar.left -= n as u64;
        tar.offset += n as u64;
        Ok(n)
    }
}

/// The padding after `size` bytes of data, to the next 512-byte block.
fn pad(size: u64) -> u64 {
    (512 - size % 512) % 512
}

fn truncated(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, message)
}

fn corrupt(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn tar_of(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, data) in members {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            builder.append_data(&mut header, name, *data).unwrap();
        }
        builder.into_inner().unwrap()
    }

    fn members(data: &[u8]) -> io::Result<Vec<(String, Vec<u8>)>> {
        let mut tar = Tar::new(data);
        let mut out = Vec::new();
        while let Some((name, kind)) = tar.next_member()? {
            let mut content = Vec::new();
            if matches!(kind, MemberKind::File) {
                tar.data().read_to_end(&mut content)?;
            }
            out.push((String::from_utf8(name).unwrap(), content));
        }
        Ok(out)
    }

    #[test]
    fn sniffs_containers() {
        let tar = tar_of(&[("a.json", b"{}\n")]);
        let mut zip = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
        zip.start_file("a.json", zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(b"{}\n").unwrap();
        let zip = zip.finish().unwrap().into_inner();
        let empty_zip = zip::ZipWriter::new(io::Cursor::new(Vec::new()))
            .finish()
            .unwrap()
            .into_inner();
        let mut v7 = tar.clone();
        v7[257..265].fill(0);
        let sum: u32 = v7[..148]
            .iter()
            .chain(&[b' '; 8])
            .chain(&v7[156..512])
            .map(|&b| u32::from(b))
            .sum();
        v7[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        let cases: Vec<(&str, Vec<u8>, Option<Container>)> = vec![
            ("tar", tar.clone(), Some(Container::Tar)),
            ("v7 tar", v7, Some(Container::Tar)),
            ("zip", zip, Some(Container::Zip)),
            ("empty zip", empty_zip, Some(Container::Zip)),
            (
                "7z",
                b"7z\xbc\xaf\x27\x1c\0\x04".to_vec(),
                Some(Container::Unsupported("7z archive")),
            ),
            (
                "rar5",
                b"Rar!\x1a\x07\x01\0".to_vec(),
                Some(Container::Unsupported("RAR archive")),
            ),
            ("ndjson", b"{\"a\":1}\n".repeat(100), None),
            ("text PK", b"PK is a name\n".repeat(100), None),
            ("short", b"PK".to_vec(), None),
            // 512 bytes of text whose checksum field happens to be digits: no NUL, no tar.
            ("text", b"0123456 ".repeat(64), None),
        ];
        for (name, head, want) in cases {
            assert_eq!(Container::sniff(&head), want, "{name}");
        }
    }

    #[test]
    fn tar_members_come_in_order_with_their_names() {
        let long = format!("{}/events.ndjson", "d".repeat(150));
        let data = tar_of(&[
            ("a.log", b"bob@example.org\n"),
            ("dir/empty.txt", b""),
            (&long, &b"x".repeat(1000)),
        ]);
        let got = members(&data).unwrap();
        let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["a.log", "dir/empty.txt", long.as_str()]);
        assert_eq!(got[0].1, b"bob@example.org\n");
        assert_eq!(got[2].1.len(), 1000);
    }

    /// A member not read to its end is skipped to the next header.
    #[test]
    fn unread_data_is_skipped() {
        let data = tar_of(&[("a", &b"a".repeat(3000)), ("b", b"bee\n")]);
        let mut tar = Tar::new(&data[..]);
        tar.next_member().unwrap().unwrap();
        let mut some = [0u8; 10];
        tar.data().read_exact(&mut some).unwrap();
        let (name, _) = tar.next_member().unwrap().unwrap();
        assert_eq!(name, b"b");
        let mut rest = Vec::new();
        tar.data().read_to_end(&mut rest).unwrap();
        assert_eq!(rest, b"bee\n");
        assert!(tar.next_member().unwrap().is_none());
    }

    /// Truncated anywhere, an archive is an error: in a header, in a member's data (the
    /// member's read fails, and the archive says nothing more), or between members.
    #[test]
    fn truncation_is_an_error_wherever_it_falls() {
        let data = tar_of(&[("a", &b"a".repeat(3000)), ("b", b"bee\n")]);
        // The second header starts after 512 + 3072 bytes.
        for cut in [
            100,
            512 + 100,
            512 + 3072,
            512 + 3072 + 300,
            512 + 3072 + 512 + 512,
        ] {
            let result = members(&data[..cut]);
            let err = result.expect_err(&format!("cut at {cut}"));
            assert!(err.to_string().contains("truncated"), "cut at {cut}: {err}");
        }
        assert_eq!(members(&data).unwrap().len(), 2);
    }

    #[test]
    fn concatenated_archives_are_read_whole_and_bad_checksums_refused() {
        let two = [tar_of(&[("a", b"1\n")]), tar_of(&[("b", b"2\n")])].concat();
        let names: Vec<String> = members(&two).unwrap().into_iter().map(|m| m.0).collect();
        assert_eq!(names, ["a", "b"]);
        let mut bad = tar_of(&[("a", b"1\n")]);
        bad[10] ^= 1;
        let err = members(&bad).unwrap_err();
        assert!(err.to_string().contains("checksum"), "{err}");
    }

    #[test]
    fn member_paths_join_with_a_bang() {
        let inner = member_path(Path::new("exports/a.zip"), b"2025/e.json.gz");
        assert_eq!(inner, Path::new("exports/a.zip!2025/e.json.gz"));
        assert_eq!(
            member_path(&inner, b"x.csv"),
            Path::new("exports/a.zip!2025/e.json.gz!x.csv")
        );
    }

    #[test]
    fn the_budget_is_shared_and_bounded() {
        let size = Arc::new(AtomicU64::new(1000));
        let budget = Budget::new(Arc::clone(&size), 10);
        assert!(budget.charge(RATIO_GRACE).is_ok());
        let err = budget.charge(1).unwrap_err();
        assert!(err.to_string().contains("archive bomb"), "{err}");
        assert!(budget.exhausted());
        // A larger input allows more.
        size.store(RATIO_GRACE, Ordering::Relaxed);
        assert!(!budget.exhausted());
        let mut out = Vec::new();
        let mut metered = budget.meter(&[0u8; 4096][..]);
        metered.read_to_end(&mut out).unwrap();
        assert_eq!(out.len(), 4096);
    }
}
