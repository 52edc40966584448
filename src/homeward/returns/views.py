"""Readiness pages: the map, a settlement's profile with its what-if panel, the district summary, export.

Pages read stored snapshots (``selectors``); they never compute readiness on the request path,
except the what-if panel, which asks ``readiness.what_if`` for an answer it does not store.
Evidence is linked to the records it cites — hazardous areas, projects, a settlement's services —
only where the user may open them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from homeward.core.file_transfers import export_response
from homeward.core.permissions import Action, Domain, Scope, may, within_scope
from homeward.interchange import ExportFormat
from homeward.mineaction import selectors as mine_action
from homeward.places import selectors as places
from homeward.recovery import selectors as recovery
from homeward.returns import exporting, readiness, selectors
from homeward.returns.choices import CriterionOutcome, ReadinessStatus
from homeward.returns.evidence_text import NO_FORECAST_CODES, evidence_text, quoted_ids
from homeward.returns.forms import ExportForm, ReadinessFilterForm, WhatIfForm, export_format_choices
from homeward.returns.models import ReadinessSnapshot

PER_PAGE = 50
TOP_BLOCKERS = 3

# The default criteria in words; a deployment's own criterion shows its key until it is named here.
CRITERION_LABELS: dict[str, str | Promise] = {
    "no_hazard_in_residential_area": gettext_lazy("No hazardous area in the residential area"),
    "hazard_free_road_to_district_centre": gettext_lazy("A hazard-free road to the district centre"),
    "water": gettext_lazy("Water"),
    "electricity": gettext_lazy("Electricity"),
    "heating": gettext_lazy("Heating or gas (in the cold months)"),
    "school_within_reach": gettext_lazy("A school within reach"),
    "health_post_within_reach": gettext_lazy("A health post within reach"),
    "habitable_housing": gettext_lazy("Enough habitable housing"),
}
EVIDENCE_KINDS: dict[str, str | Promise] = {
    "hazard": gettext_lazy("Hazardous area"),
    "project": gettext_lazy("Project"),
    "service": gettext_lazy("Service record"),
    "facility": gettext_lazy("Facility"),
    "housing": gettext_lazy("Housing record"),
    "figure": gettext_lazy("Figure"),
    "note": gettext_lazy("Note"),
}
STATUS_LABELS = dict(ReadinessStatus.choices)
OUTCOME_LABELS = dict(CriterionOutcome.choices)


def criterion_label(key: str) -> str:
    label = CRITERION_LABELS.get(key)
    return str(label) if label is not None else key.replace("_", " ").capitalize()


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


# --- access and shared context -----------------------------------------------------------------


def _require_view(user: Any) -> None:
    if not may(user, Action.VIEW, ReadinessSnapshot):
        raise PermissionDenied


def _context(request: HttpRequest, active: str, **extra: Any) -> dict[str, Any]:
    return {
        "active": active,
        "may_export": may(request.user, Action.EXPORT, ReadinessSnapshot),
        "export_formats": export_format_choices(),
        **extra,
    }


def _settlement_for(user: Any, code: str) -> Any:
    """The settlement, if it exists and lies within the user's districts (otherwise 404)."""
    settlement = places.settlement_by_code(code)
    if settlement is None:
        raise Http404
    district_ids = frozenset({settlement.district_id}) if settlement.district_id else None
    if not within_scope(user, Scope(district_ids=district_ids)):
        raise Http404
    return settlement


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


def _status_counts(counts: Counter[str] | None) -> list[StatusCount]:
    counts = counts or Counter()
    return [StatusCount(status.value, str(status.label), counts.get(status.value, 0)) for status in ReadinessStatus]


# --- the map -----------------------------------------------------------------------------------


def _map_settings(district_code: str) -> dict[str, Any]:
    """Settings handed to readiness.js through ``json_script`` (never concatenated into a script)."""
    return {
        "tiles": {"url": settings.HOMEWARD_MAP_TILE_URL, "attribution": settings.HOMEWARD_MAP_TILE_ATTRIBUTION},
        "bounds": places.gazetteer_bounds(),
        "district": district_code,
        "urls": {"readiness": reverse("api:readiness_map")},
        "labels": {
            "status": {status.value: str(status.label) for status in ReadinessStatus},
            "criteria": {key: str(label) for key, label in CRITERION_LABELS.items()},
            "field_status": _("Status"),
            "score": _("Score"),
            "earliest_ready": _("Expected ready"),
            "no_date": _("no date"),
            "blockers": _("Missing or unknown"),
            "open_profile": _("Open the readiness profile"),
            "in_view": _("Settlements on the map: %(count)s."),
            "failed": _("The map data could not be loaded. Try again, or use the table below the map."),
            "empty": _("No readiness has been computed for these settlements yet."),
        },
    }


@login_required
@require_GET
def readiness_map(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_view(user)
    districts = list(places.districts_for(user))
    form = ReadinessFilterForm(request.GET or None, districts=districts)
    values = form.valid_values()
    district_code, status = values.get("district") or "", values.get("status") or ""
    district = next((d for d in districts if d.code == district_code), None)
    counts = selectors.status_counts(user)
    snapshots = selectors.current_snapshots(user, district_code=district_code, status=status)
    page = Paginator(snapshots, PER_PAGE).get_page(request.GET.get("page"))
    for snapshot in page.object_list:
        snapshot.blocker_labels = [criterion_label(key) for key in snapshot.blockers]
    context = _context(
        request,
        "map",
        form=form,
        district=district,
        counts=_status_counts(counts.get(district.pk if district else None)),
        page=page,
        map_settings=_map_settings(district_code),
    )
    return render(request, "returns/readiness_map.html", context)


# --- one settlement ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceView:
    kind: str
    kind_label: str
    ref: str | None
    detail: str
    url: str = ""
    code: str = ""

    @property
    def ref_shown(self) -> str:
        """The id worth showing: a hazardous area's or a project's (others are internal record ids)."""
        return self.ref or "" if self.kind in ("hazard", "project") else ""


@dataclass(frozen=True)
class CriterionView:
    key: str
    label: str
    outcome: str
    outcome_label: str
    expected_date: dt.date | None
    evidence: list[EvidenceView]


@dataclass(frozen=True)
class Forecast:
    """When the settlement is expected to be ready, or why there is no date."""

    ready_now: bool
    date: dt.date | None
    undated: list[str]
    reasons: list[EvidenceView]
    unknown: list[str]


@dataclass(frozen=True)
class AnswerView:
    status: str
    status_label: str
    score: float
    score_percent: int
    earliest_ready: dt.date | None
    blockers: list[str]
    criteria: list[CriterionView]
    forecast: Forecast

    def criterion(self, key: str) -> CriterionView | None:
        return next((c for c in self.criteria if c.key == key), None)


@dataclass
class Links:
    """Where the records an answer cites can be opened by this user (found in a few queries, not one per record)."""

    settlement: Any
    hazards: dict[str, Any] = field(default_factory=dict)
    projects: dict[str, Any] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    sees_services: bool = False

    @classmethod
    def for_answers(cls, user: Any, settlement: Any, answers: Iterable[Sequence[Mapping[str, Any]]]) -> Links:
        refs: dict[str, set[str]] = {"hazard": set(), "project": set()}
        ids: set[str] = set()
        for criteria in answers:
            for item in criteria:
                for evidence in item["evidence"]:
                    if evidence["ref"] and evidence["kind"] in ("hazard", "note"):
                        refs["hazard"].add(evidence["ref"])
                    elif evidence["ref"] and evidence["kind"] == "project":
                        refs["project"].add(evidence["ref"])
                    ids.update(quoted_ids(evidence))
        links = cls(settlement, sees_services=may(user, Action.VIEW, Domain.RECOVERY))
        if refs["hazard"] and mine_action.sees_areas(user):
            visible = mine_action.hazards_visible_to(user).filter(external_id__in=sorted(refs["hazard"]))
            links.hazards = dict(visible.values_list("external_id", "pk"))
        if refs["project"]:
            projects = recovery.projects_visible_to(user).filter(external_id__in=sorted(refs["project"]))
            for project in projects:
                links.projects[project.external_id] = project.pk
                if project.implementing_agency is not None:
                    links.names[str(project.implementing_agency_id)] = project.implementing_agency.name
        ids -= set(links.names)
        if ids:
            for key, place in places.places_by_ids(sorted(ids)).items():
                links.names[key] = place.name
                links.codes[key] = place.code
        return links

    def evidence(self, item: Mapping[str, Any]) -> EvidenceView:
        kind, ref = item["kind"], item["ref"]
        mentioned = quoted_ids(item)
        shown = evidence_text(item, self.names)
        url = ""
        if kind in ("hazard", "note") and ref in self.hazards:
            url = reverse("mineaction:hazard_detail", args=[self.hazards[ref]])
        elif kind == "project" and ref in self.projects:
            url = reverse("recovery:project_detail", args=[self.projects[ref]])
        elif kind in ("service", "housing") and self.sees_services:
            # A service found in a neighbouring settlement names it; its own services page has the record.
            code = next((self.codes[i] for i in mentioned if i in self.codes), self.settlement.code)
            url = reverse("recovery:settlement_services", args=[code])
        return EvidenceView(kind, str(EVIDENCE_KINDS.get(kind, kind)), ref, shown, url, item.get("code", ""))


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _answer(
    links: Links, status: str, score: float, earliest: dt.date | None, blockers: Sequence[str], criteria: Any
) -> AnswerView:
    views = [
        CriterionView(
            key=item["key"],
            label=criterion_label(item["key"]),
            outcome=item["outcome"],
            outcome_label=str(OUTCOME_LABELS.get(item["outcome"], item["outcome"])),
            expected_date=_date(item.get("expected_date")),
            evidence=[links.evidence(e) for e in item["evidence"]],
        )
        for item in criteria
    ]
    not_met = [c for c in views if c.outcome == CriterionOutcome.NOT_MET]
    undated = [c for c in not_met if c.expected_date is None]
    reasons = [
        e
        for c in undated
        for e in c.evidence
        if e.code in NO_FORECAST_CODES or (not e.code and e.detail.startswith("no forecast"))
    ]
    forecast = Forecast(
        ready_now=status == ReadinessStatus.READY,
        date=earliest,
        undated=[c.label for c in undated] if earliest is None else [],
        reasons=reasons if earliest is None else [],
        unknown=[c.label for c in views if c.outcome == CriterionOutcome.UNKNOWN],
    )
    return AnswerView(
        status=status,
        status_label=status_label(status),
        score=score,
        score_percent=round(score * 100),
        earliest_ready=earliest,
        blockers=[criterion_label(key) for key in blockers],
        criteria=views,
        forecast=forecast,
    )


def _snapshot_answer(links: Links, snapshot: ReadinessSnapshot) -> AnswerView:
    return _answer(
        links, snapshot.status, snapshot.score, snapshot.earliest_ready, snapshot.blockers, snapshot.criteria
    )


# --- history chart -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    status: str
    label: str

    @property
    def corner_x(self) -> float:
        return self.x - 5.5

    @property
    def corner_y(self) -> float:
        return self.y - 5.5

    @property
    def apex_y(self) -> float:
        return self.y - 7


@dataclass(frozen=True)
class ChartBand:
    x: float
    width: float
    status: str


@dataclass(frozen=True)
class ChartTick:
    y: float
    label: str


@dataclass(frozen=True)
class ChartLabel:
    x: float
    label: str
    anchor: str


@dataclass(frozen=True)
class HistoryChart:
    """Geometry of the readiness step chart in SVG user units, computed here so the template only draws."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    band_top: int
    band_height: int
    path: str
    points: list[ChartPoint]
    bands: list[ChartBand]
    ticks: list[ChartTick]
    dates: list[ChartLabel]


def _history_chart(history: Sequence[ReadinessSnapshot], now: dt.datetime) -> HistoryChart | None:
    """Score as a step line (it holds until the next answer), status as a patterned band and a shaped mark."""
    if not history:
        return None
    width, height, left, right, top, bottom = 720, 260, 56, 700, 26, 180
    band_top, band_height = bottom + 12, 18
    start = history[0].computed_at
    end = max(now, history[-1].computed_at)
    span = (end - start).total_seconds()

    def x_of(index: int, moment: dt.datetime) -> float:
        if span < 1:
            return left + (right - left) * index / len(history)
        return left + (right - left) * (moment - start).total_seconds() / span

    def y_of(score: float) -> float:
        return bottom - (bottom - top) * max(0.0, min(1.0, score))

    xs = [x_of(i, s.computed_at) for i, s in enumerate(history)]
    ends = [*xs[1:], float(right)]
    path = []
    points, bands = [], []
    for index, (snapshot, x, x_end) in enumerate(zip(history, xs, ends, strict=True)):
        y = y_of(snapshot.score)
        path.append(f"V{y:.1f}" if index else f"M{x:.1f},{y:.1f}")
        path.append(f"H{x_end:.1f}")
        moment = formats.date_format(timezone.localtime(snapshot.computed_at), "Y-m-d H:i")
        label = _("%(date)s: %(status)s, score %(score)s%%") % {
            "date": moment,
            "status": status_label(snapshot.status),
            "score": round(snapshot.score * 100),
        }
        points.append(ChartPoint(x, y, snapshot.status, label))
        bands.append(ChartBand(x, max(0.5, x_end - x), snapshot.status))
    ticks = [ChartTick(y_of(value / 100), f"{value}%") for value in (0, 25, 50, 75, 100)]
    first = formats.date_format(timezone.localtime(start), "Y-m-d")
    last = formats.date_format(timezone.localtime(end), "Y-m-d")
    dates = [ChartLabel(float(left), first, "start")]
    if last != first or span >= 1:
        dates.append(ChartLabel(float(right), last, "end"))
    return HistoryChart(
        width, height, left, right, top, bottom, band_top, band_height, "".join(path), points, bands, ticks, dates
    )


# --- the profile and its what-if panel ---------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    label: str
    now: str
    would_be: str
    changed: bool


def _what_if_choices(
    user: Any, settlement: Any, criteria: Sequence[Mapping[str, Any]]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], dict[str, dt.date]]:
    """Projects (cited, or restoring something here, and still planned or under way) and hazardous areas cited."""
    cited_projects = {e["ref"] for c in criteria for e in c["evidence"] if e["kind"] == "project" and e["ref"]}
    restoring_here = recovery.active_projects().filter(restores__settlement=settlement.pk).values("pk")
    projects = (
        recovery.projects_visible_to(user)
        .filter(Q(external_id__in=sorted(cited_projects)) | Q(pk__in=restoring_here))
        .filter(pk__in=recovery.active_projects().values("pk"))
        .order_by("planned_end", "external_id")
        .distinct()
    )
    project_choices, planned_ends = [], {}
    for project in projects:
        ends = formats.date_format(project.planned_end, "Y-m-d")
        project_choices.append(
            (
                project.external_id,
                _("%(id)s — %(title)s (planned end %(date)s)")
                % {"id": project.external_id, "title": project.title, "date": ends},
            )
        )
        planned_ends[project.external_id] = project.planned_end
    hazards: dict[str, str] = {}
    for criterion in criteria:
        for evidence in criterion["evidence"]:
            if evidence["kind"] == "hazard" and evidence["ref"]:
                hazards.setdefault(evidence["ref"], criterion_label(criterion["key"]))
    hazard_choices = [(ref, f"{ref} ({label})") for ref, label in sorted(hazards.items())]
    return project_choices, hazard_choices, planned_ends


def _comparisons(now: AnswerView, would_be: AnswerView) -> list[Comparison]:
    def when(answer: AnswerView) -> str:
        return formats.date_format(answer.earliest_ready, "Y-m-d") if answer.earliest_ready else _("no date")

    rows = [
        Comparison(_("Status"), now.status_label, would_be.status_label, now.status != would_be.status),
        Comparison(
            _("Score"),
            f"{now.score_percent}%",
            f"{would_be.score_percent}%",
            now.score_percent != would_be.score_percent,
        ),
        Comparison(_("Expected ready"), when(now), when(would_be), now.earliest_ready != would_be.earliest_ready),
    ]
    for criterion in now.criteria:
        other = would_be.criterion(criterion.key)
        if other is None:
            continue
        now_text, other_text = criterion.outcome_label, other.outcome_label
        if criterion.expected_date:
            now_text += " · " + formats.date_format(criterion.expected_date, "Y-m-d")
        if other.expected_date:
            other_text += " · " + formats.date_format(other.expected_date, "Y-m-d")
        rows.append(Comparison(criterion.label, now_text, other_text, now_text != other_text))
    return rows


def _tried(data: Mapping[str, Any], change: readiness.WhatIf) -> list[str]:
    """The change in words, as the user asked for it."""
    items = []
    if data.get("delay_project"):
        months = int(data["delay_months"])
        items.append(
            ngettext(
                "project %(id)s ends %(months)s month later", "project %(id)s ends %(months)s months later", months
            )
            % {"id": data["delay_project"], "months": months}
        )
    items += [_("hazardous area %(id)s is cleared") % {"id": ref} for ref in change.cleared_hazards]
    return items


@login_required
@require_GET
def settlement_readiness(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    _require_view(user)
    settlement = _settlement_for(user, code)
    snapshot = selectors.current_snapshots(user).filter(settlement=settlement.pk).first()
    context = _context(request, "profile", settlement=settlement, snapshot=snapshot)
    if snapshot is None:
        return render(request, "returns/settlement_readiness.html", context)
    history = selectors.history_of(user, settlement.pk)
    project_choices, hazard_choices, planned_ends = _what_if_choices(user, settlement, snapshot.criteria)
    form = WhatIfForm(
        request.GET if "what_if" in request.GET else None,
        projects=project_choices,
        hazards=hazard_choices,
        planned_ends=planned_ends,
    )
    would_be, tried = None, []
    if form.is_bound and form.is_valid():
        change = form.change()
        try:
            would_be = readiness.what_if(settlement.pk, change)
        except readiness.WhatIfError as error:
            form.add_what_if_error(error)
        else:
            tried = _tried(form.cleaned_data, change)
    would_be_criteria = readiness.as_json(would_be) if would_be is not None else []
    links = Links.for_answers(user, settlement, [snapshot.criteria, would_be_criteria])
    current = _snapshot_answer(links, snapshot)
    what_if_answer = None
    if would_be is not None:
        what_if_answer = _answer(
            links,
            str(would_be.status),
            float(would_be.score),
            would_be.earliest_ready,
            would_be.blockers,
            would_be_criteria,
        )
    context.update(
        current=current,
        history=list(reversed(history)),
        chart=_history_chart(history, timezone.now()),
        form=form,
        project_choices=project_choices,
        hazard_choices=hazard_choices,
        would_be=what_if_answer,
        tried=tried,
        comparisons=_comparisons(current, what_if_answer) if what_if_answer else [],
        services_url=reverse("recovery:settlement_services", args=[settlement.code]) if links.sees_services else "",
    )
    return render(request, "returns/settlement_readiness.html", context)


# --- district and region summary ---------------------------------------------------------------


@dataclass(frozen=True)
class Blocker:
    label: str
    count: int


@dataclass(frozen=True)
class SummaryRow:
    place: Any
    is_region: bool
    counts: list[StatusCount]
    total: int
    blockers: list[Blocker]
    map_url: str


def _summary_row(place: Any, is_region: bool, statuses: Counter[str], blockers: Counter[str]) -> SummaryRow:
    map_url = reverse("returns:readiness_map")
    if place is not None and not is_region:
        map_url += "?district=" + place.code
    return SummaryRow(
        place=place,
        is_region=is_region,
        counts=_status_counts(statuses),
        total=sum(statuses.values()),
        blockers=[Blocker(criterion_label(key), count) for key, count in blockers.most_common(TOP_BLOCKERS)],
        map_url=map_url,
    )


@login_required
@require_GET
def readiness_summary(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_view(user)
    statuses: dict[Any, Counter[str]] = {None: Counter()}
    blockers: dict[Any, Counter[str]] = {None: Counter()}
    computed: list[dt.datetime] = []
    rows = selectors.current_snapshots(user).order_by().values_list("district_id", "status", "blockers", "computed_at")
    for district_id, status, keys, computed_at in rows.iterator(chunk_size=5000):
        for key in (district_id, None):
            statuses.setdefault(key, Counter())[status] += 1
            blockers.setdefault(key, Counter()).update(keys)
        computed.append(computed_at)
    districts = [d for d in places.districts_for(user) if d.pk in statuses]
    table = [_summary_row(places.region_place(), True, statuses[None], blockers[None])]
    table += [_summary_row(d, False, statuses[d.pk], blockers[d.pk]) for d in districts]
    context = _context(
        request,
        "summary",
        rows=table,
        statuses=[str(status.label) for status in ReadinessStatus],
        computed_at=max(computed) if computed else None,
    )
    return render(request, "returns/readiness_summary.html", context)


# --- export ------------------------------------------------------------------------------------


@login_required
@require_GET
def export_download(request: HttpRequest, kind: str) -> HttpResponseBase:
    if not may(request.user, Action.EXPORT, ReadinessSnapshot):
        raise PermissionDenied
    if kind not in {k.value for k in exporting.ExportKind}:
        raise Http404
    form = ExportForm(request.GET)
    if not form.is_valid():
        message = _("%(kind)s cannot be exported as %(format)r: choose one of %(formats)s.") % {
            "kind": kind,
            "format": request.GET.get("format", ""),
            "formats": ", ".join(value for value, _label in export_format_choices()),
        }
        return _export_refused(request, message)
    fmt = ExportFormat(form.cleaned_data["format"])
    stem = f"{kind}-{timezone.localdate().isoformat()}"
    try:
        return export_response(lambda path: exporting.export(kind, fmt.value, path, user=request.user), stem, fmt)
    except exporting.ExportError as error:
        return _export_refused(request, str(error))


def _export_refused(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "returns/export_error.html", _context(request, "", message=message), status=400)
