"""Casework pages: the queue, an application and its actions, the staff-assisted application, who sees
what, refusals that change nothing, and forms from a page someone else has changed since."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from homeward.cases import services
from homeward.cases.choices import ApplicationState
from homeward.cases.models import (
    Application,
    ApplicationDocument,
    Decision,
    Holiday,
    InformationRequest,
    InternalNote,
    Message,
    MobileTeam,
    Transition,
)
from homeward.core.context import acting_as
from homeward.core.models import AuditEntry
from tests.cases.test_services import set_up_casework
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def casework(world, personas, settings):
    settings.HOMEWARD_HOLIDAY_COUNTRY = ""
    return set_up_casework(world, personas)


def png_upload(name: str = "certificate.png") -> tuple[str, bytes]:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "teal").save(buffer, "PNG")
    return name, buffer.getvalue()


def uploaded(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content_type = "image/png" if name.endswith(".png") else "application/octet-stream"
    return SimpleUploadedFile(name, content, content_type=content_type)


def html_of(response, status: int = 200) -> str:
    assert response.status_code == status, (response.status_code, response.content[:2000])
    return response.content.decode()


def detail_url(application: Application) -> str:
    return reverse("cases:application_detail", args=[application.pk])


def action_url(application: Application, event: str) -> str:
    return reverse("cases:application_action", args=[application.pk, event])


def events_offered(html: str) -> set[str]:
    return set(re.findall(r'data-event="([a-z_]+)"', html))


def fresh(application: Application) -> Application:
    return Application.objects.get(pk=application.pk)


def assigned_in_review(casework, personas) -> Application:
    application = casework.in_review()
    with acting_as(personas.supervisor):
        services.assign(application, personas.caseworker_aghdam, actor=personas.supervisor)
    return fresh(application)


def post_event(client, application: Application, event: str, **fields):
    data = {f"{event}-row_version": fresh(application).row_version}
    data.update({f"{event}-{name}": value for name, value in fields.items()})
    return client.post(action_url(application, event), data)


def snapshot(application: Application) -> tuple:
    application = fresh(application)
    return (
        application.state,
        application.row_version,
        Transition.objects.filter(application=application).count(),
        Decision.objects.filter(application=application).count(),
        Message.objects.filter(application=application).count(),
        ApplicationDocument.objects.filter(application=application).count(),
    )


# --- every page renders --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["caseworker_aghdam", "supervisor"])
def test_every_page_renders_for_a_caseworker_and_a_supervisor(casework, personas, as_user, persona):
    application = casework.submitted()
    client = as_user(getattr(personas, persona))

    queue = html_of(client.get(reverse("cases:queue")))
    assert f'data-application="{application.reference}"' in queue
    detail = html_of(client.get(detail_url(application)))
    assert application.reference in detail and "Aygün" in detail and "Məmmədova" in detail
    chooser = html_of(client.get(reverse("cases:new_application")))
    assert 'name="service"' in chooser and "Application for citizenship" in chooser
    form = html_of(client.get(reverse("cases:new_application"), {"service": "passport"}))
    assert 'name="birth_place"' in form and 'name="language"' in form

    dashboard = client.get(reverse("cases:dashboard"))
    if persona == "supervisor":
        assert "Queue sizes" in html_of(dashboard)
    else:
        assert dashboard.status_code == 403


def test_pages_load_nothing_from_another_site(casework, personas, as_user):
    application = casework.submitted()
    client = as_user(personas.supervisor)
    for url in (
        reverse("cases:queue"),
        detail_url(application),
        reverse("cases:new_application") + "?service=citizenship",
        reverse("cases:dashboard"),
    ):
        html = html_of(client.get(url))
        assert not re.search(r'(?:src|href)="(?:https?:)?//', html), url


def test_the_menu_offers_the_queue_to_caseworkers_and_the_dashboard_to_supervisors(casework, personas, as_user):
    caseworker = html_of(as_user(personas.caseworker_aghdam).get("/"))
    supervisor = html_of(as_user(personas.supervisor).get("/"))
    resident = html_of(as_user(personas.resident).get("/"))

    assert 'data-nav="casework"' in caseworker and 'data-nav="casework_dashboard"' not in caseworker
    assert 'data-nav="casework"' in supervisor and 'data-nav="casework_dashboard"' in supervisor
    assert "casework" not in re.findall(r'data-nav="([a-z_]+)"', resident)


def test_the_home_page_counts_open_and_overdue_applications_in_scope(casework, personas, as_user):
    casework.submitted()
    overdue = casework.submitted()
    Application.objects.filter(pk=overdue.pk).update(due_on=dt.date(2000, 1, 3))

    cards = as_user(personas.caseworker_aghdam).get("/api/dashboard").json()
    figures = {f["label"]: f["value"] for f in next(c for c in cards if c["domain"] == "cases")["figures"]}
    assert figures == {"Open applications": 2, "Overdue applications": 1}
    lachin = as_user(personas.caseworker_lachin).get("/api/dashboard").json()
    assert [f["value"] for f in next(c for c in lachin if c["domain"] == "cases")["figures"]] == [0, 0]


# --- scope ---------------------------------------------------------------------------------------


def test_an_application_outside_the_users_scope_is_not_found(casework, personas, as_user):
    application = casework.submitted()
    client = as_user(personas.caseworker_lachin)
    before = snapshot(application)

    assert client.get(detail_url(application)).status_code == 404
    assert post_event(client, application, "start_screening").status_code == 404
    assert client.post(reverse("cases:add_note", args=[application.pk]), {"note-text": "x"}).status_code == 404
    assert client.get(reverse("cases:decision_letter", args=[application.pk])).status_code == 404
    assert f'data-application="{application.reference}"' not in html_of(client.get(reverse("cases:queue")))
    assert snapshot(application) == before
    assert not InternalNote.objects.exists()


def test_pages_are_for_staff_who_work_cases(casework, personas, as_user):
    application = casework.submitted()
    for persona in ("planner", "resident", "partner"):
        client = as_user(getattr(personas, persona))
        assert client.get(reverse("cases:queue")).status_code in (403, 404), persona
        assert client.get(detail_url(application)).status_code in (403, 404), persona


def test_showing_an_application_and_the_queue_is_audited(casework, personas, as_user):
    application = casework.submitted()
    client = as_user(personas.caseworker_aghdam)
    reads = AuditEntry.objects.filter(action="read", actor=personas.caseworker_aghdam)
    assert not reads.exists()

    html_of(client.get(detail_url(application)))
    html_of(client.get(reverse("cases:queue")))

    assert reads.filter(object_type="cases.application", object_id=str(application.pk)).exists()
    assert reads.filter(object_type="cases.application", purpose="casework queue").exists()


# --- the queue -----------------------------------------------------------------------------------


def test_the_queue_shows_deadline_status_and_my_cases(casework, personas, as_user):
    waiting = casework.submitted()
    mine = assigned_in_review(casework, personas)
    Application.objects.filter(pk=mine.pk).update(due_on=dt.date(2000, 1, 3))

    html = html_of(as_user(personas.caseworker_aghdam).get(reverse("cases:queue")))

    queue_part, mine_part = html.split('data-section="mine"')
    assert f'data-application="{waiting.reference}"' in queue_part
    assert f'data-application="{mine.reference}"' in mine_part
    assert 'data-deadline="on_time"' in queue_part
    assert 'data-deadline="overdue"' in mine_part and "2000-01-03" in mine_part


def test_take_next_assigns_the_oldest_waiting_application(casework, personas, as_user):
    first = casework.submitted()
    casework.submitted()
    client = as_user(personas.caseworker_aghdam)

    response = client.post(reverse("cases:take_next"))

    assert response.status_code == 302 and response["Location"] == detail_url(first)
    assert fresh(first).assignee == personas.caseworker_aghdam


def test_take_next_on_an_empty_queue_says_so(casework, personas, as_user):
    response = as_user(personas.caseworker_aghdam).post(reverse("cases:take_next"), follow=True)
    assert "The queue is empty" in html_of(response)


def test_the_queue_query_count_does_not_grow_with_rows(casework, personas, as_user):
    client = as_user(personas.caseworker_aghdam)
    casework.submitted()

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            html_of(client.get(reverse("cases:queue")))
        return len(context.captured_queries)

    few = queries()
    for _ in range(5):
        casework.submitted()
    assert queries() == few


# --- actions ---------------------------------------------------------------------------------------


def test_only_the_actions_the_state_and_the_user_allow_are_offered(casework, personas, as_user):
    application = casework.submitted()
    caseworker, supervisor = as_user(personas.caseworker_aghdam), as_user(personas.supervisor)

    assert events_offered(html_of(caseworker.get(detail_url(application)))) == {"start_screening"}
    with acting_as(personas.caseworker_aghdam):
        services.start_screening(application, actor=personas.caseworker_aghdam)
        services.start_review(application, actor=personas.caseworker_aghdam)
    # Not assigned to them: a caseworker may not decide it; their supervisor may.
    assert events_offered(html_of(caseworker.get(detail_url(application)))) == {"request_information"}
    supervisor_page = html_of(supervisor.get(detail_url(application)))
    assert events_offered(supervisor_page) == {"request_information", "decide"}
    assert 'id="assign"' in supervisor_page
    assert 'id="assign"' not in html_of(caseworker.get(detail_url(application)))


def test_a_caseworker_takes_an_application_through_the_whole_workflow_on_the_page(casework, personas, as_user):
    application = casework.submitted()
    with acting_as(personas.caseworker_aghdam):
        services.assign(application, personas.caseworker_aghdam, actor=personas.supervisor)
    client = as_user(personas.caseworker_aghdam)

    assert post_event(client, application, "start_screening", note="Complete").status_code == 302
    assert post_event(client, application, "start_review").status_code == 302
    response = post_event(
        client,
        application,
        "request_information",
        request="Please bring your birth certificate.",
        document_types=["birth_certificate"],
    )
    assert response.status_code == 302
    assert fresh(application).state == ApplicationState.INFORMATION_REQUESTED
    request = InformationRequest.objects.get(application=application)
    assert request.document_types == ["birth_certificate"]
    page = html_of(client.get(detail_url(application)))
    assert 'data-deadline="paused"' in page and "Please bring your birth certificate." in page

    name, content = png_upload()
    response = client.post(
        action_url(application, "receive_information"),
        {
            "receive_information-row_version": fresh(application).row_version,
            "receive_information-document_type": "birth_certificate",
            "receive_information-file": uploaded(name, content),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    document = ApplicationDocument.objects.get(application=application)
    assert (document.document_type, document.provided_for) == ("birth_certificate", request)
    assert fresh(application).state == ApplicationState.IN_REVIEW

    # The identity card and the photo are neither filed nor seen: the approval is refused, naming them.
    page = html_of(client.get(detail_url(application)))
    assert 'data-required="identity_card" data-provided="no"' in page
    assert 'data-required="photo" data-provided="no"' in page
    refused = post_event(client, application, "decide", result="issued")
    assert "missing: identity_card, photo" in html_of(refused, 400)
    assert fresh(application).state == ApplicationState.IN_REVIEW
    for document_type in ("identity_card", "photo"):
        recorded = client.post(
            reverse("cases:record_original_seen", args=[application.pk]),
            {"original-document_type": document_type, "original-note": "Checked at the counter"},
        )
        assert recorded.status_code == 302
    page = html_of(client.get(detail_url(application)))
    assert 'data-required="photo" data-provided="yes"' in page and "original seen by caseworker.aghdam" in page
    assert 'id="original-seen"' not in page  # nothing is missing any more

    response = post_event(
        client, application, "decide", result="issued", reasons="All documents in order.\n\nIdentity confirmed."
    )
    assert response.status_code == 302
    decision = Decision.objects.get(application=application)
    assert (decision.outcome, decision.result, decision.reasons) == (
        "approved",
        "issued",
        ["All documents in order.", "Identity confirmed."],
    )
    page = html_of(client.get(detail_url(application)))
    assert reverse("cases:decision_letter", args=[application.pk]) in page
    assert reverse("cases:document_download", args=[document.pk]) in page
    assert events_offered(page) == {"appeal", "close"}

    assert post_event(client, application, "close", note="No appeal").status_code == 302
    assert fresh(application).state == ApplicationState.CLOSED
    events = list(Transition.objects.filter(application=application).values_list("event", flat=True))
    assert events == [
        "submit",
        "start_screening",
        "start_review",
        "request_information",
        "receive_information",
        "decide",
        "close",
    ]


def test_an_appeal_is_recorded_and_ruled_on_by_another_supervisor(casework, personas, as_user):
    application = assigned_in_review(casework, personas)
    caseworker = as_user(personas.caseworker_aghdam)
    post_event(caseworker, application, "decide", result="refused", reasons="Birth place not established.")
    assert post_event(caseworker, application, "appeal", grounds="The archive burnt down.").status_code == 302
    assert fresh(application).state == ApplicationState.APPEALED

    supervisor_page = html_of(as_user(personas.supervisor).get(detail_url(application)))
    assert events_offered(supervisor_page) == {"reopen", "dismiss_appeal"}
    assert post_event(as_user(personas.supervisor), application, "reopen", note="Reconsider").status_code == 302
    assert fresh(application).state == ApplicationState.IN_REVIEW


def test_a_rejection_without_reasons_is_refused_naming_the_field_and_changes_nothing(casework, personas, as_user):
    application = assigned_in_review(casework, personas)
    before = snapshot(application)

    response = post_event(as_user(personas.caseworker_aghdam), application, "decide", result="refused", reasons=" \n ")

    html = html_of(response, 400)
    assert "Nothing was saved" in html
    assert "Reasons, one per line: a rejection needs at least one reason" in html
    assert snapshot(application) == before


def test_an_information_request_without_text_names_the_field(casework, personas, as_user):
    application = assigned_in_review(casework, personas)
    before = snapshot(application)

    html = html_of(post_event(as_user(personas.caseworker_aghdam), application, "request_information", request=""), 400)

    assert "What is requested from the applicant: This field is required." in html
    assert snapshot(application) == before


def test_a_step_the_state_does_not_allow_is_refused_and_changes_nothing(casework, personas, as_user):
    application = casework.submitted()
    before = snapshot(application)

    html = html_of(post_event(as_user(personas.caseworker_aghdam), application, "decide", result="issued"), 409)

    assert "cannot decide: the application is &#x27;submitted&#x27;" in html
    assert snapshot(application) == before


def test_an_action_the_user_may_not_take_is_refused_with_the_reason(casework, personas, as_user):
    application = casework.in_review()  # not assigned to anyone
    before = snapshot(application)

    html = html_of(post_event(as_user(personas.caseworker_aghdam), application, "decide", result="issued"), 403)

    assert "may not decide an application that is not assigned to them" in html
    assert snapshot(application) == before


def test_an_unknown_action_is_not_found(casework, personas, as_user):
    application = casework.submitted()
    assert post_event(as_user(personas.caseworker_aghdam), application, "teleport").status_code == 404


def test_a_form_from_a_page_changed_since_is_refused_and_changes_nothing(casework, personas, as_user):
    application = casework.submitted()
    client = as_user(personas.caseworker_aghdam)
    seen = fresh(application).row_version
    with acting_as(personas.supervisor):
        services.assign(fresh(application), casework.second_caseworker, actor=personas.supervisor)
    before = snapshot(application)

    response = client.post(
        action_url(application, "start_screening"),
        {"start_screening-row_version": seen, "start_screening-note": "Looks complete"},
    )

    html = html_of(response, 409)
    assert "Someone else changed this application after you opened the page" in html
    assert snapshot(application) == before
    # The page now carries the current version, and what the user typed.
    assert f'value="{fresh(application).row_version}"' in html and "Looks complete" in html
    assert post_event(client, application, "start_screening").status_code == 302


# --- notes, messages, documents, identity, assignment -------------------------------------------------


def test_internal_notes_and_messages_with_the_applicant_are_kept_apart(casework, personas, as_user):
    application = casework.submitted()
    client = as_user(personas.caseworker_aghdam)

    client.post(reverse("cases:add_note", args=[application.pk]), {"note-text": "Called the archive in Ağdam."})
    client.post(
        reverse("cases:add_message", args=[application.pk]),
        {"message-direction": "from_applicant", "message-text": "I will bring the papers on Monday."},
    )

    html = html_of(client.get(detail_url(application)))
    messages_part = html.split('data-section="messages"')[1].split('data-section="notes"')[0]
    notes_part = html.split('data-section="notes"')[1].split('data-section="history"')[0]
    assert "I will bring the papers on Monday." in messages_part and "Called the archive" not in messages_part
    assert "Called the archive in Ağdam." in notes_part and "staff only" in notes_part
    assert InternalNote.objects.get().author == personas.caseworker_aghdam


def test_an_empty_note_is_refused_naming_the_field(casework, personas, as_user):
    application = casework.submitted()
    html = html_of(
        as_user(personas.caseworker_aghdam).post(reverse("cases:add_note", args=[application.pk]), {"note-text": ""}),
        400,
    )
    assert "Internal note: This field is required." in html
    assert not InternalNote.objects.exists()


def test_a_document_is_filed_listed_and_downloaded(casework, personas, as_user):
    application = casework.submitted()
    client = as_user(personas.caseworker_aghdam)
    name, content = png_upload("photo.png")

    response = client.post(
        reverse("cases:upload_document", args=[application.pk]),
        {"document-document_type": "photo", "document-file": uploaded(name, content)},
    )

    assert response.status_code == 302
    document = ApplicationDocument.objects.get()
    html = html_of(client.get(detail_url(application)))
    assert "photo.png" in html and "Photograph" in html and personas.caseworker_aghdam.username in html
    download = client.get(reverse("cases:document_download", args=[document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == content


def test_a_refused_upload_says_why_and_stores_nothing(casework, personas, as_user):
    application = casework.submitted()
    program = b"MZ\x90\x00\x03" + bytes(55) + (64).to_bytes(4, "little") + b"PE\x00\x00" + bytes(200)

    response = as_user(personas.caseworker_aghdam).post(
        reverse("cases:upload_document", args=[application.pk]),
        {"document-document_type": "photo", "document-file": uploaded("photo.png", program)},
    )

    html = html_of(response, 400)
    assert "File: " in html and "Nothing was saved" in html
    assert not ApplicationDocument.objects.exists()


def test_identity_candidates_are_shown_with_reasons_and_one_can_be_linked(casework, personas, as_user, world):
    person = PersonFactory(
        district=world.aghdam, given_name="Aygün", family_name="Məmmədova", birth_date=dt.date(1980, 5, 17)
    )
    application = casework.submitted()
    client = as_user(personas.caseworker_aghdam)

    html = html_of(client.get(detail_url(application)))
    assert f'data-candidate="{person.pk}"' in html and "exact name and birth date" in html

    response = client.post(
        reverse("cases:link_person", args=[application.pk]),
        {"person": person.pk, "row_version": fresh(application).row_version},
    )
    assert response.status_code == 302
    assert fresh(application).person == person


def test_the_applicant_can_be_registered_as_a_new_person(casework, personas, as_user):
    application = casework.submitted()
    client = as_user(personas.caseworker_aghdam)

    response = client.post(
        reverse("cases:new_person", args=[application.pk]),
        {"new_person-row_version": fresh(application).row_version},
    )

    assert response.status_code == 302
    person = fresh(application).person
    assert (person.given_name, person.family_name) == ("Aygün", "Məmmədova")


def test_a_supervisor_assigns_to_the_least_loaded_caseworker_or_a_named_one(casework, personas, as_user):
    application = casework.submitted()
    client = as_user(personas.supervisor)

    response = client.post(
        reverse("cases:assign", args=[application.pk]),
        {
            "assign-row_version": fresh(application).row_version,
            "assign-caseworker": casework.second_caseworker.username,
        },
    )
    assert response.status_code == 302
    assert fresh(application).assignee == casework.second_caseworker

    html = html_of(
        client.post(
            reverse("cases:assign", args=[application.pk]),
            {"assign-row_version": fresh(application).row_version, "assign-caseworker": "nobody"},
        ),
        400,
    )
    assert "Caseworker: " in html
    assert fresh(application).assignee == casework.second_caseworker


# --- the deadline, explained -----------------------------------------------------------------------


def test_the_deadline_names_the_days_off_it_skips(casework, personas, as_user, monkeypatch):
    from django.utils import timezone

    monday = dt.date(2025, 6, 2)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: monday)
    Holiday(date=dt.date(2025, 6, 6), label="Decree 12: day off").save()
    application = casework.submitted()

    html = html_of(as_user(personas.caseworker_aghdam).get(detail_url(application)))

    deadline = html.split('data-section="deadline"')[1].split('data-section="actions"')[0]
    # 15 working days from Monday 2 June, skipping Friday 6 June and three weekends: Tuesday 24 June.
    assert "2025-06-24" in deadline
    assert "Decree 12: day off" in deadline and "2025-06-06" in deadline
    assert "6 weekend days" in deadline


# --- the staff-assisted application ----------------------------------------------------------------


def new_application_data(**changes) -> dict:
    data = {
        "service": "citizenship",
        "district": "AZ-AGM",
        "given_name": "Nərmin",
        "family_name": "Əlizadə",
        "birth_date": "1990-03-04",
        "contact": "+994 50 765 43 21",
        "language": "az",
        "birth_place": "Ağdam",
        "current_address": "Ağdam, Qaraçay 5",
        "residence_since": "2024-09-01",
    }
    data.update(changes)
    return data


def test_a_caseworker_enters_and_submits_an_application_for_a_resident(casework, personas, as_user):
    team = MobileTeam(name="Aghdam mobile team", office=casework.aghdam_office)
    team.save()
    client = as_user(personas.caseworker_aghdam)

    response = client.post(reverse("cases:new_application"), new_application_data(mobile_team=team.pk))

    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(application)
    assert application.state == ApplicationState.SUBMITTED
    assert (application.language, application.mobile_team, application.assisted_by) == (
        "az",
        team,
        personas.caseworker_aghdam,
    )
    assert application.details == {
        "birth_place": "Ağdam",
        "current_address": "Ağdam, Qaraçay 5",
        "residence_since": "2024-09-01",
    }
    assert application.office == casework.aghdam_office


def test_the_service_list_is_in_the_users_language(casework, personas, as_user):
    client = as_user(personas.caseworker_aghdam)
    html = html_of(client.get(reverse("cases:new_application"), HTTP_ACCEPT_LANGUAGE="az"))
    assert "Vətəndaşlığa qəbul üçün müraciət" in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"residence_since": ""}, "Living at the address since: This field is required."),
        ({"district": "AZ-LAC"}, "District: Select a valid choice."),
        ({"birth_date": "2999-01-01"}, "Date of birth: The date of birth cannot be in the future."),
        ({"language": "fr"}, "Applicant&#x27;s language: Select a valid choice."),
    ],
)
def test_a_refused_application_names_the_field_and_creates_nothing(casework, personas, as_user, changes, message):
    html = html_of(
        as_user(personas.caseworker_aghdam).post(reverse("cases:new_application"), new_application_data(**changes)),
        400,
    )
    assert message in html
    assert not Application.objects.exists()


def test_an_application_no_office_can_take_is_refused_and_no_draft_is_left(casework, personas, as_user, world):
    casework.aghdam_office.services.set([services.selectors.service_by_code("pension")])

    html = html_of(
        as_user(personas.caseworker_aghdam).post(reverse("cases:new_application"), new_application_data()), 400
    )

    assert "no office in" in html
    assert not Application.objects.exists()


def test_an_unknown_service_shows_the_chooser_again(casework, personas, as_user):
    html = html_of(as_user(personas.caseworker_aghdam).get(reverse("cases:new_application"), {"service": "x"}), 400)
    assert "Select a valid choice" in html and 'id="application-form"' not in html


# --- languages and query budgets -------------------------------------------------------------------


@pytest.mark.parametrize("language", ["az", "hy", "ru", "en"])
def test_every_page_renders_in_every_interface_language(casework, personas, as_user, language):
    application = assigned_in_review(casework, personas)
    client = as_user(personas.supervisor)
    for url in (
        reverse("cases:queue"),
        detail_url(application),
        reverse("cases:new_application") + "?service=family_tracing",
        reverse("cases:dashboard"),
    ):
        html = html_of(client.get(url, HTTP_ACCEPT_LANGUAGE=language))
        assert f'<html lang="{language}"' in html, (url, language)


def test_the_application_page_query_count_does_not_grow_with_its_history(casework, personas, as_user):
    application = assigned_in_review(casework, personas)
    client = as_user(personas.caseworker_aghdam)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            html_of(client.get(detail_url(application)))
        return len(context.captured_queries)

    caseworker = personas.caseworker_aghdam

    def add_history(rounds: int) -> None:
        with acting_as(caseworker):
            for number in range(rounds):
                services.add_note(fresh(application), f"Note {number}", actor=caseworker)
                services.record_message(
                    fresh(application), f"Message {number}", direction="to_applicant", actor=caseworker
                )
                services.request_information(fresh(application), actor=caseworker, request=f"Paper {number}")
                services.receive_information(fresh(application), actor=caseworker)

    add_history(1)
    few = queries()
    add_history(4)
    assert queries() == few
