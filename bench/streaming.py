"""Memory stays flat however large the input: peak RSS of `wirewatch extract` and `wirewatch ingest`
on JSON Lines inputs of growing size.

What it measures
----------------
1. The reader alone: ``wirewatch.readers.read_inputs`` over a generated JSON Lines file of
   ``--reader-mib`` MiB (default 1024, i.e. a 1 GB file; articles of ~3 KB), counting articles;
   prints seconds, MiB/s and the peak RSS of the reading process.
2. ``wirewatch extract FILE -f jsonl -o /dev/null`` and ``wirewatch ingest FILE --db sqlite:///...``
   as subprocesses on JSON Lines files of N and 4N articles (default N = 100; copies of the bundled
   examples under distinct ids), default worker count; prints the peak of the summed RSS of the
   command's process tree (sampled every 50 ms with psutil) for each size. Flat memory means the
   4N figure is close to the N figure.

How to run (from the repository root)::

    .venv/bin/python bench/streaming.py                  # 1 GB reader pass, 100 and 400 articles
    .venv/bin/python bench/streaming.py --reader-mib 64 --articles 40
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def example_articles() -> list[dict]:
    sys.path.insert(0, str(ROOT / "src"))
    from wirewatch.readers import read_inputs
    from wirewatch.records import Article

    return [{"date": a.date, "text": a.text, "title": a.title} for a in read_inputs([str(EXAMPLES)])
            if isinstance(a, Article)]


def write_jsonl(path: Path, n: int, base: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({"id": f"a{i:07d}", **base[i % len(base)]}) + "\n")


def reader_pass(path: Path) -> None:
    """Child mode: read every article of ``path``; print count, seconds and peak RSS as JSON."""
    sys.path.insert(0, str(ROOT / "src"))
    from wirewatch.readers import read_inputs

    t0 = time.perf_counter()
    n = sum(1 for _ in read_inputs([str(path)]))
    print(json.dumps({"articles": n, "seconds": time.perf_counter() - t0,
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def tree_peak_rss(cmd: list[str]) -> tuple[float, float, int]:
    """Run ``cmd``; (peak summed RSS of its process tree in MiB, seconds, exit code)."""
    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    root = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        total = 0
        try:
            for p in [root, *root.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
        except psutil.Error:
            pass
        peak = max(peak, total)
        time.sleep(0.05)
    return peak / 2**20, time.perf_counter() - t0, proc.returncode


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reader-mib", type=int, default=1024, help="size of the reader-only file (MiB)")
    ap.add_argument("--articles", type=int, default=100, help="N: extract/ingest run on N and 4N articles")
    ap.add_argument("--reader-child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.reader_child:
        reader_pass(Path(args.reader_child))
        return 0

    base = example_articles()
    exe = str(Path(sys.executable).with_name("wirewatch"))
    with tempfile.TemporaryDirectory(prefix="wirewatch-stream-") as tmp:
        tmp = Path(tmp)
        big = tmp / "big.jsonl"
        per = len(json.dumps({"id": "a0000000", **base[0]})) + 1
        n_big = max(1, args.reader_mib * 2**20 // per)
        write_jsonl(big, n_big, base)
        size = big.stat().st_size / 2**20
        out = subprocess.run([sys.executable, __file__, "--reader-child", str(big)], capture_output=True,
                             text=True, check=True)
        r = json.loads(out.stdout)
        big.unlink()
        print(f"reader: {r['articles']} articles, {size:.0f} MiB in {r['seconds']:.1f} s "
              f"({size / r['seconds']:.0f} MiB/s), peak RSS {r['peak_rss_mib']:.1f} MiB")
        for n in (args.articles, 4 * args.articles):
            src = tmp / f"corpus-{n}.jsonl"
            write_jsonl(src, n, base)
            for name, cmd in (("extract", [exe, "extract", str(src), "-f", "jsonl", "-o", os.devnull]),
                              ("ingest", [exe, "ingest", str(src), "--db", f"sqlite:///{tmp}/s{n}.db"])):
                peak, secs, rc = tree_peak_rss(cmd)
                print(f"{name} {n:>6} articles: peak RSS {peak:7.1f} MiB (process tree), {secs:6.1f} s, "
                      f"{n / secs:5.1f} articles/s, exit {rc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
