"""What check_geometry refuses, what it repairs, and that the vectorised path agrees with it."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from homeward.engines.geo import (
    Bounds,
    GeometryCheck,
    Problem,
    ProblemCode,
    ValidationPolicy,
    areas_m2,
    check_geometries,
    check_geometry,
)

KARABAKH = Bounds(44.5, 38.8, 47.5, 40.5)
AREAS = ValidationPolicy(bounds=KARABAKH)
PLACES = ValidationPolicy(bounds=KARABAKH, allowed_types=frozenset({"Point"}))


def codes(check: GeometryCheck) -> list[ProblemCode]:
    return [problem.code for problem in check.problems]


def square(lon: float = 46.7, lat: float = 39.8, size: float = 0.01) -> shapely.Polygon:
    return shapely.box(lon, lat, lon + size, lat + size)


def clockwise(polygon: shapely.Polygon) -> shapely.Polygon:
    return shapely.orient_polygons(polygon, exterior_cw=True)


def with_nan_coordinate() -> shapely.Polygon:
    with np.errstate(invalid="ignore"):  # shapely warns on construction; the engine must still catch it
        return shapely.Polygon([(46.7, 39.8), (np.nan, 39.8), (46.71, 39.81)])


def lat_lon(geometry: shapely.Geometry) -> shapely.Geometry:
    """``geometry`` as a file in latitude, longitude order would give it."""
    return shapely.transform(geometry, lambda coords: coords[:, ::-1])


BOW_TIE = shapely.Polygon([(46.7, 39.8), (46.71, 39.81), (46.71, 39.8), (46.7, 39.81)])

REFUSED_EXAMPLES = [
    (None, AREAS, ProblemCode.EMPTY),
    (shapely.Polygon(), AREAS, ProblemCode.EMPTY),
    (shapely.Point(46.7, 39.8), AREAS, ProblemCode.WRONG_TYPE),
    (shapely.LineString([(46.7, 39.8), (46.8, 39.9)]), AREAS, ProblemCode.WRONG_TYPE),
    (square(), PLACES, ProblemCode.WRONG_TYPE),
    (with_nan_coordinate(), AREAS, ProblemCode.NON_FINITE),
    (shapely.Point(np.inf, 39.8), PLACES, ProblemCode.NON_FINITE),
    (BOW_TIE, AREAS, ProblemCode.SELF_INTERSECTION),
    (
        shapely.orient_polygons(square().buffer(0.001, quad_segs=32)),
        ValidationPolicy(max_vertices=100),
        ProblemCode.TOO_MANY_VERTICES,
    ),
    (square(10.0, 10.0), AREAS, ProblemCode.OUT_OF_BOUNDS),
    (square(39.8, 46.7), AREAS, ProblemCode.SWAPPED_AXES),
    (shapely.Point(39.8, 46.7), PLACES, ProblemCode.SWAPPED_AXES),
]


@pytest.mark.parametrize(("geometry", "policy", "code"), REFUSED_EXAMPLES)
def test_each_refusal_has_a_minimal_example(
    geometry: shapely.Geometry, policy: ValidationPolicy, code: ProblemCode
) -> None:
    check = check_geometry(geometry, policy)
    assert codes(check) == [code]
    assert not check.ok
    assert check.refusals == check.problems
    assert check.problems[0].detail


REPAIRED_EXAMPLES = [
    (clockwise(square()), AREAS, ProblemCode.WRONG_RING_ORDER),
    (square(), ValidationPolicy(allowed_types=frozenset({"MultiPolygon"})), ProblemCode.WRONG_TYPE),
    (
        shapely.Polygon([(46.7, 39.8), (46.71, 39.8), (46.71, 39.8), (46.71, 39.81), (46.7, 39.81)]),
        AREAS,
        ProblemCode.UNCLOSED_OR_DUPLICATE_POINTS,
    ),
]


@pytest.mark.parametrize(("geometry", "policy", "code"), REPAIRED_EXAMPLES)
def test_each_repair_has_a_minimal_example(
    geometry: shapely.Geometry, policy: ValidationPolicy, code: ProblemCode
) -> None:
    check = check_geometry(geometry, policy)
    assert codes(check) == [code]
    assert check.ok
    assert check.repairs == check.problems
    # A repair never changes the shape.
    assert shapely.equals(check.geometry, geometry)


def test_every_problem_code_has_an_example() -> None:
    covered = {code for *_, code in REFUSED_EXAMPLES + REPAIRED_EXAMPLES}
    assert covered == set(ProblemCode)


@pytest.mark.parametrize(
    "geometry",
    [
        square(),
        shapely.MultiPolygon([square(), square(46.8, 39.9)]),
        shapely.MultiPolygon([square()]),
        shapely.Polygon(square(size=0.1).exterior.coords, [clockwise(square(46.72, 39.82, 0.02)).exterior.coords]),
    ],
    ids=["polygon", "multipolygon", "single-part multipolygon", "polygon with clockwise hole"],
)
def test_clean_polygons_have_no_problems(geometry: shapely.Geometry) -> None:
    check = check_geometry(geometry, AREAS)
    assert check.problems == ()
    assert check.ok
    assert check.geometry is geometry


def test_a_clean_point_has_no_problems_and_no_ring_checks() -> None:
    point = shapely.Point(46.7, 39.8)
    assert check_geometry(point, PLACES) == GeometryCheck(point, ())


def test_a_clockwise_exterior_is_rewound_counter_clockwise_and_reported() -> None:
    check = check_geometry(clockwise(square()), AREAS)
    assert check.repairs == (Problem(ProblemCode.WRONG_RING_ORDER, check.repairs[0].detail, repaired=True),)
    assert shapely.is_ccw(check.geometry.exterior)


def test_a_counter_clockwise_hole_is_rewound_clockwise() -> None:
    shell = square(size=0.1).exterior.coords
    hole = square(46.72, 39.82, 0.02).exterior.coords  # counter-clockwise, like the shell
    check = check_geometry(shapely.Polygon(shell, [hole]), AREAS)
    assert codes(check) == [ProblemCode.WRONG_RING_ORDER]
    assert not shapely.is_ccw(check.geometry.interiors[0])


def test_a_bow_tie_is_refused_naming_where_it_crosses() -> None:
    check = check_geometry(BOW_TIE, AREAS)
    (problem,) = check.problems
    assert problem.code is ProblemCode.SELF_INTERSECTION
    assert not problem.repaired
    assert problem.location == pytest.approx((46.705, 39.805))
    assert "46.705" in problem.detail
    assert "39.805" in problem.detail
    assert check.geometry is BOW_TIE


def test_a_polygon_in_lat_lon_order_is_reported_as_swapped_axes() -> None:
    check = check_geometry(lat_lon(square()), AREAS)
    # Swapping axes mirrors the polygon, so its ring order is also re-wound; only the swap is refused.
    assert codes(check) == [ProblemCode.WRONG_RING_ORDER, ProblemCode.SWAPPED_AXES]
    assert [problem.code for problem in check.refusals] == [ProblemCode.SWAPPED_AXES]


def test_out_of_bounds_and_swapped_axes_are_not_both_reported() -> None:
    far_away = shapely.Polygon([(10.0, 10.0), (11.0, 10.0), (11.0, 11.0)])
    assert codes(check_geometry(far_away, AREAS)) == [ProblemCode.OUT_OF_BOUNDS]


def test_only_far_outside_the_bounds_is_out_of_bounds() -> None:
    thirty_km_east = square(47.5 + 30 / 85, 40.0)
    hundred_km_east = square(47.5 + 100 / 85, 40.0)
    assert check_geometry(thirty_km_east, AREAS).ok
    assert codes(check_geometry(hundred_km_east, AREAS)) == [ProblemCode.OUT_OF_BOUNDS]


def test_bounds_must_not_be_inverted() -> None:
    with pytest.raises(ValueError, match="bounds"):
        Bounds(47.5, 38.8, 44.5, 40.5)


def test_a_policy_rejects_unknown_geometry_types() -> None:
    with pytest.raises(ValueError, match="Polygn"):
        ValidationPolicy(allowed_types=frozenset({"Polygn"}))


def test_twenty_thousand_and_one_vertices_exceed_a_limit_of_ten_thousand() -> None:
    angles = np.linspace(0, 2 * np.pi, 20_001, endpoint=False)
    ring = np.column_stack((46.7 + 0.01 * np.cos(angles), 39.8 + 0.01 * np.sin(angles)))
    polygon = shapely.Polygon(ring)
    assert len(polygon.exterior.coords) - 1 == 20_001

    check = check_geometry(polygon, ValidationPolicy(bounds=KARABAKH, max_vertices=10_000))

    assert codes(check) == [ProblemCode.TOO_MANY_VERTICES]
    assert "10000" in check.problems[0].detail


def test_several_problems_are_reported_together() -> None:
    dense_bow_tie = shapely.Polygon([(46.7, 39.8), (46.705, 39.805), (46.71, 39.81), (46.71, 39.8), (46.7, 39.81)])
    check = check_geometry(lat_lon(dense_bow_tie), ValidationPolicy(bounds=KARABAKH, max_vertices=5))
    assert codes(check) == [ProblemCode.TOO_MANY_VERTICES, ProblemCode.SELF_INTERSECTION, ProblemCode.SWAPPED_AXES]
    assert not check.ok


def test_check_geometries_agrees_with_check_geometry_one_by_one() -> None:
    geometries = [geometry for geometry, *_ in REFUSED_EXAMPLES + REPAIRED_EXAMPLES] + [square(), None]
    for policy in (AREAS, PLACES, ValidationPolicy(max_vertices=100)):
        assert check_geometries(geometries, policy) == [check_geometry(geometry, policy) for geometry in geometries]


def test_one_bad_polygon_among_ten_thousand_is_found_by_its_index() -> None:
    rng = np.random.default_rng(3)
    polygons = []
    for _ in range(10_000):
        count = int(rng.integers(20, 61))
        angles = np.sort(rng.uniform(0, 2 * np.pi, count))
        radii = rng.uniform(0.001, 0.01, count)
        lon, lat = rng.uniform(44.5, 47.5), rng.uniform(38.8, 40.5)
        polygons.append(shapely.Polygon(np.column_stack((lon + radii * np.cos(angles), lat + radii * np.sin(angles)))))
    polygons[17] = BOW_TIE

    checks = check_geometries(polygons, AREAS)

    assert [index for index, check in enumerate(checks) if not check.ok] == [17]


@settings(max_examples=200, deadline=None)
@given(
    lon=st.floats(44.5, 47.4),
    lat=st.floats(38.8, 40.4),
    width=st.floats(1e-4, 0.1),
    height=st.floats(1e-4, 0.1),
    counter_clockwise=st.booleans(),
)
def test_rectangles_inside_the_bounds_always_pass(
    lon: float, lat: float, width: float, height: float, counter_clockwise: bool
) -> None:
    rectangle = shapely.box(lon, lat, lon + width, lat + height, ccw=counter_clockwise)

    check = check_geometry(rectangle, AREAS)

    assert check.ok
    assert codes(check) == ([] if counter_clockwise else [ProblemCode.WRONG_RING_ORDER])
    assert check_geometries([rectangle], AREAS) == [check]
    assert areas_m2([check.geometry])[0] > 0
