#!/usr/bin/env python3
"""Markdown tables of the training corpus for its datasheet (corpus/README.md): examples per sub-event
type and style, per batch, and per country.

    .venv/bin/python scripts/corpus_tables.py [corpus/incidents]
"""
from __future__ import annotations

import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from wirewatch.event_model import NONE, SUB_EVENT_TYPES, read_examples  # noqa: E402
from wirewatch.event_model.data import near_duplicates  # noqa: E402



def main() -> None:
    examples = read_examples([sys.argv[1] if len(sys.argv) > 1 else ROOT / "corpus" / "incidents"])
    by = defaultdict(Counter)
    for e in examples:
        by[e.label][e.style] += 1
    styles = ["coder", "wire", "local"]
    pos = [e for e in examples if e.label != NONE]
    print(f"{len(examples)} examples: {len(pos)} incidents over {len({e.label for e in pos})} sub-event types, "
          f"{len(examples) - len(pos)} negatives, {len({e.country for e in examples})} countries, "
          f"{len(near_duplicates(examples))} near-duplicate pairs (80% of words shared)\n")
    print("| sub-event type | " + " | ".join(styles) + " | all |")
    print("|---|" + "---:|" * (len(styles) + 1))
    for lab in SUB_EVENT_TYPES + [NONE]:
        c = by[lab]
        print(f"| {lab} | " + " | ".join(str(c[s]) for s in styles) + f" | {sum(c.values())} |")
    tot = Counter()
    for c in by.values():
        tot.update(c)
    print("| **all** | " + " | ".join(str(tot[s]) for s in styles) + f" | {sum(tot.values())} |\n")
    batches = Counter()
    for e in examples:
        batches[e.batch.split("-")[0] if e.batch[-2:].isdigit() else e.batch] += 1
    print("Batches (writer and region): " + ", ".join(f"{b} {n}" for b, n in sorted(batches.items())) + "\n")
    countries = Counter(e.country for e in examples)
    print("Countries (examples): " + ", ".join(f"{c} {n}" for c, n in countries.most_common()))


if __name__ == "__main__":
    main()
