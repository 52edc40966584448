"""Recovery pages: reconstruction projects, a settlement's services and housing, and exports.

Every read goes through ``selectors`` (visibility by district), every write through ``services``,
whose ``RecoveryError`` is shown on the form field it names. Pages never compute readiness: a
write asks the background task to recompute it, and the page says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from homeward.core.file_transfers import export_response, file_response
from homeward.core.permissions import Action, Scope, may, require, within_scope
from homeward.core.versioning import StaleObjectError
from homeward.interchange import ExportFormat
from homeward.mineaction import selectors as mine_action
from homeward.places import selectors as places
from homeward.recovery import exporting, selectors, services
from homeward.recovery.choices import ACTIVE_PROJECT_STATUSES, ServiceKind
from homeward.recovery.forms import (
    CompleteProjectForm,
    ExportForm,
    HousingObservationForm,
    ProjectFilterForm,
    ServiceObservationForm,
    export_format_choices,
)
from homeward.recovery.models import HousingObservation, Project, ServiceObservation
from homeward.recovery.services import RecoveryError

PER_PAGE = 50
XML_CONTENT_TYPE = "application/xml"


# --- access and shared context -----------------------------------------------------------------


def _require_view(user: Any) -> None:
    if not may(user, Action.VIEW, Project):
        raise PermissionDenied


def _context(request: HttpRequest, active: str, **extra: Any) -> dict[str, Any]:
    """What every recovery page needs: what the user may do, for the sub-navigation and forms."""
    return {
        "active": active,
        "may_export": may(request.user, Action.EXPORT, Project),
        **extra,
    }


# --- projects ----------------------------------------------------------------------------------


@login_required
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    form = ProjectFilterForm(request.GET or None, districts=places.districts_for(request.user))
    projects = form.apply(selectors.projects_visible_to(request.user).prefetch_related("settlements"))
    page = Paginator(projects, PER_PAGE).get_page(request.GET.get("page"))
    context = _context(
        request,
        "projects",
        form=form,
        page=page,
        export_formats=export_format_choices(exporting.ExportKind.PROJECTS_3W),
        three_w_kind=exporting.ExportKind.PROJECTS_3W.value,
        iati_kind=exporting.ExportKind.PROJECTS_IATI.value,
        iati_format=exporting.XML,
    )
    return render(request, "recovery/project_list.html", context)


@dataclass(frozen=True)
class HazardLink:
    external_id: str
    pk: Any = None


@dataclass(frozen=True)
class Schedule:
    """How the actual dates compare with the planned end, in days (at most one of them is set)."""

    finished: bool
    late_days: int = 0
    early_days: int = 0
    overdue_days: int = 0


def _hazard_links(user: Any, external_ids: list[str]) -> list[HazardLink]:
    """The blocking areas, linked when the user may open them (otherwise named only)."""
    if not external_ids:
        return []
    found: dict[str, Any] = {}
    if mine_action.sees_areas(user):
        # The same visibility as get_hazard_for_user, in one query for all of the project's areas.
        visible = mine_action.hazards_visible_to(user).filter(external_id__in=external_ids)
        found = dict(visible.values_list("external_id", "pk"))
    return [HazardLink(external_id, found.get(external_id)) for external_id in external_ids]


def _schedule(project: Project) -> Schedule:
    delay = project.delay_days
    if delay is not None:
        return Schedule(finished=True, late_days=max(delay, 0), early_days=max(-delay, 0))
    overdue = (timezone.localdate() - project.planned_end).days
    if project.status in ACTIVE_PROJECT_STATUSES and overdue > 0:
        return Schedule(finished=False, overdue_days=overdue)
    return Schedule(finished=False)


def _render_project(request: HttpRequest, project: Project, form: CompleteProjectForm | None = None) -> HttpResponse:
    may_complete = project.status in ACTIVE_PROJECT_STATUSES and may(request.user, Action.CHANGE, project)
    if may_complete and form is None:
        form = CompleteProjectForm(initial={"row_version": project.row_version})
    overspend: Decimal | None = project.spent - project.budget if project.over_budget else None
    context = _context(
        request,
        "projects",
        project=project,
        settlements=list(project.settlements.select_related("district").order_by("name")),
        restores=list(project.restores.select_related("settlement").order_by("settlement__name", "kind")),
        milestones=list(project.milestones.order_by("planned_on", "title")),
        hazards=_hazard_links(request.user, list(project.blocked_by_hazards)),
        schedule=_schedule(project),
        overspend=overspend,
        today=timezone.localdate(),
        complete_form=form if may_complete else None,
    )
    return render(request, "recovery/project_detail.html", context)


@login_required
@require_GET
def project_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    _require_view(request.user)
    return _render_project(request, selectors.get_project_for_user(request.user, pk))


@login_required
@require_POST
def project_complete(request: HttpRequest, pk: Any) -> HttpResponse:
    _require_view(request.user)
    project = selectors.get_project_for_user(request.user, pk)
    require(request.user, Action.CHANGE, project)
    if project.status not in ACTIVE_PROJECT_STATUSES:
        messages.warning(
            request,
            _("Project %(id)s is “%(status)s”: it cannot be marked complete.")
            % {"id": project.external_id, "status": project.get_status_display()},
        )
        return redirect("recovery:project_detail", pk=project.pk)
    form = CompleteProjectForm(request.POST)
    if not form.is_valid():
        return _render_project(request, project, form)
    try:
        services.complete_project(
            project, actual_end=form.cleaned_data["actual_end"], seen_version=form.cleaned_data["row_version"]
        )
    except RecoveryError as error:
        form.add_domain_error(error.field, error.message)
        return _render_project(request, project, form)
    except StaleObjectError:
        return _stale_completion(request, form, selectors.get_project_for_user(request.user, pk))
    messages.success(
        request,
        _("Project %(id)s is marked complete. The readiness of the settlements it restores will be recomputed shortly.")
        % {"id": project.external_id},
    )
    return redirect("recovery:project_detail", pk=project.pk)


def _stale_completion(request: HttpRequest, posted: CompleteProjectForm, project: Project) -> HttpResponse:
    """Someone saved the project meanwhile: show it as it is now, with a form carrying its current
    version, so the user checks what changed and submits again if completing is still right."""
    if project.status not in ACTIVE_PROJECT_STATUSES:
        messages.warning(
            request,
            _("Someone else changed project %(id)s after you opened it; it is now “%(status)s”.")
            % {"id": project.external_id, "status": project.get_status_display()},
        )
        return redirect("recovery:project_detail", pk=project.pk)
    actual_end = posted.add_prefix("actual_end")
    form = CompleteProjectForm(
        {actual_end: posted.data.get(actual_end, ""), posted.add_prefix("row_version"): project.row_version}
    )
    form.is_valid()
    form.add_error(
        None,
        _(
            "Someone else changed this project after you opened the page, so it was not marked complete. "
            "The page now shows the project as it is: check it and submit again if it should still be completed."
        ),
    )
    return _render_project(request, project, form)


# --- a settlement's services and housing -------------------------------------------------------


@dataclass(frozen=True)
class ServiceState:
    kind: str
    label: str
    current: ServiceObservation | None
    history: list[ServiceObservation]


def _settlement_for(user: Any, code: str) -> Any:
    """The settlement, if it exists and lies within the user's districts (otherwise 404)."""
    settlement = places.settlement_by_code(code)
    if settlement is None:
        raise Http404
    district_ids = frozenset({settlement.district_id}) if settlement.district_id else None
    if not within_scope(user, Scope(district_ids=district_ids)):
        raise Http404
    return settlement


def _service_states(observations: list[ServiceObservation]) -> list[ServiceState]:
    """One row per service kind: the latest observation (the history is newest first) and all of them."""
    by_kind: dict[str, list[ServiceObservation]] = {}
    for observation in observations:
        by_kind.setdefault(observation.kind, []).append(observation)
    states = []
    for kind in ServiceKind:
        history = by_kind.get(kind.value, [])
        states.append(ServiceState(kind.value, str(kind.label), history[0] if history else None, history))
    return states


@login_required
@require_http_methods(["GET", "POST"])
def settlement_services(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    _require_view(user)
    settlement = _settlement_for(user, code)
    may_record_service = may(user, Action.CREATE, ServiceObservation(district_id=settlement.district_id))
    may_record_housing = may(user, Action.CREATE, HousingObservation(district_id=settlement.district_id))
    service_form = ServiceObservationForm() if may_record_service else None
    housing_form = HousingObservationForm() if may_record_housing else None
    if request.method == "POST":
        record = request.POST.get("record")
        if record == "service" and may_record_service:
            service_form = ServiceObservationForm(request.POST)
            if _record(service_form, lambda data: services.record_service(settlement.code, **data)):
                return _recorded(request, settlement)
        elif record == "housing" and may_record_housing:
            housing_form = HousingObservationForm(request.POST)
            if _record(housing_form, lambda data: services.record_housing(settlement.code, **data)):
                return _recorded(request, settlement)
        else:
            raise PermissionDenied
    observations = list(selectors.service_history(user, settlement.pk).select_related("project"))
    housing = list(selectors.housing_history(user, settlement.pk).select_related("project"))
    touching = Project.objects.filter(Q(settlements=settlement) | Q(restores__settlement=settlement)).values("pk")
    context = _context(
        request,
        "settlement",
        settlement=settlement,
        services=_service_states(observations),
        housing=housing,
        current_housing=housing[0] if housing else None,
        has_history=bool(observations or housing),
        projects=list(selectors.projects_visible_to(user).filter(pk__in=touching).order_by("planned_end")),
        service_form=service_form,
        housing_form=housing_form,
    )
    return render(request, "recovery/settlement_services.html", context)


def _record(form: ServiceObservationForm | HousingObservationForm, write: Callable[[dict[str, Any]], object]) -> bool:
    """Validate the form and hand its values to ``write``; a refusal goes on the field it names."""
    if not form.is_valid():
        return False
    try:
        write(dict(form.cleaned_data))
    except RecoveryError as error:
        form.add_domain_error(error.field, error.message)
        return False
    return True


def _recorded(request: HttpRequest, settlement: Any) -> HttpResponse:
    messages.success(
        request,
        _("The observation of %(settlement)s is recorded. Its readiness will be recomputed shortly.")
        % {"settlement": settlement.name},
    )
    return redirect("recovery:settlement_services", code=settlement.code)


# --- export ------------------------------------------------------------------------------------


@login_required
@require_GET
def export_download(request: HttpRequest, kind: str) -> HttpResponseBase:
    if not may(request.user, Action.EXPORT, Project):
        raise PermissionDenied
    if kind not in {k.value for k in exporting.ExportKind}:
        raise Http404
    form = ExportForm(request.GET, kind=kind)
    if not form.is_valid():
        message = _("%(kind)s cannot be exported as %(format)r: choose one of %(formats)s.") % {
            "kind": kind,
            "format": request.GET.get("format", ""),
            "formats": ", ".join(value for value, _label in export_format_choices(kind)),
        }
        return _export_refused(request, message)
    fmt = form.cleaned_data["format"]
    stem = f"{kind}-{timezone.localdate().isoformat()}"

    def write(path: Path) -> int:
        return exporting.export(kind, fmt, path, user=request.user)

    try:
        if kind == exporting.ExportKind.PROJECTS_IATI:
            return file_response(write, f"{stem}.xml", XML_CONTENT_TYPE)
        return export_response(write, stem, ExportFormat(fmt))
    except exporting.ExportError as error:
        return _export_refused(request, str(error))


def _export_refused(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "recovery/export_error.html", _context(request, "", message=message), status=400)
