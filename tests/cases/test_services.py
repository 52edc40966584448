"""Casework writes: creating and submitting applications, routing to the office queue, assignment by
load, notes and messages, deadlines with holidays and the clock stopping while information is awaited.

``Casework`` and ``set_up_casework`` are shared with the other casework test modules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from homeward.accounts.models import User
from homeward.cases import documents, selectors, services
from homeward.cases.choices import ApplicationState, HolidayKind
from homeward.cases.models import (
    Application,
    Holiday,
    InformationRequest,
    InternalNote,
    Message,
    MobileTeam,
    Office,
    Transition,
)
from homeward.cases.services import ActionRefused, ApplicationInput, CaseError
from homeward.core.context import acting_as
from homeward.core.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2025, 6, 2)


@dataclass
class Casework:
    world: Any
    personas: Any
    aghdam_office: Office
    lachin_office: Office
    second_caseworker: User
    second_supervisor: User

    def draft(self, actor: User | None = None, **changes: Any) -> Application:
        """A passport application in Aghdam, entered by the Aghdam caseworker unless told otherwise."""
        values: dict[str, Any] = {
            "service": "passport",
            "district": "AZ-AGM",
            "given_name": "Aygün",
            "family_name": "Məmmədova",
            "birth_date": dt.date(1980, 5, 17),
            "contact": "+994 50 123 45 67",
            "details": {"birth_place": "Ağdam"},
        }
        values.update(changes)
        actor = actor or self.personas.caseworker_aghdam
        with acting_as(actor):
            return services.create_application(ApplicationInput(**values), actor=actor)

    def submitted(self, actor: User | None = None, **changes: Any) -> Application:
        application = self.draft(actor, **changes)
        actor = actor or self.personas.caseworker_aghdam
        with acting_as(actor):
            services.submit_application(application, actor=actor)
        return application

    def in_review(self, *, originals_seen: bool = True, **changes: Any) -> Application:
        """Screened (the originals of the required documents seen at the counter, unless told not)
        and in review."""
        application = self.submitted(**changes)
        caseworker = self.personas.caseworker_aghdam
        with acting_as(caseworker):
            services.start_screening(application, actor=caseworker)
            if originals_seen:
                for document_type in application.service.required_documents:
                    documents.record_original_seen(application, actor=caseworker, document_type=document_type)
            services.start_review(application, actor=caseworker)
        return application


def set_up_casework(world: Any, personas: Any) -> Casework:
    """Two offices of the migration service (Aghdam, Lachin), their caseworkers and supervisors, and
    the bundled catalogue (loaded again: a transactional test elsewhere may have flushed it)."""
    services.load_catalogue()
    second_caseworker = UserFactory(
        username="caseworker.aghdam2", role="caseworker", agency=world.migration_service, districts=[world.aghdam]
    )
    second_supervisor = UserFactory(
        username="supervisor2", role="supervisor", agency=world.migration_service, districts=[world.aghdam]
    )
    aghdam_office = Office(name="Aghdam office", agency=world.migration_service)
    aghdam_office.save()
    aghdam_office.districts.set([world.aghdam])
    aghdam_office.members.set([personas.caseworker_aghdam, second_caseworker])
    aghdam_office.supervisors.set([personas.supervisor])
    lachin_office = Office(name="Lachin office", agency=world.migration_service)
    lachin_office.save()
    lachin_office.districts.set([world.lachin])
    lachin_office.members.set([personas.caseworker_lachin])
    return Casework(world, personas, aghdam_office, lachin_office, second_caseworker, second_supervisor)


@pytest.fixture
def casework(world, personas) -> Casework:
    return set_up_casework(world, personas)


@pytest.fixture
def today(monkeypatch):
    """Set the date the services see as today: ``today(dt.date(...))``."""

    def set_today(day: dt.date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)

    set_today(MONDAY)
    return set_today


@pytest.fixture
def no_country_holidays(settings):
    """Weekends and the deployment's own days off only, so the dates below are easy to check by hand."""
    settings.HOMEWARD_HOLIDAY_COUNTRY = ""


# --- creating and submitting ------------------------------------------------------------------


def test_a_caseworker_creates_a_draft_recorded_as_assisted_by_them(casework, personas):
    application = casework.draft()

    assert application.state == ApplicationState.DRAFT
    assert application.assisted_by == personas.caseworker_aghdam
    assert application.agency_id == personas.caseworker_aghdam.agency_id
    assert application.reference.startswith("P-")


def test_the_applicants_language_defaults_to_the_deployments_and_can_be_chosen(casework, settings):
    settings.LANGUAGE_CODE = "ru"

    assert casework.draft().language == "ru"
    assert casework.draft(language="hy").language == "hy"


def test_a_language_the_applicant_cannot_be_written_to_in_is_refused(casework):
    with pytest.raises(CaseError) as refused:
        casework.draft(language="fr")

    assert refused.value.field == "language"
    assert not Application.objects.exists()


def test_a_mobile_team_can_be_named_on_an_assisted_application(casework):
    team = MobileTeam(name="Aghdam mobile team 1", office=casework.aghdam_office)
    team.save()

    application = casework.draft(mobile_team_id=team.pk)

    assert application.mobile_team == team


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"service": "no_such_service"}, "service"),
        ({"district": "AZ-NOWHERE"}, "district"),
        ({"given_name": "  "}, "given_name"),
        ({"birth_date": dt.date(2999, 1, 1)}, "birth_date"),
        ({"details": {"religion": "x"}}, "details.religion"),
    ],
)
def test_a_bad_application_is_refused_naming_the_field_and_nothing_is_written(casework, changes, field):
    with pytest.raises(CaseError) as refused:
        casework.draft(**changes)

    assert refused.value.field == field
    assert not Application.objects.exists()


def test_a_caseworker_cannot_start_an_application_outside_their_districts(casework, personas):
    with pytest.raises(ActionRefused, match="outside the districts"):
        casework.draft(personas.caseworker_lachin)
    assert not Application.objects.exists()


def test_submission_routes_to_the_office_of_the_district_and_starts_the_clock(casework, today):
    application = casework.submitted()
    application.refresh_from_db()

    assert application.state == ApplicationState.SUBMITTED
    assert application.office == casework.aghdam_office
    assert application.submitted_on == application.clock_started_on == MONDAY
    assert application.deadline_working_days == 15
    assert application.due_on is not None and application.due_on > MONDAY
    assert list(selectors.queue_for(casework.personas.caseworker_aghdam)) == [application]
    assert list(selectors.queue_for(casework.personas.caseworker_lachin)) == []


def test_submission_without_a_required_field_is_refused_and_the_draft_stays(casework):
    application = casework.draft(details={})

    with pytest.raises(CaseError) as refused:
        services.submit_application(application, actor=casework.personas.caseworker_aghdam)

    assert refused.value.field == "birth_place"
    assert application.state == ApplicationState.DRAFT
    application.refresh_from_db()
    assert (application.state, application.office, application.due_on) == (ApplicationState.DRAFT, None, None)
    assert not Transition.objects.exists()


def test_submission_where_no_office_handles_the_service_is_refused(casework, world):
    casework.aghdam_office.services.set([selectors.service_by_code("pension")])
    application = casework.draft()

    with pytest.raises(CaseError) as refused:
        services.submit_application(application, actor=casework.personas.caseworker_aghdam)

    assert refused.value.field == "district"
    assert "no office" in refused.value.message


def test_every_transition_is_logged_and_audited(casework, personas):
    application = casework.in_review()

    log = list(Transition.objects.filter(application=application).values_list("from_state", "to_state", "actor"))
    assert log == [
        ("draft", "submitted", personas.caseworker_aghdam.pk),
        ("submitted", "screening", personas.caseworker_aghdam.pk),
        ("screening", "in_review", personas.caseworker_aghdam.pk),
    ]
    state_changes = [
        entry.changes["state"]
        for entry in AuditEntry.objects.filter(object_id=str(application.pk), action="update").order_by("sequence")
        if "state" in entry.changes
    ]
    assert state_changes == [["draft", "submitted"], ["submitted", "screening"], ["screening", "in_review"]]


def _logged(application: Application) -> list[tuple[str, dict[str, Any]]]:
    entries = AuditEntry.objects.filter(object_id=str(application.pk)).order_by("sequence")
    return [(entry.action, entry.changes) for entry in entries]


def test_creating_and_submitting_at_once_leaves_what_the_two_steps_leave(casework, personas):
    caseworker = personas.caseworker_aghdam
    two_steps = casework.submitted()
    data = ApplicationInput(
        service="passport",
        district="AZ-AGM",
        given_name="Aygün",
        family_name="Məmmədova",
        birth_date=dt.date(1980, 5, 17),
        contact="+994 50 123 45 67",
        details={"birth_place": "Ağdam"},
    )
    with acting_as(caseworker):
        at_once = services.create_and_submit_application(data, actor=caseworker)

    stored = Application.objects.get(pk=at_once.pk)
    fields = ("state", "office_id", "agency_id", "submitted_on", "due_on", "row_version", "identity_candidates")
    assert [getattr(stored, name) for name in fields] == [getattr(two_steps, name) for name in fields]
    transitions = [
        list(Transition.objects.filter(application=application).values_list("event", "from_state", "to_state", "actor"))
        for application in (two_steps, at_once)
    ]
    assert transitions[0] == transitions[1] == [("submit", "draft", "submitted", caseworker.pk)]

    def comparable(application: Application) -> list[tuple[str, dict[str, Any]]]:
        return [
            (action, {key: value for key, value in changes.items() if key != "reference"})
            for action, changes in _logged(application)
        ]

    assert comparable(at_once) == comparable(two_steps)
    assert [action for action, _ in _logged(at_once)] == ["create", "update"]


def test_creating_and_submitting_at_once_writes_nothing_when_the_submission_is_refused(casework, personas):
    caseworker = personas.caseworker_aghdam
    data = ApplicationInput(
        service="passport",
        district="AZ-AGM",
        given_name="Aygün",
        family_name="Məmmədova",
        birth_date=dt.date(1980, 5, 17),
    )
    audited = AuditEntry.objects.count()

    with acting_as(caseworker), pytest.raises(CaseError) as refused:
        services.create_and_submit_application(data, actor=caseworker)

    assert refused.value.field == "birth_place"
    assert not Application.objects.exists()
    assert AuditEntry.objects.count() == audited


def test_the_audit_log_never_shows_the_applicants_name(casework):
    application = casework.submitted()

    logged = str(list(AuditEntry.objects.filter(object_id=str(application.pk)).values_list("changes", "object_label")))
    assert "Məmmədova" not in logged
    assert "Aygün" not in logged


def test_reading_an_application_through_the_selector_is_audited(casework, personas):
    application = casework.submitted()

    selectors.get_application_for_user(personas.supervisor, application.pk, purpose="test")

    assert AuditEntry.objects.filter(action="read", object_id=str(application.pk), actor=personas.supervisor).exists()


# --- assignment -------------------------------------------------------------------------------


def test_auto_assignment_picks_the_office_caseworker_with_the_fewest_open_cases(casework, personas):
    busy = casework.submitted()
    with acting_as(personas.supervisor):
        services.assign(busy, personas.caseworker_aghdam, actor=personas.supervisor)
        fresh = casework.submitted()
        services.auto_assign(fresh, actor=personas.supervisor)

    assert fresh.assignee == casework.second_caseworker
    loads = dict(selectors.caseworker_loads(casework.aghdam_office))
    assert loads == {personas.caseworker_aghdam: 1, casework.second_caseworker: 1}


def test_closed_cases_do_not_count_towards_a_caseworkers_load(casework, personas):
    done = casework.in_review()
    with acting_as(personas.supervisor):
        services.assign(done, personas.caseworker_aghdam, actor=personas.supervisor)
        services.decide(done, actor=personas.supervisor, result="issued")
        services.close(done, actor=personas.caseworker_aghdam)

    assert dict(selectors.caseworker_loads(casework.aghdam_office))[personas.caseworker_aghdam] == 0


def test_assign_next_gives_the_oldest_unassigned_application_of_the_queue(casework, personas, today):
    first = casework.submitted()
    today(MONDAY + dt.timedelta(days=1))
    casework.submitted()

    taken = services.assign_next(casework.second_caseworker)

    assert taken == first
    assert taken.assignee == casework.second_caseworker
    assert first not in selectors.queue_for(personas.caseworker_aghdam)


def test_assign_next_on_an_empty_queue_gives_nothing(casework, personas):
    assert services.assign_next(personas.caseworker_lachin) is None


def test_only_a_supervisor_assigns_and_only_to_a_caseworker_who_may_work_on_the_case(casework, personas):
    application = casework.submitted()

    with pytest.raises(ActionRefused):
        services.assign(application, casework.second_caseworker, actor=personas.caseworker_aghdam)
    with pytest.raises(CaseError) as refused:
        services.assign(application, personas.caseworker_lachin, actor=personas.supervisor)

    assert refused.value.field == "caseworker"
    application.refresh_from_db()
    assert application.assignee is None


# --- notes and messages -----------------------------------------------------------------------


def test_notes_are_kept_apart_from_messages_to_the_applicant(casework, personas):
    application = casework.submitted()

    services.add_note(application, "Checked the archive: nothing found.", actor=personas.caseworker_aghdam)
    services.record_message(
        application, "Please bring your birth certificate.", direction="to_applicant", actor=personas.caseworker_aghdam
    )

    assert [n.text for n in selectors.notes_of(personas.supervisor, application)] == [
        "Checked the archive: nothing found."
    ]
    assert [m.text for m in selectors.messages_of(personas.supervisor, application)] == [
        "Please bring your birth certificate."
    ]


def test_a_caseworker_outside_the_district_cannot_add_a_note(casework, personas):
    application = casework.submitted()

    with pytest.raises(ActionRefused):
        services.add_note(application, "note", actor=personas.caseworker_lachin)
    assert not InternalNote.objects.exists()


def test_requesting_information_sends_the_request_to_the_applicant(casework, personas):
    application = casework.in_review()

    services.request_information(application, actor=personas.caseworker_aghdam, request="A recent photograph, please.")

    message = Message.objects.get(application=application)
    assert (message.direction, message.text) == ("to_applicant", "A recent photograph, please.")


def test_an_information_request_records_the_documents_asked_for(casework, personas):
    application = casework.in_review()

    services.request_information(
        application,
        actor=personas.caseworker_aghdam,
        request="Your birth certificate and a photograph, please.",
        document_types=["birth_certificate", "photo", "birth_certificate"],
    )

    request = InformationRequest.objects.get(application=application)
    assert request.document_types == ["birth_certificate", "photo"]
    assert request.message.text == "Your birth certificate and a photograph, please."
    assert (request.requested_by, request.is_open) == (personas.caseworker_aghdam, True)
    assert selectors.open_information_request(application) == request


def test_an_information_request_for_an_unknown_document_type_writes_nothing(casework, personas):
    application = casework.in_review()
    before = (Message.objects.count(), InformationRequest.objects.count(), Transition.objects.count())

    with pytest.raises(CaseError) as refused:
        services.request_information(
            application, actor=personas.caseworker_aghdam, request="Papers", document_types=["photo", "horoscope"]
        )

    assert refused.value.field == "document_types[1]"
    assert (Message.objects.count(), InformationRequest.objects.count(), Transition.objects.count()) == before
    assert Application.objects.get(pk=application.pk).state == ApplicationState.IN_REVIEW


def test_receiving_information_closes_the_open_request(casework, personas):
    application = casework.in_review()
    services.request_information(application, actor=personas.caseworker_aghdam, request="Phone number")

    services.receive_information(application, actor=personas.caseworker_aghdam, note="Given by phone")

    request = InformationRequest.objects.get(application=application)
    assert (request.answered_by, request.is_open) == (personas.caseworker_aghdam, False)
    assert selectors.open_information_request(application) is None


# --- deadlines --------------------------------------------------------------------------------


def test_the_deadline_counts_working_days_and_the_deployments_days_off(casework, personas, today, no_country_holidays):
    # 15 working days from Monday 2 June 2025 with Saturday and Sunday off: Monday 23 June.
    assert casework.submitted().due_on == dt.date(2025, 6, 23)

    with acting_as(personas.administrator):
        services.save_holiday(date=dt.date(2025, 6, 11), label="Decree 17: day off", actor=personas.administrator)

    # A day off declared afterwards moves open deadlines by one working day.
    moved = Application.objects.get()
    assert moved.due_on == dt.date(2025, 6, 24)
    assert casework.submitted().due_on == dt.date(2025, 6, 24)


def test_a_weekend_day_declared_worked_brings_the_deadline_closer(casework, personas, today, no_country_holidays):
    Holiday(date=dt.date(2025, 6, 7), label="Saturday worked for 9 June", kind=HolidayKind.WORKING_DAY).save()
    Holiday(date=dt.date(2025, 6, 9), label="Bridge day", kind=HolidayKind.DAY_OFF).save()
    Holiday(date=dt.date(2025, 6, 10), label="Decree 18", kind=HolidayKind.DAY_OFF).save()

    # Saturday 7 June is worked, Monday 9 and Tuesday 10 are not: one working day lost overall.
    assert casework.submitted().due_on == dt.date(2025, 6, 24)


def test_the_countrys_public_holidays_count(casework, today, settings):
    settings.HOMEWARD_HOLIDAY_COUNTRY = "AZ"
    today(dt.date(2025, 3, 17))

    # Novruz (20-25 March 2025 in Azerbaijan, with the observed day) falls inside the 15 working days.
    application = casework.submitted()

    calendar = selectors.working_calendar()
    assert calendar.working_days_between(dt.date(2025, 3, 17), application.due_on) == 15
    assert application.due_on > dt.date(2025, 4, 7)


def test_the_clock_stops_while_information_is_requested(casework, personas, today, no_country_holidays):
    application = casework.in_review()
    assert application.due_on == dt.date(2025, 6, 23)

    today(dt.date(2025, 6, 4))  # Wednesday
    services.request_information(application, actor=personas.caseworker_aghdam, request="Proof of residence")
    assert selectors.deadline_status_of(application) == "paused"

    today(dt.date(2025, 6, 9))  # Monday: Thursday, Friday and Monday were spent waiting
    services.receive_information(application, actor=personas.caseworker_aghdam)

    application.refresh_from_db()
    assert application.state == ApplicationState.IN_REVIEW
    assert application.paused_working_days == 3
    assert application.due_on == dt.date(2025, 6, 26)
    assert application.information_requested_on is None


def test_information_answered_the_same_day_does_not_move_the_deadline(casework, personas, today, no_country_holidays):
    application = casework.in_review()
    services.request_information(application, actor=personas.caseworker_aghdam, request="Phone number")
    services.receive_information(application, actor=personas.caseworker_aghdam)

    assert (application.paused_working_days, application.due_on) == (0, dt.date(2025, 6, 23))


def test_reopening_on_appeal_starts_a_new_deadline(casework, personas, today, no_country_holidays):
    application = casework.in_review()
    services.decide(application, actor=personas.supervisor, result="refused", reasons=["Photograph missing"])
    services.appeal(application, actor=personas.caseworker_aghdam, grounds="The photograph was handed in")

    # Long past the decision's due date, the appeal waiting for its ruling is not "overdue".
    today(dt.date(2025, 7, 1))
    assert application.due_on < dt.date(2025, 7, 1)
    assert selectors.deadline_status_of(application) is None
    services.reopen(application, actor=casework.second_supervisor)

    assert application.state == ApplicationState.IN_REVIEW
    assert selectors.deadline_status_of(application) == "on_time"
    assert (application.outcome, application.result) == ("", "")
    assert application.clock_started_on == dt.date(2025, 7, 1)
    assert application.due_on == dt.date(2025, 7, 22)


def test_configuration_is_for_administrators(casework, personas):
    with pytest.raises(ActionRefused):
        services.save_holiday(date=MONDAY, label="x", actor=personas.supervisor)
    assert not Holiday.objects.exists()


def test_reads_of_applications_leave_the_districts_boundary_unloaded(casework, personas, world):
    # A district's boundary can run to megabytes; no view of an application draws it.
    world.aghdam.boundary = b"\x01" * 100_000
    world.aghdam.save()
    application = casework.in_review()

    listed = selectors.applications_visible_to(personas.supervisor).get(pk=application.pk)
    one = selectors.application_in_scope(personas.supervisor, application.pk)

    for read in (listed, one):
        assert read.district == world.aghdam
        assert "boundary" in read.district.get_deferred_fields()
