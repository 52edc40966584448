"""Zoom-matched simplification and compact GeoJSON for map payloads."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from homeward.engines.geo import simplify_for_zoom, to_geojson_geometry, tolerance_for_zoom


def circle(lon: float = 46.7, lat: float = 39.8, radius: float = 0.01, vertices: int = 1000) -> shapely.Polygon:
    angles = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    return shapely.Polygon(np.column_stack((lon + radius * np.cos(angles), lat + radius * np.sin(angles))))


def test_tolerance_is_half_a_pixel_at_the_equator() -> None:
    # At zoom 0 one 256-pixel tile spans 360° of longitude.
    assert tolerance_for_zoom(0) == pytest.approx(0.5 * 360 / 256)


def test_tolerance_halves_with_each_zoom_level_and_shrinks_towards_the_poles() -> None:
    assert tolerance_for_zoom(11) == pytest.approx(tolerance_for_zoom(10) / 2)
    assert tolerance_for_zoom(10, latitude=60.0) == pytest.approx(tolerance_for_zoom(10) / 2)
    assert tolerance_for_zoom(10, latitude=-60.0) == tolerance_for_zoom(10, latitude=60.0)
    assert tolerance_for_zoom(10, latitude=90.0) > 0


def test_a_negative_zoom_is_refused() -> None:
    with pytest.raises(ValueError, match="zoom"):
        tolerance_for_zoom(-1)


@pytest.mark.parametrize("zoom", [8, 14, 20])
def test_simplification_drops_vertices_but_stays_within_half_a_pixel(zoom: int) -> None:
    detailed = circle()
    (simplified,) = simplify_for_zoom([detailed], zoom)
    assert shapely.get_num_coordinates(simplified) < shapely.get_num_coordinates(detailed)
    assert shapely.hausdorff_distance(simplified, detailed) <= tolerance_for_zoom(zoom, 39.8) * 1.01


def test_coarser_zooms_keep_fewer_vertices() -> None:
    counts = [shapely.get_num_coordinates(simplify_for_zoom([circle()], zoom)[0]) for zoom in (6, 10, 14, 18)]
    assert counts == sorted(counts)
    assert counts[0] < counts[-1]


@pytest.mark.parametrize("zoom", [0, 3, 8, 12, 18])
def test_simplification_keeps_validity_and_never_empties(zoom: int) -> None:
    geometries = [
        circle(),
        circle(radius=1e-6, vertices=12),
        shapely.MultiPolygon([circle(46.7, 39.8, 0.001), circle(46.71, 39.8, 0.001)]),
        shapely.LineString([(46.7, 39.8), (46.700001, 39.800001), (46.7, 39.800002)]),
        shapely.Point(46.7, 39.8),
    ]
    simplified = simplify_for_zoom(geometries, zoom)
    assert shapely.is_valid(simplified).all()
    assert not shapely.is_empty(simplified).any()
    assert [geometry.geom_type for geometry in simplified] == [geometry.geom_type for geometry in geometries]


def test_missing_and_empty_entries_pass_through() -> None:
    result = simplify_for_zoom([None, shapely.Polygon()], 5)
    assert result[0] is None
    assert result[1].is_empty


def test_a_polygon_that_simplifies_away_falls_back_to_its_envelope(monkeypatch: pytest.MonkeyPatch) -> None:
    original = circle(vertices=50)
    monkeypatch.setattr(
        shapely, "simplify", lambda geometries, *args, **kwargs: np.array([shapely.Polygon()] * len(geometries))
    )
    (result,) = simplify_for_zoom([original], 5)
    assert shapely.equals(result, shapely.envelope(original))


@settings(max_examples=100, deadline=None)
@given(
    radii=st.lists(st.floats(1e-5, 0.05), min_size=3, max_size=60),
    zoom=st.integers(0, 20),
)
def test_star_shaped_polygons_stay_valid_and_non_empty(radii: list[float], zoom: int) -> None:
    angles = np.linspace(0, 2 * np.pi, len(radii), endpoint=False)
    star = shapely.Polygon(
        np.column_stack((46.7 + np.array(radii) * np.cos(angles), 39.8 + np.array(radii) * np.sin(angles)))
    )
    if not star.is_valid:
        return
    (result,) = simplify_for_zoom([star], zoom)
    assert result.is_valid
    assert not result.is_empty


def test_geojson_coordinates_are_rounded_to_the_precision() -> None:
    point = shapely.Point(46.123456789, -0.0000000001)
    assert to_geojson_geometry(point) == {"type": "Point", "coordinates": [46.123457, 0.0]}
    assert to_geojson_geometry(point, precision=2) == {"type": "Point", "coordinates": [46.12, 0.0]}


def test_geojson_polygons_are_plain_serialisable_dicts() -> None:
    payload = to_geojson_geometry(shapely.box(46.7, 39.8, 46.7000001, 39.81))
    assert payload["type"] == "Polygon"
    assert payload["coordinates"][0][0] == [46.7, 39.8]
    assert json.loads(json.dumps(payload)) == payload


def test_geojson_precision_must_be_sensible() -> None:
    with pytest.raises(ValueError, match="precision"):
        to_geojson_geometry(shapely.Point(0, 0), precision=-1)
