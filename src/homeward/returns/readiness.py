"""Settlement readiness: places, mine action and recovery data in, ``engines.readiness`` answers out.

This module adapts the domains' records (through their selectors) to the engine's plain inputs,
stores one snapshot per settlement whose answer changed, and answers what-if questions without
storing anything. Only background tasks call :func:`recompute`; pages read snapshots.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from homeward.engines import readiness as engine
from homeward.mineaction import selectors as mine_action
from homeward.places import selectors as places
from homeward.recovery import selectors as recovery
from homeward.returns.evidence_text import as_stored
from homeward.returns.models import ReadinessSnapshot

# Clearance pace is read from the land released over this many days before today.
RELEASE_WINDOW_DAYS = 365
# Above this many changed areas an incremental pass costs more than a full one.
INCREMENTAL_LIMIT = 2_000
# Above this many settlements, reading the whole region is cheaper than reading around each.
NEIGHBOURHOOD_LIMIT = 500
FACILITY_KINDS = ("school", "health_post")
# Recovery's project statuses in the engine's words (the engine says "ongoing" for "under way").
PROJECT_STATUS = {"under_way": engine.ProjectStatus.ONGOING.value}


def criteria() -> engine.CriteriaSet:
    """The deployment's criteria: ``HOMEWARD_READINESS_CRITERIA`` (a TOML file) or the defaults."""
    path = getattr(settings, "HOMEWARD_READINESS_CRITERIA", "")
    if not path:
        return engine.default_criteria()
    with Path(path).open("rb") as handle:
        return engine.load_criteria(tomllib.load(handle))


@dataclass
class Inputs:
    """The engine's inputs for the whole region, and what is needed to store answers."""

    settlements: engine.Settlements
    hazards: engine.Hazards
    services: engine.Services
    housing: engine.Housing
    projects: engine.Projects
    settlement_pk: dict[str, Any]
    settlement_district: dict[str, Any]
    versions: dict[str, object] = field(default_factory=dict)


BBox = tuple[float, float, float, float]


def _settlements(
    bbox: BBox | None = None, also: Sequence[Any] = ()
) -> tuple[engine.Settlements, dict[str, Any], dict[str, Any]]:
    rows = places.settlement_table(bbox, also)
    centres = places.district_centres()
    ids = [str(row.id) for row in rows]
    lon = np.array([row.lon for row in rows], dtype=float)
    lat = np.array([row.lat for row in rows], dtype=float)
    centre = [
        centres.get(row.district_id, (row.lon, row.lat)) if row.district_id else (row.lon, row.lat) for row in rows
    ]
    polygons = None
    if any(row.boundary for row in rows):
        polygons = np.array([shapely.from_wkb(row.boundary) if row.boundary else None for row in rows], dtype=object)
    settlements = engine.Settlements(
        ids=ids,
        lon=lon,
        lat=lat,
        centre_lon=np.array([c[0] for c in centre], dtype=float),
        centre_lat=np.array([c[1] for c in centre], dtype=float),
        households=np.array([np.nan if row.households is None else row.households for row in rows], dtype=float),
        polygons=polygons,
    )
    return settlements, {str(row.id): row.id for row in rows}, {str(row.id): row.district_id for row in rows}


def _hazards(today: dt.date, versions: dict[str, object], bbox: BBox | None = None) -> engine.Hazards:
    rows = mine_action.hazard_table(bbox)
    rates = mine_action.release_rates(today - dt.timedelta(days=RELEASE_WINDOW_DAYS), today)
    for external_id, _wkb, _active, _remaining, _district, version in rows:
        versions[external_id] = version
    return engine.Hazards(
        ids=[row[0] for row in rows],
        polygons=shapely.from_wkb([row[1] for row in rows]) if rows else np.array([], dtype=object),
        active=np.array([row[2] for row in rows], dtype=bool),
        expected_clearance=engine.expected_clearance(
            np.array([row[3] for row in rows], dtype=float),
            np.array([rates.get(row[4], 0.0) for row in rows], dtype=float),
            today,
        ),
    )


def _services(
    settlement_pk: Mapping[str, Any], subset: Sequence[Any] | None, facility_rows: Sequence[Any] = ()
) -> engine.Services:
    """Service records: of every settlement, or of ``subset`` plus every facility (school, health post)."""
    known = {pk: key for key, pk in settlement_pk.items()}
    # Facilities first, then the subset's own records: each list is oldest first, and the subset's
    # list holds every record of its settlements, so the last one kept per kind is the current one.
    rows = recovery.service_rows(None) if subset is None else [*facility_rows, *recovery.service_rows(subset)]
    latest: dict[tuple[Any, str], tuple[Any, Any, str, str, float | None, Any]] = {}
    for row in rows:
        if row[1] in known:
            latest[(row[1], row[2])] = row
    observations = list(latest.values())
    points = places.settlement_coordinates([o[1] for o in observations if o[2] in FACILITY_KINDS])
    facilities = [o for o in observations if o[2] in FACILITY_KINDS and o[1] in points]
    return engine.Services(
        ids=[str(o[0]) for o in observations],
        settlement_ids=[known[o[1]] for o in observations],
        kinds=[o[2] for o in observations],
        statuses=[o[3] for o in observations],
        capacity=np.array([np.nan if o[4] is None else o[4] for o in observations], dtype=float),
        as_of=[o[5] for o in observations],
        facilities=engine.Facilities(
            ids=[str(o[0]) for o in facilities],
            kinds=[o[2] for o in facilities],
            lon=np.array([points[o[1]][0] for o in facilities], dtype=float),
            lat=np.array([points[o[1]][1] for o in facilities], dtype=float),
            working=np.array([o[3] == "working" for o in facilities], dtype=bool),
        ),
    )


def _housing(settlement_pk: Mapping[str, Any], subset: Sequence[Any] | None) -> engine.Housing:
    known = {pk: key for key, pk in settlement_pk.items()}
    rows = [h for h in recovery.housing_rows(subset) if h[1] in known]
    return engine.Housing(
        ids=[str(h[0]) for h in rows],
        settlement_ids=[known[h[1]] for h in rows],
        units_total=np.array([h[2] for h in rows], dtype=float),
        damaged=np.array([h[3] for h in rows], dtype=float),
        habitable=np.array([h[4] for h in rows], dtype=float),
    )


def _projects(
    settlement_pk: Mapping[str, Any], versions: dict[str, object], subset: Sequence[Any] | None
) -> engine.Projects:
    known = {pk: key for key, pk in settlement_pk.items()}
    items = []
    for project in recovery.forecast_projects(subset):
        versions[project.external_id] = project.row_version
        items.append(
            engine.Project(
                id=project.external_id,
                agency_id=str(project.agency_id or ""),
                planned_end=project.planned_end,
                status=PROJECT_STATUS.get(project.status, project.status),
                restores=tuple(
                    engine.Restore(known[settlement], kind, float(units))
                    for settlement, kind, units in project.restores
                    if settlement in known
                ),
                site=shapely.from_wkb(project.site) if project.site else None,
            )
        )
    delays = {str(agency or ""): days for agency, days in recovery.agency_delays().items()}
    return engine.Projects.of(items, delays)


def gather(today: dt.date, bbox: BBox | None = None) -> Inputs:
    """Every input of the region, read once; with ``bbox``, only what lies in it.

    A settlement's answer depends only on its own records and on what is within reach of it
    (facilities, hazardous areas, projects restoring something nearby), so the inputs of a box
    around some settlements, widened by :func:`reach_margin_km`, give those settlements exactly the
    answers a run over the whole region would.
    """
    facility_rows: list[Any] = []
    inside: list[Any] | None = None
    if bbox is not None:
        # The settlements hosting a school or health post come along, wherever they are: the evidence
        # of a reach criterion names the nearest facility however far, so a partial view would change it.
        facility_rows = recovery.service_rows(kinds=FACILITY_KINDS)
        inside = [row.id for row in places.settlement_table(bbox)]
    settlements, settlement_pk, settlement_district = _settlements(bbox, [row[1] for row in facility_rows])
    versions: dict[str, object] = {}
    projects = _projects(settlement_pk, versions, inside)
    hazard_box = bbox
    if bbox is not None:
        sites = [site for site in (projects.sites if projects.sites is not None else []) if site is not None]
        if sites:
            west, south, east, north = shapely.total_bounds(sites)
            hazard_box = (min(bbox[0], west), min(bbox[1], south), max(bbox[2], east), max(bbox[3], north))
    return Inputs(
        settlements=settlements,
        hazards=_hazards(today, versions, hazard_box),
        services=_services(settlement_pk, inside, facility_rows),
        housing=_housing(settlement_pk, inside),
        projects=projects,
        settlement_pk=settlement_pk,
        settlement_district=settlement_district,
        versions=versions,
    )


def reach_margin_km(rules: engine.CriteriaSet) -> float:
    """How far beyond a settlement its answer can look: the longest reach, or residential buffer, plus slack."""
    distances = [1.0]
    for criterion in rules.criteria:
        params = criterion.params
        if isinstance(params, engine.ReachParams):
            distances.append(params.max_km)
        elif isinstance(params, engine.ResidentialAreaParams):
            distances.append(params.buffer_m / 1000)
    return max(distances) + 2.0


def neighbourhood(lons: Sequence[float], lats: Sequence[float], margin_km: float) -> BBox:
    """The box around the points, widened by ``margin_km`` (degrees of longitude shrink with latitude)."""
    south, north = min(lats), max(lats)
    widest = max(abs(south), abs(north))
    dlat = margin_km / 110.574
    dlon = margin_km / (111.320 * max(np.cos(np.radians(min(widest + dlat, 89.0))), 0.01))
    return (min(lons) - dlon, south - dlat, max(lons) + dlon, north + dlat)


def assess(
    inputs: Inputs, rules: engine.CriteriaSet, today: dt.date, only: Sequence[int] | None = None
) -> engine.Assessment:
    return engine.assess(
        inputs.settlements,
        inputs.hazards,
        inputs.services,
        inputs.housing,
        inputs.projects,
        rules,
        today=today,
        only=only,
    )


def as_json(readiness: engine.Readiness) -> list[dict[str, Any]]:
    """The criteria of an answer as stored in a snapshot (and shown by pages): evidence as codes and parameters."""
    return [
        {
            "key": result.key,
            "outcome": str(result.outcome),
            "expected_date": result.expected_date.isoformat() if result.expected_date else None,
            "evidence": [as_stored(evidence) for evidence in result.evidence],
        }
        for result in readiness.criteria
    ]


def _store(inputs: Inputs, assessment: engine.Assessment, rules: engine.CriteriaSet, meta: dict[str, Any]) -> int:
    """Store a snapshot for each settlement whose digest changed; only those answers' records are built."""
    now = timezone.now()
    digests = assessment.digests(rules.digest, inputs.versions)
    pks = [inputs.settlement_pk[settlement_id] for settlement_id in assessment.ids]
    current = dict(
        ReadinessSnapshot.objects.filter(is_current=True, settlement__in=pks).values_list("settlement_id", "digest")
    )
    changed = [position for position, pk in enumerate(pks) if pk not in current or current[pk] != digests[position]]
    if not changed:
        return 0
    answers = [(position, assessment[position]) for position in changed]
    with transaction.atomic():
        ReadinessSnapshot.objects.filter(is_current=True, settlement__in=[pks[p] for p in changed]).update(
            is_current=False
        )
        ReadinessSnapshot.objects.bulk_create(
            [
                ReadinessSnapshot(
                    settlement_id=pks[position],
                    district_id=inputs.settlement_district.get(a.settlement_id),
                    computed_at=now,
                    is_current=True,
                    status=str(a.status),
                    score=round(float(a.score), 4),
                    earliest_ready=a.earliest_ready,
                    blockers=list(a.blockers),
                    criteria=as_json(a),
                    inputs=meta,
                    digest=digests[position],
                )
                for position, a in answers
            ],
            batch_size=2_000,
        )
    return len(changed)


def _meta(rules: engine.CriteriaSet, today: dt.date) -> dict[str, Any]:
    return {
        "criteria": rules.digest,
        "mine_action_version": mine_action.inputs_version(),
        "recovery_version": recovery.inputs_version(),
        "today": today.isoformat(),
    }


def recompute(settlement_ids: Iterable[Any] | None = None, *, today: dt.date | None = None) -> int:
    """Recompute the given settlements (all when ``None``); store a snapshot where the answer's inputs changed.

    Returns how many snapshots were stored.
    """
    today = today or timezone.localdate()
    rules = criteria()
    if settlement_ids is None:
        inputs = gather(today)
        return _store(inputs, assess(inputs, rules, today), rules, _meta(rules, today))
    wanted = {str(s) for s in settlement_ids}
    if len(wanted) > NEIGHBOURHOOD_LIMIT:
        inputs = gather(today)
    else:
        points = places.settlement_coordinates(list(wanted))
        if not points:
            return 0
        box = neighbourhood([p[0] for p in points.values()], [p[1] for p in points.values()], reach_margin_km(rules))
        inputs = gather(today, box)
    only = [row for key, row in inputs.settlements.index.items() if key in wanted]
    return _store(inputs, assess(inputs, rules, today, only), rules, _meta(rules, today))


def recompute_after_hazards(hazard_ids: Sequence[Any], *, today: dt.date | None = None) -> int:
    """Recompute the settlements whose residential area a changed hazardous area (old or new polygon) meets."""
    if len(hazard_ids) > INCREMENTAL_LIMIT:
        return recompute(None, today=today)
    today = today or timezone.localdate()
    rules = criteria()
    shapes = mine_action.hazard_shapes_then_and_now(hazard_ids)
    if not shapes:
        return 0
    # Which settlements the change can touch is found in the changed areas' neighbourhood; their
    # answers are then computed from the inputs around them only.
    west, south, east, north = shapely.total_bounds(shapes)
    around = neighbourhood([west, east], [south, north], reach_margin_km(rules))
    nearby = gather(today, around)
    rows = engine.affected_by_hazards(nearby.settlements, shapes, rules, projects=nearby.projects)
    # A project sited in the changed area may restore something far from it: its settlements wait too.
    waiting = recovery.settlements_restored_by_projects_sited_in((west, south, east, north))
    touched = {nearby.settlements.ids[row] for row in rows} | {str(pk) for pk in waiting}
    if not touched:
        return 0
    return recompute(sorted(touched), today=today)


@dataclass(frozen=True)
class WhatIf:
    """Changes to try without saving: projects delayed (external id → days), areas cleared (external ids)."""

    delayed_projects: Mapping[str, int] = field(default_factory=dict)
    cleared_hazards: tuple[str, ...] = ()


class WhatIfError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def what_if(settlement_id: Any, change: WhatIf, *, today: dt.date | None = None) -> engine.Readiness:
    """The settlement's readiness if ``change`` happened; nothing is stored."""
    today = today or timezone.localdate()
    rules = criteria()
    inputs = gather(today)
    row = inputs.settlements.index.get(str(settlement_id))
    if row is None:
        raise WhatIfError("settlement", "not a located settlement")
    projects, hazards = inputs.projects, inputs.hazards
    try:
        for project_id, days in change.delayed_projects.items():
            projects = engine.with_project_delay(projects, project_id, days)
        for hazard_id in change.cleared_hazards:
            hazards = engine.with_hazard_cleared(hazards, hazard_id)
    except engine.InputError as error:
        raise WhatIfError(error.field, error.message) from error
    changed = Inputs(
        settlements=inputs.settlements,
        hazards=hazards,
        services=inputs.services,
        housing=inputs.housing,
        projects=projects,
        settlement_pk=inputs.settlement_pk,
        settlement_district=inputs.settlement_district,
    )
    return assess(changed, rules, today, [row])[0]
