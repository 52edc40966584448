from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from homeward.core.admin import HomewardModelAdmin
from homeward.registry import selectors
from homeward.registry.models import Household, Person


@admin.register(Person)
class PersonAdmin(HomewardModelAdmin):
    list_display = ("family_name", "given_name", "birth_date", "district", "is_synthetic")
    list_filter = ("is_synthetic", "sex")
    raw_id_fields = ("household", "origin", "district")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.persons_visible_to(request.user)


@admin.register(Household)
class HouseholdAdmin(HomewardModelAdmin):
    list_display = ("reference", "origin", "district", "is_synthetic")
    raw_id_fields = ("origin", "district")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.households_visible_to(request.user)
