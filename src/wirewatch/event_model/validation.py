"""Scores of an event-typing model: per-type precision, recall and F1, the confusion matrix, weighted and
macro F1, incident detection (incident or not), and calibration (expected calibration error).

Cross-validation splits by a group (country, style, or writing batch), never at random: a random split
puts near-twins of a test sentence in training and measures memory, not how the model does on text
from a country or a style it has not seen.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

import numpy as np

from .data import NONE, Example


@dataclass
class Scores:
    labels: list[str]
    per_label: dict                   # label -> {"precision", "recall", "f1", "support"}
    confusion: dict                   # gold label -> predicted label -> count
    accuracy: float
    weighted_f1: float
    macro_f1: float
    detection: dict                   # incident or not: precision, recall, f1
    typing_accuracy: Optional[float]  # right type among gold incidents the model calls incidents
    ece: Optional[float] = None       # expected calibration error of the top label's probability
    n: int = 0
    extra: dict = field(default_factory=dict)

    def summary(self) -> dict:
        out = {"n": self.n, "accuracy": round(self.accuracy, 3), "weighted_f1": round(self.weighted_f1, 3),
               "macro_f1": round(self.macro_f1, 3),
               "detection": {k: round(v, 3) for k, v in self.detection.items()},
               "typing_accuracy": None if self.typing_accuracy is None else round(self.typing_accuracy, 3)}
        if self.ece is not None:
            out["ece"] = round(self.ece, 3)
        out.update(self.extra)
        return out


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def expected_calibration_error(confidence: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    conf, ok = np.asarray(confidence, float), np.asarray(correct, float)
    if not len(conf):
        return 0.0
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(conf, edges[1:-1]), 0, bins - 1)
    err = 0.0
    for b in range(bins):
        m = idx == b
        if m.any():
            err += m.mean() * abs(conf[m].mean() - ok[m].mean())
    return float(err)


def score(gold: Sequence[str], pred: Sequence[str], confidence: Optional[Sequence[float]] = None) -> Scores:
    labels = sorted(set(gold) | set(pred), key=lambda x: (x == NONE, x))
    conf: dict = defaultdict(Counter)
    for g, p in zip(gold, pred):
        conf[g][p] += 1
    per = {}
    for lab in labels:
        tp = conf[lab][lab]
        fp = sum(conf[g][lab] for g in labels if g != lab)
        fn = sum(conf[lab][p] for p in labels if p != lab)
        p, r, f = _prf(tp, fp, fn)
        per[lab] = {"precision": p, "recall": r, "f1": f, "support": tp + fn}
    types = [lab for lab in labels if lab != NONE and per[lab]["support"]]
    support = sum(per[lab]["support"] for lab in types)
    weighted = sum(per[lab]["f1"] * per[lab]["support"] for lab in types) / support if support else 0.0
    macro = sum(per[lab]["f1"] for lab in types) / len(types) if types else 0.0
    tp = sum(1 for g, p in zip(gold, pred) if g != NONE and p != NONE)
    fp = sum(1 for g, p in zip(gold, pred) if g == NONE and p != NONE)
    fn = sum(1 for g, p in zip(gold, pred) if g != NONE and p == NONE)
    dp, dr, df = _prf(tp, fp, fn)
    typed = [(g, p) for g, p in zip(gold, pred) if g != NONE and p != NONE]
    ece = None
    if confidence is not None:
        ece = expected_calibration_error(confidence, [g == p for g, p in zip(gold, pred)])
    return Scores(labels, per, {g: dict(c) for g, c in conf.items()},
                  sum(g == p for g, p in zip(gold, pred)) / len(gold) if len(gold) else 0.0,
                  weighted, macro, {"precision": dp, "recall": dr, "f1": df},
                  sum(g == p for g, p in typed) / len(typed) if typed else None, ece, len(gold))


def group_of(example: Example, by: str) -> str:
    return {"country": example.country, "style": example.style, "batch": example.batch}[by] or "?"


def grouped_folds(examples: Sequence[Example], by: str, k: int = 5) -> list[np.ndarray]:
    """Test indices of k folds, each holding whole groups (largest groups spread first, so folds are even)."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(examples):
        groups[group_of(e, by)].append(i)
    k = min(k, len(groups))
    folds: list[list[int]] = [[] for _ in range(k)]
    for name, idx in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        min(folds, key=len).extend(idx)
    return [np.array(sorted(f)) for f in folds if f]


_FOLDS: dict = {}      # what forked fold workers read (set before the fork, so nothing is pickled)


def _fold(n: int):
    examples, fit, folds = _FOLDS["args"]
    test_set = set(folds[n].tolist())
    model = fit([e for i, e in enumerate(examples) if i not in test_set])
    return n, list(model.labels), model.predict_proba([examples[i].text for i in folds[n]])


def out_of_fold(examples: Sequence[Example], fit: Callable, by: str, k: int = 5,
                on_fold: Optional[Callable[[int, int], None]] = None,
                jobs: int = 1) -> tuple[list[str], np.ndarray, list[str]]:
    """Labels and probability rows predicted for each example by a model that never saw its group.
    ``fit(train_examples)`` returns a model with ``labels`` and ``predict_proba(texts)``. With ``jobs`` > 1
    the folds are fitted in that many forked processes (the same results, sooner)."""
    import multiprocessing

    folds = grouped_folds(examples, by, k)
    all_labels = sorted({e.label for e in examples})
    probs = np.zeros((len(examples), len(all_labels)), dtype=np.float64)
    _FOLDS["args"] = (examples, fit, folds)
    try:
        if jobs > 1 and len(folds) > 1 and "fork" in multiprocessing.get_all_start_methods():
            pool = multiprocessing.get_context("fork").Pool(min(jobs, len(folds)))
            results = pool.imap_unordered(_fold, range(len(folds)))
        else:
            pool, results = None, map(_fold, range(len(folds)))
        for done, (n, labels, p) in enumerate(results, 1):
            cols = [all_labels.index(lab) for lab in labels]
            probs[np.ix_(folds[n], cols)] = p
            if on_fold:
                on_fold(done, len(folds))
        if pool is not None:
            pool.close()
            pool.join()
    finally:
        _FOLDS.clear()
    pred = [all_labels[i] for i in probs.argmax(axis=1)]
    return pred, probs, all_labels


def fit_temperature(logprobs_fn: Callable[[float], np.ndarray], y: np.ndarray) -> float:
    """The temperature that minimises the negative log-likelihood of out-of-fold predictions."""
    best_t, best = 1.0, np.inf
    for t in np.exp(np.linspace(np.log(0.25), np.log(4.0), 41)):
        lp = logprobs_fn(float(t))
        nll = -lp[np.arange(len(y)), y].mean()
        if nll < best:
            best_t, best = float(t), nll
    return best_t


# per kind: the label column's name, what a positive is
KIND_WORDS = {"incidents": ("sub_event_type", "incident"), "interactions": ("cameo_root", "interaction"),
              "opinion": ("label", "opinion")}


def format_report(s: Scores, title: str = "", kind: str = "incidents") -> str:
    column, thing = KIND_WORDS.get(kind, KIND_WORDS["incidents"])
    lines = []
    if title:
        lines.append(title)
    lines.append(f"{column:<36}{'P':>7}{'R':>7}{'F1':>7}{'n':>7}")
    for lab in s.labels:
        v = s.per_label[lab]
        lines.append(f"{lab:<36}{v['precision']:7.3f}{v['recall']:7.3f}{v['f1']:7.3f}{v['support']:7d}")
    lines.append(f"weighted F1 {s.weighted_f1:.3f}   macro F1 {s.macro_f1:.3f}   accuracy {s.accuracy:.3f}   n {s.n}")
    d = s.detection
    lines.append(f"{thing} or not: P {d['precision']:.3f} R {d['recall']:.3f} F1 {d['f1']:.3f}"
                 + (f"   label right on detected {thing}s {s.typing_accuracy:.3f}"
                    if s.typing_accuracy is not None and kind != "opinion" else ""))
    if s.ece is not None:
        lines.append(f"calibration: expected calibration error {s.ece:.3f}")
    return "\n".join(lines)


def format_confusion(s: Scores) -> str:
    """The confusion matrix, rows gold, columns predicted, labels abbreviated to their first letters."""
    labs = s.labels
    abbr = {lab: "".join(w[0] for w in lab.replace("/", " ").split())[:4].upper() if lab != NONE else "none"
            for lab in labs}
    seen: Counter = Counter(abbr.values())
    for lab in labs:
        if seen[abbr[lab]] > 1:
            abbr[lab] = lab[:4].upper()
    width = max(5, *(len(a) + 1 for a in abbr.values()))
    lines = ["gold \\ predicted " + "".join(f"{abbr[lab]:>{width}}" for lab in labs)]
    for g in labs:
        row = s.confusion.get(g, {})
        lines.append(f"{abbr[g]:<17}" + "".join(f"{row.get(p, 0) or '.':>{width}}" for p in labs))
    lines.append("key: " + "; ".join(f"{abbr[lab]} = {lab}" for lab in labs))
    return "\n".join(lines)
