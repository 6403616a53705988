//! Segment export: `identify`, `track` and `page` calls with `traits`, and a `context` that
//! carries `ip`, `location`, `userAgent` and the page referrer.

use std::io::{self, Write};

use piiscan::Kind;
use rand::seq::SliceRandom;
use rand::Rng;

use crate::pools::Pools;
use crate::vocab::{self, Vocab};
use crate::writer::{Escape, Fields, Object, Out};

pub fn record<W: Write>(out: &mut Out<W>, v: &Vocab, rng: &mut impl Rng) -> io::Result<()> {
    let kind = ["identify", "track", "track", "page", "page"]
        .choose(rng)
        .unwrap();
    let mut e = Fields::new(out);
    e.str("type", kind, Escape::None, None);
    e.str("messageId", &vocab::uuid(rng), Escape::None, None);
    e.str("timestamp", &vocab::iso_time(rng), Escape::None, None);
    e.str(
        "anonymousId",
        &vocab::uuid(rng),
        Escape::None,
        Some(Kind::AccountId),
    );
    let mut context = Object::default();
    let mut library = Object::default();
    library.str("name", "analytics.js", Escape::None, None);
    library.str("version", "2.11.1", Escape::None, None);
    context.object("library", library);
    let ua = vocab::USER_AGENTS.choose(rng).unwrap();
    context.str("userAgent", ua, Escape::None, Some(Kind::Device));
    let mut page = Object::default();
    page.str("path", "/pricing", Escape::None, None);
    if rng.gen_bool(0.5) {
        let referrer = vocab::REFERRERS.choose(rng).unwrap();
        page.str("referrer", referrer, Escape::None, Some(Kind::Referrer));
    }
    context.object("page", page);
    if *kind == "identify" {
        e.str(
            "userId",
            &vocab::hex(rng, 13),
            Escape::None,
            Some(Kind::AccountId),
        );
        let person = v.census_person(rng);
        let place = v.place(rng);
        let mut traits = Object::default();
        traits.str("email", &person.email, Escape::None, Some(Kind::Email));
        if rng.gen_bool(0.5) {
            traits.str(
                "name",
                &person.full_name(),
                Escape::None,
                Some(Kind::PersonName),
            );
        } else {
            traits.str(
                "firstName",
                &person.first,
                Escape::None,
                Some(Kind::PersonName),
            );
            traits.str(
                "lastName",
                &person.last,
                Escape::None,
                Some(Kind::PersonName),
            );
        }
        if let Some(pools) = &v.pools {
            if rng.gen_bool(0.6) {
                traits.str("phone", &pools.phone(rng), Escape::None, Some(Kind::Phone));
            }
        }
        traits.str(
            "plan",
            vocab::PLANS.choose(rng).unwrap(),
            Escape::None,
            None,
        );
        let mut address = Object::default();
        address.str("city", &place.city, Escape::None, Some(Kind::City));
        if let Some(region) = &place.region {
            address.str("state", region, Escape::None, Some(Kind::Region));
        }
        let code = if rng.gen_bool(0.5) {
            &place.iso2
        } else {
            &place.iso3
        };
        address.str("country", code, Escape::None, Some(Kind::Country));
        traits.object("address", address);
        e.object("traits", traits);
        let (ip, ip_kind) = vocab::ip(rng);
        context.str("ip", &ip, Escape::None, Some(ip_kind));
        let mut location = Object::default();
        location.str("city", &place.city, Escape::None, Some(Kind::City));
        location.str("country", &place.country, Escape::None, Some(Kind::Country));
        let lat = vocab::coordinate(place.lat, rng);
        let lon = vocab::coordinate(place.lon, rng);
        location.raw("latitude", &lat, Some(Kind::Coordinates));
        location.raw("longitude", &lon, Some(Kind::Coordinates));
        context.object("location", location);
    } else {
        let mut properties = Object::default();
        properties.str("title", "Pricing", Escape::None, None);
        properties.str("state", "active", Escape::None, None);
        properties.str("version", &vocab::version(rng), Escape::None, None);
        if let Some(pools) = &v.pools {
            match rng.gen_range(0..6) {
                0 => {
                    let (key, secret) = pools.keyed_secret(rng);
                    properties.str(key, &secret, Escape::None, Some(Kind::Secret));
                }
                1 => properties.str(
                    "device_mac",
                    &pools.mac(rng),
                    Escape::None,
                    Some(Kind::MacAddress),
                ),
                2 => {
                    let (key, value) = vocab::hard_negative(rng);
                    properties.str(key, &value, Escape::None, None);
                }
                _ => {}
            }
        }
        e.object("properties", properties);
        e.str(
            "event",
            vocab::EVENTS.choose(rng).unwrap(),
            Escape::None,
            None,
        );
    }
    e.object("context", context);
    e.write(rng, false);
    out.end_record()?;
    if let Some(pools) = &v.pools {
        if pools.side().gen_bool(0.05) {
            let start = out.len();
            identity_traits(out, pools)?;
            out.extra_since(start);
        }
    }
    Ok(())
}

/// An `identify` call whose traits hold a national id or an IBAN (a KYC step or a payout
/// form sending them to the CDP). Drawn from the pools' own stream ([`Pools::side`]) and
/// written beside the other records, which stay as they were.
fn identify_payload_id(pools: &Pools) -> String {
    vocab::uuid(&mut *pools.side())
}

fn identity_traits<W: Write>(out: &mut Out<W>, pools: &Pools) -> io::Result<()> {
    let mut e = Fields::new(out);
    e.str("type", "identify", Escape::None, None);
    e.str("messageId", &identify_payload_id(pools), Escape::None, None);
    let mut traits = Object::default();
    if pools.side().gen_bool(0.6) {
        let (key, id) = pools.keyed_national_id();
        traits.str(key, &id, Escape::None, Some(Kind::NationalId));
    } else {
        let grouped = pools.side().gen_bool(0.2);
        traits.str("iban", &pools.iban(grouped), Escape::None, Some(Kind::Iban));
    }
    traits.str("kyc_status", "pending", Escape::None, None);
    e.object("traits", traits);
    e.write(&mut *pools.side(), true);
    out.end_record()
}
