"""Inserting demo rows in bulk, and the one audit entry per model that stands in for their saves.

Rows go in through :func:`insert_rows` rather than ``bulk_create``: loading the national scale
(a million persons) spent about 80 % of its time inside ``bulk_create``, which prepares every
value of every object through the SQL compiler. :func:`insert_rows` works out once per field
how its values reach the database, and sends plain tuples with ``executemany``.
"""

from __future__ import annotations

import datetime as dt
import gc
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from itertools import islice, repeat
from operator import attrgetter
from typing import Any, TypeVar

from django.conf import settings
from django.db import NotSupportedError, connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.constants import OnConflict

from homeward.core import audit
from homeward.core.audit import AuditAction

BATCH_SIZE = 5_000
LOOKUP_CHUNK = 900
CACHE_MIB = 256

ModelT = TypeVar("ModelT", bound=models.Model)
Converter = Callable[[Any], Any]
ColumnConverter = Callable[[Sequence[Any]], Sequence[Any]]
AnyField = models.Field[Any, Any]


def insert_new(model: type[ModelT], rows: Iterable[ModelT]) -> None:
    """Insert ``rows``, silently keeping any row whose key or unique fields already exist.

    Each value saved is the one ``bulk_create`` would save: the field's ``pre_save`` of the
    unsaved instance, which also stamps ``auto_now`` fields.
    """
    fields = model._meta.concrete_fields
    insert_rows(
        model, [field.attname for field in fields], ([field.pre_save(row, True) for field in fields] for row in rows)
    )


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert ``rows``, each the values of ``fields`` (attnames), keeping rows that already exist.

    The fast path for large loads. A row whose key or unique fields already exist is silently
    kept, by the ``INSERT`` that ``bulk_create(ignore_conflicts=True)`` emits on the backend.
    Rows go in chunks of ``BATCH_SIZE`` by ``executemany``, in one transaction. Each value is
    stored as ``field.get_db_prep_save`` prepares it, as the ORM does. Concrete fields missing
    from ``fields`` get what an unsaved instance holds: a callable default (a random key) is
    called for each row; any other default, ``auto_now`` stamps included, is taken once per
    call; a ``db_default`` is left to the database. Nothing calls ``save()`` or sends signals,
    and a model with multi-table inheritance is refused.
    """
    opts = model._meta
    if opts.parents:
        raise NotSupportedError(f"insert_rows cannot insert {opts.label}: part of it lives in another table")
    connection = connections[router.db_for_write(model)]
    if not connection.features.supports_ignore_conflicts:
        raise NotSupportedError(f"{connection.vendor} cannot ignore conflicting rows")
    by_attname = {field.attname: field for field in opts.concrete_fields}
    if unknown := sorted(set(fields) - set(by_attname)):
        raise ValueError(f"{opts.label} has no concrete fields {unknown}")
    given = [by_attname[name] for name in fields]
    template = model()
    varying: list[AnyField] = []
    fixed: list[tuple[AnyField, Any]] = []
    for field in opts.concrete_fields:
        if field.attname in fields:
            continue
        if field.has_default() and callable(field.default):
            varying.append(field)
            continue
        value = field.pre_save(template, True)
        if not hasattr(value, "resolve_expression"):
            fixed.append((field, field.get_db_prep_save(value, connection)))
    sql = _insert_sql(connection, opts.db_table, [*given, *varying, *(field for field, _ in fixed)])
    converters = [column_converter(field, connection) for field in given]
    with transaction.atomic(using=connection.alias, savepoint=False), connection.cursor() as cursor:
        for chunk in _chunks(rows):
            columns: list[Iterable[Any]] = [
                convert(column) for convert, column in zip(converters, zip(*chunk, strict=True), strict=True)
            ]
            columns += [[field.get_db_prep_save(field.get_default(), connection) for _ in chunk] for field in varying]
            columns += [repeat(value, len(chunk)) for _, value in fixed]
            cursor.executemany(sql, list(zip(*columns, strict=True)))


def column_converter(field: AnyField, connection: BaseDatabaseWrapper) -> ColumnConverter:
    """A function from a column of values of ``field`` to what ``field.get_db_prep_save`` makes of each.

    Keys, dates, times, text and flags take a short cut to the same result when every value in the
    column is of exactly the expected type; any other column goes the ORM's way, value by value.
    """
    prepare = partial(field.get_db_prep_save, connection=connection)
    short_cut = _short_cut(field, connection)
    if short_cut is None:
        return lambda column: list(map(prepare, column))
    exact, quick = short_cut

    def convert(column: Sequence[Any]) -> Sequence[Any]:
        if set(map(type, column)) != {exact}:
            return list(map(prepare, column))
        return column if quick is None else list(map(quick, column))

    return convert


def _short_cut(field: AnyField, connection: BaseDatabaseWrapper) -> tuple[type, Converter | None] | None:
    """``(type, quick)``: ``quick`` (``None`` for "unchanged") prepares a value of that exact type."""
    kind: type = type(field)
    if isinstance(field, models.ForeignKey):
        if kind not in (models.ForeignKey, models.OneToOneField) or type(field.target_field) is not models.UUIDField:
            return None
        kind = models.UUIDField
    if kind is models.UUIDField:
        return uuid.UUID, None if connection.features.has_native_uuid_field else attrgetter("hex")
    if kind is models.DateField:
        return dt.date, connection.ops.adapt_datefield_value
    if kind is models.DateTimeField:
        return dt.datetime, partial(_datetime_value, field, connection)
    if kind in (models.CharField, models.TextField):
        return str, None
    if kind is models.BooleanField:
        return bool, None
    return None


def _datetime_value(field: AnyField, connection: BaseDatabaseWrapper, value: dt.datetime) -> Any:
    # The ORM only changes an aware datetime, or any when time zones are off, on its way to the backend.
    if settings.USE_TZ and value.utcoffset() is None:
        return field.get_db_prep_save(value, connection)
    return connection.ops.adapt_datetimefield_value(value)


def _insert_sql(connection: BaseDatabaseWrapper, table: str, fields: Sequence[AnyField]) -> str:
    ops = connection.ops
    columns = ", ".join(ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join("%s" for _ in fields)
    insert = ops.insert_statement(on_conflict=OnConflict.IGNORE)
    suffix = ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, None, None)
    return f"{insert} {ops.quote_name(table)} ({columns}) VALUES ({placeholders}) {suffix}".rstrip()


def _chunks(rows: Iterable[Sequence[Any]]) -> Iterator[list[Sequence[Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, BATCH_SIZE)):
        yield chunk


@contextmanager
def roomy_cache(model: type[models.Model]) -> Iterator[None]:
    """On SQLite, give the connection writing ``model`` a page cache of ``CACHE_MIB`` for the duration.

    A load in one long transaction that inserts into big indexes at scattered places outgrows
    SQLite's default 2 MiB cache, which then spills pages to the write-ahead log over and over:
    with the larger cache, SQLite's part of the national load took about 45 s instead of 70 s.
    The cache only grows as pages are used, and shrinks back afterwards.
    """
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-CACHE_MIB * 1024}")
    try:
        yield
    finally:
        if connection.connection is not None:  # straight to SQLite: fine even mid-way through a failed transaction
            connection.connection.execute(f"PRAGMA cache_size = {int(previous)}")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the duration.

    Generating and inserting a million rows allocates tens of millions of tuples, each a
    chance for a collection that walks every live object: over 10 s of the national load.
    The rows hold no reference cycles, so reference counting alone frees them as they go.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def existing_values(
    model: type[models.Model], field: str, values: Iterable[Any], *, returning: str = ""
) -> dict[Any, Any]:
    """``{value: row's returning field}`` for the rows whose ``field`` is one of ``values``."""
    values = list(values)
    found: dict[Any, Any] = {}
    for start in range(0, len(values), LOOKUP_CHUNK):
        chunk = values[start : start + LOOKUP_CHUNK]
        rows = model._default_manager.filter(**{f"{field}__in": chunk}).values_list(field, returning or field)
        found.update(rows)
    return found


def record_bulk_load(model: type[models.Model], created: int, scale: str) -> None:
    """Write the audit entry for ``created`` rows of ``model`` loaded at ``scale`` (none if zero)."""
    if created <= 0:
        return
    audit.record(
        AuditAction.BULK_LOAD,
        object_type=model._meta.label_lower,
        object_label=f"demo data ({scale})",
        changes={"created": created, "scale": scale},
    )
