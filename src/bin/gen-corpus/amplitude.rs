//! Amplitude export: flat event fields (`ip_address`, `city`, `region`, `country` as a name,
//! `location_lat`/`location_lng`) plus `user_properties` and `event_properties` objects.

use std::io::{self, Write};

use piiscan::Kind;
use rand::seq::SliceRandom;
use rand::Rng;

use crate::vocab::{self, Vocab};
use crate::writer::{Escape, Fields, Object, Out};

pub fn record<W: Write>(out: &mut Out<W>, v: &Vocab, rng: &mut impl Rng) -> io::Result<()> {
    let identified = rng.gen_bool(0.35);
    let mut e = Fields::new(out);
    e.str(
        "event_type",
        vocab::EVENTS.choose(rng).unwrap(),
        Escape::None,
        None,
    );
    let user = vocab::hex(rng, 13);
    e.str("user_id", &user, Escape::None, Some(Kind::AccountId));
    e.str(
        "device_id",
        &vocab::uuid(rng),
        Escape::None,
        Some(Kind::AccountId),
    );
    e.str("event_time", &vocab::iso_time(rng), Escape::None, None);
    e.str("uuid", &vocab::uuid(rng), Escape::None, None);
    e.str("library", "amplitude-ts/2.11.1", Escape::None, None);
    e.str(
        "os_name",
        vocab::OS.choose(rng).unwrap(),
        Escape::None,
        Some(Kind::Device),
    );
    e.str("version_name", &vocab::version(rng), Escape::None, None);
    let mut props = Object::default();
    props.str(
        "session_length",
        &vocab::time_of_day(rng),
        Escape::None,
        None,
    );
    props.raw("score", &format!("0.{}", rng.gen_range(100..999)), None);
    if let Some(pools) = &v.pools {
        match rng.gen_range(0..8) {
            0 => props.str(
                "imei",
                &pools.imei(rng, false),
                Escape::None,
                Some(Kind::Imei),
            ),
            1 => props.str(
                "mac_address",
                &pools.mac(rng),
                Escape::None,
                Some(Kind::MacAddress),
            ),
            2 => {
                let mut headers = Object::default();
                let (_, token) = pools.secret(rng);
                headers.parts(
                    "Authorization",
                    &[("Bearer ", &[]), (token, &[Kind::Secret])],
                    Escape::None,
                );
                headers.str("Accept", "application/json", Escape::None, None);
                props.object("request_headers", headers);
            }
            3 => {
                let (key, secret) = pools.keyed_secret(rng);
                props.str(key, &secret, Escape::None, Some(Kind::Secret));
            }
            _ => {}
        }
        for _ in 0..rng.gen_range(0..3) {
            let (key, value) = vocab::hard_negative(rng);
            props.str(key, &value, Escape::None, None);
        }
    }
    e.object("event_properties", props);
    if identified {
        let (ip, kind) = vocab::ip(rng);
        e.str("ip_address", &ip, Escape::None, Some(kind));
        let place = v.place(rng);
        e.str("city", &place.city, Escape::None, Some(Kind::City));
        if let Some(region) = &place.region {
            e.str("region", region, Escape::None, Some(Kind::Region));
        }
        e.str("country", &place.country, Escape::None, Some(Kind::Country));
        if rng.gen_bool(0.5) {
            e.raw(
                "location_lat",
                &vocab::coordinate(place.lat, rng),
                Some(Kind::Coordinates),
            );
            e.raw(
                "location_lng",
                &vocab::coordinate(place.lon, rng),
                Some(Kind::Coordinates),
            );
        }
        let person = v.census_person(rng);
        let mut user_props = Object::default();
        user_props.str("email", &person.email, Escape::None, Some(Kind::Email));
        user_props.str(
            "name",
            &person.full_name(),
            Escape::None,
            Some(Kind::PersonName),
        );
        if let Some(pools) = &v.pools {
            if rng.gen_bool(0.5) {
                let key = ["phone", "mobile", "phone_number"].choose(rng).unwrap();
                user_props.str(key, &pools.phone(rng), Escape::None, Some(Kind::Phone));
            }
        }
        user_props.str(
            "plan",
            vocab::PLANS.choose(rng).unwrap(),
            Escape::None,
            None,
        );
        e.object("user_properties", user_props);
    } else {
        e.raw("ip_address", "null", None);
        e.str("country", "", Escape::None, None);
    }
    e.write(rng, false);
    out.end_record()
}
