"""Throughput and peak memory of wirewatch extraction next to a bare spaCy pass.

What it measures
----------------
A corpus of N articles (default 500) is built from every article of the bundled
sample corpus in ``examples/`` (read with ``wirewatch.readers.read_inputs``;
unreadable items are skipped), repeated and shuffled with a fixed seed, each copy
under its own id. Two phases then run over exactly the same texts (the article
text with its ``date YYYY-MM-DD`` header blanked, as ``Extractor.extract_many``
feeds it to spaCy), with the same batch size:

- ``nlp.pipe``: ``list(ex.nlp.pipe(texts, batch_size=B))`` -- the full spaCy
  pipeline wirewatch loads (wirewatch's sentence segmenter included), nothing else;
- ``extract, rules only``: wirewatch extraction with the event-typing model off
  (``--model none``): the trigger rules alone;
- ``wirewatch extract``: ``list(ex.extract_many(articles))`` -- the same pipeline
  plus everything wirewatch does with each parsed document, the event-typing model
  included (the default model, or ``$WIREWATCH_MODEL``).

The last two phases also report CPU seconds per article (user + system time of the
process and its workers), and the report ends with the classifier's cost: how much
CPU time per article the model adds to the rules alone.

Each phase runs in its own fresh interpreter (this script re-invoked with a hidden
``--phase`` flag), one after the other, and does a small warm-up run first, so
model loading and the gazetteer index open are not timed. If the gazetteer index
is not built yet, a separate preparation process builds it before either phase,
so its build cost counts in neither time nor memory.

Reported per phase: articles, total words (whitespace-separated, date header
excluded), wall-clock seconds, articles/s, words/s and the peak resident set
size (``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of that phase's process, KiB
on Linux, shown in MiB; it includes the loaded model, the warm-up and the results
held in memory). The launcher itself never imports spaCy or wirewatch: on Linux
a child inherits its parent's high-water mark at spawn time, so a heavy launcher
would inflate both figures. The output ends with two lines::

    wirewatch: 123.4 articles/s
    ratio to nlp.pipe: 0.45

where the ratio is wirewatch articles/s divided by nlp.pipe articles/s (below 1:
extraction does more than the bare pipeline).

Caveat: the corpus repeats a handful of articles, so look-up caches (gazetteer)
are warm after the first copy of each; throughput on a corpus of distinct
articles may be somewhat lower.

How to run (from the repository root; ``make bench`` does the first)::

    .venv/bin/python bench/throughput.py                   # 500 articles, batch size 16
    .venv/bin/python bench/throughput.py --quick           # 100 articles, a smoke run
    .venv/bin/python bench/throughput.py --articles 2000 --batch-size 32

The spaCy pipeline and cache directory follow wirewatch's usual settings
(``WIREWATCH_SPACY_MODEL``, ``WIREWATCH_CACHE_DIR``, ``$WIREWATCH_CONFIG``).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SEED = 20250314
DEFAULT_ARTICLES = 500
QUICK_ARTICLES = 100
WARMUP_ARTICLES = 8
PHASES = {"pipe": "nlp.pipe", "rules": "extract, rules only", "extract": "wirewatch extract"}


def peak_rss_mib() -> float:
    """This process's RSS high-water mark in MiB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.platform == "darwin":
        kib /= 1024
    return kib / 1024


# --------------------------------------------------------------------------- child side

def _import_wirewatch():
    src = str(ROOT / "src")
    if src not in sys.path:
        sys.path.insert(0, src)   # measure the working tree even outside the venv
    import wirewatch  # noqa: F401


def build_corpus(n: int):
    """The sample corpus, repeated and shuffled (fixed seed) up to ``n`` articles with unique ids."""
    import dataclasses
    import random

    from wirewatch.readers import ReadError, read_inputs

    base, errors = [], []
    for item in read_inputs([str(EXAMPLES)]):
        (errors if isinstance(item, ReadError) else base).append(item)
    if not base:
        raise SystemExit(f"no readable article in {EXAMPLES}: " + "; ".join(e.message for e in errors))
    corpus = [dataclasses.replace(base[i % len(base)], id=f"{base[i % len(base)].id}~{i:05d}",
                                  warnings=list(base[i % len(base)].warnings))
              for i in range(n)]
    random.Random(SEED).shuffle(corpus)
    return corpus, len(base), len(errors)


class RssSampler:
    """Peak of the summed RSS of this process and its children (the extraction workers), sampled
    every 20 ms in a thread. Shared copy-on-write pages of forked workers count once per process,
    so this over-states real memory use a little."""

    def __init__(self, interval: float = 0.02):
        import threading

        import psutil

        self.proc, self.peak, self.interval = psutil.Process(), 0, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        import psutil

        total = 0
        for p in [self.proc, *self.proc.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        self.peak = max(self.peak, total)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        self._sample()
        return self.peak / 2**20


def run_phase(phase: str, n: int, batch_size: int, workers: int = 0) -> dict:
    start_rss = peak_rss_mib()       # the floor inherited from the launcher
    _import_wirewatch()
    import gc
    import time

    from wirewatch.extractors import Extractor
    from wirewatch.settings import Settings

    ex = Extractor(Settings.load(batch_size=batch_size))
    if phase == "prepare":           # build the gazetteer index if missing; nothing measured
        ex.gazetteer.db
        return {}

    corpus, distinct, skipped = build_corpus(n)
    texts = [Extractor.masked(a.text) for a in corpus]
    words = sum(len(t.split()) for t in texts)
    nlp = ex.nlp
    warm = corpus[:WARMUP_ARTICLES]
    records = None
    if phase == "pipe":
        list(nlp.pipe([Extractor.masked(a.text) for a in warm], batch_size=batch_size))
        gc.collect()
        t0 = time.perf_counter()
        out = list(nlp.pipe(texts, batch_size=batch_size))
        seconds = time.perf_counter() - t0
    elif phase in ("extract", "rules"):
        from wirewatch.extractors.pool import ExtractionFailure, _extractor, extract_stream

        from wirewatch.extractors.pool import default_workers

        workers = workers or default_workers()
        settings = Settings.load(batch_size=batch_size, n_process=workers,
                                 event_model="none" if phase == "rules" else None)
        ex = _extractor(settings)    # the one extract_stream uses (forked workers share it)
        ex.gazetteer.db              # open the index (and its in-memory tables) before timing
        list(ex.extract_many(warm))
        model = ex.event_model
        gc.collect()
        sampler = RssSampler()
        cpu0 = _cpu_seconds()
        t0 = time.perf_counter()
        out = list(extract_stream(corpus, settings))
        seconds = time.perf_counter() - t0
        cpu = _cpu_seconds() - cpu0
        tree_peak = sampler.stop()
        failed = [o for o in out if isinstance(o, ExtractionFailure)]
        if failed:
            raise SystemExit(f"{len(failed)} articles failed, e.g. {failed[0].message}")
        records = sum(1 for r in out for _ in r.records())
    else:
        raise SystemExit(f"unknown phase {phase!r}")
    assert len(out) == len(corpus)
    meta = nlp.meta
    if phase == "pipe":
        tree_peak, workers = peak_rss_mib(), 1
    if phase == "pipe":
        cpu, model = None, None
    return {"phase": phase, "articles": len(out), "words": words, "seconds": seconds, "cpu_seconds": cpu,
            "model": None if model is None else f"{len(model.vocabulary)} n-grams, {len(model.labels)} labels",
            "peak_rss_mib": peak_rss_mib(), "tree_peak_mib": tree_peak, "workers": workers,
            "start_rss_mib": start_rss, "distinct": distinct,
            "skipped": skipped, "records": records,
            "pipeline": f"{meta.get('lang', '')}_{meta.get('name', '')} {meta.get('version', '')}",
            "components": list(nlp.pipe_names)}


def _cpu_seconds() -> float:
    """User + system CPU time of this process and of its children that have ended (the pool's workers
    end when the stream does)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


# --------------------------------------------------------------------------- launcher side

def spawn(phase: str, n: int, batch_size: int, workers: int = 0) -> dict:
    """Run one phase in a fresh interpreter and return its figures."""
    fd, path = tempfile.mkstemp(prefix=f"wirewatch-bench-{phase}-", suffix=".json")
    os.close(fd)
    try:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--phase", phase, "--articles", str(n),
               "--batch-size", str(batch_size), "--workers", str(workers), "--result", path]
        proc = subprocess.run(cmd, cwd=ROOT)
        if proc.returncode != 0:
            raise SystemExit(f"phase {phase!r} failed (exit code {proc.returncode})")
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    finally:
        os.unlink(path)


def report(results: list[dict], batch_size: int) -> None:
    pipe, rules, extract = results
    skipped = f", {pipe['skipped']} unreadable skipped" if pipe["skipped"] else ""
    print(f"wirewatch throughput: {pipe['articles']} articles ({pipe['distinct']} distinct from examples/"
          f"{skipped}, shuffled with seed {SEED}), batch size {batch_size}")
    print(f"spaCy pipeline: {pipe['pipeline']} [{', '.join(pipe['components'])}]")
    print()
    header = f"{'phase':<18} {'processes':>9} {'articles':>8} {'words':>9} {'seconds':>8} {'articles/s':>10} " \
             f"{'words/s':>9} {'peak RSS MiB':>12}"
    print(header)
    print("-" * len(header))
    for r in results:
        procs = f"1+{r['workers']}" if r["phase"] != "pipe" and r["workers"] > 1 else "1"
        print(f"{PHASES[r['phase']]:<18} {procs:>9} {r['articles']:>8} {r['words']:>9} {r['seconds']:>8.2f} "
              f"{r['articles'] / r['seconds']:>10.1f} {r['words'] / r['seconds']:>9.0f} {r['tree_peak_mib']:>12.1f}")
    print()
    floor = max(r["start_rss_mib"] for r in results)
    print(f"peak RSS: nlp.pipe: ru_maxrss of its process; wirewatch: peak of the summed RSS of the process and "
          f"its {extract['workers']} worker(s), sampled every 20 ms (model, warm-up of {WARMUP_ARTICLES} articles and "
          f"results held included; floor inherited from the launcher {floor:.1f} MiB)")
    print(f"records extracted: {extract['records']}")
    pipe_rate = pipe["articles"] / pipe["seconds"]
    ww_rate = extract["articles"] / extract["seconds"]
    print(f"event-typing model: {extract['model'] or 'none (make model builds the default one)'}")
    per_rules = rules["cpu_seconds"] / rules["articles"] * 1000
    per_model = extract["cpu_seconds"] / extract["articles"] * 1000
    print(f"CPU time per article: rules only {per_rules:.1f} ms, with the model {per_model:.1f} ms "
          f"(the classifier adds {100 * (per_model / per_rules - 1):+.1f}%)")
    print(f"wirewatch: {ww_rate:.1f} articles/s")
    print(f"ratio to nlp.pipe: {ww_rate / pipe_rate:.2f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Articles/s and peak memory of wirewatch extraction, "
                                             "next to a plain nlp.pipe pass of the same spaCy pipeline.")
    size = ap.add_mutually_exclusive_group()
    size.add_argument("--articles", type=int, default=None, metavar="N",
                      help=f"corpus size (default {DEFAULT_ARTICLES})")
    size.add_argument("--quick", action="store_true", help=f"{QUICK_ARTICLES} articles, for a smoke run")
    ap.add_argument("--batch-size", type=int, default=16, metavar="N", help="nlp.pipe batch size (default 16)")
    ap.add_argument("--workers", type=int, default=0, metavar="N",
                    help="extraction worker processes (default 0: one per CPU core, as `wirewatch extract`)")
    ap.add_argument("--phase", choices=["prepare", *PHASES], help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    n = QUICK_ARTICLES if args.quick else (args.articles if args.articles is not None else DEFAULT_ARTICLES)
    if n < 1 or args.batch_size < 1:
        ap.error("--articles and --batch-size must be at least 1")

    if args.phase:
        result = run_phase(args.phase, n, args.batch_size, args.workers)
        if args.result:
            with open(args.result, "w", encoding="utf-8") as fh:
                json.dump(result, fh)
        return 0

    spawn("prepare", n, args.batch_size)
    results = [spawn(phase, n, args.batch_size, args.workers) for phase in PHASES]
    if len({(r["words"], r["articles"]) for r in results}) != 1:
        raise SystemExit("the two phases did not see the same corpus")
    report(results, args.batch_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
