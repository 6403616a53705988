//! What is known about an input before its chunks are scanned: its CSV header, a byte-order
//! mark, and for the pieces of a line too long to hold whole, where they start.

use std::path::Path;
use std::sync::Arc;

use crate::detect::person_name;
use crate::structure::csv::Header;

/// What is known about a file before its chunks are scanned.
#[derive(Clone, Debug, Default)]
pub struct FileContext {
    pub csv: Option<Header>,
    /// The chunks start in the middle of a line (the pieces after the first of a line too
    /// long to hold, see [`crate::chunk::LongLine`]): whether they start inside a JSON string
    /// is unknown, so the prefilter must not follow strings from their start.
    pub starts_mid_line: bool,
    /// For such a piece of a JSON line, where its key paths pick up.
    pub resume: Option<Arc<Resume>>,
    /// The length of a UTF-8 byte-order mark that opens the file (Excel's "CSV UTF-8" writes
    /// one), 0 without: not part of the first line's JSON or header. It still counts in
    /// offsets and columns, which are those of the bytes on disk.
    pub bom: usize,
}

/// Where a piece of a JSON line cut for length picks up the key paths of its values (see
/// [`crate::structure::json::Nesting`]): from offset `at` of the piece, a `,` between values,
/// the line walks as `prefix` followed by the rest of the piece.
#[derive(Clone, Debug)]
pub struct Resume {
    pub at: usize,
    pub prefix: Vec<u8>,
}

impl FileContext {
    /// Sniffs the structure of a file from its first bytes.
    pub fn sniff(path: &Path, head: &[u8]) -> FileContext {
        const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
        let bom = if head.starts_with(UTF8_BOM) {
            UTF8_BOM.len()
        } else {
            0
        };
        let head = &head[bom..];
        let first_line = match memchr::memchr(b'\n', head) {
            Some(i) => &head[..=i],
            None => head,
        };
        FileContext {
            csv: Header::sniff(path, first_line, &person_name::is_first_and_last),
            bom,
            ..FileContext::default()
        }
    }
}
