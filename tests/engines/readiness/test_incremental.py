"""Incremental recomputation: ``only=`` answers as a full run does, and a hazard change names every settlement it may alter."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import shapely

from homeward.engines.readiness import (
    InputError,
    affected_by_hazards,
    default_criteria,
    evaluate,
    input_digest,
    with_hazard_geometry,
)

from .world import TODAY, World, random_world, square


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_only_gives_the_full_runs_answers_for_those_settlements(seed: int) -> None:
    world = random_world(seed, 60)
    inputs = world.inputs()
    full = evaluate(**inputs, criteria=default_criteria(), today=TODAY)
    chosen = [41, 3, 17, 58, 0]
    partial = evaluate(**inputs, criteria=default_criteria(), today=TODAY, only=chosen)
    assert partial == [full[row] for row in chosen]
    assert any(result.status != "partly_ready" for result in partial)


def test_only_refuses_an_index_outside_the_settlements() -> None:
    world = random_world(1, 5)
    with pytest.raises(InputError) as refused:
        evaluate(**world.inputs(), criteria=default_criteria(), today=TODAY, only=[2, 5])
    assert (refused.value.field, refused.value.row) == ("only", 1)


def test_a_hazard_change_affects_the_settlements_whose_residential_area_it_meets() -> None:
    world = World()
    world.settlement("a")
    world.settlement("b", 3_000, 0)
    world.settlement("town", 0, 6_000, polygon=square(0, 6_000, 2_000))
    settlements = world.inputs()["settlements"]
    criteria = default_criteria()
    assert affected_by_hazards(settlements, [square(200, 0, 100)], criteria) == [0]
    assert affected_by_hazards(settlements, [square(1_500, 0, 100)], criteria) == []
    # Moved from near a to near b: both the old and the new outline count.
    assert affected_by_hazards(settlements, [square(200, 0, 100), square(3_200, 0, 100)], criteria) == [0, 1]
    # Inside the town's polygon though 900 m from its point.
    assert affected_by_hazards(settlements, [square(900, 6_000, 50), None], criteria) == [2]


@pytest.mark.parametrize("seed", [4, 5])
def test_no_settlement_outside_the_affected_ones_changes_when_an_area_is_edited(seed: int) -> None:
    world = random_world(seed, 60, span_m=12_000)
    inputs = world.inputs()
    criteria = default_criteria()
    before = evaluate(**inputs, criteria=criteria, today=TODAY)
    hazards = inputs["hazards"]
    rng = np.random.default_rng(seed)
    changes = 0
    for row in rng.choice(len(hazards.ids), size=12, replace=False).tolist():
        old = hazards.polygons[row]
        new = shapely.affinity.translate(old, xoff=float(rng.normal(0, 0.01)), yoff=float(rng.normal(0, 0.01)))
        edited = with_hazard_geometry(hazards, hazards.ids[row], new)
        after = evaluate(**{**inputs, "hazards": edited}, criteria=criteria, today=TODAY)
        changed = [index for index, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
        affected = affected_by_hazards(inputs["settlements"], [old, new], criteria, projects=inputs["projects"])
        assert set(changed) <= set(affected)
        partial = evaluate(**{**inputs, "hazards": edited}, criteria=criteria, today=TODAY, only=affected)
        assert partial == [after[index] for index in affected]
        changes += len(changed)
    assert changes > 0


def test_an_area_at_a_projects_site_affects_the_settlements_waiting_for_that_project() -> None:
    world = World()
    world.settlement("village")
    world.drop_services("village", "school")
    world.settlement("builds", 8_000, 0, good=False)
    world.settlement("beyond", 40_000, 0)
    world.project("school", "builds", "school", TODAY, site=square(8_000, 2_000, 100))
    inputs = world.inputs()
    area = square(8_000, 2_000, 400)
    criteria = default_criteria()
    assert affected_by_hazards(inputs["settlements"], [area], criteria) == []
    # The school restored in "builds" is what "village", 8 km away, waits for.
    assert affected_by_hazards(inputs["settlements"], [area], criteria, projects=inputs["projects"]) == [0, 1]


def test_without_evidence_the_answers_are_the_same_but_unexplained() -> None:
    world = random_world(7, 40)
    inputs = world.inputs()
    full = evaluate(**inputs, criteria=default_criteria(), today=TODAY)
    bare = evaluate(**inputs, criteria=default_criteria(), today=TODAY, evidence=False)
    for explained, plain in zip(full, bare, strict=True):
        assert (plain.status, plain.score, plain.earliest_ready, plain.blockers) == (
            explained.status,
            explained.score,
            explained.earliest_ready,
            explained.blockers,
        )
        assert [(c.key, c.outcome, c.expected_date) for c in plain.criteria] == [
            (c.key, c.outcome, c.expected_date) for c in explained.criteria
        ]
        assert all(c.evidence == () for c in plain.criteria)


def test_the_input_digest_follows_the_versions_of_the_records_an_answer_cites() -> None:
    world = World()
    world.settlement("village")
    world.hazard("H", square(100, 0, 50))
    world.hazard("far", square(9_000, 0, 50))
    criteria = default_criteria()
    answer = world.evaluate(criteria)["village"]
    digest = input_digest(answer, criteria, {"H": 1, "far": 1})
    assert digest == input_digest(answer, criteria, {"H": 1, "far": 2})
    assert digest != input_digest(answer, criteria, {"H": 2, "far": 1})
    other = dataclasses.replace(criteria, status=dataclasses.replace(criteria.status, partly_score=0.4))
    assert digest != input_digest(answer, other, {"H": 1, "far": 1})
