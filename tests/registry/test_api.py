"""The registry API, as caseworkers in different districts use it."""

from __future__ import annotations

import pytest
from django.test import Client

from homeward.accounts import services as accounts
from homeward.core.models import AuditAction, AuditEntry
from homeward.registry import services
from homeward.registry.inputs import ContactInput, DocumentInput, PersonInput
from homeward.registry.models import Contact, IdentityDocument, Person


def api_client(user) -> Client:
    _token, key = accounts.issue_token(user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def new_person(district: str = "AZ-AGM", **extra) -> dict:
    return {
        "district": district,
        "given_name": "Aygün",
        "family_name": "Məmmədova",
        "birth_date": "1980-05",
        "sex": "female",
        "origin": "T-AGM-1",
        "father_name": "Rauf",
        "names": [{"kind": "given", "value": "Айгюн", "language": "ru"}],
        "documents": [{"document_type": "passport", "number": "C 0123 4567", "issued_on": "2015-03-01"}],
        "contacts": [{"kind": "phone", "value": "050 123 45 67"}],
        "consents": [{"purpose": "registration", "agreed": "Keep my record."}],
        **extra,
    }


@pytest.fixture
def aghdam_client(personas):
    return api_client(personas.caseworker_aghdam)


@pytest.fixture
def lachin_client(personas):
    return api_client(personas.caseworker_lachin)


@pytest.fixture
def registered(world, personas):
    """A person in Aghdam with a passport and a phone number."""
    return services.create_person(
        personas.caseworker_aghdam,
        PersonInput(
            district_id=world.aghdam.pk,
            given_name="Rauf",
            family_name="Həsənov",
            documents=(DocumentInput(document_type="passport", number="C01234567"),),
            contacts=(ContactInput(kind="phone", value="+994 50 123 45 67"),),
        ),
    )


def test_a_caseworker_registers_a_person_in_their_district(aghdam_client, personas):
    response = aghdam_client.post("/api/persons", new_person(), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["district"] == "AZ-AGM"
    assert body["origin"] == "T-AGM-1"
    assert (body["birth_date"], body["birth_date_precision"], body["birth_date_text"]) == (
        "1980-05-01",
        "month",
        "1980-05",
    )
    assert body["documents"][0]["number"] == "C01234567"
    assert body["contacts"][0]["value"] == "+994501234567"
    assert body["names"][0]["script"] == "Cyrl"
    assert body["consents"][0]["withdrawn_at"] is None
    assert Person.objects.get(pk=body["id"]).created_by == personas.caseworker_aghdam


def test_a_caseworker_cannot_register_a_person_in_another_district(lachin_client):
    response = lachin_client.post("/api/persons", new_person(), content_type="application/json")
    assert response.status_code == 403
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"birth_date": "2999"}, "birth_date"),
        ({"birth_date": "17.05.1980"}, "birth_date"),
        ({"district": "AZ-XXX"}, "district"),
        ({"origin": "NOWHERE"}, "origin"),
        ({"documents": [{"document_type": "passport", "number": "12"}]}, "documents[0].number"),
        ({"contacts": [{"kind": "phone", "value": "not a phone"}]}, "contacts[0].value"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(aghdam_client, change, field):
    audit_before = AuditEntry.objects.count()
    response = aghdam_client.post("/api/persons", new_person(**change), content_type="application/json")
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert Person.objects.count() == 0
    assert IdentityDocument.objects.count() == 0
    assert Contact.objects.count() == 0
    assert AuditEntry.objects.exclude(action=AuditAction.READ).count() == audit_before


def test_a_duplicate_passport_is_a_422_on_the_number(aghdam_client, registered):
    response = aghdam_client.post(
        f"/api/persons/{registered.pk}/documents",
        {"document_type": "passport", "number": "C01234567"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["field"] == "number"


def test_find_by_document_is_scoped_to_the_callers_districts_and_audited(aghdam_client, lachin_client, registered):
    lookup = {"document_type": "passport", "number": "c0123 4567"}
    found = aghdam_client.post("/api/persons/find-by-document", lookup, content_type="application/json")
    assert found.status_code == 200
    assert found.json()["id"] == str(registered.pk)
    assert AuditEntry.objects.filter(
        action=AuditAction.READ, object_id=str(registered.pk), purpose="API find by document"
    ).exists()
    hidden = lachin_client.post("/api/persons/find-by-document", lookup, content_type="application/json")
    assert hidden.status_code == 404
    other_type = {"document_type": "residence_permit", "number": "C01234567"}
    missing = aghdam_client.post("/api/persons/find-by-document", other_type, content_type="application/json")
    assert missing.status_code == 404


def test_find_by_phone_reads_any_format(aghdam_client, lachin_client, registered):
    found = aghdam_client.post(
        "/api/persons/find-by-phone", {"number": "050-123-45-67"}, content_type="application/json"
    )
    assert [person["id"] for person in found.json()] == [str(registered.pk)]
    hidden = lachin_client.post("/api/persons/find-by-phone", {"number": "0501234567"}, content_type="application/json")
    assert hidden.json() == []
    bad = aghdam_client.post("/api/persons/find-by-phone", {"number": "nope"}, content_type="application/json")
    assert bad.status_code == 422
    assert bad.json()["field"] == "number"


def test_a_person_in_another_district_is_404_everywhere(lachin_client, registered):
    assert lachin_client.get(f"/api/persons/{registered.pk}").status_code == 404
    response = lachin_client.post(
        f"/api/persons/{registered.pk}/contacts",
        {"kind": "phone", "value": "0551234567"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_consent_is_recorded_and_withdrawn_through_the_api(aghdam_client, lachin_client, registered):
    given = aghdam_client.post(
        f"/api/persons/{registered.pk}/consents",
        {"purpose": "contact", "agreed": "Text me about appointments."},
        content_type="application/json",
    )
    assert given.status_code == 201
    consent_id = given.json()["id"]
    assert lachin_client.post(f"/api/consents/{consent_id}/withdraw").status_code == 404
    withdrawn = aghdam_client.post(f"/api/consents/{consent_id}/withdraw")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["withdrawn_at"] is not None
    again = aghdam_client.post(f"/api/consents/{consent_id}/withdraw")
    assert again.status_code == 422
    assert again.json()["field"] == "withdrawn_at"


def test_reading_a_person_takes_the_same_queries_however_many_documents(aghdam_client, registered, personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert aghdam_client.get(f"/api/persons/{registered.pk}").status_code == 200
        return len(captured)

    queries()  # the first request also records the token's first use
    with_one = queries()
    for number in ("C07654321", "C07654322", "C07654323"):
        services.add_identity_document(
            personas.caseworker_aghdam, registered, DocumentInput(document_type="passport", number=number)
        )
        services.add_contact(
            personas.caseworker_aghdam, registered, ContactInput(kind="email", value=f"{number}@x.org")
        )
    assert queries() == with_one
    assert with_one <= 13
