//! What a JSON key means to the scan, worked out once per distinct key and thread.
//!
//! Why: an export repeats a few hundred keys millions of times (a Mixpanel event holds about
//! seventeen), and every key end the prefilter lists went through the [`KeyFilter`]'s test and,
//! when it passed, through reading the key back to its opening quote, normalising it and
//! looking it up: 0.65 G instructions of the 3.05 G default scan of 60 MB, for answers that
//! never change. Here a key is recognised by the four bytes before its closing quote and a
//! comparison with the key remembered under them, and its answer (the hint it gives, or none)
//! is read back; a key not remembered yet is worked out the long way and remembered.
//!
//! The answer is the long way's, whatever the bytes: both the filter and the lookup read the
//! key's bytes and nothing before its opening quote, and a remembered key is taken only when
//! the same bytes sit between a `"` and the closing quote (which is what reading back finds,
//! since a remembered key holds no quote). A test holds the two ways to each other.
//!
//! The table is per thread (the detectors run on every worker) and per filter (what a key
//! means depends on the kinds a scan wants), and bounded: a file of random keys overwrites
//! slots, it does not grow anything.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use super::json::key_before;
use super::keys::{hint_for_key, user_fields_set, Hint, KeyFilter};

/// Slots of a table: a few hundred distinct keys, and their short keys' contexts.
const SLOTS: usize = 1024;
/// Slots a key's four bytes may sit in: keys that end alike (`app_version` and
/// `$browser_version`, `$first_name` and `$last_name`) come in small families.
const WAYS: usize = 4;
/// The longest key remembered; longer ones are worked out each time.
const MAX_LEN: usize = 32;
/// Tables kept per thread (a scanner's filter, the filter of keys read on demand).
const TABLES: usize = 4;

/// One remembered key: the four bytes before its closing quote, its bytes and its answer.
#[derive(Clone, Copy)]
struct Slot {
    tail: u32,
    /// 0 for an empty slot.
    len: u8,
    hint: Option<Hint>,
    inert: bool,
    /// The key as the 32 bytes that end it would read ([`window`]), and which of their bits
    /// are the key's.
    key: (u128, u128),
    mask: (u128, u128),
}

const EMPTY: Slot = Slot {
    tail: 0,
    len: 0,
    hint: None,
    inert: false,
    key: (0, 0),
    mask: (0, 0),
};

/// What a key means to the scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Answer<'b> {
    /// The key and its hint, when the filter may pass the key and the tables hint at
    /// something: `filter.may_hint(bytes, quote)`, then [`key_before`], then
    /// [`hint_for_key`].
    pub(super) hint: Option<(&'b [u8], Hint)>,
    /// The key's hint, wanted or not, rules out identifiers
    /// ([`Hint::rules_out_identifiers`]).
    pub(super) inert: bool,
}

/// The keys one filter has answered on one thread.
struct Table {
    /// The filter's identity, and whether a policy's fields were known when it was filled.
    owner: (u64, bool),
    slots: Box<[Slot]>,
}

thread_local! {
    static TABLES_OF_THREAD: RefCell<Vec<Table>> = const { RefCell::new(Vec::new()) };
}

/// A fresh identity for a [`KeyFilter`].
pub(super) fn new_owner() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Answers keys for one filter on this thread; see [`with_plans`].
pub(super) struct Plans<'t> {
    filter: &'t KeyFilter,
    slots: &'t mut [Slot],
}

/// Runs `f` with the answers `filter` has given on this thread.
pub(super) fn with_plans<R>(filter: &KeyFilter, f: impl FnOnce(&mut Plans<'_>) -> R) -> R {
    TABLES_OF_THREAD.with(|tables| {
        let mut tables = tables.borrow_mut();
        let owner = (filter.owner(), user_fields_set());
        let i = match tables.iter().position(|t| t.owner == owner) {
            Some(i) => i,
            None => {
                if tables.len() == TABLES {
                    tables.remove(0);
                }
                tables.push(Table {
                    owner,
                    slots: vec![EMPTY; SLOTS].into_boxed_slice(),
                });
                tables.len() - 1
            }
        };
        let mut plans = Plans {
            filter,
            slots: &mut tables[i].slots,
        };
        f(&mut plans)
    })
}

impl Plans<'_> {
    /// What the key whose closing quote is at `bytes[quote]` means, as remembered.
    ///
    /// Inlined into the walk that asks for every key (two million times in 60 MB): a call
    /// cost a fifth of the look-up in saved and restored registers.
    #[inline(always)]
    pub(super) fn answer<'b>(&mut self, bytes: &'b [u8], quote: usize) -> Answer<'b> {
        let Some(tail) = quote
            .checked_sub(4)
            .and_then(|i| bytes.get(i..quote))
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        else {
            return self.work_out(bytes, quote).1;
        };
        let set = index(tail);
        let (lo, hi) = window(bytes, quote);
        for slot in &self.slots[set..set + WAYS] {
            let len = usize::from(slot.len);
            if slot.tail == tail
                && hi & slot.mask.1 == slot.key.1
                && lo & slot.mask.0 == slot.key.0
                && len != 0
                && quote > len
                && bytes[quote - len - 1] == b'"'
            {
                return Answer {
                    hint: slot.hint.map(|h| (&bytes[quote - len..quote], h)),
                    inert: slot.inert,
                };
            }
        }
        self.remember(bytes, quote, tail, set)
    }

    /// A key not remembered: worked out the long way, and remembered.
    #[cold]
    #[inline(never)]
    fn remember<'b>(&mut self, bytes: &'b [u8], quote: usize, tail: u32, set: usize) -> Answer<'b> {
        let (key, answer) = self.work_out(bytes, quote);
        if let Some(key) = key.filter(|k| k.len() <= MAX_LEN) {
            // The key's bits of the window: its last `len` bytes, the high ones of each word.
            let keep = |n: usize| match n {
                0 => 0,
                16.. => u128::MAX,
                n => u128::MAX << (8 * (16 - n)),
            };
            let mask = (keep(key.len().saturating_sub(16)), keep(key.len()));
            let (lo, hi) = window(bytes, quote);
            let slot = Slot {
                tail,
                len: key.len() as u8,
                hint: answer.hint.map(|(_, h)| h),
                inert: answer.inert,
                key: (lo & mask.0, hi & mask.1),
                mask,
            };
            // An empty slot of the set, else the one the key's length picks.
            let ways = &mut self.slots[set..set + WAYS];
            let victim = ways
                .iter()
                .position(|s| s.len == 0)
                .unwrap_or(key.len() % WAYS);
            ways[victim] = slot;
        }
        answer
    }

    /// The hint alone, when the filter may pass the key and the tables hint at something.
    #[inline]
    pub(super) fn hint<'b>(&mut self, bytes: &'b [u8], quote: usize) -> Option<(&'b [u8], Hint)> {
        self.answer(bytes, quote).hint
    }

    /// The long way: the key read back to its opening quote, and the answer.
    fn work_out<'b>(&self, bytes: &'b [u8], quote: usize) -> (Option<&'b [u8]>, Answer<'b>) {
        let key = key_before(bytes, quote);
        let looked = key.and_then(|k| hint_for_key(k).map(|h| (k, h)));
        let answer = Answer {
            hint: looked.filter(|_| self.filter.may_hint(bytes, quote)),
            inert: looked.is_some_and(|(_, h)| h.rules_out_identifiers()),
        };
        (key, answer)
    }
}

/// Sixteen bytes as a little-endian word.
#[inline(always)]
fn word(bytes: &[u8]) -> u128 {
    let mut b = [0u8; 16];
    b.copy_from_slice(bytes);
    u128::from_le_bytes(b)
}

/// The 32 bytes before `quote` as two words (zeros for what lies before the start of
/// `bytes`): a key is compared with a remembered one in two masked word comparisons.
#[inline(always)]
fn window(bytes: &[u8], quote: usize) -> (u128, u128) {
    match quote.checked_sub(MAX_LEN) {
        Some(i) => (word(&bytes[i..i + 16]), word(&bytes[i + 16..quote])),
        None => {
            let mut b = [0u8; MAX_LEN];
            b[MAX_LEN - quote..].copy_from_slice(&bytes[..quote]);
            (word(&b[..16]), word(&b[16..]))
        }
    }
}

/// The first slot of the set of keys whose last four bytes are `tail`.
#[inline(always)]
fn index(tail: u32) -> usize {
    let sets = SLOTS / WAYS;
    (tail.wrapping_mul(0x9E37_79B1) >> (32 - sets.trailing_zeros())) as usize * WAYS
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The long way, as `find_hints_with` took it before keys were remembered.
    fn long_way<'b>(filter: &KeyFilter, bytes: &'b [u8], quote: usize) -> Option<(&'b [u8], Hint)> {
        if !filter.may_hint(bytes, quote) {
            return None;
        }
        let key = key_before(bytes, quote)?;
        Some((key, hint_for_key(key)?))
    }

    /// Every key end of `text` (a `"` before `:`), asked twice so the second answer is a
    /// remembered one, gives the long way's answer.
    fn agree(filter: &KeyFilter, text: &str) -> Result<(), TestCaseError> {
        let bytes = text.as_bytes();
        let ends: Vec<usize> = (0..bytes.len().saturating_sub(1))
            .filter(|&i| bytes[i] == b'"' && bytes[i + 1] == b':')
            .collect();
        for _ in 0..2 {
            with_plans(filter, |plans| {
                for &q in &ends {
                    prop_assert_eq!(
                        plans.hint(bytes, q),
                        long_way(filter, bytes, q),
                        "{} at {}",
                        text,
                        q
                    );
                }
                Ok(())
            })?;
        }
        Ok(())
    }

    #[test]
    fn remembered_keys_answer_as_the_long_way() {
        let all = KeyFilter::all();
        let some = KeyFilter::new(|h| h == Hint::Email || h == Hint::Ip);
        for text in [
            r#"{"$email":"a@b.co","ip":"1.2.3.4","time":1,"$insert_id":"x","email":"c"}"#,
            r#"{"ip":1,"x":{"ip":2},"clientIP":3,"user_ip":4,"zip":5,"ip":6}"#,
            r#"{"a\"email":1,"\\email":2,"em\nail":3,"":4,"e":5,"name":"x","$name":"y"}"#,
            r#""email":1,"email":2"#,
            r#"{"a_very_long_key_that_ends_in_email_address":1,"a_very_long_key_that_ends_in_email_address":2}"#,
            r#"{"time":1,"app_version":"1.2","$browser_version":2,"ip":"1.2.3.4","$insert_id":"x"}"#,
        ] {
            for filter in [&all, &some] {
                agree(filter, text).unwrap();
            }
        }
    }

    proptest! {
        /// Keys of hinting words and others, short and long, in any context and order, with
        /// quotes, escapes and line ends inside: the remembered answer is the long one.
        #[test]
        fn remembered_keys_answer_as_the_long_way_whatever_the_keys(
            keys in prop::collection::vec(
                "(\\$|user_|[a-z]{0,3}|[A-Z][a-z]{0,3})?(email|ip|IP|name|city|phone|id|time|insert_id|x|\"|\\\\\"|\n)?(_id|Address|_ip|_version|[a-z]{0,2})?",
                1..24,
            ),
            seps in prop::collection::vec("[,{\\[ \"a-z:]{0,2}", 24),
        ) {
            let mut text = String::new();
            for (k, s) in keys.iter().zip(&seps) {
                text.push_str(s);
                text.push('"');
                text.push_str(k);
                text.push_str("\":1");
            }
            agree(&KeyFilter::all(), &text)?;
            agree(&KeyFilter::new(|h| h == Hint::Ip || h == Hint::City), &text)?;
        }
    }
}
