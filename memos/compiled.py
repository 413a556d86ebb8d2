"""Reads on the hot paths (a decision, the task list, token authentication) built with the ORM
once per process and run again with other values.

Building a queryset and compiling it to SQL costs more CPU than PostgreSQL takes to answer these
small statements: the decision's locked read of its task, process and memo (six tables) took
3.2 ms of CPU to build and 0.3 ms to run. A ``Compiled`` read calls its ``build`` function once
per database, with markers in place of its arguments, keeps the SQL and the compiler, and on each
call runs that SQL with the arguments put where the markers were, turning the rows into what the
queryset would have returned (model instances with their ``select_related`` objects, or
``values_list`` tuples), through the same compiler. The queryset stays the one definition of the
read; a marker that does not come out as one parameter of the SQL (folded into the text, or
transformed) is refused when the read is first built.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import contextmanager
from functools import cache
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, ValuesIterable, ValuesListIterable, get_related_populators
from django.db.models.signals import post_save, pre_save

# Stand-ins for the arguments while the SQL is built: values no real argument takes (integers
# within a 32-bit column's range, so no lookup folds them away as out of range; strings of
# control characters).
_INT_MARKER = 2_147_000_000


def _marker(kind: type, i: int):
    if kind is int:
        return _INT_MARKER + i
    if kind is str:
        return f"\x1fcompiled-{i}\x1f"
    raise TypeError(f"Compiled: arguments are int or str, not {kind.__name__}")


_PARAM = re.compile(r"%%|%s")


def _prepared_form(connection, sql: str, params: list, slots: list[tuple[int, int]]) -> tuple[str, list[int]] | None:
    """On PostgreSQL: the SQL with every parameter that is not an argument written in as a literal
    (they never change: a status, a node's name, a flag), and the arguments' order in what is left.
    Run as a prepared statement (``_prepared_cursor``), PostgreSQL plans it once per connection
    instead of at every call (the task list's six-table join took 1.2 ms to plan, 0.5 ms to run),
    and the literals let that one plan use partial indexes (``status = 'ASSIGNED'``), which a
    parameter would not. None elsewhere, or when a value cannot be written as a literal."""
    if connection.vendor != "postgresql":
        return None
    args = dict(slots)
    out, order, n = [], [], 0
    pieces = _PARAM.split(sql)
    for k, token in enumerate(_PARAM.findall(sql)):
        out.append(pieces[k])
        if token == "%%":
            out.append(token)
            continue
        if n in args:
            out.append("%s")
            order.append(args[n])
        else:
            value = params[n]
            if not isinstance(value, (str, int, bool)):
                return None  # dates, lists, JSON, None: left to the parameter
            out.append(connection.ops.compose_sql("%s", [value]).replace("%", "%%"))  # Django's quoting
        n += 1
    out.append(pieces[-1])
    if n != len(params):
        return None
    return "".join(out), order


@contextmanager
def _prepared_cursor(connection):
    """Django's cursor wrapper (query logging, execute wrappers, error translation) around a
    server-side binding cursor whose every statement is prepared (psycopg keeps them per connection;
    Django's own cursors bind on the client side and never prepare)."""
    connection.close_if_health_check_failed()  # as Django's own cursor(): a connection lost is replaced
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = connection.connection
        if raw.prepare_threshold is None:
            raw.prepare_threshold = _NEVER  # psycopg prepares nothing with None; ours ask each time
        cursor = connection._prepare_cursor(_prepared_cursor_class()(raw))
    with cursor:
        yield cursor


class _Executed:
    """What Django's query log reads of a cursor's last statement (``cursor._query.query``)."""

    def __init__(self, query: bytes):
        self.query = query


@cache
def _prepared_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class Prepared(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            out = super().execute(query, params, prepare=True, binary=binary)
            if self._query is None:  # psycopg keeps none for a prepared statement; Django's query log reads it
                self._query = _Executed(query.encode())
            return out

    return Prepared


_NEVER = 2**31 - 1  # psycopg's count before preparing a statement of its own accord: never


class _Plan:
    """One database's SQL, its parameters with the markers' slots, and how to read its rows."""

    def __init__(self, qs: QuerySet, markers: list):
        self.alias = qs.db
        rows = qs._iterable_class
        # model instances (viewflow's TaskIterable is a ModelIterable that does more only for a
        # coerce_for queryset), values() dicts or values_list() tuples; not flat or named lists
        self.kind = (
            "values_list" if rows is ValuesListIterable else "values" if rows is ValuesIterable
            else "models" if issubclass(rows, ModelIterable) and not getattr(qs, "_coerced", False) else None
        )
        if self.kind is None:
            raise TypeError(f"Compiled: {rows.__name__} rows are not supported")
        query = qs.query
        self.names = (
            list(query.selected) if query.selected
            else [*query.extra_select, *query.values_select, *query.annotation_select]
        )
        self.for_update = bool(qs.query.select_for_update)
        self.compiler = qs.query.get_compiler(using=self.alias)
        sql, params = self.compiler.as_sql()  # also sets select, klass_info, col_count
        self.sql, self.params = sql, list(params)
        self.slots: list[tuple[int, int]] = []
        for i, marker in enumerate(markers):
            found = [n for n, p in enumerate(self.params) if type(p) is type(marker) and p == marker]
            if not found or str(marker) in sql:
                raise ValueError(f"Compiled: argument {i} is not a parameter of the SQL: {sql}")
            self.slots += [(n, i) for n in found]
        self.prepared = _prepared_form(connections[self.alias], sql, self.params, self.slots)
        self.trim = self.compiler.col_count if self.compiler.has_extra_select else None
        # the columns' converters (results_iter asks the fields for them on every call)
        columns = [s[0] for s in self.compiler.select[0 : self.compiler.col_count]]
        if self.compiler.has_composite_fields(columns):
            raise TypeError("Compiled: composite fields are not supported")
        self.converters = self.compiler.get_converters(columns)
        if self.kind == "models":
            klass_info = self.compiler.klass_info
            select = self.compiler.select
            self.model = klass_info["model"]
            fields = klass_info["select_fields"]
            self.start, self.end = fields[0], fields[-1] + 1
            self.init_list = [f[0].target.attname for f in select[self.start : self.end]]
            self.populators = get_related_populators(klass_info, select, self.alias)
            self.annotations = dict(self.compiler.annotation_col_map or {})

    def run(self, args: tuple) -> list:
        connection = connections[self.alias]
        if self.for_update and connection.get_autocommit():
            raise transaction.TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        if self.prepared is not None:
            sql, order = self.prepared
            with _prepared_cursor(connection) as cursor:
                cursor.execute(sql, [args[i] for i in order])
                rows = cursor.fetchall()
        else:
            params = list(self.params)
            for n, i in self.slots:
                params[n] = args[i]
            with connection.cursor() as cursor:
                cursor.execute(self.sql, params)
                rows = cursor.fetchall()
        if not rows:
            return []
        if self.trim is not None:
            rows = [r[: self.trim] for r in rows]
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        if self.kind == "values_list":
            return [tuple(row) for row in rows]
        if self.kind == "values":
            names = self.names
            return [dict(zip(names, row, strict=True)) for row in rows]
        result = []
        for row in rows:
            obj = self.model.from_db(self.alias, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, pos in self.annotations.items():
                setattr(obj, name, row[pos])
            result.append(obj)
        return result


class Compiled:
    """``build(*args) -> QuerySet``, compiled once per database and run with other ``args``.

    ``kinds`` are the arguments' types (int or str). Every argument must reach the SQL as a
    parameter of its own (a lookup's value: ``pk=``, ``owner_id=``, ``token_key=``); anything else
    the queryset says (its joins, columns, order, limit, ``select_for_update``) is fixed. Calling
    returns the rows as a list: model instances (``select_related`` ones attached), dicts for
    ``values`` or tuples for ``values_list``."""

    def __init__(self, build: Callable[..., QuerySet], *kinds: type):
        self.build = build
        self.kinds = kinds
        self.markers = [_marker(kind, i) for i, kind in enumerate(kinds)]
        self._model = None
        self._for_write = False
        self._plans: dict[str, _Plan] = {}

    def _alias(self) -> str | None:
        if self._model is None:
            return None
        return router.db_for_write(self._model) if self._for_write else router.db_for_read(self._model)

    def __call__(self, *args: Any) -> list:
        if len(args) != len(self.kinds):
            raise TypeError(f"Compiled read takes {len(self.kinds)} arguments, {len(args)} given")
        for kind, value in zip(self.kinds, args, strict=True):
            if type(value) is not kind:
                raise TypeError(f"Compiled read: {value!r} is not {kind.__name__}")
        plan = self._plans.get(self._alias())
        if plan is None:
            qs = self.build(*self.markers)
            self._model, self._for_write = qs.model, qs._for_write
            plan = self._plans[qs.db] = _Plan(qs, self.markers)
        return plan.run(args)


_INSERTS: dict[tuple[str, type], tuple[str, list]] = {}
_PLAIN: set[type] = set()


def _plain(model: type[Model]) -> bool:
    """A model ``insert`` writes as save() would: no parents (multi-table inheritance), not a
    proxy, a key the database assigns, no generated columns or database defaults."""
    meta = model._meta
    plain = not meta.parents and not meta.proxy and meta.auto_field is not None and not any(
        getattr(f, "generated", False) or f.has_db_default() for f in meta.local_concrete_fields
    )
    if plain:
        _PLAIN.add(model)
    return plain


def insert(obj: Model) -> Model:
    """``obj.save()`` of a new row: one ``INSERT … RETURNING`` its key, the statement written once
    per model and database (Django builds it anew on every save; for a decision's rows that cost
    more than the statement). As ``save()`` does: ``pre_save`` and ``post_save`` are sent, and the
    fields prepare their own values (``pre_save``: ``auto_now_add``, a file field's upload; then
    ``get_db_prep_save``). The model's own ``save()`` is not called: for models whose ``save()``
    adds nothing to an insert (the decision, its history entry and record). For a plain model
    only (``_plain``); any other is saved by ``save()``."""
    model = type(obj)
    meta = model._meta
    if obj.pk is not None or model not in _PLAIN and not _plain(model):
        obj.save()
        return obj
    alias = router.db_for_write(model, instance=obj)
    connection = connections[alias]
    key = (alias, model)
    if key not in _INSERTS:
        fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
        qn = connection.ops.quote_name
        sql = (
            f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {qn(meta.pk.column)}"
        )
        _INSERTS[key] = (sql, fields)
    sql, fields = _INSERTS[key]
    obj._prepare_related_fields_for_save(operation_name="save")
    pre_save.send(sender=model, instance=obj, raw=False, using=alias, update_fields=None)
    with transaction.mark_for_rollback_on_error(using=alias), connection.cursor() as cursor:
        cursor.execute(sql, [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields])
        obj.pk = cursor.fetchone()[0]
    obj._state.adding, obj._state.db = False, alias
    post_save.send(sender=model, instance=obj, created=True, update_fields=None, raw=False, using=alias)
    return obj
