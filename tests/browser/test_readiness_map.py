"""The coordinator finds a village not ready on the readiness map, sees why and when, and tries clearing its hazard."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.test import Client

from homeward.core.context import acting_as
from homeward.mineaction import services as mine_action
from homeward.mineaction.inputs import HazardInput
from homeward.recovery import services as recovery
from homeward.returns import readiness
from homeward.returns.models import ReadinessSnapshot
from tests.mineaction.geodata import AGHDAM, place_world, square

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def village(world, personas):
    """Qaraçay has water, power, heating, a school and housing, but a confirmed hazardous area in the village."""
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


def test_coordinator_sees_why_a_village_is_not_ready_and_clears_its_hazard_in_a_what_if(
    browser, live_server, personas, village, artifacts
):
    client = Client()
    client.force_login(personas.coordinator)
    context = browser.new_context(locale="en")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.set_default_timeout(10_000)
    stored = ReadinessSnapshot.objects.count()

    # The map: the village is drawn as a red triangle, and the legend says so in words.
    page.goto(f"{live_server.url}/returns/readiness/")
    page.wait_for_selector("#readiness-map.leaflet-container")
    page.wait_for_selector("#readiness-map[data-loaded=true]")
    marker = page.locator("#readiness-map path.readiness-marker[data-code='T-AGM-1']")
    assert "readiness-not_ready" in marker.get_attribute("class")
    assert page.locator("[data-map-fallback]").is_hidden()
    assert "Not ready: red triangle" in page.locator("section.map-legend").inner_text()
    assert "Settlements on the map: 2." in page.text_content("#map-status")
    page.screenshot(path=str(artifacts / "readiness-map.png"), full_page=True)

    # Its popup says it is not ready and leads to its profile.
    marker.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Qaraçay" in popup.inner_text() and "Not ready" in popup.inner_text()
    popup.get_by_role("link", name="Open the readiness profile").click()
    page.wait_for_url("**/returns/readiness/T-AGM-1/")

    # Why: the hazardous area, linked to its page; when: no date, because its clearance has no plan.
    assert page.get_attribute("#current-status [data-status]", "data-status") == "not_ready"
    hazard_row = page.locator("tr[data-criterion='no_hazard_in_residential_area']")
    assert hazard_row.locator("[data-outcome]").get_attribute("data-outcome") == "not_met"
    assert (
        hazard_row.get_by_role("link", name="HA-1", exact=True).get_attribute("href").startswith("/mineaction/hazards/")
    )
    forecast = page.locator("#current-forecast")
    assert forecast.locator("[data-forecast]").get_attribute("data-forecast") == "none"
    assert "No date: No hazardous area in the residential area" in forecast.inner_text()
    assert "hazardous area HA-1 has no expected clearance" in forecast.inner_text()
    assert page.locator("#history svg g.mark").count() == ReadinessSnapshot.objects.filter(settlement=village).count()

    # What if the area were cleared: the village would change, and nothing is saved.
    page.get_by_label("HA-1 (No hazardous area in the residential area)").check()
    page.get_by_role("button", name="Show the would-be answer").click()
    result = page.locator("#what-if-result")
    result.wait_for()
    assert result.get_attribute("data-what-if-status") == "partly_ready"
    assert "not saved" in result.inner_text().lower()
    assert page.get_attribute("#what-if-status [data-status]", "data-status") == "partly_ready"
    assert page.get_attribute("#current-status [data-status]", "data-status") == "not_ready"
    page.screenshot(path=str(artifacts / "readiness-what-if.png"), full_page=True)
    context.close()

    assert ReadinessSnapshot.objects.count() == stored
    server = urlsplit(live_server.url).netloc
    elsewhere = sorted({url for url in requested if urlsplit(url).netloc != server and not url.startswith("data:")})
    assert elsewhere == []
    assert any("/static/leaflet/leaflet.js" in url for url in requested)
