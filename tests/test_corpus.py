"""The training corpus keeps what its datasheet (corpus/README.md) promises: well-formed lines, every
sub-event type with enough examples, many countries, three styles, negatives, no near-duplicates
(the mark of filled templates) and nothing from the gold articles the work is judged on."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from wirewatch.event_model import NONE, SUB_EVENT_TYPES, read_examples
from wirewatch.event_model.data import near_duplicates

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "incidents"
GOLD = ROOT.parent / "shared" / "gold"
FREQUENT = ["Armed clash", "Shelling/artillery/missile attack", "Air/drone strike", "Attack",
            "Abduction/forced disappearance", "Peaceful protest", "Protest with intervention", "Violent demonstration",
            "Mob violence", "Arrests", "Change to group/activity", "Looting/property destruction",
            "Disrupted weapons use"]
STYLES = {"coder", "wire", "local"}


@pytest.fixture(scope="module")
def examples():
    return read_examples([CORPUS])


def test_every_line_is_a_well_formed_example():
    for f in sorted(CORPUS.glob("*.jsonl")):
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            row = json.loads(line)
            where = f"{f.name}:{n}"
            assert set(row) == {"text", "sub_event_type", "country", "style", "batch"}, where
            assert row["sub_event_type"] in SUB_EVENT_TYPES or row["sub_event_type"] == NONE, where
            assert row["text"].strip() and row["country"].strip() and row["batch"].strip(), where
            assert row["style"] in STYLES, where


def test_counts_the_datasheet_promises(examples):
    labels = Counter(e.label for e in examples)
    negatives = labels.pop(NONE, 0)
    assert sum(labels.values()) >= 8000 and negatives >= 4000
    assert set(labels) == set(SUB_EVENT_TYPES)
    assert min(labels.values()) >= 120, labels.most_common()[-3:]
    assert all(labels[t] >= 400 for t in FREQUENT), {t: labels[t] for t in FREQUENT if labels[t] < 400}
    assert len({e.country for e in examples}) >= 90


def test_three_styles_in_similar_shares(examples):
    styles = Counter(e.style for e in examples)
    shares = [v / sum(styles.values()) for v in styles.values()]
    assert min(shares) >= 0.25 and max(shares) <= 0.42, styles


def test_no_two_texts_share_eighty_percent_of_their_words(examples):
    pairs = near_duplicates(examples, 0.8)
    assert not pairs, [(examples[a].origin, examples[b].origin) for a, b, _ in pairs[:5]]


def test_the_near_duplicate_check_finds_a_filled_template():
    from wirewatch.event_model import Example
    ex = [Example("On 3 May 2023, police arrested five protesters in Harare, Harare province.", "Arrests"),
          Example("On 9 May 2023, police arrested five protesters in Bulawayo, Bulawayo province.", "Arrests"),
          Example("Troops and rebels fought for hours near Goma on Sunday.", "Armed clash")]
    assert [(a, b) for a, b, _ in near_duplicates(ex, 0.6)] == [(0, 1)]


def ten_word_runs(text: str) -> set:
    w = re.findall(r"\w+", text.lower())
    return {tuple(w[i:i + 10]) for i in range(len(w) - 9)}


def gold_leaks(examples) -> list[str]:
    """Examples sharing a run of ten words with an article of the gold set."""
    gold = set()
    for f in GOLD.glob("*.json"):
        gold |= ten_word_runs(json.loads(f.read_text(encoding="utf-8"))["text"])
    return [e.origin for e in examples if ten_word_runs(e.text) & gold]


@pytest.mark.skipif(not GOLD.is_dir(), reason="shared gold set not beside the repository")
def test_nothing_from_the_gold_articles(examples):
    """No corpus text shares a run of ten words with an article of the gold set."""
    leaks = gold_leaks(examples)
    assert not leaks, leaks[:5]


# ------------------------------------------------------------------ the interaction and opinion corpora
OTHER = {"interactions": ("root", {"text", "root", "source", "target", "country", "style", "batch"},
                          {"wire", "local", "headline", "brief"}),
         "opinion": ("label", {"text", "label", "country", "style", "batch"},
                     {"wire", "analysis", "editorial", "local", "brief"})}


@pytest.mark.parametrize("kind", sorted(OTHER))
def test_the_interaction_and_opinion_corpora_are_well_formed(kind):
    field, keys, styles = OTHER[kind]
    files = sorted((ROOT / "corpus" / kind).glob("*.jsonl"))
    assert files
    allowed = {f"{n:02d}" for n in range(2, 21)} | {"none"} if kind == "interactions" else {"opinion", "report"}
    for f in files:
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            row = json.loads(line)
            where = f"{f.name}:{n}"
            # whole-article batches: one line per sentence in order, the article's id, the sentence's other acts
            article = kind == "interactions" and f.name.startswith("articles-")
            assert set(row) == (keys | {"article", "more"} if article else keys), where
            assert row[field] in allowed and row["style"] in styles, where
            assert row["text"].strip() and row["country"].strip() and row["batch"].strip(), where
            if kind == "interactions":
                for act in [row] + row.get("more", []):
                    assert act["source"] in row["text"] and act["target"] in row["text"], where
                    assert act["root"] in allowed, where


@pytest.mark.parametrize("kind", sorted(OTHER))
def test_the_interaction_and_opinion_corpora_hold_no_near_duplicates_and_nothing_from_gold(kind):
    ex = read_examples([ROOT / "corpus" / kind], kind=kind)
    pairs = near_duplicates(ex, 0.8)
    assert not pairs, [(ex[a].origin, ex[b].origin) for a, b, _ in pairs[:5]]
    if GOLD.is_dir():
        assert not gold_leaks(ex)
