"""The learned event-typing model: training data readers, the model, its grouped cross-validation.

``train(examples)`` cross-validates by country and by style, calibrates the probabilities on the
out-of-fold predictions, fits the final model on everything and records its scores in the model;
``evaluate(model, examples)`` scores a model on labelled data.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from typing import Callable, Optional, Sequence

import numpy as np

from .data import EVENT_TYPE_OF, EVENT_TYPES, NONE, SUB_EVENT_TYPES, DataError, Example, read_examples
from .model import EventTypeModel, ModelError, Prediction, default_model_dir, load_model
from .validation import (Scores, expected_calibration_error, fit_temperature, format_confusion, format_report,
                         out_of_fold, score)

__all__ = ["EVENT_TYPE_OF", "EVENT_TYPES", "NONE", "SUB_EVENT_TYPES", "DataError", "Example", "read_examples",
           "EventTypeModel", "ModelError", "Prediction", "default_model_dir", "load_model", "Scores", "score",
           "train", "evaluate", "format_report", "format_confusion"]


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def corpus_digest(examples: Sequence[Example]) -> str:
    h = hashlib.sha256()
    for e in examples:
        h.update(f"{e.label}\t{e.text}\n".encode())
    return h.hexdigest()[:16]


def train(examples: Sequence[Example], params: Optional[dict] = None, cv_by: Sequence[str] = ("country", "style"),
          folds: int = 5, progress: Optional[Callable[[str, int, int], None]] = None,
          jobs: int = 2) -> tuple[EventTypeModel, dict]:
    """Cross-validate by each grouping in ``cv_by``, calibrate on the first one's out-of-fold predictions,
    then fit on every example. Returns the model and its scores (also stored in the model's ``info``)."""
    examples = list(examples)
    if not examples:
        raise DataError("no training examples")
    report: dict = {}
    temperature = 1.0
    steps = [by for by in cv_by if len({getattr(e, by) or "?" for e in examples}) >= 2]
    for n_by, by in enumerate(steps):
        pred, probs, labels = out_of_fold(
            examples, lambda tr: EventTypeModel.fit(tr, params), by, folds,
            on_fold=(lambda i, k, by=by: progress(f"cross-validation by {by}", i, k)) if progress else None, jobs=jobs)
        y = np.array([labels.index(e.label) for e in examples])
        gold = [e.label for e in examples]
        raw = score(gold, pred, probs.max(axis=1))
        logp = np.log(np.clip(probs, 1e-12, 1.0))
        if n_by == 0:
            temperature = fit_temperature(lambda t: _log_softmax(logp / t), y)
        cal = np.exp(_log_softmax(logp / temperature))
        s = score(gold, pred, cal.max(axis=1))
        s.extra["ece_uncalibrated"] = round(raw.ece or 0.0, 3)
        s.extra["folds"] = min(folds, len({getattr(e, by) or "?" for e in examples}))
        report[by] = s
    if progress:
        progress("fitting the final model", 0, 1)
    counts = Counter(e.label for e in examples)
    info = {"trained_on": {"examples": len(examples), "negatives": counts.get(NONE, 0),
                           "labels": dict(sorted(counts.items())), "digest": corpus_digest(examples),
                           "countries": len({e.country for e in examples if e.country})},
            "cross_validation": {by: s.summary() for by, s in report.items()}}
    model = EventTypeModel.fit(examples, params, temperature, info)
    if progress:
        progress("fitting the final model", 1, 1)
    return model, report


def evaluate(model: EventTypeModel, examples: Sequence[Example], threshold: float = 0.0) -> Scores:
    """Scores of ``model`` on labelled examples (a label below ``threshold`` probability counts as none)."""
    preds = model.predict([e.text for e in examples])
    labels = [p.label if p.probability >= threshold or p.label == NONE else NONE for p in preds]
    return score([e.label for e in examples], labels, [p.probability for p in preds])
