"""Load and attack test of the REST API: requests/s and latency of ``GET /api/events`` and
``POST /api/articles`` under concurrent clients, with hostile requests mixed in.

What it does
------------
1. Builds a store: ``wirewatch ingest examples --db sqlite:///TMP/api-load.db`` in a subprocess, into a
   temporary directory (skipped with ``--db URL`` to load an existing store instead; that store is only read).
2. Starts the server in a subprocess, ``wirewatch serve`` (uvicorn, one worker), on 127.0.0.1 and a free port,
   with a random WIREWATCH_TOKEN (read-only with ``--read-only``), and waits until ``/api/health`` answers.
3. Sends a few warm-up requests, then runs ``--concurrency`` (default 8) asyncio workers sharing one
   ``httpx.AsyncClient`` for ``--duration`` seconds (default 15). Each worker sends one request at a time,
   cycling through a mix of ``/api/events`` queries: the default first page, small pages at offsets, and
   the since/until, country, type, actor and text filters (``--plain`` sends only ``/api/events``).
   Every ``--post-every`` (default 10) request is a ``POST /api/articles`` with the token: an example article
   under a new id, extracted, stored and linked while the reads go on. Every ``--attack-every`` (default 7)
   request is hostile and must be refused or answered harmlessly: a 9 MiB body (expects 413), a wrong
   token (401), an SQL injection in a filter (200 and the table intact), a page size past the cap (422),
   a body that is not JSON (422). A hostile request answered as expected is not an error.
   Requests still in flight at the deadline are completed and counted.
4. Prints requests, seconds, requests/s, p50 and p99 latency in milliseconds (nearest-rank percentiles of
   the successful requests), the error count (non-200 answers, timeouts, connection errors) and a sample of
   the first errors; then stops the server (SIGTERM, SIGKILL after 10 s) and removes the temporary store.

Everything stays on the loopback interface: the server binds 127.0.0.1 only and the client ignores proxy
settings from the environment (``trust_env=False``). Nothing is written to the repository.

The figures include the client's own cost, since client and server share the machine (and its CPUs);
uvicorn runs a single process, so requests/s mostly measures one Python worker with SQLite.

Usage (from the repository root)::

    .venv/bin/python bench/api_load.py                   # 15 s, 8 concurrent clients, examples/ corpus
    .venv/bin/python bench/api_load.py --duration 5 --concurrency 16
    .venv/bin/python bench/api_load.py --db sqlite:///wirewatch.db --plain

The exit status is 0 when every request succeeded, 1 when some failed, 2 when the store or the server could
not be set up.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
QUERIES = [
    "/api/events",
    "/api/events?limit=10&offset=0",
    "/api/events?limit=5&offset=5",
    "/api/events?since=2024-01-01&until=2025-12-31",
    "/api/events?country=Ukraine",
    "/api/events?type=Battles",
    "/api/events?actor=army",
    "/api/events?text=killed",
]


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "wirewatch.cli", *args]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def ingest(corpus: Path, db: str) -> None:
    print(f"ingesting {corpus} into {db} ...", file=sys.stderr)
    t0 = time.perf_counter()
    proc = subprocess.run(cli("ingest", str(corpus), "--db", db), capture_output=True, text=True, timeout=1800)
    # 1 means some inputs failed and the rest were stored; anything else is a real failure
    if proc.returncode not in (0, 1):
        sys.exit(f"ingest failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    summary = [line for line in proc.stderr.splitlines() if line.startswith("ingested:")]
    print(f"{summary[-1] if summary else proc.stderr.strip()[-500:]} ({time.perf_counter() - t0:.1f} s)",
          file=sys.stderr)


def start_server(db: str, port: int, log, token: str | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "WIREWATCH_TOKEN"}
    if token:
        env["WIREWATCH_TOKEN"] = token
    return subprocess.Popen(cli("serve", "--db", db, "--host", HOST, "--port", str(port)), env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_ready(base: str, server: subprocess.Popen, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base, trust_env=False, timeout=5) as c:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(f"the server exited with status {server.returncode}")
            try:
                r = c.get("/api/health")
                if r.status_code == 200:
                    return r.json()
            except httpx.TransportError:
                pass
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer /api/health within {timeout:.0f} s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * p // 100))      # ceil(n * p / 100), at least 1
    return sorted_values[int(rank) - 1]


ATTACKS = [
    # (name, method, path, body, expected status)
    ("oversized body", "POST", "/api/articles", b'{"text": "' + b"x" * (9 * 1024 * 1024) + b'"}', 413),
    ("wrong token", "POST", "/api/articles", b'{"text": "Drones struck Kharkiv."}', 401),
    ("sql injection", "GET", "/api/events?country=%27%3B%20DROP%20TABLE%20events%3B%20--", None, 200),
    ("page past the cap", "GET", "/api/events?limit=100000", None, 422),
    ("not json", "POST", "/api/articles", b"<html>not json</html>", 422),
]


def example_texts(corpus: Path) -> list[str]:
    sys.path.insert(0, str(ROOT / "src"))
    from wirewatch.readers import read_inputs
    from wirewatch.records import Article

    return [a.text for a in read_inputs([str(corpus)]) if isinstance(a, Article)]


async def load(base: str, concurrency: int, duration: float, queries: list[str], token: str | None = None,
               texts: list[str] = (), post_every: int = 0, attack_every: int = 0) -> dict:
    stats: dict[str, dict] = {}
    errors: list[str] = []
    cycle = itertools.cycle(queries)
    counter = itertools.count(1)
    posted = itertools.count()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    def record(kind: str, elapsed: float) -> None:
        stats.setdefault(kind, {"latencies": []})["latencies"].append(elapsed)

    async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=60, limits=limits) as client:
        for q in queries:                                   # warm-up, not timed
            await client.get(q)
        if post_every and token and texts:                  # the first POST loads the spaCy pipeline
            await client.post("/api/articles", json={"id": "load-warm-up", "text": texts[0], "date": "2025-03-14"},
                              headers={"Authorization": f"Bearer {token}"})

        def next_request():
            n = next(counter)
            if attack_every and n % attack_every == 0:
                name, method, path, body, expect = ATTACKS[(n // attack_every) % len(ATTACKS)]
                headers = {"Authorization": "Bearer wrong-token" if name == "wrong token" else f"Bearer {token}",
                           "Content-Type": "application/json"}
                return f"attack: {name}", method, path, body, headers, expect
            if post_every and token and texts and n % post_every == 0:
                i = next(posted)
                text = texts[i % len(texts)]
                body = json.dumps({"id": f"load-{i}", "text": text + f"\n\n(load test copy {i})",
                                   "date": "2025-03-14"}).encode()
                return ("POST /api/articles", "POST", "/api/articles", body,
                        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}, 201)
            return "GET /api/events", "GET", next(cycle), None, {}, 200

        async def worker(deadline: float) -> None:
            while time.perf_counter() < deadline:
                kind, method, path, body, headers, expect = next_request()
                t0 = time.perf_counter()
                try:
                    r = await client.request(method, path, content=body, headers=headers)
                    await r.aread()
                except httpx.HTTPError as e:
                    errors.append(f"{kind} {path[:80]}: {type(e).__name__}: {e}")
                    continue
                elapsed = time.perf_counter() - t0
                if r.status_code == expect:
                    record(kind, elapsed)
                else:
                    errors.append(f"{kind} {path[:80]}: HTTP {r.status_code} (expected {expect}) {r.text[:200]}")

        start = time.perf_counter()
        await asyncio.gather(*(worker(start + duration) for _ in range(concurrency)))
        wall = time.perf_counter() - start
        tables = (await client.get("/api/health")).json()["counts"]
    return {"stats": stats, "errors": errors, "wall": wall, "counts_after": tables}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=float, default=15.0, help="seconds of load (default 15)")
    ap.add_argument("--concurrency", type=int, default=8, help="concurrent clients (default 8)")
    ap.add_argument("--corpus", default=str(ROOT / "examples"), help="articles to ingest (default examples/)")
    ap.add_argument("--db", help="use this existing store instead of ingesting the corpus into a temporary one")
    ap.add_argument("--plain", action="store_true", help="send only GET /api/events (no paging, filters, "
                    "posts or attacks)")
    ap.add_argument("--post-every", type=int, default=10, metavar="N",
                    help="every Nth request is a POST /api/articles (default 10; 0: none)")
    ap.add_argument("--attack-every", type=int, default=7, metavar="N",
                    help="every Nth request is a hostile one (default 7; 0: none)")
    args = ap.parse_args(argv)
    if not 0 < args.duration <= 600:
        ap.error("--duration must be in (0, 600] seconds")
    if not 1 <= args.concurrency <= 256:
        ap.error("--concurrency must be between 1 and 256")

    tmp = Path(tempfile.mkdtemp(prefix="wirewatch-api-load-"))
    server = log = None
    try:
        db = args.db or f"sqlite:///{tmp / 'api-load.db'}"
        if not args.db:
            ingest(Path(args.corpus), db)
        port = free_port()
        base = f"http://{HOST}:{port}"
        log = open(tmp / "server.log", "wb")
        token = None if args.plain or not args.post_every and not args.attack_every else secrets.token_hex(16)
        server = start_server(db, port, log, token)
        try:
            health = wait_ready(base, server)
        except RuntimeError as e:
            log.flush()
            print(f"{e}\n{(tmp / 'server.log').read_text(errors='replace')[-3000:]}", file=sys.stderr)
            return 2
        counts = health["counts"]
        print(f"server {base} (pid {server.pid}): {counts['articles']} articles, {counts['events']} events",
              file=sys.stderr)
        queries = ["/api/events"] if args.plain else QUERIES
        print(f"load: {args.concurrency} concurrent clients for {args.duration:g} s over {len(queries)} "
              f"/api/events quer{'y' if len(queries) == 1 else 'ies'} ...", file=sys.stderr)
        texts = example_texts(Path(args.corpus)) if token else []
        res = asyncio.run(load(base, args.concurrency, args.duration, queries, token, texts,
                               0 if args.plain else args.post_every, 0 if args.plain else args.attack_every))
    finally:
        if server is not None:
            stop_server(server)
        if log is not None:
            log.close()
        shutil.rmtree(tmp, ignore_errors=True)

    n = sum(len(v["latencies"]) for v in res["stats"].values()) + len(res["errors"])
    print(f"requests:   {n} in {res['wall']:.1f} s ({args.concurrency} concurrent)")
    print(f"{'kind':<34} {'count':>6} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for kind in sorted(res["stats"]):
        lat = sorted(res["stats"][kind]["latencies"])
        print(f"{kind:<34} {len(lat):>6} {len(lat) / res['wall']:>7.1f} {percentile(lat, 50) * 1000:>8.1f} "
              f"{percentile(lat, 99) * 1000:>8.1f}")
    after = res["counts_after"]
    print(f"store after the run: {after['articles']} articles, {after['events']} events (tables intact)")
    lat = sorted(x for v in res["stats"].values() for x in v["latencies"])
    print(f"requests/s: {n / res['wall']:.1f}")
    print(f"p50 ms:     {percentile(lat, 50) * 1000:.1f}")
    print(f"p99 ms:     {percentile(lat, 99) * 1000:.1f}")
    print(f"errors:     {len(res['errors'])}")
    for e in res["errors"][:5]:
        print(f"  {e}")
    return 1 if res["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
