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
from functools import lru_cache
from typing import Iterable, Optional

from .models import Report

PRECISION_DAYS = {"day": 1, "week": 7, "month": 31, None: 1}
PLACE_RANK = {"place": 3, "admin1": 2, "country": 1}
INCIDENT_COLUMNS = ("event_date", "date_precision", "event_type", "sub_event_type", "actor1", "actor2", "country",
                    "admin1", "location", "location_precision", "latitude", "longitude", "fatalities", "target",
                    "reported_by", "is_background")


@lru_cache(maxsize=65536)
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


class _Votes:
    """What the event's fields are read from, over a set of reports, kept as reports come."""

    __slots__ = ("n", "placed", "rank", "dates", "subs", "event_type", "firsts")

    def __init__(self):
        self.n, self.placed, self.rank = 0, None, -1
        self.dates: dict = {}              # (date, precision) -> reports, in first-seen order
        self.subs: dict = {}               # sub-event type -> reports, in first-seen order
        self.event_type = None
        self.firsts: dict = {}

    def add(self, r) -> None:
        if self.n == 0:
            self.event_type = r.event_type
        self.n += 1
        rank = PLACE_RANK.get(r.location_precision, 0)
        if rank > self.rank:                      # the most precise place; the first one on a tie
            self.placed, self.rank = r, rank
        if r.event_date:
            key = (r.event_date, r.date_precision)
            self.dates[key] = self.dates.get(key, 0) + 1
        self.subs[r.sub_event_type] = self.subs.get(r.sub_event_type, 0) + 1
        for col in ("actor1", "actor2", "target", "reported_by"):
            if col not in self.firsts and getattr(r, col):
                self.firsts[col] = getattr(r, col)


class EventFields:
    """An event's values from its reports, news reports outweighing background mentions: the most precise
    place, the date most reports agree on (on a tie the most precise, then the earliest), the lowest death
    toll (codebook), the most reported sub-event type, and the first non-empty value of the rest. Reports are
    added one at a time (``add``) and ``fields()`` read at any point, so an event with many reports is not
    recounted for each new one."""

    __slots__ = ("news", "every", "fatalities", "all_background")

    def __init__(self, reports: Iterable = ()):
        self.news, self.every = _Votes(), _Votes()
        self.fatalities = None
        self.all_background = True
        for r in reports:
            self.add(r)

    def add(self, r) -> None:
        self.every.add(r)
        if not r.is_background:
            self.news.add(r)
            self.all_background = False
        if r.fatalities is not None and (self.fatalities is None or r.fatalities < self.fatalities):
            self.fatalities = r.fatalities

    def fields(self) -> dict:
        v = self.news if self.news.n else self.every
        out: dict = {col: getattr(v.placed, col)
                     for col in ("country", "admin1", "location", "location_precision", "latitude", "longitude")}
        if v.dates:
            (out["event_date"], out["date_precision"]), _ = max(
                v.dates.items(), key=lambda kv: (kv[1], -PRECISION_DAYS.get(kv[0][1], 1), -kv[0][0].toordinal()))
        else:
            out["event_date"], out["date_precision"] = None, None
        out["fatalities"] = self.fatalities
        out["sub_event_type"] = max(v.subs.items(), key=lambda kv: kv[1])[0]     # the first seen on a tie
        out["event_type"] = v.event_type
        for col in ("actor1", "actor2", "target", "reported_by"):
            out[col] = v.firsts.get(col)
        out["is_background"] = self.all_background
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
