"""Casework pages: the caseworker's queue, an application with the actions its state allows, the
staff-assisted application and the supervisor's dashboard.

Reads go through ``selectors`` (scoped by agency and district; showing applications is audited),
writes through ``services`` and ``documents``. A refused write changes nothing and shows why on the
page, on the field it names; a form carries the row version the page showed, so acting on a page
opened before someone else's change is refused ("changed by someone else") rather than applied.
Every form is a plain HTML form: the pages work without JavaScript.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from homeward.cases import dashboards, documents, identity, selectors, services
from homeward.cases.choices import ApplicationState, DetailField
from homeward.cases.forms import (
    AppealForm,
    AssignForm,
    CaseForm,
    DashboardFilterForm,
    DecideForm,
    DocumentUploadForm,
    LinkPersonForm,
    MessageForm,
    NewApplicationForm,
    NewPersonForm,
    NoteForm,
    OriginalSeenForm,
    ReceiveInformationForm,
    RequestInformationForm,
    ServiceChoiceForm,
    StepForm,
    mobile_teams_for,
)
from homeward.cases.letters import LETTER_STATES
from homeward.cases.models import DOCUMENT_TYPE_CHOICES, Application
from homeward.cases.services import ActionRefused, ApplicationInput, CaseError
from homeward.cases.workflow import TransitionRefused
from homeward.cases.working_days import DayOffKind, WorkingCalendar
from homeward.core.permissions import Action, Domain, may
from homeward.core.versioning import StaleObjectError
from homeward.places import selectors as places

PER_PAGE = 50
MY_CASES_SHOWN = 200

DEADLINE_LABELS: dict[str, str | Promise] = {
    "on_time": gettext_lazy("on time"),
    "due_soon": gettext_lazy("due soon"),
    "overdue": gettext_lazy("overdue"),
    "paused": gettext_lazy("paused: waiting for the applicant"),
}
CANDIDATE_REASONS: dict[str, str | Promise] = {
    identity.EXACT_NAME_AND_BIRTH_DATE: gettext_lazy("exact name and birth date"),
    identity.SAME_NORMALISED_NAME_AND_BIRTH_DATE: gettext_lazy("same name (ignoring case and accents) and birth date"),
    identity.EXACT_NAME: gettext_lazy("exact name"),
    identity.DIFFERENT_BIRTH_DATE: gettext_lazy("a different birth date"),
    identity.NO_BIRTH_DATE_TO_COMPARE: gettext_lazy("no birth date to compare"),
}


@dataclass(frozen=True)
class EventText:
    title: str | Promise
    button: str | Promise
    explanation: str | Promise = ""
    done: str | Promise = ""


EVENTS: dict[str, EventText] = {
    "submit": EventText(
        gettext_lazy("Submit the application"),
        gettext_lazy("Submit"),
        gettext_lazy("Sends it to the office of its district and starts the deadline."),
        gettext_lazy("The application is submitted."),
    ),
    "start_screening": EventText(
        gettext_lazy("Start screening"),
        gettext_lazy("Start screening"),
        gettext_lazy("Check that the application is complete and in the right office."),
        gettext_lazy("Screening has started."),
    ),
    "start_review": EventText(
        gettext_lazy("Start the review"),
        gettext_lazy("Start the review"),
        gettext_lazy("The application is complete: examine it on its merits."),
        gettext_lazy("The review has started."),
    ),
    "request_information": EventText(
        gettext_lazy("Request information from the applicant"),
        gettext_lazy("Send the request"),
        gettext_lazy("The deadline stops until the information arrives."),
        gettext_lazy("The request is sent to the applicant; the deadline is stopped."),
    ),
    "receive_information": EventText(
        gettext_lazy("The requested information has arrived"),
        gettext_lazy("Information received"),
        gettext_lazy("The review resumes and the due date moves by the working days spent waiting."),
        gettext_lazy("The information is received; the review resumes."),
    ),
    "decide": EventText(
        gettext_lazy("Decide"),
        gettext_lazy("Record the decision"),
        gettext_lazy("The applicant receives a decision letter in their language with these reasons."),
        gettext_lazy("The decision is recorded."),
    ),
    "appeal": EventText(
        gettext_lazy("Record an appeal"),
        gettext_lazy("Record the appeal"),
        gettext_lazy("The applicant contests the decision; a supervisor other than the decision maker rules on it."),
        gettext_lazy("The appeal is recorded."),
    ),
    "reopen": EventText(
        gettext_lazy("Allow the appeal"),
        gettext_lazy("Allow the appeal and review again"),
        gettext_lazy("The decision is set aside; the application is reviewed again with a new deadline."),
        gettext_lazy("The appeal is allowed; the application is under review again."),
    ),
    "dismiss_appeal": EventText(
        gettext_lazy("Dismiss the appeal"),
        gettext_lazy("Dismiss the appeal"),
        gettext_lazy("The decision stands and the application is closed."),
        gettext_lazy("The appeal is dismissed; the application is closed."),
    ),
    "close": EventText(
        gettext_lazy("Close the application"),
        gettext_lazy("Close"),
        gettext_lazy("No appeal was made, or the time for one has passed."),
        gettext_lazy("The application is closed."),
    ),
}
STALE = gettext_lazy(
    "Someone else changed this application after you opened the page, so nothing was saved. "
    "The page now shows it as it is: check it, and submit again if your action still applies."
)
# Document refusals in words, by their stable reason code; others keep the checker's English text.
DOCUMENT_REFUSALS: dict[str, str | Promise] = {
    "too_large": gettext_lazy("The file is larger than the limit of %(limit)s."),
    "empty": gettext_lazy("The file is empty."),
    "type_mismatch": gettext_lazy("The file is not what its name or type says it is."),
    "executable": gettext_lazy("The file is a program or a script: it cannot be filed."),
    "not_allowed": gettext_lazy("Only PDF files and photographs or scans (PNG, JPEG) are accepted."),
    "corrupt": gettext_lazy("The file cannot be opened: it is damaged or too complex to check."),
    "encrypted_pdf": gettext_lazy("The PDF is protected by a password: file an unprotected copy."),
    "active_content": gettext_lazy("The file contains active content (scripts or embedded files)."),
}


def _refusal_text(refusal: documents.DocumentRefused) -> str:
    """Why an upload was refused, in the reader's language (the English message for a reason the
    page has no words for)."""
    template = DOCUMENT_REFUSALS.get(refusal.reason_code)
    if template is None:
        return refusal.message
    if refusal.reason_code == "too_large":
        max_bytes = refusal.params.get("max_bytes")
        return str(template) % {"limit": filesizeformat(max_bytes if isinstance(max_bytes, int) else 0)}
    return str(template)


# --- access -----------------------------------------------------------------------------------


def _require_view(user: Any) -> None:
    if not may(user, Action.VIEW, Application):
        raise PermissionDenied


def may_supervise(user: Any) -> bool:
    """The dashboard is for those who assign cases: supervisors."""
    return may(user, Action.ASSIGN, Domain.CASES)


def _application(request: HttpRequest, application_id: uuid.UUID, *, purpose: str) -> Application:
    _require_view(request.user)
    return selectors.get_application_for_user(request.user, application_id, purpose=purpose)


def _context(request: HttpRequest, active: str, **extra: Any) -> dict[str, Any]:
    """What every casework page needs for its sub-navigation."""
    return {
        "active": active,
        "may_create": may(request.user, Action.CREATE, Application),
        "may_supervise": may_supervise(request.user),
        **extra,
    }


def _current(request: HttpRequest, application_id: uuid.UUID) -> Application:
    """The application as it is now, after a refused write (whose request already audited the read)."""
    application = selectors.applications_visible_to(request.user).filter(pk=application_id).first()
    if application is None:
        raise Http404
    return application


# --- the queue --------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    application: Application
    status: str | None

    @property
    def status_label(self) -> str:
        return str(DEADLINE_LABELS.get(self.status or "", ""))


def _items(applications: list[Application], calendar: WorkingCalendar, today: dt.date) -> list[QueueItem]:
    return [
        QueueItem(application, selectors.deadline_status_of(application, calendar=calendar, today=today))
        for application in applications
    ]


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_view(user)
    calendar, today = selectors.working_calendar(), timezone.localdate()
    page = Paginator(selectors.queue_for(user), PER_PAGE).get_page(request.GET.get("page"))
    waiting = list(page.object_list)
    mine = list(selectors.assigned_to(user)[:MY_CASES_SHOWN])
    selectors.record_list_read(user, [*waiting, *mine], purpose="casework queue")
    context = _context(
        request,
        "queue",
        page=page,
        waiting=_items(waiting, calendar, today),
        mine=_items(mine, calendar, today),
        may_take=may(user, Action.CHANGE, Application),
    )
    return render(request, "cases/queue.html", context)


@login_required
@require_POST
def take_next(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    try:
        application = services.assign_next(request.user)
    except ActionRefused as refused:
        messages.error(request, str(refused))
        return redirect("cases:queue")
    if application is None:
        messages.info(request, _("The queue is empty: there is no application to take."))
        return redirect("cases:queue")
    messages.success(request, _("Application %(reference)s is now yours.") % {"reference": application.reference})
    return redirect("cases:application_detail", application_id=application.pk)


# --- one application --------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineView:
    """When the answer is due and why then: the working days counted and the days that were not."""

    status: str | None
    status_label: str
    started_on: dt.date | None
    due_on: dt.date | None
    service_days: int | None
    paused_days: int
    requested_on: dt.date | None
    weekend_days: int
    days_off: list[Any]
    escalated: bool


def _deadline(application: Application, calendar: WorkingCalendar, escalated: bool) -> DeadlineView:
    status = selectors.deadline_status_of(application, calendar=calendar)
    weekend_days, days_off = 0, []
    start, due = application.clock_started_on, application.due_on
    if start is not None and due is not None and due > start:
        # The start day is not counted (see WorkingCalendar), so neither is it explained.
        for day_off in calendar.days_off(start + dt.timedelta(days=1), due):
            if day_off.kind is DayOffKind.WEEKEND:
                weekend_days += 1
            else:
                days_off.append(day_off)
    return DeadlineView(
        status=status,
        status_label=str(DEADLINE_LABELS.get(status or "", "")),
        started_on=start,
        due_on=due,
        service_days=application.deadline_working_days,
        paused_days=application.paused_working_days,
        requested_on=application.information_requested_on,
        weekend_days=weekend_days,
        days_off=days_off,
        escalated=escalated,
    )


@dataclass
class ActionView:
    event: str
    text: EventText
    form: forms.Form

    @property
    def multipart(self) -> bool:
        return self.form.is_multipart()


def _event_form(event: str, user: Any, application: Application, data: Any = None, files: Any = None) -> CaseForm:
    """The form of a workflow event for ``application``: the page's (unbound) or the posted one."""
    kwargs: dict[str, Any] = {"data": data, "files": files, "prefix": event}
    kwargs["initial"] = {"row_version": application.row_version}
    if event == "request_information":
        return RequestInformationForm(**kwargs)
    if event == "receive_information":
        waiting = [doc for doc in selectors.documents_of(user, application) if doc.provided_for_id is None]
        return ReceiveInformationForm(
            **kwargs, documents=waiting, document_types=documents.document_type_choices(application)
        )
    if event == "decide":
        return DecideForm(**kwargs, service=application.service)
    if event == "appeal":
        return AppealForm(**kwargs)
    return StepForm(**kwargs)


def _other_form(key: str, application: Application, data: Any = None, files: Any = None) -> CaseForm:
    initial = {"row_version": application.row_version}
    if key == "note":
        return NoteForm(data, prefix="note")
    if key == "message":
        return MessageForm(data, prefix="message")
    if key == "document":
        return DocumentUploadForm(data, files, document_types=documents.document_type_choices(application))
    if key == "original":
        labels = dict(DOCUMENT_TYPE_CHOICES)
        missing = [(code, str(labels.get(code, code))) for code in selectors.missing_documents(application)]
        return OriginalSeenForm(data, document_types=missing)
    if key == "link":
        return LinkPersonForm(data, initial=initial)
    if key == "new_person":
        return NewPersonForm(data, initial=initial, prefix="new_person")
    if key == "assign":
        caseworkers = selectors.caseworker_loads(application.office) if application.office else []
        return AssignForm(data, initial=initial, prefix="assign", caseworkers=caseworkers)
    raise Http404


def _form_for(key: str, user: Any, application: Application, data: Any = None, files: Any = None) -> CaseForm:
    if key in EVENTS:
        return _event_form(key, user, application, data, files)
    return _other_form(key, application, data, files)


def _details(application: Application) -> list[tuple[str, Any]]:
    labels = dict(DetailField.choices)
    return [(str(labels.get(key, key)), value) for key, value in application.details.items()]


def _render_detail(
    request: HttpRequest,
    application: Application,
    *,
    bound: tuple[str, CaseForm] | None = None,
    refused: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    calendar = selectors.working_calendar()

    def form(key: str) -> CaseForm:
        return bound[1] if bound is not None and bound[0] == key else _form_for(key, user, application)

    may_change = may(user, Action.CHANGE, application)
    actions = [
        ActionView(event, EVENTS[event], form(event)) for event in selectors.allowed_events_for(user, application)
    ]
    candidates = []
    if may_change and application.person_id is None and application.state != ApplicationState.DRAFT:
        for person, candidate in selectors.identity_candidates_for(user, application):
            reasons = [str(CANDIDATE_REASONS.get(reason, reason)) for reason in candidate.reasons]
            candidates.append((person, reasons))
    may_assign = (
        may(user, Action.ASSIGN, application)
        and application.office_id is not None
        and application.state not in (ApplicationState.DRAFT, ApplicationState.CLOSED)
    )
    decision = selectors.decision_in_force(application)
    escalated = application.escalations.filter(resolved_at__isnull=True).exists()
    document_labels = dict(DOCUMENT_TYPE_CHOICES)
    checklist = selectors.required_documents(application)
    context = _context(request, "application")
    context |= {
        "application": application,
        "required_documents": [
            (required, str(document_labels.get(required.document_type, required.document_type)))
            for required in checklist
        ],
        "details": _details(application),
        "deadline": _deadline(application, calendar, escalated),
        "actions": actions,
        "refused": refused or [],
        "refused_key": bound[0] if bound is not None and refused else "",
        "may_change": may_change,
        "transitions": list(selectors.transitions_of(application)),
        "decisions": list(application.decisions.select_related("decided_by").order_by("decided_at", "created_at")),
        "decision": decision,
        "letter_available": decision is not None and application.state in LETTER_STATES,
        "information_requests": [
            (item, [str(document_labels.get(code, code)) for code in item.document_types or []])
            for item in selectors.information_requests_of(user, application)
        ],
        "documents": list(selectors.documents_of(user, application)),
        "notes": list(selectors.notes_of(user, application)),
        "messages_with_applicant": list(selectors.messages_of(user, application)),
        "candidates": candidates,
        "note_form": form("note") if may_change else None,
        "message_form": form("message") if may_change else None,
        "document_form": (form("document") if may_change and application.state != ApplicationState.CLOSED else None),
        "original_form": (
            form("original")
            if may_change
            and application.state != ApplicationState.CLOSED
            and not all(required.provided for required in checklist)
            else None
        ),
        "link_form": form("link") if candidates else None,
        "new_person_form": form("new_person") if may_change and application.person_id is None else None,
        "may_register_person": may(user, Action.CREATE, identity.person_model()),
        "assign_form": form("assign") if may_assign else None,
    }
    return render(request, "cases/application_detail.html", context, status=status)


@login_required
@require_GET
def application_detail(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    return _render_detail(request, _application(request, application_id, purpose="open the application"))


def _errors_of(form: CaseForm) -> list[str]:
    found = [str(error) for error in form.non_field_errors()]
    for field in form:
        found += [f"{field.label}: {error}" for error in field.errors]
    return found


def _attempt(
    request: HttpRequest,
    application: Application,
    key: str,
    form: CaseForm,
    write: Callable[[], object],
    done: str | Promise,
) -> HttpResponse:
    """Run ``write`` in one transaction; on success go back to the application with ``done``, on
    refusal show the page again with why, on the form that was sent, and nothing saved."""
    if not form.is_valid():
        return _render_detail(request, application, bound=(key, form), refused=_errors_of(form), status=400)
    status = 400
    try:
        with transaction.atomic():
            write()
    except StaleObjectError:
        return _stale(request, application.pk, key, form)
    except documents.DocumentRefused as refusal:
        form.add_domain_error(refusal.field, _refusal_text(refusal))
    except CaseError as error:
        form.add_domain_error(error.field, error.message)
    except TransitionRefused as error:
        form.add_error(None, str(error))
        status = 409
    except ActionRefused as error:
        form.add_error(None, str(error))
        status = 403
    else:
        messages.success(request, str(done))
        return redirect("cases:application_detail", application_id=application.pk)
    return _render_detail(request, application, bound=(key, form), refused=_errors_of(form), status=status)


def _stale(request: HttpRequest, application_id: uuid.UUID, key: str, posted: CaseForm) -> HttpResponse:
    """Someone saved the application meanwhile: show it as it is now, with the user's form carrying
    the current version (and what they typed), so they check what changed and submit again."""
    application = _current(request, application_id)
    data = request.POST.copy()
    data[posted.add_prefix("row_version")] = str(application.row_version)
    form = _form_for(key, request.user, application, data, request.FILES)
    form.is_valid()
    form.add_error(None, str(STALE))
    return _render_detail(request, application, bound=(key, form), refused=[str(STALE)], status=409)


def _fire(event: str, application: Application, form: CaseForm, user: Any) -> None:
    data = form.cleaned_data
    seen = data["row_version"]
    if seen != application.row_version:
        # Refused before anything is stored (an upload would otherwise be checked and written first).
        raise StaleObjectError(application)
    if event == "request_information":
        services.request_information(
            application, actor=user, request=data["request"], document_types=data["document_types"], seen_version=seen
        )
    elif event == "receive_information":
        received = [str(document_id) for document_id in data["documents"]]
        if data.get("file"):
            upload = data["file"]
            received.append(
                str(
                    documents.attach_document(
                        application,
                        actor=user,
                        document_type=data["document_type"],
                        source=upload,
                        filename=upload.name or "",
                        content_type=upload.content_type or "",
                    ).pk
                )
            )
        services.receive_information(application, actor=user, note=data["note"], documents=received, seen_version=seen)
    elif event == "decide":
        assert isinstance(form, DecideForm)
        services.decide(
            application,
            actor=user,
            result=data["result"],
            reasons=form.reason_lines(),
            note=data["note"],
            seen_version=seen,
        )
    elif event == "appeal":
        services.appeal(application, actor=user, grounds=data["grounds"], seen_version=seen)
    else:
        services.SIMPLE_EVENTS[event](application, actor=user, note=data["note"], seen_version=seen)


@login_required
@require_POST
def application_action(request: HttpRequest, application_id: uuid.UUID, event: str) -> HttpResponse:
    if event not in EVENTS:
        raise Http404
    application = _application(request, application_id, purpose=f"workflow: {event}")
    form = _event_form(event, request.user, application, request.POST, request.FILES)
    return _attempt(
        request, application, event, form, lambda: _fire(event, application, form, request.user), EVENTS[event].done
    )


@login_required
@require_POST
def add_note(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    application = _application(request, application_id, purpose="add an internal note")
    form = _other_form("note", application, request.POST)

    def write() -> None:
        services.add_note(application, form.cleaned_data["text"], actor=request.user)

    return _attempt(request, application, "note", form, write, gettext_lazy("The internal note is added."))


@login_required
@require_POST
def add_message(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    application = _application(request, application_id, purpose="record a message")
    form = _other_form("message", application, request.POST)

    def write() -> None:
        data = form.cleaned_data
        services.record_message(application, data["text"], direction=data["direction"], actor=request.user)

    return _attempt(request, application, "message", form, write, gettext_lazy("The message is recorded."))


@login_required
@require_POST
def upload_document(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    application = _application(request, application_id, purpose="file a document")
    form = _other_form("document", application, request.POST, request.FILES)

    def write() -> None:
        upload = form.cleaned_data["file"]
        documents.attach_document(
            application,
            actor=request.user,
            document_type=form.cleaned_data["document_type"],
            source=upload,
            filename=upload.name or "",
            content_type=upload.content_type or "",
        )

    return _attempt(request, application, "document", form, write, gettext_lazy("The document is filed."))


@login_required
@require_POST
def record_original_seen(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    application = _application(request, application_id, purpose="record an original seen")
    form = _other_form("original", application, request.POST)

    def write() -> None:
        documents.record_original_seen(
            application,
            actor=request.user,
            document_type=form.cleaned_data["document_type"],
            note=form.cleaned_data["note"],
        )

    return _attempt(request, application, "original", form, write, gettext_lazy("The original is recorded as seen."))


@login_required
@require_POST
def link_person(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    application = _application(request, application_id, purpose="link a registered person")
    form = _other_form("link", application, request.POST)

    def write() -> None:
        data = form.cleaned_data
        services.link_person(application, data["person"], actor=request.user, seen_version=data["row_version"])

    return _attempt(
        request, application, "link", form, write, gettext_lazy("The application is linked to the registered person.")
    )


@login_required
@require_POST
def new_person(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    application = _application(request, application_id, purpose="register the applicant")
    form = _other_form("new_person", application, request.POST)

    def write() -> None:
        services.create_person_from_application(
            application, actor=request.user, seen_version=form.cleaned_data["row_version"]
        )

    return _attempt(
        request,
        application,
        "new_person",
        form,
        write,
        gettext_lazy("The applicant is registered as a new person and linked to the application."),
    )


@login_required
@require_POST
def assign(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    application = _application(request, application_id, purpose="assignment")
    form = _other_form("assign", application, request.POST)

    def write() -> None:
        username, seen = form.cleaned_data["caseworker"], form.cleaned_data["row_version"]
        if not username:
            services.auto_assign(application, actor=request.user, seen_version=seen)
            return
        caseworker = selectors.caseworker_by_username(request.user, username)
        if caseworker is None:
            raise CaseError("caseworker", _("no caseworker of your agency is called %(name)s") % {"name": username})
        services.assign(application, caseworker, actor=request.user, seen_version=seen)

    return _attempt(request, application, "assign", form, write, gettext_lazy("The application is assigned."))


# --- a staff-assisted application -------------------------------------------------------------


def _services_by_name() -> list[Any]:
    return sorted(selectors.active_services(), key=lambda service: service.name.casefold())


def _districts_of(user: Any) -> list[Any]:
    districts = places.districts_for(user)
    if not user.all_districts:
        districts = districts.filter(pk__in=user.district_ids)
    return list(districts)


@login_required
@require_http_methods(["GET", "POST"])
def new_application(request: HttpRequest) -> HttpResponse:
    """Enter an application with (or for) a resident, and submit it: both or neither."""
    user = request.user
    if not may(user, Action.CREATE, Application):
        raise PermissionDenied
    catalogue = _services_by_name()
    code = (request.POST if request.method == "POST" else request.GET).get("service", "")
    service = next((item for item in catalogue if item.code == code), None)
    chooser = ServiceChoiceForm(request.GET if code and request.method == "GET" else None, services=catalogue)
    context = _context(request, "new", chooser=chooser, chosen=code, service=service, form=None)
    if service is None:
        if code:
            chooser.is_valid()
        return render(request, "cases/new_application.html", context, status=400 if code else 200)
    form_kwargs = {"service": service, "districts": _districts_of(user), "mobile_teams": mobile_teams_for(user)}
    if request.method != "POST":
        context["form"] = NewApplicationForm(initial={"service": service.code}, **form_kwargs)
        return render(request, "cases/new_application.html", context)
    form = context["form"] = NewApplicationForm(request.POST, **form_kwargs)
    if form.is_valid():
        try:
            application = services.create_and_submit_application(_application_input(form), actor=user)
        except CaseError as error:
            form.add_domain_error(error.field, error.message)
        except ActionRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                _("Application %(reference)s is submitted to %(office)s.")
                % {"reference": application.reference, "office": application.office},
            )
            return redirect("cases:application_detail", application_id=application.pk)
    return render(request, "cases/new_application.html", context, status=400)


def _application_input(form: NewApplicationForm) -> ApplicationInput:
    data = form.cleaned_data
    team = data.get("mobile_team")
    return ApplicationInput(
        service=form.chosen_service.code,
        district=data["district"],
        given_name=data["given_name"],
        family_name=data["family_name"],
        patronymic=data["patronymic"],
        birth_date=data["birth_date"],
        contact=data["contact"],
        details=form.details(),
        mobile_team_id=team.pk if team is not None else None,
        language=data["language"],
    )


# --- the supervisor's dashboard ---------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not may_supervise(user):
        raise PermissionDenied
    districts = _districts_of(user)
    catalogue = _services_by_name()
    offices = list(dashboards.offices_for(user))
    form = DashboardFilterForm(
        request.GET or None,
        districts=districts,
        services=catalogue,
        offices=offices,
        breakdowns=[(by.value, by.label) for by in dashboards.Breakdown],
        default_breakdown=dashboards.Breakdown.SERVICE,
    )
    values = form.valid_values()
    filters = dashboards.Filters(
        district_id=values.get("district") or None,
        service_id=values.get("service") or None,
        office_id=values.get("office") or None,
        decided_from=values.get("decided_from"),
        decided_until=values.get("decided_until"),
    )
    by = dashboards.Breakdown(values.get("by") or dashboards.Breakdown.SERVICE)
    today = timezone.localdate()
    figures = dashboards.build(
        selectors.applications_visible_to(user),
        by=by,
        filters=filters,
        today=today,
        calendar=selectors.working_calendar(),
    )
    escalations = list(dashboards.escalations(selectors.escalations_for(user), filters))
    selectors.record_list_read(user, [e.application for e in escalations], purpose="casework dashboard escalations")
    context = _context(request, "dashboard")
    context |= {
        "form": form,
        "figures": figures,
        "queue_states": [ApplicationState(state) for state in dashboards.QUEUE_STATES],
        "escalations": escalations,
        "today": today,
        "filters": filters,
    }
    return render(request, "cases/dashboard.html", context)
