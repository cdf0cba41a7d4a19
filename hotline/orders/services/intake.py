"""Receiving appeals as work orders (受理): validation, triage, idempotency, numbering,
clocks and routing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from hotline.geo.models import Division, HandlingUnit

from .. import clocks, kinds, routing
from ..cache import KeyedTtlCache
from ..choices import (
    EPIDEMIC_CATEGORIES,
    AppealType,
    Category,
    Channel,
    EventCode,
    Status,
    Urgency,
    Vulnerable,
)
from ..errors import OrderError, forbidden, invalid
from ..models import (
    DESCRIPTION_MAX,
    Order,
    OrderDaySequence,
    OrderEvent,
)
from .base import (
    TITLE_FROM_DESCRIPTION,
    _apply_dispatch,
    _center_duty_phone,
    _dispatch_record,
    _event_row,
    _iso,
    _notify,
    _now,
    _require_center,
    urgency_label,
)

#: The username of ``system_actor()``.
SYSTEM_USERNAME = "system"


@dataclass(frozen=True)
class Received:
    order: Order
    created: bool
    #: The events a new order was created with (its timeline, with actors and units loaded),
    #: so that the caller can render it without reading it back; None for a replay.
    events: list | None = None


#: Divisions change only when the NBS files are reloaded (``hotline load-divisions``): running
#: servers see a reload within a minute.
division_cache = KeyedTtlCache(
    lambda codes: {d.code: d for d in Division.objects.filter(code__in=codes)}, ttl=60.0
)


def _divisions(town_code: str | None, district_code: str | None, village_code: str | None = None):
    """The village, town and district divisions (one query): a village names its town, a town
    its county, when they are not given; given ones must nest."""
    if village_code and not town_code:
        town_code = village_code[:9]
    codes = [c for c in (village_code, town_code, district_code, town_code and town_code[:6]) if c]
    if not codes:
        return None, None, None
    found = division_cache.get_many(codes)
    village = found.get(village_code) if village_code else None
    if village_code and (village is None or village.level != "village"):
        raise invalid(f"村居代码 {village_code} 不存在，请从区划列表中选择。", "unknown_division")
    town = found.get(town_code) if town_code else None
    if town_code and (town is None or town.level != "town"):
        raise invalid(f"镇街代码 {town_code} 不存在，请从区划列表中选择。", "unknown_division")
    district = found.get(district_code) if district_code else None
    if district_code and (district is None or district.level != "county"):
        raise invalid(f"区县代码 {district_code} 不存在，请从区划列表中选择。", "unknown_division")
    if town and district and town.parent_id != district.code:
        raise invalid(f"镇街 {town.name} 不属于区县 {district.name}。", "division_mismatch")
    if village and village.parent_id != town_code:
        raise invalid(f"村居 {village.name} 不属于所填镇街。", "division_mismatch")
    if town and not district:
        district = found.get(town.parent_id) or Division.objects.get(code=town.parent_id)
    return village, town, district


def _triage(description: str, district_code: str | None) -> dict:
    """What triage says about the text, or {} when triage is unavailable or fails (the center
    then triages by hand: an appeal is never lost because a model misbehaved)."""
    try:
        from hotline.triage import assess
    except ImportError:
        return {}
    try:
        result = assess(description, caller={"district_code": district_code})
    except Exception:
        return {}
    place = getattr(result, "place", None)
    return {
        "appeal_type": getattr(result, "appeal_type", None),
        "category": getattr(result, "category", None),
        "urgency": getattr(result, "urgency", None),
        "vulnerable": list(getattr(result, "vulnerable", None) or []),
        "epidemic_related": getattr(result, "epidemic_related", None),
        "district_code": getattr(place, "district_code", None),
        "town_code": getattr(place, "town_code", None),
        "village_code": getattr(place, "village_code", None),
        "reasons": [str(r) for r in (getattr(result, "reasons", None) or [])][:20],
        "model_version": str(getattr(result, "model_version", "")),
    }


#: Classification fields a person may set, and the name triage gives the same reading.
_OVERRIDABLE = ("appeal_type", "category", "urgency", "vulnerable", "town_code")


def _overrides(given: dict, assessed: dict) -> dict:
    """{field: {"triage": its reading, "corrected": the value given}} where they differ."""
    out = {}
    for field in _OVERRIDABLE:
        value, reading = given.get(field), assessed.get(field)
        if field == "vulnerable" and reading is not None:
            reading = sorted(reading)
        if value is not None and reading is not None and value != reading:
            out[field] = {"triage": reading, "corrected": value}
    return out


def request_fingerprint(fields: dict) -> str:
    """SHA-256 of the request's fields, to tell a retry from a different appeal."""
    return hashlib.sha256(
        json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


def _next_number(now: dt.datetime) -> str:
    """The next number of the local day, from its counter row (one statement when it exists)."""
    day = timezone.localdate(now)
    table = OrderDaySequence._meta.db_table
    sql = f"UPDATE {table} SET last = last + 1 WHERE day = %s RETURNING last"
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datefield_value(day)])
        row = cursor.fetchone()
    if row is None:
        try:
            with transaction.atomic():
                OrderDaySequence.objects.create(day=day, last=1)
            last = 1
        except IntegrityError:  # another writer created the day's row first
            with connection.cursor() as cursor:
                cursor.execute(sql, [connection.ops.adapt_datefield_value(day)])
                last = cursor.fetchone()[0]
    else:
        last = row[0]
    return f"{day:%Y%m%d}-{last:06d}"


@dataclass(frozen=True)
class Source:
    """The field app's object an order serves: ``Source("sampling", "recall", "12")``."""

    app: str
    type: str
    id: str

    def __post_init__(self):
        for name, value, limit in (
            ("app", self.app, 30),
            ("type", self.type, 30),
            ("id", self.id, 64),
        ):
            if not isinstance(value, str) or not value or len(value) > limit:
                raise invalid(
                    f"来源对象的 {name} 须为 1～{limit} 个字符的文本（收到 {value!r}）。",
                    "bad_source",
                )

    def as_dict(self) -> dict:
        return {"app": self.app, "type": self.type, "id": self.id}


@dataclass(frozen=True)
class Appeal:
    """One appeal as every door hands it to ``receive``: the console form, the API, Open311,
    an import row, a field app's record. ``None`` means "not given": the order kind's default,
    else triage's reading, else a safe default fills it."""

    channel: str
    description: str
    caller_name: str = ""
    caller_phone: str = ""
    address: str = ""
    title: str = ""
    appeal_type: str | None = None
    category: str | None = None
    urgency: str | None = None
    vulnerable: list[str] | tuple[str, ...] | None = None
    epidemic_related: bool | None = None
    district_code: str | None = None
    town_code: str | None = None
    village_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    #: A registered ``OrderKind`` code (``sampling.recall``); "" for an ordinary appeal.
    kind: str = ""
    source: Source | None = None
    idempotency_key: str = ""
    #: False keeps the order at the center without dispatching it (answered at first contact).
    route: bool = True


@dataclass(frozen=True)
class BatchItem:
    """The outcome of one appeal of a batch: HTTP-like ``status`` (201 created, 200 the same
    order again for a retried key, 409 key conflict, 422 invalid, 403 not allowed)."""

    index: int
    status: int
    order: Order | None
    code: str
    message: str


def receive(actor, appeal: Appeal | None = None, /, *, now: dt.datetime | None = None, **fields):
    """Receive an appeal as a work order (受理), time it, route it and dispatch it if a rule
    names a unit; otherwise it waits in the center's manual-dispatch queue.

    Takes an ``Appeal`` (or its fields as keywords, the form the console and API use). Fields
    left out are filled from the order kind, then by ``hotline.triage.assess``, then by safe
    defaults (help / other / normal). With an ``idempotency_key`` a retry of the same request
    returns the same order (``created`` False); the same key with a different request is
    refused (409 ``idempotency_conflict``). The center receives appeals; with a ``source``
    (a field app acting for its own object) any active user may, e.g. ``system_actor()``.
    """
    if appeal is None:
        appeal = Appeal(**fields)
    elif fields:
        raise TypeError("receive() takes an Appeal or keyword fields, not both")
    return _receive(actor, appeal, _now(now))


def receive_batch(actor, appeals, *, now: dt.datetime | None = None) -> list[BatchItem]:
    """Receive many appeals in one transaction, each in its own savepoint: a bad item is
    reported in its ``BatchItem`` and the others are kept (never all-or-nothing)."""
    now = _now(now)
    items: list[BatchItem] = []
    with transaction.atomic():
        for index, appeal in enumerate(appeals):
            try:
                with transaction.atomic():
                    received = _receive(actor, appeal, now)
            except OrderError as exc:
                status = exc.status if exc.status in (403, 409, 422) else 422
                items.append(BatchItem(index, status, None, exc.code, str(exc)))
                continue
            status, code = (201, "created") if received.created else (200, "replayed")
            items.append(BatchItem(index, status, received.order, code, ""))
    return items


def system_actor():
    """The platform's own user ("system", no password, no role) for jobs and commands that
    create orders for a field app's object (always with a ``source``)."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"first_name": "系统", "is_active": True}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _receive(actor, appeal: Appeal, now: dt.datetime) -> Received:
    source_obj = appeal.source
    if source_obj is None:
        _require_center(actor, "受理工单")
    elif not getattr(actor, "is_active", False):
        raise forbidden("账号已停用，不能创建工单。", "inactive_user")
    channel = appeal.channel
    caller_name, caller_phone = appeal.caller_name or "", appeal.caller_phone or ""
    address, title = appeal.address or "", appeal.title or ""
    appeal_type, category, urgency = appeal.appeal_type, appeal.category, appeal.urgency
    vulnerable = list(appeal.vulnerable) if appeal.vulnerable is not None else None
    epidemic_related = appeal.epidemic_related
    district_code, town_code = appeal.district_code, appeal.town_code
    village_code = appeal.village_code
    latitude, longitude = appeal.latitude, appeal.longitude
    idempotency_key, route = appeal.idempotency_key or "", appeal.route
    kind_code = appeal.kind or ""
    kind = None
    if kind_code:
        kind = kinds.get(kind_code)
        if kind is None:
            raise invalid(f"未登记的工单类型：{kind_code}。", "unknown_kind")
    description = (appeal.description or "").strip()
    if not description:
        raise invalid("诉求内容不能为空。", "description_required")
    if len(description) > DESCRIPTION_MAX:
        raise invalid(f"诉求内容不能超过 {DESCRIPTION_MAX} 字。", "description_too_long")
    if channel not in Channel.values:
        raise invalid(f"未知渠道：{channel}。", "unknown_channel")
    if (latitude is None) != (longitude is None):
        raise invalid("经度和纬度须同时填写或同时留空。", "coordinates_incomplete")
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise invalid(
            "经纬度超出范围（纬度 −90～90，经度 −180～180）。", "coordinates_out_of_range"
        )
    given = {
        "channel": channel,
        "description": description,
        "caller_name": caller_name,
        "caller_phone": caller_phone,
        "address": address,
        "title": title,
        "appeal_type": appeal_type,
        "category": category,
        "urgency": urgency,
        "vulnerable": sorted(vulnerable) if vulnerable is not None else None,
        "epidemic_related": epidemic_related,
        "district_code": district_code,
        "town_code": town_code,
    }
    # Added after the first release: only in the fingerprint when given, so that a retry of an
    # earlier request still matches the order it created.
    for name, value in (
        ("village_code", village_code),
        ("latitude", latitude),
        ("longitude", longitude),
        ("kind", kind_code or None),
        ("source", source_obj.as_dict() if source_obj else None),
    ):
        if value is not None:
            given[name] = value
    fingerprint = request_fingerprint(given)

    with transaction.atomic():
        if idempotency_key:
            existing = _existing_for_key(actor, idempotency_key, fingerprint)
            if existing is not None:
                return Received(existing, created=False)

        # Triage runs even when every field is given: where a person's value differs from its
        # reading, the difference is recorded (an override event, tomorrow's training data).
        assessed = _triage(description, district_code)
        overrides = _overrides(given, assessed)
        source = {k: ("caller" if v is not None else "triage") for k, v in given.items()}
        if kind is not None:
            # The kind's defaults come before triage: a recall is a recall whatever its words.
            for name in ("appeal_type", "category", "urgency"):
                if given[name] is None:
                    source[name] = "kind"
            appeal_type = appeal_type or kind.appeal_type
            category = category or kind.category
            urgency = urgency or kind.urgency
            if epidemic_related is None:
                epidemic_related = kind.epidemic_related
        appeal_type = appeal_type or assessed.get("appeal_type") or AppealType.HELP
        category = category or assessed.get("category") or Category.OTHER
        urgency = urgency or assessed.get("urgency") or Urgency.NORMAL
        if vulnerable is None:
            vulnerable = assessed.get("vulnerable") or []
        if epidemic_related is None:
            # During a surge every appeal of the epidemic special line counts as epidemic work,
            # whether or not the caller used an epidemic word.
            epidemic_related = bool(assessed.get("epidemic_related")) or (
                category in EPIDEMIC_CATEGORIES
            )
        if not district_code and not town_code and not village_code:
            # A place triage read from the text is a hint: keep it only if it is a known division.
            read = [assessed.get(f"{level}_code") for level in ("district", "town", "village")]
            known = set(
                Division.objects.filter(code__in=[c for c in read if c]).values_list(
                    "code", flat=True
                )
            )
            district_code, town_code, village_code = (c if c in known else None for c in read)
            if village_code and not town_code:
                village_code = None  # a village without its town would be a guess
        for value, allowed, name in (
            (appeal_type, AppealType.values, "诉求类型"),
            (category, Category.values, "诉求分类"),
            (urgency, Urgency.values, "紧急程度"),
        ):
            if value not in allowed:
                raise invalid(f"未知{name}：{value}。", "unknown_code")
        bad = set(vulnerable) - set(Vulnerable.values)
        if bad:
            raise invalid(f"未知特殊群体标记：{'、'.join(sorted(bad))}。", "unknown_code")

        village, town, district = _divisions(town_code, district_code, village_code)

        mode = clocks.current_mode()
        limits = clocks.limits_for(urgency, appeal_type, mode, kind_code)
        decision = routing.choose_unit(
            category=category,
            urgency=urgency,
            epidemic_related=epidemic_related,
            district_code=district.code if district else None,
            town_code=town.code if town else None,
            kind=kind_code,
        )
        order = Order(
            number=_next_number(now),
            channel=channel,
            appeal_type=appeal_type,
            category=category,
            urgency=urgency,
            vulnerable=sorted(set(vulnerable)),
            epidemic_related=epidemic_related,
            title=(title or description[:TITLE_FROM_DESCRIPTION]).strip()[:200],
            description=description,
            caller_name=caller_name[:64],
            caller_phone=caller_phone[:32],
            address=address[:255],
            district=district,
            town=town,
            village=village,
            latitude=latitude,
            longitude=longitude,
            status=Status.RECEIVED,
            sla_mode=mode,
            accept_deadline=limits.accept.deadline(now),
            resolve_deadline=limits.resolve.deadline(now),
            received_at=now,
            routing_rule=decision.rule[:100],
            client=actor,
            idempotency_key=idempotency_key or None,
            request_hash=fingerprint,
            kind=kind_code,
            source_app=source_obj.app if source_obj else "",
            source_type=source_obj.type if source_obj else "",
            source_id=source_obj.id if source_obj else "",
        )
        dispatch_to = decision.unit if route else None
        if dispatch_to is not None:
            _apply_dispatch(order, dispatch_to, now)  # saved with the insert below
        try:
            with transaction.atomic():
                order.save()
        except IntegrityError:
            # A concurrent retry with the same key won the race: answer with its order.
            if not idempotency_key:
                raise
            existing = _existing_for_key(actor, idempotency_key, fingerprint)
            if existing is None:
                raise
            return Received(existing, created=False)

        events = [
            _event_row(
                order,
                EventCode.RECEIVED,
                actor,
                now,
                {
                    "channel": channel,
                    "status": Status.RECEIVED,
                    "mode": mode,
                    "accept_deadline": _iso(order.accept_deadline),
                    "resolve_deadline": _iso(order.resolve_deadline),
                    **({"kind": kind_code} if kind_code else {}),
                    **({"source": source_obj.as_dict()} if source_obj else {}),
                },
            ),
            _event_row(
                order,
                EventCode.TRIAGED,
                None,
                now,
                {
                    "appeal_type": appeal_type,
                    "category": category,
                    "urgency": urgency,
                    "vulnerable": order.vulnerable,
                    "epidemic_related": epidemic_related,
                    "source": {k: source[k] for k in ("appeal_type", "category", "urgency")},
                    "reasons": assessed.get("reasons", []),
                    "model_version": assessed.get("model_version", ""),
                    "routing": {"rule": decision.rule, "reason": decision.reason},
                },
            ),
        ]
        if overrides:
            events.append(
                _event_row(
                    order,
                    EventCode.TRIAGE_OVERRIDDEN,
                    actor,
                    now,
                    {"fields": overrides, "model_version": assessed.get("model_version", "")},
                )
            )
        if dispatch_to is not None:
            events.append(_dispatch_record(order, dispatch_to, [], None, now, rule=decision.rule))
        OrderEvent.objects.bulk_create(events)
        # A new order has no co-handlers yet: say so, so rendering it does not ask.
        order._prefetched_objects_cache = {"co_units": HandlingUnit.objects.none()}
        if dispatch_to is None and route and urgency != Urgency.NORMAL:
            _notify(
                order,
                EventCode.RECEIVED,
                _center_duty_phone(),
                f"【12345】{urgency_label(urgency)}工单 {order.number} 待人工派单：{order.title}",
                now,
            )
    return Received(order, created=True, events=events)


_KEY_SQL = (
    f"SELECT id FROM {Order._meta.db_table} WHERE client_id = %s AND idempotency_key = %s LIMIT 1"
)


def _existing_for_key(actor, key: str, fingerprint: str) -> Order | None:
    # Plain SQL on the (client, key) unique index: this runs on every keyed receive, and the
    # ORM's query compilation cost more than the lookup itself. No ORDER BY, which would tempt
    # SQLite to walk another index.
    with connection.cursor() as cursor:
        cursor.execute(_KEY_SQL, [actor.pk, key])
        row = cursor.fetchone()
    if row is None:
        return None
    existing = Order.objects.get(pk=row[0])
    if existing.request_hash != fingerprint:
        raise OrderError(
            f"幂等键 {key} 已用于另一条不同内容的诉求（工单 {existing.number}）；"
            "新的诉求请使用新的幂等键。",
            code="idempotency_conflict",
        )
    return existing
