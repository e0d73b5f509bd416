"""The REST API (wirewatch.serve.create_app) through FastAPI's TestClient over a small SQLite store:
reading, paging and filtering events, one event with its evidence and contradictions, articles with
exact evidence offsets, quotes, claims, statistics, writing with a bearer token, private mode,
validation (4xx JSON errors, never 500), security headers and SQL injection attempts."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from wirewatch.records import Article
from wirewatch.serve import create_app
from wirewatch.store import Store

TOKEN = "api-test-token-7f3a"

# Four short articles written for these tests: two outlets on one drone strike in Odesa that
# disagree on the death toll, a protest in Nairobi with a direct quote, and a clash in Rakhine
# State with figures attributed to a group.
ARTICLES = {
    "odesa-harbour": dict(
        date="2025-03-04", source="Harbour Daily", title="Drones hit Odesa port warehouse",
        text="Russian drones hit a warehouse in the port of Odesa late on Monday, killing three people and "
             "injuring seven, regional governor Oleh Kiper said on Telegram. Firefighters worked through "
             "the night to put out the blaze."),
    "odesa-blacksea": dict(
        date="2025-03-04", source="Black Sea Wire", title="Five killed in Odesa drone attack",
        text="Russian drones struck the port of Odesa on Monday evening, killing five people and wounding "
             "several others, Ukraine's emergency service said. The attack set a storage building on fire."),
    "nairobi-fuel": dict(
        date="2025-06-26", source="Rift Valley Post", title="Fuel price march in Nairobi",
        text="Thousands of protesters marched through central Nairobi on Wednesday to demand lower fuel "
             "prices, and police fired tear gas to disperse them near parliament. \"We cannot feed our "
             "children at these prices,\" said Grace Wanjiru, a market trader who joined the march. "
             "Interior minister Kipchumba Murkomen said the demonstrations had been infiltrated by criminals."),
    "rakhine-sittwe": dict(
        date="2025-01-16", source="Delta Monitor", title="Clashes near Sittwe",
        text="Fighters of the Arakan Army clashed with Myanmar military troops near Sittwe in Rakhine State "
             "on Tuesday, residents said. The Arakan Army said it had killed 40 soldiers, a figure that could "
             "not be independently verified. Around 2,000 villagers fled the fighting, according to a local "
             "aid group."),
}

# A fifth article, only ever sent through POST /api/articles.
POSTED = ("Militants ambushed a police patrol near Dori in Burkina Faso on Saturday, killing six officers, "
          "the army said.")

INJECTION = "'; DROP TABLE events; --"
STRING_FILTERS = ("country", "admin1", "type", "sub_type", "actor", "text")


def article(key: str) -> Article:
    a = ARTICLES[key]
    return Article(id=key, text=a["text"], date=a["date"], source=a["source"], title=a["title"])


def fill(store: Store, extractor, *keys: str) -> None:
    for key in keys or ARTICLES:
        store.add(extractor.extract(article(key)))


def auth(token: str = TOKEN) -> dict:
    return {"Authorization": f"Bearer {token}"}


def assert_error(r, status: int) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert isinstance(body.get("error"), str) and body["error"]


def assert_spans(spans: list, text: str) -> None:
    for e in spans:
        assert 0 <= e["start"] < e["end"] <= len(text)
        assert text[e["start"]:e["end"]] == e["text"]


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def store(tmp_path_factory, extractor):
    st = Store(f"sqlite:///{tmp_path_factory.mktemp('api') / 'api.db'}")
    fill(st, extractor)
    yield st
    st.close()


@pytest.fixture(scope="module")
def client(store):
    # server errors come back as 500 responses instead of exceptions, so tests can assert "never 500"
    with TestClient(create_app(store), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def ids(client):
    """Event ids by place: {'Odesa': id, 'Nairobi': id, 'Sittwe': id}."""
    evs = client.get("/api/events").json()["events"]
    return {e["location"]: e["id"] for e in evs}


@pytest.fixture
def writable(tmp_path, extractor):
    """A read-write app over a fresh store holding only the Harbour Daily report of the Odesa strike."""
    st = Store(f"sqlite:///{tmp_path / 'rw.db'}")
    fill(st, extractor, "odesa-harbour")
    with TestClient(create_app(st, token=TOKEN, extractor=extractor), raise_server_exceptions=False) as c:
        yield c, st
    st.close()


# -------------------------------------------------------------------- health
def test_health(client):
    r = client.get("/api/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["writable"] is False and body["private"] is False
    assert body["counts"]["articles"] == 4
    assert body["counts"]["reports"] == 4 and body["counts"]["events"] == 3
    assert body["counts"]["contradictions"] == 1


# ---------------------------------------------------------------- pagination
def test_events_are_listed_in_date_order_with_their_reports(client):
    body = client.get("/api/events").json()
    assert body["total"] == 3 and body["limit"] == 100 and body["offset"] == 0
    evs = body["events"]
    assert [e["location"] for e in evs] == ["Sittwe", "Odesa", "Nairobi"]
    assert [e["event_date"] for e in evs] == ["2025-01-14", "2025-03-03", "2025-06-25"]
    odesa = evs[1]
    assert odesa["n_reports"] == 2
    assert {r["article"] for r in odesa["reports"]} == {"odesa-harbour", "odesa-blacksea"}
    assert {r["source"] for r in odesa["reports"]} == {"Harbour Daily", "Black Sea Wire"}


def test_pages_with_limit_and_offset(client):
    everything = [e["id"] for e in client.get("/api/events").json()["events"]]
    seen = []
    for offset in range(3):
        body = client.get("/api/events", params={"limit": 1, "offset": offset}).json()
        assert body["total"] == 3 and body["limit"] == 1 and body["offset"] == offset
        assert len(body["events"]) == 1
        seen.append(body["events"][0]["id"])
    assert seen == everything
    two = client.get("/api/events", params={"limit": 2, "offset": 1}).json()
    assert [e["id"] for e in two["events"]] == everything[1:]
    past = client.get("/api/events", params={"offset": 3}).json()
    assert past["events"] == [] and past["total"] == 3


def test_the_largest_page_is_allowed(client):
    r = client.get("/api/events", params={"limit": 500})
    assert r.status_code == 200 and r.json()["limit"] == 500


@pytest.mark.parametrize("params", [{"limit": 501}, {"limit": 0}, {"limit": -1}, {"limit": "ten"},
                                    {"offset": -1}, {"offset": "x"}])
def test_bad_paging_is_a_422_json_error(client, params):
    r = client.get("/api/events", params=params)
    assert_error(r, 422)
    assert next(iter(params)) in r.json()["error"]


@pytest.mark.parametrize("path", ["/api/articles", "/api/quotes", "/api/claims"])
def test_every_listing_enforces_the_maximum_page(client, path):
    assert_error(client.get(path, params={"limit": 501}), 422)
    assert client.get(path, params={"limit": 500}).status_code == 200


def test_a_huge_offset_is_not_a_server_error(client):
    r = client.get("/api/events", params={"offset": 2 ** 63})
    assert r.status_code in (200, 422)
    assert r.headers["content-type"].startswith("application/json")


# ------------------------------------------------------------------- filters
@pytest.mark.parametrize("params, places", [
    ({"since": "2025-03-01"}, ["Odesa", "Nairobi"]),
    ({"since": "2025-03-03"}, ["Odesa", "Nairobi"]),                 # inclusive
    ({"until": "2025-03-03"}, ["Sittwe", "Odesa"]),                  # inclusive
    ({"since": "2025-02-01", "until": "2025-04-01"}, ["Odesa"]),
    ({"since": "2025-03-03", "until": "2025-03-03"}, ["Odesa"]),
    ({"since": "2026-01-01"}, []),
    ({"country": "Kenya"}, ["Nairobi"]),
    ({"country": "ukraine"}, ["Odesa"]),                              # case-insensitive
    ({"country": "Narnia"}, []),
    ({"admin1": "Rakhine"}, ["Sittwe"]),
    ({"type": "Protests"}, ["Nairobi"]),
    ({"type": "Battles"}, ["Sittwe"]),
    ({"sub_type": "Air/drone strike"}, ["Odesa"]),
    ({"sub_type": "Armed clash"}, ["Sittwe"]),
    ({"actor": "Arakan"}, ["Sittwe"]),                                # substring of an actor
    ({"actor": "Russia"}, ["Odesa"]),
    ({"actor": "Protesters"}, ["Nairobi"]),
    ({"text": "protesters marched"}, ["Nairobi"]),                    # words of a report's evidence
    ({"text": "drones"}, ["Odesa"]),
    ({"text": "no such words anywhere"}, []),
    ({"country": "Ukraine", "type": "Protests"}, []),                 # filters combine with AND
    ({"country": "Myanmar", "since": "2025-01-01", "actor": "Arakan"}, ["Sittwe"]),
])
def test_each_filter_narrows_the_events(client, params, places):
    body = client.get("/api/events", params=params).json()
    assert [e["location"] for e in body["events"]] == places
    assert body["total"] == len(places)


def test_filters_also_narrow_the_pages(client):
    body = client.get("/api/events", params={"since": "2025-02-01", "limit": 1, "offset": 1}).json()
    assert body["total"] == 2 and [e["location"] for e in body["events"]] == ["Nairobi"]


@pytest.mark.parametrize("value", ["2025-13-01", "yesterday", "2025-02-30", "2025-1-1x", "", "-1"])
@pytest.mark.parametrize("name", ["since", "until"])
@pytest.mark.parametrize("path", ["/api/events", "/api/stats/daily", "/api/stats/types"])
def test_bad_dates_are_422_json_never_500(client, path, name, value):
    if value == "":
        # an empty value is the same as leaving the filter out
        assert client.get(path, params={name: value}).status_code in (200, 422)
        return
    r = client.get(path, params={name: value})
    assert_error(r, 422)
    assert name in r.json()["error"]


@pytest.mark.parametrize("path", ["/api/events", "/api/stats/daily", "/api/stats/types"])
def test_since_after_until_is_a_400(client, path):
    r = client.get(path, params={"since": "2025-06-01", "until": "2025-01-01"})
    assert_error(r, 400)
    assert "since" in r.json()["error"]


@pytest.mark.parametrize("name", STRING_FILTERS)
def test_over_long_filter_values_are_422(client, name):
    assert_error(client.get("/api/events", params={name: "x" * 201}), 422)


# --------------------------------------------------------------- one event
def test_an_event_with_reports_evidence_and_contradictions(client, ids):
    r = client.get(f"/api/events/{ids['Odesa']}")
    assert r.status_code == 200
    ev = r.json()
    assert ev["id"] == ids["Odesa"]
    assert ev["event_type"] == "Explosions/Remote violence" and ev["sub_event_type"] == "Air/drone strike"
    assert ev["country"] == "Ukraine" and ev["event_date"] == "2025-03-03"
    assert ev["fatalities"] == 3                                     # the lowest figure reported (codebook)
    assert ev["n_reports"] == 2 and len(ev["reports"]) == 2
    by_article = {rep["article"]: rep for rep in ev["reports"]}
    assert by_article["odesa-harbour"]["fatalities"] == 3
    assert by_article["odesa-blacksea"]["fatalities"] == 5
    for key, rep in by_article.items():
        assert rep["evidence"], key
        assert_spans(rep["evidence"], ARTICLES[key]["text"])
    assert len(ev["contradictions"]) == 1
    c = ev["contradictions"][0]
    assert c["field"] == "fatalities"
    assert set(c["reports"]) == {rep["report_id"] for rep in ev["reports"]}
    assert "3" in c["what"] and "5" in c["what"]
    assert "Harbour Daily" in c["what"] and "Black Sea Wire" in c["what"]


def test_an_event_of_a_single_report_has_no_contradictions(client, ids):
    ev = client.get(f"/api/events/{ids['Nairobi']}").json()
    assert ev["n_reports"] == 1 and ev["contradictions"] == []
    assert ev["reports"][0]["article"] == "nairobi-fuel"
    assert_spans(ev["reports"][0]["evidence"], ARTICLES["nairobi-fuel"]["text"])


@pytest.mark.parametrize("event_id", [999999, 0, -1])
def test_a_missing_event_is_a_404_json_error(client, event_id):
    r = client.get(f"/api/events/{event_id}")
    assert_error(r, 404)
    assert str(event_id) in r.json()["error"]


@pytest.mark.parametrize("event_id", ["abc", "1.5", "1e3", "0x10", "%27%3B"])
def test_an_event_id_that_is_not_an_int_is_422(client, event_id):
    assert_error(client.get(f"/api/events/{event_id}"), 422)


def test_an_event_id_too_big_for_the_database_is_not_a_server_error(client):
    r = client.get(f"/api/events/{2 ** 63}")
    assert r.status_code in (404, 422)
    assert r.headers["content-type"].startswith("application/json")


# ------------------------------------------------------------------ articles
def test_an_article_has_its_text_and_records_with_exact_evidence(client):
    r = client.get("/api/articles/nairobi-fuel")
    assert r.status_code == 200
    a = r.json()
    src = ARTICLES["nairobi-fuel"]
    assert a["id"] == "nairobi-fuel" and a["text"] == src["text"] and a["status"] == "ok"
    assert a["date"] == src["date"] and a["source"] == src["source"] and a["title"] == src["title"]
    assert len(a["incidents"]) == 1 and a["incidents"][0]["event_type"] == "Protests"
    assert a["incidents"][0]["event_id"] is not None
    assert any(q["speaker"] == "Grace Wanjiru" and q["direct"] for q in a["quotes"])
    records = a["incidents"] + a["interactions"] + a["quotes"] + a["claims"]
    assert all(rec["evidence"] for rec in records)
    for rec in records:
        assert_spans(rec["evidence"], a["text"])


@pytest.mark.parametrize("key", list(ARTICLES))
def test_every_articles_evidence_slices_its_text(client, key):
    a = client.get(f"/api/articles/{key}").json()
    assert a["text"] == ARTICLES[key]["text"]
    spans = [e for kind in ("incidents", "interactions", "quotes", "claims") for rec in a[kind]
             for e in rec["evidence"]]
    assert spans
    assert_spans(spans, a["text"])


def test_articles_are_listed_newest_first(client):
    r = client.get("/api/articles")
    assert r.status_code == 200
    assert [a["id"] for a in r.json()["articles"]][0] == "nairobi-fuel"
    assert {a["id"] for a in r.json()["articles"]} == set(ARTICLES)


@pytest.mark.parametrize("key", ["no-such-article", "%27%3B", "x" * 300])
def test_a_missing_article_is_a_404_json_error(client, key):
    assert_error(client.get(f"/api/articles/{key}"), 404)


def test_an_over_long_article_key_is_422(client):
    assert_error(client.get(f"/api/articles/{'x' * 301}"), 422)


# ------------------------------------------------------ quotes, claims, stats
def test_quotes_by_speaker(client):
    all_quotes = client.get("/api/quotes").json()["quotes"]
    assert len(all_quotes) >= 3
    r = client.get("/api/quotes", params={"speaker": "wanjiru"})
    assert r.status_code == 200
    qs = r.json()["quotes"]
    assert len(qs) == 1
    q = qs[0]
    assert q["speaker"] == "Grace Wanjiru" and q["direct"] is True
    assert q["text"].startswith("We cannot feed our children")
    assert q["article"] == "nairobi-fuel" and q["date"] == "2025-06-26"
    assert client.get("/api/quotes", params={"speaker": "Nobody Atall"}).json()["quotes"] == []
    assert len(client.get("/api/quotes", params={"limit": 1}).json()["quotes"]) == 1


def test_claims(client):
    claims = client.get("/api/claims").json()["claims"]
    values = {(c["article"], c["value"], c["unit"]) for c in claims}
    assert ("odesa-harbour", 3, "people killed") in values
    assert ("odesa-blacksea", 5, "people killed") in values
    assert ("rakhine-sittwe", 2000, "villagers fled") in values
    fled = client.get("/api/claims", params={"unit": "fled"}).json()["claims"]
    assert [(c["value"], c["reported_by"]) for c in fled] == [(2000, "local aid group")]
    by_aid = client.get("/api/claims", params={"reported_by": "aid group"}).json()["claims"]
    assert [c["value"] for c in by_aid] == [2000]
    assert client.get("/api/claims", params={"unit": "tanks"}).json()["claims"] == []


def test_daily_counts(client):
    days = client.get("/api/stats/daily").json()["days"]
    assert days == [
        {"date": "2025-01-14", "event_type": "Battles", "count": 1},
        {"date": "2025-03-03", "event_type": "Explosions/Remote violence", "count": 1},
        {"date": "2025-06-25", "event_type": "Protests", "count": 1},
    ]
    kenya = client.get("/api/stats/daily", params={"country": "Kenya"}).json()["days"]
    assert [d["date"] for d in kenya] == ["2025-06-25"]
    assert client.get("/api/stats/daily", params={"since": "2025-07-01"}).json()["days"] == []


def test_type_counts(client):
    types = client.get("/api/stats/types").json()["types"]
    assert {(t["event_type"], t["sub_event_type"]): t["count"] for t in types} == {
        ("Battles", "Armed clash"): 1,
        ("Explosions/Remote violence", "Air/drone strike"): 1,
        ("Protests", "Protest with intervention"): 1,     # police fired tear gas to disperse them
    }
    early = client.get("/api/stats/types", params={"until": "2025-02-01"}).json()["types"]
    assert [t["event_type"] for t in early] == ["Battles"]


# ------------------------------------------------------------------- writing
def test_without_a_configured_token_the_api_is_read_only(client, store):
    before = store.counts()
    for headers in ({}, auth(), auth("")):
        r = client.post("/api/articles", json={"text": POSTED, "date": "2025-05-10"}, headers=headers)
        assert_error(r, 403)
        assert "read-only" in r.json()["error"]
    assert store.counts() == before


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer wrong-token"},
    {"Authorization": f"Bearer {TOKEN}x"},
    {"Authorization": f"Basic {TOKEN}"},
    {"Authorization": TOKEN},
    {"Authorization": "Bearer "},
])
def test_writing_without_the_right_bearer_is_401(writable, headers):
    c, st = writable
    before = st.counts()
    r = c.post("/api/articles", json={"text": POSTED, "date": "2025-05-10"}, headers=headers)
    assert_error(r, 401)
    assert st.counts() == before


def test_posting_an_article_extracts_stores_and_links_it(writable):
    c, st = writable
    odesa = c.get("/api/events").json()["events"]
    assert len(odesa) == 1 and odesa[0]["n_reports"] == 1
    src = ARTICLES["odesa-blacksea"]
    r = c.post("/api/articles", headers=auth(), json={
        "id": "odesa-blacksea", "text": src["text"], "date": src["date"], "source": src["source"],
        "title": src["title"], "url": "https://example.org/odesa"})
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["status"] == "new" and out["id"] == "odesa-blacksea"
    assert len(out["incidents"]) == 1
    inc = out["incidents"][0]
    assert inc["sub_event_type"] == "Air/drone strike" and inc["fatalities"] == 5
    for kind in ("incidents", "quotes", "claims"):
        for rec in out[kind]:
            assert_spans(rec["evidence"], src["text"])
    # linked to the event the first outlet's report already made
    assert out["events"] == [odesa[0]["id"]]
    ev = c.get(f"/api/events/{odesa[0]['id']}").json()
    assert ev["n_reports"] == 2 and len(ev["contradictions"]) == 1
    stored = c.get("/api/articles/odesa-blacksea").json()
    assert stored["text"] == src["text"] and stored["url"] == "https://example.org/odesa"
    assert st.counts()["articles"] == 2

    again = c.post("/api/articles", headers=auth(), json={"id": "odesa-blacksea", "text": src["text"],
                                                          "date": src["date"]})
    assert again.status_code == 201 and again.json()["status"] == "unchanged"
    assert st.counts()["articles"] == 2 and st.counts()["events"] == 1


def test_a_posted_article_without_an_id_gets_one_from_its_text(writable):
    c, st = writable
    ev_before = c.get("/api/events").json()["events"]
    r = c.post("/api/articles", headers=auth(), json={"text": POSTED, "date": "2025-05-11"})
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["id"].startswith("api-") and out["status"] == "new"
    assert [(i["event_type"], i["location"], i["fatalities"]) for i in out["incidents"]] == [("Battles", "Dori", 6)]
    assert len(out["events"]) == 1 and out["events"][0] not in [e["id"] for e in ev_before]
    assert c.get(f"/api/articles/{out['id']}").json()["text"] == POSTED
    again = c.post("/api/articles", headers=auth(), json={"text": POSTED, "date": "2025-05-11"})
    assert again.json()["id"] == out["id"] and again.json()["status"] == "unchanged"
    assert st.counts()["articles"] == 2
    assert c.get("/api/health").json()["writable"] is True


@pytest.mark.parametrize("body", [
    {},
    {"title": "no text"},
    {"text": ""},
    {"text": None},
    {"text": 42},
    {"text": POSTED, "date": "2025-02-30"},
    {"text": POSTED, "date": "2025-13-01"},
    {"text": POSTED, "date": "yesterday"},
    {"text": POSTED, "id": "x" * 301},
    {"text": POSTED, "title": "t" * 1001},
    ["not", "an", "object"],
])
def test_invalid_bodies_are_422(writable, body):
    c, st = writable
    before = st.counts()
    assert_error(c.post("/api/articles", headers=auth(), json=body), 422)
    assert st.counts() == before


def test_a_body_that_is_not_json_is_422(writable):
    c, _ = writable
    r = c.post("/api/articles", headers={**auth(), "Content-Type": "application/json"}, content=b"{text: oops")
    assert_error(r, 422)


def test_whitespace_only_text_is_422(writable):
    c, st = writable
    before = st.counts()
    assert_error(c.post("/api/articles", headers=auth(), json={"text": "  \n\t "}), 422)
    assert st.counts() == before


# ---------------------------------------------------------------- private mode
def test_a_private_app_needs_the_token_to_read(store):
    with TestClient(create_app(store, token=TOKEN, private=True), raise_server_exceptions=False) as c:
        for path in ("/api/events", "/api/events/1", "/api/stats/daily", "/api/stats/types", "/api/articles",
                     "/api/articles/nairobi-fuel", "/api/quotes", "/api/claims", "/api/config"):
            assert_error(c.get(path), 401)
            assert_error(c.get(path, headers=auth("wrong")), 401)
        ok = c.get("/api/events", headers=auth())
        assert ok.status_code == 200 and ok.json()["total"] == 3
        assert c.get("/api/articles/nairobi-fuel", headers=auth()).status_code == 200
        assert c.get("/api/health").json()["private"] is True


# ------------------------------------------------------------ docs and headers
def test_docs_and_openapi_are_served(client):
    docs = client.get("/docs")
    assert docs.status_code == 200 and docs.headers["content-type"].startswith("text/html")
    spec = client.get("/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    for p in ("/api/events", "/api/events/{event_id}", "/api/articles", "/api/articles/{key}", "/api/quotes",
              "/api/claims", "/api/stats/daily", "/api/stats/types", "/api/health"):
        assert p in paths
    assert "post" in paths["/api/articles"]


def _csp(r) -> dict:
    out = {}
    for part in r.headers["content-security-policy"].split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def test_the_docs_page_works_under_its_own_csp(client):
    import re
    r = client.get("/docs")
    scripts = _csp(r).get("script-src", _csp(r).get("default-src"))
    for src in re.findall(r'<script[^>]*\bsrc="([^"]+)"', r.text):
        assert src.startswith("/") or any(src.startswith(s) for s in scripts if s.startswith("http")), src
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", r.text), "inline script"


@pytest.mark.parametrize("method, path, status", [
    ("get", "/api/health", 200),
    ("get", "/api/events", 200),
    ("get", "/", 200),
    ("get", "/openapi.json", 200),
    ("get", "/api/events/999999", 404),
    ("get", "/api/events?limit=501", 422),
    ("get", "/api/events?since=2025-06-01&until=2025-01-01", 400),
    ("post", "/api/articles", 403),
])
def test_security_headers_on_every_response(client, method, path, status):
    r = getattr(client, method)(path)
    assert r.status_code == status
    csp = _csp(r)
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert csp.get("object-src") == ["'none'"] and csp.get("frame-ancestors") == ["'none'"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"


def test_the_csp_allows_the_configured_tile_server_for_images(store):
    app = create_app(store, tile_url="https://tiles.example.org/{z}/{x}/{y}.png")
    with TestClient(app) as c:
        csp = _csp(c.get("/api/health"))
    assert "https://tiles.example.org" in csp["img-src"]
    assert "https://tiles.example.org" not in csp.get("script-src", [])


def test_an_unknown_api_path_is_a_404_json_error(client):
    assert_error(client.get("/api/no-such-endpoint"), 404)


# ------------------------------------------------------------- SQL injection
@pytest.mark.parametrize("name", STRING_FILTERS)
@pytest.mark.parametrize("path", ["/api/events", "/api/stats/daily", "/api/stats/types"])
def test_injection_through_a_filter_is_just_a_value(client, store, path, name):
    r = client.get(path, params={name: INJECTION})
    assert r.status_code == 200, r.text
    body = r.json()
    if path == "/api/events":
        assert body["total"] == 0 and body["events"] == []
    else:
        assert next(iter(body.values())) == []
    still = client.get("/api/events").json()
    assert still["total"] == 3 and len(still["events"]) == 3
    assert store.counts()["events"] == 3


@pytest.mark.parametrize("path, params", [
    ("/api/quotes", {"speaker": INJECTION}),
    ("/api/claims", {"reported_by": INJECTION}),
    ("/api/claims", {"unit": INJECTION}),
    ("/api/events", dict.fromkeys(STRING_FILTERS, INJECTION)),
])
def test_injection_through_other_parameters(client, store, path, params):
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text
    assert store.counts()["events"] == 3 and store.counts()["quotes"] >= 3


@pytest.mark.parametrize("name", ["since", "until"])
def test_injection_through_a_date_filter_is_rejected_as_a_bad_date(client, store, name):
    assert_error(client.get("/api/events", params={name: INJECTION}), 422)
    assert store.counts()["events"] == 3


def test_injection_through_path_parameters(client, store):
    assert_error(client.get("/api/articles/" + "%27%3B%20DROP%20TABLE%20events%3B%20--"), 404)
    assert_error(client.get("/api/events/" + "1%3B%20DROP%20TABLE%20events"), 422)
    assert client.get("/api/events").json()["total"] == 3
    assert store.counts()["events"] == 3


# ------------------------------------------------------------------ body size limit, CORS
@pytest.fixture
def small_body_app(tmp_path, extractor):
    st = Store(f"sqlite:///{tmp_path / 'limit.db'}")
    with TestClient(create_app(st, token=TOKEN, extractor=extractor, max_body_bytes=2000),
                    raise_server_exceptions=False) as c:
        yield c, st
    st.close()


def test_a_body_over_the_limit_is_413_and_nothing_is_stored(small_body_app):
    c, st = small_body_app
    body = {"text": "Russian drones struck Kharkiv on Monday. " * 100, "date": "2025-03-14"}
    r = c.post("/api/articles", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert_error(r, 413)
    assert "2000 bytes" in r.json()["error"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert st.counts()["articles"] == 0


def test_a_streamed_body_over_the_limit_is_413(small_body_app):
    c, st = small_body_app
    chunks = (b'{"text": "' + b"x" * 500 for _ in range(10))           # no Content-Length: chunked
    r = c.post("/api/articles", content=chunks, headers={"Authorization": f"Bearer {TOKEN}",
                                                         "Content-Type": "application/json"})
    assert_error(r, 413)
    assert st.counts()["articles"] == 0


def test_a_body_under_the_limit_is_accepted(small_body_app):
    c, st = small_body_app
    r = c.post("/api/articles", json={"text": "Russian drones struck Kharkiv on Monday, officials said.",
                                      "date": "2025-03-14"}, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 201, r.text
    assert st.counts()["articles"] == 1


def test_cors_is_off_by_default(client):
    r = client.get("/api/events", headers={"Origin": "https://evil.example"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    pre = client.options("/api/events", headers={"Origin": "https://evil.example",
                                                 "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in pre.headers


def test_cors_allows_only_the_configured_origins(store):
    with TestClient(create_app(store, cors_origins=["https://analysis.example"])) as c:
        ok = c.get("/api/events", headers={"Origin": "https://analysis.example"})
        other = c.get("/api/events", headers={"Origin": "https://evil.example"})
        pre = c.options("/api/events", headers={"Origin": "https://analysis.example",
                                                "Access-Control-Request-Method": "GET"})
    assert ok.headers["access-control-allow-origin"] == "https://analysis.example"
    assert "access-control-allow-origin" not in other.headers
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == "https://analysis.example"


# --------------------------------------------------------- the dashboard's analyst views (issue 13)
def test_the_disputed_filter_keeps_the_events_whose_sources_disagree(client, ids):
    evs = client.get("/api/events", params={"disputed": "true"}).json()["events"]
    assert [e["id"] for e in evs] == [ids["Odesa"]]


def test_events_carry_their_surest_reports_confidence_and_a_threshold_hides_the_rest(client, store):
    evs = client.get("/api/events").json()["events"]
    for e in evs:
        known = [r["confidence"] for r in e["reports"] if r.get("confidence") is not None] or \
            [r.confidence for ev in store.events() if ev.id == e["id"] for r in ev.reports if r.confidence is not None]
        assert e["confidence"] == (max(known) if known else None)
    sure = [e for e in evs if e["confidence"] is not None]
    assert len({e["confidence"] for e in sure}) > 1, "needs events of different confidence"
    cut = sorted(e["confidence"] for e in sure)[-1]
    kept = client.get("/api/events", params={"min_confidence": cut}).json()["events"]
    assert {e["id"] for e in kept} == {e["id"] for e in evs if e["confidence"] is None or e["confidence"] >= cut}
    assert client.get("/api/events", params={"min_confidence": 1.5}).status_code == 422


def test_region_counts_follow_the_filters(client):
    regions = client.get("/api/stats/regions").json()["regions"]
    by = {(r["country"], r["admin1"]): r for r in regions}
    odesa = by[("Ukraine", "Odesa")]
    assert odesa["events"] == 1 and odesa["fatalities"] == 3
    assert odesa["latitude"] == pytest.approx(46.5, abs=0.5) and odesa["longitude"] == pytest.approx(30.7, abs=0.5)
    only = client.get("/api/stats/regions", params={"country": "Kenya"}).json()["regions"]
    assert {r["country"] for r in only} == {"Kenya"}


def without_timestamp(text: str) -> list:
    """An export's content, ACLED's `timestamp` column (the second it was written) left out."""
    import csv
    import io
    if not text.startswith("event_id_cnty"):
        return [text]
    return [{k: v for k, v in row.items() if k != "timestamp"} for row in csv.DictReader(io.StringIO(text))]


@pytest.mark.parametrize("fmt", ["acled-csv", "geojson", "jsonl"])
def test_the_export_endpoint_writes_what_wirewatch_export_writes(client, store, tmp_path, fmt):
    from wirewatch.export import export_events
    from wirewatch.store import event_dict

    r = client.get("/api/export", params={"format": fmt, "country": "Ukraine"})
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    path = tmp_path / "cli.out"
    export_events([event_dict(e) for e in store.events(country="Ukraine")], fmt, str(path))
    assert without_timestamp(r.content.decode()) == without_timestamp(path.read_text(encoding="utf-8"))
    assert client.get("/api/export", params={"format": "parquet"}).status_code == 422
