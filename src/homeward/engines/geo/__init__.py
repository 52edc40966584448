"""Geometry engine: CRS resolution and reprojection to WGS84, measurement, validation, simplification.

Plain shapely geometries and numpy arrays in and out; all stored geometries are WGS84 lon/lat.
"""

from homeward.engines.geo.crs import (
    WGS84,
    Geometries,
    GeometryArray,
    MissingCrs,
    UnknownCrs,
    local_metric_crs,
    resolve_crs,
    to_wgs84,
)
from homeward.engines.geo.measure import area_m2, areas_m2, length_m, perimeters_m
from homeward.engines.geo.simplify import simplify_for_zoom, to_geojson_geometry, tolerance_for_zoom
from homeward.engines.geo.validation import (
    Bounds,
    GeometryCheck,
    Problem,
    ProblemCode,
    ValidationPolicy,
    check_geometries,
    check_geometry,
)

__all__ = [
    "WGS84",
    "Bounds",
    "Geometries",
    "GeometryArray",
    "GeometryCheck",
    "MissingCrs",
    "Problem",
    "ProblemCode",
    "UnknownCrs",
    "ValidationPolicy",
    "area_m2",
    "areas_m2",
    "check_geometries",
    "check_geometry",
    "length_m",
    "local_metric_crs",
    "perimeters_m",
    "resolve_crs",
    "simplify_for_zoom",
    "to_geojson_geometry",
    "to_wgs84",
    "tolerance_for_zoom",
]
