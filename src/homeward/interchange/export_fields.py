"""The columns of an export and the checking of row values against them."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal, get_args

from shapely.geometry.base import BaseGeometry

from homeward.interchange.errors import ExportError

FieldKind = Literal["str", "int", "float", "date", "bool"]
FIELD_KINDS: frozenset[str] = frozenset(get_args(FieldKind))
_HXL_TAG = re.compile(r"#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*")
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})

# (row number, values in field order, geometry) once checked against the field specs.
CheckedRow = tuple[int, list[object], BaseGeometry | None]


@dataclass(frozen=True)
class FieldSpec:
    """One exported column: its name, the kind of its values, and its HXL hashtag (e.g. ``#adm2+code``)."""

    name: str
    kind: FieldKind
    hxl: str | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("a field needs a name")
        if self.kind not in FIELD_KINDS:
            raise ValueError(f"field {self.name!r}: kind {self.kind!r} is not one of {sorted(FIELD_KINDS)}")
        if self.hxl is not None and not _HXL_TAG.fullmatch(self.hxl):
            raise ValueError(f"field {self.name!r}: {self.hxl!r} is not an HXL hashtag such as #adm2+code")


def check_rows(
    specs: Sequence[FieldSpec],
    rows: Iterable[tuple[Mapping[str, object], BaseGeometry | None]],
    *,
    with_geometry: bool,
) -> Iterator[CheckedRow]:
    """Each row numbered from 1, its values converted to their field's kind, lazily."""
    for number, (values, geometry) in enumerate(rows, start=1):
        if geometry is not None and not isinstance(geometry, BaseGeometry):
            raise ExportError(f"the geometry is a {type(geometry).__name__}, not a shapely geometry", row=number)
        converted = [convert_value(spec, values.get(spec.name), number) for spec in specs]
        yield number, converted, geometry if with_geometry else None


def convert_value(spec: FieldSpec, value: object, row: int) -> object:
    """`value` as the Python type of `spec.kind` (str, int, float, datetime.date, bool) or None."""
    if value is None:
        return None
    converted = _CONVERTERS[spec.kind](value)
    if converted is _INVALID:
        raise ExportError(f"{value!r} is not a valid {spec.kind} value", row=row, field=spec.name)
    return converted


_INVALID = object()


def _as_str(value: object) -> object:
    # str.__str__ drops a str subclass (an enum member, a lazy translation proxy's result) to plain str.
    return str.__str__(value) if isinstance(value, str) else str(value)


def _as_int(value: object) -> object:
    if isinstance(value, bool):
        return _INVALID
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float | Decimal):
        return int(value) if math.isfinite(value) and value == int(value) else _INVALID
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return _INVALID
    return _INVALID


def _as_float(value: object) -> object:
    if isinstance(value, bool):
        return _INVALID
    try:
        number = float(value) if isinstance(value, int | float | Decimal | str) else None
    except (ValueError, InvalidOperation):
        return _INVALID
    if number is None:
        return _INVALID
    return None if math.isnan(number) else number


def _as_date(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return _INVALID
    return _INVALID


def _as_bool(value: object) -> object:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    return _INVALID


_CONVERTERS: Mapping[str, Callable[[object], object]] = {
    "str": _as_str,
    "int": _as_int,
    "float": _as_float,
    "date": _as_date,
    "bool": _as_bool,
}
