"""Show unmatched gold and predicted records per article (development aid).
Usage: python bench/gold_diff.py GOLD_DIR PRED.jsonl [kind]"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared" / "eval"))
import score  # noqa: E402

gold = score.load_gold([sys.argv[1]])
pred = score.load_pred(sys.argv[2])
kind = sys.argv[3] if len(sys.argv) > 3 else "incidents"
sim = score.KINDS[kind]
KEYS = {"incidents": ["event_date", "sub_event_type", "actor1", "actor2", "admin1", "location", "fatalities", "is_background"],
        "interactions": ["cameo_root", "source_actor", "target_actor"], "quotes": ["speaker", "text"],
        "claims": ["value", "unit", "reported_by"], "opinion": []}


def show(r):
    if isinstance(r, str):
        return r[:150]
    ev = [e["text"] if isinstance(e, dict) else e for e in r.get("evidence") or []]
    return " | ".join(str(r.get(k)) for k in KEYS[kind]) + "  <<" + (ev[0][:110] if ev else "") + ">>"


for g in gold:
    p = pred.get(g["id"], {})
    gl, pl = g.get(kind) or [], p.get(kind) or []
    m = score.match(gl, pl, sim)
    mg = {id(a) for a, _ in m}
    mp = {id(b) for _, b in m}
    miss = [x for x in gl if id(x) not in mg]
    extra = [x for x in pl if id(x) not in mp]
    if not miss and not extra:
        continue
    print(f"=== {g['id']}")
    for x in miss:
        print("  MISS ", show(x))
    for x in extra:
        print("  EXTRA", show(x))
