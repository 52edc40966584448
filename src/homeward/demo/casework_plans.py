"""What happened to each demo application so far: the applicant, the service, and every step up to today.

An application's plan comes from its own random stream (the seed and its number), so application
*n* is the same at every scale. Time is counted in working days: a step's ``position`` is how many
working days after the submission it happened, and ``age`` is how many working days the submission
lies before today; only the steps before today have happened. The loader turns positions into dates
on the deployment's calendar, so the plan does not depend on the day it is loaded.

The steps are the workflow's events (see :mod:`homeward.cases.workflow`) and two writes that are not
events: a supervisor assigning the application to a caseworker (:data:`ASSIGN`, just before
screening starts) and a caseworker linking it to the registered person (:data:`LINK`, just before
review starts). Nothing here records ethnicity, religion or political opinion.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from homeward.demo.names import FEMALE, MALE, NameBank
from homeward.demo.people import AGE_REFERENCE_DATE
from homeward.demo.places import Settlement

ASSIGN = "assign"
LINK = "link_person"
# How often each service is asked for; a service not listed here (a deployment's own) gets DEFAULT_WEIGHT.
SERVICE_WEIGHTS: Mapping[str, int] = {
    "residence_registration": 18,
    "identity_card": 16,
    "social_assistance": 12,
    "pension": 10,
    "property_claim": 10,
    "passport": 8,
    "birth_certificate": 6,
    "disability_allowance": 5,
    "family_tracing": 4,
    "marriage_certificate": 4,
    "death_certificate": 4,
    "citizenship": 3,
}
DEFAULT_WEIGHT = 3
REJECTED_SHARE: Mapping[str, float] = {"property_claim": 0.35, "citizenship": 0.3, "social_assistance": 0.28}
DEFAULT_REJECTED_SHARE = 0.22
# Applicants' languages (az, ru, en, hy), for the applications that record one.
LANGUAGES = ("az", "ru", "en", "hy")
LANGUAGE_CUM_WEIGHTS = (70, 84, 93, 100)
REGISTERED_SHARE = 0.6  # applicants who are in the registry already
LINKED_SHARE = 0.75  # of those, the ones a caseworker links to their person
PLAIN_LETTERS_SHARE = 0.1  # registered applicants who write their name without diacritics
DRAFT_SHARE = 0.03
MOBILE_SHARE = 0.3  # where the office has a mobile team
SLOW_SHARE = 0.25  # applications that take three times as long at every step
INFORMATION_SHARE = 0.3
MAX_AGE = 125  # working days: about six months
AGE_SKEW = 2.2  # more recent submissions than old ones: the caseload is growing
ADULT_ON = AGE_REFERENCE_DATE.replace(year=AGE_REFERENCE_DATE.year - 18)
OPENS_AT = 9 * 60
CLOSES_AT = 17 * 60 + 30

HOST_CITIES = ("Bakı", "Sumqayıt", "Gəncə", "Mingəçevir", "Bərdə", "Beyləqan")
RELATIVES = ("father", "mother", "brother", "sister", "son", "daughter", "spouse", "uncle", "grandfather")
CLAIM_BASES = (
    "ownership certificate issued before displacement",
    "inheritance from a parent",
    "tenancy of a state-owned flat",
    "house built by the family on allotted land",
)
REJECTION_REASONS: Mapping[str, tuple[str, ...]] = {
    "citizenship": (
        "The period of lawful residence required by law is not reached.",
        "The documents do not establish the applicant's identity.",
    ),
    "property_claim": (
        "The title submitted does not cover the property claimed.",
        "Another claim to the same property was upheld earlier.",
        "The property could not be identified at the address given.",
    ),
    "social_assistance": (
        "The household's average income is above the threshold.",
        "The household composition could not be confirmed.",
    ),
    "pension": ("The applicant has not reached pensionable age.", "The employment record is incomplete."),
    "disability_allowance": ("The medical assessment does not establish a disability group.",),
    "family_tracing": ("The relative has already been traced under another request.",),
}
GENERAL_REJECTIONS = (
    "The information requested was not provided.",
    "The documents submitted are not originals or certified copies.",
    "The applicant is not registered at the address given.",
)
APPROVAL_NOTES = (
    "All required documents were verified.",
    "Confirmed against the registry.",
    "Confirmed at a home visit.",
)
INFORMATION_REQUESTS = (
    "Please bring the original of your {document} to the office, or send a clear scan through the portal.",
    "The copy of your {document} is not legible; please provide a clearer one.",
    "Please confirm the full address, with the house number, where you live now.",
)
APPEAL_GROUNDS = (
    "The applicant says the documents were provided in time.",
    "The applicant submits a new document that was not available before.",
    "The applicant disputes the assessment of the household's income.",
    "The applicant disputes the identification of the property.",
)
REOPEN_NOTES = ("Appeal allowed: the new evidence is to be reviewed.", "Appeal allowed: reviewed again.")
DISMISS_NOTES = ("Appeal dismissed: the decision stands.", "Appeal dismissed: no new evidence.")


@dataclass(frozen=True)
class ServiceInfo:
    """What the planner needs to know about a service of the catalogue."""

    code: str
    deadline: int
    approvals: tuple[str, ...]
    rejections: tuple[str, ...]
    required_fields: tuple[str, ...]
    required_documents: tuple[str, ...]


@dataclass(frozen=True)
class CaseTier:
    """Applications up to number ``applications`` draw registered applicants from households
    1 to ``households``, new applicants from ``settlements`` (by population), and are handled by
    ``caseworkers`` caseworkers of each office."""

    applications: int
    households: int
    caseworkers: int
    settlements: Sequence[Settlement]
    cum_weights: Sequence[float]


@dataclass(frozen=True)
class NewApplicant:
    """Someone not in the registry, applying from ``settlement``."""

    given_name: str
    family_name: str
    patronymic: str
    birth_date: dt.date | None
    settlement: Settlement


@dataclass(frozen=True)
class RegisteredApplicant:
    """An adult of demo household number ``household``: the ``pick``-th of its adults, or its oldest."""

    household: int
    pick: float
    oldest: bool
    plain_letters: bool
    gives_birth_date: bool
    linked: bool


@dataclass(frozen=True)
class PlannedStep:
    event: str
    position: int
    minute: int
    note: str = ""
    result: str = ""
    reasons: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlannedApplication:
    """One application: ``steps`` are those before today, ``age`` working days after the submission
    (after the creation, for a draft, which has no steps)."""

    number: int
    service: str
    applicant: NewApplicant | RegisteredApplicant
    language: str
    contact: str
    details_seed: int
    mobile: bool
    creator: float
    assignee: float
    created_minute: int
    age: int
    steps: tuple[PlannedStep, ...]


def plain_letters(text: str) -> str:
    """``text`` typed without diacritics, as on a keyboard without them (``Gülər`` → ``Guler``)."""
    bare = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare)


def _weighted(rng: random.Random, items: Sequence[Any], cum_weights: Sequence[float]) -> Any:
    return rng.choices(items, cum_weights=cum_weights)[0]


def _birth_date(rng: random.Random, low: int, high: int) -> dt.date:
    age = rng.randint(low, high)
    return AGE_REFERENCE_DATE - dt.timedelta(days=int(age * 365.25) + rng.randrange(365))


def _new_applicant(rng: random.Random, bank: NameBank, tier: CaseTier, service: ServiceInfo) -> NewApplicant:
    sex = rng.choice((MALE, FEMALE))
    family = bank.family_name(rng)
    low, high = (60, 85) if service.code == "pension" else (18, 80)
    birth_date: dt.date | None = _birth_date(rng, low, high)
    if "birth_date" not in service.required_fields and rng.random() < 0.3:
        birth_date = None
    return NewApplicant(
        given_name=bank.given_name(rng, sex),
        family_name=family.for_sex(sex),
        patronymic=bank.patronymic(bank.given_name(rng, MALE), sex),
        birth_date=birth_date,
        settlement=_weighted(rng, tier.settlements, tier.cum_weights),
    )


def _registered_applicant(rng: random.Random, tier: CaseTier, service: ServiceInfo) -> RegisteredApplicant:
    gives_birth_date = "birth_date" in service.required_fields or rng.random() < 0.7
    return RegisteredApplicant(
        household=rng.randint(1, tier.households),
        pick=rng.random(),
        oldest=service.code == "pension",
        plain_letters=rng.random() < PLAIN_LETTERS_SHARE,
        gives_birth_date=gives_birth_date,
        linked=rng.random() < LINKED_SHARE,
    )


def _decision(rng: random.Random, service: ServiceInfo, *, after_appeal: bool) -> tuple[str, tuple[str, ...]]:
    share = REJECTED_SHARE.get(service.code, DEFAULT_REJECTED_SHARE) / (3 if after_appeal else 1)
    if service.rejections and (not service.approvals or rng.random() < share):
        reasons = (*REJECTION_REASONS.get(service.code, ()), *GENERAL_REJECTIONS)
        return service.rejections[0], tuple(rng.sample(reasons, rng.choice((1, 1, 2))))
    result = service.approvals[0] if rng.random() < 0.85 else rng.choice(service.approvals)
    return result, (rng.choice(APPROVAL_NOTES),) if rng.random() < 0.3 else ()


class _Path:
    """The whole life of an application, step by step, before it is cut at today."""

    def __init__(self, rng: random.Random, service: ServiceInfo, documents: Mapping[str, str]) -> None:
        self.rng = rng
        self.service = service
        self.documents = documents
        self.slowness = 3.0 if rng.random() < SLOW_SHARE else 1.0
        self.position = 0
        self.steps: list[PlannedStep] = []

    def wait(self, low: int, high: int) -> int:
        return round(self.rng.randint(low, high) * self.slowness)

    def add(self, event: str, gap: int, **values: Any) -> None:
        self.position += gap
        self.steps.append(PlannedStep(event, self.position, 0, **values))

    def request(self) -> tuple[str, tuple[str, ...]]:
        """The text sent to the applicant, and the document types asked for."""
        documents = self.service.required_documents
        template = self.rng.choice(INFORMATION_REQUESTS if documents else INFORMATION_REQUESTS[2:])
        if "{document}" not in template:
            return template, ()
        document = self.rng.choice(documents)
        return template.format(document=self.documents[document]), (document,)

    def decide(self, gap: int, *, after_appeal: bool = False) -> str:
        result, reasons = _decision(self.rng, self.service, after_appeal=after_appeal)
        self.add("decide", gap, result=result, reasons=reasons)
        return result

    def plan(self, linked: bool) -> list[PlannedStep]:
        rng, deadline = self.rng, self.service.deadline
        self.add("submit", 0)
        self.add(ASSIGN, self.wait(1, 2 + deadline // 4))
        self.add("start_screening", 0)
        if linked:
            self.add(LINK, self.wait(1, 2 + deadline // 4))
            self.add("start_review", 0)
        else:
            self.add("start_review", self.wait(1, 2 + deadline // 4))
        if rng.random() < INFORMATION_SHARE:
            text, documents = self.request()
            self.add("request_information", self.wait(1, 1 + deadline // 4), note=text, documents=documents)
            self.add("receive_information", rng.randint(3, 20))
        result = self.decide(self.wait(1, 1 + deadline // 2))
        if rng.random() < self._appeal_share(result):
            self.add("appeal", rng.randint(2, 15), note=rng.choice(APPEAL_GROUNDS))
            if rng.random() < 0.4:
                self.add("reopen", rng.randint(5, 40), note=rng.choice(REOPEN_NOTES))
                self.decide(self.wait(1, 1 + deadline // 2), after_appeal=True)
                self.add("close", rng.randint(10, 25))
            else:
                self.add("dismiss_appeal", rng.randint(5, 40), note=rng.choice(DISMISS_NOTES))
        else:
            self.add("close", rng.randint(10, 25))
        return self.steps

    def _appeal_share(self, result: str) -> float:
        if result in self.service.rejections:
            return 0.5
        return 0.3 if result != self.service.approvals[0] else 0.03


def _timed(rng: random.Random, steps: Sequence[PlannedStep]) -> tuple[PlannedStep, ...]:
    """The steps with a minute of the day each, in order within a day: an assignment or a link
    comes a minute or two before the event that follows it."""
    timed: list[PlannedStep] = []
    minute = 0
    for index, step in enumerate(steps):
        if step.event in (ASSIGN, LINK):
            continue
        same_day = bool(timed) and timed[-1].position == step.position
        lowest = minute + rng.randint(3, 45) if same_day else OPENS_AT + 30
        minute = max(lowest, rng.randint(OPENS_AT + 30, CLOSES_AT))
        before = steps[index - 1] if index else None
        if before is not None and before.event in (ASSIGN, LINK):
            timed.append(PlannedStep(before.event, before.position, minute - 2))
        timed.append(
            PlannedStep(step.event, step.position, minute, step.note, step.result, step.reasons, step.documents)
        )
    return tuple(timed)


def plan_application(
    seed: str,
    number: int,
    tier: CaseTier,
    services: Sequence[ServiceInfo],
    bank: NameBank,
    documents: Mapping[str, str],
) -> PlannedApplication:
    """Application ``number`` of the tier it falls in. ``services`` are the services offered, in a
    fixed order; ``documents`` names each document type in plain English for the requests."""
    rng = random.Random(f"{seed}:{number}")
    weights = [SERVICE_WEIGHTS.get(service.code, DEFAULT_WEIGHT) for service in services]
    service = rng.choices(services, weights=weights)[0]
    registered = rng.random() < REGISTERED_SHARE
    applicant = _registered_applicant(rng, tier, service) if registered else _new_applicant(rng, bank, tier, service)
    language = _weighted(rng, LANGUAGES, LANGUAGE_CUM_WEIGHTS)
    contact = f"+994 00 {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    details_seed = rng.getrandbits(32)
    mobile = rng.random() < MOBILE_SHARE
    creator, assignee = rng.random(), rng.random()
    if rng.random() < DRAFT_SHARE:
        age = rng.randint(1, 10)
        steps: tuple[PlannedStep, ...] = ()
        created_minute = rng.randint(OPENS_AT, CLOSES_AT)
    else:
        age = 1 + int((MAX_AGE - 1) * rng.random() ** AGE_SKEW)
        linked = isinstance(applicant, RegisteredApplicant) and applicant.linked
        path = _Path(rng, service, documents).plan(linked)
        steps = tuple(step for step in _timed(rng, path) if step.position < age)
        created_minute = steps[0].minute - rng.randint(5, 25)
    return PlannedApplication(
        number=number,
        service=service.code,
        applicant=applicant,
        language=language,
        contact=contact,
        details_seed=details_seed,
        mobile=mobile,
        creator=creator,
        assignee=assignee,
        created_minute=created_minute,
        age=age,
        steps=steps,
    )


def plan_applications(
    seed: str,
    tiers: Sequence[CaseTier],
    services: Sequence[ServiceInfo],
    bank: NameBank,
    documents: Mapping[str, str],
) -> list[tuple[PlannedApplication, CaseTier]]:
    """Every application of ``tiers``, numbered from 1, each with the tier it belongs to."""
    planned = []
    first = 1
    for tier in tiers:
        for number in range(first, tier.applications + 1):
            planned.append((plan_application(seed, number, tier, services, bank, documents), tier))
        first = max(first, tier.applications + 1)
    return planned


@dataclass(frozen=True)
class DetailContext:
    """What the details of an application are made from."""

    family_name: str
    settlement: str
    created_on: dt.date


def _days_before(day: dt.date, rng: random.Random, low: int, high: int) -> str:
    return (day - dt.timedelta(days=rng.randint(low, high))).isoformat()


def render_details(fields: Sequence[str], seed: int, bank: NameBank, context: DetailContext) -> dict[str, Any]:
    """The service-specific fields among ``fields``, filled in plausibly and the same way every time."""
    rng = random.Random(seed)
    returned = rng.random() < 0.4
    home = f"{context.settlement}, house {rng.randint(1, 120)}"
    shelter = (
        f"{rng.choice(HOST_CITIES)}, temporary accommodation, block {rng.randint(1, 40)}, flat {rng.randint(1, 90)}"
    )
    spouse_family = bank.family_name(rng)
    makers: dict[str, Any] = {
        "birth_place": lambda: context.settlement,
        "current_address": lambda: home if returned else shelter,
        "previous_address": lambda: shelter if returned else home,
        "residence_since": lambda: _days_before(context.created_on, rng, 60, 3000),
        "child_given_name": lambda: bank.given_name(rng, rng.choice((MALE, FEMALE))),
        "child_family_name": lambda: context.family_name,
        "child_birth_date": lambda: _days_before(context.created_on, rng, 3, 60),
        "child_birth_place": lambda: context.settlement,
        "spouse_given_name": lambda: bank.given_name(rng, rng.choice((MALE, FEMALE))),
        "spouse_family_name": lambda: spouse_family.male,
        "marriage_date": lambda: _days_before(context.created_on, rng, 3, 90),
        "deceased_given_name": lambda: bank.given_name(rng, rng.choice((MALE, FEMALE))),
        "deceased_family_name": lambda: context.family_name,
        "death_date": lambda: _days_before(context.created_on, rng, 3, 300),
        "death_place": lambda: context.settlement,
        "relationship": lambda: rng.choice(RELATIVES),
        "household_size": lambda: rng.randint(1, 8),
        "property_address": lambda: home,
        "property_settlement": lambda: context.settlement,
        "claim_basis": lambda: rng.choice(CLAIM_BASES),
        "missing_given_name": lambda: bank.given_name(rng, rng.choice((MALE, FEMALE))),
        "missing_family_name": lambda: context.family_name,
        "missing_since": lambda: rng.choice(("1992-", "1993-", "2020-")) + f"{rng.randint(1, 12):02d}",
        "last_seen_place": lambda: context.settlement,
    }
    return {name: makers[name]() for name in fields if name in makers}
