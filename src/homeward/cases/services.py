"""Every write of casework: the catalogue, holidays, applications and their workflow, assignment,
notes and messages, identity links and escalations.

Each function runs in one transaction, checks the actor's permission with the application's agency
and district scope, validates what it is given (naming the field at fault) and writes its audit
entries through ``BaseModel.save``. A refused call writes nothing and leaves the caller's instance as
it was.

Concurrency: every application write is a conditional ``UPDATE … WHERE row_version = n`` (see
``core.models.BaseModel``), so of two people acting on the same application at once, one wins and
the other gets :class:`~homeward.core.versioning.StaleObjectError` ("changed by someone else").
Passing ``seen_version`` (the row version the user's screen showed) extends this to a user who acts
on a page opened before someone else's change.

Who: the permission each workflow event needs is in :data:`~homeward.cases.workflow.EVENT_ACTIONS`; on
top of it a caseworker decides only the applications assigned to them, and an appeal is ruled on by a
supervisor other than the person who made the decision under appeal
(:func:`~homeward.cases.workflow.personal_refusal`). A refusal names the rule and writes nothing.

Information requests: :func:`request_information` keeps what was asked (the message to the applicant
and the document types) as an :class:`~homeward.cases.models.InformationRequest`;
:func:`receive_information` closes it and marks the documents that arrived (filed beforehand with
:func:`homeward.cases.documents.attach_document`, by id) as provided for it.

Deadlines: the answer is due ``deadline_working_days + paused_working_days`` working days after
``clock_started_on`` (submission, or reopening on appeal), counted on the deployment's calendar.
While information is requested from the applicant the clock stops: when it arrives, the working days
spent waiting (``working_days_between(requested, received)``, the request day not counted) are added
to ``paused_working_days`` and the due date moves by as many working days.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from homeward.cases import configuration, identity, selectors, workflow
from homeward.cases.catalogue import CatalogueError, check_service, read_catalogue
from homeward.cases.choices import (
    APPLICANT_FIELDS,
    CLOCK_RUNNING_STATES,
    DETAIL_FIELDS,
    OPEN_STATES,
    ApplicationState,
    DecisionOutcome,
    HolidayKind,
    MessageDirection,
)
from homeward.cases.models import (
    APPLICANT_LANGUAGES,
    DOCUMENT_TYPES,
    ApplicantLanguage,
    Application,
    ApplicationDocument,
    Decision,
    Escalation,
    Holiday,
    InformationRequest,
    InternalNote,
    Message,
    MobileTeam,
    Office,
    ServiceType,
    Transition,
    default_applicant_language,
)
from homeward.cases.working_days import DeadlineStatus, WorkingCalendar, deadline_status
from homeward.core import audit
from homeward.core.permissions import Action, Domain, actions_for, domain_of, may
from homeward.core.roles import STAFF_ROLES, Role
from homeward.core.versioning import StaleObjectError
from homeward.registry import selectors as registry

_MAX_NAME = 100
_MAX_TEXT = 10_000


class CaseError(Exception):
    """A casework write the domain's rules refuse; names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ActionRefused(PermissionDenied):
    """The actor may not do this to this record; says why (role, agency or district)."""


# --- permissions ------------------------------------------------------------------------------


def _explain(actor: Any, action: Action, target: Any) -> str:
    who = getattr(actor, "username", None) or "nobody signed in"
    doing = f"{action.value} {target._meta.verbose_name}" if hasattr(target, "_meta") else action.value
    if action not in actions_for(actor, domain_of(target)):
        role = getattr(actor, "role", "") or "no role"
        return f"{who} ({role}) may not {doing}"
    if isinstance(target, Application):
        if target.agency_id is not None and target.agency_id != getattr(actor, "agency_id", None):
            return f"{who} may not {doing} {target.reference}: it is handled by another agency"
        return (
            f"{who} may not {doing} {target.reference}: it is in the district {target.district}, "
            "outside the districts they work in"
        )
    return f"{who} may not {doing} {target}"


def require_action(actor: Any, action: Action, target: Any) -> None:
    """Raise :class:`ActionRefused`, saying why, unless ``actor`` may do ``action`` to ``target``."""
    if not may(actor, action, target):
        raise ActionRefused(_explain(actor, action, target))


_require = require_action


def _require_personally(actor: Any, event: str, application: Application) -> None:
    """The rules of an event about the person (see :func:`homeward.cases.workflow.personal_refusal`)."""
    decided_by_id = None
    if event in workflow.APPEAL_RULINGS:
        decision = selectors.decision_in_force(application)
        decided_by_id = decision.decided_by_id if decision is not None else None
    refusal = workflow.personal_refusal(
        event,
        role=getattr(actor, "role", ""),
        actor_id=getattr(actor, "pk", None),
        assignee_id=application.assignee_id,
        decided_by_id=decided_by_id,
    )
    if refusal is not None:
        who = getattr(actor, "username", None) or "nobody signed in"
        raise ActionRefused(f"{who} may not {refusal}; application {application.reference}")


def may_configure(user: Any) -> bool:
    """Whether ``user`` may change the casework configuration: services, offices, mobile teams and
    holidays. It is deployment administration, like agencies and users, so it goes with the right to
    change accounts (administrators; they hold no casework permission and never see applications)."""
    return may(user, Action.CHANGE, Domain.ACCOUNTS)


def require_configure(user: Any) -> None:
    if not may_configure(user):
        raise ActionRefused(f"{getattr(user, 'username', 'this user')} may not change the casework configuration")


@contextmanager
def _unchanged_on_failure(instance: Any) -> Iterator[None]:
    """Put the instance's field values back if the block fails, so a refused write leaves no trace."""
    saved = {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
    try:
        yield
    except BaseException:
        for name, value in saved.items():
            setattr(instance, name, value)
        raise


def _check_seen(application: Application, seen_version: int | None) -> None:
    if seen_version is not None and seen_version != application.row_version:
        raise StaleObjectError(application)


# --- the catalogue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueReport:
    created: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]

    def __str__(self) -> str:
        return f"{len(self.created)} services added, {len(self.updated)} updated, {len(self.unchanged)} unchanged"


def load_catalogue(path: Path | str | None = None) -> CatalogueReport:
    """Load the catalogue file (the bundled one by default) into services, by code; safe to re-run.

    Every entry is checked first: a bad entry raises :class:`CatalogueError` naming the service and
    field, and nothing is written. Services not in the file (added by the deployment) are left alone.
    """
    specs = read_catalogue(path)
    created, updated, unchanged = [], [], []
    with transaction.atomic():
        existing = {service.code: service for service in ServiceType.objects.filter(code__in=[s.code for s in specs])}
        for spec in specs:
            values = spec.model_values()
            service = existing.get(spec.code)
            if service is None:
                ServiceType(code=spec.code, from_catalogue=True, **values).save()
                created.append(spec.code)
                continue
            changed = [name for name, value in values.items() if getattr(service, name) != value]
            if not changed:
                unchanged.append(spec.code)
                continue
            for name in changed:
                setattr(service, name, values[name])
            service.save(update_fields=changed)
            updated.append(spec.code)
    return CatalogueReport(tuple(created), tuple(updated), tuple(unchanged))


@transaction.atomic
def add_service(entry: Mapping[str, Any], *, actor: Any) -> ServiceType:
    """Add one service to the catalogue (a deployment's own), validated as a catalogue entry would be."""
    require_configure(actor)
    spec = check_service(entry)
    if ServiceType.objects.filter(code=spec.code).exists():
        raise CatalogueError(spec.code, "code", "a service with this code already exists")
    service = ServiceType(code=spec.code, **spec.model_values())
    service.save()
    return service


# --- holidays and deadlines -------------------------------------------------------------------


def _due_on(application: Application, calendar: WorkingCalendar) -> dt.date | None:
    if application.clock_started_on is None or application.deadline_working_days is None:
        return None
    days = application.deadline_working_days + application.paused_working_days
    return calendar.add_working_days(application.clock_started_on, days)


def recompute_deadlines() -> int:
    """Move the due dates of open applications to match the current calendar; return how many moved."""
    calendar = selectors.working_calendar()
    moved = 0
    with transaction.atomic():
        for application in Application.objects.filter(state__in=OPEN_STATES, clock_started_on__isnull=False):
            due_on = _due_on(application, calendar)
            if due_on != application.due_on:
                application.due_on = due_on
                application.save(update_fields=["due_on"])
                moved += 1
    return moved


def save_holiday(*, date: dt.date, label: str, kind: str = HolidayKind.DAY_OFF, actor: Any) -> Holiday:
    """Declare a day off (or a day worked) for the deployment and move open deadlines accordingly."""
    require_configure(actor)
    if kind not in HolidayKind.values:
        raise CaseError("kind", f"is not one of {', '.join(HolidayKind.values)}")
    if not label.strip():
        raise CaseError("label", "says why the day is off or worked, and is required")
    with transaction.atomic():
        holiday = Holiday.objects.filter(date=date).first() or Holiday(date=date)
        holiday.label, holiday.kind = label.strip(), kind
        holiday.save()
        recompute_deadlines()
    return holiday


def save_holiday_instance(holiday: Holiday, *, actor: Any) -> Holiday:
    """Save a holiday edited in the admin and move open deadlines accordingly."""
    require_configure(actor)
    with transaction.atomic():
        holiday.save()
        recompute_deadlines()
    return holiday


def delete_holiday(holiday: Holiday, *, actor: Any) -> None:
    require_configure(actor)
    with transaction.atomic():
        holiday.delete()
        recompute_deadlines()


# --- applications -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationInput:
    service: str
    district: str
    given_name: str
    family_name: str
    patronymic: str = ""
    birth_date: dt.date | None = None
    contact: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    mobile_team_id: Any = None
    language: str | None = None
    """The applicant's language (az, hy, ru, en); the deployment's default language if not given."""


def _reference(service: ServiceType, today: dt.date) -> str:
    prefix = "".join(part[0] for part in service.code.split("_"))[:4].upper()
    # 40 random bits a day: at 10,000 submissions a day two share a reference about once in 60 years
    # (3 bytes clashed within a benchmark minute, and the second submission failed).
    return f"{prefix}-{today:%y%m%d}-{secrets.token_hex(5).upper()}"


def _check_applicant(data: ApplicationInput, today: dt.date) -> dict[str, Any]:
    for name in ("given_name", "family_name"):
        if not getattr(data, name).strip():
            raise CaseError(name, "is required")
    for name in ("given_name", "family_name", "patronymic"):
        if len(getattr(data, name)) > _MAX_NAME:
            raise CaseError(name, f"is longer than {_MAX_NAME} characters")
    if len(data.contact) > 200:
        raise CaseError("contact", "is longer than 200 characters")
    if data.birth_date is not None and data.birth_date > today:
        raise CaseError("birth_date", "is in the future")
    if data.language is not None and data.language not in APPLICANT_LANGUAGES:
        raise CaseError("language", f"is not one of {', '.join(ApplicantLanguage.values)}")
    details: dict[str, Any] = {}
    for key, value in data.details.items():
        if key not in DETAIL_FIELDS:
            raise CaseError(f"details.{key}", "is not a field an application can carry")
        if not isinstance(value, str | int | float | bool) and value is not None:
            raise CaseError(f"details.{key}", "must be text, a number or a date written as text")
        if isinstance(value, str) and len(value) > 1000:
            raise CaseError(f"details.{key}", "is longer than 1000 characters")
        details[key] = value.strip() if isinstance(value, str) else value
    return details


def _new_application(data: ApplicationInput, *, actor: Any, today: dt.date | None = None) -> Application:
    """A draft for ``data``, checked and not saved: the actor's permission, the service, the district,
    the applicant's fields and the mobile team."""
    _require(actor, Action.CREATE, Application)
    service = selectors.service_by_code(data.service)
    if service is None or not service.is_active:
        raise CaseError("service", f"no service accepting applications has the code {data.service!r}")
    district = selectors.district_by_code(actor, data.district)
    if district is None:
        raise CaseError("district", f"no district has the code {data.district!r}")
    today = today or timezone.localdate()
    details = _check_applicant(data, today)
    mobile_team = None
    if data.mobile_team_id is not None:
        mobile_team = MobileTeam.objects.filter(pk=data.mobile_team_id, is_active=True).first()
        if mobile_team is None:
            raise CaseError("mobile_team", "no active mobile team has this id")
    application = Application(
        reference=_reference(service, today),
        service=service,
        district=district,
        agency_id=getattr(actor, "agency_id", None),
        given_name=data.given_name.strip(),
        family_name=data.family_name.strip(),
        patronymic=data.patronymic.strip(),
        birth_date=data.birth_date,
        contact=data.contact.strip(),
        details=details,
        language=data.language or default_applicant_language(),
        assisted_by=actor if getattr(actor, "role", None) in STAFF_ROLES else None,
        mobile_team=mobile_team,
    )
    _require(actor, Action.CREATE, application)
    return application


def create_application(data: ApplicationInput, *, actor: Any) -> Application:
    """Start an application (a draft) for a service, as entered by the applicant or a caseworker helping them.

    A staff actor is recorded as the one who assisted; a mobile team may be named too.
    """
    with audit.atomic():
        application = _new_application(data, actor=actor)
        application.save()
    return application


def create_and_submit_application(data: ApplicationInput, *, actor: Any, note: str = "") -> Application:
    """Start an application and submit it at once: both or neither, in one transaction.

    Checks what :func:`create_application` and :func:`submit_application` check, in the same order,
    and leaves the same records: the row (inserted already submitted, at row version 2, so one
    ``INSERT`` and no ``UPDATE``), the ``submit`` :class:`Transition`, and the same audit entries as
    the two steps would write (the draft created, then updated by the submission).
    """
    if len(note) > _MAX_TEXT:
        raise CaseError("note", f"is longer than {_MAX_TEXT} characters")
    with audit.atomic():
        today = timezone.localdate()  # one date for the whole submission (reference, checks, clock)
        application = _new_application(data, actor=actor, today=today)
        application.stamp_actor()
        created = audit.changes_of(application, adding=True)
        draft = {f.attname: getattr(application, f.attname) for f in application._meta.concrete_fields}
        _require(actor, Action.VIEW, application)
        _require(actor, workflow.required_action("submit", application.state), application)
        _require_personally(actor, "submit", application)
        source, target = workflow.fire(application, "submit")
        fields = {"state", *_submitting(application, today)}
        # What the submission's UPDATE of the saved draft would have recorded.
        application._loaded_values = draft
        submitted = audit.changes_of(application, adding=False, update_fields=fields)
        application.row_version = 2
        application.save(audit_as=[(audit.AuditAction.CREATE, created), (audit.AuditAction.UPDATE, submitted)])
        Transition(
            application=application,
            event="submit",
            from_state=source,
            to_state=target,
            actor=actor,
            at=timezone.now(),
            note=note.strip(),
        ).save()
    return application


def _missing_field(application: Application) -> str | None:
    for name in application.service.required_fields:
        value = getattr(application, name) if name in APPLICANT_FIELDS else application.details.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return str(name)
    return None


def office_for(application: Application) -> Office | None:
    """The active office serving the application's district that handles its service (the first by
    name; cached per process until an office changes)."""
    return configuration.office_serving(application.district_id, application.service_id)


def _transition(
    application: Application,
    event: str,
    *,
    actor: Any,
    note: str = "",
    seen_version: int | None = None,
    effects: Callable[[Application], Sequence[str]] | None = None,
    after: Callable[[Application], None] | None = None,
) -> Transition:
    """Move the application along ``event``: check scope, state and permission, apply ``effects``
    (which returns the further fields it set), save conditionally on the row version, log the
    transition, then run ``after`` (further records). All or nothing."""
    if len(note) > _MAX_TEXT:
        raise CaseError("note", f"is longer than {_MAX_TEXT} characters")
    with audit.atomic(), _unchanged_on_failure(application):
        _require(actor, Action.VIEW, application)
        _check_seen(application, seen_version)
        _require(actor, workflow.required_action(event, application.state), application)
        _require_personally(actor, event, application)
        source, target = workflow.fire(application, event)
        fields = {"state", *(effects(application) if effects is not None else ())}
        application.save(update_fields=sorted(fields))
        log = Transition(
            application=application,
            event=event,
            from_state=source,
            to_state=target,
            actor=actor,
            at=timezone.now(),
            note=note.strip(),
        )
        log.save()
        if after is not None:
            after(application)
    return log


def _submitting(app: Application, today: dt.date | None = None) -> list[str]:
    """The effects of submitting: check the service's required fields, route to the office of the
    district (its queue), start the deadline clock, look for the applicant among registered persons."""
    missing = _missing_field(app)
    if missing is not None:
        raise CaseError(missing, f"is required for {app.service.name_en}")
    office = office_for(app)
    if office is None:
        raise CaseError("district", f"no office in {app.district} handles {app.service.name_en}: ask an administrator")
    today = today or timezone.localdate()
    app.office, app.agency_id = office, office.agency_id
    app.submitted_on = app.clock_started_on = today
    app.deadline_working_days = app.service.deadline_working_days
    app.paused_working_days = 0
    app.due_on = _due_on(app, selectors.working_calendar())
    applicant = identity.ApplicantData(app.given_name, app.family_name, app.patronymic, app.birth_date)
    app.identity_candidates = [c.as_evidence() for c in identity.RegistryNameMatcher().candidates(applicant)]
    return [
        "office",
        "agency",
        "submitted_on",
        "clock_started_on",
        "deadline_working_days",
        "paused_working_days",
        "due_on",
        "identity_candidates",
    ]


def submit_application(
    application: Application, *, actor: Any, note: str = "", seen_version: int | None = None
) -> Transition:
    """Submit a draft: check the service's required fields, route it to the office of its district
    (its queue), start the deadline clock and look for the applicant among registered persons."""
    return _transition(application, "submit", actor=actor, note=note, seen_version=seen_version, effects=_submitting)


def start_screening(
    application: Application, *, actor: Any, note: str = "", seen_version: int | None = None
) -> Transition:
    return _transition(application, "start_screening", actor=actor, note=note, seen_version=seen_version)


def start_review(
    application: Application, *, actor: Any, note: str = "", seen_version: int | None = None
) -> Transition:
    return _transition(application, "start_review", actor=actor, note=note, seen_version=seen_version)


def _requested_types(document_types: Sequence[str]) -> list[str]:
    requested: list[str] = []
    for index, document_type in enumerate(document_types):
        if document_type not in DOCUMENT_TYPES:
            raise CaseError(f"document_types[{index}]", f"{document_type!r} is not a known document type")
        if document_type not in requested:
            requested.append(document_type)
    return requested


def request_information(
    application: Application,
    *,
    actor: Any,
    request: str,
    document_types: Sequence[str] = (),
    seen_version: int | None = None,
) -> Transition:
    """Ask the applicant for information; the deadline clock stops.

    ``request`` is the text sent to the applicant (kept as a message); ``document_types`` the
    documents asked for, if any. Both are kept on an :class:`InformationRequest`, which stays open
    until :func:`receive_information`.
    """
    if not request.strip():
        raise CaseError("note", "say what information is needed: the applicant is sent this text")
    requested = _requested_types(document_types)

    def effects(app: Application) -> list[str]:
        app.information_requested_on = timezone.localdate()
        return ["information_requested_on"]

    def after(app: Application) -> None:
        message = Message(application=app, direction=MessageDirection.TO_APPLICANT, author=actor, text=request.strip())
        message.save()
        InformationRequest(
            application=app, document_types=requested, message=message, requested_by=actor, requested_at=message.sent_at
        ).save()

    return _transition(
        application,
        "request_information",
        actor=actor,
        note=request,
        seen_version=seen_version,
        effects=effects,
        after=after,
    )


def _documents_received(application: Application, document_ids: Sequence[Any]) -> list[ApplicationDocument]:
    """The application's documents with these ids, not yet counted as answering a request."""
    wanted = list(dict.fromkeys(str(document_id) for document_id in document_ids))
    found = {
        str(document.pk): document
        for document in ApplicationDocument.objects.filter(application=application, pk__in=wanted).select_related(
            "application"
        )
    }
    for index, document_id in enumerate(wanted):
        document = found.get(document_id)
        if document is None:
            raise CaseError(f"documents[{index}]", f"{document_id} is not a document of {application.reference}")
        if document.provided_for_id is not None:
            raise CaseError(f"documents[{index}]", "this document already answers an earlier information request")
    return [found[document_id] for document_id in wanted]


def receive_information(
    application: Application,
    *,
    actor: Any,
    note: str = "",
    documents: Sequence[Any] = (),
    seen_version: int | None = None,
) -> Transition:
    """The requested information arrived: back to review, the clock restarts and the due date moves by
    the working days spent waiting.

    ``documents`` are the ids of the application's documents that arrived in answer (uploaded with
    :func:`homeward.cases.documents.attach_document`); they are marked as provided for the open
    information request, which is closed. Whether everything asked for arrived is the caseworker's
    judgement: nothing insists that every requested type is among them.
    """
    now = timezone.now()

    def effects(app: Application) -> list[str]:
        calendar = selectors.working_calendar()
        requested_on = app.information_requested_on or timezone.localdate()
        waited = max(0, calendar.working_days_between(requested_on, timezone.localdate()))
        app.paused_working_days += waited
        app.information_requested_on = None
        app.due_on = _due_on(app, calendar)
        return ["paused_working_days", "information_requested_on", "due_on"]

    def after(app: Application) -> None:
        request = selectors.open_information_request(app)
        received = _documents_received(app, documents)
        if request is None:
            if received:
                raise CaseError("documents", "there is no open information request for these documents to answer")
            return
        request.answered_by, request.answered_at = actor, now
        request.save(update_fields=["answered_by", "answered_at"])
        for document in received:
            document.provided_for = request
            document.save(update_fields=["provided_for"])

    return _transition(
        application,
        "receive_information",
        actor=actor,
        note=note,
        seen_version=seen_version,
        effects=effects,
        after=after,
    )


def _clean_reasons(reasons: Sequence[str]) -> list[str]:
    cleaned = []
    for index, reason in enumerate(reasons):
        if not isinstance(reason, str) or not reason.strip():
            raise CaseError(f"reasons[{index}]", "is empty")
        if len(reason) > 2000:
            raise CaseError(f"reasons[{index}]", "is longer than 2000 characters")
        cleaned.append(reason.strip())
    return cleaned


def decide(
    application: Application,
    *,
    actor: Any,
    result: str,
    reasons: Sequence[str] = (),
    note: str = "",
    seen_version: int | None = None,
) -> Decision:
    """Decide with one of the service's outcomes; a rejection needs at least one reason, an approval
    every document the service requires (a copy filed, or the original seen).

    Resolves the application's open escalations.
    """
    now = timezone.now()
    decided: dict[str, Any] = {}

    def effects(app: Application) -> list[str]:
        # Checked once the actor is known to be allowed to decide, so a refusal says nothing more.
        kind = app.service.outcome_kind(result)
        if kind is None:
            known = ", ".join(outcome["code"] for outcome in app.service.outcomes)
            raise CaseError("result", f"{result!r} is not an outcome of this service (known: {known})")
        cleaned = _clean_reasons(reasons)
        if kind == DecisionOutcome.REJECTED and not cleaned:
            raise CaseError("reasons", "a rejection needs at least one reason")
        if kind == DecisionOutcome.APPROVED and (missing := selectors.missing_documents(app)):
            raise CaseError(
                "documents",
                f"an approval needs every required document, filed or its original seen; missing: {', '.join(missing)}",
            )
        decided.update(outcome=kind, reasons=cleaned)
        app.outcome, app.result, app.decided_at = kind, result, now
        return ["outcome", "result", "decided_at"]

    def after(app: Application) -> None:
        decision = Decision(application=app, result=result, decided_by=actor, decided_at=now, **decided)
        decision.save()
        decided["decision"] = decision
        for escalation in app.escalations.filter(resolved_at__isnull=True):
            escalation.resolved_at = now
            escalation.save(update_fields=["resolved_at"])

    _transition(application, "decide", actor=actor, note=note, seen_version=seen_version, effects=effects, after=after)
    decision: Decision = decided["decision"]
    return decision


def appeal(application: Application, *, actor: Any, grounds: str, seen_version: int | None = None) -> Transition:
    """Record the applicant's appeal against the decision."""
    if not grounds.strip():
        raise CaseError("note", "record the grounds of the appeal")
    return _transition(application, "appeal", actor=actor, note=grounds, seen_version=seen_version)


def reopen(application: Application, *, actor: Any, note: str = "", seen_version: int | None = None) -> Transition:
    """Allow the appeal: the application is reviewed again, with a new deadline counted from today."""

    def effects(app: Application) -> list[str]:
        app.outcome, app.result, app.decided_at = "", "", None
        app.clock_started_on = timezone.localdate()
        app.deadline_working_days = app.service.deadline_working_days
        app.paused_working_days = 0
        app.due_on = _due_on(app, selectors.working_calendar())
        return [
            "outcome",
            "result",
            "decided_at",
            "clock_started_on",
            "deadline_working_days",
            "paused_working_days",
            "due_on",
        ]

    return _transition(application, "reopen", actor=actor, note=note, seen_version=seen_version, effects=effects)


def _closing(app: Application) -> list[str]:
    app.closed_at = timezone.now()
    return ["closed_at"]


def dismiss_appeal(
    application: Application, *, actor: Any, note: str = "", seen_version: int | None = None
) -> Transition:
    """Dismiss the appeal: the decision stands and the application is closed."""
    return _transition(
        application, "dismiss_appeal", actor=actor, note=note, seen_version=seen_version, effects=_closing
    )


def close(application: Application, *, actor: Any, note: str = "", seen_version: int | None = None) -> Transition:
    """Close a decided application (no appeal, or the time for one has passed)."""
    return _transition(application, "close", actor=actor, note=note, seen_version=seen_version, effects=_closing)


# The workflow's events, by name, for callers that receive an event as data (the API).
SIMPLE_EVENTS: dict[str, Callable[..., Transition]] = {
    "submit": submit_application,
    "start_screening": start_screening,
    "start_review": start_review,
    "receive_information": receive_information,
    "reopen": reopen,
    "dismiss_appeal": dismiss_appeal,
    "close": close,
}


# --- assignment -------------------------------------------------------------------------------


def _check_assignable(application: Application) -> None:
    if application.state not in OPEN_STATES and application.state != ApplicationState.DECIDED:
        raise CaseError("application", f"an application that is {application.get_state_display()} is not assigned")


def _check_caseworker(caseworker: Any, application: Application) -> None:
    if getattr(caseworker, "role", None) != Role.CASEWORKER or not caseworker.is_active:
        raise CaseError("caseworker", f"{caseworker} is not an active caseworker")
    if not may(caseworker, Action.CHANGE, application):
        raise CaseError(
            "caseworker", f"{caseworker} cannot work on {application.reference}: outside their agency or districts"
        )


def assign(application: Application, caseworker: Any, *, actor: Any, seen_version: int | None = None) -> Application:
    """A supervisor gives the application to a caseworker of its agency and district."""
    with audit.atomic(), _unchanged_on_failure(application):
        _require(actor, Action.VIEW, application)
        _check_seen(application, seen_version)
        _require(actor, Action.ASSIGN, application)
        _check_assignable(application)
        _check_caseworker(caseworker, application)
        application.assignee = caseworker
        application.save(update_fields=["assignee"])
    return application


def least_loaded_caseworker(application: Application) -> Any:
    """The caseworker of the application's office, able to work on it, with the fewest open cases."""
    if application.office is None:
        raise CaseError("office", "the application has not been routed to an office yet (submit it first)")
    for caseworker, _load in selectors.caseworker_loads(application.office):
        if may(caseworker, Action.CHANGE, application):
            return caseworker
    raise CaseError("office", f"{application.office} has no caseworker who can take {application.reference}")


def auto_assign(application: Application, *, actor: Any, seen_version: int | None = None) -> Application:
    """Assign to the least-loaded caseworker of the application's office."""
    _require(actor, Action.VIEW, application)
    return assign(application, least_loaded_caseworker(application), actor=actor, seen_version=seen_version)


def assign_next(caseworker: Any) -> Application | None:
    """The caseworker takes the oldest unassigned application of their queue; ``None`` if it is empty.

    Two caseworkers asking at the same moment never get the same application: the loser of the
    conditional update moves on to the next one.
    """
    _require(caseworker, Action.CHANGE, Application)
    for application in list(selectors.queue_for(caseworker)[:10]):
        if not may(caseworker, Action.CHANGE, application):
            continue
        try:
            with audit.atomic():
                application.assignee = caseworker
                application.save(update_fields=["assignee"])
        except StaleObjectError:
            continue
        return application
    return None


# --- notes, messages --------------------------------------------------------------------------


def _text(text: str, name: str = "text") -> str:
    if not text.strip():
        raise CaseError(name, "is empty")
    if len(text) > _MAX_TEXT:
        raise CaseError(name, f"is longer than {_MAX_TEXT} characters")
    return text.strip()


@transaction.atomic
def add_note(application: Application, text: str, *, actor: Any) -> InternalNote:
    """A note for staff only; the applicant never sees it."""
    _require(actor, Action.CHANGE, application)
    note = InternalNote(application=application, author=actor, text=_text(text))
    note.save()
    return note


@transaction.atomic
def record_message(application: Application, text: str, *, direction: str, actor: Any) -> Message:
    """A message sent to the applicant, or one received from them, on the application's record."""
    _require(actor, Action.CHANGE, application)
    if direction not in MessageDirection.values:
        raise CaseError("direction", f"is not one of {', '.join(MessageDirection.values)}")
    message = Message(application=application, direction=direction, author=actor, text=_text(text))
    message.save()
    return message


# --- identity ---------------------------------------------------------------------------------


def link_person(
    application: Application, person_id: Any, *, actor: Any, seen_version: int | None = None
) -> Application:
    """Link the application to a registered person the actor may see (the person's read is audited)."""
    with transaction.atomic(), _unchanged_on_failure(application):
        _require(actor, Action.CHANGE, application)
        _check_seen(application, seen_version)
        person = registry.get_person_for_user(actor, person_id, purpose=f"link to application {application.reference}")
        application.person = person
        application.save(update_fields=["person"])
    return application


def create_person_from_application(
    application: Application, *, actor: Any, seen_version: int | None = None
) -> Application:
    """Register the applicant as a new person, from the application's data, and link them."""
    with transaction.atomic(), _unchanged_on_failure(application):
        _require(actor, Action.CHANGE, application)
        _require(actor, Action.CREATE, identity.person_model())
        _check_seen(application, seen_version)
        if application.person_id is not None:
            raise CaseError("person", "the application is already linked to a registered person")
        applicant = identity.ApplicantData(
            application.given_name, application.family_name, application.patronymic, application.birth_date
        )
        application.person = identity.new_person(applicant, district_id=application.district_id)
        application.save(update_fields=["person"])
    return application


# --- escalation -------------------------------------------------------------------------------


def escalate_overdue(today: dt.date | None = None) -> int:
    """Escalate every overdue application whose clock runs to its office's supervisors, once per missed
    due date (running again escalates nothing new). Returns how many were escalated."""
    today = today or timezone.localdate()
    calendar = selectors.working_calendar()
    overdue = Application.objects.filter(
        state__in=CLOCK_RUNNING_STATES, due_on__lt=today, office__isnull=False
    ).select_related("office")
    escalated = 0
    for application in overdue.order_by("due_on", "pk"):
        assert application.due_on is not None and application.office is not None
        if deadline_status(application.due_on, today, calendar) != DeadlineStatus.OVERDUE:
            continue
        if Escalation.objects.filter(application=application, due_on=application.due_on).exists():
            continue
        supervisor = application.office.supervisors.filter(is_active=True).order_by("username").first()
        try:
            with transaction.atomic():
                Escalation(
                    application=application,
                    office=application.office,
                    escalated_to=supervisor,
                    due_on=application.due_on,
                    escalated_at=timezone.now(),
                ).save()
        except IntegrityError:
            continue  # another run escalated it a moment ago
        escalated += 1
    return escalated
