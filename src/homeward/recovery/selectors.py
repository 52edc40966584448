"""Reads of recovery data, scoped to the user's districts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from homeward.core.permissions import Action, may
from homeward.recovery.choices import ACTIVE_PROJECT_STATUSES
from homeward.recovery.models import HousingObservation, InputsVersion, Project, ServiceObservation


def _in_districts(user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if not may(user, Action.VIEW, queryset.model):
        return queryset.none()
    if user.all_districts:
        return queryset
    return queryset.filter(Q(district__in=user.district_ids) | Q(district__isnull=True))


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


def active_projects() -> QuerySet[Project]:
    """Projects whose planned end still counts for a forecast, with what they restore."""
    return Project.objects.filter(status__in=list(ACTIVE_PROJECT_STATUSES)).prefetch_related("restores")


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
    return InputsVersion.objects.filter(id=1).values_list("version", flat=True).first() or 0


def count_projects(user: Any) -> int:
    return projects_visible_to(user).filter(status__in=list(ACTIVE_PROJECT_STATUSES)).count()
