"""The parsed article: spaCy doc, sentences, paragraphs, mentions of countries,
armed groups, state bodies and people, and the article-level context (which
countries it is about) that the extractors share."""
from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Optional

from spacy.tokens import Doc, Span

from ..gazetteer import Gazetteer, Place
from ..lexicon import Lexicon, trie_pattern
from ..readers import split_date_header
from ..records import Article, Evidence
from .dates import DateMention, find_dates, parse_date, parse_with_dateparser


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    kind: str            # country, group, body, person, place
    value: str           # canonical: country name, group name, body canonical, person full name
    sub: str = ""        # country form kind (name, demonym, capital, institution) / body actor
    country: Optional[str] = None


@dataclass
class Sentence:
    index: int
    span: Span
    start: int
    end: int
    paragraph: int
    dates: list[DateMention] = field(default_factory=list)
    opinion: bool = False
    text: str = ""                  # the span's text (kept: building it from tokens is slow)


class Patterns:
    """Compiled regexes over the lexicons, built once per Lexicon."""

    def __init__(self, lex: Lexicon):
        self.lex = lex
        written = {}
        for c in lex.countries:
            for key in ("aliases", "demonyms", "capitals", "institutions"):
                for f in c.get(key) or []:
                    written.setdefault(str(f).lower(), str(f))
            written[c["name"].lower()] = c["name"]
        # match forms as written in the data (case-sensitive), plus possessive
        self.country_rx = re.compile(r"(?<![\w-])(" + trie_pattern(written.values()) + r")(?:'s|’s)?(?![\w-])")
        gforms = {f for g in lex.groups for f in [g["name"], *(g.get("aliases") or [])]}
        self.group_rx = re.compile(r"(?<![\w-])(" + trie_pattern(gforms) + r")(?![\w-])")
        self.group_lower = {f.lower(): g for g in lex.groups for f in [g["name"], *(g.get("aliases") or [])]}
        bforms = [p for p, _ in lex.bodies]
        self.body_rx = re.compile(r"(?<![\w-])(" + trie_pattern(bforms, lower=True) + r")(?![\w-])", re.I)
        self.body_map = dict(lex.bodies)


def patterns_for(lex: Lexicon) -> Patterns:
    """The compiled patterns of a lexicon (built once, kept on it)."""
    if "_patterns" not in lex.__dict__:
        lex.__dict__["_patterns"] = Patterns(lex)
    return lex.__dict__["_patterns"]


class ParsedArticle:
    """Everything the extractors read from one article."""

    def __init__(self, article: Article, doc: Doc, lex: Lexicon, gaz: Gazetteer):
        self.article = article
        self.text = article.text
        self.doc = doc
        self.lex = lex
        self.gaz = gaz
        self.pat = patterns_for(lex)
        _, _, self.body_start = split_date_header(self.text)
        self.base_date = parse_date(article.date) or dt.date.today()
        self.cache: dict = {}          # per-article memo for extractors (place mentions of a span, ...)
        self.ents: list[Span] = list(doc.ents)    # doc.ents builds new spans on every access
        self._ent_starts = [e.start_char for e in self.ents]
        self.sentences = self._sentences()
        self.mentions = self._mentions()
        self._mention_starts = [m.start for m in self.mentions]
        self._mention_longest = max((m.end - m.start for m in self.mentions), default=0)
        self.country_weights = self._country_weights()
        self._place_cache: dict = {}

    # ---------------------------------------------------------------- evidence
    def ev(self, start: int, end: int) -> Evidence:
        start = max(start, self.body_start)
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return Evidence.of(self.text, start, end)

    # -------------------------------------------------------------- sentences
    def _sentences(self) -> list[Sentence]:
        out = []
        para = 0
        doc_text = self.doc.text
        for s in self.doc.sents:
            s_text = doc_text[s.start_char:s.end_char]
            if s.end_char <= self.body_start or not s_text.strip():
                continue
            if out and "\n" in self.text[out[-1].start + len(out[-1].text.rstrip()):s.start_char + 1]:
                para += 1
            start = max(s.start_char, self.body_start)
            sent = Sentence(len(out), s, start, s.end_char, para, text=s_text)
            sent.dates = [DateMention(d.start + start, d.end + start, d.text, d.date, d.precision, d.future)
                          for d in find_dates(self.text[start:s.end_char], self.base_date)]
            # DATE entities the rules missed: dateparser reads the absolute ones
            for ent in self.ents_in(s.start_char, s.end_char):
                if ent.label_ == "DATE" and ent.start_char >= start and not any(
                        d.start < ent.end_char and ent.start_char < d.end for d in sent.dates):
                    d = parse_with_dateparser(ent.text, self.base_date)
                    if d is not None:
                        sent.dates.append(DateMention(ent.start_char, ent.end_char, ent.text, d.date, d.precision, d.future))
            sent.dates.sort(key=lambda d: d.start)
            out.append(sent)
        return out

    def sentence_at(self, offset: int) -> Optional[Sentence]:
        for s in self.sentences:
            if s.start <= offset < s.end:
                return s
        return None

    # --------------------------------------------------------------- mentions
    def _mentions(self) -> list[Mention]:
        lex, pat, text = self.lex, self.pat, self.text
        out: list[Mention] = []
        body = text[self.body_start:]
        off = self.body_start
        for m in pat.group_rx.finditer(body):
            g = pat.group_lower[m.group(1).lower()]
            out.append(Mention(m.start() + off, m.end() + off, m.group(0), "group", g["name"],
                               g.get("kind", ""), g.get("country")))
        taken = [(x.start, x.end) for x in out]
        for m in pat.country_rx.finditer(body):
            s, e = m.start() + off, m.end() + off
            if any(s < te and ts < e for ts, te in taken):
                continue
            form = m.group(1).lower()
            out.append(Mention(s, e, m.group(0), "country", lex.country_by_form[form],
                               lex.country_forms_kind.get(form, "name"), lex.country_by_form[form]))
        for m in pat.body_rx.finditer(body):
            s, e = m.start() + off, m.end() + off
            b = pat.body_map[m.group(1).lower()]
            out.append(Mention(s, e, m.group(0), "body", b.get("canonical", m.group(1)),
                               b.get("actor", ""), b.get("country")))
        for ent in self.ents:
            if ent.label_ == "PERSON" and ent.end_char > self.body_start:
                if self.looks_like_place(ent):
                    continue
                name = self.person_name(ent)
                if name:
                    out.append(Mention(ent.start_char, ent.end_char, ent.text, "person", name))
        out.sort(key=lambda m: (m.start, -m.end))
        return out

    def looks_like_place(self, ent: Span) -> bool:
        """A 'PERSON' the tagger got wrong: a gazetteer place where a place is expected ('in Kryvyi Rih')."""
        from .places import _prep_before, named_with_region
        if named_with_region(self, ent.start_char, ent.end_char):
            return True
        before = self.text[max(0, ent.start_char - 40):ent.start_char]
        if re.search(r"\b(outskirts|village|villages|town|towns|city|district|area|neighbourhood|camp|region|province)\s+of\s+(the\s+)?$", before):
            return True        # only a place can stand here ("the village of Bilozerka")
        prep = _prep_before(self.text, ent.start_char)
        if prep not in ("in", "at", "near", "of", "into", "over", "outside", "from", "and", "struck", "hit", "on",
                        "to", "toward", "towards", "around", "across", "seized", "captured", "entered", "pounded",
                        "shelled", "bombed", "attacked", "stormed", "raided", "targeted", "retook", "recaptured",
                        "control", "capture"):
            # a list of places after a preposition: "in the provinces of Al-Bayda, Dhamar and Hajjah"
            before = self.text[max(0, ent.start_char - 60):ent.start_char]
            if not (re.search(r"(,|\band)\s*$", before) and re.search(r"\b(in|of|struck|hit|at|near)\b", before)):
                return False
        p = self.gaz.lookup(ent.text, min_population=1000)
        if p is not None and p.kind != "country":
            return True
        # a name the gazetteer lacks, where only a place can stand ("the outskirts of Kfar Kila")
        before = self.text[max(0, ent.start_char - 40):ent.start_char]
        return bool(re.search(r"\b(outskirts|village|villages|town|towns|city|district|area|neighbourhood|camp|region|province"
                              r"|control|capture|fall|siege)\s+of\s+(the\s+)?$"
                              r"|\b(in|near|outside)\s+$|\b(shelled|bombed|struck|hit|pounded|seized|captured|attacked|stormed|"
                              r"raided|overran)\s+$", before)
                    or re.match(r"\s+(village|town|camp|settlement|hamlet)\b", self.text[ent.end_char:ent.end_char + 12]))

    @cached_property
    def persons(self) -> list[Mention]:
        return [m for m in self.mentions if m.kind == "person"]

    def person_name(self, ent: Span) -> Optional[str]:
        """Full name of a person as first written ('Peskov' -> 'Dmitry Peskov')."""
        name = re.sub(r"(?:'s|’s)$", "", ent.text.strip()).strip()
        name = re.sub(r"\s+", " ", name)
        if not name or not name[0].isupper() or name.lower() in self.lex.country_by_form:
            return None
        if name.lower() in self.pat.group_lower:
            return None
        parts = name.split()
        if len(parts) == 1:
            # the first full mention in the text (before this one or, failing that, after it)
            return self._full_names.get(parts[0], name)
        return name

    @cached_property
    def _full_names(self) -> dict[str, str]:
        """Last name -> the first multi-word PERSON mention ending with it ('Peskov' -> 'Dmitry Peskov')."""
        out: dict[str, str] = {}
        for e in self.ents:
            if e.label_ == "PERSON":
                full = re.sub(r"(?:'s|’s)$", "", e.text.strip())
                words = full.split()
                if len(words) > 1:
                    out.setdefault(words[-1], full)
        return out

    def mentions_in(self, start: int, end: int, kind: Optional[str] = None) -> list[Mention]:
        """Mentions lying within [start, end), in text order (a binary search: articles can be long)."""
        out = []
        ms = self.mentions
        for i in range(bisect_left(self._mention_starts, start), len(ms)):
            m = ms[i]
            if m.start >= end:
                break
            if m.end <= end and (kind is None or m.kind == kind):
                out.append(m)
        return out

    def mentions_overlapping(self, start: int, end: int) -> list[Mention]:
        """Mentions sharing at least one character with [start, end), in text order."""
        out = []
        ms = self.mentions
        for i in range(bisect_left(self._mention_starts, start - self._mention_longest), len(ms)):
            m = ms[i]
            if m.start >= end:
                break
            if m.end > start:
                out.append(m)
        return out

    def ents_in(self, start: int, end: int) -> list[Span]:
        """Named entities lying within [start, end), in text order."""
        out = []
        for i in range(bisect_left(self._ent_starts, start), len(self.ents)):
            e = self.ents[i]
            if e.start_char >= end:
                break
            if e.end_char <= end:
                out.append(e)
        return out

    # ---------------------------------------------------------------- context
    def _country_weights(self) -> dict[str, float]:
        """How much the article is about each country; also fills ``admin1_weights`` (regions it names)."""
        self.admin1_weights: dict[tuple[str, str], float] = {}
        c: Counter = Counter()
        for m in self.mentions:
            if m.kind in ("country", "group", "body") and m.country:
                # names count fully; demonyms, capitals and bodies often name an actor, not a place
                c[m.country] += 1.0 if m.kind == "country" and m.sub == "name" else 0.5
        from .places import CAP_SEQ, _prep_before
        names = [e.text for e in self.ents if e.label_ in ("GPE", "LOC") and e.end_char > self.body_start]
        for m in CAP_SEQ.finditer(self.text, self.body_start):
            if _prep_before(self.text, m.start(1)) in ("in", "near", "at", "outside", "over"):
                names.append(m.group(1))
        for name in names:
            if name.lower() in self.lex.country_by_form:
                continue
            p = self.gaz.lookup(name, min_population=5000)
            if p and p.kind != "country":
                c[self.lex.iso_country.get(p.country_code, p.country)] += 0.5
                if p.admin1_code:
                    self.admin1_weights[(p.country_code, p.admin1_code)] = \
                        self.admin1_weights.get((p.country_code, p.admin1_code), 0) + 1.0
        if not c:
            return {}
        top = max(c.values())
        return {k: v / top for k, v in c.items()}

    @cached_property
    def country_codes(self) -> dict[str, float]:
        out = {}
        for name, w in self.country_weights.items():
            cc = self.lex.country_iso.get(name)
            if cc:
                out[cc] = w
        return out

    @cached_property
    def main_countries(self) -> list[str]:
        return [k for k, _ in sorted(self.country_weights.items(), key=lambda kv: -kv[1])]

    def country_name(self, place: Place) -> str:
        return self.lex.iso_country.get(place.country_code) or place.country

    def resolve_place(self, name: str, prefer: Optional[str] = None) -> Optional[Place]:
        key = (name, prefer)
        if key not in self._place_cache:
            self._place_cache[key] = self.gaz.lookup(name, self.country_codes, self.admin1_weights, prefer=prefer)
        return self._place_cache[key]
