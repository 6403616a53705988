//! Fingerprints: keyed hashes of values in their kind's normal form, so that the exposure
//! report counts distinct people (`Jane@Example.com` and `jane%40example.com` are one) and
//! partial reports merge, without any value, raw or hashed with a known function, kept.
//!
//! The report fingerprints every finding, and folding a value then hashing it with
//! SipHash-2-4 costs a few hundred instructions. An export repeats its values line after line
//! (a browser, a city, a referrer, the same user's id), so each thread remembers the
//! fingerprints of the values it met last, by the bytes as written: a hit costs a cheap hash
//! and a comparison. A kind whose values are met once each (event ids, in some exports every
//! e-mail) would only pay for the look-ups, so the table watches each kind's hits and lets
//! such a kind's values pass by for a while.

use std::cell::RefCell;
use std::hash::{BuildHasher, Hash, Hasher};

use crate::detect::normal::FOLD_MAX;
use crate::detect::Kind;

/// The key of fingerprints: SipHash-2-4 under two 64-bit keys, given or drawn for the run.
///
/// The standard library's `RandomState` cannot be given a key, and a report whose distinct
/// counts are to be compared across runs needs the same key each time (its estimates hash
/// the fingerprints, so they move with the key). `SipHasher` is deprecated only in favour of
/// crates; it is the same keyed function `RandomState` uses, with two more rounds.
#[derive(Clone, Copy, Debug)]
pub struct FingerprintHasher([u64; 2]);

impl FingerprintHasher {
    /// `key`, or one drawn at random.
    pub fn new(key: Option<[u64; 2]>) -> FingerprintHasher {
        FingerprintHasher(key.unwrap_or_else(|| {
            use rand::RngCore;
            let mut rng = rand::rngs::OsRng;
            [rng.next_u64(), rng.next_u64()]
        }))
    }
}

impl std::hash::BuildHasher for FingerprintHasher {
    #[allow(deprecated)]
    type Hasher = std::hash::SipHasher;

    #[allow(deprecated)]
    fn build_hasher(&self) -> std::hash::SipHasher {
        std::hash::SipHasher::new_with_keys(self.0[0], self.0[1])
    }
}

/// The bytes `Hash` writes for a built-in kind: its number, as a `usize`.
const KIND_LEN: usize = std::mem::size_of::<usize>();

/// Values remembered per thread, in a table indexed by a hash of the value.
const RECENT: usize = 1024;
/// Longer values are fingerprinted every time: rarely repeated, and costly to keep. A
/// remembered value is held in its slot, not behind a pointer: a look-up reads one or two
/// cache lines of the table and nothing else.
const RECENT_MAX_LEN: usize = 62;

/// A value met lately, with its fingerprint under the table's key.
#[derive(Clone, Copy)]
struct Recent {
    fingerprint: u64,
    kind: Option<Kind>,
    len: u8,
    raw: [u8; RECENT_MAX_LEN],
}

impl Recent {
    const EMPTY: Recent = Recent {
        fingerprint: 0,
        kind: None,
        len: 0,
        raw: [0; RECENT_MAX_LEN],
    };
}

/// How a kind's values fared in the table lately: a kind whose values seldom repeat (an
/// account or event id, each met once) costs a look-up and a slot per value and saves nothing,
/// so its values skip the table for a while.
#[derive(Clone, Copy, Default)]
struct KindHits {
    looked: u16,
    found: u16,
    /// Values still to skip the table.
    skip: u16,
}

/// Look-ups a kind's hits are judged over.
const JUDGED_OVER: u16 = 256;
/// A kind found in fewer than one look-up in this many skips the table: a look-up that misses
/// costs about a third of working the fingerprint out (a cache miss in the table, the copy
/// into the slot), so remembering pays from about one hit in three.
const FEWER_THAN_ONE_IN: u16 = 4;
/// Values of such a kind that skip the table before it is tried again.
const SKIPPED: u16 = 8192;

/// One thread's remembered values, all under one key.
struct RecentValues {
    key: [u64; 2],
    slots: Box<[Recent]>,
    kinds: [KindHits; 32],
}

impl RecentValues {
    fn new(key: [u64; 2]) -> RecentValues {
        RecentValues {
            key,
            slots: vec![Recent::EMPTY; RECENT].into_boxed_slice(),
            kinds: [KindHits::default(); 32],
        }
    }
}

thread_local! {
    static RECENT_VALUES: RefCell<Option<RecentValues>> = const { RefCell::new(None) };
    // Kept by the thread: a buffer on the stack would be zeroed for every finding.
    // The kind's number, then the value folded: hashed in one write.
    static FOLDED: RefCell<[u8; KIND_LEN + FOLD_MAX]> = const { RefCell::new([0; KIND_LEN + FOLD_MAX]) };
    static NORMAL: RefCell<String> = const { RefCell::new(String::new()) };
}

impl FingerprintHasher {
    /// The fingerprint of the raw value `raw` of `kind`: the same for the same value however it
    /// is written, and for the same key.
    pub fn fingerprint(&self, kind: Kind, raw: &[u8]) -> u64 {
        if raw.len() > RECENT_MAX_LEN {
            return self.compute(kind, raw);
        }
        RECENT_VALUES.with_borrow_mut(|recent| {
            let recent = match recent {
                Some(r) if r.key == self.0 => r,
                _ => recent.insert(RecentValues::new(self.0)),
            };
            let hits = &mut recent.kinds[kind.slot()];
            if hits.skip > 0 {
                hits.skip -= 1;
                return self.compute(kind, raw);
            }
            let mut hash = rustc_hash::FxHasher::default();
            hash.write(raw);
            kind.hash(&mut hash);
            // The high bits: a multiplicative hash mixes its input into them.
            let slot = (hash.finish() >> (64 - RECENT.trailing_zeros())) as usize;
            let entry = &mut recent.slots[slot];
            let found = entry.kind == Some(kind) && &entry.raw[..entry.len as usize] == raw;
            hits.looked += 1;
            hits.found += u16::from(found);
            if hits.looked == JUDGED_OVER {
                if hits.found < JUDGED_OVER / FEWER_THAN_ONE_IN {
                    hits.skip = SKIPPED;
                }
                (hits.looked, hits.found) = (0, 0);
            }
            if found {
                return entry.fingerprint;
            }
            let fingerprint = self.compute(kind, raw);
            entry.kind = Some(kind);
            entry.len = raw.len() as u8;
            entry.raw[..raw.len()].copy_from_slice(raw);
            entry.fingerprint = fingerprint;
            fingerprint
        })
    }

    /// [`FingerprintHasher::fingerprint`] worked out.
    ///
    /// The fingerprint is the keyed hash of the kind as `Hash` writes it, then of the value in
    /// normal form ([`FingerprintHasher::kind_and`]); a built-in kind writes its number as
    /// eight bytes, so the common case (a short ASCII value) is folded behind them and hashed
    /// in one write, which gives the same hash (SipHash reads one stream of bytes, however it
    /// is cut).
    fn compute(&self, kind: Kind, raw: &[u8]) -> u64 {
        FOLDED.with_borrow_mut(|buf| {
            let (number, value) = buf.split_at_mut(KIND_LEN);
            let value: &mut [u8; FOLD_MAX] = value.try_into().expect("FOLD_MAX bytes");
            let Some(n) = kind.normal().fold_ascii(raw, value) else {
                return NORMAL.with_borrow_mut(|normal| {
                    kind.normal().general_into(raw, normal);
                    self.kind_and(kind, normal.as_bytes())
                });
            };
            if kind.is_custom() {
                return self.kind_and(kind, &value[..n]);
            }
            number.copy_from_slice(&(kind.slot() as u64).to_le_bytes());
            let mut hasher = self.build_hasher();
            hasher.write(&buf[..KIND_LEN + n]);
            hasher.finish()
        })
    }

    /// The keyed hash of `kind` as `Hash` writes it, then of `normal`, a value in its normal
    /// form: what a fingerprint is, and what partial reports of earlier builds hold.
    fn kind_and(&self, kind: Kind, normal: &[u8]) -> u64 {
        let mut hasher = self.build_hasher();
        kind.hash(&mut hasher);
        hasher.write(normal);
        hasher.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::kind::CustomKind;

    /// What the cache answers is what working it out gives, whoever asked before: the same
    /// bytes under another kind or key, values that share a slot, values past the length cut,
    /// values asked twice in a row (found), and values asked once each (a kind that then
    /// skips the table).
    #[test]
    fn remembered_fingerprints_are_those_worked_out() {
        let keys = [
            FingerprintHasher::new(Some([1, 2])),
            FingerprintHasher::new(Some([3, 4])),
        ];
        let long = "x".repeat(RECENT_MAX_LEN + 1);
        let mut values: Vec<String> = (0..3 * RECENT)
            .map(|i| format!("user{i}@example.com"))
            .collect();
        values.extend(
            [
                "Jane@Example.com",
                "jane%40example.com",
                "Chrome",
                "São Paulo",
                &long,
            ]
            .map(String::from),
        );
        for round in 0..2 {
            for key in &keys {
                let custom = Kind::Custom(CustomKind::intern("employee_id").expect("room"));
                for kind in [Kind::Email, Kind::City, Kind::Device, custom] {
                    for value in &values {
                        let raw = value.as_bytes();
                        for _ in 0..2 - round {
                            assert_eq!(
                                key.fingerprint(kind, raw),
                                key.kind_and(kind, kind.normal().apply(raw).as_bytes()),
                                "round {round}, {kind:?}, {value}"
                            );
                        }
                    }
                }
            }
        }
        let [a, b] = keys;
        assert_ne!(
            a.fingerprint(Kind::Email, b"a@b.co"),
            b.fingerprint(Kind::Email, b"a@b.co")
        );
        assert_ne!(
            a.fingerprint(Kind::Email, b"Paris"),
            a.fingerprint(Kind::City, b"Paris")
        );
        assert_eq!(
            a.fingerprint(Kind::Email, b"Jane@Example.com"),
            a.fingerprint(Kind::Email, b"jane%40example.com")
        );
    }
}
