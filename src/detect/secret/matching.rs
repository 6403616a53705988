//! Matching: the keyword pass over a haystack, each rule's regex in the window around its
//! keyword hits, the checks a candidate must pass, and overlaps between rules' matches.

use regex_automata::util::primitives::NonMaxUsize;
use regex_automata::{Anchored, Input};

use super::checks;
use super::compile::{Anchor, Pattern, Rule, Validator};
use super::rules::{SecretMatch, SecretRules};

impl SecretRules {
    /// Pushes every secret in `haystack` onto `out`, in order of position, none overlapping.
    pub fn find(&self, haystack: &[u8], out: &mut Vec<SecretMatch>) {
        self.find_only(haystack, out, None);
    }

    pub(super) fn find_only(&self, hay: &[u8], out: &mut Vec<SecretMatch>, only: Option<u16>) {
        let base = out.len();
        // Where each rule's last match ended, so that nearby hits of one rule do not report a
        // match twice. On the stack for the usual number of rules.
        let mut stack = [0usize; 64];
        let mut heap = Vec::new();
        let last_end: &mut [usize] = if self.rules.len() <= stack.len() {
            &mut stack[..self.rules.len()]
        } else {
            heap.resize(self.rules.len(), 0);
            &mut heap
        };
        self.keywords.for_each(hay, |at, keyword| {
            for &rule in &self.keyword_rules[keyword as usize] {
                if only.is_some_and(|o| o != rule) {
                    continue;
                }
                self.search(rule, hay, at, &mut last_end[usize::from(rule)], out);
            }
        });
        self.resolve_overlaps(out, base);
    }

    /// Runs `rule` in the window around a keyword hit at `at`.
    fn search(
        &self,
        index: u16,
        hay: &[u8],
        at: usize,
        last_end: &mut usize,
        out: &mut Vec<SecretMatch>,
    ) {
        let rule = &self.rules[usize::from(index)];
        let Some((regex, has_group)) = rule.regex.as_ref().and_then(Pattern::compiled) else {
            return;
        };
        let hi = at.saturating_add(rule.after).min(hay.len());
        let end = memchr::memchr(b'\n', &hay[at..hi]).map_or(hi, |i| at + i);
        if let Some(required) = &rule.requires {
            if required.find(&hay[at..end]).is_none() {
                return;
            }
        }
        let lo = at.saturating_sub(rule.before);
        let mut pos = match rule.anchor {
            Anchor::Keyword => at,
            Anchor::Word => {
                let mut start = at;
                while start > lo && is_word_byte(hay[start - 1]) {
                    start -= 1;
                }
                start
            }
            Anchor::Window => {
                let line_start = memchr::memrchr(b'\n', &hay[lo..at]).map_or(lo, |i| lo + i + 1);
                line_start.max(*last_end)
            }
        };
        let anchored = rule.anchor != Anchor::Window;
        if anchored && pos < *last_end {
            return;
        }
        let slot_count = if *has_group { 4 } else { 2 };
        while pos < end {
            let input = Input::new(hay).range(pos..end).anchored(if anchored {
                Anchored::Yes
            } else {
                Anchored::No
            });
            let mut slots: [Option<NonMaxUsize>; 4] = [None; 4];
            if regex
                .search_slots(&input, &mut slots[..slot_count])
                .is_none()
            {
                break;
            }
            let (Some(ms), Some(me)) = (slots[0], slots[1]) else {
                break;
            };
            let (ms, me) = (ms.get(), me.get());
            let (start, stop) = match (slots[2], slots[3]) {
                (Some(s), Some(e)) => (s.get(), e.get()),
                _ => (ms, me),
            };
            if accept(rule, hay, start, stop) {
                out.push(SecretMatch {
                    start,
                    end: stop,
                    rule: index,
                });
                *last_end = me;
                if anchored {
                    break;
                }
                pos = me.max(ms + 1);
            } else {
                if anchored {
                    break;
                }
                pos = ms + 1;
            }
        }
    }

    /// Sorts the matches from `base` on and drops overlaps: a specific rule's match wins over
    /// a generic one's; otherwise the first (then longest) wins.
    fn resolve_overlaps(&self, out: &mut Vec<SecretMatch>, base: usize) {
        let generic = |m: &SecretMatch| self.rules[usize::from(m.rule)].generic;
        out[base..].sort_unstable_by_key(|m| (m.start, generic(m), std::cmp::Reverse(m.end)));
        let mut kept = base;
        for i in base..out.len() {
            let m = out[i];
            if kept > base {
                let last = out[kept - 1];
                if m.start < last.end {
                    if generic(&last) && !generic(&m) {
                        out[kept - 1] = m;
                    }
                    continue;
                }
            }
            out[kept] = m;
            kept += 1;
        }
        out.truncate(kept);
    }
}

/// The bytes of a word for `anchor = "word"`: identifiers, dotted names, URL schemes.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'+' | b'-')
}

/// Whether a candidate span passes its rule's checks.
pub(super) fn accept(rule: &Rule, hay: &[u8], start: usize, end: usize) -> bool {
    if end <= start || end - start < rule.min_len {
        return false;
    }
    if !checks::at_boundary(hay, start, end, &rule.token) {
        return false;
    }
    let value = &hay[start..end];
    let body = rule.prefix_of(value).map_or(value, |p| &value[p.len()..]);
    if rule.placeholder_check
        && (checks::is_placeholder(body) || (rule.generic && checks::is_non_secret_word(body)))
    {
        return false;
    }
    if rule.min_entropy > 0.0 && checks::entropy(body) < rule.min_entropy {
        return false;
    }
    if checks::char_classes(body) < rule.min_char_classes {
        return false;
    }
    match rule.validate {
        Validator::None => true,
        Validator::Jwt => checks::valid_jwt(value),
        Validator::Pem => checks::valid_pem(hay, start, end),
        Validator::BasicAuth => checks::valid_basic_auth(value),
        Validator::UrlPassword => checks::valid_url_password(value),
    }
}
