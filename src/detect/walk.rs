//! The two loops the identifier and credential detectors share (cards, IBANs, national
//! numbers, secrets): first the values under a key of their kind, token by token; then the
//! prefilter's candidates elsewhere, each visited once, past the end of the last match and
//! outside the values a key has settled. Written once, so that what a key settles and where a
//! search resumes mean the same in every detector.
//!
//! Both take the detector's work as a closure that returns where what it matched ends (`None`:
//! nothing), and are generic over it, so they compile to the loops they replace.

use super::token;
use super::{Haystack, Hint, HintCursor, HintedValue};

/// Calls `found(value, at)` at each token start (see [`token::for_each_start`]) of each value
/// whose key hint `wanted` accepts; the walk of a value resumes where `found` says its match
/// ends.
#[inline]
pub(super) fn hinted_starts(
    hay: &Haystack<'_>,
    wanted: impl Fn(Hint) -> bool,
    mut found: impl FnMut(&HintedValue, usize) -> Option<usize>,
) {
    for value in hay.hints.iter().filter(|h| wanted(h.hint)) {
        token::for_each_start(hay.bytes, value.start, value.end, |at| found(value, at));
    }
}

/// At each of `starts` (increasing) that is not before the end of the last match: `probe(at)`
/// reads what may start there; unless `at` is inside a value whose key hint `settled` says its
/// key has dealt with, `take` keeps it and returns where it ends (the next start must reach
/// that), or `None`. The hint is read only for what a probe found: most starts are turned
/// away by the probe, and reading the hint first cost national numbers a tenth more on m60.
#[inline]
pub(super) fn unsettled_starts<T>(
    hay: &Haystack<'_>,
    starts: impl Iterator<Item = usize>,
    settled: impl Fn(Hint) -> bool,
    mut probe: impl FnMut(usize) -> Option<T>,
    mut take: impl FnMut(T) -> Option<usize>,
) {
    let mut hinted = HintCursor::new(hay.hints);
    let mut done = 0;
    for at in starts {
        if at < done {
            continue;
        }
        let Some(found) = probe(at) else {
            continue;
        };
        if hinted.around(at).is_some_and(|h| settled(h.hint)) {
            continue;
        }
        if let Some(end) = take(found) {
            done = end;
        }
    }
}
