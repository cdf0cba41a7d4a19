"""Multi-row INSERTs of new rows for receive's hot path (orders, their events and notices).

Why not ``QuerySet.bulk_create``: it sends every value of every row through the field's
``get_db_prep_save`` and the SQL compiler (``field_as_sql``, ``pre_save_val``, one placeholder
expression per value) and, on SQLite, cuts the rows to Django's 999-parameter floor — 20 orders
a statement. Profiled, that was ~40 % of ``receive_batch``'s CPU (docs/PERFORMANCE.md). Here a
``RowWriter`` decides once per model how each column's value is adapted (datetimes and JSON
need the engine's adapter; text, numbers and keys pass as they are) and sends one statement per
chunk, as large as the engine's real parameter limit allows.

The rows are the ones ``bulk_create`` would write: every concrete column but the automatic
primary key, read from the model instances (so the model's field defaults apply), or given as
tuples in ``columns`` order by a caller that builds them directly.
"""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Sequence
from typing import NamedTuple

from django.db import connection, models, router
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

#: Parameters per statement at most, whatever the engine allows (PostgreSQL's protocol allows
#: 65,535; SQLite's limit is read from the connection).
MAX_PARAMS = 30_000

_IDENTITY = (
    models.CharField,
    models.TextField,
    models.IntegerField,  # and its Positive…/Small…/Big… subclasses
    models.ForeignKey,
)


class RowWriter:
    """INSERT statements for new rows of one model (its concrete columns but the auto pk)."""

    def __init__(self, model: type[models.Model]):
        meta = model._meta
        self.model = model
        self.table = meta.db_table
        self.pk = meta.pk
        self.fields = [
            f
            for f in meta.concrete_fields
            if not (f.primary_key and isinstance(f, models.AutoField | models.BigAutoField))
        ]
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                # pre_save() would have to run per row; no model written here has such a field
                raise TypeError(f"{model.__name__}.{f.name}: auto_now is not supported here")
        self.columns = [f.column for f in self.fields]
        self.attnames = [f.attname for f in self.fields]
        self.index = {f.attname: i for i, f in enumerate(self.fields)}
        self._adapters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._statements: dict = {}

    def adapters(self) -> list[tuple]:
        """(column position, adapter) of each column whose value needs adapting for the
        current connection. Date adapters remember their answers within one call's rows (a
        batch's rows share a few instants). Worked out once per connection."""
        ops = connection.ops
        base = self._adapters.get(ops)
        if base is None:
            base = self._adapters[ops] = self._adapters_for(ops)
        return [(i, _remembered(adapt) if remember else adapt) for i, adapt, remember in base]

    def _adapters_for(self, ops) -> list[tuple]:
        out = []
        for i, f in enumerate(self.fields):
            if isinstance(f, models.DateTimeField):
                out.append((i, ops.adapt_datetimefield_value, True))
            elif isinstance(f, models.DateField):
                out.append((i, ops.adapt_datefield_value, True))
            elif isinstance(f, models.JSONField):
                out.append((i, _json_adapter(ops, f.encoder), False))
            elif isinstance(f, models.BooleanField):
                out.append((i, _unless(bool, f), False))
            elif isinstance(f, models.FloatField):
                out.append((i, _unless(float, f), False))
            elif not isinstance(f, _IDENTITY):  # anything else as Django itself prepares it
                out.append((i, _field_adapter(f), False))
        return out

    def values(self, obj: models.Model) -> list:
        """The row of an unsaved instance, not yet adapted (``adapt_rows`` does that)."""
        return [getattr(obj, name) for name in self.attnames]

    def adapt_rows(self, rows: list[list]) -> list[list]:
        """Adapt raw column values (in ``columns`` order) for the engine, in place."""
        pairs = self.adapters()
        for row in rows:
            for i, adapt in pairs:
                row[i] = adapt(row[i])
        return rows

    def insert(
        self,
        rows: Sequence[Sequence],
        *,
        returning: Sequence[str] = (),
        conflict: Sequence[str] = (),
    ) -> list[tuple]:
        """INSERT adapted ``rows`` (column order as ``columns``), as few statements as the
        parameter limit allows. ``returning`` (column names) asks for those values of each new
        row, in no particular order; ``conflict`` (column names of a unique constraint) skips
        a row that would break that constraint (``ON CONFLICT … DO NOTHING``, SQLite and
        PostgreSQL): it is then missing from the rows returned."""
        if not rows:
            return []
        per_statement = self.rows_per_statement()
        out: list[tuple] = []
        with connection.cursor() as cursor:
            for start in range(0, len(rows), per_statement):
                chunk = rows[start : start + per_statement]
                params = [value for row in chunk for value in row]
                cursor.execute(self._sql(len(chunk), tuple(returning), tuple(conflict)), params)
                if returning:
                    out.extend(cursor.fetchall())
        return out

    def rows_per_statement(self) -> int:
        return max(1, _max_params() // len(self.columns))

    def _sql(self, count: int, returning: tuple, conflict: tuple) -> str:
        """The INSERT of ``count`` rows (kept: a receive sends the same few shapes)."""
        key = (connection.vendor, count, returning, conflict)
        sql = self._statements.get(key)
        if sql is None:
            quote = connection.ops.quote_name
            sql = (
                f"INSERT INTO {quote(self.table)} ({', '.join(map(quote, self.columns))}) VALUES "
                + ", ".join(["(" + ", ".join(["%s"] * len(self.columns)) + ")"] * count)
            )
            if conflict:
                sql += f" ON CONFLICT ({', '.join(map(quote, conflict))}) DO NOTHING"
            if returning:
                sql += f" RETURNING {', '.join(map(quote, returning))}"
            if len(self._statements) > 1000:
                self._statements.clear()
            self._statements[key] = sql
        return sql

    def insert_objects(self, objs: Sequence[models.Model]) -> None:
        """INSERT unsaved instances and set their primary keys, as ``bulk_create`` does.

        The engine numbers the rows of one statement in the order of its VALUES (SQLite under
        its write lock, PostgreSQL by calling the sequence row by row), so the ids that come
        back, sorted, belong to the instances in order — whatever order RETURNING uses."""
        if not objs:
            return
        rows = self.adapt_rows([self.values(o) for o in objs])
        pk, alias = self.pk.column, connection.alias
        per_statement = self.rows_per_statement()
        for start in range(0, len(objs), per_statement):
            chunk = objs[start : start + per_statement]
            got = self.insert(rows[start : start + len(chunk)], returning=[pk])
            ids = sorted(r[0] for r in got)
            for obj, pk_value in zip(chunk, ids, strict=True):
                mark_saved(obj, pk_value, alias)


def mark_saved(obj: models.Model, pk_value, alias: str | None = None) -> None:
    """What ``save()`` leaves on an instance it inserted (``alias``: the connection's, when
    the caller marks many — looking it up costs more than the rest)."""
    obj.pk = pk_value
    obj._state.adding = False
    obj._state.db = alias or connection.alias


def new_instance(model: type[models.Model], values: dict, related: dict = ()):
    """An unsaved instance from column values by attname (``district_id``) and related
    objects by field name (``district``; saved ones or None), the rest from the fields'
    defaults — what ``model(**values, **related)`` makes, for a fraction of the cost.

    ``Model(**kwargs)`` was a quarter of ``receive_batch``'s drafting time; Django's positional
    ``Model(*values)`` (the path it takes for rows it reads) costs less than half of that, and
    what it does for a model without ``pre_init``/``post_init`` receivers and plain field
    descriptors — a new ``ModelState`` and each value under its attname — less again. A related
    object is stored as its key and in the instance's cache of related objects, as the
    relation's descriptor does, and the instance takes its database from it, as the descriptor
    makes the router decide (docs/PERFORMANCE.md, "Batches")."""
    shape = _shape(model)
    row = shape.template.copy()
    for i, field in shape.callables:
        row[i] = field.get_default()
    index = shape.index
    for name, value in values.items():
        row[index[name]] = value
    related = dict(related)
    for name, value in related.items():
        position, target = shape.relations[name]
        row[position] = None if value is None else getattr(value, target)
    if shape.plain and not (pre_init.has_listeners(model) or post_init.has_listeners(model)):
        obj = model.__new__(model)
        obj._state = ModelState()
        obj.__dict__.update(zip(shape.attnames, row, strict=True))
    else:
        obj = model(*row)
    if related:
        cache = obj._state.fields_cache
        for name, value in related.items():
            cache[name] = value
            if value is not None:
                if obj._state.db is None:
                    obj._state.db = router.db_for_write(model, instance=value)
                if not router.allow_relation(value, obj):
                    raise ValueError(f"{model.__name__}.{name}: relation not allowed by a router")
    return obj


class _Shape(NamedTuple):
    template: list  # each concrete field's default, as Model(**kwargs) fills a field not given
    callables: list  # (position, field) of the defaults that are called for each instance
    index: dict  # attname → position
    attnames: list
    relations: dict  # foreign key name → (position of its attname, attname of the key it holds)
    plain: bool  # Model.__init__ would only set attributes (no field descriptor of its own)


_SHAPES: dict = {}


def _shape(model) -> _Shape:
    found = _SHAPES.get(model)
    if found is None:
        fields = model._meta.concrete_fields
        index = {f.attname: i for i, f in enumerate(fields)}
        relations = {
            f.name: (index[f.attname], f.target_field.attname)
            for f in fields
            if f.many_to_one and len(f.foreign_related_fields) == 1
        }
        plain = model.__init__ is models.Model.__init__ and all(
            type(model.__dict__.get(f.attname)) in _PLAIN_DESCRIPTORS for f in fields
        )
        found = _SHAPES[model] = _Shape(
            template=[f.get_default() for f in fields],
            callables=[
                (i, f) for i, f in enumerate(fields) if f.has_default() and callable(f.default)
            ],
            index=index,
            attnames=[f.attname for f in fields],
            relations=relations,
            plain=plain,
        )
    return found


#: Descriptors whose ``__set__`` (if any) does nothing for a new instance but store the value:
#: a ``ForeignKeyDeferredAttribute`` clears the related object's cache, empty on a new one.
_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)


_LIMITS: dict = {}


def _max_params() -> int:
    """Parameters a statement may carry on this engine (one library per process: kept)."""
    vendor = connection.vendor
    limit = _LIMITS.get(vendor)
    if limit is None:
        if vendor == "sqlite":
            connection.ensure_connection()
            limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        else:
            limit = connection.features.max_query_params or MAX_PARAMS
        limit = _LIMITS[vendor] = min(limit, MAX_PARAMS)
    return limit


def _remembered(adapt):
    seen: dict = {}

    def adapted(value):
        if value is None:
            return None
        found = seen.get(value)
        if found is None:
            found = seen[value] = adapt(value)
        return found

    return adapted


def _unless(exact: type, field):
    """Pass None and values of exactly ``exact`` as they are; prepare anything else as Django
    does (a "1" for a boolean, an int for a float)."""
    prepare = field.get_prep_value
    return lambda value: value if value is None or value.__class__ is exact else prepare(value)


def _json_adapter(ops, encoder):
    return lambda value: None if value is None else ops.adapt_json_value(value, encoder)


def _field_adapter(field):
    return lambda value: field.get_db_prep_save(value, connection)  # the current connection
