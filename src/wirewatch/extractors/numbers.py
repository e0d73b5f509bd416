"""Cardinal numbers in words and digits, with their qualifiers.

"at least four" -> 4 (qualifier "at least"); "over 1,000" -> 1000 ("over");
"3.5 billion" -> 3500000000; "a couple and their three children" is left to the
incident code (sums are a coding decision, not a number format).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Optional

from ..records import LARGEST_FIGURE

UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
         "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
         "nineteen": 19}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "trillion": 10**12}
SPECIAL = {"a dozen": 12, "dozen": 12, "a couple of": 2, "a pair of": 2, "a hundred": 100,
           "a thousand": 1000, "a million": 10**6, "a billion": 10**9, "half a million": 500000,
           "hundreds of thousands": None}

QUALIFIERS = ["at least", "at most", "more than", "less than", "fewer than", "no fewer than",
              "no less than", "no more than", "not more than", "not less than", "over", "under",
              "about", "around", "approximately", "roughly", "nearly", "almost", "some", "up to",
              "an estimated", "estimated", "as many as", "as few as", "close to", "upwards of",
              "little more than", "just over", "just under", "just more than", "well over",
              "at least another", "another", "a further", "in excess of", "a total of", "some other"]
QUALIFIERS.sort(key=len, reverse=True)

_word = "|".join(sorted(list(UNITS) + list(TENS), key=len, reverse=True))
_scale = "|".join(SCALES)
WORD_NUMBER = rf"(?:(?:{_word})(?:[- ](?:{_word}))?(?:\s+(?:{_scale}))*(?:\s+(?:and\s+)?(?:{_word})(?:[- ](?:{_word}))?)?)"
DIGIT_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
SCALED_DIGIT = rf"{DIGIT_NUMBER}(?:\s*(?:{_scale}|bn|m(?=\s)))?"
_qual = "|".join(re.escape(q) for q in QUALIFIERS)
NUMBER_RX = re.compile(
    rf"(?<![\w.,:-])(?:(?P<qual>{_qual})\s+)?(?P<num>{SCALED_DIGIT}|{WORD_NUMBER}|a dozen|dozen|a couple of|a pair of|a hundred|a thousand|a million|half a million)(?![\w]|:\d|-[a-z])",
    re.I)


@dataclass(frozen=True)
class NumberMention:
    start: int               # of the whole match, qualifier included
    end: int
    num_start: int           # of the number itself
    value: float
    qualifier: Optional[str]
    text: str
    in_words: bool


def words_to_number(s: str) -> Optional[float]:
    s = s.lower().replace("-", " ").replace(" and ", " ").strip()
    if s in SPECIAL:
        return SPECIAL[s]
    total, current = 0, 0
    seen = False
    for w in s.split():
        if w in UNITS:
            current += UNITS[w]; seen = True
        elif w in TENS:
            current += TENS[w]; seen = True
        elif w in SCALES:
            scale = SCALES[w]
            if scale == 100:
                current = max(current, 1) * 100
            else:
                total += max(current, 1) * scale
                current = 0
            seen = True
        elif w == "a":
            current = 1
        else:
            return None
    return float(total + current) if seen else None


def parse_number(s: str) -> Optional[float]:
    v = _parse_number(s)
    if v is None or not math.isfinite(v) or abs(v) > LARGEST_FIGURE:
        return None
    return v


def _parse_number(s: str) -> Optional[float]:
    s = s.strip()
    m = re.fullmatch(rf"({DIGIT_NUMBER})\s*({_scale}|bn|m)?", s, re.I)
    if m:
        v = float(m.group(1).replace(",", ""))
        scale = (m.group(2) or "").lower()
        if scale == "bn":
            v *= 10**9
        elif scale == "m":
            v *= 10**6
        elif scale:
            v *= SCALES[scale]
        return v
    return words_to_number(s)


def find_numbers(text: str) -> list[NumberMention]:
    out = []
    for m in NUMBER_RX.finditer(text):
        num = m.group("num")
        value = parse_number(num)
        if value is None:
            continue
        if num.lower() == "one" and re.match(r"\s+(of|another|side|day)\b", text[m.end():]):
            continue   # "one of the", "one another": not a count
        qual = m.group("qual")
        out.append(NumberMention(m.start(), m.end(), m.start("num"), value,
                                 qual.lower() if qual else None, m.group(0),
                                 not num[0].isdigit()))
    return out
