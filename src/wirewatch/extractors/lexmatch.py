"""Match lexicon entries (lemma sequences from the data files) against tokens."""
from __future__ import annotations

from typing import Iterable, Sequence

from spacy.tokens import Token


MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"}


FORMS_KEY = "wirewatch.lemma_forms"


class LemmaMatcher:
    """Finds multi-word lexicon entries: 'shoot down' matches 'shot down' and 'shooting down'."""

    def __init__(self, entries: Iterable[str]):
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        self.entry: dict[tuple[str, ...], str] = {}     # words -> the entry as written ("anti-tank mine")
        for e in entries:
            words = tuple(str(e).lower().replace("-", " - ").split())
            if words:
                self.by_first.setdefault(words[0], []).append(words)
                self.entry.setdefault(words, " ".join(str(e).lower().split()))
        for v in self.by_first.values():
            v.sort(key=len, reverse=True)

    @staticmethod
    def forms(tok: Token) -> tuple[str, ...]:
        if tok.ent_type_ in ("DATE", "TIME") and tok.lower_ in MONTHS:
            return ()          # "4 March 2024" is not a march
        low = tok.lower_
        # a capitalised plural the tagger took for a proper noun ("Drones also hit ...")
        if low.endswith("s") and len(low) > 3 and tok.pos_ == "PROPN":
            return tok.lemma_.lower(), low, low[:-1]
        return tok.lemma_.lower(), low

    @staticmethod
    def doc_forms(doc) -> list[tuple[str, ...]]:
        """``forms`` of every token of ``doc``, computed once per document (kept in ``doc.user_data``)."""
        cached = doc.user_data.get(FORMS_KEY)
        if cached is None or len(cached) != len(doc):
            cached = [LemmaMatcher.forms(t) for t in doc]
            doc.user_data[FORMS_KEY] = cached
        return cached

    def _forms_of(self, tokens: Sequence[Token]) -> list[tuple[str, ...]]:
        allf = self.doc_forms(tokens[0].doc)
        return [allf[t.i] for t in tokens]

    def find(self, tokens: Sequence[Token], first: bool = False) -> list[tuple[int, int, str]]:
        """(first index, end index, entry) over ``tokens`` (a list), longest first, no overlaps;
        ``first``: stop at the first match."""
        out: list[tuple[int, int, str]] = []
        n = len(tokens)
        if not n:
            return out
        fl = self._forms_of(tokens)
        by_first = self.by_first
        i = 0
        while i < n:
            hit = None
            for f in fl[i]:
                for words in by_first.get(f, ()):
                    k = len(words)
                    if i + k <= n and (hit is None or k > len(hit)) and all(
                            words[j] in fl[i + j] for j in range(1, k)):
                        hit = words
            if hit:
                out.append((i, i + len(hit), self.entry[hit]))
                if first:
                    return out
                i += len(hit)
            else:
                i += 1
        return out

    def any_in(self, tokens: Sequence[Token]) -> bool:
        return bool(self.find(tokens, first=True))
