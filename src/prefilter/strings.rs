//! JSON string boundaries followed across blocks without a branch per byte: which quotes are
//! escaped, and which bytes lie inside a string, so that structure inside values is not taken
//! for keys or brackets.

use super::masks::Masks;

/// Bit `j` of the result is the XOR of bits `0..=j` of `bits`. (A carry-less multiplication
/// does it in one instruction, and measured no faster here.)
#[inline(always)]
fn prefix_xor(mut bits: u64) -> u64 {
    for shift in [1, 2, 4, 8, 16, 32] {
        bits ^= bits << shift;
    }
    bits
}

/// Where the JSON strings are, carried from one block to the next, so that a `":` or a
/// bracket inside a string value (`"q":"a\":{b}"`) is not taken for structure.
///
/// A string ends at the next quote that is not escaped, and a backslash escapes the byte after
/// it unless it is escaped itself: the escapes are found by visiting the backslashes of the
/// block (few: mostly the `\/` of URLs), and the bytes inside strings are the running XOR of
/// the quote bits. NDJSON has no newline inside a string, so a newline ends any string left
/// open: a malformed line cannot turn the rest of the chunk inside out.
#[derive(Default)]
pub(super) struct Strings {
    /// The first byte of the next block is escaped by a backslash that ends this one.
    escape_next: bool,
    /// The next block starts inside a string.
    in_string: bool,
}

/// The unescaped quotes of a block, and the bytes inside strings: from an opening quote up to
/// its closing quote, not included.
pub(super) struct Quoted {
    pub(super) quotes: u64,
    pub(super) inside: u64,
}

impl Strings {
    /// The bytes of a block escaped by the backslashes in `backslash` (and by one that ended
    /// the block before), for the bytes that are not backslashes themselves.
    ///
    /// In a run of backslashes the first escapes the second, the third the fourth, and so on:
    /// the byte after the run is escaped when the run is odd. Visiting the backslashes one by
    /// one cost a branch each, mispredicted as often as not (an export's URLs are written
    /// `https:\/\/`). Instead, adding a run's first bit to the run carries to the byte just
    /// after it, and that byte is escaped when it lies an odd distance from the start: runs
    /// starting on even bits and on odd bits are added apart, and the carries kept on the
    /// bits of the other parity. An odd run that reaches the end of the block carries out of
    /// it, into the next block's first byte.
    #[inline(always)]
    fn escaped(&mut self, backslash: u64) -> u64 {
        const EVEN: u64 = 0x5555_5555_5555_5555;
        let escaped_in = u64::from(self.escape_next);
        // An escaped backslash escapes nothing: its run starts after it.
        let runs = backslash & !escaped_in;
        let starts = runs & !(runs << 1);
        let from_even = runs.wrapping_add(starts & EVEN) & !runs & !EVEN;
        let (from_odd, carry) = runs.overflowing_add(starts & !EVEN);
        self.escape_next = carry;
        from_even | (from_odd & !runs & EVEN) | escaped_in
    }

    #[inline(always)]
    pub(super) fn next(&mut self, m: &Masks) -> Quoted {
        let escaped = self.escaped(m.backslash);
        let quotes = m.quote & !escaped;
        let carried = 0u64.wrapping_sub(u64::from(self.in_string));
        let mut toggles = quotes;
        let inside = loop {
            let inside = prefix_xor(toggles) ^ carried;
            let open_at_newline = m.newline & inside;
            if open_at_newline == 0 {
                break inside;
            }
            // The first newline inside a string closes it, then the rest is looked at again.
            toggles ^= open_at_newline & open_at_newline.wrapping_neg();
        };
        self.in_string = inside >> 63 != 0;
        Quoted { quotes, inside }
    }
}
