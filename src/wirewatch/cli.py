"""The `wirewatch` command: a thin layer over the Python API."""
from __future__ import annotations

import argparse
import sys
from typing import Iterator, Optional

from . import __version__
from .output import WRITERS
from .readers import ReadError, parse_iso_date, read_inputs
from .records import Article, ArticleResult
from .settings import Settings


def _err(msg: str) -> None:
    print(f"wirewatch: {msg}", file=sys.stderr, flush=True)


def _settings(args) -> Settings:
    return Settings.load(spacy_model=getattr(args, "spacy_model", None), event_model=getattr(args, "model", None),
                         n_process=getattr(args, "workers", None), write_batch=getattr(args, "write_batch", None),
                         writers=getattr(args, "writers", None))


def _check_pipeline(settings: Settings) -> bool:
    """Load the pipeline once up front (forked workers share it); False with a message if it cannot."""
    from .extractors.pool import _extractor
    try:
        _extractor(settings)
    except Exception as e:
        _err(f"error: {e}")
        return False
    return True


def _bad_date_option(args) -> bool:
    if args.date is not None and parse_iso_date(args.date) is None:
        _err(f"--date {args.date!r} is not a date (expected YYYY-MM-DD)")
        return True
    return False


def _engine_args_ok(args) -> bool:
    """--scheduler and --out belong to --engine dask; say so instead of ignoring them."""
    if args.engine != "dask":
        for opt in ("scheduler", "out"):
            if getattr(args, opt, None):
                _err(f"--{opt} needs --engine dask")
                return False
    elif args.scheduler and args.workers:
        _err("--workers starts a local cluster; with --scheduler the cluster's own workers are used")
        return False
    return True


def _dask_extract(args, settings: Settings) -> int:
    from . import distributed

    if not args.out:
        _err("--engine dask writes Parquet: give the output directory with --out DIR")
        return 2
    failures = 0

    def on_error(msg: str) -> None:
        nonlocal failures
        failures += 1
        _err(f"error: {msg}")

    try:
        with distributed.start_client(args.scheduler, args.workers or 2) as client:
            summary = distributed.extract_to_parquet(args.inputs, args.out, settings=settings, client=client,
                                                     partition_size=args.partition_size,
                                                     default_date=args.date, on_error=on_error,
                                                     on_warning=lambda w: _err(f"warning: {w}"))
    except (FileExistsError, OSError) as e:
        _err(f"error: {e}")
        return 2
    print(f"extracted {summary.articles} articles ({summary.records} records, {summary.failures} failed) in "
          f"{summary.partitions} partitions, {summary.seconds:.1f} s; Parquet in {args.out}", file=sys.stderr)
    return 1 if failures or summary.failures else 0


def cmd_extract(args: argparse.Namespace) -> int:
    from .extractors.pool import ExtractionFailure, extract_stream

    if _bad_date_option(args) or not _engine_args_ok(args):
        return 2
    settings = _settings(args)
    if args.engine == "dask":
        return _dask_extract(args, settings)
    failures = 0

    def articles() -> Iterator[Article]:
        nonlocal failures
        for item in read_inputs(args.inputs, default_date=args.date):
            if isinstance(item, ReadError):
                failures += 1
                _err(f"error: {item.message}")
                continue
            for w in item.warnings:
                _err(f"warning: {w}")
            yield item

    def results() -> Iterator[ArticleResult]:
        nonlocal failures
        for outcome in extract_stream(articles(), settings):
            if isinstance(outcome, ExtractionFailure):  # one bad article must not stop the batch
                failures += 1
                _err(f"error: {outcome.message}")
                continue
            yield outcome

    if not _check_pipeline(settings):
        return 2
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    try:
        WRITERS[args.format](results(), out, explain=args.explain)
    finally:
        if args.output:
            out.close()
    return 1 if failures else 0


def _store(args):
    from .store import Store
    return Store(args.db)


def cmd_ingest(args: argparse.Namespace) -> int:
    """Extract and store articles; link their incidents into events."""
    from .extractors.pool import ExtractionFailure, extract_stream
    from .progress import Progress
    from .store.parallel import open_writer

    if _bad_date_option(args) or not _engine_args_ok(args):
        return 2
    for opt in ("write_batch", "writers"):
        if getattr(args, opt) is not None and getattr(args, opt) < 1:
            _err(f"--{opt.replace('_', '-')} {getattr(args, opt)}: needs at least 1")
            return 2
    settings = _settings(args)
    store = _store(args)
    progress = Progress(sys.stderr)
    failures = 0
    counts = {"new": 0, "updated": 0, "unchanged": 0}

    def added(a) -> None:
        counts[a.status] += 1
        progress.done(f"{a.key}: {a.status}" + (f", {len(a.events)} event(s)" if a.events else ""))

    if args.engine == "dask":
        from . import distributed

        def on_error(msg: str) -> None:
            nonlocal failures
            failures += 1
            progress.fail(msg)

        with distributed.start_client(args.scheduler, args.workers or 2) as client:
            distributed.ingest(args.inputs, store, settings=settings, client=client,
                               partition_size=args.partition_size, default_date=args.date,
                               on_added=added, on_error=on_error, write_batch=settings.write_batch,
                               writers=settings.writers)
        return _ingest_summary(store, progress, counts, failures)

    def articles():
        nonlocal failures
        for item in read_inputs(args.inputs, default_date=args.date):
            if isinstance(item, ReadError):
                failures += 1
                store.record_failure(item)
                progress.fail(item.message)
                continue
            yield item

    if not _check_pipeline(settings):
        return 2
    with open_writer(store, settings.writers, settings.write_batch, on_added=added) as writer:
        for outcome in extract_stream(articles(), settings):
            if isinstance(outcome, ExtractionFailure):  # one bad article must not stop the batch
                failures += 1
                store.record_failure(outcome)
                progress.fail(outcome.message)
                continue
            writer.add(outcome)
    return _ingest_summary(store, progress, counts, failures)


def _ingest_summary(store, progress, counts: dict, failures: int) -> int:
    progress.close()
    c = store.counts()
    print(f"ingested: {counts['new']} new, {counts['updated']} updated, {counts['unchanged']} unchanged "
          f"(already stored), {failures} failed; store now holds {c['articles']} articles, {c['events']} events "
          f"from {c['reports']} reports", file=sys.stderr)
    return 1 if failures else 0


def _bad_dates(args) -> bool:
    """Say which --since/--until value is not a date, or --min-confidence not a probability; True if one is bad."""
    for name in ("since", "until"):
        v = getattr(args, name)
        if v is not None and parse_iso_date(v) is None:
            _err(f"--{name} {v!r} is not a date (expected YYYY-MM-DD)")
            return True
    v = getattr(args, "min_confidence", None)
    if v is not None:
        try:
            ok = 0.0 <= float(v) <= 1.0
        except ValueError:
            ok = False
        if not ok:
            _err(f"--min-confidence {v!r} is not a probability (expected a number from 0 to 1)")
            return True
    return False


def _event_filters(args) -> dict:
    return {"since": args.since, "until": args.until, "country": args.country, "admin1": args.admin1,
            "type": args.type, "sub_type": args.sub_type, "actor": args.actor, "text": args.text,
            "min_confidence": float(args.min_confidence) if args.min_confidence is not None else None,
            "disputed": args.disputed}


def cmd_events(args: argparse.Namespace) -> int:
    from .export import write_events
    from .store import event_dict

    if _bad_dates(args):
        return 2
    events = [event_dict(e) for e in _store(args).events(**_event_filters(args), limit=args.limit)]
    write_events(events, args.format, sys.stdout)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    ev = _store(args).event(args.event_id)
    if ev is None:
        _err(f"no event {args.event_id}")
        return 1
    place = ", ".join(x for x in (ev["location"], ev["admin1"] if ev["admin1"] != ev["location"] else None,
                                  ev["country"]) if x)
    print(f"Event {ev['id']}: {ev['event_date']} ({ev['date_precision']})  {ev['event_type']} / {ev['sub_event_type']}")
    print(f"  place: {place or '?'} ({ev['location_precision']})  actors: {ev['actor1'] or '?'} -> {ev['actor2'] or '-'}")
    print(f"  fatalities: {ev['fatalities'] if ev['fatalities'] is not None else 'not reported'}   "
          f"target: {ev['target'] or '-'}   reports: {ev['n_reports']}")
    for rep in ev["reports"]:
        print(f"\n  report {rep['report_id']} from {rep['article']} ({rep['source']}, {rep['article_date']}), "
              f"per {rep['reported_by']}")
        print(f"    {rep['event_date']} {rep['sub_event_type']} @ {rep['location'] or rep['admin1'] or rep['country']}"
              f"  dead: {rep['fatalities'] if rep['fatalities'] is not None else '-'}"
              + ("  [background]" if rep["is_background"] else ""))
        for e in rep["evidence"]:
            print(f"    [{e['start']}:{e['end']}] \"{e['text']}\"")
    if ev["contradictions"]:
        print("\n  contradictions:")
        for c in ev["contradictions"]:
            print(f"    {c['what']}")
    return 0


def cmd_quotes(args: argparse.Namespace) -> int:
    from .export import write_rows
    write_rows(_store(args).quotes(speaker=args.speaker, limit=args.limit), args.format, sys.stdout,
               ["date", "article", "speaker", "direct", "channel", "text"])
    return 0


def cmd_claims(args: argparse.Namespace) -> int:
    from .export import write_rows
    write_rows(_store(args).claims(reported_by=args.reported_by, unit=args.unit, limit=args.limit), args.format,
               sys.stdout, ["date", "article", "qualifier", "value", "unit", "reported_by"])
    return 0


def cmd_failures(args: argparse.Namespace) -> int:
    rows = _store(args).failures()
    for r in rows:
        print(f"{r['origin'] or r['article']}: {r['error']}")
    if not rows:
        print("no failures recorded", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    import json

    from .export import export_events
    from .store import event_dict

    if _bad_dates(args):
        return 2
    store = _store(args)
    if args.format == "jsonl":      # a backup: every article with its text and records, for `ingest`
        n = 0
        with open(args.output, "w", encoding="utf-8") as fh:
            for row in store.backup(**_event_filters(args)):
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
        print(f"exported {n} articles with their records to {args.output} (jsonl; `wirewatch ingest "
              f"{args.output}` restores them)", file=sys.stderr)
        return 0
    events = [event_dict(e) for e in store.events(**_event_filters(args))]
    export_events(events, args.format, args.output)
    print(f"exported {len(events)} events to {args.output} ({args.format})", file=sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    from .serve import create_app

    token = os.environ.get("WIREWATCH_TOKEN") or None
    if args.private and token is None:
        _err("--private needs WIREWATCH_TOKEN set (the token readers must present)")
        return 2
    extractor = None
    if args.model:
        from .event_model import ModelError
        from .extractors import Extractor
        extractor = Extractor(_settings(args))
        try:
            extractor.event_model  # noqa: B018 -- a bad --model fails now, not on the first POST
        except ModelError as e:
            _err(f"error: {e}")
            return 2
    app = create_app(_store(args), token=token, private=args.private, cors_origins=args.cors_origins, extractor=extractor,
                     tile_url=args.tile_url or os.environ.get("WIREWATCH_TILE_URL") or "")
    print(f"wirewatch: serving on http://{args.host}:{args.port}/ "
          f"({'read-write' if token else 'read-only: set WIREWATCH_TOKEN to accept POST /api/articles'}"
          f"{', private' if args.private else ''})", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Ingest the bundled sample corpus and say how to open the dashboard."""
    from pathlib import Path

    examples = Path(args.examples)
    if not examples.exists():
        _err(f"{examples}: no such directory (run from the repository root or pass --examples)")
        return 2
    args.inputs, args.date, args.spacy_model, args.workers = [str(examples)], None, None, None
    args.engine, args.scheduler, args.partition_size, args.write_batch, args.writers = "local", None, 32, None, None
    rc = cmd_ingest(args)
    db = args.db or "sqlite:///wirewatch.db"
    exe = sys.argv[0] if sys.argv and sys.argv[0].endswith("wirewatch") else "wirewatch"
    print(f"\nThe sample corpus is in {db}. Open the dashboard with:\n\n    {exe} serve --db {db}\n\n"
          f"then visit http://127.0.0.1:8000/", file=sys.stderr)
    return rc


def cmd_gazetteer(args: argparse.Namespace) -> int:
    from .gazetteer import Gazetteer, build_index, index_path
    from .lexicon import Lexicon

    settings = Settings.load()
    path = index_path(settings.cache_dir)
    lex = Lexicon(settings.lexicon_dir)
    if args.rebuild or not path.exists():
        build_index(path, lex.countries)
        print(f"gazetteer index built: {path}")
    gaz = Gazetteer(path, lex.countries)
    for name in args.names:
        p = gaz.lookup(name)
        if p is None:
            print(f"{name}: not found")
        else:
            print(f"{name}: {p.name}, {p.admin1 or '-'}, {lex.iso_country.get(p.country_code, p.country)} "
                  f"({p.kind}, {p.latitude:.4f}, {p.longitude:.4f})")
    if not args.names and path.exists():
        print(f"gazetteer index: {path}")
    return 0


class _Bar:
    """A progress bar for training on a terminal, plain lines otherwise."""

    def __init__(self):
        self.tty = sys.stderr.isatty()
        self.last = None

    def __call__(self, step: str, i: int, k: int) -> None:
        if self.tty:
            fill = int(20 * i / max(k, 1))
            sys.stderr.write(f"\r\x1b[K{step:<32} [{'#' * fill}{'.' * (20 - fill)}] {i}/{k}")
            if i == k:
                sys.stderr.write("\n")
            sys.stderr.flush()
        elif i == k or step != self.last:
            _err(f"{step}: {i}/{k}")
        self.last = step


def _read_training_data(paths, kind: str = "incidents") -> Optional[list]:
    from .event_model import DataError, read_examples

    try:
        examples = read_examples(paths, warn=_err, kind=kind)
    except (DataError, OSError) as e:
        _err(f"error: {e}")
        return None
    if not examples:
        _err("error: no labelled examples in " + ", ".join(map(str, paths)))
        return None
    return examples


def cmd_train(args: argparse.Namespace) -> int:
    from collections import Counter

    from .event_model import format_report, train

    examples = _read_training_data(args.data, args.kind)
    if examples is None:
        return 2
    by = [] if args.cv_by.strip().lower() in ("", "none") else [b.strip() for b in args.cv_by.split(",")]
    bad = [b for b in by if b not in ("country", "style", "batch")]
    if bad:
        _err(f"--cv-by: unknown grouping {', '.join(bad)} (country, style, batch or none)")
        return 2
    counts = Counter(e.label for e in examples)
    negative = "none"
    what = {"incidents": ("incidents", "sub-event types"), "interactions": ("interactions", "CAMEO roots"),
            "opinion": ("opinion sentences", "labels")}[args.kind]
    _err(f"{len(examples)} examples: {len(examples) - counts.get(negative, 0)} {what[0]} over "
         f"{len(counts) - (negative in counts)} {what[1]}, {counts.get(negative, 0)} negatives, "
         f"{len({e.country for e in examples if e.country})} countries")
    params = {"seed": args.seed} if args.seed is not None else None
    try:
        model, report = train(examples, params=params, cv_by=by, folds=args.folds, progress=_Bar())
    except ValueError as e:
        _err(f"error: {e}")
        return 2
    for grouping, s in report.items():
        print(format_report(s, f"cross-validation, folds split by {grouping} "
                               f"(no {grouping} is both in training and in test):", kind=args.kind))
        print()
    if report:
        first = next(iter(report.values()))     # the grouping the calibration was fitted on
        print(f"probabilities calibrated by temperature {model.temperature:.2f} "
              f"(expected calibration error {first.extra['ece_uncalibrated']:.3f} before, {first.ece:.3f} after)")
    else:
        _err("no cross-validation: the data has a single country and style (or --cv-by none); "
             "probabilities are not calibrated")
    out = model.save(args.out)
    print(f"model saved to {out} ({len(model.vocabulary)} n-grams, {len(model.labels)} labels); "
          f"use it with --model {out}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    import json

    from .event_model import ModelError, evaluate, format_confusion, format_report, load_model

    examples = _read_training_data(args.data, args.kind)
    if examples is None:
        return 2
    if args.kind == "incidents":
        where = Settings.load(event_model=args.model).event_model
    else:
        from .event_model import default_model_dir
        where = args.model or str(default_model_dir(args.kind))
    try:
        model = load_model(where)
    except ModelError as e:
        _err(f"error: {e}")
        return 2
    if model is None:
        _err("error: no model: give --model DIR (from `wirewatch train`) or build the default one with `make model`")
        return 2
    s = evaluate(model, examples)
    if args.format == "json":
        print(json.dumps({**s.summary(), "per_label": s.per_label, "confusion": s.confusion}, indent=2))
        return 0
    print(format_report(s, kind=args.kind))
    print()
    print(format_confusion(s))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wirewatch", description="Turn news articles on war, unrest and diplomacy "
                                "into evidence-backed event records (ACLED incidents, CAMEO interactions, quotes, claims).")
    p.add_argument("--version", action="version", version=f"wirewatch {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    def engine_args(p):
        p.add_argument("--engine", choices=["local", "dask"], default="local",
                       help="local: worker processes on this machine (default); dask: a Dask cluster, local "
                       "(--workers N, default 2) or remote (--scheduler)")
        p.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="--engine dask: an existing scheduler")
        p.add_argument("--partition-size", dest="partition_size", type=int, default=32, metavar="N",
                       help="--engine dask: articles per task (default 32)")

    def model_args(p, spacy=True):
        p.add_argument("--model", metavar="DIR", help="event-typing model directory (from `wirewatch train`; default "
                       "$WIREWATCH_MODEL, else the model built by `make model`)")
        if spacy:
            p.add_argument("--spacy-model", dest="spacy_model", metavar="PACKAGE",
                           help="spaCy pipeline package (default: en_core_web_sm, or its PyPI re-upload)")

    e = sub.add_parser("extract", help="extract records from articles and print them",
                       description="Extract incidents, interactions, quotes, claims, opinion sentences and "
                       "contradictions from articles (.txt, .jsonl, .html, directories, '-' for stdin).")
    e.add_argument("inputs", nargs="+", metavar="INPUT", help="file, directory or '-' (stdin)")
    e.add_argument("--format", "-f", choices=sorted(WRITERS), default="table", help="output format (default: table)")
    e.add_argument("--date", help="article date (YYYY-MM-DD) for inputs without one")
    e.add_argument("--explain", action="store_true", help="show which words triggered each record")
    model_args(e)
    e.add_argument("--output", "-o", help="write to this file instead of stdout")
    workers_help = ("worker processes (default $WIREWATCH_N_PROCESS or one per CPU core; "
                    "records are the same whatever the number)")
    e.add_argument("--workers", "-j", type=int, help=workers_help)
    engine_args(e)
    e.add_argument("--out", metavar="DIR", help="--engine dask: directory (or fsspec URL) for the Parquet "
                   "output, one file per partition and record kind")
    e.set_defaults(func=cmd_extract)

    db_help = "database URL (SQLAlchemy; default $WIREWATCH_DB or sqlite:///wirewatch.db; postgresql://... works)"
    i = sub.add_parser("ingest", help="extract articles and store them, linking reports of the same incident",
                       description="Extract and store articles (.txt, .jsonl, .html, directories, '-'); reports of "
                       "the same incident across articles are linked into one event.")
    i.add_argument("inputs", nargs="+", metavar="INPUT")
    i.add_argument("--db", help=db_help)
    i.add_argument("--date", help="article date (YYYY-MM-DD) for inputs without one")
    model_args(i)
    i.add_argument("--workers", "-j", type=int, help=workers_help)
    i.add_argument("--write-batch", dest="write_batch", type=int, metavar="N",
                   help="articles stored and linked per transaction (default 100; a batch is stored whole or not "
                   "at all, and running the command again finishes the work)")
    i.add_argument("--writers", type=int, metavar="N",
                   help="writers (threads, each with its own connection) storing and linking side by side, "
                   "each taking the articles of its own countries (default 1; on PostgreSQL 2 store 1.6-1.8 "
                   "times as fast when extraction runs on --engine dask; SQLite: no faster)")
    engine_args(i)
    i.set_defaults(func=cmd_ingest)

    def filters(p):
        p.add_argument("--db", help=db_help)
        p.add_argument("--since", help="events on or after this date (YYYY-MM-DD)")
        p.add_argument("--until", help="events on or before this date (YYYY-MM-DD)")
        p.add_argument("--country")
        p.add_argument("--admin1")
        p.add_argument("--type", help="event type (e.g. 'Battles')")
        p.add_argument("--sub-type", dest="sub_type", help="sub-event type (e.g. 'Air/drone strike')")
        p.add_argument("--actor", help="text in actor1 or actor2")
        p.add_argument("--text", help="text in the evidence of any report")
        p.add_argument("--min-confidence", dest="min_confidence", metavar="P",
                       help="events whose surest report has at least this confidence (0-1; events of a store "
                       "built without a model are kept)")
        p.add_argument("--disputed", action="store_true", help="events whose reports disagree (contradictions)")

    ev = sub.add_parser("events", help="list stored events with filters",
                        description="List events (one per real incident) sorted by date.")
    filters(ev)
    ev.add_argument("--format", "-f", choices=["table", "jsonl", "csv"], default="table")
    ev.add_argument("--limit", type=int)
    ev.set_defaults(func=cmd_events)

    sh = sub.add_parser("show", help="show one event with every report, its evidence and contradictions")
    sh.add_argument("event_id", type=int)
    sh.add_argument("--db", help=db_help)
    sh.set_defaults(func=cmd_show)

    qt = sub.add_parser("quotes", help="list stored quotes")
    qt.add_argument("--db", help=db_help)
    qt.add_argument("--speaker", help="text in the speaker's name")
    qt.add_argument("--format", "-f", choices=["table", "jsonl", "csv"], default="table")
    qt.add_argument("--limit", type=int)
    qt.set_defaults(func=cmd_quotes)

    cl = sub.add_parser("claims", help="list stored claims (reported figures)")
    cl.add_argument("--db", help=db_help)
    cl.add_argument("--reported-by", dest="reported_by")
    cl.add_argument("--unit", help="text in the unit ('killed', 'drones')")
    cl.add_argument("--format", "-f", choices=["table", "jsonl", "csv"], default="table")
    cl.add_argument("--limit", type=int)
    cl.set_defaults(func=cmd_claims)

    fl = sub.add_parser("failures", help="list articles that could not be read or extracted")
    fl.add_argument("--db", help=db_help)
    fl.set_defaults(func=cmd_failures)

    ex = sub.add_parser("export", help="export events as ACLED CSV, GeoJSON or Parquet, or back the store up "
                        "as JSON Lines", description="Export the events (acled-csv, geojson, parquet) or back up "
                        "the articles with their text and records (jsonl; `wirewatch ingest FILE` restores it "
                        "into any store and links the events again).")
    filters(ex)
    ex.add_argument("--format", "-f", choices=["acled-csv", "geojson", "parquet", "jsonl"], required=True)
    ex.add_argument("--output", "-o", required=True, help="file to write")
    ex.set_defaults(func=cmd_export)

    sv = sub.add_parser("serve", help="start the REST API and dashboard",
                        description="Serve the REST API (/api, schema at /docs) and the dashboard (/). Writing "
                        "(POST /api/articles) needs WIREWATCH_TOKEN; without it the server is read-only.")
    sv.add_argument("--db", help=db_help)
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8000)
    sv.add_argument("--private", action="store_true", help="reading needs the bearer token too")
    sv.add_argument("--cors-origin", dest="cors_origins", action="append", metavar="ORIGIN",
                    help="allow cross-origin requests from this origin (repeatable; default: none allowed)")
    sv.add_argument("--tiles", "--tile-url", dest="tile_url", metavar="URL",
                    help="online map tiles drawn over the bundled base map, e.g. "
                    "'https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png' ($WIREWATCH_TILE_URL; default: none, the "
                    "bundled Natural Earth map alone, which needs no internet and shows wherever tiles fail)")
    model_args(sv, spacy=False)
    sv.set_defaults(func=cmd_serve)

    dm = sub.add_parser("demo", help="ingest the bundled sample corpus and print how to open the dashboard")
    dm.add_argument("--db", help=db_help)
    dm.add_argument("--examples", default="examples", help="the sample corpus directory (default: examples)")
    model_args(dm, spacy=False)
    dm.set_defaults(func=cmd_demo)

    data_help = ("training data: corpus JSON Lines (text, the label field of the kind: sub_event_type, root or "
                 "label; country, style), gold article JSON files, or a CSV (incidents: an ACLED-style export with "
                 "notes and sub_event_type; interactions: text and root; opinion: text and label); directories "
                 "are searched for .jsonl, .json and .csv")
    kind_help = ("what the model codes: incidents (ACLED sub-event type, the default), interactions (CAMEO root "
                 "02-20) or opinion (the outlet's own voice vs report)")
    tr = sub.add_parser("train", help="train an event-typing model on coded data and print its cross-validated scores",
                        description="Train the event-typing model (is a sentence an incident, and of which ACLED "
                        "sub-event type) on labelled sentences, cross-validate it by country and by style, calibrate "
                        "its probabilities and save it to a directory that --model takes.")
    tr.add_argument("--data", nargs="+", required=True, metavar="FILE", help=data_help)
    tr.add_argument("--kind", choices=["incidents", "interactions", "opinion"], default="incidents", help=kind_help)
    tr.add_argument("--out", required=True, metavar="DIR", help="model directory to write")
    tr.add_argument("--folds", type=int, default=5, help="cross-validation folds per grouping (default 5)")
    tr.add_argument("--cv-by", dest="cv_by", default="country,style",
                    help="groupings to cross-validate by, comma-separated: country, style, batch; 'none' to skip "
                    "(default country,style; the first also calibrates the probabilities)")
    tr.add_argument("--seed", type=int, default=None, help="random seed (default 13; same data and seed, same model)")
    tr.set_defaults(func=cmd_train)

    ev2 = sub.add_parser("evaluate", help="score an event-typing model on labelled data",
                         description="Per sub-event type precision, recall and F1, the confusion matrix, weighted "
                         "and macro F1, incident detection and calibration of a model on labelled data.")
    ev2.add_argument("--data", nargs="+", required=True, metavar="FILE", help=data_help)
    ev2.add_argument("--kind", choices=["incidents", "interactions", "opinion"], default="incidents", help=kind_help)
    ev2.add_argument("--model", metavar="DIR", help="model directory (incidents: default $WIREWATCH_MODEL, else the "
                     "default model; interactions and opinion: the default model of that kind)")
    ev2.add_argument("--format", "-f", choices=["table", "json"], default="table")
    ev2.set_defaults(func=cmd_evaluate)

    g = sub.add_parser("gazetteer", help="build the place index or look places up",
                       description="Build the GeoNames index (done once, automatically) or look up place names.")
    g.add_argument("names", nargs="*", help="place names to look up")
    g.add_argument("--rebuild", action="store_true", help="rebuild the index from the installed data")
    g.set_defaults(func=cmd_gazetteer)
    return p


def main(argv: Optional[list[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:
        from sqlalchemy.exc import SQLAlchemyError

        from .store import Store, describe_db_error, shown_url
        from .store.parallel import WriterError
        if not isinstance(e, (SQLAlchemyError, WriterError)):
            raise
        # the database failed (server gone, disk full, ...): what was committed stays, and running the
        # same command again finishes the work
        _err(f"error: database {shown_url(Store(getattr(args, 'db', None)).url)}: {describe_db_error(e)}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
