"""Every write to the registry: persons, their names, identity documents, contacts and consent.

Each function runs in one transaction and checks everything before it keeps anything: bad input
raises :class:`RegistryInputError` naming the field, and nothing is written. Records are saved
through ``BaseModel.save``, so each gets its audit entry, with names, document numbers and contacts
redacted. ``actor`` is the user acting (checked against the permission policy and their districts),
or ``None`` for the system itself (imports, the command line).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.core.context import acting_as, current
from homeward.core.permissions import Action, require
from homeward.engines.matching.scripts import detect_script
from homeward.places.choices import PlaceLevel
from homeward.places.selectors import places_by_ids
from homeward.registry.choices import ConsentPurpose, ContactKind, DocumentType, NameKind, Sex
from homeward.registry.contact_values import InvalidContact, normalise_contact
from homeward.registry.document_rules import canonical_number, document_rules
from homeward.registry.inputs import (
    ConsentInput,
    ContactInput,
    DocumentInput,
    NameInput,
    PartialDate,
    PersonInput,
)
from homeward.registry.models import ConsentRecord, Contact, Household, IdentityDocument, Person, PersonName

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
SCRIPT_CODE = re.compile(r"^[A-Z][a-z]{3}$")


class RegistryInputError(Exception):
    """Input the registry refuses; ``field`` names the field at fault (``documents[1].number``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@contextmanager
def _acting(actor: Any) -> Iterator[None]:
    """Attribute the saves inside to ``actor`` (for created_by and the audit log), keeping the
    request's origin and address, when the caller has not already done so."""
    context = current()
    if actor is None or getattr(context.actor, "pk", None) == actor.pk:
        yield
        return
    with acting_as(actor, origin=context.origin, ip_address=context.ip_address, user_agent=context.user_agent):
        yield


def _authorise(actor: Any, action: Action, target: Any) -> None:
    if actor is not None:
        require(actor, action, target)


def _text(field: str, value: str, *, max_length: int, required: bool = False) -> str:
    text = " ".join(value.split())
    if required and not text:
        raise RegistryInputError(field, _("this field is required"))
    if len(text) > max_length:
        raise RegistryInputError(field, _("at most %(n)d characters") % {"n": max_length})
    return text


def _choice(field: str, value: str, choices: Any) -> str:
    if value not in choices.values:
        raise RegistryInputError(
            field, _("%(value)r is not one of %(known)s") % {"value": value, "known": ", ".join(choices.values)}
        )
    return value


def _not_future(field: str, value: dt.date | None, message: str) -> None:
    if value is not None and value > timezone.localdate():
        raise RegistryInputError(field, message)


def _moment(field: str, value: dt.datetime | None) -> dt.datetime:
    if value is None:
        return timezone.now()
    if timezone.is_naive(value):
        raise RegistryInputError(field, _("a time needs its time zone"))
    if value > timezone.now():
        raise RegistryInputError(field, _("cannot be in the future"))
    return value


# --- persons ---------------------------------------------------------------------------------


def _birth_date(value: PartialDate | dt.date | None) -> tuple[dt.date | None, str]:
    if value is None:
        return None, Person._meta.get_field("birth_date_precision").get_default()
    partial = value if isinstance(value, PartialDate) else PartialDate.of(value)
    try:
        first_day = partial.first_day()
    except ValueError:
        raise RegistryInputError("birth_date", _("this is not a date")) from None
    # A partial date is in the future when even its first possible day is.
    _not_future("birth_date", first_day, _("a date of birth cannot be in the future"))
    return first_day, partial.precision


def _places(data: PersonInput) -> dict[str, Any]:
    wanted = {"district": data.district_id, "origin": data.origin_id, "place_of_birth": data.place_of_birth_id}
    found = places_by_ids([str(value) for value in wanted.values() if value is not None])
    places: dict[str, Any] = {}
    for field, value in wanted.items():
        if value is None:
            places[field] = None
            continue
        place = found.get(str(value))
        if place is None:
            raise RegistryInputError(field, _("no place has the id %(id)s") % {"id": value})
        places[field] = place
    if places["district"] is None:
        raise RegistryInputError("district", _("this field is required"))
    if places["district"].level != PlaceLevel.DISTRICT:
        raise RegistryInputError("district", _("%(name)s is not a district") % {"name": places["district"].name})
    return places


def create_person(actor: Any, data: PersonInput) -> Person:
    """Register a person, with any names, documents, contacts and consent given, all or nothing."""
    birth_date, precision = _birth_date(data.birth_date)
    places = _places(data)
    household = None
    if data.household_id is not None:
        household = Household.objects.filter(pk=data.household_id).first()
        if household is None:
            raise RegistryInputError("household", _("no household has the id %(id)s") % {"id": data.household_id})
    person = Person(
        given_name=_text("given_name", data.given_name, max_length=100, required=True),
        family_name=_text("family_name", data.family_name, max_length=100, required=True),
        patronymic=_text("patronymic", data.patronymic, max_length=100),
        birth_date=birth_date,
        birth_date_precision=precision,
        sex=_choice("sex", data.sex, Sex),
        household=household,
        district=places["district"],
        origin=places["origin"],
        place_of_birth=places["place_of_birth"],
        place_of_birth_text=_text("place_of_birth_text", data.place_of_birth_text, max_length=200),
        father_name=_text("father_name", data.father_name, max_length=200),
        mother_name=_text("mother_name", data.mother_name, max_length=200),
        is_synthetic=data.is_synthetic,
    )
    _authorise(actor, Action.CREATE, person)
    with _acting(actor), transaction.atomic():
        person.save()
        for index, name in enumerate(data.names):
            _add_name(person, name, prefix=f"names[{index}].")
        for index, document in enumerate(data.documents):
            _add_document(person, document, prefix=f"documents[{index}].")
        for index, contact in enumerate(data.contacts):
            _add_contact(person, contact, prefix=f"contacts[{index}].")
        for index, consent in enumerate(data.consents):
            _record_consent(person, consent, prefix=f"consents[{index}].")
    return person


# --- names -----------------------------------------------------------------------------------


def _add_name(person: Person, data: NameInput, *, prefix: str = "") -> PersonName:
    kind = _choice(f"{prefix}kind", data.kind, NameKind)
    value = _text(f"{prefix}value", data.value, max_length=200, required=True)
    language = data.language.strip()
    if not LANGUAGE_CODE.fullmatch(language):
        raise RegistryInputError(f"{prefix}language", _("give a language code such as az, hy, ru or en"))
    script = data.script.strip() or detect_script(value) or ""
    if not script:
        raise RegistryInputError(
            f"{prefix}script", _("the script could not be told from the letters; give an ISO 15924 code such as Latn")
        )
    if not SCRIPT_CODE.fullmatch(script):
        raise RegistryInputError(f"{prefix}script", _("give an ISO 15924 code such as Latn, Armn or Cyrl"))
    if PersonName.objects.filter(person=person, kind=kind, language=language, script=script, value=value).exists():
        raise RegistryInputError(f"{prefix}value", _("this person already has this name"))
    name = PersonName(person=person, kind=kind, value=value, language=language, script=script)
    name.save()
    return name


def add_name(actor: Any, person: Person, data: NameInput) -> PersonName:
    """Record another spelling of one of ``person``'s names, in a language and script."""
    _authorise(actor, Action.CHANGE, person)
    with _acting(actor), transaction.atomic():
        return _add_name(person, data)


# --- identity documents ----------------------------------------------------------------------


def _number_taken(document_type: str, number: str) -> bool:
    hashed = IdentityDocument._meta.get_field("number_hash").hash_of(number)  # type: ignore[union-attr]
    return IdentityDocument.objects.filter(document_type=document_type, number_hash=hashed).exists()


def _add_document(person: Person, data: DocumentInput, *, prefix: str = "") -> IdentityDocument:
    document_type = _choice(f"{prefix}document_type", data.document_type, DocumentType)
    number = canonical_number(data.number)
    if not number:
        raise RegistryInputError(f"{prefix}number", _("this field is required"))
    rule = document_rules()[document_type]
    if not rule.accepts(number):
        raise RegistryInputError(
            f"{prefix}number",
            _("this is not a valid %(type)s number: expected %(rule)s")
            % {"type": DocumentType(document_type).label, "rule": rule.description},
        )
    _not_future(f"{prefix}issued_on", data.issued_on, _("a document cannot be issued in the future"))
    if data.issued_on and data.expires_on and data.expires_on < data.issued_on:
        raise RegistryInputError(f"{prefix}expires_on", _("a document cannot expire before it was issued"))
    taken = _("a %(type)s with this number is already registered") % {"type": DocumentType(document_type).label}
    if _number_taken(document_type, number):
        raise RegistryInputError(f"{prefix}number", taken)
    document = IdentityDocument(
        person=person,
        document_type=document_type,
        number=number,
        issuer=_text(f"{prefix}issuer", data.issuer, max_length=200),
        issued_on=data.issued_on,
        expires_on=data.expires_on,
    )
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        # Registered meanwhile by someone else: the unique constraint on the hash caught it.
        raise RegistryInputError(f"{prefix}number", taken) from None
    return document


def add_identity_document(actor: Any, person: Person, data: DocumentInput) -> IdentityDocument:
    """Record an identity document; its number must match its type's rule and be new within its type."""
    _authorise(actor, Action.CHANGE, person)
    with _acting(actor), transaction.atomic():
        return _add_document(person, data)


# --- contacts --------------------------------------------------------------------------------


def _add_contact(person: Person, data: ContactInput, *, prefix: str = "") -> Contact:
    kind = _choice(f"{prefix}kind", data.kind, ContactKind)
    try:
        value = normalise_contact(kind, data.value)
    except InvalidContact as error:
        raise RegistryInputError(f"{prefix}value", str(error)) from None
    hashed = Contact._meta.get_field("value_hash").hash_of(value)  # type: ignore[union-attr]
    if Contact.objects.filter(person=person, kind=kind, value_hash=hashed).exists():
        raise RegistryInputError(f"{prefix}value", _("this person already has this contact"))
    contact = Contact(person=person, kind=kind, value=value)
    contact.save()
    return contact


def add_contact(actor: Any, person: Person, data: ContactInput) -> Contact:
    """Record a phone number (stored in E.164), e-mail or postal address."""
    _authorise(actor, Action.CHANGE, person)
    with _acting(actor), transaction.atomic():
        return _add_contact(person, data)


# --- consent ---------------------------------------------------------------------------------


def _record_consent(person: Person, data: ConsentInput, *, prefix: str = "") -> ConsentRecord:
    consent = ConsentRecord(
        person=person,
        purpose=_choice(f"{prefix}purpose", data.purpose, ConsentPurpose),
        agreed=_text(f"{prefix}agreed", data.agreed, max_length=4000, required=True),
        given_at=_moment(f"{prefix}given_at", data.given_at),
    )
    consent.save()
    return consent


def record_consent(actor: Any, person: Person, data: ConsentInput) -> ConsentRecord:
    """Record what ``person`` agreed to, for which purpose, and when (default: now)."""
    _authorise(actor, Action.CHANGE, person)
    with _acting(actor), transaction.atomic():
        return _record_consent(person, data)


def withdraw_consent(actor: Any, consent: ConsentRecord, *, at: dt.datetime | None = None) -> ConsentRecord:
    """Mark consent withdrawn (default: now). The record is kept, showing when it was given and withdrawn."""
    _authorise(actor, Action.CHANGE, consent.person)
    withdrawn_at = _moment("withdrawn_at", at)
    if consent.withdrawn_at is not None:
        raise RegistryInputError("withdrawn_at", _("this consent was already withdrawn"))
    if withdrawn_at < consent.given_at:
        raise RegistryInputError("withdrawn_at", _("consent cannot be withdrawn before it was given"))
    with _acting(actor), transaction.atomic():
        consent.withdrawn_at = withdrawn_at
        consent.save(update_fields=["withdrawn_at"])
    return consent
