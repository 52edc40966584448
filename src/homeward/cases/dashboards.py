"""The supervisor's figures: queue sizes, deadline compliance, time to decision and outcomes.

Every figure is computed over a queryset of applications the caller already scoped to the user
(``selectors.applications_visible_to``) and narrowed by the dashboard's filters, and is broken down
by district, service or office — never by anything about the applicant. Counts are aggregate
queries; the time to decision needs each decided application's dates (one ``values`` query), counted
on the deployment's working-day calendar:

* **Queue sizes**: open applications (submitted, screening, in review, information requested,
  appealed) by state, as of today.
* **Deadline compliance**: of the applications decided in the period, the share decided on or before
  their due date; and the open applications whose clock runs and whose due date has passed, today.
* **Time to decision**: for each application decided in the period, the working days on the clock —
  from submission (or the reopening on appeal) to the decision, not counting the working days spent
  waiting for information from the applicant — as a histogram, its median and its 90th percentile
  (nearest rank: the smallest value at least 90% of the decisions do not exceed).
* **Outcomes**: the applications decided in the period by outcome (approved, rejected) and result.

The latest decision of an application is the one counted (a decision overturned on appeal is not).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeward.cases.choices import CLOCK_RUNNING_STATES, OPEN_STATES, ApplicationState, DecisionOutcome
from homeward.cases.models import Application, Escalation, Office, ServiceType
from homeward.cases.working_days import WorkingCalendar
from homeward.places import selectors as places


class Breakdown(StrEnum):
    """The only dimensions figures are broken down by: where, what and who handles it."""

    DISTRICT = "district"
    SERVICE = "service"
    OFFICE = "office"

    @property
    def label(self) -> Any:
        return BREAKDOWN_LABELS[self]


BREAKDOWN_LABELS = {
    Breakdown.DISTRICT: _("District"),
    Breakdown.SERVICE: _("Service"),
    Breakdown.OFFICE: _("Office"),
}
_GROUP_FIELD = {Breakdown.DISTRICT: "district_id", Breakdown.SERVICE: "service_id", Breakdown.OFFICE: "office_id"}
# Open states in the order a case moves through them.
QUEUE_STATES: tuple[str, ...] = tuple(state for state in ApplicationState.values if state in OPEN_STATES)
NO_GROUP = ""


# --- filters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """Narrow the applications counted: by district, service and office (ids), and the period of
    decision (inclusive dates, in the deployment's time zone). The period applies to decided figures."""

    district_id: Any = None
    service_id: Any = None
    office_id: Any = None
    decided_from: dt.date | None = None
    decided_until: dt.date | None = None


def filtered(applications: QuerySet[Application], filters: Filters) -> QuerySet[Application]:
    """``applications`` in the filters' district, service and office (the period is applied per figure)."""
    if filters.district_id:
        applications = applications.filter(district_id=filters.district_id)
    if filters.service_id:
        applications = applications.filter(service_id=filters.service_id)
    if filters.office_id:
        applications = applications.filter(office_id=filters.office_id)
    return applications


def decided_in(applications: QuerySet[Application], filters: Filters) -> QuerySet[Application]:
    """Applications whose (latest) decision stands and was made in the period."""
    decided = applications.filter(decided_at__isnull=False).annotate(decided_on=TruncDate("decided_at"))
    if filters.decided_from:
        decided = decided.filter(decided_on__gte=filters.decided_from)
    if filters.decided_until:
        decided = decided.filter(decided_on__lte=filters.decided_until)
    return decided


def offices_for(user: Any) -> QuerySet[Office]:
    """The offices a dashboard can be narrowed to: those of the user's agency (configuration, not
    personal data)."""
    offices = Office.objects.filter(is_active=True)
    agency_id = getattr(user, "agency_id", None)
    return (offices.filter(agency_id=agency_id) if agency_id is not None else offices).order_by("name")


def escalations(found: QuerySet[Escalation], filters: Filters) -> QuerySet[Escalation]:
    """The supervisor's escalated cases (``selectors.escalations_for``) in the filters' district,
    service and office."""
    if filters.district_id:
        found = found.filter(application__district_id=filters.district_id)
    if filters.service_id:
        found = found.filter(application__service_id=filters.service_id)
    if filters.office_id:
        found = found.filter(office_id=filters.office_id)
    return found.select_related("application__district", "application__assignee", "escalated_to")


# --- groups -----------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Group:
    """One row of a breakdown: a district, a service or an office (``key`` is its id as text)."""

    label: str
    key: str


def _key(value: Any) -> str:
    return NO_GROUP if value is None else str(value)


def group_labels(by: Breakdown, keys: Iterable[str]) -> dict[str, Group]:
    """The groups named in the user's language; a missing office reads "no office yet"."""
    present = set(keys)
    ids = sorted(present - {NO_GROUP})
    names: dict[str, str] = {}
    if by == Breakdown.DISTRICT:
        names = {key: place.name for key, place in places.places_by_ids(ids).items()}
    elif by == Breakdown.SERVICE:
        names = {str(service.pk): service.name for service in ServiceType.objects.filter(pk__in=ids)}
    else:
        names = {str(office.pk): office.name for office in Office.objects.filter(pk__in=ids)}
    groups = {key: Group(names.get(key, key), key) for key in ids}
    if NO_GROUP in present:
        groups[NO_GROUP] = Group(str(_("no office yet")), NO_GROUP)
    return groups


# --- queue sizes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    group: Group | None  # None for the total
    by_state: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_state.values())

    def counts(self) -> list[int]:
        return [self.by_state.get(state, 0) for state in QUEUE_STATES]


def queue_rows(counts: Iterable[tuple[str, str, int]], groups: Mapping[str, Group]) -> tuple[list[QueueRow], QueueRow]:
    """Rows per group and the total, from ``(group key, state, count)`` triples."""
    per_group: dict[str, dict[str, int]] = defaultdict(dict)
    total: dict[str, int] = defaultdict(int)
    for key, state, count in counts:
        per_group[key][state] = per_group[key].get(state, 0) + count
        total[state] += count
    rows = [QueueRow(groups[key], dict(states)) for key, states in per_group.items()]
    return sorted(rows, key=lambda row: row.group or Group("", "")), QueueRow(None, dict(total))


def queue_counts(applications: QuerySet[Application], by: Breakdown) -> list[tuple[str, str, int]]:
    """Open applications counted by group and state (one aggregate query)."""
    field_name = _GROUP_FIELD[by]
    rows = (
        applications.filter(state__in=OPEN_STATES)
        .order_by()
        .values(field_name, "state")
        .annotate(n=Count("pk"))
        .values_list(field_name, "state", "n")
    )
    return [(_key(key), str(state), int(n)) for key, state, n in rows]


# --- deadline compliance ----------------------------------------------------------------------


@dataclass(frozen=True)
class ComplianceRow:
    group: Group | None
    decided: int = 0
    on_time: int = 0
    open_overdue: int = 0

    @property
    def late(self) -> int:
        return self.decided - self.on_time

    @property
    def share_on_time(self) -> float | None:
        """Decided on time as a share of decided, 0–1; ``None`` when nothing was decided."""
        return self.on_time / self.decided if self.decided else None


def compliance_rows(
    decided: Iterable[tuple[str, int, int]], overdue: Iterable[tuple[str, int]], groups: Mapping[str, Group]
) -> tuple[list[ComplianceRow], ComplianceRow]:
    """Rows per group and the total, from ``(key, decided, on time)`` and ``(key, open overdue)``."""
    figures: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for key, count, on_time in decided:
        figures[key][0] += count
        figures[key][1] += on_time
    for key, count in overdue:
        figures[key][2] += count
    rows = [ComplianceRow(groups[key], *values) for key, values in figures.items()]
    total = ComplianceRow(
        None,
        sum(row.decided for row in rows),
        sum(row.on_time for row in rows),
        sum(row.open_overdue for row in rows),
    )
    return sorted(rows, key=lambda row: row.group or Group("", "")), total


def decided_on_time_counts(
    applications: QuerySet[Application], by: Breakdown, filters: Filters
) -> list[tuple[str, int, int]]:
    """``(group, decided, decided on or before the due date)`` for decisions in the period (one query)."""
    field_name = _GROUP_FIELD[by]
    rows = (
        decided_in(applications, filters)
        .order_by()
        .values(field_name)
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(decided_on__lte=F("due_on"))))
        .values_list(field_name, "n", "on_time")
    )
    return [(_key(key), int(n), int(on_time)) for key, n, on_time in rows]


def open_overdue_counts(applications: QuerySet[Application], by: Breakdown, today: dt.date) -> list[tuple[str, int]]:
    """``(group, open applications past their due date)`` whose clock runs (one query).

    As :func:`~homeward.cases.working_days.deadline_status` says: overdue once today is past the due
    date. A case waiting for the applicant's information is paused, not overdue."""
    field_name = _GROUP_FIELD[by]
    rows = (
        applications.filter(state__in=CLOCK_RUNNING_STATES, due_on__lt=today)
        .order_by()
        .values(field_name)
        .annotate(n=Count("pk"))
        .values_list(field_name, "n")
    )
    return [(_key(key), int(n)) for key, n in rows]


# --- time to decision -------------------------------------------------------------------------


def median(values: Sequence[int]) -> float | None:
    """The middle value (the mean of the two middle ones for an even count); ``None`` for none."""
    return float(statistics.median(values)) if values else None


def percentile(values: Sequence[int], p: float) -> int | None:
    """The nearest-rank ``p``-th percentile: the smallest value that at least ``p``% of the values do
    not exceed (the ``ceil(p/100 * n)``-th smallest); ``None`` for no values."""
    if not values:
        return None
    if not 0 < p <= 100:
        raise ValueError(f"a percentile is over 0 and at most 100, got {p}")
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def working_days_to_decision(
    clock_started_on: dt.date, decided_on: dt.date, paused_working_days: int, calendar: WorkingCalendar
) -> int:
    """Working days on the clock from its start to the decision, without the days spent waiting."""
    elapsed = calendar.working_days_between(clock_started_on, decided_on)
    return max(0, elapsed - paused_working_days)


@dataclass(frozen=True)
class Bin:
    """Decisions that took from ``low`` to ``high`` working days (both included)."""

    low: int
    high: int
    count: int

    @property
    def label(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"


_NICE_WIDTHS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)


def histogram(values: Sequence[int], *, max_bins: int = 12) -> list[Bin]:
    """Equal bins of a round width (1, 2, 5, 10, 20…) from 0 to the largest value, at most ``max_bins``."""
    if not values:
        return []
    top = max(values)
    width = next((w for w in _NICE_WIDTHS if math.ceil((top + 1) / w) <= max_bins), _NICE_WIDTHS[-1])
    count = math.ceil((top + 1) / width)
    tally = [0] * count
    for value in values:
        tally[min(value // width, count - 1)] += 1
    return [Bin(index * width, (index + 1) * width - 1, tally[index]) for index in range(count)]


@dataclass(frozen=True)
class TimeRow:
    group: Group | None
    days: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.days)

    @property
    def median(self) -> float | None:
        return median(self.days)

    @property
    def p90(self) -> int | None:
        return percentile(self.days, 90)


def time_rows(decisions: Iterable[tuple[str, int]], groups: Mapping[str, Group]) -> tuple[list[TimeRow], TimeRow]:
    """Rows per group and the total, from ``(group key, working days to decision)`` pairs."""
    per_group: dict[str, list[int]] = defaultdict(list)
    for key, days in decisions:
        per_group[key].append(days)
    rows = [TimeRow(groups[key], tuple(sorted(days))) for key, days in per_group.items()]
    everything = tuple(sorted(day for row in rows for day in row.days))
    return sorted(rows, key=lambda row: row.group or Group("", "")), TimeRow(None, everything)


def decision_times(
    applications: QuerySet[Application], by: Breakdown, filters: Filters, calendar: WorkingCalendar
) -> list[tuple[str, int]]:
    """``(group, working days to decision)`` for every decision in the period (one query)."""
    field_name = _GROUP_FIELD[by]
    rows = (
        decided_in(applications, filters)
        .filter(clock_started_on__isnull=False)
        .order_by()
        .values_list(field_name, "clock_started_on", "decided_at", "paused_working_days")
    )
    return [
        (
            _key(key),
            working_days_to_decision(started, timezone.localtime(decided_at).date(), paused, calendar),
        )
        for key, started, decided_at, paused in rows
    ]


# --- outcomes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeRow:
    group: Group | None
    by_outcome: dict[str, int] = field(default_factory=dict)
    by_result: dict[str, int] = field(default_factory=dict)

    @property
    def approved(self) -> int:
        return self.by_outcome.get(DecisionOutcome.APPROVED, 0)

    @property
    def rejected(self) -> int:
        return self.by_outcome.get(DecisionOutcome.REJECTED, 0)

    @property
    def total(self) -> int:
        return sum(self.by_outcome.values())

    @property
    def share_approved(self) -> float | None:
        return self.approved / self.total if self.total else None

    def results(self) -> list[tuple[str, int]]:
        return sorted(self.by_result.items())


def outcome_rows(
    counts: Iterable[tuple[str, str, str, int]], groups: Mapping[str, Group]
) -> tuple[list[OutcomeRow], OutcomeRow]:
    """Rows per group and the total, from ``(group key, outcome, result, count)``."""
    outcomes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    results: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    total_outcomes: dict[str, int] = defaultdict(int)
    total_results: dict[str, int] = defaultdict(int)
    for key, outcome, result, count in counts:
        outcomes[key][outcome] += count
        results[key][result] += count
        total_outcomes[outcome] += count
        total_results[result] += count
    rows = [OutcomeRow(groups[key], dict(outcomes[key]), dict(results[key])) for key in outcomes]
    total = OutcomeRow(None, dict(total_outcomes), dict(total_results))
    return sorted(rows, key=lambda row: row.group or Group("", "")), total


def outcome_counts(
    applications: QuerySet[Application], by: Breakdown, filters: Filters
) -> list[tuple[str, str, str, int]]:
    """``(group, outcome, result, count)`` for decisions in the period (one aggregate query)."""
    field_name = _GROUP_FIELD[by]
    rows = (
        decided_in(applications, filters)
        .order_by()
        .values(field_name, "outcome", "result")
        .annotate(n=Count("pk"))
        .values_list(field_name, "outcome", "result", "n")
    )
    return [(_key(key), str(outcome), str(result), int(n)) for key, outcome, result, n in rows]


# --- the histogram as a picture ---------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label_x: float
    bin: Bin


@dataclass(frozen=True)
class Tick:
    y: float
    label: int


@dataclass(frozen=True)
class Marker:
    x: float
    label: str
    kind: str


@dataclass(frozen=True)
class HistogramChart:
    """Geometry of the time-to-decision histogram in SVG user units, so the template only draws."""

    bars: list[Bar]
    ticks: list[Tick]
    markers: list[Marker]
    width: int = 640
    height: int = 260
    left: int = 44
    right: int = 624
    top: int = 24
    bottom: int = 220


def _count_step(top: int) -> int:
    return next((w for w in _NICE_WIDTHS if top / w <= 5), _NICE_WIDTHS[-1])


def histogram_chart(bins: Sequence[Bin], *, median_days: float | None, p90_days: int | None) -> HistogramChart | None:
    """Bars for ``bins``, count ticks, and the median and 90th percentile marked on the day axis."""
    if not bins:
        return None
    chart = HistogramChart([], [], [])
    span_days = bins[-1].high + 1 - bins[0].low
    plot_width = chart.right - chart.left
    plot_height = chart.bottom - chart.top
    step = _count_step(max(b.count for b in bins))
    top_count = max(step, math.ceil(max(b.count for b in bins) / step) * step)
    slot = plot_width / len(bins)

    def x_of_days(days: float) -> float:
        return chart.left + (days - bins[0].low) / span_days * plot_width

    for index, item in enumerate(bins):
        height = item.count / top_count * plot_height
        x = chart.left + index * slot + 2
        chart.bars.append(Bar(x, chart.bottom - height, slot - 4, height, x + (slot - 4) / 2, item))
    for value in range(0, top_count + 1, step):
        chart.ticks.append(Tick(chart.bottom - value / top_count * plot_height, value))
    if median_days is not None:
        chart.markers.append(Marker(x_of_days(median_days + 0.5), str(_("median")), "median"))
    if p90_days is not None:
        chart.markers.append(Marker(x_of_days(p90_days + 0.5), str(_("90th percentile")), "p90"))
    return chart


# --- everything on the page -------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    by: Breakdown
    groups: dict[str, Group]
    queue: list[QueueRow]
    queue_total: QueueRow
    compliance: list[ComplianceRow]
    compliance_total: ComplianceRow
    times: list[TimeRow]
    times_total: TimeRow
    bins: list[Bin]
    chart: HistogramChart | None
    outcomes: list[OutcomeRow]
    outcomes_total: OutcomeRow


def build(
    applications: QuerySet[Application],
    *,
    by: Breakdown,
    filters: Filters,
    today: dt.date,
    calendar: WorkingCalendar,
) -> Dashboard:
    """Every figure of the dashboard for ``applications`` (already scoped to the user)."""
    applications = filtered(applications, filters)
    queue = queue_counts(applications, by)
    decided = decided_on_time_counts(applications, by, filters)
    overdue = open_overdue_counts(applications, by, today)
    times = decision_times(applications, by, filters, calendar)
    outcomes = outcome_counts(applications, by, filters)
    keys = {row[0] for rows in (queue, decided, overdue, times, outcomes) for row in rows}
    groups = group_labels(by, keys)
    queue_table, queue_total = queue_rows(queue, groups)
    compliance_table, compliance_total = compliance_rows(decided, overdue, groups)
    time_table, time_total = time_rows(times, groups)
    outcome_table, outcome_total = outcome_rows(outcomes, groups)
    bins = histogram(time_total.days)
    return Dashboard(
        by=by,
        groups=groups,
        queue=queue_table,
        queue_total=queue_total,
        compliance=compliance_table,
        compliance_total=compliance_total,
        times=time_table,
        times_total=time_total,
        bins=bins,
        chart=histogram_chart(bins, median_days=time_total.median, p90_days=time_total.p90),
        outcomes=outcome_table,
        outcomes_total=outcome_total,
    )
