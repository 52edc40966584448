"""The analyst's mine action map draws areas and incidents from this server alone, and finds places in any script."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.test import Client

from homeward.places.search import place_index
from homeward.places.services import NameInput, add_place_name
from tests.mineaction import factories as make
from tests.mineaction.geodata import AGHDAM, LACHIN, place_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def map_data(world):
    place_world(world)
    add_place_name(world.aghdam_village, NameInput("Qaraçay", "az"))
    add_place_name(world.aghdam_village, NameInput("Гарачай", "ru"))
    add_place_name(world.lachin_village, NameInput("Mişni", "az"))
    make.hazard("HA-MAP-1", side_m=400, classification="cha")
    make.hazard("HA-MAP-2", at=(LACHIN[0], LACHIN[1] + 0.004), side_m=300, classification="sha")
    make.incident("INC-MAP-1", at=(AGHDAM[0] + 0.004, AGHDAM[1]), occurred_on=dt.date(2024, 2, 10))
    place_index(force=True)  # the live server shares this process's search index
    return world


def test_analyst_map_draws_hazards_and_incidents_and_finds_a_village_by_its_cyrillic_name(
    browser, live_server, personas, map_data, artifacts
):
    client = Client()
    client.force_login(personas.analyst)
    context = browser.new_context(locale="en")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.set_default_timeout(10_000)

    page.goto(f"{live_server.url}/mineaction/")
    page.wait_for_selector("#mineaction-map.leaflet-container")
    page.wait_for_selector("#mineaction-map[data-loaded=true]")
    page.wait_for_selector("#mineaction-map path.leaflet-interactive")
    # Both areas are drawn (at the region's zoom each also gets a circle marking where it is).
    assert page.locator("#mineaction-map path.leaflet-interactive").count() >= 2
    assert page.locator(".incident-marker[title*='INC-MAP-1']").count() == 1
    assert page.locator("[data-map-fallback]").is_hidden()
    assert "hazardous areas 2, incidents 1" in page.text_content("#map-status")
    page.screenshot(path=str(artifacts / "mine-action-map.png"), full_page=True)

    legend = page.locator("section.map-legend")
    assert legend.is_visible()
    assert "dashed outline" in legend.inner_text()
    assert page.locator(".leaflet-control-layers-overlays label").count() >= 6

    page.fill("#map-place-search-q", "Гарачай")
    result = page.locator(".place-search-results button[data-code='T-AGM-1']")
    result.wait_for()
    text = result.inner_text()
    assert "Qaraçay" in text  # the name in the deployment's first language
    assert "Гарачай" in text  # the name that matched, in the script typed
    assert "Cyrillic" in text
    result.click()
    page.wait_for_selector(".leaflet-popup-content >> text=Qaraçay")
    page.wait_for_selector("#mineaction-map[data-loaded=true]")  # flown there, layers fetched for the new view
    page.screenshot(path=str(artifacts / "mine-action-map-place.png"), full_page=True)
    context.close()

    server = urlsplit(live_server.url).netloc
    elsewhere = sorted({url for url in requested if urlsplit(url).netloc != server and not url.startswith("data:")})
    assert elsewhere == []
    assert any("/static/leaflet/leaflet.js" in url for url in requested)
