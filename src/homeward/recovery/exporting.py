"""Exports of reconstruction projects: a 3W/4W table with HXL hashtags, and IATI activity XML.

Every export goes through the user's visibility (selectors) and is audited, as in mine action.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

import shapely
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from homeward.core import audit
from homeward.core.audit import AuditAction
from homeward.core.permissions import Action, require
from homeward.interchange import ExportFormat, FieldSpec, write_features
from homeward.places import selectors as places
from homeward.recovery import selectors
from homeward.recovery.iati import DAC_SECTORS, IatiError, ReportingOrg, projects_to_iati
from homeward.recovery.models import Project

Row = tuple[Mapping[str, object], BaseGeometry | None]

XML = "xml"
TABULAR_FORMATS = frozenset({ExportFormat.CSV, ExportFormat.CSV_HXL, ExportFormat.XLSX})


class ExportKind(StrEnum):
    PROJECTS_3W = "projects-3w"
    PROJECTS_IATI = "projects-iati"


class ExportError(Exception):
    pass


# Who does what, where, when: one row per project and settlement. The budget, spending and progress
# are the whole project's, repeated on each of its rows (sum them per project, not per row).
THREE_W_FIELDS = [
    FieldSpec("project_id", "str", "#activity+code"),
    FieldSpec("org_name", "str", "#org+impl+name"),
    FieldSpec("org_type", "str", "#org+impl+type"),
    FieldSpec("funder", "str", "#org+funder+name"),
    FieldSpec("sector", "str", "#sector"),
    FieldSpec("sector_dac", "str", "#sector+code+dac"),
    FieldSpec("activity", "str", "#activity+name"),
    FieldSpec("admin1", "str", "#adm1+name"),
    FieldSpec("admin1_code", "str", "#adm1+code"),
    FieldSpec("admin2", "str", "#adm2+name"),
    FieldSpec("admin2_code", "str", "#adm2+code"),
    FieldSpec("settlement", "str", "#loc+name"),
    FieldSpec("settlement_code", "str", "#loc+code"),
    FieldSpec("latitude", "float", "#geo+lat"),
    FieldSpec("longitude", "float", "#geo+lon"),
    FieldSpec("status", "str", "#status"),
    FieldSpec("planned_start", "date", "#date+start+planned"),
    FieldSpec("planned_end", "date", "#date+end+planned"),
    FieldSpec("actual_start", "date", "#date+start+actual"),
    FieldSpec("actual_end", "date", "#date+end+actual"),
    FieldSpec("budget", "float", "#value+budget"),
    FieldSpec("spent", "float", "#value+spent"),
    FieldSpec("currency", "str", "#currency"),
    FieldSpec("progress_pct", "int", "#indicator+progress+pct"),
    FieldSpec("blocked_by_hazards", "str", "#meta+blocked"),
    FieldSpec("synthetic", "bool", "#meta+synthetic"),
]


def _projects(user: Any, *, with_restores: bool = False) -> QuerySet[Project]:
    projects = selectors.projects_visible_to(user).prefetch_related("settlements__district__parent")
    if with_restores:
        projects = projects.prefetch_related("restores__settlement")
    return projects.order_by("external_id")


def _admin_areas(settlement: Any) -> dict[str, object]:
    district = settlement.district if settlement is not None else None
    # The district's parent is an admin1 unit unless it is the gazetteer's root (the country).
    parent = district.parent if district is not None else None
    admin1 = parent if parent is not None and parent.parent_id is not None else None
    return {
        "admin1": admin1.name if admin1 else None,
        "admin1_code": admin1.code if admin1 else None,
        "admin2": district.name if district else None,
        "admin2_code": district.code if district else None,
        "settlement": settlement.name if settlement else None,
        "settlement_code": settlement.code if settlement else None,
        "latitude": settlement.latitude if settlement else None,
        "longitude": settlement.longitude if settlement else None,
    }


def _three_w_rows(user: Any) -> Iterator[Row]:
    for project in _projects(user):
        agency = project.implementing_agency
        common = {
            "project_id": project.external_id,
            "org_name": agency.name if agency else None,
            "org_type": agency.kind if agency else None,
            "funder": project.funder or None,
            "sector": project.sector,
            "sector_dac": DAC_SECTORS.get(project.sector),
            "activity": project.title,
            "status": project.status,
            "planned_start": project.planned_start,
            "planned_end": project.planned_end,
            "actual_start": project.actual_start,
            "actual_end": project.actual_end,
            "budget": project.budget,
            "spent": project.spent,
            "currency": project.currency,
            "progress_pct": project.progress,
            "blocked_by_hazards": ";".join(project.blocked_by_hazards) or None,
            "synthetic": project.is_synthetic,
        }
        settlements: list[Any] = sorted(project.settlements.all(), key=lambda place: place.code)
        # A project recorded without settlements still does something somewhere: one row, place unknown.
        for settlement in settlements or [None]:
            point = None
            if settlement is not None and settlement.latitude is not None and settlement.longitude is not None:
                point = shapely.Point(settlement.longitude, settlement.latitude)
            yield {**common, **_admin_areas(settlement)}, point


def configured_reporting_org() -> ReportingOrg:
    """The deployment's IATI publisher, from ``HOMEWARD_IATI_REPORTING_ORG`` ({"ref", "name", "kind"})."""
    configured = getattr(settings, "HOMEWARD_IATI_REPORTING_ORG", None)
    if not configured:
        raise ExportError(
            _(
                "IATI needs the publishing organisation: set HOMEWARD_IATI_REPORTING_ORG (its IATI identifier, name and kind)"
            )
        )
    if isinstance(configured, ReportingOrg):
        return configured
    try:
        return ReportingOrg(ref=configured["ref"], name=configured["name"], kind=configured.get("kind", ""))
    except (KeyError, TypeError) as error:
        raise ExportError(_("HOMEWARD_IATI_REPORTING_ORG needs a ref and a name")) from error
    except IatiError as error:
        raise ExportError(str(error)) from error


def _write_iati(path: Path, user: Any, reporting_org: ReportingOrg | None) -> int:
    publisher = reporting_org or configured_reporting_org()
    country = places.region_place()
    if country is None:
        raise ExportError(_("IATI needs the recipient country: the gazetteer has no country"))
    order = [code for code in settings.HOMEWARD_PLACE_NAME_ORDER if code != "other"]
    projects = list(_projects(user, with_restores=True))
    try:
        document = projects_to_iati(
            projects,
            reporting_org=publisher,
            generated_at=timezone.now(),
            recipient_country=country.code,
            language=settings.LANGUAGE_CODE,
            # Place names are stored in the deployment's first place-name language.
            place_name_language=order[0] if order else None,
        )
    except IatiError as error:
        raise ExportError(str(error)) from error
    _write_atomically(Path(path), document)
    return len(projects)


def _write_atomically(path: Path, content: bytes) -> None:
    """Write beside the target and move into place, so a failed export leaves no partial file."""
    try:
        handle, staged = tempfile.mkstemp(dir=path.parent, prefix=".homeward-export-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
            os.replace(staged, path)
        except BaseException:
            Path(staged).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise ExportError(
            _("cannot write %(name)s: %(reason)s") % {"name": path.name, "reason": error.strerror or error}
        ) from error


def export(kind: str, fmt: str, path: Path, *, user: Any, reporting_org: ReportingOrg | None = None) -> int:
    """Write ``kind`` in format ``fmt`` to ``path``, as ``user`` may see it; audit it; return the count.

    ``projects-3w`` goes to any interchange format (one row per project and settlement, the
    settlement's point as geometry in GIS formats); ``projects-iati`` only to ``xml``, published as
    ``reporting_org`` or else the configured ``HOMEWARD_IATI_REPORTING_ORG``; it counts activities.
    """
    require(user, Action.EXPORT, Project)
    try:
        export_kind = ExportKind(kind)
    except ValueError as error:
        raise ExportError(
            _("%(kind)r is not a recovery export: choose %(allowed)s")
            % {"kind": kind, "allowed": ", ".join(k.value for k in ExportKind)}
        ) from error
    if export_kind is ExportKind.PROJECTS_IATI:
        if fmt != XML:
            raise ExportError(
                _("%(kind)s is written only as xml, not %(fmt)r") % {"kind": export_kind.value, "fmt": fmt}
            )
        format_name = XML
        count = _write_iati(path, user, reporting_org)
    else:
        try:
            export_format = ExportFormat(fmt)
        except ValueError as error:
            raise ExportError(
                _("%(fmt)r is not an export format: choose %(allowed)s")
                % {"fmt": fmt, "allowed": ", ".join(f.value for f in ExportFormat)}
            ) from error
        format_name = export_format.value
        count = write_features(
            path,
            export_format,
            THREE_W_FIELDS,
            _three_w_rows(user),
            layer="projects_3w",
            with_geometry=export_format not in TABULAR_FORMATS,
        )
    audit.record(
        AuditAction.EXPORT,
        object_type="recovery." + export_kind.value,
        object_label=export_kind.value,
        changes={"format": format_name, "rows": count},
        actor=user,
    )
    return count
