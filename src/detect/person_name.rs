//! Person names: Census name lists, capitalisation, and the keys above a value.
//!
//! A name is not a pattern, so this detector leans on three kinds of evidence, strongest first:
//!
//! * **Key hints.** A value under `$name`, `full_name`, `first_name` or `last_name` is a name
//!   when it has the shape of one in any script (`Zoë`, `王芳`, `محمد علي`, `Ren\u00e9e` as
//!   written on disk) and is not a placeholder (`null`, `Anonymous`). A bare `name`,
//!   `customer` or `user` is as often a product or a login, so its value must also be a known
//!   first name followed by a known surname.
//! * **First name + surname in text.** At each capitalised word (found 64 bytes at a time),
//!   the US Census first-name list (5,163 names) and surname list (88,799), with the
//!   multilingual lists of `data/names/`, are asked whether a first name starts there and a
//!   surname follows (`Jane Doe`, `Jane Q. Doe`, `Mary Ann Smith`, `José García` through ASCII
//!   folding).
//!   A single capitalised word is never enough: `Jordan` is a country, a brand and a name.
//! * **Ordinary words.** Names that are also English words (`Will`, `May`, `Grace`, `Mark`,
//!   `Bill`, `Hope`) open sentences all the time, where capitals say nothing. Such a first
//!   name counts only mid-sentence, where capitals mark a proper noun (`then Will Smith
//!   called`, but not `Will do.` or `May Day`), or after a word that introduces a name
//!   (`From: Tom Becker`, `Dear Grace Hopper`), or before an address (`Will Smith <w@x.io>`).

use std::sync::OnceLock;

use super::dictionary::{built_in, Dictionary};
use super::name_context;
use super::tables::NameEntry;
use super::text::{
    for_each_capital_start, is_title_case, is_weekday, is_word_byte, looks_like_name,
    opens_sentence, word_end,
};
use super::{Detector, Example, Haystack, Hint, HintCursor, Match};
use super::{Family, Identifies, Kind, KindSet, KindSpec, Normal, Role};
use crate::prefilter::{Class, Classes};

/// The person name detector family.
pub static FAMILY: Family = Family {
    name: "person_name",
    build: || Box::new(PersonNameDetector::new()),
};

pub static PERSON_NAME: KindSpec = KindSpec {
    name: "person_name",
    rule_id: "PersonName",
    title: "Person name",
    description: "A person's name identifies them directly.",
    identifies: Identifies::Alone,
    role: Role::Identity,
    normal: Normal::Text,
    hints: &[
        Hint::PersonName,
        Hint::FirstName,
        Hint::LastName,
        Hint::MaybePersonName,
    ],
    reads: super::text::WORDS_READ,
    mask: super::text::mask_words,
    family: &FAMILY,
    examples: EXAMPLES,
    redact: super::Redaction {
        default: super::RedactAction::Pseudonymise,
        pseudonym: super::Pseudonym::Label("Person"),
        generalise: super::Generalisation::None,
    },
    tie_rank: 1,
    competes_with: &[Kind::City, Kind::Region, Kind::Country],
};

pub const EXAMPLES: &[Example] = &[
    ex(
        r#"{"properties":{"$name":"Jane Doe","time":1}}"#,
        &["Jane Doe"],
    ),
    ex(
        r#"{"$first_name":"Zoë","$last_name":"Müller"}"#,
        &["Zoë", "Müller"],
    ),
    ex(r#"{"$name":"王芳"}"#, &["王芳"]),
    ex(r#"{"$name":"محمد علي"}"#, &["محمد علي"]),
    ex(r#"{"$name":"Ren\u00e9e Dupont"}"#, &[r"Ren\u00e9e Dupont"]),
    ex(
        r#"{"traits":{"firstName":"jane","lastName":"o'brien"}}"#,
        &["jane", "o'brien"],
    ),
    ex(
        r#"{"$name":"null","full_name":"Anonymous","$first_name":"N/A"}"#,
        &[],
    ),
    ex(r#"{"$name":"user_42","$last_name":"x@y.com"}"#, &[]),
    ex(r#"{"name":"Ada Lovelace"}"#, &["Ada Lovelace"]),
    // Both are also words (`john`, `smith`), but among the census's most frequent names.
    ex(
        r#"{"name":"John Smith","owner":"Mark Miller"}"#,
        &["John Smith", "Mark Miller"],
    ),
    ex("John Smith wrote again.", &["John Smith"]),
    ex(r#"{"name":"Sign Up Button","user":"jdoe42"}"#, &[]),
    ex(r#"{"customer":"Acme Corp","owner":"Team Blue"}"#, &[]),
    ex(
        r#"{"customer":"Zyla Pemberton-Ashe","name":"Checkout Button"}"#,
        &["Zyla Pemberton-Ashe"],
    ),
    ex(r#"{"name":"Premium Plan","user":"Xavienne Quorrel"}"#, &[]),
    ex("Ticket from Jane Doe about billing", &["Jane Doe"]),
    ex("Contact: José García <jose@example.com>", &["José García"]),
    ex(
        "signed by Jane Q. Doe and Mary Ann Smith",
        &["Jane Q. Doe", "Mary Ann Smith"],
    ),
    ex("yesterday Will Smith called", &["Will Smith"]),
    ex("From: Tom Becker <t.becker@example.de>", &["Tom Becker"]),
    ex("Will Smith <will@example.com> wrote", &["Will Smith"]),
    ex("We will review it. May I ask about the Grace period?", &[]),
    ex(
        "Will do. Mark as read. Hope this helps. Bill me later.",
        &[],
    ),
    ex("Grace Period ends. May Day parade. Will Young", &[]),
    ex("JANE DOE, jane doe, Jane, Doe", &[]),
    ex(r#"{"$browser":"Mobile Safari","$os":"Mac OS X"}"#, &[]),
    // Beyond the census lists: a known given name (nam_dict), scripts without Latin letters.
    ex(r#"{"name":"Omri Mendels"}"#, &["Omri Mendels"]),
    ex(r#"{"name":"Слађана Марковић"}"#, &["Слађана Марковић"]),
    ex(r#"{"name":"김민수","plan":"高级会员套餐"}"#, &["김민수"]),
    ex(
        r#"{"name":"Diệu Vân Trương","title":"Jean-Nicolas Péricourt"}"#,
        &["Diệu Vân Trương"],
    ),
    ex(
        r#"{"name":"Jean-Nicolas Péricourt","product":"Café Crème"}"#,
        &["Jean-Nicolas Péricourt"],
    ),
    // Told by their context in prose.
    ex("Hi Maria, thanks for the update.", &["Maria"]),
    ex("Dear Craig", &["Craig"]),
    ex("Thanks, Dan", &["Dan"]),
    ex("Best,\nCarole", &["Carole"]),
    ex("Mr. Gibbs called; my name is Dan.", &["Gibbs", "Dan"]),
    ex(
        "My name is Maria Laura Sampaio and",
        &["Maria Laura Sampaio"],
    ),
    ex(
        "#1 from 呂玉玲 <user20047@example.org> and Jane Roe <jroe@x.com>",
        &["呂玉玲", "Jane Roe"],
    ),
    ex(
        "Hi team, the Rose gold Jordan 1 sold out on Baker Street. Thanks, Dan will call.",
        &[],
    ),
    // Words that are names in other roles: a product's or a colour's words (issue 20).
    ex(
        r#"{"product":{"name":"Amber Brown"},"color":"Amber Brown","items":[{"name":"Rose Gold"}]}"#,
        &[],
    ),
    // Places that name people: a greeting, a sign-off (`Milan` and `Xiuying` are cities).
    ex(
        "Hi Milan, thanks for reaching out.\nBest,\nXiuying",
        &["Milan", "Xiuying"],
    ),
    ex(
        "Jordan Smith called about the Air Jordan 1 shoes",
        &["Jordan Smith"],
    ),
    Example::csv(
        Kind::PersonName,
        "user_id,full_name,plan\n1,Jane Doe,Pro\n",
        &["Jane Doe"],
    ),
    Example::csv(
        Kind::PersonName,
        "sku,product_name,colour\nA1,Amber Brown,Olive Green\n",
        &[],
    ),
    Example::csv(Kind::PersonName, "id,product\nA1,Grace Period\n", &[]),
];

const fn ex(input: &'static str, expect: &'static [&'static str]) -> Example {
    Example::lines(Kind::PersonName, input, expect)
}

/// The longest word looked up: longer capitalised words are never names.
const MAX_WORD: usize = 24;

impl NameEntry {
    /// True when `first` then `last` name a person although both are ordinary words.
    fn frequent_pair(first: NameEntry, last: NameEntry) -> bool {
        first.frequent && last.frequent
    }
}

struct Lists {
    first: Dictionary<NameEntry>,
    last: Dictionary<NameEntry>,
}

fn lists() -> &'static Lists {
    static LISTS: OnceLock<Lists> = OnceLock::new();
    LISTS.get_or_init(|| Lists {
        first: Dictionary::new(built_in!("first_names"), NameEntry::from_bits),
        last: Dictionary::new(built_in!("surnames"), NameEntry::from_bits),
    })
}

/// True when `first` then `last` are a person's first name and surname beyond doubt: both
/// among the most frequent names (`John`, `Smith`), or neither an English word (`Agnes`,
/// `Kowalski`). `Min`, `Max` or `Lon`, `Lat` are names too, and words, so they are not. A CSV
/// row that holds such a pair is a record, not a header (see `structure::csv`).
pub fn is_first_and_last(first: &[u8], last: &[u8]) -> bool {
    let lists = lists();
    match (lists.first.get_folded(first), lists.last.get_folded(last)) {
        (Some(f), Some(l)) => NameEntry::frequent_pair(f, l) || !(f.common || l.common),
        _ => false,
    }
}

/// Finds person names in text and under name keys.
pub struct PersonNameDetector {
    lists: &'static Lists,
}

impl PersonNameDetector {
    pub fn new() -> Self {
        PersonNameDetector { lists: lists() }
    }
}

impl Default for PersonNameDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl Detector for PersonNameDetector {
    fn family(&self) -> &'static str {
        "person_name"
    }

    fn classes(&self) -> Classes {
        Classes::NONE.with(Class::Capital).with(Class::At)
    }

    fn kinds(&self) -> KindSet {
        KindSet::of(Kind::PersonName)
    }

    fn find(&self, hay: &Haystack<'_>, enabled: KindSet, out: &mut Vec<Match>) {
        if !enabled.contains(Kind::PersonName) {
            return;
        }
        let bytes = hay.bytes;
        for h in hay.hints {
            let (start, end) = trim(bytes, h.start, h.end);
            let value = &bytes[start..end];
            let is_name = match h.hint {
                Hint::PersonName | Hint::FirstName | Hint::LastName => looks_like_name(value),
                Hint::MaybePersonName => self.is_full_name(value),
                _ => false,
            };
            if is_name {
                out.push(Match {
                    detail: crate::detect::Detail::NONE,
                    start,
                    end,
                    kind: Kind::PersonName,
                });
            }
        }
        let mut hinted = HintCursor::new(hay.hints);
        for_each_capital_start(hay, |pos| {
            // A value under a name or place key was decided by its key above.
            if let Some(h) = hinted.around(pos).filter(|h| h.hint.settles_words()) {
                return h.end;
            }
            // `My name is Maria Laura Sampaio`: the context may see further than the lists.
            let listed = self.full_name_at(bytes, pos).map(|end| {
                name_context::after_lower_trigger(bytes, pos).map_or(end, |told| told.max(end))
            });
            match listed {
                Some(end) => {
                    out.push(Match {
                        detail: crate::detect::Detail::NONE,
                        start: pos,
                        end,
                        kind: Kind::PersonName,
                    });
                    end
                }
                None => {
                    // A name told by the words around it: `Hi Maria,`, `Mr. Gibbs`.
                    let told = name_context::after_trigger(bytes, pos).or_else(|| {
                        name_context::after_lower_trigger(bytes, pos).map(|end| (pos, end))
                    });
                    match told {
                        Some((start, end)) => {
                            out.push(Match::new(start, end, Kind::PersonName));
                            end
                        }
                        None => word_end(bytes, pos),
                    }
                }
            }
        });
        // A sender's name beside an address, in any script: `from 呂玉玲 <u@x.org>`.
        for at in hay.candidates(Class::At) {
            if let Some((start, end)) = name_context::beside_address(bytes, at) {
                out.push(Match::new(start, end, Kind::PersonName));
            }
        }
    }
}

impl PersonNameDetector {
    /// The end of a `First [M.|Middle] Last[-Last]` name that starts at `pos`, if there is one.
    fn full_name_at(&self, bytes: &[u8], pos: usize) -> Option<usize> {
        // Most capitalised words are not followed by another word: `"Chrome"`, `Windows,`.
        let end = word_end(bytes, pos);
        if !matches!(bytes.get(end..end + 2), Some([b' ', b]) if b.is_ascii_uppercase() || *b >= 0x80)
        {
            return None;
        }
        let first = self.title_word(&self.lists.first, bytes, pos)?;
        let doubtful = first.entry.common && opens_sentence(bytes, pos) && !introduced(bytes, pos);
        let mut next = next_word(bytes, first.end)?;
        if let [b'A'..=b'Z', b'.', b' ', ..] = bytes[next..] {
            next += 3;
        }
        // `Mary Ann Smith`: a second first name, then the surname (`Ann` is both).
        let middle = self
            .title_word(&self.lists.first, bytes, next)
            .filter(|middle| !middle.entry.common)
            .and_then(|middle| next_word(bytes, middle.end))
            .and_then(|after| Some((after, self.title_word(&self.lists.last, bytes, after)?)));
        let (last_start, last) = match middle {
            Some(last) => last,
            None => (next, self.title_word(&self.lists.last, bytes, next)?),
        };
        // `I fly to Milan Monday`: a day is a date after a one-word name, whatever surnames
        // the registers hold (`Monday`, `Friday`).
        if is_weekday(&bytes[last_start..last.end]) {
            return None;
        }
        if doubtful
            && !NameEntry::frequent_pair(first.entry, last.entry)
            && !bytes[last.end..].starts_with(b" <")
        {
            return None;
        }
        // `Smith-Jones`
        let mut end = last.end;
        if bytes.get(end) == Some(&b'-') {
            if let Some(more) = self.title_word(&self.lists.last, bytes, end + 1) {
                end = more.end;
            }
        }
        // `customers in Simão Pereira`, `our office near Carlos Gomes`: places named after
        // people, or named like them; `in Jane Doe's account` is still a person.
        if after_place_word(bytes, pos) && !bytes[end..].starts_with(b"'s") {
            return None;
        }
        Some(end)
    }

    /// A title-case word of `list` at `pos`, ending at a word boundary.
    fn title_word(&self, list: &Dictionary<NameEntry>, bytes: &[u8], pos: usize) -> Option<Word> {
        let end = word_end(bytes, pos);
        let word = &bytes[pos..end];
        if word.len() < 2 || word.len() > MAX_WORD || !is_title_case(word) {
            return None;
        }
        let entry = list.word_at(bytes, pos, end)?;
        Some(Word { end, entry })
    }

    /// A value under a key that is only maybe a person: two to four words, a known first name
    /// first, a known surname last, and not both ordinary words unless both are among the most
    /// frequent names (`John Smith`, but not `Will Smith` or `Grace Hopper`).
    fn is_full_name(&self, value: &[u8]) -> bool {
        if !looks_like_name(value) {
            return false;
        }
        if !value.iter().any(u8::is_ascii_alphabetic) {
            return self.is_unspaced_or_foreign_name(value);
        }
        let mut words = value.split(|&b| b == b' ').filter(|w| !w.is_empty());
        let count = words.clone().count();
        let (Some(first), Some(last)) = (words.next(), words.next_back()) else {
            return false;
        };
        if !(2..=4).contains(&count) {
            return false;
        }
        // A hyphenated surname is known when one of its parts is.
        let surname = self.lists.last.get_folded(last).or_else(|| {
            last.split(|&b| b == b'-')
                .find_map(|part| self.lists.last.get_folded(part))
        });
        // `Jean-Nicolas`: a hyphenated given name is known when one of its parts is.
        let given = self.lists.first.get_folded(first).or_else(|| {
            first
                .split(|&b| b == b'-')
                .find_map(|part| self.lists.first.get_folded(part))
        });
        // One known part is enough when it is no ordinary word: `Zyla Pemberton-Ashe` is a
        // customer, `Checkout Button` is not.
        match (given, surname) {
            (Some(f), Some(l)) => !(f.common && l.common) || NameEntry::frequent_pair(f, l),
            (Some(known), None) | (None, Some(known)) => !known.common,
            // Vietnamese names are seldom in a list, and their letters (`ư`, `ơ`, `đ`, `ệ`)
            // seldom in a product's name: `Diệu Vân Trương`.
            (None, None) => {
                count >= 2
                    && is_vietnamese(value)
                    && value
                        .split(|&b| b == b' ')
                        .filter(|w| !w.is_empty())
                        .all(|w| name_context::name_word(w, 0) == Some(w.len()))
            }
        }
    }
}

impl PersonNameDetector {
    /// A value without Latin letters under a key that is only maybe a person (`name`): two to
    /// four name words of one script (`Слађана Марковић`, `ნუგზარ გურული`), or one word of
    /// Han or Hangul that starts with a known surname (`王芳`, `김민수`, `佐藤太郎`): two to
    /// four characters after a one-character surname (Chinese and Korean given names are one
    /// or two characters, Japanese up to three), up to five after a longer one. Product names
    /// in these scripts seldom start with a surname and have that length (`高级会员套餐`).
    fn is_unspaced_or_foreign_name(&self, value: &[u8]) -> bool {
        let Ok(text) = std::str::from_utf8(value) else {
            return false;
        };
        let words = text.split(' ').filter(|w| !w.is_empty());
        let count = words.clone().count();
        if (2..=4).contains(&count) {
            return words
                .clone()
                .all(|w| name_context::name_word(w.as_bytes(), 0) == Some(w.len()));
        }
        let (1, Some(word)) = (count, words.clone().next()) else {
            return false;
        };
        let chars = word.chars().count();
        if !word.chars().all(is_han_or_hangul) {
            return false;
        }
        // The longest known surname the word starts with.
        let ends = word
            .char_indices()
            .map(|(i, _)| i)
            .skip(1)
            .chain([word.len()]);
        let surname_chars = (1..=3)
            .zip(ends)
            .filter(|&(_, end)| self.lists.last.get(&word.as_bytes()[..end]).is_some())
            .map(|(n, _)| n)
            .last();
        match surname_chars {
            Some(1) => (2..=4).contains(&chars),
            Some(n) => n < chars && chars <= 5,
            None => false,
        }
    }
}

/// True when `value` holds a letter only Vietnamese writes: `Ơ ơ Ư ư Đ đ` or one of Latin
/// Extended Additional (`ệ`, `ồ`; U+1EA0-U+1EF9), in UTF-8.
fn is_vietnamese(value: &[u8]) -> bool {
    value.windows(2).any(|w| {
        matches!(w, [0xC6, 0xA0 | 0xA1 | 0xAF | 0xB0] | [0xC4, 0x90 | 0x91])
            || (w[0] == 0xE1 && matches!(w[1], 0xBA | 0xBB))
    })
}

/// Han ideographs (with the iteration mark `々`), kana and Hangul syllables.
fn is_han_or_hangul(c: char) -> bool {
    matches!(c as u32, 0x3005 | 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF)
}

struct Word {
    end: usize,
    entry: NameEntry,
}

/// Words that introduce a person's name: `From: Will Smith`, `Dear Grace Hopper`.
const INTRODUCERS: &[&str] = &[
    "from",
    "to",
    "cc",
    "bcc",
    "dear",
    "hi",
    "hello",
    "hey",
    "thanks",
    "regards",
    "cheers",
    "sincerely",
    "by",
    "is",
    "contact",
    "agent",
    "customer",
    "signed",
    "name",
    "author",
];

/// True when the word before `pos` (past blanks and one `:` or `,`) introduces a name.
fn introduced(bytes: &[u8], pos: usize) -> bool {
    let mut end = pos;
    while end > 0 && bytes[end - 1] == b' ' {
        end -= 1;
    }
    if end > 0 && matches!(bytes[end - 1], b':' | b',') {
        end -= 1;
    }
    let start = bytes[..end]
        .iter()
        .rposition(|b| !b.is_ascii_alphabetic())
        .map_or(0, |i| i + 1);
    let word = &bytes[start..end];
    INTRODUCERS
        .iter()
        .any(|w| w.as_bytes().eq_ignore_ascii_case(word))
}

/// True when the word before `pos` (after one blank) is `in` or `near`, which a place
/// follows far more often than a person.
fn after_place_word(bytes: &[u8], pos: usize) -> bool {
    let before = &bytes[..pos];
    [&b" in "[..], b" near ", b"\nin ", b"\nnear "]
        .iter()
        .any(|w| before.ends_with(w))
        || before == b"in "
        || before == b"near "
}

/// The start of the word after a single space at `end`.
fn next_word(bytes: &[u8], end: usize) -> Option<usize> {
    (bytes.get(end) == Some(&b' ') && bytes.get(end + 1).is_some_and(|&b| is_word_byte(b)))
        .then_some(end + 1)
}

/// `start..end` without surrounding blanks.
fn trim(bytes: &[u8], mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && bytes[start] == b' ' {
        start += 1;
    }
    while end > start && bytes[end - 1] == b' ' {
        end -= 1;
    }
    (start, end)
}

pub fn mask(value: &str) -> compact_str::CompactString {
    super::text::mask_words(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::HintedValue;
    use crate::structure::json;

    fn found(text: &str) -> Vec<&str> {
        let bytes = text.as_bytes();
        let mut hints: Vec<HintedValue> = Vec::new();
        json::find_hints(bytes, &mut hints);
        let hay = Haystack::new(bytes, &hints);
        let mut out = Vec::new();
        PersonNameDetector::new().find(&hay, KindSet::of(Kind::PersonName), &mut out);
        out.sort();
        out.dedup_by_key(|m| (m.start, m.end));
        out.iter().map(|m| &text[m.start..m.end]).collect()
    }

    #[test]
    fn examples_hold_with_json_hints() {
        // CSV examples need the engine's column hints: they run in its harness.
        for example in EXAMPLES
            .iter()
            .filter(|e| e.shape == crate::detect::Shape::Lines)
        {
            assert_eq!(
                found(example.input),
                example.expect,
                "in {:?}",
                example.input
            );
        }
    }

    #[test]
    fn boundaries() {
        let cases: &[(&str, &[&str])] = &[
            ("Jane Doe", &["Jane Doe"]),
            ("x\nJane Doe\n", &["Jane Doe"]),
            ("Jane\nDoe", &[]),
            ("Jane  Doe", &[]),
            ("JaneDoe xJane Doe", &[]),
            ("Jane Doe2", &[]),
            ("Jane Doe-Smith, hi", &["Jane Doe-Smith"]),
            ("(Jane Doe)", &["Jane Doe"]),
            ("Jane Doe Jane Roe", &["Jane Doe", "Jane Roe"]),
            ("Mr. John Smith", &["John Smith"]),
            ("Ann Lee's", &["Ann Lee"]),
            ("Ann X. ", &[]),
            ("Ann ", &[]),
            ("customers in Simão Pereira only", &[]),
            ("an office near Carlos Gomes", &[]),
            ("in Jane Doe's account", &["Jane Doe"]),
            ("sign in Jane Doe", &[]),
            ("I fly to Milan Monday", &[]),
            ("Anna Maria Friday", &["Anna Maria"]),
            ("see Anna Schmidt on Friday", &["Anna Schmidt"]),
        ];
        for (text, want) in cases {
            assert_eq!(found(text), *want, "in {text:?}");
        }
    }

    #[test]
    fn hints_and_placeholders() {
        let cases: &[(&str, &[&str])] = &[
            (r#"{"$name":" Jane Doe "}"#, &["Jane Doe"]),
            (r#"{"$last_name":"Smith"}"#, &["Smith"]),
            (r#"{"$first_name":"Will"}"#, &["Will"]),
            (r#"{"$name":"Undefined"}"#, &[]),
            (r#"{"$name":""}"#, &[]),
            (r#"{"name":"Will Smith"}"#, &[]),
            (r#"{"name":"jane doe"}"#, &["jane doe"]),
            (r#"{"name":"Page View"}"#, &[]),
            (r#"{"name":"Grace Hopper"}"#, &[]),
            // An event's name is the developers' words, never searched: only the note's is found.
            (
                r#"{"event":"Invited Jane Doe","note":"Invited Jane Doe"}"#,
                &["Jane Doe"],
            ),
        ];
        for (text, want) in cases {
            assert_eq!(found(text), *want, "in {text:?}");
        }
    }

    #[test]
    fn masks() {
        assert_eq!(mask("Jane Doe"), "J*** D***");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let hay = Haystack::plain(&bytes);
            let mut out = Vec::new();
            PersonNameDetector::new().find(&hay, KindSet::of(Kind::PersonName), &mut out);
            for m in out {
                proptest::prop_assert!(m.start < m.end && m.end <= bytes.len());
            }
        }

        #[test]
        fn names_in_random_text(pad in "[a-z ,.\n]{0,30}", tail in "[a-z ,.\n]{0,30}") {
            // `in Jane Doe`, `near Jane Doe`: a place named like a person (`after_place_word`).
            let last_word = pad.rsplit(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("");
            proptest::prop_assume!(!matches!(last_word, "in" | "near"));
            let text = format!("{pad} Jane Doe{}", if tail.starts_with(|c: char| c.is_ascii_alphabetic()) { format!(" {tail}") } else { tail.clone() });
            proptest::prop_assert_eq!(found(&text), vec!["Jane Doe"]);
        }
    }
}
