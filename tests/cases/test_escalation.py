"""Overdue applications are escalated to their office's supervisors, once per missed due date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from homeward.cases import selectors, services, tasks
from homeward.cases.models import Escalation
from homeward.core.models import AuditEntry
from tests.cases.test_services import set_up_casework

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2025, 6, 2)
DUE = dt.date(2025, 6, 23)  # 15 working days after MONDAY, with no public holidays


@pytest.fixture
def casework(world, personas, settings, monkeypatch):
    settings.HOMEWARD_HOLIDAY_COUNTRY = ""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: MONDAY)
    return set_up_casework(world, personas)


def test_an_overdue_application_is_escalated_to_its_office_supervisor(casework, personas):
    application = casework.submitted()
    assert application.due_on == DUE

    assert services.escalate_overdue(today=DUE) == 0
    assert services.escalate_overdue(today=DUE + dt.timedelta(days=1)) == 1

    escalation = Escalation.objects.get()
    assert (escalation.application, escalation.office, escalation.escalated_to, escalation.due_on) == (
        application,
        casework.aghdam_office,
        personas.supervisor,
        DUE,
    )
    assert AuditEntry.objects.filter(object_type="cases.escalation", action="create").count() == 1


def test_escalating_twice_escalates_once(casework):
    casework.submitted()
    later = DUE + dt.timedelta(days=3)

    assert services.escalate_overdue(today=later) == 1
    assert services.escalate_overdue(today=later) == 0
    assert services.escalate_overdue(today=later + dt.timedelta(days=1)) == 0
    assert Escalation.objects.count() == 1


def test_the_task_escalates_through_the_service(casework, monkeypatch, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    casework.submitted()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: DUE + dt.timedelta(days=1))

    result = tasks.escalate_overdue.enqueue()

    assert result.return_value == 1
    assert tasks.escalate_overdue.enqueue().return_value == 0


def test_an_application_waiting_for_information_is_not_escalated(casework, personas):
    application = casework.in_review()
    services.request_information(application, actor=personas.caseworker_aghdam, request="Photograph")

    assert services.escalate_overdue(today=DUE + dt.timedelta(days=10)) == 0


def test_decided_and_draft_applications_are_not_escalated(casework, personas):
    casework.draft()
    decided = casework.in_review()
    services.decide(decided, actor=personas.supervisor, result="issued")

    assert services.escalate_overdue(today=DUE + dt.timedelta(days=10)) == 0


def test_a_supervisor_lists_the_escalated_cases_of_the_offices_they_supervise(casework, personas):
    overdue = casework.submitted()
    services.escalate_overdue(today=DUE + dt.timedelta(days=1))

    assert [e.application for e in selectors.escalations_for(personas.supervisor)] == [overdue]
    assert list(selectors.escalations_for(casework.second_supervisor)) == []


def test_deciding_resolves_the_escalation(casework, personas):
    application = casework.in_review()
    services.escalate_overdue(today=DUE + dt.timedelta(days=1))

    services.decide(application, actor=personas.supervisor, result="issued")

    assert Escalation.objects.get().resolved_at is not None
    assert list(selectors.escalations_for(personas.supervisor)) == []


def test_a_deadline_moved_by_the_clock_stop_is_escalated_again_if_missed_again(casework, personas, monkeypatch):
    application = casework.in_review()
    assert services.escalate_overdue(today=DUE + dt.timedelta(days=1)) == 1

    services.request_information(application, actor=personas.caseworker_aghdam, request="Photograph")
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dt.date(2025, 6, 9))
    services.receive_information(application, actor=personas.caseworker_aghdam)

    # Five working days waited (3-6 and 9 June): due 20 working days after 2 June, on 30 June.
    assert application.due_on == dt.date(2025, 6, 30)
    assert services.escalate_overdue(today=dt.date(2025, 6, 30)) == 0
    assert services.escalate_overdue(today=dt.date(2025, 7, 1)) == 1
    assert Escalation.objects.filter(application=application).count() == 2
