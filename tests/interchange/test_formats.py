"""Format detection looks at content, not at the file name."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
import shapely

from homeward.interchange import (
    ExportFormat,
    FieldSpec,
    FileFormat,
    NoShapefileInZip,
    UnreadableFile,
    detect_format,
    open_features,
    write_features,
)

COLLECTION = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "properties": {"name": "Ağdam"}, "geometry": {"type": "Point", "coordinates": [46.9, 39.9]}}
    ],
}


def test_a_geojson_named_csv_is_still_geojson(tmp_path: Path) -> None:
    path = tmp_path / "hazards.csv"
    path.write_bytes(b"\xef\xbb\xbf\n  " + json.dumps(COLLECTION).encode())

    assert detect_format(path) is FileFormat.GEOJSON
    with open_features(path) as source:
        (feature,) = source
    assert feature.properties == {"name": "Ağdam"}
    assert feature.geometry == shapely.Point(46.9, 39.9)


@pytest.mark.parametrize(
    ("fmt", "detected"),
    [
        (ExportFormat.GPKG, FileFormat.GPKG),
        (ExportFormat.XLSX, FileFormat.XLSX),
        (ExportFormat.SHAPEFILE_ZIP, FileFormat.SHAPEFILE_ZIP),
        (ExportFormat.CSV, FileFormat.CSV),
    ],
)
def test_formats_are_told_by_content_under_a_misleading_name(
    tmp_path: Path, fmt: ExportFormat, detected: FileFormat
) -> None:
    path = tmp_path / "upload.geojson"
    write_features(path, fmt, [FieldSpec("name", "str")], [({"name": "x"}, shapely.Point(1, 2))])

    assert detect_format(path) is detected


def test_a_zip_without_a_shapefile_names_what_it_holds(tmp_path: Path) -> None:
    path = tmp_path / "hazards.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "see attached")
        archive.writestr("survey/report.docx", b"not really")

    with pytest.raises(NoShapefileInZip) as raised:
        detect_format(path)

    assert raised.value.members == ("readme.txt", "survey/report.docx")
    assert "readme.txt" in str(raised.value)
    assert "hazards.zip" in str(raised.value)


def test_a_legacy_excel_workbook_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "hazards.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))

    with pytest.raises(UnreadableFile, match=r"\.xls.*save it as \.xlsx"):
        detect_format(path)


def test_a_missing_file_is_unreadable_not_an_oserror(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match=r"missing\.gpkg"):
        open_features(tmp_path / "missing.gpkg")
