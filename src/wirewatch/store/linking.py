"""Cross-article linking: reports of the same real incident become one event.

Two reports are the same incident when they have the same event type, the same
place (the same gazetteer point, or the same admin1 where one is only known to
admin1 precision), dates within the precision of each, and compatible actors.
The event's fields are the best-supported values of its reports: the most
precise place, the date most reports agree on, the lowest death toll
(codebook), and the first non-empty value of the rest.
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from typing import Iterable, Optional

from .models import Report

PRECISION_DAYS = {"day": 1, "week": 7, "month": 31, None: 1}
PLACE_RANK = {"place": 3, "admin1": 2, "country": 1}
INCIDENT_COLUMNS = ("event_date", "date_precision", "event_type", "sub_event_type", "actor1", "actor2", "country",
                    "admin1", "location", "location_precision", "latitude", "longitude", "fatalities", "target",
                    "reported_by", "is_background")


def _norm(s: Optional[str]) -> str:
    s = unicodedata.normalize("NFKD", s or "").encode("ascii", "ignore").decode().lower()
    return " ".join(s.replace("-", " ").split())


def same_place(a, b) -> bool:
    if _norm(a.country) != _norm(b.country):
        return False
    pa, pb = a.location_precision, b.location_precision
    if pa == "place" and pb == "place":
        if a.latitude is not None and b.latitude is not None:
            return abs(a.latitude - b.latitude) < 1e-3 and abs(a.longitude - b.longitude) < 1e-3
        return _norm(a.location) == _norm(b.location)
    if "country" in (pa, pb):
        return pa == pb
    return _norm(a.admin1) == _norm(b.admin1) and bool(a.admin1)


def dates_compatible(a, b) -> bool:
    if a.event_date is None or b.event_date is None:
        return a.event_date is None and b.event_date is None
    window = max(PRECISION_DAYS.get(a.date_precision, 1), PRECISION_DAYS.get(b.date_precision, 1))
    return abs((a.event_date - b.event_date).days) < window if window > 1 else a.event_date == b.event_date


def actors_compatible(a, b) -> bool:
    for x, y in ((a.actor1, b.actor1), (a.actor2, b.actor2)):
        if x and y and _norm(x) != _norm(y):
            return False
    return True


def is_same_incident(report, event) -> bool:
    return (report.event_type == event.event_type and same_place(report, event)
            and dates_compatible(report, event) and actors_compatible(report, event))


def best_fields(reports: list[Report]) -> dict:
    """The event's values from its reports (news reports outweigh background mentions)."""
    news = [r for r in reports if not r.is_background] or reports
    out: dict = {}
    placed = max(news, key=lambda r: PLACE_RANK.get(r.location_precision, 0))
    for col in ("country", "admin1", "location", "location_precision", "latitude", "longitude"):
        out[col] = getattr(placed, col)
    dates = Counter((r.event_date, r.date_precision) for r in news if r.event_date)
    if dates:
        # most reports agree; on a tie the most precise, then the earliest
        (out["event_date"], out["date_precision"]), _ = max(
            dates.items(), key=lambda kv: (kv[1], -PRECISION_DAYS.get(kv[0][1], 1), -kv[0][0].toordinal()))
    else:
        out["event_date"], out["date_precision"] = None, None
    tolls = [r.fatalities for r in reports if r.fatalities is not None]
    out["fatalities"] = min(tolls) if tolls else None
    subs = Counter(r.sub_event_type for r in news)
    out["sub_event_type"] = subs.most_common(1)[0][0]
    out["event_type"] = news[0].event_type
    for col in ("actor1", "actor2", "target", "reported_by"):
        out[col] = next((getattr(r, col) for r in news if getattr(r, col)), None)
    out["is_background"] = all(r.is_background for r in reports)
    return out


def figure_conflicts(reports: Iterable[Report]) -> list[tuple[str, list[Report], list[Report]]]:
    """Death tolls that disagree across articles: one conflict per pair of different figures, with every
    report that gives each figure (three outlets saying 4, 5 and 4 make one conflict, 4 vs 5)."""
    by_value: dict[int, list[Report]] = {}
    for r in reports:
        if r.fatalities is not None:
            by_value.setdefault(r.fatalities, []).append(r)
    values = sorted(by_value)
    out = []
    for i, a in enumerate(values):
        for b in values[i + 1:]:
            if {r.article_id for r in by_value[a]} != {r.article_id for r in by_value[b]}:
                out.append(("fatalities", by_value[a], by_value[b]))
    return out
