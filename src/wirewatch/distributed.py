"""Extraction and ingestion on a Dask cluster (``wirewatch extract|ingest --engine dask``).

Design
------
The *client* (the process that runs ``wirewatch``) reads the input and the
*workers* extract:

- ``iter_inputs`` streams Articles (or one-line ``ReadError`` s) from local paths
  (``readers.read_inputs``) and from any fsspec URL (``s3://``, ``gs://``,
  ``hdfs://``, ``file://``, ``memory://`` ...; files, directories, globs, and
  compressed files such as ``feed.jsonl.gz``). JSON Lines are read line by line,
  never whole. A URL whose filesystem package is missing or that cannot be reached
  is one ``ReadError``.
- The client groups Articles into partitions of ``partition_size`` articles (and
  about ``PARTITION_CHARS`` characters of text at most) and submits each as one task,
  ``task(settings, articles)`` (default ``_extract_partition``), with ``retries=1``. At
  most ``2 x worker threads + 2`` partitions are in flight (submitted and not yet
  consumed): the input is pulled only as results are consumed, so memory stays flat
  however large the input is. Partitions are consumed in input order.
- On a worker, each process builds the ``Extractor`` (spaCy pipeline, gazetteer,
  lexicons) once per ``Settings`` and runs a partition with the local engine's chunk
  function (``extractors.pool.extract_chunk``): one batched ``nlp.pipe``; when the
  batch raises, the partition is re-run one article at a time, so one bad article
  becomes an ``ExtractionFailure`` ("extraction failed (TypeError: ...)") and the
  others keep their records. Only records travel back, never spaCy docs. An article
  longer than ``Settings.max_article_chars`` is refused; an article read from a
  ``wirewatch export --format jsonl`` line keeps the records it carries. (The
  per-article time budget of the process-pool engine relies on SIGALRM in a process's
  main thread; Dask runs tasks in worker threads, so it does not apply here.)
- A worker that dies (killed, out of memory) loses the tasks it was running or
  holding, and the scheduler reschedules them; a task whose worker died
  ``allowed-failures + 1`` times ends in ``KilledWorker``. Tasks merely queued next to
  the culprit can share its fate, so a partition ending in ``KilledWorker`` is run once
  more *alone*: the client first waits for and collects everything else in flight,
  then submits it with nothing else running. If it fails again, every article of that
  partition is recorded as a failure naming the reason, and the run goes on. A
  partition whose task raises even after its retry is recorded the same way.
- ``start_client`` without a scheduler starts a local cluster of single-threaded
  worker processes with ``allowed-failures`` 1 (one retry on another worker; an
  external scheduler keeps its own setting, Dask's default being 3), that keeps
  restarting dead workers (Dask would give up on one not back within
  ``lost-worker-timeout``, and an article that kills workers repeatedly can leave the
  cluster with none), and whose workers start without Dask's
  ``MALLOC_TRIM_THRESHOLD_=65536``, which makes spaCy ~15% slower.
- ``extract_to_parquet`` writes each consumed partition as one Parquet file per kind,
  ``OUT/<kind>/part-00000.parquet`` (kinds: incidents, interactions, quotes, claims,
  opinion, contradictions, articles, failures; empty tables are not written), each
  file first written under a temporary name and then renamed, and ``OUT/_summary.json``
  at the end. Record tables have ``article_id``, ``position`` (the record's index in
  its article's list; contradictions refer to claims by it), every field of the
  record, ``evidence`` as ``list<struct<start, end, text>>`` and ``triggers``.
  ``read_parquet_results`` reads such a directory back into ``Record.to_dict()``
  shaped dicts (plus ``article_id``).
- ``ingest`` runs the same partition task but stores on the client, in input order,
  through ``Store.add`` (cross-article linking reads the events stored before), so
  the store is exactly what the single-process ``wirewatch ingest`` builds.

The ``Settings`` object travels with every task: the workers must have wirewatch and
the spaCy pipeline installed, ``lexicon_dir`` must exist at the same path on them,
and the gazetteer index is built in ``cache_dir`` on a worker's first use if missing.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import re
import threading
import time
import types
import typing
import uuid
from collections import deque
from pathlib import PurePosixPath
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence, Union

from .extractors.pool import ExtractionFailure, exception_line, extract_chunk
from .readers import (HTML_SUFFIXES, JSONL_SUFFIXES, MAX_ITEM_BYTES, READABLE_SUFFIXES, ReadError, _article_from_text,
                      article_from_html, decode_bytes, read_inputs, read_jsonl_stream)
from .records import RECORD_CLASSES, Article, ArticleResult, clean_number
from .settings import Settings

if typing.TYPE_CHECKING:
    from .store import AddResult, Store

Item = Union[Article, ReadError]
Outcome = Union[ArticleResult, ExtractionFailure]
Task = Callable[[Settings, list], list]

PARTITION_CHARS = 2_000_000     # a partition holds at most partition_size articles and about this much text
RETRIES = 1                     # task retries after an exception in the task
LOCAL_ALLOWED_FAILURES = 1      # start_client's local cluster: a task survives one dead worker


# =============================================================================== inputs

def _protocol(url: str) -> str:
    m = re.match(r"([A-Za-z][\w+.-]*)://", url.split("::")[-1])
    return m.group(1) if m else url.split("://", 1)[0]


def _filesystem_problem(url: str, e: BaseException) -> str:
    """One line saying why the filesystem of ``url`` cannot be used."""
    from fsspec.registry import known_implementations

    proto = _protocol(url)
    if isinstance(e, ImportError):
        pkg = known_implementations.get(proto, {}).get("class", "").split(".")[0]
        if pkg in ("", "fsspec"):
            pkg = (e.name or "").split(".")[0]
        if pkg:
            return f"the {proto}:// filesystem needs the '{pkg}' package (pip install {pkg})"
        return f"the {proto}:// filesystem cannot be loaded ({exception_line(e)})"
    if isinstance(e, ValueError) and "protocol not known" in str(e).lower():
        return f"unknown filesystem protocol '{proto}://' (no fsspec implementation for it)"
    return f"cannot open the {proto}:// filesystem ({exception_line(e)})"


def _read_problem(e: BaseException) -> str:
    if isinstance(e, FileNotFoundError):
        return "no such file or directory"
    if isinstance(e, PermissionError):
        return "cannot read: permission denied"
    return f"cannot read ({exception_line(e)})"


def _split_compression(name: str) -> tuple[str, Optional[str]]:
    """('feed.jsonl', 'gzip') for 'feed.jsonl.gz'; (name, None) for an uncompressed name."""
    from fsspec.utils import infer_compression

    comp = infer_compression(name)
    if comp:
        return str(PurePosixPath(name).with_suffix("")), comp
    return name, None


def _readable(path: str) -> bool:
    name = PurePosixPath(path).name
    base, _ = _split_compression(name)
    return not name.startswith(".") and PurePosixPath(base).suffix.lower() in READABLE_SUFFIXES


def _read_url_file(fs, path: str, default_date: Optional[str]) -> Iterator[Item]:
    origin = fs.unstrip_protocol(path)
    base, comp = _split_compression(PurePosixPath(path).name)
    suffix, stem = PurePosixPath(base).suffix.lower(), PurePosixPath(base).stem
    try:
        with fs.open(path, "rb", compression=comp) as fh:
            if suffix in JSONL_SUFFIXES:
                yield from read_jsonl_stream(fh, origin, default_date)      # line by line
                return
            data = fh.read(MAX_ITEM_BYTES + 1)
    except Exception as e:  # any filesystem error, mid-stream too, is one line and the batch goes on
        yield ReadError(origin, _read_problem(e))
        return
    if len(data) > MAX_ITEM_BYTES:
        yield ReadError(origin, f"file too large: over the limit of {MAX_ITEM_BYTES:,} bytes")
        return
    text, warnings, err = decode_bytes(data, origin)
    if err:
        yield ReadError(origin, err)
    elif suffix in HTML_SUFFIXES:
        yield article_from_html(text, origin, stem, default_date, warnings)
    else:
        item = _article_from_text(text, origin, stem, None, default_date, warnings)
        if isinstance(item, Article) and item.date is None:
            item.warnings.append(f"{origin}: no date header and no --date; the article has no date")
        yield item


def _read_url(url: str, default_date: Optional[str]) -> Iterator[Item]:
    import fsspec

    try:
        fs, path = fsspec.core.url_to_fs(url)
    except Exception as e:
        yield ReadError(url, _filesystem_problem(url, e))
        return
    try:
        if any(c in path for c in "*?["):
            files = sorted(p for p in fs.glob(path) if _readable(p) and not fs.isdir(p))
            if not files:
                yield ReadError(url, "no .txt, .jsonl or .html file matches")
                return
        elif fs.isdir(path):
            files = sorted(p for p in fs.find(path) if _readable(p))
            if not files:
                yield ReadError(url, "directory holds no .txt, .jsonl or .html file")
                return
        elif fs.exists(path):
            files = [path]
        else:
            yield ReadError(url, "no such file or directory")
            return
    except Exception as e:  # unreachable host, bad credentials, ...
        yield ReadError(url, _read_problem(e))
        return
    for p in files:
        yield from _read_url_file(fs, p, default_date)


def iter_inputs(inputs: Sequence[str], default_date: Optional[str] = None) -> Iterator[Item]:
    """Articles (or ReadErrors) from every input in order: local paths and '-' as
    ``readers.read_inputs`` reads them, and fsspec URLs (anything with ``://``)."""
    for name in inputs:
        if "://" in name:
            yield from _read_url(name, default_date)
        else:
            yield from read_inputs([name], default_date=default_date)


# =============================================================================== workers

_TASK_LOCK = threading.Lock()    # a worker with several threads shares one pipeline: one task at a time


def _extract_partition(settings: Settings, articles: list[Article]) -> list[Outcome]:
    """The task run on a worker: an ArticleResult or an ExtractionFailure per article, in order. It is
    the local engine's chunk function (``extractors.pool.extract_chunk``): the pipeline loaded once per
    process, one batched ``nlp.pipe``, the size limit, restored backup lines, one bad article isolated."""
    with _TASK_LOCK:
        return extract_chunk(settings, articles)


def warm_up(client, settings: Settings, articles: Optional[list[Article]] = None) -> int:
    """Load the pipeline on every worker now by running a small partition on each (default: one
    short built-in article); raises if a worker cannot load it. Returns the number of workers."""
    if articles is None:
        articles = [Article(id="warm-up", date="2025-03-14", origin="<warm-up>",
                            text="Two people were killed when a drone struck a market in Kharkiv on Friday, "
                                 "the regional governor said.")]
    workers = list(client.nthreads())
    futures = [client.submit(_extract_partition, settings, articles, workers=[w], allow_other_workers=True,
                             pure=False) for w in workers]
    client.gather(futures)
    return len(workers)


# =============================================================================== client

@contextlib.contextmanager
def start_client(scheduler: Optional[str] = None, workers: int = 2):
    """A ``distributed.Client``: connected to ``scheduler`` (``tcp://HOST:8786``) if given, else
    to a new local cluster of ``workers`` single-threaded worker processes; closed afterwards."""
    from distributed import Client, LocalCluster

    if scheduler:
        client = Client(scheduler, set_as_default=False)
        try:
            yield client
        finally:
            client.close()
        return
    import dask

    config = {
        # A dead worker's nanny starts a new one. The local cluster must not also give up on a worker that is
        # not back within `lost-worker-timeout` (15 s) -- on an article that kills its worker repeatedly it
        # may be restarting again just then, and the cluster would close it for good and be left with none.
        "distributed.deploy.lost-worker-timeout": "30 days",
        # Dask starts workers with MALLOC_TRIM_THRESHOLD_=65536 (memory back to the OS sooner); spaCy
        # allocates so much that this makes extraction ~15% slower. glibc's own (dynamic) setting instead.
        "distributed.nanny.pre-spawn-environ": {
            k: v for k, v in (dask.config.get("distributed.nanny.pre-spawn-environ") or {}).items()
            if k != "MALLOC_TRIM_THRESHOLD_"},
    }
    with dask.config.set(config):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                               host="127.0.0.1", scheduler_kwargs={"allowed_failures": LOCAL_ALLOWED_FAILURES,
                                                 # no dashboard; its health endpoint on a free local port
                                                 "dashboard_address": "127.0.0.1:0"})
        try:
            client = Client(cluster, set_as_default=False)
            try:
                yield client
            finally:
                client.close()
        finally:
            cluster.close()


@dataclasses.dataclass
class RunSummary:
    articles: int = 0          # articles extracted (and, for ingest, stored)
    failures: int = 0          # inputs or articles that could not be read or extracted
    partitions: int = 0        # extraction tasks run
    seconds: float = 0.0
    records: int = 0           # records extracted (all kinds)
    store_seconds: float = 0.0  # ingest: time this process spent storing (with several writers: waiting on them)


@dataclasses.dataclass
class _Partition:
    index: int
    articles: list[Article]
    errors: list[ReadError]
    future: Any = None
    outcomes: Optional[list] = None
    error: Optional[BaseException] = None


def _partitions(items: Iterable[Item], size: int, on_error, on_warning) -> Iterator[_Partition]:
    """Partitions of at most ``size`` articles and about PARTITION_CHARS characters of text (a longer
    article goes alone), with the ReadErrors met while filling them."""
    index, arts, errs, chars = 0, [], [], 0
    for item in items:
        if isinstance(item, ReadError):
            if on_error:
                on_error(item.message)
            errs.append(item)
        else:
            if on_warning:
                for w in item.warnings:
                    on_warning(w)
            n = len(item.text) if isinstance(item.text, str) else 0
            if arts and chars + n > PARTITION_CHARS:
                yield _Partition(index, arts, errs)
                index, arts, errs, chars = index + 1, [], [], 0
            arts.append(item)
            chars += n
        if len(arts) >= size or len(errs) >= size:
            yield _Partition(index, arts, errs)
            index, arts, errs, chars = index + 1, [], [], 0
    if arts or errs:
        yield _Partition(index, arts, errs)


class _Run:
    """Partitions through the cluster, consumed in input order, a bounded number in flight."""

    def __init__(self, client, settings: Settings, task: Task):
        self.client, self.settings, self.task = client, settings, task
        self.pending: deque[_Partition] = deque()
        self.submitted = 0

    def limit(self) -> int:
        threads = sum(self.client.nthreads().values())
        return 2 * max(1, threads) + 2

    def _submit(self, articles: list[Article]):
        return self.client.submit(self.task, self.settings, articles, retries=RETRIES, pure=False,
                                  key=f"wirewatch-partition-{uuid.uuid4().hex}")

    def run(self, parts: Iterator[_Partition]) -> Iterator[tuple[_Partition, list[Outcome]]]:
        try:
            limit = self.limit()
            for part in parts:
                if part.articles:
                    part.future = self._submit(part.articles)
                    self.submitted += 1
                self.pending.append(part)
                while len(self.pending) >= limit:
                    yield self._next()
                    limit = self.limit()        # workers may have joined or left
            while self.pending:
                yield self._next()
        finally:
            left = [p.future for p in self.pending if p.future is not None]
            if left:
                self.client.cancel(left)
            self.pending.clear()

    @staticmethod
    def _resolve(part: _Partition) -> None:
        if part.future is None:
            return
        try:
            part.outcomes = part.future.result()
        except Exception as e:
            part.error = e
        part.future = None              # release it: the scheduler forgets the result

    def _drain(self) -> None:
        """Wait for everything in flight and collect it here (so a later death loses nothing)."""
        for p in self.pending:
            self._resolve(p)

    def _next(self) -> tuple[_Partition, list[Outcome]]:
        from distributed import KilledWorker

        part = self.pending.popleft()
        if not part.articles:
            return part, []
        self._resolve(part)
        if part.error is None:
            return part, part.outcomes
        if isinstance(part.error, KilledWorker):
            # tasks queued on a dying worker share its fate: run this one again with nothing else in flight
            self._drain()
            self.submitted += 1
            try:
                return part, self._submit(part.articles).result()
            except KilledWorker:
                reason = (f"extraction failed (the worker process died on this partition of "
                          f"{len(part.articles)} article(s), also when it was run again alone)")
            except Exception as e:
                reason = _task_failed(e)
        else:
            reason = _task_failed(part.error)
        return part, [ExtractionFailure(a, reason) for a in part.articles]


def _task_failed(e: BaseException) -> str:
    from concurrent.futures import CancelledError

    if isinstance(e, CancelledError):
        return f"extraction failed (the partition's task was cancelled: {exception_line(e)})"
    return f"extraction failed (the partition's task raised {exception_line(e)}, also on its retry)"


def run_partitions(items: Iterable[Item], *, settings: Settings, client, partition_size: int = 32,
                   on_error: Optional[Callable[[str], None]] = None,
                   on_warning: Optional[Callable[[str], None]] = None,
                   task: Task = _extract_partition) -> Iterator[tuple[int, list[ReadError], list[Outcome]]]:
    """(partition index, its ReadErrors, its outcomes in input order) for every partition, in order.
    ``items`` is pulled lazily: at most ``2 x worker threads + 2`` partitions are in flight."""
    if partition_size < 1:
        raise ValueError("partition_size must be at least 1")
    run = _Run(client, settings, task)
    for part, outcomes in run.run(_partitions(items, partition_size, on_error, on_warning)):
        yield part.index, part.errors, outcomes


# =============================================================================== parquet

RECORD_KINDS = RECORD_CLASSES         # kind -> record class
ARTICLE_COLUMNS = ("id", "date", "title", "source", "url", "origin")
KINDS = (*RECORD_KINDS, "articles", "failures")
_INT_IF_WHOLE = {("claims", "value")}       # numbers stored as float, int when whole (records.clean_number)


def _arrow_type(hint):
    import pyarrow as pa

    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) in (Union, types.UnionType) and len(args) == 1:
        return _arrow_type(args[0])
    if typing.get_origin(hint) is list:
        return pa.list_(_arrow_type(typing.get_args(hint)[0]))
    simple = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}
    if hint in simple:
        return simple[hint]
    raise TypeError(f"no Parquet type for record field type {hint!r}")


@functools.lru_cache(maxsize=None)
def schema(kind: str):
    """The Arrow schema of one output table."""
    import pyarrow as pa

    if kind == "articles":
        return pa.schema([(c, pa.string()) for c in ARTICLE_COLUMNS] + [("warnings", pa.list_(pa.string()))])
    if kind == "failures":
        return pa.schema([("article_id", pa.string()), ("origin", pa.string()), ("error", pa.string())])
    cls = RECORD_KINDS[kind]
    hints = typing.get_type_hints(cls)
    cols = [("article_id", pa.string()), ("position", pa.int32())]
    for f in dataclasses.fields(cls):
        if f.name in ("evidence", "triggers"):
            continue
        if f.name in ("article_id", "position"):
            raise TypeError(f"{cls.__name__}.{f.name} clashes with an output column")
        cols.append((f.name, _arrow_type(hints[f.name])))
    ev = pa.struct([("start", pa.int64()), ("end", pa.int64()), ("text", pa.string())])
    cols += [("evidence", pa.list_(ev)), ("triggers", pa.list_(pa.string()))]
    return pa.schema(cols)


def _rows(errors: list[ReadError], outcomes: list[Outcome]) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {k: [] for k in KINDS}
    for e in errors:
        rows["failures"].append({"article_id": getattr(e, "key", None) or e.origin, "origin": e.origin,
                                 "error": e.problem})
    for o in outcomes:
        if isinstance(o, ExtractionFailure):
            rows["failures"].append({"article_id": o.article.id, "origin": o.article.origin, "error": o.error})
            continue
        a = o.article
        rows["articles"].append({**{c: getattr(a, c) for c in ARTICLE_COLUMNS}, "warnings": list(a.warnings)})
        for kind in RECORD_KINDS:
            for i, rec in enumerate(getattr(o, kind)):
                row = rec.to_dict()          # every field; evidence de-duplicated as in to_dict
                row.update(article_id=a.id, position=i, triggers=list(rec.triggers))
                rows[kind].append(row)
    return rows


def _part_files(fs, root: str, kind: str) -> list[str]:
    """The part files of one kind, in partition (= input) order."""
    d = f"{root}/{kind}"
    if not fs.isdir(d):
        return []
    return sorted((p for p in fs.ls(d, detail=False)
                   if PurePosixPath(p).name.startswith("part-") and p.endswith(".parquet")),
                  key=lambda p: PurePosixPath(p).name)


class _ParquetDir:
    def __init__(self, out_dir, overwrite: bool):
        import fsspec

        self.fs, self.root = fsspec.core.url_to_fs(str(out_dir))
        old = [p for k in KINDS for p in self._parts(k)]
        summary = f"{self.root}/_summary.json"
        if self.fs.exists(summary):
            old.append(summary)
        if old and not overwrite:
            raise FileExistsError(f"{out_dir} already holds wirewatch output ({len(old)} file(s)); "
                                  f"choose another directory or overwrite it")
        for k in KINDS if overwrite else ():       # temporary files a crashed run left behind
            d = f"{self.root}/{k}"
            if self.fs.isdir(d):
                old += [p for p in self.fs.ls(d, detail=False) if PurePosixPath(p).name.startswith(".part-")]
        for p in old:
            self.fs.rm(p)
        self.fs.makedirs(self.root, exist_ok=True)

    def _parts(self, kind: str) -> list[str]:
        return _part_files(self.fs, self.root, kind)

    def write(self, index: int, rows: dict[str, list[dict]]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        for kind, kind_rows in rows.items():
            if not kind_rows:
                continue
            table = pa.Table.from_pylist(kind_rows, schema=schema(kind))
            d = f"{self.root}/{kind}"
            self.fs.makedirs(d, exist_ok=True)
            final, tmp = f"{d}/part-{index:05d}.parquet", f"{d}/.part-{index:05d}.parquet.tmp"
            with self.fs.open(tmp, "wb") as fh:
                pq.write_table(table, fh, compression="zstd")
            self.fs.mv(tmp, final)

    def finish(self, summary: RunSummary) -> None:
        with self.fs.open(f"{self.root}/_summary.json", "w") as fh:
            json.dump(dataclasses.asdict(summary), fh)


def extract_to_parquet(inputs: Sequence[str], out_dir, *, settings: Settings, client, partition_size: int = 32,
                       default_date: Optional[str] = None, on_error: Optional[Callable[[str], None]] = None,
                       on_partition: Optional[Callable[[int, int], None]] = None,
                       on_warning: Optional[Callable[[str], None]] = None, overwrite: bool = False,
                       task: Task = _extract_partition) -> RunSummary:
    """Extract every input on the cluster and write the records as Parquet under ``out_dir`` (a local
    path or an fsspec URL). ``on_error(message)`` gets a line per input or article that failed (read
    or extraction); ``on_partition(index, n_articles)`` is called after partition ``index`` (0-based,
    input order) is written; ``task`` is the partition function (tests replace it). Raises
    FileExistsError if ``out_dir`` holds earlier output, unless ``overwrite``."""
    t0 = time.perf_counter()
    out = _ParquetDir(out_dir, overwrite)
    summary = RunSummary()
    items = iter_inputs(inputs, default_date)
    for index, errors, outcomes in run_partitions(items, settings=settings, client=client,
                                                  partition_size=partition_size, on_error=on_error,
                                                  on_warning=on_warning, task=task):
        rows = _rows(errors, outcomes)
        out.write(index, rows)
        summary.partitions += 1 if outcomes else 0
        summary.articles += len(rows["articles"])
        summary.failures += len(rows["failures"])
        summary.records += sum(len(rows[k]) for k in RECORD_KINDS)
        if on_error:
            for o in outcomes:
                if isinstance(o, ExtractionFailure):
                    on_error(o.message)
        if on_partition:
            on_partition(index, len(outcomes))
    summary.seconds = time.perf_counter() - t0
    out.finish(summary)
    return summary


def _record_dict(kind: str, row: dict, explain: bool) -> dict:
    row.pop("position", None)
    triggers = row.pop("triggers", None) or []
    for k in row:
        if (kind, k) in _INT_IF_WHOLE and row[k] is not None:
            row[k] = clean_number(row[k])
    row["evidence"] = [dict(e) for e in row.get("evidence") or []]
    if explain:
        row["triggers"] = list(triggers)
    return row


def read_parquet_results(out_dir, explain: bool = False) -> dict[str, list[dict]]:
    """An output directory of ``extract_to_parquet`` read back: kind -> rows in input order. Record
    kinds give ``Record.to_dict(explain)`` dicts plus ``article_id``; ``articles`` gives
    id, date, title, source, url, origin, warnings; ``failures`` gives article_id, origin, error."""
    import fsspec
    import pyarrow.parquet as pq

    fs, root = fsspec.core.url_to_fs(str(out_dir))
    if not fs.isdir(root):
        raise FileNotFoundError(f"{out_dir}: no such directory")
    out: dict[str, list[dict]] = {}
    for kind in KINDS:
        rows: list[dict] = []
        for path in _part_files(fs, root, kind):
            with fs.open(path, "rb") as fh:
                rows.extend(pq.read_table(fh).to_pylist())
        if kind in RECORD_KINDS:
            rows = [_record_dict(kind, r, explain) for r in rows]
        out[kind] = rows
    return out


# =============================================================================== ingest

def ingest(inputs: Sequence[str], store: "Store", *, settings: Settings, client, partition_size: int = 32,
           default_date: Optional[str] = None, on_added: Optional[Callable[["AddResult"], None]] = None,
           on_error: Optional[Callable[[str], None]] = None,
           on_warning: Optional[Callable[[str], None]] = None,
           task: Task = _extract_partition, write_batch: int = 100, writers: int = 1) -> RunSummary:
    """Extract on the cluster; store and link on this machine, in transactions of ``write_batch`` articles,
    by ``writers`` writers (one: this thread, in input order; more: threads side by side, each taking the
    articles of its own countries, ending as one would); ``on_added(AddResult)`` after each article is stored,
    failures through ``store.record_failure`` (``on_error(message)`` for each)."""
    from .store.parallel import open_writer

    t0 = time.perf_counter()
    summary = RunSummary()
    items = iter_inputs(inputs, default_date)

    def added(a) -> None:
        summary.articles += 1
        if on_added:
            on_added(a)

    with open_writer(store, writers, write_batch, on_added=added) as writer:
        for _, errors, outcomes in run_partitions(items, settings=settings, client=client,
                                                  partition_size=partition_size, on_error=on_error,
                                                  on_warning=on_warning, task=task):
            summary.partitions += 1 if outcomes else 0
            for e in errors:                 # on_error already had these, as they were read
                store.record_failure(e)
                summary.failures += 1
            for o in outcomes:
                if isinstance(o, ExtractionFailure):
                    store.record_failure(o)
                    summary.failures += 1
                    if on_error:
                        on_error(o.message)
                    continue
                summary.records += sum(1 for _ in o.records())
                t = time.perf_counter()
                writer.add(o)
                summary.store_seconds += time.perf_counter() - t
        t = time.perf_counter()
    summary.store_seconds += time.perf_counter() - t
    summary.seconds = time.perf_counter() - t0
    return summary
