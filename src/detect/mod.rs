//! Detectors: each turns a chunk of bytes into candidate matches of one family of kinds.
//!
//! A detector sees a [`Haystack`] (whole lines of one input, the values that sit under
//! hinting keys such as `$email` or `city`, and the candidate positions the shared prefilter
//! pass listed: `@` for e-mail, digit-dot-digit for IPv4 and coordinates, capitalised word
//! starts for names and places, see [`crate::prefilter`]) and pushes [`Match`]es with offsets
//! relative to the haystack. It never opens files, never prints and never allocates per byte:
//! it visits only its candidates and validates around them (an anchored aho-corasick
//! automaton of names and places, check digits, numbering plans).
//!
//! Matches never span a newline. Chunks are newline-aligned, so this is what guarantees that a
//! match is never cut in two by a chunk boundary and is reported exactly once.
//!
//! Each kind is described once, in its detector's file ([`KindSpec`], listed in [`kind`]), with
//! its positive and negative [`Example`]s; the engine's tests run every example of every kind
//! through the whole engine.

use std::borrow::Cow;

use compact_str::CompactString;

use crate::prefilter::{Candidates, Class, Classes};
pub use crate::structure::keys::{Hint, HintedValue};

pub mod account_id;
pub mod card;
#[cfg(test)]
mod context_tests;
pub mod coordinates;
pub mod custom;
pub mod device;
mod dictionary;
pub mod email;
pub mod geo;
pub mod iban;
pub mod imei;
pub mod ipv4;
pub mod ipv6;
pub mod kind;
pub mod mac_address;
mod name_context;
pub mod national_id;
pub mod normal;
pub mod person_name;
pub mod phone;
mod place_shape;
pub mod referrer;
pub mod secret;
mod tables;
mod text;
mod token;
mod walk;

pub use kind::{
    CustomKind, Generalisation, Identifies, Kind, KindSet, KindSpec, Pseudonym, RedactAction,
    Redaction, Role,
};
pub use normal::Normal;

/// A candidate match: a byte range relative to the haystack, its kind, and what the kind
/// leaves open (a national number's scheme, a credential's rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Match {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    pub detail: Detail,
}

impl Match {
    pub fn new(start: usize, end: usize, kind: Kind) -> Match {
        Match {
            start,
            end,
            kind,
            detail: Detail::NONE,
        }
    }

    pub fn with_detail(self, detail: Detail) -> Match {
        Match { detail, ..self }
    }
}

/// What a finding's kind leaves open, named once per process: the scheme of a national
/// number (`us_ssn`), the rule of a credential (`github.pat`), a policy's own rule. Interned,
/// so that a match stays small and `Copy`; [`Detail::NONE`] for kinds that say it all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Detail(u16);

static DETAILS: std::sync::RwLock<Vec<&'static str>> = std::sync::RwLock::new(Vec::new());

impl Detail {
    pub const NONE: Detail = Detail(0);

    /// The detail with this name, made known to the process on first use; `NONE` once the
    /// process knows `u16::MAX - 1` of them.
    pub fn intern(name: &str) -> Detail {
        {
            let names = DETAILS.read().unwrap_or_else(|e| e.into_inner());
            if let Some(i) = names.iter().position(|n| *n == name) {
                return Detail(i as u16 + 1);
            }
        }
        let mut names = DETAILS.write().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = names.iter().position(|n| *n == name) {
            return Detail(i as u16 + 1);
        }
        match u16::try_from(names.len() + 1) {
            Ok(id) if id < u16::MAX => {
                names.push(Box::leak(name.to_owned().into_boxed_str()));
                Detail(id)
            }
            _ => Detail::NONE,
        }
    }

    /// Its name; `None` for [`Detail::NONE`].
    pub fn name(self) -> Option<&'static str> {
        let index = usize::from(self.0).checked_sub(1)?;
        let names = DETAILS.read().unwrap_or_else(|e| e.into_inner());
        names.get(index).copied()
    }
}

/// Reads the hint of the value at a position of a haystack on demand (the key of a JSON
/// value, read backwards).
pub type HintAt = fn(&[u8], usize) -> Option<Hint>;

/// The bytes a detector searches and what is known about their structure.
#[derive(Clone, Debug)]
pub struct Haystack<'a> {
    /// Whole lines of one input.
    pub bytes: &'a [u8],
    /// Values under hinting keys, sorted by `start`.
    pub hints: &'a [HintedValue],
    /// Where the detectors should look (see [`crate::prefilter`]).
    pub candidates: Cow<'a, Candidates>,
    /// How to read the hint of a value that `hints` does not hold: the structure stage only
    /// looks for the keys that the enabled detectors need at every value, and leaves the
    /// keys needed only now and then (is this IPv4-shaped version under an `ip` key?) to be
    /// read when asked.
    pub hint_at: Option<HintAt>,
    /// The bytes are part of a JSON document written over many lines, where a record's
    /// values sit on lines of their own: what goes together is an object, not a line.
    pub document: bool,
}

impl<'a> Haystack<'a> {
    /// A haystack with no structure known (plain text).
    pub fn plain(bytes: &'a [u8]) -> Haystack<'a> {
        Haystack::new(bytes, &[])
    }

    /// A haystack with the values under hinting keys known; the candidates are found here.
    pub fn new(bytes: &'a [u8], hints: &'a [HintedValue]) -> Haystack<'a> {
        Haystack {
            bytes,
            hints,
            candidates: Cow::Owned(Candidates::new(bytes, Classes::ALL)),
            hint_at: None,
            document: false,
        }
    }

    /// A haystack whose candidates were found by the caller (the engine reuses their memory
    /// from chunk to chunk).
    pub fn with_candidates(
        bytes: &'a [u8],
        hints: &'a [HintedValue],
        candidates: &'a Candidates,
    ) -> Haystack<'a> {
        Haystack {
            bytes,
            hints,
            candidates: Cow::Borrowed(candidates),
            hint_at: None,
            document: false,
        }
    }

    /// The candidate positions of `class`, in increasing order.
    #[inline]
    pub fn candidates(&self, class: Class) -> impl Iterator<Item = usize> + '_ {
        debug_assert!(
            self.candidates.searched(class),
            "{class:?} was not searched for"
        );
        self.candidates.get(class).iter().map(|&p| p as usize)
    }

    /// The hint for a value that starts at `start` and ends at `end`, if that exact span sits
    /// under a hinting key.
    pub fn hint_for(&self, start: usize, end: usize) -> Option<Hint> {
        let i = self.hints.partition_point(|h| h.start < start);
        self.hints[i..]
            .iter()
            .take_while(|h| h.start == start)
            .find(|h| h.end == end)
            .map(|h| h.hint)
    }

    /// The hint of the value that contains `start..end`, if any.
    pub fn hint_around(&self, start: usize, end: usize) -> Option<Hint> {
        let known = self.listed_hint_around(start, end);
        known.or_else(|| self.read_hint_at(start))
    }

    /// The hint of the value that holds `start`, read back from its key on demand (only
    /// for the hints [`Haystack::hint_at`] tells), for a value that no listed hint holds.
    pub fn read_hint_at(&self, start: usize) -> Option<Hint> {
        self.hint_at.and_then(|read| read(self.bytes, start))
    }

    /// The hint of the listed value (found up front: a CSV column's, a wanted JSON key's) that
    /// holds `start..end`, without reading a key on demand.
    #[inline]
    pub fn listed_hint_around(&self, start: usize, end: usize) -> Option<Hint> {
        if self.hints.is_empty() {
            return None;
        }
        let i = self.hints.partition_point(|h| h.start <= start);
        self.hints[..i]
            .iter()
            .rev()
            .take(4)
            .find(|h| h.start <= start && end <= h.end)
            .map(|h| h.hint)
    }
}

/// Walks the hinted values of a haystack alongside positions that only increase: which value,
/// if any, holds the position. Dictionary detectors use it to leave values that a key has
/// already classified (a `$city`, a `$name`) to the key, and spare the lookups.
pub struct HintCursor<'h> {
    hints: &'h [HintedValue],
    /// The first hinted value that ends past the last position asked about.
    next: usize,
    /// How many hinted values start at or before the last span asked about.
    started: usize,
}

impl<'h> HintCursor<'h> {
    pub fn new(hints: &'h [HintedValue]) -> HintCursor<'h> {
        HintCursor {
            hints,
            next: 0,
            started: 0,
        }
    }

    /// What [`Haystack::listed_hint_around`] tells of `start..end` (a non-empty span), found
    /// by walking rather than by a search; `start` must not be smaller than at the last call.
    pub fn listed_around(&mut self, start: usize, end: usize) -> Option<Hint> {
        while self
            .hints
            .get(self.started)
            .is_some_and(|h| h.start <= start)
        {
            self.started += 1;
        }
        while self.hints.get(self.next).is_some_and(|h| h.end <= start) {
            self.next += 1;
        }
        // The same four latest-starting values the search looks at, less those that end
        // before `start` and so cannot hold the span.
        let from = self
            .next
            .max(self.started.saturating_sub(4))
            .min(self.started);
        self.hints[from..self.started]
            .iter()
            .rev()
            .find(|h| h.start <= start && end <= h.end)
            .map(|h| h.hint)
    }

    /// The hinted value that contains `pos`; `pos` must not be smaller than at the last call.
    pub fn around(&mut self, pos: usize) -> Option<&'h HintedValue> {
        while self.hints.get(self.next).is_some_and(|h| h.end <= pos) {
            self.next += 1;
        }
        self.hints[self.next..]
            .iter()
            .take_while(|h| h.start <= pos)
            .find(|h| pos < h.end)
    }
}

/// A detector: one family of kinds, found by one prefilter and one set of rules.
pub trait Detector: Send + Sync {
    /// The family name shown in `--stats`.
    fn family(&self) -> &'static str;
    /// The kinds this detector can report.
    fn kinds(&self) -> KindSet;
    /// The candidate classes the detector visits (see [`crate::prefilter`]).
    fn classes(&self) -> Classes;
    /// Pushes every match of an `enabled` kind in `hay` onto `out`, in any order.
    fn find(&self, hay: &Haystack<'_>, enabled: KindSet, out: &mut Vec<Match>);
}

/// A shared detector is a detector: the engine takes a policy's detectors as `Arc`s.
impl<D: Detector + ?Sized> Detector for std::sync::Arc<D> {
    fn family(&self) -> &'static str {
        (**self).family()
    }
    fn kinds(&self) -> KindSet {
        (**self).kinds()
    }
    fn classes(&self) -> Classes {
        (**self).classes()
    }
    fn find(&self, hay: &Haystack<'_>, enabled: KindSet, out: &mut Vec<Match>) {
        (**self).find(hay, enabled, out)
    }
}

/// A positive or negative example that a detector must honour: scanning `input` through the
/// whole engine, as a line of text or JSON (so a JSON line gets its key hints) or as a CSV
/// file (so a column gives its hints), must yield exactly the `expect`ed substrings of
/// `kind`, in order. An empty `expect` makes a negative example.
#[derive(Clone, Copy, Debug)]
pub struct Example {
    pub kind: Kind,
    pub input: &'static str,
    pub expect: &'static [&'static str],
    pub shape: Shape,
}

/// How an [`Example`]'s input is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Lines of text or JSON.
    Lines,
    /// A CSV file, header first.
    Csv,
}

impl Example {
    /// An example read as lines of text or JSON.
    pub const fn lines(kind: Kind, input: &'static str, expect: &'static [&'static str]) -> Self {
        Example {
            kind,
            input,
            expect,
            shape: Shape::Lines,
        }
    }

    /// An example read as a CSV file.
    pub const fn csv(kind: Kind, input: &'static str, expect: &'static [&'static str]) -> Self {
        Example {
            kind,
            input,
            expect,
            shape: Shape::Csv,
        }
    }
}

/// A detector family: one detector, found by one prefilter and one set of rules, that reports
/// one or more kinds (`geo` reports cities, regions and countries).
#[derive(Debug)]
pub struct Family {
    /// The name shown in `--stats`.
    pub name: &'static str,
    pub build: fn() -> Box<dyn Detector>,
}

/// Builds the detectors that report at least one kind of `enabled`, in report order.
pub fn detectors(enabled: KindSet) -> Vec<Box<dyn Detector>> {
    let mut families: Vec<&'static Family> = Vec::new();
    for spec in enabled.iter().filter_map(Kind::spec) {
        if !families.iter().any(|f| std::ptr::eq(*f, spec.family)) {
            families.push(spec.family);
        }
    }
    let all: Vec<Box<dyn Detector>> = families.iter().map(|f| (f.build)()).collect();
    debug_assert!(all.iter().all(|d| d.kinds().intersects(enabled)));
    all
}

/// Masks a value for display: enough to recognise it, never enough to recover it, and never
/// all of it, whatever its length or script (a test holds every kind's mask to that).
pub fn mask(kind: Kind, value: &[u8]) -> CompactString {
    // Nearly every value is a few ASCII bytes, for which the validation call of
    // `from_utf8` costs more than the mask.
    let value = if value.is_ascii() {
        // SAFETY: ASCII is UTF-8.
        std::borrow::Cow::Borrowed(unsafe { std::str::from_utf8_unchecked(value) })
    } else {
        match std::str::from_utf8(value) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(value),
        }
    };
    match kind.spec() {
        Some(spec) => (spec.mask)(&value),
        None => text::mask_words(&value),
    }
}

/// The first characters of `text` a mask may show: at most `most`, and at most half of them,
/// so that a short value (`김`, `Al`, `iOS`) is never shown whole whatever its script. Counts
/// code points: a letter written as a base and combining marks (NFD) counts as several.
pub(crate) fn shown_prefix(text: &str, most: usize) -> &str {
    let chars = text.chars().take(2 * most).count();
    let shown: usize = text
        .chars()
        .take((chars / 2).min(most))
        .map(char::len_utf8)
        .sum();
    &text[..shown]
}

/// A masked value being built on the stack: masks are short, and a dense export asks for
/// one every few hundred bytes, so they are assembled without allocating.
pub(crate) struct MaskBuf {
    bytes: [u8; 64],
    len: usize,
}

impl MaskBuf {
    pub(crate) fn new() -> MaskBuf {
        MaskBuf {
            bytes: [0; 64],
            len: 0,
        }
    }

    /// Appends `text`, or as much of it as fits (whole characters only).
    #[inline(always)]
    pub(crate) fn push(&mut self, text: &str) -> &mut MaskBuf {
        let bytes = text.as_bytes();
        if self.len + bytes.len() <= self.bytes.len() {
            // The pieces of a mask are a few bytes: copied without a call to `memcpy`.
            for (i, &b) in bytes.iter().enumerate() {
                self.bytes[self.len + i] = b;
            }
            self.len += bytes.len();
            return self;
        }
        let room = self.bytes.len() - self.len;
        let mut n = text.len().min(room);
        while !text.is_char_boundary(n) {
            n -= 1;
        }
        self.bytes[self.len..self.len + n].copy_from_slice(&bytes[..n]);
        self.len += n;
        self
    }

    /// Appends the first character of `text` when it has at least two (see
    /// [`shown_prefix`]): a value of one character is hidden whole.
    #[inline]
    pub(crate) fn push_initial(&mut self, text: &str) -> &mut MaskBuf {
        match text.as_bytes() {
            // An ASCII first character and at least one byte after it: two characters.
            [b, _, ..] if b.is_ascii() && self.len < self.bytes.len() => {
                self.bytes[self.len] = *b;
                self.len += 1;
                self
            }
            _ => self.push(shown_prefix(text, 1)),
        }
    }

    pub(crate) fn finish(&self) -> CompactString {
        // SAFETY: `push` and `push_initial` copy whole characters of `&str`s only.
        CompactString::from(unsafe { std::str::from_utf8_unchecked(&self.bytes[..self.len]) })
    }
}

/// Every example of every kind.
pub fn examples() -> Vec<Example> {
    // A family's examples are shared by its kinds: each list once.
    let mut lists: Vec<&'static [Example]> = Vec::new();
    for spec in Kind::ALL.iter().filter_map(|k| k.spec()) {
        if !lists.iter().any(|l| std::ptr::eq(*l, spec.examples)) {
            lists.push(spec.examples);
        }
    }
    lists.concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Walking the listed values tells what searching them tells, whatever their spans
        /// (nested and overlapping ones included), for spans asked in increasing order.
        #[test]
        fn a_hint_cursor_lists_as_the_search(
            spans in prop::collection::vec((0usize..200, 1usize..40), 0..40),
            asked in prop::collection::vec((0usize..240, 1usize..20), 1..40),
        ) {
            let mut hints: Vec<HintedValue> = spans
                .iter()
                .enumerate()
                .map(|(i, &(start, len))| HintedValue {
                    start,
                    end: start + len,
                    hint: if i % 2 == 0 { Hint::Ip } else { Hint::Version },
                })
                .collect();
            hints.sort_by_key(|h| (h.start, h.end));
            let hay = Haystack::new(&[], &hints);
            let mut asked = asked;
            asked.sort();
            let mut cursor = HintCursor::new(&hints);
            for (start, len) in asked {
                prop_assert_eq!(
                    cursor.listed_around(start, start + len),
                    hay.listed_hint_around(start, start + len)
                );
            }
        }
    }

    /// What a mask leaves to see once its `*`s are taken out.
    fn shown(masked: &str) -> String {
        masked.chars().filter(|&c| c != '*').collect()
    }

    type MaskFn = fn(&str) -> CompactString;

    /// Every kind's mask, and the one of a policy's own kinds.
    fn masks() -> Vec<(String, MaskFn)> {
        let mut all: Vec<(String, MaskFn)> = Kind::ALL
            .iter()
            .filter_map(|k| k.spec())
            .map(|s| (s.name.to_string(), s.mask))
            .collect();
        all.push(("custom".into(), text::mask_words));
        all
    }

    /// Short values of every kind and script: a mask hides at least one character of each.
    #[test]
    fn short_values_are_never_shown_whole() {
        let values = [
            "김",
            "王",
            "J",
            "é",
            "7",
            "Al",
            "王芳",
            "김민",
            "iOS",
            "u42",
            "ab",
            "a-b",
            "abc-",
            "a@b.co",
            "김@b.kr",
            "1.2.3.4",
            "::1",
            "1::",
            "48.8",
            "48.85",
            "g.io",
            "x.y.z",
            "https://x.io",
            "https://x.io/",
            "Ян Ли",
            "محمد",
        ];
        for (kind, mask) in masks() {
            for value in values {
                let masked = mask(value);
                assert!(
                    !masked.contains(value) && shown(&masked) != value,
                    "{kind}: {value:?} masked as {masked:?}"
                );
            }
        }
    }

    proptest! {
        /// No mask shows a whole value, whatever its length or script: the mask neither is
        /// nor holds the value, and its `*`s stand for at least one hidden character.
        #[test]
        fn masks_never_show_a_whole_value(value in prop_oneof![
            "[a-zA-Z0-9김민王芳ЖжИмحدéह्र .@:/_-]{1,12}",
            "[a-z김]{1,3}(@|%40)[a-z김]{1,3}(\\.[a-z]{1,3}){0,2}",
            "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
            "[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}",
            "-?[0-9]{1,3}\\.[0-9]{0,4}(, ?-?[0-9]{1,3}\\.[0-9]{0,4})?",
            "(https?://)?[a-z]{1,3}(\\.[a-z]{1,3}){0,3}/?[a-z?=]{0,3}",
        ]) {
            prop_assume!(value.chars().any(char::is_alphanumeric));
            for (kind, mask) in masks() {
                let masked = mask(&value);
                prop_assert!(
                    !masked.contains(value.as_str()) && shown(&masked) != value,
                    "{}: {:?} masked as {:?}", kind, value, masked
                );
            }
        }

        /// A mask is whole characters, also when it is cut at the end of its 64 bytes: the
        /// finished mask skips UTF-8 validation on that promise (`MaskBuf::finish`).
        #[test]
        fn masks_are_whole_characters(value in "[a-zé山 .@:0-9\\-]{0,120}") {
            for kind in Kind::ALL {
                let masked = mask(kind, value.as_bytes());
                prop_assert!(std::str::from_utf8(masked.as_bytes()).is_ok());
            }
        }
    }
}
