//! The pass over a chunk: blocks of 64 bytes classified one ahead of the block whose
//! candidates are emitted, memory asked for ahead of use, positions written without a branch
//! per candidate.

use super::emit::emit;
use super::masks::{needs, Classify, Masks};
use super::strings::{Quoted, Strings};
use super::{Class, Classes};

/// How far ahead of the block being classified to ask for memory: the per-candidate work
/// between two loads is branchy, which keeps the processor from running ahead to the next
/// loads by itself.
const PREFETCH: usize = 1024;

/// The bytes between two reservations of list memory (a multiple of 64).
const WINDOW: usize = 4096;

/// Appends the positions of the set bits of `bits` (relative to `start`) to `list`, which
/// has room for 64 more.
///
/// Blocks hold a few candidates of each class, a varying number: a loop over them would end
/// at an unpredictable point for every class of every block, and the branch mispredictions
/// would cost more than the rest of the prefilter. So the first `UNROLLED` positions are
/// written without a branch (into spare capacity; those past the count are left beyond the
/// length), and only blocks with more loop for the rest. `UNROLLED` is what a class's
/// nonempty blocks nearly always hold (in a Mixpanel export, 99% of blocks hold at most four
/// key ends, 97% at most one long number): every store written for nothing costs as much as
/// one written for a candidate.
#[inline(always)]
pub(super) fn push_bits<const UNROLLED: usize>(list: &mut Vec<u32>, start: usize, mut bits: u64) {
    // Most classes have no candidate in most blocks: a well-predicted way out.
    if bits == 0 {
        return;
    }
    let count = bits.count_ones() as usize;
    debug_assert!(list.capacity() - list.len() >= 64);
    let spare = list.spare_capacity_mut();
    let base = start as u32;
    let first = spare[..UNROLLED].as_mut_ptr().cast::<u32>();
    for i in 0..UNROLLED {
        // SAFETY: `first` points at `UNROLLED` slots of spare capacity (the slice above is
        // bounds-checked). A volatile store is a plain store that the compiler does not merge
        // into vectors.
        unsafe { first.add(i).write_volatile(base + bits.trailing_zeros()) };
        bits &= bits.wrapping_sub(1);
    }
    let mut i = UNROLLED;
    while bits != 0 {
        spare[i].write(base + bits.trailing_zeros());
        bits &= bits - 1;
        i += 1;
    }
    // SAFETY: the first `count` slots of the spare capacity were written just above (the
    // first `UNROLLED` unconditionally, the rest in the loop, each bounds-checked): the
    // caller made room for the at most 64 bits of a mask.
    unsafe { list.set_len(list.len() + count) };
}

/// The block loop for `classes`, compiled apart for the full set, which the default scan
/// asks for: the loop then tests no class per block, and the compiler sees which masks it
/// needs, as it cannot for a set only known at run time.
#[inline(always)]
pub(super) fn find<C: Classify>(
    bytes: &[u8],
    classes: Classes,
    track_strings: bool,
    lists: &mut [Vec<u32>; Class::ALL.len()],
) {
    if classes == Classes::ALL {
        find_blocks::<C, { Classes::ALL.0 }>(bytes, classes, track_strings, lists)
    } else {
        find_blocks::<C, 0>(bytes, classes, track_strings, lists)
    }
}

/// The block loop, the same for every implementation: each block's candidates are emitted
/// once the next block's masks are known. `FIXED`, when not zero, is the set of classes asked
/// for, known at compile time ([`find`]).
#[inline(always)]
pub(super) fn find_blocks<C: Classify, const FIXED: u16>(
    bytes: &[u8],
    classes: Classes,
    track_strings: bool,
    lists: &mut [Vec<u32>; Class::ALL.len()],
) {
    let classes = if FIXED == 0 { classes } else { Classes(FIXED) };
    if bytes.is_empty() || classes == Classes::NONE {
        return;
    }
    let [structure, ..] = needs(classes);
    let mut strings = Strings::default();
    let mut prev = Masks::default();
    let mut cur = block_at::<C>(bytes, 0, classes);
    let mut start = 0;
    while start < bytes.len() {
        if start % WINDOW == 0 {
            // Room for every candidate the window may hold, so that a push need not check.
            for (i, list) in lists.iter_mut().enumerate() {
                if classes.contains(Class::ALL[i]) {
                    list.reserve(WINDOW);
                }
            }
        }
        #[cfg(target_arch = "x86_64")]
        if let Some(ahead) = bytes.get(start + PREFETCH) {
            // SAFETY: a prefetch never faults; the address is inside `bytes` anyway.
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                    (ahead as *const u8).cast(),
                )
            };
        }
        let next = if start + 64 < bytes.len() {
            block_at::<C>(bytes, start + 64, classes)
        } else {
            Masks::default()
        };
        let valid = match bytes.len() - start {
            n if n >= 64 => u64::MAX,
            n => (1u64 << n) - 1,
        };
        let quoted = if structure && track_strings {
            strings.next(&cur)
        } else {
            Quoted {
                quotes: cur.quote,
                inside: 0,
            }
        };
        emit(start, valid, &prev, &cur, &next, &quoted, classes, lists);
        prev = cur;
        cur = next;
        start += 64;
    }
}

/// The masks of the block of `bytes` at `start`, zero-padded past the end.
#[inline(always)]
fn block_at<C: Classify>(bytes: &[u8], start: usize, classes: Classes) -> Masks {
    match bytes
        .get(start..start + 64)
        .and_then(|b| <&[u8; 64]>::try_from(b).ok())
    {
        // SAFETY: the caller chose `C` for this processor.
        Some(block) => unsafe { C::classify(block, classes) },
        None => {
            let mut tail = [0u8; 64];
            let rest = bytes.get(start..).unwrap_or_default();
            tail[..rest.len()].copy_from_slice(rest);
            // SAFETY: as above.
            unsafe { C::classify(&tail, classes) }
        }
    }
}
