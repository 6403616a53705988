//! Vendor-shaped exports (issue 20): events as PostHog, Snowplow, GA4's BigQuery export and
//! RudderStack write them (`$geoip_city_name`, `geo_region_name`, `geo.city`,
//! `context.location.city`), and a CSV whose columns are named by their words
//! (`signup_city`, `home_region`, `billingCountry`) beside an `app_version` column of
//! four-part versions (a hard negative for IPv4). Places come from the independent pools
//! (GeoNames towns below the shipped cut, second-level divisions), so the figures show what a
//! key recognised by its words and a value judged by its shape reach; unknown places are
//! written `(not set)` as GA4 writes them, unlabelled.
//!
//! Kept apart from the other shapes (and from the card and identifier planting of
//! `pools.rs`): a corpus of its own, `corpora/fields`.

use std::io::{self, Write};

use piiscan::Kind;
use rand::seq::SliceRandom;
use rand::Rng;

use crate::vocab::{self, Vocab};
use crate::writer::{Escape, Fields, Object, Out};

/// A four-part version: under a version key never an address.
fn build(rng: &mut impl Rng) -> String {
    format!(
        "{}.{}.{}.{}",
        rng.gen_range(1..30),
        rng.gen_range(0..30),
        rng.gen_range(0..10),
        rng.gen_range(0..255)
    )
}

pub fn record<W: Write>(out: &mut Out<W>, v: &Vocab, rng: &mut impl Rng) -> io::Result<()> {
    let place = v.place(rng);
    let (ip, ip_kind) = vocab::ip(rng);
    let region = place.region.as_deref();
    let region_or_unset = |o: &mut Object, key: &str| match region {
        Some(r) => o.str(key, r, Escape::None, Some(Kind::Region)),
        None => o.str(key, "(not set)", Escape::None, None),
    };
    let mut e = Fields::new(out);
    match rng.gen_range(0..4) {
        // PostHog: GeoIP properties on the event.
        0 => {
            e.str("event", "$pageview", Escape::None, None);
            e.str(
                "distinct_id",
                &vocab::uuid(rng),
                Escape::None,
                Some(Kind::AccountId),
            );
            let mut p = Object::default();
            p.str("$ip", &ip, Escape::None, Some(ip_kind));
            p.str(
                "$geoip_city_name",
                &place.city,
                Escape::None,
                Some(Kind::City),
            );
            region_or_unset(&mut p, "$geoip_subdivision_1_name");
            p.str(
                "$geoip_country_code",
                &place.iso2,
                Escape::None,
                Some(Kind::Country),
            );
            p.str("$lib_version", "1.130.2", Escape::None, None);
            p.str("$app_version", &build(rng), Escape::None, None);
            e.object("properties", p);
        }
        // Snowplow: the enriched event's flat columns.
        1 => {
            e.str("app_id", "web", Escape::None, None);
            e.str("event", "page_view", Escape::None, None);
            e.str("user_ipaddress", &ip, Escape::None, Some(ip_kind));
            e.str(
                "domain_userid",
                &vocab::uuid(rng),
                Escape::None,
                Some(Kind::AccountId),
            );
            e.str(
                "geo_country",
                &place.iso2,
                Escape::None,
                Some(Kind::Country),
            );
            e.str("geo_city", &place.city, Escape::None, Some(Kind::City));
            match region {
                Some(r) => e.str("geo_region_name", r, Escape::None, Some(Kind::Region)),
                None => e.str("geo_region_name", "", Escape::None, None),
            }
            e.str("v_tracker", "js-3.24.2", Escape::None, None);
            e.str("br_version", &build(rng), Escape::None, None);
        }
        // GA4's BigQuery export, as JSON.
        2 => {
            e.str("event_name", "page_view", Escape::None, None);
            let pseudo = format!(
                "{}.{}",
                rng.gen_range(100_000_000u64..2_000_000_000),
                rng.gen_range(1_600_000_000u64..1_800_000_000)
            );
            e.str(
                "user_pseudo_id",
                &pseudo,
                Escape::None,
                Some(Kind::AccountId),
            );
            let mut geo = Object::default();
            geo.str("city", &place.city, Escape::None, Some(Kind::City));
            region_or_unset(&mut geo, "region");
            geo.str("country", &place.country, Escape::None, Some(Kind::Country));
            e.object("geo", geo);
            let mut device = Object::default();
            device.str("category", "mobile", Escape::None, None);
            let mut web = Object::default();
            web.str("browser_version", &build(rng), Escape::None, None);
            device.object("web_info", web);
            e.object("device", device);
            let mut app = Object::default();
            app.str("version", &build(rng), Escape::None, None);
            e.object("app_info", app);
        }
        // RudderStack: the location context.
        _ => {
            e.str("type", "track", Escape::None, None);
            e.str(
                "anonymousId",
                &vocab::uuid(rng),
                Escape::None,
                Some(Kind::AccountId),
            );
            let mut context = Object::default();
            context.str("ip", &ip, Escape::None, Some(ip_kind));
            let mut location = Object::default();
            location.str("city", &place.city, Escape::None, Some(Kind::City));
            region_or_unset(&mut location, "region");
            location.str("country", &place.country, Escape::None, Some(Kind::Country));
            context.object("location", location);
            let mut app = Object::default();
            app.str("build", &build(rng), Escape::None, None);
            context.object("app", app);
            e.object("context", context);
            e.str(
                "event",
                vocab::EVENTS.choose(rng).unwrap(),
                Escape::None,
                None,
            );
        }
    }
    e.write(rng, false);
    out.end_record()
}

/// The CSV's columns: named by their words, as exports name them.
pub const CSV_HEADER: &str =
    "customer_id,signup_city,home_region,billingCountry,app_version,status";

pub fn csv_header<W: Write>(out: &mut Out<W>) -> io::Result<()> {
    out.raw(CSV_HEADER);
    out.end_record()
}

pub fn csv_record<W: Write>(out: &mut Out<W>, v: &Vocab, rng: &mut impl Rng) -> io::Result<()> {
    let place = v.place(rng);
    let id = format!("c-{}", rng.gen_range(100_000..999_999));
    let country = if rng.gen_bool(0.5) {
        &place.iso2
    } else {
        &place.country
    };
    let version = build(rng);
    let cells: [(&str, Option<Kind>); 6] = [
        (&id, Some(Kind::AccountId)),
        (&place.city, Some(Kind::City)),
        match &place.region {
            Some(r) => (r.as_str(), Some(Kind::Region)),
            None => ("(not set)", None),
        },
        (country, Some(Kind::Country)),
        (&version, None),
        (["active", "churned", "trial"].choose(rng).unwrap(), None),
    ];
    for (i, (cell, kind)) in cells.iter().enumerate() {
        if i > 0 {
            out.raw(",");
        }
        let quoted = cell.contains([',', '"']);
        if quoted {
            out.raw("\"");
        }
        let text = cell.replace('"', "\"\"");
        match kind {
            Some(kind) => out.pii(*kind, &text),
            None => out.raw(&text),
        };
        if quoted {
            out.raw("\"");
        }
    }
    out.end_record()
}
