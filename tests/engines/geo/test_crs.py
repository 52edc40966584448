"""Resolving declared CRSs and reprojecting to WGS84 lon/lat."""

from __future__ import annotations

import math

import numpy as np
import pyproj
import pytest
import shapely

from homeward.engines.geo import WGS84, MissingCrs, UnknownCrs, local_metric_crs, resolve_crs, to_wgs84

UTM_38N = pyproj.CRS.from_epsg(32638)


@pytest.mark.parametrize(
    ("value", "epsg"),
    [
        ("EPSG:32638", 32638),
        ("epsg:4326", 4326),
        (32638, 32638),
        ("4326", 4326),
        (" 32638 ", 32638),
        (UTM_38N.to_wkt(), 32638),
        ("+proj=utm +zone=38 +datum=WGS84 +units=m +no_defs", 32638),
    ],
)
def test_resolve_crs_reads_codes_wkt_and_proj_strings(value: str | int, epsg: int) -> None:
    assert resolve_crs(value).equals(pyproj.CRS.from_epsg(epsg), ignore_axis_order=True)


@pytest.mark.parametrize("value", ["EPSG:999999", "nonsense", 999999, "+proj=nowhere"])
def test_resolve_crs_refuses_what_pyproj_cannot_read(value: str | int) -> None:
    with pytest.raises(UnknownCrs) as raised:
        resolve_crs(value)
    assert raised.value.value == value


def test_resolve_crs_refuses_a_boolean_rather_than_reading_it_as_epsg_1() -> None:
    with pytest.raises(UnknownCrs):
        resolve_crs(True)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_resolve_crs_requires_a_value(value: str | None) -> None:
    with pytest.raises(MissingCrs):
        resolve_crs(value)


def test_missing_and_unknown_crs_are_value_errors() -> None:
    assert issubclass(MissingCrs, ValueError)
    assert issubclass(UnknownCrs, ValueError)


def test_to_wgs84_reverses_a_utm_projection() -> None:
    lon, lat = 46.7, 39.8
    forward = pyproj.Transformer.from_crs(4326, 32638, always_xy=True)
    x, y = forward.transform(lon, lat)
    assert 600_000 < x < 700_000  # truly projected: 1.7° east of the 45°E central meridian

    (point,) = to_wgs84([shapely.Point(x, y)], UTM_38N)

    assert point.x == pytest.approx(lon, abs=1e-9)
    assert point.y == pytest.approx(lat, abs=1e-9)


def test_to_wgs84_from_web_mercator_matches_the_closed_form() -> None:
    radius = 6_378_137.0
    lon, lat = 46.7, 39.8
    x = radius * math.radians(lon)
    y = radius * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    (point,) = to_wgs84(np.array([shapely.Point(x, y)]), resolve_crs("EPSG:3857"))

    assert (point.x, point.y) == pytest.approx((lon, lat), abs=1e-9)


def test_to_wgs84_reprojects_every_vertex_of_polygons() -> None:
    square = shapely.box(640_000, 4_400_000, 641_000, 4_401_000)
    (polygon,) = to_wgs84([square], UTM_38N)
    back = pyproj.Transformer.from_crs(4326, 32638, always_xy=True)
    coords = shapely.get_coordinates(polygon)
    x, y = back.transform(coords[:, 0], coords[:, 1])
    assert np.allclose(np.column_stack((x, y)), shapely.get_coordinates(square), atol=1e-6)


def test_to_wgs84_outputs_lon_lat_even_for_a_lat_lon_ordered_source() -> None:
    # ETRS89 (EPSG:4258) declares latitude first; the output must still be x = lon.
    (point,) = to_wgs84([shapely.Point(46.7, 39.8)], resolve_crs("EPSG:4258"))
    assert (point.x, point.y) == pytest.approx((46.7, 39.8), abs=1e-5)


def test_to_wgs84_leaves_wgs84_input_untouched_and_keeps_missing_entries() -> None:
    point = shapely.Point(46.7, 39.8)
    result = to_wgs84([point, None], WGS84)
    assert result[0] is point
    assert result[1] is None
    assert to_wgs84([None], UTM_38N)[0] is None


@pytest.mark.parametrize(
    ("lon", "lat", "epsg"),
    [
        (46.7, 39.8, 32638),
        (-70.6, -33.4, 32719),
        (3.0, 0.0, 32631),
        (-180.0, 10.0, 32601),
        (180.0, 10.0, 32601),
        (179.9, -10.0, 32760),
    ],
)
def test_local_metric_crs_is_the_utm_zone_of_the_point(lon: float, lat: float, epsg: int) -> None:
    assert local_metric_crs(lon, lat).to_epsg() == epsg
