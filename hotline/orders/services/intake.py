"""Receiving appeals as work orders (受理): validation, triage, idempotency, numbering,
clocks and routing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from hotline.common.phone import phone_problem
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
    Notification,
    Order,
    OrderDaySequence,
    OrderEvent,
    handler_unit_id,
)
from .base import (
    TITLE_FROM_DESCRIPTION,
    _apply_dispatch,
    _center_duty_phone,
    _dispatch_notices,
    _dispatch_payload,
    _event_row,
    _iso,
    _notify,
    _now,
    _require_center,
    urgency_label,
)
from .rows import RowWriter, mark_saved, new_instance

#: The codes of each choice, as sets (``Choices.values`` builds a new list on every read).
_APPEALTYPE_CODES = frozenset(AppealType.values)
_CATEGORY_CODES = frozenset(Category.values)
_URGENCY_CODES = frozenset(Urgency.values)
_CHANNEL_CODES = frozenset(Channel.values)
_VULNERABLE_CODES = frozenset(Vulnerable.values)

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


def _triage(description: str, district_code: str | None, address: str = "") -> dict:
    """What triage says about the text, or {} when triage is unavailable or fails (the center
    then triages by hand: an appeal is never lost because a model misbehaved). When the text
    names no place, the address field is read for one ("茂南区站南路88号" → 茂南区)."""
    try:
        from hotline.triage import assess
    except ImportError:
        return {}
    try:
        result = assess(description, caller={"district_code": district_code})
    except Exception:
        return {}
    return _reading(result, district_code, address)


def _triage_many(keys: list[tuple]) -> dict:
    """{key: ``_triage(*key)``} for distinct ``triage_key``s, worked out together by
    ``assess_many`` (the same readings, less CPU: each stage of triage stays in the processor's
    caches across the appeals). Should triage fail, each appeal is triaged alone, so that only
    the one that fails is left without a reading, as with ``_triage``."""
    try:
        from hotline.triage.assess import assess_many

        results = assess_many([k[0] for k in keys], [{"district_code": k[1]} for k in keys])
    except Exception:
        return {key: _triage(*key) for key in keys}
    return {key: _reading(r, key[1], key[2]) for key, r in zip(keys, results, strict=True)}


def _reading(result, district_code, address: str) -> dict:
    """The reading ``_triage`` answers from ``result``, the Assessment of the text."""
    try:
        from hotline.triage.gazetteer import locate

        place = getattr(result, "place", None)
        if address and not getattr(place, "district_code", None):
            from_address = locate(address, district_hint=district_code)
            if from_address.district_code:
                place = from_address
    except Exception:
        return {}
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
        # the reading itself, for a caller that shows its reasons (never stored)
        "assessment": result,
    }


def triage_key(appeal: Appeal) -> tuple:
    """What triage reads of an appeal: (text, district code, address)."""
    return ((appeal.description or "").strip(), appeal.district_code, appeal.address or "")


def triage_readings(keys) -> dict:
    """{key: triage's reading} for distinct ``triage_key``s, as ``receive_batch`` would work
    them out (without the ``assessment`` object, which only a preview shows). Pure: touches
    no database, so it may run in another process and be handed to ``receive_batch``."""
    out = _triage_many(list(dict.fromkeys(keys)))
    for reading in out.values():
        reading.pop("assessment", None)
    return out


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


def _next_numbers(now: dt.datetime, count: int) -> list[str]:
    """The next ``count`` numbers of the local day, from its counter row (one statement when
    the row exists): a batch reserves its numbers at once."""
    day = timezone.localdate(now)
    table = OrderDaySequence._meta.db_table
    sql = f"UPDATE {table} SET last = last + %s WHERE day = %s RETURNING last"
    params = [count, connection.ops.adapt_datefield_value(day)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        try:
            with transaction.atomic():
                OrderDaySequence.objects.create(day=day, last=count)
            last = count
        except IntegrityError:  # another writer created the day's row first
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                last = cursor.fetchone()[0]
    else:
        last = row[0]
    return [f"{day:%Y%m%d}-{n:06d}" for n in range(last - count + 1, last + 1)]


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


def receive_batch(
    actor, appeals, *, now: dt.datetime | None = None, on_write=None, readings=None
) -> list[BatchItem]:
    """Receive many appeals at once: each is checked, classified and routed as ``receive``
    does, a bad one is reported in its own ``BatchItem`` and the others are kept (never
    all-or-nothing). The good ones are written together in one short transaction — one block
    of numbers, one multi-row insert each for orders, events and notices — after one
    idempotency query and the triage (an identical text triaged once), which run before it so
    that other writers are not held up meanwhile. Should another writer store one of the keys
    in between, the insert skips that row and it is answered as a retry (200) or a conflict
    (409) of the order the other writer stored. ``on_write(items)``, if given, runs inside
    the write transaction (a door's own bookkeeping, committed with the orders).
    ``readings`` are ``triage_readings(triage_key(a) for a in appeals)`` when the caller had
    them worked out ahead (the bulk import does, in another process, while the previous batch
    is written)."""
    now = _now(now)
    appeals = list(appeals)
    results: list[BatchItem | None] = [None] * len(appeals)
    checked = []  # (index, appeal, fingerprint, given)
    for index, appeal in enumerate(appeals):
        try:
            _check_actor(actor, appeal)
            given, fingerprint = _given(appeal)
        except OrderError as exc:
            results[index] = _failed(index, exc)
            continue
        checked.append((index, appeal, fingerprint, given))
    drafts, repeats = _draft_batch(actor, checked, results, now, readings)
    with transaction.atomic():
        if drafts:
            _write_batch(actor, drafts, repeats, results, now)
        if on_write is not None:
            on_write(results)
    return results


def _failed(index: int, exc: OrderError) -> BatchItem:
    status = exc.status if exc.status in (403, 409, 422) else 422
    return BatchItem(index, status, None, exc.code, str(exc))


def _done(index: int, order: Order, created: bool) -> BatchItem:
    return (
        BatchItem(index, 201, order, "created", "")
        if created
        else BatchItem(index, 200, order, "replayed", "")
    )


def _conflict(index: int, key: str, number: str) -> BatchItem:
    return BatchItem(
        index,
        409,
        None,
        "idempotency_conflict",
        f"幂等键 {key} 已用于另一条不同内容的诉求（工单 {number}）；新的诉求请使用新的幂等键。",
    )


def _stored_for_keys(actor, keys) -> dict[str, Order]:
    """The actor's orders stored under ``keys`` (500 keys a query)."""
    keys = list(keys)
    stored: dict[str, Order] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        for order in Order.objects.filter(client=actor, idempotency_key__in=chunk).order_by():
            stored[order.idempotency_key] = order
    return stored


def _answer(index: int, key: str, fingerprint: str, order: Order) -> BatchItem:
    """A key already stored: the same request again (200) or another one (409)."""
    if order.request_hash == fingerprint:
        return _done(index, order, created=False)
    return _conflict(index, key, order.number)


def _draft_batch(actor, checked, results, now, readings=None):
    """Answer the stored keys and the bad appeals in ``results``; draft the others (no
    write). Returns the drafts [(index, draft)] and the in-batch retries [(index, position
    of the first in drafts)]."""
    stored = _stored_for_keys(
        actor, {appeal.idempotency_key for _i, appeal, _f, _g in checked if appeal.idempotency_key}
    )
    drafts: list[tuple[int, _Draft]] = []
    in_batch: dict[str, tuple[str, int]] = {}  # key → (fingerprint, position in drafts)
    repeats: list[tuple[int, int]] = []  # (index, position in drafts) of an in-batch retry
    memo = _Memo()
    if readings:
        memo.triaged.update(readings)
    # Triage every appeal to be drafted first, together (``_triage_many``), then draft them:
    # triage's tables (the model's weights and vocabularies, the automata, the expressions) stay
    # in the processor's caches instead of being evicted by the drafting between two appeals.
    # Measured in-process on 10 batches of 500 (interleaved runs, load ~2–2.4): triage cost
    # 199–242 µs per order in a loop of assess() calls before the drafting against 252–284
    # when each appeal was triaged as it was drafted, and 129–175 with assess_many; the drafting
    # after it got cheaper too (~60 against ~78 µs). The same readings: triage is pure, and the
    # memo is what the drafts read anyway. An appeal answered from its stored key, or refused
    # for its kind before triage, is not triaged, as before.
    pending = {}
    for _index, appeal, _fingerprint, given in checked:
        if (appeal.idempotency_key or "") not in stored and (
            not appeal.kind or kinds.get(appeal.kind) is not None
        ):
            key = (given["description"], appeal.district_code, given["address"])
            if key not in memo.triaged:
                pending[key] = None
    if pending:
        memo.triaged.update(_triage_many(list(pending)))
    for index, appeal, fingerprint, given in checked:
        key = appeal.idempotency_key or ""
        if key in stored:
            results[index] = _answer(index, key, fingerprint, stored[key])
            continue
        if key in in_batch:
            first_fp, position = in_batch[key]
            if first_fp == fingerprint:
                repeats.append((index, position))
            else:
                results[index] = BatchItem(
                    index,
                    409,
                    None,
                    "idempotency_conflict",
                    f"幂等键 {key} 在本批中已用于另一条不同内容的诉求；新的诉求请使用新的幂等键。",
                )
            continue
        try:
            draft = _draft(actor, appeal, given, fingerprint, now, memo=memo)
        except OrderError as exc:
            results[index] = _failed(index, exc)
            continue
        if key:
            in_batch[key] = (fingerprint, len(drafts))
        drafts.append((index, draft))
    return drafts, repeats


def _write_batch(actor, drafts, repeats, results, now) -> None:
    """Number and insert the drafted orders with their events and notices (in the caller's
    transaction); answer each in ``results``."""
    for (_index, draft), number in zip(drafts, _next_numbers(now, len(drafts)), strict=True):
        draft.order.number = number
    ids = _insert_orders([d for _i, d in drafts])
    no_co_units = HandlingUnit.objects.none()
    alias = connection.alias
    events: list[list] = []
    notices: list = []
    lost: dict[int, _Draft] = {}  # position → draft whose key another writer took meanwhile
    for position, (index, draft) in enumerate(drafts):
        order = draft.order
        pk = ids.get(order.number)
        if pk is None:
            lost[position] = draft
            continue
        mark_saved(order, pk, alias)
        events.extend(_event_values(draft, actor, now, notices))
        # A new order has no co-handlers yet: say so, so rendering it does not ask.
        order._prefetched_objects_cache = {"co_units": no_co_units}
        results[index] = _done(index, order, created=True)
    EVENT_ROWS.insert(EVENT_ROWS.adapt_rows(events))
    _insert_rows(NOTICE_ROWS, notices)
    if lost:
        taken = _stored_for_keys(actor, {d.appeal.idempotency_key for d in lost.values()})
        for position, draft in lost.items():
            index, key = drafts[position][0], draft.appeal.idempotency_key
            if key not in taken:  # only the key's constraint is skipped: it must be there
                raise IntegrityError(f"order with key {key} neither inserted nor found")
            results[index] = _answer(index, key, draft.order.request_hash, taken[key])
    for index, position in repeats:
        first = results[drafts[position][0]]
        results[index] = (
            _done(index, first.order, created=False)
            if first.status in (200, 201)
            else BatchItem(index, first.status, None, first.code, first.message)
        )


#: The multi-row writers of receive (see ``rows``).
ORDER_ROWS = RowWriter(Order)
EVENT_ROWS = RowWriter(OrderEvent)
NOTICE_ROWS = RowWriter(Notification)
_KEY_COLUMNS = [Order._meta.get_field(f).column for f in ("client", "idempotency_key")]


def _insert_orders(drafts: list[_Draft]) -> dict[str, int]:
    """Insert the drafts' orders; {number: id} of those inserted. An order whose (client, key)
    another writer stored meanwhile is skipped (``ON CONFLICT DO NOTHING``), never raised, so
    the rest of its batch stays; the caller answers it with the stored order."""
    rows = ORDER_ROWS.adapt_rows([ORDER_ROWS.values(d.order) for d in drafts])
    got = ORDER_ROWS.insert(rows, returning=("id", "number"), conflict=_KEY_COLUMNS)
    return {number: pk for pk, number in got}


def _insert_rows(writer: RowWriter, objs: list) -> None:
    if objs:
        writer.insert(writer.adapt_rows([writer.values(o) for o in objs]))


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


def check_appeal(actor, appeal: Appeal) -> None:
    """Check an appeal as ``receive`` would before triage — the actor, the fields, the order
    kind and the divisions — without writing anything; raises ``OrderError`` (422 invalid,
    403 not allowed). For doors that must report every bad row of a file before writing any
    (bulk import). A checked appeal can still be refused by ``receive`` for what only the
    database knows at write time (an idempotency key reused for another appeal)."""
    _check_actor(actor, appeal)
    _given(appeal)
    if appeal.kind and kinds.get(appeal.kind) is None:
        raise invalid(f"未登记的工单类型：{appeal.kind}。", "unknown_kind")
    for value, allowed, name in (
        (appeal.appeal_type, _APPEALTYPE_CODES, "诉求类型"),
        (appeal.category, _CATEGORY_CODES, "诉求分类"),
        (appeal.urgency, _URGENCY_CODES, "紧急程度"),
    ):
        if value is not None and value not in allowed:
            raise invalid(f"未知{name}：{value}。", "unknown_code")
    bad = set(appeal.vulnerable or ()) - _VULNERABLE_CODES
    if bad:
        raise invalid(f"未知特殊群体标记：{'、'.join(sorted(bad))}。", "unknown_code")
    _divisions(appeal.town_code, appeal.district_code, appeal.village_code)


#: Checks other apps add on who may receive a person's appeal at the desk, whatever the door
#: (console, API, batch): each takes the user and returns ``(code, message)`` to refuse, or
#: None. The workforce app adds one: a volunteer agent takes calls only after the basic course.
DESK_CHECKS: list = []


def add_desk_check(check) -> None:
    """Register a desk check (an app's ``AppConfig.ready``); registering twice is harmless."""
    if check not in DESK_CHECKS:
        DESK_CHECKS.append(check)


def _check_actor(actor, appeal: Appeal) -> None:
    if appeal.source is None:
        _require_center(actor, "受理工单")
        for check in DESK_CHECKS:
            refusal = check(actor)
            if refusal:
                raise forbidden(refusal[1], refusal[0])
    elif not getattr(actor, "is_active", False):
        raise forbidden("账号已停用，不能创建工单。", "inactive_user")


def _given(appeal: Appeal) -> tuple[dict, str]:
    """The request's fields as given (checked for what needs no database) and their
    fingerprint, which tells a retry from a different appeal under the same key."""
    latitude, longitude = appeal.latitude, appeal.longitude
    description = (appeal.description or "").strip()
    if not description:
        raise invalid("诉求内容不能为空。", "description_required")
    if len(description) > DESCRIPTION_MAX:
        raise invalid(f"诉求内容不能超过 {DESCRIPTION_MAX} 字。", "description_too_long")
    if appeal.channel not in _CHANNEL_CODES:
        raise invalid(f"未知渠道：{appeal.channel}。", "unknown_channel")
    problem = phone_problem(appeal.caller_phone)
    if problem:
        raise invalid(problem, "bad_phone")
    if (latitude is None) != (longitude is None):
        raise invalid("经度和纬度须同时填写或同时留空。", "coordinates_incomplete")
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise invalid(
            "经纬度超出范围（纬度 −90～90，经度 −180～180）。", "coordinates_out_of_range"
        )
    vulnerable = appeal.vulnerable
    given = {
        "channel": appeal.channel,
        "description": description,
        "caller_name": appeal.caller_name or "",
        "caller_phone": appeal.caller_phone or "",
        "address": appeal.address or "",
        "title": appeal.title or "",
        "appeal_type": appeal.appeal_type,
        "category": appeal.category,
        "urgency": appeal.urgency,
        "vulnerable": sorted(vulnerable) if vulnerable is not None else None,
        "epidemic_related": appeal.epidemic_related,
        "district_code": appeal.district_code,
        "town_code": appeal.town_code,
    }
    # Added after the first release: only in the fingerprint when given, so that a retry of an
    # earlier request still matches the order it created.
    for name, value in (
        ("village_code", appeal.village_code),
        ("latitude", latitude),
        ("longitude", longitude),
        ("kind", appeal.kind or None),
        ("source", appeal.source.as_dict() if appeal.source else None),
    ):
        if value is not None:
            given[name] = value
    return given, request_fingerprint(given)


@dataclass
class _Draft:
    """An order worked out but not yet numbered or saved, with what its events need."""

    order: Order
    appeal: Appeal
    assessed: dict
    source: dict
    overrides: dict
    decision: routing.RoutingDecision
    dispatch_to: HandlingUnit | None
    memo: _Memo


class _Memo:
    """What a batch works out once for all its appeals (they share ``now``): triage's reading
    of each distinct (text, district, address), each clock limit's deadline, each routing
    question's answer, each deadline's ISO text. Triage, clocks and routing are pure functions
    of those inputs (the tables behind them are cached per process anyway), so the orders are
    the same as when each appeal works them out alone."""

    __slots__ = ("deadlines", "isos", "routes", "triaged")

    def __init__(self):
        self.triaged: dict = {}
        self.deadlines: dict = {}
        self.routes: dict = {}
        self.isos: dict = {}

    def triage(self, description: str, district_code, address: str) -> dict:
        key = (description, district_code, address)
        found = self.triaged.get(key)
        if found is None:
            found = self.triaged[key] = _triage(description, district_code, address)
        return found

    def deadline(self, limit, now) -> dt.datetime:
        found = self.deadlines.get((limit, now))
        if found is None:
            found = self.deadlines[limit, now] = limit.deadline(now)
        return found

    def route(self, **question) -> routing.RoutingDecision:
        key = tuple(question.values())
        found = self.routes.get(key)
        if found is None:
            found = self.routes[key] = routing.choose_unit(**question)
        return found

    def iso(self, value: dt.datetime | None) -> str | None:
        found = self.isos.get(value)
        if found is None:
            found = self.isos[value] = _iso(value)
        return found


def _draft(
    actor, appeal: Appeal, given: dict, fingerprint: str, now, *, memo: _Memo | None = None
) -> _Draft:
    """Classify, place, time and route one appeal (no write): the order without its number.
    A batch passes its ``memo`` so that what its appeals share is worked out once."""
    memo = memo or _Memo()
    kind_code = appeal.kind or ""
    kind = None
    if kind_code:
        kind = kinds.get(kind_code)
        if kind is None:
            raise invalid(f"未登记的工单类型：{kind_code}。", "unknown_kind")
    appeal_type, category, urgency = appeal.appeal_type, appeal.category, appeal.urgency
    vulnerable = list(appeal.vulnerable) if appeal.vulnerable is not None else None
    epidemic_related = appeal.epidemic_related
    district_code, town_code = appeal.district_code, appeal.town_code
    village_code = appeal.village_code
    description = given["description"]

    # Triage runs even when every field is given: where a person's value differs from its
    # reading, the difference is recorded (an override event, tomorrow's training data).
    assessed = memo.triage(description, district_code, given["address"])
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
        known = division_cache.get_many([c for c in read if c])
        district_code, town_code, village_code = (c if c in known else None for c in read)
        if village_code and not town_code:
            village_code = None  # a village without its town would be a guess
    for value, allowed, name in (
        (appeal_type, _APPEALTYPE_CODES, "诉求类型"),
        (category, _CATEGORY_CODES, "诉求分类"),
        (urgency, _URGENCY_CODES, "紧急程度"),
    ):
        if value not in allowed:
            raise invalid(f"未知{name}：{value}。", "unknown_code")
    bad = set(vulnerable) - _VULNERABLE_CODES
    if bad:
        raise invalid(f"未知特殊群体标记：{'、'.join(sorted(bad))}。", "unknown_code")

    village, town, district = _divisions(town_code, district_code, village_code)

    mode = clocks.current_mode()
    limits = clocks.limits_for(urgency, appeal_type, mode, kind_code)
    decision = memo.route(
        category=category,
        urgency=urgency,
        epidemic_related=epidemic_related,
        district_code=district.code if district else None,
        town_code=town.code if town else None,
        kind=kind_code,
    )
    source_obj = appeal.source
    order = new_instance(
        Order,
        {
            "channel": appeal.channel,
            "appeal_type": appeal_type,
            "category": category,
            "urgency": urgency,
            "vulnerable": sorted(set(vulnerable)),
            "epidemic_related": epidemic_related,
            "title": (given["title"] or description[:TITLE_FROM_DESCRIPTION]).strip()[:200],
            "description": description,
            "caller_name": given["caller_name"][:64],
            "caller_phone": given["caller_phone"][:32],
            "address": given["address"][:255],
            "latitude": appeal.latitude,
            "longitude": appeal.longitude,
            "status": Status.RECEIVED,
            "sla_mode": mode,
            "accept_deadline": memo.deadline(limits.accept, now),
            "resolve_deadline": memo.deadline(limits.resolve, now),
            "received_at": now,
            "routing_rule": decision.rule[:100],
            "idempotency_key": appeal.idempotency_key or None,
            "request_hash": fingerprint,
            "kind": kind_code,
            "source_app": source_obj.app if source_obj else "",
            "source_type": source_obj.type if source_obj else "",
            "source_id": source_obj.id if source_obj else "",
        },
        {"district": district, "town": town, "village": village, "client": actor},
    )
    dispatch_to = decision.unit if appeal.route else None
    if dispatch_to is not None:
        # saved with the insert; the accept clock is the one just worked out
        _apply_dispatch(order, dispatch_to, now, accept_deadline=order.accept_deadline)
    return _Draft(order, appeal, assessed, source, overrides, decision, dispatch_to, memo)


@dataclass(frozen=True)
class Preview:
    """What ``receive`` would make of an appeal now, without writing anything: the unsaved
    order (classification, place, clocks), the unit it would be dispatched to (None: it would
    wait for the center) and the rule that decided, with its reason."""

    order: Order
    unit: HandlingUnit | None
    rule: str
    reason: str
    #: triage's full reading of the text (reasons, place candidates), None without triage
    assessment: object = None


def preview(actor, appeal: Appeal, *, now: dt.datetime | None = None) -> Preview:
    """The reading and routing ``receive`` would give ``appeal`` (the console's live panel
    shows it while the agent types, so the panel and the saved order cannot disagree).
    Raises OrderError for an appeal ``receive`` would refuse."""
    now = _now(now)
    given, fingerprint = _given(appeal)
    draft = _draft(actor, appeal, given, fingerprint, now)
    return Preview(
        draft.order,
        draft.dispatch_to,
        draft.decision.rule,
        draft.decision.reason,
        draft.assessed.get("assessment"),
    )


def _records(draft: _Draft, actor, now, notices: list) -> list[OrderEvent]:
    """The events of a saved (or numbered) new order; its notices are appended to
    ``notices``."""
    return [
        _event_row(draft.order, code, who, now, payload, unit)
        for code, who, payload, unit in _record_specs(draft, actor, now, notices)
    ]


def _event_values(draft: _Draft, actor, now, notices: list) -> list[list]:
    """The same events as ``_records``, as raw rows for ``EVENT_ROWS`` (no model instances:
    a batch writes thousands)."""
    index = EVENT_ROWS.index
    rows = []
    for code, who, payload, unit in _record_specs(draft, actor, now, notices):
        if unit is None and who is not None:
            unit = handler_unit_id(who)  # as _event_row does
        row = [None] * len(index)
        row[index["code"]] = code
        row[index["actor_id"]] = who.pk if who is not None else None
        row[index["payload"]] = payload
        row[index["at"]] = now
        row[index["order_id"]] = draft.order.pk
        row[index["unit_id"]] = unit.pk if isinstance(unit, HandlingUnit) else unit
        rows.append(row)
    return rows


def _record_specs(draft: _Draft, actor, now, notices: list) -> list[tuple]:
    """(code, actor, payload, unit) of each event of a new order; notices go to ``notices``."""
    order, appeal, assessed, decision = draft.order, draft.appeal, draft.assessed, draft.decision
    iso = draft.memo.iso
    specs = [
        (
            EventCode.RECEIVED,
            actor,
            {
                "channel": order.channel,
                "status": Status.RECEIVED,
                "mode": order.sla_mode,
                "accept_deadline": iso(order.accept_deadline),
                "resolve_deadline": iso(order.resolve_deadline),
                **({"kind": order.kind} if order.kind else {}),
                **({"source": appeal.source.as_dict()} if appeal.source else {}),
            },
            None,
        ),
        (
            EventCode.TRIAGED,
            None,
            {
                "appeal_type": order.appeal_type,
                "category": order.category,
                "urgency": order.urgency,
                "vulnerable": order.vulnerable,
                "epidemic_related": order.epidemic_related,
                "source": {k: draft.source[k] for k in ("appeal_type", "category", "urgency")},
                "reasons": assessed.get("reasons", []),
                "model_version": assessed.get("model_version", ""),
                "routing": {"rule": decision.rule, "reason": decision.reason},
            },
            None,
        ),
    ]
    if draft.overrides:
        specs.append(
            (
                EventCode.TRIAGE_OVERRIDDEN,
                actor,
                {"fields": draft.overrides, "model_version": assessed.get("model_version", "")},
                None,
            )
        )
    unit = draft.dispatch_to
    if unit is not None:
        _dispatch_notices(order, unit, now, notices)
        payload = _dispatch_payload(order, unit, [], rule=decision.rule, iso=iso)
        specs.append((EventCode.DISPATCHED, None, payload, unit))
    elif appeal.route and order.urgency != Urgency.NORMAL:
        _notify(
            order,
            EventCode.RECEIVED,
            _center_duty_phone(),
            f"【12345】{urgency_label(order.urgency)}工单 {order.number} 待人工派单：{order.title}",
            now,
            notices,
        )
    return specs


def _receive(actor, appeal: Appeal, now: dt.datetime) -> Received:
    _check_actor(actor, appeal)
    given, fingerprint = _given(appeal)
    key = appeal.idempotency_key or ""
    # The key lookup and the drafting (triage, place, clocks, routing) read only: they run
    # before the write transaction, so that other writers wait only for the writes (SQLite's
    # write lock, PostgreSQL's lock on the day's number counter).
    if key:
        existing = _existing_for_key(actor, key, fingerprint)
        if existing is not None:
            return Received(existing, created=False)
    draft = _draft(actor, appeal, given, fingerprint, now)
    order = draft.order
    with transaction.atomic():
        order.number = _next_numbers(now, 1)[0]
        pk = _insert_orders([draft]).get(order.number)
        if pk is None:
            # A concurrent retry with the same key won the race (the insert skipped the row
            # on the key's constraint): answer with its order.
            existing = _existing_for_key(actor, key, fingerprint)
            if existing is None:
                raise IntegrityError(f"order with key {key} neither inserted nor found")
            return Received(existing, created=False)
        mark_saved(order, pk)
        notices: list = []
        events = _records(draft, actor, now, notices)
        EVENT_ROWS.insert_objects(events)
        _insert_rows(NOTICE_ROWS, notices)
    # A new order has no co-handlers yet: say so, so rendering it does not ask.
    order._prefetched_objects_cache = {"co_units": HandlingUnit.objects.none()}
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
