"""CSV: encodings, delimiters, geometry columns and the row numbers users see."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import shapely

from homeward.interchange import (
    EncodingError,
    ExportFormat,
    FieldSpec,
    MissingHeader,
    UnknownLayer,
    open_features,
    write_features,
)

CYRILLIC_ROWS = "name;district;lat;lon\r\nАгдам;Агдамский район;39,99;46,93\r\nШуша;Шушинский район;39,76;46,75\r\n"


def _write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_windows_1251_cyrillic_is_detected_and_decoded(tmp_path: Path) -> None:
    path = _write(tmp_path, CYRILLIC_ROWS, "cp1251")

    with open_features(path) as source:
        rows = list(source)
        assert source.encoding == "cp1251"
        assert source.fields == ("name", "district", "lat", "lon")
    assert [row.properties["name"] for row in rows] == ["Агдам", "Шуша"]
    assert rows[0].properties["district"] == "Агдамский район"
    assert rows[0].geometry == shapely.Point(46.93, 39.99)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("name,lat,lon\nФизули,39.6,47.1\n", "cp1251"),
        (CYRILLIC_ROWS, "koi8-r"),
        (CYRILLIC_ROWS, "cp866"),
        ("ad,rayon\nAğdam,Ağdam rayonu\nŞuşa,Şuşa rayonu\n", "cp1254"),
    ],
)
def test_legacy_code_pages_of_the_region_are_told_apart(tmp_path: Path, text: str, encoding: str) -> None:
    path = _write(tmp_path, text, encoding)

    with open_features(path) as source:
        rows = list(source)
        assert source.encoding == encoding
    expected = list(csv.reader(io.StringIO(text), delimiter=";" if ";" in text else ","))[1:]
    assert [list(row.properties.values()) for row in rows] == expected


def test_a_given_encoding_overrides_detection(tmp_path: Path) -> None:
    path = _write(tmp_path, "name\nГянджа\n", "koi8-r")

    with open_features(path, encoding="cp1251") as source:
        (row,) = source
        assert source.encoding == "cp1251"
    assert row.properties["name"] == "Гянджа".encode("koi8-r").decode("cp1251")


def test_a_utf8_byte_order_mark_is_not_part_of_the_first_field_name(tmp_path: Path) -> None:
    path = _write(tmp_path, "\ufeffexternal_id,name\nCHA-1,Ağdam\n")

    with open_features(path) as source:
        (row,) = source
        assert source.encoding == "utf-8-sig"
        assert source.fields == ("external_id", "name")
    assert row.properties == {"external_id": "CHA-1", "name": "Ağdam"}


def test_utf16_text_from_excel_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "\ufeffname\tlat\tlon\r\nXocalı\t39.91\t46.79\r\n", "utf-16-le")

    with open_features(path) as source:
        (row,) = source
        assert source.encoding == "utf-16"
    assert row.properties["name"] == "Xocalı"
    assert row.geometry == shapely.Point(46.79, 39.91)


def test_utf16_without_a_byte_order_mark_and_carriage_return_line_ends_are_read(tmp_path: Path) -> None:
    little_endian = _write(tmp_path, "name,lat,lon\nŞuşa,39.76,46.75\n", "utf-16-le", name="le.csv")
    old_mac = _write(tmp_path, "name,lat,lon\rŞuşa,39.76,46.75\rLaçın,39.63,46.55\r", name="mac.csv")

    with open_features(little_endian) as source:
        assert source.encoding == "utf-16-le"
        assert [row.properties["name"] for row in source] == ["Şuşa"]
    with open_features(old_mac) as source:
        assert [(row.number, row.properties["name"]) for row in source] == [(2, "Şuşa"), (3, "Laçın")]


def test_semicolons_and_tabs_are_sniffed_as_delimiters(tmp_path: Path) -> None:
    semicolons = _write(tmp_path, 'id;name;note\n1;"Ağdam; north";a, b\n', name="semi.csv")
    tabs = _write(tmp_path, "id\tname\n1\tAğdam, north\n", name="tabs.csv")

    with open_features(semicolons) as source:
        (row,) = source
    assert row.properties == {"id": "1", "name": "Ağdam; north", "note": "a, b"}
    with open_features(tabs) as source:
        (row,) = source
    assert row.properties == {"id": "1", "name": "Ağdam, north"}


def test_latitude_longitude_columns_give_wgs84_points_and_report_bad_values_by_row(tmp_path: Path) -> None:
    path = _write(tmp_path, "Name,Latitude,Longitude\nA,39.9,46.9\nB,abc,46.8\nC,,\nD,95,46.7\n")

    with open_features(path) as source:
        rows = list(source)
        assert source.crs == "EPSG:4326"
        assert not source.crs_assumed
        assert source.geometry_columns == ("Latitude", "Longitude")
    assert [row.number for row in rows] == [2, 3, 4, 5]
    assert rows[0].geometry == shapely.Point(46.9, 39.9)
    assert rows[1].geometry is None
    assert rows[1].geometry_error is not None and "'abc'" in rows[1].geometry_error
    assert (rows[2].geometry, rows[2].geometry_error) == (None, None)
    assert rows[3].geometry is None
    assert rows[3].geometry_error is not None and "outside WGS 84" in rows[3].geometry_error


def test_a_given_crs_lets_x_y_columns_hold_projected_coordinates(tmp_path: Path) -> None:
    path = _write(tmp_path, "id,x,y\n1,612000,4428000\n")

    with open_features(path, crs="epsg:32638") as source:
        (row,) = source
        assert (source.crs, source.crs_assumed) == ("EPSG:32638", False)
    assert (row.geometry, row.geometry_error) == (shapely.Point(612000, 4428000), None)


def test_an_unparsable_wkt_row_is_reported_with_its_line_and_the_others_read(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        'id,WKT\n1,"POINT (46.9 39.9)"\n2,"POLYGON ((0 0, 1 0, 1"\n3,\n4,"LINESTRING (0 0, 1 1)"\n',
    )

    with open_features(path) as source:
        rows = list(source)
        assert (source.crs, source.crs_assumed) == ("EPSG:4326", True)
    assert [(row.number, row.geometry_error is None) for row in rows] == [(2, True), (3, False), (4, True), (5, True)]
    assert rows[1].properties["id"] == "2"
    assert rows[1].geometry_error is not None and "WKT" in rows[1].geometry_error
    assert rows[0].geometry == shapely.Point(46.9, 39.9)
    assert rows[2].geometry is None
    assert rows[3].geometry == shapely.LineString([(0, 0), (1, 1)])


def test_rows_without_geometry_columns_have_no_geometry_and_no_crs(tmp_path: Path) -> None:
    path = _write(tmp_path, "code,name\nAZ-AGM,Ağdam\n")

    with open_features(path) as source:
        (row,) = source
        assert source.crs is None
    assert (row.geometry, row.geometry_error) == (None, None)


def test_blank_lines_are_skipped_but_counted_and_quoted_newlines_keep_row_numbers(tmp_path: Path) -> None:
    path = _write(tmp_path, 'id,note\n1,"two\nlines"\n\n2,plain\n')

    with open_features(path) as source:
        rows = list(source)
    assert [(row.number, row.properties["note"]) for row in rows] == [(2, "two\nlines"), (4, "plain")]


def test_invalid_bytes_name_the_line_even_beyond_the_detection_sample(tmp_path: Path) -> None:
    lines = ["id,name"] + [f"{n},Ağdam" for n in range(1, 10_000)]
    body = "\n".join(lines).encode() + b"\n10000,\xff\xfe broken\n"
    path = tmp_path / "late.csv"
    path.write_bytes(body)

    with open_features(path) as source, pytest.raises(EncodingError) as raised:
        list(source)

    assert raised.value.line == 10_001
    assert raised.value.encoding == "utf-8"
    assert "line 10001" in str(raised.value)


def test_an_empty_file_has_no_header(tmp_path: Path) -> None:
    with pytest.raises(MissingHeader, match="empty"):
        open_features(_write(tmp_path, "\n \n"))


def test_a_layer_name_does_not_apply_to_csv(tmp_path: Path) -> None:
    with pytest.raises(UnknownLayer, match="no named layers"):
        open_features(_write(tmp_path, "a,b\n1,2\n"), layer="hazards")


def test_cells_beyond_the_header_are_kept_so_a_misaligned_row_shows(tmp_path: Path) -> None:
    path = _write(tmp_path, "id,name\n1,Ağdam, north\n")

    with open_features(path) as source:
        (row,) = source
    assert row.properties == {"id": "1", "name": "Ağdam", "column_3": " north"}


def test_the_hxl_csv_export_has_hashtags_in_its_second_row(tmp_path: Path) -> None:
    path = tmp_path / "hazards.hxl.csv"
    fields = [
        FieldSpec("external_id", "str", "#site+code"),
        FieldSpec("note", "str"),
        FieldSpec("killed", "int", "#affected+killed+f"),
    ]

    write_features(
        path, ExportFormat.CSV_HXL, fields, [({"external_id": "CHA-1", "killed": 2}, shapely.Point(46.9, 39.9))]
    )

    with path.open(encoding="utf-8-sig", newline="") as stream:
        header, hashtags, first = list(csv.reader(stream))
    assert header == ["external_id", "note", "killed", "wkt"]
    assert hashtags == ["#site+code", "", "#affected+killed+f", "#geo+wkt"]
    assert first == ["CHA-1", "", "2", "POINT (46.9 39.9)"]
    with open_features(path) as source:
        assert dict(source.hxl_tags) == {"external_id": "#site+code", "killed": "#affected+killed+f", "wkt": "#geo+wkt"}


def test_hxl_geo_hashtags_locate_coordinates_under_unusual_headers(tmp_path: Path) -> None:
    path = _write(tmp_path, "Site,Lat (dd),Long (dd)\n#site+name,#geo+lat,#geo+lon\nA,39.9,46.9\n")

    with open_features(path) as source:
        (row,) = source
        assert source.geometry_columns == ("Lat (dd)", "Long (dd)")
    assert (row.number, row.geometry) == (3, shapely.Point(46.9, 39.9))
