"""`wirewatch extract|ingest --engine dask` from the command line: the same records and events as the
default engine (a real local Dask cluster of 2 workers started by the command)."""
from __future__ import annotations

import json
from pathlib import Path

from wirewatch.distributed import read_parquet_results

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_extract_with_the_dask_engine_writes_the_records_of_the_local_engine(run_cli, tmp_path):
    rc, out, err = run_cli("extract", EXAMPLES, "--format", "jsonl", "--workers", "1")
    assert rc == 0, err
    local = [json.loads(line) for line in out.splitlines()]
    rc, _, err = run_cli("extract", EXAMPLES, "--engine", "dask", "--workers", "2", "--out", tmp_path / "out")
    assert rc == 0, err
    assert f"extracted {len(local)} articles" in err
    got = read_parquet_results(tmp_path / "out")
    for kind in ("incidents", "interactions", "quotes", "claims", "opinion", "contradictions"):
        want = [dict(r, article_id=a["id"]) for a in local for r in a[kind]]
        key = lambda r: json.dumps(r, sort_keys=True)          # noqa: E731
        assert sorted(map(key, got[kind])) == sorted(map(key, want)), kind
    assert sum(len(a["incidents"]) for a in local) > 10


def test_ingest_with_the_dask_engine_gives_the_events_of_the_local_engine(run_cli, tmp_path):
    dbs = {e: f"sqlite:///{tmp_path / (e + '.db')}" for e in ("local", "dask")}
    assert run_cli("ingest", EXAMPLES, "--db", dbs["local"], "--workers", "1")[0] == 0
    rc, _, err = run_cli("ingest", EXAMPLES, "--db", dbs["dask"], "--engine", "dask")
    assert rc == 0, err
    events = {}
    for engine, db in dbs.items():
        rc, out, err = run_cli("events", "--db", db, "--format", "jsonl")
        assert rc == 0, err
        events[engine] = [json.loads(line) for line in out.splitlines()]
    assert events["dask"] == events["local"] and len(events["local"]) > 10


def test_dask_only_options_are_refused_with_the_local_engine(run_cli, tmp_path):
    rc, _, err = run_cli("extract", EXAMPLES, "--out", tmp_path / "o")
    assert rc == 2 and err.strip() == "wirewatch: --out needs --engine dask"
    rc, _, err = run_cli("extract", EXAMPLES, "--engine", "dask")
    assert rc == 2 and "--out DIR" in err
