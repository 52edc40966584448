from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _

from homeward.accounts.models import Agency, ApiToken, User
from homeward.core.admin import HomewardModelAdmin, VersionedFormMixin


class VersionedUserChangeForm(VersionedFormMixin, UserChangeForm):  # type: ignore[type-arg]
    pass


@admin.register(Agency)
class AgencyAdmin(HomewardModelAdmin):
    list_display = ("name", "code", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")


@admin.register(User)
class UserAdmin(HomewardModelAdmin, DjangoUserAdmin):  # type: ignore[type-arg]
    form = VersionedUserChangeForm
    list_display = ("username", "get_full_name", "role", "agency", "all_districts", "is_active")
    list_filter = ("role", "agency", "is_active")
    filter_horizontal = ("districts",)
    fieldsets = (
        (None, {"fields": ("username", "password", "seen_version")}),
        (_("Person"), {"fields": ("first_name", "last_name", "email", "preferred_language")}),
        (_("Role and scope"), {"fields": ("role", "agency", "all_districts", "districts", "is_active")}),
        (_("Record"), {"fields": ("last_login", "date_joined", "created_at", "updated_at", "row_version")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2", "role", "agency", "all_districts", "districts")}),
    )
    readonly_fields = ("last_login", "date_joined", "created_at", "updated_at", "row_version")


@admin.register(ApiToken)
class ApiTokenAdmin(HomewardModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")
    list_filter = ("revoked_at",)
    fields = ("user", "name", "prefix", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = ("user", "name", "prefix", "last_used_at")

    def has_add_permission(self, request: object, *args: object) -> bool:
        return False
