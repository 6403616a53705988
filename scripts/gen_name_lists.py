#!/usr/bin/env python3
"""Writes data/names/*.txt, the multilingual name lists the person-name detector adds to the
US Census lists, from the team's namesdata research (detector/ folder; every source there is a
pinned PyPI, npm or Debian archive, see data/names/README.md).

    python3 scripts/gen_name_lists.py --namesdata <namesdata>/detector \
        --words /usr/share/dict/american-english --data data

`--words` is Debian `wamerican` 2020.12.07 (the list gen_dictionaries.py reads). Kept:
one-word entries (no blank, no hyphen: the lookups are by word) of at least two characters that
are neither an ordinary lower-case English word nor flagged by namesdata's
common_words_intl.tsv as an ordinary word in another language, nor already in data/. Latin
given names and surnames of every Latin source; of the non-Latin sources only the surnames of
the CJK and Hangul lists, which a one-word value under a name key (`王芳`, `김민수`, written
without blanks) starts with. Output: `name<TAB>g|s`, sorted, deterministic.
"""
import argparse
import os

LATIN = ["namdict", "ibge_br", "pesel_pl", "dvv_fi", "statbel_be", "wikidata"]
CJK_SURNAMES = {"cedict_zh": {"Hani"}, "ipadic_jp": {"Hani"}, "mecabko_kr": {"Hang"}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--namesdata", required=True)
    ap.add_argument("--words", required=True)
    ap.add_argument("--data", default="data")
    a = ap.parse_args()
    english = {w for w in open(a.words, encoding="utf-8").read().split("\n") if w and w == w.lower()}
    flagged = set()
    for line in open(os.path.join(a.namesdata, "common_words_intl.tsv"), encoding="utf-8"):
        if not line.startswith("#"):
            flagged.add(line.split("\t")[0].lower())
    shipped = {
        "g": {n.lower() for n in open(os.path.join(a.data, "first_names.txt"), encoding="utf-8").read().split()},
        "s": {n.lower() for n in open(os.path.join(a.data, "surnames.txt"), encoding="utf-8").read().split()},
    }
    out_dir = os.path.join(a.data, "names")
    os.makedirs(out_dir, exist_ok=True)
    for source in LATIN + list(CJK_SURNAMES):
        rows = set()
        for line in open(os.path.join(a.namesdata, "names", source + ".tsv"), encoding="utf-8"):
            if line.startswith("#"):
                continue
            name, kind, script = line.rstrip("\n").split("\t")[:3]
            if kind not in ("g", "s"):
                continue
            if source in CJK_SURNAMES:
                if kind != "s" or script not in CJK_SURNAMES[source]:
                    continue
            else:
                low = name.lower()
                if script != "Latn" or len(name) < 2 or not name.replace("'", "").isalpha():
                    continue
                if "'" in name or low in english or low in flagged or low in shipped[kind]:
                    continue
            rows.add((name, kind))
        with open(os.path.join(out_dir, source + ".txt"), "w", encoding="utf-8") as f:
            for name, kind in sorted(rows):
                f.write(f"{name}\t{kind}\n")
        print(source, len(rows))


if __name__ == "__main__":
    main()
