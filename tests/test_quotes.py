"""Quotes (codebook section 3): direct and reported speech, speakers, channels, evidence.

Every sentence here is written for this test file; the article date is Friday 14 March 2025.
"""
from __future__ import annotations

import pytest

from wirewatch.records import Article

DATE = "2025-03-14"


def extract(extractor, text: str, date: str = DATE):
    return extractor.extract(Article(id="test-quotes", text=text, date=date))


def quotes_of(extractor, text: str, date: str = DATE):
    return extract(extractor, text, date).quotes


def assert_evidence_slices(result):
    text = result.article.text
    for kind, rec in result.records():
        assert rec.evidence, f"{kind} record without evidence: {rec}"
        for ev in rec.evidence:
            assert 0 <= ev.start <= ev.end <= len(text), (kind, ev)
            assert text[ev.start:ev.end] == ev.text, (kind, ev)


def only(quotes, **want):
    """The single quote matching ``want`` (field == value)."""
    found = [q for q in quotes if all(getattr(q, k) == v for k, v in want.items())]
    assert len(found) == 1, (want, quotes)
    return found[0]


# ---------------------------------------------------------------- direct speech
def test_direct_quote_speaker_in_same_sentence(extractor):
    text = '"We will rebuild every home that was damaged," regional governor Oleh Petrenko said.'
    q = only(quotes_of(extractor, text), direct=True)
    assert q.speaker is not None and "Oleh Petrenko" in q.speaker
    assert q.text == "We will rebuild every home that was damaged,"


def test_direct_quote_speaker_before_colon(extractor):
    text = ("Regional governor Oleh Petrenko visited the damaged district on Friday. "
            'Petrenko told reporters: "The shelling lasted almost three hours."')
    q = only(quotes_of(extractor, text), direct=True)
    assert "Petrenko" in q.speaker
    assert q.text == "The shelling lasted almost three hours."
    assert q.channel == "told reporters"


def test_pronoun_speaker_resolves_to_last_named_person(extractor):
    text = ("Mayor Ivan Kovalenko met aid workers on Friday. "
            "Regional governor Oleh Petrenko visited the damaged district later. "
            '"The shelling lasted almost three hours," he said.')
    q = only(quotes_of(extractor, text), direct=True)
    assert "Oleh Petrenko" in q.speaker
    assert "Kovalenko" not in q.speaker
    assert q.text == "The shelling lasted almost three hours,"


@pytest.mark.parametrize("open_mark, close_mark", [('"', '"'), ("\u201c", "\u201d"), ("\u00ab", "\u00bb")],
                         ids=["straight", "curly", "guillemets"])
def test_direct_quote_text_is_exactly_inside_the_marks(extractor, open_mark, close_mark):
    inner = "Repairs to the bridge will take at least three weeks,"
    text = f"{open_mark}{inner}{close_mark} Mayor Ivan Kovalenko told reporters."
    result = extract(extractor, text)
    q = only(result.quotes, direct=True)
    assert q.text == inner
    assert q.direct is True
    ev = q.evidence[0]
    assert (ev.start, ev.end) == (len(open_mark), len(open_mark) + len(inner))
    assert text[ev.start:ev.end] == inner
    assert_evidence_slices(result)


# -------------------------------------------------------------- reported speech
def test_reported_speech_with_said_that(extractor):
    text = "Mayor Ivan Kovalenko said that water supplies had been restored to most districts of the city."
    q = only(quotes_of(extractor, text), direct=False)
    assert "Ivan Kovalenko" in q.speaker
    assert q.text == "water supplies had been restored to most districts of the city"


def test_reported_speech_with_according_to(extractor):
    text = "Water supplies had been restored to most districts of the city, according to Mayor Ivan Kovalenko."
    q = only(quotes_of(extractor, text), direct=False)
    assert "Ivan Kovalenko" in q.speaker
    assert q.text == "Water supplies had been restored to most districts of the city"


def test_according_to_a_body_names_the_body_with_its_country(extractor):
    text = "Power was restored to 40,000 homes by Friday evening, according to Ukraine's energy ministry."
    q = only(quotes_of(extractor, text), direct=False)
    assert "Ministry of Energy" in q.speaker and "Ukrainian" in q.speaker


def test_body_speaker_carries_its_country(extractor):
    text = ("Russia's defence ministry said air defence units had destroyed 12 Ukrainian drones "
            "over the Bryansk region.")
    q = only(quotes_of(extractor, text), direct=False)
    assert "Ministry of Defence" in q.speaker
    assert "Russian" in q.speaker
    assert q.text == "air defence units had destroyed 12 Ukrainian drones over the Bryansk region"


# --------------------------------------------------------------------- channels
def test_channel_on_telegram(extractor):
    text = "Mayor Ivan Kovalenko said on Telegram that two schools had been damaged in the attack."
    q = only(quotes_of(extractor, text), direct=False)
    assert "Ivan Kovalenko" in q.speaker
    assert q.channel is not None and "Telegram" in q.channel


def test_channel_told_reporters(extractor):
    text = "Oleh Petrenko, the regional governor, told reporters that two schools had been damaged."
    q = only(quotes_of(extractor, text), direct=False)
    assert "Oleh Petrenko" in q.speaker
    assert q.channel == "told reporters"
    assert q.text == "two schools had been damaged"


def test_channel_in_a_statement_direct(extractor):
    text = '"Power has been restored to the hospital," Governor Oleh Petrenko said in a statement.'
    q = only(quotes_of(extractor, text), direct=True)
    assert "Oleh Petrenko" in q.speaker
    assert q.channel == "in a statement"


def test_channel_in_a_statement_reported(extractor):
    text = "Governor Oleh Petrenko said in a statement that power had been restored to the hospital."
    q = only(quotes_of(extractor, text), direct=False)
    assert "Oleh Petrenko" in q.speaker
    assert q.channel == "in a statement"
    assert q.text == "power had been restored to the hospital"


# --------------------------------------------------------------------- evidence
def test_quote_evidence_slices_article_text(extractor):
    text = ("Regional governor Oleh Petrenko visited the damaged district on Friday.\n\n"
            '\u201cThe shelling lasted almost three hours,\u201d he said. '
            "Mayor Ivan Kovalenko said that water supplies had been restored to most districts. "
            "Russia's defence ministry said air defence units had destroyed 12 Ukrainian drones overnight, "
            "according to a statement.")
    result = extract(extractor, text)
    assert len(result.quotes) >= 3
    for q in result.quotes:
        assert q.evidence
        assert any(text[e.start:e.end] == q.text for e in q.evidence), q
    assert_evidence_slices(result)
