"""The column-wise builders give what one-by-one construction gives: same values, same types, same order."""

from __future__ import annotations

import numpy as np
import pytest

from homeward.engines.readiness import CriterionResult, Evidence, Outcome
from homeward.engines.readiness.columnwise import (
    assemble,
    date_strings,
    distinct,
    evidence,
    formatted,
    pick,
    pooled,
    results,
    runs,
)
from homeward.engines.readiness.context import _last_of_groups

NOTE = Evidence("note", None, "n")


def items(name: str, count: int) -> list[Evidence]:
    return [Evidence("figure", f"{name}{number}", f"{name} {number}", float(number)) for number in range(count)]


def test_evidence_and_results_are_the_named_tuples_one_by_one_construction_gives() -> None:
    built = evidence("hazard", ["h1", None], ["a", "b"], [1.5, None])
    assert built == [Evidence("hazard", "h1", "a", 1.5), Evidence("hazard", None, "b")]
    assert all(type(found) is Evidence for found in built)
    assert evidence("note", [None], ["c"]) == [Evidence("note", None, "c", None)]
    outcomes = np.array([0, 1, 2], dtype=np.int8)
    expected = np.array(["NaT", "2027-01-02", "NaT"], dtype="datetime64[D]")
    made = results("water", outcomes, [(NOTE,), (), (NOTE, NOTE)], expected)
    assert made == [
        CriterionResult("water", Outcome.MET, (NOTE,)),
        CriterionResult("water", Outcome.NOT_MET, (), expected[1].astype(object)),
        CriterionResult("water", Outcome.UNKNOWN, (NOTE, NOTE)),
    ]
    assert [type(result.outcome) for result in made] == [Outcome] * 3
    assert [type(result) for result in made] == [CriterionResult] * 3


def test_assemble_puts_each_positions_parts_together_in_order() -> None:
    first, second, third = items("a", 3), items("b", 2), items("c", 1)
    parts = [
        (np.array([True, False, True, True]), first),
        (np.array([False, True, False, True]), second),
        (np.array([False, False, True, False]), third),
    ]
    assert assemble(4, parts) == [(first[0],), (second[0],), (first[1], third[0]), (first[2], second[1])]
    # No part anywhere, and every part everywhere.
    assert assemble(2, [(np.zeros(2, dtype=np.bool_), [])]) == [(), ()]
    everywhere = np.ones(2, dtype=np.bool_)
    assert assemble(2, [(everywhere, first[:2]), (everywhere, second)]) == [
        (first[0], second[0]),
        (first[1], second[1]),
    ]
    assert assemble(0, [(np.zeros(0, dtype=np.bool_), [])]) == []
    assert all(type(found) is tuple for found in assemble(4, parts))


def test_runs_groups_consecutive_items_and_adds_each_groups_tail() -> None:
    found, tails = items("a", 6), items("t", 2)
    starts, sizes = np.array([0, 1, 3, 6]), np.array([1, 2, 3, 0])
    grouped = runs(found, starts, sizes, (np.array([False, True, False, True]), tails))
    assert grouped == [(found[0],), (found[1], found[2], tails[0]), (found[3], found[4], found[5]), (tails[1],)]


def test_pooled_texts_are_written_once_per_distinct_combination_of_keys() -> None:
    calls: list[list[int]] = []

    def text(first: np.ndarray) -> list[str]:
        calls.append(first.tolist())
        return [f"{kind[position]}:{day[position]}" for position in first.tolist()]

    kind = np.array([1, 2, 1, 1, 2], dtype=np.int8)
    day = np.array(["2026-01-01", "NaT", "2026-01-01", "NaT", "NaT"], dtype="datetime64[D]")
    assert pooled([kind, day], text) == [f"{kind[at]}:{day[at]}" for at in range(len(kind))]
    assert len(calls) == 1 and sorted(calls[0]) == [0, 1, 3]
    first, inverse = distinct([kind, day])
    assert sorted(first.tolist()) == [0, 1, 3] and first[inverse].tolist() == [0, 1, 0, 3, 1]


def test_formatted_floats_and_written_dates_are_what_python_and_numpy_write() -> None:
    values = np.array([0.0, -0.0, 2.5, 3.5, np.nan, np.inf, 1e300, 2.5, -0.4])
    assert formatted(values, ".0f") == [format(value, ".0f") for value in values.tolist()]
    assert formatted(values, ".1f") == [format(value, ".1f") for value in values.tolist()]
    dates = np.array(["2027-03-01", "NaT", "1999-12-31", "2027-03-01"], dtype="datetime64[D]")
    assert date_strings(dates) == [str(date) for date in dates]
    far = np.array(["1000-01-01", "9999-12-31", "NaT"], dtype="datetime64[D]")
    assert date_strings(far) == [str(date) for date in far]
    assert pick(("a", "b", "c"), [2, 0, 2]) == ["c", "a", "c"] and pick(("a",), [0]) == ["a"] and pick((), []) == []


@pytest.mark.parametrize("seed", range(5))
def test_the_latest_record_of_each_group_is_the_one_a_full_sort_finds(seed: int) -> None:
    rng = np.random.default_rng(seed)
    count = 500
    keys = rng.integers(0, 60, count).astype(np.int64)
    dates = rng.integers(19_000, 19_040, count).astype("datetime64[D]")
    dates[rng.random(count) < 0.2] = np.datetime64("NaT")
    order = dates.astype(np.int64)
    sort = np.lexsort((np.arange(count), order, keys))
    ordered = keys[sort]
    expected = sort[np.r_[ordered[1:] != ordered[:-1], True]]
    assert _last_of_groups(keys, (order,)).tolist() == expected.tolist()
    by_position = np.lexsort((np.arange(count), keys))
    last = by_position[np.r_[keys[by_position][1:] != keys[by_position][:-1], True]]
    assert _last_of_groups(keys, ()).tolist() == last.tolist()
    # Keys too large to count by, and dates too far apart, take the sort.
    assert _last_of_groups(keys * 10**9, (order,)).tolist() == expected.tolist()
    spread = (order - 19_000) * 10**16
    assert _last_of_groups(keys, (np.where(np.isnat(dates), order, spread),)).tolist() == expected.tolist()
