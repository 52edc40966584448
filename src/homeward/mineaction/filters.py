"""Filters shared by the mine action list pages and API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from ninja import Schema


class HazardFilter(Schema):
    status: str = ""
    classification: str = ""
    district: str = ""
    eo_type: str = ""
    q: str = ""

    def apply(self, hazards: QuerySet[Any]) -> QuerySet[Any]:
        if self.status:
            hazards = hazards.filter(status=self.status)
        if self.classification:
            hazards = hazards.filter(classification=self.classification)
        if self.district:
            hazards = hazards.filter(district__code=self.district)
        if self.eo_type:
            # JSON list membership that works on SQLite and PostgreSQL alike.
            hazards = hazards.filter(eo_types__icontains=f'"{self.eo_type}"')
        if self.q:
            hazards = hazards.filter(
                Q(external_id__icontains=self.q) | Q(name__icontains=self.q) | Q(place__name__icontains=self.q)
            )
        return hazards.order_by("external_id")


class IncidentFilter(Schema):
    district: str = ""
    device_type: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    def apply(self, incidents: QuerySet[Any]) -> QuerySet[Any]:
        if self.district:
            incidents = incidents.filter(district__code=self.district)
        if self.device_type:
            incidents = incidents.filter(device_type=self.device_type)
        if self.since:
            incidents = incidents.filter(occurred_on__gte=self.since)
        if self.until:
            incidents = incidents.filter(occurred_on__lte=self.until)
        return incidents.order_by("-occurred_on", "external_id")
