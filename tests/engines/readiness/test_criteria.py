"""Criteria are configuration: the defaults load, and a bad file is refused naming the criterion and field."""

from __future__ import annotations

import copy
import tomllib
from importlib import resources
from typing import Any

import pytest

from homeward.engines.readiness import (
    CriteriaError,
    HousingParams,
    ReachParams,
    ResidentialAreaParams,
    ServiceKind,
    ServiceParams,
    default_criteria,
    load_criteria,
)

from .world import World


def default_data() -> dict[str, Any]:
    text = resources.files("homeward.engines.readiness").joinpath("default_criteria.toml").read_text("utf-8")
    return tomllib.loads(text)


def test_the_default_criteria_load_in_file_order_with_their_thresholds() -> None:
    criteria = default_criteria()
    assert [criterion.key for criterion in criteria.criteria] == [
        "no_hazard_in_residential_area",
        "hazard_free_road_to_district_centre",
        "water",
        "electricity",
        "heating",
        "school_within_reach",
        "health_post_within_reach",
        "habitable_housing",
    ]
    assert criteria["no_hazard_in_residential_area"].params == ResidentialAreaParams(buffer_m=300.0)
    assert criteria["school_within_reach"].params == ReachParams(facility=ServiceKind.SCHOOL, max_km=15.0)
    assert criteria["health_post_within_reach"].params == ReachParams(facility=ServiceKind.HEALTH_POST, max_km=15.0)
    assert criteria["heating"].months == frozenset({10, 11, 12, 1, 2, 3, 4})
    assert criteria["heating"].params == ServiceParams((ServiceKind.HEATING, ServiceKind.GAS))
    assert criteria["habitable_housing"].params == HousingParams(min_share=0.5)
    assert [c.key for c in criteria.criteria if c.required] == [
        "no_hazard_in_residential_area",
        "hazard_free_road_to_district_centre",
        "water",
        "electricity",
        "habitable_housing",
    ]
    assert (criteria.status.ready_score, criteria.status.partly_score, criteria.status.unknown) == (
        0.999,
        0.5,
        "not_met",
    )


def _set(path: tuple[str, ...], value: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _drop(path: tuple[str, ...]) -> Any:
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


@pytest.mark.parametrize(
    ("change", "criterion", "field"),
    [
        (_set(("criteria", "swimming_pool"), {"weight": 1.0}), "swimming_pool", "key"),
        (_set(("criteria", "water", "weight"), -1.0), "water", "weight"),
        (_set(("criteria", "water", "weight"), 0), "water", "weight"),
        (_set(("criteria", "water", "weight"), "heavy"), "water", "weight"),
        (_set(("criteria", "school_within_reach", "max_km"), -15.0), "school_within_reach", "max_km"),
        (
            _set(("criteria", "no_hazard_in_residential_area", "buffer_m"), 0.0),
            "no_hazard_in_residential_area",
            "buffer_m",
        ),
        (_set(("criteria", "habitable_housing", "min_share"), -0.5), "habitable_housing", "min_share"),
        (_set(("criteria", "heating", "months"), [10, 13]), "heating", "months"),
        (_set(("criteria", "heating", "months"), [0]), "heating", "months"),
        (_set(("criteria", "heating", "months"), []), "heating", "months"),
        (_drop(("criteria", "school_within_reach", "max_km")), "school_within_reach", "max_km"),
        (_drop(("criteria", "no_hazard_in_residential_area", "buffer_m")), "no_hazard_in_residential_area", "buffer_m"),
        (_drop(("criteria", "water", "weight")), "water", "weight"),
        (_set(("criteria", "water", "radius_km"), 3.0), "water", "radius_km"),
        (_set(("criteria", "water", "services"), ["teleport"]), "water", "services"),
        (_set(("criteria", "water", "required"), "yes"), "water", "required"),
        (_set(("criteria", "school_within_reach", "facility"), "stadium"), "school_within_reach", "facility"),
        (_set(("status", "partly_score"), 0.9999), "status", "partly_score"),
        (_set(("status", "ready_score"), 1.5), "status", "ready_score"),
        (_set(("status", "unknown"), "maybe"), "status", "unknown"),
        (_set(("criteria",), {}), "criteria", "criteria"),
    ],
)
def test_a_bad_criteria_file_is_refused_naming_the_criterion_and_field(change: Any, criterion: str, field: str) -> None:
    data = copy.deepcopy(default_data())
    change(data)
    with pytest.raises(CriteriaError) as refused:
        load_criteria(data)
    assert (refused.value.criterion, refused.value.field) == (criterion, field)
    assert criterion in str(refused.value)
    assert field in str(refused.value)


def test_a_deployment_can_choose_fewer_criteria_and_other_weights() -> None:
    criteria = load_criteria(
        {
            "status": {"ready_score": 0.999, "partly_score": 0.5},
            "criteria": {
                "water": {"weight": 5, "required": True},
                "habitable_housing": {"weight": 1, "min_share": 1.0},
            },
        }
    )
    world = World()
    world.settlement("village", households=100.0)
    world.house("village", habitable=80.0)
    answer = world.evaluate(criteria)["village"]
    assert [result.key for result in answer.criteria] == ["water", "habitable_housing"]
    assert answer.score == pytest.approx(5 / 6)
    assert answer.status == "partly_ready"


def test_the_criteria_digest_changes_with_any_threshold() -> None:
    data = default_data()
    changed = copy.deepcopy(data)
    changed["criteria"]["school_within_reach"]["max_km"] = 20.0
    assert load_criteria(data).digest == default_criteria().digest
    assert load_criteria(changed).digest != default_criteria().digest
