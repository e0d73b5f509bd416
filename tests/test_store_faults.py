"""The store when its database fails under an ingest, against real servers and a real full disk:

- the PostgreSQL server killed (``pg_ctl stop -m immediate``) mid-run: a clear error, a non-zero exit; after a
  restart the same command finishes, and the store equals a clean run's;
- SQLite on a small tmpfs that fills up mid-run: a one-line error naming the database, a file that passes
  ``PRAGMA integrity_check``, and after space is freed the same command finishes;
- a connection dropped by the server (``pg_terminate_backend``) mid-run: retried, and the run finishes.

Each PostgreSQL test runs its own throwaway server (the one the other tests share is not disturbed).
The ingest input is a `wirewatch export --format jsonl` file of synthetic articles, so the run stores
without extracting (restoring a backup is the same write path as an ingest)."""
from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from synthetic_results import result, snapshot
from wirewatch.readers import read_inputs
from wirewatch.store import Store

ROOT = Path(__file__).resolve().parents[1]
N_ARTICLES = 3000


def _pg_bindir():
    dirs = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    return next((d for d in dirs if (d / "initdb").exists() and (d / "pg_ctl").exists()), None)


class PgServer:
    """A private PostgreSQL cluster in a temp dir, on a free loopback port: started, killed, restarted."""

    def __init__(self):
        self.bindir = _pg_bindir()
        if self.bindir is None:
            pytest.skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin); `make test` installs them")
        self.root = Path(tempfile.mkdtemp(prefix="ww-pgfault-", dir="/tmp"))
        self.data = self.root / "data"
        self.as_pg = []
        if os.geteuid() == 0:                 # the server refuses to run as root
            self.as_pg = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres", "postgres")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self.start()
        import psycopg
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE wirewatch_fault")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/wirewatch_fault"

    def dsn(self, db: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self.as_pg, str(self.bindir / tool), *args], check=True, capture_output=True, cwd="/")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w", "-t", "60", "-o",
                  f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def kill(self) -> None:
        """Stop the server at once, as a crash would (no shutdown checkpoint; recovery runs at the next start)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def close(self) -> None:
        subprocess.run([*self.as_pg, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w",
                        "stop"], capture_output=True, cwd="/")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def pg_server():
    server = PgServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def backup_file(tmp_path_factory):
    """A backup (`wirewatch export --format jsonl`) of N_ARTICLES synthetic articles, and the store a clean
    run makes of it."""
    import random

    rng = random.Random(5)
    results = [result(rng, f"a-{i:05d}", i) for i in range(N_ARTICLES)]
    tmp = tmp_path_factory.mktemp("faults")
    source = Store(f"sqlite:///{tmp / 'source.db'}")
    source.add_many(results)
    path = tmp / "backup.jsonl"
    with open(path, "w") as fh:
        for row in source.backup():
            fh.write(json.dumps(row) + "\n")
    source.close()
    clean = Store(f"sqlite:///{tmp / 'clean.db'}")
    clean.add_many([a.stored for a in read_inputs([str(path)])])
    expected = (clean.counts(), snapshot(clean))
    clean.close()
    return path, expected


def ingest(db: str, path: Path, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("WIREWATCH_DB", None)
    return subprocess.Popen([sys.executable, "-m", "wirewatch.cli", "ingest", str(path), "--db", db,
                             "--write-batch", "50", "--workers", "1", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def wait_for_articles(url: str, proc: subprocess.Popen, at_least: int = 1, timeout: float = 120) -> int:
    """Wait until the running ingest has committed some articles (and is still running)."""
    store = Store(url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"the ingest ended before the fault: {proc.communicate()}"
            try:
                n = store.counts()["articles"]
            except Exception:
                n = 0
            if n >= at_least:
                return n
            time.sleep(0.05)
    finally:
        store.close()
    raise AssertionError("the ingest stored nothing in time")


def assert_same_as_clean(url: str, expected) -> None:
    store = Store(url)
    try:
        assert (store.counts(), snapshot(store)) == expected
    finally:
        store.close()


def test_postgresql_killed_mid_ingest_then_a_rerun_finishes(pg_server, backup_file):
    path, expected = backup_file
    proc = ingest(pg_server.url, path)
    stored = wait_for_articles(pg_server.url, proc)
    pg_server.kill()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    last = err.strip().splitlines()[-1]
    assert last.startswith("wirewatch: error: database postgresql://postgres@127.0.0.1"), err[-2000:]
    assert "Traceback" not in err
    assert 0 < stored < N_ARTICLES
    pg_server.start()
    rerun = ingest(pg_server.url, path)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err[-2000:]
    assert "unchanged (already stored)" in err and " 0 unchanged" not in err     # the first run's work kept
    assert_same_as_clean(pg_server.url, expected)


def test_postgresql_dropping_the_connection_is_retried(pg_server, backup_file):
    import psycopg

    path, expected = backup_file
    proc = ingest(pg_server.url, path)
    wait_for_articles(pg_server.url, proc)
    killed = 0
    with psycopg.connect(pg_server.dsn("postgres"), autocommit=True) as conn:
        for _ in range(3):             # drop the ingest's connections three times, a moment apart
            killed += sum(1 for (ok,) in conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = 'wirewatch_fault' AND pid <> pg_backend_pid()") if ok)
            time.sleep(0.3)
    out, err = proc.communicate(timeout=300)
    assert killed >= 1
    assert proc.returncode == 0, err[-2000:]
    assert_same_as_clean(pg_server.url, expected)


@pytest.fixture
def small_disk():
    """A 2 MB tmpfs (root only), grown to 256 MB by calling the function this yields."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root (CI runs `make test` as root)")
    where = Path(tempfile.mkdtemp(prefix="ww-full-", dir="/tmp"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(where)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")

    def grow():
        subprocess.run(["mount", "-o", "remount,size=256m", str(where)], check=True)

    yield where, grow
    subprocess.run(["umount", str(where)], capture_output=True)
    shutil.rmtree(where, ignore_errors=True)


def test_sqlite_disk_full_mid_ingest_then_a_rerun_finishes(small_disk, backup_file):
    where, grow = small_disk
    path, expected = backup_file
    db = where / "full.db"
    url = f"sqlite:///{db}"
    proc = ingest(url, path)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1
    lines = [ln for ln in err.strip().splitlines() if "error" in ln]
    assert lines and lines[-1] == f"wirewatch: error: database {url}: database or disk is full", err[-2000:]
    assert "Traceback" not in err
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert 0 < stored < N_ARTICLES
    grow()
    rerun = ingest(url, path)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err[-2000:]
    assert_same_as_clean(url, expected)
