//! Messages between people (`messages.txt`, with `--pools` only): names as people write them
//! to each other, drawn from the independent pools in every script, for issue 20's free-text
//! names: a greeting (`Dear Ana,`), a sign-off (`Best regards, Ana`), a title (`Mr. Gibbs`),
//! an introduction (`My name is ...`), a sender beside an address; and words that are names
//! in other roles, which are not labelled (`Rose gold`, `Baker Street`, `Hi team,`, `Dear
//! Customer`). A file of its own, so that the other shapes' bytes and labels stay as they were.

use std::io::{self, Write};

use piiscan::Kind;
use rand::seq::SliceRandom;
use rand::Rng;

use crate::vocab::{self, Vocab};
use crate::writer::Out;

pub fn record<W: Write>(out: &mut Out<W>, v: &Vocab, rng: &mut impl Rng) -> io::Result<()> {
    out.raw(&format!(
        "#{} 2025-11-{:02} {} ",
        rng.gen_range(1000..99999),
        rng.gen_range(1..=30),
        vocab::time_of_day(rng)
    ));
    let sentences = rng.gen_range(1..4);
    for i in 0..sentences {
        if i > 0 {
            out.raw(" ");
        }
        sentence(out, v, rng);
    }
    // A sign-off ends a message: `Best regards, Ana`, or on lines of its own.
    if rng.gen_bool(0.5) {
        let person = v.census_person(rng);
        let name = if rng.gen_bool(0.5) {
            person.first.clone()
        } else {
            person.full_name()
        };
        let closing = ["Best regards", "Thanks", "Cheers", "Kind regards", "Best"]
            .choose(rng)
            .expect("not empty");
        let gap = if rng.gen_bool(0.5) { " " } else { "\n" };
        out.raw(&format!(" {closing},{gap}"))
            .pii(Kind::PersonName, &name);
    }
    out.end_record()
}

fn sentence<W: Write>(out: &mut Out<W>, v: &Vocab, rng: &mut impl Rng) {
    let person = v.census_person(rng);
    let first = person.first.clone();
    let last = person.last.clone();
    let full = person.full_name();
    match rng.gen_range(0..11) {
        0 => {
            out.raw("Dear ").pii(Kind::PersonName, &first);
            out.raw(", your refund is on its way.");
        }
        1 => {
            out.raw("Hello ").pii(Kind::PersonName, &first);
            out.raw("! The export is attached.");
        }
        2 => {
            out.raw("Hi ").pii(Kind::PersonName, &full);
            out.raw(", thanks for the quick reply.");
        }
        3 => {
            let title = ["Mr.", "Ms.", "Dr.", "Mrs."]
                .choose(rng)
                .expect("not empty");
            out.raw(&format!("{title} ")).pii(Kind::PersonName, &last);
            out.raw(" asked about the invoice.");
        }
        4 => {
            out.raw("My name is ").pii(Kind::PersonName, &full);
            out.raw(" and I cannot log in.");
        }
        5 => {
            out.raw("Forwarded by ").pii(Kind::PersonName, &full);
            out.raw(" <").pii(Kind::Email, &person.email).raw(">.");
        }
        6 => {
            out.raw("Hi team, the Rose gold case is back in stock.");
        }
        7 => {
            out.raw("Our Baker Street store opens at nine.");
        }
        8 => {
            out.raw("Dear Customer, thanks for your patience.");
        }
        9 => {
            out.raw("Thanks, we will call you back.");
        }
        _ => {
            out.raw("Best, the Support Team");
        }
    };
}
