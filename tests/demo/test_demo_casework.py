"""The demo's casework: offices in every district, applications in every state of the workflow, and
rows that are exactly what the casework services would have written."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from homeward.accounts.models import User
from homeward.cases import documents, selectors, services, workflow
from homeward.cases.choices import CLOCK_RUNNING_STATES, ApplicationState, DecisionOutcome
from homeward.cases.identity import ApplicantData, RegistryNameMatcher
from homeward.cases.models import (
    Application,
    Decision,
    Escalation,
    InformationRequest,
    Message,
    MobileTeam,
    Office,
    OriginalSeen,
    Transition,
)
from homeward.core.audit import verify_chain
from homeward.core.context import acting_as
from homeward.core.models import AuditAction, AuditEntry
from homeward.core.permissions import may
from homeward.demo import DEMO_PASSWORD, ensure_demo_users, load_demo
from homeward.demo.casework import ORIGINALS_SEEN_BEFORE_REVIEW, document_names
from homeward.demo.casework_plans import LANGUAGES, CaseTier, ServiceInfo, plan_applications
from homeward.demo.names import load_name_bank
from homeward.demo.places import Settlement
from homeward.demo.region import load_region
from homeward.demo.scales import SCALES

SEED = "homeward-demo:karabakh:casework"
SMALL = next(scale for scale in SCALES if scale.name == "small")
BULK_MODELS = (Application, Transition, Decision, Message, InformationRequest, OriginalSeen)


@pytest.fixture
def small(db):
    return load_demo("small")


def fingerprint() -> list[tuple[Any, ...]]:
    return sorted(Application.objects.values_list("reference", "state", "due_on", "given_name", "family_name"))


# --- what is there ----------------------------------------------------------------------------


def test_every_state_of_the_workflow_has_applications_at_the_small_scale(small):
    states = Counter(Application.objects.values_list("state", flat=True))
    assert set(states) == set(ApplicationState.values), states
    assert small.casework.applications == sum(states.values()) == SMALL.applications
    outcomes = Counter(Decision.objects.values_list("outcome", flat=True))
    assert outcomes[DecisionOutcome.APPROVED] > outcomes[DecisionOutcome.REJECTED] > 0
    assert not Decision.objects.filter(outcome=DecisionOutcome.REJECTED, reasons=[]).exists()
    assert Transition.objects.filter(event="reopen").exists()
    assert Transition.objects.filter(event="dismiss_appeal").exists()
    assert InformationRequest.objects.filter(answered_at__isnull=False).exists()


def test_applications_are_spread_over_services_months_people_and_languages(small):
    applications = list(Application.objects.exclude(state=ApplicationState.DRAFT))
    assert len({application.service_id for application in applications}) >= 10
    today = timezone.localdate()
    submitted = [application.submitted_on or today for application in applications]
    assert max(submitted) < today
    assert (today - min(submitted)).days > 120
    overdue = [a for a in applications if a.state in CLOCK_RUNNING_STATES and (a.due_on or today) < today]
    assert 0 < len(overdue) < len(applications) / 4
    assert any(application.mobile_team_id for application in applications)
    linked = [application for application in applications if application.person_id]
    assert linked and all(application.state != ApplicationState.SUBMITTED for application in linked)
    unknown = [application for application in applications if not application.identity_candidates]
    assert unknown, "some applicants are not in the registry"
    assert {application.language for application in applications} == set(LANGUAGES)


def test_every_district_has_a_staffed_office_of_each_kind(small):
    region = load_region()
    for district in region.districts:
        offices = Office.objects.filter(districts__code=district.code)
        assert {office.agency.code for office in offices} == {spec.agency for spec in region.case_offices}
        for office in offices:
            assert office.members.filter(role="caseworker").count() == SMALL.caseworkers
            assert office.supervisors.filter(role="supervisor").count() == 1
            assert office.services.exists()
    teams = MobileTeam.objects.select_related("office")
    wanted = sum(len(spec.mobile_districts) for spec in region.case_offices)
    assert teams.count() == small.casework.mobile_teams == wanted
    assert all(set(team.members.all()) <= set(team.office.members.all()) for team in teams)
    staff = User.objects.filter(username__contains=".caseworker")
    assert staff.count() == SMALL.caseworkers * Office.objects.count()
    assert all(user.check_password(DEMO_PASSWORD) for user in staff)


def test_the_demo_caseworker_sees_a_queue_of_their_office(small):
    ensure_demo_users()
    caseworker = User.objects.get(username="caseworker")
    queue = list(selectors.queue_for(caseworker))
    assert queue
    assert {application.district.code for application in queue} == {"AZ-AGM"}
    assert {application.agency_id for application in queue} == {caseworker.agency_id}
    assert all(application.assignee_id is None for application in queue)


def test_the_demo_supervisor_sees_the_escalated_applications(small):
    ensure_demo_users()
    supervisor = User.objects.get(username="supervisor")
    escalations = list(selectors.escalations_for(supervisor))
    assert escalations
    assert small.casework.escalations == Escalation.objects.count() >= len(escalations)
    for escalation in escalations:
        assert escalation.application.due_on == escalation.due_on < timezone.localdate()
        assert escalation.application.state in CLOCK_RUNNING_STATES


# --- the same every time ----------------------------------------------------------------------


def test_the_same_seed_gives_the_same_applications(db):
    fingerprints = []
    for _ in range(2):
        with transaction.atomic():
            load_demo("small")
            fingerprints.append(fingerprint())
            transaction.set_rollback(True)
        assert not Application.objects.exists()
    assert fingerprints[0] == fingerprints[1]
    assert len({reference for reference, *_ in fingerprints[0]}) == SMALL.applications


def test_a_second_run_creates_nothing(small):
    models = (*BULK_MODELS, Office, MobileTeam, User, Escalation, AuditEntry)
    counts = [model.objects.count() for model in models]
    again = load_demo("small")
    assert again.casework.created == 0
    assert [model.objects.count() for model in models] == counts


def test_a_larger_scale_starts_with_the_applications_of_the_smaller_one():
    bank = load_name_bank(load_region().name_bank)
    services = [
        ServiceInfo("passport", 15, ("issued",), ("refused",), ("given_name", "birth_date"), ("photo",)),
        ServiceInfo("pension", 10, ("granted",), ("refused",), ("current_address",), ("employment_record",)),
    ]
    settlements = [Settlement(f"S{i}", uuid.UUID(int=i + 1), uuid.UUID(int=99), 100 + i) for i in range(5)]
    small_tier = CaseTier(30, 8, 2, settlements[:2], [100, 201])
    larger_tier = CaseTier(90, 40, 4, settlements, [100, 201, 303, 406, 510])
    documents = document_names()
    few = plan_applications(SEED, [small_tier], services, bank, documents)
    many = plan_applications(SEED, [small_tier, larger_tier], services, bank, documents)
    assert many[:30] == few
    assert len(many) == 90 and all(tier is larger_tier for _, tier in many[30:])


def test_each_bulk_load_leaves_one_audit_entry_per_model_and_the_chain_holds(small):
    entries = AuditEntry.objects.filter(action=AuditAction.BULK_LOAD, object_type__startswith="cases.")
    by_type = {entry.object_type: entry.changes["created"] for entry in entries}
    assert by_type == {model._meta.label_lower: model.objects.count() for model in BULK_MODELS}
    assert verify_chain().ok


# --- what the services would have written -----------------------------------------------------


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(timezone.get_current_timezone()).date()


def test_states_deadlines_and_decisions_follow_the_services_rules(small):
    calendar = selectors.working_calendar()
    applications = Application.objects.select_related("service").prefetch_related(
        "transitions__actor", "decisions", "information_requests"
    )
    for application in applications:
        steps = list(application.transitions.order_by("at", "created_at"))
        machine = SimpleNamespace(state=ApplicationState.DRAFT.value)
        for step in steps:
            assert workflow.fire(machine, step.event) == (step.from_state, step.to_state), application.reference
            assert may(step.actor, workflow.required_action(step.event, step.from_state), application)
        assert machine.state == application.state
        assert application.row_version >= 1 + len(steps)
        if application.state == ApplicationState.DRAFT:
            assert application.office_id is None and application.due_on is None
            continue
        submit = steps[0]
        assert application.submitted_on == _local_day(submit.at)
        office = application.office
        assert office is not None and office == services.office_for(application)
        assert application.agency_id == office.agency_id
        clock_starts = [step for step in steps if step.event in ("submit", "reopen")]
        assert application.clock_started_on == _local_day(clock_starts[-1].at)
        assert application.deadline_working_days == application.service.deadline_working_days
        since = [step for step in steps if step.at >= clock_starts[-1].at]
        asked = [step for step in since if step.event == "request_information"]
        answered = [step for step in since if step.event == "receive_information"]
        paused = sum(
            calendar.working_days_between(_local_day(a.at), _local_day(b.at))
            for a, b in zip(asked, answered, strict=False)
        )
        assert application.paused_working_days == paused
        assert application.due_on == calendar.add_working_days(
            application.clock_started_on, application.deadline_working_days + paused
        )
        waiting = application.state == ApplicationState.INFORMATION_REQUESTED
        assert application.information_requested_on == (_local_day(asked[-1].at) if waiting else None)
        requests = list(application.information_requests.all())
        assert len(requests) == len([step for step in steps if step.event == "request_information"])
        assert sum(request.answered_at is None for request in requests) == int(waiting)
        decisions = sorted(application.decisions.all(), key=lambda decision: decision.decided_at)
        assert len(decisions) == len([step for step in steps if step.event == "decide"])
        if application.state in (ApplicationState.DECIDED, ApplicationState.APPEALED, ApplicationState.CLOSED):
            latest = decisions[-1]
            assert (application.outcome, application.result) == (latest.outcome, latest.result)
            assert application.service.outcome_kind(latest.result) == latest.outcome
        else:
            assert application.outcome == application.result == ""
        assert (application.closed_at is not None) == (application.state == ApplicationState.CLOSED)


def test_identity_candidates_are_what_the_matcher_finds_on_submission(small):
    matcher = RegistryNameMatcher()
    applications = Application.objects.exclude(state=ApplicationState.DRAFT)
    for application in applications:
        applicant = ApplicantData(
            application.given_name, application.family_name, application.patronymic, application.birth_date
        )
        found = [candidate.as_evidence() for candidate in matcher.candidates(applicant)]
        assert application.identity_candidates == found, application.reference
        if application.person_id is not None:
            assert str(application.person_id) in {candidate["person"] for candidate in found}


class Replay:
    """Takes a demo application's steps again through the casework services, each at its moment."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def at(self, moment: dt.datetime) -> None:
        self.monkeypatch.setattr(timezone, "now", lambda: moment)
        self.monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: _local_day(moment))
        # A field default holds the function itself, so it does not see the patch above.
        self.monkeypatch.setattr(Message._meta.get_field("sent_at"), "_get_default", lambda: moment)

    def run(self, demo: Application) -> Application:
        creator = demo.created_by
        self.at(demo.created_at)
        with acting_as(creator):
            draft = services.ApplicationInput(
                service=demo.service.code,
                district=demo.district.code,
                given_name=demo.given_name,
                family_name=demo.family_name,
                patronymic=demo.patronymic,
                birth_date=demo.birth_date,
                contact=demo.contact,
                details=demo.details,
                mobile_team_id=demo.mobile_team_id,
                language=demo.language,
            )
            application = services.create_application(draft, actor=creator)
        decisions = iter(demo.decisions.order_by("decided_at"))
        requests = iter(demo.information_requests.order_by("requested_at"))
        for step in demo.transitions.order_by("at", "created_at").select_related("actor"):
            actor = step.actor
            if step.event == "start_screening":
                supervisor = Office.objects.get(applications=application).supervisors.get()
                self.at(step.at - dt.timedelta(minutes=2))
                with acting_as(supervisor):
                    services.assign(application, demo.assignee, actor=supervisor)
            if step.event == "start_review" and demo.person_id is not None:
                self.at(step.at - dt.timedelta(minutes=2))
                with acting_as(actor):
                    services.link_person(application, demo.person_id, actor=actor)
            if step.event == "start_review":
                self.at(step.at - ORIGINALS_SEEN_BEFORE_REVIEW)
                with acting_as(actor):
                    for document_type in application.service.required_documents:
                        documents.record_original_seen(application, actor=actor, document_type=document_type)
            self.at(step.at)
            with acting_as(actor):
                if step.event == "request_information":
                    request = next(requests)
                    services.request_information(
                        application, actor=actor, request=step.note, document_types=request.document_types
                    )
                elif step.event == "decide":
                    decision = next(decisions)
                    services.decide(application, actor=actor, result=decision.result, reasons=decision.reasons)
                elif step.event == "appeal":
                    services.appeal(application, actor=actor, grounds=step.note)
                else:
                    services.SIMPLE_EVENTS[step.event](application, actor=actor, note=step.note)
        application.refresh_from_db()
        return application


COMPARED = (
    "service_id", "state", "district_id", "agency_id", "office_id", "assignee_id", "given_name", "family_name",
    "patronymic", "birth_date", "contact", "details", "language", "person_id", "identity_candidates",
    "assisted_by_id", "mobile_team_id", "submitted_on", "clock_started_on", "deadline_working_days",
    "paused_working_days", "information_requested_on", "due_on", "outcome", "result", "decided_at", "closed_at",
    "created_at", "updated_at", "created_by_id", "updated_by_id", "row_version",
)  # fmt: skip


def _parts(application: Application) -> dict[str, list[tuple[Any, ...]]]:
    stamps = ("created_at", "updated_at", "created_by_id", "updated_by_id", "row_version")
    return {
        "transitions": list(
            application.transitions.order_by("at", "created_at").values_list(
                "event", "from_state", "to_state", "actor_id", "at", "note", *stamps
            )
        ),
        "decisions": list(
            application.decisions.order_by("decided_at").values_list(
                "outcome", "result", "reasons", "decided_by_id", "decided_at", *stamps
            )
        ),
        "messages": list(
            application.messages.order_by("sent_at").values_list("direction", "author_id", "text", "sent_at", *stamps)
        ),
        "originals": list(
            application.originals_seen.order_by("seen_at", "document_type").values_list(
                "document_type", "seen_by_id", "seen_at", "note", *stamps
            )
        ),
        "requests": list(
            application.information_requests.order_by("requested_at").values_list(
                "document_types",
                "message__text",
                "requested_by_id",
                "requested_at",
                "answered_by_id",
                "answered_at",
                *stamps,
            )
        ),
    }


def _sample() -> list[Application]:
    """Applications in every state, and the ones whose paths pass every kind of step."""
    chosen: dict[uuid.UUID, Application] = {}
    demo = Application.objects.select_related("service", "district", "assignee", "created_by").order_by("reference")
    for state in ApplicationState.values:
        for application in demo.filter(state=state)[:2]:
            chosen[application.pk] = application
    for event in ("receive_information", "reopen", "dismiss_appeal"):
        for application in demo.filter(transitions__event=event)[:2]:
            chosen[application.pk] = application
    for application in [*demo.filter(mobile_team__isnull=False)[:2], *demo.filter(person__isnull=False)[:2]]:
        chosen[application.pk] = application
    return list(chosen.values())


def test_a_sample_taken_again_through_the_services_comes_out_the_same(small, monkeypatch):
    sample = _sample()
    assert len(sample) >= 12
    replay = Replay(monkeypatch)
    for demo in sample:
        again = replay.run(demo)
        assert again.reference.rsplit("-", 1)[0] == demo.reference.rsplit("-", 1)[0]
        assert len(again.reference) == len(demo.reference)
        assert {name: getattr(again, name) for name in COMPARED} == {name: getattr(demo, name) for name in COMPARED}
        assert _parts(again) == _parts(demo), demo.reference


def test_applications_hold_no_field_for_ethnicity_religion_or_politics():
    forbidden = ("ethnic", "religio", "nationality", "politic", "race", "faith", "tribe", "clan")
    for model in (Application, *BULK_MODELS):
        for field in model._meta.get_fields():
            assert not any(word in field.name.lower() for word in forbidden), field.name
