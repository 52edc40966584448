"""XLSX: header row, sheet choice, blank rows and the sheet's own row numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import shapely

from homeward.interchange import MissingHeader, UnknownLayer, UnreadableFile, open_features


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def test_a_blank_row_in_the_middle_is_skipped_and_row_numbers_stay_the_sheets(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "incidents.xlsx",
        {
            "Incidents": [
                ["Date", "Latitude", "Longitude", "Killed"],
                [dt.datetime(2024, 5, 1), 39.9, 46.9, 1],
                [],
                [None, None, None, None],
                [dt.datetime(2024, 5, 3), "39,8", "46,7", 0],
            ]
        },
    )

    with open_features(path) as source:
        rows = list(source)
        assert source.fields == ("Date", "Latitude", "Longitude", "Killed")
        assert (source.crs, source.crs_assumed) == ("EPSG:4326", False)
    assert [row.number for row in rows] == [2, 5]
    assert rows[0].properties == {"Date": dt.datetime(2024, 5, 1), "Latitude": 39.9, "Longitude": 46.9, "Killed": 1}
    assert rows[0].geometry == shapely.Point(46.9, 39.9)
    assert rows[1].geometry == shapely.Point(46.7, 39.8)


def test_the_first_sheet_is_read_unless_another_is_named(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "survey.xlsx",
        {"Hazards": [["id"], ["H-1"]], "Incidents": [["id", "wkt"], ["I-1", "POINT (1 2)"]]},
    )

    with open_features(path) as source:
        assert [row.properties for row in source] == [{"id": "H-1"}]
    with open_features(path, layer="Incidents") as source:
        (row,) = source
        assert (source.crs, source.crs_assumed) == ("EPSG:4326", True)
    assert row.geometry == shapely.Point(1, 2)
    with pytest.raises(UnknownLayer) as raised:
        open_features(path, layer="Roads")
    assert raised.value.available == ("Hazards", "Incidents")


def test_leading_blank_rows_come_before_the_header(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "late.xlsx", {"S": [[], ["name", None, ""], ["Ağdam"]]})

    with open_features(path) as source:
        (row,) = source
        assert source.fields == ("name",)
    assert (row.number, row.properties) == (3, {"name": "Ağdam"})


def test_an_empty_sheet_has_no_header(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "empty.xlsx", {"Blank": []})

    with pytest.raises(MissingHeader, match="Blank"):
        open_features(path)


def test_a_damaged_workbook_raises_unreadable_file(tmp_path: Path) -> None:
    good = _workbook(tmp_path / "good.xlsx", {"S": [["a"], [1]]})
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(good.read_bytes()[:-200])

    with pytest.raises(UnreadableFile, match=r"broken\.xlsx"), open_features(broken) as source:
        list(source)
