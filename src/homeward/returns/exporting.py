"""Exports of settlement readiness: every current answer the user may see, one row per settlement.

Tabular formats carry HXL hashtags so humanitarian tools read them without a data dictionary; GIS
formats carry the settlement's point. Every export is audited, as in mine action and recovery.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

import shapely
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from homeward.core import audit
from homeward.core.audit import AuditAction
from homeward.core.permissions import Action, require
from homeward.interchange import ExportFormat, FieldSpec, write_features
from homeward.returns import readiness, selectors
from homeward.returns.models import ReadinessSnapshot

Row = tuple[Mapping[str, object], BaseGeometry | None]


class ExportKind(StrEnum):
    READINESS = "readiness"


class ExportError(Exception):
    pass


_HEAD = [
    FieldSpec("settlement", "str", "#loc+name"),
    FieldSpec("settlement_code", "str", "#loc+code"),
    FieldSpec("district", "str", "#adm2+name"),
    FieldSpec("district_code", "str", "#adm2+code"),
    FieldSpec("latitude", "float", "#geo+lat"),
    FieldSpec("longitude", "float", "#geo+lon"),
    FieldSpec("status", "str", "#status+readiness"),
    FieldSpec("score", "float", "#indicator+score"),
    FieldSpec("earliest_ready", "date", "#date+ready+forecast"),
]
_TAIL = [
    FieldSpec("blockers", "str", "#status+blockers"),
    FieldSpec("computed_at", "str", "#date+computed"),
]
_HXL_ATTRIBUTE = re.compile(r"[a-z][a-z0-9_]*")


def criterion_keys() -> list[str]:
    """The deployment's criteria, in the order they are reported (one export column each)."""
    return [criterion.key for criterion in readiness.criteria().criteria]


def _criterion_field(key: str, taken: set[str]) -> FieldSpec:
    name = key if key not in taken else f"criterion_{key}"
    attribute = key.lower() if _HXL_ATTRIBUTE.fullmatch(key.lower()) else ""
    return FieldSpec(name, "str", "#status+criterion" + (f"+{attribute}" if attribute else ""))


def readiness_fields(keys: Sequence[str]) -> list[FieldSpec]:
    """Settlement, place, status, score and forecast, one outcome column per criterion, then the blockers."""
    taken = {spec.name for spec in (*_HEAD, *_TAIL)}
    return [*_HEAD, *(_criterion_field(key, taken) for key in keys), *_TAIL]


def _readiness_rows(user: Any, fields: Sequence[FieldSpec], keys: Sequence[str]) -> Iterator[Row]:
    columns = dict(zip(keys, (spec.name for spec in fields[len(_HEAD) : len(_HEAD) + len(keys)]), strict=True))
    snapshots = selectors.current_snapshots(user)
    for snapshot in snapshots.iterator(chunk_size=2000):
        yield _row(snapshot, columns)


def _row(snapshot: ReadinessSnapshot, columns: Mapping[str, str]) -> Row:
    settlement, district = snapshot.settlement, snapshot.district
    outcomes = {item["key"]: item["outcome"] for item in snapshot.criteria}
    point = None
    if settlement.latitude is not None and settlement.longitude is not None:
        point = shapely.Point(settlement.longitude, settlement.latitude)
    values: dict[str, object] = {
        "settlement": settlement.name,
        "settlement_code": settlement.code,
        "district": district.name if district else None,
        "district_code": district.code if district else None,
        "latitude": settlement.latitude,
        "longitude": settlement.longitude,
        "status": snapshot.status,
        "score": round(snapshot.score, 4),
        "earliest_ready": snapshot.earliest_ready,
        **{column: outcomes.get(key) for key, column in columns.items()},
        "blockers": ";".join(snapshot.blockers),
        "computed_at": snapshot.computed_at.isoformat(timespec="seconds"),
    }
    return values, point


def export(kind: str, fmt: str, path: Path, *, user: Any) -> int:
    """Write ``kind`` in format ``fmt`` to ``path``, as ``user`` may see it; audit it; return the row count."""
    require(user, Action.EXPORT, ReadinessSnapshot)
    try:
        export_kind = ExportKind(kind)
    except ValueError as error:
        raise ExportError(
            _("%(kind)r is not a returns export: choose %(allowed)s")
            % {"kind": kind, "allowed": ", ".join(k.value for k in ExportKind)}
        ) from error
    try:
        export_format = ExportFormat(fmt)
    except ValueError as error:
        raise ExportError(
            _("%(fmt)r is not an export format: choose %(allowed)s")
            % {"fmt": fmt, "allowed": ", ".join(f.value for f in ExportFormat)}
        ) from error
    keys = criterion_keys()
    fields = readiness_fields(keys)
    count = write_features(path, export_format, fields, _readiness_rows(user, fields, keys), layer="readiness")
    audit.record(
        AuditAction.EXPORT,
        object_type="returns." + export_kind.value,
        object_label=export_kind.value,
        changes={"format": export_format.value, "rows": count},
        actor=user,
    )
    return count
