"""How far a settlement is from a facility: the ``Reach`` interface and its straight-line default.

Until a road network exists, "within reach" is the straight-line distance in the settlements'
metric CRS. A travel-time implementation (along hazard-free roads) plugs in by answering the same
two questions in minutes; the criteria then compare with ``max_minutes`` instead of ``max_km``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, TypeAlias

import numpy as np
from scipy.spatial import cKDTree

from homeward.engines.geo import WGS84
from homeward.engines.readiness.inputs import Facilities, FloatArray, IndexArray, Settlements, transformer

ReachUnit: TypeAlias = Literal["km", "min"]


@dataclass(frozen=True)
class Nearest:
    """For each settlement asked about: the nearest one's row (-1: none) and its distance (``inf``: none)."""

    found: IndexArray
    distance: FloatArray
    unit: ReachUnit

    @classmethod
    def none(cls, count: int, unit: ReachUnit) -> Nearest:
        return cls(np.full(count, -1, dtype=np.intp), np.full(count, np.inf), unit)


class Reach(Protocol):
    """Distances (or travel times) from settlements to facilities and to other settlements."""

    @property
    def unit(self) -> ReachUnit: ...

    def nearest(self, rows: IndexArray, facility_kind: str) -> Nearest:
        """The nearest working facility (a row of ``Facilities``) of ``facility_kind`` to each settlement row."""
        ...

    def nearest_among(self, rows: IndexArray, targets: IndexArray) -> Nearest:
        """The nearest of the ``targets`` (settlement rows, the settlement itself included) to each settlement row."""
        ...

    def within(self, rows: IndexArray, targets: IndexArray, limit: float) -> list[IndexArray]:
        """For each settlement row, the ``targets`` (settlement rows) no farther than ``limit``."""
        ...


class StraightLineReach:
    """Straight-line distances in km, measured in the settlements' metric CRS with k-d trees."""

    unit: ReachUnit = "km"

    def __init__(self, settlements: Settlements, facilities: Facilities) -> None:
        self._settlements = settlements
        self._facilities = facilities
        self._trees: dict[str, tuple[cKDTree, IndexArray]] = {}

    def _tree(self, kind: str) -> tuple[cKDTree, IndexArray]:
        if kind not in self._trees:
            facilities = self._facilities
            rows = np.flatnonzero(facilities.working & (np.asarray(facilities.kinds, dtype=object) == kind))
            x, y = transformer(WGS84, self._settlements.crs).transform(facilities.lon[rows], facilities.lat[rows])
            points = np.column_stack((np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)))
            self._trees[kind] = (cKDTree(points.reshape(-1, 2)), rows.astype(np.intp))
        return self._trees[kind]

    def nearest(self, rows: IndexArray, facility_kind: str) -> Nearest:
        tree, facility_rows = self._tree(facility_kind)
        return self._query(tree, facility_rows, rows)

    def nearest_among(self, rows: IndexArray, targets: IndexArray) -> Nearest:
        return self._query(cKDTree(self._settlements.metric_xy[targets].reshape(-1, 2)), targets, rows)

    def _query(self, tree: cKDTree, found_rows: IndexArray, rows: IndexArray) -> Nearest:
        if not len(found_rows) or not len(rows):
            return Nearest.none(len(rows), "km")
        distance, position = tree.query(self._settlements.metric_xy[rows], k=1)
        return Nearest(found_rows[np.asarray(position, dtype=np.intp)], np.asarray(distance) / 1000.0, "km")

    def within(self, rows: IndexArray, targets: IndexArray, limit: float) -> list[IndexArray]:
        if not len(targets):
            return [np.empty(0, dtype=np.intp) for _ in rows]
        xy = self._settlements.metric_xy
        found = cKDTree(xy[targets]).query_ball_point(xy[rows], r=limit * 1000.0)
        return [targets[np.asarray(hits, dtype=np.intp)] for hits in found]
