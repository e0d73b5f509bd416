"""Crash safety of `wirewatch ingest`: a real ingest process killed with SIGKILL midway leaves a consistent store,
and running the same command again finishes the work, ending exactly where a clean single ingest of the same
files ends. On SQLite and, when WIREWATCH_TEST_PG_URL is set (``bash scripts/with-postgres``), on PostgreSQL."""
from __future__ import annotations

import datetime as dt
import os
import queue
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

PG_URL = os.environ.get("WIREWATCH_TEST_PG_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
KILL_AFTER = 8          # stored articles seen on stderr before the SIGKILL
DEADLINE = 120          # seconds; a hung ingest fails the test instead of blocking it

NUM = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
UA = ["Kharkiv", "Odesa", "Dnipro", "Sumy", "Zaporizhzhia", "Kherson"]
SD = ["El Fasher", "Nyala", "Kadugli", "Omdurman", "El Obeid", "Kosti"]
KE = ["Nairobi", "Mombasa", "Kisumu", "Nakuru", "Eldoret", "Thika"]
ML = ["Gao", "Timbuktu", "Mopti", "Kidal", "Menaka", "Segou"]
TARGETS = ["an apartment building", "a school", "a warehouse", "a hospital", "a power substation"]


def _story(i: int) -> tuple[str, str]:
    """Article i: one incident (a drone strike, a shelling, a protest or an ambush) on its own date and place."""
    day = dt.date(2025, 1, 6) + dt.timedelta(days=3 * i)
    weekday = day.strftime("%A")
    n = i % 9 + 1
    kind, slot = i % 4, i // 4
    if kind == 0:
        text = (f"Russian drones struck {TARGETS[i % 5]} in {UA[slot]} overnight, killing {NUM[n]} people, the "
                f"regional governor said on Telegram. Emergency crews worked through the night, note {i}.")
    elif kind == 1:
        text = (f"Rapid Support Forces fighters shelled a market in {SD[slot]}, Sudan, on {weekday}, killing at "
                f"least {n + 3} civilians, a local volunteer group said. Item {i}.")
    elif kind == 2:
        text = (f"Police fired tear gas at hundreds of protesters in {KE[slot]}, Kenya, on {weekday} as "
                f"demonstrators demanded lower fuel prices, witnesses said. Dispatch {i}.")
    else:
        text = (f"Militants attacked a Malian army post near {ML[slot]} on {weekday}, killing {NUM[n]} soldiers "
                f"in hours of fighting, the army said. Bulletin {i}.")
    return day.isoformat(), text


def _retelling(i: int) -> tuple[str, str]:
    """Another outlet's account of article i's incident, with another toll (linking joins it to the same event)."""
    day, _ = _story(i)
    n = i % 9 + 1
    slot = i // 4
    if i % 4 == 0:
        text = (f"Russian drones hit {TARGETS[i % 5]} in {UA[slot]} overnight, killing {NUM[n + 2]} "
                f"residents, local officials told reporters. Second source {i}.")
    else:
        text = (f"Fighters of the Rapid Support Forces shelled {SD[slot]}, Sudan, on "
                f"{dt.date.fromisoformat(day).strftime('%A')}, killing {n + 5} civilians, medics said. Other desk {i}.")
    return day, text


def write_corpus(d) -> list[str]:
    """24 articles and 6 retellings by other outlets (filed right after the article they retell): 30 files."""
    d.mkdir()
    names = []
    for i in range(24):
        for name, (day, text) in [(f"a{i:02d}", _story(i))] + ([(f"a{i:02d}-r", _retelling(i))] if i in
                                                                  (0, 1, 4, 5, 8, 9) else []):
            (d / f"{name}.txt").write_text(f"date {day}\n{text}\n", encoding="utf-8")
            names.append(name)
    assert len(names) == 30
    return sorted(names)


# ------------------------------------------------------------------------------------------------ databases

def _reset_pg(url: str) -> None:
    from sqlalchemy import create_engine, text

    from wirewatch.store import normalise_url

    engine = create_engine(normalise_url(url))
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    finally:
        engine.dispose()


def _fresh(backend: str, path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{path}"
    _reset_pg(PG_URL)
    return PG_URL


def snapshot(url: str) -> dict:
    """What the store holds, read with plain SQL (no wirewatch code): rows, orphans and events by content."""
    from sqlalchemy import create_engine, text

    from wirewatch.store import normalise_url

    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            q = lambda sql: conn.execute(text(sql)).all()         # noqa: E731
            keys = [r[0] for r in q("SELECT key FROM articles WHERE status = 'ok'")]
            events = {}
            for eid, day, sub, loc, dead, n in q("SELECT id, event_date, sub_event_type, location, fatalities, "
                                                 "n_reports FROM events"):
                events[eid] = [str(day), sub, loc, dead, n, []]
            for eid, key in q("SELECT r.event_id, a.key FROM reports r JOIN articles a ON a.id = r.article_id "
                              "WHERE r.event_id IS NOT NULL"):
                if eid in events:
                    events[eid][5].append(key)
            return {
                "articles": q("SELECT COUNT(*) FROM articles")[0][0],
                "keys": keys,
                "duplicate_keys": q("SELECT key FROM articles GROUP BY key HAVING COUNT(*) > 1"),
                "reports": q("SELECT COUNT(*) FROM reports")[0][0],
                "events": q("SELECT COUNT(*) FROM events")[0][0],
                "unlinked_reports": q("SELECT r.id FROM reports r LEFT JOIN events e ON e.id = r.event_id "
                                      "WHERE e.id IS NULL"),
                "empty_events": q("SELECT e.id FROM events e WHERE NOT EXISTS "
                                  "(SELECT 1 FROM reports r WHERE r.event_id = e.id)"),
                "orphan_evidence": q("SELECT ev.id FROM evidence ev LEFT JOIN articles a ON a.id = ev.article_id "
                                     "WHERE a.id IS NULL"),
                "articles_without_reports": q("SELECT a.key FROM articles a WHERE a.status = 'ok' AND NOT EXISTS "
                                              "(SELECT 1 FROM reports r WHERE r.article_id = a.id)"),
                "wrong_n_reports": [eid for eid, ev in events.items() if ev[4] != len(ev[5])],
                # events by content, ids aside: (date, sub-event type, place, toll, sorted report articles)
                "event_contents": sorted(((ev[0], ev[1], ev[2], ev[3], tuple(sorted(ev[5]))) for ev in events.values()),
                                         key=repr),
            }
    finally:
        engine.dispose()


def assert_consistent(snap: dict) -> None:
    assert snap["duplicate_keys"] == []
    assert len(snap["keys"]) == len(set(snap["keys"]))
    assert snap["unlinked_reports"] == [], "reports that belong to no event"
    assert snap["empty_events"] == [], "events without reports"
    assert snap["orphan_evidence"] == []
    assert snap["articles_without_reports"] == [], "an article stored without its incident (half a transaction)"
    assert snap["wrong_n_reports"] == []


def sqlite_integrity(path) -> str:
    con = sqlite3.connect(str(path))
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


# ------------------------------------------------------------------------------------------------ processes

def _cmd(corpus, url):
    # transactions of 5 articles: the kill lands between (and inside) transactions, not after the only one
    return [sys.executable, "-m", "wirewatch.cli", "ingest", str(corpus), "--db", url, "--write-batch", "5"]


def _env():
    env = dict(os.environ)
    env.setdefault("PYTHONIOENCODING", "utf-8")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def ingest_to_completion(corpus, url) -> str:
    proc = subprocess.run(_cmd(corpus, url), capture_output=True, env=_env(), timeout=DEADLINE)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, err
    return err


def ingest_and_kill(corpus, url, after: int) -> list[str]:
    """Start an ingest, wait until `after` articles are reported stored on stderr, SIGKILL it; its stderr lines."""
    proc = subprocess.Popen(_cmd(corpus, url), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=_env())
    lines: queue.Queue = queue.Queue()

    def pump():
        for raw in proc.stderr:
            lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen, stored = [], 0
    deadline = time.monotonic() + DEADLINE
    try:
        while stored < after:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.1))
            if line is None:
                pytest.fail("ingest ended before it could be killed:\n" + "\n".join(seen))
            seen.append(line)
            if re.match(r"wirewatch: \S+: new\b", line):
                stored += 1
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None and stored < after:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, f"ingest was not killed (exit {proc.returncode})"
    return seen


# ------------------------------------------------------------------------------------------------ the test

@pytest.mark.parametrize("backend", BACKENDS)
def test_an_ingest_killed_midway_leaves_a_consistent_store_and_a_rerun_finishes_it(backend, tmp_path):
    corpus = tmp_path / "corpus"
    names = write_corpus(corpus)

    # the reference: one clean ingest of the same files into a fresh database
    clean_url = _fresh(backend, tmp_path / "clean.db")
    ingest_to_completion(corpus, clean_url)
    clean = snapshot(clean_url)
    assert clean["articles"] == len(names) and sorted(clean["keys"]) == names
    assert_consistent(clean)
    assert clean["reports"] == len(names)                 # each article reports one incident
    assert clean["events"] == len(names) - 6              # the six retellings join their original's event

    # killed midway
    url = _fresh(backend, tmp_path / "crash.db")
    ingest_and_kill(corpus, url, KILL_AFTER)
    if backend == "sqlite":
        assert sqlite_integrity(tmp_path / "crash.db") == "ok"
    partial = snapshot(url)
    assert KILL_AFTER <= partial["articles"] < len(names), "the kill did not land midway"
    assert_consistent(partial)                            # each article fully stored or not at all
    assert set(partial["keys"]) <= set(names)

    # the same command again finishes the work
    err = ingest_to_completion(corpus, url)
    summary = [l for l in err.splitlines() if l.startswith("ingested:")]
    assert len(summary) == 1, err
    m = re.search(r"(\d+) new, (\d+) updated, (\d+) unchanged", summary[0])
    assert m, summary[0]
    new, updated, unchanged = map(int, m.groups())
    assert (new, updated, unchanged) == (len(names) - partial["articles"], 0, partial["articles"]), summary[0]

    done = snapshot(url)
    assert done["articles"] == len(names)
    assert sorted(done["keys"]) == names                  # every article exactly once
    assert_consistent(done)
    assert (done["events"], done["reports"]) == (clean["events"], clean["reports"])
    assert done["event_contents"] == clean["event_contents"]
    if backend == "sqlite":
        assert sqlite_integrity(tmp_path / "crash.db") == "ok"


# A child that runs `wirewatch ingest` and SIGKILLs itself right after the Nth CREATE statement the database
# executed: a kill that lands while the schema is being created (the first use of a new store).
KILL_DURING_SCHEMA = r'''
import os, signal, sys
from sqlalchemy import event
from sqlalchemy.engine import Engine

seen = 0

@event.listens_for(Engine, "after_cursor_execute")
def _kill(conn, cursor, statement, parameters, context, executemany):
    global seen
    if statement.lstrip().upper().startswith("CREATE"):
        seen += 1
        if seen == int(sys.argv[1]):
            os.kill(os.getpid(), signal.SIGKILL)

from wirewatch.cli import main
sys.exit(main(sys.argv[2:]))
'''


@pytest.mark.parametrize("backend", [
    "sqlite",
] + (["postgresql"] if PG_URL else []))
def test_an_ingest_killed_while_creating_the_schema_can_be_run_again(backend, tmp_path):
    corpus = tmp_path / "corpus"
    names = write_corpus(corpus)
    url = _fresh(backend, tmp_path / "schema.db")
    proc = subprocess.run([sys.executable, "-c", KILL_DURING_SCHEMA, "3", "ingest", str(corpus), "--db", url],
                          capture_output=True, env=_env(), timeout=DEADLINE)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode("utf-8", "replace")

    ingest_to_completion(corpus, url)                     # the same command again finishes the work
    done = snapshot(url)
    assert sorted(done["keys"]) == names and done["articles"] == len(names)
    assert_consistent(done)
    if backend == "sqlite":
        assert sqlite_integrity(tmp_path / "schema.db") == "ok"


# ------------------------------------------------------------------------------------------------ concurrency

@pytest.mark.parametrize("backend", BACKENDS)
def test_two_ingests_of_overlapping_inputs_at_once_store_each_article_once_and_link_each_event_once(
        backend, tmp_path):
    """Two `wirewatch ingest` processes started together on overlapping inputs (the same 30 files, in the
    same order, so that both store the same article at about the same moment, plus a third process on a
    later half) against one new database end where one ingest of all 30 ends."""
    corpus = tmp_path / "corpus"
    names = write_corpus(corpus)
    files = [str(corpus / f"{n}.txt") for n in names]
    parts = (files, files, list(reversed(files[15:])))
    url = _fresh(backend, tmp_path / "both.db")
    procs = [subprocess.Popen([sys.executable, "-m", "wirewatch.cli", "ingest", *part, "--db", url, "--workers", "1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env())
             for part in parts]
    errs = [p.communicate(timeout=DEADLINE)[1].decode("utf-8", "replace") for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errs
    both = snapshot(url)
    assert_consistent(both)
    assert sorted(both["keys"]) == names
    if backend == "sqlite":
        assert sqlite_integrity(tmp_path / "both.db") == "ok"
    url = _fresh(backend, tmp_path / "one.db")
    ingest_to_completion(corpus, url)
    one = snapshot(url)
    assert both["event_contents"] == one["event_contents"]
    assert (both["articles"], both["reports"], both["events"]) == (one["articles"], one["reports"], one["events"])
