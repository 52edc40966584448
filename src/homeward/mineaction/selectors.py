"""Reads of mine action data, scoped to the user's districts and, for partners, their agency's sharing.

Mine action data holds no personal data (casualties are counted, never named), so reads are
not audited; exports are (see ``exporting``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import shapely
from django.db.models import Q, QuerySet
from django.http import Http404
from shapely.geometry.base import BaseGeometry

from homeward.accounts.choices import MineActionSharing
from homeward.accounts.selectors import mine_action_sharing_of
from homeward.core.permissions import Action, may
from homeward.core.permissions import in_district_scope as _in_districts
from homeward.mineaction.choices import OPEN_STATUSES
from homeward.mineaction.models import (
    HazardousArea,
    HazardousAreaState,
    Incident,
    InputsVersion,
    LandReleaseActivity,
    MonthlyFigures,
    PlaceFigures,
)

_SEES_AREAS = frozenset({MineActionSharing.AREAS, MineActionSharing.EVERYTHING})


def sees_figures(user: Any) -> bool:
    return may(user, Action.VIEW, HazardousArea) and mine_action_sharing_of(user) != MineActionSharing.NOTHING


def sees_areas(user: Any) -> bool:
    return may(user, Action.VIEW, HazardousArea) and mine_action_sharing_of(user) in _SEES_AREAS


def sees_everything(user: Any) -> bool:
    return may(user, Action.VIEW, HazardousArea) and mine_action_sharing_of(user) == MineActionSharing.EVERYTHING


def hazards_visible_to(user: Any) -> QuerySet[HazardousArea]:
    if not sees_areas(user):
        return HazardousArea.objects.none()
    return _in_districts(user, HazardousArea.objects.select_related("place", "district"))


def activities_visible_to(user: Any) -> QuerySet[LandReleaseActivity]:
    if not sees_everything(user):
        return LandReleaseActivity.objects.none()
    activities = LandReleaseActivity.objects.select_related("hazardous_area", "hazardous_area__place")
    return _in_districts(user, activities, "hazardous_area__district")


def incidents_visible_to(user: Any) -> QuerySet[Incident]:
    if not sees_everything(user):
        return Incident.objects.none()
    return _in_districts(user, Incident.objects.select_related("place", "district"))


def get_hazard_for_user(user: Any, hazard_id: uuid.UUID | str) -> HazardousArea:
    hazard = hazards_visible_to(user).filter(Q(pk=_uuid(hazard_id)) | Q(external_id=str(hazard_id))).first()
    if hazard is None:
        raise Http404
    return hazard


def get_incident_for_user(user: Any, incident_id: uuid.UUID | str) -> Incident:
    incident = incidents_visible_to(user).filter(Q(pk=_uuid(incident_id)) | Q(external_id=str(incident_id))).first()
    if incident is None:
        raise Http404
    return incident


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def hazard_history(hazard: HazardousArea) -> QuerySet[HazardousAreaState]:
    return hazard.states.select_related("activity").order_by("valid_from", "id")


def hazard_state_at(hazard: HazardousArea, when: dt.datetime) -> HazardousAreaState | None:
    """The state ``hazard`` was in at ``when`` (None before it was first recorded)."""
    return hazard.states.filter(valid_from__lte=when).order_by("-valid_from", "-id").first()


def figures_for(user: Any, place_ids: list[Any]) -> dict[Any, PlaceFigures]:
    """Stored figures of the given places (nothing for a user who may not see figures)."""
    if not sees_figures(user):
        return {}
    return {f.place_id: f for f in PlaceFigures.objects.filter(place__in=place_ids)}


def monthly_for(user: Any, place_id: Any) -> list[MonthlyFigures]:
    if not sees_figures(user):
        return []
    return list(MonthlyFigures.objects.filter(place=place_id).order_by("month"))


def inputs_version() -> int:
    return InputsVersion.current()


def count_open_hazards(user: Any) -> int:
    return hazards_visible_to(user).filter(status__in=list(OPEN_STATUSES)).count()


def count_incidents(user: Any) -> int:
    return incidents_visible_to(user).count()


def figures_by_code(user: Any, place_code: str) -> dict[str, Any] | None:
    """A place's stored figures and months, with the current inputs version to show staleness."""
    if not sees_figures(user):
        return None
    figures = PlaceFigures.objects.select_related("place").filter(place__code=place_code).first()
    if figures is None:
        return None
    return {
        **{
            f.name: getattr(figures, f.name)
            for f in PlaceFigures._meta.concrete_fields
            if f.name not in {"id", "place"}
        },
        "place": {"code": figures.place.code, "name": figures.place.name},
        "current_version": inputs_version(),
        "months": list(MonthlyFigures.objects.filter(place=figures.place).order_by("month").values()),
    }


def active_hazards_intersecting(geometries: Sequence[BaseGeometry]) -> list[str]:
    """External ids of open hazardous areas (not released, not superseded) that touch any of ``geometries``.

    Not scoped to a user: it answers a question about a site (is a project blocked?), not a read of records.
    """
    if not geometries:
        return []
    west, south, east, north = shapely.total_bounds(geometries)
    candidates = HazardousArea.objects.filter(
        status__in=list(OPEN_STATUSES), max_lon__gte=west, min_lon__lte=east, max_lat__gte=south, min_lat__lte=north
    ).values_list("external_id", "geometry")
    union = shapely.union_all(geometries)
    return sorted(
        external_id for external_id, wkb in candidates if wkb and shapely.from_wkb(bytes(wkb)).intersects(union)
    )


def hazard_table(
    bbox: tuple[float, float, float, float] | None = None,
) -> list[tuple[str, bytes, bool, float, Any, int]]:
    """Every hazardous area (whose envelope meets ``bbox``, if given) as (external id, WKB, open?,
    remaining m², district id, row version), for engines."""
    areas = HazardousArea.objects.exclude(geometry__isnull=True)
    if bbox is not None:
        west, south, east, north = bbox
        areas = areas.filter(max_lon__gte=west, min_lon__lte=east, max_lat__gte=south, min_lat__lte=north)
    rows = areas.values_list("external_id", "geometry", "status", "remaining_m2", "district_id", "row_version")
    return [
        (external_id, bytes(wkb or b""), status in OPEN_STATUSES, remaining, district, version)
        for external_id, wkb, status, remaining, district, version in rows.iterator(chunk_size=5000)
    ]


def release_rates(since: dt.date, until: dt.date) -> dict[Any, float]:
    """Land released per day in each district between two dates (m²/day): the pace a forecast assumes."""
    from django.db.models import F, Sum

    days = max((until - since).days, 1)
    rows = (
        LandReleaseActivity.objects.filter(completed_on__gte=since, completed_on__lte=until)
        .values("hazardous_area__district")
        .annotate(total=Sum(F("area_cancelled_m2") + F("area_reduced_m2") + F("area_cleared_m2")))
    )
    return {row["hazardous_area__district"]: float(row["total"] or 0) / days for row in rows}


def hazard_shapes_then_and_now(hazard_ids: Sequence[Any]) -> list[BaseGeometry]:
    """The current polygon of each area and the one it had before its latest change (for change impact)."""
    shapes: list[BaseGeometry] = []
    areas = HazardousArea.objects.filter(pk__in=list(hazard_ids)).exclude(geometry__isnull=True)
    for area in areas.only("id", "geometry"):
        if area.shape is not None:
            shapes.append(area.shape)
    previous = (
        HazardousAreaState.objects.filter(area__in=list(hazard_ids), valid_to__isnull=False)
        .order_by("area_id", "-valid_from")
        .values_list("area_id", "geometry")
    )
    seen: set[Any] = set()
    for area_id, wkb in previous:
        if area_id not in seen and wkb:
            seen.add(area_id)
            shapes.append(shapely.from_wkb(bytes(wkb)))
    return shapes
