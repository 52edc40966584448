"""The demo's mine action data: synthetic, plausible, and consistent with the services' rules."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import uuid
from collections import defaultdict

import pytest
import shapely
from django.db.models import Sum
from django.utils import timezone
from shapely.ops import nearest_points

from homeward.core.models import AuditAction, AuditEntry
from homeward.demo import load_demo
from homeward.demo.hazard_plans import DATA_UNTIL, Site, hazard_count, plan_areas, plan_release
from homeward.demo.hazard_shapes import measure_outlines
from homeward.demo.incident_plans import plan_incidents
from homeward.demo.mineaction import HAZARDS_PER_SETTLEMENT
from homeward.demo.names import load_name_bank
from homeward.demo.places import Settlement
from homeward.demo.region import load_region
from homeward.demo.scales import SCALES
from homeward.demo.towns import region_towns
from homeward.demo.villages import district_villages, village_counts
from homeward.engines.geo import areas_m2
from homeward.mineaction.choices import OPEN_STATUSES, HazardStatus, StateCause
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
from homeward.mineaction.selectors import hazard_state_at
from homeward.mineaction.services import RELEASE_TOLERANCE
from homeward.places.models import Place

KM_PER_DEGREE = 111.32
MODELS = (HazardousArea, HazardousAreaState, LandReleaseActivity, DeviceFind, Incident, CasualtyCount)


@pytest.fixture
def small(db):
    return load_demo("small")


def km_between(lon_a: float, lat_a: float, lon_b: float, lat_b: float) -> float:
    cos = math.cos(math.radians((lat_a + lat_b) / 2))
    return math.dist(
        (lon_a * cos * KM_PER_DEGREE, lat_a * KM_PER_DEGREE), (lon_b * cos * KM_PER_DEGREE, lat_b * KM_PER_DEGREE)
    )


def released_by_area() -> dict[uuid.UUID, float]:
    totals: dict[uuid.UUID, float] = defaultdict(float)
    for area_id, cancelled, reduced, cleared in LandReleaseActivity.objects.values_list(
        "hazardous_area", "area_cancelled_m2", "area_reduced_m2", "area_cleared_m2"
    ):
        totals[area_id] += cancelled + reduced + cleared
    return totals


def test_small_scale_loads_synthetic_areas_activities_and_incidents_with_syn_ids(small):
    counts = small.mine_action
    assert 90 <= counts.hazardous_areas == HazardousArea.objects.count() <= 150
    assert counts.release_activities == LandReleaseActivity.objects.count() > 0
    assert counts.incidents == Incident.objects.count() >= 11
    assert counts.devices == DeviceFind.objects.count() > 0
    for model, prefix in ((HazardousArea, "SYN-HA-"), (LandReleaseActivity, "SYN-LR-"), (Incident, "SYN-INC-")):
        assert not model.objects.filter(is_synthetic=False).exists()
        assert not model.objects.exclude(external_id__startswith=prefix).exists()
    organisations = {*HazardousArea.objects.values_list("organisation", flat=True)}
    organisations |= {*LandReleaseActivity.objects.values_list("organisation", flat=True)}
    assert organisations and all(name.startswith("Demo ") for name in organisations)
    assert {*HazardousArea.objects.values_list("classification", flat=True)} == {"sha", "cha"}
    assert {*HazardousArea.objects.values_list("status", flat=True)} == {"active", "in_progress", "released"}
    assert {*LandReleaseActivity.objects.values_list("method", flat=True)} == {"nts", "ts", "clearance"}
    assert set(Incident.objects.values_list("district__code", flat=True)) == set(
        Place.objects.filter(level="district").values_list("code", flat=True)
    )
    entries = {e.object_type: e.changes for e in AuditEntry.objects.filter(action=AuditAction.BULK_LOAD)}
    for model in MODELS:
        assert entries[model._meta.label_lower] == {"created": model.objects.count(), "scale": "small"}


def test_every_polygon_is_valid_measured_and_within_a_few_km_of_its_settlement(small):
    areas = list(HazardousArea.objects.select_related("place", "district"))
    shapes = [area.shape for area in areas]
    assert all(shape.geom_type == "Polygon" and shape.is_valid for shape in shapes)
    assert all(shapely.is_ccw(shape.exterior) and 6 <= len(shape.exterior.coords) - 1 <= 24 for shape in shapes)
    for area, shape, size in zip(areas, shapes, areas_m2(shapes), strict=True):
        assert area.area_m2 == pytest.approx(size) and 1_500 <= size <= 2_500_000
        assert (area.min_lon, area.min_lat, area.max_lon, area.max_lat) == pytest.approx(shape.bounds)
        assert area.perimeter_m > 0 and area.eo_types == sorted(set(area.eo_types)) and area.eo_types
        assert area.place.level == "settlement" and area.district_id == area.place.district_id
        nearest = nearest_points(shape, shapely.Point(area.place.longitude, area.place.latitude))[0]
        assert km_between(nearest.x, nearest.y, area.place.longitude, area.place.latitude) <= 5
    covering = [
        a for a, s in zip(areas, shapes, strict=True) if s.covers(shapely.Point(a.place.longitude, a.place.latitude))
    ]
    assert 0 < len(covering) < len(areas) / 4


def test_remaining_area_and_status_follow_the_services_rules(small):
    released = released_by_area()
    for area in HazardousArea.objects.all():
        total = released.get(area.pk, 0.0)
        assert total <= area.area_m2
        assert area.released_m2 == pytest.approx(total)
        assert area.remaining_m2 == pytest.approx(max(0.0, area.area_m2 - total))
        if area.pk not in released:
            assert (area.status, area.status_changed_on) == (HazardStatus.ACTIVE, None)
        elif area.remaining_m2 <= area.area_m2 * RELEASE_TOLERANCE:
            assert area.status == HazardStatus.RELEASED and area.status_changed_on is not None
        else:
            assert area.status == HazardStatus.IN_PROGRESS and area.status_changed_on is not None
    for activity in LandReleaseActivity.objects.select_related("hazardous_area"):
        assert activity.hazardous_area.recorded_on < activity.started_on
        assert dt.date(2021, 1, 1) <= activity.started_on <= DATA_UNTIL
        assert activity.completed_on is None or activity.started_on <= activity.completed_on <= DATA_UNTIL
        assert min(activity.beneficiaries_women, activity.beneficiaries_men) >= 0
    assert LandReleaseActivity.objects.filter(completed_on=None).exists()
    assert LandReleaseActivity.objects.aggregate(n=Sum("beneficiaries_girls"))["n"] > 0
    for device in DeviceFind.objects.all():
        assert device.quantity_found > 0 and device.quantity_destroyed <= device.quantity_found
        assert device.model and device.depth_cm is not None and device.depth_cm <= 100


def test_each_area_has_a_history_that_answers_as_it_was_on_a_date(small):
    states = defaultdict(list)
    for state in HazardousAreaState.objects.order_by("valid_from", "id"):
        states[state.area_id].append(state)
    activities = defaultdict(list)
    for activity in LandReleaseActivity.objects.order_by("started_on"):
        activities[activity.hazardous_area_id].append(activity)
    for area in HazardousArea.objects.all():
        history = states[area.pk]
        first, last = history[0], history[-1]
        assert (first.cause, first.status, first.remaining_m2) == (StateCause.RECORDED, "active", area.area_m2)
        assert first.valid_from.date() == area.recorded_on
        assert all(earlier.valid_to == later.valid_from for earlier, later in itertools.pairwise(history))
        assert all(state.cause == StateCause.RELEASE and state.activity_id for state in history[1:])
        assert last.valid_to is None and (last.status, last.remaining_m2) == (area.status, area.remaining_m2)
        assert len(history) - 1 <= len(activities[area.pk])
        assert bool(activities[area.pk]) == (len(history) > 1)
        assert all(bytes(state.geometry) == bytes(area.geometry) for state in history)
        before = timezone.make_aware(dt.datetime.combine(area.recorded_on, dt.time.min))
        assert hazard_state_at(area, before) is None
        assert hazard_state_at(area, first.valid_from) == first
        assert hazard_state_at(area, timezone.now()) == last


def test_a_second_run_creates_nothing_and_keeps_the_inputs_version(small):
    counts = [model.objects.count() for model in MODELS]
    version = InputsVersion.objects.get(id=1).version
    entries = AuditEntry.objects.count()
    again = load_demo("small")
    assert again.mine_action.created == 0 and again.created == 0
    assert [model.objects.count() for model in MODELS] == counts
    assert InputsVersion.objects.get(id=1).version == version
    assert AuditEntry.objects.count() == entries


def test_figures_are_current_for_the_region_and_every_district(small):
    version = InputsVersion.objects.get(id=1).version
    assert version >= 1
    region = Place.objects.get(level="country")
    open_areas = HazardousArea.objects.filter(status__in=list(OPEN_STATUSES))
    places = [(region, open_areas)] + [
        (district, open_areas.filter(district=district)) for district in Place.objects.filter(level="district")
    ]
    for place, areas in places:
        figures = PlaceFigures.objects.get(place=place)
        assert figures.inputs_version == version
        assert figures.open_areas == areas.count()
        assert figures.remaining_m2 == pytest.approx(sum(areas.values_list("remaining_m2", flat=True)))
    assert PlaceFigures.objects.get(place=region).incidents == Incident.objects.count()


def test_incidents_lie_in_the_past_near_an_area_with_counted_casualties(small):
    today = timezone.localdate()
    for incident in Incident.objects.select_related("place").prefetch_related("casualties"):
        assert dt.date(2020, 12, 1) <= incident.occurred_on <= min(DATA_UNTIL, today)
        assert incident.place.district_id == incident.district_id
        assert km_between(incident.longitude, incident.latitude, incident.place.longitude, incident.place.latitude) < 10
        assert sum(cell.count for cell in incident.casualties.all()) >= 1
    men = CasualtyCount.objects.filter(sex="male", age_band="18-59").aggregate(n=Sum("count"))["n"]
    assert men >= CasualtyCount.objects.aggregate(n=Sum("count"))["n"] / 4


def test_casualty_and_incident_tables_have_no_field_for_a_name():
    name_like = ("name", "surname", "patronymic", "person", "victim", "given", "family")
    for model in (CasualtyCount, Incident):
        for field in model._meta.get_fields():
            assert not any(word in field.name.lower() for word in name_like), f"{model.__name__}.{field.name}"


def test_a_larger_scale_keeps_the_areas_and_incidents_of_a_smaller_one():
    district = uuid.UUID(int=1)
    sites = [
        Site(Settlement(f"DEMO-AZ-TST-{n:04d}", uuid.UUID(int=100 + n), district, 300), f"V{n}", 46.5 + n / 50, 39.7)
        for n in range(12)
    ]
    few, many = plan_areas("seed", sites[:6], 1.3), plan_areas("seed", sites, 4.1)
    assert {area.external_id for area in few} <= {area.external_id for area in many}
    assert all(hazard_count("seed", s.settlement, 1.3) <= hazard_count("seed", s.settlement, 4.1) for s in sites)
    measured = measure_outlines([area.outline for area in many])
    assert [plan_release("seed", many[0], float(measured.areas_m2[0]))] == [
        plan_release("seed", many[0], float(measured.areas_m2[0]))
    ]
    smaller = plan_incidents("seed", [("small", {"AZ-TST": few})])
    larger = plan_incidents("seed", [("small", {"AZ-TST": few}), ("national", {"AZ-TST": many})])
    assert larger[: len(smaller)] == smaller and len(larger) >= len(smaller)


def test_the_national_scale_has_the_20000_polygons_the_readiness_benchmark_needs():
    region = load_region()
    bank = load_name_bank(region.name_bank)
    national = next(scale for scale in SCALES if scale.name == "national")
    counts = village_counts(region, national.villages)
    codes = [town.code for town in region_towns(region)]
    codes += [v.code for d in region.districts for v in district_villages(region, d, bank, counts[d.code])]
    nowhere = uuid.UUID(int=0)
    seed = f"homeward-demo:{region.key}:mineaction"
    per_settlement = HAZARDS_PER_SETTLEMENT["national"]
    total = sum(hazard_count(seed, Settlement(code, nowhere, nowhere, 0), per_settlement) for code in codes)
    assert 20_000 <= total <= 22_000
