"""Mine action writes: history, land release arithmetic, splits, optimistic locking, figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from homeward.core.context import acting_as
from homeward.core.versioning import StaleObjectError
from homeward.mineaction import figures, selectors, services
from homeward.mineaction.inputs import CasualtyInput, DeviceInput, HazardInput, IncidentInput, ReleaseInput
from homeward.mineaction.models import HazardousArea, InputsVersion, MonthlyFigures, PlaceFigures
from tests.mineaction.geodata import AGHDAM, LACHIN, place_world, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(world, personas):
    place_world(world)
    with acting_as(personas.analyst):
        yield world


def hazard(external_id: str = "HA-1", where: tuple[float, float] = AGHDAM, side: float = 100, **kw) -> HazardousArea:
    data = HazardInput(
        external_id=external_id,
        classification=kw.pop("classification", "cha"),
        geometry=square(*where, side),
        recorded_on=dt.date(2023, 1, 10),
        eo_types=("ap_mine",),
        **kw,
    )
    return services.record_hazardous_area(data)


def release(
    external_id: str,
    hazard_id: str,
    *,
    cleared: float = 0,
    cancelled: float = 0,
    method: str = "clearance",
    on: dt.date = dt.date(2024, 5, 1),
    devices: tuple[DeviceInput, ...] = (),
) -> ReleaseInput:
    return ReleaseInput(
        external_id=external_id,
        hazard_external_id=hazard_id,
        method=method,
        started_on=on,
        completed_on=on,
        area_cleared_m2=cleared,
        area_cancelled_m2=cancelled,
        devices=devices,
    )


def test_recorded_area_knows_its_size_settlement_and_first_state(placed):
    area = hazard()

    assert area.area_m2 == pytest.approx(10_000, rel=0.01)
    assert area.perimeter_m == pytest.approx(400, rel=0.01)
    assert (area.place, area.district) == (placed.aghdam_village, placed.aghdam)
    assert [s.cause for s in selectors.hazard_history(area)] == ["recorded"]


def test_releases_leave_a_remaining_area_and_finally_release_the_area(placed):
    area = hazard()
    services.record_release_activity(release("LR-1", "HA-1", cancelled=3000, method="nts"))
    area.refresh_from_db()
    assert (area.released_m2, area.status) == (3000, "in_progress")
    assert area.remaining_m2 == pytest.approx(area.area_m2 - 3000)

    services.record_release_activity(release("LR-2", "HA-1", cleared=area.remaining_m2))
    area.refresh_from_db()

    assert area.remaining_m2 == pytest.approx(0, abs=1e-6)
    assert area.status == "released"
    history = list(selectors.hazard_history(area))
    assert [s.status for s in history] == ["active", "in_progress", "released"]
    assert [s.activity.external_id if s.activity else None for s in history] == [None, "LR-1", "LR-2"]


def test_releasing_more_than_the_area_holds_is_refused_and_writes_nothing(placed):
    area = hazard()

    with pytest.raises(services.MineActionError) as refused:
        services.record_release_activity(release("LR-1", "HA-1", cleared=area.area_m2 * 1.5))

    assert refused.value.field == "area_cleared_m2"
    area.refresh_from_db()
    assert (area.released_m2, area.status, area.activities.count()) == (0, "active", 0)


def test_more_devices_destroyed_than_found_is_refused(placed):
    hazard()
    devices = (DeviceInput(eo_type="ap_mine", model="PMN-2", quantity_found=1, quantity_destroyed=2),)

    with pytest.raises(services.MineActionError, match="destroyed"):
        services.record_release_activity(release("LR-1", "HA-1", cleared=10, devices=devices))


def test_completion_before_start_is_refused(placed):
    hazard()
    data = ReleaseInput("LR-1", "HA-1", "clearance", started_on=dt.date(2024, 5, 1), completed_on=dt.date(2024, 4, 1))

    with pytest.raises(services.MineActionError) as refused:
        services.record_release_activity(data)
    assert refused.value.field == "completed_on"


def test_any_past_state_of_an_area_can_be_shown(placed):
    area = hazard(classification="sha")
    after_first = timezone.now()
    hazard(classification="cha")  # reclassified by a technical survey
    area.refresh_from_db()

    earlier = selectors.hazard_state_at(area, after_first)
    latest = selectors.hazard_state_at(area, timezone.now())

    assert (earlier.classification, latest.classification) == ("sha", "cha")
    assert latest.cause == "reclassified"
    assert selectors.hazard_state_at(area, after_first - dt.timedelta(days=1)) is None


def test_a_split_supersedes_the_area_and_keeps_the_parts_linked(placed):
    area = hazard(side=200)
    lon, lat = AGHDAM
    parts = [
        HazardInput("HA-1a", "cha", square(lon - 0.0005, lat, 90), dt.date(2024, 2, 1)),
        HazardInput("HA-1b", "sha", square(lon + 0.0005, lat, 90), dt.date(2024, 2, 1)),
    ]

    new = services.split_hazardous_area(area, parts)

    area.refresh_from_db()
    assert area.status == "superseded"
    assert {p.split_from_id for p in new} == {area.pk}
    assert selectors.hazard_history(area).last().cause == "split"


def test_stale_edit_of_an_area_is_refused(placed):
    area = hazard()
    hazard(name="renamed by a colleague")

    with pytest.raises(StaleObjectError):
        services.record_hazardous_area(
            HazardInput("HA-1", "cha", square(*AGHDAM, 100), dt.date(2023, 1, 10), name="mine"),
            seen_version=area.row_version,
        )
    assert HazardousArea.objects.get().name == "renamed by a colleague"


def test_incidents_count_casualties_and_refuse_future_dates(placed):
    incident = services.record_incident(
        IncidentInput(
            "INC-1",
            dt.date(2024, 7, 3),
            latitude=LACHIN[1],
            longitude=LACHIN[0],
            device_type="at_mine",
            casualties=(CasualtyInput("male", "18-59", "killed", 2),),
        )
    )
    assert incident.district == placed.lachin
    assert incident.casualties.get().count == 2

    with pytest.raises(services.MineActionError):
        services.record_incident(IncidentInput("INC-2", dt.date(2999, 1, 1), LACHIN[1], LACHIN[0]))


def test_every_write_bumps_the_inputs_version(placed):
    before = selectors.inputs_version()
    hazard()
    services.record_release_activity(release("LR-1", "HA-1", cleared=100))

    assert selectors.inputs_version() == before + 2


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
QUEUED = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_a_write_queues_the_figures_task_for_workers(placed, settings, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = QUEUED
    with django_capture_on_commit_callbacks(execute=True):
        hazard("HA-1")

    queued = {task.task_path.rsplit(".", 1)[-1]: task for task in DBTaskResult.objects.all()}
    assert queued["recompute_figures"].args_kwargs["args"] == [[str(placed.aghdam.pk)]]
    # Readiness follows hazardous areas through the hazards_changed event.
    assert queued["recompute_readiness_after_hazards"].args_kwargs["args"] == [[str(HazardousArea.objects.get().pk)]]
    assert not PlaceFigures.objects.exists()


def test_figures_are_recomputed_by_the_task_after_commit(placed, settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True):
        hazard("HA-1", side=100)
        hazard("HA-2", where=LACHIN, side=200, classification="sha")
        services.record_release_activity(release("LR-1", "HA-1", cleared=2500, on=dt.date(2024, 3, 15)))
        services.record_incident(
            IncidentInput(
                "INC-1",
                dt.date(2024, 3, 20),
                AGHDAM[1],
                AGHDAM[0],
                casualties=(CasualtyInput("female", "0-17", "injured", 1),),
            )
        )

    village = PlaceFigures.objects.get(place=placed.aghdam_village)
    assert (village.open_areas, village.cha_count, village.cleared_m2, village.incidents, village.injured) == (
        1,
        1,
        2500,
        1,
        1,
    )
    assert village.remaining_m2 == pytest.approx(10_000 - 2500, rel=0.01)
    region = PlaceFigures.objects.get(place=placed.country)
    assert (region.open_areas, region.sha_count, region.cha_count) == (2, 1, 1)
    assert region.remaining_m2 == pytest.approx(7_500 + 40_000, rel=0.01)
    assert region.inputs_version == InputsVersion.objects.get().version
    march = MonthlyFigures.objects.get(place=placed.aghdam, month=dt.date(2024, 3, 1))
    assert (march.cleared_m2, march.incidents, march.casualties) == (2500, 1, 1)


def test_recompute_of_one_district_leaves_the_others_alone(placed):
    hazard("HA-1")
    hazard("HA-2", where=LACHIN)
    figures.recompute(None)
    PlaceFigures.objects.filter(place=placed.lachin).update(open_areas=99)

    figures.recompute([str(placed.aghdam.pk)])

    assert PlaceFigures.objects.get(place=placed.lachin).open_areas == 99
    assert PlaceFigures.objects.get(place=placed.aghdam).open_areas == 1
