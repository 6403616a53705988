//! Which prefilter candidates are worth the keyword search: a word that starts like a keyword
//! or public prefix of some rule (two table look-ups turn most away, an anchored automaton the
//! rest), and the details (rule ids) findings carry.

use aho_corasick::{AhoCorasick, Anchored, Input, StartKind};

use super::keywords;
use super::SecretRules;
use crate::detect::Detail;

/// How the detector decides quickly whether a window is worth the keyword search.
pub(super) struct Dispatch {
    /// The first two bytes of every keyword and prefix, ASCII case folded, as a bit table.
    pub(super) leads: Box<[u64; 1024]>,
    /// Every keyword and prefix, anchored and ASCII case folded: whether one starts at a
    /// position whose two bytes lead, before the window around it is searched.
    pub(super) words: AhoCorasick,
    /// A rule's details, by rule index.
    pub(super) details: Vec<Detail>,
    /// The key-hint rules for values under credential and password keys.
    pub(super) keyed_secret: Option<u16>,
    pub(super) keyed_password: Option<u16>,
}

impl Dispatch {
    pub(super) fn new(rules: &SecretRules) -> Dispatch {
        let mut leads = Box::new([0u64; 1024]);
        for rule in rules.rules() {
            for word in rule.keywords().iter().chain(rule.prefixes()) {
                if let [a, b, ..] = word.as_bytes() {
                    let i = pair(*a, *b);
                    leads[i / 64] |= 1 << (i % 64);
                }
            }
        }
        let words = rules
            .rules()
            .iter()
            .flat_map(|rule| rule.keywords().iter().chain(rule.prefixes()));
        let words = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .start_kind(StartKind::Anchored)
            .build(words)
            .expect("a few hundred short keywords and prefixes fit an automaton");
        Dispatch {
            leads,
            words,
            details: rules
                .rules()
                .iter()
                .map(|r| Detail::intern(r.id()))
                .collect(),
            keyed_secret: rules.rule_index("keyed.token"),
            keyed_password: rules.rule_index("keyed.password"),
        }
    }

    /// Whether some keyword or prefix starts at `at` (ASCII case folded): most tokens are
    /// turned away by their first two bytes, the rest by an anchored search.
    #[inline]
    pub(super) fn starts(&self, hay: &[u8], at: usize) -> bool {
        if !self.leads(hay, at) {
            return false;
        }
        let input = Input::new(hay)
            .span(at..hay.len().min(at + keywords::MAX_KEYWORD))
            .anchored(Anchored::Yes);
        self.words.find(input).is_some()
    }

    /// Whether some keyword or prefix starts with the two bytes at `at`.
    #[inline]
    fn leads(&self, hay: &[u8], at: usize) -> bool {
        match hay.get(at..at + 2) {
            Some(&[a, b]) => {
                let i = pair(a, b);
                self.leads[i / 64] & 1 << (i % 64) != 0
            }
            _ => false,
        }
    }
}

/// Two bytes, ASCII case folded, as an index.
#[inline]
fn pair(a: u8, b: u8) -> usize {
    usize::from(a.to_ascii_lowercase() & 0x7f) << 7 | usize::from(b.to_ascii_lowercase() & 0x7f)
}
