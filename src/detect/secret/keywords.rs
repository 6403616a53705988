//! The keyword prefilter: every occurrence, ASCII-case-insensitively, of every rule keyword.
//!
//! This is the one pass over all the bytes, so its speed is the scan's. An aho-corasick DFA
//! with `ascii_case_insensitive` walks one byte at a time (about 200 MB/s on the project's
//! machines) and gets no SIMD prefilter, because aho-corasick's packed searcher (Teddy) is
//! case-sensitive. So the haystack is case-folded (`b | 0x20`, which maps `A-Z` onto `a-z`)
//! in 8 KiB blocks on the stack, and Teddy searches each folded block for a few three-byte
//! fingerprints; a fingerprint hit is then checked against the whole keywords it stands for,
//! on the original bytes, with `eq_ignore_ascii_case`.
//!
//! Teddy slows down as its patterns grow in number (with 47 it ran at two thirds the speed it
//! has with 43 on the NDJSON benchmark), so keywords share fingerprints: the fingerprints are
//! chosen among the keywords' first three bytes by greedy set cover, and a keyword takes one
//! that occurs anywhere in it (`aws_secret` and `whsec_` take `sec`, the start of `secret`;
//! `basic` takes `asi`, the start of `asia`). Only keywords' own starts are candidates, so no
//! fingerprint is a common trigram that no keyword starts with.
//!
//! Where Teddy is not available (no SSSE3, not x86-64 or aarch64, or too many fingerprints),
//! a case-insensitive automaton is the fallback; a test holds both to the same hits.

use aho_corasick::{packed, AhoCorasick, AhoCorasickKind, MatchKind, Span};

/// The longest keyword, so that one fits in a block's overlap.
pub const MAX_KEYWORD: usize = 32;
/// Bytes folded and searched at a time.
const BLOCK: usize = 8 * 1024;
/// The block for haystacks this short or shorter.
const SMALL: usize = 256;

#[inline]
fn fold(b: u8) -> u8 {
    b | 0x20
}

/// For each fingerprint, its keywords (by index) with the fingerprint's offset in each.
type Members = Vec<Vec<(u32, u32)>>;

#[derive(Debug)]
pub struct Keywords {
    /// Keywords as given, by keyword index.
    keywords: Vec<Vec<u8>>,
    /// Teddy over the folded fingerprints, and for each fingerprint its keywords with the
    /// offset of the fingerprint in each.
    teddy: Option<(packed::Searcher, Members)>,
    /// The fallback: leftmost-longest, so every start position reports its longest keyword;
    /// `prefixes[k]` lists the shorter keywords that are prefixes of keyword `k`.
    automaton: AhoCorasick,
    prefixes: Vec<Vec<u32>>,
}

impl Keywords {
    /// `keywords` are distinct after ASCII lower-casing, 3 to [`MAX_KEYWORD`] bytes long.
    /// `simd: false` forces the fallback automaton (for tests and comparisons).
    pub fn new(keywords: &[Vec<u8>], simd: bool) -> Result<Keywords, String> {
        let folded: Vec<Vec<u8>> = keywords
            .iter()
            .map(|k| k.iter().map(|&b| fold(b)).collect())
            .collect();
        let (fingerprints, of_fingerprint) = fingerprints(&folded);
        let teddy = if !simd {
            None
        } else {
            packed::Config::new()
                .match_kind(packed::MatchKind::LeftmostFirst)
                .builder()
                .extend(&fingerprints)
                .build()
                .map(|s| (s, of_fingerprint))
        };
        let automaton = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::DFA))
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            .build(keywords)
            .map_err(|e| e.to_string())?;
        let prefixes = folded
            .iter()
            .map(|k| {
                folded
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.len() < k.len() && k.starts_with(p))
                    .map(|(i, _)| i as u32)
                    .collect()
            })
            .collect();
        Ok(Keywords {
            keywords: keywords.to_vec(),
            teddy,
            automaton,
            prefixes,
        })
    }

    /// The fingerprints, for reports.
    pub fn fingerprints(&self) -> Vec<String> {
        let (f, _) = fingerprints(
            &self
                .keywords
                .iter()
                .map(|k| k.iter().map(|&b| fold(b)).collect())
                .collect::<Vec<_>>(),
        );
        f.iter()
            .map(|t| String::from_utf8_lossy(t).into_owned())
            .collect()
    }

    /// Whether the SIMD path is in use.
    pub fn uses_teddy(&self) -> bool {
        self.teddy.is_some()
    }

    /// Calls `f(start, keyword)` for every occurrence of every keyword: in order of the
    /// fingerprint's position, so a keyword whose fingerprint is not its start may come a few
    /// bytes out of order.
    #[inline]
    pub fn for_each(&self, hay: &[u8], mut f: impl FnMut(usize, u32)) {
        match &self.teddy {
            Some((searcher, of)) => self.teddy_hits(searcher, of, hay, &mut f),
            None => self.automaton_hits(hay, &mut f),
        }
    }

    fn teddy_hits(
        &self,
        searcher: &packed::Searcher,
        of_fingerprint: &[Vec<(u32, u32)>],
        hay: &[u8],
        f: &mut impl FnMut(usize, u32),
    ) {
        // Short haystacks (a JSON value under a hinting key) get a small buffer: zeroing
        // 8 KiB for each would cost more than the search.
        if hay.len() <= SMALL {
            let mut buf = [0u8; SMALL + MAX_KEYWORD];
            self.teddy_blocks(searcher, of_fingerprint, hay, &mut buf, f);
        } else {
            let mut buf = [0u8; BLOCK + MAX_KEYWORD];
            self.teddy_blocks(searcher, of_fingerprint, hay, &mut buf, f);
        }
    }

    /// Folds `hay` into `buf` a block at a time (blocks of `buf.len() - MAX_KEYWORD` bytes,
    /// each followed by the next `MAX_KEYWORD - 1` bytes so that a keyword that starts in the
    /// block is whole in it) and searches each block.
    fn teddy_blocks(
        &self,
        searcher: &packed::Searcher,
        of_fingerprint: &[Vec<(u32, u32)>],
        hay: &[u8],
        buf: &mut [u8],
        f: &mut impl FnMut(usize, u32),
    ) {
        let block_len = buf.len() - MAX_KEYWORD;
        let mut base = 0;
        while base < hay.len() {
            let end = hay.len().min(base + block_len + MAX_KEYWORD - 1);
            let block = &mut buf[..end - base];
            for (d, &s) in block.iter_mut().zip(&hay[base..end]) {
                *d = fold(s);
            }
            let block = &*block;
            // Hits from here on belong to the next block, which sees all of them.
            let limit = if end == hay.len() {
                block.len()
            } else {
                block_len
            };
            let mut pos = 0;
            while pos < limit {
                let Some(m) = searcher.find_in(block, Span::from(pos..block.len())) else {
                    break;
                };
                let at = m.start();
                if at >= limit {
                    break;
                }
                let at_hay = base + at;
                for &(k, offset) in &of_fingerprint[m.pattern().as_usize()] {
                    let keyword = &self.keywords[k as usize];
                    let Some(start) = at_hay.checked_sub(offset as usize) else {
                        continue;
                    };
                    if hay
                        .get(start..start + keyword.len())
                        .is_some_and(|h| h.eq_ignore_ascii_case(keyword))
                    {
                        f(start, k);
                    }
                }
                pos = at + 1;
            }
            base += block_len;
        }
    }

    fn automaton_hits(&self, hay: &[u8], f: &mut impl FnMut(usize, u32)) {
        let mut pos = 0;
        while let Some(m) = self
            .automaton
            .find(aho_corasick::Input::new(hay).span(pos..hay.len()))
        {
            let k = m.pattern().as_u32();
            for &p in &self.prefixes[k as usize] {
                f(m.start(), p);
            }
            f(m.start(), k);
            pos = m.start() + 1;
        }
    }
}

/// Chooses fingerprints for folded keywords by greedy set cover over the keywords' first three
/// bytes: the fingerprints, and for each the keywords it stands for with its offset in each.
fn fingerprints(folded: &[Vec<u8>]) -> (Vec<Vec<u8>>, Members) {
    let mut candidates: Vec<&[u8]> = folded.iter().map(|k| &k[..3]).collect();
    candidates.sort_unstable();
    candidates.dedup();
    let position = |k: &[u8], t: &[u8]| k.windows(3).position(|w| w == t);
    let mut covered = vec![false; folded.len()];
    let mut chosen = Vec::new();
    let mut of = Vec::new();
    while covered.iter().any(|c| !c) {
        // The candidate that stands for the most keywords not yet covered (the first such, in
        // sorted order, so the choice does not depend on the order of the rules).
        let Some(best) = candidates.iter().copied().max_by_key(|t| {
            let n = folded
                .iter()
                .zip(&covered)
                .filter(|(k, c)| !**c && position(k, t).is_some())
                .count();
            (n, std::cmp::Reverse(*t))
        }) else {
            break;
        };
        let mut members = Vec::new();
        for (i, k) in folded.iter().enumerate() {
            if let (false, Some(at)) = (covered[i], position(k, best)) {
                covered[i] = true;
                members.push((i as u32, at as u32));
            }
        }
        if members.is_empty() {
            break;
        }
        chosen.push(best.to_vec());
        of.push(members);
    }
    (chosen, of)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(k: &Keywords, hay: &[u8]) -> Vec<(usize, u32)> {
        let mut v = Vec::new();
        k.for_each(hay, |at, kw| v.push((at, kw)));
        v.sort_unstable();
        v
    }

    /// Teddy on folded blocks and the case-insensitive automaton report the same hits,
    /// whatever the case, across block boundaries, at the haystack's edges, for keywords that
    /// overlap or hold one another.
    #[test]
    fn teddy_and_automaton_agree() {
        let keywords: Vec<Vec<u8>> = [
            "token",
            "secret",
            "aws_secret",
            "whsec_",
            "secret_access_key",
            "://",
            "asia",
            "basic",
            "ghp_",
            "glpat-",
            "sk-ant-",
            "key-",
            "key-----",
            "pass=",
            "password",
            "eyj",
            "t3blbkfj",
            "xoxb-",
            "xoxe.",
        ]
        .iter()
        .map(|k| k.as_bytes().to_vec())
        .collect();
        let teddy = Keywords::new(&keywords, true).unwrap_or_else(|e| panic!("{e}"));
        let automaton = Keywords::new(&keywords, false).unwrap_or_else(|e| panic!("{e}"));
        if !teddy.uses_teddy() {
            return; // No SIMD on this machine: nothing to compare.
        }
        assert!(!automaton.uses_teddy());
        // Keywords in three casings at every offset around the 8 KiB block boundaries, among
        // filler that holds their fingerprints without the keywords (`tok`, `sec`, `asi`).
        let mut hay = Vec::new();
        let mut n = 0usize;
        while hay.len() < 3 * BLOCK + 500 {
            let k = &keywords[n % keywords.len()];
            let word: Vec<u8> = match n % 3 {
                0 => k.clone(),
                1 => k.to_ascii_uppercase(),
                _ => k
                    .iter()
                    .enumerate()
                    .map(|(i, b)| {
                        if i % 2 == 0 {
                            b.to_ascii_uppercase()
                        } else {
                            *b
                        }
                    })
                    .collect(),
            };
            hay.extend_from_slice(&word);
            hay.extend_from_slice(
                &b"tok sec asi x_y secretsecret aws_secret_access_key ://:// "[..n % 23 + 1],
            );
            n += 1;
        }
        for cut in [
            0,
            1,
            5,
            255,
            256,
            257,
            300,
            BLOCK - 3,
            BLOCK,
            BLOCK + 40,
            hay.len(),
        ] {
            let part = &hay[..cut.min(hay.len())];
            assert_eq!(hits(&teddy, part), hits(&automaton, part), "cut at {cut}");
        }
        assert!(hits(&teddy, &hay).len() > 500);
    }

    #[test]
    fn fingerprints_are_shared_and_come_from_keyword_starts() {
        let keywords: Vec<Vec<u8>> = ["secret", "aws_secret", "whsec_", "asia", "basic", "api_key"]
            .iter()
            .map(|k| k.as_bytes().to_vec())
            .collect();
        let (chosen, of) = fingerprints(&keywords);
        let chosen: Vec<&str> = chosen
            .iter()
            .map(|c| std::str::from_utf8(c).unwrap_or("?"))
            .collect();
        assert_eq!(chosen, ["sec", "asi", "api"]);
        assert_eq!(of[0], [(0, 0), (1, 4), (2, 2)]);
        assert_eq!(of[1], [(3, 0), (4, 1)]);
    }
}
