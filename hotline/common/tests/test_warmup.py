"""The worker warm-up loads triage and the knowledge index, and survives a part that fails."""

import logging

from hotline.common import warmup
from hotline.knowledge import search


def test_warm_loads_triage_and_the_knowledge_index(db):
    search.reset()
    took = warmup.warm()
    assert set(took) == {"triage", "knowledge"}
    assert search._index is not None  # the first search will not build it


def test_a_failing_part_is_logged_and_skipped(monkeypatch, caplog):
    def broken():
        raise RuntimeError("no database yet")

    monkeypatch.setattr(warmup, "_knowledge", broken)
    with caplog.at_level(logging.ERROR, logger="hotline.common.warmup"):
        took = warmup.warm()
    assert set(took) == {"triage"}
    assert "warm-up of knowledge failed" in caplog.text
