//! The reference decision rule, and a reference line scanner built on it.
//!
//! Why here and not only in piiscan: the precision target on hard negatives (epoch times,
//! prices, ids, versions...) is a property of shape + context + validation together, so the
//! crate carries the rule the tests measure. piiscan's detector can call [`decide`] on tokens
//! from its own prefilter, or reimplement the same three lines with its own key hints.
//!
//! The rule (from the issue): under a phone key or column, any plausible number is a phone
//! (validated against the numbering plans); elsewhere a `+` number must be valid, and a
//! national number also needs a phone-like shape ([`Shape::PhoneLike`]) or a cue word right
//! before it.

use super::cues::cue_before;
use super::shape::{looks_like_epoch, quick_skip, scan_span, Shape, Token};
use super::{parse_international, parse_national_any_grouped, Phone};

/// Why a token was accepted.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Evidence {
    /// The value sits under a phone key or column.
    Key,
    /// Written with `+` and a valid calling code and number.
    International,
    /// A national number with phone grouping.
    Shape,
    /// A national number after a cue word.
    Cue,
}

/// A phone number found in a haystack.
#[derive(Clone, Copy, Debug)]
pub struct Found {
    pub start: usize,
    /// End of the match, extension included.
    pub end: usize,
    /// What the number is and why it was taken: the tests hold both to the reference.
    #[cfg_attr(not(test), allow(dead_code))]
    pub phone: Phone,
    #[cfg_attr(not(test), allow(dead_code))]
    pub evidence: Evidence,
}

/// Decides whether `t` (scanned from `h`) is a phone number. `key_hint`: the value sits under a
/// phone key or column (a [`crate::structure::keys::Hint::Phone`]).
pub fn decide(h: &[u8], t: &Token, key_hint: bool) -> Option<(Phone, Evidence)> {
    let d = t.digits.as_bytes();
    if t.has_plus {
        let p = parse_international(d)?;
        let ev = if key_hint {
            Evidence::Key
        } else {
            Evidence::International
        };
        return Some((p, ev));
    }
    let ev = if key_hint {
        Evidence::Key
    } else if t.shape >= Shape::PhoneLike {
        Evidence::Shape
    } else if t.shape == Shape::Bare && looks_like_epoch(d) {
        return None;
    } else if cue_before(h, t.start) {
        Evidence::Cue
    } else {
        return None;
    };
    parse_national_any_grouped(d, t.group_lengths())
        .or_else(|| {
            // An MSISDN: the E.164 digits without `+`, as SMS gateways and telecom logs write
            // them (`msisdn=4915112345678`): a bare run under a key or after a cue, or grouped
            // under a key (`57 318 029 39 11`, a Colombian mobile under `$phone`).
            (t.shape == Shape::Bare || key_hint).then(|| parse_international(d))?
        })
        .map(|p| (p, ev))
}

/// Calls `f` for every phone number in `h` (a line, or a value under a key). A reference scan
/// for tests and benchmarks: candidates start at `+`, `(` or the first digit of a run.
pub fn find_phones(h: &[u8], key_hint: bool, mut f: impl FnMut(Found)) {
    let mut i = 0;
    while i < h.len() {
        // Next byte that can start a number.
        match h[i..]
            .iter()
            .position(|&b| b.is_ascii_digit() || b == b'+' || b == b'(')
        {
            Some(k) => i += k,
            None => return,
        }
        if i > 0 && h[i - 1].is_ascii_digit() {
            i += 1;
            continue;
        }
        if let Some(next) = quick_skip(h, i) {
            i = next;
            continue;
        }
        let scanned = scan_span(h, i);
        match scanned.token {
            Some(t) => {
                if let Some((phone, evidence)) = decide(h, &t, key_hint) {
                    f(Found {
                        start: t.start,
                        end: t.ext_end,
                        phone,
                        evidence,
                    });
                    i = t.ext_end;
                } else {
                    // Not a phone, but its later groups may start one (`call 0800 / 030 ...`
                    // is rare; a rejected shape is skipped whole).
                    i = t.end.max(i + 1);
                }
            }
            None => i = scanned.end,
        }
    }
}
