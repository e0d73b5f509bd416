"""Opinion sentences: the outlet's own judgement, not a report of what happened."""
from __future__ import annotations

import re

from ..records import Opinion
from .context import ParsedArticle

ATTRIBUTION = re.compile(r"\b(said|says|told|according to|wrote|added|stated|claimed|announced)\b", re.I)


def mark_opinion(pa: ParsedArticle) -> list[Opinion]:
    cues = [c.lower() for c in pa.lex.speech.get("opinion_cues") or []]
    rx = re.compile("|".join(r"(?<!\w)" + re.escape(c) + r"(?!\w)" for c in cues), re.I) if cues else None
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
