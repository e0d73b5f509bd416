"""Claims: every cardinal figure the article reports, with its unit, qualifier
and who reports it; figures that disagree become contradictions."""
from __future__ import annotations

import re
from typing import Optional

from ..records import Claim, Contradiction, Quote, clean_number
from .context import ParsedArticle
from .numbers import find_numbers

SKIP_NOUNS = {"percent", "%", "year", "years", "month", "months", "time", "times", "am", "pm", "p.m.", "a.m."}


IRREGULAR = {"shoot": "shot", "bring": "brought", "take": "taken", "hit": "hit", "lose": "lost", "fight": "fought",
             "hold": "held", "flee": "fled", "leave": "left", "send": "sent", "seize": "seized", "give": "given"}


def participle(verb) -> str:
    """'killing' / 'killed' / 'kill' -> 'killed', for units like 'people killed'."""
    if verb.tag_ in ("VBN", "VBD"):
        return verb.text
    lemma = verb.lemma_.lower()
    if lemma in IRREGULAR:
        return IRREGULAR[lemma]
    return lemma + ("d" if lemma.endswith("e") else "ed")


class ClaimExtractor:
    def __init__(self, pa: ParsedArticle, quotes: list[Quote]):
        self.pa = pa
        self.quotes = quotes

    def reporter(self, start: int, end: int) -> str:
        for q in self.quotes:
            for e in q.evidence:
                if e.start <= start and end <= e.end:
                    return q.speaker
        return "the outlet itself"

    def extract(self) -> list[Claim]:
        pa = self.pa
        dates = [(d.start, d.end) for s in pa.sentences for d in s.dates]
        blocked = [(e.start_char, e.end_char) for e in pa.ents if e.label_ in ("DATE", "TIME", "ORDINAL")
                   and not re.search(r"\b(days?|weeks?|months?|years?|hours?)\b", e.text)]
        claims: list[Claim] = []
        by_key: dict[tuple, Claim] = {}
        for sent in pa.sentences:
            if sent.opinion:
                continue
            for n in find_numbers(pa.text[sent.start:sent.end]):
                s, e = n.start + sent.start, n.end + sent.start
                ns = n.num_start + sent.start
                if any(ds <= ns < de for ds, de in dates + blocked):
                    continue
                span = pa.doc.char_span(ns, e, alignment_mode="expand")
                if span is None:
                    continue
                unit, ev_end = self.unit(span)
                if unit is None:
                    continue
                ev = pa.ev(s, max(e, ev_end))
                claim = Claim(value=clean_number(n.value), qualifier=n.qualifier, unit=unit,
                              reported_by=self.reporter(s, e), evidence=[ev], triggers=[n.text])
                key = (claim.value, unit.split()[0] if unit else "", claim.reported_by)
                if key in by_key:
                    by_key[key].evidence.append(ev)
                    continue
                by_key[key] = claim
                claims.append(claim)
        return claims

    def unit(self, span) -> tuple[Optional[str], int]:
        """The counted thing ('drones intercepted', 'people killed') and where its words end."""
        last = span[-1]
        head = last.head if last.dep_ in ("nummod", "quantmod", "compound", "amod") else None
        doc = span.doc
        nxt = doc[last.i + 1] if last.i + 1 < len(doc) else None
        if head is None or head.i < last.i:
            # "59 of the missiles", "put the toll at 11", "killed 26"
            if nxt is not None and nxt.lower_ == "of":
                obj = next((c for c in nxt.children if c.dep_ == "pobj"), None)
                if obj is not None:
                    return obj.lemma_ + ("s" if not obj.lemma_.endswith("s") else ""), obj.idx + len(obj.text)
            if last.dep_ == "pobj" and last.head.lower_ == "at":
                return "toll", last.idx + len(last.text)
            if head is not None and head.pos_ == "VERB":
                return head.lemma_, last.idx + len(last.text)
            if nxt is not None and nxt.pos_ in ("NOUN", "PROPN") and nxt.lower_ not in SKIP_NOUNS:
                head = nxt
            else:
                return None, 0
        if head.lower_ in SKIP_NOUNS and head.lower_ not in ("years", "months"):
            return None, 0
        if head.pos_ not in ("NOUN", "PROPN", "PRON", "ADJ"):
            return None, 0
        words = [head.text]
        end = head.idx + len(head.text)
        verb = head.head if head.dep_ in ("nsubj", "nsubjpass", "dobj") else None
        if verb is not None and verb.pos_ == "VERB":
            words.append(participle(verb))
            if verb.i > head.i and verb.i - head.i <= 4:
                end = verb.idx + len(verb.text)
        return " ".join(words), end


def find_contradictions(pa: ParsedArticle, claims: list[Claim]) -> list[Contradiction]:
    """Pairs of claims that give different figures for the same quantity."""
    out = []

    def kind(c: Claim) -> Optional[str]:
        words = set(re.findall(r"[a-z]+", c.unit.lower()))
        lem = {w[:-1] if w.endswith("s") else w for w in words}
        if lem & {"kill", "killed", "dead", "death", "toll", "die", "died", "body", "bodie"}:
            return "killed"
        if lem & {"wound", "wounded", "injured", "hurt", "injure"}:
            return "wounded"
        return None

    def sent_of(c: Claim) -> int:
        s = pa.sentence_at(c.evidence[0].start)
        return s.index if s else -1

    from .places import find_places

    def places_of(c: Claim) -> set:
        s = pa.sentence_at(c.evidence[0].start)
        if s is None:
            return set()
        return {(p.place.name if p.place else p.text) for p in find_places(pa, s.start, s.end) if p.level == "place"}

    def counted(c: Claim) -> str:
        noun = c.unit.split()[0].lower() if c.unit else ""
        return "people" if noun in ("people", "persons", "person", "civilians", "civilian", "others", "dead",
                                    "toll", "bodies", "members", "residents") else noun

    for i, a in enumerate(claims):
        for j in range(i + 1, len(claims)):
            b = claims[j]
            if a.value == b.value:
                continue
            ka, kb = kind(a), kind(b)
            same = (ka is not None and ka == kb) or (ka is None and kb is None and a.unit and a.unit == b.unit
                                                     and a.reported_by != b.reported_by)
            if not same or a.reported_by == b.reported_by and ka is None:
                continue
            if abs(sent_of(a) - sent_of(b)) > 2:
                continue
            if a.reported_by == b.reported_by:
                continue            # one source giving two figures is two quantities, not a dispute
            if counted(a) != counted(b):
                continue            # soldiers vs civilians, drones vs missiles
            pa_, pb_ = places_of(a), places_of(b)
            if pa_ and pb_ and not (pa_ & pb_):
                continue            # tolls of two different places
            if bool(pa_) != bool(pb_):
                continue            # a local toll beside a total is a part of it, not a dispute
            if {a.value, b.value} & {0} and not (ka and kb):
                continue
            what = f"{a.unit}: {a.reported_by} says {a.value:g}, {b.reported_by} says {b.value:g}"
            out.append(Contradiction(what=what, claims=[i, j], evidence=[a.evidence[0], b.evidence[0]],
                                     triggers=[a.unit, b.unit]))
    return out
