"""The names inputs use for service kinds, service statuses and project statuses."""

from __future__ import annotations

from enum import StrEnum


class ServiceKind(StrEnum):
    WATER = "water"
    ELECTRICITY = "electricity"
    GAS = "gas"
    HEATING = "heating"
    SCHOOL = "school"
    KINDERGARTEN = "kindergarten"
    HEALTH_POST = "health_post"
    ROAD_ACCESS = "road_access"
    MOBILE_COVERAGE = "mobile_coverage"


class ServiceStatus(StrEnum):
    WORKING = "working"
    PARTIAL = "partial"
    NOT_WORKING = "not_working"
    UNKNOWN = "unknown"


class ProjectStatus(StrEnum):
    PLANNED = "planned"
    ONGOING = "ongoing"
    SUSPENDED = "suspended"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


# What a project can restore: a service of a settlement, or habitable housing units.
HOUSING = "housing"
RESTORABLE_KINDS: frozenset[str] = frozenset({*ServiceKind, HOUSING})
# A suspended project has no end date anyone can plan on; a completed one shows in the services already.
FORECAST_STATUSES: frozenset[str] = frozenset({ProjectStatus.PLANNED, ProjectStatus.ONGOING})
