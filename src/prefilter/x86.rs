//! AVX2 and AVX-512 classification of a block, chosen at run time, written once for both
//! instruction sets through the `masks!` macro.

use std::arch::x86_64::*;

use super::masks::{needs, Classify, Masks};
use super::pass::find;
use super::{Class, Classes};

pub fn has_avx512() -> bool {
    is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512bw")
}

pub fn has_avx2() -> bool {
    is_x86_feature_detected!("avx2")
}

/// # Safety
/// The processor must support AVX-512BW.
#[target_feature(enable = "avx512f,avx512bw")]
pub unsafe fn find_avx512(
    bytes: &[u8],
    classes: Classes,
    strings: bool,
    lists: &mut [Vec<u32>; Class::ALL.len()],
) {
    find::<Avx512>(bytes, classes, strings, lists)
}

/// # Safety
/// The processor must support AVX2.
#[target_feature(enable = "avx2")]
pub unsafe fn find_avx2(
    bytes: &[u8],
    classes: Classes,
    strings: bool,
    lists: &mut [Vec<u32>; Class::ALL.len()],
) {
    find::<Avx2>(bytes, classes, strings, lists)
}

pub struct Avx512;

// Helpers are `inline(always)` functions rather than closures, so that the intrinsics
// end up inlined in the `target_feature` function that calls them.
impl Avx512 {
    #[inline(always)]
    unsafe fn eq(v: __m512i, b: u8) -> u64 {
        _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b as i8))
    }

    /// `lo..=hi` as one unsigned comparison after a subtraction.
    #[inline(always)]
    unsafe fn range(v: __m512i, lo: u8, hi: u8) -> u64 {
        let moved = _mm512_sub_epi8(v, _mm512_set1_epi8(lo as i8));
        _mm512_cmple_epu8_mask(moved, _mm512_set1_epi8((hi - lo) as i8))
    }
}

/// The masks of one 64-byte block that `classes` need, from the instruction set's
/// `$eq!(byte)` and `$range!(lo, hi)` comparisons of the block and its `$non_ascii` mask
/// (bytes with the top bit set): written once for every instruction set.
macro_rules! masks {
    ($classes:expr, $eq:ident, $range:ident, $non_ascii:expr) => {{
        let [structure, letters, numbers, escapes, long] = needs($classes);
        let mut m = Masks::default();
        if structure || numbers {
            m.colon = $eq!(b':');
        }
        if structure {
            m.quote = $eq!(b'"');
            m.bracket = $eq!(b'{') | $eq!(b'}') | $eq!(b'[') | $eq!(b']');
            m.blank = $eq!(b' ') | $eq!(b'\t');
        }
        if structure || escapes {
            m.backslash = $eq!(b'\\');
        }
        if numbers {
            m.dot = $eq!(b'.');
            m.digit = $range!(b'0', b'9');
            m.hex = m.digit | $range!(b'a', b'f') | $range!(b'A', b'F');
        }
        if letters {
            let upper = $range!(b'A', b'Z');
            let lower = $range!(b'a', b'z');
            m.caps = upper;
            m.lower = lower;
            m.upper = upper | $range!(0xC3, 0xC5);
            m.word = upper | lower | $range!(b'0', b'9') | $eq!(b'_') | $non_ascii;
        }
        if long {
            m.minus = $eq!(b'-');
            m.equals = $eq!(b'=');
            m.punct = $range!(b'(', b'/');
            m.open = $range!(b'(', b'+');
            if !structure {
                m.blank = $eq!(b' ') | $eq!(b'\t');
            }
        }
        if escapes || long {
            m.at = $eq!(b'@');
            m.percent = $eq!(b'%');
        }
        if escapes {
            m.four = $eq!(b'4');
            m.u = $eq!(b'u');
        }
        m.newline = $eq!(b'\n');
        m
    }};
}

impl Classify for Avx512 {
    #[inline(always)]
    unsafe fn classify(block: &[u8; 64], classes: Classes) -> Masks {
        let v = _mm512_loadu_si512(block.as_ptr().cast());
        macro_rules! eq {
            ($b:expr) => {
                Avx512::eq(v, $b)
            };
        }
        macro_rules! range {
            ($lo:expr, $hi:expr) => {
                Avx512::range(v, $lo, $hi)
            };
        }
        masks!(classes, eq, range, _mm512_movepi8_mask(v))
    }
}

pub struct Avx2;

impl Avx2 {
    #[inline(always)]
    unsafe fn halves(block: &[u8; 64]) -> [__m256i; 2] {
        [
            _mm256_loadu_si256(block.as_ptr().cast()),
            _mm256_loadu_si256(block.as_ptr().add(32).cast()),
        ]
    }

    #[inline(always)]
    unsafe fn join(lo: __m256i, hi: __m256i) -> u64 {
        let lo = _mm256_movemask_epi8(lo) as u32;
        let hi = _mm256_movemask_epi8(hi) as u32;
        u64::from(lo) | u64::from(hi) << 32
    }

    #[inline(always)]
    unsafe fn eq(a: __m256i, b: __m256i, x: u8) -> u64 {
        let n = _mm256_set1_epi8(x as i8);
        Avx2::join(_mm256_cmpeq_epi8(a, n), _mm256_cmpeq_epi8(b, n))
    }

    /// A byte is in `lo..=hi` when adding `0x80 - lo` moves it into the `hi - lo + 1`
    /// smallest signed bytes, that is when it is not greater than `0x80 + hi - lo`.
    #[inline(always)]
    unsafe fn range(a: __m256i, b: __m256i, lo: u8, hi: u8) -> u64 {
        let shift = _mm256_set1_epi8(0x80u8.wrapping_sub(lo) as i8);
        let limit = _mm256_set1_epi8(0x80u8.wrapping_add(hi - lo) as i8);
        let above_a = _mm256_cmpgt_epi8(_mm256_add_epi8(a, shift), limit);
        let above_b = _mm256_cmpgt_epi8(_mm256_add_epi8(b, shift), limit);
        !Avx2::join(above_a, above_b)
    }
}

impl Classify for Avx2 {
    #[inline(always)]
    unsafe fn classify(block: &[u8; 64], classes: Classes) -> Masks {
        let [a, b] = Avx2::halves(block);
        macro_rules! eq {
            ($x:expr) => {
                Avx2::eq(a, b, $x)
            };
        }
        macro_rules! range {
            ($lo:expr, $hi:expr) => {
                Avx2::range(a, b, $lo, $hi)
            };
        }
        masks!(classes, eq, range, Avx2::join(a, b))
    }
}

#[cfg(test)]
pub fn find_each(
    bytes: &[u8],
    classes: Classes,
    strings: bool,
) -> Vec<(&'static str, super::Candidates)> {
    let mut out = Vec::new();
    let mut run = |name, f: &dyn Fn(&mut [Vec<u32>; Class::ALL.len()])| {
        let mut c = super::Candidates {
            found: classes,
            ..Default::default()
        };
        f(&mut c.lists);
        out.push((name, c));
    };
    if has_avx512() {
        // SAFETY: checked just above.
        run("avx512", &|l| unsafe {
            find_avx512(bytes, classes, strings, l)
        });
    }
    if has_avx2() {
        // SAFETY: checked just above.
        run("avx2", &|l| unsafe {
            find_avx2(bytes, classes, strings, l)
        });
    }
    out
}
