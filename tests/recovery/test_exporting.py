"""Project exports: the 3W table with HXL hashtags, IATI XML, scope, audit and refusals."""

from __future__ import annotations

import csv
import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from homeward.core.context import acting_as
from homeward.core.models import AuditEntry
from homeward.interchange import open_features
from homeward.mineaction import services as mine_action
from homeward.mineaction.inputs import HazardInput
from homeward.recovery import exporting, services
from homeward.recovery.choices import ProjectStatus
from homeward.recovery.iati import ReportingOrg
from homeward.recovery.services import ProjectInput
from tests.factories import UserFactory
from tests.mineaction.geodata import AGHDAM, LACHIN, place_world, square
from tests.recovery.test_iati import assert_meets_iati_requirements

pytestmark = pytest.mark.django_db

PUBLISHER = {"ref": "AZ-VOEN-1234567890", "name": "Recovery Agency", "kind": "government"}


def project(external_id: str, settlements: tuple[str, ...], **changes) -> ProjectInput:
    values = {
        "external_id": external_id,
        "title": f"Project {external_id}",
        "sector": "water",
        "currency": "AZN",
        "budget": Decimal("100000"),
        "planned_start": dt.date(2025, 3, 1),
        "planned_end": dt.date(2026, 6, 30),
        "settlement_codes": settlements,
    }
    values.update(changes)
    return ProjectInput(**values)


@pytest.fixture
def recorded(world, personas):
    place_world(world)
    with acting_as(personas.analyst):
        mine_action.record_hazardous_area(HazardInput("HA-1", "cha", square(*AGHDAM, 100), dt.date(2023, 1, 1)))
    with acting_as(personas.planner):
        services.save_project(
            project(
                "P-1",
                ("T-AGM-1",),
                implementing_agency_id=world.migration_service.pk,
                funder="Reconstruction Fund",
                spent=Decimal("2500.75"),
                actual_start=dt.date(2025, 4, 1),
                status=ProjectStatus.UNDER_WAY,
                progress=30,
            )
        )
        services.save_project(
            project("P-2", ("T-LAC-1", "T-AGM-1"), sector="roads", implementing_agency_id=world.partner_ngo.pk)
        )
        services.save_project(project("P-3", ("T-LAC-1",), sector="housing", currency="USD"))
        services.save_project(project("P-4", (), sector="other"))
    return world


@pytest.fixture
def planner_in_lachin(world):
    return UserFactory(username="planner.lachin", role="reconstruction_planner", districts=[world.lachin])


def read_hxl(path) -> tuple[list[str], list[str], list[dict[str, str]]]:
    header, hashtags, *rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    return header, hashtags, [dict(zip(header, row, strict=True)) for row in rows]


def test_3w_hxl_csv_has_the_hashtag_row_and_one_row_per_project_and_settlement(recorded, personas, tmp_path):
    path = tmp_path / "3w.hxl.csv"

    count = exporting.export("projects-3w", "csv-hxl", path, user=personas.planner)

    header, hashtags, rows = read_hxl(path)
    tags = dict(zip(header, hashtags, strict=True))
    assert {
        tags["org_name"],
        tags["org_type"],
        tags["sector"],
        tags["activity"],
        tags["admin1"],
        tags["admin2"],
        tags["settlement"],
        tags["settlement_code"],
        tags["status"],
        tags["planned_start"],
        tags["planned_end"],
        tags["budget"],
        tags["spent"],
        tags["currency"],
        tags["progress_pct"],
        tags["blocked_by_hazards"],
    } == {
        "#org+impl+name",
        "#org+impl+type",
        "#sector",
        "#activity+name",
        "#adm1+name",
        "#adm2+name",
        "#loc+name",
        "#loc+code",
        "#status",
        "#date+start+planned",
        "#date+end+planned",
        "#value+budget",
        "#value+spent",
        "#currency",
        "#indicator+progress+pct",
        "#meta+blocked",
    }
    assert "wkt" not in header
    assert count == len(rows) == 5
    assert [(r["project_id"], r["settlement_code"]) for r in rows] == [
        ("P-1", "T-AGM-1"),
        ("P-2", "T-AGM-1"),
        ("P-2", "T-LAC-1"),
        ("P-3", "T-LAC-1"),
        ("P-4", ""),
    ]


def test_3w_rows_say_who_does_what_where_and_when(recorded, personas, tmp_path):
    path = tmp_path / "3w.hxl.csv"
    exporting.export("projects-3w", "csv-hxl", path, user=personas.planner)

    water = read_hxl(path)[2][0]

    assert (water["org_name"], water["org_type"], water["funder"]) == (
        "State Migration Service",
        "government",
        "Reconstruction Fund",
    )
    assert (water["sector"], water["sector_dac"], water["activity"]) == ("water", "14020", "Project P-1")
    assert (water["admin1"], water["admin2"], water["admin2_code"]) == ("", "Ağdam", "AZ-AGM")
    assert (water["settlement"], water["settlement_code"]) == ("Qaraçay", "T-AGM-1")
    assert (water["latitude"], water["longitude"]) == (str(AGHDAM[1]), str(AGHDAM[0]))
    assert (water["status"], water["planned_start"], water["planned_end"], water["actual_start"]) == (
        "under_way",
        "2025-03-01",
        "2026-06-30",
        "2025-04-01",
    )
    assert (float(water["budget"]), float(water["spent"]), water["currency"], water["progress_pct"]) == (
        100000.0,
        2500.75,
        "AZN",
        "30",
    )
    assert water["blocked_by_hazards"] == "HA-1"


def test_3w_to_gis_formats_puts_each_row_on_its_settlement(recorded, personas, tmp_path):
    path = tmp_path / "3w.geojson"

    exporting.export("projects-3w", "geojson", path, user=personas.planner)

    with open_features(path) as source:
        features = [(str(f.properties["project_id"]), f.geometry) for f in source]
    assert len(features) == 5
    points = {(name, round(point.x, 6), round(point.y, 6)) for name, point in features if point is not None}
    assert ("P-3", *LACHIN) in points
    assert len(points) == 4  # P-4 has no settlement, so no point


def test_exports_hold_only_what_the_user_may_see(recorded, planner_in_lachin, tmp_path):
    path = tmp_path / "3w.csv"

    exporting.export("projects-3w", "csv", path, user=planner_in_lachin)

    seen = {row["project_id"] for row in csv.DictReader(path.open(encoding="utf-8-sig"))}
    # P-1 lies in Aghdam only; P-2 spans two districts and P-4 none, so no single district holds them.
    assert seen == {"P-2", "P-3", "P-4"}

    xml = tmp_path / "projects.xml"
    exporting.export("projects-iati", "xml", xml, user=planner_in_lachin, reporting_org=ReportingOrg(**PUBLISHER))
    identifiers = {a.findtext("iati-identifier") for a in ET.parse(xml).getroot()}  # noqa: S314 - our own file
    assert identifiers == {"AZ-VOEN-1234567890-P-2", "AZ-VOEN-1234567890-P-3", "AZ-VOEN-1234567890-P-4"}


def test_iati_export_takes_the_publisher_from_settings_and_the_country_from_the_gazetteer(
    recorded, personas, tmp_path, settings
):
    settings.HOMEWARD_IATI_REPORTING_ORG = PUBLISHER
    path = tmp_path / "projects.xml"

    count = exporting.export("projects-iati", "xml", path, user=personas.planner)

    document = path.read_bytes()
    assert_meets_iati_requirements(document)
    root = ET.fromstring(document)  # noqa: S314 - our own output
    assert count == len(root) == 4
    assert {a.find("recipient-country").get("code") for a in root} == {recorded.country.code}
    assert {a.find("reporting-org").get("ref") for a in root} == {"AZ-VOEN-1234567890"}
    assert root[0].get("{http://www.w3.org/XML/1998/namespace}lang") == settings.LANGUAGE_CODE


def test_iati_export_without_a_publisher_is_refused_naming_the_setting(recorded, personas, tmp_path, settings):
    settings.HOMEWARD_IATI_REPORTING_ORG = None
    path = tmp_path / "projects.xml"

    with pytest.raises(exporting.ExportError, match="HOMEWARD_IATI_REPORTING_ORG"):
        exporting.export("projects-iati", "xml", path, user=personas.planner)
    assert not path.exists()
    assert not AuditEntry.objects.filter(action="export").exists()


def test_a_project_iati_cannot_identify_is_refused_and_nothing_is_written(recorded, personas, tmp_path):
    with acting_as(personas.planner):
        services.save_project(project("P/5", ("T-AGM-1",)))
    path = tmp_path / "projects.xml"

    with pytest.raises(exporting.ExportError, match="P/5"):
        exporting.export("projects-iati", "xml", path, user=personas.planner, reporting_org=ReportingOrg(**PUBLISHER))
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []


def test_an_iati_export_with_nothing_visible_is_refused(world, personas, tmp_path):
    with pytest.raises(exporting.ExportError, match="no projects"):
        exporting.export(
            "projects-iati", "xml", tmp_path / "p.xml", user=personas.planner, reporting_org=ReportingOrg(**PUBLISHER)
        )
    assert not (tmp_path / "p.xml").exists()


@pytest.mark.parametrize(
    ("kind", "fmt", "message"),
    [
        ("projects-4w", "csv", "not a recovery export: choose projects-3w, projects-iati"),
        ("projects-iati", "csv", "only as xml"),
        ("projects-3w", "xml", "not an export format"),
        ("projects-3w", "pdf", "not an export format"),
    ],
)
def test_a_bad_kind_or_format_is_refused_clearly(recorded, personas, tmp_path, kind, fmt, message):
    with pytest.raises(exporting.ExportError, match=message):
        exporting.export(kind, fmt, tmp_path / "out", user=personas.planner)
    assert not (tmp_path / "out").exists()


def test_export_is_audited_and_needs_the_export_permission(recorded, personas, tmp_path):
    exporting.export("projects-3w", "xlsx", tmp_path / "3w.xlsx", user=personas.coordinator)

    entry = AuditEntry.objects.filter(action="export").latest("sequence")
    assert (entry.actor_id, entry.object_type, entry.changes) == (
        personas.coordinator.pk,
        "recovery.projects-3w",
        {"format": "xlsx", "rows": 5},
    )
    for user in (personas.partner, personas.caseworker_aghdam, personas.resident):
        with pytest.raises(PermissionDenied):
            exporting.export("projects-3w", "csv", tmp_path / "p.csv", user=user)
    assert AuditEntry.objects.filter(action="export").count() == 1


def test_export_queries_do_not_grow_with_the_number_of_projects(recorded, personas, tmp_path):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            exporting.export("projects-3w", "csv", tmp_path / "3w.csv", user=personas.planner)
            exporting.export(
                "projects-iati",
                "xml",
                tmp_path / "p.xml",
                user=personas.planner,
                reporting_org=ReportingOrg(**PUBLISHER),
            )
        return len(captured)

    before = queries()
    with acting_as(personas.planner):
        for number in range(10, 16):
            services.save_project(project(f"P-{number}", ("T-AGM-1", "T-LAC-1")))

    assert queries() == before
