"""Actors and regions in the forms analysts filter on (ACLED's), both in the ACLED-layout export and in
`events --actor` / `--admin1`. Every article here is written for this file."""
from __future__ import annotations

import csv

import pytest

from wirewatch.acled_forms import acled_actor, actor_query
from wirewatch.export import export_events
from wirewatch.records import Article
from wirewatch.store import Store, event_dict

ARTICLES = [
    Article(id="mopti-ambush", date="2025-05-06", text=(
        "JNIM fighters ambushed a Malian army convoy near Boni, Mopti region, on Monday, killing nine soldiers, "
        "the army said.")),
    Article(id="kaduna-gunmen", date="2025-05-08", text=(
        "Unknown gunmen stormed the village of Kurmin Masara in Kaduna State on Wednesday night, killing seven "
        "villagers, police said.")),
    Article(id="benue-militia", date="2025-05-09", text=(
        "Armed Fulani herdsmen attacked farmers in Yelwata, Benue State, on Thursday, killing 12 people, a local "
        "official said.")),
    Article(id="zaporizhia-strike", date="2025-05-10", text=(
        "A Russian drone hit a farm building in Stepnohirsk, Zaporizhzhia oblast, on Friday, injuring two "
        "workers, the regional governor said.")),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory, extractor):
    st = Store(f"sqlite:///{tmp_path_factory.mktemp('acled') / 'e.db'}")
    for a in ARTICLES:
        st.add(extractor.extract(a))
    yield st
    st.close()


def test_communal_militias_are_coded_in_acled_form(store):
    evs = store.events(country="Nigeria")
    assert any(e.actor1 == "Fulani Ethnic Militia (Nigeria)" for e in evs), [(e.actor1, e.location) for e in evs]


def test_acled_group_names_and_aliases_find_the_group(store):
    for typed in ("JNIM", "JNIM: Group for Support of Islam and Muslims", "Jama'at Nusrat al-Islam wal-Muslimin"):
        q = actor_query(typed)
        assert "JNIM" in q.names
    assert [e.actor1 for e in store.events(actor="JNIM: Group for Support of Islam and Muslims")] == ["JNIM"]


def test_term_years_after_state_forces_are_ignored(store):
    with_years = store.events(actor="Military Forces of Mali (2021-)")
    assert with_years and [e.id for e in with_years] == [e.id for e in store.events(actor="Military Forces of Mali")]


def test_unidentified_armed_group_means_no_known_perpetrator_in_that_country(store):
    evs = store.events(actor="Unidentified Armed Group (Nigeria)")
    assert evs and all(e.actor1 is None and e.country == "Nigeria" for e in evs)
    assert any(e.location == "Kurmin Masara" for e in evs)
    assert store.events(actor="Unidentified Armed Group (Ukraine)") == []


def test_a_region_filter_in_any_spelling_finds_the_region(store):
    for typed in ("Zaporizhia", "Zaporizhzhia", "Zaporozhye"):
        evs = store.events(admin1=typed)
        assert [e.admin1 for e in evs] == ["Zaporizhia"], typed


def test_acled_export_writes_acled_actor_names(store, tmp_path):
    path = tmp_path / "acled.csv"
    export_events([event_dict(e) for e in store.events()], "acled-csv", str(path))
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    actors = {r["actor1"] for r in rows}
    assert "JNIM: Group for Support of Islam and Muslims" in actors
    unknown = [r for r in rows if r["actor1"] == "Unidentified Armed Group (Nigeria)"]
    assert unknown and all(r["inter1"] == "Political militia" for r in unknown)
    militia = [r for r in rows if r["actor1"] == "Fulani Ethnic Militia (Nigeria)"]
    assert militia and militia[0]["inter1"] == "Identity militia"


def test_acled_actor_leaves_codebook_names_acled_shares():
    assert acled_actor("Military Forces of Ukraine", 1, {}) == "Military Forces of Ukraine"
    assert acled_actor("Protesters (Kenya)", 1, {"event_type": "Protests"}) == "Protesters (Kenya)"
    assert acled_actor(None, 1, {"event_type": "Protests", "country": "Kenya"}) == ""
    assert acled_actor(None, 2, {"event_type": "Battles", "country": "Mali"}) == ""
