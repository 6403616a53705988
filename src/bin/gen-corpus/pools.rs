//! Values drawn from `corpora/pools/` (`--pools DIR`) instead of the scanner's own lists.
//!
//! The default corpus takes its names and places from `data/`, so its floors measure the
//! rules and not the coverage of the lists. The pools come from sources that feed no detector
//! (Faker and faker-js name lists, CLDR sample names, JMnedict, GeoNames towns below the
//! shipped population cut and second-level divisions, Faker phone numbers, secrets shaped by
//! the providers' documentation; see corpora/pools/SOURCES.md), so a corpus drawn from them
//! measures what a real export would meet. Read at run time: the default mode stays free of
//! them and byte-identical.

use std::cell::{RefCell, RefMut};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::{bail, Context, Result};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use piiscan::detect::national_id::Scheme;

/// Given names and surnames of one locale in one script.
struct NameGroup {
    /// Written surname first without a space (CJK, Hangul), as those locales write names.
    surname_first: bool,
    given: Vec<String>,
    surnames: Vec<String>,
}

const PEM: &str = "pem_private_key";

pub struct Pools {
    names: Vec<NameGroup>,
    /// (city, country code).
    cities: Vec<(String, String)>,
    regions: HashMap<String, Vec<String>>,
    /// Country code -> (name, alpha-3).
    countries: HashMap<String, (String, String)>,
    /// (as the locale writes it, E.164).
    phones: Vec<(String, String)>,
    /// (provider, value): values of `secrets.tsv` labelled `secret`.
    secrets: Vec<(String, String)>,
    /// Placeholders and redactions that are not secrets.
    pub placeholders: Vec<String>,
    macs: Vec<String>,
    imeis: Vec<String>,
    /// Card numbers (ASCII digits) in their scheme's current IIN ranges; see [`issued_card`].
    cards: Vec<String>,
    /// IBANs, compact.
    ibans: Vec<String>,
    /// (scheme, value as the pool writes it) of the schemes' published rules; see
    /// [`issued_id`].
    national_ids: Vec<(String, String)>,
    /// The draws of cards, IBANs and national ids, and whether to plant them: a stream of its
    /// own, so that adding them left every other value of the sample as it was (the records
    /// of each file are those it had before, fewer of them as the new values take room).
    side: RefCell<ChaCha8Rng>,
}

/// The seed of [`Pools::side`].
const SIDE_SEED: u64 = 19;

/// Whether a Faker card number is one a scheme issues today. Faker still draws from withdrawn
/// ranges: JCB's 15-digit 1800 and 2131 (`jcb15`), JCB 16-digit numbers outside 3528-3589 and
/// 14-digit Diners numbers outside 36 (300-305 and 38 are 16-19 digits on the Discover network
/// since 2009). No sound detector calls those cards, so they are not planted as cards.
fn issued_card(faker_type: &str, number: &str) -> bool {
    let prefix = |n: usize| number.get(..n).and_then(|p| p.parse::<u32>().ok());
    match faker_type {
        "jcb15" => false,
        "jcb16" => prefix(4).is_some_and(|p| (3528..=3589).contains(&p)),
        "diners" => number.len() != 14 || number.starts_with("36"),
        _ => true,
    }
}

/// A pool national id as a real record holds it, or `None` when it cannot be one:
/// - Faker's Aadhaar numbers fail the Verhoeff check UIDAI issues them with: the first eleven
///   digits are kept and the check digit computed (as `imeis.tsv` computes Luhn); those that
///   start with 0 or 1, which UIDAI does not issue, are dropped.
/// - Faker's British NINOs all use the prefix `ZZ`, which HMRC never allocates (NIM39110):
///   dropped.
/// - Faker's US SSNs (and the `de_DE` ones, which are US-shaped: Faker has no Steuer-ID) in an
///   area or group the SSA never issued (000, 666, 900-999; group 00; serial 0000): dropped.
fn issued_id(scheme: &str, value: &str) -> Option<String> {
    match scheme {
        "in_aadhaar" => {
            if value.len() != 12
                || !value.bytes().all(|b| b.is_ascii_digit())
                || value.starts_with(['0', '1'])
            {
                return None;
            }
            // The check digit is the one of ten that the library's validator accepts (Verhoeff,
            // as UIDAI computes it): one check, written once.
            let body = &value[..11];
            (b'0'..=b'9')
                .map(|d| format!("{body}{}", char::from(d)))
                .find(|v| Scheme::InAadhaar.validate(v.as_bytes()))
        }
        "uk_nino" if value.starts_with("ZZ") => None,
        "us_ssn" | "de_tax_id" => {
            let parts: Vec<&str> = value.split('-').collect();
            let ok = parts.len() == 3
                && !matches!(parts[0], "000" | "666")
                && !parts[0].starts_with('9')
                && parts[1] != "00"
                && parts[2] != "0000";
            ok.then(|| value.to_string())
        }
        _ => Some(value.to_string()),
    }
}

/// The rows of a pool file (tab-separated, `#` header), each with at least `columns` fields.
fn rows(dir: &Path, file: &str, columns: usize) -> Result<Vec<Vec<String>>> {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let rows: Vec<Vec<String>> = text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').map(str::to_string).collect::<Vec<_>>())
        .collect();
    if rows.is_empty() || rows.iter().any(|r| r.len() < columns) {
        bail!(
            "{} is empty or has rows with fewer than {columns} fields",
            path.display()
        );
    }
    Ok(rows)
}

impl Pools {
    pub fn load(dir: &Path) -> Result<Pools> {
        let mut groups: BTreeMap<(String, String), (Vec<String>, Vec<String>)> = BTreeMap::new();
        for r in rows(dir, "names.tsv", 4)? {
            let group = groups.entry((r[0].clone(), r[1].clone())).or_default();
            match r[2].as_str() {
                "given" => group.0.push(r[3].clone()),
                "surname" => group.1.push(r[3].clone()),
                _ => {}
            }
        }
        let names = groups
            .into_iter()
            .filter(|(_, (g, s))| !g.is_empty() && !s.is_empty())
            .map(|((_, script), (given, surnames))| NameGroup {
                surname_first: matches!(script.as_str(), "Hani" | "Hang" | "Jpan"),
                given,
                surnames,
            })
            .collect();
        let mut cities = Vec::new();
        let mut regions: HashMap<String, Vec<String>> = HashMap::new();
        for r in rows(dir, "places.tsv", 3)? {
            match r[0].as_str() {
                "city" => cities.push((r[2].clone(), r[1].clone())),
                "region" => regions.entry(r[1].clone()).or_default().push(r[2].clone()),
                _ => {}
            }
        }
        let countries = rows(dir, "countries.tsv", 3)?
            .into_iter()
            .map(|r| (r[0].clone(), (r[2].clone(), r[1].clone())))
            .collect();
        let phones = rows(dir, "phones.tsv", 4)?
            .into_iter()
            .map(|r| (r[2].clone(), r[3].clone()))
            .collect();
        let mut secrets = Vec::new();
        let mut placeholders = Vec::new();
        for r in rows(dir, "secrets.tsv", 3)? {
            if r[0] == "secret" {
                secrets.push((r[1].clone(), r[2].clone()));
            } else {
                placeholders.push(r[2].clone());
            }
        }
        let single = |file| -> Result<Vec<String>> {
            Ok(rows(dir, file, 1)?
                .into_iter()
                .map(|r| r[0].clone())
                .collect())
        };
        let cards = rows(dir, "cards.tsv", 2)?
            .into_iter()
            .filter(|r| issued_card(&r[0], &r[1]))
            .map(|r| r[1].clone())
            .collect();
        let ibans = rows(dir, "ibans.tsv", 2)?
            .into_iter()
            .map(|r| r[1].clone())
            .collect();
        let national_ids = rows(dir, "national_ids.tsv", 3)?
            .into_iter()
            .filter_map(|r| issued_id(&r[0], &r[2]).map(|v| (r[0].clone(), v)))
            .collect();
        let pools = Pools {
            names,
            cities,
            regions,
            countries,
            phones,
            secrets,
            placeholders,
            macs: single("macs.tsv")?,
            imeis: single("imeis.tsv")?,
            cards,
            ibans,
            national_ids,
            side: RefCell::new(ChaCha8Rng::seed_from_u64(SIDE_SEED)),
        };
        if pools.names.is_empty()
            || pools.cities.is_empty()
            || pools.secrets.is_empty()
            || pools.cards.is_empty()
            || pools.ibans.is_empty()
            || pools.national_ids.is_empty()
        {
            bail!(
                "{}: no names, cities, secrets, cards, IBANs or national ids",
                dir.display()
            );
        }
        Ok(pools)
    }

    /// A first name and a surname of one locale and script, and the full name as that locale
    /// writes it.
    pub fn person(&self, rng: &mut impl Rng) -> (String, String, String) {
        let group = self.names.choose(rng).expect("checked at load");
        let given = group.given.choose(rng).expect("checked at load").clone();
        let surname = group.surnames.choose(rng).expect("checked at load").clone();
        let full = if group.surname_first {
            format!("{surname}{given}")
        } else {
            format!("{given} {surname}")
        };
        (given, surname, full)
    }

    /// A town with a second-level division of its country when the pool has one, and the
    /// country's name and codes (the United States when the pool lacks the code).
    pub fn place(&self, rng: &mut impl Rng) -> (String, Option<String>, String, String, String) {
        let (city, cc) = self.cities.choose(rng).expect("checked at load");
        let region = self.regions.get(cc).and_then(|r| r.choose(rng)).cloned();
        let (country, iso2, iso3) = self.countries.get(cc).map_or(
            (
                "United States".to_string(),
                "US".to_string(),
                "USA".to_string(),
            ),
            |c| (c.0.clone(), cc.clone(), c.1.clone()),
        );
        (city.clone(), region, country, iso2, iso3)
    }

    /// A phone number as its locale writes it, or in E.164 (as APIs store it).
    pub fn phone(&self, rng: &mut impl Rng) -> String {
        let (written, e164) = self.phones.choose(rng).expect("checked at load");
        if rng.gen_bool(0.5) {
            written.clone()
        } else {
            e164.clone()
        }
    }

    /// A phone number as a person types it (the locale's own format).
    pub fn typed_phone(&self, rng: &mut impl Rng) -> String {
        self.phones.choose(rng).expect("checked at load").0.clone()
    }

    /// An MSISDN: the E.164 digits without the `+`.
    pub fn msisdn(&self, rng: &mut impl Rng) -> String {
        let e164 = &self.phones.choose(rng).expect("checked at load").1;
        e164.trim_start_matches('+').to_string()
    }

    /// A secret of any provider but PEM blocks (multi-line): (provider, value).
    pub fn secret(&self, rng: &mut impl Rng) -> (&str, &str) {
        loop {
            let (p, v) = self.secrets.choose(rng).expect("checked at load");
            if p != PEM {
                return (p, v);
            }
        }
    }

    /// A secret under the key an export or a config would file it: (key, value).
    pub fn keyed_secret(&self, rng: &mut impl Rng) -> (&'static str, String) {
        let (provider, value) = self.secret(rng);
        let keys: &[&'static str] = match provider {
            "aws_access_key_id" => &["aws_access_key_id", "accessKeyId"],
            "aws_secret_access_key" => &["aws_secret_access_key", "secretAccessKey"],
            "twilio_auth_token" => &["twilio_auth_token", "twilioAuthToken"],
            "password" => &["password", "db_password", "smtp_password"],
            "opaque_bearer" => &["access_token", "refresh_token", "auth_token"],
            "api_key_hex" => &["api_key", "apiKey", "x-api-key"],
            "slack_webhook" => &["webhook_url", "slack_webhook"],
            "jwt" => &["id_token", "access_token", "jwt"],
            _ => &["api_key", "token", "apiKey", "secret_key", "client_secret"],
        };
        let value = value.to_string();
        (keys.choose(rng).expect("not empty"), value)
    }

    /// A PEM private-key block with its line breaks written `\n` (as JSON holds it).
    pub fn pem(&self, rng: &mut impl Rng) -> String {
        self.secret_of(&[PEM], rng)
    }

    /// A secret of one of these providers.
    pub fn secret_of(&self, providers: &[&str], rng: &mut impl Rng) -> String {
        let provider = providers.choose(rng).expect("not empty");
        let matching: Vec<&(String, String)> =
            self.secrets.iter().filter(|s| s.0 == *provider).collect();
        match matching.choose(rng) {
            Some(s) => s.1.clone(),
            None => self.secret(rng).1.to_string(),
        }
    }

    pub fn placeholder(&self, rng: &mut impl Rng) -> &str {
        self.placeholders.choose(rng).map_or("REDACTED", |p| p)
    }

    /// A MAC address as devices and systems write it: `aa:bb:..`, `AA:BB:..`, `AA-BB-..`.
    pub fn mac(&self, rng: &mut impl Rng) -> String {
        let mac = self.macs.choose(rng).expect("checked at load");
        match rng.gen_range(0..4) {
            0 | 1 => mac.clone(),
            2 => mac.to_uppercase(),
            _ => mac.to_uppercase().replace(':', "-"),
        }
    }

    /// A MAC address in Cisco's dotted form (`aabb.ccdd.eeff`), as network logs write it.
    pub fn dotted_mac(&self, rng: &mut impl Rng) -> String {
        let hex: String = self
            .macs
            .choose(rng)
            .expect("checked at load")
            .chars()
            .filter(|c| *c != ':')
            .collect();
        format!("{}.{}.{}", &hex[..4], &hex[4..8], &hex[8..])
    }

    /// An IMEI: 15 digits, or grouped `AA-BBBBBB-CCCCCC-D` as printed on a device.
    pub fn imei(&self, rng: &mut impl Rng, grouped: bool) -> String {
        let imei = self.imeis.choose(rng).expect("checked at load");
        if grouped && imei.len() == 15 {
            format!(
                "{}-{}-{}-{}",
                &imei[..2],
                &imei[2..8],
                &imei[8..14],
                &imei[14..]
            )
        } else {
            imei.clone()
        }
    }

    /// The stream that draws cards, IBANs and national ids (see the field).
    pub fn side(&self) -> RefMut<'_, ChaCha8Rng> {
        self.side.borrow_mut()
    }

    /// A card number, compact (as a payment form posts it) or grouped as printed on the card
    /// (4-4-4-4, Amex 4-6-5, 14-digit Diners 4-6-4) with spaces or dashes.
    pub fn card(&self, grouped: bool) -> String {
        let rng = &mut *self.side();
        let card = self.cards.choose(rng).expect("checked at load");
        if !grouped {
            return card.clone();
        }
        let sep = if rng.gen_bool(0.7) { ' ' } else { '-' };
        // As cards are embossed: 12 digits 4-4-4, 13 (Visa) 4-3-3-3, 14 (Diners) 4-6-4, 15
        // (Amex) 4-6-5, 16 4-4-4-4, 17-19 4-4-4-4 and the rest.
        let groups: &[usize] = match card.len() {
            12 => &[4, 4, 4],
            13 => &[4, 3, 3, 3],
            14 => &[4, 6, 4],
            15 => &[4, 6, 5],
            _ => &[4, 4, 4, 4, 3],
        };
        let mut out = String::with_capacity(card.len() + 4);
        let mut at = 0;
        for &g in groups {
            if at >= card.len() {
                break;
            }
            if at > 0 {
                out.push(sep);
            }
            let end = (at + g).min(card.len());
            out.push_str(&card[at..end]);
            at = end;
        }
        out
    }

    /// An IBAN, compact (as APIs store it) or in groups of four (as printed on statements).
    pub fn iban(&self, grouped: bool) -> String {
        let iban = self
            .ibans
            .choose(&mut *self.side())
            .expect("checked at load");
        if !grouped {
            return iban.clone();
        }
        let chunks: Vec<&str> = iban
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap_or(""))
            .collect();
        chunks.join(" ")
    }

    /// A national id as the pool writes it (each scheme's usual form): (scheme, value).
    pub fn national_id(&self) -> (&str, &str) {
        let (scheme, value) = self
            .national_ids
            .choose(&mut *self.side())
            .expect("checked at load");
        (scheme, value)
    }

    /// A national id under the key an export files it by (`ssn`, `nino`, `cpf`, or a generic
    /// `national_id`/`tax_id`): (key, value).
    pub fn keyed_national_id(&self) -> (&'static str, String) {
        let (scheme, value) = self.national_id();
        let rng = &mut *self.side();
        let keys: &[&'static str] = match scheme {
            "us_ssn" | "de_tax_id" => &["ssn", "SSN", "social_security_number"],
            "uk_nino" => &["nino", "ni_number", "nationalInsuranceNumber"],
            "fr_nir" => &["nir", "numero_securite_sociale"],
            "es_dni_nie" => &["dni", "nif", "nie"],
            "it_codice_fiscale" => &["codice_fiscale", "codiceFiscale"],
            "nl_bsn" => &["bsn", "burgerservicenummer"],
            "in_aadhaar" => &["aadhaar", "aadhaar_number"],
            "br_cpf" => &["cpf"],
            "ca_sin" => &["sin", "social_insurance_number"],
            _ => &["national_id"],
        };
        let key = if rng.gen_bool(0.25) {
            ["national_id", "tax_id", "nationalId"]
                .choose(rng)
                .expect("not empty")
        } else {
            keys.choose(rng).expect("not empty")
        };
        (key, value.to_string())
    }
}
