//! What is known about an input before its chunks are scanned: its CSV header, whether it is
//! a JSON document written over many lines, a byte-order mark, and for the pieces of a line
//! too long to hold whole and the chunks of a document, where their key paths pick up.

use std::path::Path;
use std::sync::Arc;

use crate::detect::person_name;
use crate::structure::csv::{self, Header, Unsplit};
use crate::structure::json;

/// What is known about a file before its chunks are scanned.
#[derive(Clone, Debug, Default)]
pub struct FileContext {
    pub csv: Option<Header>,
    /// The chunks start in the middle of a line (the pieces after the first of a line too
    /// long to hold, see [`crate::chunk::LongLine`]): whether they start inside a JSON string
    /// is unknown, so the prefilter must not follow strings from their start.
    pub starts_mid_line: bool,
    /// For such a piece of a JSON line, or a chunk of a JSON document, where its key paths
    /// pick up.
    pub resume: Option<Arc<Resume>>,
    /// The file is one JSON value written over many lines (a pretty-printed array or object,
    /// see [`json::is_document`]): its chunks are not lines of JSON each, but parts of one
    /// document, which the driver follows through them in order ([`json::Nesting`]); a
    /// record is an object, not a line.
    pub document: bool,
    /// The chunk is part of JSON text that the driver reads whole (a document, a cut line):
    /// whether that text is malformed is judged there, not line by line.
    pub judged_whole: bool,
    /// The length of a UTF-8 byte-order mark that opens the file (Excel's "CSV UTF-8" writes
    /// one), 0 without: not part of the first line's JSON or header. It still counts in
    /// offsets and columns, which are those of the bytes on disk.
    pub bom: usize,
    /// What the user should be told about how the file is read (a `.csv` file read as
    /// text), once, when it begins.
    pub note: Option<String>,
}

/// Where a piece of a JSON line cut for length, or a chunk of a JSON document, picks up the
/// key paths of its values (see [`json::Nesting`]): from offset `at` of the piece, the first
/// place outside a string, the text walks as `prefix` followed by the rest of the piece.
#[derive(Clone, Debug)]
pub struct Resume {
    pub at: usize,
    pub prefix: Vec<u8>,
}

impl FileContext {
    /// Sniffs the structure of a file from its first bytes; `delimiter` is the user's for
    /// delimited files (`--delimiter`), sniffed when `None`.
    pub fn sniff(path: &Path, head: &[u8], delimiter: Option<u8>) -> FileContext {
        const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
        let bom = if head.starts_with(UTF8_BOM) {
            UTF8_BOM.len()
        } else {
            0
        };
        let head = &head[bom..];
        let (csv, note) =
            match Header::sniff(path, head, delimiter, &person_name::is_first_and_last) {
                Ok(csv) => (csv, None),
                Err(Unsplit { tried }) => {
                    let by = match tried {
                        Some(d) => format!("by {}", csv::delimiter_name(d)),
                        None => "by `,` `;` tab or `|`".to_string(),
                    };
                    let note = format!(
                        "named as a delimited file, but its first line does not split into two \
                     columns {by}: scanned as text, without column names (--delimiter gives \
                     the delimiter)"
                    );
                    (None, Some(note))
                }
            };
        FileContext {
            csv,
            note,
            document: json::is_document(head),
            bom,
            ..FileContext::default()
        }
    }
}
