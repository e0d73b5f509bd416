"""Place look-ups: spelling variants, regions, and ambiguous names settled by the article's countries."""
from __future__ import annotations

import pytest

from wirewatch.gazetteer import Gazetteer, norm


@pytest.fixture(scope="module")
def gaz():
    return Gazetteer()


def test_norm_ignores_case_accents_and_apostrophes():
    assert norm("Kharkiv") == norm("KHARKIV") == "kharkiv"
    assert norm("Bogotá") == "bogota"
    assert norm("Kryvyi Rih’s") == norm("Kryvyi Rih's") == "kryvyi rihs"


def test_kharkov_and_kharkiv_are_the_same_city(gaz):
    old, new = gaz.lookup("Kharkov"), gaz.lookup("Kharkiv")
    assert old is not None and new is not None
    assert old == new
    assert (new.name, new.admin1, new.country, new.kind) == ("Kharkiv", "Kharkiv", "Ukraine", "place")


def test_kiev_is_kyiv(gaz):
    p = gaz.lookup("Kiev")
    assert (p.name, p.country, p.kind) == ("Kyiv", "Ukraine", "place")
    assert p == gaz.lookup("Kyiv")


def test_lookup_is_case_insensitive(gaz):
    assert gaz.lookup("KHARKIV") == gaz.lookup("Kharkiv")


def test_tuapse_is_in_krasnodar_with_coordinates(gaz):
    p = gaz.lookup("Tuapse")
    assert (p.name, p.admin1, p.country, p.kind) == ("Tuapse", "Krasnodar", "Russia", "place")
    assert p.latitude == pytest.approx(44.1, abs=0.1)
    assert p.longitude == pytest.approx(39.1, abs=0.1)


def test_pokrovsk_in_a_ukrainian_article_is_in_donetsk(gaz):
    p = gaz.lookup("Pokrovsk", countries={"UA": 1.0})
    assert (p.country, p.admin1, p.kind) == ("Ukraine", "Donetsk", "place")
    assert p.latitude == pytest.approx(48.28, abs=0.1)


def test_pokrovsk_in_a_russian_article_is_in_russia(gaz):
    p = gaz.lookup("Pokrovsk", countries={"RU": 1.0})
    assert p.country == "Russia"
    assert p.country_code == "RU"
    assert p.admin1 != "Donetsk"


def test_gao_in_a_malian_article_is_in_mali(gaz):
    p = gaz.lookup("Gao", countries={"ML": 1.0})
    assert (p.name, p.country, p.admin1, p.kind) == ("Gao", "Mali", "Gao", "place")


def test_kharkiv_oblast_is_the_region(gaz):
    p = gaz.lookup("Kharkiv Oblast", prefer="admin1")
    assert (p.kind, p.name, p.admin1, p.country) == ("admin1", "Kharkiv", "Kharkiv", "Ukraine")


def test_kharkiv_with_region_preference_is_the_region(gaz):
    # "the Kharkiv region": the same name, read as the region
    p = gaz.lookup("Kharkiv", prefer="admin1")
    assert (p.kind, p.admin1) == ("admin1", "Kharkiv")


def test_south_kivu_is_a_region(gaz):
    p = gaz.lookup("South Kivu")
    assert (p.kind, p.name, p.admin1, p.country_code) == ("admin1", "South Kivu", "South Kivu", "CD")
    assert p.latitude == pytest.approx(-2.8, abs=1.0)       # the region around Bukavu


@pytest.mark.parametrize("name,admin1,cc", [
    pytest.param("Donetsk Oblast", "Donetsk", "UA"),
    pytest.param("Zaporizhzhia Oblast", "Zaporizhzhia", "UA"),
    pytest.param("Kursk Oblast", "Kursk", "RU"),
    pytest.param("Krasnodar Krai", "Krasnodar", "RU"),
    pytest.param("North Kivu Province", "North Kivu", "CD"),
    pytest.param("Rakhine State", "Rakhine", "MM"),
])
def test_region_name_with_region_word_is_the_region(gaz, name, admin1, cc):
    p = gaz.lookup(name, prefer="admin1")
    assert p is not None
    assert (p.kind, p.admin1, p.country_code) == ("admin1", admin1, cc)


def test_country_name_is_the_country(gaz):
    p = gaz.lookup("Ukraine")
    assert (p.kind, p.name, p.country_code, p.admin1) == ("country", "Ukraine", "UA", None)


@pytest.mark.parametrize("name", ["Zzyzxqwertyville", "Qxvborg Flats", "", "x"])
def test_unknown_name_is_none(gaz, name):
    assert gaz.lookup(name) is None
