"""Synthetic ArticleResults for store tests (no extraction): several countries and event types, articles
spanning two countries, keys that come again with another text, and articles replacing stored copies."""
from __future__ import annotations

import random

from wirewatch.records import Article, ArticleResult, Claim, Evidence, Incident, Quote
from wirewatch.store import Store

COUNTRIES = {   # country -> places (name, admin1, lat, lon)
    "Sudan": [("El Fasher", "North Darfur", 13.63, 25.35), ("Omdurman", "Khartoum", 15.64, 32.48)],
    "Mali": [("Gao", "Gao", 16.27, -0.04), ("Mopti", "Mopti", 14.49, -4.2)],
    "Ukraine": [("Kharkiv", "Kharkiv", 49.99, 36.23), ("Odesa", "Odesa", 46.48, 30.73)],
    "Russia": [("Belgorod", "Belgorod", 50.6, 36.59), ("Kursk", "Kursk", 51.73, 36.19)],
    "Myanmar": [("Sittwe", "Rakhine", 20.15, 92.9)],
    "Kenya": [("Nairobi", "Nairobi", -1.29, 36.82)],
    "Lebanon": [("Tyre", "South", 33.27, 35.2)],
}
TYPES = [("Battles", "Armed clash"), ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
         ("Protests", "Peaceful protest")]


def incident(rng: random.Random, country: str, text: str) -> Incident:
    place, admin1, lat, lon = rng.choice(COUNTRIES[country])
    etype, sub = rng.choice(TYPES)
    return Incident(event_type=etype, sub_event_type=sub, country=country, admin1=admin1, location=place,
                    location_precision="place", latitude=lat, longitude=lon,
                    event_date=f"2025-03-{rng.randint(1, 6):02d}", date_precision="day",
                    fatalities=rng.choice([None, 2, 3, 5]), actor1=rng.choice([None, "Militia A"]),
                    evidence=[Evidence(0, 8, text[:8])])


def result(rng: random.Random, key: str, n: int) -> ArticleResult:
    text = f"Report {key} number {n}: " + " ".join(rng.choice(["shelling", "clash", "march"]) for _ in range(12))
    countries = rng.sample(sorted(COUNTRIES), 2 if rng.random() < 0.25 else 1)    # a quarter span two
    incidents = [incident(rng, rng.choice(countries), text) for _ in range(rng.randint(0, 3))]
    span = [Evidence(0, 6, text[:6])]
    return ArticleResult(article=Article(id=key, text=text, date="2025-03-07", source=f"Outlet {n % 5}"),
                         incidents=incidents, quotes=[Quote(speaker="An official", text="words", evidence=span)],
                         claims=[Claim(value=n, unit="people", evidence=span)])


def stream(seed: int = 7, n: int = 240) -> tuple[list[ArticleResult], list[ArticleResult]]:
    """(stored before, then the stream): new articles, some spanning two countries, some whose key comes again
    later with another text, some replacing articles stored before the run."""
    rng = random.Random(seed)
    before = [result(rng, f"old-{i}", i) for i in range(20)]
    out = []
    for i in range(n):
        roll = rng.random()
        if roll < 0.08:
            out.append(result(rng, f"old-{rng.randrange(20)}", 1000 + i))      # replaces a stored copy
        elif roll < 0.15 and out:
            again = rng.choice(out)
            if rng.random() < 0.5:
                out.append(again)                                               # the same again: unchanged
            else:
                out.append(result(rng, again.article.id, 2000 + i))            # the same key, new text
        else:
            out.append(result(rng, f"new-{i}", i))
    return before, out


def snapshot(store: Store) -> list:
    """The store's events by content (not ids): fields, reporting articles and disputes."""
    out = []
    for e in store.events():
        ev = store.event(e.id)
        out.append((tuple(ev[c] for c in ("event_date", "event_type", "sub_event_type", "country", "location",
                                          "fatalities", "actor1", "n_reports")),
                    tuple(sorted(r["article"] for r in ev["reports"])),
                    tuple(sorted(c["what"] for c in ev["contradictions"]))))
    return sorted(out, key=repr)


