"""Casework API: the service catalogue, applications and their workflow, the queue, assignment, notes and
messages, documents and information requests, decision letters, identity candidates and escalations.

Reads go through ``cases.selectors`` (scoped by agency and district; personal data reads audited),
writes through ``cases.services`` (and ``cases.documents``). Refusals come back as 4xx JSON naming the
field: 422 for bad input (a refused document also gives its ``reason`` code), 409 for a step the
current state does not allow (and, from the root API, for a change made by someone else meanwhile),
403 with the reason for an action outside the user's scope or the user's part in the case.
"""

import datetime as dt
import uuid
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from homeward.cases import documents, letters, selectors, services, workflow
from homeward.cases.document_views import download_name, private_download_headers
from homeward.cases.models import (
    Application,
    ApplicationDocument,
    Decision,
    Escalation,
    InformationRequest,
    InternalNote,
    Message,
    OriginalSeen,
    ServiceType,
    Transition,
)
from homeward.cases.services import CaseError
from homeward.cases.workflow import TransitionRefused

router = Router(tags=["cases"])


# --- schemas ----------------------------------------------------------------------------------


class OutcomeSchema(Schema):
    code: str
    kind: str


class ServiceOut(Schema):
    code: str
    name: str
    names: dict[str, str]
    responsible_agency: str
    deadline_working_days: int
    required_fields: list[str]
    required_documents: list[str]
    outcomes: list[OutcomeSchema]
    is_active: bool

    @staticmethod
    def resolve_names(service: ServiceType) -> dict[str, str]:
        return service.names()


class ServiceIn(Schema):
    code: str
    names: dict[str, str]
    responsible_agency: str
    deadline_working_days: int
    required_fields: list[str] = []
    required_documents: list[str] = []
    outcomes: list[OutcomeSchema]


class ApplicationIn(Schema):
    service: str
    district: str
    given_name: str
    family_name: str
    patronymic: str = ""
    birth_date: dt.date | None = None
    contact: str = ""
    details: dict[str, Any] = {}
    mobile_team: uuid.UUID | None = None
    language: str | None = None
    submit: bool = False


class ApplicationSummary(Schema):
    id: uuid.UUID
    reference: str
    service: str
    state: str
    district: str
    given_name: str
    family_name: str
    assignee: str | None
    submitted_on: dt.date | None
    due_on: dt.date | None
    row_version: int

    @staticmethod
    def resolve_service(application: Application) -> str:
        return application.service.code

    @staticmethod
    def resolve_district(application: Application) -> str:
        return application.district.code

    @staticmethod
    def resolve_assignee(application: Application) -> str | None:
        return application.assignee.username if application.assignee else None


class ApplicationOut(ApplicationSummary):
    patronymic: str
    birth_date: dt.date | None
    contact: str
    details: dict[str, Any]
    language: str
    office: str | None
    person: uuid.UUID | None
    identity_candidates: list[dict[str, Any]]
    assisted_by: str | None
    mobile_team: str | None
    paused_working_days: int
    deadline_status: str | None
    escalated: bool
    outcome: str
    result: str
    allowed_events: list[str]
    my_events: list[str]

    @staticmethod
    def resolve_office(application: Application) -> str | None:
        return application.office.name if application.office else None

    @staticmethod
    def resolve_person(application: Application) -> uuid.UUID | None:
        return application.person_id

    @staticmethod
    def resolve_assisted_by(application: Application) -> str | None:
        return application.assisted_by.username if application.assisted_by else None

    @staticmethod
    def resolve_mobile_team(application: Application) -> str | None:
        return application.mobile_team.name if application.mobile_team else None

    @staticmethod
    def resolve_deadline_status(application: Application) -> str | None:
        return selectors.deadline_status_of(application)

    @staticmethod
    def resolve_escalated(application: Application) -> bool:
        known = getattr(application, "known_escalated", None)
        if known is not None:
            return bool(known)
        return application.escalations.filter(resolved_at__isnull=True).exists()

    @staticmethod
    def resolve_allowed_events(application: Application) -> list[str]:
        return workflow.events_from(application.state)

    @staticmethod
    def resolve_my_events(application: Application, context: Any) -> list[str]:
        """The events the user asking may fire now (permission, scope, own cases, four eyes)."""
        request = (context or {}).get("request")
        if request is None:
            return []
        return selectors.allowed_events_for(request.user, application)


class ApplicationFilter(Schema):
    state: str = ""
    service: str = ""
    district: str = ""
    mine: bool = False


class StepIn(Schema):
    note: str = ""
    row_version: int | None = None
    # request_information: the document types asked for.
    document_types: list[str] = []
    # receive_information: the ids of the application's documents that arrived in answer.
    documents: list[uuid.UUID] = []


class DecisionIn(Schema):
    result: str
    reasons: list[str] = []
    note: str = ""
    row_version: int | None = None


class DecisionOut(Schema):
    outcome: str
    result: str
    reasons: list[str]
    decided_by: str | None
    decided_at: dt.datetime

    @staticmethod
    def resolve_decided_by(decision: Decision) -> str | None:
        return decision.decided_by.username if decision.decided_by else None


class TransitionOut(Schema):
    event: str
    from_state: str
    to_state: str
    actor: str | None
    at: dt.datetime
    note: str

    @staticmethod
    def resolve_actor(transition: Transition) -> str | None:
        return transition.actor.username if transition.actor else None


class AssignIn(Schema):
    caseworker: str | None = None
    row_version: int | None = None


class TextIn(Schema):
    text: str


class MessageIn(Schema):
    text: str
    direction: str = "to_applicant"


class NoteOut(Schema):
    id: uuid.UUID
    author: str | None
    text: str
    created_at: dt.datetime

    @staticmethod
    def resolve_author(note: InternalNote) -> str | None:
        return note.author.username if note.author else None


class MessageOut(Schema):
    id: uuid.UUID
    direction: str
    author: str | None
    text: str
    sent_at: dt.datetime

    @staticmethod
    def resolve_author(message: Message) -> str | None:
        return message.author.username if message.author else None


class CandidateOut(Schema):
    person: uuid.UUID
    given_name: str
    family_name: str
    patronymic: str
    birth_date: dt.date | None
    district: str
    reasons: list[str]


class PersonLinkIn(Schema):
    person: uuid.UUID
    row_version: int | None = None


class VersionIn(Schema):
    row_version: int | None = None


class DocumentOut(Schema):
    id: uuid.UUID
    application: uuid.UUID
    document_type: str
    original_filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: str | None
    uploaded_at: dt.datetime
    provided_for: uuid.UUID | None
    note: str

    @staticmethod
    def resolve_application(document: ApplicationDocument) -> uuid.UUID:
        return document.application_id

    @staticmethod
    def resolve_uploaded_by(document: ApplicationDocument) -> str | None:
        return document.uploaded_by.username if document.uploaded_by else None

    @staticmethod
    def resolve_provided_for(document: ApplicationDocument) -> uuid.UUID | None:
        return document.provided_for_id


class OriginalSeenIn(Schema):
    document_type: str
    note: str = ""


class OriginalSeenOut(Schema):
    id: uuid.UUID
    document_type: str
    seen_by: str | None
    seen_at: dt.datetime
    note: str

    @staticmethod
    def resolve_seen_by(original: OriginalSeen) -> str | None:
        return original.seen_by.username if original.seen_by else None


class RequiredDocumentOut(Schema):
    document_type: str
    provided: bool
    documents: list[uuid.UUID]  # copies filed
    originals_seen: list[OriginalSeenOut]

    @staticmethod
    def resolve_documents(required: selectors.RequiredDocument) -> list[uuid.UUID]:
        return [document.pk for document in required.filed]

    @staticmethod
    def resolve_originals_seen(required: selectors.RequiredDocument) -> list[OriginalSeen]:
        return list(required.seen)


class InformationRequestOut(Schema):
    id: uuid.UUID
    document_types: list[str]
    message: str
    requested_by: str | None
    requested_at: dt.datetime
    answered_by: str | None
    answered_at: dt.datetime | None
    documents: list[uuid.UUID]

    @staticmethod
    def resolve_message(request: InformationRequest) -> str:
        return request.message.text if request.message else ""

    @staticmethod
    def resolve_requested_by(request: InformationRequest) -> str | None:
        return request.requested_by.username if request.requested_by else None

    @staticmethod
    def resolve_answered_by(request: InformationRequest) -> str | None:
        return request.answered_by.username if request.answered_by else None

    @staticmethod
    def resolve_documents(request: InformationRequest) -> list[uuid.UUID]:
        return [document.pk for document in request.documents.all()]


class EscalationOut(Schema):
    application: ApplicationSummary
    office: str
    due_on: dt.date
    escalated_at: dt.datetime

    @staticmethod
    def resolve_office(escalation: Escalation) -> str:
        return escalation.office.name


# --- the catalogue ----------------------------------------------------------------------------


@router.get("/cases/services", response=list[ServiceOut], summary="The service catalogue")
def list_services(request: HttpRequest) -> Any:
    return selectors.active_services()


@router.post("/cases/services", response={201: ServiceOut}, summary="Add a service (administrators)")
def add_service(request: HttpRequest, payload: ServiceIn) -> Any:
    entry = payload.dict()
    return Status(201, services.add_service(entry, actor=request.user))


# --- applications -----------------------------------------------------------------------------


def _application(request: HttpRequest, application_id: uuid.UUID, purpose: str = "API read") -> Application:
    return selectors.get_application_for_user(request.user, application_id, purpose=purpose)


def _to_change(request: HttpRequest, application_id: uuid.UUID) -> Application:
    """The application a write is about to change, if in the user's scope (404 otherwise), not audited
    as a read: the write's own audit entry records it, and a refused write shows nothing of it."""
    return selectors.application_in_scope(request.user, application_id)


def _shown(request: HttpRequest, application_id: uuid.UUID) -> Application:
    """The application as it is now, after a write (the write's audit already covers the read)."""
    application = selectors.applications_visible_to(request.user).filter(pk=application_id).first()
    if application is None:
        raise Http404
    return application


@router.get("/cases/applications", response=list[ApplicationSummary], summary="Applications in the user's scope")
@paginate
def list_applications(request: HttpRequest, filters: Query[ApplicationFilter]) -> Any:
    applications = selectors.applications_visible_to(request.user)
    if filters.state:
        applications = applications.filter(state=filters.state)
    if filters.service:
        applications = applications.filter(service__code=filters.service)
    if filters.district:
        applications = applications.filter(district__code=filters.district)
    if filters.mine:
        applications = applications.filter(assignee_id=request.user.pk)
    return _AuditedPage(request, applications.order_by("-created_at"), purpose="API list")


class _AuditedPage:
    """A queryset whose sliced page is audited as a list read when the paginator takes it."""

    def __init__(self, request: HttpRequest, queryset: Any, *, purpose: str) -> None:
        self._request, self._queryset, self._purpose = request, queryset, purpose

    def __len__(self) -> int:
        return int(self._queryset.count())

    def __getitem__(self, item: Any) -> Any:
        page = list(self._queryset[item])
        selectors.record_list_read(self._request.user, page, purpose=self._purpose)
        return page


@router.post(
    "/cases/applications", response={201: ApplicationOut}, summary="Start (and optionally submit) an application"
)
def create_application(request: HttpRequest, payload: ApplicationIn) -> Any:
    data = services.ApplicationInput(
        service=payload.service,
        district=payload.district,
        given_name=payload.given_name,
        family_name=payload.family_name,
        patronymic=payload.patronymic,
        birth_date=payload.birth_date,
        contact=payload.contact,
        details=payload.details,
        mobile_team_id=payload.mobile_team,
        language=payload.language,
    )
    if payload.submit:
        application = services.create_and_submit_application(data, actor=request.user)
    else:
        application = services.create_application(data, actor=request.user)
    # Shown from memory: the write holds everything the answer needs, and nothing can have
    # escalated an application created a moment ago.
    application.known_escalated = False  # type: ignore[attr-defined]
    return Status(201, selectors.shown_after_write(request.user, application))


@router.get("/cases/applications/{application_id}", response=ApplicationOut, summary="One application (audited)")
def get_application(request: HttpRequest, application_id: uuid.UUID) -> Application:
    return _application(request, application_id)


@router.get("/cases/queue", response=list[ApplicationSummary], summary="Unassigned applications of the user's offices")
@paginate
def queue(request: HttpRequest) -> Any:
    return _AuditedPage(request, selectors.queue_for(request.user), purpose="API queue")


@router.post("/cases/queue/next", response={200: ApplicationOut, 204: None}, summary="Take the next application")
def take_next(request: HttpRequest) -> Any:
    application = services.assign_next(request.user)
    if application is None:
        return Status(204, None)
    return Status(200, selectors.shown_after_write(request.user, application))


@router.post(
    "/cases/applications/{application_id}/events/{event}",
    response=ApplicationOut,
    summary="Move an application along the workflow (submit, start_screening, start_review, "
    "request_information, receive_information, appeal, reopen, dismiss_appeal, close)",
)
def fire_event(request: HttpRequest, application_id: uuid.UUID, event: str, payload: StepIn) -> Any:
    application = _to_change(request, application_id)
    if event == "request_information":
        services.request_information(
            application,
            actor=request.user,
            request=payload.note,
            document_types=payload.document_types,
            seen_version=payload.row_version,
        )
    elif event == "receive_information":
        services.receive_information(
            application,
            actor=request.user,
            note=payload.note,
            documents=payload.documents,
            seen_version=payload.row_version,
        )
    elif event == "appeal":
        services.appeal(application, actor=request.user, grounds=payload.note, seen_version=payload.row_version)
    elif event in services.SIMPLE_EVENTS:
        services.SIMPLE_EVENTS[event](
            application, actor=request.user, note=payload.note, seen_version=payload.row_version
        )
    elif event == "decide":
        raise CaseError("event", "decide through /decision, with a result and reasons")
    else:
        raise TransitionRefused(event, application.state)
    return selectors.shown_after_write(request.user, application)


@router.post("/cases/applications/{application_id}/decision", response=DecisionOut, summary="Decide an application")
def decide(request: HttpRequest, application_id: uuid.UUID, payload: DecisionIn) -> Any:
    application = _to_change(request, application_id)
    return services.decide(
        application,
        actor=request.user,
        result=payload.result,
        reasons=payload.reasons,
        note=payload.note,
        seen_version=payload.row_version,
    )


@router.get(
    "/cases/applications/{application_id}/transitions", response=list[TransitionOut], summary="The workflow history"
)
def transitions(request: HttpRequest, application_id: uuid.UUID) -> Any:
    return selectors.transitions_of(_application(request, application_id, purpose="history"))


@router.post(
    "/cases/applications/{application_id}/assignment",
    response=ApplicationOut,
    summary="Assign to a caseworker (by username), or to the least-loaded caseworker of the office",
)
def assign(request: HttpRequest, application_id: uuid.UUID, payload: AssignIn) -> Any:
    application = _to_change(request, application_id)
    if payload.caseworker is None:
        services.auto_assign(application, actor=request.user, seen_version=payload.row_version)
    else:
        caseworker = selectors.caseworker_by_username(request.user, payload.caseworker)
        if caseworker is None:
            raise CaseError("caseworker", f"no caseworker of your agency is called {payload.caseworker!r}")
        services.assign(application, caseworker, actor=request.user, seen_version=payload.row_version)
    return _shown(request, application.pk)


# --- notes and messages -----------------------------------------------------------------------


@router.get("/cases/applications/{application_id}/notes", response=list[NoteOut], summary="Staff-only notes")
def list_notes(request: HttpRequest, application_id: uuid.UUID) -> Any:
    application = _application(request, application_id, purpose="notes")
    return selectors.notes_of(request.user, application)


@router.post("/cases/applications/{application_id}/notes", response={201: NoteOut}, summary="Add a staff-only note")
def add_note(request: HttpRequest, application_id: uuid.UUID, payload: TextIn) -> Any:
    application = _application(request, application_id, purpose="add a note")
    return Status(201, services.add_note(application, payload.text, actor=request.user))


@router.get(
    "/cases/applications/{application_id}/messages", response=list[MessageOut], summary="Messages with the applicant"
)
def list_messages(request: HttpRequest, application_id: uuid.UUID) -> Any:
    application = _application(request, application_id, purpose="messages")
    return selectors.messages_of(request.user, application)


@router.post("/cases/applications/{application_id}/messages", response={201: MessageOut}, summary="Record a message")
def add_message(request: HttpRequest, application_id: uuid.UUID, payload: MessageIn) -> Any:
    application = _application(request, application_id, purpose="record a message")
    return Status(
        201, services.record_message(application, payload.text, direction=payload.direction, actor=request.user)
    )


# --- documents, information requests, decision letters ---------------------------------------


@router.get(
    "/cases/applications/{application_id}/documents",
    response=list[DocumentOut],
    summary="The documents filed with an application",
)
def list_documents(request: HttpRequest, application_id: uuid.UUID) -> Any:
    application = _application(request, application_id, purpose="documents")
    return selectors.documents_of(request.user, application)


@router.post(
    "/cases/applications/{application_id}/documents",
    response={201: DocumentOut},
    summary="File a document (multipart: document_type, file); its content is checked before it is kept",
)
def attach_document(
    request: HttpRequest,
    application_id: uuid.UUID,
    document_type: Form[str],
    file: File[UploadedFile],
    note: Form[str] = "",
) -> Any:
    application = _application(request, application_id, purpose="file a document")
    document = documents.attach_document(
        application,
        actor=request.user,
        document_type=document_type,
        source=file,
        filename=file.name or "",
        content_type=file.content_type or "",
        note=note,
    )
    return Status(201, document)


@router.get(
    "/cases/applications/{application_id}/required-documents",
    response=list[RequiredDocumentOut],
    summary="The documents the service requires, each with the copies filed and originals seen (an approval needs all)",
)
def list_required_documents(request: HttpRequest, application_id: uuid.UUID) -> Any:
    application = _application(request, application_id, purpose="required documents")
    return selectors.required_documents(application)


@router.post(
    "/cases/applications/{application_id}/originals",
    response={201: OriginalSeenOut},
    summary="Record that the original of a document was seen (no copy is filed)",
)
def record_original_seen(request: HttpRequest, application_id: uuid.UUID, payload: OriginalSeenIn) -> Any:
    application = _to_change(request, application_id)
    original = documents.record_original_seen(
        application, actor=request.user, document_type=payload.document_type, note=payload.note
    )
    return Status(201, original)


@router.get(
    "/cases/documents/{document_id}/file",
    response={200: None},
    summary="Download a document (audited); sent as an attachment with its checked media type",
)
def document_file(request: HttpRequest, document_id: uuid.UUID) -> FileResponse:
    document, handle = selectors.open_document(request.user, document_id, purpose="API download")
    response = FileResponse(
        handle, as_attachment=True, filename=download_name(document), content_type=document.media_type
    )
    private_download_headers(response)
    return response


@router.get(
    "/cases/applications/{application_id}/information-requests",
    response=list[InformationRequestOut],
    summary="What the applicant was asked for, and the documents that answered",
)
def list_information_requests(request: HttpRequest, application_id: uuid.UUID) -> Any:
    application = _application(request, application_id, purpose="information requests")
    return selectors.information_requests_of(request.user, application)


@router.get(
    "/cases/applications/{application_id}/decision-letter.pdf",
    response={200: None},
    summary="The decision letter as PDF, in the applicant's language (409 until the application is decided)",
)
def decision_letter(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    letter = letters.decision_letter_file(request.user, application_id)
    response = HttpResponse(letter.content, content_type=letter.media_type)
    response["Content-Disposition"] = f'attachment; filename="{letter.filename}"'
    private_download_headers(response)
    return response


# --- identity ---------------------------------------------------------------------------------


@router.get(
    "/cases/applications/{application_id}/identity-candidates",
    response=list[CandidateOut],
    summary="Registered persons who may be the applicant, with the reasons (audited)",
)
def identity_candidates(request: HttpRequest, application_id: uuid.UUID) -> list[CandidateOut]:
    application = _application(request, application_id, purpose="identity check")
    return [
        CandidateOut(
            person=person.pk,
            given_name=person.given_name,
            family_name=person.family_name,
            patronymic=person.patronymic,
            birth_date=person.birth_date,
            district=person.district.code,
            reasons=list(candidate.reasons),
        )
        for person, candidate in selectors.identity_candidates_for(request.user, application)
    ]


@router.post("/cases/applications/{application_id}/person", response=ApplicationOut, summary="Link a registered person")
def link_person(request: HttpRequest, application_id: uuid.UUID, payload: PersonLinkIn) -> Any:
    application = _application(request, application_id, purpose="link a person")
    services.link_person(application, payload.person, actor=request.user, seen_version=payload.row_version)
    return _shown(request, application.pk)


@router.post(
    "/cases/applications/{application_id}/person/new",
    response={201: ApplicationOut},
    summary="Register the applicant as a new person and link them",
)
def create_person(request: HttpRequest, application_id: uuid.UUID, payload: VersionIn) -> Any:
    application = _application(request, application_id, purpose="register the applicant")
    services.create_person_from_application(application, actor=request.user, seen_version=payload.row_version)
    return Status(201, _shown(request, application.pk))


# --- escalations ------------------------------------------------------------------------------


@router.get("/cases/escalations", response=list[EscalationOut], summary="The supervisor's escalated cases")
def escalations(request: HttpRequest) -> Any:
    found = list(selectors.escalations_for(request.user))
    selectors.record_list_read(request.user, [e.application for e in found], purpose="API escalations")
    return found
