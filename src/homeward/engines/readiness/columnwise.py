"""Results built column-wise: whole columns of named tuples at once.

Built one by one, each record costs a Python-level ``NamedTuple.__new__`` call; here records are
made by ``map`` over zipped columns (``tuple.__new__``, what ``NamedTuple._make`` does, without the
Python frame), and values are gathered and scattered as numpy object arrays. The records are the
same values, of the same types, as one-by-one construction gives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import partial
from itertools import repeat
from operator import itemgetter
from typing import Protocol, TypeAlias, TypeVar, cast

import numpy as np
import numpy.typing as npt

from homeward.engines.readiness.inputs import DateArray, FloatArray
from homeward.engines.readiness.results import (
    OUTCOMES,
    CriterionResult,
    Evidence,
    Outcome,
    Readiness,
    Status,
)

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
K = TypeVar("K")
K_contra = TypeVar("K_contra", contravariant=True)
Found: TypeAlias = tuple[Evidence, ...]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
ObjectArray: TypeAlias = npt.NDArray[np.object_]

_result = cast(
    Callable[[tuple[str, Outcome, Found, dt.date | None]], CriterionResult], partial(tuple.__new__, CriterionResult)
)
_readiness = cast(
    Callable[[tuple[str, Status, float, tuple[CriterionResult, ...], dt.date | None, tuple[str, ...]]], Readiness],
    partial(tuple.__new__, Readiness),
)
_OUTCOMES: ObjectArray = np.array(OUTCOMES, dtype=object)


class Indexable(Protocol[K_contra, T_co]):
    def __getitem__(self, key: K_contra, /) -> T_co: ...


def objects(items: Iterable[object], count: int) -> ObjectArray:
    """``items`` as a one-dimensional object array (tuples stay items, they are not unpacked)."""
    return np.fromiter(items, dtype=object, count=count)


def pick(items: Indexable[K, T], indexes: list[K]) -> list[T]:
    """``items[index]`` for each index (or key)."""
    if len(indexes) > 1:
        return list(itemgetter(*indexes)(items))
    return [items[index] for index in indexes]


def optional_floats(values: FloatArray) -> list[float | None]:
    """Each value as a float, ``None`` where it is ``NaN``."""
    found = values.astype(object)
    found[np.isnan(values)] = None
    return cast(list[float | None], found.tolist())


def date_strings(dates: DateArray) -> list[str]:
    """Each ``datetime64[D]`` as numpy writes it (``"2027-03-01"``, ``"NaT"``), each distinct date written once
    (``np.datetime_as_string`` costs a quarter of a microsecond a date)."""
    if not len(dates):
        return []
    unique, inverse = np.unique(dates, return_inverse=True)
    return pick(np.datetime_as_string(unique).tolist(), inverse.reshape(-1).tolist())


def iso_dates(dates: DateArray) -> list[str | None]:
    """Each ``datetime64[D]`` as an ISO date string, ``None`` for ``NaT`` (each distinct date written once)."""
    written: list[str | None] = list(date_strings(dates))
    for position in np.flatnonzero(np.isnat(dates)).tolist():
        written[position] = None
    return written


def as_dates(expected: DateArray) -> list[dt.date | None]:
    """Each ``datetime64[D]`` as a ``date``, ``None`` for ``NaT`` (only the dated ones are converted)."""
    dates: list[dt.date | None] = [None] * len(expected)
    dated = np.flatnonzero(~np.isnat(expected))
    for position, date in zip(dated.tolist(), expected[dated].astype(object).tolist(), strict=True):
        dates[position] = date
    return dates


def results(
    key: str, outcomes: npt.NDArray[np.int8], found: Iterable[Found], expected: DateArray
) -> list[CriterionResult]:
    """One :class:`CriterionResult` per position: ``key``, its outcome code's outcome, its evidence and date."""
    outcome = cast(list[Outcome], _OUTCOMES[outcomes].tolist())
    return list(map(_result, zip(repeat(key), outcome, found, as_dates(expected), strict=False)))


def readiness(
    ids: Iterable[str],
    statuses: Iterable[Status],
    scores: Iterable[float],
    criteria: Iterable[tuple[CriterionResult, ...]],
    earliest: Iterable[dt.date | None],
    blockers: Iterable[tuple[str, ...]],
) -> list[Readiness]:
    """One :class:`Readiness` per settlement from its columns."""
    return list(map(_readiness, zip(ids, statuses, scores, criteria, earliest, blockers, strict=True)))
