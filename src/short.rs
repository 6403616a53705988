//! Byte searches inlined where they run, for the hot paths that search a value, a key or the
//! gap to the next separator: a few dozen bytes, a million times a 60 MB export.
//!
//! `memchr`'s functions pick their AVX2 routine on every call, through a pointer it keeps, and
//! set the needles up again: on a 30-byte value that was a third of the call (`string_end`: 65
//! instructions a call, 25 here). Its SSE2 searchers need no choice (every x86-64 processor has
//! SSE2), so they inline into the caller; on other processors the portable functions stand in.

/// The first `a` in `hay`.
#[inline]
pub fn find(a: u8, hay: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if let Some(searcher) = memchr::arch::x86_64::sse2::memchr::One::new(a) {
        return searcher.find(hay);
    }
    memchr::memchr(a, hay)
}

/// The last `a` in `hay`.
#[inline]
pub fn rfind(a: u8, hay: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if let Some(searcher) = memchr::arch::x86_64::sse2::memchr::One::new(a) {
        return searcher.rfind(hay);
    }
    memchr::memrchr(a, hay)
}

/// The first `a`, `b` or `c` in `hay`.
#[inline]
pub fn find3(a: u8, b: u8, c: u8, hay: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if let Some(searcher) = memchr::arch::x86_64::sse2::memchr::Three::new(a, b, c) {
        return searcher.find(hay);
    }
    memchr::memchr3(a, b, c, hay)
}

/// Every `a` or `b` in `hay`, in order: for haystacks where they are frequent, so that each
/// step is short.
#[inline]
pub fn each2(a: u8, b: u8, hay: &[u8], mut f: impl FnMut(usize)) {
    #[cfg(target_arch = "x86_64")]
    if let Some(searcher) = memchr::arch::x86_64::sse2::memchr::Two::new(a, b) {
        searcher.iter(hay).for_each(f);
        return;
    }
    memchr::memchr2_iter(a, b, hay).for_each(&mut f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The same answers as the portable functions, on haystacks around SSE2's 16 bytes.
        #[test]
        fn searches_agree_with_memchr(hay in proptest::collection::vec(
            prop_oneof![Just(b'"'), Just(b'\\'), Just(b'\n'), Just(b'-'), Just(b'.'), any::<u8>()],
            0..80,
        )) {
            prop_assert_eq!(find(b'\\', &hay), memchr::memchr(b'\\', &hay));
            prop_assert_eq!(rfind(b'"', &hay), memchr::memrchr(b'"', &hay));
            prop_assert_eq!(find3(b'"', b'\\', b'\n', &hay), memchr::memchr3(b'"', b'\\', b'\n', &hay));
            let mut seen = Vec::new();
            each2(b'-', b'.', &hay, |i| seen.push(i));
            prop_assert_eq!(seen, memchr::memchr2_iter(b'-', b'.', &hay).collect::<Vec<_>>());
        }
    }
}
