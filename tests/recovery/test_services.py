"""Recovery writes: observations keep history, projects are validated, completion restores services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from homeward.core.context import acting_as
from homeward.mineaction import services as mine_action
from homeward.mineaction.inputs import HazardInput
from homeward.recovery import selectors, services
from homeward.recovery.models import HousingObservation, Project, ServiceObservation
from homeward.recovery.services import ProjectInput, RecoveryError, RestoreInput
from tests.mineaction.geodata import AGHDAM, place_world, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(world, personas):
    place_world(world)
    with acting_as(personas.planner):
        yield world


def project(**changes) -> ProjectInput:
    values = {
        "external_id": "P-1",
        "title": "Water main for Qaraçay",
        "sector": "water",
        "currency": "AZN",
        "budget": Decimal("250000"),
        "planned_start": dt.date(2025, 3, 1),
        "planned_end": dt.date(2026, 6, 30),
        "settlement_codes": ("T-AGM-1",),
        "restores": (RestoreInput("T-AGM-1", "water"),),
    }
    values.update(changes)
    return ProjectInput(**values)


def test_service_observations_keep_history_and_the_latest_is_current(placed):
    services.record_service("T-AGM-1", "water", "not_working", observed_on=dt.date(2024, 1, 5), source="survey A")
    services.record_service(
        "T-AGM-1", "water", "partial", observed_on=dt.date(2025, 2, 1), capacity=40, capacity_unit="m³/day"
    )

    current = selectors.latest_services([placed.aghdam_village.pk])[(placed.aghdam_village.pk, "water")]

    assert (current.status, current.capacity) == ("partial", 40)
    assert ServiceObservation.objects.filter(settlement=placed.aghdam_village).count() == 2


def test_a_service_for_a_settlement_that_does_not_exist_is_refused(placed):
    with pytest.raises(RecoveryError) as refused:
        services.record_service("NOWHERE-9", "water", "working", observed_on=dt.date(2025, 1, 1))
    assert refused.value.field == "settlement"
    assert not ServiceObservation.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"planned_end": dt.date(2025, 1, 1)}, "planned_end"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "manat"}, "currency"),
        ({"budget": Decimal("-1")}, "budget"),
        ({"progress": 140}, "progress"),
        ({"restores": (RestoreInput("T-AGM-1", "housing"),)}, "restores"),
        ({"settlement_codes": ("NOWHERE",)}, "settlements"),
    ],
)
def test_bad_projects_are_refused_naming_the_field_and_write_nothing(placed, changes, field):
    with pytest.raises(RecoveryError) as refused:
        services.save_project(project(**changes))
    assert refused.value.field == field
    assert not Project.objects.exists()


def test_spending_above_budget_is_allowed_but_flagged(placed):
    saved = services.save_project(project(spent=Decimal("300000"), currency="usd"))

    assert saved.over_budget and saved.currency == "USD"


def test_a_project_whose_site_intersects_an_active_hazard_is_blocked_and_names_it(placed, personas):
    with acting_as(personas.analyst):
        mine_action.record_hazardous_area(HazardInput("HA-7", "cha", square(*AGHDAM, 300), dt.date(2023, 1, 1)))

    saved = services.save_project(project())

    assert saved.blocked_by_hazards == ["HA-7"]
    elsewhere = services.save_project(project(external_id="P-2", settlement_codes=("T-LAC-1",), restores=()))
    assert elsewhere.blocked_by_hazards == []


def test_completing_a_project_restores_what_it_promised(placed):
    services.record_service("T-AGM-1", "water", "not_working", observed_on=dt.date(2024, 1, 5))
    services.record_housing(
        "T-AGM-1", units_total=200, units_damaged=150, units_habitable=50, observed_on=dt.date(2024, 1, 5)
    )
    saved = services.save_project(
        project(restores=(RestoreInput("T-AGM-1", "water"), RestoreInput("T-AGM-1", "housing", units=120)))
    )

    services.complete_project(saved, actual_end=dt.date(2026, 8, 1))

    saved.refresh_from_db()
    assert (saved.status, saved.progress, saved.delay_days) == ("completed", 100, 32)
    water = selectors.latest_services([placed.aghdam_village.pk])[(placed.aghdam_village.pk, "water")]
    assert (water.status, water.project_id) == ("working", saved.pk)
    housing = HousingObservation.objects.filter(settlement=placed.aghdam_village).order_by("-observed_on").first()
    assert (housing.units_habitable, housing.units_damaged) == (170, 30)
    assert selectors.agency_delays() == {None: 32.0}


def test_housing_parts_cannot_exceed_the_total(placed):
    with pytest.raises(RecoveryError) as refused:
        services.record_housing(
            "T-AGM-1", units_total=10, units_damaged=2, units_habitable=11, observed_on=dt.date(2025, 1, 1)
        )
    assert refused.value.field == "units_habitable"


def test_observations_in_the_future_are_refused(placed):
    with pytest.raises(RecoveryError) as refused:
        services.record_service("T-AGM-1", "water", "working", observed_on=dt.date(2999, 1, 1))
    assert refused.value.field == "observed_on"


def test_api_saves_completes_and_refuses_with_the_field(placed, personas, as_user):
    client = as_user(personas.planner)
    body = {
        "external_id": "P-API",
        "title": "School roof",
        "sector": "education",
        "currency": "EUR",
        "budget": "1000",
        "planned_start": "2025-01-01",
        "planned_end": "2025-12-31",
        "settlements": ["T-LAC-1"],
        "restores": [{"settlement": "T-LAC-1", "kind": "school"}],
    }
    created = client.post("/api/recovery/projects", body, content_type="application/json")
    assert created.status_code == 200, created.content
    assert created.json()["restores"] == [{"settlement": "T-LAC-1", "kind": "school", "units": 0}]

    done = client.post(
        "/api/recovery/projects/P-API/complete", {"actual_end": "2026-01-15"}, content_type="application/json"
    )
    assert done.json()["status"] == "completed"
    services_now = client.get("/api/recovery/settlements/T-LAC-1").json()["services"]
    assert services_now[0]["kind"] == "school" and services_now[0]["project"] == "P-API"

    bad = client.post("/api/recovery/projects", {**body, "currency": "ABC"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "currency"


def test_only_planners_write_projects(placed, personas, as_user):
    response = as_user(personas.coordinator).post(
        "/api/recovery/services",
        {"settlement": "T-AGM-1", "kind": "water", "status": "working", "observed_on": "2025-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 403
