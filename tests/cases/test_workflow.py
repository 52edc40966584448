"""The application workflow: every step allowed or refused by state, by role and by district; who may
decide (own cases, supervisors) and rule on appeals (supervisors, four eyes); decisions; two people
deciding at once; random walks through the machine."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homeward.cases import documents, selectors, services, workflow
from homeward.cases.choices import ApplicationState
from homeward.cases.models import Application, Decision, Transition
from homeward.cases.services import ActionRefused, CaseError
from homeward.cases.workflow import TransitionRefused
from homeward.core.context import acting_as
from homeward.core.models import AuditEntry
from homeward.core.versioning import StaleObjectError
from tests.cases.test_services import set_up_casework
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STATES = list(ApplicationState.values)
EVENTS = workflow.events()


@pytest.fixture
def casework(world, personas):
    return set_up_casework(world, personas)


def fire(application: Application, event: str, actor) -> object:
    """Call the service for ``event`` with the arguments it needs."""
    if event == "decide":
        # An approval needs the required documents: seen at the counter, where deciding is allowed.
        for document_type in selectors.missing_documents(application) if application.state == "in_review" else ():
            documents.record_original_seen(application, actor=actor, document_type=document_type)
        return services.decide(application, actor=actor, result="issued")
    if event == "request_information":
        return services.request_information(application, actor=actor, request="Proof of residence")
    if event == "appeal":
        return services.appeal(application, actor=actor, grounds="New evidence")
    return services.SIMPLE_EVENTS[event](application, actor=actor)


def in_state(casework, state: str) -> Application:
    """An application put straight into ``state`` (test set-up only: the services never do this)."""
    application = casework.draft() if state == ApplicationState.DRAFT else casework.submitted()
    Application.objects.filter(pk=application.pk).update(state=state)
    application.refresh_from_db()
    return application


def footprint(application: Application) -> tuple:
    return (
        Application.objects.filter(pk=application.pk).values_list("state", "row_version", "assignee").get(),
        Transition.objects.filter(application=application).count(),
        Decision.objects.filter(application=application).count(),
        AuditEntry.objects.count(),
    )


def test_the_machine_has_the_designed_steps():
    assert {(s.source, s.event, s.target) for s in workflow.steps()} == {
        ("draft", "submit", "submitted"),
        ("submitted", "start_screening", "screening"),
        ("screening", "start_review", "in_review"),
        ("in_review", "request_information", "information_requested"),
        ("information_requested", "receive_information", "in_review"),
        ("in_review", "decide", "decided"),
        ("decided", "appeal", "appealed"),
        ("appealed", "reopen", "in_review"),
        ("appealed", "dismiss_appeal", "closed"),
        ("decided", "close", "closed"),
    }
    assert set(workflow.EVENT_ACTIONS) == {s.event for s in workflow.steps()}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("event", EVENTS)
def test_each_step_is_allowed_only_from_its_state(casework, personas, state, event):
    application = in_state(casework, state)
    step = workflow.step_of(event, state)
    supervisor = personas.supervisor

    with acting_as(supervisor):
        if step is not None:
            fire(application, event, supervisor)
            application.refresh_from_db()
            assert application.state == step.target
            assert Transition.objects.filter(application=application, event=event, to_state=step.target).exists()
        else:
            before = footprint(application)
            with pytest.raises(TransitionRefused) as refused:
                fire(application, event, supervisor)
            assert footprint(application) == before
            assert application.state == state
            assert str(ApplicationState(state).label).lower() in str(refused.value)


def test_a_refused_step_names_the_current_and_the_target_state(casework, personas):
    application = in_state(casework, ApplicationState.SCREENING)

    with pytest.raises(TransitionRefused) as refused:
        services.decide(application, actor=personas.supervisor, result="issued")

    assert str(refused.value) == (
        "cannot decide: the application is 'screening', and this step only leads from 'in review' to 'decided'"
    )


def test_an_unknown_event_is_refused(casework, personas):
    application = in_state(casework, ApplicationState.IN_REVIEW)
    with pytest.raises(TransitionRefused, match="not a step of the workflow"):
        workflow.fire(application, "teleport")
    assert application.state == ApplicationState.IN_REVIEW


def test_a_caseworker_outside_the_district_is_refused_and_nothing_is_written(casework, personas):
    application = casework.in_review()
    before = footprint(application)

    with pytest.raises(ActionRefused) as refused:
        services.request_information(application, actor=personas.caseworker_lachin, request="Photograph")

    assert "caseworker.lachin" in str(refused.value)
    assert "outside the districts they work in" in str(refused.value)
    assert footprint(application) == before
    assert application.state == ApplicationState.IN_REVIEW


def test_a_caseworker_of_another_agency_is_refused(casework, personas, world):
    application = casework.in_review()
    outsider = UserFactory(username="ngo.worker", role="caseworker", agency=world.partner_ngo, districts=[world.aghdam])

    with pytest.raises(ActionRefused, match="another agency"):
        services.start_screening(application, actor=outsider)


def assigned(casework, personas, caseworker=None) -> Application:
    """An application in review, assigned by the supervisor to ``caseworker`` (the Aghdam caseworker)."""
    application = casework.in_review()
    services.assign(application, caseworker or personas.caseworker_aghdam, actor=personas.supervisor)
    return application


def test_deciding_needs_the_decide_permission(casework, personas):
    application = assigned(casework, personas)
    before = footprint(application)

    with pytest.raises(ActionRefused, match=r"auditor \(auditor\) may not decide"):
        services.decide(application, actor=personas.auditor, result="issued")

    assert footprint(application) == before


def test_a_caseworker_decides_an_application_assigned_to_them(casework, personas):
    application = assigned(casework, personas)

    decision = services.decide(
        application, actor=personas.caseworker_aghdam, result="refused", reasons=["No proof of residence"]
    )

    assert (decision.decided_by, decision.outcome) == (personas.caseworker_aghdam, "rejected")
    assert Application.objects.get(pk=application.pk).state == ApplicationState.DECIDED


@pytest.mark.parametrize("assignee", ["nobody", "a colleague"])
def test_a_caseworker_may_not_decide_an_application_not_assigned_to_them(casework, personas, assignee):
    if assignee == "nobody":
        application = casework.in_review()
    else:
        application = assigned(casework, personas, casework.second_caseworker)
    before = footprint(application)

    with pytest.raises(ActionRefused) as refused:
        services.decide(application, actor=personas.caseworker_aghdam, result="issued")

    assert str(refused.value) == (
        "caseworker.aghdam may not decide an application that is not assigned to them "
        f"(a caseworker decides their own cases); application {application.reference}"
    )
    assert footprint(application) == before
    assert application.state == ApplicationState.IN_REVIEW


def test_a_supervisor_decides_any_application_in_their_scope(casework, personas):
    application = assigned(casework, personas, casework.second_caseworker)

    assert services.decide(application, actor=personas.supervisor, result="issued").decided_by == personas.supervisor


def test_ruling_on_an_appeal_needs_a_supervisor(casework, personas):
    application = assigned(casework, personas, casework.second_caseworker)
    services.decide(application, actor=personas.supervisor, result="refused", reasons=["No photograph"])
    services.appeal(application, actor=personas.caseworker_aghdam, grounds="Photograph attached")
    before = footprint(application)

    for rule in (services.reopen, services.dismiss_appeal):
        with pytest.raises(ActionRefused, match="rule on an appeal: that is for a supervisor"):
            rule(application, actor=casework.second_caseworker)

    assert footprint(application) == before
    assert application.state == ApplicationState.APPEALED


def test_the_decision_maker_may_not_rule_on_the_appeal_against_their_decision(casework, personas):
    application = casework.in_review()
    services.decide(application, actor=personas.supervisor, result="refused", reasons=["No photograph"])
    services.appeal(application, actor=personas.caseworker_aghdam, grounds="Photograph attached")
    before = footprint(application)

    for rule in (services.reopen, services.dismiss_appeal):
        with pytest.raises(ActionRefused) as refused:
            rule(application, actor=personas.supervisor)
        assert "rule on an appeal against their own decision: another supervisor must (four eyes)" in str(refused.value)
    assert footprint(application) == before

    services.reopen(application, actor=casework.second_supervisor)
    assert Application.objects.get(pk=application.pk).state == ApplicationState.IN_REVIEW


def test_four_eyes_look_at_the_decision_under_appeal_not_an_earlier_one(casework, personas):
    application = casework.in_review()
    services.decide(application, actor=personas.supervisor, result="refused", reasons=["No photograph"])
    services.appeal(application, actor=personas.caseworker_aghdam, grounds="Photograph attached")
    services.reopen(application, actor=casework.second_supervisor)
    services.decide(application, actor=casework.second_supervisor, result="refused", reasons=["Still no photograph"])
    services.appeal(application, actor=personas.caseworker_aghdam, grounds="It was handed in")

    with pytest.raises(ActionRefused, match="four eyes"):
        services.dismiss_appeal(application, actor=casework.second_supervisor)
    services.dismiss_appeal(application, actor=personas.supervisor, note="The photograph does not meet the rules")

    assert Application.objects.get(pk=application.pk).state == ApplicationState.CLOSED


def test_a_supervisor_rules_on_the_appeal_against_a_caseworkers_decision(casework, personas):
    application = assigned(casework, personas)
    services.decide(application, actor=personas.caseworker_aghdam, result="refused", reasons=["No photograph"])
    services.appeal(application, actor=personas.caseworker_aghdam, grounds="Photograph attached")

    services.dismiss_appeal(application, actor=personas.supervisor)

    assert Application.objects.get(pk=application.pk).state == ApplicationState.CLOSED


def test_the_events_a_user_may_fire_follow_the_same_rules(casework, personas):
    application = assigned(casework, personas)

    assert "decide" in selectors.allowed_events_for(personas.caseworker_aghdam, application)
    assert "decide" not in selectors.allowed_events_for(casework.second_caseworker, application)
    assert "decide" in selectors.allowed_events_for(personas.supervisor, application)
    assert selectors.allowed_events_for(personas.caseworker_lachin, application) == []

    services.decide(application, actor=personas.supervisor, result="refused", reasons=["No photograph"])
    services.appeal(application, actor=personas.caseworker_aghdam, grounds="Photograph attached")

    assert selectors.allowed_events_for(personas.supervisor, application) == []
    assert selectors.allowed_events_for(casework.second_supervisor, application) == ["reopen", "dismiss_appeal"]
    assert selectors.allowed_events_for(personas.caseworker_aghdam, application) == []


def test_a_supervisor_outside_the_district_cannot_decide(casework, personas, world):
    application = casework.in_review()
    far_supervisor = UserFactory(
        username="supervisor.lachin", role="supervisor", agency=world.migration_service, districts=[world.lachin]
    )

    with pytest.raises(ActionRefused):
        services.decide(application, actor=far_supervisor, result="issued")


def test_a_rejection_without_reasons_is_refused(casework, personas):
    application = casework.in_review()
    before = footprint(application)

    with pytest.raises(CaseError) as refused:
        services.decide(application, actor=personas.supervisor, result="refused", reasons=[])
    assert refused.value.field == "reasons"
    with pytest.raises(CaseError) as blank:
        services.decide(application, actor=personas.supervisor, result="refused", reasons=["  "])
    assert blank.value.field == "reasons[0]"

    assert footprint(application) == before


def test_a_rejection_with_reasons_is_recorded(casework, personas):
    application = casework.in_review()

    decision = services.decide(
        application, actor=personas.supervisor, result="refused", reasons=["The photograph does not meet the rules"]
    )

    assert (decision.outcome, decision.result, decision.reasons) == (
        "rejected",
        "refused",
        ["The photograph does not meet the rules"],
    )
    application.refresh_from_db()
    assert (application.state, application.outcome, application.result) == ("decided", "rejected", "refused")


def test_an_outcome_the_service_does_not_have_is_refused(casework, personas):
    application = casework.in_review()
    with pytest.raises(CaseError) as refused:
        services.decide(application, actor=personas.supervisor, result="granted")
    assert refused.value.field == "result"
    assert "issued, refused" in refused.value.message


def test_an_approval_needs_no_reason(casework, personas):
    application = casework.in_review()
    assert services.decide(application, actor=personas.supervisor, result="issued").outcome == "approved"


def test_appeal_then_dismissal_closes_the_application(casework, personas):
    application = casework.in_review()
    services.decide(application, actor=personas.supervisor, result="refused", reasons=["No proof of residence"])
    services.appeal(application, actor=personas.caseworker_aghdam, grounds="Proof attached")
    services.dismiss_appeal(application, actor=casework.second_supervisor, note="Proof is not valid")

    application.refresh_from_db()
    assert application.state == ApplicationState.CLOSED
    assert application.closed_at is not None


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("event", EVENTS)
def test_fire_gives_the_verdict_of_the_library_machine(state, event):
    # fire() looks the step up in the machine's transitions instead of running the machine's event
    # loop; a machine of the library, sent the same event from the same state, must agree.
    from statemachine.exceptions import TransitionNotAllowed

    holder = type("Holder", (), {"state": state})()
    machine = workflow.ApplicationWorkflow(model=holder, state_field="state")
    try:
        machine.send(event)
        expected: str | None = holder.state
    except TransitionNotAllowed:
        expected = None

    stub = type("Stub", (), {"state": state})()
    if expected is None:
        with pytest.raises(TransitionRefused):
            workflow.fire(stub, event)
        assert stub.state == state
    else:
        assert workflow.fire(stub, event) == (state, expected)
        assert stub.state == expected


def test_an_appeal_needs_grounds(casework, personas):
    application = casework.in_review()
    services.decide(application, actor=personas.supervisor, result="issued")
    with pytest.raises(CaseError):
        services.appeal(application, actor=personas.caseworker_aghdam, grounds=" ")


# --- two people at once -----------------------------------------------------------------------


def test_of_two_decisions_on_one_copy_the_second_is_refused_as_changed_by_someone_else(casework, personas):
    application = casework.in_review()
    mine = Application.objects.get(pk=application.pk)
    theirs = Application.objects.get(pk=application.pk)

    services.decide(mine, actor=personas.supervisor, result="issued")
    with pytest.raises(StaleObjectError, match="changed by someone else"):
        services.decide(theirs, actor=casework.second_supervisor, result="refused", reasons=["Too late"])

    assert theirs.state == ApplicationState.IN_REVIEW
    assert list(Decision.objects.filter(application=application).values_list("result", flat=True)) == ["issued"]
    assert Transition.objects.filter(application=application, event="decide").count() == 1


def test_a_step_from_a_page_opened_before_someone_elses_change_is_refused(casework, personas):
    application = casework.in_review()
    seen = application.row_version
    services.add_note(application, "looked at it", actor=personas.caseworker_aghdam)
    services.request_information(application, actor=personas.caseworker_aghdam, request="Photograph")

    fresh = Application.objects.get(pk=application.pk)
    with pytest.raises(StaleObjectError):
        services.receive_information(fresh, actor=personas.caseworker_aghdam, seen_version=seen)
    assert Application.objects.get(pk=application.pk).state == ApplicationState.INFORMATION_REQUESTED


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections racing need PostgreSQL")
def test_two_supervisors_deciding_at_the_same_moment_one_wins(world, personas):
    casework = set_up_casework(world, personas)
    application = casework.in_review()
    deciders = [personas.supervisor, casework.second_supervisor]
    results = [("issued", []), ("refused", ["Documents incomplete"])]
    ready = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def decide(n: int) -> None:
        try:
            copy = Application.objects.select_related("service").get(pk=application.pk)
            ready.wait(timeout=10)
            result, reasons = results[n]
            with acting_as(deciders[n]):
                services.decide(copy, actor=deciders[n], result=result, reasons=reasons)
            outcomes[n] = "decided"
        except BaseException as error:  # noqa: BLE001 - inspected below
            outcomes[n] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(type(o).__name__ if not isinstance(o, str) else o for o in outcomes) == [
        "StaleObjectError",
        "decided",
    ]
    assert Decision.objects.filter(application=application).count() == 1
    assert Transition.objects.filter(application=application, event="decide").count() == 1
    winner = outcomes.index("decided")
    assert Application.objects.get(pk=application.pk).result == results[winner][0]


# --- random walks -----------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(walk=st.lists(st.sampled_from(EVENTS), max_size=12))
def test_random_walks_stay_in_the_machine_and_refused_steps_change_nothing(casework, personas, walk):
    application = casework.draft()
    for event in walk:
        # One supervisor decides, the other rules on appeals (four eyes).
        supervisor = casework.second_supervisor if event in workflow.APPEAL_RULINGS else personas.supervisor
        state = application.state
        step = workflow.step_of(event, state)
        before = footprint(application)
        if step is None:
            with pytest.raises(TransitionRefused):
                fire(application, event, supervisor)
            assert footprint(application) == before
            assert application.state == state
        else:
            fire(application, event, supervisor)
            assert application.state == step.target
        stored = Application.objects.get(pk=application.pk)
        assert stored.state in ApplicationState.values
        assert stored.state == application.state
        assert stored.row_version == application.row_version
