//! Lines too long to hold whole: a line longer than [`chunk::MAX_LINE`] (a JSON array exported
//! on one line, a pipe with no newline) is cut into pieces that overlap by [`chunk::OVERLAP`];
//! each piece keeps the findings that start in its own part ([`keep_owned`]), so a value across
//! a cut is found whole and once. The pieces after the first start mid-line: they are scanned
//! without CSV columns, and a JSON line's key paths are followed through the pieces on the
//! reading thread ([`Pieces::follow`]), so that each piece walks behind a short prefix that
//! stands for the line before it; whether the line is malformed JSON is judged there too,
//! once it has been read whole.

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

/// What the units of one file share: its state, the state of the first piece of its cut
/// lines and that of the pieces after the first (they start mid-line: no CSV cells to count,
/// key paths only as the nesting of the line before them tells), whether the cut was noted,
/// and the nesting of the JSON line being cut.
pub(super) struct Pieces {
    pub(super) whole: Arc<FileState>,
    pub(super) first: Arc<FileState>,
    pub(super) mid_line: Arc<FileState>,
    pub(super) noted: bool,
    /// Cut JSON lines that did not close, to count as malformed.
    pub(super) malformed: u64,
    /// Whether JSON lines are read as JSON (not with `--plain`, nor in a CSV file), and
    /// whether field names are wanted from them (see [`json::Nesting`]).
    reads_json: bool,
    wants_paths: bool,
    nesting: json::Nesting,
    /// Whether the line being cut starts like JSON.
    json_line: bool,
}

impl Pieces {
    pub(super) fn new(file: &Arc<FileState>, config: &Config) -> Pieces {
        let part = |starts_mid_line| {
            Arc::new(FileState {
                info: file.info.clone(),
                context: FileContext {
                    starts_mid_line,
                    judged_whole: true,
                    ..FileContext::default()
                },
            })
        };
        Pieces {
            whole: Arc::clone(file),
            first: Arc::new(FileState {
                info: file.info.clone(),
                context: FileContext {
                    judged_whole: true,
                    ..file.context.clone()
                },
            }),
            mid_line: part(true),
            noted: false,
            malformed: 0,
            reads_json: config.structure && file.context.csv.is_none(),
            wants_paths: config.describe && config.structure && file.context.csv.is_none(),
            nesting: json::Nesting::default(),
            json_line: false,
        }
    }

    /// Reads the nesting of a cut line through a piece of it, up to where the next piece
    /// starts, and returns where that piece picks up its key paths: at its first place
    /// outside a string (where a long text value ends, for a piece that starts inside it).
    pub(super) fn follow(&mut self, piece: &[u8], long_line: &LongLine) -> Option<Resume> {
        let first = long_line.line_offset == 0;
        if first {
            self.nesting = json::Nesting::default();
            // A line of text is no JSON, whatever brackets and commas it holds.
            self.json_line = self.reads_json && json::looks_like_json(piece);
        }
        if !self.json_line {
            return None;
        }
        let last = long_line.owned.end == piece.len();
        let stop = if last {
            piece.len()
        } else {
            piece.len() - chunk::OVERLAP
        };
        // The first piece is walked as a line is.
        let from = if first { usize::MAX } else { 0 };
        let mut found = self.nesting.feed(&piece[..stop], from);
        if found.is_none() && !first && !last {
            // A string that ends in the overlap: the piece after reads it again.
            let mut ahead = self.nesting.clone();
            found = ahead
                .feed(&piece[stop..], 0)
                .map(|(i, prefix)| (stop + i, prefix));
        }
        if last && !self.nesting.closed() {
            self.malformed += 1;
        }
        found
            .filter(|_| self.wants_paths)
            .map(|(at, prefix)| Resume { at, prefix })
    }
}
