"""Importing hazards, releases and incidents: the happy paths and every bad input of issue 4."""

from __future__ import annotations

import sqlite3
import tracemalloc
import zipfile

import numpy as np
import pytest
import shapely

from homeward.core.context import acting_as
from homeward.core.imports import ImportFileError
from homeward.core.models import AuditEntry
from homeward.interchange import ExportFormat, FieldSpec, write_features
from homeward.mineaction.importing import import_file
from homeward.mineaction.models import HazardousArea, HazardousAreaState, Incident, LandReleaseActivity
from tests.mineaction.geodata import AGHDAM, LACHIN, hazard_properties, place_world, square, write_geojson

pytestmark = pytest.mark.django_db

HAZARD_FIELDS = [
    FieldSpec("external_id", "str"),
    FieldSpec("classification", "str"),
    FieldSpec("recorded_on", "str"),
    FieldSpec("eo_types", "str"),
]


@pytest.fixture
def placed(world, personas):
    place_world(world)
    with acting_as(personas.analyst):
        yield world


def _grid(count: int, origin: tuple[float, float] = AGHDAM) -> list[tuple[dict, shapely.Polygon]]:
    lon, lat = origin
    return [
        (hazard_properties(f"HA-{i:05d}"), square(lon + (i % 100) * 0.002, lat + (i // 100) * 0.002, 80))
        for i in range(count)
    ]


def test_geopackage_of_hazards_is_imported_with_area_place_and_history(placed, tmp_path):
    path = tmp_path / "hazards.gpkg"
    write_features(path, ExportFormat.GPKG, HAZARD_FIELDS, _grid(3))

    report = import_file("hazards", path)

    assert (report.created, report.updated, report.rejected_count, report.committed) == (3, 0, 0, True)
    area = HazardousArea.objects.get(external_id="HA-00000")
    assert area.area_m2 == pytest.approx(6400, rel=0.01)
    assert area.remaining_m2 == pytest.approx(area.area_m2)
    assert area.place == placed.aghdam_village
    assert area.district == placed.aghdam
    assert area.eo_types == ["ap_mine"]
    assert HazardousAreaState.objects.filter(area=area, valid_to__isnull=True).count() == 1
    assert AuditEntry.objects.filter(action="import", object_type="mineaction.hazardousarea").count() == 1


def test_reimport_updates_changed_areas_and_never_duplicates(placed, tmp_path):
    features = _grid(3)
    import_file("hazards", write_geojson(tmp_path / "a.geojson", features))
    features[1] = (hazard_properties("HA-00001", classification="sha"), features[1][1])

    report = import_file("hazards", write_geojson(tmp_path / "b.geojson", features))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert HazardousArea.objects.count() == 3
    changed = HazardousArea.objects.get(external_id="HA-00001")
    assert changed.classification == "sha"
    assert list(changed.states.values_list("classification", flat=True)) == ["cha", "sha"]


def test_dry_run_reports_what_would_change_and_writes_nothing(placed, tmp_path):
    import_file("hazards", write_geojson(tmp_path / "a.geojson", _grid(2)))
    features = _grid(4)
    features[0] = (hazard_properties("HA-00000", status="in_progress"), features[0][1])
    features.append((hazard_properties("BAD", classification="maybe"), square(*AGHDAM)))

    report = import_file("hazards", write_geojson(tmp_path / "b.geojson", features), dry_run=True, skip_invalid=True)

    assert (report.created, report.updated, report.unchanged, report.rejected_count) == (2, 1, 1, 1)
    assert not report.committed
    assert HazardousArea.objects.count() == 2
    assert HazardousArea.objects.get(external_id="HA-00000").status == "active"


def test_one_self_intersecting_polygon_among_ten_thousand_refuses_the_file(placed, tmp_path):
    features = _grid(10_000)
    lon, lat = AGHDAM
    bow_tie = shapely.Polygon([(lon, lat), (lon + 0.001, lat + 0.001), (lon + 0.001, lat), (lon, lat + 0.001)])
    features[17] = (hazard_properties("HA-00017"), bow_tie)

    report = import_file("hazards", write_geojson(tmp_path / "big.geojson", features))

    assert report.refused and not report.committed
    assert report.read == 10_000
    assert [(r.feature, r.field, r.external_id) for r in report.rejected] == [(18, "geometry", "HA-00017")]
    assert "intersects itself" in report.rejected[0].reason
    assert HazardousArea.objects.count() == 0
    assert HazardousAreaState.objects.count() == 0


def test_skip_invalid_imports_the_rest_and_lists_the_skipped(placed, tmp_path):
    features = _grid(50)
    lon, lat = AGHDAM
    features[3] = (
        hazard_properties("HA-00003"),
        shapely.Polygon([(lon, lat), (lon + 0.001, lat + 0.001), (lon + 0.001, lat), (lon, lat + 0.001)]),
    )
    features[9] = (hazard_properties("HA-00009", recorded_on="yesterday"), features[9][1])

    report = import_file("hazards", write_geojson(tmp_path / "f.geojson", features), skip_invalid=True)

    assert report.committed and report.created == 48
    assert [(r.feature, r.field) for r in report.rejected] == [(4, "geometry"), (10, "recorded_on")]
    assert not HazardousArea.objects.filter(external_id__in=["HA-00003", "HA-00009"]).exists()


def test_clockwise_polygon_is_repaired_and_the_repair_reported(placed, tmp_path):
    clockwise = shapely.Polygon(list(square(*AGHDAM).exterior.coords)[::-1])

    report = import_file("hazards", write_geojson(tmp_path / "cw.geojson", [(hazard_properties("CW"), clockwise)]))

    assert report.created == 1
    assert [r.feature for r in report.repairs] == [1]
    assert shapely.from_wkb(bytes(HazardousArea.objects.get().geometry)).exterior.is_ccw


def test_polygon_with_latitude_before_longitude_is_refused_with_the_reason(placed, tmp_path):
    swapped = shapely.transform(square(*AGHDAM), lambda xy: xy[:, ::-1])

    report = import_file("hazards", write_geojson(tmp_path / "s.geojson", [(hazard_properties("S"), swapped)]))

    assert report.refused
    assert "swapped" in report.rejected[0].reason
    assert not HazardousArea.objects.exists()


def test_projected_file_is_reprojected_to_wgs84(placed, tmp_path):
    from pyproj import Transformer

    to_utm = Transformer.from_crs(4326, 32638, always_xy=True)
    polygon = shapely.transform(
        square(*AGHDAM, side_m=200), lambda xy: np.column_stack(to_utm.transform(xy[:, 0], xy[:, 1]))
    )
    path = tmp_path / "utm.gpkg"
    write_features(path, ExportFormat.GPKG, HAZARD_FIELDS, [(hazard_properties("UTM"), polygon)], crs="EPSG:32638")

    report = import_file("hazards", path)

    assert report.crs == "EPSG:32638" and report.created == 1
    area = HazardousArea.objects.get()
    assert area.min_lon == pytest.approx(AGHDAM[0], abs=0.01)
    assert area.area_m2 == pytest.approx(40_000, rel=0.01)


def test_unknown_crs_is_refused_before_anything_is_read(placed, tmp_path):
    path = tmp_path / "u.csv"
    path.write_text(f'external_id,classification,recorded_on,wkt\nHA-W,sha,2022-01-05,"{square(*AGHDAM).wkt}"\n')

    with pytest.raises(ImportFileError, match="999999"):
        import_file("hazards", path, crs="EPSG:999999")
    assert not HazardousArea.objects.exists()


def test_shapefile_without_a_prj_needs_a_crs(placed, tmp_path):
    shp = tmp_path / "hazards.shp.zip"
    write_features(shp, ExportFormat.SHAPEFILE_ZIP, HAZARD_FIELDS, _grid(2))
    stripped = tmp_path / "noprj.zip"
    with zipfile.ZipFile(shp) as source, zipfile.ZipFile(stripped, "w") as target:
        for name in source.namelist():
            if not name.endswith(".prj"):
                target.writestr(name, source.read(name))

    with pytest.raises(ImportFileError, match="no coordinate reference system"):
        import_file("hazards", stripped)
    report = import_file("hazards", stripped, crs="EPSG:4326")
    assert report.created == 2


def test_zip_without_a_shapefile_is_refused_naming_its_content(placed, tmp_path):
    path = tmp_path / "not-a-shapefile.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")

    with pytest.raises(ImportFileError, match=r"readme\.txt"):
        import_file("hazards", path)


def test_windows_1251_csv_of_incidents_is_decoded(placed, tmp_path):
    path = tmp_path / "incidents.csv"
    text = (
        "external_id;date;latitude;longitude;device_type;source;killed_men;injured_boys\n"
        f"INC-1;2024-03-02;{AGHDAM[1]};{AGHDAM[0]};at_mine;Полиция района;1;2\n"
    )
    path.write_bytes(text.encode("cp1251"))

    report = import_file("incidents", path)

    assert report.created == 1 and report.encoding.replace("-", "").lower() in {"cp1251", "windows1251"}
    incident = Incident.objects.get()
    assert incident.source == "Полиция района"
    assert incident.place == placed.aghdam_village
    assert sorted(incident.casualties.values_list("outcome", "sex", "age_band", "count")) == [
        ("injured", "male", "0-17", 2),
        ("killed", "male", "18-59", 1),
    ]


def test_incident_file_with_a_name_column_is_refused(placed, tmp_path):
    path = tmp_path / "incidents.csv"
    path.write_text(f"external_id,date,latitude,longitude,victim_name\nINC-1,2024-03-02,{AGHDAM[1]},{AGHDAM[0]},X\n")

    with pytest.raises(ImportFileError, match=r"never named.*victim_name"):
        import_file("incidents", path)
    assert not Incident.objects.exists()


def test_incident_in_the_future_is_rejected(placed, tmp_path):
    path = tmp_path / "incidents.csv"
    path.write_text(f"external_id,date,latitude,longitude\nINC-9,2999-01-01,{LACHIN[1]},{LACHIN[0]}\n")

    report = import_file("incidents", path)

    assert report.refused and [(r.feature, r.field) for r in report.rejected] == [(2, "date")]


def test_releases_reduce_the_remaining_area_and_over_release_is_rejected(placed, tmp_path):
    import_file("hazards", write_geojson(tmp_path / "h.geojson", [(hazard_properties("HA-1"), square(*AGHDAM, 100))]))
    path = tmp_path / "releases.xlsx"
    fields = [
        FieldSpec(n, k)
        for n, k in [
            ("external_id", "str"),
            ("hazard_id", "str"),
            ("method", "str"),
            ("started_on", "str"),
            ("completed_on", "str"),
            ("area_cleared_m2", "float"),
            ("ap_mine_found", "int"),
            ("ap_mine_destroyed", "int"),
        ]
    ]
    rows = [
        (
            {
                "external_id": "LR-1",
                "hazard_id": "HA-1",
                "method": "clearance",
                "started_on": "2024-04-01",
                "completed_on": "2024-05-01",
                "area_cleared_m2": 4000,
                "ap_mine_found": 3,
                "ap_mine_destroyed": 3,
            },
            None,
        ),
        (
            {
                "external_id": "LR-2",
                "hazard_id": "HA-1",
                "method": "clearance",
                "started_on": "2024-06-01",
                "completed_on": "2024-07-01",
                "area_cleared_m2": 9000,
                "ap_mine_found": 0,
                "ap_mine_destroyed": 0,
            },
            None,
        ),
        (
            {
                "external_id": "LR-3",
                "hazard_id": "HA-404",
                "method": "ts",
                "started_on": "2024-06-01",
                "completed_on": None,
                "area_cleared_m2": 1,
                "ap_mine_found": 0,
                "ap_mine_destroyed": 0,
            },
            None,
        ),
    ]
    write_features(path, ExportFormat.XLSX, fields, rows)

    refused = import_file("releases", path)
    assert refused.refused and not LandReleaseActivity.objects.exists()
    assert [(r.feature, r.field) for r in refused.rejected] == [(3, "area_cleared_m2"), (4, "hazard_id")]

    report = import_file("releases", path, skip_invalid=True)

    assert report.created == 1
    area = HazardousArea.objects.get(external_id="HA-1")
    assert area.released_m2 == 4000
    assert area.remaining_m2 == pytest.approx(area.area_m2 - 4000)
    assert area.status == "in_progress"
    assert LandReleaseActivity.objects.get().devices.get().quantity_destroyed == 3
    assert list(area.states.values_list("cause", flat=True)) == ["imported", "release"]


def test_duplicate_external_id_in_one_file_is_rejected(placed, tmp_path):
    features = _grid(2)
    features[1] = (hazard_properties("HA-00000"), features[1][1])

    report = import_file("hazards", write_geojson(tmp_path / "d.geojson", features))

    assert report.refused and "twice" in report.rejected[0].reason


def test_a_200_mb_geopackage_is_streamed_not_loaded_whole(placed, tmp_path):
    path = tmp_path / "big.gpkg"
    write_features(path, ExportFormat.GPKG, HAZARD_FIELDS, _grid(20))
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE attachments (data BLOB)")
        connection.execute("INSERT INTO attachments VALUES (zeroblob(200 * 1024 * 1024))")
    assert path.stat().st_size > 200 * 1024 * 1024

    tracemalloc.start()
    try:
        report = import_file("hazards", path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert report.created == 20
    assert peak < 50 * 1024 * 1024


def test_missing_external_id_column_refuses_the_file(placed, tmp_path):
    path = write_geojson(tmp_path / "n.geojson", [({"classification": "cha"}, square(*AGHDAM))])

    with pytest.raises(ImportFileError, match="external_id"):
        import_file("hazards", path)


def test_unknown_file_content_is_a_file_error(placed, tmp_path):
    path = tmp_path / "h.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')

    with pytest.raises(ImportFileError):
        import_file("hazards", path)


def test_csv_with_wkt_column_is_imported(placed, tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(f'external_id,classification,recorded_on,wkt\nHA-W,sha,2022-01-05,"{square(*LACHIN).wkt}"\n')

    report = import_file("hazards", path)

    assert report.created == 1 and report.crs_assumed
    assert HazardousArea.objects.get().district == placed.lachin


def test_far_away_polygon_is_refused_as_out_of_bounds(placed, tmp_path):
    report = import_file(
        "hazards", write_geojson(tmp_path / "far.geojson", [(hazard_properties("FAR"), square(2.35, 48.85))])
    )

    assert report.refused and "far outside" in report.rejected[0].reason
