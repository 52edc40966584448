"""What the readiness engine answers: per settlement a status, a score and each criterion with its evidence.

The records are typed named tuples: immutable like frozen dataclasses, and about three times
cheaper to create, which matters at tens of thousands of criterion results per recomputation.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal, NamedTuple

from homeward.engines.readiness.messages import Params, describe

EvidenceKind = Literal["hazard", "project", "service", "facility", "housing", "figure", "note"]


class Outcome(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


class Status(StrEnum):
    READY = "ready"
    PARTLY_READY = "partly_ready"
    NOT_READY = "not_ready"


# Outcome codes in the engine's arrays, in this order.
OUTCOMES: tuple[Outcome, ...] = (Outcome.MET, Outcome.NOT_MET, Outcome.UNKNOWN)
MET, NOT_MET, UNKNOWN = 0, 1, 2
STATUSES: tuple[Status, ...] = (Status.READY, Status.PARTLY_READY, Status.NOT_READY)


class Evidence(NamedTuple):
    """One fact behind an outcome: the record it comes from (``ref``: its id) and what it says.

    What it says is a ``code`` with ``params`` (see :mod:`.messages`): pages and exports write it
    in their reader's language, :attr:`detail` in English. ``value`` is the figure the fact turns
    on where there is one (a distance in km or minutes, a number of units, a delay in days).
    """

    kind: EvidenceKind
    ref: str | None
    code: str
    value: float | None = None
    params: Params = ()

    @property
    def detail(self) -> str:
        """What the fact says, in English."""
        return describe(self.code, self.params)


class CriterionResult(NamedTuple):
    """One criterion for one settlement; ``expected_date`` is when a project or clearance would meet it."""

    key: str
    outcome: Outcome
    evidence: tuple[Evidence, ...]
    expected_date: dt.date | None = None


class Readiness(NamedTuple):
    """A settlement's readiness: status, weighted share of met criteria, every criterion, and the forecast.

    ``blockers`` are the keys of the criteria not met or unknown, in criteria order.
    ``earliest_ready`` is when every not-met criterion is expected to be met: the latest of their
    expected dates (``today`` when none is not met), ``None`` when one of them has no date.
    Unknown criteria are not forecast and do not hold it back; they are listed in ``blockers``.
    """

    settlement_id: str
    status: Status
    score: float
    criteria: tuple[CriterionResult, ...]
    earliest_ready: dt.date | None
    blockers: tuple[str, ...]

    def criterion(self, key: str) -> CriterionResult:
        """The result of the criterion ``key``; raises ``KeyError`` if the criteria set has none."""
        for result in self.criteria:
            if result.key == key:
                return result
        raise KeyError(key)
