//! The shared prefilter: one pass over a chunk that lists where each detector should look.
//!
//! Every detector starts from bytes that are frequent in an export: the `":` after every JSON
//! key (one every 30 bytes of NDJSON), a `.` between digits (IPv4 addresses, coordinates,
//! but also every version and float), a `:` between hex digits (IPv6, but also times), a
//! capital letter at a word start (names, places, but also event names). Searched for one
//! detector at a time, with `memchr` or per-detector masks, they cost more than everything
//! else: `memchr` stops every few dozen bytes and each stop has a fixed cost, and each pass
//! reads the chunk again.
//!
//! So the chunk is read once, 64 bytes at a time: each block is compared with SIMD against
//! the bytes that matter (AVX-512 or AVX2 when the processor has them, chosen at run time, a
//! byte table otherwise), the comparisons become bit masks (bit `j` for byte `j`), and masks
//! combine with shifts into candidates ("a `.` with a digit on each side") in a few
//! instructions per block. Only the positions of candidates are written out, one list per
//! [`Class`]; a detector then visits its list and looks at the bytes only there.
//!
//! Candidates are a superset: a detector still checks the bytes around each one, so a
//! candidate too many costs a look, never a false finding.
//!
//! The parts: `masks` (what a block holds, the vocabulary between the two halves),
//! `scalar` and `x86` (computing the masks), `emit` (combining them into each class's
//! candidates), `strings` (JSON string boundaries across blocks) and `pass` (the loop).

mod emit;
mod masks;
mod pass;
mod scalar;
mod strings;
#[cfg(test)]
mod tests;
#[cfg(target_arch = "x86_64")]
mod x86;

use pass::find;

/// The kinds of candidate positions the prefilter lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Class {
    /// The closing quote of a JSON key: an unescaped `"` that ends a string, followed by `:`.
    Key,
    /// The first byte of a capitalised word: `A`-`Z`, or the lead byte `0xC3`-`0xC5` of a
    /// two-byte Latin letter, after a byte that does not continue a word.
    Capital,
    /// A `.` with a digit on each side.
    Decimal,
    /// A `:` that may join IPv6 groups: a hex digit on each side, or another `:` next to it.
    Colon,
    /// An e-mail separator, plain or encoded: `@`, `%4` (of `%40`), `\u` (of `\u0040`).
    At,
    /// A newline.
    Newline,
    /// A JSON escape `\u`.
    Escape,
    /// What a walk over a JSON line's nesting must see besides its keys: a bracket `{` `}`
    /// `[` `]` outside strings, and (rarely, since exports are compact) the closing quote of a
    /// string followed by a blank, after which a key's `:` may come.
    Structure,
    /// Where a long number may start (phones, payment cards, national numbers): a digit, `+`,
    /// `(`, `)` or `*` that does not continue a word, a number or punctuation (no word byte or
    /// `(`-`/` before it), followed by at least [`NUMBER_RUN`] bytes of digits, blanks and
    /// `(`-`/` punctuation, and not a JSON number (right after `":`). Telemetry is full of
    /// short numbers; only long digit runs reach the detectors.
    Number,
    /// Where an uppercase code may start (IBANs, national numbers written with letters): an
    /// uppercase ASCII letter at a word start, followed by an uppercase letter or a digit,
    /// the first of at least [`CODE_RUN`] bytes of uppercase letters, digits and blanks.
    Code,
    /// Where a credential may sit: the start of a word of at least [`TOKEN_RUN`] token bytes
    /// (letters, digits, `_`, `-`: API keys and tokens are long and random), five dashes
    /// opening a run of dashes (a PEM block), a `=` after a word byte and a `:` after a letter,
    /// followed (past one blank, for `:`) by at least [`ASSIGNED_RUN`] bytes of a value
    /// (`api_key=...` in a query string, `API_KEY=...` in an environment, `X-Api-Key: ...`).
    Secret,
}

/// The digit-run length from which the [`Class::Number`] class lists a start.
pub const NUMBER_RUN: usize = 8;
/// The run length from which [`Class::Code`] lists a start.
pub const CODE_RUN: usize = 8;
/// The run length from which [`Class::Secret`] lists a word start.
pub const TOKEN_RUN: usize = 20;
/// The shortest value after `=` or `: ` that [`Class::Secret`] lists.
pub const ASSIGNED_RUN: usize = 6;

impl Class {
    const ALL: [Class; 11] = [
        Class::Key,
        Class::Capital,
        Class::Decimal,
        Class::Colon,
        Class::At,
        Class::Newline,
        Class::Escape,
        Class::Structure,
        Class::Number,
        Class::Code,
        Class::Secret,
    ];
}

/// A set of classes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Classes(u16);

impl Classes {
    pub const NONE: Classes = Classes(0);
    pub const ALL: Classes = Classes((1 << Class::ALL.len()) - 1);

    pub const fn with(self, class: Class) -> Classes {
        Classes(self.0 | 1 << class as u8)
    }

    pub const fn union(self, other: Classes) -> Classes {
        Classes(self.0 | other.0)
    }

    pub const fn intersection(self, other: Classes) -> Classes {
        Classes(self.0 & other.0)
    }

    pub fn contains(self, class: Class) -> bool {
        self.0 & 1 << class as u8 != 0
    }
}

impl FromIterator<Class> for Classes {
    fn from_iter<I: IntoIterator<Item = Class>>(iter: I) -> Classes {
        iter.into_iter().fold(Classes::NONE, Classes::with)
    }
}

/// The candidate positions of one chunk, by class, each list in increasing order. Positions
/// are `u32`: a chunk is a few MiB (a single line longer than 4 GiB is scanned in parts).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Candidates {
    lists: [Vec<u32>; Class::ALL.len()],
    /// The classes that were searched for.
    found: Classes,
}

/// The longest haystack the prefilter takes, so that positions fit in `u32`.
pub const MAX_LEN: usize = u32::MAX as usize;

impl Candidates {
    /// The candidates of `classes` in `bytes`.
    pub fn new(bytes: &[u8], classes: Classes) -> Candidates {
        let mut candidates = Candidates::default();
        candidates.find(bytes, classes);
        candidates
    }

    /// Replaces the lists with the candidates of `classes` in `bytes` (at most [`MAX_LEN`]
    /// bytes), reusing their memory. `bytes` start outside any JSON string.
    pub fn find(&mut self, bytes: &[u8], classes: Classes) {
        self.find_with(bytes, classes, true)
    }

    /// Like [`Candidates::find`], for bytes that may start inside a JSON string (a piece of a
    /// line too long to hold whole): string boundaries are not followed, so every `"` before
    /// `:` is a key end and every bracket is listed, as if no string held any.
    pub fn find_from_mid_line(&mut self, bytes: &[u8], classes: Classes) {
        self.find_with(bytes, classes, false)
    }

    fn find_with(&mut self, bytes: &[u8], classes: Classes, strings: bool) {
        assert!(bytes.len() <= MAX_LEN, "a haystack of more than 4 GiB");
        for list in &mut self.lists {
            list.clear();
        }
        self.found = classes;
        match simd() {
            // SAFETY: `simd` only answers what the processor has.
            #[cfg(target_arch = "x86_64")]
            Simd::Avx512 => unsafe { x86::find_avx512(bytes, classes, strings, &mut self.lists) },
            // SAFETY: as above.
            #[cfg(target_arch = "x86_64")]
            Simd::Avx2 => unsafe { x86::find_avx2(bytes, classes, strings, &mut self.lists) },
            _ => find::<scalar::Table>(bytes, classes, strings, &mut self.lists),
        }
    }

    /// The positions of `class`, in increasing order. Empty unless `class` was searched for.
    #[inline]
    pub fn get(&self, class: Class) -> &[u32] {
        &self.lists[class as usize]
    }

    /// Drops the candidates of `classes` that lie inside one of the spans that start at
    /// `starts` (in increasing order) and end where `end_of(start)` says (spans do not
    /// overlap): values that a later stage knows no detector of those classes needs to see.
    /// `end_of` is asked only for the spans that may hold a candidate, once each.
    pub fn drop_within(
        &mut self,
        classes: Classes,
        starts: &[usize],
        mut end_of: impl FnMut(usize) -> usize,
    ) {
        if starts.is_empty() {
            return;
        }
        let mut ends = vec![usize::MAX; starts.len()];
        for class in Class::ALL.into_iter().filter(|&c| classes.contains(c)) {
            let mut i = 0;
            self.lists[class as usize].retain(|&p| {
                let p = p as usize;
                while starts.get(i + 1).is_some_and(|&s| s <= p) {
                    i += 1;
                }
                if starts[i] > p {
                    return true;
                }
                if ends[i] == usize::MAX {
                    ends[i] = end_of(starts[i]);
                }
                p >= ends[i]
            });
        }
    }

    /// Whether `class` was searched for: an empty list then means "none there".
    pub fn searched(&self, class: Class) -> bool {
        self.found.contains(class)
    }
}

/// The instruction sets the prefilter can use, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Simd {
    /// One byte at a time, through a table.
    None,
    Avx2,
    Avx512,
}

/// The best instruction set of this processor, or a lesser one named by the environment
/// variable `PIISCAN_SIMD` (`avx512`, `avx2` or `none`), to compare them on one machine.
pub fn simd() -> Simd {
    static SIMD: std::sync::OnceLock<Simd> = std::sync::OnceLock::new();
    *SIMD.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        let best = if x86::has_avx512() {
            Simd::Avx512
        } else if x86::has_avx2() {
            Simd::Avx2
        } else {
            Simd::None
        };
        #[cfg(not(target_arch = "x86_64"))]
        let best = Simd::None;
        let asked = match std::env::var("PIISCAN_SIMD").as_deref() {
            Ok("none") => Simd::None,
            Ok("avx2") => Simd::Avx2,
            _ => Simd::Avx512,
        };
        best.min(asked)
    })
}
