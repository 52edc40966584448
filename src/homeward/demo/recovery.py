"""Synthetic recovery data for the demo settlements: services, housing and reconstruction projects.

Every observation and project is marked ``is_synthetic``; projects have external ids starting
``SYN-PRJ-`` and invented implementing agencies and funders. Rows go in through the bulk path of
:mod:`homeward.demo.bulk`, with what the services would have recorded worked out in
:mod:`homeward.demo.recovery_plans`; which projects are blocked by open hazardous areas is then
worked out for all projects at once.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import shapely
from django.db import connections, models, router, transaction

from homeward.accounts.models import Agency
from homeward.accounts.services import ensure_agency
from homeward.demo.bulk import LOOKUP_CHUNK, column_converter, existing_values, gc_paused, insert_rows, record_bulk_load
from homeward.demo.hazard_plans import hazard_count
from homeward.demo.mineaction import HAZARDS_PER_SETTLEMENT
from homeward.demo.places import Gazetteer, Settlement
from homeward.demo.recovery_plans import (
    IMPLEMENTING_AGENCIES,
    PlannedHousing,
    PlannedProject,
    PlannedService,
    RecoverySite,
    SettlementPlan,
    district_levels,
    plan_recovery,
    with_neighbours,
)
from homeward.demo.region import AgencySpec
from homeward.demo.scales import Scale
from homeward.mineaction.choices import OPEN_STATUSES
from homeward.mineaction.models import HazardousArea
from homeward.places.models import Place
from homeward.recovery import services
from homeward.recovery.models import HousingObservation, Milestone, Project, ProjectRestores, ServiceObservation

Progress = Callable[[str, int, int], None]
ScaleTier = tuple[Scale, Sequence[Settlement]]

STEP = "Recovery"
BATCH = 2_000
ProjectSettlements = Project.settlements.through
SERVICE_FIELDS = (
    "id",
    "settlement_id",
    "district_id",
    "kind",
    "status",
    "capacity",
    "capacity_unit",
    "observed_on",
    "source",
    "project_id",
    "is_synthetic",
)
HOUSING_FIELDS = (
    "id",
    "settlement_id",
    "district_id",
    "units_total",
    "units_damaged",
    "units_habitable",
    "observed_on",
    "source",
    "project_id",
    "is_synthetic",
)
PROJECT_FIELDS = (
    "id",
    "external_id",
    "title",
    "sector",
    "implementing_agency_id",
    "funder",
    "currency",
    "budget",
    "spent",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "progress",
    "status",
    "district_id",
    "geometry",
    "min_lon",
    "min_lat",
    "max_lon",
    "max_lat",
    "blocked_by_hazards",
    "is_synthetic",
)
COUNTED: tuple[type[models.Model], ...] = (
    ServiceObservation,
    HousingObservation,
    Project,
    ProjectRestores,
    Milestone,
    ProjectSettlements,
)


@dataclass(frozen=True)
class RecoveryCounts:
    """How many rows of each recovery model (and implementing agencies) one run created."""

    service_observations: int = 0
    housing_observations: int = 0
    projects: int = 0
    project_restores: int = 0
    milestones: int = 0
    project_settlements: int = 0
    agencies: int = 0

    @property
    def created(self) -> int:
        return sum(getattr(self, field.name) for field in fields(self))


def _sites(gazetteer: Gazetteer, settlements: Sequence[Settlement], hazard_seed: str) -> list[RecoverySite]:
    """The settlements with their names, points and households, in the order given, with their neighbours.

    ``exposure`` is how many hazardous areas a settlement has at the largest scale: the same at
    every scale, so that its plan is too.
    """
    most = max(HAZARDS_PER_SETTLEMENT.values())
    district_codes = {district_id: code for code, district_id in gazetteer.district_ids.items()}
    ids = [settlement.id for settlement in settlements]
    found: dict[uuid.UUID, tuple[Any, ...]] = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        rows = Place.objects.filter(id__in=ids[start : start + LOOKUP_CHUNK]).values_list(
            "id", "name", "longitude", "latitude", "population_pre_conflict", "households_pre_conflict"
        )
        found.update((row[0], row[1:]) for row in rows)
    sites = []
    for settlement in settlements:
        name, lon, lat, population, households = found[settlement.id]
        population = population or settlement.population
        households = households or round(population / 4.5) or 100
        sites.append(
            RecoverySite(
                settlement=settlement,
                district_code=district_codes[settlement.district_id],
                name=name,
                longitude=lon,
                latitude=lat,
                population=population or round(households * 4.5),
                households=households,
                exposure=hazard_count(hazard_seed, settlement, most),
            )
        )
    return with_neighbours(sites)


def _ensure_agencies(specs: Sequence[AgencySpec]) -> tuple[dict[str, uuid.UUID], int]:
    """The region's implementing agencies by code, made sure to exist; and how many were created."""
    wanted = [spec for spec in specs if spec.code in IMPLEMENTING_AGENCIES]
    codes = [spec.code for spec in wanted]
    before = Agency.objects.filter(code__in=codes).count()
    ids = {spec.code: ensure_agency(code=spec.code, name=spec.name, kind=spec.kind).pk for spec in wanted}
    return ids, Agency.objects.filter(code__in=codes).count() - before


def _service_rows(observations: Sequence[PlannedService], projects: dict[str, uuid.UUID]) -> list[tuple[Any, ...]]:
    return [
        (
            row.id,
            row.settlement.id,
            row.settlement.district_id,
            row.kind,
            row.status,
            row.capacity,
            row.capacity_unit,
            row.observed_on,
            row.source,
            None if row.project is None else projects[row.project],
            True,
        )
        for row in observations
    ]


def _housing_rows(observations: Sequence[PlannedHousing], projects: dict[str, uuid.UUID]) -> list[tuple[Any, ...]]:
    return [
        (
            row.id,
            row.settlement.id,
            row.settlement.district_id,
            row.units_total,
            row.units_damaged,
            row.units_habitable,
            row.observed_on,
            row.source,
            None if row.project is None else projects[row.project],
            True,
        )
        for row in observations
    ]


@dataclass(frozen=True)
class OpenHazards:
    """The open hazardous areas' external ids, and a spatial index of their outlines in the same order."""

    names: list[str]
    tree: shapely.STRtree | None

    @classmethod
    def load(cls) -> OpenHazards:
        rows = HazardousArea.objects.filter(status__in=list(OPEN_STATUSES), geometry__isnull=False).values_list(
            "external_id", "geometry"
        )
        names: list[str] = []
        outlines: list[bytes] = []
        for external_id, wkb in rows.iterator(chunk_size=5_000):
            if wkb is not None:
                names.append(external_id)
                outlines.append(bytes(wkb))
        return cls(names, shapely.STRtree(shapely.from_wkb(outlines)) if outlines else None)

    def hits(self, geometries: Sequence[Any]) -> tuple[list[int], list[int]]:
        """``(geometry index, area index)`` for every pair that intersects."""
        if self.tree is None or not len(geometries):
            return [], []
        queried, found = self.tree.query(geometries, predicate="intersects")
        return queried.tolist(), found.tolist()


def _choose_sites(projects: Sequence[PlannedProject], hazards: OpenHazards) -> dict[str, Any]:
    """Each sited project's polygon: its first option, or for one that avoids hazards its first clear of them."""
    sited = [project for project in projects if project.site_options]
    if not sited:
        return {}
    polygons = shapely.polygons(np.array([ring for project in sited for ring in project.site_options]))
    hit = np.zeros(len(polygons), dtype=bool)
    hit[hazards.hits(polygons)[0]] = True
    chosen: dict[str, Any] = {}
    start = 0
    for project in sited:
        count = len(project.site_options)
        clear = np.flatnonzero(~hit[start : start + count]) if project.avoids_hazards else np.empty(0, dtype=int)
        chosen[project.external_id] = polygons[start + (int(clear[0]) if clear.size else 0)]
        start += count
    return chosen


def _write_projects(projects: Sequence[PlannedProject], agencies: dict[str, uuid.UUID], hazards: OpenHazards) -> None:
    """Insert ``projects`` with what they restore, their milestones and their settlements."""
    sites = _choose_sites(projects, hazards)
    polygons = list(sites.values())
    shapes = {
        external_id: (bytes(wkb), *map(float, bounds))
        for external_id, wkb, bounds in zip(sites, shapely.to_wkb(polygons), shapely.bounds(polygons), strict=True)
    }
    rows = [
        (
            project.id,
            project.external_id,
            project.title,
            project.sector,
            agencies.get(project.agency),
            project.funder,
            project.currency,
            project.budget,
            project.spent,
            project.planned_start,
            project.planned_end,
            project.actual_start,
            project.actual_end,
            project.progress,
            project.status,
            project.district_id,
            *shapes.get(project.external_id, (None, None, None, None, None)),
            [],
            True,
        )
        for project in projects
    ]
    insert_rows(Project, PROJECT_FIELDS, rows)
    # These tables have auto-numbered keys, which only bulk_create leaves to the database.
    ProjectRestores.objects.bulk_create(
        (
            ProjectRestores(
                project_id=project.id, settlement_id=restore.settlement.id, kind=restore.kind, units=restore.units
            )
            for project in projects
            for restore in project.restores
        ),
        batch_size=BATCH,
    )
    Milestone.objects.bulk_create(
        (
            Milestone(project_id=project.id, title=title, planned_on=planned_on, done_on=done_on)
            for project in projects
            for title, planned_on, done_on in project.milestones
        ),
        batch_size=BATCH,
    )
    ProjectSettlements.objects.bulk_create(
        (
            ProjectSettlements(project_id=project.id, place_id=settlement.id)
            for project in projects
            for settlement in project.settlements
        ),
        batch_size=BATCH,
    )


def _write(plans: Sequence[SettlementPlan], agencies: dict[str, uuid.UUID], hazards: OpenHazards) -> None:
    planned = [project for plan in plans for project in plan.projects]
    existing = existing_values(Project, "external_id", [project.external_id for project in planned])
    _write_projects([project for project in planned if project.external_id not in existing], agencies, hazards)
    project_ids = {project.external_id: project.id for project in planned}
    insert_rows(
        ServiceObservation,
        SERVICE_FIELDS,
        _service_rows([row for plan in plans for row in plan.services], project_ids),
    )
    insert_rows(
        HousingObservation,
        HOUSING_FIELDS,
        _housing_rows([row for plan in plans for row in plan.housing], project_ids),
    )


def blocked_projects(hazards: OpenHazards) -> dict[uuid.UUID, list[str]]:
    """For every project, the external ids of the open hazardous areas its site intersects.

    A project without a site is judged by its settlements' points, as
    :func:`homeward.recovery.services.blocking_hazards` does, but for all projects in one pass
    over a spatial index of the open areas.
    """
    projects = list(Project.objects.values_list("id", "geometry"))
    owners = [project_id for project_id, wkb in projects if wkb is not None]
    shapes = list(shapely.from_wkb([bytes(wkb) for _, wkb in projects if wkb is not None]))
    unsited = [project_id for project_id, wkb in projects if wkb is None]
    by_place: dict[Any, list[uuid.UUID]] = defaultdict(list)
    for start in range(0, len(unsited), LOOKUP_CHUNK):
        links = ProjectSettlements.objects.filter(project_id__in=unsited[start : start + LOOKUP_CHUNK])
        for project_id, place_id in links.values_list("project_id", "place_id"):
            by_place[place_id].append(project_id)
    located = Place.objects.filter(latitude__isnull=False, longitude__isnull=False)
    place_ids = list(by_place)
    for start in range(0, len(place_ids), LOOKUP_CHUNK):
        chunk = located.filter(id__in=place_ids[start : start + LOOKUP_CHUNK])
        for place_id, lon, lat in chunk.values_list("id", "longitude", "latitude"):
            for project_id in by_place[place_id]:
                owners.append(project_id)
                shapes.append(shapely.Point(lon, lat))
    found: dict[uuid.UUID, set[str]] = {project_id: set() for project_id, _ in projects}
    for query, hit in zip(*hazards.hits(shapes), strict=True):
        found[owners[query]].add(hazards.names[hit])
    return {project_id: sorted(areas) for project_id, areas in found.items()}


def refresh_blocks(hazards: OpenHazards) -> int:
    """Store which open hazardous areas block each project, where that changed; returns how many changed."""
    current = dict(Project.objects.values_list("id", "blocked_by_hazards"))
    changed = [(areas, key) for key, areas in blocked_projects(hazards).items() if current[key] != areas]
    if not changed:
        return 0
    connection = connections[router.db_for_write(Project)]
    field = Project._meta.get_field("blocked_by_hazards")
    key_field = Project._meta.pk
    assert key_field is not None
    quote = connection.ops.quote_name
    table, column, key_column = quote(Project._meta.db_table), quote(field.column), quote(key_field.column)
    sql = f"UPDATE {table} SET {column} = %s WHERE {key_column} = %s"  # noqa: S608 - our own quoted names
    values = [field.get_db_prep_save(areas, connection) for areas, _ in changed]
    keys = column_converter(key_field, connection)([key for _, key in changed])
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.executemany(sql, list(zip(values, keys, strict=True)))
    return len(changed)


def load_recovery(
    gazetteer: Gazetteer,
    tiers: Sequence[ScaleTier],
    seed: str,
    scale: Scale,
    progress: Progress,
    *,
    agencies: Sequence[AgencySpec],
    hazard_seed: str,
) -> RecoveryCounts:
    """Create the demo's service and housing observations and reconstruction projects that do not exist yet.

    ``tiers`` are ``(scale, its settlements)`` from the smallest scale to ``scale``; a
    settlement's plan is the same at every scale. Rows are matched by their keys and projects by
    external id, so a second run creates nothing. The rows go in one transaction with one
    ``bulk_load`` audit entry per model, and one bump of the recovery inputs version when any
    were created. ``agencies`` are the region's; those that implement projects are made sure to
    exist. ``hazard_seed`` is the mine action demo's: how many areas a settlement has there
    shapes its services. Which open hazardous areas block each project is worked out afresh on
    every run, for every project, since a larger scale adds areas.
    """
    progress(STEP, 0, 3)
    sites = _sites(gazetteer, tiers[-1][1], hazard_seed)
    plans = plan_recovery(seed, sites, district_levels(seed, list(gazetteer.district_ids)))
    progress(STEP, 1, 3)
    with gc_paused(), transaction.atomic():
        agency_ids, new_agencies = _ensure_agencies(agencies)
        before = [model._default_manager.count() for model in COUNTED]
        hazards = OpenHazards.load()
        _write(plans, agency_ids, hazards)
        created = [model._default_manager.count() - count for model, count in zip(COUNTED, before, strict=True)]
        for model, count in zip(COUNTED, created, strict=True):
            record_bulk_load(model, count, scale.name)
        progress(STEP, 2, 3)
        refresh_blocks(hazards)
        if any(created):
            services.bump_inputs_version(site.settlement.id for site in sites)
    progress(STEP, 3, 3)
    by_model = dict(zip(COUNTED, created, strict=True))
    return RecoveryCounts(
        service_observations=by_model[ServiceObservation],
        housing_observations=by_model[HousingObservation],
        projects=by_model[Project],
        project_restores=by_model[ProjectRestores],
        milestones=by_model[Milestone],
        project_settlements=by_model[ProjectSettlements],
        agencies=new_agencies,
    )
