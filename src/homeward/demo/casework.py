"""Demo casework: applications in every state of the workflow, in the offices of
:mod:`homeward.demo.casework_offices`, then escalated where overdue.

Applications and what happened to them are many, so they go in through the bulk path of
:mod:`homeward.demo.bulk`, holding exactly what the casework services would have written had each
step been taken through them on its day: the states and the transition log; deadlines counted on the
deployment's working-day calendar, the clock stopped while information was awaited and restarted on
appeal; decisions with their reasons; the messages and information requests sent to applicants; the
registry matches found on submission; the row versions and the who and when of every save. What
happened is planned in :mod:`homeward.demo.casework_plans`; dates count back from the day the demo
is loaded, so the queues look current. Overdue applications are then escalated by the casework
service itself, as its daily task would.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from django.db import transaction
from django.utils import timezone, translation

from homeward.cases import selectors as case_selectors
from homeward.cases import services as case_services
from homeward.cases import workflow
from homeward.cases.choices import ApplicationState, DecisionOutcome, DocumentType, MessageDirection
from homeward.cases.models import (
    Application,
    Decision,
    InformationRequest,
    Message,
    Office,
    OriginalSeen,
    ServiceType,
    Transition,
)
from homeward.cases.working_days import WorkingCalendar
from homeward.demo.bulk import existing_values, gc_paused, insert_rows, record_bulk_load, roomy_cache
from homeward.demo.casework_offices import OfficeStaff, ensure_offices
from homeward.demo.casework_plans import (
    ASSIGN,
    LINK,
    MAX_AGE,
    CaseTier,
    DetailContext,
    PlannedApplication,
    PlannedStep,
    ServiceInfo,
    plan_applications,
    render_details,
)
from homeward.demo.casework_registry import Applicant, applicants, identity_evidence, place_names
from homeward.demo.errors import DemoDataError, DemoDataMissing
from homeward.demo.keys import demo_uuid
from homeward.demo.names import NameBank
from homeward.demo.people import Tier
from homeward.demo.places import Settlement
from homeward.demo.region import CaseOfficeSpec, Region
from homeward.demo.scales import Scale

Progress = Callable[[str, int, int], None]
ScaleTier = tuple[Scale, Sequence[Settlement]]
Row = tuple[Any, ...]
Values = dict[str, Any]

STEP = "Casework"
APPLICATION_FIELDS = (
    "id",
    "reference",
    "service_id",
    "state",
    "district_id",
    "agency_id",
    "office_id",
    "assignee_id",
    "given_name",
    "family_name",
    "patronymic",
    "birth_date",
    "contact",
    "details",
    "language",
    "person_id",
    "identity_candidates",
    "assisted_by_id",
    "mobile_team_id",
    "submitted_on",
    "clock_started_on",
    "deadline_working_days",
    "paused_working_days",
    "information_requested_on",
    "due_on",
    "outcome",
    "result",
    "decided_at",
    "closed_at",
    "created_at",
    "updated_at",
    "created_by_id",
    "updated_by_id",
    "row_version",
)
STAMPS = ("created_at", "updated_at", "created_by_id", "updated_by_id", "row_version")
TRANSITION_FIELDS = ("id", "application_id", "event", "from_state", "to_state", "actor_id", "at", "note", *STAMPS)
DECISION_FIELDS = ("id", "application_id", "outcome", "result", "reasons", "decided_by_id", "decided_at", *STAMPS)
MESSAGE_FIELDS = ("id", "application_id", "direction", "author_id", "text", "sent_at", *STAMPS)
REQUEST_FIELDS = (
    "id",
    "application_id",
    "document_types",
    "message_id",
    "requested_by_id",
    "requested_at",
    "answered_by_id",
    "answered_at",
    *STAMPS,
)
ORIGINAL_FIELDS = ("id", "application_id", "document_type", "seen_by_id", "seen_at", "note", *STAMPS)
ORIGINALS_SEEN_BEFORE_REVIEW = dt.timedelta(minutes=1)
# The models loaded in bulk, the fields each row gives, and the count of :class:`CaseworkCounts` they make.
BULK = (
    (Application, APPLICATION_FIELDS, "applications"),
    (Transition, TRANSITION_FIELDS, "transitions"),
    (Decision, DECISION_FIELDS, "decisions"),
    (Message, MESSAGE_FIELDS, "messages"),
    (InformationRequest, REQUEST_FIELDS, "information_requests"),
    (OriginalSeen, ORIGINAL_FIELDS, "originals_seen"),
)


@dataclass(frozen=True)
class CaseworkCounts:
    """How many casework rows of each kind one run created, and how many applications it escalated."""

    offices: int = 0
    mobile_teams: int = 0
    staff: int = 0
    applications: int = 0
    transitions: int = 0
    decisions: int = 0
    messages: int = 0
    information_requests: int = 0
    originals_seen: int = 0
    escalations: int = 0

    @property
    def created(self) -> int:
        return sum(getattr(self, item.name) for item in fields(self))


@dataclass
class CaseRows:
    """The rows of each model loaded in bulk, each a dict of the model's fields in :data:`BULK`."""

    by_model: dict[type[Any], list[Values]] = field(default_factory=lambda: {model: [] for model, *_ in BULK})

    def add(self, model: type[Any], **values: Any) -> Values:
        self.by_model[model].append(values)
        return values


class Clock:
    """Working-day positions counted back from ``today``, and times of day in the current time zone."""

    def __init__(self, calendar: WorkingCalendar, today: dt.date) -> None:
        self.calendar = calendar
        self.today = today
        self.zone = timezone.get_current_timezone()
        days: list[dt.date] = []
        day = today
        while len(days) < MAX_AGE + 1:
            day -= dt.timedelta(days=1)
            if calendar.is_working_day(day):
                days.append(day)
        self._before_today = days[::-1]

    def day(self, age: int, position: int) -> dt.date:
        """The working day ``position`` working days after the one ``age`` working days before today:
        ``calendar.add_working_days(calendar.add_working_days(today, -age), position)``."""
        return self._before_today[len(self._before_today) - age + position]

    def at(self, day: dt.date, minute: int) -> dt.datetime:
        hours, minutes = divmod(minute, 60)
        return dt.datetime.combine(day, dt.time(hours, minutes), tzinfo=self.zone)


class Routing:
    """:func:`~homeward.cases.services.office_for` for every district and service at once: the first
    active office by name serving the district that handles the service (or every service)."""

    def __init__(self) -> None:
        offices = Office.objects.filter(is_active=True).order_by("name", "pk").prefetch_related("districts", "services")
        self._offices = [
            (office.pk, {d.pk for d in office.districts.all()}, {s.pk for s in office.services.all()})
            for office in offices
        ]
        self._found: dict[tuple[uuid.UUID, uuid.UUID], uuid.UUID | None] = {}

    def office(self, district_id: uuid.UUID, service_id: uuid.UUID) -> uuid.UUID | None:
        key = (district_id, service_id)
        if key not in self._found:
            self._found[key] = next(
                (
                    office
                    for office, districts, services in self._offices
                    if district_id in districts and (not services or service_id in services)
                ),
                None,
            )
        return self._found[key]


def reference(service_code: str, created_on: dt.date, number: int, salt: int) -> str:
    """A reference of the services' shape; the last part, random there, is a scramble of the number
    here, so references never collide and are the same on every run."""
    prefix = "".join(part[0] for part in service_code.split("_"))[:4].upper()
    return f"{prefix}-{created_on:%y%m%d}-{(number * 0x9E3779B1 + salt) % 0x10000000000:010X}"


def salt_of(seed: str) -> int:
    return demo_uuid("application-reference", seed).int % 0x1000000


@dataclass
class _Case:
    """One application being replayed: its row, the people around it and its open information request."""

    row: Values
    number: int
    service: ServiceType
    applicant: Applicant
    crew: OfficeStaff
    assignee: uuid.UUID
    open_request: Values | None = None


class Builder:
    """Replays each planned application as the services would have written it, into rows."""

    def __init__(
        self,
        clock: Clock,
        services: dict[str, ServiceType],
        staff: dict[uuid.UUID, OfficeStaff],
        settlement_names: dict[uuid.UUID, str],
        bank: NameBank,
        salt: int,
    ) -> None:
        self.clock = clock
        self.services = services
        self.routing = Routing()
        self.staff = staff
        self.settlement_names = settlement_names
        self.bank = bank
        self.salt = salt
        self.rows = CaseRows()
        self.submitted: list[tuple[Values, Applicant]] = []
        self.steps = {(step.event, step.source): step for step in workflow.steps()}

    def _crew(self, applicant: Applicant, service: ServiceType) -> OfficeStaff:
        office = self.routing.office(applicant.district_id, service.pk)
        if office is None:
            raise DemoDataError(f"no office takes {service.code} applications in district {applicant.district_id}")
        crew = self.staff.get(office)
        if crew is None:
            raise DemoDataError(f"office {office} would take the demo's {service.code} applications: not a demo office")
        return crew

    def add(self, plan: PlannedApplication, tier: CaseTier, applicant: Applicant) -> None:
        service = self.services[plan.service]
        crew = self._crew(applicant, service)
        caseworkers = crew.caseworkers[: tier.caseworkers]
        mobile = plan.mobile and crew.team_id is not None
        helpers = crew.team_members if mobile else caseworkers
        creator = helpers[int(plan.creator * len(helpers))]
        created_on = self.clock.day(plan.age, 0)
        created_at = self.clock.at(created_on, plan.created_minute)
        settlement = self.settlement_names.get(applicant.settlement_id, "")
        details = DetailContext(applicant.family_name, settlement, created_on)
        row = self.rows.add(
            Application,
            id=demo_uuid("application", plan.number),
            reference=reference(service.code, created_on, plan.number, self.salt),
            service_id=service.pk,
            state=ApplicationState.DRAFT.value,
            district_id=applicant.district_id,
            agency_id=crew.agency_id,
            office_id=None,
            assignee_id=None,
            given_name=applicant.given_name,
            family_name=applicant.family_name,
            patronymic=applicant.patronymic,
            birth_date=applicant.birth_date,
            contact=plan.contact,
            details=render_details(service.required_fields, plan.details_seed, self.bank, details),
            language=plan.language,
            person_id=None,
            identity_candidates=[],
            assisted_by_id=creator,
            mobile_team_id=crew.team_id if mobile else None,
            submitted_on=None,
            clock_started_on=None,
            deadline_working_days=None,
            paused_working_days=0,
            information_requested_on=None,
            due_on=None,
            outcome="",
            result="",
            decided_at=None,
            closed_at=None,
            created_at=created_at,
            updated_at=created_at,
            created_by_id=creator,
            updated_by_id=creator,
            row_version=1,
        )
        case = _Case(row, plan.number, service, applicant, crew, caseworkers[int(plan.assignee * len(caseworkers))])
        actors = {"submit": creator, "reopen": crew.supervisor, "dismiss_appeal": crew.supervisor}
        for index, step in enumerate(plan.steps):
            day = self.clock.day(plan.age, step.position)
            at = self.clock.at(day, step.minute)
            if step.event == ASSIGN:
                row["assignee_id"] = case.assignee
                _saved(row, at, crew.supervisor)
            elif step.event == LINK:
                row["person_id"] = applicant.person_id
                _saved(row, at, case.assignee)
            else:
                self._event(case, index, step, day, at, actors.get(step.event, case.assignee))
        if row["state"] != ApplicationState.DRAFT:
            self.submitted.append((row, applicant))

    def _due_on(self, row: Values) -> dt.date:
        days = row["deadline_working_days"] + row["paused_working_days"]
        return self.clock.calendar.add_working_days(row["clock_started_on"], days)

    def _part(
        self, model: type[Any], key: str, case: _Case, step: int, when: dt.datetime, by: Any, **values: Any
    ) -> Values:
        """A record the ``step``-th step of ``case`` saved once, by ``by`` at ``when``."""
        return self.rows.add(
            model,
            id=demo_uuid(key, case.number, step),
            application_id=case.row["id"],
            **values,
            created_at=when,
            updated_at=when,
            created_by_id=by,
            updated_by_id=by,
            row_version=1,
        )

    def _event(
        self, case: _Case, index: int, step: PlannedStep, day: dt.date, at: dt.datetime, actor: uuid.UUID
    ) -> None:
        """What the service of ``step`` writes when ``actor`` takes it at ``at`` (on the local ``day``)."""
        row, service, event = case.row, case.service, step.event
        found = self.steps.get((event, row["state"]))
        if found is None:
            raise workflow.TransitionRefused(event, row["state"])
        if event == "start_review":
            # Screening ends with the originals of the required documents seen at the counter, a minute
            # before the review starts (an approval needs every one).
            seen_at = at - ORIGINALS_SEEN_BEFORE_REVIEW
            for number, code in enumerate(service.required_documents):
                seen = {"document_type": code, "seen_by_id": actor, "seen_at": seen_at, "note": ""}
                self._part(OriginalSeen, f"application-original-{number}", case, index, seen_at, actor, **seen)
        if event == "submit":
            row.update(office_id=case.crew.office_id, agency_id=case.crew.agency_id, submitted_on=day)
            row.update(clock_started_on=day, deadline_working_days=service.deadline_working_days, paused_working_days=0)
            row.update(due_on=self._due_on(row))
        elif event == "request_information":
            row.update(information_requested_on=day)
        elif event == "receive_information":
            waited = max(0, self.clock.calendar.working_days_between(row["information_requested_on"], day))
            row.update(paused_working_days=row["paused_working_days"] + waited, information_requested_on=None)
            row.update(due_on=self._due_on(row))
        elif event == "decide":
            kind = service.outcome_kind(step.result)
            if kind not in DecisionOutcome.values:
                raise DemoDataError(f"{step.result!r} is not an outcome of {service.code}")
            row.update(outcome=kind, result=step.result, decided_at=at)
        elif event == "reopen":
            row.update(outcome="", result="", decided_at=None, clock_started_on=day, paused_working_days=0)
            row.update(deadline_working_days=service.deadline_working_days)
            row.update(due_on=self._due_on(row))
        elif event in ("close", "dismiss_appeal"):
            row.update(closed_at=at)
        row["state"] = found.target
        _saved(row, at, actor)
        moved = {"event": event, "from_state": found.source, "to_state": found.target}
        self._part(
            Transition, "application-transition", case, index, at, actor, **moved, actor_id=actor, at=at, note=step.note
        )
        # What the step's service writes after the transition.
        if event == "request_information":
            text = {"direction": MessageDirection.TO_APPLICANT.value, "text": step.note}
            message = self._part(
                Message, "application-message", case, index, at, actor, **text, author_id=actor, sent_at=at
            )
            case.open_request = self._part(
                InformationRequest,
                "application-information-request",
                case,
                index,
                at,
                actor,
                document_types=list(step.documents),
                message_id=message["id"],
                requested_by_id=actor,
                requested_at=at,
                answered_by_id=None,
                answered_at=None,
            )
        elif event == "receive_information" and case.open_request is not None:
            case.open_request.update(answered_by_id=actor, answered_at=at)
            _saved(case.open_request, at, actor)
            case.open_request = None
        elif event == "decide":
            decided = {"outcome": row["outcome"], "result": step.result, "reasons": list(step.reasons)}
            self._part(
                Decision, "application-decision", case, index, at, actor, **decided, decided_by_id=actor, decided_at=at
            )

    def finish(self) -> CaseRows:
        """The rows, with the identity candidates each submission found in the registry."""
        evidence = identity_evidence([applicant.as_data() for _, applicant in self.submitted])
        for (row, _), found in zip(self.submitted, evidence, strict=True):
            row["identity_candidates"] = found
        return self.rows


def _saved(row: Values, at: dt.datetime, actor: Any) -> None:
    """What a later save of the record by ``actor`` at ``at`` stamps on it."""
    row.update(updated_at=at, updated_by_id=actor, row_version=row["row_version"] + 1)


# --- loading ----------------------------------------------------------------------------------


def offered_services(specs: Sequence[CaseOfficeSpec]) -> tuple[list[ServiceInfo], dict[str, ServiceType]]:
    """The active services the region's offices decide on, as the planner needs them, and by code."""
    decided = {kind for spec in specs for kind in spec.decides}
    offered = list(ServiceType.objects.filter(is_active=True, responsible_agency__in=decided).order_by("code"))
    infos = [
        ServiceInfo(
            code=service.code,
            deadline=service.deadline_working_days,
            approvals=tuple(o["code"] for o in service.outcomes if o.get("kind") == DecisionOutcome.APPROVED),
            rejections=tuple(o["code"] for o in service.outcomes if o.get("kind") == DecisionOutcome.REJECTED),
            required_fields=tuple(service.required_fields),
            required_documents=tuple(service.required_documents),
        )
        for service in offered
    ]
    return [info for info in infos if info.approvals], {service.code: service for service in offered}


def document_names() -> dict[str, str]:
    """Each document type's name in English, lower case, for the text of information requests."""
    with translation.override("en"):
        return {str(code): str(label).lower() for code, label in DocumentType.choices}


def case_tiers(tiers: Sequence[ScaleTier], tier_households: Sequence[int]) -> list[CaseTier]:
    """The casework tiers of ``tiers`` (scales with their settlements), given each one's households."""
    cases = []
    for (scale, settlements), households in zip(tiers, tier_households, strict=True):
        weights = Tier.of(scale.persons, settlements).cum_weights
        cases.append(CaseTier(scale.applications, households, scale.caseworkers, settlements, weights))
    return cases


def build_rows(
    planned: Sequence[tuple[PlannedApplication, CaseTier]],
    *,
    seed: str,
    today: dt.date,
    services: dict[str, ServiceType],
    staff: dict[uuid.UUID, OfficeStaff],
    bank: NameBank,
) -> CaseRows:
    """The rows of ``planned``, as of ``today`` on the deployment's calendar."""
    found = applicants([plan for plan, _ in planned])
    names = place_names(applicant.settlement_id for applicant in found.values())
    clock = Clock(case_selectors.working_calendar(), today)
    builder = Builder(clock, services, staff, names, bank, salt_of(seed))
    for plan, tier in planned:
        builder.add(plan, tier, found[plan.number])
    return builder.finish()


def load_casework(
    region: Region,
    district_ids: dict[str, uuid.UUID],
    tiers: Sequence[ScaleTier],
    tier_households: Sequence[int],
    seed: str,
    scale: Scale,
    bank: NameBank,
    progress: Progress,
    *,
    today: dt.date | None = None,
) -> CaseworkCounts:
    """Create the demo's casework offices, staff and applications that do not exist yet, then
    escalate the overdue applications.

    ``tiers`` are ``(scale, its settlements)`` from the smallest scale to ``scale`` and
    ``tier_households`` how many demo households each holds; application *n* is the same at every
    scale. Applications are matched by their keys, so a second run creates nothing; their dates
    count back from ``today`` (the local date by default). One transaction, with one ``bulk_load``
    audit entry per model loaded in bulk.
    """
    today = today or timezone.localdate()
    progress(STEP, 0, 4)
    with gc_paused(), roomy_cache(Application), transaction.atomic():
        case_services.load_catalogue()
        staff, offices = ensure_offices(region, district_ids, scale.caseworkers, bank)
        infos, services = offered_services(region.case_offices)
        if not infos:
            raise DemoDataMissing("no active service of the catalogue is handled by the region's casework offices")
        progress(STEP, 1, 4)
        planned = plan_applications(seed, case_tiers(tiers, tier_households), infos, bank, document_names())
        keys = [demo_uuid("application", plan.number) for plan, _ in planned]
        existing = existing_values(Application, "id", keys)
        planned = [(plan, tier) for (plan, tier), key in zip(planned, keys, strict=True) if key not in existing]
        rows = build_rows(planned, seed=seed, today=today, services=services, staff=staff, bank=bank)
        progress(STEP, 2, 4)
        created: dict[str, int] = {}
        for model, names, counted in BULK:
            before = model._default_manager.count()
            insert_rows(model, names, ([values[name] for name in names] for values in rows.by_model[model]))
            created[counted] = model._default_manager.count() - before
            record_bulk_load(model, created[counted], scale.name)
        progress(STEP, 3, 4)
        escalated = case_services.escalate_overdue(today)
    progress(STEP, 4, 4)
    return CaseworkCounts(offices.offices, offices.mobile_teams, offices.staff, escalations=escalated, **created)
