"""Delivery of the notification outbox.

There is no SMS gateway in this deployment: ``send`` writes each message to the log and counts
it as delivered. A real gateway replaces ``send`` (same signature; raise to have the message
retried). A failed send is retried with a growing delay, never lost, and never blocks an order.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .choices import NotificationStatus
from .models import Notification

log = logging.getLogger("hotline.orders.outbox")
MAX_BACKOFF = dt.timedelta(hours=1)


def send(notification: Notification) -> None:
    """The stand-in gateway: log the message."""
    log.info("通知 → %s：%s", notification.recipient, notification.text)


def deliver_pending(now: dt.datetime | None = None, *, sender=send, batch: int = 100) -> int:
    """Send due messages; returns how many were sent. Failures are rescheduled."""
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        due = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(
                Q(status=NotificationStatus.PENDING) | Q(status=NotificationStatus.FAILED),
                next_attempt_at__lte=now,
            )
            .order_by("next_attempt_at", "pk")[:batch]
        )
        for note in due:
            note.attempts += 1
            try:
                sender(note)
            except Exception as exc:  # a gateway error must not stop the other messages
                note.status = NotificationStatus.FAILED
                note.last_error = str(exc)[:500]
                note.next_attempt_at = now + min(
                    MAX_BACKOFF, dt.timedelta(seconds=30 * 2 ** (note.attempts - 1))
                )
            else:
                note.status = NotificationStatus.SENT
                note.sent_at = now
                note.last_error = ""
                sent += 1
            note.save()
    return sent


def queue_message(
    recipient: str, text: str, *, event_code: str, order=None, now: dt.datetime | None = None
) -> Notification:
    """Queue one message in the outbox for the worker to send (the seam for every app: a
    portal's verification code, a booking's cancellation notice). Call it inside the
    transaction of the change that causes the message, so both commit or neither does."""
    if not recipient:
        raise ValueError("a message needs a recipient")
    now = now or timezone.now()
    return Notification.objects.create(
        order=order,
        event_code=event_code[:64],
        recipient=recipient[:64],
        text=text[:500],
        status=NotificationStatus.PENDING,
        next_attempt_at=now,
        created_at=now,
    )
