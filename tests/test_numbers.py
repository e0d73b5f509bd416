"""Numbers in digits and words, with the qualifiers that claims and fatalities depend on."""
from __future__ import annotations

import pytest

from wirewatch.extractors.numbers import find_numbers, parse_number


def only(sentence: str):
    found = find_numbers(sentence)
    assert len(found) == 1, [(n.text, n.value) for n in found]
    n = found[0]
    assert sentence[n.start:n.end] == n.text          # offsets point at the match
    return n


# --------------------------------------------------------------------------- parse_number

@pytest.mark.parametrize("text,value", [
    ("7", 7),
    ("1,250", 1250),
    ("400,000", 400000),
    ("3.5 billion", 3_500_000_000),
    ("2.5 million", 2_500_000),
    ("2.5m", 2_500_000),
    ("4bn", 4_000_000_000),
    ("twenty-five", 25),
    ("one million", 1_000_000),
    ("one hundred and twenty", 120),
    ("three thousand", 3000),
    ("seventeen", 17),
])
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_parse_number_rejects_non_numbers():
    assert parse_number("several") is None
    assert parse_number("Kharkiv") is None


# --------------------------------------------------------------------------- find_numbers

@pytest.mark.parametrize("sentence,text,value,in_words", [
    ("Officials said 1,250 people were evacuated from the border villages.", "1,250", 1250, False),
    ("The European Union pledged 3.5 billion euros in reconstruction aid.", "3.5 billion", 3.5e9, False),
    ("Twenty-five soldiers were wounded in the assault.", "Twenty-five", 25, True),
    ("The fighting has displaced one million people since April.", "one million", 1e6, True),
    ("Police arrested 14 demonstrators outside the parliament.", "14", 14, False),
])
def test_plain_numbers(sentence, text, value, in_words):
    n = only(sentence)
    assert (n.text, n.value, n.qualifier, n.in_words) == (text, value, None, in_words)


@pytest.mark.parametrize("sentence,qualifier,value,number", [
    ("The strike killed at least four people, the health ministry said.", "at least", 4, "four"),
    ("Over 1,000 homes were damaged by the floods.", "over", 1000, "1,000"),
    ("The city was hit by no fewer than seven missiles.", "no fewer than", 7, "seven"),
    ("Up to 400,000 people could be forced from their homes.", "up to", 400000, "400,000"),
    ("An estimated 53 civilians died in the siege.", "an estimated", 53, "53"),
    ("More than 2.5m people need food aid.", "more than", 2.5e6, "2.5m"),
    ("Nearly 300 prisoners escaped during the attack.", "nearly", 300, "300"),
])
def test_qualified_numbers(sentence, qualifier, value, number):
    n = only(sentence)
    assert n.qualifier == qualifier                   # lower-cased, whatever the case in the text
    assert n.value == value
    assert sentence[n.num_start:n.end] == number
    assert n.start < n.num_start                      # the match covers the qualifier too


def test_numbers_left_to_right_with_offsets():
    s = "At least 12 people were killed and 40 wounded when three drones hit the market."
    found = find_numbers(s)
    assert [(n.value, n.qualifier) for n in found] == [(12, "at least"), (40, None), (3, None)]
    assert [s[n.num_start:n.end] for n in found] == ["12", "40", "three"]


@pytest.mark.parametrize("sentence", [
    "The first explosion was heard at 12:30 local time.",
    "It was the 16th drone attack on the city this month.",
    "One of the drones was shot down over the river.",
    "The governor said one of the wounded was a child.",
])
def test_no_count_in_times_ordinals_and_one_of_the(sentence):
    assert find_numbers(sentence) == []


def test_clock_time_does_not_hide_a_real_count():
    found = find_numbers("A convoy of 12 trucks left the depot at 14:05.")
    assert [(n.text, n.value) for n in found] == [("12", 12)]


def test_fraction_is_not_a_count():
    assert [(n.text, n.value) for n in find_numbers("Two-thirds of the city was left without power.")] == []
