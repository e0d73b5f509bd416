"""Invariants the readers and the extractor must keep on any input, shared by the
atheris fuzz targets (fuzz/fuzz_readers.py, fuzz/fuzz_extract.py), the replay of
saved crashes (tests/test_fuzz_regressions.py) and the property tests
(tests/test_hostile_input.py).

A broken invariant raises AssertionError; any other exception raised by the code
under test propagates unchanged. Both count as a crash for the fuzzer.
"""
from __future__ import annotations

import datetime as dt
import io
import math
import sys
from typing import Iterable, Optional

from wirewatch.readers import ReadError, article_from_html, read_jsonl_stream, read_stdin
from wirewatch.records import Article, ArticleResult

# the longest text the extract target parses (spaCy's tokenizer is quadratic on long runs of
# punctuation: keep one input well under libFuzzer's -timeout)
MAX_EXTRACT_CHARS = 20_000

# dates an article may carry: any valid ISO date comes out of the readers ("date 0001-01-01")
ARTICLE_DATES = ("2025-03-05", None, "0001-01-01", "9999-12-31", "2024-02-29", "1970-01-01")

# a good JSON line put around the fuzzed bytes: it must always come out as an Article
GOOD_BEFORE = b'{"id": "fuzz-good-before", "date": "2025-03-05", "text": "Drones hit a depot in Kharkiv."}'
GOOD_AFTER = b'{"id": "fuzz-good-after", "text": "Protesters marched in Nairobi on Monday."}'


def is_iso_date(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def one_line(s: str) -> bool:
    """True when ``s`` prints as exactly one line (no \\n, \\r, \\x0b, \\x85, U+2028, ...)."""
    return isinstance(s, str) and len(s.splitlines()) == 1 and not s.endswith(("\n", "\r"))


def _encodable(s: str) -> bool:
    try:
        s.encode("utf-8", "surrogateescape")   # file names may carry surrogate-escaped bytes
        return True
    except UnicodeEncodeError:
        return False


def check_article(a: Article, origin: str) -> None:
    assert isinstance(a.id, str) and a.id, f"article id {a.id!r} is not a non-empty str"
    assert isinstance(a.text, str) and a.text.strip(), f"{a.id!r}: empty article text"
    try:
        a.text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise AssertionError(f"{a.origin}: article text holds a lone surrogate at {e.start} "
                             f"({a.text[e.start]!r}); spaCy and every writer fail on it") from None
    for key in ("id", "title", "source", "url", "origin"):
        v = getattr(a, key)
        assert v is None or (isinstance(v, str) and _encodable(v)), \
            f"{a.origin}: article {key} {v!r} is not encodable as UTF-8 (output writers fail on it)"
    assert a.date is None or is_iso_date(a.date), f"{a.origin}: article date {a.date!r} is not an ISO date"
    # an article restored from an export line keeps the origin recorded in it
    assert isinstance(a.origin, str) and (a.origin.startswith(origin) or getattr(a, "stored", None) is not None), \
        f"article origin {a.origin!r} does not start with {origin!r}"
    for w in a.warnings:
        assert one_line(w), f"warning is not one line: {w!r}"


def check_read_error(e: ReadError, origin: str) -> None:
    msg = e.message
    assert one_line(msg), f"ReadError message is not one line: {msg!r}"
    # a failure restored from an export line (it has its article id as key) names the origin recorded in it
    assert msg.startswith(origin) or getattr(e, "key", None) is not None, \
        f"ReadError message {msg[:200]!r} does not start with {origin!r}"


def check_items(items: Iterable, origin: str) -> list:
    """Consume a reader's items (an exception inside the reader propagates) and check each one."""
    out = []
    for it in items:
        assert isinstance(it, (Article, ReadError)), f"reader yielded {type(it).__name__}: {it!r}"
        if isinstance(it, ReadError):
            check_read_error(it, origin)
        else:
            check_article(it, origin)
        out.append(it)
    return out


def article_ids(items: Iterable) -> list[str]:
    return [it.id for it in items if isinstance(it, Article)]


# ------------------------------------------------------------------------------------ readers
def readers_one_input(data: bytes) -> None:
    """Everything the readers fuzz target checks on one input."""
    # JSON Lines: the bytes as they are, then between two good lines that must both survive
    check_items(read_jsonl_stream(io.BytesIO(data), "fuzz.jsonl"), "fuzz.jsonl")
    framed = GOOD_BEFORE + b"\n" + data + b"\n" + GOOD_AFTER + b"\n"
    ids = article_ids(check_items(read_jsonl_stream(io.BytesIO(framed), "framed.jsonl"), "framed.jsonl"))
    assert ids[:1] == ["fuzz-good-before"] and ids[-1:] == ["fuzz-good-after"], \
        f"a good line around the fuzzed bytes was lost: article ids {ids[:5]}...{ids[-5:]}"
    # stdin: JSON Lines, HTML or plain text by sniffing
    items = check_items(read_stdin(io.BytesIO(data), default_date="2025-03-05"), "<stdin>")
    assert items, "read_stdin yielded nothing"
    # HTML (trafilatura), after decoding as the CLI does
    html = data.decode("utf-8", errors="replace")
    item = article_from_html(html, "fuzz.html", "fuzz")
    check_items([item], "fuzz.html")


# ------------------------------------------------------------------------------------ extractor
def check_result(article: Article, result: ArticleResult) -> None:
    """Evidence offsets index the article text; figures are finite; dates are ISO dates."""
    text = article.text
    assert result.article is article
    for kind, rec in result.records():
        for e in rec.evidence:
            assert isinstance(e.start, int) and isinstance(e.end, int), f"{kind}: offsets not int: {e!r}"
            assert 0 <= e.start < e.end <= len(text), \
                f"{kind}: evidence [{e.start}:{e.end}] outside the text (len {len(text)}): {e.text[:80]!r}"
            assert text[e.start:e.end] == e.text, \
                f"{kind}: evidence text {e.text[:80]!r} != article.text[{e.start}:{e.end}] " \
                f"{text[e.start:e.end][:80]!r}"
        for f in ("fatalities", "value", "latitude", "longitude"):
            v = getattr(rec, f, None)
            if v is None:
                continue
            assert isinstance(v, (int, float)) and not isinstance(v, bool), f"{kind}.{f} = {v!r} is not a number"
            assert math.isfinite(v), f"{kind}.{f} = {v!r} is not finite"
        fat = getattr(rec, "fatalities", None)
        assert fat is None or (fat >= 0 and float(fat).is_integer()), f"{kind}.fatalities = {fat!r}"
        for f in ("event_date",):
            v = getattr(rec, f, None)
            assert v is None or is_iso_date(v), f"{kind}.{f} = {v!r} is not an ISO date"
        for f in ("claims",):
            idx = getattr(rec, f, None)
            if idx is not None:
                assert all(0 <= i < len(result.claims) for i in idx), f"{kind}.{f} = {idx!r} out of range"
    result.to_dict(explain=True)   # every record serialises


def extract_and_check(extractor, text: str, date: Optional[str] = "2025-03-05", art_id: str = "fuzz") -> ArticleResult:
    article = Article(id=art_id, text=text, date=date, origin=art_id)
    result = extractor.extract(article)
    check_result(article, result)
    return result


def decode_extract_input(data: bytes) -> tuple[str, Optional[str]]:
    """The article text and date the extract target builds from fuzzer bytes."""
    import atheris

    fdp = atheris.FuzzedDataProvider(data)
    date = fdp.PickValueInList(list(ARTICLE_DATES)) if len(data) > 1 else ARTICLE_DATES[0]
    text = fdp.ConsumeUnicodeNoSurrogates(fdp.remaining_bytes())[:MAX_EXTRACT_CHARS]
    return text, date


def extract_one_input(extractor, data: bytes) -> None:
    """Everything the extract fuzz target checks on one input."""
    text, date = decode_extract_input(data)
    if not text.strip():
        return
    extract_and_check(extractor, text, date)


# ------------------------------------------------------------------------------------ triage
def crash_signature(exc: BaseException) -> str:
    """``ExceptionType@file.py:line`` of the innermost wirewatch (or invariants) frame."""
    import os
    import traceback

    where = "?"
    for fr in traceback.extract_tb(exc.__traceback__):
        if "/wirewatch/" in fr.filename or fr.filename.endswith("invariants.py"):
            where = f"{os.path.basename(fr.filename)}:{fr.lineno}"
    return f"{type(exc).__name__}@{where}"


def known_crashes() -> set[str]:
    """Signatures in $FUZZ_IGNORE (comma-separated): crashes already reported, which a triage run
    skips to look for others. Empty by default: every crash counts."""
    import os

    return {s.strip() for s in os.environ.get("FUZZ_IGNORE", "").split(",") if s.strip()}


def run_target(check, *args) -> None:
    """Run one fuzz input through ``check``; a crash whose signature is in $FUZZ_IGNORE is skipped."""
    try:
        check(*args)
    except Exception as e:  # noqa: BLE001 -- re-raised unless already known
        sig = crash_signature(e)
        if sig in known_crashes():
            return
        sys.stderr.write(f"\n== crash signature: {sig}\n")
        raise
