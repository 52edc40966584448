"""Writes to the gazetteer: places and their names, one at a time or from a file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import shapely
from django.db import transaction
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from homeward.core import audit
from homeward.core.audit import AuditAction
from homeward.core.imports import Rejection, WriteResult
from homeward.engines.matching.scripts import detect_script
from homeward.places.choices import NameKind, PlaceLevel, PlaceSource, Script
from homeward.places.models import Place, PlaceName

PARENT_LEVEL = {
    PlaceLevel.DISTRICT: {PlaceLevel.COUNTRY},
    PlaceLevel.MUNICIPALITY: {PlaceLevel.DISTRICT},
    PlaceLevel.SETTLEMENT: {PlaceLevel.DISTRICT, PlaceLevel.MUNICIPALITY},
}


@dataclass(frozen=True)
class NameInput:
    text: str
    language: str
    kind: str = NameKind.OFFICIAL


@dataclass(frozen=True)
class PlaceInput:
    code: str
    name: str
    level: str
    parent_code: str = ""
    geometry: BaseGeometry | None = None
    population_pre_conflict: int | None = None
    households_pre_conflict: int | None = None
    names: tuple[NameInput, ...] = field(default_factory=tuple)
    feature: int = 0


def _script(text: str) -> str:
    return detect_script(text) or Script.LATIN


def _district_of(parent: Place | None, level: str) -> Place | None:
    if level == PlaceLevel.DISTRICT or parent is None:
        return None
    return parent if parent.level == PlaceLevel.DISTRICT else parent.district


def import_places(inputs: Sequence[PlaceInput]) -> WriteResult:
    """Create or update places by code, with their names; a file may list parents before children."""
    codes = {d.code for d in inputs} | {d.parent_code for d in inputs if d.parent_code}
    known = {p.code: p for p in Place.objects.filter(code__in=codes).select_related("district")}
    rejections: list[Rejection] = []
    created = updated = unchanged = 0
    for data in inputs:
        parent = known.get(data.parent_code) if data.parent_code else None
        if data.parent_code and parent is None:
            rejections.append(
                Rejection(
                    data.feature, "parent", _("no place has the code %(code)s") % {"code": data.parent_code}, data.code
                )
            )
            continue
        allowed = PARENT_LEVEL.get(PlaceLevel(data.level), set())
        if parent is not None and parent.level not in allowed:
            rejections.append(
                Rejection(
                    data.feature,
                    "parent",
                    _("a %(level)s cannot lie in a %(parent)s") % {"level": data.level, "parent": parent.level},
                    data.code,
                )
            )
            continue
        place = known.get(data.code) or Place(code=data.code, source=PlaceSource.IMPORT)
        adding = place._state.adding
        point = _point(data.geometry)
        values = {
            "name": data.name,
            "level": data.level,
            "parent": parent,
            "district": _district_of(parent, data.level),
            "latitude": point[1] if point else place.latitude,
            "longitude": point[0] if point else place.longitude,
            "population_pre_conflict": data.population_pre_conflict,
            "households_pre_conflict": data.households_pre_conflict,
        }
        boundary = (
            shapely.to_wkb(data.geometry) if data.geometry is not None and data.geometry.geom_type != "Point" else None
        )
        same = not adding and all(getattr(place, k) == v for k, v in values.items())
        same = same and (boundary is None or bytes(place.boundary or b"") == boundary)
        stored_names = set() if adding else set(place.names.values_list("text", "language", "kind"))
        wanted_names = {(n.text, n.language, n.kind) for n in data.names}
        if same and wanted_names <= stored_names:
            unchanged += 1
            continue
        for key, value in values.items():
            setattr(place, key, value)
        if boundary is not None:
            place.boundary = boundary
        place.save()
        if place.level == PlaceLevel.DISTRICT and place.district_id != place.pk:
            place.district = place
            place.save(update_fields=["district"])
        for text, language, kind in sorted(wanted_names - stored_names):
            PlaceName.objects.create(place=place, text=text, language=language, script=_script(text), kind=kind)
        known[place.code] = place
        created += adding
        updated += not adding
    return WriteResult(created, updated, unchanged, tuple(rejections))


def _point(geometry: BaseGeometry | None) -> tuple[float, float] | None:
    if geometry is None:
        return None
    point = geometry if geometry.geom_type == "Point" else shapely.point_on_surface(geometry)
    return (float(point.x), float(point.y))  # type: ignore[attr-defined]


def add_place_name(place: Place, data: NameInput) -> PlaceName:
    """Give ``place`` another name (the script is detected from the text)."""
    with transaction.atomic():
        name, _created = PlaceName.objects.get_or_create(
            place=place,
            text=data.text.strip(),
            language=data.language,
            kind=data.kind,
            defaults={"script": _script(data.text)},
        )
        return name


def record_import_audit(kind: str, report_sha: str, created: int, updated: int) -> None:
    if created or updated:
        audit.record(
            AuditAction.IMPORT,
            object_type="places.place",
            object_label=kind,
            changes={"created": created, "updated": updated, "file_sha256": report_sha},
        )
