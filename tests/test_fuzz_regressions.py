"""Fuzz findings stay fixed: every input saved under fuzz/crashes/{readers,extract}/ is replayed
through the same invariant checks as the atheris targets (fuzz/invariants.py); and a short run of
the readers fuzzer (scripts/fuzz) finds nothing."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "fuzz"))
import invariants  # noqa: E402  (fuzz/invariants.py)

CRASHES = ROOT / "fuzz" / "crashes"


def _saved(target: str) -> list[Path]:
    d = CRASHES / target
    return sorted(p for p in d.iterdir() if p.is_file() and not p.name.startswith(("README", ".")))


def _params(target: str):
    files = _saved(target)
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no saved {target} crashes"), id="none")]
    return [pytest.param(p, id=p.name) for p in files]


def test_crash_directories_exist():
    for target in ("readers", "extract"):
        assert (CRASHES / target / "README").is_file()


@pytest.mark.parametrize("path", _params("readers"))
def test_replay_readers_crash(path):
    invariants.readers_one_input(path.read_bytes())


@pytest.mark.parametrize("path", _params("extract"))
def test_replay_extract_crash(extractor, path):
    invariants.extract_one_input(extractor, path.read_bytes())


def test_short_readers_fuzz_run(tmp_path):
    """scripts/fuzz with 300 runs of the readers target exits 0 (crash inputs go to tmp_path, not
    the repository)."""
    env = dict(os.environ, FUZZ_ARTIFACTS=str(tmp_path / "crashes"), FUZZ_WORK=str(tmp_path / "work"),
               PYTHON=sys.executable, FUZZ_ARGS="-seed=1")
    proc = subprocess.run(["bash", str(ROOT / "scripts" / "fuzz"), "300", "readers"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
    found = sorted(p.name for p in (tmp_path / "crashes" / "readers").glob("*"))
    assert proc.returncode == 0, f"scripts/fuzz exited {proc.returncode}; saved {found}\n{tail}"
    assert "Done 300 runs" in proc.stderr, tail


def test_short_extract_fuzz_run(tmp_path):
    """scripts/fuzz with 150 runs of the extraction target exits 0: CI fuzzes the extractor too."""
    env = dict(os.environ, FUZZ_ARTIFACTS=str(tmp_path / "crashes"), FUZZ_WORK=str(tmp_path / "work"),
               PYTHON=sys.executable, FUZZ_ARGS="-seed=1")
    proc = subprocess.run(["bash", str(ROOT / "scripts" / "fuzz"), "150", "extract"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
    assert proc.returncode == 0, f"scripts/fuzz exited {proc.returncode}\n{tail}"
    assert "Done 150 runs" in proc.stderr, tail
