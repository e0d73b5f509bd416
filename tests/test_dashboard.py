"""The dashboard in a real browser: Playwright for Python driving Debian's Chromium.

The app runs in a background thread (uvicorn on 127.0.0.1) over a throwaway SQLite store filled
from small articles in five countries (two of them disagreeing on a toll); the browser's network is
blocked except for the app, and online map tiles point at a closed local port, so they fail and the
bundled base map and the markers must show without them. Screenshots go to .artifacts/.

Needs /usr/bin/chromium (apt-get install chromium) and the playwright package; the module is
skipped without either. Playwright's own browser download is never used.
"""
from __future__ import annotations

import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="playwright is not installed (pip install 'playwright==1.65.*')")
expect = sync_api.expect

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / ".artifacts"
LEAFLET = ROOT / "src" / "wirewatch" / "serve" / "static" / "vendor" / "leaflet" / "leaflet.js"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"]
SCRIPT = "<script>window.__pwned=1</script>"
EVIL_SOURCE = 'Test Wire <img src=x onerror="window.__pwned=2">'

ARTICLES = [
    dict(id="kharkiv-drones", date="2025-04-17", source=EVIL_SOURCE, title="Drones hit Kharkiv <b>flats</b>",
         text=("KHARKIV, Ukraine, April 17 - Russian attack drones slammed into apartment blocks in Kharkiv "
               "overnight, killing two people and wounding 19 others, regional governor Oleh Marchuk said on "
               "Thursday.\n\n"
               f"A reader's comment pasted into the feed read {SCRIPT} and nothing else.\n\n"
               "Rescuers were still searching the upper floors of the nine-storey building on Thursday morning.")),
    dict(id="nairobi-protest", date="2025-04-08", source="East Africa Desk", title="Tear gas at Nairobi fuel levy march",
         text=("NAIROBI, April 8 - Kenyan police fired tear gas and water cannon on Tuesday at hundreds of protesters "
               "marching on parliament in Nairobi against a proposed fuel levy. Police said 37 people were detained "
               "in the capital.")),
    dict(id="gao-ambush", date="2025-04-12", source="Sahel Monitor", title="Convoy ambushed near Gao",
         text=("BAMAKO, April 12 - Suspected jihadist fighters ambushed a Malian army convoy near Gao on Saturday, "
               "killing 12 soldiers, the army said in a statement.")),
    dict(id="el-fasher-shelling", date="2025-04-22", source="Darfur Bulletin", title="Shelling of Abu Shouk camp",
         text=("EL FASHER, Sudan, April 22 - The Rapid Support Forces shelled the Abu Shouk displacement camp near "
               "El Fasher on Tuesday, killing nine civilians, aid workers said.")),
    # two outlets on one strike that disagree on the toll: an event whose sources disagree
    dict(id="odesa-harbour", date="2025-03-04", source="Harbour Daily", title="Drones hit Odesa port warehouse",
         text=("Russian drones hit a warehouse in the port of Odesa late on Monday, killing three people and "
               "injuring seven, regional governor Oleh Kiper said on Telegram.")),
    dict(id="odesa-blacksea", date="2025-03-04", source="Black Sea Wire", title="Five killed in Odesa drone attack",
         text=("Russian drones struck the port of Odesa on Monday evening, killing five people and wounding "
               "several others, Ukraine's emergency service said.")),
    # a village the gazetteer lacks, named with its region: placed at the region's centre, drawn as approximate
    dict(id="plateau-village", date="2025-04-15", source="Middle Belt Courier", title="Farmers killed in Plateau",
         text=("JOS, April 15 - Gunmen killed four farmers in Ngorori village, Plateau State, on Monday night, "
               "police said.")),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"dashboard-{name}.png"))


# ---------------------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def leaflet():
    if not LEAFLET.exists():
        subprocess.run(["bash", str(ROOT / "scripts" / "vendor-assets")], capture_output=True, timeout=180)
    if not LEAFLET.exists():
        pytest.skip("Leaflet is not vendored and scripts/vendor-assets could not fetch it (needs npm)")
    return LEAFLET


@pytest.fixture(scope="module")
def store(tmp_path_factory, extractor):
    from wirewatch.records import Article
    from wirewatch.store import Store

    st = Store(f"sqlite:///{tmp_path_factory.mktemp('dashboard') / 'events.db'}")
    for a in ARTICLES:
        st.add(extractor.extract(Article(**a)))
    events = st.events()
    # what the tests below rely on: one placed event per article, on four different days
    assert len(events) >= 3, [(e.event_type, e.country) for e in events]
    assert all(e.latitude is not None for e in events)
    assert len({e.event_date for e in events}) >= 3
    assert any(r.article.key == "kharkiv-drones" for e in events for r in e.reports), "no event from the strike article"
    yield st
    st.close()


def serve_app(app):
    """Run an app with uvicorn in a thread; yields its URL."""
    import uvicorn

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not srv.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the dashboard server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(store, leaflet):
    from wirewatch.serve.app import create_app

    closed = free_port()        # nothing listens there: every tile request fails
    yield from serve_app(create_app(store, tile_url=f"http://127.0.0.1:{closed}/{{z}}/{{x}}/{{y}}.png"))


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    """A fresh page on the dashboard, loaded; collects page errors and CSP violations."""
    ctx = browser.new_context(viewport={"width": 1360, "height": 880}, accept_downloads=True)
    ctx.set_default_timeout(8000)
    # the network is blocked: only the app itself (127.0.0.1) answers, as on an analyst's offline laptop
    ctx.route("**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1:")
              else route.abort())
    pg = ctx.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.add_init_script("window.__csp = []; document.addEventListener('securitypolicyviolation', "
                       "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
    pg.goto(server)
    expect(pg.locator("body[data-ready]")).to_have_count(1)
    yield pg
    ctx.close()


def ids(locator) -> list[int]:
    return sorted(int(v) for v in locator.evaluate_all("els => els.map(e => e.getAttribute('data-event-id'))"))


def apply(page) -> None:
    """Click Apply and wait for the new events (page.wait_for_function would need eval, which the CSP forbids)."""
    before = page.evaluate("document.body.dataset.ready")
    page.click("#apply")
    expect(page.locator("body")).not_to_have_attribute("data-ready", before)


# ---------------------------------------------------------------------------------------------- tests
def test_page_loads_with_one_marker_per_event(page, store):
    events = store.events()
    markers = page.locator("#map path.ww-marker")
    expect(markers).to_have_count(len(events))
    assert ids(markers) == sorted(e.id for e in events)
    rows = page.locator("#events tbody tr[data-event-id]")
    assert ids(rows) == sorted(e.id for e in events)
    # coloured by type: events of one type share a colour, different types differ
    fills = dict(zip(ids(markers), markers.evaluate_all(
        "els => els.slice().sort((a, b) => a.dataset.eventId - b.dataset.eventId).map(e => e.getAttribute('fill'))")))
    by_type = {}
    for e in events:
        by_type.setdefault(e.event_type, set()).add(fills[e.id])
    assert all(len(v) == 1 for v in by_type.values())
    assert len({next(iter(v)) for v in by_type.values()}) == len(by_type)
    # markers are drawn although no tile loads
    for i in range(markers.count()):
        box = markers.nth(i).bounding_box()
        assert box and box["width"] > 4 and box["height"] > 4
    assert page.locator("#timeline rect.bar").count() >= len({e.event_date for e in events})
    shot(page, "loaded")
    assert page.evaluate("window.__csp") == []
    assert page.errors == []


def test_filters_narrow_markers_and_rows(page, store):
    protests = [e.id for e in store.events(type="Protests")]
    assert protests
    page.select_option("#type", "Protests")
    apply(page)
    expect(page.locator("#map path.ww-marker")).to_have_count(len(protests))
    assert ids(page.locator("#map path.ww-marker")) == sorted(protests)
    assert ids(page.locator("#events tbody tr[data-event-id]")) == sorted(protests)
    assert "type=Protests" in page.url

    page.select_option("#type", "")
    page.fill("#country", "Mali")
    apply(page)
    mali = sorted(e.id for e in store.events(country="Mali"))
    expect(page.locator("#events tbody tr[data-event-id]")).to_have_count(len(mali))
    assert ids(page.locator("#map path.ww-marker")) == mali
    shot(page, "filtered")

    page.fill("#country", "Atlantis")
    apply(page)
    expect(page.locator("#map path.ww-marker")).to_have_count(0)
    expect(page.locator("#events tbody tr.empty")).to_have_count(1)


def test_marker_and_row_open_the_event_with_its_reports(page, store):
    strike = next(e for e in store.events() if any(r.article.key == "kharkiv-drones" for r in e.reports))
    page.locator(f'#map path.ww-marker[data-event-id="{strike.id}"]').click()
    panel = page.locator("#event-panel")
    expect(panel).to_have_attribute("data-event-id", str(strike.id))
    reports = panel.locator(".report[data-article]")
    expect(reports).to_have_count(strike.n_reports)
    card = panel.locator('.report[data-article="kharkiv-drones"]')
    expect(card).to_contain_text(EVIL_SOURCE)           # the source's markup shows as text
    expect(card).to_contain_text("2025-04-17")
    expect(card).to_contain_text("per Oleh Marchuk")
    expect(card).to_contain_text("2 killed")
    expect(page.locator(f'#events tr[data-event-id="{strike.id}"]')).to_have_class("selected")

    other = next(e for e in store.events() if e.id != strike.id)
    page.locator(f'#events tr[data-event-id="{other.id}"]').click()
    expect(panel).to_have_attribute("data-event-id", str(other.id))
    expect(panel.locator(".report[data-article]")).to_have_count(other.n_reports)
    expect(panel.locator(".report").first).to_have_attribute("data-article", other.reports[0].article.key)
    shot(page, "event")
    assert page.errors == []


def test_report_opens_the_article_with_its_evidence_highlighted(page, store):
    gao = next(e for e in store.events() if e.reports[0].article.key == "gao-ambush")
    page.locator(f'#events tr[data-event-id="{gao.id}"]').click()
    page.locator('#event-panel .report[data-article="gao-ambush"]').click()
    view = page.locator("#article")
    expect(view).to_have_attribute("data-article", "gao-ambush")
    article = store.article("gao-ambush")
    body = view.locator(".article-text")
    assert body.text_content() == article["text"]
    marks = body.locator("mark.evidence").evaluate_all(
        "els => els.map(m => [+m.dataset.start, +m.dataset.end, m.textContent, m.classList.contains('ev-current')])")
    assert marks
    spans = [(e, rec.get("report_id") == gao.reports[0].id)
             for kind in ("incidents", "quotes", "claims", "interactions") for rec in article[kind]
             for e in rec["evidence"]]
    assert spans
    for ev, current in spans:
        inside = [m for m in marks if ev["start"] <= m[0] and m[1] <= ev["end"]]
        assert "".join(m[2] for m in inside) == ev["text"], ev
        assert inside[0][0] == ev["start"] and inside[-1][1] == ev["end"]
        if current:
            assert all(m[3] for m in inside)
    for start, end, text, _ in marks:
        assert article["text"][start:end] == text
    shot(page, "article")


def test_markup_in_an_article_stays_text(page, store):
    strike = next(e for e in store.events() if any(r.article.key == "kharkiv-drones" for r in e.reports))
    page.locator(f'#events tr[data-event-id="{strike.id}"]').click()
    page.locator('#event-panel .report[data-article="kharkiv-drones"]').click()
    view = page.locator("#article")
    expect(view.locator(".article-text")).to_contain_text(SCRIPT)
    expect(view.locator("h2")).to_have_text("Drones hit Kharkiv <b>flats</b>")
    expect(view.locator(".meta .source")).to_have_text(EVIL_SOURCE)
    assert view.locator("script, b, img").count() == 0
    assert page.locator("#event-panel img").count() == 0
    assert view.locator("mark.evidence.ev-current").count() >= 1
    page.wait_for_timeout(100)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.errors == []
    shot(page, "markup")


def test_timeline_range_narrows_the_table(page, store):
    events = store.events()
    days = sorted({e.event_date.isoformat() for e in events})
    assert len(days) >= 3
    rows = page.locator("#events tbody tr[data-event-id]")
    expect(rows).to_have_count(len(events))

    # drag from the first day's bar to the second day's bar
    a = page.locator(f'#timeline rect.bar[data-date="{days[0]}"]').first.bounding_box()
    b = page.locator(f'#timeline rect.bar[data-date="{days[1]}"]').first.bounding_box()
    before = page.evaluate("document.body.dataset.ready")
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] - 2)
    page.mouse.down()
    page.mouse.move((a["x"] + b["x"]) / 2 + 1, a["y"] + a["height"] - 2, steps=4)
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] - 2, steps=4)
    page.mouse.up()
    expect(page.locator("body")).not_to_have_attribute("data-ready", before)
    expect(page.locator("#since")).to_have_value(days[0])
    expect(page.locator("#until")).to_have_value(days[1])
    want = sorted(e.id for e in events if days[0] <= e.event_date.isoformat() <= days[1])
    expect(rows).to_have_count(len(want))
    assert ids(rows) == want
    assert ids(page.locator("#map path.ww-marker")) == want
    expect(page.locator("#timeline rect.selection")).to_have_count(1)
    shot(page, "timeline")

    # clicking one bar picks its day
    before = page.evaluate("document.body.dataset.ready")
    page.locator(f'#timeline rect.bar[data-date="{days[-1]}"]').first.click()
    expect(page.locator("body")).not_to_have_attribute("data-ready", before)
    expect(page.locator("#since")).to_have_value(days[-1])
    expect(page.locator("#until")).to_have_value(days[-1])
    assert ids(rows) == sorted(e.id for e in events if e.event_date.isoformat() == days[-1])

    page.click("#clear-range")
    expect(rows).to_have_count(len(events))


def test_a_place_known_only_by_its_region_is_drawn_as_approximate(page, store):
    events = store.events()
    rough = [e for e in events if e.location_precision != "place"]
    exact = [e for e in events if e.location_precision == "place"]
    assert any(e.location == "Ngorori" and e.admin1 == "Plateau" for e in rough)
    assert exact
    for e in events:
        marker = page.locator(f'#map path.ww-marker[data-event-id="{e.id}"]')
        expect(marker).to_have_attribute("data-approximate", "true" if e in rough else "false")
    dashed = page.locator('#map path.ww-marker[data-approximate="true"]').first.get_attribute("stroke-dasharray")
    assert dashed and dashed != "none"
    assert page.locator('#map path.ww-marker[data-approximate="false"]').first.get_attribute("stroke-dasharray") in (None, "none")
    page.locator('#map path.ww-marker[data-approximate="true"]').first.click()
    expect(page.locator("#event-panel")).to_contain_text("approximate: admin1 level")


# ------------------------------------------------------------------ the analyst's views (issue 13)
def test_the_bundled_base_map_shows_the_countries_with_the_network_blocked(page, store):
    expect(page.locator("#map")).to_have_attribute("data-basemap", "ready")
    countries = page.locator("#map path.ww-country")
    assert countries.count() > 200
    for name in ("Ukraine", "Kenya", "Mali", "Sudan", "Nigeria"):
        shape = page.locator(f'#map path.ww-country[data-country="{name}"]')
        expect(shape).to_have_count(1)
    # the country under a marker is drawn where the marker is: Kenya's shape holds the Nairobi marker
    nairobi = next(e for e in store.events() if e.country == "Kenya")
    m = page.locator(f'#map path.ww-marker[data-event-id="{nairobi.id}"]').bounding_box()
    k = page.locator('#map path.ww-country[data-country="Kenya"]').bounding_box()
    cx, cy = m["x"] + m["width"] / 2, m["y"] + m["height"] / 2
    assert k["x"] <= cx <= k["x"] + k["width"] and k["y"] <= cy <= k["y"] + k["height"]
    shot(page, "basemap")
    assert page.errors == []


def test_the_region_layer_counts_events_and_fatalities_and_filters_the_table(page, store):
    events = store.events()
    regions = {}
    for e in events:
        if e.admin1:
            r = regions.setdefault((e.country, e.admin1), {"events": 0, "fatalities": 0})
            r["events"] += 1
            r["fatalities"] += e.fatalities or 0
    page.check('#view-control input[value="regions"]')
    circles = page.locator("#map path.ww-region")
    expect(circles).to_have_count(len(regions))
    expect(page.locator("#map path.ww-marker")).to_have_count(0)
    expect(page.locator("#region-legend")).to_be_visible()
    got = {(c.get_attribute("data-country"), c.get_attribute("data-admin1")): int(c.get_attribute("data-value"))
           for c in circles.all()}
    assert got == {k: v["events"] for k, v in regions.items()}
    page.select_option("#region-metric", "fatalities")
    expect(page.locator("#region-legend")).to_contain_text("Fatalities per region")
    got = {(c.get_attribute("data-country"), c.get_attribute("data-admin1")): int(c.get_attribute("data-value"))
           for c in page.locator("#map path.ww-region").all()}
    assert got == {k: v["fatalities"] for k, v in regions.items() if v["fatalities"]}
    shot(page, "regions")
    (country, admin1), _ = max(regions.items(), key=lambda kv: kv[1]["fatalities"])
    before = page.evaluate("document.body.dataset.ready")
    page.locator(f'#map path.ww-region[data-admin1="{admin1}"]').click()
    expect(page.locator("body")).not_to_have_attribute("data-ready", before)
    expect(page.locator("#admin1")).to_have_value(admin1)
    want = sorted(e.id for e in events if e.admin1 == admin1 and e.country == country)
    assert ids(page.locator("#events tbody tr[data-event-id]")) == want


def confidence(e) -> float | None:
    known = [r.confidence for r in e.reports if r.confidence is not None]
    return max(known) if known else None


def test_the_confidence_threshold_hides_the_events_the_model_is_unsure_of(page, store):
    events = store.events()
    values = sorted({round(confidence(e), 2) for e in events if confidence(e) is not None})
    assert len(values) >= 2, values
    cut = values[-1]            # only the surest stay
    step = round(cut - cut % 0.05, 2)
    before = page.evaluate("document.body.dataset.ready")
    page.locator("#min_confidence").fill(str(step))
    page.locator("#min_confidence").dispatch_event("change")
    expect(page.locator("body")).not_to_have_attribute("data-ready", before)
    expect(page.locator("#min_confidence_value")).to_have_text(f"{step:.2f}")
    want = sorted(e.id for e in events if confidence(e) is None or confidence(e) >= step)
    assert len(want) < len(events)
    expect(page.locator("#map path.ww-marker")).to_have_count(len(want))
    assert ids(page.locator("#events tbody tr[data-event-id]")) == want
    assert f"min_confidence={step:.2f}" in page.url
    shot(page, "confidence")


def test_the_disagreement_filter_shows_both_figures_and_both_sources(page, store):
    before = page.evaluate("document.body.dataset.ready")
    page.check("#disputed")
    expect(page.locator("body")).not_to_have_attribute("data-ready", before)
    disputed = sorted(e.id for e in store.events(disputed=True))
    assert len(disputed) == 1
    expect(page.locator("#events tbody tr[data-event-id]")).to_have_count(1)
    assert ids(page.locator("#events tbody tr[data-event-id]")) == disputed
    page.locator("#events tbody tr[data-event-id]").first.click()
    panel = page.locator("#event-panel")
    expect(panel.locator("ul.contradictions li")).to_have_count(1)
    for words in ("3", "5", "Harbour Daily", "Black Sea Wire"):
        expect(panel.locator("ul.contradictions")).to_contain_text(words)
    shot(page, "disputed")


def test_the_downloaded_acled_csv_is_wirewatch_export_with_the_same_filters(page, store, tmp_path):
    import csv

    from wirewatch.export import export_events
    from wirewatch.store import event_dict

    page.fill("#country", "Ukraine")
    apply(page)
    with page.expect_download() as dl:
        page.click("#export-acled")
    got = tmp_path / "page.csv"
    dl.value.save_as(got)
    want = tmp_path / "cli.csv"
    export_events([event_dict(e) for e in store.events(country="Ukraine")], "acled-csv", str(want))

    def rows(path):
        with open(path, encoding="utf-8", newline="") as fh:
            return [{k: v for k, v in r.items() if k != "timestamp"} for r in csv.DictReader(fh)]
    assert rows(got) == rows(want) and len(rows(got)) == len(store.events(country="Ukraine"))


TOKEN = "dashboard-test-token-41c2"
SUBMITTED = ("MOGADISHU, May 2 - Al-Shabaab fighters attacked an army base near Afgooye in Somalia's Lower "
             "Shabelle region on Friday, killing seven soldiers, a military officer said.")


def test_an_article_submitted_from_the_page_is_extracted_and_shown(browser, tmp_path, extractor, leaflet):
    from wirewatch.serve.app import create_app
    from wirewatch.store import Store

    st = Store(f"sqlite:///{tmp_path / 'submit.db'}")
    for url in serve_app(create_app(st, token=TOKEN, extractor=extractor)):
        ctx = browser.new_context(viewport={"width": 1360, "height": 880})
        ctx.set_default_timeout(20000)
        ctx.route("**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1:")
                  else route.abort())
        pg = ctx.new_page()
        pg.goto(url)
        expect(pg.locator("body[data-ready]")).to_have_count(1)
        expect(pg.locator("#events tbody tr.empty")).to_have_count(1)
        expect(pg.locator("#submit-open")).to_be_visible()
        pg.click("#submit-open")
        pg.fill("#submit-text", SUBMITTED)
        pg.fill("#submit-date", "2025-05-02")
        pg.fill("#submit-token", TOKEN)
        shot(pg, "submit")
        pg.click("#submit-send")
        expect(pg.locator("#submit-status")).to_contain_text("Stored: 1 incident")
        expect(pg.locator("#events tbody tr[data-event-id]")).to_have_count(1)
        expect(pg.locator("#event-panel")).to_contain_text("Afgooye")
        ctx.close()
    st.close()


def test_a_read_only_server_offers_no_submit_button(page):
    expect(page.locator("#submit-open")).to_be_hidden()
