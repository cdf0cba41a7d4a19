"""Numbers read from what a client sends (query strings, form fields, JSON)."""

from __future__ import annotations

#: Ids beyond a 64-bit integer cannot name a row (and would overflow SQLite's INTEGER).
MAX_ID = 2**63 - 1


def as_id(value) -> int:
    """A row id from a client, or 0 (names no row) when it is not a positive 64-bit integer."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number <= MAX_ID else 0
