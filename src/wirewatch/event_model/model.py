"""The event-typing model: does a sentence report an incident, and of which ACLED sub-event type?

A multinomial logistic regression over TF-IDF word 1-2-grams and character 3-5-grams (within word
boundaries), chosen by grouped cross-validation against MiniLM sentence embeddings and spaCy's
textcat (see corpus/README.md). Its probabilities are temperature-scaled on out-of-fold predictions,
so ``confidence`` means what it says. A linear model also explains itself: the words that weighed
most for a decision are the largest ``tf-idf x weight`` products.

A model directory holds plain files, no pickle (nothing in it runs code when loaded):
``model.json`` (labels, settings, temperature, what it was trained on, its cross-validated scores),
``vocabulary.json`` (the n-grams), ``coef.npy``, ``intercept.npy``, ``idf.npy``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from .data import Example

FORMAT = "wirewatch-event-model/1"
FILES = ("model.json", "vocabulary.json", "coef.npy", "intercept.npy", "idf.npy")
DEFAULT_PARAMS = {"C": 16.0, "word_ngrams": [1, 2], "char_ngrams": [3, 5], "min_df": 2, "max_iter": 300,
                  "seed": 13}


class ModelError(ValueError):
    """A model directory that cannot be loaded (missing files, wrong format)."""


def default_model_dir(kind: str = "incidents") -> Path:
    """Where `make model` puts the default model of a kind: inside the package (``default`` for incidents,
    ``default-interactions``, ``default-opinion``)."""
    here = Path(__file__).resolve().parent
    return here / "default" if kind == "incidents" else here / f"default-{kind}"


def _vectorizers(params: dict):
    from sklearn.feature_extraction.text import TfidfVectorizer
    w1, w2 = params["word_ngrams"]
    c1, c2 = params["char_ngrams"]
    word = TfidfVectorizer(analyzer="word", ngram_range=(w1, w2), min_df=params["min_df"], lowercase=True,
                           sublinear_tf=True, token_pattern=r"(?u)\b\w[\w'/-]*\b", dtype=np.float32)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(c1, c2), min_df=params["min_df"], lowercase=True,
                           sublinear_tf=True, dtype=np.float32)
    return word, char


@dataclass
class Prediction:
    label: str                      # a sub-event type or NONE
    probability: float              # calibrated probability of ``label``
    probabilities: dict             # every label's probability


class EventTypeModel:
    def __init__(self, labels: list[str], vocabulary: list[str], n_word: int, coef: np.ndarray,
                 intercept: np.ndarray, idf: np.ndarray, params: dict, temperature: float = 1.0,
                 info: Optional[dict] = None):
        self.labels = labels
        self.vocabulary = vocabulary
        self.n_word = n_word            # the first n_word features are word n-grams, the rest character n-grams
        self.coef = coef.astype(np.float32)
        self.intercept = intercept.astype(np.float32)
        self.idf = idf.astype(np.float32)
        self.params = params
        self.temperature = float(temperature)
        self.info = info or {}
        self._vec = None

    # ---------------------------------------------------------------- training
    @classmethod
    def fit(cls, examples: Sequence[Example], params: Optional[dict] = None, temperature: float = 1.0,
            info: Optional[dict] = None) -> "EventTypeModel":
        from scipy.sparse import hstack
        from sklearn.linear_model import LogisticRegression

        params = {**DEFAULT_PARAMS, **(params or {})}
        texts = [e.text for e in examples]
        labels = sorted({e.label for e in examples})
        if len(labels) < 2:
            raise ValueError("training needs at least two labels (sub-event types or negatives)")
        y = np.array([labels.index(e.label) for e in examples])
        word, char = _vectorizers(params)
        X = hstack([word.fit_transform(texts), char.fit_transform(texts)]).tocsr()
        clf = LogisticRegression(C=params["C"], max_iter=params["max_iter"], random_state=params["seed"])
        clf.fit(X, y)
        vocab = [t for t, _ in sorted(word.vocabulary_.items(), key=lambda kv: kv[1])]
        vocab += [t for t, _ in sorted(char.vocabulary_.items(), key=lambda kv: kv[1])]
        idf = np.concatenate([word.idf_, char.idf_])
        coef, intercept = clf.coef_, clf.intercept_
        if coef.shape[0] == 1 and len(labels) == 2:
            # two labels (opinion or not): scikit-learn keeps one row for the second label; the softmax over
            # (0, score) is the same probability, so every kind is stored and read the same way
            coef = np.vstack([np.zeros_like(coef), coef])
            intercept = np.concatenate([np.zeros_like(intercept), intercept])
        return cls(labels, vocab, len(word.vocabulary_), coef, intercept, idf, params, temperature, info)

    # ------------------------------------------------------------- prediction
    def _vectorizer(self):
        if self._vec is None:
            word, char = _vectorizers(self.params)
            word.vocabulary = {t: i for i, t in enumerate(self.vocabulary[:self.n_word])}
            char.vocabulary = {t: i for i, t in enumerate(self.vocabulary[self.n_word:])}
            # a fixed vocabulary needs fitting once (it only records the vocabulary); then the saved idf
            word.fit([""]), char.fit([""])
            word.idf_ = self.idf[:self.n_word]
            char.idf_ = self.idf[self.n_word:]
            self._vec = (word, char)
        return self._vec

    def features(self, texts: Sequence[str]):
        from scipy.sparse import hstack
        word, char = self._vectorizer()
        return hstack([word.transform(texts), char.transform(texts)]).tocsr()

    def scores(self, texts: Sequence[str], X=None) -> np.ndarray:
        """Raw class scores; ``X``: the texts' features when already computed (``features``)."""
        X = self.features(texts) if X is None else X
        return np.asarray(X @ self.coef.T) + self.intercept

    def predict_proba(self, texts: Sequence[str], X=None) -> np.ndarray:
        z = self.scores(texts, X) / self.temperature
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, texts: Sequence[str], X=None) -> list[Prediction]:
        if not texts:
            return []
        probs = self.predict_proba(texts, X)
        out = []
        for row in probs:
            k = int(row.argmax())
            out.append(Prediction(self.labels[k], float(row[k]), {lab: float(v) for lab, v in zip(self.labels, row)}))
        return out

    def explain(self, text: str, label: str, top: int = 6, row=None) -> list[str]:
        """The n-grams of ``text`` that weighed most for ``label`` (largest tf-idf x weight, positive);
        ``row``: the text's features when already computed."""
        if label not in self.labels:
            return []
        k = self.labels.index(label)
        row = self.features([text]).getrow(0) if row is None else row
        contrib = row.data * self.coef[k, row.indices]
        order = np.argsort(-contrib)
        words, chars = [], []
        for i in order:
            if contrib[i] <= 0:
                break
            j = int(row.indices[i])
            term = self.vocabulary[j]
            if j < self.n_word:
                words.append(term)
            else:
                term = term.strip()
                if len(term) >= 3 and not any(term in w for w in words + chars):
                    chars.append(term)
            if len(words) >= top:
                break
        return (words + [f"~{c}" for c in chars])[:top]

    # ------------------------------------------------------------- persistence
    def save(self, directory) -> Path:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        np.save(d / "coef.npy", self.coef, allow_pickle=False)
        np.save(d / "intercept.npy", self.intercept, allow_pickle=False)
        np.save(d / "idf.npy", self.idf, allow_pickle=False)
        (d / "vocabulary.json").write_text(json.dumps(self.vocabulary, ensure_ascii=False), encoding="utf-8")
        meta = {"format": FORMAT, "labels": self.labels, "n_word_features": self.n_word, "params": self.params,
                "temperature": round(self.temperature, 6), **self.info}
        (d / "model.json").write_text(json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
        return d

    @classmethod
    def load(cls, directory) -> "EventTypeModel":
        d = Path(directory)
        if not d.is_dir():
            raise ModelError(f"{d}: no such model directory (build the default one with `make model`, "
                             f"or train one with `wirewatch train --out DIR`)")
        missing = [f for f in FILES if not (d / f).is_file()]
        if missing:
            raise ModelError(f"{d}: not a wirewatch event model (missing {', '.join(missing)})")
        try:
            meta = json.loads((d / "model.json").read_text(encoding="utf-8"))
        except ValueError as e:
            raise ModelError(f"{d / 'model.json'}: not JSON ({e})") from None
        if meta.get("format") != FORMAT:
            raise ModelError(f"{d / 'model.json'}: format {meta.get('format')!r}, expected {FORMAT!r}")
        try:
            vocab = json.loads((d / "vocabulary.json").read_text(encoding="utf-8"))
            coef = np.load(d / "coef.npy", allow_pickle=False)
            intercept = np.load(d / "intercept.npy", allow_pickle=False)
            idf = np.load(d / "idf.npy", allow_pickle=False)
        except (ValueError, OSError) as e:
            raise ModelError(f"{d}: unreadable model file ({e})") from None
        labels = meta["labels"]
        if coef.shape != (len(labels), len(vocab)) or idf.shape != (len(vocab),) or intercept.shape != (len(labels),):
            raise ModelError(f"{d}: model files disagree in shape (coef {coef.shape}, {len(labels)} labels, "
                             f"{len(vocab)} n-grams)")
        info = {k: v for k, v in meta.items() if k not in ("format", "labels", "n_word_features", "params", "temperature")}
        return cls(labels, vocab, int(meta["n_word_features"]), coef, intercept, idf, meta["params"],
                   meta.get("temperature", 1.0), info)


_LOADED: dict[str, EventTypeModel] = {}


def load_model(directory=None) -> Optional[EventTypeModel]:
    """The model in ``directory``, else the default one; loaded once per process. None for ``"none"``
    (the trigger rules alone), or when no directory is given and the default model has not been built
    (`make model`)."""
    if directory is not None and str(directory).strip().lower() == "none":
        return None                 # asked for the trigger rules alone
    path = Path(directory) if directory else default_model_dir()
    if not directory and not (path / "model.json").is_file():
        return None
    key = str(path.resolve())
    if key not in _LOADED:
        _LOADED[key] = EventTypeModel.load(path)
    return _LOADED[key]
