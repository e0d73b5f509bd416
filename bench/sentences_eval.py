"""Score the extractor on tests/fixtures/sentences.yaml (labelled one-sentence snippets).

Prints per-item mismatches (with -v) and overall incident precision/recall and
field accuracy. Usage: python bench/sentences_eval.py [-v]
"""
import sys
from pathlib import Path

import yaml

from wirewatch.extractors import Extractor
from wirewatch.records import Article

FIELDS = ["event_type", "sub_event_type", "event_date", "actor1", "actor2", "country", "admin1", "location", "fatalities"]


def norm(v):
    return "" if v is None else str(v).lower().replace("oblast", "").replace("region", "").strip()


def main():
    verbose = "-v" in sys.argv
    items = yaml.safe_load(Path(__file__).resolve().parents[1].joinpath("tests/fixtures/sentences.yaml").read_text())
    ex = Extractor()
    tp = fp = fn = 0
    field_ok = {f: 0 for f in FIELDS}
    matched = 0
    for i, it in enumerate(items):
        r = ex.extract(Article(id=str(i), text=it["text"], date=str(it["date"])))
        gold = it.get("incidents") or []
        pred = list(r.incidents)
        used = set()
        for g in gold:
            best = None
            for j, p in enumerate(pred):
                if j in used:
                    continue
                if p.event_type == g["event_type"]:
                    best = j
                    break
            if best is None:
                fn += 1
                if verbose:
                    print(f"MISS {i}: {it['text'][:110]!r}\n      want {g['sub_event_type']} @ {g.get('location')}")
                continue
            used.add(best)
            tp += 1
            matched += 1
            p = pred[best]
            bad = []
            for f in FIELDS:
                gv, pv = norm(g.get(f)), norm(getattr(p, f))
                ok = gv == pv or (f in ("actor1", "actor2", "location", "admin1") and gv and pv and (gv in pv or pv in gv))
                field_ok[f] += bool(ok)
                if not ok:
                    bad.append(f"{f}: want {g.get(f)!r} got {getattr(p, f)!r}")
            if bad and verbose:
                print(f"FIELDS {i}: {it['text'][:110]!r}\n      " + "\n      ".join(bad))
        for j, p in enumerate(pred):
            if j not in used:
                fp += 1
                if verbose:
                    print(f"EXTRA {i}: {it['text'][:110]!r}\n      got {p.sub_event_type} @ {p.location} {p.event_date}")
    prec = tp / (tp + fp) if tp + fp else 0
    rec = tp / (tp + fn) if tp + fn else 0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0
    print(f"items {len(items)}  incidents: P {prec:.3f} R {rec:.3f} F1 {f1:.3f} (tp {tp}, fp {fp}, fn {fn})")
    for f in FIELDS:
        print(f"  {f:<15} {field_ok[f] / matched if matched else 0:.3f}")


if __name__ == "__main__":
    main()
