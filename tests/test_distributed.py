"""The Dask engine on a real LocalCluster of 2 worker processes (started once for the module):
the same records as one process, failures isolated (bad input line, an article that raises,
a partition whose worker dies), ingest equal to the single-process store, fsspec URLs,
and the input pulled lazily.

Test-only partition tasks (``break_marked``, ``die_on_kill``) are module-level functions of
this file: the worker processes are spawned with this process's ``sys.path`` (pytest put
``tests/`` on it), so they import this module to run them.
"""
from __future__ import annotations

import dataclasses
import gzip
import itertools
import json
import os
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from wirewatch import distributed as dd  # noqa: E402
from wirewatch.distributed import (RECORD_KINDS, ExtractionFailure, _extract_partition,  # noqa: E402
                                   extract_to_parquet, iter_inputs, read_parquet_results, run_partitions,
                                   start_client, warm_up)
from wirewatch.extractors.pool import extract_stream  # noqa: E402
from wirewatch.readers import ReadError, read_inputs  # noqa: E402
from wirewatch.records import Article, ArticleResult  # noqa: E402
from wirewatch.settings import Settings  # noqa: E402
from wirewatch.store import Store, event_dict  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
LINKING = ROOT / "tests" / "fixtures" / "linking"


# ------------------------------------------------------------------ fixtures and helpers

@pytest.fixture(scope="module")
def settings():
    # conftest's `extractor` is Extractor(): Settings.load() -- the same settings (cache_dir included)
    return Settings.load()


@pytest.fixture(scope="module")
def client(settings):
    with start_client(workers=2) as c:
        assert warm_up(c, settings) == 2        # both workers load the pipeline once, up front
        yield c


@pytest.fixture(scope="module")
def examples():
    return list(read_inputs([str(EXAMPLES)]))


def write_jsonl(path: Path, articles, extra_lines=()) -> Path:
    lines = [json.dumps({"id": a.id, "date": a.date, "title": a.title, "source": a.source, "url": a.url,
                         "text": a.text}) for a in articles]
    lines[1:1] = list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def expected_records(extractor, articles) -> dict[str, list[dict]]:
    """What the single-process path gives: kind -> [{"article_id", **record.to_dict()}], input order."""
    out: dict[str, list[dict]] = {k: [] for k in RECORD_KINDS}
    for a in articles:
        result = extractor.extract(a)
        for kind in RECORD_KINDS:
            out[kind] += [{"article_id": a.id, **r.to_dict()} for r in getattr(result, kind)]
    return out


def assert_same_records(got: dict, want: dict) -> None:
    for kind in RECORD_KINDS:
        assert got[kind] == want[kind], kind
    assert sum(len(v) for v in want.values()) > 0 and want["incidents"]


def break_marked(settings, articles):
    """A partition task: the article 'broken' arrives malformed (no text); the rest as usual."""
    articles = [dataclasses.replace(a, text=None) if a.id == "broken" else a for a in articles]
    return _extract_partition(settings, articles)


def die_on_kill(settings, articles):
    """A partition task whose worker process dies when its partition holds the article 'kill'."""
    if any(a.id == "kill" for a in articles):
        os._exit(3)
    return _extract_partition(settings, articles)


# ------------------------------------------------------------------ (a) same records as one process

def test_parquet_records_equal_single_process_on_examples_and_jsonl(client, settings, extractor, examples,
                                                                     tmp_path):
    assert all(isinstance(a, Article) for a in examples) and len(examples) >= 8
    feed = write_jsonl(tmp_path / "feed.jsonl", [dataclasses.replace(a, id=f"j-{a.id}") for a in examples])
    inputs = [str(EXAMPLES), str(feed)]
    articles = list(read_inputs(inputs))
    parts, errors = [], []
    summary = extract_to_parquet(inputs, tmp_path / "out", settings=settings, client=client, partition_size=4,
                                 on_error=errors.append, on_partition=lambda i, n: parts.append((i, n)))
    got = read_parquet_results(tmp_path / "out")

    assert errors == [] and got["failures"] == []
    assert_same_records(got, expected_records(extractor, articles))
    assert [a["id"] for a in got["articles"]] == [a.id for a in articles]
    assert got["articles"][0].keys() >= {"id", "date", "title", "source", "url", "origin"}
    assert parts == [(i, min(4, len(articles) - 4 * i)) for i in range(len(parts))]
    assert (summary.articles, summary.failures, summary.partitions) == (len(articles), 0, len(parts))
    assert summary.records == sum(len(v) for k, v in got.items() if k in RECORD_KINDS)
    # every evidence span is kept, and points into its article's text
    texts = {a.id: a.text for a in articles}
    for kind in RECORD_KINDS:
        for rec in got[kind]:
            for e in rec["evidence"]:
                assert texts[rec["article_id"]][e["start"]:e["end"]] == e["text"]
    # --explain's trigger words are kept too
    explained = read_parquet_results(tmp_path / "out", explain=True)
    assert explained["incidents"][0]["triggers"] == list(extractor.extract(
        next(a for a in articles if a.id == explained["incidents"][0]["article_id"])).incidents[0].triggers)


def test_existing_output_is_refused_unless_overwrite(client, settings, tmp_path):
    page = tmp_path / "one.txt"
    page.write_text((EXAMPLES / "kharkiv-strike.txt").read_text(encoding="utf-8"), encoding="utf-8")
    extract_to_parquet([str(page)], tmp_path / "out", settings=settings, client=client)
    with pytest.raises(FileExistsError):
        extract_to_parquet([str(page)], tmp_path / "out", settings=settings, client=client)
    extract_to_parquet([str(page)], tmp_path / "out", settings=settings, client=client, overwrite=True)
    assert [a["id"] for a in read_parquet_results(tmp_path / "out")["articles"]] == ["one"]


# ------------------------------------------------------------------ (b) failures are rows, the rest goes on

def test_bad_jsonl_line_and_an_article_that_raises_are_failures_and_the_rest_is_written(
        client, settings, extractor, examples, tmp_path):
    corpus = [dataclasses.replace(a, id=f"a{i}") for i, a in enumerate(examples)]
    corpus.insert(3, dataclasses.replace(examples[0], id="broken"))
    feed = write_jsonl(tmp_path / "feed.jsonl", corpus, extra_lines=['{"id": "x", "text": "unterminated'])
    errors = []
    summary = extract_to_parquet([str(feed)], tmp_path / "out", settings=settings, client=client,
                                 partition_size=3, on_error=errors.append, task=break_marked)
    got = read_parquet_results(tmp_path / "out")

    failures = {f["article_id"]: f for f in got["failures"]}
    assert set(failures) == {f"{feed}:2", "broken"}
    assert failures[f"{feed}:2"]["error"].startswith("malformed JSON")
    assert failures["broken"]["error"].startswith("extraction failed (TypeError")
    assert failures["broken"]["origin"] == f"{feed}:5"
    assert all("\n" not in f["error"] for f in got["failures"])
    assert len(errors) == 2 and all("\n" not in e for e in errors)
    assert any(e.startswith(f"{feed}:2: malformed JSON") for e in errors)
    good = [a for a in read_inputs([str(feed)]) if isinstance(a, Article) and a.id != "broken"]
    assert [a["id"] for a in got["articles"]] == [a.id for a in good]
    assert_same_records(got, expected_records(extractor, good))
    assert (summary.articles, summary.failures) == (len(good), 2)


def test_the_partition_task_on_a_worker_isolates_an_article_that_raises(client, settings, extractor, examples):
    bad = Article(id="broken", text=None, date="2025-03-14")      # a caller's malformed object
    outcomes = client.submit(_extract_partition, settings, [examples[0], bad, examples[1]], pure=False).result()
    assert [o.article.id for o in outcomes] == [examples[0].id, "broken", examples[1].id]
    assert isinstance(outcomes[1], ExtractionFailure)
    assert outcomes[1].error.startswith("extraction failed (TypeError") and "\n" not in outcomes[1].error
    assert isinstance(outcomes[0], ArticleResult) and isinstance(outcomes[2], ArticleResult)
    assert outcomes[0].to_dict() == extractor.extract(examples[0]).to_dict()
    # an article from a backup line keeps the records it carries (here: none), it is not re-extracted
    kept = dataclasses.replace(examples[0])
    kept.stored = ArticleResult(article=kept)
    [restored] = client.submit(_extract_partition, settings, [kept], pure=False).result()
    assert isinstance(restored, ArticleResult) and list(restored.records()) == []


# ------------------------------------------------------------------ (d) ingest

def test_ingest_with_dask_gives_the_store_of_the_single_process_ingest(client, settings, extractor, tmp_path):
    inputs = [str(EXAMPLES), str(LINKING), str(tmp_path / "missing.txt")]
    single = Store(f"sqlite:///{tmp_path / 'single.db'}")
    for item in read_inputs(inputs):
        if isinstance(item, ReadError):
            single.add_failure(item.origin, item.origin, item.problem)
        else:
            single.add(extractor.extract(item))

    dask_store = Store(f"sqlite:///{tmp_path / 'dask.db'}")
    added, errors = [], []
    summary = dd.ingest(inputs, dask_store, settings=settings, client=client, partition_size=3,
                        on_added=added.append, on_error=errors.append)

    n_articles = sum(1 for i in read_inputs(inputs) if isinstance(i, Article))
    assert [a.status for a in added] == ["new"] * n_articles
    assert errors == [f"{tmp_path / 'missing.txt'}: no such file or directory"]
    assert (summary.articles, summary.failures) == (n_articles, 1)
    assert dask_store.counts() == single.counts()
    assert dask_store.counts()["events"] > 0 and dask_store.counts()["events"] < dask_store.counts()["reports"]
    assert [event_dict(e) for e in dask_store.events()] == [event_dict(e) for e in single.events()]
    assert dask_store.failures() == single.failures()
    strikes = [e for e in dask_store.events(sub_type="Air/drone strike") if e.n_reports == 3]
    assert len(strikes) == 1 and dask_store.event(strikes[0].id)["contradictions"]   # linked across articles

    # two writers side by side, in small batches: the same store
    two = Store(f"sqlite:///{tmp_path / 'two.db'}")
    dd.ingest(inputs, two, settings=settings, client=client, partition_size=3, write_batch=2, writers=2)
    content = lambda st: sorted(repr({k: v for k, v in event_dict(e).items() if k != "id"} | {   # noqa: E731
        "reports": sorted(r["article"] for r in event_dict(e)["reports"])}) for e in st.events())
    assert two.counts() == single.counts() and content(two) == content(single)
    two.close()

    again = dd.ingest(inputs, dask_store, settings=settings, client=client, on_added=added.append)
    assert again.articles == n_articles and {a.status for a in added[n_articles:]} == {"unchanged"}
    assert dask_store.counts() == single.counts()

    # a backup (`wirewatch export --format jsonl`) restores through the workers as the single-process
    # ingest restores it (the engine of `wirewatch ingest`), failures included
    backup = tmp_path / "backup.jsonl"
    backup.write_text("".join(json.dumps(row) + "\n" for row in single.backup()), encoding="utf-8")
    reference = Store(f"sqlite:///{tmp_path / 'reference.db'}")
    stored = []
    for item in read_inputs([str(backup)]):
        if isinstance(item, ReadError):
            reference.add_failure(item.key or item.origin, item.origin, item.problem)
        else:
            stored.append(item)
    for outcome in extract_stream(stored, settings, workers=1):
        reference.add(outcome)
    restored = Store(f"sqlite:///{tmp_path / 'restored.db'}")
    dd.ingest([str(backup)], restored, settings=settings, client=client)
    assert restored.counts() == reference.counts() == single.counts()
    assert [event_dict(e) for e in restored.events()] == [event_dict(e) for e in reference.events()]
    assert sorted(map(str, restored.failures())) == sorted(map(str, reference.failures()))
    for st in (single, dask_store, reference, restored):
        st.close()


# ------------------------------------------------------------------ (e) fsspec URLs

def test_memory_and_file_urls_are_read_and_extracted(client, settings, extractor, examples, tmp_path):
    import fsspec

    mem = fsspec.filesystem("memory")
    base = "memory://wirewatch-test"
    for p in sorted(EXAMPLES.iterdir()):
        mem.pipe(f"{base}/corpus/{p.name}", p.read_bytes())
    feed = (EXAMPLES / "wire-feed.jsonl").read_bytes()
    mem.pipe(f"{base}/feeds/wire.jsonl.gz", gzip.compress(feed))
    try:
        local = list(read_inputs([str(EXAMPLES)]))
        from_dir = list(iter_inputs([f"{base}/corpus"]))
        assert [(a.id, a.text, a.date, a.title) for a in from_dir] == [(a.id, a.text, a.date, a.title) for a in local]
        assert from_dir[0].origin.startswith("memory://")
        from_glob = list(iter_inputs([f"{base}/corpus/*.txt"]))
        assert [a.id for a in from_glob] == sorted(p.stem for p in EXAMPLES.glob("*.txt"))
        gz = list(iter_inputs([f"{base}/feeds/wire.jsonl.gz"]))
        assert [a.id for a in gz] == [json.loads(line)["id"] for line in feed.decode().splitlines() if line.strip()]
        assert list(iter_inputs([f"{base}/none.txt"])) == [ReadError(f"{base}/none.txt", "no such file or directory")]

        inputs = [f"{base}/corpus", f"{base}/feeds/wire.jsonl.gz", f"file://{EXAMPLES / 'gao-ambush.txt'}"]
        errors = []
        extract_to_parquet(inputs, tmp_path / "out", settings=settings, client=client, partition_size=4,
                           on_error=errors.append)
        got = read_parquet_results(tmp_path / "out")
        assert errors == [] and got["failures"] == []
        articles = list(iter_inputs(inputs))
        assert len(articles) == len(local) + len(gz) + 1
        assert_same_records(got, expected_records(extractor, articles))
    finally:
        mem.rm(base, recursive=True)


def test_a_url_whose_filesystem_is_not_installed_is_one_read_error_line():
    items = list(iter_inputs(["s3://wirewatch-bucket/feed.jsonl"]))
    assert items == [ReadError("s3://wirewatch-bucket/feed.jsonl",
                               "the s3:// filesystem needs the 's3fs' package (pip install s3fs)")]
    assert items[0].message == ("s3://wirewatch-bucket/feed.jsonl: the s3:// filesystem needs the 's3fs' "
                                "package (pip install s3fs)")
    unknown = list(iter_inputs(["nosuchfs://x/y.txt", str(EXAMPLES / "gao-ambush.txt")]))
    assert isinstance(unknown[0], ReadError) and "nosuchfs://" in unknown[0].message and "\n" not in unknown[0].message
    assert isinstance(unknown[1], Article)      # the batch goes on


# ------------------------------------------------------------------ memory stays flat

def test_the_input_is_pulled_lazily_with_a_bounded_number_of_partitions_in_flight(client, settings, examples):
    pulled = 0

    def endless():
        nonlocal pulled
        for i in itertools.count():
            pulled += 1
            yield dataclasses.replace(examples[i % len(examples)], id=f"n{i}")

    results = run_partitions(endless(), settings=settings, client=client, partition_size=2)
    first = [next(results) for _ in range(2)]
    assert [[o.article.id for o in outcomes] for _, _, outcomes in first] == [["n0", "n1"], ["n2", "n3"]]
    in_flight = 2 * sum(client.nthreads().values()) + 2
    assert pulled <= (in_flight + 2) * 2        # never the whole (endless) input
    results.close()                             # cancels what is still in flight


# ------------------------------------------------------------------ (c) a worker that dies (kept last: it
# restarts the workers)

def test_a_partition_whose_worker_dies_even_when_retried_fails_alone(client, settings, extractor, examples,
                                                                      tmp_path):
    corpus = [dataclasses.replace(a, id=f"a{i}") for i, a in enumerate(examples)]
    corpus.insert(4, dataclasses.replace(examples[0], id="kill"))       # partition 1 of size 3: a3, kill, a4
    feed = write_jsonl(tmp_path / "feed.jsonl", corpus)
    errors = []
    summary = extract_to_parquet([str(feed)], tmp_path / "out", settings=settings, client=client,
                                 partition_size=3, on_error=errors.append, task=die_on_kill)
    got = read_parquet_results(tmp_path / "out")

    doomed = ["a3", "kill", "a4"]
    assert [f["article_id"] for f in got["failures"]] == doomed
    assert all("worker process died" in f["error"] for f in got["failures"])
    assert len(errors) == 3 and all("worker process died" in e for e in errors)
    good = [a for a in read_inputs([str(feed)]) if a.id not in doomed]
    assert [a["id"] for a in got["articles"]] == [a.id for a in good]
    assert_same_records(got, expected_records(extractor, good))
    assert (summary.articles, summary.failures) == (len(good), 3)
