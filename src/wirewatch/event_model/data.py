"""Labelled examples for the event-typing model, read from the three formats an analyst has:

- corpus JSON Lines (``corpus/incidents/*.jsonl``): ``{"text", "sub_event_type", "country", "style",
  "batch"}``, ``sub_event_type`` ``"none"`` (or missing) for a sentence that reports no incident;
- gold articles (``shared/gold/*.json``, the codebook's shape): every sentence that holds an
  incident's evidence is an example of that incident's type, every other sentence a negative;
- an ACLED-style CSV export: ``notes`` and ``sub_event_type`` columns (``country`` used for the
  grouped cross-validation when present).

A bad line or row is skipped with a one-line message naming the file and line; good ones are kept.
"""
from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Sequence

NONE = "none"

EVENT_TYPES = {
    "Battles": ["Armed clash", "Government regains territory", "Non-state actor overtakes territory"],
    "Explosions/Remote violence": ["Chemical weapon", "Air/drone strike", "Suicide bomb",
                                   "Shelling/artillery/missile attack", "Remote explosive/landmine/IED", "Grenade"],
    "Violence against civilians": ["Sexual violence", "Attack", "Abduction/forced disappearance"],
    "Protests": ["Peaceful protest", "Protest with intervention", "Excessive force against protesters"],
    "Riots": ["Violent demonstration", "Mob violence"],
    "Strategic developments": ["Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
                               "Headquarters or base established", "Looting/property destruction",
                               "Non-violent transfer of territory", "Other"],
}
EVENT_TYPE_OF = {sub: et for et, subs in EVENT_TYPES.items() for sub in subs}
SUB_EVENT_TYPES = list(EVENT_TYPE_OF)
_BY_LOWER = {s.lower(): s for s in SUB_EVENT_TYPES}      # exports differ in case ("Remote explosive/landmine/ied")


class DataError(ValueError):
    """A training file that cannot be read at all (missing, wrong kind)."""


@dataclass(frozen=True)
class Example:
    text: str
    label: str                      # a sub-event type, or NONE
    country: str = ""
    style: str = ""
    batch: str = ""
    origin: str = ""                # file:line


def normalise_label(value) -> Optional[str]:
    """The codebook spelling of a sub-event type, NONE for a negative, None when unknown."""
    if value is None:
        return NONE
    s = str(value).strip()
    if s.lower() in ("", "none", "null", "no event", "no_event"):
        return NONE
    return _BY_LOWER.get(s.lower())


Warn = Callable[[str], None]


def _corpus_lines(path: Path, warn: Warn) -> Iterator[Example]:
    with open(path, encoding="utf-8", errors="replace") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                warn(f"{path}:{n}: not a JSON line, skipped")
                continue
            if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not row["text"].strip():
                warn(f"{path}:{n}: no \"text\", skipped")
                continue
            label = normalise_label(row.get("sub_event_type"))
            if label is None:
                warn(f"{path}:{n}: unknown sub_event_type {row.get('sub_event_type')!r}, skipped")
                continue
            yield Example(row["text"].strip(), label, str(row.get("country") or ""), str(row.get("style") or ""),
                          str(row.get("batch") or path.stem), f"{path}:{n}")


SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])|\n+")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a plain text (for reading gold articles; the pipeline uses spaCy's)."""
    out, start = [], 0
    for m in SENTENCE_END.finditer(text):
        if text[start:m.start()].strip():
            out.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        out.append((start, len(text)))
    return out


def gold_examples(doc: dict, origin: str = "") -> list[Example]:
    """The sentences of a gold article, each labelled by the incident whose evidence it holds."""
    text = doc.get("text") or ""
    spans = split_sentences(text)
    labels: dict[int, str] = {}
    country: dict[int, str] = {}
    for inc in doc.get("incidents") or []:
        label = normalise_label(inc.get("sub_event_type"))
        if not label or label == NONE:
            continue
        for ev in inc.get("evidence") or []:
            start = ev.get("start") if isinstance(ev, dict) else None
            if not isinstance(start, int):
                found = text.find(ev.get("text", "") if isinstance(ev, dict) else str(ev))
                start = found if found >= 0 else None
            if start is None:
                continue
            for i, (s, e) in enumerate(spans):
                if s <= start < e:
                    labels.setdefault(i, label)      # the first incident of a sentence names it
                    country.setdefault(i, str(inc.get("country") or ""))
                    break
    main_country = next(iter(country.values()), "")
    out = []
    for i, (s, e) in enumerate(spans):
        sent = text[s:e].strip()
        if len(sent.split()) < 3 or re.fullmatch(r"date \d{4}-\d{2}-\d{2}", sent):
            continue
        out.append(Example(sent, labels.get(i, NONE), country.get(i, main_country), "gold",
                           str(doc.get("id") or origin), f"{origin}#{i}"))
    return out


def _gold_file(path: Path, warn: Warn) -> Iterator[Example]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    except ValueError as e:
        warn(f"{path}: not JSON ({e.msg}), skipped")
        return
    docs = doc if isinstance(doc, list) else [doc]
    for d in docs:
        if not isinstance(d, dict) or not isinstance(d.get("text"), str) or "incidents" not in d:
            warn(f"{path}: not a gold article (needs \"text\" and \"incidents\"), skipped")
            continue
        yield from gold_examples(d, str(path))


def _acled_csv(path: Path, warn: Warn) -> Iterator[Example]:
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.DictReader(fh)
        cols = {c.lower().strip(): c for c in reader.fieldnames or []}
        if "notes" not in cols or "sub_event_type" not in cols:
            raise DataError(f"{path}: a CSV needs \"notes\" and \"sub_event_type\" columns "
                            f"(has {', '.join(reader.fieldnames or []) or 'none'})")
        for n, row in enumerate(reader, 2):
            text = (row.get(cols["notes"]) or "").strip()
            if not text:
                warn(f"{path}:{n}: empty notes, skipped")
                continue
            label = normalise_label(row.get(cols["sub_event_type"]))
            if label is None:
                warn(f"{path}:{n}: unknown sub_event_type {row.get(cols['sub_event_type'])!r}, skipped")
                continue
            yield Example(text, label, (row.get(cols["country"]) or "").strip() if "country" in cols else "",
                          "acled", path.stem, f"{path}:{n}")


def read_examples(paths: Iterable, warn: Optional[Warn] = None) -> list[Example]:
    """Examples from files or directories (``*.jsonl``, ``*.json``, ``*.csv`` found recursively)."""
    warn = warn or (lambda msg: None)
    out: list[Example] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.suffix.lower() in (".jsonl", ".json", ".csv") and f.is_file())
            if not files:
                raise DataError(f"{p}: no .jsonl, .json or .csv files in this directory")
        elif p.is_file():
            files = [p]
        else:
            raise DataError(f"{p}: no such file or directory")
        for f in files:
            suffix = f.suffix.lower()
            if suffix == ".jsonl":
                out.extend(_corpus_lines(f, warn))
            elif suffix == ".json":
                out.extend(_gold_file(f, warn))
            elif suffix == ".csv":
                out.extend(_acled_csv(f, warn))
            else:
                raise DataError(f"{f}: not a training file (expected .jsonl corpus, .json gold article or .csv export)")
    return out


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def near_duplicates(examples: Sequence[Example], threshold: float = 0.8) -> list[tuple[int, int, float]]:
    """Pairs of examples whose word sets overlap by ``threshold`` or more (Jaccard): the mark of a
    template filled twice, or of the same sentence written twice. Candidates are pairs sharing a run
    of four words, so the check stays fast on tens of thousands of examples."""
    words = [_words(e.text) for e in examples]
    sets = [set(w) for w in words]
    index: dict[tuple, list[int]] = {}
    for i, w in enumerate(words):
        grams = {tuple(w[k:k + 4]) for k in range(len(w) - 3)} or {tuple(w)}
        for g in grams:
            index.setdefault(g, []).append(i)
    pairs = set()
    for ids in index.values():
        if 1 < len(ids) <= 50:
            for x, a in enumerate(ids):
                for b in ids[x + 1:]:
                    pairs.add((a, b))
    out = []
    for a, b in sorted(pairs):
        union = sets[a] | sets[b]
        j = len(sets[a] & sets[b]) / len(union) if union else 1.0
        if j >= threshold:
            out.append((a, b, j))
    return out
