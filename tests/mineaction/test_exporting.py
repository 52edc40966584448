"""Exports: every format round-trips, HXL hashtags, the GICHD MDR tables, scope and audit."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from homeward.core.context import acting_as
from homeward.core.models import AuditEntry
from homeward.interchange import open_features
from homeward.mineaction import exporting, services
from homeward.mineaction.inputs import CasualtyInput, DeviceInput, HazardInput, IncidentInput, ReleaseInput
from tests.mineaction.geodata import AGHDAM, LACHIN, place_world, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(world, personas):
    place_world(world)
    with acting_as(personas.analyst):
        services.record_hazardous_area(
            HazardInput("HA-1", "cha", square(*AGHDAM, 100), dt.date(2023, 1, 1), eo_types=("ap_mine", "uxo"))
        )
        services.record_hazardous_area(HazardInput("HA-2", "sha", square(*LACHIN, 200), dt.date(2023, 2, 1)))
        services.record_release_activity(
            ReleaseInput(
                "LR-1",
                "HA-1",
                "clearance",
                dt.date(2024, 1, 1),
                dt.date(2024, 2, 1),
                area_cleared_m2=1000,
                beneficiaries_women=4,
                beneficiaries_boys=2,
                devices=(DeviceInput("ap_mine", "PMN-2", 5, 3, quantity_found=2, quantity_destroyed=2),),
            )
        )
        services.record_incident(
            IncidentInput(
                "INC-1",
                dt.date(2024, 3, 1),
                AGHDAM[1],
                AGHDAM[0],
                casualties=(CasualtyInput("male", "0-17", "killed", 1), CasualtyInput("female", "18-59", "injured", 2)),
            )
        )
    return world


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "shapefile-zip", "csv", "xlsx"])
def test_hazards_round_trip_through_every_format(records, personas, tmp_path, fmt):
    from homeward.interchange import ExportFormat, export_extension

    path = tmp_path / f"hazards{export_extension(ExportFormat(fmt))}"

    count = exporting.export("hazards", fmt, path, user=personas.analyst)

    assert count == 2
    key = "external_i" if fmt == "shapefile-zip" else "external_id"  # shapefiles cut names to 10 characters
    with open_features(path) as source:
        rows = list(source)
    assert sorted(str(r.properties[key]) for r in rows) == ["HA-1", "HA-2"]
    first = next(r for r in rows if r.properties[key] == "HA-1")
    assert first.geometry is not None and first.geometry.area > 0
    assert abs(first.geometry.centroid.x - AGHDAM[0]) < 0.001


def test_hxl_csv_has_a_hashtag_row_under_the_header(records, personas, tmp_path):
    path = tmp_path / "incidents.hxl.csv"
    exporting.export("incidents", "csv-hxl", path, user=personas.analyst)

    header, hashtags, row = list(csv.reader(path.open(encoding="utf-8-sig")))[:3]

    assert hashtags[header.index("date")] == "#date+occurred"
    assert hashtags[header.index("killed_boys")] == "#affected+killed+m+children"
    assert row[header.index("killed_boys")] == "1"
    assert not any(h == "name" for h in header)


def test_mdr_summary_counts_remaining_release_devices_beneficiaries_and_casualties(records, personas, tmp_path):
    path = tmp_path / "mdr.csv"
    exporting.export("mdr-summary", "csv", path, user=personas.analyst)

    rows = {r["district_code"]: r for r in csv.DictReader(path.open(encoding="utf-8-sig"))}

    aghdam, lachin = rows["AZ-AGM"], rows["AZ-LAC"]
    assert (aghdam["cha_remaining"], aghdam["cleared_m2"], aghdam["ap_mine_destroyed"]) == ("1", "1000.0", "2")
    assert (aghdam["beneficiaries_women"], aghdam["beneficiaries_boys"]) == ("4", "2")
    assert (aghdam["killed_boys"], aghdam["injured_women"]) == ("1", "2")
    assert (lachin["sha_remaining"], lachin["cha_remaining"]) == ("1", "0")


def test_mdr_summary_has_no_geometry_so_gis_formats_are_refused(records, personas, tmp_path):
    with pytest.raises(exporting.ExportError, match="no geometry"):
        exporting.export("mdr-summary", "gpkg", tmp_path / "x.gpkg", user=personas.analyst)


def test_export_is_audited_and_needs_the_export_permission(records, personas, tmp_path):
    exporting.export("mdr-areas", "geojson", tmp_path / "a.geojson", user=personas.coordinator)

    entry = AuditEntry.objects.filter(action="export").latest("sequence")
    assert (entry.actor_id, entry.changes["rows"]) == (personas.coordinator.pk, 2)
    with pytest.raises(PermissionDenied):
        exporting.export("hazards", "csv", tmp_path / "p.csv", user=personas.partner)
