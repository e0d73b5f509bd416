"""Match lexicon entries (lemma sequences from the data files) against tokens."""
from __future__ import annotations

from typing import Iterable, Sequence

from spacy.tokens import Token


MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"}


class LemmaMatcher:
    """Finds multi-word lexicon entries: 'shoot down' matches 'shot down' and 'shooting down'."""

    def __init__(self, entries: Iterable[str]):
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        for e in entries:
            words = tuple(str(e).lower().replace("-", " - ").split())
            if words:
                self.by_first.setdefault(words[0], []).append(words)
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

    def find(self, tokens: Sequence[Token]) -> list[tuple[int, int, str]]:
        """(first index, end index, entry) over ``tokens`` (a list), longest first, no overlaps."""
        out = []
        i = 0
        n = len(tokens)
        while i < n:
            hit = None
            for first in set(self.forms(tokens[i])):
                for words in self.by_first.get(first, ()):
                    if i + len(words) <= n and all(w in self.forms(tokens[i + k]) for k, w in enumerate(words)):
                        if hit is None or len(words) > len(hit):
                            hit = words
            if hit:
                out.append((i, i + len(hit), " ".join(hit)))
                i += len(hit)
            else:
                i += 1
        return out

    def any_in(self, tokens: Sequence[Token]) -> bool:
        return bool(self.find(tokens))
