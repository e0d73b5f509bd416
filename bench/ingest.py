"""Ingest rate of the event store (SQLite, and PostgreSQL when a test server is given) and how linking groups
reports into events.

What it measures
----------------
1. A corpus of N articles (default 200) built from every readable article of ``examples/``, repeated in turn;
   each copy gets its own id (``<id>~0042``) and a closing line of its own, so every copy is a new article with
   a new text (its SHA-256 differs) while it tells the same incidents as the original.
2. Extraction is timed on its own: ``Extractor.extract_many`` over the whole corpus, after a warm-up (model
   loading and the gazetteer index open are not timed). ``wirewatch ingest`` extracts one article at a time
   (``Extractor.extract``), which is a little slower than this batched pass.
3. Then, per backend, a fresh store is opened (its schema created before timing) and ``Store.add`` is timed for
   each extracted result in turn: articles/s, milliseconds per add (median, 95th percentile, worst), and the
   rate over the first and last quarter of the run (linking reads more candidate events as the store grows).
   The combined ingest rate is N / (extraction seconds + store seconds).
4. Writers (``ingest --writers N``): a larger store-only corpus (``--store-articles``, default 2000) made by
   copying the extracted results under new ids (no re-extraction: only storage is timed), in two shapes:
   "repeated", every copy tells the same incidents (all join the same few events, whose report lists grow
   with the run), and "archive-like", each incident told by three articles (the copies' dates moved by 40
   days every third round). Each is stored into a fresh store by 1 and by 2 writers in batches of 100
   (writer threads started before timing), in a process of its own that holds only the store, as the
   process storing an ``ingest --engine dask`` run does (this one holds the spaCy pipeline, whose heap slows
   Python); articles/s, the speed-up, and whether the store equals one writer's (counts and events by
   content).
5. The store's share of a full ``ingest --engine dask`` run: the corpus extracted on a local Dask cluster of 2
   single-threaded workers and stored by this process (``distributed.ingest``, batches of 100, one writer):
   total seconds, seconds spent storing, and their ratio. ``--no-dask`` skips it.
6. Linking: incident reports stored vs events they were linked into. The copies tell the same incidents on the
   same dates, so all copies of an incident should join one event: the events after the whole run should equal
   the events after the first copy of the corpus.
7. Known duplicates: a small corpus written here (3 incidents each told by 3 outlets with different tolls and
   spellings, plus 3 distinct incidents, one of them at the same place as another but three days later) is
   stored in a fresh store; linking should give 6 events. Each event is listed with its reports; where the
   reports of one incident ended up in several events, the linking check that kept them apart is named
   (place, date, actors or type), from the extracted fields.

Backends: SQLite in a temporary file always; PostgreSQL when WIREWATCH_TEST_PG_URL is set. That URL is treated
as a disposable test database, as the test suite does: its ``public`` schema is dropped and created anew.
Run it against a throwaway server with ``scripts/with-postgres``.

How to run (from the repository root)::

    .venv/bin/python bench/ingest.py                                   # SQLite, 200 articles
    .venv/bin/python bench/ingest.py --articles 1000 --store-articles 6000
    bash scripts/with-postgres .venv/bin/python bench/ingest.py        # SQLite and PostgreSQL
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gc
import os
import pickle
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
DEFAULT_ARTICLES = 200
WARMUP_ARTICLES = 4

# Known duplicates: (article id, outlet, date, text); the letter before the dash names the incident.
# a, b, c: one incident each, told by three outlets with different figures and spellings (Kharkov, Al Fashir,
# Kiev); d, e, f: three distinct incidents (d hits the same city as a, three days later).
DUPLICATES = [
    ("a-kyivpost", "Kyiv Post Wire", "2025-02-11",
     "Russian drones struck a nine-storey apartment building in Kharkiv overnight, killing four people and "
     "wounding 12, regional governor Oleh Syniehubov said on Telegram."),
    ("a-eastwire", "East European Wire", "2025-02-11",
     "Russian drones slammed into an apartment block in Kharkov overnight, killing six residents, the city's "
     "mayor told reporters on Tuesday morning."),
    ("a-radio", "Radio Dnipro", "2025-02-11",
     "Ukrainian officials said Russian drones hit a residential building in Kharkiv overnight, killing five "
     "people and injuring at least ten."),
    ("b-sudanwire", "Sudan Wire", "2025-05-28",
     "Artillery fire by the paramilitary Rapid Support Forces killed at least 14 civilians in El Fasher on "
     "Tuesday, a local volunteer group said."),
    ("b-darfur24", "Darfur 24", "2025-05-28",
     "Rapid Support Forces fighters shelled the Abu Shouk camp in Al Fashir on Tuesday, killing 23 people, the "
     "state health ministry said."),
    ("b-nileradio", "Nile Radio", "2025-05-28",
     "RSF shells hit homes in El Fasher, the capital of North Darfur, on Tuesday, killing 19 civilians, medics "
     "said."),
    ("c-capital", "Capital Daily", "2025-04-24",
     "Russian missiles struck a residential district of Kyiv overnight, killing nine people and wounding more "
     "than 60, the head of the city military administration said."),
    ("c-agency", "Continental Agency", "2025-04-24",
     "A Russian missile attack on Kiev overnight killed 12 civilians and damaged dozens of homes, Ukraine's "
     "emergency service said."),
    ("c-morning", "Morning Herald", "2025-04-24",
     "At least ten people were killed when Russian missiles hit apartment buildings in the Ukrainian capital "
     "Kyiv overnight, officials said."),
    ("d-kharkiv-later", "Kyiv Post Wire", "2025-02-14",
     "Russian drones struck a warehouse in Kharkiv overnight, setting it on fire, the regional governor said. "
     "No one was hurt."),
    ("e-nairobi", "Nairobi Standard", "2025-06-25",
     "Police fired tear gas at thousands of protesters in central Nairobi on Wednesday as demonstrators marched "
     "on parliament to demand lower taxes, witnesses said."),
    ("f-gao", "Sahel Monitor", "2024-11-21",
     "Militants ambushed a Malian army supply convoy on the road between Ansongo and Gao on Tuesday, killing at "
     "least four soldiers, the army said."),
]
EXPECTED_DUPLICATE_EVENTS = 6


def _import_wirewatch():
    src = str(ROOT / "src")
    if src not in sys.path:
        sys.path.insert(0, src)          # measure the working tree even outside the venv


def _code(i: int) -> str:
    """A short letters-only code for copy i (no digits, so it adds no figure to extract)."""
    out = ""
    i += 26 * 26
    while i:
        i, r = divmod(i, 26)
        out = "abcdefghijklmnopqrstuvwxyz"[r] + out
    return out


def build_corpus(n: int):
    """N articles: the readable articles of examples/ in turn, each copy with its own id and closing line."""
    from wirewatch.readers import ReadError, read_inputs

    base = [a for a in read_inputs([str(EXAMPLES)]) if not isinstance(a, ReadError)]
    if not base:
        raise SystemExit(f"no readable article in {EXAMPLES}")
    corpus = []
    for i in range(n):
        a = base[i % len(base)]
        text = a.text.rstrip("\n") + f"\n\nDesk note: filed under reference {_code(i)}.\n"
        corpus.append(dataclasses.replace(a, id=f"{a.id}~{i:04d}", text=text, warnings=list(a.warnings)))
    return corpus, len(base)


def duplicate_articles():
    from wirewatch.records import Article

    return [Article(id=key, text=f"date {day}\n{text}\n", date=day, source=outlet, origin=f"{key}.txt")
            for key, outlet, day, text in DUPLICATES]


# --------------------------------------------------------------------------------------------- stores

def backends(tmp: Path) -> list[tuple[str, callable]]:
    """(name, open a fresh empty store) for each backend to measure."""
    from wirewatch.store import Store

    made = []

    def sqlite():
        made.append(tmp / f"bench-{len(made) + 1}.db")
        return Store(f"sqlite:///{made[-1]}")

    out = [("sqlite", sqlite)]
    pg = os.environ.get("WIREWATCH_TEST_PG_URL")
    if pg:
        def postgresql():
            from sqlalchemy import create_engine, text

            from wirewatch.store import normalise_url
            engine = create_engine(normalise_url(pg))
            with engine.begin() as conn:          # a disposable test database, as in the test suite
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            engine.dispose()
            return Store(pg)
        out.append(("postgresql", postgresql))
    return out


def time_store(open_store, results, first_copy: int) -> dict:
    store = open_store()
    store.engine                                     # schema created (migrations) before timing
    gc.collect()
    lat, statuses = [], {}
    events_after_first_copy = None
    for i, res in enumerate(results):
        t0 = time.perf_counter()
        added = store.add(res)
        lat.append(time.perf_counter() - t0)
        statuses[added.status] = statuses.get(added.status, 0) + 1
        if i + 1 == first_copy:
            events_after_first_copy = store.counts()     # not timed
    counts = store.counts()
    store.close()
    q = max(len(lat) // 4, 1)
    return {"seconds": sum(lat), "lat": lat, "statuses": statuses, "counts": counts,
            "first_copy": events_after_first_copy, "first_quarter": q / sum(lat[:q]),
            "last_quarter": q / sum(lat[-q:])}


def time_batches(open_store, results, size: int) -> tuple[float, dict]:
    """Store.add_many in transactions of ``size`` articles into a fresh store: seconds, and what it holds."""
    store = open_store()
    store.engine
    gc.collect()
    t0 = time.perf_counter()
    for i in range(0, len(results), size):
        store.add_many(results[i:i + size])
    seconds = time.perf_counter() - t0
    counts = store.counts()
    store.close()
    return seconds, counts


def store_corpus(results, distinct: int, n: int, archive_like: bool):
    """N results copied from the extracted ones under new ids (and a text of their own); archive-like: the
    incident dates moved by 40 days every third round of copies, so each incident is told by three articles."""
    out = []
    for i in range(n):
        r = results[i % len(results)]
        a = dataclasses.replace(r.article, id=f"{r.article.id}#{i}", text=r.article.text + f" ({_code(i)})")
        incidents = r.incidents
        if archive_like:
            shift = dt.timedelta(days=40 * ((i // distinct) // 3))
            incidents = [dataclasses.replace(x, event_date=(dt.date.fromisoformat(x.event_date) + shift).isoformat()
                                             if x.event_date else None) for x in r.incidents]
        out.append(dataclasses.replace(r, article=a, incidents=incidents))
    return out


def content(store) -> list:
    """The store's events by content (not ids), with the articles that report each."""
    from wirewatch.store import event_dict

    out = []
    for e in store.events():
        d = event_dict(e)
        d["reports"] = sorted(r["article"] for r in d["reports"])
        d.pop("id")
        out.append(repr(sorted(d.items())))
    return sorted(out)


def _writers_child(path: str, url: str, writers: int) -> tuple[float, dict, list]:
    """In a fresh process: store the pickled results at ``url`` with ``writers`` writers."""
    import pickle

    _import_wirewatch()
    from wirewatch.store import Store
    from wirewatch.store.parallel import open_writer

    with open(path, "rb") as fh:
        results = pickle.load(fh)
    store = Store(url)
    store.engine
    gc.collect()
    with open_writer(store, writers=writers, batch=100) as w:
        t0 = time.perf_counter()                 # writer threads started and connected before timing
        for r in results:
            w.add(r)
        w.close()
        seconds = time.perf_counter() - t0
    out = (seconds, store.counts(), content(store))
    store.close()
    return out


def time_writers(open_store, path: str, writers: int) -> tuple[float, dict, list]:
    """Store the results pickled at ``path`` into a fresh store with ``writers`` writers, in a process of its
    own that holds only the store (as the process that stores an ``ingest --engine dask`` run holds no spaCy
    pipeline; this one has it loaded, and its heap slows every thread's Python)."""
    import multiprocessing as mp

    store = open_store()
    store.engine
    url = store.url
    store.close()
    with mp.get_context("spawn").Pool(1) as pool:
        return pool.apply(_writers_child, (path, url, writers))


def dask_share(corpus, open_store) -> tuple[float, float, int]:
    """(total seconds, seconds storing, articles) of `ingest --engine dask` over the corpus (local cluster, 2
    workers)."""
    import json

    from wirewatch import distributed
    from wirewatch.settings import Settings

    with tempfile.TemporaryDirectory(prefix="wirewatch-bench-dask-") as tmp:
        path = Path(tmp) / "corpus.jsonl"
        with open(path, "w", encoding="utf-8") as fh:
            for a in corpus:
                fh.write(json.dumps({"id": a.id, "text": a.text, "date": a.date, "title": a.title,
                                     "source": a.source}) + "\n")
        store = open_store()
        store.engine
        with distributed.start_client(None, 2) as client:
            summary = distributed.ingest([str(path)], store, settings=Settings.load(), client=client,
                                         write_batch=100)
        store.close()
    return summary.seconds, summary.store_seconds, summary.articles


# --------------------------------------------------------------------------------------------- duplicates

def _fields(inc) -> SimpleNamespace:
    d = inc.event_date
    return SimpleNamespace(**{k: getattr(inc, k) for k in (
        "event_type", "country", "admin1", "location", "location_precision", "latitude", "longitude",
        "date_precision", "actor1", "actor2")}, event_date=dt.date.fromisoformat(d) if d else None)


def why_apart(a, b) -> str:
    """The linking checks that two reports fail (from their extracted fields)."""
    from wirewatch.store.linking import actors_compatible, dates_compatible, same_place

    fa, fb = _fields(a), _fields(b)
    out = []
    if fa.event_type != fb.event_type:
        out.append(f"type {fa.event_type} / {fb.event_type}")
    if not same_place(fa, fb):
        out.append(f"place {fa.location or fa.admin1 or fa.country} ({fa.location_precision}) / "
                   f"{fb.location or fb.admin1 or fb.country} ({fb.location_precision})")
    if not dates_compatible(fa, fb):
        out.append(f"date {a.event_date} / {b.event_date}")
    if not actors_compatible(fa, fb):
        out.append(f"actors {fa.actor1} -> {fa.actor2} / {fb.actor1} -> {fb.actor2}")
    return "; ".join(out) or "none failed against each other (the event's merged fields differed)"


def known_duplicates(name: str, open_store, results) -> int:
    from wirewatch.store import event_dict

    store = open_store()
    for res in results:
        store.add(res)
    events = [event_dict(e) for e in store.events()]
    store.close()
    incidents = {r.article.id: r.incidents for r in results}
    verdict = "as expected" if len(events) == EXPECTED_DUPLICATE_EVENTS else "NOT as expected"
    print(f"  {name}: {len(events)} events from {sum(e['n_reports'] for e in events)} reports "
          f"(expected {EXPECTED_DUPLICATE_EVENTS}: {verdict})")
    for ev in events:
        place = ev["location"] or ev["admin1"] or ev["country"] or "?"
        arts = ", ".join(f"{r['article']} ({r['fatalities'] if r['fatalities'] is not None else '-'})"
                         for r in ev["reports"])
        print(f"    event {ev['id']:>3}  {ev['event_date']}  {ev['sub_event_type']:<34} {place:<12} "
              f"dead {ev['fatalities'] if ev['fatalities'] is not None else '-':<3} <- {arts}")
    # incidents (by the letter before the dash) whose reports are spread over several events
    where: dict[str, dict[int, list[str]]] = {}
    for ev in events:
        for r in ev["reports"]:
            where.setdefault(r["article"].split("-")[0], {}).setdefault(ev["id"], []).append(r["article"])
    for letter, evs in sorted(where.items()):
        if len(evs) > 1:
            groups = list(evs.values())
            a = incidents[groups[0][0]][0]
            for g in groups[1:]:
                b = incidents[g[0]][0]
                print(f"    split: incident {letter}: {groups[0][0]} vs {g[0]} kept apart by: {why_apart(a, b)}")
    missing = [r.article.id for r in results if not r.incidents]
    if missing:
        print(f"    no incident extracted from: {', '.join(missing)}")
    return len(events)


# --------------------------------------------------------------------------------------------- main

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Ingest rate of the event store (extraction and storage timed "
                                             "apart) and linking of known duplicates.")
    ap.add_argument("--articles", type=int, default=DEFAULT_ARTICLES, metavar="N",
                    help=f"corpus size (default {DEFAULT_ARTICLES})")
    ap.add_argument("--batch-size", type=int, default=16, help="nlp.pipe batch size for extraction (default 16)")
    ap.add_argument("--store-articles", type=int, default=2000, metavar="N",
                    help="corpus size for the writers rows (copies of the extracted results; default 2000)")
    ap.add_argument("--no-dask", action="store_true", help="skip the `ingest --engine dask` run")
    args = ap.parse_args(argv)
    if args.articles < 1:
        ap.error("--articles must be at least 1")

    _import_wirewatch()
    from wirewatch.extractors import Extractor
    from wirewatch.settings import Settings

    ex = Extractor(Settings.load(batch_size=args.batch_size))
    corpus, distinct = build_corpus(args.articles)
    list(ex.extract_many(corpus[:WARMUP_ARTICLES]))          # model, gazetteer: loaded before timing
    gc.collect()
    t0 = time.perf_counter()
    results = list(ex.extract_many(corpus))
    extract_s = time.perf_counter() - t0
    reports = sum(len(r.incidents) for r in results)
    meta = ex.nlp.meta

    print(f"wirewatch ingest benchmark: {len(corpus)} articles ({distinct} distinct articles of examples/ in turn, "
          f"each copy with its own id and closing line)")
    print(f"spaCy pipeline: {meta.get('lang', '')}_{meta.get('name', '')} {meta.get('version', '')}")
    print()
    print(f"extraction (Extractor.extract_many, batch size {args.batch_size}): {len(results)} articles in "
          f"{extract_s:.2f} s = {len(results) / extract_s:.1f} articles/s; {reports} incident reports")
    print()

    with tempfile.TemporaryDirectory(prefix="wirewatch-bench-") as tmp:
        stores = backends(Path(tmp))
        rows = []
        for name, open_store in stores:
            rows.append((name, time_store(open_store, results, distinct)))
        header = (f"{'store':<11} {'articles':>8} {'store s':>8} {'articles/s':>10} {'ms/add p50':>10} "
                  f"{'p95':>6} {'max':>6} {'first/last quarter /s':>21} {'ingest articles/s':>17}")
        print("storage (Store.add per result, one transaction each; ingest = extraction + storage)")
        print(header)
        print("-" * len(header))
        for name, r in rows:
            lat = sorted(x * 1000 for x in r["lat"])
            p95 = lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))]
            print(f"{name:<11} {len(lat):>8} {r['seconds']:>8.2f} {len(lat) / r['seconds']:>10.1f} "
                  f"{statistics.median(lat):>10.1f} {p95:>6.1f} {lat[-1]:>6.1f} "
                  f"{r['first_quarter']:>10.1f}/{r['last_quarter']:<10.1f} "
                  f"{len(lat) / (extract_s + r['seconds']):>17.1f}")
        if len(stores) == 1:
            print("(PostgreSQL: run under `bash scripts/with-postgres` or set WIREWATCH_TEST_PG_URL)")
        print()
        print("batched writes (Store.add_many: one transaction per batch, bulk inserts; `ingest --write-batch N`)")
        print(f"{'store':<11} {'batch':>5} {'store s':>8} {'articles/s':>10}  same store as one at a time")
        for name, open_store in stores:
            single = dict(rows)[name]["counts"]
            for size in (1, 20, 100):
                seconds, counts = time_batches(open_store, results, size)
                print(f"{name:<11} {size:>5} {seconds:>8.2f} {len(results) / seconds:>10.1f}  "
                      f"{'yes' if counts == single else 'NO: ' + str(counts)}")
        print()
        print(f"writers (`ingest --writers N`, batches of 100; {args.store_articles} articles copied from the "
              f"extracted ones, storage only)")
        print(f"{'store':<11} {'corpus':<13} {'writers':>7} {'store s':>8} {'articles/s':>10} {'speed-up':>8}  "
              f"same store as one writer")
        for name, open_store in stores:
            for shape, archive in (("repeated", False), ("archive-like", True)):
                big = store_corpus(results, distinct, args.store_articles, archive)
                path = Path(tmp) / "store-corpus.pickle"
                with open(path, "wb") as fh:
                    pickle.dump(big, fh)
                one = None
                for writers in (1, 2):
                    seconds, counts, events = time_writers(open_store, str(path), writers)
                    if one is None:
                        one = (seconds, counts, events)
                    same = "yes" if (counts, events) == one[1:] else "NO"
                    print(f"{name:<11} {shape:<13} {writers:>7} {seconds:>8.2f} {len(big) / seconds:>10.1f} "
                          f"{one[0] / seconds:>7.2f}x  {same}  ({counts['events']} events, {counts['reports']} "
                          f"reports)")
        print()
        if not args.no_dask:
            print("the store's share of `ingest --engine dask` (local cluster of 2 workers, one writer, batches of "
                  "100)")
            for name, open_store in stores:
                total, storing, n = dask_share(corpus, open_store)
                print(f"{name:<11} {n} articles in {total:.1f} s = {n / total:.1f} articles/s; storing "
                      f"{storing:.2f} s = {100 * storing / total:.1f}% of the run")
            print()
        for name, r in rows:
            c, first = r["counts"], r["first_copy"]
            line = (f"linking, {name}: {c['articles']} articles, {c['reports']} reports linked into {c['events']} "
                    f"events ({c['reports'] / max(c['events'], 1):.1f} reports per event)")
            if first is not None and len(results) > distinct:
                same = "the same" if first["events"] == c["events"] else "NOT the same"
                line += (f"; after the first copy of the corpus: {first['events']} events from "
                         f"{first['reports']} reports ({same})")
            print(line)
        print()

        dup_results = list(ex.extract_many(duplicate_articles()))
        print(f"known duplicates: {len(DUPLICATES)} articles = 3 incidents told by 3 outlets each (different tolls "
              f"and spellings) + 3 distinct incidents")
        for name, open_store in stores:
            known_duplicates(name, open_store, dup_results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
