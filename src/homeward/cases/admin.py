"""Casework in the admin. Configuration (services, offices, mobile teams, holidays) is edited here by
administrators; applications and everything that happens to them are read-only, because their writes
must go through ``cases.services`` (workflow, deadlines, audit)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from homeward.cases import selectors, services
from homeward.cases.models import (
    Application,
    ApplicationDocument,
    Decision,
    Escalation,
    Holiday,
    InformationRequest,
    InternalNote,
    Message,
    MobileTeam,
    Office,
    OriginalSeen,
    ServiceType,
    Transition,
)
from homeward.core.admin import HomewardModelAdmin, ReadOnlyAdmin, VersionedForm


class ConfigurationAdmin(HomewardModelAdmin):
    """Deployment configuration: administrators edit it (see ``services.may_configure``)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return services.may_configure(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return services.may_configure(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return services.may_configure(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return services.may_configure(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return services.may_configure(request.user)


@admin.register(ServiceType)
class ServiceTypeAdmin(ConfigurationAdmin):
    list_display = ("code", "name_en", "responsible_agency", "deadline_working_days", "is_active", "from_catalogue")
    list_filter = ("responsible_agency", "is_active", "from_catalogue")
    search_fields = ("code", "name_az", "name_hy", "name_ru", "name_en")


class OfficeForm(VersionedForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        agency = cleaned.get("agency")
        for name in ("members", "supervisors"):
            for user in cleaned.get(name) or []:
                if agency is not None and user.agency_id != agency.pk:
                    self.add_error(name, f"{user} works for another agency than {agency}")
        return cleaned


@admin.register(Office)
class OfficeAdmin(ConfigurationAdmin):
    form = OfficeForm
    list_display = ("name", "agency", "is_active")
    list_filter = ("agency", "is_active")
    search_fields = ("name",)
    filter_horizontal = ("districts", "services", "members", "supervisors")


@admin.register(MobileTeam)
class MobileTeamAdmin(ConfigurationAdmin):
    list_display = ("name", "office", "is_active")
    filter_horizontal = ("members",)


class HolidayForm(VersionedForm):
    class Meta:
        model = Holiday
        fields = ("date", "label", "kind")
        widgets = {"label": forms.TextInput(attrs={"size": 60})}


@admin.register(Holiday)
class HolidayAdmin(ConfigurationAdmin):
    form = HolidayForm
    list_display = ("date", "label", "kind")
    list_filter = ("kind",)

    def save_model(self, request: HttpRequest, obj: Holiday, form: Any, change: bool) -> None:
        services.save_holiday_instance(obj, actor=request.user)

    def delete_model(self, request: HttpRequest, obj: Holiday) -> None:
        services.delete_holiday(obj, actor=request.user)


class _ApplicationScoped(ReadOnlyAdmin):
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        visible = selectors.applications_visible_to(request.user)
        return super().get_queryset(request).filter(application__in=visible)


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("reference", "service", "state", "district", "office", "assignee", "due_on")
    list_filter = ("state", "service")
    search_fields = ("reference",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return selectors.applications_visible_to(request.user)


@admin.register(Transition)
class TransitionAdmin(_ApplicationScoped):
    list_display = ("application", "from_state", "to_state", "actor", "at")
    list_filter = ("to_state",)


@admin.register(Decision)
class DecisionAdmin(_ApplicationScoped):
    list_display = ("application", "outcome", "result", "decided_by", "decided_at")
    list_filter = ("outcome",)


@admin.register(Escalation)
class EscalationAdmin(_ApplicationScoped):
    list_display = ("application", "office", "escalated_to", "due_on", "escalated_at", "resolved_at")


@admin.register(InternalNote)
class InternalNoteAdmin(_ApplicationScoped):
    list_display = ("application", "author", "created_at")


@admin.register(Message)
class MessageAdmin(_ApplicationScoped):
    list_display = ("application", "direction", "author", "sent_at")


@admin.register(InformationRequest)
class InformationRequestAdmin(_ApplicationScoped):
    list_display = ("application", "requested_by", "requested_at", "answered_at")


@admin.register(ApplicationDocument)
class ApplicationDocumentAdmin(_ApplicationScoped):
    """Document records only: the files are downloaded through the casework pages, which audit it."""

    list_display = ("application", "document_type", "media_type", "size", "uploaded_by", "uploaded_at")
    list_filter = ("document_type", "media_type")
    exclude = ("original_filename", "note")


@admin.register(OriginalSeen)
class OriginalSeenAdmin(_ApplicationScoped):
    list_display = ("application", "document_type", "seen_by", "seen_at")
    list_filter = ("document_type",)
    exclude = ("note",)
