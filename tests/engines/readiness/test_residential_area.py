"""No hazardous area in the residential area: the point's buffer or the settlement's polygon, decided exactly."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest
import shapely

from homeward.engines.readiness import ResidentialAreaParams, default_criteria
from homeward.engines.readiness.residential import hazard_pairs, residential_areas

from .world import TODAY, World, square

KEY = "no_hazard_in_residential_area"


def test_an_active_area_within_the_buffer_blocks_return_naming_the_area_and_its_clearance() -> None:
    world = World()
    world.settlement("village")
    world.hazard("CHA-7", square(150, 0, 100), clears=dt.date(2027, 5, 1))
    answer = world.evaluate()["village"]
    result = answer.criterion(KEY)
    assert result.outcome == "not_met"
    assert [(e.kind, e.ref) for e in result.evidence] == [("hazard", "CHA-7")]
    assert "within 300 m" in result.evidence[0].detail
    assert "2027-05-01" in result.evidence[0].detail
    assert result.expected_date == dt.date(2027, 5, 1)
    assert answer.status == "not_ready"
    assert KEY in answer.blockers


def test_released_and_distant_areas_do_not_count() -> None:
    world = World()
    world.settlement("village")
    world.hazard("released", square(0, 0, 200), active=False)
    # Its nearest edge is 320 m east of the point, beyond the 300 m buffer.
    world.hazard("beyond", square(370, 0, 100))
    result = world.evaluate()["village"].criterion(KEY)
    assert result.outcome == "met"
    assert result.evidence[0].kind == "note"
    assert "no active hazardous area within 300 m" in result.evidence[0].detail


def test_a_settlement_polygon_replaces_the_buffer() -> None:
    world = World()
    # The village stretches 1 km east of its point, not west.
    world.settlement("village", polygon=shapely.box(*square(500, 0, 1000).bounds))
    world.hazard("west", square(-250, 0, 100))
    world.hazard("east", square(900, 0, 100), clears=dt.date(2027, 1, 1))
    result = world.evaluate()["village"].criterion(KEY)
    assert result.outcome == "not_met"
    assert [e.ref for e in result.evidence] == ["east"]
    assert "in the residential area" in result.evidence[0].detail


def test_every_area_in_it_must_be_cleared_so_the_latest_clearance_counts() -> None:
    world = World()
    world.settlement("village")
    world.hazard("early", square(100, 0, 50), clears=dt.date(2027, 3, 1))
    world.hazard("late", square(-100, 0, 50), clears=dt.date(2028, 6, 1))
    assert world.evaluate()["village"].criterion(KEY).expected_date == dt.date(2028, 6, 1)


def test_an_area_with_no_clearance_plan_leaves_no_forecast_and_is_named() -> None:
    world = World()
    world.settlement("village")
    world.hazard("planned", square(100, 0, 50), clears=dt.date(2027, 3, 1))
    world.hazard("unplanned", square(-100, 0, 50), clears=None)
    answer = world.evaluate()["village"]
    result = answer.criterion(KEY)
    assert result.expected_date is None
    assert any(e.kind == "note" and e.ref == "unplanned" and "no forecast" in e.detail for e in result.evidence)
    assert answer.earliest_ready is None


@pytest.mark.parametrize("buffer_m", [300.0, 75.0, 2_000.0])
def test_the_buffer_edge_is_decided_exactly_as_the_reprojected_polygon_would(buffer_m: float) -> None:
    # Squares whose nearest edge lies from 3 % inside to 3 % outside the circle, all around it.
    world = World()
    world.settlement("village")
    rng = np.random.default_rng(11)
    for number in range(400):
        bearing = rng.uniform(0, 2 * np.pi)
        side = rng.uniform(5, 60)
        gap = buffer_m * rng.uniform(0.97, 1.03) + side / 2
        world.hazard(f"h{number}", square(gap * np.sin(bearing), gap * np.cos(bearing), side))
    inputs = world.inputs()
    settlements, hazards = inputs["settlements"], inputs["hazards"]
    rows = np.arange(1)
    position, found = hazard_pairs(settlements, hazards, rows, buffer_m)
    exact = np.flatnonzero(shapely.intersects(residential_areas(settlements, rows, buffer_m)[0], hazards.polygons))
    assert 50 < len(exact) < 350
    assert found.tolist() == exact.tolist()
    assert (position == 0).all()


def test_the_criterion_follows_the_configured_buffer() -> None:
    world = World()
    world.settlement("village")
    world.hazard("near", square(450, 0, 50))
    criteria = default_criteria()
    assert world.evaluate(criteria)["village"].criterion(KEY).outcome == "met"
    wider = dataclasses.replace(criteria[KEY], params=ResidentialAreaParams(buffer_m=500.0))
    changed = dataclasses.replace(criteria, criteria=(wider, *criteria.criteria[1:]))
    result = world.evaluate(changed)["village"].criterion(KEY)
    assert result.outcome == "not_met"
    assert "within 500 m" in result.evidence[0].detail


def test_today_does_not_change_the_hazard_outcome() -> None:
    world = World()
    world.settlement("village")
    world.hazard("h", square(0, 0, 50))
    assert world.evaluate(today=TODAY + dt.timedelta(days=200))["village"].criterion(KEY).outcome == "not_met"
