"""Read-only admin views of mine action records.

Writes go through ``mineaction.services`` (imports, the API): a plain admin save would skip the
hazardous area's history, its derived areas and the figures task.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from homeward.core.admin import ReadOnlyAdmin
from homeward.mineaction.models import DeviceFind, HazardousArea, HazardousAreaState, Incident, LandReleaseActivity


class StateInline(admin.TabularInline):  # type: ignore[type-arg]
    model = HazardousAreaState
    extra = 0
    fields = ("valid_from", "valid_to", "classification", "status", "area_m2", "remaining_m2", "cause")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(HazardousArea)
class HazardousAreaAdmin(ReadOnlyAdmin):
    list_display = ("external_id", "name", "classification", "status", "district", "remaining_m2", "is_synthetic")
    list_filter = ("classification", "status", "is_synthetic")
    search_fields = ("external_id", "name")
    inlines = [StateInline]
    exclude = ("geometry",)


class DeviceInline(admin.TabularInline):  # type: ignore[type-arg]
    model = DeviceFind
    extra = 0
    fields = ("eo_type", "model", "depth_cm", "condition", "quantity_found", "quantity_destroyed")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LandReleaseActivity)
class LandReleaseActivityAdmin(ReadOnlyAdmin):
    list_display = ("external_id", "hazardous_area", "method", "started_on", "completed_on", "is_synthetic")
    list_filter = ("method", "is_synthetic")
    search_fields = ("external_id", "hazardous_area__external_id")
    inlines = [DeviceInline]
    exclude = ("geometry",)


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ("external_id", "occurred_on", "district", "device_type", "is_synthetic")
    list_filter = ("device_type", "is_synthetic")
    search_fields = ("external_id",)
