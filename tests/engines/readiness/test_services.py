"""Water, electricity and heating: the service record that counts, its evidence, and the heating season."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from homeward.engines.readiness import InputError, ServiceParams, Services, default_criteria

from .world import TODAY, World


def village(**statuses: str | None) -> World:
    """A settlement whose every criterion holds but for the services given (None: no record)."""
    world = World()
    world.settlement("village")
    for kind, status in statuses.items():
        world.drop_services("village", kind)
        if status is not None:
            world.service("village", kind, status)
    return world


def test_a_working_service_is_met_citing_its_record() -> None:
    result = village(water="working").evaluate()["village"].criterion("water")
    assert result.outcome == "met"
    assert len(result.evidence) == 1
    assert result.evidence[0].kind == "service"
    assert result.evidence[0].ref is not None
    assert result.evidence[0].detail == "water: working as of 2026-06-01"


def test_a_broken_service_is_not_met_and_blocks_when_required() -> None:
    answer = village(water="not_working").evaluate()["village"]
    result = answer.criterion("water")
    assert result.outcome == "not_met"
    assert result.evidence[0].detail.startswith("water: not working")
    assert answer.status == "not_ready"


@pytest.mark.parametrize("status", [None, "unknown"])
def test_a_service_with_no_record_or_an_unknown_status_is_unknown(status: str | None) -> None:
    answer = village(electricity=status).evaluate()["village"]
    result = answer.criterion("electricity")
    assert result.outcome == "unknown"
    assert result.expected_date is None
    if status is None:
        assert result.evidence[0].detail == "no electricity record"
    assert "electricity" in answer.blockers


def test_partial_service_counts_only_where_the_criteria_accept_it() -> None:
    world = village(water="partial")
    assert world.evaluate()["village"].criterion("water").outcome == "not_met"
    criteria = default_criteria()
    lenient = dataclasses.replace(criteria["water"], params=ServiceParams(criteria["water"].params.services, True))  # type: ignore[union-attr]
    changed = dataclasses.replace(
        criteria, criteria=tuple(lenient if c.key == "water" else c for c in criteria.criteria)
    )
    assert world.evaluate(changed)["village"].criterion("water").outcome == "met"


def test_the_latest_record_counts_and_an_undated_one_never_outranks_a_dated_one() -> None:
    world = village(water=None)
    world.service("village", "water", "working", dt.date(2025, 1, 1))
    newer = world.service("village", "water", "not_working", dt.date(2026, 3, 1))
    world.service("village", "water", "working", None)
    result = world.evaluate()["village"].criterion("water")
    assert result.outcome == "not_met"
    assert result.evidence[0].ref == newer


def test_heating_is_met_by_gas_in_the_cold_months_and_not_judged_in_summer() -> None:
    both_down = village(heating="not_working", gas="not_working")
    assert both_down.evaluate()["village"].criterion("heating").outcome == "not_met"
    gas = village(heating="not_working", gas="working")
    result = gas.evaluate()["village"].criterion("heating")
    assert result.outcome == "met"
    assert [e.detail.split(":")[0] for e in result.evidence] == ["heating", "gas"]
    summer = both_down.evaluate(today=dt.date(2027, 7, 15))["village"].criterion("heating")
    assert summer.outcome == "met"
    assert [e.detail for e in summer.evidence] == ["not in season"]
    assert both_down.evaluate(today=dt.date(2027, 4, 30))["village"].criterion("heating").outcome == "not_met"
    assert both_down.evaluate(today=dt.date(2027, 5, 1))["village"].criterion("heating").outcome == "met"


def test_heating_is_unknown_only_when_neither_heating_nor_gas_is_known() -> None:
    assert village(heating=None, gas=None).evaluate()["village"].criterion("heating").outcome == "unknown"
    assert village(heating=None, gas="not_working").evaluate()["village"].criterion("heating").outcome == "not_met"


def test_a_record_for_a_settlement_that_does_not_exist_is_refused_naming_it() -> None:
    world = village()
    world.service("nowhere", "water", "working")
    with pytest.raises(InputError) as refused:
        world.evaluate()
    assert refused.value.field == "services.settlement_ids"
    assert refused.value.row == len(world.services) - 1
    assert "nowhere" in str(refused.value)


def test_an_unknown_status_or_kind_is_refused_naming_the_row() -> None:
    def services(kind: str, status: str) -> Services:
        return Services(["r0", "r1"], ["v", "v"], ["water", kind], ["working", status], np.full(2, np.nan), [TODAY] * 2)

    with pytest.raises(InputError) as refused:
        services("water", "flowing")
    assert (refused.value.field, refused.value.row) == ("services.statuses", 1)
    with pytest.raises(InputError) as refused:
        services("swimming_pool", "working")
    assert (refused.value.field, refused.value.row) == ("services.kinds", 1)
