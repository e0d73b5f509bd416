"""The event store through the real command line (``python -m wirewatch.cli`` in a subprocess), on SQLite and,
when WIREWATCH_TEST_PG_URL is set (``bash scripts/with-postgres``), on PostgreSQL: ingest, re-ingest, failures,
``events`` with its filters, ``show``, ``quotes``, ``claims`` and every ``export`` format read back."""
from __future__ import annotations

import csv
import io
import json
import os

import pytest

PG_URL = os.environ.get("WIREWATCH_TEST_PG_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])

# The codebook's incident fields (shared/codebook.md, section 1), evidence aside.
INCIDENT_FIELDS = {"event_date", "date_precision", "event_type", "sub_event_type", "actor1", "actor2", "country",
                   "admin1", "location", "location_precision", "latitude", "longitude", "fatalities", "target",
                   "reported_by", "is_background"}

# ACLED's export layout, column for column.
ACLED_COLUMNS = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
                 "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
                 "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3",
                 "location", "latitude", "longitude", "geo_precision", "source", "source_scale", "notes",
                 "fatalities", "tags", "timestamp"]

# Four short articles (two outlets on one Kharkiv drone strike with different tolls, a shelling in El Fasher,
# a protest in Nairobi) and one empty file that cannot be read.
ARTICLES = {
    "kharkiv-wire.txt": (
        "date 2025-03-04\n"
        "Russian drones struck a five-storey apartment building in Kharkiv overnight, killing three people and "
        "wounding nine, regional governor Oleh Syniehubov said on Telegram. \"Rescuers are still searching the "
        "rubble,\" Syniehubov said.\n"),
    "kharkiv-daily.txt": (
        "date 2025-03-04\n"
        "A Russian drone attack on Kharkov overnight hit an apartment building, killing five residents, the "
        "city's mayor Ihor Terekhov told reporters on Tuesday morning.\n"),
    "el-fasher.txt": (
        "date 2025-04-10\n"
        "KHARTOUM, April 10 - Rapid Support Forces fighters shelled the Abu Shouk camp in El Fasher, the capital "
        "of Sudan's North Darfur state, on Wednesday, killing at least 12 civilians, a local volunteer group said. "
        "\"We do not target civilians,\" RSF adviser Abdelrahim Kamal said in a statement.\n"),
    "nairobi.txt": (
        "date 2025-06-25\n"
        "Police fired tear gas at thousands of protesters in central Nairobi on Wednesday as demonstrators "
        "marched on parliament to demand lower taxes, witnesses said. No deaths were reported.\n"),
    "empty.txt": "",
}
GOOD = sorted(k[:-4] for k, v in ARTICLES.items() if v)


def _reset_pg_schema(url: str) -> None:
    from sqlalchemy import create_engine, text

    from wirewatch.store import normalise_url

    engine = create_engine(normalise_url(url))
    try:
        with engine.begin() as conn:          # a clean schema for each test
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path):
    """A database URL for an empty store: a fresh SQLite file, or the test PostgreSQL with a new schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'x.db'}"
    _reset_pg_schema(PG_URL)
    return PG_URL


@pytest.fixture
def corpus(tmp_path):
    d = tmp_path / "articles"
    d.mkdir()
    for name, text in ARTICLES.items():
        (d / name).write_text(text, encoding="utf-8")
    return d


@pytest.fixture
def ingested(db, corpus, run_cli):
    """A store holding the corpus (the empty file recorded as a failure)."""
    rc, _out, err = run_cli("ingest", corpus, "--db", db)
    assert rc == 1, err
    return db


def _events(run_cli, db, *filters):
    rc, out, err = run_cli("events", "--db", db, "--format", "jsonl", *filters)
    assert rc == 0, err
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def _by_sub(events):
    return {e["sub_event_type"]: e for e in events}


# ----------------------------------------------------------------------------- ingest, re-ingest, failures

def test_ingest_summarises_fails_on_the_bad_file_and_a_second_run_changes_nothing(db, corpus, run_cli):
    rc, out, err = run_cli("ingest", corpus, "--db", db)
    assert rc == 1, err                                           # the empty file failed
    assert "empty.txt" in err and "error" in err
    summary = [l for l in err.splitlines() if l.startswith("ingested:")]
    assert len(summary) == 1, err
    assert "4 new" in summary[0] and "0 unchanged" in summary[0] and "1 failed" in summary[0]
    assert "3 events from 4 reports" in summary[0], summary[0]

    rc, out, err = run_cli("failures", "--db", db)
    assert rc == 0, err
    lines = [l for l in out.splitlines() if l.strip()]
    assert len(lines) == 1 and "empty.txt" in lines[0], out

    rc, first, err = run_cli("events", "--db", db, "--format", "jsonl")
    assert rc == 0, err
    assert len(first.splitlines()) == 3

    rc, out, err = run_cli("ingest", corpus, "--db", db)
    assert rc == 1, err
    summary = [l for l in err.splitlines() if l.startswith("ingested:")]
    assert len(summary) == 1, err
    assert "0 new" in summary[0] and "0 updated" in summary[0] and "4 unchanged" in summary[0], summary[0]
    assert "3 events from 4 reports" in summary[0], summary[0]
    for key in GOOD:
        assert f"{key}: unchanged" in err

    rc, again, err = run_cli("events", "--db", db, "--format", "jsonl")
    assert rc == 0, err
    assert again == first                                         # byte for byte
    rc, out, err = run_cli("failures", "--db", db)
    assert len([l for l in out.splitlines() if l.strip()]) == 1   # still listed once


# ----------------------------------------------------------------------------- events: shape and filters

def test_events_jsonl_has_the_codebook_fields_id_and_every_report(ingested, run_cli):
    events = _events(run_cli, ingested)
    assert len(events) == 3
    for ev in events:
        assert INCIDENT_FIELDS <= set(ev), set(ev) ^ INCIDENT_FIELDS
        assert isinstance(ev["id"], int)
        assert isinstance(ev["reports"], list) and ev["reports"]
        for rep in ev["reports"]:
            assert INCIDENT_FIELDS <= set(rep)
            assert rep["article"] in GOOD and rep["source"] and rep["article_date"]
    assert [e["event_date"] for e in events] == sorted(e["event_date"] for e in events)   # by date

    subs = _by_sub(events)
    strike = subs["Air/drone strike"]
    assert strike["country"] == "Ukraine" and strike["admin1"] == "Kharkiv"
    assert strike["event_date"] == "2025-03-04" and strike["actor1"] == "Military Forces of Russia"
    assert strike["fatalities"] == 3                               # the lowest toll reported
    reps = {r["article"]: r for r in strike["reports"]}
    assert set(reps) == {"kharkiv-wire", "kharkiv-daily"}
    assert reps["kharkiv-wire"]["fatalities"] == 3 and reps["kharkiv-daily"]["fatalities"] == 5  # own values
    assert reps["kharkiv-daily"]["location"] == "Kharkov" and reps["kharkiv-wire"]["location"] == "Kharkiv"
    assert all(r["article_date"] == "2025-03-04" for r in reps.values())
    assert reps["kharkiv-wire"]["source"] != reps["kharkiv-daily"]["source"]

    shelling = subs["Shelling/artillery/missile attack"]
    assert shelling["country"] == "Sudan" and shelling["event_date"] == "2025-04-09"
    assert shelling["actor1"] == "Rapid Support Forces" and shelling["fatalities"] == 12
    assert [r["article"] for r in shelling["reports"]] == ["el-fasher"]
    protest = subs["Protest with intervention"]
    assert protest["country"] == "Kenya" and protest["event_type"] == "Protests"
    assert protest["event_date"] == "2025-06-25" and protest["fatalities"] == 0


def test_event_filters_narrow_the_list(ingested, run_cli):
    every = _by_sub(_events(run_cli, ingested))
    strike = every["Air/drone strike"]["id"]
    shelling = every["Shelling/artillery/missile attack"]["id"]
    protest = every["Protest with intervention"]["id"]

    def ids(*filters):
        return {e["id"] for e in _events(run_cli, ingested, *filters)}

    assert ids("--since", "2025-04-09") == {shelling, protest}     # bounds are inclusive
    assert ids("--until", "2025-04-09") == {strike, shelling}
    assert ids("--since", "2025-03-05", "--until", "2025-06-24") == {shelling}
    assert ids("--country", "kenya") == {protest}                  # case does not matter
    assert ids("--type", "Explosions/Remote violence") == {strike, shelling}
    assert ids("--sub-type", "Air/drone strike") == {strike}
    assert ids("--actor", "Rapid Support") == {shelling}
    assert ids("--text", "apartment building") == {strike}
    assert ids("--text", "tear gas", "--type", "Protests") == {protest}
    assert ids("--country", "Ukraine", "--type", "Protests") == set()
    rc, out, err = run_cli("events", "--db", ingested, "--country", "Chile")
    assert rc == 0 and "no events" in out
    assert ids("--disputed") == {strike}                           # the two outlets disagree on its toll
    every = _events(run_cli, ingested)
    sure = {e["id"]: e["confidence"] for e in every}
    cut = max(v for v in sure.values() if v is not None)
    assert ids("--min-confidence", str(cut)) == {i for i, v in sure.items() if v is None or v >= cut}


# ----------------------------------------------------------------------------- show, quotes, claims

def test_show_prints_each_reports_evidence_and_the_contradiction(ingested, run_cli):
    strike = _by_sub(_events(run_cli, ingested))["Air/drone strike"]
    rc, out, err = run_cli("show", strike["id"], "--db", ingested)
    assert rc == 0, err
    assert f"Event {strike['id']}:" in out and "Air/drone strike" in out
    assert "kharkiv-wire" in out and "kharkiv-daily" in out
    assert "Russian drones struck a five-storey apartment building in Kharkiv overnight" in out
    assert "A Russian drone attack on Kharkov overnight hit an apartment building" in out
    assert "contradictions:" in out
    contra = out.split("contradictions:", 1)[1]
    assert "3" in contra and "5" in contra and "kharkiv-wire" in contra and "kharkiv-daily" in contra

    rc, out, err = run_cli("show", "999999", "--db", ingested)
    assert rc == 1 and "no event 999999" in err


def test_quotes_by_speaker_and_claims_as_csv(ingested, run_cli):
    rc, out, err = run_cli("quotes", "--db", ingested, "--speaker", "Syniehubov", "--format", "jsonl")
    assert rc == 0, err
    quotes = [json.loads(l) for l in out.splitlines() if l.strip()]
    assert quotes and all("Syniehubov" in q["speaker"] for q in quotes)
    assert all(q["article"] == "kharkiv-wire" for q in quotes)
    assert any(q["direct"] and "Rescuers are still searching the rubble" in q["text"] for q in quotes)
    rc, out, err = run_cli("quotes", "--db", ingested, "--speaker", "Syniehubov")
    assert rc == 0 and "Rescuers are still searching the rubble" in out

    rc, out, err = run_cli("claims", "--db", ingested, "--format", "csv")
    assert rc == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and list(rows[0]) == ["date", "article", "qualifier", "value", "unit", "reported_by"]
    values = {(r["article"], float(r["value"])) for r in rows}
    assert {("kharkiv-wire", 3.0), ("kharkiv-daily", 5.0), ("el-fasher", 12.0)} <= values
    twelve = next(r for r in rows if r["article"] == "el-fasher" and float(r["value"]) == 12)
    assert twelve["qualifier"] == "at least"


# ----------------------------------------------------------------------------- exports read back

def test_every_export_format_reads_back(ingested, run_cli, tmp_path):
    events = _events(run_cli, ingested)
    ids = [e["id"] for e in events]

    def export(fmt, name, *filters):
        path = tmp_path / name
        rc, out, err = run_cli("export", "--db", ingested, "--format", fmt, "-o", path, *filters)
        assert rc == 0, err
        assert "exported 3 events" in err or filters
        return path

    with open(export("acled-csv", "e.csv"), newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    assert reader.fieldnames == ACLED_COLUMNS
    assert len(rows) == 3
    by_sub = {r["sub_event_type"]: r for r in rows}
    strike = by_sub["Air/drone strike"]
    assert strike["event_date"] == "2025-03-04" and strike["year"] == "2025" and strike["country"] == "Ukraine"
    assert strike["event_id_cnty"].startswith("UKR") and strike["fatalities"] == "3"
    assert strike["disorder_type"] == "Political violence" and strike["time_precision"] == "1"
    assert 49 < float(strike["latitude"]) < 51 and 35 < float(strike["longitude"]) < 37
    assert strike["notes"].startswith("On 4 March 2025")
    assert by_sub["Protest with intervention"]["disorder_type"] == "Demonstrations"

    gj = json.loads(export("geojson", "e.geojson").read_text(encoding="utf-8"))
    assert gj["type"] == "FeatureCollection" and [f["id"] for f in gj["features"]] == ids
    for f in gj["features"]:
        assert f["type"] == "Feature" and INCIDENT_FIELDS <= set(f["properties"])
        lon, lat = f["geometry"]["coordinates"]
        assert f["geometry"]["type"] == "Point"
        assert (lat, lon) == (f["properties"]["latitude"], f["properties"]["longitude"])
    strike_f = next(f for f in gj["features"] if f["properties"]["sub_event_type"] == "Air/drone strike")
    assert strike_f["properties"]["sources"] == ["kharkiv-daily", "kharkiv-wire"]

    import pyarrow.parquet as pq
    table = pq.read_table(export("parquet", "e.parquet"))
    assert table.num_rows == 3
    assert INCIDENT_FIELDS | {"id", "n_reports", "reports"} <= set(table.column_names)
    assert table.column("id").to_pylist() == ids
    rows = table.to_pylist()
    strike_p = next(r for r in rows if r["sub_event_type"] == "Air/drone strike")
    assert strike_p["fatalities"] == 3 and strike_p["n_reports"] == 2
    assert {r["article"] for r in json.loads(strike_p["reports"])} == {"kharkiv-wire", "kharkiv-daily"}

    kenya = export("acled-csv", "kenya.csv", "--country", "Kenya")   # the same filters as `events`
    with open(kenya, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["country"] for r in rows] == ["Kenya"]


# ----------------------------------------------------------------------------- bad arguments

@pytest.mark.parametrize("option", ["--writers", "--write-batch"])
def test_ingest_needs_at_least_one_writer_and_one_article_per_batch(db, run_cli, option, tmp_path):
    rc, out, err = run_cli("ingest", tmp_path, "--db", db, option, "0")
    assert rc == 2 and err.strip() == f"wirewatch: {option} 0: needs at least 1"


@pytest.mark.parametrize("args", [
    ("events", "--since", "notadate"),
    ("events", "--until", "2025-13-45"),
    ("events", "--since", "yesterday", "--format", "jsonl"),
    ("export", "--since", "notadate", "--format", "acled-csv"),
    ("export", "--until", "31/12/2025", "--format", "geojson"),
    ("events", "--min-confidence", "1.5"),
    ("export", "--min-confidence", "high", "--format", "acled-csv"),
])
def test_bad_filter_values_exit_2_with_one_line(db, run_cli, args, tmp_path):
    extra = ["-o", tmp_path / "out"] if args[0] == "export" else []
    rc, out, err = run_cli(*args, "--db", db, *extra)
    assert rc == 2, (rc, out, err)
    lines = [l for l in err.splitlines() if l.strip()]
    assert len(lines) == 1, err
    assert args[2] in lines[0] and args[1] in lines[0]
    assert out == ""
    assert not (tmp_path / "out").exists()


def test_serve_private_without_a_token_refuses_to_start(run_cli, tmp_path, monkeypatch):
    monkeypatch.delenv("WIREWATCH_TOKEN", raising=False)
    rc, _, err = run_cli("serve", "--private", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--port", "1")
    assert rc == 2
    assert err.strip().splitlines() == ["wirewatch: --private needs WIREWATCH_TOKEN set (the token readers must present)"]


# ----------------------------------------------------------------------------- backup and restore

def _content(events):
    """Events by content, store ids aside."""
    out = []
    for e in events:
        e = {k: v for k, v in e.items() if k not in ("id", "reports")}
        out.append(e)
    return sorted(out, key=repr)


def _reports(events):
    return sorted((r["article"], r["sub_event_type"], r["event_date"], r["fatalities"])
                  for e in events for r in e["reports"])


def test_export_jsonl_then_ingest_into_an_empty_store_gives_the_same_events(ingested, run_cli, tmp_path):
    backup = tmp_path / "backup.jsonl"
    rc, _, err = run_cli("export", "--db", ingested, "--format", "jsonl", "-o", backup)
    assert rc == 0, err
    lines = [json.loads(line) for line in backup.read_text(encoding="utf-8").splitlines()]
    assert all(line["wirewatch"] == "article/1" for line in lines)
    assert any(line["status"] == "failed" for line in lines)                 # the failure is kept too
    restored = f"sqlite:///{tmp_path / 'restored.db'}"
    rc, _, err = run_cli("ingest", backup, "--db", restored)
    assert rc == 1, err                                                      # the kept failure, again
    before, after = _events(run_cli, ingested), _events(run_cli, restored)
    assert len(after) == len(before) == 3
    assert _content(after) == _content(before)
    assert _reports(after) == _reports(before)
    for kind in ("quotes", "claims", "failures"):
        outs = [run_cli(kind, "--db", db, *(("--format", "jsonl") if kind != "failures" else ()))[1]
                for db in (ingested, restored)]
        assert outs[0] == outs[1] and outs[0].strip()
    # two writers side by side store the same
    parallel = f"sqlite:///{tmp_path / 'parallel.db'}"
    rc, _, err = run_cli("ingest", backup, "--db", parallel, "--writers", "2", "--write-batch", "1")
    assert rc == 1, err
    assert _content(_events(run_cli, parallel)) == _content(before)
    assert _reports(_events(run_cli, parallel)) == _reports(before)
    again = tmp_path / "again.jsonl"
    rc, _, err = run_cli("export", "--db", restored, "--format", "jsonl", "-o", again)
    assert rc == 0, err
    strip = lambda rows: [{k: v for k, v in r.items() if k not in ("incidents",)} for r in rows]   # noqa: E731
    assert strip(json.loads(line) for line in again.read_text(encoding="utf-8").splitlines()) == strip(lines)


def test_a_tampered_export_line_is_refused_and_the_rest_restored(ingested, run_cli, tmp_path):
    backup = tmp_path / "backup.jsonl"
    assert run_cli("export", "--db", ingested, "--format", "jsonl", "-o", backup)[0] == 0
    lines = backup.read_text(encoding="utf-8").splitlines()
    ok = [json.loads(line) for line in lines if json.loads(line)["status"] == "ok"]
    bad = dict(ok[0])
    bad["incidents"] = [dict(bad["incidents"][0], evidence=[{"start": 0, "end": 5, "text": "WRONG"}])]
    backup.write_text("\n".join([json.dumps(bad)] + [json.dumps(r) for r in ok[1:]]) + "\n", encoding="utf-8")
    restored = f"sqlite:///{tmp_path / 'restored.db'}"
    rc, _, err = run_cli("ingest", backup, "--db", restored)
    assert rc == 1
    assert "backup.jsonl:1: bad exported records: incidents[0]: evidence 0-5 does not match the text" in err
    keys = {r["id"] for r in ok[1:]}
    rc, out, _ = run_cli("export", "--db", restored, "--format", "jsonl", "-o", tmp_path / "x.jsonl")
    got = {json.loads(line)["id"] for line in (tmp_path / "x.jsonl").read_text(encoding="utf-8").splitlines()
           if json.loads(line)["status"] == "ok"}
    assert got == keys
