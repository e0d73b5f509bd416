"""The pipeline wirewatch loads: the fast attribute ruler tags exactly as spaCy's own."""
from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from wirewatch.nlp import FastAttributeRuler, add_segmenter, load_pipeline
from wirewatch.readers import read_inputs
from wirewatch.records import Article
from wirewatch.settings import DEFAULT_PIPELINES

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
EXTRA = [
    "Y'all ain't seen nothin' yet, he said, and there were three of them.",
    "Gonna get 'em, let's go: that one was hit, those were not. Which ones?",
    "  \n\nThe   strike   hit   Kharkiv.\n\n",
]


def _spacy_pipeline():
    for name in DEFAULT_PIPELINES:
        try:
            return add_segmenter(spacy.load(name))
        except OSError:
            continue
    pytest.skip("no English pipeline installed")


def test_fast_attribute_ruler_replaces_spacys_and_tags_identically():
    ours = load_pipeline()
    theirs = _spacy_pipeline()
    assert "wirewatch_attribute_ruler" in ours.pipe_names and "attribute_ruler" not in ours.pipe_names
    texts = [a.text for a in read_inputs([str(EXAMPLES)]) if isinstance(a, Article)] + EXTRA
    tokens = 0
    for a, b in zip(ours.pipe(texts), theirs.pipe(texts)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            tokens += 1
            assert (x.pos_, x.tag_, str(x.morph), x.lemma_, x.dep_, x.head.i, x.ent_iob_, x.ent_type_) == \
                   (y.pos_, y.tag_, str(y.morph), y.lemma_, y.dep_, y.head.i, y.ent_iob_, y.ent_type_), x.text
    assert tokens > 2000


def test_unsupported_patterns_are_refused_so_spacys_ruler_stays():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "x", "OP": "+"}]], {"POS": "NOUN"})
    with pytest.raises(ValueError):
        FastAttributeRuler(ruler)
