"""How many households are expected to return to a settlement: the ``ExpectedHouseholds`` interface.

Until return intentions are recorded, the default is the settlement's pre-conflict households; an
implementation counting intentions plugs in without changing the engine's callers.
"""

from __future__ import annotations

from typing import Protocol

from homeward.engines.readiness.inputs import FloatArray, IndexArray, Settlements


class ExpectedHouseholds(Protocol):
    @property
    def source(self) -> str:
        """What the figure is, as a word the housing evidence quotes (e.g. ``"pre_conflict_households"``;
        pages translate it, see :mod:`.messages`)."""
        ...

    def households(self, settlements: Settlements, rows: IndexArray) -> FloatArray:
        """Households expected to return to each settlement row; ``NaN`` where not known."""
        ...


class PreConflictHouseholds:
    """The pre-conflict households given in :class:`Settlements`."""

    source = "pre_conflict_households"

    def households(self, settlements: Settlements, rows: IndexArray) -> FloatArray:
        return settlements.households[rows]
