"""Reads of the registry. Lists are scoped to the user's districts; showing a person is audited."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from homeward.core import audit
from homeward.core.permissions import Action, may
from homeward.registry.models import Household, Person


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


def get_person_for_user(user: Any, person_id: uuid.UUID, *, purpose: str) -> Person:
    """The person, if within the user's scope (404 otherwise); the read is audited."""
    person = persons_visible_to(user).filter(pk=person_id).first()
    if person is None or not may(user, Action.VIEW, person):
        raise Http404
    audit.record_read(person, purpose=purpose, actor=user)
    return person


def record_list_read(user: Any, persons: list[Person], *, purpose: str) -> None:
    """Audit that a page of persons was shown: one entry naming every person on it."""
    audit.record_list_read(persons, object_type="registry.person", purpose=purpose, actor=user)
