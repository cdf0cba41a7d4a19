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


class KeyedTtlCache(Generic[T]):
    """Per-key values of a big reference table (divisions): each key looked up at most once per
    ``ttl`` seconds, misses included; ``load_many(keys) -> {key: value}`` fills the gaps in one
    query. Bounded: past ``max_size`` keys it starts again empty."""

    def __init__(self, load_many: Callable[[list], dict], ttl: float, max_size: int = 50_000):
        self.load_many, self.ttl, self.max_size = load_many, ttl, max_size
        self._values: dict = {}
        self._lock = threading.Lock()
        _ALL.append(self)

    def get_many(self, keys) -> dict:
        now = time.monotonic()
        found, missing = {}, []
        for key in keys:
            hit = self._values.get(key)
            if hit is not None and hit[1] > now:
                if hit[0] is not None:
                    found[key] = hit[0]
            else:
                missing.append(key)
        if missing:
            loaded = self.load_many(missing)
            with self._lock:
                if len(self._values) + len(missing) > self.max_size:
                    self._values = {}
                for key in missing:
                    self._values[key] = (loaded.get(key), now + self.ttl)
            found.update(loaded)
        return found

    def clear(self) -> None:
        with self._lock:
            self._values = {}
