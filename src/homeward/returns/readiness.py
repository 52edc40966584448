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
from homeward.returns.models import ReadinessSnapshot

# Clearance pace is read from the land released over this many days before today.
RELEASE_WINDOW_DAYS = 365
# Above this many changed areas an incremental pass costs more than a full one.
INCREMENTAL_LIMIT = 2_000
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


def _settlements() -> tuple[engine.Settlements, dict[str, Any], dict[str, Any]]:
    rows = places.settlement_table()
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


def _hazards(today: dt.date, versions: dict[str, object]) -> engine.Hazards:
    rows = mine_action.hazard_table()
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


def _services(settlement_pk: Mapping[str, Any]) -> engine.Services:
    known = {pk: key for key, pk in settlement_pk.items()}
    observations = [o for o in recovery.latest_services().values() if o.settlement_id in known]
    points = places.settlement_coordinates(
        [o.settlement_id for o in observations if o.kind in ("school", "health_post")]
    )
    facilities = [o for o in observations if o.kind in ("school", "health_post") and o.settlement_id in points]
    return engine.Services(
        ids=[str(o.pk) for o in observations],
        settlement_ids=[known[o.settlement_id] for o in observations],
        kinds=[o.kind for o in observations],
        statuses=[o.status for o in observations],
        capacity=np.array([np.nan if o.capacity is None else o.capacity for o in observations], dtype=float),
        as_of=[o.observed_on for o in observations],
        facilities=engine.Facilities(
            ids=[str(o.pk) for o in facilities],
            kinds=[o.kind for o in facilities],
            lon=np.array([points[o.settlement_id][0] for o in facilities], dtype=float),
            lat=np.array([points[o.settlement_id][1] for o in facilities], dtype=float),
            working=np.array([o.status == "working" for o in facilities], dtype=bool),
        ),
    )


def _housing(settlement_pk: Mapping[str, Any]) -> engine.Housing:
    known = {pk: key for key, pk in settlement_pk.items()}
    rows = [h for h in recovery.latest_housing().values() if h.settlement_id in known]
    return engine.Housing(
        ids=[str(h.pk) for h in rows],
        settlement_ids=[known[h.settlement_id] for h in rows],
        units_total=np.array([h.units_total for h in rows], dtype=float),
        damaged=np.array([h.units_damaged for h in rows], dtype=float),
        habitable=np.array([h.units_habitable for h in rows], dtype=float),
    )


def _projects(settlement_pk: Mapping[str, Any], versions: dict[str, object]) -> engine.Projects:
    known = {pk: key for key, pk in settlement_pk.items()}
    items = []
    for project in recovery.active_projects():
        versions[project.external_id] = project.row_version
        items.append(
            engine.Project(
                id=project.external_id,
                agency_id=str(project.implementing_agency_id or ""),
                planned_end=project.planned_end,
                status=PROJECT_STATUS.get(project.status, project.status),
                restores=tuple(
                    engine.Restore(known[r.settlement_id], r.kind, float(r.units))
                    for r in project.restores.all()
                    if r.settlement_id in known
                ),
                site=project.shape,
            )
        )
    delays = {str(agency or ""): days for agency, days in recovery.agency_delays().items()}
    return engine.Projects.of(items, delays)


def gather(today: dt.date) -> Inputs:
    """Every input of the region, read once."""
    settlements, settlement_pk, settlement_district = _settlements()
    versions: dict[str, object] = {}
    return Inputs(
        settlements=settlements,
        hazards=_hazards(today, versions),
        services=_services(settlement_pk),
        housing=_housing(settlement_pk),
        projects=_projects(settlement_pk, versions),
        settlement_pk=settlement_pk,
        settlement_district=settlement_district,
        versions=versions,
    )


def evaluate(
    inputs: Inputs, rules: engine.CriteriaSet, today: dt.date, only: Sequence[int] | None = None
) -> list[engine.Readiness]:
    return engine.evaluate(
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
    """The criteria of an answer as stored in a snapshot (and shown by pages)."""
    return [
        {
            "key": result.key,
            "outcome": str(result.outcome),
            "expected_date": result.expected_date.isoformat() if result.expected_date else None,
            "evidence": [
                {"kind": str(e.kind), "ref": e.ref, "detail": e.detail, "value": e.value} for e in result.evidence
            ],
        }
        for result in readiness.criteria
    ]


def _store(inputs: Inputs, answers: Iterable[engine.Readiness], rules: engine.CriteriaSet, meta: dict[str, Any]) -> int:
    now = timezone.now()
    answers = list(answers)
    digests = {a.settlement_id: engine.input_digest(a, rules, inputs.versions) for a in answers}
    current = dict(
        ReadinessSnapshot.objects.filter(
            is_current=True, settlement__in=[inputs.settlement_pk[a.settlement_id] for a in answers]
        ).values_list("settlement_id", "digest")
    )
    changed = [
        a
        for a in answers
        if current.get(inputs.settlement_pk[a.settlement_id]) != digests[a.settlement_id]
        or inputs.settlement_pk[a.settlement_id] not in current
    ]
    if not changed:
        return 0
    with transaction.atomic():
        ReadinessSnapshot.objects.filter(
            is_current=True, settlement__in=[inputs.settlement_pk[a.settlement_id] for a in changed]
        ).update(is_current=False)
        ReadinessSnapshot.objects.bulk_create(
            [
                ReadinessSnapshot(
                    settlement_id=inputs.settlement_pk[a.settlement_id],
                    district_id=inputs.settlement_district.get(a.settlement_id),
                    computed_at=now,
                    is_current=True,
                    status=str(a.status),
                    score=round(float(a.score), 4),
                    earliest_ready=a.earliest_ready,
                    blockers=list(a.blockers),
                    criteria=as_json(a),
                    inputs=meta,
                    digest=digests[a.settlement_id],
                )
                for a in changed
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
    inputs = gather(today)
    only = None
    if settlement_ids is not None:
        wanted = {str(s) for s in settlement_ids}
        only = [row for key, row in inputs.settlements.index.items() if key in wanted]
        if not only:
            return 0
    return _store(inputs, evaluate(inputs, rules, today, only), rules, _meta(rules, today))


def recompute_after_hazards(hazard_ids: Sequence[Any], *, today: dt.date | None = None) -> int:
    """Recompute the settlements whose residential area a changed hazardous area (old or new polygon) meets."""
    if len(hazard_ids) > INCREMENTAL_LIMIT:
        return recompute(None, today=today)
    today = today or timezone.localdate()
    rules = criteria()
    shapes = mine_action.hazard_shapes_then_and_now(hazard_ids)
    if not shapes:
        return 0
    inputs = gather(today)
    rows = engine.affected_by_hazards(inputs.settlements, shapes, rules, projects=inputs.projects)
    if not rows:
        return 0
    return _store(inputs, evaluate(inputs, rules, today, rows), rules, _meta(rules, today))


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
    return evaluate(changed, rules, today, [row])[0]
