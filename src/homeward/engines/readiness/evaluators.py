"""One evaluator per criterion kind: vectorised outcomes and expected dates, then each settlement's evidence.

An evaluator takes the criterion and the shared :class:`Context` and returns a :class:`Column`:
outcome codes and expected dates per evaluated settlement, in order, and the evidence as
:mod:`.facts` columns (what each fact says is a code and parameters, see :mod:`.messages`).
Evidence is only worked out when the context asks for it. Adding a criterion kind is one such function
registered in :data:`EVALUATORS` (and its parameters' parser in ``criteria.PARAMS``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
from homeward.engines.readiness.facts import FactColumns, Facts, quoted_per_position, where
from homeward.engines.readiness.inputs import KIND_CODE, NO_DATE, STATUS_CODE, DateArray, IndexArray, date_array
from homeward.engines.readiness.projects import RESTORE_CODE
from homeward.engines.readiness.residential import has_polygon
from homeward.engines.readiness.results import MET, NOT_MET, OUTCOMES, UNKNOWN, Evidence
from homeward.engines.readiness.vocabulary import HOUSING, ServiceStatus

WORKING = STATUS_CODE[ServiceStatus.WORKING]
PARTIAL = STATUS_CODE[ServiceStatus.PARTIAL]
STATUS_UNKNOWN = STATUS_CODE[ServiceStatus.UNKNOWN]
Outcomes = npt.NDArray[np.int8]


@dataclass(frozen=True)
class Column:
    """One criterion over the evaluated settlements: outcome codes, expected dates (``NaT``: none), and
    the evidence as :mod:`.facts` columns (``None`` when the context does not ask for evidence)."""

    outcomes: Outcomes
    expected: DateArray
    facts: tuple[Facts, ...] | None


Evaluator = Callable[[Criterion, Context], Column]


def _no_dates(count: int) -> DateArray:
    return np.full(count, NO_DATE, dtype="datetime64[D]")


def _everywhere(count: int) -> npt.NDArray[np.bool_]:
    return np.ones(count, dtype=np.bool_)


def _forecast(
    ctx: Context, positions: IndexArray, paths: IndexArray, restores: tuple[str, ...], no_path: FactColumns
) -> list[Facts]:
    """Per position, the project behind its path, or ``no_path`` (given at every position) where it has none (-1)."""
    planned = paths >= 0
    missing = positions[~planned]
    return [
        ctx.project_facts(positions[planned], paths[planned], restores=restores),
        FactColumns(missing, no_path.kind, no_path.code, shared=no_path.shared),
    ]


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
        return Column(outcomes, expected, None)
    metres = (("metres", params.buffer_m),)
    polygon = has_polygon(ctx.settlements, ctx.rows)
    hit = ~_everywhere(count)
    hit[position] = True
    facts: list[Facts] = [
        where(polygon & ~hit, "note", "no_hazard_in_area"),
        where(~polygon & ~hit, "note", "no_hazard_near_point", shared=metres),
    ]
    # One fact per (settlement, area) pair, the pairs of a settlement together.
    dates = clearance[hazard]
    refs = pick(ctx.hazards.ids, hazard.tolist())
    cleared = columnwise.iso_dates(dates)
    for inside, code, shared in (
        (polygon[position], "hazard_in_area", ()),
        (~polygon[position], "hazard_near_point", metres),
    ):
        chosen = np.flatnonzero(inside).tolist()
        facts.append(
            FactColumns(
                position[inside],
                "hazard",
                code,
                pick(refs, chosen),
                shared=shared,
                varying=(("clearance", pick(cleared, chosen)),),
            )
        )
    # A settlement with an undated area has no forecast: say which (the first of its undated areas).
    undated = np.flatnonzero(np.isnat(dates))
    first = undated[np.unique(position[undated], return_index=True)[1]]
    named = pick(refs, first.tolist())
    facts.append(FactColumns(position[first], "note", "hazard_not_dated", named, varying=(("hazard", named),)))
    return Column(outcomes, expected, tuple(facts))


def hazard_free_road_to_district_centre(criterion: Criterion, ctx: Context) -> Column:
    """What the road network says; expected when the hazardous areas blocking the route are cleared."""
    assert isinstance(criterion.params, RoadParams)
    checks = ctx.roads.routes_to_district_centre(ctx.settlements, ctx.hazards, ctx.rows)
    # A road network may answer many settlements with the same check: each distinct one is read once.
    distinct = {id(check): check for check in checks}
    code = {ident: OUTCOMES.index(check.outcome) for ident, check in distinct.items()}
    outcomes = np.fromiter(map(code.__getitem__, map(id, checks)), dtype=np.int8, count=len(checks))
    expected = _no_dates(len(checks))
    evidence = [check.evidence for check in checks] if ctx.evidence else None
    clearance = date_array(ctx.hazards.expected_clearance)
    for position in np.flatnonzero(outcomes == NOT_MET).tolist():
        check = checks[position]
        if check.blocking_hazards:
            dates = clearance[np.array(check.blocking_hazards, dtype=np.intp)]
            if np.isnat(dates).any():
                undated = ctx.hazards.ids[check.blocking_hazards[int(np.flatnonzero(np.isnat(dates))[0])]]
                note = Evidence("note", undated, "hazard_not_dated", None, (("hazard", undated),))
                if evidence is not None:
                    evidence[position] = (*check.evidence, note)
            else:
                expected[position] = dates.max()
    return Column(outcomes, expected, None if evidence is None else (quoted_per_position(evidence),))


def service(criterion: Criterion, ctx: Context) -> Column:
    """Met when any of the criterion's services works; unknown when none has a known status."""
    params = criterion.params
    assert isinstance(params, ServiceParams)
    count = len(ctx.rows)
    if not criterion.in_season(ctx.today.month):
        always = np.full(count, MET, dtype=np.int8)
        in_season = (where(_everywhere(count), "note", "not_in_season"),) if ctx.evidence else None
        return Column(always, _no_dates(count), in_season)
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
        return Column(outcomes, expected, None)
    records = ctx.latest_service[ctx.rows][:, columns]
    facts: list[Facts] = []
    for column, kind in enumerate(kinds):
        quoted = records[:, column] >= 0
        facts.append(ctx.quotes.facts(np.flatnonzero(quoted), records[quoted, column]))
        facts.append(where(~quoted, "note", "no_service_record", shared=(("service", kind),)))
    no_path = FactColumns(not_met, "note", "no_project_restores", shared=(("services", kinds),))
    facts.extend(_forecast(ctx, not_met.astype(np.intp), paths, kinds, no_path))
    return Column(outcomes, expected, tuple(facts))


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
        return Column(outcomes, expected, None)
    own = ctx.latest_service[rows, code]
    has_own = own >= 0
    # The nearest working facility: none, a neighbour's (not the settlement's own), or a facility point.
    nowhere = distance == np.inf
    neighbour = ~nowhere & place_closer & (places.found != rows)
    point = ~nowhere & ~place_closer
    what = (("facility", facility), ("unit", unit))
    at = np.flatnonzero(neighbour)
    away = distance[at]
    names = pick(ctx.settlements.ids, places.found[at].tolist())
    nearby = FactColumns(
        at,
        "service",
        "nearest_facility_in",
        pick(ctx.services.ids, ctx.latest_service[places.found[at], code].tolist()),
        away,
        what,
        (("settlement", names), ("distance", away.tolist())),
    )
    at = np.flatnonzero(point)
    away = distance[at]
    facilities = FactColumns(
        at,
        "facility",
        "nearest_facility",
        pick(ctx.services.facilities.ids, points.found[at].tolist()),
        away,
        what,
        (("distance", away.tolist()),),
    )
    unlimited = ~met if limit is None else np.zeros(len(rows), dtype=np.bool_)
    if limit is None:
        no_path = FactColumns(not_met, "note", "no_project_restores", shared=(("services", (facility,)),))
    else:
        no_path = FactColumns(not_met, "note", "no_project_restores_within", shared=(*what, ("limit", limit)))
    facts: list[Facts] = [
        ctx.quotes.facts(np.flatnonzero(has_own), own[has_own]),
        where(nowhere, "note", "no_working_facility", shared=what[:1]),
        nearby,
        facilities,
        where(unlimited, "note", "no_reach_limit", shared=what[1:]),
        *_forecast(ctx, not_met.astype(np.intp), chosen, (facility,), no_path),
    ]
    return Column(outcomes, expected, tuple(facts))


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
        return Column(outcomes, expected, None)
    source = (("source", ctx.households.source),)
    count = len(ctx.rows)
    # The housing record that counts.
    given = np.flatnonzero(records >= 0)
    record = np.zeros(count, dtype=np.bool_)
    record[given] = True
    figures = (
        (name, columnwise.optional_floats(values[given]))
        for name, values in (
            ("habitable", habitable),
            ("units", figure(housing.units_total)),
            ("damaged", figure(housing.damaged)),
        )
    )
    # The units needed follow from the expected households.
    known = ~np.isnan(required)
    facts: list[Facts] = [
        FactColumns(
            given,
            "housing",
            "housing_record",
            pick(housing.ids, records[given].tolist()),
            habitable[given],
            varying=tuple(figures),
        ),
        where(~record, "note", "no_housing_record"),
        FactColumns(
            np.flatnonzero(known),
            "figure",
            "housing_needed",
            values=required[known],
            shared=(("share", params.min_share), *source),
            varying=(("needed", required[known].tolist()), ("households", expected_households[known].tolist())),
        ),
        where(~known, "note", "households_not_known", shared=source),
    ]
    if len(not_met):
        # The projects that add up to each shortfall, earliest first, then what is missing where they do not.
        stops = np.where(reached, last + 1, after)
        spans = stops - first
        starts = np.cumsum(spans) - spans
        chosen = (np.arange(int(spans.sum())) - np.repeat(starts, spans) + np.repeat(first, spans)).astype(np.intp)
        facts.append(ctx.project_facts(np.repeat(not_met, spans).astype(np.intp), chosen, units=paths.units[chosen]))
        short = ~reached
        added = (total[stops] - total[first])[short]
        lacking = shortfall[short]
        facts.append(
            FactColumns(
                not_met[short].astype(np.intp),
                "note",
                "housing_short",
                values=lacking - added,
                varying=(("added", added.tolist()), ("short", lacking.tolist())),
            )
        )
    return Column(outcomes, expected, tuple(facts))


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
