"""Checking imported WGS84 geometries before they are stored, and repairing only what is safe.

Safe repairs never change the shape a surveyor drew: re-winding rings to RFC 7946 order, dropping
consecutive duplicate points, wrapping a single part in a multi-part type. Everything else (empty,
wrong type, non-finite coordinates, invalid topology, too many vertices, far outside the deployment,
lat/lon given as lon/lat) is refused and reported, because a guess (``make_valid``, swapping axes)
could silently move a hazardous-area boundary.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from homeward.engines.geo.crs import GeometryArray, as_geometry_array

KM_PER_DEGREE = 111.32
POLYGONAL_TYPE_IDS = frozenset({3, 6})
LINEAL_OR_POLYGONAL_TYPE_IDS = frozenset({1, 2, 3, 5, 6})
TYPE_IDS = {
    "Point": 0,
    "LineString": 1,
    "LinearRing": 2,
    "Polygon": 3,
    "MultiPoint": 4,
    "MultiLineString": 5,
    "MultiPolygon": 6,
    "GeometryCollection": 7,
}
_MULTI_OF = {"Point": "MultiPoint", "LineString": "MultiLineString", "Polygon": "MultiPolygon"}
_MULTI_FACTORY = {
    "Point": shapely.multipoints,
    "LineString": shapely.multilinestrings,
    "Polygon": shapely.multipolygons,
}
_REASON_AT = re.compile(r"^(?P<reason>.*?)\s*\[(?P<x>\S+) (?P<y>\S+)\]\s*$")


class ProblemCode(enum.StrEnum):
    EMPTY = "empty"
    WRONG_TYPE = "wrong_type"
    NON_FINITE = "non_finite"
    SELF_INTERSECTION = "self_intersection"
    WRONG_RING_ORDER = "wrong_ring_order"
    TOO_MANY_VERTICES = "too_many_vertices"
    OUT_OF_BOUNDS = "out_of_bounds"
    SWAPPED_AXES = "swapped_axes"
    UNCLOSED_OR_DUPLICATE_POINTS = "unclosed_or_duplicate_points"


@dataclass(frozen=True)
class Problem:
    """One finding: ``detail`` is technical English; ``location`` (lon, lat) when GEOS names one."""

    code: ProblemCode
    detail: str
    repaired: bool
    location: tuple[float, float] | None = None


@dataclass(frozen=True)
class Bounds:
    """The deployment's extent in degrees; "far outside" means beyond it widened by ``margin_km``."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float
    margin_km: float = 50.0

    def __post_init__(self) -> None:
        if not (self.min_lon < self.max_lon and self.min_lat < self.max_lat and self.margin_km >= 0):
            raise ValueError(f"empty or inverted bounds: {self}")

    def expanded(self) -> tuple[float, float, float, float]:
        """(min_lon, min_lat, max_lon, max_lat) widened by at least ``margin_km`` everywhere."""
        lat_margin = self.margin_km / KM_PER_DEGREE
        # Use the poleward edge: a degree of longitude is shortest there, so the margin is never short.
        poleward = min(max(abs(self.min_lat), abs(self.max_lat)), 89.0)
        lon_margin = self.margin_km / (KM_PER_DEGREE * math.cos(math.radians(poleward)))
        return (
            self.min_lon - lon_margin,
            self.min_lat - lat_margin,
            self.max_lon + lon_margin,
            self.max_lat + lat_margin,
        )

    def contains_envelopes(self, envelopes: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """For each (min_x, min_y, max_x, max_y) row, whether it lies within the expanded bounds."""
        rows = np.asarray(envelopes, dtype=np.float64).reshape(-1, 4)
        min_lon, min_lat, max_lon, max_lat = self.expanded()
        with np.errstate(invalid="ignore"):
            inside = (
                (rows[:, 0] >= min_lon) & (rows[:, 1] >= min_lat) & (rows[:, 2] <= max_lon) & (rows[:, 3] <= max_lat)
            )
        return np.asarray(inside, dtype=np.bool_)

    def contains(self, geometry: BaseGeometry) -> bool:
        """Whether the envelope of ``geometry`` lies within the expanded bounds (False when empty)."""
        return bool(self.contains_envelopes(shapely.bounds(geometry))[0])


@dataclass(frozen=True)
class ValidationPolicy:
    bounds: Bounds | None = None
    max_vertices: int = 10_000
    allowed_types: frozenset[str] = frozenset({"Polygon", "MultiPolygon"})

    def __post_init__(self) -> None:
        unknown = self.allowed_types - TYPE_IDS.keys()
        if unknown or not self.allowed_types:
            raise ValueError(f"unknown or no geometry types allowed: {sorted(unknown)}")


@dataclass(frozen=True)
class GeometryCheck:
    """The outcome for one geometry: ``geometry`` has the safe repairs applied (``None`` if none given)."""

    geometry: BaseGeometry | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """True when every problem found was repaired, so ``geometry`` may be stored."""
        return all(problem.repaired for problem in self.problems)

    @property
    def repairs(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.repaired)

    @property
    def refusals(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if not problem.repaired)


def _bool_array(values: Any) -> npt.NDArray[np.bool_]:
    return np.asarray(values, dtype=np.bool_)


def _non_finite(array: GeometryArray) -> npt.NDArray[np.bool_]:
    coords, owner = shapely.get_coordinates(array, return_index=True)
    bad = ~np.isfinite(np.asarray(coords, dtype=np.float64)).all(axis=1)
    return _bool_array(np.bincount(np.asarray(owner)[bad], minlength=len(array)) > 0)


def _misoriented(array: GeometryArray) -> npt.NDArray[np.bool_]:
    """Polygonal geometries whose exterior is not counter-clockwise or a hole not clockwise."""
    parts, part_owner = shapely.get_parts(array, return_index=True)
    rings, ring_owner = shapely.get_rings(parts, return_index=True)
    ring_owner = np.asarray(ring_owner)
    # get_rings lists each polygon's exterior first, then its holes.
    exterior = np.ones(len(ring_owner), dtype=np.bool_)
    exterior[1:] = ring_owner[1:] != ring_owner[:-1]
    wrong = _bool_array(shapely.is_ccw(rings)) != exterior
    bad_parts = np.bincount(ring_owner[wrong], minlength=len(parts)) > 0
    return _bool_array(np.bincount(np.asarray(part_owner)[bad_parts], minlength=len(array)) > 0)


def _repeated_points(array: GeometryArray) -> npt.NDArray[np.bool_]:
    cleaned = shapely.remove_repeated_points(array, 0.0)
    return _bool_array(
        np.asarray(shapely.get_num_coordinates(cleaned)) < np.asarray(shapely.get_num_coordinates(array))
    )


def _swapped_envelopes(envelopes: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return envelopes[:, [1, 0, 3, 2]]


def _format_xy(x: float, y: float) -> str:
    return f"({x:.8g}, {y:.8g})"


def _invalidity(geometry: BaseGeometry) -> Problem:
    reason = str(shapely.is_valid_reason(geometry))
    match = _REASON_AT.match(reason)
    if match is None:
        return Problem(ProblemCode.SELF_INTERSECTION, reason, repaired=False)
    try:
        location = (float(match["x"]), float(match["y"]))
    except ValueError:
        return Problem(ProblemCode.SELF_INTERSECTION, reason, repaired=False)
    detail = f"{match['reason']} at {_format_xy(*location)}"
    return Problem(ProblemCode.SELF_INTERSECTION, detail, repaired=False, location=location)


def _promoted(geometry: BaseGeometry, allowed: frozenset[str]) -> BaseGeometry | None:
    """``geometry`` wrapped in its multi-part type when only that type is allowed; else None."""
    kind = str(geometry.geom_type)
    if _MULTI_OF.get(kind) not in allowed:
        return None
    wrapped: BaseGeometry = _MULTI_FACTORY[kind]([geometry])
    return wrapped


def _bounds_problem(geometry: BaseGeometry, bounds: Bounds) -> Problem | None:
    envelope = np.asarray(shapely.bounds(geometry), dtype=np.float64).reshape(1, 4)
    if bounds.contains_envelopes(envelope)[0]:
        return None
    box = ", ".join(f"{value:.8g}" for value in envelope[0])
    if bounds.contains_envelopes(_swapped_envelopes(envelope))[0]:
        detail = f"envelope ({box}) is inside the bounds only with x and y swapped: lat/lon given as lon/lat"
        return Problem(ProblemCode.SWAPPED_AXES, detail, repaired=False)
    detail = f"envelope ({box}) is more than {bounds.margin_km:g} km outside the bounds"
    return Problem(ProblemCode.OUT_OF_BOUNDS, detail, repaired=False)


def check_geometry(geometry: BaseGeometry | None, policy: ValidationPolicy) -> GeometryCheck:
    """Every problem of one WGS84 (x = lon) geometry under ``policy``, with only the safe repairs made.

    Empty, wrong-type and non-finite geometries stop the check at that problem; otherwise all
    problems are reported together. The returned geometry is the input with any repairs applied;
    use it only when ``ok``.
    """
    if geometry is None or geometry.is_empty:
        detail = "no geometry" if geometry is None else f"empty {geometry.geom_type}"
        return GeometryCheck(geometry, (Problem(ProblemCode.EMPTY, detail, repaired=False),))

    problems: list[Problem] = []
    kind = str(geometry.geom_type)
    if kind not in policy.allowed_types:
        promoted = _promoted(geometry, policy.allowed_types)
        if promoted is None:
            detail = f"{kind} where {' or '.join(sorted(policy.allowed_types))} expected"
            return GeometryCheck(geometry, (Problem(ProblemCode.WRONG_TYPE, detail, repaired=False),))
        problems.append(Problem(ProblemCode.WRONG_TYPE, f"{kind} wrapped as {promoted.geom_type}", repaired=True))
        geometry = promoted

    single = as_geometry_array([geometry])
    if _non_finite(single)[0]:
        coords = np.asarray(shapely.get_coordinates(geometry), dtype=np.float64)
        first = coords[~np.isfinite(coords).all(axis=1)][0]
        detail = f"non-finite coordinate {_format_xy(*first)}"
        return GeometryCheck(geometry, (*problems, Problem(ProblemCode.NON_FINITE, detail, repaired=False)))

    vertices = int(shapely.get_num_coordinates(geometry))
    if vertices > policy.max_vertices:
        detail = f"{vertices} vertices, more than the limit of {policy.max_vertices}"
        problems.append(Problem(ProblemCode.TOO_MANY_VERTICES, detail, repaired=False))

    if not shapely.is_valid(geometry):
        problems.append(_invalidity(geometry))
    else:
        type_id = int(shapely.get_type_id(geometry))
        if type_id in LINEAL_OR_POLYGONAL_TYPE_IDS and _repeated_points(single)[0]:
            cleaned: BaseGeometry = shapely.remove_repeated_points(geometry, 0.0)
            removed = vertices - int(shapely.get_num_coordinates(cleaned))
            # Removing exact repeats cannot change the shape, but re-check rather than assume.
            if shapely.is_valid(cleaned) and not cleaned.is_empty:
                problems.append(
                    Problem(
                        ProblemCode.UNCLOSED_OR_DUPLICATE_POINTS, f"removed {removed} repeated points", repaired=True
                    )
                )
                geometry = cleaned
                single = as_geometry_array([geometry])
        if type_id in POLYGONAL_TYPE_IDS and _misoriented(single)[0]:
            geometry = shapely.orient_polygons(geometry)
            detail = "rings re-wound: exterior counter-clockwise, holes clockwise (RFC 7946)"
            problems.append(Problem(ProblemCode.WRONG_RING_ORDER, detail, repaired=True))

    if policy.bounds is not None:
        outside = _bounds_problem(geometry, policy.bounds)
        if outside is not None:
            problems.append(outside)
    return GeometryCheck(geometry, tuple(problems))


def check_geometries(
    geometries: Sequence[BaseGeometry | None] | GeometryArray, policy: ValidationPolicy
) -> list[GeometryCheck]:
    """``check_geometry`` for each geometry, in order, with the common clean case vectorised.

    All geometries are screened with array operations; only those the screen flags (any candidate
    problem) go through the per-geometry check, which decides and explains.
    """
    array = as_geometry_array(geometries)
    allowed_ids = [TYPE_IDS[name] for name in policy.allowed_types]
    type_ids = np.asarray(shapely.get_type_id(array))
    clean = np.isin(type_ids, allowed_ids) & ~_bool_array(shapely.is_empty(array))

    def narrow(mask_of_clean: npt.NDArray[np.bool_]) -> None:
        clean[np.flatnonzero(clean)[~mask_of_clean]] = False

    narrow(~_non_finite(array[clean]))
    narrow(np.asarray(shapely.get_num_coordinates(array[clean])) <= policy.max_vertices)
    narrow(_bool_array(shapely.is_valid(array[clean])))
    lineal = clean & np.isin(type_ids, list(LINEAL_OR_POLYGONAL_TYPE_IDS))
    clean[np.flatnonzero(lineal)[_repeated_points(array[lineal])]] = False
    polygonal = clean & np.isin(type_ids, list(POLYGONAL_TYPE_IDS))
    clean[np.flatnonzero(polygonal)[_misoriented(array[polygonal])]] = False
    if policy.bounds is not None:
        narrow(policy.bounds.contains_envelopes(shapely.bounds(array[clean])))

    return [
        GeometryCheck(geometry, ()) if is_clean else check_geometry(geometry, policy)
        for geometry, is_clean in zip(array, clean, strict=True)
    ]
