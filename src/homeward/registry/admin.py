from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from homeward.core.admin import HomewardModelAdmin, ReadOnlyAdmin
from homeward.core.permissions import Action, may
from homeward.registry import selectors
from homeward.registry.models import ConsentRecord, Contact, Household, IdentityDocument, Person, PersonName


class _ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    """Shown with the person (whose view is audited); written only through the registry services,
    which check formats, duplicates and dates."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request.user, Action.VIEW, obj if obj is not None else Person)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PersonNameInline(_ReadOnlyInline):
    model = PersonName
    fields = ("kind", "value", "language", "script")


class IdentityDocumentInline(_ReadOnlyInline):
    model = IdentityDocument
    fields = ("document_type", "number", "issuer", "issued_on", "expires_on")


class ContactInline(_ReadOnlyInline):
    model = Contact
    fields = ("kind", "value")


class ConsentRecordInline(_ReadOnlyInline):
    model = ConsentRecord
    fields = ("purpose", "agreed", "given_at", "withdrawn_at")


@admin.register(Person)
class PersonAdmin(HomewardModelAdmin):
    list_display = ("family_name", "given_name", "birth_date", "district", "is_synthetic")
    list_filter = ("is_synthetic", "sex")
    raw_id_fields = ("household", "origin", "district", "place_of_birth")
    inlines = (PersonNameInline, IdentityDocumentInline, ContactInline, ConsentRecordInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.persons_visible_to(request.user)


@admin.register(Household)
class HouseholdAdmin(HomewardModelAdmin):
    list_display = ("reference", "origin", "district", "is_synthetic")
    raw_id_fields = ("origin", "district")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.households_visible_to(request.user)


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    """Consent is recorded and withdrawn through the registry services, and never deleted."""

    list_display = ("person", "purpose", "given_at", "withdrawn_at")
    list_filter = ("purpose",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.consents_visible_to(request.user)
