"""Evidence and results built column-wise: whole columns of named tuples at once, texts from pools.

A national recomputation quotes some 60,000 facts. Built one by one, each costs a Python-level
``NamedTuple.__new__`` call, an f-string with numpy scalars in it and a few branches; here the
records are made by ``map`` over zipped columns (``tuple.__new__``, what ``NamedTuple._make``
does, without the Python frame), texts that repeat (a date, a figure, "kind: status as of date")
are formatted once per distinct value, columns are gathered and scattered as numpy object arrays,
and each settlement's tuple of evidence comes from one ``zip`` over the positions sharing a
pattern of present parts. The records are the same values, of the same types, as one-by-one
construction gives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from itertools import repeat
from operator import itemgetter
from typing import Any, Protocol, TypeAlias, TypeVar, cast

import numpy as np
import numpy.typing as npt

from homeward.engines.readiness.inputs import DateArray, FloatArray, IndexArray
from homeward.engines.readiness.results import (
    OUTCOMES,
    CriterionResult,
    Evidence,
    EvidenceKind,
    Outcome,
    Readiness,
    Status,
)

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
K = TypeVar("K")
K_contra = TypeVar("K_contra", contravariant=True)
EvidenceRow: TypeAlias = tuple[EvidenceKind, str | None, str, float | None]
Found: TypeAlias = tuple[Evidence, ...]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
ObjectArray: TypeAlias = npt.NDArray[np.object_]

_evidence = cast(Callable[[EvidenceRow], Evidence], partial(tuple.__new__, Evidence))
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


def evidence(
    kind: EvidenceKind, refs: Iterable[str | None], details: Iterable[str], values: Iterable[float | None] | None = None
) -> list[Evidence]:
    """One :class:`Evidence` of ``kind`` per (ref, detail, value); values ``None`` when not given."""
    return list(map(_evidence, zip(repeat(kind), refs, details, repeat(None) if values is None else values)))


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


def _small_codes(key: npt.NDArray[Any]) -> tuple[npt.NDArray[np.int64], int] | None:
    """Integers and dates spanning less than a million values as their offset from the smallest
    (``NaT`` after the largest date), and how many codes there are; ``None`` for other keys."""
    if len(key) and key.dtype.kind in "biuM":
        values = key.view(np.int64) if key.dtype.kind == "M" else key.astype(np.int64)
        missing = np.isnat(key) if key.dtype.kind == "M" else None
        present = values if missing is None else values[~missing]
        low = int(present.min(initial=0))
        span = int(present.max(initial=0)) - low + 1
        if span < 1 << 20:
            codes = values - low
            if missing is not None:
                codes[missing] = span
            return codes, span + 1
    return None


def _codes(key: npt.NDArray[Any]) -> tuple[npt.NDArray[np.int64], int]:
    """Each key as a code in ``range(size)``, equal codes for equal keys; and ``size``."""
    small = _small_codes(key)
    if small is not None:
        return small
    _, inverse = np.unique(key, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64), int(inverse.max(initial=0)) + 1


def distinct(keys: Sequence[npt.NDArray[Any]]) -> tuple[IndexArray, IndexArray]:
    """Positions keyed by several arrays: the first position of each distinct combination of keys,
    and the combination (an index into the first) of every position."""
    if len(keys) == 1 and _small_codes(keys[0]) is None:  # one sort, not two
        _, first, inverse = np.unique(keys[0], return_index=True, return_inverse=True)
        return first.astype(np.intp), inverse.reshape(-1).astype(np.intp)
    code, size = _codes(keys[0])
    for key in keys[1:]:
        codes, more = _codes(key)
        if size * more >= 1 << 62:
            _, code = np.unique(code, return_inverse=True)
            size = int(code.max(initial=0)) + 1
        code, size = code * more + codes, size * more
    _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
    return first.astype(np.intp), inverse.reshape(-1).astype(np.intp)


def pooled(keys: Sequence[npt.NDArray[Any]], text: Callable[[IndexArray], list[T]]) -> list[T]:
    """Per position, the text of its combination of ``keys``: ``text(positions)`` is called once, on the
    first position of each distinct combination, and must give every position of a combination the same text.

    Float keys should be given as their bits (:func:`float_bits`), so that ``0.0`` and ``-0.0`` stay apart.
    """
    if not len(keys[0]):
        return []
    first, inverse = distinct(keys)
    return pick(text(first), inverse.tolist())


def float_bits(values: FloatArray) -> npt.NDArray[np.int64]:
    """The bits of each float: equal exactly when the floats are the same (``-0.0`` is not ``0.0``)."""
    bits: npt.NDArray[np.int64] = np.ascontiguousarray(values, dtype=np.float64).view(np.int64)
    return bits


def formatted(values: FloatArray, spec: str) -> list[str]:
    """``format(value, spec)`` of each float, each distinct value formatted once."""
    return pooled([float_bits(values)], lambda first: [format(value, spec) for value in values[first].tolist()])


def date_strings(dates: DateArray) -> list[str]:
    """Each ``datetime64[D]`` as numpy writes it (``"2027-03-01"``, ``"NaT"``), each distinct date written once
    (``np.datetime_as_string`` costs a quarter of a microsecond a date)."""
    if not len(dates):
        return []
    unique, inverse = np.unique(dates, return_inverse=True)
    return pick(np.datetime_as_string(unique).tolist(), inverse.reshape(-1).tolist())


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


def result(key: str, outcome: Outcome, found: Found, date: dt.date | None = None) -> CriterionResult:
    return _result((key, outcome, found, date))


def assemble(count: int, parts: Sequence[tuple[BoolArray, Sequence[Evidence]]]) -> list[Found]:
    """Per position, the evidence of every part present there, in the order of ``parts``.

    Each part is a mask over the positions and its items, one per set position, in position
    order. Positions sharing a pattern of present parts get their tuples from one ``zip``.
    """
    pattern = np.zeros(count, dtype=np.int64)
    for bit, (mask, _) in enumerate(parts):
        pattern[mask] |= 1 << bit
    codes = np.unique(pattern).tolist()
    if len(codes) == 1:  # every part everywhere or nowhere
        present = [items for bit, (_, items) in enumerate(parts) if codes[0] >> bit & 1]
        return cast(list[Found], list(zip(*present, strict=True))) if present else [()] * count
    columns: list[ObjectArray] = []
    for mask, items in parts:
        column = np.empty(count, dtype=object)
        column[mask] = objects(items, len(items))
        columns.append(column)
    found = np.empty(count, dtype=object)
    for code in codes:
        where = np.flatnonzero(pattern == code)
        present = [column[where].tolist() for bit, column in enumerate(columns) if code >> bit & 1]
        found[where] = objects(zip(*present, strict=True) if present else repeat((), len(where)), len(where))
    return cast(list[Found], found.tolist())


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


def runs(
    items: Sequence[Evidence], starts: IndexArray, sizes: IndexArray, tails: tuple[BoolArray, Sequence[Evidence]]
) -> list[Found]:
    """Per group, the tuple of its run of ``items`` (``sizes[g]`` of them from ``starts[g]``), followed by
    its tail where the tails' mask is set (one tail per set group, in group order).

    Groups with the same size and the same presence of a tail get their tuples from one ``zip``.
    """
    count = len(starts)
    given, tail_items = tails
    pool = objects(items, len(items))
    tail = np.empty(count, dtype=object)
    tail[given] = objects(tail_items, len(tail_items))
    shape = sizes.astype(np.int64) * 2 + given
    found = np.empty(count, dtype=object)
    for code in np.unique(shape).tolist():
        where = np.flatnonzero(shape == code)
        columns = [pool[starts[where] + nth].tolist() for nth in range(code // 2)]
        if code & 1:
            columns.append(tail[where].tolist())
        found[where] = objects(zip(*columns, strict=True) if columns else repeat((), len(where)), len(where))
    return cast(list[Found], found.tolist())
