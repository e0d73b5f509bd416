"""Extraction in worker processes: same records as one process, input order, streaming, failures isolated."""
from __future__ import annotations

import dataclasses
import itertools
import json
import os
from pathlib import Path

import pytest

from wirewatch.extractors import pool
from wirewatch.extractors.pool import ExtractionFailure, extract_stream
from wirewatch.readers import read_inputs
from wirewatch.records import Article, ArticleResult
from wirewatch.settings import Settings

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def articles():
    return [a for a in read_inputs([str(EXAMPLES)]) if isinstance(a, Article)]


def settings(**kw) -> Settings:
    return Settings.load(**kw)


def test_two_workers_give_the_records_of_one_process_in_input_order(extractor, articles):
    corpus = [dataclasses.replace(a, id=f"{a.id}-{i}") for i, a in enumerate(articles * 3)]
    outcomes = list(extract_stream(corpus, settings(batch_size=4), workers=2))
    assert [o.article.id for o in outcomes] == [a.id for a in corpus]
    assert all(isinstance(o, ArticleResult) for o in outcomes)
    expected = [extractor.extract(a).to_dict() for a in corpus]
    assert [o.to_dict() for o in outcomes] == expected
    assert sum(len(o.incidents) for o in outcomes) > 0


@pytest.mark.parametrize("workers", [1, 2])
def test_input_is_read_lazily(articles, workers):
    """An endless input yields results: nothing reads the whole input first."""
    pulled = 0

    def endless():
        nonlocal pulled
        for i in itertools.count():
            pulled += 1
            yield dataclasses.replace(articles[i % len(articles)], id=f"n{i}")

    first = list(itertools.islice(extract_stream(endless(), settings(batch_size=2), workers=workers), 3))
    assert [o.article.id for o in first] == ["n0", "n1", "n2"]
    assert pulled <= 2 * 2 * workers + 2        # at most 2 x workers chunks in flight, plus the next chunk


@pytest.mark.parametrize("workers", [1, 2])
def test_an_article_that_breaks_extraction_fails_alone(articles, workers):
    bad = Article(id="broken", text=None, date="2025-03-14")       # a caller's malformed object
    corpus = [articles[0], bad, articles[1]]
    outcomes = list(extract_stream(corpus, settings(batch_size=8), workers=workers))
    assert [o.article.id for o in outcomes] == [articles[0].id, "broken", articles[1].id]
    assert isinstance(outcomes[1], ExtractionFailure)
    assert "extraction failed (TypeError" in outcomes[1].error and "\n" not in outcomes[1].error
    assert isinstance(outcomes[0], ArticleResult) and isinstance(outcomes[2], ArticleResult)


def die_on_kill(settings, chunk):
    """A chunk function whose worker process dies when it meets the article 'kill'."""
    if any(a.id == "kill" for a in chunk):
        os._exit(3)
    return _real_chunk(settings, chunk)


_real_chunk = pool.extract_chunk


def test_a_worker_that_dies_loses_only_its_batch(articles, monkeypatch):
    monkeypatch.setattr(pool, "extract_chunk", die_on_kill)     # forked workers inherit it
    corpus = [dataclasses.replace(a, id=f"ok{i}") for i, a in enumerate(articles[:4])]
    corpus.insert(2, dataclasses.replace(articles[0], id="kill"))
    outcomes = list(extract_stream(corpus, settings(batch_size=1), workers=2))
    assert [o.article.id for o in outcomes] == [a.id for a in corpus]
    failed = [o for o in outcomes if isinstance(o, ExtractionFailure)]
    assert [f.article.id for f in failed] == ["kill"]
    assert "worker process died" in failed[0].error
    assert all(isinstance(o, ArticleResult) for o in outcomes if o.article.id != "kill")


def test_cli_records_do_not_depend_on_the_number_of_workers(run_cli, tmp_path):
    outs = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}.jsonl"
        rc, _, err = run_cli("extract", EXAMPLES, "--format", "jsonl", "--workers", workers, "-o", out)
        assert rc == 0, err
        outs.append([json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()])
    assert outs[0] == outs[1]
    assert len(outs[0]) == len(list(EXAMPLES.glob("*.txt"))) + len(list(EXAMPLES.glob("*.html"))) \
        + sum(1 for p in EXAMPLES.glob("*.jsonl") for line in p.read_text().splitlines() if line.strip())


@pytest.mark.parametrize("workers", [1, 2])
def test_articles_over_the_size_limit_or_time_budget_fail_with_their_reason(workers):
    small = Article(id="small", text="Russian drones struck Kharkiv on Monday, officials said.", date="2025-03-14")
    big = Article(id="big", text="x" * 250_000, date="2025-03-14")
    slow = Article(id="slow", date="2025-03-14",      # ~174,000 characters: several seconds to parse
                   text="Russian artillery shelled the town of Kupiansk on Monday. " * 3000)
    s = settings(max_article_chars=200_000, article_time_budget=1.0, batch_size=4)
    outcomes = list(extract_stream([small, big, slow, small], s, workers=workers))
    assert [o.article.id for o in outcomes] == ["small", "big", "slow", "small"]
    assert isinstance(outcomes[0], ArticleResult) and isinstance(outcomes[3], ArticleResult)
    assert outcomes[0].incidents
    assert outcomes[1].error == "article too large: 250,000 characters, over the limit of 200,000 (max_article_chars)"
    assert outcomes[2].error == "extraction took longer than the time budget of 1 s (article_time_budget)"


def test_cli_records_an_oversized_article_and_goes_on(run_cli, tmp_path, monkeypatch):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "huge", "date": "2025-03-14", "text": "word " * 400}) + "\n"
                   + json.dumps({"id": "ok", "date": "2025-03-14",
                                 "text": "Russian drones struck Kharkiv on Monday, officials said."}) + "\n")
    monkeypatch.setenv("WIREWATCH_MAX_ARTICLE_CHARS", "1000")
    rc, out, err = run_cli("extract", src, "--format", "jsonl")
    assert rc == 1
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["ok"]
    assert "in.jsonl:1: article too large: 2,000 characters, over the limit of 1,000" in err
