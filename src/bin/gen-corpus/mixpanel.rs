//! Mixpanel raw event export: one `{"event", "properties"}` object per line.
//!
//! Most events carry no personal data at all (page views with ids, devices and versions);
//! identified events carry the reserved profile properties (`$email`, `$name`, `$city`,
//! `$region`, `mp_country_code`, `ip`), with key order varying, JSON escapes (`\/` always in
//! URLs, `\u00e9` in some names), non-ASCII names, addresses in query strings, nested objects
//! and arrays, and the version strings, times and hashes that look like PII and are not.

use std::io::{self, Write};

use piiscan::Kind;
use rand::seq::SliceRandom;
use rand::Rng;

use crate::pools::Pools;
use crate::vocab::{self, Vocab};
use crate::writer::{Escape, Fields, Object, Out};

pub fn record<W: Write>(out: &mut Out<W>, v: &Vocab, rng: &mut impl Rng) -> io::Result<()> {
    let identified = rng.gen_bool(0.3);
    let escape = if rng.gen_bool(0.2) {
        Escape::Json
    } else {
        Escape::None
    };
    out.raw("{");
    out.field("event", event(rng), Escape::None, None);
    out.raw(",\"properties\":");
    let mut p = Fields::new(out);
    p.raw("time", &vocab::epoch(rng).to_string(), None);
    let person = v.person(rng);
    if identified && rng.gen_bool(0.2) {
        // An address used as the ID is reported once, as the address it is.
        p.parts(
            "distinct_id",
            &[(&person.email, &[Kind::Email])],
            Escape::None,
        );
    } else {
        let id = format!("user-{}", vocab::hex(rng, 10));
        p.str("distinct_id", &id, Escape::None, Some(Kind::AccountId));
    }
    let device = vocab::uuid(rng);
    p.str("$device_id", &device, Escape::None, Some(Kind::AccountId));
    p.str("$insert_id", &vocab::hex(rng, 32), Escape::None, None);
    p.str(
        "mp_lib",
        ["web", "android", "iphone"].choose(rng).unwrap(),
        Escape::None,
        None,
    );
    p.str(
        "$os",
        vocab::OS.choose(rng).unwrap(),
        Escape::None,
        Some(Kind::Device),
    );
    p.str(
        "$browser",
        vocab::BROWSERS.choose(rng).unwrap(),
        Escape::None,
        Some(Kind::Device),
    );
    p.raw(
        "$browser_version",
        &format!("{}.0", rng.gen_range(100..132)),
        None,
    );
    p.raw(
        "$screen_height",
        ["1080", "900", "2532"].choose(rng).unwrap(),
        None,
    );
    p.raw(
        "$screen_width",
        ["1920", "1440", "1170"].choose(rng).unwrap(),
        None,
    );
    p.str("app_version", &vocab::version(rng), Escape::None, None);
    let path = [
        "/",
        "/pricing",
        "/docs/getting-started",
        "/settings/profile",
        "/p/4821",
    ]
    .choose(rng)
    .unwrap();
    if identified && rng.gen_bool(0.25) {
        // An address in a query string, labelled as it is written.
        let encoded = vocab::url_encoded(&person.email);
        p.parts(
            "$current_url",
            &[
                ("https://app.example.com/invite?email=", &[]),
                (&encoded, &[Kind::Email]),
                ("&ref=nav", &[]),
            ],
            Escape::Json,
        );
    } else {
        let url = format!("https://app.example.com{path}");
        p.str("$current_url", &url, Escape::Json, None);
    }
    if rng.gen_bool(0.5) {
        let referrer = vocab::REFERRERS.choose(rng).unwrap();
        p.str("$referrer", referrer, Escape::Json, Some(Kind::Referrer));
    } else {
        p.str("$initial_referrer", "$direct", Escape::None, None);
    }
    match rng.gen_range(0..8) {
        0 => p.str("duration", &vocab::time_of_day(rng), Escape::None, None),
        1 => p.str(
            "mac",
            &vocab::mac(rng),
            Escape::None,
            Some(Kind::MacAddress),
        ),
        2 => p.str(
            "build",
            &format!("{}.5", vocab::version(rng)),
            Escape::None,
            None,
        ),
        3 => p.str("ratio", "16:9", Escape::None, None),
        4 => p.str(
            "plan",
            vocab::PLANS.choose(rng).unwrap(),
            Escape::None,
            None,
        ),
        5 => p.str("name", event(rng), Escape::None, None),
        _ => {}
    }
    if rng.gen_bool(0.15) {
        let items = (0..rng.gen_range(1..4))
            .map(|_| {
                let mut item = Object::default();
                item.str(
                    "sku",
                    &format!("SKU-{}", rng.gen_range(100..999)),
                    Escape::None,
                    None,
                );
                item.raw(
                    "price",
                    &format!("{}.{:02}", rng.gen_range(1..300), rng.gen_range(0..100)),
                    None,
                );
                item.raw("qty", &rng.gen_range(1..5).to_string(), None);
                item
            })
            .collect();
        p.array("items", items);
    }
    if identified {
        let at = if rng.gen_bool(0.05) {
            Escape::JsonAt
        } else {
            Escape::None
        };
        p.str("$email", &person.email, at, Some(Kind::Email));
        if rng.gen_bool(0.5) {
            p.str("$name", &person.full_name(), escape, Some(Kind::PersonName));
        } else {
            p.str("$first_name", &person.first, escape, Some(Kind::PersonName));
            p.str("$last_name", &person.last, escape, Some(Kind::PersonName));
        }
        let place = v.place(rng);
        p.str("$city", &place.city, escape, Some(Kind::City));
        if let Some(region) = &place.region {
            p.str("$region", region, escape, Some(Kind::Region));
        }
        p.str(
            "mp_country_code",
            &place.iso2,
            Escape::None,
            Some(Kind::Country),
        );
        let (ip, kind) = vocab::ip(rng);
        p.str("ip", &ip, Escape::None, Some(kind));
    }
    if let Some(pools) = &v.pools {
        if identified && rng.gen_bool(0.4) {
            let key = ["$phone", "phone", "mobile", "phone_number"]
                .choose(rng)
                .unwrap();
            p.str(key, &pools.phone(rng), Escape::None, Some(Kind::Phone));
        }
        match rng.gen_range(0..12) {
            0 | 1 => {
                let (key, secret) = pools.keyed_secret(rng);
                p.str(key, &secret, Escape::None, Some(Kind::Secret));
            }
            2 => {
                let (_, secret) = pools.secret(rng);
                let param = ["access_token", "token", "api_key", "key"]
                    .choose(rng)
                    .unwrap();
                let before = format!("https://app.example.com/oauth/callback?state=xyz&{param}=");
                let secret = vocab::url_component(secret);
                p.parts(
                    "page_url",
                    &[
                        (&before, &[]),
                        (&secret, &[Kind::Secret]),
                        ("&lang=en", &[]),
                    ],
                    Escape::Json,
                );
            }
            3 => {
                let key = ["api_key", "token", "password"].choose(rng).unwrap();
                p.str(key, pools.placeholder(rng), Escape::None, None);
            }
            4 => {
                let key = ["wifi_mac", "bssid", "mac_address"].choose(rng).unwrap();
                p.str(key, &pools.mac(rng), Escape::None, Some(Kind::MacAddress));
            }
            5 => {
                let key = ["imei", "device_imei"].choose(rng).unwrap();
                p.str(key, &pools.imei(rng, false), Escape::None, Some(Kind::Imei));
            }
            6 => p.str(
                "private_key",
                &pools.pem(rng),
                Escape::Verbatim,
                Some(Kind::Secret),
            ),
            _ => {}
        }
        for _ in 0..rng.gen_range(0..3) {
            let (key, value) = vocab::hard_negative(rng);
            if value.bytes().all(|b| b.is_ascii_digit()) && rng.gen_bool(0.5) {
                p.raw(key, &value, None);
            } else {
                p.str(key, &value, Escape::None, None);
            }
        }
    }
    p.write(rng, false);
    out.raw("}");
    out.end_record()?;
    if let Some(pools) = &v.pools {
        if pools.side().gen_bool(0.08) {
            let start = out.len();
            payment_event(out, pools)?;
            out.extra_since(start);
        }
    }
    Ok(())
}

/// A checkout or identity-check event that carries a card number, an IBAN or a national id
/// under the keys checkouts and KYC forms use. Drawn from the pools' own stream
/// ([`Pools::side`]) and written beside the other records, which stay as they were.
fn payment_event<W: Write>(out: &mut Out<W>, pools: &Pools) -> io::Result<()> {
    let choice = pools.side().gen_range(0..3);
    let event = match choice {
        0 => "Payment Failed",
        1 => "Payout Requested",
        _ => "KYC Submitted",
    };
    out.raw("{");
    out.field("event", event, Escape::None, None);
    out.raw(",\"properties\":");
    let mut p = Fields::new(out);
    let (time, id, amount) = {
        let side = &mut *pools.side();
        (
            vocab::epoch(side).to_string(),
            format!("user-{}", vocab::hex(side, 10)),
            format!("{}.{:02}", side.gen_range(1..900), side.gen_range(0..100)),
        )
    };
    p.raw("time", &time, None);
    p.str("distinct_id", &id, Escape::None, Some(Kind::AccountId));
    match choice {
        0 => {
            // Shopify, Braintree and home-grown checkouts file the number under these.
            let key = [
                "card_number",
                "cardNumber",
                "credit_card",
                "cc_number",
                "pan",
            ]
            .choose(&mut *pools.side())
            .unwrap();
            let grouped = pools.side().gen_bool(0.3);
            p.str(
                key,
                &pools.card(grouped),
                Escape::None,
                Some(Kind::CreditCard),
            );
            p.raw("amount", &amount, None);
            p.str("decline_code", "insufficient_funds", Escape::None, None);
        }
        1 => {
            let key = ["iban", "IBAN", "payout_iban", "bank_iban"]
                .choose(&mut *pools.side())
                .unwrap();
            let grouped = pools.side().gen_bool(0.2);
            p.str(key, &pools.iban(grouped), Escape::None, Some(Kind::Iban));
            p.raw("amount", &amount, None);
        }
        _ => {
            let (key, id) = pools.keyed_national_id();
            p.str(key, &id, Escape::None, Some(Kind::NationalId));
            p.str("document_type", "national_id", Escape::None, None);
        }
    }
    p.write(&mut *pools.side(), true);
    out.raw("}");
    out.end_record()
}

fn event(rng: &mut impl Rng) -> &'static str {
    vocab::EVENTS.choose(rng).unwrap()
}
