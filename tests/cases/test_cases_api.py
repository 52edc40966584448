"""The casework API: catalogue, applications and their workflow, scoped by agency and district, with
refusals as JSON that names the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from homeward.accounts import services as accounts
from homeward.cases import services
from homeward.cases.models import Application
from homeward.core.models import AuditEntry
from tests.cases.test_services import set_up_casework
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

PASSPORT = {
    "service": "passport",
    "district": "AZ-AGM",
    "given_name": "Aygün",
    "family_name": "Məmmədova",
    "birth_date": "1980-05-17",
    "contact": "+994 50 123 45 67",
    "details": {"birth_place": "Ağdam"},
}


@pytest.fixture
def casework(world, personas):
    return set_up_casework(world, personas)


def client_for(user) -> Client:
    _token, key = accounts.issue_token(user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def post(client: Client, path: str, body: dict | None = None):
    return client.post(path, body or {}, content_type="application/json")


def test_the_catalogue_lists_every_service_with_its_names(casework, personas):
    body = client_for(personas.caseworker_aghdam).get("/api/cases/services").json()

    passport = next(service for service in body if service["code"] == "passport")
    assert len(body) == 12
    assert passport["names"]["hy"] == "Անձնագրի տրամադրում կամ փոխարինում"
    assert {"code": "issued", "kind": "approved"} in passport["outcomes"]


def test_an_administrator_adds_a_service_and_a_bad_one_is_refused_naming_the_field(casework, personas):
    service = {
        "code": "war_damage_compensation",
        "names": {"az": "Kompensasiya", "hy": "Փոխհատուցում", "ru": "Компенсация", "en": "Compensation"},
        "responsible_agency": "property",
        "deadline_working_days": 30,
        "required_documents": ["identity_card"],
        "outcomes": [{"code": "paid", "kind": "approved"}, {"code": "refused", "kind": "rejected"}],
    }
    admin = client_for(personas.administrator)

    bad = post(admin, "/api/cases/services", {**service, "deadline_working_days": -3})
    good = post(admin, "/api/cases/services", service)
    refused = post(client_for(personas.supervisor), "/api/cases/services", {**service, "code": "other"})

    assert bad.status_code == 422
    assert bad.json()["field"] == "deadline_working_days"
    assert bad.json()["service"] == "war_damage_compensation"
    assert good.status_code == 201
    assert good.json()["names"]["hy"] == "Փոխհատուցում"
    assert refused.status_code == 403


def test_a_caseworker_creates_and_submits_an_application(casework, personas):
    response = post(client_for(personas.caseworker_aghdam), "/api/cases/applications", {**PASSPORT, "submit": True})

    assert response.status_code == 201
    body = response.json()
    assert (body["state"], body["office"], body["assisted_by"]) == ("submitted", "Aghdam office", "caseworker.aghdam")
    assert body["allowed_events"] == ["start_screening"]
    assert body["deadline_status"] in {"on_time", "due_soon"}


def test_a_bad_application_is_refused_naming_the_field(casework, personas):
    client = client_for(personas.caseworker_aghdam)

    unknown_detail = post(client, "/api/cases/applications", {**PASSPORT, "details": {"religion": "x"}})
    missing_field = post(client, "/api/cases/applications", {**PASSPORT, "details": {}, "submit": True})

    assert unknown_detail.status_code == 422
    assert unknown_detail.json()["field"] == "details.religion"
    assert missing_field.status_code == 422
    assert missing_field.json()["field"] == "birth_place"


def test_applications_are_scoped_by_district(casework, personas):
    application = casework.submitted()

    aghdam = client_for(personas.caseworker_aghdam)
    lachin = client_for(personas.caseworker_lachin)

    assert aghdam.get("/api/cases/applications").json()["count"] == 1
    assert lachin.get("/api/cases/applications").json()["count"] == 0
    assert lachin.get(f"/api/cases/applications/{application.pk}").status_code == 404
    assert post(lachin, f"/api/cases/applications/{application.pk}/events/start_screening").status_code == 404
    assert Application.objects.get().state == "submitted"


def test_applications_are_scoped_by_agency(casework, personas, world):
    casework.submitted()
    partner_caseworker = accounts.create_user(
        username="ngo.caseworker",
        password=None,
        role="caseworker",
        agency=world.partner_ngo,
        district_ids=[world.aghdam.pk],
    )

    assert client_for(partner_caseworker).get("/api/cases/applications").json()["count"] == 0


def test_the_queue_lists_the_offices_unassigned_applications_and_is_audited(casework, personas):
    application = casework.submitted()

    body = client_for(personas.caseworker_aghdam).get("/api/cases/queue").json()
    lachin_queue = client_for(personas.caseworker_lachin).get("/api/cases/queue").json()

    assert [item["reference"] for item in body["items"]] == [application.reference]
    assert lachin_queue["count"] == 0
    entry = AuditEntry.objects.filter(action="read", object_type="cases.application").latest("sequence")
    assert entry.changes == {"ids": [str(application.pk)]}


def test_taking_the_next_application_from_the_queue(casework, personas):
    application = casework.submitted()
    client = client_for(casework.second_caseworker)

    taken = post(client, "/api/cases/queue/next")
    empty = post(client, "/api/cases/queue/next")

    assert taken.status_code == 200
    assert (taken.json()["id"], taken.json()["assignee"]) == (str(application.pk), "caseworker.aghdam2")
    assert empty.status_code == 204


def test_a_supervisor_assigns_by_load_or_by_name(casework, personas):
    first = casework.submitted()
    second = casework.submitted()
    supervisor = client_for(personas.supervisor)

    by_name = post(supervisor, f"/api/cases/applications/{first.pk}/assignment", {"caseworker": "caseworker.aghdam"})
    by_load = post(supervisor, f"/api/cases/applications/{second.pk}/assignment", {})
    stranger = post(supervisor, f"/api/cases/applications/{second.pk}/assignment", {"caseworker": "nobody"})

    assert by_name.json()["assignee"] == "caseworker.aghdam"
    assert by_load.json()["assignee"] == "caseworker.aghdam2"
    assert (stranger.status_code, stranger.json()["field"]) == (422, "caseworker")


def test_the_workflow_through_the_api(casework, personas):
    application = casework.submitted()
    caseworker = client_for(personas.caseworker_aghdam)
    supervisor = client_for(personas.supervisor)
    url = f"/api/cases/applications/{application.pk}"

    assert post(caseworker, f"{url}/events/start_screening").json()["state"] == "screening"
    assert post(caseworker, f"{url}/events/start_review").json()["state"] == "in_review"
    asked = post(caseworker, f"{url}/events/request_information", {"note": "A photograph, please"})
    assert asked.json()["deadline_status"] == "paused"
    assert post(caseworker, f"{url}/events/receive_information").json()["state"] == "in_review"
    decision = post(supervisor, f"{url}/decision", {"result": "refused", "reasons": ["No photograph"]})
    assert decision.json()["outcome"] == "rejected"

    history = caseworker.get(f"{url}/transitions").json()
    assert [(t["from_state"], t["to_state"]) for t in history] == [
        ("draft", "submitted"),
        ("submitted", "screening"),
        ("screening", "in_review"),
        ("in_review", "information_requested"),
        ("information_requested", "in_review"),
        ("in_review", "decided"),
    ]
    messages = caseworker.get(f"{url}/messages").json()
    assert [m["text"] for m in messages] == ["A photograph, please"]


def test_a_workflow_step_is_audited_once_as_the_change_and_a_refused_one_not_at_all(casework, personas):
    application = casework.submitted()
    url = f"/api/cases/applications/{application.pk}"
    caseworker, outsider = client_for(personas.caseworker_aghdam), client_for(personas.caseworker_lachin)
    before = AuditEntry.objects.count()

    assert post(caseworker, f"{url}/events/start_screening").status_code == 200
    entries = list(AuditEntry.objects.order_by("sequence")[before:])
    assert [(e.action, e.object_type) for e in entries] == [
        ("update", "cases.application"),
        ("create", "cases.transition"),
    ]
    assert entries[0].actor_label == "caseworker.aghdam"

    refused = post(caseworker, f"{url}/events/close")
    elsewhere = post(outsider, f"{url}/events/start_review")
    assert (refused.status_code, elsewhere.status_code) == (409, 404)
    assert AuditEntry.objects.count() == before + 2


def test_refusals_come_back_as_json_naming_the_problem(casework, personas):
    application = casework.in_review()
    url = f"/api/cases/applications/{application.pk}"
    supervisor = client_for(personas.supervisor)

    no_reasons = post(supervisor, f"{url}/decision", {"result": "refused"})
    wrong_state = post(supervisor, f"{url}/events/close")
    not_theirs = post(client_for(personas.caseworker_aghdam), f"{url}/decision", {"result": "issued"})
    no_permission = post(client_for(personas.auditor), f"{url}/decision", {"result": "issued"})
    unknown = post(supervisor, f"{url}/events/teleport")

    assert (no_reasons.status_code, no_reasons.json()["field"]) == (422, "reasons")
    assert wrong_state.status_code == 409
    assert "'in review'" in wrong_state.json()["detail"] and "'decided'" in wrong_state.json()["detail"]
    assert not_theirs.status_code == 403
    assert "may not decide an application that is not assigned to them" in not_theirs.json()["detail"]
    assert no_permission.status_code == 403
    assert "auditor (auditor) may not decide" in no_permission.json()["detail"]
    assert unknown.status_code == 409
    assert Application.objects.get().state == "in_review"


def test_a_caseworker_decides_their_own_case_through_the_api(casework, personas):
    application = casework.in_review()
    supervisor = client_for(personas.supervisor)
    url = f"/api/cases/applications/{application.pk}"
    post(supervisor, f"{url}/assignment", {"caseworker": "caseworker.aghdam"})
    caseworker = client_for(personas.caseworker_aghdam)

    assert "decide" in caseworker.get(url).json()["my_events"]
    decision = post(caseworker, f"{url}/decision", {"result": "refused", "reasons": ["No photograph"]})

    assert decision.status_code == 200
    assert decision.json()["decided_by"] == "caseworker.aghdam"


def test_appeals_are_ruled_on_by_another_supervisor_through_the_api(casework, personas):
    application = casework.in_review()
    url = f"/api/cases/applications/{application.pk}"
    supervisor = client_for(personas.supervisor)
    post(supervisor, f"{url}/decision", {"result": "refused", "reasons": ["No photograph"]})
    post(client_for(personas.caseworker_aghdam), f"{url}/events/appeal", {"note": "Photograph attached"})

    own = post(supervisor, f"{url}/events/dismiss_appeal")
    caseworker = post(client_for(personas.caseworker_aghdam), f"{url}/events/reopen")
    other = post(client_for(casework.second_supervisor), f"{url}/events/reopen")

    assert own.status_code == 403
    assert "four eyes" in own.json()["detail"]
    assert caseworker.status_code == 403
    assert "that is for a supervisor" in caseworker.json()["detail"]
    assert (other.status_code, other.json()["state"]) == (200, "in_review")


def test_the_applicants_language_is_set_through_the_api_and_checked(casework, personas):
    client = client_for(personas.caseworker_aghdam)

    armenian = post(client, "/api/cases/applications", {**PASSPORT, "language": "hy"})
    french = post(client, "/api/cases/applications", {**PASSPORT, "language": "fr"})

    assert (armenian.status_code, armenian.json()["language"]) == (201, "hy")
    assert (french.status_code, french.json()["field"]) == (422, "language")


def test_a_decision_on_a_stale_page_is_refused_with_409(casework, personas):
    application = casework.in_review()
    seen = application.row_version
    services.add_note(application, "checking", actor=personas.caseworker_aghdam)
    services.request_information(application, actor=personas.caseworker_aghdam, request="Photograph")
    services.receive_information(application, actor=personas.caseworker_aghdam)

    response = post(
        client_for(personas.supervisor),
        f"/api/cases/applications/{application.pk}/decision",
        {"result": "issued", "row_version": seen},
    )

    assert response.status_code == 409
    assert "changed by someone else" in response.json()["detail"]


def test_notes_are_for_staff_and_separate_from_messages(casework, personas):
    application = casework.submitted()
    url = f"/api/cases/applications/{application.pk}"
    client = client_for(personas.caseworker_aghdam)

    assert post(client, f"{url}/notes", {"text": "Seen the original documents"}).status_code == 201
    assert post(client, f"{url}/messages", {"text": "Come on Tuesday", "direction": "to_applicant"}).status_code == 201
    assert post(client, f"{url}/notes", {"text": " "}).json()["field"] == "text"

    assert [n["text"] for n in client.get(f"{url}/notes").json()] == ["Seen the original documents"]
    assert [m["text"] for m in client.get(f"{url}/messages").json()] == ["Come on Tuesday"]
    assert client_for(personas.resident).get(f"{url}/notes").status_code == 404


def test_identity_candidates_and_linking_through_the_api(casework, personas, world):
    registered = PersonFactory(
        given_name="Aygün", family_name="Məmmədova", birth_date=dt.date(1980, 5, 17), district=world.aghdam
    )
    application = casework.submitted()
    url = f"/api/cases/applications/{application.pk}"
    client = client_for(personas.caseworker_aghdam)

    candidates = client.get(f"{url}/identity-candidates").json()
    linked = post(client, f"{url}/person", {"person": str(registered.pk)})

    assert candidates == [
        {
            "person": str(registered.pk),
            "given_name": "Aygün",
            "family_name": "Məmmədova",
            "patronymic": "",
            "birth_date": "1980-05-17",
            "district": "AZ-AGM",
            "reasons": ["exact name and birth date"],
        }
    ]
    assert linked.json()["person"] == str(registered.pk)


def test_registering_the_applicant_through_the_api(casework, personas):
    application = casework.submitted()
    response = post(client_for(personas.caseworker_aghdam), f"/api/cases/applications/{application.pk}/person/new")
    assert response.status_code == 201
    assert response.json()["person"] is not None


def test_a_supervisor_lists_escalated_cases(casework, personas):
    application = casework.submitted()
    services.escalate_overdue(today=application.due_on + dt.timedelta(days=1))

    body = client_for(personas.supervisor).get("/api/cases/escalations").json()

    assert [(e["application"]["reference"], e["office"]) for e in body] == [(application.reference, "Aghdam office")]
    assert client_for(personas.caseworker_lachin).get("/api/cases/escalations").json() == []
    assert client_for(personas.supervisor).get(f"/api/cases/applications/{application.pk}").json()["escalated"]


def test_the_application_list_takes_a_bounded_number_of_queries(casework, personas):
    client = client_for(personas.caseworker_aghdam)
    casework.submitted()
    client.get("/api/cases/applications")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/cases/applications")
    for _ in range(5):
        casework.submitted()
    with CaptureQueriesContext(connection) as many:
        client.get("/api/cases/applications")

    assert len(many) == len(few)
