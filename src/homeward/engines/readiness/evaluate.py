"""Evaluate settlements' readiness against a criteria set, and find the settlements a hazard change touches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import ParamSpec

import numpy as np
import numpy.typing as npt
import shapely

from homeward.engines.geo import Geometries, GeometryArray
from homeward.engines.geo.crs import as_geometry_array
from homeward.engines.readiness.assessment import Assessment, digest, gc_paused
from homeward.engines.readiness.columnwise import pick
from homeward.engines.readiness.context import Context
from homeward.engines.readiness.criteria import CriteriaSet, ReachParams, ResidentialAreaParams
from homeward.engines.readiness.evaluators import EVALUATORS, Column
from homeward.engines.readiness.households import ExpectedHouseholds, PreConflictHouseholds
from homeward.engines.readiness.inputs import (
    Facilities,
    Hazards,
    Housing,
    IndexArray,
    InputError,
    Services,
    Settlements,
)
from homeward.engines.readiness.projects import Projects
from homeward.engines.readiness.reach import Reach, StraightLineReach
from homeward.engines.readiness.residential import settlements_touching
from homeward.engines.readiness.results import MET, NOT_MET, STATUSES, UNKNOWN, Readiness
from homeward.engines.readiness.roads import NoRoadNetwork, RoadNetwork

P = ParamSpec("P")
READY, PARTLY_READY, NOT_READY = 0, 1, 2
_STATUSES = np.array(STATUSES, dtype=object)


def _rows(settlements: Settlements, only: Sequence[int] | None) -> IndexArray:
    if only is None:
        return np.arange(len(settlements), dtype=np.intp)
    rows = np.asarray(only, dtype=np.intp).reshape(-1)
    outside = np.flatnonzero((rows < 0) | (rows >= len(settlements)))
    if len(outside):
        raise InputError("only", f"no settlement at index {int(rows[outside[0]])}", row=int(outside[0]))
    return rows


def _statuses(
    outcomes: npt.NDArray[np.int8], criteria: CriteriaSet
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.float64]]:
    """Status codes and scores of each row of criterion outcome codes (see :class:`~.criteria.StatusRule`)."""
    rule = criteria.status
    count = len(outcomes)
    met_weight = np.zeros(count)
    total = np.zeros(count)
    blocked = np.zeros(count, dtype=np.bool_)
    required_met = np.ones(count, dtype=np.bool_)
    # Summed criterion by criterion, in order, so a score is the same float however many rows there are.
    for column, criterion in enumerate(criteria.criteria):
        outcome = outcomes[:, column]
        met_weight += np.where(outcome == MET, criterion.weight, 0.0)
        total += criterion.weight if rule.unknown == "not_met" else np.where(outcome == UNKNOWN, 0.0, criterion.weight)
        if criterion.required:
            blocked |= outcome == NOT_MET
            required_met &= outcome == MET
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(total > 0, met_weight / total, 0.0)
    ready = ~blocked & required_met & (score >= rule.ready_score)
    partly = ~blocked & ~ready & (score >= rule.partly_score)
    return np.where(ready, READY, np.where(partly, PARTLY_READY, NOT_READY)).astype(np.int8), score


def _earliest(columns: Sequence[Column], outcomes: npt.NDArray[np.int8], today: dt.date) -> list[dt.date | None]:
    """Per row, the latest expected date of its not-met criteria (``today`` if none), ``None`` if one has none."""
    expected = np.stack([column.expected for column in columns], axis=1)
    not_met = outcomes == NOT_MET
    undated = (not_met & np.isnat(expected)).any(axis=1)
    days = np.where(
        not_met & ~np.isnat(expected), expected.astype(np.int64), np.datetime64(today, "D").astype(np.int64)
    )
    latest = days.max(axis=1).astype("datetime64[D]").astype(object).tolist()
    return [None if gone else date for gone, date in zip(undated.tolist(), latest, strict=True)]


def assess(
    settlements: Settlements,
    hazards: Hazards,
    services: Services,
    housing: Housing,
    projects: Projects,
    criteria: CriteriaSet,
    *,
    today: dt.date,
    reach: Reach | None = None,
    roads: RoadNetwork | None = None,
    households: ExpectedHouseholds | None = None,
    only: Sequence[int] | None = None,
    evidence: bool = True,
) -> Assessment:
    """The readiness of every settlement (or of the rows in ``only``, in that order) on ``today``.

    Each criterion of ``criteria`` is met, not met or unknown, with its evidence and, when not met,
    the date a planned project (planned end + its agency's mean delay) or a clearance would meet it.
    A settlement's result depends only on its own inputs and the shared ones (hazards, facilities,
    neighbours' services, projects), so ``only=`` gives exactly the results of a full run for those
    settlements. Defaults: straight-line reach over ``services.facilities`` and the settlements'
    working services, no road network, pre-conflict households. ``evidence=False`` leaves every
    criterion's evidence empty (statuses, scores and dates are the same), for maps and what-ifs
    that only need those. Raises :class:`InputError` for a record naming an unknown settlement.

    The answer is column-wise (:class:`~.assessment.Assessment`): a sequence of
    :class:`~.results.Readiness` records, each built when read.
    """
    with gc_paused():
        return _assess(
            settlements, hazards, services, housing, projects, criteria, today, reach, roads, households, only, evidence
        )


def _with_records(assessing: Callable[P, Assessment]) -> Callable[P, list[Readiness]]:
    def evaluate(*args: P.args, **kwargs: P.kwargs) -> list[Readiness]:
        """:func:`assess` (same arguments), with every settlement's record built."""
        return assessing(*args, **kwargs).materialise()

    return evaluate


evaluate = _with_records(assess)


def _assess(
    settlements: Settlements,
    hazards: Hazards,
    services: Services,
    housing: Housing,
    projects: Projects,
    criteria: CriteriaSet,
    today: dt.date,
    reach: Reach | None,
    roads: RoadNetwork | None,
    households: ExpectedHouseholds | None,
    only: Sequence[int] | None,
    evidence: bool,
) -> Assessment:
    rows = _rows(settlements, only)
    context = Context(
        settlements=settlements,
        hazards=hazards,
        services=services,
        housing=housing,
        projects=projects,
        criteria=criteria,
        rows=rows,
        today=today,
        reach=reach if reach is not None else StraightLineReach(settlements, services.facilities),
        roads=roads if roads is not None else NoRoadNetwork(),
        households=households if households is not None else PreConflictHouseholds(),
        evidence=evidence,
    )
    context.check_references()
    columns = [EVALUATORS[criterion.key](criterion, context) for criterion in criteria.criteria]
    outcomes = (
        np.stack([column.outcomes for column in columns], axis=1)
        if columns
        else np.zeros((len(rows), 0), dtype=np.int8)
    )
    statuses, scores = _statuses(outcomes, criteria)
    keys = tuple(criterion.key for criterion in criteria.criteria)
    # Few distinct blocker combinations occur; build each tuple once.
    patterns = ((outcomes != MET).astype(np.int64) << np.arange(len(keys), dtype=np.int64)).sum(axis=1)
    blockers = {
        pattern: tuple(key for bit, key in enumerate(keys) if pattern >> bit & 1) for pattern in set(patterns.tolist())
    }
    ids = settlements.ids
    return Assessment(
        ids=list(ids) if only is None else pick(ids, rows.tolist()),
        keys=keys,
        status_codes=statuses,
        scores=scores,
        earliest=_earliest(columns, outcomes, today) if columns else [today] * len(rows),
        blockers=pick(blockers, patterns.tolist()),
        outcomes=outcomes,
        expected=(
            np.stack([column.expected for column in columns], axis=1)
            if columns
            else np.zeros((len(rows), 0), dtype="datetime64[D]")
        ),
        facts=tuple(column.facts for column in columns),
    )


def affected_by_hazards(
    settlements: Settlements,
    changed_polygons: Geometries,
    criteria: CriteriaSet,
    *,
    projects: Projects | None = None,
    reach: Reach | None = None,
    roads: RoadNetwork | None = None,
) -> list[int]:
    """Rows of the settlements whose readiness a change to hazardous areas may alter, sorted.

    ``changed_polygons`` are the old and new geometries of every added, edited, released or deleted
    area (or of one whose clearance date changed). A settlement is affected when a changed polygon
    meets its residential area (as each residential-area criterion defines it), or, given
    ``projects``, the site of a project restoring something to it or (for a reach criterion)
    to a settlement within reach of it, or, per the road network, its route.
    """
    polygons = as_geometry_array(changed_polygons)
    found: set[int] = set()
    for criterion in criteria.criteria:
        if isinstance(criterion.params, ResidentialAreaParams):
            found.update(settlements_touching(settlements, polygons, criterion.params.buffer_m).tolist())
    if projects is not None:
        found.update(_waiting_on(settlements, polygons, criteria, projects, reach))
    if roads is not None:
        found.update(int(row) for row in roads.affected_by(settlements, polygons))
    return sorted(found)


def _waiting_on(
    settlements: Settlements, polygons: GeometryArray, criteria: CriteriaSet, projects: Projects, reach: Reach | None
) -> set[int]:
    """Settlements whose forecast may go by a project whose site meets one of ``polygons``."""
    present = polygons[~np.asarray(shapely.is_missing(polygons), dtype=np.bool_)]
    if projects.sites is None or not len(present):
        return set()
    sited = np.flatnonzero(~np.asarray(shapely.is_missing(projects.sites), dtype=np.bool_))
    touched = sited[np.unique(shapely.STRtree(present).query(projects.sites[sited], predicate="intersects")[0])]
    restores = np.flatnonzero(np.isin(projects.restore_project, touched))
    if not len(restores):
        return set()
    rows = settlements.rows_of(
        [projects.restore_settlement_ids[r] for r in restores.tolist()], "projects.restore_settlement_ids"
    )
    found = set(rows.tolist())
    everyone = np.arange(len(settlements), dtype=np.intp)
    measure = reach if reach is not None else StraightLineReach(settlements, Facilities.none())
    for criterion in criteria.criteria:
        params = criterion.params
        if not isinstance(params, ReachParams):
            continue
        limit = params.max_km if measure.unit == "km" else params.max_minutes
        kinds = [projects.restore_kinds[r] for r in restores.tolist()]
        targets = np.unique(rows[[kind == params.facility.value for kind in kinds]]).astype(np.intp)
        if limit is not None and len(targets):
            for near in measure.within(targets, everyone, limit):
                found.update(near.tolist())
    return found


def input_digest(readiness: Readiness, criteria: CriteriaSet, versions: Mapping[str, object] | None = None) -> str:
    """A sha256 of what fed one settlement's answer: the criteria, and each record its evidence cites.

    ``versions`` maps record ids to their version (a hazard's, a project's); a cited record missing
    from it counts as version ``None``. Two answers with the same digest were computed from the same
    inputs, so a snapshot can say which inputs explain it. :meth:`.Assessment.digests` gives the same
    digests for a whole assessment without building its records.
    """
    cited = {(str(e.kind), e.ref) for result in readiness.criteria for e in result.evidence if e.ref}
    return digest(criteria.digest, readiness.settlement_id, cited, versions or {})
