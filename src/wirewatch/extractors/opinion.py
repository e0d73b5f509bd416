"""Opinion sentences: the outlet's own judgement, not a report of what happened."""
from __future__ import annotations

import re
from typing import Optional

from ..lexicon import trie_pattern

from ..records import Opinion
from .context import ParsedArticle

ATTRIBUTION = re.compile(r"\b(said|says|told|according to|wrote|added|stated|claimed|announced)\b", re.I)


def opinion_cues(lex) -> Optional[re.Pattern]:
    """The opinion cues of a lexicon as one pattern (compiled once per lexicon, kept on it)."""
    if "_opinion_rx" not in lex.__dict__:
        cues = [str(c) for c in lex.speech.get("opinion_cues") or []]
        lex.__dict__["_opinion_rx"] = re.compile(
            r"(?<!\w)(?:" + trie_pattern(cues, lower=True) + r")(?!\w)", re.I) if cues else None
    return lex.__dict__["_opinion_rx"]


def mark_opinion(pa: ParsedArticle) -> list[Opinion]:
    rx = opinion_cues(pa.lex)
    out = []
    for s in pa.sentences:
        text = s.text
        if rx is None or ATTRIBUTION.search(text) or "“" in text or '"' in text:
            continue
        m = rx.search(text)
        if m:
            s.opinion = True
            out.append(Opinion(text=pa.text[s.start:s.end].strip(), evidence=[pa.ev(s.start, s.end)],
                               triggers=[m.group(0)]))
    return out
