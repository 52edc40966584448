"""Issue 4's "done when": an analyst imports a GeoPackage, fixes the file the report rejected, sees
the areas on the map and in their settlement's figures, and exports the result."""

from __future__ import annotations

import pytest
import shapely
from django.test import Client

from homeward.interchange import ExportFormat, FieldSpec, open_features, write_features
from homeward.places.search import place_index
from tests.mineaction.geodata import AGHDAM, hazard_properties, place_world, square

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIELDS = [FieldSpec(n, "str") for n in ("external_id", "classification", "recorded_on", "eo_types")]


def _gpkg(path, *, broken: bool):
    lon, lat = AGHDAM
    third = (
        shapely.Polygon([(lon, lat), (lon + 0.002, lat + 0.002), (lon + 0.002, lat), (lon, lat + 0.002)])
        if broken
        else square(lon, lat + 0.004, 150)
    )
    rows = [
        (hazard_properties("GP-1"), square(lon + 0.003, lat, 120)),
        (hazard_properties("GP-2", classification="sha"), square(lon - 0.003, lat, 200)),
        (hazard_properties("GP-3"), third),
    ]
    write_features(path, ExportFormat.GPKG, FIELDS, rows, layer="hazards")
    return path


def _upload(page, path, *, dry_run: bool):
    page.select_option("select[name=kind]", "hazards")
    page.set_input_files("form.stacked:not(.again) input[type=file]", str(path))
    checkbox = page.locator("form.stacked:not(.again) input[name=dry_run]")
    if checkbox.is_checked() != dry_run:
        checkbox.click()
    page.click("form.stacked:not(.again) button[type=submit]")
    page.wait_for_selector("section.import-report")


def test_analyst_imports_fixes_sees_and_exports_hazardous_areas(
    browser, live_server, personas, world, tmp_path, artifacts
):
    place_world(world)
    place_index(force=True)
    client = Client()
    client.force_login(personas.analyst)
    context = browser.new_context(locale="en", accept_downloads=True)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)

    page.goto(f"{live_server.url}/mineaction/import/")
    _upload(page, _gpkg(tmp_path / "survey.gpkg", broken=True), dry_run=True)
    report = page.locator("section.import-report")
    assert report.get_attribute("data-outcome") == "refused"
    rejection = report.locator("table").inner_text()
    assert "3" in rejection and "GP-3" in rejection and "intersects itself" in rejection
    page.screenshot(path=str(artifacts / "mine-action-import-refused.png"), full_page=True)

    _upload(page, _gpkg(tmp_path / "survey-fixed.gpkg", broken=False), dry_run=False)
    assert page.locator("section.import-report").get_attribute("data-outcome") == "committed"
    assert page.text_content("dd[data-count=created]") == "3"

    page.goto(f"{live_server.url}/mineaction/")
    page.wait_for_selector("#mineaction-map[data-loaded=true]")
    assert "hazardous areas 3" in page.text_content("#map-status")

    page.goto(f"{live_server.url}/mineaction/progress/?place={world.aghdam.code}")
    figures = page.locator("main").inner_text()
    assert "Ağdam" in figures
    page.screenshot(path=str(artifacts / "mine-action-progress.png"), full_page=True)

    page.goto(f"{live_server.url}/mineaction/hazards/")
    page.click("a >> text=GP-1")
    settlement = page.locator("section[aria-labelledby=figures-title]").inner_text()
    assert "Figures of Qaraçay" in settlement
    assert "3 (1 SHA, 2 CHA)" in settlement

    page.goto(f"{live_server.url}/mineaction/hazards/")
    page.select_option("#export-hazards-format", "gpkg")
    with page.expect_download() as download:
        page.click("form.export-form button[type=submit]")
    exported = tmp_path / "exported.gpkg"
    download.value.save_as(exported)
    context.close()

    with open_features(exported) as source:
        ids = sorted(str(feature.properties["external_id"]) for feature in source)
    assert ids == ["GP-1", "GP-2", "GP-3"]
