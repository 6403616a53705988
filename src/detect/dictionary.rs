//! Built-in word lists (names, places): whole words by hash, multi-word entries by walk.
//!
//! Name and place detectors do not search for their tens of thousands of entries everywhere:
//! they ask "does an entry start exactly here?" at the few positions where a capitalised word
//! starts, or "is this whole value an entry?" for a value under a hinting key. Most entries
//! are one short word (every Census name, three cities in four), and for those both questions
//! are a hash lookup of the word. Entries of several words (`New York`, `Rio de Janeiro`,
//! `Auvergne-Rhône-Alpes`) and long ones are also in a finite state transducer, whose walk
//! over a candidate's bytes finds the longest one starting at a position.
//!
//! Every table is written by `build.rs` from `data/` (see [`super::tables`] for their
//! layout): a process reads them from its binary and builds nothing, so a short run, a shard
//! or a test pays nothing to start.
//!
//! Lookups ignore ASCII case, so that a value under `$city` matches as `PARIS` or `paris`;
//! free-text callers demand capitalisation of the text itself (see
//! [`super::text::is_title_case`]). Entries with diacritics match as written; [`fold_ascii`]
//! lets callers also try a word's ASCII folding (`José` → `Jose`).

use super::tables::{self, first_word, Long, Short, Words, MAX_PHRASE};
use super::text::is_word_end;

/// The longest word looked up by hash; longer words are in no list.
const MAX_WORD: usize = 64;

/// `word` lower-cased (ASCII letters only) into `buf`; `None` if it does not fit.
fn lower<'b>(word: &[u8], buf: &'b mut [u8; MAX_WORD]) -> Option<&'b [u8]> {
    let out = buf.get_mut(..word.len())?;
    for (l, b) in out.iter_mut().zip(word) {
        *l = b.to_ascii_lowercase();
    }
    Some(out)
}

/// The tables of one list as the binary holds them (see [`built_in`]).
pub struct Tables {
    pub words: &'static [u8],
    pub long_words: &'static [u8],
    pub entries: &'static [u8],
    pub phrase_starts: &'static [u8],
}

/// The tables that `build.rs` wrote for the list `name`, embedded in the binary.
macro_rules! built_in {
    ($name:literal) => {
        $crate::detect::dictionary::Tables {
            words: include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".words")),
            long_words: include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".long")),
            entries: include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".fst")),
            phrase_starts: include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".starts")),
        }
    };
}
pub(crate) use built_in;

/// One word list, with a value of type `T` per entry.
pub struct Dictionary<T> {
    /// Every entry of up to [`Short::LEN`] bytes: a whole value under a key is an equality
    /// question, and so is a one-word entry in text.
    words: Words<'static, 2>,
    /// Every entry of [`Short::LEN`] to [`Long::LEN`] bytes.
    long_words: Words<'static, 4>,
    /// The entries longer than [`Long::LEN`] bytes and those of several words, lower-cased.
    entries: fst::Map<&'static [u8]>,
    /// The first words of the entries of several words, to walk `entries` only where one may
    /// start.
    phrase_starts: &'static [u8],
    /// What an entry's value in the tables says.
    decode: fn(u64) -> T,
}

impl<T: Copy> Dictionary<T> {
    /// The dictionary of a list's tables, whose values `decode` reads.
    pub fn new(tables: Tables, decode: fn(u64) -> T) -> Dictionary<T> {
        Dictionary {
            words: Words::new(tables.words),
            long_words: Words::new(tables.long_words),
            entries: fst::Map::new(tables.entries).expect("build.rs writes valid tables"),
            phrase_starts: tables.phrase_starts,
            decode,
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
        // Packed once, for the filter and the lookup.
        let packed = Short::new(word);
        if word_end < limit && tables::may_start_phrase(self.phrase_starts, packed) {
            // The tables hold lower-cased entries: walk a lower-cased copy.
            let mut buf = [0u8; MAX_PHRASE];
            let len = (limit - start).min(MAX_PHRASE);
            for (l, b) in buf.iter_mut().zip(&bytes[start..start + len]) {
                *l = b.to_ascii_lowercase();
            }
            // The longest entry is a phrase when one starts here: a phrase spans the first
            // word and more, a one-word entry does not.
            if let Some((len, value)) = tables::longest_prefix(&self.entries, &buf[..len]) {
                let end = start + len;
                if end > word_end && is_word_end(bytes, end) {
                    return Some((end, (self.decode)(value)));
                }
            }
        }
        if !is_word_end(bytes, word_end) {
            return None;
        }
        let value = match packed {
            Some(packed) => self.words.get(packed).map(self.decode),
            None => self.get(word),
        };
        value.map(|v| (word_end, v))
    }

    /// The value of `word` (a whole value, ASCII case ignored) if it is exactly an entry.
    #[inline]
    pub fn get(&self, word: &[u8]) -> Option<T> {
        let value = if let Some(packed) = Short::new(word) {
            self.words.get(packed)
        } else if let Some(packed) = Long::new(word) {
            self.long_words.get(packed)
        } else {
            let mut buf = [0u8; MAX_WORD];
            self.entries.get(lower(word, &mut buf)?)
        };
        value.map(self.decode)
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
    use std::collections::{BTreeMap, HashMap};

    use super::*;
    use crate::detect::tables::{is_one_word, lower_ascii_swar};

    /// A dictionary of `entries`, written as `build.rs` writes the built-in ones.
    fn from_entries(entries: &[(&str, u64)], merge: fn(u64, u64) -> u64) -> Dictionary<u64> {
        let mut merged: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
        for &(name, value) in entries {
            let key = name.as_bytes().to_ascii_lowercase();
            let value = merged.get(&key).map_or(value, |&v| merge(v, value));
            merged.insert(key, value);
        }
        let written = tables::write(&merged);
        let leak = |v: Vec<u8>| &*Vec::leak(v);
        let tables = Tables {
            words: leak(written.words),
            long_words: leak(written.long_words),
            entries: leak(written.entries),
            phrase_starts: leak(written.phrase_starts),
        };
        Dictionary::new(tables, |v| v)
    }

    fn dict() -> Dictionary<u64> {
        from_entries(
            &[
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
        assert_eq!(d.get(b"new YORK"), Some(2), "a whole value may be a phrase");
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
        let names = from_entries(&[("Jose", 0)], |a, _| a);
        assert_eq!(names.get_folded("José".as_bytes()), Some(0));
        assert_eq!(names.get_folded(b"Josh"), None);
    }

    #[test]
    fn long_entries_and_the_length_of_short_ones() {
        let long = "Llanfairpwllgwyngyll";
        let longer = "Llanfairpwllgwyngyllgogerychwyrndrobwll";
        let d = from_entries(&[(long, 1), ("ab", 2), (longer, 3)], |a, _| a);
        assert_eq!(d.get(long.to_uppercase().as_bytes()), Some(1));
        assert_eq!(d.get(&long.as_bytes()[..16]), None);
        assert_eq!(d.get(longer.to_uppercase().as_bytes()), Some(3));
        assert_eq!(d.get(&longer.as_bytes()[..32]), None);
        assert_eq!(d.get(b"AB"), Some(2));
        assert_eq!(d.get(b"ab\0"), None, "a NUL is not padding");
        let s = format!("{long} x");
        assert_eq!(
            d.longest_at(s.as_bytes(), 0, s.len()),
            Some((long.len(), 1))
        );
    }

    /// The walk of the built-in places against what an anchored leftmost-longest aho-corasick
    /// automaton of their phrases (how they were searched before) finds, at every phrase,
    /// cut short, run on, and capitalised.
    #[test]
    fn phrases_are_found_as_an_automaton_finds_them() {
        use aho_corasick::{AhoCorasick, AhoCorasickKind, Anchored, Input, MatchKind, StartKind};
        use fst::Streamer;

        let d: Dictionary<u64> = Dictionary::new(built_in!("places"), |v| v);
        let mut phrases: Vec<(Vec<u8>, u64)> = Vec::new();
        let mut stream = d.entries.stream();
        while let Some((name, value)) = stream.next() {
            if !is_one_word(name) && name.len() <= MAX_PHRASE {
                phrases.push((name.to_vec(), value));
            }
        }
        assert!(phrases.len() > 10_000, "{} phrases", phrases.len());
        let automaton = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::NoncontiguousNFA))
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Anchored)
            .build(phrases.iter().map(|(p, _)| p))
            .unwrap();
        let reference = |text: &[u8]| {
            let word_end = first_word(text).len();
            if word_end == 0 {
                return None;
            }
            let lower = text.to_ascii_lowercase();
            let len = lower.len().min(MAX_PHRASE);
            let input = Input::new(&lower[..len]).anchored(Anchored::Yes);
            let phrase = automaton
                .find(input)
                .map(|m| (m.end(), phrases[m.pattern().as_usize()].1))
                .filter(|&(end, _)| end > word_end && is_word_end(text, end));
            phrase.or_else(|| {
                is_word_end(text, word_end)
                    .then(|| d.get(&text[..word_end]).map(|v| (word_end, v)))
                    .flatten()
            })
        };
        let mut checked = 0;
        for (phrase, _) in &phrases {
            let title: Vec<u8> = phrase
                .iter()
                .enumerate()
                .map(|(i, &b)| {
                    let starts = i == 0 || !tables::is_word_byte(phrase[i - 1]);
                    if starts {
                        b.to_ascii_uppercase()
                    } else {
                        b
                    }
                })
                .collect();
            for text in [phrase.clone(), title] {
                for tail in [&b""[..], b" x", b"s", b"-Sur-Mer y", b", France"] {
                    let whole = [&text[..], tail].concat();
                    for cut in (1..=whole.len()).filter(|&c| c % 3 == 0 || c == whole.len()) {
                        let text = &whole[..cut];
                        assert_eq!(
                            d.longest_at(text, 0, text.len()),
                            reference(text),
                            "{:?}",
                            String::from_utf8_lossy(text)
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 100_000);
    }

    proptest::proptest! {
        #[test]
        fn packed_words_lower_case_like_the_standard_library(bytes: [u8; 8], word in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)) {
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
            if let Some(packed) = Long::new(&word) {
                let mut padded = lower.clone();
                padded.resize(32, 0);
                let words: Vec<u64> = padded.chunks(8).map(|c| u64::from_le_bytes(c.try_into().unwrap())).collect();
                proptest::prop_assert_eq!(&packed.bytes[..], &words[..]);
                proptest::prop_assert_eq!(usize::from(packed.len), word.len());
            }
        }

        /// The tables answer as a hash map of the same entries does, for entries and others.
        #[test]
        fn tables_answer_as_a_map(
            entries in proptest::collection::vec(("[a-zA-Z' -]{1,40}", 0u64..1 << 40), 0..300),
            others in proptest::collection::vec("[a-zA-Z' -]{0,40}", 0..100),
        ) {
            let pairs: Vec<(&str, u64)> = entries.iter().map(|(n, v)| (n.as_str(), *v)).collect();
            let d = from_entries(&pairs, |a, b| a.max(b));
            let mut map: HashMap<Vec<u8>, u64> = HashMap::new();
            for (name, value) in &pairs {
                let v = map.entry(name.as_bytes().to_ascii_lowercase()).or_insert(*value);
                *v = (*v).max(*value);
            }
            for word in pairs.iter().map(|(n, _)| *n).chain(others.iter().map(String::as_str)) {
                let want = map.get(&word.as_bytes().to_ascii_lowercase()).copied();
                proptest::prop_assert_eq!(d.get(word.as_bytes()), want, "{:?}", word);
                proptest::prop_assert_eq!(d.get(word.to_uppercase().as_bytes()), want);
            }
        }
    }
}
