"""How rows of a hazard, land release or incident file become service inputs.

Column names follow the GICHD/IMSMA habits seen in mine action centres' exports, with aliases;
see docs/mineaction.md for the full list.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from homeward.core.import_fields import Columns, RowError
from homeward.core.imports import ImportFileError, ImportReport, WriteResult, run_import
from homeward.engines.geo import Bounds, ValidationPolicy
from homeward.interchange import SourceFeature
from homeward.mineaction import services
from homeward.mineaction.choices import (
    ActivityAtTime,
    AgeBand,
    CasualtyOutcome,
    DeviceCondition,
    EOType,
    HazardClassification,
    HazardStatus,
    ReleaseMethod,
    Sex,
)
from homeward.mineaction.inputs import CasualtyInput, DeviceInput, HazardInput, IncidentInput, ReleaseInput
from homeward.places.selectors import gazetteer_bounds, settlement_locator

EXTERNAL_ID = ("external_id", ("id", "hazard_id", "ha_id", "hazard_reference", "reference", "ref"))
EO_SYNONYMS = {
    "ap": EOType.AP_MINE,
    "apm": EOType.AP_MINE,
    "at": EOType.AT_MINE,
    "atm": EOType.AT_MINE,
    "av mine": EOType.AT_MINE,
    "erw": EOType.UXO,
    "axo": EOType.AXO,
    "cm": EOType.CLUSTER,
    "cluster munition": EOType.CLUSTER,
    "submunition": EOType.CLUSTER,
}
# A casualty is never named: a file with any of these columns is refused as a whole.
NAME_COLUMNS = frozenset(
    {
        "name",
        "names",
        "full_name",
        "fullname",
        "first_name",
        "firstname",
        "last_name",
        "lastname",
        "surname",
        "given_name",
        "family_name",
        "patronymic",
        "father_name",
        "victim",
        "victim_name",
        "victims",
        "casualty_name",
        "person",
        "person_name",
        "имя",
        "фамилия",
        "отчество",
        "фио",
        "ad",
        "soyad",
        "ata_adı",
        "անուն",
        "ազգանուն",
    }
)
SEX_WORDS = {"female": Sex.FEMALE, "male": Sex.MALE, "unknown_sex": Sex.UNKNOWN}
AGE_WORDS = {"child": AgeBand.CHILD, "adult": AgeBand.ADULT, "older": AgeBand.OLDER, "unknown_age": AgeBand.UNKNOWN}
# killed_women, injured_boys ... as in the GICHD Minimum Data Requirements tables.
PEOPLE_WORDS = {
    "women": (Sex.FEMALE, AgeBand.ADULT),
    "men": (Sex.MALE, AgeBand.ADULT),
    "girls": (Sex.FEMALE, AgeBand.CHILD),
    "boys": (Sex.MALE, AgeBand.CHILD),
    "unknown": (Sex.UNKNOWN, AgeBand.UNKNOWN),
}


def _policy(types: frozenset[str]) -> ValidationPolicy:
    extent = gazetteer_bounds()
    bounds = Bounds(*extent) if extent is not None else None
    return ValidationPolicy(bounds=bounds, allowed_types=types)


class _Base:
    kind = ""
    geometry_required = True
    policy: ValidationPolicy | None = None

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def check_fields(self, fields: Sequence[str]) -> None:
        columns = Columns(dict.fromkeys(fields))
        if not columns.has(*EXTERNAL_ID):
            raise ImportFileError(_("The file has no external_id (or id) column to identify each record."))

    def external_id(self, columns: Columns, feature: SourceFeature) -> str:
        value = columns.text(*EXTERNAL_ID, required=True, max_length=100)
        if value in self.seen:
            raise RowError(
                "external_id",
                _("%(id)s appears twice (also feature %(other)d)") % {"id": value, "other": self.seen[value]},
            )
        self.seen[value] = feature.number
        return value

    def finish(self, report: ImportReport) -> None:
        """Figures are queued per batch by the services; nothing more to do."""


class HazardImporter(_Base):
    kind = "hazards"

    def __init__(self) -> None:
        super().__init__()
        self.policy = _policy(frozenset({"Polygon", "MultiPolygon"}))
        self.locator = settlement_locator()

    def parse(self, feature: SourceFeature, geometry: BaseGeometry | None) -> HazardInput:
        columns = Columns(feature.properties)
        eo_text = columns.text("eo_types", ("eo_type", "contamination", "hazard_type", "device_types"), max_length=500)
        eo_types = []
        for part in filter(None, (p.strip() for p in eo_text.replace(";", ",").split(","))):
            eo_types.append(Columns({"eo_types": part}).choice("eo_types", EOType, synonyms=EO_SYNONYMS))
        assert geometry is not None  # geometry_required: the import loop rejected the feature otherwise
        return HazardInput(
            external_id=self.external_id(columns, feature),
            name=columns.text("name", ("hazard_name", "area_name", "title")),
            classification=columns.choice(
                "classification", HazardClassification, ("class", "type", "hazard_class"), required=True
            ),
            status=columns.choice("status", HazardStatus, default=HazardStatus.ACTIVE, synonyms={"open": "active"}),
            eo_types=tuple(eo_types),
            geometry=geometry,
            recorded_on=columns.required_date("recorded_on", ("date", "survey_date", "date_recorded")),
            survey_reference=columns.text("survey_reference", ("survey", "source_survey", "survey_id")),
            organisation=columns.text("organisation", ("organization", "org", "operator")),
            split_from=columns.text("split_from", ("parent_id", "parent")),
            feature=feature.number,
        )

    def write(self, rows: list[HazardInput]) -> WriteResult:
        return services.import_hazardous_areas(rows, locator=self.locator)


class ReleaseImporter(_Base):
    kind = "releases"
    geometry_required = False

    def __init__(self) -> None:
        super().__init__()
        self.policy = _policy(frozenset({"Polygon", "MultiPolygon"}))

    def check_fields(self, fields: Sequence[str]) -> None:
        super().check_fields(fields)
        if not Columns(dict.fromkeys(fields)).has("hazard_id", ("hazard_external_id", "hazardous_area", "ha_id")):
            raise ImportFileError(_("The file has no hazard_id column naming the hazardous area of each activity."))

    def external_id(self, columns: Columns, feature: SourceFeature) -> str:
        value = columns.text("external_id", ("id", "activity_id", "task_id"), required=True, max_length=100)
        if value in self.seen:
            raise RowError(
                "external_id",
                _("%(id)s appears twice (also feature %(other)d)") % {"id": value, "other": self.seen[value]},
            )
        self.seen[value] = feature.number
        return value

    def parse(self, feature: SourceFeature, geometry: BaseGeometry | None) -> ReleaseInput:
        columns = Columns(feature.properties)
        return ReleaseInput(
            external_id=self.external_id(columns, feature),
            hazard_external_id=columns.text(
                "hazard_id", ("hazard_external_id", "hazardous_area", "ha_id"), required=True
            ),
            method=columns.choice(
                "method",
                ReleaseMethod,
                ("activity_type", "release_method"),
                required=True,
                synonyms={"non-technical survey": "nts", "technical survey": "ts", "ts": "ts", "nts": "nts"},
            ),
            started_on=columns.required_date("started_on", ("start_date", "start")),
            completed_on=columns.date("completed_on", ("end_date", "end", "completion_date")),
            organisation=columns.text("organisation", ("organization", "org", "operator")),
            area_cancelled_m2=columns.number("area_cancelled_m2", ("cancelled_m2", "cancelled")) or 0.0,
            area_reduced_m2=columns.number("area_reduced_m2", ("reduced_m2", "reduced")) or 0.0,
            area_cleared_m2=columns.number("area_cleared_m2", ("cleared_m2", "cleared")) or 0.0,
            beneficiaries_women=columns.whole("beneficiaries_women", ("women",)) or 0,
            beneficiaries_men=columns.whole("beneficiaries_men", ("men",)) or 0,
            beneficiaries_girls=columns.whole("beneficiaries_girls", ("girls",)) or 0,
            beneficiaries_boys=columns.whole("beneficiaries_boys", ("boys",)) or 0,
            devices=self._devices(columns),
            geometry=geometry,
            feature=feature.number,
        )

    def _devices(self, columns: Columns) -> tuple[DeviceInput, ...]:
        devices = []
        for eo_type in EOType:
            found = columns.whole(f"{eo_type.value}_found")
            destroyed = columns.whole(f"{eo_type.value}_destroyed")
            if found or destroyed:
                devices.append(
                    DeviceInput(eo_type=eo_type, quantity_found=found or 0, quantity_destroyed=destroyed or 0)
                )
        found = columns.whole("devices_found")
        if found:
            devices.append(
                DeviceInput(
                    eo_type=columns.choice("device_type", EOType, default=EOType.UNKNOWN, synonyms=EO_SYNONYMS),
                    model=columns.text("device_model", ("model",), max_length=100),
                    depth_cm=columns.whole("device_depth_cm", ("depth_cm",)),
                    condition=columns.choice("device_condition", DeviceCondition, default=DeviceCondition.UNKNOWN),
                    quantity_found=found,
                    quantity_destroyed=columns.whole("devices_destroyed") or 0,
                )
            )
        for device in devices:
            if device.quantity_destroyed > device.quantity_found:
                raise RowError(f"{device.eo_type}_destroyed", _("more devices destroyed than found"))
        return tuple(devices)

    def write(self, rows: list[ReleaseInput]) -> WriteResult:
        return services.record_release_activities(rows)


class IncidentImporter(_Base):
    kind = "incidents"

    def __init__(self) -> None:
        super().__init__()
        self.policy = _policy(frozenset({"Point"}))
        self.locator = settlement_locator()

    def check_fields(self, fields: Sequence[str]) -> None:
        super().check_fields(fields)
        named = sorted(f for f in fields if f.strip().lower() in NAME_COLUMNS)
        if named:
            raise ImportFileError(
                _("Casualties are never named: remove the column(s) %(columns)s and import again.")
                % {"columns": ", ".join(named)}
            )

    def parse(self, feature: SourceFeature, geometry: BaseGeometry | None) -> IncidentInput:
        columns = Columns(feature.properties)
        assert geometry is not None
        occurred = columns.required_date("date", ("occurred_on", "incident_date"))
        return IncidentInput(
            external_id=self.external_id(columns, feature),
            occurred_on=occurred,
            latitude=float(geometry.y),  # type: ignore[attr-defined]
            longitude=float(geometry.x),  # type: ignore[attr-defined]
            device_type=columns.choice(
                "device_type", EOType, ("eo_type", "device"), default=EOType.UNKNOWN, synonyms=EO_SYNONYMS
            ),
            activity_at_time=columns.choice(
                "activity_at_time", ActivityAtTime, ("activity",), default=ActivityAtTime.UNKNOWN
            ),
            source=columns.text("source", ("reported_by",)),
            casualties=_casualties(columns),
            feature=feature.number,
        )

    def write(self, rows: list[IncidentInput]) -> WriteResult:
        return services.record_incidents(rows, locator=self.locator)


def _casualties(columns: Columns) -> tuple[CasualtyInput, ...]:
    cells: dict[tuple[str, str, str], int] = {}
    for outcome in CasualtyOutcome:
        for word, (sex, age) in PEOPLE_WORDS.items():
            count = columns.whole(f"{outcome.value}_{word}")
            if count:
                cells[(sex, age, outcome.value)] = cells.get((sex, age, outcome.value), 0) + count
        for sex_word, sex in SEX_WORDS.items():
            for age_word, age in AGE_WORDS.items():
                count = columns.whole(f"{outcome.value}_{sex_word}_{age_word}")
                if count:
                    cells[(sex, age, outcome.value)] = cells.get((sex, age, outcome.value), 0) + count
    return tuple(CasualtyInput(sex=s, age_band=a, outcome=o, count=n) for (s, a, o), n in sorted(cells.items()))


IMPORTERS: dict[str, type[HazardImporter | ReleaseImporter | IncidentImporter]] = {
    "hazards": HazardImporter,
    "releases": ReleaseImporter,
    "incidents": IncidentImporter,
}


def import_file(kind: str, path: Path, **options: Any) -> ImportReport:
    """Import a mine action file (``kind`` is hazards, releases or incidents); see ``core.imports.run_import``."""
    importer = IMPORTERS[kind]()
    report = run_import(importer, path, **options)
    return report
