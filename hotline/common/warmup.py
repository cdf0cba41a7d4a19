"""Load per-process caches before the first request (gunicorn's post_worker_init calls warm)."""

from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)


def warm() -> dict[str, float]:
    """Load the triage model and the knowledge-base index; returns seconds per part.

    A part that fails is logged and skipped: a worker must start even when, say, the database
    is not migrated yet (the request that needs it will then say so itself).
    """
    took: dict[str, float] = {}
    parts = (("triage", _triage), ("knowledge", _knowledge))
    for name, load in parts:
        start = time.perf_counter()
        try:
            load()
        except Exception:  # warming is an optimisation, never a reason to crash
            log.exception("warm-up of %s failed; it will load on first use", name)
            continue
        took[name] = time.perf_counter() - start
    # What is loaded now lives as long as the worker: move it out of the collector's sight, so
    # that the collections a request's allocations set off stop walking the model's and the
    # search index's objects. Measured in-process on batches of 500 orders: ~5-8 % less CPU
    # per order (docs/PERFORMANCE.md, "Orders over HTTP: the levers").
    gc.freeze()
    log.info("warm-up: %s", ", ".join(f"{k} {v:.2f} s" for k, v in took.items()))
    return took


def _triage() -> None:
    from hotline.triage import assess

    assess("热身：公馆镇老人降压药吃完了")


def _knowledge() -> None:
    from django.db import close_old_connections

    from hotline.knowledge import search

    search.get_index()
    close_old_connections()  # the worker's first request opens its own
