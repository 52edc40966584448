"""Exports of mine action data: the records themselves, and the GICHD Minimum Data Requirements.

Every export goes through the user's visibility (selectors) and is audited. HXL hashtags are
attached to every column so humanitarian tools can read the CSV without a data dictionary.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import shapely
from django.db.models import Sum
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from homeward.core import audit
from homeward.core.audit import AuditAction
from homeward.core.permissions import Action, require
from homeward.interchange import ExportFormat, FieldSpec, write_features
from homeward.mineaction import selectors
from homeward.mineaction.choices import OPEN_STATUSES, AgeBand, CasualtyOutcome, EOType, HazardClassification, Sex
from homeward.mineaction.models import DeviceFind, HazardousArea

Row = tuple[Mapping[str, object], BaseGeometry | None]


class ExportKind(StrEnum):
    HAZARDS = "hazards"
    RELEASES = "releases"
    INCIDENTS = "incidents"
    MDR_AREAS = "mdr-areas"
    MDR_SUMMARY = "mdr-summary"


@dataclass(frozen=True)
class Table:
    fields: list[FieldSpec]
    rows: Callable[[Any], Iterable[Row]]
    layer: str


def _place(prefix: str, place: Any) -> dict[str, object]:
    return {f"{prefix}": place.name if place else None, f"{prefix}_code": place.code if place else None}


_PLACE_FIELDS = [
    FieldSpec("settlement", "str", "#loc+name"),
    FieldSpec("settlement_code", "str", "#loc+code"),
    FieldSpec("district", "str", "#adm2+name"),
    FieldSpec("district_code", "str", "#adm2+code"),
]

HAZARD_FIELDS = [
    FieldSpec("external_id", "str", "#site+code"),
    FieldSpec("name", "str", "#site+name"),
    FieldSpec("classification", "str", "#site+type"),
    FieldSpec("status", "str", "#status"),
    FieldSpec("eo_types", "str", "#item+type"),
    FieldSpec("area_m2", "float", "#indicator+area_m2"),
    FieldSpec("released_m2", "float", "#indicator+released_m2"),
    FieldSpec("remaining_m2", "float", "#indicator+remaining_m2"),
    FieldSpec("perimeter_m", "float", "#indicator+perimeter_m"),
    *_PLACE_FIELDS,
    FieldSpec("recorded_on", "date", "#date+recorded"),
    FieldSpec("status_changed_on", "date", "#date+status"),
    FieldSpec("survey_reference", "str", "#meta+survey"),
    FieldSpec("organisation", "str", "#org+name"),
    FieldSpec("split_from", "str", "#site+code+parent"),
    FieldSpec("synthetic", "bool", "#meta+synthetic"),
]


def _hazard_rows(user: Any, only_open: bool = False) -> Iterator[Row]:
    hazards = selectors.hazards_visible_to(user).select_related("split_from").order_by("external_id")
    if only_open:
        hazards = hazards.filter(status__in=list(OPEN_STATUSES))
    for hazard in hazards.iterator(chunk_size=2000):
        yield (
            {
                "external_id": hazard.external_id,
                "name": hazard.name,
                "classification": hazard.classification,
                "status": hazard.status,
                "eo_types": ";".join(hazard.eo_types),
                "area_m2": round(hazard.area_m2, 1),
                "released_m2": round(hazard.released_m2, 1),
                "remaining_m2": round(hazard.remaining_m2, 1),
                "perimeter_m": round(hazard.perimeter_m, 1),
                **_place("settlement", hazard.place),
                **_place("district", hazard.district),
                "recorded_on": hazard.recorded_on,
                "status_changed_on": hazard.status_changed_on,
                "survey_reference": hazard.survey_reference,
                "organisation": hazard.organisation,
                "split_from": hazard.split_from.external_id if hazard.split_from else None,
                "synthetic": hazard.is_synthetic,
            },
            hazard.shape,
        )


RELEASE_FIELDS = [
    FieldSpec("external_id", "str", "#activity+code"),
    FieldSpec("hazard_id", "str", "#site+code"),
    FieldSpec("method", "str", "#activity+type"),
    FieldSpec("organisation", "str", "#org+impl"),
    FieldSpec("started_on", "date", "#date+start"),
    FieldSpec("completed_on", "date", "#date+end"),
    FieldSpec("area_cancelled_m2", "float", "#indicator+cancelled_m2"),
    FieldSpec("area_reduced_m2", "float", "#indicator+reduced_m2"),
    FieldSpec("area_cleared_m2", "float", "#indicator+cleared_m2"),
    FieldSpec("devices_found", "int", "#indicator+devices+found"),
    FieldSpec("devices_destroyed", "int", "#indicator+devices+destroyed"),
    FieldSpec("beneficiaries_women", "int", "#reached+f+adults"),
    FieldSpec("beneficiaries_men", "int", "#reached+m+adults"),
    FieldSpec("beneficiaries_girls", "int", "#reached+f+children"),
    FieldSpec("beneficiaries_boys", "int", "#reached+m+children"),
    FieldSpec("synthetic", "bool", "#meta+synthetic"),
]


def _release_rows(user: Any) -> Iterator[Row]:
    activities = selectors.activities_visible_to(user).order_by("started_on", "external_id")
    devices: defaultdict[Any, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for row in (
        DeviceFind.objects.filter(activity__in=activities)
        .values("activity")
        .annotate(found=Sum("quantity_found"), destroyed=Sum("quantity_destroyed"))
    ):
        devices[row["activity"]] = (row["found"], row["destroyed"])
    for activity in activities.iterator(chunk_size=2000):
        found, destroyed = devices[activity.pk]
        yield (
            {
                "external_id": activity.external_id,
                "hazard_id": activity.hazardous_area.external_id,
                "method": activity.method,
                "organisation": activity.organisation,
                "started_on": activity.started_on,
                "completed_on": activity.completed_on,
                "area_cancelled_m2": activity.area_cancelled_m2,
                "area_reduced_m2": activity.area_reduced_m2,
                "area_cleared_m2": activity.area_cleared_m2,
                "devices_found": found,
                "devices_destroyed": destroyed,
                "beneficiaries_women": activity.beneficiaries_women,
                "beneficiaries_men": activity.beneficiaries_men,
                "beneficiaries_girls": activity.beneficiaries_girls,
                "beneficiaries_boys": activity.beneficiaries_boys,
                "synthetic": activity.is_synthetic,
            },
            activity.shape,
        )


_PEOPLE = {
    (Sex.FEMALE, AgeBand.ADULT): "women",
    (Sex.FEMALE, AgeBand.OLDER): "women",
    (Sex.MALE, AgeBand.ADULT): "men",
    (Sex.MALE, AgeBand.OLDER): "men",
    (Sex.FEMALE, AgeBand.CHILD): "girls",
    (Sex.MALE, AgeBand.CHILD): "boys",
}
_HXL_PEOPLE = {"women": "+f+adults", "men": "+m+adults", "girls": "+f+children", "boys": "+m+children", "unknown": ""}
_CASUALTY_FIELDS = [
    FieldSpec(f"{outcome}_{people}", "int", f"#affected+{outcome}{_HXL_PEOPLE[people]}")
    for outcome in CasualtyOutcome.values
    for people in ("women", "men", "girls", "boys", "unknown")
]

INCIDENT_FIELDS = [
    FieldSpec("external_id", "str", "#event+code"),
    FieldSpec("date", "date", "#date+occurred"),
    FieldSpec("latitude", "float", "#geo+lat"),
    FieldSpec("longitude", "float", "#geo+lon"),
    *_PLACE_FIELDS,
    FieldSpec("device_type", "str", "#item+type"),
    FieldSpec("activity_at_time", "str", "#activity+type"),
    *_CASUALTY_FIELDS,
    FieldSpec("source", "str", "#meta+source"),
    FieldSpec("synthetic", "bool", "#meta+synthetic"),
]


def _casualty_cells(casualties: Iterable[Any]) -> dict[str, int]:
    cells = {spec.name: 0 for spec in _CASUALTY_FIELDS}
    for casualty in casualties:
        people = _PEOPLE.get((casualty.sex, casualty.age_band), "unknown")
        cells[f"{casualty.outcome}_{people}"] += casualty.count
    return cells


def _incident_rows(user: Any) -> Iterator[Row]:
    for incident in selectors.incidents_visible_to(user).order_by("occurred_on", "external_id"):
        point = None
        if incident.latitude is not None and incident.longitude is not None:
            point = shapely.Point(incident.longitude, incident.latitude)
        yield (
            {
                "external_id": incident.external_id,
                "date": incident.occurred_on,
                "latitude": incident.latitude,
                "longitude": incident.longitude,
                **_place("settlement", incident.place),
                **_place("district", incident.district),
                "device_type": incident.device_type,
                "activity_at_time": incident.activity_at_time,
                **_casualty_cells(incident.casualties.all()),
                "source": incident.source,
                "synthetic": incident.is_synthetic,
            },
            point,
        )


# GICHD Minimum Data Requirements: remaining contamination, land released by method, devices
# destroyed by type, beneficiaries and casualties by sex and age, per district.
MDR_AREA_FIELDS = [
    FieldSpec("hazard_id", "str", "#site+code"),
    FieldSpec("hazard_type", "str", "#site+type"),
    FieldSpec("contamination", "str", "#item+type"),
    FieldSpec("remaining_m2", "float", "#indicator+remaining_m2"),
    FieldSpec("district", "str", "#adm2+name"),
    FieldSpec("district_code", "str", "#adm2+code"),
    FieldSpec("date_recorded", "date", "#date+recorded"),
]


def _mdr_area_rows(user: Any) -> Iterator[Row]:
    for values, shape in _hazard_rows(user, only_open=True):
        yield (
            {
                "hazard_id": values["external_id"],
                "hazard_type": str(values["classification"]).upper(),
                "contamination": values["eo_types"],
                "remaining_m2": values["remaining_m2"],
                "district": values["district"],
                "district_code": values["district_code"],
                "date_recorded": values["recorded_on"],
            },
            shape,
        )


MDR_SUMMARY_FIELDS = [
    FieldSpec("district", "str", "#adm2+name"),
    FieldSpec("district_code", "str", "#adm2+code"),
    FieldSpec("sha_remaining", "int", "#indicator+sha+remaining"),
    FieldSpec("sha_remaining_m2", "float", "#indicator+sha+remaining_m2"),
    FieldSpec("cha_remaining", "int", "#indicator+cha+remaining"),
    FieldSpec("cha_remaining_m2", "float", "#indicator+cha+remaining_m2"),
    FieldSpec("cancelled_nts_m2", "float", "#indicator+cancelled_m2"),
    FieldSpec("reduced_ts_m2", "float", "#indicator+reduced_m2"),
    FieldSpec("cleared_m2", "float", "#indicator+cleared_m2"),
    *[FieldSpec(f"{t}_destroyed", "int", f"#indicator+destroyed+{t}") for t in EOType.values],
    FieldSpec("beneficiaries_women", "int", "#reached+f+adults"),
    FieldSpec("beneficiaries_men", "int", "#reached+m+adults"),
    FieldSpec("beneficiaries_girls", "int", "#reached+f+children"),
    FieldSpec("beneficiaries_boys", "int", "#reached+m+children"),
    *_CASUALTY_FIELDS,
]


def _mdr_summary_rows(user: Any) -> Iterator[Row]:
    rows: dict[Any, dict[str, Any]] = {}

    def row_of(district: Any) -> dict[str, Any]:
        key = district.pk if district else None
        if key not in rows:
            rows[key] = {spec.name: 0 for spec in MDR_SUMMARY_FIELDS} | _place("district", district)
        return rows[key]

    for hazard in selectors.hazards_visible_to(user).filter(status__in=list(OPEN_STATUSES)):
        row = row_of(hazard.district)
        kind = "sha" if hazard.classification == HazardClassification.SHA else "cha"
        row[f"{kind}_remaining"] += 1
        row[f"{kind}_remaining_m2"] += hazard.remaining_m2
    for activity in selectors.activities_visible_to(user).select_related("hazardous_area__district"):
        row = row_of(activity.hazardous_area.district)
        row["cancelled_nts_m2"] += activity.area_cancelled_m2
        row["reduced_ts_m2"] += activity.area_reduced_m2
        row["cleared_m2"] += activity.area_cleared_m2
        for people in ("women", "men", "girls", "boys"):
            row[f"beneficiaries_{people}"] += getattr(activity, f"beneficiaries_{people}")
    devices = DeviceFind.objects.filter(activity__in=selectors.activities_visible_to(user)).select_related(
        "activity__hazardous_area__district"
    )
    for device in devices:
        row_of(device.activity.hazardous_area.district)[f"{device.eo_type}_destroyed"] += device.quantity_destroyed
    for incident in selectors.incidents_visible_to(user):
        row = row_of(incident.district)
        for name, count in _casualty_cells(incident.casualties.all()).items():
            row[name] += count
    for row in sorted(rows.values(), key=lambda r: str(r["district"] or "")):
        yield ({k: round(v, 1) if isinstance(v, float) else v for k, v in row.items()}, None)


TABLES = {
    ExportKind.HAZARDS: Table(HAZARD_FIELDS, _hazard_rows, "hazardous_areas"),
    ExportKind.RELEASES: Table(RELEASE_FIELDS, _release_rows, "land_release"),
    ExportKind.INCIDENTS: Table(INCIDENT_FIELDS, _incident_rows, "incidents"),
    ExportKind.MDR_AREAS: Table(MDR_AREA_FIELDS, _mdr_area_rows, "mdr_remaining_areas"),
    ExportKind.MDR_SUMMARY: Table(MDR_SUMMARY_FIELDS, _mdr_summary_rows, "mdr_summary"),
}
# Tables without geometry can only go to tabular formats.
TABULAR_ONLY = frozenset({ExportKind.MDR_SUMMARY})
TABULAR_FORMATS = frozenset({ExportFormat.CSV, ExportFormat.CSV_HXL, ExportFormat.XLSX})


class ExportError(Exception):
    pass


def export(kind: str, fmt: str, path: Path, *, user: Any) -> int:
    """Write ``kind`` in format ``fmt`` to ``path``, as ``user`` may see it; audit it; return the row count."""
    require(user, Action.EXPORT, HazardousArea)
    try:
        export_kind, export_format = ExportKind(kind), ExportFormat(fmt)
    except ValueError as error:
        raise ExportError(str(error)) from error
    if export_kind in TABULAR_ONLY and export_format not in TABULAR_FORMATS:
        raise ExportError(_("%(kind)s has no geometry: choose csv, hxl-csv or xlsx") % {"kind": export_kind.value})
    table = TABLES[export_kind]
    count = write_features(path, export_format, table.fields, table.rows(user), layer=table.layer)
    audit.record(
        AuditAction.EXPORT,
        object_type="mineaction." + export_kind.value,
        object_label=export_kind.value,
        changes={"format": export_format.value, "rows": count},
        actor=user,
    )
    return count
