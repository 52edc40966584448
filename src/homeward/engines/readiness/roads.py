"""Whether a settlement has a hazard-free road to its district centre: the ``RoadNetwork`` interface.

The default, :class:`NoRoadNetwork`, knows no roads: the criterion is *unknown* with the note
"no road network loaded". A routing engine plugs in by answering the two methods below; callers
of :func:`~homeward.engines.readiness.evaluate.evaluate` do not change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from homeward.engines.geo import GeometryArray
from homeward.engines.readiness.inputs import Hazards, IndexArray, Settlements
from homeward.engines.readiness.results import Evidence, Outcome

NO_ROAD_NETWORK = Evidence("note", None, "no_road_network")


@dataclass(frozen=True)
class RouteCheck:
    """One settlement's route to its district centre; ``blocking_hazards`` are hazard rows whose release would open it."""

    outcome: Outcome
    evidence: tuple[Evidence, ...]
    blocking_hazards: tuple[int, ...] = ()


class RoadNetwork(Protocol):
    def routes_to_district_centre(
        self, settlements: Settlements, hazards: Hazards, rows: IndexArray
    ) -> Sequence[RouteCheck]:
        """For each settlement row, whether a road avoiding every active hazardous area reaches its district centre."""
        ...

    def affected_by(self, settlements: Settlements, polygons: GeometryArray) -> IndexArray:
        """Settlement rows whose route a change inside ``polygons`` may alter."""
        ...


class NoRoadNetwork:
    """No roads known: every route is unknown, and no hazard change can alter that."""

    _unknown = RouteCheck(Outcome.UNKNOWN, (NO_ROAD_NETWORK,))

    def routes_to_district_centre(
        self, settlements: Settlements, hazards: Hazards, rows: IndexArray
    ) -> Sequence[RouteCheck]:
        return [self._unknown] * len(rows)

    def affected_by(self, settlements: Settlements, polygons: GeometryArray) -> IndexArray:
        return np.empty(0, dtype=np.intp)
