"""Shared fixtures: one Extractor per session, the CLI in a subprocess, the shared seed article."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parents[2] / "shared" / "gold" / "seed-000.json"
CLI_TIMEOUT = 300


@pytest.fixture(scope="session")
def extractor():
    """The full pipeline (spaCy, gazetteer, lexicons), loaded once per session."""
    from wirewatch.extractors import Extractor

    return Extractor()


@pytest.fixture(scope="session")
def run_cli():
    """``run_cli(*args, stdin=None, cwd=None) -> (returncode, stdout, stderr)``.

    Runs ``python -m wirewatch.cli ARGS`` in a subprocess, as a user's shell would run
    ``wirewatch ARGS``. ``stdin`` may be str or bytes; output is decoded as UTF-8.
    """

    def run(*args, stdin=None, cwd=None):
        if isinstance(stdin, str):
            stdin = stdin.encode("utf-8")
        env = dict(os.environ)
        env.setdefault("PYTHONIOENCODING", "utf-8")
        proc = subprocess.run(
            [sys.executable, "-m", "wirewatch.cli", *map(str, args)],
            input=stdin if stdin is not None else b"",
            capture_output=True,
            cwd=cwd,
            env=env,
            timeout=CLI_TIMEOUT,
        )
        return (proc.returncode, proc.stdout.decode("utf-8", errors="replace"),
                proc.stderr.decode("utf-8", errors="replace"))

    return run


@pytest.fixture(scope="session")
def seed_article():
    """The shared gold seed article (``../shared/gold/seed-000.json``); skips when absent."""
    if not SEED.is_file():
        pytest.skip(f"shared seed article not found: {SEED}")
    return json.loads(SEED.read_text(encoding="utf-8"))
