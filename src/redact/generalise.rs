//! Generalised values: coarser, of the same kind, still valid where they stand.
//!
//! An IPv4 address becomes its /24 (`203.0.113.0`), an IPv6 address its /48; coordinates keep
//! a chosen number of decimals (one is about 11 km); a city or region becomes the country it
//! lies in, by the GeoNames and ISO 3166 lists the place detector is built from (`data/`): a
//! city name that several countries share goes to the country of its most populous place.
//! A value that cannot be generalised (a town missing from the lists) gets `None`, and the
//! caller masks it instead: nothing is ever left as it was.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::OnceLock;

use crate::detect::{Generalisation, Kind, Normal};

/// The generalised form of `value` (decoded text) of `kind`, or `None` when there is none.
pub fn generalise(kind: Kind, value: &str, decimals: u8, out: &mut String) -> Option<()> {
    let spec = kind.spec()?;
    match spec.redact.generalise {
        Generalisation::IpPrefix => {
            let bare = value.trim().trim_start_matches('[').trim_end_matches(']');
            let bare = bare.split('%').next().unwrap_or(bare);
            match bare.parse::<IpAddr>().ok()? {
                IpAddr::V4(ip) => {
                    let [a, b, c, _] = ip.octets();
                    let _ = write!(out, "{a}.{b}.{c}.0");
                }
                IpAddr::V6(ip) => {
                    let s = ip.segments();
                    let net = Ipv6Addr::new(s[0], s[1], s[2], 0, 0, 0, 0, 0);
                    let _ = write!(out, "{net}");
                }
            }
            Some(())
        }
        Generalisation::Decimals => round_numbers(value, decimals, out),
        Generalisation::Country => {
            let places = places();
            let normal = Normal::Text.apply(value.as_bytes());
            let code = match kind {
                Kind::Region => places.regions.get(&normal),
                _ => places.cities.get(&normal).map(|(code, _)| code),
            }?;
            out.push_str(places.countries.get(code)?);
            Some(())
        }
        Generalisation::None => None,
    }
}

/// Whether `value` is already as general as `kind`'s generalisation makes it: what a re-scan
/// of a redacted copy may find without anything having been left.
pub fn is_general(kind: Kind, value: &str, decimals: u8) -> bool {
    let mut out = String::new();
    match kind.spec().map(|s| s.redact.generalise) {
        Some(Generalisation::Country) => false,
        Some(_) => generalise(kind, value, decimals, &mut out).is_some() && out == value.trim(),
        None => false,
    }
}

/// Whether `value` is a country name as generalisation writes it.
pub fn is_country_name(value: &str) -> bool {
    places().names.contains_key(value.trim())
}

/// Each number of `value` rounded to `decimals`, the text between kept (`48.8566, 2.3522`
/// is `48.9, 2.4` at one decimal).
fn round_numbers(value: &str, decimals: u8, out: &mut String) -> Option<()> {
    let bytes = value.as_bytes();
    let mut i = 0;
    let mut any = false;
    while i < bytes.len() {
        let starts_number = bytes[i].is_ascii_digit()
            || (bytes[i] == b'-' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit));
        if !starts_number {
            let c = value[i..].chars().next()?;
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        let start = i;
        i += 1;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
            i += 1;
        }
        let number: f64 = value[start..i].parse().ok()?;
        let had = value[start..i].split_once('.').map_or(0, |(_, f)| f.len());
        if had <= usize::from(decimals) {
            out.push_str(&value[start..i]);
        } else {
            let _ = write!(out, "{:.*}", usize::from(decimals), number);
        }
        any = true;
    }
    any.then_some(())
}

/// The place lists, read once.
struct Places {
    /// A city's normal form to its country code and population (the most populous wins).
    cities: HashMap<String, ([u8; 2], u64)>,
    regions: HashMap<String, [u8; 2]>,
    /// A country code to its shortest name.
    countries: HashMap<[u8; 2], String>,
    /// Every country name written by [`generalise`].
    names: HashMap<String, ()>,
}

fn code(text: &str) -> Option<[u8; 2]> {
    let b = text.trim().as_bytes();
    (b.len() == 2).then(|| [b[0], b[1]])
}

fn places() -> &'static Places {
    static PLACES: OnceLock<Places> = OnceLock::new();
    PLACES.get_or_init(|| {
        let mut cities: HashMap<String, ([u8; 2], u64)> = HashMap::new();
        for line in include_str!("../../data/cities.tsv").lines() {
            let mut cols = line.split('\t');
            let (Some(name), Some(cc)) = (cols.next(), cols.next().and_then(code)) else {
                continue;
            };
            let population = cols.next().and_then(|p| p.trim().parse().ok()).unwrap_or(0);
            let entry = cities
                .entry(Normal::Text.apply(name.as_bytes()))
                .or_insert((cc, population));
            if population > entry.1 {
                *entry = (cc, population);
            }
        }
        let mut regions = HashMap::new();
        for line in include_str!("../../data/regions.tsv").lines() {
            let mut cols = line.split('\t');
            if let (Some(name), Some(cc)) = (cols.next(), cols.next().and_then(code)) {
                regions
                    .entry(Normal::Text.apply(name.as_bytes()))
                    .or_insert(cc);
            }
        }
        let mut countries: HashMap<[u8; 2], String> = HashMap::new();
        for line in include_str!("../../data/countries.tsv").lines() {
            let mut cols = line.split('\t');
            if let (Some(name), Some(cc)) = (cols.next(), cols.next().and_then(code)) {
                let name = name.trim();
                let entry = countries.entry(cc).or_insert_with(|| name.to_string());
                if name.len() < entry.len() {
                    *entry = name.to_string();
                }
            }
        }
        let names = countries.values().map(|n| (n.clone(), ())).collect();
        Places {
            cities,
            regions,
            countries,
            names,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_generalised_by_kind() {
        let cases: &[(Kind, &str, u8, Option<&str>)] = &[
            (Kind::Ipv4, "203.0.113.77", 1, Some("203.0.113.0")),
            (
                Kind::Ipv6,
                "2001:db8:1234:5678::1",
                1,
                Some("2001:db8:1234::"),
            ),
            (Kind::Ipv6, "[2001:db8:1:2::9]", 1, Some("2001:db8:1::")),
            (Kind::Coordinates, "48.8566, 2.3522", 1, Some("48.9, 2.4")),
            (
                Kind::Coordinates,
                "-33.86882,151.20929",
                2,
                Some("-33.87,151.21"),
            ),
            (Kind::Coordinates, "48.8", 2, Some("48.8")),
            (Kind::City, "Lyon", 1, Some("France")),
            (Kind::City, "PARIS", 1, Some("France")),
            (Kind::City, "Smallville", 1, None),
            (Kind::Email, "a@b.c", 1, None),
        ];
        for &(kind, value, decimals, want) in cases {
            let mut out = String::new();
            let got = generalise(kind, value, decimals, &mut out).map(|_| out.as_str());
            assert_eq!(got, want, "{kind} {value}");
        }
        assert!(is_general(Kind::Ipv4, "203.0.113.0", 1));
        assert!(!is_general(Kind::Ipv4, "203.0.113.7", 1));
        assert!(is_general(Kind::Coordinates, "48.9, 2.4", 1));
        assert!(!is_general(Kind::Coordinates, "48.85, 2.4", 1));
        assert!(is_country_name("France"));
    }
}
