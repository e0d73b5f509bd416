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


def cmd_extract(args: argparse.Namespace) -> int:
    from .extractors import Extractor

    if args.date is not None and parse_iso_date(args.date) is None:
        _err(f"--date {args.date!r} is not a date (expected YYYY-MM-DD)")
        return 2
    settings = Settings.load(spacy_model=args.model)
    extractor = Extractor(settings)
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
        for article in articles():
            try:
                yield extractor.extract(article)
            except Exception as e:  # one bad article must not stop the batch
                failures += 1
                _err(f"error: {article.origin or article.id}: extraction failed ({type(e).__name__}: {e})")

    try:
        extractor.nlp
    except Exception as e:
        _err(f"error: {e}")
        return 2
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    try:
        WRITERS[args.format](results(), out, explain=args.explain)
    finally:
        if args.output:
            out.close()
    return 1 if failures else 0


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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wirewatch", description="Turn news articles on war, unrest and diplomacy "
                                "into evidence-backed event records (ACLED incidents, CAMEO interactions, quotes, claims).")
    p.add_argument("--version", action="version", version=f"wirewatch {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    e = sub.add_parser("extract", help="extract records from articles and print them",
                       description="Extract incidents, interactions, quotes, claims, opinion sentences and "
                       "contradictions from articles (.txt, .jsonl, .html, directories, '-' for stdin).")
    e.add_argument("inputs", nargs="+", metavar="INPUT", help="file, directory or '-' (stdin)")
    e.add_argument("--format", "-f", choices=sorted(WRITERS), default="table", help="output format (default: table)")
    e.add_argument("--date", help="article date (YYYY-MM-DD) for inputs without one")
    e.add_argument("--explain", action="store_true", help="show which words triggered each record")
    e.add_argument("--model", help="spaCy pipeline package (default: en_core_web_sm, or its PyPI re-upload)")
    e.add_argument("--output", "-o", help="write to this file instead of stdout")
    e.set_defaults(func=cmd_extract)

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


if __name__ == "__main__":
    sys.exit(main())
