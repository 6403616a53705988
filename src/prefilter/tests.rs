use super::pass::find;
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
                    && ((is(before(i), u8::is_ascii_hexdigit) && is(next, u8::is_ascii_hexdigit))
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
            find::<scalar::Table>(bytes, classes, strings, &mut table.lists);
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

proptest! {
    /// Dropping the candidates inside spans keeps exactly those outside every span, of the
    /// classes named, and leaves the other classes alone.
    #[test]
    fn drop_within_keeps_what_lies_outside(
        text in "[0-9a-z\" .:=-]{0,300}",
        cuts in prop::collection::vec(0usize..300, 0..12),
    ) {
        let bytes = text.as_bytes();
        let mut cuts = cuts;
        cuts.sort_unstable();
        cuts.dedup();
        let spans: Vec<(usize, usize)> = cuts.chunks_exact(2).map(|c| (c[0], c[1])).collect();
        let all = Candidates::new(bytes, Classes::ALL);
        let dropped = Classes::NONE.with(Class::Number).with(Class::Secret);
        let mut kept = all.clone();
        let starts: Vec<usize> = spans.iter().map(|s| s.0).collect();
        let mut asked = Vec::new();
        kept.drop_within(dropped, &starts, |start| {
            asked.push(start);
            spans.iter().find(|s| s.0 == start).map_or(start, |s| s.1)
        });
        let once = asked.len();
        asked.dedup();
        prop_assert_eq!(asked.len(), once, "an end asked twice");
        for class in Class::ALL {
            let want: Vec<u32> = all
                .get(class)
                .iter()
                .copied()
                .filter(|&p| {
                    !dropped.contains(class)
                        || !spans.iter().any(|&(s, e)| s <= p as usize && (p as usize) < e)
                })
                .collect();
            prop_assert_eq!(kept.get(class), &want[..], "{:?}", class);
        }
    }
}
