"""Interaction coding on whole articles the interaction model never saw: the trigger rules alone against the
rules with the model, and the model's thresholds (interactions.MODEL_ADD / MODEL_RETYPE / MODEL_DROP).

Each whole-article batch of corpus/interactions (``articles-*.jsonl``: one line per sentence, in order, with
its acts) is held out in turn: a model is trained on every other file, the batch's articles are rebuilt and
run through the pipeline, and per sentence the acts found are compared with the acts written down (CAMEO
root, one per act; a sentence's second act is in ``more``). An act found counts as right when the sentence
holds a written act of the same root.

    .venv/bin/python bench/interactions_heldout.py [--policies]

``--policies`` also tries other thresholds, to show how the defaults were chosen.
"""
from __future__ import annotations

import argparse
import collections
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from wirewatch.event_model import EventTypeModel, read_examples  # noqa: E402
from wirewatch.extractors import Extractor  # noqa: E402
from wirewatch.extractors import interactions as I  # noqa: E402
from wirewatch.records import Article  # noqa: E402

CORPUS = ROOT / "corpus" / "interactions"
# (add, retype, drop); 2 = never
POLICIES = [(0.6, 2, 2), (0.7, 2, 2), (0.8, 2, 2), (0.9, 2, 2), (0.95, 2, 2), (0.7, 0.6, 0.9), (0.8, 0.8, 2),
            (0.9, 0.9, 2), (0.9, 2, 0.95)]


def held_out_model(held: Path) -> EventTypeModel:
    train = [f for f in sorted(CORPUS.glob("*.jsonl")) if f != held]
    cache = Path(tempfile.gettempdir()) / f"wirewatch-int-heldout-{abs(hash(tuple(f.name for f in train)))}"
    if (cache / "model.json").is_file():
        return EventTypeModel.load(cache)
    model = EventTypeModel.fit(read_examples(train, kind="interactions"))
    model.save(cache)
    return model


def calibrated(model: EventTypeModel) -> EventTypeModel:
    """The held-out model with the default model's temperature (train calibrates it on out-of-fold
    predictions; refitting that per held-out batch would take five more fits each)."""
    from wirewatch.event_model import default_model_dir
    default = default_model_dir("interactions")
    if (default / "model.json").is_file():
        model.temperature = EventTypeModel.load(default).temperature
    return model


def rebuild(path: Path) -> tuple[list[Article], list[list[tuple[int, int, list[str]]]]]:
    """The batch's articles as texts, and per article its sentences' spans and written roots."""
    arts = collections.OrderedDict()
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        arts.setdefault(r["article"], []).append(r)
    articles, spans = [], []
    for key, sents in arts.items():
        text, sp = "", []
        for s in sents:
            start = len(text)
            text += s["text"]
            roots = [a["root"] for a in [s] + s["more"] if a["root"] != "none"]
            sp.append((start, len(text), roots))
            text += "\n\n" if start == 0 else " "
        articles.append(Article(id=key, text=text, date="2025-05-10"))
        spans.append(sp)
    return articles, spans


def score(ex, articles, docs, spans) -> collections.Counter:
    c = collections.Counter()
    for a, d, sp in zip(articles, docs, spans):
        got = collections.defaultdict(list)
        for it in ex.from_doc(a, d).interactions:
            start = it.evidence[0].start
            for i, (s, t, _) in enumerate(sp):
                if s <= start < t:
                    got[i].append(it.cameo_root)
        for i, (_, _, roots) in enumerate(sp):
            want = collections.Counter(roots)
            have = collections.Counter(got[i])
            tp = sum((want & have).values())
            c["tp"] += tp
            c["fp"] += sum(have.values()) - tp
            c["fn"] += sum(want.values()) - tp
    return c


def line(c: collections.Counter) -> str:
    p, r = c["tp"] / max(c["tp"] + c["fp"], 1), c["tp"] / max(c["tp"] + c["fn"], 1)
    return f"P {p:.3f}  R {r:.3f}  F1 {2 * p * r / max(p + r, 1e-9):.3f}  (found {c['tp'] + c['fp']}, right {c['tp']})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--policies", action="store_true", help="also try other thresholds")
    args = ap.parse_args()
    batches = sorted(CORPUS.glob("articles-*.jsonl"))
    if not batches:
        sys.exit("no whole-article batches (corpus/interactions/articles-*.jsonl)")
    ex = Extractor()
    saved = (I.MODEL_ADD, I.MODEL_RETYPE, I.MODEL_DROP)
    default = tuple(2 if v is None else v for v in saved)
    policies = [default] + [p for p in POLICIES if p != default] if args.policies else [default]
    totals = collections.defaultdict(collections.Counter)
    n_art = n_sent = 0
    for path in batches:
        model = calibrated(held_out_model(path))
        articles, spans = rebuild(path)
        n_art, n_sent = n_art + len(articles), n_sent + sum(len(s) for s in spans)
        docs = list(ex.nlp.pipe([ex.masked(a.text) for a in articles], batch_size=16))
        ex._interaction_model = None
        totals["rules alone"] += score(ex, articles, docs, spans)
        ex._interaction_model = model
        for pol in policies:
            I.MODEL_ADD, I.MODEL_RETYPE, I.MODEL_DROP = pol
            totals[pol] += score(ex, articles, docs, spans)
        I.MODEL_ADD, I.MODEL_RETYPE, I.MODEL_DROP = saved
    print(f"held-out articles: {len(batches)} batches, {n_art} articles, {n_sent} sentences; "
          "acts per sentence by CAMEO root")
    for key, c in totals.items():
        name = key if isinstance(key, str) else \
            "model add {} retype {} drop {}".format(*(("never" if v > 1 else v) for v in key)) + \
            ("  (default)" if key == default else "")
        print(f"  {name:42} {line(c)}")


if __name__ == "__main__":
    main()
