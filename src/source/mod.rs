//! Sources: from the paths a user names to bytes the engine can chunk.
//!
//! Two ways in, chosen here and nowhere else:
//!
//! * Regular files are memory-mapped. For large files this is the fastest way to read (no copy
//!   into a buffer, the kernel reads ahead), and it lets the engine cut one file into chunks
//!   scanned on every core. Mapping has one hazard: a file truncated by another process while
//!   it is mapped raises SIGBUS on access past its new end; [`mmap`] turns that into zeros and
//!   an error for that file. Small files, and files that cannot be mapped, are read into
//!   memory instead. Either way the file is closed before its content is queued, so the
//!   descriptors open do not grow with the files waiting in a batch.
//! * Everything else (stdin, FIFOs named explicitly, character devices named explicitly, and
//!   objects in object storage, [`objects`]) is read as a stream, in newline-aligned chunks,
//!   through the same engine.
//!
//! Directories are walked in a deterministic order (sorted by name) so that findings come out
//! in the same order on every run; `.git` is skipped; symlinks are followed with loop
//! detection; special files met during a walk are skipped, since opening a FIFO or reading a
//! device nobody named could block forever or never end.

pub mod archive;
pub mod decompress;
pub mod mmap;
pub mod objects;
pub mod parquet;
pub mod probe;
pub mod records;
pub mod shard;
pub mod transcode;
pub mod walk;

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use thiserror::Error;

/// What went wrong with one input. The message names the path and never any content.
#[derive(Debug, Error)]
pub enum SourceError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error("{path}: {message}")]
    Other { path: String, message: String },
}

impl SourceError {
    pub fn io(path: &Path, source: io::Error) -> SourceError {
        SourceError::Io {
            path: display_path(path),
            source,
        }
    }

    pub fn other(path: &Path, message: impl Into<String>) -> SourceError {
        SourceError::Other {
            path: display_path(path),
            message: message.into(),
        }
    }
}

/// Why an input was not scanned. Every reason but [`SkipReason::Excluded`] fails the run
/// ([`SkipReason::fails_run`]): a scan that did not read an input cannot say it holds no
/// personal data, and a gate cannot pass it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// A NUL byte near its start, and `--binary` not given.
    Binary,
    /// Left out on purpose, and why (the run's own output file).
    Excluded(&'static str),
    /// A format piiscan recognises but cannot read (a 7z or RAR archive, a ZIP member
    /// compressed with LZMA, a sparse tar member), named.
    Unsupported(String),
    /// An encrypted archive member: there is no password to read it with.
    Encrypted,
    /// An archive inside as many archives as the depth limit, this one (`--max-depth`).
    TooDeep(usize),
    /// A symbolic link met in a folder that leads out of the paths named, to this target
    /// (printable), and `--follow` not given.
    LinkOutside(String),
}

impl SkipReason {
    /// Whether an input skipped for this reason makes the run fail (exit 2, no gate passes):
    /// all but the user's own exclusions.
    pub fn fails_run(&self) -> bool {
        !matches!(self, SkipReason::Excluded(_))
    }
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::Binary => f.write_str(
                "binary file (NUL byte near the start); skipped, use --binary to scan it",
            ),
            SkipReason::Excluded(why) => write!(f, "{why}; not scanned"),
            SkipReason::Unsupported(what) => write!(
                f,
                "{what}, which piiscan cannot read; not scanned (unpack or convert it, then scan \
                 the result)"
            ),
            SkipReason::Encrypted => f.write_str(
                "encrypted archive member, which piiscan cannot decrypt; not scanned (scan it \
                 decrypted)",
            ),
            SkipReason::TooDeep(max) => write!(
                f,
                "archive nested past the depth limit of {max}; not scanned (raise --max-depth to \
                 read it)"
            ),
            SkipReason::LinkOutside(target) => write!(
                f,
                "symbolic link out of the paths named (to {target}); not followed, use --follow \
                 to scan it"
            ),
        }
    }
}

/// Whether content that starts with `head` is read through a decoder (gzip, zstd, xz, bzip2,
/// UTF-16 with a BOM) rather than as it is: its size on disk is then not the size of its text.
pub fn is_encoded(head: &[u8]) -> bool {
    decompress::Compression::sniff(head).is_some() || transcode::Utf16::sniff(head).is_some()
}

/// A path made safe to print: lossy UTF-8 with control, bidirectional and invisible
/// characters escaped (see [`printable`]), so that a file name cannot move the cursor,
/// rewrite a terminal or pass for another name.
pub fn display_path(path: &Path) -> String {
    // A URL named (object storage, a signed URL) is shown without what grants access.
    if objects::is_url(path) {
        return printable(&objects::shown(path)).into_owned();
    }
    printable(&path.to_string_lossy()).into_owned()
}

/// Text from the data (a file name, a JSON key) made safe to show a person: control
/// characters (`\u{1b}`, `\n`) and characters that are invisible or reorder the text around
/// them ([`is_hidden`]: `\u{202e}`, `\u{200b}`) escaped, so that it cannot move the cursor,
/// rewrite a terminal, or display as another name (`\u{202e}liame` shows as `email` raw).
/// Machine outputs (JSON, SARIF) carry the text as it is, escaped by their own rules.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let unprintable = |c: char| c.is_control() || is_hidden(c);
    if !text.chars().any(unprintable) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unprintable(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The ranges of [`is_hidden`], sorted.
const HIDDEN: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x2028, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
];

/// Characters that are not control characters but are invisible or change how the text
/// around them displays: Unicode's format characters (General_Category Cf, which holds the
/// bidirectional embeddings, overrides and isolates, U+202A–U+202E and U+2066–U+2069, the
/// Arabic letter mark U+061C, zero-width spaces and joiners U+200B–U+200F, the byte-order mark
/// U+FEFF and the tag characters), the line and paragraph separators U+2028 and U+2029 (Zl,
/// Zp), and the rest of Default_Ignorable_Code_Point (variation selectors, Hangul fillers,
/// the combining grapheme joiner). The ranges are those of Unicode 15.0's character database
/// (`Cf`, `Zl` and `Zp` in UnicodeData.txt, `Default_Ignorable_Code_Point` in
/// DerivedCoreProperties.txt), listed with Perl's `\p{...}` classes (Unicode 14.0) and the
/// Egyptian format controls U+13439–U+1343F that 15.0 added.
pub fn is_hidden(c: char) -> bool {
    let c = c as u32;
    c >= 0xAD && {
        let i = HIDDEN.partition_point(|&(_, hi)| hi < c);
        HIDDEN.get(i).is_some_and(|&(lo, _)| lo <= c)
    }
}

/// An input ready to scan.
pub enum Input {
    /// The whole content, mapped or read.
    Bytes(mmap::Content),
    /// A stream read in chunks.
    Stream(Box<dyn Read + Send>),
}

/// One thing to scan, as named by the user or found by a walk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The path as it will be printed (`-` for stdin).
    pub path: PathBuf,
    /// Named on the command line, rather than found in a directory.
    pub explicit: bool,
    /// In object storage (the path is then its URL as shown).
    pub object: Option<std::sync::Arc<objects::Object>>,
}

impl Target {
    pub fn is_stdin(&self) -> bool {
        self.explicit && self.path.as_os_str() == "-" && self.object.is_none()
    }

    /// A file on this machine that the target is: its path, or a `file://` object's file.
    pub fn file(&self) -> Option<&Path> {
        match &self.object {
            None => Some(&self.path),
            Some(object) => object.local.as_deref(),
        }
    }
}

/// Opens a target. `Ok(None)` means there is nothing to scan (an empty file, a special file
/// met during a walk).
pub fn open(target: &Target) -> Result<Option<Input>, SourceError> {
    if target.is_stdin() {
        return Ok(Some(Input::Stream(Box::new(io::stdin()))));
    }
    let path = &target.path;
    if let Some(object) = &target.object {
        if object.is_empty() {
            return Ok(None);
        }
        return objects::open(object, path).map(|r| Some(Input::Stream(r)));
    }
    let meta = std::fs::metadata(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound && path.symlink_metadata().is_ok() {
            SourceError::Other {
                path: display_path(path),
                message: "a symbolic link whose target does not exist".to_string(),
            }
        } else {
            SourceError::io(path, e)
        }
    })?;
    let ft = meta.file_type();
    if ft.is_dir() {
        return Err(SourceError::other(path, "is a directory"));
    }
    if ft.is_file() {
        if meta.len() == 0 {
            return Ok(None);
        }
        let file = File::open(path).map_err(|e| SourceError::io(path, e))?;
        let content =
            mmap::Content::open(file, path, meta.len()).map_err(|e| SourceError::io(path, e))?;
        return Ok(Some(Input::Bytes(content)));
    }
    if !target.explicit {
        return Ok(None);
    }
    open_special(path).map(|f| Some(Input::Stream(Box::new(f))))
}

/// Opens a FIFO or device named explicitly without blocking: opening a FIFO for reading
/// normally waits for a writer; with `O_NONBLOCK` it returns at once, and a read then sees the
/// end of the stream when no writer is there.
#[cfg(unix)]
fn open_special(path: &Path) -> Result<File, SourceError> {
    use std::os::unix::fs::OpenOptionsExt;
    use std::os::unix::io::AsRawFd;

    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| SourceError::io(path, e))?;
    // SAFETY: fcntl on a descriptor we own, with flags read from that same descriptor.
    unsafe {
        let fd = file.as_raw_fd();
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags >= 0 {
            libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
        }
    }
    Ok(file)
}

#[cfg(not(unix))]
fn open_special(path: &Path) -> Result<File, SourceError> {
    File::open(path).map_err(|e| SourceError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            display_path(Path::new("a\x1b[2Jb\n.txt")),
            "a\\u{1b}[2Jb\\n.txt"
        );
        assert_eq!(display_path(Path::new("plain/é.txt")), "plain/é.txt");
    }

    /// Bidirectional controls and invisible characters are escaped like control characters:
    /// `\u{202e}liame` would show as `email`, a zero-width space would hide in a name.
    #[test]
    fn bidirectional_and_invisible_characters_are_escaped() {
        let cases = [
            ("\u{202e}liame", "\\u{202e}liame"),
            (
                "\u{202a}\u{202b}\u{202c}\u{202d}",
                "\\u{202a}\\u{202b}\\u{202c}\\u{202d}",
            ),
            (
                "a\u{2066}b\u{2067}c\u{2068}d\u{2069}",
                "a\\u{2066}b\\u{2067}c\\u{2068}d\\u{2069}",
            ),
            (
                "e\u{200b}m\u{200c}a\u{200d}i\u{200e}l\u{200f}",
                "e\\u{200b}m\\u{200c}a\\u{200d}i\\u{200e}l\\u{200f}",
            ),
            ("\u{feff}email", "\\u{feff}email"),
            ("\u{61c}x\u{2028}y\u{2029}", "\\u{61c}x\\u{2028}y\\u{2029}"),
            ("em\u{ad}ail", "em\\u{ad}ail"),
            ("tag\u{e0041}", "tag\\u{e0041}"),
            // Letters of every script, and spaces, are kept.
            ("王芳 Иван محمد é", "王芳 Иван محمد é"),
            (
                "\u{a0}\u{ac}\u{ae}\u{2027}\u{2030}\u{fe10}",
                "\u{a0}\u{ac}\u{ae}\u{2027}\u{2030}\u{fe10}",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(printable(text), want, "{text:?}");
        }
        assert!(HIDDEN
            .windows(2)
            .all(|w| w[0].0 <= w[0].1 && w[0].1 < w[1].0));
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let listed = HIDDEN
                .iter()
                .any(|&(lo, hi)| (lo..=hi).contains(&(c as u32)));
            assert_eq!(is_hidden(c), listed, "{c:?}");
            let printed = printable(c.encode_utf8(&mut [0; 4])).into_owned();
            let hidden = matches!(c as u32, 0x202A..=0x202E | 0x2066..=0x2069 | 0x200B..=0x200F | 0xFEFF | 0x061C | 0x2028 | 0x2029);
            if hidden || c.is_control() {
                assert!(printed.starts_with('\\'), "{c:?}");
            }
        }
    }
}
