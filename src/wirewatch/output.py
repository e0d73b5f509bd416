"""Renderers for extraction results: a readable table, JSON Lines, JSON, CSV."""
from __future__ import annotations

import csv
import json
from typing import IO, Iterable

from .records import ArticleResult

CSV_COLUMNS = ["article_id", "article_date", "kind", "index", "event_date", "date_precision", "event_type",
               "sub_event_type", "cameo_root", "actor1", "actor2", "country", "admin1", "location",
               "location_precision", "latitude", "longitude", "fatalities", "target", "is_background",
               "speaker", "direct", "channel", "value", "qualifier", "unit", "reported_by", "summary", "text",
               "evidence_start", "evidence_end", "evidence_text"]


def write_jsonl(results: Iterable[ArticleResult], out: IO[str], explain: bool = False) -> None:
    for r in results:
        out.write(json.dumps(r.to_dict(explain), ensure_ascii=False) + "\n")
        out.flush()


def write_json(results: Iterable[ArticleResult], out: IO[str], explain: bool = False) -> None:
    out.write("[\n")
    first = True
    for r in results:
        if not first:
            out.write(",\n")
        out.write(json.dumps(r.to_dict(explain), ensure_ascii=False, indent=1))
        first = False
    out.write("\n]\n")


def csv_rows(r: ArticleResult):
    d = r.to_dict()
    for kind in ("incidents", "interactions", "quotes", "claims", "opinion", "contradictions"):
        for i, rec in enumerate(d[kind]):
            row = {"article_id": d["id"], "article_date": d["date"], "kind": kind.rstrip("s"), "index": i}
            for k, v in rec.items():
                if k == "evidence":
                    continue
                if kind == "interactions" and k in ("source_actor", "target_actor"):
                    k = "actor1" if k == "source_actor" else "actor2"
                if k in CSV_COLUMNS:
                    row[k] = v if not isinstance(v, list) else " ".join(map(str, v))
            ev = rec.get("evidence") or []
            if ev:
                row["evidence_start"] = ev[0]["start"]
                row["evidence_end"] = ev[0]["end"]
                row["evidence_text"] = " | ".join(e["text"] for e in ev)
            yield row


def write_csv(results: Iterable[ArticleResult], out: IO[str], explain: bool = False) -> None:
    w = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    w.writeheader()
    for r in results:
        for row in csv_rows(r):
            w.writerow(row)
        out.flush()


def _short(s, n=60) -> str:
    s = "" if s is None else str(s)
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _explain(out: IO[str], rec, explain: bool) -> None:
    if explain:
        out.write(f"      triggered by: {', '.join(rec.triggers)}\n")


def write_table(results: Iterable[ArticleResult], out: IO[str], explain: bool = False) -> None:
    for r in results:
        a = r.article
        out.write(f"\n== {a.id}  ({a.date or 'no date'})" + (f"  {a.title}" if a.title else "") + "\n")
        if r.incidents:
            out.write(f"\nIncidents ({len(r.incidents)})\n")
            for inc in r.incidents:
                place = ", ".join(x for x in (inc.location, inc.admin1 if inc.admin1 != inc.location else None,
                                              inc.country) if x) or "?"
                fat = "" if inc.fatalities is None else f"  dead: {inc.fatalities}"
                bg = "  [background]" if inc.is_background else ""
                conf = "" if inc.confidence is None else f"  (confidence {inc.confidence:.2f})"
                out.write(f"  {inc.event_date or '????-??-??'}  {inc.sub_event_type}  @ {place}{fat}{bg}{conf}\n")
                out.write(f"      {inc.actor1 or '?'}  ->  {inc.actor2 or '-'}   (per {inc.reported_by})\n")
                out.write(f"      \"{_short(inc.evidence[0].text if inc.evidence else '', 90)}\"\n")
                _explain(out, inc, explain)
        if r.interactions:
            out.write(f"\nInteractions ({len(r.interactions)})\n")
            for it in r.interactions:
                conf = "" if it.confidence is None else f"  (confidence {it.confidence:.2f})"
                out.write(f"  {it.event_date or '          '}  CAMEO {it.cameo_root}  {_short(it.source_actor, 30)} -> "
                          f"{_short(it.target_actor or '-', 30)}{conf}\n      {_short(it.summary, 90)}\n")
                _explain(out, it, explain)
        if r.quotes:
            out.write(f"\nQuotes ({len(r.quotes)})\n")
            for q in r.quotes:
                mark = "“”" if q.direct else "  "
                out.write(f"  {_short(q.speaker, 30):<30} {mark[0]}{_short(q.text, 80)}{mark[1]}"
                          + (f"  ({q.channel})" if q.channel else "") + "\n")
                _explain(out, q, explain)
        if r.claims:
            out.write(f"\nClaims ({len(r.claims)})\n")
            for c in r.claims:
                qual = f"{c.qualifier} " if c.qualifier else ""
                out.write(f"  {qual}{c.value:g} {c.unit}   (per {c.reported_by})\n")
                _explain(out, c, explain)
        if r.contradictions:
            out.write(f"\nContradictions ({len(r.contradictions)})\n")
            for c in r.contradictions:
                out.write(f"  {c.what}\n")
        if r.opinion:
            out.write(f"\nOpinion sentences ({len(r.opinion)})\n")
            for o in r.opinion:
                out.write(f"  {_short(o.text, 100)}\n")
                _explain(out, o, explain)
        if not any(getattr(r, k) for k in r.KINDS):
            out.write("  (no records)\n")
        out.flush()


WRITERS = {"table": write_table, "jsonl": write_jsonl, "json": write_json, "csv": write_csv}
