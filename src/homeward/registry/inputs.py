"""Values the registry services accept, whatever they came from (API, form, import)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field

from homeward.registry.choices import DatePrecision, Sex

# A place, by its id.
PlaceId = uuid.UUID | str
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass(frozen=True)
class PartialDate:
    """A date of which perhaps only the year, or the year and month, is known."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """``1980``, ``1980-05`` or ``1980-05-17``; ``ValueError`` for anything else."""
        match = _PARTIAL_DATE.fullmatch(text.strip())
        if match is None:
            raise ValueError(text)
        year, month, day = match.groups()
        return cls(int(year), int(month) if month else None, int(day) if day else None)

    @classmethod
    def of(cls, date: dt.date) -> PartialDate:
        return cls(date.year, date.month, date.day)

    @property
    def precision(self) -> DatePrecision:
        if self.month is None:
            return DatePrecision.YEAR
        if self.day is None:
            return DatePrecision.MONTH
        return DatePrecision.DAY

    def first_day(self) -> dt.date:
        """The earliest date the partial date can be; ``ValueError`` if it names no real date."""
        if self.day is not None and self.month is None:
            raise ValueError("a day without a month")
        return dt.date(self.year, self.month or 1, self.day or 1)


@dataclass(frozen=True)
class NameInput:
    """One spelling of a name; an empty ``script`` is detected from the letters."""

    kind: str
    value: str
    language: str
    script: str = ""


@dataclass(frozen=True)
class DocumentInput:
    document_type: str
    number: str
    issuer: str = ""
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None


@dataclass(frozen=True)
class ContactInput:
    kind: str
    value: str


@dataclass(frozen=True)
class ConsentInput:
    purpose: str
    agreed: str
    given_at: dt.datetime | None = None


@dataclass(frozen=True)
class PersonInput:
    """A new person: the names shown, the facts about them, and optionally everything else at once."""

    district_id: PlaceId
    given_name: str
    family_name: str
    patronymic: str = ""
    birth_date: PartialDate | dt.date | None = None
    sex: str = Sex.UNKNOWN
    origin_id: PlaceId | None = None
    household_id: uuid.UUID | str | None = None
    place_of_birth_id: PlaceId | None = None
    place_of_birth_text: str = ""
    father_name: str = ""
    mother_name: str = ""
    is_synthetic: bool = False
    names: tuple[NameInput, ...] = field(default_factory=tuple)
    documents: tuple[DocumentInput, ...] = field(default_factory=tuple)
    contacts: tuple[ContactInput, ...] = field(default_factory=tuple)
    consents: tuple[ConsentInput, ...] = field(default_factory=tuple)
