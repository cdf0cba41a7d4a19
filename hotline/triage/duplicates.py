"""Find likely repeats of the same matter among recent open orders (passed in, not queried).

Texts are normalised (greetings, punctuation and phone numbers stripped) and compared as sets of
character bigrams with rapidfuzz's ``token_set_ratio``, which forgives reordering and extra
words. Comparisons are *blocked*: only orders of the same town received within the window
(72 hours by default) are compared, plus any order from the same caller phone in the window.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from hotline.triage.tokenize import normalize

WINDOW = dt.timedelta(hours=72)
THRESHOLD = 60.0
_GREETINGS = re.compile(
    r"(你好|您好|喂|请问一下|请问|麻烦你们?|麻烦|谢谢你们|谢谢|感谢|你们好|我想问一下|我想反映一下?|"
    r"我要反映|我想反映|我打电话是想|打扰了|领导)"
)
_PHONES = re.compile(r"\d[\d\- ]{6,}\d")
_NON_WORD = re.compile(r"[\W_]+")


def normalize_for_repeats(text: str) -> str:
    """Strip greetings, phone numbers, punctuation and spaces: what remains is the matter."""
    text = normalize(text)
    text = _PHONES.sub("", text)
    text = _GREETINGS.sub("", text)
    return _NON_WORD.sub("", text)


def _bigrams(text: str) -> str:
    return " ".join(text[i : i + 2] for i in range(max(len(text) - 1, 1)))


@dataclass(frozen=True, slots=True)
class RecentOrder:
    """What the finder needs to know about one open order."""

    id: object
    text: str
    received_at: dt.datetime
    town_code: str | None = None
    caller_phone: str | None = None


@dataclass(frozen=True, slots=True)
class Repeat:
    """A likely repeat: the order, a 0–100 similarity and why it was proposed (Chinese)."""

    order_id: object
    score: float
    reason: str


class DuplicateFinder:
    """Index recent orders once, then ask :meth:`find` for each new appeal."""

    def __init__(
        self,
        orders: Iterable[RecentOrder],
        *,
        window: dt.timedelta = WINDOW,
        threshold: float = THRESHOLD,
    ):
        self.window = window
        self.threshold = threshold
        by_town: dict[str | None, list[tuple[dt.datetime, str, object]]] = {}
        by_phone: dict[str, list[tuple[dt.datetime, object]]] = {}
        for order in orders:
            grams = _bigrams(normalize_for_repeats(order.text))
            by_town.setdefault(order.town_code, []).append((order.received_at, grams, order.id))
            if order.caller_phone:
                by_phone.setdefault(order.caller_phone, []).append((order.received_at, order.id))
        self._towns = {}
        for town, rows in by_town.items():
            rows.sort(key=lambda r: r[0])
            self._towns[town] = ([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
        self._phones = by_phone

    def find(
        self,
        text: str,
        *,
        when: dt.datetime,
        town_code: str | None = None,
        caller_phone: str | None = None,
        limit: int = 5,
    ) -> list[Repeat]:
        """Likely repeats of ``text``, best first.

        Without a town, only the same caller phone is checked: comparing against every order
        in the city would be slow and would link different matters of different places.
        """
        found: dict[object, Repeat] = {}
        grams = _bigrams(normalize_for_repeats(text))
        if town_code and town_code in self._towns:
            times, texts, ids = self._towns[town_code]
            lo = bisect.bisect_left(times, when - self.window)
            hi = bisect.bisect_right(times, when + self.window)
            if hi > lo:
                for _choice, score, pos in process.extract(
                    grams,
                    texts[lo:hi],
                    scorer=fuzz.token_set_ratio,
                    score_cutoff=self.threshold,
                    limit=limit,
                ):
                    found[ids[lo + pos]] = Repeat(
                        ids[lo + pos], round(score, 1), "同镇街72小时内内容相似"
                    )
        if caller_phone:
            for received, order_id in self._phones.get(caller_phone, ()):
                if abs(received - when) <= self.window:
                    prev = found.get(order_id)
                    score = max(prev.score if prev else 0.0, 90.0)
                    reason = "同一来电号码" + ("，内容相似" if prev else "")
                    found[order_id] = Repeat(order_id, score, reason)
        return sorted(found.values(), key=lambda r: -r.score)[:limit]
