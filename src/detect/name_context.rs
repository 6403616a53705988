//! Person names told by the words around them in free text, in any script.
//!
//! The lists find `First Last` pairs they know; a real ticket holds names no list has, lone
//! first names and names in scripts the lists lack. What gives them away is how people write
//! to each other: a greeting (`Hi Maria,`, `Dear Craig`), a sign-off on its own line
//! (`Best,\nCarole`, `Thanks, Dan`), a title (`Mr. Gibbs`, `Frau Schmidt`), `my name is Dan`,
//! or an address in angle brackets or parentheses after a sender (`from 呂玉玲 <u@x.org>`,
//! `Jane Roe <jroe@x.com>`). Each context asks for a *name run*: one to four name words
//! (capitalised Latin words such as `O'Brien` or `Jean-Luc`, or words of a script without
//! case, or capitalised Cyrillic and Greek), joined by single blanks and particles (`van der`,
//! `de la`, `bin`).
//!
//! Words that are names in other roles are judged by the same context: a greeting or a
//! sign-off must end where the name ends (`Thanks, Dan will call` is a sentence), and the
//! words that follow a greeting without being a person (`Hi team,`, `Dear Customer`,
//! `Thanks,\nThe Support Team`) are refused by a short list. Without such context a single
//! word is never a name (`Rose`, `Jordan 1`, `Baker Street`).
//!
//! All of it runs only where the scan already stops: at capitalised words (the greeting or
//! the title is one, or the name itself is) and at the `@` of an address, both listed by the
//! shared prefilter for other detectors too.

use super::text::{is_title_case, is_word_byte, is_word_start};

/// The most words a name run takes: `María Soledad Leiva`, `Jean van der Berg`.
const MAX_WORDS: usize = 4;
/// The longest name word looked at, in bytes.
const MAX_WORD: usize = 48;
/// How far back from an address a sender's name may start.
const MAX_SENDER: usize = 96;
/// How far back from a name the words that introduce it may start (`Best regards,\r\n`).
const MAX_TRIGGER: usize = 24;

/// Lower-case words inside a name: `Ludwig van Beethoven`, `Ana de la Cruz`, `Ali bin Omar`.
const PARTICLES: &[&[u8]] = &[
    b"van", b"der", b"den", b"de", b"la", b"le", b"del", b"della", b"di", b"da", b"dos", b"das",
    b"du", b"von", b"zu", b"bin", b"binti", b"ibn", b"al", b"el", b"ter", b"ten", b"y", b"e",
];

/// Words that follow a greeting or close a message without being a person.
const NOT_NAMES: &[&[u8]] = &[
    b"team",
    b"all",
    b"there",
    b"everyone",
    b"everybody",
    b"folks",
    b"guys",
    b"support",
    b"sir",
    b"madam",
    b"customer",
    b"customers",
    b"friend",
    b"friends",
    b"colleague",
    b"colleagues",
    b"world",
    b"again",
    b"both",
    b"you",
    b"the",
    b"service",
    b"services",
    b"care",
    b"sales",
    b"billing",
    b"desk",
    b"help",
    b"helpdesk",
    b"department",
    b"staff",
    b"admin",
    b"management",
    b"inc",
    b"ltd",
    b"llc",
    b"gmbh",
    b"corp",
    b"hi",
    b"hello",
    b"thanks",
    b"good",
    b"morning",
    b"afternoon",
    b"evening",
    b"dear",
    b"user",
    b"users",
    b"mr",
    b"mrs",
    b"ms",
    b"dr",
    b"in",
    b"advance",
    b"regards",
    b"best",
    // The label of redact's pseudonyms: `my name is Person ba1c0d92bd` in a redacted copy.
    b"person",
];

/// Words before an address that say the name beside it is a person's: `from`, `Customer`.
const SENDERS: &[&[u8]] = &[
    b"from",
    b"to",
    b"cc",
    b"bcc",
    b"customer",
    b"contact",
    b"agent",
    b"by",
    b"author",
    b"signed",
    b"user",
    b"client",
    b"reporter",
    b"requester",
    b"sender",
    b"assignee",
    b"owner",
    b"member",
    b"name",
    b"colleague",
    b"and",
    b"with",
];

/// Local parts of addresses that belong to a role, not a person (`support@`).
const ROLES: &[&[u8]] = &[
    b"support",
    b"info",
    b"noreply",
    b"no-reply",
    b"admin",
    b"sales",
    b"help",
    b"team",
    b"hello",
    b"contact",
    b"billing",
    b"notifications",
    b"service",
    b"office",
    b"mail",
];

/// What a word before a name says about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Context {
    /// `Hi`, `Dear`: the name must end the greeting (`,`, `!`, a line's end).
    Greeting,
    /// `Thanks,`, `Best,`: the name must end its line.
    SignOff,
    /// `Mr.`, `Frau`, `my name is`, `colleague`: the name follows.
    Title,
}

const GREETINGS: &[&[u8]] = &[
    b"hi",
    b"hello",
    b"hey",
    b"dear",
    b"hallo",
    b"hola",
    b"bonjour",
    b"ciao",
    b"salut",
    b"hej",
    b"moin",
    b"morning",
    b"greetings",
];
const SIGN_OFFS: &[&[u8]] = &[
    b"thanks",
    b"thank you",
    b"many thanks",
    b"thx",
    b"best",
    b"best regards",
    b"kind regards",
    b"warm regards",
    b"regards",
    b"cheers",
    b"sincerely",
    b"yours",
    b"best wishes",
    b"br",
    b"yours truly",
    b"all the best",
    b"gruss",
    b"cordialement",
    b"saludos",
];
/// Titles, written capitalised (`Miss` or `Dr` in lower case are other words).
const TITLES: &[&[u8]] = &[
    b"Mr", b"Mrs", b"Ms", b"Miss", b"Mx", b"Dr", b"Prof", b"Frau", b"Herr", b"Mme", b"Mlle", b"Sr",
    b"Sra", b"Srta", b"Sig", b"Dott",
];
/// Phrases after which a name follows, in lower case.
const INTRODUCTIONS: &[&[u8]] = &[
    b"my name is",
    b"my name's",
    b"name is",
    b"i am called",
    b"colleague",
    b"my colleague",
];

fn lower_eq(word: &[u8], list: &[&[u8]]) -> bool {
    list.iter().any(|w| w.eq_ignore_ascii_case(word))
}

/// The end of the name word at `pos`: letters of one script (with `-` or `'` inside), a
/// capital first when the script has case; `None` for anything else.
/// The caller knows that a word starts at `pos` (`\\nCarole` in JSON is one after `\\n`).
pub(super) fn name_word(bytes: &[u8], pos: usize) -> Option<usize> {
    let mut end = pos;
    loop {
        while end < bytes.len() && is_word_byte(bytes[end]) {
            end += 1;
        }
        // `Jean-Luc`, `O'Brien`, `D’Amico`
        let joiner = match bytes.get(end..) {
            Some([b'-' | b'\'', next, ..]) if is_word_byte(*next) => 1,
            Some([0xE2, 0x80, 0x99, next, ..]) if is_word_byte(*next) => 3,
            _ => 0,
        };
        if joiner == 0 {
            break;
        }
        end += joiner;
    }
    let word = &bytes[pos..end];
    if word.len() < 2 || word.len() > MAX_WORD {
        return None;
    }
    if word[0].is_ascii() {
        let letters = word
            .iter()
            .all(|&b| b.is_ascii_alphabetic() || matches!(b, b'-' | b'\'') || b >= 0x80);
        // `HSIU-LIEN TIEN` as a form wrote it: capitals are a name word too where the
        // context has already said a name follows.
        let capitals = word[0].is_ascii_uppercase()
            && word.iter().all(|b| !b.is_ascii_lowercase())
            && word.iter().filter(|b| b.is_ascii_alphabetic()).count() >= 2;
        return (letters && (capitals || is_title_case(word))).then_some(end);
    }
    let text = std::str::from_utf8(word).ok()?;
    let first = text.chars().next()?;
    // Latin, Greek, Cyrillic and Armenian names are capitalised; Georgian's Mkhedruli letters
    // are lower case to Unicode, with nothing else in use.
    if !first.is_alphabetic() || (first.is_lowercase() && (first as u32) < 0x0590) {
        return None;
    }
    // Latin and Cyrillic or Greek have case: `Élodie`, `Дмитрий`, not `ÉCOLE`.
    if first.is_uppercase() && !text.chars().skip(1).any(|c| c.is_lowercase()) {
        return (text.chars().count() == 1).then_some(end);
    }
    text.chars()
        .all(|c| c.is_alphabetic() || c == '-' || c == '\'' || c == '’' || is_mark_or_joiner(c))
        .then_some(end)
}

/// Combining marks of Indic and other scripts (`ராஜேந்திரன்`'s virama is no letter) and the
/// zero-width joiners of Persian (`علی‌زمانی`).
fn is_mark_or_joiner(c: char) -> bool {
    matches!(c, '\u{200C}' | '\u{200D}')
        || (c as u32 >= 0x0300
            && !matches!(c as u32, 0x2000..=0x2BFF | 0x3000..=0x303F | 0xFE30..=0xFE4F | 0xFF00..=0xFF20))
            && !c.is_whitespace()
            && !c.is_numeric()
            && !c.is_control()
}

/// The ends of the name runs that start at `pos`, shortest first: one to [`MAX_WORDS`] name
/// words, each after a single blank and at most two particles.
fn run_ends(bytes: &[u8], pos: usize) -> ([usize; MAX_WORDS], usize) {
    let mut ends = [0; MAX_WORDS];
    let Some(mut end) = name_word(bytes, pos) else {
        return (ends, 0);
    };
    ends[0] = end;
    let mut n = 1;
    while n < MAX_WORDS && bytes.get(end) == Some(&b' ') {
        let mut next = end + 1;
        for _ in 0..2 {
            let stop = next
                + bytes[next..]
                    .iter()
                    .take_while(|b| b.is_ascii_lowercase())
                    .count();
            if bytes.get(stop) == Some(&b' ') && lower_eq(&bytes[next..stop], PARTICLES) {
                next = stop + 1;
            } else {
                break;
            }
        }
        match name_word(bytes, next) {
            Some(e) => end = e,
            None => break,
        }
        ends[n] = end;
        n += 1;
    }
    (ends, n)
}

/// True when no word of `bytes[start..end]` is one of [`NOT_NAMES`].
fn all_names(bytes: &[u8], start: usize, end: usize) -> bool {
    bytes[start..end]
        .split(|&b| b == b' ')
        .all(|w| !lower_eq(w, NOT_NAMES))
}

/// True when a greeting may end at `end`: `Hi Maria,`, `Dear Craig!`, `Hi Dan\n`.
fn ends_greeting(bytes: &[u8], end: usize) -> bool {
    match bytes.get(end) {
        None => true,
        Some(b) => matches!(
            b,
            b',' | b'!' | b':' | b';' | b'.' | b'\n' | b'\r' | b'\\' | b'"'
        ),
    }
}

/// True when a signature may end at `end`: the end of its line (or of the text, or of a JSON
/// string, or a `.`).
fn ends_line(bytes: &[u8], end: usize) -> bool {
    match bytes.get(end) {
        None => true,
        Some(b) => matches!(b, b'\n' | b'\r' | b'\\' | b'"' | b'.' | b'!'),
    }
}

/// The longest name run at `pos` that `fits` where it ends and holds no [`NOT_NAMES`].
fn run_at(bytes: &[u8], pos: usize, fits: impl Fn(&[u8], usize) -> bool) -> Option<usize> {
    let (ends, n) = run_ends(bytes, pos);
    ends[..n]
        .iter()
        .rev()
        .copied()
        .find(|&end| fits(bytes, end))
        .filter(|&end| all_names(bytes, pos, end))
}

/// A name after a greeting, sign-off, title or introduction that is the word at `pos` (a
/// capitalised word): `Hi Maria,` at `Hi`, `Best,\nCarole` at `Best`, `Mr. Gibbs` at `Mr`.
/// Returns the name's span.
pub(super) fn after_trigger(bytes: &[u8], pos: usize) -> Option<(usize, usize)> {
    let word_end = pos
        + bytes[pos..]
            .iter()
            .take_while(|b| b.is_ascii_alphabetic())
            .count();
    let word = &bytes[pos..word_end];
    // Most capitalised words of an export end a quoted value (`"Chrome"`): a trigger is
    // followed by a blank, a comma, a stop or a line's end.
    if !(1..=12).contains(&word.len())
        || !matches!(
            bytes.get(word_end),
            Some(b' ' | b',' | b'.' | b'!' | b':' | b'\n' | b'\r' | b'\\')
        )
    {
        return None;
    }
    // Two-word sign-offs: `Best regards`, `Thank you`, `Kind regards`.
    let (context, after) =
        if TITLES.contains(&word) || (word == b"M" && bytes.get(word_end) == Some(&b'.')) {
            let after = word_end + usize::from(bytes.get(word_end) == Some(&b'.'));
            (Context::Title, after)
        } else if lower_eq(word, GREETINGS) {
            (Context::Greeting, word_end)
        } else if word.eq_ignore_ascii_case(b"my")
            && bytes
                .get(word_end..word_end + 8)
                .is_some_and(|w| w.eq_ignore_ascii_case(b" name is"))
        {
            // `My name is მარი თავაძე`: the name may be in a script without capitals.
            (Context::Title, word_end + 8)
        } else {
            let mut end = word_end;
            let mut found = lower_eq(word, SIGN_OFFS).then_some(word_end);
            for _ in 0..2 {
                let Some(b' ') = bytes.get(end) else { break };
                let next = end
                    + 1
                    + bytes[end + 1..]
                        .iter()
                        .take_while(|b| b.is_ascii_alphabetic())
                        .count();
                if lower_eq(&bytes[pos..next], SIGN_OFFS) {
                    found = Some(next);
                }
                end = next;
            }
            (Context::SignOff, found?)
        };
    name_after(bytes, context, after)
}

/// The name after a trigger that ends at `after`, as the context wants it.
fn name_after(bytes: &[u8], context: Context, after: usize) -> Option<(usize, usize)> {
    let start = match context {
        Context::Title | Context::Greeting => {
            (bytes.get(after) == Some(&b' ')).then_some(after + 1)?
        }
        Context::SignOff => {
            // `Thanks, Dan`, `Best,\nCarole`, `Regards\r\nCarole`, `Best,\\nCarole` in JSON.
            let mut i = after + usize::from(bytes.get(after) == Some(&b','));
            let blank = i;
            while let Some(b' ' | b'\n' | b'\r') = bytes.get(i) {
                i += 1;
            }
            while let Some([b'\\', b'n' | b'r', ..]) = bytes.get(i..) {
                i += 2;
            }
            if i == blank {
                return None;
            }
            // `Thanks Dan` is a thank-you to Dan only with a comma or a new line.
            if bytes.get(after) != Some(&b',')
                && !bytes[after..i].contains(&b'\n')
                && !bytes[after..i].contains(&b'\\')
            {
                return None;
            }
            i
        }
    };
    let end = match context {
        Context::Title => run_at(bytes, start, |_, _| true)?,
        Context::Greeting => run_at(bytes, start, ends_greeting)?,
        Context::SignOff => run_at(bytes, start, ends_line)?,
    };
    Some((start, end))
}

/// A name at `pos` (a capitalised word) that a lower-case word before it introduces: `hi
/// Maria,`, `thanks, Dan`, `my name is Dan`, `my colleague Omri Mendels`.
pub(super) fn after_lower_trigger(bytes: &[u8], pos: usize) -> Option<usize> {
    let before = &bytes[pos.saturating_sub(16)..pos];
    let before = before.strip_suffix(b" ")?;
    let ends_with = |phrase: &[u8]| {
        before.len() >= phrase.len()
            && before[before.len() - phrase.len()..].eq_ignore_ascii_case(phrase)
            && is_word_start(before, before.len() - phrase.len())
    };
    if INTRODUCTIONS.iter().any(|p| ends_with(p)) {
        return run_at(bytes, pos, |_, _| true);
    }
    if GREETINGS.iter().any(|p| ends_with(p)) {
        return run_at(bytes, pos, ends_greeting);
    }
    None
}

/// True when the words before `pos` say that a person's name starts there: a greeting, a
/// sign-off, a title or an introduction (`Hi Milan,`, `Best, Xiuying`, `Mr. Toki`). A place
/// named like a person is a person there.
pub(super) fn introduced_at(bytes: &[u8], pos: usize) -> bool {
    after_lower_trigger(bytes, pos).is_some()
        || (pos.saturating_sub(MAX_TRIGGER)..pos).any(|s| {
            bytes[s].is_ascii_alphabetic()
                && is_word_start(bytes, s)
                && after_trigger(bytes, s).is_some_and(|(start, _)| start == pos)
        })
}

/// A sender's name beside the address whose `@` is at `at`: `from 呂玉玲 <u@x.org>`,
/// `Customer Jean-Nicolas Gilot (jn.gilot@x.fr)`, `Jane Roe <jroe@x.com>`. The name is taken
/// when a sender word comes before it, when it opens its line, or when the address's local
/// part spells one of its words; never for a role address (`support@`).
pub(super) fn beside_address(bytes: &[u8], at: usize) -> Option<(usize, usize)> {
    if bytes.get(at) != Some(&b'@') {
        return None;
    }
    let local_start = at
        - bytes[..at]
            .iter()
            .rev()
            .take_while(|&&b| {
                b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
            })
            .count();
    if local_start < 2 || local_start == at {
        return None;
    }
    if !matches!(bytes[local_start - 1], b'<' | b'(') || bytes[local_start - 2] != b' ' {
        return None;
    }
    let local = &bytes[local_start..at];
    if lower_eq(local, ROLES) {
        return None;
    }
    let run_end = local_start - 2;
    let line_start = bytes[..run_end]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1)
        .max(run_end.saturating_sub(MAX_SENDER));
    // The earliest start of a run that ends right before the address.
    let mut start = (line_start..run_end).find(|&s| {
        (s == 0 || bytes[s - 1] == b' ' || bytes[s - 1] == b'\n') && {
            let (ends, n) = run_ends(bytes, s);
            ends[..n].contains(&run_end)
        }
    })?;
    // `Customer Jean-Nicolas Gilot`, `From Jane Roe`: the sender word is not the name.
    let mut introduced = false;
    loop {
        let first_end = start
            + bytes[start..run_end]
                .iter()
                .take_while(|&&b| b != b' ')
                .count();
        let first = &bytes[start..first_end];
        if first_end < run_end && (lower_eq(first, SENDERS) || lower_eq(first, NOT_NAMES)) {
            introduced |= lower_eq(first, SENDERS);
            start = first_end + 1;
            while bytes[start..run_end]
                .first()
                .is_some_and(|b| b.is_ascii_lowercase())
            {
                start += bytes[start..run_end]
                    .iter()
                    .take_while(|&&b| b != b' ')
                    .count()
                    + 1;
            }
        } else {
            break;
        }
    }
    if start >= run_end || !all_names(bytes, start, run_end) {
        return None;
    }
    let before = bytes[..start].strip_suffix(b" ").unwrap_or(&bytes[..start]);
    let before = before.strip_suffix(b":").unwrap_or(before);
    let word_start = before
        .iter()
        .rposition(|&b| !b.is_ascii_alphabetic())
        .map_or(0, |i| i + 1);
    let opens_line = start == 0 || bytes[start - 1] == b'\n';
    let sender = introduced || opens_line || lower_eq(&before[word_start..], SENDERS);
    (sender || spells(local, &bytes[start..run_end])).then_some((start, run_end))
}

/// True when an address's local part holds a word of the name (`jroe` for `Jane Roe`,
/// `steven_vegt` for `Steven Vegt`), ASCII case ignored.
fn spells(local: &[u8], name: &[u8]) -> bool {
    name.split(|&b| b == b' ' || b == b'-').any(|w| {
        w.len() >= 3
            && w.is_ascii()
            && local
                .windows(w.len())
                .any(|win| win.eq_ignore_ascii_case(w))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(text: &str, found: Option<(usize, usize)>) -> Option<&str> {
        found.map(|(s, e)| &text[s..e])
    }

    #[test]
    fn name_words() {
        let cases: &[(&str, Option<&str>)] = &[
            ("Maria,", Some("Maria")),
            ("Jean-Luc ", Some("Jean-Luc")),
            ("O'Brien", Some("O'Brien")),
            ("D’Amico", Some("D’Amico")),
            ("Дмитрий", Some("Дмитрий")),
            ("呂玉玲 ", Some("呂玉玲")),
            ("ராஜேந்திரன்", Some("ராஜேந்திரன்")),
            ("علی\u{200c}زمانی", Some("علی\u{200c}زمانی")),
            ("maria", None),
            ("дмитрий", None),
            ("ნუგზარ", Some("ნუგზარ")),
            ("MARIA", Some("MARIA")),
            ("HSIU-LIEN", Some("HSIU-LIEN")),
            ("A", None),
            ("Maria2", None),
            ("M", None),
            ("user_1", None),
            ("「名」", None),
        ];
        for (text, want) in cases {
            let got = name_word(text.as_bytes(), 0).map(|e| &text[..e]);
            assert_eq!(got, *want, "{text:?}");
        }
    }

    #[test]
    fn triggers() {
        let cases: &[(&str, Option<&str>)] = &[
            ("Hi Maria, thanks", Some("Maria")),
            ("Hi Daniel, thanks for reaching out.", Some("Daniel")),
            ("Dear Craig", Some("Craig")),
            ("Dear Ana de la Cruz,", Some("Ana de la Cruz")),
            ("Hi 齐秀华,", Some("齐秀华")),
            ("Hello Дмитрий!", Some("Дмитрий")),
            ("Hi team,", None),
            ("Dear Customer,", None),
            ("Hi Maria how are you", None),
            ("Best,\nCarole", Some("Carole")),
            ("Best regards,\nJane Roe\n", Some("Jane Roe")),
            ("Thanks, Dan", Some("Dan")),
            ("Thanks,\\nDan\"", Some("Dan")),
            ("Thanks, Dan will call you", None),
            ("Thanks,\nThe Support Team", None),
            ("Thanks Dan for the fix", None),
            ("Best practice is", None),
            ("Mr. Gibbs", Some("Gibbs")),
            ("Ms Taylor-Ward said", Some("Taylor-Ward")),
            ("Frau Schmidt", Some("Schmidt")),
            ("Dr. Omri Mendels", Some("Omri Mendels")),
            ("Mr.", None),
            ("M. Dupont", Some("Dupont")),
            ("M Dupont", None),
            ("Misc items", None),
            ("My name is მარი თავაძე and", Some("მარი თავაძე")),
            ("Best regards,\nHSIU-LIEN TIEN\n", Some("HSIU-LIEN TIEN")),
            ("My names are", None),
        ];
        for (text, want) in cases {
            assert_eq!(
                span(text, after_trigger(text.as_bytes(), 0)),
                *want,
                "{text:?}"
            );
        }
    }

    #[test]
    fn lower_case_triggers() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            ("my name is Dan and", "Dan", Some("Dan")),
            ("hi Maria,", "Maria", Some("Maria")),
            (
                "my colleague Omri Mendels will",
                "Omri",
                Some("Omri Mendels"),
            ),
            ("the name is Rose", "Rose", Some("Rose")),
            ("I like Rose", "Rose", None),
            ("hi Maria and", "Maria", None),
        ];
        for (text, at, want) in cases {
            let pos = text.find(at).unwrap();
            let got = after_lower_trigger(text.as_bytes(), pos).map(|e| &text[pos..e]);
            assert_eq!(got, *want, "{text:?}");
        }
    }

    #[test]
    fn senders() {
        let cases: &[(&str, Option<&str>)] = &[
            (
                "#1 12:01:59 from Θεολογία Μόκας <user71133@example.org>",
                Some("Θεολογία Μόκας"),
            ),
            (
                "#2 Customer Jean-Nicolas Gilot (jeannicolas.gilot@x.fr)",
                Some("Jean-Nicolas Gilot"),
            ),
            (
                "#3 Customer 齐秀华 (user19072@mail.example)",
                Some("齐秀华"),
            ),
            ("Jane Roe <jroe@x.com>", Some("Jane Roe")),
            ("wrote to Jane Roe <jroe@x.com>", Some("Jane Roe")),
            ("mail Omri Mendels <omri@x.com>", Some("Omri Mendels")),
            ("mail Omri Mendels <u1@x.com>", None),
            ("from Acme Support <support@acme.com>", None),
            (
                "from María Soledad Leiva <ms+1@x.com>",
                Some("María Soledad Leiva"),
            ),
            ("{\"email\":\"jane@x.com\"}", None),
            ("contact: jane@x.com", None),
        ];
        for (text, want) in cases {
            let at = text.find('@').unwrap();
            assert_eq!(
                span(text, beside_address(text.as_bytes(), at)),
                *want,
                "{text:?}"
            );
        }
    }
}
