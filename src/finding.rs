//! What a scan produces: a [`Finding`] names a kind of personal data and where it sits in its
//! input, never the data itself.
//!
//! A finding carries byte offsets and a masked value made while its chunk was in memory
//! (see [`crate::engine`]), never the raw text unless `--show-values` asked for it, so that no
//! raw value travels past the engine or lingers longer than the chunk it was found in. What a
//! policy concluded of a raw value travels as [`Checked`], and of a whole finding as a
//! [`Judgement`], beside it on the sink's events.

use std::sync::Arc;

use compact_str::CompactString;

pub use crate::detect::{Detail, Kind, KindSet};
use serde::{Deserialize, Serialize};

/// One piece of personal data found in an input.
///
/// `offset` counts bytes from the start of the input (for compressed inputs, of the
/// decompressed stream); `line` and `column` are 1-based, the column in bytes. For an input
/// read as records (a Parquet file), `line` is the 1-based row and `column` and `offset`
/// count bytes within the value, whose field is `field`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub offset: u64,
    pub length: u32,
    pub line: u64,
    pub column: u32,
    pub kind: Kind,
    /// What the kind leaves open: a national number's scheme (`us_ssn`), a credential's rule
    /// (`github.pat`); [`Detail::NONE`] for most kinds.
    pub detail: Detail,
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

/// What a policy does with the findings of a kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Findings fail the gate (exit 1).
    Fail,
    /// Findings are printed but the gate passes.
    Warn,
    /// The kind is not reported (and, where nothing depends on it, not even scanned).
    Ignore,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Fail => "fail",
            Action::Warn => "warn",
            Action::Ignore => "ignore",
        }
    }
}

/// What a policy concluded about one finding it kept, carried beside the finding to the
/// reporters (SARIF levels and baseline state, the JSON formats' `action` and `baseline`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Judgement {
    /// The action of the finding's kind (never [`Action::Ignore`]: those are dropped).
    pub action: Action,
    /// With a baseline: whether it accepts the finding. `None` without a baseline.
    pub known: Option<bool>,
    /// The finding's keyed fingerprint, when a key is in use (a baseline, or
    /// `PIISCAN_FINGERPRINT_KEY`): stable across runs and reformatting, no value in it.
    pub fingerprint: Option<[u8; 16]>,
}
