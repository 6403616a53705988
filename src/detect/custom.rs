//! Custom detectors: the kinds a policy defines for itself (`employee_id`, a list of project
//! code names), each a regular expression or a word list.
//!
//! A policy's detectors are built once from its file ([`crate::policy`]) and handed to the
//! engine as a hook, so a scan without a policy never builds or calls one. All word lists share
//! one aho-corasick automaton per case mode (one pass over the bytes for every list); regular
//! expressions run over the whole chunk with the `regex` crate, whose literal prefilters make a
//! pattern with a fixed part (`EMP-`) nearly as cheap as `memmem`.
//!
//! Matches never span a newline, like every detector's: a regex match that would is searched
//! again within the line where it starts. Words match whole words only (the bytes around them
//! do not continue a word), so `Nightjar` is not found in `Nightjars`.

use aho_corasick::{AhoCorasick, MatchKind};
use regex::bytes::Regex;

use super::text::{is_word_end, is_word_start};
use super::{Detector, Haystack, Match};
use super::{Kind, KindSet};
use crate::prefilter::Classes;

/// A regular expression that reports matches as `kind`.
#[derive(Clone, Debug)]
pub struct PatternRule {
    pub kind: Kind,
    pub regex: Regex,
}

/// A list of words that reports matches as `kind`.
#[derive(Clone, Debug)]
pub struct WordRule {
    pub kind: Kind,
    pub words: Vec<String>,
    /// Match case exactly; by default ASCII letters match in either case.
    pub case_sensitive: bool,
}

/// One automaton over the words of every list with the same case mode.
#[derive(Debug)]
struct Words {
    automaton: AhoCorasick,
    /// The kind of each pattern of the automaton, by pattern index.
    kinds: Vec<Kind>,
}

/// Finds the custom kinds of a policy.
#[derive(Debug)]
pub struct CustomDetector {
    patterns: Vec<PatternRule>,
    words: Vec<Words>,
}

impl CustomDetector {
    pub fn new(
        patterns: Vec<PatternRule>,
        word_rules: Vec<WordRule>,
    ) -> Result<CustomDetector, aho_corasick::BuildError> {
        let mut words = Vec::new();
        for case_sensitive in [true, false] {
            let rules = word_rules
                .iter()
                .filter(|r| r.case_sensitive == case_sensitive);
            let mut list = Vec::new();
            let mut kinds = Vec::new();
            for rule in rules {
                for word in rule.words.iter().filter(|w| !w.is_empty()) {
                    list.push(word.as_str());
                    kinds.push(rule.kind);
                }
            }
            if list.is_empty() {
                continue;
            }
            let automaton = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .ascii_case_insensitive(!case_sensitive)
                .build(&list)?;
            words.push(Words { automaton, kinds });
        }
        Ok(CustomDetector { patterns, words })
    }

    fn find_pattern(rule: &PatternRule, bytes: &[u8], out: &mut Vec<Match>) {
        let regex = &rule.regex;
        let mut pos = 0;
        // How far the search looks: the whole chunk, or the end of a line a match ran past.
        let mut end = bytes.len();
        loop {
            let found = (pos <= end)
                .then(|| regex.find_at(&bytes[..end], pos))
                .flatten();
            match found {
                None if end < bytes.len() => {
                    pos = end + 1;
                    end = bytes.len();
                }
                None => break,
                // The match runs past its line: search that line on its own. No match starts
                // between `pos` and `m.start()`, or the regex would have found it first.
                Some(m) if memchr::memchr(b'\n', m.as_bytes()).is_some() => {
                    pos = m.start();
                    end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
                }
                Some(m) => {
                    if m.start() < m.end() {
                        out.push(Match {
                            detail: crate::detect::Detail::NONE,
                            start: m.start(),
                            end: m.end(),
                            kind: rule.kind,
                        });
                    }
                    pos = m.end().max(m.start() + 1);
                }
            }
        }
    }

    fn find_words(words: &Words, bytes: &[u8], out: &mut Vec<Match>) {
        for m in words.automaton.find_iter(bytes) {
            if is_word_start(bytes, m.start()) && is_word_end(bytes, m.end()) {
                out.push(Match {
                    detail: crate::detect::Detail::NONE,
                    start: m.start(),
                    end: m.end(),
                    kind: words.kinds[m.pattern().as_usize()],
                });
            }
        }
    }
}

impl Detector for CustomDetector {
    fn family(&self) -> &'static str {
        "custom"
    }

    fn kinds(&self) -> KindSet {
        let mut set = KindSet::empty();
        for kind in self.patterns.iter().map(|p| p.kind) {
            set.insert(kind);
        }
        for kind in self.words.iter().flat_map(|w| &w.kinds) {
            set.insert(*kind);
        }
        set
    }

    /// A user's regex can start anywhere: it reads the whole haystack, no candidates.
    fn classes(&self) -> Classes {
        Classes::NONE
    }

    fn find(&self, hay: &Haystack<'_>, enabled: KindSet, out: &mut Vec<Match>) {
        for rule in self.patterns.iter().filter(|r| enabled.contains(r.kind)) {
            CustomDetector::find_pattern(rule, hay.bytes, out);
        }
        for words in &self.words {
            CustomDetector::find_words(words, hay.bytes, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::CustomKind;

    fn kind(name: &str) -> Kind {
        Kind::Custom(CustomKind::intern(name).unwrap())
    }

    fn detector() -> CustomDetector {
        CustomDetector::new(
            vec![PatternRule {
                kind: kind("test_employee_id"),
                regex: Regex::new(r"\bEMP-[0-9]{6}\b").unwrap(),
            }],
            vec![
                WordRule {
                    kind: kind("test_codename"),
                    words: vec!["Nightjar".into(), "Blue Bird".into()],
                    case_sensitive: false,
                },
                WordRule {
                    kind: kind("test_ticker"),
                    words: vec!["ACME".into()],
                    case_sensitive: true,
                },
            ],
        )
        .unwrap()
    }

    fn found(d: &CustomDetector, text: &str) -> Vec<(String, &'static str)> {
        let mut out = Vec::new();
        let mut enabled = KindSet::empty();
        enabled.insert(kind("test_employee_id"));
        d.find(&Haystack::plain(text.as_bytes()), enabled, &mut out);
        out.sort();
        out.iter()
            .map(|m| (text[m.start..m.end].to_string(), m.kind.name()))
            .collect()
    }

    #[test]
    fn patterns_and_words_find_whole_values_of_their_kinds() {
        let d = detector();
        let cases: &[(&str, &[(&str, &str)])] = &[
            (
                "badge EMP-004211 seen",
                &[("EMP-004211", "test_employee_id")],
            ),
            ("EMP-0042110 is too long", &[]),
            ("project nightjar ships", &[("nightjar", "test_codename")]),
            (
                "Nightjars are birds, NIGHTJAR is not",
                &[("NIGHTJAR", "test_codename")],
            ),
            ("the Blue Bird plan", &[("Blue Bird", "test_codename")]),
            ("ACME and acme", &[("ACME", "test_ticker")]),
            ("nothing here", &[]),
        ];
        for (text, want) in cases {
            let want: Vec<(String, &str)> = want.iter().map(|(v, k)| (v.to_string(), *k)).collect();
            assert_eq!(found(&d, text), want, "{text:?}");
        }
    }

    #[test]
    fn regex_matches_never_span_a_newline() {
        let d = CustomDetector::new(
            vec![PatternRule {
                kind: kind("test_pair"),
                regex: Regex::new(r"key\s+[a-z]+").unwrap(),
            }],
            vec![],
        )
        .unwrap();
        let mut enabled = KindSet::empty();
        enabled.insert(kind("test_pair"));
        let text = "key\nabc key xyz\nkey  q";
        let mut out = Vec::new();
        d.find(&Haystack::plain(text.as_bytes()), enabled, &mut out);
        let got: Vec<&str> = out.iter().map(|m| &text[m.start..m.end]).collect();
        assert_eq!(got, ["key xyz", "key  q"]);
    }
}
