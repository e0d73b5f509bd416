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


KINDS = ("incidents", "interactions", "opinion")
CAMEO_ROOTS = [f"{n:02d}" for n in range(2, 21)]       # 01 (plain statements) are quotes, not interactions
OPINION, REPORT = "opinion", NONE     # a report sentence is the negative, as for the other kinds
# the field that holds the label in a corpus line and in a CSV, per kind
LABEL_FIELD = {"incidents": "sub_event_type", "interactions": "root", "opinion": "label"}


def normalise_label(value, kind: str = "incidents") -> Optional[str]:
    """The label of a line in the codebook's spelling: a sub-event type (incidents), a two-digit CAMEO
    root 02-20 (interactions; "4", "04", "042" all read as "04", root 01 is no interaction), or
    opinion/report; NONE for a negative (REPORT for opinion); None when unknown."""
    negative = REPORT if kind == "opinion" else NONE
    if value is None:
        return negative
    s = str(value).strip()
    if s.lower() in ("", "none", "null", "no event", "no_event", "no interaction"):
        return negative
    if kind == "interactions":
        m = re.fullmatch(r"(\d{1,2})(\d)?(\d)?", s)
        if not m:
            return None
        code = s.zfill(2) if len(s) <= 2 else s[:2] if len(s) in (3, 4) else None
        if code == "01":
            return NONE
        return code if code in CAMEO_ROOTS else None
    if kind == "opinion":
        low = s.lower()
        if low in ("opinion", "true", "1", "yes"):
            return OPINION
        if low in ("report", "false", "0", "no"):
            return REPORT
        return None
    return _BY_LOWER.get(s.lower())


Warn = Callable[[str], None]


def _corpus_lines(path: Path, warn: Warn, kind: str = "incidents") -> Iterator[Example]:
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
            field = LABEL_FIELD[kind]
            label = normalise_label(row.get(field), kind)
            if label is None:
                warn(f"{path}:{n}: unknown {field} {row.get(field)!r}, skipped")
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


GOLD_RECORDS = {"incidents": ("incidents", "sub_event_type"), "interactions": ("interactions", "cameo_root"),
                "opinion": ("opinion", None)}


def gold_examples(doc: dict, origin: str = "", kind: str = "incidents") -> list[Example]:
    """The sentences of a gold article, each labelled by the record of ``kind`` whose evidence it holds
    (an incident's sub-event type, an interaction's CAMEO root, opinion); the others are negatives."""
    text = doc.get("text") or ""
    spans = split_sentences(text)
    labels: dict[int, str] = {}
    country: dict[int, str] = {}
    records, field = GOLD_RECORDS[kind]
    for inc in doc.get(records) or []:
        if isinstance(inc, str):            # opinion records are the sentences themselves
            inc = {"evidence": [inc]}
        if not isinstance(inc, dict):
            continue
        label = normalise_label(inc.get(field), kind) if field else OPINION
        if not label or label in (NONE, REPORT):
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
        out.append(Example(sent, labels.get(i, REPORT if kind == "opinion" else NONE), country.get(i, main_country),
                           "gold", str(doc.get("id") or origin), f"{origin}#{i}"))
    return out


def _gold_file(path: Path, warn: Warn, kind: str = "incidents") -> Iterator[Example]:
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
        yield from gold_examples(d, str(path), kind)


# the columns a CSV gives text and label in, per kind (the first present is used)
CSV_TEXT = {"incidents": ("notes",), "interactions": ("text", "sentence"), "opinion": ("text", "sentence")}
CSV_LABEL = {"incidents": ("sub_event_type",), "interactions": ("root", "cameo_root", "eventrootcode"),
             "opinion": ("label", "opinion")}


def _acled_csv(path: Path, warn: Warn, kind: str = "incidents") -> Iterator[Example]:
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.DictReader(fh)
        cols = {c.lower().strip(): c for c in reader.fieldnames or []}
        text_col = next((cols[c] for c in CSV_TEXT[kind] if c in cols), None)
        label_col = next((cols[c] for c in CSV_LABEL[kind] if c in cols), None)
        if text_col is None or label_col is None:
            raise DataError(f"{path}: a CSV of {kind} needs a {' or '.join(map(repr, CSV_TEXT[kind]))} column and a "
                            f"{' or '.join(map(repr, CSV_LABEL[kind]))} column "
                            f"(has {', '.join(reader.fieldnames or []) or 'none'})")
        for n, row in enumerate(reader, 2):
            text = (row.get(text_col) or "").strip()
            if not text:
                warn(f"{path}:{n}: empty {text_col}, skipped")
                continue
            label = normalise_label(row.get(label_col), kind)
            if label is None:
                warn(f"{path}:{n}: unknown {label_col} {row.get(label_col)!r}, skipped")
                continue
            yield Example(text, label, (row.get(cols["country"]) or "").strip() if "country" in cols else "",
                          "acled", path.stem, f"{path}:{n}")


def read_examples(paths: Iterable, warn: Optional[Warn] = None, kind: str = "incidents") -> list[Example]:
    """Examples of ``kind`` (incidents, interactions, opinion) from files or directories (``*.jsonl``,
    ``*.json``, ``*.csv`` found recursively)."""
    if kind not in KINDS:
        raise DataError(f"unknown kind {kind!r} (one of {', '.join(KINDS)})")
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
                out.extend(_corpus_lines(f, warn, kind))
            elif suffix == ".json":
                out.extend(_gold_file(f, warn, kind))
            elif suffix == ".csv":
                out.extend(_acled_csv(f, warn, kind))
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
