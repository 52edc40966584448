"""GeoPackage, shapefile and GeoJSON reading: layers, CRS, batches and wrapped GDAL errors."""

from __future__ import annotations

import datetime as dt
import json
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pyogrio.raw
import pytest
import shapely

from homeward.interchange import (
    ExportFormat,
    FieldSpec,
    FileFormat,
    LayerRequired,
    UnknownLayer,
    UnreadableFile,
    ogr_source,
    open_features,
    write_features,
)

NAME = [FieldSpec("name", "str")]


def _points(count: int) -> list[tuple[dict[str, object], shapely.Point]]:
    return [({"name": f"p{n}"}, shapely.Point(n, n)) for n in range(count)]


def _two_layer_geopackage(path: Path) -> Path:
    write_features(path, ExportFormat.GPKG, NAME, _points(2), layer="hazards")
    # A second layer in the same file (pyogrio adds layers to an existing GeoPackage).
    pyogrio.raw.write(
        str(path),
        shapely.to_wkb(np.array([shapely.Point(0, 0)], dtype=object)),
        [np.array(["x"], dtype=object)],
        ["name"],
        driver="GPKG",
        layer="incidents",
        geometry_type="Point",
        crs="EPSG:4326",
    )
    return path


def _shapefile_parts(directory: Path, *, prj: bool) -> Path:
    shp = directory / "hazards.shp"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyogrio warns that no CRS was given: that is the point
        pyogrio.raw.write(
            str(shp),
            shapely.to_wkb(np.array([shapely.Point(612000, 4428000)], dtype=object)),
            [np.array(["Ağdam"], dtype=object)],
            ["name"],
            driver="ESRI Shapefile",
            geometry_type="Point",
            crs="EPSG:32638" if prj else None,
        )
    return shp


def test_an_unknown_layer_lists_the_layers_there_are(tmp_path: Path) -> None:
    path = _two_layer_geopackage(tmp_path / "survey.gpkg")

    with pytest.raises(UnknownLayer) as raised:
        open_features(path, layer="roads")

    assert set(raised.value.available) == {"hazards", "incidents"}
    assert "hazards" in str(raised.value) and "incidents" in str(raised.value)


def test_a_geopackage_with_several_layers_needs_one_named(tmp_path: Path) -> None:
    path = _two_layer_geopackage(tmp_path / "survey.gpkg")

    with pytest.raises(LayerRequired, match="2 layers"):
        open_features(path)
    with open_features(path, layer="incidents") as source:
        assert [feature.properties["name"] for feature in source] == ["x"]


def test_a_zipped_shapefile_without_prj_has_no_crs(tmp_path: Path) -> None:
    shp = _shapefile_parts(tmp_path, prj=False)
    archive_path = tmp_path / "hazards.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        for part in sorted(tmp_path.glob("hazards.*")):
            if part != archive_path:
                archive.write(part, arcname=f"export/{part.name.upper()}")

    assert not shp.with_suffix(".prj").exists()
    with open_features(archive_path) as source:
        (feature,) = source
        assert source.crs is None
        assert not source.crs_assumed
    assert feature.properties["name"] == "Ağdam"
    assert feature.geometry == shapely.Point(612000, 4428000)


def test_a_bare_shapefile_reports_its_prj_crs_and_a_given_crs_replaces_a_missing_one(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with_prj = _shapefile_parts(tmp_path / "a", prj=True)
    without_prj = _shapefile_parts(tmp_path / "b", prj=False)

    with open_features(with_prj) as source:
        assert source.crs == "EPSG:32638"
    with open_features(without_prj, crs="EPSG:32638") as source:
        assert (source.crs, source.crs_assumed) == ("EPSG:32638", False)


def test_a_shapefile_without_cpg_is_decoded_in_the_encoding_given(tmp_path: Path) -> None:
    shp = tmp_path / "legacy.shp"
    pyogrio.raw.write(
        str(shp),
        shapely.to_wkb(np.array([shapely.Point(46.9, 39.9)], dtype=object)),
        [np.array(["Агдам"], dtype=object)],
        ["name"],
        driver="ESRI Shapefile",
        geometry_type="Point",
        crs="EPSG:4326",
        encoding="cp1251",
    )
    shp.with_suffix(".cpg").unlink()

    with open_features(shp) as source:
        (guessed,) = source
    with open_features(shp, encoding="cp1251") as source:
        (given,) = source
    assert guessed.properties["name"] != "Агдам"
    assert given.properties["name"] == "Агдам"


def test_a_zip_with_several_shapefiles_reads_the_one_named(tmp_path: Path) -> None:
    write_features(tmp_path / "a.shp.zip", ExportFormat.SHAPEFILE_ZIP, NAME, _points(1), layer="hazards")
    write_features(tmp_path / "b.shp.zip", ExportFormat.SHAPEFILE_ZIP, NAME, _points(3), layer="incidents")
    both = tmp_path / "both.zip"
    with zipfile.ZipFile(both, "w") as target:
        for source_zip in ("a.shp.zip", "b.shp.zip"):
            with zipfile.ZipFile(tmp_path / source_zip) as archive:
                for name in archive.namelist():
                    target.writestr(f"data/{name}", archive.read(name))

    with pytest.raises(LayerRequired) as raised:
        open_features(both)
    assert raised.value.available == ("data/hazards", "data/incidents")
    with open_features(both, layer="incidents") as source:
        assert len(list(source)) == 3
    with pytest.raises(UnknownLayer):
        open_features(both, layer="roads")


@pytest.mark.parametrize("count", [6, 7])
def test_features_are_read_across_batches_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    monkeypatch.setattr(ogr_source, "BATCH_SIZE", 3)
    path = tmp_path / "many.gpkg"
    write_features(path, ExportFormat.GPKG, NAME, _points(count))

    with open_features(path) as source:
        features = list(source)
        assert source.feature_count == count
    assert [feature.number for feature in features] == list(range(1, count + 1))
    assert [feature.properties["name"] for feature in features] == [f"p{n}" for n in range(count)]
    assert [feature.geometry for feature in features] == [shapely.Point(n, n) for n in range(count)]


@pytest.mark.filterwarnings("ignore:GPKG")  # GDAL's own complaint about the damaged header
def test_a_damaged_geopackage_raises_unreadable_file_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "broken.gpkg"
    path.write_bytes(b"SQLite format 3\x00" + b"\x07" * 2000)

    with pytest.raises(UnreadableFile, match=r"broken\.gpkg"):
        open_features(path)


def test_geojson_with_a_legacy_crs_member_after_its_features_is_streamed(tmp_path: Path) -> None:
    path = tmp_path / "utm.geojson"
    features = [
        {"type": "Feature", "id": 7, "properties": {"name": "A", "day": "2024-03-01", "n": 5}, "geometry": None},
        {
            "type": "Feature",
            "properties": {"name": "", "n": 6.5},
            "geometry": {"type": "Point", "coordinates": [612000, 4428000]},
        },
        {
            "type": "Feature",
            "properties": {"name": "C"},
            "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1]]]},
        },
    ]
    document = {
        "type": "FeatureCollection",
        "features": features,
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32638"}},
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1))

    with open_features(path) as source:
        rows = list(source)
        assert source.crs == "EPSG:32638"
        assert source.feature_count == 3
    assert [row.number for row in rows] == [1, 2, 3]
    assert rows[0].properties == {"name": "A", "day": dt.date(2024, 3, 1), "n": 5}
    assert rows[1].properties == {"name": None, "day": None, "n": 6.5}
    assert rows[1].geometry == shapely.Point(612000, 4428000)
    assert rows[2].geometry is None
    assert rows[2].geometry_error is not None and "GeoJSON geometry" in rows[2].geometry_error


def test_a_single_geojson_feature_is_one_row(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    feature = {
        "type": "Feature",
        "properties": {"name": "Füzuli"},
        "geometry": {"type": "Point", "coordinates": [47.1, 39.6]},
    }
    path.write_text(json.dumps(feature))

    with open_features(path) as source:
        rows = list(source)
    assert [(row.number, row.properties, row.geometry) for row in rows] == [
        (1, {"name": "Füzuli"}, shapely.Point(47.1, 39.6))
    ]


def test_geojson_split_across_read_windows_is_parsed_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from homeward.interchange import json_stream

    monkeypatch.setattr(json_stream, "_CHUNK", 7)  # every value straddles windows, numbers included
    path = tmp_path / "small-windows.geojson"
    write_features(path, ExportFormat.GEOJSON, [FieldSpec("n", "int")], [({"n": 12345}, shapely.Point(1.25, 2.5))] * 3)

    with open_features(path) as source:
        rows = list(source)
    assert [(row.properties["n"], row.geometry) for row in rows] == [(12345, shapely.Point(1.25, 2.5))] * 3


def test_truncated_geojson_raises_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "cut.geojson"
    good = tmp_path / "good.geojson"
    write_features(good, ExportFormat.GEOJSON, NAME, _points(50))
    path.write_bytes(good.read_bytes()[:-300])

    with pytest.raises(UnreadableFile, match=r"cut\.geojson"), open_features(path) as source:
        list(source)


def test_gdal_columns_become_plain_values_with_nulls_and_time_zones_kept(tmp_path: Path) -> None:
    # Read through the GDAL batch reader (not the GeoJSON streamer) to see what GDAL hands over.
    path = tmp_path / "typed.geojson"
    features = [
        {"type": "Feature", "properties": {"at": "2024-05-01T10:00:00+04:00", "n": 3, "ok": True}, "geometry": None},
        {"type": "Feature", "properties": {"at": None, "n": None, "ok": None}, "geometry": None},
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))

    with ogr_source.OgrSource(path, FileFormat.GEOJSON, layer=None) as source:
        rows = [feature.properties for feature in source]

    assert rows[0] == {"at": dt.datetime(2024, 5, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=4))), "n": 3, "ok": True}
    at = rows[0]["at"]
    assert isinstance(at, dt.datetime) and at.utcoffset() == dt.timedelta(hours=4)
    assert type(rows[0]["n"]) is int
    assert rows[1] == {"at": None, "n": None, "ok": None}
