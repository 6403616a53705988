//! The shape scanner: the extent of a phone-like token at a position, and how phone-like its
//! shape is.
//!
//! Why a separate, validation-free layer: most digit runs in logs are timestamps, ids, prices
//! and versions. Turning them away by their shape (what surrounds them, how they are grouped)
//! costs a few comparisons per byte, while numbering-plan validation runs an automaton per
//! region. The scanner is a single forward pass over the token with no allocation; it collects
//! the digits into a [`Digits`] stack buffer for the validators.
//!
//! What it accepts: an optional `+`, then groups of digits joined by the separators people
//! type (space, no-break space, `-`, `.`, `/`, an area code in brackets `(415)`, a bracketed
//! trunk prefix `(0)`), then an optional extension (`ext.`, `ext`, `extn`, `extension`, `x`,
//! `#`, `;ext=` and digits). What it rejects outright (returns `None`): tokens glued to letters
//! or to other numbers (`v1.2.3`, `INV-2024-001`, UUID and hex parts, `1234567ms`), dates
//! (`2024-01-15`, `15.01.2024`, `01/15/2024`), times (`... 10:30`), IPv4 addresses and
//! dotted versions, decimals and thousands (`1234567.89`, `1.234.567`, `12 345 678`),
//! prices (currency sign before or after), hyphenated ISBNs, ZIP+4 and CEP postcodes, payment
//! card groupings, and anything under 7 or over 20 digits.

use super::Digits;

/// Fewest digits of a token (`+683 1234`, Niue, is 7).
pub const MIN_DIGITS: usize = 7;
/// Most digits of a token: an IDD (`00`, `011`), a calling code and a national number.
pub const MAX_DIGITS: usize = 20;
/// Most digit groups in a token.
pub const MAX_GROUPS: usize = 12;
const MAX_EXT: usize = 7;

/// How phone-like a token's shape is.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Shape {
    /// A bare digit run (`4155552671`): also every timestamp and id.
    Bare = 0,
    /// Two groups, or mixed separators (`0151 23456789`, `030/1234567`).
    Grouped = 1,
    /// Phone grouping: an area code in brackets, or three or more groups of at least two
    /// digits joined by one kind of separator (`415-555-2671`, `06 12 34 56 78`).
    PhoneLike = 2,
    /// International: starts with `+`.
    International = 3,
}

/// A phone-like token found by [`scan`].
#[derive(Clone, Copy, Debug)]
pub struct Token {
    /// First byte of the token (`+`, `(` or a digit).
    pub start: usize,
    /// One past the last byte of the number (a digit or `)`), extension excluded.
    pub end: usize,
    /// One past the extension; equal to `end` when there is none.
    pub ext_end: usize,
    /// The digits of the number (extension excluded), as written: after `+` they start with
    /// the calling code; a bracketed `(0)` is kept (the validators strip it).
    pub digits: Digits,
    /// The extension's digits (empty when none).
    /// The extension's digits: the tests hold the scanner's reading of them.
    #[cfg_attr(not(test), allow(dead_code))]
    pub ext: Digits,
    pub has_plus: bool,
    /// Number of digit groups.
    pub groups: u8,
    /// Digit count of each group (the first `groups` entries).
    pub group_lens: [u8; MAX_GROUPS],
    pub shape: Shape,
}

impl Token {
    /// Digit count of each group as written: `[3, 3, 4]` for `(201) 555-0123`.
    pub fn group_lengths(&self) -> &[u8] {
        &self.group_lens[..usize::from(self.groups)]
    }
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Length of a separator "unit" at `i` that is a space: ASCII space, tab, or one of the
/// no-break / thin spaces typed by French and other locales.
fn space_len(h: &[u8], i: usize) -> usize {
    match h.get(i) {
        Some(b' ') | Some(b'\t') => 1,
        Some(0xC2) if h.get(i + 1) == Some(&0xA0) => 2,
        // U+2009 thin space, U+202F narrow no-break space
        Some(0xE2) if h.get(i + 1) == Some(&0x80) && matches!(h.get(i + 2), Some(0x89 | 0xAF)) => 3,
        _ => 0,
    }
}

/// Currency signs right before or after a number make it a price.
fn ends_with_currency(h: &[u8]) -> bool {
    let h = match h.last() {
        Some(b' ') => &h[..h.len() - 1],
        _ => h,
    };
    const SIGNS: [&[u8]; 8] = [
        b"$",
        "€".as_bytes(),
        "£".as_bytes(),
        "¥".as_bytes(),
        "₹".as_bytes(),
        "₽".as_bytes(),
        b"EUR",
        b"USD",
    ];
    SIGNS.iter().any(|s| h.ends_with(s))
}

fn starts_with_currency(h: &[u8]) -> bool {
    if !matches!(
        h.first(),
        Some(b' ' | b'$' | 0xC2 | 0xE2 | b'E' | b'U' | b'G' | b'z')
    ) {
        return false;
    }
    let h = match h.first() {
        Some(b' ') => &h[1..],
        _ => h,
    };
    const SIGNS: [&[u8]; 10] = [
        b"$",
        "€".as_bytes(),
        "£".as_bytes(),
        "¥".as_bytes(),
        "₹".as_bytes(),
        "₽".as_bytes(),
        b"EUR",
        b"USD",
        b"GBP",
        b"zl",
    ];
    SIGNS
        .iter()
        .any(|s| h.starts_with(s) && !h.get(s.len()).is_some_and(|&b| b.is_ascii_alphabetic()))
}

/// An extension right after the number: returns (end, digits).
fn extension(h: &[u8], mut i: usize) -> Option<(usize, Digits)> {
    if !matches!(
        h.get(i),
        Some(b' ' | b'e' | b'E' | b'x' | b'X' | b'#' | b';')
    ) {
        return None;
    }
    let mut spaces = 0;
    while spaces < 2 && h.get(i) == Some(&b' ') {
        i += 1;
        spaces += 1;
    }
    let rest = h.get(i..)?;
    let lower = |k: usize| rest.get(k).map(u8::to_ascii_lowercase);
    let mut k = if rest.len() >= 9 && rest[..9].eq_ignore_ascii_case(b"extension") {
        9
    } else if rest.len() >= 4 && rest[..4].eq_ignore_ascii_case(b"extn") {
        4
    } else if rest.len() >= 3 && rest[..3].eq_ignore_ascii_case(b"ext") {
        3
    } else if rest.starts_with(b";ext=") {
        5
    } else if lower(0) == Some(b'x') || rest.first() == Some(&b'#') {
        1
    } else {
        return None;
    };
    if matches!(rest.get(k), Some(b'.') | Some(b':')) {
        k += 1;
    }
    let mut sp = 0;
    while sp < 2 && rest.get(k) == Some(&b' ') {
        k += 1;
        sp += 1;
    }
    let mut ext = Digits::new();
    while let Some(&b) = rest.get(k) {
        if !b.is_ascii_digit() {
            break;
        }
        if ext.len() == MAX_EXT {
            return None;
        }
        ext.push(b);
        k += 1;
    }
    if ext.is_empty() || rest.get(k).is_some_and(|&b| is_word(b)) {
        return None;
    }
    Some((i + k, ext))
}

fn plausible_date(y: u32, m: u32, d: u32) -> bool {
    (1900..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d)
}

fn value(d: &[u8]) -> u32 {
    d.iter().fold(0u32, |a, &b| a * 10 + u32::from(b - b'0'))
}

/// What [`scan_span`] found at a position.
#[derive(Clone, Copy, Debug)]
pub struct Scanned {
    /// The token, when the bytes there can be a phone number.
    pub token: Option<Token>,
    /// Where the next candidate may start: the end of the token, or of what was turned away as
    /// one non-phone token (a card number, a date and time, an ISBN). Resuming inside it would
    /// find its later groups (`0592 3055 9022` of a card number) and take them for a phone.
    pub end: usize,
}

/// The cheapest test, for a caller's candidate loop: when the digit run at `at` cannot start a
/// phone token (glued to a letter before it, or fewer than [`MIN_DIGITS`] digits not followed
/// by a group separator), returns where the run ends, without building a token. `None`: call
/// [`scan_span`]. Most digit runs of a log (`"ts":17`, `v2`, `a716`, `:30`) stop here.
#[inline]
pub fn quick_skip(h: &[u8], at: usize) -> Option<usize> {
    let first = *h.get(at)?;
    if !first.is_ascii_digit() {
        return None;
    }
    if at > 0 && h[at - 1].is_ascii_alphabetic() && !(at >= 2 && h[at - 2] == b'\\') {
        return Some(digit_run_end(h, at));
    }
    let run = h[at..]
        .iter()
        .take(MIN_DIGITS)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if run < MIN_DIGITS {
        let next = h.get(at + run).copied();
        if !matches!(
            next,
            Some(b' ' | b'\t' | b'-' | b'.' | b'/' | b'(' | b')' | 0xC2 | 0xE2)
        ) {
            return Some(at + run);
        }
    }
    None
}

/// The phone-like token starting at `at` (a `+`, `(` or the first digit of a run), or `None`
/// when the bytes there cannot be a phone number whatever the context.
pub fn scan(h: &[u8], at: usize) -> Option<Token> {
    scan_span(h, at).token
}

/// [`scan`], and where to resume when it turns the bytes away.
pub fn scan_span(h: &[u8], at: usize) -> Scanned {
    match scan_inner(h, at) {
        Ok(t) => Scanned {
            end: t.ext_end,
            token: Some(t),
        },
        Err(end) => Scanned {
            token: None,
            end: end.max(at + 1),
        },
    }
}

fn digit_run_end(h: &[u8], from: usize) -> usize {
    from + h
        .get(from..)
        .map_or(0, |r| r.iter().take_while(|b| b.is_ascii_digit()).count())
}

/// Skips up to two space units from `i`.
fn skip_spaces(h: &[u8], mut i: usize) -> (usize, usize) {
    let mut n = 0;
    while n < 2 {
        let l = space_len(h, i);
        if l == 0 {
            break;
        }
        i += l;
        n += 1;
    }
    (i, n)
}

fn scan_inner(h: &[u8], at: usize) -> Result<Token, usize> {
    let first = *h.get(at).ok_or(at)?;
    if !(first.is_ascii_digit() || first == b'+' || first == b'(') {
        return Err(at + 1);
    }
    if !left_context_ok(h, at) {
        return Err(digit_run_end(h, at));
    }
    if first.is_ascii_digit() {
        // Fast exit for short runs that cannot continue (most numbers in logs): fewer than
        // MIN_DIGITS digits followed by a byte that neither separates groups nor starts an
        // extension.
        let run = h[at..]
            .iter()
            .take(MIN_DIGITS)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if run < MIN_DIGITS {
            let next = h.get(at + run).copied();
            let may_continue = matches!(
                next,
                Some(b' ' | b'\t' | b'-' | b'.' | b'/' | b'(' | b')' | 0xC2 | 0xE2)
            );
            if !may_continue {
                return Err(at + run);
            }
        }
    }
    let mut i = at;
    let has_plus = first == b'+';
    if has_plus {
        i += 1;
    }
    let mut digits = Digits::new();
    let mut glen = [0u8; MAX_GROUPS];
    let mut seps = [0u8; MAX_GROUPS];
    let mut k = 0usize; // groups
    let mut paren_area = false;
    let mut end;
    loop {
        // One group: digits, or digits in brackets (`(201)`, `(0)`, `(06 1)`, `(0-312)`).
        let open = h.get(i) == Some(&b'(');
        let first_group = k == 0 || (has_plus && k == 1);
        let mut j = if open { i + 1 } else { i };
        loop {
            let gstart = j;
            while let Some(&b) = h.get(j) {
                if !b.is_ascii_digit() {
                    break;
                }
                if !digits.push(b) || digits.len() > MAX_DIGITS {
                    return Err(digit_run_end(h, j));
                }
                j += 1;
            }
            let gl = j - gstart;
            if gl == 0 || k == MAX_GROUPS {
                return Err(j.max(at + 1));
            }
            glen[k] = gl as u8;
            k += 1;
            if open
                && matches!(h.get(j), Some(b' ' | b'-'))
                && h.get(j + 1).is_some_and(u8::is_ascii_digit)
            {
                seps[k - 1] = b')';
                j += 1;
                continue;
            }
            break;
        }
        if open {
            if h.get(j) != Some(&b')') {
                return Err(j);
            }
            j += 1;
            // `(415)` or `(030)` first, or `(0)` after the calling code.
            if first_group {
                paren_area = true;
            }
        }
        i = j;
        end = i;
        // Separator to the next group: spaces, one of - . /, spaces; after `)`, none needed.
        let (mut s, sp) = skip_spaces(h, i);
        let mut kind = if sp > 0 { b' ' } else { 0 };
        if let Some(&c) = h.get(s) {
            if matches!(c, b'-' | b'.' | b'/') {
                kind = c;
                s = skip_spaces(h, s + 1).0;
            }
        }
        let next = h.get(s).copied();
        // `)` then a group, or the calling code then a bracketed group with no space
        // (`+49(0)30 1234567`, `+90(505)452-0292`: as Faker's and many forms' locales type it).
        let after_paren = kind == 0 && (open || (has_plus && k == 1 && next == Some(b'(')));
        let next_is_group = match next {
            Some(b) if b.is_ascii_digit() => true,
            Some(b'(') => h.get(s + 1).is_some_and(u8::is_ascii_digit),
            _ => false,
        };
        if (kind != 0 || after_paren) && next_is_group {
            // Around a bracketed group, `(201) 555`, `(201)555` and `8 (912)` are bracket
            // grouping, whatever the spaces.
            let bracket = (open || next == Some(b'(')) && (kind == b' ' || kind == 0);
            seps[k - 1] = if bracket { b')' } else { kind };
            i = s;
            continue;
        }
        break;
    }
    let (ext_end, ext) = match extension(h, end) {
        Some((e, x)) => (e, x),
        None => (end, Digits::new()),
    };
    if !right_context_ok(h, ext_end) {
        return Err(ext_end);
    }
    let n = digits.len();
    if !(MIN_DIGITS..=MAX_DIGITS).contains(&n) {
        return Err(ext_end);
    }
    let g = &glen[..k];
    let s = &seps[..k.saturating_sub(1)];
    let other = if has_plus {
        Other::No
    } else {
        looks_like_other(digits.as_bytes(), g, s)
    };
    if other == Other::Yes {
        return Err(ext_end);
    }
    let shape = if has_plus {
        Shape::International
    } else if k == 1 {
        Shape::Bare
    } else {
        let mut kinds = s.iter().filter(|&&c| c != b')');
        let first_kind = kinds.next();
        let kinds_same = kinds.all(|c| Some(c) == first_kind);
        if other == Other::Maybe {
            Shape::Grouped
        } else if kinds_same && (paren_area || (k >= 3 && g[1..].iter().all(|&l| l >= 2))) {
            Shape::PhoneLike
        } else {
            Shape::Grouped
        }
    };
    Ok(Token {
        start: at,
        end,
        ext_end,
        digits,
        ext,
        has_plus,
        groups: k as u8,
        group_lens: glen,
        shape,
    })
}

fn left_context_ok(h: &[u8], at: usize) -> bool {
    if at == 0 {
        return true;
    }
    let p = h[at - 1];
    let pp = if at >= 2 { h[at - 2] } else { b' ' };
    match p {
        // A JSON or C escape (`\n`, `\t`) ends the previous text.
        b'n' | b't' | b'r' if pp == b'\\' => true,
        _ if is_word(p) => false,
        b'#' | b'@' | b'+' | b'%' | b'&' | b'\\' => false,
        // Joined to a preceding token: `INV-2024`, `a716-4466...`, `/api/v2/123`.
        b'-' | b'/' => !is_word(pp),
        // `10:30`, `1.5`, `1,5`.
        b'.' | b',' | b':' => !pp.is_ascii_digit(),
        // Possible currency: `$`, `€` (E2 82 AC), `£` (C2 A3), `¥` (C2 A5), `₹`, `₽`, `EUR `.
        b'$' => false,
        b' ' | 0xA3 | 0xA5 | 0xAC | 0xB9 | 0xBD => !ends_with_currency(&h[..at]),
        _ => true,
    }
}

fn right_context_ok(h: &[u8], end: usize) -> bool {
    let Some(&b) = h.get(end) else {
        return true;
    };
    if is_word(b) || matches!(b, b'%' | b'@') {
        return false;
    }
    let next = h.get(end + 1).copied().unwrap_or(b' ');
    // A time, a decimal, a longer dotted number, a UUID or path part.
    if matches!(b, b':' | b',' | b'.') && next.is_ascii_digit() {
        return false;
    }
    // The groups of an IPv6 address: `0 10 2001:db8::42`, `2001::1`.
    if b == b':' && (next.is_ascii_hexdigit() || next == b':') {
        return false;
    }
    if matches!(b, b'-' | b'/' | b'.' | b'+') && is_word(next) {
        return false;
    }
    if b == b' ' && (h.get(end + 1) == Some(&b'%') || unit_follows(&h[end + 1..])) {
        return false;
    }
    !starts_with_currency(&h[end..])
}

/// Units and counters after a number (`1234567 ms`, `12345678 bytes`): a measurement.
fn unit_follows(h: &[u8]) -> bool {
    const UNITS: [&[u8]; 30] = [
        b"ms",
        b"s",
        b"sec",
        b"secs",
        b"seconds",
        b"min",
        b"mins",
        b"minutes",
        b"h",
        b"hrs",
        b"hours",
        b"days",
        b"us",
        b"ns",
        b"b",
        b"bytes",
        b"kb",
        b"mb",
        b"gb",
        b"tb",
        b"kib",
        b"mib",
        b"gib",
        b"times",
        b"items",
        b"rows",
        b"records",
        b"events",
        b"requests",
        b"px",
    ];
    let w = h.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let word = &h[..w];
    w > 0 && UNITS.iter().any(|u| u.eq_ignore_ascii_case(word))
}

/// A bare run that reads as a Unix time in seconds or milliseconds between 2001 and 2033
/// (10 or 13 digits starting with 1): a timestamp unless a phone key says otherwise.
pub fn looks_like_epoch(digits: &[u8]) -> bool {
    matches!(digits.len(), 10 | 13) && digits.first() == Some(&b'1')
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Other {
    No,
    /// Also a common non-phone shape (space thousands `12 345 678`, which are phones in some
    /// plans too): not phone-like by shape alone.
    Maybe,
    Yes,
}

/// Groupings that are something else: dates, IPs, versions, decimals, thousands, ISBNs,
/// postcodes, payment cards, US social security numbers.
fn looks_like_other(d: &[u8], g: &[u8], s: &[u8]) -> Other {
    if other_shape(d, g, s) {
        return Other::Yes;
    }
    let k = g.len();
    if k >= 3 && g[0] <= 2 && g[1..].iter().all(|&l| l == 3) && s.iter().all(|&x| x == b' ') {
        return Other::Maybe;
    }
    Other::No
}

fn other_shape(d: &[u8], g: &[u8], s: &[u8]) -> bool {
    let k = g.len();
    if k >= 2 {
        let mut off = [0usize; MAX_GROUPS + 1];
        for (x, &l) in g.iter().enumerate() {
            off[x + 1] = off[x] + usize::from(l);
        }
        let grp = |x: usize| &d[off[x]..off[x + 1]];
        let same01 = k >= 3 && s[0] == s[1] && matches!(s[0], b'-' | b'/' | b'.' | b' ');
        // Dates: 2024-01-15, 15.01.2024, 01/15/2024 (day or month first).
        if same01 {
            let (a, b, c) = (grp(0), grp(1), grp(2));
            if a.len() == 4 && b.len() <= 2 && c.len() <= 2 {
                if plausible_date(value(a), value(b), value(c)) {
                    return true;
                }
            } else if a.len() <= 2 && b.len() <= 2 && c.len() == 4 {
                let (x, y, z) = (value(a), value(b), value(c));
                if plausible_date(z, y, x) || plausible_date(z, x, y) {
                    return true;
                }
            }
        }
        let all = |c: u8| s.iter().all(|&x| x == c);
        // IPv4 and dotted versions (`10.0.19045.2965`: a one-digit second group).
        if all(b'.') && ((k == 4 && g.iter().all(|&l| l <= 3)) || (k >= 3 && g[1] == 1)) {
            return true;
        }
        // Decimal: 1234567.89, 1700000000.123
        if k == 2 && s[0] == b'.' && g[1] <= 3 {
            return true;
        }
        // Dotted thousands: 1.234.567
        if k >= 3 && g[1..].iter().all(|&l| l == 3) && all(b'.') && g[0] <= 3 {
            return true;
        }
        // US social security number: 123-45-6789.
        if k == 3 && g == [3, 2, 4] && all(b'-') {
            return true;
        }
        // Hyphenated ISBN (`978-3-16-148410-0`, `0-306-40615-2`): a one-digit check group.
        if k >= 3 && g[k - 1] == 1 && all(b'-') {
            return true;
        }
        if d.len() == 13 && (d.starts_with(b"978") || d.starts_with(b"979")) && all(b'-') {
            return true;
        }
        // ZIP+4 (94105-1234), Brazilian CEP (01310-100), Japanese postcode (100-0001).
        if k == 2
            && s[0] == b'-'
            && ((g[0] == 5 && (g[1] == 4 || g[1] == 3)) || (g[0] == 3 && g[1] == 4))
        {
            return true;
        }
        // Payment cards: 4111 1111 1111 1111, 3782 822463 10005.
        if d.len() >= 13
            && ((k >= 4 && g[..k - 1].iter().all(|&l| l == 4))
                || (k == 3 && g[0] == 4 && g[1] == 6 && g[2] == 5))
        {
            return true;
        }
    }
    false
}
