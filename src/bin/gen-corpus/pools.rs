//! Values drawn from `corpora/pools/` (`--pools DIR`) instead of the scanner's own lists.
//!
//! The default corpus takes its names and places from `data/`, so its floors measure the
//! rules and not the coverage of the lists. The pools come from sources that feed no detector
//! (Faker and faker-js name lists, CLDR sample names, JMnedict, GeoNames towns below the
//! shipped population cut and second-level divisions, Faker phone numbers, secrets shaped by
//! the providers' documentation; see corpora/pools/SOURCES.md), so a corpus drawn from them
//! measures what a real export would meet. Read at run time: the default mode stays free of
//! them and byte-identical.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::{bail, Context, Result};
use rand::seq::SliceRandom;
use rand::Rng;

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
        };
        if pools.names.is_empty() || pools.cities.is_empty() || pools.secrets.is_empty() {
            bail!("{}: no names, cities or secrets", dir.display());
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
}
