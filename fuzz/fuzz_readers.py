#!/usr/bin/env python3
"""atheris target: arbitrary bytes through the article readers.

The bytes go to ``read_jsonl_stream`` (as they are, and framed by two good JSON lines
that must both come out), ``read_stdin`` and ``article_from_html`` (decoded with
errors="replace"); ``invariants.readers_one_input`` checks that only Articles and
one-line ReadErrors naming their origin come out. Any exception is a crash.

    .venv/bin/python fuzz/fuzz_readers.py -runs=2000 WORK_CORPUS fuzz/corpus/readers
(or scripts/fuzz). Replayed by tests/test_fuzz_regressions.py.
"""
import os
import sys

import atheris

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

with atheris.instrument_imports(include=["wirewatch", "invariants"]):
    import invariants
    import wirewatch.readers  # noqa: F401


def TestOneInput(data: bytes) -> None:
    invariants.run_target(invariants.readers_one_input, data)


def main() -> None:
    import trafilatura  # noqa: F401 -- imported once here, not in the first input (not instrumented)

    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
