#!/usr/bin/env python3
"""atheris target: arbitrary text through the extractor.

The bytes become an article date (one of ``invariants.ARTICLE_DATES``) and a text
(``FuzzedDataProvider.ConsumeUnicodeNoSurrogates``, at most 20,000 characters);
``invariants.extract_one_input`` extracts it and checks that every evidence span is
``article.text[start:end]``, figures are finite and dates are ISO dates. Any exception
is a crash. The spaCy pipeline and the gazetteer are loaded once, before fuzzing.

    .venv/bin/python fuzz/fuzz_extract.py -runs=300 WORK_CORPUS fuzz/corpus/extract
(or scripts/fuzz). Replayed by tests/test_fuzz_regressions.py.
"""
import os
import sys

import atheris

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

with atheris.instrument_imports(include=["wirewatch", "invariants"]):
    import invariants
    from wirewatch.extractors import Extractor

EXTRACTOR = None


def TestOneInput(data: bytes) -> None:
    invariants.run_target(invariants.extract_one_input, EXTRACTOR, data)


def main() -> None:
    global EXTRACTOR
    EXTRACTOR = Extractor()
    EXTRACTOR.nlp  # noqa: B018 -- load spaCy now
    invariants.extract_and_check(EXTRACTOR, "Drones struck Kharkiv on Monday, killing two people, officials said.")
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
