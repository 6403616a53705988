//! What generated records are made of: real names and places from the same lists the
//! scanner ships (`data/`), or from independent pools (`--pools`, see `pools.rs`), and the
//! tempting non-PII that real exports are full of.

use std::collections::HashMap;

use rand::seq::SliceRandom;
use rand::Rng;

use crate::pools::Pools;

/// A person as an export would hold them.
pub struct Person {
    pub first: String,
    pub last: String,
    pub email: String,
    /// The full name as its locale writes it, when that is not `first last`.
    pub full: Option<String>,
}

impl Person {
    pub fn full_name(&self) -> String {
        if let Some(full) = &self.full {
            full.clone()
        } else if self.last.is_empty() {
            self.first.clone()
        } else {
            format!("{} {}", self.first, self.last)
        }
    }
}

/// A place: a city with its region and country.
pub struct DrawnPlace {
    pub city: String,
    pub region: Option<String>,
    pub country: String,
    pub iso2: String,
    pub iso3: String,
    pub lat: f64,
    pub lon: f64,
}

pub struct Vocab {
    first: Vec<&'static str>,
    last: Vec<&'static str>,
    /// Cities with their country code, the largest first.
    cities: Vec<(&'static str, &'static str, u32)>,
    /// Regions by country code.
    regions: HashMap<&'static str, Vec<&'static str>>,
    /// Country names and ISO codes by alpha-2 code.
    countries: HashMap<&'static str, (&'static str, &'static str)>,
    common: Vec<&'static str>,
    /// Independent pools: names and places come from them instead of the lists above.
    pub pools: Option<Pools>,
}

/// Names written with accents, in scripts without case, or with an apostrophe: the names
/// structured exports hold and ASCII dictionaries miss.
const WORLD_NAMES: &[(&str, &str)] = &[
    ("Zoë", "Müller"),
    ("José", "García"),
    ("Renée", "Dubois"),
    ("François", "Lefèvre"),
    ("Łukasz", "Wójcik"),
    ("Søren", "Østergaard"),
    ("Ana", "Ruiz-Pérez"),
    ("Siobhán", "O'Brien"),
    ("芳", "王"),
    ("健", "佐藤"),
    ("민준", "김"),
    ("محمد", "علي"),
    ("فاطمة", "الزهراء"),
    ("Дмитрий", "Иванов"),
];

/// Names that are ordinary words too, for sentences that use them as words.
pub const WORD_NAMES: &[&str] = &["Will", "May", "Grace", "Mark", "Bill", "Hope", "Faith"];

pub const EVENTS: &[&str] = &[
    "Page View",
    "Button Click",
    "Sign Up",
    "Add To Cart",
    "Checkout",
    "Search",
    "Video Played",
    "Settings Changed",
    "Session Start",
    "Grace Period Started",
];
pub const OS: &[&str] = &[
    "Mac OS X",
    "Windows",
    "iOS",
    "Android",
    "Linux",
    "Chrome OS",
];
pub const BROWSERS: &[&str] = &[
    "Chrome",
    "Safari",
    "Firefox",
    "Edge",
    "Mobile Safari",
    "Opera",
];
pub const PLANS: &[&str] = &[
    "free",
    "pro",
    "team",
    "enterprise",
    "Mobile Pro",
    "Nice Plan",
];
pub const USER_AGENTS: &[&str] = &[
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/AP1A.240305.019)",
];
pub const DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "mail.example.net",
    "corp.example.de",
    "example.co.uk",
    "posteo.example.fr",
];
pub const REFERRERS: &[&str] = &[
    "https://www.google.com/",
    "https://duckduckgo.com/",
    "https://news.ycombinator.com/item?id=41234567",
    "https://www.linkedin.com/feed/",
    "https://partner.example.com/landing?utm_source=newsletter",
];

impl Vocab {
    pub fn load() -> Vocab {
        let tsv = |text: &'static str| text.lines().map(|l| l.split('\t').collect::<Vec<_>>());
        let mut cities: Vec<(&str, &str, u32)> = tsv(include_str!("../../../data/cities.tsv"))
            .filter_map(|f| Some((*f.first()?, *f.get(1)?, f.get(2)?.parse().ok()?)))
            .collect();
        cities.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
        Vocab {
            first: include_str!("../../../data/first_names.txt")
                .lines()
                .collect(),
            last: include_str!("../../../data/surnames.txt").lines().collect(),
            cities,
            regions: tsv(include_str!("../../../data/regions.tsv")).fold(
                HashMap::new(),
                |mut map: HashMap<&str, Vec<&str>>, f| {
                    if let [name, cc] = f[..] {
                        map.entry(cc).or_default().push(name);
                    }
                    map
                },
            ),
            countries: tsv(include_str!("../../../data/countries.tsv"))
                .filter_map(|f| Some((*f.get(1)?, (*f.first()?, *f.get(2)?))))
                .collect(),
            common: include_str!("../../../data/common_words.txt")
                .lines()
                .collect(),
            pools: None,
        }
    }

    /// A person drawn from the pools (one locale and script), with an address made of their
    /// name.
    fn pool_person(&self, pools: &Pools, rng: &mut impl Rng) -> Person {
        let (first, last, full) = pools.person(rng);
        let email = self.email_for(&first, &last, rng);
        Person {
            first,
            last,
            email,
            full: Some(full),
        }
    }

    /// A person: most with Census names, some with names from elsewhere in the world.
    pub fn person(&self, rng: &mut impl Rng) -> Person {
        if let Some(pools) = &self.pools {
            return self.pool_person(pools, rng);
        }
        let (first, last) = if rng.gen_bool(0.12) {
            let (f, l) = WORLD_NAMES.choose(rng).expect("not empty");
            (f.to_string(), l.to_string())
        } else {
            (self.first_name(rng), self.surname(rng))
        };
        let email = self.email_for(&first, &last, rng);
        Person {
            first,
            last,
            email,
            full: None,
        }
    }

    /// A person whose name is in the Census lists (what free text can be checked against).
    pub fn census_person(&self, rng: &mut impl Rng) -> Person {
        if let Some(pools) = &self.pools {
            return self.pool_person(pools, rng);
        }
        let (first, last) = (self.first_name(rng), self.surname(rng));
        let email = self.email_for(&first, &last, rng);
        Person {
            first,
            last,
            email,
            full: None,
        }
    }

    fn first_name(&self, rng: &mut impl Rng) -> String {
        self.first.choose(rng).expect("not empty").to_string()
    }

    fn surname(&self, rng: &mut impl Rng) -> String {
        self.last.choose(rng).expect("not empty").to_string()
    }

    fn email_for(&self, first: &str, last: &str, rng: &mut impl Rng) -> String {
        let ascii = |s: &str| -> String {
            s.chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_lowercase()
        };
        let (f, l) = (ascii(first), ascii(last));
        let local = match (f.is_empty(), l.is_empty(), rng.gen_range(0..4)) {
            (false, false, 0) => format!("{f}.{l}"),
            (false, false, 1) => format!("{}{l}{}", &f[..1], rng.gen_range(1..99)),
            (false, false, 2) => format!("{f}_{l}+news"),
            (false, _, _) => format!("{f}{}", rng.gen_range(1..999)),
            _ => format!("user{}", rng.gen_range(1000..99999)),
        };
        format!("{local}@{}", DOMAINS.choose(rng).expect("not empty"))
    }

    /// A place, weighted toward big cities, with a region of the same country when the lists
    /// have one.
    pub fn place(&self, rng: &mut impl Rng) -> DrawnPlace {
        if let Some(pools) = &self.pools {
            let (city, region, country, iso2, iso3) = pools.place(rng);
            return DrawnPlace {
                city,
                region,
                country,
                iso2,
                iso3,
                lat: rng.gen_range(-60.0..70.0),
                lon: rng.gen_range(-179.0..179.0),
            };
        }
        // Squaring a uniform draw favours the front of the list (the biggest cities).
        let u: f64 = rng.gen();
        let (city, cc, _) = self.cities[((u * u) * self.cities.len() as f64) as usize];
        let region = self
            .regions
            .get(cc)
            .and_then(|r| r.choose(rng))
            .map(|r| r.to_string());
        let (country, iso2, iso3) = self
            .countries
            .get(cc)
            .map_or(("United States", "US", "USA"), |c| (c.0, cc, c.1));
        DrawnPlace {
            city: city.to_string(),
            region,
            country: country.to_string(),
            iso2: iso2.to_string(),
            iso3: iso3.to_string(),
            lat: rng.gen_range(-60.0..70.0),
            lon: rng.gen_range(-179.0..179.0),
        }
    }

    /// A city that is also an ordinary word (`Nice`, `Mobile`, `Reading`), capitalised.
    pub fn word_city(&self, rng: &mut impl Rng) -> &'static str {
        const CITIES: &[&str] = &["Nice", "Mobile", "Reading", "Split", "Bath", "Mission"];
        CITIES.choose(rng).expect("not empty")
    }

    /// An ordinary word that is also a name or a place.
    pub fn common_word(&self, rng: &mut impl Rng) -> &'static str {
        self.common.choose(rng).expect("not empty")
    }
}

pub fn ipv4(rng: &mut impl Rng) -> String {
    format!(
        "{}.{}.{}.{}",
        rng.gen_range(1..=223),
        rng.gen_range(0..=255),
        rng.gen_range(0..=255),
        rng.gen_range(1..=254)
    )
}

pub fn ipv6(rng: &mut impl Rng) -> String {
    let groups: Vec<String> = (0..8)
        .map(|_| format!("{:x}", rng.gen_range(0..=0xffffu32)))
        .collect();
    match rng.gen_range(0..4) {
        0 => groups.join(":"),
        1 => format!("2001:db8::{}:{}", groups[6], groups[7]),
        2 => format!("::ffff:{}", ipv4(rng)),
        _ => format!("{}:{}:{}::{}", groups[0], groups[1], groups[2], groups[7]),
    }
}

pub fn ip(rng: &mut impl Rng) -> (String, piiscan::Kind) {
    if rng.gen_bool(0.25) {
        (ipv6(rng), piiscan::Kind::Ipv6)
    } else {
        (ipv4(rng), piiscan::Kind::Ipv4)
    }
}

pub fn hex(rng: &mut impl Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from_digit(rng.gen_range(0..16), 16).expect("a hex digit"))
        .collect()
}

pub fn uuid(rng: &mut impl Rng) -> String {
    format!(
        "{}-{}-4{}-a{}-{}",
        hex(rng, 8),
        hex(rng, 4),
        hex(rng, 3),
        hex(rng, 3),
        hex(rng, 12)
    )
}

pub fn version(rng: &mut impl Rng) -> String {
    format!(
        "{}.{}.{}.{}",
        rng.gen_range(1..12),
        rng.gen_range(0..20),
        rng.gen_range(0..50),
        rng.gen_range(0..300)
    )
}

pub fn time_of_day(rng: &mut impl Rng) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        rng.gen_range(0..24),
        rng.gen_range(0..60),
        rng.gen_range(0..60)
    )
}

pub fn mac(rng: &mut impl Rng) -> String {
    (0..6).map(|_| hex(rng, 2)).collect::<Vec<_>>().join(":")
}

/// A timestamp in November 2025, as seconds since the epoch.
pub fn epoch(rng: &mut impl Rng) -> u64 {
    1_761_955_200 + rng.gen_range(0..30 * 86_400)
}

pub fn iso_time(rng: &mut impl Rng) -> String {
    format!(
        "2025-11-{:02}T{}.{:03}Z",
        rng.gen_range(1..=30),
        time_of_day(rng),
        rng.gen_range(0..1000)
    )
}

/// A coordinate with 4 to 6 decimals.
pub fn coordinate(value: f64, rng: &mut impl Rng) -> String {
    let places = rng.gen_range(4..=6);
    let s = format!("{value:.places$}");
    // Avoid values that round to 0 or lose their decimals.
    if s.trim_start_matches('-').starts_with("0.") {
        format!("{:.places$}", value.signum() * (1.0 + value.abs()))
    } else {
        s
    }
}

/// Percent-encodes a value for a URL's query or userinfo (all but `A-Za-z0-9-._~`), as a
/// client does before sending it: a token with `+`, `/` or `#` would otherwise change meaning.
pub fn url_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// URL-encodes an e-mail address the way query strings carry it.
pub fn url_encoded(email: &str) -> String {
    email.replace('@', "%40").replace('+', "%2B")
}

/// A value that looks like a phone, a card, an IMEI or a secret and is none of them, with the
/// key an export files it under: the hard negatives of issue 19 (epoch milliseconds, order and
/// invoice numbers, ISBNs, tracking numbers, digests, versions, prices, postcodes, base64).
pub fn hard_negative(rng: &mut impl Rng) -> (&'static str, String) {
    match rng.gen_range(0..14) {
        0 => {
            let n = rng.gen_range(12..17);
            ("order_id", digits(rng, n))
        }
        1 => (
            "ts_ms",
            (epoch(rng) * 1000 + rng.gen_range(0..1000)).to_string(),
        ),
        2 => ("event_ts", epoch(rng).to_string()),
        3 => ("isbn", isbn13(rng)),
        4 => ("tracking_number", format!("9400{}", digits(rng, 18))),
        5 => (
            "invoice",
            format!("INV-2025-{:06}", rng.gen_range(0..999_999)),
        ),
        6 => ("sha256", hex(rng, 64)),
        7 => ("trace_id", uuid(rng)),
        8 => ("build", version(rng)),
        9 => (
            "price",
            format!("{}.{:02}", rng.gen_range(1..5000), rng.gen_range(0..100)),
        ),
        10 => ("duration_ms", rng.gen_range(1..9_999_999).to_string()),
        11 => (
            "postcode",
            [
                "10115",
                "75008",
                "SW1A 1AA",
                "94103-1234",
                "100-0001",
                "2000",
            ]
            .choose(rng)
            .expect("not empty")
            .to_string(),
        ),
        12 => {
            let n = rng.gen_range(24..60);
            ("payload", base64(rng, n))
        }
        _ => ("session_id", hex(rng, 32)),
    }
}

/// `n` digits, the first not 0.
fn digits(rng: &mut impl Rng, n: usize) -> String {
    (0..n)
        .map(|i| {
            let d = if i == 0 {
                rng.gen_range(1..10)
            } else {
                rng.gen_range(0..10)
            };
            char::from_digit(d, 10).expect("a digit")
        })
        .collect()
}

/// An ISBN-13 with its check digit.
fn isbn13(rng: &mut impl Rng) -> String {
    let mut d: Vec<u32> = vec![9, 7, 8];
    d.extend((0..9).map(|_| rng.gen_range(0..10)));
    let sum: u32 = d
        .iter()
        .enumerate()
        .map(|(i, x)| if i % 2 == 0 { *x } else { 3 * x })
        .sum();
    d.push((10 - sum % 10) % 10);
    d.iter()
        .map(|x| char::from_digit(*x, 10).expect("a digit"))
        .collect()
}

/// Standard base64 (with padding) of random bytes: the payloads logs carry.
fn base64(rng: &mut impl Rng, n: usize) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes: Vec<u8> = (0..n).map(|_| rng.gen()).collect();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(A[((v >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
