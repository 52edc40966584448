"""A school and a health post within reach: the settlement's own, a neighbour's, or a facility point."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from homeward.engines.readiness import IndexArray, Nearest, ReachParams, ReachUnit, default_criteria

from .world import World

KEY = "school_within_reach"


def without_school() -> World:
    world = World()
    world.settlement("village")
    world.drop_services("village", "school")
    return world


def test_a_working_school_in_the_settlement_is_met_at_no_distance() -> None:
    world = World()
    world.settlement("village")
    result = world.evaluate()["village"].criterion(KEY)
    assert result.outcome == "met"
    assert [(e.kind, e.detail) for e in result.evidence] == [("service", "school: working as of 2026-06-01")]


def test_a_working_school_point_within_15_km_is_met_naming_it_and_its_distance() -> None:
    world = without_school()
    world.facility("school-10km", "school", 10_000, 0)
    world.facility("school-12km", "school", 0, 12_000)
    result = world.evaluate()["village"].criterion(KEY)
    assert result.outcome == "met"
    (evidence,) = result.evidence
    assert (evidence.kind, evidence.ref) == ("facility", "school-10km")
    assert evidence.value == pytest.approx(10.0, abs=0.05)
    assert "10.0 km" in evidence.detail


def test_a_school_beyond_reach_or_closed_does_not_count() -> None:
    world = without_school()
    world.facility("closed", "school", 3_000, 0, working=False)
    world.facility("far", "school", 20_000, 0)
    result = world.evaluate()["village"].criterion(KEY)
    assert result.outcome == "not_met"
    assert result.evidence[0].ref == "far"
    assert result.evidence[0].value == pytest.approx(20.0, abs=0.05)


def test_no_working_school_anywhere_is_not_met_with_a_note() -> None:
    world = without_school()
    world.facility("closed", "school", 3_000, 0, working=False)
    result = world.evaluate()["village"].criterion(KEY)
    assert result.outcome == "not_met"
    assert result.evidence[0].detail == "no working school known"


def test_a_neighbours_working_school_counts_citing_its_record() -> None:
    world = without_school()
    world.settlement("town", 8_000, 0)
    record = next(row[0] for row in world.services if row[1] == "town" and row[2] == "school")
    result = world.evaluate()["village"].criterion(KEY)
    assert result.outcome == "met"
    assert (result.evidence[0].kind, result.evidence[0].ref) == ("service", record)
    assert "in town" in result.evidence[0].detail


def test_an_own_school_of_unknown_status_with_none_in_reach_is_unknown() -> None:
    world = without_school()
    world.service("village", "school", "unknown")
    assert world.evaluate()["village"].criterion(KEY).outcome == "unknown"
    world.facility("near", "school", 2_000, 0)
    assert world.evaluate()["village"].criterion(KEY).outcome == "met"


def test_the_health_post_criterion_looks_for_health_posts_only() -> None:
    world = World()
    world.settlement("village")
    world.drop_services("village", "health_post")
    world.facility("school", "school", 1_000, 0)
    assert world.evaluate()["village"].criterion("health_post_within_reach").outcome == "not_met"


class TravelTimes:
    """A travel-time reach, as a routing engine would plug in: every facility 25 minutes away."""

    unit: ReachUnit = "min"

    def nearest(self, rows: IndexArray, facility_kind: str) -> Nearest:
        return Nearest(np.zeros(len(rows), dtype=np.intp), np.full(len(rows), 25.0), "min")

    def nearest_among(self, rows: IndexArray, targets: IndexArray) -> Nearest:
        return Nearest.none(len(rows), "min")

    def within(self, rows: IndexArray, targets: IndexArray, limit: float) -> list[IndexArray]:
        return [targets[:0] for _ in rows]


def test_a_travel_time_reach_plugs_in_and_needs_a_limit_in_minutes() -> None:
    world = without_school()
    world.facility("school", "school", 50_000, 0)
    inputs = world.inputs()
    no_limit = world.evaluate(reach=TravelTimes())["village"].criterion(KEY)
    assert no_limit.outcome == "unknown"
    assert "no limit in min" in no_limit.evidence[-1].detail
    criteria = default_criteria()
    params = ReachParams(facility=criteria[KEY].params.facility, max_km=15.0, max_minutes=30.0)  # type: ignore[union-attr]
    timed = dataclasses.replace(criteria[KEY], params=params)
    changed = dataclasses.replace(criteria, criteria=tuple(timed if c.key == KEY else c for c in criteria.criteria))
    result = world.evaluate(changed, reach=TravelTimes())["village"].criterion(KEY)
    assert result.outcome == "met"
    assert result.evidence[0].detail == "nearest working school: 25.0 min"
    assert inputs["services"].facilities.ids == ("school",)
