//! Distinct counts: exact while small, a HyperLogLog++ estimate beyond.

use std::hash::{BuildHasher, Hasher};

use hyperloglogplus::{HyperLogLog, HyperLogLogPlus};
use rustc_hash::FxHashSet;
use serde::Serialize;

use super::{EXACT_LIMIT, PRECISION};

/// A count of distinct fingerprints: exact while small, estimated beyond.
///
/// Fingerprints are keyed hashes already, uniformly spread whatever the values: the exact set
/// hashes them again with FxHash (one multiplication), not SipHash.
#[derive(Default)]
pub struct Distinct {
    exact: FxHashSet<u64>,
    /// How many of `exact` were counted against a shared budget.
    exact_kept: usize,
    sketch: Option<HyperLogLogPlus<u64, Spread>>,
}

impl Distinct {
    pub fn insert(&mut self, fingerprint: u64) {
        let mut room = usize::MAX;
        self.insert_within(fingerprint, &mut room);
    }

    /// Inserts a fingerprint, counting a newly kept one against `room` (the fingerprints that
    /// may still be kept by the counts sharing it), and switches to an estimate when the
    /// field's own limit or `room` is exhausted, giving back what it kept.
    pub(super) fn insert_within(&mut self, fingerprint: u64, room: &mut usize) {
        match &mut self.sketch {
            Some(sketch) => sketch.insert(&fingerprint),
            None => {
                if *room == 0 && !self.exact.contains(&fingerprint) {
                    self.estimate();
                    self.insert_within(fingerprint, room);
                    *room = room.saturating_add(std::mem::take(&mut self.exact_kept));
                    return;
                }
                if self.exact.insert(fingerprint) {
                    *room -= 1;
                    self.exact_kept += 1;
                }
                if self.exact.len() > EXACT_LIMIT {
                    self.estimate();
                    *room = room.saturating_add(std::mem::take(&mut self.exact_kept));
                }
            }
        }
    }

    /// Moves the exact set into a sketch.
    fn estimate(&mut self) {
        let mut sketch = HyperLogLogPlus::new(PRECISION, Spread).expect("precision 14 is valid");
        for f in self.exact.drain() {
            sketch.insert(&f);
        }
        self.exact = FxHashSet::default();
        self.sketch = Some(sketch);
    }

    /// The count, and whether it is an estimate.
    pub fn count(&mut self) -> Count {
        match &mut self.sketch {
            Some(sketch) => Count {
                value: sketch.count().round() as u64,
                estimated: true,
            },
            None => Count {
                value: self.exact.len() as u64,
                estimated: false,
            },
        }
    }
}

/// The sketch's hash of a fingerprint: SplitMix64's finaliser, the same for every run.
///
/// Fingerprints are keyed hashes already; the sketch only needs their bits spread. A hasher
/// drawn per run (`RandomState`, as the sketch was first given) made estimates move between
/// runs even under one fingerprint key, so that two reports of one export could not be
/// compared; with this one an estimate depends on the fingerprints alone.
#[derive(Clone, Copy, Debug, Default)]
pub struct Spread;

impl BuildHasher for Spread {
    type Hasher = SpreadHasher;

    fn build_hasher(&self) -> SpreadHasher {
        SpreadHasher(0)
    }
}

/// See [`Spread`].
#[derive(Clone, Copy, Debug, Default)]
pub struct SpreadHasher(u64);

impl Hasher for SpreadHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, n: u64) {
        let mut z = (self.0 ^ n).wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        self.0 = z ^ (z >> 31);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A distinct count as reported.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Count {
    pub value: u64,
    /// True when the count is a HyperLogLog++ estimate (standard error [`ESTIMATE_ERROR`]).
    pub estimated: bool,
}

impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.estimated {
            write!(f, "~{}", self.value)
        } else {
            write!(f, "{}", self.value)
        }
    }
}
