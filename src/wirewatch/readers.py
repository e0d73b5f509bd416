"""Article readers: .txt, .jsonl, .html, directories and stdin -> Article.

Readers stream: they yield one ``Article`` or one ``ReadError`` at a time, so a
bad item never stops the batch and a large JSONL file is never read whole.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable, Iterator, Optional, Union

from .records import Article

DATE_HEADER = re.compile(r"\A\s*date[ \t]+(\S+)[ \t]*(?:\r?\n|[ \t]|\Z)", re.IGNORECASE)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TEXT_SUFFIXES = {".txt", ".text"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
HTML_SUFFIXES = {".html", ".htm"}
READABLE_SUFFIXES = TEXT_SUFFIXES | JSONL_SUFFIXES | HTML_SUFFIXES
# one input item (a file, or a JSON line) larger than this is refused unread: the longest article
# extracted (1,000,000 characters) fits even as JSON-escaped text (6 bytes a character) or in a
# heavily marked-up HTML page; a bigger item is not an article
MAX_ITEM_BYTES = 16 * 1024 * 1024


@dataclass
class ReadError:
    """An input that could not be read; ``message`` is one line naming the file."""

    origin: str
    problem: str
    key: Optional[str] = None       # the article id, when known (a failure restored from an export)
    at: Optional[str] = None        # where it was read, when that is not ``origin`` (a restored failure)

    @property
    def message(self) -> str:
        if self.at:
            return one_line(f"{self.at}: failure of {self.origin} (restored): {self.problem}")
        return one_line(f"{self.origin}: {self.problem}")


def one_line(s: str) -> str:
    """``s`` on one line: line breaks and other control characters escaped (a file name or a stored
    error can hold them), so that each message stays one line."""
    return CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), s)


CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
SURROGATE = re.compile(r"[\ud800-\udfff]")
MAX_ID_CHARS = 300          # the store's key column


Item = Union[Article, ReadError]


def parse_iso_date(value: str) -> Optional[str]:
    """Return ``value`` as an ISO date string if it is a valid calendar date."""
    value = (value or "").strip()
    m = ISO_DATE.match(value)
    if not m:
        return None
    try:
        return dt.date.fromisoformat(m.group(0)).isoformat()
    except ValueError:
        return None


def split_date_header(text: str) -> tuple[Optional[str], Optional[str], int]:
    """Find a leading ``date YYYY-MM-DD`` header.

    Returns (raw value, ISO date or None if unparseable, end offset of the header);
    (None, None, 0) when there is no header.
    """
    m = DATE_HEADER.match(text)
    if not m:
        return None, None, 0
    return m.group(1), parse_iso_date(m.group(1)), m.end()


def decode_bytes(data: bytes, origin: str) -> tuple[Optional[str], list[str], Optional[str]]:
    """Decode article bytes: (text, warnings, error)."""
    if not data.strip():
        return None, [], "empty file"
    if b"\x00" in data[:8192]:
        return None, [], "binary file (NUL bytes), not text"
    try:
        return data.decode("utf-8-sig"), [], None
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd")
        if bad > max(16, len(text) // 20):
            return None, [], f"binary or non-UTF-8 file ({bad} undecodable bytes)"
        return text, [f"{origin}: {bad} invalid UTF-8 byte(s) replaced with U+FFFD"], None


def _article_from_text(text: str, origin: str, art_id: str, date: Optional[str],
                       fallback_date: Optional[str], warnings: list[str]) -> Item:
    raw, parsed, end = split_date_header(text)
    if raw is not None:
        if parsed is None:
            return ReadError(origin, f"unparseable date header {raw!r} (expected 'date YYYY-MM-DD')")
        date = parsed
    if not text[end:].strip():
        return ReadError(origin, "no article text")
    if date is None:
        date = fallback_date
    return Article(id=art_id, text=text, date=date, origin=origin, warnings=warnings)


def read_decoded(path: Path) -> Union[tuple[str, list[str]], ReadError]:
    """A file's text (and decoding warnings), or the one-line reason it cannot be read."""
    origin = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_ITEM_BYTES:
            return ReadError(origin, f"file too large: {size:,} bytes, over the limit of {MAX_ITEM_BYTES:,}")
        data = path.read_bytes()
    except OSError as e:
        return ReadError(origin, f"cannot read: {e.strerror or e}")
    text, warnings, err = decode_bytes(data, origin)
    return ReadError(origin, err) if err else (text, warnings)


def read_txt(path: Path, default_date: Optional[str] = None) -> Iterator[Item]:
    origin = str(path)
    decoded = read_decoded(path)
    if isinstance(decoded, ReadError):
        yield decoded
        return
    text, warnings = decoded
    fallback = default_date
    if fallback is None and not DATE_HEADER.match(text):
        fallback = dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
        warnings.append(f"{origin}: no date header and no --date; using the file's modification date {fallback}")
    yield _article_from_text(text, origin, path.stem, None, fallback, warnings)


def read_jsonl_stream(stream: IO[bytes], origin: str, default_date: Optional[str] = None) -> Iterator[Item]:
    """Read JSON Lines of {"id", "date", "text", ["title", "source", "url"]}, line by line; a line over
    MAX_ITEM_BYTES is skipped unread (memory stays bounded however long the line)."""
    for lineno, raw in enumerate(_lines(stream), 1):
        where = f"{origin}:{lineno}"
        if raw is None:
            yield ReadError(where, f"line too long: over {MAX_ITEM_BYTES:,} bytes, skipped")
            continue
        if not raw.strip():
            continue
        warnings: list[str] = []
        try:
            line = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            line = raw.decode("utf-8", errors="replace")
            warnings.append(f"{where}: invalid UTF-8 byte(s) replaced with U+FFFD")
        try:
            obj = json.loads(line.strip().lstrip("\ufeff"))     # a byte-order mark may open any line
        except json.JSONDecodeError as e:
            yield ReadError(where, f"malformed JSON ({e.msg} at column {e.colno})")
            continue
        except RecursionError:
            yield ReadError(where, "malformed JSON (nested too deeply)")
            continue
        except ValueError as e:         # e.g. an integer of more than 4,300 digits
            yield ReadError(where, f"malformed JSON ({str(e).splitlines()[0][:120]})")
            continue
        if not isinstance(obj, dict):
            yield ReadError(where, "a JSON object with 'text' was expected")
            continue
        obj, fixed = _without_surrogates(obj)
        if fixed:
            warnings.append(f"{where}: lone surrogate escape(s) replaced with U+FFFD")
        if obj.get("id") is not None and (not isinstance(obj["id"], (str, int)) or isinstance(obj["id"], bool)
                                          or not str(obj["id"]).strip() or len(str(obj["id"])) > MAX_ID_CHARS):
            yield ReadError(where, f"'id' must be a non-empty string or integer of at most {MAX_ID_CHARS} characters")
            continue
        if obj.get("wirewatch") == EXPORT_FORMAT and obj.get("status") == "failed":
            # a failure kept in an export: restored as a failure under its own id
            key = str(obj["id"]) if obj.get("id") is not None else None
            yield ReadError(str(obj.get("origin") or where), str(obj.get("error") or "failed"), key=key, at=where)
            continue
        text = obj.get("text")
        if not isinstance(text, str) or not text.strip():
            yield ReadError(where, "missing or empty 'text'")
            continue
        date = obj.get("date")
        if date is not None:
            parsed = parse_iso_date(str(date))
            if parsed is None:
                yield ReadError(where, f"unparseable date {date!r} (expected YYYY-MM-DD)")
                continue
            date = parsed
        art_id = str(obj.get("id") if obj.get("id") is not None else f"{Path(origin).stem}-{lineno}")
        item = _article_from_text(text, where, art_id, date, default_date, warnings)
        if isinstance(item, Article):
            for key in ("title", "source", "url"):
                if isinstance(obj.get(key), str):
                    setattr(item, key, obj[key])
            if obj.get("wirewatch") is not None:
                item = _stored_article(obj, item, where)
        yield item


def _without_surrogates(obj: dict) -> tuple[dict, bool]:
    """The top-level strings of a JSON object with lone surrogates (``"\\ud800"``, valid JSON but not
    text: no encoder takes them) replaced by U+FFFD, one for one, so offsets keep their meaning."""
    fixed = False
    out = {}
    for k, v in obj.items():
        if isinstance(v, str) and SURROGATE.search(v):
            v, fixed = SURROGATE.sub("\ufffd", v), True
        out[k] = v
    return out, fixed


EXPORT_FORMAT = "article/1"      # lines of `wirewatch export --format jsonl` carry "wirewatch": EXPORT_FORMAT


def _stored_article(obj: dict, article: Article, where: str) -> Item:
    """An exported article line: the article with its records, checked against its text."""
    if obj.get("wirewatch") != EXPORT_FORMAT:
        return ReadError(where, f"unknown wirewatch export format {obj.get('wirewatch')!r} "
                                f"(this version reads {EXPORT_FORMAT!r})")
    from .records import ArticleResult

    try:
        stored = ArticleResult.from_dict(article, obj)
    except ValueError as e:
        return ReadError(where, f"bad exported records: {e}")
    if isinstance(obj.get("origin"), str) and obj["origin"].strip():
        article.origin = obj["origin"][:500]       # where it was first read (the store keeps 500 characters)
    article.stored = stored
    return article


def _lines(stream: IO[bytes]) -> Iterator[Optional[bytes]]:
    """The lines of a binary stream; None for a line longer than MAX_ITEM_BYTES (read past, not kept)."""
    while True:
        line = stream.readline(MAX_ITEM_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_ITEM_BYTES and not line.endswith(b"\n"):
            while True:             # skip the rest of the long line in bounded pieces
                rest = stream.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None
            continue
        yield line


def read_jsonl(path: Path, default_date: Optional[str] = None) -> Iterator[Item]:
    try:
        with path.open("rb") as fh:
            yield from read_jsonl_stream(fh, str(path), default_date)
    except OSError as e:
        yield ReadError(str(path), f"cannot read: {e.strerror or e}")


def read_html(path: Path, default_date: Optional[str] = None) -> Iterator[Item]:
    decoded = read_decoded(path)
    if isinstance(decoded, ReadError):
        yield decoded
        return
    html, warnings = decoded
    yield article_from_html(html, str(path), path.stem, default_date, warnings)


def article_from_html(html: str, origin: str, art_id: str, default_date: Optional[str] = None,
                      warnings: Optional[list[str]] = None) -> Item:
    import trafilatura

    warnings = list(warnings or [])
    try:
        doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                          favor_precision=True)
    except Exception as e:  # trafilatura raises many kinds on broken markup
        return ReadError(origin, f"cannot parse HTML ({type(e).__name__})")
    if doc is None:
        return ReadError(origin, "no article text found in the HTML")
    get = (lambda k: getattr(doc, k, None)) if not isinstance(doc, dict) else doc.get
    text = get("text")
    if not text or not text.strip():
        return ReadError(origin, "no article text found in the HTML")
    date = parse_iso_date(get("date") or "") or default_date
    if date is None:
        warnings.append(f"{origin}: no date found in the HTML and no --date given")
    return Article(id=art_id, text=text, date=date, title=get("title"), url=get("url"),
                   source=get("sitename"), origin=origin, warnings=warnings)


class _Prefixed:
    """A binary stream with ``head`` (already read from it) put back in front; readline only."""

    def __init__(self, head: bytes, rest: IO[bytes]):
        import io
        self.head, self.rest = io.BytesIO(head), rest

    def readline(self, limit: int = -1) -> bytes:
        line = self.head.readline(limit)
        if line.endswith(b"\n") or (limit >= 0 and len(line) >= limit):
            return line
        more = self.rest.readline(limit - len(line) if limit >= 0 else -1)
        return line + more


def read_stdin(stream: IO[bytes], default_date: Optional[str] = None) -> Iterator[Item]:
    """Standard input: JSON Lines (first non-blank byte '{') are streamed line by line; anything else is
    one article (text or HTML), refused past MAX_ITEM_BYTES."""
    origin = "<stdin>"
    head = stream.read(65536)
    while head and not head.strip() and len(head) < MAX_ITEM_BYTES:
        more = stream.read(65536)       # leading blank space: read on to the first byte that says what it is
        if not more:
            break
        head += more
    stripped = head.lstrip()
    if stripped.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{"):     # a BOM may come first
        yield from read_jsonl_stream(_Prefixed(head, stream), origin, default_date)
        return
    data = head + stream.read(max(0, MAX_ITEM_BYTES + 1 - len(head)))
    if len(data) > MAX_ITEM_BYTES:
        yield ReadError(origin, f"input too large: over {MAX_ITEM_BYTES:,} bytes")
        return
    stripped = data.lstrip()
    text, warnings, err = decode_bytes(data, origin)
    if err:
        yield ReadError(origin, err)
        return
    if stripped[:1] == b"<" and re.search(rb"<html|<body|<article|<p>", stripped[:2048], re.I):
        yield article_from_html(text, origin, "stdin", default_date, warnings)
        return
    if default_date is None and not DATE_HEADER.match(text):
        default_date = dt.date.today().isoformat()
        warnings.append(f"{origin}: no date header and no --date; using today's date {default_date}")
    yield _article_from_text(text, origin, "stdin", None, default_date, warnings)


def read_path(path: Path, default_date: Optional[str] = None) -> Iterator[Item]:
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from read_jsonl(path, default_date)
    elif suffix in HTML_SUFFIXES:
        yield from read_html(path, default_date)
    else:
        yield from read_txt(path, default_date)


def read_inputs(inputs: Iterable[str], default_date: Optional[str] = None,
                stdin: Optional[IO[bytes]] = None) -> Iterator[Item]:
    """Read every input in order: files, directories (recursively, sorted) and '-'."""
    for name in inputs:
        if name == "-":
            yield from read_stdin(stdin or sys.stdin.buffer, default_date)
            continue
        path = Path(name)
        if path.is_dir():
            found = False
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for fname in sorted(files):
                    p = Path(root) / fname
                    if p.suffix.lower() in READABLE_SUFFIXES and not fname.startswith("."):
                        found = True
                        yield from read_path(p, default_date)
            if not found:
                yield ReadError(str(path), "directory holds no .txt, .jsonl or .html file")
        elif path.exists():
            yield from read_path(path, default_date)
        else:
            yield ReadError(str(path), "no such file or directory")
