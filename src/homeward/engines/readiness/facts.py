"""Evidence kept column-wise: the facts behind a criterion over all settlements, as arrays until read.

A national recomputation decides some 60,000 facts. Each is fully worked out by the evaluators
(which record, which figure, which dates and ids its text quotes), but it stays in columns: one
:class:`FactColumns` per kind of fact, its items in settlement order. An :class:`~.results.Evidence`
record is made only when an answer is read: one settlement's (:func:`evidence_at`), or every
settlement's at once (:func:`gather`, which builds them column by column). A task that stores only
the answers whose cited records changed thus builds records for those answers alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import chain, repeat
from typing import Protocol, TypeAlias, cast

import numpy as np

from homeward.engines.readiness.columnwise import optional_floats, pick
from homeward.engines.readiness.inputs import FloatArray, IndexArray
from homeward.engines.readiness.messages import Params, ParamValue
from homeward.engines.readiness.results import Evidence, EvidenceKind

Found: TypeAlias = tuple[Evidence, ...]
_evidence = cast(
    Callable[[tuple[EvidenceKind, str | None, str, float | None, Params]], Evidence], partial(tuple.__new__, Evidence)
)


class Facts(Protocol):
    """Items of evidence, each belonging to a settlement position; ``positions`` ascending."""

    @property
    def positions(self) -> IndexArray: ...

    def items(self, start: int = 0, stop: int | None = None) -> list[Evidence]:
        """The records of items ``start`` to ``stop``, in order."""
        ...

    def cited(self) -> tuple[list[int], str | None, Sequence[str | None], Sequence[str] | None]:
        """Every item's position, kind and ref (``None`` where it names no record): the kind as one for all
        items, or ``None`` and then one per item (the fourth)."""
        ...


@dataclass(frozen=True, eq=False)
class FactColumns:
    """Items of one kind and code: per item its position, and its ref, value and varying params if any.

    ``shared`` params are the same for every item; ``varying`` ones give one value per item.
    ``values`` are ``NaN`` where an item has none.
    """

    positions: IndexArray
    kind: EvidenceKind
    code: str
    refs: Sequence[str | None] | None = None
    values: FloatArray | None = None
    shared: Params = ()
    varying: tuple[tuple[str, Sequence[ParamValue]], ...] = ()

    def __post_init__(self) -> None:
        count = len(self.positions)
        lengths = {name: len(column) for name, column in self.varying}
        if self.refs is not None:
            lengths["refs"] = len(self.refs)
        if self.values is not None:
            lengths["values"] = len(self.values)
        wrong = {name: length for name, length in lengths.items() if length != count}
        if wrong:
            raise ValueError(f"{self.code}: {count} positions but {wrong}")

    def _params(self, start: int, stop: int) -> Iterable[Params]:
        if not self.varying:
            return repeat(self.shared, stop - start)
        names = [name for name, _ in self.varying]
        shared = self.shared
        columns = [column[start:stop] for _, column in self.varying]
        # Items quoting the same values share one tuple of params (service records of a kind, status
        # and date are many; so are the projects of an agency).
        pooled: dict[tuple[ParamValue, ...], Params] = {}
        found: list[Params] = []
        for row in zip(*columns, strict=True):
            params = pooled.get(row)
            if params is None:
                params = pooled[row] = (*shared, *zip(names, row, strict=True))
            found.append(params)
        return found

    def items(self, start: int = 0, stop: int | None = None) -> list[Evidence]:
        stop = len(self.positions) if stop is None else stop
        count = stop - start
        if self.refs is None and self.values is None and not self.varying:
            # Every item says the same: one record, shared.
            return [Evidence(self.kind, None, self.code, None, self.shared)] * count if count > 0 else []
        refs = repeat(None, count) if self.refs is None else self.refs[start:stop]
        values = repeat(None, count) if self.values is None else optional_floats(self.values[start:stop])
        rows = zip(
            repeat(self.kind, count), refs, repeat(self.code, count), values, self._params(start, stop), strict=False
        )
        return list(map(_evidence, rows))

    def cited(self) -> tuple[list[int], str | None, Sequence[str | None], Sequence[str] | None]:
        if self.refs is None:
            return [], self.kind, [], None
        return self.positions.tolist(), self.kind, self.refs, None


@dataclass(frozen=True, eq=False)
class Quoted:
    """Items given as records already (a road network's answers, say)."""

    positions: IndexArray
    evidence: Sequence[Evidence]

    def items(self, start: int = 0, stop: int | None = None) -> list[Evidence]:
        return list(self.evidence[start:stop])

    def cited(self) -> tuple[list[int], str | None, Sequence[str | None], Sequence[str] | None]:
        return (
            self.positions.tolist(),
            None,
            [item.ref for item in self.evidence],
            [item.kind for item in self.evidence],
        )


def where(mask: np.ndarray, kind: EvidenceKind, code: str, **columns: object) -> FactColumns:
    """Facts at the positions where ``mask`` is set (see :class:`FactColumns` for ``columns``)."""
    return FactColumns(np.flatnonzero(mask).astype(np.intp), kind, code, **columns)  # type: ignore[arg-type]


def quoted_per_position(found: Sequence[Found]) -> Quoted:
    """Records given per position (a tuple each) as :class:`Quoted` items."""
    sizes = np.fromiter(map(len, found), dtype=np.intp, count=len(found))
    positions = np.repeat(np.arange(len(found), dtype=np.intp), sizes)
    return Quoted(positions, list(chain.from_iterable(found)))


def evidence_at(facts: Sequence[Facts], position: int) -> Found:
    """The evidence of one settlement position, in the order of ``facts``."""
    found: list[Evidence] = []
    for part in facts:
        start, stop = np.searchsorted(part.positions, [position, position + 1]).tolist()
        if stop > start:
            found.extend(part.items(start, stop))
    return tuple(found)


def gather(count: int, facts: Sequence[Facts]) -> list[Found]:
    """The evidence of every position ``0..count-1``, in the order of ``facts``.

    The items are made column by column, put in position order by one stable sort, and the
    positions with the same number of items get their tuples from one ``zip``.
    """
    found: list[Found] = [()] * count
    if not facts:
        return found
    positions = np.concatenate([part.positions for part in facts])
    items = list(chain.from_iterable(part.items() for part in facts))
    pool = pick(items, np.argsort(positions, kind="stable").tolist())
    sizes = np.bincount(positions, minlength=count)
    starts = np.cumsum(sizes) - sizes
    for size in np.unique(sizes).tolist():
        if not size:
            continue
        at = np.flatnonzero(sizes == size)
        first = starts[at]
        columns = [pick(pool, (first + nth).tolist()) for nth in range(size)]
        for position, tuple_ in zip(at.tolist(), zip(*columns, strict=True), strict=True):
            found[position] = tuple_
    return found
