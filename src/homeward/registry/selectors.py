"""Reads of the registry. Lists are scoped to the user's districts; showing a person is audited."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from homeward.core import audit
from homeward.core.permissions import Action, may
from homeward.registry.choices import ContactKind
from homeward.registry.contact_values import normalise_phone
from homeward.registry.document_rules import canonical_number
from homeward.registry.models import ConsentRecord, Contact, Household, IdentityDocument, Person, PersonName


def _scoped(user: Any, queryset: QuerySet[Any], model: type) -> QuerySet[Any]:
    if not may(user, Action.VIEW, model):
        return queryset.none()
    if user.all_districts:
        return queryset
    return queryset.filter(district_id__in=user.district_ids)


def persons_visible_to(user: Any) -> QuerySet[Person]:
    return _scoped(user, Person.objects.select_related("district", "origin"), Person)


def households_visible_to(user: Any) -> QuerySet[Household]:
    return _scoped(user, Household.objects.all(), Household)


def _with_details(persons: QuerySet[Person]) -> QuerySet[Person]:
    return persons.select_related("place_of_birth").prefetch_related(
        Prefetch("names", queryset=PersonName.objects.order_by("kind", "language", "script", "value")),
        Prefetch("documents", queryset=IdentityDocument.objects.order_by("document_type", "issued_on", "created_at")),
        Prefetch("contacts", queryset=Contact.objects.order_by("kind", "created_at")),
        Prefetch("consents", queryset=ConsentRecord.objects.order_by("-given_at")),
    )


def get_person_for_user(user: Any, person_id: uuid.UUID, *, purpose: str, details: bool = False) -> Person:
    """The person, if within the user's scope (404 otherwise); the read is audited.

    With ``details``, names, documents, contacts and consent records come prefetched.
    """
    persons = persons_visible_to(user)
    if details:
        persons = _with_details(persons)
    person = persons.filter(pk=person_id).first()
    if person is None or not may(user, Action.VIEW, person):
        raise Http404
    audit.record_read(person, purpose=purpose, actor=user)
    return person


def record_list_read(user: Any, persons: list[Person], *, purpose: str) -> None:
    """Audit that a page of persons was shown: one entry naming every person on it."""
    audit.record_list_read(persons, object_type="registry.person", purpose=purpose, actor=user)


def find_by_document(user: Any, document_type: str, number: str, *, purpose: str) -> Person | None:
    """The person in the user's districts holding this document, found by the number's keyed hash.

    A holder outside the user's districts is not found, as if there were none. A find is audited.
    """
    field = IdentityDocument._meta.get_field("number_hash")
    hashed = field.hash_of(canonical_number(number))  # type: ignore[union-attr]
    holder_ids = IdentityDocument.objects.filter(document_type=document_type, number_hash=hashed).values("person_id")
    person = _with_details(persons_visible_to(user)).filter(pk__in=holder_ids).first()
    if person is not None:
        audit.record_read(person, purpose=purpose, actor=user)
    return person


def find_by_phone(user: Any, number: str, *, purpose: str) -> list[Person]:
    """The persons in the user's districts with this phone number (in any format the default region
    reads); :class:`InvalidContact` if it cannot be a phone number. A find is audited."""
    e164 = normalise_phone(number)
    hashed = Contact._meta.get_field("value_hash").hash_of(e164)  # type: ignore[union-attr]
    holder_ids = Contact.objects.filter(kind=ContactKind.PHONE, value_hash=hashed).values("person_id")
    persons = list(_with_details(persons_visible_to(user)).filter(pk__in=holder_ids).order_by("family_name", "id"))
    record_list_read(user, persons, purpose=purpose)
    return persons


def consents_visible_to(user: Any) -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.select_related("person").filter(person__in=persons_visible_to(user))


def consent_for_user(user: Any, consent_id: uuid.UUID) -> ConsentRecord:
    """A consent record of a person in the user's districts (404 otherwise)."""
    consent = consents_visible_to(user).filter(pk=consent_id).first()
    if consent is None:
        raise Http404
    return consent
