//! The shared prefilter: one pass over a chunk that lists where each detector should look.
//!
//! Every detector starts from bytes that are frequent in an export: the `":` after every JSON
//! key (one every 30 bytes of NDJSON), a `.` between digits (IPv4 addresses, coordinates,
//! but also every version and float), a `:` between hex digits (IPv6, but also times), a
//! capital letter at a word start (names, places, but also event names). Searched for one
//! detector at a time, with `memchr` or per-detector masks, they cost more than everything
//! else: `memchr` stops every few dozen bytes and each stop has a fixed cost, and each pass
//! reads the chunk again.
//!
//! So the chunk is read once, 64 bytes at a time: each block is compared with SIMD against
//! the bytes that matter (AVX-512 or AVX2 when the processor has them, chosen at run time, a
//! byte table otherwise), the comparisons become bit masks (bit `j` for byte `j`), and masks
//! combine with shifts into candidates ("a `.` with a digit on each side") in a few
//! instructions per block. Only the positions of candidates are written out, one list per
//! [`Class`]; a detector then visits its list and looks at the bytes only there.
//!
//! Candidates are a superset: a detector still checks the bytes around each one, so a
//! candidate too many costs a look, never a false finding.

/// The kinds of candidate positions the prefilter lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Class {
    /// The closing quote of a JSON key: an unescaped `"` that ends a string, followed by `:`.
    Key,
    /// The first byte of a capitalised word: `A`-`Z`, or the lead byte `0xC3`-`0xC5` of a
    /// two-byte Latin letter, after a byte that does not continue a word.
    Capital,
    /// A `.` with a digit on each side.
    Decimal,
    /// A `:` that may join IPv6 groups: a hex digit on each side, or another `:` next to it.
    Colon,
    /// An e-mail separator, plain or encoded: `@`, `%4` (of `%40`), `\u` (of `\u0040`).
    At,
    /// A newline.
    Newline,
    /// A JSON escape `\u`.
    Escape,
    /// What a walk over a JSON line's nesting must see besides its keys: a bracket `{` `}`
    /// `[` `]` outside strings, and (rarely, since exports are compact) the closing quote of a
    /// string followed by a blank, after which a key's `:` may come.
    Structure,
    /// Where a long number may start (phones, payment cards, national numbers): a digit, `+`,
    /// `(`, `)` or `*` that does not continue a word, a number or punctuation (no word byte or
    /// `(`-`/` before it), followed by at least [`NUMBER_RUN`] bytes of digits, blanks and
    /// `(`-`/` punctuation, and not a JSON number (right after `":`). Telemetry is full of
    /// short numbers; only long digit runs reach the detectors.
    Number,
    /// Where an uppercase code may start (IBANs, national numbers written with letters): an
    /// uppercase ASCII letter at a word start, followed by an uppercase letter or a digit,
    /// the first of at least [`CODE_RUN`] bytes of uppercase letters, digits and blanks.
    Code,
    /// Where a credential may sit: the start of a word of at least [`TOKEN_RUN`] token bytes
    /// (letters, digits, `_`, `-`: API keys and tokens are long and random), five dashes
    /// opening a run of dashes (a PEM block), a `=` after a word byte and a `:` after a letter,
    /// followed (past one blank, for `:`) by at least [`ASSIGNED_RUN`] bytes of a value
    /// (`api_key=...` in a query string, `API_KEY=...` in an environment, `X-Api-Key: ...`).
    Secret,
}

/// The digit-run length from which the [`Class::Number`] class lists a start.
pub const NUMBER_RUN: usize = 8;
/// The run length from which [`Class::Code`] lists a start.
pub const CODE_RUN: usize = 8;
/// The run length from which [`Class::Secret`] lists a word start.
pub const TOKEN_RUN: usize = 20;
/// The shortest value after `=` or `: ` that [`Class::Secret`] lists.
pub const ASSIGNED_RUN: usize = 6;

impl Class {
    const ALL: [Class; 11] = [
        Class::Key,
        Class::Capital,
        Class::Decimal,
        Class::Colon,
        Class::At,
        Class::Newline,
        Class::Escape,
        Class::Structure,
        Class::Number,
        Class::Code,
        Class::Secret,
    ];
}

/// A set of classes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Classes(u16);

impl Classes {
    pub const NONE: Classes = Classes(0);
    pub const ALL: Classes = Classes((1 << Class::ALL.len()) - 1);

    pub fn with(self, class: Class) -> Classes {
        Classes(self.0 | 1 << class as u8)
    }

    pub fn union(self, other: Classes) -> Classes {
        Classes(self.0 | other.0)
    }

    pub fn contains(self, class: Class) -> bool {
        self.0 & 1 << class as u8 != 0
    }
}

impl FromIterator<Class> for Classes {
    fn from_iter<I: IntoIterator<Item = Class>>(iter: I) -> Classes {
        iter.into_iter().fold(Classes::NONE, Classes::with)
    }
}

/// The candidate positions of one chunk, by class, each list in increasing order. Positions
/// are `u32`: a chunk is a few MiB (a single line longer than 4 GiB is scanned in parts).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Candidates {
    lists: [Vec<u32>; Class::ALL.len()],
    /// The classes that were searched for.
    found: Classes,
}

/// The longest haystack the prefilter takes, so that positions fit in `u32`.
pub const MAX_LEN: usize = u32::MAX as usize;

impl Candidates {
    /// The candidates of `classes` in `bytes`.
    pub fn new(bytes: &[u8], classes: Classes) -> Candidates {
        let mut candidates = Candidates::default();
        candidates.find(bytes, classes);
        candidates
    }

    /// Replaces the lists with the candidates of `classes` in `bytes` (at most [`MAX_LEN`]
    /// bytes), reusing their memory. `bytes` start outside any JSON string.
    pub fn find(&mut self, bytes: &[u8], classes: Classes) {
        self.find_with(bytes, classes, true)
    }

    /// Like [`Candidates::find`], for bytes that may start inside a JSON string (a piece of a
    /// line too long to hold whole): string boundaries are not followed, so every `"` before
    /// `:` is a key end and every bracket is listed, as if no string held any.
    pub fn find_from_mid_line(&mut self, bytes: &[u8], classes: Classes) {
        self.find_with(bytes, classes, false)
    }

    fn find_with(&mut self, bytes: &[u8], classes: Classes, strings: bool) {
        assert!(bytes.len() <= MAX_LEN, "a haystack of more than 4 GiB");
        for list in &mut self.lists {
            list.clear();
        }
        self.found = classes;
        match simd() {
            // SAFETY: `simd` only answers what the processor has.
            #[cfg(target_arch = "x86_64")]
            Simd::Avx512 => unsafe { x86::find_avx512(bytes, classes, strings, &mut self.lists) },
            // SAFETY: as above.
            #[cfg(target_arch = "x86_64")]
            Simd::Avx2 => unsafe { x86::find_avx2(bytes, classes, strings, &mut self.lists) },
            _ => find_blocks::<scalar::Table>(bytes, classes, strings, &mut self.lists),
        }
    }

    /// The positions of `class`, in increasing order. Empty unless `class` was searched for.
    #[inline]
    pub fn get(&self, class: Class) -> &[u32] {
        &self.lists[class as usize]
    }

    /// Whether `class` was searched for: an empty list then means "none there".
    pub fn searched(&self, class: Class) -> bool {
        self.found.contains(class)
    }
}

/// The instruction sets the prefilter can use, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Simd {
    /// One byte at a time, through a table.
    None,
    Avx2,
    Avx512,
}

/// The best instruction set of this processor, or a lesser one named by the environment
/// variable `PIISCAN_SIMD` (`avx512`, `avx2` or `none`), to compare them on one machine.
pub fn simd() -> Simd {
    static SIMD: std::sync::OnceLock<Simd> = std::sync::OnceLock::new();
    *SIMD.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        let best = if x86::has_avx512() {
            Simd::Avx512
        } else if x86::has_avx2() {
            Simd::Avx2
        } else {
            Simd::None
        };
        #[cfg(not(target_arch = "x86_64"))]
        let best = Simd::None;
        let asked = match std::env::var("PIISCAN_SIMD").as_deref() {
            Ok("none") => Simd::None,
            Ok("avx2") => Simd::Avx2,
            _ => Simd::Avx512,
        };
        best.min(asked)
    })
}

/// The bit masks of one 64-byte block (bit `j` for byte `j`), as computed by one SIMD
/// implementation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Masks {
    quote: u64,
    colon: u64,
    dot: u64,
    digit: u64,
    /// `0`-`9`, `a`-`f`, `A`-`F`.
    hex: u64,
    /// `A`-`Z`, and the lead bytes `0xC3`-`0xC5` of two-byte Latin letters.
    upper: u64,
    /// Bytes that continue a word: ASCII letters and digits, `_`, every non-ASCII byte.
    word: u64,
    at: u64,
    percent: u64,
    four: u64,
    backslash: u64,
    u: u64,
    newline: u64,
    /// `{`, `}`, `[`, `]`.
    bracket: u64,
    /// Space and tab.
    blank: u64,
    /// `a`-`z`.
    lower: u64,
    /// `-`.
    minus: u64,
    /// `=`.
    equals: u64,
    /// `(` to `/`: `( ) * + , - . /`.
    punct: u64,
    /// `(` to `+`: `( ) * +`.
    open: u64,
    /// `A`-`Z` only.
    caps: u64,
}

/// One way to compute the masks of a block.
trait Classify {
    /// # Safety
    /// The processor must have the features of the implementation.
    unsafe fn classify(block: &[u8; 64], classes: Classes) -> Masks;
}

/// Bit `j` of the result is the XOR of bits `0..=j` of `bits`. (A carry-less multiplication
/// does it in one instruction, and measured no faster here.)
#[inline(always)]
fn prefix_xor(mut bits: u64) -> u64 {
    for shift in [1, 2, 4, 8, 16, 32] {
        bits ^= bits << shift;
    }
    bits
}

/// The masks a class needs, so that an implementation can skip the others.
#[inline(always)]
fn needs(classes: Classes) -> [bool; 5] {
    let long = classes.contains(Class::Number)
        || classes.contains(Class::Code)
        || classes.contains(Class::Secret);
    let structure = classes.contains(Class::Key)
        || classes.contains(Class::Structure)
        || classes.contains(Class::Number);
    let letters = classes.contains(Class::Capital) || long;
    let numbers = classes.contains(Class::Decimal) || classes.contains(Class::Colon) || long;
    let escapes = classes.contains(Class::At) || classes.contains(Class::Escape);
    [structure, letters, numbers, escapes, long]
}

/// Bit `j` is set when bytes `j + offset..j + offset + len` of the block (continued by the
/// next one) are all in `mask`: runs doubled over the two blocks as one 128-bit word.
#[inline(always)]
fn run(cur: u64, next: u64, offset: u32, len: u32) -> u64 {
    let m = u128::from(cur) | u128::from(next) << 64;
    let mut run = m;
    let mut have = 1;
    while have < len {
        let step = have.min(len - have);
        run &= run >> step;
        have += step;
    }
    (run >> offset) as u64
}

/// The candidates of one block, from its masks and those of the blocks around it (for the
/// byte before the first and after the last).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn emit(
    start: usize,
    valid: u64,
    prev: &Masks,
    cur: &Masks,
    next: &Masks,
    quoted: &Quoted,
    classes: Classes,
    lists: &mut [Vec<u32>; Class::ALL.len()],
) {
    // `before(m)` has bit j set when byte j - 1 is in `m`; `after(m)` when byte j + 1 is.
    let before = |p: u64, c: u64| c << 1 | p >> 63;
    let after = |c: u64, n: u64| c >> 1 | n << 63;
    let mut push =
        |class: Class, bits: u64| push_bits(&mut lists[class as usize], start, bits & valid);
    let closing = quoted.quotes & !quoted.inside;
    if classes.contains(Class::Key) {
        push(Class::Key, closing & after(cur.colon, next.colon));
    }
    if classes.contains(Class::Capital) {
        push(Class::Capital, cur.upper & !before(prev.word, cur.word));
    }
    if classes.contains(Class::Decimal) {
        let digits = before(prev.digit, cur.digit) & after(cur.digit, next.digit);
        push(Class::Decimal, cur.dot & digits);
    }
    if classes.contains(Class::Colon) {
        let hex = before(prev.hex, cur.hex) & after(cur.hex, next.hex);
        let colons = before(prev.colon, cur.colon) | after(cur.colon, next.colon);
        push(Class::Colon, cur.colon & (hex | colons));
    }
    if classes.contains(Class::At) {
        let percent = cur.percent & after(cur.four, next.four);
        let escape = cur.backslash & after(cur.u, next.u);
        push(Class::At, cur.at | percent | escape);
    }
    if classes.contains(Class::Newline) {
        push(Class::Newline, cur.newline);
    }
    if classes.contains(Class::Escape) {
        push(Class::Escape, cur.backslash & after(cur.u, next.u));
    }
    if classes.contains(Class::Structure) {
        let brackets = cur.bracket & !quoted.inside;
        push(
            Class::Structure,
            brackets | closing & after(cur.blank, next.blank),
        );
    }
    if classes.contains(Class::Number) {
        let digitish = |m: &Masks| m.digit | m.blank | m.punct;
        let run = run(digitish(cur), digitish(next), 0, NUMBER_RUN as u32);
        let lead = cur.digit | cur.open;
        let continues = before(prev.word | prev.punct, cur.word | cur.punct);
        let two_before = |p: u64, c: u64| c << 2 | p >> 62;
        let json_number = before(prev.colon, cur.colon) & two_before(prev.quote, cur.quote);
        push(Class::Number, lead & run & !continues & !json_number);
    }
    if classes.contains(Class::Code) {
        let codeish = |m: &Masks| m.caps | m.digit | m.blank;
        let start = cur.caps & !before(prev.word, cur.word);
        let second = after(cur.caps | cur.digit, next.caps | next.digit);
        let run = run(codeish(cur), codeish(next), 0, CODE_RUN as u32);
        push(Class::Code, start & second & run);
    }
    if classes.contains(Class::Secret) {
        let token = |m: &Masks| m.word | m.minus;
        let (tc, tn) = (token(cur), token(next));
        let word_start = tc & !before(token(prev), tc);
        let long_word = word_start & run(tc, tn, 0, TOKEN_RUN as u32);
        let first_dash = cur.minus & !before(prev.minus, cur.minus);
        let dashes = first_dash & run(cur.minus, next.minus, 0, 5);
        // `name=value`, `Name: value`: a value of at least six bytes that are no blank, quote
        // or line end (passwords hold symbols), after a `=` or `:` that follows a letter.
        let valuable = |m: &Masks| m.word | m.punct | m.equals | m.at | m.percent | m.colon;
        let (vc, vn) = (valuable(cur), valuable(next));
        let value = run(vc, vn, 1, ASSIGNED_RUN as u32);
        let spaced = after(cur.blank, next.blank) & run(vc, vn, 2, ASSIGNED_RUN as u32);
        let letter = before(prev.lower | prev.caps, cur.lower | cur.caps);
        let assignment = cur.equals & before(prev.word, cur.word) & value
            | cur.colon & letter & (value | spaced);
        push(Class::Secret, long_word | dashes | assignment);
    }
}

/// Where the JSON strings are, carried from one block to the next, so that a `":` or a
/// bracket inside a string value (`"q":"a\":{b}"`) is not taken for structure.
///
/// A string ends at the next quote that is not escaped, and a backslash escapes the byte after
/// it unless it is escaped itself: the escapes are found by visiting the backslashes of the
/// block (few: mostly the `\/` of URLs), and the bytes inside strings are the running XOR of
/// the quote bits. NDJSON has no newline inside a string, so a newline ends any string left
/// open: a malformed line cannot turn the rest of the chunk inside out.
#[derive(Default)]
struct Strings {
    /// The first byte of the next block is escaped by a backslash that ends this one.
    escape_next: bool,
    /// The next block starts inside a string.
    in_string: bool,
}

/// The unescaped quotes of a block, and the bytes inside strings: from an opening quote up to
/// its closing quote, not included.
struct Quoted {
    quotes: u64,
    inside: u64,
}

impl Strings {
    /// The bytes of a block escaped by the backslashes in `backslash` (and by one that ended
    /// the block before), for the bytes that are not backslashes themselves.
    ///
    /// In a run of backslashes the first escapes the second, the third the fourth, and so on:
    /// the byte after the run is escaped when the run is odd. Visiting the backslashes one by
    /// one cost a branch each, mispredicted as often as not (an export's URLs are written
    /// `https:\/\/`). Instead, adding a run's first bit to the run carries to the byte just
    /// after it, and that byte is escaped when it lies an odd distance from the start: runs
    /// starting on even bits and on odd bits are added apart, and the carries kept on the
    /// bits of the other parity. An odd run that reaches the end of the block carries out of
    /// it, into the next block's first byte.
    #[inline(always)]
    fn escaped(&mut self, backslash: u64) -> u64 {
        const EVEN: u64 = 0x5555_5555_5555_5555;
        let escaped_in = u64::from(self.escape_next);
        // An escaped backslash escapes nothing: its run starts after it.
        let runs = backslash & !escaped_in;
        let starts = runs & !(runs << 1);
        let from_even = runs.wrapping_add(starts & EVEN) & !runs & !EVEN;
        let (from_odd, carry) = runs.overflowing_add(starts & !EVEN);
        self.escape_next = carry;
        from_even | (from_odd & !runs & EVEN) | escaped_in
    }

    #[inline(always)]
    fn next(&mut self, m: &Masks) -> Quoted {
        let escaped = self.escaped(m.backslash);
        let quotes = m.quote & !escaped;
        let carried = 0u64.wrapping_sub(u64::from(self.in_string));
        let mut toggles = quotes;
        let inside = loop {
            let inside = prefix_xor(toggles) ^ carried;
            let open_at_newline = m.newline & inside;
            if open_at_newline == 0 {
                break inside;
            }
            // The first newline inside a string closes it, then the rest is looked at again.
            toggles ^= open_at_newline & open_at_newline.wrapping_neg();
        };
        self.in_string = inside >> 63 != 0;
        Quoted { quotes, inside }
    }
}

/// How far ahead of the block being classified to ask for memory: the per-candidate work
/// between two loads is branchy, which keeps the processor from running ahead to the next
/// loads by itself.
const PREFETCH: usize = 1024;

/// Appends the positions of the set bits of `bits` (relative to `start`) to `list`.
///
/// Blocks hold a few candidates of each class, a varying number: a loop over them would end
/// at an unpredictable point for every class of every block, and the branch mispredictions
/// would cost more than the rest of the prefilter. So the first eight positions are written
/// without a branch (into spare capacity; those past the count are left beyond the length),
/// and only blocks with more than eight loop for the rest.
#[inline(always)]
fn push_bits(list: &mut Vec<u32>, start: usize, mut bits: u64) {
    // Most classes have no candidate in most blocks: a well-predicted way out.
    if bits == 0 {
        return;
    }
    let count = bits.count_ones() as usize;
    list.reserve(64);
    let spare = list.spare_capacity_mut();
    let base = start as u32;
    let first = spare[..8].as_mut_ptr().cast::<u32>();
    for i in 0..8 {
        // SAFETY: `first` points at eight slots of spare capacity. A volatile store is a
        // plain store that the compiler does not merge into vectors.
        unsafe { first.add(i).write_volatile(base + bits.trailing_zeros()) };
        bits &= bits.wrapping_sub(1);
    }
    let mut i = 8;
    while bits != 0 {
        spare[i].write(base + bits.trailing_zeros());
        bits &= bits - 1;
        i += 1;
    }
    // SAFETY: the first `count` slots of the spare capacity were written just above (the
    // first eight unconditionally, the rest in the loop), and `reserve(64)` made room for
    // the at most 64 bits of a mask.
    unsafe { list.set_len(list.len() + count) };
}

/// The block loop, the same for every implementation: each block's candidates are emitted
/// once the next block's masks are known.
#[inline(always)]
fn find_blocks<C: Classify>(
    bytes: &[u8],
    classes: Classes,
    track_strings: bool,
    lists: &mut [Vec<u32>; Class::ALL.len()],
) {
    if bytes.is_empty() || classes == Classes::NONE {
        return;
    }
    let [structure, ..] = needs(classes);
    let mut strings = Strings::default();
    let mut prev = Masks::default();
    let mut cur = block_at::<C>(bytes, 0, classes);
    let mut start = 0;
    while start < bytes.len() {
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

/// The reference implementation: a byte table. Used where no SIMD implementation applies,
/// and by the tests as the definition the others must agree with.
mod scalar {
    use super::{Classes, Classify, Masks};

    const QUOTE: u32 = 1;
    const COLON: u32 = 1 << 1;
    const DOT: u32 = 1 << 2;
    const DIGIT: u32 = 1 << 3;
    const HEX: u32 = 1 << 4;
    const UPPER: u32 = 1 << 5;
    const WORD: u32 = 1 << 6;
    const AT: u32 = 1 << 7;
    const PERCENT: u32 = 1 << 8;
    const FOUR: u32 = 1 << 9;
    const BACKSLASH: u32 = 1 << 10;
    const U: u32 = 1 << 11;
    const NEWLINE: u32 = 1 << 12;
    const BRACKET: u32 = 1 << 13;
    const BLANK: u32 = 1 << 14;
    const LOWER: u32 = 1 << 15;
    const MINUS: u32 = 1 << 16;
    const EQUALS: u32 = 1 << 17;
    const PUNCT: u32 = 1 << 18;
    const OPEN: u32 = 1 << 19;
    const CAPS: u32 = 1 << 20;

    const fn class_of(b: u8) -> u32 {
        let mut c = 0;
        if b == b'"' {
            c |= QUOTE;
        }
        if b == b':' {
            c |= COLON;
        }
        if b == b'.' {
            c |= DOT;
        }
        if b.is_ascii_digit() {
            c |= DIGIT;
        }
        if b.is_ascii_hexdigit() {
            c |= HEX;
        }
        if b.is_ascii_uppercase() || (b >= 0xC3 && b <= 0xC5) {
            c |= UPPER;
        }
        if b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80 {
            c |= WORD;
        }
        if b == b'@' {
            c |= AT;
        }
        if b == b'%' {
            c |= PERCENT;
        }
        if b == b'4' {
            c |= FOUR;
        }
        if b == b'\\' {
            c |= BACKSLASH;
        }
        if b == b'u' {
            c |= U;
        }
        if b == b'\n' {
            c |= NEWLINE;
        }
        if matches!(b, b'{' | b'}' | b'[' | b']') {
            c |= BRACKET;
        }
        if b == b' ' || b == b'\t' {
            c |= BLANK;
        }
        if b.is_ascii_lowercase() {
            c |= LOWER;
        }
        if b == b'-' {
            c |= MINUS;
        }
        if b == b'=' {
            c |= EQUALS;
        }
        if b >= b'(' && b <= b'/' {
            c |= PUNCT;
        }
        if b >= b'(' && b <= b'+' {
            c |= OPEN;
        }
        if b.is_ascii_uppercase() {
            c |= CAPS;
        }
        c
    }

    const TABLE: [u32; 256] = {
        let mut t = [0; 256];
        let mut i = 0;
        while i < 256 {
            t[i] = class_of(i as u8);
            i += 1;
        }
        t
    };

    pub struct Table;

    impl Classify for Table {
        unsafe fn classify(block: &[u8; 64], _classes: Classes) -> Masks {
            let mut m = Masks::default();
            for (j, &b) in block.iter().enumerate() {
                let c = TABLE[usize::from(b)];
                let bit = 1u64 << j;
                let set = |mask: &mut u64, flag: u32| {
                    if c & flag != 0 {
                        *mask |= bit;
                    }
                };
                set(&mut m.quote, QUOTE);
                set(&mut m.colon, COLON);
                set(&mut m.dot, DOT);
                set(&mut m.digit, DIGIT);
                set(&mut m.hex, HEX);
                set(&mut m.upper, UPPER);
                set(&mut m.word, WORD);
                set(&mut m.at, AT);
                set(&mut m.percent, PERCENT);
                set(&mut m.four, FOUR);
                set(&mut m.backslash, BACKSLASH);
                set(&mut m.u, U);
                set(&mut m.newline, NEWLINE);
                set(&mut m.bracket, BRACKET);
                set(&mut m.blank, BLANK);
                set(&mut m.lower, LOWER);
                set(&mut m.minus, MINUS);
                set(&mut m.equals, EQUALS);
                set(&mut m.punct, PUNCT);
                set(&mut m.open, OPEN);
                set(&mut m.caps, CAPS);
            }
            m
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::{find_blocks, needs, Class, Classes, Classify, Masks};

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
        find_blocks::<Avx512>(bytes, classes, strings, lists)
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
        find_blocks::<Avx2>(bytes, classes, strings, lists)
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition of each class, one byte at a time; `strings` is false for bytes that
    /// may start inside a string, where no quote is taken for escaped or opening.
    fn reference(bytes: &[u8], classes: Classes, strings: bool) -> Candidates {
        let at = |i: usize| bytes.get(i).copied();
        let before = |i: usize| i.checked_sub(1).and_then(|j| bytes.get(j).copied());
        let is = |b: Option<u8>, f: fn(&u8) -> bool| b.as_ref().is_some_and(f);
        let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_' || *b >= 0x80;
        let mut c = Candidates {
            found: classes,
            ..Default::default()
        };
        // JSON strings, one byte at a time: a backslash escapes the next byte unless it is
        // escaped itself, an unescaped quote opens or closes a string, a newline closes it.
        let mut in_string = false;
        let mut escape_pending = false;
        for (i, &b) in bytes.iter().enumerate() {
            let next = at(i + 1);
            let escaped = escape_pending;
            escape_pending = b == b'\\' && !escaped;
            let was_inside = in_string;
            let mut closes = false;
            if b == b'"' && !strings {
                closes = true;
            } else if b == b'"' && !escaped {
                in_string = !in_string;
                closes = !in_string;
            }
            if b == b'\n' {
                in_string = false;
            }
            let hits = [
                (Class::Key, closes && next == Some(b':')),
                (
                    Class::Structure,
                    (matches!(b, b'{' | b'}' | b'[' | b']') && !was_inside)
                        || (closes && matches!(next, Some(b' ' | b'\t'))),
                ),
                (
                    Class::Capital,
                    (b.is_ascii_uppercase() || (0xC3..=0xC5).contains(&b)) && !is(before(i), word),
                ),
                (
                    Class::Decimal,
                    b == b'.' && is(before(i), u8::is_ascii_digit) && is(next, u8::is_ascii_digit),
                ),
                (
                    Class::Colon,
                    b == b':'
                        && ((is(before(i), u8::is_ascii_hexdigit)
                            && is(next, u8::is_ascii_hexdigit))
                            || before(i) == Some(b':')
                            || next == Some(b':')),
                ),
                (
                    Class::At,
                    b == b'@'
                        || (b == b'%' && next == Some(b'4'))
                        || (b == b'\\' && next == Some(b'u')),
                ),
                (Class::Newline, b == b'\n'),
                (Class::Escape, b == b'\\' && next == Some(b'u')),
                (Class::Number, number_at(bytes, i)),
                (Class::Code, code_at(bytes, i)),
                (Class::Secret, secret_at(bytes, i)),
            ];
            for (class, hit) in hits {
                if hit && classes.contains(class) {
                    c.lists[class as usize].push(i as u32);
                }
            }
        }
        c
    }

    /// Every byte of `bytes[from..from + len]` is there and passes `f`.
    fn all(bytes: &[u8], from: usize, len: usize, f: impl Fn(u8) -> bool) -> bool {
        bytes
            .get(from..from + len)
            .is_some_and(|w| w.iter().all(|&b| f(b)))
    }

    fn is_word(b: u8) -> bool {
        b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
    }

    fn number_at(bytes: &[u8], i: usize) -> bool {
        let punct = |b: u8| (b'('..=b'/').contains(&b);
        let b = bytes[i];
        let prev = i.checked_sub(1).map(|j| bytes[j]);
        let json = i >= 2 && &bytes[i - 2..i] == b"\":";
        (b.is_ascii_digit() || (b'('..=b'+').contains(&b))
            && !prev.is_some_and(|p| is_word(p) || punct(p))
            && !json
            && all(bytes, i, NUMBER_RUN, |b| {
                b.is_ascii_digit() || b == b' ' || b == b'\t' || punct(b)
            })
    }

    fn code_at(bytes: &[u8], i: usize) -> bool {
        let prev = i.checked_sub(1).map(|j| bytes[j]);
        bytes[i].is_ascii_uppercase()
            && !prev.is_some_and(is_word)
            && bytes
                .get(i + 1)
                .is_some_and(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && all(bytes, i, CODE_RUN, |b| {
                b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ' || b == b'\t'
            })
    }

    fn secret_at(bytes: &[u8], i: usize) -> bool {
        let token = |b: u8| is_word(b) || b == b'-';
        let b = bytes[i];
        let prev = i.checked_sub(1).map(|j| bytes[j]);
        let long_word = token(b) && !prev.is_some_and(token) && all(bytes, i, TOKEN_RUN, token);
        let dashes = b == b'-' && prev != Some(b'-') && all(bytes, i, 5, |b| b == b'-');
        let valuable = |b: u8| is_word(b) || (b'('..=b'/').contains(&b) || b"=@%:".contains(&b);
        let letter = prev.is_some_and(|p| p.is_ascii_alphabetic());
        let value = |from: usize| all(bytes, from, ASSIGNED_RUN, valuable);
        let spaced = |from: usize| matches!(bytes.get(from), Some(b' ' | b'\t')) && value(from + 1);
        let assignment = (b == b'=' && prev.is_some_and(is_word) && value(i + 1))
            || (b == b':' && letter && (value(i + 1) || spaced(i + 1)));
        long_word || dashes || assignment
    }

    fn check(bytes: &[u8]) {
        for classes in [Classes::ALL, Classes::NONE.with(Class::Capital)]
            .into_iter()
            .chain(Class::ALL.map(|c| Classes::NONE.with(c)))
        {
            for strings in [true, false] {
                let want = reference(bytes, classes, strings);
                let mut table = Candidates {
                    found: classes,
                    ..Default::default()
                };
                find_blocks::<scalar::Table>(bytes, classes, strings, &mut table.lists);
                assert_eq!(table, want, "table, {classes:?} {strings} in {bytes:?}");
                let mut dispatched = Candidates::default();
                dispatched.find_with(bytes, classes, strings);
                assert_eq!(dispatched, want, "dispatched, {classes:?} {strings}");
                #[cfg(target_arch = "x86_64")]
                for (name, got) in x86::find_each(bytes, classes, strings) {
                    assert_eq!(got, want, "{name}, {classes:?} {strings} in {bytes:?}");
                }
            }
        }
    }

    #[test]
    fn every_byte_value_at_every_offset() {
        for b in 0..=255u8 {
            for len in [1, 63, 64, 65, 130] {
                let mut bytes = vec![b; len];
                bytes[len / 2] = b'.';
                check(&bytes);
            }
        }
    }

    #[test]
    fn candidates_across_block_boundaries() {
        let pieces: [&[u8]; 15] = [
            b"\"k\":1",
            b"1.2",
            b"a:b",
            b"::",
            b" Jane",
            b"x@y %40 \\u0040",
            b"\n",
            "É".as_bytes(),
            b"{\"a\\\"b\\\\\":[\"}\" ]}",
            b" +44 (20) 7946-0958 ",
            b"\"t\":12345678901 ",
            b" DE89 3704 0044 0532 ",
            b" sk-proj-abcdefghijklmnopqrstuv ",
            b"-----BEGIN ",
            b"&api_key=abcdefgh12 ",
        ];
        for piece in pieces {
            for pad in 0..=130 {
                let mut bytes = vec![b'~'; pad];
                bytes.extend_from_slice(piece);
                bytes.extend(std::iter::repeat_n(b'~', 130 - pad));
                check(&bytes);
                check(&bytes[..pad + piece.len()]);
            }
        }
    }

    proptest! {
        #[test]
        fn all_implementations_agree_with_the_definition(
            bytes in proptest::collection::vec(
                prop_oneof![
                    Just(b'"'), Just(b':'), Just(b'.'), Just(b'@'), Just(b'%'), Just(b'4'),
                    Just(b'\\'), Just(b'u'), Just(b'\n'), Just(b'_'), Just(b' '), Just(0xC3),
                    Just(b'{'), Just(b'}'), Just(b'['), Just(b']'), Just(b'\t'),
                    Just(0x80), b'0'..=b'9', b'a'..=b'f', b'A'..=b'Z', any::<u8>(),
                    Just(b'-'), Just(b'='), Just(b'('), Just(b')'), Just(b'+'), Just(b'/'),
                ],
                0..300,
            )
        ) {
            check(&bytes);
        }
    }
}
