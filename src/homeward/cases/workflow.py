"""The application workflow: which state may follow which, through which event, by whom.

The states and transitions are a ``python-statemachine`` :class:`~statemachine.StateMachine`, which
checks the graph when it is declared; :func:`fire` takes each step from the machine's own transitions,
so the picture below is the whole truth and cannot drift from the code::

    draft ─submit→ submitted ─start_screening→ screening ─start_review→ in_review
    in_review ─request_information→ information_requested ─receive_information→ in_review
    in_review ─decide→ decided ─appeal→ appealed ─reopen→ in_review
                       decided ─close→ closed ←dismiss_appeal─ appealed

Each event needs a permission (:data:`EVENT_ACTIONS`): a caseworker screens, reviews and asks for
information; deciding and ruling on an appeal need the ``decide`` permission. Some events ask more
of the person (:func:`personal_refusal`):

* a caseworker decides only the applications assigned to them; a supervisor decides any within
  their agency and districts;
* ruling on an appeal (``reopen``, ``dismiss_appeal``) needs a supervisor (:data:`EVENT_ROLES`), and
  someone other than the person who made the decision under appeal (four eyes).

What an event writes besides the state — deadlines, decisions, the transition log, the audit — is
the business of :mod:`homeward.cases.services`, which is the only caller of :func:`fire`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from statemachine import State, StateMachine

from homeward.cases.choices import ApplicationState
from homeward.core.permissions import Action
from homeward.core.roles import Role


class ApplicationWorkflow(StateMachine):
    draft = State(initial=True, value=ApplicationState.DRAFT.value)
    submitted = State(value=ApplicationState.SUBMITTED.value)
    screening = State(value=ApplicationState.SCREENING.value)
    in_review = State(value=ApplicationState.IN_REVIEW.value)
    information_requested = State(value=ApplicationState.INFORMATION_REQUESTED.value)
    decided = State(value=ApplicationState.DECIDED.value)
    appealed = State(value=ApplicationState.APPEALED.value)
    closed = State(final=True, value=ApplicationState.CLOSED.value)

    submit = draft.to(submitted)
    start_screening = submitted.to(screening)
    start_review = screening.to(in_review)
    request_information = in_review.to(information_requested)
    receive_information = information_requested.to(in_review)
    decide = in_review.to(decided)
    appeal = decided.to(appealed)
    reopen = appealed.to(in_review)
    dismiss_appeal = appealed.to(closed)
    close = decided.to(closed)


# The permission each event needs on the application (checked with its agency and district scope).
EVENT_ACTIONS: dict[str, Action] = {
    "submit": Action.CREATE,
    "start_screening": Action.CHANGE,
    "start_review": Action.CHANGE,
    "request_information": Action.CHANGE,
    "receive_information": Action.CHANGE,
    "decide": Action.DECIDE,
    "appeal": Action.CHANGE,
    "reopen": Action.DECIDE,
    "dismiss_appeal": Action.DECIDE,
    "close": Action.CHANGE,
}


# Events only some roles may fire, whatever their permissions: ruling on an appeal is a supervisor's.
EVENT_ROLES: dict[str, frozenset[str]] = {
    "reopen": frozenset({Role.SUPERVISOR}),
    "dismiss_appeal": frozenset({Role.SUPERVISOR}),
}
# Events that rule on an appeal: never by the person whose decision is appealed.
APPEAL_RULINGS = frozenset({"reopen", "dismiss_appeal"})


@dataclass(frozen=True)
class Step:
    event: str
    source: str
    target: str
    action: Action


def _label(state: str) -> str:
    return str(ApplicationState(state).label).lower()


@cache
def _steps() -> tuple[Step, ...]:
    found = []
    for state in ApplicationWorkflow.states:
        for transition in state.transitions:
            for event in transition.events:
                found.append(Step(event.id, state.value, transition.target.value, EVENT_ACTIONS[event.id]))
    return tuple(found)


def steps() -> list[Step]:
    """Every allowed transition, in the order the machine declares them."""
    return list(_steps())


def events() -> list[str]:
    """Every event the workflow knows."""
    return list(EVENT_ACTIONS)


def events_from(state: str) -> list[str]:
    """The events allowed from ``state``."""
    return [step.event for step in steps() if step.source == state]


@cache
def _steps_by_event_and_source() -> dict[tuple[str, str], Step]:
    return {(step.event, step.source): step for step in _steps()}


def step_of(event: str, state: str) -> Step | None:
    return _steps_by_event_and_source().get((event, str(state)))


class TransitionRefused(Exception):
    """An event that cannot happen to an application in its current state; names both states."""

    def __init__(self, event: str, current: str) -> None:
        self.event = event
        self.current = current
        routes = [step for step in steps() if step.event == event]
        self.targets = sorted({step.target for step in routes})
        if not routes:
            message = f"{event!r} is not a step of the workflow (known: {', '.join(events())})"
        else:
            froms = " or ".join(f"'{_label(step.source)}'" for step in routes)
            message = (
                f"cannot {event.replace('_', ' ')}: the application is '{_label(current)}', "
                f"and this step only leads from {froms} to '{_label(routes[0].target)}'"
            )
        super().__init__(message)


def required_action(event: str, state: str) -> Action:
    """The permission ``event`` needs from ``state``; :class:`TransitionRefused` if it is not allowed there."""
    step = step_of(event, state)
    if step is None:
        raise TransitionRefused(event, state)
    return step.action


def fire(application: Any, event: str) -> tuple[str, str]:
    """Move ``application.state`` along ``event``; return ``(from, to)``.

    Writes nothing to the database. Raises :class:`TransitionRefused` (and leaves the state alone)
    when the event is unknown or not allowed from the current state.

    The step is looked up in the machine's own transitions (:func:`steps`, read from
    :class:`ApplicationWorkflow`). Sending the event through a machine instance gave the same
    answer, as the machine has no guards, actions or listeners, but its event loop cost more than
    the rest of a transition in memory; a test holds the two to the same verdict for every state and
    event.
    """
    current = str(application.state)
    step = step_of(event, current)
    if step is None:
        raise TransitionRefused(event, current)
    application.state = step.target
    return current, step.target


def personal_refusal(
    event: str, *, role: str, actor_id: Any, assignee_id: Any = None, decided_by_id: Any = None
) -> str | None:
    """Why this person may not fire ``event`` (beyond permission and scope), or ``None`` if they may.

    ``assignee_id`` is the application's caseworker; ``decided_by_id`` who made the decision in force
    (the one an appeal is against). The reason completes "<user> may not …".
    """
    roles = EVENT_ROLES.get(event)
    if roles is not None and role not in roles:
        return "rule on an appeal: that is for a supervisor"
    if event == "decide" and role == Role.CASEWORKER and (assignee_id is None or assignee_id != actor_id):
        return "decide an application that is not assigned to them (a caseworker decides their own cases)"
    if event in APPEAL_RULINGS and decided_by_id is not None and decided_by_id == actor_id:
        return "rule on an appeal against their own decision: another supervisor must (four eyes)"
    return None
