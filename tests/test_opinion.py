"""Opinion: the outlet's own voice is marked (cue words, or the opinion model `make model` builds when it
is sure), attributed or quoted judgements are quotes, and a sentence with a figure reports it. Every
sentence is written for this file."""
from __future__ import annotations

import pytest

from wirewatch.event_model import default_model_dir
from wirewatch.records import Article

JUDGEMENT = ("A ceasefire signed by generals in the capital that leaves the roads closed and the "
             "granaries empty will not survive the lean season.")
ATTRIBUTED = ("A ceasefire signed by generals in the capital that leaves the roads closed will not "
              "survive the lean season, aid workers said.")
WITH_FIGURE = ("A ceasefire signed by generals that leaves 40 roads closed and the granaries empty "
               "will not survive the lean season.")
REPORT = "Soldiers reopened the road between the two towns on Tuesday and the first trucks crossed at noon."


def opinion_of(extractor, text):
    r = extractor.extract(Article(id="op", text=f"{REPORT} {text}", date="2025-06-03"))
    return [o.text for o in r.opinion]


@pytest.mark.skipif(not (default_model_dir("opinion") / "model.json").is_file(),
                    reason="the default opinion model is not built (make model)")
def test_the_outlets_own_judgement_is_opinion_without_a_cue_word(extractor):
    assert opinion_of(extractor, JUDGEMENT) == [JUDGEMENT]


def test_an_attributed_judgement_is_not_opinion(extractor):
    assert opinion_of(extractor, ATTRIBUTED) == []


def test_a_sentence_with_a_figure_is_not_opinion_on_the_models_word_alone(extractor):
    assert opinion_of(extractor, WITH_FIGURE) == []
