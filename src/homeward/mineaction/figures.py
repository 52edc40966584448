"""Derived mine action figures per settlement, district and region, stored for pages to read.

Only the background task calls :func:`recompute`; pages and the API read the stored rows.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from homeward.mineaction.choices import OPEN_STATUSES, CasualtyOutcome, HazardClassification
from homeward.mineaction.models import (
    CasualtyCount,
    DeviceFind,
    HazardousArea,
    Incident,
    InputsVersion,
    LandReleaseActivity,
    MonthlyFigures,
    PlaceFigures,
)
from homeward.places import selectors as places

_FIGURE_FIELDS = (
    "open_areas",
    "sha_count",
    "cha_count",
    "remaining_m2",
    "cancelled_m2",
    "reduced_m2",
    "cleared_m2",
    "devices_destroyed",
    "incidents",
    "killed",
    "injured",
)
_MONTH_FIELDS = ("cancelled_m2", "reduced_m2", "cleared_m2", "incidents", "casualties")


def _zero() -> dict[str, float]:
    return dict.fromkeys(_FIGURE_FIELDS, 0)


def _month_zero() -> dict[str, float]:
    return dict.fromkeys(_MONTH_FIELDS, 0)


class _Tally:
    """Figures keyed by place id, gathered from a few grouped queries."""

    def __init__(self) -> None:
        self.totals: dict[Any, dict[str, float]] = defaultdict(_zero)
        self.months: dict[tuple[Any, Any], dict[str, float]] = defaultdict(_month_zero)

    def gather(self, key: str, areas: Any, activities: Any, incidents: Any) -> None:
        open_ = Q(status__in=list(OPEN_STATUSES))
        for row in areas.values(key).annotate(
            open_areas=Count("id", filter=open_),
            sha=Count("id", filter=open_ & Q(classification=HazardClassification.SHA)),
            cha=Count("id", filter=open_ & Q(classification=HazardClassification.CHA)),
            remaining=Coalesce(Sum("remaining_m2", filter=open_), 0.0),
        ):
            figures = self.totals[row[key]]
            figures.update(open_areas=row["open_areas"], sha_count=row["sha"], cha_count=row["cha"])
            figures["remaining_m2"] = row["remaining"]
        area_key = f"hazardous_area__{key}"
        for row in activities.values(area_key).annotate(
            cancelled=Sum("area_cancelled_m2"), reduced=Sum("area_reduced_m2"), cleared=Sum("area_cleared_m2")
        ):
            figures = self.totals[row[area_key]]
            figures.update(cancelled_m2=row["cancelled"], reduced_m2=row["reduced"], cleared_m2=row["cleared"])
        device_key = f"activity__hazardous_area__{key}"
        for row in (
            DeviceFind.objects.filter(activity__in=activities).values(device_key).annotate(n=Sum("quantity_destroyed"))
        ):
            self.totals[row[device_key]]["devices_destroyed"] = row["n"]
        for row in incidents.values(key).annotate(n=Count("id")):
            self.totals[row[key]]["incidents"] = row["n"]
        casualty_key = f"incident__{key}"
        for row in (
            CasualtyCount.objects.filter(incident__in=incidents)
            .values(casualty_key)
            .annotate(
                killed=Sum("count", filter=Q(outcome=CasualtyOutcome.KILLED)),
                injured=Sum("count", filter=Q(outcome=CasualtyOutcome.INJURED)),
            )
        ):
            figures = self.totals[row[casualty_key]]
            figures.update(killed=row["killed"] or 0, injured=row["injured"] or 0)
        self._gather_months(key, activities, incidents)

    def _gather_months(self, key: str, activities: Any, incidents: Any) -> None:
        area_key = f"hazardous_area__{key}"
        for row in (
            activities.annotate(month=TruncMonth(Coalesce("completed_on", "started_on")))
            .values(area_key, "month")
            .annotate(
                cancelled=Sum("area_cancelled_m2"), reduced=Sum("area_reduced_m2"), cleared=Sum("area_cleared_m2")
            )
        ):
            month = self.months[(row[area_key], row["month"])]
            month.update(cancelled_m2=row["cancelled"], reduced_m2=row["reduced"], cleared_m2=row["cleared"])
        for row in (
            incidents.annotate(month=TruncMonth("occurred_on"))
            .values(key, "month")
            .annotate(n=Count("id", distinct=True), people=Coalesce(Sum("casualties__count"), 0))
        ):
            month = self.months[(row[key], row["month"])]
            month.update(incidents=row["n"], casualties=row["people"])


def _store(tally: _Tally, place_ids: Iterable[Any], version: int) -> None:
    place_ids = [p for p in place_ids if p is not None]
    wanted = set(place_ids)
    now = timezone.now()
    PlaceFigures.objects.filter(place__in=place_ids).delete()
    MonthlyFigures.objects.filter(place__in=place_ids).delete()
    PlaceFigures.objects.bulk_create(
        PlaceFigures(place_id=p, computed_at=now, inputs_version=version, **tally.totals.get(p, _zero()))
        for p in place_ids
    )
    MonthlyFigures.objects.bulk_create(
        MonthlyFigures(place_id=p, month=month, **values)
        for (p, month), values in sorted(tally.months.items(), key=lambda item: (str(item[0][0]), item[0][1]))
        if p in wanted and month is not None
    )


def recompute(district_ids: Iterable[Any] | None = None) -> int:
    """Recompute the figures of the given districts' settlements, the districts and the region.

    ``None`` recomputes every district. Returns how many places' figures were stored.
    """
    with transaction.atomic():
        version = InputsVersion.current()
        areas = HazardousArea.objects.all()
        activities = LandReleaseActivity.objects.all()
        incidents = Incident.objects.all()
        districts = None if district_ids is None else [uuid.UUID(str(d)) for d in district_ids]
        if districts is not None:
            areas = areas.filter(district__in=districts)
            activities = activities.filter(hazardous_area__district__in=districts)
            incidents = incidents.filter(district__in=districts)
        tally = _Tally()
        tally.gather("place", areas, activities, incidents)
        tally.gather("district", areas, activities, incidents)
        settlements = places.settlements_of(districts)
        stored = list(settlements) + (list(districts) if districts is not None else _all_districts())
        _store(tally, stored, version)
        _fill_missing(version)
        region = places.region_place()
        if region is not None:
            everything = _Tally()
            everything.gather(
                "district__parent",
                HazardousArea.objects.all(),
                LandReleaseActivity.objects.all(),
                Incident.objects.all(),
            )
            merged = _Tally()
            for totals in everything.totals.values():
                for name, value in totals.items():
                    merged.totals[region.pk][name] += value or 0
            for (_, month), values in everything.months.items():
                for name, value in values.items():
                    merged.months[(region.pk, month)][name] += value or 0
            _store(merged, [region.pk], version)
            stored.append(region.pk)
        return len(stored)


def _fill_missing(version: int) -> None:
    """Zero figures for districts and settlements no write has touched yet: "nothing here" is a figure."""
    wanted = set(places.district_ids()) | set(places.settlements_of(None))
    missing = wanted - set(PlaceFigures.objects.values_list("place_id", flat=True))
    if missing:
        now = timezone.now()
        PlaceFigures.objects.bulk_create(
            (PlaceFigures(place_id=p, computed_at=now, inputs_version=version) for p in missing), batch_size=2_000
        )


def _all_districts() -> list[Any]:
    return places.district_ids()
