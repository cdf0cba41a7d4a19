"""Delivery of the notification outbox.

There is no SMS gateway in this deployment: ``send`` writes each message to the log and counts
it as delivered. A real gateway replaces ``send`` (setting ``OUTBOX_SENDER``; same signature;
raise to have the message retried; pass ``notification.pk`` to the gateway as the message's
client reference so the gateway can drop a repeat). A failed send is retried with a growing
delay and, after ``MAX_ATTEMPTS``, set aside as dead for a person to look at; it never blocks
an order.

Claim, then send: each due message is first claimed in a short transaction (status
``sending``, ``attempts`` + 1, a lease until ``now + CLAIM_LEASE``), then handed to the gateway
outside any transaction, and its outcome written at once. A worker killed with SIGKILL between
the gateway's accept and that write leaves the message claimed; it is sent again when the lease
runs out — the only window in which one message can reach the gateway twice (measured by
bench/bench_durability.py). Before this, the whole batch was sent inside one transaction, so a
kill re-sent every message of the batch.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .choices import NotificationStatus
from .models import Notification

log = logging.getLogger("hotline.orders.outbox")
MAX_BACKOFF = dt.timedelta(hours=1)
#: Attempts before a message is dead (30 s, 1, 2, 4 … min apart: about 17 hours in all).
MAX_ATTEMPTS = 12
#: How long a claim holds; a message still ``sending`` after it is tried again.
CLAIM_LEASE = dt.timedelta(minutes=2)

_DUE = [NotificationStatus.PENDING, NotificationStatus.FAILED, NotificationStatus.SENDING]


def send(notification: Notification) -> None:
    """The stand-in gateway: log the message."""
    log.info("通知 → %s：%s", notification.recipient, notification.text)


def _sender():
    path = getattr(settings, "OUTBOX_SENDER", "")
    return import_string(path) if path else send


def claim_due(now: dt.datetime, *, batch: int = 100) -> list[Notification]:
    """Claim up to ``batch`` due messages for this worker (committed before any is sent)."""
    with transaction.atomic():
        due = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status__in=_DUE, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")[:batch]
        )
        for note in due:
            note.attempts += 1
            note.status = NotificationStatus.SENDING
            note.next_attempt_at = now + CLAIM_LEASE
        Notification.objects.bulk_update(due, ["attempts", "status", "next_attempt_at"])
    return due


def deliver_pending(now: dt.datetime | None = None, *, sender=None, batch: int = 100) -> int:
    """Send due messages; returns how many were sent. Failures are rescheduled, and after
    ``MAX_ATTEMPTS`` marked dead."""
    now = now or timezone.now()
    sender = sender or _sender()
    sent = 0
    for note in claim_due(now, batch=batch):
        try:
            sender(note)
        except Exception as exc:  # a gateway error must not stop the other messages
            if note.attempts >= MAX_ATTEMPTS:
                status, retry_at = NotificationStatus.DEAD, note.next_attempt_at
                log.error("通知 %s 已失败 %s 次，不再重试：%s", note.pk, note.attempts, exc)
            else:
                status = NotificationStatus.FAILED
                retry_at = now + min(
                    MAX_BACKOFF, dt.timedelta(seconds=30 * 2 ** (note.attempts - 1))
                )
            Notification.objects.filter(pk=note.pk, status=NotificationStatus.SENDING).update(
                status=status, last_error=str(exc)[:500], next_attempt_at=retry_at
            )
        else:
            Notification.objects.filter(pk=note.pk).update(
                status=NotificationStatus.SENT, sent_at=now, last_error=""
            )
            sent += 1
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
