"""Interactions: who did what to whom, coded to a CAMEO root, with the act's own words as evidence; the
interaction model reads each act's clause. Every sentence is written for this file."""
from __future__ import annotations

import pytest

from wirewatch.event_model import default_model_dir
from wirewatch.event_model.model import Prediction
from wirewatch.extractors import Extractor
from wirewatch.records import Article
from wirewatch.settings import Settings

DYAD = ("Indian and Pakistani troops exchanged fire across the Line of Control on Tuesday, India's army said, "
        "and Pakistan said two of its soldiers were wounded. ")
INT_MODEL = default_model_dir("interactions")


def acts(extractor, text, date="2025-05-07"):
    r = extractor.extract(Article(id="t", text=text, date=date))
    return r, [(i.cameo_root, i.source_actor, i.target_actor) for i in r.interactions]


def test_urging_both_countries_is_one_interaction_per_country(extractor):
    _, got = acts(extractor, DYAD + "UN Secretary-General Antonio Guterres urged both countries to pull back.")
    assert ("02", "Antonio Guterres", "Government of India") in got
    assert ("02", "Antonio Guterres", "Government of Pakistan") in got


def test_two_targets_joined_by_and_are_two_interactions(extractor):
    _, got = acts(extractor, DYAD + "US Secretary of State Marco Rubio spoke by phone with Indian Foreign "
                                    "Minister Subrahmanyam Jaishankar and Pakistani Prime Minister Shehbaz Sharif.")
    targets = {t for root, s, t in got if root == "04" and s == "Marco Rubio"}
    assert {"Subrahmanyam Jaishankar", "Shehbaz Sharif"} <= targets


def test_several_parties_as_subject_are_one_act_each(extractor):
    _, got = acts(extractor, "The European Union and Britain unveiled new sanctions against Tehran on Monday.")
    assert {(r, s, t) for r, s, t in got} >= {("16", "European Union", "Government of Iran"),
                                               ("16", "Government of United Kingdom", "Government of Iran")}


def test_aid_named_inside_its_object_goes_to_its_recipient(extractor):
    _, got = acts(extractor, "President Joe Biden kept up a surge of weapons deliveries to Kyiv.")
    assert ("07", "Joe Biden", "Government of Ukraine") in got


def test_a_leaders_praise_of_their_own_police_is_not_an_interaction(extractor):
    _, got = acts(extractor, "Kenyan President William Ruto praised the Kenyan police for their restraint.")
    assert got == []


def test_an_accusation_joined_to_a_reported_clause_is_the_reporters(extractor):
    text = ("Congolese government spokesman Patrick Muyaya said the town had been overrun by rebel fighters "
            "overnight, and accused Kigali of arming them.")
    _, got = acts(extractor, text)
    assert [(r, s) for r, s, _ in got if r == "11"] == [("11", "Patrick Muyaya")]


def test_the_evidence_holds_the_words_naming_a_source_outside_the_acts_clause(extractor):
    text = ("Congolese government spokesman Patrick Muyaya said the town had been overrun by rebel fighters "
            "overnight, and accused Kigali of arming them.")
    r, _ = acts(extractor, text)
    it = next(i for i in r.interactions if i.cameo_root == "11")
    assert [e.text for e in it.evidence] == ["accused Kigali of arming them",
                                             "Congolese government spokesman Patrick Muyaya"]
    assert all(text[e.start:e.end] == e.text for e in it.evidence)


def test_a_proposal_told_as_a_noun_belongs_to_its_possessor(extractor):
    text = ("Erdogan's proposal was simple: Armenia and Azerbaijan would open the border crossing at Margara "
            "and exchange prisoners within a month.")
    _, got = acts(extractor, text)
    assert any(r == "02" and s == "Recep Tayyip Erdogan" or r == "02" and s == "Erdogan" for r, s, _ in got), got


def test_a_proposal_someone_rejects_is_a_rejection_not_a_proposal(extractor):
    _, got = acts(extractor, "Hamas rejected all the proposals put forward by Egyptian mediators on Sunday.")
    assert {r for r, _, _ in got} == {"12"}


def test_a_vow_to_respond_threatens_and_a_vow_to_keep_talking_does_not(extractor):
    _, threat = acts(extractor, "Iran's foreign minister vowed to respond to any Israeli strike on its soil.")
    _, intent = acts(extractor, "Iran's foreign minister vowed to keep talking with the European powers.")
    assert [r for r, _, _ in threat] == ["13"]
    assert {r for r, _, _ in intent} == {"03"}          # talks promised are intent, not a meeting


def test_a_price_someone_says_another_will_pay_is_the_sayers_threat(extractor):
    text = ("Turkish President Recep Tayyip Erdogan addressed the PKK on Tuesday, saying the group's commanders "
            "would pay a heavy price for the ambush.")
    _, got = acts(extractor, text)
    assert [(r, s) for r, s, _ in got if r == "13"] == [("13", "Recep Tayyip Erdogan")]


def test_a_promised_response_threatens_and_promised_aid_does_not(extractor):
    _, threat = acts(extractor, "Iranian President Masoud Pezeshkian promised a crushing response to Israel.")
    _, aid = acts(extractor, "Iranian President Masoud Pezeshkian promised aid to Lebanon.")
    assert [r for r, _, _ in threat] == ["13"]
    assert "13" not in [r for r, _, _ in aid]


def test_the_evidence_is_the_acts_own_clause(extractor):
    text = ("After the talks in Doha ended without a deal, the Arab League's secretary-general called on the "
            "Security Council to send peacekeepers, who would patrol the border.")
    r, got = acts(extractor, text)
    it = next(i for i in r.interactions if i.cameo_root == "02")
    ev = it.evidence[0]
    assert text[ev.start:ev.end] == ev.text
    assert ev.text.startswith("the Arab League's secretary-general called on the Security Council")
    assert "Doha" not in ev.text and "patrol" not in ev.text


def test_without_an_interaction_model_there_is_no_confidence():
    r, _ = acts(Extractor(Settings(interaction_model="none")), DYAD + "UN Secretary-General Antonio Guterres urged both countries to pull back.")
    assert r.interactions and all(i.confidence is None for i in r.interactions)


def test_a_reported_demand_does_not_make_the_sentence_opinion(extractor):
    r, got = acts(extractor, "The Russian president demanded that Western arms deliveries to Kyiv must stop "
                             "during any pause in the fighting.")
    assert r.opinion == []
    assert [g[0] for g in got] == ["10"]


# ------------------------------------------------------------------ with an interaction model
class ClauseModel:
    """A model that reads one root into clauses holding a given word (for the combination rules)."""

    def __init__(self, word, root, p):
        self.word, self.root, self.p = word, root, p

    def predict(self, texts):
        out = []
        for t in texts:
            if self.word in t:
                probs = {"none": 1 - self.p, self.root: self.p}
            else:
                probs = {"none": 0.97, self.root: 0.03}
            label = max(probs, key=probs.get)
            out.append(Prediction(label, probs[label], probs))
        return out


def with_model(model):
    ex = Extractor(Settings())
    ex._interaction_model = model
    return ex


def test_an_act_no_trigger_word_names_is_added_from_the_model_and_kept_without_a_target():
    ex = with_model(ClauseModel("softened", "08", 0.95))
    _, got = acts(ex, "Sudan's foreign ministry softened its position on Monday.")
    assert [(r, t) for r, _, t in got] == [("08", None)] and got[0][1]


def test_an_unsure_model_adds_nothing_and_a_model_reading_no_act_leaves_a_trigger_words_act():
    text = "Sudan's foreign ministry softened its position on Monday."
    assert acts(with_model(ClauseModel("softened", "08", 0.4)), text)[1] == []
    # every clause read as no act at 0.97: the trigger word's act stays, with that low confidence
    r, got = acts(with_model(ClauseModel("nothing-matches", "05", 0.9)), "Kenya welcomed Ethiopia's decision.")
    assert [g[0] for g in got] == ["05"] and r.interactions[0].confidence == 0.03


def test_a_trigger_words_root_stands_whatever_root_the_model_reads():
    r, got = acts(with_model(ClauseModel("praised", "14", 0.99)), "Kenya praised Somalia for the handover.")
    assert [g[0] for g in got] == ["05"] and r.interactions[0].confidence == 0.0


def test_troops_pulling_back_are_not_a_concession_whatever_the_model_reads():
    ex = with_model(ClauseModel("pulled", "08", 0.99))
    _, got = acts(ex, "The Sudanese army pulled back from the outskirts of the town on Monday.")
    assert got == []


def test_the_model_never_turns_an_act_into_violence():
    ex = with_model(ClauseModel("condemned", "19", 0.99))
    _, got = acts(ex, "Kenya condemned Ethiopia's decision to close the border.")
    assert got and {r for r, _, _ in got} == {"11"}


@pytest.mark.skipif(not (INT_MODEL / "model.json").is_file(), reason="the default interaction model is not built")
def test_with_the_default_model_every_interaction_has_a_confidence():
    ex = Extractor(Settings(interaction_model=INT_MODEL))
    r, got = acts(ex, DYAD + "UN Secretary-General Antonio Guterres urged both countries to pull back.")
    assert got
    assert all(0.0 <= i.confidence <= 1.0 for i in r.interactions)
