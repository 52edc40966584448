"""Who is the applicant? Candidates among registered persons, each with the reasons it was found.

:class:`IdentityMatcher` is the interface: anything that turns an applicant's data into ranked
:class:`Candidate` s can replace the default. :class:`RegistryNameMatcher` compares names exactly and
normalised (Unicode NFKC, case-folded, diacritics stripped, spaces collapsed) together with the birth
date. It does not transliterate between scripts (Əliyev / Алиев / Ալիև are different names to it) and
does not compare normalised names without a birth date; a later matcher may.

The registry's ``Person`` is queried here directly for now; the query will move behind a registry
selector once the registry offers one.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import connections, router
from django.db.models import QuerySet

from homeward.registry.models import Person

EXACT_NAME_AND_BIRTH_DATE = "exact name and birth date"
SAME_NORMALISED_NAME_AND_BIRTH_DATE = "same normalised name and birth date"
EXACT_NAME = "exact name"
DIFFERENT_BIRTH_DATE = "different birth date"
NO_BIRTH_DATE_TO_COMPARE = "no birth date to compare"

_STRENGTH = {EXACT_NAME_AND_BIRTH_DATE: 3, SAME_NORMALISED_NAME_AND_BIRTH_DATE: 2, EXACT_NAME: 1}


@dataclass(frozen=True)
class ApplicantData:
    """The applicant as they described themselves."""

    given_name: str
    family_name: str
    patronymic: str = ""
    birth_date: dt.date | None = None


@dataclass(frozen=True)
class Candidate:
    """A registered person who may be the applicant, and why they were found (strongest reason first)."""

    person_id: uuid.UUID
    reasons: tuple[str, ...]
    strength: int = field(default=0, compare=False)

    def as_evidence(self) -> dict[str, Any]:
        return {"person": str(self.person_id), "reasons": list(self.reasons)}


class IdentityMatcher(Protocol):
    def candidates(self, applicant: ApplicantData) -> list[Candidate]:
        """Registered persons who may be ``applicant``, strongest first."""
        ...


def normalise_name(text: str) -> str:
    """The name as compared: NFKC, case-folded, without diacritics, single spaces (``"  Şəki  İsa"``
    → ``"səki isa"``). Letters that are not a base letter with marks (ə, ı, Armenian, Cyrillic) stay."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    bare = "".join(ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch))
    return " ".join(unicodedata.normalize("NFKC", bare).split())


@dataclass(frozen=True)
class _Registered:
    """The fields of a registered person the comparison reads (fetched alone, not whole persons)."""

    pk: uuid.UUID
    given_name: str
    family_name: str
    patronymic: str
    birth_date: dt.date | None


_FIELDS = ("pk", "given_name", "family_name", "patronymic", "birth_date")


def _names_agree(applicant: ApplicantData, person: _Registered, compare: Any) -> bool:
    if compare(applicant.given_name) != compare(person.given_name):
        return False
    if compare(applicant.family_name) != compare(person.family_name):
        return False
    # A patronymic given on one side only does not tell the two apart.
    if applicant.patronymic and person.patronymic:
        return bool(compare(applicant.patronymic) == compare(person.patronymic))
    return True


def _exact(text: str) -> str:
    return text.strip()


class RegistryNameMatcher:
    """Exact and normalised name with birth date, and exact name alone, over registered persons.

    ``persons`` narrows the search (to the persons a user may see); by default every person.
    """

    def __init__(self, persons: QuerySet[Person] | None = None, *, limit: int = 20) -> None:
        self._persons = persons
        self._limit = limit

    def _registered(self, applicant: ApplicantData) -> tuple[list[_Registered], list[_Registered]]:
        """The persons born on the applicant's birth date, and (at most twice the limit, by key) those
        with their exact given and family name."""
        given, family = applicant.given_name.strip(), applicant.family_name.strip()
        if self._persons is None:
            # Every submission asks this of the whole registry: one statement, its text built once.
            return _unscoped_registered(applicant.birth_date, given, family, self._limit * 2)
        born: list[_Registered] = []
        if applicant.birth_date is not None:
            born_that_day = self._persons.filter(birth_date=applicant.birth_date).order_by("pk")
            born = [_Registered(*row) for row in born_that_day.values_list(*_FIELDS)]
        same_name = self._persons.filter(given_name=given, family_name=family).order_by("pk")
        return born, [_Registered(*row) for row in same_name.values_list(*_FIELDS)[: self._limit * 2]]

    def candidates(self, applicant: ApplicantData) -> list[Candidate]:
        found: dict[uuid.UUID, list[str]] = {}
        born_that_day, same_name = self._registered(applicant)
        for person in born_that_day:
            if _names_agree(applicant, person, _exact):
                found[person.pk] = [EXACT_NAME_AND_BIRTH_DATE]
            elif _names_agree(applicant, person, normalise_name):
                found[person.pk] = [SAME_NORMALISED_NAME_AND_BIRTH_DATE]
        for person in same_name:
            if person.pk in found or not _names_agree(applicant, person, _exact):
                continue
            unknown = applicant.birth_date is None or person.birth_date is None
            found[person.pk] = [EXACT_NAME, NO_BIRTH_DATE_TO_COMPARE if unknown else DIFFERENT_BIRTH_DATE]
        ranked = sorted(
            (Candidate(pk, tuple(reasons), _STRENGTH[reasons[0]]) for pk, reasons in found.items()),
            key=lambda candidate: (-candidate.strength, str(candidate.person_id)),
        )
        return ranked[: self._limit]


def _unscoped_registered(
    birth_date: dt.date | None, given: str, family: str, limit: int
) -> tuple[list[_Registered], list[_Registered]]:
    connection = connections[router.db_for_read(Person)]
    born_date = connection.ops.adapt_datefield_value(birth_date)
    with connection.cursor() as cursor:
        cursor.execute(_unscoped_sql(connection.alias), [born_date, given, family, limit])
        rows = cursor.fetchall()
    convert = Person._meta.get_field("id").to_python
    born: list[_Registered] = []
    same_name: list[_Registered] = []
    for part, pk, given_name, family_name, patronymic, born_on in rows:
        if isinstance(born_on, str):
            born_on = dt.date.fromisoformat(born_on)  # SQLite
        registered = _Registered(convert(pk), given_name, family_name, patronymic, born_on)
        (born if part == 0 else same_name).append(registered)
    return born, same_name


@functools.cache
def _unscoped_sql(alias: str) -> str:
    """Both look-ups of :meth:`RegistryNameMatcher._registered` as one statement, tagged 0 and 1."""
    quote = connections[alias].ops.quote_name
    column = {field.name: quote(field.column) for field in Person._meta.concrete_fields}
    table = quote(Person._meta.db_table)
    columns = ", ".join(column[name] for name in ("id", *_FIELDS[1:]))
    key, birth_date, given, family = (column[name] for name in ("id", "birth_date", "given_name", "family_name"))
    return (
        f"SELECT 0, {columns} FROM {table} WHERE {birth_date} = %s "  # noqa: S608 - names from the model
        f"UNION ALL SELECT * FROM (SELECT 1, {columns} FROM {table} "
        f"WHERE {given} = %s AND {family} = %s ORDER BY {key} LIMIT %s) AS same_name"
    )


def new_person(applicant: ApplicantData, *, district_id: Any) -> Person:
    """Register the applicant as a new person, with the registry's own fields only (audited on save)."""
    person = Person(
        given_name=applicant.given_name.strip(),
        family_name=applicant.family_name.strip(),
        patronymic=applicant.patronymic.strip(),
        birth_date=applicant.birth_date,
        district_id=district_id,
    )
    person.save()
    return person


def person_model() -> type[Person]:
    """The registry's person model, for permission questions about creating one."""
    return Person
