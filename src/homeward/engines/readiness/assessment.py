"""The answer of one evaluation, column-wise: a sequence of :class:`~.results.Readiness`, built when read.

Statuses, scores, outcomes, dates and blockers are arrays; evidence stays in :mod:`.facts` columns.
``assessment[i]`` builds one settlement's record; iterating builds them all, column by column.
:meth:`Assessment.digests` works out every settlement's input digest from the columns, so that
a caller storing only changed answers reads just those.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import repeat
from typing import cast, overload

import numpy as np
import numpy.typing as npt

from homeward.engines.readiness import columnwise
from homeward.engines.readiness.facts import Facts, evidence_at, gather
from homeward.engines.readiness.inputs import DateArray, FloatArray
from homeward.engines.readiness.results import OUTCOMES, STATUSES, CriterionResult, Readiness, Status

_STATUSES = np.array(STATUSES, dtype=object)


def digest(
    criteria_digest: str, settlement_id: str, cited: set[tuple[str, str]], versions: Mapping[str, object]
) -> str:
    """A sha256 of what fed one answer: the criteria, and each cited record (kind, id) with its version."""
    lines = [criteria_digest, settlement_id]
    lines.extend(f"{kind}\t{ref}\t{versions.get(ref)!r}" for kind, ref in sorted(cited))
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: an evaluation allocates some 10^5 small tuples and no cycles,
    and collections triggered while the heap grows would rescan it many times (half again the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True, eq=False)
class Assessment(Sequence[Readiness]):
    """Every evaluated settlement's answer. ``facts[c]`` is criterion ``c``'s evidence (``None``: not asked)."""

    ids: Sequence[str]
    keys: tuple[str, ...]
    status_codes: npt.NDArray[np.int8]
    scores: FloatArray
    earliest: Sequence[dt.date | None]
    blockers: Sequence[tuple[str, ...]]
    outcomes: npt.NDArray[np.int8]
    expected: DateArray
    facts: tuple[tuple[Facts, ...] | None, ...]

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> Readiness: ...

    @overload
    def __getitem__(self, index: slice) -> list[Readiness]: ...

    def __getitem__(self, index: int | slice) -> Readiness | list[Readiness]:
        if isinstance(index, slice):
            return [self[position] for position in range(*index.indices(len(self)))]
        position = range(len(self))[index]
        outcomes = self.outcomes[position].tolist()
        dates = self.expected[position].astype(object).tolist()
        criteria = tuple(
            CriterionResult(
                key,
                OUTCOMES[outcome],
                () if facts is None else evidence_at(facts, position),
                cast(dt.date | None, date),
            )
            for key, outcome, date, facts in zip(self.keys, outcomes, dates, self.facts, strict=True)
        )
        return Readiness(
            self.ids[position],
            STATUSES[int(self.status_codes[position])],
            float(self.scores[position]),
            criteria,
            self.earliest[position],
            self.blockers[position],
        )

    def __iter__(self) -> Iterator[Readiness]:
        return iter(self.materialise())

    @property
    def statuses(self) -> list[Status]:
        return cast(list[Status], _STATUSES[self.status_codes].tolist())

    def materialise(self) -> list[Readiness]:
        """Every answer as records, built column by column."""
        with gc_paused():
            return self._materialise()

    def _materialise(self) -> list[Readiness]:
        count = len(self)
        columns = []
        for column, (key, facts) in enumerate(zip(self.keys, self.facts, strict=True)):
            found = repeat((), count) if facts is None else gather(count, facts)
            columns.append(columnwise.results(key, self.outcomes[:, column], found, self.expected[:, column]))
        criteria = zip(*columns, strict=True) if columns else repeat((), count)
        return columnwise.readiness(
            self.ids, self.statuses, self.scores.tolist(), criteria, self.earliest, self.blockers
        )

    def cited(self) -> list[set[tuple[str, str]]]:
        """Per settlement, the records (kind, id) its evidence cites."""
        found: list[set[tuple[str, str]]] = [set() for _ in range(len(self))]
        for facts in self.facts:
            for part in facts or ():
                positions, kind, refs, kinds = part.cited()
                if kind is not None:
                    for position, ref in zip(positions, refs, strict=True):
                        if ref:
                            found[position].add((kind, ref))
                else:
                    for position, each, ref in zip(positions, kinds or (), refs, strict=True):
                        if ref:
                            found[position].add((each, ref))
        return found

    def digests(self, criteria_digest: str, versions: Mapping[str, object] | None = None) -> list[str]:
        """Every settlement's input digest, as :func:`~.evaluate.input_digest` gives it for its record."""
        versions = versions or {}
        with gc_paused():
            return [
                digest(criteria_digest, settlement_id, cited, versions)
                for settlement_id, cited in zip(self.ids, self.cited(), strict=True)
            ]
