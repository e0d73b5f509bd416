"""Incident extraction on corpus batches the model never saw: the trigger rules alone against the rules
with the event-typing model, and the model's thresholds.

Two held-out tests, each with a model trained on every other batch of corpus/incidents:

- ``--descriptions BATCH``: every line of a region batch (e.g. ``wafr``) run through the pipeline as an
  article of its own, as ACLED-style event descriptions are: for an incident line, is an incident found,
  and of the right sub-event type; for a negative, is no incident found.
- ``--articles``: the whole-article batches (``articles-*``, ``localart-*``) rebuilt as articles; per
  sentence, is an incident found whose evidence lies in it, and of the sentence's type.

    .venv/bin/python bench/pipeline_heldout.py --descriptions wafr
    .venv/bin/python bench/pipeline_heldout.py --articles [--policies] [--calibrate]

``--policies`` also tries other thresholds (add, retype) to show how they were chosen; ``--calibrate``
fits the map from the model's probability to an incident's confidence (incidents.CONFIDENCE_*).
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

from wirewatch.event_model import NONE, EventTypeModel, read_examples  # noqa: E402
from wirewatch.extractors import Extractor  # noqa: E402
from wirewatch.extractors import incidents as I  # noqa: E402
from wirewatch.records import Article  # noqa: E402

CORPUS = ROOT / "corpus" / "incidents"
POLICIES = [(0.5, 0.9), (0.6, 0.9), (0.7, 0.9), (0.8, 0.9), (0.7, 0.8), (0.7, 1.01)]


def held_out_model(held) -> EventTypeModel:
    train = [f for f in sorted(CORPUS.glob("*.jsonl")) if not held(f.name)]
    cache = Path(tempfile.gettempdir()) / f"wirewatch-heldout-{abs(hash(tuple(f.name for f in train)))}"
    if (cache / "model.json").is_file():
        return EventTypeModel.load(cache)
    model = EventTypeModel.fit(read_examples(train))
    model.save(cache)
    return model


def descriptions(batch: str, policies: bool) -> None:
    model = held_out_model(lambda name: name.startswith(batch + "-"))
    test = read_examples(sorted(CORPUS.glob(f"{batch}-*.jsonl")))
    ex = Extractor()
    arts = [Article(id=str(i), text=e.text, date="2024-06-01") for i, e in enumerate(test)]
    docs = list(ex.nlp.pipe([a.text for a in arts], batch_size=64))

    def run(m):
        ex._event_model = m
        pos = right = found = negs = fp = 0
        for e, a, d in zip(test, arts, docs):
            incs = ex.from_doc(a, d).incidents
            if e.label == NONE:
                negs, fp = negs + 1, fp + bool(incs)
            else:
                pos, found, right = pos + 1, found + bool(incs), right + any(i.sub_event_type == e.label for i in incs)
        return (f"incident lines {pos}: some incident {found / pos:.3f}, right type {right / pos:.3f} | "
                f"negatives {negs}: an incident on {fp / max(negs, 1):.3f}")

    compare(f"held-out batch {batch}: {len(test)} lines", run, model, policies)


def articles(policies: bool, calibrate: bool = False) -> None:
    held = lambda name: name.startswith(("articles-", "localart-"))  # noqa: E731
    model = held_out_model(held)
    arts = collections.OrderedDict()
    for f in sorted(CORPUS.glob("*.jsonl")):
        if held(f.name):
            for line in f.read_text(encoding="utf-8").splitlines():
                r = json.loads(line)
                arts.setdefault(r["batch"], []).append(r)
    ex = Extractor()
    articles, spans = [], []
    for key, sents in arts.items():
        text, sp = "date 2025-05-10\n", []
        for s in sents:
            start = len(text)
            text += s["text"]
            sp.append((start, len(text), s["sub_event_type"]))
            text += " "
        articles.append(Article(id=key, text=text, date="2025-05-10"))
        spans.append(sp)
    docs = list(ex.nlp.pipe([ex.masked(a.text) for a in articles], batch_size=16))

    def run(m):
        ex._event_model = m
        tp = fp = fn = right = 0
        for a, d, sp in zip(articles, docs, spans):
            got = collections.defaultdict(set)
            for inc in ex.from_doc(a, d).incidents:
                for e in inc.evidence:
                    for i, (s, t, _) in enumerate(sp):
                        if s <= e.start < t:
                            got[i].add(inc.sub_event_type)
            for i, (_, _, lab) in enumerate(sp):
                if lab != NONE and got[i]:
                    tp, right = tp + 1, right + (lab in got[i])
                elif lab != NONE:
                    fn += 1
                elif got[i]:
                    fp += 1
        p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
        return (f"sentences with an incident: P {p:.3f} R {r:.3f} F1 {2 * p * r / max(p + r, 1e-9):.3f}, "
                f"right type {right / max(tp + fn, 1):.3f}")

    compare(f"held-out articles: {len(articles)} articles, {sum(len(s) for s in spans)} sentences", run, model,
            policies)
    if calibrate:
        fit_confidence(ex, model, articles, docs, spans)


def fit_confidence(ex, model, articles, docs, spans) -> None:
    """Fit the incident confidence map (incidents.CONFIDENCE_A/B/C) on the held-out articles: an incident
    is right when the sentence its evidence starts in is labelled with its type."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from wirewatch.event_model.validation import expected_calibration_error

    saved = I.CONFIDENCE_A, I.CONFIDENCE_B, I.CONFIDENCE_C
    I.CONFIDENCE_A, I.CONFIDENCE_B, I.CONFIDENCE_C = 1.0, 0.0, 0.0      # confidence = the model's probability
    ex._event_model = model
    rows, right = [], []
    for a, d, sp in zip(articles, docs, spans):
        for inc in ex.from_doc(a, d).incidents:
            lab = next((lab for s, t, lab in sp if s <= inc.evidence[0].start < t), NONE)
            p = min(max(inc.confidence, 1e-4), 1 - 1e-4)
            by_model = all(t.startswith("model weighed") for t in inc.triggers)
            rows.append([np.log(p / (1 - p)), float(by_model)])
            right.append(lab == inc.sub_event_type)
    X, y = np.array(rows), np.array(right)
    fit = LogisticRegression(C=100.0).fit(X, y)
    (a_, c_), b_ = fit.coef_[0], fit.intercept_[0]
    I.CONFIDENCE_A, I.CONFIDENCE_B, I.CONFIDENCE_C = saved
    after = 1 / (1 + np.exp(-(a_ * X[:, 0] + b_ + c_ * X[:, 1])))
    print(f"incident confidence on {len(y)} incidents ({y.mean():.3f} right): expected calibration error "
          f"{expected_calibration_error(1 / (1 + np.exp(-X[:, 0])), y):.3f} as the model's probability, "
          f"{expected_calibration_error(after, y):.3f} mapped")
    print(f"  CONFIDENCE_A, CONFIDENCE_B, CONFIDENCE_C = {a_:.3f}, {b_:.3f}, {c_:.3f}")


def compare(title: str, run, model, policies: bool) -> None:
    """The rules alone, the rules with the model, and (``policies``) other thresholds."""
    print(title)
    print(f"  rules alone          {run(None)}")
    print(f"  rules + model        {run(model)}")
    if policies:
        saved = I.MODEL_ADD, I.MODEL_OVERRIDE
        for add, override in POLICIES:
            I.MODEL_ADD, I.MODEL_OVERRIDE = add, override
            print(f"  add {add:.2f} retype {override:.2f}  {run(model)}")
        I.MODEL_ADD, I.MODEL_OVERRIDE = saved


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--descriptions", metavar="BATCH", help="a region batch: ukr-rus, eur-cau, mena, wafr, ecsafr, "
                    "sasia, asiapac, amer")
    ap.add_argument("--articles", action="store_true", help="the whole-article batches")
    ap.add_argument("--policies", action="store_true", help="also try other thresholds")
    ap.add_argument("--calibrate", action="store_true", help="--articles: fit the incident confidence map")
    args = ap.parse_args()
    if args.descriptions:
        descriptions(args.descriptions, args.policies)
    if args.articles:
        articles(args.policies, args.calibrate)
    if not (args.descriptions or args.articles):
        ap.error("give --descriptions BATCH and/or --articles")


if __name__ == "__main__":
    main()
