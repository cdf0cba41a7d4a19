"""Machine doors: Open311 GeoReport v2 service requests and signed webhook messages (SMS,
WeChat, the 12345 app). Both keep a ``ChannelRecord`` beside the order for what the channel
sent that an order has no field for, and make a retry give the same order."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from hotline.orders.choices import Channel
from hotline.orders.models import Order
from hotline.orders.services import Appeal, Source, receive, system_actor

from ..choices import HOOK_CHANNELS, Door, EventCode
from ..errors import IntakeError
from ..models import ChannelRecord
from .base import record, short_hash

#: Same device_id and description within this window is one service request (Open311 clients
#: that send no Idempotency-Key retry with the same device and text).
OPEN311_WINDOW = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Intake:
    """What a door made of a request: the order and whether it is new."""

    order: Order
    created: bool
    record: ChannelRecord


def _keep(door, client, key, dedupe_base, order, channel, now, **extra) -> ChannelRecord:
    record_row, _ = ChannelRecord.objects.get_or_create(
        door=door,
        client=client,
        key=key,
        defaults={
            "dedupe_base": dedupe_base,
            "order_number": order.number,
            "channel": channel,
            "created_at": now,
            **extra,
        },
    )
    return record_row


def open311_key(client, *, header_key: str, device_id: str, description: str, now) -> tuple:
    """(key, dedupe_base) of an Open311 request: the Idempotency-Key header when given; else
    device + text, the same key while the first such request is younger than the window."""
    if header_key:
        return f"open311:h:{header_key}", ""
    if not device_id:
        return "", ""
    base = short_hash("open311", device_id, description.strip())
    previous = list(
        ChannelRecord.objects.filter(door=Door.OPEN311, client=client, dedupe_base=base)
        .order_by("-created_at", "-pk")
        .values_list("key", "created_at")[:1]
    )
    count = ChannelRecord.objects.filter(door=Door.OPEN311, client=client, dedupe_base=base).count()
    if previous and previous[0][1] >= now - OPEN311_WINDOW:
        return previous[0][0], base
    # A new request after the window: numbered, so that two concurrent retries of it still
    # compute the same key and the unique index picks one order for both.
    return f"open311:d:{base}:{count}", base


def receive_open311(client, appeal: Appeal, *, key: str, dedupe_base: str, now=None, **extra):
    """Receive an Open311 service request as an order for ``client`` (the ApiToken's user).
    ``extra`` holds device_id, account_id, email, media_url, attributes."""
    now = now or timezone.now()
    source_id = short_hash("open311", key) if key else os.urandom(16).hex()
    appeal = Appeal(
        **{
            **appeal.__dict__,
            "channel": Channel.OPEN311,
            "source": Source("intake", "open311", source_id),
            "idempotency_key": key[:100] if len(key) <= 100 else short_hash(key, length=64),
        }
    )
    with transaction.atomic():
        received = receive(client, appeal, now=now)
        row = _keep(
            Door.OPEN311,
            client,
            key or f"open311:n:{source_id}",
            dedupe_base,
            received.order,
            Channel.OPEN311,
            now,
            **extra,
        )
        if received.created:
            record(
                Door.OPEN311,
                EventCode.OPEN311_RECEIVED,
                now,
                actor=client,
                subject=source_id,
                order=received.order.number,
            )
    return Intake(received.order, received.created, row)


# --- webhooks --------------------------------------------------------------------------------
#: Development secrets, so that `make run` and the curl examples work without a .env; never
#: used in production, where a channel without its secret is switched off.
DEV_SECRET = "hotline-dev-hook-{channel}"


def hook_secret(channel: str) -> str:
    """The channel's HMAC secret: settings.INTAKE_HOOK_SECRETS[channel], else the environment
    variable INTAKE_HOOK_SECRET_<CHANNEL>, else (outside production) the development secret."""
    configured = getattr(settings, "INTAKE_HOOK_SECRETS", None) or {}
    secret = configured.get(channel) or os.environ.get(f"INTAKE_HOOK_SECRET_{channel.upper()}")
    if secret:
        return secret
    return "" if settings.PRODUCTION else DEV_SECRET.format(channel=channel)


def sign(secret: str, body: bytes) -> str:
    """The signature header's value for ``body``: ``sha256=<hex HMAC-SHA256>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_signature(channel: str, body: bytes, header: str, *, now=None) -> None:
    """Raise 404 for an unknown or switched-off channel, 401 when the signature is missing or
    wrong (compared in constant time)."""
    now = now or timezone.now()
    if channel not in HOOK_CHANNELS:
        raise IntakeError(f"未知的推送渠道：{channel}。", code="unknown_channel", status=404)
    secret = hook_secret(channel)
    if not secret:
        raise IntakeError(
            f"推送渠道 {channel} 未配置密钥，未启用。", code="channel_off", status=404
        )
    if not header or not hmac.compare_digest(sign(secret, body), header.strip()):
        record(Door.HOOK, EventCode.HOOK_REFUSED, now, subject=channel, payload={"reason": "sig"})
        raise IntakeError(
            "签名无效：请用该渠道的密钥对请求体做 HMAC-SHA256。", "bad_signature", 401
        )


def receive_hook(channel: str, message_id: str, appeal: Appeal, *, now=None, **extra) -> Intake:
    """Receive a signed message as an order (the system user acting for the channel). The same
    ``message_id`` again gives the same order."""
    now = now or timezone.now()
    key = f"hook:{channel}:{message_id}"
    source_id = key if len(key) <= 64 else short_hash(key, length=64)
    appeal = Appeal(
        **{
            **appeal.__dict__,
            "channel": channel,
            "source": Source("intake", "hook", source_id),
            "idempotency_key": key if len(key) <= 100 else short_hash(key, length=64),
        }
    )
    actor = system_actor()
    try:
        with transaction.atomic():
            received = receive(actor, appeal, now=now)
            row = _keep(Door.HOOK, actor, key, "", received.order, channel, now, **extra)
            if received.created:
                record(
                    Door.HOOK,
                    EventCode.HOOK_RECEIVED,
                    now,
                    subject=source_id,
                    order=received.order.number,
                    payload={"channel": channel},
                )
    except IntegrityError:  # a concurrent delivery of the same message won: answer with it
        row = ChannelRecord.objects.get(door=Door.HOOK, client=actor, key=key)
        return Intake(Order.objects.get(number=row.order_number), False, row)
    return Intake(received.order, received.created, row)
