"""Floors under the figures docs/TRIAGE.md reports for every labelled set (none is blind any
more): a change that loses an emergency phrasing, a flag or a town fails here and must say so.

Floors are the figures of `rules-7+default-6` rounded down; raise them when a change earns it.
"""

from pathlib import Path

import pytest

from hotline.triage.batch import check_file

DATA = Path(__file__).resolve().parents[1] / "data"

# set: (critical recall, critical-or-urgent recall, max false alarms, vulnerable F1, category)
FLOORS = {
    "train": (1.0, 1.0, 0.01, 0.99, 0.98),
    "heldout": (1.0, 1.0, 0.06, 0.99, 0.82),
    "fresh": (1.0, 1.0, 0.01, 0.97, 0.93),
    "blind": (1.0, 1.0, 0.07, 0.95, 0.88),
    "blind2": (1.0, 0.97, 0.06, 0.91, 0.87),
    "blind3": (1.0, 1.0, 0.04, 0.94, 0.90),
    "blind4": (1.0, 0.97, 0.04, 0.95, 0.90),
    "blind5": (0.90, 0.97, 0.13, 0.80, 0.84),
    "blind6": (0.80, 0.95, 0.09, 0.89, 0.86),
}


@pytest.mark.parametrize("name", list(FLOORS))
def test_figures_hold(name):
    _text, m = check_file(DATA / f"{name}.jsonl")
    critical, either, alarms, vulnerable, category = FLOORS[name]
    assert m["critical_recall"] >= critical, m
    assert m["critical_or_urgent_recall"] >= either, m
    assert m["false_alarm_rate"] <= alarms, m
    assert m["vulnerable_micro_f1"] >= vulnerable, m
    assert m["category_accuracy"] >= category, m
