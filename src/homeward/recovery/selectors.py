"""Reads of recovery data, scoped to the user's districts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from homeward.core.permissions import Action, in_district_scope, may
from homeward.recovery.choices import ACTIVE_PROJECT_STATUSES
from homeward.recovery.models import HousingObservation, InputsVersion, Project, ProjectRestores, ServiceObservation


def _in_districts(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if not may(user, Action.VIEW, queryset.model):
        return queryset.none()
    return in_district_scope(user, queryset)


def projects_visible_to(user: Any) -> QuerySet[Project]:
    return _in_districts(user, Project.objects.select_related("implementing_agency", "district"))


def get_project_for_user(user: Any, project_id: uuid.UUID | str) -> Project:
    try:
        key = Q(pk=uuid.UUID(str(project_id)))
    except ValueError:
        key = Q(external_id=str(project_id))
    project = projects_visible_to(user).filter(key).first()
    if project is None:
        raise Http404
    return project


def service_history(user: Any, settlement_id: Any) -> QuerySet[ServiceObservation]:
    return _in_districts(user, ServiceObservation.objects.filter(settlement=settlement_id)).order_by(
        "kind", "-observed_on", "-created_at"
    )


def housing_history(user: Any, settlement_id: Any) -> QuerySet[HousingObservation]:
    return _in_districts(user, HousingObservation.objects.filter(settlement=settlement_id)).order_by(
        "-observed_on", "-created_at"
    )


def latest_services(settlement_ids: Sequence[Any] | None = None) -> dict[tuple[Any, str], ServiceObservation]:
    """The current observation per (settlement, service): the latest by date, then by entry time."""
    observations = ServiceObservation.objects.order_by("settlement_id", "kind", "observed_on", "created_at")
    if settlement_ids is not None:
        observations = observations.filter(settlement__in=list(settlement_ids))
    latest: dict[tuple[Any, str], ServiceObservation] = {}
    for observation in observations.iterator(chunk_size=5000):
        latest[(observation.settlement_id, observation.kind)] = observation
    return latest


def latest_housing(settlement_ids: Sequence[Any] | None = None) -> dict[Any, HousingObservation]:
    observations = HousingObservation.objects.order_by("settlement_id", "observed_on", "created_at")
    if settlement_ids is not None:
        observations = observations.filter(settlement__in=list(settlement_ids))
    return {o.settlement_id: o for o in observations.iterator(chunk_size=5000)}


def active_projects(settlement_ids: Sequence[Any] | None = None) -> QuerySet[Project]:
    """Projects whose planned end still counts for a forecast (restoring something in ``settlement_ids``,
    if given), with what they restore."""
    projects = Project.objects.filter(status__in=list(ACTIVE_PROJECT_STATUSES))
    if settlement_ids is not None:
        projects = projects.filter(restores__settlement__in=list(settlement_ids)).distinct()
    return projects.prefetch_related("restores")


def agency_delays() -> dict[Any, float]:
    """Mean days completed projects of each agency ended after their planned end (negative: early)."""
    totals: dict[Any, list[int]] = {}
    for agency, planned, actual in Project.objects.filter(actual_end__isnull=False).values_list(
        "implementing_agency_id", "planned_end", "actual_end"
    ):
        if actual is not None:
            totals.setdefault(agency, []).append((actual - planned).days)
    return {agency: sum(days) / len(days) for agency, days in totals.items()}


def inputs_version() -> int:
    return InputsVersion.current()


def count_projects(user: Any) -> int:
    return projects_visible_to(user).filter(status__in=list(ACTIVE_PROJECT_STATUSES)).count()


def settlements_restored_by_projects_sited_in(bbox: tuple[float, float, float, float]) -> list[Any]:
    """Ids of settlements that active projects whose site's envelope meets ``bbox`` restore something in."""
    west, south, east, north = bbox
    projects = Project.objects.filter(
        status__in=list(ACTIVE_PROJECT_STATUSES),
        max_lon__gte=west,
        min_lon__lte=east,
        max_lat__gte=south,
        min_lat__lte=north,
    )
    return sorted({pk for pk in projects.values_list("restores__settlement", flat=True) if pk is not None}, key=str)


@dataclass(frozen=True)
class ProjectRow:
    external_id: str
    agency_id: Any
    planned_end: Any
    status: str
    row_version: int
    site: bytes | None
    restores: tuple[tuple[Any, str, int], ...]


def forecast_projects(settlement_ids: Sequence[Any] | None = None) -> list[ProjectRow]:
    """Active projects as plain rows (with what they restore: settlement id, kind, units), for engines.

    With ``settlement_ids``, only the projects restoring something in one of them.
    """
    projects = Project.objects.filter(status__in=list(ACTIVE_PROJECT_STATUSES))
    restores = ProjectRestores.objects.filter(project__status__in=list(ACTIVE_PROJECT_STATUSES))
    if settlement_ids is not None:
        wanted = list(settlement_ids)
        chosen = set(restores.filter(settlement__in=wanted).values_list("project_id", flat=True))
        projects = projects.filter(pk__in=chosen)
        restores = restores.filter(project__in=chosen)
    by_project: dict[Any, list[tuple[Any, str, int]]] = {}
    for project_id, settlement_id, kind, units in restores.values_list("project_id", "settlement_id", "kind", "units"):
        by_project.setdefault(project_id, []).append((settlement_id, kind, units))
    rows = projects.order_by("external_id").values_list(
        "id", "external_id", "implementing_agency_id", "planned_end", "status", "row_version", "geometry"
    )
    return [
        ProjectRow(
            external_id, agency, end, status, version, bytes(site) if site else None, tuple(by_project.get(pk, ()))
        )
        for pk, external_id, agency, end, status, version, site in rows.iterator(chunk_size=5000)
    ]


def service_rows(
    settlement_ids: Sequence[Any] | None = None, kinds: Sequence[str] | None = None
) -> list[tuple[Any, Any, str, str, float | None, Any]]:
    """Every service observation (of ``settlement_ids`` and ``kinds``, if given) as (id, settlement id, kind,
    status, capacity, date), oldest first, for engines (which take the latest per settlement and kind)."""
    observations = ServiceObservation.objects.order_by("observed_on", "created_at")
    if settlement_ids is not None:
        observations = observations.filter(settlement__in=list(settlement_ids))
    if kinds is not None:
        observations = observations.filter(kind__in=list(kinds))
    return list(
        observations.values_list("id", "settlement_id", "kind", "status", "capacity", "observed_on").iterator(
            chunk_size=5000
        )
    )


def housing_rows(settlement_ids: Sequence[Any] | None = None) -> list[tuple[Any, Any, int, int, int]]:
    """The latest housing observation of each settlement as (id, settlement id, total, damaged, habitable)."""
    observations = HousingObservation.objects.order_by("settlement_id", "observed_on", "created_at")
    if settlement_ids is not None:
        observations = observations.filter(settlement__in=list(settlement_ids))
    latest: dict[Any, tuple[Any, Any, int, int, int]] = {}
    for row in observations.values_list("id", "settlement_id", "units_total", "units_damaged", "units_habitable"):
        latest[row[1]] = row
    return list(latest.values())
