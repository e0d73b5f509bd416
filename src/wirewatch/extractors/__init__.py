"""The extraction pipeline: Article -> parsed document -> records.

``Extractor`` holds what is loaded once (spaCy pipeline, gazetteer, lexicons);
``Extractor.extract(article)`` is a pure call from an article to its records.
"""
from __future__ import annotations

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


class Extractor:
    def __init__(self, settings: Optional[Settings] = None, nlp=None, gazetteer: Optional[Gazetteer] = None,
                 lexicon: Optional[Lexicon] = None):
        self.settings = settings or Settings.load()
        self._nlp = nlp
        self.lexicon = lexicon or Lexicon(self.settings.lexicon_dir)
        self.gazetteer = gazetteer or Gazetteer(index_path(self.settings.cache_dir),
                                                countries_yaml=self.lexicon.countries)

    @property
    def nlp(self):
        if self._nlp is None:
            self._nlp = load_pipeline(self.settings.spacy_model)
        return self._nlp

    @staticmethod
    def masked(text: str) -> str:
        """The text with a leading 'date YYYY-MM-DD' header blanked (offsets unchanged)."""
        _, _, end = split_date_header(text)
        return " " * end + text[end:] if end else text

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
        opinion = mark_opinion(pa)
        qx = QuoteExtractor(pa, actors)
        quotes = qx.extract()
        claims = ClaimExtractor(pa, quotes).extract()
        contradictions = find_contradictions(pa, claims)
        incidents = IncidentExtractor(pa, actors, quotes).extract()
        direct = [(q.start, q.end) for q in qx.direct_spans()]
        interactions = InteractionExtractor(pa, actors).extract(direct)
        return ArticleResult(article=article, incidents=incidents, interactions=interactions, quotes=quotes,
                             claims=claims, opinion=opinion, contradictions=contradictions)
