"""Several writers storing one stream of articles side by side (``ingest --writers N``).

Each writer is a thread with its own database connection, storing batches of ``batch`` articles
(``Store.add_many``: one transaction each). Threads, not processes: a writer spends most of its time
waiting on the database (the driver lets go of the interpreter meanwhile), and the articles need no second
trip through pickle. The work is split so that the store ends exactly as with one writer:

- Linking only ever compares reports of the same event type and country, so the store divides into
  partitions by country (all event types of a country go together: an article about one country stays with
  one writer, and few articles span two). Each country is given to one writer when first seen (the writer
  with the least work so far); each article goes to the writer of its countries.
- The articles touching a partition are stored in input order. Within a writer that is its queue's order.
  An article that spans partitions of two writers (or replaces a stored copy whose reports lie elsewhere, or
  repeats an article key seen earlier in the run) is ordered against the other writer by a dependency: its
  batch waits until the other writer has committed the batches sent before it, and that writer's later
  batches wait for it. Dependencies only point at batches sent earlier, so writers never wait in a cycle.
- The PostgreSQL advisory locks (per article, per event type and country) still guard against other
  processes writing to the same store.

On SQLite the writers take turns (one write transaction at a time): correct, but no faster than one.
"""
from __future__ import annotations

import queue as queue_mod
import threading
from types import SimpleNamespace
from typing import Callable, Optional, Sequence

from ..records import ArticleResult

#: how many batches may wait in a writer's queue before the reader waits (bounds memory)
QUEUE_BATCHES = 4


class WriterError(RuntimeError):
    """A writer failed: the batches committed stay; running the same command again finishes the work."""


def _partitions(result: ArticleResult) -> set:
    return {("country", inc.country or "") for inc in result.incidents}


def _writer(n: int, url: str, tasks, results, committed, cond, failed) -> None:
    """A writer: store each batch (after the batches it depends on are committed), report what it stored,
    count the batch as committed."""
    from . import Store

    store = Store(url)
    try:
        store.engine                     # connected (and the schema checked) before the first batch comes
        results.put(("ready", n, None))
        seq = 0
        while not failed.value:
            try:
                item = tasks.get(timeout=0.5)
            except queue_mod.Empty:
                continue
            if item is None:
                break
            deps, batch = item
            with cond:
                while not failed.value and any(committed[w] < k for w, k in deps.items()):
                    cond.wait(0.5)
            if failed.value:
                break
            added = store.add_many(batch)
            seq += 1
            with cond:
                committed[n] = seq
                cond.notify_all()
            results.put(("added", n, added))
    except BaseException as e:          # reported to the reader, which stops the run
        with cond:
            failed.value = 1
            cond.notify_all()
        from sqlalchemy.exc import SQLAlchemyError

        from . import describe_db_error
        results.put(("error", n, describe_db_error(e) if isinstance(e, SQLAlchemyError) else
                     f"{type(e).__name__}: {' '.join(str(e).split())[:300]}"))
    finally:
        store.close()
        results.put(("done", n, None))


class _Writer:
    """What both writers share: ``add_many``, and use as a context manager (closed at the end)."""

    def add(self, result: ArticleResult) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def add_many(self, results: Sequence[ArticleResult]) -> None:
        for r in results:
            self.add(r)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        return False


class SerialWriter(_Writer):
    """Store ArticleResults in this thread, in batches of ``batch`` articles (one writer)."""

    def __init__(self, store, batch: int = 100, on_added: Optional[Callable] = None):
        self.store, self.batch, self.on_added = store, max(1, batch), on_added
        self.pending: list[ArticleResult] = []

    def add(self, result: ArticleResult) -> None:
        self.pending.append(result)
        if len(self.pending) >= self.batch:
            self._flush()

    def _flush(self) -> None:
        batch, self.pending = self.pending, []
        for a in self.store.add_many(batch):
            if self.on_added:
                self.on_added(a)

    def close(self) -> None:
        self._flush()


def open_writer(store, writers: int = 1, batch: int = 100, on_added: Optional[Callable] = None):
    """A writer for a stream of ArticleResults (``add``, then ``close``, or use it as a context manager):
    this thread for one writer, ``writers`` threads side by side for more."""
    if writers <= 1:
        return SerialWriter(store, batch, on_added)
    return ParallelWriter(store.url, writers, batch, on_added)


class ParallelWriter(_Writer):
    """Store ArticleResults through ``writers`` threads, each writing batches of ``batch`` articles.

        with ParallelWriter(url, writers=2, batch=100, on_added=print) as w:
            for result in results:
                w.add(result)

    ``on_added(AddResult)`` is called in the calling thread as batches are committed (not in input order
    across writers). A writer's failure stops the run with ``WriterError``; what was committed stays."""

    def __init__(self, url: str, writers: int = 2, batch: int = 100,
                 on_added: Optional[Callable] = None):
        from . import Store

        if writers < 1:
            raise ValueError("writers must be at least 1")
        self.n, self.batch, self.on_added = writers, max(1, batch), on_added
        self.store = Store(url)
        self.store.engine                     # the schema made once, before the writers start
        self.results: queue_mod.Queue = queue_mod.Queue()
        self.committed = [0] * writers                              # batches each writer has committed
        self.cond = threading.Condition()
        self.failed = SimpleNamespace(value=0)
        self.tasks = [queue_mod.Queue(maxsize=QUEUE_BATCHES) for _ in range(writers)]
        self.threads = [threading.Thread(target=_writer, name=f"wirewatch-writer-{i}", daemon=True,
                                       args=(i, url, self.tasks[i], self.results, self.committed, self.cond,
                                             self.failed)) for i in range(writers)]
        for p in self.threads:
            p.start()
        self.ready = 0
        self.owner: dict = {}                                     # partition -> writer
        self.last: dict = {}                                      # partition -> (writer, batch number)
        self.load = [0] * writers                                 # articles and reports routed to each
        self.sent = [0] * writers                                 # batches sent to each
        self.pending: list[list] = [[] for _ in range(writers)]   # the batch being filled, per writer
        self.deps: list[dict] = [{} for _ in range(writers)]      # what that batch waits for
        self.inbox: list[ArticleResult] = []
        self.error: Optional[str] = None
        self.running = writers
        while self.ready < writers and not self.error and self.running:    # started and connected
            self._collect(block=True, until_ready=True)
        if self.error:
            self._stop()
            self.store.close()
            raise WriterError(self.error)

    # ------------------------------------------------------------------ routing
    def add(self, result: ArticleResult) -> None:
        self.inbox.append(result)
        if len(self.inbox) >= self.batch:
            self._route(self.inbox)
            self.inbox = []
        self._collect(block=False)

    def _stored_partitions(self, results: Sequence[ArticleResult]) -> dict[str, set]:
        """The partitions of the stored copies of these articles (a replaced copy's events are recomputed)."""
        from sqlalchemy import select

        from .models import Article, Report

        keys = {r.article.id for r in results}
        out: dict[str, set] = {}
        with self.store.session() as s:
            for key, country in s.execute(select(Article.key, Report.country)
                                          .join(Report, Report.article_id == Article.id)
                                          .where(Article.key.in_(keys))):
                out.setdefault(key, set()).add(("country", country or ""))
        return out

    def _route(self, results: Sequence[ArticleResult]) -> None:
        stored = self._stored_partitions(results)
        for r in results:
            parts = _partitions(r) | stored.get(r.article.id, set())
            owners = [self.owner[p] for p in sorted(parts) if p in self.owner]
            w = owners[0] if owners else min(range(self.n), key=lambda i: self.load[i])
            for p in parts:
                self.owner.setdefault(p, w)
            deps = self.deps[w]
            for p in parts | {("article", r.article.id)}:
                prev = self.last.get(p)
                if prev is not None and prev[0] != w:
                    other, k = prev
                    if k > self.sent[other]:          # still being filled: send it now, it is waited for
                        self._send(other)
                    deps[other] = max(deps.get(other, 0), k)
            self.pending[w].append(r)
            self.load[w] += 1 + len(r.incidents)
            for p in parts | {("article", r.article.id)}:
                self.last[p] = (w, self.sent[w] + 1)
            if len(self.pending[w]) >= self.batch:
                self._send(w)

    def _send(self, w: int) -> None:
        if not self.pending[w]:
            return
        item = (self.deps[w], self.pending[w])
        self.pending[w], self.deps[w] = [], {}
        self.sent[w] += 1
        while True:                      # a full queue: take results meanwhile, and notice a failure
            self._check()
            try:
                self.tasks[w].put(item, timeout=0.2)
                return
            except queue_mod.Full:
                self._collect(block=False)

    # ------------------------------------------------------------------ results
    def _collect(self, block: bool, until_ready: bool = False) -> None:
        while self.running and not (until_ready and self.ready == self.n):
            try:
                kind, n, payload = self.results.get(timeout=0.5) if block else self.results.get_nowait()
            except queue_mod.Empty:
                if block and not any(p.is_alive() for p in self.threads):
                    self.error = self.error or "a writer stopped without a word"
                    self.running = 0
                if not block:
                    return
                continue
            if kind == "ready":
                self.ready += 1
            elif kind == "added":
                if self.on_added:
                    for a in payload:
                        self.on_added(a)
            elif kind == "error":
                self.error = self.error or f"writer {n}: {payload}"
            else:
                self.running -= 1

    def _check(self) -> None:
        self._collect(block=False)
        if self.error:
            self._stop()
            raise WriterError(self.error)

    def close(self) -> None:
        """Send what is left, wait for the writers to commit it, and stop them. Raises WriterError if one
        failed."""
        if self.threads:
            if not self.error:
                if self.inbox:
                    self._route(self.inbox)
                    self.inbox = []
                for w in range(self.n):
                    self._send(w)
            for w in range(self.n):
                try:
                    self.tasks[w].put(None, timeout=5)
                except queue_mod.Full:
                    pass
            self._collect(block=True)
            self._stop()
        self.store.close()
        if self.error:
            raise WriterError(self.error)

    def _stop(self) -> None:
        with self.cond:
            if self.error:
                self.failed.value = 1
            self.cond.notify_all()
        for p in self.threads:
            p.join()
        self.threads = []
        self.running = 0

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.error = self.error or f"stopped: {exc_type.__name__}"
            self._stop()
            self.store.close()
            return False
        self.close()
        return False
