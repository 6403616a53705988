//! Support tickets: free text that names people and places in sentences, among the words
//! that look like them (`Will do`, `Nice work`, `Reading the docs`, `May I ask`).

use std::io::{self, Write};

use piiscan::Kind;
use rand::seq::SliceRandom;
use rand::Rng;

use crate::pools::Pools;
use crate::vocab::{self, Vocab, WORD_NAMES};
use crate::writer::Out;

pub fn record<W: Write>(out: &mut Out<W>, v: &Vocab, rng: &mut impl Rng) -> io::Result<()> {
    let person = v.census_person(rng);
    out.raw(&format!(
        "#{} 2025-11-{:02} {} ",
        rng.gen_range(1000..99999),
        rng.gen_range(1..=30),
        vocab::time_of_day(rng)
    ));
    match rng.gen_range(0..3) {
        0 => {
            out.raw("from ").pii(Kind::PersonName, &person.full_name());
            out.raw(" <").pii(Kind::Email, &person.email).raw(">: ");
        }
        1 => {
            out.raw("Customer ")
                .pii(Kind::PersonName, &person.full_name());
            out.raw(" (")
                .pii(Kind::Email, &person.email)
                .raw(") writes: ");
        }
        _ => {
            out.raw("New ticket: ");
        }
    }
    let sentences = rng.gen_range(2..5);
    for i in 0..sentences {
        if i > 0 {
            out.raw(" ");
        }
        sentence(out, v, rng);
    }
    if let Some(pools) = &v.pools {
        if pools.side().gen_bool(0.3) {
            let start = out.len();
            out.raw(" ");
            payment_sentence(out, pools);
            out.extra_since(start);
        }
    }
    out.end_record()
}

/// The sentences of the default corpus; a pools corpus draws from more.
const SENTENCES: u32 = 17;

fn sentence<W: Write>(out: &mut Out<W>, v: &Vocab, rng: &mut impl Rng) {
    let choice = match &v.pools {
        Some(pools) => {
            let choice = rng.gen_range(0..SENTENCES + POOL_SENTENCES);
            if choice >= SENTENCES {
                return pool_sentence(out, pools, choice - SENTENCES, rng);
            }
            choice
        }
        None => rng.gen_range(0..SENTENCES),
    };
    match choice {
        0 => {
            let place = v.place(rng);
            out.raw("I moved to ").pii(Kind::City, &place.city);
            out.raw(", ").pii(Kind::Country, &place.country);
            out.raw(" last month and my invoices still show the old address.");
        }
        1 => {
            let place = v.place(rng);
            out.raw("Our office in ").pii(Kind::City, &place.city);
            out.raw(" cannot log in since ")
                .raw(&vocab::time_of_day(rng))
                .raw(".");
        }
        2 => {
            let other = v.census_person(rng);
            out.raw("Please loop in my colleague ")
                .pii(Kind::PersonName, &other.full_name());
            out.raw(" (").pii(Kind::Email, &other.email).raw(").");
        }
        3 => {
            let (ip, kind) = vocab::ip(rng);
            out.raw("The requests come from ")
                .pii(kind, &ip)
                .raw(" according to our firewall.");
        }
        4 => {
            let place = v.place(rng);
            let lat = vocab::coordinate(place.lat, rng);
            let lon = vocab::coordinate(place.lon, rng);
            out.raw("The device reported its location as ")
                .pii(Kind::Coordinates, &format!("{lat}, {lon}"))
                .raw(".");
        }
        5 => {
            let place = v.place(rng);
            if let Some(region) = &place.region {
                out.raw("We ship to customers in ")
                    .pii(Kind::Region, region)
                    .raw(" only.");
            } else {
                out.raw("We ship to customers in ")
                    .pii(Kind::Country, &place.country)
                    .raw(".");
            }
        }
        6 => {
            let word = WORD_NAMES.choose(rng).unwrap();
            let line = match *word {
                "Will" => "Will do, thanks.",
                "May" => "May I ask which plan you are on?",
                "Grace" => "Grace period ends on Friday.",
                "Mark" => "Mark as read did not work.",
                "Bill" => "Bill me later, please.",
                "Hope" => "Hope this helps.",
                _ => "Faith in the product is restored.",
            };
            out.raw(line);
        }
        7 => {
            let city = v.word_city(rng);
            let line = match city {
                "Nice" => "Nice work on the new release!",
                "Mobile" => "Mobile app crashes on start.",
                "Reading" => "Reading the docs did not help.",
                "Split" => "Split payments would be great.",
                "Bath" => "Bath towels are out of stock.",
                _ => "Mission accomplished.",
            };
            out.raw(line);
        }
        8 => {
            out.raw(&format!(
                "Version {} crashes at {}; MAC ",
                vocab::version(rng),
                vocab::time_of_day(rng),
            ))
            .pii(Kind::MacAddress, &vocab::mac(rng))
            .raw("; aspect 16:9.");
        }
        9 => {
            out.raw("The log says user@localhost and @support, and std::cout prints a@b.");
        }
        10 => {
            out.raw(&format!(
                "Build {} (commit {}) is fine.",
                vocab::uuid(rng),
                vocab::hex(rng, 12)
            ));
        }
        11 => {
            let word = v.common_word(rng);
            out.raw(&format!("The word {word} appears in the {word} field."));
        }
        12 => {
            out.raw("Thanks, ")
                .pii(Kind::PersonName, &v.census_person(rng).full_name());
            out.raw(".");
        }
        13 => {
            // A name opening a sentence, whatever its first name (`Will Smith called`).
            out.pii(Kind::PersonName, &v.census_person(rng).full_name());
            out.raw(" called yesterday about the refund.");
        }
        14 => {
            // A first name alone is personal data too, and hard to tell from a word.
            out.raw("Hi ")
                .pii(Kind::PersonName, &v.census_person(rng).first);
            out.raw(", thanks for reaching out.");
        }
        15 => {
            out.raw("The account belongs to ")
                .pii(Kind::PersonName, &v.person(rng).full_name());
            out.raw(", please check.");
        }
        _ => {
            out.raw("Can you reset my password?");
        }
    }
}

const POOL_SENTENCES: u32 = 14;

/// Sentences with phones, secrets, MACs and IMEIs as people paste them into tickets, and the
/// numbers that look like them and are not.
fn pool_sentence<W: Write>(out: &mut Out<W>, pools: &Pools, choice: u32, rng: &mut impl Rng) {
    match choice {
        0 => {
            out.raw("You can call me on ")
                .pii(Kind::Phone, &pools.typed_phone(rng));
            out.raw(" after 6pm.");
        }
        1 => {
            out.raw("My mobile is ")
                .pii(Kind::Phone, &pools.typed_phone(rng));
            out.raw(", please text rather than call.");
        }
        2 => {
            out.raw("Please update my number to ")
                .pii(Kind::Phone, &pools.phone(rng));
            out.raw(".");
        }
        3 => {
            let (_, secret) = pools.secret(rng);
            out.raw("I accidentally pasted our key ")
                .pii(Kind::Secret, secret);
            out.raw(" in the forum, can you revoke it?");
        }
        4 => {
            let (_, secret) = pools.secret(rng);
            out.raw("The API key ").pii(Kind::Secret, secret);
            out.raw(" returns 401 since this morning.");
        }
        5 => {
            out.raw("curl -H \"Authorization: Bearer ");
            let (_, token) = pools.secret(rng);
            out.pii(Kind::Secret, token);
            out.raw("\" https://api.example.com/v1/me fails.");
        }
        6 => {
            out.raw("The router's MAC is ")
                .pii(Kind::MacAddress, &pools.mac(rng));
            out.raw(" if that helps.");
        }
        7 => {
            let grouped = rng.gen_bool(0.3);
            out.raw("My phone was stolen, IMEI ")
                .pii(Kind::Imei, &pools.imei(rng, grouped));
            out.raw(", please block the account.");
        }
        8 => {
            out.raw(&format!(
                "I replaced the key with {} in the docs as you asked.",
                pools.placeholder(rng)
            ));
        }
        9 => {
            out.raw(&format!(
                "Order {} was charged {}.{:02} on 2025-11-{:02} at {}.",
                rng.gen_range(100_000_000_000u64..999_999_999_999_999),
                rng.gen_range(1..900),
                rng.gen_range(0..100),
                rng.gen_range(1..=30),
                vocab::time_of_day(rng)
            ));
        }
        10 => {
            let (key, value) = vocab::hard_negative(rng);
            out.raw(&format!("Support asked for the {key}: it is {value}."));
        }
        11 => {
            out.raw(&format!(
                "Tracking number {} has not moved since {}.",
                rng.gen_range(1_000_000_000_000_000u64..9_999_999_999_999_999),
                vocab::epoch(rng)
            ));
        }
        12 => {
            out.raw(&format!(
                "The invoice INV-{} lists {} items, build {}.",
                rng.gen_range(10_000_000..99_999_999),
                rng.gen_range(1..20),
                vocab::version(rng)
            ));
        }
        _ => {
            out.raw("My password is ")
                .pii(Kind::Secret, &pools.secret_of(&["password"], rng));
            out.raw(", I know I should not send it.");
        }
    }
}

/// A sentence with a card number, an IBAN or a national id, as customers paste them into
/// tickets and as checkout errors quote them: grouped numbers alone, compact ones after a cue.
/// Drawn from the pools' own stream ([`Pools::side`]), so the sentences above are those of the
/// sample before these kinds were planted.
fn payment_sentence<W: Write>(out: &mut Out<W>, pools: &Pools) {
    let choice = pools.side().gen_range(0..6);
    match choice {
        0 => {
            out.raw("I was charged twice on card ")
                .pii(Kind::CreditCard, &pools.card(true));
            out.raw(", please refund the second payment.");
        }
        1 => {
            let lead = [
                "My card number is ",
                "The credit card I used: ",
                "Card no. ",
            ]
            .choose(&mut *pools.side())
            .unwrap();
            let grouped = pools.side().gen_bool(0.5);
            out.raw(lead).pii(Kind::CreditCard, &pools.card(grouped));
            out.raw(" and it keeps getting declined.");
        }
        2 => {
            out.raw("Error shown at checkout: \"Payment with ")
                .pii(Kind::CreditCard, &pools.card(true));
            out.raw(" was declined (code 05)\".");
        }
        3 => {
            let grouped = pools.side().gen_bool(0.5);
            let lead = ["Please send the refund to IBAN ", "My bank account is "]
                .choose(&mut *pools.side())
                .unwrap();
            out.raw(lead).pii(Kind::Iban, &pools.iban(grouped));
            out.raw(", thanks.");
        }
        4 => {
            out.raw("The payout failed, the form says ")
                .pii(Kind::Iban, &pools.iban(false));
            out.raw(" is invalid but it is correct.");
        }
        _ => {
            let (scheme, id) = pools.national_id();
            let cue = match scheme {
                "us_ssn" | "de_tax_id" => "SSN",
                "uk_nino" => "National Insurance number",
                "fr_nir" => "numéro de sécurité sociale",
                "es_dni_nie" => "DNI",
                "it_codice_fiscale" => "codice fiscale",
                "nl_bsn" => "BSN",
                "in_aadhaar" => "Aadhaar number",
                "br_cpf" => "CPF",
                "ca_sin" => "SIN",
                _ => "national id",
            };
            out.raw(&format!("My {cue} is ")).pii(Kind::NationalId, id);
            out.raw(", can you correct the tax form?");
        }
    }
}
