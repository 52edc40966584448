"""The demo's recovery data: synthetic, plausible, and consistent with the recovery services' rules."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter

import pycountry
import pytest

from homeward.accounts.models import Agency
from homeward.core.models import AuditAction, AuditEntry
from homeward.demo import load_demo
from homeward.demo.hazard_plans import DATA_UNTIL
from homeward.demo.names import load_name_bank
from homeward.demo.places import Settlement
from homeward.demo.recovery_plans import (
    ALWAYS_PRESENT,
    BASELINE_SOURCE,
    SURVEY_SOURCE,
    WORKS,
    RecoverySite,
    plan_settlement,
    project_count,
    with_neighbours,
)
from homeward.demo.region import load_region
from homeward.demo.scales import SCALES
from homeward.demo.towns import region_towns
from homeward.demo.villages import district_villages, village_counts
from homeward.places.models import Place
from homeward.recovery import selectors, services
from homeward.recovery.choices import HOUSING, ProjectStatus
from homeward.recovery.models import (
    HousingObservation,
    InputsVersion,
    Milestone,
    Project,
    ProjectRestores,
    ServiceObservation,
)

SEED = "homeward-demo:karabakh:recovery"
MODELS = (ServiceObservation, HousingObservation, Project, ProjectRestores, Milestone, Project.settlements.through)
SECTOR_OF = {work.kind: work.sector for work in WORKS}


@pytest.fixture
def small(db):
    return load_demo("small")


def test_small_scale_loads_synthetic_observations_and_projects_with_syn_ids(small):
    counts = small.recovery
    assert 150 <= counts.projects == Project.objects.count() <= 400
    assert counts.service_observations == ServiceObservation.objects.count()
    assert counts.housing_observations == HousingObservation.objects.count()
    assert counts.milestones == Milestone.objects.count() >= counts.projects
    assert counts.project_restores == ProjectRestores.objects.count() >= counts.projects
    assert not Project.objects.exclude(external_id__startswith="SYN-PRJ-").exists()
    for model in (Project, ServiceObservation, HousingObservation):
        assert not model.objects.filter(is_synthetic=False).exists()
    for model in (ServiceObservation, HousingObservation):
        sources = set(model.objects.values_list("source", flat=True))
        assert {SURVEY_SOURCE, BASELINE_SOURCE} <= sources
        assert all(
            source.startswith("completion of project SYN-PRJ-") for source in sources - {SURVEY_SOURCE, BASELINE_SOURCE}
        )
    implementing = Agency.objects.filter(pk__in=Project.objects.values("implementing_agency"))
    assert implementing.count() >= 8
    assert all(agency.name.startswith("Demo ") or agency.name.endswith("(demo)") for agency in implementing)
    assert not Project.objects.filter(implementing_agency__isnull=True).exists()


def test_every_settlement_has_its_services_observed_and_facilities_only_where_they_are(small):
    latest = selectors.latest_services()
    housing = selectors.latest_housing()
    settlements = list(Place.objects.filter(level="settlement"))
    for settlement in settlements:
        assert all((settlement.pk, kind) in latest for kind in ALWAYS_PRESENT), settlement.code
        assert settlement.pk in housing
        if not settlement.is_synthetic:
            assert {(settlement.pk, kind) for kind in ("school", "kindergarten", "health_post")} <= set(latest)
    villages = [settlement.pk for settlement in settlements if settlement.is_synthetic]
    with_school = sum((village, "school") in latest for village in villages)
    with_health_post = sum((village, "health_post") in latest for village in villages)
    assert 0 < with_school < len(villages) / 2
    assert 0 < with_health_post < len(villages) / 2
    history = Counter(ServiceObservation.objects.values_list("settlement", "kind"))
    assert any(count > 1 for count in history.values())


def test_towns_mostly_work_and_villages_mostly_do_not(small):
    latest = selectors.latest_services()
    towns = set(Place.objects.filter(level="settlement", is_synthetic=False).values_list("pk", flat=True))
    statuses: dict[bool, Counter[str]] = {True: Counter(), False: Counter()}
    for (settlement, _), observation in latest.items():
        statuses[settlement in towns][observation.status] += 1
    assert statuses[True]["working"] / statuses[True].total() > 0.75
    assert statuses[False]["working"] / statuses[False].total() < 0.5
    assert {"working", "partial", "not_working"} <= set(statuses[False])


def test_housing_is_damaged_in_villages_and_never_more_than_its_total(small):
    for total, damaged, habitable in HousingObservation.objects.values_list(
        "units_total", "units_damaged", "units_habitable"
    ):
        assert habitable <= total and damaged <= total and total > 0
    current = selectors.latest_housing()
    villages = Place.objects.filter(level="settlement", is_synthetic=True)
    for village in villages:
        assert current[village.pk].units_total >= round(village.households_pre_conflict * 1.1 * 0.95) - 1
    damaged = sum(current[village.pk].units_damaged for village in villages)
    habitable = sum(current[village.pk].units_habitable for village in villages)
    total = sum(current[village.pk].units_total for village in villages)
    assert damaged > total / 2 and habitable < total / 3


def test_completed_projects_have_actual_dates_and_left_what_they_restore_working(small):
    latest = selectors.latest_services()
    completed = Project.objects.filter(status=ProjectStatus.COMPLETED).prefetch_related("restores")
    assert 0.2 <= completed.count() / Project.objects.count() <= 0.45
    for project in completed:
        assert project.actual_start <= project.actual_end <= DATA_UNTIL
        assert project.progress == 100
        for restore in project.restores.all():
            if restore.kind == HOUSING:
                assert HousingObservation.objects.filter(
                    settlement=restore.settlement_id, project=project, observed_on=project.actual_end
                ).exists()
                continue
            assert ServiceObservation.objects.filter(
                settlement=restore.settlement_id,
                kind=restore.kind,
                project=project,
                status="working",
                observed_on=project.actual_end,
            ).exists(), project.external_id
            assert latest[(restore.settlement_id, restore.kind)].status == "working", project.external_id
    unfinished = Project.objects.exclude(status=ProjectStatus.COMPLETED)
    assert not unfinished.filter(actual_end__isnull=False).exists()
    assert not unfinished.filter(progress=100).exists()
    assert not Project.objects.filter(status=ProjectStatus.PLANNED, actual_start__isnull=False).exists()
    assert not ServiceObservation.objects.filter(observed_on__gt=DATA_UNTIL).exists()
    statuses = set(Project.objects.values_list("status", flat=True))
    assert statuses == set(ProjectStatus.values)


def test_projects_have_iso_currencies_plausible_dates_and_what_their_sector_restores(small):
    projects = list(Project.objects.prefetch_related("restores", "milestones", "settlements"))
    for project in projects:
        assert services.check_currency(project.currency) == project.currency
        assert pycountry.currencies.get(alpha_3=project.currency) is not None
        assert dt.date(2022, 1, 1) <= project.planned_start <= project.planned_end <= dt.date(2028, 12, 31)
        assert 1 <= len(project.milestones.all()) <= 4
        assert all(m.done_on is None or m.done_on <= DATA_UNTIL for m in project.milestones.all())
        restores = list(project.restores.all())
        assert restores and {SECTOR_OF[restore.kind] for restore in restores} == {project.sector}
        assert all(restore.units > 0 for restore in restores if restore.kind == HOUSING)
        assert {restore.settlement_id for restore in restores} == {s.pk for s in project.settlements.all()}
        assert project.budget > 0 and project.spent >= 0
        assert project.district_id == restores[0].settlement.district_id
    assert {project.currency for project in projects} == {"AZN", "USD", "EUR"}
    assert any(project.over_budget for project in projects)
    assert any(len(project.restores.all()) > 1 for project in projects)
    delays = selectors.agency_delays()
    assert min(delays.values()) < 0 < max(delays.values())


def test_blocked_by_hazards_is_what_the_services_would_compute(small):
    projects = list(Project.objects.prefetch_related("settlements").order_by("external_id"))
    for project in projects[::4]:
        assert project.blocked_by_hazards == services.blocking_hazards(project), project.external_id
    blocked = [project for project in projects if project.blocked_by_hazards]
    sited = [project for project in projects if project.geometry is not None]
    assert 0 < len(blocked) < len(projects) / 2
    assert any(project.geometry is not None for project in blocked)
    assert len(sited) > len(projects) / 3
    assert all(project.shape.geom_type == "Polygon" and project.shape.is_valid for project in sited)


def test_a_second_run_creates_nothing_and_keeps_the_inputs_version(small):
    version = InputsVersion.objects.get(id=1).version
    assert version >= 1
    counts = [model.objects.count() for model in MODELS]
    entries = AuditEntry.objects.filter(action=AuditAction.BULK_LOAD).count()
    again = load_demo("small")
    assert again.recovery.created == 0
    assert [model.objects.count() for model in MODELS] == counts
    assert AuditEntry.objects.filter(action=AuditAction.BULK_LOAD).count() == entries
    assert InputsVersion.objects.get(id=1).version == version


def test_a_settlements_plan_is_the_same_at_every_scale():
    district = uuid.UUID(int=1)

    def site(number: int) -> RecoverySite:
        code = f"DEMO-AZ-TST-{number:04d}"
        return RecoverySite(Settlement(code, uuid.UUID(int=100 + number), district, 400), "AZ-TST", f"V{number}",
                            46.5 + number / 40, 39.7 + (number % 3) / 50, 400, 90, number % 4)  # fmt: skip

    town = RecoverySite(
        Settlement("GN-1", uuid.UUID(int=99), district, 9000), "AZ-TST", "T", 46.6, 39.75, 9000, 2000, 6
    )
    few = with_neighbours([town, *(site(n) for n in range(1, 4))])
    many = with_neighbours([town, *(site(n) for n in range(1, 31))])
    assert few == many[:4]
    assert few[0].neighbour is None and all(village.neighbour is not None for village in few[1:])
    assert [plan_settlement(SEED, s, 0.4) for s in few] == [plan_settlement(SEED, s, 0.4) for s in many[:4]]


def test_the_national_scale_has_the_10000_projects_the_readiness_benchmark_needs():
    region = load_region()
    bank = load_name_bank(region.name_bank)
    national = next(scale for scale in SCALES if scale.name == "national")
    counts = village_counts(region, national.villages)
    codes = [town.code for town in region_towns(region)]
    codes += [v.code for d in region.districts for v in district_villages(region, d, bank, counts[d.code])]
    nowhere = uuid.UUID(int=0)
    total = sum(project_count(SEED, Settlement(code, nowhere, nowhere, 0)) for code in codes)
    assert 10_000 <= total <= 11_500
