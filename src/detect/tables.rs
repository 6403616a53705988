//! The word tables built into the binary: how they are laid out, and what their values say.
//!
//! The name and place lists are fixed when piiscan is built, so everything that depends only on
//! them (parsing, lower-casing, merging duplicates, hashing, sorting) is done then, by
//! `build.rs`, and a table at run time is a slice of the binary, ready at its first lookup.
//! Building them in every process cost 0.35 G instructions before the first byte was read,
//! the fixed cost of every shard and of every test that runs the binary.
//!
//! A list becomes three tables:
//!
//! * [`Words`]: every entry of up to 16 bytes, packed into two integers, in an open-addressed
//!   hash table (linear probing, at most half full), and those of 17 to 32 bytes in another,
//!   packed into four. Nearly every word looked up is that short, and most are in no list: a
//!   lookup hashes two integers and compares registers, where a perfect hash such as `phf`'s
//!   would first run SipHash over the bytes.
//! * An [`fst`] map of the entries longer than 32 bytes and of those of several words (`rio de
//!   janeiro`), which the tables above also hold when they fit. Walked byte by byte,
//!   it gives the longest entry a text starts with, which an anchored aho-corasick automaton
//!   gave before, without compiling one (that took 88 M instructions per process).
//! * A Bloom filter of the first words of the entries of several words ([`may_start_phrase`]),
//!   so that the walk is tried only where a phrase may start.
//!
//! This file is compiled twice: into the build script, which writes the tables, and into the
//! crate, which reads them. So it uses nothing but `std` and `fst`.

/// True for bytes that continue a word: ASCII letters and digits, `_`, and any non-ASCII byte
/// (so that `José` or `Zürich` are single words).
#[inline]
pub fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// True when `text` is a single word (every byte continues a word).
pub fn is_one_word(text: &[u8]) -> bool {
    text.iter().all(|&b| is_word_byte(b))
}

/// The first word of `text` (up to the first byte that does not continue a word).
pub fn first_word(text: &[u8]) -> &[u8] {
    let end = text
        .iter()
        .position(|&b| !is_word_byte(b))
        .unwrap_or(text.len());
    &text[..end]
}

/// A word of up to `8 * W` bytes (`W` at most 4), ASCII lower-cased, packed into `W` integers
/// with its length.
///
/// Nearly every entry and every word looked up is that short. Packed, a lookup lower-cases
/// eight bytes at a time, hashes and compares registers, and never follows a pointer to an
/// entry's bytes: the capitalised words of an export (`Safari`, `Chrome`, `Sign Up`) are
/// looked up millions of times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Packed<const W: usize> {
    pub bytes: [u64; W],
    pub len: u8,
}

/// Words of up to 16 bytes: nearly every entry, and nearly every word looked up.
pub type Short = Packed<2>;

/// Words of 17 to 32 bytes: most longer values under place keys (`North Rhine-Westphalia`).
pub type Long = Packed<4>;

impl<const W: usize> Packed<W> {
    pub const LEN: usize = 8 * W;

    /// `word` lower-cased, if it is short enough.
    #[inline]
    pub fn new(word: &[u8]) -> Option<Packed<W>> {
        if word.len() > Self::LEN {
            return None;
        }
        let mut buf = [0u8; 32];
        buf[..word.len()].copy_from_slice(word);
        let mut bytes = [0u64; W];
        for (i, packed) in bytes.iter_mut().enumerate() {
            let eight: [u8; 8] = buf[i * 8..i * 8 + 8].try_into().expect("eight bytes");
            *packed = lower_ascii_swar(u64::from_le_bytes(eight));
        }
        Some(Packed {
            bytes,
            len: word.len() as u8,
        })
    }

    /// A hash whose high bits depend on every bit of the word (rustc-hash's multiplier).
    #[inline]
    fn hash(self) -> u64 {
        const K: u64 = 0xf135_7aea_2e62_a9c5;
        self.bytes
            .iter()
            .fold(u64::from(self.len), |h, &w| (h ^ w).wrapping_mul(K))
    }
}

/// Lower-cases the ASCII capitals among eight bytes: a byte is a capital when its low seven
/// bits are in `A..=Z` and its top bit is clear; adding to the low seven bits of every byte at
/// once cannot carry into the next byte.
#[inline]
pub fn lower_ascii_swar(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let low = x & (0x7F * ONES);
    let from_a = low + (0x80 - u64::from(b'A')) * ONES;
    let past_z = low + (0x80 - u64::from(b'Z') - 1) * ONES;
    let capital = from_a & !past_z & !x & (0x80 * ONES);
    x | capital >> 2
}

/// A slot of [`Words`] holds the `W` integers of a [`Packed`] word, then its length in the
/// low byte of one more and the entry's value above it, little-endian. A length of zero marks
/// an empty slot (no entry is empty).
const fn slot_len(w: usize) -> usize {
    8 * w + 8
}

/// The largest value a table holds: what fits above a slot's length byte.
pub const MAX_VALUE: u64 = u64::MAX >> 8;

/// The entries of a list that pack into `W` integers, and their values: an open-addressed
/// table of slots, a power of two of them.
#[derive(Clone, Copy)]
pub struct Words<'a, const W: usize> {
    slots: &'a [u8],
    /// log2 of the number of slots.
    bits: u32,
}

impl<'a, const W: usize> Words<'a, W> {
    const SLOT: usize = slot_len(W);

    /// The table [`write_words`] wrote into `slots`.
    pub fn new(slots: &'a [u8]) -> Words<'a, W> {
        let count = slots.len() / Self::SLOT;
        assert!(
            count >= 2 && count.is_power_of_two() && slots.len().is_multiple_of(Self::SLOT),
            "a word table is a power of two of slots"
        );
        Words {
            slots,
            bits: count.trailing_zeros(),
        }
    }

    fn first_slot(&self, key: Packed<W>) -> usize {
        (key.hash() >> (64 - self.bits)) as usize
    }

    /// The value of `key`, if it is an entry.
    #[inline]
    pub fn get(&self, key: Packed<W>) -> Option<u64> {
        let mask = (1usize << self.bits) - 1;
        let mut i = self.first_slot(key);
        loop {
            let slot = self.slots.get(i * Self::SLOT..(i + 1) * Self::SLOT)?;
            let word =
                |at: usize| u64::from_le_bytes(slot[at * 8..at * 8 + 8].try_into().expect("8"));
            let meta = word(W);
            if meta == 0 {
                return None;
            }
            if meta as u8 == key.len && (0..W).all(|at| word(at) == key.bytes[at]) {
                return Some(meta >> 8);
            }
            i = (i + 1) & mask;
        }
    }
}

/// Writes the table of `entries`, distinct words with values up to [`MAX_VALUE`], at most half
/// full.
#[cfg_attr(not(test), allow(dead_code))]
pub fn write_words<const W: usize>(entries: &[(Packed<W>, u64)]) -> Vec<u8> {
    let slot_len = slot_len(W);
    let count = (entries.len() * 2).next_power_of_two().max(2);
    let mut slots = vec![0u8; count * slot_len];
    let bits = Words::<W>::new(&slots).bits;
    for &(key, value) in entries {
        assert!(key.len > 0 && value <= MAX_VALUE, "an entry is a word");
        let mut i = Words::<W> {
            slots: &slots,
            bits,
        }
        .first_slot(key);
        let mut packed: Vec<u8> = key.bytes.iter().flat_map(|w| w.to_le_bytes()).collect();
        packed.extend((u64::from(key.len) | value << 8).to_le_bytes());
        loop {
            let slot = &mut slots[i * slot_len..(i + 1) * slot_len];
            if slot[8 * W] == 0 {
                slot.copy_from_slice(&packed);
                break;
            }
            assert!(
                slot[..8 * W + 1] != packed[..8 * W + 1],
                "entries are distinct"
            );
            i = (i + 1) & (count - 1);
        }
    }
    slots
}

/// The longest entry of several words looked up (the longest place name has 57 characters).
pub const MAX_PHRASE: usize = 128;

/// The Bloom filter of the first words of phrases: 2^17 bits (16 KiB), about 1% false
/// positives for the 5,000 first words of the place names.
const START_BITS: u32 = 17;

fn start_bits(word: Short) -> [usize; 2] {
    let hash = word.hash();
    let mask = (1u64 << START_BITS) - 1;
    [(hash >> (64 - START_BITS)) as usize, (hash & mask) as usize]
}

/// False when no phrase of the list whose filter is `filter` starts with the word `word`
/// (packed, so ASCII case ignored); words longer than [`Short::LEN`] bytes, which do not
/// pack, may always start one.
#[inline]
pub fn may_start_phrase(filter: &[u8], word: Option<Short>) -> bool {
    let Some(word) = word else {
        return true;
    };
    start_bits(word).iter().all(|&i| {
        filter
            .get(i / 8)
            .is_some_and(|byte| byte & (1 << (i % 8)) != 0)
    })
}

/// Writes the filter of the first words of `phrases`.
#[cfg_attr(not(test), allow(dead_code))]
pub fn write_phrase_starts<'p>(phrases: impl IntoIterator<Item = &'p [u8]>) -> Vec<u8> {
    let mut filter = vec![0u8; 1 << (START_BITS - 3)];
    for phrase in phrases {
        if let Some(word) = Short::new(first_word(phrase)) {
            for i in start_bits(word) {
                filter[i / 8] |= 1 << (i % 8);
            }
        }
    }
    filter
}

/// The longest entry of `entries` that `text` starts with: its length and value.
pub fn longest_prefix<D: AsRef<[u8]>>(entries: &fst::Map<D>, text: &[u8]) -> Option<(usize, u64)> {
    let fst = entries.as_fst();
    let mut node = fst.root();
    let mut output = fst::raw::Output::zero();
    let mut longest = None;
    for (i, &b) in text.iter().enumerate() {
        let Some(t) = node.find_input(b).map(|at| node.transition(at)) else {
            break;
        };
        output = output.cat(t.out);
        node = fst.node(t.addr);
        if node.is_final() {
            longest = Some((i + 1, output.cat(node.final_output()).value()));
        }
    }
    longest
}

/// The tables of one list, as `build.rs` writes them: entries lower-cased, each once.
#[cfg_attr(not(test), allow(dead_code))]
pub struct Written {
    pub words: Vec<u8>,
    pub long_words: Vec<u8>,
    pub entries: Vec<u8>,
    pub phrase_starts: Vec<u8>,
}

/// Writes the tables of a list from its entries, lower-cased and sorted, each once.
#[cfg_attr(not(test), allow(dead_code))]
pub fn write(entries: &std::collections::BTreeMap<Vec<u8>, u64>) -> Written {
    let short: Vec<(Short, u64)> = entries
        .iter()
        .filter_map(|(name, &value)| Some((Short::new(name)?, value)))
        .collect();
    let long: Vec<(Long, u64)> = entries
        .iter()
        .filter(|(name, _)| name.len() > Short::LEN)
        .filter_map(|(name, &value)| Some((Long::new(name)?, value)))
        .collect();
    let mut map = fst::MapBuilder::memory();
    for (name, &value) in entries {
        if name.len() > Long::LEN || !is_one_word(name) {
            map.insert(name, value)
                .expect("entries come sorted, each once");
        }
    }
    let phrases = entries
        .keys()
        .filter(|name| !is_one_word(name) && name.len() <= MAX_PHRASE);
    Written {
        words: write_words(&short),
        long_words: write_words(&long),
        entries: map.into_inner().expect("a map in memory"),
        phrase_starts: write_phrase_starts(phrases.map(Vec::as_slice)),
    }
}

/// What the gazetteer knows of a place name (`src/detect/geo.rs` says how it uses it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KnownPlace {
    pub city: bool,
    pub region: bool,
    pub country: bool,
    /// The largest population of the cities of that name.
    pub population: u32,
    /// An ordinary word or a generic geographic term.
    pub common: bool,
    /// Also a first name (`Florence`, `Austin`, `Paris`).
    pub person: bool,
}

impl KnownPlace {
    /// What two entries of one name say together: every kind either is, the larger population.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn merge(self, other: KnownPlace) -> KnownPlace {
        KnownPlace {
            population: self.population.max(other.population),
            ..KnownPlace::from_bits((self.to_bits() | other.to_bits()) & 0xFF)
        }
    }

    #[cfg_attr(not(test), allow(dead_code))]
    pub fn to_bits(self) -> u64 {
        let flags = [
            self.city,
            self.region,
            self.country,
            self.common,
            self.person,
        ];
        let flags = flags
            .iter()
            .enumerate()
            .fold(0, |bits, (i, &f)| bits | u64::from(f) << i);
        flags | u64::from(self.population) << 8
    }

    pub fn from_bits(bits: u64) -> KnownPlace {
        let flag = |i: u32| bits & (1 << i) != 0;
        KnownPlace {
            city: flag(0),
            region: flag(1),
            country: flag(2),
            common: flag(3),
            person: flag(4),
            population: (bits >> 8) as u32,
        }
    }
}

/// What a name list says about one of its entries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NameEntry {
    /// Also an ordinary lower-case English word (`will`, `smith`).
    pub common: bool,
    /// Among the most frequent names of the census (`John`, `Smith`; see
    /// `data/README.md`): two of these together are a person even when both are words.
    pub frequent: bool,
}

impl NameEntry {
    /// What two entries of one name say together.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn merge(self, other: NameEntry) -> NameEntry {
        NameEntry::from_bits(self.to_bits() | other.to_bits())
    }

    #[cfg_attr(not(test), allow(dead_code))]
    pub fn to_bits(self) -> u64 {
        u64::from(self.common) | u64::from(self.frequent) << 1
    }

    pub fn from_bits(bits: u64) -> NameEntry {
        NameEntry {
            common: bits & 1 != 0,
            frequent: bits & 2 != 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip() {
        let place = KnownPlace {
            city: true,
            country: true,
            population: u32::MAX,
            person: true,
            ..KnownPlace::default()
        };
        assert_eq!(KnownPlace::from_bits(place.to_bits()), place);
        assert!(place.to_bits() <= MAX_VALUE);
        let region = KnownPlace {
            region: true,
            population: 7,
            ..KnownPlace::default()
        };
        let both = KnownPlace::from_bits(place.merge(region).to_bits());
        assert!(both.city && both.region && both.country && both.population == u32::MAX);
        for common in [false, true] {
            for frequent in [false, true] {
                let entry = NameEntry { common, frequent };
                assert_eq!(NameEntry::from_bits(entry.to_bits()), entry);
                assert_eq!(entry.merge(NameEntry::default()), entry);
            }
        }
    }
}
