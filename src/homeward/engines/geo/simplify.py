"""Lighter geometries for maps: simplification matched to the zoom level, and compact GeoJSON."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from homeward.engines.geo.crs import Geometries, GeometryArray, as_geometry_array

TILE_SIZE_PX = 256
MAX_MERCATOR_LATITUDE = 85.05112878
POLYGONAL_TYPE_IDS = (3, 6)


def tolerance_for_zoom(zoom: int, latitude: float = 0.0) -> float:
    """Simplification tolerance in degrees: about half a screen pixel at web-mercator ``zoom``.

    A pixel spans a fixed number of degrees of longitude but fewer degrees of latitude away from the
    equator (by cos(latitude)); the smaller, latitude, figure is used so no visible detail is lost.
    """
    if zoom < 0:
        raise ValueError(f"zoom must be >= 0, got {zoom}")
    degrees_per_pixel = 360.0 / (TILE_SIZE_PX * 2.0**zoom)
    clamped = min(abs(latitude), MAX_MERCATOR_LATITUDE)
    return 0.5 * degrees_per_pixel * math.cos(math.radians(clamped))


def simplify_for_zoom(geometries: Geometries, zoom: int) -> GeometryArray:
    """Each WGS84 geometry simplified for display at ``zoom``, topology preserved.

    Never turns a non-empty geometry into an empty one, nor a valid one into an invalid one: in those
    cases a polygon falls back to its envelope (if that is a polygon) and anything else to itself.
    Missing (``None``) entries stay ``None``.
    """
    array = as_geometry_array(geometries)
    result = array.copy()
    present = np.flatnonzero(~np.asarray(shapely.is_missing(array) | shapely.is_empty(array), dtype=np.bool_))
    if present.size == 0:
        return result
    originals = array[present]
    bounds = np.asarray(shapely.bounds(originals), dtype=np.float64)
    latitudes = (bounds[:, 1] + bounds[:, 3]) / 2.0
    tolerances = np.array([tolerance_for_zoom(zoom, float(latitude)) for latitude in latitudes])
    simplified = np.asarray(shapely.simplify(originals, tolerances, preserve_topology=True), dtype=object)

    broken = np.asarray(shapely.is_empty(simplified), dtype=np.bool_)
    invalid = np.flatnonzero(~np.asarray(shapely.is_valid(simplified), dtype=np.bool_))
    # Only a valid input must stay valid; checking originals just where needed halves the cost.
    broken[invalid] |= np.asarray(shapely.is_valid(originals[invalid]), dtype=np.bool_)
    for index in np.flatnonzero(broken):
        simplified[index] = _fallback(originals[index])
    result[present] = simplified
    return result


def _fallback(original: BaseGeometry) -> BaseGeometry:
    if int(shapely.get_type_id(original)) in POLYGONAL_TYPE_IDS:
        envelope: BaseGeometry = shapely.envelope(original)
        if envelope.geom_type == "Polygon":
            return envelope
    return original


def _rounder(precision: int) -> Any:
    def round_coordinates(coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        # + 0.0 turns -0.0 into 0.0 so tiny negatives do not print as "-0.0".
        return np.round(coords, precision) + 0.0

    return round_coordinates


def to_geojson_geometry(geometry: BaseGeometry, precision: int = 6) -> dict[str, Any]:
    """``geometry`` as a GeoJSON geometry object with coordinates rounded to ``precision`` decimals.

    Six decimals of a degree is about 0.1 m. Rounding is for display: it does not re-check validity.
    """
    if not 0 <= precision <= 15:
        raise ValueError(f"precision must be between 0 and 15, got {precision}")
    rounded = shapely.transform(geometry, _rounder(precision))
    payload: dict[str, Any] = json.loads(shapely.to_geojson(rounded))
    return payload
