"""The registry as the demo's applications see it: who a registered applicant is, and which
registered persons each submission finds, as :func:`~homeward.cases.services.submit_application`
would have found them.

Finding them the service's way costs two queries per application, a full scan of the persons each
at the national scale; here the registry is read once for every applicant, and the service's own
matcher runs over what was read (see :class:`PersonIndex`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import astuple, dataclass
from functools import cache
from operator import attrgetter
from typing import Any, cast

from django.db import connections, router
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from homeward.cases.identity import ApplicantData, RegistryNameMatcher, normalise_name
from homeward.demo.bulk import LOOKUP_CHUNK
from homeward.demo.casework_plans import ADULT_ON, NewApplicant, PlannedApplication, RegisteredApplicant, plain_letters
from homeward.demo.errors import DemoDataMissing
from homeward.demo.keys import demo_uuid
from homeward.demo.people import household_reference
from homeward.places.models import Place
from homeward.registry.models import Person

MAX_HOUSEHOLD_SIZE = 64
SCAN_BATCH = 20_000
Row = tuple[Any, ...]


@dataclass(frozen=True)
class Applicant:
    """The applicant as they wrote themselves down, where they come from, and who they are in the registry."""

    given_name: str
    family_name: str
    patronymic: str
    birth_date: dt.date | None
    district_id: uuid.UUID
    settlement_id: uuid.UUID
    person_id: uuid.UUID | None = None

    def as_data(self) -> ApplicantData:
        return ApplicantData(self.given_name, self.family_name, self.patronymic, self.birth_date)


def _members(households: Iterable[int]) -> dict[int, list[Row]]:
    """The persons of the given demo households, by household number, in the order they were generated."""
    numbers = {demo_uuid("household", household_reference(number)): number for number in set(households)}
    keys = list(numbers)
    found: dict[int, list[Row]] = defaultdict(list)
    for start in range(0, len(keys), LOOKUP_CHUNK):
        rows = Person.objects.filter(household_id__in=keys[start : start + LOOKUP_CHUNK]).values_list(
            "id", "household_id", "given_name", "family_name", "patronymic", "birth_date", "origin_id", "district_id"
        )
        for row in rows:
            found[numbers[row[1]]].append(row)
    members: dict[int, list[Row]] = {}
    for number, persons in found.items():
        reference = household_reference(number)
        by_key = {person[0]: person for person in persons}
        ordered = members[number] = []
        for index in range(MAX_HOUSEHOLD_SIZE):
            person = by_key.get(demo_uuid("person", reference, index))
            if person is not None:
                ordered.append(person)
            if len(ordered) == len(persons):
                break
    return members


def _registered(plan: RegisteredApplicant, members: Sequence[Row]) -> Applicant:
    adults = [row for row in members if row[5] is not None and row[5] <= ADULT_ON] or list(members[:1])
    person = min(adults, key=lambda row: row[5]) if plan.oldest else adults[int(plan.pick * len(adults))]
    person_id, _, given, family, patronymic, birth_date, origin_id, district_id = person
    if plan.plain_letters:
        given, family, patronymic = plain_letters(given), plain_letters(family), plain_letters(patronymic)
    return Applicant(
        given_name=given,
        family_name=family,
        patronymic=patronymic,
        birth_date=birth_date if plan.gives_birth_date else None,
        district_id=district_id,
        settlement_id=origin_id or district_id,
        person_id=person_id,
    )


def applicants(planned: Sequence[PlannedApplication]) -> dict[int, Applicant]:
    """Each planned application's applicant, by application number; registered ones read from the registry.

    Raises :class:`DemoDataMissing` if a planned household is not in the registry.
    """
    households = [plan.applicant.household for plan in planned if isinstance(plan.applicant, RegisteredApplicant)]
    members = _members(households)
    found: dict[int, Applicant] = {}
    for plan in planned:
        wanted = plan.applicant
        if isinstance(wanted, NewApplicant):
            settlement = wanted.settlement
            found[plan.number] = Applicant(
                wanted.given_name,
                wanted.family_name,
                wanted.patronymic,
                wanted.birth_date,
                settlement.district_id,
                settlement.id,
            )
        elif wanted.household in members:
            found[plan.number] = _registered(wanted, members[wanted.household])
        else:
            raise DemoDataMissing(f"demo household {household_reference(wanted.household)} has not been loaded")
    return found


def place_names(ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The name of each place in ``ids``."""
    wanted = list(set(ids))
    names: dict[uuid.UUID, str] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        names.update(Place.objects.filter(id__in=wanted[start : start + LOOKUP_CHUNK]).values_list("id", "name"))
    return names


# --- the service's matcher over rows read once --------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    pk: uuid.UUID
    given_name: str
    family_name: str
    patronymic: str
    birth_date: dt.date | None


class _Rows:
    """A list of persons, in key order, that answers ``order_by("pk")``, ``values_list`` of the
    matcher's fields, slicing and iteration as a queryset would.

    ``complete`` is false when the list holds only the first persons of a longer answer: slicing
    beyond them is refused rather than answered short.
    """

    def __init__(self, rows: list[Any], *, complete: bool = True) -> None:
        self._rows = rows
        self._complete = complete

    def order_by(self, *names: str) -> _Rows:
        if names != ("pk",):
            raise NotImplementedError(f"the demo's person index cannot order by {names}")
        return self

    def values_list(self, *names: str) -> _Rows:
        if names != ("pk", "given_name", "family_name", "patronymic", "birth_date"):
            raise NotImplementedError(f"the demo's person index cannot give the fields {names}")
        return _Rows([astuple(row) for row in self._rows], complete=self._complete)

    def __getitem__(self, index: slice) -> list[PersonRow]:
        if not self._complete and (index.stop is None or index.stop > len(self._rows)):
            raise NotImplementedError(f"the demo's person index kept {len(self._rows)} persons of this name, not more")
        return self._rows[index]

    def __iter__(self) -> Iterator[PersonRow]:
        return iter(self._rows)


@cache
def _normalised(name: str) -> str:
    return normalise_name(name)


def _person(row: Row) -> PersonRow:
    key, given, family, patronymic, born = row
    if born is not None and not isinstance(born, dt.date):
        born = dt.date.fromisoformat(str(born))
    return PersonRow(key if isinstance(key, uuid.UUID) else uuid.UUID(str(key)), given, family, patronymic or "", born)


class PersonIndex:
    """Just enough of the person queryset for :class:`~homeward.cases.identity.RegistryNameMatcher`,
    read in one pass over the registry for many applicants: the persons born on an applicant's birth
    date whose names agree once normalised, and the first ``per_name`` persons by key with an
    applicant's exact names. Any other question is refused, so a change to the matcher shows up as
    an error rather than as different matches."""

    def __init__(self, applicants: Sequence[ApplicantData], *, per_name: int) -> None:
        self.per_name = per_name
        exact: set[tuple[str, str]] = set()
        born: dict[tuple[str, str], set[str]] = defaultdict(set)
        for applicant in applicants:
            exact.add((applicant.given_name.strip(), applicant.family_name.strip()))
            if applicant.birth_date is not None:
                normalised = (_normalised(applicant.given_name), _normalised(applicant.family_name))
                born[normalised].add(applicant.birth_date.isoformat())
        self.by_date: dict[dt.date, list[PersonRow]] = {}
        self.by_names: dict[tuple[str, str], list[PersonRow]] = {}
        self._scan(exact, born)

    def _scan(self, exact: set[tuple[str, str]], born: dict[tuple[str, str], set[str]]) -> None:
        # The persons grouped by name, each group in key order, so a name's first persons are its first
        # rows. The ORM's query runs on a plain cursor: a million rows skip the ORM's conversion of every
        # value, and the birth date comes as ISO text, which is all the comparison needs.
        ordered = Person.objects.order_by("given_name", "family_name", "pk")
        rows = ordered.annotate(born=Cast("birth_date", TextField()))
        sql, params = rows.values_list("id", "given_name", "family_name", "patronymic", "born").query.sql_with_params()
        by_date: dict[dt.date, list[PersonRow]] = defaultdict(list)
        given = family = None
        same: list[PersonRow] | None = None
        dates: set[str] | None = None
        with connections[router.db_for_read(Person)].cursor() as cursor:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(SCAN_BATCH):
                for row in batch:
                    if row[1] != given or row[2] != family:
                        given, family = row[1], row[2]
                        same = None
                        if (given, family) in exact:
                            same = self.by_names[given, family] = []
                        dates = born.get((_normalised(given), _normalised(family)))
                    if same is not None and len(same) < self.per_name:
                        same.append(_person(row))
                    if dates is not None and row[4] in dates:
                        person = _person(row)
                        by_date[cast(dt.date, person.birth_date)].append(person)
        self.by_date = {day: sorted(persons, key=attrgetter("pk")) for day, persons in by_date.items()}

    def filter(self, **lookups: Any) -> _Rows:
        if set(lookups) == {"birth_date"}:
            return _Rows(self.by_date.get(lookups["birth_date"], []))
        if set(lookups) == {"given_name", "family_name"}:
            rows = self.by_names.get((lookups["given_name"], lookups["family_name"]), [])
            return _Rows(rows, complete=len(rows) < self.per_name)
        raise NotImplementedError(f"the demo's person index cannot filter by {sorted(lookups)}")


def identity_evidence(applicants: Sequence[ApplicantData]) -> list[list[dict[str, Any]]]:
    """What the submission of each applicant stores as its identity candidates: the default matcher's
    findings among every registered person, for many applicants at once."""
    if not applicants:
        return []
    # The matcher looks at twice as many same-name persons as the candidates it returns.
    index = PersonIndex(applicants, per_name=2 * RegistryNameMatcher()._limit)
    matcher = RegistryNameMatcher(cast("QuerySet[Person]", index))
    return [[candidate.as_evidence() for candidate in matcher.candidates(applicant)] for applicant in applicants]
