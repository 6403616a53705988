//! Overlap resolution: of matches that claim the same bytes, which one becomes a finding.
//!
//! Detectors run independently and may claim overlapping spans (`Santa Barbara` is a city and
//! could be a name; `jane@example.com` sits inside a referrer URL). Each group of kinds keeps
//! the leftmost-longest match; on the very same span, the kind the value's key agrees with wins
//! (each kind's spec lists the hints that agree with it), else the kind with the lowest
//! `tie_rank`.

use crate::detect::{Haystack, Kind, Match};
use crate::structure::keys::Hint;

/// Keeps, of overlapping matches, the leftmost-longest; of matches with the same span, the
/// one whose kind agrees with the key hint there, else the first kind in report order.
/// Direct identifiers, quasi-identifiers and custom kinds are resolved apart: a referrer URL
/// does not hide the e-mail address in its query string, and a policy's detector adds findings
/// without taking any away.
///
/// `matches` is sorted in place and `kept` filled, in order: both are the worker's, reused from
/// chunk to chunk (a dense chunk holds thousands of matches; growing fresh vectors for them cost
/// more than resolving them).
pub(super) fn overlaps(hay: &Haystack<'_>, matches: &mut [Match], kept: &mut Vec<Match>) {
    kept.clear();
    // Each detector adds its matches in order: a stable sort merges those runs instead of
    // sorting from scratch (a quarter faster on an export).
    let by_span = |a: &Match, b: &Match| {
        a.start
            .cmp(&b.start)
            .then(b.end.cmp(&a.end))
            .then(a.kind.cmp(&b.kind))
    };
    let apart_groups = matches.iter().any(|m| apart(m) != 0);
    if apart_groups {
        matches.sort_by(|a, b| apart(a).cmp(&apart(b)).then_with(|| by_span(a, b)));
    } else {
        matches.sort_by(by_span);
    }
    // Each group found by binary search, without asking every match its group again.
    let mut rest = &*matches;
    while let Some(first) = rest.first() {
        let len = rest.partition_point(|m| apart(m) == apart(first));
        keep_leftmost_longest(hay, &rest[..len], kept);
        rest = &rest[len..];
    }
    if apart_groups {
        // Runs in order, one per group: a stable sort merges them (an unstable one sorted them
        // from scratch, a third of the scan's time on an export with every kind).
        kept.sort_by_key(|m| (m.start, m.end, m.kind));
    }
}

/// The group a match is resolved in: direct identifiers, quasi-identifiers, custom kinds.
fn apart(m: &Match) -> u8 {
    if m.kind.is_custom() {
        2
    } else {
        u8::from(m.kind.is_quasi())
    }
}

/// Adds to `kept` the leftmost-longest of `matches`, one group's, sorted by start, longest
/// first, then kind.
fn keep_leftmost_longest(hay: &Haystack<'_>, matches: &[Match], kept: &mut Vec<Match>) {
    let from = kept.len();
    let mut i = 0;
    while i < matches.len() {
        let mut j = i + 1;
        while j < matches.len()
            && matches[j].start == matches[i].start
            && matches[j].end == matches[i].end
        {
            j += 1;
        }
        let same = &matches[i..j];
        // The key is looked up only for a tie: most spans are claimed by one kind.
        let best = match same {
            [only] => *only,
            _ => match hay.hint_for(same[0].start, same[0].end) {
                // Without a key to decide, the lowest rank wins: a place beats a person
                // (`Santa Barbara`, `Hong Kong`).
                None => *same
                    .iter()
                    .min_by_key(|m| m.kind.spec().map_or(u8::MAX, |s| s.tie_rank))
                    .unwrap_or(&same[0]),
                Some(hint) => *same
                    .iter()
                    .find(|m| hint_agrees(hint, m.kind))
                    .unwrap_or(&same[0]),
            },
        };
        if kept[from..]
            .last()
            .is_none_or(|last| best.start >= last.end)
        {
            kept.push(best);
        }
        i = j;
    }
}

fn hint_agrees(hint: Hint, kind: Kind) -> bool {
    kind.spec().is_some_and(|s| s.hints.contains(&hint))
}
