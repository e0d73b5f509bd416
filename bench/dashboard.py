"""The dashboard with a large store: time to first paint and to apply a filter, in Debian's Chromium.

What it does
------------
1. Builds a SQLite store of ``--events`` events (default 50,000) in a temporary directory: one report each,
   from 2,000 articles, over two years, in 40 real places of 20 countries (placed by the gazetteer), with
   every event type, random fatalities and confidences, and one event in fifty disputed (a contradiction
   between two reports). The rows are inserted directly (extracting 50,000 articles would take an hour);
   the page and the API read them exactly as they read extracted ones.
2. Serves the app (uvicorn, one worker, 127.0.0.1) and opens the dashboard in Chromium with the network
   blocked except for the app.
3. Prints, each the median of ``--runs`` (default 3):
   - first paint (the browser's first-contentful-paint) and "ready" (the map, table and timeline drawn:
     the page sets ``body[data-ready]``), from navigation start;
   - applying a filter (a country, with Apply), switching to the per-region layer, moving the confidence
     threshold, and the "sources disagree" filter: from the action to the redrawn page.
   The page loads at most 2,000 events for the map and table (it says so) and counts the rest on the server
   (timeline, per-region layer, totals, exports).

Usage (from the repository root)::

    .venv/bin/python bench/dashboard.py [--events 50000] [--runs 3]

Needs /usr/bin/chromium and the playwright package (both installed by ``make test``).
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

PLACES = ["Kharkiv", "Odesa", "Kherson", "Zaporizhzhia", "Donetsk", "Belgorod", "Kursk", "Gaza", "Khan Younis",
          "Tyre", "Aleppo", "Idlib", "Sanaa", "Hodeidah", "Khartoum", "El Fasher", "Nyala", "Goma", "Bukavu",
          "Maiduguri", "Jos", "Gao", "Mopti", "Ouagadougou", "Mogadishu", "Kismayo", "Nairobi", "Addis Ababa",
          "Gondar", "Sittwe", "Mandalay", "Peshawar", "Quetta", "Karachi", "Dhaka", "Port-au-Prince", "Culiacan",
          "Cali", "Belgrade", "Tbilisi"]
TYPES = [("Battles", "Armed clash"), ("Explosions/Remote violence", "Air/drone strike"),
         ("Explosions/Remote violence", "Shelling/artillery/missile attack"), ("Violence against civilians", "Attack"),
         ("Protests", "Peaceful protest"), ("Protests", "Protest with intervention"), ("Riots", "Violent demonstration"),
         ("Strategic developments", "Arrests")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_store(url: str, n: int, seed: int = 7):
    import sqlalchemy as sa

    from wirewatch.gazetteer import Gazetteer
    from wirewatch.store import Store
    from wirewatch.store.models import Article, Contradiction, Event, Report

    rnd = random.Random(seed)
    gaz = Gazetteer()
    places = [p for p in (gaz.lookup(name) for name in PLACES) if p is not None]
    store = Store(url)
    start = dt.date(2024, 1, 1)
    n_articles = 2000
    now = dt.datetime(2026, 1, 1)
    with store.engine.begin() as conn:
        conn.execute(sa.insert(Article), [
            {"id": i + 1, "key": f"bench-{i + 1:05d}", "origin": "bench", "date": start + dt.timedelta(days=i % 730),
             "title": f"Bench article {i + 1}", "source": f"Outlet {i % 37}", "text": "", "status": "ok",
             "ingested_at": now} for i in range(n_articles)])
        events, reports, contras = [], [], []
        for i in range(n):
            p = rnd.choice(places)
            etype, sub = rnd.choice(TYPES)
            day = start + dt.timedelta(days=rnd.randrange(730))
            dead = rnd.choice([None, 0, 1, 2, 3, 5, 8, 12, 20])
            row = {"event_date": day, "date_precision": "day", "event_type": etype, "sub_event_type": sub,
                   "actor1": "Military Forces of " + p.country, "actor2": f"Civilians ({p.country})",
                   "country": p.country, "admin1": p.admin1, "location": p.name, "location_precision": "place",
                   "latitude": p.latitude + rnd.uniform(-0.05, 0.05), "longitude": p.longitude + rnd.uniform(-0.05, 0.05),
                   "fatalities": dead, "target": None, "reported_by": "bench", "is_background": False}
            events.append({"id": i + 1, "n_reports": 1, "updated_at": now, **row})
            reports.append({"id": i + 1, "article_id": rnd.randrange(n_articles) + 1, "event_id": i + 1, "position": 0,
                            "confidence": round(rnd.uniform(0.3, 0.99), 3), **row})
            if i % 50 == 0:
                contras.append({"event_id": i + 1, "field": "fatalities", "report_a_id": i + 1, "report_b_id": i + 1,
                                "what": f"fatalities: {dead} per Outlet A, {(dead or 0) + 3} per Outlet B"})
        conn.execute(sa.insert(Event), events)
        conn.execute(sa.insert(Report), reports)
        conn.execute(sa.insert(Contradiction), contras)
    return store


def serve(store):
    import uvicorn

    from wirewatch.serve.app import create_app

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning",
                                        lifespan="off"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    return srv, thread, f"http://127.0.0.1:{port}/"


def timed(page, action) -> float:
    before = page.evaluate("document.body.dataset.ready")
    t = time.perf_counter()
    action()
    page.wait_for_selector(f'body[data-ready]:not([data-ready="{before}"])', state="attached", timeout=120000)
    return (time.perf_counter() - t) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=50000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    tmp = tempfile.TemporaryDirectory()
    t = time.perf_counter()
    store = build_store(f"sqlite:///{tmp.name}/dash.db", args.events)
    print(f"store: {store.counts()['events']} events built in {time.perf_counter() - t:.1f} s")
    srv, thread, url = serve(store)
    figures: dict[str, list[float]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for _ in range(args.runs):
            ctx = browser.new_context(viewport={"width": 1360, "height": 880})
            ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1:") else r.abort())
            page = ctx.new_page()
            page.goto(url)
            page.wait_for_selector("body[data-ready]", state="attached", timeout=120000)
            paint = page.evaluate("(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || 0")
            ready = page.evaluate("performance.now()")
            figures.setdefault("first paint", []).append(paint)
            figures.setdefault("ready: map, table and timeline drawn", []).append(ready)

            def country():
                page.fill("#country", "Ukraine")
                page.click("#apply")
            figures.setdefault("filter: a country, Apply", []).append(timed(page, country))
            page.check('#view-control input[value="regions"]')
            t0 = time.perf_counter()
            page.wait_for_selector("#map path.ww-region", state="attached")
            figures.setdefault("switch to the per-region layer", []).append((time.perf_counter() - t0) * 1000)

            def conf():
                page.locator("#min_confidence").fill("0.8")
                page.locator("#min_confidence").dispatch_event("change")
            figures.setdefault("confidence threshold 0.8", []).append(timed(page, conf))
            figures.setdefault("sources disagree", []).append(timed(page, lambda: page.check("#disputed")))
            status = page.locator("#status").inner_text()
            ctx.close()
        browser.close()
    srv.should_exit = True
    thread.join(timeout=10)
    print(f"dashboard with {args.events} events (median of {args.runs} runs; Chromium headless, 2 cores):")
    for name, vals in figures.items():
        print(f"  {name:42} {statistics.median(vals):8.0f} ms")
    print(f"  last status line: {status}")
    store.close()
    tmp.cleanup()


if __name__ == "__main__":
    main()
