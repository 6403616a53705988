//! Built-in word lists (names, places): whole words by hash, multi-word entries by automaton.
//!
//! Name and place detectors do not search for their tens of thousands of entries everywhere:
//! they ask "does an entry start exactly here?" at the few positions where a capitalised word
//! starts, or "is this whole value an entry?" for a value under a hinting key. Most entries
//! are one word (every Census name, three cities in four), and for those both questions are a
//! hash lookup of the word. Only entries of several words (`New York`, `Rio de Janeiro`,
//! `Auvergne-Rhône-Alpes`) go into an anchored aho-corasick automaton, which finds the longest
//! one starting at a position in one pass over the candidate's bytes.
//!
//! Both are built at start-up, so their cost is paid by every run: an automaton over all
//! 143,000 entries took half a second of CPU to compile (more than scanning 100 MB), while
//! hashing the single words and compiling the 11,000 multi-word entries takes a few
//! milliseconds.
//!
//! Lookups ignore ASCII case, so that a value under `$city` matches as `PARIS` or `paris`;
//! free-text callers demand capitalisation of the text itself (see
//! [`super::text::is_title_case`]). Entries with diacritics match as written; [`fold_ascii`]
//! lets callers also try a word's ASCII folding (`José` → `Jose`).

use std::sync::OnceLock;

use std::hash::BuildHasher;

use aho_corasick::{AhoCorasick, AhoCorasickKind, Anchored, Input, MatchKind, StartKind};
use rustc_hash::{FxHashMap, FxHashSet};

use super::text::{is_word_byte, is_word_end};

/// The longest word looked up by hash; longer words are in no list.
const MAX_WORD: usize = 64;
/// The longest entry of several words looked up (the longest place name has 57 characters).
const MAX_PHRASE: usize = 128;

/// True when `word`, lower-cased, is an ordinary English word that is also a name or a place
/// (`will`, `grace`, `nice`, `reading`): see `data/common_words.txt`.
pub fn is_common_word(word: &str) -> bool {
    static WORDS: OnceLock<FxHashSet<&'static [u8]>> = OnceLock::new();
    let words = WORDS.get_or_init(|| {
        include_str!("../../data/common_words.txt")
            .lines()
            .map(str::as_bytes)
            .collect()
    });
    let mut buf = [0u8; MAX_WORD];
    lower(word.as_bytes(), &mut buf).is_some_and(|w| words.contains(w))
}

/// `word` lower-cased (ASCII letters only) into `buf`; `None` if it does not fit.
fn lower<'b>(word: &[u8], buf: &'b mut [u8; MAX_WORD]) -> Option<&'b [u8]> {
    let out = buf.get_mut(..word.len())?;
    for (l, b) in out.iter_mut().zip(word) {
        *l = b.to_ascii_lowercase();
    }
    Some(out)
}

/// One word list, with a value of type `T` per entry.
pub struct Dictionary<T> {
    /// Every entry of up to [`Short::LEN`] bytes, lower-cased and packed, with its value; a
    /// whole value under a key is an equality question, and so is a one-word entry in text.
    short: FxHashMap<Short, T>,
    /// The longer entries, lower-cased.
    long: FxHashMap<Box<[u8]>, T>,
    /// The entries of several words, anchored and leftmost-longest, and their values.
    phrases: Option<(AhoCorasick, Vec<T>)>,
    /// The first words of the phrases, to ask the automaton only where one may start.
    phrase_starts: WordFilter,
}

/// A Bloom filter of words (ASCII case folded): "certainly not a phrase's first word" in two
/// bit tests, ten times cheaper than an automaton lookup.
struct WordFilter {
    bits: Vec<u64>,
}

impl WordFilter {
    /// 2^17 bits (16 KiB): about 1% false positives for the 5,000 first words of phrases.
    const BITS: u32 = 17;

    fn new() -> WordFilter {
        WordFilter {
            bits: vec![0; 1 << (Self::BITS - 6)],
        }
    }

    fn indices(word: &[u8]) -> [usize; 2] {
        let hash = hash_folded(word);
        let mask = (1u64 << Self::BITS) - 1;
        [(hash & mask) as usize, ((hash >> 32) & mask) as usize]
    }

    fn insert(&mut self, word: &[u8]) {
        for i in Self::indices(word) {
            self.bits[i / 64] |= 1 << (i % 64);
        }
    }

    fn may_contain(&self, word: &[u8]) -> bool {
        Self::indices(word)
            .iter()
            .all(|&i| self.bits[i / 64] & (1 << (i % 64)) != 0)
    }
}

/// A word of up to 16 bytes, ASCII lower-cased, packed into two integers with its length.
///
/// Nearly every entry and every word looked up is that short. Packed, a lookup lower-cases
/// eight bytes at a time, hashes and compares registers, and never follows a pointer to an
/// entry's bytes: in a table of 140,000 entries that pointer was a cache miss, and the
/// capitalised words of an export (`Safari`, `Chrome`, `Sign Up`) are looked up millions of
/// times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Short {
    bytes: [u64; 2],
    len: u8,
}

impl Short {
    const LEN: usize = 16;

    /// `word` lower-cased, if it is short enough.
    #[inline]
    fn new(word: &[u8]) -> Option<Short> {
        if word.len() > Self::LEN {
            return None;
        }
        let mut buf = [0u8; Self::LEN];
        buf[..word.len()].copy_from_slice(word);
        let [lo, hi] = [&buf[..8], &buf[8..]].map(|half| {
            let half: [u8; 8] = half.try_into().expect("eight bytes");
            lower_ascii_swar(u64::from_le_bytes(half))
        });
        Some(Short {
            bytes: [lo, hi],
            len: word.len() as u8,
        })
    }
}

/// Lower-cases the ASCII capitals among eight bytes: a byte is a capital when its low seven
/// bits are in `A..=Z` and its top bit is clear; adding to the low seven bits of every byte at
/// once cannot carry into the next byte.
#[inline]
fn lower_ascii_swar(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let low = x & (0x7F * ONES);
    let from_a = low + (0x80 - u64::from(b'A')) * ONES;
    let past_z = low + (0x80 - u64::from(b'Z') - 1) * ONES;
    let capital = from_a & !past_z & !x & (0x80 * ONES);
    x | capital >> 2
}

/// A hash of `word` with ASCII case folded, equal for `Paris`, `PARIS` and `paris`.
fn hash_folded(word: &[u8]) -> u64 {
    let mut buf = [0u8; MAX_WORD];
    let word = lower(word, &mut buf).unwrap_or(word);
    // FxHash's low bits are weak; the filter indexes with them.
    rustc_hash::FxBuildHasher.hash_one(word).rotate_left(26)
}

/// True when `text` is a single word (every byte continues a word).
fn is_one_word(text: &[u8]) -> bool {
    text.iter().all(|&b| is_word_byte(b))
}

/// The first word of `text` (up to the first byte that does not continue a word).
fn first_word(text: &[u8]) -> &[u8] {
    let end = text
        .iter()
        .position(|&b| !is_word_byte(b))
        .unwrap_or(text.len());
    &text[..end]
}

impl<T: Copy> Dictionary<T> {
    /// Builds a dictionary from entries and their values. Duplicate entries (after ASCII
    /// case folding) are merged with `merge`.
    pub fn new<'a>(
        entries: impl IntoIterator<Item = (&'a str, T)>,
        merge: impl Fn(T, T) -> T,
    ) -> Dictionary<T> {
        let entries: Vec<(&str, T)> = entries.into_iter().collect();
        // Nearly every entry is one short word: it goes straight into the packed map, sized
        // once so that it is not rehashed as it fills; only the others are boxed. With the
        // multilingual lists (170,000 entries) this is what start-up costs.
        let mut short: FxHashMap<Short, T> =
            FxHashMap::with_capacity_and_hasher(entries.len(), Default::default());
        let mut exact: FxHashMap<Box<[u8]>, T> = FxHashMap::default();
        for (name, value) in entries {
            if name.is_empty() {
                continue;
            }
            let name = name.as_bytes();
            let packed = Short::new(name).filter(|_| is_one_word(name));
            if let Some(packed) = packed {
                short
                    .entry(packed)
                    .and_modify(|v| *v = merge(*v, value))
                    .or_insert(value);
                continue;
            }
            let key = name.to_ascii_lowercase().into_boxed_slice();
            match exact.entry(key) {
                std::collections::hash_map::Entry::Occupied(mut e) => {
                    let merged = merge(*e.get(), value);
                    e.insert(merged);
                }
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(value);
                }
            }
        }
        let mut long = FxHashMap::default();
        for (key, value) in &exact {
            match Short::new(key) {
                Some(packed) => {
                    short.insert(packed, *value);
                }
                None => {
                    long.insert(key.clone(), *value);
                }
            };
        }
        let mut phrase_starts = WordFilter::new();
        let mut patterns: Vec<&[u8]> = Vec::new();
        let mut values: Vec<T> = Vec::new();
        let mut phrases: Vec<(&Box<[u8]>, &T)> =
            exact.iter().filter(|(k, _)| !is_one_word(k)).collect();
        phrases.sort_by(|a, b| a.0.cmp(b.0));
        for (name, value) in phrases.into_iter().filter(|(k, _)| k.len() <= MAX_PHRASE) {
            phrase_starts.insert(first_word(name));
            patterns.push(name);
            values.push(*value);
        }
        let phrases = (!patterns.is_empty()).then(|| {
            let automaton = AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::NoncontiguousNFA))
                .match_kind(MatchKind::LeftmostLongest)
                .start_kind(StartKind::Anchored)
                .build(&patterns)
                .expect("a built-in word list always builds");
            (automaton, values)
        });
        Dictionary {
            short,
            long,
            phrases,
            phrase_starts,
        }
    }

    /// The longest entry that starts at `start` and ends at a word end no later than `limit`,
    /// with its end and value.
    pub fn longest_at(&self, bytes: &[u8], start: usize, limit: usize) -> Option<(usize, T)> {
        let limit = limit.min(bytes.len());
        if start >= limit {
            return None;
        }
        let word = first_word(&bytes[start..limit]);
        if word.is_empty() {
            return None;
        }
        let word_end = start + word.len();
        if let Some((automaton, values)) = &self.phrases {
            if word_end < limit && self.phrase_starts.may_contain(word) {
                // The automaton holds lower-cased phrases: search a lower-cased copy.
                let mut buf = [0u8; MAX_PHRASE];
                let len = (limit - start).min(MAX_PHRASE);
                for (l, b) in buf.iter_mut().zip(&bytes[start..start + len]) {
                    *l = b.to_ascii_lowercase();
                }
                let input = Input::new(&buf[..len]).anchored(Anchored::Yes);
                if let Some(m) = automaton.find(input) {
                    let end = start + m.end();
                    if end > word_end && is_word_end(bytes, end) {
                        return Some((end, values[m.pattern().as_usize()]));
                    }
                }
            }
        }
        if !is_word_end(bytes, word_end) {
            return None;
        }
        self.get(word).map(|v| (word_end, v))
    }

    /// The value of `word` (a whole value, ASCII case ignored) if it is exactly an entry.
    #[inline]
    pub fn get(&self, word: &[u8]) -> Option<T> {
        if let Some(packed) = Short::new(word) {
            return self.short.get(&packed).copied();
        }
        let mut buf = [0u8; MAX_WORD];
        self.long.get(lower(word, &mut buf)?).copied()
    }

    /// The value of the entry that is exactly the word `bytes[start..end]` of a text; a word
    /// with Latin diacritics also matches its ASCII folding.
    pub fn word_at(&self, bytes: &[u8], start: usize, end: usize) -> Option<T> {
        self.get_folded(&bytes[start..end])
    }

    /// Like [`Dictionary::get`], but a word with Latin diacritics (`José`, `Müller`) also
    /// matches its ASCII folding (`Jose`, `Muller`).
    pub fn get_folded(&self, word: &[u8]) -> Option<T> {
        if let Some(value) = self.get(word) {
            return Some(value);
        }
        if word.is_ascii() {
            return None;
        }
        let mut buf = [0u8; 64];
        let folded = fold_ascii(word, &mut buf)?;
        self.get(folded)
    }
}

/// Folds a word's Latin letters with diacritics to ASCII (`Zoë` → `Zoe`, `Łódź` → `Lodz`)
/// into `buf`. `None` if the word has other non-ASCII characters or does not fit.
pub fn fold_ascii<'b>(word: &[u8], buf: &'b mut [u8; 64]) -> Option<&'b [u8]> {
    let text = std::str::from_utf8(word).ok()?;
    let mut n = 0;
    for c in text.chars() {
        let folded = if c.is_ascii() { c } else { fold_char(c)? };
        *buf.get_mut(n)? = folded as u8;
        n += 1;
    }
    Some(&buf[..n])
}

/// The ASCII base letter of a Latin-1 or Latin Extended-A letter.
fn fold_char(c: char) -> Option<char> {
    let folded = match c {
        'À'..='Å' => 'A',
        'à'..='å' => 'a',
        'Ç' => 'C',
        'ç' => 'c',
        'È'..='Ë' => 'E',
        'è'..='ë' => 'e',
        'Ì'..='Ï' => 'I',
        'ì'..='ï' => 'i',
        'Ñ' => 'N',
        'ñ' => 'n',
        'Ò'..='Ö' | 'Ø' => 'O',
        'ò'..='ö' | 'ø' => 'o',
        'Ù'..='Ü' => 'U',
        'ù'..='ü' => 'u',
        'Ý' => 'Y',
        'ý' | 'ÿ' => 'y',
        // Latin Extended-A: pairs of upper and lower case, grouped by base letter.
        'Ā'..='ą' => pair(c, 'A'),
        'Ć'..='č' => pair(c, 'C'),
        'Ď'..='đ' => pair(c, 'D'),
        'Ē'..='ě' => pair(c, 'E'),
        'Ĝ'..='ģ' => pair(c, 'G'),
        'Ĥ'..='ħ' => pair(c, 'H'),
        'Ĩ'..='ı' => pair(c, 'I'),
        'Ĵ'..='ĵ' => pair(c, 'J'),
        'Ķ'..='ķ' => pair(c, 'K'),
        'Ĺ'..='ľ' => lower_first_pair(c, 'L'),
        'Ł' => 'L',
        'ł' => 'l',
        'Ń'..='ň' => lower_first_pair(c, 'N'),
        'Ō'..='ő' => pair(c, 'O'),
        'Ŕ'..='ř' => pair(c, 'R'),
        'Ś'..='š' => pair(c, 'S'),
        'Ţ'..='ŧ' => pair(c, 'T'),
        'Ũ'..='ų' => pair(c, 'U'),
        'Ŵ'..='ŵ' => pair(c, 'W'),
        'Ŷ' | 'Ÿ' => 'Y',
        'ŷ' => 'y',
        'Ź'..='ž' => lower_first_pair(c, 'Z'),
        _ => return None,
    };
    Some(folded)
}

/// In a block where even code points are upper case: `base` or its lower case.
fn pair(c: char, base: char) -> char {
    if u32::from(c) % 2 == 0 {
        base
    } else {
        base.to_ascii_lowercase()
    }
}

/// In a block where odd code points are upper case.
fn lower_first_pair(c: char, base: char) -> char {
    if u32::from(c) % 2 == 1 {
        base
    } else {
        base.to_ascii_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict() -> Dictionary<u8> {
        Dictionary::new(
            [
                ("Paris", 1),
                ("New York", 2),
                ("New York City", 3),
                ("paris", 4),
            ],
            |a, b| a | b,
        )
    }

    #[test]
    fn exact_words() {
        let d = dict();
        let s = b"in Paris, PARISIAN";
        assert_eq!(d.word_at(s, 3, 8), Some(5));
        assert_eq!(
            d.word_at(s, 10, 15),
            Some(5),
            "the caller says where words end"
        );
        assert_eq!(d.word_at(s, 3, 7), None);
        assert_eq!(d.get(b"Paris"), Some(5));
        assert_eq!(d.get(b"PARIS"), Some(5));
        assert_eq!(d.get(b"Pari"), None);
        assert_eq!(d.get(b"Parisian"), None);
        assert_eq!(d.get(b""), None);
    }

    #[test]
    fn longest_at_word_ends() {
        let d = dict();
        let s = b"to New York City now, New Yorkers";
        assert_eq!(d.longest_at(s, 3, s.len()), Some((16, 3)));
        assert_eq!(d.longest_at(s, 3, 11), Some((11, 2)));
        assert_eq!(d.longest_at(s, 22, s.len()), None);
        assert_eq!(d.longest_at(s, 0, s.len()), None);
        assert_eq!(d.longest_at(s, s.len(), s.len()), None);
    }

    #[test]
    fn common_words() {
        assert!(is_common_word("Will"));
        assert!(is_common_word("nice"));
        assert!(!is_common_word("Jane"));
        assert!(!is_common_word(""));
    }

    #[test]
    fn folding() {
        let mut buf = [0u8; 64];
        let cases = [
            ("José", Some("Jose")),
            ("Zoë", Some("Zoe")),
            ("Łódź", Some("Lodz")),
            ("Müller", Some("Muller")),
            ("Šimon", Some("Simon")),
            ("Żaneta", Some("Zaneta")),
            ("Ńa", Some("Na")),
            ("王芳", None),
        ];
        for (word, want) in cases {
            let got = fold_ascii(word.as_bytes(), &mut buf).map(|b| b.to_vec());
            assert_eq!(got, want.map(|w| w.as_bytes().to_vec()), "{word}");
        }
        assert_eq!(fold_ascii("é".repeat(65).as_bytes(), &mut buf), None);
        let names = Dictionary::new([("Jose", ())], |a, _| a);
        assert_eq!(names.get_folded("José".as_bytes()), Some(()));
        assert_eq!(names.get_folded(b"Josh"), None);
    }

    #[test]
    fn long_entries_and_the_length_of_short_ones() {
        let long = "Llanfairpwllgwyngyll";
        let d = Dictionary::new([(long, 1), ("ab", 2)], |a, _| a);
        assert_eq!(d.get(long.to_uppercase().as_bytes()), Some(1));
        assert_eq!(d.get(&long.as_bytes()[..16]), None);
        assert_eq!(d.get(b"AB"), Some(2));
        assert_eq!(d.get(b"ab\0"), None, "a NUL is not padding");
    }

    proptest::proptest! {
        #[test]
        fn packed_words_lower_case_like_the_standard_library(bytes: [u8; 8], word in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..20)) {
            let want = u64::from_le_bytes(bytes.map(|b| b.to_ascii_lowercase()));
            proptest::prop_assert_eq!(lower_ascii_swar(u64::from_le_bytes(bytes)), want);
            let lower = word.to_ascii_lowercase();
            proptest::prop_assert_eq!(Short::new(&word), Short::new(&lower));
            if let Some(packed) = Short::new(&word) {
                let mut padded = lower.clone();
                padded.resize(16, 0);
                let lo = u64::from_le_bytes(padded[..8].try_into().unwrap());
                let hi = u64::from_le_bytes(padded[8..].try_into().unwrap());
                proptest::prop_assert_eq!(packed, Short { bytes: [lo, hi], len: word.len() as u8 });
            }
        }
    }
}
