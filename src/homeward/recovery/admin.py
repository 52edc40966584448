"""Read-only admin views of recovery records: writes go through ``recovery.services`` so observations
stay append-only, projects are validated and readiness is recomputed."""

from django.contrib import admin

from homeward.core.admin import ReadOnlyAdmin
from homeward.recovery.models import HousingObservation, Project, ServiceObservation


@admin.register(ServiceObservation)
class ServiceObservationAdmin(ReadOnlyAdmin):
    list_display = ("settlement", "kind", "status", "observed_on", "source", "is_synthetic")
    list_filter = ("kind", "status", "is_synthetic")
    search_fields = ("settlement__name", "settlement__code")


@admin.register(HousingObservation)
class HousingObservationAdmin(ReadOnlyAdmin):
    list_display = ("settlement", "units_total", "units_damaged", "units_habitable", "observed_on", "is_synthetic")
    search_fields = ("settlement__name", "settlement__code")


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("external_id", "title", "sector", "status", "planned_end", "progress", "is_synthetic")
    list_filter = ("sector", "status", "is_synthetic")
    search_fields = ("external_id", "title")
    exclude = ("geometry",)
