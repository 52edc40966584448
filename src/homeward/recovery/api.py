"""Recovery API: service and housing observations, reconstruction projects and their completion."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from homeward.core.permissions import Action, require
from homeward.places import selectors as places
from homeward.recovery import selectors, services
from homeward.recovery.models import HousingObservation, Project, ServiceObservation

router = Router(tags=["recovery"])


class RestoreSchema(Schema):
    settlement: str
    kind: str
    units: int = 0


class MilestoneSchema(Schema):
    title: str
    planned_on: dt.date
    done_on: dt.date | None = None


class ProjectIn(Schema):
    external_id: str
    title: str
    sector: str
    currency: str
    budget: Decimal
    planned_start: dt.date
    planned_end: dt.date
    funder: str = ""
    spent: Decimal = Decimal(0)
    actual_start: dt.date | None = None
    actual_end: dt.date | None = None
    progress: int = 0
    status: str = "planned"
    settlements: list[str] = []
    restores: list[RestoreSchema] = []
    milestones: list[MilestoneSchema] = []
    row_version: int | None = None


class ProjectOut(Schema):
    id: uuid.UUID
    external_id: str
    title: str
    sector: str
    implementing_agency: str | None
    funder: str
    currency: str
    budget: Decimal
    spent: Decimal
    over_budget: bool
    planned_start: dt.date
    planned_end: dt.date
    actual_start: dt.date | None
    actual_end: dt.date | None
    progress: int
    status: str
    blocked_by_hazards: list[str]
    settlements: list[str]
    restores: list[RestoreSchema]
    milestones: list[MilestoneSchema]
    row_version: int

    @staticmethod
    def resolve_implementing_agency(project: Project) -> str | None:
        return project.implementing_agency.code if project.implementing_agency else None

    @staticmethod
    def resolve_settlements(project: Project) -> list[str]:
        return [s.code for s in project.settlements.all()]

    @staticmethod
    def resolve_restores(project: Project) -> list[RestoreSchema]:
        return [RestoreSchema(settlement=r.settlement.code, kind=r.kind, units=r.units) for r in project.restores.all()]

    @staticmethod
    def resolve_milestones(project: Project) -> list[MilestoneSchema]:
        return [
            MilestoneSchema(title=m.title, planned_on=m.planned_on, done_on=m.done_on) for m in project.milestones.all()
        ]


class ProjectFilter(Schema):
    status: str = ""
    sector: str = ""
    district: str = ""
    blocked: bool | None = None


class CompleteIn(Schema):
    actual_end: dt.date
    row_version: int | None = None


class ServiceIn(Schema):
    settlement: str
    kind: str
    status: str
    observed_on: dt.date
    capacity: float | None = None
    capacity_unit: str = ""
    source: str = ""


class ServiceOut(Schema):
    kind: str
    status: str
    capacity: float | None
    capacity_unit: str
    observed_on: dt.date
    source: str
    project: str | None

    @staticmethod
    def resolve_project(observation: ServiceObservation) -> str | None:
        return observation.project.external_id if observation.project else None


class HousingIn(Schema):
    settlement: str
    units_total: int
    units_damaged: int
    units_habitable: int
    observed_on: dt.date
    source: str = ""


class HousingOut(Schema):
    units_total: int
    units_damaged: int
    units_habitable: int
    observed_on: dt.date
    source: str


class SettlementRecoveryOut(Schema):
    settlement: str
    services: list[ServiceOut]
    housing: list[HousingOut]


def _projects(request: HttpRequest) -> Any:
    return (
        selectors.projects_visible_to(request.user)
        .select_related("implementing_agency")
        .prefetch_related("settlements", "restores__settlement", "milestones")
    )


@router.get("/recovery/projects", response=list[ProjectOut], summary="Reconstruction projects (filterable)")
@paginate
def list_projects(request: HttpRequest, filters: Query[ProjectFilter]) -> Any:
    projects = _projects(request)
    if filters.status:
        projects = projects.filter(status=filters.status)
    if filters.sector:
        projects = projects.filter(sector=filters.sector)
    if filters.district:
        projects = projects.filter(district__code=filters.district)
    if filters.blocked is True:
        projects = projects.exclude(blocked_by_hazards=[])
    elif filters.blocked is False:
        projects = projects.filter(blocked_by_hazards=[])
    return projects.order_by("planned_end", "external_id")


@router.get("/recovery/projects/{project_id}", response=ProjectOut, summary="One project (by id or external id)")
def get_project(request: HttpRequest, project_id: str) -> Project:
    return selectors.get_project_for_user(request.user, project_id)


@router.post("/recovery/projects", response=ProjectOut, summary="Create or update a project by external id")
def save_project(request: HttpRequest, payload: ProjectIn) -> Project:
    require(request.user, Action.CREATE, Project)
    data = services.ProjectInput(
        external_id=payload.external_id,
        title=payload.title,
        sector=payload.sector,
        currency=payload.currency,
        budget=payload.budget,
        planned_start=payload.planned_start,
        planned_end=payload.planned_end,
        implementing_agency_id=getattr(request.user, "agency_id", None),
        funder=payload.funder,
        spent=payload.spent,
        actual_start=payload.actual_start,
        actual_end=payload.actual_end,
        progress=payload.progress,
        status=payload.status,
        settlement_codes=tuple(payload.settlements),
        restores=tuple(services.RestoreInput(r.settlement, r.kind, r.units) for r in payload.restores),
        milestones=tuple(services.MilestoneInput(m.title, m.planned_on, m.done_on) for m in payload.milestones),
    )
    project = services.save_project(data, seen_version=payload.row_version)
    return selectors.get_project_for_user(request.user, project.pk)


@router.post("/recovery/projects/{project_id}/complete", response=ProjectOut, summary="Mark a project complete")
def complete_project(request: HttpRequest, project_id: str, payload: CompleteIn) -> Project:
    project = selectors.get_project_for_user(request.user, project_id)
    require(request.user, Action.CHANGE, project)
    services.complete_project(project, actual_end=payload.actual_end, seen_version=payload.row_version)
    return selectors.get_project_for_user(request.user, project.pk)


@router.post("/recovery/services", response=ServiceOut, summary="Record what is known of a settlement's service")
def record_service(request: HttpRequest, payload: ServiceIn) -> ServiceObservation:
    require(request.user, Action.CREATE, ServiceObservation)
    return services.record_service(
        payload.settlement,
        payload.kind,
        payload.status,
        observed_on=payload.observed_on,
        capacity=payload.capacity,
        capacity_unit=payload.capacity_unit,
        source=payload.source,
    )


@router.post("/recovery/housing", response=HousingOut, summary="Record a settlement's housing units")
def record_housing(request: HttpRequest, payload: HousingIn) -> HousingObservation:
    require(request.user, Action.CREATE, HousingObservation)
    return services.record_housing(
        payload.settlement,
        units_total=payload.units_total,
        units_damaged=payload.units_damaged,
        units_habitable=payload.units_habitable,
        observed_on=payload.observed_on,
        source=payload.source,
    )


@router.get(
    "/recovery/settlements/{code}",
    response=SettlementRecoveryOut,
    summary="A settlement's services and housing, with history",
)
def settlement_recovery(request: HttpRequest, code: str) -> dict[str, Any]:
    settlement = places.settlement_by_code(code)
    if settlement is None:
        raise Http404
    return {
        "settlement": settlement.code,
        "services": list(selectors.service_history(request.user, settlement.pk).select_related("project")),
        "housing": list(selectors.housing_history(request.user, settlement.pk)),
    }
