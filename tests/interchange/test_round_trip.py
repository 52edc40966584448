"""Every export format read back by open_features: same rows, fields, geometries and CRS."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import pyproj
import pytest
import shapely
from shapely.geometry.base import BaseGeometry

from homeward.interchange import (
    ExportFormat,
    FieldSpec,
    FileFormat,
    detect_format,
    export_extension,
    open_features,
    shapefile_field_names,
    write_features,
)

FIELDS = (
    FieldSpec("external_id", "str", "#site+code"),
    FieldSpec("name", "str", "#site+name"),
    FieldSpec("devices_found", "int", "#indicator+devices"),
    FieldSpec("area_m2", "float", "#indicator+area_m2"),
    FieldSpec("recorded_on", "date", "#date+recorded"),
    FieldSpec("confirmed", "bool"),
    FieldSpec("settlement_name", "str", "#loc+name"),
    FieldSpec("settlement_name_ru", "str", "#loc+name+i_ru"),
)
SQUARE = shapely.Polygon([(46.9, 39.9), (46.95, 39.9), (46.95, 39.95), (46.9, 39.95)])
NOTCHED = shapely.Polygon([(46.7, 39.7), (46.80000000001, 39.7), (46.8, 39.76), (46.75, 39.73), (46.7, 39.76)])
ROWS: list[tuple[Mapping[str, object], BaseGeometry | None]] = [
    (
        {
            "external_id": "CHA-001",
            "name": "Ağdam north",
            "devices_found": 12,
            "area_m2": 12500.25,
            "recorded_on": dt.date(2023, 11, 4),
            "confirmed": True,
            "settlement_name": "Ağdam",
            "settlement_name_ru": "Агдам",
        },
        SQUARE,
    ),
    (
        {
            "external_id": "SHA-002",
            "name": 'Şuşa road, "bend"; km 4',
            "devices_found": None,
            "area_m2": 0.1,
            "recorded_on": None,
            "confirmed": False,
            "settlement_name": "Şuşa",
            "settlement_name_ru": "Шуша",
        },
        NOTCHED,
    ),
    (
        {"external_id": "SHA-003", "name": "Laçın", "devices_found": 0, "area_m2": None, "confirmed": None},
        shapely.Polygon([(45.5, 39.6), (45.6, 39.6), (45.6, 39.7)]),
    ),
]
TABULAR = (ExportFormat.CSV, ExportFormat.CSV_HXL, ExportFormat.XLSX)
READ_AS = {
    ExportFormat.GEOJSON: FileFormat.GEOJSON,
    ExportFormat.GPKG: FileFormat.GPKG,
    ExportFormat.SHAPEFILE_ZIP: FileFormat.SHAPEFILE_ZIP,
    ExportFormat.CSV: FileFormat.CSV,
    ExportFormat.CSV_HXL: FileFormat.CSV,
    ExportFormat.XLSX: FileFormat.XLSX,
}


def _as_read(fmt: ExportFormat, value: object) -> object:
    """What a written value reads back as: typed from GIS formats, text from CSV, ISO dates in XLSX."""
    if value is None:
        return None
    if fmt in (ExportFormat.CSV, ExportFormat.CSV_HXL):
        if isinstance(value, bool):
            return "true" if value else "false"
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if fmt is ExportFormat.XLSX and isinstance(value, dt.date):
        return value.isoformat()
    return value


def _same_geometry(read: BaseGeometry | None, written: BaseGeometry | None) -> bool:
    if read is None or written is None:
        return read is written
    # Shapefiles store outer rings clockwise: compare ring-order-independent forms.
    return bool(shapely.equals_exact(shapely.normalize(read), shapely.normalize(written), tolerance=1e-9))


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_every_format_reads_back_the_rows_it_wrote(tmp_path: Path, fmt: ExportFormat) -> None:
    path = tmp_path / f"hazards{export_extension(fmt)}"

    written = write_features(path, fmt, FIELDS, ROWS, layer="hazards")

    assert written == len(ROWS)
    assert detect_format(path) is READ_AS[fmt]
    names = shapefile_field_names(FIELDS) if fmt is ExportFormat.SHAPEFILE_ZIP else [spec.name for spec in FIELDS]
    with open_features(path) as source:
        features = list(source)
        assert source.format is READ_AS[fmt]
        assert source.fields == ((*names, "wkt") if fmt in TABULAR else tuple(names))
        assert source.crs == "EPSG:4326"
        assert source.crs_assumed is (fmt in TABULAR)
    assert [feature.number for feature in features] == (
        [3, 4, 5] if fmt is ExportFormat.CSV_HXL else [2, 3, 4] if fmt in TABULAR else [1, 2, 3]
    )
    for feature, (values, geometry) in zip(features, ROWS, strict=True):
        for name, spec in zip(names, FIELDS, strict=True):
            assert feature.properties[name] == _as_read(fmt, values.get(spec.name)), (name, feature.number)
        assert _same_geometry(feature.geometry, geometry)
        assert feature.geometry_error is None


@pytest.mark.parametrize("fmt", [ExportFormat.GPKG, ExportFormat.GEOJSON, ExportFormat.SHAPEFILE_ZIP])
def test_a_projected_crs_is_recorded_and_read_back(tmp_path: Path, fmt: ExportFormat) -> None:
    utm = shapely.Polygon([(612000.5, 4428000.25), (613000, 4428000), (613000, 4429000)])
    path = tmp_path / f"utm{export_extension(fmt)}"

    write_features(path, fmt, [FieldSpec("name", "str")], [({"name": "Ağdam"}, utm)], crs="EPSG:32638")

    with open_features(path) as source:
        (feature,) = source
        assert source.crs == "EPSG:32638"
        assert not source.crs_assumed
    assert _same_geometry(feature.geometry, utm)


@pytest.mark.parametrize("fmt", TABULAR)
def test_tabular_exports_carry_wgs84_so_projected_geometries_are_reprojected(tmp_path: Path, fmt: ExportFormat) -> None:
    path = tmp_path / f"utm{export_extension(fmt)}"

    write_features(
        path, fmt, [FieldSpec("name", "str")], [({"name": "A"}, shapely.Point(612000, 4428000))], crs="EPSG:32638"
    )

    lon, lat = pyproj.Transformer.from_crs("EPSG:32638", "EPSG:4326", always_xy=True).transform(612000, 4428000)
    with open_features(path) as source:
        (feature,) = source
        assert source.crs == "EPSG:4326"
    assert feature.geometry is not None
    assert feature.geometry.x == pytest.approx(lon, abs=1e-9)
    assert feature.geometry.y == pytest.approx(lat, abs=1e-9)
    assert 46 < lon < 47 and 39 < lat < 41


def test_mixed_polygons_and_multipolygons_read_back_as_multipolygons_from_a_geopackage(tmp_path: Path) -> None:
    multi = shapely.MultiPolygon([SQUARE, NOTCHED])
    path = tmp_path / "mixed.gpkg"

    write_features(path, ExportFormat.GPKG, [], [({}, SQUARE), ({}, multi)])

    with open_features(path) as source:
        geometries = [feature.geometry for feature in source]
    assert [geometry.geom_type for geometry in geometries if geometry is not None] == ["MultiPolygon"] * 2
    assert _same_geometry(geometries[1], multi)
    assert geometries[0] is not None and geometries[0].equals(SQUARE)
