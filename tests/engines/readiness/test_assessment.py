"""The column-wise answer reads the same records one by one as all at once, and digests them without reading."""

from __future__ import annotations

import datetime as dt

from homeward.engines.readiness import MESSAGES, assess, default_criteria, describe, input_digest
from homeward.engines.readiness.messages import N_

from .world import random_world

TODAY = dt.date(2026, 11, 24)


def _assessment(seed: int) -> object:
    world = random_world(seed, 120, span_m=40_000.0)
    inputs = world.inputs()
    today = inputs.pop("today", TODAY)
    return assess(**inputs, criteria=default_criteria(), today=today)


def test_reading_one_settlement_gives_the_record_reading_them_all_gives() -> None:
    assessment = _assessment(5)
    everyone = list(assessment)
    assert len(everyone) == len(assessment) == 120
    assert [assessment[position] for position in range(len(assessment))] == everyone
    assert assessment[-1] == everyone[-1] and assessment[2:5] == everyone[2:5]
    assert sum(len(result.evidence) for answer in everyone for result in answer.criteria) > 1_000


def test_digests_from_the_columns_are_the_digests_of_the_records() -> None:
    assessment = _assessment(9)
    criteria = default_criteria()
    versions = {answer.settlement_id: 3 for answer in list(assessment)[:10]}
    expected = [input_digest(answer, criteria, versions) for answer in assessment]
    assert assessment.digests(criteria.digest, versions) == expected
    assert len(set(expected)) == len(expected)


def test_every_code_the_engine_says_has_an_english_message_and_reads_without_placeholders() -> None:
    codes = {evidence.code for answer in _assessment(11) for result in answer.criteria for evidence in result.evidence}
    assert codes <= MESSAGES.keys()
    for answer in _assessment(11):
        for result in answer.criteria:
            for evidence in result.evidence:
                assert "%(" not in evidence.detail and evidence.detail


def test_an_unknown_code_reads_as_itself_with_its_parameters() -> None:
    assert describe("route_closed", (("distance", 3.25),)) == "route_closed (distance 3.2)"
    assert describe("route_closed", ()) == "route_closed"
    assert N_("text") == "text"
