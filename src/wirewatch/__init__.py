"""wirewatch: news articles in, evidence-backed event records out.

    >>> import wirewatch
    >>> result = wirewatch.extract("Russian drones hit Kharkiv overnight.", date="2025-03-14")
    >>> result.incidents[0].sub_event_type
    'Air/drone strike'
"""
from __future__ import annotations

from typing import Optional

from .records import (Article, ArticleResult, Claim, Contradiction, Evidence, Incident, Interaction,
                      Opinion, Quote)

__version__ = "0.1.0"

_default = None


def extract(text: str, date: Optional[str] = None, id: str = "article", title: Optional[str] = None,
            source: Optional[str] = None, url: Optional[str] = None) -> ArticleResult:
    """Extract every record from one article's text; ``date`` (YYYY-MM-DD) anchors relative dates."""
    global _default
    from .extractors import Extractor

    if _default is None:
        _default = Extractor()
    return _default.extract(Article(id=id, text=text, date=date, title=title, source=source, url=url))


def __getattr__(name: str):
    if name == "Store":          # imported on use: extraction alone needs no database packages
        from .store import Store
        return Store
    raise AttributeError(f"module 'wirewatch' has no attribute {name!r}")


__all__ = ["extract", "Store", "Article", "ArticleResult", "Incident", "Interaction", "Quote", "Claim", "Opinion",
           "Contradiction", "Evidence", "__version__"]
