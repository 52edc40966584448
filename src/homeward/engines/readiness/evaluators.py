"""One evaluator per criterion kind: vectorised outcomes and expected dates, then each settlement's evidence.

An evaluator takes the criterion and the shared :class:`Context` and returns a :class:`Column`:
outcome codes, expected dates and one :class:`CriterionResult` per evaluated settlement, in order.
Evidence is only built when the context asks for it. Adding a criterion kind is one such function
registered in :data:`EVALUATORS` (and its parameters' parser in ``criteria.PARAMS``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from homeward.engines.readiness.context import Context, latest_of
from homeward.engines.readiness.criteria import (
    PARAMS,
    Criterion,
    HousingParams,
    ReachParams,
    ResidentialAreaParams,
    RoadParams,
    ServiceParams,
)
from homeward.engines.readiness.inputs import KIND_CODE, NO_DATE, STATUS_CODE, DateArray, IndexArray, date_array
from homeward.engines.readiness.projects import RESTORE_CODE
from homeward.engines.readiness.residential import has_polygon
from homeward.engines.readiness.results import MET, NOT_MET, OUTCOMES, UNKNOWN, CriterionResult, Evidence
from homeward.engines.readiness.vocabulary import HOUSING, ServiceStatus

WORKING = STATUS_CODE[ServiceStatus.WORKING]
PARTIAL = STATUS_CODE[ServiceStatus.PARTIAL]
STATUS_UNKNOWN = STATUS_CODE[ServiceStatus.UNKNOWN]
NOT_IN_SEASON = (Evidence("note", None, "not in season"),)
Outcomes = npt.NDArray[np.int8]


@dataclass(frozen=True)
class Column:
    """One criterion over the evaluated settlements: outcome codes, expected dates (``NaT``: none), results."""

    outcomes: Outcomes
    expected: DateArray
    results: list[CriterionResult]


Evaluator = Callable[[Criterion, Context], Column]


def _column(
    key: str, outcomes: Outcomes, expected: DateArray, evidence: Sequence[tuple[Evidence, ...]] | None
) -> Column:
    """The column's results; without evidence, results without a date are shared between settlements."""
    if evidence is None:
        shared = [CriterionResult(key, outcome, ()) for outcome in OUTCOMES]
        results = [shared[outcome] for outcome in outcomes.tolist()]
        dated = np.flatnonzero(~np.isnat(expected))
        for position, date in zip(dated.tolist(), expected[dated].astype(object).tolist(), strict=True):
            results[position] = CriterionResult(key, OUTCOMES[outcomes[position]], (), date)
        return Column(outcomes, expected, results)
    results = [
        CriterionResult(key, OUTCOMES[outcome], found, date)
        for outcome, found, date in zip(outcomes.tolist(), evidence, expected.astype(object).tolist(), strict=True)
    ]
    return Column(outcomes, expected, results)


def _no_dates(count: int) -> DateArray:
    return np.full(count, NO_DATE, dtype="datetime64[D]")


def _project_evidence(ctx: Context, path: int, restores: str) -> Evidence:
    paths, projects = ctx.paths, ctx.projects
    project = int(paths.projects[path])
    agency = projects.agency_ids[project]
    delay = max(0.0, float(projects.agency_delays.get(agency, 0.0)))
    late = f" + {delay:.0f} days (mean delay of agency {agency})" if delay > 0 else ""
    detail = (
        f"project restores {restores}: planned end {date_array(projects.planned_end)[project]}{late}, "
        f"expected {paths.ends[path]}{ctx.site_note(project)}"
    )
    return Evidence("project", projects.ids[project], detail, delay)


def _no_path(what: str) -> Evidence:
    return Evidence("note", None, f"no forecast: no planned or ongoing project restores {what}")


def no_hazard_in_residential_area(criterion: Criterion, ctx: Context) -> Column:
    """Met when no active hazardous area meets the residential area; expected when the last of them is cleared."""
    params = criterion.params
    assert isinstance(params, ResidentialAreaParams)
    count = len(ctx.rows)
    position, hazard = ctx.hazard_hits(params.buffer_m)
    outcomes = np.full(count, MET, dtype=np.int8)
    outcomes[position] = NOT_MET
    clearance = date_array(ctx.hazards.expected_clearance)
    expected = latest_of(clearance[hazard], position, count)
    if not ctx.evidence:
        return _column(criterion.key, outcomes, expected, None)
    places = ("in the residential area", f"within {params.buffer_m:g} m of the settlement's point")
    clear = tuple((Evidence("note", None, f"no active hazardous area {place}"),) for place in places)
    polygon = has_polygon(ctx.settlements, ctx.rows).tolist()
    evidence: list[tuple[Evidence, ...]] = [clear[0] if given else clear[1] for given in polygon]
    ids = ctx.hazards.ids
    dates = np.datetime_as_string(clearance[hazard]).tolist()
    hazards, positions = hazard.tolist(), position.tolist()
    starts = np.flatnonzero(np.r_[True, position[1:] != position[:-1]]).tolist() if positions else []
    for start, end in zip(starts, [*starts[1:], len(positions)][: len(starts)], strict=True):
        at = positions[start]
        place = places[0] if polygon[at] else places[1]
        found = [
            Evidence(
                "hazard",
                ids[row],
                f"active hazardous area {place}; "
                + ("no expected clearance" if date == "NaT" else f"expected clearance {date}"),
            )
            for row, date in zip(hazards[start:end], dates[start:end], strict=True)
        ]
        if "NaT" in dates[start:end]:
            undated = ids[hazards[start + dates[start:end].index("NaT")]]
            found.append(Evidence("note", undated, f"no forecast: hazardous area {undated} has no expected clearance"))
        evidence[at] = tuple(found)
    return _column(criterion.key, outcomes, expected, evidence)


def hazard_free_road_to_district_centre(criterion: Criterion, ctx: Context) -> Column:
    """What the road network says; expected when the hazardous areas blocking the route are cleared."""
    assert isinstance(criterion.params, RoadParams)
    checks = ctx.roads.routes_to_district_centre(ctx.settlements, ctx.hazards, ctx.rows)
    outcomes = np.array([OUTCOMES.index(check.outcome) for check in checks], dtype=np.int8).reshape(-1)
    expected = _no_dates(len(checks))
    evidence = [check.evidence for check in checks]
    clearance = date_array(ctx.hazards.expected_clearance)
    for position, check in enumerate(checks):
        if outcomes[position] == NOT_MET and check.blocking_hazards:
            dates = clearance[np.array(check.blocking_hazards, dtype=np.intp)]
            if np.isnat(dates).any():
                undated = ctx.hazards.ids[check.blocking_hazards[int(np.flatnonzero(np.isnat(dates))[0])]]
                note = Evidence("note", undated, f"no forecast: hazardous area {undated} has no expected clearance")
                evidence[position] = (*check.evidence, note)
            else:
                expected[position] = dates.max()
    return _column(criterion.key, outcomes, expected, evidence if ctx.evidence else None)


def service(criterion: Criterion, ctx: Context) -> Column:
    """Met when any of the criterion's services works; unknown when none has a known status."""
    params = criterion.params
    assert isinstance(params, ServiceParams)
    count = len(ctx.rows)
    if not criterion.in_season(ctx.today.month):
        always = np.full(count, MET, dtype=np.int8)
        return _column(criterion.key, always, _no_dates(count), [NOT_IN_SEASON] * count if ctx.evidence else None)
    kinds = tuple(kind.value for kind in params.services)
    columns = [KIND_CODE[kind] for kind in kinds]
    statuses = ctx.service_status[ctx.rows][:, columns]
    met = np.isin(statuses, [WORKING, PARTIAL] if params.accept_partial else [WORKING]).any(axis=1)
    known = ((statuses >= 0) & (statuses != STATUS_UNKNOWN)).any(axis=1)
    outcomes = np.where(met, MET, np.where(known, NOT_MET, UNKNOWN)).astype(np.int8)
    not_met = np.flatnonzero(outcomes == NOT_MET)
    paths = ctx.earliest(ctx.rows[not_met], kinds)
    expected = _no_dates(count)
    expected[not_met] = ctx.paths.ends_at(paths)
    if not ctx.evidence:
        return _column(criterion.key, outcomes, expected, None)
    records = ctx.latest_service[ctx.rows][:, columns]
    quoted = [
        ctx.quotes.many(records[:, column], Evidence("note", None, f"no {kind} record"))
        for column, kind in enumerate(kinds)
    ]
    evidence: list[tuple[Evidence, ...]] = (
        [(found,) for found in quoted[0]] if len(kinds) == 1 else list(zip(*quoted, strict=True))
    )
    restores = " or ".join(kinds)
    for position, path in zip(not_met.tolist(), paths.tolist(), strict=True):
        last = _no_path(restores) if path < 0 else _project_evidence(ctx, path, restores)
        evidence[position] = (*evidence[position], last)
    return _column(criterion.key, outcomes, expected, evidence)


def facility_within_reach(criterion: Criterion, ctx: Context) -> Column:
    """Met when a working facility is within reach: the settlement's own, a neighbour's, or a facility point.

    Facilities are the settlements whose record of the kind says it works (the settlement itself at
    distance 0) and the working facility points. Unknown when none is within reach and the
    settlement's own record says its status is unknown. Expected when a project restores the kind
    in a settlement within reach.
    """
    params = criterion.params
    assert isinstance(params, ReachParams)
    facility = params.facility.value
    code = KIND_CODE[facility]
    rows = ctx.rows
    own_status = ctx.service_status[rows, code]
    points = ctx.reach.nearest(rows, facility)
    places = ctx.reach.nearest_among(rows, ctx.working(facility))
    unit = points.unit
    limit = params.max_km if unit == "km" else params.max_minutes
    place_closer = places.distance <= points.distance
    distance = np.where(place_closer, places.distance, points.distance)
    met = np.zeros(len(rows), dtype=np.bool_) if limit is None else distance <= limit
    unknown = (own_status == STATUS_UNKNOWN) | (limit is None)
    outcomes = np.where(met, MET, np.where(unknown, UNKNOWN, NOT_MET)).astype(np.int8)
    not_met = np.flatnonzero(outcomes == NOT_MET)
    expected = _no_dates(len(rows))
    chosen = _reach_paths(ctx, facility, rows[not_met], limit)
    expected[not_met] = ctx.paths.ends_at(chosen)
    if not ctx.evidence:
        return _column(criterion.key, outcomes, expected, None)
    own = ctx.latest_service[rows, code]
    own_evidence = ctx.quotes.many(own, Evidence("note", None, ""))
    facility_ids, settlement_ids, record_ids = ctx.services.facilities.ids, ctx.settlements.ids, ctx.services.ids
    neighbours = places.found.tolist()
    neighbour_records = ctx.latest_service[np.maximum(places.found, 0), code].tolist()
    nearest_points = points.found.tolist()
    none_known = Evidence("note", None, f"no working {facility} known")
    no_limit = Evidence("note", None, f"reach is measured in {unit} and the criterion sets no limit in {unit}")
    evidence: list[tuple[Evidence, ...]] = []
    for position, (row, away, closer, record) in enumerate(
        zip(rows.tolist(), distance.tolist(), place_closer.tolist(), own.tolist(), strict=True)
    ):
        found: tuple[Evidence, ...] = (own_evidence[position],) if record >= 0 else ()
        if away == np.inf:
            found = (*found, none_known)
        elif closer and neighbours[position] != row:
            neighbour = neighbours[position]
            detail = f"nearest working {facility}: in {settlement_ids[neighbour]}, {away:.1f} {unit}"
            found = (*found, Evidence("service", record_ids[neighbour_records[position]], detail, away))
        elif not closer:
            detail = f"nearest working {facility}: {away:.1f} {unit}"
            found = (*found, Evidence("facility", facility_ids[nearest_points[position]], detail, away))
        evidence.append((*found, no_limit) if limit is None and not met[position] else found)
    what = f"a {facility} within {limit:g} {unit}" if limit is not None else f"a {facility}"
    for position, path in zip(not_met.tolist(), chosen.tolist(), strict=True):
        last = _no_path(what) if path < 0 else _project_evidence(ctx, path, what)
        evidence[position] = (*evidence[position], last)
    return _column(criterion.key, outcomes, expected, evidence)


def _reach_paths(ctx: Context, facility: str, rows: IndexArray, limit: float | None) -> IndexArray:
    """For each settlement row, the earliest path restoring ``facility`` within ``limit`` of it; -1 where none."""
    chosen = np.full(len(rows), -1, dtype=np.intp)
    if not len(rows) or limit is None:
        return chosen
    targets = ctx.rows_restoring(facility)
    first = ctx.paths.first(targets, RESTORE_CODE[facility])
    ends, projects = ctx.paths.ends, ctx.paths.projects
    for index, reachable in enumerate(ctx.reach.within(rows, targets, limit)):
        if len(reachable):
            candidates = first[np.searchsorted(targets, reachable)]
            chosen[index] = candidates[np.lexsort((projects[candidates], ends[candidates]))[0]]
    return chosen


def habitable_housing(criterion: Criterion, ctx: Context) -> Column:
    """Met when habitable units reach ``min_share`` of the expected households; unknown without figures.

    Expected when the housing projects of the settlement, earliest first, add up to the shortfall.
    """
    params = criterion.params
    assert isinstance(params, HousingParams)
    housing = ctx.housing
    records = ctx.latest_housing
    taken = np.maximum(records, 0)

    def figure(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.where(records >= 0, values[taken], np.nan) if len(housing.ids) else np.full(len(records), np.nan)

    habitable = figure(housing.habitable)
    expected_households = ctx.households.households(ctx.settlements, ctx.rows)
    required = params.min_share * expected_households
    unknown = np.isnan(habitable) | np.isnan(required)
    outcomes = np.where(habitable >= required, MET, np.where(unknown, UNKNOWN, NOT_MET)).astype(np.int8)
    not_met = np.flatnonzero(outcomes == NOT_MET)
    shortfall = (required - habitable)[not_met]
    paths = ctx.paths
    code = RESTORE_CODE[HOUSING]
    first, after = paths.span(ctx.rows[not_met], code)
    # Units are never negative, so the running total over all paths only grows: the first path whose
    # total, counted from the settlement's first path, reaches the shortfall is found by bisection.
    total = np.r_[0.0, np.cumsum(paths.units)]
    enough = np.searchsorted(total, total[first] + shortfall, side="left") - 1
    reached = np.maximum(enough, first) < after
    last = np.maximum(enough, first)
    expected = _no_dates(len(ctx.rows))
    expected[not_met] = paths.ends_at(np.where(reached, last, -1))
    if not ctx.evidence:
        return _column(criterion.key, outcomes, expected, None)
    source = ctx.households.source
    no_record = Evidence("note", None, "no housing record")
    not_known = Evidence("note", None, f"{source} not known")
    share = f"{params.min_share:.0%}"
    evidence: list[tuple[Evidence, ...]] = [
        (
            Evidence("housing", housing.ids[record], f"{units:.0f} habitable of {whole:.0f} units, {broken:.0f} damaged", units)
            if record >= 0
            else no_record,
            not_known
            if needed != needed  # NaN: the expected households are not known
            else Evidence("figure", None, f"{needed:.0f} habitable units needed: {share} of {households:.0f} expected households ({source})", needed),
        )
        for record, units, whole, broken, needed, households in zip(
            records.tolist(), habitable.tolist(), figure(housing.units_total).tolist(),
            figure(housing.damaged).tolist(), required.tolist(), expected_households.tolist(), strict=True,
        )
    ]  # fmt: skip
    for index, position in enumerate(not_met.tolist()):
        stop = int(last[index]) + 1 if reached[index] else int(after[index])
        found = [
            _project_evidence(ctx, path, f"{paths.units[path]:.0f} housing units")
            for path in range(int(first[index]), stop)
        ]
        if not reached[index]:
            added = float(total[stop] - total[first[index]])
            note = f"no forecast: planned or ongoing projects add {added:.0f} of the {shortfall[index]:.0f} units short"
            found.append(Evidence("note", None, note, float(shortfall[index]) - added))
        evidence[position] = (*evidence[position], *found)
    return _column(criterion.key, outcomes, expected, evidence)


EVALUATORS: dict[str, Evaluator] = {
    "no_hazard_in_residential_area": no_hazard_in_residential_area,
    "hazard_free_road_to_district_centre": hazard_free_road_to_district_centre,
    "water": service,
    "electricity": service,
    "heating": service,
    "school_within_reach": facility_within_reach,
    "health_post_within_reach": facility_within_reach,
    "habitable_housing": habitable_housing,
}
if EVALUATORS.keys() != PARAMS.keys():
    raise RuntimeError("every criterion kind needs both a parameters parser and an evaluator")
