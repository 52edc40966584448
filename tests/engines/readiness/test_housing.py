"""Habitable housing for the households expected to return; the expected households are an interface."""

from __future__ import annotations

import numpy as np
import pytest

from homeward.engines.readiness import FloatArray, IndexArray, Settlements

from .world import World

KEY = "habitable_housing"


def test_enough_habitable_units_are_met_with_the_figures_as_evidence() -> None:
    world = World()
    world.settlement("village", households=100.0)
    record = world.house("village", habitable=60.0, total=120.0)
    result = world.evaluate()["village"].criterion(KEY)
    assert result.outcome == "met"
    housing, figure = result.evidence
    assert (housing.kind, housing.ref, housing.value) == ("housing", record, 60.0)
    assert housing.detail == "60 habitable of 120 units, 60 damaged"
    assert (figure.kind, figure.value) == ("figure", 50.0)
    assert figure.detail == "50 habitable units needed: 50% of 100 expected households (pre-conflict households)"


def test_too_few_habitable_units_are_not_met_and_block() -> None:
    world = World()
    world.settlement("village", households=100.0)
    world.house("village", habitable=40.0)
    answer = world.evaluate()["village"]
    assert answer.criterion(KEY).outcome == "not_met"
    assert answer.status == "not_ready"


def test_without_housing_figures_or_households_it_is_unknown() -> None:
    world = World()
    world.settlement("no-record")
    world.housing = [row for row in world.housing if row[1] != "no-record"]
    world.settlement("no-households", households=float("nan"))
    answers = world.evaluate()
    assert answers["no-record"].criterion(KEY).outcome == "unknown"
    assert answers["no-record"].criterion(KEY).evidence[0].detail == "no housing record"
    assert answers["no-households"].criterion(KEY).outcome == "unknown"
    assert (
        answers["no-households"].criterion(KEY).evidence[1].detail
        == "expected households not known (pre-conflict households)"
    )


class Intentions:
    """Expected households from return intentions, as the returns app will plug in: 20 per settlement."""

    source = "households intending to return"

    def households(self, settlements: Settlements, rows: IndexArray) -> FloatArray:
        return np.full(len(rows), 20.0)


def test_expected_households_plug_in_without_changing_the_call() -> None:
    world = World()
    world.settlement("village", households=100.0)
    world.house("village", habitable=15.0)
    assert world.evaluate()["village"].criterion(KEY).outcome == "not_met"
    result = world.evaluate(households=Intentions())["village"].criterion(KEY)
    assert result.outcome == "met"
    assert result.evidence[1].detail.endswith("(households intending to return)")
    assert result.evidence[1].value == pytest.approx(10.0)
