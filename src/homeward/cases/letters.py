"""The decision letter of an application, in the applicant's language.

:func:`decision_letter` turns an application and its decision in force into the plain
:class:`~homeward.cases.decision_letters.DecisionLetter` the renderer takes:

* the language is the application's (``Application.language``), and so are the service's name
  (``ServiceType.name_<language>``) and the decision maker's role; the applicant's name and the
  reasons are written as they were entered;
* the authority is the agency handling the application, and an appeal goes to the office that decided
  (appeals are ruled on there, by a supervisor other than the decision maker);
* the appeal deadline is :data:`APPEAL_WORKING_DAYS` working days after the decision, counted on the
  deployment's calendar (public holidays and declared days off), like every casework deadline: one
  rule for every applicant, and never a deadline that ends on a day the office is closed.

A letter exists only for an application that has been decided (decided, appealed or closed, with a
decision); :class:`LetterNotAvailable` says why otherwise.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.utils import timezone, translation

from homeward.cases import selectors
from homeward.cases.choices import ApplicationState
from homeward.cases.decision_letters import DecisionLetter, DecisionOutcome, render_decision_pdf
from homeward.cases.models import Application, Decision
from homeward.cases.services import CaseError
from homeward.core.roles import Role

__all__ = [
    "APPEAL_WORKING_DAYS",
    "LETTER_STATES",
    "DecisionLetterFile",
    "LetterNotAvailable",
    "decision_letter",
    "decision_letter_file",
    "decision_letter_pdf",
]

APPEAL_WORKING_DAYS = 20
"""Working days after the decision within which the applicant may appeal."""

# States in which an application has a decision to put in a letter.
LETTER_STATES = frozenset({ApplicationState.DECIDED, ApplicationState.APPEALED, ApplicationState.CLOSED})


class LetterNotAvailable(CaseError):
    """The application has no decision to write a letter about (yet, or any more after a reopening)."""

    def __init__(self, message: str) -> None:
        super().__init__("state", message)


@dataclass(frozen=True)
class DecisionLetterFile:
    filename: str
    content: bytes
    media_type: str = "application/pdf"


def _applicant_name(application: Application) -> str:
    parts = (application.given_name, application.patronymic, application.family_name)
    return " ".join(part.strip() for part in parts if part and part.strip())


def _decision_maker(decision: Decision, language: str, fallback: str) -> tuple[str, str]:
    decider = decision.decided_by
    with translation.override(language):
        if decider is None:
            return fallback, str(Role.SUPERVISOR.label)
        name = decider.get_full_name().strip() or decider.get_username()
        role = str(Role(decider.role).label) if decider.role in Role.values else str(Role.SUPERVISOR.label)
    return name, role


def _decision_in_force(application: Application) -> Decision:
    if application.state not in LETTER_STATES:
        raise LetterNotAvailable(
            f"{application.reference} is {application.get_state_display()}: a decision letter is written once "
            "it is decided"
        )
    decision = selectors.decision_in_force(application)
    if decision is None:
        raise LetterNotAvailable(f"{application.reference} has no recorded decision to write a letter about")
    return decision


def decision_letter(application: Application) -> DecisionLetter:
    """The letter stating the application's decision in force, in the applicant's language.

    Raises :class:`LetterNotAvailable` unless the application is decided, appealed or closed with a
    decision. Checks no permission: callers that act for a user go through :func:`decision_letter_pdf`.
    """
    decision = _decision_in_force(application)
    language = application.language
    service = application.service
    agency = application.agency or (application.office.agency if application.office else None)
    authority = agency.name if agency is not None else (application.office.name if application.office else "")
    appeal_to = application.office.name if application.office is not None else authority
    decided_on = timezone.localdate(decision.decided_at)
    submitted_on = application.submitted_on or decided_on
    name, role = _decision_maker(decision, language, authority)
    calendar = selectors.working_calendar()
    return DecisionLetter(
        reference=application.reference,
        language=language,
        service_name=str(getattr(service, f"name_{language}", "") or service.name_en),
        submitted_on=submitted_on,
        applicant_name=_applicant_name(application),
        applicant_date_of_birth=application.birth_date,
        outcome=DecisionOutcome(decision.outcome),
        reasons=tuple(decision.reasons or ()),
        decided_on=decided_on,
        authority=authority,
        decision_maker_name=name,
        decision_maker_role=role,
        appeal_deadline=calendar.add_working_days(decided_on, APPEAL_WORKING_DAYS),
        appeal_to=appeal_to,
    )


def decision_letter_file(user: Any, application_id: uuid.UUID | str) -> DecisionLetterFile:
    """The decision letter as a PDF named after the application's reference, for a user who may read
    the application (404 otherwise). Audited as a read of the application once the letter is written
    (a refused letter shows nothing, and is not)."""
    application = selectors.application_in_scope(user, application_id)
    pdf = render_decision_pdf(decision_letter(application))
    selectors.record_read(user, application, purpose="decision letter (PDF)")
    return DecisionLetterFile(filename=f"{application.reference}.pdf", content=pdf)


def decision_letter_pdf(user: Any, application_id: uuid.UUID | str) -> bytes:
    """The decision letter of the application as PDF bytes (see :func:`decision_letter_file`)."""
    return decision_letter_file(user, application_id).content
