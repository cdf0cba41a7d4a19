"""A per-process cache with a time limit, for the small tables every receive reads (the clock
matrix, the mode switch, the routing rules, the handling units).

Edits in admin reach every process within ``ttl`` seconds; the process that makes a change
through a service clears its own copy at once. This keeps ~6 queries off each receive.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
_ALL: list[TtlCache] = []


class TtlCache(Generic[T]):
    def __init__(self, loader: Callable[[], T], ttl: float):
        self.loader, self.ttl = loader, ttl
        self._value: T | None = None
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()
        _ALL.append(self)

    def get(self) -> T:
        if time.monotonic() - self._loaded_at > self.ttl:
            with self._lock:
                if time.monotonic() - self._loaded_at > self.ttl:
                    self._value = self.loader()
                    self._loaded_at = time.monotonic()
        return self._value  # type: ignore[return-value]

    def clear(self) -> None:
        self._loaded_at = float("-inf")


def clear_all() -> None:
    """Forget every cached table (tests; after a bulk edit)."""
    for cache in _ALL:
        cache.clear()
