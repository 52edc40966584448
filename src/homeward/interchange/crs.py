"""Naming coordinate reference systems the way the rest of the package reports them."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pyproj
import pyproj.exceptions
import shapely
from shapely.geometry.base import BaseGeometry

from homeward.interchange.errors import InvalidCRS

WGS84 = "EPSG:4326"


def normalize_crs(value: str) -> str:
    """Return ``EPSG:<code>`` when `value` (any pyproj input: "epsg:32638", WKT, PROJ) has an EPSG code, else `value`.

    Raises `InvalidCRS` when pyproj cannot interpret it.
    """
    try:
        parsed = pyproj.CRS.from_user_input(value.strip())
    except pyproj.exceptions.CRSError as exc:
        raise InvalidCRS(value, str(exc)) from exc
    code = parsed.to_epsg()
    return f"EPSG:{code}" if code is not None else value.strip()


def is_wgs84(value: str) -> bool:
    """True when `value` names WGS 84 geographic coordinates (EPSG:4326 or OGC:CRS84)."""
    name = normalize_crs(value)
    return name == WGS84 or pyproj.CRS.from_user_input(name).equals("OGC:CRS84")


def to_wgs84(crs: str) -> Callable[[BaseGeometry], BaseGeometry] | None:
    """A function reprojecting geometries from `crs` to WGS 84 longitude/latitude; None when `crs` is WGS 84."""
    if is_wgs84(crs):
        return None
    transformer = pyproj.Transformer.from_crs(crs, WGS84, always_xy=True)

    def reproject(coordinates: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.column_stack(transformer.transform(*coordinates.T))

    def transform(geometry: BaseGeometry) -> BaseGeometry:
        transformed: BaseGeometry = shapely.transform(geometry, reproject, include_z=bool(shapely.has_z(geometry)))
        return transformed

    return transform
