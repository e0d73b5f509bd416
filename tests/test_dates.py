"""Date expressions resolved against the article date, following the codebook's rules."""
from __future__ import annotations

import datetime as dt

import pytest

from wirewatch.extractors.dates import find_dates

FRIDAY = dt.date(2025, 3, 14)          # article date used throughout: Friday 14 March 2025
assert FRIDAY.weekday() == 4


def one(sentence: str, base: dt.date = FRIDAY):
    found = find_dates(sentence, base)
    assert len(found) == 1, [(d.text, d.date) for d in found]
    d = found[0]
    assert sentence[d.start:d.end] == d.text        # offsets point at the expression
    return d


def resolved(sentence: str, base: dt.date = FRIDAY):
    d = one(sentence, base)
    return d.date, d.precision


def test_weekday_on_the_same_weekday_is_the_article_date():
    # dateparser would say the Friday before; the codebook says the article date
    assert resolved("Russian drones struck the port of Tuapse on Friday, the governor said.") == \
        ("2025-03-14", "day")


def test_earlier_weekday_is_this_week():
    assert resolved("Militants ambushed a convoy near Gao on Tuesday.") == ("2025-03-11", "day")


def test_weekday_later_in_the_week_is_last_week():
    # Saturday, seen from a Friday, is six days back
    assert resolved("Police dispersed the march on Saturday with tear gas.") == ("2025-03-08", "day")


def test_late_thursday():
    d = one("Shelling resumed late Thursday on the outskirts of Kherson.")
    assert (d.date, d.precision, d.text) == ("2025-03-13", "day", "late Thursday")


def test_overnight_is_the_article_date():
    assert resolved("Drones hit an oil depot overnight, starting a large fire.") == ("2025-03-14", "day")


def test_yesterday():
    assert resolved("Two soldiers were killed yesterday when their vehicle hit a mine.") == ("2025-03-13", "day")


def test_month_day_earlier_in_the_year():
    assert resolved("The convoy was attacked on March 11 on the road to Menaka.") == ("2025-03-11", "day")


@pytest.mark.parametrize("sentence,expected", [
    ("Protesters stormed the parliament building on March 20, police said.", "2024-03-20"),
    ("Protesters stormed the parliament building on 20 March, police said.", "2024-03-20"),
    ("Rebels captured the town on December 2 after a week of fighting.", "2024-12-02"),
])
def test_month_day_after_the_article_date_in_past_tense_is_last_year(sentence, expected):
    assert resolved(sentence) == (expected, "day")


def test_month_day_after_the_article_date_in_a_plan_stays_this_year():
    d = one("The two leaders will meet in Geneva on March 20.")
    assert d.date == "2025-03-20"
    assert d.future


def test_earlier_this_week_is_monday_with_week_precision():
    assert resolved("Fighting intensified earlier this week around the airport.") == ("2025-03-10", "week")


def test_last_week_is_the_previous_monday():
    assert resolved("Gunmen abducted 30 villagers last week.") == ("2025-03-03", "week")


def test_last_month_is_the_first_with_month_precision():
    assert resolved("The militia seized the district headquarters last month.") == ("2025-02-01", "month")


def test_last_month_in_january_is_december_of_the_previous_year():
    assert resolved("The militia seized the district headquarters last month.", dt.date(2025, 1, 9)) == \
        ("2024-12-01", "month")


def test_full_date_day_month_year():
    d = one("The ceasefire collapsed on 31 January 2024 after rebels shelled the camp.")
    assert (d.date, d.precision, d.text) == ("2024-01-31", "day", "31 January 2024")


def test_full_date_month_day_year():
    assert resolved("The ceasefire collapsed on January 31, 2024.") == ("2024-01-31", "day")


def test_in_month_year():
    assert resolved("The group was founded in March 2022 by former army officers.") == ("2022-03-01", "month")


def test_days_ago():
    assert resolved("The village was shelled nine days ago, residents said.") == ("2025-03-05", "day")


def test_digit_days_ago():
    assert resolved("The bridge was blown up 3 days ago.") == ("2025-03-11", "day")


def test_would_travel_on_monday_is_the_coming_monday():
    d = one("The foreign minister would travel to Brussels on Monday for talks on the sanctions package.")
    assert (d.date, d.precision) == ("2025-03-17", "day")
    assert d.future


def test_said_he_would_travel_on_monday_is_the_coming_monday():
    d = one("The foreign minister said he would travel to Brussels on Monday.")
    assert d.date == "2025-03-17"
    assert d.future


def test_said_on_monday_is_the_past_monday():
    # the weekday dates the statement, not the plan
    assert resolved("The ministry said on Monday that talks would resume.") == ("2025-03-10", "day")


def test_next_weekday_is_in_the_future():
    d = one("Talks are due to resume next Wednesday in Doha.")
    assert d.date == "2025-03-19"
    assert d.future


def test_several_dates_left_to_right():
    s = "Troops retook the village on Tuesday, nine days after rebels captured it on 2 March."
    found = find_dates(s, FRIDAY)
    assert [(d.text, d.date) for d in found] == [("on Tuesday", "2025-03-11"), ("2 March", "2025-03-02")]


def test_no_date_in_plain_sentence():
    assert find_dates("Rebels shelled the outskirts of the city, killing three civilians.", FRIDAY) == []


def test_dateparser_reads_absolute_dates_the_rules_miss():
    from wirewatch.extractors.dates import parse_with_dateparser
    d = parse_with_dateparser("the 5th of Jan. 2025", dt.date(2025, 1, 20))
    assert d is not None and d.date == "2025-01-05" and d.precision == "day"
    # relative words are left to the rules: dateparser is not asked about them
    assert parse_with_dateparser("last Friday", dt.date(2025, 1, 20)) is None


def test_incident_dated_by_the_dateparser_fallback(extractor):
    from wirewatch.records import Article
    r = extractor.extract(Article(id="t", text="On the 5th of Jan. 2025, gunmen killed four villagers in "
                                               "Bokkos, Plateau State.", date="2025-01-20"))
    assert [i.event_date for i in r.incidents] == ["2025-01-05"]
