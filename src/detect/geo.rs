//! Places: cities, first-level regions and countries, from GeoNames and ISO 3166.
//!
//! One dictionary holds every place name (39,842 city names of places over 15,000 people,
//! 4,744 regions, 271 country names, multi-word names like `Rio de Janeiro` among them; tables
//! that `build.rs` writes), each tagged with the kinds it can be and with what makes it risky
//! (an ordinary word or a generic term such as `Central`, also a first name).
//! It is asked at two kinds of positions:
//!
//! * **Values under place keys** (`$city`, `$region`, `mp_country_code`, CSV `country`).
//!   The key does most of the work: any city-shaped value under a city key is a city, even a
//!   village missing from the list; a region must be a known region (keys named `region` or
//!   `state` also hold `us-east-1` and `active`); a country is a known name or ISO code, and
//!   two-letter codes are believed only here, never in free text (`IN`, `US`, `DE`).
//! * **Capitalised words in text.** A place name in prose is taken on sight only when it is
//!   unambiguous: a country, a region, or a city of 100,000 people or more, that is neither an
//!   ordinary English word (`Nice`, `Mobile`, `Reading`, `Of`, `Split`) nor a first name
//!   (`Florence`, `Austin`; `Paris` and `Sydney` are big enough to pass). Those, and smaller
//!   towns, need strong context: a
//!   preposition of place before (`moved to Nice`, not at the start of a sentence) or a
//!   country or region after (`Reading, UK`, `Mobile, Alabama`).
//!
//! Words that are places in other roles are judged by the words around them: a day or month
//! (or its abbreviation) beside a number or another day or month is a date (`Mon, 07 Dec
//! 2026`: not Myanmar's Mon State; `Sun 13 Dec`); a place that is also a first name is a
//! product after `Air` or before a model number or a product noun (`Air Jordan`, `Jordan 1`,
//! `Jordan shoes`: not the country), and a person before a surname (`Jordan Smith`);
//! `Washington DC` and `Washington, D.C.` are the city, whole, not the state.

use std::sync::OnceLock;

use super::dictionary::{built_in, Dictionary};
use super::name_context;
use super::place_shape::looks_like_place;
use super::tables::KnownPlace;
use super::text::{for_each_capital_start, is_title_case, is_weekday, opens_sentence, word_end};
use super::{Detector, Example, Haystack, Hint, HintCursor, Match};
use super::{Family, Identifies, Kind, KindSet, KindSpec, Normal, Role};
use crate::prefilter::{Class, Classes};

/// The geo detector family.
pub static FAMILY: Family = Family {
    name: "geo",
    build: || Box::new(GeoDetector::new()),
};

pub static CITY: KindSpec = KindSpec {
    name: "city",
    rule_id: "City",
    title: "City",
    description: "A city places a person; with other fields it identifies them.",
    identifies: Identifies::Alone,
    role: Role::Location,
    normal: Normal::Text,
    hints: &[Hint::City],
    reads: super::text::WORDS_READ,
    mask: super::text::mask_words,
    family: &FAMILY,
    examples: EXAMPLES,
    redact: super::Redaction {
        default: super::RedactAction::Mask,
        pseudonym: super::Pseudonym::Label("City"),
        generalise: super::Generalisation::Country,
    },
    tie_rank: 0,
    competes_with: &[],
};

pub static REGION: KindSpec = KindSpec {
    name: "region",
    rule_id: "Region",
    title: "Region",
    description: "A region places a person; with other fields it identifies them.",
    identifies: Identifies::Alone,
    role: Role::Location,
    normal: Normal::Text,
    hints: &[Hint::Region, Hint::MaybeRegion],
    reads: super::text::WORDS_READ,
    mask: super::text::mask_words,
    family: &FAMILY,
    examples: EXAMPLES,
    redact: super::Redaction {
        default: super::RedactAction::Mask,
        pseudonym: super::Pseudonym::Label("Region"),
        generalise: super::Generalisation::Country,
    },
    tie_rank: 0,
    competes_with: &[],
};

pub static COUNTRY: KindSpec = KindSpec {
    name: "country",
    rule_id: "Country",
    title: "Country",
    description: "A country places a person; with other fields it identifies them.",
    identifies: Identifies::Alone,
    role: Role::Location,
    normal: Normal::Text,
    hints: &[Hint::Country, Hint::CountryCode],
    reads: super::text::WORDS_READ,
    mask: super::text::mask_words,
    family: &FAMILY,
    examples: EXAMPLES,
    redact: super::Redaction {
        default: super::RedactAction::Mask,
        pseudonym: super::Pseudonym::Label("Country"),
        generalise: super::Generalisation::None,
    },
    tie_rank: 0,
    competes_with: &[],
};

pub const EXAMPLES: &[Example] = &[
    city(
        r#"{"properties":{"$city":"Lyon","$region":"Auvergne-Rhône-Alpes"}}"#,
        &["Lyon"],
    ),
    city(r#"{"$city":"PARIS"}"#, &["PARIS"]),
    city(r#"{"$city":"S\u00e3o Paulo"}"#, &[r"S\u00e3o Paulo"]),
    city(r#"{"$city":"Smallville"}"#, &["Smallville"]),
    city(r#"{"$city":"Nice","$browser":"Mobile Safari"}"#, &["Nice"]),
    city(
        r#"{"city":"null","$city":"(not set)","geo_city":"123"}"#,
        &[],
    ),
    city("I moved to Lyon, France last week", &["Lyon"]),
    city(
        "Flights from Rio de Janeiro to Los Angeles",
        &["Rio de Janeiro", "Los Angeles"],
    ),
    city("Nice work! Reading the docs on the Mobile app.", &[]),
    city(
        "we met in Nice and then in Reading, UK",
        &["Nice", "Reading"],
    ),
    city("Florence called; Austin replied", &[]),
    region(
        r#"{"$region":"Auvergne-Rhône-Alpes"}"#,
        &["Auvergne-Rhône-Alpes"],
    ),
    region(r#"{"region":"us-east-1","state":"active"}"#, &[]),
    region(
        r#"{"region":"Jiangsu","$geoip_subdivision_1_name":"Blekinge l\u00e4n","home_region":"Tverskaya oblast'"}"#,
        &["Jiangsu", r"Blekinge l\u00e4n", "Tverskaya oblast'"],
    ),
    region(
        r#"{"state":"Jiangsu","region":"(not set)","geo_region":"N/A","aws_region":"eu-west"}"#,
        &[],
    ),
    Example::csv(
        Kind::City,
        "id,signup_city,aws_region\n1,Lyon,us-east-1\n2,Smallville,eu-west\n",
        &["Lyon", "Smallville"],
    ),
    Example::csv(
        Kind::City,
        "id,city\n1,Lyon\n2,Smallville\n",
        &["Lyon", "Smallville"],
    ),
    Example::csv(Kind::Region, "id,state,plan\n1,active,Mobile\n", &[]),
    region(
        r#"{"traits":{"address":{"state":"California"}}}"#,
        &["California"],
    ),
    region("shipping to Ontario and Texas", &["Ontario", "Texas"]),
    region("the Central office, Western team", &[]),
    country(
        r#"{"mp_country_code":"FR","$country_code":"de"}"#,
        &["FR", "de"],
    ),
    country(
        r#"{"country":"United Kingdom","country_code":"GBR"}"#,
        &["United Kingdom", "GBR"],
    ),
    country(r#"{"mp_country_code":"ZZ","country":"Narnia"}"#, &[]),
    country("I moved to Lyon, France last week", &["France"]),
    country("IN US DE: codes in text are not countries", &[]),
    country(
        "Turkey sandwich, china cups; we flew to Turkey",
        &["Turkey"],
    ),
    city("We shipped it in March, tested it in May", &[]),
    city("We met in March, England", &["March"]),
    region(
        "I watched Indiana Jones; she reads the Washington Post",
        &[],
    ),
    region(
        "Offices in Texas and Indiana. Texas Ohio",
        &["Texas", "Indiana", "Texas", "Ohio"],
    ),
    // Words that are places in other roles.
    region(
        "Date: Mon, 07 Dec 2026 10:00:00 GMT; Mon Dec  7 2026; Sun 13 Dec; Sat, 12 Dec",
        &[],
    ),
    region("we opened an office in Mon last year", &["Mon"]),
    city("We shipped it on Mar 3 and in March 2026", &[]),
    city(
        "She lives in Washington DC now; offices in Washington, D.C. and Washington D.C.",
        &["Washington DC", "Washington, D.C.", "Washington D.C."],
    ),
    region(
        "She lives in Washington DC; Washington, D.C. is not the state of Washington.",
        &["Washington"],
    ),
    country(
        "He bought Air Jordan 1 sneakers, Jordan 11 Retro and Jordan shoes; Jordan Smith called.",
        &[],
    ),
    country(
        "I moved to Jordan last year; Amman, Jordan",
        &["Jordan", "Jordan"],
    ),
    country(
        r#"{"product_name":"Air Jordan","product":{"name":"Jordan"},"variant":"Jordan 11"}"#,
        &[],
    ),
    // Towns that no list has, told by a preposition before and a country or region after.
    city(
        "I moved to Matsamo, South Africa; offices in Villafranca del Cid, Spain and in Oberwil-Lieli, CH",
        &["Matsamo", "Villafranca del Cid", "Oberwil-Lieli"],
    ),
    country("I moved to Matsamo, South Africa last month", &["South Africa"]),
    city(
        "Matsamo, South Africa; in Acme2, France; to Rxq_a, Spain; in Matsamo, Acme",
        &[],
    ),
    city("Hi Matsamo, Jordan here. I talked to Matsamo, Spain called", &[]),
    // A greeting or a sign-off names a person; `to` after a verb of owning or telling names
    // an owner or a listener, not a destination.
    city("Hi Milan, thanks. Best, Xiuying", &[]),
    city("Thanks for the update.\nBest regards,\nXiuying", &[]),
    city(
        "The account belongs to Toki Afonja; I spoke to Toki Sato. We ship to Toki.",
        &["Toki"],
    ),
];

const fn city(input: &'static str, expect: &'static [&'static str]) -> Example {
    Example::lines(Kind::City, input, expect)
}

const fn region(input: &'static str, expect: &'static [&'static str]) -> Example {
    Example::lines(Kind::Region, input, expect)
}

const fn country(input: &'static str, expect: &'static [&'static str]) -> Example {
    Example::lines(Kind::Country, input, expect)
}

/// Cities this big are believed in text without context (unless their name is risky).
const BIG_CITY: u32 = 100_000;
/// Cities this big are believed in text even when their name is also a first name (`Paris`,
/// `Sydney`, but not `Florence` or `Austin`).
const HUGE_CITY: u32 = 1_000_000;

/// Prepositions that announce a place: `in Reading`, `moved to Nice`.
const PLACE_PREPOSITIONS: &[&str] = &[
    "in", "from", "to", "near", "at", "visiting", "outside", "around", "via", "towards",
];

/// Verbs whose `to` names an owner or a listener, not a destination: `belongs to Toki Afonja`,
/// `spoke to Florence` (`moved to`, `ship to`, `sent to` still announce places).
const TO_A_PERSON: &[&str] = &[
    "belongs",
    "belong",
    "belonged",
    "belonging",
    "talk",
    "talked",
    "speak",
    "spoke",
    "spoken",
    "reply",
    "replied",
    "respond",
    "responded",
    "assigned",
    "reassigned",
    "married",
    "introduce",
    "introduced",
    "according",
];

impl KnownPlace {
    /// The kind a place name in text is reported as: a country before a region before a
    /// city, unless the city is huge (`Singapore` is a country, `Ontario` and `Washington`
    /// regions, `Tokyo` a city).
    fn text_kind(&self) -> Kind {
        if self.country {
            Kind::Country
        } else if self.city && (!self.region || self.population >= HUGE_CITY) {
            Kind::City
        } else {
            Kind::Region
        }
    }

    /// Whether the name can be believed in text without context.
    fn stands_alone(&self) -> bool {
        if self.common {
            return false;
        }
        self.country
            || self.population >= HUGE_CITY
            || (!self.person && (self.region || self.population >= BIG_CITY))
    }
}

struct Gazetteer {
    places: Dictionary<KnownPlace>,
    /// ISO 3166-1 alpha-2 and alpha-3 codes.
    codes: Dictionary<()>,
}

fn gazetteer() -> &'static Gazetteer {
    static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
    GAZETTEER.get_or_init(|| Gazetteer {
        places: Dictionary::new(built_in!("places"), KnownPlace::from_bits),
        codes: Dictionary::new(built_in!("country_codes"), |_| ()),
    })
}

/// Finds cities, regions and countries in text and under place keys.
pub struct GeoDetector {
    gazetteer: &'static Gazetteer,
}

impl GeoDetector {
    pub fn new() -> Self {
        GeoDetector {
            gazetteer: gazetteer(),
        }
    }
}

impl Default for GeoDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl Detector for GeoDetector {
    fn family(&self) -> &'static str {
        "geo"
    }

    fn classes(&self) -> Classes {
        Classes::NONE.with(Class::Capital)
    }

    fn kinds(&self) -> KindSet {
        [Kind::City, Kind::Region, Kind::Country]
            .into_iter()
            .collect()
    }

    fn find(&self, hay: &Haystack<'_>, enabled: KindSet, out: &mut Vec<Match>) {
        let bytes = hay.bytes;
        for h in hay.hints {
            let (start, end) = trim(bytes, h.start, h.end);
            if let Some(kind) = self.hinted_kind(h.hint, &bytes[start..end]) {
                if enabled.contains(kind) {
                    out.push(Match::new(start, end, kind));
                }
            }
        }
        // Where the last place believed in text ends: `Lyon, France` makes `France` a place.
        let mut last_place_end = None;
        // The end of the line of the current candidate, found once per line.
        let mut line_end = 0;
        let mut hinted = HintCursor::new(hay.hints);
        for_each_capital_start(hay, |pos| {
            // A value under a place or name key was decided by its key above.
            if let Some(h) = hinted.around(pos).filter(|h| h.hint.settles_words()) {
                return h.end;
            }
            if pos >= line_end {
                line_end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
            }
            let Some((end, place)) = self.gazetteer.places.longest_at(bytes, pos, line_end) else {
                // `I moved to Matsamo, South Africa`: a town that no list has.
                let Some(town) = self.unlisted_town(bytes, pos, line_end) else {
                    return word_end(bytes, pos);
                };
                last_place_end = Some(town);
                if enabled.contains(Kind::City) {
                    out.push(Match::new(pos, town, Kind::City));
                }
                return town;
            };
            if !is_title_case(&bytes[pos..word_end(bytes, pos)]) {
                return end;
            }
            let word = &bytes[pos..end];
            // `Mon, 07 Dec`: a date; `Air Jordan`, `Jordan shoes`: a product.
            if (place.person && names_a_product(bytes, pos, end, line_end))
                || in_a_date(bytes, pos, end, line_end)
            {
                return end;
            }
            // `Washington DC`, `Washington, D.C.`: the city, whole.
            if let Some(district) = (word == b"Washington")
                .then(|| district_of_columbia(bytes, end, line_end))
                .flatten()
            {
                last_place_end = Some(district);
                if enabled.contains(Kind::City) {
                    out.push(Match::new(pos, district, Kind::City));
                }
                return district;
            }
            let believed = ((place.stands_alone()
                && !(place.person && opens_sentence(bytes, pos))
                && !self.proper_noun_follows(bytes, end, line_end))
                || (after_place_preposition(bytes, pos)
                    && !opens_sentence(bytes, pos)
                    && !is_calendar_word(&bytes[pos..end]))
                || self.place_follows(bytes, end, line_end)
                || last_place_end.is_some_and(|e| pos == e + 2 && bytes[e..pos] == *b", "))
                // `Hi Milan,`, `Best, Xiuying`: a greeting or a sign-off names a person.
                && !name_context::introduced_at(bytes, pos);
            if believed {
                last_place_end = Some(end);
            }
            let kind = place.text_kind();
            if believed && enabled.contains(kind) {
                out.push(Match {
                    detail: crate::detect::Detail::NONE,
                    start: pos,
                    end,
                    kind,
                });
            }
            end
        });
    }
}

impl GeoDetector {
    /// The kind of a value under a place key, if it is one: a known place of that kind, or
    /// under a city or region key any value with a place's shape ([`looks_like_place`]:
    /// `Jiangsu`, `Blekinge län`); a country key also takes a known code. Under `state`, which
    /// also holds `active` or `pending`, only a known region.
    fn hinted_kind(&self, hint: Hint, value: &[u8]) -> Option<Kind> {
        let known = || self.gazetteer.places.get(value);
        let code = || self.gazetteer.codes.get(value).is_some();
        match hint {
            Hint::City => {
                (known().is_some_and(|p| p.city) || looks_like_place(value)).then_some(Kind::City)
            }
            Hint::Region => (known().is_some_and(|p| p.region) || looks_like_place(value))
                .then_some(Kind::Region),
            Hint::MaybeRegion => known().is_some_and(|p| p.region).then_some(Kind::Region),
            // Countries are a closed list, known in their common and official forms: a
            // country key's unknown value (`Narnia`, a product) is not one.
            Hint::Country => {
                (known().is_some_and(|p| p.country) || code()).then_some(Kind::Country)
            }
            Hint::CountryCode => code().then_some(Kind::Country),
            _ => None,
        }
    }

    /// True when a capitalised word that starts no place follows `end` after one space: the
    /// place name is then the start of another name (`Indiana Jones`, `Washington Post`).
    fn proper_noun_follows(&self, bytes: &[u8], end: usize, line_end: usize) -> bool {
        let next = end + 1;
        if bytes.get(end) != Some(&b' ') || next >= line_end {
            return false;
        }
        let word = &bytes[next..word_end(bytes, next)];
        !word.is_empty()
            && is_title_case(word)
            && self
                .gazetteer
                .places
                .longest_at(bytes, next, line_end)
                .is_none()
    }

    /// The end of the name of a town that no list has, at `pos`, when a preposition of place
    /// comes before it and a known country or region after a comma (`moved to Matsamo, South
    /// Africa`, `in Villafranca del Cid, Spain`): up to [`MAX_TOWN_WORDS`] capitalised words of
    /// letters, short lower-case particles between them. Without both, a capitalised word
    /// after `in` is as often a month, a product or a language (`in Python, Java`).
    fn unlisted_town(&self, bytes: &[u8], pos: usize, line_end: usize) -> Option<usize> {
        if !after_place_preposition(bytes, pos) || opens_sentence(bytes, pos) {
            return None;
        }
        let mut end = pos;
        let mut next = pos;
        for _ in 0..MAX_TOWN_WORDS + 2 {
            let word_end = letters_end(bytes, next, line_end);
            let word = &bytes[next..word_end];
            if word.is_empty() {
                break;
            }
            if is_title_case(word) {
                end = word_end;
            } else if !(word.len() <= 4 && word.iter().all(u8::is_ascii_lowercase)) {
                break;
            }
            if bytes.get(word_end) != Some(&b' ') {
                break;
            }
            next = word_end + 1;
        }
        let words = bytes[pos..end].split(|&b| b == b' ').count();
        (end > pos
            && words <= MAX_TOWN_WORDS
            && self.place_follows(bytes, end, line_end)
            && !is_calendar_word(&bytes[pos..end])
            && !name_context::introduced_at(bytes, pos))
        .then_some(end)
    }

    /// True when `, Country`, `, Region` or `, XX` (a capitalised code) follows `end`.
    fn place_follows(&self, bytes: &[u8], end: usize, line_end: usize) -> bool {
        if !bytes[end..line_end].starts_with(b", ") {
            return false;
        }
        let next = end + 2;
        let word = &bytes[next..word_end(bytes, next)];
        if (2..=3).contains(&word.len()) && word.iter().all(u8::is_ascii_uppercase) {
            return self.gazetteer.codes.get(word).is_some() || word == b"UK";
        }
        is_title_case(word)
            && self
                .gazetteer
                .places
                .longest_at(bytes, next, line_end)
                .is_some_and(|(_, p)| p.country || p.region)
    }
}

/// The most words of a town's name that no list has: `Villafranca del Cid`.
const MAX_TOWN_WORDS: usize = 4;

/// The end of the word of letters (any script; `-` and `'` inside) that starts at `pos`;
/// `pos` when a digit, `_` or another symbol comes first or within it.
fn letters_end(bytes: &[u8], pos: usize, line_end: usize) -> usize {
    let mut end = pos;
    while end < line_end {
        let b = bytes[end];
        let joiner = matches!(b, b'-' | b'\'')
            && end > pos
            && bytes
                .get(end + 1)
                .is_some_and(|&n| n.is_ascii_alphabetic() || n >= 0x80);
        if b.is_ascii_alphabetic() || b >= 0x80 || joiner {
            end += 1;
        } else if b.is_ascii_digit() || b == b'_' {
            return pos;
        } else {
            break;
        }
    }
    end
}

/// Months and days: `in March` and `on Sunday` are dates, whatever towns bear the name.
fn is_calendar_word(word: &[u8]) -> bool {
    const MONTHS: &[&str] = &[
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    is_weekday(word)
        || MONTHS
            .iter()
            .any(|c| c.as_bytes().eq_ignore_ascii_case(word))
}

/// Days and months as dates abbreviate them (`Mon`, `Sept`).
const CALENDAR_ABBREVIATIONS: &[&str] = &[
    "Mon", "Tue", "Tues", "Wed", "Thu", "Thur", "Thurs", "Fri", "Sat", "Sun", "Jan", "Feb", "Mar",
    "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
];

/// True for a day or month, whole or abbreviated.
fn is_day_or_month(word: &[u8]) -> bool {
    is_calendar_word(word) || CALENDAR_ABBREVIATIONS.iter().any(|c| c.as_bytes() == word)
}

/// True when the day or month at `pos..end` is part of a date: a number or another day or
/// month follows it (past a `,` or `.` and blanks: `Mon, 07 Dec`, `Mon Dec 7`, `Mar 3`), or a
/// number comes right before it (`07 Dec`).
fn in_a_date(bytes: &[u8], pos: usize, end: usize, line_end: usize) -> bool {
    if !is_day_or_month(&bytes[pos..end]) {
        return false;
    }
    let mut next = end;
    if matches!(bytes.get(next), Some(b',' | b'.')) {
        next += 1;
    }
    let blanks = bytes[next..line_end]
        .iter()
        .take(3)
        .take_while(|&&b| b == b' ')
        .count();
    let next = next + blanks;
    if blanks > 0 && next < line_end {
        if bytes[next].is_ascii_digit() {
            return true;
        }
        let word = &bytes[next..word_end(bytes, next)];
        if is_day_or_month(word) {
            return true;
        }
    }
    pos >= 2 && bytes[pos - 1] == b' ' && bytes[pos - 2].is_ascii_digit()
}

/// Words of products that a place named like a person also names: `Jordan shoes`.
const PRODUCT_NOUNS: &[&str] = &[
    "shoe", "shoes", "sneaker", "sneakers", "trainers", "retro", "brand", "hoodie", "sandals",
];

/// True when the place at `pos..end`, also a first name, names a product here: after `Air`
/// (`Air Jordan`), or before a model number of up to three digits (`Jordan 1`, `Jordan 11`)
/// or a product noun (`Jordan shoes`).
fn names_a_product(bytes: &[u8], pos: usize, end: usize, line_end: usize) -> bool {
    if bytes[..pos].ends_with(b"Air ") {
        return true;
    }
    if bytes.get(end) != Some(&b' ') || end + 1 >= line_end {
        return false;
    }
    let next = end + 1;
    let word = &bytes[next..word_end(bytes, next)];
    (!word.is_empty() && word.len() <= 3 && word.iter().all(u8::is_ascii_digit))
        || PRODUCT_NOUNS
            .iter()
            .any(|n| n.as_bytes().eq_ignore_ascii_case(word))
}

/// The end of `DC`, `D.C.`, `, DC` or `, D.C.` after `Washington` at `end`, if one follows.
fn district_of_columbia(bytes: &[u8], end: usize, line_end: usize) -> Option<usize> {
    let rest = &bytes[end..line_end];
    let after = [&b", D.C."[..], b" D.C.", b", DC", b" DC"]
        .iter()
        .find(|s| rest.starts_with(s))
        .map(|s| end + s.len())?;
    // `DC` must end a word; `D.C.` ends with its dot.
    (bytes[after - 1] == b'.' || bytes.get(after).is_none_or(|&b| !b.is_ascii_alphanumeric()))
        .then_some(after)
}

/// True when a preposition of place (`in`, `from`, `to`...) is the word before `pos`, and
/// not `to` after a verb whose `to` names a person ([`TO_A_PERSON`]: `belongs to`).
fn after_place_preposition(bytes: &[u8], pos: usize) -> bool {
    let Some(space) = pos.checked_sub(1).filter(|&i| bytes[i] == b' ') else {
        return false;
    };
    let word_before = |end: usize| {
        let start = bytes[..end]
            .iter()
            .rposition(|b| !b.is_ascii_alphabetic())
            .map_or(0, |i| i + 1);
        &bytes[start..end]
    };
    let word = word_before(space);
    if !PLACE_PREPOSITIONS
        .iter()
        .any(|p| p.as_bytes().eq_ignore_ascii_case(word))
    {
        return false;
    }
    let verb_end = space - word.len();
    !(word.eq_ignore_ascii_case(b"to")
        && verb_end > 0
        && bytes[verb_end - 1] == b' '
        && TO_A_PERSON
            .iter()
            .any(|v| v.as_bytes().eq_ignore_ascii_case(word_before(verb_end - 1))))
}

/// True for a value that could name a town: letters of any script, spaces, `-`, `'`, `.`,
/// JSON `\uXXXX` escapes; no digits or other symbols; not a placeholder; capitalised or
/// written in a script without case.
/// `start..end` without surrounding blanks.
fn trim(bytes: &[u8], mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && bytes[start] == b' ' {
        start += 1;
    }
    while end > start && bytes[end - 1] == b' ' {
        end -= 1;
    }
    (start, end)
}

pub fn mask(value: &str) -> compact_str::CompactString {
    super::text::mask_words(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::HintedValue;
    use crate::structure::json;

    fn found(text: &str, kind: Kind) -> Vec<&str> {
        let bytes = text.as_bytes();
        let mut hints: Vec<HintedValue> = Vec::new();
        json::find_hints(bytes, &mut hints);
        let hay = Haystack::new(bytes, &hints);
        let mut out = Vec::new();
        GeoDetector::new().find(&hay, KindSet::all(), &mut out);
        out.retain(|m| m.kind == kind);
        out.sort();
        out.dedup();
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
                found(example.input, example.kind),
                example.expect,
                "{} in {:?}",
                example.kind,
                example.input
            );
        }
    }

    #[test]
    fn boundaries() {
        let cases: &[(&str, &[&str])] = &[
            ("London", &["London"]),
            ("x\nLondon\n", &["London"]),
            ("Londoner Londonderry-x xLondon London2", &[]),
            ("(London)", &["London"]),
            ("LONDON london", &[]),
            ("Los Angeles", &["Los Angeles"]),
            ("Los\nAngeles", &[]),
        ];
        for (text, want) in cases {
            assert_eq!(found(text, Kind::City), *want, "in {text:?}");
        }
    }

    #[test]
    fn kinds_of_ambiguous_names() {
        assert_eq!(found("flew to Singapore", Kind::Country), ["Singapore"]);
        assert_eq!(found("flew to Singapore", Kind::City), Vec::<&str>::new());
        assert_eq!(found(r#"{"$city":"Singapore"}"#, Kind::City), ["Singapore"]);
        assert_eq!(found(r#"{"$region":"Georgia"}"#, Kind::Region), ["Georgia"]);
    }

    /// An event's name (`Moved to Paris`) is the developers' words: only the message is searched.
    #[test]
    fn event_names_are_not_searched() {
        let text = r#"{"event":"Moved to Paris","msg":"Moved to Paris"}"#;
        assert_eq!(found(text, Kind::City), ["Paris"]);
        let at = |m: &&str| m.as_ptr() as usize - text.as_ptr() as usize;
        assert!(found(text, Kind::City)
            .iter()
            .all(|m| at(m) > text.find("msg").unwrap()));
    }

    #[test]
    fn enabled_kinds_only() {
        let text = r#"{"$city":"Lyon","mp_country_code":"FR"} in Paris, France"#;
        let mut hints = Vec::new();
        json::find_hints(text.as_bytes(), &mut hints);
        let hay = Haystack::new(text.as_bytes(), &hints);
        let mut out = Vec::new();
        GeoDetector::new().find(&hay, KindSet::of(Kind::Country), &mut out);
        assert!(out.iter().all(|m| m.kind == Kind::Country));
        assert_eq!(out.len(), 2);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let hay = Haystack::plain(&bytes);
            let mut out = Vec::new();
            GeoDetector::new().find(&hay, KindSet::all(), &mut out);
            for m in out {
                proptest::prop_assert!(m.start < m.end && m.end <= bytes.len());
            }
        }
    }
}
