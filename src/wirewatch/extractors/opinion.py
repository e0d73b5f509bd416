"""Opinion sentences: the outlet's own judgement, not a report of what happened."""
from __future__ import annotations

import re
from typing import Optional

from ..lexicon import trie_pattern

from ..records import Opinion
from .context import ParsedArticle

ATTRIBUTION = re.compile(r"\b(said|says|told|according to|wrote|added|stated|claimed|announced)\b", re.I)
# a cue after one of these is someone else's demand reported ("demanded that aid must be cut off")
REPORTED_DEMAND = re.compile(r"\b(demand|insist|urg|warn|ask|call(?:ed|ing|s)? (?:for|on))\w*\b", re.I)


def opinion_cues(lex) -> Optional[re.Pattern]:
    """The opinion cues of a lexicon as one pattern (compiled once per lexicon, kept on it)."""
    if "_opinion_rx" not in lex.__dict__:
        cues = [str(c) for c in lex.speech.get("opinion_cues") or []]
        lex.__dict__["_opinion_rx"] = re.compile(
            r"(?<!\w)(?:" + trie_pattern(cues, lower=True) + r")(?!\w)", re.I) if cues else None
    return lex.__dict__["_opinion_rx"]


# the opinion model adds a sentence the cue words miss when it is this sure, and the sentence is long enough
# to carry a judgement (short factual lines, "No one was hurt.", are where it errs)
MODEL_OPINION = 0.97
MODEL_MIN_WORDS = 12


def mark_opinion(pa: ParsedArticle, model=None, event_model=None) -> list[Opinion]:
    """Sentences in the outlet's own voice: an opinion cue ("it is a clear sign that"), or the opinion
    model's verdict; never an attributed or quoted sentence (a quote). The opinion model's verdict alone
    does not take a sentence the event-typing model reads as an incident ("a drone hit a depot, but no
    one was hurt"): an opinion sentence yields no incident."""
    rx = opinion_cues(pa.lex)
    sents = [s for s in pa.sentences if s.end > pa.body_start]
    probs = {}
    if model is not None and sents:
        texts = [pa.text[max(s.start, pa.body_start):s.end].strip() for s in sents]
        probs = {s.index: p.probabilities.get("opinion", 0.0) for s, p in zip(sents, model.predict(texts))}
        if event_model is not None:
            candidates = [(s, t) for s, t in zip(sents, texts) if probs[s.index] >= MODEL_OPINION]
            for (s, _), p in zip(candidates, event_model.predict([t for _, t in candidates]) if candidates else []):
                if p.label != "none" and p.probability >= 0.5:
                    probs[s.index] = 0.0
    out = []
    for s in pa.sentences:
        text = s.text
        if ATTRIBUTION.search(text) or "“" in text or '"' in text:
            continue
        m = rx.search(text) if rx is not None else None
        if m and REPORTED_DEMAND.search(text, 0, m.start()):
            m = None
        p = probs.get(s.index, 0.0)
        # a sentence with a figure in it reports one: the model's verdict alone does not make it opinion
        if m or (p >= MODEL_OPINION and len(text.split()) >= MODEL_MIN_WORDS and not re.search(r"\d", text)):
            s.opinion = True
            out.append(Opinion(text=pa.text[s.start:s.end].strip(), evidence=[pa.ev(s.start, s.end)],
                               triggers=[m.group(0) if m else f"model {p:.2f}"]))
    return out
