"""Every write of the stats app: keep one order's facts current, rebuild everything from the
order events, import last year's counts.

Idempotence of the live path (``refresh_order``): an order's facts are derived again from all
its committed events, compared with the stored facts, and only the difference is written; the
hourly cell the order counts in moves by -1/+1 when its dimensions change. A handler called
twice for the same event therefore finds nothing to change.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from collections import Counter
from collections.abc import Iterable
from functools import partial
from itertools import chain
from operator import itemgetter
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from hotline.orders.choices import Channel, EventCode
from hotline.orders.models import Order, OrderEvent, SubscriberCursor

from .choices import StatsEventCode
from .errors import invalid
from .facts import Ev, OrderDims, derive
from .models import ROLLUPS, HistoryCount, HourlyCount, OrderFact, StatsEvent, UnitFact

#: The subscriber name the worker delivers order events to (its cursor is stored under it).
SUBSCRIBER = "stats.rollup"
#: The order events that change statistics; the others (triage, notes, reads) are skipped.
CODES = (
    EventCode.RECEIVED,
    EventCode.DISPATCHED,
    EventCode.ACCEPTED,
    EventCode.RETURNED,
    EventCode.EXTENSION_DECIDED,
    EventCode.OVERDUE,
    EventCode.ESCALATED,
    EventCode.RESOLVED,
    EventCode.CALLBACK,
    EventCode.REOPENED,
    EventCode.CLOSED,
    EventCode.URGED,  # a raised urgency moves the order's cells and shortens its clocks
)
#: Of those, the payload keys derive() reads for each (one or two); the rebuild asks the
#: database for just these values instead of parsing every payload.
PAYLOAD_KEYS = {
    EventCode.RECEIVED: ("resolve_deadline",),
    EventCode.DISPATCHED: ("accept_deadline",),
    EventCode.EXTENSION_DECIDED: ("resolve_deadline",),
    EventCode.OVERDUE: ("clock",),
    EventCode.URGED: ("accept_deadline", "resolve_deadline"),
    EventCode.CALLBACK: ("satisfaction",),
    EventCode.REOPENED: ("resolve_deadline",),
    EventCode.CLOSED: ("first_contact", "duplicate_of"),
}
ORDER_FACT_FIELDS = [f.attname for f in OrderFact._meta.concrete_fields]
UNIT_FACT_FIELDS = [f.attname for f in UnitFact._meta.concrete_fields if f.attname != "id"]
#: A unit fact row is (order, unit, the order's received_at/day/district/urgency, its part).
UNIT_PART_FIELDS = UNIT_FACT_FIELDS[6:]
assert UNIT_FACT_FIELDS[:6] == ["order_id", "unit_id", "received_at", "day", "district", "urgency"]
MAX_HISTORY_ROWS = 200_000


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _dims(order: Order | dict) -> OrderDims:
    get = order.get if isinstance(order, dict) else lambda name: getattr(order, name)
    return OrderDims(
        received_at=get("received_at"),
        channel=get("channel"),
        category=get("category"),
        urgency=get("urgency"),
        epidemic=get("epidemic_related"),
        district=get("district_id") or "",
        town=get("town_id") or "",
    )


_UPSERT_SQL: dict = {}


def _upsert_sql(model) -> str:
    """INSERT … ON CONFLICT … DO UPDATE adding to the count of one cell of ``model`` (a
    rollup): the same text on SQLite (≥ 3.24) and PostgreSQL, which Django's bulk_create
    cannot say (it sets, it does not add)."""
    sql = _UPSERT_SQL.get(model)
    if sql is None:
        q = connection.ops.quote_name
        table = q(model._meta.db_table)
        columns = [q(model._meta.get_field(n).column) for n in model.dimensions]
        count = q("count")
        sql = _UPSERT_SQL[model] = (
            f"INSERT INTO {table} ({', '.join(columns)}, {count}) "
            f"VALUES ({', '.join(['%s'] * (len(columns) + 1))}) "
            f"ON CONFLICT ({', '.join(columns)}) "
            f"DO UPDATE SET {count} = {table}.{count} + excluded.{count}"
        )
    return sql


def move_counts(old: dict | None, new: dict) -> None:
    """Move an order from the cells of its old fact to those of its new one, in every rollup:
    -1 on the old cell and +1 on the new, nothing where the two are the same cell (in the
    city-wide rollups a change of lead unit moves nothing)."""
    with connection.cursor() as cursor:
        for model in ROLLUPS:
            deltas: Counter = Counter()
            if old is not None:
                deltas[tuple(old[n] for n in model.dimensions)] -= 1
            deltas[tuple(new[n] for n in model.dimensions)] += 1
            rows = [(*cell, n) for cell, n in deltas.items() if n]
            if rows:
                cursor.executemany(_upsert_sql(model), rows)


def refresh_order(order: Order | int) -> bool:
    """Make the stored facts of one order match its committed events (the subscriber's
    handler; idempotent). Returns True when something changed."""
    order_id = order if isinstance(order, int) else order.pk
    tz = local_zone()
    with transaction.atomic():
        if isinstance(order, int):
            order = Order.objects.filter(pk=order_id).first()
            if order is None:
                return False
        rows = OrderEvent.objects.filter(order_id=order_id, code__in=CODES).order_by("id")
        events = [
            Ev(code, at, unit_id, payload)
            for code, at, unit_id, payload in rows.values_list("code", "at", "unit_id", "payload")
        ]
        facts = derive(_dims(order), events, tz)
        new = {"order_id": order_id, **facts.order}
        old_row = OrderFact.objects.select_for_update().filter(order_id=order_id).first()
        old = {n: getattr(old_row, n) for n in ORDER_FACT_FIELDS} if old_row else None
        changed = False
        if old != new:
            changed = True
            move_counts(old, new)
            OrderFact.objects.update_or_create(order_id=order_id, defaults=facts.order)
        stored = {
            u.unit_id: u for u in UnitFact.objects.select_for_update().filter(order_id=order_id)
        }
        for unit_id, part in facts.units.items():
            values = {
                **part,
                "received_at": facts.order["received_at"],
                "day": facts.order["day"],
                "district": facts.order["district"],
                "urgency": facts.order["urgency"],
            }
            row = stored.pop(unit_id, None)
            if row is None:
                UnitFact.objects.create(order_id=order_id, unit_id=unit_id, **values)
                changed = True
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                row.save()
                changed = True
        if stored:  # a unit no longer in the order's story (cannot happen with append-only
            UnitFact.objects.filter(pk__in=[u.pk for u in stored.values()]).delete()
            changed = True
    return changed


# --- rebuild ---------------------------------------------------------------------------------
def _as_datetime(value) -> dt.datetime | None:
    """A datetime column as read through a raw cursor (SQLite gives naive UTC text)."""
    if value is None:
        return None
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value + "+00:00")
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _pg_stream(name: str, sql: str, params, size: int):
    # A named (server-side) cursor, so a million rows are not all held at once.
    with connection.connection.cursor(name=name) as cursor:
        cursor.itersize = size
        cursor.execute(sql, params)
        yield from cursor


def _stream(name: str, sql: str, params=(), size: int = 20_000):
    """An iterator over the rows of a query, fetched ``size`` at a time."""
    if connection.vendor == "postgresql":
        return _pg_stream(name, sql, params, size)
    # SQLite: the rows of each fetchmany chained in C (a generator costs a frame per row).
    cursor = connection.cursor()
    cursor.execute(sql, params)
    return chain.from_iterable(iter(partial(cursor.fetchmany, size), []))


def _sqlite_text(value) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not dt.UTC:
            value = value.astimezone(dt.UTC)
        return value.isoformat(" ")[:-6]  # without "+00:00"
    return value.isoformat()


def _insert_many(model, fields: list[str], rows: list[tuple], texts: dict | None = None) -> None:
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in fields)
    # attnames (order_id, unit_id) are the columns here
    sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(fields))})"
    if connection.vendor == "sqlite":
        # SQLite stores datetimes as text, naive UTC ("2022-11-07 01:00:00"), dates as ISO
        # text: the form Django's adapters write, done here without their per-value checks
        # (a million rows × five columns). ``texts`` holds the text each value was read as
        # (the same form: Django wrote it), so most values are looked up, not formatted.
        kinds = [model._meta.get_field(f).get_internal_type() for f in fields]
        slots = [i for i, k in enumerate(kinds) if k in ("DateTimeField", "DateField")]
        if slots:
            known = (texts or {}).get
            rows = [list(row) for row in rows]
            for row in rows:
                for i in slots:
                    v = row[i]
                    if v is not None:
                        row[i] = known(v) or _sqlite_text(v)
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _secondary_indexes(models) -> list[tuple[str, str]]:
    """(name, CREATE statement) of each plain index of the models' tables on SQLite: the ones
    a rebuild drops before its bulk inserts and makes again after (one sort per index instead
    of a million B-tree inserts). Unique constraints and primary keys stay."""
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({', '.join(['%s'] * len(tables))}) ORDER BY name",
            tables,
        )
        return [(name, sql) for name, sql in cursor.fetchall() if "UNIQUE" not in sql.upper()]


#: SQLite settings of the rebuild's connection while it runs (restored after): a page cache
#: large enough to hold the B-trees being written (the default 2 MB spills them to the WAL
#: again and again) and the sorts of the GROUP BY and CREATE INDEX. (``temp_store`` cannot be
#: changed inside a transaction, and a rebuild may run inside one.)
SQLITE_REBUILD_PRAGMAS = {"cache_size": -262_144}


class _Pragmas:
    def __init__(self, values: dict):
        self.values, self.before = values, {}

    def __enter__(self):
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                for name, value in self.values.items():
                    cursor.execute(f"PRAGMA {name}")
                    self.before[name] = cursor.fetchone()[0]
                    cursor.execute(f"PRAGMA {name} = {int(value)}")
        return self

    def __exit__(self, *exc):
        if self.before:
            with connection.cursor() as cursor:
                for name, value in self.before.items():
                    cursor.execute(f"PRAGMA {name} = {int(value)}")


def _fill_rollups() -> None:
    """Make every rollup from the order facts (its tables empty): the finest by one
    ``INSERT … SELECT … GROUP BY`` over the facts, each coarser one by summing the finest."""
    q = connection.ops.quote_name
    finest = ROLLUPS[0]
    with connection.cursor() as cursor:
        for model in ROLLUPS:
            source = OrderFact if model is finest else finest
            cols = ", ".join(q(model._meta.get_field(n).column) for n in model.dimensions)
            src = ", ".join(q(source._meta.get_field(n).column) for n in model.dimensions)
            total = "COUNT(*)" if model is finest else f"SUM({q('count')})"
            cursor.execute(
                f"INSERT INTO {q(model._meta.db_table)} ({cols}, {q('count')}) "
                f"SELECT {src}, {total} FROM {q(source._meta.db_table)} GROUP BY {src}"
            )


def rebuild(*, stdout=None, chunk: int = 20_000) -> dict:
    """Make every fact and hourly cell again from the orders and their events, in one
    transaction, and move the subscriber's cursor to the last event read (so the worker does
    not deliver the same history again). Returns counts and the seconds taken."""
    started = time.perf_counter()
    tz = local_zone()
    sqlite = connection.vendor == "sqlite"
    order_table = Order._meta.db_table
    event_table = OrderEvent._meta.db_table
    codes = ", ".join(f"'{c}'" for c in CODES)  # constants of this module, not input
    with _Pragmas(SQLITE_REBUILD_PRAGMAS), transaction.atomic():
        last_event = OrderEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        # On SQLite the plain indexes of the tables go for the bulk load and come back at the
        # end, inside the transaction (readers in WAL mode keep seeing the old tables). Not on
        # PostgreSQL: DROP INDEX would lock the board's readers out until the commit.
        indexes = _secondary_indexes((*ROLLUPS, UnitFact, OrderFact)) if sqlite else []
        with connection.cursor() as cursor:
            for name, _sql in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            for model in (*ROLLUPS, UnitFact, OrderFact):
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
        # On SQLite a CAST has no declared type, so the text is read without Django's
        # converter and parsed once by datetime.fromisoformat (cheaper per row); the text is
        # kept to be written back as it was read.
        text = "CAST({} AS TEXT)" if sqlite else "{}"
        orders = _stream(
            "stats_orders",
            f"SELECT id, {text.format('received_at')}, channel, category, urgency, "
            f"epidemic_related, district_id, town_id FROM {order_table} ORDER BY id",
            size=chunk,
        )
        get = ("json_extract(payload, '$.{}')" if sqlite else "(payload ->> '{}')").format
        # Constants of this module, not input: safe to write into the SQL. ``+code`` on
        # SQLite: walk the order_id index (already in (order_id, id) order) instead of the
        # code index and a sort of millions of rows.
        values = [
            " ".join(
                f"WHEN '{c}' THEN {get(keys[i])}"
                for c, keys in PAYLOAD_KEYS.items()
                if len(keys) > i
            )
            for i in (0, 1)
        ]
        events = _stream(
            "stats_events",
            f"SELECT order_id, code, {text.format('at')}, unit_id, CASE code {values[0]} END, "
            f"CASE code {values[1]} END "
            f"FROM {event_table} WHERE {'+' if sqlite else ''}code IN ({codes}) AND id <= %s "
            "ORDER BY order_id, id",
            [last_event],
            size=chunk * 4,
        )
        closed = EventCode.CLOSED
        order_values = itemgetter(*ORDER_FACT_FIELDS[1:])
        part_values = itemgetter(*UNIT_PART_FIELDS)
        pending = next(events, None)
        order_rows: list[tuple] = []
        unit_rows: list[tuple] = []
        texts: dict = {}  # SQLite: each datetime read → its text as stored
        parse = dt.datetime.fromisoformat
        days: dict = {}  # a day → its ISO text (shared by every chunk)
        n_orders = n_units = 0
        for oid, received_at, channel, category, urgency, epidemic, district, town in orders:
            mine: list[Ev] = []
            while pending is not None and pending[0] < oid:
                pending = next(events, None)  # events of an order no longer there
            while pending is not None and pending[0] == oid:
                _oid, code, at, unit_id, v, w = pending
                if code == closed:
                    payload = {"first_contact": v in (1, True, "true")}
                    if w:
                        payload["duplicate_of"] = w
                else:
                    payload = {}
                    if v is not None:
                        payload[PAYLOAD_KEYS[code][0]] = v
                    if w is not None:
                        payload[PAYLOAD_KEYS[code][1]] = w
                if sqlite:  # naive UTC text: parsed here, its text kept to be written back
                    when = parse(at + "+00:00")
                    texts[when] = at
                else:
                    when = _as_datetime(at)
                mine.append((code, when, unit_id, payload))  # an Ev, as a plain tuple
                pending = next(events, None)
            if sqlite:
                received = parse(received_at + "+00:00")
                texts[received] = received_at
            else:
                received = _as_datetime(received_at)
            dims = OrderDims(
                received, channel, category, urgency, bool(epidemic), district or "", town or ""
            )
            facts = derive(dims, mine, tz)
            fo = facts.order
            if sqlite:
                day = fo["day"]
                if day not in days:
                    days[day] = day.isoformat()
                texts[day] = days[day]
            order_rows.append((oid, *order_values(fo)))
            head = (fo["received_at"], fo["day"], fo["district"], fo["urgency"])
            for unit_id, part in facts.units.items():
                unit_rows.append((oid, unit_id, *head, *part_values(part)))
            if len(order_rows) >= chunk:
                _insert_many(OrderFact, ORDER_FACT_FIELDS, order_rows, texts)
                _insert_many(UnitFact, UNIT_FACT_FIELDS, unit_rows, texts)
                n_orders += len(order_rows)
                n_units += len(unit_rows)
                order_rows, unit_rows = [], []
                texts = {}
                if stdout is not None:
                    stdout.write(f"  {n_orders} 件……")
        _insert_many(OrderFact, ORDER_FACT_FIELDS, order_rows, texts)
        _insert_many(UnitFact, UNIT_FACT_FIELDS, unit_rows, texts)
        n_orders += len(order_rows)
        n_units += len(unit_rows)
        _fill_rollups()
        with connection.cursor() as cursor:
            for _name, sql in indexes:
                cursor.execute(sql)
        cells = HourlyCount.objects.count()
        cursor_row, _ = SubscriberCursor.objects.select_for_update().get_or_create(name=SUBSCRIBER)
        cursor_row.position = max(cursor_row.position, last_event)
        cursor_row.gaps = {}
        cursor_row.failures = 0
        cursor_row.retry_at = None
        cursor_row.save()
        seconds = round(time.perf_counter() - started, 2)
        summary = {
            "orders": n_orders,
            "unit_facts": n_units,
            "cells": cells,
            "last_event": last_event,
            "seconds": seconds,
        }
        StatsEvent.objects.create(code=StatsEventCode.REBUILT, payload=summary, at=timezone.now())
    return summary


# --- history ---------------------------------------------------------------------------------
HISTORY_COLUMNS = ("date", "hour", "channel", "epidemic", "count")


def _history_rows(text: str) -> list[HistoryCount]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "date" not in header or "count" not in header:
        raise invalid(
            "历史数据文件须有表头，至少包含 date 和 count 两列（可选 hour、channel、epidemic）。",
            "history_header",
        )
    unknown = set(header) - set(HISTORY_COLUMNS)
    if unknown:
        raise invalid(f"历史数据文件有未知的列：{'、'.join(sorted(unknown))}。", "history_header")
    reader.fieldnames = header
    rows = []
    for line, raw in enumerate(reader, start=2):
        if len(rows) >= MAX_HISTORY_ROWS:
            raise invalid(f"历史数据最多 {MAX_HISTORY_ROWS} 行。", "history_too_long")
        raw = {k: (v or "").strip() for k, v in raw.items() if k}
        try:
            day = dt.date.fromisoformat(raw["date"])
        except ValueError:
            raise invalid(
                f"第 {line} 行：日期“{raw['date']}”格式有误，应为 2021-11-05。", "history_date"
            ) from None
        hour = None
        if raw.get("hour"):
            if not raw["hour"].isdigit() or int(raw["hour"]) > 23:
                raise invalid(f"第 {line} 行：时段应为 0–23 的整数。", "history_hour")
            hour = int(raw["hour"])
        channel = raw.get("channel", "")
        if channel and channel not in Channel.values:
            raise invalid(f"第 {line} 行：未知渠道“{channel}”。", "history_channel")
        epidemic = None
        if raw.get("epidemic"):
            if raw["epidemic"] not in ("0", "1"):
                raise invalid(f"第 {line} 行：epidemic 应为 0 或 1。", "history_epidemic")
            epidemic = raw["epidemic"] == "1"
        if not raw.get("count", "").isdigit():
            raise invalid(f"第 {line} 行：件数应为非负整数。", "history_count")
        rows.append(
            HistoryCount(
                day=day, hour=hour, channel=channel, epidemic=epidemic, count=int(raw["count"])
            )
        )
    if not rows:
        raise invalid("历史数据文件没有数据行。", "history_empty")
    return rows


def import_history(actor, text: str, *, source: str = "") -> dict:
    """Import last year's counts from CSV text (``date,hour,channel,epidemic,count``; only
    date and count required). The days in the file replace what was stored for them, so
    importing the same file twice changes nothing."""
    rows = _history_rows(text)
    days = sorted({r.day for r in rows})
    with transaction.atomic():
        HistoryCount.objects.filter(day__in=days).delete()
        HistoryCount.objects.bulk_create(rows, batch_size=2000)
        summary = {
            "rows": len(rows),
            "days": len(days),
            "first": days[0].isoformat(),
            "last": days[-1].isoformat(),
            "total": sum(r.count for r in rows),
            "source": source[:200],
        }
        StatsEvent.objects.create(
            code=StatsEventCode.HISTORY_IMPORTED,
            actor=actor if getattr(actor, "pk", None) else None,
            payload=summary,
            at=timezone.now(),
        )
    return summary


def refresh_orders(order_ids: Iterable[int]) -> int:
    """refresh_order for each id; returns how many changed (used after bulk-loaded orders)."""
    return sum(1 for oid in order_ids if refresh_order(oid))
