"""Geocoding: how often the region is right, how much the gazetteer knows, and what it costs per article.

What it measures
----------------
1. **Region accuracy** on the hand-written "village, region" descriptions in
   ``tests/fixtures/village_regions/*.jsonl`` (each line: ``text``, ``country``,
   ``location``, ``admin1``, ``pattern``). Each description is extracted whole; two
   figures are printed per file and overall:

   - ``place``: the admin1 of the place mention whose text is the expected
     location (``wirewatch.extractors.places.find_places`` over the article);
   - ``incident``: the admin1 of the incident at that location (or the first
     incident), over the descriptions where an incident was found.

   Names are compared after ``wirewatch.gazetteer.norm`` (case, accents,
   punctuation).
2. **Coverage**: of the place names listed by hand in ``bench/data/village_names/*.tsv``
   (name, country, admin1, kind), of the ``location`` values of the descriptions
   and, with ``--gold DIR``, of the place-level locations of a gold set's
   incidents, how many the gazetteer resolves inside the right country, and of
   those how many in the right region (compared through the region table).
3. **Cost per article**: wall-clock time spent inside place finding and gazetteer
   look-ups (``find_places`` uncached calls and ``Gazetteer.lookup``), per
   article, over the bundled ``examples/`` corpus repeated ``--repeat`` times
   (default 20) after one warm-up pass, with the spaCy parse excluded. Printed as
   milliseconds per article; compare runs on the same machine.

Run: ``.venv/bin/python bench/geocoding.py [--verbose] [--repeat N]``.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DESCRIPTIONS = ROOT / "tests" / "fixtures" / "village_regions"
NAMES = ROOT / "bench" / "data" / "village_names"


def read_descriptions() -> dict[str, list[dict]]:
    out = {}
    for f in sorted(DESCRIPTIONS.glob("*.jsonl")):
        out[f.stem] = [json.loads(line) for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def canonical_regions(lex) -> "callable":
    """expected admin1 as written in a test file -> the table's name for it (data/admin1_names.tsv), so a
    test written "Idlib" checks the region, not the spelling ACLED uses ("Idleb")."""
    from wirewatch.gazetteer import analyst_region_name, norm
    iso = {v: k for k, v in lex.iso_country.items()}

    def canonical(country: str, admin1: str) -> str:
        return norm(analyst_region_name(iso.get(country, ""), admin1))
    return canonical


def region_accuracy(ex, verbose: bool) -> None:
    from wirewatch.extractors.context import ParsedArticle
    from wirewatch.extractors.places import find_places
    from wirewatch.records import Article

    total = Counter()
    by_pattern: dict[str, Counter] = defaultdict(Counter)
    canonical = canonical_regions(ex.lexicon)
    print("region accuracy on hand-written 'village, region' descriptions")
    print(f"  {'file':28} {'n':>4} {'place':>7} {'incident':>9} {'found':>6}")
    for name, rows in read_descriptions().items():
        c = Counter()
        for i, row in enumerate(rows):
            art = Article(id=f"{name}-{i}", text=row["text"], date="2025-01-01")
            doc = ex.nlp(ex.masked(art.text))
            pa = ParsedArticle(art, doc, ex.lexicon, ex.gazetteer)
            want = canonical(row["country"], row["admin1"])
            mentions = [m for m in find_places(pa, 0, len(pa.text)) if m.text == row["location"]
                        or row["location"] in m.text]
            got = canonical(row["country"], mentions[0].admin1 or "") if mentions else ""
            ok = got == want
            c["n"] += 1
            c["place"] += ok
            by_pattern[row.get("pattern", "?")]["n"] += 1
            by_pattern[row.get("pattern", "?")]["place"] += ok
            incs = ex.from_doc(art, doc).incidents
            if incs:
                inc = next((x for x in incs if x.location == row["location"]), incs[0])
                c["found"] += 1
                c["incident"] += canonical(row["country"], inc.admin1 or "") == want
            if verbose and not ok:
                print(f"    MISS {row['location']!r} want {row['admin1']!r} got {mentions[0].admin1 if mentions else None!r}"
                      f" ({'no mention' if not mentions else mentions[0].place and mentions[0].place.name}) | {row['text'][:90]}")
        total.update(c)
        print(f"  {name:28} {c['n']:4d} {c['place'] / c['n']:7.3f} {c['incident'] / max(c['found'], 1):9.3f} {c['found']:6d}")
    print(f"  {'all':28} {total['n']:4d} {total['place'] / total['n']:7.3f} "
          f"{total['incident'] / max(total['found'], 1):9.3f} {total['found']:6d}")
    print("  by phrasing: " + ", ".join(f"{k} {v['place'] / v['n']:.2f} ({v['n']})" for k, v in sorted(by_pattern.items())))


def gold_locations(gold_dir: str) -> list[tuple[str, str, str, str]]:
    """(source, location, country, admin1) of every gold incident with a place-level location."""
    out = []
    for f in sorted(Path(gold_dir).glob("*.json")):
        doc = json.loads(f.read_text(encoding="utf-8"))
        for inc in doc.get("incidents") or []:
            if inc.get("location") and inc.get("country") and inc.get("location") != inc.get("admin1"):
                out.append(("gold", inc["location"], inc["country"], inc.get("admin1") or ""))
    return out


def coverage(ex, verbose: bool, gold_dir: str | None = None) -> None:
    gaz = ex.gazetteer
    lex = ex.lexicon
    rows = []
    for f in sorted(NAMES.glob("*.tsv")):
        with f.open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh, delimiter="\t"):
                rows.append((f.stem, r["name"], r["country"], r["admin1"]))
    for name, ds in read_descriptions().items():
        for r in ds:
            rows.append((name, r["location"], r["country"], r["admin1"]))
    if gold_dir:
        rows += gold_locations(gold_dir)
    canonical = canonical_regions(lex)
    iso = {v: k for k, v in lex.iso_country.items()}
    print("\ngazetteer coverage of hand-listed village-level names (resolved inside the right country)")
    per = defaultdict(Counter)
    for src, place, country, admin1 in rows:
        cc = iso.get(country)
        p = gaz.lookup(place, {cc: 3.0} if cc else None, prefer="place", min_population=0)
        found = p is not None and p.country_code == cc and p.kind == "place"
        per[src]["n"] += 1
        per[src]["found"] += found
        per[src]["region"] += found and canonical(country, p.admin1 or "") == canonical(country, admin1)
        if verbose and not found:
            print(f"    not found: {place} ({country}, {admin1})")
    tot = Counter()
    for src, c in sorted(per.items()):
        tot.update(c)
        print(f"  {src:28} {c['n']:4d} names  found {c['found'] / c['n']:.3f}  region right {c['region'] / max(c['found'], 1):.3f}")
    print(f"  {'all':28} {tot['n']:4d} names  found {tot['found'] / tot['n']:.3f}  region right {tot['region'] / max(tot['found'], 1):.3f}")


def cost(ex, repeat: int) -> None:
    from wirewatch import gazetteer
    from wirewatch.extractors import places
    from wirewatch.readers import read_inputs

    arts = [a for a in read_inputs([str(ROOT / "examples")]) if not isinstance(a, Exception)]
    docs = [(a, ex.nlp(ex.masked(a.text))) for a in arts]
    spent = [0.0]

    def timed(fn):
        def wrapper(*a, **k):
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[0] += time.perf_counter() - t
        return wrapper

    orig_find, orig_lookup = places._find_places, gazetteer.Gazetteer.lookup
    for a, d in docs:                      # warm-up: index open, caches of lexicons
        ex.from_doc(a, d)
    places._find_places = timed(orig_find)
    gazetteer.Gazetteer.lookup = timed(orig_lookup)
    try:
        t0 = time.perf_counter()
        for _ in range(repeat):
            for a, d in docs:
                ex.from_doc(a, d)
        wall = time.perf_counter() - t0
    finally:
        places._find_places, gazetteer.Gazetteer.lookup = orig_find, orig_lookup
    n = repeat * len(docs)
    print(f"\ngeocoding cost over {n} articles ({len(docs)} examples x {repeat}; parse excluded)")
    print(f"  place finding + look-ups: {1000 * spent[0] / n:.2f} ms/article "
          f"({100 * spent[0] / wall:.0f}% of {1000 * wall / n:.1f} ms extraction after the parse)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--verbose", action="store_true", help="list every miss")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--only", choices=("accuracy", "coverage", "cost"))
    ap.add_argument("--gold", metavar="DIR", help="also count the gold incidents' locations of DIR (e.g. ../shared/gold)")
    args = ap.parse_args(argv)
    from wirewatch.extractors import Extractor
    from wirewatch.settings import Settings
    ex = Extractor(Settings())
    if args.only in (None, "accuracy"):
        region_accuracy(ex, args.verbose)
    if args.only in (None, "coverage"):
        coverage(ex, args.verbose, args.gold)
    if args.only in (None, "cost"):
        cost(ex, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
