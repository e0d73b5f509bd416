"""Several writers side by side (``ingest --writers N``): the store ends as with one writer, and a writer's
failure stops the run with a clear error, keeping what was committed (SQLite, and PostgreSQL where
WIREWATCH_TEST_PG_URL is set)."""
from __future__ import annotations

import dataclasses
import os
import random

import pytest

from synthetic_results import incident, result, snapshot, stream
from wirewatch.store import Store
from wirewatch.store.parallel import ParallelWriter, WriterError, open_writer

URLS = ["sqlite"] + (["postgresql"] if os.environ.get("WIREWATCH_TEST_PG_URL") else [])

@pytest.fixture(params=URLS)
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    from sqlalchemy import text
    st = Store(os.environ["WIREWATCH_TEST_PG_URL"])
    with st.engine.begin() as conn:      # a clean schema for each test
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    st.close()
    return os.environ["WIREWATCH_TEST_PG_URL"]


@pytest.mark.parametrize("writers,batch", [(2, 10), (3, 7)])
def test_several_writers_end_with_the_store_of_one(url, tmp_path, writers, batch):
    before, results = stream()
    one = Store(f"sqlite:///{tmp_path / 'one.db'}")
    one.add_many(before)
    expected = {}
    for r in results:                                   # one writer, one article at a time
        expected.setdefault(r.article.id, []).append(one.add(r).status)
    store = Store(url)
    store.add_many(before)
    statuses: dict[str, list[str]] = {}
    with open_writer(store, writers=writers, batch=batch,
                     on_added=lambda a: statuses.setdefault(a.key, []).append(a.status)) as w:
        assert isinstance(w, ParallelWriter)
        for r in results:
            w.add(r)
    assert sum(len(v) for v in statuses.values()) == len(results)
    assert {k: sorted(v) for k, v in statuses.items()} == {k: sorted(v) for k, v in expected.items()}
    assert store.counts() == one.counts()
    assert snapshot(store) == snapshot(one)
    assert any(len(ev[1]) > 1 for ev in snapshot(one))                     # linking had work to do
    assert any(ev[2] for ev in snapshot(one))                              # and disputes to record
    one.close()
    store.close()


def test_a_failing_writer_stops_the_run_and_keeps_what_was_committed(url, monkeypatch, tmp_path):
    _, results = stream(seed=11, n=120)
    results = list({r.article.id: r for r in results}.values())           # each article once
    store = Store(url)
    real = Store.add_many
    calls = {"n": 0}

    def failing(self, batch):
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("disk on fire")
        return real(self, batch)

    monkeypatch.setattr(Store, "add_many", failing)
    stored = []
    with pytest.raises(WriterError, match="disk on fire"):
        with open_writer(store, writers=2, batch=10, on_added=stored.append) as w:
            for r in results:
                w.add(r)
    assert len(stored) == store.counts()["articles"] > 0                 # what was reported stored is there
    monkeypatch.setattr(Store, "add_many", real)
    with open_writer(store, writers=2, batch=10) as w:                   # running again finishes the work
        for r in results:
            w.add(r)
    assert store.counts()["articles"] == len(results)
    clean = Store(f"sqlite:///{tmp_path / 'clean.db'}")                # the same as a run that never failed
    clean.add_many(results)
    assert snapshot(store) == snapshot(clean)
    clean.close()
    store.close()


def test_one_writer_is_this_thread():
    w = open_writer(Store("sqlite://"), writers=1, batch=5)
    assert not isinstance(w, ParallelWriter)


def test_replacing_an_article_in_another_writers_partition_is_ordered(url):
    """An article stored about one country comes back about another: the run's writers order it against both
    partitions, and the old event goes."""
    rng = random.Random(3)
    first = result(rng, "moved", 1)
    first.incidents = [dataclasses.replace(incident(rng, "Sudan", first.article.text))]
    store = Store(url)
    store.add_many([first])
    moved = dataclasses.replace(first, article=dataclasses.replace(first.article, text=first.article.text + "!"),
                                incidents=[incident(rng, "Kenya", first.article.text)])
    others = [result(rng, f"k-{i}", i) for i in range(30)]
    with open_writer(store, writers=2, batch=4) as w:
        for r in others[:15] + [moved] + others[15:]:
            w.add(r)
    countries = {e.country for e in store.events() for rep in store.event(e.id)["reports"]
                 if rep["article"] == "moved"}
    assert countries == {"Kenya"}
    store.close()
