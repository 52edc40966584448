"""Status and score: weighted share of met criteria, required criteria, and the unknown road."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pytest

from homeward.engines.geo import GeometryArray
from homeward.engines.readiness import (
    Evidence,
    Hazards,
    IndexArray,
    Outcome,
    RouteCheck,
    Settlements,
    default_criteria,
    load_criteria,
)

from .world import TODAY, World

ROAD = "hazard_free_road_to_district_centre"
TOTAL_WEIGHT = 14.0


class OpenRoads:
    """A road network that finds every route open."""

    def routes_to_district_centre(
        self, settlements: Settlements, hazards: Hazards, rows: IndexArray
    ) -> Sequence[RouteCheck]:
        return [
            RouteCheck(Outcome.MET, (Evidence("note", None, "route_open", 12.0, (("distance", 12.0), ("unit", "km"))),))
        ] * len(rows)

    def affected_by(self, settlements: Settlements, polygons: GeometryArray) -> IndexArray:
        raise NotImplementedError


def test_with_no_road_network_the_road_is_unknown_and_a_village_is_at_best_partly_ready() -> None:
    world = World()
    world.settlement("village")
    answer = world.evaluate()["village"]
    road = answer.criterion(ROAD)
    assert road.outcome == "unknown"
    assert [e.detail for e in road.evidence] == ["no road network loaded"]
    assert answer.status == "partly_ready"
    assert answer.score == pytest.approx(12 / TOTAL_WEIGHT)
    assert answer.blockers == (ROAD,)
    assert answer.earliest_ready == TODAY


def test_with_a_road_network_finding_the_road_open_every_criterion_is_met_and_it_is_ready() -> None:
    world = World()
    world.settlement("village")
    answer = world.evaluate(roads=OpenRoads())["village"]
    # A road network may say things the engine has no message for: they read as their code and parameters.
    assert answer.criterion(ROAD).evidence[0].detail == "route_open (distance 12.0, unit km)"
    assert (answer.status, answer.score, answer.blockers) == ("ready", 1.0, ())


def test_unknown_criteria_can_be_left_out_of_the_score() -> None:
    data = {
        "status": {"ready_score": 0.999, "partly_score": 0.5, "unknown": "excluded"},
        "criteria": {"water": {"weight": 1, "required": True}, ROAD: {"weight": 1, "required": True}},
    }
    world = World()
    world.settlement("village")
    answer = world.evaluate(load_criteria(data))["village"]
    assert answer.score == 1.0
    # Still not ready: a required criterion is not known to be met.
    assert answer.status == "partly_ready"


def test_a_required_criterion_not_met_makes_it_not_ready_whatever_the_score() -> None:
    world = World()
    world.settlement("village")
    world.drop_services("village", "water")
    world.service("village", "water", "not_working")
    answer = world.evaluate(roads=OpenRoads())["village"]
    assert answer.score == pytest.approx(12 / TOTAL_WEIGHT)
    assert answer.status == "not_ready"
    assert answer.blockers == ("water",)


def test_an_optional_criterion_not_met_only_lowers_the_score() -> None:
    world = World()
    world.settlement("village")
    world.drop_services("village", "school")
    answer = world.evaluate(roads=OpenRoads())["village"]
    assert answer.criterion("school_within_reach").outcome == "not_met"
    assert answer.score == pytest.approx(13 / TOTAL_WEIGHT)
    assert answer.status == "partly_ready"


def test_below_the_partly_ready_score_it_is_not_ready() -> None:
    world = World()
    world.settlement("village", good=False)
    answer = world.evaluate()["village"]
    # Only the hazard criterion (3 of 14) is met; the rest is unknown or not met.
    assert answer.score == pytest.approx(3 / TOTAL_WEIGHT)
    assert answer.status == "not_ready"
    assert answer.blockers == tuple(c.key for c in default_criteria().criteria[1:])


def test_a_higher_ready_score_or_weight_changes_the_status() -> None:
    criteria = default_criteria()
    world = World()
    world.settlement("village")
    world.drop_services("village", "school")
    lenient = dataclasses.replace(criteria, status=dataclasses.replace(criteria.status, ready_score=0.9))
    assert world.evaluate(lenient, roads=OpenRoads())["village"].status == "ready"
    assert world.evaluate(criteria, roads=OpenRoads())["village"].status == "partly_ready"
