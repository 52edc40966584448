"""Earliest-ready forecasts: planned ends plus the agency's delay, clearance dates, and blockers with no path."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from homeward.engines.readiness import (
    Readiness,
    agency_delays,
    default_criteria,
    evaluate,
    with_hazard_cleared,
    with_project_delay,
)

from .world import TODAY, World, square

END = dt.date(2027, 3, 1)


def broken_water() -> World:
    world = World()
    world.settlement("village")
    world.drop_services("village", "water")
    world.service("village", "water", "not_working")
    return world


def test_a_project_restoring_the_service_forecasts_its_planned_end_plus_the_agencys_mean_delay() -> None:
    world = broken_water()
    world.delays = {"water-agency": 30.2}
    world.project("P-water", "village", "water", END, agency="water-agency")
    answer = world.evaluate()["village"]
    result = answer.criterion("water")
    assert result.expected_date == END + dt.timedelta(days=31)
    project = result.evidence[-1]
    assert (project.kind, project.ref, project.value) == ("project", "P-water", pytest.approx(30.2))
    assert project.code == "project_restores" and dict(project.params)["delay_days"] == pytest.approx(30.2, abs=0.5)
    assert (
        "planned end 2027-03-01, expected 2027-04-01 (projects of agency water-agency end 30 days late on average)"
        in project.detail
    )
    assert answer.earliest_ready == END + dt.timedelta(days=31)


def test_an_agency_that_finishes_early_is_not_promised_earlier_than_planned() -> None:
    world = broken_water()
    world.delays = {"fast": -40.0}
    world.project("P", "village", "water", END, agency="fast")
    assert world.evaluate()["village"].criterion("water").expected_date == END


def test_an_overdue_project_is_expected_from_today_on() -> None:
    world = broken_water()
    world.project("late", "village", "water", TODAY - dt.timedelta(days=40))
    assert world.evaluate()["village"].criterion("water").expected_date == TODAY


def test_the_earliest_of_several_projects_counts() -> None:
    world = broken_water()
    world.project("later", "village", "water", END + dt.timedelta(days=100))
    world.project("sooner", "village", "water", END)
    world.project("elsewhere", "other", "water", END - dt.timedelta(days=100))
    world.settlement("other")
    result = world.evaluate()["village"].criterion("water")
    assert result.expected_date == END
    assert result.evidence[-1].ref == "sooner"


@pytest.mark.parametrize("status", ["completed", "cancelled", "suspended"])
def test_a_project_that_is_not_planned_or_ongoing_is_no_path_and_the_forecast_says_so(status: str) -> None:
    world = broken_water()
    world.project("P", "village", "water", END, status=status)
    answer = world.evaluate()["village"]
    result = answer.criterion("water")
    assert result.expected_date is None
    assert result.evidence[-1].kind == "note"
    assert result.evidence[-1].detail == "no forecast: no planned or ongoing project restores water"
    assert answer.earliest_ready is None


def test_housing_projects_add_up_earliest_first_until_the_shortfall_is_met() -> None:
    world = World()
    world.settlement("village", households=100.0)
    world.house("village", habitable=20.0)  # 50 needed, 30 short
    world.project("H1", "village", "housing", END, units=10)
    world.project("H3", "village", "housing", END + dt.timedelta(days=200), units=50)
    world.project("H2", "village", "housing", END + dt.timedelta(days=100), units=25)
    result = world.evaluate()["village"].criterion("habitable_housing")
    assert result.expected_date == END + dt.timedelta(days=100)
    assert [e.ref for e in result.evidence if e.kind == "project"] == ["H1", "H2"]


def test_housing_projects_that_do_not_add_up_leave_no_forecast() -> None:
    world = World()
    world.settlement("village", households=100.0)
    world.house("village", habitable=20.0)
    world.project("H1", "village", "housing", END, units=10)
    result = world.evaluate()["village"].criterion("habitable_housing")
    assert result.expected_date is None
    assert result.evidence[-1].detail == "no forecast: planned or ongoing projects add 10 of the 30 units short"
    assert result.evidence[-1].value == 20.0


def test_a_project_whose_site_lies_in_an_active_hazard_waits_for_its_clearance() -> None:
    world = broken_water()
    world.hazard("field", square(2_000, 0, 300), clears=END + dt.timedelta(days=60))
    world.project("P", "village", "water", END, site=square(2_000, 0, 50))
    result = world.evaluate()["village"].criterion("water")
    assert result.expected_date == END + dt.timedelta(days=60)
    assert "its site lies in active hazardous area field" in result.evidence[-1].detail
    world.hazards[-1] = ("field", world.hazards[-1][1], True, None)
    assert world.evaluate()["village"].criterion("water").expected_date is None


def test_a_school_project_within_reach_forecasts_the_school_criterion() -> None:
    world = World()
    world.settlement("village")
    world.drop_services("village", "school")
    world.settlement("near", 5_000, 0, good=False)
    world.settlement("far", 40_000, 0, good=False)
    world.project("far-school", "far", "school", END)
    assert world.evaluate()["village"].criterion("school_within_reach").expected_date is None
    world.project("near-school", "near", "school", END + dt.timedelta(days=10))
    result = world.evaluate()["village"].criterion("school_within_reach")
    assert result.expected_date == END + dt.timedelta(days=10)
    assert result.evidence[-1].ref == "near-school"


def test_earliest_ready_is_the_latest_blocker_date_and_unknowns_do_not_hold_it_back() -> None:
    world = broken_water()
    world.hazard("H", square(100, 0, 50), clears=END + dt.timedelta(days=300))
    world.project("P", "village", "water", END)
    answer = world.evaluate()["village"]
    assert answer.blockers == ("no_hazard_in_residential_area", "hazard_free_road_to_district_centre", "water")
    assert answer.earliest_ready == END + dt.timedelta(days=300)


def test_what_if_a_project_slips_three_months_or_an_area_is_cleared() -> None:
    world = broken_water()
    world.hazard("H", square(100, 0, 50), clears=END - dt.timedelta(days=30))
    world.project("P", "village", "water", END)
    inputs = world.inputs()

    def answer(**changed: Any) -> Readiness:
        return evaluate(**{**inputs, **changed}, criteria=default_criteria(), today=TODAY)[0]

    base = answer()
    assert (base.status, base.earliest_ready) == ("not_ready", END)
    slipped = answer(projects=with_project_delay(inputs["projects"], "P", 91))
    assert slipped.earliest_ready == END + dt.timedelta(days=91)
    cleared = answer(hazards=with_hazard_cleared(inputs["hazards"], "H"))
    assert cleared.criterion("no_hazard_in_residential_area").outcome == "met"
    assert cleared.blockers == ("hazard_free_road_to_district_centre", "water")
    # The originals are untouched.
    assert answer() == base


def test_agency_delays_are_the_mean_of_past_projects() -> None:
    history = [
        ("a", dt.date(2025, 1, 1), dt.date(2025, 1, 31)),
        ("a", dt.date(2025, 6, 1), dt.date(2025, 6, 11)),
        ("b", dt.date(2025, 6, 1), dt.date(2025, 5, 27)),
    ]
    assert agency_delays(history) == {"a": 20.0, "b": -5.0}
