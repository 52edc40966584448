"""Recovery vocabulary: what a settlement needs working, and the projects that restore it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceKind(models.TextChoices):
    WATER = "water", _("Water")
    ELECTRICITY = "electricity", _("Electricity")
    GAS = "gas", _("Gas")
    HEATING = "heating", _("Heating")
    ROAD_ACCESS = "road_access", _("Road access")
    MOBILE_COVERAGE = "mobile_coverage", _("Mobile coverage")
    SCHOOL = "school", _("School")
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    HEALTH_POST = "health_post", _("Health post")


class ServiceStatus(models.TextChoices):
    WORKING = "working", _("Working")
    PARTIAL = "partial", _("Partly working")
    NOT_WORKING = "not_working", _("Not working")
    UNKNOWN = "unknown", _("Unknown")


class Sector(models.TextChoices):
    WATER = "water", _("Water and sanitation")
    ENERGY = "energy", _("Electricity and gas")
    HEATING = "heating", _("Heating")
    ROADS = "roads", _("Roads and bridges")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    HOUSING = "housing", _("Housing")
    TELECOM = "telecom", _("Telecommunications")
    DEMINING = "demining", _("Mine action")
    OTHER = "other", _("Other")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UNDER_WAY = "under_way", _("Under way")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses whose planned end still counts for a forecast.
ACTIVE_PROJECT_STATUSES = frozenset({ProjectStatus.PLANNED, ProjectStatus.UNDER_WAY, ProjectStatus.SUSPENDED})

HOUSING = "housing"


class RestoreKind(models.TextChoices):
    """What a project brings back: a service of a settlement, or habitable housing units."""

    WATER = "water", _("Water")
    ELECTRICITY = "electricity", _("Electricity")
    GAS = "gas", _("Gas")
    HEATING = "heating", _("Heating")
    ROAD_ACCESS = "road_access", _("Road access")
    MOBILE_COVERAGE = "mobile_coverage", _("Mobile coverage")
    SCHOOL = "school", _("School")
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    HEALTH_POST = "health_post", _("Health post")
    HOUSING = "housing", _("Habitable housing units")
