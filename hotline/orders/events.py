"""Following orders: in-process subscriptions to order events, delivered after commit.

An app reacts to what happens to orders by registering a handler for dotted event codes::

    from hotline.orders import events

    @events.subscribe("care.close_task_on_resolve", "orders.order.resolved")
    def close_task(event):                      # an OrderEvent, with event.order loaded
        if event.order.source_app == "care":
            services.close_from_order(event.order, event)   # must be idempotent

and importing that module in its ``AppConfig.ready()``. ``hotline worker`` calls ``deliver()``
about once a second; tests call it directly.

How it stays correct:

- **After commit, from the log itself.** Handlers read committed rows of the append-only
  ``OrderEvent`` table, never in-memory signals, so a rolled-back change is never delivered.
- **A cursor per subscriber** (``SubscriberCursor``): each subscriber has read up to
  ``position``. A handler's writes and the cursor's advance commit in one transaction (each
  handler call in its own savepoint), so a worker killed mid-batch redoes at most that batch;
  handlers must still be idempotent, because an event can be seen again after a crash of the
  sending side or a ``hotline events replay``.
- **Late commits.** On PostgreSQL a transaction holding id 9 may commit after one holding id
  10; the cursor then moves past 9 and keeps it in ``gaps``, read again on every delivery until
  the event shows up or ``GAP_TTL`` passes (an id of a rolled-back transaction never shows).
- **Failures.** A handler that raises is retried with a growing delay; the cursor waits at that
  event (later events for the same subscriber keep their order). After ``MAX_ATTEMPTS`` the
  event goes to ``DeadLetter`` for a person to look at and the subscriber moves on.
- **Several workers.** A cursor row is claimed with ``SELECT … FOR UPDATE SKIP LOCKED``, so two
  workers never run the same subscriber at once (SQLite serialises writers anyway).

Why hand-written: the project keeps one process kind and one database, with no broker; the
outbox and cursor pattern over an event table is a few dozen lines and needs no new service.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import DeadLetter, OrderEvent, SubscriberCursor

log = logging.getLogger("hotline.orders.events")

#: How long an id skipped by the cursor is looked for again before it is taken as never
#: committed (a transaction longer than this would have its events missed).
GAP_TTL = dt.timedelta(minutes=10)
#: Skipped ids kept per subscriber at most (a huge rolled-back batch must not bloat the row).
MAX_GAPS = 5_000
MAX_ATTEMPTS = 5
MAX_BACKOFF = dt.timedelta(minutes=10)
BATCH = 500


@dataclass(frozen=True)
class Subscriber:
    name: str
    codes: frozenset[str]
    handler: Callable[[OrderEvent], object]

    def wants(self, code: str) -> bool:
        """An empty code set takes every event; a code with ``*`` is a shell-style pattern
        (``orders.order.*``)."""
        if not self.codes or code in self.codes:
            return True
        return any("*" in c and fnmatch.fnmatchcase(code, c) for c in self.codes)


_REGISTRY: dict[str, Subscriber] = {}


def subscribe(name: str, *codes: str):
    """Register the decorated function as subscriber ``name`` (stable: its cursor is stored
    under this name) for events with one of ``codes`` (none = all)."""

    def register(handler):
        known = _REGISTRY.get(name)
        if known is not None and _qualname(known.handler) != _qualname(handler):
            raise ValueError(f"event subscriber {name!r} is already registered")
        _REGISTRY[name] = Subscriber(name, frozenset(codes), handler)
        return handler

    return register


def unsubscribe(name: str) -> None:
    _REGISTRY.pop(name, None)


def subscribers() -> list[Subscriber]:
    return sorted(_REGISTRY.values(), key=lambda s: s.name)


def _qualname(fn) -> str:
    return f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', repr(fn))}"


@dataclass
class Delivery:
    handled: int = 0
    failed: int = 0
    dead: int = 0
    skipped: bool = False


def deliver(*, names: Iterable[str] | None = None, batch: int = BATCH, now=None):
    """Run every registered subscriber (or those in ``names``) over the events it has not yet
    seen, one batch each; returns {name: Delivery}. Safe to call from several processes."""
    wanted = set(names) if names is not None else None
    results = {}
    for sub in subscribers():
        if wanted is None or sub.name in wanted:
            results[sub.name] = _deliver_one(sub, batch, now or timezone.now())
    return results


def deliver_all(*, names=None, batch: int = BATCH, now=None, max_rounds: int = 1000) -> int:
    """Deliver until every subscriber is caught up (tests, `hotline events catch-up`); returns
    the number of handler calls made."""
    total = 0
    for _ in range(max_rounds):
        results = deliver(names=names, batch=batch, now=now)
        made = sum(r.handled + r.dead for r in results.values())
        total += made
        if not made:
            return total
    return total


def _claim(name: str):
    try:
        with transaction.atomic():
            SubscriberCursor.objects.get_or_create(name=name)
    except IntegrityError:  # created by another worker at the same moment
        pass
    return SubscriberCursor.objects.select_for_update(skip_locked=True).filter(name=name).first()


def _deliver_one(sub: Subscriber, batch: int, now) -> Delivery:
    result = Delivery()
    with transaction.atomic():
        cursor = _claim(sub.name)
        if cursor is None:
            result.skipped = True  # another worker holds it right now
            return result
        if cursor.retry_at is not None and cursor.retry_at > now:
            result.skipped = True
            return result
        gaps = {int(k): v for k, v in (cursor.gaps or {}).items()}
        rows = list(
            OrderEvent.objects.filter(id__gt=cursor.position)
            .order_by("id")
            .values_list("id", "code")[:batch]
        )
        found_gaps = (
            list(OrderEvent.objects.filter(id__in=list(gaps)).values_list("id", "code"))
            if gaps
            else []
        )
        wanted = [i for i, code in found_gaps + rows if sub.wants(code)]
        loaded = (
            {e.id: e for e in OrderEvent.objects.filter(id__in=wanted).select_related("order")}
            if wanted
            else {}
        )
        stamp = now.isoformat()

        def run(event_id: int) -> bool:
            """Handle one event; False when the subscriber must stop here and retry later."""
            event = loaded.get(event_id)
            if event is None:
                return True  # not a code this subscriber takes
            try:
                with transaction.atomic():
                    sub.handler(event)
            except Exception as exc:  # a handler's bug must not stop the other subscribers
                cursor.failures += 1
                cursor.last_error = f"event {event_id}: {exc!r}"[:500]
                log.warning("subscriber %s failed on event %s: %r", sub.name, event_id, exc)
                if cursor.failures < MAX_ATTEMPTS:
                    delay = dt.timedelta(seconds=2 ** (cursor.failures - 1))
                    cursor.retry_at = now + min(MAX_BACKOFF, delay)
                    result.failed += 1
                    return False
                DeadLetter.objects.get_or_create(
                    subscriber=sub.name,
                    event_id=event_id,
                    defaults={"attempts": cursor.failures, "error": str(exc)[:500], "at": now},
                )
                result.dead += 1
                cursor.failures = 0
                cursor.retry_at = None
                return True
            cursor.failures = 0
            cursor.retry_at = None
            result.handled += 1
            return True

        stopped = False
        for event_id, _code in sorted(found_gaps):
            if not run(event_id):
                stopped = True
                break
            gaps.pop(event_id, None)
        if not stopped:
            # A new cursor starts at the first event there is: ids below it are history that
            # was rolled back (sequences never go backwards), not events still to come.
            expected = cursor.position + 1 if cursor.position or not rows else rows[0][0]
            for event_id, _code in rows:
                if not run(event_id):
                    break
                for missing in range(expected, event_id):
                    gaps[missing] = stamp
                expected = event_id + 1
                cursor.position = event_id
        horizon = now - GAP_TTL
        cursor.gaps = {
            str(k): v
            for k, v in sorted(gaps.items())[-MAX_GAPS:]
            if dt.datetime.fromisoformat(v) > horizon
        }
        cursor.updated_at = now
        cursor.save()
    return result


def replay(name: str, *, since_id: int = 0) -> None:
    """Move a subscriber's cursor back so it sees events after ``since_id`` again (its
    handlers are idempotent, so a replay repairs without doubling)."""
    with transaction.atomic():
        cursor, _ = SubscriberCursor.objects.select_for_update().get_or_create(name=name)
        cursor.position = since_id
        cursor.gaps = {}
        cursor.failures = 0
        cursor.retry_at = None
        cursor.save()


def retry_dead_letters(name: str | None = None) -> int:
    """Run the dead-lettered events again (after a fix); returns how many now succeeded."""
    done = 0
    letters = DeadLetter.objects.filter(retried_at__isnull=True).select_related("event__order")
    if name:
        letters = letters.filter(subscriber=name)
    for letter in letters:
        sub = _REGISTRY.get(letter.subscriber)
        if sub is None:
            continue
        try:
            with transaction.atomic():
                sub.handler(letter.event)
                letter.retried_at = timezone.now()
                letter.save(update_fields=["retried_at"])
        except Exception as exc:
            log.warning("dead letter %s still fails: %r", letter.pk, exc)
            continue
        done += 1
    return done
