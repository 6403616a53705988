//! Which keys and columns hint at personal data.
//!
//! What a field means is data, not code: `data/fields/generic.tsv` holds the generic names and
//! one file per vendor (Mixpanel, Amplitude, Segment, PostHog, GA4's BigQuery export,
//! Snowplow, Heap, RudderStack) the keys its exports write, with the documentation each comes
//! from (`data/fields/SOURCES.md`). They are embedded and parsed once; a policy's `[[field]]`
//! tables add or override meanings before any of them.
//!
//! Exports name their fields inconsistently (`$email`, `email`, `user_email`, `emailAddress`),
//! so a key is normalised before lookup: ASCII letters lower-cased and everything that is not a
//! letter or digit dropped. A key the tables lack whole is then read by its last words
//! (`signup_city`, `billingCountry`, `$geoip_city_name`, `name.first`), for the entries that
//! mean the same wherever they end a key (`city` does, `name` and `state` do not); that answer
//! is remembered per distinct key, since exports repeat a few hundred keys millions of times.
//! The one distinction that normalisation would lose is kept by hand: Mixpanel's reserved
//! `$name` is a person's full name, while a bare `name` is as often an event, product or
//! company name, so it only hints "maybe a person".

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

/// What the key (JSON) or column (CSV) above a value says it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hint {
    Email,
    Ip,
    /// A key that says "a person's full name": `$name`, `full_name`, `customer_name`...
    PersonName,
    FirstName,
    LastName,
    /// A key that is often but not always a person: a bare `name`, `customer`, `user`.
    MaybePersonName,
    City,
    Region,
    /// `state`: a region, or `active`, `pending`: only a known region is believed there.
    MaybeRegion,
    Country,
    CountryCode,
    Latitude,
    Longitude,
    /// `distinct_id`, `user_id`, `$device_id`, `anonymousId`.
    AccountId,
    /// `$device`, `model`, `user_agent`.
    Device,
    /// `$os`, `$browser`: a device description too, but one that SDKs fill in from the user
    /// agent (`Mac OS X`, `Mobile Safari`), so never a person or a place. Name and place
    /// detectors leave these values to their key; a `device` or `model` can hold its owner's
    /// name (`Jane Doe's iPhone`) and is searched like any value.
    Software,
    /// `event`, `event_name`, `event_type`: the name of an analytics event, chosen by the
    /// developers who instrument the app (`Sign Up`, `Grace Period Started`), so never a person
    /// or a place. It reads like text, though, and was most of the text scan's work on an
    /// export: the name and place detectors leave these values alone (other kinds are still
    /// searched in them).
    Event,
    /// `$referrer`, `$initial_referrer`, `referrer`.
    Referrer,
    /// `phone`, `$phone`, `mobile`, `tel`, `msisdn`.
    Phone,
    /// `card_number`, `credit_card`, `pan`.
    Card,
    /// `iban`.
    Iban,
    /// A national identity number; the scheme when the key names one (`ssn`, `nino`,
    /// `codice_fiscale`), else any (`national_id`, `tax_id`).
    NationalId(IdScheme),
    /// `api_key`, `client_secret`, `authorization`: a credential.
    Secret,
    /// `password`, `passwd`: a credential that needs no shape of its own.
    Password,
    /// `mac`, `mac_address`.
    Mac,
    /// `imei`.
    Imei,
    /// `app_version`, `build_number`: a version, never an address, in CSV as in JSON.
    Version,
    /// `product_name`, `color`, `variant_name`, and `name` inside a `product` or `items[]`
    /// object: the seller's words (`Midnight Blue`, `Air Jordan`), never a person or a place.
    /// The name and place detectors leave these values alone.
    Product,
    /// `time`, `$insert_id`, `mp_processing_time_ms`, `$screen_width`: what an SDK or a
    /// pipeline writes on every event (a timestamp, a random insert id, a screen size, a
    /// library's name), never typed by a person: no identifier is written there.
    Machine,
}

/// The national identity numbers a key can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdScheme {
    /// The key says "a national number" without saying which.
    Any,
    UsSsn,
    UkNino,
    FrNir,
    DeTaxId,
    EsDniNie,
    ItCodiceFiscale,
    NlBsn,
    InAadhaar,
    BrCpf,
    CaSin,
}

impl Hint {
    /// True when the key alone settles whether its value is a name or a place: the name and
    /// place detectors judge the value by its key (or skip it), and do not search it as text.
    pub fn settles_words(self) -> bool {
        matches!(
            self,
            Hint::PersonName
                | Hint::FirstName
                | Hint::LastName
                | Hint::City
                | Hint::Region
                | Hint::MaybeRegion
                | Hint::Country
                | Hint::CountryCode
                | Hint::Software
                | Hint::Event
                | Hint::Phone
                | Hint::Card
                | Hint::Iban
                | Hint::NationalId(_)
                | Hint::Secret
                | Hint::Password
                | Hint::Mac
                | Hint::Imei
                | Hint::Product
        )
    }

    /// True when the key says its value is something no phone number, payment card, IBAN,
    /// national number, IMEI or credential is written as: a version, an IP or MAC address, or
    /// what machines write ([`Hint::Machine`]). The digit-run and credential candidates of such
    /// values are dropped before those detectors walk them (an `app_version` or an
    /// `$insert_id` on every event was most of their candidates); other kinds are still
    /// searched there.
    pub fn rules_out_identifiers(self) -> bool {
        matches!(self, Hint::Version | Hint::Ip | Hint::Mac | Hint::Machine)
    }
}

/// A value found under a hinting key or column. `start..end` is the value's content relative
/// to the haystack, without the quotes of a JSON string; escapes are left as they are on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HintedValue {
    pub start: usize,
    pub end: usize,
    pub hint: Hint,
}

/// The longest key, after normalisation, that can hint at anything whole; longer keys are
/// only matched by their last words.
const MAX_KEY: usize = 24;

/// The field tables, as data: generic names first, then the vendor packs (see
/// `data/fields/SOURCES.md`). Each line is a key, a tab, a hint name and optionally a tab and
/// `word` (the key also matches as the last words of a longer key).
pub const PACKS: &[(&str, &str)] = &[
    ("generic", include_str!("../../data/fields/generic.tsv")),
    ("mixpanel", include_str!("../../data/fields/mixpanel.tsv")),
    ("amplitude", include_str!("../../data/fields/amplitude.tsv")),
    ("segment", include_str!("../../data/fields/segment.tsv")),
    ("posthog", include_str!("../../data/fields/posthog.tsv")),
    ("ga4", include_str!("../../data/fields/ga4.tsv")),
    ("snowplow", include_str!("../../data/fields/snowplow.tsv")),
    ("heap", include_str!("../../data/fields/heap.tsv")),
    (
        "rudderstack",
        include_str!("../../data/fields/rudderstack.tsv"),
    ),
];

/// One line of a field table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The key as the table writes it (`$geoip_city_name`, `context.location.city`).
    pub key: &'static str,
    pub hint: Hint,
    /// True when the key also matches as the last words of a longer key.
    pub word: bool,
    /// The index of its table in [`PACKS`].
    pub pack: usize,
}

impl Hint {
    /// The hints by the names the field tables and the policy's `[[field]]` use.
    pub const NAMES: &'static [(&'static str, Hint)] = &[
        ("email", Hint::Email),
        ("ip", Hint::Ip),
        ("person_name", Hint::PersonName),
        ("first_name", Hint::FirstName),
        ("last_name", Hint::LastName),
        ("maybe_person_name", Hint::MaybePersonName),
        ("city", Hint::City),
        ("region", Hint::Region),
        ("maybe_region", Hint::MaybeRegion),
        ("country", Hint::Country),
        ("country_code", Hint::CountryCode),
        ("latitude", Hint::Latitude),
        ("longitude", Hint::Longitude),
        ("account_id", Hint::AccountId),
        ("device", Hint::Device),
        ("software", Hint::Software),
        ("event", Hint::Event),
        ("referrer", Hint::Referrer),
        ("phone", Hint::Phone),
        ("card", Hint::Card),
        ("iban", Hint::Iban),
        ("national_id", Hint::NationalId(IdScheme::Any)),
        ("national_id:us_ssn", Hint::NationalId(IdScheme::UsSsn)),
        ("national_id:uk_nino", Hint::NationalId(IdScheme::UkNino)),
        ("national_id:fr_nir", Hint::NationalId(IdScheme::FrNir)),
        ("national_id:de_tax_id", Hint::NationalId(IdScheme::DeTaxId)),
        (
            "national_id:es_dni_nie",
            Hint::NationalId(IdScheme::EsDniNie),
        ),
        (
            "national_id:it_codice_fiscale",
            Hint::NationalId(IdScheme::ItCodiceFiscale),
        ),
        ("national_id:nl_bsn", Hint::NationalId(IdScheme::NlBsn)),
        (
            "national_id:in_aadhaar",
            Hint::NationalId(IdScheme::InAadhaar),
        ),
        ("national_id:br_cpf", Hint::NationalId(IdScheme::BrCpf)),
        ("national_id:ca_sin", Hint::NationalId(IdScheme::CaSin)),
        ("secret", Hint::Secret),
        ("password", Hint::Password),
        ("mac", Hint::Mac),
        ("imei", Hint::Imei),
        ("version", Hint::Version),
        ("product", Hint::Product),
        ("machine", Hint::Machine),
    ];

    /// The hint a field table or a policy names, by its name or by the kind it hints at
    /// (`email`, `ipv4`, `coordinates` is not one: a coordinate key says which axis).
    pub fn from_name(name: &str) -> Option<Hint> {
        let by_kind = match name {
            "ipv4" | "ipv6" => Some(Hint::Ip),
            "credit_card" => Some(Hint::Card),
            "mac_address" => Some(Hint::Mac),
            _ => None,
        };
        by_kind.or_else(|| {
            Hint::NAMES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|&(_, h)| h)
        })
    }
}

/// Every line of every field table, in [`PACKS`] order; the tables are checked by tests, and
/// a line that cannot be read is skipped.
pub fn entries() -> &'static [Entry] {
    static ENTRIES: OnceLock<Vec<Entry>> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        let mut out = Vec::new();
        for (pack, (_, text)) in PACKS.iter().enumerate() {
            for line in text.lines() {
                if let Some((key, hint, word)) = parse_line(line) {
                    out.push(Entry {
                        key,
                        hint,
                        word,
                        pack,
                    });
                }
            }
        }
        out
    })
}

/// A line of a field table: `key<TAB>hint[<TAB>word]`; `None` for comments, blank lines and
/// lines that do not read.
fn parse_line(line: &'static str) -> Option<(&'static str, Hint, bool)> {
    if line.starts_with('#') || line.trim().is_empty() {
        return None;
    }
    let mut parts = line.split('\t');
    let key = parts.next()?;
    let hint = Hint::from_name(parts.next()?)?;
    let word = match parts.next() {
        None => false,
        Some("word") => true,
        Some(_) => return None,
    };
    Some((key, hint, word))
}

/// The lookup tables made from [`entries`]: whole keys, last words, and the keys that tell
/// a vendor's export apart.
struct Tables {
    whole: FxHashMap<PackedKey, Hint>,
    words: FxHashMap<PackedKey, Hint>,
    /// Keys as written (`$geoip_city_name`, `mp_country_code`) that only vendor packs list,
    /// with the packs that list them (a bit each, by index in [`PACKS`]).
    distinctive: FxHashMap<&'static str, u32>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut whole = FxHashMap::default();
        let mut words = FxHashMap::default();
        let mut generic = rustc_hash::FxHashSet::default();
        let mut distinctive: FxHashMap<&'static str, u32> = FxHashMap::default();
        for e in entries() {
            // A dotted key (`geo.city`, `context.location.city`) is a path: its last two keys
            // read as one key, as `hint_for_path` reads them.
            let key = lookup_form(e.key);
            if let Some(packed) = PackedKey::new(key.as_bytes()) {
                // Generic names come first and keep their meaning (`$name` normalises to
                // `name`, which is only "maybe a person"; the code reads `$name` itself).
                whole.entry(packed).or_insert(e.hint);
                if e.word {
                    words.entry(packed).or_insert(e.hint);
                }
            }
            if e.pack == 0 {
                generic.insert(normalise(e.key));
            } else if !generic.contains(&normalise(e.key)) || e.key.contains(['$', '.']) {
                *distinctive.entry(e.key).or_default() |= 1 << e.pack;
            }
        }
        Tables {
            whole,
            words,
            distinctive,
        }
    })
}

/// A table key as the lookup reads it: a dotted path's last two keys joined.
fn lookup_form(key: &str) -> String {
    let mut keys = key.rsplit('.');
    let last = keys.next().unwrap_or_default();
    match keys.next() {
        Some(before) => format!("{before}{last}"),
        None => last.to_string(),
    }
}

/// Letters and digits only, lower-cased: what the lookup compares.
fn normalise(key: &str) -> String {
    key.bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| char::from(b.to_ascii_lowercase()))
        .collect()
}

/// The field meanings a policy gives (`[[field]]`), by their last key normalised; set once,
/// before the first scan (a run reads one policy).
struct UserFields {
    map: FxHashMap<PackedKey, Hint>,
    keys: Vec<(String, Hint)>,
}

static USER_FIELDS: OnceLock<UserFields> = OnceLock::new();

/// Sets the field meanings a policy gives: each path's last key (normalised) then hints at
/// its kind, before any table does. Returns false if they were set already or a key does not
/// fit (see [`field_path_fits`]).
pub fn set_user_fields(fields: &[(String, Hint)]) -> bool {
    let mut map = FxHashMap::default();
    let mut keys = Vec::new();
    for (path, hint) in fields {
        if !field_path_fits(path) {
            return false;
        }
        let last = path.rsplit('.').next().unwrap_or_default();
        if let Some(p) = PackedKey::new(last.as_bytes()) {
            map.insert(p, *hint);
            keys.push((normalise(last), *hint));
        }
    }
    USER_FIELDS.set(UserFields { map, keys }).is_ok()
}

/// True when `path`'s last key is short enough for a `[[field]]` to name it.
pub fn field_path_fits(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or_default();
    let n = last.bytes().filter(u8::is_ascii_alphanumeric).count();
    (1..=MAX_KEY).contains(&n) && last.len() <= MAX_KEY * 2
}

/// The vendor packs (bits by index in [`PACKS`]) that list `path` or one of its tails as one
/// of their own keys: `properties.$city` is Mixpanel's, `context.location.city` Segment's
/// and RudderStack's.
pub fn packs_of_path(path: &str) -> u32 {
    let distinctive = &tables().distinctive;
    let mut packs = 0;
    let mut tail = path;
    loop {
        let clean = tail.trim_end_matches("[]");
        packs |= distinctive.get(clean).copied().unwrap_or(0);
        match tail.find('.') {
            Some(i) => tail = &tail[i + 1..],
            None => return packs,
        }
    }
}

/// Whether a policy's fields have been read (see [`set_user_fields`]): the answers of
/// [`hint_for_key`] change then.
pub(super) fn user_fields_set() -> bool {
    USER_FIELDS.get().is_some()
}

/// Looks up the hint of a key as written on disk (without its quotes): the policy's fields,
/// then the whole key in the tables, then its last words.
pub fn hint_for_key(key: &[u8]) -> Option<Hint> {
    if key.len() > MAX_KEY * 2 {
        return None;
    }
    if key == b"$name" {
        return Some(Hint::PersonName);
    }
    let packed = PackedKey::new(key);
    if let (Some(user), Some(p)) = (USER_FIELDS.get(), packed) {
        if let Some(&hint) = user.map.get(&p) {
            return Some(hint);
        }
    }
    if let Some(&hint) = packed.and_then(|p| tables().whole.get(&p)) {
        return Some(hint);
    }
    hint_by_words_cached(key)
}

/// [`hint_by_words`], remembered per distinct key and thread: an export repeats a few hundred
/// keys millions of times, and only the keys that pass the [`KeyFilter`] and miss the whole
/// table come here.
fn hint_by_words_cached(key: &[u8]) -> Option<Hint> {
    use std::cell::RefCell;
    thread_local! {
        static CACHE: RefCell<FxHashMap<Box<[u8]>, Option<Hint>>> = RefCell::new(FxHashMap::default());
    }
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(&hint) = cache.get(key) {
            return hint;
        }
        let hint = hint_by_words(key);
        // Bounded: a file of random keys must not grow the cache without end.
        if cache.len() >= 4096 {
            cache.clear();
        }
        cache.insert(key.into(), hint);
        hint
    })
}

/// The hint of a key by its last words (`signup_city`, `billingCountry`, `$geoip_city_name`,
/// `shipping.address.city`, `name.first`): the last three, two or one words joined, longest
/// first, looked up among the entries marked `word`. Words are split at every byte that is
/// not a letter or digit and where a lower-case letter or digit meets an upper-case one
/// (`clientIP`, `billingCountry`); an entry shorter than four letters (`ip`) only matches a
/// single last word, as the [`KeyFilter`] tests it.
fn hint_by_words(key: &[u8]) -> Option<Hint> {
    let words = tables();
    let mut ends = [(0usize, 0usize); 3];
    let n = last_words(key, &mut ends);
    for k in (1..=n).rev() {
        let mut buf = [0u8; MAX_KEY];
        let mut len = 0;
        'join: for &(s, e) in ends[..k].iter().rev() {
            for &b in &key[s..e] {
                if len == MAX_KEY {
                    // Too long for any entry: the words after this one are not read either.
                    len = MAX_KEY + 1;
                    break 'join;
                }
                buf[len] = b.to_ascii_lowercase();
                len += 1;
            }
        }
        if len > MAX_KEY || (k > 1 && len < 4) {
            continue;
        }
        if let Some(&hint) = PackedKey::new(&buf[..len]).and_then(|p| words.words.get(&p)) {
            return Some(hint);
        }
    }
    None
}

/// Fills `out` with the byte ranges of the last words of `key`, last first; returns how many
/// (at most three).
fn last_words(key: &[u8], out: &mut [(usize, usize); 3]) -> usize {
    let mut n = 0;
    let mut end = key.len();
    while n < 3 {
        while end > 0 && !is_alnum(key[end - 1]) {
            end -= 1;
        }
        if end == 0 {
            break;
        }
        let start = word_start(key, end);
        out[n] = (start, end);
        n += 1;
        end = start;
    }
    n
}

/// Where the word that ends at `end` (after a letter or digit) starts: a run of lower-case
/// letters and digits with at most one capital before it (`Country`, `V4`), or a run of
/// capitals (`IP`, `ID`).
#[inline]
fn word_start(key: &[u8], end: usize) -> usize {
    let mut i = end;
    let lower = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if key[i - 1].is_ascii_uppercase() {
        while i > 0 && key[i - 1].is_ascii_uppercase() {
            i -= 1;
        }
        return i;
    }
    while i > 0 && lower(key[i - 1]) {
        i -= 1;
    }
    if i > 0 && key[i - 1].is_ascii_uppercase() {
        i -= 1;
    }
    i
}

/// The hint of a field named by a path, as a column of a Parquet file is (`properties.city`,
/// `items[].email`, `geo.lat`): its last two keys read as one key when that hints (`geo.lat`
/// is `geolat`, `customer.name` a customer's name, `user.id` an account), else its last key,
/// as the key of a JSON value would.
pub fn hint_for_path(path: &[u8]) -> Option<Hint> {
    fn strip(mut key: &[u8]) -> &[u8] {
        while let Some(k) = key.strip_suffix(b"[]") {
            key = k;
        }
        key
    }
    let mut keys = strip(path).rsplit(|&b| b == b'.').map(strip);
    let last = keys.next()?;
    if let Some(before) = keys.next().filter(|k| k.len() + last.len() <= MAX_KEY * 2) {
        let mut joined = [0u8; MAX_KEY * 2];
        joined[..before.len()].copy_from_slice(before);
        joined[before.len()..before.len() + last.len()].copy_from_slice(last);
        if let Some(hint) = hint_for_key(&joined[..before.len() + last.len()]) {
            return Some(hint);
        }
    }
    hint_for_key(last)
}

/// A key normalised (letters and digits only, lower-cased) and packed into registers, zero
/// bytes after its end: a JSON export has a hinting key every hundred bytes, and a packed key
/// is hashed and compared without a loop or a call to `memcmp`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct PackedKey([u64; MAX_KEY / 8]);

impl PackedKey {
    /// `key` normalised, or `None` if that is longer than [`MAX_KEY`].
    #[inline]
    fn new(key: &[u8]) -> Option<PackedKey> {
        // Every byte is written at the next free slot, which only a letter or digit takes:
        // no branch per byte. The slot after the last is then cleared (it may hold a byte
        // that was dropped).
        let mut buf = [0u8; MAX_KEY + 1];
        let mut n = 0;
        for &b in key {
            // `| 0x20` lower-cases a letter and leaves a digit as it is.
            buf[n.min(MAX_KEY)] = b | 0x20;
            n += usize::from(is_alnum(b));
        }
        if n > MAX_KEY {
            return None;
        }
        buf[n] = 0;
        let word = |i: usize| u64::from_le_bytes(buf[i * 8..i * 8 + 8].try_into().expect("8"));
        Some(PackedKey([word(0), word(1), word(2)]))
    }
}

/// A filter on the last letters of keys, to turn most keys away before [`hint_for_key`]
/// normalises and looks them up: a JSON export has a key every 30 bytes or so, and most
/// (`time`, `$insert_id`, `$screen_width`) hint at nothing, or at nothing the scan wants.
///
/// The filter holds the last four letters and digits (lower-cased) of every normalised key
/// whose hint is wanted, or all of them with a mark for keys shorter than that. A key passes
/// when its own last four letters and digits are in it: a false positive costs a lookup, and
/// there are no false negatives, because normalisation keeps exactly the letters and digits.
pub struct KeyFilter {
    bits: Box<[u64; 1 << (KeyFilter::BITS - 6)]>,
    /// The last letters or digits (lower-cased, as bits) of the wanted short word entries
    /// (`p` of `ip`): a key whose last byte is none of them has no short last word to test.
    short_ends: u128,
    /// Which filter this is, for the answers remembered per key ([`super::plan`]).
    owner: u64,
}

impl KeyFilter {
    const BITS: u32 = 14;

    /// A filter for the keys whose hint `wanted` accepts.
    pub fn new(wanted: impl Fn(Hint) -> bool) -> KeyFilter {
        let mut bits = Box::new([0u64; 1 << (KeyFilter::BITS - 6)]);
        let mut short_ends = 0u128;
        let mut set = |suffix: u64| {
            let i = Self::index(suffix);
            bits[i / 64] |= 1 << (i % 64);
        };
        let user = USER_FIELDS.get().map_or(&[][..], |u| &u.keys[..]);
        let keys = entries()
            .iter()
            .map(|e| (normalise(&lookup_form(e.key)), e.hint, e.word))
            .chain(user.iter().map(|(k, h)| (k.clone(), *h, false)));
        for (key, hint, word) in keys {
            if wanted(hint) || (key == "name" && wanted(Hint::PersonName)) {
                set(suffix(key.bytes().rev()));
                if word && key.len() < 4 {
                    set(suffix(key.bytes().rev()) | WORD_MARK);
                    if let Some(&last) = key.as_bytes().last() {
                        short_ends |= 1 << (last & 0x7F);
                    }
                }
            }
        }
        KeyFilter {
            bits,
            short_ends,
            owner: super::plan::new_owner(),
        }
    }

    /// Which filter this is: filters made apart answer apart.
    pub(super) fn owner(&self) -> u64 {
        self.owner
    }

    /// A filter that passes every hinting key.
    pub fn all() -> KeyFilter {
        KeyFilter::new(|_| true)
    }

    /// False when the key whose closing quote is at `bytes[quote]` certainly has no wanted
    /// hint.
    #[inline(always)]
    pub fn may_hint(&self, bytes: &[u8], quote: usize) -> bool {
        // Most keys end with four letters or digits, which are then the suffix as they are
        // (`| 0x20` lower-cases letters and leaves digits alone): one load, no loop.
        // `long_word`: the last word certainly has four letters or more (its last three bytes
        // are letters or digits and none is a capital that would start a word: a capital
        // clears bit 0x20, which lower-case letters and digits have).
        let (suffix, long_word) = match quote.checked_sub(4).map(|i| &bytes[i..quote]) {
            Some(&[a, b, c, d]) if is_alnum(a) & is_alnum(b) & is_alnum(c) & is_alnum(d) => (
                u64::from(u32::from_le_bytes([a, b, c, d]) | 0x2020_2020),
                b & c & d & 0x20 != 0,
            ),
            _ => {
                let lo = quote.saturating_sub(MAX_KEY * 2);
                let before = bytes[lo..quote].iter().rev().copied();
                (suffix(before.take_while(|&b| b != b'"')), false)
            }
        };
        let i = Self::index(suffix);
        self.bits[i / 64] & (1 << (i % 64)) != 0
            || (!long_word
                && quote
                    .checked_sub(1)
                    .is_some_and(|i| self.may_end_short_word(bytes[i]))
                && self.short_last_word(bytes, quote))
    }

    /// False when a key that ends with `last` certainly has no wanted short last word: most
    /// keys end with a letter or digit that ends none (`_id`, `_url` and `$os` in a scan
    /// without account IDs or devices), which one bit test tells.
    #[inline(always)]
    fn may_end_short_word(&self, last: u8) -> bool {
        !is_alnum(last) || self.short_ends & (1 << ((last | 0x20) & 0x7F)) != 0
    }

    /// True when the key's last word is shorter than four letters and digits and a short
    /// word entry (`ip` in `user_ip`, `clientIP`) with a wanted hint is that word: the one case
    /// the last four letters do not cover.
    #[inline]
    fn short_last_word(&self, bytes: &[u8], quote: usize) -> bool {
        let lo = quote.saturating_sub(MAX_KEY * 2);
        let mut end = quote;
        while end > lo && !is_alnum(bytes[end - 1]) && bytes[end - 1] != b'"' {
            end -= 1;
        }
        if end == lo || !is_alnum(bytes[end - 1]) {
            return false;
        }
        let start = lo + word_start(&bytes[lo..end], end - lo);
        if end - start >= 4 {
            return false;
        }
        let i = Self::index(suffix(bytes[start..end].iter().rev().copied()) | WORD_MARK);
        self.bits[i / 64] & (1 << (i % 64)) != 0
    }

    #[inline]
    fn index(suffix: u64) -> usize {
        (suffix.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - Self::BITS)) as usize
    }
}

/// The mark of a short last word's suffix in the [`KeyFilter`], apart from whole short keys.
const WORD_MARK: u64 = 1 << 48;

/// True for ASCII letters and digits, by table: branch-free in [`KeyFilter::may_hint`].
#[inline(always)]
fn is_alnum(b: u8) -> bool {
    const TABLE: [bool; 256] = {
        let mut t = [false; 256];
        let mut i = 0;
        while i < 256 {
            t[i] = (i as u8).is_ascii_alphanumeric();
            i += 1;
        }
        t
    };
    TABLE[usize::from(b)]
}

/// The last four letters and digits, lower-cased, of a key given backwards; with a mark in
/// the high bits when the key has fewer.
#[inline]
fn suffix(backwards: impl Iterator<Item = u8>) -> u64 {
    let mut packed = 0u64;
    let mut n = 0;
    for b in backwards {
        if b.is_ascii_alphanumeric() {
            packed = packed << 8 | u64::from(b.to_ascii_lowercase());
            n += 1;
            if n == 4 {
                return packed;
            }
        }
    }
    packed | (n as u64 + 1) << 40
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        let cases: &[(&str, Option<Hint>)] = &[
            ("$email", Some(Hint::Email)),
            ("emailAddress", Some(Hint::Email)),
            ("$name", Some(Hint::PersonName)),
            ("name", Some(Hint::MaybePersonName)),
            ("full_name", Some(Hint::PersonName)),
            ("$first_name", Some(Hint::FirstName)),
            ("mp_country_code", Some(Hint::CountryCode)),
            ("$country_code", Some(Hint::CountryCode)),
            ("countryCode", Some(Hint::CountryCode)),
            ("$city", Some(Hint::City)),
            ("$region", Some(Hint::Region)),
            ("location_lat", Some(Hint::Latitude)),
            ("ip", Some(Hint::Ip)),
            ("app_version", Some(Hint::Version)),
            ("state", Some(Hint::MaybeRegion)),
            ("distinct_id", Some(Hint::AccountId)),
            ("$device_id", Some(Hint::AccountId)),
            ("anonymousId", Some(Hint::AccountId)),
            ("$os", Some(Hint::Software)),
            ("$device", Some(Hint::Device)),
            ("userAgent", Some(Hint::Device)),
            ("$initial_referrer", Some(Hint::Referrer)),
            ("$insert_id", Some(Hint::Machine)),
            ("time", Some(Hint::Machine)),
            ("$current_url", None),
            ("", None),
            (
                "a_very_long_key_that_is_not_anything_we_know_of_at_all",
                None,
            ),
        ];
        for (key, want) in cases {
            assert_eq!(hint_for_key(key.as_bytes()), *want, "{key}");
        }
    }

    /// Keys read by their last words; and keys whose last word means other things too.
    #[test]
    fn keys_by_their_words() {
        let cases: &[(&str, Option<Hint>)] = &[
            ("signup_city", Some(Hint::City)),
            ("billingCountry", Some(Hint::Country)),
            ("BillingCountry", Some(Hint::Country)),
            ("$geoip_city_name", Some(Hint::City)),
            ("$initial_geoip_city_name", Some(Hint::City)),
            ("$initial_geoip_subdivision_1_name", Some(Hint::Region)),
            ("$geoip_country_code", Some(Hint::CountryCode)),
            ("shipping.address.city", Some(Hint::City)),
            ("home_region", Some(Hint::Region)),
            ("geo_region_name", Some(Hint::Region)),
            ("name.first", Some(Hint::FirstName)),
            ("name.last", Some(Hint::LastName)),
            ("user_first_name", Some(Hint::FirstName)),
            ("contact_email", Some(Hint::Email)),
            ("workEmail", Some(Hint::Email)),
            ("user_ip", Some(Hint::Ip)),
            ("clientIP", Some(Hint::Ip)),
            ("originIp", Some(Hint::Ip)),
            ("user_ipaddress", Some(Hint::Ip)),
            ("heap_user_id", Some(Hint::AccountId)),
            ("browser_version", Some(Hint::Version)),
            ("appVersion", Some(Hint::Version)),
            ("user_pseudo_id", Some(Hint::AccountId)),
            // Words that end keys but mean other things there.
            ("app_name", None),
            ("order_state", None),
            ("product_name", Some(Hint::Product)),
            ("primaryColor", Some(Hint::Product)),
            ("item_name", Some(Hint::Product)),
            ("billingAddressState", Some(Hint::Region)),
            ("shipping.address.state", Some(Hint::Region)),
            ("is_ip_allowed", None),
            ("zip", None),
            ("ship", None),
            ("tip_amount", None),
            ("city_id", None),
            ("email_verified", None),
            ("skip", None),
            ("VIP", None),
        ];
        for (key, want) in cases {
            assert_eq!(hint_for_key(key.as_bytes()), *want, "{key}");
        }
    }

    /// Every line of every table reads, and every key means what its line says as the scan
    /// reads it: as a key (its last key for a path) or as a path.
    #[test]
    fn every_table_line_reads_and_resolves() {
        for (pack, (name, text)) in PACKS.iter().enumerate() {
            let listed = text
                .lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .count();
            let read = entries().iter().filter(|e| e.pack == pack).count();
            assert_eq!(listed, read, "{name}: a line does not read");
            assert!(text.starts_with('#'), "{name}: no header naming its source");
        }
        for e in entries() {
            let got = if e.key.contains('.') {
                hint_for_path(e.key.as_bytes())
            } else {
                hint_for_key(e.key.as_bytes())
            };
            // `$name` is read by the code; `name` alone is only maybe a person.
            assert_eq!(got, Some(e.hint), "{} ({})", e.key, PACKS[e.pack].0);
        }
    }

    /// Packs are told apart by their own keys, not by the generic ones they share.
    #[test]
    fn packs_of_paths() {
        let bit = |id: &str| 1u32 << PACKS.iter().position(|(p, _)| *p == id).unwrap();
        let cases: &[(&str, u32)] = &[
            ("properties.$city", bit("mixpanel")),
            ("properties.mp_country_code", bit("mixpanel")),
            ("user_ipaddress", bit("snowplow")),
            ("properties.$geoip_city_name", bit("posthog")),
            ("user_pseudo_id", bit("ga4")),
            ("geo_city", 0),
            ("context.location.city", bit("segment") | bit("rudderstack")),
            ("city", 0),
            ("properties.email", 0),
            ("", 0),
        ];
        for (path, want) in cases {
            assert_eq!(packs_of_path(path), *want, "{path}");
        }
    }

    #[test]
    fn hint_names_round_trip() {
        for &(name, hint) in Hint::NAMES {
            assert_eq!(Hint::from_name(name), Some(hint), "{name}");
        }
        assert_eq!(Hint::from_name("ipv4"), Some(Hint::Ip));
        assert_eq!(Hint::from_name("town"), None);
    }

    #[test]
    fn paths() {
        let cases: &[(&str, Option<Hint>)] = &[
            ("properties.city", Some(Hint::City)),
            ("properties.$email", Some(Hint::Email)),
            ("properties.$name", Some(Hint::PersonName)),
            ("items[].email", Some(Hint::Email)),
            ("emails[]", None),
            ("tags[][]", None),
            ("geo.lat", Some(Hint::Latitude)),
            ("location.lng", Some(Hint::Longitude)),
            ("user.id", Some(Hint::AccountId)),
            ("user.name", Some(Hint::MaybePersonName)),
            ("customer.name", Some(Hint::PersonName)),
            ("event.name", Some(Hint::Event)),
            ("context.ip", Some(Hint::Ip)),
            ("properties.id", None),
            ("email", Some(Hint::Email)),
            ("", None),
            ("a.", None),
        ];
        for (path, want) in cases {
            assert_eq!(hint_for_path(path.as_bytes()), *want, "{path}");
        }
    }

    /// The filter never turns away a key that has a wanted hint.
    #[test]
    fn the_filter_passes_every_wanted_key() {
        let keys = [
            "$email",
            "emailAddress",
            "user_email",
            "ip",
            "$ip",
            "ip_address",
            "clientIP",
            "remote_addr",
            "$name",
            "full_name",
            "firstName",
            "$last_name",
            "surname",
            "customer",
            "user",
            "owner",
            "author",
            "$city",
            "geo_city",
            "$region",
            "country",
            "countryCode",
            "mp_country_code",
            "lat",
            "latitude",
            "lng",
            "lon",
            "long",
            "longitude",
            "location_lat",
            "distinct_id",
            "$os",
            "$browser",
            "userAgent",
            "ua",
            "$referrer",
            "$initial_referring_domain",
            "state",
            "e-mail",
            "I_P",
            "user_ip",
            "clientIP",
            "originIp",
            "signup_city",
            "billingCountry",
            "$geoip_city_name",
            "$initial_geoip_subdivision_1_name",
            "shipping.address.city",
            "name.first",
            "home_region",
        ];
        let all = KeyFilter::all();
        let is_person = |h: Hint| {
            matches!(
                h,
                Hint::PersonName | Hint::FirstName | Hint::LastName | Hint::MaybePersonName
            )
        };
        let names = KeyFilter::new(is_person);
        for key in keys {
            let line = format!(r#"{{"x":1,"{key}":"v"}}"#);
            let quote = line.rfind("\":").unwrap();
            let hint = hint_for_key(key.as_bytes());
            assert!(hint.is_some(), "{key}");
            assert!(all.may_hint(line.as_bytes(), quote), "{key}");
            if hint.is_some_and(is_person) {
                assert!(names.may_hint(line.as_bytes(), quote), "{key}");
            }
        }
        for key in [
            "time",
            "$insert_id",
            "$screen_width",
            "mp_lib",
            "event",
            "$current_url",
        ] {
            let line = format!(r#"{{"{key}":1}}"#);
            let quote = line.rfind("\":").unwrap();
            assert!(!names.may_hint(line.as_bytes(), quote), "{key}");
        }
    }

    /// Last words that overflow the longest entry part-way through are no hint: the join used
    /// to stop at the word that overflowed and go on with the next, past its buffer (a panic
    /// on a key of the data; the property below drew this one).
    #[test]
    fn words_past_the_longest_entry_are_no_hint() {
        for key in [
            &b"_AAAnationalinsurancenumbe_r"[..],
            b"x_AAAnationalinsurancenumbe_r",
            b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_b_c",
        ] {
            assert_eq!(hint_by_words(key), None, "{}", String::from_utf8_lossy(key));
        }
    }

    /// The packed lookup is the plain definition: letters and digits kept, lower-cased, then
    /// compared with the table; keys made from hinting keys with case, punctuation and
    /// non-ASCII bytes mixed in, around the longest normalised length.
    #[test]
    fn packed_lookup_is_normalise_then_compare() {
        use proptest::prelude::*;
        fn reference(key: &[u8]) -> Option<Hint> {
            if key.len() > MAX_KEY * 2 {
                return None;
            }
            if key == b"$name" {
                return Some(Hint::PersonName);
            }
            let norm = |k: &[u8]| -> Vec<u8> {
                k.iter()
                    .filter(|b| b.is_ascii_alphanumeric())
                    .map(u8::to_ascii_lowercase)
                    .collect()
            };
            let normal = norm(key);
            let find = |k: &[u8], words: bool| {
                entries()
                    .iter()
                    .filter(|e| !words || e.word)
                    .find(|e| norm(lookup_form(e.key).as_bytes()) == k)
                    .map(|e| e.hint)
            };
            if normal.len() <= MAX_KEY {
                if let Some(h) = find(&normal, false) {
                    return Some(h);
                }
            }
            // Words, the slow way: a boundary before every capital that follows a lower-case
            // letter or digit, and before a capital followed by a lower-case letter after
            // capitals; every other byte that is not a letter or digit separates.
            let mut words: Vec<Vec<u8>> = vec![Vec::new()];
            for (i, &b) in key.iter().enumerate() {
                if !b.is_ascii_alphanumeric() {
                    words.push(Vec::new());
                    continue;
                }
                let prev = i.checked_sub(1).map(|j| key[j]);
                let next = key.get(i + 1).copied();
                let lower_before =
                    prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit());
                let upper_run_ends = prev.is_some_and(|p| p.is_ascii_uppercase())
                    && next.is_some_and(|n| n.is_ascii_lowercase() || n.is_ascii_digit());
                if b.is_ascii_uppercase() && (lower_before || upper_run_ends) {
                    words.push(Vec::new());
                }
                words.last_mut().expect("one").push(b.to_ascii_lowercase());
            }
            words.retain(|w| !w.is_empty());
            for k in (1..=words.len().min(3)).rev() {
                let joined: Vec<u8> = words[words.len() - k..].concat();
                if joined.len() > MAX_KEY || (k > 1 && joined.len() < 4) {
                    continue;
                }
                if let Some(h) = find(&joined, true) {
                    return Some(h);
                }
            }
            None
        }
        let noise = prop::sample::select(b"_-$. @\"\\\xc3\xa9\x00\xffA0z".to_vec());
        let known = prop::sample::select(
            entries()
                .iter()
                .map(|e| e.key.as_bytes())
                .collect::<Vec<_>>(),
        );
        let keys = (
            known,
            prop::collection::vec((0..40usize, noise), 0..8),
            any::<u64>(),
        )
            .prop_map(|(key, inserts, case)| {
                let mut key = key.to_vec();
                for (i, (at, b)) in inserts.into_iter().enumerate() {
                    key.insert(at.min(key.len()), b);
                    if case >> (i % 64) & 1 == 1 {
                        key.make_ascii_uppercase();
                    }
                }
                key
            });
        let any_bytes = prop::collection::vec(any::<u8>(), 0..60);
        let all = KeyFilter::all();
        proptest!(ProptestConfig::with_cases(4000), |(key in prop_oneof![keys, any_bytes])| {
            let hint = hint_for_key(&key);
            prop_assert_eq!(hint, reference(&key), "{:?}", String::from_utf8_lossy(&key));
            // The filter never turns away a key that hints (a key with a quote in it is not
            // one a JSON line can hold unescaped).
            if hint.is_some() && !key.contains(&b'"') {
                let mut line = b"{\"".to_vec();
                line.extend_from_slice(&key);
                let quote = line.len();
                line.extend_from_slice(b"\":1}");
                prop_assert!(all.may_hint(&line, quote), "{:?}", String::from_utf8_lossy(&key));
            }
        });
    }
}
