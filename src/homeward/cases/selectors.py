"""Reads of casework that depend on who asks. Applications hold personal data: showing one is audited,
and so is every page that lists them; so is opening one of their documents."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from homeward.cases import configuration, workflow
from homeward.cases.choices import CLOCK_RUNNING_STATES, OPEN_STATES, ApplicationState
from homeward.cases.identity import ApplicantData, Candidate, RegistryNameMatcher
from homeward.cases.models import (
    Application,
    ApplicationDocument,
    Decision,
    Escalation,
    InformationRequest,
    InternalNote,
    Message,
    Office,
    ServiceType,
    Transition,
)
from homeward.cases.working_days import WorkingCalendar, deadline_status
from homeward.core import audit
from homeward.core.permissions import AGENCY_BOUND_ROLES, Action, in_district_scope, may, require
from homeward.core.roles import Role
from homeward.places.models import Place
from homeward.registry import selectors as registry

DEFAULT_HOLIDAY_COUNTRY = configuration.DEFAULT_HOLIDAY_COUNTRY

logger = logging.getLogger(__name__)


def holiday_country() -> str | None:
    """The country whose public holidays count (``HOMEWARD_HOLIDAY_COUNTRY``; empty for none)."""
    return configuration.holiday_country()


def working_calendar() -> WorkingCalendar:
    """The deployment's calendar: the country's public holidays plus the ``Holiday`` table (cached
    per process until either changes: see :mod:`homeward.cases.configuration`)."""
    return configuration.working_calendar()


def deadline_status_of(
    application: Application, *, calendar: WorkingCalendar | None = None, today: dt.date | None = None
) -> str | None:
    """``on_time``, ``due_soon``, ``overdue``; ``paused`` while information is requested; ``None``
    when the clock does not run (a draft; a decided, appealed or closed application: the due date
    was for the decision, and an appeal's ruling has none — escalation ignores them too)."""
    if application.state == ApplicationState.INFORMATION_REQUESTED:
        return "paused"
    if application.due_on is None or application.state not in CLOCK_RUNNING_STATES:
        return None
    calendar = calendar if calendar is not None else working_calendar()
    return str(deadline_status(application.due_on, today or timezone.localdate(), calendar))


def active_services() -> QuerySet[ServiceType]:
    """The catalogue: services accepting applications. Public knowledge, no scope."""
    return ServiceType.objects.filter(is_active=True).order_by("code")


def district_by_code(user: Any, code: str) -> Place | None:
    """The district with this code, if the user may see places (from the cached configuration)."""
    require(user, Action.VIEW, Place)
    return configuration.district_by_code(code)


def service_by_code(code: str) -> ServiceType | None:
    """The service with this code, active or not (cached per process until the catalogue changes)."""
    return configuration.service_by_code(code)


# What every view of an application shows besides its own row.
_SHOWN_WITH = ("service", "district", "office", "assignee")


def _shown() -> QuerySet[Application]:
    """Applications with what their views show; the district without its boundary, a polygon that
    can run to megabytes and that no view of an application draws."""
    return Application.objects.select_related(*_SHOWN_WITH).defer("district__boundary")


def applications_visible_to(user: Any) -> QuerySet[Application]:
    """Applications of the user's agency (for agency-bound roles) in the user's districts."""
    if not may(user, Action.VIEW, Application):
        return Application.objects.none()
    applications = _shown()
    if user.role in AGENCY_BOUND_ROLES:
        applications = applications.filter(Q(agency_id=user.agency_id) | Q(agency__isnull=True))
    return in_district_scope(user, applications)


def get_application_for_user(user: Any, application_id: uuid.UUID | str, *, purpose: str) -> Application:
    """The application, if within the user's scope (404 otherwise); the read is audited."""
    application = application_in_scope(user, application_id)
    record_read(user, application, purpose=purpose)
    return application


def application_in_scope(user: Any, application_id: uuid.UUID | str) -> Application:
    """The application, if within the user's scope (404 otherwise), *not* audited: for a caller that
    shows personal data only after further checks, and then calls :func:`record_read`."""
    # Looked up by key alone, then checked: the permission on the record itself says what
    # :func:`applications_visible_to` filters for (agency and districts; every application has a
    # district), and building that filter cost more than the rest of a workflow step's reads.
    found = list(_shown().filter(pk=application_id))
    if not found or not may(user, Action.VIEW, found[0]):
        raise Http404
    return found[0]


def shown_after_write(user: Any, application: Application) -> Application:
    """The application as ``user``'s write just left it in memory, to show back to them, if they may
    still see it (404 otherwise, as a fresh read would answer); not audited: the write's audit covers it."""
    if not may(user, Action.VIEW, application):
        raise Http404
    return application


def record_read(user: Any, application: Application, *, purpose: str) -> None:
    """Audit that the application's personal data was shown to or exported by ``user``."""
    audit.record_read(application, purpose=purpose, actor=user)


def record_list_read(user: Any, applications: list[Application], *, purpose: str) -> None:
    """Audit that a page of applications was shown: one entry naming every application on it."""
    audit.record_list_read(applications, object_type="cases.application", purpose=purpose, actor=user)


def offices_of(user: Any) -> QuerySet[Office]:
    """The offices the user works in or supervises."""
    return Office.objects.filter(Q(members=user) | Q(supervisors=user), is_active=True).distinct()


def queue_for(user: Any) -> QuerySet[Application]:
    """Open applications nobody is assigned to, within the user's agency and districts, and within
    the user's offices when the user belongs to any; oldest submission first."""
    queue = applications_visible_to(user).filter(assignee__isnull=True, state__in=OPEN_STATES)
    offices = list(offices_of(user).values_list("pk", flat=True))
    if offices:
        queue = queue.filter(office_id__in=offices)
    return queue.order_by("submitted_on", "created_at")


def assigned_to(user: Any) -> QuerySet[Application]:
    """The user's own open cases."""
    return applications_visible_to(user).filter(assignee=user, state__in=OPEN_STATES).order_by("due_on")


def caseworker_loads(office: Office) -> list[tuple[Any, int]]:
    """The office's active caseworkers with their number of open cases, lightest first (ties by username)."""
    members = list(office.members.filter(is_active=True, role=Role.CASEWORKER).order_by("username"))
    loads = {
        row["assignee"]: row["n"]
        for row in Application.objects.filter(assignee__in=members, state__in=OPEN_STATES)
        .values("assignee")
        .annotate(n=Count("pk"))
    }
    return sorted(((member, loads.get(member.pk, 0)) for member in members), key=lambda pair: pair[1])


def escalations_for(supervisor: Any) -> QuerySet[Escalation]:
    """Unresolved escalations of the offices ``supervisor`` supervises, within their scope; oldest first."""
    visible = applications_visible_to(supervisor)
    return (
        Escalation.objects.filter(resolved_at__isnull=True, office__supervisors=supervisor, application__in=visible)
        .select_related("application", "application__service", "office")
        .order_by("due_on", "escalated_at")
    )


def transitions_of(application: Application) -> QuerySet[Transition]:
    return application.transitions.select_related("actor").order_by("at", "created_at")


def notes_of(user: Any, application: Application) -> QuerySet[InternalNote]:
    """Staff notes on an application the user may see (the caller fetched it through this module)."""
    if not may(user, Action.VIEW, application):
        raise Http404
    return application.notes.select_related("author").order_by("created_at")


def messages_of(user: Any, application: Application) -> QuerySet[Message]:
    if not may(user, Action.VIEW, application):
        raise Http404
    return application.messages.select_related("author").order_by("sent_at", "created_at")


def identity_candidates_for(user: Any, application: Application) -> list[tuple[Any, Candidate]]:
    """Registered persons the user may see who may be the applicant, with the reasons; the list of
    persons shown is audited like any registry list."""
    if not may(user, Action.VIEW, application):
        raise Http404
    persons = registry.persons_visible_to(user)
    applicant = ApplicantData(
        application.given_name, application.family_name, application.patronymic, application.birth_date
    )
    found = RegistryNameMatcher(persons).candidates(applicant)
    by_id = persons.in_bulk([candidate.person_id for candidate in found])
    pairs = [(by_id[candidate.person_id], candidate) for candidate in found if candidate.person_id in by_id]
    registry.record_list_read(
        user, [person for person, _ in pairs], purpose=f"identity check of {application.reference}"
    )
    return pairs


def caseworker_by_username(user: Any, username: str) -> Any:
    """An active caseworker of the user's agency, by username; ``None`` if there is none."""
    if getattr(user, "agency_id", None) is None:
        return None
    return (
        get_user_model()
        .objects.filter(username=username, role=Role.CASEWORKER, agency_id=user.agency_id, is_active=True)
        .first()
    )


# --- decisions, information requests, documents -----------------------------------------------


def decision_in_force(application: Application) -> Decision | None:
    """The application's latest decision (the one a letter states and an appeal is against)."""
    return application.decisions.select_related("decided_by").order_by("-decided_at", "-created_at").first()


def allowed_events_for(user: Any, application: Application) -> list[str]:
    """The workflow events ``user`` may fire on ``application`` now: allowed from its state, permitted
    with its scope, and within the personal rules (own cases, four eyes on appeals)."""
    allowed = []
    decision: Decision | None = None
    looked_up = False
    for event in workflow.events_from(application.state):
        if not may(user, workflow.required_action(event, application.state), application):
            continue
        if event in workflow.APPEAL_RULINGS and not looked_up:
            decision, looked_up = decision_in_force(application), True
        refusal = workflow.personal_refusal(
            event,
            role=getattr(user, "role", ""),
            actor_id=getattr(user, "pk", None),
            assignee_id=application.assignee_id,
            decided_by_id=decision.decided_by_id if decision is not None else None,
        )
        if refusal is None:
            allowed.append(event)
    return allowed


def open_information_request(application: Application) -> InformationRequest | None:
    """The request the applicant has not answered yet, if any (the latest)."""
    return application.information_requests.filter(answered_at__isnull=True).order_by("-requested_at").first()


def information_requests_of(user: Any, application: Application) -> QuerySet[InformationRequest]:
    """What the office asked the applicant for, oldest first, with the documents that answered."""
    if not may(user, Action.VIEW, application):
        raise Http404
    return (
        application.information_requests.select_related("message", "requested_by", "answered_by")
        .prefetch_related("documents")
        .order_by("requested_at", "created_at")
    )


def documents_of(user: Any, application: Application) -> QuerySet[ApplicationDocument]:
    """The documents filed with an application the user may see (fetched through this module)."""
    if not may(user, Action.VIEW, application):
        raise Http404
    return application.documents.select_related("uploaded_by", "provided_for").order_by("uploaded_at", "created_at")


def get_document_for_user(user: Any, document_id: uuid.UUID | str) -> ApplicationDocument:
    """A document of an application within the user's scope (404 otherwise); not audited, no bytes."""
    document = (
        ApplicationDocument.objects.filter(pk=document_id, application__in=applications_visible_to(user))
        .select_related("application", "application__district", "uploaded_by")
        .first()
    )
    if document is None or not may(user, Action.VIEW, document.application):
        raise Http404
    return document


def open_document(user: Any, document_id: uuid.UUID | str, *, purpose: str) -> tuple[ApplicationDocument, IO[bytes]]:
    """The document and its bytes (a binary file the caller closes), for a user who may read its
    application; 404 otherwise. The read is audited as a read of personal data."""
    document = get_document_for_user(user, document_id)
    try:
        handle = document.path.open("rb")
    except FileNotFoundError:
        logger.error("Document %s of application %s has no stored file", document.pk, document.application.reference)
        raise Http404 from None
    try:
        audit.record_read(document, purpose=purpose, actor=user)
    except BaseException:
        handle.close()
        raise
    return document, handle


@dataclass(frozen=True)
class RequiredDocument:
    """One document the application's service requires, and how it was provided: copies filed and
    originals seen (both empty: missing)."""

    document_type: str
    filed: tuple[Any, ...]
    seen: tuple[Any, ...]

    @property
    def provided(self) -> bool:
        return bool(self.filed or self.seen)


def required_documents(application: Application) -> list[RequiredDocument]:
    """The service's required documents in catalogue order, each with the copies filed and originals
    seen for it (not audited: the caller shows them only with the application)."""
    required = list(application.service.required_documents or [])
    if not required:
        return []
    filed = application.documents.filter(document_type__in=required).order_by("uploaded_at", "created_at")
    seen = application.originals_seen.filter(document_type__in=required).select_related("seen_by")
    return [
        RequiredDocument(
            code,
            tuple(document for document in filed if document.document_type == code),
            tuple(original for original in seen if original.document_type == code),
        )
        for code in required
    ]


def missing_documents(application: Application) -> list[str]:
    """The required document types with neither a copy filed nor the original seen, in catalogue order."""
    required = list(application.service.required_documents or [])
    if not required:
        return []
    provided = set(application.documents.filter(document_type__in=required).values_list("document_type", flat=True))
    provided.update(
        application.originals_seen.filter(document_type__in=required).values_list("document_type", flat=True)
    )
    return [code for code in required if code not in provided]
