"""The gazetteer as a file: every place with its names, point and boundary."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from homeward.core import audit
from homeward.core.audit import AuditAction
from homeward.core.permissions import Action, require
from homeward.interchange import ExportFormat, FieldSpec, write_features
from homeward.places.choices import NameKind, NameLanguage
from homeward.places.models import Place

_KIND_PREFIX: dict[str, str] = {
    v: k
    for k, v in {
        "name": NameKind.OFFICIAL,
        "former_name": NameKind.FORMER,
        "colloquial_name": NameKind.COLLOQUIAL,
        "variant_name": NameKind.VARIANT,
    }.items()
}
_NAME_HXL = {"name": "", "former_name": "+former", "colloquial_name": "+colloquial", "variant_name": "+alt"}

FIELDS = [
    FieldSpec("code", "str", "#loc+code"),
    FieldSpec("level", "str", "#loc+type"),
    FieldSpec("parent", "str", "#loc+code+parent"),
    FieldSpec("name", "str", "#loc+name"),
    FieldSpec("latitude", "float", "#geo+lat"),
    FieldSpec("longitude", "float", "#geo+lon"),
    FieldSpec("population_pre_conflict", "int", "#population+preconflict"),
    FieldSpec("households_pre_conflict", "int", "#population+hh+preconflict"),
    *[
        FieldSpec(f"{prefix}_{language}", "str", f"#loc+name{_NAME_HXL[prefix]}+i_{language}")
        for prefix in _NAME_HXL
        for language in NameLanguage.values
    ],
    FieldSpec("synthetic", "bool", "#meta+synthetic"),
]


def _rows(with_boundaries: bool) -> Iterator[tuple[dict[str, Any], BaseGeometry | None]]:
    places = Place.objects.select_related("parent").prefetch_related("names").order_by("level", "code")
    for place in places.iterator(chunk_size=2000):
        names: dict[str, list[str]] = {}
        for name in place.names.all():
            names.setdefault(f"{_KIND_PREFIX[name.kind]}_{name.language}", []).append(name.text)
        geometry: BaseGeometry | None = None
        if with_boundaries and place.boundary is not None:
            geometry = shapely.from_wkb(bytes(place.boundary))
        elif place.longitude is not None and place.latitude is not None:
            geometry = shapely.Point(place.longitude, place.latitude)
        yield (
            {
                "code": place.code,
                "level": place.level,
                "parent": place.parent.code if place.parent else None,
                "name": place.name,
                "latitude": place.latitude,
                "longitude": place.longitude,
                "population_pre_conflict": place.population_pre_conflict,
                "households_pre_conflict": place.households_pre_conflict,
                **{key: ";".join(texts) for key, texts in names.items()},
                "synthetic": place.is_synthetic,
            },
            geometry,
        )


def export(fmt: str, path: Path, *, user: Any) -> int:
    """Write the gazetteer to ``path``; points everywhere (formats need one geometry type per layer)."""
    require(user, Action.VIEW, Place)
    export_format = ExportFormat(fmt)
    count = write_features(path, export_format, FIELDS, _rows(with_boundaries=False), layer="places")
    audit.record(
        AuditAction.EXPORT,
        object_type="places.place",
        object_label="gazetteer",
        changes={"format": export_format.value, "rows": count},
        actor=user,
    )
    return count
