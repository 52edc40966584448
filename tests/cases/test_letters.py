"""Decision letters of applications: in the applicant's language, with the decision in force, an appeal
deadline in working days; only for decided applications, only within scope, audited."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.http import Http404
from django.test import Client
from pypdf import PdfReader

from homeward.accounts import services as accounts
from homeward.accounts.models import User
from homeward.cases import documents, letters, selectors, services
from homeward.cases.decision_letters import DecisionOutcome
from homeward.cases.letters import APPEAL_WORKING_DAYS, LetterNotAvailable, decision_letter, decision_letter_pdf
from homeward.core.context import acting_as
from homeward.core.models import AuditEntry
from tests.cases.test_services import set_up_casework
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

ARMENIAN_REASONS = ["Ծննդյան վկայականը ներկայացված չէ։", "Հասցեն հաստատված չէ։"]


@pytest.fixture
def casework(world, personas):
    return set_up_casework(world, personas)


def citizenship_in_review(casework, personas, **changes):
    """A citizenship application by Արամ Պետրոսյան, who asked to be written to in Armenian."""
    values = {
        "service": "citizenship",
        "given_name": "Արամ",
        "family_name": "Պետրոսյան",
        "birth_date": dt.date(1975, 3, 8),
        "contact": "+994 50 765 43 21",
        "details": {"birth_place": "Ağdam", "current_address": "Ağdam, 5", "residence_since": "2024-01-10"},
        "language": "hy",
        **changes,
    }
    application = casework.draft(**values)
    caseworker = personas.caseworker_aghdam
    with acting_as(caseworker):
        services.submit_application(application, actor=caseworker)
        services.start_screening(application, actor=caseworker)
        for document_type in application.service.required_documents:
            documents.record_original_seen(application, actor=caseworker, document_type=document_type)
        services.start_review(application, actor=caseworker)
    return application


def refused_in_armenian(casework, personas, **changes):
    application = citizenship_in_review(casework, personas, **changes)
    User.objects.filter(pk=personas.supervisor.pk).update(first_name="Աննա", last_name="Սարգսյան")
    with acting_as(personas.supervisor):
        services.decide(application, actor=personas.supervisor, result="refused", reasons=ARMENIAN_REASONS)
    return application


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_letter_is_written_in_the_applicants_language(casework, personas, world):
    application = refused_in_armenian(casework, personas)

    letter = decision_letter(application)

    assert (letter.language, letter.reference) == ("hy", application.reference)
    assert letter.service_name == "Քաղաքացիության ընդունման դիմում"
    assert letter.applicant_name == "Արամ Պետրոսյան"
    assert letter.applicant_date_of_birth == dt.date(1975, 3, 8)
    assert (letter.outcome, letter.reasons) == (DecisionOutcome.REJECTED, tuple(ARMENIAN_REASONS))
    assert (letter.authority, letter.appeal_to) == (world.migration_service.name, "Aghdam office")
    assert (letter.decision_maker_name, letter.decision_maker_role) == ("Աննա Սարգսյան", "Ղեկավար")
    calendar = selectors.working_calendar()
    assert letter.appeal_deadline == calendar.add_working_days(letter.decided_on, APPEAL_WORKING_DAYS)
    assert calendar.working_days_between(letter.decided_on, letter.appeal_deadline) == 20


def test_the_pdf_carries_the_armenian_name_reasons_and_reference_and_the_read_is_audited(casework, personas):
    application = refused_in_armenian(casework, personas)

    pdf = decision_letter_pdf(personas.caseworker_aghdam, application.pk)

    text = text_of(pdf)
    assert pdf.startswith(b"%PDF-")
    for expected in ("Արամ Պետրոսյան", application.reference, "Քաղաքացիության ընդունման դիմում", *ARMENIAN_REASONS):
        assert expected in text
    read = AuditEntry.objects.filter(action="read", object_id=str(application.pk)).latest("sequence")
    assert (read.actor, read.purpose) == (personas.caseworker_aghdam, "decision letter (PDF)")


def test_an_approval_letter_needs_no_reasons_and_names_the_caseworker_who_decided(casework, personas):
    application = citizenship_in_review(casework, personas, language="en")
    services.assign(application, personas.caseworker_aghdam, actor=personas.supervisor)
    services.decide(application, actor=personas.caseworker_aghdam, result="granted")

    letter = decision_letter(application)

    assert (letter.outcome, letter.reasons, letter.language) == (DecisionOutcome.APPROVED, (), "en")
    assert (letter.decision_maker_name, letter.decision_maker_role) == ("caseworker.aghdam", "Caseworker")
    assert letter.service_name == "Application for citizenship"


def test_an_appealed_or_closed_application_keeps_its_letter(casework, personas):
    application = refused_in_armenian(casework, personas)
    services.appeal(application, actor=personas.caseworker_aghdam, grounds="Certificate handed in")
    assert decision_letter(application).reasons == tuple(ARMENIAN_REASONS)

    services.dismiss_appeal(application, actor=casework.second_supervisor)
    assert decision_letter(application).reference == application.reference


@pytest.mark.parametrize("stage", ["in review", "reopened on appeal"])
def test_no_letter_is_written_for_an_application_without_a_decision_in_force(casework, personas, stage):
    if stage == "in review":
        application = citizenship_in_review(casework, personas)
    else:
        application = refused_in_armenian(casework, personas)
        services.appeal(application, actor=personas.caseworker_aghdam, grounds="Certificate handed in")
        services.reopen(application, actor=casework.second_supervisor)
    reads = AuditEntry.objects.filter(action="read").count()

    with pytest.raises(LetterNotAvailable) as refused:
        decision_letter_pdf(personas.caseworker_aghdam, application.pk)

    assert refused.value.field == "state"
    assert "once it is decided" in refused.value.message
    assert AuditEntry.objects.filter(action="read").count() == reads


def test_no_letter_outside_the_scope(casework, personas):
    application = refused_in_armenian(casework, personas)

    with pytest.raises(Http404):
        decision_letter_pdf(personas.caseworker_lachin, application.pk)


# --- the download view and the API ------------------------------------------------------------


@pytest.mark.urls("tests.cases.test_documents")
def test_the_letter_downloads_as_a_pdf_named_after_the_reference(casework, personas):
    application = refused_in_armenian(casework, personas)
    undecided = citizenship_in_review(casework, personas)
    client = client_for(personas.caseworker_aghdam)

    response = client.get(f"/letters/{application.pk}/")
    not_yet = client.get(f"/letters/{undecided.pk}/")
    outside = client_for(personas.caseworker_lachin).get(f"/letters/{application.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{application.reference}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert "Արամ Պետրոսյան" in text_of(response.content)
    assert not_yet.status_code == 409
    assert outside.status_code == 404


def test_the_api_serves_the_letter_and_refuses_it_until_there_is_a_decision(casework, personas):
    application = refused_in_armenian(casework, personas)
    undecided = citizenship_in_review(casework, personas)
    _token, key = accounts.issue_token(personas.supervisor, name="test")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    response = client.get(f"/api/cases/applications/{application.pk}/decision-letter.pdf")
    not_yet = client.get(f"/api/cases/applications/{undecided.pk}/decision-letter.pdf")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{application.reference}.pdf"'
    assert ARMENIAN_REASONS[0] in text_of(response.content)
    assert (not_yet.status_code, not_yet.json()["field"]) == (409, "state")


def test_the_letter_file_is_named_after_the_reference(casework, personas):
    application = refused_in_armenian(casework, personas)

    letter = letters.decision_letter_file(personas.supervisor, application.pk)

    assert (letter.filename, letter.media_type) == (f"{application.reference}.pdf", "application/pdf")
