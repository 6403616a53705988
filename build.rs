//! Writes the name and place tables from `data/` (sources and licences: `data/README.md`,
//! `data/names/README.md`) into `OUT_DIR`, where the detectors embed them.
//!
//! Everything that depends only on the lists is done here, once per build, instead of in
//! every process: reading the files, deciding what each entry is (a city's population, an
//! ordinary word, also a first name), merging duplicates and writing the tables laid out as
//! `src/detect/tables.rs` says, which this script shares with the crate.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

#[path = "src/detect/tables.rs"]
#[allow(dead_code)]
mod tables;

use tables::{KnownPlace, NameEntry};

/// The multilingual lists of `data/names/` (see its README): `name<TAB>g` for a given name,
/// `name<TAB>s` for a surname. Each source is a file of its own, under its own licence.
const MULTILINGUAL: &[&str] = &[
    "namdict.txt",
    "ibge_br.txt",
    "pesel_pl.txt",
    "dvv_fi.txt",
    "statbel_be.txt",
    "wikidata.txt",
    "cedict_zh.txt",
    "ipadic_jp.txt",
    "mecabko_kr.txt",
];

/// Words of place names that describe rather than name (`Central`, `Nord`, `Coast`): places
/// called that are believed only under a key, like ordinary words.
const GENERIC: &[&str] = &[
    "central",
    "centre",
    "center",
    "centro",
    "north",
    "south",
    "east",
    "west",
    "northern",
    "southern",
    "eastern",
    "western",
    "nord",
    "sud",
    "est",
    "ouest",
    "norte",
    "sur",
    "leste",
    "oeste",
    "coast",
    "lakes",
    "littoral",
    "plateau",
    "capital",
    "upper",
    "lower",
    "island",
    "islands",
    "valley",
    "river",
    "highlands",
    "national",
    "federal",
    "district",
    "metropolitan",
    "city",
    "state",
    "region",
    "province",
    "mission",
    "union",
    "independence",
    "liberty",
];

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let lists = Lists::read(Path::new("data"));
    let (places, codes) = lists.places();
    write(
        &out,
        "places",
        places,
        KnownPlace::merge,
        KnownPlace::to_bits,
    );
    write(&out, "country_codes", codes, |a, _| a, |()| 0);
    let first = lists.names(&lists.first_names, &lists.frequent_first_names, 'g');
    write(
        &out,
        "first_names",
        first,
        NameEntry::merge,
        NameEntry::to_bits,
    );
    let last = lists.names(&lists.surnames, &lists.frequent_surnames, 's');
    write(&out, "surnames", last, NameEntry::merge, NameEntry::to_bits);
}

/// The entries of a list, as written in its files, with what each says.
type Entries<'a, T> = Vec<(&'a str, T)>;

/// The text of every list file.
struct Lists {
    cities: String,
    regions: String,
    countries: String,
    first_names: String,
    frequent_first_names: String,
    surnames: String,
    frequent_surnames: String,
    common_words: String,
    multilingual: Vec<String>,
}

impl Lists {
    fn read(data: &Path) -> Lists {
        let read = |path: PathBuf| {
            println!("cargo::rerun-if-changed={}", path.display());
            std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
        };
        Lists {
            cities: read(data.join("cities.tsv")),
            regions: read(data.join("regions.tsv")),
            countries: read(data.join("countries.tsv")),
            first_names: read(data.join("first_names.txt")),
            frequent_first_names: read(data.join("frequent_first_names.txt")),
            surnames: read(data.join("surnames.txt")),
            frequent_surnames: read(data.join("frequent_surnames.txt")),
            common_words: read(data.join("common_words.txt")),
            multilingual: MULTILINGUAL
                .iter()
                .map(|file| read(data.join("names").join(file)))
                .collect(),
        }
    }

    /// The ordinary English words that are also names or places (`will`, `grace`, `nice`,
    /// `reading`), lower-cased: see `data/common_words.txt`.
    fn common_words(&self) -> CommonWords<'_> {
        CommonWords(self.common_words.lines().collect())
    }

    /// Every place name, tagged with the kinds it can be and with what makes it risky; and
    /// the ISO 3166-1 alpha-2 and alpha-3 codes.
    fn places(&self) -> (Entries<'_, KnownPlace>, Entries<'_, ()>) {
        let common = self.common_words();
        let people: HashSet<&str> = self.first_names.lines().collect();
        let place = |name: &str, mut place: KnownPlace| {
            place.common = common.has(name) || GENERIC.iter().any(|g| g.eq_ignore_ascii_case(name));
            place.person = people.contains(name);
            place
        };
        let mut entries = Vec::new();
        for line in self.cities.lines() {
            let mut fields = line.split('\t');
            let (Some(name), _, Some(population)) = (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            let city = KnownPlace {
                city: true,
                population: population.parse().unwrap_or(0),
                ..KnownPlace::default()
            };
            entries.push((name, place(name, city)));
        }
        for line in self.regions.lines() {
            if let Some(name) = line.split('\t').next() {
                let region = KnownPlace {
                    region: true,
                    ..KnownPlace::default()
                };
                entries.push((name, place(name, region)));
            }
        }
        let mut codes = Vec::new();
        for line in self.countries.lines() {
            let mut fields = line.split('\t');
            if let Some(name) = fields.next() {
                let country = KnownPlace {
                    country: true,
                    ..KnownPlace::default()
                };
                entries.push((name, place(name, country)));
            }
            codes.extend(fields.map(|code| (code, ())));
        }
        (entries, codes)
    }

    /// The census names of one list, marked when they are ordinary words or among the most
    /// frequent, and the multilingual names of `kind` (`'g'` or `'s'`), which hold no English
    /// word (see `data/names/README.md`).
    fn names<'a>(
        &'a self,
        census: &'a str,
        frequent: &'a str,
        kind: char,
    ) -> Entries<'a, NameEntry> {
        let common = self.common_words();
        let frequent: HashSet<&str> = frequent.lines().collect();
        let census = census.lines().map(|name| {
            let entry = NameEntry {
                common: common.has(name),
                frequent: frequent.contains(name),
            };
            (name, entry)
        });
        let multilingual = self
            .multilingual
            .iter()
            .flat_map(|text| text.lines())
            .filter_map(move |line| {
                let (name, k) = line.split_once('\t')?;
                k.starts_with(kind).then_some((name, NameEntry::default()))
            });
        census.chain(multilingual).collect()
    }
}

struct CommonWords<'a>(HashSet<&'a str>);

impl CommonWords<'_> {
    /// True when `word`, lower-cased, is one of them.
    fn has(&self, word: &str) -> bool {
        word.len() <= 64 && self.0.contains(&*word.to_ascii_lowercase())
    }
}

/// Writes the tables of one list as `OUT_DIR/{name}.words`, `.long`, `.fst` and `.starts`: entries
/// lower-cased, duplicates merged with `merge`, values encoded by `encode`.
fn write<T: Copy>(
    out: &Path,
    name: &str,
    entries: Entries<'_, T>,
    merge: fn(T, T) -> T,
    encode: fn(T) -> u64,
) {
    let mut merged: BTreeMap<Vec<u8>, T> = BTreeMap::new();
    for (entry, value) in entries.into_iter().filter(|(e, _)| !e.is_empty()) {
        merged
            .entry(entry.as_bytes().to_ascii_lowercase())
            .and_modify(|v| *v = merge(*v, value))
            .or_insert(value);
    }
    let encoded = merged.into_iter().map(|(k, v)| (k, encode(v))).collect();
    let written = tables::write(&encoded);
    for (ext, bytes) in [
        ("words", written.words),
        ("long", written.long_words),
        ("fst", written.entries),
        ("starts", written.phrase_starts),
    ] {
        let path = out.join(format!("{name}.{ext}"));
        std::fs::write(&path, bytes)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }
}
