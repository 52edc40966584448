"""Mine action pages: the map, hazardous areas, land release, incidents, progress, import and export.

Every read goes through ``selectors`` (visibility by district and, for partners, by their agency's
sharing); every write through ``importing``/``services``. Pages never compute figures: they read
the rows the background task stored.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from homeward.core.file_transfers import export_response, import_upload
from homeward.core.imports import ImportFileError, ImportReport
from homeward.core.permissions import Action, may
from homeward.core.uploads import UploadTooLarge
from homeward.interchange import ExportFormat
from homeward.mineaction import exporting, importing, map_layers, selectors
from homeward.mineaction.choices import (
    AgeBand,
    CasualtyOutcome,
    EOType,
    HazardClassification,
    HazardStatus,
    Sex,
)
from homeward.mineaction.forms import (
    ExportForm,
    HazardFilterForm,
    ImportForm,
    IncidentFilterForm,
    PlaceChoiceForm,
    ReleaseFilterForm,
    StateDateForm,
    export_format_choices,
)
from homeward.mineaction.models import HazardousArea, HazardousAreaState, MonthlyFigures, PlaceFigures
from homeward.places import selectors as places
from homeward.places.choices import PlaceLevel

PER_PAGE = 50
# The chart shows at most this many months (the table below it lists every month).
CHART_MONTHS = 36


# --- access and shared context -----------------------------------------------------------------


def _require_view(user: Any) -> None:
    if not may(user, Action.VIEW, HazardousArea):
        raise PermissionDenied


def _context(request: HttpRequest, active: str, **extra: Any) -> dict[str, Any]:
    """What every mine action page needs: what the user may see and do, for the sub-navigation."""
    user = request.user
    return {
        "active": active,
        "sees_figures": selectors.sees_figures(user),
        "sees_areas": selectors.sees_areas(user),
        "sees_everything": selectors.sees_everything(user),
        "may_import": may(user, Action.CREATE, HazardousArea),
        "may_export": may(user, Action.EXPORT, HazardousArea),
        **extra,
    }


def _map_settings(**extra: Any) -> dict[str, Any]:
    """Settings handed to map.js through ``json_script`` (never concatenated into a script)."""
    return {
        "tiles": {"url": settings.HOMEWARD_MAP_TILE_URL, "attribution": settings.HOMEWARD_MAP_TILE_ATTRIBUTION},
        "bounds": places.gazetteer_bounds(),
        "labels": {
            "classification": dict(HazardClassification.choices),
            "status": dict(HazardStatus.choices),
            "eo_type": dict(EOType.choices),
            "field_classification": _("Classification"),
            "field_status": _("Status"),
            "remaining": _("Remaining"),
            "square_metres": _("%(value)s m²"),
            "explosive_ordnance": _("Explosive ordnance"),
            "open_hazard": _("Open the hazardous area"),
            "incident": _("Incident"),
            "date": _("Date"),
            "device_type": _("Device type"),
            "open_incident": _("Open the incident"),
            "districts": _("Districts"),
            "settlements": _("Settlements"),
            "hazards_status": _("Hazardous areas: %(status)s"),
            "incidents": _("Incidents"),
            "settlement_list": _("Settlements with this name"),
            "in_view": _("In this view: hazardous areas %(hazards)s, incidents %(incidents)s."),
            "truncated": _(
                "Too many hazardous areas in this view: only the largest are drawn. Zoom in to see them all."
            ),
            "failed": _("The map data could not be loaded. Try again, or use the lists below the map."),
            "shown_state": _("The area as it was"),
            "current_state": _("The area today"),
        },
        **extra,
    }


# --- map ---------------------------------------------------------------------------------------


@login_required
@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    context = _context(request, "map")
    map_settings = _map_settings(
        mode="overview",
        urls={
            "places": reverse("api:places_map"),
            "hazards": reverse("api:map_hazards"),
            "incidents": reverse("api:map_incidents"),
            "settlement_list": reverse("places:settlement_list"),
        },
        layers={"hazards": context["sees_areas"], "incidents": context["sees_everything"]},
    )
    return render(request, "mineaction/map.html", {**context, "map_settings": map_settings})


# --- hazardous areas ---------------------------------------------------------------------------


@login_required
@require_GET
def hazard_list(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    form = HazardFilterForm(request.GET or None, districts=places.districts_for(request.user))
    hazards = form.apply(selectors.hazards_visible_to(request.user))
    page = Paginator(hazards, PER_PAGE).get_page(request.GET.get("page"))
    context = _context(
        request, "hazards", form=form, page=page, export_formats=export_format_choices("hazards"), export_kind="hazards"
    )
    return render(request, "mineaction/hazard_list.html", context)


def _end_of_day(day: dt.date) -> dt.datetime:
    midnight = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    return midnight - dt.timedelta(microseconds=1)


def _feature(geometry: Any, classification: str, status: str) -> dict[str, Any] | None:
    shape = map_layers.geojson_of(geometry)
    if shape is None:
        return None
    return {"type": "Feature", "geometry": shape, "properties": {"classification": classification, "status": status}}


@login_required
@require_GET
def hazard_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    _require_view(request.user)
    hazard = selectors.get_hazard_for_user(request.user, pk)
    history = list(selectors.hazard_history(hazard))
    date_form = StateDateForm(request.GET if "at" in request.GET else None)
    shown_on: dt.date | None = None
    shown: HazardousAreaState | None = None
    if date_form.is_valid():
        shown_on = date_form.cleaned_data["at"]
        shown = selectors.hazard_state_at(hazard, _end_of_day(shown_on))
    activities = list(
        selectors.activities_visible_to(request.user)
        .filter(hazardous_area=hazard)
        .prefetch_related("devices")
        .order_by("started_on", "external_id")
    )
    region = places.region_place()
    stored = selectors.figures_for(request.user, [p for p in (hazard.place_id, region and region.pk) if p])
    figures = stored.get(hazard.place_id) if hazard.place_id else None
    map_settings = _map_settings(
        mode="detail",
        current=_feature(hazard.shape, hazard.classification, hazard.status),
        shown=_feature(shown.shape, shown.classification, shown.status) if shown is not None else None,
    )
    context = _context(
        request,
        "hazards",
        hazard=hazard,
        eo_types=[EOType(value).label for value in hazard.eo_types if value in EOType.values],
        history=history,
        date_form=date_form,
        shown_on=shown_on,
        shown=shown,
        activities=activities,
        figures=figures,
        figures_pending=_figures_pending(stored.get(region.pk) if region is not None else figures),
        map_settings=map_settings,
        parts=list(selectors.hazards_visible_to(request.user).filter(split_from=hazard).order_by("external_id")),
    )
    return render(request, "mineaction/hazard_detail.html", context)


# --- land release ------------------------------------------------------------------------------


@login_required
@require_GET
def release_list(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    form = ReleaseFilterForm(request.GET or None, districts=places.districts_for(request.user))
    activities = form.apply(selectors.activities_visible_to(request.user))
    page = Paginator(activities, PER_PAGE).get_page(request.GET.get("page"))
    # Device totals for this page only: annotating the whole list made counting it aggregate every device.
    totals = {
        row["pk"]: row
        for row in activities.model.objects.filter(pk__in=[a.pk for a in page.object_list])
        .values("pk")
        .annotate(found=Sum("devices__quantity_found"), destroyed=Sum("devices__quantity_destroyed"))
    }
    for activity in page.object_list:
        activity.devices_found = totals.get(activity.pk, {}).get("found")
        activity.devices_destroyed = totals.get(activity.pk, {}).get("destroyed")
    context = _context(
        request,
        "releases",
        form=form,
        page=page,
        export_formats=export_format_choices("releases"),
        export_kind="releases",
    )
    return render(request, "mineaction/release_list.html", context)


# --- incidents ---------------------------------------------------------------------------------


@login_required
@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    form = IncidentFilterForm(request.GET or None, districts=places.districts_for(request.user))
    incidents = form.apply(selectors.incidents_visible_to(request.user)).annotate(
        killed=Sum("casualties__count", filter=Q(casualties__outcome=CasualtyOutcome.KILLED)),
        injured=Sum("casualties__count", filter=Q(casualties__outcome=CasualtyOutcome.INJURED)),
    )
    page = Paginator(incidents, PER_PAGE).get_page(request.GET.get("page"))
    context = _context(
        request,
        "incidents",
        form=form,
        page=page,
        export_formats=export_format_choices("incidents"),
        export_kind="incidents",
    )
    return render(request, "mineaction/incident_list.html", context)


@dataclass(frozen=True)
class CasualtyRow:
    outcome: str | Promise
    sex: str | Promise
    counts: list[int]
    total: int


def _casualty_table(casualties: list[Any]) -> tuple[list[CasualtyRow], list[int], int]:
    """Counts by outcome and sex (rows) and age band (columns), with column totals."""
    cells = {(c.outcome, c.sex, c.age_band): c.count for c in casualties}
    rows = []
    for outcome in CasualtyOutcome:
        for sex in Sex:
            counts = [cells.get((outcome.value, sex.value, band.value), 0) for band in AgeBand]
            rows.append(CasualtyRow(outcome.label, sex.label, counts, sum(counts)))
    column_totals = [sum(row.counts[i] for row in rows) for i in range(len(AgeBand))]
    return rows, column_totals, sum(column_totals)


@login_required
@require_GET
def incident_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    _require_view(request.user)
    incident = selectors.get_incident_for_user(request.user, pk)
    rows, column_totals, total = _casualty_table(list(incident.casualties.all()))
    killed = sum(sum(r.counts) for r in rows[: len(Sex)])
    context = _context(
        request,
        "incidents",
        incident=incident,
        age_bands=[band.label for band in AgeBand],
        casualty_rows=rows,
        column_totals=column_totals,
        casualty_total=total,
        killed=killed,
        injured=total - killed,
    )
    return render(request, "mineaction/incident_detail.html", context)


# --- progress ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    series: str
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Bar:
    label: str
    show_label: bool
    label_x: float
    segments: list[Segment]
    total: float


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    """Geometry of a bar chart in SVG user units, computed here so the template only draws."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    bars: list[Bar]
    ticks: list[Tick]
    series: list[tuple[str, str]]
    unit: str


def _number(value: float) -> str:
    return formats.number_format(round(value), 0, use_l10n=True, force_grouping=True)


def _nice_step(maximum: float, ticks: int = 4) -> float:
    """A round step (1, 2 or 5 × 10ⁿ) giving about ``ticks`` gridlines up to ``maximum``."""
    if maximum <= 0:
        return 1.0
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return float(factor * power)
    return float(10 * power)


def _bar_chart(months: list[dict[str, Any]], series: list[tuple[str, str]], unit: str, *, whole: bool = False) -> Chart:
    """Stacked bars of ``series`` per month; ``whole`` for counts, whose gridlines fall on whole numbers."""
    width, height, left, right, top, bottom = 720, 260, 72, 704, 12, 216
    totals = [sum(float(month[key]) for key, _label in series) for month in months]
    step = _nice_step(max(totals, default=0.0))
    if whole:
        step = max(1.0, step)
    top_value = step * max(1, math.ceil(max(totals, default=0.0) / step))
    scale = (bottom - top) / top_value
    ticks = [Tick(bottom - i * step * scale, _number(i * step)) for i in range(round(top_value / step) + 1)]
    slot = (right - left) / max(1, len(months))
    every = max(1, math.ceil(len(months) / 12))
    bars = []
    for index, (month, total) in enumerate(zip(months, totals, strict=True)):
        x = left + index * slot + slot * 0.15
        y = float(bottom)
        segments = []
        for key, label in series:
            value = float(month[key])
            if value <= 0:
                continue
            size = value * scale
            y -= size
            segments.append(Segment(key, label, value, x, y, slot * 0.7, size))
        bars.append(Bar(month["label"], index % every == 0, left + index * slot + slot / 2, segments, total))
    return Chart(width, height, left, right, top, bottom, bars, ticks, series, unit)


def _month_label(month: dt.date) -> str:
    return formats.date_format(month, "Y-m")


def _filled_months(stored: list[MonthlyFigures]) -> list[dict[str, Any]]:
    """Every month from the first to the last stored one, zeros where nothing happened."""
    if not stored:
        return []
    by_month = {m.month.replace(day=1): m for m in stored}
    month, last = min(by_month), max(by_month)
    rows = []
    while month <= last:
        found = by_month.get(month)
        rows.append(
            {
                "month": month,
                "label": _month_label(month),
                "cancelled_m2": found.cancelled_m2 if found else 0.0,
                "reduced_m2": found.reduced_m2 if found else 0.0,
                "cleared_m2": found.cleared_m2 if found else 0.0,
                "released_m2": (found.cancelled_m2 + found.reduced_m2 + found.cleared_m2) if found else 0.0,
                "incidents": found.incidents if found else 0,
                "casualties": found.casualties if found else 0,
            }
        )
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return rows


def _figures_pending(latest: PlaceFigures | None) -> bool:
    """Whether writes newer than the stored figures are still being processed.

    Pass the region's row: it is stored on every recomputation, so its version is the latest the
    task has seen (a district's row keeps an older version when its district did not change).
    """
    return latest is not None and latest.inputs_version < selectors.inputs_version()


@login_required
@require_GET
def progress(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    user = request.user
    region = places.region_place()
    districts = list(places.districts_for(user))
    choices = ([region] if region is not None else []) + districts
    figures = selectors.figures_for(user, [place.pk for place in choices])
    rows = [{"place": place, "figures": figures.get(place.pk), "is_region": place is region} for place in choices]
    form = PlaceChoiceForm(request.GET if "place" in request.GET else None, places=choices)
    selected = choices[0] if choices else None
    if form.is_valid() and form.cleaned_data["place"]:
        selected = next(place for place in choices if place.code == form.cleaned_data["place"])
    months = _filled_months(selectors.monthly_for(user, selected.pk)) if selected is not None else []
    shown_months = months[-CHART_MONTHS:]
    release_chart = _bar_chart(
        shown_months,
        [("cancelled_m2", _("Cancelled")), ("reduced_m2", _("Reduced")), ("cleared_m2", _("Cleared"))],
        _("m²"),
    )
    incident_chart = _bar_chart(shown_months, [("incidents", _("Incidents"))], _("incidents"), whole=True)
    computed = [f.computed_at for f in figures.values()]
    region_figures = figures.get(region.pk) if region is not None else None
    context = _context(
        request,
        "progress",
        rows=rows,
        form=form,
        selected=selected,
        selected_is_region=selected is not None and selected.level == PlaceLevel.COUNTRY,
        months=months,
        chart_cut=len(months) > len(shown_months),
        release_chart=release_chart if shown_months else None,
        incident_chart=incident_chart if shown_months else None,
        released_total=sum(m["released_m2"] for m in months),
        last_month=months[-1]["label"] if months else "",
        computed_at=max(computed) if computed else None,
        figures_pending=_figures_pending(region_figures),
        summary_formats=export_format_choices("mdr-summary"),
        area_formats=export_format_choices("mdr-areas"),
    )
    return render(request, "mineaction/progress.html", context)


# --- import ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    if not may(request.user, Action.CREATE, HazardousArea):
        raise PermissionDenied
    report: ImportReport | None = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            report = _run_import(form)
    else:
        form = ImportForm(initial={"kind": request.GET.get("kind", "hazards")})
    again = None
    if report is not None and report.dry_run and not report.refused:
        data = form.cleaned_data
        again = ImportForm(
            initial={**{k: data[k] for k in ("kind", "skip_invalid", "crs", "encoding", "layer")}, "dry_run": False}
        )
    return render(request, "mineaction/import.html", _context(request, "import", form=form, report=report, again=again))


def _run_import(form: ImportForm) -> ImportReport | None:
    data = form.cleaned_data
    upload = data["file"]
    try:
        return import_upload(
            upload,
            partial(importing.import_file, data["kind"]),
            **{key: data[key] for key in ("dry_run", "skip_invalid", "crs", "encoding", "layer")},
        )
    except (UploadTooLarge, ImportFileError) as error:
        form.add_error("file", _("%(file)s: %(error)s") % {"file": upload.name, "error": error})
        return None


# --- export ------------------------------------------------------------------------------------


@login_required
@require_GET
def export_download(request: HttpRequest, kind: str) -> HttpResponseBase:
    if not may(request.user, Action.EXPORT, HazardousArea):
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
    fmt = ExportFormat(form.cleaned_data["format"])
    stem = f"{kind}-{timezone.localdate().isoformat()}"
    try:
        return export_response(lambda path: exporting.export(kind, fmt.value, path, user=request.user), stem, fmt)
    except exporting.ExportError as error:
        return _export_refused(request, str(error))


def _export_refused(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "mineaction/export_error.html", _context(request, "", message=message), status=400)
