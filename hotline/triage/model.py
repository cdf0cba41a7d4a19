"""Trainable linear text classifiers (TF-IDF over words and character 1–3-grams).

Training uses scikit-learn (linear SVMs over two TF-IDF views: rjieba words and character
n-grams). The trained model is then *compiled* to plain numpy arrays and vocabularies so that
inference needs neither scikit-learn nor a pickle of its objects: one appeal costs a tokenisation,
a few dictionary look-ups and one small matrix product, and loading a model takes milliseconds.

A model has one or more *heads*, one per label field (``category``, ``appeal_type``, ``urgency``
for the default model; any single field such as ``label`` for a city's own history).
"""

from __future__ import annotations

import json
import math
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from operator import mul
from pathlib import Path
from typing import NamedTuple

import numpy as np

from hotline.triage.tokenize import analyze, char_ngrams, tokenize

DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "data" / "default_model.npz"
FORMAT = 1
# Weight of the word view against the character view, per head (1.0 when a head is not named).
# Chosen by cross-validation on the training appeals grouped by template (docs/TRIAGE.md): for
# the category head 0.7 was never worse than 1.0 on any of three fold assignments and better on
# average (a small gain: 0.774 against 0.772 on the final data, larger with fewer templates); for
# the urgency and appeal_type heads 1.0 stays best.
WORD_WEIGHT = {"category": 0.7}


class _TfFactors(dict):
    """{count: 1 + log(count)}, each worked out once (sublinear tf; 1 -> exactly 1.0)."""

    def __missing__(self, n: int) -> float:
        factor = self[n] = 1.0 + math.log(n)
        return factor


_TF = _TfFactors()


def record_text(record: dict, text_fields: Sequence[str]) -> str:
    """Join the text fields of one JSON record (missing fields are skipped).

    With several fields the first (a title, say) is written twice: a headline says in a few words
    what the matter is, and doubling it measurably helps (see docs/TRIAGE.md).
    """
    parts = [str(record[f]) for f in text_fields if record.get(f)]
    if len(text_fields) > 1 and record.get(text_fields[0]):
        parts.insert(0, parts[0])
    return "。".join(parts)


def _word_features(text: str) -> list[str]:
    return tokenize(text)


def _char_features(text: str) -> list[str]:
    return char_ngrams(text, 1, 3)


class Vector(NamedTuple):
    """One text as the model sees it: feature indices, TF-IDF values, their weight rows, scores."""

    idx: list[int]
    vals: np.ndarray
    rows: np.ndarray
    scores: list[float]


class Prediction(NamedTuple):
    """One head's answer: the label, its probability, all probabilities, and the top evidence.

    A named tuple rather than a frozen dataclass: assess() makes eight per appeal, and a frozen
    dataclass's ``__init__`` sets each field through ``object.__setattr__``."""

    label: str
    probability: float
    probabilities: dict[str, float]
    evidence: tuple[str, ...]


class TextModel:
    """A compiled multi-head linear text model (see module docstring)."""

    def __init__(self, arrays: dict[str, np.ndarray], meta: dict):
        self.meta = meta
        self.version: str = meta["version"]
        self.text_fields: list[str] = meta["text_fields"]
        self.heads: dict[str, dict] = meta["heads"]
        # Thresholds chosen for this model (docs/TRIAGE.md, operating point): "critical",
        # "urgent", "vulnerable" and per flag "vulnerable:elderly" …; what a model lacks, the
        # defaults of ``hotline.triage.assess`` fill in.
        self.operating_point: dict[str, float] = dict(meta.get("operating_point") or {})
        self.feature_names = [*meta["word_vocab"], *meta["char_vocab"]]
        self.n_words = len(meta["word_vocab"])
        self.word_index = {w: i for i, w in enumerate(meta["word_vocab"])}
        # Character features come after the word features in the weight matrix.
        self.char_index = {c: i + len(meta["word_vocab"]) for i, c in enumerate(meta["char_vocab"])}

        self.word_idf = arrays["word_idf"].astype(np.float64).tolist()
        self.char_idf = [0.0] * self.n_words + arrays["char_idf"].astype(np.float64).tolist()
        # (n_features, all head columns), row-major: ``vectorize`` takes the rows of a text's
        # features (the file holds the matrix column-major)
        self.weights = np.ascontiguousarray(arrays["weights"], dtype=np.float64)
        self.bias = arrays["bias"].astype(np.float64)
        self._label_heads: dict[str, dict[str, str]] = {}  # multi_label_heads's answers
        # head → (first column, end column, class names), read by every prediction
        self._columns = {
            head: (spec["columns"][0], spec["columns"][1], spec["classes"])
            for head, spec in self.heads.items()
        }

    # -- inference ---------------------------------------------------------------------------
    @staticmethod
    def _block(grams: Iterable[str], index: dict[str, int], idf: list[float]):
        """Feature indices and un-normalised sublinear TF-IDF values of one view."""
        counts = Counter(map(index.get, grams))
        counts.pop(None, None)
        idx = list(counts)
        if len(idx) == counts.total():
            return idx, list(map(idf.__getitem__, idx))
        # Some feature repeats: tf = 1 + log(count). Multiplying every value by its factor in
        # C-level maps (the factor of a single occurrence is exactly 1.0, so its value does not
        # change) replaced a Python loop over the features: the character view of a
        # 358-character message 112 -> 75 µs (the bench's short appeal: unchanged, ~10.6 µs).
        return idx, list(map(mul, map(idf.__getitem__, idx), map(_TF.__getitem__, counts.values())))

    def vectorize(self, text: str) -> Vector:
        """Sparse TF-IDF vector of ``text`` with the model rows it touches."""
        words, chars = analyze(text)
        wi, wv = self._block(words, self.word_index, self.word_idf)
        ci, cv = self._block(chars, self.char_index, self.char_idf)
        # Each view is l2-normalised on its own, as TfidfVectorizer(norm="l2") does in training.
        idx = wi + ci
        vals = np.array(wv + cv, dtype=np.float64)
        vals[: len(wv)] /= math.hypot(*wv) or 1.0
        vals[len(wv) :] /= math.hypot(*cv) or 1.0
        # take() from the row-major weights: 2.1 µs for the bench's appeal (75 features)
        # against 5.1 µs for fancy indexing of the column-major matrix the file holds; the rows
        # are the same numbers in the same layout, so the scores are bit for bit equal.
        rows = self.weights.take(idx, axis=0)
        scores = (vals @ rows + self.bias).tolist() if idx else self.bias.tolist()
        return Vector(idx, vals, rows, scores)

    def predict(self, text: str, heads: Iterable[str] | None = None, evidence: int = 3) -> dict:
        """Predict every head (or the named ones) for one text: ``{head: Prediction}``."""
        vec = self.vectorize(text)
        out = self.predict_vector(vec, heads)
        if evidence:
            for head, pred in out.items():
                out[head] = Prediction(
                    pred.label,
                    pred.probability,
                    pred.probabilities,
                    self.evidence(vec, head, pred.label, evidence),
                )
        return out

    def predict_vector(self, vec: Vector, heads: Iterable[str] | None = None) -> dict:
        """Predictions without evidence from a vector made by :meth:`vectorize`."""
        out = {}
        scores, exp = vec.scores, math.exp
        for head in heads or self.heads:
            lo, hi, classes = self._columns[head]
            if hi - lo == 2:
                # A yes/no head (five of the default model's eight), written out: the same
                # operations as the general softmax below, so the same floats (sum() of two
                # positive floats is their one addition), without its lists — 18 -> 11 µs for
                # the eight heads of the bench's appeal.
                a, b = scores[lo], scores[lo + 1]
                top = b if b > a else a  # max([a, b])
                ea, eb = exp(a - top), exp(b - top)
                total = ea + eb
                pa, pb = ea / total, eb / total
                probabilities = {classes[0]: pa, classes[1]: pb}
                if pb > pa:  # the first of equal maxima, as below
                    out[head] = Prediction(classes[1], pb, probabilities, ())
                else:
                    out[head] = Prediction(classes[0], pa, probabilities, ())
                continue
            s = scores[lo:hi]
            top_score = max(s)
            e = [exp(v - top_score) for v in s]
            total = sum(e)
            p = [v / total for v in e]
            best = p.index(max(p))  # the first of equal maxima, as max(range(...)) gave
            out[head] = Prediction(classes[best], p[best], dict(zip(classes, p, strict=True)), ())
        return out

    def evidence(self, vec: Vector, head: str, label: str, k: int = 3) -> tuple[str, ...]:
        """The ``k`` features (longer than one character) that pushed most towards ``label``."""
        if not vec.idx:
            return ()
        lo, _hi, classes = self._columns[head]
        weighted = vec.vals * vec.rows[:, lo + classes.index(label)]
        top = np.argpartition(-weighted, k * 3)[: k * 3] if len(weighted) > k * 3 else None
        top = range(len(weighted)) if top is None else top.tolist()
        values, idx = weighted.tolist(), vec.idx  # Python floats: cheaper to index than numpy's
        ranked = sorted(((values[j], idx[j]) for j in top), reverse=True)
        picked: list[str] = []
        for weight, index in ranked:
            if weight <= 0 or len(picked) >= k:
                break
            name = self.feature_names[index]
            if len(name) > 1 and name not in picked:
                picked.append(name)
        return tuple(picked)

    # -- persistence -------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Write the model as one ``.npz`` file (arrays plus a JSON metadata entry)."""
        meta = json.dumps(self.meta, ensure_ascii=False)
        with open(path, "wb") as fh:
            np.savez_compressed(
                fh,
                word_idf=np.asarray(self.word_idf, dtype=np.float32),
                char_idf=np.asarray(self.char_idf[self.n_words :], dtype=np.float32),
                weights=self.weights.astype(np.float32),
                bias=self.bias.astype(np.float32),
                meta=np.frombuffer(meta.encode("utf-8"), dtype=np.uint8),
            )

    @classmethod
    def load(cls, path: str | Path) -> TextModel:
        """Read a model written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(bytes(data["meta"]).decode("utf-8"))
            if meta.get("format") != FORMAT:
                raise ValueError(f"{path}: unsupported triage model format {meta.get('format')!r}")
            arrays = {k: data[k] for k in ("word_idf", "char_idf", "weights", "bias")}
        return cls(arrays, meta)


def train(
    texts: Sequence[str],
    labels: dict[str, Sequence[str]],
    *,
    text_fields: Sequence[str] = ("text",),
    version: str = "custom",
    C: float = 0.5,
    char_min_df: int = 2,
    word_weight: dict[str, float] | None = None,
    operating_point: dict[str, float] | None = None,
) -> TextModel:
    """Fit one linear SVM head per label field over word + character TF-IDF.

    Scores are turned into probabilities with a softmax; they rank well but are not calibrated,
    which is why urgency thresholds are chosen on data (see docs/TRIAGE.md).

    ``labels`` maps a head name (the label field) to one label per text; a head with a single
    class is rejected because it could not tell anything apart. ``word_weight`` (default
    :data:`WORD_WEIGHT`) scales the word view of a head against its character view; the factor is
    folded into the compiled weights, so inference does not change. ``operating_point``
    (``{"critical": …, "urgent": …, "vulnerable": …, "vulnerable:elderly": …}``) stores the
    thresholds chosen for this model.
    """
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    words = TfidfVectorizer(analyzer=_word_features, sublinear_tf=True, norm="l2")
    chars = TfidfVectorizer(
        analyzer=_char_features, sublinear_tf=True, norm="l2", min_df=min(char_min_df, len(texts))
    )
    word_matrix, char_matrix = words.fit_transform(texts), chars.fit_transform(texts)
    n_words = word_matrix.shape[1]
    weights_by_head = WORD_WEIGHT if word_weight is None else word_weight
    columns: list[np.ndarray] = []
    biases: list[np.ndarray] = []
    heads: dict[str, dict] = {}
    start = 0
    for head, y in labels.items():
        classes = sorted(set(y))
        if len(classes) < 2:
            raise ValueError(f"label field {head!r} has fewer than two classes")
        scale = float(weights_by_head.get(head, 1.0))
        matrix = hstack([word_matrix * scale, char_matrix]).tocsr()
        clf = LinearSVC(C=C, class_weight="balanced", random_state=0)
        clf.fit(matrix, list(y))
        coef, intercept = clf.coef_.copy(), clf.intercept_
        coef[:, :n_words] *= scale  # the model sees unscaled word values at inference
        if len(clf.classes_) == 2:  # binary: expand to two columns so softmax = sigmoid
            coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
            intercept = np.array([0.0, intercept[0]])
        columns.append(coef.T)
        biases.append(intercept)
        heads[head] = {
            "classes": [str(c) for c in clf.classes_],
            "columns": [start, start + len(clf.classes_)],
        }
        start += len(clf.classes_)
    meta = {
        "format": FORMAT,
        "version": version,
        "text_fields": list(text_fields),
        "heads": heads,
        "n_train": len(texts),
        "operating_point": dict(operating_point or {}),
        "word_vocab": [w for w, _i in sorted(words.vocabulary_.items(), key=lambda kv: kv[1])],
        "char_vocab": [c for c, _i in sorted(chars.vocabulary_.items(), key=lambda kv: kv[1])],
    }
    arrays = {
        "word_idf": words.idf_,
        "char_idf": chars.idf_,
        "weights": np.hstack(columns),
        "bias": np.concatenate(biases),
    }
    return TextModel(arrays, meta)


def train_records(
    records: Sequence[dict], text_fields: Sequence[str], label_fields: Sequence[str], **kwargs
) -> TextModel:
    """Train from JSON records; records missing a label for a head are skipped for all heads.

    A label field whose values are lists (``vulnerable``: a subset of flags) becomes one yes/no
    head per value seen, named ``field:value`` (see :func:`multi_label_heads`).
    """
    usable = [r for r in records if all(r.get(f) not in (None, "") for f in label_fields)]
    texts = [record_text(r, text_fields) for r in usable]
    labels: dict[str, list[str]] = {}
    for f in label_fields:
        if any(isinstance(r[f], list) for r in usable):
            values = sorted({str(v) for r in usable for v in _as_list(r[f])})
            for value in values:
                labels[f"{f}:{value}"] = [
                    "yes" if value in map(str, _as_list(r[f])) else "no" for r in usable
                ]
        else:
            labels[f] = [str(r[f]) for r in usable]
    return train(texts, labels, text_fields=text_fields, **kwargs)


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def multi_label_heads(model: TextModel, field: str) -> dict[str, str]:
    """``{value: head name}`` of the yes/no heads trained from the list-valued ``field``
    (worked out once per model and field: assess() asks for every appeal; do not change it)."""
    found = model._label_heads.get(field)
    if found is None:
        prefix = f"{field}:"
        found = {h[len(prefix) :]: h for h in model.heads if h.startswith(prefix)}
        model._label_heads[field] = found
    return found


_lock = threading.Lock()
_cache: dict[str, TextModel] = {}


def get_model(path: str | Path | None = None) -> TextModel | None:
    """The model at ``path`` (default: the shipped model), loaded once per process.

    Returns ``None`` when the default model file is missing, so that triage falls back to rules.
    """
    key = str(path or DEFAULT_MODEL_PATH)
    model = _cache.get(key)
    if model is None:
        with _lock:
            model = _cache.get(key)
            if model is None:
                if path is None and not DEFAULT_MODEL_PATH.exists():
                    return None
                model = _cache[key] = TextModel.load(key)
    return model
