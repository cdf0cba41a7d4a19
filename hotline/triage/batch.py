"""The work behind ``hotline triage …``: batch assess, train, evaluate, check.

Plain functions over text streams so that the management command stays a thin wrapper and tests
can call them without Django. None of them touches the database.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TextIO

from hotline.triage.assess import VULNERABLE_THRESHOLD, assess
from hotline.triage.model import (
    TextModel,
    get_model,
    multi_label_heads,
    record_text,
    train_records,
)

DEFAULT_LABELS = ("category", "appeal_type", "urgency", "vulnerable")


def assess_lines(lines: Iterable[str], write: Callable[[str], None], *, model=None) -> int:
    """Assess JSON lines ``{"id", "text"}``; write one JSON line per input line.

    A line that is not a JSON object with a ``text`` string yields ``{"line": n, "error": …}``
    (with the id when there is one) and the rest go on. Blank lines are skipped. Returns the
    number of error lines.
    """
    errors = 0
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            errors += 1
            write(_dump({"line": number, "error": f"invalid JSON: {exc.msg}"}))
            continue
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            errors += 1
            ident = record.get("id") if isinstance(record, dict) else None
            write(
                _dump(
                    {"line": number, "id": ident, "error": "expected an object with a text string"}
                )
            )
            continue
        a = assess(record["text"], caller=record.get("caller"), model=model)
        write(
            _dump(
                {
                    "id": record.get("id"),
                    "appeal_type": a.appeal_type,
                    "category": a.category,
                    "urgency": a.urgency,
                    "vulnerable": list(a.vulnerable),
                    "epidemic_related": a.epidemic_related,
                    "district": a.place.district,
                    "town": a.place.town,
                    "village": a.place.village,
                    "place_ambiguous": list(a.place.ambiguous),
                    "phones": list(a.phones),
                    "reasons": list(a.reasons),
                }
            )
        )
    return errors


def read_records(path: str | Path) -> list[dict]:
    """Read a JSON-lines file of objects; a bad line raises ``ValueError`` naming its number."""
    records = []
    with open(path, encoding="utf-8") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: invalid JSON ({exc.msg})") from exc
            if not isinstance(record, dict):
                raise ValueError(f"{path}:{number}: expected a JSON object")
            records.append(record)
    return records


def train_file(
    paths: str | Path | Sequence[str | Path],
    text_fields: Sequence[str],
    label_fields: Sequence[str],
    out: str | Path,
    *,
    version: str | None = None,
    operating_point: dict[str, float] | None = None,
) -> TextModel:
    """Train a model from one or more JSON-lines files and save it to ``out``."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    records = [r for path in paths for r in read_records(path)]
    model = train_records(
        records,
        text_fields,
        label_fields,
        version=version or Path(out).stem,
        operating_point=operating_point,
    )
    model.save(out)
    return model


def metrics_report(truth: Sequence[str], predicted: Sequence[str]) -> tuple[str, dict]:
    """A per-class table and confusion matrix as text, and the summary dict."""
    from sklearn.metrics import (
        accuracy_score,
        confusion_matrix,
        f1_score,
        precision_recall_fscore_support,
    )

    labels = sorted(set(truth) | set(predicted))
    p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    width = max(12, *(len(x) + 2 for x in labels))
    lines = [f"{'class':<{width}}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}"]
    for i, label in enumerate(labels):
        lines.append(f"{label:<{width}}{p[i]:>10.3f}{r[i]:>10.3f}{f[i]:>10.3f}{s[i]:>10d}")
    lines.append("")
    lines.append("confusion matrix (rows = truth, columns = predicted)")
    short = [x[:8] for x in labels]
    lines.append(" " * width + "".join(f"{x:>10}" for x in short))
    for label, row in zip(labels, confusion_matrix(truth, predicted, labels=labels), strict=True):
        lines.append(f"{label:<{width}}" + "".join(f"{v:>10d}" for v in row))
    summary = {
        "n": len(truth),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro", zero_division=0)), 4),
    }
    return "\n".join(lines), summary


def evaluate_file(
    path: str | Path,
    *,
    model_path: str | Path | None = None,
    text_fields: Sequence[str] | None = None,
    label_field: str | None = None,
    cv: int = 0,
    baseline: bool = False,
) -> tuple[str, dict]:
    """Evaluate a model on a labelled file, or cross-validate train+evaluate with ``cv`` folds."""
    records = read_records(path)
    if cv:
        import numpy as np
        from sklearn.model_selection import StratifiedKFold

        fields = list(text_fields or ["text"])
        label = label_field or "label"
        records = [r for r in records if r.get(label) not in (None, "")]
        y = np.array([str(r[label]) for r in records])
        truth: list[str] = []
        predicted: list[str] = []
        fold_f1 = []
        from sklearn.metrics import f1_score

        folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=0)
        for train_idx, test_idx in folds.split(records, y):
            model = train_records([records[i] for i in train_idx], fields, [label])
            pred = [
                model.predict(record_text(records[i], fields), evidence=0)[label].label
                for i in test_idx
            ]
            fold_f1.append(f1_score(y[test_idx], pred, average="macro"))
            truth += list(y[test_idx])
            predicted += pred
        table, summary = metrics_report(truth, predicted)
        summary["cv"] = cv
        summary["macro_f1_folds_mean"] = round(float(np.mean(fold_f1)), 4)
        if baseline:
            summary["baseline_char_svc_macro_f1"] = _baseline(records, fields, y, folds)
        return table, summary
    model = get_model(model_path)
    if model is None:
        raise ValueError("no model: give --model or ship hotline/triage/data/default_model.npz")
    label = label_field or next(iter(model.heads))
    if label not in model.heads:
        raise ValueError(f"the model has no head {label!r} (it has {', '.join(model.heads)})")
    fields = list(text_fields or model.text_fields)
    records = [r for r in records if r.get(label) not in (None, "")]
    truth = [str(r[label]) for r in records]
    predicted = [
        model.predict(record_text(r, fields), heads=[label], evidence=0)[label].label
        for r in records
    ]
    return metrics_report(truth, predicted)


def _baseline(records, fields, y, folds) -> float:
    """Plain character 1-3-gram TF-IDF + LinearSVC on the same folds (the issue's baseline)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import f1_score
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    texts = ["。".join(str(r[f]) for f in fields if r.get(f)) for r in records]
    truth, predicted = [], []
    for train_idx, test_idx in folds.split(records, y):
        pipe = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3)), LinearSVC())
        pipe.fit([texts[i] for i in train_idx], y[train_idx])
        predicted += list(pipe.predict([texts[i] for i in test_idx]))
        truth += list(y[test_idx])
    return round(float(f1_score(truth, predicted, average="macro")), 4)


def sweep_urgency(
    path: str | Path, *, folds: int = 5, thresholds: Sequence[float] = (0.3, 0.4, 0.5, 0.6, 0.7)
) -> list[dict]:
    """Out-of-fold recall and false alarms of the urgency head alone, by threshold.

    Folds are grouped by the ``template`` field when present (else by record), so a template's
    variants never sit on both sides; this is how ``URGENT_THRESHOLD`` was chosen.
    """
    from sklearn.model_selection import GroupKFold

    records = [r for r in read_records(path) if r.get("urgency")]
    groups = [r.get("template", i) for i, r in enumerate(records)]
    p_high = [0.0] * len(records)
    for train_idx, test_idx in GroupKFold(n_splits=folds).split(records, groups=groups):
        model = train_records([records[i] for i in train_idx], ["text"], ["urgency"])
        for i in test_idx:
            p = model.predict(records[i]["text"], evidence=0)["urgency"].probabilities
            p_high[i] = p.get("critical", 0.0) + p.get("urgent", 0.0)
    truth = [r["urgency"] != "normal" for r in records]
    n_high = sum(truth) or 1
    n_normal = (len(truth) - sum(truth)) or 1
    rows = []
    for t in thresholds:
        raised = [p >= t for p in p_high]
        rows.append(
            {
                "threshold": t,
                "recall_critical_or_urgent": round(
                    sum(r and h for r, h in zip(raised, truth, strict=True)) / n_high, 4
                ),
                "false_alarm_rate": round(
                    sum(r and not h for r, h in zip(raised, truth, strict=True)) / n_normal, 4
                ),
            }
        )
    return rows


def check_file(path: str | Path, *, model_path: str | Path | None = None) -> tuple[str, dict]:
    """Score the whole ``assess()`` pipeline against the issue's targets on labelled appeals.

    Records carry ``text``, ``category``, ``urgency``, ``vulnerable`` and optionally ``town``.
    """
    misses, tally = check_records(read_records(path), get_model(model_path))
    return "\n".join(misses), summarize(tally)


def check_records(records: Iterable[dict], model: TextModel | None) -> tuple[list[str], Counter]:
    """Run ``assess()`` on labelled records: the misses as lines, and raw counts to pool."""
    c: Counter = Counter()
    misses = []
    for r in records:
        a = assess(r["text"], model=model)
        truth_u, got = r["urgency"], a.urgency
        c["n"] += 1
        if truth_u == "critical":
            c["n_critical"] += 1
            c["hit_critical"] += got == "critical"
        if truth_u in ("critical", "urgent"):
            c["n_critical_or_urgent"] += 1
            c["hit_critical_or_urgent"] += got in ("critical", "urgent")
            if got == "normal":
                misses.append(f"missed {truth_u}: {r['text']}")
        else:
            c["n_normal"] += 1
            if got != "normal":
                c["false_alarms"] += 1
                misses.append(f"false alarm ({got}): {r['text']}")
        c["category_ok"] += a.category == r["category"]
        c["type_ok"] += a.appeal_type == r.get("appeal_type")
        want, have = set(r.get("vulnerable", [])), set(a.vulnerable)
        c["tp"] += len(want & have)
        c["fp"] += len(have - want)
        c["fn"] += len(want - have)
        if r.get("town"):
            c["n_with_town"] += 1
            c["town_ok"] += a.place.town == r["town"]
    return misses, c


def summarize(c: Counter) -> dict:
    """The target figures from the counts of :func:`check_records` (pooled or not)."""

    def rate(hit: str, of: str) -> float | None:
        return round(c[hit] / c[of], 4) if c[of] else None

    f1_denominator = 2 * c["tp"] + c["fp"] + c["fn"]
    return {
        "n": c["n"],
        "critical_recall": rate("hit_critical", "n_critical"),
        "critical_or_urgent_recall": rate("hit_critical_or_urgent", "n_critical_or_urgent"),
        "false_alarm_rate": rate("false_alarms", "n_normal"),
        "vulnerable_micro_f1": round(2 * c["tp"] / f1_denominator, 4) if f1_denominator else None,
        "category_accuracy": rate("category_ok", "n"),
        "appeal_type_accuracy": rate("type_ok", "n"),
        "town_accuracy": rate("town_ok", "n_with_town"),
        "n_critical": c["n_critical"],
        "n_critical_or_urgent": c["n_critical_or_urgent"],
        "n_with_town": c["n_with_town"],
    }


def sweep_operating_point(
    paths: Sequence[str | Path],
    *,
    train_only: Sequence[str | Path] = (),
    critical: Sequence[float] = (0.25, 0.3, 0.35, 0.4, 0.45, 0.55),
    urgent: Sequence[float] = (0.4, 0.45, 0.5, 0.55, 0.6),
    vulnerable: Sequence[float] = (0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8),
    budget: float = 0.10,
) -> tuple[list[dict], dict]:
    """Choose the thresholds of the whole pipeline, leaving one file out at a time.

    Each file is one writer's (or one batch's) appeals. For each file the heads are trained on
    every other file and ``assess()`` (rules + that model) runs on the held file; counts are
    pooled over the files. So each figure is what the pipeline does on a writer the model never
    read — though not one the rules never read, when the rules were written while reading that
    file. Files in ``train_only`` (templated data, say, whose variants are no other writer) are
    always trained on and never held out.

    First every pair of urgency thresholds is tried; among pairs whose false alarms stay within
    ``budget`` the chosen one has the highest critical recall, then the highest
    critical-or-urgent recall, then the fewest false alarms (ties: the lower thresholds). Then,
    at that pair, one threshold per vulnerable flag from ``vulnerable`` (:func:`_flag_thresholds`).
    Returns one row per setting tried (urgency pairs, then flag thresholds) and the chosen
    setting with its figures.
    """
    sources = {str(p): [r for r in read_records(p) if _checkable(r)] for p in paths}
    always = [r for p in train_only for r in read_records(p) if _checkable(r)]
    if len(sources) < 2:
        raise ValueError("give at least two files to hold out in turn")
    every = always + [r for rs in sources.values() for r in rs]
    heads = [h for h in DEFAULT_LABELS if all(r.get(h) not in (None, "") for r in every)]
    models = {
        held: train_records(
            always + [r for name, rs in sources.items() if name != held for r in rs],
            ["text"],
            heads,
            version="held-out",
        )
        for held in sources
    }

    def row(point: dict[str, float]) -> dict:
        tally: Counter = Counter()
        for held, model in models.items():
            model.operating_point = point
            tally.update(check_records(sources[held], model)[1])
        return {f"{k}_threshold": v for k, v in point.items()} | summarize(tally)

    pair_rows = [
        row({"critical": c, "urgent": u, "vulnerable": VULNERABLE_THRESHOLD})
        for c in critical
        for u in urgent
    ]
    within = [r for r in pair_rows if (r["false_alarm_rate"] or 0.0) <= budget] or pair_rows
    best = max(
        within,
        key=lambda r: (
            r["critical_recall"] or 0.0,
            r["critical_or_urgent_recall"] or 0.0,
            -(r["false_alarm_rate"] or 0.0),
        ),
    )
    pair = {"critical": best["critical_threshold"], "urgent": best["urgent_threshold"]}
    thresholds, flag_rows = _flag_thresholds(models, sources, pair, vulnerable)
    point = pair | {"vulnerable": VULNERABLE_THRESHOLD} | thresholds
    return pair_rows + flag_rows, row(point)


def _flag_thresholds(models, sources, pair, grid) -> tuple[dict[str, float], list[dict]]:
    """One threshold per vulnerable flag, chosen for the best pooled micro-F1 of all flags.

    Runs ``assess()`` once with the model's flags off to get the rules' flags, keeps each
    head's P(yes), then tries the grid flag by flag (two rounds of coordinate ascent, starting
    from the default) without running the pipeline again: a flag is the rules' or P(yes) at or
    above its threshold.
    """
    seen = []  # (wanted flags, the rules' flags, {flag: P(yes)})
    for held, model in models.items():
        heads = multi_label_heads(model, "vulnerable")
        model.operating_point = pair | {"vulnerable": 2.0}  # the model adds no flag
        for r in sources[held]:
            ruled = set(assess(r["text"], model=model).vulnerable)
            preds = model.predict_vector(model.vectorize(r["text"]), heads.values())
            yes = {flag: preds[head].probabilities.get("yes", 0.0) for flag, head in heads.items()}
            seen.append((set(r.get("vulnerable") or ()), ruled, yes))
    flags = sorted({flag for _w, _r, yes in seen for flag in yes})

    def micro_f1(chosen: dict[str, float]) -> float:
        tp = fp = fn = 0
        for want, ruled, yes in seen:
            have = ruled | {f for f in flags if yes.get(f, 0.0) >= chosen[f]}
            tp, fp, fn = tp + len(want & have), fp + len(have - want), fn + len(want - have)
        return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0

    chosen = dict.fromkeys(flags, VULNERABLE_THRESHOLD)
    rows: list[dict] = []
    for _round in range(2):
        rows = []
        for flag in flags:
            tried = []
            for t in grid:
                f1 = micro_f1(chosen | {flag: t})
                tried.append((f1, -t, t))
                rows.append({"flag": flag, "threshold": t, "vulnerable_micro_f1": round(f1, 4)})
            chosen[flag] = max(tried)[2]  # ties: the lower threshold, as for urgency
    return {f"vulnerable:{flag}": t for flag, t in chosen.items()}, rows


def _checkable(record: dict) -> bool:
    return all(isinstance(record.get(f), str) for f in ("text", "urgency", "category"))


def write_json_line(stream: TextIO, data: dict) -> None:
    """Write ``data`` as one JSON line."""
    stream.write(_dump(data) + "\n")


def _dump(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)
