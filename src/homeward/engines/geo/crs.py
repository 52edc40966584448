"""Coordinate reference systems: reading what a file declares, and reprojecting to WGS84.

Everything the rest of the system stores is WGS84 longitude/latitude (x = lon, y = lat), as GeoJSON
(RFC 7946) requires; files in a national grid or web mercator are reprojected on the way in.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pyproj
import shapely
from pyproj.exceptions import CRSError
from shapely.geometry.base import BaseGeometry

GeometryArray: TypeAlias = npt.NDArray[np.object_]
Geometries: TypeAlias = Sequence[BaseGeometry | None] | GeometryArray

WGS84 = pyproj.CRS.from_epsg(4326)


class MissingCrs(ValueError):
    """No coordinate reference system was declared."""

    def __init__(self) -> None:
        super().__init__("no coordinate reference system given")


class UnknownCrs(ValueError):
    """A coordinate reference system was declared that pyproj cannot read; ``value`` is what was given."""

    def __init__(self, value: object) -> None:
        self.value = value
        super().__init__(f"unknown coordinate reference system: {value!r}")


def resolve_crs(value: str | int | None) -> pyproj.CRS:
    """The CRS named by ``value``: an EPSG code (``32638``, ``"4326"``, ``"EPSG:32638"``), WKT or PROJ.

    Raises ``MissingCrs`` for ``None`` or a blank string and ``UnknownCrs`` for anything else pyproj
    cannot parse.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise MissingCrs
    # bool is an int subclass; True must not silently become EPSG:1.
    if isinstance(value, bool):
        raise UnknownCrs(value)
    user_input: str | int = value
    if isinstance(value, str):
        user_input = value.strip()
        if user_input.isdigit():
            user_input = int(user_input)
    try:
        return pyproj.CRS.from_user_input(user_input)
    except CRSError as error:
        raise UnknownCrs(value) from error


def as_geometry_array(geometries: Geometries) -> GeometryArray:
    """``geometries`` as a one-dimensional numpy object array (no copy when it already is one)."""
    if isinstance(geometries, np.ndarray):
        return geometries.astype(object, copy=False).reshape(-1)
    array = np.empty(len(geometries), dtype=object)
    array[:] = list(geometries)
    return array


def is_wgs84(crs: pyproj.CRS) -> bool:
    """Whether ``crs`` is WGS84 geographic (EPSG:4326 or OGC CRS84; axis order does not matter)."""
    return bool(crs.equals(WGS84, ignore_axis_order=True))


@lru_cache(maxsize=64)
def _transformer(source: pyproj.CRS, target: pyproj.CRS) -> pyproj.Transformer:
    # Building a Transformer costs milliseconds; pyproj >= 3.1 makes them safe to share across threads.
    return pyproj.Transformer.from_crs(source, target, always_xy=True)


def transform_geometries(geometries: Geometries, source: pyproj.CRS, target: pyproj.CRS) -> GeometryArray:
    """``geometries`` reprojected from ``source`` to ``target`` in one vectorised pass (2D; x = easting/lon)."""
    transformer = _transformer(source, target)

    def reproject(coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack((x, y))

    result: Any = shapely.transform(as_geometry_array(geometries), reproject)
    return np.asarray(result, dtype=object)


def to_wgs84(geometries: Geometries, source: pyproj.CRS) -> GeometryArray:
    """``geometries`` reprojected from ``source`` to WGS84, always as x = longitude, y = latitude.

    Returns the input (as an array) unchanged when ``source`` already is WGS84. Missing (``None``)
    entries stay ``None``; Z values are dropped.
    """
    if is_wgs84(source):
        return as_geometry_array(geometries)
    return transform_geometries(geometries, source, WGS84)


def utm_epsg_codes(lons: npt.ArrayLike, lats: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """EPSG code of the WGS84 UTM zone containing each point: 326xx north, 327xx south."""
    zones = np.floor_divide(np.asarray(lons, dtype=np.float64) + 180.0, 6.0).astype(np.int64) % 60 + 1
    return np.where(np.asarray(lats, dtype=np.float64) >= 0, 32600, 32700) + zones


@lru_cache(maxsize=128)
def crs_from_epsg(code: int) -> pyproj.CRS:
    """The CRS for an EPSG code, built once per process."""
    return pyproj.CRS.from_epsg(code)


def local_metric_crs(lon: float, lat: float) -> pyproj.CRS:
    """The UTM zone CRS for (``lon``, ``lat``), in metres, for measuring nearby areas and lengths.

    Uses the regular 6° zones (not the Norway/Svalbard exceptions, which only shift the zone edge).
    """
    return crs_from_epsg(int(utm_epsg_codes(lon, lat)))
