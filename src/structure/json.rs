//! JSON without a parse tree: the keys that hint at personal data, and the key path of a value.
//!
//! Two questions are asked of JSON text, and neither needs a full parse of every line:
//!
//! * Which values sit under a hinting key? Every key is followed by `":`, and the shared
//!   prefilter lists them all ([`Class::Key`]). A [`KeyFilter`] on the last letters of each key turns most away (`time`,
//!   `$insert_id`, and the keys of kinds the scan does not report); only the rest are read,
//!   normalised and looked up, and only a hinting key's value is read. (A `memmem` search for
//!   `":` stopped every 30 bytes and cost four times more; an aho-corasick search for the
//!   hinting suffixes themselves was slower still: its prefilter cannot use letters that are
//!   everywhere in JSON.)
//! * Under which key path (`properties.$email`, `items[].owner.email`) does a finding sit?
//!   Only lines that hold a finding are walked, and not byte by byte: the prefilter, which
//!   follows string boundaries, lists the chunk's key ends and brackets, and the walk replays
//!   those few positions ([`Walker::paths_indexed`]). A small tokenizer that keeps byte
//!   offsets, which a DOM parser would throw away, is the reference the replay is tested
//!   against, and walks what the lists do not cover.
//!
//! Both work on bytes as they are on disk, so offsets stay exact whatever the escapes.
//! Malformed JSON never fails: the hint scan simply finds fewer keys, and the walker answers
//! "no path" for what it cannot place.

use std::sync::OnceLock;

use super::keys::{hint_for_key, KeyFilter};
use super::keys::{Hint, HintedValue};
use super::plan;
use crate::prefilter::{Candidates, Class, Classes};

/// Keys longer than this are never hinting keys, and are not looked at.
const MAX_KEY_LEN: usize = 48;

/// How far [`hint_of_value_at`] reads back for the key of a value: room for an address-shaped
/// value's opening quote (an IPv6 address with a zone is under 64 bytes), the `":`, blanks
/// and the longest hinting key.
const LOOK_BACK: usize = 256 + MAX_KEY_LEN;

/// Pushes a [`HintedValue`] for every value in `bytes` that sits under a hinting key.
pub fn find_hints(bytes: &[u8], out: &mut Vec<HintedValue>) {
    let listed = Candidates::new(bytes, Classes::NONE.with(Class::Key).with(Class::Structure));
    let (keys, structure) = (listed.get(Class::Key), listed.get(Class::Structure));
    find_hints_with(bytes, keys, structure, &KeyFilter::all(), out, None);
}

/// Pushes a [`HintedValue`] for every value in `bytes` under a key that passes `filter` and
/// hints at something, in order. `keys` are the positions of the closing quotes of keys, `"`
/// before `:` ([`Class::Key`]); `structure` the brackets and the closing quotes followed by a
/// blank ([`Class::Structure`]), where the keys that Jackson's pretty printer writes
/// `"key" : value` are found (empty when not listed: those keys then hint at nothing).
///
/// With `inert`, also pushes there, in order, where the string values of compact keys whose
/// hint, wanted or not, rules out identifiers ([`Hint::rules_out_identifiers`]: `app_version`,
/// `ip`, `$insert_id`) start, whose digit runs and credential-shaped words no detector needs
/// to see; [`string_end`] gives where each ends, asked only for the values that hold such a
/// candidate (most hold none).
pub fn find_hints_with(
    bytes: &[u8],
    keys: &[u32],
    structure: &[u32],
    filter: &KeyFilter,
    out: &mut Vec<HintedValue>,
    mut inert: Option<&mut Vec<usize>>,
) {
    // The value after `value` (blanks allowed) of `key`, which closes at `quote` and hints at
    // `hint`.
    let hinted = |key: &[u8], mut hint: Hint, quote: usize, value: usize| {
        // `name` and `state` say little alone: their object's key tells (`address.state` is a
        // region, `customer.name` a person, `product.name` and `items[].name` a product), read
        // with the parent key as a column path is (`keys::hint_for_path`).
        if matches!(hint, Hint::MaybePersonName | Hint::MaybeRegion) {
            let open = quote - key.len() - 1;
            if let Some(joined) = parent_key(bytes, structure, open).and_then(|parent| {
                let mut buf = [0u8; 2 * MAX_KEY_LEN];
                let len = parent.len() + key.len();
                buf.get_mut(..len).map(|b| {
                    b[..parent.len()].copy_from_slice(parent);
                    b[parent.len()..].copy_from_slice(key);
                    hint_for_key(b)
                })?
            }) {
                hint = joined;
            }
        }
        let (start, end) = value_after(bytes, value)?;
        Some(HintedValue { start, end, hint })
    };
    let first = out.len();
    let compact = plan::with_plans(filter, |plans| {
        // Keys are answered as remembered ([`plan`]): most keys of an export are a few
        // hundred repeated, and most hint at nothing.
        let mut next = 0;
        for &quote in keys {
            let quote = quote as usize;
            if quote < next {
                continue;
            }
            let answer = plans.answer(bytes, quote);
            if answer.inert && bytes.get(quote + 2) == Some(&b'"') {
                if let Some(starts) = inert.as_deref_mut() {
                    starts.push(quote + 3);
                }
            }
            let Some((key, hint)) = answer.hint else {
                continue;
            };
            if let Some(h) = hinted(key, hint, quote, quote + 2) {
                next = h.end;
                out.push(h);
            }
        }
        let compact = out.len();
        for &quote in structure {
            let quote = quote as usize;
            if bytes[quote] != b'"' {
                continue;
            }
            let colon = quote + 1 + blanks(&bytes[quote + 1..]);
            if bytes.get(colon) == Some(&b':') {
                if let Some((key, hint)) = plans.hint(bytes, quote) {
                    out.extend(hinted(key, hint, quote, colon + 1));
                }
            }
        }
        compact
    });
    if out.len() > compact {
        out[first..].sort_by_key(|h| (h.start, h.end));
    }
}

/// How many brackets [`parent_key`] reads back at most: a key's object opens a few brackets
/// before it in an export, and a file that is one long line must cost no more per key.
const PARENT_WALK: usize = 64;

/// The key of the object that holds the key whose opening quote is at `open`, or of the
/// array that holds that object (`"items":[{"name":…}]` gives `items`), read back over the
/// brackets outside strings that the prefilter listed (`structure`, in order); `None` at the
/// top level, past [`PARENT_WALK`] brackets, or when the brackets were not listed.
fn parent_key<'a>(bytes: &'a [u8], structure: &[u32], open: usize) -> Option<&'a [u8]> {
    let before = &structure[..structure.partition_point(|&p| (p as usize) < open)];
    let mut depth = 0usize;
    for &p in before.iter().rev().take(PARENT_WALK) {
        let p = p as usize;
        match bytes[p] {
            b'}' | b']' => depth += 1,
            b'{' | b'[' if depth > 0 => depth -= 1,
            bracket @ (b'{' | b'[') => {
                let end = p - blanks_and_newlines_back(&bytes[..p]);
                match end.checked_sub(1).map(|i| bytes[i]) {
                    Some(b':') => {
                        let colon = end - 1;
                        let quote = colon.checked_sub(1 + blanks_back(&bytes[..colon]))?;
                        return (bytes[quote] == b'"')
                            .then(|| key_before(bytes, quote))
                            .flatten();
                    }
                    // An object in an array: the array's key is the parent.
                    Some(b'[' | b',') if bracket == b'{' => continue,
                    _ => return None,
                }
            }
            _ => {}
        }
    }
    None
}

/// The number of blanks and line ends at the end of `bytes` (a document written over many
/// lines puts a line end between a key's `:` and its object).
fn blanks_and_newlines_back(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .rev()
        .take_while(|&&b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .count()
}

/// The number of spaces and tabs at the end of `bytes`.
fn blanks_back(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .rev()
        .take_while(|&&b| matches!(b, b' ' | b'\t'))
        .count()
}

/// The number of spaces and tabs at the start of `bytes`.
fn blanks(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .take_while(|&&b| matches!(b, b' ' | b'\t'))
        .count()
}

/// The hint of the key of the JSON value that contains `pos`, read backwards from `pos`, when
/// it is one of the hints asked for on demand ([`Hint::Ip`], [`Hint::Phone`]): for the few
/// candidates (an IPv4-shaped version string, a phone-shaped number) that need to know
/// whether their key says what they are, when no [`find_hints`] pass listed it. Other keys
/// are not looked up: `app_version`, before every version shaped like an address, is turned
/// away by the filter.
///
/// Only the [`LOOK_BACK`] bytes before `pos` are read, so that a file that is one long line
/// (a JSON array on one line) costs no more per candidate than NDJSON: a value whose key is
/// further back has no hint.
pub fn hint_of_value_at(bytes: &[u8], pos: usize) -> Option<Hint> {
    let line = &bytes[pos.saturating_sub(LOOK_BACK)..pos];
    // The value is a string: its opening quote, then `:` (blanks allowed), then the key; all
    // on this line. The last quote or line end is found first: a value's quote is a few bytes
    // back, its line's start often hundreds. Blanks do not cross a line end, so the `:` and
    // the key's quote are looked for on the line, and the key read back holds no line end.
    let open = memchr::memrchr2(b'"', b'\n', line).filter(|&i| line[i] == b'"')?;
    let colon = open.checked_sub(1 + blanks_back(&line[..open]))?;
    if line[colon] != b':' {
        return None;
    }
    // The key's closing quote, blanks allowed before the `:` too (`"key" : value`).
    let quote = colon.checked_sub(1 + blanks_back(&line[..colon]))?;
    if line[quote] != b'"' {
        return None;
    }
    // Keys are asked about again and again (`app_version` before every version shaped like
    // an address): answered as remembered ([`plan`]), then only an IP or a phone key is told.
    static EVERY_HINT: OnceLock<KeyFilter> = OnceLock::new();
    plan::with_plans(EVERY_HINT.get_or_init(KeyFilter::all), |plans| {
        plans.hint(line, quote).map(|(_, hint)| hint)
    })
    .filter(|&hint| matches!(hint, Hint::Ip | Hint::Phone))
}

/// The key whose closing quote is at `quote`, if it is a short, unescaped key on this line.
pub(super) fn key_before(bytes: &[u8], quote: usize) -> Option<&[u8]> {
    let lo = quote.saturating_sub(MAX_KEY_LEN + 1);
    let open = memchr::memrchr(b'"', &bytes[lo..quote])? + lo;
    let key = &bytes[open + 1..quote];
    if key.is_empty() || key.contains(&b'\\') || key.contains(&b'\n') {
        return None;
    }
    Some(key)
}

/// The span of the value that starts at or after `pos` (past blanks): a string's content
/// without its quotes, or a number.
fn value_after(bytes: &[u8], pos: usize) -> Option<(usize, usize)> {
    let pos = pos + blanks(bytes.get(pos..)?);
    match *bytes.get(pos)? {
        b'"' => {
            let start = pos + 1;
            let end = string_end(bytes, start)?;
            Some((start, end))
        }
        b'-' | b'0'..=b'9' => {
            let len = bytes[pos..]
                .iter()
                .take_while(|b| matches!(b, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'))
                .count();
            Some((pos, pos + len))
        }
        _ => None,
    }
}

/// The position of the quote that closes a string whose content starts at `start`, skipping
/// escaped quotes. `None` when the line ends first.
pub fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut pos = start;
    loop {
        let i = crate::short::find3(b'"', b'\\', b'\n', &bytes[pos..])? + pos;
        match bytes[i] {
            b'"' => return Some(i),
            b'\\' => pos = i + 2,
            _ => return None,
        }
        if pos > bytes.len() {
            return None;
        }
    }
}

/// One level of nesting while walking a line.
struct Frame {
    array: bool,
    /// The current key of an object frame, as a span of the line.
    key: Option<(usize, usize)>,
    /// The number of the path up to this frame ([`PathIds`]), or [`UNNUMBERED`] until a value
    /// under it asks.
    path: u32,
}

impl Frame {
    fn new(array: bool) -> Frame {
        Frame {
            array,
            key: None,
            path: UNNUMBERED,
        }
    }

    /// The frame's key is now the one at `key`.
    fn set_key(&mut self, key: (usize, usize)) {
        self.key = Some(key);
        self.path = UNNUMBERED;
    }
}

/// Finds the key paths of values in JSON lines, reusing its memory from one line to the next.
#[derive(Default)]
pub struct Walker {
    stack: Vec<Frame>,
    path: Vec<u8>,
    keys: Vec<(usize, usize)>,
    ids: PathIds,
}

/// The key path of a value, as a [`Walker`] hands it over: numbered, and written out only when
/// asked, since most values sit under a path met before.
pub struct Path<'w> {
    id: u32,
    line: &'w [u8],
    stack: &'w [Frame],
    text: &'w mut Vec<u8>,
    keys: &'w mut Vec<(usize, usize)>,
}

impl<'w> Path<'w> {
    fn new(
        id: u32,
        line: &'w [u8],
        stack: &'w [Frame],
        text: &'w mut Vec<u8>,
        keys: &'w mut Vec<(usize, usize)>,
    ) -> Path<'w> {
        Path {
            id,
            line,
            stack,
            text,
            keys,
        }
    }

    /// The same number for the same keys (as on disk) in the same containers, for as long as
    /// the walker lives, on any line; a small number (below the count of paths and their
    /// parents met so far), fit to index a table.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The keys (as on disk) joined with `.`, arrays marked `[]` (`items[].owner.email`), and
    /// the span of each key in it, since a key may hold dots of its own
    /// (`jane.doe@example.com`). Two paths may read alike (a key `a.b`, and `b` under `a`).
    pub fn text(&mut self) -> (&[u8], &[(usize, usize)]) {
        path_of(self.line, self.stack, self.text, self.keys);
        (self.text, self.keys)
    }
}

/// A frame whose path has no number yet.
const UNNUMBERED: u32 = u32::MAX;

/// The key paths a [`Walker`] has met, each numbered by its parent's number and how it ends (a
/// key, or an array), so that a value's path is known by one look-up of its last key, not by
/// the whole path written out and hashed: a report names every finding's field.
///
/// A frame's number stays valid while the frame is open and its key unchanged; a key changes
/// only in the innermost frame, so the numbered frames are always the outer ones.
struct PathIds {
    /// By number; the number 0 is the empty path.
    nodes: Vec<PathNode>,
    table: hashbrown::HashTable<u32>,
    /// The bytes of the keys longer than a [`PathEnd`] holds.
    long_keys: Vec<u8>,
    /// The paths of short keys found lately, by their hash's top bits: a line's few dozen
    /// paths are found again on the next line without probing the table.
    recent: Box<[(u32, PathEnd, u32); RECENT_PATHS]>,
}

/// Slots of [`PathIds::recent`].
const RECENT_PATHS: usize = 128;

struct PathNode {
    parent: u32,
    end: PathEnd,
    /// Where a long key's bytes are in `long_keys`.
    long: (u32, u32),
    hash: u64,
}

/// How a path ends: an array, or a key, held as its length and its first 16 bytes in one word
/// (zeros past its end), so that most keys (`$email`, `properties`) are hashed and compared
/// without a loop; a longer one is also compared byte by byte.
#[derive(Clone, Copy, PartialEq, Eq)]
struct PathEnd {
    /// The key's length, or [`PathEnd::ARRAY`].
    len: u32,
    word: u128,
}

impl PathEnd {
    const ARRAY: u32 = u32::MAX;
    /// The bytes a word holds.
    const WORD: usize = 16;

    /// The key `line[s..e]`.
    fn key(line: &[u8], s: usize, e: usize) -> PathEnd {
        let len = e - s;
        let word = match line.get(s..s + Self::WORD) {
            Some(b) => {
                let word = u128::from_le_bytes(b.try_into().expect("16 bytes"));
                match len {
                    0 => 0,
                    1..Self::WORD => word & (u128::MAX >> (8 * (Self::WORD - len))),
                    _ => word,
                }
            }
            // Near the end of the line, so shorter than a word.
            None => {
                let mut b = [0u8; Self::WORD];
                b[..len].copy_from_slice(&line[s..e]);
                u128::from_le_bytes(b)
            }
        };
        PathEnd {
            len: len as u32,
            word,
        }
    }

    fn is_long(self) -> bool {
        self.len != Self::ARRAY && self.len as usize > Self::WORD
    }
}

impl Default for PathIds {
    fn default() -> PathIds {
        PathIds {
            nodes: vec![PathNode {
                parent: UNNUMBERED,
                end: PathEnd { len: 0, word: 0 },
                long: (0, 0),
                hash: 0,
            }],
            table: hashbrown::HashTable::new(),
            long_keys: Vec::new(),
            // No path has the parent [`UNNUMBERED`].
            recent: Box::new([(UNNUMBERED, PathEnd { len: 0, word: 0 }, 0); RECENT_PATHS]),
        }
    }
}

impl PathIds {
    /// The number of the path of the innermost value of `stack`, numbering the frames not
    /// numbered yet.
    #[inline]
    fn of(&mut self, line: &[u8], stack: &mut [Frame]) -> u32 {
        let mut parent = 0;
        for frame in stack {
            if frame.path == UNNUMBERED {
                frame.path = match (frame.array, frame.key) {
                    (true, _) => {
                        let array = PathEnd {
                            len: PathEnd::ARRAY,
                            word: 0,
                        };
                        self.child(parent, array, b"")
                    }
                    (false, Some((s, e))) => {
                        self.child(parent, PathEnd::key(line, s, e), &line[s..e])
                    }
                    // An object before its first key adds nothing to the path.
                    (false, None) => parent,
                };
            }
            parent = frame.path;
        }
        parent
    }

    /// The number of the path `parent` followed by `end`, an array or the key `key`.
    #[inline]
    fn child(&mut self, parent: u32, end: PathEnd, key: &[u8]) -> u32 {
        use std::hash::Hasher;
        let mut hasher = rustc_hash::FxHasher::default();
        hasher.write_u64(end.word as u64);
        hasher.write_u64((end.word >> 64) as u64);
        hasher.write_u64(u64::from(parent) << 32 | u64::from(end.len));
        let hash = hasher.finish();
        let slot = (hash >> (64 - RECENT_PATHS.trailing_zeros())) as usize;
        let (p, e, id) = self.recent[slot];
        if p == parent && e == end && !end.is_long() {
            return id;
        }
        let id = self.find_or_add(parent, end, key, hash);
        if !end.is_long() {
            self.recent[slot] = (parent, end, id);
        }
        id
    }

    /// [`PathIds::child`] past the recent paths.
    #[inline(never)]
    fn find_or_add(&mut self, parent: u32, end: PathEnd, key: &[u8], hash: u64) -> u32 {
        let PathIds {
            nodes,
            table,
            long_keys,
            ..
        } = self;
        let same = |&id: &u32| {
            let node = &nodes[id as usize];
            node.parent == parent
                && node.end == end
                && (!end.is_long() || &long_keys[node.long.0 as usize..node.long.1 as usize] == key)
        };
        if let Some(&id) = table.find(hash, same) {
            return id;
        }
        let id = nodes.len() as u32;
        let start = long_keys.len() as u32;
        if end.is_long() {
            long_keys.extend_from_slice(key);
        }
        nodes.push(PathNode {
            parent,
            end,
            long: (start, long_keys.len() as u32),
            hash,
        });
        table.insert_unique(hash, id, |&id| nodes[id as usize].hash);
        id
    }
}

/// A chunk's JSON structure as the prefilter listed it: the closing quotes of its keys
/// ([`Class::Key`]) and its brackets ([`Class::Structure`]), positions in the chunk.
#[derive(Clone, Copy)]
pub struct Index<'a> {
    pub keys: &'a [u32],
    pub structure: &'a [u32],
}

impl Walker {
    /// For each of the sorted `offsets` into one JSON `line` that falls inside a value, calls
    /// `found(i, path)` with the index of the offset and the key path of the value ([`Path`]).
    ///
    /// An offset inside a key, or in a part of the line that does not parse, gets no call.
    pub fn paths_at(
        &mut self,
        line: &[u8],
        offsets: &[usize],
        mut found: impl FnMut(usize, Path<'_>),
    ) {
        let Walker {
            stack,
            path,
            keys,
            ids,
        } = self;
        stack.clear();
        let mut next = 0;
        let mut expect_key = false;
        let mut pos = 0;
        while pos < line.len() && next < offsets.len() {
            let (start, end) = match line[pos] {
                b'{' | b'[' => {
                    let array = line[pos] == b'[';
                    stack.push(Frame::new(array));
                    expect_key = !array;
                    pos += 1;
                    continue;
                }
                b'}' | b']' => {
                    stack.pop();
                    expect_key = false;
                    pos += 1;
                    continue;
                }
                b',' => {
                    expect_key = matches!(stack.last(), Some(f) if !f.array);
                    pos += 1;
                    continue;
                }
                b':' => {
                    expect_key = false;
                    pos += 1;
                    continue;
                }
                b' ' | b'\t' | b'\r' | b'\n' => {
                    pos += 1;
                    continue;
                }
                b'"' => {
                    let start = pos + 1;
                    let Some(end) = string_end(line, start) else {
                        break;
                    };
                    pos = end + 1;
                    if expect_key {
                        if let Some(frame) = stack.last_mut() {
                            frame.set_key((start, end));
                        }
                        // Offsets inside a key have no value path.
                        while next < offsets.len() && offsets[next] <= end {
                            next += 1;
                        }
                        continue;
                    }
                    (start, end)
                }
                _ => {
                    let start = pos;
                    let len = line[pos..]
                        .iter()
                        .take_while(|b| !matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\r'))
                        .count()
                        .max(1);
                    pos += len;
                    (start, pos)
                }
            };
            // A value spans `start..end`: the offsets inside it get its path.
            while next < offsets.len() && offsets[next] < start {
                next += 1;
            }
            if next < offsets.len() && offsets[next] < end {
                let id = ids.of(line, stack);
                while next < offsets.len() && offsets[next] < end {
                    found(next, Path::new(id, line, stack, path, keys));
                    next += 1;
                }
            }
        }
    }

    /// What [`Walker::paths_at`] answers for the offsets that fall inside values, without
    /// reading the line byte by byte: the walk visits only the keys and brackets the prefilter
    /// listed in the same pass that found the candidates (three or four brackets and thirty
    /// keys on a line of an export, against five hundred bytes). `line` starts at byte
    /// `line_start` of the chunk, and `index` holds the chunk's lists from that line on.
    ///
    /// A line whose strings are followed by blanks (`"key" : value`, never seen in exports,
    /// which are compact) is walked by [`Walker::paths_at`]: its keys are not all listed.
    pub fn paths_indexed(
        &mut self,
        line: &[u8],
        line_start: usize,
        index: Index<'_>,
        offsets: &[usize],
        mut found: impl FnMut(usize, Path<'_>),
    ) {
        let Some(&last) = offsets.last() else {
            return;
        };
        // The listed items from the line's start on, and where each sits in the line.
        fn from_line(list: &[u32], line_start: usize) -> &[u32] {
            let skip = list
                .iter()
                .take_while(|&&p| (p as usize) < line_start)
                .count();
            &list[skip..]
        }
        let keys = from_line(index.keys, line_start);
        let structure = from_line(index.structure, line_start);
        let at = |p: u32| p as usize - line_start;
        if structure
            .iter()
            .map(|&p| at(p))
            .take_while(|&p| p < last)
            .any(|p| line[p] == b'"')
        {
            return self.paths_at(line, offsets, found);
        }
        let Walker {
            stack,
            path,
            keys: spans,
            ids,
        } = self;
        stack.clear();
        let (mut key, mut bracket) = (0, 0);
        for (n, &offset) in offsets.iter().enumerate() {
            // Keys and brackets before the offset, in the order they come: of the keys between
            // two brackets, the last is the one the innermost object holds when the walk
            // reaches the offset or the next bracket, so only it is kept.
            loop {
                let next = structure
                    .get(bracket)
                    .map(|&b| at(b))
                    .filter(|&b| b < offset);
                let end = next.unwrap_or(offset);
                let first = key;
                while keys.get(key).is_some_and(|&k| at(k) < end) {
                    key += 1;
                }
                if key > first {
                    if let Some(frame) = stack.last_mut().filter(|f| !f.array) {
                        // Where the key starts is read only if a path needs it.
                        frame.set_key((UNREAD, at(keys[key - 1])));
                    }
                }
                let Some(next) = next else {
                    break;
                };
                bracket += 1;
                match line[next] {
                    b'{' => stack.push(Frame::new(false)),
                    b'[' => stack.push(Frame::new(true)),
                    _ => {
                        stack.pop();
                    }
                }
            }
            // An offset inside a key has no value path: no quote opens the next key between
            // the offset and its end.
            let next_key = keys.get(key).map(|&k| at(k)).filter(|&k| k < line.len());
            if next_key.is_some_and(|k| unescaped_quote_before(line, offset.min(k), k).is_none()) {
                continue;
            }
            for frame in stack.iter_mut() {
                if let Some((UNREAD, key)) = frame.key {
                    frame.key = key_open(line, key).map(|open| (open + 1, key));
                }
            }
            let id = ids.of(line, stack);
            found(n, Path::new(id, line, stack, path, spans));
        }
    }
}

/// The start of a key the walk has not looked for yet.
const UNREAD: usize = usize::MAX;

/// The opening quote of the string whose closing quote is at `close`.
fn key_open(line: &[u8], close: usize) -> Option<usize> {
    unescaped_quote_before(line, 0, close)
}

/// The last quote of `line[lo..end]` that is not escaped: from inside a string or at its
/// closing quote, the quote that opens it.
pub(super) fn unescaped_quote_before(line: &[u8], lo: usize, mut end: usize) -> Option<usize> {
    loop {
        let quote = crate::short::rfind(b'"', &line[lo..end])? + lo;
        let backslashes = line[..quote]
            .iter()
            .rev()
            .take_while(|&&b| b == b'\\')
            .count();
        if backslashes % 2 == 0 {
            return Some(quote);
        }
        end = quote;
    }
}

/// Writes the key path of the innermost value of `stack` into `path`, and the span of each
/// key in it into `keys`.
fn path_of(line: &[u8], stack: &[Frame], path: &mut Vec<u8>, keys: &mut Vec<(usize, usize)>) {
    path.clear();
    keys.clear();
    for frame in stack {
        if frame.array {
            path.extend_from_slice(b"[]");
        } else if let Some((s, e)) = frame.key {
            if !path.is_empty() {
                path.push(b'.');
            }
            keys.push((path.len(), path.len() + e - s));
            path.extend_from_slice(&line[s..e]);
        }
    }
}

/// Follows the nesting of JSON text read in consecutive parts, so that a part scanned on its
/// own still gets the key paths of its values: a line too long to scan whole (a JSON array
/// exported on one line), or the chunks of a document written over many lines. At any
/// place outside a string, the open containers and their current keys are written out as a
/// short JSON prefix (`[{"properties":{`) that, followed by the rest of the text, walks like
/// the text itself ([`Walker::paths_at`]).
///
/// It reads every byte once, in order, but jumps through strings with `memchr`: the parts
/// are scanned in parallel, the nesting cannot be. What it holds is bounded
/// ([`Nesting::MAX_HELD`]): past that (a hostile file nested millions deep) it stops.
#[derive(Clone, Default)]
pub struct Nesting {
    /// Per open container: whether it is an array, and an object's current key as on disk.
    stack: Vec<(bool, Vec<u8>)>,
    /// The bytes of the keys on the stack, plus one per container.
    held: usize,
    /// Inside a string; `Some(true)` inside a key.
    string: Option<bool>,
    /// The byte before was a backslash inside a string.
    escaped: bool,
    expect_key: bool,
    /// The key being read.
    key: Vec<u8>,
    /// The text stopped looking like JSON (a bracket closed that was never opened, a key
    /// longer than [`Nesting::MAX_KEY`], more than [`Nesting::MAX_HELD`] held): no more
    /// prefixes.
    lost: bool,
}

impl Nesting {
    /// Keys are kept whole; a longer one (no export has one) ends the following.
    const MAX_KEY: usize = 4 << 10;
    /// The most the open containers may hold (keys and brackets): the size of a prefix.
    pub const MAX_HELD: usize = 64 << 10;

    /// Reads `bytes`, the next part of the text, and returns the first place at or after
    /// offset `from` of `bytes` (up to its end) that is outside any string, with the prefix
    /// that stands for the text before it.
    pub fn feed(&mut self, bytes: &[u8], from: usize) -> Option<(usize, Vec<u8>)> {
        let mut found = None;
        self.read(bytes, |nesting, i| {
            if found.is_none() && i >= from {
                found = Some((i, nesting.prefix()));
            }
            false
        });
        found.filter(|_| !self.lost)
    }

    /// Reads `bytes`, the next part of a document written over many lines, up to the first
    /// line end at or after offset `from` where a record ends ([`Nesting::at_record_end`]),
    /// and returns the offset just past that line end; reads all of `bytes` and returns
    /// `None` when there is none.
    pub fn read_to_record_end(&mut self, bytes: &[u8], from: usize) -> Option<usize> {
        self.read(bytes, |nesting, i| {
            i >= from && i > 0 && bytes[i - 1] == b'\n' && nesting.at_record_end()
        })
    }

    /// True between the records of a document: outside any string, with no object open
    /// inside the innermost array (`[{...},⏎{` is, `{"a":1,⏎"b":2}` is not). A chunk cut
    /// there leaves each object's values together, as a line of NDJSON holds its record's.
    pub fn at_record_end(&self) -> bool {
        self.string.is_none() && self.stack.last().is_none_or(|(array, _)| *array)
    }

    /// True when the text read so far is whole: every container it opened is closed.
    pub fn closed(&self) -> bool {
        !self.lost && self.string.is_none() && self.stack.is_empty()
    }

    /// True once the text stopped looking like JSON: no more prefixes.
    pub fn lost(&self) -> bool {
        self.lost
    }

    /// The prefix that stands for the text read so far, when it is outside a string.
    pub fn prefix_here(&self) -> Option<Vec<u8>> {
        (!self.lost && self.string.is_none()).then(|| self.prefix())
    }

    /// Reads `bytes`, asking `stop` at each place outside strings (and at the end), and stops
    /// where it answers true: returns that offset, or `None` once `bytes` are read.
    fn read(
        &mut self,
        bytes: &[u8],
        mut stop: impl FnMut(&Nesting, usize) -> bool,
    ) -> Option<usize> {
        let mut i = 0;
        while !self.lost {
            if self.string.is_none() && stop(self, i) {
                return Some(i);
            }
            if i >= bytes.len() {
                break;
            }
            if let Some(in_key) = self.string {
                if self.escaped {
                    self.escaped = false;
                    if in_key {
                        self.key.push(bytes[i]);
                    }
                    i += 1;
                    continue;
                }
                let Some(j) = memchr::memchr2(b'"', b'\\', &bytes[i..]) else {
                    if in_key {
                        self.key.extend_from_slice(&bytes[i..]);
                        self.lost |= self.key.len() > Self::MAX_KEY;
                    }
                    break;
                };
                if in_key {
                    self.key.extend_from_slice(&bytes[i..i + j + 1]);
                    self.lost |= self.key.len() > Self::MAX_KEY;
                }
                if bytes[i + j] == b'"' {
                    self.string = None;
                    if in_key {
                        // A value comes next, after the `:`.
                        self.expect_key = false;
                        self.key.pop();
                        if let Some((_, key)) = self.stack.last_mut() {
                            self.held = self.held - key.len() + self.key.len();
                            std::mem::swap(key, &mut self.key);
                            self.lost |= self.held > Self::MAX_HELD;
                        }
                    }
                } else {
                    self.escaped = true;
                }
                i += j + 1;
                continue;
            }
            match bytes[i] {
                b'"' => {
                    self.string = Some(self.expect_key);
                    self.key.clear();
                }
                b'{' | b'[' => {
                    let array = bytes[i] == b'[';
                    self.stack.push((array, Vec::new()));
                    self.held += 1;
                    self.lost |= self.held > Self::MAX_HELD;
                    self.expect_key = !array;
                }
                b'}' | b']' => {
                    match self.stack.pop() {
                        Some((_, key)) => self.held -= 1 + key.len(),
                        None => self.lost = true,
                    }
                    self.expect_key = false;
                }
                b',' => self.expect_key = matches!(self.stack.last(), Some((false, _))),
                b':' => self.expect_key = false,
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// The open containers as JSON: an object's current key leads to the container inside
    /// it; the innermost is left open where a key comes next (`{`), or where its key was
    /// read (`{"key":`), before its value or after it: the walk reads what follows alike.
    fn prefix(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.held + 3 * self.stack.len());
        let last = self.stack.len().saturating_sub(1);
        for (i, (array, key)) in self.stack.iter().enumerate() {
            if *array {
                out.push(b'[');
            } else {
                out.push(b'{');
                if i < last || !self.expect_key {
                    out.push(b'"');
                    out.extend_from_slice(key);
                    out.extend_from_slice(b"\":");
                }
            }
        }
        out
    }
}

/// True when `head`, the first bytes of a file (past a byte-order mark), open a JSON
/// document written over many lines (`json.dump(records, f, indent=2)`, `jq .`, an array of
/// objects one a line): its first non-blank byte opens an array or an object, and neither
/// its first line nor the next non-blank one holds one whole JSON value. NDJSON, whose lines
/// each hold one (a broken first line aside), never is one; a file whose first line is longer
/// than `head` is read by lines (a long line is followed by [`Nesting`] too).
pub fn is_document(head: &[u8]) -> bool {
    let Some(start) = head.iter().position(|b| !b.is_ascii_whitespace()) else {
        return false;
    };
    let head = &head[start..];
    let Some(first_end) = memchr::memchr(b'\n', head) else {
        return false;
    };
    if !matches!(head[0], b'[' | b'{') {
        return false;
    }
    let mut first = Nesting::default();
    first.read(&head[..first_end], |_, _| false);
    if first.lost || first.string.is_some() || first.stack.is_empty() {
        return false;
    }
    let second = head[first_end..]
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii)
        .find(|line| !line.is_empty());
    !second.is_some_and(is_one_value)
}

/// True when `line` holds one whole JSON object or array, and nothing after it.
fn is_one_value(line: &[u8]) -> bool {
    let line = line.trim_ascii();
    if !matches!(line.first(), Some(b'{' | b'[')) || !matches!(line.last(), Some(b'}' | b']')) {
        return false;
    }
    let mut nesting = Nesting::default();
    let mut closed_early = false;
    nesting.read(line, |n, i| {
        closed_early |= i > 0 && i < line.len() && n.stack.is_empty();
        false
    });
    nesting.closed() && !closed_early
}

/// True when a line looks like a JSON document (an object, or an array of objects, strings
/// or arrays) rather than plain text. A log line that starts with `[2001:db8::1]:443` or
/// `[12/Nov/2025:10:15:32 +0000]` is not JSON.
pub fn looks_like_json(line: &[u8]) -> bool {
    let mut tokens = line.iter().filter(|b| !b.is_ascii_whitespace());
    matches!(
        (tokens.next(), tokens.next()),
        (Some(b'{'), Some(b'"' | b'}')) | (Some(b'['), Some(b'{' | b'"' | b'[' | b']'))
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::structure::keys::Hint;
    use proptest::prelude::*;

    /// The paths a walker numbered, by number: the same number for the same keys, a new one
    /// for other keys, even when they read alike.
    #[derive(Default)]
    struct Numbered(std::collections::BTreeMap<u32, OwnedPath>);

    /// A path's text and the spans of its keys.
    type OwnedPath = (Vec<u8>, Vec<(usize, usize)>);

    impl Numbered {
        fn check(&mut self, path: &mut Path<'_>) {
            let id = path.id();
            let (text, keys) = path.text();
            let this = (text.to_vec(), keys.to_vec());
            if let Some(seen) = self.0.get(&id) {
                assert_eq!(seen, &this, "path {id}");
            } else {
                assert!(
                    !self.0.values().any(|p| p == &this),
                    "{this:?} numbered twice"
                );
                self.0.insert(id, this);
            }
        }
    }

    /// A key that reads like two keys (`a.b`, and `b` under `a`) is another path.
    #[test]
    fn paths_are_numbered_by_their_keys() {
        let line = br#"{"a":{"b":"x","c":["y",{"b":"z"}]},"a.b":"w","d":[["v"]],"a":{"b":"u"}}"#;
        let offsets: Vec<usize> = (0..line.len()).collect();
        let mut numbered = Numbered::default();
        let mut ids = Vec::new();
        let mut walker = Walker::default();
        for _ in 0..2 {
            walker.paths_at(line, &offsets, |i, mut path| {
                numbered.check(&mut path);
                ids.push((line[offsets[i]], path.id()));
            });
        }
        let id = |v: u8| ids.iter().find(|(b, _)| *b == v).unwrap().1;
        assert_eq!(id(b'x'), id(b'u'));
        assert_ne!(id(b'x'), id(b'w'));
        assert_ne!(id(b'x'), id(b'z'));
        let texts: Vec<&[u8]> = numbered.0.values().map(|(t, _)| &t[..]).collect();
        assert_eq!(texts.iter().filter(|t| **t == b"a.b").count(), 2);
        assert!(texts.contains(&&b"d[][]"[..]));
        // Keys past a word's length that share their first bytes, keys at the line's end.
        let mut numbered = Numbered::default();
        let mut walker = Walker::default();
        let mut texts = Vec::new();
        for key in [
            "0123456789abcdef",
            "0123456789abcdefg",
            "0123456789abcdefh",
            "0123456789abcdefgh",
            "0123456789abcdefgh",
            "0123456789abcdef",
            "",
            "e",
        ] {
            for line in [format!(r#"{{"{key}":"v"}}"#), format!(r#"{{"{key}":1"#)] {
                let at = line.rfind(['v', '1']).unwrap();
                walker.paths_at(line.as_bytes(), &[at], |_, mut path| {
                    numbered.check(&mut path);
                    texts.push(String::from_utf8(path.text().0.to_vec()).unwrap());
                });
            }
        }
        assert_eq!(texts.len(), 16);
        assert_eq!(numbered.0.len(), 6);
    }

    fn owned_paths(line: &[u8], offsets: &[usize]) -> Vec<Option<String>> {
        let mut paths = vec![None; offsets.len()];
        let mut numbered = Numbered::default();
        Walker::default().paths_at(line, offsets, |i, mut path| {
            numbered.check(&mut path);
            let (path, keys) = path.text();
            for &(s, e) in keys {
                assert!(s <= e && e <= path.len());
            }
            assert!(paths[i].is_none(), "offset {i} placed twice");
            paths[i] = Some(String::from_utf8(path.to_vec()).unwrap());
        });
        paths
    }

    fn hints(s: &str) -> Vec<(String, Hint)> {
        let mut out = Vec::new();
        find_hints(s.as_bytes(), &mut out);
        out.iter()
            .map(|h| (s[h.start..h.end].to_string(), h.hint))
            .collect()
    }

    /// `name` and `state` are read with the key of their object, or of the array that holds
    /// their object, as a column path is: `address.state` is a region, `product.name` and
    /// `items[].name` products, `customer.name` a person; alone, or under another key, they
    /// keep their own meaning.
    #[test]
    fn name_and_state_are_read_with_their_parent_key() {
        let cases: &[(&str, &[(&str, Hint)])] = &[
            (
                r#"{"traits":{"address":{"state":"Tverskaya oblast'"}}}"#,
                &[("Tverskaya oblast'", Hint::Region)],
            ),
            (
                r#"{"address":{"city":"Lyon","zip":{"a":1},"state":"Jiangsu"}}"#,
                &[("Lyon", Hint::City), ("Jiangsu", Hint::Region)],
            ),
            (
                r#"{"billingAddress" : {"state":"Jiangsu"}}"#,
                &[("Jiangsu", Hint::Region)],
            ),
            (
                "{\n  \"address\": {\n    \"state\": \"Jiangsu\"\n  }\n}",
                &[("Jiangsu", Hint::Region)],
            ),
            (
                r#"{"order":{"state":"pending"},"state":"active"}"#,
                &[
                    ("pending", Hint::MaybeRegion),
                    ("active", Hint::MaybeRegion),
                ],
            ),
            (
                r#"{"product":{"sku":"A1","name":"Midnight Blue"}}"#,
                &[("Midnight Blue", Hint::Product)],
            ),
            (
                r#"{"items":[{"name":"Rose Gold"},{"price":{"v":1},"name":"Amber Brown"}]}"#,
                &[("Rose Gold", Hint::Product), ("Amber Brown", Hint::Product)],
            ),
            (
                r#"{"customer":{"name":"Jane Doe"},"user":{"name":"Jo Roe"}}"#,
                &[
                    ("Jane Doe", Hint::PersonName),
                    ("Jo Roe", Hint::MaybePersonName),
                ],
            ),
            (
                r#"{"name":"Jo","list":[["x"],{"name":"Al"}]}"#,
                &[("Jo", Hint::MaybePersonName), ("Al", Hint::MaybePersonName)],
            ),
        ];
        for (line, want) in cases {
            let want: Vec<(String, Hint)> = want.iter().map(|(v, h)| (v.to_string(), *h)).collect();
            assert_eq!(hints(line), want, "in {line}");
        }
    }

    /// Keys written `"key" : value` (Jackson's pretty printer) hint like compact ones, and the
    /// hints of a line that mixes both come in order.
    #[test]
    fn keys_with_blanks_before_the_colon_hint_too() {
        let line = r#"{"$city" : "Lyon", "$email":"a@b.co", "lat"	:	45.76, "msg" : "x \" : y"}"#;
        assert_eq!(
            hints(line),
            [
                ("Lyon".to_string(), Hint::City),
                ("a@b.co".to_string(), Hint::Email),
                ("45.76".to_string(), Hint::Latitude),
            ]
        );
    }

    #[test]
    fn finds_hinted_values() {
        let line = r#"{"event":"x","properties":{"$email":"a@b.co","$city": "Lyon","lat":45.76,"name":"Jo \"J\" Doe","app_version":"1.2.3.4"}}"#;
        assert_eq!(
            hints(line),
            [
                ("x".to_string(), Hint::Event),
                ("a@b.co".to_string(), Hint::Email),
                ("Lyon".to_string(), Hint::City),
                ("45.76".to_string(), Hint::Latitude),
                (r#"Jo \"J\" Doe"#.to_string(), Hint::MaybePersonName),
                ("1.2.3.4".to_string(), Hint::Version),
            ]
        );
    }

    /// Every key of the table is found, at every position across block boundaries.
    #[test]
    fn every_hinting_key_is_found_wherever_it_sits() {
        for key in [
            "$email",
            "clientIP",
            "$name",
            "mp_country_code",
            "lat",
            "$os",
            "ua",
            "event",
        ] {
            for pad in 0..130 {
                let line = format!(r#"{}{{"{key}":"v"}}"#, " ".repeat(pad));
                let got = hints(&line);
                assert_eq!(got.len(), 1, "{key} after {pad}");
                assert_eq!(got[0].0, "v");
            }
        }
    }

    /// Text fed in parts of every size: at each place outside a string (or, from inside one,
    /// where it ends), the prefix followed by the rest of the text gives every value the key
    /// path the whole text gives it, on one line or pretty-printed over many.
    #[test]
    fn a_prefix_stands_for_the_text_before_it() {
        let line = concat!(
            r#"{"page":0,"results":[{"event":"a,b","p":{"$email":"x@y.z","k\"q":["#,
            r#"{"n":1},"v"],"$city":"Lyon"}},{"event":"c","p":{"ip":"1.2.3.4"}}],"#,
            r#""total":2,"e":{},"z":[]}"#
        );
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        for text in [line, &pretty] {
            let text = text.as_bytes();
            let values: Vec<usize> = (0..text.len()).collect();
            let mut whole = Vec::new();
            Walker::default().paths_at(text, &values, |k, mut path| {
                let path = path.text().0;
                whole.push((values[k], path.to_vec()));
            });
            assert_eq!(whole.len(), 24, "the bytes of values");
            // Whether each place is inside a string, by a plain reading.
            let mut inside = Vec::with_capacity(text.len() + 1);
            let (mut string, mut escaped) = (false, false);
            for &b in text {
                inside.push(string);
                match (string, escaped, b) {
                    (true, true, _) => escaped = false,
                    (true, false, b'\\') => escaped = true,
                    (true, false, b'"') | (false, _, b'"') => string = !string,
                    _ => {}
                }
            }
            inside.push(false);
            for part in [1, 3, 7, text.len()] {
                for from in 0..=text.len() {
                    let mut walk = Nesting::default();
                    let mut got = None;
                    let mut at = 0;
                    while at < text.len() && got.is_none() {
                        let end = (at + part).min(text.len());
                        got = walk
                            .feed(&text[at..end], from.saturating_sub(at))
                            .map(|(i, prefix)| (at + i, prefix));
                        at = end;
                    }
                    let (i, prefix) = got.expect("a place outside strings");
                    let want = (from..=text.len()).find(|&p| !inside[p]).unwrap();
                    assert_eq!(i, want, "from {from}, part {part}");
                    let mut resumed_text = prefix.clone();
                    resumed_text.extend_from_slice(&text[i..]);
                    let offsets: Vec<usize> =
                        (i..text.len()).map(|o| o - i + prefix.len()).collect();
                    let mut resumed = Vec::new();
                    Walker::default().paths_at(&resumed_text, &offsets, |k, mut path| {
                        let path = path.text().0;
                        resumed.push((i + k, path.to_vec()));
                    });
                    let want: Vec<_> = whole.iter().filter(|(o, _)| *o >= i).cloned().collect();
                    assert_eq!(resumed, want, "at {i}, part {part}");
                }
            }
        }
        // A bracket closed that was never opened: no prefix from there on.
        assert!(Nesting::default().feed(b"]],[1,2]", 0).is_none());
    }

    /// What the nesting holds is bounded: text nested deeper than that is no longer followed.
    #[test]
    fn the_nesting_holds_a_bounded_prefix() {
        let deep = "[".repeat(Nesting::MAX_HELD + 1);
        let mut walk = Nesting::default();
        assert!(walk.feed(deep.as_bytes(), deep.len()).is_none());
        assert!(walk.lost());
        let keys = format!("{{\"{}\":", "k".repeat(1000)).repeat(Nesting::MAX_HELD / 1000 + 1);
        let mut walk = Nesting::default();
        walk.feed(keys.as_bytes(), usize::MAX);
        assert!(walk.lost());
        let fits = format!("{{\"{}\":", "k".repeat(1000)).repeat(Nesting::MAX_HELD / 1000 - 2);
        let mut walk = Nesting::default();
        let (_, prefix) = walk.feed(fits.as_bytes(), fits.len()).unwrap();
        assert_eq!(prefix, fits.as_bytes());
    }

    /// Records end at line ends with no object open inside the innermost array.
    #[test]
    fn record_ends() {
        let text =
            "[\n  {\n    \"a\": [\n      1\n    ],\n    \"b\": \"x\\\"]\\n\"\n  },\n  {}\n]\n";
        let mut walk = Nesting::default();
        let mut ends = Vec::new();
        let mut at = 0;
        while let Some(cut) = walk.read_to_record_end(&text.as_bytes()[at..], 0) {
            at += cut;
            ends.push(&text[..at]);
        }
        let lines: Vec<&str> = ends
            .iter()
            .map(|e| e.trim_end().rsplit('\n').next().unwrap().trim())
            .collect();
        assert_eq!(lines, ["[", "\"a\": [", "1", "},", "{}", "]"]);
        assert!(walk.closed());
    }

    #[test]
    fn documents_and_lines() {
        let documents = [
            "[\n  {\n    \"a\": 1\n  }\n]\n",
            "{\n  \"a\": 1\n}",
            "\n\n  [\n",
            "[ {\n  \"a\" : 1\n}, {\n",
            "[{\"a\":1},\n{\"a\":2},\n{\"a\":3}]\n",
            "{\"results\":[\n{\"a\":1},\n",
            "[\n",
        ];
        for head in documents {
            assert!(is_document(head.as_bytes()), "{head:?}");
        }
        let lines = [
            "{\"a\":1}\n{\"a\":2}\n",
            "[1,2]\n[3]\n",
            "[]\n",
            "{\"a\":\"b\n{\"a\":2}\n",
            "{\"a\":{\"b\":1\n{\"a\":2}\n",
            "[12/Nov/2025:10:15:32 +0000] GET /\n",
            "plain text\n",
            "{\"a\":[1,2,",
            "",
            "]\n[\n",
        ];
        for head in lines {
            assert!(!is_document(head.as_bytes()), "{head:?}");
        }
    }

    #[test]
    fn the_key_of_a_value_read_backwards() {
        let line = r#"{"ip": "1.2.3.4","app_version":"1.2.3.4","msg":"a \"b\" 1.2.3.4"}"#;
        let at = |n: usize| line.match_indices("1.2.3.4").nth(n).unwrap().0;
        assert_eq!(hint_of_value_at(line.as_bytes(), at(0)), Some(Hint::Ip));
        // A version key is not asked for: no reader on demand wants it.
        assert_eq!(hint_of_value_at(line.as_bytes(), at(1)), None);
        assert_eq!(hint_of_value_at(line.as_bytes(), at(2)), None);
        let phone = r#"{"mobile":"+33 6 12 34 56 78","city":"Lyon"}"#;
        assert_eq!(hint_of_value_at(phone.as_bytes(), 11), Some(Hint::Phone));
        assert_eq!(hint_of_value_at(phone.as_bytes(), 38), None);
        assert_eq!(hint_of_value_at(b"1.2.3.4", 0), None);
        assert_eq!(hint_of_value_at(b"\":\"1", 3), None);
        // Blanks on both sides of the colon, as Jackson's pretty printer writes keys.
        let spaced = br#"{"ip" : "1.2.3.4","client_ip"	:	"1.2.3.4"}"#;
        assert_eq!(hint_of_value_at(spaced, 9), Some(Hint::Ip));
        assert_eq!(hint_of_value_at(spaced, 33), Some(Hint::Ip));
        assert_eq!(hint_of_value_at(b" : \"1", 4), None);
        // On a line of any length, only the bytes just before the value are read.
        let long = format!("[{}{line}]", r#"{"a":"b"},"#.repeat(100_000));
        let at = |n: usize| long.match_indices("1.2.3.4").nth(n).unwrap().0;
        assert_eq!(hint_of_value_at(long.as_bytes(), at(0)), Some(Hint::Ip));
        assert_eq!(hint_of_value_at(long.as_bytes(), at(1)), None);
        let far = format!(r#"{{"ip":"{}1.2.3.4"}}"#, "x".repeat(LOOK_BACK));
        assert_eq!(
            hint_of_value_at(far.as_bytes(), far.find('1').unwrap()),
            None
        );
    }

    #[test]
    fn hints_never_cross_lines_and_survive_garbage() {
        assert!(hints("{\"$city\":\"Ly\non\"}").is_empty());
        assert!(hints("\":\":\":").is_empty());
        assert!(hints("\"city\":").is_empty());
        assert!(hints("\"\\\":\"x\"").is_empty());
    }

    #[test]
    fn paths() {
        let line = r#"{"a":{"b":"xx","c":[{"d":"yy"},"zz"]},"e":12.5,"f":"ww"}"#;
        let at = |s: &str| line.find(s).unwrap();
        let offsets = [
            at("xx"),
            at("yy"),
            at("zz"),
            at("12.5"),
            at("\"f\"") + 1,
            at("ww"),
        ];
        let got = owned_paths(line.as_bytes(), &offsets);
        let want: Vec<Option<String>> = ["a.b", "a.c[].d", "a.c[]", "e", "", "f"]
            .iter()
            .map(|s| (!s.is_empty()).then(|| s.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn json_lines_and_log_lines() {
        for line in ["{\"a\":1}", " {}", "[{\"a\":1}]", "[\"x\"]", "[]"] {
            assert!(looks_like_json(line.as_bytes()), "{line}");
        }
        for line in [
            "[2001:db8::1]:443 - -",
            "[12/Nov/2025:10:15:32 +0000]",
            "{x}",
            "",
            "plain",
        ] {
            assert!(!looks_like_json(line.as_bytes()), "{line}");
        }
    }

    #[test]
    fn paths_on_garbage_do_not_panic() {
        for line in [
            "",
            "{",
            "}",
            "{\"a",
            "{\"a\":\"b",
            "]]]",
            "{\"a\":[}",
            "\"\\",
        ] {
            let offsets: Vec<usize> = (0..line.len()).collect();
            let got = owned_paths(line.as_bytes(), &offsets);
            assert_eq!(got.len(), offsets.len());
        }
    }

    /// The paths the indexed walk gives for `offsets` in each line of `chunk`, beside those
    /// of the tokenizer.
    fn both_walks(chunk: &[u8]) -> Vec<(Option<String>, Option<String>)> {
        let classes = Classes::NONE.with(Class::Key).with(Class::Structure);
        let listed = Candidates::new(chunk, classes);
        let index = Index {
            keys: listed.get(Class::Key),
            structure: listed.get(Class::Structure),
        };
        let mut out = Vec::new();
        let mut line_start = 0;
        // One walker for the chunk: a path's number means the same keys on every line.
        let mut walker = Walker::default();
        let mut numbered = Numbered::default();
        for line in chunk.split(|&b| b == b'\n') {
            // Every offset that the tokenizer places in a value.
            let all: Vec<usize> = (0..line.len()).collect();
            let want = owned_paths(line, &all);
            let offsets: Vec<usize> = all.into_iter().filter(|&i| want[i].is_some()).collect();
            let mut got = vec![None; offsets.len()];
            walker.paths_indexed(line, line_start, index, &offsets, |i, mut path| {
                numbered.check(&mut path);
                let path = path.text().0;
                got[i] = Some(String::from_utf8(path.to_vec()).unwrap());
            });
            for (i, got) in offsets.into_iter().zip(got) {
                out.push((got, want[i].clone()));
            }
            line_start += line.len() + 1;
        }
        out
    }

    #[test]
    fn indexed_paths_of_hand_written_lines() {
        let chunk = concat!(
            r#"{"a":{"b":"xx","c":[{"d":"yy"},"zz"]},"e":12.5,"f":"ww"}"#,
            "\n",
            r#"{"k\"{":"v}\"[","n":{"m":["}",{"o":"]"}]},"p":"q"}"#,
            "\n",
            r#"{"a" : "spaced", "b" : {"c" : "x"}}"#,
            "\n",
            r#"["x",{"y":"z"}]"#,
        );
        let pairs = both_walks(chunk.as_bytes());
        assert_eq!(pairs.len(), 29, "the value bytes of the four lines");
        for (got, want) in pairs {
            assert_eq!(got, want);
        }
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let text = || proptest::string::string_regex(r#"[a-z"\\{}\[\]:, ]{0,6}"#).unwrap();
        let leaf = prop_oneof![
            text().prop_map(Value::String),
            (-1000i64..100000).prop_map(Value::from),
            Just(Value::from(12.5)),
            Just(Value::Null),
            Just(Value::Bool(true)),
        ];
        leaf.prop_recursive(4, 40, 6, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                proptest::collection::vec((text(), inner), 0..5)
                    .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn indexed_paths_agree_with_the_tokenizer(
            values in proptest::collection::vec(json_value(), 1..4)
        ) {
            let lines: Vec<String> = values.iter().map(|v| v.to_string()).collect();
            for (got, want) in both_walks(lines.join("\n").as_bytes()) {
                proptest::prop_assert_eq!(got, want);
            }
        }
    }
}
