"""Telephone numbers as callers give them: one rule for every door (console form, API, portal,
Open311, imports), so that a number one door refuses is not accepted by another.

Accepted: digits with optional spaces or hyphens and an optional leading "+", 5 to 20 digits in
all — mobile numbers (13812345678, +86 138 1234 5678), landlines with or without the area code
(0668-2281234, 2281234) and service numbers (12345). Empty means "not given" (callers may stay
anonymous).
"""

from __future__ import annotations

import re

_ALLOWED = re.compile(r"^\+?[0-9][0-9 \-]*$")
MIN_DIGITS, MAX_DIGITS = 5, 20


def phone_problem(value: str | None) -> str | None:
    """A Chinese message saying what is wrong with ``value``, or None if it is acceptable."""
    value = (value or "").strip()
    if not value:
        return None
    if not _ALLOWED.match(value):
        return "电话号码只能包含数字，可带空格、连字符或开头的 +（如 13812345678、0668-2281234）。"
    digits = sum(c.isdigit() for c in value)
    if digits < MIN_DIGITS:
        return f"电话号码太短（{digits} 位数字）；请核对后填写完整号码。"
    if digits > MAX_DIGITS:
        return f"电话号码太长（{digits} 位数字）；请核对后填写。"
    return None
