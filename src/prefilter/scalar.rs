//! The reference implementation: a byte table. Used where no SIMD implementation applies,
//! and by the tests as the definition the others must agree with.

use super::masks::{Classify, Masks};
use super::Classes;

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
