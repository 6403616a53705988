//! Distinct counts: exact while small, a HyperLogLog estimate beyond, both mergeable.
//!
//! A count is kept as the set of its fingerprints while it is small, then as a sketch of
//! 2^14 one-byte registers ([`Sketch`]). Both merge without loss: sets by union, sketches by
//! the register-wise maximum, so that counts made over parts of an input and merged are the
//! counts one pass over all of it gives (see [`super::Partial`]).
//!
//! The sketch is our own, not the `hyperloglogplus` crate it replaces: that crate merges, but
//! its state (sparse lists, a temporary set, packed registers) is private and serialised in a
//! layout of its own, which a partial report would have to carry as is, could not validate
//! when reading it back, and would break on a change of the crate. A plain register array is
//! a documented format (`exact` or `registers` in `docs/partial.md`) checked on reading, and
//! its estimate is Ertl's ("New cardinality estimation algorithms for HyperLogLog sketches",
//! 2017, the improved estimator of section 4): no empirical bias tables, accurate from one
//! value up, and a relative standard error of about 1.04 / sqrt(2^14) ≈ 0.81%, as before.

use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

use super::{EXACT_LIMIT, PRECISION};

/// The number of registers of a sketch.
const REGISTERS: usize = 1 << PRECISION;
/// The bits of a hash left after the register index; a register holds at most this plus 1.
const Q: u32 = 64 - PRECISION as u32;

/// A count of distinct fingerprints: exact while small, estimated beyond.
///
/// Fingerprints are keyed hashes already, uniformly spread whatever the values: the exact set
/// hashes them again with FxHash (one multiplication), not SipHash.
#[derive(Clone, Debug, Default)]
pub struct Distinct {
    exact: FxHashSet<u64>,
    /// How many of `exact` were counted against a shared budget.
    exact_kept: usize,
    sketch: Option<Box<Sketch>>,
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
            Some(sketch) => sketch.insert(fingerprint),
            None => {
                if *room == 0 && !self.exact.contains(&fingerprint) {
                    self.estimate(room);
                    self.insert_within(fingerprint, room);
                    return;
                }
                if self.exact.insert(fingerprint) {
                    *room -= 1;
                    self.exact_kept += 1;
                }
                if self.exact.len() > EXACT_LIMIT {
                    self.estimate(room);
                }
            }
        }
    }

    /// Adds the fingerprints counted by `other`: a union while both are exact and the union
    /// fits (the field's limit and `room`), else the sketch of both. The cost is that of
    /// `other`'s state (at most [`EXACT_LIMIT`] fingerprints, or the registers), never of the
    /// findings counted.
    pub(super) fn merge(&mut self, other: Distinct, room: &mut usize) {
        let Distinct { exact, sketch, .. } = other;
        if let Some(theirs) = sketch {
            match &mut self.sketch {
                Some(ours) => ours.merge(&theirs),
                None => {
                    let kept = std::mem::take(&mut self.exact_kept);
                    let mut sketch = theirs;
                    for f in self.exact.drain() {
                        sketch.insert(f);
                    }
                    self.exact = FxHashSet::default();
                    self.sketch = Some(sketch);
                    *room = room.saturating_add(kept);
                }
            }
            return;
        }
        if self.sketch.is_none() && self.exact.is_empty() && exact.len() <= (*room).min(EXACT_LIMIT)
        {
            *room -= exact.len();
            self.exact_kept = exact.len();
            self.exact = exact;
            return;
        }
        for f in exact {
            self.insert_within(f, room);
        }
    }

    /// Adds the fingerprints counted by `other`, which goes on counting its own: how a kind's
    /// count is made from its fields' (see `Exposure::kind_counts`). Without a limit of room,
    /// so the union is exact while it fits [`EXACT_LIMIT`], as counting every value again
    /// would leave it.
    pub(super) fn union(&mut self, other: &Distinct) {
        let mut unlimited = usize::MAX;
        match &other.sketch {
            Some(theirs) => match &mut self.sketch {
                Some(ours) => ours.merge(theirs),
                None => {
                    let mut sketch = theirs.clone();
                    for &f in &self.exact {
                        sketch.insert(f);
                    }
                    self.exact = FxHashSet::default();
                    self.exact_kept = 0;
                    self.sketch = Some(sketch);
                }
            },
            None if self.sketch.is_none() && self.exact.is_empty() => {
                self.exact = other.exact.clone();
                self.exact_kept = self.exact.len();
            }
            None => {
                for &f in &other.exact {
                    self.insert_within(f, &mut unlimited);
                }
            }
        }
    }

    /// Moves the exact set into a sketch, giving back to `room` what it kept.
    fn estimate(&mut self, room: &mut usize) {
        let mut sketch = Box::new(Sketch::new());
        for f in self.exact.drain() {
            sketch.insert(f);
        }
        self.exact = FxHashSet::default();
        self.sketch = Some(sketch);
        *room = room.saturating_add(std::mem::take(&mut self.exact_kept));
    }

    /// The count, and whether it is an estimate.
    pub fn count(&self) -> Count {
        match &self.sketch {
            Some(sketch) => Count {
                value: sketch.estimate().round() as u64,
                estimated: true,
            },
            None => Count {
                value: self.exact.len() as u64,
                estimated: false,
            },
        }
    }
}

/// A HyperLogLog sketch of 2^[`PRECISION`] registers, each the highest rank seen among the
/// hashes of its index (see [`Sketch::insert`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Sketch {
    registers: [u8; REGISTERS],
}

impl Sketch {
    fn new() -> Sketch {
        Sketch {
            registers: [0; REGISTERS],
        }
    }

    /// Counts a fingerprint: its [`spread`] hash's first 14 bits choose the register, and the
    /// rank is one plus the number of zeros that lead the other 50 bits (51 when all are
    /// zero); the register keeps the highest rank.
    fn insert(&mut self, fingerprint: u64) {
        let hash = spread(fingerprint);
        let index = (hash >> Q) as usize;
        let rest = hash << PRECISION;
        let rank = if rest == 0 {
            Q + 1
        } else {
            rest.leading_zeros() + 1
        };
        let register = &mut self.registers[index];
        *register = (*register).max(rank as u8);
    }

    fn merge(&mut self, other: &Sketch) {
        for (ours, theirs) in self.registers.iter_mut().zip(other.registers.iter()) {
            *ours = (*ours).max(*theirs);
        }
    }

    /// Ertl's improved estimator (2017, algorithm 6): from the histogram of register values,
    /// without bias tables.
    fn estimate(&self) -> f64 {
        let m = REGISTERS as f64;
        let mut histogram = [0u32; Q as usize + 2];
        for &r in &self.registers {
            histogram[usize::from(r).min(Q as usize + 1)] += 1;
        }
        let mut z = m * tau(1.0 - f64::from(histogram[Q as usize + 1]) / m);
        for k in (1..=Q as usize).rev() {
            z = 0.5 * (z + f64::from(histogram[k]));
        }
        z += m * sigma(f64::from(histogram[0]) / m);
        let alpha = 0.5 / std::f64::consts::LN_2;
        alpha * m * m / z
    }

    /// The registers as hexadecimal, two digits each, in index order.
    fn to_hex(&self) -> String {
        let mut hex = String::with_capacity(2 * REGISTERS);
        for r in &self.registers {
            hex.push(HEX[usize::from(r >> 4)] as char);
            hex.push(HEX[usize::from(r & 15)] as char);
        }
        hex
    }

    /// Reads [`Sketch::to_hex`]; `None` unless it is 2^14 registers of at most 51.
    fn from_hex(hex: &str) -> Option<Sketch> {
        let bytes = hex.as_bytes();
        if bytes.len() != 2 * REGISTERS {
            return None;
        }
        let mut sketch = Sketch::new();
        for (register, pair) in sketch.registers.iter_mut().zip(bytes.chunks_exact(2)) {
            let value = hex_digit(pair[0])? << 4 | hex_digit(pair[1])?;
            if u32::from(value) > Q + 1 {
                return None;
            }
            *register = value;
        }
        Some(sketch)
    }
}

/// σ of Ertl's estimator: the correction for empty registers.
fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let (mut y, mut z) = (1.0, x);
    loop {
        x *= x;
        let previous = z;
        z += x * y;
        y += y;
        if z == previous {
            return z;
        }
    }
}

/// τ of Ertl's estimator: the correction for saturated registers.
fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let (mut y, mut z) = (1.0, 1.0 - x);
    loop {
        x = x.sqrt();
        let previous = z;
        y *= 0.5;
        z -= (1.0 - x).powi(2) * y;
        if z == previous {
            return z / 3.0;
        }
    }
}

/// The sketch's hash of a fingerprint: SplitMix64's finaliser, the same for every run.
///
/// Fingerprints are keyed hashes already; the sketch only needs their bits spread. A hasher
/// drawn per run made estimates move between runs even under one fingerprint key, so that two
/// reports of one export could not be compared, and sketches of two runs could not be merged;
/// with this one a sketch depends on the fingerprints alone.
pub(super) fn spread(fingerprint: u64) -> u64 {
    let mut z = fingerprint.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// A distinct count as a partial report holds it: `{"exact": "…"}`, the fingerprints sorted
/// and written as 16 hexadecimal digits each, one after the other, or `{"registers": "…"}`,
/// the sketch's 2^14 registers as 2 digits each.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum Stored {
    Exact(String),
    Registers(String),
}

impl Serialize for Distinct {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let stored = match &self.sketch {
            Some(sketch) => Stored::Registers(sketch.to_hex()),
            None => {
                let mut sorted: Vec<u64> = self.exact.iter().copied().collect();
                sorted.sort_unstable();
                let mut hex = String::with_capacity(16 * sorted.len());
                for f in sorted {
                    for shift in (0..16).rev() {
                        hex.push(HEX[(f >> (shift * 4) & 15) as usize] as char);
                    }
                }
                Stored::Exact(hex)
            }
        };
        stored.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Distinct {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Distinct, D::Error> {
        use serde::de::Error;
        match Stored::deserialize(deserializer)? {
            Stored::Registers(hex) => match Sketch::from_hex(&hex) {
                Some(sketch) => Ok(Distinct {
                    sketch: Some(Box::new(sketch)),
                    ..Distinct::default()
                }),
                None => Err(D::Error::custom(format!(
                    "registers must be {} hexadecimal digits (lower case), each pair at most {}",
                    2 * REGISTERS,
                    Q + 1
                ))),
            },
            Stored::Exact(hex) => {
                let bytes = hex.as_bytes();
                if bytes.len() % 16 != 0 || bytes.len() / 16 > EXACT_LIMIT {
                    return Err(D::Error::custom(format!(
                        "exact fingerprints must be 16 hexadecimal digits each, at most \
                         {EXACT_LIMIT} of them"
                    )));
                }
                let mut exact = FxHashSet::default();
                exact.reserve(bytes.len() / 16);
                for word in bytes.chunks_exact(16) {
                    let mut f = 0u64;
                    for &b in word {
                        let digit = hex_digit(b).ok_or_else(|| {
                            D::Error::custom("exact fingerprints must be lower-case hexadecimal")
                        })?;
                        f = f << 4 | u64::from(digit);
                    }
                    exact.insert(f);
                }
                Ok(Distinct {
                    exact,
                    ..Distinct::default()
                })
            }
        }
    }
}

/// A distinct count as reported.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Count {
    pub value: u64,
    /// True when the count is a HyperLogLog estimate (standard error [`ESTIMATE_ERROR`]).
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
