"""The documents a service requires: provided by a copy filed or by the original seen at the counter;
an approval needs every one, a rejection none; a bad record of an original changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from homeward.accounts import services as accounts
from homeward.cases import documents, selectors, services
from homeward.cases.choices import ApplicationState
from homeward.cases.models import Decision, OriginalSeen
from homeward.cases.services import ActionRefused, CaseError
from homeward.core.context import acting_as
from homeward.core.models import AuditEntry
from tests.cases.test_documents import PDF, attach
from tests.cases.test_services import set_up_casework

pytestmark = pytest.mark.django_db


@pytest.fixture
def casework(world, personas):
    return set_up_casework(world, personas)


def footprint(application) -> tuple:
    application.refresh_from_db()
    return (
        application.state,
        application.row_version,
        Decision.objects.filter(application=application).count(),
        OriginalSeen.objects.count(),
        AuditEntry.objects.count(),
    )


def seen(application, actor, document_type: str, note: str = "") -> OriginalSeen:
    with acting_as(actor):
        return documents.record_original_seen(application, actor=actor, document_type=document_type, note=note)


def test_an_approval_without_the_required_documents_is_refused_naming_them_and_changes_nothing(casework, personas):
    application = casework.in_review(originals_seen=False)
    assert application.service.required_documents == ["identity_card", "photo"]
    before = footprint(application)

    with pytest.raises(CaseError) as refused:
        services.decide(application, actor=personas.supervisor, result="issued")

    assert refused.value.field == "documents"
    assert "missing: identity_card, photo" in refused.value.message
    assert footprint(application) == before


def test_a_copy_filed_or_the_original_seen_provides_a_document(casework, personas):
    application = casework.in_review(originals_seen=False)
    caseworker = personas.caseworker_aghdam
    attach(application, caseworker, PDF, document_type="identity_card")
    assert selectors.missing_documents(application) == ["photo"]
    with pytest.raises(CaseError, match=r"missing: photo$"):
        services.decide(application, actor=personas.supervisor, result="issued")

    seen(application, caseworker, "photo", note="Matches the applicant")
    assert selectors.missing_documents(application) == []
    services.decide(application, actor=personas.supervisor, result="issued")

    application.refresh_from_db()
    assert (application.state, application.outcome) == (ApplicationState.DECIDED, "approved")
    checklist = {item.document_type: item for item in selectors.required_documents(application)}
    assert [doc.document_type for doc in checklist["identity_card"].filed] == ["identity_card"]
    assert checklist["identity_card"].seen == ()
    assert [o.seen_by for o in checklist["photo"].seen] == [caseworker]
    assert all(item.provided for item in checklist.values())


def test_a_rejection_needs_no_document(casework, personas):
    application = casework.in_review(originals_seen=False)
    services.decide(application, actor=personas.supervisor, result="refused", reasons=["No photograph brought"])
    application.refresh_from_db()
    assert application.outcome == "rejected"


def test_seeing_an_original_is_audited_without_its_note(casework, personas):
    application = casework.submitted()
    original = seen(application, personas.caseworker_aghdam, "photo", note="Passport number AA1234567")

    entry = AuditEntry.objects.filter(object_type="cases.originalseen", object_id=str(original.pk)).get()
    assert entry.action == "create" and entry.actor_label == "caseworker.aghdam"
    assert entry.changes["note"] == "[redacted]" and entry.changes["document_type"] == "photo"
    assert "AA1234567" not in str(entry.changes) + entry.object_label


@pytest.mark.parametrize(
    ("document_type", "note", "field"),
    [
        ("spaceship_licence", "", "document_type"),
        ("medical_death_notice", "", "document_type"),  # a real type, but not one a passport takes
        ("photo", "x" * 2001, "note"),
    ],
    ids=["unknown type", "type the service does not take", "note too long"],
)
def test_a_bad_record_of_an_original_is_refused_naming_the_field(casework, personas, document_type, note, field):
    application = casework.submitted()
    before = footprint(application)
    with pytest.raises(CaseError) as refused:
        seen(application, personas.caseworker_aghdam, document_type, note)
    assert refused.value.field == field
    assert footprint(application) == before


def test_only_staff_working_on_the_case_record_an_original_and_not_once_it_is_closed(casework, personas):
    application = casework.submitted()
    before = footprint(application)
    for outsider in (personas.caseworker_lachin, personas.auditor):
        with pytest.raises(ActionRefused):
            seen(application, outsider, "photo")
    assert footprint(application) == before

    closed = casework.in_review()
    services.decide(closed, actor=personas.supervisor, result="issued")
    services.close(closed, actor=personas.supervisor)
    with pytest.raises(CaseError, match="is closed"):
        seen(closed, personas.caseworker_aghdam, "photo")


def test_originals_and_the_checklist_through_the_api(casework, personas):
    application = casework.in_review(originals_seen=False)
    _token, key = accounts.issue_token(personas.caseworker_aghdam, name="test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    url = f"/api/cases/applications/{application.pk}"

    bad = client.post(f"{url}/originals", {"document_type": "spaceship_licence"}, content_type="application/json")
    assert (bad.status_code, bad.json()["field"]) == (422, "document_type")
    recorded = client.post(
        f"{url}/originals", {"document_type": "photo", "note": "ok"}, content_type="application/json"
    )
    assert recorded.status_code == 201
    assert (recorded.json()["document_type"], recorded.json()["seen_by"]) == ("photo", "caseworker.aghdam")

    checklist = client.get(f"{url}/required-documents").json()
    assert [(item["document_type"], item["provided"]) for item in checklist] == [
        ("identity_card", False),
        ("photo", True),
    ]
    assert checklist[1]["originals_seen"][0]["note"] == "ok"
