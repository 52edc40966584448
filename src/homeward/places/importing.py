"""How rows of a gazetteer file become places: code, level, parent, point or polygon, names.

Names come from ``name_<language>`` (official), ``former_name_<language>``,
``colloquial_name_<language>`` and ``variant_name_<language>`` columns; several names in one
cell are separated by ``;``.
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
from homeward.places import services
from homeward.places.choices import NameKind, NameLanguage, PlaceLevel
from homeward.places.selectors import gazetteer_bounds

KIND_PREFIXES = {
    "name": NameKind.OFFICIAL,
    "former_name": NameKind.FORMER,
    "colloquial_name": NameKind.COLLOQUIAL,
    "variant_name": NameKind.VARIANT,
}


class PlaceImporter:
    kind = "places"
    geometry_required = False

    def __init__(self) -> None:
        extent = gazetteer_bounds()
        self.policy: ValidationPolicy | None = ValidationPolicy(
            bounds=Bounds(*extent) if extent is not None else None,
            allowed_types=frozenset({"Point", "Polygon", "MultiPolygon"}),
        )
        self.seen: dict[str, int] = {}

    def check_fields(self, fields: Sequence[str]) -> None:
        columns = Columns(dict.fromkeys(fields))
        for required in ("code", "level"):
            if not columns.has(required):
                raise ImportFileError(_("The file has no %(column)s column.") % {"column": required})

    def parse(self, feature: SourceFeature, geometry: BaseGeometry | None) -> services.PlaceInput:
        columns = Columns(feature.properties)
        code = columns.text("code", required=True, max_length=40)
        if code in self.seen:
            raise RowError(
                "code", _("%(code)s appears twice (also feature %(other)d)") % {"code": code, "other": self.seen[code]}
            )
        self.seen[code] = feature.number
        level = columns.choice("level", PlaceLevel, required=True)
        if level != PlaceLevel.COUNTRY and not columns.text("parent", ("parent_code",)):
            raise RowError("parent", _("is required for a %(level)s") % {"level": level})
        names: list[services.NameInput] = []
        for prefix, kind in KIND_PREFIXES.items():
            for language in NameLanguage.values:
                cell = columns.text(f"{prefix}_{language}", max_length=1000)
                names.extend(services.NameInput(t.strip(), language, kind) for t in cell.split(";") if t.strip())
        name = columns.text("name", max_length=200) or (names[0].text if names else "")
        if not name:
            raise RowError("name", _("is required (a name column or a name_<language> column)"))
        return services.PlaceInput(
            code=code,
            name=name,
            level=level,
            parent_code=columns.text("parent", ("parent_code",), max_length=40),
            geometry=geometry,
            population_pre_conflict=columns.whole("population_pre_conflict", ("population",)),
            households_pre_conflict=columns.whole("households_pre_conflict", ("households",)),
            names=tuple(names),
            feature=feature.number,
        )

    def write(self, rows: list[services.PlaceInput]) -> WriteResult:
        return services.import_places(rows)

    def finish(self, report: ImportReport) -> None:
        services.record_import_audit(self.kind, report.sha256, report.created, report.updated)


def import_file(path: Path, **options: Any) -> ImportReport:
    """Import a gazetteer file; see ``core.imports.run_import`` for the options."""
    return run_import(PlaceImporter(), path, **options)
