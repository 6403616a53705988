//! Built-in word lists (names, places) as anchored multi-pattern automata.
//!
//! Name and place detectors do not search for their tens of thousands of entries everywhere:
//! they ask "does an entry start exactly here?" at the few positions where a capitalised word
//! starts, or at the start of a value under a hinting key. An aho-corasick automaton built for
//! anchored, leftmost-longest searches answers that in one pass over the candidate's bytes,
//! whatever the number of entries, and also finds multi-word entries (`New York`, `Rio de
//! Janeiro`) that a per-word hash lookup would not.
//!
//! The automaton is ASCII-case-insensitive, so that a value under `$city` matches as `PARIS`
//! or `paris`; free-text callers demand capitalisation of the text itself (see
//! [`super::text::is_title_case`]). Entries with diacritics match as written; lists that have
//! only ASCII entries (the Census names) can be searched through [`fold_ascii`].

use std::collections::HashMap;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind, Anchored, Input, MatchKind, StartKind};

/// True when `word`, lower-cased, is an ordinary English word that is also a name or a place
/// (`will`, `grace`, `nice`, `reading`): see `data/common_words.txt`.
pub fn is_common_word(word: &str) -> bool {
    static WORDS: OnceLock<Vec<&'static str>> = OnceLock::new();
    let words = WORDS.get_or_init(|| {
        let mut words: Vec<&str> = include_str!("../../data/common_words.txt")
            .lines()
            .collect();
        words.sort_unstable();
        words
    });
    words.binary_search(&word.to_lowercase().as_str()).is_ok()
}

/// One word list, with a value of type `T` per entry.
pub struct Dictionary<T> {
    automaton: AhoCorasick,
    values: Vec<T>,
    /// Whole entries, lower-cased, to their value: a whole value under a key is an equality
    /// question, which a hash answers faster than an automaton.
    exact: HashMap<Box<[u8]>, usize>,
    /// The first words of the entries, to turn most lookups away before the automaton.
    first_words: WordFilter,
}

/// A Bloom filter of words (ASCII case folded): "certainly not an entry's first word" in two
/// bit tests. Most capitalised words in an export (`Chrome`, `Windows`, `Page`) start no
/// entry, and an automaton lookup costs ten times more than this test.
struct WordFilter {
    bits: Vec<u64>,
}

impl WordFilter {
    /// 2^20 bits (128 KiB): about 3% false positives for the 94,000 name-list entries.
    const BITS: u32 = 20;

    fn new() -> WordFilter {
        WordFilter {
            bits: vec![0; 1 << (Self::BITS - 6)],
        }
    }

    fn indices(word: &[u8]) -> [usize; 2] {
        // FNV-1a over the case-folded bytes; the two halves of the hash index the bits.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in word {
            hash ^= u64::from(b.to_ascii_lowercase());
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
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

/// The first word of `text` (up to the first byte that does not continue a word).
fn first_word(text: &[u8]) -> &[u8] {
    let end = text
        .iter()
        .position(|&b| !super::text::is_word_byte(b))
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
        let mut sorted: Vec<(String, T)> = entries
            .into_iter()
            .filter(|(name, _)| !name.is_empty())
            .map(|(name, value)| (name.to_ascii_lowercase(), value))
            .collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let mut patterns: Vec<String> = Vec::with_capacity(sorted.len());
        let mut values: Vec<T> = Vec::with_capacity(sorted.len());
        let mut first_words = WordFilter::new();
        let mut exact = HashMap::with_capacity(sorted.len());
        for (name, value) in sorted {
            first_words.insert(first_word(name.as_bytes()));
            if patterns.last() == Some(&name) {
                let last = values
                    .last_mut()
                    .expect("values and patterns have one length");
                *last = merge(*last, value);
            } else {
                exact.insert(name.as_bytes().into(), patterns.len());
                patterns.push(name);
                values.push(value);
            }
        }
        let automaton = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Anchored)
            .ascii_case_insensitive(true)
            .build(&patterns)
            .expect("a built-in word list always builds");
        Dictionary {
            automaton,
            values,
            exact,
            first_words,
        }
    }

    /// The longest entry that starts at `start` and ends at a word end no later than `limit`,
    /// with its end and value.
    pub fn longest_at(&self, bytes: &[u8], start: usize, limit: usize) -> Option<(usize, T)> {
        let limit = limit.min(bytes.len());
        if start >= limit
            || !self
                .first_words
                .may_contain(first_word(&bytes[start..limit]))
        {
            return None;
        }
        let input = Input::new(bytes).span(start..limit).anchored(Anchored::Yes);
        let m = self.automaton.find(input)?;
        if !super::text::is_word_end(bytes, m.end()) {
            return None;
        }
        Some((m.end(), self.values[m.pattern().as_usize()]))
    }

    /// The value of `word` (a whole value, ASCII case ignored) if it is exactly an entry.
    pub fn get(&self, word: &[u8]) -> Option<T> {
        let mut buf = [0u8; 64];
        let lower = buf.get_mut(..word.len())?;
        for (l, b) in lower.iter_mut().zip(word) {
            *l = b.to_ascii_lowercase();
        }
        self.exact.get(&*lower).map(|&i| self.values[i])
    }

    /// The value of the entry that is exactly the word `bytes[start..end]` of a text, found
    /// with the automaton; a word with Latin diacritics also matches its ASCII folding.
    pub fn word_at(&self, bytes: &[u8], start: usize, end: usize) -> Option<T> {
        let word = &bytes[start..end];
        if !self.first_words.may_contain(word) {
            if word.is_ascii() {
                return None;
            }
            let mut buf = [0u8; 64];
            let folded = fold_ascii(word, &mut buf)?;
            return self.word_at(folded, 0, folded.len());
        }
        let input = Input::new(bytes).span(start..end).anchored(Anchored::Yes);
        let m = self.automaton.find(input)?;
        (m.end() == end).then(|| self.values[m.pattern().as_usize()])
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
}
