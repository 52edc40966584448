"""Every write of mine action data: hazardous areas, land release, incidents.

Each function runs in one transaction, keeps the hazardous area's history, bumps the inputs
version and, once committed, asks the figures task to recompute the districts it touched.
Single records are saved through ``BaseModel.save`` (optimistic locking, one audit entry each);
imports go through the ``import_*`` functions, which write in bulk and record one audit entry per
batch naming every record, so 10,000 polygons import in seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import shapely
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from homeward.core import audit, events
from homeward.core.audit import AuditAction
from homeward.core.bulk_insert import insert_new_rows
from homeward.core.context import current_actor
from homeward.core.import_fields import RowError
from homeward.core.imports import Rejection, WriteResult
from homeward.engines.geo import areas_m2, perimeters_m
from homeward.mineaction.choices import OPEN_STATUSES, HazardStatus, StateCause
from homeward.mineaction.inputs import HazardInput, IncidentInput, ReleaseInput
from homeward.mineaction.models import (
    CasualtyCount,
    DeviceFind,
    HazardousArea,
    HazardousAreaState,
    Incident,
    InputsVersion,
    LandReleaseActivity,
)
from homeward.places.selectors import SettlementLocator, settlement_locator

# Released area may exceed the surveyed polygon's computed area by this share (survey rounding).
RELEASE_TOLERANCE = 0.01
_HAZARD_FIELDS = (
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
    "remaining_m2",
    "place",
    "district",
    "recorded_on",
    "status_changed_on",
    "survey_reference",
    "organisation",
    "split_from",
    "is_synthetic",
)


class MineActionError(Exception):
    """A write that the domain's rules refuse; names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def bump_inputs_version(district_ids: Iterable[Any], hazard_ids: Iterable[Any] = ()) -> None:
    """Mark the figures of ``district_ids`` stale and recompute them after commit; tell whoever
    listens (readiness) which hazardous areas changed."""
    InputsVersion.bump()
    districts = sorted({str(d) for d in district_ids if d is not None})

    def enqueue() -> None:
        from homeward.mineaction.tasks import recompute_figures

        recompute_figures.enqueue(districts)

    transaction.on_commit(enqueue)
    changed = sorted({str(h) for h in hazard_ids})
    if changed:
        events.publish_on_commit(events.HAZARDS_CHANGED, hazard_ids=changed, district_ids=districts)


# --- hazardous areas -------------------------------------------------------------------------


def _locate(areas: Sequence[HazardousArea], locator: SettlementLocator) -> None:
    shapes = [area.shape for area in areas]
    points = shapely.point_on_surface(np.array(shapes, dtype=object))
    located = locator.locate(shapely.get_x(points).tolist(), shapely.get_y(points).tolist())
    for area, where in zip(areas, located, strict=True):
        area.place_id = where.settlement_id
        area.district_id = where.district_id


def _apply(area: HazardousArea, data: HazardInput, split_from: HazardousArea | None) -> None:
    if area.status != data.status:
        area.status_changed_on = timezone.localdate()
    area.name = data.name
    area.classification = data.classification
    area.status = data.status
    area.eo_types = sorted(set(data.eo_types))
    area.set_shape(data.geometry)
    area.recorded_on = data.recorded_on
    area.survey_reference = data.survey_reference
    area.organisation = data.organisation
    area.split_from = split_from
    area.is_synthetic = data.is_synthetic


def _measure(areas: Sequence[HazardousArea]) -> None:
    shapes = np.array([area.shape for area in areas], dtype=object)
    for area, size, perimeter in zip(areas, areas_m2(shapes), perimeters_m(shapes), strict=True):
        area.area_m2 = float(size)
        area.perimeter_m = float(perimeter)
        area.remaining_m2 = max(0.0, area.area_m2 - area.released_m2)


def _snapshot(area: HazardousArea) -> tuple[Any, ...]:
    geometry = None if area.geometry is None else bytes(area.geometry)
    return (
        area.name,
        area.classification,
        area.status,
        list(area.eo_types),
        geometry,
        area.recorded_on,
        area.survey_reference,
        area.organisation,
        area.split_from_id,
        area.is_synthetic,
    )


def _append_states(
    areas: Sequence[HazardousArea], cause: str, activities: Mapping[Any, LandReleaseActivity] | None = None
) -> None:
    """Close each area's current state and open a new one; the history is append-only.

    ``activities`` names, per area id, the land release activity that caused the change.
    """
    now = timezone.now()
    HazardousAreaState.objects.filter(area__in=[a.pk for a in areas], valid_to__isnull=True).update(valid_to=now)
    actor = current_actor()
    insert_new_rows(
        HazardousAreaState,
        [
            HazardousAreaState(
                area=area,
                valid_from=now,
                classification=area.classification,
                status=area.status,
                geometry=area.geometry,
                area_m2=area.area_m2,
                remaining_m2=area.remaining_m2,
                cause=cause,
                activity=(activities or {}).get(area.pk),
                recorded_by=actor,
            )
            for area in areas
        ],
    )


def _split_parents(inputs: Sequence[HazardInput]) -> dict[str, HazardousArea]:
    wanted = {data.split_from for data in inputs if data.split_from}
    found = {a.external_id: a for a in HazardousArea.objects.filter(external_id__in=wanted)}
    return found


def record_hazardous_area(data: HazardInput, *, seen_version: int | None = None) -> HazardousArea:
    """Create or update one hazardous area by external id; refuses a stale edit."""
    with transaction.atomic():
        area = HazardousArea.objects.filter(external_id=data.external_id).first()
        adding = area is None
        if area is None:
            area = HazardousArea(external_id=data.external_id)
        elif seen_version is not None:
            area.row_version = seen_version
        parents = _split_parents([data])
        if data.split_from and data.split_from not in parents:
            raise MineActionError("split_from", _("no hazardous area has the id %(id)s") % {"id": data.split_from})
        before = None if adding else _snapshot(area)
        previous = (area.classification, area.status)
        _apply(area, data, parents.get(data.split_from))
        _measure([area])
        _locate([area], settlement_locator())
        area.save()
        if adding or before != _snapshot(area):
            cause = StateCause.RECORDED if adding else StateCause.EDITED
            if not adding and previous[0] != area.classification:
                cause = StateCause.RECLASSIFIED
            _append_states([area], cause)
        bump_inputs_version([area.district_id], [area.pk])
        return area


def import_hazardous_areas(inputs: Sequence[HazardInput], *, locator: SettlementLocator) -> WriteResult:
    """Create or update a batch of areas by external id; unchanged ones are left alone."""
    existing = {a.external_id: a for a in HazardousArea.objects.filter(external_id__in=[d.external_id for d in inputs])}
    parents = _split_parents(inputs)
    rejections = tuple(
        Rejection(
            d.feature, "split_from", _("no hazardous area has the id %(id)s") % {"id": d.split_from}, d.external_id
        )
        for d in inputs
        if d.split_from and d.split_from not in parents
    )
    inputs = [d for d in inputs if not d.split_from or d.split_from in parents]
    created: list[HazardousArea] = []
    changed: list[HazardousArea] = []
    actor = current_actor()
    for data in inputs:
        area = existing.get(data.external_id)
        if area is None:
            area = HazardousArea(external_id=data.external_id, created_by=actor, updated_by=actor)
            _apply(area, data, parents.get(data.split_from))
            created.append(area)
            continue
        before = _snapshot(area)
        _apply(area, data, parents.get(data.split_from))
        if _snapshot(area) != before:
            area.row_version += 1
            area.updated_by = actor
            changed.append(area)
    touched = created + changed
    if touched:
        _measure(touched)
        old_districts = {a.district_id for a in changed}
        _locate(touched, locator)
        insert_new_rows(HazardousArea, created)
        if changed:
            now = timezone.now()
            for area in changed:
                area.updated_at = now
            HazardousArea.objects.bulk_update(
                changed, [*_HAZARD_FIELDS, "row_version", "updated_by", "updated_at"], batch_size=500
            )
        _append_states(created, StateCause.IMPORTED)
        _append_states(changed, StateCause.IMPORTED)
        _audit_batch(HazardousArea, created, changed)
        bump_inputs_version({a.district_id for a in touched} | old_districts, [a.pk for a in touched])
    return WriteResult(len(created), len(changed), len(inputs) - len(touched), rejections)


def _audit_batch(model: Any, created: Sequence[Any], changed: Sequence[Any]) -> None:
    for action, objects in ((AuditAction.CREATE, created), (AuditAction.UPDATE, changed)):
        if not objects:
            continue
        audit.record(
            AuditAction.IMPORT,
            object_type=model._meta.label_lower,
            object_label=_("%(count)d records") % {"count": len(objects)},
            changes={"action": str(action), "external_ids": [o.external_id for o in objects]},
        )


def split_hazardous_area(area: HazardousArea, parts: Sequence[HazardInput]) -> list[HazardousArea]:
    """Replace ``area`` by ``parts`` (a survey divided it); the original is kept as superseded."""
    if len(parts) < 2:
        raise MineActionError("parts", _("a split needs at least two parts"))
    with transaction.atomic():
        new_areas = [record_hazardous_area(replace(part, split_from=area.external_id)) for part in parts]
        area.status = HazardStatus.SUPERSEDED
        area.status_changed_on = timezone.localdate()
        area.save(update_fields=["status", "status_changed_on"])
        _append_states([area], StateCause.SPLIT)
        bump_inputs_version([area.district_id], [area.pk])
        return new_areas


# --- land release ----------------------------------------------------------------------------


def _refresh_release(areas: Iterable[HazardousArea]) -> list[HazardousArea]:
    """Recompute released and remaining area (and the status that follows) from the activities."""
    areas = list(areas)
    totals = dict(
        LandReleaseActivity.objects.filter(hazardous_area__in=[a.pk for a in areas])
        .values("hazardous_area")
        .annotate(total=Sum(F("area_cancelled_m2") + F("area_reduced_m2") + F("area_cleared_m2")))
        .values_list("hazardous_area", "total")
    )
    changed = []
    today = timezone.localdate()
    for area in areas:
        released = float(totals.get(area.pk) or 0.0)
        remaining = max(0.0, area.area_m2 - released)
        status = area.status
        if status in OPEN_STATUSES:
            status = (
                HazardStatus.RELEASED if remaining <= area.area_m2 * RELEASE_TOLERANCE else HazardStatus.IN_PROGRESS
            )
        if (released, remaining, status) != (area.released_m2, area.remaining_m2, area.status):
            if status != area.status:
                area.status_changed_on = today
            area.released_m2, area.remaining_m2, area.status = released, remaining, status
            changed.append(area)
    return changed


def _check_release(data: ReleaseInput, area: HazardousArea, already: float) -> None:
    if data.completed_on is not None and data.completed_on < data.started_on:
        raise RowError("completed_on", _("is before the start date %(date)s") % {"date": data.started_on})
    if data.started_on > timezone.localdate():
        raise RowError("started_on", _("is in the future"))
    if area.status == HazardStatus.SUPERSEDED:
        raise RowError("hazard_id", _("area %(id)s was superseded by a split") % {"id": area.external_id})
    limit = area.area_m2 * (1 + RELEASE_TOLERANCE)
    if already + data.released_m2 > limit:
        raise RowError(
            "area_cleared_m2",
            _("releases %(total).0f m² in all, more than the area's %(area).0f m²")
            % {"total": already + data.released_m2, "area": area.area_m2},
        )
    for device in data.devices:
        if device.quantity_destroyed > device.quantity_found:
            raise RowError("devices_destroyed", _("more devices destroyed than found"))


def record_release_activities(inputs: Sequence[ReleaseInput]) -> WriteResult:
    """Create or update land release activities by external id; refreshes their areas' remaining area.

    Rows that break a rule (more released than the area holds, an unknown area, dates out of
    order) come back as rejections and are not written.
    """
    areas = {
        a.external_id: a for a in HazardousArea.objects.filter(external_id__in=[d.hazard_external_id for d in inputs])
    }
    existing = {
        a.external_id: a for a in LandReleaseActivity.objects.filter(external_id__in=[d.external_id for d in inputs])
    }
    released = dict(
        LandReleaseActivity.objects.filter(hazardous_area__in=[a.pk for a in areas.values()])
        .exclude(external_id__in=[d.external_id for d in inputs])
        .values("hazardous_area")
        .annotate(total=Sum(F("area_cancelled_m2") + F("area_reduced_m2") + F("area_cleared_m2")))
        .values_list("hazardous_area", "total")
    )
    rejections: list[Rejection] = []
    created = updated = unchanged = 0
    touched: dict[Any, HazardousArea] = {}
    last_activity: dict[Any, LandReleaseActivity] = {}
    for data in inputs:
        area = areas.get(data.hazard_external_id)
        try:
            if area is None:
                raise RowError("hazard_id", _("no hazardous area has the id %(id)s") % {"id": data.hazard_external_id})
            _check_release(data, area, float(released.get(area.pk) or 0.0))
        except RowError as error:
            rejections.append(Rejection(data.feature, error.field, error.message, data.external_id))
            continue
        released[area.pk] = float(released.get(area.pk) or 0.0) + data.released_m2
        activity = existing.get(data.external_id) or LandReleaseActivity(external_id=data.external_id)
        adding = activity._state.adding
        values = _release_values(data, area)
        if not adding and all(getattr(activity, k) == v for k, v in values.items()) and not data.devices:
            unchanged += 1
            continue
        for key, value in values.items():
            setattr(activity, key, value)
        activity.set_shape(data.geometry)
        activity.save()
        if data.devices or not adding:
            activity.devices.all().delete()
            DeviceFind.objects.bulk_create(DeviceFind(activity=activity, **vars(device)) for device in data.devices)
        created += adding
        updated += not adding
        touched[area.pk] = area
        last_activity[area.pk] = activity
    if touched:
        changed = _refresh_release(touched.values())
        HazardousArea.objects.bulk_update(changed, ["released_m2", "remaining_m2", "status", "status_changed_on"])
        _append_states(changed, StateCause.RELEASE, last_activity)
        bump_inputs_version({a.district_id for a in touched.values()}, [a.pk for a in changed])
    return WriteResult(created, updated, unchanged, tuple(rejections))


def _release_values(data: ReleaseInput, area: HazardousArea) -> dict[str, Any]:
    return {
        "hazardous_area_id": area.pk,
        "method": data.method,
        "organisation": data.organisation,
        "started_on": data.started_on,
        "completed_on": data.completed_on,
        "area_cancelled_m2": data.area_cancelled_m2,
        "area_reduced_m2": data.area_reduced_m2,
        "area_cleared_m2": data.area_cleared_m2,
        "beneficiaries_women": data.beneficiaries_women,
        "beneficiaries_men": data.beneficiaries_men,
        "beneficiaries_girls": data.beneficiaries_girls,
        "beneficiaries_boys": data.beneficiaries_boys,
        "is_synthetic": data.is_synthetic,
    }


def record_release_activity(data: ReleaseInput) -> LandReleaseActivity:
    """Record one activity; raise :class:`MineActionError` naming the field if a rule is broken."""
    with transaction.atomic():
        rejections = record_release_activities([data]).rejected
        if rejections:
            raise MineActionError(rejections[0].field, rejections[0].reason)
        return LandReleaseActivity.objects.get(external_id=data.external_id)


# --- incidents -------------------------------------------------------------------------------


def record_incidents(inputs: Sequence[IncidentInput], *, locator: SettlementLocator) -> WriteResult:
    """Create or update incidents by external id, with their casualty counts (never names)."""
    today = timezone.localdate()
    rejections = [
        Rejection(d.feature, "date", _("is in the future"), d.external_id) for d in inputs if d.occurred_on > today
    ]
    inputs = [d for d in inputs if d.occurred_on <= today]
    existing = {i.external_id: i for i in Incident.objects.filter(external_id__in=[d.external_id for d in inputs])}
    located = locator.locate([d.longitude for d in inputs], [d.latitude for d in inputs])
    created = updated = unchanged = 0
    districts = set()
    for data, where in zip(inputs, located, strict=True):
        incident = existing.get(data.external_id) or Incident(external_id=data.external_id)
        adding = incident._state.adding
        values = {
            "occurred_on": data.occurred_on,
            "latitude": data.latitude,
            "longitude": data.longitude,
            "place_id": where.settlement_id,
            "district_id": where.district_id,
            "device_type": data.device_type,
            "activity_at_time": data.activity_at_time,
            "source": data.source,
            "is_synthetic": data.is_synthetic,
        }
        cells = sorted((c.sex, c.age_band, c.outcome, c.count) for c in data.casualties if c.count)
        if not adding:
            stored = sorted(incident.casualties.values_list("sex", "age_band", "outcome", "count"))
            if stored == cells and all(getattr(incident, k) == v for k, v in values.items()):
                unchanged += 1
                continue
            districts.add(incident.district_id)
        for key, value in values.items():
            setattr(incident, key, value)
        incident.save()
        incident.casualties.all().delete()
        CasualtyCount.objects.bulk_create(
            CasualtyCount(incident=incident, sex=s, age_band=a, outcome=o, count=n) for s, a, o, n in cells
        )
        districts.add(incident.district_id)
        created += adding
        updated += not adding
    if created or updated:
        bump_inputs_version(districts)
    return WriteResult(created, updated, unchanged, tuple(rejections))


def record_incident(data: IncidentInput) -> Incident:
    with transaction.atomic():
        rejections = record_incidents([data], locator=settlement_locator()).rejected
        if rejections:
            raise MineActionError(rejections[0].field, rejections[0].reason)
        return Incident.objects.get(external_id=data.external_id)
