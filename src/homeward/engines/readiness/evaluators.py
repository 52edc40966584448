"""One evaluator per criterion kind: vectorised outcomes and expected dates, then each settlement's evidence.

An evaluator takes the criterion and the shared :class:`Context` and returns a :class:`Column`:
outcome codes, expected dates and one :class:`CriterionResult` per evaluated settlement, in order.
Evidence is only built when the context asks for it. Adding a criterion kind is one such function
registered in :data:`EVALUATORS` (and its parameters' parser in ``criteria.PARAMS``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np
import numpy.typing as npt

from homeward.engines.readiness import columnwise
from homeward.engines.readiness.columnwise import pick
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
    return Column(outcomes, expected, columnwise.results(key, outcomes, evidence, expected))


def _no_dates(count: int) -> DateArray:
    return np.full(count, NO_DATE, dtype="datetime64[D]")


def _no_path(what: str) -> Evidence:
    return Evidence("note", None, f"no forecast: no planned or ongoing project restores {what}")


def _forecast_evidence(ctx: Context, paths: IndexArray, restores: str) -> list[Evidence]:
    """Per path, the evidence of its project, or that there is no forecast where there is no path (-1)."""
    found = [_no_path(restores)] * len(paths)
    planned = np.flatnonzero(paths >= 0)
    for position, quoted in zip(planned.tolist(), ctx.project_evidence(paths[planned], restores), strict=True):
        found[position] = quoted
    return found


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
    key = criterion.key
    clear = [columnwise.result(key, OUTCOMES[MET], (Evidence("note", None, f"no active hazardous area {place}"),)) for place in places]  # fmt: skip
    polygon = has_polygon(ctx.settlements, ctx.rows)
    results = np.empty(count, dtype=object)
    results.fill(clear[1])
    results[polygon] = columnwise.objects(repeat(clear[0]), int(polygon.sum()))
    if len(position):
        # One evidence per (settlement, area) pair, the pairs of a settlement together; each
        # distinct text (where the area lies, when it is expected to be cleared) written once.
        dates = clearance[hazard]
        point = ~polygon[position]

        def details(first: IndexArray) -> list[str]:
            written = np.datetime_as_string(dates[first]).tolist()
            return [
                f"active hazardous area {places[away]}; "
                + ("no expected clearance" if date == "NaT" else f"expected clearance {date}")
                for away, date in zip(point[first].astype(np.intp).tolist(), written, strict=True)
            ]

        ids = ctx.hazards.ids
        texts = columnwise.pooled([point, dates], details)
        # An area near several settlements is quoted the same way for each of them: one evidence, shared.
        found = columnwise.pooled(
            [hazard, point],
            lambda first: columnwise.evidence("hazard", pick(ids, hazard[first].tolist()), pick(texts, first.tolist())),
        )
        starts = np.flatnonzero(np.r_[True, position[1:] != position[:-1]])
        sizes = np.diff(np.r_[starts, len(position)])
        # A settlement with an undated area has no forecast: say which (the first of its undated areas).
        undated = np.flatnonzero(np.isnat(dates))
        group = np.searchsorted(starts, undated, side="right") - 1
        first = np.unique(group, return_index=True)[1]
        named = pick(ids, hazard[undated[first]].tolist())
        notes = columnwise.evidence(
            "note", named, [f"no forecast: hazardous area {name} has no expected clearance" for name in named]
        )
        at = position[starts]
        grouped = columnwise.runs(found, starts, sizes, (_at(len(starts), group[first]), notes))
        hits = columnwise.results(key, np.full(len(at), NOT_MET, dtype=np.int8), grouped, expected[at])
        results[at] = columnwise.objects(hits, len(hits))
    return Column(outcomes, expected, results.tolist())


def hazard_free_road_to_district_centre(criterion: Criterion, ctx: Context) -> Column:
    """What the road network says; expected when the hazardous areas blocking the route are cleared."""
    assert isinstance(criterion.params, RoadParams)
    checks = ctx.roads.routes_to_district_centre(ctx.settlements, ctx.hazards, ctx.rows)
    # A road network may answer many settlements with the same check: each distinct one is read once.
    distinct = {id(check): check for check in checks}
    code = {ident: OUTCOMES.index(check.outcome) for ident, check in distinct.items()}
    idents = list(map(id, checks))
    outcomes = np.fromiter(map(code.__getitem__, idents), dtype=np.int8, count=len(checks))
    expected = _no_dates(len(checks))
    evidence = [check.evidence for check in checks] if ctx.evidence else None
    clearance = date_array(ctx.hazards.expected_clearance)
    changed = []
    for position in np.flatnonzero(outcomes == NOT_MET).tolist():
        check = checks[position]
        if check.blocking_hazards:
            changed.append(position)
            dates = clearance[np.array(check.blocking_hazards, dtype=np.intp)]
            if np.isnat(dates).any():
                undated = ctx.hazards.ids[check.blocking_hazards[int(np.flatnonzero(np.isnat(dates))[0])]]
                note = Evidence("note", undated, f"no forecast: hazardous area {undated} has no expected clearance")
                if evidence is not None:
                    evidence[position] = (*check.evidence, note)
            else:
                expected[position] = dates.max()
    if evidence is None:
        return _column(criterion.key, outcomes, expected, None)
    # Settlements given the same check, without a date, share one result.
    key = criterion.key
    shared = {ident: columnwise.result(key, OUTCOMES[code[ident]], check.evidence) for ident, check in distinct.items()}
    results = pick(shared, idents)
    if changed:
        rows = np.array(changed, dtype=np.intp)
        own = columnwise.results(key, outcomes[rows], pick(evidence, changed), expected[rows])
        for position, result in zip(changed, own, strict=True):
            results[position] = result
    return Column(outcomes, expected, results)


def service(criterion: Criterion, ctx: Context) -> Column:
    """Met when any of the criterion's services works; unknown when none has a known status."""
    params = criterion.params
    assert isinstance(params, ServiceParams)
    count = len(ctx.rows)
    if not criterion.in_season(ctx.today.month):
        always = np.full(count, MET, dtype=np.int8)
        if not ctx.evidence:
            return _column(criterion.key, always, _no_dates(count), None)
        return Column(
            always, _no_dates(count), [columnwise.result(criterion.key, OUTCOMES[MET], NOT_IN_SEASON)] * count
        )
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
    parts: list[tuple[npt.NDArray[np.bool_], Sequence[Evidence]]] = []
    for column, kind in enumerate(kinds):
        quoted = records[:, column] >= 0
        parts.append((quoted, ctx.quotes.of(records[quoted, column])))
        parts.append((~quoted, [Evidence("note", None, f"no {kind} record")] * int(count - quoted.sum())))
    forecast = _forecast_evidence(ctx, paths, " or ".join(kinds))
    evidence = columnwise.assemble(count, [*parts, (outcomes == NOT_MET, forecast)])
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
    has_own = own >= 0
    # The nearest working facility: none, a neighbour's (not the settlement's own), or a facility point.
    nowhere = distance == np.inf
    neighbour = ~nowhere & place_closer & (places.found != rows)
    point = ~nowhere & ~place_closer
    nearest: list[Evidence] = [Evidence("note", None, f"no working {facility} known")] * len(rows)
    at = np.flatnonzero(neighbour)
    away = distance[at].tolist()
    names = pick(ctx.settlements.ids, places.found[at].tolist())
    quoted = columnwise.evidence(
        "service",
        pick(ctx.services.ids, ctx.latest_service[places.found[at], code].tolist()),
        [f"nearest working {facility}: in {name}, {km:.1f} {unit}" for name, km in zip(names, away, strict=True)],
        away,
    )
    for position, found in zip(at.tolist(), quoted, strict=True):
        nearest[position] = found
    at = np.flatnonzero(point)
    away = distance[at].tolist()
    quoted = columnwise.evidence(
        "facility",
        pick(ctx.services.facilities.ids, points.found[at].tolist()),
        [f"nearest working {facility}: {km:.1f} {unit}" for km in away],
        away,
    )
    for position, found in zip(at.tolist(), quoted, strict=True):
        nearest[position] = found
    named = nowhere | neighbour | point
    no_limit = Evidence("note", None, f"reach is measured in {unit} and the criterion sets no limit in {unit}")
    unlimited = ~met if limit is None else np.zeros(len(rows), dtype=np.bool_)
    what = f"a {facility} within {limit:g} {unit}" if limit is not None else f"a {facility}"
    evidence = columnwise.assemble(
        len(rows),
        [
            (has_own, ctx.quotes.of(own[has_own])),
            (named, pick(nearest, np.flatnonzero(named).tolist())),
            (unlimited, [no_limit] * int(unlimited.sum())),
            (outcomes == NOT_MET, _forecast_evidence(ctx, chosen, what)),
        ],
    )
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
    count = len(ctx.rows)
    # The housing record that counts: each distinct figure written once.
    given = np.flatnonzero(records >= 0)
    units = habitable[given]
    habitable_units, whole_units, damaged_units = (
        columnwise.formatted(values[given], ".0f") for values in (habitable, figure(housing.units_total), figure(housing.damaged))
    )  # fmt: skip
    quoted = columnwise.evidence(
        "housing",
        pick(housing.ids, records[given].tolist()),
        [
            f"{a} habitable of {b} units, {c} damaged"
            for a, b, c in zip(habitable_units, whole_units, damaged_units, strict=True)
        ],
        units.tolist(),
    )
    # The units needed follow from the expected households: one evidence per distinct number of households.
    share = f"{params.min_share:.0%}"
    needed, households = required.tolist(), expected_households.tolist()
    not_known = Evidence("note", None, f"{source} not known")

    def need(position: int) -> Evidence:
        value = needed[position]
        if value != value:  # NaN: the expected households are not known
            return not_known
        detail = f"{value:.0f} habitable units needed: {share} of {households[position]:.0f} expected households ({source})"  # fmt: skip
        return Evidence("figure", None, detail, value)

    needs = columnwise.pooled(
        [columnwise.float_bits(expected_households)], lambda first: [need(position) for position in first.tolist()]
    )
    record = np.zeros(count, dtype=np.bool_)
    record[given] = True
    no_record = Evidence("note", None, "no housing record")
    parts: list[tuple[npt.NDArray[np.bool_], Sequence[Evidence]]] = [
        (record, quoted),
        (~record, [no_record] * (count - len(given))),
        (np.ones(count, dtype=np.bool_), needs),
    ]
    if len(not_met):
        # The projects that add up to each shortfall, earliest first, then what is missing where they do not.
        stops = np.where(reached, last + 1, after)
        spans = stops - first
        starts = np.cumsum(spans) - spans
        chosen = (np.arange(int(spans.sum())) - np.repeat(starts, spans) + np.repeat(first, spans)).astype(np.intp)
        restores = [f"{text} housing units" for text in columnwise.formatted(paths.units[chosen], ".0f")]
        projects = columnwise.objects(ctx.project_evidence(chosen, restores), len(chosen))
        for nth in range(int(spans.max(initial=0))):
            more = spans > nth
            parts.append((_at(count, not_met[more]), projects[starts[more] + nth].tolist()))
        short = ~reached
        added = (total[stops] - total[first])[short]
        texts = columnwise.pooled(
            [columnwise.float_bits(added), columnwise.float_bits(shortfall[short])],
            lambda first: [
                f"no forecast: planned or ongoing projects add {adds:.0f} of the {lacks:.0f} units short"
                for adds, lacks in zip(added[first].tolist(), shortfall[short][first].tolist(), strict=True)
            ],
        )
        notes = columnwise.evidence("note", repeat(None), texts, (shortfall[short] - added).tolist())
        parts.append((_at(count, not_met[short]), notes))
    return _column(criterion.key, outcomes, expected, columnwise.assemble(count, parts))


def _at(count: int, positions: IndexArray) -> npt.NDArray[np.bool_]:
    """A mask of ``count`` positions, set at ``positions``."""
    mask = np.zeros(count, dtype=np.bool_)
    mask[positions] = True
    return mask


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
