"""Actor coding: a noun phrase of the article -> a canonical actor or speaker name.

Countries become ``Military Forces of X`` / ``Government of X`` / ``Police Forces
of X``; armed groups keep their common English name; people their full name as
first written; state bodies their canonical form (``Russian Ministry of Defence``).
"""
from __future__ import annotations

import re
from typing import Optional

from spacy.tokens import Span, Token

from .context import Mention, ParsedArticle

PRONOUNS_PERSON = {"he", "she", "him", "her", "his"}
PRONOUNS_GROUP = {"it", "they", "its", "their", "them"}
DETERMINERS = {"the", "a", "an", "its", "their", "his", "her", "this", "that", "these", "those", "some", "another"}


def military(country: Optional[str]) -> Optional[str]:
    return f"Military Forces of {country}" if country else None


def government(country: Optional[str]) -> Optional[str]:
    return f"Government of {country}" if country else None


def police(country: Optional[str]) -> Optional[str]:
    return f"Police Forces of {country}" if country else None


def civilians(country: Optional[str]) -> str:
    return f"Civilians ({country})" if country else "Civilians"


class ActorCoder:
    def __init__(self, pa: ParsedArticle):
        self.pa = pa

    # ----------------------------------------------------------------- helpers
    def country_near(self, start: int, end: int) -> Optional[str]:
        """The country a phrase names through a name, demonym or possessive ('Russia's', 'Ukrainian')."""
        for m in self.pa.mentions_in(start, end, "country"):
            return m.value
        return None

    def body_name(self, m: Mention, start: int, end: int) -> tuple[str, Optional[str]]:
        """(speaker canonical, country) for a body mention inside [start, end)."""
        country = m.country or self.country_near(start, end) or self.country_near(max(0, m.start - 30), m.start)
        if not country:
            country = self.place_country(m.start) or self.default_country(m)
        dem = self.pa.lex.demonym.get(country, country) if country else ""
        canon = m.value.replace("{demonym}", dem or "").replace("{country}", country or "").strip()
        canon = re.sub(r"\s+", " ", canon)
        return canon, country

    def place_country(self, offset: int) -> Optional[str]:
        """The country of the places named in the sentence at ``offset`` ("the regional governor" in Odesa)."""
        from .places import find_places
        sent = self.pa.sentence_at(offset)
        if sent is None:
            return None
        for p in find_places(self.pa, sent.start, sent.end):
            if p.place is not None and p.level != "country":
                return self.pa.country_name(p.place)
        return None

    def default_country(self, m: Mention) -> Optional[str]:
        """A body named without its country ('the ministry'): the last one named with one."""
        for prev in reversed([x for x in self.pa.mentions if x.kind == "body" and x.start < m.start]):
            c = self.country_near(max(0, prev.start - 30), prev.end)
            if c and prev.value == m.value:
                return c
        return self.pa.main_countries[0] if self.pa.main_countries else None

    def last_person_before(self, offset: int) -> Optional[str]:
        best = None
        for m in self.pa.persons:
            if m.end <= offset:
                best = m.value
        return best

    # ------------------------------------------------------------------ coding
    def speaker_of(self, tok: Token, before: Optional[int] = None) -> Optional[str]:
        """Canonical speaker for the subject token ``tok`` of a reporting verb."""
        pa = self.pa
        low = tok.lower_
        if low in PRONOUNS_PERSON:
            return self.last_person_before(before if before is not None else tok.idx)
        span = self._phrase(tok)
        start, end = span.start_char, span.end_char
        persons = pa.mentions_in(start, end, "person")
        # a person named in the phrase: the head's person if any
        for m in persons:
            if m.start <= tok.idx < m.end:
                return m.value
        groups = pa.mentions_in(start, end, "group")
        bodies = pa.mentions_in(start, end, "body")
        if persons and not bodies:
            return persons[-1].value
        if bodies:
            canon, _ = self.body_name(bodies[-1], start, end)
            return canon
        if groups:
            return groups[0].value
        countries = pa.mentions_in(start, end, "country")
        if countries and len(span) <= 3:
            return government(countries[0].value)
        if low in PRONOUNS_GROUP:
            return None
        # "the group", "the rebels", "the militants": the armed group named last before
        if tok.lemma_.lower() in ("group", "rebel", "militant", "movement", "insurgent", "jihadist", "militia",
                                  "paramilitary", "fighter") and len(span) <= 3:
            prev = [m for m in pa.mentions if m.kind == "group" and m.end <= tok.idx]
            if prev:
                return prev[-1].value
        toks = [t for t in span if not t.is_punct or t.text in ("'s", "’s", "-")]
        while toks and toks[0].lower_ in DETERMINERS:
            toks = toks[1:]
        if not toks or len(toks) > 8:
            return None
        phrase = self.pa.text[toks[0].idx:toks[-1].idx + len(toks[-1].text)].strip()
        return phrase or None

    def _phrase(self, tok: Token) -> Span:
        """The noun phrase of ``tok`` without relative clauses and appositions after it."""
        doc = tok.doc
        left = tok.left_edge.i
        right = tok.i
        for child in tok.rights:
            if child.dep_ in ("compound", "flat", "prep") and child.i == right + 1:
                right = child.right_edge.i if child.dep_ == "prep" else child.i
            elif child.dep_ in ("appos", "relcl", "acl", "punct", "cc", "conj"):
                break
        for child in tok.lefts:
            if child.dep_ in ("appos", "punct") and child.i < left:
                left = child.i + 1
        return doc[left:right + 1]

    def party_in_phrase(self, tok: Token) -> Optional[tuple[str, str]]:
        """The party a phrase names, leaving out places and targets inside it ("a hit on Russia's region")."""
        skip = set()
        for t in tok.subtree:
            if t.dep_ == "prep" and t.lower_ in ("on", "in", "at", "over", "against", "into", "near", "across", "from",
                                                 "toward", "towards", "to") and t is not tok:
                skip.update(x.i for x in t.subtree)
        doc = tok.doc
        skipped = [(doc[i].idx, doc[i].idx + len(doc[i].text)) for i in skip]
        start, end = tok.left_edge.idx, tok.right_edge.idx + len(tok.right_edge.text)
        # a mention that starts in the phrase counts even where the parse cut the name short
        kept = [m for m in self.pa.mentions if start <= m.start < end and m.kind in ("group", "country", "body")
                and not any(s <= m.start < e for s, e in skipped)]
        for m in sorted(kept, key=lambda m: {"group": 0, "country": 1, "body": 2}[m.kind]):
            p = self.party_of(m.start, m.end)
            if p:
                return p
        return None

    def party_of(self, start: int, end: int) -> Optional[tuple[str, str]]:
        """The first party named in [start, end): ('group', name) or ('country', name)."""
        ms = [m for m in self.pa.mentions_in(start, end) if m.kind in ("group", "country", "body")]
        ms.sort(key=lambda m: {"group": 0, "country": 1, "body": 2}[m.kind])     # a named group before "paramilitary"
        for m in ms:
            if m.kind == "group":
                return ("group", m.value)
            if m.kind == "country":
                return ("country", m.value)
            if m.kind == "body":
                # only a country the phrase itself names ("Israeli warplanes", "Russia's army"): the places of
                # the sentence say where the force acted, not whose it is
                country = m.country or self.country_near(start, end) or self.country_near(max(0, m.start - 30), m.start)
                if country:
                    return ("country", country)
        return None
