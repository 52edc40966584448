"""Recovery pages: who sees what, filters, hazard links, completion, observations and exports."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from homeward.core.context import acting_as
from homeward.mineaction import services as mine_action
from homeward.mineaction.inputs import HazardInput
from homeward.mineaction.models import HazardousArea
from homeward.recovery import selectors, services
from homeward.recovery.choices import ProjectStatus
from homeward.recovery.models import HousingObservation, Project, ServiceObservation
from homeward.recovery.services import ProjectInput, RestoreInput
from tests.mineaction.geodata import AGHDAM, place_world, square

IATI_PUBLISHER = {"ref": "XM-TEST-1", "name": "Test", "kind": "government"}


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
def recovery_data(world, personas):
    """A water project in Qaraçay blocked by a hazardous area; a road over budget and a finished school in Mişni."""
    place_world(world)
    with acting_as(personas.analyst):
        mine_action.record_hazardous_area(
            HazardInput("HA-BLOCK", "cha", square(*AGHDAM, 300), dt.date(2023, 1, 1), name="Village field")
        )
    with acting_as(personas.planner):
        services.record_service(
            "T-AGM-1", "water", "not_working", observed_on=dt.date(2024, 1, 5), source="Water survey 2024"
        )
        services.record_housing(
            "T-AGM-1", units_total=200, units_damaged=150, units_habitable=50, observed_on=dt.date(2024, 1, 5)
        )
        services.save_project(
            project(
                "P-WATER",
                ("T-AGM-1",),
                title="Water main for Qaraçay",
                implementing_agency_id=world.migration_service.pk,
                status=ProjectStatus.UNDER_WAY,
                progress=40,
                actual_start=dt.date(2025, 3, 10),
                restores=(RestoreInput("T-AGM-1", "water"),),
            )
        )
        services.save_project(
            project(
                "P-ROAD",
                ("T-LAC-1",),
                title="Road to Mişni",
                sector="roads",
                spent=Decimal("125000.50"),
                implementing_agency_id=world.partner_ngo.pk,
            )
        )
        school = services.save_project(
            project("P-SCHOOL", ("T-LAC-1",), title="School of Mişni", sector="education", progress=80)
        )
        services.complete_project(school, actual_end=dt.date(2026, 7, 10))
    return world


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def project_rows(html: str) -> set[str]:
    return set(re.findall(r'data-project="([^"]+)"', html))


def detail_url(external_id: str) -> str:
    return reverse("recovery:project_detail", args=[Project.objects.get(external_id=external_id).pk])


def settlement_url(code: str = "T-AGM-1") -> str:
    return reverse("recovery:settlement_services", args=[code])


# --- who sees what -----------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "writes"), [("planner", True), ("coordinator", False)])
def test_every_page_renders_for_a_planner_and_read_only_for_a_coordinator(
    recovery_data, personas, as_user, persona, writes
):
    client = as_user(getattr(personas, persona))
    listing = html_of(client.get(reverse("recovery:project_list")))
    assert project_rows(listing) == {"P-WATER", "P-ROAD", "P-SCHOOL"}
    assert 'data-nav="recovery"' in listing

    detail = html_of(client.get(detail_url("P-WATER")))
    assert "Water main for Qaraçay" in detail
    assert ("Mark the project complete" in detail) is writes

    settlement = html_of(client.get(settlement_url()))
    assert "Services and housing of Qaraçay" in settlement
    assert ('name="record" value="service"' in settlement) is writes
    assert ('name="record" value="housing"' in settlement) is writes


def test_a_caseworker_is_refused_every_recovery_page(recovery_data, personas, as_user):
    client = as_user(personas.caseworker_aghdam)
    for url in (
        reverse("recovery:project_list"),
        detail_url("P-WATER"),
        settlement_url(),
        reverse("recovery:export", args=["projects-3w"]) + "?format=csv",
    ):
        assert client.get(url).status_code == 403, url
    assert 'data-nav="recovery"' not in client.get("/").content.decode()


def test_anonymous_visitors_are_sent_to_log_in(recovery_data, client):
    response = client.get(reverse("recovery:project_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_settlement_outside_the_users_districts_or_unknown_is_not_found(recovery_data, as_user):
    from tests.factories import UserFactory

    planner_in_lachin = UserFactory(
        username="planner.lachin", role="reconstruction_planner", districts=[recovery_data.lachin]
    )
    client = as_user(planner_in_lachin)
    assert client.get(settlement_url("T-AGM-1")).status_code == 404
    assert client.get(settlement_url("NOWHERE")).status_code == 404
    assert project_rows(html_of(client.get(reverse("recovery:project_list")))) == {"P-ROAD", "P-SCHOOL"}


# --- the project list ----------------------------------------------------------------------------


def test_project_list_shows_progress_flags_settlement_links_and_both_exports(recovery_data, personas, as_user):
    html = html_of(as_user(personas.planner).get(reverse("recovery:project_list")))
    water = re.search(r'<tr data-project="P-WATER">(.*?)</tr>', html, re.S).group(1)
    assert "blocked by hazard" in water and "over budget" not in water
    assert 'value="40"' in water and "40%" in water
    assert f'href="{settlement_url("T-AGM-1")}"' in water
    assert "State Migration Service" in water
    road = re.search(r'<tr data-project="P-ROAD">(.*?)</tr>', html, re.S).group(1)
    assert "over budget" in road and "blocked by hazard" not in road
    assert reverse("recovery:export", args=["projects-3w"]) in html
    assert reverse("recovery:export", args=["projects-iati"]) in html
    three_w = re.search(r'<select id="export-projects-3w-format" name="format">(.*?)</select>', html, re.S)
    assert re.findall(r'value="([\w-]+)"', three_w.group(1)) == [
        "geojson",
        "gpkg",
        "shapefile-zip",
        "csv",
        "csv-hxl",
        "xlsx",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "under_way"}, {"P-WATER"}),
        ({"status": "completed"}, {"P-SCHOOL"}),
        ({"sector": "roads"}, {"P-ROAD"}),
        ({"district": "AZ-LAC"}, {"P-ROAD", "P-SCHOOL"}),
        ({"blocked": "yes"}, {"P-WATER"}),
        ({"blocked": "no"}, {"P-ROAD", "P-SCHOOL"}),
        ({"q": "school"}, {"P-SCHOOL"}),
        ({"q": "Mişni"}, {"P-ROAD", "P-SCHOOL"}),
        ({"q": "Partner NGO"}, {"P-ROAD"}),
        ({"district": "AZ-LAC", "sector": "education"}, {"P-SCHOOL"}),
    ],
)
def test_project_list_filters_narrow_the_rows(recovery_data, personas, as_user, query, expected):
    html = html_of(as_user(personas.coordinator).get(reverse("recovery:project_list"), query))
    assert project_rows(html) == expected


def test_project_list_reports_an_invalid_filter_and_still_applies_the_valid_ones(recovery_data, personas, as_user):
    html = html_of(
        as_user(personas.planner).get(reverse("recovery:project_list"), {"status": "bogus", "sector": "roads"})
    )
    assert "Select a valid choice" in html
    assert project_rows(html) == {"P-ROAD"}


def test_a_read_only_role_sees_no_export_forms_and_may_not_export(recovery_data, personas, as_user):
    client = as_user(personas.partner)
    html = html_of(client.get(reverse("recovery:project_list")))
    assert reverse("recovery:export", args=["projects-3w"]) not in html
    assert client.get(reverse("recovery:export", args=["projects-3w"]), {"format": "csv"}).status_code == 403


# --- the project page ----------------------------------------------------------------------------


def test_project_detail_links_the_blocking_hazard_and_the_settlement(recovery_data, personas, as_user):
    area = HazardousArea.objects.get(external_id="HA-BLOCK")
    html = html_of(as_user(personas.coordinator).get(detail_url("P-WATER")))
    hazards = re.search(r"<dd data-hazards>(.*?)</dd>", html, re.S).group(1)
    assert f'<a href="{reverse("mineaction:hazard_detail", args=[area.pk])}">HA-BLOCK</a>' in hazards
    assert "intersects an active hazardous area" in html
    assert f'href="{settlement_url("T-AGM-1")}"' in html
    assert "Not finished" in html or "the planned end has not passed" in html


def test_project_detail_names_the_hazard_without_a_link_to_who_may_not_see_hazardous_areas(
    recovery_data, personas, as_user
):
    recovery_data.partner_ngo.mine_action_sharing = "figures"
    recovery_data.partner_ngo.save()
    html = html_of(as_user(personas.partner).get(detail_url("P-WATER")))
    hazards = re.search(r"<dd data-hazards>(.*?)</dd>", html, re.S).group(1)
    assert hazards.strip() == "HA-BLOCK"


def test_project_detail_flags_overspending_and_shows_the_delay_of_a_finished_project(recovery_data, personas, as_user):
    client = as_user(personas.planner)
    road = html_of(client.get(detail_url("P-ROAD")))
    assert "data-over-budget" in road
    assert "25,000.50 AZN more has been spent" in road
    school = html_of(client.get(detail_url("P-SCHOOL")))
    assert "Finished 10 days after the planned end." in school
    assert "Mark the project complete" not in school


def test_an_unknown_project_is_not_found(recovery_data, personas, as_user):
    url = reverse("recovery:project_detail", args=["00000000-0000-0000-0000-000000000000"])
    assert as_user(personas.planner).get(url).status_code == 404


# --- completing a project ------------------------------------------------------------------------


def completion(project_row: Project, actual_end: dt.date | str, version: int | None = None) -> dict[str, object]:
    return {
        "complete-actual_end": str(actual_end),
        "complete-row_version": project_row.row_version if version is None else version,
    }


def test_a_planner_completes_a_project_and_the_water_service_becomes_working(recovery_data, personas, as_user):
    client = as_user(personas.planner)
    water = Project.objects.get(external_id="P-WATER")
    form = html_of(client.get(detail_url("P-WATER")))
    assert f'name="complete-row_version" value="{water.row_version}"' in form
    assert "csrfmiddlewaretoken" in form
    day = timezone.localdate() - dt.timedelta(days=1)

    response = client.post(reverse("recovery:project_complete", args=[water.pk]), completion(water, day), follow=True)

    html = html_of(response)
    assert "Project P-WATER is marked complete" in html and "will be recomputed" in html
    water.refresh_from_db()
    assert (water.status, water.progress, water.actual_end) == ("completed", 100, day)
    village = recovery_data.aghdam_village
    current = selectors.latest_services([village.pk])[(village.pk, "water")]
    assert (current.status, current.project_id) == ("working", water.pk)
    page = html_of(client.get(settlement_url()))
    row = re.search(r'<tr data-service="water" data-status="working">(.*?)</tr>', page, re.S).group(1)
    assert "Working" in row and "P-WATER" in row


def test_a_coordinator_may_not_post_the_completion_form(recovery_data, personas, as_user):
    water = Project.objects.get(external_id="P-WATER")
    response = as_user(personas.coordinator).post(
        reverse("recovery:project_complete", args=[water.pk]), completion(water, dt.date(2026, 1, 1))
    )
    assert response.status_code == 403
    water.refresh_from_db()
    assert water.status == "under_way"


def test_completion_in_the_future_is_an_error_on_the_date_field(recovery_data, personas, as_user):
    water = Project.objects.get(external_id="P-WATER")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    html = html_of(
        as_user(personas.planner).post(
            reverse("recovery:project_complete", args=[water.pk]), completion(water, tomorrow)
        )
    )
    errors = re.search(r'id="id_complete-actual_end_errors">(.*?)</div>', html, re.S).group(1)
    assert "is in the future" in errors
    assert Project.objects.get(external_id="P-WATER").status == "under_way"
    assert not ServiceObservation.objects.filter(project=water).exists()


def test_completion_from_a_stale_page_is_refused_with_a_clear_message(recovery_data, personas, as_user):
    water = Project.objects.get(external_id="P-WATER")
    seen = water.row_version
    with acting_as(personas.planner):
        services.save_project(project("P-WATER", ("T-AGM-1",), title="Water main, revised", progress=60))
    html = html_of(
        as_user(personas.planner).post(
            reverse("recovery:project_complete", args=[water.pk]), completion(water, dt.date(2026, 1, 1), seen)
        )
    )
    assert "Someone else changed this project after you opened the page" in html
    assert "Water main, revised" in html
    current = Project.objects.get(external_id="P-WATER")
    assert current.status != "completed"
    assert f'name="complete-row_version" value="{current.row_version}"' in html


# --- a settlement's services and housing ---------------------------------------------------------


def test_settlement_page_shows_the_current_state_and_the_history_per_service(recovery_data, personas, as_user):
    with acting_as(personas.planner):
        services.record_service(
            "T-AGM-1", "water", "partial", observed_on=dt.date(2025, 2, 1), capacity=40, capacity_unit="m³/day"
        )
    html = html_of(as_user(personas.coordinator).get(settlement_url()))
    water = re.search(r'<tr data-service="water" data-status="partial">(.*?)</tr>', html, re.S).group(1)
    assert "Partly working" in water and "40 m³/day" in water and "2025-02-01" in water
    history = re.search(r'<table class="data" id="history-water">(.*?)</table>', html, re.S).group(1)
    assert "2 observations, newest first" in history
    assert history.index("2025-02-01") < history.index("2024-01-05")
    assert "Water survey 2024" in history
    assert 'data-service="gas" data-status="none"' in html
    assert "50 of 200 units habitable, 150 damaged" in html
    assert project_rows(html) == {"P-WATER"}


def test_a_planner_records_a_service_observation(recovery_data, personas, as_user):
    response = as_user(personas.planner).post(
        settlement_url(),
        {
            "record": "service",
            "service-kind": "electricity",
            "service-status": "working",
            "service-capacity": "250",
            "service-capacity_unit": "kW",
            "service-observed_on": "2025-05-01",
            "service-source": "Grid operator",
        },
        follow=True,
    )
    html = html_of(response)
    assert "The observation of Qaraçay is recorded" in html
    observation = ServiceObservation.objects.get(kind="electricity")
    assert (observation.status, observation.capacity, observation.source) == ("working", 250, "Grid operator")


def test_housing_with_more_habitable_units_than_in_total_is_a_field_error_and_writes_nothing(
    recovery_data, personas, as_user
):
    before = HousingObservation.objects.count()
    html = html_of(
        as_user(personas.planner).post(
            settlement_url(),
            {
                "record": "housing",
                "housing-units_total": "10",
                "housing-units_damaged": "2",
                "housing-units_habitable": "12",
                "housing-observed_on": "2025-05-01",
            },
        )
    )
    errors = re.search(r'id="id_housing-units_habitable_errors">(.*?)</div>', html, re.S).group(1)
    assert "exceeds the 10 units in total" in errors
    assert "Nothing was saved" in html
    assert HousingObservation.objects.count() == before


def test_a_coordinator_may_not_record_observations(recovery_data, personas, as_user):
    response = as_user(personas.coordinator).post(
        settlement_url(),
        {"record": "service", "service-kind": "gas", "service-status": "working", "service-observed_on": "2025-05-01"},
    )
    assert response.status_code == 403
    assert not ServiceObservation.objects.filter(kind="gas").exists()


# --- query counts --------------------------------------------------------------------------------


def test_project_list_query_count_does_not_grow_with_rows(
    recovery_data, personas, as_user, django_assert_max_num_queries
):
    with acting_as(personas.planner):
        for index in range(30):
            services.save_project(project(f"P-MANY-{index:03d}", ("T-AGM-1", "T-LAC-1")))
    client = as_user(personas.planner)
    with django_assert_max_num_queries(8):
        html = html_of(client.get(reverse("recovery:project_list")))
    assert len(project_rows(html)) == 33


def test_settlement_page_query_count_does_not_grow_with_history(
    recovery_data, personas, as_user, django_assert_max_num_queries
):
    with acting_as(personas.planner):
        for index in range(20):
            day = dt.date(2024, 2, 1) + dt.timedelta(days=index)
            services.record_service("T-AGM-1", "electricity", "partial", observed_on=day)
            services.record_housing("T-AGM-1", units_total=200, units_damaged=100, units_habitable=100, observed_on=day)
        for index in range(5):
            services.save_project(
                project(f"P-HERE-{index}", ("T-AGM-1",), restores=(RestoreInput("T-AGM-1", "electricity"),))
            )
    client = as_user(personas.planner)
    with django_assert_max_num_queries(8):
        html_of(client.get(settlement_url()))


# --- export --------------------------------------------------------------------------------------


def test_the_3w_csv_export_downloads_with_the_hxl_row(recovery_data, personas, as_user):
    response = as_user(personas.planner).get(reverse("recovery:export", args=["projects-3w"]), {"format": "csv-hxl"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="projects-3w-' in response["Content-Disposition"]
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("project_id,")
    assert lines[1].startswith("#activity+code,")
    assert any(line.startswith("P-WATER,") for line in lines[2:])


def test_the_iati_export_without_a_publisher_explains_what_to_configure(recovery_data, personas, as_user, settings):
    settings.HOMEWARD_IATI_REPORTING_ORG = None
    response = as_user(personas.planner).get(reverse("recovery:export", args=["projects-iati"]), {"format": "xml"})
    assert response.status_code == 400
    assert "set HOMEWARD_IATI_REPORTING_ORG" in response.content.decode()


def test_the_iati_export_with_a_publisher_downloads_xml(recovery_data, personas, as_user, settings):
    settings.HOMEWARD_IATI_REPORTING_ORG = IATI_PUBLISHER
    response = as_user(personas.planner).get(reverse("recovery:export", args=["projects-iati"]), {"format": "xml"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert 'filename="projects-iati-' in response["Content-Disposition"] and '.xml"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    assert "<iati-activities" in body and "XM-TEST-1" in body and "P-WATER" in body


def test_export_refuses_a_format_the_kind_does_not_have(recovery_data, personas, as_user):
    client = as_user(personas.planner)
    response = client.get(reverse("recovery:export", args=["projects-iati"]), {"format": "csv"})
    assert response.status_code == 400
    assert "choose one of xml" in response.content.decode()
    assert client.get("/recovery/export/persons/", {"format": "csv"}).status_code == 404


def test_a_finished_project_cannot_be_completed_again(recovery_data, personas, as_user):
    school = Project.objects.get(external_id="P-SCHOOL")
    response = as_user(personas.planner).post(
        reverse("recovery:project_complete", args=[school.pk]), completion(school, dt.date(2026, 8, 1)), follow=True
    )
    assert "it cannot be marked complete" in html_of(response)
    school.refresh_from_db()
    assert school.actual_end == dt.date(2026, 7, 10)
