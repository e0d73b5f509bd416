"""Key facts of the shared seed article (``shared/gold/seed-000.json``).

The article text is read from the gold file at run time (never copied into the repo);
the tests skip where the file is absent.
"""
from __future__ import annotations

import pytest

from wirewatch.records import Article


@pytest.fixture(scope="module")
def seed_result(extractor, seed_article):
    art = Article(id=seed_article.get("id", "seed-000"), text=seed_article["text"], date=seed_article["date"])
    return extractor.extract(art)


def _dump(incidents):
    return [{k: v for k, v in i.to_dict().items() if k != "evidence"} for i in incidents]


def test_seed_article_date_is_the_news_day(seed_article):
    assert seed_article["date"] == "2025-03-14"


def test_tuapse_drone_strike_in_krasnodar(seed_result):
    found = [i for i in seed_result.incidents
             if i.sub_event_type == "Air/drone strike" and i.admin1 == "Krasnodar" and i.location == "Tuapse"]
    assert found, _dump(seed_result.incidents)
    inc = found[0]
    assert inc.event_type == "Explosions/Remote violence"
    assert inc.event_date == "2025-03-14"
    assert inc.country == "Russia"
    assert inc.is_background is False


def test_tuapse_drone_strike_is_attributed_to_ukraine(seed_result):
    found = [i for i in seed_result.incidents if i.location == "Tuapse" and i.sub_event_type == "Air/drone strike"]
    assert found and found[0].actor1 == "Military Forces of Ukraine", _dump(seed_result.incidents)


def test_disrupted_weapons_use_over_moscow(seed_result):
    found = [i for i in seed_result.incidents
             if i.sub_event_type == "Disrupted weapons use" and i.admin1 == "Moscow"]
    assert found, _dump(seed_result.incidents)
    inc = found[0]
    assert inc.event_type == "Strategic developments"
    assert inc.event_date == "2025-03-14"
    assert inc.actor1 == "Military Forces of Russia"
    assert inc.is_background is False


def test_recalled_march_11_attack_is_background_with_three_dead(seed_result):
    found = [i for i in seed_result.incidents
             if i.is_background and i.event_date == "2025-03-11" and i.fatalities == 3]
    assert found, _dump(seed_result.incidents)
    assert all(i.is_background for i in seed_result.incidents if i.event_date == "2025-03-11")


def test_no_news_incident_is_marked_background(seed_result):
    assert all(not i.is_background for i in seed_result.incidents if i.event_date == "2025-03-14")


def test_quote_by_peskov(seed_result):
    speakers = [q.speaker for q in seed_result.quotes]
    assert any(s and "Peskov" in s for s in speakers), speakers


def test_claim_of_32(seed_result):
    values = [c.value for c in seed_result.claims]
    assert 32 in values, values


def test_every_evidence_span_slices_the_text(seed_result, seed_article):
    text = seed_article["text"]
    n = 0
    for kind, rec in seed_result.records():
        for ev in rec.evidence:
            n += 1
            assert 0 <= ev.start <= ev.end <= len(text), (kind, ev)
            assert text[ev.start:ev.end] == ev.text, (kind, ev)
    assert n > 0
