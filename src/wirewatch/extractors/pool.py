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
import signal
import threading
import time
from collections import deque
from contextlib import contextmanager
from concurrent.futures import Future, ProcessPoolExecutor
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
        from ..readers import one_line
        return one_line(f"{self.article.origin or self.article.id}: {self.error}")


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
        ex.event_model  # noqa: B018 -- and the event-typing model (a bad --model fails here, once)
    return ex


def exception_line(e: BaseException) -> str:
    """An exception as one short line: 'TypeError: message' (whitespace folded, 300 characters)."""
    msg = " ".join(str(e).split())[:300]
    return f"{type(e).__name__}: {msg}" if msg else type(e).__name__


def _failure(article: Article, e: BaseException) -> ExtractionFailure:
    if isinstance(e, OverBudget):
        return ExtractionFailure(article, f"extraction {' '.join(str(e).split())}")
    return ExtractionFailure(article, f"extraction failed ({exception_line(e)})")


class OverBudget(BaseException):
    """An article took longer than ``Settings.article_time_budget``. A BaseException (like
    KeyboardInterrupt), so that no ``except Exception`` on the way (spaCy's, dateparser's) swallows it."""


@contextmanager
def time_budget(seconds: float):
    """Raise OverBudget in this thread after ``seconds`` (a SIGALRM timer: only in the main thread of
    a process on POSIX; elsewhere, and for ``seconds <= 0``, no limit)."""
    usable = seconds and seconds > 0 and hasattr(signal, "setitimer") \
        and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    message = f"took longer than the time budget of {seconds:g} s (article_time_budget)"
    fired = []

    deadline = time.monotonic() + seconds

    def expire(signum, frame):
        if time.monotonic() < deadline - 0.001:
            return              # a late tick of an earlier budget's timer: not this article's
        fired.append(True)
        raise OverBudget(message)

    previous = signal.signal(signal.SIGALRM, expire)
    # after the first expiry, again every 0.1 s: a raise can be swallowed on its way (it may land in a
    # finaliser, where Python only prints "Exception ignored"), the next one gets through
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.1)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if fired:                   # every raise was swallowed and the work ended anyway: still over budget
        raise OverBudget(message)


def too_large(article: Article, settings: Settings) -> Optional[str]:
    """Why an article is refused before parsing (None if it is not)."""
    n = len(article.text) if isinstance(article.text, str) else 0
    if settings.max_article_chars and n > settings.max_article_chars:
        return (f"article too large: {n:,} characters, over the limit of {settings.max_article_chars:,} "
                f"(max_article_chars)")
    return None


def extract_chunk(settings: Settings, articles: list[Article]) -> list[Outcome]:
    """Records of each article of a chunk, in order. An article over the size limit, over the time
    budget, or whose extraction raises becomes a failure; the others keep their records."""
    ex = _extractor(settings)
    refused = {i: too_large(a, settings) for i, a in enumerate(articles)}
    stored = {i: a.stored for i, a in enumerate(articles) if a.stored is not None and not refused[i]}
    ok = [a for i, a in enumerate(articles) if not refused[i] and i not in stored]
    results: Optional[list] = None
    try:
        with time_budget(settings.article_time_budget):    # a chunk is at most ~one long article's work
            results = list(ex.extract_many(ok))
    except (Exception, OverBudget):     # find the article, one at a time
        results = None
    if results is None:
        results = []
        for a in ok:
            try:
                with time_budget(settings.article_time_budget):
                    results.append(ex.extract(a))
            except (Exception, OverBudget) as e:  # one bad article must not stop the batch
                results.append(_failure(a, e))
    done = iter(results)
    return [ExtractionFailure(a, refused[i]) if refused[i] else stored[i] if i in stored else next(done)
            for i, a in enumerate(articles)]


CHUNK_CHARS = 100_000     # a chunk holds at most batch_size articles and about this much text


def _chunks(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    chunk: list[Article] = []
    chars = 0
    for a in articles:
        n = len(a.text) if isinstance(a.text, str) else 0
        if chunk and chars + n > CHUNK_CHARS:
            yield chunk
            chunk, chars = [], 0
        chunk.append(a)
        chars += n
        if len(chunk) >= size:
            yield chunk
            chunk, chars = [], 0
    if chunk:
        yield chunk


def _die_with_parent(parent: int) -> None:
    """Worker initialiser: on Linux, ask the kernel to kill this worker when its parent dies (a killed
    `wirewatch ingest` must not leave orphan workers holding the model in memory)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)           # PR_SET_PDEATHSIG
        if os.getppid() != parent:              # the parent died before the call
            os._exit(1)
    except (OSError, AttributeError):
        pass


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
            self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=_context(),
                                            initializer=_die_with_parent, initargs=(os.getpid(),))
        try:
            return self.pool.submit(extract_chunk, self.settings, chunk)
        except BrokenProcessPool as e:      # a worker died since the last submit: handled like its batch
            failed: Future = Future()
            failed.set_exception(e)
            return failed

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
