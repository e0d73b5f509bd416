"""Actor coding, places, fatalities, dates and background incidents (codebook section 1).

Every sentence is written for this file; the article date is Friday 14 March 2025.
"""
from __future__ import annotations

import pytest

from wirewatch.records import Article

DATE = "2025-03-14"           # a Friday


def incidents_of(extractor, text: str, date: str = DATE):
    return extractor.extract(Article(id="test-actors-places", text=text, date=date)).incidents


def one(extractor, text: str, date: str = DATE, **want):
    """The single incident of ``text`` matching ``want`` (field == value)."""
    incs = incidents_of(extractor, text, date)
    found = [i for i in incs if all(getattr(i, k) == v for k, v in want.items())]
    assert len(found) == 1, (want, [i.to_dict() for i in incs])
    return found[0]


# ------------------------------------------------------------------------ actors
def test_russian_drones_code_russian_military_as_actor1(extractor):
    inc = one(extractor, "Russian drones struck an energy facility in the Sumy region on Tuesday.",
              sub_event_type="Air/drone strike")
    assert inc.actor1 == "Military Forces of Russia"


def test_rsf_fighters_code_rapid_support_forces(extractor):
    inc = one(extractor, "RSF fighters shelled a market in El Fasher on Monday, killing at least six people.",
              event_type="Explosions/Remote violence")
    assert inc.actor1 == "Rapid Support Forces"
    assert inc.country == "Sudan"


@pytest.mark.parametrize("text, country", [
    ("A Russian missile struck a shopping centre in Dnipro on Monday, injuring 15 people.", "Ukraine"),
    ("RSF fighters shelled a market in El Fasher on Monday, killing at least six people.", "Sudan"),
    ("A Russian missile struck a hospital in Kharkiv on Tuesday, killing two doctors.", "Ukraine"),
], ids=["shopping-centre", "market", "hospital"])
def test_civilians_hit_are_actor2_with_their_country(extractor, text, country):
    inc = one(extractor, text, event_type="Explosions/Remote violence")
    assert inc.actor2 == f"Civilians ({country})"


def test_unnamed_jets_in_a_foreign_strike_belong_to_the_attacking_state(extractor):
    # "warplanes" carry no country: the places say where they struck, not whose they are
    text = ("Turkish artillery pounded the outskirts of Tal Rifaat on Sunday, and warplanes struck "
            "targets further east in the town of Ain Issa.")
    inc = one(extractor, text, location="Ain Issa")
    assert inc.actor1 == "Military Forces of Turkey"


def test_unnamed_jets_in_a_civil_war_belong_to_the_state_there(extractor):
    text = "Jets bombed a monastery in the Sagaing region on Monday, killing six people who had fled there."
    inc = one(extractor, text, event_type="Explosions/Remote violence")
    assert inc.actor1 == "Military Forces of Myanmar"


def test_military_as_a_target_word_is_not_the_actor(extractor):
    text = ("Gunmen attacked a military checkpoint near the town of Bandiagara in central Mali on Tuesday, "
            "killing four soldiers.")
    inc = one(extractor, text, country="Mali")
    assert inc.actor1 != "Military Forces of Mali"


# ------------------------------------------------------------------------ places
@pytest.mark.parametrize("text, location, admin1", [
    ("Russian troops shelled the village of Velyka Pysarivka in the Sumy region on Monday, damaging a school.",
     "Velyka Pysarivka", "Sumy"),
    ("A Russian drone struck a house in the village of Stepnohirsk in Zaporizhzhia region on Friday, "
     "damaging the roof.", "Stepnohirsk", "Zaporizhia"),
], ids=["velyka-pysarivka", "stepnohirsk"])
def test_village_named_with_its_region(extractor, text, location, admin1):
    inc = one(extractor, text, event_type="Explosions/Remote violence")
    assert inc.location == location
    assert inc.admin1 == admin1
    assert inc.country == "Ukraine"
    assert inc.location_precision == "place"
    assert inc.latitude is not None and inc.longitude is not None
    # Ukraine spans roughly 44-53 N, 22-41 E: the village, not some namesake elsewhere
    assert 44 <= inc.latitude <= 53 and 22 <= inc.longitude <= 41


def test_village_tagged_as_person_by_ner_is_still_the_location(extractor):
    inc = one(extractor, "Russian artillery shelled the village of Bilozerka in Kherson region on Monday.",
              event_type="Explosions/Remote violence")
    assert inc.location == "Bilozerka"
    assert inc.admin1 == "Kherson"
    assert inc.location_precision == "place"


def test_kharkov_spelling_gives_admin1_kharkiv(extractor):
    inc = one(extractor, "A Russian missile hit an industrial site in Kharkov on Thursday.",
              event_type="Explosions/Remote violence")
    assert inc.admin1 == "Kharkiv"
    assert inc.country == "Ukraine"
    assert inc.latitude is not None and 49 <= inc.latitude <= 51


@pytest.mark.parametrize("context, country, lat_range", [
    ("Israeli jets carried out strikes across Lebanon on Monday.", "Lebanon", (33.0, 35.0)),
    ("Rival militias fought in Libya's west on Monday.", "Libya", (31.0, 34.0)),
], ids=["lebanon", "libya"])
def test_ambiguous_town_resolved_by_article_country(extractor, context, country, lat_range):
    text = f"{context} A drone hit a car in Tripoli on Tuesday, killing two people."
    inc = one(extractor, text, location="Tripoli")
    assert inc.country == country
    assert lat_range[0] <= inc.latitude <= lat_range[1]


# ------------------------------------------------------------------- fatalities
def test_killing_at_least_six_people_is_six(extractor):
    inc = one(extractor, "RSF fighters shelled a market in El Fasher on Monday, killing at least six people.",
              event_type="Explosions/Remote violence")
    assert inc.fatalities == 6


def test_no_casualties_is_zero(extractor):
    inc = one(extractor, "A Ukrainian drone hit an oil depot in Novorossiysk on Thursday without causing casualties.",
              event_type="Explosions/Remote violence")
    assert inc.fatalities == 0


@pytest.mark.parametrize("text", [
    "A Ukrainian drone hit an oil depot in Novorossiysk on Thursday, but no one was hurt.",
    "A Ukrainian drone hit an oil depot in Novorossiysk on Thursday; no one was hurt.",
    "A Ukrainian drone hit an oil depot in Novorossiysk on Thursday. No one was hurt, the governor said.",
], ids=["same-sentence", "semicolon", "next-sentence"])
def test_no_one_was_hurt_is_zero(extractor, text):
    inc = one(extractor, text, event_type="Explosions/Remote violence")
    assert inc.fatalities == 0


def test_injuries_only_is_none(extractor):
    inc = one(extractor, "A Russian missile struck a shopping centre in Dnipro on Monday, injuring 15 people.",
              event_type="Explosions/Remote violence")
    assert inc.fatalities is None


def test_two_sources_with_different_tolls_take_the_lowest(extractor):
    text = ("A Russian missile struck a shopping centre in Dnipro on Monday, killing seven people, "
            "Ukraine's emergency service said. A Russian missile strike on Dnipro on Monday killed four people, "
            "the regional governor said.")
    inc = one(extractor, text, event_type="Explosions/Remote violence")
    assert inc.location == "Dnipro"
    assert inc.fatalities == 4


# ------------------------------------------------------------------------ dates
@pytest.mark.parametrize("text, date", [
    ("A Russian drone hit an apartment block in Kharkiv on Tuesday, damaging several floors.", "2025-03-11"),
    ("Russian drones struck a power substation in Odesa overnight.", "2025-03-14"),
    ("RSF fighters shelled a market in El Fasher on Monday, killing at least six people.", "2025-03-10"),
], ids=["on-tuesday", "overnight", "on-monday"])
def test_relative_date_resolved_against_article_date(extractor, text, date):
    inc = one(extractor, text, event_type="Explosions/Remote violence")
    assert inc.event_date == date
    assert inc.date_precision == "day"
    assert inc.is_background is False


def test_relative_date_follows_a_different_article_date(extractor):
    # the same words, published one week later: Tuesday moves with the article date
    inc = one(extractor, "A Russian drone hit an apartment block in Kharkiv on Tuesday, damaging several floors.",
              date="2025-03-21", event_type="Explosions/Remote violence")
    assert inc.event_date == "2025-03-18"


# ------------------------------------------------------------------- background
def test_recalled_incident_with_earlier_date_is_background(extractor):
    text = ("Russian drones struck a power substation in Odesa overnight. "
            "On March 2, a Russian missile strike on Odesa had killed five people.")
    incs = incidents_of(extractor, text)
    news = [i for i in incs if i.event_date == "2025-03-14"]
    old = [i for i in incs if i.event_date == "2025-03-02"]
    assert news and all(not i.is_background for i in news), [i.to_dict() for i in incs]
    assert len(old) == 1, [i.to_dict() for i in incs]
    assert old[0].is_background is True
    assert old[0].fatalities == 5


def test_recalled_incident_dated_in_an_after_clause_is_background(extractor):
    text = ("Russian drones struck a power substation in Odesa overnight. It was the second attack on the city "
            "this month after Russian missiles hit the port on March 2, killing five people.")
    old = [i for i in incidents_of(extractor, text) if i.fatalities == 5]
    assert len(old) == 1
    assert old[0].event_date == "2025-03-02"
    assert old[0].is_background is True


def test_gunmen_attacking_a_police_post_is_a_clash_with_the_police(extractor):
    r = extractor.extract(Article(id="t", text="Gunmen attacked a police post in Dori on Sunday, killing six "
                                                "officers, security sources said.", date="2025-03-04"))
    assert [(i.event_type, i.sub_event_type) for i in r.incidents] == [("Battles", "Armed clash")]
    inc = r.incidents[0]
    assert inc.actor2 == "Police Forces of Burkina Faso" and inc.location == "Dori" and inc.fatalities == 6


def test_the_camp_points_back_to_the_place_introduced_as_a_camp(extractor):
    text = ("Gunmen seized Kalma, the biggest camp for displaced families in the region, on Sunday. "
            "On Monday the fighters torched the camp's market, which lies 17 kilometres east of Nyala, "
            "killing three traders.")
    incs = incidents_of(extractor, text)
    market = [i for i in incs if any("market" in e.text for e in i.evidence)]
    assert market and market[0].location == "Kalma"


def test_a_spelling_known_only_as_a_transliteration_takes_the_gazetteer_name(extractor):
    inc = one(extractor, "Russian troops shelled Velikaya Novosyolka in eastern Ukraine on Tuesday, damaging two houses.",
              event_type="Explosions/Remote violence")
    assert inc.location == "Velyka Novosilka" and inc.admin1 == "Donetsk"
    inc = one(extractor, "Russian troops shelled Kharkov on Tuesday, damaging two houses.",
              event_type="Explosions/Remote violence")
    assert inc.location == "Kharkov"        # a spelling the gazetteer lists stays as written


@pytest.mark.parametrize("text, location, admin1", [
    ("On 2 May 2025, armed herders attacked Tse-Akaa village in Guma LGA, Benue state, killing nine people.",
     "Tse-Akaa", "Benue"),
    ("Gunmen attacked Kuje village in Kajuru district on Monday, killing four people.", "Kuje", "Kaduna"),
    ("Around 300 garment workers demonstrated outside a factory in Ashulia, Dhaka, demanding unpaid wages.",
     "Ashulia", "Dhaka"),
], ids=["lga", "district-constrains-namesake", "capital-as-region"])
def test_a_district_named_after_a_village_is_where_the_village_lies(extractor, text, location, admin1):
    incs = incidents_of(extractor, text)
    assert [(i.location, i.admin1) for i in incs] == [(location, admin1)]
