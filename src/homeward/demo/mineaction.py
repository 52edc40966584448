"""Synthetic mine action data around the demo settlements: hazardous areas, land release, incidents.

Every row is marked ``is_synthetic`` and has an external id starting ``SYN-``; the
organisations are invented. Rows go in through the bulk path of :mod:`homeward.demo.bulk`, with
the fields the services would derive (area, perimeter, envelope, released and remaining area,
status, history) worked out here for all areas at once; the stored figures are then recomputed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from typing import Any

from django.db import models, transaction

from homeward.demo.bulk import LOOKUP_CHUNK, existing_values, gc_paused, insert_rows, record_bulk_load
from homeward.demo.hazard_plans import PlannedArea, Release, Site, hazard_count, plan_areas, plan_release
from homeward.demo.hazard_shapes import measure_outlines
from homeward.demo.incident_plans import INCIDENT_SOURCE, PlannedIncident, plan_incidents
from homeward.demo.keys import demo_uuid
from homeward.demo.places import Gazetteer, Settlement
from homeward.demo.scales import Scale
from homeward.mineaction import figures
from homeward.mineaction.choices import StateCause
from homeward.mineaction.models import (
    CasualtyCount,
    DeviceFind,
    HazardousArea,
    HazardousAreaState,
    Incident,
    InputsVersion,
    LandReleaseActivity,
    PlaceFigures,
)
from homeward.places.choices import PlaceLevel
from homeward.places.models import Place

Progress = Callable[[str, int, int], None]
ScaleTier = tuple[Scale, Sequence[Settlement]]

STEP = "Mine action"
# Hazardous areas per settlement, on average, at each scale; towns count twice. Never smaller
# for a larger scale, so that it keeps the areas of the smaller ones.
HAZARDS_PER_SETTLEMENT = {"small": 1.3, "district": 2.85, "national": 4.1}
# States are stamped at noon UTC, which is the same calendar day from UTC-12 to UTC+12.
STATE_TIME = dt.time(12, 0, tzinfo=dt.UTC)
STATE_BATCH = 2_000
AREA_FIELDS = (
    "id",
    "external_id",
    "name",
    "classification",
    "status",
    "eo_types",
    "geometry",
    "min_lon",
    "min_lat",
    "max_lon",
    "max_lat",
    "area_m2",
    "perimeter_m",
    "released_m2",
    "remaining_m2",
    "place_id",
    "district_id",
    "recorded_on",
    "status_changed_on",
    "survey_reference",
    "organisation",
    "is_synthetic",
)
ACTIVITY_FIELDS = (
    "id",
    "external_id",
    "hazardous_area_id",
    "method",
    "organisation",
    "started_on",
    "completed_on",
    "area_cancelled_m2",
    "area_reduced_m2",
    "area_cleared_m2",
    "beneficiaries_women",
    "beneficiaries_men",
    "beneficiaries_girls",
    "beneficiaries_boys",
    "is_synthetic",
)
DEVICE_FIELDS = (
    "id",
    "activity_id",
    "eo_type",
    "model",
    "depth_cm",
    "condition",
    "quantity_found",
    "quantity_destroyed",
)
INCIDENT_FIELDS = (
    "id",
    "external_id",
    "occurred_on",
    "latitude",
    "longitude",
    "place_id",
    "district_id",
    "device_type",
    "activity_at_time",
    "source",
    "is_synthetic",
)
COUNTED: tuple[type[models.Model], ...] = (
    HazardousArea,
    HazardousAreaState,
    LandReleaseActivity,
    DeviceFind,
    Incident,
    CasualtyCount,
)


@dataclass(frozen=True)
class MineActionCounts:
    """How many rows of each mine action model one run created."""

    hazardous_areas: int = 0
    area_states: int = 0
    release_activities: int = 0
    devices: int = 0
    incidents: int = 0
    casualty_counts: int = 0

    @property
    def created(self) -> int:
        return sum(getattr(self, field.name) for field in fields(self))


def _sites(settlements: Sequence[Settlement]) -> list[Site]:
    """The settlements with their names and points, in the order given; those without a point are left out."""
    ids = [settlement.id for settlement in settlements]
    found: dict[uuid.UUID, tuple[str, float | None, float | None]] = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        rows = Place.objects.filter(id__in=ids[start : start + LOOKUP_CHUNK]).values_list(
            "id", "name", "longitude", "latitude"
        )
        found.update((pk, (name, lon, lat)) for pk, name, lon, lat in rows)
    sites = []
    for settlement in settlements:
        name, lon, lat = found.get(settlement.id, ("", None, None))
        if lon is not None and lat is not None:
            sites.append(Site(settlement, name, lon, lat))
    return sites


def _per_settlement(scale: Scale) -> float:
    return HAZARDS_PER_SETTLEMENT.get(scale.name, max(HAZARDS_PER_SETTLEMENT.values()))


def _areas_by_tier(
    seed: str, tiers: Sequence[ScaleTier], areas: Sequence[PlannedArea], gazetteer: Gazetteer
) -> list[tuple[str, dict[str, list[PlannedArea]]]]:
    """For each tier, ``(scale name, {district code: the areas that scale has there})``.

    ``areas`` are those of the largest scale; a smaller one has the first few of each settlement's.
    """
    by_site: dict[str, list[PlannedArea]] = defaultdict(list)
    for area in areas:
        by_site[area.site.settlement.code].append(area)
    district_codes = {district_id: code for code, district_id in gazetteer.district_ids.items()}
    result = []
    for scale, settlements in tiers:
        per_settlement = _per_settlement(scale)
        by_district: dict[str, list[PlannedArea]] = defaultdict(list)
        for settlement in settlements:
            count = hazard_count(seed, settlement, per_settlement)
            by_district[district_codes[settlement.district_id]].extend(by_site[settlement.code][:count])
        result.append((scale.name, {code: found for code, found in by_district.items() if found}))
    return result


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, STATE_TIME)


def _area_row(
    area: PlannedArea, release: Release, wkb: bytes, bounds: Any, size: float, perimeter: float
) -> tuple[Any, ...]:
    return (
        area.id,
        area.external_id,
        area.name,
        str(area.classification),
        str(release.status),
        list(area.eo_types),
        wkb,
        *(float(value) for value in bounds),
        size,
        perimeter,
        release.released_m2,
        release.remaining_m2,
        area.site.settlement.id,
        area.site.settlement.district_id,
        area.recorded_on,
        release.status_changed_on,
        f"Demo baseline survey {area.recorded_on.year}",
        area.organisation,
        True,
    )


def _states(area: PlannedArea, release: Release, wkb: bytes, size: float) -> Iterator[HazardousAreaState]:
    starts = [_noon(state.valid_from) for state in release.states]
    for index, state in enumerate(release.states):
        activity = None if state.activity is None else release.activities[state.activity].id
        yield HazardousAreaState(
            area_id=area.id,
            valid_from=starts[index],
            valid_to=starts[index + 1] if index + 1 < len(starts) else None,
            classification=str(area.classification),
            status=str(state.status),
            geometry=wkb,
            area_m2=size,
            remaining_m2=state.remaining_m2,
            cause=StateCause.RECORDED if activity is None else StateCause.RELEASE,
            activity_id=activity,
        )


def _write_areas(seed: str, areas: Sequence[PlannedArea]) -> None:
    """Insert ``areas`` with their activities, devices found and history."""
    measures = measure_outlines([area.outline for area in areas])
    area_rows: list[tuple[Any, ...]] = []
    activity_rows: list[tuple[Any, ...]] = []
    device_rows: list[tuple[Any, ...]] = []
    states: list[HazardousAreaState] = []
    for index, area in enumerate(areas):
        size, perimeter = float(measures.areas_m2[index]), float(measures.perimeters_m[index])
        wkb = measures.wkb[index]
        release = plan_release(seed, area, size)
        area_rows.append(_area_row(area, release, wkb, measures.bounds[index], size, perimeter))
        for activity in release.activities:
            activity_rows.append(
                (
                    activity.id,
                    activity.external_id,
                    area.id,
                    str(activity.method),
                    activity.organisation,
                    activity.started_on,
                    activity.completed_on,
                    activity.area_cancelled_m2,
                    activity.area_reduced_m2,
                    activity.area_cleared_m2,
                    *activity.beneficiaries,
                    True,
                )
            )
            device_rows.extend(
                (
                    demo_uuid("devicefind", activity.external_id, number),
                    activity.id,
                    str(device.eo_type),
                    device.model,
                    device.depth_cm,
                    str(device.condition),
                    device.quantity_found,
                    device.quantity_destroyed,
                )
                for number, device in enumerate(activity.devices)
            )
        states.extend(_states(area, release, wkb, size))
    insert_rows(HazardousArea, AREA_FIELDS, area_rows)
    insert_rows(LandReleaseActivity, ACTIVITY_FIELDS, activity_rows)
    insert_rows(DeviceFind, DEVICE_FIELDS, device_rows)
    # History and casualty rows have auto-numbered keys, which only bulk_create leaves to the database.
    HazardousAreaState.objects.bulk_create(states, batch_size=STATE_BATCH)


def _write_incidents(incidents: Sequence[PlannedIncident]) -> None:
    rows = [
        (
            incident.id,
            incident.external_id,
            incident.occurred_on,
            incident.latitude,
            incident.longitude,
            incident.place_id,
            incident.district_id,
            incident.device_type,
            incident.activity_at_time,
            INCIDENT_SOURCE,
            True,
        )
        for incident in incidents
    ]
    insert_rows(Incident, INCIDENT_FIELDS, rows)
    CasualtyCount.objects.bulk_create(
        (
            CasualtyCount(incident_id=incident.id, sex=sex, age_band=age, outcome=outcome, count=count)
            for incident in incidents
            for sex, age, outcome, count in incident.casualties
        ),
        batch_size=STATE_BATCH,
    )


def _new(model: type[models.Model], planned: Sequence[Any]) -> list[Any]:
    """The planned rows whose external id is not in ``model``'s table yet."""
    existing = existing_values(model, "external_id", [row.external_id for row in planned])
    return [row for row in planned if row.external_id not in existing]


def _figures_current() -> bool:
    """Whether every settlement, district and the region has figures at the current inputs version."""
    version = InputsVersion.current()
    places = Place.objects.filter(level__in=[PlaceLevel.SETTLEMENT, PlaceLevel.DISTRICT]).count() + 1
    return PlaceFigures.objects.filter(inputs_version=version).count() == places


def load_mine_action(
    gazetteer: Gazetteer, tiers: Sequence[ScaleTier], seed: str, scale: Scale, progress: Progress
) -> MineActionCounts:
    """Create the demo's hazardous areas, land release and incidents that do not exist yet.

    ``tiers`` are ``(scale, its settlements)`` from the smallest scale to ``scale``. Areas,
    activities and incidents are matched by external id, so a second run creates nothing. The
    rows go in one transaction, with one ``bulk_load`` audit entry per model and one bump of
    the mine action inputs version; then the stored figures are recomputed, as the background
    task would, whenever anything was created or they are not current.
    """
    progress(STEP, 0, 3)
    sites = _sites(tiers[-1][1])
    areas = plan_areas(seed, sites, _per_settlement(scale))
    incidents = plan_incidents(seed, _areas_by_tier(seed, tiers, areas, gazetteer))
    progress(STEP, 1, 3)
    with gc_paused(), transaction.atomic():
        before = [model._default_manager.count() for model in COUNTED]
        _write_areas(seed, _new(HazardousArea, areas))
        _write_incidents(_new(Incident, incidents))
        created = [model._default_manager.count() - count for model, count in zip(COUNTED, before, strict=True)]
        for model, count in zip(COUNTED, created, strict=True):
            record_bulk_load(model, count, scale.name)
        if any(created):
            InputsVersion.bump()
    progress(STEP, 2, 3)
    if any(created) or not _figures_current():
        figures.recompute(None)
    progress(STEP, 3, 3)
    return MineActionCounts(*created)
