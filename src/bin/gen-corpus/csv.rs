//! A CSV user export with a header row, quoting the cells that need it.

use std::io::{self, Write};

use piiscan::Kind;
use rand::seq::SliceRandom;
use rand::Rng;

use crate::vocab::{self, Vocab};
use crate::writer::Out;

pub const HEADER: &str =
    "user_id,first_name,last_name,email,city,region,country,signup_ip,created_at,plan,last_login_ms";

/// The columns a pools corpus adds: the new kinds and an order number (a hard negative).
const POOL_COLUMNS: &str = ",phone,wifi_mac,imei,api_token,order_id";

/// The columns of cards, IBANs and national ids, planted beside the others (their bytes are
/// extra: see [`Out::extra_since`]).
const PAYMENT_COLUMNS: &str = ",card_number,iban,national_id";

pub fn header<W: Write>(out: &mut Out<W>, v: &Vocab) -> io::Result<()> {
    out.raw(HEADER);
    if v.pools.is_some() {
        out.raw(POOL_COLUMNS);
        let start = out.len();
        out.raw(PAYMENT_COLUMNS);
        out.extra_since(start);
    }
    out.end_record()
}

pub fn record<W: Write>(out: &mut Out<W>, v: &Vocab, rng: &mut impl Rng) -> io::Result<()> {
    let person = v.person(rng);
    let place = v.place(rng);
    let (ip, ip_kind) = vocab::ip(rng);
    let empty = rng.gen_bool(0.1);
    let id = format!("u-{}", rng.gen_range(100_000..999_999));
    let region = place.region.clone().unwrap_or_default();
    let cells: [(&str, Option<Kind>); 11] = [
        (&id, Some(Kind::AccountId)),
        (&person.first, Some(Kind::PersonName)),
        (&person.last, Some(Kind::PersonName)),
        (&person.email, Some(Kind::Email)),
        (&place.city, Some(Kind::City)),
        (&region, Some(Kind::Region)),
        (&place.country, Some(Kind::Country)),
        (&ip, Some(ip_kind)),
        (&vocab::iso_time(rng), None),
        (vocab::PLANS.choose(rng).unwrap(), None),
        (
            &rng.gen_range(1_700_000_000_000u64..1_800_000_000_000)
                .to_string(),
            None,
        ),
    ];
    for (i, (cell, kind)) in cells.iter().enumerate() {
        if i > 0 {
            out.raw(",");
        }
        // Some rows have only an id and a plan: a deleted account.
        if empty && !(i == 0 || i == 9) {
            continue;
        }
        let quoted = cell.contains([',', '"']) || rng.gen_bool(0.05);
        if quoted {
            out.raw("\"");
        }
        let text = cell.replace('"', "\"\"");
        match kind {
            Some(kind) if !text.is_empty() => out.pii(*kind, &text),
            _ => out.raw(&text),
        };
        if quoted {
            out.raw("\"");
        }
    }
    if let Some(pools) = &v.pools {
        let phone = if rng.gen_bool(0.7) {
            pools.phone(rng)
        } else {
            String::new()
        };
        let mac = if rng.gen_bool(0.3) {
            pools.mac(rng)
        } else {
            String::new()
        };
        let imei = if rng.gen_bool(0.3) {
            pools.imei(rng, false)
        } else {
            String::new()
        };
        let (token, token_kind) = match rng.gen_range(0..5) {
            0 => (pools.secret(rng).1.to_string(), Some(Kind::Secret)),
            1 => (pools.placeholder(rng).to_string(), None),
            _ => (String::new(), None),
        };
        let order = rng
            .gen_range(100_000_000_000u64..999_999_999_999_999)
            .to_string();
        let draw = |p: f64| pools.side().gen_bool(p);
        let card = if draw(0.2) {
            pools.card(draw(0.3))
        } else {
            String::new()
        };
        let iban = if draw(0.2) {
            pools.iban(draw(0.2))
        } else {
            String::new()
        };
        let national_id = if draw(0.2) {
            pools.national_id().1.to_string()
        } else {
            String::new()
        };
        let cells: [(&str, Option<Kind>); 8] = [
            (&phone, Some(Kind::Phone)),
            (&mac, Some(Kind::MacAddress)),
            (&imei, Some(Kind::Imei)),
            (&token, token_kind),
            (&order, None),
            (&card, Some(Kind::CreditCard)),
            (&iban, Some(Kind::Iban)),
            (&national_id, Some(Kind::NationalId)),
        ];
        let mut extra_from = 0;
        for (i, (cell, kind)) in cells.into_iter().enumerate() {
            if i == 5 {
                extra_from = out.len();
            }
            out.raw(",");
            if empty {
                continue;
            }
            let quoted = cell.contains([',', '"']);
            if quoted {
                out.raw("\"");
            }
            let text = cell.replace('"', "\"\"");
            match kind {
                Some(kind) if !text.is_empty() => out.pii(kind, &text),
                _ => out.raw(&text),
            };
            if quoted {
                out.raw("\"");
            }
        }
        out.extra_since(extra_from);
    }
    out.end_record()
}
