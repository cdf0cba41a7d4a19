"""Recall@k of the search on an evaluation set (questions the way callers ask them).

A question counts as answered at k when any of its relevant article keys is among the first k
hits. The demo set is ``data/knowledge/eval_questions.jsonl``, evaluated at :data:`EVAL_AT` (the
second day of the control-period extension, so the first control period has expired and the lifting
notice is not yet valid).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
DEMO_ARTICLES = DATA / "demo_articles.jsonl"
#: The evaluation sets are not needed at run time: they live in the repository's ``data/``
#: folder, outside the installed package (a development checkout has them).
EVAL_DATA = Path(__file__).resolve().parents[2] / "data" / "knowledge"
EVAL_QUESTIONS = EVAL_DATA / "eval_questions.jsonl"
#: Every evaluation set, in the order it was written (who wrote each and what was tuned on it:
#: docs/KNOWLEDGE.md). The blind sets were written by someone who had not seen the search code,
#: its synonyms, the similar questions or the other sets; each is blind until its first score.
EVAL_SETS = {
    "main": EVAL_QUESTIONS,
    "held-out": EVAL_DATA / "eval_heldout.jsonl",
    "blind 1": EVAL_DATA / "eval_blind.jsonl",
    "blind 2": EVAL_DATA / "eval_blind2.jsonl",
}
EVAL_AT = dt.datetime(2022, 11, 7, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def load_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@dataclass
class Recall:
    questions: int = 0
    at1: int = 0
    at3: int = 0
    misses: list[tuple[str, list[str], list[str]]] = field(default_factory=list)

    @property
    def r1(self) -> float:
        return self.at1 / self.questions if self.questions else 0.0

    @property
    def r3(self) -> float:
        return self.at3 / self.questions if self.questions else 0.0


def recall(questions: list[dict], ranked_keys: Callable[[str], list[str]]) -> Recall:
    """Recall@1 and @3 of ``ranked_keys(text) -> [key, …]`` on ``questions``."""
    out = Recall()
    for q in questions:
        keys = ranked_keys(q["text"])[:3]
        relevant = set(q["relevant"])
        out.questions += 1
        out.at1 += bool(keys[:1] and keys[0] in relevant)
        hit3 = bool(relevant & set(keys))
        out.at3 += hit3
        if not (keys[:1] and keys[0] in relevant):
            out.misses.append((q["text"], q["relevant"], keys))
    return out
