"""Temporal expressions in a sentence, resolved against the article date.

dateparser parses absolute dates ("March 11, 2025", "11 March"); the relative
forms it gets wrong or misses ("Friday" on a Friday, "late Thursday",
"overnight", "earlier this week", a future month day) are resolved by the rules
here, following the codebook: overnight = the article date, week precision =
the Monday of that week, month precision = the 1st.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Optional

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december"]
MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(MONTHS)}
MONTH_ABBR["sept"] = 9
_MON = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_WD = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_NUMWORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
             "nine": 9, "ten": 10, "a": 1, "an": 1}

PATTERNS = [
    # 14 March 2025 / 14 March / March 14, 2025 / March 14
    ("dmy", re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MON})(?:,?\s+(\d{{4}}))?\b", re.I)),
    ("mdy", re.compile(rf"\b({_MON})\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b(?!\s*(?:%|per|km|kilomet|mile|people|drones|missiles))", re.I)),
    ("iso", re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")),
    ("my", re.compile(rf"\b(?:in|since|during|until|by|of|early|late|mid-?)\s+({_MON})(?:\s+(\d{{4}}))?\b", re.I)),
    ("weekday", re.compile(rf"\b((?:late|early|on|last|this|next)\s+)?({_WD})(\s+(?:morning|afternoon|evening|night))?(\s+into\s+{_WD})?\b", re.I)),
    ("overnight", re.compile(r"\b(overnight|last night|tonight|this morning|this afternoon|this evening|today|earlier today|early hours|before dawn|at dawn)\b", re.I)),
    ("yesterday", re.compile(r"\b(yesterday|the day before|a day (?:after|before|earlier)|a day after|the previous day|the day before)\b", re.I)),
    ("tomorrow", re.compile(r"\b(tomorrow)\b", re.I)),
    ("daysago", re.compile(r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|a|an)\s+(day|week|month|year)s?\s+ago\b", re.I)),
    ("week", re.compile(r"\b(earlier this week|this week|last week|the previous week|past week|late last week|earlier in the week)\b", re.I)),
    ("month", re.compile(r"\b(earlier this month|this month|last month|the previous month|past month|late last month|earlier in the month)\b", re.I)),
    ("year", re.compile(r"\b(?:in|since|during|of)\s+((?:19|20)\d{2})\b", re.I)),
]


@dataclass(frozen=True)
class DateMention:
    start: int            # offsets relative to the string searched
    end: int
    text: str
    date: Optional[str]   # ISO date (week: Monday; month: 1st)
    precision: Optional[str]  # day, week, month, year
    future: bool = False


def monday(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def _year_for(month: int, day: int, base: dt.date, explicit: Optional[str], future_ok: bool) -> Optional[dt.date]:
    try:
        if explicit:
            return dt.date(int(explicit), month, day)
        d = dt.date(base.year, month, day)
    except ValueError:
        return None
    if d > base + dt.timedelta(days=1) and not future_ok:
        try:
            d = dt.date(base.year - 1, month, day)
        except ValueError:
            return None
    return d


def _month_num(s: str) -> Optional[int]:
    s = s.lower().rstrip(".")
    return MONTH_ABBR.get(s[:4] if s.startswith("sept") else s[:3])


FUTURE_HINT = re.compile(r"\b(will|would|plans?|planned|scheduled|next|to be held|expected|due|shall|until)\b", re.I)


def find_dates(text: str, base: dt.date) -> list[DateMention]:
    """All date expressions in ``text`` resolved against ``base``, left to right, non-overlapping."""
    future_ok = bool(FUTURE_HINT.search(text))
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match, date: Optional[dt.date], prec: Optional[str], future: bool = False):
        s, e = m.span()
        if any(s < te and ts < e for ts, te in taken):
            return
        taken.append((s, e))
        found.append(DateMention(s, e, m.group(0), date.isoformat() if date else None, prec, future))

    for kind, rx in PATTERNS:
        for m in rx.finditer(text):
            try:
                if kind == "dmy":
                    mon = _month_num(m.group(2))
                    d = _year_for(mon, int(m.group(1)), base, m.group(3), future_ok) if mon else None
                    add(m, d, "day" if d else None, bool(d and d > base))
                elif kind == "mdy":
                    mon = _month_num(m.group(1))
                    if m.group(1).lower().rstrip(".") in ("may", "mar") and not m.group(1)[0].isupper():
                        continue
                    d = _year_for(mon, int(m.group(2)), base, m.group(3), future_ok) if mon else None
                    add(m, d, "day" if d else None, bool(d and d > base))
                elif kind == "iso":
                    try:
                        add(m, dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), "day")
                    except ValueError:
                        continue
                elif kind == "my":
                    if not m.group(1)[0].isupper():
                        continue
                    mon = _month_num(m.group(1))
                    year = int(m.group(2)) if m.group(2) else (base.year if mon <= base.month else base.year - 1)
                    add(m, dt.date(year, mon, 1), "month")
                elif kind == "weekday":
                    wd = WEEKDAYS.index(m.group(2).lower())
                    mod = (m.group(1) or "").strip().lower()
                    if mod == "next":
                        delta = (wd - base.weekday()) % 7 or 7
                        add(m, base + dt.timedelta(days=delta), "day", True)
                        continue
                    delta = (base.weekday() - wd) % 7
                    if mod == "last" and delta == 0:
                        delta = 7
                    d = base - dt.timedelta(days=delta)
                    # "on Monday" in a sentence about plans ("will travel on Monday") is the coming one
                    before = text[max(0, m.start() - 45):m.start()]
                    if delta and re.search(r"\b(will|would|plans?|planned|due to|scheduled)\b", before, re.I) \
                            and not re.search(r"\b(said|says|told|announced)\s+(?:on\s+)?$", before, re.I):
                        fut = base + dt.timedelta(days=(wd - base.weekday()) % 7 or 7)
                        add(m, fut, "day", True)
                        continue
                    add(m, d, "day")
                elif kind == "overnight":
                    add(m, base, "day")
                elif kind == "yesterday":
                    add(m, base - dt.timedelta(days=1), "day")
                elif kind == "tomorrow":
                    add(m, base + dt.timedelta(days=1), "day", True)
                elif kind == "daysago":
                    n = m.group(1).lower()
                    n = int(n) if n.isdigit() else _NUMWORDS.get(n, 1)
                    unit = m.group(2).lower()
                    if unit == "day":
                        add(m, base - dt.timedelta(days=n), "day")
                    elif unit == "week":
                        add(m, monday(base - dt.timedelta(weeks=n)), "week")
                    elif unit == "month":
                        y, mo = divmod(base.year * 12 + base.month - 1 - n, 12)
                        add(m, dt.date(y, mo + 1, 1), "month")
                    else:
                        add(m, dt.date(base.year - n, 1, 1), "year")
                elif kind == "week":
                    w = m.group(1).lower()
                    d = monday(base) if "this" in w or "in the week" in w else monday(base - dt.timedelta(weeks=1))
                    add(m, d, "week")
                elif kind == "month":
                    w = m.group(1).lower()
                    if "this" in w or "in the month" in w:
                        add(m, base.replace(day=1), "month")
                    else:
                        y, mo = divmod(base.year * 12 + base.month - 2, 12)
                        add(m, dt.date(y, mo + 1, 1), "month")
                elif kind == "year":
                    add(m, dt.date(int(m.group(1)), 1, 1), "year")
            except (ValueError, OverflowError):
                continue    # a date outside the calendar (year 0, past 9999, "99999999 days ago"): no date
    found.sort(key=lambda d: d.start)
    return found


def parse_date(value: Optional[str]) -> Optional[dt.date]:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


_DATEPARSER_SETTINGS = None


def parse_with_dateparser(text: str, base: dt.date) -> Optional[DateMention]:
    """Fallback for date expressions the rules above do not cover ("the 5th of May", "Jan. 3rd"):
    dateparser, English only, absolute dates with a day only (its relative-date guesses are the gaps
    the rules above exist for)."""
    if not re.search(r"\d", text) or not re.search(_MON, text, re.I):
        return None
    import dateparser

    settings = {"RELATIVE_BASE": dt.datetime(base.year, base.month, base.day), "PREFER_DATES_FROM": "past",
                "REQUIRE_PARTS": ["day", "month"], "RETURN_AS_TIMEZONE_AWARE": False}
    try:
        parsed = dateparser.parse(text, languages=["en"], settings=settings)
    except Exception:       # dateparser raises on odd input; a date we cannot read is no date
        return None
    if parsed is None:
        return None
    return DateMention(0, len(text), text, parsed.date().isoformat(), "day", parsed.date() > base)
