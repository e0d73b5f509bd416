"""The event store on SQLite (and PostgreSQL where WIREWATCH_TEST_PG_URL is set): ingest, re-ingest,
cross-article linking, contradictions, queries and exports read back."""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from wirewatch.readers import read_inputs
from wirewatch.store import Store, event_dict

LINKING = Path(__file__).parent / "fixtures" / "linking"
URLS = ["sqlite"] + (["postgresql"] if os.environ.get("WIREWATCH_TEST_PG_URL") else [])


@pytest.fixture(params=URLS)
def store(request, tmp_path):
    if request.param == "sqlite":
        st = Store(f"sqlite:///{tmp_path / 'test.db'}")
    else:
        from sqlalchemy import text
        st = Store(os.environ["WIREWATCH_TEST_PG_URL"])
        with st.engine.begin() as conn:      # a clean schema for each test
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        st.close()
        st = Store(os.environ["WIREWATCH_TEST_PG_URL"])
    yield st
    st.close()


def ingest(store, extractor, *names):
    arts = [a for a in read_inputs([str(LINKING / n) for n in names])]
    return [store.add(extractor.extract(a)) for a in arts]


def test_three_outlets_one_strike_become_one_event_with_a_contradiction(store, extractor):
    ingest(store, extractor, "outlet-a.txt", "outlet-b.txt", "outlet-c.txt")
    strikes = [e for e in store.events(sub_type="Air/drone strike")]
    assert len(strikes) == 1
    ev = store.event(strikes[0].id)
    assert ev["n_reports"] == 3 and len(ev["reports"]) == 3
    assert {r["article"] for r in ev["reports"]} == {"outlet-a", "outlet-b", "outlet-c"}
    assert ev["admin1"] == "Kharkiv" and ev["event_date"] == "2025-02-11"
    assert ev["fatalities"] == 4                      # the lowest figure reported (codebook)
    assert len(ev["contradictions"]) == 1                # 4 (two outlets) against 5 (one): one dispute
    what = ev["contradictions"][0]["what"]
    assert "outlet-b" in what and "outlet-a" in what and "4" in what and "5" in what
    assert all(rep["evidence"] for rep in ev["reports"])


def test_two_strikes_on_the_same_town_on_different_days_stay_two_events(store, extractor):
    ingest(store, extractor, "outlet-a.txt", "later-strike.txt")
    dates = sorted(e.event_date.isoformat() for e in store.events(sub_type="Air/drone strike"))
    assert dates == ["2025-02-11", "2025-02-14"]


def test_reingesting_the_same_article_changes_nothing(store, extractor):
    first = ingest(store, extractor, "outlet-a.txt")
    before = store.counts()
    again = ingest(store, extractor, "outlet-a.txt")
    assert first[0].status == "new" and again[0].status == "unchanged"
    assert store.counts() == before


def test_a_changed_article_replaces_its_old_records(store, extractor):
    from wirewatch.records import Article
    ingest(store, extractor, "outlet-a.txt")
    text = (LINKING / "later-strike.txt").read_text()
    res = store.add(extractor.extract(Article(id="outlet-a", text=text, date="2025-02-14")))
    assert res.status == "updated"
    dates = [e.event_date.isoformat() for e in store.events()]
    assert dates == ["2025-02-14"]                      # the old event went with its only report
    assert store.counts()["articles"] == 1


def test_filters_and_failures(store, extractor):
    ingest(store, extractor, "outlet-a.txt", "later-strike.txt")
    assert len(store.events(since="2025-02-12")) == 1
    assert len(store.events(country="Ukraine", actor="Russia")) == 2
    assert store.events(country="Sudan") == []
    assert len(store.events(text="warehouse")) == 1
    store.add_failure("broken.txt", "broken.txt", "empty file")
    assert store.failures() == [{"article": "broken.txt", "origin": "broken.txt", "error": "empty file"}]


def test_exports_read_back(store, extractor, tmp_path):
    from wirewatch.export import ACLED_COLUMNS, export_events
    ingest(store, extractor, "outlet-a.txt", "outlet-b.txt", "later-strike.txt")
    events = [event_dict(e) for e in store.events()]
    export_events(events, "acled-csv", str(tmp_path / "e.csv"))
    with open(tmp_path / "e.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0].keys()) == ACLED_COLUMNS
    first = rows[0]
    assert first["event_date"] == "2025-02-11" and first["country"] == "Ukraine" and first["iso"] == "804"
    assert first["event_id_cnty"].startswith("UKR") and first["disorder_type"] == "Political violence"
    assert first["notes"].startswith("On 11 February 2025, Russian forces struck")
    assert first["fatalities"] == "4" and first["admin2"] == "" and first["region"] == ""
    export_events(events, "geojson", str(tmp_path / "e.geojson"))
    gj = json.loads((tmp_path / "e.geojson").read_text())
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) == len(events)
    lon, lat = gj["features"][0]["geometry"]["coordinates"]
    assert 49 < lat < 51 and 35 < lon < 37
    export_events(events, "parquet", str(tmp_path / "e.parquet"))
    import pyarrow.parquet as pq
    table = pq.read_table(tmp_path / "e.parquet")
    assert table.num_rows == len(events) and "sub_event_type" in table.column_names
    assert table.column("fatalities").to_pylist()[0] == 4
    export_events(events, "jsonl", str(tmp_path / "e.jsonl"))
    lines = (tmp_path / "e.jsonl").read_text().splitlines()
    assert [json.loads(l)["id"] for l in lines] == [e["id"] for e in events]


def test_a_database_from_an_older_version_upgrades_in_place(tmp_path, extractor):
    """A store created at the first schema version keeps its rows when a newer wirewatch opens it."""
    from importlib import resources

    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("wirewatch.store") / "migrations"))
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(sa.text("INSERT INTO articles (key, status, ingested_at) VALUES ('old-one', 'failed', "
                             "CURRENT_TIMESTAMP)"))
    engine.dispose()
    store = Store(url)
    assert store.failures()[0]["article"] == "old-one"           # the row survived the upgrade
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0004"
        names = {r[1] for r in conn.execute(sa.text("PRAGMA index_list('events')"))}
        columns = {r[1] for r in conn.execute(sa.text("PRAGMA table_info('interactions')"))}
    assert "ix_events_type_country" in names
    assert "confidence" in columns                                # 0004: interactions carry confidence
    ingest(store, extractor, "outlet-a.txt")                      # and it works as a current store
    assert store.counts()["events"] == 1


# ------------------------------------------------------------------ batched writes (issue 14)
def snapshot(store) -> list:
    """What a store holds, without its ids: every event's fields, its reports' articles and its disputes."""
    out = []
    for e in store.events():
        ev = store.event(e.id)
        out.append((tuple(ev[c] for c in ("event_date", "sub_event_type", "country", "admin1", "location",
                                          "fatalities", "n_reports")),
                    tuple(sorted(r["article"] for r in ev["reports"])),
                    tuple(sorted(c["what"] for c in ev["contradictions"]))))
    return sorted(out, key=repr)


def linking_results(extractor):
    return [extractor.extract(a) for a in read_inputs([str(p) for p in sorted(LINKING.glob("*.txt"))])]


def test_a_batch_stores_and_links_exactly_as_one_article_at_a_time(store, extractor, tmp_path):
    results = linking_results(extractor)
    assert len(results) >= 4
    one = Store(f"sqlite:///{tmp_path / 'one.db'}")
    for r in results:
        one.add(r)
    added = store.add_many(results)
    assert [a.status for a in added] == ["new"] * len(results)
    assert snapshot(store) == snapshot(one)
    assert store.counts() == one.counts()
    # the same batch again: nothing changes
    assert [a.status for a in store.add_many(results)] == ["unchanged"] * len(results)
    assert snapshot(store) == snapshot(one)
    one.close()


def test_a_batch_is_stored_whole_or_not_at_all(store, extractor, monkeypatch):
    from wirewatch.store.writer import BatchWriter

    results = linking_results(extractor)
    real = BatchWriter._records

    def failing(self, *args):
        real(self, *args)           # articles, events, reports and records all written: then the failure
        raise RuntimeError("the database went away")

    monkeypatch.setattr(BatchWriter, "_records", failing)
    with pytest.raises(RuntimeError):
        store.add_many(results)
    assert store.counts()["articles"] == 0 and store.counts()["events"] == 0
    monkeypatch.setattr(BatchWriter, "_records", real)
    assert [a.status for a in store.add_many(results)] == ["new"] * len(results)    # the rerun finishes
    assert store.counts()["articles"] == len(results)


def test_a_batch_replacing_and_repeating_articles_ends_as_one_article_at_a_time(store, extractor, tmp_path):
    """Within one batch: an article stored before comes back changed, a new one comes twice (the same text), and
    another comes twice with a changed text: statuses, events and contradictions are those of one add each."""
    import dataclasses

    results = linking_results(extractor)
    first, rest = results[:2], results[2:]
    changed = extractor.extract(dataclasses.replace(results[0].article, text=(LINKING / "outlet-c.txt")
                                                    .read_text()))
    edited = extractor.extract(dataclasses.replace(rest[0].article, text=rest[0].article.text + "\nMore later."))
    batch = [changed, rest[0], rest[0], *rest[1:], edited, results[1]]
    one = Store(f"sqlite:///{tmp_path / 'one.db'}")
    for r in first:
        one.add(r)
        store.add(r)
    expected = [one.add(r).status for r in batch]
    assert [a.status for a in store.add_many(batch)] == expected
    assert expected[:3] == ["updated", "new", "unchanged"] and expected[-2:] == ["updated", "unchanged"]
    assert snapshot(store) == snapshot(one)
    assert store.counts() == one.counts()
    one.close()


def test_names_longer_than_their_column_are_cut_not_refused(store):
    from wirewatch.records import Article, ArticleResult, Evidence, Incident, Quote

    text = "x" * 50
    span = [Evidence(0, 5, text[:5])]
    huge = "Kharkiv " * 200
    result = ArticleResult(article=Article(id="long-names", text=text, source="S" * 900),
                           incidents=[Incident(event_type="Battles", sub_event_type="Armed clash", country="Ukraine",
                                               location=huge, actor1=huge, evidence=span)],
                           quotes=[Quote(speaker=huge, text="words", evidence=span)])
    assert [a.status for a in store.add_many([result])] == ["new"]
    (ev,) = store.events()
    assert ev.location == huge[:200] and ev.actor1 == huge[:200]
    assert store.quotes()[0]["speaker"] == huge[:300]
    assert store.article("long-names")["source"] == "S" * 300
