"""Extraction over many articles: batched, in worker processes, streamed in input order.

``extract_stream(items, settings, workers)`` is what ``wirewatch extract`` and
``wirewatch ingest`` run. Articles are grouped into chunks of ``settings.batch_size``;
each chunk is parsed with one ``nlp.pipe`` call and turned into records by the
worker that parsed it, so only small record objects cross process boundaries
(never spaCy documents). At most ``2 x workers`` chunks are in flight: the input is
read lazily as results are consumed, so memory stays flat however long the input.

One article that raises becomes an ``ExtractionFailure`` (its chunk is re-run one
article at a time to find which); the stream goes on. ``workers=1`` runs in the
calling process with exactly the same chunk function, so the records are the same
whatever the number of workers.

Workers are forked where the platform allows it (Linux): a pipeline already loaded
in the parent is shared copy-on-write instead of loaded again.
"""
from __future__ import annotations

import multiprocessing
import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional, Union

from ..records import Article, ArticleResult
from ..settings import Settings


@dataclass
class ExtractionFailure:
    """An article whose extraction raised; ``error`` is one line."""

    article: Article
    error: str

    @property
    def message(self) -> str:
        return f"{self.article.origin or self.article.id}: {self.error}"


Outcome = Union[ArticleResult, ExtractionFailure]


def default_workers() -> int:
    """One worker per CPU core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


_WORKER: dict = {}


def _extractor(settings: Settings):
    """The extractor of this process for ``settings`` (loaded once per process)."""
    from . import Extractor

    ex = _WORKER.get(settings)
    if ex is None:
        ex = _WORKER[settings] = Extractor(settings)
        ex.nlp  # noqa: B018 -- load the pipeline now, not inside the first chunk
    return ex


def _failure(article: Article, e: BaseException) -> ExtractionFailure:
    msg = " ".join(str(e).split())[:300]
    return ExtractionFailure(article, f"extraction failed ({type(e).__name__}: {msg})")


def extract_chunk(settings: Settings, articles: list[Article]) -> list[Outcome]:
    """Records of each article of a chunk, in order; an article that raises becomes a failure."""
    ex = _extractor(settings)
    try:
        return list(ex.extract_many(articles))
    except Exception:
        pass
    out: list[Outcome] = []
    for a in articles:          # find the article that raised; the others keep their records
        try:
            out.append(ex.extract(a))
        except Exception as e:  # one bad article must not stop the batch
            out.append(_failure(a, e))
    return out


def _chunks(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    chunk: list[Article] = []
    for a in articles:
        chunk.append(a)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def extract_stream(articles: Iterable[Article], settings: Optional[Settings] = None,
                   workers: Optional[int] = None) -> Iterator[Outcome]:
    """Records (or a failure) for every article, in input order; ``workers`` processes
    (default: ``settings.n_process``, 0 = one per CPU core)."""
    settings = settings or Settings.load()
    if workers is None:
        workers = settings.n_process
    workers = workers if workers and workers > 0 else default_workers()
    size = max(1, settings.batch_size)
    if workers == 1:
        for chunk in _chunks(articles, size):
            yield from extract_chunk(settings, chunk)
        return
    _extractor(settings)        # load once here: forked workers share it
    yield from _PoolRun(settings, workers).run(_chunks(articles, size))


class _PoolRun:
    """Chunks through a process pool, in order, at most ``2 x workers`` in flight. When a worker
    dies (killed, out of memory) every chunk in flight is lost with the pool: each is run again
    alone in a fresh pool, and one that kills its worker again alone has its articles recorded
    as failures; the run goes on."""

    def __init__(self, settings: Settings, workers: int):
        self.settings, self.workers = settings, workers
        self.pool: Optional[ProcessPoolExecutor] = None

    def _submit(self, chunk: list[Article]):
        if self.pool is None:
            self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=_context())
        return self.pool.submit(extract_chunk, self.settings, chunk)

    def _reset(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = None

    def run(self, chunks: Iterator[list[Article]]) -> Iterator[Outcome]:
        pending: deque = deque()        # (chunk, future), in input order
        try:
            for chunk in chunks:
                pending.append((chunk, self._submit(chunk)))
                while len(pending) >= 2 * self.workers:
                    yield from self._next(pending)
            while pending:
                yield from self._next(pending)
        finally:
            self._reset()

    def _next(self, pending: deque) -> Iterator[Outcome]:
        chunk, future = pending.popleft()
        try:
            yield from future.result()
            return
        except BrokenProcessPool:
            pass
        suspects = [chunk] + [c for c, _ in pending]
        pending.clear()
        self._reset()
        for c in suspects:              # one at a time: the chunk that kills its worker alone is the culprit
            try:
                outcomes = self._submit(c).result()
            except BrokenProcessPool as e:
                self._reset()
                outcomes = [_failure(a, RuntimeError(f"the worker process died on this batch ({e})")) for a in c]
            yield from outcomes
