"""Invented households and persons, generated as a stream and inserted in chunks.

Households come from one random stream in a fixed order, so household *n* is the same at every
scale. Each scale is a tier: the households that bring the count of persons up to that scale's
target come from that tier's settlements, and the last one is cut to hit the target exactly.
Nothing here records ethnicity, religion or political opinion.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from django.db import transaction

from homeward.demo.bulk import BATCH_SIZE, existing_values, gc_paused, insert_rows, record_bulk_load, roomy_cache
from homeward.demo.keys import demo_uuid
from homeward.demo.names import FEMALE, MALE, NameBank
from homeward.demo.places import Settlement
from homeward.registry.choices import Sex
from homeward.registry.models import Household, Person

Progress = Callable[[str, int, int], None]

HOUSEHOLD_REFERENCE_PREFIX = "DEMO-HH-"
HOUSEHOLD_SIZES = (1, 2, 3, 4, 5, 6, 7)
HOUSEHOLD_SIZE_CUM_WEIGHTS = tuple(itertools.accumulate((12, 18, 20, 22, 15, 8, 5)))
AGE_REFERENCE_DATE = dt.date(2024, 1, 1)
MAX_AGE = 90
ADULT_AGE = 18
# Plain strings, stored the same as the choices themselves but quicker to insert.
SEX_VALUES = {MALE: Sex.MALE.value, FEMALE: Sex.FEMALE.value}
STEP = "Households and persons"
# The fields each row of _write gives, in order; insert_rows fills in the others.
HOUSEHOLD_FIELDS = ("id", "reference", "origin_id", "district_id", "is_synthetic")
PERSON_FIELDS = (
    "id",
    "household_id",
    "given_name",
    "family_name",
    "patronymic",
    "birth_date",
    "sex",
    "origin_id",
    "district_id",
    "is_synthetic",
)


@dataclass(frozen=True)
class Tier:
    """Households are drawn from ``settlements`` until ``persons`` persons exist in total."""

    persons: int
    settlements: Sequence[Settlement]
    cum_weights: Sequence[float]

    @classmethod
    def of(cls, persons: int, settlements: Sequence[Settlement]) -> Tier:
        weights = itertools.accumulate(max(settlement.population, 1) for settlement in settlements)
        return cls(persons=persons, settlements=settlements, cum_weights=list(weights))


@dataclass(frozen=True)
class Member:
    given_name: str
    family_name: str
    patronymic: str
    sex: str
    birth_date: dt.date


@dataclass(frozen=True)
class PlannedHousehold:
    reference: str
    origin: Settlement
    members: tuple[Member, ...]

    @property
    def id(self) -> uuid.UUID:
        return demo_uuid("household", self.reference)

    def person_id(self, index: int) -> uuid.UUID:
        return demo_uuid("person", self.reference, index)


def household_reference(number: int) -> str:
    """The reference of the ``number``-th demo household (from 1)."""
    return f"{HOUSEHOLD_REFERENCE_PREFIX}{number:07d}"


def _birth_date(rng: random.Random, age: int) -> dt.date:
    return AGE_REFERENCE_DATE - dt.timedelta(days=int(age * 365.25) + rng.randrange(365))


def _other(sex: str) -> str:
    return FEMALE if sex == MALE else MALE


def _members(rng: random.Random, bank: NameBank, size: int) -> list[tuple[str, str, str, str, int]]:
    family = bank.family_name(rng)
    head_sex = MALE if rng.random() < (0.75 if size > 1 else 0.5) else FEMALE
    head_age = rng.randint(25, MAX_AGE) if size == 1 else rng.randint(22, 80)
    head_given = bank.given_name(rng, head_sex)
    members = [
        (
            head_given,
            family.for_sex(head_sex),
            bank.patronymic(bank.given_name(rng, MALE), head_sex),
            head_sex,
            head_age,
        )
    ]
    father = head_given if head_sex == MALE else ""
    youngest_parent = head_age
    if size >= 2 and rng.random() < 0.85:
        sex = _other(head_sex)
        age = min(MAX_AGE, max(ADULT_AGE, head_age + rng.randint(-6, 6)))
        own_family = family if rng.random() < 0.6 else bank.family_name(rng)
        given = bank.given_name(rng, sex)
        members.append((given, own_family.for_sex(sex), bank.patronymic(bank.given_name(rng, MALE), sex), sex, age))
        father = father or given
        youngest_parent = min(head_age, age)
    father = father or bank.given_name(rng, MALE)
    while len(members) < size:
        sex = rng.choice((MALE, FEMALE))
        if youngest_parent > ADULT_AGE and rng.random() < 0.85:
            age = rng.randint(0, min(youngest_parent - ADULT_AGE, 45))
            members.append((bank.given_name(rng, sex), family.for_sex(sex), bank.patronymic(father, sex), sex, age))
        else:
            age = min(MAX_AGE, head_age + rng.randint(18, 30)) if head_age <= 70 else head_age + rng.randint(-8, 0)
            members.append(
                (
                    bank.given_name(rng, sex),
                    family.for_sex(sex),
                    bank.patronymic(bank.given_name(rng, MALE), sex),
                    sex,
                    age,
                )
            )
    return members


def plan_households(bank: NameBank, tiers: Sequence[Tier], seed: str) -> Iterator[PlannedHousehold]:
    """Households in order, until the last tier's count of persons is reached exactly."""
    rng = random.Random(seed)
    persons = 0
    number = 0
    for tier in tiers:
        while persons < tier.persons:
            number += 1
            drawn = rng.choices(HOUSEHOLD_SIZES, cum_weights=HOUSEHOLD_SIZE_CUM_WEIGHTS)[0]
            size = min(drawn, tier.persons - persons)
            origin = rng.choices(tier.settlements, cum_weights=tier.cum_weights)[0]
            members = tuple(
                Member(given, family, patronymic, sex, _birth_date(rng, age))
                for given, family, patronymic, sex, age in _members(rng, bank, size)
            )
            persons += size
            yield PlannedHousehold(household_reference(number), origin, members)


def _already_loaded(chunk: Sequence[PlannedHousehold]) -> bool:
    first, last = chunk[0], chunk[-1]
    keys = [first.person_id(0), last.person_id(len(last.members) - 1)]
    households = existing_values(Household, "id", [first.id, last.id])
    return len(households) == 2 and len(existing_values(Person, "id", keys)) == 2


def _write(chunk: Sequence[PlannedHousehold]) -> None:
    if _already_loaded(chunk):
        return
    households: list[tuple[object, ...]] = []
    persons: list[tuple[object, ...]] = []
    for planned in chunk:
        household_id, origin = planned.id, planned.origin
        households.append((household_id, planned.reference, origin.id, origin.district_id, True))
        persons.extend(
            (
                planned.person_id(index),
                household_id,
                member.given_name,
                member.family_name,
                member.patronymic,
                member.birth_date,
                SEX_VALUES[member.sex],
                origin.id,
                origin.district_id,
                True,
            )
            for index, member in enumerate(planned.members)
        )
    insert_rows(Household, HOUSEHOLD_FIELDS, households)
    insert_rows(Person, PERSON_FIELDS, persons)


@dataclass(frozen=True)
class PeopleCounts:
    """How many households and persons one run created, and how many households each tier has."""

    households: int
    persons: int
    tier_households: tuple[int, ...]


def load_people(bank: NameBank, tiers: Sequence[Tier], seed: str, scale: str, progress: Progress) -> PeopleCounts:
    """Create the households and persons of ``tiers`` not loaded yet, in one transaction.

    Returns how many households and persons were created, and how many households the tiers
    up to each one hold (households 1 to that number). Inserts go in chunks of about
    ``BATCH_SIZE`` persons, so memory stays flat however many persons there are. Meanwhile
    the garbage collector rests and SQLite gets a roomier page cache: see :mod:`homeward.demo.bulk`.
    """
    target = tiers[-1].persons
    households = Household.objects.filter(reference__startswith=HOUSEHOLD_REFERENCE_PREFIX)
    persons = Person.objects.filter(is_synthetic=True)
    tier_households: list[int] = []
    with gc_paused(), roomy_cache(Person), transaction.atomic():
        households_before, persons_before = households.count(), persons.count()
        chunk: list[PlannedHousehold] = []
        chunk_persons = 0
        done = 0
        planned_persons = 0
        for planned_households, planned in enumerate(plan_households(bank, tiers, seed), start=1):
            planned_persons += len(planned.members)
            while len(tier_households) < len(tiers) and planned_persons >= tiers[len(tier_households)].persons:
                tier_households.append(planned_households)
            chunk.append(planned)
            chunk_persons += len(planned.members)
            if chunk_persons >= BATCH_SIZE:
                _write(chunk)
                done += chunk_persons
                progress(STEP, done, target)
                chunk, chunk_persons = [], 0
        if chunk:
            _write(chunk)
            done += chunk_persons
        progress(STEP, done, target)
        created_households = households.count() - households_before
        created_persons = persons.count() - persons_before
        record_bulk_load(Household, created_households, scale)
        record_bulk_load(Person, created_persons, scale)
    return PeopleCounts(created_households, created_persons, tuple(tier_households))
