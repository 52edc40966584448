"""Reads of the gazetteer."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from homeward.core.permissions import Action, require
from homeward.places.choices import PlaceLevel
from homeward.places.models import Place, PlaceName


def places_for(user: Any, *, level: str = "", district: str = "", query: str = "") -> QuerySet[Place]:
    require(user, Action.VIEW, Place)
    places = Place.objects.select_related("district").prefetch_related(
        Prefetch("names", queryset=PlaceName.objects.order_by("language", "kind"))
    )
    if level:
        places = places.filter(level=level)
    if district:
        places = places.filter(district__code=district)
    if query:
        places = places.filter(Q(name__icontains=query) | Q(names__text__icontains=query)).distinct()
    return places.order_by("district__name", "name")


def districts_for(user: Any) -> QuerySet[Place]:
    require(user, Action.VIEW, Place)
    return Place.objects.filter(level=PlaceLevel.DISTRICT).order_by("name")


def count_places(user: Any, level: str) -> int:
    return Place.objects.filter(level=level).count()
