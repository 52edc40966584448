"""Residential areas and the active hazardous areas inside them, for many settlements at once.

A settlement's residential area is its polygon, or a circle of ``buffer_m`` around its point:
a 32-sided polygon drawn in the settlements' metric CRS and reprojected to WGS 84 (what
``shapely.buffer`` with 8 segments per quarter circle and a reprojection give; the benchmark's
GeoPandas peer builds the very same polygons). Whether an active hazardous area meets a circle
is decided exactly, but mostly without building the circle: the metric CRS is linear to within
centimetres over a few hundred metres, so the area's distance from the point in degrees, scaled
by the largest and smallest metres per degree there, brackets its distance in metres. Only the
pairs within a few metres of the circle's edge are settled by building the polygon.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import shapely

from homeward.engines.geo import WGS84, GeometryArray, to_wgs84
from homeward.engines.readiness.inputs import FloatArray, Hazards, IndexArray, Settlements, transformer

BUFFER_QUAD_SEGS = 8
# The 32-gon contains the disk of this share of its radius.
INSCRIBED = math.cos(math.pi / (4 * BUFFER_QUAD_SEGS))
# Finite-difference step for the metres per degree, in degrees (about 10 m).
STEP_DEG = 1e-4


def linearisation_margin_m(buffer_m: float) -> float:
    """How far (m) the linearised metric CRS may be off at ``buffer_m`` from the point, with room to spare.

    The second-order terms of a UTM projection stay near 1e-7 per metre, so a few centimetres at
    300 m; the margin is ten times that and more. A wider margin only costs exact tests.
    """
    return 0.5 + 1e-6 * buffer_m * buffer_m


def jacobians(settlements: Settlements, rows: IndexArray) -> FloatArray:
    """The metric CRS's Jacobian (metres per degree) at each settlement row, by central differences.

    One row ``(dx/dlon, dx/dlat, dy/dlon, dy/dlat)`` per settlement.
    """
    lon, lat = settlements.lon[rows], settlements.lat[rows]
    x, y = transformer(WGS84, settlements.crs).transform(
        np.concatenate((lon - STEP_DEG, lon + STEP_DEG, lon, lon)),
        np.concatenate((lat, lat, lat - STEP_DEG, lat + STEP_DEG)),
    )
    x = np.asarray(x, dtype=np.float64).reshape(4, -1)
    y = np.asarray(y, dtype=np.float64).reshape(4, -1)
    return np.column_stack(((x[1] - x[0]), (x[3] - x[2]), (y[1] - y[0]), (y[3] - y[2]))) / (2 * STEP_DEG)


def stretch(jacobian: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The smallest and largest metres per degree of each Jacobian in any direction (its singular values)."""
    a, b, c, d = jacobian.T
    squares, determinant = a * a + b * b + c * c + d * d, np.abs(a * d - b * c)
    spread = np.sqrt(np.maximum(squares * squares - 4 * determinant * determinant, 0.0))
    return np.sqrt((squares - spread) / 2), np.sqrt((squares + spread) / 2)


def local_distances(lon: FloatArray, lat: FloatArray, jacobian: FloatArray, geometries: GeometryArray) -> FloatArray:
    """Distance (m) from each point to its geometry in the metric CRS linearised at the point; 0 inside.

    The geometry's rings are mapped by the point's Jacobian, which keeps straight edges straight, so
    the nearest edge and the even-odd inside test are exact in that linear image.
    """
    parts, part_of = shapely.get_parts(geometries, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coordinates, vertex_of = shapely.get_coordinates(rings, return_index=True)
    same_ring = vertex_of[1:] == vertex_of[:-1]
    start, end = coordinates[:-1][same_ring], coordinates[1:][same_ring]
    pair = part_of[ring_of[vertex_of[:-1][same_ring]]]
    a, b, c, d = jacobian[pair].T
    east, north = start[:, 0] - lon[pair], start[:, 1] - lat[pair]
    ax, ay = a * east + b * north, c * east + d * north
    east, north = end[:, 0] - lon[pair], end[:, 1] - lat[pair]
    bx, by = a * east + b * north, c * east + d * north
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    with np.errstate(divide="ignore", invalid="ignore"):
        along = np.clip(np.where(length > 0, -(ax * dx + ay * dy) / length, 0.0), 0.0, 1.0)
        crosses = ((ay > 0) != (by > 0)) & (ax - ay * dx / np.where(dy != 0, dy, 1.0) > 0)
    gap = np.hypot(ax + along * dx, ay + along * dy)
    distance = np.full(len(geometries), np.inf)
    np.minimum.at(distance, pair, gap)
    inside = np.bincount(pair, weights=crosses, minlength=len(geometries)) % 2 == 1
    return np.where(inside, 0.0, distance)


def residential_areas(settlements: Settlements, rows: IndexArray, buffer_m: float) -> GeometryArray:
    """Each settlement row's residential area in WGS 84: its polygon, or the 32-sided circle of ``buffer_m``."""
    areas = np.empty(len(rows), dtype=object)
    if settlements.polygons is not None:
        areas[:] = settlements.polygons[rows]
    missing = np.asarray(shapely.is_missing(areas), dtype=np.bool_)
    if missing.any():
        xy = settlements.metric_xy[rows[missing]]
        circles = shapely.buffer(shapely.points(xy), buffer_m, quad_segs=BUFFER_QUAD_SEGS)
        areas[missing] = to_wgs84(circles, settlements.crs)
    return areas


def has_polygon(settlements: Settlements, rows: IndexArray) -> npt.NDArray[np.bool_]:
    if settlements.polygons is None:
        return np.zeros(len(rows), dtype=np.bool_)
    return ~np.asarray(shapely.is_missing(settlements.polygons[rows]), dtype=np.bool_)


def _circle_pairs(
    settlements: Settlements, rows: IndexArray, tree: shapely.STRtree, buffer_m: float
) -> tuple[IndexArray, IndexArray]:
    """``(index into rows, tree index)`` of every tree geometry meeting the circle of each settlement row."""
    margin = linearisation_margin_m(buffer_m)
    inner, outer = buffer_m * INSCRIBED - margin, buffer_m + margin
    jacobian = jacobians(settlements, rows)
    smallest, largest = stretch(jacobian)
    lon, lat = settlements.lon[rows], settlements.lat[rows]
    reach = outer / smallest
    near, found = tree.query(shapely.box(lon - reach, lat - reach, lon + reach, lat + reach))
    if not len(near):
        return near, found
    # Bracketed by the distance in degrees, then, for the pairs that leaves open, in the linearised metric CRS.
    degrees = shapely.distance(shapely.points(lon[near], lat[near]), tree.geometries[found])
    inside = degrees * largest[near] <= inner
    unsure = np.flatnonzero(~inside & (degrees * smallest[near] <= outer))
    if len(unsure):
        metres = local_distances(
            lon[near[unsure]], lat[near[unsure]], jacobian[near[unsure]], tree.geometries[found[unsure]]
        )
        inside[unsure] = metres <= inner
        unsure = unsure[(metres > inner) & (metres <= outer)]
    if len(unsure):
        involved, slot = np.unique(near[unsure], return_inverse=True)
        circles = residential_areas(settlements, rows[involved], buffer_m)
        inside[unsure] = shapely.intersects(circles[slot], tree.geometries[found[unsure]])
    return near[inside], found[inside]


def _area_pairs(
    settlements: Settlements, rows: IndexArray, tree: shapely.STRtree, buffer_m: float
) -> tuple[IndexArray, IndexArray]:
    """``(index into rows, tree index)`` of every tree geometry meeting the residential area of each row."""
    polygons = settlements.polygons
    given = has_polygon(settlements, rows)
    indexes: list[IndexArray] = [np.empty(0, dtype=np.intp)]
    found: list[IndexArray] = [np.empty(0, dtype=np.intp)]
    if polygons is not None and given.any():
        polygon_indexes = np.flatnonzero(given)
        near, hit = tree.query(polygons[rows[polygon_indexes]], predicate="intersects")
        indexes.append(polygon_indexes[near])
        found.append(hit)
    if not given.all():
        circle_indexes = np.flatnonzero(~given)
        near, hit = _circle_pairs(settlements, rows[circle_indexes], tree, buffer_m)
        indexes.append(circle_indexes[near])
        found.append(hit)
    return np.concatenate(indexes).astype(np.intp), np.concatenate(found).astype(np.intp)


def hazard_pairs(
    settlements: Settlements, hazards: Hazards, rows: IndexArray, buffer_m: float
) -> tuple[IndexArray, IndexArray]:
    """``(position, hazard row)`` of every active hazardous area meeting the residential area of ``rows[position]``.

    Sorted by position, then hazard row.
    """
    if not len(hazards.active_rows) or not len(rows):
        empty = np.empty(0, dtype=np.intp)
        return empty, empty
    position, found = _area_pairs(settlements, rows, hazards.active_tree, buffer_m)
    hazard = hazards.active_rows[found]
    order = np.lexsort((hazard, position))
    return position[order], hazard[order]


def settlements_touching(settlements: Settlements, polygons: GeometryArray, buffer_m: float) -> IndexArray:
    """Rows of the settlements whose residential area meets any of ``polygons`` (missing ones ignored), sorted."""
    present = polygons[~np.asarray(shapely.is_missing(polygons), dtype=np.bool_)]
    if not len(present) or not len(settlements):
        return np.empty(0, dtype=np.intp)
    rows = np.arange(len(settlements), dtype=np.intp)
    touching: IndexArray = np.unique(_area_pairs(settlements, rows, shapely.STRtree(present), buffer_m)[0])
    return touching
