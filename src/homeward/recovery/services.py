"""Every write of recovery data: service and housing observations, projects, their completion.

Each function runs in one transaction, validates what it is given (naming the field at fault),
bumps the recovery inputs version and, once committed, asks for the readiness of the settlements
it touched to be recomputed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pycountry
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from homeward.mineaction import selectors as mine_action
from homeward.places import selectors as places
from homeward.recovery.choices import HOUSING, ProjectStatus, RestoreKind, ServiceKind, ServiceStatus
from homeward.recovery.models import (
    HousingObservation,
    InputsVersion,
    Milestone,
    Project,
    ProjectRestores,
    ServiceObservation,
)


class RecoveryError(Exception):
    """A write the domain's rules refuse; names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class RestoreInput:
    settlement_code: str
    kind: str
    units: int = 0


@dataclass(frozen=True)
class MilestoneInput:
    title: str
    planned_on: dt.date
    done_on: dt.date | None = None


@dataclass(frozen=True)
class ProjectInput:
    external_id: str
    title: str
    sector: str
    currency: str
    budget: Decimal
    planned_start: dt.date
    planned_end: dt.date
    implementing_agency_id: Any = None
    funder: str = ""
    spent: Decimal = Decimal(0)
    actual_start: dt.date | None = None
    actual_end: dt.date | None = None
    progress: int = 0
    status: str = ProjectStatus.PLANNED
    settlement_codes: tuple[str, ...] = ()
    geometry: BaseGeometry | None = None
    restores: tuple[RestoreInput, ...] = ()
    milestones: tuple[MilestoneInput, ...] = field(default_factory=tuple)
    is_synthetic: bool = False


def bump_inputs_version(settlement_ids: Iterable[Any]) -> None:
    """Mark readiness inputs changed and recompute the given settlements' readiness after commit."""
    InputsVersion.bump()
    ids = sorted({str(s) for s in settlement_ids if s is not None})

    def enqueue() -> None:
        from homeward.returns.tasks import recompute_readiness

        recompute_readiness.enqueue(ids)

    transaction.on_commit(enqueue)


def _settlement(code: str, field_name: str = "settlement") -> Any:
    place = places.settlement_by_code(code)
    if place is None:
        raise RecoveryError(field_name, _("no settlement has the code %(code)s") % {"code": code})
    return place


def _not_in_future(day: dt.date | None, field_name: str) -> None:
    if day is not None and day > timezone.localdate():
        raise RecoveryError(field_name, _("is in the future"))


def record_service(
    settlement_code: str,
    kind: str,
    status: str,
    *,
    observed_on: dt.date,
    capacity: float | None = None,
    capacity_unit: str = "",
    source: str = "",
    project: Project | None = None,
) -> ServiceObservation:
    """Record what is known of one service of a settlement on a date (a new observation; history kept)."""
    if kind not in ServiceKind.values:
        raise RecoveryError("kind", _("is not one of %(allowed)s") % {"allowed": ", ".join(ServiceKind.values)})
    if status not in ServiceStatus.values:
        raise RecoveryError("status", _("is not one of %(allowed)s") % {"allowed": ", ".join(ServiceStatus.values)})
    if capacity is not None and capacity < 0:
        raise RecoveryError("capacity", _("must not be negative"))
    _not_in_future(observed_on, "observed_on")
    with transaction.atomic():
        settlement = _settlement(settlement_code)
        observation = ServiceObservation(
            settlement=settlement,
            district_id=settlement.district_id,
            kind=kind,
            status=status,
            capacity=capacity,
            capacity_unit=capacity_unit,
            observed_on=observed_on,
            source=source,
            project=project,
        )
        observation.save()
        bump_inputs_version([settlement.pk])
        return observation


def record_housing(
    settlement_code: str,
    *,
    units_total: int,
    units_damaged: int,
    units_habitable: int,
    observed_on: dt.date,
    source: str = "",
    project: Project | None = None,
) -> HousingObservation:
    """Record a settlement's housing units on a date; habitable and damaged units cannot exceed the total."""
    for name, value in (
        ("units_total", units_total),
        ("units_damaged", units_damaged),
        ("units_habitable", units_habitable),
    ):
        if value < 0:
            raise RecoveryError(name, _("must not be negative"))
    if units_habitable > units_total:
        raise RecoveryError("units_habitable", _("exceeds the %(total)d units in total") % {"total": units_total})
    if units_damaged > units_total:
        raise RecoveryError("units_damaged", _("exceeds the %(total)d units in total") % {"total": units_total})
    _not_in_future(observed_on, "observed_on")
    with transaction.atomic():
        settlement = _settlement(settlement_code)
        observation = HousingObservation(
            settlement=settlement,
            district_id=settlement.district_id,
            units_total=units_total,
            units_damaged=units_damaged,
            units_habitable=units_habitable,
            observed_on=observed_on,
            source=source,
            project=project,
        )
        observation.save()
        bump_inputs_version([settlement.pk])
        return observation


def check_currency(code: str) -> str:
    """The ISO 4217 code, upper-cased; raise naming the field if it is not one."""
    normalised = (code or "").strip().upper()
    if len(normalised) != 3 or pycountry.currencies.get(alpha_3=normalised) is None:
        raise RecoveryError("currency", _("%(code)s is not an ISO 4217 currency code") % {"code": code})
    return normalised


def _check_project(data: ProjectInput) -> None:
    if not data.external_id.strip():
        raise RecoveryError("external_id", _("is required"))
    if not data.title.strip():
        raise RecoveryError("title", _("is required"))
    if data.planned_end < data.planned_start:
        raise RecoveryError("planned_end", _("is before the planned start %(date)s") % {"date": data.planned_start})
    if data.actual_start and data.actual_end and data.actual_end < data.actual_start:
        raise RecoveryError("actual_end", _("is before the actual start %(date)s") % {"date": data.actual_start})
    _not_in_future(data.actual_start, "actual_start")
    _not_in_future(data.actual_end, "actual_end")
    if data.budget < 0:
        raise RecoveryError("budget", _("must not be negative"))
    if data.spent < 0:
        raise RecoveryError("spent", _("must not be negative"))
    if not 0 <= data.progress <= 100:
        raise RecoveryError("progress", _("must be between 0 and 100"))
    for restore in data.restores:
        if restore.kind not in RestoreKind.values:
            raise RecoveryError("restores", _("cannot restore %(kind)s") % {"kind": restore.kind})
        if restore.kind == HOUSING and restore.units <= 0:
            raise RecoveryError("restores", _("a housing project must say how many units it makes habitable"))


def blocking_hazards(project: Project) -> list[str]:
    """External ids of active hazardous areas the project's site (or its settlements' points) intersects."""
    site = project.shape
    if site is not None:
        return mine_action.active_hazards_intersecting([site])
    points = places.settlement_points([s.pk for s in project.settlements.all()])
    return mine_action.active_hazards_intersecting(points) if points else []


def save_project(data: ProjectInput, *, seen_version: int | None = None) -> Project:
    """Create or update a project by external id, with what it restores and its milestones.

    A project whose site intersects an active hazardous area is flagged blocked by it, naming the area.
    """
    _check_project(data)
    currency = check_currency(data.currency)
    with transaction.atomic():
        settlements = [_settlement(code, "settlements") for code in data.settlement_codes]
        restored = [(_settlement(r.settlement_code, "restores"), r) for r in data.restores]
        project = Project.objects.filter(external_id=data.external_id).first() or Project(external_id=data.external_id)
        if seen_version is not None and not project._state.adding:
            project.row_version = seen_version
        for name in (
            "title",
            "sector",
            "funder",
            "budget",
            "spent",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "progress",
            "status",
            "is_synthetic",
        ):
            setattr(project, name, getattr(data, name))
        project.currency = currency
        project.implementing_agency_id = data.implementing_agency_id
        project.set_shape(data.geometry)
        districts = {s.district_id for s in settlements} | {s.district_id for s, _ in restored}
        project.district_id = next(iter(districts)) if len(districts) == 1 else None
        project.save()
        project.settlements.set(settlements)
        project.restores.all().delete()
        ProjectRestores.objects.bulk_create(
            ProjectRestores(project=project, settlement=s, kind=r.kind, units=r.units) for s, r in restored
        )
        project.milestones.all().delete()
        Milestone.objects.bulk_create(
            Milestone(project=project, title=m.title, planned_on=m.planned_on, done_on=m.done_on)
            for m in data.milestones
        )
        project.blocked_by_hazards = blocking_hazards(project)
        project.save(update_fields=["blocked_by_hazards"])
        bump_inputs_version([s.pk for s in settlements] + [s.pk for s, _ in restored])
        return project


def complete_project(project: Project, *, actual_end: dt.date, seen_version: int | None = None) -> Project:
    """Mark a project complete; what it restores becomes working (a service) or habitable (housing)."""
    _not_in_future(actual_end, "actual_end")
    start = project.actual_start or project.planned_start
    if actual_end < start:
        raise RecoveryError("actual_end", _("is before the start %(date)s") % {"date": start})
    with transaction.atomic():
        if seen_version is not None:
            project.row_version = seen_version
        project.status = ProjectStatus.COMPLETED
        project.progress = 100
        project.actual_end = actual_end
        project.actual_start = project.actual_start or project.planned_start
        project.save(update_fields=["status", "progress", "actual_end", "actual_start"])
        touched = []
        for restore in project.restores.select_related("settlement"):
            touched.append(restore.settlement_id)
            if restore.kind == HOUSING:
                _add_habitable_units(restore, project, actual_end)
            else:
                ServiceObservation.objects.create(
                    settlement=restore.settlement,
                    district_id=restore.settlement.district_id,
                    kind=restore.kind,
                    status=ServiceStatus.WORKING,
                    observed_on=actual_end,
                    source=_("completion of project %(id)s") % {"id": project.external_id},
                    project=project,
                )
        bump_inputs_version(touched)
        return project


def _add_habitable_units(restore: ProjectRestores, project: Project, day: dt.date) -> None:
    latest = (
        HousingObservation.objects.filter(settlement=restore.settlement).order_by("-observed_on", "-created_at").first()
    )
    total = latest.units_total if latest else restore.units
    habitable = min(total, (latest.units_habitable if latest else 0) + restore.units)
    damaged = max(0, (latest.units_damaged if latest else 0) - restore.units)
    HousingObservation.objects.create(
        settlement=restore.settlement,
        district_id=restore.settlement.district_id,
        units_total=max(total, habitable),
        units_damaged=damaged,
        units_habitable=habitable,
        observed_on=day,
        source=_("completion of project %(id)s") % {"id": project.external_id},
        project=project,
    )


def refresh_hazard_blocks(project_ids: Sequence[Any] | None = None) -> int:
    """Re-check which projects are blocked by hazards (after hazardous areas changed); returns how many changed."""
    projects = Project.objects.prefetch_related("settlements")
    if project_ids is not None:
        projects = projects.filter(pk__in=list(project_ids))
    changed = []
    for project in projects:
        blocked = blocking_hazards(project)
        if blocked != project.blocked_by_hazards:
            project.blocked_by_hazards = blocked
            changed.append(project)
    Project.objects.bulk_update(changed, ["blocked_by_hazards"])
    return len(changed)
