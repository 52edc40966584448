from django.test import Client

from homeward.accounts import services
from tests.factories import PlaceFactory


def test_openapi_schema_lists_every_router(db):
    schema = Client().get("/api/openapi.json").json()
    paths = set(schema["paths"])
    assert {"/api/me", "/api/tokens", "/api/places", "/api/dashboard", "/api/audit/verify"} <= paths
    assert "bearer" in str(schema["components"]["securitySchemes"]).lower()


def test_interactive_docs_are_served_from_the_package(db):
    response = Client().get("/api/docs")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_places_are_paginated_and_filterable(personas, world):
    for n in range(3):
        PlaceFactory(code=f"API-{n}", name=f"Kənd {n}", parent=world.aghdam, district=world.aghdam)
    _token, key = services.issue_token(personas.planner, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    body = client.get("/api/places", {"level": "settlement", "district": "AZ-AGM"}).json()
    assert body["count"] == 4
    assert {item["district"] for item in body["items"]} == {"AZ-AGM"}


def test_a_role_without_places_gets_403_not_data(personas):
    _token, key = services.issue_token(personas.resident, name="t")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/places")
    assert response.status_code == 403


def test_a_person_outside_the_callers_districts_is_404(personas, person_in_lachin, person_in_aghdam):
    _token, key = services.issue_token(personas.caseworker_aghdam, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get(f"/api/persons/{person_in_lachin.pk}").status_code == 404
    assert client.get(f"/api/persons/{person_in_aghdam.pk}").status_code == 200


def test_audit_verify_through_the_api_is_for_auditors(personas):
    _token, auditor_key = services.issue_token(personas.auditor, name="t")
    _token, planner_key = services.issue_token(personas.planner, name="t")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {auditor_key}").get("/api/audit/verify").json()["ok"] is True
    assert Client(HTTP_AUTHORIZATION=f"Bearer {planner_key}").get("/api/audit/verify").status_code == 403
