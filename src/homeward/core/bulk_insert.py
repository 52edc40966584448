"""Inserting new rows fast: ``COPY`` for many on PostgreSQL, one plain ``INSERT`` for a few.

``bulk_create`` on PostgreSQL sends one INSERT with every value bound on the client (psycopg's
default in Django): for 10,000 polygons of WKB that is tens of megabytes of SQL text to build and
parse, and it dominated imports (16 s for 10,000 hazardous areas). ``COPY ... FROM STDIN`` streams
the same rows in a fraction of the time. Callers use it only for new rows whose audit entry they
write themselves (the import loop writes one entry per batch).

:func:`insert_few` is the other end: the one row of a ``save()``, or the few audit entries of a
request. The ORM builds such an ``INSERT`` afresh each time (compiling it cost about half a
millisecond a row, more than the database took to run it); here its text is built once per model,
column list and row count, and only the values are prepared per row, as the ORM prepares them.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from django.db import connections, models, router
from django.db.models.fields import AutoFieldMixin

NOT_PLAIN = object()
"""What :func:`insert_few` returns when a value is an expression the ORM must compile: nothing was sent."""


def insert_new_rows(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """Insert ``objects`` (unsaved instances of ``model``) in one statement or one COPY.

    Database-generated keys (auto fields) are not read back; give the objects their keys
    beforehand (UUID defaults do) if the caller needs them.
    """
    if not objects:
        return
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objects, batch_size=2_000)
        return
    fields = [field for field in model._meta.concrete_fields if not isinstance(field, AutoFieldMixin)]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for obj in objects:
            copy.write_row([_value(field, obj, connection) for field in fields])


def _value(field: Any, obj: models.Model, connection: Any) -> Any:
    return field.get_db_prep_save(field.pre_save(obj, add=True), connection)


def insert_few(
    model: type[models.Model],
    objects: Sequence[models.Model],
    fields: Sequence[Any],
    *,
    using: str | None = None,
    returning: Any = None,
) -> Any:
    """Insert ``objects`` (unsaved instances of ``model``) in one ``INSERT``, their ``fields`` valued
    as the ORM values them (``pre_save``, which stamps ``auto_now``, then ``get_db_prep_save``).

    Returns the ``returning`` field's value per row (the database's keys) when one is named, else
    ``[]``; or :data:`NOT_PLAIN` without writing anything when a value is an expression (a
    ``db_default``, a database function), which only the ORM can compile.
    """
    connection = connections[using or router.db_for_write(model)]
    rows: list[Any] = []
    for obj in objects:
        for field in fields:
            value = field.pre_save(obj, True)
            if hasattr(value, "resolve_expression"):
                return NOT_PLAIN
            rows.append(field.get_db_prep_save(value, connection))
    sql = _few_sql(connection.alias, model, tuple(field.column for field in fields), len(objects), returning)
    with connection.cursor() as cursor:
        cursor.execute(sql, rows)
        if returning is None:
            return []
        return [row[0] for row in cursor.fetchall()]


@functools.cache
def _few_sql(alias: str, model: type[models.Model], columns: tuple[str, ...], count: int, returning: Any) -> str:
    connection = connections[alias]
    quote = connection.ops.quote_name
    row = f"({', '.join(['%s'] * len(columns))})"
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(column) for column in columns)}) "  # noqa: S608 - names from the model
        f"VALUES {', '.join([row] * count)}"
    )
    if returning is not None:
        sql += f" RETURNING {quote(returning.column)}"
    return sql


def plain_columns(fields: Sequence[Any]) -> bool:
    """Whether every field's value goes into an ``INSERT`` as a bare parameter (no field wraps its
    placeholder in SQL, as geometry fields do)."""
    return not any(hasattr(field, "get_placeholder") for field in fields)
