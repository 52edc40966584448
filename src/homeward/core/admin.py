"""Admin integration: every admin permission question goes to core.permissions.may."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from homeward.core import audit
from homeward.core.models import AuditEntry
from homeward.core.permissions import Action, may
from homeward.core.versioning import StaleObjectError


class VersionedFormMixin(forms.Form):
    """Carries the row version the editor saw, so a stale save is refused, not applied."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    instance: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            self.fields["seen_version"].initial = self.instance.row_version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        seen = cleaned.get("seen_version")
        if self.instance.pk is not None and seen is not None:
            self.instance.row_version = seen
        return cleaned


class VersionedForm(VersionedFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    pass


class HomewardModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form: type[forms.ModelForm[Any]] = VersionedForm
    readonly_fields: ClassVar[list[str] | tuple[str, ...]] = (
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "row_version",
    )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may(request.user, Action.VIEW, self.model)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request.user, Action.VIEW, obj if obj is not None else self.model)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return may(request.user, Action.CREATE, self.model)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request.user, Action.CHANGE, obj if obj is not None else self.model)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request.user, Action.DELETE, obj if obj is not None else self.model)

    def changeform_view(
        self, request: HttpRequest, object_id: Any = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        try:
            response = super().changeform_view(request, object_id, form_url, extra_context)
        except StaleObjectError as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.path)
        if object_id and request.method == "GET" and getattr(self.model, "holds_personal_data", False):
            obj = self.get_object(request, object_id)
            if obj is not None:
                audit.record_read(obj, purpose="admin view", actor=request.user)
        return response


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("sequence", "at", "actor_label", "action", "object_type", "object_label", "ip_address")
    list_filter = ("action", "origin")
    search_fields = ("object_id", "actor_label", "object_type")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may(request.user, Action.VIEW, AuditEntry)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request.user, Action.VIEW, AuditEntry)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin.site.site_header = "Homeward"
admin.site.site_title = "Homeward"


class ReadOnlyAdmin(HomewardModelAdmin):
    """For records whose writes must go through a domain service (history, derived data, tasks)."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
