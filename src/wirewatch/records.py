"""One typed record model for every layer: readers, extractors, output.

The JSON shape of each record is the gold shape of ``shared/gold`` (see the
codebook), with evidence as ``{"start", "end", "text"}`` character offsets into
the article text.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
import typing
from typing import Any, Optional


@dataclass(frozen=True, order=True)
class Evidence:
    """A span of the article text: ``text == article.text[start:end]``."""

    start: int
    end: int
    text: str

    @classmethod
    def of(cls, article_text: str, start: int, end: int) -> "Evidence":
        return cls(start, end, article_text[start:end])

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass
class Article:
    id: str
    text: str
    date: Optional[str] = None          # ISO publication date
    title: Optional[str] = None
    source: Optional[str] = None
    url: Optional[str] = None
    origin: Optional[str] = None        # file (and line) it was read from
    warnings: list[str] = field(default_factory=list)
    # records already coded (a line of `wirewatch export --format jsonl`, checked and built by the
    # reader): restored as they are, not re-extracted
    stored: Optional[ArticleResult] = field(default=None, repr=False, compare=False)


@dataclass
class Record:
    """Base of every extracted record: evidence spans plus trigger words."""

    evidence: list[Evidence] = field(default_factory=list)
    triggers: list[str] = field(default_factory=list, repr=False)   # for --explain

    def to_dict(self, explain: bool = False) -> dict:
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name in ("evidence", "triggers"):
                continue
            out[f.name] = getattr(self, f.name)
        out["evidence"] = [e.to_dict() for e in dict.fromkeys(self.evidence)]
        if explain:
            out["triggers"] = list(self.triggers)
        return out


@dataclass
class Incident(Record):
    event_date: Optional[str] = None
    date_precision: Optional[str] = None
    event_type: str = ""
    sub_event_type: str = ""
    actor1: Optional[str] = None
    actor2: Optional[str] = None
    country: Optional[str] = None
    admin1: Optional[str] = None
    location: Optional[str] = None
    location_precision: str = "country"
    latitude: Optional[float] = None
    longitude: Optional[float] = None
    fatalities: Optional[int] = None
    target: Optional[str] = None
    reported_by: Optional[str] = None
    is_background: bool = False
    # the event-typing model's calibrated probability that this clause reports an incident of this
    # sub-event type (codebook: "confidence"); None when no model was loaded
    confidence: Optional[float] = None


@dataclass
class Interaction(Record):
    event_date: Optional[str] = None
    date_precision: Optional[str] = None
    source_actor: Optional[str] = None
    target_actor: Optional[str] = None
    cameo_root: str = ""
    summary: str = ""
    location: Optional[str] = None
    # the interaction model's calibrated probability for this CAMEO root, read on the clause of the act;
    # None when no interaction model was loaded
    confidence: Optional[float] = None


@dataclass
class Quote(Record):
    speaker: Optional[str] = None
    text: str = ""
    direct: bool = False
    channel: Optional[str] = None


@dataclass
class Claim(Record):
    value: float = 0
    qualifier: Optional[str] = None
    unit: str = ""
    reported_by: Optional[str] = None


@dataclass
class Opinion(Record):
    text: str = ""


@dataclass
class Contradiction(Record):
    what: str = ""
    claims: list[int] = field(default_factory=list)   # indices into the article's claims


@dataclass
class ArticleResult:
    """Everything extracted from one article."""

    article: Article
    incidents: list[Incident] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    opinion: list[Opinion] = field(default_factory=list)
    contradictions: list[Contradiction] = field(default_factory=list)

    KINDS = ("incidents", "interactions", "quotes", "claims", "opinion", "contradictions")

    def to_dict(self, explain: bool = False) -> dict:
        a = self.article
        out: dict[str, Any] = {"id": a.id, "date": a.date}
        for key in ("title", "source", "url"):
            if getattr(a, key):
                out[key] = getattr(a, key)
        for kind in self.KINDS:
            out[kind] = [r.to_dict(explain) for r in getattr(self, kind)]
        return out

    @classmethod
    def from_dict(cls, article: Article, data: dict) -> "ArticleResult":
        """The records of ``data`` (the shape of ``to_dict``; unknown keys ignored) for ``article``.
        Raises ValueError if a record is malformed or its evidence does not match the text."""
        out = cls(article=article)
        for kind, rec_cls in RECORD_CLASSES.items():
            items = data.get(kind) or []
            if not isinstance(items, list):
                raise ValueError(f"'{kind}' is not a list")
            names = {f.name for f in fields(rec_cls)} - {"evidence", "triggers"}
            hints = typing.get_type_hints(rec_cls)
            for i, item in enumerate(items):
                if not isinstance(item, dict):
                    raise ValueError(f"{kind}[{i}] is not an object")
                evidence = []
                spans = item.get("evidence")
                if not isinstance(spans, list):
                    raise ValueError(f"{kind}[{i}]: 'evidence' is not a list")
                for e in spans:
                    try:
                        ev = Evidence(_int(e["start"]), _int(e["end"]), e["text"])
                    except (KeyError, TypeError, ValueError, OverflowError):
                        raise ValueError(f"{kind}[{i}]: malformed evidence {str(e)[:80]!r}") from None
                    if not isinstance(ev.text, str) or not 0 <= ev.start < ev.end <= len(article.text) \
                            or article.text[ev.start:ev.end] != ev.text:
                        raise ValueError(f"{kind}[{i}]: evidence {ev.start}-{ev.end} does not match the text")
                    evidence.append(ev)
                if not evidence:
                    raise ValueError(f"{kind}[{i}] has no evidence")
                values = {k: v for k, v in item.items() if k in names}
                for k, v in values.items():
                    problem = _check_field(hints[k], k, v)
                    if problem:
                        raise ValueError(f"{kind}[{i}].{k}: {problem}")
                rec = rec_cls(evidence=evidence, **values)
                getattr(out, kind).append(rec)
        return out

    def records(self):
        for kind in self.KINDS:
            for r in getattr(self, kind):
                yield kind, r


LARGEST_FIGURE = 1e15    # no count a report gives is larger (nor can "10^400" be one)


def _int(v) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise ValueError("not an integer")
    return v


def _check_field(hint, name: str, v) -> Optional[str]:
    """Why ``v`` cannot be the value of a record field typed ``hint`` (None if it can)."""
    import datetime as dt
    import math

    args = typing.get_args(hint)
    if v is None:
        return None if type(None) in args else "must not be null"
    base = next((a for a in args if a is not type(None)), hint) if args and typing.get_origin(hint) is not list \
        else hint
    if typing.get_origin(base) is list:
        if not isinstance(v, list) or not all(isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in v):
            return "must be a list of indices"
        return None
    if base is bool:
        return None if isinstance(v, bool) else "must be true or false"
    if base in (int, float):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (base is int and not isinstance(v, int)):
            return f"must be a{'n integer' if base is int else ' number'}"
        if not math.isfinite(v) or abs(v) > LARGEST_FIGURE:
            return "out of range"
        if name in ("latitude", "longitude") and abs(v) > (90 if name == "latitude" else 180):
            return "out of range"
        return None
    if base is str:
        if not isinstance(v, str):
            return "must be a string"
        if name == "event_date":
            try:
                dt.date.fromisoformat(v)
            except ValueError:
                return "not a date (YYYY-MM-DD)"
        return None
    return None


RECORD_CLASSES = {"incidents": Incident, "interactions": Interaction, "quotes": Quote, "claims": Claim,
                  "opinion": Opinion, "contradictions": Contradiction}


def clean_number(v: float) -> float | int:
    return int(v) if float(v).is_integer() else v


__all__ = ["Evidence", "Article", "Record", "Incident", "Interaction", "Quote", "Claim",
           "Opinion", "Contradiction", "ArticleResult", "asdict"]
