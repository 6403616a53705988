//! Latitude/longitude pairs, in text and under `lat`/`lng` keys.
//!
//! A decimal number is the most common token of an analytics export, so a lone number is
//! never a coordinate. What is reported:
//!
//! * **Pairs in text** (`48.8566, 2.3522`, `[48.8566,2.3522]`, `lat/lon 48.8566 2.3522`): two
//!   decimals with at least three places each (a city block, ~100 m: the precision at which a
//!   location identifies someone), both in range for latitude and longitude in either order
//!   (GeoJSON writes longitude first), not both below 1 in magnitude (scores and ratios), and
//!   not part of a longer list of numbers (vectors, embeddings). The pair is one finding.
//! * **Numbers under coordinate keys** (`"latitude": 48.85`, `location_lng`): each is a
//!   finding when it is in range, has at least two decimal places, and a number under the
//!   complementary key sits on the same line (in a JSON document written over many lines, in
//!   the same object), so that a lone `lat` field of some other meaning does not count.
//! * **Numbers after coordinate keys in query strings and `key=value` logs**
//!   (`?lat=43.1302&lng=141.7621`, `latitude=43.13 longitude=141.76`): the same rule as under
//!   JSON keys, the complementary key within the same line nearby; a pair under one key
//!   (`ll=43.13,141.76`, `latlng=43.13%2C141.76`) is one finding.
//!
//! The prefilter is the shared list of dots between digits
//! ([`crate::prefilter::Class::Decimal`]).

use compact_str::CompactString;

use super::{Detector, Example, Haystack, Hint, HintedValue, Match};
use super::{Family, Identifies, Kind, KindSet, KindSpec, Normal, Role};
use crate::prefilter::{Class, Classes};

/// The coordinates detector family.
pub static FAMILY: Family = Family {
    name: "coordinates",
    build: || Box::new(CoordinatesDetector::new()),
};

pub static COORDINATES: KindSpec = KindSpec {
    name: "coordinates",
    rule_id: "Coordinates",
    title: "Coordinates",
    description: "Coordinates place a person, often to a building.",
    identifies: Identifies::Alone,
    role: Role::Location,
    normal: Normal::Number,
    hints: &[Hint::Latitude, Hint::Longitude],
    reads: &[Hint::Latitude, Hint::Longitude],
    mask,
    family: &FAMILY,
    examples: EXAMPLES,
    redact: super::Redaction {
        default: super::RedactAction::Generalise,
        pseudonym: super::Pseudonym::None,
        generalise: super::Generalisation::Decimals,
    },
    tie_rank: 0,
    competes_with: &[],
};

pub const EXAMPLES: &[Example] = &[
    ex("location 48.8566, 2.3522 reported", &["48.8566, 2.3522"]),
    ex(r#"{"loc":[-33.8688,151.2093]}"#, &["-33.8688,151.2093"]),
    ex(
        r#"{"type":"Point","coordinates":[2.35222,48.85661]}"#,
        &["2.35222,48.85661"],
    ),
    ex("gps=40.7128;-74.0060", &["40.7128;-74.0060"]),
    ex(
        r#"{"context":{"location":{"latitude":48.8566,"longitude":2.3522}}}"#,
        &["48.8566", "2.3522"],
    ),
    ex(
        r#"{"location_lat":"37.77","location_lng":"-122.42"}"#,
        &["37.77", "-122.42"],
    ),
    ex(r#"{"lat":48.8566,"zoom":12.5}"#, &[]),
    ex(r#"{"latitude":0.0,"longitude":0.0}"#, &[]),
    ex(r#"{"latitude":123.456,"longitude":2.35}"#, &[]),
    ex("scores 0.123, 0.456 and 1.5, 2.5", &[]),
    ex("embedding [1.2345, 2.3456, 3.4567]", &[]),
    ex("version 1.2.3.4, build 10.123,20.456.7", &[]),
    ex("ratio 95.123, 200.456", &[]),
    ex("took 12.345 ms, then 45.678 ms", &[]),
    ex(
        "GET /map?lat=43.1302&lng=141.7621 HTTP/1.1",
        &["43.1302", "141.7621"],
    ),
    ex(
        r#"{"url":"https://x.example/?z=3&longitude=-70.25&latitude=-33.45"}"#,
        &["-70.25", "-33.45"],
    ),
    ex(
        "level=info latitude=43.1302 longitude=141.7621 msg=ok",
        &["43.1302", "141.7621"],
    ),
    ex(
        "GET /search?ll=43.13,141.76&z=12 and ?latlng=-33.45%2C-70.66",
        &["43.13,141.76", "-33.45%2C-70.66"],
    ),
    // One axis alone, out of range, too coarse, or under another key.
    ex(
        "GET /?lat=43.1302&zoom=12.5\nGET /?lat=95.12&lng=10.12",
        &[],
    ),
    ex("GET /?lat=43.1&lng=141.7 /?flat=43.13&slng=141.76", &[]),
    ex("ll=43.13,141.76,12.5 ratio=43.13,141.76", &[]),
];

const fn ex(input: &'static str, expect: &'static [&'static str]) -> Example {
    Example::lines(Kind::Coordinates, input, expect)
}

/// Decimal places a number in text needs to be part of a coordinate pair.
const TEXT_PLACES: usize = 3;
/// Decimal places a number under a coordinate key needs.
const HINTED_PLACES: usize = 2;

/// Finds latitude/longitude pairs.
pub struct CoordinatesDetector;

impl CoordinatesDetector {
    pub fn new() -> Self {
        CoordinatesDetector
    }
}

impl Default for CoordinatesDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl Detector for CoordinatesDetector {
    fn family(&self) -> &'static str {
        "coordinates"
    }

    fn classes(&self) -> Classes {
        Classes::NONE.with(Class::Decimal)
    }

    fn kinds(&self) -> KindSet {
        KindSet::of(Kind::Coordinates)
    }

    fn find(&self, hay: &Haystack<'_>, enabled: KindSet, out: &mut Vec<Match>) {
        if !enabled.contains(Kind::Coordinates) {
            return;
        }
        let bytes = hay.bytes;
        // A hinted coordinate counts when the other one of its pair is in the same record: on
        // the same line, or in a document written over many lines, in the same object with
        // no bracket between them. The valid ones are grouped from the gaps between them,
        // never by reading a whole line per value, which a file that is one long line would
        // make quadratic.
        let valid: Vec<&HintedValue> = hay
            .hints
            .iter()
            .filter(|h| hinted_coordinate(bytes, h).is_some())
            .collect();
        let same_record = |a: &&HintedValue, b: &&HintedValue| {
            let gap = &bytes[a.start..b.start];
            if hay.document {
                !gap.iter().any(|&c| matches!(c, b'{' | b'}' | b'[' | b']'))
            } else {
                memchr::memchr(b'\n', gap).is_none()
            }
        };
        for line in valid.chunk_by(same_record) {
            let has = |hint: Hint| line.iter().any(|h| h.hint == hint);
            if has(Hint::Latitude) && has(Hint::Longitude) {
                out.extend(line.iter().map(|h| Match {
                    detail: crate::detect::Detail::NONE,
                    start: h.start,
                    end: h.end,
                    kind: Kind::Coordinates,
                }));
            }
        }
        let mut next = 0;
        for dot in hay.candidates(Class::Decimal) {
            if dot < next {
                continue;
            }
            if let Some((start, end)) = pair_at(bytes, dot).or_else(|| keyed_at(bytes, dot)) {
                out.push(Match {
                    detail: crate::detect::Detail::NONE,
                    start,
                    end,
                    kind: Kind::Coordinates,
                });
                next = end;
            }
        }
    }
}

/// A decimal number as written: its span and decimal places.
#[derive(Clone, Copy, Debug)]
struct Number {
    start: usize,
    end: usize,
    places: usize,
}

impl Number {
    /// Its value, read only for a number that has a partner: floats are the commonest token
    /// of an export, and most are turned away by their shape before this.
    fn value(&self, bytes: &[u8]) -> Option<f64> {
        std::str::from_utf8(&bytes[self.start..self.end])
            .ok()?
            .parse()
            .ok()
    }
}

/// Reads the decimal number whose `.` is at `dot`: `-?\d{1,3}\.\d+`, not glued to other
/// number or word bytes.
fn number_at(bytes: &[u8], dot: usize) -> Option<Number> {
    let int = bytes[..dot]
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let places = bytes[dot + 1..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if !(1..=3).contains(&int) || places == 0 {
        return None;
    }
    let mut start = dot - int;
    if start > 0 && bytes[start - 1] == b'-' {
        start -= 1;
    }
    let end = dot + 1 + places;
    let glued = |b: u8| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b >= 0x80;
    if start > 0 && (glued(bytes[start - 1]) || bytes[start - 1] == b'-') {
        return None;
    }
    // A full stop after the number ends a sentence; a dot and a digit continue a version.
    let continues = match bytes.get(end) {
        Some(b'.') => bytes.get(end + 1).is_some_and(u8::is_ascii_digit),
        Some(&b) => glued(b),
        None => false,
    };
    if continues {
        return None;
    }
    Some(Number { start, end, places })
}

/// The span of a coordinate pair whose first number has its `.` at `dot`.
fn pair_at(bytes: &[u8], dot: usize) -> Option<(usize, usize)> {
    // A pair's first number has a digit before its `.` and at least [`TEXT_PLACES`] after:
    // told from the bytes before any number is read, which turns away most decimals of an
    // export (prices, `126.0`, versions) in a few comparisons.
    let digit_before = dot > 0 && bytes[dot - 1].is_ascii_digit();
    let places = bytes.get(dot + 1..dot + 1 + TEXT_PLACES);
    if !(digit_before && places.is_some_and(|p| p.iter().all(u8::is_ascii_digit))) {
        return None;
    }
    let first = number_at(bytes, dot)?;
    if first.places < TEXT_PLACES {
        return None;
    }
    let sep = separator_len(&bytes[first.end..])?;
    let second_start = first.end + sep;
    let second_dot = second_start
        + usize::from(bytes.get(second_start) == Some(&b'-'))
        + bytes[second_start..]
            .iter()
            .skip(usize::from(bytes.get(second_start) == Some(&b'-')))
            .take_while(|b| b.is_ascii_digit())
            .count();
    if bytes.get(second_dot) != Some(&b'.') {
        return None;
    }
    let second = number_at(bytes, second_dot)?;
    if second.start != second_start || second.places < TEXT_PLACES {
        return None;
    }
    let (a, b) = (first.value(bytes)?, second.value(bytes)?);
    let in_range = |lat: f64, lon: f64| lat.abs() <= 90.0 && lon.abs() <= 180.0;
    if !(in_range(a, b) || in_range(b, a)) || (a.abs() < 1.0 && b.abs() < 1.0) {
        return None;
    }
    if in_list_before(bytes, first.start) || in_list_after(bytes, second.end) {
        return None;
    }
    Some((first.start, second.end))
}

/// What a `key=` before a number says of it in a query string or a `key=value` log.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Axis {
    Latitude,
    Longitude,
    /// `ll=43.13,141.76`: both, latitude first.
    Pair,
}

/// The axis of a query-string or log key (`lat`, `longitude`, `ll`), ASCII case ignored.
fn axis_of(key: &[u8]) -> Option<Axis> {
    const KEYS: &[(&str, Axis)] = &[
        ("lat", Axis::Latitude),
        ("latitude", Axis::Latitude),
        ("lng", Axis::Longitude),
        ("lon", Axis::Longitude),
        ("long", Axis::Longitude),
        ("longitude", Axis::Longitude),
        ("ll", Axis::Pair),
        ("latlng", Axis::Pair),
        ("latlon", Axis::Pair),
        ("latlong", Axis::Pair),
        ("lat_lng", Axis::Pair),
        ("lat_lon", Axis::Pair),
    ];
    KEYS.iter()
        .find(|(k, _)| k.as_bytes().eq_ignore_ascii_case(key))
        .map(|&(_, axis)| axis)
}

/// The key of a `key=value` whose `=` is at `eq`: letters and `_` back to a separator of
/// query strings and logs (`?`, `&`, `;`, a blank, a quote) or the start of the text.
fn key_before_eq(bytes: &[u8], eq: usize) -> Option<&[u8]> {
    let mut i = eq;
    while i > 0 && eq - i <= 12 && (bytes[i - 1].is_ascii_alphabetic() || bytes[i - 1] == b'_') {
        i -= 1;
    }
    let bounded = i == 0
        || matches!(
            bytes[i - 1],
            b'?' | b'&' | b';' | b' ' | b'\t' | b'"' | b'\'' | b'\n'
        );
    (i < eq && bounded).then(|| &bytes[i..eq])
}

/// A coordinate after a `lat=`, `lng=` or `ll=` key whose number has its `.` at `dot`: a
/// number with two decimal places or more, in range, with the complementary key on the same
/// line within [`KEYED_WINDOW`] bytes (for a single axis); or both numbers of a pair key.
fn keyed_at(bytes: &[u8], dot: usize) -> Option<(usize, usize)> {
    // Most decimals are JSON numbers: only one right after a `=` is read further.
    let int = bytes[..dot]
        .iter()
        .rev()
        .take(4)
        .take_while(|b| b.is_ascii_digit())
        .count();
    let sign = usize::from(dot > int && bytes[dot - int - 1] == b'-');
    if dot < int + sign + 1 || bytes[dot - int - sign - 1] != b'=' {
        return None;
    }
    let number = number_at(bytes, dot)?;
    if number.places < HINTED_PLACES || number.start == 0 || bytes[number.start - 1] != b'=' {
        return None;
    }
    let axis = axis_of(key_before_eq(bytes, number.start - 1)?)?;
    let value = number.value(bytes)?;
    match axis {
        Axis::Pair => {
            let rest = &bytes[number.end..];
            let sep = if rest.starts_with(b",") {
                1
            } else if rest.len() >= 3 && rest[..3].eq_ignore_ascii_case(b"%2C") {
                3
            } else {
                return None;
            };
            let second = number_starting(bytes, number.end + sep)?;
            let lon = second.value(bytes)?;
            let ok = second.places >= HINTED_PLACES
                && value.abs() <= 90.0
                && lon.abs() <= 180.0
                && !(value == 0.0 && lon == 0.0)
                && !in_list_after(bytes, second.end);
            ok.then_some((number.start, second.end))
        }
        Axis::Latitude | Axis::Longitude => {
            let (limit, other) = match axis {
                Axis::Latitude => (90.0, Axis::Longitude),
                _ => (180.0, Axis::Latitude),
            };
            if value.abs() > limit || value == 0.0 {
                return None;
            }
            let lo = number.start.saturating_sub(KEYED_WINDOW);
            let hi = bytes.len().min(number.end + KEYED_WINDOW);
            let other_limit = if limit == 90.0 { 180.0 } else { 90.0 };
            let near = |from: usize, to: usize| {
                memchr::memchr_iter(b'=', &bytes[from..to]).any(|i| {
                    let eq = from + i;
                    key_before_eq(bytes, eq).and_then(axis_of) == Some(other)
                        && number_after_eq(bytes, eq).is_some_and(|(n, v)| {
                            n.places >= HINTED_PLACES && v.abs() <= other_limit && v != 0.0
                        })
                })
            };
            let after =
                memchr::memchr(b'\n', &bytes[number.end..hi]).map_or(hi, |i| number.end + i);
            let before =
                memchr::memrchr(b'\n', &bytes[lo..number.start]).map_or(lo, |i| lo + i + 1);
            (near(number.end, after) || near(before, number.start))
                .then_some((number.start, number.end))
        }
    }
}

/// The decimal number right after the `=` at `eq`, with its value.
fn number_after_eq(bytes: &[u8], eq: usize) -> Option<(Number, f64)> {
    let number = number_starting(bytes, eq + 1)?;
    Some((number, number.value(bytes)?))
}

/// The decimal number `-?\d{1,3}\.\d+` that starts at `start` (whatever comes before it: a
/// `=` or the `%2C` of a query string), not continued by word bytes or another `.` and digit.
fn number_starting(bytes: &[u8], start: usize) -> Option<Number> {
    let sign = usize::from(bytes.get(start) == Some(&b'-'));
    let int = bytes
        .get(start + sign..)?
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let dot = start + sign + int;
    if !(1..=3).contains(&int) || bytes.get(dot) != Some(&b'.') {
        return None;
    }
    let places = bytes[dot + 1..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let end = dot + 1 + places;
    let continues = match bytes.get(end) {
        Some(b'.') => bytes.get(end + 1).is_some_and(u8::is_ascii_digit),
        Some(&b) => b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80,
        None => false,
    };
    (places > 0 && !continues).then_some(Number { start, end, places })
}

/// How far from a `lat=` value its `lng=` may be (and the reverse), on the same line.
const KEYED_WINDOW: usize = 96;

/// The length of a separator between the two numbers of a pair: `,`, `;` or `/`, each
/// optionally followed by a space, or a single space.
fn separator_len(rest: &[u8]) -> Option<usize> {
    match rest {
        [b',' | b';' | b'/', b' ', ..] => Some(2),
        [b',' | b';' | b'/' | b' ', ..] => Some(1),
        _ => None,
    }
}

/// True when a number and a separator come just before `start` (`1.5, 48.85, 2.35`).
fn in_list_before(bytes: &[u8], start: usize) -> bool {
    let before = &bytes[..start];
    let trimmed = before.strip_suffix(b" ").unwrap_or(before);
    trimmed
        .strip_suffix(b",")
        .or_else(|| trimmed.strip_suffix(b";"))
        .is_some_and(|b| b.last().is_some_and(u8::is_ascii_digit))
}

/// True when a separator and a number come just after `end`.
fn in_list_after(bytes: &[u8], end: usize) -> bool {
    let rest = &bytes[end..];
    let rest = match rest {
        [b',' | b';', b' ', ..] => &rest[2..],
        [b',' | b';', ..] => &rest[1..],
        _ => return false,
    };
    matches!(rest, [b'-', b'0'..=b'9', ..] | [b'0'..=b'9', ..])
}

/// The value of a coordinate under a `lat`/`lng` key, if it is one.
fn hinted_coordinate(bytes: &[u8], h: &HintedValue) -> Option<f64> {
    let limit = match h.hint {
        Hint::Latitude => 90.0,
        Hint::Longitude => 180.0,
        _ => return None,
    };
    let text = std::str::from_utf8(&bytes[h.start..h.end]).ok()?;
    let places = text.split_once('.')?.1;
    if places.len() < HINTED_PLACES || !places.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: f64 = text.parse().ok()?;
    (value.abs() <= limit && value != 0.0).then_some(value)
}

/// Keeps the sign, the integer part and the first decimal of each number: `48.8*, 2.3*`; a
/// number of one decimal keeps none (`48.*`), and a value with no decimal to hide is hidden
/// whole (`***`), so that a mask never shows all of a value.
pub fn mask(value: &str) -> CompactString {
    let mut out = CompactString::with_capacity(value.len() + 2);
    let mut hidden = false;
    let mut rest = value;
    while let Some(dot) = rest.find('.') {
        out.push_str(&rest[..=dot]);
        let after = &rest[dot + 1..];
        let places = after.bytes().take_while(u8::is_ascii_digit).count();
        if places > 1 {
            out.push_str(&after[..1]);
        }
        if places > 0 {
            out.push('*');
            hidden = true;
        }
        rest = &after[places..];
    }
    if !hidden {
        return CompactString::const_new("***");
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::structure::json;

    fn found(text: &str) -> Vec<&str> {
        let bytes = text.as_bytes();
        let mut hints = Vec::new();
        json::find_hints(bytes, &mut hints);
        let hay = Haystack::new(bytes, &hints);
        let mut out = Vec::new();
        CoordinatesDetector::new().find(&hay, KindSet::all(), &mut out);
        out.sort();
        out.iter().map(|m| &text[m.start..m.end]).collect()
    }

    #[test]
    fn examples_hold_with_json_hints() {
        // CSV examples need the engine's column hints: they run in its harness.
        for example in EXAMPLES
            .iter()
            .filter(|e| e.shape == crate::detect::Shape::Lines)
        {
            assert_eq!(
                found(example.input),
                example.expect,
                "in {:?}",
                example.input
            );
        }
    }

    #[test]
    fn boundaries() {
        let cases: &[(&str, &[&str])] = &[
            ("48.8566, 2.3522", &["48.8566, 2.3522"]),
            ("x\n48.8566,2.3522\n", &["48.8566,2.3522"]),
            ("48.8566,\n2.3522", &[]),
            ("a48.8566, 2.3522", &[]),
            ("48.8566, 2.3522b", &[]),
            ("1048.8566, 2.3522", &[]),
            ("48.8566, 2.3522.7", &[]),
            ("at 48.8566, 2.3522.", &["48.8566, 2.3522"]),
            ("--48.8566, 2.3522", &[]),
            ("48.8566,  2.3522", &[]),
            ("-90.000, -180.000", &["-90.000, -180.000"]),
            ("-90.001, -180.000", &[]),
            ("48.85, 2.35", &[]),
            (".", &[]),
            ("1.", &[]),
        ];
        for (text, want) in cases {
            assert_eq!(found(text), *want, "in {text:?}");
        }
    }

    #[test]
    fn hinted_partners_on_the_same_line() {
        assert_eq!(
            found("{\"lat\":48.8566}\n{\"lng\":2.3522}"),
            Vec::<&str>::new()
        );
        assert_eq!(
            found(r#"{"lng":2.3522,"lat":48.8566}"#),
            ["2.3522", "48.8566"]
        );
    }

    #[test]
    fn masks() {
        assert_eq!(mask("48.8566, 2.3522"), "48.8*, 2.3*");
        assert_eq!(mask("-33.8688"), "-33.8*");
        assert_eq!(mask("48.8"), "48.*");
        assert_eq!(mask("48"), "***");
        assert_eq!(mask("48.85,2"), "48.8*,2");
    }

    proptest::proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let hay = Haystack::plain(&bytes);
            let mut out = Vec::new();
            CoordinatesDetector::new().find(&hay, KindSet::all(), &mut out);
            for m in out {
                proptest::prop_assert!(m.start < m.end && m.end <= bytes.len());
            }
        }

        #[test]
        fn pairs_in_range_are_found(lat in -89.0f64..89.0, lon in -179.0f64..179.0) {
            proptest::prop_assume!(lat.abs() >= 1.0 || lon.abs() >= 1.0);
            let text = format!("at {lat:.4}, {lon:.4} now");
            let want = format!("{lat:.4}, {lon:.4}");
            proptest::prop_assert_eq!(found(&text), vec![want.as_str()]);
        }
    }
}
