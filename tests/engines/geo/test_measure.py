"""Areas and lengths of WGS84 geometries, checked against UTM constructions and geodesics."""

from __future__ import annotations

import math

import numpy as np
import pyproj
import pytest
import shapely

from homeward.engines.geo import area_m2, areas_m2, length_m, perimeters_m, resolve_crs, to_wgs84

GEOD = pyproj.Geod(ellps="WGS84")


def geodesic_area(geometry: shapely.Geometry) -> float:
    return abs(GEOD.geometry_area_perimeter(shapely.orient_polygons(geometry))[0])


def utm_square_near_aghdam(side_m: float) -> shapely.Polygon:
    forward = pyproj.Transformer.from_crs(4326, 32638, always_xy=True)
    x, y = forward.transform(46.7, 39.8)
    (square,) = to_wgs84([shapely.box(x, y, x + side_m, y + side_m)], resolve_crs(32638))
    return square


def test_a_square_kilometre_built_in_utm_measures_one_million_square_metres() -> None:
    square = utm_square_near_aghdam(1000.0)
    # Within the ±0.5 % a UTM zone can distort, and in fact within 0.05 %: the scale factor is corrected.
    assert area_m2(square) == pytest.approx(1_000_000, rel=0.005)
    assert area_m2(square) == pytest.approx(1_000_000, rel=0.0005)
    assert length_m(square) == pytest.approx(4000, rel=0.0005)


def test_areas_agree_with_the_ellipsoid_across_zones_and_hemispheres() -> None:
    rng = np.random.default_rng(7)
    centres = np.column_stack((rng.uniform(-179, 179, 300), rng.uniform(-75, 80, 300)))
    polygons = [shapely.Point(lon, lat).buffer(0.02, quad_segs=8) for lon, lat in centres]

    expected = [geodesic_area(polygon) for polygon in polygons]

    assert np.allclose(areas_m2(polygons), expected, rtol=1e-4)


def test_perimeters_agree_with_the_ellipsoid() -> None:
    polygons = [shapely.box(lon, 40.0, lon + 0.05, 40.03) for lon in (44.6, 46.0, 47.9, -3.0)]
    expected = [GEOD.geometry_area_perimeter(polygon)[1] for polygon in polygons]
    assert np.allclose(perimeters_m(polygons), expected, rtol=1e-4)


def test_wide_polygons_are_measured_on_the_ellipsoid() -> None:
    wide = shapely.box(40.0, 35.0, 50.0, 45.0)
    assert area_m2(wide) == pytest.approx(geodesic_area(wide), rel=1e-9)


@pytest.mark.parametrize("corner", [(46.0, 39.5), (40.0, 35.0)], ids=["small", "wide"])
def test_holes_are_subtracted_whatever_their_winding(corner: tuple[float, float]) -> None:
    lon, lat = corner
    size = 0.1 if lon > 45 else 10.0
    shell = shapely.box(lon, lat, lon + size, lat + size)
    hole = shapely.box(
        lon + size / 4, lat + size / 4, lon + size / 2, lat + size / 2
    )  # counter-clockwise, like the shell
    with_hole = shapely.Polygon(shell.exterior.coords, [hole.exterior.coords])
    assert area_m2(with_hole) == pytest.approx(area_m2(shell) - area_m2(hole), rel=1e-6)


def test_a_line_along_the_equator_measures_its_geodesic_length() -> None:
    line = shapely.LineString([(10.0, 0.0), (10.01, 0.0)])
    expected = GEOD.inv(10.0, 0.0, 10.01, 0.0)[2]
    assert length_m(line) == pytest.approx(expected, rel=1e-6)
    assert area_m2(line) == 0.0


def test_missing_geometries_measure_nan_and_empty_ones_zero() -> None:
    result = areas_m2([None, shapely.Polygon(), shapely.Point(46.7, 39.8)])
    assert math.isnan(result[0])
    assert list(result[1:]) == [0.0, 0.0]
    assert areas_m2([]).shape == (0,)


def test_ten_thousand_polygons_are_measured_in_one_vectorised_call() -> None:
    rng = np.random.default_rng(1)
    polygons = []
    for _ in range(10_000):
        count = int(rng.integers(20, 61))
        angles = np.sort(rng.uniform(0, 2 * np.pi, count))
        radii = rng.uniform(0.001, 0.01, count)
        lon, lat = rng.uniform(44.5, 47.5), rng.uniform(38.8, 40.5)
        polygons.append(shapely.Polygon(np.column_stack((lon + radii * np.cos(angles), lat + radii * np.sin(angles)))))

    areas = areas_m2(polygons)

    assert (areas > 0).all()
