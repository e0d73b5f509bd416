"""The extraction pipeline: Article -> parsed document -> records.

``Extractor`` holds what is loaded once (spaCy pipeline, gazetteer, lexicons);
``Extractor.extract(article)`` is a pure call from an article to its records.
"""
from __future__ import annotations

import re
from typing import Iterable, Iterator, Optional

from ..gazetteer import Gazetteer, index_path
from ..lexicon import Lexicon
from ..nlp import load_pipeline
from ..readers import split_date_header
from ..records import Article, ArticleResult
from ..settings import Settings
from .actors import ActorCoder
from .claims import ClaimExtractor, find_contradictions
from .context import ParsedArticle
from .incidents import IncidentExtractor
from .interactions import InteractionExtractor
from .opinion import mark_opinion
from .quotes import QuoteExtractor


LONG_RUN = 200     # no word in an article is this long; URLs and hashes rarely are
LONG_RUN_RX = re.compile(r"\S{%d,}" % (LONG_RUN + 1))


def _break_run(m: re.Match) -> str:
    chars = list(m.group(0))
    for i in range(LONG_RUN, len(chars), LONG_RUN + 1):
        chars[i] = " "
    return "".join(chars)


class Extractor:
    def __init__(self, settings: Optional[Settings] = None, nlp=None, gazetteer: Optional[Gazetteer] = None,
                 lexicon: Optional[Lexicon] = None):
        self.settings = settings or Settings.load()
        self._nlp = nlp
        self._event_model = False
        self.lexicon = lexicon or Lexicon(self.settings.lexicon_dir)
        self.gazetteer = gazetteer or Gazetteer(index_path(self.settings.cache_dir),
                                                countries_yaml=self.lexicon.countries)

    @property
    def event_model(self):
        """The event-typing model of the settings (loaded once), or None: the trigger rules alone."""
        if self._event_model is False:
            from ..event_model import load_model
            self._event_model = load_model(self.settings.event_model)
        return self._event_model

    @property
    def opinion_model(self):
        """The opinion model `make model` builds (loaded once), or None: the cue words alone (also when the
        event-typing model is switched off with "none", the rules-alone mode)."""
        if getattr(self, "_opinion_model", False) is False:
            from ..event_model import default_model_dir, load_model
            off = self.settings.event_model is not None and str(self.settings.event_model).lower() == "none"
            where = default_model_dir("opinion")
            self._opinion_model = None if off or not (where / "model.json").is_file() else load_model(where)
        return self._opinion_model

    @property
    def interaction_model(self):
        """The CAMEO-root model of the settings ($WIREWATCH_INTERACTION_MODEL), else the default one `make model`
        builds (loaded once); None ("none", the rules-alone mode, or not built): the trigger rules alone."""
        if getattr(self, "_interaction_model", False) is False:
            from ..event_model import default_model_dir, load_model
            where = self.settings.interaction_model
            off = any(w is not None and str(w).lower() == "none"
                      for w in (where, self.settings.event_model))
            if where is None and not off:
                where = default_model_dir("interactions")
                where = where if (where / "model.json").is_file() else None
            self._interaction_model = load_model(where) if where and not off else None
        return self._interaction_model

    @property
    def nlp(self):
        if self._nlp is None:
            self._nlp = load_pipeline(self.settings.spacy_model)
        return self._nlp

    @staticmethod
    def masked(text: str) -> str:
        """The text spaCy parses: a leading 'date YYYY-MM-DD' header blanked, and a space put every
        ``LONG_RUN`` characters into runs of more than ``LONG_RUN`` characters without one (spaCy's
        tokenizer takes quadratic time on a long run of punctuation: 20,000 '!?' take ~30 s). Offsets
        are unchanged: every character keeps its place, a few become spaces."""
        _, _, end = split_date_header(text)
        out = " " * end + text[end:] if end else text
        if len(out) > LONG_RUN and LONG_RUN_RX.search(out):
            out = LONG_RUN_RX.sub(_break_run, out)
        return out

    def extract(self, article: Article) -> ArticleResult:
        return self.from_doc(article, self.nlp(self.masked(article.text)))

    def extract_many(self, articles: Iterable[Article]) -> Iterator[ArticleResult]:
        """Batch through ``nlp.pipe``; results in input order."""
        arts = iter(articles)
        docs = self.nlp.pipe(((self.masked(a.text), a) for a in arts), as_tuples=True,
                             batch_size=self.settings.batch_size)
        for doc, article in docs:
            yield self.from_doc(article, doc)

    def from_doc(self, article: Article, doc) -> ArticleResult:
        pa = ParsedArticle(article, doc, self.lexicon, self.gazetteer)
        actors = ActorCoder(pa)
        opinion = mark_opinion(pa, self.opinion_model, self.event_model)
        qx = QuoteExtractor(pa, actors)
        quotes = qx.extract()
        claims = ClaimExtractor(pa, quotes).extract()
        contradictions = find_contradictions(pa, claims)
        incidents = IncidentExtractor(pa, actors, quotes, self.event_model).extract()
        direct = [(q.start, q.end) for q in qx.direct_spans()]
        interactions = InteractionExtractor(pa, actors, self.interaction_model).extract(direct)
        return ArticleResult(article=article, incidents=incidents, interactions=interactions, quotes=quotes,
                             claims=claims, opinion=opinion, contradictions=contradictions)
