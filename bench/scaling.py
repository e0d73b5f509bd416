"""How extraction on a Dask cluster scales from 1 to 2 workers.

What it measures
----------------
The corpus is built as ``bench/throughput.py`` builds it (its ``build_corpus``: every
article of ``examples/`` repeated and shuffled with a fixed seed up to N articles, default
400, each copy under its own id) and written to one JSON Lines file in a temporary
directory. Then, for 1 worker and then for 2 workers, a fresh local cluster is started
(``wirewatch.distributed.start_client``: single-threaded worker processes) and:

1. a warm-up partition (the first 8 articles of the corpus) runs on every worker
   (``wirewatch.distributed.warm_up``), so loading the spaCy pipeline, the gazetteer index
   and the lexicons in each worker process is NOT timed, nor is starting the cluster;
2. ``extract_to_parquet`` runs over the whole JSON Lines file (default partition size 32)
   into a fresh output directory, timed with a wall clock. The time includes everything
   the engine does: the client reading and parsing the file, submitting partitions,
   extraction on the workers, records travelling back, and the client writing Parquet.

It prints articles/s for each run, the speed-up (2-worker rate / 1-worker rate) and the
parallel efficiency (speed-up / 2), ending with the lines::

    1 worker: X articles/s
    2 workers: Y articles/s
    parallel efficiency: Z

Caveats: the client (reading, scheduling, Parquet writing) and the Dask scheduler run in
this process and share the machine's cores with the workers, so on a 2-core machine two
workers cannot reach an efficiency of 1. The last partition(s) of a run can leave a worker
idle (N / partition size partitions over the workers). The corpus repeats a handful of
articles, so look-up caches are warm after the first copy of each (as in throughput.py).
Other programs busy on the machine during a run skew it: the "other load" column (cores
used on average by processes outside this benchmark, from the machine's CPU counters)
shows it, and a warning is printed when it exceeds 0.2.

How to run (from the repository root)::

    .venv/bin/python bench/scaling.py                   # 400 articles
    .venv/bin/python bench/scaling.py --articles 2000 --partition-size 16

The spaCy pipeline and cache directory follow wirewatch's usual settings
(``WIREWATCH_SPACY_MODEL``, ``WIREWATCH_CACHE_DIR``, ``$WIREWATCH_CONFIG``).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ARTICLES = 400
WARMUP_ARTICLES = 8


def _throughput():
    """bench/throughput.py as a module (its corpus builder is reused here)."""
    spec = importlib.util.spec_from_file_location("wirewatch_bench_throughput", ROOT / "bench" / "throughput.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _cpu_seconds() -> float:
    """CPU time of this process (the client and the local scheduler), user + system."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _machine_busy_and_ours() -> tuple[float, float]:
    """(CPU seconds the whole machine has been busy, CPU seconds of this process and its children -- the
    local cluster's workers) so far; their difference over a run is what other programs used."""
    import psutil

    t = psutil.cpu_times()
    busy = t.user + t.system + getattr(t, "nice", 0) + getattr(t, "irq", 0) + getattr(t, "softirq", 0)
    ours = 0.0
    me = psutil.Process()
    for p in [me, *me.children(recursive=True)]:
        try:
            c = p.cpu_times()
            ours += c.user + c.system
        except psutil.Error:
            pass
    return busy, ours


def write_corpus(path: Path, corpus) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for a in corpus:
            fh.write(json.dumps({"id": a.id, "date": a.date, "title": a.title, "source": a.source, "url": a.url,
                                 "text": a.text}) + "\n")


def run(workers: int, feed: Path, out: Path, corpus, partition_size: int) -> dict:
    from wirewatch.distributed import extract_to_parquet, start_client, warm_up
    from wirewatch.settings import Settings

    settings = Settings.load()
    with start_client(workers=workers) as client:
        ready = warm_up(client, settings, corpus[:WARMUP_ARTICLES])
        if ready != workers:
            raise SystemExit(f"{workers} worker(s) asked for, {ready} came up")
        cpu0, busy0, t0 = _cpu_seconds(), _machine_busy_and_ours(), time.perf_counter()
        summary = extract_to_parquet([str(feed)], out, settings=settings, client=client,
                                     partition_size=partition_size)
        seconds = time.perf_counter() - t0
        client_cpu = _cpu_seconds() - cpu0
        busy1 = _machine_busy_and_ours()
        other = max(0.0, (busy1[0] - busy0[0]) - (busy1[1] - busy0[1])) / seconds
    if summary.failures or summary.articles != len(corpus):
        raise SystemExit(f"{workers} worker(s): {summary.articles} articles extracted, {summary.failures} failed")
    return {"workers": workers, "seconds": seconds, "articles": summary.articles, "records": summary.records,
            "partitions": summary.partitions, "client_cpu": client_cpu, "other_load": other}


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Articles/s of `extract_to_parquet` on a local Dask cluster of "
                                             "1 and 2 workers, the speed-up and the parallel efficiency.")
    ap.add_argument("--articles", type=int, default=DEFAULT_ARTICLES, metavar="N",
                    help=f"corpus size (default {DEFAULT_ARTICLES})")
    ap.add_argument("--partition-size", type=int, default=32, metavar="N", help="articles per task (default 32)")
    args = ap.parse_args(argv)
    if args.articles < 1 or args.partition_size < 1:
        ap.error("--articles and --partition-size must be at least 1")

    tp = _throughput()
    tp._import_wirewatch()
    corpus, distinct, skipped = tp.build_corpus(args.articles)
    with tempfile.TemporaryDirectory(prefix="wirewatch-scaling-") as tmp:
        feed = Path(tmp) / "corpus.jsonl"
        write_corpus(feed, corpus)
        results = [run(w, feed, Path(tmp) / f"out-{w}", corpus, args.partition_size) for w in (1, 2)]
    if results[0]["records"] != results[1]["records"]:
        raise SystemExit("the two runs extracted different numbers of records")

    skipped_note = f", {skipped} unreadable skipped" if skipped else ""
    print(f"wirewatch scaling: {len(corpus)} articles ({distinct} distinct from examples/{skipped_note}, "
          f"seed {tp.SEED}), partition size {args.partition_size}, "
          f"{results[0]['partitions']} partitions, {results[0]['records']} records")
    print()
    header = f"{'workers':>7} {'seconds':>8} {'articles/s':>10} {'client CPU s':>12} {'other load':>10}"
    print(header)
    print("-" * len(header))
    for r in results:
        print(f"{r['workers']:>7} {r['seconds']:>8.2f} {r['articles'] / r['seconds']:>10.1f} "
              f"{r['client_cpu']:>12.2f} {r['other_load']:>10.2f}")
    print(f"client CPU s: CPU time of this process (reading, scheduling, Parquet writing) during the run; "
          f"other load: cores used on average by other programs during the run ({_cores()} core(s) here)")
    if max(r["other_load"] for r in results) > 0.2:
        print("warning: other programs were busy during a run; the figures are not a clean measurement")
    print()
    one, two = (r["articles"] / r["seconds"] for r in results)
    speedup = two / one
    print(f"speed-up: {speedup:.2f}")
    print(f"1 worker: {one:.1f} articles/s")
    print(f"2 workers: {two:.1f} articles/s")
    print(f"parallel efficiency: {speedup / 2:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
