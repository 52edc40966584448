"""Mine action pages: what each role sees, filters, history on a date, progress, import and export."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from homeward.mineaction.inputs import DeviceInput, HazardInput
from homeward.mineaction.models import HazardousArea, Incident
from homeward.mineaction.services import bump_inputs_version, record_hazardous_area, split_hazardous_area
from tests.mineaction import factories as make
from tests.mineaction.geodata import AGHDAM, LACHIN, hazard_properties, place_world, square, write_geojson


@pytest.fixture
def mine_data(world):
    """Two areas in Aghdam (one partly cleared, with devices), one in Lachin, two incidents; figures computed."""
    place_world(world)
    cleared = make.hazard("HA-AGM-1", name="North field", side_m=200, classification="cha", eo_types=["ap_mine"])
    make.release(
        cleared,
        "ACT-1",
        cleared_m2=10_000,
        started_on=dt.date(2024, 3, 4),
        completed_on=dt.date(2024, 3, 28),
        devices=[DeviceInput(eo_type="ap_mine", model="PMN-2", quantity_found=3, quantity_destroyed=3)],
    )
    make.release(cleared, "ACT-2", method="nts", cancelled_m2=5_000, started_on=dt.date(2024, 5, 2), completed_on=None)
    make.hazard("HA-AGM-2", at=(AGHDAM[0] + 0.01, AGHDAM[1]), classification="sha", eo_types=["uxo"])
    make.hazard("HA-LAC-1", at=LACHIN, classification="cha", eo_types=["at_mine"])
    make.incident(
        "INC-AGM-1",
        occurred_on=dt.date(2024, 2, 10),
        casualties=[("male", "18-59", "killed", 1), ("female", "0-17", "injured", 2)],
    )
    make.incident("INC-LAC-1", at=LACHIN, occurred_on=dt.date(2024, 4, 1), device_type="at_mine")
    make.compute_figures()
    return world


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def hazard_rows(html: str) -> set[str]:
    return set(re.findall(r'data-hazard="([^"]+)"', html))


def json_script(html: str, element_id: str) -> dict:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no json_script {element_id}"
    return json.loads(match.group(1))


# --- pages render for the analyst -------------------------------------------------------------


def test_map_page_has_the_map_settings_legend_search_box_and_a_text_without_javascript(mine_data, personas, as_user):
    html = html_of(as_user(personas.analyst).get(reverse("mineaction:map")))
    settings = json_script(html, "mineaction-map-settings")
    assert settings["mode"] == "overview"
    assert settings["layers"] == {"hazards": True, "incidents": True}
    assert settings["tiles"]["url"] == ""
    assert settings["urls"]["hazards"] == "/api/mineaction/map/hazards"
    assert settings["urls"]["places"] == "/api/places/map"
    assert 'class="map-legend"' in html
    assert "Suspected hazardous area (SHA): dashed outline" in html
    assert "data-place-search" in html
    assert 'action="/places/"' in html
    assert "data-map-fallback" in html
    assert "leaflet/leaflet.js" in html
    assert "//unpkg" not in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html), "an asset is loaded from another host"


def test_map_page_hands_the_tile_server_to_the_script_as_data(mine_data, personas, as_user, settings):
    settings.HOMEWARD_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.HOMEWARD_MAP_TILE_ATTRIBUTION = '© Example <script>alert("x")</script>'
    html = html_of(as_user(personas.analyst).get(reverse("mineaction:map")))
    tiles = json_script(html, "mineaction-map-settings")["tiles"]
    assert tiles == {"url": settings.HOMEWARD_MAP_TILE_URL, "attribution": settings.HOMEWARD_MAP_TILE_ATTRIBUTION}
    assert '<script>alert("x")</script>' not in html


def test_hazard_list_shows_every_area_with_its_place_and_export_and_import_links(mine_data, personas, as_user):
    html = html_of(as_user(personas.analyst).get(reverse("mineaction:hazard_list")))
    assert hazard_rows(html) == {"HA-AGM-1", "HA-AGM-2", "HA-LAC-1"}
    assert "North field" in html
    assert "Qaraçay" in html and "Mişni" in html
    assert reverse("mineaction:export", args=["hazards"]) in html
    assert reverse("mineaction:import") in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"classification": "sha"}, {"HA-AGM-2"}),
        ({"district": "AZ-LAC"}, {"HA-LAC-1"}),
        ({"status": "in_progress"}, {"HA-AGM-1"}),
        ({"eo_type": "uxo"}, {"HA-AGM-2"}),
        ({"q": "north"}, {"HA-AGM-1"}),
        ({"q": "Mişni"}, {"HA-LAC-1"}),
        ({"district": "AZ-AGM", "classification": "cha"}, {"HA-AGM-1"}),
    ],
)
def test_hazard_list_filters_narrow_the_rows(mine_data, personas, as_user, query, expected):
    html = html_of(as_user(personas.analyst).get(reverse("mineaction:hazard_list"), query))
    assert hazard_rows(html) == expected


def test_hazard_list_reports_an_invalid_filter_and_still_applies_the_valid_ones(mine_data, personas, as_user):
    html = html_of(
        as_user(personas.analyst).get(reverse("mineaction:hazard_list"), {"status": "bogus", "district": "AZ-LAC"})
    )
    assert "Select a valid choice" in html
    assert hazard_rows(html) == {"HA-LAC-1"}


def test_hazard_detail_shows_fields_map_history_activities_devices_and_settlement_figures(mine_data, personas, as_user):
    area = HazardousArea.objects.get(external_id="HA-AGM-1")
    html = html_of(as_user(personas.analyst).get(reverse("mineaction:hazard_detail", args=[area.pk])))
    assert "North field" in html
    assert "Release under way" in html
    settings = json_script(html, "mineaction-map-settings")
    assert settings["mode"] == "detail"
    assert settings["current"]["geometry"]["type"] == "Polygon"
    assert settings["shown"] is None
    assert html.count("Land release activity") >= 2  # the history rows caused by ACT-1 and ACT-2
    assert "ACT-1" in html and "ACT-2" in html
    assert "PMN-2" in html and "3 found, 3 destroyed" in html
    assert "Figures of Qaraçay" in html
    assert "Devices destroyed" in html


def test_hazard_detail_on_an_earlier_date_shows_the_state_before_reclassification(world, personas, as_user):
    place_world(world)
    with make.recorded_at(make.days_ago(60)):
        area = make.hazard("HA-RC-1", classification="sha")
    record_hazardous_area(
        HazardInput(
            external_id="HA-RC-1",
            classification="cha",
            geometry=square(*AGHDAM, side_m=150),
            recorded_on=area.recorded_on,
            eo_types=("ap_mine",),
        )
    )
    client = as_user(personas.analyst)
    earlier = (make.days_ago(30)).date().isoformat()
    html = html_of(client.get(reverse("mineaction:hazard_detail", args=[area.pk]), {"at": earlier}))
    shown = re.search(r'<p class="shown-state"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert "Suspected hazardous area (SHA)" in shown
    assert f"as it was on {earlier}" in shown
    assert "Reclassified" in html
    settings = json_script(html, "mineaction-map-settings")
    assert settings["shown"]["properties"]["classification"] == "sha"
    assert settings["current"]["properties"]["classification"] == "cha"


def test_hazard_detail_on_an_earlier_date_shows_the_status_before_release(world, personas, as_user):
    place_world(world)
    with make.recorded_at(make.days_ago(60)):
        area = make.hazard("HA-RL-1", side_m=100)
    make.release(area, "ACT-RL-1", cleared_m2=area.area_m2, started_on=dt.date(2024, 1, 5), completed_on=None)
    area.refresh_from_db()
    assert area.status == "released"
    client = as_user(personas.analyst)
    url = reverse("mineaction:hazard_detail", args=[area.pk])
    before = html_of(client.get(url, {"at": make.days_ago(30).date().isoformat()}))
    assert 'data-shown-state="active"' in before
    today = html_of(client.get(url, {"at": dt.date.today().isoformat()}))
    assert 'data-shown-state="released"' in today
    too_early = html_of(client.get(url, {"at": make.days_ago(90).date().isoformat()}))
    assert "had not been recorded yet" in too_early


def test_a_split_area_links_to_its_parts_and_each_part_back_to_it(world, personas, as_user):
    place_world(world)
    whole = make.hazard("HA-SPLIT", side_m=200)
    parts = [
        HazardInput(
            external_id=f"HA-SPLIT-{n}",
            classification="cha",
            geometry=square(AGHDAM[0] + n * 0.001, AGHDAM[1], 90),
            recorded_on=whole.recorded_on,
        )
        for n in (1, 2)
    ]
    first, _second = split_hazardous_area(whole, parts)
    client = as_user(personas.analyst)
    html = html_of(client.get(reverse("mineaction:hazard_detail", args=[whole.pk])))
    assert "Superseded (split or merged)" in html
    assert "HA-SPLIT-1</a>, <a" in html
    html = html_of(client.get(reverse("mineaction:hazard_detail", args=[first.pk])))
    assert reverse("mineaction:hazard_detail", args=[whole.pk]) in html


def test_hazard_detail_with_a_bad_date_shows_a_form_error(mine_data, personas, as_user):
    area = HazardousArea.objects.get(external_id="HA-AGM-1")
    html = html_of(
        as_user(personas.analyst).get(reverse("mineaction:hazard_detail", args=[area.pk]), {"at": "2024-13-45"})
    )
    assert "Enter a date as YYYY-MM-DD" in html
    assert "data-shown-state" not in html
    assert json_script(html, "mineaction-map-settings")["shown"] is None


def test_release_list_shows_activities_with_devices_and_filters_by_method(mine_data, personas, as_user):
    client = as_user(personas.analyst)
    html = html_of(client.get(reverse("mineaction:release_list")))
    assert set(re.findall(r'data-activity="([^"]+)"', html)) == {"ACT-1", "ACT-2"}
    row = re.search(r'<tr data-activity="ACT-1">(.*?)</tr>', html, re.S).group(1)
    assert "10,000" in row and ">3<" in row
    html = html_of(client.get(reverse("mineaction:release_list"), {"method": "nts"}))
    assert set(re.findall(r'data-activity="([^"]+)"', html)) == {"ACT-2"}


def test_incident_list_counts_casualties_and_filters_by_district_and_date(mine_data, personas, as_user):
    client = as_user(personas.analyst)
    html = html_of(client.get(reverse("mineaction:incident_list")))
    assert set(re.findall(r'data-incident="([^"]+)"', html)) == {"INC-AGM-1", "INC-LAC-1"}
    row = re.search(r'<tr data-incident="INC-AGM-1">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["1", "2"]
    html = html_of(client.get(reverse("mineaction:incident_list"), {"district": "AZ-LAC"}))
    assert set(re.findall(r'data-incident="([^"]+)"', html)) == {"INC-LAC-1"}
    html = html_of(client.get(reverse("mineaction:incident_list"), {"until": "2024-03-01"}))
    assert set(re.findall(r'data-incident="([^"]+)"', html)) == {"INC-AGM-1"}


def test_incident_detail_tabulates_casualties_by_outcome_sex_and_age_without_names(mine_data, personas, as_user):
    incident = Incident.objects.get(external_id="INC-AGM-1")
    html = html_of(as_user(personas.analyst).get(reverse("mineaction:incident_detail", args=[incident.pk])))
    assert "3 casualties by outcome, sex and age band" in html
    killed_male = re.search(r'<th scope="row">Killed</th>\s*<th scope="row">Male</th>(.*?)</tr>', html, re.S).group(1)
    # Age bands: child, adult, older, unknown; then all ages.
    assert re.findall(r">(\d+)<", killed_male) == ["0", "1", "0", "0", "1"]
    injured_female = re.search(
        r'<th scope="row">Injured</th>\s*<th scope="row">Female</th>(.*?)</tr>', html, re.S
    ).group(1)
    assert re.findall(r">(\d+)<", injured_female) == ["2", "0", "0", "0", "2"]


def test_progress_shows_figures_per_district_and_a_monthly_chart_with_the_same_numbers_in_a_table(
    mine_data, personas, as_user
):
    client = as_user(personas.analyst)
    html = html_of(client.get(reverse("mineaction:progress")))
    region = re.search(r'<tr data-place="AZ" class="region">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r'<td class="num">([\d,]+)</td>', region)
    assert cells[:3] == ["3", "1", "2"]  # open areas, SHA, CHA
    assert cells[8:] == ["2", "1", "3"]  # incidents, killed, injured
    lachin = re.search(r'<tr data-place="AZ-LAC">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num">([\d,]+)</td>', lachin)[:3] == ["1", "0", "1"]
    assert "Figures computed at" in html
    assert "Newer changes are being processed" not in html
    assert "<svg" in html and 'role="img"' in html
    assert '<title id="release-chart-title">' in html and '<desc id="release-chart-desc">' in html
    months = re.search(r'<table class="data months-table">(.*?)</table>', html, re.S).group(1)
    assert "2024-03" in months and "10,000" in months

    html = html_of(client.get(reverse("mineaction:progress"), {"place": "AZ-LAC"}))
    assert "Monthly progress: Laçın" in html
    months = re.search(r'<table class="data months-table">(.*?)</table>', html, re.S).group(1)
    assert re.findall(r'<th scope="row">([\d-]+)</th>', months) == ["2024-04"]


def test_progress_for_an_unknown_place_says_so_and_shows_the_region(mine_data, personas, as_user):
    html = html_of(as_user(personas.analyst).get(reverse("mineaction:progress"), {"place": "XX-NOPE"}))
    assert "Select a valid choice" in html
    assert "Monthly progress: Azərbaycan" in html


def test_progress_says_newer_changes_are_being_processed_when_inputs_moved_on(mine_data, personas, as_user):
    bump_inputs_version([mine_data.aghdam.pk])
    html = html_of(as_user(personas.analyst).get(reverse("mineaction:progress")))
    assert "Newer changes are being processed" in html


def test_progress_reads_stored_figures_and_never_computes_them(world, personas, as_user):
    place_world(world)
    make.hazard("HA-NEW-1")
    html = html_of(as_user(personas.analyst).get(reverse("mineaction:progress")))
    assert "No figures have been computed yet" in html
    assert "not computed yet" in html


# --- who sees what ------------------------------------------------------------------------------


def test_partner_whose_agency_shares_figures_only_sees_no_hazard_rows_but_sees_progress(mine_data, personas, as_user):
    mine_data.partner_ngo.mine_action_sharing = "figures"
    mine_data.partner_ngo.save()
    client = as_user(personas.partner)
    html = html_of(client.get(reverse("mineaction:hazard_list")))
    assert hazard_rows(html) == set()
    assert "shares mine action figures per place" in html
    html = html_of(client.get(reverse("mineaction:progress")))
    region = re.search(r'<tr data-place="AZ" class="region">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'<td class="num">([\d,]+)</td>', region)[:3] == ["3", "1", "2"]
    settings = json_script(html_of(client.get(reverse("mineaction:map"))), "mineaction-map-settings")
    assert settings["layers"] == {"hazards": False, "incidents": False}
    area = HazardousArea.objects.get(external_id="HA-AGM-1")
    assert client.get(reverse("mineaction:hazard_detail", args=[area.pk])).status_code == 404


def test_partner_with_areas_shared_sees_hazards_but_not_incidents_or_release(mine_data, personas, as_user):
    client = as_user(personas.partner)  # the agency's default sharing: figures and areas
    assert hazard_rows(html_of(client.get(reverse("mineaction:hazard_list")))) == {"HA-AGM-1", "HA-AGM-2", "HA-LAC-1"}
    html = html_of(client.get(reverse("mineaction:incident_list")))
    assert "data-incident=" not in html
    assert "not land release activities or incidents" in html
    incident = Incident.objects.get(external_id="INC-AGM-1")
    assert client.get(reverse("mineaction:incident_detail", args=[incident.pk])).status_code == 404
    assert "data-activity=" not in html_of(client.get(reverse("mineaction:release_list")))


def test_partner_may_not_export_and_sees_no_export_form(mine_data, personas, as_user):
    client = as_user(personas.partner)
    assert reverse("mineaction:export", args=["hazards"]) not in html_of(client.get(reverse("mineaction:hazard_list")))
    assert client.get(reverse("mineaction:export", args=["hazards"]), {"format": "csv"}).status_code == 403


def _every_page(world_data) -> list[str]:
    area = HazardousArea.objects.get(external_id="HA-AGM-1")
    incident = Incident.objects.get(external_id="INC-AGM-1")
    return [
        reverse("mineaction:map"),
        reverse("mineaction:hazard_list"),
        reverse("mineaction:hazard_detail", args=[area.pk]),
        reverse("mineaction:release_list"),
        reverse("mineaction:incident_list"),
        reverse("mineaction:incident_detail", args=[incident.pk]),
        reverse("mineaction:progress"),
        reverse("mineaction:import"),
        reverse("mineaction:export", args=["hazards"]) + "?format=csv",
    ]


def test_caseworker_without_the_mine_action_domain_is_refused_every_page(mine_data, personas, as_user):
    client = as_user(personas.caseworker_aghdam)
    for url in _every_page(mine_data):
        assert client.get(url).status_code in {403, 404}, url


def test_anonymous_visitors_are_sent_to_log_in(mine_data, client):
    for url in _every_page(mine_data):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_import_page_is_refused_to_a_coordinator(mine_data, personas, as_user):
    client = as_user(personas.coordinator)
    assert client.get(reverse("mineaction:import")).status_code == 403
    assert client.post(reverse("mineaction:import"), {"kind": "hazards"}).status_code == 403
    assert reverse("mineaction:import") not in html_of(client.get(reverse("mineaction:hazard_list")))


# --- query counts ---------------------------------------------------------------------------------


def _many_hazards(count: int) -> None:
    for index in range(count):
        make.hazard(f"HA-MANY-{index:03d}", at=(AGHDAM[0] + index * 0.002, AGHDAM[1]), side_m=50)


def _many_incidents(count: int) -> None:
    for index in range(count):
        make.incident(
            f"INC-MANY-{index:03d}",
            at=(AGHDAM[0] + index * 0.002, AGHDAM[1]),
            casualties=[("male", "18-59", "killed", 1), ("female", "60+", "injured", 1)],
        )


def test_hazard_list_query_count_does_not_grow_with_rows(world, personas, as_user, django_assert_max_num_queries):
    place_world(world)
    client = as_user(personas.analyst)
    _many_hazards(30)
    with django_assert_max_num_queries(8):
        html = html_of(client.get(reverse("mineaction:hazard_list")))
    assert len(hazard_rows(html)) == 30


def test_incident_list_query_count_does_not_grow_with_rows(world, personas, as_user, django_assert_max_num_queries):
    place_world(world)
    client = as_user(personas.analyst)
    _many_incidents(30)
    with django_assert_max_num_queries(8):
        html = html_of(client.get(reverse("mineaction:incident_list")))
    assert len(re.findall(r"data-incident=", html)) == 30


def test_release_list_query_count_does_not_grow_with_rows(world, personas, as_user, django_assert_max_num_queries):
    place_world(world)
    client = as_user(personas.analyst)
    for index in range(15):
        area = make.hazard(f"HA-REL-{index:03d}", at=(AGHDAM[0] + index * 0.002, AGHDAM[1]), side_m=100)
        make.release(
            area,
            f"ACT-REL-{index:03d}",
            cleared_m2=100,
            devices=[DeviceInput(eo_type="uxo", quantity_found=2, quantity_destroyed=1)],
        )
    with django_assert_max_num_queries(8):
        html = html_of(client.get(reverse("mineaction:release_list")))
    assert len(re.findall(r"data-activity=", html)) == 15


# --- export ---------------------------------------------------------------------------------------


def test_export_downloads_a_csv_of_the_hazards_the_user_may_see(mine_data, personas, as_user):
    response = as_user(personas.analyst).get(reverse("mineaction:export", args=["hazards"]), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="hazards-' in response["Content-Disposition"] and '.csv"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "HA-AGM-1" in body and "HA-LAC-1" in body


def test_export_refuses_an_unknown_format_with_a_message(mine_data, personas, as_user):
    response = as_user(personas.analyst).get(reverse("mineaction:export", args=["hazards"]), {"format": "pdf"})
    assert response.status_code == 400
    assert "cannot be exported as &#x27;pdf&#x27;" in response.content.decode()


def test_export_of_the_summary_refuses_a_geographic_format(mine_data, personas, as_user):
    response = as_user(personas.analyst).get(reverse("mineaction:export", args=["mdr-summary"]), {"format": "geojson"})
    assert response.status_code == 400
    assert "choose one of csv, csv-hxl, xlsx" in response.content.decode()
    progress = html_of(as_user(personas.analyst).get(reverse("mineaction:progress")))
    summary_form = re.search(r'<select id="export-mdr-summary-format" name="format">(.*?)</select>', progress, re.S)
    assert re.findall(r'value="([\w-]+)"', summary_form.group(1)) == ["csv", "csv-hxl", "xlsx"]


def test_export_of_an_unknown_kind_is_not_found(mine_data, personas, as_user):
    assert as_user(personas.analyst).get("/mineaction/export/persons/", {"format": "csv"}).status_code == 404


# --- import ---------------------------------------------------------------------------------------


def _two_hazards(tmp_path) -> SimpleUploadedFile:
    path = write_geojson(
        tmp_path / "areas.geojson",
        [
            (hazard_properties("IMP-1", name="East slope"), square(AGHDAM[0] + 0.003, AGHDAM[1], 120)),
            (hazard_properties("IMP-2", classification="sha"), square(LACHIN[0], LACHIN[1] + 0.003, 80)),
        ],
    )
    return SimpleUploadedFile("areas.geojson", path.read_bytes(), content_type="application/geo+json")


def _import(client, upload, **fields):
    data = {"kind": "hazards", "file": upload, "crs": "", "encoding": "", "layer": "", **fields}
    return client.post(reverse("mineaction:import"), data)


def counts(html: str) -> dict[str, int]:
    return {key: int(value) for key, value in re.findall(r'<dd data-count="(\w+)">(\d+)</dd>', html)}


def test_import_page_offers_a_dry_run_by_default(world, personas, as_user):
    html = html_of(as_user(personas.analyst).get(reverse("mineaction:import")))
    assert re.search(r'<input type="checkbox" name="dry_run"[^>]*checked', html)
    assert 'enctype="multipart/form-data"' in html and "csrfmiddlewaretoken" in html


def test_import_dry_run_reports_two_to_create_and_writes_nothing(world, personas, as_user, tmp_path):
    place_world(world)
    html = html_of(_import(as_user(personas.analyst), _two_hazards(tmp_path), dry_run="on"))
    assert 'data-outcome="dry-run"' in html
    assert "To create" in html
    assert counts(html) == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    assert HazardousArea.objects.count() == 0
    assert "Import for real" in html and 'name="file"' in html


def test_import_without_dry_run_creates_the_two_areas(world, personas, as_user, tmp_path):
    place_world(world)
    html = html_of(_import(as_user(personas.analyst), _two_hazards(tmp_path)))
    assert 'data-outcome="committed"' in html
    assert counts(html)["created"] == 2
    assert set(HazardousArea.objects.values_list("external_id", flat=True)) == {"IMP-1", "IMP-2"}
    assert HazardousArea.objects.get(external_id="IMP-2").district == world.lachin
    assert "Import for real" not in html


def test_import_of_an_invalid_feature_is_refused_and_lists_the_rejection(world, personas, as_user, tmp_path):
    place_world(world)
    path = write_geojson(
        tmp_path / "bad.geojson",
        [
            (hazard_properties("OK-1"), square(*AGHDAM, 100)),
            (hazard_properties("BAD-1", classification="xyz"), square(*LACHIN, 100)),
        ],
    )
    upload = SimpleUploadedFile("bad.geojson", path.read_bytes())
    html = html_of(_import(as_user(personas.analyst), upload))
    assert 'data-outcome="refused"' in html
    assert "BAD-1" in html and "classification" in html
    assert "Import for real" not in html
    assert HazardousArea.objects.count() == 0


def test_import_of_an_unreadable_file_is_a_form_error_naming_the_file(world, personas, as_user):
    place_world(world)
    upload = SimpleUploadedFile("broken.geojson", b"{ not json")
    html = html_of(_import(as_user(personas.analyst), upload, dry_run="on"))
    errors = re.search(r'<div class="field-errors" id="id_file_errors">(.*?)</div>', html, re.S).group(1)
    assert "broken.geojson" in errors
    assert "import-report" not in html


def test_import_of_a_too_large_file_is_a_form_error_naming_the_file(world, personas, as_user, tmp_path, settings):
    place_world(world)
    settings.HOMEWARD_IMPORT_MAX_BYTES = 100
    html = html_of(_import(as_user(personas.analyst), _two_hazards(tmp_path), dry_run="on"))
    errors = re.search(r'<div class="field-errors" id="id_file_errors">(.*?)</div>', html, re.S).group(1)
    assert "areas.geojson" in errors and "limit" in errors
