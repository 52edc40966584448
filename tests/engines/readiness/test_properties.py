"""Properties over random worlds: statuses agree with the rule, and a new hazardous area never helps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homeward.engines.geo import GeometryArray
from homeward.engines.readiness import (
    Evidence,
    Hazards,
    IndexArray,
    Outcome,
    Readiness,
    RouteCheck,
    Settlements,
    default_criteria,
)

from .world import TODAY, random_world, square

RANK = {"not_ready": 0, "partly_ready": 1, "ready": 2}
CRITERIA = default_criteria()
REQUIRED = {criterion.key for criterion in CRITERIA.criteria if criterion.required}


class OpenRoads:
    def routes_to_district_centre(
        self, settlements: Settlements, hazards: Hazards, rows: IndexArray
    ) -> Sequence[RouteCheck]:
        return [RouteCheck(Outcome.MET, (Evidence("note", None, "open"),))] * len(rows)

    def affected_by(self, settlements: Settlements, polygons: GeometryArray) -> IndexArray:
        raise NotImplementedError


def assert_consistent(answer: Readiness) -> None:
    assert 0.0 <= answer.score <= 1.0
    outcomes = {result.key: result.outcome for result in answer.criteria}
    required_not_met = any(outcomes[key] == "not_met" for key in REQUIRED)
    if answer.status == "ready":
        assert all(outcomes[key] == "met" for key in REQUIRED)
        assert answer.score >= CRITERIA.status.ready_score
    elif answer.status == "partly_ready":
        assert not required_not_met
        assert answer.score >= CRITERIA.status.partly_score
    else:
        assert required_not_met or answer.score < CRITERIA.status.partly_score
    assert answer.blockers == tuple(result.key for result in answer.criteria if result.outcome != "met")
    not_met = [result for result in answer.criteria if result.outcome == "not_met"]
    if any(result.expected_date is None for result in not_met):
        assert answer.earliest_ready is None
    else:
        assert answer.earliest_ready == max([TODAY, *(result.expected_date for result in not_met)])  # type: ignore[type-var]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    east=st.floats(-500, 8_500),
    north=st.floats(-500, 8_500),
    side=st.floats(10, 3_000),
    clears=st.none() | st.dates(TODAY, TODAY + dt.timedelta(days=2_000)),
    roads=st.booleans(),
)
def test_an_added_active_hazardous_area_never_improves_a_settlement(
    seed: int, east: float, north: float, side: float, clears: dt.date | None, roads: bool
) -> None:
    world = random_world(seed, 12, span_m=8_000)
    network = OpenRoads() if roads else None
    before = world.evaluate(CRITERIA, roads=network)
    world.hazard("new", square(east, north, side), clears=clears)
    after = world.evaluate(CRITERIA, roads=network)
    for settlement_id, old in before.items():
        new = after[settlement_id]
        assert_consistent(old)
        assert_consistent(new)
        assert RANK[new.status] <= RANK[old.status]
        assert new.score <= old.score
        if new.earliest_ready is not None:
            assert old.earliest_ready is not None
            assert new.earliest_ready >= old.earliest_ready
