"""The mine action API: scoped reads, map layers, figures, uploads and downloads."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import shapely
from django.core.files.uploadedfile import SimpleUploadedFile

from homeward.core.context import acting_as
from homeward.mineaction import figures, services
from homeward.mineaction.inputs import HazardInput, IncidentInput
from homeward.mineaction.models import HazardousArea
from tests.mineaction.geodata import AGHDAM, LACHIN, hazard_properties, place_world, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(world, personas):
    place_world(world)
    with acting_as(personas.analyst):
        services.record_hazardous_area(HazardInput("HA-1", "cha", square(*AGHDAM, 100), dt.date(2023, 1, 1)))
        services.record_hazardous_area(HazardInput("HA-2", "sha", square(*LACHIN, 300), dt.date(2023, 2, 1)))
        services.record_incident(IncidentInput("INC-1", dt.date(2024, 3, 1), AGHDAM[1], AGHDAM[0]))
    figures.recompute(None)
    return world


def _geojson(features) -> bytes:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": props, "geometry": json.loads(shapely.to_geojson(geometry))}
                for props, geometry in features
            ],
        }
    ).encode()


def test_hazard_list_filters_and_detail_shows_history(records, personas, as_user):
    client = as_user(personas.planner)

    listed = client.get("/api/mineaction/hazards", {"classification": "sha"}).json()
    detail = client.get(f"/api/mineaction/hazards/{listed['items'][0]['id']}").json()

    assert [h["external_id"] for h in listed["items"]] == ["HA-2"]
    assert detail["district"]["code"] == "AZ-LAC"
    assert detail["geometry"]["type"] == "Polygon"
    assert [s["cause"] for s in detail["history"]] == ["recorded"]


def test_map_layer_returns_only_hazards_in_the_view(records, personas, as_user):
    lon, lat = AGHDAM
    bbox = f"{lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}"

    layer = as_user(personas.coordinator).get("/api/mineaction/map/hazards", {"bbox": bbox, "zoom": 14}).json()

    assert [f["properties"]["external_id"] for f in layer["features"]] == ["HA-1"]
    assert layer["truncated"] is False


def test_bad_bounding_box_is_a_clear_error(records, personas, as_user):
    response = as_user(personas.coordinator).get("/api/mineaction/map/hazards", {"bbox": "47,40,46"})

    assert response.status_code == 422 and response.json()["field"] == "bbox"


def test_partner_sees_what_the_agency_shares(records, personas, as_user, world):
    client = as_user(personas.partner)
    world.partner_ngo.mine_action_sharing = "figures"
    world.partner_ngo.save()

    assert client.get("/api/mineaction/hazards").json()["count"] == 0
    assert client.get("/api/mineaction/figures/AZ-AGM").json()["open_areas"] == 1

    world.partner_ngo.mine_action_sharing = "nothing"
    world.partner_ngo.save()
    assert client.get("/api/mineaction/figures/AZ-AGM").status_code == 404

    world.partner_ngo.mine_action_sharing = "everything"
    world.partner_ngo.save()
    assert client.get("/api/mineaction/incidents").json()["count"] == 1


def test_caseworker_has_no_mine_action_data(records, personas, as_user):
    client = as_user(personas.caseworker_aghdam)

    assert client.get("/api/mineaction/hazards").json()["count"] == 0
    assert client.get("/api/mineaction/incidents").json()["count"] == 0


def test_figures_report_staleness_by_version(records, personas, as_user):
    body = as_user(personas.analyst).get("/api/mineaction/figures/AZ").json()

    assert body["open_areas"] == 2
    assert body["inputs_version"] == body["current_version"]


def test_upload_dry_run_then_import(records, personas, as_user):
    client = as_user(personas.analyst)
    payload = _geojson([(hazard_properties("UP-1"), square(AGHDAM[0] + 0.01, AGHDAM[1], 50))])

    dry = client.post(
        "/api/mineaction/imports/hazards", {"file": SimpleUploadedFile("h.geojson", payload), "dry_run": "true"}
    )
    assert dry.status_code == 200 and dry.json()["created"] == 1 and not dry.json()["committed"]
    assert not HazardousArea.objects.filter(external_id="UP-1").exists()

    real = client.post("/api/mineaction/imports/hazards", {"file": SimpleUploadedFile("h.geojson", payload)})
    assert real.json()["committed"] is True
    assert HazardousArea.objects.filter(external_id="UP-1").exists()


def test_refused_upload_is_422_with_the_rejections(records, personas, as_user):
    lon, lat = AGHDAM
    bow_tie = shapely.Polygon([(lon, lat), (lon + 0.001, lat + 0.001), (lon + 0.001, lat), (lon, lat + 0.001)])
    payload = _geojson([(hazard_properties("OK"), square(lon, lat, 40)), (hazard_properties("BAD"), bow_tie)])

    response = as_user(personas.analyst).post(
        "/api/mineaction/imports/hazards", {"file": SimpleUploadedFile("h.geojson", payload)}
    )

    assert response.status_code == 422
    body = response.json()
    assert body["refused"] and body["rejections"][0]["feature"] == 2
    assert not HazardousArea.objects.filter(external_id="OK").exists()


def test_upload_above_the_size_limit_is_refused(records, personas, as_user, settings):
    settings.HOMEWARD_IMPORT_MAX_BYTES = 10
    response = as_user(personas.analyst).post(
        "/api/mineaction/imports/hazards", {"file": SimpleUploadedFile("h.geojson", b"x" * 100)}
    )

    assert response.status_code == 413 and response.json()["field"] == "file"


def test_only_analysts_import(records, personas, as_user):
    response = as_user(personas.coordinator).post(
        "/api/mineaction/imports/hazards", {"file": SimpleUploadedFile("h.geojson", b"{}")}
    )

    assert response.status_code == 403


def test_unknown_import_kind_is_a_clear_error(records, personas, as_user):
    response = as_user(personas.analyst).post(
        "/api/mineaction/imports/bananas", {"file": SimpleUploadedFile("h.geojson", b"{}")}
    )

    assert response.status_code == 400 and response.json()["field"] == "kind"


def test_export_download(records, personas, as_user):
    response = as_user(personas.analyst).get("/api/mineaction/exports/hazards", {"format": "geojson"})

    assert response.status_code == 200
    body = json.loads(b"".join(response.streaming_content))
    assert len(body["features"]) == 2
    assert "attachment" in response["Content-Disposition"]


def test_export_with_unknown_format_is_400(records, personas, as_user):
    assert as_user(personas.analyst).get("/api/mineaction/exports/hazards", {"format": "pdf"}).status_code == 400
