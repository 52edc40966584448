"""Inserting demo rows in bulk, and the one audit entry per model that stands in for their saves."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import models

from homeward.core import audit
from homeward.core.audit import AuditAction

BATCH_SIZE = 5_000
LOOKUP_CHUNK = 900

ModelT = TypeVar("ModelT", bound=models.Model)


def insert_new(model: type[ModelT], rows: Sequence[ModelT]) -> None:
    """Insert ``rows``, silently keeping any row whose key or unique fields already exist."""
    for start in range(0, len(rows), BATCH_SIZE):
        model._default_manager.bulk_create(
            rows[start : start + BATCH_SIZE], batch_size=BATCH_SIZE, ignore_conflicts=True
        )


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
