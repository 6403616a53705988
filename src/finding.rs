//! What a scan produces: a [`Finding`] names a kind of personal data and where it sits in its
//! input, never the data itself.
//!
//! Findings carry byte offsets rather than copies of the matched text so that the hot path
//! allocates nothing per match and so that no raw value lingers in memory longer than the
//! chunk it was found in. Reporters that need a masked (or, with `--show-values`, a raw) value
//! slice it from the chunk while the chunk is still mapped.

use std::sync::Arc;

use compact_str::CompactString;

pub use crate::detect::{Kind, KindSet};

/// One piece of personal data found in an input.
///
/// `offset` counts bytes from the start of the input (for compressed inputs, of the
/// decompressed stream); `line` and `column` are 1-based, the column in bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub offset: u64,
    pub length: u32,
    pub line: u64,
    pub column: u32,
    pub kind: Kind,
    /// The JSON key path or CSV column the value sits under, when known. Shared by the
    /// findings of one field in one chunk.
    pub field: Option<Arc<str>>,
    /// The value masked for display (see [`crate::detect::mask`]); short enough to be held
    /// inline.
    pub masked: CompactString,
    /// The raw value, kept only when the user asked for it with `--show-values`.
    pub value: Option<Box<str>>,
    /// A keyed hash of the value (see [`crate::scan::Config::fingerprints`]), for counting
    /// distinct values without keeping any.
    pub fingerprint: Option<u64>,
    /// What a check of the raw value concluded, when one was configured (see
    /// [`crate::scan::ValueCheck`]): a policy's allowlists by value, a baseline's digest.
    pub checked: Option<Checked>,
}

/// What a [`crate::scan::ValueCheck`] concluded from a raw value, so that nothing downstream of
/// the engine needs the value itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Checked {
    /// The number of the allowlist entry that accepts the value, if one does.
    pub allowed_by: Option<u32>,
    /// A keyed hash of the normalised value, when baselines are in use.
    pub digest: Option<[u8; 16]>,
}
