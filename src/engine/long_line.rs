//! Lines too long to hold whole: a line longer than [`chunk::MAX_LINE`] (a JSON array exported
//! on one line, a pipe with no newline) is cut into pieces that overlap by [`chunk::OVERLAP`];
//! each piece keeps the findings that start in its own part ([`keep_owned`]), so a value across
//! a cut is found whole and once. The pieces after the first start mid-line: they are scanned
//! without CSV columns, and a JSON line's key paths are followed through the pieces on the
//! reading thread ([`Pieces::follow`]), so that each piece walks behind a short prefix that
//! stands for the line before it.

use std::sync::Arc;

use super::driver::FileState;
use super::{ChunkResult, Config, FileContext, Resume};
use crate::chunk::{self, LongLine};
use crate::structure::json;

/// Keeps the findings that a piece of a cut line owns (its neighbours report the others, see
/// [`LongLine`]), counts their columns from the start of the line and its bytes without the
/// overlap.
pub(super) fn keep_owned(long_line: &LongLine, base: u64, result: &mut ChunkResult) {
    result
        .findings
        .retain(|f| long_line.owns(f.offset.saturating_sub(base) as usize));
    for f in result.findings.iter_mut().filter(|f| f.line == 1) {
        f.column = u32::try_from(u64::from(f.column) + long_line.line_offset).unwrap_or(u32::MAX);
    }
    result.bytes = long_line.owned.len() as u64;
}

/// What the units of one file share: its state, the state of the pieces of its cut lines
/// after their first (they start mid-line: no CSV cells to count, key paths only as the
/// nesting of the line before them tells), whether the cut was noted, and the nesting of the
/// JSON line being cut.
pub(super) struct Pieces {
    pub(super) whole: Arc<FileState>,
    pub(super) mid_line: Arc<FileState>,
    pub(super) noted: bool,
    /// Whether field names are wanted from JSON lines (see [`json::Nesting`]).
    wants_paths: bool,
    nesting: json::Nesting,
    /// Whether the line being cut starts like JSON.
    json_line: bool,
    /// The offset in the file up to which the nesting was read.
    read_to: u64,
    /// Where the next piece of the line picks up its key paths.
    next: Option<Resume>,
}

impl Pieces {
    pub(super) fn new(file: &Arc<FileState>, config: &Config) -> Pieces {
        Pieces {
            whole: Arc::clone(file),
            mid_line: Arc::new(FileState {
                info: file.info.clone(),
                context: FileContext {
                    starts_mid_line: true,
                    ..FileContext::default()
                },
            }),
            noted: false,
            wants_paths: config.describe && config.structure && file.context.csv.is_none(),
            nesting: json::Nesting::default(),
            json_line: false,
            read_to: 0,
            next: None,
        }
    }

    /// Reads the nesting of a cut line through a piece of it (at `base` in the file), and
    /// returns where that piece picks up its key paths.
    pub(super) fn follow(
        &mut self,
        base: u64,
        piece: &[u8],
        long_line: &LongLine,
    ) -> Option<Resume> {
        if !self.wants_paths {
            return None;
        }
        let resume = if long_line.line_offset == 0 {
            self.nesting = json::Nesting::default();
            self.read_to = base;
            self.next = None;
            // A line of text is no JSON, whatever brackets and commas it holds.
            self.json_line = json::looks_like_json(piece);
            None
        } else {
            self.next.take()
        };
        // The last piece of the line has no piece after it to prepare.
        if self.json_line && long_line.owned.end < piece.len() {
            let next_start = base + (piece.len() - chunk::OVERLAP) as u64;
            let unread = &piece[(self.read_to - base) as usize..];
            let from = (next_start - self.read_to) as usize;
            self.next = self.nesting.feed(unread, from).map(|(i, prefix)| Resume {
                at: (self.read_to + i as u64 - next_start) as usize,
                prefix,
            });
            self.read_to = base + piece.len() as u64;
        }
        resume
    }
}
