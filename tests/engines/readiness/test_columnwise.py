"""The column-wise builders give what one-by-one construction gives: same values, same types, same order."""

from __future__ import annotations

import numpy as np
import pytest

from homeward.engines.readiness import CriterionResult, Evidence, Outcome
from homeward.engines.readiness.columnwise import date_strings, iso_dates, pick, results
from homeward.engines.readiness.context import _last_of_groups
from homeward.engines.readiness.facts import FactColumns, Quoted, evidence_at, gather, quoted_per_position

NOTE = Evidence("note", None, "not_in_season")


def test_fact_columns_make_the_records_one_by_one_construction_gives() -> None:
    facts = FactColumns(
        np.array([0, 2], dtype=np.intp),
        "hazard",
        "hazard_near_point",
        ["h1", None],
        np.array([1.5, np.nan]),
        (("metres", 250.0),),
        (("clearance", ["2027-01-02", None]),),
    )
    built = facts.items()
    assert built == [
        Evidence("hazard", "h1", "hazard_near_point", 1.5, (("metres", 250.0), ("clearance", "2027-01-02"))),
        Evidence("hazard", None, "hazard_near_point", None, (("metres", 250.0), ("clearance", None))),
    ]
    assert all(type(found) is Evidence for found in built)
    assert facts.items(1, 2) == built[1:]
    assert facts.cited() == ([0, 2], "hazard", ["h1", None], None)
    assert (
        built[0].detail == "active hazardous area within 250 m of the settlement's point; expected clearance 2027-01-02"
    )
    assert built[1].detail == "active hazardous area within 250 m of the settlement's point; no expected clearance"


def test_fact_columns_refuse_columns_of_another_length() -> None:
    with pytest.raises(ValueError, match="hazard_in_area: 2 positions"):
        FactColumns(np.array([0, 1], dtype=np.intp), "hazard", "hazard_in_area", ["h1"])


def test_results_are_the_named_tuples_one_by_one_construction_gives() -> None:
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


def _notes(code: str, positions: list[int]) -> FactColumns:
    return FactColumns(np.array(positions, dtype=np.intp), "note", code)


def test_gather_puts_each_positions_facts_together_in_order_and_matches_one_position_reads() -> None:
    first = _notes("not_in_season", [0, 2, 3])
    second = _notes("no_road_network", [1, 3])
    third = _notes("no_housing_record", [2, 2])
    parts = [first, second, third]
    gathered = gather(4, parts)
    a, b, c = first.items(), second.items(), third.items()
    assert gathered == [(a[0],), (b[0],), (a[1], c[0], c[1]), (a[2], b[1])]
    assert [evidence_at(parts, position) for position in range(4)] == gathered
    assert gather(2, []) == [(), ()] and gather(0, [_notes("not_in_season", [])]) == []
    assert all(type(found) is tuple for found in gathered)


def test_quoted_records_keep_their_positions() -> None:
    per_position = [(NOTE,), (), (NOTE, Evidence("hazard", "h9", "hazard_in_area", None, (("clearance", None),)))]
    quoted = quoted_per_position(per_position)
    assert isinstance(quoted, Quoted)
    assert gather(3, [quoted]) == per_position
    assert quoted.cited() == ([0, 2, 2], None, [None, None, "h9"], ["note", "note", "hazard"])


def test_dates_are_written_as_numpy_writes_them_and_nat_is_none() -> None:
    dates = np.array(["2027-03-01", "NaT", "1999-12-31", "2027-03-01"], dtype="datetime64[D]")
    assert date_strings(dates) == [str(date) for date in dates]
    assert iso_dates(dates) == ["2027-03-01", None, "1999-12-31", "2027-03-01"]
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
