//! From masks to candidates: each [`Class`] as a few shifts and ANDs over a block's masks and
//! those of its neighbours (for the byte before the first and after the last), and the lists
//! the positions go to.

use super::masks::Masks;
use super::pass::push_bits;
use super::strings::Quoted;
use super::{Class, Classes, ASSIGNED_RUN, CODE_RUN, NUMBER_RUN, TOKEN_RUN};

/// Bit `j` is set when bytes `j..j + len` of the block (continued by the next one) are all
/// in the mask: runs doubled over the two blocks as one 128-bit word.
#[inline(always)]
fn run(cur: u64, next: u64, len: u32) -> u128 {
    let m = u128::from(cur) | u128::from(next) << 64;
    let mut run = m;
    let mut have = 1;
    while have < len {
        let step = have.min(len - have);
        run &= run >> step;
        have += step;
    }
    run
}

/// The candidates of one block, from its masks and those of the blocks around it (for the
/// byte before the first and after the last).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(super) fn emit(
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
    macro_rules! push {
        ($class:expr, $unrolled:literal, $bits:expr $(,)?) => {
            push_bits::<$unrolled>(&mut lists[$class as usize], start, $bits & valid)
        };
    }
    let closing = quoted.quotes & !quoted.inside;
    if classes.contains(Class::Key) {
        push!(Class::Key, 4, closing & after(cur.colon, next.colon));
    }
    if classes.contains(Class::Capital) {
        push!(Class::Capital, 4, cur.upper & !before(prev.word, cur.word));
    }
    if classes.contains(Class::Decimal) {
        let digits = before(prev.digit, cur.digit) & after(cur.digit, next.digit);
        push!(Class::Decimal, 4, cur.dot & digits);
    }
    if classes.contains(Class::Colon) {
        let hex = before(prev.hex, cur.hex) & after(cur.hex, next.hex);
        let colons = before(prev.colon, cur.colon) | after(cur.colon, next.colon);
        push!(Class::Colon, 5, cur.colon & (hex | colons));
    }
    if classes.contains(Class::At) {
        let percent = cur.percent & after(cur.four, next.four);
        let escape = cur.backslash & after(cur.u, next.u);
        push!(Class::At, 1, cur.at | percent | escape);
    }
    if classes.contains(Class::Newline) {
        push!(Class::Newline, 1, cur.newline);
    }
    if classes.contains(Class::Escape) {
        push!(Class::Escape, 1, cur.backslash & after(cur.u, next.u));
    }
    if classes.contains(Class::Structure) {
        let brackets = cur.bracket & !quoted.inside;
        push!(
            Class::Structure,
            4,
            brackets | closing & after(cur.blank, next.blank),
        );
    }
    // The three long-run classes measure runs over two blocks (a few 128-bit shifts each):
    // each is measured only when the block holds a byte that may start one, which most blocks
    // of telemetry do not (a number's start after a blank or a quote, a capital at a word
    // start, a `=` or `:` right after a name).
    if classes.contains(Class::Number) {
        let lead = cur.digit | cur.open;
        let continues = before(prev.word | prev.punct, cur.word | cur.punct);
        let two_before = |p: u64, c: u64| c << 2 | p >> 62;
        let json_number = before(prev.colon, cur.colon) & two_before(prev.quote, cur.quote);
        let starts = lead & !continues & !json_number & valid;
        if starts != 0 {
            let digitish = |m: &Masks| m.digit | m.blank | m.punct;
            let run = run(digitish(cur), digitish(next), NUMBER_RUN as u32) as u64;
            push!(Class::Number, 1, starts & run);
        }
    }
    if classes.contains(Class::Code) {
        let start = cur.caps & !before(prev.word, cur.word);
        let second = after(cur.caps | cur.digit, next.caps | next.digit);
        let starts = start & second & valid;
        if starts != 0 {
            let codeish = |m: &Masks| m.caps | m.digit | m.blank;
            let run = run(codeish(cur), codeish(next), CODE_RUN as u32) as u64;
            push!(Class::Code, 2, starts & run);
        }
    }
    if classes.contains(Class::Secret) {
        let token = |m: &Masks| m.word | m.minus;
        let (tc, tn) = (token(cur), token(next));
        let word_start = tc & !before(token(prev), tc) & valid;
        let mut found = 0;
        if word_start != 0 {
            found |= word_start & run(tc, tn, TOKEN_RUN as u32) as u64;
        }
        let first_dash = cur.minus & !before(prev.minus, cur.minus) & valid;
        if first_dash != 0 {
            found |= first_dash & run(cur.minus, next.minus, 5) as u64;
        }
        // `name=value`, `Name: value`: a value of at least six bytes that are no blank, quote
        // or line end (passwords hold symbols), after a `=` or `:` that follows a letter.
        let letter = before(prev.lower | prev.caps, cur.lower | cur.caps);
        let equals = cur.equals & before(prev.word, cur.word) & valid;
        let colon = cur.colon & letter & valid;
        if equals | colon != 0 {
            let valuable = |m: &Masks| m.word | m.punct | m.equals | m.at | m.percent | m.colon;
            let values = run(valuable(cur), valuable(next), ASSIGNED_RUN as u32);
            let value = (values >> 1) as u64;
            let spaced = after(cur.blank, next.blank) & (values >> 2) as u64;
            found |= equals & value | colon & (value | spaced);
        }
        push!(Class::Secret, 1, found);
    }
}
