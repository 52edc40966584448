"""Irregular hazardous-area polygons near a point, drawn one by one and measured all at once.

Each outline is star-shaped around its centre: its vertices lie at strictly increasing angles
(less than half a turn apart) at jittered distances, so its ring never crosses itself, and it
runs counter-clockwise. Stretching and turning it (a minefield strip along a road) keeps both.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from homeward.demo.errors import DemoDataError
from homeward.demo.villages import KM_PER_DEGREE
from homeward.engines.geo import areas_m2, perimeters_m

METRES_PER_DEGREE = KM_PER_DEGREE * 1000
MIN_VERTICES = 6
MAX_VERTICES = 24
# Vertices lie between these shares of the mean radius from the centre.
RADIUS_RANGE = (0.55, 1.5)
# Decimal places kept of each coordinate: about 1 cm.
COORDINATE_DECIMALS = 7


@dataclass(frozen=True)
class Shape:
    """A polygon's vertices as offsets in metres (east, north) from its centre, and the farthest one's distance."""

    offsets_m: tuple[tuple[float, float], ...]
    reach_m: float


@dataclass(frozen=True)
class Outline:
    """An open ring in WGS 84 (the first vertex is not repeated), with its centre and reach."""

    centre_lon: float
    centre_lat: float
    reach_m: float
    ring: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Measures:
    """What the database stores of each outline, in the order given."""

    wkb: list[bytes]
    bounds: npt.NDArray[np.float64]
    areas_m2: npt.NDArray[np.float64]
    perimeters_m: npt.NDArray[np.float64]


def metres_to_degrees(latitude: float, east_m: float, north_m: float) -> tuple[float, float]:
    """The longitude and latitude offsets of a shift of ``east_m`` and ``north_m`` at ``latitude``."""
    return east_m / (METRES_PER_DEGREE * math.cos(math.radians(latitude))), north_m / METRES_PER_DEGREE


def vertex_count(target_m2: float, rng: random.Random) -> int:
    """More vertices for larger areas: 6–12 for a strip of 2,000 m², up to 24 for a 2 km² area."""
    extra = int(max(0.0, math.log10(target_m2) - 3.3) * 4)
    return min(MAX_VERTICES, MIN_VERTICES + extra + rng.randint(0, 6))


def draw_shape(rng: random.Random, target_m2: float, *, aspect: float, turn: float) -> Shape:
    """An irregular polygon of about ``target_m2``, ``aspect`` times longer than wide, turned by ``turn``."""
    count = vertex_count(target_m2, rng)
    radius = math.sqrt(target_m2 / math.pi)
    step = 2 * math.pi / count
    stretch = math.sqrt(aspect)
    cos_turn, sin_turn = math.cos(turn), math.sin(turn)
    offsets = []
    for index in range(count):
        angle = (index + rng.uniform(-0.3, 0.3)) * step
        distance = radius * min(RADIUS_RANGE[1], max(RADIUS_RANGE[0], rng.gauss(1.0, 0.22)))
        along, across = distance * math.cos(angle) * stretch, distance * math.sin(angle) / stretch
        offsets.append((along * cos_turn - across * sin_turn, along * sin_turn + across * cos_turn))
    return Shape(tuple(offsets), max(math.hypot(east, north) for east, north in offsets))


def outline_at(shape: Shape, centre_lon: float, centre_lat: float) -> Outline:
    """``shape`` centred on a point, in WGS 84."""
    ring = []
    for east, north in shape.offsets_m:
        d_lon, d_lat = metres_to_degrees(centre_lat, east, north)
        ring.append((round(centre_lon + d_lon, COORDINATE_DECIMALS), round(centre_lat + d_lat, COORDINATE_DECIMALS)))
    return Outline(centre_lon, centre_lat, shape.reach_m, tuple(ring))


def centre_near(
    rng: random.Random, longitude: float, latitude: float, reach_m: float, *, overlapping: bool
) -> tuple[float, float]:
    """Where to centre an area whose vertices lie within ``reach_m`` of its centre, near a settlement's point.

    Overlapping: the centre lies within about a fifth of the area's radius of the point, so the
    area covers the houses there. Otherwise all of the area keeps between about 150 m and 3 km
    from the point: on the fields and roads around the settlement.
    """
    if overlapping:
        distance = rng.uniform(0.0, 0.15) * reach_m / RADIUS_RANGE[1]
    else:
        distance = reach_m + rng.uniform(150.0, 3_000.0)
    bearing = rng.uniform(0.0, 2 * math.pi)
    d_lon, d_lat = metres_to_degrees(latitude, distance * math.sin(bearing), distance * math.cos(bearing))
    return longitude + d_lon, latitude + d_lat


def polygons_of(outlines: Sequence[Outline]) -> npt.NDArray[np.object_]:
    """The outlines as an array of shapely polygons, built in one call."""
    counts = [len(outline.ring) for outline in outlines]
    if not counts:
        return np.empty(0, dtype=object)
    coordinates = np.array([vertex for outline in outlines for vertex in outline.ring], dtype=np.float64)
    rings = shapely.linearrings(coordinates, indices=np.repeat(np.arange(len(counts)), counts))
    return np.asarray(shapely.polygons(rings), dtype=object)


def measure_outlines(outlines: Sequence[Outline]) -> Measures:
    """WKB, envelope, area and perimeter of every outline; refuses any that is not a valid polygon."""
    polygons = polygons_of(outlines)
    if len(polygons) == 0:
        empty = np.empty(0, dtype=np.float64)
        return Measures([], np.empty((0, 4), dtype=np.float64), empty, empty)
    invalid = np.flatnonzero(~np.asarray(shapely.is_valid(polygons), dtype=bool))
    if invalid.size:
        raise DemoDataError(f"demo hazardous area outline {int(invalid[0])} is not a valid polygon")
    return Measures(
        wkb=[bytes(value) for value in shapely.to_wkb(polygons)],
        bounds=np.asarray(shapely.bounds(polygons), dtype=np.float64),
        areas_m2=areas_m2(polygons),
        perimeters_m=perimeters_m(polygons),
    )
