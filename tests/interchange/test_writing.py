"""Writing: value checks, format limits, atomic output and the file names and types served."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import warnings
import zipfile
from collections.abc import Mapping
from pathlib import Path

import openpyxl
import pytest
import shapely
from shapely.geometry.base import BaseGeometry

from homeward.interchange import (
    ExportError,
    ExportFormat,
    FieldSpec,
    export_content_type,
    export_extension,
    ogr_writing,
    open_features,
    shapefile_field_names,
    write_features,
)

Row = tuple[Mapping[str, object], BaseGeometry | None]


def test_extensions_and_content_types() -> None:
    assert [export_extension(fmt) for fmt in ExportFormat] == [
        ".geojson",
        ".gpkg",
        ".shp.zip",
        ".csv",
        ".hxl.csv",
        ".xlsx",
    ]
    assert export_content_type(ExportFormat.GEOJSON) == "application/geo+json"
    assert export_content_type(ExportFormat.GPKG) == "application/geopackage+sqlite3"
    assert export_content_type(ExportFormat.SHAPEFILE_ZIP) == "application/zip"
    assert export_content_type(ExportFormat.CSV_HXL).startswith("text/csv")
    assert export_content_type(ExportFormat.XLSX).endswith("spreadsheetml.sheet")


def test_a_value_that_does_not_fit_its_kind_names_row_and_field(tmp_path: Path) -> None:
    fields = [FieldSpec("external_id", "str"), FieldSpec("devices_found", "int")]
    rows: list[Row] = [
        ({"external_id": "A", "devices_found": 3}, None),
        ({"external_id": "B", "devices_found": "many"}, None),
    ]

    with pytest.raises(ExportError) as raised:
        write_features(tmp_path / "out.csv", ExportFormat.CSV, fields, rows)

    assert (raised.value.row, raised.value.field) == (2, "devices_found")
    assert "row 2" in str(raised.value) and "'many'" in str(raised.value)


def test_a_failed_export_leaves_the_previous_file_and_no_leftovers(tmp_path: Path) -> None:
    path = tmp_path / "out.gpkg"
    path.write_bytes(b"previous export")
    rows: list[Row] = [({"day": dt.date(2024, 1, 1)}, None), ({"day": "yesterday"}, None)]

    with pytest.raises(ExportError):
        write_features(path, ExportFormat.GPKG, [FieldSpec("day", "date")], rows)

    assert path.read_bytes() == b"previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.gpkg"]


def test_values_are_converted_to_their_kind(tmp_path: Path) -> None:
    fields = [FieldSpec("n", "int"), FieldSpec("x", "float"), FieldSpec("day", "date"), FieldSpec("ok", "bool")]
    path = tmp_path / "out.gpkg"
    rows: list[Row] = [
        ({"n": "7", "x": 2, "day": dt.datetime(2024, 2, 3, 10, 30), "ok": "yes"}, None),
        ({"x": float("nan")}, None),
    ]

    write_features(path, ExportFormat.GPKG, fields, rows, with_geometry=False)

    with open_features(path) as source:
        values = [feature.properties for feature in source]
    assert values == [
        {"n": 7, "x": 2.0, "day": dt.date(2024, 2, 3), "ok": True},
        {"n": None, "x": None, "day": None, "ok": None},
    ]


def test_shapefile_field_names_are_cut_to_ten_bytes_and_kept_unique() -> None:
    specs = [
        FieldSpec(name, "str")
        for name in ("casualties_killed", "casualties_injured", "CASUALTIES", "name", "населённый_пункт")
    ]

    assert shapefile_field_names(specs) == ["casualties", "casualti_1", "CASUALTI_2", "name", "насел"]
    assert shapefile_field_names(specs) == shapefile_field_names(specs)


def test_a_shapefile_cannot_mix_points_and_polygons(tmp_path: Path) -> None:
    rows: list[Row] = [({}, shapely.Point(0, 0)), ({}, shapely.box(0, 0, 1, 1))]

    with pytest.raises(ExportError, match=r"Point, Polygon.*GeoPackage"):
        write_features(tmp_path / "out.shp.zip", ExportFormat.SHAPEFILE_ZIP, [], rows)
    assert not (tmp_path / "out.shp.zip").exists()


def test_shapefile_text_longer_than_254_bytes_is_refused_not_truncated(tmp_path: Path) -> None:
    rows: list[Row] = [({"note": "short"}, shapely.Point(0, 0)), ({"note": "ə" * 128}, shapely.Point(1, 1))]

    with pytest.raises(ExportError) as raised:
        write_features(tmp_path / "out.shp.zip", ExportFormat.SHAPEFILE_ZIP, [FieldSpec("note", "str")], rows)
    assert (raised.value.row, raised.value.field) == (2, "note")


def test_the_zipped_shapefile_holds_its_parts_named_after_the_layer(tmp_path: Path) -> None:
    path = tmp_path / "out.shp.zip"

    write_features(
        path,
        ExportFormat.SHAPEFILE_ZIP,
        [FieldSpec("name", "str")],
        [({"name": "Şuşa"}, shapely.Point(0, 0))],
        layer="hazard areas",
    )

    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == [
            f"hazard_areas{suffix}" for suffix in (".cpg", ".dbf", ".prj", ".shp", ".shx")
        ]


def test_geopackage_chunks_of_different_geometry_types_declare_a_geometry_layer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ogr_writing, "CHUNK_ROWS", 2)
    path = tmp_path / "mixed.gpkg"
    rows: list[Row] = [({}, shapely.Point(0, 0)), ({}, shapely.Point(1, 1)), ({}, shapely.box(0, 0, 1, 1))]

    assert write_features(path, ExportFormat.GPKG, [], rows, layer="sites") == 3

    with contextlib.closing(sqlite3.connect(path)) as database:
        (declared,) = database.execute("SELECT geometry_type_name FROM gpkg_geometry_columns").fetchone()
        (integrity,) = database.execute("PRAGMA integrity_check").fetchone()
    assert (declared, integrity) == ("GEOMETRY", "ok")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # GDAL warns when the table and gpkg_geometry_columns disagree
        with open_features(path) as source:
            assert [feature.geometry for feature in source] == [geometry for _, geometry in rows]


@pytest.mark.parametrize("fmt", [fmt for fmt in ExportFormat if fmt is not ExportFormat.GEOJSON])
def test_an_empty_export_still_writes_the_columns(tmp_path: Path, fmt: ExportFormat) -> None:
    # (GeoJSON has no schema: an empty FeatureCollection cannot list its properties.)
    path = tmp_path / f"empty{export_extension(fmt)}"

    assert write_features(path, fmt, [FieldSpec("name", "str")], []) == 0

    with open_features(path) as source:
        assert source.fields[0] == "name"
        assert list(source) == []


def test_xlsx_keeps_formula_looking_text_as_text(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"

    write_features(
        path, ExportFormat.XLSX, [FieldSpec("name", "str")], [({"name": '=HYPERLINK("x")'}, None)], layer="hazards"
    )

    sheet = openpyxl.load_workbook(path)["hazards"]
    assert sheet["A2"].value == '=HYPERLINK("x")'
    assert sheet["A2"].data_type == "s"
    assert sheet["A1"].font.bold


def test_xlsx_refuses_a_geometry_too_long_for_a_cell(tmp_path: Path) -> None:
    detailed = shapely.Point(46.123456789, 39.123456789).buffer(0.01, quad_segs=400)

    with pytest.raises(ExportError, match="Excel cell") as raised:
        write_features(tmp_path / "out.xlsx", ExportFormat.XLSX, [], [({}, shapely.Point(0, 0)), ({}, detailed)])
    assert (raised.value.row, raised.value.field) == (2, "wkt")


def test_field_specs_reject_malformed_hxl_hashtags_and_kinds() -> None:
    with pytest.raises(ValueError, match="HXL"):
        FieldSpec("name", "str", "loc+name")
    with pytest.raises(ValueError, match="kind"):
        FieldSpec("name", "text")  # type: ignore[arg-type]
