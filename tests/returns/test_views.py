"""Readiness pages, API and export: the map, a village's profile and what-if, the summary, who sees what."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from homeward.core.context import acting_as
from homeward.core.models import AuditEntry
from homeward.mineaction import selectors as mine_action_selectors
from homeward.mineaction import services as mine_action
from homeward.mineaction.inputs import HazardInput
from homeward.recovery import selectors as recovery_selectors
from homeward.recovery import services as recovery
from homeward.recovery.services import ProjectInput, RestoreInput
from homeward.returns import exporting, readiness
from homeward.returns.models import ReadinessSnapshot
from tests.factories import PlaceFactory
from tests.mineaction.geodata import AGHDAM, place_world, square

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)  # in the heating season
HAZARD = "no_hazard_in_residential_area"


@pytest.fixture
def village(world, personas):
    """Qaraçay: everything working but the health post, and a confirmed hazardous area in the village."""
    place_world(world)
    village = world.aghdam_village
    village.households_pre_conflict = 100
    village.save()
    with acting_as(personas.planner):
        for kind in ("water", "electricity", "heating", "school"):
            recovery.record_service("T-AGM-1", kind, "working", observed_on=dt.date(2026, 5, 1))
        recovery.record_housing(
            "T-AGM-1", units_total=150, units_damaged=40, units_habitable=110, observed_on=dt.date(2026, 5, 1)
        )
    with acting_as(personas.analyst):
        mine_action.record_hazardous_area(HazardInput("HA-1", "cha", square(*AGHDAM, 200), dt.date(2023, 1, 1)))
    readiness.recompute(None, today=TODAY)
    return village


@pytest.fixture
def water_project(village, personas):
    """The water main has failed; project P-W, planned to end on 2027-03-01, restores it."""
    with acting_as(personas.planner):
        recovery.record_service("T-AGM-1", "water", "not_working", observed_on=dt.date(2026, 6, 1))
        recovery.save_project(
            ProjectInput(
                external_id="P-W",
                title="Water main",
                sector="water",
                currency="AZN",
                budget=Decimal(1000),
                planned_start=dt.date(2026, 1, 1),
                planned_end=dt.date(2027, 3, 1),
                settlement_codes=("T-AGM-1",),
                restores=(RestoreInput("T-AGM-1", "water"),),
            )
        )
    readiness.recompute(None, today=TODAY)
    return village


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def json_script(html: str, element_id: str) -> dict:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no json_script {element_id}"
    return json.loads(match.group(1))


def criterion_row(html: str, key: str) -> str:
    match = re.search(rf'<tr data-criterion="{key}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {key}"
    return match.group(1)


def profile(code: str = "T-AGM-1") -> str:
    return reverse("returns:settlement_readiness", args=[code])


def _every_page(code: str = "T-AGM-1") -> list[str]:
    return [
        reverse("returns:readiness_map"),
        reverse("returns:readiness_summary"),
        profile(code),
        profile(code) + "?what_if=1&clear_hazards=HA-1",
        reverse("returns:export", args=["readiness"]) + "?format=csv",
    ]


# --- who sees the pages ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["coordinator", "planner"])
def test_every_page_renders_for_a_coordinator_and_a_planner(village, personas, as_user, persona):
    client = as_user(getattr(personas, persona))
    for url in _every_page():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)


def test_a_caseworker_is_refused_every_page_and_the_api(village, personas, as_user):
    client = as_user(personas.caseworker_aghdam)
    for url in _every_page():
        assert client.get(url).status_code in {403, 404}, url
    for url in ["/api/returns/readiness", "/api/returns/readiness/map", "/api/returns/readiness/T-AGM-1"]:
        assert client.get(url).status_code in {403, 404}, url
    what_if = client.post(
        "/api/returns/readiness/T-AGM-1/what-if", {"cleared_hazards": ["HA-1"]}, content_type="application/json"
    )
    assert what_if.status_code in {403, 404}


def test_anonymous_visitors_are_sent_to_log_in(village, client):
    for url in _every_page():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_an_unknown_settlement_is_not_found(village, personas, as_user):
    assert as_user(personas.coordinator).get(profile("NOPE")).status_code == 404


def test_the_menu_offers_readiness_to_those_who_may_see_it(village, personas, as_user):
    assert 'data-nav="readiness"' in html_of(as_user(personas.coordinator).get("/"))
    assert 'data-nav="readiness"' not in html_of(as_user(personas.caseworker_aghdam).get("/"))


# --- the map -----------------------------------------------------------------------------------


def test_map_page_has_counts_settings_legend_search_box_table_and_no_cdn(village, personas, as_user):
    html = html_of(as_user(personas.coordinator).get(reverse("returns:readiness_map")))
    settings = json_script(html, "readiness-map-settings")
    assert settings["urls"]["readiness"] == "/api/returns/readiness/map"
    assert settings["labels"]["status"]["not_ready"] == "Not ready"
    assert re.search(r'<li data-count="not_ready">.*?<strong>2</strong>', html, re.S)  # Qaraçay and Mişni
    assert "Not ready: red triangle" in html and "Ready: green circle" in html
    assert "data-place-search" in html
    assert "data-map-fallback" in html
    assert "leaflet/leaflet.js" in html and "returns/readiness.js" in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html), "an asset is loaded from another host"
    assert set(re.findall(r'<tr data-settlement="([^"]+)"', html)) == {"T-AGM-1", "T-LAC-1"}
    assert profile() in html
    assert reverse("returns:export", args=["readiness"]) in html


def test_map_page_filtered_by_district_counts_and_lists_that_district_only(village, personas, as_user):
    html = html_of(as_user(personas.coordinator).get(reverse("returns:readiness_map"), {"district": "AZ-AGM"}))
    assert json_script(html, "readiness-map-settings")["district"] == "AZ-AGM"
    assert set(re.findall(r'<tr data-settlement="([^"]+)"', html)) == {"T-AGM-1"}
    assert re.search(r'<li data-count="not_ready">.*?<strong>1</strong>', html, re.S)
    assert "Settlements in Ağdam" in html


# --- a village's profile -----------------------------------------------------------------------


def test_profile_shows_the_hazard_blocker_linked_to_its_page_and_why_there_is_no_date(village, personas, as_user):
    area = mine_action_selectors.get_hazard_for_user(personas.coordinator, "HA-1")
    html = html_of(as_user(personas.coordinator).get(profile()))

    assert re.search(r'id="current-status"><span class="readiness-status status-not_ready"', html)
    hazard = criterion_row(html, HAZARD)
    assert 'data-outcome="not_met"' in hazard
    assert f'<a href="{reverse("mineaction:hazard_detail", args=[area.pk])}">HA-1</a>' in hazard
    assert 'data-outcome="met"' in criterion_row(html, "water")
    assert 'data-outcome="unknown"' in criterion_row(html, "hazard_free_road_to_district_centre")
    # No land was released in the district, so no clearance date and no forecast: it says why.
    forecast = re.search(r'id="current-forecast">(.*?)</dd>', html, re.S).group(1)
    assert 'data-forecast="none"' in forecast
    # The health post has no plan either: both are named.
    assert "No date: No hazardous area in the residential area, A health post within reach have no plan." in forecast
    assert "hazardous area HA-1 has no expected clearance" in forecast
    services = reverse("recovery:settlement_services", args=["T-AGM-1"])
    assert f'<a href="{services}">' in criterion_row(html, "water")


def test_profile_forecasts_the_date_a_project_is_expected_to_restore_water(water_project, personas, as_user):
    html = html_of(as_user(personas.planner).get(profile()))
    water = criterion_row(html, "water")
    assert 'data-outcome="not_met"' in water
    assert "2027-03-01" in water
    project = recovery_selectors.get_project_for_user(personas.planner, "P-W")
    assert f'<a href="{reverse("recovery:project_detail", args=[project.pk])}">P-W</a>' in water


def test_profile_partner_without_area_sharing_sees_the_hazard_named_but_not_linked(village, world, personas, as_user):
    world.partner_ngo.mine_action_sharing = "figures"
    world.partner_ngo.save()
    html = html_of(as_user(personas.partner).get(profile()))
    assert "HA-1" in criterion_row(html, HAZARD)
    assert "/mineaction/hazards/" not in html


def test_profile_history_charts_every_answer_with_its_status(water_project, personas, as_user):
    html = html_of(as_user(personas.coordinator).get(profile()))
    history = html[html.index('id="history"') :]
    assert "<svg" in history and "Readiness over time" in history
    assert history.count("data-history-status=") == ReadinessSnapshot.objects.filter(settlement=water_project).count()
    assert 'class="score-line"' in history


def test_a_village_without_a_computed_answer_says_so(world, personas, as_user):
    place_world(world)
    html = html_of(as_user(personas.coordinator).get(profile()))
    assert "No readiness has been computed for this settlement yet." in html


# --- what if -----------------------------------------------------------------------------------


def test_what_if_clearing_the_hazard_shows_the_village_partly_ready_and_stores_nothing(village, personas, as_user):
    before = list(ReadinessSnapshot.objects.values_list("pk", flat=True))
    html = html_of(as_user(personas.coordinator).get(profile(), {"what_if": "1", "clear_hazards": "HA-1"}))

    result = html[html.index('id="what-if-result"') :]
    assert 'data-what-if-status="partly_ready"' in html
    assert "not saved" in result
    assert "hazardous area HA-1 is cleared" in result
    assert re.search(r'id="what-if-status"><span class="readiness-status status-partly_ready"', result)
    assert re.search(r'id="current-status"><span class="readiness-status status-not_ready"', html)
    assert list(ReadinessSnapshot.objects.values_list("pk", flat=True)) == before


def test_what_if_naming_an_unknown_project_shows_a_clear_error_and_no_answer(village, personas, as_user):
    html = html_of(
        as_user(personas.coordinator).get(profile(), {"what_if": "1", "delay_project": "P-404", "delay_months": "3"})
    )
    assert "P-404 is not a project this settlement&#x27;s readiness depends on" in html
    assert "what-if-result" not in html


def test_what_if_with_nothing_chosen_asks_for_a_change(village, personas, as_user):
    html = html_of(as_user(personas.coordinator).get(profile(), {"what_if": "1"}))
    assert "Choose a project to delay or a hazardous area to clear." in html


def test_what_if_a_project_slips_three_months_moves_its_expected_date(water_project, personas, as_user):
    client = as_user(personas.coordinator)
    form = html_of(client.get(profile()))
    assert re.search(r'<option value="P-W">P-W — Water main \(planned end 2027-03-01\)</option>', form)

    html = html_of(client.get(profile(), {"what_if": "1", "delay_project": "P-W", "delay_months": "3"}))
    result = html[html.index('id="what-if-result"') :]
    assert "project P-W ends 3 months later" in result
    assert re.search(r"<th scope=\"row\">Water</th>\s*<td>Not met · 2027-03-01</td>\s*<td>Not met · 2027-06-01", result)


# --- summary -----------------------------------------------------------------------------------


def test_summary_counts_each_district_and_the_region_and_names_the_common_blockers(village, personas, as_user):
    html = html_of(as_user(personas.planner).get(reverse("returns:readiness_summary")))
    region = re.search(r'<tr class="region" data-place="region">(.*?)</tr>', html, re.S).group(1)
    assert '<td class="num" data-count="not_ready">2</td>' in region
    aghdam = re.search(r'<tr data-place="AZ-AGM">(.*?)</tr>', html, re.S).group(1)
    assert '<td class="num" data-count="not_ready">1</td>' in aghdam
    assert '<td class="num" data-count="ready">0</td>' in aghdam
    assert "No hazardous area in the residential area (1 settlement)" in aghdam
    assert "A hazard-free road to the district centre (2 settlements)" in region
    assert reverse("returns:readiness_map") + "?district=AZ-AGM" in aghdam


# --- API ---------------------------------------------------------------------------------------


def test_api_lists_current_answers_filtered_by_district_and_status(village, personas, as_user):
    client = as_user(personas.coordinator)
    listed = client.get("/api/returns/readiness").json()
    assert listed["count"] == 2
    first = next(item for item in listed["items"] if item["settlement"]["code"] == "T-AGM-1")
    assert first["status"] == "not_ready" and first["district"]["code"] == "AZ-AGM"
    assert HAZARD in first["blockers"]
    assert [
        i["settlement"]["code"] for i in client.get("/api/returns/readiness", {"district": "AZ-LAC"}).json()["items"]
    ] == ["T-LAC-1"]
    assert client.get("/api/returns/readiness", {"status": "ready"}).json()["count"] == 0
    assert client.get("/api/returns/readiness", {"status": "bogus"}).status_code == 422


def test_api_detail_has_criteria_evidence_and_history(water_project, personas, as_user):
    detail = as_user(personas.coordinator).get("/api/returns/readiness/T-AGM-1").json()
    water = next(c for c in detail["criteria"] if c["key"] == "water")
    assert water["outcome"] == "not_met" and water["expected_date"] == "2027-03-01"
    assert any(e["kind"] == "project" and e["ref"] == "P-W" for e in water["evidence"])
    assert len(detail["history"]) == 2
    assert detail["history"][0]["computed_at"] <= detail["history"][-1]["computed_at"]
    assert as_user(personas.coordinator).get("/api/returns/readiness/NOPE").status_code == 404


def test_api_map_is_geojson_points_with_status_and_a_link(village, personas, as_user):
    layer = as_user(personas.coordinator).get("/api/returns/readiness/map").json()
    assert layer["type"] == "FeatureCollection"
    village_point = next(f for f in layer["features"] if f["properties"]["code"] == "T-AGM-1")
    assert village_point["geometry"] == {"type": "Point", "coordinates": [AGHDAM[0], AGHDAM[1]]}
    assert village_point["properties"]["status"] == "not_ready"
    assert village_point["properties"]["url"] == profile()
    narrowed = as_user(personas.coordinator).get("/api/returns/readiness/map", {"district": "AZ-LAC"}).json()
    assert [f["properties"]["code"] for f in narrowed["features"]] == ["T-LAC-1"]


def test_api_what_if_answers_without_saving_and_names_the_field_it_refuses(village, personas, as_user):
    client = as_user(personas.coordinator)
    before = ReadinessSnapshot.objects.count()
    url = "/api/returns/readiness/T-AGM-1/what-if"

    cleared = client.post(url, {"cleared_hazards": ["HA-1"]}, content_type="application/json")
    unknown_project = client.post(url, {"delayed_projects": {"P-404": 90}}, content_type="application/json")
    unknown_hazard = client.post(url, {"cleared_hazards": ["HA-404"]}, content_type="application/json")
    too_long = client.post(url, {"delayed_projects": {"P-404": 99_999}}, content_type="application/json")

    assert cleared.status_code == 200, cleared.content
    answer = cleared.json()
    assert answer["status"] == "partly_ready" and answer["saved"] is False
    assert next(c for c in answer["criteria"] if c["key"] == HAZARD)["outcome"] == "met"
    assert unknown_project.status_code == 422 and unknown_project.json()["field"] == "delayed_projects"
    assert "P-404" in unknown_project.json()["detail"]
    assert unknown_hazard.status_code == 422 and unknown_hazard.json()["field"] == "cleared_hazards"
    assert too_long.status_code == 422 and too_long.json()["field"] == "delayed_projects"
    assert ReadinessSnapshot.objects.count() == before


# --- export ------------------------------------------------------------------------------------


def test_export_csv_has_the_hxl_row_and_one_column_per_criterion(village, personas, as_user):
    response = as_user(personas.coordinator).get(reverse("returns:export", args=["readiness"]), {"format": "csv-hxl"})
    assert response.status_code == 200
    assert 'filename="readiness-' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header, tags = rows[0], rows[1]
    assert header[:9] == [
        "settlement",
        "settlement_code",
        "district",
        "district_code",
        "latitude",
        "longitude",
        "status",
        "score",
        "earliest_ready",
    ]
    assert tags[:9] == [
        "#loc+name",
        "#loc+code",
        "#adm2+name",
        "#adm2+code",
        "#geo+lat",
        "#geo+lon",
        "#status+readiness",
        "#indicator+score",
        "#date+ready+forecast",
    ]
    assert tags[header.index(HAZARD)] == f"#status+criterion+{HAZARD}"
    village_row = dict(zip(header, next(r for r in rows[2:] if r[1] == "T-AGM-1"), strict=True))
    assert village_row["status"] == "not_ready" and village_row[HAZARD] == "not_met" and village_row["water"] == "met"
    assert HAZARD in village_row["blockers"].split(";")
    entry = AuditEntry.objects.filter(action="export").latest("sequence")
    assert entry.object_type == "returns.readiness" and entry.changes == {"format": "csv-hxl", "rows": 2}


def test_export_as_geojson_carries_the_settlement_points(village, personas, tmp_path):
    path = tmp_path / "readiness.geojson"
    assert exporting.export("readiness", "geojson", path, user=personas.planner) == 2
    features = json.loads(path.read_text())["features"]
    village_feature = next(f for f in features if f["properties"]["settlement_code"] == "T-AGM-1")
    assert village_feature["geometry"]["type"] == "Point"
    assert village_feature["properties"]["status"] == "not_ready"


@pytest.mark.parametrize("fmt", ["xlsx", "gpkg", "shapefile-zip", "csv"])
def test_export_writes_every_interchange_format(village, personas, tmp_path, fmt):
    assert exporting.export("readiness", fmt, tmp_path / f"readiness.{fmt}", user=personas.coordinator) == 2


def test_export_refuses_an_unknown_format_and_a_reader_without_export(village, personas, as_user):
    url = reverse("returns:export", args=["readiness"])
    refused = as_user(personas.coordinator).get(url, {"format": "pdf"})
    assert refused.status_code == 400 and "cannot be exported as &#x27;pdf&#x27;" in refused.content.decode()
    assert as_user(personas.auditor).get(url, {"format": "csv"}).status_code == 403
    assert as_user(personas.coordinator).get("/returns/export/persons/", {"format": "csv"}).status_code == 404


# --- query counts ------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200, url
    return len(context.captured_queries)


def _more_villages(world, count: int) -> None:
    for index in range(count):
        PlaceFactory(
            code=f"T-AGM-X{index:02d}",
            parent=world.aghdam,
            district=world.aghdam,
            longitude=AGHDAM[0] + 0.01 * (index + 1),
            latitude=AGHDAM[1],
        )
    readiness.recompute(None, today=TODAY)


@pytest.mark.parametrize(
    "url",
    ["/api/returns/readiness/map", "/api/returns/readiness", "/returns/readiness/summary/", "/returns/readiness/"],
)
def test_query_count_does_not_grow_with_settlements(village, world, personas, as_user, url):
    client = as_user(personas.coordinator)
    few = _queries(client, url)
    _more_villages(world, 15)
    assert ReadinessSnapshot.objects.filter(is_current=True).count() == 17
    assert _queries(client, url) == few
    assert few <= 10
