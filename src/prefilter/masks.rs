//! What one 64-byte block holds, as bit masks (bit `j` for byte `j`): the single vocabulary
//! between the implementations that compute masks (a byte table, AVX2, AVX-512) and the code
//! that combines them into candidates, so that each side can change without the other.

use super::{Class, Classes};

/// The bit masks of one 64-byte block (bit `j` for byte `j`), as computed by one SIMD
/// implementation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Masks {
    pub(super) quote: u64,
    pub(super) colon: u64,
    pub(super) dot: u64,
    pub(super) digit: u64,
    /// `0`-`9`, `a`-`f`, `A`-`F`.
    pub(super) hex: u64,
    /// `A`-`Z`, and the lead bytes `0xC3`-`0xC5` of two-byte Latin letters.
    pub(super) upper: u64,
    /// Bytes that continue a word: ASCII letters and digits, `_`, every non-ASCII byte.
    pub(super) word: u64,
    pub(super) at: u64,
    pub(super) percent: u64,
    pub(super) four: u64,
    pub(super) backslash: u64,
    pub(super) u: u64,
    pub(super) newline: u64,
    /// `{`, `}`, `[`, `]`.
    pub(super) bracket: u64,
    /// Space and tab.
    pub(super) blank: u64,
    /// `a`-`z`.
    pub(super) lower: u64,
    /// `-`.
    pub(super) minus: u64,
    /// `=`.
    pub(super) equals: u64,
    /// `(` to `/`: `( ) * + , - . /`.
    pub(super) punct: u64,
    /// `(` to `+`: `( ) * +`.
    pub(super) open: u64,
    /// `A`-`Z` only.
    pub(super) caps: u64,
}

/// One way to compute the masks of a block.
pub(super) trait Classify {
    /// # Safety
    /// The processor must have the features of the implementation.
    unsafe fn classify(block: &[u8; 64], classes: Classes) -> Masks;
}

/// The masks a class needs, so that an implementation can skip the others.
#[inline(always)]
pub(super) fn needs(classes: Classes) -> [bool; 5] {
    let long = classes.contains(Class::Number)
        || classes.contains(Class::Code)
        || classes.contains(Class::Secret);
    let structure = classes.contains(Class::Key)
        || classes.contains(Class::Structure)
        || classes.contains(Class::Number);
    let letters = classes.contains(Class::Capital) || long;
    let numbers = classes.contains(Class::Decimal) || classes.contains(Class::Colon) || long;
    let escapes = classes.contains(Class::At) || classes.contains(Class::Escape);
    [structure, letters, numbers, escapes, long]
}
