"""Readiness from the domains' records: snapshots with evidence, history, incremental updates, what-if."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from homeward.core.context import acting_as
from homeward.mineaction import services as mine_action
from homeward.mineaction.inputs import HazardInput
from homeward.recovery import services as recovery
from homeward.recovery.services import ProjectInput, RestoreInput
from homeward.returns import readiness, selectors
from homeward.returns.models import ReadinessSnapshot
from tests.mineaction.geodata import AGHDAM, place_world, square

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)  # in the heating season
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def village(world, personas, settings):
    """Qaraçay: 100 households before the conflict, everything working except the health post and a hazard."""
    settings.TASKS = IMMEDIATE
    place_world(world)
    village = world.aghdam_village
    village.households_pre_conflict = 100
    village.save()
    with acting_as(personas.planner):
        for kind in ("water", "electricity", "heating", "school"):
            recovery.record_service("T-AGM-1", kind, "working", observed_on=dt.date(2026, 5, 1))
        recovery.record_housing(
            "T-AGM-1", units_total=150, units_damaged=40, units_habitable=110, observed_on=dt.date(2026, 5, 1)
        )
    with acting_as(personas.analyst):
        mine_action.record_hazardous_area(HazardInput("HA-1", "cha", square(*AGHDAM, 200), dt.date(2023, 1, 1)))
    return village


def _current(village) -> ReadinessSnapshot:
    return ReadinessSnapshot.objects.get(settlement=village, is_current=True)


def _criterion(snapshot: ReadinessSnapshot, key: str) -> dict:
    return next(c for c in snapshot.criteria if c["key"] == key)


def test_a_hazard_in_the_residential_area_makes_the_village_not_ready_and_names_it(village):
    readiness.recompute(None, today=TODAY)

    snapshot = _current(village)
    assert snapshot.status == "not_ready"
    hazard = _criterion(snapshot, "no_hazard_in_residential_area")
    assert hazard["outcome"] == "not_met"
    assert [e["ref"] for e in hazard["evidence"] if e["kind"] == "hazard"] == ["HA-1"]
    assert _criterion(snapshot, "water")["outcome"] == "met"
    assert _criterion(snapshot, "hazard_free_road_to_district_centre")["outcome"] == "unknown"
    assert "no_hazard_in_residential_area" in snapshot.blockers


def test_clearing_the_hazard_in_a_what_if_changes_the_answer_and_stores_nothing(village):
    readiness.recompute(None, today=TODAY)
    before = ReadinessSnapshot.objects.count()

    answer = readiness.what_if(village.pk, readiness.WhatIf(cleared_hazards=("HA-1",)), today=TODAY)

    assert str(answer.status) == "partly_ready"
    assert str(answer.criterion("no_hazard_in_residential_area").outcome) == "met"
    assert ReadinessSnapshot.objects.count() == before


def test_what_if_with_an_unknown_project_names_the_field(village):
    with pytest.raises(readiness.WhatIfError) as refused:
        readiness.what_if(village.pk, readiness.WhatIf(delayed_projects={"P-404": 90}), today=TODAY)
    assert refused.value.field == "project_id"


def test_completing_a_project_changes_the_status_and_history_after_the_task(
    village, personas, django_capture_on_commit_callbacks
):
    with acting_as(personas.analyst):  # the area is surveyed away from the village: only water is missing
        mine_action.record_hazardous_area(
            HazardInput("HA-1", "cha", square(AGHDAM[0] + 0.05, AGHDAM[1], 200), dt.date(2023, 1, 1))
        )
    with acting_as(personas.planner):
        recovery.record_service("T-AGM-1", "water", "not_working", observed_on=dt.date(2026, 6, 1))
    readiness.recompute(None, today=TODAY)
    assert _criterion(_current(village), "water")["outcome"] == "not_met"
    assert _current(village).status == "not_ready"
    with acting_as(personas.planner):
        project = recovery.save_project(
            ProjectInput(
                external_id="P-W",
                title="Water main",
                sector="water",
                currency="AZN",
                budget=Decimal(1000),
                planned_start=dt.date(2026, 1, 1),
                planned_end=dt.date(2027, 3, 1),
                status="under_way",
                settlement_codes=("T-AGM-1",),
                restores=(RestoreInput("T-AGM-1", "water"),),
            )
        )
    readiness.recompute(None, today=TODAY)
    water = _criterion(_current(village), "water")
    assert water["expected_date"] == "2027-03-01"
    assert any(e["ref"] == "P-W" for e in water["evidence"])

    with acting_as(personas.planner), django_capture_on_commit_callbacks(execute=True):
        recovery.complete_project(project, actual_end=dt.date(2026, 11, 1))

    assert _criterion(_current(village), "water")["outcome"] == "met"
    assert _current(village).status == "partly_ready"  # the road stays unknown until a network is loaded
    history = selectors.history_of(personas.coordinator, village.pk)
    assert len(history) >= 3
    assert [_criterion(s, "water")["outcome"] for s in history][-2:] == ["not_met", "met"]


def test_an_unchanged_answer_stores_no_new_snapshot(village):
    assert readiness.recompute(None, today=TODAY) >= 1
    assert readiness.recompute(None, today=TODAY) == 0


def test_a_hazard_edit_recomputes_only_the_settlements_it_touches(
    village, world, personas, django_capture_on_commit_callbacks
):
    readiness.recompute(None, today=TODAY)
    lachin = ReadinessSnapshot.objects.get(settlement=world.lachin_village, is_current=True)

    with acting_as(personas.analyst), django_capture_on_commit_callbacks(execute=True):
        mine_action.record_hazardous_area(
            HazardInput("HA-1", "cha", square(AGHDAM[0] + 0.05, AGHDAM[1], 200), dt.date(2023, 1, 1))
        )

    assert _criterion(_current(village), "no_hazard_in_residential_area")["outcome"] == "met"
    assert ReadinessSnapshot.objects.get(settlement=world.lachin_village, is_current=True).pk == lachin.pk


def test_the_forecast_follows_clearance_pace_and_project_ends(village, personas):
    readiness.recompute(None, today=TODAY)

    snapshot = _current(village)
    # No land released in the district in the last year: no clearance date, so no forecast.
    assert snapshot.earliest_ready is None
    assert _criterion(snapshot, "no_hazard_in_residential_area")["expected_date"] is None


def test_cli_recompute_for_one_settlement_and_a_clear_error_for_an_unknown_one(village):
    from click.testing import CliRunner

    from homeward.cli import main

    done = CliRunner().invoke(main, ["readiness", "recompute", "--settlement", "T-AGM-1"])
    assert done.exit_code == 0, done.output
    assert "stored 1 new readiness snapshots" in done.output

    missing = CliRunner().invoke(main, ["readiness", "recompute", "--settlement", "NOPE"])
    assert missing.exit_code == 6 and "NOPE" in missing.output


def test_cli_exports_the_current_answers_with_hxl(village, tmp_path):
    from click.testing import CliRunner

    from homeward.cli import main

    readiness.recompute(None, today=TODAY)
    out = tmp_path / "readiness.csv"
    result = CliRunner().invoke(
        main, ["export", "readiness", "--format", "hxl-csv", "-o", str(out), "--user", "coordinator"]
    )

    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert "#status+readiness" in lines[1]
    assert any("T-AGM-1" in line and "not_ready" in line for line in lines[2:])


def test_recomputing_one_settlement_from_its_neighbourhood_gives_the_full_runs_answer(village, world):
    readiness.recompute(None, today=TODAY)
    before = {
        s.settlement_id: (s.status, s.score, s.criteria) for s in ReadinessSnapshot.objects.filter(is_current=True)
    }

    # Only the inputs around each settlement are read; the answer (and so its digest) must not change.
    assert readiness.recompute([village.pk], today=TODAY) == 0
    assert readiness.recompute([world.lachin_village.pk], today=TODAY) == 0
    after = {
        s.settlement_id: (s.status, s.score, s.criteria) for s in ReadinessSnapshot.objects.filter(is_current=True)
    }
    assert after == before


def test_a_deployment_criteria_file_with_an_unknown_criterion_is_refused_naming_it(village, settings, tmp_path):
    from homeward.engines.readiness import CriteriaError

    path = tmp_path / "criteria.toml"
    path.write_text("[criteria.water]\nweight = 2.0\n\n[criteria.unicorns]\nweight = 1.0\n")
    settings.HOMEWARD_READINESS_CRITERIA = str(path)

    with pytest.raises(CriteriaError) as refused:
        readiness.recompute(None, today=TODAY)
    assert refused.value.criterion == "unicorns"
    assert not ReadinessSnapshot.objects.exists()
