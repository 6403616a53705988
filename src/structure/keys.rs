//! Which keys and columns hint at personal data.
//!
//! Exports name their fields inconsistently (`$email`, `email`, `user_email`, `emailAddress`),
//! so a key is normalised before lookup: ASCII letters lower-cased and everything that is not a
//! letter or digit dropped. The one distinction that normalisation would lose is kept by hand:
//! Mixpanel's reserved `$name` is a person's full name, while a bare `name` is as often an
//! event, product or company name, so it only hints "maybe a person".

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
        )
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

/// The longest key, after normalisation, that can hint at anything; longer keys are skipped
/// without normalising them.
const MAX_KEY: usize = 24;

/// Every hinting key, normalised, with what it hints at.
const KEYS: &[(&str, Hint)] = &[
    ("email", Hint::Email),
    ("emailaddress", Hint::Email),
    ("useremail", Hint::Email),
    ("contactemail", Hint::Email),
    ("customeremail", Hint::Email),
    ("mail", Hint::Email),
    ("ip", Hint::Ip),
    ("ipaddress", Hint::Ip),
    ("clientip", Hint::Ip),
    ("remoteip", Hint::Ip),
    ("remoteaddr", Hint::Ip),
    ("userip", Hint::Ip),
    ("fullname", Hint::PersonName),
    ("customername", Hint::PersonName),
    ("displayname", Hint::PersonName),
    ("contactname", Hint::PersonName),
    ("personname", Hint::PersonName),
    ("accountname", Hint::PersonName),
    ("firstname", Hint::FirstName),
    ("givenname", Hint::FirstName),
    ("fname", Hint::FirstName),
    ("lastname", Hint::LastName),
    ("surname", Hint::LastName),
    ("familyname", Hint::LastName),
    ("lname", Hint::LastName),
    ("name", Hint::MaybePersonName),
    ("customer", Hint::MaybePersonName),
    ("user", Hint::MaybePersonName),
    ("username", Hint::MaybePersonName),
    ("author", Hint::MaybePersonName),
    ("owner", Hint::MaybePersonName),
    ("city", Hint::City),
    ("geocity", Hint::City),
    ("locationcity", Hint::City),
    // `state` also holds `active` or `pending`: the geo detector only believes a known region
    // there.
    ("region", Hint::Region),
    ("georegion", Hint::Region),
    ("locationregion", Hint::Region),
    ("state", Hint::Region),
    ("province", Hint::Region),
    ("country", Hint::Country),
    ("countryname", Hint::Country),
    ("geocountry", Hint::Country),
    ("countrycode", Hint::CountryCode),
    ("mpcountrycode", Hint::CountryCode),
    ("geocountrycode", Hint::CountryCode),
    ("lat", Hint::Latitude),
    ("latitude", Hint::Latitude),
    ("locationlat", Hint::Latitude),
    ("geolat", Hint::Latitude),
    ("lon", Hint::Longitude),
    ("lng", Hint::Longitude),
    ("long", Hint::Longitude),
    ("longitude", Hint::Longitude),
    ("locationlng", Hint::Longitude),
    ("locationlon", Hint::Longitude),
    ("geolon", Hint::Longitude),
    ("geolng", Hint::Longitude),
    ("distinctid", Hint::AccountId),
    ("userid", Hint::AccountId),
    ("deviceid", Hint::AccountId),
    ("anonymousid", Hint::AccountId),
    ("accountid", Hint::AccountId),
    ("orgid", Hint::AccountId),
    ("organizationid", Hint::AccountId),
    ("organisationid", Hint::AccountId),
    ("customerid", Hint::AccountId),
    ("memberid", Hint::AccountId),
    ("os", Hint::Software),
    ("event", Hint::Event),
    ("eventname", Hint::Event),
    ("eventtype", Hint::Event),
    ("osname", Hint::Software),
    ("browser", Hint::Software),
    ("device", Hint::Device),
    ("devicemodel", Hint::Device),
    ("model", Hint::Device),
    ("useragent", Hint::Device),
    ("ua", Hint::Device),
    ("platform", Hint::Device),
    ("referrer", Hint::Referrer),
    ("initialreferrer", Hint::Referrer),
    ("referer", Hint::Referrer),
    ("pagereferrer", Hint::Referrer),
    ("referringdomain", Hint::Referrer),
    ("initialreferringdomain", Hint::Referrer),
    ("phone", Hint::Phone),
    ("phonenumber", Hint::Phone),
    ("phoneno", Hint::Phone),
    ("mobile", Hint::Phone),
    ("mobilephone", Hint::Phone),
    ("mobilenumber", Hint::Phone),
    ("tel", Hint::Phone),
    ("telephone", Hint::Phone),
    ("cell", Hint::Phone),
    ("cellphone", Hint::Phone),
    ("msisdn", Hint::Phone),
    ("fax", Hint::Phone),
    ("contactphone", Hint::Phone),
    ("customerphone", Hint::Phone),
    ("userphone", Hint::Phone),
    ("homephone", Hint::Phone),
    ("workphone", Hint::Phone),
    // Card keys: English, and "card" / "card number" in the languages of the schemes'
    // biggest markets (German, French, Spanish, Portuguese).
    ("card", Hint::Card),
    ("cardnumber", Hint::Card),
    ("cardnum", Hint::Card),
    ("cardno", Hint::Card),
    ("creditcard", Hint::Card),
    ("creditcardnumber", Hint::Card),
    ("debitcard", Hint::Card),
    ("paymentcard", Hint::Card),
    ("cc", Hint::Card),
    ("ccn", Hint::Card),
    ("ccno", Hint::Card),
    ("ccnum", Hint::Card),
    ("ccnumber", Hint::Card),
    ("pan", Hint::Card),
    ("primaryaccountnumber", Hint::Card),
    ("kreditkarte", Hint::Card),
    ("kartennummer", Hint::Card),
    ("carte", Hint::Card),
    ("numerocarte", Hint::Card),
    ("tarjeta", Hint::Card),
    ("numerotarjeta", Hint::Card),
    ("cartao", Hint::Card),
    ("iban", Hint::Iban),
    ("ibannumber", Hint::Iban),
    // National numbers: the official names and acronyms of each, in its own language; keys
    // longer than MAX_KEY (`steueridentifikationsnummer`) cannot be told apart here.
    ("nationalid", Hint::NationalId(IdScheme::Any)),
    ("nationalidnumber", Hint::NationalId(IdScheme::Any)),
    ("nationalidentitynumber", Hint::NationalId(IdScheme::Any)),
    ("taxid", Hint::NationalId(IdScheme::Any)),
    ("taxpayerid", Hint::NationalId(IdScheme::Any)),
    ("tin", Hint::NationalId(IdScheme::Any)),
    ("ssn", Hint::NationalId(IdScheme::UsSsn)),
    ("socialsecurity", Hint::NationalId(IdScheme::UsSsn)),
    ("socialsecuritynumber", Hint::NationalId(IdScheme::UsSsn)),
    ("nino", Hint::NationalId(IdScheme::UkNino)),
    ("ninumber", Hint::NationalId(IdScheme::UkNino)),
    ("nationalinsurance", Hint::NationalId(IdScheme::UkNino)),
    (
        "nationalinsurancenumber",
        Hint::NationalId(IdScheme::UkNino),
    ),
    ("nir", Hint::NationalId(IdScheme::FrNir)),
    ("numerosecuritesociale", Hint::NationalId(IdScheme::FrNir)),
    // `numéro_sécurité_sociale`: normalisation drops the accented letters.
    ("numroscuritsociale", Hint::NationalId(IdScheme::FrNir)),
    ("securitesociale", Hint::NationalId(IdScheme::FrNir)),
    ("numsecu", Hint::NationalId(IdScheme::FrNir)),
    ("numerosecu", Hint::NationalId(IdScheme::FrNir)),
    ("nosecu", Hint::NationalId(IdScheme::FrNir)),
    ("steuerid", Hint::NationalId(IdScheme::DeTaxId)),
    ("steueridnr", Hint::NationalId(IdScheme::DeTaxId)),
    ("steueridentnummer", Hint::NationalId(IdScheme::DeTaxId)),
    ("identifikationsnummer", Hint::NationalId(IdScheme::DeTaxId)),
    ("idnr", Hint::NationalId(IdScheme::DeTaxId)),
    ("dni", Hint::NationalId(IdScheme::EsDniNie)),
    ("nie", Hint::NationalId(IdScheme::EsDniNie)),
    ("nif", Hint::NationalId(IdScheme::EsDniNie)),
    ("codicefiscale", Hint::NationalId(IdScheme::ItCodiceFiscale)),
    ("codfiscale", Hint::NationalId(IdScheme::ItCodiceFiscale)),
    ("bsn", Hint::NationalId(IdScheme::NlBsn)),
    ("burgerservicenummer", Hint::NationalId(IdScheme::NlBsn)),
    ("sofinummer", Hint::NationalId(IdScheme::NlBsn)),
    ("aadhaar", Hint::NationalId(IdScheme::InAadhaar)),
    ("aadhar", Hint::NationalId(IdScheme::InAadhaar)),
    ("aadhaarnumber", Hint::NationalId(IdScheme::InAadhaar)),
    ("uidai", Hint::NationalId(IdScheme::InAadhaar)),
    ("cpf", Hint::NationalId(IdScheme::BrCpf)),
    ("sin", Hint::NationalId(IdScheme::CaSin)),
    ("socialinsurance", Hint::NationalId(IdScheme::CaSin)),
    ("socialinsurancenumber", Hint::NationalId(IdScheme::CaSin)),
    ("numeroassurancesociale", Hint::NationalId(IdScheme::CaSin)),
    ("apikey", Hint::Secret),
    ("apisecret", Hint::Secret),
    ("apitoken", Hint::Secret),
    ("secret", Hint::Secret),
    ("secretkey", Hint::Secret),
    ("clientsecret", Hint::Secret),
    ("password", Hint::Password),
    ("passwd", Hint::Password),
    ("pwd", Hint::Password),
    // The password keys of src/detect/secret/rules.toml's `keyed.password` hint.
    ("passphrase", Hint::Password),
    ("userpassword", Hint::Password),
    ("dbpassword", Hint::Password),
    ("adminpassword", Hint::Password),
    ("newpassword", Hint::Password),
    ("oldpassword", Hint::Password),
    ("currentpassword", Hint::Password),
    ("confirmpassword", Hint::Password),
    ("passwordconfirmation", Hint::Password),
    ("smtppassword", Hint::Password),
    ("mysqlpassword", Hint::Password),
    ("postgrespassword", Hint::Password),
    ("rootpassword", Hint::Password),
    ("proxypassword", Hint::Password),
    ("keystorepassword", Hint::Password),
    // The other keys of src/detect/secret/rules.toml's key hints (`token`, `accesskey` and
    // `credential(s)` stay out: analytics files push tokens, AWS key ids and flags under them).
    ("appsecret", Hint::Secret),
    ("idtoken", Hint::Secret),
    ("bearertoken", Hint::Secret),
    ("sessiontoken", Hint::Secret),
    ("privatetoken", Hint::Secret),
    ("oauthtoken", Hint::Secret),
    ("personalaccesstoken", Hint::Secret),
    ("proxyauthorization", Hint::Secret),
    ("authkey", Hint::Secret),
    ("accesstoken", Hint::Secret),
    ("authtoken", Hint::Secret),
    ("refreshtoken", Hint::Secret),
    ("authorization", Hint::Secret),
    ("privatekey", Hint::Secret),
    ("secretaccesskey", Hint::Secret),
    ("awssecretaccesskey", Hint::Secret),
    ("twilioauthtoken", Hint::Secret),
    ("webhooksecret", Hint::Secret),
    ("signingsecret", Hint::Secret),
    ("xapikey", Hint::Secret),
    ("mac", Hint::Mac),
    ("macaddress", Hint::Mac),
    ("macaddr", Hint::Mac),
    ("wifimac", Hint::Mac),
    ("bssid", Hint::Mac),
    ("imei", Hint::Imei),
    ("deviceimei", Hint::Imei),
];

/// Looks up the hint of a key as written on disk (without its quotes).
pub fn hint_for_key(key: &[u8]) -> Option<Hint> {
    if key.len() > MAX_KEY * 2 {
        return None;
    }
    if key == b"$name" {
        return Some(Hint::PersonName);
    }
    static TABLE: OnceLock<FxHashMap<PackedKey, Hint>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let pack = |k: &str| PackedKey::new(k.as_bytes()).expect("hinting keys are short");
        KEYS.iter().map(|&(k, h)| (pack(k), h)).collect()
    });
    table.get(&PackedKey::new(key)?).copied()
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
}

impl KeyFilter {
    const BITS: u32 = 14;

    /// A filter for the keys whose hint `wanted` accepts.
    pub fn new(wanted: impl Fn(Hint) -> bool) -> KeyFilter {
        let mut bits = Box::new([0u64; 1 << (KeyFilter::BITS - 6)]);
        for &(key, hint) in KEYS {
            if wanted(hint) || (key == "name" && wanted(Hint::PersonName)) {
                let key = key.as_bytes();
                let i = Self::index(suffix(key.iter().rev().copied()));
                bits[i / 64] |= 1 << (i % 64);
            }
        }
        KeyFilter { bits }
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
        let suffix = match quote.checked_sub(4).map(|i| &bytes[i..quote]) {
            Some(&[a, b, c, d]) if is_alnum(a) & is_alnum(b) & is_alnum(c) & is_alnum(d) => {
                u64::from(u32::from_le_bytes([a, b, c, d]) | 0x2020_2020)
            }
            _ => {
                let lo = quote.saturating_sub(MAX_KEY * 2);
                let before = bytes[lo..quote].iter().rev().copied();
                suffix(before.take_while(|&b| b != b'"'))
            }
        };
        let i = Self::index(suffix);
        self.bits[i / 64] & (1 << (i % 64)) != 0
    }

    #[inline]
    fn index(suffix: u64) -> usize {
        (suffix.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - Self::BITS)) as usize
    }
}

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
            ("state", Some(Hint::Region)),
            ("location_lat", Some(Hint::Latitude)),
            ("ip", Some(Hint::Ip)),
            ("app_version", None),
            ("distinct_id", Some(Hint::AccountId)),
            ("$device_id", Some(Hint::AccountId)),
            ("anonymousId", Some(Hint::AccountId)),
            ("$os", Some(Hint::Software)),
            ("$device", Some(Hint::Device)),
            ("userAgent", Some(Hint::Device)),
            ("$initial_referrer", Some(Hint::Referrer)),
            ("$insert_id", None),
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
            let normal: Vec<u8> = key
                .iter()
                .filter(|b| b.is_ascii_alphanumeric())
                .map(u8::to_ascii_lowercase)
                .collect();
            KEYS.iter()
                .find(|(k, _)| k.as_bytes() == normal)
                .map(|&(_, h)| h)
        }
        let noise = prop::sample::select(b"_-$. @\"\\\xc3\xa9\x00\xffA0z".to_vec());
        let known =
            prop::sample::select(KEYS.iter().map(|(k, _)| k.as_bytes()).collect::<Vec<_>>());
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
        proptest!(ProptestConfig::with_cases(4000), |(key in prop_oneof![keys, any_bytes])| {
            prop_assert_eq!(hint_for_key(&key), reference(&key), "{:?}", String::from_utf8_lossy(&key));
        });
    }
}
