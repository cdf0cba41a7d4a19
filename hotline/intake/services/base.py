"""What every door shares: the intake event log, database rate limits, hashing."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.db import IntegrityError, transaction

from ..errors import IntakeError
from ..models import IntakeEvent, RateHit, RateLock


def record(door: str, code: str, now, *, actor=None, subject: str = "", order="", payload=None):
    """Append one intake event (no personal data in ``payload``)."""
    return IntakeEvent.objects.create(
        door=door,
        code=code,
        actor=actor,
        subject=str(subject)[:64],
        order_number=str(order or "")[:20],
        payload=payload or {},
        at=now,
    )


def keyed_hash(*parts: str) -> str:
    """HMAC-SHA256 of the parts under SECRET_KEY: stored instead of codes and phone keys."""
    message = "\x1f".join(parts).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def short_hash(*parts: str, length: int = 40) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:length]


def _lock_key(kind: str, key: str) -> None:
    try:
        with transaction.atomic():
            RateLock.objects.get_or_create(kind=kind, key=key)
    except IntegrityError:  # another process created it between our read and insert
        pass
    RateLock.objects.select_for_update().get(kind=kind, key=key)


def take(limits, now) -> None:
    """Count one action against each ``(kind, key, max_count, window, message)`` of
    ``limits``, or raise 429 with the first limit's message that is full. Must run inside a
    transaction: each key's lock row is held until commit, so concurrent requests in other
    processes queue here and see each other's hits."""
    for kind, key, _max, _window, _message in sorted(limits, key=lambda x: (x[0], x[1])):
        _lock_key(kind, key)
    for kind, key, max_count, window, message in limits:
        used = RateHit.objects.filter(kind=kind, key=key, at__gt=now - window).count()
        if used >= max_count:
            raise IntakeError(message, code="rate_limited", status=429)
    RateHit.objects.bulk_create([RateHit(kind=k, key=key, at=now) for k, key, *_ in limits])


def prune_rate_hits(now, keep: dt.timedelta = dt.timedelta(days=2)) -> int:
    """Delete counters older than every window (run by `hotline intake prune`)."""
    return RateHit.objects.filter(at__lt=now - keep).delete()[0]
